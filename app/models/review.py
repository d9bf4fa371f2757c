"""What a team lead adds on top of the collectors' work (docs/domain.md §1, §8): reviews of calls,
priority overrides on accounts, and the dial attempts the contact rules stopped."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, UUIDKey
from app.models.types import UTCDateTime, utcnow


class CallReview(UUIDKey, Synced, Base):
    """A team lead's quality review of one contact, against the criteria in
    resources/review_criteria.json; the collector reads it on their own contacts."""

    __tablename__ = "call_reviews"
    __table_args__ = (
        Index("ix_call_reviews_collector_reviewed", "collector_id", "reviewed_at"),
        Index("ix_call_reviews_loan", "loan_id"),
    )

    attempt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact_attempts.id"), unique=True)
    # The attempt's loan and collector, so scope and "my feedback" need no join.
    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    collector_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {criterion code: "met" | "not_met" | "n/a"}, one entry per criterion in force.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Points met ÷ points that applied, in whole percent; None when nothing applied.
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(String(2000))
    # When the collector opened the feedback.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PriorityOverride(UUIDKey, Synced, Base):
    """A team lead's push of an account up (or down) the collector's queue, until it expires."""

    __tablename__ = "priority_overrides"
    __table_args__ = (Index("ix_priority_overrides_loan_expires", "loan_id", "expires_at"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    # A level from resources/queue_weights.json "override": top, high or low.
    level: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    set_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ContactBlock(UUIDKey, Synced, Base):
    """A dial (or a contact being logged) that the contact rules stopped: the compliance-blocks
    KPI counts these by rule. Written once, never changed."""

    __tablename__ = "contact_blocks"
    __table_args__ = (
        Index("ix_contact_blocks_user_at", "user_id", "at"),
        Index("ix_contact_blocks_loan", "loan_id"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    contact_point_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_points.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(10))
    # The rule id from the compliance profile that refused it.
    rule: Mapped[str] = mapped_column(String(40))


__all__ = ["CallReview", "ContactBlock", "PriorityOverride"]
