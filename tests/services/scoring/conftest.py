"""A small demo portfolio the scoring tests share (read only: a test that writes builds its own)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.database import Database
from app.demo.builder import build_demo

AS_OF = datetime(2026, 12, 1, 10, 0, tzinfo=timezone(timedelta(hours=8)))
UNTIL = date(2026, 11, 17)
ACCOUNTS = 600


def demo(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    build_demo(db, accounts=ACCOUNTS, seed=7, as_of=AS_OF)
    return db


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = demo(tmp_path_factory.mktemp("scoring") / "demo.sqlite3")
    yield db
    db.dispose()
