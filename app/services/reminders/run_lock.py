"""One reminders run at a time on a database.

A run that reached a message whose send another run had begun and not yet answered would take
it for the leftover of a killed run: its sender has no trace of it yet (the spool's file, or
QuerySendDetails a moment after SendSms), so it would send it again. A lender's timer or cron
line starts a run every half hour whether the last one has ended or not, and an operator may
start one by hand meanwhile: each run holds this lock from deciding to its last answer, and a
second one that cannot have it within a few seconds sends nothing and says so.

The lock goes with the process that holds it: a run killed (even with SIGKILL) lets go of it,
and the next run carries on where it stopped.

- PostgreSQL: a session-level advisory lock, held on a connection of its own for the run
  (never inside a transaction: the logins' idle-in-transaction timeout would end it). The
  server drops it with the connection.
- SQLite: an exclusive transaction on a lock file beside the database
  (`central.sqlite3.reminders-lock`), which SQLite holds with the operating system's own file
  lock. An in-memory database is one process's alone: nothing to hold.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.database import Database
from app.services.common.errors import NotAllowed

# The PostgreSQL advisory lock's key ("remind"); the ledger's is another.
RUN_LOCK = 0x72656D696E64
# How long a run waits for the lock: long enough for a killed run's connection to be gone,
# short next to a run.
WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.2


class RunUnderWay(NotAllowed):
    """Another reminders run holds the lock: this one sends nothing."""


def _under_way() -> RunUnderWay:
    return RunUnderWay("Another reminders run is under way: this one sends nothing.")


@contextmanager
def run_lock(db: Database, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the database's reminders lock for the block; RunUnderWay when another run holds
    it for longer than `wait` seconds."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(db, wait):
            yield
        return
    path = make_url(db.url).database
    if not path or path == ":memory:":
        yield
        return
    with _lock_file(Path(path).with_name(Path(path).name + ".reminders-lock"), wait):
        yield


@contextmanager
def _advisory_lock(db: Database, wait: float) -> Iterator[None]:
    connection = db.engine.connect()
    try:
        deadline = time.monotonic() + wait
        while True:
            held = connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({RUN_LOCK})")
            got = bool(held.scalar_one())
            connection.commit()  # a session lock outlives the transaction: none stays open
            if got:
                break
            if time.monotonic() >= deadline:
                raise _under_way()
            time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            try:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({RUN_LOCK})")
                connection.commit()
            except DBAPIError:
                # The connection is gone, and the lock with it: never back into the pool.
                connection.invalidate()
    finally:
        connection.close()


@contextmanager
def _lock_file(path: Path, wait: float) -> Iterator[None]:
    connection = sqlite3.connect(path, timeout=wait, isolation_level=None)
    try:
        try:
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            raise _under_way() from None
        yield
    finally:
        connection.close()  # ends the transaction: the lock goes
