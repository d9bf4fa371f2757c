"""The lending system's daily feed files, as they were applied or refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, UUIDKey
from app.models.types import UTCDateTime, utcnow


class FeedStatus:
    APPLIED = "applied"
    REFUSED = "refused"


class FeedBatch(UUIDKey, Synced, Base):
    """One feed file: applied whole (its batch id and sequence then taken), or refused whole
    (kept with its problems, taking neither). The reconciliation summary is the lead's: it
    syncs to team leads' workstations (and nobody else's)."""

    __tablename__ = "feed_batches"

    # Set for an applied file only: a batch id or a sequence is applied once.
    batch_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    sequence: Mapped[int | None] = mapped_column(unique=True)
    business_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The login that ran it on a server (the lending system's, or an administrator's).
    applied_by: Mapped[str | None] = mapped_column(String(63))
    # The reconciliation: accounts new and closed, payments and their amount, changes, …
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A refused file's problems, each {"row", "column", "message"} (the first few hundred).
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
