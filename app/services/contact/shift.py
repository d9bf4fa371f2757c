"""What a collector has done so far in today's shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from sqlalchemy import func, select

from app.database import Database
from app.models import ContactAttempt, Loan, PromiseToPay
from app.services.common.clock import business_zone
from app.services.common.money import ZERO
from app.services.common.reference import dispositions
from app.services.common.scope import find_user


@dataclass(frozen=True)
class ShiftSummary:
    since: datetime
    attempts: int
    contacts: int
    right_party: int
    promises: int
    promised: dict[str, Decimal]


def shift_summary(db: Database, username: str, at: datetime | None = None) -> ShiftSummary:
    """Attempts, contacts, right-party contacts and promises the user logged today so far.

    "Today" is the lender's business day, the one in which promises and DPD are counted.
    """
    at = (at or datetime.now(UTC)).astimezone(UTC)
    zone = business_zone()
    since = datetime.combine(at.astimezone(zone).date(), time(0), zone).astimezone(UTC)
    codes = dispositions()
    counted = [code for code, item in codes.items() if item.attempt]
    contact = [code for code, item in codes.items() if item.contact]
    with db.reader() as session:
        user = find_user(session, username)
        mine = (
            (ContactAttempt.user_id == user.id)
            & (ContactAttempt.started_at >= since)
            & (ContactAttempt.started_at <= at)
        )
        attempts, contacts, right_party = session.execute(
            select(
                func.count().filter(ContactAttempt.disposition.in_(counted)),
                func.count().filter(ContactAttempt.disposition.in_(contact)),
                func.count().filter(ContactAttempt.right_party.is_(True)),
            ).where(mine)
        ).one()
        promised: dict[str, Decimal] = {}
        promises = 0
        for currency, count, amount in session.execute(
            select(Loan.currency, func.count(), func.sum(PromiseToPay.amount))
            .join(ContactAttempt, ContactAttempt.id == PromiseToPay.attempt_id)
            .join(Loan, Loan.id == PromiseToPay.loan_id)
            .where(mine)
            .group_by(Loan.currency)
        ):
            promises += count
            promised[currency] = Decimal(amount or ZERO).quantize(Decimal("0.01"))
    return ShiftSummary(since, attempts, contacts, right_party, promises, promised)
