"""The lead's Reminders tab on the demo as a new user finds it: the demo comes with its last
days of the reminders job (app/demo/reminders.py), so signing in as the lead (chen.ruize) and
pressing Ctrl+9 shows the day's real figures, its failures in words and the borrower whose
carrier refused the lender's texts; the dashboard counts the job's messages of the week."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from app.cli.common import DEFAULT_DEMO_ACCOUNTS
from app.database import Database
from app.demo.builder import build_demo
from app.services.common.clock import local_today
from app.services.reminders.overview import reminders_overview
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.reminders import OptOutColumn, Section, StepColumn
from app.ui.team.window import Tab, TeamWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import BEIJING

# The first start's demo at the screenshots' moment: a Friday, 10:00 in Beijing.
AS_OF = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
DAY = local_today(AS_OF)
LEAD = "chen.ruize"

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('demo-tab') / 'central.sqlite3'}")
    db.upgrade()
    build_demo(db, accounts=DEFAULT_DEMO_ACCOUNTS, seed=1, as_of=AS_OF)
    yield db
    db.dispose()


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


def _window(qtbot: QtBot, db: Database, runner: Runner, tmp_path: Path) -> TeamWindow:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    context = Context(
        db=db,
        username=LEAD,
        display_name=LEAD,
        runner=runner,
        dialogs=RecordingDialogs(),
        settings=Settings(store),
        formats=Formats("en", BEIJING),
        clock=lambda: AS_OF,
    )
    window = TeamWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    return window


def test_ctrl_9_shows_the_demos_reminders_of_the_day(
    qtbot: QtBot, demo: Database, runner: Runner, tmp_path: Path
) -> None:
    window = _window(qtbot, demo, runner, tmp_path)
    panel = window.reminders
    assert window.tab_actions[Tab.REMINDERS].shortcut() == QKeySequence("Ctrl+9")
    with qtbot.waitSignal(panel.loaded, timeout=60_000):
        qtbot.keyClick(window.tabs, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == Tab.REMINDERS
    expected = reminders_overview(demo, LEAD, DAY, now=AS_OF)
    assert panel.selected_day() == DAY
    assert panel.overview == expected
    counts = expected.counts
    # Real figures: the morning's run went out, most SMS delivered, the e-mails await a
    # report, a few failed and one was refused.
    assert counts.went_out > 100
    assert counts.delivered > counts.sent > counts.failed > 0
    assert counts.opted_out == 1
    rate = f"{float(counts.delivered_rate or 0) * 100:.1f}%"
    assert panel.counts_label.text().startswith(
        f"Went out: {counts.went_out} — delivered {counts.delivered} ({rate})"
    )
    rows = [
        [str(panel.steps.index(row, column).data()) for column in StepColumn]
        for row in range(panel.steps.rowCount())
    ]
    assert sum(int(row[StepColumn.WENT_OUT]) for row in rows) == counts.went_out
    assert {"1 day past due", "Credit-reporting notice"} <= {row[StepColumn.STEP] for row in rows}
    # The failures in words, and the borrower whose carrier refused the lender's texts.
    assert panel.failures.rowCount() == len(expected.failures) == counts.failed
    assert panel.sections.tabText(Section.FAILURES) == f"F&ailures ({counts.failed})"
    assert panel.opt_outs.rowCount() == 1
    source = panel.opt_outs.index(0, OptOutColumn.SOURCE).data()
    assert source == "The carrier reported the borrower refuses messages"
    # Tomorrow's runs, as the dispatcher decides them now.
    assert panel.preview.rowCount() == len(expected.preview.groups) > 0
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)


def test_the_dashboard_counts_the_demos_reminders_of_the_week(
    qtbot: QtBot, demo: Database, runner: Runner, tmp_path: Path
) -> None:
    window = _window(qtbot, demo, runner, tmp_path)
    dashboard = window.dashboard
    first = DAY - timedelta(days=7)
    with qtbot.waitSignal(dashboard.refreshed, timeout=60_000):
        dashboard.set_range(first, DAY)
    figures = dashboard.report.reminders if dashboard.report else None
    assert figures is not None
    days = [
        reminders_overview(demo, LEAD, first + timedelta(days=n), now=AS_OF).counts
        for n in range(8)
    ]
    assert figures.sent == sum(day.went_out for day in days) > 0
    assert figures.delivered == sum(day.delivered for day in days) > 0
    assert figures.failed == sum(day.failed for day in days) > 0
    assert figures.opted_out == 1
    assert dashboard.reminders_label.text().startswith(
        f"Reminders the lender sent: {figures.sent}, delivered"
    )
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)
