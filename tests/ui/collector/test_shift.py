"""A collector's shift in the real main window: queue, account, script, call, outcome, next."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import (
    Borrower,
    ContactAttempt,
    ContactBlock,
    Escalation,
    PromiseToPay,
    QueueMemo,
)
from app.services.contact.queue import LiveQueue, build_queue
from app.ui.collector.queue_model import Column
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import COLLECTOR, Launch, Shift, verified, wait_idle


class Dialler(QObject):
    """Stands in for the phone: Qt hands it every tel: URL the window opens."""

    def __init__(self) -> None:
        super().__init__()
        self.dialled: list[str] = []

    @Slot(QUrl)
    def dial(self, url: QUrl) -> None:
        self.dialled.append(url.toString())


def open_account(qtbot: QtBot, window: MainWindow, contract_no: str) -> None:
    key = next(e for e in window.queue.model.rows if e.contract_no == contract_no)
    with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
        if window.queue.current_key() == key.loan_id.hex:
            window.reload_account()
        else:
            assert window.queue.select_key(key.loan_id.hex)
    assert shown.args == [contract_no]
    wait_idle(qtbot, window)


def save_and_wait(qtbot: QtBot, window: MainWindow, go_next: bool = False) -> None:
    """Save the outcome as the collector would and wait for the queue to follow."""
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window.call.save(go_next=go_next)
    wait_idle(qtbot, window)


def escalation_kinds(window: MainWindow, loan_id: object) -> list[str]:
    with window.context.db.reader() as session:
        return list(
            session.scalars(select(Escalation.kind).where(Escalation.loan_id == loan_id)).all()
        )


def test_queue_lists_the_accounts_with_the_blocked_one_greyed(
    window: MainWindow, shift: Shift
) -> None:
    model = window.queue.model
    contracts = [model.row_at(row).contract_no for row in range(model.rowCount())]
    assert sorted(contracts) == sorted(
        a.contract_no for a in (shift.first, shift.second, shift.ceased)
    )
    ceased_row = model.row_of(shift.ceased.loan_id.hex)
    assert ceased_row is not None
    status = model.index(ceased_row, Column.STATUS)
    assert "stop contact" in status.data()
    assert "Blocked" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert status.data(Qt.ItemDataRole.ForegroundRole) is not None
    first_row = model.row_of(shift.first.loan_id.hex)
    assert model.index(first_row, Column.STATUS).data() == "Callable"
    # The window opened on the best callable account by itself.
    assert window.queue.current_key() == shift.first.loan_id.hex
    assert "attempts: 0 ·" in window.shift_label.text()


def test_a_blocked_account_cannot_be_dialled(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    dialler = Dialler()
    QDesktopServices.setUrlHandler("tel", dialler, "dial")
    try:
        open_account(qtbot, window, shift.ceased.contract_no)
        buttons = window.workspace.points.call_buttons()
        assert buttons and not any(button.isEnabled() for button in buttons)
        assert "stop contact" in buttons[0].toolTip()
        window.dial_action.trigger()
        wait_idle(qtbot, window)
        assert dialler.dialled == []
        assert dialogs.shown[-1].kind == "info"
        assert "stop contact" in dialogs.shown[-1].text
    finally:
        QDesktopServices.unsetUrlHandler("tel")


def test_a_shift_call_with_a_promise_is_stored_shown_and_moves_on(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    dialler = Dialler()
    QDesktopServices.setUrlHandler("tel", dialler, "dial")
    try:
        open_account(qtbot, window, shift.first.contract_no)
        assert "王芳" in window.call.account.text()
        window.dial_action.trigger()
        qtbot.waitUntil(lambda: dialler.dialled != [], timeout=5000)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    assert dialler.dialled == ["tel:+8613812345678"]
    assert window.call.end_button.isEnabled()

    script = window.call.script
    script.answer("speaking")
    script.answer("match")
    # The disclosures must be ticked; the first one is skipped to prove it is enforced.
    script.advance()
    script.disclosure.setChecked(True)
    script.advance()
    script.advance()
    script.answer("cash_flow")
    assert window.call.form.code() is None
    script.answer("by_date")
    # The promise step picks the outcome and asks for the amount.
    assert window.call.form.code() == "PTP"
    script.answer("agreed")

    form = window.call.form
    form.amount.setText("1500")
    assert "¥1,500.00" in script.text.toPlainText()
    form.choose_emotion("anxious")
    window.call.save(go_next=False)
    marked = window.call.marks.marked()
    assert set(marked) == {"checklist", "script"}, "an incomplete checklist must be refused"
    assert "checklist" in marked["checklist"]
    assert "disclosures" in marked["script"]
    assert dialogs.errors() == []
    assert window.context.runner.pending == 0

    script.back()  # from the recap back to the promise question… and on to the first disclosure
    while script.run is not None and script.run.current.id != "disclosure_recording":
        script.back()
    script.disclosure.setChecked(True)
    for _ in range(3):
        script.advance()
    script.answer("cash_flow")
    script.answer("by_date")
    script.answer("agreed")
    form.tick_all()
    assert window.call.problems() == []
    save_and_wait(qtbot, window)

    with window.context.db.reader() as session:
        attempt = session.scalars(
            select(ContactAttempt).where(ContactAttempt.loan_id == shift.first.loan_id)
        ).one()
        promise = session.scalars(
            select(PromiseToPay).where(PromiseToPay.loan_id == shift.first.loan_id)
        ).one()
    assert attempt.disposition == "PTP"
    assert attempt.emotion == "anxious"
    assert "verify=match" in attempt.script_steps
    assert "disclosure_recording" in attempt.script_steps
    assert promise.amount == Decimal("1500.00")
    timeline = window.workspace.timeline.model
    texts = [row.text for row in timeline.rows]
    assert any("Promise to pay" in text for text in texts)
    assert any("1,500.00" in text for text in texts)
    assert "attempts: 1 ·" in window.shift_label.text()
    assert "promises: 1 (¥1,500.00)" in window.shift_label.text()

    # Next callable account: the second one (the ceased borrower is skipped).
    with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
        window.next_account()
    assert shown.args == [shift.second.contract_no]


def test_self_harm_risk_raises_an_escalation_and_pauses_the_account(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    open_account(qtbot, window, shift.second.contract_no)
    script = window.call.script
    verified(script)
    script.answer("job_loss")
    script.advance()
    script.answer("consents")
    script.answer("harm")
    form = window.call.form
    assert form.code() == "HRD"
    assert form.emotion_code() == "self_harm_risk"
    assert form.support.isVisible() or not form.support.isHidden()
    assert "12356" in form.support.text()
    form.tick_all()
    save_and_wait(qtbot, window, go_next=True)
    assert any("team lead" in item.text for item in dialogs.shown if item.kind == "info")
    assert escalation_kinds(window, shift.second.loan_id) == ["self_harm_risk"]
    with window.context.db.reader() as session:
        borrower = session.get_one(Borrower, shift.second.borrower_id)
    assert borrower.vulnerable
    row = window.queue.model.row_of(shift.second.loan_id.hex)
    assert row is not None
    assert not window.queue.model.row_at(row).contact.allowed


def test_the_rules_are_asked_again_just_before_dialling(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """The account was opened at 10:00; the collector presses Call at 22:05: refused."""
    dialler = Dialler()
    QDesktopServices.setUrlHandler("tel", dialler, "dial")
    try:
        open_account(qtbot, window, shift.first.contract_no)
        mobile = window.workspace.points.call_buttons()[0]
        assert mobile.isEnabled()
        night = shift.now.replace(hour=14, minute=5)  # 22:05 in Beijing
        window.context.clock = lambda: night
        mobile.click()
        wait_idle(qtbot, window)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    assert dialler.dialled == []
    assert dialogs.shown[-1].title == "No longer allowed"
    assert "22:00" in dialogs.shown[-1].text or "08:00" in dialogs.shown[-1].text
    assert not window.workspace.points.call_buttons()[0].isEnabled()
    # The stopped dial counts in the lead's compliance figures, under the rule that stopped it.
    with window.context.db.reader() as session:
        blocks = [(b.loan_id, b.rule, b.at) for b in session.scalars(select(ContactBlock))]
    assert blocks == [(shift.first.loan_id, "cn.quiet_hours", night)]


def test_talk_time_and_after_call_work_are_timed_from_the_dial_to_the_save(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    dialler = Dialler()
    QDesktopServices.setUrlHandler("tel", dialler, "dial")
    try:
        open_account(qtbot, window, shift.first.contract_no)
        window.dial_action.trigger()
        qtbot.waitUntil(lambda: window.call.in_call, timeout=5000)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    window.context.clock = lambda: shift.now + timedelta(seconds=95)
    window.call.end_call()
    window.call.form.choose("NA")
    window.context.clock = lambda: shift.now + timedelta(seconds=95 + 42)
    with qtbot.waitSignal(window.call.saved, timeout=10_000):
        window.call.save(go_next=False)
    with window.context.db.reader() as session:
        attempt = session.scalars(select(ContactAttempt)).one()
    assert (attempt.duration_seconds, attempt.after_call_seconds) == (95, 42)


def test_a_call_under_way_is_not_left_without_asking(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    dialler = Dialler()
    QDesktopServices.setUrlHandler("tel", dialler, "dial")
    try:
        open_account(qtbot, window, shift.first.contract_no)
        window.dial_action.trigger()
        qtbot.waitUntil(lambda: window.call.in_call, timeout=5000)
        window.dial_action.trigger()  # a second press while the call runs dials nothing
        wait_idle(qtbot, window)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    assert dialler.dialled == ["tel:+8613812345678"]
    assert not window.call.number.isEnabled()
    dialogs.answers.append(False)  # "leave without saving?" — no
    window.next_account()
    wait_idle(qtbot, window)
    assert dialogs.shown[-1].title == "A call is under way"
    assert window.queue.current_key() == shift.first.loan_id.hex
    assert window.call.in_call
    assert "王芳" in window.call.account.text()
    dialogs.answers.append(False)
    window.close()
    assert window.isVisible()
    dialogs.answers.append(True)  # now leave it
    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        window.next_account()
    assert not window.call.in_call


def test_the_outcome_form_opens_only_what_the_outcome_can_carry(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    form = window.call.form
    form.choose("PTP")
    form.choose_emotion("calm")
    assert form.amount.isEnabled() and form.emotion.isEnabled()
    form.amount.setText("800")
    form.choose("NA")
    assert not form.amount.isEnabled() and form.amount.text() == ""
    assert not form.emotion.isEnabled() and form.emotion_code() is None
    assert form.checklist.count() == 0
    assert window.call.problems() == []


def test_a_right_party_outcome_needs_a_passed_identity_check(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    script = window.call.script
    script.answer("speaking")
    script.answer("no_match")
    form = window.call.form
    form.choose("RTP")
    form.choose_emotion("calm")
    form.tick_all()
    assert any("identity check failed" in problem for problem in window.call.problems())


def test_a_relatives_number_gets_the_third_party_script(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    assert window.call.script.run is not None
    assert window.call.script.run.script.stage == "mid"
    relative = window.call.number.findData(str(shift.first.points["emergency"]))
    window.call.number.setCurrentIndex(relative)
    assert window.call.script.run.script.stage == "third_party"
    form = window.call.form
    form.choose("PTP")
    form.choose_emotion("calm")
    assert any("third party" in problem for problem in window.call.problems())
    window.call.number.setCurrentIndex(
        window.call.number.findData(str(shift.first.points["mobile"]))
    )
    assert window.call.script.run.script.stage == "mid"


def test_a_script_recorded_vulnerability_cannot_be_dropped_and_escalates(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    open_account(qtbot, window, shift.second.contract_no)
    script = window.call.script
    verified(script)
    script.answer("illness")
    script.advance()
    script.answer("consents")
    form = window.call.form
    assert form.emotion_code() == "vulnerability"
    form.choose_emotion("calm")
    form.tick_all()
    assert any("vulnerab" in problem.lower() for problem in window.call.problems())
    form.choose_emotion("vulnerability")
    form.tick_all()
    assert window.call.problems() == []
    save_and_wait(qtbot, window)
    assert escalation_kinds(window, shift.second.loan_id) == ["vulnerability"]


def test_a_reported_death_escalates_from_the_third_party_script(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    open_account(qtbot, window, shift.first.contract_no)
    script = window.call.script
    script.answer("someone_else")
    script.answer("deceased")
    form = window.call.form
    assert form.code() == "DCD"
    form.choose_emotion("distressed")
    form.tick_all()
    assert window.call.problems() == []
    save_and_wait(qtbot, window)
    assert escalation_kinds(window, shift.first.loan_id) == ["deceased"]
    with window.context.db.reader() as session:
        borrower = session.get_one(Borrower, shift.first.borrower_id)
    assert borrower.deceased
    assert any(item.title == "Escalated to your team lead" for item in dialogs.shown)


def test_after_an_outcome_the_queue_reads_again_only_that_borrower(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """Save and next: the window's queue reads the saved account again, not the whole queue,
    and shows what a queue built afresh at that moment shows."""
    dialler = Dialler()
    QDesktopServices.setUrlHandler("tel", dialler, "dial")
    try:
        open_account(qtbot, window, shift.first.contract_no)
        window.dial_action.trigger()
        qtbot.waitUntil(lambda: dialler.dialled != [], timeout=5000)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    window.call.form.choose("NA")
    save_and_wait(qtbot, window, go_next=True)
    assert window.live_queue.loaded == 1
    assert window.live_queue.computed <= 1
    fresh = build_queue(window.context.db, COLLECTOR, shift.now)
    shown = [
        (entry.contract_no, entry.rank, entry.contact, entry.reasons)
        for entry in window.queue.model.rows
    ]
    assert sorted(shown, key=lambda row: row[1]) == [
        (entry.contract_no, entry.rank, entry.contact, entry.reasons) for entry in fresh.entries
    ]
    with window.context.db.reader() as session:
        attempt = session.scalars(
            select(ContactAttempt).where(ContactAttempt.loan_id == shift.first.loan_id)
        ).one()
    assert attempt.disposition == "NA"
    # F5 still reads everything: the account written to since the window kept its queue is
    # read from the database, the others' answers are taken from the memo, nothing having
    # been written to them since.
    with qtbot.waitSignal(window.queue_refreshed, timeout=10_000):
        window.refresh_queue()
    live = window.live_queue
    assert (live.loaded, live.remembered) == (1, len(fresh.entries) - 1)
    assert [(entry.contract_no, entry.contact) for entry in window.queue.model.rows] == [
        (entry.contract_no, entry.contact)
        for entry in build_queue(window.context.db, COLLECTOR, shift.now, memo=False).entries
    ]


def test_the_window_keeps_its_queue_for_the_next_read_afresh(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """Once it has read its whole queue, the window keeps it in the queue's memo (a write of
    its own, after the read): the next queue read afresh (another window, the command line)
    takes every answer from it and reads as the queue computed anew."""
    db = window.context.db

    def kept() -> int:
        with db.reader() as session:
            return session.scalar(select(func.count()).select_from(QueueMemo)) or 0

    qtbot.waitUntil(lambda: kept() == 3, timeout=10_000)
    live = LiveQueue(db, COLLECTOR)
    queue = live.read(shift.now)
    assert (live.remembered, live.computed) == (3, 0)
    assert queue == build_queue(db, COLLECTOR, shift.now, memo=False)


def test_save_and_next_on_the_only_callable_account_leaves_it_ready(
    qtbot: QtBot, launch: Launch, shift: Shift
) -> None:
    """No other account may be called (the rest asked to stop contact): Save and next keeps
    the saved account open with a fresh form, instead of a greyed panel."""
    with shift.portfolio.db.session() as session:
        session.get_one(Borrower, shift.second.borrower_id).cease_requested = True
    _, window = launch()
    try:
        callable_now = [e.contract_no for e in window.queue.model.rows if e.contact.allowed]
        assert callable_now == [shift.first.contract_no]
        dialler = Dialler()
        QDesktopServices.setUrlHandler("tel", dialler, "dial")
        try:
            open_account(qtbot, window, shift.first.contract_no)
            window.dial_action.trigger()
            qtbot.waitUntil(lambda: dialler.dialled != [], timeout=5000)
        finally:
            QDesktopServices.unsetUrlHandler("tel")
        window.call.form.choose("NA")
        with qtbot.waitSignal(window.account_shown, timeout=10_000) as shown:
            save_and_wait(qtbot, window, go_next=True)
        wait_idle(qtbot, window)
        assert shown.args == [shift.first.contract_no]
        assert window.queue.current_key() == shift.first.loan_id.hex
        assert "王芳" in window.call.account.text()
        assert window.call.detail is not None
        assert window.call.number.isEnabled() and window.call.form.isEnabled()
        assert window.call.form.code() is None  # the saved outcome is not offered again
        window.call.form.choose("NA")
        assert window.call.save_next_button.isEnabled()
    finally:
        window.close()
