"""Promises to pay: kept when payments cover them, broken when their date plus grace passes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Payment, PromiseStatus, PromiseToPay
from app.services.reference import policy


def grace_days() -> int:
    return int(policy()["promise"]["grace_days"])


def deadline(promised_date: date, zone: ZoneInfo) -> datetime:
    """The moment a promise breaks: midnight after its date plus grace, in the lender's zone."""
    last_day = promised_date + timedelta(days=grace_days() + 1)
    return datetime.combine(last_day, time(0), tzinfo=zone).astimezone(UTC)


def paid_towards(session: Session, promise: PromiseToPay, until: datetime) -> Decimal:
    total = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.loan_id == promise.loan_id,
            Payment.paid_at >= promise.created_at,
            Payment.paid_at < until,
        )
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


def settle_due_promises(session: Session, at: datetime, zone_name: str) -> list[uuid.UUID]:
    """Resolve every pending promise whose date plus grace has passed at `at`; returns their ids."""
    zone = ZoneInfo(zone_name)
    today = at.astimezone(zone).date()
    cutoff = today - timedelta(days=grace_days())
    due = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.status == PromiseStatus.PENDING, PromiseToPay.promised_date < cutoff
        )
    ).all()
    for promise in due:
        ends = deadline(promise.promised_date, zone)
        paid = paid_towards(session, promise, ends)
        promise.paid_amount = min(paid, promise.amount)
        if paid >= promise.amount:
            promise.status = PromiseStatus.KEPT
        elif paid > 0:
            promise.status = PromiseStatus.PARTLY_KEPT
        else:
            promise.status = PromiseStatus.BROKEN
        promise.resolved_at = ends
        session.add(
            AuditEvent(
                action=f"promise.{promise.status.value}",
                entity="promise",
                entity_id=str(promise.id),
                details={"paid": str(paid), "amount": str(promise.amount)},
            )
        )
    return [promise.id for promise in due]


def keep_covered_promises(session: Session, loan_id: uuid.UUID, at: datetime) -> list[uuid.UUID]:
    """After a payment: pending promises on the loan that payments now cover become kept."""
    pending = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.loan_id == loan_id, PromiseToPay.status == PromiseStatus.PENDING
        )
    ).all()
    kept = []
    for promise in pending:
        paid = paid_towards(session, promise, at + timedelta(microseconds=1))
        promise.paid_amount = min(paid, promise.amount)
        if paid >= promise.amount:
            promise.status = PromiseStatus.KEPT
            promise.resolved_at = at
            kept.append(promise.id)
    return kept
