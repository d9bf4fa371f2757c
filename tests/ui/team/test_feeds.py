"""The lending system's feed files on the lead's desk: each file's reconciliation, or why it
was refused, read from real files applied to the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from app.database import Database
from app.services.plans.feed import FeedRefused, apply_feed
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.feeds import Column, FeedsPanel
from app.ui.team.window import Tab, TeamWindow
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.feeds import batch, payment, write_feed
from tests.helpers.portfolio import Portfolio
from tests.ui.conftest import BEIJING

LEAD = "lead.wang"
TODAY = NOW.astimezone(BEIJING).date()


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


@pytest.fixture
def context(
    db: Database, runner: Runner, ui_settings: Settings, dialogs: RecordingDialogs
) -> Context:
    return Context(
        db=db,
        username=LEAD,
        display_name=LEAD,
        runner=runner,
        dialogs=dialogs,
        settings=ui_settings,
        formats=Formats("en", BEIJING),
        clock=lambda: NOW,
    )


@pytest.fixture
def files(db: Database, portfolio: Portfolio, tmp_path: Path) -> str:
    """One file applied (a payment of ¥500), then one refused (an amount that is not one)."""
    contract = portfolio.account(today=TODAY, dpd=40).contract_no
    paid = (NOW - timedelta(hours=2)).isoformat()
    good = [batch(1, TODAY), payment(contract, "P-1", paid, "500.00")]
    apply_feed(db, write_feed(tmp_path / "feed-1.csv", good), now=NOW)
    bad = [batch(2, TODAY), payment(contract, "P-2", paid, "five hundred")]
    with pytest.raises(FeedRefused):
        apply_feed(db, write_feed(tmp_path / "feed-2.csv", bad), now=NOW + timedelta(minutes=5))
    return contract


def _loaded(qtbot: QtBot, panel: FeedsPanel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.refresh()


def test_the_lead_reads_each_files_reconciliation_and_the_refused_ones_problems(
    qtbot: QtBot,
    context: Context,
    files: str,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    panel = FeedsPanel(context)
    qtbot.addWidget(panel)
    _loaded(qtbot, panel)
    qtmodeltester.check(panel.model)
    model = panel.model
    assert model.rowCount() == 2
    # Newest first: the refused file, then the applied one.
    assert [model.index(row, Column.FILE).data() for row in range(2)] == [
        "feed-2.csv",
        "feed-1.csv",
    ]
    assert [model.index(row, Column.STATE).data() for row in range(2)] == ["refused", "applied"]
    assert model.index(1, Column.PAYMENTS).data() == "1"
    assert model.index(1, Column.AMOUNT).data() == "¥500.00"
    assert model.index(0, Column.REFUSED).data() == "1"
    assert panel.summary.text() == "Feed files: 2, newest first; refused: 1."
    # The newest is selected: its problems, by row and column.
    assert panel.details.toPlainText().splitlines() == [
        "Refused: nothing of batch B0002 was applied. Its problems:",
        "row 3, amount: not an amount",
    ]
    panel.table.setCurrentIndex(model.index(1, Column.RECEIVED))
    shown = panel.details.toPlainText().splitlines()
    assert shown[0].startswith("File 1 (batch B0001), business day ")
    assert "Payments: 1 for ¥500.00 (0 already known)" in shown[2]
    assert shown[-1] == "Rows refused: 0"


def test_the_desk_opens_on_the_feed_with_its_shortcut(
    qtbot: QtBot, context: Context, files: str
) -> None:
    window = TeamWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    action = window.tab_actions[Tab.FEEDS]
    assert action.shortcut() == QKeySequence("Ctrl+8")
    with qtbot.waitSignal(window.feeds.loaded, timeout=10_000):
        action.trigger()
    assert window.tabs.currentIndex() == Tab.FEEDS
    assert window.feeds.model.rowCount() == 2
