"""The queue table: a checked model, filters, search in any phone format, updates in place."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from app.models import PromiseStatus, PromiseToPay
from app.services.common.reference import queue_weights
from app.services.contact.queue import LiveQueue, Queue, build_queue
from app.services.team.assignment import set_priority
from app.ui.collector.queue_model import KEY_ROLE, Column, QueueFilter, QueueModel, StatusFilter
from app.ui.shell.main_window import REFRESH_EVERY, MainWindow, settled_queue
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Portfolio
from tests.ui.conftest import BEIJING, Shift, wait_idle


def shown_contracts(window: MainWindow) -> list[str]:
    proxy = window.queue.proxy
    model = window.queue.model
    return [
        model.row_at(proxy.mapToSource(proxy.index(row, 0)).row()).contract_no
        for row in range(proxy.rowCount())
    ]


def test_queue_model_and_filter_pass_the_model_tester(
    qtmodeltester: ModelTester, window: MainWindow
) -> None:
    assert isinstance(window.queue.model, QueueModel)
    assert isinstance(window.queue.proxy, QueueFilter)
    qtmodeltester.check(window.queue.model)
    qtmodeltester.check(window.queue.proxy)


def test_status_and_bucket_filters(window: MainWindow, shift: Shift) -> None:
    window.queue.proxy.set_status(StatusFilter.BLOCKED)
    assert shown_contracts(window) == [shift.ceased.contract_no]
    window.queue.proxy.set_status(StatusFilter.CALLABLE)
    assert shift.ceased.contract_no not in shown_contracts(window)
    window.queue.proxy.set_status(StatusFilter.ALL)
    window.queue.bucket.setCurrentIndex(window.queue.bucket.findData("M2"))
    assert shown_contracts(window) == [shift.first.contract_no]
    assert window.queue.count.text() == "1 of 3 accounts"


def test_search_finds_a_phone_number_typed_in_any_format(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    for typed in ("+86 139-8765-4321", "139 8765 4321", "4321"):
        window.queue.search.setText(typed)
        qtbot.waitUntil(lambda: shown_contracts(window) == [shift.second.contract_no], timeout=5000)
        wait_idle(qtbot, window)
    window.queue.search.setText("赵")
    assert shown_contracts(window) == [shift.ceased.contract_no]
    window.queue.search.setText(shift.first.contract_no.lower())
    assert shown_contracts(window) == [shift.first.contract_no]
    window.queue.search.clear()
    assert len(shown_contracts(window)) == 3


def test_a_new_queue_updates_rows_in_place_without_a_reset(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    model = window.queue.model
    queue = build_queue(window.context.db, "zhang.wei", now=shift.now)
    resets: list[bool] = []
    changed: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    model.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    ceased_row = model.row_of(shift.ceased.loan_id.hex)
    kept = tuple(e for e in queue.entries if e.contract_no != shift.ceased.contract_no)
    bumped = tuple(
        e._replace(rank=e.rank + 10) if e.contract_no == shift.first.contract_no else e
        for e in kept
    )
    model.set_queue(Queue(queue.username, queue.at, bumped))
    assert resets == []
    assert removed == [(ceased_row, ceased_row)]
    first_row = model.row_of(shift.first.loan_id.hex)
    assert changed == [(first_row, first_row)]
    assert model.rowCount() == 2


def test_the_queue_is_rebuilt_when_a_block_lifts(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """At 21:59 the queue plans its next rebuild for 22:00, when the quiet hours begin."""
    late = shift.now.replace(hour=13, minute=59)  # 21:59 in Beijing
    window.context.clock = lambda: late
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window.refresh_queue()
    remaining = window._refresh_timer.remainingTime()
    assert window._refresh_timer.isActive()
    assert timedelta(seconds=55) <= timedelta(milliseconds=remaining) <= timedelta(seconds=65)
    after = late + timedelta(minutes=1, seconds=5)
    window.context.clock = lambda: after
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window._refresh_timer.timeout.emit()
    assert not any(entry.contact.allowed for entry in window.queue.model.rows)


def test_a_new_ranking_reorders_rows_and_keeps_the_selection(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    model = window.queue.model
    queue = build_queue(window.context.db, "zhang.wei", now=shift.now)
    window.queue.select_key(shift.second.loan_id.hex)
    qtbot.waitUntil(lambda: window.context.runner.pending == 0)
    resets: list[bool] = []
    layouts: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.layoutChanged.connect(lambda *_: layouts.append(True))
    reversed_queue = Queue(queue.username, queue.at, tuple(reversed(queue.entries)))
    model.set_queue(reversed_queue)
    assert resets == [] and layouts == [True]
    assert [model.row_at(row).contract_no for row in range(model.rowCount())] == [
        entry.contract_no for entry in reversed_queue.entries
    ]
    assert window.queue.current_key() == shift.second.loan_id.hex
    assert shown_contracts(window)[0] == queue.entries[-1].contract_no


def test_clicking_a_header_sorts_by_that_column(window: MainWindow, shift: Shift) -> None:
    window.queue.table.sortByColumn(Column.DPD, Qt.SortOrder.DescendingOrder)
    assert shown_contracts(window) == [
        shift.first.contract_no,
        shift.ceased.contract_no,
        shift.second.contract_no,
    ]


def test_a_callback_surfaces_at_the_top_when_it_comes_due(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """A callback at 11:00 on the lowest account: the window plans a rebuild for when it
    enters the look-ahead, and then the account leads the queue with its reason."""
    due = shift.now + timedelta(hours=1)
    shift.portfolio.callback(shift.second, due)
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window.refresh_queue()
    assert window.queue.model.row_at(0).contract_no != shift.second.contract_no
    lookahead = timedelta(minutes=int(queue_weights()["callback_lookahead_minutes"]))
    wait = timedelta(milliseconds=window._refresh_timer.remainingTime())
    # The window looks again every few minutes anyway; the callback's moment is the bound.
    expected = min(due - lookahead - shift.now, REFRESH_EVERY)
    assert expected - timedelta(seconds=2) <= wait <= expected + timedelta(seconds=5)
    queue = build_queue(window.context.db, "zhang.wei", now=shift.now)
    assert queue.next_change_at == due - lookahead
    later = due - lookahead + timedelta(seconds=5)
    window.context.clock = lambda: later
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window._refresh_timer.timeout.emit()
    top = window.queue.model.row_at(0)
    assert top.contract_no == shift.second.contract_no
    assert top.tier == "callback_due"
    assert shown_contracts(window)[0] == shift.second.contract_no


def test_refreshing_settles_a_promise_that_lapsed_since_the_last_read(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    today = shift.now.astimezone(BEIJING).date()
    lapsed = shift.portfolio.promise(
        shift.second, "500", today - timedelta(days=3), shift.now - timedelta(days=5)
    )
    refresh = next(a for a in window.findChildren(QAction) if a.shortcut() == QKeySequence("F5"))
    refresh.trigger()
    wait_idle(qtbot, window)
    with window.context.db.reader() as session:
        assert session.get_one(PromiseToPay, lapsed).status is PromiseStatus.BROKEN
    [entry] = [e for e in window.queue.model.rows if e.contract_no == shift.second.contract_no]
    assert entry.tier == "promise_broken"


def test_a_change_made_elsewhere_reaches_the_queue_though_the_clock_keeps_it_busy(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """At night every account is blocked by the quiet hours, whose detail names the minute: the
    queue reads by the clock every minute, each time only what the clock reached. A lead's
    priority set on the command line (nothing this window did) still shows within the
    refresh period, by a read of everything."""
    night = shift.now.replace(hour=15)  # 23:00 in Beijing
    window.context.clock = lambda: night
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window.refresh_queue()
    set_priority(
        window.context.db,
        "lead.wang",
        [shift.second.contract_no],
        "top",
        "Promised the branch a call",
        night + timedelta(days=1),
        now=night,
    )
    at = night
    while at - night <= REFRESH_EVERY:
        wait = timedelta(milliseconds=window._refresh_timer.remainingTime())
        assert window._refresh_timer.isActive() and wait <= timedelta(minutes=1, seconds=5)
        at += wait
        window.context.clock = lambda at=at: at
        with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
            window._refresh_timer.timeout.emit()
        wait_idle(qtbot, window)
    assert window.queue.model.row_at(0).contract_no == shift.second.contract_no
    fresh = build_queue(window.context.db, "zhang.wei", at)
    assert sorted((e.rank, e.contract_no, e.reasons) for e in window.queue.model.rows) == [
        (e.rank, e.contract_no, e.reasons) for e in fresh.entries
    ]


def test_after_a_read_that_failed_the_queue_reads_again(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """Another program holds the copy's write lock past the wait while a read settles a lapsed
    promise: the read fails. A change told to the window meanwhile is read as soon as it is
    over; and with nothing asked meanwhile, the refresh timer goes on after a failure."""
    today = shift.now.astimezone(BEIJING).date()
    db = window.context.db
    shift.portfolio.promise(
        shift.second, "500", today - timedelta(days=3), shift.now - timedelta(days=5)
    )
    set_priority(
        db,
        "lead.wang",
        [shift.first.contract_no],
        "low",
        "Waiting for the bank",
        shift.now + timedelta(days=1),
        now=shift.now,
    )
    other = sqlite3.connect(str(make_url(db.url).database), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        window.refresh_changed(set())
        window.refresh_changed({shift.first.loan_id.hex})
        with qtbot.waitSignal(window.queue_refreshed, timeout=30_000):
            qtbot.waitUntil(lambda: len(dialogs.errors()) == 1, timeout=20_000)
            other.execute("ROLLBACK")
        wait_idle(qtbot, window)
        fresh = build_queue(db, "zhang.wei", shift.now)
        assert [(e.rank, e.contract_no, e.reasons) for e in fresh.entries] == sorted(
            (e.rank, e.contract_no, e.reasons) for e in window.queue.model.rows
        )
        assert fresh.entries[-1].contract_no == shift.first.contract_no
        shift.portfolio.promise(
            shift.first, "500", today - timedelta(days=3), shift.now - timedelta(days=5)
        )
        other.execute("BEGIN IMMEDIATE")
        window.refresh_changed(set())
        qtbot.waitUntil(lambda: len(dialogs.errors()) == 2, timeout=20_000)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert window._refresh_timer.isActive()
    assert timedelta(milliseconds=window._refresh_timer.remainingTime()) > REFRESH_EVERY / 2


def test_a_read_that_failed_leaves_the_next_to_read_everything(
    portfolio: Portfolio, shift: Shift
) -> None:
    """What a failed read was told had changed is not lost with it: whoever reads the live
    queue next (a window rebuilt in another language goes on with it) reads everything."""
    db = portfolio.db
    today = shift.now.astimezone(BEIJING).date()
    live = LiveQueue(db, "zhang.wei")
    settled_queue(db, live, now=shift.now)
    set_priority(
        db,
        "lead.wang",
        [shift.second.contract_no],
        "top",
        "Promised the branch a call",
        shift.now + timedelta(days=1),
        now=shift.now,
    )
    portfolio.promise(shift.first, "500", today - timedelta(days=3), shift.now - timedelta(days=5))
    other = sqlite3.connect(str(make_url(db.url).database), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError):
            settled_queue(db, live, now=shift.now, changed={shift.second.loan_id.hex})
    finally:
        other.close()
    queue = live.read(shift.now, changed=set())
    assert queue.entries[0].contract_no == shift.second.contract_no
    assert [(e.contract_no, e.reasons) for e in queue.entries] == [
        (e.contract_no, e.reasons) for e in build_queue(db, "zhang.wei", shift.now).entries
    ]


def test_typing_in_the_queue_searches_and_never_leaves_the_open_call(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """A digit typed while the queue had the focus once jumped to the row whose rank starts
    with it, and asked to leave the call with no outcome saved."""
    with qtbot.waitActive(window):
        window.activateWindow()
    queue = window.queue
    assert window.current_contract() == shift.first.contract_no
    window.call.call_started(window.call.options[0])
    queue.table.setFocus()
    qtbot.keyClicks(queue.table, "2")
    wait_idle(qtbot, window)
    assert dialogs.shown == []
    assert window.current_contract() == shift.first.contract_no and window.call.in_call
    # The digit went to the search box, where the rest of what is typed goes too.
    assert queue.search.text() == "2"
    qtbot.waitUntil(queue.search.hasFocus)
    qtbot.keyClicks(queue.search, "x")
    assert queue.search.text() == "2x"

    # A search that hides the open account: it stays open, no other row is chosen.
    queue.search.setText(shift.second.contract_no)
    wait_idle(qtbot, window)
    assert shown_contracts(window) == [shift.second.contract_no]
    assert dialogs.shown == [] and window.current_contract() == shift.first.contract_no
    assert not queue.table.currentIndex().isValid()
    assert queue.current_key() == shift.first.loan_id.hex
    # Shown again, its row is the one highlighted.
    queue.search.clear()
    wait_idle(qtbot, window)
    assert queue.table.currentIndex().data(KEY_ROLE) == shift.first.loan_id.hex
    assert dialogs.shown == [] and window.call.in_call

    # Moving to another row is choosing it: that asks, as it always did.
    dialogs.answers.append(False)
    queue.table.setFocus()
    qtbot.keyClick(queue.table, Qt.Key.Key_Down)
    wait_idle(qtbot, window)
    assert [shown.kind for shown in dialogs.shown] == ["confirm"]
    assert window.current_contract() == shift.first.contract_no
