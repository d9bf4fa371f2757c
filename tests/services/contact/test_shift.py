"""The shift summary: what the collector logged since the start of the lender's business day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.database import Database
from app.models import Loan
from app.services.common.errors import NotFound
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.contact.shift import shift_summary
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import BEIJING, Account, Portfolio

TODAY = date(2026, 11, 28)
# NOW is 11:00 Beijing on 28 November: the business day began at 00:00 Beijing.
DAY_START = datetime(2026, 11, 28, 0, 0, tzinfo=BEIJING)


def accounts(portfolio: Portfolio, count: int) -> list[Account]:
    # One borrower per outcome, so no borrower reaches the daily cap of answered calls.
    return [
        portfolio.account(
            today=TODAY, dpd=20, name=f"借款人{n}", numbers={"mobile": f"1381234{n:04d}"}
        )
        for n in range(count)
    ]


def test_an_empty_shift_starts_at_midnight_beijing(db: Database, portfolio: Portfolio) -> None:
    summary = shift_summary(db, "zhang.wei", NOW)
    assert summary.since == DAY_START == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert (summary.attempts, summary.contacts, summary.right_party, summary.promises) == (
        0,
        0,
        0,
        0,
    )
    assert summary.promised == {}


def test_contacts_and_right_party_contacts_are_told_apart(
    db: Database, portfolio: Portfolio
) -> None:
    codes = ("NA", "BUSY", "WN", "TPC", "HU", "RTP")
    for account, code in zip(accounts(portfolio, len(codes)), codes, strict=True):
        record_contact(db, outcome(account, code), now=NOW)
    summary = shift_summary(db, "zhang.wei", NOW)
    # All six were dialled, four answered (WN, TPC, HU, RTP), two by the borrower (HU, RTP).
    assert (summary.attempts, summary.contacts, summary.right_party) == (6, 4, 2)


def test_only_attempts_of_todays_business_day_count(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    yesterday_late = datetime(2026, 11, 27, 23, 50, tzinfo=BEIJING)
    today_early = datetime(2026, 11, 28, 0, 10, tzinfo=BEIJING)
    # Both in quiet hours, so put straight in the table as a team lead's correction would be.
    portfolio.attempt(account, yesterday_late, "NA")
    portfolio.attempt(account, today_early, "RTP")
    portfolio.attempt(account, DAY_START - timedelta(microseconds=1), "PTP")
    summary = shift_summary(db, "zhang.wei", NOW)
    assert (summary.attempts, summary.contacts, summary.right_party) == (1, 1, 1)
    # Asked at the last instant of the day before, both late attempts were that day's shift.
    before = shift_summary(db, "zhang.wei", DAY_START - timedelta(microseconds=1))
    assert before.since == datetime(2026, 11, 27, 0, 0, tzinfo=BEIJING)
    assert (before.attempts, before.contacts, before.right_party) == (2, 1, 1)


def test_attempts_after_the_moment_asked_about_do_not_count(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    record_contact(db, outcome(account, "NA", started_at=NOW - timedelta(hours=1)), now=NOW)
    record_contact(db, outcome(account, "BUSY"), now=NOW)
    assert shift_summary(db, "zhang.wei", NOW - timedelta(minutes=30)).attempts == 1
    assert shift_summary(db, "zhang.wei", NOW).attempts == 2


def test_only_the_users_own_attempts_count(db: Database, portfolio: Portfolio) -> None:
    other = portfolio.user("li.na")
    mine = portfolio.account(today=TODAY, dpd=20)
    theirs = portfolio.account(
        today=TODAY, dpd=20, assigned_to=other, numbers={"mobile": "13900001111"}
    )
    record_contact(db, outcome(mine, "NA"), now=NOW)
    record_contact(
        db,
        outcome(
            theirs, "PTP", username="li.na", promise=PromiseInput("300.00", TODAY + timedelta(1))
        ),
        now=NOW,
    )
    # Even on the collector's own account, a colleague's call is the colleague's.
    portfolio.attempt(mine, NOW - timedelta(minutes=10), "RTP", user=other)
    summary = shift_summary(db, "zhang.wei", NOW)
    assert (summary.attempts, summary.contacts, summary.promises) == (1, 0, 0)
    assert summary.promised == {}
    colleague = shift_summary(db, "li.na", NOW)
    assert (colleague.attempts, colleague.right_party, colleague.promises) == (2, 2, 1)
    assert colleague.promised == {"CNY": Decimal("300.00")}


def test_promised_amounts_add_up_to_the_cent_per_currency(
    db: Database, portfolio: Portfolio
) -> None:
    first, second, third, abroad = accounts(portfolio, 4)
    with db.session() as session:
        session.execute(update(Loan).where(Loan.id == abroad.loan_id).values(currency="USD"))
    promises = ((first, "0.10"), (second, "0.20"), (third, "1234.57"), (abroad, "99.99"))
    for account, amount in promises:
        promise = PromiseInput(amount, TODAY + timedelta(days=3))
        record_contact(db, outcome(account, "PTP", promise=promise), now=NOW)
    record_contact(db, outcome(first, "NA", started_at=NOW - timedelta(minutes=1)), now=NOW)
    summary = shift_summary(db, "zhang.wei", NOW)
    assert (summary.attempts, summary.right_party, summary.promises) == (5, 4, 4)
    assert summary.promised == {"CNY": Decimal("1234.87"), "USD": Decimal("99.99")}
    assert all(amount.as_tuple().exponent == -2 for amount in summary.promised.values())


def test_a_promise_made_on_yesterdays_shift_is_not_todays(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    yesterday = datetime(2026, 11, 27, 18, 0, tzinfo=BEIJING)
    promise = PromiseInput("500.00", TODAY + timedelta(days=2))
    record_contact(
        db, outcome(account, "PTP", started_at=yesterday, promise=promise), now=yesterday
    )
    summary = shift_summary(db, "zhang.wei", NOW)
    assert (summary.attempts, summary.promises, summary.promised) == (0, 0, {})


def test_an_unknown_user_is_told_so(db: Database) -> None:
    with pytest.raises(NotFound, match="nobody"):
        shift_summary(db, "nobody", NOW)
