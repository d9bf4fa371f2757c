"""The real window on a small, exact portfolio, with a clock the tests hold still.

`start_window` opens the window on the test's database itself (no local copy, no central
database, no sync), so a test reads and writes the very rows the window shows. The start of a
workstation (its encrypted copy, the demo central, the sign-in) is tried in test_start.py and
test_sign_in.py. No test here reaches the machine's real keychain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.config import Config
from app.database import Database
from app.ui.collector.script_view import ScriptView
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.keychain import MemoryKeyring, memory_keychain, no_keychain
from tests.helpers.portfolio import Account, Portfolio

BEIJING = ZoneInfo("Asia/Shanghai")
# Friday 27 November 2026, 10:00 in Beijing: inside the CN calling hours.
SHIFT_NOW = datetime(2026, 11, 27, 10, 0, tzinfo=BEIJING).astimezone(UTC)
COLLECTOR = "zhang.wei"


@dataclass(frozen=True)
class Shift:
    portfolio: Portfolio
    first: Account  # highest overdue, callable
    second: Account  # callable
    ceased: Account  # the borrower asked to stop contact: blocked
    now: datetime


@pytest.fixture(autouse=True)
def _no_real_keychain() -> Iterator[None]:
    """A machine without a keychain, unless the test asks for `keychain`."""
    with no_keychain():
        yield


@pytest.fixture
def keychain(_no_real_keychain: None) -> Iterator[MemoryKeyring]:
    """A keychain in memory, whose entries the test can read."""
    with memory_keychain() as backend:
        yield backend


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def dialogs() -> RecordingDialogs:
    return RecordingDialogs()


@pytest.fixture
def shift(portfolio: Portfolio) -> Shift:
    today = SHIFT_NOW.astimezone(BEIJING).date()
    first = portfolio.account(
        today=today,
        dpd=45,
        principal="36000",
        name="王芳",
        numbers={"mobile": "13812345678", "emergency": "13900001111"},
    )
    second = portfolio.account(
        today=today, dpd=12, principal="12000", name="李娜", numbers={"mobile": "13987654321"}
    )
    ceased = portfolio.account(
        today=today,
        dpd=30,
        principal="24000",
        name="赵磊",
        numbers={"mobile": "13700001234"},
        cease_requested=True,
    )
    return Shift(portfolio, first, second, ceased, SHIFT_NOW)


def start_window(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    settings: Settings,
    dialogs: RecordingDialogs,
    now: datetime,
    username: str | None = COLLECTOR,
) -> tuple[Startup, MainWindow]:
    config = Config(data_dir=tmp_path, database_url=db.url)
    startup = Startup(
        config, username, settings=settings, dialogs=dialogs, clock=lambda: now, database=db
    )
    with qtbot.waitSignal(startup.ready, timeout=30_000) as ready:
        startup.start()
    window = ready.args[0]
    assert isinstance(window, MainWindow)
    # Not qtbot.addWidget: a language switch deletes the window, and qtbot would then close
    # a deleted object; `launch` closes whatever is still alive.
    return startup, window


Launch = Callable[[], tuple[Startup, MainWindow]]


@pytest.fixture
def launch(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[Launch]:
    """Opens the window on the shift's portfolio, as the collector, each time it is called."""
    started: list[Startup] = []

    def launch() -> tuple[Startup, MainWindow]:
        startup, window = start_window(qtbot, db, tmp_path, ui_settings, dialogs, shift.now)
        started.append(startup)
        wait_idle(qtbot, window)
        return startup, window

    yield launch
    for startup in started:
        if startup.window is not None and shiboken6.isValid(startup.window):
            startup.window.leave()
        startup.stop()


@pytest.fixture
def window(launch: Launch) -> Iterator[MainWindow]:
    _, window = launch()
    yield window
    window.close()


def verified(script: ScriptView) -> None:
    """Through greeting, identity check and both disclosures to the account step's end."""
    script.answer("speaking")
    script.answer("match")
    for _ in range(2):
        script.disclosure.setChecked(True)
        script.advance()
    script.advance()


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    """Until every background call the window made has answered."""
    qtbot.waitUntil(lambda: window.context.runner.pending == 0, timeout=20_000)
    qtbot.wait(1)
    qtbot.waitUntil(lambda: window.context.runner.pending == 0, timeout=20_000)


__all__ = ["COLLECTOR", "SHIFT_NOW", "Launch", "Shift", "start_window", "verified", "wait_idle"]
