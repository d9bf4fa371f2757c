"""Payments: allocation over the schedule, promises kept, overpayment refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import Instalment, Loan, LoanStatus, Payment, PromiseStatus, PromiseToPay
from app.services.accounts import account_detail
from app.services.errors import InvalidAmount, InvalidDate, InvalidInput
from app.services.payments import record_payment
from tests.helpers.portfolio import Portfolio

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 28)


def test_payment_covers_the_oldest_instalment_first_and_keeps_a_promise(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    promise_id = portfolio.promise(
        account, "500", TODAY + timedelta(days=2), NOW - timedelta(days=1)
    )
    before = account_detail(db, "zhang.wei", account.contract_no, NOW).balance
    result = record_payment(db, account.contract_no, "600", NOW, channel="alipay", now=NOW)
    assert sum(result.by_part.values()) == Decimal("600.00")
    assert result.by_part["penalty"] > 0
    assert result.promises_kept == (promise_id,)
    after = account_detail(db, "zhang.wei", account.contract_no, NOW).balance
    assert before.overdue - after.overdue == Decimal("600.00")
    with db.reader() as session:
        assert session.get_one(PromiseToPay, promise_id).status is PromiseStatus.KEPT


def test_paying_everything_settles_the_account(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=10, principal="1200", term=4)
    owed = account_detail(db, "zhang.wei", account.contract_no, NOW).balance.owed
    result = record_payment(db, account.contract_no, owed, NOW, now=NOW)
    assert result.loan_settled
    with db.reader() as session:
        assert session.get_one(Loan, account.loan_id).status is LoanStatus.SETTLED
        open_rows = session.scalar(
            select(func.count()).select_from(Instalment).where(Instalment.settled_on.is_(None))
        )
    assert open_rows == 0


@pytest.mark.parametrize(
    ("amount", "paid_at", "error"),
    [
        ("0", NOW, InvalidAmount),
        ("-10", NOW, InvalidAmount),
        ("10.005", NOW, InvalidAmount),
        ("100", NOW + timedelta(days=1), InvalidDate),
        ("99999999", NOW, InvalidInput),
    ],
)
def test_bad_payment_is_refused_and_nothing_changes(
    db: Database, portfolio: Portfolio, amount: str, paid_at: datetime, error: type[Exception]
) -> None:
    account = portfolio.account(today=TODAY, dpd=10)
    with pytest.raises(error):
        record_payment(db, account.contract_no, amount, paid_at, now=NOW)
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
        paid = session.scalar(select(func.sum(Instalment.principal_paid)))
    assert paid == Decimal("0") or paid is not None
