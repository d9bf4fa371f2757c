"""What several of the queue's test modules start from: a demo portfolio built once a session
(a worker's), each test working on a copy; and the small world the random writes of
tests/helpers/queue_facts.py go to, one a module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.database import Database
from app.demo.builder import build_demo
from tests.helpers.queue_facts import AT, World, new_world


@pytest.fixture(scope="session")
def queue_demo(_migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo of 300 accounts (seed 5) as of AT (10:00 in Beijing): a file no test writes
    to."""
    path = tmp_path_factory.mktemp("queue-demo") / "demo.sqlite3"
    shutil.copyfile(_migrated_sqlite, path)
    db = Database(f"sqlite:///{path}")
    build_demo(db, accounts=300, seed=5, as_of=AT)
    db.dispose()
    return path


@pytest.fixture
def queue_demo_db(queue_demo: Path, tmp_path: Path) -> Iterator[Database]:
    """The test's own copy of `queue_demo`."""
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(queue_demo, copy)
    database = Database(f"sqlite:///{copy}")
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def world(_migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """tests/helpers/queue_facts.py's five accounts, the module's own."""
    path = tmp_path_factory.mktemp("summary") / "summary.sqlite3"
    shutil.copyfile(_migrated_sqlite, path)
    db = Database(f"sqlite:///{path}")
    yield new_world(db)
    db.dispose()
