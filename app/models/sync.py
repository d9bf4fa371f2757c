"""The bookkeeping of sync: a workstation's outbox, cursor and conflicts; the server's record
of what each workstation has sent. Both sides carry every table (one schema everywhere); a
workstation's server-side tables and the server's workstation-side ones simply stay empty."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UUIDKey
from app.models.types import UTCDateTime, utcnow


class OutboxEntry(Base):
    """One local change waiting to be sent, written by a trigger in the same transaction as
    the change itself. `seq` is this workstation's numbering of its changes: AUTOINCREMENT,
    so a number is never handed out twice, even after the entries before it are gone."""

    __tablename__ = "sync_outbox"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(Text)  # JSON array of the primary key, as stored
    op: Mapped[str] = mapped_column(String(10))  # insert | update
    # The row as it was before an update (JSON object, as stored): what changed is the
    # difference to the row when it is sent, and its row_version is the edit's base.
    old: Mapped[str | None] = mapped_column(Text)
    # When the change was written here (UTC, the trigger's clock): what waits longest is said
    # when the user quits with changes waiting. None for changes queued before revision 0020.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncState(Base):
    """The one row saying whose copy this is and how far it has synced."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    username: Mapped[str] = mapped_column(String(60))
    # This workstation's name for the server: one per user of the installation.
    workstation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    cursor: Mapped[int | None] = mapped_column(BigInteger)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(default=0, server_default="0")


class SyncConflict(UUIDKey, Base):
    """A local change the server did not take: kept for the user to see, re-apply or drop."""

    __tablename__ = "sync_conflicts"

    seq: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(Text)
    loan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # conflict | refused
    reason: Mapped[str] = mapped_column(Text)
    # The columns the local edit changed, as stored locally (JSON object).
    local_values: Mapped[str] = mapped_column(Text)
    server_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncPause(Base):
    """While a row is here, local writes are sync's own (a pull) and stay out of the outbox."""

    __tablename__ = "sync_pause"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class SyncClock(Base):
    """The embedded central's transaction counter (PostgreSQL uses its own xid8 instead)."""

    __tablename__ = "sync_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tick: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class SyncWorkstation(Base):
    """Server side: the last change number applied from each workstation. Updated in the same
    transaction as the changes, so a change sent twice is applied once."""

    __tablename__ = "sync_workstations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    last_applied: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncOutcome(Base):
    """Server side: what became of a workstation's change, where the workstation still needs
    to know after a crash — a change not applied, and why (it becomes a conflict the user
    sees), or the version an edit of a mutable row made (later edits of the row start from
    it). Written in the server's transaction; the workstation clears them once it has read
    them."""

    __tablename__ = "sync_outcomes"

    workstation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sync_workstations.id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_key: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # applied | conflict | refused
    reason: Mapped[str] = mapped_column(Text)
    server_version: Mapped[int | None] = mapped_column(Integer)


class SyncMark(Base):
    """Server side (PostgreSQL): the transactions that wrote an account's rows, by table, so a
    pull finds the accounts of its user's scope with something new without reading everyone's
    changes (migration 0027). `key_id` is the loan the row belongs to, or for a borrower's own
    rows (borrowers, contact_points) the borrower; `tx` the writing transaction (as the row's
    `changed_tx`). Written only by the server's triggers, in the transaction that writes the
    row; a newer mark of the same key and table replaces the older ones. Empty on SQLite."""

    __tablename__ = "sync_marks"

    key_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
