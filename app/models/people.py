"""Teams and the people who use the workstation."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Synced, UUIDKey, str_enum
from app.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    COLLECTOR = "collector"
    FIELD_AGENT = "field_agent"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    # The reminder dispatcher's own login (`reminders run`): it works no queue and signs in to
    # nothing but the job (docs/security.md, "system").
    SYSTEM = "system"


class Team(UUIDKey, Synced, Base):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(back_populates="team")


class User(UUIDKey, Synced, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members")
