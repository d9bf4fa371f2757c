"""The daily feed's rules, file by file: the ledger it writes, what it settles, what it refuses.

The files go through `apply_feed` as the command gives them (tests/cli/test_cli_feed.py runs the
command itself on both databases); here the clock is fixed and each rule has its own case.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import (
    ContactPoint,
    FeedStatus,
    Loan,
    LoanStatus,
    Payment,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    ReportedPayment,
    Team,
)
from app.services.common.clock import business_zone
from app.services.common.errors import NotAllowed
from app.services.common.idnumbers import make
from app.services.contact.compliance import profile_code_for
from app.services.contact.promises import settle_due_promises
from app.services.plans.feed import FeedRefused, apply_feed, feed_reports
from app.services.plans.lifecycle import save_plan
from app.services.plans.offers import PlanTerms
from app.services.plans.payments import enter_payment
from app.services.portfolio.accounts import account_detail, instalment_states, to_state
from app.services.portfolio.balances import ScheduleLine, replay
from tests.helpers.agreements import issue
from tests.helpers.feeds import batch, new_account, payment, reversal, write_feed
from tests.helpers.portfolio import Portfolio

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 11:00 in Beijing
TODAY = date(2026, 11, 28)
ID_NUMBER = make("440103", date(1990, 5, 17), 1)
# The same with its check character wrong.
NOT_AN_ID = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")


def _at(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), tzinfo=business_zone()).isoformat()


def _apply(db: Database, path: Path, rows: list[dict[str, str]], now: datetime = NOW) -> object:
    return apply_feed(db, write_feed(path, rows), now=now)


def _fingerprint(db: Database) -> tuple[object, ...]:
    with db.engine.connect() as connection:
        return tuple(
            tuple(connection.exec_driver_sql(query).all())
            for query in (
                "SELECT count(*) FROM borrowers",
                "SELECT count(*) FROM contact_points",
                "SELECT contract_no, status, closed_on FROM loans ORDER BY contract_no",
                "SELECT loan_id, seq, principal_paid, interest_paid, fees_paid, penalty_paid,"
                " fees_due, settled_on FROM instalments ORDER BY loan_id, seq",
                "SELECT source_id, amount, reversed_at FROM payments ORDER BY source_id",
                "SELECT id, status, paid_amount FROM promises ORDER BY id",
                "SELECT count(*) FROM feed_batches WHERE status = 'applied'",
            )
        )


def _states(db: Database, contract: str) -> list[object]:
    with db.reader() as session:
        loan_id = session.scalars(select(Loan.id).where(Loan.contract_no == contract)).one()
        return [to_state(row) for row in instalment_states(session, loan_id)]


def _replayed(db: Database, contract: str) -> list[object]:
    """The contract's instalments as `balances.replay` makes them of its schedule and every
    payment that counts."""
    zone = business_zone()
    with db.reader() as session:
        loan = session.scalars(select(Loan).where(Loan.contract_no == contract)).one()
        rows = instalment_states(session, loan.id)
        lines = [
            ScheduleLine(r.seq, r.due_date, r.principal_due, r.interest_due, r.fees_due)
            for r in rows
        ]
        paid = [
            (p.paid_at.astimezone(zone).date(), p.amount)
            for p in session.scalars(
                select(Payment).where(Payment.loan_id == loan.id, Payment.reversed_at.is_(None))
            )
        ]
        return list(replay(lines, paid, loan.penalty_rate_daily))


def test_a_new_account_and_its_payments_come_out_as_replaying_them(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = [
        batch(1, TODAY),
        *new_account(ID_NUMBER, "HX1", assigned_to="zhang.wei"),
        payment("HX1", "P-1", _at(TODAY - timedelta(days=20)), "1045.00"),
        payment("HX1", "P-2", _at(TODAY - timedelta(days=3)), "300.00"),
    ]
    summary = _apply(db, tmp_path / "f1.csv", rows)
    assert (summary.accounts_new, summary.payments, summary.payments_amount) == (
        1,
        2,
        Decimal("1345.00"),
    )
    assert _states(db, "HX1") == _replayed(db, "HX1")
    detail = account_detail(db, "zhang.wei", "HX1", NOW)
    assert detail.balance.oldest_unpaid_due == date(2026, 9, 1)
    assert detail.balance.dpd == (TODAY - date(2026, 9, 1)).days
    assert detail.balance.bucket == "M3"
    assert detail.address == "广东省 广州市 荔湾区 中山七路12号"


def test_the_same_file_twice_changes_nothing_and_a_known_payment_counts_once(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    first = [batch(1, TODAY), payment(account.contract_no, "P-1", _at(TODAY), "500.00")]
    path = write_feed(tmp_path / "day1.csv", first)
    apply_feed(db, path, now=NOW)
    before = _fingerprint(db)
    again = apply_feed(db, path, now=NOW)
    assert again.already_applied and again.payments == 1
    assert _fingerprint(db) == before
    # The next file sends the same payment again, with a new one.
    summary = _apply(
        db,
        tmp_path / "day2.csv",
        [
            batch(2, TODAY),
            payment(account.contract_no, "P-1", _at(TODAY), "500.00"),
            payment(account.contract_no, "P-2", _at(TODAY, 11), "200.00"),
        ],
    )
    assert (summary.payments, summary.payments_known) == (1, 1)
    with db.reader() as session:
        paid = session.scalars(
            select(Payment.source_id).where(Payment.source_id.is_not(None))
        ).all()
    assert sorted(paid) == ["P-1", "P-2"]


@pytest.mark.parametrize(
    ("sequence", "batch_id", "problem"),
    [
        (3, "B0003", "file 2 is missing: the last applied was 1 (batch B0001); apply it first"),
        (5, "B0005", "files 2 to 4 are missing"),
        (1, "B-OTHER", "file 1 was applied already (batch B0001); the next is 2"),
        (2, "B0001", "batch B0001 was applied on"),
    ],
)
def test_files_come_in_their_sequence_and_a_batch_id_names_one_file(
    db: Database,
    portfolio: Portfolio,
    tmp_path: Path,
    sequence: int,
    batch_id: str,
    problem: str,
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    _apply(
        db,
        tmp_path / "1.csv",
        [batch(1, TODAY), payment(account.contract_no, "P-1", _at(TODAY), "10")],
    )
    before = _fingerprint(db)
    rows = [batch(sequence, TODAY, batch_id), payment(account.contract_no, "P-9", _at(TODAY), "10")]
    with pytest.raises(FeedRefused) as refused:
        _apply(db, tmp_path / "next.csv", rows)
    (found,) = refused.value.problems
    assert found.row == 2 and found.column in ("sequence", "batch_id")
    assert problem in found.message
    assert _fingerprint(db) == before


def test_a_bad_file_names_each_problem_by_row_and_column_and_writes_nothing(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    rows = [
        batch(1, TODAY),
        *new_account(ID_NUMBER, "HX1"),
        payment(account.contract_no, "P-1", _at(TODAY), "１００.00"),  # full-width digits
        payment("NO-SUCH", "P-2", _at(TODAY), "100.00"),
        payment(account.contract_no, "P-3", _at(TODAY + timedelta(days=2)), "100.00"),
        payment(account.contract_no, "P-4", _at(TODAY), "100.00", channel="bitcoin"),
        reversal(account.contract_no, "P-UNKNOWN", "R-1", _at(TODAY)),
        {"record": "closure", "contract_no": account.contract_no, "closed_on": "2026-11-28",
         "status": "forgiven"},
        {"record": "borrower", "id_number": NOT_AN_ID, "name": "张伟"},
        {"record": "instalment", "contract_no": account.contract_no, "seq": "40",
         "due_date": "2027-01-01", "principal_due": "1.00", "interest_due": "0.00",
         "fees_due": "0.00"},
        {"record": "refund", "contract_no": account.contract_no},
    ]  # fmt: skip
    before = _fingerprint(db)
    with pytest.raises(FeedRefused) as refused:
        _apply(db, tmp_path / "bad.csv", rows)
    found = {(p.row, p.column): p.message for p in refused.value.problems}
    assert found[(5, "team")].startswith("a new account nobody is assigned to needs the team")
    assert found[(9, "amount")].startswith("“１００.00” has the character “１”")
    assert found[(10, "contract_no")] == "no loan row with this contract"
    assert found[(11, "paid_at")] == "in the future"
    assert found[(12, "channel")].startswith("unknown channel")
    assert found[(13, "payment_id")] == "no payment with this id, in the database or the file"
    assert found[(14, "status")] == "unknown closure (one of settled, written_off)"
    assert found[(15, "id_number")] == "not a valid resident ID number (check digit)"
    assert found[(16, "seq")].startswith("the contract has instalments 1 to 12: a new one is 13")
    assert found[(17, "record")].startswith("unknown record “refund”")
    assert len(found) == 10
    assert _fingerprint(db) == before
    # The refusal is kept for the lead, with its problems; it took no place in the sequence.
    reports = feed_reports(db, "lead.wang")
    assert [r.status for r in reports] == [FeedStatus.REFUSED]
    assert reports[0].batch_id == "B0001" and len(reports[0].problems) == 10
    _apply(db, tmp_path / "good.csv", [batch(1, TODAY)])


def test_a_payment_that_arrives_late_keeps_the_promise_by_its_own_date(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    promised = TODAY - timedelta(days=10)
    made = datetime.combine(promised - timedelta(days=3), time(9), tzinfo=UTC)
    promise_id = portfolio.promise(account, "500", promised, made)
    with db.session() as session:
        settle_due_promises(session, NOW)
    with db.reader() as session:
        assert session.get_one(PromiseToPay, promise_id).status is PromiseStatus.BROKEN
    # The lending system brings the payment made on the promised day ten days later.
    paid_at = _at(promised, 15)
    summary = _apply(
        db,
        tmp_path / "late.csv",
        [batch(1, TODAY), payment(account.contract_no, "P-1", paid_at, "500.00")],
    )
    assert summary.promises_kept == 1
    with db.reader() as session:
        promise = session.get_one(PromiseToPay, promise_id)
    assert promise.status is PromiseStatus.KEPT and promise.paid_amount == Decimal("500.00")
    assert promise.resolved_at == datetime.fromisoformat(paid_at)
    # Reversed, it keeps nothing: the promise is broken again, as of its deadline.
    _apply(
        db,
        tmp_path / "reversed.csv",
        [batch(2, TODAY), reversal(account.contract_no, "P-1", "R-1", _at(TODAY, 9))],
    )
    with db.reader() as session:
        promise = session.get_one(PromiseToPay, promise_id)
    assert promise.status is PromiseStatus.BROKEN and promise.paid_amount == 0
    assert _states(db, account.contract_no) == _replayed(db, account.contract_no)


def test_a_reversal_opens_a_paid_off_account_and_its_completed_plan_again(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=TODAY, dpd=40, principal="3000", term=6)
    made = NOW - timedelta(days=5)
    # Paid in full four days ago, the day it was due; three days' grace have passed since.
    due = TODAY - timedelta(days=4)
    plan = save_plan(db, "zhang.wei", account.contract_no, PlanTerms("full", due), now=made)
    issue(db, "zhang.wei", plan.id, now=made)
    paid_at = datetime.fromisoformat(_at(due))
    owed = account_detail(db, "zhang.wei", account.contract_no, paid_at).balance.owed
    summary = _apply(
        db,
        tmp_path / "paid.csv",
        [batch(1, TODAY), payment(account.contract_no, "P-1", _at(due), str(owed))],
    )
    assert summary.settled_by_payments == 1
    with db.reader() as session:
        assert session.get_one(Loan, account.loan_id).status is LoanStatus.SETTLED
        assert session.get_one(RepaymentPlan, plan.id).status is PlanStatus.COMPLETED
    summary = _apply(
        db,
        tmp_path / "bounced.csv",
        [batch(2, TODAY), reversal(account.contract_no, "P-1", "R-1", _at(TODAY, 9))],
    )
    assert (summary.reversals, summary.reopened) == (1, 1)
    with db.reader() as session:
        assert session.get_one(Loan, account.loan_id).status is LoanStatus.ACTIVE
        assert session.get_one(RepaymentPlan, plan.id).status is PlanStatus.BROKEN


def test_closures_moves_abroad_numbers_and_schedule_changes(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    closed = portfolio.account(today=TODAY, dpd=200)
    mover = portfolio.account(today=TODAY, dpd=40, numbers={"mobile": "13812345678"})
    assert profile_code_for(mover.country) == "CN"
    detail = account_detail(db, "zhang.wei", mover.contract_no, NOW)
    last = detail.schedule[-1]
    rows = [
        batch(1, TODAY),
        {"record": "closure", "contract_no": closed.contract_no, "closed_on": "2026-11-27",
         "status": "written_off"},
        {"record": "borrower", "id_number": _id_number(db, mover.contract_no), "country": "US",
         "province": "California", "city": "Los Angeles", "district": "Downtown",
         "street": "1 S Broadway"},
        # A number she has, written another way, and a new one read in her new country.
        {"record": "contact", "id_number": _id_number(db, mover.contract_no), "kind": "mobile",
         "value": "+86 138-1234-5678"},
        {"record": "contact", "id_number": _id_number(db, mover.contract_no), "kind": "mobile",
         "value": "(212) 226-3328"},
        # A late fee on the last instalment, which no payment has reached.
        {"record": "instalment", "contract_no": mover.contract_no, "seq": str(last.seq),
         "due_date": last.due_date.isoformat(), "principal_due": str(last.principal_due),
         "interest_due": str(last.interest_due), "fees_due": "80.00"},
    ]  # fmt: skip
    summary = _apply(db, tmp_path / "changes.csv", rows)
    assert summary.closed_written_off == 1 and summary.accounts_closed == 1
    assert (summary.borrowers_changed, summary.borrowers_moved_country) == (1, 1)
    assert (summary.contact_points_new, summary.contact_points_known) == (1, 1)
    assert (summary.schedules_changed, summary.instalments_changed) == (1, 1)
    with db.reader() as session:
        loan = session.get_one(Loan, closed.loan_id)
        assert (loan.status, loan.closed_on) == (LoanStatus.WRITTEN_OFF, date(2026, 11, 27))
        values = session.scalars(
            select(ContactPoint.value).where(ContactPoint.borrower_id == mover.borrower_id)
        ).all()
    assert sorted(values) == ["+12122263328", "+8613812345678"]
    moved = account_detail(db, "zhang.wei", mover.contract_no, NOW)
    assert (moved.country, moved.address) == ("US", "CA Los Angeles Downtown 1 S Broadway")
    assert profile_code_for(moved.country) == "US"
    assert moved.schedule[-1].fees_due == Decimal("80.00")
    assert _states(db, mover.contract_no) == _replayed(db, mover.contract_no)


def test_a_reported_payment_counts_for_nothing_until_the_feed_matches_it(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    before = account_detail(db, "zhang.wei", account.contract_no, NOW).balance
    reported = enter_payment(
        db,
        "zhang.wei",
        account.contract_no,
        "300",
        NOW - timedelta(days=1),
        channel="wechat_pay",
        now=NOW,
    )
    after = account_detail(db, "zhang.wei", account.contract_no, NOW)
    assert after.balance == before
    states = [item.details.get("state") for item in after.timeline if item.kind == "payment"]
    assert "reported" in states
    with db.reader() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Payment).where(Payment.source_id.is_not(None))
            )
            == 0
        )
    summary = _apply(
        db,
        tmp_path / "real.csv",
        [
            batch(1, TODAY),
            payment(account.contract_no, "P-1", _at(TODAY - timedelta(days=2)), "300.00"),
        ],
    )
    assert summary.reports_matched == 1
    with db.reader() as session:
        report = session.get_one(ReportedPayment, reported.report_id)
        matched = session.get_one(Payment, report.matched_payment_id)
    assert matched.source_id == "P-1"
    shown = account_detail(db, "zhang.wei", account.contract_no, NOW)
    assert [i.details.get("state") for i in shown.timeline if i.kind == "payment"].count(
        "reported"
    ) == 0


def test_a_payment_more_than_owed_refuses_the_file_at_its_amount(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=TODAY, dpd=40, principal="1200", term=4)
    owed = account_detail(db, "zhang.wei", account.contract_no, NOW).balance.owed
    rows = [batch(1, TODAY), payment(account.contract_no, "P-1", _at(TODAY), str(owed + 50))]
    with pytest.raises(FeedRefused) as refused:
        _apply(db, tmp_path / "over.csv", rows)
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (3, "amount")
    assert "more than its schedule owes" in problem.message


def test_only_a_lead_reads_the_feeds_reports(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    _apply(db, tmp_path / "empty.csv", [batch(1, TODAY)])
    (report,) = feed_reports(db, "lead.wang")
    assert report.summary is not None and report.summary.sequence == 1
    with pytest.raises(NotAllowed):
        feed_reports(db, "zhang.wei")


def _id_number(db: Database, contract: str) -> str:
    with db.reader() as session:
        loan = session.scalars(select(Loan).where(Loan.contract_no == contract)).one()
        return loan.borrower.id_number


def test_postgres_applies_a_file_exactly_as_sqlite(
    pg_db: Database, db: Database, tmp_path: Path
) -> None:
    results = []
    for database in (db, pg_db):
        portfolio = Portfolio(database)
        account = portfolio.account(today=TODAY, dpd=70)
        rows = [
            batch(1, TODAY),
            *new_account(ID_NUMBER, "HX1", assigned_to="zhang.wei"),
            payment("HX1", "P-1", _at(TODAY - timedelta(days=9)), "700.00"),
            payment(account.contract_no, "P-2", _at(TODAY - timedelta(days=30)), "1234.56"),
            payment(account.contract_no, "P-3", _at(TODAY - timedelta(days=1)), "99.99"),
        ]
        summary = _apply(database, tmp_path / f"{database.engine.dialect.name}.csv", rows)
        results.append(
            (
                summary.payments_amount,
                _states(database, "HX1"),
                _states(database, account.contract_no),
            )
        )
        assert _states(database, account.contract_no) == _replayed(database, account.contract_no)
    assert results[0] == results[1]


def test_the_documented_example_reads_without_a_problem() -> None:
    """docs/feed-format.md's example is a file the feed reads: every row and cell as written."""
    from app.services.plans.feed import _Feed

    doc = Path(__file__).resolve().parents[3] / "docs" / "feed-format.md"
    example = re.search(r"```csv\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert example is not None
    feed = _Feed(datetime(2026, 12, 7, 12, tzinfo=UTC), "example.csv", "", "UTF-8")
    feed.read(example.group(1))
    assert feed.problems == []
    assert feed.batch is not None and feed.batch.sequence == 42
    assert (len(feed.payments), len(feed.reversals), len(feed.closures)) == (1, 1, 1)
    assert sorted(feed.instalments) == ["CW202600000009", "HX2026000001"]


def test_a_batch_row_with_a_problem_is_named_by_row_and_column(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = [{**batch(1, TODAY), "sequence": "一"}]
    with pytest.raises(FeedRefused) as refused:
        _apply(db, tmp_path / "bad-batch.csv", rows)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "sequence")]
    (report,) = feed_reports(db, "lead.wang")
    assert report.status == FeedStatus.REFUSED and report.batch_id is None


def test_a_new_account_nobody_is_assigned_to_waits_in_its_teams_pool(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    with db.reader() as session:
        team = session.scalars(select(Team)).first()
        assert team is not None
        team_id, team_name = team.id, team.name
    rows = [batch(1, TODAY), *new_account(ID_NUMBER, "HX1")]
    rows[3] = {**rows[3], "team": "没有这个组"}
    with pytest.raises(FeedRefused) as refused:
        _apply(db, tmp_path / "unknown-team.csv", rows)
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (5, "team", "no team “没有这个组” in the database")
    ]
    rows[3] = {**rows[3], "team": team_name}
    _apply(db, tmp_path / "pool.csv", rows)
    with db.reader() as session:
        loan = session.scalars(select(Loan).where(Loan.contract_no == "HX1")).one()
        assert (loan.assigned_to_id, loan.team_id) == (None, team_id)
