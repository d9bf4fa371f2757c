"""Whose accounts a user works: a collector or field agent their own, a team lead the team's."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Role, User
from app.services.common.errors import NotAllowed, NotFound


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(
            "There is no user “{username}”. `collector-workstation users` lists them.",
            username=username,
        )
    if not user.active:
        raise NotAllowed("The account of {username} is deactivated.", username=username)
    return user


def worker_ids(session: Session, user: User) -> list[uuid.UUID]:
    """The users whose assigned accounts `user` may see and work."""
    if user.role is Role.ADMIN:
        return list(session.scalars(select(User.id)))
    if user.role is Role.TEAM_LEAD and user.team_id is not None:
        return list(session.scalars(select(User.id).where(User.team_id == user.team_id)))
    return [user.id]
