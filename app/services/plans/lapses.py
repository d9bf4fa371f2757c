"""Settling what has lapsed: promises and plans whose date plus grace has passed.

A promise not paid in full by its date plus the promise grace breaks (`contact.promises`); a
plan whose instalment is not paid by its due date plus the plan grace breaks too
(`plans.lifecycle`). Nothing happens at that moment to change them, so this is a step of its
own: the window runs it before each read of its queue (at the start, on the refresh timer, on
F5, after every change) and before each of its syncs, and the command line before it prints a
queue. Reading the queue itself never writes (docs/domain.md §2, §7).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.database import Database
from app.models import RepaymentPlan
from app.services.contact.promises import settle_due_promises
from app.services.plans.lifecycle import settle_due_plans


@dataclass(frozen=True)
class Lapsed:
    """What one run settled: the loans whose promises were resolved, the plans re-checked."""

    promise_loans: tuple[uuid.UUID, ...]
    plans: tuple[uuid.UUID, ...]
    # Every loan whose promises or plans were looked at: what a live queue reads again.
    loans: tuple[uuid.UUID, ...] = ()


def settle_lapsed(
    db: Database, at: datetime | None = None, *, now: datetime | None = None
) -> Lapsed:
    """Settle every promise and plan whose date plus grace passed by `at` (now by default).

    Looking at a future moment must not break promises that may still be kept, so `at` is
    never taken beyond `now`.
    """
    now = now or datetime.now(UTC)
    moment = min((at or now).astimezone(UTC), now)
    with db.session() as session:
        promise_loans = settle_due_promises(session, moment)
        plans = settle_due_plans(session, moment)
        plan_loans = (
            session.scalars(select(RepaymentPlan.loan_id).where(RepaymentPlan.id.in_(plans))).all()
            if plans
            else []
        )
    loans = tuple(dict.fromkeys((*promise_loans, *plan_loans)))
    return Lapsed(tuple(promise_loans), tuple(plans), loans)
