"""Two writers at once on PostgreSQL: an import never adds a number another has just added.

Each test holds a transaction open in a session of its own (another import, or the feed, in the
middle of its work), starts the import in a thread, waits until PostgreSQL makes the import wait
for that transaction, then commits it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Borrower, ContactKind, ContactPoint, Loan
from app.services.common.errors import InvalidInput
from app.services.common.idnumbers import make
from app.services.portfolio.importing import ImportSummary, import_portfolio
from tests.helpers.contacts import NOW
from tests.services.portfolio.test_portfolio_import import _rows, _write

ID = make("110101", date(1990, 5, 17), 1)


class Running:
    """An import in a thread: its summary or its error once it ends."""

    def __init__(self, work: Callable[[], ImportSummary]) -> None:
        self.summary: ImportSummary | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work,))
        self.thread.start()

    def _run(self, work: Callable[[], ImportSummary]) -> None:
        try:
            self.summary = work()
        except BaseException as error:  # handed to the test's thread, which asserts on it
            self.error = error

    def end(self) -> None:
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()


def _wait_until_blocked(db: Database, running: Running) -> None:
    """Until a session of this database waits for a lock another transaction holds."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 20
    with db.engine.connect() as watcher:
        while watcher.execute(query).scalar_one() == 0:
            assert running.error is None
            assert time.monotonic() < deadline, "the import never waited for the other writer"
            # The activity view is read once a transaction: each look is a new one.
            watcher.rollback()
            time.sleep(0.05)


def _numbers(db: Database, value: str) -> int:
    with db.reader() as session:
        query = select(func.count()).where(ContactPoint.value == value)
        return session.scalar(query.select_from(ContactPoint)) or 0


def test_a_number_added_meanwhile_to_a_known_borrower_is_not_added_again(
    pg_db: Database, tmp_path: Path
) -> None:
    db = pg_db
    import_portfolio(db, _write(tmp_path / "day1.csv", _rows()[:3]), now=NOW)
    work = {"record": "contact", "id_number": ID, "kind": "work", "value": "010 6512 3456"}
    day2 = _write(tmp_path / "day2.csv", [work])
    with Session(db.engine) as other:
        borrower = other.scalars(
            select(Borrower).where(Borrower.id_number == ID).with_for_update()
        ).one()
        other.add(
            ContactPoint(borrower_id=borrower.id, position=2, kind=ContactKind.WORK,
                         value="+861065123456", region="CN", time_zones="Asia/Shanghai")
        )  # fmt: skip
        other.flush()
        running = Running(lambda: import_portfolio(db, day2, now=NOW))
        _wait_until_blocked(db, running)
        other.commit()
    running.end()
    assert running.error is None and running.summary is not None
    assert (running.summary.contact_points, running.summary.repeated_contact_points) == (0, 1)
    assert _numbers(db, "+861065123456") == 1


def test_a_borrower_written_meanwhile_refuses_the_import_in_one_line(
    pg_db: Database, tmp_path: Path
) -> None:
    db = pg_db
    rows = _rows()
    del rows[3]["assigned_to"]
    export = _write(tmp_path / "export.csv", rows)
    with Session(db.engine) as other:
        other.add(
            Borrower(name="王芳", id_number=ID, date_of_birth=date(1990, 5, 17), country="CN",
                     province="北京市", city="北京市", district="东城区", street="东四北大街1号")
        )  # fmt: skip
        other.flush()
        running = Running(lambda: import_portfolio(db, export, now=NOW))
        _wait_until_blocked(db, running)
        other.commit()
    running.end()
    assert isinstance(running.error, InvalidInput)
    assert "written by another import at the same time" in running.error.message
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Loan)) == 0
    assert _numbers(db, "+8613812345678") == 0


@pytest.fixture(autouse=True)
def _postgresql_only(pg_db: Database) -> None:
    assert pg_db.engine.dialect.name == "postgresql"
