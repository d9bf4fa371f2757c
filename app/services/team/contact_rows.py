"""The contact rows every team view lists (docs/domain.md §1, §8): what a lead reads, drills
into and reviews, and one SQL reading of a complete checklist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Text, and_, case, cast, exists, false, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.models import (
    Borrower,
    CallReview,
    ContactAttempt,
    Escalation,
    Loan,
    PromiseToPay,
    User,
)
from app.services.common.reference import dispositions, emotions
from app.services.contact.checklists import checklist_for


@cache
def _contact_codes() -> tuple[str, ...]:
    return tuple(code.code for code in dispositions().values() if code.contact)


@cache
def checklist_complete(attempt: Any = ContactAttempt) -> ColumnElement[Any]:
    """SQL: for a contact where someone answered, whether every required item of its
    emotion's checklist (for its outcome) is ticked; NULL where nobody answered.

    Built from the checklist data, so the dashboard and the review list count the same way as
    the outcome form checks. An answered contact without an emotion is incomplete. Built once
    per table (or alias) it is asked for: the data does not change while the app runs.
    """
    ticked = cast(attempt.checklist, Text)
    by_emotion = []
    for emotion in emotions():
        for code in _contact_codes():
            required = [item for item in checklist_for(emotion, code) if item.required]
            complete = and_(
                true(), *(ticked.contains(f'"{item.id}"', autoescape=True) for item in required)
            )
            by_emotion.append(
                (and_(attempt.emotion == emotion, attempt.disposition == code), complete)
            )
    answered = attempt.disposition.in_(_contact_codes())
    return case((~answered, None), *by_emotion, else_=false())


@dataclass(frozen=True)
class ContactRow:
    """One contact attempt as a team view lists it."""

    attempt_id: uuid.UUID
    started_at: datetime
    user_id: uuid.UUID
    username: str
    collector: str
    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    channel: str
    disposition: str
    right_party: bool
    emotion: str | None
    duration_seconds: int
    after_call_seconds: int | None
    # None where nobody answered (no checklist was required).
    checklist_complete: bool | None
    escalated: bool
    promise_amount: Decimal | None
    review_score: int | None
    reviewed: bool


def contact_rows(
    session: Session,
    *where: ColumnElement[bool],
    newest_first: bool = False,
    limit: int | None = None,
) -> tuple[ContactRow, ...]:
    """The contact attempts matching `where` (on ContactAttempt and its joins), in time order."""
    attempt = ContactAttempt
    complete = checklist_complete(attempt).label("complete")
    escalated = exists().where(Escalation.attempt_id == attempt.id).label("escalated")
    promise = (
        select(PromiseToPay.amount)
        .where(PromiseToPay.attempt_id == attempt.id)
        .limit(1)
        .scalar_subquery()
        .label("promise")
    )
    review = (
        select(CallReview.score).where(CallReview.attempt_id == attempt.id).scalar_subquery()
    ).label("score")
    reviewed = exists().where(CallReview.attempt_id == attempt.id).label("reviewed")
    order = (
        (attempt.started_at.desc(), attempt.id)
        if newest_first
        else (attempt.started_at, attempt.id)
    )
    query = (
        select(
            attempt.id,
            attempt.started_at,
            attempt.user_id,
            User.username,
            User.display_name,
            attempt.loan_id,
            Loan.contract_no,
            Borrower.name,
            attempt.channel,
            attempt.disposition,
            attempt.right_party,
            attempt.emotion,
            attempt.duration_seconds,
            attempt.after_call_seconds,
            complete,
            escalated,
            promise,
            review,
            reviewed,
        )
        .join(User, User.id == attempt.user_id)
        .join(Loan, Loan.id == attempt.loan_id)
        .join(Borrower, Borrower.id == attempt.borrower_id)
        .where(*where)
        .order_by(*order)
    )
    if limit is not None:
        query = query.limit(limit)
    return tuple(
        ContactRow(
            attempt_id=row.id,
            started_at=row.started_at,
            user_id=row.user_id,
            username=row.username,
            collector=row.display_name,
            loan_id=row.loan_id,
            contract_no=row.contract_no,
            borrower=row.name,
            channel=str(row.channel.value if hasattr(row.channel, "value") else row.channel),
            disposition=row.disposition,
            right_party=bool(row.right_party),
            emotion=row.emotion,
            duration_seconds=row.duration_seconds,
            after_call_seconds=row.after_call_seconds,
            checklist_complete=None if row.complete is None else bool(row.complete),
            escalated=bool(row.escalated),
            promise_amount=row.promise,
            review_score=row.score,
            reviewed=bool(row.reviewed),
        )
        for row in session.execute(query)
    )
