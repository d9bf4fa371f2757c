"""The queue's memo of its own answers, so that a queue read afresh (a window opened again, the
command line) computes again only the accounts whose inputs changed since.

`queue_stamps` holds, per borrower, the number of the last write to a row the queue reads for
that borrower's accounts (migration 0025's triggers number every such write, one after the
other across all borrowers): the borrower, their loans and instalments, their numbers and
addresses, the attempts on them, the callbacks, promises, plans and overrides on their loans.
The row whose borrower is `ALL_BORROWERS` stands for every borrower at once: it is numbered
when the triggers were off for a bulk write. A borrower without a row was not written to since
the stamps began.

`queue_memo` holds, per user and account, the answer the user's queue last computed (rank
key, reasons' parts, the rules' decision, until when it holds), the last number written when
its inputs were read (`seen`, read before them) and a fingerprint of everything else it
depends on (the day, the business data in resources/, the code). Writing it is a step of its
own (`LiveQueue.remember`), never part of a read. A read takes an account's answer from it
only when neither the borrower nor `ALL_BORROWERS` was written to after `seen`, the
fingerprint is the same and the moment lies within the answer's span; every other account is
computed again. A read finds what was written to since by the index on the numbers: it costs
what changed, not the size of the queue.

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
    """The number of the last write to a borrower's queue inputs (see the module)."""

    __tablename__ = "queue_stamps"

    borrower_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)


class QueueMemo(Base):
    """One account's place in one user's queue, as last computed; instants in microseconds
    since 1970 (UTC), amounts as their decimal text."""

    __tablename__ = "queue_memo"
    # A user's rows lie together, read in one pass.
    __table_args__ = ({"sqlite_with_rowid": False},)

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # What it was computed from: the borrower, the writes up to `seen`, the rest.
    borrower_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seen: Mapped[int] = mapped_column(BigInteger)
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
