"""An account referred to legal by a team lead, and the steps of its case (docs/domain.md
§10): the firm and lawyer instructed, the filing, hearings, the judgment,
enforcement, costs, recoveries, and the case's close. Leads' records: a collector's copy
never holds them (the account simply leaves the collector's queue, by the borrower's
`legal_referral` mark)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, UUIDKey, str_enum
from app.models.types import Money, UTCDateTime, utcnow


class LegalStepKind(enum.StrEnum):
    """A step of a legal case, in the order a case goes through them."""

    LAWYER = "lawyer"  # a firm and lawyer instructed (again, when the lender changes them)
    FILING = "filing"  # the claim filed: case number and court
    HEARING = "hearing"  # one of several
    JUDGMENT = "judgment"  # once, with the amount awarded
    ENFORCEMENT = "enforcement"  # after the judgment
    COST = "cost"  # a fee or cost paid (an amount)
    RECOVERY = "recovery"  # money recovered through the case (an amount)
    CLOSED = "closed"  # the end: the case takes no more steps


class LegalCase(UUIDKey, Synced, Base):
    """A team lead's referral of an account to legal: while it is open (not withdrawn) the
    borrower carries the `legal_referral` mark, which stops collection."""

    __tablename__ = "legal_cases"
    __table_args__ = (Index("ix_legal_cases_loan", "loan_id"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    borrower_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("borrowers.id"))
    reason: Mapped[str] = mapped_column(String(500))
    referred_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A referral withdrawn before the case was filed: the account returns to collection.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))


class LegalStep(UUIDKey, Synced, Base):
    """One dated step of a legal case; written once, never changed."""

    __tablename__ = "legal_steps"
    __table_args__ = (
        Index("ix_legal_steps_case_on", "case_id", "happened_on"),
        Index("ix_legal_steps_loan", "loan_id"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("legal_cases.id"))
    # The case's loan, so scope and a pull's marks need no join.
    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    kind: Mapped[LegalStepKind] = mapped_column(str_enum(LegalStepKind))
    # The day it happened (the business zone's calendar).
    happened_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    firm: Mapped[str | None] = mapped_column(String(120))
    lawyer: Mapped[str | None] = mapped_column(String(80))
    case_number: Mapped[str | None] = mapped_column(String(60))
    court: Mapped[str | None] = mapped_column(String(120))
    # A judgment's amount awarded, a cost's or a recovery's amount.
    amount: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(1000))


__all__ = ["LegalCase", "LegalStep", "LegalStepKind"]
