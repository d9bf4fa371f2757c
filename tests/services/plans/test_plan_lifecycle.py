"""Stored repayment plans: every step of the lifecycle, who may take it, and the audit trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    Loan,
    PlanStatus,
    QueueStamp,
    RepaymentPlan,
    Role,
    Team,
    User,
)
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed
from app.services.common.reference import lender
from app.services.contact.queue import build_queue
from app.services.plans.agreements import issue_agreement, verify_agreement, write_agreement
from app.services.plans.lapses import settle_lapsed
from app.services.plans.lifecycle import (
    approval_requests,
    breaks_at,
    cancel_plan,
    decide_plan,
    pending_approvals,
    plan_decisions,
    plans_for,
    preview_plan,
    save_plan,
    sign_plan,
    submit_plan,
)
from app.services.plans.offers import PlanTerms
from app.services.plans.payments import record_payment
from tests.helpers.agreements import issue
from tests.helpers.contacts import NOW
from tests.helpers.pdf import pdf_text
from tests.helpers.portfolio import ADMIN, Account, Portfolio

TODAY = date(2026, 11, 28)  # NOW in Beijing


def monthly(
    count: int = 3, first_due: date = TODAY + timedelta(days=7), **extra: object
) -> PlanTerms:
    return PlanTerms("instalments", first_due, "monthly", count, **extra)  # type: ignore[arg-type]


@pytest.fixture
def account(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=40)


def _actions(db: Database, plan_id: object) -> list[str]:
    with db.reader() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "plan", AuditEvent.entity_id == str(plan_id))
                .order_by(AuditEvent.at, AuditEvent.id)
            )
        )


def test_a_plan_within_policy_is_approved_by_the_policy_and_issued_with_a_number_and_hash(
    db: Database, account: Account
) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    assert plan.status is PlanStatus.APPROVED
    assert plan.breaches == ()
    assert sum(line.amount for line in plan.lines) == plan.total
    issued = issue(db, "zhang.wei", plan.id, now=NOW)
    assert issued.status is PlanStatus.ISSUED
    assert issued.agreement_no == f"HX-20261128-{plan.id.hex[:8].upper()}"
    assert issued.agreement_sha256 is not None and len(issued.agreement_sha256) == 64
    assert issued.agreement_date == TODAY
    assert _actions(db, plan.id) == ["plan.created", "plan.approved", "plan.issued"]


def test_the_stored_plan_keeps_the_overdue_breakdown_of_the_day_it_was_offered(
    db: Database, account: Account
) -> None:
    shown = preview_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    assert plan.overdue == shown.overdue
    assert plan.total == shown.total
    assert [(line.due_date, line.amount) for line in plan.lines] == [
        (line.due_date, line.amount) for line in shown.lines
    ]


def test_a_plan_outside_policy_waits_for_a_lead_who_approves_or_rejects_with_a_reason(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(30), now=NOW)
    assert plan.status is PlanStatus.PENDING_APPROVAL
    assert "30 instalments" in str(plan.breaches[0])
    assert [p.id for p in pending_approvals(db, "lead.wang")] == [plan.id]
    with pytest.raises(InvalidInput, match="cannot be issued yet"):
        issue(db, "zhang.wei", plan.id, now=NOW)
    with pytest.raises(NotAllowed, match="team lead"):
        decide_plan(db, "zhang.wei", plan.id, approve=True, now=NOW)
    with pytest.raises(InvalidInput, match="why"):
        decide_plan(db, "lead.wang", plan.id, approve=False, reason="  ", now=NOW)
    rejected = decide_plan(db, "lead.wang", plan.id, approve=False, reason="Too long.", now=NOW)
    assert rejected.status is PlanStatus.REJECTED
    assert rejected.decided_by == "lead.wang"
    assert rejected.decision_reason == "Too long."
    assert pending_approvals(db, "lead.wang") == ()
    # A rejected plan is over: the collector may offer another.
    again = save_plan(db, "zhang.wei", account.contract_no, monthly(24), now=NOW)
    approved = (
        decide_plan(db, "lead.wang", again.id, approve=True, now=NOW) if again.breaches else again
    )
    assert approved.status is PlanStatus.APPROVED


def test_a_lead_cannot_approve_a_plan_they_made(db: Database, portfolio: Portfolio) -> None:
    own = portfolio.account(today=TODAY, dpd=40, assigned_to=portfolio.lead)
    plan = save_plan(db, "lead.wang", own.contract_no, monthly(30), now=NOW)
    with pytest.raises(NotAllowed, match="made it"):
        decide_plan(db, "lead.wang", plan.id, approve=True, now=NOW)


def test_a_draft_is_kept_until_submitted(db: Database, account: Account) -> None:
    draft = save_plan(db, "zhang.wei", account.contract_no, monthly(), submit=False, now=NOW)
    assert draft.status is PlanStatus.DRAFT
    assert submit_plan(db, "zhang.wei", draft.id, now=NOW).status is PlanStatus.APPROVED


def test_a_second_plan_is_refused_while_one_is_open_and_allowed_after_cancelling(
    db: Database, account: Account
) -> None:
    first = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    with pytest.raises(InvalidInput, match="already has an open repayment plan"):
        save_plan(db, "zhang.wei", account.contract_no, monthly(2), now=NOW)
    with pytest.raises(InvalidInput, match="why"):
        cancel_plan(db, "zhang.wei", first.id, "", now=NOW)
    assert cancel_plan(db, "zhang.wei", first.id, "Borrower changed mind.", now=NOW).status is (
        PlanStatus.CANCELLED
    )
    save_plan(db, "zhang.wei", account.contract_no, monthly(2), now=NOW + timedelta(minutes=5))
    assert [p.status for p in plans_for(db, "zhang.wei", account.contract_no)] == [
        PlanStatus.APPROVED,
        PlanStatus.CANCELLED,
    ]


def test_bad_terms_store_nothing(db: Database, account: Account) -> None:
    with pytest.raises(InvalidDate):
        save_plan(
            db,
            "zhang.wei",
            account.contract_no,
            monthly(first_due=TODAY - timedelta(days=1)),
            now=NOW,
        )
    with db.reader() as session:
        assert session.scalars(select(RepaymentPlan)).all() == []
        assert session.scalars(select(AuditEvent).where(AuditEvent.entity == "plan")).all() == []


def test_steps_out_of_order_are_refused(db: Database, account: Account) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    with pytest.raises(InvalidInput, match="cannot become “active”"):
        sign_plan(db, "zhang.wei", plan.id, now=NOW)
    issue(db, "zhang.wei", plan.id, now=NOW)
    with pytest.raises(InvalidInput, match="cannot become “agreement issued”"):
        issue(db, "zhang.wei", plan.id, now=NOW)


def test_another_collector_cannot_touch_the_plan(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    portfolio.user("li.na", Role.COLLECTOR)
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    with pytest.raises(NotAllowed):
        issue(db, "li.na", plan.id, now=NOW)
    with pytest.raises(NotAllowed):
        save_plan(db, "li.na", account.contract_no, monthly(), now=NOW)


def test_payments_activate_then_complete_the_plan(db: Database, account: Account) -> None:
    plan = save_plan(
        db, "zhang.wei", account.contract_no, monthly(2, down_payment=Decimal("100.00")), now=NOW
    )
    issue(db, "zhang.wei", plan.id, now=NOW)
    first = record_payment(db, ADMIN, account.contract_no, "100.00", NOW, now=NOW)
    assert first.plans_changed == (plan.id,)
    active = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert active.status is PlanStatus.ACTIVE
    assert active.down_payment_paid == Decimal("100.00")
    later = NOW + timedelta(days=7)  # on the first due date
    record_payment(db, ADMIN, account.contract_no, str(plan.lines[0].amount), later, now=later)
    after_one = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert after_one.status is PlanStatus.ACTIVE
    assert after_one.lines[0].paid_on is not None and after_one.lines[1].paid_amount == 0
    end = NOW + timedelta(days=38)  # on the second
    record_payment(db, ADMIN, account.contract_no, str(plan.lines[1].amount), end, now=end)
    done = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert done.status is PlanStatus.COMPLETED
    assert done.paid == done.total
    assert _actions(db, plan.id)[-2:] == ["plan.active", "plan.completed"]


def test_an_instalment_unpaid_past_grace_breaks_the_plan_and_tops_the_queue(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    others = [portfolio.account(today=TODAY, dpd=dpd) for dpd in (90, 120)]
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(2), now=NOW)
    issue(db, "zhang.wei", plan.id, now=NOW)
    sign_plan(db, "zhang.wei", plan.id, now=NOW)
    deadline = breaks_at(plan.lines[0].due_date)
    just_before = deadline - timedelta(minutes=1)
    settle_lapsed(db, just_before, now=just_before)
    queue = build_queue(db, "zhang.wei", just_before, now=just_before)
    assert plans_for(db, "zhang.wei", account.contract_no)[0].status is PlanStatus.ACTIVE
    assert queue.entries[0].contract_no != account.contract_no
    settle_lapsed(db, deadline, now=deadline)
    queue = build_queue(db, "zhang.wei", deadline, now=deadline)
    broken = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert broken.status is PlanStatus.BROKEN
    assert broken.closed_at == deadline
    top = queue.entries[0]
    assert top.contract_no == account.contract_no
    assert top.reasons[0].key == "plan_broken"
    assert {entry.contract_no for entry in queue.entries[1:]} >= {o.contract_no for o in others}
    assert _actions(db, plan.id)[-1] == "plan.broken"


def test_a_down_payment_unpaid_past_its_grace_breaks_the_plan_at_the_settling(
    db: Database, account: Account
) -> None:
    plan = save_plan(
        db, "zhang.wei", account.contract_no, monthly(3, down_payment=Decimal("200.00")), now=NOW
    )
    issue(db, "zhang.wei", plan.id, now=NOW)
    # Due on the day of the offer: a part paid is not the down payment.
    record_payment(db, ADMIN, account.contract_no, "150.00", NOW, now=NOW)
    deadline = breaks_at(TODAY)
    assert deadline < breaks_at(plan.lines[0].due_date)
    just_before = deadline - timedelta(minutes=1)
    settle_lapsed(db, just_before, now=just_before)
    assert plans_for(db, "zhang.wei", account.contract_no)[0].status is PlanStatus.ACTIVE
    settle_lapsed(db, deadline, now=deadline)
    broken = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert broken.status is PlanStatus.BROKEN
    assert broken.closed_at == deadline


def test_a_settling_with_nothing_lapsed_writes_nothing_the_queue_reads(
    db: Database, account: Account
) -> None:
    """The window settles before every read of its queue: a plan long offered, its down
    payment paid and its next instalment not yet due, is not written to (on SQLite a write
    would stamp the borrower and the queue's memo would compute the account again)."""
    plan = save_plan(
        db, "zhang.wei", account.contract_no, monthly(2, down_payment=Decimal("100.00")), now=NOW
    )
    issue(db, "zhang.wei", plan.id, now=NOW)
    record_payment(db, ADMIN, account.contract_no, "100.00", NOW, now=NOW)
    later = breaks_at(plan.lines[0].due_date) - timedelta(hours=1)
    assert later > breaks_at(TODAY)  # the offer's day is past its grace

    def stamps() -> dict[object, int]:
        with db.reader() as session:
            return {row.borrower_id: row.stamp for row in session.scalars(select(QueueStamp))}

    before = stamps()
    lapsed = settle_lapsed(db, later, now=later)
    assert lapsed.plans == ()
    assert stamps() == before
    assert plans_for(db, "zhang.wei", account.contract_no)[0].status is PlanStatus.ACTIVE


def test_a_late_payment_recorded_after_the_break_does_not_revive_the_plan(
    db: Database, account: Account
) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(2), now=NOW)
    issue(db, "zhang.wei", plan.id, now=NOW)
    deadline = breaks_at(plan.lines[0].due_date)
    settle_lapsed(db, deadline, now=deadline)
    later = deadline + timedelta(days=1)
    result = record_payment(
        db, ADMIN, account.contract_no, str(plan.lines[0].amount), later, now=later
    )
    assert result.plans_changed == ()
    assert plans_for(db, "zhang.wei", account.contract_no)[0].status is PlanStatus.BROKEN


def test_a_plan_breaks_at_midnight_in_the_lenders_zone_after_the_grace_days() -> None:
    moment = breaks_at(date(2026, 12, 5))
    assert moment == datetime.fromisoformat("2026-12-08T16:00:00+00:00")


def test_a_down_payment_made_while_the_plan_waits_for_approval_counts(
    db: Database, account: Account
) -> None:
    plan = save_plan(
        db, "zhang.wei", account.contract_no, monthly(30, down_payment=Decimal("500.00")), now=NOW
    )
    assert plan.status is PlanStatus.PENDING_APPROVAL
    record_payment(db, ADMIN, account.contract_no, "500.00", NOW, now=NOW)
    later = NOW + timedelta(days=1)
    decide_plan(db, "lead.wang", plan.id, approve=True, now=later)
    issue(db, "zhang.wei", plan.id, now=later)
    five_days = NOW + timedelta(days=5)
    settle_lapsed(db, five_days, now=five_days)
    tracked = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert tracked.status is PlanStatus.ACTIVE
    assert tracked.down_payment_paid == Decimal("500.00")


def test_a_plan_whose_dates_passed_while_it_waited_cannot_be_issued(
    db: Database, account: Account
) -> None:
    plan = save_plan(
        db, "zhang.wei", account.contract_no, monthly(30, down_payment=Decimal("500.00")), now=NOW
    )
    late = NOW + timedelta(days=5)
    decide_plan(db, "lead.wang", plan.id, approve=True, now=late)
    with pytest.raises(InvalidInput, match="has passed while it waited"):
        issue(db, "zhang.wei", plan.id, now=late)
    assert plans_for(db, "zhang.wei", account.contract_no)[0].status is PlanStatus.APPROVED


def test_an_instalment_paid_in_grace_but_recorded_after_the_break_restores_the_plan(
    db: Database, account: Account
) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(2), now=NOW)
    issue(db, "zhang.wei", plan.id, now=NOW)
    deadline = breaks_at(plan.lines[0].due_date)
    settle_lapsed(db, deadline, now=deadline)
    assert plans_for(db, "zhang.wei", account.contract_no)[0].status is PlanStatus.BROKEN
    in_grace = deadline - timedelta(days=1)
    recorded = deadline + timedelta(days=1)
    result = record_payment(
        db, ADMIN, account.contract_no, str(plan.lines[0].amount), in_grace, now=recorded
    )
    assert result.plans_changed == (plan.id,)
    restored = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert restored.status is PlanStatus.ACTIVE and restored.closed_at is None
    assert _actions(db, plan.id)[-1] == "plan.active"


def test_an_instalment_paid_after_its_grace_breaks_the_plan_even_unseen_till_then(
    db: Database, account: Account
) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(2), now=NOW)
    issue(db, "zhang.wei", plan.id, now=NOW)
    deadline = breaks_at(plan.lines[0].due_date)
    too_late = deadline + timedelta(days=2)
    record_payment(
        db, ADMIN, account.contract_no, str(plan.lines[0].amount), too_late, now=too_late
    )
    broken = plans_for(db, "zhang.wei", account.contract_no)[0]
    assert broken.status is PlanStatus.BROKEN
    assert broken.closed_at == deadline


def test_a_reprint_after_the_borrowers_name_is_corrected_says_what_was_issued(
    db: Database, account: Account, tmp_path: Path
) -> None:
    issued = tmp_path / "issued.pdf"
    plan = issue_agreement(
        db,
        "zhang.wei",
        save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW).id,
        issued,
        now=NOW,
    )
    with db.session() as session:
        session.get_one(Borrower, account.borrower_id).name = "王芳芳"
    out = write_agreement(db, "zhang.wei", plan.id, tmp_path / "again.pdf", now=NOW)
    # Every line of the copy reads as the agreement issued, but only that file is genuine.
    found = verify_agreement(db, out)
    assert (found.status, found.differences) == ("altered", ())
    assert "not the file issued" in found.problems[0]
    assert verify_agreement(db, issued).status == "genuine"
    text = pdf_text(out.read_bytes())
    assert "王芳芳" not in text
    # The lender is named with its registration number and address (resources/lender.json).
    company = lender()
    assert company.registration_no in text
    assert company.address is not None and company.address["zh_CN"] in text.replace(" ", "")


def other_team(db: Database) -> tuple[str, str]:
    """A second team: its lead's and its collector's user names."""
    with db.session() as session:
        team = Team(name="电催外组")
        session.add(team)
        session.flush()
        session.add_all(
            [
                User(
                    username="lead.li", display_name="李组长", role=Role.TEAM_LEAD, team_id=team.id
                ),
                User(username="sun.li", display_name="孙丽", role=Role.COLLECTOR, team_id=team.id),
            ]
        )
    return "lead.li", "sun.li"


def test_the_lead_sees_each_waiting_plan_with_its_borrower_maker_and_the_policy_it_breaks(
    db: Database, portfolio: Portfolio
) -> None:
    mine = portfolio.account(today=TODAY, dpd=40, assigned_to=portfolio.lead, name="李娜")
    first = portfolio.account(today=TODAY, dpd=40, name="王芳")
    older = save_plan(db, "zhang.wei", first.contract_no, monthly(30), now=NOW)
    own = save_plan(db, "lead.wang", mine.contract_no, monthly(30), now=NOW + timedelta(1))
    # Within the policy: approved by itself, nobody's to decide.
    save_plan(
        db, "zhang.wei", portfolio.account(today=TODAY, dpd=40).contract_no, monthly(), now=NOW
    )
    requests = approval_requests(db, "lead.wang")
    assert [request.id for request in requests] == [older.id, own.id]
    assert (requests[0].borrower, requests[0].collector_username, requests[0].own) == (
        "王芳",
        "zhang.wei",
        False,
    )
    assert requests[1].own and requests[1].borrower == "李娜"
    assert "30 instalments" in str(requests[0].plan.breaches[0])
    assert len(requests[0].plan.lines) == 30
    assert [p.id for p in pending_approvals(db, "lead.wang")] == [older.id, own.id]
    with pytest.raises(NotAllowed, match="team lead"):
        approval_requests(db, "zhang.wei")


def test_a_rejection_needs_a_reason_an_approval_does_not(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(30), now=NOW)
    for blank in ("", "   "):
        with pytest.raises(InvalidInput, match="why"):
            decide_plan(db, "lead.wang", plan.id, approve=False, reason=blank, now=NOW)
    assert _actions(db, plan.id) == ["plan.created", "plan.pending_approval"]
    approved = decide_plan(db, "lead.wang", plan.id, approve=True, reason="  ", now=NOW)
    assert (approved.status, approved.decision_reason) == (PlanStatus.APPROVED, None)


def test_the_collector_sees_the_leads_decisions_on_their_plans_latest_first(
    db: Database, portfolio: Portfolio
) -> None:
    first = portfolio.account(today=TODAY, dpd=40, name="王芳")
    second = portfolio.account(today=TODAY, dpd=40, name="赵磊")
    rejected = save_plan(db, "zhang.wei", first.contract_no, monthly(30), now=NOW)
    approved = save_plan(db, "zhang.wei", second.contract_no, monthly(30), now=NOW)
    by_policy = save_plan(
        db, "zhang.wei", portfolio.account(today=TODAY, dpd=40).contract_no, monthly(), now=NOW
    )
    assert plan_decisions(db, "zhang.wei") == ()
    decide_plan(
        db, "lead.wang", rejected.id, approve=False, reason="30 months is too long.", now=NOW
    )
    later = NOW + timedelta(hours=2)
    decide_plan(db, "lead.wang", approved.id, approve=True, reason="One-off.", now=later)
    decisions = plan_decisions(db, "zhang.wei")
    assert [d.plan_id for d in decisions] == [approved.id, rejected.id]
    assert by_policy.id not in [d.plan_id for d in decisions]
    yes, no = decisions
    assert (yes.approved, yes.status, yes.reason, yes.lead, yes.decided_at) == (
        True,
        PlanStatus.APPROVED,
        "One-off.",
        "lead.wang",
        later,
    )
    assert (no.approved, no.status, no.reason, no.contract_no, no.borrower) == (
        False,
        PlanStatus.REJECTED,
        "30 months is too long.",
        first.contract_no,
        "王芳",
    )
    assert (no.instalments, no.total) == (30, rejected.total)
    # Only what came after the moment asked for; nobody else's plans.
    assert [d.plan_id for d in plan_decisions(db, "zhang.wei", since=NOW)] == [approved.id]
    assert plan_decisions(db, "lead.wang") == ()
    # An approved plan issued since is still listed, with its status now.
    issue(db, "zhang.wei", approved.id, now=later)
    assert plan_decisions(db, "zhang.wei")[0].status is PlanStatus.ISSUED


def test_another_teams_lead_neither_sees_nor_decides_the_plan(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    outsider, _ = other_team(db)
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(30), now=NOW)
    assert approval_requests(db, outsider) == ()
    with pytest.raises(NotAllowed, match="portfolio"):
        decide_plan(db, outsider, plan.id, approve=True, now=NOW)
    with pytest.raises(NotAllowed, match="portfolio"):
        decide_plan(db, outsider, plan.id, approve=False, reason="Not ours.", now=NOW)
    assert [p.id for p in pending_approvals(db, "lead.wang")] == [plan.id]
    assert plan_decisions(db, "zhang.wei") == ()


def test_a_plan_on_an_account_moved_into_the_team_waits_for_the_new_lead(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    lead, collector = other_team(db)
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(30), now=NOW)
    with db.session() as session:
        mover = session.scalars(select(User).where(User.username == collector)).one()
        session.get_one(Loan, account.loan_id).assigned_to_id = mover.id
    assert [request.id for request in approval_requests(db, lead)] == [plan.id]
    assert decide_plan(db, lead, plan.id, approve=True, now=NOW).status is PlanStatus.APPROVED
