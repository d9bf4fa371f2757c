"""Offering a repayment plan from the real window: live preview, saving, issuing, cancelling."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent, PlanStatus, User
from app.services.common.errors import InvalidDate
from app.services.contact.contacts import record_contact
from app.services.plans.agreements import verify_agreement
from app.services.plans.lifecycle import plans_for
from app.services.plans.offers import PlanOffer
from app.ui.collector.plan_dialog import PlanDialog
from app.ui.collector.plan_tables import LineColumn, PlanColumn
from app.ui.common.dialogs import error_text
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from tests.helpers.contacts import outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.disks import full_disk, read_only_disk
from tests.helpers.pdf import pdf_text
from tests.helpers.portfolio import Account
from tests.ui.conftest import COLLECTOR, Shift, start_window, wait_idle

TODAY = date(2026, 11, 27)  # the shift's day in Beijing
LEAD = "lead.wang"


def settle(qtbot: QtBot, dialog: PlanDialog) -> None:
    """Until the preview matches the terms on screen and every answer is in."""
    qtbot.waitUntil(
        lambda: not dialog.previewing and dialog.context.runner.pending == 0, timeout=10_000
    )


def open_from_workspace(qtbot: QtBot, window: MainWindow) -> PlanDialog:
    qtbot.mouseClick(window.workspace.offer_plan, Qt.MouseButton.LeftButton)
    dialog = window.plan_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    settle(qtbot, dialog)
    return dialog


def set_count(qtbot: QtBot, dialog: PlanDialog, count: int) -> None:
    dialog.count.setValue(count)
    settle(qtbot, dialog)


def set_first_due(qtbot: QtBot, dialog: PlanDialog, day: date) -> None:
    dialog.first_due.setDate(QDate(day.year, day.month, day.day))
    settle(qtbot, dialog)


def shown_lines(dialog: PlanDialog) -> list[tuple[str, str, str]]:
    model = dialog.lines
    return [
        tuple(str(model.index(row, column).data()) for column in LineColumn)  # type: ignore[misc]
        for row in range(model.rowCount())
    ]


def click_and_wait(
    qtbot: QtBot, window: MainWindow, dialog: PlanDialog, button: QPushButton
) -> None:
    """Press a button that writes a plan; wait until the window shows the account again."""
    with (
        qtbot.waitSignal(window.account_shown, timeout=10_000),
        qtbot.waitSignal(dialog.plans_changed, timeout=10_000),
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)


def plan_timeline(window: MainWindow) -> list[str]:
    window.workspace.timeline.set_kind_filter("plans")
    return window.workspace.timeline.shown_texts()


def test_the_preview_follows_the_terms_from_the_workspace_button(
    qtbot: QtBot,
    window: MainWindow,
    shift: Shift,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    dialog = open_from_workspace(qtbot, window)
    assert shift.first.contract_no in dialog.windowTitle()
    qtmodeltester.check(dialog.lines)
    formats = window.context.formats
    offer = dialog.offer
    assert offer is not None
    # Three monthly instalments from a week ahead, summing to what the borrower pays.
    first = TODAY + timedelta(days=7)
    assert [row[1] for row in shown_lines(dialog)] == [
        formats.date(day) for day in (first, date(2027, 1, 4), date(2027, 2, 4))
    ]
    assert [row[0] for row in shown_lines(dialog)] == ["1", "2", "3"]
    assert dialog.lines.total() == offer.total == offer.overdue
    assert formats.money(offer.total) in dialog.lines_total.text()
    assert dialog.figures["total"].text() == formats.money(offer.total)
    assert dialog.warnings.isHidden() and dialog.problem.isHidden()
    assert dialog.submit.isEnabled() and dialog.save_draft.isEnabled()

    resets: list[None] = []
    dialog.lines.modelReset.connect(lambda: resets.append(None))
    set_count(qtbot, dialog, 5)
    assert dialog.lines.rowCount() == 5
    assert dialog.lines.total() == offer.total
    set_count(qtbot, dialog, 2)
    assert dialog.lines.rowCount() == 2
    assert sum(line.amount for line in dialog.lines.rows) == offer.total
    assert resets == []  # rows come and go one by one: the view keeps its place

    # A down payment is paid today; the instalments cover the rest.
    dialog.down_payment.setText("1000")
    settle(qtbot, dialog)
    assert dialog.figures["down_payment"].text() == formats.money(Decimal("1000.00"))
    assert dialog.lines.total() == offer.total - 1000

    # One payment in full: the instalment inputs close, one row remains.
    dialog.kind.setCurrentIndex(dialog.kind.findData("full"))
    settle(qtbot, dialog)
    assert dialog.lines.rowCount() == 1
    assert not dialog.count.isEnabled() and not dialog.down_payment.isEnabled()
    assert not dialog.discount.isEnabled()
    dialog.kind.setCurrentIndex(dialog.kind.findData("settlement"))
    assert dialog.discount.isEnabled()

    inputs = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit)
    nameless = [
        type(widget).__name__
        for widget in dialog.findChildren(QWidget)
        if isinstance(widget, inputs)
        and widget.isVisibleTo(dialog)
        and not isinstance(widget.parentWidget(), inputs)  # a spin box's own line edit
        and not widget.accessibleName()
    ]
    assert nameless == []


def test_a_late_answer_for_older_terms_is_dropped(qtbot: QtBot, window: MainWindow) -> None:
    dialog = open_from_workspace(qtbot, window)
    shown: list[object] = []
    dialog.preview_shown.connect(shown.append)
    dialog.count.setValue(4)
    dialog.preview_now()  # on its way when the count changes again
    dialog.count.setValue(6)
    dialog.preview_now()
    settle(qtbot, dialog)
    assert [len(offer.lines) for offer in shown if isinstance(offer, PlanOffer)] == [6]
    assert dialog.lines.rowCount() == 6


def test_a_past_first_due_date_shows_the_services_message_and_allows_no_saving(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = open_from_workspace(qtbot, window)
    yesterday = TODAY - timedelta(days=1)
    set_first_due(qtbot, dialog, yesterday)
    expected = error_text(InvalidDate("The first due date {date} is in the past.", date=yesterday))
    # At the date itself: nothing about no term to say where the preview was.
    assert dialog.marks.marked() == {"first_due": expected}
    assert dialog.marks.note("first_due").isVisibleTo(dialog)
    assert dialog.first_due.toolTip() == expected
    assert dialog.problem.isHidden()
    assert dialog.lines.rowCount() == 0
    assert not dialog.submit.isEnabled() and not dialog.save_draft.isEnabled()

    set_first_due(qtbot, dialog, TODAY)
    assert dialog.marks.marked() == {} and dialog.problem.isHidden()
    assert dialog.submit.isEnabled()

    # An amount that is not one is named before any service is asked.
    dialog.waiver.setText(".")
    settle(qtbot, dialog)
    assert dialog.marks.marked() == {
        "waiver": "Penalty waiver: “.” is not an amount such as 1200.00."
    }
    assert not dialog.submit.isEnabled()


def test_every_problem_with_the_terms_shows_at_once_at_its_term(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """Each mistake at its term in one preview: not one round each."""
    dialog = open_from_workspace(qtbot, window)
    # Two amounts that are not amounts: both named before any service is asked.
    dialog.waiver.setText(".")
    dialog.down_payment.setText(",.")
    settle(qtbot, dialog)
    assert set(dialog.marks.marked()) == {"waiver", "down_payment"}
    # Two terms the services refuse: both in the one answer.
    dialog.down_payment.clear()
    dialog.waiver.setText("999999")
    set_first_due(qtbot, dialog, TODAY - timedelta(days=3))
    marked = dialog.marks.marked()
    assert set(marked) == {"waiver", "first_due"}, marked
    assert "is more than the" in marked["waiver"] and "penalty interest overdue" in marked["waiver"]
    assert "is in the past" in marked["first_due"]
    assert dialog.problem.isHidden() and not dialog.submit.isEnabled()
    # Put right one by one, each mark goes with its problem.
    dialog.waiver.clear()
    settle(qtbot, dialog)
    assert set(dialog.marks.marked()) == {"first_due"}
    set_first_due(qtbot, dialog, TODAY + timedelta(days=3))
    assert dialog.marks.marked() == {}
    assert dialog.offer is not None and dialog.submit.isEnabled()


def test_thirty_instalments_need_approval_and_submit_stores_a_pending_plan(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    dialog = open_from_workspace(qtbot, window)
    set_count(qtbot, dialog, 30)
    warnings = dialog.warnings.text()
    assert "30 instalments are more than the 24 allowed without approval." in warnings
    assert "Needs a team lead's approval before it can be issued." in warnings
    assert dialog.submit.isEnabled()  # outside the policy is not impossible

    click_and_wait(qtbot, window, dialog, dialog.submit)
    stored = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert [plan.status for plan in stored] == [PlanStatus.PENDING_APPROVAL]
    assert len(stored[0].lines) == 30
    assert dialog.outcome.text().startswith("Waiting for a team lead's approval")
    assert "30 instalments are more than the 24 allowed" in dialog.outcome.text()
    row = dialog.plans.row_of(stored[0].id)
    assert row == 0
    assert dialog.plans.index(0, PlanColumn.STATUS).data() == "waiting for approval"
    # Nothing to issue yet, and no second plan beside an open one.
    assert not dialog.issue.isEnabled()
    assert dialog.cancel_plan.isEnabled()
    assert not dialog.submit.isEnabled() and dialog.open_plan_note.isVisibleTo(dialog)
    money = window.context.formats.money(stored[0].total)
    assert plan_timeline(window) == [f"{money}, waiting for approval"]


def test_an_approved_plan_is_issued_saved_as_pdf_opened_and_signed(
    qtbot: QtBot,
    window: MainWindow,
    shift: Shift,
    dialogs: RecordingDialogs,
    tmp_path: Path,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    dialog = open_from_workspace(qtbot, window)
    qtmodeltester.check(dialog.plans)
    click_and_wait(qtbot, window, dialog, dialog.submit)
    assert dialog.outcome.text().startswith("Approved: the plan is within the policy.")
    assert dialog.issue.isEnabled()

    target = tmp_path / "agreement.pdf"
    dialogs.files.append(target)
    with qtbot.waitSignal(dialog.agreement_written, timeout=10_000) as written:
        click_and_wait(qtbot, window, dialog, dialog.issue)
    assert written.args == [target]
    assert target.read_bytes().startswith(b"%PDF")
    (plan,) = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert plan.status is PlanStatus.ISSUED and plan.agreement_no is not None
    assert plan.agreement_no.startswith("HX-20261127-")
    saving = [shown for shown in dialogs.shown if shown.kind == "save_file"]
    assert saving[-1].text.endswith(f"{plan.agreement_no}.pdf")
    assert dialog.plans.index(0, PlanColumn.AGREEMENT).data() == plan.agreement_no
    assert plan.agreement_no in dialog.agreement.text() and str(target) in dialog.agreement.text()

    assert "还款协议" in pdf_text(target.read_bytes())  # Chinese unless asked otherwise

    qtbot.mouseClick(dialog.open_pdf, Qt.MouseButton.LeftButton)
    assert dialogs.opened == [target]

    assert dialog.sign.isEnabled() and not dialog.issue.isEnabled()
    click_and_wait(qtbot, window, dialog, dialog.sign)
    assert dialogs.shown[-1].kind == "confirm"
    assert dialog.plans.index(0, PlanColumn.STATUS).data() == "active"
    money = window.context.formats.money(plan.total)
    assert plan_timeline(window) == [f"{money}, active"]

    # A signed agreement can be printed again, here in English.
    english = tmp_path / "agreement-en"
    dialogs.files.append(english)
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    with qtbot.waitSignal(dialog.agreement_written, timeout=10_000):
        qtbot.mouseClick(dialog.save_pdf, Qt.MouseButton.LeftButton)
    assert "Repayment Agreement" in pdf_text(english.with_suffix(".pdf").read_bytes())


def test_an_agreement_that_cannot_be_written_leaves_the_plan_approved_and_says_why(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs, tmp_path: Path
) -> None:
    dialog = open_from_workspace(qtbot, window)
    click_and_wait(qtbot, window, dialog, dialog.submit)
    assert dialog.issue.isEnabled()
    with full_disk(tmp_path / "full") as full:
        target = full / "agreement.pdf"
        dialogs.files.append(target)
        qtbot.mouseClick(dialog.issue, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(dialogs.errors()), timeout=10_000)
        assert dialogs.errors() == [f"Cannot write {target}: No space left on device."]
        assert sorted(path.name for path in full.iterdir()) == ["filler"]
    (plan,) = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert (plan.status, plan.agreement_no) == (PlanStatus.APPROVED, None)
    assert dialog.plans.index(0, PlanColumn.STATUS).data() == "approved"
    assert dialog.issue.isEnabled() and not dialog.sign.isEnabled()
    assert not dialog.open_pdf.isEnabled()
    # A read-only disk is refused before anything is written, in one line too.
    with read_only_disk(tmp_path / "locked") as locked:
        dialogs.files.append(locked / "agreement.pdf")
        qtbot.mouseClick(dialog.issue, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(dialogs.errors()) == 2, timeout=10_000)
        assert dialogs.errors()[-1] == f"Cannot write into {locked}."
        assert list(locked.iterdir()) == []
    assert plans_for(window.context.db, COLLECTOR, shift.first.contract_no) == (plan,)
    assert dialog.issue.isEnabled() and not dialog.open_pdf.isEnabled()

    # Somewhere with room, the same plan is issued with its file.
    target = tmp_path / "agreement.pdf"
    dialogs.files.append(target)
    with qtbot.waitSignal(dialog.agreement_written, timeout=10_000):
        click_and_wait(qtbot, window, dialog, dialog.issue)
    (plan,) = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert plan.status is PlanStatus.ISSUED
    assert verify_agreement(window.context.db, target).status == "genuine"


def test_cancelling_asks_a_reason_and_frees_the_account_for_another_plan(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    dialog = open_from_workspace(qtbot, window)
    click_and_wait(qtbot, window, dialog, dialog.save_draft)
    assert dialog.outcome.text().startswith("Saved as a draft.")
    assert dialog.submit_draft.isEnabled() and not dialog.issue.isEnabled()

    # No reason given (the question was cancelled): nothing changes.
    qtbot.mouseClick(dialog.cancel_plan, Qt.MouseButton.LeftButton)
    assert dialogs.shown[-1].kind == "ask_text"
    assert window.context.runner.pending == 0
    # An empty reason is refused by the service, in its words.
    dialogs.texts.append("  ")
    qtbot.mouseClick(dialog.cancel_plan, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialogs.errors()), timeout=10_000)
    assert dialogs.errors() == ["Say why the plan is cancelled."]

    dialogs.texts.append("The borrower will pay in full next week")
    click_and_wait(qtbot, window, dialog, dialog.cancel_plan)
    (plan,) = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert plan.status is PlanStatus.CANCELLED
    assert dialog.plans.index(0, PlanColumn.STATUS).data() == "cancelled"
    assert not dialog.cancel_plan.isEnabled()
    assert dialog.submit.isEnabled() and not dialog.open_plan_note.isVisibleTo(dialog)
    assert plan_timeline(window) == [f"{window.context.formats.money(plan.total)}, cancelled"]


def test_the_script_step_and_the_shortcut_open_the_dialog_of_the_account_shown(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    # The script's plan step: the PLAN outcome is chosen and the dialog opens.
    window.call.script.action_requested.emit("plan_calculator")
    assert window.call.form.code() == "PLAN"
    first = window.plan_dialog
    assert first is not None and first.isVisible()
    assert first.contract_no == shift.first.contract_no
    settle(qtbot, first)
    first.close()

    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        window.queue.select_key(shift.second.loan_id.hex)
    wait_idle(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    second = window.plan_dialog
    assert second is not None and second is not first
    assert second.contract_no == shift.second.contract_no and second.isVisible()
    settle(qtbot, second)
    assert second.lines.rowCount() == 3


def test_enter_in_a_term_field_stores_no_plan(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    dialog = open_from_workspace(qtbot, window)
    dialog.waiver.setFocus()
    qtbot.keyClicks(dialog.waiver, "10")
    settle(qtbot, dialog)
    qtbot.keyClick(dialog.waiver, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert dialog.isVisible()
    assert plans_for(window.context.db, COLLECTOR, shift.first.contract_no) == ()


# --- pauses stop plans ---------------------------------------------------------------------

SELF_HARM = "Vulnerable: paused; Self-harm or harm risk expressed"


def self_harm_risk_raised(window_db: Database, shift: Shift, account: Account) -> None:
    """A call on the account (another workstation's) met a self-harm risk: the borrower is
    marked vulnerable and an urgent escalation waits for a lead."""
    started = shift.now - timedelta(minutes=3)
    result = record_contact(
        window_db,
        outcome(account, "HRD", emotion="self_harm_risk", started_at=started),
        now=shift.now,
    )
    assert result.escalation_id is not None


def paused_refusal(contract_no: str, pauses: str = SELF_HARM) -> str:
    return (
        f"Collection on account {contract_no} is paused ({pauses}): no plan can be offered,"
        " approved or issued unless a team lead allows it."
    )


def test_a_paused_account_offers_no_plan_and_says_why_once(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    self_harm_risk_raised(window.context.db, shift, shift.first)
    dialog = open_from_workspace(qtbot, window)
    settle(qtbot, dialog)

    refusal = paused_refusal(shift.first.contract_no)
    assert dialog.pause_note.isVisibleTo(dialog)
    assert dialog.pause_note.label.text() == refusal
    # Said once, at the top: not again where the preview was.
    assert dialog.problem.isHidden()
    assert dialog.offer is None and dialog.lines.rowCount() == 0
    assert not dialog.submit.isEnabled() and not dialog.save_draft.isEnabled()
    # A collector cannot let a plan past the pause.
    assert not dialog.pause_note.allow_button.isVisibleTo(dialog)
    # Enter in a term field stores nothing either.
    qtbot.keyClick(dialog.waiver, Qt.Key.Key_Return)
    settle(qtbot, dialog)
    assert plans_for(window.context.db, COLLECTOR, shift.first.contract_no) == ()


def test_a_pause_that_comes_after_the_plan_stops_its_agreement(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    dialog = open_from_workspace(qtbot, window)
    click_and_wait(qtbot, window, dialog, dialog.submit)
    (plan,) = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert plan.status is PlanStatus.APPROVED and dialog.issue.isEnabled()
    assert dialog.pause_note.isHidden()

    # Meanwhile a call on another workstation met a self-harm risk.
    self_harm_risk_raised(window.context.db, shift, shift.first)
    dialogs.files.append(Path("never-written.pdf"))
    qtbot.mouseClick(dialog.issue, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    refusal = paused_refusal(shift.first.contract_no)
    assert dialogs.errors() == [refusal]
    (plan,) = plans_for(window.context.db, COLLECTOR, shift.first.contract_no)
    assert plan.status is PlanStatus.APPROVED and plan.agreement_no is None
    # The dialog now says why at the top and offers no second try; cancelling stays open.
    qtbot.waitUntil(lambda: dialog.pause_note.label.text() == refusal, timeout=10_000)
    assert not dialog.issue.isEnabled() and dialog.cancel_plan.isEnabled()
    # The file was asked for first (an agreement is issued with its file) and never written.
    assert [shown.kind for shown in dialogs.shown].count("save_file") == 1
    assert not Path("never-written.pdf").exists()


def test_a_lead_lets_a_plan_go_ahead_despite_the_pause_with_a_reason(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    self_harm_risk_raised(db, shift, shift.first)
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
    )
    try:
        wait_idle(qtbot, window)
        # The lead works the team's queue: the collector's account is in it.
        window.open_account(shift.first.loan_id.hex)
        wait_idle(qtbot, window)
        dialog = open_from_workspace(qtbot, window)
        note = dialog.pause_note
        assert note.label.text() == paused_refusal(shift.first.contract_no)
        assert note.allow_button.isVisibleTo(dialog) and note.allow_button.isEnabled()
        assert not dialog.submit.isEnabled()

        # Without a reason the prompt asks again, saying why, before anything is sent; a
        # cancelled prompt does nothing.
        dialogs.texts.append("  ")
        qtbot.mouseClick(note.allow_button, Qt.MouseButton.LeftButton)
        settle(qtbot, dialog)
        asked = [shown for shown in dialogs.shown if shown.kind == "ask_text"]
        assert len(asked) == 2 and asked[1].text.startswith("Say why a plan may go ahead")
        assert asked[1].text.endswith(asked[0].text)
        assert dialogs.errors() == [] and note.allow_button.isVisibleTo(dialog)

        reason = "Spoke with her and the support line: she wants a small plan to stop worrying."
        dialogs.texts.append(reason)
        with qtbot.waitSignal(note.allowed, timeout=10_000):
            qtbot.mouseClick(note.allow_button, Qt.MouseButton.LeftButton)
        settle(qtbot, dialog)
        until = window.context.formats.date_time(shift.now + timedelta(days=14))
        assert note.label.text() == (
            f"Collection on this account is paused ({SELF_HARM}); {LEAD} let plans go ahead"
            f" despite it until {until}: “{reason}”"
        )
        assert not note.allow_button.isVisibleTo(dialog)
        assert dialog.offer is not None and dialog.problem.isHidden()
        assert dialog.submit.isEnabled()

        with qtbot.waitSignal(dialog.plans_changed, timeout=10_000):
            qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
        settle(qtbot, dialog)
        (plan,) = plans_for(db, LEAD, shift.first.contract_no)
        assert plan.status is PlanStatus.APPROVED
        with db.reader() as session:
            given = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "plan.allowed_despite_pause")
            ).one()
            lead_id = session.scalars(select(User.id).where(User.username == LEAD)).one()
        assert given.user_id == lead_id and given.details["reason"] == reason
        assert given.details["flags"] == ["vulnerable"]
    finally:
        window.leave()
        startup.stop()
