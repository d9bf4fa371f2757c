"""Loans, their instalment schedules and the payments made on them."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from app.models.base import Base, Synced, UUIDKey, read_by_loan_since, str_enum
from app.models.borrowers import Borrower
from app.models.people import User
from app.models.types import Money, UTCDateTime, utcnow


class LoanStatus(enum.StrEnum):
    ACTIVE = "active"
    SETTLED = "settled"
    WRITTEN_OFF = "written_off"


class Loan(UUIDKey, Synced, Base):
    __tablename__ = "loans"
    __table_args__ = (
        Index("ix_loans_assigned_status", "assigned_to_id", "status"),
        # A team's pool: its accounts nobody is assigned to yet.
        Index("ix_loans_team_assigned", "team_id", "assigned_to_id"),
    )

    contract_no: Mapped[str] = mapped_column(String(32), unique=True)
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"), index=True)
    product: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    principal: Mapped[Decimal] = mapped_column(Money)
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    # Penalty interest (罚息) per day on overdue principal.
    penalty_rate_daily: Mapped[Decimal] = mapped_column(Numeric(8, 6))
    term_months: Mapped[int]
    disbursed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[LoanStatus] = mapped_column(str_enum(LoanStatus), default=LoanStatus.ACTIVE)
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The team whose account it is, set by the import (or the feed) and by the assignee's team;
    # while nobody is assigned, the account waits in this team's pool for its lead to allocate.
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"))
    # Who worked the loan before a team lead moved it (at `assigned_at`): for a week the central
    # database still takes what they logged offline before they heard of the move.
    previous_assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day the lending system closed the account (settled or written off, the feed's
    # `closure` record). None while it is open, and for a loan settled by its payments alone
    # (its last instalment's settled_on says when): a reversal of one of them opens that loan
    # again, never one the lender closed. Retention counts from it (app.services.privacy.retention).
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    borrower: Mapped[Borrower] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    instalments: Mapped[list[Instalment]] = relationship(
        back_populates="loan", order_by="Instalment.seq"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="loan", order_by="Payment.paid_at"
    )


class Instalment(Synced, Base):
    """One row of a loan's schedule, with what payments have covered of it so far.

    The *_paid, penalty and settled columns are written only by the payment allocation in
    `app.services.portfolio.balances`; nobody types them in.
    """

    __tablename__ = "instalments"
    # With whether each is settled, so a loan's oldest unpaid due date on a day (the
    # dashboard's buckets) is read from the index alone.
    __table_args__ = (
        Index("ix_instalments_loan_due_settled", "loan_id", "due_date", "settled_on"),
    )

    # The schedule comes from the lender's loan system, so a natural key is enough here.
    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(Date)
    principal_due: Mapped[Decimal] = mapped_column(Money)
    interest_due: Mapped[Decimal] = mapped_column(Money)
    fees_due: Mapped[Decimal] = mapped_column(Money)
    principal_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    interest_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    fees_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    penalty_accrued: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    penalty_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    # Penalty is accrued (into penalty_accrued) up to this date; from then on it is computed.
    accrued_to: Mapped[date | None] = mapped_column(Date)
    settled_on: Mapped[date | None] = mapped_column(Date)

    loan: Mapped[Loan] = relationship(back_populates="instalments")


class Payment(UUIDKey, Synced, Base):
    """A payment in the lending system's books: it counts towards the schedule, promises and
    plans until the lending system reverses it."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_loan_paid_at", "loan_id", "paid_at"),
        # The payments of a span (the dashboard's amounts collected).
        Index("ix_payments_paid_at", "paid_at"),
        read_by_loan_since("payments"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[Decimal] = mapped_column(Money)
    channel: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The lending system's own id of the payment (the daily feed's `payment_id`): a payment
    # sent again is known by it and counted once. None for payments from before the feed.
    source_id: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    # A reversal the lending system sent (a bounced transfer, a charge-back, a posting in
    # error): the payment stays on record and counts for nothing from then on.
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_id: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    loan: Mapped[Loan] = relationship(back_populates="payments")


def counted() -> ColumnElement[bool]:
    """The payments that count: every payment the lending system has not reversed."""
    return Payment.reversed_at.is_(None)


class ReportedPayment(UUIDKey, Synced, Base):
    """A payment the borrower says they made, typed by a collector (or anyone who works the
    account): shown as reported by the borrower, counted nowhere, until the lending system's
    feed brings the real one and it is matched to it."""

    __tablename__ = "reported_payments"
    __table_args__ = (Index("ix_reported_payments_loan_paid_at", "loan_id", "paid_at"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    reported_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # When the borrower says they paid, and how much, through which channel.
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[Decimal] = mapped_column(Money)
    channel: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The lending system's payment it turned out to be, matched by the feed.
    matched_payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"))
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
