from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from app.database import Database
from tests.helpers.portfolio import Portfolio

if TYPE_CHECKING:
    from tests.helpers.reminders_demo import RemindersDemo

# Property tests: no per-example deadline (a loaded two-core machine is slow, not wrong). Under
# CI the examples are derandomised, so a run is the same every time and a failure repeats;
# elsewhere they vary from run to run, which finds more. HYPOTHESIS_PROFILE picks one by name.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
_UNDER_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _UNDER_CI else "dev"))


@pytest.fixture(autouse=True)
def _default_profile_as_shipped() -> Iterator[None]:
    """Each test starts with the shipped default contact-rule profile: a signed-in server's or
    a settings dialog's choice is process-wide and must not reach the next test."""
    from app.services.contact.compliance import set_installation_default, set_server_default

    yield
    set_server_default(None)
    set_installation_default(None)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty embedded database upgraded by the migrations, once a session (a worker's):
    `db` copies the file, which takes a millisecond where the migrations take a third of a
    second. Checkpointed, so that the one file holds every page (no write-ahead log beside it)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


@pytest.fixture
def db(tmp_path: Path, _migrated_sqlite: Path) -> Iterator[Database]:
    """An empty, upgraded embedded database in a temporary folder: a copy of the session's
    migrated file, the test's own."""
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(_migrated_sqlite, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def portfolio(db: Database) -> Portfolio:
    return Portfolio(db)


@pytest.fixture(scope="session")
def _pg_template_dropped() -> Iterator[None]:
    """The session's migrated PostgreSQL template (made by the first `pg_db`) is dropped when
    the session ends."""
    from tests.helpers.postgres import drop_migrated_template

    yield
    drop_migrated_template()


@pytest.fixture
def pg_db(_pg_template_dropped: None) -> Iterator[Database]:
    """An empty PostgreSQL database upgraded by the migrations, the test's own: a copy of the
    session's migrated template (tests/helpers/postgres.py, `migrated_database`); fails under
    CI without a server."""
    from tests.helpers.postgres import migrated_database

    with migrated_database() as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.fixture(scope="session")
def demo_300(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio of 300 accounts (seed 7) as of 2026-11-28 10:00 in Beijing, with the
    reminders job's history of its last days, built once a session (a worker's) where no test
    writes: a test copies the folder (`copy_demo`)."""
    from tests.helpers.reminders_demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo-300"))


@pytest.fixture
def demo_300_copy(demo_300: Path, tmp_path: Path) -> Path:
    """The test's own copy of `demo_300`: its temporary folder."""
    from tests.helpers.reminders_demo import copy_demo

    return copy_demo(demo_300, tmp_path)


@pytest.fixture(scope="session")
def demo_300_bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`demo_300` without the reminders job's own history (`demo-data --no-reminders`): the
    job's first run is yet to come. Never written: a test copies it."""
    from tests.helpers.reminders_demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo-300-bare"), reminders=False)


@pytest.fixture
def demo_300_bare_copy(demo_300_bare: Path, tmp_path: Path) -> Path:
    """The test's own copy of `demo_300_bare`: its temporary folder."""
    from tests.helpers.reminders_demo import copy_demo

    return copy_demo(demo_300_bare, tmp_path)


@pytest.fixture(scope="session")
def reminders_demo(demo_300_bare: Path, tmp_path_factory: pytest.TempPathFactory) -> RemindersDemo:
    """tests/helpers/reminders_demo.py's book of two days of reminders, built once a session
    (a worker's) on a copy of `demo_300_bare`. Read only: a test that writes works on a copy."""
    from tests.helpers.reminders_demo import build_reminders_demo

    return build_reminders_demo(tmp_path_factory.mktemp("reminders-demo"), demo_300_bare)
