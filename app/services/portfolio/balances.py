"""DPD, bucket and the overdue breakdown, computed from the schedule and the payments.

Payments are allocated oldest instalment first, and within an instalment in the order the
policy gives (fees, penalty, interest, principal by default). Penalty interest (罚息) accrues
daily on each overdue instalment's unpaid principal. When a payment arrives the penalty up to
that day is accrued into the instalment (so it can be paid); between payments it is computed:

    penalty = Σ (accrued - paid) + Σ cents(daily_rate × unpaid_principal × days since accrued)

The queue computes the very same figures in SQL (`app.services.contact.queue`); tests hold the two
together.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.services.common.money import ZERO, cents
from app.services.common.reference import bucket_for, policy


@dataclass(frozen=True)
class ScheduleLine:
    seq: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    fees_due: Decimal


@dataclass
class InstalmentState:
    """An instalment and what has been paid of it; mirrors the `instalments` table."""

    seq: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    fees_due: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    fees_paid: Decimal = ZERO
    penalty_accrued: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    accrued_to: date | None = None
    settled_on: date | None = None

    @classmethod
    def from_line(cls, line: ScheduleLine) -> InstalmentState:
        return cls(line.seq, line.due_date, line.principal_due, line.interest_due, line.fees_due)

    @property
    def unpaid_principal(self) -> Decimal:
        return self.principal_due - self.principal_paid

    def unpaid(self, part: str) -> Decimal:
        if part == "penalty":
            return self.penalty_accrued - self.penalty_paid
        due: Decimal = getattr(self, f"{part}_due")
        paid: Decimal = getattr(self, f"{part}_paid")
        return due - paid

    def accrue(self, on: date, daily_rate: Decimal) -> None:
        """Move penalty accrued so far into penalty_accrued, up to `on`."""
        start = max(self.due_date, self.accrued_to or self.due_date)
        if on <= start or self.settled_on is not None:
            return
        self.penalty_accrued += cents(self.unpaid_principal * daily_rate * (on - start).days)
        self.accrued_to = on


@dataclass(frozen=True)
class Allocation:
    """What one payment covered; `unapplied` is an overpayment beyond the whole schedule."""

    by_part: dict[str, Decimal] = field(default_factory=dict)
    settled: tuple[int, ...] = ()
    unapplied: Decimal = ZERO


def apply_payment(
    states: Sequence[InstalmentState], amount: Decimal, on: date, daily_rate: Decimal
) -> Allocation:
    """Allocate a payment made on `on` over the instalments, changing them in place."""
    order: list[str] = policy()["allocation_order"]
    for state in states:
        if state.due_date < on:
            state.accrue(on, daily_rate)
    remaining = amount
    by_part = dict.fromkeys(order, ZERO)
    settled: list[int] = []
    for state in sorted(states, key=lambda s: s.seq):
        if state.settled_on is not None:
            continue
        for part in order:
            take = min(remaining, state.unpaid(part))
            if take <= 0:
                continue
            setattr(state, f"{part}_paid", getattr(state, f"{part}_paid") + take)
            by_part[part] += take
            remaining -= take
        if all(state.unpaid(part) == 0 for part in order):
            state.settled_on = on
            settled.append(state.seq)
        if remaining == 0:
            break
    return Allocation(by_part=by_part, settled=tuple(settled), unapplied=remaining)


def replay(
    schedule: Iterable[ScheduleLine],
    payments: Iterable[tuple[date, Decimal]],
    daily_rate: Decimal,
) -> list[InstalmentState]:
    """The instalment states from scratch: the schedule with every payment applied in order."""
    states = [InstalmentState.from_line(line) for line in schedule]
    for paid_on, amount in sorted(payments, key=lambda p: p[0]):
        apply_payment(states, amount, paid_on, daily_rate)
    return states


@dataclass(frozen=True)
class Balance:
    as_of: date
    dpd: int
    bucket: str
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    # Everything unpaid on the schedule, due or not, plus penalty: the most a borrower owes.
    owed: Decimal
    oldest_unpaid_due: date | None
    next_due: date | None

    @property
    def overdue(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.fees


def balance_of(states: Iterable[InstalmentState], as_of: date, daily_rate: Decimal) -> Balance:
    """DPD, bucket and overdue breakdown on `as_of` (instalments due before that day)."""
    principal = interest = fees = penalty = not_due = ZERO
    oldest: date | None = None
    next_due: date | None = None
    for state in states:
        if state.settled_on is not None:
            continue
        if state.due_date >= as_of:
            not_due += state.unpaid("principal") + state.unpaid("interest") + state.unpaid("fees")
            next_due = state.due_date if next_due is None else min(next_due, state.due_date)
            continue
        oldest = state.due_date if oldest is None else min(oldest, state.due_date)
        principal += state.unpaid("principal")
        interest += state.unpaid("interest")
        fees += state.unpaid("fees")
        penalty += state.unpaid("penalty")
        start = max(state.due_date, state.accrued_to or state.due_date)
        if as_of > start:
            penalty += cents(state.unpaid_principal * daily_rate * (as_of - start).days)
    dpd = (as_of - oldest).days if oldest is not None else 0
    return Balance(
        as_of=as_of,
        dpd=dpd,
        bucket=bucket_for(dpd),
        principal=principal,
        interest=interest,
        penalty=penalty,
        fees=fees,
        owed=principal + interest + fees + penalty + not_due,
        oldest_unpaid_due=oldest,
        next_due=next_due,
    )


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def equal_instalments(
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    first_due: date,
    monthly_fee: Decimal = ZERO,
) -> list[ScheduleLine]:
    """An equal-payment (等额本息) schedule; principal parts sum exactly to the principal."""
    rate = annual_rate / 12
    if rate == 0:
        payment = cents(principal / term_months)
    else:
        payment = cents(principal * rate / (1 - (1 + rate) ** -term_months))
    lines = []
    remaining = principal
    for seq in range(1, term_months + 1):
        interest = cents(remaining * rate)
        part = remaining if seq == term_months else min(payment - interest, remaining)
        remaining -= part
        lines.append(
            ScheduleLine(seq, add_months(first_due, seq - 1), part, interest, cents(monthly_fee))
        )
    return lines


def first_due_for(disbursed_on: date) -> date:
    return add_months(disbursed_on, 1)
