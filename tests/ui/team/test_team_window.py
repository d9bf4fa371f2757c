"""The team lead's desk from the real main window: who gets it, what opens it, and what the
collector hears back from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import ContactAttempt
from app.services.team.reviews import criteria_for, save_review
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from app.ui.team.window import Tab
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import BEIJING, COLLECTOR, Shift, start_window, wait_idle

LEAD = "lead.wang"


@pytest.fixture
def as_user(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[object]:
    started: list[Startup] = []

    def launch(username: str) -> MainWindow:
        startup, window = start_window(
            qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=username
        )
        started.append(startup)
        wait_idle(qtbot, window)
        return window

    yield launch
    for startup in started:
        if startup.window is not None:
            startup.window.leave()
        startup.stop()


def _attempt_id(db: Database) -> object:
    with db.reader() as session:
        return session.scalars(select(ContactAttempt.id)).one()


def test_a_lead_starts_on_yesterdays_numbers_in_the_team_window(
    qtbot: QtBot, as_user: object, shift: Shift
) -> None:
    window = as_user(LEAD)  # type: ignore[operator]
    qtbot.waitUntil(lambda: window.team_window is not None, timeout=10_000)
    team = window.team_window
    assert team.tabs.currentIndex() == Tab.DASHBOARD
    qtbot.waitUntil(lambda: team.dashboard.report is not None, timeout=20_000)
    yesterday = shift.now.astimezone(BEIJING).date() - timedelta(days=1)
    assert (team.dashboard.report.start, team.dashboard.report.end) == (yesterday, yesterday)
    assert window.team_menu.menuAction().isVisible()
    assert all(action.isEnabled() for action in window.team_actions.values())
    # The menu opens each tab; the inbox loads the first time it is shown.
    with qtbot.waitSignal(team.inbox.loaded, timeout=10_000):
        window.team_actions[Tab.ESCALATIONS].trigger()
    assert team.tabs.currentIndex() == Tab.ESCALATIONS


def test_a_leads_numbers_are_read_before_the_teams_queue(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    """The window's one worker runs calls in turn: yesterday's numbers are asked before the
    team's queue (seconds on a large team), so the lead does not wait for the queue to see
    them."""
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
    )
    try:
        seen: list[bool] = []
        window.queue_refreshed.connect(
            lambda: seen.append(
                window.team_window is not None and window.team_window.dashboard.report is not None
            )
        )
        qtbot.waitUntil(lambda: window.team_window is not None, timeout=20_000)
        team = window.team_window
        unread: list[bool] = []
        # Nor is a tab the lead has not opened read first (the escalations inbox).
        team.dashboard.refreshed.connect(lambda: unread.append(team.inbox.inbox is None))
        qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
        assert seen[0], "the queue was shown before the lead's numbers"
        assert unread == [True]
        wait_idle(qtbot, window)
    finally:
        window.leave()
        startup.stop()


def test_a_collector_has_no_team_menu_and_no_team_window(
    qtbot: QtBot, as_user: object, dialogs: RecordingDialogs
) -> None:
    window = as_user(COLLECTOR)  # type: ignore[operator]
    wait_idle(qtbot, window)
    assert not window.team_menu.menuAction().isVisible()
    assert not any(action.isEnabled() for action in window.team_actions.values())
    qtbot.keyClick(
        window,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_idle(qtbot, window)
    assert window.team_window is None


def test_a_drilled_contact_opens_in_the_call_review(
    qtbot: QtBot, as_user: object, shift: Shift, db: Database
) -> None:
    shift.portfolio.attempt(shift.first, shift.now - timedelta(days=1, hours=2), "RTP")
    attempt = _attempt_id(db)
    window = as_user(LEAD)  # type: ignore[operator]
    qtbot.waitUntil(lambda: window.team_window is not None, timeout=10_000)
    team = window.team_window
    with qtbot.waitSignal(team.review.detail_shown, timeout=20_000) as shown:
        team.dashboard.review_requested.emit(attempt)
    assert team.tabs.currentIndex() == Tab.REVIEW
    assert shown.args[0].contact.attempt_id == attempt


def test_the_collector_sees_a_new_review_counted_on_the_feedback_menu(
    qtbot: QtBot, as_user: object, shift: Shift, db: Database
) -> None:
    shift.portfolio.attempt(shift.first, shift.now - timedelta(hours=3), "RTP")
    attempt = _attempt_id(db)
    window = as_user(COLLECTOR)  # type: ignore[operator]
    qtbot.waitUntil(lambda: "(" not in window.mine_menu.title(), timeout=10_000)
    answers = {criterion.id: "met" for criterion in criteria_for("RTP", None)}
    save_review(db, LEAD, attempt, answers, "Good recap.", now=shift.now)
    window.count_news()
    qtbot.waitUntil(lambda: window.mine_menu.title().endswith("(1)"), timeout=10_000)
    # Reading it clears the count.
    window.show_feedback()
    dialog = window.feedback_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    dialog.open_review(dialog.model.row_at(0))
    qtbot.waitUntil(lambda: "(" not in window.mine_menu.title(), timeout=10_000)
