"""The windows on an ordinary office screen: 1366×768 as well as 1920×1080.

A 1366×768 screen keeps 40 px for its taskbar and a window's title bar takes 32 more: the
window's own area is 1366×696 (docs/screenshots/*-1366x768-* are taken at that size too). Qt's
offscreen platform does not hold a window to its screen, so these tests size each window to
that area themselves and check what would not fit in it: a minimum size beyond it (the window
would grow off the screen), and a button outside the window or only reached by scrolling
sideways. Buttons in a pane that scrolls up and down count as reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QPushButton,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.database import Database
from app.models import Role
from app.ui.common import settings as keys
from app.ui.common.screens import FRAME_ROOM
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.team.dashboard_tables import KpiColumn
from app.ui.team.window import Tab
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.collector.test_shift import open_account
from tests.ui.conftest import (
    BEIJING,
    COLLECTOR,
    Launch,
    Shift,
    start_window,
    verified,
    wait_idle,
)

SMALL = QSize(1366, 696)
LEAD = "lead.wang"
AGENT = "li.field"
ROOT = Path(__file__).resolve().parents[3]


def fits(size: QSize, room: QSize = SMALL) -> bool:
    return size.width() <= room.width() and size.height() <= room.height()


def _scroll_area_of(widget: QWidget, top: QWidget) -> QAbstractScrollArea | None:
    """The pane that scrolls `widget` (the nearest scroll area whose viewport holds it)."""
    child = widget
    while child is not top and child.parentWidget() is not None:
        parent = child.parentWidget()
        if isinstance(parent, QAbstractScrollArea) and child is parent.viewport():
            return parent
        child = parent
    return None


def out_of_reach(window: QWidget) -> list[str]:
    """The buttons shown in `window` that lie outside it, or that only scrolling sideways
    would bring into sight."""
    frame = window.rect()
    found = []
    for button in window.findChildren(QAbstractButton):
        if not isinstance(button, (QPushButton, QToolButton)) or not button.isVisible():
            continue
        name = f"{type(button).__name__} {button.text() or button.accessibleName()!r}"
        area = _scroll_area_of(button, window)
        if area is None:
            if not frame.contains(QRect(button.mapTo(window, QPoint(0, 0)), button.size())):
                found.append(name)
            continue
        viewport = area.viewport()
        inside = QRect(button.mapTo(viewport, QPoint(0, 0)), button.size())
        sideways = inside.left() < 0 or inside.right() >= viewport.width()
        pane = QRect(area.mapTo(window, QPoint(0, 0)), area.size())
        if sideways or not frame.contains(pane):
            found.append(name)
    return found


def fully_in_sight(button: QWidget) -> bool:
    return button.isVisible() and button.visibleRegion().boundingRect() == button.rect()


def opened_within_its_screen(window: QWidget) -> bool:
    """The window opened no larger than its screen holds with a title bar, unless its least
    size is larger (the offscreen screen is 800×800)."""
    room = window.screen().availableGeometry().size() - FRAME_ROOM
    least = window.minimumSizeHint()
    return window.width() <= max(room.width(), least.width()) and window.height() <= max(
        room.height(), least.height()
    )


def in_small_screen(qtbot: QtBot, window: QWidget) -> None:
    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL, timeout=5_000)


# The collector.


def test_the_collector_window_keeps_to_a_1366_by_768_screen_through_a_whole_call(
    qtbot: QtBot, launch: Launch, shift: Shift
) -> None:
    # Callbacks due later today: the shift opens with what is due above the work.
    for hour in range(1, 7):
        shift.portfolio.callback(shift.second, shift.now + timedelta(hours=hour))
    _, window = launch()
    qtbot.waitUntil(lambda: window.due_today.isVisible(), timeout=10_000)
    in_small_screen(qtbot, window)
    assert fits(window.minimumSizeHint())

    open_account(qtbot, window, shift.first.contract_no)
    script = window.call.script
    verified(script)
    for answer in ("cash_flow", "by_date", "agreed"):
        script.answer(answer)
    script.advance()
    assert script.run is not None and script.run.current.id == "close"
    form = window.call.form
    form.choose("PTP")
    form.choose_emotion("anxious")
    form.amount.setText("1500")
    window.call.call_started(window.call.options[0])
    qtbot.wait(50)

    # The window did not grow: a long script path, a checklist and what is still missing
    # scroll within their panes.
    assert window.size() == SMALL
    assert fits(window.minimumSizeHint())
    # What is still missing shows at its fields (the checklist), and Save waits for it.
    assert window.call.marks.marked()
    assert not window.call.save_button.isEnabled()
    assert out_of_reach(window) == []
    # What is due today keeps to its lists' rows; the work below keeps the rest.
    assert window.due_today.isVisible()
    assert window.due_today.height() <= window.due_today.minimumSizeHint().height()
    for button in (
        window.call.end_button,
        window.call.save_button,
        window.call.save_next_button,
        window.due_today.panel.dismiss,
    ):
        assert fully_in_sight(button), button.text()


def test_checklist_items_wrap_rather_than_scroll_sideways(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    in_small_screen(qtbot, window)
    open_account(qtbot, window, shift.first.contract_no)
    form = window.call.form
    form.choose("PTP")
    form.choose_emotion("anxious")
    checklist = form.checklist
    qtbot.wait(50)
    assert checklist.count() > 0
    viewport = checklist.viewport()
    texts = [checklist.item(row).text() for row in range(checklist.count())]
    longest = max(texts, key=checklist.fontMetrics().horizontalAdvance)
    # The pane is narrower than the longest item: it takes more than one line, all in sight.
    assert checklist.fontMetrics().horizontalAdvance(longest) > viewport.width()
    assert checklist.horizontalScrollBar().maximum() == 0
    line = checklist.fontMetrics().lineSpacing()
    for row in range(checklist.count()):
        rect = checklist.visualItemRect(checklist.item(row))
        assert rect.right() < viewport.width()
    wrapped = checklist.visualItemRect(checklist.item(texts.index(longest)))
    assert wrapped.height() >= 2 * line


def test_the_layout_is_kept_under_the_screen_size_and_restored_on_it(
    qtbot: QtBot, launch: Launch, ui_settings: Settings
) -> None:
    startup, window = launch()
    screen = window.screen_size()
    total = sum(window.splitter.sizes())
    window.splitter.setSizes([total // 2, total // 4, total - total // 2 - total // 4])
    chosen = window.splitter.sizes()
    window.close()
    startup.stop()
    size = f"{screen.width()}x{screen.height()}"
    for setting in (
        keys.WINDOW_GEOMETRY,
        keys.MAIN_SPLITTER,
        keys.WORK_SPLITTER,
        keys.CALL_SPLITTER,
    ):
        assert size in keys.per_screen(setting, screen).key
        assert not ui_settings.get(keys.per_screen(setting, screen)).isEmpty()
        assert ui_settings.get(setting).isEmpty()
    again, reopened = launch()
    try:
        assert reopened.splitter.sizes() == chosen
    finally:
        reopened.close()
        again.stop()


def _on_screen(
    db: Database, tmp_path: Path, shift: Shift, size: str, queue_share: float | None = None
) -> dict[str, object]:
    """The window opened, and closed, on a screen of `size` ("1366x768"), in a process of its
    own (one offscreen screen per process); what it reported."""
    width, height = size.split("x")
    config = tmp_path / f"screen-{size}.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {"name": "screen", "x": 0, "y": 0, "width": int(width), "height": int(height)}
                ]
            }
        )
    )
    command = [
        sys.executable,
        "-m",
        "tests.helpers.screen_window",
        "--database",
        db.url,
        "--settings",
        str(tmp_path / "settings.ini"),
        "--data",
        str(tmp_path),
        "--user",
        COLLECTOR,
        "--now",
        shift.now.isoformat(),
    ]
    if queue_share is not None:
        command += ["--queue-share", str(queue_share)]
    environment = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_each_screen_size_keeps_a_layout_of_its_own(
    db: Database, tmp_path: Path, shift: Shift
) -> None:
    # A first start on the laptop's own screen: the window fits it; the collector widens
    # the queue.
    laptop = _on_screen(db, tmp_path, shift, "1366x768", queue_share=0.35)
    assert laptop["screen"] == [1366, 768]
    width, height = laptop["window"]  # type: ignore[misc]
    assert width <= 1366 and height <= 768
    assert abs(float(laptop["queue_share"]) - 0.22) < 0.03  # type: ignore[arg-type]
    widened = float(laptop["left_share"])  # type: ignore[arg-type]
    assert widened > 0.3
    # Docked to a large monitor: that screen's own first layout, not the laptop's.
    monitor = _on_screen(db, tmp_path, shift, "1920x1080", queue_share=0.2)
    assert monitor["screen"] == [1920, 1080]
    assert abs(float(monitor["queue_share"]) - 0.37) < 0.03  # type: ignore[arg-type]
    narrowed = float(monitor["left_share"])  # type: ignore[arg-type]
    # Back on each screen, each finds the layout left there.
    again = _on_screen(db, tmp_path, shift, "1366x768")
    assert again["window"] == laptop["window"]
    assert abs(float(again["queue_share"]) - widened) < 0.01  # type: ignore[arg-type]
    docked = _on_screen(db, tmp_path, shift, "1920x1080")
    assert docked["window"] == monitor["window"]
    assert abs(float(docked["queue_share"]) - narrowed) < 0.01  # type: ignore[arg-type]


# The team lead.


@pytest.fixture
def lead_window(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[MainWindow]:
    # A team of nine, one with a long name, each with a call yesterday.
    yesterday = shift.now - timedelta(days=1)
    names = [f"collector.{n}" for n in range(7)] + ["ouyang.nalan-xiaoxiao.the-second"]
    for name in names:
        user = shift.portfolio.user(name, Role.COLLECTOR)
        shift.portfolio.attempt(shift.second, yesterday, "NA", user=user)
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
    )
    wait_idle(qtbot, window)
    yield window
    window.leave()
    startup.stop()


def test_the_team_window_and_each_tab_fit_a_1366_by_768_screen(
    qtbot: QtBot, lead_window: MainWindow
) -> None:
    qtbot.waitUntil(lambda: lead_window.team_window is not None, timeout=10_000)
    team = lead_window.team_window
    assert team is not None
    assert opened_within_its_screen(team)
    in_small_screen(qtbot, team)
    dashboard = team.dashboard
    qtbot.waitUntil(lambda: dashboard.report is not None and not dashboard.busy, timeout=20_000)
    wait_idle(qtbot, lead_window)
    qtbot.wait(50)

    # Every collector's row in sight, and every name whole.
    table = dashboard.kpi_table
    assert table.model().rowCount() >= 9
    assert table.verticalHeader().length() <= table.viewport().height()
    assert table.columnWidth(KpiColumn.COLLECTOR) >= table.sizeHintForColumn(KpiColumn.COLLECTOR)
    for tab in Tab:
        team.show_tab(tab)
        wait_idle(qtbot, lead_window)
        qtbot.wait(20)
        assert team.size() == SMALL, tab.name
        assert fits(team.minimumSizeHint()), tab.name
        assert out_of_reach(team) == [], tab.name


# The field agent.


def test_the_visit_planner_fits_a_1366_by_768_screen(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    agent = shift.portfolio.user(AGENT, Role.FIELD_AGENT)
    today = shift.now.astimezone(BEIJING).date()
    for number in range(12):
        shift.portfolio.account(
            today=today,
            dpd=45 + number,
            assigned_to=agent,
            name="欧阳娜娜",
            district="朝阳区",
            street=f"建国路{number + 1}号院{number + 3}号楼{number + 101}室",
            principal="24000",
        )
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=AGENT
    )
    try:
        qtbot.waitUntil(lambda: window.visit_planner is not None, timeout=10_000)
        planner = window.visit_planner
        assert planner is not None
        wait_idle(qtbot, window)
        assert opened_within_its_screen(planner)
        in_small_screen(qtbot, planner)
        assert fits(planner.minimumSizeHint())
        assert out_of_reach(planner) == []
        for button in (planner.plan_button, planner.print_button, planner.close_button):
            assert fully_in_sight(button), button.text()
    finally:
        window.leave()
        startup.stop()
