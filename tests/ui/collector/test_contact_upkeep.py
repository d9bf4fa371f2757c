"""Contact upkeep in the real main window: a number learned on a call, the marks set from a
point's Mark menu, the borrower's agreed window and attorney — and the Call buttons that follow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTime
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.database import Database
from app.models import ContactPoint, Role
from app.services.contact.queue import build_queue
from app.services.contact.upkeep import mark_contact_point
from app.services.field.visits import VisitResult, mark_for_visit, plan_visits, record_visit
from app.services.portfolio.addresses import AddressInput
from app.ui.collector.contact_upkeep import AddPointDialog, AttorneyDialog, PreferencesDialog
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.collector.test_shift import open_account
from tests.ui.conftest import COLLECTOR, Launch, Shift, start_window, wait_idle

# The offscreen platform says so whenever a dialog is shown; it is not about these forms.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _points(db: Database, shift: Shift) -> int:
    with db.reader() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ContactPoint)
                .where(ContactPoint.borrower_id == shift.first.borrower_id)
            )
            or 0
        )


def _changed(qtbot: QtBot, window: MainWindow, act: object) -> None:
    """Run `act` and wait for the account to be shown again with the change."""
    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        act()  # type: ignore[operator]
    wait_idle(qtbot, window)


def test_a_number_learned_on_a_call_is_added_with_its_region_and_zones(
    qtbot: QtBot, window: MainWindow, shift: Shift, db: Database
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    workspace = window.workspace
    qtbot.mouseClick(workspace.points.add, Qt.MouseButton.LeftButton)
    dialog = workspace.upkeep_dialog
    assert isinstance(dialog, AddPointDialog) and dialog.isVisible()
    dialog.choose_kind("work")
    assert not dialog.province.isEnabled() and not dialog.contact_name.isEnabled()
    qtbot.keyClicks(dialog.value, "12345")
    assert "not a valid phone number" in dialog.read_as.text()
    before = _points(db, shift)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.marks.marked()), timeout=10_000)
    # At the number itself, on one line; nothing below the form.
    assert "not a valid phone number" in dialog.marks.marked()["value"]
    assert "\n" not in dialog.marks.marked()["value"] and dialog.isVisible()
    assert dialog.error.isHidden()
    assert _points(db, shift) == before
    dialog.value.clear()
    qtbot.keyClicks(dialog.value, "010 6552 9988")
    assert dialog.read_as.text() == "Read as +861065529988 · China · Asia/Shanghai"
    dialog.verified.setChecked(True)
    _changed(qtbot, window, lambda: qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton))
    assert not dialog.isVisible()
    assert _points(db, shift) == before + 1
    row = workspace.points.rows[-1]
    assert row.point.kind == "work" and row.point.display == "010 6552 9988"
    assert row.call is not None and row.call.isEnabled()
    assert row.marks is not None and row.marks.text() == "Verified"


def test_do_not_call_asks_for_the_borrowers_words_and_the_call_button_stops(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    points = window.workspace.points
    row = points.row_for(shift.first.points["mobile"])
    assert row.call is not None and row.call.isEnabled()
    assert row.actions is not None
    # A collector marks; only a lead lifts.
    assert not any(key.startswith("lift:") for key in row.actions)
    dialogs.texts = [None]
    row.actions["do_not_call"].trigger()
    wait_idle(qtbot, window)
    assert [shown.kind for shown in dialogs.shown] == ["ask_text"]
    assert points.row_for(shift.first.points["mobile"]).call.isEnabled()  # type: ignore[union-attr]
    dialogs.texts = ["这个号码以后别打了"]
    _changed(qtbot, window, row.actions["do_not_call"].trigger)
    assert dialogs.errors() == []
    row = points.row_for(shift.first.points["mobile"])
    assert row.call is not None and not row.call.isEnabled()
    assert row.status is not None and "do-not-call" in row.status.text()
    assert row.actions is not None and not row.actions["do_not_call"].isEnabled()
    assert row.marks is not None and row.marks.text() == "Do not call"
    assert row.marks.toolTip() == "The borrower said: “这个号码以后别打了”"


def test_an_agreed_window_shuts_the_call_buttons_outside_it(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    workspace = window.workspace
    assert workspace.terms.window_text.text() == "none"
    qtbot.mouseClick(workspace.terms.edit_preferences, Qt.MouseButton.LeftButton)
    dialog = workspace.upkeep_dialog
    assert isinstance(dialog, PreferencesDialog)
    assert not dialog.start.isEnabled()
    dialog.agreed.setChecked(True)
    dialog.start.setTime(QTime(18, 0))
    dialog.end.setTime(QTime(18, 0))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.marks.marked()), timeout=10_000)
    assert "give two times" in dialog.marks.marked()["window"]
    dialog.end.setTime(QTime(20, 30))
    dialog.channel.setCurrentIndex(dialog.channel.findData("sms"))
    _changed(qtbot, window, lambda: qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton))
    assert workspace.terms.window_text.text() == "18:00–20:30 borrower's local time"
    assert workspace.terms.channel_text.text() == "SMS"
    # 10:00 in Beijing: inside the usual hours, outside the agreed ones.
    mobile = workspace.points.row_for(shift.first.points["mobile"])
    assert mobile.call is not None and not mobile.call.isEnabled()
    assert mobile.status is not None and "from 18:00" in mobile.status.text()


def test_an_attorney_is_recorded_and_shown_as_a_flag(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    workspace = window.workspace
    qtbot.mouseClick(workspace.terms.edit_attorney, Qt.MouseButton.LeftButton)
    dialog = workspace.upkeep_dialog
    assert isinstance(dialog, AttorneyDialog)
    dialog.name.insert("张律师")
    qtbot.keyClicks(dialog.phone, "139")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.marks.marked()), timeout=10_000)
    assert "not a valid phone number" in dialog.marks.marked()["phone"]
    qtbot.keyClicks(dialog.phone, " 1111 2222")
    _changed(qtbot, window, lambda: qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton))
    assert workspace.terms.attorney_text.text() == "张律师, +8613911112222"
    assert "Represented by an attorney" in [label.text() for label in workspace.header.flags]
    # A collector does not say the attorney has gone: a lead does.
    assert workspace.terms.lift_attorney.isHidden()


def test_every_problem_with_a_new_point_shows_at_once_at_its_field(
    qtbot: QtBot, window: MainWindow, shift: Shift, db: Database
) -> None:
    """An emergency contact with a bad number, a hidden character in the name and no
    relation: three fields marked by one press of Add, the first one focused."""
    with qtbot.waitActive(window):
        window.activateWindow()
    open_account(qtbot, window, shift.first.contract_no)
    workspace = window.workspace
    qtbot.mouseClick(workspace.points.add, Qt.MouseButton.LeftButton)
    dialog = workspace.upkeep_dialog
    assert isinstance(dialog, AddPointDialog)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    dialog.choose_kind("emergency")
    qtbot.keyClicks(dialog.value, "12345")
    dialog.contact_name.setText("王\u200b强")
    before = _points(db, shift)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.marks.marked()), timeout=10_000)
    marked = dialog.marks.marked()
    assert set(marked) == {"value", "contact_name", "relation"}, marked
    assert "not a valid phone number" in marked["value"]
    assert "invisible character (U+200B)" in marked["contact_name"]
    assert "needs their name and their relation" in marked["relation"]
    assert dialog.error.isHidden() and _points(db, shift) == before
    # The first field refused as the form reads: the number.
    qtbot.waitUntil(dialog.value.hasFocus)
    # Put right: the marks go, the point is added.
    dialog.value.setText("139 2468 1357")
    dialog.contact_name.setText("王强")
    dialog.relation.setText("哥哥")
    _changed(qtbot, window, lambda: qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton))
    assert _points(db, shift) == before + 1 and dialog.marks.marked() == {}


@pytest.fixture
def lead_window(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[MainWindow]:
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username="lead.wang"
    )
    wait_idle(qtbot, window)
    yield window
    if startup.window is not None and shiboken6.isValid(startup.window):
        startup.window.leave()
    startup.stop()


def test_a_lead_lifts_a_wrong_number_mark_from_the_same_menu(
    qtbot: QtBot, lead_window: MainWindow, shift: Shift, db: Database
) -> None:
    mobile = shift.first.points["mobile"]
    mark_contact_point(db, "zhang.wei", shift.first.contract_no, mobile, "wrong")
    open_account(qtbot, lead_window, shift.first.contract_no)
    row = lead_window.workspace.points.row_for(mobile)
    assert row.call is not None and not row.call.isEnabled()
    assert row.actions is not None and row.actions["lift:wrong"].isEnabled()
    assert not row.actions["lift:do_not_call"].isEnabled()
    _changed(qtbot, lead_window, row.actions["lift:wrong"].trigger)
    row = lead_window.workspace.points.row_for(mobile)
    assert row.call is not None and row.call.isEnabled()


def test_a_home_visit_and_its_outcome_are_in_the_timeline(
    qtbot: QtBot, launch: Launch, shift: Shift, db: Database
) -> None:
    portfolio = shift.portfolio
    portfolio.user("agent.zhao", Role.FIELD_AGENT)
    portfolio.user("agent.qian", Role.FIELD_AGENT)
    account = shift.first
    day = shift.now.date() + timedelta(days=1)
    mark_for_visit(db, "lead.wang", account.contract_no, "借款人要求当面沟通", now=shift.now)
    (visit,) = plan_visits(
        db, "lead.wang", day, [account.contract_no], second_agent="agent.zhao", now=shift.now
    )
    moved_at = shift.now + timedelta(days=1, hours=1)
    record_visit(
        db,
        "lead.wang",
        visit.id,
        VisitResult(
            "MOVED",
            moved_at,
            notes="邻居说已搬去深圳",
            new_address=AddressInput("广东", "深圳市", "南山区", "科技路8号"),
        ),
        now=moved_at,
    )
    _, window = launch()
    open_account(qtbot, window, account.contract_no)
    timeline = window.workspace.timeline
    timeline.set_kind_filter("visits")
    assert sorted(timeline.shown_kinds()) == ["visit", "visit_request"]
    texts = timeline.shown_texts()
    assert any(
        text.startswith("Moved away") and "邻居说已搬去深圳" in text and "lead.wang" in text
        for text in texts
    ), texts
    assert "lead.wang: “借款人要求当面沟通”" in texts
    timeline.set_kind_filter("contact_points")
    assert timeline.shown_texts() == ["Address · 广东省深圳市南山区科技路8号 · added by lead.wang"]


def test_a_number_marked_do_not_call_is_no_longer_the_queues_to_dial(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """The queue reads the account again with its mark, as a fresh queue does: its only number
    may not be called, so the account is no longer among those to call now."""
    open_account(qtbot, window, shift.first.contract_no)
    row = window.workspace.points.row_for(shift.first.points["mobile"])
    assert row.actions is not None
    dialogs.texts = ["这个号码以后别打了"]
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        row.actions["do_not_call"].trigger()
    wait_idle(qtbot, window)
    [entry] = [e for e in window.queue.model.rows if e.contract_no == shift.first.contract_no]
    assert not entry.contact.allowed
    assert entry.contact.decision.rule_id == "point.do_not_call"
    fresh = build_queue(window.context.db, COLLECTOR, shift.now)
    assert sorted((e.rank, e.contract_no, e.contact) for e in window.queue.model.rows) == [
        (e.rank, e.contract_no, e.contact) for e in fresh.entries
    ]
