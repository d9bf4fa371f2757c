"""Champion / challenger experiments on a team's queue (issue 21, item 6).

An `Experiment` is a team lead's trial of another queue weighting (the challenger, a file of
the shape of resources/queue_weights.json, kept whole in `challenger_weights`) against today's
(the champion), on a random share of the team's accounts, with a holdout. Each account's arm
is a keyed hash of the experiment and the loan (`experiment_arms.arm_of` in
app/services/common/): the same account always lands in the same arm, also one that arrives
later. An `ExperimentAssignment` records it, with the account's days past due and overdue
amount at that moment (what the arms' balance and the comparison start from); it is written
once and never changed (the server refuses an update).

The holdout gets the champion's queue order and every reminder, like the champion: it is the
accounts the experiment leaves alone (see the service module for why reminders are not held
out).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UUIDKey
from app.models.types import Money, UTCDateTime, utcnow

ARMS = ("champion", "challenger", "holdout")


class Experiment(UUIDKey, Base):
    """A champion / challenger trial on one team's queue (see the module)."""

    __tablename__ = "experiments"
    __table_args__ = (Index("ix_experiments_team_starts", "team_id", "starts_on"),)

    name: Mapped[str] = mapped_column(String(80), unique=True)
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    # Shares of the team's accounts in percent, adding up to 100.
    champion_share: Mapped[int] = mapped_column(Integer)
    challenger_share: Mapped[int] = mapped_column(Integer)
    holdout_share: Mapped[int] = mapped_column(Integer)
    # The challenger's queue weights (JSON, the shape of resources/queue_weights.json).
    challenger_weights: Mapped[str] = mapped_column(Text)
    # The key of the hash that assigns the arms (hex), drawn when the experiment is defined.
    assignment_key: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ExperimentAssignment(Base):
    """One account's arm in one experiment, as first recorded; never changed."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (Index("ix_experiment_assignments_loan", "loan_id"),)

    experiment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), primary_key=True)
    arm: Mapped[str] = mapped_column(String(12))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The account at assignment: days past due and overdue amount (yuan).
    dpd: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[Decimal] = mapped_column(Money)
