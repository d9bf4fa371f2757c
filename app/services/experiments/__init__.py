"""Champion / challenger experiments on a team's queue (issue 21, item 6).

A team lead defines an experiment: a name, a start day, the challenger's queue weights (a file
shaped like resources/queue_weights.json) and the shares of the team's accounts that go to the
champion (today's weights), the challenger and the holdout. `definitions` keeps them and each
account's arm; `app.services.common.experiment_arms` works an arm out; the queue ranks
each account by its arm's weights; `comparison` compares the arms.

The holdout is "no change": its accounts get the champion's queue order and every automatic
reminder. Holding reminders back was considered and refused: the reminder strategy sends the
pre-due and early reminders and the credit-reporting notice (不良信息报送告知) the lender must
give before adverse information is reported (PRODUCT.md, migration 0029), so a holdout without
reminders would either drop a notice the law requires or take from a random set of borrowers
the warning that spares them penalty interest, only to measure the harm. The holdout instead
measures the experiment itself: it is treated exactly as before the experiment, so the
champion arm can be compared with accounts nothing was done to.
"""
