"""Disputes as cases: opened from the DSP contact with its kind and deadline, matched against
the feed's payments when "already paid", decided by the team's lead alone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

import app.services.cases.disputes as disputes_module
from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    ContactAttempt,
    DisputeCase,
    Escalation,
    Payment,
    Role,
    Team,
    User,
)
from app.services.cases.disputes import (
    check_claim,
    decide_dispute,
    dispute,
    disputes,
    open_dispute,
    record_dispute_contact,
)
from app.services.common.errors import DomainError, InvalidInput, NotAllowed, NotFound
from app.services.contact.contacts import record_contact
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)
BEIJING_NOON = timedelta(hours=4)


def disputed(db: Database, account: Account, at: datetime = NOW) -> uuid.UUID:
    """A DSP contact by zhang.wei: the attempt's id."""
    entry = outcome(account, "DSP", emotion="angry", started_at=at - timedelta(minutes=3))
    return record_contact(db, entry, now=at).attempt_id


def test_a_dispute_opens_with_its_kind_and_a_deadline_in_working_days(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    attempt = disputed(db, account)
    claim = check_claim("amount_wrong", "罚息算错了，要求提供明细")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    # Raised on Saturday 28 November 2026: 15 working days from then is Friday 18 December.
    assert (case.kind, case.attempt_id, case.raised_on) == ("amount_wrong", attempt, TODAY)
    assert case.due.due_on == date(2026, 12, 18)
    assert case.due.working_days_left == 15 and case.due.uncovered == ()
    assert case.open and case.kind_label().zh_CN == "金额有误"
    with db.reader() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "dispute.opened"))
        assert event.one().details["due_on"] == "2026-12-18"
    # One case a contact; the next open finds no DSP contact without one.
    with pytest.raises(NotFound, match="no dispute"):
        open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    with pytest.raises(NotAllowed, match="already opened"):
        open_dispute(db, "zhang.wei", account.contract_no, claim, attempt, now=NOW)


def test_a_deadline_reaching_an_uncovered_year_says_so(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    late = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)
    disputed(db, account, late)
    claim = check_claim("not_my_loan", "说不是本人借的")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=late)
    assert case.due.due_on == date(2027, 1, 11)
    assert case.due.uncovered == (2027,)


def test_only_a_dsp_contact_of_the_account_opens_a_case(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    other = portfolio.account(today=TODAY, dpd=20)
    claim = check_claim("already_paid", "说上周已经还了")
    with pytest.raises(NotFound, match="no dispute"):
        open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    promise = record_contact(db, outcome(account, "RTP"), now=NOW).attempt_id
    with pytest.raises(InvalidInput, match="DSP"):
        open_dispute(db, "zhang.wei", account.contract_no, claim, promise, now=NOW)
    attempt = disputed(db, account)
    with pytest.raises(NotFound):
        open_dispute(db, "zhang.wei", other.contract_no, claim, attempt, now=NOW)
    # Another collector of the team may not open it from zhang.wei's contact.
    portfolio.user("li.na")
    with pytest.raises(NotAllowed):
        open_dispute(db, "li.na", account.contract_no, claim, attempt, now=NOW)
    # The lead may.
    case = open_dispute(db, "lead.wang", account.contract_no, claim, attempt, now=NOW)
    assert case.opened_by == "lead.wang"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("stolen_car", "x"), "kind"),
        (("amount_wrong", "   \u200b"), "claim"),
        (("amount_wrong", "x" * 2001), "claim"),
        (("already_paid", "已还", "-5"), "amount"),
        (("already_paid", "已还", "12.345"), "amount"),
        (("already_paid", "已还", None, date(2026, 12, 1)), "paid_on"),
        (("already_paid", "已还", None, None, "=cmd|' /C calc'!A0"), "reference"),
    ],
)
def test_a_bad_claim_is_refused_at_its_field(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_claim(*args, today=TODAY)  # type: ignore[arg-type]
    assert refused.value.field == field


def _pay(db: Database, account: Account, amount: str, at: datetime, reference: str) -> None:
    with db.session() as session:
        session.add(
            Payment(
                loan_id=account.loan_id,
                paid_at=at,
                amount=Decimal(amount),
                channel="bank_transfer",
                reference=reference,
            )
        )


def test_an_already_paid_claim_shows_the_feeds_payments_near_it(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    _pay(db, account, "2100.50", at, "ALI20261120X7")  # the amount, a day off
    _pay(db, account, "300.00", at + timedelta(days=2), "BANK-9")  # the day only
    _pay(db, account, "999.00", at - timedelta(days=60), "OLD")  # nothing near
    reversed_at = at + timedelta(days=1)
    with db.session() as session:
        session.add(
            Payment(
                loan_id=account.loan_id,
                paid_at=at,
                amount=Decimal("2100.00"),
                channel="alipay",
                reference="X7-REVERSED",
                reversed_at=reversed_at,
            )
        )
    disputed(db, account)
    claim = check_claim("already_paid", "说21号转了2100", "2100.00", date(2026, 11, 21), "x7")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    assert case.candidates == ()  # lists leave them out
    shown = dispute(db, "lead.wang", case.id, now=NOW).candidates
    assert [(c.amount, c.reference) for c in shown] == [
        (Decimal("2100.50"), "ALI20261120X7"),
        (Decimal("300.00"), "BANK-9"),
    ]
    first = shown[0]
    assert (first.amount_matches, first.reference_matches, first.days_apart) == (True, True, 1)
    assert not shown[1].amount_matches and shown[1].days_apart == 1


def test_a_rejected_dispute_resumes_collection(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    disputed(db, account)
    claim = check_claim("amount_wrong", "金额不对")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    with pytest.raises(NotAllowed, match="team lead"):
        decide_dispute(db, "zhang.wei", case.id, "rejected", "账目核对无误", now=NOW)
    with pytest.raises(InvalidInput) as why:
        decide_dispute(db, "lead.wang", case.id, "rejected", "  ", now=NOW)
    assert why.value.field == "reasons"
    decided = decide_dispute(db, "lead.wang", case.id, "rejected", "账目核对无误", now=NOW)
    assert decided.flags_cleared == ("dispute_open",)
    assert decided.case.decision == "rejected" and decided.case.decided_by_name == "lead.wang"
    with db.reader() as session:
        assert not session.get_one(Borrower, account.borrower_id).dispute_open
        (escalation,) = session.scalars(select(Escalation)).all()
        assert (escalation.decision, escalation.note) == ("resume", "账目核对无误")
        assert escalation.id in decided.escalations_decided
    assert disputes(db, "lead.wang", now=NOW) == ()
    with pytest.raises(NotAllowed, match="already decided"):
        decide_dispute(db, "lead.wang", case.id, "upheld", None, "冲正", now=NOW)


def test_an_upheld_dispute_keeps_the_pause_and_records_the_correction(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    disputed(db, account)
    claim = check_claim("already_paid", "已经还了", "500")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    with pytest.raises(InvalidInput) as fix:
        decide_dispute(db, "lead.wang", case.id, "upheld", "核实属实", now=NOW)
    assert fix.value.field == "correction"
    with db.reader() as session:
        before = [p.amount for p in session.scalars(select(Payment))]
    decided = decide_dispute(
        db, "lead.wang", case.id, "upheld", "核实属实", "贷款系统补记11月20日还款500元", now=NOW
    )
    assert decided.flags_cleared == ()
    assert decided.case.correction == "贷款系统补记11月20日还款500元"
    with db.reader() as session:
        assert session.get_one(Borrower, account.borrower_id).dispute_open
        assert session.scalars(select(Escalation.decision)).one() == "pause"
        # No balance edited by hand: the feed brings the correction.
        assert [p.amount for p in session.scalars(select(Payment))] == before


def test_a_second_open_dispute_keeps_the_pause_when_one_is_rejected(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    first = disputed(db, account)
    # A second DSP contact (collection is paused, so say a visit found the borrower).
    with db.session() as session:
        row = ContactAttempt(
            loan_id=account.loan_id,
            borrower_id=account.borrower_id,
            user_id=portfolio.collector,
            channel="visit",
            started_at=NOW + timedelta(minutes=30),
            disposition="DSP",
            right_party=True,
        )
        session.add(row)
        session.flush()
        second = row.id
    claim = check_claim("amount_wrong", "金额不对")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, first, now=NOW)
    open_dispute(db, "zhang.wei", account.contract_no, claim, second, now=NOW + timedelta(hours=1))
    decided = decide_dispute(db, "lead.wang", case.id, "rejected", "无误", now=NOW)
    assert decided.flags_cleared == ()
    assert len(disputes(db, "lead.wang", now=NOW)) == 1


def test_another_teams_lead_neither_sees_nor_decides(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    disputed(db, account)
    claim = check_claim("identity_theft", "身份证被盗用")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    with db.session() as session:
        team = Team(name="外组")
        session.add(team)
        session.flush()
        session.add(
            User(username="lead.li", display_name="李", role=Role.TEAM_LEAD, team_id=team.id)
        )
    assert disputes(db, "lead.li", now=NOW) == ()
    with pytest.raises(NotFound):
        dispute(db, "lead.li", case.id, now=NOW)
    with pytest.raises(NotAllowed, match="another team"):
        decide_dispute(db, "lead.li", case.id, "rejected", "无误", now=NOW)
    with db.reader() as session:
        assert session.get_one(DisputeCase, case.id).decision is None


def test_an_erased_borrowers_claim_and_the_decisions_words_go_the_kind_stays(
    db: Database, portfolio: Portfolio
) -> None:
    from app.services.cases.complaints import log_complaint
    from app.services.common.erasure import erase

    account = portfolio.account(today=TODAY, dpd=20)
    disputed(db, account)
    claim = check_claim("already_paid", "王芳说11月20日已转账", "500", None, "TRF-1")
    case = open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW)
    decide_dispute(db, "lead.wang", case.id, "rejected", "王芳的流水中无此笔", now=NOW)
    log_complaint(
        db, "zhang.wei", account.contract_no, "letter", "privacy", "王芳来信投诉", now=NOW
    )
    with db.engine.begin() as connection:
        erase(connection, [account.borrower_id], at=NOW)
    with db.reader() as session:
        row = session.get_one(DisputeCase, case.id)
        assert (row.claim, row.reasons, row.correction) == ("", None, None)
        assert (row.kind, row.decision, row.claimed_reference) == (
            "already_paid",
            "rejected",
            "TRF-1",
        )
        from app.models import Complaint

        complaint = session.scalars(select(Complaint)).one()
        assert (complaint.summary, complaint.category) == ("", "privacy")


def test_a_dispute_call_whose_case_cannot_be_opened_leaves_neither_behind(
    db: Database, portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outcome form's save: the contact and its case in one transaction. A failure once
    the case is written (the database gone, the program killed) keeps neither."""
    account = portfolio.account(today=TODAY, dpd=20)
    real = disputes_module.open_dispute

    def opened_then_failed(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise OSError("disk I/O error")

    monkeypatch.setattr(disputes_module, "open_dispute", opened_then_failed)
    entry = outcome(account, "DSP", emotion="angry", started_at=NOW - timedelta(minutes=3))
    claim = check_claim("amount_wrong", "罚息算错了")
    with pytest.raises(OSError):
        record_dispute_contact(db, entry, claim, now=NOW)
    with db.reader() as session:
        assert session.scalars(select(ContactAttempt.id)).all() == []
        assert session.scalars(select(DisputeCase.id)).all() == []
    # Without the failure, both are stored.
    monkeypatch.setattr(disputes_module, "open_dispute", real)
    recorded = record_dispute_contact(db, entry, claim, now=NOW)
    with db.reader() as session:
        (case,) = session.scalars(select(DisputeCase)).all()
        assert case.attempt_id == recorded.attempt_id
