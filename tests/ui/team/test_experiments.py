"""The team's champion / challenger experiments on the lead's desk: the arms compared with
their intervals and counts, the plain sentence where the difference is not yet significant,
and the lead stopping one; a collector is refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from app.database import Database
from app.models import Role
from app.services.common.reference import queue_weights
from app.services.experiments.definitions import create_experiment, show_experiment
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.experiments import Column, ExperimentsPanel
from app.ui.team.window import Tab, TeamWindow
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Portfolio
from tests.ui.conftest import BEIJING

LEAD = "lead.wang"
TODAY = NOW.astimezone(BEIJING).date()


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


def _context(
    db: Database, runner: Runner, settings: Settings, dialogs: RecordingDialogs, user: str
) -> Context:
    return Context(
        db=db,
        username=user,
        display_name=user,
        runner=runner,
        dialogs=dialogs,
        settings=settings,
        formats=Formats("en", BEIJING),
        clock=lambda: NOW,
    )


@pytest.fixture
def context(
    db: Database, runner: Runner, ui_settings: Settings, dialogs: RecordingDialogs
) -> Context:
    return _context(db, runner, ui_settings, dialogs, LEAD)


@pytest.fixture
def experiment(db: Database, portfolio: Portfolio, tmp_path: Path) -> str:
    collector = portfolio.user("collector.li", Role.COLLECTOR)
    for index in range(24):
        portfolio.account(today=TODAY, dpd=10 + index, assigned_to=collector)
    weights = copy.deepcopy(queue_weights())
    weights["bucket"]["M1"] = 600
    path = tmp_path / "challenger.json"
    path.write_text(json.dumps(weights), encoding="utf-8")
    create_experiment(db, LEAD, "M1 first", path, "40/40/20", now=NOW)
    return "M1 first"


def _loaded(qtbot: QtBot, panel: ExperimentsPanel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        panel.refresh()


def test_the_lead_reads_the_arms_compared_and_stops_the_experiment(
    qtbot: QtBot,
    context: Context,
    experiment: str,
    db: Database,
    dialogs: RecordingDialogs,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    panel = ExperimentsPanel(context)
    qtbot.addWidget(panel)
    _loaded(qtbot, panel)
    qtmodeltester.check(panel.model)
    info = show_experiment(db, LEAD, experiment)
    assert panel.chooser.currentText() == "M1 first (running)"
    assert "40/40/20" in panel.summary.text()
    model = panel.model
    assert model.rowCount() == 4 and model.columnCount() == 4
    assert [model.index(0, c).data() for c in (Column.METRIC,)] == [
        "Cure rate (back to 0 days past due)"
    ]
    for column, arm in (
        (Column.CHAMPION, "champion"),
        (Column.CHALLENGER, "challenger"),
        (Column.HOLDOUT, "holdout"),
    ):
        header = model.headerData(column, Qt.Orientation.Horizontal)
        assert header == arm.capitalize()
        roll = model.index(1, column).data()
        # Every account past due when recorded: the roll rate is over all of the arm's.
        assert f"n = {info.accounts[arm]}" in roll
        assert "95 % CI" in roll
    assert "not yet significantly different from the champion's" in panel.notes.text()
    assert panel.stop_button.isEnabled()
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert dialogs.shown[-1].kind == "confirm"
    assert show_experiment(db, LEAD, experiment).status == "stopped"
    assert panel.chooser.currentText() == "M1 first (stopped)"
    assert not panel.stop_button.isEnabled()


def test_a_collector_reads_the_refusal_to_stop(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    experiment: str,
) -> None:
    panel = ExperimentsPanel(_context(db, runner, ui_settings, dialogs, "collector.li"))
    qtbot.addWidget(panel)
    _loaded(qtbot, panel)
    panel.stop()
    qtbot.waitUntil(lambda: bool(panel.message.text()), timeout=20_000)
    assert "Only a team lead" in panel.message.text()
    assert show_experiment(db, LEAD, experiment).status == "running"


def test_the_desk_has_an_experiments_tab(
    qtbot: QtBot, context: Context, portfolio: Portfolio
) -> None:
    window = TeamWindow(context)
    qtbot.addWidget(window)
    action = window.tab_actions[Tab.EXPERIMENTS]
    assert action.shortcut() == QKeySequence("Ctrl+Shift+X")
    with qtbot.waitSignal(window.experiments.loaded, timeout=20_000):
        action.trigger()
    assert window.tabs.currentIndex() == Tab.EXPERIMENTS
    assert "no experiment yet" in window.experiments.summary.text()
