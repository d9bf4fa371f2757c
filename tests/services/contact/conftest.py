"""What several of the queue's test modules start from: demo portfolios built once a session (a
worker's), each test working on a copy of its own; and the small world the random writes of
tests/helpers/queue_facts.py go to, one a module."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.database import Database
from app.demo.builder import build_demo
from tests.helpers.queue_facts import AT, World, new_world


@pytest.fixture(scope="session")
def _demos(
    _migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[int, int], Path]:
    """The file of a demo of `accounts` accounts (`seed`) as of AT (10:00 in Beijing), built
    the first time a test of the session (a worker's) asks for it; no test writes to it."""
    built: dict[tuple[int, int], Path] = {}

    def demo(accounts: int, seed: int) -> Path:
        if (accounts, seed) not in built:
            path = tmp_path_factory.mktemp("queue-demo") / "demo.sqlite3"
            shutil.copyfile(_migrated_sqlite, path)
            db = Database(f"sqlite:///{path}")
            build_demo(db, accounts=accounts, seed=seed, as_of=AT)
            db.dispose()
            built[(accounts, seed)] = path
        return built[(accounts, seed)]

    return demo


@pytest.fixture
def demo_copy(
    _demos: Callable[[int, int], Path], tmp_path: Path
) -> Iterator[Callable[[int, int], Database]]:
    """`demo_copy(accounts, seed)`: the test's own copy of that demo, open until it ends."""
    opened: list[Database] = []

    def copy(accounts: int, seed: int) -> Database:
        path = tmp_path / f"demo-{len(opened)}.sqlite3"
        shutil.copyfile(_demos(accounts, seed), path)
        opened.append(Database(f"sqlite:///{path}"))
        return opened[-1]

    yield copy
    for database in opened:
        database.dispose()


@pytest.fixture(scope="module")
def world(_migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """tests/helpers/queue_facts.py's five accounts, the module's own."""
    path = tmp_path_factory.mktemp("summary") / "summary.sqlite3"
    shutil.copyfile(_migrated_sqlite, path)
    db = Database(f"sqlite:///{path}")
    yield new_world(db)
    db.dispose()
