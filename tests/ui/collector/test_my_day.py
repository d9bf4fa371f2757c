"""The collector's day in the real window: what is due when the shift opens, in a panel that
never blocks the queue, and the day's summary on demand (F8), each account a click away.

The shift's clock stands at Friday 27 November 2026, 10:00 in Beijing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.database import Database
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.team.kpis import team_report
from app.ui.collector.my_day import KEY_ROLE
from app.ui.shell.main_window import MainWindow
from tests.helpers.contacts import outcome
from tests.ui.conftest import BEIJING, Launch, Shift, wait_idle

DAY = datetime(2026, 11, 27, tzinfo=BEIJING).date()


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return datetime(2026, 11, 27 + days, hour, minute, tzinfo=BEIJING)


def rows(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def click(qtbot: QtBot, table: QTableView, row: int) -> None:
    index = table.model().index(row, 1)
    rect = table.visualRect(index)
    assert rect.isValid(), "the row is not on screen"
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def due(shift: Shift) -> Shift:
    """Two callbacks and a promise due today, a callback due tomorrow, one answered already."""
    p = shift.portfolio
    p.callback(shift.second, at(15, 30))
    p.callback(shift.first, at(9))  # due an hour ago, not yet called
    p.callback(shift.first, at(10, 30, days=1))
    p.promise(shift.second, "1200.00", DAY, at(10, days=-4))
    p.promise(shift.first, "800.00", DAY + timedelta(days=1), at(10, days=-4))
    return shift


@pytest.fixture
def window(launch: Launch, due: Shift) -> Iterator[MainWindow]:
    _, window = launch()
    yield window
    window.close()


def test_the_start_panel_shows_whats_due_today_beside_a_usable_queue(
    qtbot: QtBot, window: MainWindow, due: Shift
) -> None:
    panel = window.due_today
    assert panel.isVisible()
    # A panel of the window, not a dialog: nothing waits for it to be closed.
    assert QApplication.activeModalWidget() is None
    callbacks = panel.panel.callback_table
    promises = panel.panel.promise_table
    assert rows(callbacks) == [
        ["09:00", due.first.contract_no, "王芳", ""],
        ["15:30", due.second.contract_no, "李娜", ""],
    ]
    assert rows(promises) == [[due.second.contract_no, "李娜", "¥1,200.00", "¥0.00"]]
    assert panel.panel.callbacks_title.text() == "Callbacks: 2"
    assert panel.panel.promises_title.text() == "Promises to pay: 1"
    assert "27 Nov" in panel.panel.title.text() or "November" in panel.panel.title.text()
    # The queue works beside it: the window opened the best callable account by itself.
    assert window.queue.current_key() == due.first.loan_id.hex
    for model in (callbacks.model(), promises.model()):
        ModelTester(None).check(model)  # type: ignore[arg-type]


def test_clicking_an_item_due_today_opens_its_account(
    qtbot: QtBot, window: MainWindow, due: Shift
) -> None:
    promises = window.due_today.panel.promise_table
    with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
        click(qtbot, promises, 0)
    assert shown.args == [due.second.contract_no]
    assert window.queue.current_key() == due.second.loan_id.hex
    wait_idle(qtbot, window)
    callbacks = window.due_today.panel.callback_table
    with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
        click(qtbot, callbacks, 0)
    assert shown.args == [due.first.contract_no]
    assert window.workspace.header.name.text() == "王芳"


def test_an_account_hidden_by_the_queues_filter_still_opens(
    qtbot: QtBot, window: MainWindow, due: Shift
) -> None:
    window.queue.search.setText("no such borrower")
    assert window.queue.proxy.rowCount() == 0
    with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
        window.show_due_account(due.second.loan_id.hex)
    assert shown.args == [due.second.contract_no]


def test_the_panel_is_dismissed_with_one_click_and_comes_back_on_f7(
    qtbot: QtBot, window: MainWindow, due: Shift
) -> None:
    panel = window.due_today
    qtbot.mouseClick(panel.panel.dismiss, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F7)
    assert panel.isVisible()
    assert len(rows(panel.panel.callback_table)) == 2


def test_with_nothing_due_the_shift_opens_without_the_panel(
    qtbot: QtBot, launch: Launch, shift: Shift
) -> None:
    _, window = launch()
    assert not window.due_today.isVisible()
    with qtbot.waitSignal(window.due_today.loaded, timeout=10_000):
        window.due_today_action.trigger()
    assert window.due_today.isVisible()
    assert "Nothing due today" in window.due_today.panel.title.text()


def test_a_call_that_answers_a_callback_takes_it_off_the_panel(
    qtbot: QtBot, window: MainWindow, due: Shift
) -> None:
    # The collector reaches the borrower whose callback was due at 09:00.
    window.call.form.choose("TPC")
    window.call.form.choose_emotion("calm")
    window.call.form.tick_all()
    with qtbot.waitSignal(window.due_today.loaded, timeout=10_000):
        window.call.save(go_next=False)
    wait_idle(qtbot, window)
    assert [row[1] for row in rows(window.due_today.panel.callback_table)] == [
        due.second.contract_no
    ]


def work(db: Database, shift: Shift) -> None:
    promise = PromiseInput("1500.00", DAY + timedelta(days=3))
    record_contact(db, outcome(shift.first, "NA", started_at=at(9)), now=shift.now)
    record_contact(
        db, outcome(shift.first, "PTP", started_at=at(9, 30), promise=promise), now=shift.now
    )
    record_contact(
        db,
        outcome(shift.second, "CB", started_at=at(9, 45), callback_at=at(11, 15, days=1)),
        now=shift.now,
    )


def test_the_end_of_day_summary_shows_the_days_figures_as_the_lead_counts_them(
    qtbot: QtBot, db: Database, window: MainWindow, due: Shift
) -> None:
    work(db, due)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    dialog = window.my_day_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.end is not None and not dialog.loading, timeout=10_000)
    assert dialog.isVisible() and not dialog.isModal()
    values = {key: label.text() for key, label in dialog.values.items()}
    assert values == {
        "attempts": "3",
        "contacts": "2",
        "rpcs": "2",
        "ptps": "1",
        "promised": "¥1,500.00",
    }
    lead = team_report(db, "lead.wang", DAY, DAY).collector(due.portfolio.collector)
    assert (lead.attempts, lead.contacts, lead.rpcs, lead.ptps, lead.promised_amount) == (
        3,
        2,
        2,
        1,
        Decimal("1500.00"),
    )
    assert rows(dialog.outcome_table) == [
        ["No answer", "1"],
        ["Promise to pay", "1"],
        ["Callback requested", "1"],
    ]
    assert rows(dialog.tomorrow_table) == [
        ["10:30", due.first.contract_no, "王芳", ""],
        ["11:15", due.second.contract_no, "李娜", ""],
    ]
    assert "28 Nov" in dialog.tomorrow_title.text() and dialog.tomorrow_title.text().endswith("2")
    ModelTester(None).check(dialog.outcome_table.model())  # type: ignore[arg-type]
    # Yesterday had nothing.
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.day.setDate(dialog.day.date().addDays(-1))
    assert dialog.values["attempts"].text() == "0"
    assert rows(dialog.outcome_table) == []
    # A callback due tomorrow opens its account from the summary.
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.day.setDate(dialog.day.date().addDays(1))
    with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
        click(qtbot, dialog.tomorrow_table, 1)
    assert shown.args == [due.second.contract_no]
    key = dialog.tomorrow_table.model().index(1, 0).data(KEY_ROLE)
    assert window.queue.current_key() == key


def test_the_summary_reads_today_again_each_time_it_is_asked_for(
    qtbot: QtBot, db: Database, window: MainWindow, due: Shift
) -> None:
    window.my_day_action.trigger()
    dialog = window.my_day_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.end is not None and not dialog.loading, timeout=10_000)
    assert dialog.values["attempts"].text() == "0"
    work(db, due)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        window.my_day_action.trigger()
    assert dialog.values["attempts"].text() == "3"
