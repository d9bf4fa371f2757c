"""Sync in the window: the status bar, Sync now, conflicts, accounts that leave, sign-out.

Every window here works on a real workstation copy (SQLite with the outbox triggers) that
syncs with a real embedded central database, as in tests/services/sync/test_sync.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.database import Database
from app.models import PromiseToPay, Role
from app.services.common.clock import business_zone
from app.services.contact.contacts import record_contact
from app.services.contact.queue import build_queue
from app.services.sync import engine as sync
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.shell import sync_status
from app.ui.shell.conflicts_dialog import Column, ConflictsDialog
from app.ui.shell.main_window import MainWindow
from tests.helpers.contacts import outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Account, Portfolio
from tests.ui.conftest import BEIJING, COLLECTOR, SHIFT_NOW, wait_idle
from tests.ui.shell.test_keyboard import menu_actions

SERVER = "collect.example.cn:5432/collector"
SYNC_TIMEOUT = 20_000
# Every sync report of each open window, from its very first sync on (by id of the window).
REPORTS: dict[int, list[sync.SyncReport]] = {}


@dataclass
class World:
    central: Database
    central_path: Path
    portfolio: Portfolio
    first: Account  # the collector's, most overdue
    second: Account  # the collector's
    theirs: Account  # li.na's
    other: str


@pytest.fixture(autouse=True)
def quick_first_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    # The window waits a moment before its first sync; tests need not.
    monkeypatch.setattr(sync_status, "FIRST_SYNC_MS", 20)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    path = tmp_path / "central.sqlite3"
    central = Database(f"sqlite:///{path}")
    central.upgrade()
    portfolio = Portfolio(central)
    other = portfolio.user("li.na", Role.COLLECTOR)
    today = SHIFT_NOW.astimezone(BEIJING).date()
    first = portfolio.account(today=today, dpd=45, principal="36000", name="王芳")
    second = portfolio.account(today=today, dpd=12, name="李娜", numbers={"mobile": "13987654321"})
    theirs = portfolio.account(today=today, dpd=30, name="韩梅梅", assigned_to=other)
    sync.install_clock(central)
    yield World(central, path, portfolio, first, second, theirs, "li.na")
    central.dispose()


def workstation(path: Path) -> Database:
    local = Database(f"sqlite:///{path}")
    local.upgrade()
    sync.install_outbox(local)
    return local


OpenWindow = Callable[..., MainWindow]


@pytest.fixture
def open_window(
    qtbot: QtBot, tmp_path: Path, ui_settings: Settings, dialogs: RecordingDialogs
) -> Iterator[OpenWindow]:
    """A main window on `local` that syncs with `central`, built as the start-up builds it."""
    made: list[tuple[MainWindow, Runner, Database]] = []

    def open_window(local: Database, central: Database | None, server: str = "") -> MainWindow:
        runner = Runner()
        context = Context(
            db=local,
            username=COLLECTOR,
            display_name="张伟",
            runner=runner,
            dialogs=dialogs,
            settings=ui_settings,
            formats=Formats("en", business_zone()),
            clock=lambda: SHIFT_NOW,
            central=central,
            server=server,
        )
        window = MainWindow(context)
        if window.sync is not None:
            reports = REPORTS[id(window)] = []
            window.sync.synced.connect(reports.append)
        made.append((window, runner, local))
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        # Shortcuts reach the active window only.
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        return window

    yield open_window
    for window, runner, local in made:
        REPORTS.pop(id(window), None)
        if shiboken6.isValid(window):
            window.leave()
        runner.stop()
        local.dispose()


def first_sync(qtbot: QtBot, window: MainWindow) -> sync.SyncReport:
    """The report of the sync the window runs by itself once it is open."""
    reports = REPORTS[id(window)]
    qtbot.waitUntil(lambda: bool(reports), timeout=SYNC_TIMEOUT)
    wait_idle(qtbot, window)
    return reports[0]


def sync_now(qtbot: QtBot, window: MainWindow) -> sync.SyncReport:
    """Press F9 and wait for the sync and the window's refresh after it."""
    assert window.sync is not None
    with qtbot.waitSignal(window.sync.synced, timeout=SYNC_TIMEOUT) as synced:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    wait_idle(qtbot, window)
    report = synced.args[0]
    assert isinstance(report, sync.SyncReport)
    return report


def state_text(window: MainWindow) -> str:
    assert window.sync_bar is not None
    return window.sync_bar.state.text()


def count(db: Database, sql: str, **params: object) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def employer(db: Database, account: Account) -> str:
    with db.engine.connect() as connection:
        found = connection.execute(
            text("SELECT employer FROM borrowers WHERE id = :id"), {"id": account.borrower_id.hex}
        ).scalar_one()
    return str(found)


def set_employer(db: Database, account: Account, value: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET employer = :e WHERE id = :id"),
            {"e": value, "id": account.borrower_id.hex},
        )


def reassign(world: World, account: Account, username: str) -> None:
    with world.central.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE username = :u)"
                " WHERE id = :loan"
            ),
            {"u": username, "loan": account.loan_id.hex},
        )


# --- the status bar ------------------------------------------------------------------------


def test_the_first_sync_fills_an_empty_copy_and_the_bar_says_online_with_the_time(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    window = open_window(local, world.central)
    assert window.sync_bar is not None and window.sync is not None
    report = first_sync(qtbot, window)
    assert report.pull.arrived == 2
    # The new accounts are in the queue; the other collector's is not.
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 2, timeout=SYNC_TIMEOUT)
    contracts = {entry.contract_no for entry in window.queue.model.rows}
    assert contracts == {world.first.contract_no, world.second.contract_no}
    # 10:00 in Beijing, the viewer's zone, not 02:00 UTC.
    qtbot.waitUntil(lambda: state_text(window) == "Online · synced 10:00")
    assert "Last synced" in window.sync_bar.state.toolTip()
    assert not window.sync_bar.conflicts.isVisible()
    # The next round is a minute away.
    wait = window.sync.next_sync_in()
    assert wait is not None and sync.INTERVAL - 5 <= wait <= sync.INTERVAL


def test_a_call_logged_here_waits_in_the_bar_and_sync_now_sends_it_to_the_server(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    window = open_window(local, world.central)
    first_sync(qtbot, window)
    bar = window.sync_bar
    assert bar is not None
    before = sync.sync_status(local).waiting  # the account opened leaves an audit event
    done: list[object] = []
    window.context.call(
        record_contact,
        outcome(world.first, "NA", started_at=SHIFT_NOW - timedelta(minutes=3)),
        now=SHIFT_NOW,
        on_done=done.append,
    )
    qtbot.waitUntil(lambda: bool(done))
    [recorded] = done
    waiting = sync.sync_status(local).waiting
    assert waiting >= before + 2  # the attempt and its audit event
    # A write of the window: the bar reads the status once the worker is idle again.
    qtbot.waitUntil(lambda: bar.waiting.text() == f"{waiting} changes waiting", timeout=5_000)
    assert bar.waiting.isVisibleTo(window)
    report = sync_now(qtbot, window)
    assert report.push.sent == waiting and report.push.conflicts == 0
    found = "SELECT count(*) FROM contact_attempts WHERE id = :id"
    assert count(world.central, found, id=recorded.attempt_id.hex) == 1  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not bar.waiting.isVisibleTo(window))
    assert state_text(window) == "Online · synced 10:00"


def test_sync_now_pressed_during_a_sync_runs_one_more_after_it_never_two_at_once(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    window = open_window(local, world.central)
    first_sync(qtbot, window)
    controller = window.sync
    assert controller is not None
    started: list[bool] = []
    finished: list[object] = []
    # Each sync starts only after the one before has answered.
    controller.started.connect(lambda: started.append(len(started) == len(finished)))
    controller.synced.connect(finished.append)
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: len(finished) == 2 and not controller.running, timeout=SYNC_TIMEOUT)
    wait_idle(qtbot, window)
    assert started == [True, True]
    assert len(finished) == 2


def test_an_unreachable_server_shows_offline_backs_off_and_recovers_when_it_is_back(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, COLLECTOR, now=SHIFT_NOW)
    world.central.dispose()
    # Where the server's file will be there is a folder for now: every connection fails.
    later = tmp_path / "later.sqlite3"
    later.mkdir()
    unreachable = Database(f"sqlite:///{later}")
    window = open_window(local, unreachable)
    controller, bar = window.sync, window.sync_bar
    assert controller is not None and bar is not None
    # The first sync, on its own soon after the window opened, fails.
    qtbot.waitUntil(lambda: controller.last_failure is not None, timeout=SYNC_TIMEOUT)
    wait_idle(qtbot, window)
    assert "did not answer" in (controller.last_failure or "")
    # The shift goes on offline: the queue is the copy's.
    assert window.queue.model.rowCount() == 2
    qtbot.waitUntil(lambda: state_text(window).startswith("Offline · retrying in "))
    assert "Last synced" in bar.state.toolTip() and "Last error:" in bar.state.toolTip()
    first_wait = controller.next_sync_in()
    assert first_wait is not None and 12 <= first_wait <= 17
    with qtbot.waitSignal(controller.failed, timeout=SYNC_TIMEOUT):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    wait_idle(qtbot, window)
    second_wait = controller.next_sync_in()
    assert second_wait is not None and second_wait > first_wait and second_wait >= 26
    assert sync.sync_status(local).failures == 2
    # The countdown is on screen, in seconds.
    assert state_text(window).endswith(" s")

    later.rmdir()
    shutil.copy(world.central_path, later)
    report = sync_now(qtbot, window)
    assert report.push.conflicts == 0
    qtbot.waitUntil(lambda: state_text(window) == "Online · synced 10:00")
    back = controller.next_sync_in()
    assert back is not None and back > second_wait and back >= sync.INTERVAL - 5
    unreachable.dispose()


# --- accounts that leave ---------------------------------------------------------------------


def test_an_account_reassigned_away_leaves_the_queue_and_the_screen_after_a_sync(
    qtbot: QtBot,
    world: World,
    tmp_path: Path,
    open_window: OpenWindow,
    dialogs: RecordingDialogs,
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, COLLECTOR, now=SHIFT_NOW)
    window = open_window(local, world.central)
    first_sync(qtbot, window)
    qtbot.waitUntil(lambda: window.workspace.contract_no is not None)
    shown = window.workspace.contract_no
    assert shown == world.first.contract_no
    # The one shown goes to a colleague, in the middle of a call: the window moves to what is
    # left, keeping nothing, and asks nothing about a call that can no longer be logged.
    window.call.call_started(window.workspace.options[0])
    assert window.call.in_call
    reassign(world, world.first, world.other)
    with qtbot.waitSignal(window.queue_refreshed, timeout=SYNC_TIMEOUT):
        report = sync_now(qtbot, window)
    assert report.pull.purged == 1
    wait_idle(qtbot, window)
    keys = [entry.contract_no for entry in window.queue.model.rows]
    assert keys == [world.second.contract_no]
    assert window.workspace.contract_no == world.second.contract_no
    assert "王芳" not in window.call.account.text()
    assert not window.call.in_call
    assert dialogs.shown == []

    # The last one goes too: an empty queue, and an empty workspace.
    reassign(world, world.second, world.other)
    report = sync_now(qtbot, window)
    assert report.pull.purged == 1
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 0)
    wait_idle(qtbot, window)
    assert window.workspace.contract_no is None
    assert window.workspace.detail is None
    assert window.call.detail is None and not window.call.save_button.isEnabled()
    assert "李娜" not in window.call.account.text()


def test_an_account_that_stays_stays_selected_when_a_sync_brings_changes(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, COLLECTOR, now=SHIFT_NOW)
    window = open_window(local, world.central)
    first_sync(qtbot, window)
    assert window.queue.select_key(world.second.loan_id.hex)
    qtbot.waitUntil(lambda: window.workspace.contract_no == world.second.contract_no)
    wait_idle(qtbot, window)
    # A colleague's account arrives: the queue grows, the collector stays where they were.
    reassign(world, world.theirs, COLLECTOR)
    with qtbot.waitSignal(window.queue_refreshed, timeout=SYNC_TIMEOUT):
        report = sync_now(qtbot, window)
    assert report.pull.arrived == 1
    wait_idle(qtbot, window)
    assert window.queue.model.rowCount() == 3
    assert window.queue.current_key() == world.second.loan_id.hex
    assert window.workspace.contract_no == world.second.contract_no


# --- conflicts -------------------------------------------------------------------------------


def lost_edit(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> tuple[MainWindow, Database]:
    """The team lead and this collector both correct the borrower's employer; the lead syncs
    first, so the collector's edit comes back as a conflict."""
    mine = workstation(tmp_path / "collector.sqlite3")
    lead = workstation(tmp_path / "lead.sqlite3")
    sync.sync(mine, world.central, COLLECTOR, now=SHIFT_NOW)
    sync.sync(lead, world.central, "lead.wang", now=SHIFT_NOW)
    window = open_window(mine, world.central)
    first_sync(qtbot, window)
    set_employer(lead, world.first, "甲公司")
    assert sync.sync(lead, world.central, "lead.wang").push.conflicts == 0
    set_employer(mine, world.first, "乙公司")
    report = sync_now(qtbot, window)
    assert report.push.conflicts == 1
    lead.dispose()
    return window, mine


def open_conflicts(qtbot: QtBot, window: MainWindow) -> ConflictsDialog:
    bar = window.sync_bar
    assert bar is not None
    qtbot.waitUntil(lambda: bar.conflicts.isVisibleTo(window))
    assert bar.conflicts.text() == "1 conflict"
    with qtbot.waitSignal(bar.conflicts_requested):
        qtbot.mouseClick(bar.conflicts, Qt.MouseButton.LeftButton)
    dialog = window.conflicts_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.model.rowCount() == 1)
    wait_idle(qtbot, window)
    return dialog


def test_a_lost_edit_shows_in_the_dialog_and_re_apply_sends_it_to_the_server(
    qtbot: QtBot, qtmodeltester: object, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    window, mine = lost_edit(qtbot, world, tmp_path, open_window)
    # The server won: the copy shows its version.
    assert employer(mine, world.first) == "甲公司"
    dialog = open_conflicts(qtbot, window)
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    model = dialog.model

    def cell(column: Column) -> str:
        return str(model.index(0, column).data())

    assert cell(Column.WHAT) == "Borrower"
    assert cell(Column.ACCOUNT) == world.first.contract_no  # the borrower's account
    assert cell(Column.FIELDS) == "Employer"
    assert cell(Column.REASON) == "Someone changed this on the server since this copy last synced."
    assert cell(Column.WHEN)
    assert dialog.current() is not None
    assert dialog.reapply_button.isEnabled() and dialog.discard_button.isEnabled()

    assert window.sync is not None
    with qtbot.waitSignal(window.sync.synced, timeout=SYNC_TIMEOUT) as synced:
        qtbot.mouseClick(dialog.reapply_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert synced.args[0].push.conflicts == 0
    assert employer(world.central, world.first) == "乙公司"
    assert employer(mine, world.first) == "乙公司"
    assert sync.conflicts(mine) == []
    qtbot.waitUntil(lambda: model.rowCount() == 0)
    assert dialog.empty.isVisibleTo(dialog)
    assert not dialog.reapply_button.isEnabled() and not dialog.discard_button.isEnabled()
    qtbot.waitUntil(lambda: not window.sync_bar.conflicts.isVisibleTo(window))  # type: ignore[union-attr]


def test_discarding_a_lost_edit_keeps_the_servers_version(
    qtbot: QtBot,
    world: World,
    tmp_path: Path,
    open_window: OpenWindow,
    dialogs: RecordingDialogs,
) -> None:
    window, mine = lost_edit(qtbot, world, tmp_path, open_window)
    dialog = open_conflicts(qtbot, window)
    dialogs.answers.append(True)
    assert window.sync is not None
    with qtbot.waitSignal(window.sync.synced, timeout=SYNC_TIMEOUT) as synced:
        qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert [shown.kind for shown in dialogs.shown] == ["confirm"]
    assert synced.args[0].push.sent == 0
    assert sync.conflicts(mine) == []
    assert employer(world.central, world.first) == "甲公司"
    assert employer(mine, world.first) == "甲公司"
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0)
    qtbot.waitUntil(lambda: not window.sync_bar.conflicts.isVisibleTo(window))  # type: ignore[union-attr]


def test_a_discard_the_user_takes_back_changes_nothing(
    qtbot: QtBot,
    world: World,
    tmp_path: Path,
    open_window: OpenWindow,
    dialogs: RecordingDialogs,
) -> None:
    window, mine = lost_edit(qtbot, world, tmp_path, open_window)
    dialog = open_conflicts(qtbot, window)
    dialogs.answers.append(False)
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert len(sync.conflicts(mine)) == 1
    assert dialog.model.rowCount() == 1


def test_a_refused_change_can_only_be_discarded(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    world.portfolio.attempt(world.first, SHIFT_NOW.replace(day=20), "NA")
    local = workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, COLLECTOR, now=SHIFT_NOW)
    window = open_window(local, world.central)
    first_sync(qtbot, window)
    with local.engine.begin() as connection:
        connection.execute(
            text("UPDATE contact_attempts SET notes = 'rewritten' WHERE loan_id = :loan"),
            {"loan": world.first.loan_id.hex},
        )
    report = sync_now(qtbot, window)
    assert report.push.refused == 1
    dialog = open_conflicts(qtbot, window)
    assert dialog.model.index(0, Column.WHAT).data() == "Call or contact"
    assert dialog.model.index(0, Column.ACCOUNT).data() == world.first.contract_no
    assert dialog.model.index(0, Column.REASON).data() == (
        "A log entry cannot be changed once written."
    )
    assert not dialog.reapply_button.isEnabled()
    assert dialog.discard_button.isEnabled()


def test_the_conflicts_action_opens_the_dialog_from_the_keyboard(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    window, _mine = lost_edit(qtbot, world, tmp_path, open_window)
    qtbot.keyClick(window, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    dialog = window.conflicts_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.model.rowCount() == 1)
    wait_idle(qtbot, window)


# --- menus and sign-out ------------------------------------------------------------------------


def test_sign_out_is_offered_and_emitted_only_when_signed_in_to_a_server(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    demo = open_window(workstation(tmp_path / "demo.sqlite3"), world.central)
    assert not demo.sign_out_action.isVisible()
    with qtbot.assertNotEmitted(demo.sign_out_requested, wait=100):
        qtbot.keyClick(
            demo,
            Qt.Key.Key_O,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        demo.sign_out()
    first_sync(qtbot, demo)
    demo.leave()

    signed_in = open_window(workstation(tmp_path / "local.sqlite3"), world.central, SERVER)
    assert signed_in.sign_out_action.isVisible() and signed_in.sign_out_action.isEnabled()
    with qtbot.waitSignal(signed_in.sign_out_requested, timeout=2_000):
        qtbot.keyClick(
            signed_in,
            Qt.Key.Key_O,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    first_sync(qtbot, signed_in)


def test_a_window_with_a_server_has_every_menu_action_on_a_shortcut_of_its_own(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    window = open_window(workstation(tmp_path / "local.sqlite3"), world.central, SERVER)
    first_sync(qtbot, window)
    actions = menu_actions(window)
    texts = [text for text, _ in actions]
    assert {"S&ync now", "Sync &conflicts…", "Sign &out"} <= set(texts)
    assert [text for text, shortcut in actions if not shortcut] == []
    shortcuts = [shortcut for _, shortcut in actions]
    assert sorted({s for s in shortcuts if shortcuts.count(s) > 1}) == []


def test_a_window_on_its_own_database_neither_syncs_nor_offers_to(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    local = workstation(tmp_path / "local.sqlite3")
    window = open_window(local, None)
    wait_idle(qtbot, window)
    assert window.sync is None and window.sync_bar is None
    assert not window.sync_action.isVisible() and not window.sync_action.isEnabled()
    assert not window.conflicts_action.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    wait_idle(qtbot, window)
    assert sync.sync_status(local).last_attempt_at is None


def test_a_conflict_on_contact_upkeep_names_each_field_in_the_users_words(qapp: object) -> None:
    from app.ui.shell.conflicts_dialog import field_label

    assert field_label("contact_points", "verified", "zh_CN") == "已核实"
    assert field_label("contact_points", "do_not_call_words", "en") == (
        "The borrower's words (do not call)"
    )
    assert [
        field_label("borrowers", name, "en")
        for name in ("preferred_channel", "attorney_phone", "address_moved_from")
    ] == ["Preferred channel", "Attorney's phone", "Address moved away from"]


def test_a_promise_a_failed_sync_settled_reaches_the_queue(
    qtbot: QtBot, world: World, tmp_path: Path, open_window: OpenWindow
) -> None:
    """Each sync settles what lapsed on the copy first, even when the server then does not
    answer: a promise it broke is in the queue at its next read, as in a queue read afresh."""
    local = workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, COLLECTOR, now=SHIFT_NOW)
    world.central.dispose()
    later = tmp_path / "later.sqlite3"
    later.mkdir()
    unreachable = Database(f"sqlite:///{later}")
    window = open_window(local, unreachable)
    controller = window.sync
    assert controller is not None
    qtbot.waitUntil(lambda: controller.last_failure is not None, timeout=SYNC_TIMEOUT)
    wait_idle(qtbot, window)
    today = SHIFT_NOW.astimezone(BEIJING).date()
    with local.session() as session:
        session.add(
            PromiseToPay(
                loan_id=world.second.loan_id,
                amount=Decimal("500"),
                promised_date=today - timedelta(days=3),
                created_at=SHIFT_NOW - timedelta(days=5),
            )
        )
    with qtbot.waitSignal(controller.failed, timeout=SYNC_TIMEOUT):
        qtbot.keyClick(window, Qt.Key.Key_F9)
    wait_idle(qtbot, window)
    with qtbot.waitSignal(window.queue_refreshed, timeout=SYNC_TIMEOUT):
        window.refresh_changed(set())
    [entry] = [e for e in window.queue.model.rows if e.contract_no == world.second.contract_no]
    assert entry.tier == "promise_broken"
    fresh = build_queue(local, COLLECTOR, SHIFT_NOW)
    assert sorted((e.rank, e.contract_no, e.tier) for e in window.queue.model.rows) == [
        (e.rank, e.contract_no, e.tier) for e in fresh.entries
    ]
    unreachable.dispose()
