"""The ledger's set-based posting holds to `balances.replay`: whatever order and batches the
payments come in, the instalments end as the schedule with every counted payment replayed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.database import Database
from app.models import Borrower, Instalment, Loan, LoanStatus, Payment
from app.services.common.clock import business_zone
from app.services.plans import ledger
from app.services.portfolio.accounts import instalment_row, instalment_states, to_state
from app.services.portfolio.balances import InstalmentState, ScheduleLine, replay

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
FIRST_DUE = date(2026, 1, 10)
RATE = Decimal("0.000550")


def _loan(
    db: Database, lines: Sequence[ScheduleLine], payments: Sequence[tuple[date, Decimal]]
) -> uuid.UUID:
    """A loan with this schedule whose stored state is `payments` replayed (as the import
    leaves it), with those payments on record."""
    with db.session() as session:
        borrower = Borrower(
            name="测试",
            id_number=uuid.uuid4().hex[:18],
            date_of_birth=date(1990, 1, 1),
            province="北京市",
            city="北京市",
            district="东城区",
            street="1号",
        )
        session.add(borrower)
        session.flush()
        loan = Loan(
            contract_no=uuid.uuid4().hex[:16],
            borrower_id=borrower.id,
            product="CASH",
            principal=sum((line.principal_due for line in lines), Decimal(0)),
            annual_rate=Decimal("0.18"),
            penalty_rate_daily=RATE,
            term_months=len(lines),
            disbursed_on=FIRST_DUE - timedelta(days=31),
        )
        session.add(loan)
        session.flush()
        for paid_on, amount in payments:
            session.add(
                Payment(loan_id=loan.id, paid_at=_at(paid_on), amount=amount, channel="card")
            )
        session.add_all(instalment_row(loan.id, state) for state in replay(lines, payments, RATE))
        return loan.id


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=business_zone())


def _states(db: Database, loan_id: uuid.UUID) -> list[InstalmentState]:
    with db.reader() as session:
        return [to_state(row) for row in instalment_states(session, loan_id)]


def _post(db: Database, loan_id: uuid.UUID, paid: Sequence[tuple[date, Decimal]]) -> ledger.Posting:
    with db.session() as session:
        return ledger.post(
            session,
            payments=[
                ledger.NewPayment(loan_id, _at(day), amount, "alipay") for day, amount in paid
            ],
            now=NOW,
        )


@st.composite
def _book(draw: st.DrawFn) -> tuple[list[ScheduleLine], list[list[tuple[date, Decimal]]]]:
    """A schedule, and payments that never exceed it, in batches as they would arrive."""
    count = draw(st.integers(1, 6))
    lines = []
    for seq in range(1, count + 1):
        principal, interest, fees = (
            Decimal(draw(st.integers(0, 300_000))) / 100,
            Decimal(draw(st.integers(0, 20_000))) / 100,
            Decimal(draw(st.sampled_from([0, 0, 500, 1234]))) / 100,
        )
        lines.append(
            ScheduleLine(seq, FIRST_DUE + timedelta(days=30 * (seq - 1)), principal, interest, fees)
        )
    total = sum(
        (line.principal_due + line.interest_due + line.fees_due for line in lines), Decimal(0)
    )
    days = st.integers(-20, 30 * count + 40).map(lambda offset: FIRST_DUE + timedelta(days=offset))
    paid = draw(st.lists(st.tuples(days, st.integers(1, 200_000)), max_size=8))
    payments = []
    left = total
    for day, cents in paid:
        amount = min(Decimal(cents) / 100, left)
        if amount <= 0:
            break
        payments.append((day, amount))
        left -= amount
    cuts = sorted(draw(st.lists(st.integers(0, len(payments)), max_size=3)))
    batches, start = [], 0
    for cut in [*cuts, len(payments)]:
        batches.append(payments[start:cut])
        start = cut
    return lines, batches


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for every example: each draws a loan of its own."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.sqlite3'}")
    database.upgrade()
    yield database
    database.dispose()


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=_book())
def test_posting_in_any_batches_and_order_ends_as_replaying_everything(
    shared_db: Database, book: tuple[list[ScheduleLine], list[list[tuple[date, Decimal]]]]
) -> None:
    lines, batches = book
    history, *arrivals = batches
    loan_id = _loan(shared_db, lines, history)
    for batch in arrivals:
        posting = _post(shared_db, loan_id, batch)
        assert posting.overpaid == ()
    everything = [payment for batch in batches for payment in batch]
    expected = replay(lines, everything, RATE)
    assert _states(shared_db, loan_id) == expected
    with shared_db.reader() as session:
        status = session.get_one(Loan, loan_id).status
    posted = any(arrivals)
    settled = posted and all(state.settled_on is not None for state in expected)
    assert status is (LoanStatus.SETTLED if settled else LoanStatus.ACTIVE)


def _lines() -> list[ScheduleLine]:
    return [
        ScheduleLine(
            seq,
            FIRST_DUE + timedelta(days=31 * (seq - 1)),
            Decimal("1000.00"),
            Decimal("60.00"),
            Decimal("5.00"),
        )
        for seq in range(1, 5)
    ]


def test_a_late_payment_and_a_reversal_replay_the_loan(db: Database) -> None:
    lines = _lines()
    early = [(FIRST_DUE + timedelta(days=3), Decimal("1065.00"))]
    loan_id = _loan(db, lines, early)
    later = (FIRST_DUE + timedelta(days=70), Decimal("900.00"))
    _post(db, loan_id, [later])
    # Arrives after the later one, dated before it.
    between = (FIRST_DUE + timedelta(days=40), Decimal("1100.00"))
    posting = _post(db, loan_id, [between])
    assert posting.replayed == 1
    assert _states(db, loan_id) == replay(lines, [*early, later, between], RATE)
    with db.reader() as session:
        paid = session.scalar(
            select(Payment.id).where(
                Payment.loan_id == loan_id, Payment.amount == Decimal("1100.00")
            )
        )
    with db.session() as session:
        ledger.post(
            session,
            reversals=[ledger.Reversal(paid, loan_id, NOW, "R-1")],  # type: ignore[arg-type]
            now=NOW,
        )
    assert _states(db, loan_id) == replay(lines, [*early, later], RATE)


def test_paying_off_settles_and_a_reversal_opens_the_loan_again(db: Database) -> None:
    lines = _lines()
    loan_id = _loan(db, lines, [])
    owed = sum(
        (line.principal_due + line.interest_due + line.fees_due for line in lines), Decimal(0)
    )
    posting = _post(db, loan_id, [(FIRST_DUE - timedelta(days=1), owed)])
    assert posting.settled == (loan_id,)
    with db.reader() as session:
        payment = session.scalars(select(Payment).where(Payment.loan_id == loan_id)).one()
    with db.session() as session:
        reversed_ = ledger.post(
            session, reversals=[ledger.Reversal(payment.id, loan_id, NOW, "R-9")], now=NOW
        )
    assert reversed_.reopened == (loan_id,)
    assert _states(db, loan_id) == replay(lines, [], RATE)


def test_more_than_the_schedule_owes_is_returned_as_overpaid(db: Database) -> None:
    lines = _lines()
    loan_id = _loan(db, lines, [])
    owed = sum(
        (line.principal_due + line.interest_due + line.fees_due for line in lines), Decimal(0)
    )
    with db.session() as session:
        posting = ledger.post(
            session,
            payments=[ledger.NewPayment(loan_id, _at(FIRST_DUE), owed + 7, "card", key=17)],
            now=NOW,
        )
    assert posting.overpaid == (ledger.Overpaid(loan_id, Decimal("7.00"), 17),)


def test_postgres_posts_exactly_as_sqlite(pg_db: Database, db: Database) -> None:
    """The same payments, in the same batches, on both databases and by replay."""
    lines = _lines()
    history = [(FIRST_DUE + timedelta(days=2), Decimal("700.00"))]
    arrivals = [
        [
            (FIRST_DUE + timedelta(days=50), Decimal("1200.55")),
            (FIRST_DUE + timedelta(days=50), Decimal("3.10")),
        ],
        [
            (FIRST_DUE + timedelta(days=20), Decimal("410.00")),
            (FIRST_DUE + timedelta(days=95), Decimal("1500.00")),
        ],
        [(FIRST_DUE + timedelta(days=130), Decimal("66.66"))],
    ]
    everything = [*history, *(payment for batch in arrivals for payment in batch)]
    for database in (db, pg_db):
        loan_id = _loan(database, lines, history)
        for batch in arrivals:
            _post(database, loan_id, batch)
        assert _states(database, loan_id) == replay(lines, everything, RATE)
        with database.reader() as session:
            rows = session.scalars(select(Instalment).where(Instalment.loan_id == loan_id)).all()
        assert all(
            row.accrued_to is None or row.accrued_to <= FIRST_DUE + timedelta(days=130)
            for row in rows
        )
