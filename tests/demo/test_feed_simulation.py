"""Thirty days of the lending system's feed on the demo, end to end through the command line.

The demo is built a month back (`demo-data --as-of`), writes the thirty daily files that follow
(`demo-feed`), and `central feed` applies them in order. Then the book must follow the files:
every balance is its schedule replayed with the payments that count, DPD and buckets as the
lead's list shows them come from those balances, promises paid on their day are kept, the
dashboard credits the payments the files brought (reversed ones not), and nothing is there
twice. Applying the thirty files again changes nothing.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import DATABASE_FILE, DATABASE_URL_ENV
from app.database import Database
from app.models import (
    ContactAttempt,
    ContactPoint,
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    PromiseStatus,
    PromiseToPay,
    Role,
    User,
)
from app.services.common.clock import business_zone, day_start, local_today
from app.services.common.reference import dispositions
from app.services.contact.promises import deadline
from app.services.portfolio.accounts import to_state
from app.services.portfolio.balances import ScheduleLine, balance_of, replay
from app.services.team.assignment import team_accounts
from app.services.team.kpis import team_report

DAYS = 30
ACCOUNTS = 240


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), *args],
        capture_output=True, text=True, timeout=600, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], str]:
    folder = tmp_path_factory.mktemp("simulation")
    as_of = datetime.now(UTC) - timedelta(days=DAYS + 1)
    _run(folder, "demo-data", "--accounts", str(ACCOUNTS), "--as-of", as_of.isoformat())
    _run(folder, "demo-feed", "--out", str(folder / "feeds"), "--days", str(DAYS))
    files = sorted((folder / "feeds").glob("feed-*.csv"))
    assert len(files) == DAYS
    applied = _run(folder, "central", "feed", *map(str, files), "--json")
    return folder, files, applied.stdout


def _rows(files: list[Path]) -> list[dict[str, str]]:
    rows = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def _db(folder: Path) -> Database:
    return Database(f"sqlite:///{folder / DATABASE_FILE}")


def test_every_file_is_applied_and_its_reconciliation_adds_up_to_the_files(
    simulated: tuple[Path, list[Path], str],
) -> None:
    folder, files, applied = simulated
    summaries = json.loads(applied)
    assert [s["sequence"] for s in summaries] == list(range(1, DAYS + 1))
    rows = _rows(files)
    kinds = Counter(row["record"] for row in rows)
    paid = [row for row in rows if row["record"] == "payment"]
    assert sum(s["payments"] for s in summaries) == kinds["payment"] > DAYS
    assert sum(Decimal(s["payments_amount"]) for s in summaries) == sum(
        Decimal(row["amount"]) for row in paid
    )
    assert sum(s["reversals"] for s in summaries) == kinds["reversal"] > 0
    assert sum(s["accounts_new"] for s in summaries) == kinds["loan"]
    assert sum(s["closed_written_off"] for s in summaries) == kinds["closure"] > 0
    assert sum(s["borrowers_moved_country"] for s in summaries) > 0
    assert sum(s["promises_kept"] for s in summaries) > 0
    assert all(s["rows_refused"] == 0 for s in summaries)
    db = _db(folder)
    try:
        with db.reader() as session:
            stored = session.execute(
                select(Payment.source_id, Payment.amount, Payment.reversed_at).where(
                    Payment.source_id.like("PAY-%")
                )
            ).all()
    finally:
        db.dispose()
    assert sorted(source for source, _, _ in stored) == sorted(row["payment_id"] for row in paid)
    reversed_ids = {row["payment_id"] for row in rows if row["record"] == "reversal"}
    assert {s for s, _, at in stored if at is not None} == reversed_ids & {s for s, _, _ in stored}


def test_balances_dpd_and_buckets_follow_the_feed(
    simulated: tuple[Path, list[Path], str],
) -> None:
    folder, _, _ = simulated
    db = _db(folder)
    now = datetime.now(UTC)
    today = local_today(now)
    zone = business_zone()
    try:
        with db.reader() as session:
            loans = {loan.id: loan for loan in session.scalars(select(Loan))}
            lines = defaultdict(list)
            for row in session.scalars(select(Instalment).order_by(Instalment.seq)):
                lines[row.loan_id].append(row)
            paid = defaultdict(list)
            for payment in session.scalars(select(Payment).where(Payment.reversed_at.is_(None))):
                paid[payment.loan_id].append(
                    (payment.paid_at.astimezone(zone).date(), payment.amount)
                )
            lead = session.scalars(select(User.username).where(User.role == Role.TEAM_LEAD)).first()
        expected = {}
        for loan_id, loan in loans.items():
            schedule = [
                ScheduleLine(r.seq, r.due_date, r.principal_due, r.interest_due, r.fees_due)
                for r in lines[loan_id]
            ]
            states = replay(schedule, paid[loan_id], loan.penalty_rate_daily)
            # What the ledger stored is the schedule replayed with every payment that counts.
            assert [to_state(r) for r in lines[loan_id]] == states, loan.contract_no
            expected[loan.contract_no] = balance_of(states, today, loan.penalty_rate_daily)
            if all(state.settled_on is not None for state in states):
                assert loan.status is not LoanStatus.ACTIVE, loan.contract_no
        assert lead is not None
        listed = team_accounts(db, lead, now=now)
        assert len(listed) > ACCOUNTS // 3
        for account in listed:
            balance = expected[account.contract_no]
            assert (account.dpd, account.bucket) == (balance.dpd, balance.bucket)
            assert account.overdue == balance.overdue
        # The accounts the feed opened are in the lead's list, overdue as their schedules say.
        assert any(account.contract_no.startswith("FD") for account in listed)
    finally:
        db.dispose()


def test_promises_paid_on_their_day_are_kept(simulated: tuple[Path, list[Path], str]) -> None:
    folder, files, _ = simulated
    rows = _rows(files)
    reversed_ids = {row["payment_id"] for row in rows if row["record"] == "reversal"}
    paid_on = defaultdict(Decimal)
    for row in rows:
        if row["record"] == "payment" and row["payment_id"] not in reversed_ids:
            day = datetime.fromisoformat(row["paid_at"]).astimezone(business_zone()).date()
            paid_on[(row["contract_no"], day)] += Decimal(row["amount"])
    first_day = local_today(datetime.now(UTC)) - timedelta(days=DAYS)
    db = _db(folder)
    try:
        with db.reader() as session:
            promises = session.execute(
                select(PromiseToPay, Loan.contract_no)
                .join(Loan, Loan.id == PromiseToPay.loan_id)
                .where(PromiseToPay.promised_date > first_day)
            ).all()
    finally:
        db.dispose()
    kept = [
        promise
        for promise, contract in promises
        if paid_on.get((contract, promise.promised_date), Decimal(0)) >= promise.amount
    ]
    assert kept
    assert all(promise.status is PromiseStatus.KEPT for promise in kept)
    # A payment judges its loan's promises again: none the feed paid something on is still
    # waiting once its date and grace have passed.
    now = datetime.now(UTC)
    paid_contracts = {contract for contract, _ in paid_on}
    stale = [
        contract
        for promise, contract in promises
        if promise.status is PromiseStatus.PENDING
        and deadline(promise.promised_date) <= now
        and contract in paid_contracts
    ]
    assert stale == []


def test_the_dashboard_credits_the_payments_the_feed_brought(
    simulated: tuple[Path, list[Path], str],
) -> None:
    """The team's collected amount for the two months around the feed, counted here again:
    each payment that counts, credited to the member whose attempt on the loan came last at or
    before it within the span."""
    folder, _, _ = simulated
    db = _db(folder)
    now = datetime.now(UTC)
    end = local_today(now)
    start = end - timedelta(days=2 * DAYS)
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    counts = {code for code, disposition in dispositions().items() if disposition.attempt}
    try:
        with db.reader() as session:
            lead = session.scalars(select(User).where(User.role == Role.TEAM_LEAD)).first()
            assert lead is not None
            members = set(session.scalars(select(User.id).where(User.team_id == lead.team_id)))
            attempts = defaultdict(list)
            for attempt in session.scalars(
                select(ContactAttempt).where(
                    ContactAttempt.started_at >= lo, ContactAttempt.started_at < hi
                )
            ):
                if attempt.user_id in members and attempt.disposition in counts:
                    attempts[attempt.loan_id].append(attempt.started_at)
            credited = Decimal(0)
            from_feed = Decimal(0)
            for payment in session.scalars(
                select(Payment).where(
                    Payment.paid_at >= lo, Payment.paid_at < hi, Payment.reversed_at.is_(None)
                )
            ):
                if any(at <= payment.paid_at for at in attempts.get(payment.loan_id, ())):
                    credited += payment.amount
                    if (payment.source_id or "").startswith("PAY-"):
                        from_feed += payment.amount
        report = team_report(db, lead.username, start, end, now=now)
    finally:
        db.dispose()
    assert report.total.collected_amount == credited
    assert from_feed > 0


def test_no_number_is_there_twice_and_the_files_again_change_nothing(
    simulated: tuple[Path, list[Path], str],
) -> None:
    folder, files, _ = simulated
    db = _db(folder)

    def book() -> tuple[object, ...]:
        with db.engine.connect() as connection:
            return tuple(
                tuple(connection.exec_driver_sql(query).all())
                for query in (
                    "SELECT count(*) FROM contact_points",
                    "SELECT count(*) FROM payments",
                    "SELECT sum(principal_paid + interest_paid + fees_paid + penalty_paid)"
                    " FROM instalments",
                    "SELECT status, count(*) FROM promises GROUP BY status ORDER BY status",
                    "SELECT status, count(*) FROM loans GROUP BY status ORDER BY status",
                )
            )

    try:
        with db.reader() as session:
            points = session.execute(select(ContactPoint.borrower_id, ContactPoint.value)).all()
            sources = session.scalars(
                select(Payment.source_id).where(Payment.source_id.is_not(None))
            ).all()
        assert len(points) == len(set(points))
        assert len(sources) == len(set(sources))
        before = book()
        again = _run(folder, "central", "feed", *map(str, files))
        assert again.stdout.count("applied already; nothing changed") == DAYS
        assert book() == before
    finally:
        db.dispose()
