"""What collectors do on an account: contact attempts, promises to pay, callbacks, escalations
to the team lead and notes."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UUIDKey, str_enum
from app.models.types import Money, UTCDateTime, utcnow


class Channel(enum.StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    VISIT = "visit"


class PromiseStatus(enum.StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


class ContactAttempt(UUIDKey, Base):
    __tablename__ = "contact_attempts"
    __table_args__ = (
        Index("ix_contact_attempts_loan_started", "loan_id", "started_at"),
        Index("ix_contact_attempts_borrower_started", "borrower_id", "started_at"),
        Index("ix_contact_attempts_point_started", "contact_point_id", "started_at"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    contact_point_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_points.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int] = mapped_column(default=0)
    # A code from resources/dispositions.json; its flags (contact, rpc, …) live there.
    disposition: Mapped[str] = mapped_column(String(16))
    right_party: Mapped[bool] = mapped_column(default=False)
    emotion: Mapped[str | None] = mapped_column(String(20))
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    script_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PromiseToPay(UUIDKey, Base):
    __tablename__ = "promises"
    __table_args__ = (
        Index("ix_promises_status_date", "status", "promised_date"),
        Index("ix_promises_loan", "loan_id"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_attempts.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    promised_date: Mapped[date] = mapped_column(Date)
    status: Mapped[PromiseStatus] = mapped_column(
        str_enum(PromiseStatus), default=PromiseStatus.PENDING
    )
    # Paid towards the promise between its making and its date plus grace.
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Callback(UUIDKey, Base):
    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_loan_due", "loan_id", "due_at"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_attempts.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(UUIDKey, Base):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PlanStatus(enum.StrEnum):
    PROPOSED = "proposed"
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class RepaymentPlan(UUIDKey, Base):
    __tablename__ = "repayment_plans"

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.PROPOSED)
    total_amount: Mapped[Decimal] = mapped_column(Money)
    down_payment: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    penalty_waived: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    frequency: Mapped[str] = mapped_column(String(12))
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreement_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    agreement_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instalments: Mapped[list[PlanInstalment]] = relationship(order_by="PlanInstalment.seq")


class PlanInstalment(Base):
    __tablename__ = "plan_instalments"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("repayment_plans.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    paid_on: Mapped[date | None] = mapped_column(Date)


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class FieldVisit(UUIDKey, Base):
    __tablename__ = "field_visits"
    __table_args__ = (Index("ix_field_visits_agent_date", "agent_id", "planned_for"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), index=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    second_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    planned_for: Mapped[date] = mapped_column(Date)
    status: Mapped[VisitStatus] = mapped_column(str_enum(VisitStatus), default=VisitStatus.PLANNED)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposition: Mapped[str | None] = mapped_column(String(16))
    consent_to_enter: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EscalationDecision(enum.StrEnum):
    """What a team lead decides on an escalation."""

    PAUSE = "pause"  # collection stays paused
    RESUME = "resume"  # the pause is lifted
    REFER = "refer"  # stays paused; handed to someone else (the note says whom)


class Escalation(UUIDKey, Base):
    """A contact outcome the team lead must see and decide on (PRODUCT.md §6)."""

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_loan_raised", "loan_id", "raised_at"),
        Index("ix_escalations_raised_by", "raised_by_id", "raised_at"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_attempts.id"))
    # A kind from resources/escalations.json; what it pauses and whether it may resume live there.
    kind: Mapped[str] = mapped_column(String(20))
    raised_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[EscalationDecision | None] = mapped_column(str_enum(EscalationDecision))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(2000))


class AccountNote(UUIDKey, Base):
    """A free-text note on an account; notes are kept, never edited (PRODUCT.md §4 retention)."""

    __tablename__ = "account_notes"
    __table_args__ = (Index("ix_account_notes_loan_created", "loan_id", "created_at"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(String(2000))


__all__ = [
    "AccountNote",
    "AuditEvent",
    "Callback",
    "Channel",
    "ContactAttempt",
    "Escalation",
    "EscalationDecision",
    "FieldVisit",
    "PlanInstalment",
    "PlanStatus",
    "PromiseStatus",
    "PromiseToPay",
    "RepaymentPlan",
    "VisitStatus",
]
