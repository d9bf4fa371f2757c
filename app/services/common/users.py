"""Who works here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.database import Database
from app.models import User


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    role: str
    team: str | None
    active: bool = True

    def as_json(self) -> dict[str, str | bool | None]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "team": self.team,
            "active": self.active,
        }


def list_users(db: Database, *, inactive: bool = False) -> list[UserView]:
    """Every active user (`inactive`: every user, deactivated ones too), ordered by team, role
    and username."""
    with db.reader() as session:
        query = select(User).options(selectinload(User.team))
        if not inactive:
            query = query.where(User.active.is_(True))
        views = [
            UserView(
                u.username,
                u.display_name,
                u.role.value,
                u.team.name if u.team else None,
                u.active,
            )
            for u in session.scalars(query)
        ]
    return sorted(views, key=lambda v: (v.team or "", v.role, v.username))
