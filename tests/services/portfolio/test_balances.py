"""Money arithmetic of schedules and payment allocation (hypothesis properties + examples)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.common.reference import bucket_for
from app.services.portfolio.balances import (
    InstalmentState,
    apply_payment,
    balance_of,
    equal_instalments,
    replay,
)

RATE = Decimal("0.0005")
START = date(2026, 1, 10)

principals = st.integers(min_value=100_00, max_value=500_000_00).map(lambda c: Decimal(c) / 100)
annual_rates = st.sampled_from([Decimal("0"), Decimal("0.096"), Decimal("0.18"), Decimal("0.24")])
terms = st.sampled_from([3, 6, 12, 24, 36])
fees = st.sampled_from([Decimal("0"), Decimal("15"), Decimal("9.99")])


@given(principals, annual_rates, terms, fees)
def test_schedule_principal_sums_exactly_and_every_part_has_two_places(
    principal: Decimal, rate: Decimal, term: int, fee: Decimal
) -> None:
    lines = equal_instalments(principal, rate, term, START, fee)
    assert len(lines) == term
    assert sum(line.principal_due for line in lines) == principal
    for line in lines:
        for part in (line.principal_due, line.interest_due, line.fees_due):
            assert part == part.quantize(Decimal("0.01")) and part >= 0
    assert [line.due_date.day for line in lines] == [10] * term


payments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400),
        st.integers(min_value=1, max_value=300_000).map(lambda c: Decimal(c) / 100),
    ),
    max_size=8,
)


@settings(max_examples=150)
@given(principals, annual_rates, terms, payments)
def test_allocation_conserves_money(
    principal: Decimal, rate: Decimal, term: int, paid: list[tuple[int, Decimal]]
) -> None:
    lines = equal_instalments(principal, rate, term, START, Decimal("15"))
    states = [InstalmentState.from_line(line) for line in lines]
    applied = Decimal(0)
    for offset, amount in sorted(paid):
        allocation = apply_payment(states, amount, START + timedelta(days=offset), RATE)
        assert sum(allocation.by_part.values()) + allocation.unapplied == amount
        assert allocation.unapplied >= 0
        applied += amount - allocation.unapplied
    covered = sum(s.principal_paid + s.interest_paid + s.fees_paid + s.penalty_paid for s in states)
    assert covered == applied
    for state in states:
        for part in ("principal", "interest", "fees", "penalty"):
            assert state.unpaid(part) >= 0
        if state.settled_on is not None:
            assert state.unpaid_principal == 0


@settings(max_examples=100)
@given(principals, terms, payments, st.integers(min_value=0, max_value=900))
def test_balance_is_consistent_with_the_schedule(
    principal: Decimal, term: int, paid: list[tuple[int, Decimal]], days_later: int
) -> None:
    lines = equal_instalments(principal, Decimal("0.18"), term, START)
    states = replay(lines, [(START + timedelta(days=o), a) for o, a in paid], RATE)
    last_payment = max((START + timedelta(days=o) for o, _ in paid), default=START)
    as_of = last_payment + timedelta(days=days_later)
    balance = balance_of(states, as_of, RATE)
    assert balance.owed >= balance.overdue >= 0
    assert balance.bucket == bucket_for(balance.dpd)
    if balance.dpd == 0:
        assert balance.overdue == 0
    else:
        assert balance.oldest_unpaid_due == as_of - timedelta(days=balance.dpd)
        assert balance.principal + balance.interest > 0


def test_penalty_accrues_on_unpaid_principal_by_the_day() -> None:
    lines = equal_instalments(Decimal("12000"), Decimal("0.18"), 12, START)
    first = lines[0]
    balance = balance_of(replay(lines, [], RATE), START + timedelta(days=10), RATE)
    assert balance.dpd == 10
    assert balance.principal == first.principal_due
    assert balance.penalty == (first.principal_due * RATE * 10).quantize(Decimal("0.01"))


def test_late_payment_pays_penalty_before_interest_and_principal() -> None:
    lines = equal_instalments(Decimal("12000"), Decimal("0.18"), 12, START)
    states = replay(lines, [(START + timedelta(days=20), Decimal("100.00"))], RATE)
    penalty = (lines[0].principal_due * RATE * 20).quantize(Decimal("0.01"))
    assert states[0].penalty_paid == penalty
    assert states[0].interest_paid == Decimal("100.00") - penalty
    assert states[0].principal_paid == 0
    # The penalty accrued up to the payment is kept; from then on it is computed.
    assert states[0].accrued_to == START + timedelta(days=20)


def test_buckets_follow_the_bands() -> None:
    cases = {0: "C", 1: "M1", 30: "M1", 31: "M2", 90: "M3", 91: "M4", 180: "M6", 181: "M6+"}
    assert {dpd: bucket_for(dpd) for dpd in cases} == cases
