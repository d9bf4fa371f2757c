"""Disputes and complaints as cases: each with its deadline and a team lead's answer."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, UUIDKey
from app.models.types import Money, UTCDateTime, utcnow


class DisputeDecision(enum.StrEnum):
    """A team lead's decision on a dispute."""

    UPHELD = "upheld"  # the borrower is right: the lending system corrects the amounts
    REJECTED = "rejected"  # the debt stands: collection resumes


class DisputeCase(UUIDKey, Synced, Base):
    """A dispute a borrower raised (the DSP outcome of a contact), with what they dispute, the
    day the lender must answer by and a team lead's decision.

    Opened once by whoever recorded the contact; decided once, by a lead of the account's
    team. An upheld dispute never edits a balance here: the decision says what correction the
    lending system is expected to send through the feed.
    """

    __tablename__ = "dispute_cases"
    __table_args__ = (
        Index("ix_dispute_cases_loan_opened", "loan_id", "opened_at"),
        Index("ix_dispute_cases_attempt", "attempt_id", unique=True),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    # The DSP contact the dispute was raised in (one case a contact).
    attempt_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact_attempts.id"))
    # A kind from resources/cases.json (disputes.kinds).
    kind: Mapped[str] = mapped_column(String(20))
    # What the borrower says, in their words as the collector wrote them.
    claim: Mapped[str] = mapped_column(String(2000))
    # For "already paid": the payment the borrower says they made (any of them may be unknown).
    claimed_amount: Mapped[Decimal | None] = mapped_column(Money)
    claimed_paid_on: Mapped[date | None] = mapped_column(Date)
    claimed_reference: Mapped[str | None] = mapped_column(String(64))
    opened_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The lender's deadline: working days of the lender's calendar from the day it was raised.
    due_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why (a rejection's reasons; an upheld dispute's finding).
    reasons: Mapped[str | None] = mapped_column(String(2000))
    # Upheld: the correction the lending system is expected to make through the feed.
    correction: Mapped[str | None] = mapped_column(String(2000))


class Complaint(UUIDKey, Synced, Base):
    """A borrower's complaint (a call, a letter, a regulator's referral such as the 12378
    hotline), about a collector or the collection, routed to the team lead who replies."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_loan_received", "loan_id", "received_at"),
        Index("ix_complaints_collector", "collector_id", "received_at"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    # From resources/cases.json (complaints.channels, complaints.categories).
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30))
    # The collector the complaint is about (None: the collection, nobody in particular).
    collector_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # A regulator's referral number, a letter's reference.
    reference: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(2000))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    logged_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The regulator's deadline for a regulator's referral, the lender's for the others.
    due_on: Mapped[date] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(String(2000))
    replied_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
