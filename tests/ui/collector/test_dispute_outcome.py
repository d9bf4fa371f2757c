"""A dispute (DSP) in the outcome form opens its case: the kind and the borrower's claim are
asked for there, each refusal at its field, and Save records the contact with its case."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import ContactAttempt, DisputeCase
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.collector.test_shift import open_account, save_and_wait
from tests.ui.conftest import Shift, verified


def test_a_dispute_in_the_outcome_form_opens_its_case(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    open_account(qtbot, window, shift.second.contract_no)
    panel = window.call
    form = panel.form
    # Not a dispute: the dispute's fields are not there.
    form.choose("NA")
    assert not form.dispute_box.isVisibleTo(window)
    verified(panel.script)
    panel.script.answer("dispute")
    assert form.code() == "DSP"
    assert form.dispute_box.isVisibleTo(window)
    form.choose_emotion("angry")
    form.tick_all()
    # The claim is missing: said under it, and Save stays shut.
    assert panel.marks.marked() == {"claim": "Write what the borrower disputes, in their words."}
    assert not panel.save_button.isEnabled()
    form.dispute_kind.setCurrentIndex(form.dispute_kind.findData("already_paid"))
    form.dispute_claim.setText("客户称11月20日已通过银行转账还款")
    form.claimed_amount.setText("12.345")
    assert list(panel.marks.marked()) == ["amount"]
    form.claimed_amount.setText("1100.16")
    form.claimed_on.setText("2026-11-31")
    assert panel.marks.marked() == {"paid_on": "“2026-11-31” is not a date (YYYY-MM-DD)."}
    form.claimed_on.setText("2026-11-20")
    form.claimed_reference.setText("HX-TRANSFER-77")
    assert panel.problems() == [] and panel.save_button.isEnabled()
    save_and_wait(qtbot, window)
    with window.context.db.reader() as session:
        case = session.scalars(select(DisputeCase)).one()
        attempt = session.get_one(ContactAttempt, case.attempt_id)
    assert (attempt.disposition, attempt.loan_id) == ("DSP", shift.second.loan_id)
    assert (case.kind, case.claim) == ("already_paid", "客户称11月20日已通过银行转账还款")
    assert (str(case.claimed_amount), case.claimed_paid_on) == ("1100.16", date(2026, 11, 20))
    assert case.claimed_reference == "HX-TRANSFER-77"
    # Friday 27 November 2026: fifteen working days later is Friday 18 December.
    assert case.due_on == date(2026, 12, 18)


def test_a_collector_logs_a_complaint_on_the_account_shown(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    from app.models import Complaint

    open_account(qtbot, window, shift.second.contract_no)
    window.complaint_action.trigger()
    dialog = window.complaint_dialog
    assert dialog is not None and dialog.contract.text() == shift.second.contract_no
    dialog.channel.setCurrentIndex(dialog.channel.findData("call"))
    dialog.category.setCurrentIndex(dialog.category.findData("third_party_contact"))
    dialog.summary.setPlainText("客户投诉我们联系了他的单位同事")
    with qtbot.waitSignal(dialog.logged, timeout=10_000):
        dialog.buttons.accepted.emit()
    with window.context.db.reader() as session:
        logged = session.scalars(select(Complaint)).one()
    assert (logged.loan_id, logged.category, logged.collector_id) == (
        shift.second.loan_id,
        "third_party_contact",
        None,
    )
    # Friday 27 November 2026: the lender's ten working days, to Friday 11 December.
    assert logged.due_on == date(2026, 12, 11)
