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

    def as_json(self) -> dict[str, str | None]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "team": self.team,
        }


def list_users(db: Database) -> list[UserView]:
    """Every active user, ordered by team, role and username."""
    with db.reader() as session:
        users = session.scalars(
            select(User).where(User.active.is_(True)).options(selectinload(User.team))
        ).all()
        views = [
            UserView(u.username, u.display_name, u.role.value, u.team.name if u.team else None)
            for u in users
        ]
    return sorted(views, key=lambda v: (v.team or "", v.role, v.username))
