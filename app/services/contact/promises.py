"""Promises to pay: kept when payments cover them, broken when their date plus grace passes.

A payment counts towards the pending promises of its loan that were made before it and whose
deadline it meets, earliest promise first, and each yuan counts once: one payment of ¥500
cannot keep two promises of ¥500.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Payment, PromiseStatus, PromiseToPay
from app.services.common.audit import audit
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
    """Re-check the pending promises of one loan at `now`; returns the ids that became kept."""
    pending = session.scalars(
        select(PromiseToPay)
        .where(PromiseToPay.loan_id == loan_id, PromiseToPay.status == PromiseStatus.PENDING)
        .order_by(PromiseToPay.promised_date, PromiseToPay.created_at, PromiseToPay.id)
    ).all()
    if not pending:
        return []
    earliest = min(promise.created_at for promise in pending)
    payments = session.execute(
        select(Payment.paid_at, Payment.amount)
        .where(Payment.loan_id == loan_id, Payment.paid_at >= earliest)
        .order_by(Payment.paid_at, Payment.id)
    ).all()
    left = [amount for _, amount in payments]
    kept = []
    for promise in pending:
        ends = deadline(promise.promised_date)
        covered, covered_at = ZERO, None
        for index, (paid_at, _) in enumerate(payments):
            if not promise.created_at <= paid_at < min(ends, now + timedelta(microseconds=1)):
                continue
            take = min(left[index], promise.amount - covered)
            if take <= 0:
                continue
            left[index] -= take
            covered += take
            covered_at = paid_at
            if covered == promise.amount:
                break
        promise.paid_amount = covered
        if covered >= promise.amount:
            _resolve(session, promise, PromiseStatus.KEPT, covered_at or now)
            kept.append(promise.id)
        elif now >= ends:
            status = PromiseStatus.PARTLY_KEPT if covered > 0 else PromiseStatus.BROKEN
            _resolve(session, promise, status, ends)
    return kept


def settle_due_promises(session: Session, at: datetime) -> list[uuid.UUID]:
    """Resolve every loan with a pending promise whose date plus grace passed by `at`."""
    today = local_today(at)
    cutoff = today - timedelta(days=promise_grace_days())
    loans = session.scalars(
        select(PromiseToPay.loan_id)
        .where(PromiseToPay.status == PromiseStatus.PENDING, PromiseToPay.promised_date < cutoff)
        .distinct()
    ).all()
    for loan_id in loans:
        resolve_loan_promises(session, loan_id, at)
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
