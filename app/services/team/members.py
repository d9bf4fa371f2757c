"""Who is in a team and who is still active, as its lead sees them (issue 16).

A lead (or an administrator) sees every member, active or deactivated, with the active
accounts each works, and how many accounts wait in the team's pool for someone to work them.
Deactivating is an administrator's act (`central deactivate-user`); a deactivated member's
accounts stay theirs until the lead moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.database import Database
from app.models import Loan, LoanStatus
from app.services.common.teams import team_scope


@dataclass(frozen=True)
class MemberStatus:
    username: str
    display_name: str
    role: str
    active: bool
    # The active accounts assigned to them.
    accounts: int

    def as_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "active": self.active,
            "accounts": self.accounts,
        }


@dataclass(frozen=True)
class TeamMembers:
    team: str
    # Active members first, then by name.
    members: tuple[MemberStatus, ...]
    # Active accounts in the team's pool, assigned to nobody yet.
    pool: int


def team_members(db: Database, username: str, team: str | None = None) -> TeamMembers:
    """The team's members with their status and accounts (team leads and administrators)."""
    with db.reader() as session:
        scope = team_scope(session, username, team)
        held = dict(
            session.execute(
                select(Loan.assigned_to_id, func.count(Loan.id))
                .where(Loan.assigned_to_id.in_(scope.member_ids), Loan.status == LoanStatus.ACTIVE)
                .group_by(Loan.assigned_to_id)
            ).all()
        )
        pool = session.scalar(
            select(func.count(Loan.id)).where(
                Loan.assigned_to_id.is_(None),
                Loan.team_id == scope.team_id,
                Loan.status == LoanStatus.ACTIVE,
            )
        )
    members = sorted(
        (
            MemberStatus(
                member.username,
                member.display_name,
                member.role.value,
                member.active,
                int(held.get(member.id, 0)),
            )
            for member in scope.members
        ),
        key=lambda m: (not m.active, m.display_name, m.username),
    )
    return TeamMembers(scope.team, tuple(members), int(pool or 0))
