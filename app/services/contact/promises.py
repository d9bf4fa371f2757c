"""Promises to pay: kept when payments cover them, broken when their date plus grace passes.

A payment counts towards the promises of its loan that were made before it and whose deadline
it meets, earliest promise first, and each yuan counts once: one payment of ¥500 cannot keep
two promises of ¥500, nor keep a second one after it kept the first. A promise is judged by
when its payments were made, not when they arrived: the lending system's feed may bring a
payment after the promise's deadline, and it keeps the promise all the same if it was made in
time; a payment the lending system reverses keeps nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Payment, PromiseStatus, PromiseToPay, counted
from app.services.common.audit import audit
from app.services.common.bulk import key_set
from app.services.common.clock import business_zone, local_today
from app.services.common.money import ZERO
from app.services.common.reference import policy


def promise_grace_days() -> int:
    """Days after its date a promise may still be kept in full (not the plans' grace:
    `plans.lifecycle.plan_grace_days`)."""
    return int(policy()["promise"]["grace_days"])


def deadline(promised_date: date, zone: ZoneInfo | None = None) -> datetime:
    """The moment a promise breaks: midnight after its date plus grace, in the lender's zone."""
    last_day = promised_date + timedelta(days=promise_grace_days() + 1)
    return datetime.combine(last_day, time(0), tzinfo=zone or business_zone()).astimezone(UTC)


def resolve_loan_promises(session: Session, loan_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Judge the promises of one loan again at `now`; returns the ids that became kept."""
    return list(rejudge_promises(session, (loan_id,), now).kept)


@dataclass(frozen=True)
class Judged:
    kept: tuple[uuid.UUID, ...]  # promises that became kept
    changed: int  # promises whose status or paid amount changed


def rejudge_promises(session: Session, loan_ids: Collection[uuid.UUID], now: datetime) -> Judged:
    """Judge every promise of these loans again, from their payments that count, at `now`.

    Each promise is judged by the payments made from its making to its deadline, earliest
    promise first, each yuan once, whenever those payments were recorded: a payment that
    arrives after a promise was judged broken keeps it if it was made in time (resolved at the
    payment's own time), and a reversed payment keeps nothing. Only what changes is written.
    """
    if not loan_ids:
        return Judged((), 0)
    promises: dict[uuid.UUID, list[PromiseToPay]] = defaultdict(list)
    with key_set(session.connection(), loan_ids) as among:
        for promise in session.scalars(
            select(PromiseToPay)
            .where(among(PromiseToPay.loan_id))
            .order_by(PromiseToPay.promised_date, PromiseToPay.created_at, PromiseToPay.id)
        ):
            promises[promise.loan_id].append(promise)
    if not promises:
        return Judged((), 0)
    payments: dict[uuid.UUID, list[tuple[datetime, Decimal]]] = defaultdict(list)
    with key_set(session.connection(), promises) as among:
        for loan_id, paid_at, amount in session.execute(
            select(Payment.loan_id, Payment.paid_at, Payment.amount)
            .where(among(Payment.loan_id), counted())
            .order_by(Payment.paid_at, Payment.id)
        ):
            payments[loan_id].append((paid_at, amount))
    kept: list[uuid.UUID] = []
    changed = 0
    for loan_id, pending in promises.items():
        paid = payments.get(loan_id, [])
        left = [amount for _, amount in paid]
        for promise in pending:
            status, covered, at = _judge(promise, paid, left, now)
            if status is promise.status and covered == promise.paid_amount:
                continue
            changed += 1
            promise.paid_amount = covered
            if status is promise.status:
                continue
            if status is PromiseStatus.KEPT:
                kept.append(promise.id)
            if status is PromiseStatus.PENDING:
                promise.status, promise.resolved_at = status, None
            else:
                _resolve(session, promise, status, at)
    return Judged(tuple(kept), changed)


def _judge(
    promise: PromiseToPay,
    payments: Sequence[tuple[datetime, Decimal]],
    left: list[Decimal],
    now: datetime,
) -> tuple[PromiseStatus, Decimal, datetime]:
    """The promise's status, what is paid of it and when it was resolved, taking from `left`
    (what each payment has not yet given an earlier promise)."""
    ends = deadline(promise.promised_date)
    until = min(ends, now + timedelta(microseconds=1))
    covered, covered_at = ZERO, None
    for index, (paid_at, _) in enumerate(payments):
        if not promise.created_at <= paid_at < until:
            continue
        take = min(left[index], promise.amount - covered)
        if take <= 0:
            continue
        left[index] -= take
        covered += take
        covered_at = paid_at
        if covered == promise.amount:
            break
    if covered >= promise.amount:
        return PromiseStatus.KEPT, covered, covered_at or now
    if now >= ends:
        return (PromiseStatus.PARTLY_KEPT if covered > 0 else PromiseStatus.BROKEN), covered, ends
    return PromiseStatus.PENDING, covered, now


def settle_due_promises(session: Session, at: datetime) -> list[uuid.UUID]:
    """Judge every loan with a pending promise whose date plus grace passed by `at`."""
    today = local_today(at)
    cutoff = today - timedelta(days=promise_grace_days())
    loans = session.scalars(
        select(PromiseToPay.loan_id)
        .where(PromiseToPay.status == PromiseStatus.PENDING, PromiseToPay.promised_date < cutoff)
        .distinct()
    ).all()
    rejudge_promises(session, loans, at)
    return list(loans)


def _resolve(session: Session, promise: PromiseToPay, status: PromiseStatus, at: datetime) -> None:
    promise.status = status
    promise.resolved_at = at
    audit(
        session,
        f"promise.{status.value}",
        "promise",
        promise.id,
        {"paid": str(promise.paid_amount), "amount": str(promise.amount)},
    )
