"""What a screen reader hears: the window's panes and its controls without words of their own
have names, in the window's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCharts import QChartView
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QProgressBar,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.database import Database
from app.ui.common import settings as keys
from app.ui.common.context import Context
from app.ui.common.i18n import Formats, Language
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from app.ui.shell.sync_status import SyncController, SyncStatusBar
from app.ui.team.window import Tab, TeamWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import BEIJING, Shift, start_window, wait_idle

LEAD = "lead.wang"
# Chinese characters: a name in the Chinese window is Chinese, not English left over.
HAN = re.compile(r"[\u4e00-\u9fff]")
# Controls that show no words of their own: a screen reader has only their accessible name.
WORDLESS = (
    QAbstractItemView,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
    QProgressBar,
    QChartView,
)
# Parts of another control, which that control names (a combo box's list, a spin box's
# editor, a table's header, a tab bar's scroll arrows, a line edit's clear button, a menu bar's
# overflow arrow).
PARTS_OF = (
    QMenuBar,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabBar,
    QLineEdit,
    QCalendarWidget,
)


def label_of(widget: QWidget) -> str:
    """The text of the label that names `widget` (its buddy), if any."""
    for label in widget.window().findChildren(QLabel):
        if label.buddy() is widget:
            return label.text().replace("&", "")
    return ""


def name_of(widget: QWidget) -> str:
    """The name assistive technology reads for `widget`: its own, or its label's. (Qt reads a
    combo box's current item as its name on Linux: the name it is given is what counts.)"""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QComboBox):
        return label_of(widget)
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name) or label_of(widget)


def is_part(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, PARTS_OF):
            return True
        parent = parent.parentWidget()
    return False


def own_widgets(window: QWidget) -> list[QWidget]:
    """The widgets of `window` itself (the team window and the planner are the main window's
    children, but windows of their own)."""
    return [widget for widget in window.findChildren(QWidget) if widget.window() is window]


def unnamed(window: QWidget) -> list[str]:
    """Every control of `window` without words of its own and without a name."""
    found = []
    for widget in own_widgets(window):
        if isinstance(widget, (QHeaderView, QScrollBar)) or is_part(widget, window):
            continue
        wordless = isinstance(widget, WORDLESS) or (
            isinstance(widget, QAbstractButton) and not widget.text().strip()
        )
        if wordless and not name_of(widget).strip():
            found.append(f"{type(widget).__name__} in {_path(widget)}")
    return found


def _path(widget: QWidget) -> str:
    names = []
    parent = widget.parentWidget()
    while parent is not None:
        names.append(type(parent).__name__)
        parent = parent.parentWidget()
    return " < ".join(names)


def panes(window: MainWindow, team: TeamWindow) -> dict[str, QWidget]:
    """The window's main panes by their English names."""
    planner = window.visit_planner
    assert planner is not None
    return {
        "Account queue": window.queue,
        "Queue": window.queue.table,
        "Borrower workspace": window.workspace,
        "Account timeline": window.workspace.timeline,
        "Notes": window.workspace.notes,
        "Call": window.call,
        "Call script": window.call.script,
        "Outcome of the call": window.call.form,
        "Team desk": team.tabs,
        "Team dashboard": team.dashboard,
        "Daily trend": team.dashboard.trend_chart,
        "Numbers per collector": team.dashboard.kpi_table,
        "Call review": team.review,
        "Escalations inbox": team.inbox,
        "Plan approvals": team.approvals,
        "Team accounts": team.accounts,
        "The team's pool": team.pool,
        "Team members": team.members,
        "The lending system's feed": team.feeds,
        "Home visits": planner,
        "Candidates": planner.candidate_table,
        "Planned visits": planner.day_table,
    }


@pytest.fixture
def lead_window(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[object]:
    """Opens the window as the team lead, in `language`: the team window and the visit planner
    beside it."""
    started: list[Startup] = []

    def launch(language: str) -> tuple[MainWindow, TeamWindow]:
        ui_settings.set(keys.LANGUAGE, language)
        startup, window = start_window(
            qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
        )
        started.append(startup)
        qtbot.waitUntil(lambda: window.team_window is not None, timeout=10_000)
        window.plan_visits()
        team = window.team_window
        assert team is not None
        for tab in Tab:
            team.show_tab(tab)
        wait_idle(qtbot, window)
        return window, team

    yield launch
    for startup in started:
        if startup.window is not None and shiboken6.isValid(startup.window):
            startup.window.leave()
        startup.stop()


def test_the_main_panes_have_names(lead_window: object) -> None:
    window, team = lead_window("en")  # type: ignore[operator]
    named = {name: widget.accessibleName() for name, widget in panes(window, team).items()}
    assert named == {name: name for name in named}


def test_the_main_panes_have_chinese_names_in_the_chinese_window(lead_window: object) -> None:
    window, team = lead_window("zh_CN")  # type: ignore[operator]
    named = {name: widget.accessibleName() for name, widget in panes(window, team).items()}
    assert [english for english, chinese in named.items() if not HAN.search(chinese)] == []
    # Each pane a name of its own: a reader moving between them hears where it is.
    assert len(set(named.values())) == len(named)


def test_every_wordless_control_has_a_name(lead_window: object) -> None:
    window, team = lead_window("en")  # type: ignore[operator]
    assert window.visit_planner is not None
    assert (unnamed(window), unnamed(team), unnamed(window.visit_planner)) == ([], [], [])


def test_no_name_or_description_is_left_in_english_in_the_chinese_window(
    lead_window: object,
) -> None:
    window, team = lead_window("zh_CN")  # type: ignore[operator]
    assert window.visit_planner is not None
    english = [
        text
        for top in (window, team, window.visit_planner)
        for widget in own_widgets(top)
        for text in (widget.accessibleName(), widget.accessibleDescription())
        if re.search(r"[A-Za-z]{3,}", text) and not HAN.search(text)
    ]
    assert english == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("Sync status", "Sync state", "Changes waiting to be sent", "Sync conflicts")),
        ("zh_CN", ("同步概况", "同步状态", "待发送的修改", "同步冲突")),
    ],
)
def test_the_sync_status_and_its_parts_have_names(
    qtbot: QtBot,
    db: Database,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    language: str,
    expected: tuple[str, ...],
) -> None:
    chosen = Language()
    chosen.install(language)
    runner = Runner()
    try:
        context = Context(
            db=db,
            username="zhang.wei",
            display_name="张伟",
            runner=runner,
            dialogs=dialogs,
            settings=ui_settings,
            formats=Formats(language, BEIJING),
            central=db,  # named, never synced: the bar is only read
        )
        bar = SyncStatusBar(context, SyncController(context))
        qtbot.addWidget(bar)
        parts = (bar, bar.state, bar.waiting, bar.conflicts)
        assert tuple(part.accessibleName() for part in parts) == expected
    finally:
        runner.stop()
        chosen.install("en")
