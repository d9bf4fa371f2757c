"""Quitting with changes waiting: the window sends them first (to the real PostgreSQL test
server, through a relay the tests stop), or says what stays and lets the user choose."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.database import Database
from app.services.contact.contacts import record_contact
from app.services.portfolio.notes import add_note
from app.services.sync.engine import sync_status
from app.ui.common.settings import Settings
from app.ui.shell import sync_status as status_module
from app.ui.shell.main_window import MainWindow
from tests.helpers.contacts import NOW, outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.keychain import MemoryKeyring
from tests.helpers.startup import (
    ServerCentral,
    asked,
    opened,
    press_ok,
    server_central,
    sync_now,
)
from tests.ui.shell.test_sign_in import Site

QUIT_ANYWAY, TRY_AGAIN, CANCEL = 0, 1, 2


@pytest.fixture(autouse=True)
def no_sync_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # The window syncs by itself a moment after it opens: here only the quit may sync.
    monkeypatch.setattr(status_module, "FIRST_SYNC_MS", 600_000)


@pytest.fixture
def central(pg_db: Database) -> Iterator[ServerCentral]:
    world = server_central(pg_db)
    yield world
    world.close()


@pytest.fixture
def site(
    tmp_path: Path,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    central: ServerCentral,
    keychain: MemoryKeyring,
) -> Iterator[Site]:
    workstation = Site(tmp_path, ui_settings, dialogs, central)
    yield workstation
    workstation.close()


def _notes_on_server(central: ServerCentral, body: str) -> int:
    with central.admin.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT count(*) FROM account_notes WHERE text = :t"), {"t": body}
            ).scalar_one()
        )


def _work(central: ServerCentral, window: MainWindow, note: str) -> None:
    """An outcome and a note logged on the copy, not sent yet."""
    db, contract = window.context.db, central.mine[0].contract_no
    record_contact(db, outcome(central.mine[0], "NA", username=central.username), now=NOW)
    add_note(db, central.username, contract, note, now=NOW)
    assert sync_status(db).waiting > 0


def quit_window(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+Q, as the collector presses it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def _gone(window: MainWindow) -> bool:
    return not shiboken6.isValid(window) or not window.isVisible()


def _asked(dialogs: RecordingDialogs) -> list[str]:
    return [shown.text for shown in dialogs.shown if shown.kind == "choose"]


def test_quitting_with_nothing_waiting_quits_at_once(
    qtbot: QtBot, site: Site, dialogs: RecordingDialogs
) -> None:
    _, window = site.first_start(qtbot)
    # Opening the first account left an audit event: sent now, nothing waits.
    sync_now(qtbot, window)
    assert sync_status(window.context.db).waiting == 0
    quit_window(qtbot, window)
    qtbot.waitUntil(lambda: _gone(window), timeout=5_000)
    assert _asked(dialogs) == []


def test_quitting_with_changes_waiting_sends_them_to_the_server_first(
    qtbot: QtBot, site: Site, central: ServerCentral, dialogs: RecordingDialogs
) -> None:
    _, window = site.first_start(qtbot)
    _work(central, window, "Promised to call back on Monday.")
    quit_window(qtbot, window)
    qtbot.waitUntil(lambda: _gone(window), timeout=30_000)
    assert _notes_on_server(central, "Promised to call back on Monday.") == 1
    assert _asked(dialogs) == []
    assert sync_status(window.context.db).waiting == 0


def test_offline_the_quit_says_what_waits_and_quit_anyway_keeps_it_for_the_next_sign_in(
    qtbot: QtBot, site: Site, central: ServerCentral, dialogs: RecordingDialogs
) -> None:
    first, window = site.first_start(qtbot, remember=True)
    central.stop_answering()
    _work(central, window, "Left a message with the wife.")
    local = window.context.db
    waiting = sync_status(local).waiting
    dialogs.picks = [QUIT_ANYWAY]
    quit_window(qtbot, window)
    qtbot.waitUntil(lambda: _gone(window), timeout=30_000)
    (said,) = _asked(dialogs)
    assert f"{waiting} changes waiting to be sent: 1 outcome, 1 note" in said
    assert "audit entries" in said and "The oldest was made" in said
    assert "did not answer" in said
    assert "stay in the encrypted copy on this computer" in said
    assert dialogs.offered == [("Quit anyway", "Try again", "Cancel")]
    assert sync_status(local).waiting == waiting
    first.stop()

    # The next sign-in here: the changes are still in the copy, and they go.
    central.answer_again()
    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    at_open: list[int] = []
    startup.ready.connect(lambda w: at_open.append(sync_status(w.context.db).waiting))
    again = opened(qtbot, startup, lambda: press_ok(qtbot, dialog))
    assert at_open == [waiting]
    again.sync_now()
    qtbot.waitUntil(
        lambda: _notes_on_server(central, "Left a message with the wife.") == 1, timeout=30_000
    )


def test_cancel_keeps_the_window_and_try_again_sends_once_the_server_is_back(
    qtbot: QtBot, site: Site, central: ServerCentral, dialogs: RecordingDialogs
) -> None:
    _, window = site.first_start(qtbot)
    central.stop_answering()
    _work(central, window, "Asked for the bank's statement.")
    dialogs.picks = [CANCEL]
    quit_window(qtbot, window)
    qtbot.waitUntil(lambda: len(_asked(dialogs)) == 1, timeout=30_000)
    qtbot.wait(50)
    assert window.isVisible() and sync_status(window.context.db).waiting > 0
    assert window.leave_check is not None and not window.leave_check.active

    class BackOnline(RecordingDialogs):
        def choose(self, *args: object, **kwargs: object) -> int:
            answer = super().choose(*args, **kwargs)  # type: ignore[arg-type]
            central.answer_again()
            return answer

    answering = BackOnline(picks=[TRY_AGAIN])
    window.context.dialogs = answering
    quit_window(qtbot, window)
    qtbot.waitUntil(lambda: _gone(window), timeout=30_000)
    assert len(_asked(answering)) == 1
    assert _notes_on_server(central, "Asked for the bank's statement.") == 1


def test_a_server_that_does_not_answer_holds_the_quit_no_longer_than_its_bound(
    qtbot: QtBot, site: Site, central: ServerCentral, dialogs: RecordingDialogs
) -> None:
    _, window = site.first_start(qtbot)
    _work(central, window, "Hung up after the greeting.")
    port = central.proxy.port
    central.stop_answering()
    # The same address takes the connection and then says nothing (a server gone silent).
    silent = socket.create_server(("127.0.0.1", port))
    controller = window.sync
    assert controller is not None

    syncing: list[bool] = []

    class NoteSyncing(RecordingDialogs):
        def choose(self, *args: object, **kwargs: object) -> int:
            syncing.append(controller.running)
            return super().choose(*args, **kwargs)  # type: ignore[arg-type]

    answering = NoteSyncing(picks=[QUIT_ANYWAY])
    window.context.dialogs = answering
    try:
        check = window.leave_check
        assert check is not None
        check.wait_ms = 2_000
        quit_window(qtbot, window)
        # The progress shows while it waits...
        qtbot.waitUntil(
            lambda: check.progress is not None and check.progress.isVisible(), timeout=5_000
        )
        assert controller.running
        # ...then, at the bound, with the sync still trying (its connection gives up at 5 s),
        # what waits is said.
        qtbot.waitUntil(lambda: _gone(window), timeout=5_000)
        (said,) = _asked(answering)
        assert syncing == [True]
        assert "has not answered within 2 s" in said and "1 note" in said
    finally:
        silent.close()
