from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.database import Database
from tests.helpers.portfolio import Portfolio


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
