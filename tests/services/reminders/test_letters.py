"""Issuing letters on real accounts: the amounts an independent recount gives, the address a
letter goes to, the accounts that get none and why, what is put on record, and what a file
that cannot be written leaves (nothing)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    ContactKind,
    ContactPoint,
    CreditNotice,
    Escalation,
    EscalationDecision,
    Instalment,
    IssuedDocument,
    Role,
    Team,
    User,
)
from app.services.common.erasure import erase
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.files import NotWritten
from app.services.common.money import format_money
from app.services.plans.payments import record_payment
from app.services.portfolio.addresses import registered_address
from app.services.reminders.letters import (
    CreditNoticeRecord,
    issue_batch,
    issue_letter,
    payment_link,
)
from tests.helpers.clock import clock_at
from tests.helpers.disks import full_disk
from tests.helpers.pdf import pdf_raw_text
from tests.helpers.portfolio import ADMIN, Account, Portfolio

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 27)
NOW = datetime.combine(TODAY, time(10), tzinfo=BEIJING).astimezone(UTC)
COLLECTOR, LEAD = "zhang.wei", "lead.wang"
RATE = Decimal("0.0005")
NUMBERS = {"mobile": "13812345678", "emergency": "13900001111"}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _schedule(db: Database, account: Account) -> list[Instalment]:
    with db.reader() as session:
        return list(
            session.scalars(
                select(Instalment)
                .where(Instalment.loan_id == account.loan_id)
                .order_by(Instalment.seq)
            )
        )


def _events(db: Database) -> list[AuditEvent]:
    with db.reader() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "letter.issued")))


def _documents(db: Database) -> list[IssuedDocument]:
    with db.reader() as session:
        return list(session.scalars(select(IssuedDocument)))


def _full_id(db: Database, account: Account) -> str:
    with db.reader() as session:
        return session.get_one(Borrower, account.borrower_id).id_number


@pytest.fixture(autouse=True)
def issued_now() -> Iterator[None]:
    """The letters are issued at NOW: this computer's clock reads it (a letter is never dated
    ahead of the clock, a credit-reporting notice never before it)."""
    with clock_at(NOW):
        yield


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the letters go (the test's database is beside it)."""
    path = tmp_path / "letters"
    path.mkdir()
    return path


@pytest.fixture
def account(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=45, numbers=NUMBERS)


# ---------------------------------------------------------------- what the letter says


def test_the_amounts_are_what_an_independent_recount_of_instalments_and_payments_gives(
    db: Database, account: Account, folder: Path
) -> None:
    # Instalments 1-3 were paid on their due dates; 4 fell due 45 days ago, 5 a month later.
    # 500.00 paid 15 days after 4 fell due: its penalty so far, its interest, then principal.
    lines = _schedule(db, account)
    fourth, fifth, sixth = lines[3], lines[4], lines[5]
    assert fourth.due_date == TODAY - timedelta(days=45)
    assert fourth.due_date < fourth.due_date + timedelta(days=15) < fifth.due_date < TODAY
    assert sixth.due_date >= TODAY
    paid_on = fourth.due_date + timedelta(days=15)
    record_payment(
        db, ADMIN, account.contract_no, "500.00",
        datetime.combine(paid_on, time(10), tzinfo=BEIJING), now=NOW,
    )  # fmt: skip

    # By hand, from the schedule and the payment:
    penalty_then = _cents(fourth.principal_due * RATE * 15)
    principal_paid = Decimal("500.00") - penalty_then - fourth.interest_due
    fourth_left = fourth.principal_due - principal_paid
    principal = fourth_left + fifth.principal_due
    interest = fifth.interest_due
    penalty = _cents(fourth_left * RATE * (TODAY - paid_on).days) + _cents(
        fifth.principal_due * RATE * (TODAY - fifth.due_date).days
    )
    total = principal + interest + penalty

    out = folder / "letter.pdf"
    letter = issue_letter(db, COLLECTOR, account.contract_no, "demand", out, now=NOW)

    text = _squash(pdf_raw_text(out.read_bytes()))
    assert letter.total_due == format_money(total)
    for label, amount in (
        ("逾期本金", principal),
        ("逾期利息", interest),
        ("罚息", penalty),
        ("费用", Decimal("0.00")),
        ("应还合计", total),
    ):
        assert f"{label}{format_money(amount)}" in text, label
    assert "逾期天数45天" in text
    assert "截至2026年11月27日" in text


def test_the_letter_prints_the_masked_id_number_only_and_the_payment_link(
    db: Database, account: Account, folder: Path
) -> None:
    full = _full_id(db, account)

    issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", now=NOW)

    text = _squash(pdf_raw_text((folder / "a.pdf").read_bytes()))
    assert full not in text
    assert f"{full[:6]}********{full[-4:]}" in text
    assert f"https://pay.example.cn/r/{account.contract_no}" in text


def test_the_payment_link_quotes_what_a_web_address_cannot_hold() -> None:
    assert payment_link("HX 2024/06#1") == "https://pay.example.cn/r/HX%202024%2F06%231"


def test_a_borrower_in_china_gets_chinese_and_one_abroad_english_unless_asked(
    db: Database, portfolio: Portfolio, account: Account, folder: Path
) -> None:
    abroad = portfolio.account(
        today=TODAY, dpd=45, country="US", province="CA", numbers={"mobile": "+14155550123"}
    )

    chinese = issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "zh.pdf", now=NOW)
    english = issue_letter(db, COLLECTOR, abroad.contract_no, "demand", folder / "en.pdf", now=NOW)
    asked = issue_letter(
        db, COLLECTOR, account.contract_no, "demand", folder / "asked.pdf", language="en", now=NOW
    )

    assert (chinese.language, english.language, asked.language) == ("zh_CN", "en", "en")
    assert "NoticeofOverduePayment" in _squash(pdf_raw_text((folder / "en.pdf").read_bytes()))
    assert "NoticeofOverduePayment" in _squash(pdf_raw_text((folder / "asked.pdf").read_bytes()))


# ---------------------------------------------------------------- where it goes


def _learned(
    db: Database, account: Account, street: str, at: datetime, **whose: str | None
) -> uuid.UUID:
    with db.session() as session:
        point = ContactPoint(
            borrower_id=account.borrower_id,
            position=9,
            kind=ContactKind.ADDRESS,
            value=f"上海市上海市浦东新区{street}",
            region="CN",
            province="上海市",
            city="上海市",
            district="浦东新区",
            street=street,
            created_at=at,
            **whose,
        )
        session.add(point)
        session.flush()
        return point.id


def _moved(db: Database, account: Account) -> None:
    with db.session() as session:
        borrower = session.get_one(Borrower, account.borrower_id)
        borrower.address_moved_from = registered_address(borrower).line


def test_a_letter_goes_to_the_registered_address_while_the_borrower_lives_there(
    db: Database, account: Account, folder: Path
) -> None:
    _learned(db, account, "世纪大道100号", NOW - timedelta(days=3))

    letter = issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", now=NOW)

    assert letter.postal_address == "北京市东城区东四北大街1号"


def test_after_a_move_it_goes_to_the_newest_address_of_the_borrowers_own_never_a_third_partys(
    db: Database, account: Account, folder: Path
) -> None:
    _learned(db, account, "世纪大道100号", NOW - timedelta(days=10))
    # Newer, but the address of the borrower's father.
    _learned(db, account, "陆家嘴环路1号", NOW - timedelta(days=1), relation="父亲")
    _moved(db, account)

    letter = issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", now=NOW)

    text = _squash(pdf_raw_text((folder / "a.pdf").read_bytes()))
    assert letter.postal_address == "上海市浦东新区世纪大道100号"
    assert "上海市浦东新区世纪大道100号" in text
    assert "东四北大街" not in text and "陆家嘴环路" not in text
    # The emergency contact is nobody a letter names.
    assert "王建国" not in text and "父亲" not in text


def test_moved_with_no_new_address_known_gets_no_letter(
    db: Database, account: Account, folder: Path
) -> None:
    _moved(db, account)

    with pytest.raises(NotAllowed, match="no postal address is known"):
        issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", now=NOW)
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------- who gets none


@pytest.mark.parametrize(
    ("flag", "reason"),
    [
        ("cease_requested", "the borrower asked to stop contact"),
        ("dispute_open", "a dispute is open"),
        ("vulnerable", "vulnerability pause"),
        ("deceased", "reported deceased"),
        ("legal_referral", "under legal referral"),
        ("attorney_represented", "represented by an attorney"),
    ],
)
def test_an_account_whose_collection_is_stopped_gets_no_letter_and_nothing_is_written(
    db: Database, portfolio: Portfolio, folder: Path, flag: str, reason: str
) -> None:
    stopped = portfolio.account(today=TODAY, dpd=45, **{flag: True})

    with pytest.raises(NotAllowed, match=reason):
        issue_letter(db, COLLECTOR, stopped.contract_no, "demand", folder / "a.pdf", now=NOW)

    assert list(folder.iterdir()) == []
    assert _events(db) == [] and _documents(db) == []


def test_a_current_account_gets_no_letter(db: Database, portfolio: Portfolio, folder: Path) -> None:
    current = portfolio.account(today=TODAY, dpd=0)

    with pytest.raises(NotAllowed, match="nothing is overdue"):
        issue_letter(db, COLLECTOR, current.contract_no, "demand", folder / "a.pdf", now=NOW)


def test_nobody_letters_an_account_outside_their_scope_or_one_that_does_not_exist(
    db: Database, portfolio: Portfolio, account: Account, folder: Path
) -> None:
    other = portfolio.user("li.na")
    theirs = portfolio.account(today=TODAY, dpd=45, assigned_to=other)

    with pytest.raises(NotAllowed, match=r"not in zhang\.wei's portfolio"):
        issue_letter(db, COLLECTOR, theirs.contract_no, "demand", folder / "a.pdf", now=NOW)
    with pytest.raises(NotFound, match="NOPE"):
        issue_letter(db, COLLECTOR, "NOPE", "demand", folder / "a.pdf", now=NOW)
    # The team's lead may.
    issue_letter(db, LEAD, theirs.contract_no, "demand", folder / "lead.pdf", now=NOW)
    assert [path.name for path in folder.iterdir()] == ["lead.pdf"]


def test_a_kind_or_language_there_is_none_of_is_refused(
    db: Database, account: Account, folder: Path
) -> None:
    with pytest.raises(InvalidInput, match="no kind of letter"):
        issue_letter(db, COLLECTOR, account.contract_no, "threat", folder / "a.pdf", now=NOW)
    with pytest.raises(InvalidInput, match="not “fr”"):
        issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", language="fr")


# ---------------------------------------------------------------- on record


def test_issuing_puts_the_letter_on_record_with_the_files_own_sha256(
    db: Database, account: Account, folder: Path
) -> None:
    out = folder / "letter.pdf"

    letter = issue_letter(db, COLLECTOR, account.contract_no, "demand", out, now=NOW)

    data = out.read_bytes()
    assert letter.sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"HX-DL-20261127-[0-9A-F]{8}", letter.letter_no)
    assert letter.letter_no.endswith(letter.letter_id.hex[:8].upper())
    assert letter.letter_no in _squash(pdf_raw_text(data))
    assert letter.digest in _squash(pdf_raw_text(data))
    (event,) = _events(db)
    assert (event.entity, event.entity_id) == ("loan", str(account.loan_id))
    assert event.details == {
        "kind": "demand",
        "letter_id": str(letter.letter_id),
        "letter_no": letter.letter_no,
        "contract_no": account.contract_no,
        "day": "2026-11-27",
        "sha256": letter.sha256,
        "digest": letter.digest,
    }
    (document,) = _documents(db)
    assert (document.loan_id, document.kind) == (account.loan_id, "demand_letter")
    assert (document.path, document.sha256) == (str(out.resolve()), letter.sha256)
    # Nothing else was left beside it.
    assert [path.name for path in folder.iterdir()] == ["letter.pdf"]


def test_a_credit_notice_hands_its_notice_record_over_in_the_transaction_that_issues_it(
    db: Database, account: Account, folder: Path
) -> None:
    records: list[CreditNoticeRecord] = []

    def record(session: object, notice: CreditNoticeRecord) -> None:
        records.append(notice)

    letter = issue_letter(
        db, LEAD, account.contract_no, "credit_notice", folder / "n.pdf",
        now=NOW, record_notice=record,
    )  # fmt: skip

    assert records == [CreditNoticeRecord(account.loan_id, "letter", NOW, letter.letter_id)]
    assert letter.reporting_from == TODAY + timedelta(days=15)
    assert re.fullmatch(r"HX-CR-20261127-[0-9A-F]{8}", letter.letter_no)
    text = _squash(pdf_raw_text((folder / "n.pdf").read_bytes()))
    assert "自2026年12月12日起" in text
    (event,) = _events(db)
    assert event.details["reporting_from"] == "2026-12-12"
    (document,) = _documents(db)
    assert document.kind == "credit_notice"


def test_a_demand_letter_records_no_credit_notice(
    db: Database, account: Account, folder: Path
) -> None:
    records: list[CreditNoticeRecord] = []

    issue_letter(
        db, COLLECTOR, account.contract_no, "demand", folder / "d.pdf", now=NOW,
        record_notice=lambda _session, notice: records.append(notice),
    )  # fmt: skip

    assert records == []


def test_a_notice_record_refused_leaves_no_letter_and_nothing_on_record(
    db: Database, account: Account, folder: Path
) -> None:
    def refuse(session: object, notice: CreditNoticeRecord) -> None:
        raise NotAllowed("The notice cannot be recorded.")

    with pytest.raises(NotAllowed, match="cannot be recorded"):
        issue_letter(
            db, LEAD, account.contract_no, "credit_notice", folder / "n.pdf",
            now=NOW, record_notice=refuse,
        )  # fmt: skip

    assert list(folder.iterdir()) == []
    assert _events(db) == [] and _documents(db) == []


def test_a_full_disk_leaves_no_file_and_nothing_on_record(
    db: Database, account: Account, folder: Path
) -> None:
    with full_disk(folder / "disk") as disk:
        with pytest.raises(NotWritten, match="Cannot write"):
            issue_letter(db, COLLECTOR, account.contract_no, "demand", disk / "a.pdf", now=NOW)
        assert [path.name for path in disk.iterdir()] == ["filler"]
    assert _events(db) == [] and _documents(db) == []


# ---------------------------------------------------------------- a batch


@pytest.fixture
def team(db: Database, portfolio: Portfolio) -> dict[str, Account]:
    """A lead's team: the collector's accounts and a colleague's, overdue, current and stopped;
    and an account of another team."""
    colleague = portfolio.user("li.na")
    with db.session() as session:
        elsewhere = Team(name="外访组")
        session.add(elsewhere)
        session.flush()
        stranger = User(
            username="wang.qiang", display_name="王强", role=Role.COLLECTOR, team_id=elsewhere.id
        )
        session.add(stranger)
        session.flush()
        other_collector = stranger.id
    return {
        "m1": portfolio.account(today=TODAY, dpd=20),
        "m2": portfolio.account(today=TODAY, dpd=45, name="赵敏"),
        "m2_colleague": portfolio.account(today=TODAY, dpd=50, assigned_to=colleague),
        "m3": portfolio.account(today=TODAY, dpd=75),
        "current": portfolio.account(today=TODAY, dpd=0),
        "ceased": portfolio.account(today=TODAY, dpd=45, cease_requested=True),
        "other_team": portfolio.account(today=TODAY, dpd=45, assigned_to=other_collector),
    }


def _index(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_a_leads_batch_writes_the_teams_overdue_accounts_and_says_why_it_skips_one(
    db: Database, team: dict[str, Account], folder: Path
) -> None:
    batch = issue_batch(db, LEAD, "demand", folder, now=NOW)

    contracts = {name: account.contract_no for name, account in team.items()}
    issued = sorted(letter.contract_no for letter in batch.issued)
    assert issued == sorted(contracts[name] for name in ("m1", "m2", "m2_colleague", "m3"))
    assert [(s.contract_no, s.reason.en) for s in batch.skipped] == [
        (contracts["ceased"], "the borrower asked to stop contact")
    ]
    # A PDF per letter, the index and the print file: nothing else.
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(
        [f"{letter.letter_no}.pdf" for letter in batch.issued]
        + [batch.index.name, batch.printing.name if batch.printing else ""]
    )
    rows = {row["contract_no"]: row for row in _index(batch.index)}
    assert rows[contracts["ceased"]]["status"] == "skipped"
    assert rows[contracts["ceased"]]["reason"] == "借款人已要求停止联系"
    assert rows[contracts["m2"]]["status"] == "issued"
    assert rows[contracts["m2"]]["borrower"] == "赵敏"
    assert rows[contracts["m2"]]["file"] == f"{rows[contracts['m2']]['letter_no']}.pdf"
    assert batch.printing is not None
    printed = PdfReader(batch.printing)
    assert len(printed.pages) == len(batch.issued)
    # Every letter is on record, the batch's files too.
    assert len(_events(db)) == 4
    kinds = sorted(document.kind for document in _documents(db))
    assert kinds == ["demand_letter"] * 4 + ["letter_batch"] * 4 + ["letter_index"] * 4


def test_a_collectors_batch_is_their_own_accounts_in_the_buckets_asked(
    db: Database, team: dict[str, Account], folder: Path
) -> None:
    batch = issue_batch(db, COLLECTOR, "demand", folder, bucket_codes=["M2"], now=NOW)

    assert [letter.contract_no for letter in batch.issued] == [team["m2"].contract_no]
    assert [skipped.contract_no for skipped in batch.skipped] == [team["ceased"].contract_no]
    assert all(letter.reporting_from is None for letter in batch.issued)


def test_a_credit_notice_is_a_leads_to_issue_and_a_collectors_is_refused_with_nothing_written(
    db: Database, team: dict[str, Account], folder: Path
) -> None:
    m2 = team["m2"].contract_no
    with pytest.raises(NotAllowed, match="Only a team lead issues a credit-reporting notice"):
        issue_letter(db, COLLECTOR, m2, "credit_notice", folder / "n.pdf", now=NOW)
    with pytest.raises(NotAllowed, match="Only a team lead issues a credit-reporting notice"):
        issue_batch(db, COLLECTOR, "credit_notice", folder, bucket_codes=["M2"], now=NOW)
    assert list(folder.iterdir()) == []
    assert _events(db) == [] and _documents(db) == []
    with db.reader() as session:
        assert session.scalars(select(CreditNotice)).all() == []

    batch = issue_batch(db, LEAD, "credit_notice", folder, bucket_codes=["M2"], now=NOW)

    assert m2 in [letter.contract_no for letter in batch.issued]
    assert all(letter.reporting_from == TODAY + timedelta(days=15) for letter in batch.issued)
    lead = _user_id(db, LEAD)
    with db.reader() as session:
        notices = session.scalars(select(CreditNotice)).all()
    assert sorted((n.loan_id, n.document_id) for n in notices) == sorted(
        (letter.loan_id, letter.letter_id) for letter in batch.issued
    )
    assert {(n.channel, n.recorded_by_id) for n in notices} == {("letter", lead)}


def _user_id(db: Database, username: str) -> uuid.UUID:
    with db.reader() as session:
        return session.scalars(select(User.id).where(User.username == username)).one()


def test_a_batch_with_no_account_to_write_to_or_an_unknown_bucket_is_refused(
    db: Database, team: dict[str, Account], folder: Path
) -> None:
    with pytest.raises(InvalidInput, match="is overdue in M6"):
        issue_batch(db, COLLECTOR, "demand", folder, bucket_codes=["M6"], now=NOW)
    with pytest.raises(InvalidInput, match="no bucket M9"):
        issue_batch(db, COLLECTOR, "demand", folder, bucket_codes=["M9"], now=NOW)
    with pytest.raises(InvalidInput, match="does not exist"):
        issue_batch(db, COLLECTOR, "demand", folder / "missing", now=NOW)
    assert list(folder.iterdir()) == []


def test_a_batch_that_cannot_be_written_whole_leaves_no_file_and_nothing_on_record(
    db: Database, team: dict[str, Account], folder: Path
) -> None:
    with full_disk(folder / "disk") as disk:
        with pytest.raises(NotWritten, match="Cannot write"):
            issue_batch(db, LEAD, "demand", disk, now=NOW)
        assert [path.name for path in disk.iterdir()] == ["filler"]
    assert _events(db) == [] and _documents(db) == []


def test_erasing_the_account_past_retention_keeps_the_letters_record_and_removes_its_file(
    db: Database, account: Account, folder: Path
) -> None:
    out = folder / "letter.pdf"
    letter = issue_letter(db, LEAD, account.contract_no, "credit_notice", out, now=NOW)

    with db.engine.begin() as connection:
        erasure = erase(connection, [account.borrower_id], at=NOW + timedelta(days=2000))

    assert [document.path for document in erasure.documents] == [str(out.resolve())]
    (event,) = _events(db)
    # Numbers, days and hashes, nobody's name: the record of what was sent stays whole.
    assert event.details == {
        "kind": "credit_notice",
        "letter_id": str(letter.letter_id),
        "letter_no": letter.letter_no,
        "contract_no": account.contract_no,
        "day": "2026-11-27",
        "sha256": letter.sha256,
        "digest": letter.digest,
        "reporting_from": "2026-12-12",
    }


def test_the_index_writes_a_name_that_starts_like_a_formula_as_text(
    db: Database, portfolio: Portfolio, folder: Path
) -> None:
    portfolio.account(today=TODAY, dpd=45, name='=HYPERLINK("http://x.example","点我")')

    batch = issue_batch(db, COLLECTOR, "demand", folder, now=NOW)

    (row,) = _index(batch.index)
    assert row["borrower"] == '\'=HYPERLINK("http://x.example","点我")'


def test_an_escalation_waiting_for_a_lead_pauses_letters_until_the_lead_decides(
    db: Database, portfolio: Portfolio, account: Account, folder: Path
) -> None:
    with db.session() as session:
        escalation = Escalation(
            loan_id=account.loan_id,
            borrower_id=account.borrower_id,
            kind="self_harm_risk",
            raised_by_id=portfolio.collector,
            raised_at=NOW - timedelta(hours=1),
        )
        session.add(escalation)
        session.flush()
        escalation_id = escalation.id

    with pytest.raises(NotAllowed, match="an escalation waits for a team lead's decision"):
        issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", now=NOW)
    batch = issue_batch(db, LEAD, "demand", folder, now=NOW)
    assert batch.issued == () and [s.contract_no for s in batch.skipped] == [account.contract_no]

    with db.session() as session:
        decided = session.get_one(Escalation, escalation_id)
        decided.decision = EscalationDecision.RESUME
        decided.decided_at = NOW - timedelta(minutes=5)
    letter = issue_letter(db, COLLECTOR, account.contract_no, "demand", folder / "a.pdf", now=NOW)
    assert letter.contract_no == account.contract_no
