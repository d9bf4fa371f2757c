"""The queue's memo of its own answers, so that a queue read afresh (a window opened again, the
command line) computes again only the accounts whose inputs changed since.

`queue_stamps` holds, per borrower, a number that triggers move on every write of a row the
queue reads for that borrower's accounts (migration 0022): the borrower, their loans and
instalments, their numbers and addresses, the attempts on them, the callbacks, promises,
plans and overrides on their loans. The row whose borrower is `ALL_BORROWERS` is every
borrower's at once: it moves when the triggers were off for a bulk write.

`queue_memo` holds, per user and account, the answer the user's queue last computed (rank
key, reasons' parts, the rules' decision, until when it holds), the stamps it was computed
from and a fingerprint of everything else it depends on (the day, the business data in
resources/, the code). Writing it is a step of its own (`LiveQueue.remember`), never part of a
read. A read takes an account's answer from it only when the stamps and the fingerprint are
the same and the moment lies within the answer's span; every other account is computed again.

Neither table is synced, and neither is used on a central server (no triggers there): each
workstation's copy keeps its own.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

# The stamp of every borrower at once (no borrower has this key).
ALL_BORROWERS = uuid.UUID(int=0)


class QueueStamp(Base):
    """How many times a borrower's queue inputs were written to (see the module)."""

    __tablename__ = "queue_stamps"

    borrower_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class QueueMemo(Base):
    """One account's place in one user's queue, as last computed; instants in microseconds
    since 1970 (UTC), amounts as their decimal text."""

    __tablename__ = "queue_memo"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # What it was computed from: the borrower, their stamp and every borrower's, the rest.
    borrower_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stamp: Mapped[int] = mapped_column(BigInteger)
    epoch: Mapped[int] = mapped_column(BigInteger)
    context: Mapped[str] = mapped_column(String(64))
    # It holds from computed_at until holds_until (none: until the day ends).
    computed_at: Mapped[int] = mapped_column(BigInteger)
    holds_until: Mapped[int | None] = mapped_column(BigInteger)
    # The answer; all empty for an account that is not in the queue that day.
    dpd: Mapped[int | None] = mapped_column(Integer)
    principal: Mapped[str | None] = mapped_column(String(24))
    interest: Mapped[str | None] = mapped_column(String(24))
    penalty: Mapped[str | None] = mapped_column(String(24))
    fees: Mapped[str | None] = mapped_column(String(24))
    score: Mapped[int | None] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(32))
    reasons: Mapped[str | None] = mapped_column(Text)
    allowed: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(Text)
    point_id: Mapped[str | None] = mapped_column(String(32))
    priority_level: Mapped[str | None] = mapped_column(String(16))
    priority_expires_at: Mapped[int | None] = mapped_column(BigInteger)
