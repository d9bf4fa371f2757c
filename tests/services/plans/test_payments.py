"""Payments: allocation over the schedule, promises kept, overpayment refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import Instalment, Loan, LoanStatus, Payment, PromiseStatus, PromiseToPay
from app.services.common.errors import InvalidAmount, InvalidDate, InvalidInput
from app.services.plans.payments import record_payment
from app.services.portfolio.accounts import account_detail
from tests.helpers.portfolio import ADMIN, Portfolio

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
    result = record_payment(db, ADMIN, account.contract_no, "600", NOW, channel="alipay", now=NOW)
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
    result = record_payment(db, ADMIN, account.contract_no, owed, NOW, now=NOW)
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

    def state() -> tuple[object, ...]:
        with db.reader() as session:
            return (
                session.scalar(select(func.count()).select_from(Payment)),
                session.scalar(select(func.sum(Instalment.principal_paid))),
                session.scalar(select(func.sum(Instalment.penalty_accrued))),
            )

    before = state()
    with pytest.raises(error):
        record_payment(db, ADMIN, account.contract_no, amount, paid_at, now=NOW)
    assert state() == before


def test_a_payment_recorded_late_is_allocated_as_if_on_time(
    db: Database, portfolio: Portfolio
) -> None:
    on_time = portfolio.account(today=TODAY, dpd=60)
    late = portfolio.account(today=TODAY, dpd=60)
    first, second = NOW - timedelta(days=30), NOW - timedelta(days=10)
    record_payment(db, ADMIN, on_time.contract_no, "1200", first, now=NOW)
    record_payment(db, ADMIN, on_time.contract_no, "50", second, now=NOW)
    record_payment(db, ADMIN, late.contract_no, "50", second, now=NOW)
    record_payment(db, ADMIN, late.contract_no, "1200", first, now=NOW)
    expected = account_detail(db, "zhang.wei", on_time.contract_no, NOW).balance
    got = account_detail(db, "zhang.wei", late.contract_no, NOW).balance
    assert (got.principal, got.interest, got.penalty, got.fees) == (
        expected.principal,
        expected.interest,
        expected.penalty,
        expected.fees,
    )


def test_one_payment_keeps_only_one_of_two_equal_promises(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    first = portfolio.promise(account, "500", TODAY + timedelta(days=1), NOW - timedelta(days=2))
    second = portfolio.promise(account, "500", TODAY + timedelta(days=2), NOW - timedelta(days=1))
    result = record_payment(db, ADMIN, account.contract_no, "500", NOW, now=NOW)
    assert result.promises_kept == (first,)
    with db.reader() as session:
        assert session.get_one(PromiseToPay, second).status is PromiseStatus.PENDING


def test_a_payment_after_the_deadline_does_not_keep_a_lapsed_promise(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    lapsed = portfolio.promise(account, "300", TODAY - timedelta(days=6), NOW - timedelta(days=8))
    result = record_payment(db, ADMIN, account.contract_no, "300", NOW, now=NOW)
    assert result.promises_kept == ()
    with db.reader() as session:
        assert session.get_one(PromiseToPay, lapsed).status is PromiseStatus.BROKEN


def test_payments_are_the_lending_systems_no_staff_member_records_one(
    db: Database, portfolio: Portfolio
) -> None:
    from app.services.common.errors import NotAllowed

    mine = portfolio.account(today=TODAY, dpd=40)
    other = portfolio.user("li.na")
    theirs = portfolio.account(today=TODAY, dpd=40, assigned_to=other)
    with db.reader() as session:
        before = session.scalar(select(func.count()).select_from(Payment))
    for user, account in (("zhang.wei", mine), ("lead.wang", mine), ("zhang.wei", theirs)):
        with pytest.raises(NotAllowed):
            record_payment(db, user, account.contract_no, "100", NOW, now=NOW)
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == before


def test_two_payments_at_once_are_both_allocated(db: Database, portfolio: Portfolio) -> None:
    from concurrent.futures import ThreadPoolExecutor

    account = portfolio.account(today=TODAY, dpd=60)
    before = account_detail(db, "zhang.wei", account.contract_no, NOW).balance.overdue
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(
                lambda _: record_payment(db, ADMIN, account.contract_no, "300", NOW, now=NOW),
                range(2),
            )
        )
    assert len(results) == 2
    after = account_detail(db, "zhang.wei", account.contract_no, NOW).balance.overdue
    assert before - after == Decimal("600.00")


def test_a_payment_dated_ahead_names_its_time_in_the_business_zone(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    ahead = NOW + timedelta(days=1)  # 11:00 in Beijing the next day
    with pytest.raises(InvalidDate) as caught:
        record_payment(db, ADMIN, account.contract_no, "100", ahead, now=NOW)
    assert caught.value.params == {"paid_at": ahead}
    assert caught.value.message == "A payment cannot be dated in the future (2026-11-29 11:00)."
