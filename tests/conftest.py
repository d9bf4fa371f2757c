from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from app.database import Database
from tests.helpers.portfolio import Portfolio

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


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """An empty, upgraded embedded database in a temporary folder."""
    database = Database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def portfolio(db: Database) -> Portfolio:
    return Portfolio(db)


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """An empty PostgreSQL database upgraded by the migrations; fails under CI without a server."""
    from tests.helpers.postgres import fresh_database

    with fresh_database() as url:
        database = Database(url)
        database.upgrade()
        yield database
        database.dispose()
