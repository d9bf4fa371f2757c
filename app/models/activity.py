"""What collectors do on an account: contact attempts, promises to pay, callbacks, escalations
to the team lead and notes."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Synced, UUIDKey, read_by_loan_since, str_enum
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


# The outcomes the reminder dispatcher records for a message that went out (SENT, DELIVERED) or
# did not reach the borrower (FAILED), as SQL: the condition of the index of reminders below,
# which a query must spell the same to be read from it.
REMINDER_OUTCOMES_SQL = "disposition IN ('SENT', 'DELIVERED', 'FAILED')"


class ContactAttempt(UUIDKey, Synced, Base):
    __tablename__ = "contact_attempts"
    __table_args__ = (
        Index("ix_contact_attempts_loan_started", "loan_id", "started_at"),
        read_by_loan_since("contact_attempts"),
        # The reminders the dispatcher sent, by account, with what the queue reads of them (its
        # reason "reminder sent yesterday, no payment"): a collector's week of them is read
        # from this index alone, without a row of every call of the week (migration 0026).
        Index(
            "ix_contact_attempts_reminders",
            "loan_id",
            "started_at",
            "disposition",
            "channel",
            sqlite_where=text(REMINDER_OUTCOMES_SQL),
            postgresql_where=text(REMINDER_OUTCOMES_SQL),
        ),
        Index("ix_contact_attempts_borrower_started", "borrower_id", "started_at"),
        Index("ix_contact_attempts_point_started", "contact_point_id", "started_at"),
        Index("ix_contact_attempts_user_started", "user_id", "started_at"),
        # The workstation's own (SQLite only): a member's attempts over a span with every
        # column the team's figures read of them, the checklist too, so the dashboard reads
        # a span's attempts from this index alone; on the encrypted copy each row fetched
        # from the table instead costs a page to decrypt. PostgreSQL cannot put a json
        # column in a B-tree, and reads its rows (row-level security) anyway.
        Index(
            "ix_contact_attempts_user_figures",
            "user_id",
            "started_at",
            "disposition",
            "emotion",
            "duration_seconds",
            "after_call_seconds",
            "id",
            "checklist",
        ).ddl_if(dialect="sqlite"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    contact_point_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_points.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int] = mapped_column(default=0)
    # After-call work: from the end of the call to the outcome being saved (None: not timed,
    # e.g. logged from the command line).
    after_call_seconds: Mapped[int | None]
    # A code from resources/dispositions.json; its flags (contact, rpc, …) live there.
    disposition: Mapped[str] = mapped_column(String(16))
    right_party: Mapped[bool] = mapped_column(default=False)
    emotion: Mapped[str | None] = mapped_column(String(20))
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    script_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The stage of the call script shown (resources/scripts/index.json), with its path above.
    script_stage: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PromiseToPay(UUIDKey, Synced, Base):
    __tablename__ = "promises"
    __table_args__ = (
        Index("ix_promises_status_date", "status", "promised_date"),
        Index("ix_promises_loan", "loan_id"),
        # The promise a contact made: the dashboard's promised amounts and its drill-downs.
        Index("ix_promises_attempt", "attempt_id"),
        read_by_loan_since("promises"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_attempts.id"))
    # A promise made on a home visit has a visit instead of a contact attempt.
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("field_visits.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    promised_date: Mapped[date] = mapped_column(Date)
    status: Mapped[PromiseStatus] = mapped_column(
        str_enum(PromiseStatus), default=PromiseStatus.PENDING
    )
    # Paid towards the promise between its making and its date plus grace.
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Callback(UUIDKey, Synced, Base):
    __tablename__ = "callbacks"
    __table_args__ = (
        Index("ix_callbacks_loan_due", "loan_id", "due_at"),
        read_by_loan_since("callbacks"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_attempts.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(UUIDKey, Synced, Base):
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
    """Where a repayment plan is in its life (docs/domain.md §7); `app.services.plans.lifecycle`
    holds the allowed transitions."""

    DRAFT = "draft"  # saved by the collector, not yet submitted
    PENDING_APPROVAL = "pending_approval"  # outside policy: waits for a team lead
    APPROVED = "approved"  # within policy, or approved by a team lead
    REJECTED = "rejected"  # a team lead said no (the reason is kept)
    ISSUED = "issued"  # the agreement has its number and hash and was given to the borrower
    ACTIVE = "active"  # the borrower signed or paid: instalments are tracked
    COMPLETED = "completed"  # everything paid
    BROKEN = "broken"  # an instalment stayed unpaid past its grace period
    CANCELLED = "cancelled"


class RepaymentPlan(UUIDKey, Synced, Base):
    """A plan for the overdue amount of a loan, with the figures its agreement was made from.

    The overdue breakdown is kept as it was on the day of the offer, so the agreement can be
    printed again (and its hash recomputed) whatever the loan does later.
    """

    __tablename__ = "repayment_plans"

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.DRAFT)
    # "full", "instalments" or "settlement" (app.services.plans.offers.KINDS).
    kind: Mapped[str] = mapped_column(String(12), default="instalments")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # The day of the offer in the borrower's zone: the down payment is due on it.
    offered_on: Mapped[date | None] = mapped_column(Date)
    overdue_principal: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    overdue_interest: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    overdue_penalty: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    overdue_fees: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    total_amount: Mapped[Decimal] = mapped_column(Money)
    down_payment: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    penalty_waived: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    discount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    frequency: Mapped[str] = mapped_column(String(12))
    # The policy limits the plan goes beyond: [{"rule", "template", "params"}], for the lead.
    breaches: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Who approved or rejected it, and when. The columns keep 0001's names: renaming them means
    # rebuilding the table on SQLite, which the instalments' foreign key refuses (see 0003).
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        "approved_by_id", ForeignKey("users.id")
    )
    decided_at: Mapped[datetime | None] = mapped_column("approved_at", UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    agreement_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    agreement_date: Mapped[date | None] = mapped_column(Date)
    # The SHA-256 of the terms (app.services.documents.agreement_pdf.terms_digest).
    agreement_sha256: Mapped[str | None] = mapped_column(String(64))
    # The SHA-256 of the agreement file as issued: the one file `verify_agreement` calls
    # genuine. Recorded with the issue, in its transaction, and kept; None for plans issued
    # before files were fingerprinted (migration 0009).
    agreement_file_sha256: Mapped[str | None] = mapped_column(String(64))
    # The agreement's terms as issued (canonical JSON, app.services.documents.agreement_pdf):
    # reprints say exactly this, whatever is corrected on the borrower afterwards.
    agreement_terms: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Paid towards the down payment, from payments after the plan was issued.
    down_payment_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instalments: Mapped[list[PlanInstalment]] = relationship(order_by="PlanInstalment.seq")


class PlanInstalment(Synced, Base):
    __tablename__ = "plan_instalments"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("repayment_plans.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    paid_on: Mapped[date | None] = mapped_column(Date)


class PlanPauseOverride(UUIDKey, Synced, Base):
    """A team lead's decision that repayment plans may go ahead on an account whose collection
    is paused (docs/domain.md §7): who, when, why, and the pauses it lets a plan past.

    Written once, never changed. It covers only the pauses in force when the lead decided (the
    borrower's marks then set and the account's escalations then open), and only for the days
    `resources/plan_policy.json` gives it: a pause that comes later stops plans again.
    """

    __tablename__ = "plan_pause_overrides"
    __table_args__ = (Index("ix_plan_pause_overrides_loan_granted", "loan_id", "granted_at"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    granted_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(500))
    # The borrower marks set (app.models.BORROWER_FLAGS names) and the ids of the account's
    # escalations still open when the lead decided.
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class VisitStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class VisitRequest(UUIDKey, Synced, Base):
    """An account marked for a home visit by a team lead (docs/domain.md §1); closed by the
    visit."""

    __tablename__ = "visit_requests"
    __table_args__ = (Index("ix_visit_requests_loan", "loan_id", "closed_at"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("field_visits.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FieldVisit(UUIDKey, Synced, Base):
    """A home visit on a day's route; the outcome is recorded on the workstation, offline."""

    __tablename__ = "field_visits"
    __table_args__ = (Index("ix_field_visits_agent_date", "agent_id", "planned_for"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), index=True)
    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    second_agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    planned_for: Mapped[date] = mapped_column(Date)
    # The stop's place in the day's route, from 1, and the arrival the plan expects.
    route_position: Mapped[int] = mapped_column(default=0)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the account is visited: "marked" (a lead's request) or a rule id.
    reason: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[VisitStatus] = mapped_column(str_enum(VisitStatus), default=VisitStatus.PLANNED)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An outcome code from resources/visit_outcomes.json.
    disposition: Mapped[str | None] = mapped_column(String(16))
    emotion: Mapped[str | None] = mapped_column(String(20))
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    consent_to_enter: Mapped[bool | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EscalationDecision(enum.StrEnum):
    """What a team lead decides on an escalation."""

    PAUSE = "pause"  # collection stays paused
    RESUME = "resume"  # the pause is lifted
    REFER = "refer"  # stays paused; handed to someone else (the note says whom)


class Escalation(UUIDKey, Synced, Base):
    """A contact outcome the team lead must see and decide on (docs/domain.md §6)."""

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


class AccountNote(UUIDKey, Synced, Base):
    """A free-text note on an account; notes are kept, never edited (docs/domain.md §4,
    retention)."""

    __tablename__ = "account_notes"
    __table_args__ = (
        Index("ix_account_notes_loan_created", "loan_id", "created_at"),
        read_by_loan_since("account_notes"),
    )

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
    "PlanPauseOverride",
    "PlanStatus",
    "PromiseStatus",
    "PromiseToPay",
    "RepaymentPlan",
    "VisitRequest",
    "VisitStatus",
]
