"""Repayment-plan offers: exact money, due dates, policy breaches and bad input."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.common.errors import (
    DomainError,
    InvalidAmount,
    InvalidDate,
    InvalidInput,
    Problems,
)
from app.services.common.money import cents
from app.services.plans.offers import (
    FREQUENCIES,
    PlanOffer,
    PlanTerms,
    offer,
    plan_policy,
    schedule,
)
from app.services.portfolio.balances import Balance

TODAY = date(2026, 1, 20)


def balance(
    principal: str = "3000.00",
    interest: str = "300.00",
    penalty: str = "200.00",
    fees: str = "30.00",
    not_due: str = "6000.00",
) -> Balance:
    parts = [Decimal(value) for value in (principal, interest, penalty, fees)]
    return Balance(
        as_of=TODAY,
        dpd=40,
        bucket="M2",
        principal=parts[0],
        interest=parts[1],
        penalty=parts[2],
        fees=parts[3],
        owed=sum(parts, Decimal(not_due)),
        oldest_unpaid_due=TODAY - timedelta(days=40),
        next_due=TODAY + timedelta(days=10),
    )


OVERDUE = Decimal("3530.00")


def instalments(count: int = 6, **changes: object) -> PlanTerms:
    terms = PlanTerms("instalments", TODAY + timedelta(days=7), "monthly", count)
    return replace(terms, **changes)


def rules(plan: PlanOffer) -> list[str]:
    return [breach.rule for breach in plan.breaches]


amounts = st.integers(min_value=1, max_value=50_000_000).map(lambda c: Decimal(c) / 100)
cents_up_to = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@given(
    principal=amounts,
    penalty=cents_up_to,
    count=st.integers(min_value=1, max_value=60),
    frequency=st.sampled_from(FREQUENCIES),
    down_percent=st.integers(min_value=0, max_value=90),
    waiver_percent=st.integers(min_value=0, max_value=100),
    start=st.integers(min_value=0, max_value=90),
)
def test_instalments_sum_exactly_and_the_last_one_takes_the_remainder(
    principal: Decimal,
    penalty: Decimal,
    count: int,
    frequency: str,
    down_percent: int,
    waiver_percent: int,
    start: int,
) -> None:
    account = balance(str(principal), "0", str(penalty), "0")
    waiver = (penalty * waiver_percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    total = account.overdue - waiver
    down = (total * down_percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    first = TODAY + timedelta(days=start)
    terms = PlanTerms("instalments", first, frequency, count, down_payment=down, waiver=waiver)
    if total - down < Decimal("0.01") * count:
        with pytest.raises(InvalidInput):
            offer(account, terms, TODAY)
        return
    plan = offer(account, terms, TODAY)
    assert plan.total == total and plan.down_payment == down
    assert len(plan.lines) == count
    assert sum(line.amount for line in plan.lines) == plan.total - plan.down_payment
    remainder = plan.lines[-1].amount - plan.lines[0].amount
    assert Decimal(0) <= remainder < Decimal("0.01") * count
    assert all(line.amount == plan.lines[0].amount for line in plan.lines[:-1])
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in plan.lines)
    assert max(line.amount for line in plan.lines) - min(line.amount for line in plan.lines) <= (
        remainder
    )
    assert [line.seq for line in plan.lines] == list(range(1, count + 1))
    dates = [line.due_date for line in plan.lines]
    assert dates[0] == first
    assert all(earlier < later for earlier, later in pairwise(dates))


@given(
    year=st.integers(min_value=2024, max_value=2040),
    month=st.integers(min_value=1, max_value=12),
    day=st.integers(min_value=1, max_value=31),
    count=st.integers(min_value=2, max_value=36),
)
def test_monthly_dates_keep_the_day_or_take_the_month_end(
    year: int, month: int, day: int, count: int
) -> None:
    first = date(year, month, min(day, calendar.monthrange(year, month)[1]))
    dates = schedule(first, "monthly", count)
    for index, due in enumerate(dates):
        month_index = first.month - 1 + index
        assert (due.year, due.month) == (first.year + month_index // 12, month_index % 12 + 1)
        assert due.day == min(first.day, calendar.monthrange(due.year, due.month)[1])
    assert all(earlier < later for earlier, later in pairwise(dates))


@pytest.mark.parametrize(
    ("year", "february_end"), [(2026, date(2026, 2, 28)), (2028, date(2028, 2, 29))]
)
def test_monthly_from_31_january_gives_the_end_of_february_then_31_march(
    year: int, february_end: date
) -> None:
    today = date(year, 1, 20)
    terms = PlanTerms("instalments", date(year, 1, 31), "monthly", 3)
    plan = offer(balance(), terms, today)
    assert [line.due_date for line in plan.lines] == [
        date(year, 1, 31),
        february_end,
        date(year, 3, 31),
    ]


def test_weekly_and_biweekly_steps() -> None:
    first = date(2026, 2, 2)
    assert schedule(first, "weekly", 3) == (first, date(2026, 2, 9), date(2026, 2, 16))
    assert schedule(first, "biweekly", 3) == (first, date(2026, 2, 16), date(2026, 3, 2))


def test_a_plan_covers_the_overdue_amount_not_everything_owed() -> None:
    account = balance()
    plan = offer(account, instalments(5), TODAY)
    assert plan.overdue == plan.total == OVERDUE < account.owed
    assert [line.amount for line in plan.lines] == [Decimal("706.00")] * 5
    assert not plan.needs_approval and plan.breaches == ()


def test_a_remainder_of_cents_goes_to_the_last_instalment() -> None:
    plan = offer(balance(), instalments(3, down_payment=Decimal("500.00")), TODAY)
    assert [line.amount for line in plan.lines] == [
        Decimal("1010.00"),
        Decimal("1010.00"),
        Decimal("1010.00"),
    ]
    plan = offer(balance(fees="30.02"), instalments(3), TODAY)
    assert [line.amount for line in plan.lines] == [
        Decimal("1176.67"),
        Decimal("1176.67"),
        Decimal("1176.68"),
    ]


def test_pay_in_full_with_a_waiver_is_one_payment_on_the_due_date() -> None:
    due = TODAY + timedelta(days=3)
    plan = offer(balance(), PlanTerms("full", due, waiver=Decimal("100.00")), TODAY)
    assert plan.total == OVERDUE - Decimal("100.00")
    assert [(line.seq, line.due_date, line.amount) for line in plan.lines] == [(1, due, plan.total)]
    assert plan.down_payment == 0 and not plan.needs_approval


def test_a_settlement_within_policy_takes_the_discount_off() -> None:
    # 3530 overdue, 3000 of it principal: 430 off still collects all the principal.
    terms = PlanTerms("settlement", TODAY, discount=Decimal("330.00"), waiver=Decimal("100.00"))
    plan = offer(balance(), terms, TODAY)
    assert plan.total == plan.lines[0].amount == Decimal("3100.00")
    assert plan.discount == Decimal("330.00") and not plan.needs_approval


# --- policy breaches: the offer comes back, marked for approval -----------------------------


def test_too_many_instalments_need_approval() -> None:
    limit = plan_policy().max_instalments
    plan = offer(balance(principal="90000.00"), instalments(limit + 1), TODAY)
    assert rules(plan) == ["max_instalments"] and plan.needs_approval
    breach = plan.breaches[0]
    assert (breach.limit, breach.actual) == (limit, limit + 1)
    assert (
        str(breach)
        == f"{limit + 1} instalments are more than the {limit} allowed without approval."
    )
    assert str(breach.message) == str(breach)
    assert len(plan.lines) == limit + 1
    assert offer(balance(principal="90000.00"), instalments(limit), TODAY).breaches == ()


def test_an_instalment_below_the_minimum_needs_approval() -> None:
    plan = offer(balance(), instalments(24), TODAY)  # 3530 / 24 = 147.08
    assert plan.breaches == ()
    plan = offer(balance(principal="1000.00"), instalments(24), TODAY)  # 1530 / 24 = 63.75
    assert rules(plan) == ["min_instalment"]
    assert plan.breaches[0].actual == Decimal("63.75")
    assert plan.breaches[0].limit == plan_policy().min_instalment
    assert "¥63.75" in str(plan.breaches[0])


def test_a_first_payment_too_far_away_needs_approval() -> None:
    days = plan_policy().max_days_to_first_payment
    within = offer(balance(), instalments(first_due=TODAY + timedelta(days=days)), TODAY)
    assert within.breaches == ()
    late = offer(balance(), instalments(first_due=TODAY + timedelta(days=days + 1)), TODAY)
    assert rules(late) == ["max_days_to_first_payment"]
    assert (late.breaches[0].limit, late.breaches[0].actual) == (days, days + 1)


def test_a_waiver_above_the_share_of_the_penalty_needs_approval() -> None:
    most = Decimal("200.00") * plan_policy().max_waiver_share_of_penalty
    assert offer(balance(), PlanTerms("full", TODAY, waiver=most), TODAY).breaches == ()
    over = most + Decimal("0.01")
    plan = offer(balance(), PlanTerms("full", TODAY, waiver=over), TODAY)
    assert rules(plan) == ["max_waiver_share_of_penalty"]
    assert (plan.breaches[0].limit, plan.breaches[0].actual) == (most, over)


def test_a_settlement_discount_above_the_share_needs_approval() -> None:
    account = balance(principal="1000.00", interest="2000.00")  # 3230 overdue
    most = cents(account.overdue * plan_policy().max_discount_share_of_overdue)
    terms = PlanTerms("settlement", TODAY, discount=most)
    assert offer(account, terms, TODAY).breaches == ()
    over = most + Decimal("0.01")
    plan = offer(account, replace(terms, discount=over), TODAY)
    assert rules(plan) == ["max_discount_share_of_overdue"]
    assert (plan.breaches[0].limit, plan.breaches[0].actual) == (most, over)


def test_a_settlement_that_forgives_principal_needs_approval() -> None:
    # 3530 overdue, 3000 of it principal: a 600 discount is within 20 % but leaves 2930.
    plan = offer(balance(), PlanTerms("settlement", TODAY, discount=Decimal("600.00")), TODAY)
    assert rules(plan) == ["min_settlement_share_of_principal"]
    assert plan.breaches[0].actual == Decimal("2930.00")
    assert plan.breaches[0].limit == Decimal("3000.00")


def test_a_frequency_the_policy_does_not_allow_needs_approval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = replace(plan_policy(), frequencies=("monthly",))
    monkeypatch.setattr("app.services.plans.offers.plan_policy", lambda: limits)
    plan = offer(balance(), instalments(4, frequency="weekly"), TODAY)
    assert rules(plan) == ["frequencies"]
    assert plan.breaches[0].actual == "weekly"
    assert offer(balance(), instalments(4), TODAY).breaches == ()


def test_several_breaches_are_all_listed() -> None:
    terms = instalments(36, first_due=TODAY + timedelta(days=60), waiver=Decimal("200.00"))
    plan = offer(balance(), terms, TODAY)
    assert sorted(rules(plan)) == [
        "max_days_to_first_payment",
        "max_instalments",
        "max_waiver_share_of_penalty",
        "min_instalment",
    ]


def test_the_policy_file_matches_what_the_code_can_do() -> None:
    limits = plan_policy()
    assert set(limits.frequencies) <= set(FREQUENCIES)
    assert limits.max_instalments >= 1 and limits.min_instalment > 0
    for share in (
        limits.max_waiver_share_of_penalty,
        limits.max_discount_share_of_overdue,
        limits.min_settlement_share_of_principal,
    ):
        assert 0 <= share <= 1


# --- bad input: a typed error with a literal template ---------------------------------------


@pytest.mark.parametrize(
    ("terms", "error", "template"),
    [
        (
            instalments(0),
            InvalidInput,
            "A plan needs at least one instalment (got {count}).",
        ),
        (
            instalments(down_payment=Decimal("-1.00")),
            InvalidAmount,
            "The down payment must be zero or more, in whole cents (got {amount}).",
        ),
        (
            instalments(down_payment=Decimal("1.001")),
            InvalidAmount,
            "The down payment must be zero or more, in whole cents (got {amount}).",
        ),
        (
            instalments(down_payment=OVERDUE),
            InvalidAmount,
            "A down payment of {down} covers the whole {total}: offer a payment in full.",
        ),
        (
            instalments(waiver=Decimal("200.01")),
            InvalidAmount,
            "The waiver of {waiver} is more than the {penalty} penalty interest overdue.",
        ),
        (
            instalments(waiver=Decimal("-5.00")),
            InvalidAmount,
            "The waiver must be zero or more, in whole cents (got {amount}).",
        ),
        (
            PlanTerms("settlement", TODAY, discount=Decimal("-1.00")),
            InvalidAmount,
            "The discount must be zero or more, in whole cents (got {amount}).",
        ),
        (
            PlanTerms("settlement", TODAY, discount=OVERDUE),
            InvalidAmount,
            "A waiver of {waiver} and a discount of {discount} leave nothing of the {overdue} "
            "overdue to pay.",
        ),
        (
            instalments(first_due=TODAY - timedelta(days=1)),
            InvalidDate,
            "The first due date {date} is in the past.",
        ),
        (
            instalments(frequency="daily"),
            InvalidInput,
            "Unknown instalment frequency “{frequency}” (one of {known}).",
        ),
        (
            PlanTerms("haggle", TODAY),
            InvalidInput,
            "Unknown plan kind “{kind}” (one of {known}).",
        ),
        (
            PlanTerms("full", TODAY, instalments=3),
            InvalidInput,
            "A payment in full or a settlement is one payment, not {count} instalments.",
        ),
        (
            PlanTerms("full", TODAY, down_payment=Decimal("10.00")),
            InvalidInput,
            "Only an instalment plan has a down payment.",
        ),
        (
            instalments(discount=Decimal("10.00")),
            InvalidInput,
            "Only a settlement has a discount; use a penalty waiver instead.",
        ),
    ],
)
def test_bad_terms_raise_a_typed_error(
    terms: PlanTerms, error: type[DomainError], template: str
) -> None:
    with pytest.raises(error) as caught:
        offer(balance(), terms, TODAY)
    assert caught.value.template == template


def test_every_bad_term_is_refused_at_once_at_its_term() -> None:
    terms = PlanTerms(
        "full",
        TODAY - timedelta(days=2),
        instalments=3,
        down_payment=Decimal("10.00"),
        waiver=Decimal("-1"),
        discount=Decimal("5.00"),
    )
    with pytest.raises(Problems) as caught:
        offer(balance(), terms, TODAY)
    assert [(problem.field, problem.template) for problem in caught.value.problems] == [
        (
            "instalments",
            "A payment in full or a settlement is one payment, not {count} instalments.",
        ),
        ("waiver", "The waiver must be zero or more, in whole cents (got {amount})."),
        ("down_payment", "Only an instalment plan has a down payment."),
        ("discount", "Only a settlement has a discount; use a penalty waiver instead."),
        ("first_due", "The first due date {date} is in the past."),
    ]


def test_nothing_overdue_cannot_become_a_plan() -> None:
    with pytest.raises(InvalidInput) as caught:
        offer(balance("0", "0", "0", "0"), instalments(), TODAY)
    assert caught.value.template == "Nothing is overdue: there is no balance to make a plan for."


def test_more_instalments_than_cents_cannot_be_split() -> None:
    with pytest.raises(InvalidInput) as caught:
        offer(balance("0.05", "0", "0", "0"), instalments(6), TODAY)
    assert caught.value.params == {"rest": "¥0.05", "count": 6}
    assert len(offer(balance("0.06", "0", "0", "0"), instalments(6), TODAY).lines) == 6


def test_a_first_due_date_today_is_allowed() -> None:
    plan = offer(balance(), instalments(first_due=TODAY), TODAY)
    assert plan.lines[0].due_date == TODAY
