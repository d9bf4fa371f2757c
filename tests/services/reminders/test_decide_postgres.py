"""On the central server the dispatcher decides what it decides on the embedded database: the
same demo portfolio built on each, the same messages at the same moments, carrying the same."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.database import Database
from app.demo.builder import build_demo
from app.services.reminders.dispatch import decide
from tests.services.reminders.test_decisions_unchanged import _digest

AS_OF = datetime.fromisoformat("2026-11-28T10:00:00+08:00")


def _decided(db: Database, at: datetime) -> tuple[list[str], dict[str, int]]:
    with db.reader() as session:
        decided = decide(session, at)
    return [_digest(c) for c in decided.messages], dict(decided.skipped)


def test_the_server_decides_as_the_embedded_database(db: Database, pg_db: Database) -> None:
    for database in (db, pg_db):
        build_demo(database, accounts=150, seed=5, as_of=AS_OF)
    for moment in (AS_OF, AS_OF + timedelta(days=3, hours=4)):
        embedded, server = _decided(db, moment), _decided(pg_db, moment)
        assert len(embedded[0]) > 20
        assert server == embedded, moment
