"""How the window looks on an ordinary office screen: its title, the system's light or dark
scheme followed live with every text readable, and text that fits at 150 %."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.database import Database
from app.ui.collector.queue_model import key_of
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from app.ui.team.dashboard_charts import BucketRollChart, TrendChart
from app.ui.team.window import TeamWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.palettes import GRAPHIC_CONTRAST, TEXT_CONTRAST, contrast, dark_scheme
from tests.ui.conftest import Launch, Shift, start_window, wait_idle

ROOT = Path(__file__).resolve().parents[3]
LEAD = "lead.wang"
# What the platforms do with a window's title (Qt's QPlatformWindow::formatWindowTitle, used on
# Windows, X11 and Wayland): the application's display name is added after it, unless the
# title already ends with it.
SEPARATOR = " — "


def shown_title(window: QWidget) -> str:
    title, name = window.windowTitle(), QGuiApplication.applicationDisplayName()
    return title if title.endswith(name) else f"{title}{SEPARATOR}{name}"


@pytest.fixture
def as_lead(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[object]:
    """Opens the window as the team lead in `language`, with the team window beside it."""
    started: list[Startup] = []

    def launch(language: str = "en") -> tuple[MainWindow, TeamWindow]:
        ui_settings.set(keys.LANGUAGE, language)
        startup, window = start_window(
            qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
        )
        started.append(startup)
        qtbot.waitUntil(lambda: window.team_window is not None, timeout=10_000)
        wait_idle(qtbot, window)
        assert window.team_window is not None
        return window, window.team_window

    yield launch
    for startup in started:
        if startup.window is not None and shiboken6.isValid(startup.window):
            startup.window.leave()
        startup.stop()


# The title.


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "lead.wang (Team lead) — Collector Workstation"),
        ("zh_CN", "lead.wang（组长） — 催收工作台"),
    ],
)
def test_the_title_names_the_user_and_role_and_the_application_once(
    qtbot: QtBot, as_lead: object, language: str, expected: str
) -> None:
    window, team = as_lead(language)  # type: ignore[operator]
    window.plan_visits()
    assert window.visit_planner is not None
    application = QGuiApplication.applicationDisplayName()
    assert shown_title(window) == expected
    # The team window and the planner say what they are and whose; the name of the
    # application comes once, from the platform.
    for other in (team, window.visit_planner):
        assert shown_title(other).count(application) == 1
        assert LEAD in other.windowTitle()


def test_the_title_names_the_user_before_the_role_is_known(launch: Launch) -> None:
    _, window = launch()
    assert shown_title(window) == "zhang.wei (Collector) — Collector Workstation"
    assert window.windowTitle().count("Collector Workstation") == 0


# Light and dark.


def unreadable(window: QWidget) -> list[str]:
    """The texts shown in `window` (labels, buttons, the queue's rows) that read at less than
    4.5:1 on their background."""
    found = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisibleTo(window):
            continue
        if not widget.isEnabled() or not isinstance(widget, (QLabel, QAbstractButton)):
            continue  # disabled text is exempt (WCAG 1.4.3)
        if not widget.text():
            continue
        palette = widget.palette()
        text = palette.color(widget.foregroundRole())
        background = palette.color(widget.backgroundRole())
        if contrast(text, background) < TEXT_CONTRAST:
            found.append(f"{widget.text()[:30]!r}: {text.name()} on {background.name()}")
    return found


def unreadable_rows(window: MainWindow) -> list[str]:
    """The queue's rows with a colour of their own that read badly on the table's rows."""
    table, model = window.queue.table, window.queue.model
    palette = table.palette()
    found = []
    for row in range(model.rowCount()):
        brush = model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole)
        if brush is None:
            continue
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
            if contrast(brush.color(), palette.color(role)) < TEXT_CONTRAST:
                found.append(f"row {row}: {brush.color().name()} on {role.name}")
    return found


def test_the_window_follows_the_scheme_live_with_every_text_readable(
    qtbot: QtBot, launch: Launch, shift: Shift
) -> None:
    _, window = launch()
    # The account with a flag (a chip), a blocked row in the queue, the script's guidance
    # (muted) and what the outcome still lacks (an error's colour) on screen.
    entry = next(e for e in window.queue.model.rows if e.contract_no == shift.ceased.contract_no)
    window.queue.select_key(key_of(entry))
    wait_idle(qtbot, window)
    coloured = [window.workspace.header.flags[0], window.call.script.note, window.call.missing]
    assert all(label.isVisibleTo(window) and label.styleSheet() for label in coloured)
    assert not entry.contact.allowed
    before = {label: label.styleSheet() for label in coloured}
    assert (unreadable(window), unreadable_rows(window)) == ([], [])
    with dark_scheme():
        assert all(label.styleSheet() != before[label] for label in coloured)
        assert (unreadable(window), unreadable_rows(window)) == ([], [])
    assert {label: label.styleSheet() for label in coloured} == before
    assert (unreadable(window), unreadable_rows(window)) == ([], [])


def chart_problems(chart_view: QChartView) -> list[str]:
    """What does not read on the chart: its words on its background, its series."""
    chart = chart_view.chart()
    palette = QApplication.palette()
    background = chart.backgroundBrush().color()
    found = []
    if background != palette.color(QPalette.ColorRole.Base):
        found.append(f"background {background.name()} is not the palette's base")
    words = [("title", chart.titleBrush().color()), ("legend", chart.legend().labelColor())]
    words += [(f"axis {axis.titleText()}", axis.labelsColor()) for axis in chart.axes()]
    for what, colour in words:
        if contrast(colour, background) < TEXT_CONTRAST:
            found.append(f"{what}: {colour.name()} on {background.name()}")
    if isinstance(chart_view, TrendChart):
        marks = [
            chart_view.collected_set.color(),
            chart_view.rpcs.pen().color(),
            chart_view.ptps.pen().color(),
        ]
    else:
        assert isinstance(chart_view, BucketRollChart)
        marks = [chart_view.cured.color(), chart_view.stayed.color(), chart_view.rolled.color()]
    for colour in marks:
        if contrast(colour, background) < GRAPHIC_CONTRAST:
            found.append(f"series {colour.name()} on {background.name()}")
    return found


def test_the_dashboard_charts_follow_the_scheme(as_lead: object) -> None:
    _, team = as_lead()  # type: ignore[operator]
    charts = (team.dashboard.trend_chart, team.dashboard.roll_chart)
    assert [chart_problems(chart) for chart in charts] == [[], []]
    with dark_scheme():
        assert [chart_problems(chart) for chart in charts] == [[], []]
    assert [chart_problems(chart) for chart in charts] == [[], []]


# 150 %.


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_text_fits_its_labels_at_150_percent(tmp_path: Path, language: str) -> None:
    """The window at 150 % on a full-HD office screen (a process of its own: the scale is read
    when the application starts)."""
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "office",
                        "x": 0,
                        "y": 0,
                        "width": 1920,
                        "height": 1080,
                        "logicalDpi": 96,
                        "logicalBpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
        "QT_SCALE_FACTOR": "1.5",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.ui.shell.scaled_window", language],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert (report["ratio"], report["policy"]) == (1.5, "PassThrough")
    assert report["screen"] == [1280, 720]
    # It looked at the panes' labels, and every one has the room its text needs.
    assert report["labels"] > 30
    assert report["clipped"] == []
    # Fonts in points grow with the scale; none is sized in pixels.
    assert report["pixel_fonts"] == []
