"""The statement of account of a referral package: the schedule with every payment applied, each
step written out so a court can re-check it by hand.

The figures are `balances.replay`'s (the books' own allocation, `app.services.plans.ledger` in
SQL): payments that count (not reversed), by the business day they were made, oldest
instalment first, each part in the policy's order. Before a day's payments, penalty interest
(罚息) is accrued on every overdue instalment's unpaid principal:

    penalty = cents(unpaid principal × daily penalty rate × days since due or last accrued)

and on the statement's day the penalty since then is added the same way, without being booked.
Each of those computations is a line of the statement (`PenaltyLine`), with the rate it used.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Instalment, Loan, Payment
from app.services.common.clock import business_zone
from app.services.common.money import ZERO, cents
from app.services.common.reference import policy
from app.services.portfolio.balances import (
    Balance,
    InstalmentState,
    ScheduleLine,
    apply_payment,
    balance_of,
)

PARTS = ("principal", "interest", "fees", "penalty")


@dataclass(frozen=True)
class PenaltyLine:
    """One penalty computation: on instalment `seq`, `days` days from `start` to `end`."""

    seq: int
    start: date
    end: date
    days: int
    unpaid_principal: Decimal
    daily_rate: Decimal
    amount: Decimal
    # True: accrued into the books on a payment's day; False: computed to the statement's day.
    booked: bool


@dataclass(frozen=True)
class PaymentLine:
    """A payment on the lending system's books and what it paid, by instalment and part."""

    payment_id: uuid.UUID
    paid_at: datetime
    paid_on: date
    amount: Decimal
    channel: str
    reference: str
    reversed_at: datetime | None
    # (seq, part, amount) in the order applied; empty for a reversed payment.
    applied: tuple[tuple[int, str, Decimal], ...] = ()
    unapplied: Decimal = ZERO

    @property
    def counted(self) -> bool:
        return self.reversed_at is None


@dataclass(frozen=True)
class InstalmentLine:
    """An instalment of the schedule, with the principal outstanding before it (the base of its
    interest at the contract rate) and what the payments covered of it."""

    seq: int
    due_date: date
    opening_principal: Decimal
    principal_due: Decimal
    interest_due: Decimal
    # cents(opening principal × annual rate ÷ 12): the contract rate's interest, to compare.
    interest_at_rate: Decimal
    fees_due: Decimal
    principal_paid: Decimal
    interest_paid: Decimal
    fees_paid: Decimal
    # Booked on payments' days, and computed since to the statement's day.
    penalty_booked: Decimal
    penalty_to_date: Decimal
    penalty_paid: Decimal
    settled_on: date | None

    @property
    def penalty(self) -> Decimal:
        return self.penalty_booked + self.penalty_to_date

    @property
    def outstanding(self) -> Decimal:
        due = self.principal_due + self.interest_due + self.fees_due + self.penalty
        return due - self.principal_paid - self.interest_paid - self.fees_paid - self.penalty_paid


@dataclass(frozen=True)
class Statement:
    as_of: date
    currency: str
    principal: Decimal
    annual_rate: Decimal
    penalty_rate_daily: Decimal
    allocation_order: tuple[str, ...]
    instalments: tuple[InstalmentLine, ...]
    payments: tuple[PaymentLine, ...]
    penalties: tuple[PenaltyLine, ...]
    balance: Balance
    # Whether the instalments as the books hold them are what this replay makes of them.
    matches_books: bool
    mismatched: tuple[int, ...] = field(default=())

    @property
    def total_paid(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.counted), ZERO)


def account_statement(session: Session, loan: Loan, as_of: date) -> Statement:
    """The statement of `loan` on `as_of` (payments made after that day are not in it)."""
    rows = list(
        session.scalars(
            select(Instalment).where(Instalment.loan_id == loan.id).order_by(Instalment.seq)
        )
    )
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.loan_id == loan.id)
            .order_by(Payment.paid_at, Payment.created_at, Payment.id)
        )
    )
    zone = business_zone()
    rate = loan.penalty_rate_daily
    schedule = [
        ScheduleLine(r.seq, r.due_date, r.principal_due, r.interest_due, r.fees_due) for r in rows
    ]
    states = [InstalmentState.from_line(line) for line in schedule]
    penalties: list[PenaltyLine] = []
    by_day: dict[date, list[Payment]] = defaultdict(list)
    lines: dict[uuid.UUID, PaymentLine] = {}
    for payment in payments:
        paid_on = payment.paid_at.astimezone(zone).date()
        if paid_on > as_of:
            continue
        if payment.reversed_at is None:
            by_day[paid_on].append(payment)
        lines[payment.id] = _payment_line(payment, paid_on)
    for day in sorted(by_day):
        penalties += _accrue(states, day, rate, booked=True)
        for payment in by_day[day]:
            before = {s.seq: _paid(s) for s in states}
            allocation = apply_payment(states, payment.amount, day, rate)
            applied = tuple(
                (s.seq, part, _paid(s)[part] - before[s.seq][part])
                for s in sorted(states, key=lambda s: s.seq)
                for part in policy()["allocation_order"]
                if _paid(s)[part] != before[s.seq][part]
            )
            lines[payment.id] = replace(
                lines[payment.id], applied=applied, unapplied=allocation.unapplied
            )
    to_date = _accrue_copy(states, as_of, rate)
    penalties += to_date
    extra: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in to_date:
        extra[line.seq] += line.amount
    mismatched = tuple(
        row.seq
        for row, state in zip(rows, states, strict=True)
        if _booked(row) != _state_booked(state)
    )
    opening = loan.principal
    instalments = []
    for state in sorted(states, key=lambda s: s.seq):
        instalments.append(
            InstalmentLine(
                seq=state.seq,
                due_date=state.due_date,
                opening_principal=opening,
                principal_due=state.principal_due,
                interest_due=state.interest_due,
                interest_at_rate=cents(opening * loan.annual_rate / 12),
                fees_due=state.fees_due,
                principal_paid=state.principal_paid,
                interest_paid=state.interest_paid,
                fees_paid=state.fees_paid,
                penalty_booked=state.penalty_accrued,
                penalty_to_date=extra[state.seq],
                penalty_paid=state.penalty_paid,
                settled_on=state.settled_on,
            )
        )
        opening -= state.principal_due
    return Statement(
        as_of=as_of,
        currency=loan.currency,
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        penalty_rate_daily=rate,
        allocation_order=tuple(policy()["allocation_order"]),
        instalments=tuple(instalments),
        payments=tuple(lines.values()),
        penalties=tuple(penalties),
        balance=balance_of(states, as_of, rate),
        matches_books=not mismatched,
        mismatched=mismatched,
    )


def _payment_line(payment: Payment, paid_on: date) -> PaymentLine:
    return PaymentLine(
        payment_id=payment.id,
        paid_at=payment.paid_at,
        paid_on=paid_on,
        amount=payment.amount,
        channel=payment.channel,
        reference=payment.reference or "",
        reversed_at=payment.reversed_at,
    )


def _paid(state: InstalmentState) -> dict[str, Decimal]:
    return {part: getattr(state, f"{part}_paid") for part in PARTS}


def _accrue(
    states: Sequence[InstalmentState], day: date, rate: Decimal, *, booked: bool
) -> list[PenaltyLine]:
    """Accrue penalty up to `day` on every overdue instalment (as `apply_payment` would first),
    and say each computation."""
    lines = []
    for state in sorted(states, key=lambda s: s.seq):
        if state.due_date >= day or state.settled_on is not None:
            continue
        start = max(state.due_date, state.accrued_to or state.due_date)
        unpaid = state.unpaid_principal
        before = state.penalty_accrued
        state.accrue(day, rate)
        if day > start and unpaid > 0:
            lines.append(
                PenaltyLine(
                    seq=state.seq,
                    start=start,
                    end=day,
                    days=(day - start).days,
                    unpaid_principal=unpaid,
                    daily_rate=rate,
                    amount=state.penalty_accrued - before,
                    booked=booked,
                )
            )
    return lines


def _accrue_copy(states: Sequence[InstalmentState], day: date, rate: Decimal) -> list[PenaltyLine]:
    """The penalty from the last accrual to the statement's day, computed on copies (the books
    accrue it only when a payment comes)."""
    copies = [InstalmentState(**state.__dict__) for state in states]
    return _accrue(copies, day, rate, booked=False)


def _booked(row: Instalment) -> tuple[object, ...]:
    return (
        row.principal_paid,
        row.interest_paid,
        row.fees_paid,
        row.penalty_accrued,
        row.penalty_paid,
        row.settled_on,
    )


def _state_booked(state: InstalmentState) -> tuple[object, ...]:
    return (
        state.principal_paid,
        state.interest_paid,
        state.fees_paid,
        state.penalty_accrued,
        state.penalty_paid,
        state.settled_on,
    )
