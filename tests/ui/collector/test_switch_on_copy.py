"""Switching accounts on the collector's encrypted local copy, as the window does after a sync.

Opening the copy derives its key from the passphrase (SQLCipher's PBKDF2, 256,000 rounds, a
quarter of a second): the window's start and every switch reuse the connection already open,
and a switch reads the account once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.database import Database
from app.services.sync.local_store import open_local_store, passphrase_key
from app.ui.shell.main_window import MainWindow
from tests.helpers.portfolio import Account
from tests.ui.conftest import Shift, wait_idle


def switches(shift: Shift) -> list[tuple[Account, str]]:
    """Back and forth between the shift's accounts, each with its borrower's name."""
    second, first, ceased = (shift.second, "李娜"), (shift.first, "王芳"), (shift.ceased, "赵磊")
    return [second, first, ceased, second, first]


class Copy:
    """The encrypted copy and every connection opened to it since it was opened."""

    def __init__(self, path: Path) -> None:
        self.db = open_local_store(path, passphrase_key("the copy's own passphrase"))
        self.connects: list[Any] = []
        event.listen(self.db.engine, "connect", self._connected)

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        self.connects.append(dbapi_connection)


@pytest.fixture
def copy(tmp_path: Path) -> Iterator[Copy]:
    copy = Copy(tmp_path / "copy")
    yield copy
    copy.db.dispose()


@pytest.fixture
def db(copy: Copy) -> Database:
    """The shift's portfolio on an encrypted copy instead of a plain SQLite file."""
    return copy.db


def test_the_window_starts_and_switches_accounts_on_the_connection_that_opened_the_copy(
    qtbot: QtBot, window: MainWindow, shift: Shift, copy: Copy
) -> None:
    assert copy.db.engine.dialect.driver == "pysqlcipher"
    for account, name in switches(shift):
        with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
            assert window.queue.select_key(account.loan_id.hex)
        assert shown.args == [account.contract_no]
        assert window.workspace.header.name.text() == name
        wait_idle(qtbot, window)
    # The portfolio was written, the window started and the accounts shown without opening
    # the copy again: its key was derived once.
    assert not copy.connects, f"{len(copy.connects)} new connection(s) to the copy"


# What one switch reads of the copy: the account, its schedule, its contact points, each kind
# of history once, the rules' callbacks and past attempts, the last broken promise; and the
# view's audit event. One session reads them all, another writes the audit event.
SWITCH_STATEMENTS = 20
SWITCH_SESSIONS = 2


def test_a_switch_reads_the_account_once_in_one_session_and_writes_its_audit_event(
    qtbot: QtBot, window: MainWindow, shift: Shift, db: Database
) -> None:
    statements: list[str] = []
    checkouts: list[Any] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def checked_out(dbapi_connection: Any, *_: Any) -> None:
        checkouts.append(dbapi_connection)

    event.listen(db.engine, "before_cursor_execute", executed)
    event.listen(db.engine, "checkout", checked_out)
    try:
        for account, name in switches(shift):
            statements.clear()
            checkouts.clear()
            with qtbot.waitSignal(window.account_shown, timeout=10_000):
                assert window.queue.select_key(account.loan_id.hex)
            assert window.workspace.header.name.text() == name
            wait_idle(qtbot, window)
            assert len(statements) <= SWITCH_STATEMENTS, f"{len(statements)}: {statements}"
            assert len(checkouts) == SWITCH_SESSIONS
            assert sum(s.startswith("INSERT INTO audit_events") for s in statements) == 1
            assert sum(s.startswith("SELECT loans.") for s in statements) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", executed)
        event.remove(db.engine, "checkout", checked_out)
