"""Pauses stop plans too: no plan on a paused account unless a team lead lets one go ahead."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    AuditEvent,
    Borrower,
    PlanStatus,
    RepaymentPlan,
    Role,
    Team,
    User,
)
from app.services.common.errors import InvalidInput, NotAllowed
from app.services.contact.contacts import record_contact
from app.services.contact.escalations import decide_escalation
from app.services.plans.lifecycle import (
    cancel_plan,
    decide_plan,
    plans_for,
    preview_plan,
    save_plan,
    sign_plan,
    submit_plan,
)
from app.services.plans.offers import PlanTerms
from app.services.plans.pauses import allow_plans_despite_pause, pause_rules, plan_pause_of
from tests.helpers.agreements import issue
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)  # NOW in Beijing
FORBEARANCE = "Lost her job; asks for smaller instalments while she looks for work."


def monthly(count: int = 3) -> PlanTerms:
    return PlanTerms("instalments", TODAY + timedelta(days=7), "monthly", count)


@pytest.fixture
def account(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=40)


def mark(db: Database, account: Account, **flags: bool) -> None:
    with db.session() as session:
        borrower = session.get_one(Borrower, account.borrower_id)
        for flag, value in flags.items():
            setattr(borrower, flag, value)


def vulnerability_disclosed(db: Database, account: Account) -> None:
    """The borrower discloses a vulnerability on a call: the mark, and an escalation."""
    result = record_contact(db, outcome(account, "HRD", emotion="vulnerability"), now=NOW)
    assert result.escalation_id is not None and "vulnerable" in result.flags_set


def stored_plans(db: Database) -> list[RepaymentPlan]:
    with db.reader() as session:
        return list(session.scalars(select(RepaymentPlan)))


def audit_details(db: Database, action: str) -> list[dict[str, object]]:
    with db.reader() as session:
        return [
            event.details
            for event in session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


REFUSED = "no plan can be offered, approved or issued unless a team lead allows it"


@pytest.mark.parametrize("flag", BORROWER_FLAGS)
def test_every_mark_that_pauses_collection_stops_offering_a_plan(
    db: Database, account: Account, flag: str
) -> None:
    mark(db, account, **{flag: True})
    for offer in (
        lambda: preview_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW),
        lambda: save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW),
        lambda: save_plan(db, "zhang.wei", account.contract_no, monthly(), submit=False, now=NOW),
    ):
        with pytest.raises(NotAllowed, match=REFUSED) as refusal:
            offer()
        assert f"Collection on account {account.contract_no} is paused (" in refusal.value.message
    assert stored_plans(db) == []
    assert audit_details(db, "plan.created") == []


def test_the_refusal_names_each_pause_in_the_users_words(db: Database, account: Account) -> None:
    vulnerability_disclosed(db, account)
    mark(db, account, dispute_open=True)
    with pytest.raises(NotAllowed) as refusal:
        save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    assert refusal.value.message == (
        f"Collection on account {account.contract_no} is paused (Vulnerable: paused; Dispute"
        " open; Vulnerability disclosed: review the collection pause): no plan can be offered,"
        " approved or issued unless a team lead allows it."
    )
    pauses = refusal.value.params["pauses"]
    assert pauses.zh_CN == "弱势客户暂停；存在异议；客户披露弱势情况，需复核催收暂停"  # type: ignore[attr-defined]


def test_an_open_escalation_pauses_plans_until_a_lead_decides_it(
    db: Database, account: Account
) -> None:
    vulnerability_disclosed(db, account)
    # Even with the mark lifted, the escalation still waiting for a lead keeps plans paused.
    mark(db, account, vulnerable=False)
    with pytest.raises(NotAllowed, match=r"paused \(Vulnerability disclosed"):
        save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    (escalation,) = plan_pause_of(db, "zhang.wei", account.contract_no, now=NOW).escalation_ids
    decide_escalation(
        db, "lead.wang", escalation, "resume", "Spoke to her: she can pay again.", now=NOW
    )
    assert not plan_pause_of(db, "zhang.wei", account.contract_no, now=NOW).paused
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)
    assert plan.status is PlanStatus.APPROVED


def test_a_lead_keeping_the_pause_keeps_plans_stopped(db: Database, account: Account) -> None:
    vulnerability_disclosed(db, account)
    (escalation,) = plan_pause_of(db, "zhang.wei", account.contract_no, now=NOW).escalation_ids
    decide_escalation(db, "lead.wang", escalation, "pause", now=NOW)
    with pytest.raises(NotAllowed, match=r"paused \(Vulnerable: paused\)"):
        save_plan(db, "zhang.wei", account.contract_no, monthly(), now=NOW)


def test_a_plan_made_before_the_pause_is_not_submitted_approved_or_issued_during_it(
    db: Database, portfolio: Portfolio
) -> None:
    drafted, waiting, agreed, signed = (
        portfolio.account(today=TODAY, dpd=40, name=name) for name in ("甲", "乙", "丙", "丁")
    )
    draft = save_plan(db, "zhang.wei", drafted.contract_no, monthly(), submit=False, now=NOW)
    pending = save_plan(db, "zhang.wei", waiting.contract_no, monthly(30), now=NOW)
    approved = save_plan(db, "zhang.wei", agreed.contract_no, monthly(), now=NOW)
    issued = issue(
        db,
        "zhang.wei",
        save_plan(db, "zhang.wei", signed.contract_no, monthly(), now=NOW).id,
        now=NOW,
    )
    for account in (drafted, waiting, agreed, signed):
        vulnerability_disclosed(db, account)

    later = NOW + timedelta(minutes=5)
    with pytest.raises(NotAllowed, match=REFUSED):
        submit_plan(db, "zhang.wei", draft.id, now=later)
    with pytest.raises(NotAllowed, match=REFUSED):
        decide_plan(db, "lead.wang", pending.id, approve=True, now=later)
    with pytest.raises(NotAllowed, match=REFUSED):
        issue(db, "zhang.wei", approved.id, now=later)
    # Stopping or turning down a plan is always possible; the borrower's signature on an
    # agreement issued before the pause is recorded.
    assert cancel_plan(db, "zhang.wei", draft.id, "Paused.", now=later).status is (
        PlanStatus.CANCELLED
    )
    rejected = decide_plan(db, "lead.wang", pending.id, approve=False, reason="Paused.", now=later)
    assert rejected.status is PlanStatus.REJECTED
    assert sign_plan(db, "zhang.wei", issued.id, now=later).status is PlanStatus.ACTIVE
    assert plans_for(db, "zhang.wei", agreed.contract_no)[0].status is PlanStatus.APPROVED


def test_a_leads_leave_lets_a_plan_go_ahead_despite_the_pause_and_is_audited(
    db: Database, account: Account
) -> None:
    vulnerability_disclosed(db, account)
    with pytest.raises(NotAllowed, match="Only a team lead"):
        allow_plans_despite_pause(db, "zhang.wei", account.contract_no, FORBEARANCE, now=NOW)
    with pytest.raises(InvalidInput, match="Say why"):
        allow_plans_despite_pause(db, "lead.wang", account.contract_no, "  ", now=NOW)
    assert audit_details(db, "plan.allowed_despite_pause") == []

    pause = allow_plans_despite_pause(db, "lead.wang", account.contract_no, FORBEARANCE, now=NOW)
    assert pause.paused and not pause.stops_plans
    leave = pause.override
    assert leave is not None
    assert (leave.lead_username, leave.granted_at, leave.reason) == ("lead.wang", NOW, FORBEARANCE)
    assert leave.until == NOW + timedelta(days=pause_rules().override_days)
    (event,) = audit_details(db, "plan.allowed_despite_pause")
    assert event["reason"] == FORBEARANCE and event["flags"] == ["vulnerable"]
    assert event["override_id"] == str(leave.id)

    # The collector offers the plan the borrower asked for; it is approved and issued.
    later = NOW + timedelta(minutes=10)
    plan = save_plan(db, "zhang.wei", account.contract_no, monthly(), now=later)
    assert plan.status is PlanStatus.APPROVED
    assert issue(db, "zhang.wei", plan.id, now=later).status is PlanStatus.ISSUED
    # Collection itself stays paused: the leave is about plans only.
    assert plan_pause_of(db, "zhang.wei", account.contract_no, now=later).flags == ("vulnerable",)
    (created,) = audit_details(db, "plan.created")
    assert created["despite_pause"] == str(leave.id)
    assert [e["despite_pause"] for e in audit_details(db, "plan.issued")] == [str(leave.id)]


def test_a_leads_leave_lets_a_waiting_plan_be_approved(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    portfolio.user("lead.li", Role.TEAM_LEAD)
    pending = save_plan(db, "zhang.wei", account.contract_no, monthly(30), now=NOW)
    vulnerability_disclosed(db, account)
    with pytest.raises(NotAllowed, match=REFUSED):
        decide_plan(db, "lead.wang", pending.id, approve=True, now=NOW)
    allow_plans_despite_pause(db, "lead.li", account.contract_no, FORBEARANCE, now=NOW)
    approved = decide_plan(db, "lead.wang", pending.id, approve=True, now=NOW)
    assert approved.status is PlanStatus.APPROVED


def test_a_leave_covers_only_the_pauses_it_saw_and_only_for_its_days(
    db: Database, account: Account
) -> None:
    vulnerability_disclosed(db, account)
    allow_plans_despite_pause(db, "lead.wang", account.contract_no, FORBEARANCE, now=NOW)
    days = pause_rules().override_days
    expired = NOW + timedelta(days=days, seconds=1)
    with pytest.raises(NotAllowed, match=REFUSED):
        preview_plan(db, "zhang.wei", account.contract_no, monthly(), now=expired)
    assert plan_pause_of(db, "zhang.wei", account.contract_no, now=expired).override is None
    # Within its days, a dispute opened after the leave stops plans again.
    later = NOW + timedelta(hours=2)
    assert not plan_pause_of(db, "zhang.wei", account.contract_no, now=later).stops_plans
    mark(db, account, dispute_open=True)
    with pytest.raises(NotAllowed, match=r"paused \(Vulnerable: paused; Dispute open; "):
        save_plan(db, "zhang.wei", account.contract_no, monthly(), now=later)


def test_no_leave_is_given_past_a_reported_death_or_on_an_account_not_paused(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    with pytest.raises(InvalidInput, match="is not paused"):
        allow_plans_despite_pause(db, "lead.wang", account.contract_no, FORBEARANCE, now=NOW)
    record_contact(db, outcome(account, "DCD"), now=NOW)
    with pytest.raises(NotAllowed, match="“Reported deceased”, whoever allows it"):
        allow_plans_despite_pause(db, "lead.wang", account.contract_no, FORBEARANCE, now=NOW)
    assert audit_details(db, "plan.allowed_despite_pause") == []


def test_a_lead_of_another_team_gives_no_leave(db: Database, account: Account) -> None:
    vulnerability_disclosed(db, account)
    with db.session() as session:
        team = Team(name="电催外组")
        session.add(team)
        session.flush()
        session.add(
            User(username="lead.li", display_name="李组长", role=Role.TEAM_LEAD, team_id=team.id)
        )
    with pytest.raises(NotAllowed, match=r"not in lead\.li's portfolio"):
        allow_plans_despite_pause(db, "lead.li", account.contract_no, FORBEARANCE, now=NOW)
