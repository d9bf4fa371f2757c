"""Escalations: raised with the contact that caused them, decided by the team's lead only."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    Escalation,
    EscalationDecision,
    Loan,
    Role,
    Team,
    User,
)
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.reference import dispositions, emotions
from app.services.contact.contacts import record_contact
from app.services.contact.escalations import (
    acknowledge,
    acknowledge_escalation,
    decide_escalation,
    decision_text,
    escalation_inbox,
    escalation_kinds,
    open_escalations,
)
from app.services.contact.queue import build_queue
from app.services.portfolio.accounts import account_detail
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)


def raise_one(
    db: Database,
    account: Account,
    code: str = "HRD",
    emotion: str = "vulnerability",
    **extra: object,
) -> uuid.UUID:
    result = record_contact(db, outcome(account, code, emotion=emotion, **extra), now=NOW)
    assert result.escalation_id is not None
    return result.escalation_id


def other_team_lead(db: Database) -> str:
    with db.session() as session:
        team = Team(name="电催外组")
        session.add(team)
        session.flush()
        session.add(
            User(username="lead.li", display_name="李组长", role=Role.TEAM_LEAD, team_id=team.id)
        )
    return "lead.li"


def borrower_flags(db: Database, account: Account) -> tuple[bool, bool, bool]:
    with db.reader() as session:
        borrower = session.get_one(Borrower, account.borrower_id)
        return borrower.vulnerable, borrower.dispute_open, borrower.deceased


def audit_count(db: Database) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_data_raises_an_escalation_wherever_the_outcome_promises_one() -> None:
    kinds = escalation_kinds()
    by_emotion = {kind.emotion: kind for kind in kinds.values() if kind.emotion}
    by_code = {kind.disposition: kind for kind in kinds.values() if kind.disposition}
    for emotion in emotions().values():
        if emotion.escalate or emotion.pauses_collection:
            assert by_emotion[emotion.code].pause_flag == "vulnerable"
    for code in dispositions().values():
        if code.escalate:
            assert code.code in by_code
    for code, kind in by_code.items():
        # The outcome itself sets the flag that keeps collection paused meanwhile.
        assert dispositions()[code].sets_flag == kind.pause_flag
    assert [kinds[k].urgent for k in kinds] == sorted(
        (kinds[k].urgent for k in kinds), reverse=True
    )
    assert all(kind.zh_CN and kind.en for kind in kinds.values())


@pytest.mark.parametrize(
    ("code", "emotion", "kind", "flag"),
    [
        ("HRD", "self_harm_risk", "self_harm_risk", "vulnerable"),
        ("HRD", "vulnerability", "vulnerability", "vulnerable"),
        ("DCD", "distressed", "deceased", "deceased"),
        ("DSP", "angry", "dispute", "dispute_open"),
    ],
)
def test_each_trigger_raises_its_escalation_row_with_an_audit_event(
    db: Database, portfolio: Portfolio, code: str, emotion: str, kind: str, flag: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    result = record_contact(db, outcome(account, code, emotion=emotion), now=NOW)
    assert (result.escalation_kind, result.escalation_ids) == (kind, (result.escalation_id,))
    assert flag in result.flags_set
    with db.reader() as session:
        row = session.get_one(Escalation, result.escalation_id)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "escalation.raised")
        ).one()
    assert (row.kind, row.loan_id, row.borrower_id) == (kind, account.loan_id, account.borrower_id)
    assert (row.attempt_id, row.raised_by_id, row.raised_at) == (
        result.attempt_id,
        portfolio.collector,
        NOW,
    )
    assert row.decision is None and row.acknowledged_at is None
    assert (event.entity, event.entity_id) == ("escalation", str(row.id))
    assert event.details["kind"] == kind and event.details["attempt_id"] == str(result.attempt_id)


def test_an_ordinary_contact_raises_nothing(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    result = record_contact(db, outcome(account, "RTP", emotion="hostile"), now=NOW)
    assert (result.escalated, result.escalation_id, result.escalation_ids) == (False, None, ())
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_a_dispute_with_a_vulnerability_raises_both_most_urgent_first(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    result = record_contact(db, outcome(account, "DSP", emotion="vulnerability"), now=NOW)
    assert result.escalation_kind == "vulnerability"
    assert len(result.escalation_ids) == 2 and result.escalation_ids[0] == result.escalation_id
    kinds = [view.kind for view in open_escalations(db, "lead.wang")]
    assert kinds == ["vulnerability", "dispute"]


def test_the_lead_sees_the_teams_open_escalations_oldest_first(
    db: Database, portfolio: Portfolio
) -> None:
    colleague = portfolio.user("li.na")
    first = portfolio.account(today=TODAY, dpd=20, name="王芳")
    second = portfolio.account(today=TODAY, dpd=20, name="赵磊", assigned_to=colleague)
    newer = record_contact(
        db,
        outcome(second, "DSP", username="li.na", started_at=NOW - timedelta(minutes=2)),
        now=NOW,
    ).escalation_id
    older = record_contact(
        db, outcome(first, "HRD", emotion="self_harm_risk"), now=NOW - timedelta(minutes=1)
    ).escalation_id
    views = open_escalations(db, "lead.wang")
    assert [view.id for view in views] == [older, newer]
    urgent = views[0]
    assert (urgent.kind, urgent.urgent, urgent.contract_no, urgent.borrower) == (
        "self_harm_risk",
        True,
        first.contract_no,
        "王芳",
    )
    assert (urgent.raised_by, urgent.disposition, urgent.emotion, urgent.open) == (
        "zhang.wei",
        "HRD",
        "self_harm_risk",
        True,
    )
    assert urgent.title("zh_CN") == escalation_kinds()["self_harm_risk"].zh_CN
    # A collector sees what they raised; a lead of another team sees nothing of this team's.
    assert [view.id for view in open_escalations(db, "zhang.wei")] == [older]
    assert [view.id for view in open_escalations(db, "li.na")] == [newer]
    assert open_escalations(db, other_team_lead(db)) == ()


def test_pause_keeps_the_flag_and_closes_the_escalation_with_an_audit_event(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, emotion="self_harm_risk")
    later = NOW + timedelta(minutes=7)
    done = acknowledge(
        db, "lead.wang", escalation_id, "pause", "Called back with 12356.", now=later
    )
    assert done.flags_cleared == ()
    view = done.escalation
    assert (view.decision, view.acknowledged_by, view.acknowledged_at, view.decided_at) == (
        "pause",
        "lead.wang",
        later,
        later,
    )
    assert view.note == "Called back with 12356." and not view.open
    assert borrower_flags(db, account) == (True, False, False)
    assert open_escalations(db, "lead.wang") == ()
    with db.reader() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "escalation.decided")
        ).one()
        row = session.get_one(Escalation, escalation_id)
    assert (event.entity_id, event.user_id, event.details["decision"]) == (
        str(escalation_id),
        portfolio.lead,
        "pause",
    )
    assert row.decision is EscalationDecision.PAUSE


def test_resume_lifts_the_vulnerability_pause_and_the_account_is_callable_again(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, emotion="vulnerability")
    later = NOW + timedelta(hours=1)
    assert build_queue(db, "zhang.wei", later).entries[0].contact.decision.rule_id == (
        "cn.stop.vulnerable"
    )
    with pytest.raises(InvalidInput, match="why"):
        acknowledge(db, "lead.wang", escalation_id, "resume", "  ", now=later)
    done = acknowledge(
        db, "lead.wang", escalation_id, "resume", "Hospital stay over; agreed to talk.", now=later
    )
    assert done.flags_cleared == ("vulnerable",)
    assert borrower_flags(db, account) == (False, False, False)
    entry = build_queue(db, "zhang.wei", later).entries[0]
    assert entry.contact.decision.rule_id != "cn.stop.vulnerable"


def test_resume_closes_a_dispute(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, code="DSP", emotion="calm")
    assert borrower_flags(db, account) == (False, True, False)
    done = acknowledge(
        db, "lead.wang", escalation_id, "resume", "Fee explained; dispute withdrawn."
    )
    assert done.flags_cleared == ("dispute_open",)
    assert borrower_flags(db, account) == (False, False, False)


def test_refer_keeps_the_pause_and_records_whom_it_went_to(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, code="DCD", emotion="calm")
    with pytest.raises(InvalidInput, match="whom"):
        acknowledge(db, "lead.wang", escalation_id, "refer")
    done = acknowledge(db, "lead.wang", escalation_id, "refer", "Estates team, case 77.")
    assert (done.escalation.decision, done.escalation.note) == ("refer", "Estates team, case 77.")
    assert borrower_flags(db, account) == (False, False, True)


def test_a_reported_death_cannot_be_resumed(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, code="DCD", emotion="calm")
    before = audit_count(db)
    with pytest.raises(NotAllowed, match="cannot be resumed"):
        acknowledge(db, "lead.wang", escalation_id, "resume", "He answered the phone himself.")
    assert borrower_flags(db, account) == (False, False, True)
    assert [view.id for view in open_escalations(db, "lead.wang")] == [escalation_id]
    assert audit_count(db) == before


def test_a_collector_and_another_teams_lead_cannot_decide(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, emotion="vulnerability")
    outsider = other_team_lead(db)
    before = audit_count(db)
    with pytest.raises(NotAllowed, match="team lead"):
        acknowledge(db, "zhang.wei", escalation_id, "resume", "I think she is fine.")
    with pytest.raises(NotAllowed, match="another team"):
        acknowledge(db, outsider, escalation_id, "resume", "Looks fine from here.")
    assert borrower_flags(db, account) == (True, False, False)
    assert [view.id for view in open_escalations(db, "lead.wang")] == [escalation_id]
    assert audit_count(db) == before


def test_a_decision_is_taken_once(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, code="DSP", emotion="calm")
    decided = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)  # 14:30 in Beijing
    acknowledge(db, "lead.wang", escalation_id, EscalationDecision.PAUSE, now=decided)
    with pytest.raises(NotAllowed, match="already decided") as caught:
        acknowledge(db, "lead.wang", escalation_id, "resume", "Changed my mind.")
    assert borrower_flags(db, account) == (False, True, False)
    # The moment is a value the reader shows in their zone; the English text uses the lender's.
    assert caught.value.params["time"] == decided
    assert caught.value.message.endswith("at 2026-11-28 14:30.")
    # The decision in the words every screen uses for it, not its code.
    assert caught.value.params["decision"] == decision_text(EscalationDecision.PAUSE)
    assert "already decided (kept paused)" in caught.value.message


def test_unknown_decisions_and_escalations_are_domain_errors(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account)
    with pytest.raises(InvalidInput, match="ignore"):
        acknowledge(db, "lead.wang", escalation_id, "ignore")
    with pytest.raises(NotFound):
        acknowledge(db, "lead.wang", uuid.uuid4(), "pause")
    with pytest.raises(InvalidInput, match="2000"):
        acknowledge(db, "lead.wang", escalation_id, "pause", "x" * 2001)


def test_resume_waits_for_every_open_case_holding_the_same_pause(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    other = portfolio.account(today=TODAY, dpd=20, name="李娜")
    first = raise_one(db, account, emotion="vulnerability")
    # The pause blocks any further call, so a second case on the same borrower comes from
    # elsewhere (a visit report, an inbound call): written here as a bare row.
    with db.session() as session:
        second = Escalation(
            loan_id=account.loan_id,
            borrower_id=account.borrower_id,
            kind="self_harm_risk",
            raised_by_id=portfolio.collector,
            raised_at=NOW,
        )
        session.add(second)
        session.flush()
        second_id = second.id
    with pytest.raises(NotAllowed, match="decide it first"):
        acknowledge(db, "lead.wang", first, "resume", "Better now.")
    acknowledge(db, "lead.wang", second_id, "pause", "Hotline given; keep paused.")
    assert borrower_flags(db, account) == (True, False, False)
    # Another borrower's case is no obstacle.
    third = raise_one(db, other, emotion="vulnerability")
    assert acknowledge(db, "lead.wang", third, "resume", "Fine.").flags_cleared == ("vulnerable",)


def test_escalations_appear_in_the_account_timeline(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, code="DSP", emotion="calm")
    acknowledge(db, "lead.wang", escalation_id, "refer", "Disputes desk.", now=NOW)
    timeline = account_detail(db, "zhang.wei", account.contract_no, NOW).timeline
    (item,) = (item for item in timeline if item.kind == "escalation")
    assert item.at == NOW and "dispute" in item.summary and "refer" in item.summary
    assert item.details["id"] == str(escalation_id)
    assert (item.details["decision"], item.details["note"]) == ("refer", "Disputes desk.")


def audit_actions(db: Database, escalation_id: uuid.UUID) -> list[tuple[str, uuid.UUID | None]]:
    with db.reader() as session:
        return [
            (event.action, event.user_id)
            for event in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_id == str(escalation_id))
                .order_by(AuditEvent.at, AuditEvent.id)
            )
        ]


def test_the_inbox_lists_the_teams_open_escalations_oldest_first_with_the_contact_and_flags(
    db: Database, portfolio: Portfolio
) -> None:
    colleague = portfolio.user("li.na")
    first = portfolio.account(today=TODAY, dpd=20, name="王芳")
    second = portfolio.account(today=TODAY, dpd=20, name="赵磊", assigned_to=colleague)
    newer = record_contact(
        db,
        outcome(second, "DSP", username="li.na", notes="Says the fee was never explained."),
        now=NOW,
    ).escalation_id
    older = record_contact(
        db,
        outcome(first, "HRD", emotion="self_harm_risk", started_at=NOW - timedelta(hours=1)),
        now=NOW - timedelta(hours=1),
    ).escalation_id
    inbox = escalation_inbox(db, "lead.wang", now=NOW)
    assert [view.id for view in inbox.open] == [older, newer]
    assert (inbox.decided, inbox.unacknowledged) == ((), 2)
    urgent, dispute = inbox.open
    assert (urgent.urgent, urgent.resumable, urgent.borrower_flags) == (True, True, ("vulnerable",))
    assert (dispute.urgent, dispute.borrower, dispute.contract_no) == (
        False,
        "赵磊",
        second.contract_no,
    )
    assert (dispute.raised_by, dispute.raised_by_name) == ("li.na", "li.na")
    assert dispute.contact_notes == "Says the fee was never explained."
    assert (dispute.disposition, dispute.borrower_flags) == ("DSP", ("dispute_open",))
    assert not dispute.acknowledged and dispute.open


def test_the_inbox_keeps_decisions_of_the_last_days_latest_first(
    db: Database, portfolio: Portfolio
) -> None:
    accounts = [
        portfolio.account(today=TODAY, dpd=20, name=name) for name in ("王芳", "李娜", "赵磊")
    ]
    ids = [raise_one(db, account, code="DSP", emotion="calm") for account in accounts]
    decide_escalation(db, "lead.wang", ids[0], "pause", now=NOW - timedelta(days=8))
    decide_escalation(db, "lead.wang", ids[1], "pause", now=NOW - timedelta(days=2))
    decide_escalation(
        db, "lead.wang", ids[2], "refer", "Disputes desk.", now=NOW - timedelta(days=1)
    )
    inbox = escalation_inbox(db, "lead.wang", 7, now=NOW)
    assert inbox.open == ()
    assert [view.id for view in inbox.decided] == [ids[2], ids[1]]
    assert inbox.decided[0].borrower_flags == ("dispute_open",)  # a referral keeps the pause
    assert escalation_inbox(db, "lead.wang", 0, now=NOW).decided == ()
    assert len(escalation_inbox(db, "lead.wang", 30, now=NOW).decided) == 3


def test_acknowledging_first_then_deciding_later_keeps_both_moments(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, emotion="self_harm_risk")
    seen_at = NOW + timedelta(minutes=2)
    seen = acknowledge_escalation(db, "lead.wang", escalation_id, now=seen_at)
    assert (seen.acknowledged, seen.acknowledged_by, seen.acknowledged_at) == (
        True,
        "lead.wang",
        seen_at,
    )
    assert seen.open and seen.decision is None
    inbox = escalation_inbox(db, "lead.wang", now=seen_at)
    assert ([view.id for view in inbox.open], inbox.unacknowledged) == ([escalation_id], 0)
    # A second acknowledgement (another lead, a second click) changes nothing.
    second_lead = portfolio.user("lead.zhao", Role.TEAM_LEAD)
    again = acknowledge_escalation(
        db, "lead.zhao", escalation_id, now=seen_at + timedelta(minutes=1)
    )
    assert (again.acknowledged_by, again.acknowledged_at) == ("lead.wang", seen_at)
    assert borrower_flags(db, account) == (True, False, False)  # still paused meanwhile
    decided_at = NOW + timedelta(hours=3)
    done = decide_escalation(
        db, "lead.zhao", escalation_id, "pause", "Hotline given; sister called.", now=decided_at
    )
    view = done.escalation
    assert (view.acknowledged_by, view.acknowledged_at) == ("lead.wang", seen_at)
    assert (view.decision, view.decided_at, view.open) == ("pause", decided_at, False)
    assert escalation_inbox(db, "lead.wang", now=decided_at).open == ()
    assert audit_actions(db, escalation_id) == [
        ("escalation.raised", portfolio.collector),
        ("escalation.acknowledged", portfolio.lead),
        ("escalation.decided", second_lead),
    ]


def test_refer_needs_a_note_and_resume_is_refused_for_a_reported_death_after_acknowledging(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, code="DCD", emotion="calm")
    acknowledge_escalation(db, "lead.wang", escalation_id, now=NOW)
    before = audit_count(db)
    with pytest.raises(InvalidInput, match="whom"):
        decide_escalation(db, "lead.wang", escalation_id, "refer", "   ")
    with pytest.raises(NotAllowed, match="cannot be resumed"):
        decide_escalation(db, "lead.wang", escalation_id, "resume", "Death certificate was fake.")
    assert audit_count(db) == before
    (view,) = escalation_inbox(db, "lead.wang", now=NOW).open
    assert (view.id, view.acknowledged, view.resumable) == (escalation_id, True, False)
    assert borrower_flags(db, account) == (False, False, True)


def test_only_the_teams_lead_opens_the_inbox_or_acknowledges(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, emotion="vulnerability")
    outsider = other_team_lead(db)
    with pytest.raises(NotAllowed, match="team lead"):
        escalation_inbox(db, "zhang.wei", now=NOW)
    with pytest.raises(NotAllowed, match="team lead"):
        acknowledge_escalation(db, "zhang.wei", escalation_id, now=NOW)
    with pytest.raises(NotAllowed, match="another team"):
        acknowledge_escalation(db, outsider, escalation_id, now=NOW)
    with pytest.raises(NotFound):
        acknowledge_escalation(db, "lead.wang", uuid.uuid4(), now=NOW)
    assert escalation_inbox(db, outsider, now=NOW).open == ()
    (view,) = escalation_inbox(db, "lead.wang", now=NOW).open
    assert not view.acknowledged


def test_a_lead_sees_and_decides_escalations_on_accounts_moved_into_the_team(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    escalation_id = raise_one(db, account, emotion="vulnerability")
    outsider = other_team_lead(db)
    # The account moves to a collector of the other team: so does the case.
    with db.session() as session:
        team_id = session.scalar(select(User.team_id).where(User.username == outsider))
        mover = User(username="sun.li", display_name="孙丽", role=Role.COLLECTOR, team_id=team_id)
        session.add(mover)
        session.flush()
        session.get_one(Loan, account.loan_id).assigned_to_id = mover.id
    assert [view.id for view in open_escalations(db, outsider)] == [escalation_id]
    assert [view.id for view in escalation_inbox(db, outsider, now=NOW).open] == [escalation_id]
    assert escalation_inbox(db, "lead.wang", now=NOW).open == ()
    assert acknowledge_escalation(db, outsider, escalation_id, now=NOW).acknowledged
