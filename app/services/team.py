"""What every team view shares (PRODUCT.md §1, §8): who may open one, whose work it covers, and
the contact rows a lead reads, drills into and reviews.

Only a team lead (their own team) or an administrator (any team) opens a team view; anyone
else is refused here, and on PostgreSQL row-level security shows them nothing beyond their own
accounts anyway.
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

from app.database import Database
from app.models import (
    Borrower,
    CallReview,
    ContactAttempt,
    Escalation,
    Loan,
    PromiseToPay,
    Role,
    Team,
    User,
)
from app.services.checklists import checklist_for
from app.services.errors import NotAllowed, NotFound
from app.services.reference import dispositions, emotions
from app.services.scope import find_user


@dataclass(frozen=True)
class Member:
    id: uuid.UUID
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class TeamScope:
    """A team as its lead sees it: every active or former member, in name order."""

    viewer_id: uuid.UUID
    team_id: uuid.UUID
    team: str
    members: tuple[Member, ...]

    @property
    def member_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(member.id for member in self.members)

    def member(self, username: str) -> Member:
        """The member called `username`; NotFound when they are not in this team."""
        for member in self.members:
            if member.username == username:
                return member
        raise NotFound(
            "{username} is not a member of team {team}.", username=username, team=self.team
        )


def team_scope(session: Session, username: str, team: str | None = None) -> TeamScope:
    """The team `username` may look at: a lead's own, or for an administrator the one named.

    Collectors and field agents are refused, and so is a lead asking for another team.
    """
    viewer = find_user(session, username)
    if viewer.role not in (Role.TEAM_LEAD, Role.ADMIN):
        raise NotAllowed("Only a team lead can open the team's views.")
    if team is None:
        if viewer.team_id is None:
            raise NotAllowed("{username} leads no team.", username=username)
        found = session.get(Team, viewer.team_id)
    else:
        found = session.scalar(select(Team).where(Team.name == team))
        if found is None:
            raise NotFound("There is no team “{team}”.", team=team)
    assert found is not None
    if viewer.role is Role.TEAM_LEAD and found.id != viewer.team_id:
        raise NotAllowed("A team lead sees their own team only, not {team}.", team=found.name)
    members = session.execute(
        select(User.id, User.username, User.display_name, User.role)
        .where(User.team_id == found.id)
        .order_by(User.display_name, User.username)
    )
    return TeamScope(
        viewer_id=viewer.id,
        team_id=found.id,
        team=found.name,
        members=tuple(Member(row.id, row.username, row.display_name, row.role) for row in members),
    )


def team_of(db: Database, username: str, team: str | None = None) -> TeamScope:
    """`team_scope` in a session of its own (for the window and the CLI)."""
    with db.reader() as session:
        return team_scope(session, username, team)


def team_names(db: Database, username: str) -> tuple[str, ...]:
    """The teams `username` may open: a lead's own, every team for an administrator."""
    with db.reader() as session:
        viewer = find_user(session, username)
        if viewer.role is Role.ADMIN:
            return tuple(session.scalars(select(Team.name).order_by(Team.name)))
        return (team_scope(session, username).team,)


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
