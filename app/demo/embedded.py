"""The demo's central database: an embedded SQLite file beside the workstation's copy, built
with the demo portfolio on its first start and stamping its changes so workstations sync them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from app.database import Database
from app.demo.builder import build_demo
from app.services.common.users import UserView, list_users
from app.services.sync.engine import install_clock


def prepare_embedded_central(
    db: Database, *, accounts: int, progress: Callable[[int, int], None] | None = None
) -> list[UserView]:
    """The demo's central file: upgraded, built on its first start, stamping its changes."""
    db.upgrade()
    users = list_users(db)
    if not users:
        build_demo(db, accounts=accounts, progress=progress)
        users = list_users(db)
    install_clock(db)
    return users


def embedded_central_exists(url: str) -> bool:
    """Whether the demo's central file is there already: before the first start it is not, and
    `prepare_embedded_central` creates it and builds the demo."""
    path = make_url(url).database
    return bool(path) and path != ":memory:" and Path(str(path)).exists()
