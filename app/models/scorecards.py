"""Stored scorecards and each team's choice of one (issue 21, item 4; docs/scoring.md).

A `StoredScorecard` is a scorecard document (the JSON `model train` writes) as an administrator
uploaded it: numbered in order of upload (`version`), with its training window, the document's
SHA-256 and, when a report was made, its out-of-time figures. It is never changed or deleted
once stored (on PostgreSQL a trigger refuses it).

A `ScorecardChoice` is one step of a team's log of which scorecard its queue scores with and
whether scoring is on: a lead promotes a version for their team, or switches scoring off and
on again (an administrator for any team). The team's latest step holds. Steps are written once
and never changed.

Both are reference data, not an account's: a pull brings a collector their team's latest step
and the scorecard it names, nothing else (app.services.sync.engine); leads receive every
version, to choose among them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, UUIDKey
from app.models.types import UTCDateTime, utcnow


class StoredScorecard(UUIDKey, Synced, Base):
    """A scorecard document as uploaded (see the module)."""

    __tablename__ = "scorecards"

    # 1, 2, 3, … in order of upload.
    version: Mapped[int] = mapped_column(Integer, unique=True)
    # The document's own name for itself (its "version" field, e.g. "2026-11-17.3f9a1c2e").
    label: Mapped[str] = mapped_column(String(64))
    # Outcomes before the start of this day trained it (the document's trained.until).
    trained_until: Mapped[date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(Text)
    # SHA-256 of the document's UTF-8 bytes, hex.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Out of time (`model report`), when a report was uploaded with it.
    oot_auc: Mapped[float | None] = mapped_column(Float)
    oot_calibration_error: Mapped[float | None] = mapped_column(Float)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScorecardChoice(UUIDKey, Synced, Base):
    """One step of a team's scorecard log: the version promoted and whether scoring is on."""

    __tablename__ = "scorecard_choices"
    __table_args__ = (Index("ix_scorecard_choices_team_chosen", "team_id", "chosen_at"),)

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"))
    scorecard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scorecards.id"))
    enabled: Mapped[bool] = mapped_column(Boolean)
    chosen_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
