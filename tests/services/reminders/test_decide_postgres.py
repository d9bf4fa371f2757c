"""On the central server the dispatcher decides what it decides on the embedded database: the
same demo portfolio built on each (the same days of the reminders job with it), the same
messages at the same moments, carrying the same."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.database import Database
from app.demo.builder import build_demo
from app.models import ReminderMessage
from app.services.reminders.dispatch import decide
from tests.services.reminders.test_decisions_unchanged import _digest

AS_OF = datetime.fromisoformat("2026-11-28T10:00:00+08:00")


def _decided(db: Database, at: datetime) -> tuple[list[str], dict[str, int]]:
    with db.reader() as session:
        decided = decide(session, at)
    return [_digest(c) for c in decided.messages], dict(decided.skipped)


def _history(db: Database) -> list[tuple[object, ...]]:
    with db.reader() as session:
        return sorted(
            (m.key, m.status.value, m.planned_at, m.sent_at, m.reported_at, m.text, m.error)
            for m in session.scalars(select(ReminderMessage))
        )


def test_the_server_decides_as_the_embedded_database(db: Database, pg_db: Database) -> None:
    for database in (db, pg_db):
        build_demo(database, accounts=150, seed=5, as_of=AS_OF)
    # The demo's days of the reminders job are the same on both.
    assert _history(db) == _history(pg_db)
    assert len(_history(db)) > 20
    # The runs after the demo's moment (its history ends there).
    compared = 0
    for days in (1, 2, 3):
        moment = AS_OF + timedelta(days=days, hours=days - 1)
        embedded, server = _decided(db, moment), _decided(pg_db, moment)
        assert server == embedded, moment
        compared += len(embedded[0])
    assert compared > 20
