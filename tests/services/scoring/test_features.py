"""Features are what was known at the instant: facts dated after it change nothing (a leakage
test), while the same facts show at a later instant (so the test is not vacuous)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.models import Callback, ContactAttempt, Loan, Payment, PromiseToPay
from app.models.activity import Channel, PromiseStatus
from app.services.common.clock import day_start
from app.services.scoring.features import features_at, outcome_after
from tests.services.scoring.conftest import UNTIL, demo


def test_facts_dated_after_the_instant_leave_its_features_unchanged(tmp_path: Path) -> None:
    db = demo(tmp_path / "demo.sqlite3")
    at = day_start(UNTIL)
    before = features_at(db, at)
    assert len(before) > 300
    later = at + timedelta(hours=2)
    touched: list[str] = []
    with db.session() as session:
        for account in before[:40]:
            loan = session.get(Loan, uuid.UUID(account.loan_id))
            assert loan is not None and loan.assigned_to_id is not None
            touched.append(account.loan_id)
            # A payment of half of what is overdue, a conversation and a promise, after `at`.
            session.add(
                Payment(
                    loan_id=loan.id,
                    paid_at=later,
                    amount=(account.arrears / 2).quantize(Decimal("0.01")),
                    channel="alipay",
                    created_at=later,
                )
            )
            session.add(
                ContactAttempt(
                    loan_id=loan.id,
                    borrower_id=loan.borrower_id,
                    user_id=loan.assigned_to_id,
                    channel=Channel.CALL,
                    started_at=later,
                    disposition="PTP",
                    right_party=True,
                    created_at=later,
                )
            )
            session.add(
                PromiseToPay(
                    loan_id=loan.id,
                    amount=Decimal("100.00"),
                    promised_date=UNTIL + timedelta(days=2),
                    created_at=later,
                )
            )
            session.add(
                Callback(
                    loan_id=loan.id,
                    user_id=loan.assigned_to_id,
                    due_at=at + timedelta(minutes=10),
                    created_at=later,
                )
            )
        # Promises pending at `at`, judged after it; payments made before it, reversed after.
        for promise in session.scalars(
            select(PromiseToPay).where(
                PromiseToPay.created_at <= at, PromiseToPay.status == PromiseStatus.PENDING
            )
        ):
            promise.status, promise.resolved_at = PromiseStatus.KEPT, later
        for payment in session.scalars(select(Payment).where(Payment.paid_at <= at).limit(200)):
            payment.reversed_at = later + timedelta(hours=1)
    assert features_at(db, at) == before
    # The same facts are there just after them: the test would see a leak.
    after = {a.loan_id: a for a in features_at(db, later + timedelta(minutes=1))}
    then = {a.loan_id: a for a in before}
    for loan in touched:
        assert after[loan].arrears == then[loan].arrears - (then[loan].arrears / 2).quantize(
            Decimal("0.01")
        )
        assert after[loan].attempts_recent == then[loan].attempts_recent + 1
        assert after[loan].days_since_reached == 0
        assert after[loan].days_since_payment == 0
        assert after[loan].promise_pending
    db.dispose()


def test_the_outcome_looks_only_at_the_seven_days_after_the_instant(tmp_path: Path) -> None:
    db = demo(tmp_path / "demo.sqlite3")
    at = day_start(UNTIL)
    rows = features_at(db, at)
    outcomes = outcome_after(db, at, rows)
    unpaid = [row for row, paid in zip(rows, outcomes, strict=True) if not paid][:5]
    with db.session() as session:
        for row in unpaid:
            # Everything overdue, paid a minute after the seven days: still not paid in them.
            session.add(
                Payment(
                    loan_id=uuid.UUID(row.loan_id),
                    paid_at=at + timedelta(days=7, minutes=1),
                    amount=row.arrears,
                    channel="alipay",
                    created_at=at + timedelta(days=7, minutes=1),
                )
            )
    assert outcome_after(db, at, rows) == outcomes
    with db.session() as session:
        for row in unpaid:
            session.add(
                Payment(
                    loan_id=uuid.UUID(row.loan_id),
                    paid_at=at + timedelta(days=6),
                    amount=row.arrears,
                    channel="alipay",
                    created_at=at + timedelta(days=6),
                )
            )
    changed = dict(zip((r.loan_id for r in rows), outcome_after(db, at, rows), strict=True))
    assert all(changed[row.loan_id] for row in unpaid)
    db.dispose()
