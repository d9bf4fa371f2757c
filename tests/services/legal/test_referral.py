"""A lead refers an account to legal; the case takes its steps in order; a withdrawal before
filing returns the account to collection."""

from __future__ import annotations

import importlib
import inspect
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent, Borrower, LegalStepKind, Role, Team, User
from app.services.common.errors import DomainError, InvalidAmount, NotAllowed, NotFound
from app.services.contact.queue import build_queue
from app.services.legal import referral
from app.services.legal.referral import (
    StepInput,
    legal_case,
    legal_cases,
    record_step,
    refer,
    withdraw,
)
from tests.helpers.portfolio import Account, Portfolio

AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 28)
LEAD = "lead.wang"


def _step(kind: str, on: date = TODAY, **typed: str) -> StepInput:
    return StepInput(kind=kind, happened_on=on, **typed)


def _referred(db: Database, portfolio: Portfolio) -> Account:
    account = portfolio.account(today=TODAY, dpd=200)
    refer(db, LEAD, account.contract_no, "No answer for six months", now=AT)
    return account


def _filed(db: Database, account: Account) -> None:
    record_step(
        db, LEAD, account.contract_no, _step("lawyer", firm="金杜", lawyer="李律师"), now=AT
    )
    record_step(
        db,
        LEAD,
        account.contract_no,
        _step("filing", case_number="(2026)京0101民初123号", court="东城区人民法院"),
        now=AT,
    )


def _flag(db: Database, account: Account) -> bool:
    with db.reader() as session:
        return session.get_one(Borrower, account.borrower_id).legal_referral


def test_a_referral_marks_the_borrower_and_stops_the_account_in_the_collectors_queue(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=200)
    before = {e.contract_no: e for e in build_queue(db, "zhang.wei", AT).entries}
    assert before[account.contract_no].contact.allowed
    case = refer(db, LEAD, account.contract_no, "  No answer for six months ", now=AT)
    assert (case.stage, case.reason, case.referred_by) == (
        "referred",
        "No answer for six months",
        LEAD,
    )
    assert _flag(db, account)
    after = {e.contract_no: e for e in build_queue(db, "zhang.wei", AT).entries}
    assert after[account.contract_no].contact.decision.rule_id == "cn.stop.legal"
    with db.reader() as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "legal.referred" in actions


def test_only_a_lead_of_the_accounts_team_refers_it(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=200)
    with pytest.raises(NotAllowed, match="Only a team lead of the account's team"):
        refer(db, "zhang.wei", account.contract_no, "why", now=AT)
    with db.session() as session:
        other = Team(name="另一组")
        session.add(other)
        session.flush()
        session.add(
            User(username="lead.zhao", display_name="赵", role=Role.TEAM_LEAD, team_id=other.id)
        )
    with pytest.raises(NotAllowed, match="Only a team lead of the account's team"):
        refer(db, "lead.zhao", account.contract_no, "why", now=AT)
    with pytest.raises(NotFound):
        refer(db, LEAD, "NOPE", "why", now=AT)
    assert not _flag(db, account)


def test_a_referral_needs_a_reason_and_is_made_once(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=200)
    with pytest.raises(DomainError, match="Say why the account goes to legal"):
        refer(db, LEAD, account.contract_no, " \u200b ", now=AT)
    assert not _flag(db, account)
    refer(db, LEAD, account.contract_no, "why", now=AT)
    with pytest.raises(NotAllowed, match="already referred"):
        refer(db, LEAD, account.contract_no, "again", now=AT)


def test_the_case_goes_through_its_steps_in_order(db: Database, portfolio: Portfolio) -> None:
    account = _referred(db, portfolio)
    no = account.contract_no
    with pytest.raises(NotAllowed, match="only once a firm and lawyer are instructed"):
        record_step(db, LEAD, no, _step("filing", case_number="1", court="c"), now=AT)
    with pytest.raises(NotAllowed, match="only after the case is filed"):
        record_step(db, LEAD, no, _step("judgment"), now=AT)
    with pytest.raises(NotAllowed, match="Enforcement comes only after the judgment"):
        record_step(db, LEAD, no, _step("enforcement"), now=AT)
    with pytest.raises(DomainError, match="Name the firm and the lawyer"):
        record_step(db, LEAD, no, _step("lawyer", firm="金杜"), now=AT)
    _filed(db, account)
    with pytest.raises(NotAllowed, match="filed already"):
        record_step(db, LEAD, no, _step("filing", case_number="2", court="c"), now=AT)
    record_step(db, LEAD, no, _step("hearing", note="first hearing"), now=AT)
    record_step(db, LEAD, no, _step("hearing", note="second hearing"), now=AT)
    record_step(db, LEAD, no, _step("judgment", amount="15000.00"), now=AT)
    with pytest.raises(NotAllowed, match="its judgment already"):
        record_step(db, LEAD, no, _step("judgment"), now=AT)
    record_step(db, LEAD, no, _step("enforcement"), now=AT)
    record_step(db, LEAD, no, _step("cost", amount="800"), now=AT)
    record_step(db, LEAD, no, _step("recovery", amount="5000.50"), now=AT)
    case = record_step(db, LEAD, no, _step("closed", note="paid in part"), now=AT)
    assert case.stage == "closed" and not case.is_open
    assert [step.kind for step in case.steps] == [
        LegalStepKind.LAWYER,
        LegalStepKind.FILING,
        LegalStepKind.HEARING,
        LegalStepKind.HEARING,
        LegalStepKind.JUDGMENT,
        LegalStepKind.ENFORCEMENT,
        LegalStepKind.COST,
        LegalStepKind.RECOVERY,
        LegalStepKind.CLOSED,
    ]
    assert case.total(LegalStepKind.RECOVERY) == Decimal("5000.50")
    assert case.total(LegalStepKind.COST) == Decimal("800.00")
    with pytest.raises(NotAllowed, match="The legal case is closed"):
        record_step(db, LEAD, no, _step("hearing"), now=AT)
    # Closed is not withdrawn: the account stays out of collection.
    assert _flag(db, account)


def test_a_step_is_dated_between_the_referral_and_today(db: Database, portfolio: Portfolio) -> None:
    account = _referred(db, portfolio)
    no = account.contract_no
    lawyer = {"firm": "金杜", "lawyer": "李律师"}
    with pytest.raises(DomainError, match="not dated ahead of today"):
        record_step(db, LEAD, no, _step("lawyer", TODAY + timedelta(days=1), **lawyer), now=AT)
    with pytest.raises(DomainError, match="not dated before the referral"):
        record_step(db, LEAD, no, _step("lawyer", TODAY - timedelta(days=1), **lawyer), now=AT)
    later = AT + timedelta(days=5)
    record_step(db, LEAD, no, _step("lawyer", TODAY, **lawyer), now=later)
    record_step(
        db,
        LEAD,
        no,
        _step("filing", TODAY + timedelta(days=3), case_number="1", court="c"),
        now=later,
    )
    with pytest.raises(DomainError, match="not dated before the filing"):
        record_step(db, LEAD, no, _step("hearing", TODAY + timedelta(days=2)), now=later)
    with pytest.raises(DomainError, match="not closed before its last step"):
        record_step(db, LEAD, no, _step("closed", TODAY + timedelta(days=2), note="x"), now=later)


def test_amounts_are_money_never_negative(db: Database, portfolio: Portfolio) -> None:
    account = _referred(db, portfolio)
    no = account.contract_no
    with pytest.raises(InvalidAmount, match="never negative"):
        record_step(db, LEAD, no, _step("cost", amount="-5"), now=AT)
    with pytest.raises(InvalidAmount, match="more than zero"):
        record_step(db, LEAD, no, _step("recovery", amount="0"), now=AT)
    with pytest.raises(InvalidAmount):
        record_step(db, LEAD, no, _step("cost", amount="1.005"), now=AT)
    with pytest.raises(DomainError, match="Only a judgment, a cost or a recovery"):
        record_step(db, LEAD, no, _step("hearing", amount="5"), now=AT)
    with pytest.raises(DomainError, match="There is no legal step"):
        record_step(db, LEAD, no, _step("appeal"), now=AT)
    assert legal_case(db, LEAD, no).steps == ()  # type: ignore[union-attr]


def test_a_withdrawal_before_filing_returns_the_account_to_collection(
    db: Database, portfolio: Portfolio
) -> None:
    account = _referred(db, portfolio)
    with pytest.raises(DomainError, match="Say why the referral is withdrawn"):
        withdraw(db, LEAD, account.contract_no, "", now=AT)
    case = withdraw(db, LEAD, account.contract_no, "Borrower called and paid", now=AT)
    assert case.stage == "withdrawn" and case.withdrawn_by == LEAD
    assert not _flag(db, account)
    entries = {e.contract_no: e for e in build_queue(db, "zhang.wei", AT).entries}
    assert entries[account.contract_no].contact.allowed
    with pytest.raises(NotAllowed, match="The referral was withdrawn"):
        record_step(db, LEAD, account.contract_no, _step("cost", amount="5"), now=AT)
    # And it may be referred again later.
    assert refer(db, LEAD, account.contract_no, "Silent again", now=AT).stage == "referred"


def test_a_filed_case_is_not_withdrawn(db: Database, portfolio: Portfolio) -> None:
    account = _referred(db, portfolio)
    _filed(db, account)
    with pytest.raises(NotAllowed, match="withdrawn only before the case is filed"):
        withdraw(db, LEAD, account.contract_no, "changed our mind", now=AT)
    assert _flag(db, account)


def test_the_reader_gives_the_referrals_facts_and_the_leads_list(
    db: Database, portfolio: Portfolio
) -> None:
    quiet = portfolio.account(today=TODAY, dpd=200)
    assert legal_case(db, LEAD, quiet.contract_no) is None
    account = _referred(db, portfolio)
    _filed(db, account)
    case = legal_case(db, LEAD, account.contract_no)
    assert case is not None
    assert (case.referred_on, case.referred_by, case.stage) == (TODAY, LEAD, "filing")
    assert case.latest(LegalStepKind.FILING).court == "东城区人民法院"  # type: ignore[union-attr]
    assert case.as_json()["steps"][1]["case_number"] == "(2026)京0101民初123号"
    assert [c.contract_no for c in legal_cases(db, LEAD)] == [account.contract_no]
    with pytest.raises(NotAllowed):
        legal_case(db, "zhang.wei", account.contract_no)


def test_the_server_refuses_in_the_services_words() -> None:
    """Every refusal of migration 0030 is word for word the service's, but the mark's: no path
    of the app sets or lifts the legal mark but a referral and its withdrawal."""
    migration = importlib.import_module("app.migrations.versions.0030_legal_referral")
    source = inspect.getsource(referral)
    words = [
        value
        for name, value in vars(migration).items()
        if name.isupper() and isinstance(value, str) and value.endswith(".")
        if name not in ("MARK_SET", "MARK_LIFT")
    ]
    assert len(words) >= 20
    for text in words:
        assert f'"{text}"' in source, text


def test_what_a_lead_types_hides_nothing_and_starts_no_formula(
    db: Database, portfolio: Portfolio
) -> None:
    account = _referred(db, portfolio)
    no = account.contract_no
    with pytest.raises(DomainError, match="spreadsheet formula"):
        record_step(db, LEAD, no, _step("lawyer", firm="=HYPERLINK(1)", lawyer="李律师"), now=AT)
    with pytest.raises(DomainError, match="control or invisible character"):
        record_step(db, LEAD, no, _step("lawyer", firm="金杜\u202e", lawyer="李律师"), now=AT)
    with pytest.raises(DomainError, match="control or invisible character"):
        refer(db, LEAD, no, "reason\x1b[31m", now=AT)
    assert legal_case(db, LEAD, no).steps == ()  # type: ignore[union-attr]
