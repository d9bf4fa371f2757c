"""The call script is a rule in the window (issue 15): no right-party outcome without the
identity check and the disclosures, the path saved as walked, and the script saved as shown."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import ContactAttempt, PromiseToPay
from app.services.team.reviews import contact_for_review
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.collector.test_shift import open_account, save_and_wait
from tests.ui.conftest import Shift, wait_idle


class Phone(QObject):
    """Takes the tel: URL the window opens instead of a real phone."""

    @Slot(QUrl)
    def dial(self, url: QUrl) -> None:
        pass


def _dial(qtbot: QtBot, window: MainWindow, contract_no: str) -> None:
    phone = Phone()
    QDesktopServices.setUrlHandler("tel", phone, "dial")
    try:
        open_account(qtbot, window, contract_no)
        window.dial_action.trigger()
        qtbot.waitUntil(lambda: window.call.in_call, timeout=5000)
    finally:
        QDesktopServices.unsetUrlHandler("tel")


def _menu_action(window: MainWindow, shortcut: str) -> None:
    action = next(a for a in window.call.actions_for_menu() if a.shortcut().toString() == shortcut)
    action.trigger()


def _stored(window: MainWindow) -> tuple[int, int]:
    with window.context.db.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(ContactAttempt)) or 0,
            session.scalar(select(func.count()).select_from(PromiseToPay)) or 0,
        )


def test_a_promise_saved_without_the_script_is_refused(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """Ctrl+6 (PTP), an emotion and its checklist, an amount, Ctrl+S: no script started."""
    _dial(qtbot, window, shift.first.contract_no)
    _menu_action(window, "Ctrl+6")
    form = window.call.form
    assert form.code() == "PTP"
    form.choose_emotion("calm")
    form.tick_all()
    form.amount.setText("800")
    missing = window.call.problems()
    assert any("right-party outcome" in line for line in missing), missing
    assert not window.call.save_button.isEnabled()
    assert window.call.marks.note("script").isVisible()

    _menu_action(window, "Ctrl+S")
    wait_idle(qtbot, window)
    assert "right-party outcome" in window.call.marks.marked()["script"]
    assert dialogs.errors() == []
    assert _stored(window) == (0, 0)

    # Verified but the disclosures not ticked: still refused, naming them.
    script = window.call.script
    script.answer("speaking")
    script.answer("match")
    for _ in range(3):
        script.advance()
    assert window.call.form.code() == "PTP"
    missing = window.call.problems()
    assert any("Recording notice" in line and "Purpose" in line for line in missing), missing
    _menu_action(window, "Ctrl+S")
    wait_idle(qtbot, window)
    assert "Recording notice" in window.call.marks.marked()["script"]
    assert _stored(window) == (0, 0)


def test_going_back_to_tick_a_disclosure_saves_the_whole_walk_as_shown(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    _dial(qtbot, window, shift.first.contract_no)
    script = window.call.script
    shown = script.title.text()
    assert shown == "Mid-stage collection (M2–M3)"  # DPD 45
    script.answer("speaking")
    script.answer("match")
    script.advance()  # past the recording notice without ticking it
    script.disclosure.setChecked(True)  # the purpose of the call
    script.advance()
    script.advance()
    script.answer("cash_flow")
    script.answer("by_date")
    assert script.run is not None and script.run.current.id == "promise"
    form = window.call.form
    form.amount.setText("1500")
    form.choose_emotion("calm")
    form.tick_all()
    assert any("Recording notice" in line for line in window.call.problems())
    while script.run.current.id != "disclosure_recording":
        script.back()
    script.disclosure.setChecked(True)
    assert window.call.problems() == []
    save_and_wait(qtbot, window)
    assert not dialogs.errors()

    with window.context.db.reader() as session:
        attempt = session.scalars(
            select(ContactAttempt).where(ContactAttempt.loan_id == shift.first.loan_id)
        ).one()
    assert attempt.script_stage == "mid"
    assert attempt.script_steps == [
        "greeting=speaking",
        "verify=match",
        "disclosure_recording",
        "disclosure_purpose=said",
        "account",
        "reason=cash_flow",
        "options=by_date",
        "promise",
        "options",
        "reason",
        "account",
        "disclosure_purpose=said",
        "disclosure_recording=said",
    ]
    # The lead reviews the script the collector was shown, every step of the walk.
    detail = contact_for_review(window.context.db, "lead.wang", attempt.id)
    assert detail.script_stage == "mid"
    assert detail.script_title is not None and detail.script_title.en == shown
    assert len(detail.script_path) == 13 and all(step.known for step in detail.script_path)
    assert detail.script_path[-1].answer is not None
    assert detail.script_path[-1].answer.en == "given"


def test_the_stored_script_is_the_one_shown_for_each_stage(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """A DPD 12 account is shown the early-stage script, and a third party's number the
    third-party one: each is stored, not the first script whose steps fit the path."""
    _dial(qtbot, window, shift.second.contract_no)
    script = window.call.script
    assert script.run is not None and script.run.script.stage == "early"
    script.answer("someone_else")
    script.answer("will_pass")
    window.call.form.choose_emotion("calm")
    window.call.form.tick_all()
    assert window.call.form.code() == "TPC"
    save_and_wait(qtbot, window)
    with window.context.db.reader() as session:
        attempt = session.scalars(
            select(ContactAttempt).where(ContactAttempt.loan_id == shift.second.loan_id)
        ).one()
    assert (attempt.script_stage, attempt.disposition) == ("early", "TPC")
    detail = contact_for_review(window.context.db, "lead.wang", attempt.id)
    assert detail.script_stage == "early"
