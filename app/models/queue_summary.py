"""What the queue reads of each account's history, kept by the database itself.

`loan_queue_summary` holds, per loan, the facts behind a queue row that do not depend on the
clock: the last contact (an attempt someone answered), the open callbacks, the pending and the
latest failed promise, the latest broken plan and the open priority overrides. Triggers keep it
(migration 0019) in the same transaction as the rows it sums up, whoever writes them: a
window, the command line, a sync, the feed. Whatever depends on the clock (due today, broken
within the last week, the day in the viewer's zone) is worked out when the queue is read, from
the instants and dates kept here, so a row never goes stale as time passes.

`queue_summary_codes` is the dispositions the summary counts as a contact (those whose
`contact` flag is set in resources/dispositions.json) as it was built: the queue reads the
summary only while they are the catalogue's, and `db repair-summary` brings both up to date.

Neither table is synced: each database keeps its own from its own rows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.activity import PromiseStatus
from app.models.base import Base, str_enum
from app.models.types import Money, UTCDateTime


class LoanQueueSummary(Base):
    """One loan's queue facts; a loan without a row has none of them."""

    __tablename__ = "loan_queue_summary"

    loan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("loans.id", ondelete="CASCADE"), primary_key=True
    )
    # The latest attempt whose disposition is a contact (queue_summary_codes).
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Callbacks not done: how many, and the earliest one due.
    open_callbacks: Mapped[int] = mapped_column(default=0, server_default="0")
    next_callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Pending promises: how many, and the last by (promised_date, created_at, id).
    pending_promises: Mapped[int] = mapped_column(default=0, server_default="0")
    pending_promise_on: Mapped[date | None] = mapped_column(Date)
    pending_promise_amount: Mapped[Decimal | None] = mapped_column(Money)
    # The last broken or partly kept promise by (promised_date, created_at, id).
    failed_promise_on: Mapped[date | None] = mapped_column(Date)
    failed_promise_status: Mapped[PromiseStatus | None] = mapped_column(str_enum(PromiseStatus))
    failed_promise_amount: Mapped[Decimal | None] = mapped_column(Money)
    failed_promise_paid: Mapped[Decimal | None] = mapped_column(Money)
    # When the latest broken plan broke.
    broken_plan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Priority overrides not cleared (expired or not: expiry is the clock's).
    open_overrides: Mapped[int] = mapped_column(default=0, server_default="0")


class QueueSummaryCode(Base):
    """A disposition code the summary counts as a contact."""

    __tablename__ = "queue_summary_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
