"""Recording a contact: validation, effects, one transaction with its audit event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    Callback,
    ContactAttempt,
    ContactBlock,
    ContactPoint,
    Escalation,
    PromiseToPay,
)
from app.services.common.errors import (
    DomainError,
    InvalidAmount,
    InvalidDate,
    InvalidInput,
    NotAllowed,
    problems_of,
)
from app.services.common.reference import dispositions
from app.services.contact.checklists import ChecklistIncomplete
from app.services.contact.contacts import PromiseInput, check_contact, record_contact
from app.services.contact.outcome_rules import OutcomeDraft, missing_for_outcome, refusals
from app.services.contact.queue import build_queue
from tests.helpers.contacts import FAILED_CHECK, NOW, outcome
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)
# The outcomes a collector logs; the system's own (a reminder sent, delivered…) are refused.
LOGGED = [c for c in dispositions().values() if not c.by_system]
BY_SYSTEM = sorted(c.code for c in dispositions().values() if c.by_system)
WITHOUT_PROMISE = sorted(c.code for c in LOGGED if "promise" not in c.requires)
UNANSWERED = sorted(c.code for c in LOGGED if not c.contact)
RIGHT_PARTY = sorted(c.code for c in LOGGED if c.rpc)


def counts(db: Database) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ContactAttempt, PromiseToPay, Callback, AuditEvent, Escalation)
        )


def test_promise_to_pay_is_stored_with_attempt_and_audit(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    result = record_contact(
        db,
        outcome(
            account,
            "PTP",
            emotion="anxious",
            # Ticked in another order, with the optional item too: stored in checklist order.
            checklist=(
                "all.recap",
                "anxious.checked_understanding",
                "all.no_threats",
                "anxious.offered_options",
                "anxious.explained_plainly",
                "all.calm_polite",
            ),
            promise=PromiseInput("1500.00", TODAY + timedelta(days=3)),
        ),
        now=NOW,
    )
    assert result.promise_id is not None
    with db.reader() as session:
        attempt = session.get_one(ContactAttempt, result.attempt_id)
        promise = session.get_one(PromiseToPay, result.promise_id)
        audit = session.scalars(select(AuditEvent.action)).all()
    assert (attempt.disposition, attempt.right_party, attempt.emotion) == ("PTP", True, "anxious")
    assert attempt.checklist == [
        "all.calm_polite",
        "all.no_threats",
        "all.recap",
        "anxious.explained_plainly",
        "anxious.offered_options",
        "anxious.checked_understanding",
    ]
    assert (promise.amount, promise.promised_date) == (
        Decimal("1500.00"),
        TODAY + timedelta(days=3),
    )
    assert audit == ["contact.recorded"]


@pytest.mark.parametrize(
    ("promise", "error", "words"),
    [
        (PromiseInput("-5", TODAY + timedelta(days=1)), InvalidAmount, "more than zero"),
        (PromiseInput("abc", TODAY + timedelta(days=1)), InvalidAmount, "not a number"),
        (PromiseInput("999999", TODAY + timedelta(days=1)), InvalidAmount, "owed"),
        (PromiseInput("100", TODAY - timedelta(days=1)), InvalidDate, "in the past"),
        (PromiseInput("100", TODAY + timedelta(days=40)), InvalidDate, "days ahead"),
    ],
)
def test_bad_promise_is_refused_and_nothing_is_written(
    db: Database, portfolio: Portfolio, promise: PromiseInput, error: type[DomainError], words: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    before = counts(db)
    with pytest.raises(error, match=words):
        record_contact(db, outcome(account, "PTP", promise=promise), now=NOW)
    assert counts(db) == before


def test_ptp_without_promise_and_unknown_codes_are_refused(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    with pytest.raises(InvalidInput, match="amount and a date"):
        record_contact(db, outcome(account, "PTP"), now=NOW)
    with pytest.raises(InvalidInput, match="XYZ"):
        record_contact(db, outcome(account, "XYZ"), now=NOW)
    with pytest.raises(InvalidInput, match="emotion"):
        record_contact(db, outcome(account, "RTP", emotion="sleepy"), now=NOW)
    with pytest.raises(InvalidDate, match="past"):
        record_contact(db, outcome(account, "CB", callback_at=NOW - timedelta(hours=1)), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("code", BY_SYSTEM)
def test_the_systems_own_outcomes_are_never_logged_by_a_collector(
    db: Database, portfolio: Portfolio, code: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    with pytest.raises(InvalidInput, match=f"“{code}”"):
        record_contact(db, outcome(account, code), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("code", WITHOUT_PROMISE)
def test_a_promise_is_refused_with_any_outcome_but_a_promise(
    db: Database, portfolio: Portfolio, code: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    promise = PromiseInput("500.00", TODAY + timedelta(days=2))
    with pytest.raises(DomainError) as caught:
        record_contact(db, outcome(account, code, promise=promise), now=NOW)
    # With every other problem of the outcome (a callback outcome's missing time, say).
    (refused,) = [
        problem
        for problem in problems_of(caught.value)
        if problem.template.startswith("A promise to pay is recorded with a promise outcome")
    ]
    assert type(refused) is InvalidInput and refused.field == "promise_amount"
    assert refused.params == {"codes": "PTP", "code": code}
    assert counts(db) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("code", UNANSWERED)
def test_nobody_answered_agrees_no_callback_time(
    db: Database, portfolio: Portfolio, code: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    later = NOW + timedelta(hours=2)
    with pytest.raises(InvalidInput, match=rf"Nobody answered \({code}\).*call back"):
        record_contact(db, outcome(account, code, callback_at=later), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("code", ["RTP", "TPC"])
def test_anyone_who_answered_may_agree_a_callback_time(
    db: Database, portfolio: Portfolio, code: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    later = NOW + timedelta(hours=2)
    result = record_contact(db, outcome(account, code, callback_at=later), now=NOW)
    assert result.callback_id is not None
    with db.reader() as session:
        assert session.get_one(Callback, result.callback_id).due_at == later


def test_a_past_callback_time_reads_in_the_business_zone(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    earlier = NOW - timedelta(hours=1)  # 10:00 in Beijing
    with pytest.raises(InvalidDate) as caught:
        record_contact(db, outcome(account, "CB", callback_at=earlier), now=NOW)
    assert caught.value.params == {"time": earlier}
    assert caught.value.message == "The callback time 2026-11-28 10:00 is in the past."


def third_party_account(portfolio: Portfolio) -> Account:
    """A borrower unreachable on her own mobile, so her father's number may be called."""
    account = portfolio.account(
        today=TODAY, dpd=20, numbers={"mobile": "13812345678", "emergency": "13900002222"}
    )
    for hours in (1, 2, 3):
        portfolio.attempt(account, NOW - timedelta(hours=hours, minutes=10))
    return account


@pytest.mark.parametrize("code", RIGHT_PARTY)
@pytest.mark.parametrize(
    "path",
    [
        ("greeting=knows", "tp_message"),
        ("greeting=is_borrower", "verify=no_match", "unverified"),
    ],
    ids=["no-check", "failed-check"],
)
def test_a_right_party_outcome_on_a_third_partys_number_needs_the_verified_handover(
    db: Database, portfolio: Portfolio, code: str, path: tuple[str, ...]
) -> None:
    account = third_party_account(portfolio)
    before = counts(db)
    extra: dict[str, object] = {
        "contact_point_id": account.points["emergency"],
        "script_stage": "third_party",
        "script_steps": path,
    }
    if "promise" in dispositions()[code].requires:
        extra["promise"] = PromiseInput("500.00", TODAY + timedelta(days=2))
    if "callback" in dispositions()[code].requires:
        extra["callback_at"] = NOW + timedelta(hours=2)
    with pytest.raises(InvalidInput, match=rf"{code} is a right-party outcome.*third party"):
        record_contact(db, outcome(account, code, **extra), now=NOW)
    assert counts(db) == before


def test_the_borrower_verified_after_a_handover_can_promise_on_a_third_partys_number(
    db: Database, portfolio: Portfolio
) -> None:
    account = third_party_account(portfolio)
    result = record_contact(
        db,
        outcome(
            account,
            "PTP",
            contact_point_id=account.points["emergency"],
            promise=PromiseInput("500.00", TODAY + timedelta(days=2)),
        ),
        now=NOW,
    )
    assert result.promise_id is not None
    with db.reader() as session:
        attempt = session.get_one(ContactAttempt, result.attempt_id)
    assert (attempt.disposition, attempt.right_party) == ("PTP", True)
    assert attempt.contact_point_id == account.points["emergency"]


def test_a_third_party_outcome_on_a_third_partys_number_needs_no_handover(
    db: Database, portfolio: Portfolio
) -> None:
    account = third_party_account(portfolio)
    result = record_contact(
        db, outcome(account, "TPC", contact_point_id=account.points["emergency"]), now=NOW
    )
    with db.reader() as session:
        assert session.get_one(ContactAttempt, result.attempt_id).right_party is False


def test_someone_answered_needs_the_emotion_observed(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    for code in ("RTP", "WN", "TPC", "DCD"):
        with pytest.raises(InvalidInput, match=rf"answered \({code}\).*emotion"):
            record_contact(db, outcome(account, code, emotion=None, checklist=()), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)


def test_nobody_answered_records_no_emotion_or_checklist(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    with pytest.raises(InvalidInput, match="Nobody answered"):
        record_contact(db, outcome(account, "NA", emotion="calm"), now=NOW)
    with pytest.raises(InvalidInput, match="Nobody answered"):
        record_contact(db, outcome(account, "BUSY", checklist=("all.calm_polite",)), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)
    record_contact(db, outcome(account, "NA"), now=NOW)
    with db.reader() as session:
        attempt = session.scalars(select(ContactAttempt)).one()
    assert (attempt.emotion, attempt.checklist) == (None, [])


def test_an_incomplete_checklist_names_what_is_missing_and_writes_nothing(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    entry = outcome(
        account,
        "PTP",
        emotion="hostile",
        checklist=("all.calm_polite", "all.no_threats", "deescalate.let_speak"),
        promise=PromiseInput("800", TODAY + timedelta(days=2)),
    )
    with pytest.raises(ChecklistIncomplete) as caught:
        record_contact(db, entry, now=NOW)
    message = caught.value.message
    for item_id in ("all.recap", "deescalate.no_mirroring", "hostile.warned_then_ended"):
        assert item_id in message
    assert "deescalate.let_speak" not in message
    assert counts(db) == (0, 0, 0, 0, 0)


def test_a_vulnerability_with_an_incomplete_checklist_sets_no_flag_and_raises_nothing(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    entry = outcome(
        account, "HRD", emotion="vulnerability", checklist=("all.calm_polite", "all.no_threats")
    )
    with pytest.raises(ChecklistIncomplete, match=r"vulnerability\.asked_consent"):
        record_contact(db, entry, now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)
    with db.reader() as session:
        assert not session.get_one(Borrower, account.borrower_id).vulnerable
    assert build_queue(db, "zhang.wei", NOW).entries[0].contact.allowed


def test_unknown_or_foreign_checklist_items_are_refused(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    common = ("all.calm_polite", "all.no_threats")
    with pytest.raises(InvalidInput, match=r"all\.calm_politely"):
        record_contact(
            db, outcome(account, "RTP", checklist=(*common, "all.calm_politely")), now=NOW
        )
    # Nothing was agreed on a refusal, so there is no recap to confirm.
    with pytest.raises(InvalidInput, match=r"all\.recap"):
        record_contact(db, outcome(account, "RTP", checklist=(*common, "all.recap")), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)
    recorded = record_contact(db, outcome(account, "RTP", checklist=common), now=NOW)
    assert not recorded.escalated


def test_a_contact_the_rules_forbid_is_not_recorded(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    late = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)  # 22:30 Beijing
    with pytest.raises(NotAllowed, match="22:00") as caught:
        record_contact(db, outcome(account, "NA", started_at=late), now=late)
    assert counts(db) == (0, 0, 0, 0, 0)
    # The moment it opens is passed as a moment, and reads in the lender's zone (08:00 Beijing).
    opens = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert caught.value.params["time"] == opens
    assert caught.value.message.endswith("It is allowed from 2026-11-29 08:00.")
    # The refusal itself is kept for the team lead's compliance figures, by rule.
    with db.reader() as session:
        [block] = session.scalars(select(ContactBlock)).all()
    assert (block.loan_id, block.rule, block.channel, block.at) == (
        account.loan_id,
        "cn.quiet_hours",
        "call",
        late,
    )


def test_check_contact_answers_with_rule_and_time(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    assert check_contact(
        db, "zhang.wei", account.contract_no, account.points["mobile"], at=NOW
    ).allowed
    late = check_contact(
        db,
        "zhang.wei",
        account.contract_no,
        account.points["mobile"],
        at=datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
    )
    assert (late.rule_id, late.next_allowed_at) == (
        "cn.quiet_hours",
        datetime(2026, 11, 29, 0, 0, tzinfo=UTC),
    )


def test_another_collectors_account_is_out_of_scope(db: Database, portfolio: Portfolio) -> None:
    other = portfolio.user("li.na")
    account = portfolio.account(today=TODAY, dpd=20, assigned_to=other)
    with pytest.raises(NotAllowed, match="portfolio"):
        record_contact(db, outcome(account, "NA"), now=NOW)


def test_wrong_number_marks_the_point_and_cease_sets_the_flag(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    marked = record_contact(db, outcome(account, "WN"), now=NOW)
    assert marked.contact_point_marked == "wrong_number"
    other = portfolio.account(today=TODAY, dpd=20, name="李娜")
    ceased = record_contact(db, outcome(other, "CEASE"), now=NOW)
    assert ceased.flags_set == ("cease_requested",)
    with db.reader() as session:
        assert session.get_one(ContactPoint, account.points["mobile"]).wrong_number
        assert session.get_one(Borrower, other.borrower_id).cease_requested
    entries = {e.contract_no: e for e in build_queue(db, "zhang.wei", NOW).entries}
    assert entries[other.contract_no].contact.decision.rule_id == "cn.stop.cease"
    assert entries[account.contract_no].contact.decision.rule_id == "point.wrong_number"


def test_self_harm_risk_pauses_the_account_and_escalates(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    result = record_contact(db, outcome(account, "HRD", emotion="self_harm_risk"), now=NOW)
    assert result.escalated and result.escalation_kind == "self_harm_risk"
    assert "vulnerable" in result.flags_set
    assert "escalation" in result.changed
    with db.reader() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
        escalation = session.get_one(Escalation, result.escalation_id)
    assert sorted(actions) == ["contact.recorded", "escalation.raised"]
    assert escalation.attempt_id == result.attempt_id
    entry = build_queue(db, "zhang.wei", NOW).entries[0]
    assert entry.contact.decision.rule_id == "cn.stop.vulnerable"


def test_deceased_report_escalates(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    result = record_contact(db, outcome(account, "DCD", emotion="distressed"), now=NOW)
    assert result.escalated and result.flags_set == ("deceased",)
    assert result.escalation_kind == "deceased"


def test_working_an_account_closes_its_due_callback(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    portfolio.callback(account, NOW - timedelta(minutes=10))
    assert build_queue(db, "zhang.wei", NOW).entries[0].tier == "callback_due"
    later = NOW + timedelta(hours=2)
    record_contact(db, outcome(account, "CB", callback_at=later), now=NOW)
    assert build_queue(db, "zhang.wei", NOW).entries[0].tier is None
    assert build_queue(db, "zhang.wei", later).entries[0].tier == "callback_due"


def test_audit_events_cannot_be_changed_or_deleted(db: Database, portfolio: Portfolio) -> None:
    from sqlalchemy.exc import DatabaseError

    account = portfolio.account(today=TODAY, dpd=20)
    record_contact(db, outcome(account, "NA"), now=NOW)
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
            connection.exec_driver_sql(statement)


def test_no_answer_leaves_the_callback_open(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    portfolio.callback(account, NOW - timedelta(minutes=10))
    record_contact(db, outcome(account, "NA", duration_seconds=0), now=NOW)
    assert build_queue(db, "zhang.wei", NOW).entries[0].tier == "callback_due"


def test_a_contact_older_than_a_day_cannot_dodge_the_caps(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    with pytest.raises(InvalidDate, match="24 hours"):
        record_contact(db, outcome(account, "RTP", started_at=NOW - timedelta(days=2)), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)


def test_rules_follow_where_the_borrower_lives_not_the_caller(
    db: Database, portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 21:30 in Los Angeles is allowed under CN hours (08-22) but not under US ones (08-21).
    at = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
    american = portfolio.account(
        today=TODAY, dpd=20, numbers={"mobile": "+1 213 555 0142"}, country="US", province="CA"
    )
    decision = check_contact(
        db, "zhang.wei", american.contract_no, american.points["mobile"], at=at
    )
    assert decision.rule_id == "us.inconvenient_time"
    local = portfolio.account(today=TODAY, dpd=20, numbers={"mobile": "+1 213 555 0143"})
    assert check_contact(db, "zhang.wei", local.contract_no, local.points["mobile"], at=at).allowed
    # The installation's default applies to countries without a profile of their own (Hong
    # Kong here), never to mainland China's borrowers.
    abroad = portfolio.account(
        today=TODAY, dpd=20, numbers={"mobile": "+1 213 555 0144"}, country="HK", province="香港"
    )
    monkeypatch.setenv("COLLECTOR_WORKSTATION_RULE_PROFILE", "US")
    assert not check_contact(
        db, "zhang.wei", abroad.contract_no, abroad.points["mobile"], at=at
    ).allowed
    assert check_contact(db, "zhang.wei", local.contract_no, local.points["mobile"], at=at).allowed


def test_check_contact_needs_the_number_to_check(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    with pytest.raises(InvalidInput, match="which number"):
        check_contact(db, "zhang.wei", account.contract_no, None, at=NOW)


def test_viewing_an_account_is_audited(db: Database, portfolio: Portfolio) -> None:
    from app.services.portfolio.accounts import account_detail

    account = portfolio.account(today=TODAY, dpd=20)
    account_detail(db, "zhang.wei", account.contract_no, NOW)
    with db.reader() as session:
        assert session.scalars(select(AuditEvent.action)).all() == ["account.viewed"]


def test_us_borrower_can_be_called_back_when_they_asked(db: Database, portfolio: Portfolio) -> None:
    new_yorker = portfolio.account(
        today=TODAY, dpd=20, numbers={"mobile": "+1 212 555 0142"}, country="US", province="NY"
    )
    talked = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 10:00 in New York
    callback_at = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    record_contact(
        db,
        outcome(new_yorker, "CB", started_at=talked, callback_at=callback_at),
        now=talked + timedelta(minutes=5),
    )
    at_callback = callback_at + timedelta(minutes=5)
    result = record_contact(
        db, outcome(new_yorker, "PAID", started_at=at_callback), now=at_callback
    )
    assert result.attempt_id is not None
    two_hours_later = callback_at + timedelta(hours=2)
    with pytest.raises(NotAllowed, match="7 days after"):
        record_contact(
            db, outcome(new_yorker, "RTP", started_at=two_hours_later), now=two_hours_later
        )


def test_a_typed_number_finds_the_contact_point_without_a_view(
    db: Database, portfolio: Portfolio
) -> None:
    from app.services.contact.contacts import find_contact_point

    account = portfolio.account(today=TODAY, dpd=20)
    assert (
        find_contact_point(db, "zhang.wei", account.contract_no, "138-1234-5678")
        == (account.points["mobile"])
    )
    with pytest.raises(InvalidInput, match="139 0000 0000"):
        find_contact_point(db, "zhang.wei", account.contract_no, "139 0000 0000")
    assert counts(db) == (0, 0, 0, 0, 0)


def test_a_right_party_outcome_after_a_failed_identity_check_is_refused(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    failed = {"script_stage": "early", "script_steps": FAILED_CHECK}
    with pytest.raises(InvalidInput, match="identity check failed"):
        record_contact(db, outcome(account, "RTP", **failed), now=NOW)
    assert counts(db) == (0, 0, 0, 0, 0)
    # Nobody verified is no right party: a third-party outcome is still recorded.
    record_contact(db, outcome(account, "TPC", **failed), now=NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"emotion": None, "checklist": ()},
        {"checklist": ("all.calm_polite",)},
        {"promise": None},
        {"promise": PromiseInput("abc", TODAY)},
        {"callback_at": NOW - timedelta(hours=1)},
        {"contact_point_id": None},
        {"script_steps": FAILED_CHECK},
        # Everything wrong at once: each problem at its field, in one refusal.
        {
            "emotion": None,
            "checklist": (),
            "promise": PromiseInput("abc", TODAY - timedelta(days=1)),
            "contact_point_id": None,
        },
    ],
    ids=["emotion", "checklist", "promise", "amount", "callback", "number", "identity", "all"],
)
def test_record_contact_refuses_with_every_item_the_window_shows(
    db: Database, portfolio: Portfolio, changes: dict[str, object]
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    entry = outcome(account, "PTP", **{"promise": PromiseInput("500", TODAY), **changes})
    promise = entry.promise
    draft = OutcomeDraft(
        disposition=entry.disposition,
        contact_point_id=entry.contact_point_id,
        script_stage=entry.script_stage,
        script_steps=entry.script_steps,
        emotion=entry.emotion,
        checklist=entry.checklist,
        promise_amount=promise.amount if promise else None,
        promise_date=promise.promised_date if promise else None,
        callback_at=entry.callback_at,
    )
    shown = refusals(draft, now=NOW, profile="CN")
    with pytest.raises(DomainError) as caught:
        record_contact(db, entry, now=NOW)
    refused = problems_of(caught.value)
    assert [(type(e), e.template, e.params, e.field) for e in refused] == [
        (type(e), e.template, e.params, e.field) for e in shown
    ]
    assert all(error.field is not None for error in refused)
    assert [m.template for m in missing_for_outcome(draft, now=NOW, profile="CN")] == [
        e.template for e in shown
    ]
    if "contact_point_id" in changes and len(changes) > 1:
        assert {error.field for error in refused} == {
            "emotion",
            "promise_amount",
            "promise_date",
            "contact_point",
        }
    assert counts(db) == (0, 0, 0, 0, 0)
