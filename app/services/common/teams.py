"""Teams: who may open a team's views and whose work they cover.

Only a team lead (their own team) or an administrator (any team) opens a team view; anyone
else is refused here, and on PostgreSQL row-level security shows them nothing beyond their own
accounts anyway.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    Role,
    Team,
    User,
)
from app.services.common.errors import NotAllowed, NotFound
from app.services.common.scope import find_user


@dataclass(frozen=True)
class Member:
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool = True


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
        select(User.id, User.username, User.display_name, User.role, User.active)
        .where(User.team_id == found.id)
        .order_by(User.display_name, User.username)
    )
    return TeamScope(
        viewer_id=viewer.id,
        team_id=found.id,
        team=found.name,
        members=tuple(
            Member(row.id, row.username, row.display_name, row.role, row.active) for row in members
        ),
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
