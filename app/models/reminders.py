"""What the lender sends by itself: reminder messages, opt-outs, credit-reporting notices.

None of these tables is synced: the dispatcher runs on the central database (or the embedded
one that plays it) and writes them there. What a collector sees of a message is the contact
attempt the dispatcher records with it (channel sms/email, disposition SENT, DELIVERED,
FAILED or OPTED-OUT), which syncs as every attempt does.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.activity import Channel
from app.models.base import Base, UUIDKey, str_enum
from app.models.types import UTCDateTime, utcnow


class MessageStatus(enum.StrEnum):
    # Written and committed before the send: a run killed after it resolves it by its key.
    PLANNED = "planned"
    SENT = "sent"  # the provider accepted it
    DELIVERED = "delivered"
    FAILED = "failed"
    OPTED_OUT = "opted_out"  # the provider refused it: the recipient opted out
    # Planned, then not sent: a rule stopped it between the plan and the send.
    CANCELLED = "cancelled"


class ReminderMessage(UUIDKey, Base):
    """One message to one of the borrower's own contact points, from its plan to its delivery."""

    __tablename__ = "reminder_messages"
    __table_args__ = (
        Index("ix_reminder_messages_borrower_planned", "borrower_id", "planned_at"),
        Index("ix_reminder_messages_status", "status"),
        Index("ix_reminder_messages_loan", "loan_id"),
    )

    # Stable across runs: loan, step, the due date the step counts from, channel.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    # None once the borrower's personal data is erased (app.services.common.erasure).
    contact_point_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_points.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    # The strategy step (resources/reminders/<PROFILE>.json) and its kind.
    step: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), default="reminder")
    language: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(40))
    # The carrier-registered template code (SMS).
    template_code: Mapped[str | None] = mapped_column(String(40))
    segments: Mapped[int | None]
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus))
    provider_id: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str | None] = mapped_column(String(300))
    # Who sent it (the system login) and the contact attempt recorded with its answer.
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    attempt_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contact_attempts.id"))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The moment its send began: on a planned message, a send under way (or whose answer was
    # lost); kept when the answer comes, even by a later run. Cleared only by an answer that it
    # did not go ("try again later", or no trace at the provider), each counted in `retries`.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retries: Mapped[int] = mapped_column(default=0, server_default="0")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderOptOut(UUIDKey, Base):
    """A borrower who asked for no more messages on a channel: none goes there again."""

    __tablename__ = "reminder_opt_outs"
    __table_args__ = (UniqueConstraint("borrower_id", "channel"),)

    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "borrower" (told a collector), "provider" (the carrier refused: the recipient opted out).
    source: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class CreditNotice(UUIDKey, Base):
    """The notice given before adverse information on a loan may be reported to the credit
    bureau (不良信息报送告知): when, how, and the day reporting may begin."""

    __tablename__ = "credit_notices"
    __table_args__ = (Index("ix_credit_notices_loan", "loan_id"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    # sms, email or letter.
    channel: Mapped[str] = mapped_column(String(10))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reporting_from: Mapped[date] = mapped_column(Date)
    # The letter issued (app.models.IssuedDocument) or the message sent, when there is one.
    document_id: Mapped[uuid.UUID | None]
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reminder_messages.id"))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
