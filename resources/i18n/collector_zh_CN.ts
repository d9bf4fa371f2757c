<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AccountAttachmentsDialog</name>
    <message>
        <source>Attachments — {contract}</source>
        <translation>附件 — {contract}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>&amp;Save a copy…</source>
        <translation>另存副本(&amp;S)…</translation>
    </message>
    <message>
        <source>Save a copy of the selected file</source>
        <translation>将所选文件另存一份副本</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Nothing is attached to this account.</source>
        <translation>该账户没有附件。</translation>
    </message>
    <message>
        <source>Files attached: {count}</source>
        <translation>附件数：{count}</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>另存副本</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
</context>
<context>
    <name>AccountHeader</name>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Identity</source>
        <translation>身份</translation>
    </message>
    <message>
        <source>ID {id_number} · age {age}</source>
        <translation>身份证 {id_number} · {age}岁</translation>
    </message>
    <message>
        <source>{product} · contract {contract}</source>
        <translation>{product} · 合同 {contract}</translation>
    </message>
    <message>
        <source>{loan} · {status}</source>
        <translation>{loan} · {status}</translation>
    </message>
    <message>
        <source>Loan</source>
        <translation>贷款</translation>
    </message>
    <message>
        <source>Arrears</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>DPD {dpd} · bucket {bucket}</source>
        <translation>逾期{dpd}天 · {bucket}</translation>
    </message>
    <message>
        <source>Borrower&apos;s time: unknown</source>
        <translation>借款人当地时间：未知</translation>
    </message>
    <message>
        <source>Borrower&apos;s time: {time}</source>
        <translation>借款人当地时间：{time}</translation>
    </message>
    <message>
        <source>Borrower&apos;s time: {times}</source>
        <translation>借款人当地时间：{times}</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>标记</translation>
    </message>
</context>
<context>
    <name>AddPointDialog</name>
    <message>
        <source>Add a number or address — {borrower}</source>
        <translation>添加号码或地址 — {borrower}</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>添加(&amp;A)</translation>
    </message>
    <message>
        <source>Add the contact point</source>
        <translation>添加该联系方式</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Number or e-mail address</source>
        <translation>号码或电子邮箱</translation>
    </message>
    <message>
        <source>As the borrower said it, e.g. 138 1234 5678</source>
        <translation>按借款人所说填写，例如 138 1234 5678</translation>
    </message>
    <message>
        <source>Read as</source>
        <translation>识别为</translation>
    </message>
    <message>
        <source>Name of the third party</source>
        <translation>第三方姓名</translation>
    </message>
    <message>
        <source>Relation to the borrower</source>
        <translation>与借款人的关系</translation>
    </message>
    <message>
        <source>e.g. 父亲, 同事</source>
        <translation>例如：父亲、同事</translation>
    </message>
    <message>
        <source>Province or state</source>
        <translation>省份或州</translation>
    </message>
    <message>
        <source>Province or state, e.g. 广东 or CA</source>
        <translation>省份或州，例如 广东 或 CA</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>Street and number</source>
        <translation>街道及门牌号</translation>
    </message>
    <message>
        <source>Confirmed on this contact to be theirs</source>
        <translation>本次联系已确认属于本人</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>已核实</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>类型(&amp;K)</translation>
    </message>
    <message>
        <source>N&amp;umber or e-mail</source>
        <translation>号码或邮箱(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>姓名(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Relation</source>
        <translation>关系(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Province or state</source>
        <translation>省份或州(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;City</source>
        <translation>城市(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;District</source>
        <translation>区县(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Street</source>
        <translation>街道(&amp;S)</translation>
    </message>
    <message>
        <source>Read as {number} · {region} · {zones}</source>
        <translation>识别为 {number} · {region} · {zones}</translation>
    </message>
    <message>
        <source>zone unknown</source>
        <translation>时区未知</translation>
    </message>
</context>
<context>
    <name>ApprovalsModel</name>
    <message>
        <source>{pauses} (plans allowed by {lead})</source>
        <translation>{pauses}（{lead} 已准许方案）</translation>
    </message>
    <message>
        <source>Offered</source>
        <translation>提出时间</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收专员</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Instalments</source>
        <translation>期数</translation>
    </message>
    <message>
        <source>Outside the policy</source>
        <translation>超出政策之处</translation>
    </message>
    <message>
        <source>Collection paused</source>
        <translation>催收已暂停</translation>
    </message>
    <message>
        <source>You made this plan: another team lead decides it.</source>
        <translation>该方案由您制定：需由其他组长审批。</translation>
    </message>
    <message>
        <source>{name} (you)</source>
        <translation>{name}（您）</translation>
    </message>
</context>
<context>
    <name>ApprovalsPanel</name>
    <message>
        <source>Plans waiting for approval</source>
        <translation>待审批的还款方案</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>No plan is waiting for your approval.</source>
        <translation>没有等待您审批的还款方案。</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Offered by</source>
        <translation>提出人</translation>
    </message>
    <message>
        <source>Terms</source>
        <translation>条件</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <source>Penalty waived</source>
        <translation>减免罚息</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <source>Down payment</source>
        <translation>首付款</translation>
    </message>
    <message>
        <source>Borrower pays</source>
        <translation>借款人应还</translation>
    </message>
    <message>
        <source>Schedule of the selected plan</source>
        <translation>所选方案的还款计划表</translation>
    </message>
    <message>
        <source>A&amp;pprove…</source>
        <translation>批准(&amp;P)…</translation>
    </message>
    <message>
        <source>Approve the plan</source>
        <translation>批准该方案</translation>
    </message>
    <message>
        <source>&amp;Reject…</source>
        <translation>驳回(&amp;R)…</translation>
    </message>
    <message>
        <source>Reject the plan</source>
        <translation>驳回该方案</translation>
    </message>
    <message>
        <source>Selected plan</source>
        <translation>所选方案</translation>
    </message>
    <message>
        <source>Plans waiting for a decision: {count}, oldest first.</source>
        <translation>待审批的还款方案：{count} 个，最早的在前。</translation>
    </message>
    <message>
        <source>Could not load the plans</source>
        <translation>无法加载还款方案</translation>
    </message>
    <message>
        <source>{name}, {when}</source>
        <translation>{name}，{when}</translation>
    </message>
    <message>
        <source>{kind}: {count} × {frequency}</source>
        <translation>{kind}：{count} 期 × {frequency}</translation>
    </message>
    <message>
        <source>Outside the policy:
{reasons}</source>
        <translation>超出政策之处：
{reasons}</translation>
    </message>
    <message>
        <source>You made this plan: another team lead decides it.</source>
        <translation>该方案由您制定：需由其他组长审批。</translation>
    </message>
    <message>
        <source>Approve the plan for {contract}? A note for the collector (optional):</source>
        <translation>批准 {contract} 的还款方案？给催收专员的说明（选填）：</translation>
    </message>
    <message>
        <source>Why is the plan for {contract} rejected? The collector reads this.</source>
        <translation>驳回 {contract} 还款方案的原因是什么？催收专员会看到。</translation>
    </message>
    <message>
        <source>Plans may go ahead on {contract} despite the pause.</source>
        <translation>尽管催收暂停，{contract} 仍可办理还款方案。</translation>
    </message>
    <message>
        <source>Approved the plan for {contract}; {collector} sees it.</source>
        <translation>已批准 {contract} 的还款方案；{collector} 会看到。</translation>
    </message>
    <message>
        <source>Rejected the plan for {contract}; {collector} sees why.</source>
        <translation>已驳回 {contract} 的还款方案；{collector} 会看到原因。</translation>
    </message>
    <message>
        <source>Could not decide on the plan</source>
        <translation>无法审批该方案</translation>
    </message>
</context>
<context>
    <name>AttachmentList</name>
    <message>
        <source>Attached files</source>
        <translation>已附文件</translation>
    </message>
    <message>
        <source>{purpose} · {name} · {size} KB · {who}, {when}</source>
        <translation>{purpose} · {name} · {size} KB · {who}于{when}添加</translation>
    </message>
</context>
<context>
    <name>AttorneyDialog</name>
    <message>
        <source>Represented by an attorney — {borrower}</source>
        <translation>已委托律师 — {borrower}</translation>
    </message>
    <message>
        <source>&amp;Record</source>
        <translation>记录(&amp;R)</translation>
    </message>
    <message>
        <source>Record the attorney</source>
        <translation>记录代理律师</translation>
    </message>
    <message>
        <source>Attorney&apos;s name</source>
        <translation>律师姓名</translation>
    </message>
    <message>
        <source>Attorney&apos;s firm</source>
        <translation>律师事务所</translation>
    </message>
    <message>
        <source>Attorney&apos;s phone number</source>
        <translation>律师电话</translation>
    </message>
    <message>
        <source>Where the borrower&apos;s rules say so (US: FDCPA), nobody contacts the borrower directly from now on; a team lead lifts the mark.</source>
        <translation>在借款人适用的规则有此要求时（美国：FDCPA），此后任何人都不得直接联系借款人；该标记由组长解除。</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>姓名(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Firm</source>
        <translation>律所(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>电话(&amp;P)</translation>
    </message>
</context>
<context>
    <name>BalanceBox</name>
    <message>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>Principal</source>
        <translation>本金</translation>
    </message>
    <message>
        <source>Interest</source>
        <translation>利息</translation>
    </message>
    <message>
        <source>Penalty interest</source>
        <translation>罚息</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Total overdue</source>
        <translation>逾期合计</translation>
    </message>
    <message>
        <source>Total owed</source>
        <translation>欠款合计</translation>
    </message>
    <message>
        <source>Oldest unpaid due date</source>
        <translation>最早未还到期日</translation>
    </message>
    <message>
        <source>Next due date</source>
        <translation>下一还款日</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>BlockTableModel</name>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>拦截次数</translation>
    </message>
    <message>
        <source>Dial attempts the rule stopped</source>
        <translation>被该规则拦截的拨打次数</translation>
    </message>
</context>
<context>
    <name>BucketRollChart</name>
    <message>
        <source>Bucket roll: accounts</source>
        <translation>账龄迁徙：账户数</translation>
    </message>
    <message>
        <source>Cured</source>
        <translation>回正</translation>
    </message>
    <message>
        <source>Stayed</source>
        <translation>留在原账龄</translation>
    </message>
    <message>
        <source>Rolled</source>
        <translation>迁徙</translation>
    </message>
    <message>
        <source>Bucket at the start</source>
        <translation>期初账龄</translation>
    </message>
    <message>
        <source>Bucket roll</source>
        <translation>账龄迁徙</translation>
    </message>
    <message>
        <source>Double-click a bar for the accounts behind it.</source>
        <translation>双击柱形可查看其对应的账户。</translation>
    </message>
</context>
<context>
    <name>BucketTableModel</name>
    <message>
        <source>Bucket at the start</source>
        <translation>期初账龄</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户数</translation>
    </message>
    <message>
        <source>Accounts in the bucket at the start of the period</source>
        <translation>期初处于该账龄的账户</translation>
    </message>
    <message>
        <source>Cured</source>
        <translation>回正</translation>
    </message>
    <message>
        <source>Of those, current at the end</source>
        <translation>其中期末已恢复正常的</translation>
    </message>
    <message>
        <source>Cure rate</source>
        <translation>回正率</translation>
    </message>
    <message>
        <source>Rolled</source>
        <translation>迁徙</translation>
    </message>
    <message>
        <source>Of those, in the next bucket or a worse one at the end</source>
        <translation>其中期末处于下一账龄或更差账龄的</translation>
    </message>
    <message>
        <source>Roll rate</source>
        <translation>迁徙率</translation>
    </message>
</context>
<context>
    <name>CallPanel</name>
    <message>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <source>The number called, the call script and the outcome of the call</source>
        <translation>拨打的号码、通话话术和通话结果</translation>
    </message>
    <message>
        <source>No account open</source>
        <translation>未打开账户</translation>
    </message>
    <message>
        <source>Number used</source>
        <translation>拨打号码</translation>
    </message>
    <message>
        <source>Call timer</source>
        <translation>通话计时</translation>
    </message>
    <message>
        <source>End call</source>
        <translation>结束通话</translation>
    </message>
    <message>
        <source>Call script</source>
        <translation>通话话术</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>通话结果</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the outcome</source>
        <translation>保存通话结果</translation>
    </message>
    <message>
        <source>Save and next</source>
        <translation>保存并下一个</translation>
    </message>
    <message>
        <source>Save the outcome and open the next account</source>
        <translation>保存通话结果并打开下一个账户</translation>
    </message>
    <message>
        <source>Still missing before saving</source>
        <translation>保存前仍需完成</translation>
    </message>
    <message>
        <source>&amp;End call</source>
        <translation>结束通话(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Save outcome</source>
        <translation>保存结果(&amp;S)</translation>
    </message>
    <message>
        <source>Save and &amp;next</source>
        <translation>保存并下一个(&amp;N)</translation>
    </message>
    <message>
        <source>Go to the s&amp;cript</source>
        <translation>转到话术(&amp;C)</translation>
    </message>
    <message>
        <source>Go to the &amp;outcome</source>
        <translation>转到通话结果(&amp;O)</translation>
    </message>
    <message>
        <source>Outcome: {label}</source>
        <translation>结果：{label}</translation>
    </message>
    <message>
        <source> (blocked)</source>
        <translation>（禁止拨打）</translation>
    </message>
    <message>
        <source> (allowed from {time})</source>
        <translation>（{time}起可联系）</translation>
    </message>
    <message>
        <source>This account has no phone number.</source>
        <translation>该账户没有电话号码。</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
</context>
<context>
    <name>CallReviewPanel</name>
    <message>
        <source>Call review</source>
        <translation>通话质检</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>小组</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收员</translation>
    </message>
    <message>
        <source>All collectors</source>
        <translation>全部催收员</translation>
    </message>
    <message>
        <source>From</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <source>To</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <source>All outcomes</source>
        <translation>全部联系结果</translation>
    </message>
    <message>
        <source>{count} outcomes</source>
        <translation>已选 {count} 种联系结果</translation>
    </message>
    <message>
        <source>All emotions</source>
        <translation>全部情绪</translation>
    </message>
    <message>
        <source>{count} emotions</source>
        <translation>已选 {count} 种情绪</translation>
    </message>
    <message>
        <source>&amp;Incomplete checklist</source>
        <translation>清单未完成(&amp;I)</translation>
    </message>
    <message>
        <source>Esc&amp;alated</source>
        <translation>已上报(&amp;A)</translation>
    </message>
    <message>
        <source>Not &amp;yet reviewed</source>
        <translation>尚未质检(&amp;Y)</translation>
    </message>
    <message>
        <source>Refres&amp;h</source>
        <translation>刷新(&amp;H)</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>C&amp;ollector</source>
        <translation>催收员(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>起始(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>截止(&amp;T)</translation>
    </message>
    <message>
        <source>Contacts to review</source>
        <translation>待质检的联系记录</translation>
    </message>
    <message>
        <source>Contacts shown</source>
        <translation>显示的联系记录数</translation>
    </message>
    <message>
        <source>Complaints per collector and per category</source>
        <translation>按催收员和类别统计的投诉</translation>
    </message>
    <message>
        <source>&amp;Save review</source>
        <translation>保存质检(&amp;S)</translation>
    </message>
    <message>
        <source>any day</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>{name} ({username})</source>
        <translation>{name}（{username}）</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The newest {count} contacts; narrow the filter to see older ones.</source>
        <translation>仅显示最新的 {count} 条联系记录；请缩小筛选范围以查看更早的记录。</translation>
    </message>
    <message>
        <source>{count} contacts</source>
        <translation>{count} 条联系记录</translation>
    </message>
    <message>
        <source>The contacts could not be loaded.</source>
        <translation>无法加载联系记录。</translation>
    </message>
    <message>
        <source>Unsaved review</source>
        <translation>质检未保存</translation>
    </message>
    <message>
        <source>The review of this contact is not saved. Leave it and lose the answers?</source>
        <translation>这条联系记录的质检尚未保存。确定离开并放弃已填写的结论吗？</translation>
    </message>
</context>
<context>
    <name>CandidateModel</name>
    <message>
        <source>Stop</source>
        <translation>站序</translation>
    </message>
    <message>
        <source>City and district</source>
        <translation>城市及区县</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>DPD</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <source>Why a visit</source>
        <translation>外访原因</translation>
    </message>
    <message>
        <source>Marked by the team lead: {note}</source>
        <translation>组长标记：{note}</translation>
    </message>
    <message>
        <source>Overdue, never reached</source>
        <translation>逾期，从未联系到本人</translation>
    </message>
    <message>
        <source>Overdue, last reached {day}</source>
        <translation>逾期，最后一次联系到本人：{day}</translation>
    </message>
    <message>
        <source>Tick to visit; Alt+Up and Alt+Down move the stop.</source>
        <translation>勾选即安排外访；Alt+上/下箭头调整站序。</translation>
    </message>
</context>
<context>
    <name>CasesPanel</name>
    <message>
        <source>{days} working days overdue</source>
        <translation>已逾期 {days} 个工作日</translation>
    </message>
    <message>
        <source>{days} working days left</source>
        <translation>剩余 {days} 个工作日</translation>
    </message>
    <message>
        <source>The calendar has no public holidays for {years}: counted as weekends only.</source>
        <translation>日历中没有 {years} 年的法定节假日：仅按周末计算。</translation>
    </message>
    <message>
        <source>nobody in particular</source>
        <translation>未指明具体人员</translation>
    </message>
    <message>
        <source>Complaints received {days}: {total} ({open} open).
Per collector: {collectors}
Per category: {categories}</source>
        <translation>{days}收到的投诉：{total} 件（{open} 件未处理）。
按催收员：{collectors}
按类别：{categories}</translation>
    </message>
    <message>
        <source>Complaints about this collector: {count}.</source>
        <translation>针对该催收员的投诉：{count} 件。</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <source>Dispute</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Opened by</source>
        <translation>登记人</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收员</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>Open disputes</source>
        <translation>未处理的异议</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>客户主张</translation>
    </message>
    <message>
        <source>Payment claimed</source>
        <translation>客户所称的还款</translation>
    </message>
    <message>
        <source>The feed&apos;s payments near it</source>
        <translation>放款系统推送中相近的还款</translation>
    </message>
    <message>
        <source>Reasons for the decision</source>
        <translation>决定理由</translation>
    </message>
    <message>
        <source>Why: required to reject</source>
        <translation>理由：驳回时必填</translation>
    </message>
    <message>
        <source>Correction expected from the lending system</source>
        <translation>预计由放款系统进行的更正</translation>
    </message>
    <message>
        <source>Upheld: the correction the lending system is to send through the feed</source>
        <translation>成立时：放款系统应通过推送文件发送的更正</translation>
    </message>
    <message>
        <source>The borrower&apos;s evidence</source>
        <translation>借款人提供的材料</translation>
    </message>
    <message>
        <source>Save a copy of the e&amp;vidence…</source>
        <translation>另存材料副本(&amp;V)…</translation>
    </message>
    <message>
        <source>Save a copy of the selected evidence file</source>
        <translation>另存所选材料文件的副本</translation>
    </message>
    <message>
        <source>&amp;Uphold</source>
        <translation>异议成立(&amp;U)</translation>
    </message>
    <message>
        <source>Decide: the dispute is upheld</source>
        <translation>决定：异议成立</translation>
    </message>
    <message>
        <source>Re&amp;ject</source>
        <translation>驳回(&amp;J)</translation>
    </message>
    <message>
        <source>Decide: the dispute is rejected</source>
        <translation>决定：驳回异议</translation>
    </message>
    <message>
        <source>Selected dispute</source>
        <translation>选中的异议</translation>
    </message>
    <message>
        <source>Evi&amp;dence</source>
        <translation>材料(&amp;D)</translation>
    </message>
    <message>
        <source>Rea&amp;sons</source>
        <translation>理由(&amp;S)</translation>
    </message>
    <message>
        <source>C&amp;orrection expected</source>
        <translation>预计更正(&amp;O)</translation>
    </message>
    <message>
        <source>Open complaints</source>
        <translation>未处理的投诉</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>收到时间</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>内容摘要</translation>
    </message>
    <message>
        <source>Reply to the complaint</source>
        <translation>对投诉的答复</translation>
    </message>
    <message>
        <source>What the borrower was answered</source>
        <translation>对借款人的答复内容</translation>
    </message>
    <message>
        <source>Record the re&amp;ply</source>
        <translation>记录答复(&amp;P)</translation>
    </message>
    <message>
        <source>Log a complai&amp;nt…</source>
        <translation>登记投诉(&amp;N)…</translation>
    </message>
    <message>
        <source>Complaints per collector and per category</source>
        <translation>按催收员和类别统计的投诉</translation>
    </message>
    <message>
        <source>Selected complaint</source>
        <translation>选中的投诉</translation>
    </message>
    <message>
        <source>Rep&amp;ly</source>
        <translation>答复(&amp;L)</translation>
    </message>
    <message>
        <source>Disputes and complaints</source>
        <translation>异议与投诉</translation>
    </message>
    <message>
        <source>Dis&amp;putes</source>
        <translation>异议(&amp;P)</translation>
    </message>
    <message>
        <source>Comp&amp;laints</source>
        <translation>投诉(&amp;L)</translation>
    </message>
    <message>
        <source>{disputes} open disputes, {complaints} open complaints; {overdue} overdue.</source>
        <translation>未处理异议 {disputes} 件，未处理投诉 {complaints} 件；其中逾期 {overdue} 件。</translation>
    </message>
    <message>
        <source>in the last {days} days</source>
        <translation>最近 {days} 天</translation>
    </message>
    <message>
        <source>Could not load the cases</source>
        <translation>无法加载异议与投诉</translation>
    </message>
    <message>
        <source>No evidence attached.</source>
        <translation>尚未附加材料。</translation>
    </message>
    <message>
        <source>Files attached: {count}</source>
        <translation>附件数：{count}</translation>
    </message>
    <message>
        <source>Looking…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>No payment of the feed&apos;s is near the claim.</source>
        <translation>放款系统推送中没有与客户主张相近的还款。</translation>
    </message>
    <message>
        <source>{amount} on {time}, {channel}, reference {reference}</source>
        <translation>{amount}，{time}，{channel}，流水号 {reference}</translation>
    </message>
    <message>
        <source>{channel}, {category}, about {collector}</source>
        <translation>{channel}，{category}，涉及 {collector}</translation>
    </message>
    <message>
        <source>{deadline}, the regulator&apos;s</source>
        <translation>{deadline}（监管时限）</translation>
    </message>
    <message>
        <source>The complaint is logged.</source>
        <translation>投诉已登记。</translation>
    </message>
    <message>
        <source>Rejected: collection on {contract} resumes.</source>
        <translation>已驳回：{contract} 恢复催收。</translation>
    </message>
    <message>
        <source>Upheld: {contract} stays paused until the feed brings the correction.</source>
        <translation>异议成立：{contract} 保持暂停，直至放款系统推送更正。</translation>
    </message>
    <message>
        <source>Save a copy</source>
        <translation>另存副本</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Replied: the complaint on {contract} is closed.</source>
        <translation>已答复：{contract} 的投诉已办结。</translation>
    </message>
    <message>
        <source>Could not do that</source>
        <translation>无法完成该操作</translation>
    </message>
</context>
<context>
    <name>ChecklistTableModel</name>
    <message>
        <source>Emotion</source>
        <translation>情绪</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系数</translation>
    </message>
    <message>
        <source>Contacts that required a checklist</source>
        <translation>需要检查清单的联系</translation>
    </message>
    <message>
        <source>Incomplete</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>Contacts with a required item not ticked</source>
        <translation>有必填项未勾选的联系</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <source>{part} of {whole}</source>
        <translation>{whole} 中的 {part}</translation>
    </message>
    <message>
        <source>(no emotion recorded)</source>
        <translation>（未记录情绪）</translation>
    </message>
</context>
<context>
    <name>ComparisonModel</name>
    <message>
        <source>Champion</source>
        <translation>冠军策略</translation>
    </message>
    <message>
        <source>Challenger</source>
        <translation>挑战者策略</translation>
    </message>
    <message>
        <source>Holdout</source>
        <translation>保留组</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Cure rate (back to 0 days past due)</source>
        <translation>回正率（逾期天数回到 0）</translation>
    </message>
    <message>
        <source>Roll rate (to a worse bucket)</source>
        <translation>迁徙率（迁入更差账龄）</translation>
    </message>
    <message>
        <source>Collected per account (¥)</source>
        <translation>户均回收金额（¥）</translation>
    </message>
    <message>
        <source>Contacts per cure</source>
        <translation>每次回正所需联系次数</translation>
    </message>
    <message>
        <source>{value} %</source>
        <translation>{value}%</translation>
    </message>
    <message>
        <source>{value} (n = {count})</source>
        <translation>{value}（n = {count}）</translation>
    </message>
    <message>
        <source>{value} (95 % CI {low} to {high}; n = {count})</source>
        <translation>{value}（95% 置信区间 {low} 至 {high}；n = {count}）</translation>
    </message>
</context>
<context>
    <name>ComplaintDialog</name>
    <message>
        <source>Log a complaint</source>
        <translation>登记投诉</translation>
    </message>
    <message>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Collector concerned (user name)</source>
        <translation>涉及的催收员（用户名）</translation>
    </message>
    <message>
        <source>User name, or empty: nobody in particular</source>
        <translation>用户名；留空表示未指明具体人员</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>A referral&apos;s number, a letter&apos;s reference</source>
        <translation>转办单号或信函编号</translation>
    </message>
    <message>
        <source>What the borrower complains of</source>
        <translation>借款人投诉的内容</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Co&amp;ntract</source>
        <translation>合同(&amp;N)</translation>
    </message>
    <message>
        <source>C&amp;hannel</source>
        <translation>渠道(&amp;H)</translation>
    </message>
    <message>
        <source>Cate&amp;gory</source>
        <translation>类别(&amp;G)</translation>
    </message>
    <message>
        <source>Co&amp;llector</source>
        <translation>催收员(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Reference</source>
        <translation>编号(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;What it says</source>
        <translation>投诉内容(&amp;W)</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Phone or address</source>
        <translation>电话或地址</translation>
    </message>
    <message>
        <source>Call or contact</source>
        <translation>通话或联络记录</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Audit record</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>还款</translation>
    </message>
    <message>
        <source>Instalment</source>
        <translation>分期</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>回电</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Visit request</source>
        <translation>外访申请</translation>
    </message>
    <message>
        <source>Home visit</source>
        <translation>上门外访</translation>
    </message>
    <message>
        <source>Repayment plan</source>
        <translation>还款计划</translation>
    </message>
    <message>
        <source>Plan instalment</source>
        <translation>计划分期</translation>
    </message>
    <message>
        <source>Promise to pay</source>
        <translation>承诺还款</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <source>Colleague</source>
        <translation>同事</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Employer</source>
        <translation>工作单位</translation>
    </message>
    <message>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道地址</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Agreed call window (start)</source>
        <translation>约定通话时段（开始）</translation>
    </message>
    <message>
        <source>Agreed call window (end)</source>
        <translation>约定通话时段（结束）</translation>
    </message>
    <message>
        <source>Preferred channel</source>
        <translation>偏好渠道</translation>
    </message>
    <message>
        <source>Attorney&apos;s name</source>
        <translation>律师姓名</translation>
    </message>
    <message>
        <source>Attorney&apos;s firm</source>
        <translation>律师事务所</translation>
    </message>
    <message>
        <source>Attorney&apos;s phone</source>
        <translation>律师电话</translation>
    </message>
    <message>
        <source>Address moved away from</source>
        <translation>已搬离的地址</translation>
    </message>
    <message>
        <source>The borrower&apos;s words (do not call)</source>
        <translation>借款人原话（勿扰）</translation>
    </message>
    <message>
        <source>Added by</source>
        <translation>添加人</translation>
    </message>
    <message>
        <source>Number or address</source>
        <translation>号码或地址</translation>
    </message>
    <message>
        <source>Contact&apos;s name</source>
        <translation>联系人姓名</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>顺序</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>分配给</translation>
    </message>
    <message>
        <source>Due at</source>
        <translation>到期时间</translation>
    </message>
    <message>
        <source>Done at</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Decided at</source>
        <translation>决定时间</translation>
    </message>
    <message>
        <source>Acknowledged at</source>
        <translation>确认时间</translation>
    </message>
    <message>
        <source>Closed at</source>
        <translation>关闭时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Sync conflicts</source>
        <translation>同步冲突</translation>
    </message>
    <message>
        <source>These changes made here did not reach the server: someone changed the same record there first, or the server refused them. The server&apos;s version is the one shown everywhere. Re-apply makes your change again; Discard drops it.</source>
        <translation>以下在本机所做的修改未能写入服务器：有人先在服务器上修改了同一条记录，或服务器拒绝了这些修改。各处显示的都是服务器上的版本。“重新应用”会再次做出您的修改；“放弃”则丢弃它。</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>No conflicts: everything made here reached the server.</source>
        <translation>没有冲突：本机所做的修改都已写入服务器。</translation>
    </message>
    <message>
        <source>&amp;Re-apply</source>
        <translation>重新应用(&amp;R)</translation>
    </message>
    <message>
        <source>Re-apply the change</source>
        <translation>重新应用该修改</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>放弃(&amp;D)</translation>
    </message>
    <message>
        <source>Discard the change</source>
        <translation>放弃该修改</translation>
    </message>
    <message>
        <source>Your change is dropped; the server&apos;s version stays.</source>
        <translation>您的修改将被丢弃，保留服务器上的版本。</translation>
    </message>
    <message>
        <source>Could not resolve the conflict</source>
        <translation>无法处理该冲突</translation>
    </message>
    <message>
        <source>Could not load the conflicts</source>
        <translation>无法加载冲突列表</translation>
    </message>
</context>
<context>
    <name>ConflictsModel</name>
    <message>
        <source>What</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>修改的字段</translation>
    </message>
    <message>
        <source>Why the server did not take it</source>
        <translation>服务器未接受的原因</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Re-apply makes your change again on top of the server&apos;s version.</source>
        <translation>“重新应用”会在服务器版本的基础上再次做出您的修改。</translation>
    </message>
    <message>
        <source>The server will not take this change: discard it.</source>
        <translation>服务器不会接受此修改：请放弃它。</translation>
    </message>
</context>
<context>
    <name>ContactPointsBox</name>
    <message>
        <source>Contact points</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Add a number or address…</source>
        <translation>添加号码或地址…</translation>
    </message>
    <message>
        <source>Add a number or address learned on a contact</source>
        <translation>添加联系中获知的号码或地址</translation>
    </message>
    <message>
        <source>Contact point list</source>
        <translation>联系方式列表</translation>
    </message>
    <message>
        <source>No contact points on file</source>
        <translation>没有登记联系方式</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>号码</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地区</translation>
    </message>
    <message>
        <source>Local time</source>
        <translation>当地时间</translation>
    </message>
    <message>
        <source>Marks</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>{name} ({relation})</source>
        <translation>{name}（{relation}）</translation>
    </message>
    <message>
        <source>{kind} · {who}</source>
        <translation>{kind} · {who}</translation>
    </message>
    <message>
        <source>The borrower said: “{words}”</source>
        <translation>借款人原话：“{words}”</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>拨打</translation>
    </message>
    <message>
        <source>Call {kind} {number}</source>
        <translation>拨打{kind} {number}</translation>
    </message>
    <message>
        <source>Mark</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Mark {kind} {number}</source>
        <translation>标记{kind} {number}</translation>
    </message>
    <message>
        <source>Verified: confirmed to be theirs</source>
        <translation>已核实：确认属于本人</translation>
    </message>
    <message>
        <source>Wrong: not theirs</source>
        <translation>错误：不属于本人</translation>
    </message>
    <message>
        <source>Do not call (the borrower&apos;s words)…</source>
        <translation>勿扰（记录借款人原话）…</translation>
    </message>
    <message>
        <source>Lift the wrong mark</source>
        <translation>解除错号标记</translation>
    </message>
    <message>
        <source>Lift the do-not-call mark</source>
        <translation>解除勿扰标记</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Not checked against the contact rules</source>
        <translation>尚未按联系规则检查</translation>
    </message>
    <message>
        <source>Callable now</source>
        <translation>当前可拨打</translation>
    </message>
    <message>
        <source>Call this number now</source>
        <translation>现在拨打此号码</translation>
    </message>
    <message>
        <source>Call status</source>
        <translation>拨打状态</translation>
    </message>
    <message>
        <source>Blocked: {reason}</source>
        <translation>禁止联系：{reason}</translation>
    </message>
    <message>
        <source>{reason} · from {time}</source>
        <translation>{reason} · {time}起</translation>
    </message>
    <message>
        <source>Allowed from {time}</source>
        <translation>{time}起可联系</translation>
    </message>
</context>
<context>
    <name>ContactRowsModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收专员</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>外访结果</translation>
    </message>
    <message>
        <source>Emotion</source>
        <translation>情绪</translation>
    </message>
    <message>
        <source>Talk</source>
        <translation>通话时长</translation>
    </message>
    <message>
        <source>After call</source>
        <translation>话后处理</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>检查清单</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已上报</translation>
    </message>
    <message>
        <source>Promise</source>
        <translation>还款承诺</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>质检</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>incomplete</source>
        <translation>不完整</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>reviewed</source>
        <translation>已质检</translation>
    </message>
</context>
<context>
    <name>ContactTermsBox</name>
    <message>
        <source>Contact terms</source>
        <translation>联系约定</translation>
    </message>
    <message>
        <source>Preferences…</source>
        <translation>联系偏好…</translation>
    </message>
    <message>
        <source>Edit the contact preferences</source>
        <translation>编辑联系偏好</translation>
    </message>
    <message>
        <source>Attorney…</source>
        <translation>代理律师…</translation>
    </message>
    <message>
        <source>Record that an attorney represents them</source>
        <translation>记录借款人已委托律师</translation>
    </message>
    <message>
        <source>No longer represented</source>
        <translation>不再委托律师</translation>
    </message>
    <message>
        <source>Record that the attorney no longer represents them</source>
        <translation>记录律师不再代理借款人</translation>
    </message>
    <message>
        <source>Agreed window</source>
        <translation>约定时段</translation>
    </message>
    <message>
        <source>Preferred channel</source>
        <translation>偏好渠道</translation>
    </message>
    <message>
        <source>Attorney</source>
        <translation>代理律师</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>{start}–{end} borrower&apos;s local time</source>
        <translation>借款人当地时间 {start}–{end}</translation>
    </message>
    <message>
        <source>represented</source>
        <translation>已委托</translation>
    </message>
</context>
<context>
    <name>DashboardPanel</name>
    <message>
        <source>Team dashboard</source>
        <translation>团队看板</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近7天</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近30天</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义日期</translation>
    </message>
    <message>
        <source>First day</source>
        <translation>起始日</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>截止日</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>Export the numbers shown</source>
        <translation>导出当前显示的数据</translation>
    </message>
    <message>
        <source>Counting</source>
        <translation>正在统计</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>团队(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Period</source>
        <translation>期间(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>从(&amp;F)</translation>
    </message>
    <message>
        <source>T&amp;o</source>
        <translation>至(&amp;O)</translation>
    </message>
    <message>
        <source>Unacknowledged escalations</source>
        <translation>未确认的上报</translation>
    </message>
    <message>
        <source>Open the escalations &amp;inbox…</source>
        <translation>打开上报收件箱(&amp;I)…</translation>
    </message>
    <message>
        <source>Numbers per collector</source>
        <translation>各催收专员数据</translation>
    </message>
    <message>
        <source>Cure and roll by bucket</source>
        <translation>各账龄回正与迁徙</translation>
    </message>
    <message>
        <source>Checklist completion by emotion</source>
        <translation>按情绪统计的检查清单完成率</translation>
    </message>
    <message>
        <source>Compliance blocks by rule</source>
        <translation>按规则统计的合规拦截</translation>
    </message>
    <message>
        <source>Escalations by kind</source>
        <translation>按类型统计的上报</translation>
    </message>
    <message>
        <source>Cure and roll</source>
        <translation>回正与迁徙</translation>
    </message>
    <message>
        <source>Checklists by emotion</source>
        <translation>按情绪的检查清单</translation>
    </message>
    <message>
        <source>Blocks by rule</source>
        <translation>按规则的拦截</translation>
    </message>
    <message>
        <source>Complaints per collector and per category</source>
        <translation>按催收员和类别统计的投诉</translation>
    </message>
    <message>
        <source>Complaints</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>Daily trend</source>
        <translation>每日趋势</translation>
    </message>
    <message>
        <source>Bucket roll</source>
        <translation>账龄迁徙</translation>
    </message>
    <message>
        <source>Reminders sent</source>
        <translation>已发送的提醒</translation>
    </message>
    <message>
        <source>Reminders by da&amp;y…</source>
        <translation>按日查看提醒(&amp;Y)…</translation>
    </message>
    <message>
        <source>The Reminders tab, on the last day shown</source>
        <translation>打开“提醒”页，显示所选期间的最后一天</translation>
    </message>
    <message>
        <source>Double-click a number (or press Enter on it) to list the contacts behind it; right-click for related lists.</source>
        <translation>双击某个数字（或选中后按回车）可列出其背后的联系记录；右键可查看相关列表。</translation>
    </message>
    <message>
        <source>Not available</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Refresh the dashboard</source>
        <translation>刷新团队看板</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>起始日晚于截止日。</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>{team}, {span}: counted at {time}.</source>
        <translation>{team}，{span}：统计于 {time}。</translation>
    </message>
    <message>
        <source>Reminders the lender sent: {sent}, delivered {rate}, failed {failed}, opted out {opted_out}.</source>
        <translation>本机构发出的提醒：{sent} 条，送达率 {rate}，失败 {failed} 条，退订 {opted_out} 条。</translation>
    </message>
    <message>
        <source>The numbers could not be counted.</source>
        <translation>无法统计数据。</translation>
    </message>
    <message>
        <source>Could not load the dashboard</source>
        <translation>无法加载团队看板</translation>
    </message>
    <message>
        <source>The team&apos;s breakdowns; select a collector above to see theirs.</source>
        <translation>团队的分项数据；在上方选择一名催收专员可查看其个人数据。</translation>
    </message>
    <message>
        <source>The breakdowns of {collector}; select the team total for the team&apos;s.</source>
        <translation>{collector} 的分项数据；选择“团队合计”可查看团队数据。</translation>
    </message>
    <message>
        <source>team {team}</source>
        <translation>团队 {team}</translation>
    </message>
    <message>
        <source>{kind} · contract {contract} · raised {when} by {who}</source>
        <translation>{kind} · 合同号 {contract} · {who} 于 {when} 上报</translation>
    </message>
    <message>
        <source>URGENT — {text}</source>
        <translation>紧急 — {text}</translation>
    </message>
    <message>
        <source>No escalation is waiting for a decision.</source>
        <translation>没有等待处理的上报。</translation>
    </message>
    <message>
        <source>{count} waiting for a decision ({urgent} urgent), oldest first.</source>
        <translation>{count} 条等待处理（其中 {urgent} 条紧急），最早的在前。</translation>
    </message>
    <message>
        <source>List: {figure}</source>
        <translation>列出：{figure}</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>联系尝试</translation>
    </message>
    <message>
        <source>Contacts (someone answered)</source>
        <translation>接通（有人接听）</translation>
    </message>
    <message>
        <source>Right-party contacts</source>
        <translation>本人接通</translation>
    </message>
    <message>
        <source>Promises to pay made</source>
        <translation>达成的承诺还款</translation>
    </message>
    <message>
        <source>Promises due</source>
        <translation>到期的承诺还款</translation>
    </message>
    <message>
        <source>Promises kept</source>
        <translation>已履约的承诺还款</translation>
    </message>
    <message>
        <source>Payments collected</source>
        <translation>收到的还款</translation>
    </message>
    <message>
        <source>Timed contacts (handle time)</source>
        <translation>计时的联系（处理时长）</translation>
    </message>
    <message>
        <source>Contacts that required a checklist</source>
        <translation>需要检查清单的联系</translation>
    </message>
    <message>
        <source>Contacts with an incomplete checklist</source>
        <translation>检查清单未完成的联系</translation>
    </message>
    <message>
        <source>Contacts that raised an escalation</source>
        <translation>引发上报的联系</translation>
    </message>
    <message>
        <source>Contacts on accounts with a compliance block</source>
        <translation>发生合规拦截的账户上的联系</translation>
    </message>
    <message>
        <source>Contacts on accounts in {bucket} at the start</source>
        <translation>期初处于 {bucket} 的账户上的联系</translation>
    </message>
    <message>
        <source>Contacts on accounts cured from {bucket}</source>
        <translation>从 {bucket} 回正的账户上的联系</translation>
    </message>
    <message>
        <source>Contacts on accounts rolled from {bucket}</source>
        <translation>从 {bucket} 迁徙的账户上的联系</translation>
    </message>
    <message>
        <source>Right-party contacts on {day}</source>
        <translation>{day} 的本人接通</translation>
    </message>
    <message>
        <source>Promises to pay made on {day}</source>
        <translation>{day} 达成的承诺还款</translation>
    </message>
    <message>
        <source>Payments collected on {day}</source>
        <translation>{day} 收到的还款</translation>
    </message>
    <message>
        <source>no emotion recorded</source>
        <translation>未记录情绪</translation>
    </message>
    <message>
        <source>Export the team&apos;s numbers</source>
        <translation>导出团队数据</translation>
    </message>
    <message>
        <source>Numbers exported</source>
        <translation>数据已导出</translation>
    </message>
    <message>
        <source>The team&apos;s numbers are in {path}.</source>
        <translation>团队数据已保存到 {path}。</translation>
    </message>
    <message>
        <source>Could not export</source>
        <translation>无法导出</translation>
    </message>
</context>
<context>
    <name>DayModel</name>
    <message>
        <source>Stop</source>
        <translation>站序</translation>
    </message>
    <message>
        <source>Arrival</source>
        <translation>到达时间</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>外访结果</translation>
    </message>
    <message>
        <source>Expected arrival</source>
        <translation>预计到达时间</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>已计划</translation>
    </message>
</context>
<context>
    <name>DecisionsModel</name>
    <message>
        <source>Decided</source>
        <translation>审批时间</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Team lead</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Plan now</source>
        <translation>方案当前状态</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>{decision} (new)</source>
        <translation>{decision}（新）</translation>
    </message>
</context>
<context>
    <name>DialNotice</name>
    <message>
        <source>Nothing on this computer handles “{url}”: dial {number} by hand, the call timer is running.</source>
        <translation>本机没有程序能处理“{url}”：请手动拨打 {number}，通话计时已开始。</translation>
    </message>
    <message>
        <source>Set the dial template…</source>
        <translation>设置拨号模板…</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>Something went wrong ({kind}). The details are in the log.</source>
        <translation>出现错误（{kind}），详情见日志。</translation>
    </message>
</context>
<context>
    <name>DrillDialog</name>
    <message>
        <source>{figure} — {whose}, {span}</source>
        <translation>{figure} — {whose}，{span}</translation>
    </message>
    <message>
        <source>Loading the contacts…</source>
        <translation>正在加载联系记录…</translation>
    </message>
    <message>
        <source>Number of contacts</source>
        <translation>联系记录数</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系记录</translation>
    </message>
    <message>
        <source>Open in call &amp;review</source>
        <translation>在通话质检中打开(&amp;R)</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>回车</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>{count} contacts</source>
        <translation>{count} 条联系记录</translation>
    </message>
    <message>
        <source>No contacts behind this figure.</source>
        <translation>此数字背后没有联系记录。</translation>
    </message>
    <message>
        <source>The contacts could not be loaded.</source>
        <translation>无法加载联系记录。</translation>
    </message>
    <message>
        <source>Could not list the contacts</source>
        <translation>无法列出联系记录</translation>
    </message>
    <message>
        <source>Export the contacts</source>
        <translation>导出联系记录</translation>
    </message>
    <message>
        <source>Contacts exported</source>
        <translation>联系记录已导出</translation>
    </message>
    <message>
        <source>The list is in {path}.</source>
        <translation>列表已保存到 {path}。</translation>
    </message>
    <message>
        <source>Could not export</source>
        <translation>无法导出</translation>
    </message>
</context>
<context>
    <name>DueTodayDock</name>
    <message>
        <source>My day: due today</source>
        <translation>我的一天：今日待办</translation>
    </message>
</context>
<context>
    <name>DueTodayPanel</name>
    <message>
        <source>Due today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <source>&amp;Dismiss</source>
        <translation>关闭(&amp;D)</translation>
    </message>
    <message>
        <source>Dismiss the day&apos;s summary</source>
        <translation>关闭今日待办</translation>
    </message>
    <message>
        <source>Close this panel; “Due today” in the menu shows it again</source>
        <translation>关闭此面板；菜单中的“今日待办”可再次打开</translation>
    </message>
    <message>
        <source>Callbacks due today</source>
        <translation>今日到期的回电</translation>
    </message>
    <message>
        <source>Promises due today</source>
        <translation>今日到期的承诺还款</translation>
    </message>
    <message>
        <source>Due today, {day}</source>
        <translation>今日待办，{day}</translation>
    </message>
    <message>
        <source>Nothing due today ({day}): no callbacks, no promises</source>
        <translation>今日（{day}）无待办：没有回电，也没有到期的承诺还款</translation>
    </message>
    <message>
        <source>Callbacks: {count}</source>
        <translation>回电：{count} 个</translation>
    </message>
    <message>
        <source>Promises to pay: {count}</source>
        <translation>承诺还款：{count} 笔</translation>
    </message>
</context>
<context>
    <name>EscalationTableModel</name>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>上报数</translation>
    </message>
    <message>
        <source>Not acknowledged</source>
        <translation>未确认</translation>
    </message>
    <message>
        <source>Raised in the period and still waiting for a decision</source>
        <translation>期间内上报且仍在等待处理的</translation>
    </message>
</context>
<context>
    <name>EscalationsInbox</name>
    <message>
        <source>Escalations</source>
        <translation>上报事项</translation>
    </message>
    <message>
        <source>Show &amp;decided in the last {days} days</source>
        <translation>显示最近 {days} 天已决定的(&amp;D)</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>No escalation is waiting for you.</source>
        <translation>没有等待您处理的上报事项。</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>上报事项</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Raised by</source>
        <translation>上报人</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <source>Contact outcome</source>
        <translation>联系结果</translation>
    </message>
    <message>
        <source>Collector&apos;s notes</source>
        <translation>催收专员备注</translation>
    </message>
    <message>
        <source>Borrower&apos;s flags now</source>
        <translation>借款人当前标记</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>决定</translation>
    </message>
    <message>
        <source>Note on the decision</source>
        <translation>决定备注</translation>
    </message>
    <message>
        <source>Resume: why collection can resume. Refer: to whom, and the case number.</source>
        <translation>恢复催收：说明为何可以恢复。转介：说明转交给谁及案件编号。</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>Ac&amp;knowledge</source>
        <translation>确认(&amp;K)</translation>
    </message>
    <message>
        <source>Acknowledge the escalation</source>
        <translation>确认该上报事项</translation>
    </message>
    <message>
        <source>Keep &amp;paused</source>
        <translation>保持暂停(&amp;P)</translation>
    </message>
    <message>
        <source>Decide: keep collection paused</source>
        <translation>决定：保持催收暂停</translation>
    </message>
    <message>
        <source>&amp;Resume collection</source>
        <translation>恢复催收(&amp;R)</translation>
    </message>
    <message>
        <source>Decide: resume collection</source>
        <translation>决定：恢复催收</translation>
    </message>
    <message>
        <source>R&amp;efer</source>
        <translation>转介(&amp;E)</translation>
    </message>
    <message>
        <source>Decide: refer the case on</source>
        <translation>决定：转介该案件</translation>
    </message>
    <message>
        <source>Selected escalation</source>
        <translation>所选上报事项</translation>
    </message>
    <message>
        <source>Could not load the escalations</source>
        <translation>无法加载上报事项</translation>
    </message>
    <message>
        <source>{open} open, {unacknowledged} not acknowledged; oldest first.</source>
        <translation>待处理 {open} 件，未确认 {unacknowledged} 件；最早的在前。</translation>
    </message>
    <message>
        <source>No contact recorded</source>
        <translation>无联系记录</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>None: collection is not paused</source>
        <translation>无：催收未暂停</translation>
    </message>
    <message>
        <source>{lead}, {when}</source>
        <translation>{lead}，{when}</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation>尚未</translation>
    </message>
    <message>
        <source>{decision}, {when}</source>
        <translation>{decision}，{when}</translation>
    </message>
    <message>
        <source>“{kind}” cannot be resumed here: keep it paused or refer it until it is verified.</source>
        <translation>“{kind}”不能在此恢复催收：核实之前请保持暂停或转介处理。</translation>
    </message>
    <message>
        <source>Acknowledged: {kind} on {contract}. Decide when you can.</source>
        <translation>已确认：{contract} 的{kind}。请尽快作出决定。</translation>
    </message>
    <message>
        <source>Resume collection</source>
        <translation>恢复催收</translation>
    </message>
    <message>
        <source>Collection on {borrower} resumes: the account returns to the queue.</source>
        <translation>将恢复对{borrower}的催收：该账户会回到队列中。</translation>
    </message>
    <message>
        <source>Kept paused: {contract}.</source>
        <translation>已保持暂停：{contract}。</translation>
    </message>
    <message>
        <source>Collection resumes on {contract}.</source>
        <translation>{contract} 已恢复催收。</translation>
    </message>
    <message>
        <source>Referred: {contract}.</source>
        <translation>已转介：{contract}。</translation>
    </message>
    <message>
        <source>Could not do that</source>
        <translation>无法完成该操作</translation>
    </message>
</context>
<context>
    <name>EscalationsModel</name>
    <message>
        <source>Raised</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>上报事项</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收专员</translation>
    </message>
    <message>
        <source>Urgent: {kind}</source>
        <translation>紧急：{kind}</translation>
    </message>
    <message>
        <source>Decided: {decision}</source>
        <translation>已决定：{decision}</translation>
    </message>
    <message>
        <source>Acknowledged, {status}</source>
        <translation>已确认，{status}</translation>
    </message>
    <message>
        <source>Not acknowledged</source>
        <translation>未确认</translation>
    </message>
</context>
<context>
    <name>ExperimentsPanel</name>
    <message>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <source>The experiment&apos;s definition</source>
        <translation>实验的定义</translation>
    </message>
    <message>
        <source>The arms compared</source>
        <translation>各组对比</translation>
    </message>
    <message>
        <source>What the comparison shows</source>
        <translation>对比结论</translation>
    </message>
    <message>
        <source>Intervals: Wilson for the rates, the normal approximation for the amount per account, a bootstrap over the accounts for contacts per cure. The challenger is compared with the champion by Fisher&apos;s exact test (rates), Welch&apos;s t test (amount) and the bootstrap (contacts per cure). The holdout is ranked and reminded like the champion.</source>
        <translation>区间：比率用 Wilson 区间，户均金额用正态近似，每次回正所需联系次数用按账户的自助法（bootstrap）。挑战者与冠军的比较：比率用 Fisher 精确检验，金额用 Welch t 检验，联系次数用自助法。保留组的排序和提醒与冠军组相同。</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>&amp;Stop the experiment</source>
        <translation>停止实验(&amp;S)</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>E&amp;xperiment</source>
        <translation>实验(&amp;X)</translation>
    </message>
    <message>
        <source>Stop the experiment</source>
        <translation>停止实验</translation>
    </message>
    <message>
        <source>Stop “{name}” now? Every account of the team is ranked by the champion&apos;s weights again; the arms recorded stay for the comparison.</source>
        <translation>现在停止“{name}”吗？本组所有账户将重新按冠军策略的权重排序；已记录的分组保留，供对比使用。</translation>
    </message>
    <message>
        <source>running</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>{name} ({status})</source>
        <translation>{name}（{status}）</translation>
    </message>
    <message>
        <source>The team has no experiment yet. A lead defines one with `experiment create` (the challenger&apos;s weights file, the shares).</source>
        <translation>本组还没有实验。组长可用 `experiment create` 定义实验（挑战者的权重文件与各组比例）。</translation>
    </message>
    <message>
        <source>Team {team}, from {day}; shares champion / challenger / holdout {shares}. Accounts: champion {champion}, challenger {challenger}, holdout {holdout}.</source>
        <translation>小组 {team}，自 {day} 起；冠军 / 挑战者 / 保留组比例 {shares}。账户数：冠军 {champion}，挑战者 {challenger}，保留组 {holdout}。</translation>
    </message>
    <message>
        <source>The challenger&apos;s {measure} differs significantly from the champion&apos;s.</source>
        <translation>挑战者的{measure}与冠军相比差异显著。</translation>
    </message>
</context>
<context>
    <name>ExportButton</name>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>CSV (spreadsheet text)…</source>
        <translation>CSV（表格文本）…</translation>
    </message>
    <message>
        <source>Excel workbook (XLSX)…</source>
        <translation>Excel 工作簿（XLSX）…</translation>
    </message>
    <message>
        <source>JSON (for other programs)…</source>
        <translation>JSON（供其他程序使用）…</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
</context>
<context>
    <name>FeedbackDialog</name>
    <message>
        <source>&amp;Feedback</source>
        <translation>质检反馈(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Feedback ({count})</source>
        <translation>质检反馈 ({count})(&amp;F)</translation>
    </message>
    <message>
        <source>Feedback on my calls</source>
        <translation>我的通话质检反馈</translation>
    </message>
    <message>
        <source>Only &amp;new feedback</source>
        <translation>仅显示新反馈(&amp;N)</translation>
    </message>
    <message>
        <source>Reviews of my contacts</source>
        <translation>我的联系记录的质检结果</translation>
    </message>
    <message>
        <source>Reviews shown</source>
        <translation>显示的质检记录数</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>{count} reviews, {new} new</source>
        <translation>共 {count} 条质检，{new} 条新反馈</translation>
    </message>
    <message>
        <source>No reviews of your contacts yet.</source>
        <translation>您的联系记录尚无质检结果。</translation>
    </message>
    <message>
        <source>Feedback</source>
        <translation>质检反馈</translation>
    </message>
</context>
<context>
    <name>FeedbackModel</name>
    <message>
        <source>Reviewed</source>
        <translation>质检时间</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>通话时间</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>联系结果</translation>
    </message>
    <message>
        <source>Reviewer</source>
        <translation>质检人</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>评语</translation>
    </message>
    <message>
        <source>New: not opened yet</source>
        <translation>新反馈：尚未查看</translation>
    </message>
</context>
<context>
    <name>FeedsModel</name>
    <message>
        <source>refused</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>applied</source>
        <translation>已应用</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>接收时间</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>业务日</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>New accounts</source>
        <translation>新增账户</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结清</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>还款笔数</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>还款金额</translation>
    </message>
    <message>
        <source>Rows refused</source>
        <translation>拒绝行数</translation>
    </message>
</context>
<context>
    <name>FeedsPanel</name>
    <message>
        <source>File {sequence} (batch {batch}), business day {day}, {rows} rows, read as {encoding}</source>
        <translation>第{sequence}号文件（批次{batch}），业务日{day}，共{rows}行，按{encoding}读取</translation>
    </message>
    <message>
        <source>Accounts: {new} new, {closed} closed ({settled} settled and {written_off} written off by the lender, {paid_off} paid off), {reopened} owing again after a reversal</source>
        <translation>账户：新增{new}个，结清{closed}个（放款方结清{settled}个、核销{written_off}个，还清{paid_off}个），冲正后重新欠款{reopened}个</translation>
    </message>
    <message>
        <source>Payments: {payments} for {amount} ({known} already known); reversals: {reversals} for {reversed} ({reversals_known} already known)</source>
        <translation>还款：{payments}笔，共{amount}（{known}笔已有记录）；冲正：{reversals}笔，共{reversed}（{reversals_known}笔已有记录）</translation>
    </message>
    <message>
        <source>Changes: {borrowers_new} new borrowers, {borrowers_changed} borrowers changed ({moved} to another country), {points} new contact points ({points_known} already known), {schedules} schedules ({instalments} instalments)</source>
        <translation>变更：新增借款人{borrowers_new}个，借款人信息变更{borrowers_changed}个（迁往其他国家{moved}个），新增联系方式{points}个（{points_known}个已有），还款计划{schedules}个（{instalments}期）</translation>
    </message>
    <message>
        <source>Promises: {kept} kept, {changed} changed; plans changed: {plans}; reported payments matched: {matched}</source>
        <translation>承诺还款：兑现{kept}个，变更{changed}个；还款计划变更：{plans}个；已匹配的自报还款：{matched}笔</translation>
    </message>
    <message>
        <source>Rows refused: {rows}</source>
        <translation>拒绝行数：{rows}</translation>
    </message>
    <message>
        <source>Refused: nothing of this file was applied. Its problems:</source>
        <translation>已拒绝：此文件未应用任何内容。问题如下：</translation>
    </message>
    <message>
        <source>Refused: nothing of batch {batch} was applied. Its problems:</source>
        <translation>已拒绝：批次{batch}未应用任何内容。问题如下：</translation>
    </message>
    <message>
        <source>row {row}, {column}</source>
        <translation>第{row}行，{column}</translation>
    </message>
    <message>
        <source>row {row}</source>
        <translation>第{row}行</translation>
    </message>
    <message>
        <source>The lending system&apos;s feed</source>
        <translation>放款系统推送</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>Feed files</source>
        <translation>推送文件</translation>
    </message>
    <message>
        <source>No feed file has come yet.</source>
        <translation>尚未收到推送文件。</translation>
    </message>
    <message>
        <source>The selected file</source>
        <translation>所选文件</translation>
    </message>
    <message>
        <source>Selected file</source>
        <translation>所选文件</translation>
    </message>
    <message>
        <source>Feed files: {count}, newest first; refused: {refused}.</source>
        <translation>推送文件：{count}个，最新在前；已拒绝：{refused}个。</translation>
    </message>
    <message>
        <source>Could not load the feed files</source>
        <translation>无法加载推送文件</translation>
    </message>
</context>
<context>
    <name>KpiTableModel</name>
    <message>
        <source>{part} of {whole}</source>
        <translation>{whole} 中的 {part}</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收专员</translation>
    </message>
    <message>
        <source>Team total</source>
        <translation>团队合计</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>联系尝试</translation>
    </message>
    <message>
        <source>Contact attempts made</source>
        <translation>进行的联系尝试次数</translation>
    </message>
    <message>
        <source>Contact rate</source>
        <translation>接通率</translation>
    </message>
    <message>
        <source>Contacts ÷ attempts</source>
        <translation>接通数 ÷ 联系尝试数</translation>
    </message>
    <message>
        <source>RPC rate</source>
        <translation>本人接通率</translation>
    </message>
    <message>
        <source>Right-party contacts ÷ attempts</source>
        <translation>本人接通数 ÷ 联系尝试数</translation>
    </message>
    <message>
        <source>PTP rate</source>
        <translation>承诺还款率</translation>
    </message>
    <message>
        <source>Promises to pay ÷ right-party contacts</source>
        <translation>承诺还款数 ÷ 本人接通数</translation>
    </message>
    <message>
        <source>PTP kept rate</source>
        <translation>承诺履约率</translation>
    </message>
    <message>
        <source>Promises due in the period paid in full by their date and grace ÷ promises due</source>
        <translation>期间内到期且在到期日加宽限期内足额还款的承诺 ÷ 到期承诺数</translation>
    </message>
    <message>
        <source>Promised</source>
        <translation>承诺金额</translation>
    </message>
    <message>
        <source>Sum of the promises to pay made</source>
        <translation>达成的承诺还款金额合计</translation>
    </message>
    <message>
        <source>Collected</source>
        <translation>回收金额</translation>
    </message>
    <message>
        <source>Payments received on worked accounts</source>
        <translation>已跟进账户上收到的还款</translation>
    </message>
    <message>
        <source>Avg handle time</source>
        <translation>平均处理时长</translation>
    </message>
    <message>
        <source>{count} contacts timed</source>
        <translation>{count} 次计时的联系</translation>
    </message>
    <message>
        <source>Talk time and after-call work per contact</source>
        <translation>每次联系的通话时长与话后处理时长</translation>
    </message>
    <message>
        <source>Checklist completion</source>
        <translation>检查清单完成率</translation>
    </message>
    <message>
        <source>Contacts with every required item ticked ÷ contacts that required a checklist</source>
        <translation>必填项全部勾选的联系数 ÷ 需要检查清单的联系数</translation>
    </message>
    <message>
        <source>Escalations</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Escalations raised by the collector&apos;s contacts</source>
        <translation>该催收专员的联系引发的上报</translation>
    </message>
    <message>
        <source>Compliance blocks</source>
        <translation>合规拦截</translation>
    </message>
    <message>
        <source>Dial attempts the contact rules stopped</source>
        <translation>被联系规则拦截的拨打次数</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>住宅电话</translation>
    </message>
    <message>
        <source>Work</source>
        <translation>单位电话</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>电子邮箱</translation>
    </message>
    <message>
        <source>Emergency contact</source>
        <translation>紧急联系人</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待履约</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>已履约</translation>
    </message>
    <message>
        <source>partly kept</source>
        <translation>部分履约</translation>
    </message>
    <message>
        <source>broken</source>
        <translation>已违约</translation>
    </message>
    <message>
        <source>Pay in full</source>
        <translation>全额还款</translation>
    </message>
    <message>
        <source>Instalments</source>
        <translation>分期还款</translation>
    </message>
    <message>
        <source>Settlement</source>
        <translation>减免结清</translation>
    </message>
    <message>
        <source>Weekly</source>
        <translation>每周</translation>
    </message>
    <message>
        <source>Every two weeks</source>
        <translation>每两周</translation>
    </message>
    <message>
        <source>Monthly</source>
        <translation>每月</translation>
    </message>
    <message>
        <source>bank transfer</source>
        <translation>银行转账</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>received</source>
        <translation>已入账</translation>
    </message>
    <message>
        <source>reversed by the lender</source>
        <translation>已被放款方冲正</translation>
    </message>
    <message>
        <source>reported by the borrower</source>
        <translation>借款人自报</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>上门</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收员</translation>
    </message>
    <message>
        <source>Field agent</source>
        <translation>外访专员</translation>
    </message>
    <message>
        <source>Team lead</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Settled</source>
        <translation>已结清</translation>
    </message>
    <message>
        <source>Written off</source>
        <translation>已核销</translation>
    </message>
    <message>
        <source>{caption}: {value}</source>
        <translation>{caption}：{value}</translation>
    </message>
</context>
<context>
    <name>LegalPanel</name>
    <message>
        <source>Referred</source>
        <translation>已转法务</translation>
    </message>
    <message>
        <source>Lawyer instructed</source>
        <translation>已委托律师</translation>
    </message>
    <message>
        <source>Filed</source>
        <translation>已立案</translation>
    </message>
    <message>
        <source>Hearings</source>
        <translation>开庭审理中</translation>
    </message>
    <message>
        <source>Judgment</source>
        <translation>已判决</translation>
    </message>
    <message>
        <source>Enforcement</source>
        <translation>强制执行</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>Firm and lawyer</source>
        <translation>律所与律师</translation>
    </message>
    <message>
        <source>Filing</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>Hearing</source>
        <translation>开庭</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Recovery</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>{account} · {borrower} — referred on {day} by {lead}: {reason}</source>
        <translation>{account} · {borrower} —— {day} 由 {lead} 转法务：{reason}</translation>
    </message>
    <message>
        <source>Withdrawn: {reason}</source>
        <translation>已撤回：{reason}</translation>
    </message>
    <message>
        <source>Costs {costs}; recovered {recovered}</source>
        <translation>费用 {costs}；回款 {recovered}</translation>
    </message>
    <message>
        <source>Legal</source>
        <translation>法务</translation>
    </message>
    <message>
        <source>&amp;Open cases only</source>
        <translation>仅显示未结案件(&amp;O)</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>Accounts referred to legal</source>
        <translation>已转法务的账户</translation>
    </message>
    <message>
        <source>No account of the team is referred to legal.</source>
        <translation>本组没有已转法务的账户。</translation>
    </message>
    <message>
        <source>The selected case</source>
        <translation>所选案件</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Firm</source>
        <translation>律所</translation>
    </message>
    <message>
        <source>Lawyer</source>
        <translation>律师</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>案号</translation>
    </message>
    <message>
        <source>Court</source>
        <translation>法院</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>&amp;Record step</source>
        <translation>记录步骤(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Withdraw referral…</source>
        <translation>撤回转法务(&amp;W)…</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>S&amp;tep</source>
        <translation>步骤(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Day</source>
        <translation>日期(&amp;D)</translation>
    </message>
    <message>
        <source>F&amp;irm</source>
        <translation>律所(&amp;I)</translation>
    </message>
    <message>
        <source>Law&amp;yer</source>
        <translation>律师(&amp;Y)</translation>
    </message>
    <message>
        <source>Case &amp;number</source>
        <translation>案号(&amp;N)</translation>
    </message>
    <message>
        <source>Co&amp;urt</source>
        <translation>法院(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>金额(&amp;A)</translation>
    </message>
    <message>
        <source>Not&amp;e</source>
        <translation>备注(&amp;E)</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步骤</translation>
    </message>
    <message>
        <source>Referred accounts: {count}; open cases: {open}.</source>
        <translation>已转法务账户：{count}；未结案件：{open}。</translation>
    </message>
    <message>
        <source>Could not load the referrals to legal</source>
        <translation>无法加载转法务记录</translation>
    </message>
    <message>
        <source>Withdraw the referral</source>
        <translation>撤回转法务</translation>
    </message>
    <message>
        <source>Why is the referral of {account} withdrawn?</source>
        <translation>为什么撤回 {account} 的转法务？</translation>
    </message>
    <message>
        <source>Recorded on {account}: {step}.</source>
        <translation>已在 {account} 上记录：{step}。</translation>
    </message>
    <message>
        <source>The referral of {account} is withdrawn: it is back in collection.</source>
        <translation>{account} 的转法务已撤回：账户回到催收。</translation>
    </message>
    <message>
        <source>Could not complete that</source>
        <translation>无法完成该操作</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Shift so far</source>
        <translation>本班次统计</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>S&amp;ync now</source>
        <translation>立即同步(&amp;Y)</translation>
    </message>
    <message>
        <source>Sync &amp;conflicts…</source>
        <translation>同步冲突(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Refresh queue</source>
        <translation>刷新队列(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Find account…</source>
        <translation>查找账户(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Next callable account</source>
        <translation>下一个可拨打账户(&amp;N)</translation>
    </message>
    <message>
        <source>Go to the &amp;queue</source>
        <translation>转到队列(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>账户(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Call first allowed number</source>
        <translation>拨打首个可拨号码(&amp;C)</translation>
    </message>
    <message>
        <source>Go to the &amp;workspace</source>
        <translation>转到账户工作区(&amp;W)</translation>
    </message>
    <message>
        <source>Add a &amp;note</source>
        <translation>添加备注(&amp;N)</translation>
    </message>
    <message>
        <source>Offer a repayment &amp;plan…</source>
        <translation>提供还款方案(&amp;P)…</translation>
    </message>
    <message>
        <source>Log a co&amp;mplaint…</source>
        <translation>登记投诉(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Call</source>
        <translation>通话(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Visits</source>
        <translation>外访(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Plan visits…</source>
        <translation>安排外访(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Reviews of my calls…</source>
        <translation>我的通话质检(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Decisions on my plans…</source>
        <translation>我的还款计划审批结果(&amp;D)…</translation>
    </message>
    <message>
        <source>Due &amp;today</source>
        <translation>今日待办(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;My day summary…</source>
        <translation>我的一天小结(&amp;M)…</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>团队(&amp;T)</translation>
    </message>
    <message>
        <source>Team &amp;dashboard…</source>
        <translation>团队看板(&amp;D)…</translation>
    </message>
    <message>
        <source>Call &amp;review…</source>
        <translation>通话质检(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Escalations inbox…</source>
        <translation>上报事项(&amp;E)…</translation>
    </message>
    <message>
        <source>Plan &amp;approvals…</source>
        <translation>还款计划审批(&amp;A)…</translation>
    </message>
    <message>
        <source>Team a&amp;ccounts…</source>
        <translation>团队账户(&amp;C)…</translation>
    </message>
    <message>
        <source>Team p&amp;ool…</source>
        <translation>团队待分配池(&amp;O)…</translation>
    </message>
    <message>
        <source>Team me&amp;mbers…</source>
        <translation>团队成员(&amp;M)…</translation>
    </message>
    <message>
        <source>The lending system&apos;s &amp;feed…</source>
        <translation>放款系统推送(&amp;F)…</translation>
    </message>
    <message>
        <source>Reminder&amp;s…</source>
        <translation>提醒(&amp;S)…</translation>
    </message>
    <message>
        <source>D&amp;isputes and complaints…</source>
        <translation>异议与投诉(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Legal referrals…</source>
        <translation>法务转介(&amp;L)…</translation>
    </message>
    <message>
        <source>E&amp;xperiments…</source>
        <translation>实验(&amp;X)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <source>A call is under way</source>
        <translation>通话进行中</translation>
    </message>
    <message>
        <source>The call on {account} has no outcome saved yet. Leave it without saving?</source>
        <translation>{account} 的通话结果尚未保存。确定不保存就离开吗？</translation>
    </message>
    <message>
        <source>{user} ({role})</source>
        <translation>{user}（{role}）</translation>
    </message>
    <message>
        <source>No longer allowed</source>
        <translation>现在已不允许联系</translation>
    </message>
    <message>
        <source>No number can be called</source>
        <translation>没有可拨打的号码</translation>
    </message>
    <message>
        <source>Escalated to your team lead</source>
        <translation>已上报组长</translation>
    </message>
    <message>
        <source>Your team lead has been alerted and collection on this account is paused until they review it.</source>
        <translation>已通知您的组长；在组长复核之前，该账户暂停催收。</translation>
    </message>
    <message>
        <source>Today — attempts: {attempts} · right-party contacts: {rpc} · promises: {promises} ({promised})</source>
        <translation>今日 — 拨打：{attempts} 次 · 本人接通：{rpc} 次 · 承诺还款：{promises} 笔（{promised}）</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>处理中…</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>About Collector Workstation</source>
        <translation>关于催收工作台</translation>
    </message>
    <message>
        <source>Collector Workstation {version}</source>
        <translation>催收工作台 {version}</translation>
    </message>
    <message>
        <source>No account open</source>
        <translation>未打开账户</translation>
    </message>
    <message>
        <source>Could not complete that</source>
        <translation>操作未能完成</translation>
    </message>
</context>
<context>
    <name>MembersModel</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户数</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>在职</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
</context>
<context>
    <name>MyDay</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Promised</source>
        <translation>承诺金额</translation>
    </message>
    <message>
        <source>Paid so far</source>
        <translation>已还金额</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>通话结果</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>次数</translation>
    </message>
    <message>
        <source>Click an account to open it</source>
        <translation>点击账户即可打开</translation>
    </message>
</context>
<context>
    <name>MyDayDialog</name>
    <message>
        <source>My day</source>
        <translation>我的一天</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>拨打次数</translation>
    </message>
    <message>
        <source>Contacts (answered)</source>
        <translation>接通次数</translation>
    </message>
    <message>
        <source>Right-party contacts</source>
        <translation>本人接通</translation>
    </message>
    <message>
        <source>Promises to pay made</source>
        <translation>达成的承诺还款</translation>
    </message>
    <message>
        <source>Amount promised</source>
        <translation>承诺金额</translation>
    </message>
    <message>
        <source>Outcomes of the day</source>
        <translation>当日通话结果</translation>
    </message>
    <message>
        <source>Callbacks due the next day</source>
        <translation>次日到期的回电</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>&amp;Day:</source>
        <translation>日期(&amp;D)：</translation>
    </message>
    <message>
        <source>Outcomes</source>
        <translation>通话结果</translation>
    </message>
    <message>
        <source>My day, {day}</source>
        <translation>我的一天，{day}</translation>
    </message>
    <message>
        <source>Callbacks due {day}: {count}</source>
        <translation>{day} 到期的回电：{count} 个</translation>
    </message>
    <message>
        <source>Could not read the day</source>
        <translation>无法读取当日数据</translation>
    </message>
</context>
<context>
    <name>NotesBox</name>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>New note</source>
        <translation>新备注</translation>
    </message>
    <message>
        <source>Write a note about this account (Ctrl+Shift+Enter adds it)</source>
        <translation>填写该账户的备注（Ctrl+Shift+Enter 添加）</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Note length</source>
        <translation>备注长度</translation>
    </message>
    <message>
        <source>The note was not added</source>
        <translation>备注未添加</translation>
    </message>
    <message>
        <source>{count} characters: at most {limit} fit in one note</source>
        <translation>共 {count} 个字符：每条备注最多 {limit} 个字符</translation>
    </message>
    <message>
        <source>{count} / {limit}</source>
        <translation>{count} / {limit}</translation>
    </message>
</context>
<context>
    <name>OutcomeForm</name>
    <message>
        <source>Outcome of the call</source>
        <translation>通话结果</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>通话结果</translation>
    </message>
    <message>
        <source>Emotion observed</source>
        <translation>观察到的情绪</translation>
    </message>
    <message>
        <source>— not recorded —</source>
        <translation>— 未记录 —</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>检查清单</translation>
    </message>
    <message>
        <source>Support information</source>
        <translation>求助信息</translation>
    </message>
    <message>
        <source>Promised amount</source>
        <translation>承诺金额</translation>
    </message>
    <message>
        <source>Amount, e.g. 1200.00</source>
        <translation>金额，例如 1200.00</translation>
    </message>
    <message>
        <source>Promise date</source>
        <translation>承诺日期</translation>
    </message>
    <message>
        <source>Call back at</source>
        <translation>回电时间</translation>
    </message>
    <message>
        <source>Schedule a callback</source>
        <translation>预约回电</translation>
    </message>
    <message>
        <source>Callback time</source>
        <translation>回电时间</translation>
    </message>
    <message>
        <source>The dispute</source>
        <translation>异议</translation>
    </message>
    <message>
        <source>What the borrower disputes</source>
        <translation>借款人异议的内容</translation>
    </message>
    <message>
        <source>The borrower&apos;s claim</source>
        <translation>借款人的主张</translation>
    </message>
    <message>
        <source>In the borrower&apos;s words</source>
        <translation>按借款人原话记录</translation>
    </message>
    <message>
        <source>Amount the borrower says they paid</source>
        <translation>借款人所称的还款金额</translation>
    </message>
    <message>
        <source>Amount paid (if they say so)</source>
        <translation>已还金额（如客户提及）</translation>
    </message>
    <message>
        <source>Day the borrower says they paid</source>
        <translation>借款人所称的还款日期</translation>
    </message>
    <message>
        <source>Paid on, YYYY-MM-DD (if known)</source>
        <translation>还款日期，YYYY-MM-DD（如已知）</translation>
    </message>
    <message>
        <source>Reference of the payment claimed</source>
        <translation>所称还款的流水号</translation>
    </message>
    <message>
        <source>Payment reference (if known)</source>
        <translation>还款流水号（如已知）</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>What was said, in a few words</source>
        <translation>简要记录通话内容</translation>
    </message>
    <message>
        <source>&amp;Outcome</source>
        <translation>通话结果(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Emotion</source>
        <translation>情绪(&amp;E)</translation>
    </message>
    <message>
        <source>Chec&amp;klist</source>
        <translation>检查清单(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Promise</source>
        <translation>承诺还款(&amp;P)</translation>
    </message>
    <message>
        <source>Call&amp;back</source>
        <translation>回电(&amp;B)</translation>
    </message>
    <message>
        <source>Dispu&amp;te</source>
        <translation>异议类型(&amp;T)</translation>
    </message>
    <message>
        <source>C&amp;laim</source>
        <translation>客户主张(&amp;L)</translation>
    </message>
    <message>
        <source>Paid (&amp;claimed)</source>
        <translation>所称还款(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>Give the borrower support information: {lines}</source>
        <translation>请向借款人提供求助信息：{lines}</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>Passphrase of the local data</source>
        <translation>本地数据口令</translation>
    </message>
    <message>
        <source>Choose a passphrase for the accounts this computer keeps. It is asked for at each start and kept nowhere: without it nobody, you included, can read them.</source>
        <translation>请为本机保存的账户设置一个口令。每次启动时都会询问，且不会保存在任何地方：没有它，任何人（包括您自己）都无法读取这些数据。</translation>
    </message>
    <message>
        <source>Enter the passphrase of the accounts this computer keeps.</source>
        <translation>请输入本机所存账户数据的口令。</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>口令(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Again</source>
        <translation>再输一次(&amp;A)</translation>
    </message>
    <message>
        <source>The two passphrases differ: type the same one twice.</source>
        <translation>两次输入的口令不一致：请输入相同的口令两次。</translation>
    </message>
    <message>
        <source>This passphrase does not open the local data. Try again.</source>
        <translation>此口令无法打开本地数据，请重试。</translation>
    </message>
</context>
<context>
    <name>PauseNote</name>
    <message>
        <source>Collection paused</source>
        <translation>催收已暂停</translation>
    </message>
    <message>
        <source>Allow plans despite the pause…</source>
        <translation>准许暂停期间办理方案…</translation>
    </message>
    <message>
        <source>Allow plans despite the pause</source>
        <translation>准许暂停期间办理方案</translation>
    </message>
    <message>
        <source>Collection on this account is paused ({pauses}); {lead} let plans go ahead despite it until {until}: “{reason}”</source>
        <translation>本账户催收已暂停（{pauses}）；{lead} 准许在 {until} 前仍可办理还款方案：“{reason}”</translation>
    </message>
    <message>
        <source>Why may a plan go ahead on {contract} although its collection is paused ({pauses})? The reason is kept with the account.</source>
        <translation>{contract} 的催收已暂停（{pauses}），为何仍可办理还款方案？理由将随账户保存。</translation>
    </message>
    <message>
        <source>Could not allow plans despite the pause</source>
        <translation>无法准许暂停期间办理方案</translation>
    </message>
</context>
<context>
    <name>PaymentsTable</name>
    <message>
        <source>Received</source>
        <translation>到账时间</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Payments received</source>
        <translation>已收还款</translation>
    </message>
</context>
<context>
    <name>PlanDecisionsDialog</name>
    <message>
        <source>Decisions on my plans</source>
        <translation>我的方案审批结果</translation>
    </message>
    <message>
        <source>Plans of yours outside the policy that a team lead approved or rejected in the last {days} days, latest first.</source>
        <translation>最近 {days} 天内由组长批准或驳回的您的超政策还款方案，最新的在前。</translation>
    </message>
    <message>
        <source>No team lead has decided on a plan of yours lately.</source>
        <translation>最近没有组长审批过您的还款方案。</translation>
    </message>
    <message>
        <source>Could not load the decisions</source>
        <translation>无法加载审批结果</translation>
    </message>
</context>
<context>
    <name>PlanDialog</name>
    <message>
        <source>Repayment plan — {borrower} · {contract}</source>
        <translation>还款方案 — {borrower} · {contract}</translation>
    </message>
    <message>
        <source>Close the plan dialog</source>
        <translation>关闭还款方案窗口</translation>
    </message>
    <message>
        <source>Terms</source>
        <translation>条件</translation>
    </message>
    <message>
        <source>Kind of plan</source>
        <translation>方案类型</translation>
    </message>
    <message>
        <source>Number of instalments</source>
        <translation>期数</translation>
    </message>
    <message>
        <source>Frequency</source>
        <translation>还款频率</translation>
    </message>
    <message>
        <source>First due date</source>
        <translation>首期到期日</translation>
    </message>
    <message>
        <source>Down payment</source>
        <translation>首付款</translation>
    </message>
    <message>
        <source>Penalty waiver</source>
        <translation>罚息减免</translation>
    </message>
    <message>
        <source>Settlement discount</source>
        <translation>结清折扣</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>类型(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Instalments</source>
        <translation>期数(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Frequency</source>
        <translation>还款频率(&amp;F)</translation>
    </message>
    <message>
        <source>First &amp;due date</source>
        <translation>首期到期日(&amp;D)</translation>
    </message>
    <message>
        <source>Do&amp;wn payment</source>
        <translation>首付款(&amp;W)</translation>
    </message>
    <message>
        <source>Penalty wai&amp;ver</source>
        <translation>罚息减免(&amp;V)</translation>
    </message>
    <message>
        <source>Settlement disc&amp;ount</source>
        <translation>结清折扣(&amp;O)</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Overdue principal</source>
        <translation>逾期本金</translation>
    </message>
    <message>
        <source>Overdue interest</source>
        <translation>逾期利息</translation>
    </message>
    <message>
        <source>Overdue penalty interest</source>
        <translation>逾期罚息</translation>
    </message>
    <message>
        <source>Overdue fees</source>
        <translation>逾期费用</translation>
    </message>
    <message>
        <source>Total overdue</source>
        <translation>逾期合计</translation>
    </message>
    <message>
        <source>Penalty waived</source>
        <translation>减免罚息</translation>
    </message>
    <message>
        <source>Discount</source>
        <translation>折扣</translation>
    </message>
    <message>
        <source>The borrower pays</source>
        <translation>借款人应还</translation>
    </message>
    <message>
        <source>Down payment today</source>
        <translation>今日首付款</translation>
    </message>
    <message>
        <source>Payments of the plan</source>
        <translation>方案还款明细</translation>
    </message>
    <message>
        <source>Problem with the terms</source>
        <translation>条件有误</translation>
    </message>
    <message>
        <source>Policy warnings</source>
        <translation>政策提示</translation>
    </message>
    <message>
        <source>Save as draft</source>
        <translation>存为草稿</translation>
    </message>
    <message>
        <source>Save the plan as a draft</source>
        <translation>将方案存为草稿</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Submit the plan</source>
        <translation>提交方案</translation>
    </message>
    <message>
        <source>This account has an open plan: cancel it before offering another one.</source>
        <translation>该账户已有未结束的还款方案：请先取消，再提供新方案。</translation>
    </message>
    <message>
        <source>Plans of this account</source>
        <translation>该账户的还款方案</translation>
    </message>
    <message>
        <source>Submit draft</source>
        <translation>提交草稿</translation>
    </message>
    <message>
        <source>Issue agreement…</source>
        <translation>出具协议…</translation>
    </message>
    <message>
        <source>Save agreement…</source>
        <translation>保存协议…</translation>
    </message>
    <message>
        <source>Borrower signed</source>
        <translation>借款人已签署</translation>
    </message>
    <message>
        <source>Cancel plan…</source>
        <translation>取消方案…</translation>
    </message>
    <message>
        <source>Language of the agreement</source>
        <translation>协议语言</translation>
    </message>
    <message>
        <source>Open PDF</source>
        <translation>打开 PDF</translation>
    </message>
    <message>
        <source>Open the saved agreement</source>
        <translation>打开已保存的协议</translation>
    </message>
    <message>
        <source>Agreement &amp;language</source>
        <translation>协议语言(&amp;L)</translation>
    </message>
    <message>
        <source>{penalty} penalty interest is overdue.</source>
        <translation>逾期罚息为 {penalty}。</translation>
    </message>
    <message>
        <source>{field}: “{text}” is not an amount such as 1200.00.</source>
        <translation>{field}：“{text}”不是有效金额（例如 1200.00）。</translation>
    </message>
    <message>
        <source>{count} payments, together {amount}</source>
        <translation>共 {count} 笔，合计 {amount}</translation>
    </message>
    <message>
        <source>Needs a team lead&apos;s approval before it can be issued.</source>
        <translation>需经组长审批后方可出具协议。</translation>
    </message>
    <message>
        <source>Saved as a draft. Submit it when the borrower agrees.</source>
        <translation>已存为草稿。借款人同意后请提交。</translation>
    </message>
    <message>
        <source>Approved: the plan is within the policy. Issue the agreement when the borrower is ready.</source>
        <translation>已批准：方案符合政策。借款人准备好后即可出具协议。</translation>
    </message>
    <message>
        <source>Waiting for a team lead&apos;s approval: the plan is outside the policy.
{reasons}</source>
        <translation>等待组长审批：方案超出政策范围。
{reasons}</translation>
    </message>
    <message>
        <source>Agreement {number} issued and saved to {path}</source>
        <translation>协议 {number} 已出具并保存至 {path}</translation>
    </message>
    <message>
        <source>A copy of agreement {number} saved to {path}; only the file saved when it was issued verifies as genuine.</source>
        <translation>协议 {number} 的副本已保存至 {path}；只有出具时保存的文件才能核验为真实。</translation>
    </message>
    <message>
        <source>Save agreement {number}</source>
        <translation>保存协议 {number}</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Cannot open the agreement</source>
        <translation>无法打开协议</translation>
    </message>
    <message>
        <source>Nothing on this computer opens PDF files. The agreement is at {path}.</source>
        <translation>本机没有可打开 PDF 文件的程序。协议保存在 {path}。</translation>
    </message>
    <message>
        <source>Record that {borrower} signed agreement {number}?</source>
        <translation>确认记录 {borrower} 已签署协议 {number}？</translation>
    </message>
    <message>
        <source>Cancel the plan</source>
        <translation>取消方案</translation>
    </message>
    <message>
        <source>Why is the plan cancelled? The reason is kept with the account.</source>
        <translation>取消方案的原因是什么？原因将随账户保存。</translation>
    </message>
    <message>
        <source>Could not complete that</source>
        <translation>操作未能完成</translation>
    </message>
</context>
<context>
    <name>PlanLinesModel</name>
    <message>
        <source>#</source>
        <translation>期数</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
</context>
<context>
    <name>PlanSharesModel</name>
    <message>
        <source>Collector</source>
        <translation>催收员</translation>
    </message>
    <message>
        <source>Accounts now</source>
        <translation>现有账户数</translation>
    </message>
    <message>
        <source>Accounts after</source>
        <translation>转移后账户数</translation>
    </message>
    <message>
        <source>Overdue now</source>
        <translation>现有逾期金额</translation>
    </message>
    <message>
        <source>Overdue after</source>
        <translation>转移后逾期金额</translation>
    </message>
</context>
<context>
    <name>PlansModel</name>
    <message>
        <source>Made</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总额</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Agreement no.</source>
        <translation>协议编号</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Contact preferences — {borrower}</source>
        <translation>联系偏好 — {borrower}</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save the contact preferences</source>
        <translation>保存联系偏好</translation>
    </message>
    <message>
        <source>The borrower agreed to be contacted only between</source>
        <translation>借款人同意仅在以下时段内联系</translation>
    </message>
    <message>
        <source>Agreed contact window</source>
        <translation>约定的联系时段</translation>
    </message>
    <message>
        <source>Window starts (borrower&apos;s local time)</source>
        <translation>时段开始（借款人当地时间）</translation>
    </message>
    <message>
        <source>Window ends (borrower&apos;s local time)</source>
        <translation>时段结束（借款人当地时间）</translation>
    </message>
    <message>
        <source>Preferred channel</source>
        <translation>偏好渠道</translation>
    </message>
    <message>
        <source>No preference</source>
        <translation>无偏好</translation>
    </message>
    <message>
        <source>Local time</source>
        <translation>当地时间</translation>
    </message>
    <message>
        <source>Preferred &amp;channel</source>
        <translation>偏好渠道(&amp;C)</translation>
    </message>
</context>
<context>
    <name>PriorityDialog</name>
    <message>
        <source>Set priority</source>
        <translation>设置优先级</translation>
    </message>
    <message>
        <source>Selected accounts: {count}. Their place in the collectors&apos; queues:</source>
        <translation>已选账户：{count}个。在催收员队列中的位置：</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>截止</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>What the collector should know</source>
        <translation>需要催收员知道的情况</translation>
    </message>
    <message>
        <source>&amp;Priority</source>
        <translation>优先级(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Until the end of</source>
        <translation>截止到当天结束(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Callable</source>
        <translation>可拨打</translation>
    </message>
    <message>
        <source>{reason} · from {time}</source>
        <translation>{reason} · {time}起</translation>
    </message>
    <message>
        <source>Principal {principal}
Interest {interest}
Penalty {penalty}
Fees {fees}</source>
        <translation>本金 {principal}
利息 {interest}
罚息 {penalty}
费用 {fees}</translation>
    </message>
    <message>
        <source>Blocked: {reason}</source>
        <translation>禁止联系：{reason}</translation>
    </message>
    <message>
        <source>Blocked: {reason}
Allowed from {time}</source>
        <translation>禁止联系：{reason}
{time}起可联系</translation>
    </message>
    <message>
        <source>#</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>DPD</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>账龄</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <source>Top reason</source>
        <translation>首要原因</translation>
    </message>
    <message>
        <source>Contact status</source>
        <translation>联系状态</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Account queue</source>
        <translation>账户队列</translation>
    </message>
    <message>
        <source>The accounts to work, most urgent first, with search and filters (Alt+1)</source>
        <translation>待处理的账户，最紧急的在前，可搜索和筛选（Alt+1）</translation>
    </message>
    <message>
        <source>Search name, contract or phone number</source>
        <translation>搜索姓名、合同号或电话号码</translation>
    </message>
    <message>
        <source>Search the queue</source>
        <translation>搜索队列</translation>
    </message>
    <message>
        <source>Bucket filter</source>
        <translation>账龄筛选</translation>
    </message>
    <message>
        <source>All buckets</source>
        <translation>全部账龄</translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation>状态筛选</translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation>全部账户</translation>
    </message>
    <message>
        <source>Callable now</source>
        <translation>当前可拨打</translation>
    </message>
    <message>
        <source>Blocked now</source>
        <translation>当前禁止联系</translation>
    </message>
    <message>
        <source>Callbacks and promises</source>
        <translation>回电与承诺</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>Accounts shown</source>
        <translation>显示的账户数</translation>
    </message>
    <message>
        <source>{shown} of {total} accounts</source>
        <translation>显示 {shown} / 共 {total} 个账户</translation>
    </message>
</context>
<context>
    <name>ReassignDialog</name>
    <message>
        <source>Reassign accounts</source>
        <translation>转移账户</translation>
    </message>
    <message>
        <source>Allocate accounts</source>
        <translation>分配账户</translation>
    </message>
    <message>
        <source>Give to</source>
        <translation>转给</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>e.g. Wang Ting is on leave this week</source>
        <translation>例如：王婷本周休假</translation>
    </message>
    <message>
        <source>What moves</source>
        <translation>转移内容</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>转移</translation>
    </message>
    <message>
        <source>Allocate</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>&amp;Give to</source>
        <translation>转给(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>the pool</source>
        <translation>待分配池</translation>
    </message>
    <message>
        <source>{count} from {name}</source>
        <translation>{name} 的 {count} 个</translation>
    </message>
    <message>
        <source>Accounts that move: {count} ({sources}).</source>
        <translation>将转移的账户：{count}个（{sources}）。</translation>
    </message>
    <message>
        <source>Already with this collector: {count}.</source>
        <translation>原本就在该催收员名下：{count}个。</translation>
    </message>
</context>
<context>
    <name>ReassignRuleDialog</name>
    <message>
        <source>Reassign by rule</source>
        <translation>按规则转移</translation>
    </message>
    <message>
        <source>Allocate the pool by rule</source>
        <translation>按规则分配待分配池</translation>
    </message>
    <message>
        <source>From</source>
        <translation>转出</translation>
    </message>
    <message>
        <source>Anyone in the team</source>
        <translation>组内任何人</translation>
    </message>
    <message>
        <source>The pool (nobody assigned)</source>
        <translation>待分配池（无人负责）</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>账龄段</translation>
    </message>
    <message>
        <source>All buckets</source>
        <translation>全部账龄段</translation>
    </message>
    <message>
        <source>any</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Lowest DPD</source>
        <translation>最低逾期天数</translation>
    </message>
    <message>
        <source>Highest DPD</source>
        <translation>最高逾期天数</translation>
    </message>
    <message>
        <source>City or district</source>
        <translation>城市或区县</translation>
    </message>
    <message>
        <source>Give to</source>
        <translation>转给</translation>
    </message>
    <message>
        <source>Spread by</source>
        <translation>分配依据</translation>
    </message>
    <message>
        <source>Number of accounts</source>
        <translation>账户数量</translation>
    </message>
    <message>
        <source>Overdue amount</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>&amp;Preview</source>
        <translation>预览(&amp;P)</translation>
    </message>
    <message>
        <source>Preview the plan to see who gets what.</source>
        <translation>预览方案，查看每人分到哪些账户。</translation>
    </message>
    <message>
        <source>The plan</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>Who gets what</source>
        <translation>分配结果</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>执行</translation>
    </message>
    <message>
        <source>Allocate</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>转出(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Bucket</source>
        <translation>账龄段(&amp;B)</translation>
    </message>
    <message>
        <source>DP&amp;D</source>
        <translation>逾期天数(&amp;D)</translation>
    </message>
    <message>
        <source>C&amp;ity or district</source>
        <translation>城市或区县(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Give to</source>
        <translation>转给(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Spread by</source>
        <translation>分配依据(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>Accounts that move: {moves}. Staying with their collector: {unchanged}.</source>
        <translation>将转移的账户：{moves}个。留在原催收员名下：{unchanged}个。</translation>
    </message>
</context>
<context>
    <name>RemindersPanel</name>
    <message>
        <source>Credit-reporting notice</source>
        <translation>不良信息报送告知</translation>
    </message>
    <message>
        <source>Every {days} days in {bucket}</source>
        <translation>{bucket} 阶段每 {days} 天</translation>
    </message>
    <message>
        <source>On the due date</source>
        <translation>还款日当天</translation>
    </message>
    <message>
        <source>The day before the due date</source>
        <translation>还款日前 1 天</translation>
    </message>
    <message>
        <source>{days} days before the due date</source>
        <translation>还款日前 {days} 天</translation>
    </message>
    <message>
        <source>1 day past due</source>
        <translation>逾期 1 天</translation>
    </message>
    <message>
        <source>{days} days past due</source>
        <translation>逾期 {days} 天</translation>
    </message>
    <message>
        <source>The borrower asked</source>
        <translation>借款人要求</translation>
    </message>
    <message>
        <source>The carrier refused a message</source>
        <translation>运营商拒收（已退订）</translation>
    </message>
    <message>
        <source>The carrier reported the borrower refuses messages</source>
        <translation>运营商回执：借款人拒收短信</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已还清</translation>
    </message>
    <message>
        <source>Settled</source>
        <translation>已结清</translation>
    </message>
    <message>
        <source>A promise to pay is pending</source>
        <translation>有待履行的还款承诺</translation>
    </message>
    <message>
        <source>A repayment plan carries the account</source>
        <translation>账户处于还款方案中</translation>
    </message>
    <message>
        <source>An escalation pauses collection</source>
        <translation>升级事件暂停了催收</translation>
    </message>
    <message>
        <source>The borrower asked to stop contact</source>
        <translation>借款人要求停止联系</translation>
    </message>
    <message>
        <source>The debt is disputed</source>
        <translation>借款人对债务有异议</translation>
    </message>
    <message>
        <source>Reported deceased</source>
        <translation>告知已故</translation>
    </message>
    <message>
        <source>Referred to legal</source>
        <translation>已转法务</translation>
    </message>
    <message>
        <source>Represented by an attorney</source>
        <translation>已委托律师</translation>
    </message>
    <message>
        <source>Vulnerable borrower</source>
        <translation>弱势借款人</translation>
    </message>
    <message>
        <source>Opted out of the channel</source>
        <translation>已退订该渠道</translation>
    </message>
    <message>
        <source>The number or address may not be used</source>
        <translation>该号码或地址不得使用</translation>
    </message>
    <message>
        <source>No mobile number</source>
        <translation>没有手机号码</translation>
    </message>
    <message>
        <source>No e-mail address</source>
        <translation>没有电子邮箱</translation>
    </message>
    <message>
        <source>Outside the send window</source>
        <translation>不在发送时段内</translation>
    </message>
    <message>
        <source>The week&apos;s most messages reached</source>
        <translation>已达每周发送上限</translation>
    </message>
    <message>
        <source>Too long to send</source>
        <translation>内容过长，无法发送</translation>
    </message>
    <message>
        <source>Sent already</source>
        <translation>已发送过</translation>
    </message>
    <message>
        <source>Went out: {went_out} — delivered {delivered} ({rate}), awaiting a delivery report {sent}, failed {failed}, opted out {opted_out}. Not sent: still planned {planned}, cancelled {cancelled}.</source>
        <translation>已发出：{went_out} — 已送达 {delivered}（{rate}），等待回执 {sent}，失败 {failed}，已退订 {opted_out}。未发送：仍在计划中 {planned}，已取消 {cancelled}。</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Went out</source>
        <translation>已发出</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <source>Delivered %</source>
        <translation>送达率</translation>
    </message>
    <message>
        <source>Awaiting report</source>
        <translation>等待回执</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Opted out</source>
        <translation>已退订</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>计划中</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>Sent to</source>
        <translation>发送至</translation>
    </message>
    <message>
        <source>What went wrong</source>
        <translation>失败原因</translation>
    </message>
    <message>
        <source>The provider&apos;s answer</source>
        <translation>服务商的回复</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Notified</source>
        <translation>告知时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>告知渠道</translation>
    </message>
    <message>
        <source>Reporting may begin</source>
        <translation>可开始报送日期</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>信函</translation>
    </message>
    <message>
        <source>Run at</source>
        <translation>发送批次时间</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息数</translation>
    </message>
    <message>
        <source>{shown} of {count} messages, as the borrower would read them:</source>
        <translation>共 {count} 条消息中的 {shown} 条，即借款人将看到的内容：</translation>
    </message>
    <message>
        <source>{account} · {borrower} · to {recipient}</source>
        <translation>{account} · {borrower} · 发送至 {recipient}</translation>
    </message>
    <message>
        <source>{segments} SMS parts</source>
        <translation>{segments} 条短信计费</translation>
    </message>
    <message>
        <source>Subject: {subject}</source>
        <translation>主题：{subject}</translation>
    </message>
    <message>
        <source>Reminders</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Da&amp;y</source>
        <translation>日期(&amp;Y)</translation>
    </message>
    <message>
        <source>The day&apos;s messages</source>
        <translation>当日消息</translation>
    </message>
    <message>
        <source>Messages by step and channel</source>
        <translation>按步骤和渠道统计的消息</translation>
    </message>
    <message>
        <source>Failed messages</source>
        <translation>发送失败的消息</translation>
    </message>
    <message>
        <source>Opt-outs recorded that day</source>
        <translation>当日记录的退订</translation>
    </message>
    <message>
        <source>Credit-reporting notices</source>
        <translation>不良信息报送告知</translation>
    </message>
    <message>
        <source>Tomorrow&apos;s messages by run</source>
        <translation>明日各批次的消息</translation>
    </message>
    <message>
        <source>What would not go, and why</source>
        <translation>不会发送的消息及原因</translation>
    </message>
    <message>
        <source>Sample messages</source>
        <translation>消息示例</translation>
    </message>
    <message>
        <source>Reminders of the day</source>
        <translation>当日提醒</translation>
    </message>
    <message>
        <source>Not available</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Reload the reminders</source>
        <translation>重新加载提醒</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Accounts notified and waiting until reporting may begin, or notified that day: {count}. Accounts whose adverse information may already be reported: {ready}.</source>
        <translation>已告知、等待可报送日期或当日告知的账户：{count}。已可报送不良信息的账户：{ready}。</translation>
    </message>
    <message>
        <source>Tomorrow, {day}: {count} messages would go in {runs} runs, as the dispatcher would decide them now. Nothing is sent from here.</source>
        <translation>明日（{day}）：按发送程序当前的判断，将分 {runs} 批发出 {count} 条消息。此处不会发送任何消息。</translation>
    </message>
    <message>
        <source>{reason}: {count}</source>
        <translation>{reason}：{count}</translation>
    </message>
    <message>
        <source>Would not go: {reasons}.</source>
        <translation>不会发送：{reasons}。</translation>
    </message>
    <message>
        <source>Nothing due tomorrow is held back.</source>
        <translation>明日到期的消息均不会被拦下。</translation>
    </message>
    <message>
        <source>team {team}</source>
        <translation>团队 {team}</translation>
    </message>
    <message>
        <source>every account</source>
        <translation>全部账户</translation>
    </message>
    <message>
        <source>{day}, {whose}: loaded at {time}.</source>
        <translation>{day}，{whose}：于 {time} 加载。</translation>
    </message>
    <message>
        <source>{section} ({count})</source>
        <translation>{section}（{count}）</translation>
    </message>
    <message>
        <source>&amp;By step</source>
        <translation>按步骤(&amp;B)</translation>
    </message>
    <message>
        <source>F&amp;ailures</source>
        <translation>失败(&amp;A)</translation>
    </message>
    <message>
        <source>Opt-o&amp;uts</source>
        <translation>退订(&amp;U)</translation>
    </message>
    <message>
        <source>Credit &amp;notices</source>
        <translation>征信告知(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Tomorrow</source>
        <translation>明日(&amp;T)</translation>
    </message>
    <message>
        <source>The reminders could not be loaded.</source>
        <translation>无法加载提醒。</translation>
    </message>
    <message>
        <source>Could not load the reminders</source>
        <translation>无法加载提醒</translation>
    </message>
</context>
<context>
    <name>ReviewPane</name>
    <message>
        <source>Script path</source>
        <translation>话术路径</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>情绪处理清单</translation>
    </message>
    <message>
        <source>Promise</source>
        <translation>还款承诺</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Escalations</source>
        <translation>上报事项</translation>
    </message>
    <message>
        <source>Criteria</source>
        <translation>质检评分项</translation>
    </message>
    <message>
        <source>A&amp;ll met</source>
        <translation>全部符合(&amp;L)</translation>
    </message>
    <message>
        <source>Answer every criterion “met”, then change the ones that were not.</source>
        <translation>将所有评分项设为“符合”，再修改不符合的项。</translation>
    </message>
    <message>
        <source>Comment for the collector</source>
        <translation>给催收员的评语</translation>
    </message>
    <message>
        <source>What went well, what to do differently</source>
        <translation>做得好的地方，以及需要改进的地方</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>The call</source>
        <translation>通话情况</translation>
    </message>
    <message>
        <source>Path thro&amp;ugh the script</source>
        <translation>话术路径(&amp;U)</translation>
    </message>
    <message>
        <source>Chec&amp;klist</source>
        <translation>情绪处理清单(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>质检</translation>
    </message>
    <message>
        <source>Co&amp;mment</source>
        <translation>评语(&amp;M)</translation>
    </message>
    <message>
        <source>Choose a review to read.</source>
        <translation>请选择要查看的质检反馈。</translation>
    </message>
    <message>
        <source>Choose a contact to review.</source>
        <translation>请选择要质检的联系记录。</translation>
    </message>
    <message>
        <source>{collector} — {contract}, {borrower}</source>
        <translation>{collector} — {contract}，{borrower}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>{time} · {outcome} · emotion: {emotion} · talk {talk}, after call {after}</source>
        <translation>{time} · {outcome} · 情绪：{emotion} · 通话 {talk}，话后处理 {after}</translation>
    </message>
    <message>
        <source>{step} (not in any script)</source>
        <translation>{step}（不在任何话术中）</translation>
    </message>
    <message>
        <source>{step} → {answer}</source>
        <translation>{step} → {answer}</translation>
    </message>
    <message>
        <source>No script path was recorded.</source>
        <translation>未记录话术路径。</translation>
    </message>
    <message>
        <source>Required, not ticked</source>
        <translation>必选项，未勾选</translation>
    </message>
    <message>
        <source>No checklist: nobody answered.</source>
        <translation>无清单：未接通。</translation>
    </message>
    <message>
        <source>No notes.</source>
        <translation>无备注。</translation>
    </message>
    <message>
        <source>Promise: {amount} by {date} ({status})</source>
        <translation>承诺还款：{date} 前还款 {amount}（{status}）</translation>
    </message>
    <message>
        <source>Callback agreed for {time}</source>
        <translation>已约定回电时间：{time}</translation>
    </message>
    <message>
        <source>No promise.</source>
        <translation>无还款承诺。</translation>
    </message>
    <message>
        <source>No escalation.</source>
        <translation>无上报事项。</translation>
    </message>
    <message>
        <source>Escalated: {kind}, {time}; {status}</source>
        <translation>已上报：{kind}，{time}；{status}</translation>
    </message>
    <message>
        <source>Met</source>
        <translation>符合</translation>
    </message>
    <message>
        <source>Not met</source>
        <translation>不符合</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>{criterion} ({points} pt)</source>
        <translation>{criterion}（{points} 分）</translation>
    </message>
    <message>
        <source>{criterion}: {answer}</source>
        <translation>{criterion}：{answer}</translation>
    </message>
    <message>
        <source>No criterion applies.</source>
        <translation>没有适用的评分项。</translation>
    </message>
    <message>
        <source>Score: {score}%</source>
        <translation>得分：{score}%</translation>
    </message>
    <message>
        <source>Score: —</source>
        <translation>得分：—</translation>
    </message>
    <message>
        <source>{score} ({count} to answer)</source>
        <translation>{score}（还有 {count} 项未评）</translation>
    </message>
    <message>
        <source>Not reviewed yet.</source>
        <translation>尚未质检。</translation>
    </message>
    <message>
        <source>Reviewed by {reviewer}, {time}.</source>
        <translation>质检人：{reviewer}，{time}。</translation>
    </message>
    <message>
        <source>Reviewed by {reviewer}, {time}; not yet seen by the collector.</source>
        <translation>质检人：{reviewer}，{time}；催收员尚未查看。</translation>
    </message>
    <message>
        <source>Reviewed by {reviewer}, {time}; seen by the collector {seen}.</source>
        <translation>质检人：{reviewer}，{time}；催收员已于 {seen} 查看。</translation>
    </message>
    <message>
        <source>Not reviewed yet. You cannot review this contact.</source>
        <translation>尚未质检。您不能质检这条联系记录。</translation>
    </message>
</context>
<context>
    <name>ScheduleTable</name>
    <message>
        <source>#</source>
        <translation>期数</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Principal</source>
        <translation>本金</translation>
    </message>
    <message>
        <source>Interest</source>
        <translation>利息</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已还</translation>
    </message>
    <message>
        <source>Penalty</source>
        <translation>罚息</translation>
    </message>
    <message>
        <source>Settled</source>
        <translation>已结清</translation>
    </message>
    <message>
        <source>Repayment schedule</source>
        <translation>还款计划</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
</context>
<context>
    <name>ScriptView</name>
    <message>
        <source>Call script</source>
        <translation>通话话术</translation>
    </message>
    <message>
        <source>Script text</source>
        <translation>话术内容</translation>
    </message>
    <message>
        <source>Guidance for you</source>
        <translation>给您的提示</translation>
    </message>
    <message>
        <source>Disclosure given</source>
        <translation>已完成告知</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Previous script step</source>
        <translation>上一步话术</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Next script step</source>
        <translation>下一步话术</translation>
    </message>
    <message>
        <source>Objection handling</source>
        <translation>异议处理</translation>
    </message>
    <message>
        <source>Script path so far</source>
        <translation>已走过的话术路径</translation>
    </message>
    <message>
        <source>Objection handling…</source>
        <translation>异议处理…</translation>
    </message>
    <message>
        <source>No script for this account</source>
        <translation>该账户没有话术</translation>
    </message>
</context>
<context>
    <name>ServiceMessages</name>
    <message>
        <source>There is no account with contract number “{contract_no}”.</source>
        <translation>不存在合同编号为“{contract_no}”的账户。</translation>
    </message>
    <message>
        <source>Account {contract_no} is not in {username}&apos;s portfolio.</source>
        <translation>账户 {contract_no} 不在 {username} 负责的案件范围内。</translation>
    </message>
    <message>
        <source>There is no bucket “{bucket}”; the buckets are {buckets}.</source>
        <translation>没有“{bucket}”这个账龄段；账龄段有：{buckets}。</translation>
    </message>
    <message>
        <source>Days past due cannot be negative ({dpd}).</source>
        <translation>逾期天数不能为负数（{dpd}）。</translation>
    </message>
    <message>
        <source>The DPD range {low}–{high} is empty.</source>
        <translation>逾期天数范围 {low}–{high} 为空。</translation>
    </message>
    <message>
        <source>The pool&apos;s accounts have no collector: leave the collector out.</source>
        <translation>待分配池中的账户没有催收员：请不要指定催收员。</translation>
    </message>
    <message>
        <source>Only a team lead can change the team&apos;s accounts.</source>
        <translation>只有组长可以调整团队的账户。</translation>
    </message>
    <message>
        <source>Spread accounts by one of {choices}, not “{by}”.</source>
        <translation>请按 {choices} 之一分配账户，而不是“{by}”。</translation>
    </message>
    <message>
        <source>Say which accounts the rule moves: a collector, a bucket, a DPD range or an area.</source>
        <translation>请说明规则要转移哪些账户：催收员、账龄段、逾期天数范围或地区。</translation>
    </message>
    <message>
        <source>Choose at least one collector to give the accounts to.</source>
        <translation>请至少选择一位接收账户的催收员。</translation>
    </message>
    <message>
        <source>The plan moves no account.</source>
        <translation>该方案没有要转移的账户。</translation>
    </message>
    <message>
        <source>Account {contract_no} changed hands after the plan was made; make the plan again.</source>
        <translation>账户 {contract_no} 在方案生成后已被转给他人，请重新生成方案。</translation>
    </message>
    <message>
        <source>There is no priority “{level}”; choose {levels}.</source>
        <translation>没有“{level}”这个优先级；请选择 {levels}。</translation>
    </message>
    <message>
        <source>A priority must last into the future; {until} has passed.</source>
        <translation>优先级的截止时间必须在将来；{until} 已经过去。</translation>
    </message>
    <message>
        <source>A priority lasts at most {days} days: until {latest} at the latest.</source>
        <translation>优先级最长 {days} 天：最晚至 {latest}。</translation>
    </message>
    <message>
        <source>Say why the account comes first (or last): the collector reads it.</source>
        <translation>请说明为何调整该账户的优先级：催收员会看到原因。</translation>
    </message>
    <message>
        <source>Say why the accounts move: the audit trail keeps it.</source>
        <translation>请说明转移账户的原因：审计记录会保存。</translation>
    </message>
    <message>
        <source>Choose at least one account.</source>
        <translation>请至少选择一个账户。</translation>
    </message>
    <message>
        <source>{username} is not in team {team}: its accounts stay within the team.</source>
        <translation>{username} 不属于 {team}：该组的账户只能在组内分配。</translation>
    </message>
    <message>
        <source>{username} does not work a queue: accounts go to collectors and field agents.</source>
        <translation>{username} 没有自己的催收队列：账户只能分给催收专员和外访专员。</translation>
    </message>
    <message>
        <source>Account {contract_no} is in the team&apos;s pool: give it to a collector first.</source>
        <translation>账户 {contract_no} 在团队待分配池中：请先把它分配给一名催收员。</translation>
    </message>
    <message>
        <source>Account {contract_no} is not one of team {team}&apos;s.</source>
        <translation>账户 {contract_no} 不属于 {team}。</translation>
    </message>
    <message>
        <source>Account {contract_no} is closed ({status}); only active accounts are worked.</source>
        <translation>账户 {contract_no} 已关闭（{status}）；只能处理在催账户。</translation>
    </message>
    <message>
        <source>Unknown emotion “{emotion}” (one of {known}).</source>
        <translation>未知的情绪“{emotion}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Unknown outcome code “{code}”.</source>
        <translation>未知的联系结果代码“{code}”。</translation>
    </message>
    <message>
        <source>Not on the checklist for {emotion} / {code}: {unknown} (its items: {items}).</source>
        <translation>以下项目不在“{emotion} / {code}”的核对清单中：{unknown}（清单项目：{items}）。</translation>
    </message>
    <message>
        <source>The checklist for {emotion} / {code} is not complete. Still to confirm: {missing}.</source>
        <translation>“{emotion} / {code}”的核对清单尚未完成。仍需确认：{missing}。</translation>
    </message>
    <message>
        <source>Unknown emotion “{emotion}”.</source>
        <translation>未知的情绪“{emotion}”。</translation>
    </message>
    <message>
        <source>There is no contact-rule profile “{code}” (available: {known}).</source>
        <translation>不存在联系规则配置“{code}”（可用：{known}）。</translation>
    </message>
    <message>
        <source>Profile {code} uses unknown rule kinds: {kinds}.</source>
        <translation>规则配置 {code} 使用了未知的规则类型：{kinds}。</translation>
    </message>
    <message>
        <source>The time to check must carry a time zone.</source>
        <translation>待检查的时间必须带有时区。</translation>
    </message>
    <message>
        <source>it is {time} in {zone}</source>
        <translation>{zone} 当地时间为 {time}</translation>
    </message>
    <message>
        <source>local times outside the allowed hours: {times}</source>
        <translation>以下当地时间不在允许联系的时段内：{times}</translation>
    </message>
    <message>
        <source>{count} answered calls today (limit {limit})</source>
        <translation>今日已接通 {count} 次（上限 {limit} 次）</translation>
    </message>
    <message>
        <source>{count} unanswered attempts on this number today (limit {limit})</source>
        <translation>该号码今日未接通 {count} 次（上限 {limit} 次）</translation>
    </message>
    <message>
        <source>the borrower was reached recently</source>
        <translation>近期已联系到借款人本人</translation>
    </message>
    <message>
        <source>only {failed} of {needed} attempts on the borrower&apos;s own numbers so far</source>
        <translation>借款人本人号码目前仅尝试 {failed} 次，需满 {needed} 次</translation>
    </message>
    <message>
        <source>this third party was already spoken to</source>
        <translation>已与该第三方通过话</translation>
    </message>
    <message>
        <source>{count} attempts in {days} days (limit {limit})</source>
        <translation>{days} 天内已尝试联系 {count} 次（上限 {limit} 次）</translation>
    </message>
    <message>
        <source>Unknown channel “{channel}” (one of {known}).</source>
        <translation>未知的联系渠道“{channel}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Contact point {point_id} does not belong to {borrower}.</source>
        <translation>联系方式 {point_id} 不属于 {borrower}。</translation>
    </message>
    <message>
        <source>Say which e-mail address the e-mail goes to.</source>
        <translation>请指明邮件发送到哪个电子邮箱地址。</translation>
    </message>
    <message>
        <source>Say which number the text message goes to.</source>
        <translation>请指明短信发送到哪个号码。</translation>
    </message>
    <message>
        <source>Say which number the call goes to.</source>
        <translation>请指明拨打的是哪个号码。</translation>
    </message>
    <message>
        <source>Contact not allowed: {reason}.</source>
        <translation>不允许联系：{reason}。</translation>
    </message>
    <message>
        <source>Contact not allowed: {reason} ({detail}).</source>
        <translation>不允许联系：{reason}（{detail}）。</translation>
    </message>
    <message>
        <source>{typed} is not one of {borrower}&apos;s contact points.</source>
        <translation>{typed} 不是 {borrower} 的联系方式。</translation>
    </message>
    <message>
        <source>An e-mail can only go to an e-mail address.</source>
        <translation>电子邮件只能发送到电子邮箱地址。</translation>
    </message>
    <message>
        <source>A call needs a phone number, not {value}.</source>
        <translation>拨打电话需要电话号码，而不是 {value}。</translation>
    </message>
    <message>
        <source>A text message needs a phone number, not {value}.</source>
        <translation>发送短信需要电话号码，而不是 {value}。</translation>
    </message>
    <message>
        <source>Unknown outcome code “{code}” (one of {known}).</source>
        <translation>未知的联系结果代码“{code}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>The contact time must carry a time zone.</source>
        <translation>联系时间必须带有时区。</translation>
    </message>
    <message>
        <source>A contact cannot be logged in the future.</source>
        <translation>不能登记未来时间的联系记录。</translation>
    </message>
    <message>
        <source>A contact older than 24 hours cannot be logged here; ask your team lead to add it.</source>
        <translation>超过 24 小时的联系记录无法在此登记，请联系组长补录。</translation>
    </message>
    <message>
        <source>A duration of {seconds} s is not possible.</source>
        <translation>时长 {seconds} 秒无效。</translation>
    </message>
    <message>
        <source>An after-call time of {seconds} s is not possible.</source>
        <translation>话后处理时长 {seconds} 秒不合理。</translation>
    </message>
    <message>
        <source>A promise to pay needs an amount and a date.</source>
        <translation>承诺还款需要填写金额和日期。</translation>
    </message>
    <message>
        <source>A callback outcome needs the time to call back.</source>
        <translation>约定回电的结果需要填写回电时间。</translation>
    </message>
    <message>
        <source>Nobody answered ({code}): there is no emotion or checklist to record.</source>
        <translation>无人接听（{code}）：无需记录情绪或核对清单。</translation>
    </message>
    <message>
        <source>Someone answered ({code}): record the emotion you observed (one of {known}).</source>
        <translation>已有人接听（{code}）：请记录您观察到的情绪（可选：{known}）。</translation>
    </message>
    <message>
        <source>The callback time must carry a time zone.</source>
        <translation>回电时间必须带有时区。</translation>
    </message>
    <message>
        <source>The callback time {time} is in the past.</source>
        <translation>回电时间 {time} 已经过去。</translation>
    </message>
    <message>
        <source>A callback cannot be more than {days} days ahead.</source>
        <translation>回电时间最多只能安排在 {days} 天之内。</translation>
    </message>
    <message>
        <source>The promise date {date} is in the past.</source>
        <translation>承诺还款日期 {date} 已经过去。</translation>
    </message>
    <message>
        <source>The promise date {date} is more than {days} days ahead; offer a repayment plan instead.</source>
        <translation>承诺还款日期 {date} 超出 {days} 天，请改为提供还款计划。</translation>
    </message>
    <message>
        <source>The promised {amount} is more than the {owed} owed.</source>
        <translation>承诺金额 {amount} 超过欠款金额 {owed}。</translation>
    </message>
    <message>
        <source>A demo portfolio needs at least one account.</source>
        <translation>演示案件库至少需要一个账户。</translation>
    </message>
    <message>
        <source>Accounts per collector must be at least one.</source>
        <translation>每位催收员的账户数至少为 1。</translation>
    </message>
    <message>
        <source>The demo portfolio&apos;s date and time must carry a time zone.</source>
        <translation>演示案件库的日期时间必须带有时区。</translation>
    </message>
    <message>
        <source>The database already holds a portfolio (users, borrowers or loans); a demo portfolio can only be built into an empty database.</source>
        <translation>数据库中已有案件数据（用户、借款人或贷款）；演示案件库只能建在空数据库中。</translation>
    </message>
    <message>
        <source>That number is no longer on this account.</source>
        <translation>该号码已不在此账户上。</translation>
    </message>
    <message>
        <source>The dial template “{template}” has an unclosed brace.</source>
        <translation>拨号模板“{template}”中有未闭合的花括号。</translation>
    </message>
    <message>
        <source>The dial template uses unknown placeholders: {unknown} (known: {known}).</source>
        <translation>拨号模板使用了未知的占位符：{unknown}（可用：{known}）。</translation>
    </message>
    <message>
        <source>The dial template “{template}” does not contain the number.</source>
        <translation>拨号模板“{template}”中没有号码。</translation>
    </message>
    <message>
        <source>The dial template “{template}” needs a scheme such as tel: or sip:.</source>
        <translation>拨号模板“{template}”需要以 tel: 或 sip: 等协议开头。</translation>
    </message>
    <message>
        <source>Unknown decision “{decision}” (one of {known}).</source>
        <translation>未知的处理决定“{decision}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Say in the note whom the case is referred to.</source>
        <translation>请在备注中说明案件转交给了谁。</translation>
    </message>
    <message>
        <source>Say in the note why collection can resume.</source>
        <translation>请在备注中说明为何可以恢复催收。</translation>
    </message>
    <message>
        <source>The note has {length} characters; at most {limit}.</source>
        <translation>备注共 {length} 个字符，最多允许 {limit} 个。</translation>
    </message>
    <message>
        <source>Only a team lead can acknowledge an escalation.</source>
        <translation>只有组长可以确认升级事件。</translation>
    </message>
    <message>
        <source>Only a team lead can decide on an escalation.</source>
        <translation>只有组长可以处理升级事件。</translation>
    </message>
    <message>
        <source>There is no escalation {id}.</source>
        <translation>不存在升级事件 {id}。</translation>
    </message>
    <message>
        <source>The escalation on {contract_no} belongs to another team&apos;s account.</source>
        <translation>{contract_no} 的升级事件属于其他团队的账户。</translation>
    </message>
    <message>
        <source>spoke with the consumer {time}</source>
        <translation>已于 {time} 与借款人通话</translation>
    </message>
    <message>
        <source>The plan has no agreement yet: issue it first.</source>
        <translation>该还款计划尚未出具协议：请先出具。</translation>
    </message>
    <message>
        <source>Agreements are printed in {known}, not “{language}”.</source>
        <translation>协议只能以{known}打印，不支持“{language}”。</translation>
    </message>
    <message>
        <source>There is no repayment plan {plan}.</source>
        <translation>不存在还款计划{plan}。</translation>
    </message>
    <message>
        <source>Cannot read {path}: {reason}.</source>
        <translation>无法读取{path}：{reason}。</translation>
    </message>
    <message>
        <source>Contact not allowed: {reason} ({detail}). It is allowed from {time}.</source>
        <translation>不允许联系：{reason}（{detail}）。自 {time} 起可以联系。</translation>
    </message>
    <message>
        <source>A promise to pay is recorded with a promise outcome ({codes}), not {code}.</source>
        <translation>承诺还款只能与承诺类结果（{codes}）一起记录，不能用于 {code}。</translation>
    </message>
    <message>
        <source>Nobody answered ({code}): there is no one who agreed a time to call back.</source>
        <translation>无人接听（{code}）：没有人约定回电时间。</translation>
    </message>
    <message>
        <source>{code} is a right-party outcome, but the call went to a third party&apos;s number: record it only when the borrower came to the phone and was verified.</source>
        <translation>{code} 是本人接通类结果，但该电话拨打的是第三方号码：只有在借款人本人接过电话并通过身份核实后才能记录。</translation>
    </message>
    <message>
        <source>This escalation was already decided ({decision}) at {time}.</source>
        <translation>该升级事件已于 {time} 处理（{decision}）。</translation>
    </message>
    <message>
        <source>“{kind}” cannot be resumed here: keep it paused or refer it until it is verified.</source>
        <translation>“{kind}”不能在此恢复催收：核实之前请保持暂停或转交处理。</translation>
    </message>
    <message>
        <source>Another open escalation on this borrower ({kinds}) keeps collection paused; decide it first.</source>
        <translation>该借款人另有未处理的升级事件（{kinds}）使催收保持暂停，请先处理该事件。</translation>
    </message>
    <message>
        <source>Unknown export format “{format}” (one of {known}).</source>
        <translation>未知的导出格式“{format}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>The folder {folder} does not exist.</source>
        <translation>文件夹{folder}不存在。</translation>
    </message>
    <message>
        <source>{path} is a folder; give a file name.</source>
        <translation>{path} 是一个文件夹，请输入文件名。</translation>
    </message>
    <message>
        <source>Cannot write {path}.</source>
        <translation>无法写入 {path}。</translation>
    </message>
    <message>
        <source>{path} is a folder; give a file name ending in .pdf.</source>
        <translation>{path}是一个文件夹；请给出以.pdf结尾的文件名。</translation>
    </message>
    <message>
        <source>Cannot write into {folder}.</source>
        <translation>无法写入文件夹{folder}。</translation>
    </message>
    <message>
        <source>No Chinese font that a PDF can embed was found: install {package} (Debian, Ubuntu) or set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.</source>
        <translation>未找到可嵌入PDF的中文字体：请安装{package}（Debian、Ubuntu），或将{variable}设置为含中文字符的TrueType字体文件（.ttf或.ttc）。</translation>
    </message>
    <message>
        <source>The font file {path} does not exist: install {package} (Debian, Ubuntu) or set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.</source>
        <translation>字体文件{path}不存在：请安装{package}（Debian、Ubuntu），或将{variable}设置为含中文字符的TrueType字体文件（.ttf或.ttc）。</translation>
    </message>
    <message>
        <source>The font {path} has no Chinese characters: install {package} (Debian, Ubuntu) or set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.</source>
        <translation>字体{path}不含中文字符：请安装{package}（Debian、Ubuntu），或将{variable}设置为含中文字符的TrueType字体文件（.ttf或.ttc）。</translation>
    </message>
    <message>
        <source>The font file {path} is not a TrueType font that a PDF can embed (OpenType fonts with CFF outlines, such as most .otf files, are not): install {package} (Debian, Ubuntu) or set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.</source>
        <translation>字体文件{path}不是可嵌入PDF的TrueType字体（采用CFF轮廓的OpenType字体，例如大多数.otf文件，无法嵌入）：请安装{package}（Debian、Ubuntu），或将{variable}设置为含中文字符的TrueType字体文件（.ttf或.ttc）。</translation>
    </message>
    <message>
        <source>The report&apos;s first day ({start}) is after its last day ({end}).</source>
        <translation>报表的起始日期（{start}）晚于截止日期（{end}）。</translation>
    </message>
    <message>
        <source>A report covers at most {limit} days; {start} to {end} is {days} days.</source>
        <translation>报表最多覆盖 {limit} 天；{start} 至 {end} 共 {days} 天。</translation>
    </message>
    <message>
        <source>That person is not a member of team {team}.</source>
        <translation>此人不是 {team} 的成员。</translation>
    </message>
    <message>
        <source>There is no figure “{kpi}” to open (one of {known}).</source>
        <translation>没有可查看的指标“{kpi}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Say which day of the report to open ({start} to {end}, as YYYY-MM-DD).</source>
        <translation>请指定要查看报表中的哪一天（{start} 至 {end}，格式为 YYYY-MM-DD）。</translation>
    </message>
    <message>
        <source>Say which bucket to open (one of {known}).</source>
        <translation>请指定要查看的逾期阶段（可选：{known}）。</translation>
    </message>
    <message>
        <source>The promised amount “{text}” is not a number.</source>
        <translation>承诺金额“{text}”不是有效数字。</translation>
    </message>
    <message>
        <source>Payment “{text}” is not a number.</source>
        <translation>还款金额“{text}”不是有效数字。</translation>
    </message>
    <message>
        <source>Amount “{text}” is not a number.</source>
        <translation>金额“{text}”不是有效数字。</translation>
    </message>
    <message>
        <source>The promised amount must be more than zero (got {text}).</source>
        <translation>承诺金额必须大于零（当前为 {text}）。</translation>
    </message>
    <message>
        <source>Payment must be more than zero (got {text}).</source>
        <translation>还款金额必须大于零（当前为 {text}）。</translation>
    </message>
    <message>
        <source>Amount must be more than zero (got {text}).</source>
        <translation>金额必须大于零（当前为 {text}）。</translation>
    </message>
    <message>
        <source>The promised amount “{text}” has more than two decimal places.</source>
        <translation>承诺金额“{text}”的小数超过两位。</translation>
    </message>
    <message>
        <source>Payment “{text}” has more than two decimal places.</source>
        <translation>还款金额“{text}”的小数超过两位。</translation>
    </message>
    <message>
        <source>Amount “{text}” has more than two decimal places.</source>
        <translation>金额“{text}”的小数超过两位。</translation>
    </message>
    <message>
        <source>A note cannot be empty.</source>
        <translation>备注不能为空。</translation>
    </message>
    <message>
        <source>The note has {length} characters; at most {limit} fit in one note.</source>
        <translation>备注共 {length} 个字符，单条备注最多 {limit} 个字符。</translation>
    </message>
    <message>
        <source>The payment time must carry a time zone.</source>
        <translation>还款时间必须带有时区。</translation>
    </message>
    <message>
        <source>A payment cannot be dated in the future ({paid_at}).</source>
        <translation>还款时间不能晚于当前时间（{paid_at}）。</translation>
    </message>
    <message>
        <source>Unknown payment channel “{channel}” (one of {known}).</source>
        <translation>未知的还款渠道“{channel}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Account {contract_no} is settled; it takes no payments.</source>
        <translation>账户 {contract_no} 已结清，不再接受还款。</translation>
    </message>
    <message>
        <source>Account {contract_no} is written off; it takes no payments.</source>
        <translation>账户 {contract_no} 已核销，不再接受还款。</translation>
    </message>
    <message>
        <source>A payment of {amount} is more than the {owed} owed on {contract_no}.</source>
        <translation>还款金额 {amount} 超过账户 {contract_no} 的欠款金额 {owed}。</translation>
    </message>
    <message>
        <source>The phone number is empty.</source>
        <translation>电话号码为空。</translation>
    </message>
    <message>
        <source>“{text}” is not a phone number.</source>
        <translation>“{text}”不是电话号码。</translation>
    </message>
    <message>
        <source>“{text}” is not a valid phone number (read as {read_as}).</source>
        <translation>“{text}”不是有效的电话号码（识别为 {read_as}）。</translation>
    </message>
    <message>
        <source>Only a team lead can approve or reject a plan.</source>
        <translation>只有组长可以审批或驳回还款计划。</translation>
    </message>
    <message>
        <source>A plan cannot be approved or rejected by the person who made it.</source>
        <translation>还款计划不能由制定人本人审批或驳回。</translation>
    </message>
    <message>
        <source>Say why the plan is rejected: the collector sees the reason.</source>
        <translation>请说明驳回原因：催收员会看到。</translation>
    </message>
    <message>
        <source>The reason is too long ({length} characters; at most 500).</source>
        <translation>原因过长（{length}个字符；最多500个）。</translation>
    </message>
    <message>
        <source>The plan is outside policy and waits for a team lead&apos;s approval; it cannot be issued yet.</source>
        <translation>该还款计划超出政策范围，正在等待组长审批，暂不能出具协议。</translation>
    </message>
    <message>
        <source>Say why the plan is cancelled.</source>
        <translation>请说明取消还款计划的原因。</translation>
    </message>
    <message>
        <source>Only a team lead sees the plans waiting for approval.</source>
        <translation>只有组长可以查看待审批的还款计划。</translation>
    </message>
    <message>
        <source>Account {contract_no} already has an open repayment plan ({status}, made on {made}); cancel it before offering another.</source>
        <translation>账户{contract_no}已有未结束的还款计划（{status}，制定于{made}）；请先取消，再提出新的计划。</translation>
    </message>
    <message>
        <source>Payments come from the lending system: only an administrator records one; what the borrower says they paid is reported instead.</source>
        <translation>还款来自放款系统：只有管理员可以入账；借款人所说的还款改为记录为自报还款。</translation>
    </message>
    <message>
        <source>The time to run at must carry a time zone (e.g. +08:00).</source>
        <translation>运行时间必须带时区（例如 +08:00）。</translation>
    </message>
    <message>
        <source>Reminders run as the server&apos;s system login, not as {login}.</source>
        <translation>提醒须以服务器的系统账号运行，而不是 {login}。</translation>
    </message>
    <message>
        <source>There is no system login for reminders: create one with `central add-user NAME --role system`.</source>
        <translation>没有用于发送提醒的系统账号：请用 `central add-user NAME --role system` 创建。</translation>
    </message>
    <message>
        <source>--limit must be a whole number above 0, not {limit}.</source>
        <translation>--limit 必须是大于0的整数，而不是 {limit}。</translation>
    </message>
    <message>
        <source>Unknown channel “{channel}” (one of sms, email).</source>
        <translation>未知渠道“{channel}”（可选 sms、email）。</translation>
    </message>
    <message>
        <source>There is no account {contract}.</source>
        <translation>没有账户 {contract}。</translation>
    </message>
    <message>
        <source>The time of the notice must carry a time zone.</source>
        <translation>告知时间必须带时区。</translation>
    </message>
    <message>
        <source>Unknown notice channel “{channel}” (one of {known}).</source>
        <translation>未知告知渠道“{channel}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>There is no such account.</source>
        <translation>没有该账户。</translation>
    </message>
    <message>
        <source>Only a team lead or an administrator sees the reminders sent.</source>
        <translation>只有组长或管理员可以查看已发送的提醒。</translation>
    </message>
    <message>
        <source>{day} has not come yet: what tomorrow&apos;s runs would send is in the preview.</source>
        <translation>{day} 尚未到来：明日各次发送将发出的内容请看预览。</translation>
    </message>
    <message>
        <source>There is no reminder strategy for profile {profile} ({path}).</source>
        <translation>规则配置 {profile} 没有提醒策略（{path}）。</translation>
    </message>
    <message>
        <source>The reminder strategy {path} is not valid JSON: {error}.</source>
        <translation>提醒策略 {path} 不是有效的JSON：{error}。</translation>
    </message>
    <message>
        <source>The reminder strategy {path} is not an object.</source>
        <translation>提醒策略 {path} 不是对象。</translation>
    </message>
    <message>
        <source>The reminder strategy {path} cannot be used: {problems}.</source>
        <translation>提醒策略 {path} 无法使用：{problems}。</translation>
    </message>
    <message>
        <source>The reminder templates {path} cannot be read: {error}.</source>
        <translation>无法读取提醒模板 {path}：{error}。</translation>
    </message>
    <message>
        <source>The reminder templates {path} cannot be used: {problems}.</source>
        <translation>提醒模板 {path} 无法使用：{problems}。</translation>
    </message>
    <message>
        <source>The education texts {path} cannot be read: {error}.</source>
        <translation>无法读取客户教育文本 {path}：{error}。</translation>
    </message>
    <message>
        <source>The education texts {path} need zh_CN and en: {names}.</source>
        <translation>客户教育文本 {path} 需要 zh_CN 和 en 两种语言：{names}。</translation>
    </message>
    <message>
        <source>No letter goes to account {contract_no}: {reason}.</source>
        <translation>账户{contract_no}不能发函：{reason}。</translation>
    </message>
    <message>
        <source>The connection to the mail server {server} was lost before the whole message went: it did not arrive, and is sent again.</source>
        <translation>与邮件服务器 {server} 的连接在邮件完整发出前中断：邮件未送达，将再次发送。</translation>
    </message>
    <message>
        <source>The connection to the mail server {server} was lost after the whole message went, before its answer: it may have arrived, and is not sent again by itself.</source>
        <translation>邮件已完整发出，但在邮件服务器 {server} 应答前连接中断：邮件可能已送达，不会自动再次发送。</translation>
    </message>
    <message>
        <source>“{at}” is not a time to run at: give one between the years {first} and {last}.</source>
        <translation>“{at}”不能作为运行时间：请给出 {first} 年至 {last} 年之间的时间。</translation>
    </message>
    <message>
        <source>A run that sends through a provider ({channels}) sends now, not at {at}: what goes out goes now. To see what a run at another time would send, add --dry-run.</source>
        <translation>经服务商发送的运行只能在当前时间进行（{channels}），不能指定{at}：发出的消息此刻就会发出。如需查看其他时间会发送什么，请加上 --dry-run。</translation>
    </message>
    <message>
        <source>The delivery report for {key} is dated {reported}, ahead of now.</source>
        <translation>{key} 的送达回执日期为 {reported}，晚于当前时间。</translation>
    </message>
    <message>
        <source>The delivery report for {key} is dated {reported}, before its message was sent ({sent}).</source>
        <translation>{key} 的送达回执日期为 {reported}，早于该消息的发送时间（{sent}）。</translation>
    </message>
    <message>
        <source>None of the accounts {username} may see is overdue in {buckets}: no letter to write.</source>
        <translation>{username}可查看的账户中没有处于{buckets}的逾期账户：无需发函。</translation>
    </message>
    <message>
        <source>None of the accounts {username} may see is overdue: no letter to write.</source>
        <translation>{username}可查看的账户中没有逾期账户：无需发函。</translation>
    </message>
    <message>
        <source>There is no kind of letter “{kind}” (known: {known}).</source>
        <translation>没有“{kind}”这种函件（可用：{known}）。</translation>
    </message>
    <message>
        <source>Only a team lead issues a credit-reporting notice; {username} may issue a demand letter.</source>
        <translation>不良信息报送告知书只能由组长出具；{username} 可以出具催收函。</translation>
    </message>
    <message>
        <source>The time a letter is issued must carry a time zone (e.g. +08:00).</source>
        <translation>出具函件的时间必须带时区（例如 +08:00）。</translation>
    </message>
    <message>
        <source>A letter is dated when it is issued: {at} is ahead of now.</source>
        <translation>函件的日期即出具之时：{at} 晚于当前时间。</translation>
    </message>
    <message>
        <source>A credit-reporting notice is dated when it is issued, never earlier: {at} is before now.</source>
        <translation>不良信息报送告知书的日期即出具之时，不得倒签：{at} 早于当前时间。</translation>
    </message>
    <message>
        <source>Letters are printed in {known}, not “{language}”.</source>
        <translation>函件只能以{known}打印，不支持“{language}”。</translation>
    </message>
    <message>
        <source>There is no bucket {bucket} (known: {known}).</source>
        <translation>没有账龄段{bucket}（可用：{known}）。</translation>
    </message>
    <message>
        <source>Letter {number} is on record, but its file could not be named {path} ({reason}); it is at {temporary}.</source>
        <translation>函件{number}已登记，但文件无法命名为{path}（{reason}）；文件位于{temporary}。</translation>
    </message>
    <message>
        <source>A credit-reporting notice is dated when it is given, now, not {at}.</source>
        <translation>不良信息报送告知的日期即告知之时（当前时间），不能是{at}。</translation>
    </message>
    <message>
        <source>The file holds no list of delivery reports.</source>
        <translation>该文件中没有送达回执列表。</translation>
    </message>
    <message>
        <source>Delivery report {number} is not an object with provider_id, to, delivered and reported_at.</source>
        <translation>第 {number} 条送达回执不是包含 provider_id、to、delivered 和 reported_at 的对象。</translation>
    </message>
    <message>
        <source>Delivery report {number} has no “{field}”.</source>
        <translation>第 {number} 条送达回执缺少“{field}”。</translation>
    </message>
    <message>
        <source>Delivery report {number}: “{field}” must be text.</source>
        <translation>第 {number} 条送达回执：“{field}”必须是文本。</translation>
    </message>
    <message>
        <source>Delivery report {number}: “{field}” must be true or false.</source>
        <translation>第 {number} 条送达回执：“{field}”必须是 true 或 false。</translation>
    </message>
    <message>
        <source>Delivery report {number}: “{field}” must be an ISO-8601 time with its offset, e.g. 2026-12-01T10:05:00+08:00.</source>
        <translation>第 {number} 条送达回执：“{field}”必须是带时区偏移的 ISO-8601 时间，例如 2026-12-01T10:05:00+08:00。</translation>
    </message>
    <message>
        <source>Delivery report {number}: “{field}” lies outside the years {first} to {last}.</source>
        <translation>第 {number} 条送达回执：“{field}”不在 {first} 年至 {last} 年之间。</translation>
    </message>
    <message>
        <source>Another reminders run is under way: this one sends nothing.</source>
        <translation>另一次提醒发送正在进行：本次不发送任何消息。</translation>
    </message>
    <message>
        <source>lender.json payment_link must be https://HOST/…{{contract_no}}…, the contract number once after the site&apos;s address, not “{link}”.</source>
        <translation>lender.json 的 payment_link 必须为 https://域名/…{{contract_no}}…，合同号在网站地址之后出现一次，不能是“{link}”。</translation>
    </message>
    <message>
        <source>The SMS template {template} ({language}) has no code registered with the education text {education}.</source>
        <translation>短信模板 {template}（{language}）没有附带宣传教育文字 {education} 的已报备模板代码。</translation>
    </message>
    <message>
        <source>Only an administrator settles a message whose answer was lost, not {user}.</source>
        <translation>只有管理员才能确认结果丢失的消息，{user} 不能。</translation>
    </message>
    <message>
        <source>There is no reminder message {key}.</source>
        <translation>没有提醒消息 {key}。</translation>
    </message>
    <message>
        <source>The message {key} is not uncertain: it is {status} already.</source>
        <translation>消息 {key} 的结果并非不明：它已是 {status}。</translation>
    </message>
    <message>
        <source>The message {key} is not uncertain: no send of it began (a run sends it while it is due).</source>
        <translation>消息 {key} 的结果并非不明：它还没有开始发送（在应发期间由发送任务发出）。</translation>
    </message>
    <message>
        <source>No out-of-time weeks after {date}: the history ends {end}, and each day needs the 7 days after it</source>
        <translation>{date} 之后没有可用于跨期检验的周：历史记录止于 {end}，而每一天都需要其后 7 天的记录</translation>
    </message>
    <message>
        <source>{path} is not a scorecard this program reads: {key} is missing or wrong</source>
        <translation>{path} 不是本程序可读取的评分卡：{key} 缺失或有误</translation>
    </message>
    <message>
        <source>The weeks after {date} have no account that paid or none that did not: nothing to compare</source>
        <translation>{date} 之后的几周里没有还款的账户，或没有未还款的账户：无从比较</translation>
    </message>
    <message>
        <source>Cannot read the scorecard file {path}</source>
        <translation>无法读取评分卡文件 {path}</translation>
    </message>
    <message>
        <source>{path} is not a JSON document</source>
        <translation>{path} 不是 JSON 文档</translation>
    </message>
    <message>
        <source>Only an administrator stores a scorecard.</source>
        <translation>只有管理员可以存储评分卡。</translation>
    </message>
    <message>
        <source>This scorecard is stored already, as version {version}.</source>
        <translation>该评分卡已存储，版本为 {version}。</translation>
    </message>
    <message>
        <source>Another scorecard was stored at the same moment: upload it again.</source>
        <translation>同一时刻存储了另一张评分卡：请重新上传。</translation>
    </message>
    <message>
        <source>There is no scorecard version {version}. `collector-workstation model list` lists them.</source>
        <translation>没有版本为 {version} 的评分卡。`collector-workstation model list` 可列出所有版本。</translation>
    </message>
    <message>
        <source>Version {version} is the team&apos;s scorecard already.</source>
        <translation>版本 {version} 已是本组使用的评分卡。</translation>
    </message>
    <message>
        <source>No scorecard is promoted for the team yet: promote one first.</source>
        <translation>本组尚未启用任何评分卡：请先启用一个版本。</translation>
    </message>
    <message>
        <source>Scoring is on for the team already.</source>
        <translation>本组的评分已处于开启状态。</translation>
    </message>
    <message>
        <source>Scoring is off for the team already.</source>
        <translation>本组的评分已处于关闭状态。</translation>
    </message>
    <message>
        <source>Only a team lead chooses the team&apos;s scorecard.</source>
        <translation>只有组长可以选择本组的评分卡。</translation>
    </message>
    <message>
        <source>Name the team (--team).</source>
        <translation>请指定小组（--team）。</translation>
    </message>
    <message>
        <source>Cannot read the report {path}: give the folder `model report` wrote.</source>
        <translation>无法读取报告 {path}：请提供 `model report` 写出的文件夹。</translation>
    </message>
    <message>
        <source>The report {path} is not of this scorecard ({version}).</source>
        <translation>报告 {path} 不属于此评分卡（{version}）。</translation>
    </message>
    <message>
        <source>The database holds no collection history to learn from</source>
        <translation>数据库中没有可供学习的催收历史</translation>
    </message>
    <message>
        <source>No history to learn from before {date}: it starts {first}, and each day needs the 7 days after it</source>
        <translation>{date} 之前没有可供学习的历史：历史记录始于 {first}，而每一天都需要其后 7 天的记录</translation>
    </message>
    <message>
        <source>The history before {date} has no account that paid or none that did not: nothing to learn</source>
        <translation>{date} 之前的历史中没有还款的账户，或没有未还款的账户：无从学习</translation>
    </message>
    <message>
        <source>Nothing waits to be sent in this copy: there is nothing to keep aside.</source>
        <translation>此副本中没有等待上传的改动：无需另行保管。</translation>
    </message>
    <message>
        <source>The local data here opens with a passphrase typed at each start, which the next user types too: kept aside, {username}&apos;s copy would open for them. {username} signs in to send the changes instead.</source>
        <translation>此处的本地数据用每次启动时输入的口令打开，下一位用户也会输入同一口令：若另行保管，{username} 的副本仍能被他们打开。请改由 {username} 登录上传这些改动。</translation>
    </message>
    <message>
        <source>A copy of {username} is already kept aside on this workstation: {username} signs in to send its changes first.</source>
        <translation>本工作站上已另行保管了一份 {username} 的副本：请 {username} 先登录上传其中的改动。</translation>
    </message>
    <message>
        <source>No copy of {username} is kept aside on this workstation.</source>
        <translation>本工作站上没有另行保管的 {username} 的副本。</translation>
    </message>
    <message>
        <source>{count} changes of {username} are still waiting to be sent: sign in as {username} and sync, or keep them aside for {username}, before another copy takes this one&apos;s place.</source>
        <translation>{username} 还有 {count} 条改动等待上传：请以 {username} 登录并同步，或为 {username} 另行保管这些改动，之后才能换用另一份副本。</translation>
    </message>
    <message>
        <source>The key of the copy kept aside for {username} is no longer in this computer&apos;s keychain: the copy stays aside, unread.</source>
        <translation>为 {username} 另行保管的副本的密钥已不在本机的系统钥匙串中：该副本继续保管，不会被读取。</translation>
    </message>
    <message>
        <source>The copy kept aside for {username} does not open as theirs: it stays aside, unread.</source>
        <translation>为 {username} 另行保管的副本无法作为其本人的副本打开：该副本继续保管，不会被读取。</translation>
    </message>
    <message>
        <source>{count} changes of {username} are still waiting to be sent: sign in as {username} and sync, or keep them aside for {username}.</source>
        <translation>{username} 还有 {count} 条改动等待上传：请以 {username} 登录并同步，或为 {username} 另行保管这些改动。</translation>
    </message>
    <message>
        <source>The keychain refused to keep the local data&apos;s key ({reason}): nothing was moved.</source>
        <translation>系统钥匙串拒绝保存本地数据的密钥（{reason}）：未移动任何数据。</translation>
    </message>
    <message>
        <source>The central database is PostgreSQL; {url} is not.</source>
        <translation>中央数据库须为PostgreSQL；{url}不是。</translation>
    </message>
    <message>
        <source>Name the team.</source>
        <translation>请填写小组名称。</translation>
    </message>
    <message>
        <source>“{team}” cannot be a team&apos;s name: at most {count} characters, no control characters.</source>
        <translation>“{team}”不能作为小组名称：最多 {count} 个字符，且不能含控制字符。</translation>
    </message>
    <message>
        <source>The reminders job&apos;s system login belongs to no team: leave out --team.</source>
        <translation>提醒任务的系统登录不属于任何小组：请去掉 --team。</translation>
    </message>
    <message>
        <source>“{username}” cannot be a user name: lower-case letters, digits, dot, dash or underscore, starting with a letter, 2 to 60 characters.</source>
        <translation>“{username}”不能用作用户名：只能包含小写字母、数字、点、连字符或下划线，以字母开头，长度2至60个字符。</translation>
    </message>
    <message>
        <source>Unknown role “{role}” (one of {known}).</source>
        <translation>未知的角色“{role}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>The password is too short: at least {count} characters.</source>
        <translation>密码太短：至少需要{count}个字符。</translation>
    </message>
    <message>
        <source>Name the user&apos;s team.</source>
        <translation>请填写该用户所属的小组。</translation>
    </message>
    <message>
        <source>“{name}” cannot be a display name: 1 to {count} characters, no control characters.</source>
        <translation>“{name}”不能作为显示名称：须为 1 到 {count} 个字符，且不能含控制字符。</translation>
    </message>
    <message>
        <source>There is already a user “{username}”.</source>
        <translation>用户“{username}”已存在。</translation>
    </message>
    <message>
        <source>The server already has a role “{username}”; choose another user name.</source>
        <translation>服务器上已有角色“{username}”；请换一个用户名。</translation>
    </message>
    <message>
        <source>There is no team “{team}”. `collector-workstation central team list` lists them; --new-team makes it.</source>
        <translation>没有名为“{team}”的小组。`collector-workstation central team list` 可列出所有小组；加上 --new-team 则新建该小组。</translation>
    </message>
    <message>
        <source>{username} is already deactivated.</source>
        <translation>{username} 已经停用。</translation>
    </message>
    <message>
        <source>You cannot deactivate yourself ({username}): another administrator does it.</source>
        <translation>不能停用您自己（{username}）：请由另一位管理员操作。</translation>
    </message>
    <message>
        <source>{username} is the last active administrator, and the database needs one.</source>
        <translation>{username} 是最后一位在职管理员，数据库至少需要一位。</translation>
    </message>
    <message>
        <source>There is already a team “{team}”.</source>
        <translation>已有名为“{team}”的小组。</translation>
    </message>
    <message>
        <source>Team {team} already has that name.</source>
        <translation>小组 {team} 已经叫这个名字。</translation>
    </message>
    <message>
        <source>No keychain is available to remember the password.</source>
        <translation>没有可用的系统钥匙串，无法记住密码。</translation>
    </message>
    <message>
        <source>The keychain refused to remember the password ({reason}).</source>
        <translation>系统钥匙串拒绝保存密码（{reason}）。</translation>
    </message>
    <message>
        <source>No keychain is available to keep the local data&apos;s key: enter a passphrase instead.</source>
        <translation>没有可用的系统钥匙串来保存本地数据的密钥：请改为输入口令。</translation>
    </message>
    <message>
        <source>The keychain refused to keep the local data&apos;s key ({reason}): enter a passphrase instead.</source>
        <translation>系统钥匙串拒绝保存本地数据的密钥（{reason}）：请改为输入口令。</translation>
    </message>
    <message>
        <source>The passphrase is too short: at least {count} characters.</source>
        <translation>口令太短：至少需要{count}个字符。</translation>
    </message>
    <message>
        <source>The local data in {folder} does not open with this key or passphrase.</source>
        <translation>无法用此密钥或口令打开{folder}中的本地数据。</translation>
    </message>
    <message>
        <source>The plan&apos;s first payment was due on {date}, which has passed while it waited: cancel it and offer a new one.</source>
        <translation>该还款计划的首笔还款应于{date}支付，在等待期间已过期：请取消该计划并重新提出。</translation>
    </message>
    <message>
        <source>Cannot write {path}: {reason}.</source>
        <translation>无法写入 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{field} is too long ({length} characters; at most {longest}).</source>
        <translation>{field}过长（{length}个字符；最多{longest}个）。</translation>
    </message>
    <message>
        <source>{field} holds a control or invisible character ({code}): type it again.</source>
        <translation>{field}含有控制字符或不可见字符（{code}）：请重新输入。</translation>
    </message>
    <message>
        <source>{field} starts with “{sign}”, as a spreadsheet formula does.</source>
        <translation>{field}以“{sign}”开头，会被电子表格当作公式。</translation>
    </message>
    <message>
        <source>Write at least one day&apos;s feed.</source>
        <translation>至少要写一天的推送文件。</translation>
    </message>
    <message>
        <source>The feed&apos;s days would run to {last}, after today: build the demo further back (demo-data --as-of, {days} days ago or more) or write fewer days.</source>
        <translation>推送文件的日期将延续到 {last}，晚于今天：请把演示数据建得更早（demo-data --as-of，至少 {days} 天前），或少写几天。</translation>
    </message>
    <message>
        <source>The database holds no demo portfolio: build one first (demo-data).</source>
        <translation>数据库中没有演示资产包：请先生成一个（demo-data）。</translation>
    </message>
    <message>
        <source>waiting for a decision</source>
        <translation>等待处理决定</translation>
    </message>
    <message>
        <source>kept paused</source>
        <translation>保持暂停</translation>
    </message>
    <message>
        <source>collection resumed</source>
        <translation>已恢复催收</translation>
    </message>
    <message>
        <source>referred</source>
        <translation>已转介</translation>
    </message>
    <message>
        <source>Choose the outcome of the call.</source>
        <translation>请选择通话结果。</translation>
    </message>
    <message>
        <source>A script stage was given without the path taken through it.</source>
        <translation>给出了话术阶段，却没有给出话术中走过的步骤。</translation>
    </message>
    <message>
        <source>Say which call script the path follows (its stage).</source>
        <translation>请说明步骤所依据的话术（其阶段）。</translation>
    </message>
    <message>
        <source>The “{stage}” script is not for a contact by {channel}.</source>
        <translation>“{stage}”话术不适用于{channel}方式的联系。</translation>
    </message>
    <message>
        <source>Give and tick the required disclosures: {items}.</source>
        <translation>请完成并勾选必需的告知事项：{items}。</translation>
    </message>
    <message>
        <source>The identity check failed: a right-party outcome cannot be logged.</source>
        <translation>身份核实未通过，不能记录为本人接通的结果。</translation>
    </message>
    <message>
        <source>{code} is a right-party outcome: record it with the path taken through the call script, in which the identity check verified the borrower.</source>
        <translation>{code} 是本人接触结果：须连同话术中走过的步骤一并记录，且其中身份核实已确认为借款人本人。</translation>
    </message>
    <message>
        <source>The script recorded “{emotion}”: record it as the emotion.</source>
        <translation>话术中已记录“{emotion}”，请将其记录为客户情绪。</translation>
    </message>
    <message>
        <source>Go back to “{title}” to tick it: a disclosure is ticked when it is said.</source>
        <translation>请返回“{title}”再勾选：告知事项须在告知时勾选。</translation>
    </message>
    <message>
        <source>The script path is empty.</source>
        <translation>话术步骤为空。</translation>
    </message>
    <message>
        <source>The script path does not follow “{title}”: step {number}, “{entry}”, is not where the script goes from there.</source>
        <translation>话术步骤不符合“{title}”：第 {number} 步“{entry}”不是话术从上一步可到达的步骤。</translation>
    </message>
    <message>
        <source>{value} is already one of {borrower}&apos;s contact points.</source>
        <translation>{value}已是{borrower}的联系方式之一。</translation>
    </message>
    <message>
        <source>Unknown kind of contact point “{kind}” (one of {known}).</source>
        <translation>未知的联系方式类型“{kind}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>The name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>The relation</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>A third party (an emergency contact) needs their name and their relation to the borrower.</source>
        <translation>第三方（紧急联系人）需要填写姓名及与借款人的关系。</translation>
    </message>
    <message>
        <source>Only a third party (an emergency contact) has a name and a relation.</source>
        <translation>只有第三方（紧急联系人）才填写姓名和关系。</translation>
    </message>
    <message>
        <source>An address needs at least its province (or state) and city.</source>
        <translation>地址至少需要省份（或州）和城市。</translation>
    </message>
    <message>
        <source>Only an address has a province, a city and a street.</source>
        <translation>只有地址才有省份、城市和街道。</translation>
    </message>
    <message>
        <source>The number or e-mail address</source>
        <translation>号码或电子邮箱</translation>
    </message>
    <message>
        <source>“{text}” is not a valid e-mail address.</source>
        <translation>“{text}”不是有效的电子邮箱。</translation>
    </message>
    <message>
        <source>The borrower&apos;s words</source>
        <translation>借款人原话</translation>
    </message>
    <message>
        <source>Write down the borrower&apos;s own words asking not to be called on this number.</source>
        <translation>请记下借款人要求不要拨打此号码的原话。</translation>
    </message>
    <message>
        <source>Only a do-not-call mark carries the borrower&apos;s words.</source>
        <translation>只有勿扰标记才记录借款人原话。</translation>
    </message>
    <message>
        <source>{value} is already marked verified.</source>
        <translation>{value}已标记为已核实。</translation>
    </message>
    <message>
        <source>{value} is marked wrong: only a team lead lifts that mark, before it can be verified.</source>
        <translation>{value}已标记为错误：须由组长先解除该标记，才能标记为已核实。</translation>
    </message>
    <message>
        <source>{value} is already marked wrong.</source>
        <translation>{value}已标记为错误。</translation>
    </message>
    <message>
        <source>An address cannot be marked do-not-call; mark it wrong.</source>
        <translation>地址不能标记为勿扰；请标记为错误。</translation>
    </message>
    <message>
        <source>{value} is already marked do-not-call.</source>
        <translation>{value}已标记为勿扰。</translation>
    </message>
    <message>
        <source>Only a wrong-number or a do-not-call mark is lifted (one of {known}).</source>
        <translation>只能解除错号或勿扰标记（可选：{known}）。</translation>
    </message>
    <message>
        <source>{value} has no such mark to lift.</source>
        <translation>{value}没有可解除的该标记。</translation>
    </message>
    <message>
        <source>Unknown mark “{mark}” (one of {known}).</source>
        <translation>未知标记“{mark}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Only a team lead lifts a mark that pauses collection.</source>
        <translation>只有组长才能解除暂停催收的标记。</translation>
    </message>
    <message>
        <source>That contact point is not {borrower}&apos;s.</source>
        <translation>该联系方式不属于{borrower}。</translation>
    </message>
    <message>
        <source>The contact point</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>The agreed window starts and ends at {time}: give two times.</source>
        <translation>约定时段的开始和结束都是{time}：请给出两个不同的时间。</translation>
    </message>
    <message>
        <source>The attorney&apos;s name</source>
        <translation>律师姓名</translation>
    </message>
    <message>
        <source>The attorney&apos;s firm</source>
        <translation>律师事务所</translation>
    </message>
    <message>
        <source>Give the attorney&apos;s name.</source>
        <translation>请填写律师姓名。</translation>
    </message>
    <message>
        <source>The attorney&apos;s phone number</source>
        <translation>律师电话</translation>
    </message>
    <message>
        <source>{borrower} is not marked as represented by an attorney.</source>
        <translation>{borrower}未标记为已委托律师。</translation>
    </message>
    <message>
        <source>The borrower of {contract_no} moved away and no new address is known yet: it cannot be visited.</source>
        <translation>合同{contract_no}的借款人已搬离，尚无新地址：无法上门。</translation>
    </message>
    <message>
        <source>Only a “moved away” outcome carries a new address.</source>
        <translation>只有“已搬离”结果才记录新地址。</translation>
    </message>
    <message>
        <source>The new address is the one visited: give where the borrower went.</source>
        <translation>新地址与本次上门的地址相同：请填写借款人搬去的地址。</translation>
    </message>
    <message>
        <source>{field} has {length} characters; at most {limit}.</source>
        <translation>{field}有 {length} 个字符；最多 {limit} 个。</translation>
    </message>
    <message>
        <source>The complaint</source>
        <translation>投诉内容</translation>
    </message>
    <message>
        <source>Write what the borrower complains of.</source>
        <translation>请填写借款人投诉的内容。</translation>
    </message>
    <message>
        <source>The reference</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>The complaint was received at {time}, after now.</source>
        <translation>投诉的收到时间为 {time}，晚于当前时间。</translation>
    </message>
    <message>
        <source>The complaint was received at {time}: more than {days} days ago.</source>
        <translation>投诉的收到时间为 {time}：已超过 {days} 天。</translation>
    </message>
    <message>
        <source>There is no collector “{username}” in the account&apos;s team.</source>
        <translation>该账户所属小组中没有催收员“{username}”。</translation>
    </message>
    <message>
        <source>The reply</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Write what the borrower was answered.</source>
        <translation>请填写对借款人的答复内容。</translation>
    </message>
    <message>
        <source>Only a team lead replies to a complaint.</source>
        <translation>只有组长才能答复投诉。</translation>
    </message>
    <message>
        <source>There is no complaint {id} you may see.</source>
        <translation>不存在您可查看的投诉 {id}。</translation>
    </message>
    <message>
        <source>The complaint on {contract_no} belongs to another team&apos;s account.</source>
        <translation>{contract_no} 的投诉属于其他小组的账户。</translation>
    </message>
    <message>
        <source>This complaint was already answered at {time}.</source>
        <translation>该投诉已于 {time} 答复。</translation>
    </message>
    <message>
        <source>What the borrower disputes</source>
        <translation>借款人异议的内容</translation>
    </message>
    <message>
        <source>Write what the borrower disputes, in their words.</source>
        <translation>请按借款人原话填写其异议的内容。</translation>
    </message>
    <message>
        <source>The claim has {length} characters; at most {limit}.</source>
        <translation>客户主张有 {length} 个字符；最多 {limit} 个。</translation>
    </message>
    <message>
        <source>The payment claimed is dated {day}, after today.</source>
        <translation>所称还款的日期为 {day}，晚于今天。</translation>
    </message>
    <message>
        <source>The payment&apos;s reference</source>
        <translation>还款流水号</translation>
    </message>
    <message>
        <source>Account {contract_no} has no dispute (DSP) contact without a case.</source>
        <translation>账户 {contract_no} 没有尚未登记案件的异议（DSP）联系记录。</translation>
    </message>
    <message>
        <source>Account {contract_no} has no contact {id}.</source>
        <translation>账户 {contract_no} 没有联系记录 {id}。</translation>
    </message>
    <message>
        <source>A dispute is opened from a contact whose outcome was a dispute (DSP), not {disposition}.</source>
        <translation>异议须从结果为异议（DSP）的联系记录登记，而不是 {disposition}。</translation>
    </message>
    <message>
        <source>A dispute is opened from your own contact (or by a team lead).</source>
        <translation>异议须从您本人的联系记录登记（或由组长登记）。</translation>
    </message>
    <message>
        <source>A dispute case was already opened from this contact.</source>
        <translation>该联系记录已登记过异议案件。</translation>
    </message>
    <message>
        <source>There is no dispute case {id} you may see.</source>
        <translation>不存在您可查看的异议案件 {id}。</translation>
    </message>
    <message>
        <source>The reasons</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>The correction expected</source>
        <translation>预计更正</translation>
    </message>
    <message>
        <source>Say why the dispute is rejected.</source>
        <translation>请说明驳回异议的理由。</translation>
    </message>
    <message>
        <source>A rejected dispute expects no correction.</source>
        <translation>被驳回的异议不需要更正。</translation>
    </message>
    <message>
        <source>Say what correction the lending system is expected to make (the amounts are corrected through the feed, not here).</source>
        <translation>请说明放款系统应作出的更正（金额通过推送文件更正，不在此处修改）。</translation>
    </message>
    <message>
        <source>Only a team lead decides a dispute.</source>
        <translation>只有组长才能对异议作出决定。</translation>
    </message>
    <message>
        <source>The dispute on {contract_no} belongs to another team&apos;s account.</source>
        <translation>{contract_no} 的异议属于其他小组的账户。</translation>
    </message>
    <message>
        <source>This dispute was already decided ({decision}) at {time}.</source>
        <translation>该异议已于 {time} 作出决定（{decision}）。</translation>
    </message>
    <message>
        <source>This dispute was already decided ({decision}); evidence sent now belongs to a new dispute.</source>
        <translation>该异议已作出决定（{decision}）；现在收到的材料应作为新的异议处理。</translation>
    </message>
    <message>
        <source>Unknown dispute kind “{kind}” (one of {known}).</source>
        <translation>未知的异议类型“{kind}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Unknown complaint channel “{channel}” (one of {known}).</source>
        <translation>未知的投诉渠道“{channel}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Unknown complaint category “{category}” (one of {known}).</source>
        <translation>未知的投诉类别“{category}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Unknown purpose “{purpose}”; one of: {known}.</source>
        <translation>未知用途“{purpose}”；可选：{known}。</translation>
    </message>
    <message>
        <source>A file&apos;s name is needed.</source>
        <translation>需要文件名。</translation>
    </message>
    <message>
        <source>The file&apos;s name {name} has control characters; rename the file first.</source>
        <translation>文件名 {name} 含有控制字符，请先重命名该文件。</translation>
    </message>
    <message>
        <source>The file&apos;s name {name} is not a bare file name (no folder, no leading or trailing spaces).</source>
        <translation>文件名 {name} 不是单纯的文件名（不得含文件夹，首尾不得有空格）。</translation>
    </message>
    <message>
        <source>The file&apos;s name is longer than {limit} characters.</source>
        <translation>文件名超过 {limit} 个字符。</translation>
    </message>
    <message>
        <source>The file {name} is empty.</source>
        <translation>文件 {name} 是空的。</translation>
    </message>
    <message>
        <source>The file {name} is {size} bytes; an attachment is at most {limit} bytes.</source>
        <translation>文件 {name} 有 {size} 字节；附件最大为 {limit} 字节。</translation>
    </message>
    <message>
        <source>The file {name} is not a JPEG, PNG or PDF file (by its content, whatever its name).</source>
        <translation>文件 {name} 不是 JPEG、PNG 或 PDF 文件（按文件内容判断，与文件名无关）。</translation>
    </message>
    <message>
        <source>The photo {name} cannot be read as an image.</source>
        <translation>照片 {name} 无法作为图像读取。</translation>
    </message>
    <message>
        <source>{path} is not a file.</source>
        <translation>{path} 不是文件。</translation>
    </message>
    <message>
        <source>There is no file {path}.</source>
        <translation>文件 {path} 不存在。</translation>
    </message>
    <message>
        <source>The content of {name} is not in this copy.</source>
        <translation>本副本中没有 {name} 的内容。</translation>
    </message>
    <message>
        <source>{path} is outside {folder}.</source>
        <translation>{path} 不在 {folder} 中。</translation>
    </message>
    <message>
        <source>{path} is there already; save into another folder.</source>
        <translation>{path} 已存在；请保存到其他文件夹。</translation>
    </message>
    <message>
        <source>Give the shares as champion/challenger/holdout in whole percents, such as 45/45/10, not “{text}”.</source>
        <translation>请按“冠军/挑战者/保留组”的整数百分比填写比例，例如 45/45/10，而不是“{text}”。</translation>
    </message>
    <message>
        <source>The shares {shares} must be whole percents that add up to 100.</source>
        <translation>比例 {shares} 必须是合计为 100 的整数百分比。</translation>
    </message>
    <message>
        <source>The champion and the challenger each need a share of the accounts ({shares}).</source>
        <translation>冠军组和挑战者组都必须分到一部分账户（{shares}）。</translation>
    </message>
    <message>
        <source>The weights file is larger than {limit} KB: it is not a queue weighting.</source>
        <translation>权重文件超过 {limit} KB：这不是队列权重文件。</translation>
    </message>
    <message>
        <source>The weights file is not JSON text: give a file shaped like queue_weights.json.</source>
        <translation>权重文件不是 JSON 文本：请提供与 queue_weights.json 结构相同的文件。</translation>
    </message>
    <message>
        <source>The challenger changes how accounts are scored, not which facts are read: {key} must stay {value}.</source>
        <translation>挑战者只能改变账户的评分方式，不能改变读取哪些事实：{key} 必须保持为 {value}。</translation>
    </message>
    <message>
        <source>The weights file lacks “{key}”.</source>
        <translation>权重文件缺少“{key}”。</translation>
    </message>
    <message>
        <source>The weights file has “{key}”, which the queue has not.</source>
        <translation>权重文件含有队列没有的“{key}”。</translation>
    </message>
    <message>
        <source>“{key}” in the weights file must be a group of weights.</source>
        <translation>权重文件中的“{key}”必须是一组权重。</translation>
    </message>
    <message>
        <source>“{key}” in the weights file must be a whole number between −{largest} and {largest}.</source>
        <translation>权重文件中的“{key}”必须是 −{largest} 到 {largest} 之间的整数。</translation>
    </message>
    <message>
        <source>“{key}” in the weights file cannot be negative.</source>
        <translation>权重文件中的“{key}”不能为负数。</translation>
    </message>
    <message>
        <source>The promised amount “{text}” is more than {largest}.</source>
        <translation>承诺金额“{text}”超过上限 {largest}。</translation>
    </message>
    <message>
        <source>Payment “{text}” is more than {largest}.</source>
        <translation>还款金额“{text}”超过上限 {largest}。</translation>
    </message>
    <message>
        <source>Amount “{text}” is more than {largest}.</source>
        <translation>金额“{text}”超过上限 {largest}。</translation>
    </message>
    <message>
        <source>The note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>{username} works no accounts, so has no day of their own: the day is a collector&apos;s, a field agent&apos;s or a team lead&apos;s.</source>
        <translation>{username} 名下没有账户，因此没有自己的一天：“我的一天”属于催收员、外访员或组长。</translation>
    </message>
    <message>
        <source>The challenger&apos;s cure rate is not yet significantly different from the champion&apos;s (p = {p}; {challenger} and {champion} accounts).</source>
        <translation>挑战者的回正率与冠军相比尚无显著差异（p = {p}；分别为 {challenger} 和 {champion} 个账户）。</translation>
    </message>
    <message>
        <source>The challenger&apos;s roll rate is not yet significantly different from the champion&apos;s (p = {p}; {challenger} and {champion} accounts).</source>
        <translation>挑战者的迁徙率与冠军相比尚无显著差异（p = {p}；分别为 {challenger} 和 {champion} 个账户）。</translation>
    </message>
    <message>
        <source>The challenger&apos;s amount collected per account is not yet significantly different from the champion&apos;s (p = {p}; {challenger} and {champion} accounts).</source>
        <translation>挑战者的户均回收金额与冠军相比尚无显著差异（p = {p}；分别为 {challenger} 和 {champion} 个账户）。</translation>
    </message>
    <message>
        <source>The challenger&apos;s contacts per cure are not yet significantly different from the champion&apos;s ({challenger} and {champion} accounts).</source>
        <translation>挑战者每次回正所需联系次数与冠军相比尚无显著差异（分别为 {challenger} 和 {champion} 个账户）。</translation>
    </message>
    <message>
        <source>Only a team lead defines or stops an experiment.</source>
        <translation>只有组长可以定义或停止实验。</translation>
    </message>
    <message>
        <source>{username} belongs to no team.</source>
        <translation>{username} 不属于任何小组。</translation>
    </message>
    <message>
        <source>Give the experiment a name.</source>
        <translation>请为实验命名。</translation>
    </message>
    <message>
        <source>An experiment&apos;s name is at most {limit} characters.</source>
        <translation>实验名称最多 {limit} 个字符。</translation>
    </message>
    <message>
        <source>An experiment starts today or later, not on {day}.</source>
        <translation>实验只能从今天或以后开始，不能从 {day} 开始。</translation>
    </message>
    <message>
        <source>There is an experiment named “{name}” already.</source>
        <translation>已有名为“{name}”的实验。</translation>
    </message>
    <message>
        <source>The team&apos;s experiment “{name}” is still running: stop it before starting another (two would rank the same accounts).</source>
        <translation>本组的实验“{name}”仍在进行：请先停止它再开始新实验（两个实验会对同一批账户排序）。</translation>
    </message>
    <message>
        <source>Cannot read the weights file {path}.</source>
        <translation>无法读取权重文件 {path}。</translation>
    </message>
    <message>
        <source>There is no experiment “{name}” in your team.</source>
        <translation>您的小组中没有名为“{name}”的实验。</translation>
    </message>
    <message>
        <source>The experiment “{name}” was stopped already.</source>
        <translation>实验“{name}”已经停止。</translation>
    </message>
    <message>
        <source>There is no attachment {id}.</source>
        <translation>附件 {id} 不存在。</translation>
    </message>
    <message>
        <source>Only the visit&apos;s agents or a team lead attach files to a visit.</source>
        <translation>只有该外访的外访专员或组长可以为外访添加附件。</translation>
    </message>
    <message>
        <source>The reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>{address} is marked as not the borrower&apos;s: a team lead lifts that mark first.</source>
        <translation>{address}已标记为不属于借款人：须由组长先解除该标记。</translation>
    </message>
    <message>
        <source>Choose the outcome of the visit.</source>
        <translation>请选择外访结果。</translation>
    </message>
    <message>
        <source>Give either one account&apos;s contract number or a span of days.</source>
        <translation>请指定一个账户的合同编号，或一个日期区间（二者选一）。</translation>
    </message>
    <message>
        <source>Only a team lead or an administrator exports for an audit.</source>
        <translation>只有组长或管理员可以导出审计资料。</translation>
    </message>
    <message>
        <source>The span starts on {start}, after today ({today}).</source>
        <translation>时间段从 {start} 开始，晚于今天（{today}）。</translation>
    </message>
    <message>
        <source>The span ends ({end}) before it starts ({start}).</source>
        <translation>日期区间的结束日（{end}）早于开始日（{start}）。</translation>
    </message>
    <message>
        <source>One export covers at most {days} days; split the span from {start} to {end}.</source>
        <translation>一次导出最多涵盖 {days} 天；请将 {start} 至 {end} 的区间分开导出。</translation>
    </message>
    <message>
        <source>{path} already exists; an export is written to a new folder.</source>
        <translation>{path} 已存在；导出须写入一个新文件夹。</translation>
    </message>
    <message>
        <source>Only a team lead or an administrator writes a referral package.</source>
        <translation>只有组长或管理员可以制作法律移交材料。</translation>
    </message>
    <message>
        <source>{path} already exists; a package is written to a new folder or .zip file.</source>
        <translation>{path} 已存在；移交材料须写入一个新文件夹或新的 .zip 文件。</translation>
    </message>
    <message>
        <source>The files are on record, but could not be named {path} ({reason}); they are at {staged}.</source>
        <translation>文件已记录在案，但无法命名为 {path}（{reason}）；文件位于 {staged}。</translation>
    </message>
    <message>
        <source>Say why the account goes to legal: the lawyer and the audit trail read it.</source>
        <translation>请说明转法务的原因：律师和审计记录都会看到。</translation>
    </message>
    <message>
        <source>The reason is too long ({length} characters; at most {longest}).</source>
        <translation>原因太长（{length} 个字符；最多 {longest} 个）。</translation>
    </message>
    <message>
        <source>The account is already referred to legal.</source>
        <translation>该账户已转法务。</translation>
    </message>
    <message>
        <source>The account has a dispute waiting for a decision: decide it before referring the account to legal.</source>
        <translation>该账户有尚待裁定的争议：请先裁定争议，再将账户转交法务。</translation>
    </message>
    <message>
        <source>Say why the referral is withdrawn.</source>
        <translation>请说明撤回转法务的原因。</translation>
    </message>
    <message>
        <source>A referral is withdrawn only before the case is filed.</source>
        <translation>只有在立案之前才能撤回转法务。</translation>
    </message>
    <message>
        <source>The firm</source>
        <translation>律所</translation>
    </message>
    <message>
        <source>The lawyer</source>
        <translation>律师</translation>
    </message>
    <message>
        <source>The case number</source>
        <translation>案号</translation>
    </message>
    <message>
        <source>The court</source>
        <translation>法院</translation>
    </message>
    <message>
        <source>Say on which day the step happened.</source>
        <translation>请填写该步骤发生的日期。</translation>
    </message>
    <message>
        <source>Name the firm and the lawyer instructed.</source>
        <translation>请填写所委托的律所和律师。</translation>
    </message>
    <message>
        <source>A filing names its case number and its court.</source>
        <translation>立案须填写案号和法院。</translation>
    </message>
    <message>
        <source>A cost or a recovery has an amount of more than zero.</source>
        <translation>费用或回款的金额必须大于零。</translation>
    </message>
    <message>
        <source>Only a judgment, a cost or a recovery has an amount.</source>
        <translation>只有判决、费用或回款才有金额。</translation>
    </message>
    <message>
        <source>Say how the case ended.</source>
        <translation>请说明案件如何了结。</translation>
    </message>
    <message>
        <source>A legal step is not dated ahead of today.</source>
        <translation>法务步骤的日期不能晚于今天。</translation>
    </message>
    <message>
        <source>A legal step is not dated before the referral.</source>
        <translation>法务步骤的日期不能早于转法务之日。</translation>
    </message>
    <message>
        <source>The case is filed already.</source>
        <translation>该案件已立案。</translation>
    </message>
    <message>
        <source>A case is filed only once a firm and lawyer are instructed.</source>
        <translation>须先委托律所和律师，才能立案。</translation>
    </message>
    <message>
        <source>Hearings and a judgment come only after the case is filed.</source>
        <translation>开庭和判决只能在立案之后。</translation>
    </message>
    <message>
        <source>A hearing or a judgment is not dated before the filing.</source>
        <translation>开庭或判决的日期不能早于立案日期。</translation>
    </message>
    <message>
        <source>The case has its judgment already.</source>
        <translation>该案件已有判决。</translation>
    </message>
    <message>
        <source>Enforcement comes only after the judgment.</source>
        <translation>强制执行只能在判决之后。</translation>
    </message>
    <message>
        <source>Enforcement is not dated before the judgment.</source>
        <translation>强制执行的日期不能早于判决日期。</translation>
    </message>
    <message>
        <source>A case is not closed before its last step.</source>
        <translation>结案日期不能早于案件的最后一个步骤。</translation>
    </message>
    <message>
        <source>The account is not referred to legal.</source>
        <translation>该账户未转法务。</translation>
    </message>
    <message>
        <source>The referral was withdrawn: it takes no more steps.</source>
        <translation>转法务已撤回：不能再记录步骤。</translation>
    </message>
    <message>
        <source>The legal case is closed: it takes no more steps.</source>
        <translation>该法务案件已结案：不能再记录步骤。</translation>
    </message>
    <message>
        <source>There is no legal step “{kind}”; choose {kinds}.</source>
        <translation>没有“{kind}”这个法务步骤；请从 {kinds} 中选择。</translation>
    </message>
    <message>
        <source>The note is too long ({length} characters; at most {longest}).</source>
        <translation>备注太长（{length} 个字符；最多 {longest} 个）。</translation>
    </message>
    <message>
        <source>An amount in a legal case is never negative.</source>
        <translation>法务案件中的金额不能为负数。</translation>
    </message>
    <message>
        <source>Only a team lead of the account&apos;s team refers it to legal or records its steps.</source>
        <translation>只有该账户所在组的组长才能转法务或记录其步骤。</translation>
    </message>
    <message>
        <source>There is no account “{contract_no}”.</source>
        <translation>没有账户“{contract_no}”。</translation>
    </message>
    <message>
        <source>{number} is not a mobile number: no SMS is sent to it.</source>
        <translation>{number} 不是手机号码，不向其发送短信。</translation>
    </message>
    <message>
        <source>Alibaba Cloud SMS ({endpoint}) could not be reached: {reason}</source>
        <translation>无法连接阿里云短信服务（{endpoint}）：{reason}</translation>
    </message>
    <message>
        <source>Alibaba Cloud SMS answered HTTP {status} without a readable body.</source>
        <translation>阿里云短信服务返回 HTTP {status}，但没有可读的内容。</translation>
    </message>
    <message>
        <source>This message is for the {channel} channel, not SMS.</source>
        <translation>此消息属于 {channel} 渠道，不是短信。</translation>
    </message>
    <message>
        <source>Alibaba Cloud sends an SMS only from a registered template: the message has no template code.</source>
        <translation>阿里云只按已审核的模板发送短信：此消息没有模板编码。</translation>
    </message>
    <message>
        <source>The SMS has no signature (签名): give the message one, or set COLLECTOR_WORKSTATION_ALIYUN_SMS_SIGN_NAME.</source>
        <translation>短信没有签名：请为消息指定签名，或设置 COLLECTOR_WORKSTATION_ALIYUN_SMS_SIGN_NAME。</translation>
    </message>
    <message>
        <source>A value of the SMS holds a line break or another control character.</source>
        <translation>短信的某个参数含有换行符或其他控制字符。</translation>
    </message>
    <message>
        <source>Alibaba Cloud SMS did not give delivery reports now: {code} {text}</source>
        <translation>阿里云短信服务暂时无法提供回执：{code} {text}</translation>
    </message>
    <message>
        <source>The e-mail address holds a line break or another control character.</source>
        <translation>电子邮件地址含有换行符或其他控制字符。</translation>
    </message>
    <message>
        <source>“{address}” is not an e-mail address: {reason}</source>
        <translation>“{address}”不是电子邮件地址：{reason}</translation>
    </message>
    <message>
        <source>“{address}” needs a mail server with SMTPUTF8 (letters other than ASCII before the @); it is not sent.</source>
        <translation>“{address}”需要支持 SMTPUTF8 的邮件服务器（@ 前含非 ASCII 字符），不予发送。</translation>
    </message>
    <message>
        <source>This message is for the {channel} channel, not e-mail.</source>
        <translation>此消息属于 {channel} 渠道，不是电子邮件。</translation>
    </message>
    <message>
        <source>The e-mail has no subject.</source>
        <translation>邮件没有主题。</translation>
    </message>
    <message>
        <source>The subject or the sender&apos;s name holds a line break or another control character.</source>
        <translation>邮件主题或发件人名称含有换行符或其他控制字符。</translation>
    </message>
    <message>
        <source>The e-mail has no text.</source>
        <translation>邮件没有正文。</translation>
    </message>
    <message>
        <source>The mail server {server} does not offer STARTTLS; nothing is sent in the clear.</source>
        <translation>邮件服务器 {server} 不支持 STARTTLS；不会以明文发送任何内容。</translation>
    </message>
    <message>
        <source>The mail server {server} refused the sign-in of {user}: {code} {answer}</source>
        <translation>邮件服务器 {server} 拒绝了 {user} 的登录：{code} {answer}</translation>
    </message>
    <message>
        <source>The mail server {server}&apos;s certificate was not accepted: {reason}</source>
        <translation>邮件服务器 {server} 的证书未通过验证：{reason}</translation>
    </message>
    <message>
        <source>The mail server {server} could not be reached: {reason}</source>
        <translation>无法连接邮件服务器 {server}：{reason}</translation>
    </message>
    <message>
        <source>No mail server is configured: set COLLECTOR_WORKSTATION_SMTP_HOST and COLLECTOR_WORKSTATION_SMTP_FROM (README, “Reminders: e-mail and SMS”).</source>
        <translation>未配置邮件服务器：请设置 COLLECTOR_WORKSTATION_SMTP_HOST 和 COLLECTOR_WORKSTATION_SMTP_FROM（见 README“Reminders: e-mail and SMS”）。</translation>
    </message>
    <message>
        <source>No SMS provider is configured: set COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID (README, “Reminders: e-mail and SMS”).</source>
        <translation>未配置短信服务商：请设置 COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID（见 README“Reminders: e-mail and SMS”）。</translation>
    </message>
    <message>
        <source>A template value is NAME=VALUE, not “{item}”.</source>
        <translation>模板参数的格式是 NAME=VALUE，而不是“{item}”。</translation>
    </message>
    <message>
        <source>The language must be en or zh_CN, not “{language}”.</source>
        <translation>语言必须是 en 或 zh_CN，而不是“{language}”。</translation>
    </message>
    <message>
        <source>accepted: the provider took the message ({provider_id}).</source>
        <translation>已受理：服务商已接收该消息（{provider_id}）。</translation>
    </message>
    <message>
        <source>not sent, try again later: {code} {text}</source>
        <translation>未发送，请稍后重试：{code} {text}</translation>
    </message>
    <message>
        <source>no answer after the whole message went: it may have arrived ({code} {text})</source>
        <translation>消息已完整发出但未收到应答：可能已送达（{code} {text}）</translation>
    </message>
    <message>
        <source>refused, the recipient opted out: {code} {text}</source>
        <translation>被拒绝，收件人已退订：{code} {text}</translation>
    </message>
    <message>
        <source>refused: {code} {text}</source>
        <translation>被拒绝：{code} {text}</translation>
    </message>
    <message>
        <source>kept in the keychain as {entry}</source>
        <translation>已保存到钥匙串，条目为 {entry}</translation>
    </message>
    <message>
        <source>{variable} must be a number of seconds between 0 and 600, not “{value}”.</source>
        <translation>{variable} 必须是 0 到 600 之间的秒数，而不是“{value}”。</translation>
    </message>
    <message>
        <source>{variable} must be starttls or tls, not “{value}”.</source>
        <translation>{variable} 必须是 starttls 或 tls，而不是“{value}”。</translation>
    </message>
    <message>
        <source>{variable} must be a port number, not “{value}”.</source>
        <translation>{variable} 必须是端口号，而不是“{value}”。</translation>
    </message>
    <message>
        <source>{variable} is set but {missing} is not: the address e-mail is sent from.</source>
        <translation>已设置 {variable}，但未设置 {missing}（发件地址）。</translation>
    </message>
    <message>
        <source>{variable} is not an e-mail address: {reason}</source>
        <translation>{variable} 不是电子邮件地址：{reason}</translation>
    </message>
    <message>
        <source>{variable} must be an address a mail server takes without SMTPUTF8 (ASCII before the @).</source>
        <translation>{variable} 必须是无需 SMTPUTF8 即可使用的地址（@ 前为 ASCII 字符）。</translation>
    </message>
    <message>
        <source>{variable} names no file: {path}</source>
        <translation>{variable} 指定的文件不存在：{path}</translation>
    </message>
    <message>
        <source>{variable} holds a line break or another control character.</source>
        <translation>{variable} 含有换行符或其他控制字符。</translation>
    </message>
    <message>
        <source>{variable} must be an https address without a path (http only to this machine), not “{value}”.</source>
        <translation>{variable} 必须是不带路径的 https 地址（仅本机可用 http），而不是“{value}”。</translation>
    </message>
    <message>
        <source>No password for the mail server: set {variable}, or keep one in the keychain with `collector-workstation messaging set-secret smtp`.</source>
        <translation>没有邮件服务器的密码：请设置 {variable}，或用 `collector-workstation messaging set-secret smtp` 保存到钥匙串。</translation>
    </message>
    <message>
        <source>No AccessKey secret for Alibaba Cloud SMS: set {variable}, or keep it in the keychain with `collector-workstation messaging set-secret aliyun`.</source>
        <translation>没有阿里云短信的 AccessKey Secret：请设置 {variable}，或用 `collector-workstation messaging set-secret aliyun` 保存到钥匙串。</translation>
    </message>
    <message>
        <source>Set {host} and {user} first: the password is kept for that server and user.</source>
        <translation>请先设置 {host} 和 {user}：密码按该服务器和用户保存。</translation>
    </message>
    <message>
        <source>Set {variable} first: the secret is kept for that AccessKey.</source>
        <translation>请先设置 {variable}：密钥按该 AccessKey 保存。</translation>
    </message>
    <message>
        <source>The secret is empty or holds a control character.</source>
        <translation>密钥为空或含有控制字符。</translation>
    </message>
    <message>
        <source>No keychain is available here: set {variable} in the job&apos;s environment instead.</source>
        <translation>此处没有可用的钥匙串：请改为在任务的环境变量中设置 {variable}。</translation>
    </message>
    <message>
        <source>The keychain refused to keep the secret ({reason}).</source>
        <translation>钥匙串拒绝保存该密钥（{reason}）。</translation>
    </message>
    <message>
        <source>Only an issued plan has an agreement to print; this one is “{status}”.</source>
        <translation>只有已出具协议的还款计划才能打印协议；该计划当前为“{status}”。</translation>
    </message>
    <message>
        <source>Agreement {number} is issued, but its file could not be named {path} ({reason}); it is at {temporary}.</source>
        <translation>协议 {number} 已出具，但其文件无法命名为 {path}（{reason}）；文件位于 {temporary}。</translation>
    </message>
    <message>
        <source>Account {contract_no} is past retention: its personal data was erased on {day}, so its agreement can no longer be printed, only verified.</source>
        <translation>账户{contract_no}已过保存期限：其个人信息已于{day}删除，协议不能再打印，只能核验。</translation>
    </message>
    <message>
        <source>{path} has no batch row: a feed file names itself in a `batch` row (batch_id, sequence, business_date).</source>
        <translation>{path} 没有 batch 行：推送文件须用一行 `batch` 标明自身（batch_id、sequence、business_date）。</translation>
    </message>
    <message>
        <source>Another feed or import was applied while {path} was: nothing of it was applied; apply it again.</source>
        <translation>在导入 {path} 的同时，另一个推送文件或导入已被应用：本文件未应用任何内容；请重新应用。</translation>
    </message>
    <message>
        <source>{count} problems in {path} ({rows} rows refused); nothing of it was applied.</source>
        <translation>{path} 中有 {count} 个问题（{rows} 行被拒绝）；本文件未应用任何内容。</translation>
    </message>
    <message>
        <source>The feed&apos;s reports are for team leads.</source>
        <translation>推送文件的对账报告仅供组长查看。</translation>
    </message>
    <message>
        <source>a file has one batch row (it is on row {row})</source>
        <translation>一个文件只有一行 batch（已在第 {row} 行）</translation>
    </message>
    <message>
        <source>an address changes whole: province, city, district and street</source>
        <translation>地址须整体变更：省、市、区和街道</translation>
    </message>
    <message>
        <source>the same instalment is on row {row}</source>
        <translation>同一期还款已在第 {row} 行</translation>
    </message>
    <message>
        <source>the same payment id is on row {row}</source>
        <translation>同一还款编号已在第 {row} 行</translation>
    </message>
    <message>
        <source>the same payment is reversed on row {row}</source>
        <translation>同一笔还款已在第 {row} 行冲正</translation>
    </message>
    <message>
        <source>the same reversal id is on row {row}</source>
        <translation>同一冲正编号已在第 {row} 行</translation>
    </message>
    <message>
        <source>unknown closure (one of {statuses})</source>
        <translation>未知的结清方式（可选：{statuses}）</translation>
    </message>
    <message>
        <source>the same contract is closed on row {row}</source>
        <translation>同一合同已在第 {row} 行结清</translation>
    </message>
    <message>
        <source>batch {batch_id} was applied on {applied} from another file: a batch id names one file</source>
        <translation>批次 {batch_id} 已于 {applied} 从另一个文件应用：一个批次编号只对应一个文件</translation>
    </message>
    <message>
        <source>file {sequence} was applied already (batch {batch_id}); the next is {next}</source>
        <translation>第 {sequence} 号文件已应用（批次 {batch_id}）；下一个应为第 {next} 号</translation>
    </message>
    <message>
        <source>file {missing} is missing: the last applied was {sequence} (batch {batch_id}); apply it first</source>
        <translation>缺少第 {missing} 号文件：最近应用的是第 {sequence} 号（批次 {batch_id}）；请先应用它</translation>
    </message>
    <message>
        <source>files {first} to {last} are missing: the last applied was {sequence} (batch {batch_id}); apply them first</source>
        <translation>缺少第 {first} 至 {last} 号文件：最近应用的是第 {sequence} 号（批次 {batch_id}）；请先应用它们</translation>
    </message>
    <message>
        <source>before the last file&apos;s business day ({day})</source>
        <translation>早于上一个文件的业务日（{day}）</translation>
    </message>
    <message>
        <source>required for a borrower new to the database (changes name only what changes)</source>
        <translation>数据库中的新借款人必须填写（变更只需填写变动的内容）</translation>
    </message>
    <message>
        <source>the database has {born} for this ID number</source>
        <translation>数据库中此身份证号的出生日期为 {born}</translation>
    </message>
    <message>
        <source>not an active collector, field agent or team lead</source>
        <translation>不是在职的电催专员、外访专员或组长</translation>
    </message>
    <message>
        <source>a new account nobody is assigned to needs the team whose pool it waits in (the team column)</source>
        <translation>未分配的新账户需要指定其所在待分配池的小组（team 列）</translation>
    </message>
    <message>
        <source>the database has “{value}” for this contract: a loan&apos;s terms do not change; its schedule does, by instalment rows</source>
        <translation>数据库中此合同为“{value}”：贷款条款不会变更；还款计划可通过 instalment 行变更</translation>
    </message>
    <message>
        <source>the contract has instalments 1 to {count}: a new one is {next}</source>
        <translation>该合同有第 1 至 {count} 期：新增的一期应为第 {next} 期</translation>
    </message>
    <message>
        <source>the database has this payment id for {amount} on {contract_no} paid at {paid_at}: a payment id names one payment</source>
        <translation>数据库中此还款编号对应合同 {contract_no} 于 {paid_at} 还款 {amount}：一个还款编号只对应一笔还款</translation>
    </message>
    <message>
        <source>no payment with this id, in the database or the file</source>
        <translation>数据库和文件中都没有此编号的还款</translation>
    </message>
    <message>
        <source>the payment is on contract {contract_no}</source>
        <translation>该笔还款属于合同 {contract_no}</translation>
    </message>
    <message>
        <source>the database has this reversal id for payment {payment_id}</source>
        <translation>数据库中此冲正编号属于还款 {payment_id}</translation>
    </message>
    <message>
        <source>the payment was reversed already (reversal {reversal_id})</source>
        <translation>该笔还款已被冲正（冲正编号 {reversal_id}）</translation>
    </message>
    <message>
        <source>the payments on {contract_no} come to {unapplied} more than its schedule owes</source>
        <translation>合同 {contract_no} 的还款比其还款计划所欠金额多出 {unapplied}</translation>
    </message>
    <message>
        <source>A plan that is “{current}” cannot become “{wanted}”.</source>
        <translation>状态为“{current}”的还款计划不能变为“{wanted}”。</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>waiting for approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>agreement issued</source>
        <translation>已出具协议</translation>
    </message>
    <message>
        <source>active</source>
        <translation>执行中</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>broken</source>
        <translation>已违约</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>A waiver of {waiver} and a discount of {discount} leave nothing of the {overdue} overdue to pay.</source>
        <translation>减免 {waiver}、折扣 {discount} 后，逾期金额 {overdue} 已无需还款。</translation>
    </message>
    <message>
        <source>A down payment of {down} covers the whole {total}: offer a payment in full.</source>
        <translation>首付 {down} 已覆盖全部 {total}：请改为一次性结清。</translation>
    </message>
    <message>
        <source>{rest} cannot be split into {count} instalments of at least one cent.</source>
        <translation>{rest} 无法分成每期至少一分钱的 {count} 期。</translation>
    </message>
    <message>
        <source>Unknown instalment frequency “{frequency}” (one of {known}).</source>
        <translation>未知的还款频率“{frequency}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Unknown plan kind “{kind}” (one of {known}).</source>
        <translation>未知的还款方案类型“{kind}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Nothing is overdue: there is no balance to make a plan for.</source>
        <translation>没有逾期金额，无需制定还款方案。</translation>
    </message>
    <message>
        <source>A plan needs at least one instalment (got {count}).</source>
        <translation>还款方案至少需要一期（当前为 {count}）。</translation>
    </message>
    <message>
        <source>A payment in full or a settlement is one payment, not {count} instalments.</source>
        <translation>一次性结清或和解只有一笔还款，不能分 {count} 期。</translation>
    </message>
    <message>
        <source>Only an instalment plan has a down payment.</source>
        <translation>只有分期方案才有首付。</translation>
    </message>
    <message>
        <source>Only a settlement has a discount; use a penalty waiver instead.</source>
        <translation>只有和解方案才有折扣；请改用罚息减免。</translation>
    </message>
    <message>
        <source>The waiver of {waiver} is more than the {penalty} penalty interest overdue.</source>
        <translation>减免金额 {waiver} 超过了逾期罚息 {penalty}。</translation>
    </message>
    <message>
        <source>The first due date {date} is in the past.</source>
        <translation>首期还款日 {date} 已经过去。</translation>
    </message>
    <message>
        <source>The down payment must be zero or more, in whole cents (got {amount}).</source>
        <translation>首付须为零或正数，且精确到分（当前为 {amount}）。</translation>
    </message>
    <message>
        <source>The waiver must be zero or more, in whole cents (got {amount}).</source>
        <translation>减免金额须为零或正数，且精确到分（当前为 {amount}）。</translation>
    </message>
    <message>
        <source>The discount must be zero or more, in whole cents (got {amount}).</source>
        <translation>折扣金额须为零或正数，且精确到分（当前为 {amount}）。</translation>
    </message>
    <message>
        <source>The first payment is {days} days away; at most {limit} without approval.</source>
        <translation>首期还款在 {days} 天后；无需审批最多 {limit} 天。</translation>
    </message>
    <message>
        <source>A waiver of {waiver} is more than the {limit} that can be waived without approval.</source>
        <translation>减免 {waiver} 超过了无需审批可减免的 {limit}。</translation>
    </message>
    <message>
        <source>Instalments “{frequency}” need approval (allowed: {allowed}).</source>
        <translation>还款频率“{frequency}”需要审批（无需审批：{allowed}）。</translation>
    </message>
    <message>
        <source>{count} instalments are more than the {limit} allowed without approval.</source>
        <translation>{count} 期超过了无需审批允许的 {limit} 期。</translation>
    </message>
    <message>
        <source>An instalment of {amount} is less than the {limit} minimum without approval.</source>
        <translation>每期 {amount} 低于无需审批的最低金额 {limit}。</translation>
    </message>
    <message>
        <source>A discount of {discount} is more than the {limit} allowed without approval.</source>
        <translation>折扣 {discount} 超过了无需审批允许的 {limit}。</translation>
    </message>
    <message>
        <source>A settlement of {amount} is less than the {limit} of principal it must collect without approval.</source>
        <translation>和解金额 {amount} 低于无需审批时必须收回的本金 {limit}。</translation>
    </message>
    <message>
        <source>Collection on account {contract_no} is paused ({pauses}): no plan can be offered, approved or issued unless a team lead allows it.</source>
        <translation>账户{contract_no}的催收已暂停（{pauses}）：除非组长准许，否则不得提出、批准或签发还款方案。</translation>
    </message>
    <message>
        <source>Only a team lead can let a plan go ahead despite a pause.</source>
        <translation>只有组长可以准许在暂停期间办理还款方案。</translation>
    </message>
    <message>
        <source>Say why a plan may go ahead despite the pause: the reason is kept with the account.</source>
        <translation>请说明为何在暂停期间仍可办理还款方案：理由将随账户保存。</translation>
    </message>
    <message>
        <source>The reason is too long ({length} characters; at most {limit}).</source>
        <translation>理由过长（{length}个字符；最多{limit}个）。</translation>
    </message>
    <message>
        <source>Collection on account {contract_no} is not paused: a plan needs no team lead&apos;s leave.</source>
        <translation>账户{contract_no}的催收未暂停：办理还款方案无需组长准许。</translation>
    </message>
    <message>
        <source>No plan goes ahead on account {contract_no} while it is marked “{marks}”, whoever allows it.</source>
        <translation>账户{contract_no}标记为“{marks}”期间，任何人均不得准许办理还款方案。</translation>
    </message>
    <message>
        <source>The province or state</source>
        <translation>省份或州</translation>
    </message>
    <message>
        <source>The city</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>The district</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>The street</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>“{province}” is not a province or state of {country} (write it e.g. as 广东, GD or Guangdong; a US state as CA or California).</source>
        <translation>“{province}”不是{country}的省份或州（可写作 广东、GD 或 Guangdong；美国的州写作 CA 或 California）。</translation>
    </message>
    <message>
        <source>The address is too long ({length} characters on one line; at most {limit}).</source>
        <translation>地址过长（合为一行共{length}个字符；最多{limit}个）。</translation>
    </message>
    <message>
        <source>longer than {longest} characters</source>
        <translation>超过 {longest} 个字符</translation>
    </message>
    <message>
        <source>holds a control or invisible character ({code}); type it again</source>
        <translation>含有控制字符或不可见字符（{code}）；请重新输入</translation>
    </message>
    <message>
        <source>starts with “{sign}” as a spreadsheet formula does</source>
        <translation>以“{sign}”开头，会被电子表格当作公式</translation>
    </message>
    <message>
        <source>“{text}” has the character “{digit}”: write digits as 0-9 (no full-width, superscript or Chinese numerals)</source>
        <translation>“{text}”含有字符“{digit}”：数字请写作 0-9（不用全角、上标或中文数字）</translation>
    </message>
    <message>
        <source>not a number</source>
        <translation>不是数字</translation>
    </message>
    <message>
        <source>must be zero or more</source>
        <translation>不能小于零</translation>
    </message>
    <message>
        <source>not an amount</source>
        <translation>不是金额</translation>
    </message>
    <message>
        <source>must be more than zero</source>
        <translation>必须大于零</translation>
    </message>
    <message>
        <source>an amount in whole cents</source>
        <translation>金额最多精确到分</translation>
    </message>
    <message>
        <source>write a rate as a fraction: 0.18 for 18%</source>
        <translation>利率请写成小数：18% 写作 0.18</translation>
    </message>
    <message>
        <source>{value} is more than any loan here carries (at most {highest}); write a rate as a fraction: 0.18 for 18%</source>
        <translation>{value} 高于本机构任何贷款的利率（最高 {highest}）；利率请写成小数：18% 写作 0.18</translation>
    </message>
    <message>
        <source>at most {places} decimal places</source>
        <translation>最多 {places} 位小数</translation>
    </message>
    <message>
        <source>a whole number from {lowest} to {highest}</source>
        <translation>应为 {lowest} 到 {highest} 之间的整数</translation>
    </message>
    <message>
        <source>not a date (YYYY-MM-DD)</source>
        <translation>不是日期（YYYY-MM-DD）</translation>
    </message>
    <message>
        <source>not a time (ISO 8601, e.g. 2026-11-28T10:00:00+08:00)</source>
        <translation>不是时间（ISO 8601 格式，例如 2026-11-28T10:00:00+08:00）</translation>
    </message>
    <message>
        <source>a contract number has letters, digits and - _ . / only</source>
        <translation>合同编号只能包含字母、数字和 - _ . /</translation>
    </message>
    <message>
        <source>unknown product “{code}” (one of {codes})</source>
        <translation>未知产品“{code}”（可选：{codes}）</translation>
    </message>
    <message>
        <source>not a valid resident ID number (check digit)</source>
        <translation>不是有效的居民身份证号码（校验码不符）</translation>
    </message>
    <message>
        <source>the ID number says {born}</source>
        <translation>身份证号码显示出生日期为 {born}</translation>
    </message>
    <message>
        <source>in the future</source>
        <translation>晚于当前时间</translation>
    </message>
    <message>
        <source>not a country (an ISO code such as CN, US or HK)</source>
        <translation>不是国家或地区（请用 ISO 代码，如 CN、US 或 HK）</translation>
    </message>
    <message>
        <source>“{text}” is not a province of {country} (write it e.g. as GD, 广东, 广东省 or Guangdong)</source>
        <translation>“{text}”不是 {country} 的省级行政区（可写作 GD、广东、广东省或 Guangdong 等）</translation>
    </message>
    <message>
        <source>“{text}” is not a state of {country} (write it e.g. as CA or California)</source>
        <translation>“{text}”不是 {country} 的州（可写作 CA 或 California 等）</translation>
    </message>
    <message>
        <source>{problem} Read as a number of {country}: a number of another country starts with + and its country code.</source>
        <translation>{problem}已按 {country} 的号码解读：其他国家或地区的号码请以 + 和国家代码开头。</translation>
    </message>
    <message>
        <source>not an e-mail address</source>
        <translation>不是电子邮件地址</translation>
    </message>
    <message>
        <source>{path} looks like UTF-16, which is not read here: save it as CSV UTF-8, or convert it (iconv -f UTF-16 -t UTF-8 {path} &gt; converted.csv) and import that.</source>
        <translation>{path} 似乎是 UTF-16 编码，本程序不读取此编码：请另存为 CSV UTF-8，或先转换（iconv -f UTF-16 -t UTF-8 {path} &gt; converted.csv）再导入转换后的文件。</translation>
    </message>
    <message>
        <source>{path} is UTF-8 with a damaged byte ({byte}) on line {line}: export the file again or fix that line; if the file is in another encoding, name it with --encoding.</source>
        <translation>{path} 是 UTF-8 编码，但第 {line} 行有一个损坏的字节（{byte}）：请重新导出文件或修正该行；如果文件是其他编码，请用 --encoding 指定。</translation>
    </message>
    <message>
        <source>{path} is neither UTF-8 nor GB18030 (GBK): the byte {byte} on line {line} is not text in either. Save the file as CSV UTF-8, or convert it (iconv -f ENCODING -t UTF-8 {path} &gt; converted.csv), or name its encoding with --encoding.</source>
        <translation>{path} 既不是 UTF-8 也不是 GB18030（GBK）编码：第 {line} 行的字节 {byte} 在两种编码中都不是文字。请把文件另存为 CSV UTF-8，或先转换（iconv -f 原编码 -t UTF-8 {path} &gt; converted.csv），或用 --encoding 指定其编码。</translation>
    </message>
    <message>
        <source>“{encoding}” is not a text encoding (try utf-8, gb18030 or gbk).</source>
        <translation>“{encoding}”不是文字编码（可试 utf-8、gb18030 或 gbk）。</translation>
    </message>
    <message>
        <source>{path} is not {encoding}: the byte {byte} on line {line} is not {encoding} text. Name the file&apos;s real encoding with --encoding, or convert it (iconv -f ENCODING -t UTF-8 {path} &gt; converted.csv).</source>
        <translation>{path} 不是 {encoding} 编码：第 {line} 行的字节 {byte} 不是 {encoding} 文字。请用 --encoding 指定文件的实际编码，或先转换（iconv -f 原编码 -t UTF-8 {path} &gt; converted.csv）。</translation>
    </message>
    <message>
        <source>There is no team “{team}”. `collector-workstation central team list` lists them.</source>
        <translation>没有名为“{team}”的小组。`collector-workstation central team list` 可列出所有小组。</translation>
    </message>
    <message>
        <source>{count} problems in {path}; nothing was imported.</source>
        <translation>{path}中有{count}处问题；未导入任何数据。</translation>
    </message>
    <message>
        <source>Some borrowers or contracts of {path} were written by another import at the same time; nothing was imported: run the import again.</source>
        <translation>{path} 中的部分借款人或合同同时被另一次导入写入；本次未导入任何内容：请重新运行导入。</translation>
    </message>
    <message>
        <source>The file&apos;s header must name the columns {known}; it has {found}.</source>
        <translation>文件的表头须为以下列名：{known}；实际为：{found}。</translation>
    </message>
    <message>
        <source>more cells than the header has columns</source>
        <translation>单元格数多于表头的列数</translation>
    </message>
    <message>
        <source>unknown record “{record}” (one of {records})</source>
        <translation>未知记录类型“{record}”（可选：{records}）</translation>
    </message>
    <message>
        <source>required for a {record} row</source>
        <translation>{record} 行必填</translation>
    </message>
    <message>
        <source>not a column of a {record} row</source>
        <translation>不是 {record} 行的列</translation>
    </message>
    <message>
        <source>the same borrower is on row {row}</source>
        <translation>同一借款人已在第 {row} 行</translation>
    </message>
    <message>
        <source>unknown kind (one of {kinds})</source>
        <translation>未知类型（可选：{kinds}）</translation>
    </message>
    <message>
        <source>an emergency contact needs a name</source>
        <translation>紧急联系人需要填写姓名</translation>
    </message>
    <message>
        <source>the same contract is on row {row}</source>
        <translation>同一合同已在第 {row} 行</translation>
    </message>
    <message>
        <source>only CNY loans are collected here</source>
        <translation>这里只催收人民币贷款</translation>
    </message>
    <message>
        <source>unknown channel (one of {channels})</source>
        <translation>未知还款渠道（可选：{channels}）</translation>
    </message>
    <message>
        <source>no borrower row with this ID number</source>
        <translation>没有该身份证号码的借款人行</translation>
    </message>
    <message>
        <source>not a collector, field agent or team lead</source>
        <translation>不是催收专员、外访专员或组长</translation>
    </message>
    <message>
        <source>no team “{team}” in the database</source>
        <translation>数据库中没有小组“{team}”</translation>
    </message>
    <message>
        <source>not the team of the user in assigned_to</source>
        <translation>不是 assigned_to 中用户所在的小组</translation>
    </message>
    <message>
        <source>a loan nobody is assigned to needs a team, whose pool it waits in (a team column, or --team)</source>
        <translation>未分配的贷款需要指定小组，在该小组的待分配池中等待（team 列，或 --team）</translation>
    </message>
    <message>
        <source>a loan needs its instalment rows</source>
        <translation>贷款需要有其分期行</translation>
    </message>
    <message>
        <source>instalments must be numbered 1, 2, 3… once each</source>
        <translation>分期必须编号为 1、2、3……且每个编号只出现一次</translation>
    </message>
    <message>
        <source>no loan row with this contract</source>
        <translation>没有该合同的贷款行</translation>
    </message>
    <message>
        <source>the database has “{value}” for this borrower: changes to what is already imported come through `{feed}`</source>
        <translation>数据库中该借款人此项为“{value}”：已导入数据的变更请通过 `{feed}` 提交</translation>
    </message>
    <message>
        <source>the contract is in the database for another ID number</source>
        <translation>数据库中该合同属于另一个身份证号码</translation>
    </message>
    <message>
        <source>the database has no such instalment for this contract: changes to what is already imported come through `{feed}`</source>
        <translation>数据库中该合同没有这一期：已导入数据的变更请通过 `{feed}` 提交</translation>
    </message>
    <message>
        <source>a payment the database does not have on a known contract: payments on known contracts come through `{feed}`</source>
        <translation>已有合同上出现数据库中没有的还款：已有合同的还款请通过 `{feed}` 提交</translation>
    </message>
    <message>
        <source>the database has “{value}” for this contract: changes to what is already imported come through `{feed}`</source>
        <translation>数据库中该合同此项为“{value}”：已导入数据的变更请通过 `{feed}` 提交</translation>
    </message>
    <message>
        <source>a cell longer than {limit} characters or not CSV; the rest was not read</source>
        <translation>有单元格超过 {limit} 个字符或不是 CSV 格式；其后内容未读取</translation>
    </message>
    <message>
        <source>A batch holds at least one borrower, not {batch}.</source>
        <translation>每批至少包含一位借款人，不能为{batch}。</translation>
    </message>
    <message>
        <source>A retention run erases what is past retention on {today} or an earlier day, not on {day}; to see what {day} would bring, add --dry-run.</source>
        <translation>保存期限清理只能按{today}或更早的日期删除已过保存期限的数据，不能按{day}；如需查看{day}将删除哪些数据，请加上 --dry-run。</translation>
    </message>
    <message>
        <source>The server does not show {login} which revision its schema is at; this program needs {needed}. An administrator runs `collector-workstation central init`.</source>
        <translation>服务器不向 {login} 显示其数据库结构的版本；本程序需要版本 {needed}。请管理员运行 `collector-workstation central init`。</translation>
    </message>
    <message>
        <source>The server&apos;s schema is at revision {current}, newer than this program knows ({needed}): install the newer Collector Workstation.</source>
        <translation>服务器的数据库结构为版本 {current}，比本程序所知的版本（{needed}）更新：请安装新版 Collector Workstation。</translation>
    </message>
    <message>
        <source>The server&apos;s database has no schema yet; this program needs revision {needed}. An administrator runs `collector-workstation central init`.</source>
        <translation>服务器的数据库还没有数据库结构；本程序需要版本 {needed}。请管理员运行 `collector-workstation central init`。</translation>
    </message>
    <message>
        <source>The server&apos;s schema is at revision {current}; this program needs {needed}. An administrator runs `collector-workstation central init`.</source>
        <translation>服务器的数据库结构为版本 {current}；本程序需要版本 {needed}。请管理员运行 `collector-workstation central init`。</translation>
    </message>
    <message>
        <source>You are signed in to the server as {login}; --user must be {login} (the server acts for the signed-in user).</source>
        <translation>您以 {login} 的身份登录服务器；--user 必须是 {login}（服务器只代表已登录的用户操作）。</translation>
    </message>
    <message>
        <source>“{command}” is for an administrator of the server, not for {login} ({role}).</source>
        <translation>“{command}”供服务器管理员使用，{login}（{role}）不能使用。</translation>
    </message>
    <message>
        <source>“{command}” is not for {login} ({role}); it is for: {roles}.</source>
        <translation>“{command}”不供 {login}（{role}）使用；适用角色：{roles}。</translation>
    </message>
    <message>
        <source>The server refused this for {login}: {reason}</source>
        <translation>服务器拒绝了 {login} 的此操作：{reason}</translation>
    </message>
    <message>
        <source>“{value}” is not a TLS minimum: {variable} and File → Settings → TLS minimum take verify-full or require.</source>
        <translation>“{value}”不是有效的 TLS 最低要求：{variable} 和“文件 → 设置 → TLS 最低要求”只接受 verify-full 或 require。</translation>
    </message>
    <message>
        <source>The server {server} would be reached without TLS ({setting}={sslmode}): use sslmode={minimum} or leave sslmode out. The minimum is set by {variable} or under File → Settings → TLS minimum.</source>
        <translation>服务器 {server} 将以不加密（无 TLS）的方式连接（{setting}={sslmode}），已拒绝：请使用 sslmode={minimum}，或不写 sslmode。最低要求由 {variable} 或“文件 → 设置 → TLS 最低要求”设定。</translation>
    </message>
    <message>
        <source>The server {server} would be reached without checking its certificate ({setting}={sslmode}; the minimum is {minimum}): use sslmode={minimum} or leave sslmode out. Only where the administrator says so, set {variable}=require or choose require under File → Settings → TLS minimum.</source>
        <translation>服务器 {server} 将在不校验其证书的情况下连接（{setting}={sslmode}；最低要求为 {minimum}），已拒绝：请使用 sslmode={minimum}，或不写 sslmode。仅在管理员明确允许时，才可设置 {variable}=require，或在“文件 → 设置 → TLS 最低要求”中选择 require。</translation>
    </message>
    <message>
        <source>The server {server} could not be reached securely: {reason}. Its certificate is checked against File → Settings → Root certificate or {variable}, else ~/.postgresql/root.crt.</source>
        <translation>无法安全地连接服务器 {server}：{reason}。其证书依据“文件 → 设置 → 根证书”或 {variable} 校验，二者都未设置时使用 ~/.postgresql/root.crt。</translation>
    </message>
    <message>
        <source>Not a criterion for this contact: {unknown} (its criteria: {known}).</source>
        <translation>不是本次联系适用的评分项：{unknown}（适用的评分项：{known}）。</translation>
    </message>
    <message>
        <source>Answer every criterion; still open: {missing}.</source>
        <translation>请对每个评分项作答，尚未作答：{missing}。</translation>
    </message>
    <message>
        <source>“{answer}” is no answer to “{criterion}” (one of {known}).</source>
        <translation>“{answer}”不是“{criterion}”的有效结论（可选：{known}）。</translation>
    </message>
    <message>
        <source>The period starts on {start}, after its end on {end}.</source>
        <translation>起始日期 {start} 晚于结束日期 {end}。</translation>
    </message>
    <message>
        <source>There is no contact {id}.</source>
        <translation>不存在联系记录 {id}。</translation>
    </message>
    <message>
        <source>{collector} is in no team, so no lead reviews their contacts.</source>
        <translation>{collector} 不属于任何小组，没有组长可以质检其联系记录。</translation>
    </message>
    <message>
        <source>The contact by {collector} is not your team&apos;s: a lead reviews their own team.</source>
        <translation>{collector} 的联系记录不属于您的小组：组长只能质检本组成员的通话。</translation>
    </message>
    <message>
        <source>Only a team lead can open another collector&apos;s contact for review.</source>
        <translation>只有组长可以查看其他催收员的联系记录进行质检。</translation>
    </message>
    <message>
        <source>This contact has not been reviewed yet.</source>
        <translation>这条联系记录尚未质检。</translation>
    </message>
    <message>
        <source>The comment</source>
        <translation>评语</translation>
    </message>
    <message>
        <source>The comment has {length} characters; at most {limit}.</source>
        <translation>评语共 {length} 个字符，最多 {limit} 个。</translation>
    </message>
    <message>
        <source>Only a team lead can review a call.</source>
        <translation>只有组长可以质检通话。</translation>
    </message>
    <message>
        <source>No one reviews their own contact: ask another team lead.</source>
        <translation>不能质检自己的联系记录，请由其他组长质检。</translation>
    </message>
    <message>
        <source>There is no review {id}.</source>
        <translation>不存在质检记录 {id}。</translation>
    </message>
    <message>
        <source>Only the collector whose contact was reviewed marks it as seen.</source>
        <translation>只有被质检的催收员本人可以将质检反馈标记为已读。</translation>
    </message>
    <message>
        <source>There is no user “{username}”. `collector-workstation users` lists them.</source>
        <translation>不存在用户“{username}”。可运行 `collector-workstation users` 查看所有用户。</translation>
    </message>
    <message>
        <source>The account of {username} is deactivated.</source>
        <translation>{username} 的账号已停用。</translation>
    </message>
    <message>
        <source>“{title}” asks no question to answer.</source>
        <translation>“{title}”不是需要回答的问题。</translation>
    </message>
    <message>
        <source>“{choice}” is not an answer to “{title}” (one of {known}).</source>
        <translation>“{choice}”不是“{title}”的可选答案（可选：{known}）。</translation>
    </message>
    <message>
        <source>The script “{title}” has no step “{step}”.</source>
        <translation>话术“{title}”中没有步骤“{step}”。</translation>
    </message>
    <message>
        <source>There is no call script for stage “{stage}”.</source>
        <translation>阶段“{stage}”没有通话话术。</translation>
    </message>
    <message>
        <source>The call script “{stage}” is invalid: {problem}.</source>
        <translation>通话话术“{stage}”无效：{problem}。</translation>
    </message>
    <message>
        <source>The call script “{stage}” is invalid: {problem} (and {count} more).</source>
        <translation>通话话术“{stage}”无效：{problem}（另有 {count} 处问题）。</translation>
    </message>
    <message>
        <source>Unknown language “{language}” (one of {known}).</source>
        <translation>未知的语言“{language}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>Account {contract_no} has no broken promise to follow up.</source>
        <translation>账户 {contract_no} 没有需要跟进的未兑现承诺。</translation>
    </message>
    <message>
        <source>“{title}” needs an answer before moving on.</source>
        <translation>请先回答“{title}”再继续。</translation>
    </message>
    <message>
        <source>“{title}” ends the call.</source>
        <translation>“{title}”是通话的最后一步，无法继续。</translation>
    </message>
    <message>
        <source>“{title}” is not a disclosure on this call&apos;s path.</source>
        <translation>“{title}”不是本次通话路径上的告知事项。</translation>
    </message>
    <message>
        <source>{count} changes of {username} are still waiting to be sent: sign in as {username} and sync before another user works here.</source>
        <translation>{username} 还有 {count} 条改动等待上传：请以 {username} 登录并同步后，再换其他用户在此工作。</translation>
    </message>
    <message>
        <source>The central database did not answer: {reason}</source>
        <translation>中心数据库没有响应：{reason}</translation>
    </message>
    <message>
        <source>There is no active user “{username}” on the server.</source>
        <translation>服务器上没有在职用户“{username}”。</translation>
    </message>
    <message>
        <source>The row is no longer in this copy.</source>
        <translation>本机副本中已没有这条记录。</translation>
    </message>
    <message>
        <source>A log entry cannot be changed once written.</source>
        <translation>日志记录一经写入便不能修改。</translation>
    </message>
    <message>
        <source>The server refused the change: {reason}</source>
        <translation>服务器拒绝了这项改动：{reason}</translation>
    </message>
    <message>
        <source>The server has no such row for you.</source>
        <translation>服务器上没有您可访问的这条记录。</translation>
    </message>
    <message>
        <source>Someone changed this on the server since this copy last synced.</source>
        <translation>自本机上次同步以来，已有人在服务器上修改了这条记录。</translation>
    </message>
    <message>
        <source>This database is not set up as a central database.</source>
        <translation>此数据库尚未设置为中心数据库。</translation>
    </message>
    <message>
        <source>That conflict is already resolved.</source>
        <translation>该冲突已经处理过了。</translation>
    </message>
    <message>
        <source>This change cannot be made again: {reason}</source>
        <translation>这项改动无法重新应用：{reason}</translation>
    </message>
    <message>
        <source>{username} is not a member of team {team}.</source>
        <translation>{username} 不是 {team} 的成员。</translation>
    </message>
    <message>
        <source>Only a team lead can open the team&apos;s views.</source>
        <translation>只有组长可以打开小组视图。</translation>
    </message>
    <message>
        <source>{username} leads no team.</source>
        <translation>{username} 没有负责的小组。</translation>
    </message>
    <message>
        <source>There is no team “{team}”.</source>
        <translation>不存在小组“{team}”。</translation>
    </message>
    <message>
        <source>A team lead sees their own team only, not {team}.</source>
        <translation>组长只能查看本组，不能查看 {team}。</translation>
    </message>
    <message>
        <source>Visit sheets are printed in zh_CN or en, not “{language}”.</source>
        <translation>外访单只能以zh_CN或en打印，不支持“{language}”。</translation>
    </message>
    <message>
        <source>{name} has no visits planned on {day}: plan the day first.</source>
        <translation>{name}在{day}没有安排外访：请先安排当天行程。</translation>
    </message>
    <message>
        <source>The visit day {day} is in the past.</source>
        <translation>外访日期{day}已经过去。</translation>
    </message>
    <message>
        <source>Choose at least one account to visit.</source>
        <translation>请至少选择一个要外访的账户。</translation>
    </message>
    <message>
        <source>An account is in the route twice.</source>
        <translation>同一账户在路线中出现了两次。</translation>
    </message>
    <message>
        <source>{count} visits are more than the {most} one pair of agents can make in a day.</source>
        <translation>{count}次外访超过了一组外访人员一天最多可完成的{most}次。</translation>
    </message>
    <message>
        <source>Only field agents and team leads plan home visits.</source>
        <translation>只有外访员和组长可以安排上门外访。</translation>
    </message>
    <message>
        <source>Account {contract_no} is paused or closed; it cannot be visited.</source>
        <translation>账户{contract_no}已暂停或已结清，不能安排外访。</translation>
    </message>
    <message>
        <source>Home visits need at least {count} agents ({rule}): choose the second agent.</source>
        <translation>上门外访至少需要{count}名外访人员（{rule}）：请选择第二名外访人员。</translation>
    </message>
    <message>
        <source>Account {contract_no} already has a visit planned for {day}.</source>
        <translation>账户{contract_no}已安排于{day}外访。</translation>
    </message>
    <message>
        <source>Say why the account needs a visit: the agent reads it.</source>
        <translation>请说明该账户需要外访的原因：外访员会看到。</translation>
    </message>
    <message>
        <source>The reason is too long ({length} characters; at most 200).</source>
        <translation>原因过长（{length}个字符；最多200个）。</translation>
    </message>
    <message>
        <source>Only a team lead marks accounts for a visit.</source>
        <translation>只有组长可以标记需外访的账户。</translation>
    </message>
    <message>
        <source>Unknown visit outcome “{code}” (one of {known}).</source>
        <translation>未知的外访结果“{code}”（可选：{known}）。</translation>
    </message>
    <message>
        <source>The visit time must carry a time zone.</source>
        <translation>外访时间必须带有时区。</translation>
    </message>
    <message>
        <source>A visit cannot be recorded before it happens ({at}).</source>
        <translation>外访尚未发生，不能提前登记（{at}）。</translation>
    </message>
    <message>
        <source>There is no visit {visit}.</source>
        <translation>不存在外访{visit}。</translation>
    </message>
    <message>
        <source>Only the agents on the visit record its outcome.</source>
        <translation>只有参与该次外访的人员可以登记结果。</translation>
    </message>
    <message>
        <source>This visit&apos;s outcome is already recorded.</source>
        <translation>该次外访结果已登记。</translation>
    </message>
    <message>
        <source>A promise to pay needs its amount and date.</source>
        <translation>承诺还款须填写金额和日期。</translation>
    </message>
    <message>
        <source>Only a promise to pay carries a promise.</source>
        <translation>只有“承诺还款”结果才能填写承诺。</translation>
    </message>
    <message>
        <source>The second agent must be someone else.</source>
        <translation>第二名外访人员必须是另一个人。</translation>
    </message>
    <message>
        <source>{name} cannot go on home visits (field agents and team leads can).</source>
        <translation>{name}不能参与上门外访（外访员和组长可以）。</translation>
    </message>
    <message>
        <source>The visit to {contract_no} would run {start}–{end}, outside the visit hours {hours}: start earlier or later, or plan fewer visits.</source>
        <translation>对{contract_no}的外访将在{start}–{end}进行，超出外访时段{hours}：请调整出发时间或减少外访数量。</translation>
    </message>
    <message>
        <source>Nobody was met: there is no emotion or checklist to record.</source>
        <translation>未见到任何人：无需登记情绪或核对清单。</translation>
    </message>
    <message>
        <source>Choose the emotion you observed: the borrower was met.</source>
        <translation>已见到借款人，请选择观察到的情绪。</translation>
    </message>
    <message>
        <source>The home-visit checklist is not complete. Still to confirm: {missing}.</source>
        <translation>上门外访核对清单尚未完成。仍需确认：{missing}。</translation>
    </message>
    <message>
        <source>“{text}” is not a server: write host[:port]/database, e.g. db.example.cn/collector.</source>
        <translation>“{text}”不是有效的服务器：请写成 主机[:端口]/数据库，例如 db.example.cn/collector。</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>The server did not accept this user name and password.</source>
        <translation>服务器不接受此用户名和密码。</translation>
    </message>
    <message>
        <source>The server {server} did not answer: {reason}</source>
        <translation>服务器 {server} 没有响应：{reason}</translation>
    </message>
    <message>
        <source>“{username}” is not an active user of this server.</source>
        <translation>“{username}”不是此服务器上的在职用户。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Dial template</source>
        <translation>拨号模板</translation>
    </message>
    <message>
        <source>How a number is dialled: tel:{e164} hands it to the system&apos;s phone app; sip:{digits}@pbx.example.com to a softphone. Placeholders: {e164}, {digits}, {national}.</source>
        <translation>号码的拨打方式：tel:{e164} 交给系统电话程序；sip:{digits}@pbx.example.com 交给软电话。可用占位符：{e164}、{digits}、{national}。</translation>
    </message>
    <message>
        <source>Default contact-rule profile</source>
        <translation>默认联系规则配置</translation>
    </message>
    <message>
        <source>As shipped (by the borrower&apos;s country)</source>
        <translation>出厂设置（按借款人所在国家）</translation>
    </message>
    <message>
        <source>The profile applies to borrowers whose country has no profile of its own; a borrower&apos;s country always decides first.</source>
        <translation>该配置适用于所在国家没有专属配置的借款人；始终优先按借款人所在国家确定。</translation>
    </message>
    <message>
        <source>The central server sets the default profile: {code}.</source>
        <translation>默认规则配置由中央服务器设定：{code}。</translation>
    </message>
    <message>
        <source>The environment ({variable}) sets the default profile: {code}.</source>
        <translation>默认规则配置由环境变量（{variable}）设定：{code}。</translation>
    </message>
    <message>
        <source>Central server</source>
        <translation>中心服务器</translation>
    </message>
    <message>
        <source>Empty: the demo on this computer</source>
        <translation>留空：使用本机上的演示数据</translation>
    </message>
    <message>
        <source>The central database this workstation syncs with, as host[:port]/database, e.g. db.example.cn/collector. Used from the next start, where you sign in to it.</source>
        <translation>本工作台同步所用的中心数据库，格式为 主机[:端口]/数据库，例如 db.example.cn/collector。下次启动时生效，届时需登录该服务器。</translation>
    </message>
    <message>
        <source>TLS minimum</source>
        <translation>TLS 最低要求</translation>
    </message>
    <message>
        <source>verify-full: encrypted, the server&apos;s certificate and name checked</source>
        <translation>verify-full：加密，并校验服务器的证书和名称</translation>
    </message>
    <message>
        <source>require: encrypted, the certificate not checked</source>
        <translation>require：加密，但不校验证书</translation>
    </message>
    <message>
        <source>The least TLS the central server is reached with. verify-full checks that the server is the one named; require only encrypts, and does not stop a machine in between from posing as the server: choose it only where the administrator says so. Used from the next sign-in.</source>
        <translation>连接中心服务器时至少使用的 TLS。verify-full 会确认服务器正是所填写的那一台；require 只加密，无法阻止中间的机器冒充服务器：仅在管理员要求时选择。下次登录时生效。</translation>
    </message>
    <message>
        <source>Root certificate</source>
        <translation>根证书</translation>
    </message>
    <message>
        <source>Empty: ~/.postgresql/root.crt</source>
        <translation>留空：使用 ~/.postgresql/root.crt</translation>
    </message>
    <message>
        <source>The CA certificate (PEM) that signed the central server&apos;s certificate, as the administrator hands it out. Used from the next sign-in.</source>
        <translation>签发中心服务器证书的 CA 证书（PEM 格式），由管理员提供。下次登录时生效。</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Set on this computer by {variable}, which wins.</source>
        <translation>本机已由 {variable} 设定，以其为准。</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dial template</source>
        <translation>拨号模板(&amp;D)</translation>
    </message>
    <message>
        <source>Default &amp;profile</source>
        <translation>默认配置(&amp;P)</translation>
    </message>
    <message>
        <source>Central &amp;server</source>
        <translation>中心服务器(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;TLS minimum</source>
        <translation>TLS 最低要求(&amp;T)</translation>
    </message>
    <message>
        <source>Root &amp;certificate</source>
        <translation>根证书(&amp;C)</translation>
    </message>
    <message>
        <source>Certificates (*.crt *.pem *.cer);;All files (*)</source>
        <translation>证书 (*.crt *.pem *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>There is no file “{path}”.</source>
        <translation>文件“{path}”不存在。</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>host[:port]/database</source>
        <translation>主机[:端口]/数据库</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>&amp;Remember me on this computer</source>
        <translation>在本机记住我(&amp;R)</translation>
    </message>
    <message>
        <source>The password is kept in the system&apos;s keychain only, never in a file; signing out forgets it.</source>
        <translation>密码仅保存在系统钥匙串中，绝不写入文件；退出登录时即被删除。</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>服务器(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Collector Workstation</source>
        <translation>催收工作台</translation>
    </message>
    <message>
        <source>Opening the local data…</source>
        <translation>正在打开本地数据…</translation>
    </message>
    <message>
        <source>Opening the demo database…</source>
        <translation>正在打开演示数据库…</translation>
    </message>
    <message>
        <source>First start, step 1 of 3: creating the demo database…</source>
        <translation>首次启动，第 1 步（共 3 步）：正在创建演示数据库…</translation>
    </message>
    <message>
        <source>First start, step 2 of 3: building the demo portfolio ({done} of {total} accounts)…</source>
        <translation>首次启动，第 2 步（共 3 步）：正在生成演示数据（{done} / {total} 个账户）…</translation>
    </message>
    <message>
        <source>First start, step 3 of 3: indexing the demo portfolio, sending its last days&apos; reminders and checking it…</source>
        <translation>首次启动，第 3 步（共 3 步）：正在为演示数据建立索引、发送近几日的提醒并检查…</translation>
    </message>
    <message>
        <source>There is no user “{username}”. `collector-workstation users` lists them.</source>
        <translation>没有用户“{username}”。可用 `collector-workstation users` 查看用户列表。</translation>
    </message>
    <message>
        <source>Signing in to {server}…</source>
        <translation>正在登录 {server}…</translation>
    </message>
    <message>
        <source>Remember me</source>
        <translation>记住我</translation>
    </message>
    <message>
        <source>Your password is not remembered: {reason}</source>
        <translation>未能记住您的密码：{reason}</translation>
    </message>
    <message>
        <source>{reason}

This computer holds none of your accounts yet: the first start needs the server. Try again when it answers.</source>
        <translation>{reason}

本机尚未保存您的任何账户：首次启动需要连接服务器。请在服务器恢复响应后重试。</translation>
    </message>
    <message>
        <source>Work offline?</source>
        <translation>离线工作？</translation>
    </message>
    <message>
        <source>{reason}

Your accounts are on this computer: work on them offline? What you do is sent to the server when it answers again.</source>
        <translation>{reason}

您的账户已保存在本机：是否离线处理？您所做的工作将在服务器恢复响应后发送。</translation>
    </message>
    <message>
        <source>{owner} left changes on this computer that have not reached the server yet.</source>
        <translation>{owner} 在这台电脑上留下了尚未上传到服务器的改动。</translation>
    </message>
    <message>
        <source>Send them now</source>
        <translation>立即上传</translation>
    </message>
    <message>
        <source>Send them now: {owner} signs in and they go to the server. Or keep them aside: {owner}&apos;s copy stays on this computer, encrypted with {owner}&apos;s own key, which does not open anyone else&apos;s; it comes back with its changes the next time {owner} signs in here, and you start on a copy of your own.</source>
        <translation>立即上传：由 {owner} 登录，改动即发送到服务器。或另行保管：{owner} 的副本留在这台电脑上，用 {owner} 自己的密钥加密，该密钥打不开其他人的副本；{owner} 下次在此登录时副本连同改动一并恢复，而您将使用一份属于您自己的副本。</translation>
    </message>
    <message>
        <source>Keep them aside for {owner}</source>
        <translation>为 {owner} 另行保管</translation>
    </message>
    <message>
        <source>The local data here opens with a passphrase everyone who starts this computer types, so {owner}&apos;s copy cannot be kept aside for {owner} alone: {owner} signs in to send the changes.</source>
        <translation>此处的本地数据用每位启动这台电脑的人都会输入的口令打开，因此无法为 {owner} 单独保管其副本：请由 {owner} 登录上传这些改动。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Changes of {owner} are waiting</source>
        <translation>{owner} 的改动等待上传</translation>
    </message>
    <message>
        <source>Sending the changes of {owner}…</source>
        <translation>正在上传 {owner} 的改动…</translation>
    </message>
    <message>
        <source>{owner}, sign in to send the changes you left on this computer; then {user} goes on.</source>
        <translation>{owner}，请登录以上传您留在这台电脑上的改动；之后由 {user} 继续使用。</translation>
    </message>
    <message>
        <source>Send the changes of {owner}</source>
        <translation>上传 {owner} 的改动</translation>
    </message>
    <message>
        <source>The changes were not sent</source>
        <translation>改动未能上传</translation>
    </message>
    <message>
        <source>Keeping the copy aside…</source>
        <translation>正在另行保管副本…</translation>
    </message>
    <message>
        <source>The copy was not kept aside</source>
        <translation>副本未能另行保管</translation>
    </message>
    <message>
        <source>Bringing back your copy kept aside…</source>
        <translation>正在恢复为您另行保管的副本…</translation>
    </message>
    <message>
        <source>Sending the changes kept for you…</source>
        <translation>正在上传为您保管的改动…</translation>
    </message>
    <message>
        <source>Fetching your accounts…</source>
        <translation>正在获取您的账户…</translation>
    </message>
    <message>
        <source>Your accounts could not be fetched from the central database: {reason}</source>
        <translation>无法从中心数据库获取您的账户：{reason}</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Collector Workstation cannot start</source>
        <translation>催收工作台无法启动</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>Sync status</source>
        <translation>同步概况</translation>
    </message>
    <message>
        <source>Sync state</source>
        <translation>同步状态</translation>
    </message>
    <message>
        <source>Changes waiting to be sent</source>
        <translation>待发送的修改</translation>
    </message>
    <message>
        <source>Sync conflicts</source>
        <translation>同步冲突</translation>
    </message>
    <message>
        <source>Changes of yours the server did not take: review them</source>
        <translation>服务器未接受您的部分修改：请查看处理</translation>
    </message>
    <message>
        <source>1 change waiting</source>
        <translation>1 项修改待发送</translation>
    </message>
    <message>
        <source>{count} changes waiting</source>
        <translation>{count} 项修改待发送</translation>
    </message>
    <message>
        <source>1 conflict</source>
        <translation>1 个冲突</translation>
    </message>
    <message>
        <source>{count} conflicts</source>
        <translation>{count} 个冲突</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Sync: checking…</source>
        <translation>同步：检查中…</translation>
    </message>
    <message>
        <source>Last error: {error}</source>
        <translation>最近的错误：{error}</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Offline · retrying in {wait}</source>
        <translation>离线 · {wait}后重试</translation>
    </message>
    <message>
        <source>Not synced</source>
        <translation>未同步</translation>
    </message>
    <message>
        <source>Not synced · retrying in {wait}</source>
        <translation>未同步 · {wait}后重试</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>Online · synced {time}</source>
        <translation>在线 · {time} 已同步</translation>
    </message>
    <message>
        <source>Never synced with the server</source>
        <translation>从未与服务器同步</translation>
    </message>
    <message>
        <source>Last synced {time}</source>
        <translation>上次同步：{time}</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
</context>
<context>
    <name>TeamAccounts</name>
    <message>
        <source>Top</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>TeamAccountsModel</name>
    <message>
        <source>Contract</source>
        <translation>合同号</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>借款人</translation>
    </message>
    <message>
        <source>City and district</source>
        <translation>城市和区县</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收员</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>待分配池</translation>
    </message>
    <message>
        <source>DPD</source>
        <translation>逾期天数</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>账龄段</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期金额</translation>
    </message>
    <message>
        <source>Last contact</source>
        <translation>最近联系</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>{level} until {until}</source>
        <translation>{level}，至{until}</translation>
    </message>
    <message>
        <source>Visit requested: {reason}</source>
        <translation>已申请外访：{reason}</translation>
    </message>
</context>
<context>
    <name>TeamAccountsPanel</name>
    <message>
        <source>Collector</source>
        <translation>催收员</translation>
    </message>
    <message>
        <source>All collectors</source>
        <translation>全部催收员</translation>
    </message>
    <message>
        <source>The pool (nobody assigned)</source>
        <translation>待分配池（无人负责）</translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation>账龄段</translation>
    </message>
    <message>
        <source>All buckets</source>
        <translation>全部账龄段</translation>
    </message>
    <message>
        <source>any</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Lowest DPD</source>
        <translation>最低逾期天数</translation>
    </message>
    <message>
        <source>Highest DPD</source>
        <translation>最高逾期天数</translation>
    </message>
    <message>
        <source>City or district</source>
        <translation>城市或区县</translation>
    </message>
    <message>
        <source>Contract or borrower</source>
        <translation>合同号或借款人</translation>
    </message>
    <message>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>C&amp;ollector</source>
        <translation>催收员(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Bucket</source>
        <translation>账龄段(&amp;B)</translation>
    </message>
    <message>
        <source>DP&amp;D</source>
        <translation>逾期天数(&amp;D)</translation>
    </message>
    <message>
        <source>Team accounts</source>
        <translation>本组账户</translation>
    </message>
    <message>
        <source>The team&apos;s pool</source>
        <translation>团队待分配池</translation>
    </message>
    <message>
        <source>Accounts shown</source>
        <translation>显示的账户</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>&amp;Allocate to…</source>
        <translation>分配给…(&amp;A)</translation>
    </message>
    <message>
        <source>Allocate by r&amp;ule…</source>
        <translation>按规则分配…(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Reassign to…</source>
        <translation>转给…(&amp;R)</translation>
    </message>
    <message>
        <source>Reassign by r&amp;ule…</source>
        <translation>按规则转移…(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Mark for field visit…</source>
        <translation>申请外访…(&amp;M)</translation>
    </message>
    <message>
        <source>Set &amp;priority…</source>
        <translation>设置优先级…(&amp;P)</translation>
    </message>
    <message>
        <source>Clear priorit&amp;y</source>
        <translation>取消优先级(&amp;Y)</translation>
    </message>
    <message>
        <source>Referral pac&amp;kage…</source>
        <translation>法律移交材料…(&amp;K)</translation>
    </message>
    <message>
        <source>Write the selected account&apos;s referral package for a lawyer (a .zip): the statement of account, the contact history, agreements and notices.</source>
        <translation>为所选账户制作供律师使用的法律移交材料（.zip）：账目明细、催收联系记录、协议及通知。</translation>
    </message>
    <message>
        <source>Refer to le&amp;gal…</source>
        <translation>转法务(&amp;G)…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Attachments…</source>
        <translation>附件…</translation>
    </message>
    <message>
        <source>Files attached to the account</source>
        <translation>账户的附件</translation>
    </message>
    <message>
        <source>Allocate to…</source>
        <translation>分配给…</translation>
    </message>
    <message>
        <source>Reassign to…</source>
        <translation>转给…</translation>
    </message>
    <message>
        <source>Allocate by rule…</source>
        <translation>按规则分配…</translation>
    </message>
    <message>
        <source>Reassign by rule…</source>
        <translation>按规则转移…</translation>
    </message>
    <message>
        <source>Mark for field visit…</source>
        <translation>申请外访…</translation>
    </message>
    <message>
        <source>Set priority…</source>
        <translation>设置优先级…</translation>
    </message>
    <message>
        <source>Clear priority</source>
        <translation>取消优先级</translation>
    </message>
    <message>
        <source>Refer to legal…</source>
        <translation>转法务…</translation>
    </message>
    <message>
        <source>Find an account</source>
        <translation>查找账户</translation>
    </message>
    <message>
        <source>{shown} of {count} accounts in the pool shown · {selected} selected</source>
        <translation>待分配池共 {count} 个账户，显示 {shown} 个 · 已选 {selected} 个</translation>
    </message>
    <message>
        <source>{shown} of {count} accounts shown · {selected} selected</source>
        <translation>显示 {shown} / {count} 个账户 · 已选 {selected} 个</translation>
    </message>
    <message>
        <source>Mark for field visit</source>
        <translation>申请外访</translation>
    </message>
    <message>
        <source>Why do the selected accounts ({count}) need a home visit? The field agent reads it.</source>
        <translation>所选账户（{count}个）为什么需要上门外访？外访专员会看到原因。</translation>
    </message>
    <message>
        <source>End the priority of the selected accounts ({count}) now? They go back to their place in the collectors&apos; queues.</source>
        <translation>现在取消所选账户（{count}个）的优先级吗？它们将回到催收员队列中原来的位置。</translation>
    </message>
    <message>
        <source>Referral package</source>
        <translation>法律移交材料</translation>
    </message>
    <message>
        <source>Zip archives (*.zip)</source>
        <translation>Zip 压缩文件 (*.zip)</translation>
    </message>
    <message>
        <source>Referral package for {contract_no} written to {path}.</source>
        <translation>合同 {contract_no} 的法律移交材料已保存至 {path}。</translation>
    </message>
    <message>
        <source>Refer to legal</source>
        <translation>转法务</translation>
    </message>
    <message>
        <source>Why does {account} go to legal? It leaves the collector&apos;s queue at once; the lawyer and the audit trail read the reason.</source>
        <translation>为什么将 {account} 转法务？该账户会立即离开催收员的队列；律师和审计记录都会看到原因。</translation>
    </message>
    <message>
        <source>{account} is referred to legal: it has left the collector&apos;s queue.</source>
        <translation>{account} 已转法务：已离开催收员的队列。</translation>
    </message>
    <message>
        <source>Accounts allocated: {moved}.</source>
        <translation>已分配账户：{moved} 个。</translation>
    </message>
    <message>
        <source>Accounts moved: {moved}. Already with that collector: {unchanged}.</source>
        <translation>已转移账户：{moved}个。原本就在该催收员名下：{unchanged}个。</translation>
    </message>
    <message>
        <source>Priority “{level}” until {until} on accounts: {count}.</source>
        <translation>已为{count}个账户设置优先级“{level}”，至{until}。</translation>
    </message>
    <message>
        <source>Marked for a home visit: {marked}. Already marked: {already}.</source>
        <translation>已申请外访：{marked}个。此前已申请：{already}个。</translation>
    </message>
    <message>
        <source>Priorities cleared: {count}.</source>
        <translation>已取消优先级：{count}个。</translation>
    </message>
    <message>
        <source>Could not complete that</source>
        <translation>无法完成该操作</translation>
    </message>
</context>
<context>
    <name>TeamMembersPanel</name>
    <message>
        <source>Team</source>
        <translation>小组</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>小组成员</translation>
    </message>
    <message>
        <source>Members and pool</source>
        <translation>成员与待分配池</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Sho&amp;w the pool</source>
        <translation>查看待分配池(&amp;W)</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>小组(&amp;T)</translation>
    </message>
    <message>
        <source>Team {team}: {active} active of {count} members. Accounts in the pool, assigned to nobody: {pool}.</source>
        <translation>小组 {team}：{count} 名成员中 {active} 名在职。待分配池中无人负责的账户：{pool} 个。</translation>
    </message>
</context>
<context>
    <name>TeamWindow</name>
    <message>
        <source>Team — {name}</source>
        <translation>团队 — {name}</translation>
    </message>
    <message>
        <source>Team desk</source>
        <translation>组长工作台</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>看板(&amp;D)</translation>
    </message>
    <message>
        <source>Call &amp;review</source>
        <translation>通话质检(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Escalations</source>
        <translation>上报事项(&amp;E)</translation>
    </message>
    <message>
        <source>A&amp;pprovals</source>
        <translation>审批(&amp;P)</translation>
    </message>
    <message>
        <source>A&amp;ccounts</source>
        <translation>账户(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>成员(&amp;M)</translation>
    </message>
    <message>
        <source>Lending &amp;feed</source>
        <translation>放款推送(&amp;F)</translation>
    </message>
    <message>
        <source>Reminder&amp;s</source>
        <translation>提醒(&amp;S)</translation>
    </message>
    <message>
        <source>Disputes &amp;&amp; compla&amp;ints</source>
        <translation>异议与投诉(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Legal</source>
        <translation>法务(&amp;L)</translation>
    </message>
    <message>
        <source>E&amp;xperiments</source>
        <translation>实验(&amp;X)</translation>
    </message>
    <message>
        <source>Team dashboard</source>
        <translation>团队看板</translation>
    </message>
    <message>
        <source>Call review</source>
        <translation>通话质检</translation>
    </message>
    <message>
        <source>Escalations inbox</source>
        <translation>上报收件箱</translation>
    </message>
    <message>
        <source>Plan approvals</source>
        <translation>还款计划审批</translation>
    </message>
    <message>
        <source>Team accounts</source>
        <translation>本组账户</translation>
    </message>
    <message>
        <source>The team&apos;s pool</source>
        <translation>团队待分配池</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>小组成员</translation>
    </message>
    <message>
        <source>The lending system&apos;s feed</source>
        <translation>放款系统推送</translation>
    </message>
    <message>
        <source>Reminders sent, and tomorrow&apos;s</source>
        <translation>已发送的提醒及明日预览</translation>
    </message>
    <message>
        <source>Disputes and complaints</source>
        <translation>异议与投诉</translation>
    </message>
    <message>
        <source>Accounts referred to legal</source>
        <translation>已转法务的账户</translation>
    </message>
    <message>
        <source>Champion / challenger experiments</source>
        <translation>冠军 / 挑战者实验</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Escalations inbox</source>
        <translation>上报事项(&amp;E)</translation>
    </message>
    <message>
        <source>Plan a&amp;pprovals</source>
        <translation>还款计划审批(&amp;P)</translation>
    </message>
    <message>
        <source>Team a&amp;ccounts</source>
        <translation>团队账户(&amp;C)</translation>
    </message>
    <message>
        <source>The team&apos;s p&amp;ool</source>
        <translation>团队待分配池(&amp;O)</translation>
    </message>
    <message>
        <source>Team &amp;members</source>
        <translation>团队成员(&amp;M)</translation>
    </message>
    <message>
        <source>The lending system&apos;s &amp;feed</source>
        <translation>放款系统推送(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Refresh this tab</source>
        <translation>刷新本页(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>关闭(&amp;C)</translation>
    </message>
    <message>
        <source>P&amp;ool</source>
        <translation>待分配池(&amp;O)</translation>
    </message>
    <message>
        <source>P&amp;ool ({count})</source>
        <translation>待分配池(&amp;O)（{count}）</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <source>Everything</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系记录</translation>
    </message>
    <message>
        <source>Promises</source>
        <translation>承诺还款</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>还款</translation>
    </message>
    <message>
        <source>Callbacks</source>
        <translation>回电</translation>
    </message>
    <message>
        <source>Plans</source>
        <translation>还款方案</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Escalations</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Home visits</source>
        <translation>上门外访</translation>
    </message>
    <message>
        <source>Numbers and addresses added</source>
        <translation>新增号码和地址</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系</translation>
    </message>
    <message>
        <source>Promise</source>
        <translation>承诺</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>还款</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>回电</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Home visit</source>
        <translation>上门外访</translation>
    </message>
    <message>
        <source>Visit asked for</source>
        <translation>申请上门</translation>
    </message>
    <message>
        <source>Contact point added</source>
        <translation>新增联系方式</translation>
    </message>
    <message>
        <source>“{notes}”</source>
        <translation>“{notes}”</translation>
    </message>
    <message>
        <source>{amount} by {date}, {status}</source>
        <translation>{date}前还款 {amount}，{status}</translation>
    </message>
    <message>
        <source>{amount} via {channel}</source>
        <translation>通过{channel}还款 {amount}</translation>
    </message>
    <message>
        <source>{payment}, {state}</source>
        <translation>{payment}，{state}</translation>
    </message>
    <message>
        <source>Call back at {time}, done</source>
        <translation>{time}回电，已完成</translation>
    </message>
    <message>
        <source>Call back at {time}</source>
        <translation>{time}回电</translation>
    </message>
    <message>
        <source>{total}, {status}</source>
        <translation>{total}，{status}</translation>
    </message>
    <message>
        <source>{author}: {text}</source>
        <translation>{author}：{text}</translation>
    </message>
    <message>
        <source>{lead}: “{reason}”</source>
        <translation>{lead}：“{reason}”</translation>
    </message>
    <message>
        <source>added by {name}</source>
        <translation>由{name}添加</translation>
    </message>
    <message>
        <source>Planned for {date}, cancelled</source>
        <translation>原定{date}，已取消</translation>
    </message>
    <message>
        <source>Planned for {date} · {agents}</source>
        <translation>计划于{date} · {agents}</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <source>Account timeline</source>
        <translation>账户时间线</translation>
    </message>
    <message>
        <source>Timeline kind filter</source>
        <translation>时间线类型筛选</translation>
    </message>
    <message>
        <source>Filter the timeline</source>
        <translation>筛选时间线</translation>
    </message>
    <message>
        <source>Timeline text filter</source>
        <translation>时间线文字筛选</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <source>Selected timeline entry</source>
        <translation>选中的时间线条目</translation>
    </message>
    <message>
        <source>Timeline entries shown</source>
        <translation>显示的时间线条目数</translation>
    </message>
    <message>
        <source>{shown} of {total} entries</source>
        <translation>显示 {shown} / 共 {total} 条</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <source>Daily trend</source>
        <translation>每日趋势</translation>
    </message>
    <message>
        <source>Collected (¥, right scale)</source>
        <translation>回收金额（¥，右侧刻度）</translation>
    </message>
    <message>
        <source>Right-party contacts</source>
        <translation>本人接通</translation>
    </message>
    <message>
        <source>Promises to pay</source>
        <translation>承诺还款</translation>
    </message>
    <message>
        <source>Double-click a point or a bar for the accounts behind it.</source>
        <translation>双击数据点或柱形可查看其对应的账户。</translation>
    </message>
</context>
<context>
    <name>UpkeepDialog</name>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>UserChooser</name>
    <message>
        <source>Work as…</source>
        <translation>选择用户…</translation>
    </message>
    <message>
        <source>This is the demo portfolio. Choose whose queue to work:</source>
        <translation>这是演示数据。请选择要处理谁的队列：</translation>
    </message>
    <message>
        <source>Demo users</source>
        <translation>演示用户</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>催收专员</translation>
    </message>
    <message>
        <source>Team lead</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Field agent</source>
        <translation>外访专员</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
</context>
<context>
    <name>VisitOutcomeDialog</name>
    <message>
        <source>Visit outcome — {borrower}</source>
        <translation>外访结果 — {borrower}</translation>
    </message>
    <message>
        <source>Stop {seq}: {borrower} · {contract} · {address}</source>
        <translation>第{seq}站：{borrower} · {contract} · {address}</translation>
    </message>
    <message>
        <source>Time of the visit</source>
        <translation>外访时间</translation>
    </message>
    <message>
        <source>Emotion observed</source>
        <translation>观察到的情绪</translation>
    </message>
    <message>
        <source>— not recorded —</source>
        <translation>— 未记录 —</translation>
    </message>
    <message>
        <source>Support information</source>
        <translation>求助信息</translation>
    </message>
    <message>
        <source>Checklist</source>
        <translation>检查清单</translation>
    </message>
    <message>
        <source>Consent to enter</source>
        <translation>是否同意进入</translation>
    </message>
    <message>
        <source>— not asked —</source>
        <translation>— 未询问 —</translation>
    </message>
    <message>
        <source>Yes: we were let in</source>
        <translation>是：对方同意我们进入</translation>
    </message>
    <message>
        <source>No: we stayed at the door</source>
        <translation>否：我们在门口沟通</translation>
    </message>
    <message>
        <source>Promised amount</source>
        <translation>承诺金额</translation>
    </message>
    <message>
        <source>Amount, e.g. 1200.00</source>
        <translation>金额，例如 1200.00</translation>
    </message>
    <message>
        <source>Promise date</source>
        <translation>承诺日期</translation>
    </message>
    <message>
        <source>New address: province or state</source>
        <translation>新地址：省份或州</translation>
    </message>
    <message>
        <source>Province or state, e.g. 广东 or CA</source>
        <translation>省份或州，例如 广东 或 CA</translation>
    </message>
    <message>
        <source>New address: city</source>
        <translation>新地址：城市</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>New address: district</source>
        <translation>新地址：区县</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>New address: street and number</source>
        <translation>新地址：街道及门牌号</translation>
    </message>
    <message>
        <source>Street and number</source>
        <translation>街道及门牌号</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>What you saw and what was said, in a few words</source>
        <translation>简要记录所见情况和沟通内容</translation>
    </message>
    <message>
        <source>What the file shows</source>
        <translation>文件内容</translation>
    </message>
    <message>
        <source>Attach p&amp;hoto…</source>
        <translation>添加照片(&amp;H)…</translation>
    </message>
    <message>
        <source>Attach a photo or a PDF to the visit</source>
        <translation>为外访添加照片或 PDF</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save the visit&apos;s outcome</source>
        <translation>保存外访结果</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>外访结果</translation>
    </message>
    <message>
        <source>&amp;Visited at</source>
        <translation>外访时间(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Emotion</source>
        <translation>情绪(&amp;E)</translation>
    </message>
    <message>
        <source>Chec&amp;klist</source>
        <translation>检查清单(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Consent to enter</source>
        <translation>同意进入(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Promise</source>
        <translation>承诺还款(&amp;P)</translation>
    </message>
    <message>
        <source>Moved &amp;to</source>
        <translation>搬至(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>Atta&amp;ched</source>
        <translation>附件(&amp;C)</translation>
    </message>
    <message>
        <source>Give the borrower support information: {lines}</source>
        <translation>请向借款人提供求助信息：{lines}</translation>
    </message>
    <message>
        <source>Attach a photo or a PDF</source>
        <translation>添加照片或 PDF</translation>
    </message>
    <message>
        <source>Photos and PDFs (*.jpg *.jpeg *.png *.pdf);;All files (*)</source>
        <translation>照片和 PDF (*.jpg *.jpeg *.png *.pdf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Not attached</source>
        <translation>未添加</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
</context>
<context>
    <name>VisitPlanner</name>
    <message>
        <source>Home visits — {user}</source>
        <translation>上门外访 — {user}</translation>
    </message>
    <message>
        <source>Home visits</source>
        <translation>上门外访</translation>
    </message>
    <message>
        <source>Visit day</source>
        <translation>外访日期</translation>
    </message>
    <message>
        <source>Second agent</source>
        <translation>第二名外访人员</translation>
    </message>
    <message>
        <source>— nobody chosen —</source>
        <translation>— 未选择 —</translation>
    </message>
    <message>
        <source>Start of the round</source>
        <translation>出发时间</translation>
    </message>
    <message>
        <source>Home-visit rules</source>
        <translation>上门外访规定</translation>
    </message>
    <message>
        <source>Candidates</source>
        <translation>候选账户</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>上移(&amp;U)</translation>
    </message>
    <message>
        <source>Move &amp;down</source>
        <translation>下移(&amp;D)</translation>
    </message>
    <message>
        <source>Candidates in route order: tick the accounts to visit</source>
        <translation>按路线排序的候选账户：勾选要外访的账户</translation>
    </message>
    <message>
        <source>Planned visits</source>
        <translation>已安排的外访</translation>
    </message>
    <message>
        <source>&amp;Record outcome…</source>
        <translation>记录结果(&amp;R)…</translation>
    </message>
    <message>
        <source>The planned day</source>
        <translation>当日外访安排</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>提示信息</translation>
    </message>
    <message>
        <source>&amp;Plan the day</source>
        <translation>安排当日外访(&amp;P)</translation>
    </message>
    <message>
        <source>Print &amp;visit sheets…</source>
        <translation>打印外访单(&amp;V)…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>D&amp;ay</source>
        <translation>日期(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Second agent</source>
        <translation>第二名外访人员(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;tart at</source>
        <translation>出发时间(&amp;T)</translation>
    </message>
    <message>
        <source>Move the stop up</source>
        <translation>站序上移</translation>
    </message>
    <message>
        <source>Move the stop down</source>
        <translation>站序下移</translation>
    </message>
    <message>
        <source>Plan the day</source>
        <translation>安排当日外访</translation>
    </message>
    <message>
        <source>Print visit sheets</source>
        <translation>打印外访单</translation>
    </message>
    <message>
        <source>Record the visit&apos;s outcome</source>
        <translation>记录外访结果</translation>
    </message>
    <message>
        <source>Close the planner</source>
        <translation>关闭外访安排</translation>
    </message>
    <message>
        <source>The visits you chose for {day} are not planned yet. Close without planning them?</source>
        <translation>您为 {day} 选择的外访尚未排定。不排定就关闭吗？</translation>
    </message>
    <message>
        <source>{count} visits on {day} · {agents}</source>
        <translation>{day}共{count}次外访 · {agents}</translation>
    </message>
    <message>
        <source>Nothing planned for this day yet.</source>
        <translation>当天尚未安排外访。</translation>
    </message>
    <message>
        <source>{chosen} of {count} accounts chosen (at most {most} a day).</source>
        <translation>已选择{count}个账户中的{chosen}个（每天最多{most}个）。</translation>
    </message>
    <message>
        <source>Planned {count} visits. Print the visit sheets before you leave.</source>
        <translation>已安排{count}次外访。出发前请打印外访单。</translation>
    </message>
    <message>
        <source>Save the visit sheets</source>
        <translation>保存外访单</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>The visit sheets are in {path}.</source>
        <translation>外访单已保存到 {path}。</translation>
    </message>
    <message>
        <source>Visit sheets saved</source>
        <translation>外访单已保存</translation>
    </message>
    <message>
        <source>Nothing on this computer opens PDF files; the sheets are in {path}.</source>
        <translation>本机没有可打开 PDF 文件的程序；外访单已保存到 {path}。</translation>
    </message>
    <message>
        <source>Recorded the visit to {borrower}: {outcome}.</source>
        <translation>已记录对{borrower}的外访：{outcome}。</translation>
    </message>
    <message>
        <source>Could not complete that</source>
        <translation>操作未能完成</translation>
    </message>
    <message>
        <source>Tell the borrower: “{notice}”</source>
        <translation>告知借款人：“{notice}”</translation>
    </message>
</context>
<context>
    <name>Waiting</name>
    <message>
        <source>1 outcome</source>
        <translation>1 条通话结果</translation>
    </message>
    <message>
        <source>{count} outcomes</source>
        <translation>{count} 条通话结果</translation>
    </message>
    <message>
        <source>1 promise</source>
        <translation>1 个还款承诺</translation>
    </message>
    <message>
        <source>{count} promises</source>
        <translation>{count} 个还款承诺</translation>
    </message>
    <message>
        <source>1 callback</source>
        <translation>1 个回拨</translation>
    </message>
    <message>
        <source>{count} callbacks</source>
        <translation>{count} 个回拨</translation>
    </message>
    <message>
        <source>1 plan</source>
        <translation>1 个还款计划</translation>
    </message>
    <message>
        <source>{count} plans</source>
        <translation>{count} 个还款计划</translation>
    </message>
    <message>
        <source>1 note</source>
        <translation>1 条备注</translation>
    </message>
    <message>
        <source>{count} notes</source>
        <translation>{count} 条备注</translation>
    </message>
    <message>
        <source>1 contact detail</source>
        <translation>1 项联系信息</translation>
    </message>
    <message>
        <source>{count} contact details</source>
        <translation>{count} 项联系信息</translation>
    </message>
    <message>
        <source>1 visit</source>
        <translation>1 次外访</translation>
    </message>
    <message>
        <source>{count} visits</source>
        <translation>{count} 次外访</translation>
    </message>
    <message>
        <source>1 escalation</source>
        <translation>1 个升级事项</translation>
    </message>
    <message>
        <source>{count} escalations</source>
        <translation>{count} 个升级事项</translation>
    </message>
    <message>
        <source>1 payment</source>
        <translation>1 笔还款</translation>
    </message>
    <message>
        <source>{count} payments</source>
        <translation>{count} 笔还款</translation>
    </message>
    <message>
        <source>1 call review</source>
        <translation>1 条通话评审</translation>
    </message>
    <message>
        <source>{count} call reviews</source>
        <translation>{count} 条通话评审</translation>
    </message>
    <message>
        <source>1 dispute or complaint</source>
        <translation>1 件异议或投诉</translation>
    </message>
    <message>
        <source>{count} disputes or complaints</source>
        <translation>{count} 件异议或投诉</translation>
    </message>
    <message>
        <source>1 audit entry</source>
        <translation>1 条审计记录</translation>
    </message>
    <message>
        <source>{count} audit entries</source>
        <translation>{count} 条审计记录</translation>
    </message>
    <message>
        <source>1 other record</source>
        <translation>1 条其他记录</translation>
    </message>
    <message>
        <source>{count} other records</source>
        <translation>{count} 条其他记录</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>1 change waiting to be sent: {what}.</source>
        <translation>有 1 条改动等待上传：{what}。</translation>
    </message>
    <message>
        <source>{count} changes waiting to be sent: {what}.</source>
        <translation>有 {count} 条改动等待上传：{what}。</translation>
    </message>
    <message>
        <source>The oldest was made {time}.</source>
        <translation>最早的一条产生于 {time}。</translation>
    </message>
    <message>
        <source>Sending your changes to the server before you go…</source>
        <translation>离开前正在将您的改动上传到服务器…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Sending changes</source>
        <translation>正在上传改动</translation>
    </message>
    <message>
        <source>The server has not answered within {seconds} s.</source>
        <translation>服务器在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
        <source>Changes may still be waiting to be sent.</source>
        <translation>可能仍有改动等待上传。</translation>
    </message>
    <message>
        <source>Quit anyway: they stay in the encrypted copy on this computer and are sent the next time you sign in here.</source>
        <translation>仍然退出：这些改动保留在这台电脑上的加密副本中，您下次在此登录时会自动上传。</translation>
    </message>
    <message>
        <source>Quit anyway</source>
        <translation>仍然退出</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Changes not sent yet</source>
        <translation>改动尚未上传</translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <source>Choose an account in the queue</source>
        <translation>请在队列中选择一个账户</translation>
    </message>
    <message>
        <source>Offer a plan…</source>
        <translation>提供还款方案…</translation>
    </message>
    <message>
        <source>Offer a repayment plan</source>
        <translation>提供还款方案</translation>
    </message>
    <message>
        <source>Work out a repayment plan with the borrower</source>
        <translation>与借款人商定还款方案</translation>
    </message>
    <message>
        <source>Letter…</source>
        <translation>催收函…</translation>
    </message>
    <message>
        <source>Save a demand letter</source>
        <translation>保存催收函</translation>
    </message>
    <message>
        <source>Save a demand letter to the borrower&apos;s postal address as a PDF</source>
        <translation>将寄往借款人邮寄地址的催收函保存为PDF</translation>
    </message>
    <message>
        <source>Account history</source>
        <translation>账户历史</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>还款计划</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>还款</translation>
    </message>
    <message>
        <source>Balance, contact points and notes</source>
        <translation>余额、联系方式和备注</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>工作区</translation>
    </message>
    <message>
        <source>Borrower workspace</source>
        <translation>借款人工作区</translation>
    </message>
    <message>
        <source>Do not call this number</source>
        <translation>勿扰此号码</translation>
    </message>
    <message>
        <source>What did the borrower say? Their own words are kept with the mark.</source>
        <translation>借款人是怎么说的？其原话将与标记一同保存。</translation>
    </message>
    <message>
        <source>The mark was not set</source>
        <translation>标记未设置</translation>
    </message>
    <message>
        <source>The mark was not lifted</source>
        <translation>标记未解除</translation>
    </message>
    <message>
        <source>No longer represented</source>
        <translation>不再委托律师</translation>
    </message>
    <message>
        <source>Record that the attorney no longer represents {borrower}?</source>
        <translation>确认记录律师不再代理{borrower}吗？</translation>
    </message>
    <message>
        <source>Not recorded</source>
        <translation>未记录</translation>
    </message>
    <message>
        <source>Save the demand letter for {contract}</source>
        <translation>保存合同{contract}的催收函</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Demand letter saved</source>
        <translation>催收函已保存</translation>
    </message>
    <message>
        <source>Demand letter {number} for {contract} saved to {path}.</source>
        <translation>合同{contract}的催收函{number}已保存至{path}。</translation>
    </message>
    <message>
        <source>No letter was written</source>
        <translation>未生成函件</translation>
    </message>
</context>
</TS>
