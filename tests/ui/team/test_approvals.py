"""Plan approvals on real widgets: a lead approves or rejects, the collector reads the decision."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent, PlanStatus
from app.services.contact.contacts import record_contact
from app.services.plans.lifecycle import PlanView, decide_plan, plan_view, save_plan
from app.services.plans.offers import PlanTerms
from app.ui.collector.decisions import Column as DecisionColumn
from app.ui.collector.decisions import PlanDecisionsDialog, count_unseen_decisions, seen_decisions
from app.ui.collector.plan_tables import LineColumn
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.approvals import ApprovalsPanel, Column
from tests.helpers.contacts import NOW, outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Account, Portfolio
from tests.ui.conftest import BEIJING

LEAD = "lead.wang"
COLLECTOR = "zhang.wei"
TODAY = NOW.astimezone(BEIJING).date()
LATER = NOW + timedelta(hours=1)


def monthly(count: int) -> PlanTerms:
    return PlanTerms("instalments", TODAY + timedelta(days=7), "monthly", count)


@dataclass(frozen=True)
class Waiting:
    long: PlanView  # 30 instalments, offered first
    longer: PlanView  # 36 instalments
    own: PlanView  # the lead's own: another lead decides it
    first: Account  # the account of `long`


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


def make_context(
    db: Database, runner: Runner, settings: Settings, dialogs: RecordingDialogs, user: str
) -> Context:
    return Context(
        db=db,
        username=user,
        display_name=user,
        runner=runner,
        dialogs=dialogs,
        settings=settings,
        formats=Formats("en", BEIJING),
        clock=lambda: LATER,
    )


@pytest.fixture
def waiting(db: Database, portfolio: Portfolio) -> Waiting:
    first = portfolio.account(today=TODAY, dpd=40, name="王芳")
    second = portfolio.account(today=TODAY, dpd=40, name="赵磊")
    mine = portfolio.account(today=TODAY, dpd=40, name="陈静", assigned_to=portfolio.lead)
    # Within the policy: approved by itself, never waits.
    save_plan(
        db, COLLECTOR, portfolio.account(today=TODAY, dpd=40).contract_no, monthly(3), now=NOW
    )
    return Waiting(
        first=first,
        long=save_plan(db, COLLECTOR, first.contract_no, monthly(30), now=NOW),
        longer=save_plan(
            db, COLLECTOR, second.contract_no, monthly(36), now=NOW + timedelta(minutes=1)
        ),
        own=save_plan(db, LEAD, mine.contract_no, monthly(30), now=NOW + timedelta(minutes=2)),
    )


def settle(qtbot: QtBot, runner: Runner) -> None:
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)


@pytest.fixture
def panel(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    waiting: Waiting,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> ApprovalsPanel:
    panel = ApprovalsPanel(make_context(db, runner, ui_settings, dialogs, LEAD))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    settle(qtbot, runner)
    return panel


@pytest.fixture
def open_decisions(
    qtbot: QtBot, db: Database, runner: Runner, ui_settings: Settings, dialogs: RecordingDialogs
) -> Callable[[], PlanDecisionsDialog]:
    def open_dialog() -> PlanDecisionsDialog:
        context = make_context(db, runner, ui_settings, dialogs, COLLECTOR)
        dialog = PlanDecisionsDialog(context)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.seen, timeout=10_000):
            dialog.show()
        settle(qtbot, runner)
        return dialog

    return open_dialog


def unseen(qtbot: QtBot, db: Database, runner: Runner, settings: Settings) -> int:
    context = make_context(db, runner, settings, RecordingDialogs(), COLLECTOR)
    answers: list[int] = []
    count_unseen_decisions(context, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    return answers[0]


def decide(qtbot: QtBot, panel: ApprovalsPanel, button: QPushButton) -> None:
    with (
        qtbot.waitSignal(panel.changed, timeout=10_000),
        qtbot.waitSignal(panel.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel.context.runner)


def current_id(widget: ApprovalsPanel) -> uuid.UUID | None:
    chosen = widget.current()
    return None if chosen is None else chosen.id


def shown(panel: ApprovalsPanel, column: Column) -> list[str]:
    model = panel.model
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def test_a_reload_asked_over_another_shows_the_newest_answer_once(
    qtbot: QtBot, runner: Runner, panel: ApprovalsPanel, waiting: Waiting
) -> None:
    panel.select(waiting.longer.id)
    loads: list[int] = []
    panel.loaded.connect(lambda: loads.append(panel.model.rowCount()))
    signals: list[str] = []
    panel.model.modelReset.connect(lambda: signals.append("reset"))
    panel.model.rowsInserted.connect(lambda *_: signals.append("inserted"))
    panel.model.rowsRemoved.connect(lambda *_: signals.append("removed"))
    panel.refresh()
    panel.refresh()
    settle(qtbot, runner)
    assert loads == [3]
    # The same plans again: nothing moved, and the lead's row is still the one chosen.
    assert signals == []
    assert current_id(panel) == waiting.longer.id


def test_the_waiting_plans_show_the_policy_they_break_and_their_schedule(
    panel: ApprovalsPanel,
    waiting: Waiting,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    qtmodeltester.check(panel.model)
    formats = panel.context.formats
    assert [panel.model.row_at(row).id for row in range(panel.model.rowCount())] == [
        waiting.long.id,
        waiting.longer.id,
        waiting.own.id,
    ]
    assert shown(panel, Column.BORROWER) == ["王芳", "赵磊", "陈静"]
    assert shown(panel, Column.COLLECTOR) == [COLLECTOR, COLLECTOR, f"{LEAD} (you)"]
    assert shown(panel, Column.INSTALMENTS) == ["30", "36", "30"]
    assert shown(panel, Column.AMOUNT)[0] == formats.money(waiting.long.total)
    breaches = shown(panel, Column.BREACHES)
    assert "30 instalments" in breaches[0] and "36 instalments" in breaches[1]
    assert panel.summary.text() == "Plans waiting for a decision: 3, oldest first."
    # The oldest is selected, its schedule shown.
    assert current_id(panel) == waiting.long.id
    qtmodeltester.check(panel.lines)
    assert panel.lines.rowCount() == 30
    assert panel.lines.total() == waiting.long.total
    first_due = panel.lines.index(0, LineColumn.DUE).data()
    assert first_due == formats.date(waiting.long.lines[0].due_date)
    assert "30 instalments" in panel.breaches.text()
    assert panel.figures["total"].text() == formats.money(waiting.long.total)
    assert panel.approve_button.isEnabled() and panel.reject_button.isEnabled()
    # The lead's own plan cannot be decided here.
    panel.select(waiting.own.id)
    assert not panel.approve_button.isEnabled() and not panel.reject_button.isEnabled()
    assert "another team lead" in panel.own_hint.text()


def test_a_rejection_needs_a_reason_and_the_collector_reads_it(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    panel: ApprovalsPanel,
    waiting: Waiting,
    dialogs: RecordingDialogs,
    ui_settings: Settings,
    open_decisions: Callable[[], PlanDecisionsDialog],
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    panel.select(waiting.longer.id)
    # An empty reason: the service refuses, the plan still waits.
    dialogs.texts.append("   ")
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        qtbot.mouseClick(panel.reject_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert len(dialogs.errors()) == 1 and "Say why" in dialogs.errors()[0]
    assert plan_view(db, LEAD, waiting.longer.id).status is PlanStatus.PENDING_APPROVAL
    assert current_id(panel) == waiting.longer.id
    # A cancelled prompt does nothing at all.
    qtbot.mouseClick(panel.reject_button, Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert plan_view(db, LEAD, waiting.longer.id).status is PlanStatus.PENDING_APPROVAL

    dialogs.texts.append("36 months is beyond what she can keep; offer 24.")
    decide(qtbot, panel, panel.reject_button)
    rejected = plan_view(db, LEAD, waiting.longer.id)
    assert rejected.status is PlanStatus.REJECTED
    assert rejected.decision_reason == "36 months is beyond what she can keep; offer 24."
    assert waiting.longer.id not in [
        panel.model.row_at(row).id for row in range(panel.model.rowCount())
    ]
    assert "Rejected the plan" in panel.message.text()
    # The next waiting plan takes the selection.
    assert current_id(panel) == waiting.own.id

    assert unseen(qtbot, db, runner, ui_settings) == 1
    dialog = open_decisions()
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 1
    row = [dialog.model.index(0, column).data() for column in DecisionColumn]
    assert row[DecisionColumn.ACCOUNT] == rejected.contract_no
    assert row[DecisionColumn.DECISION] == "Rejected (new)"
    assert row[DecisionColumn.REASON] == "36 months is beyond what she can keep; offer 24."
    assert row[DecisionColumn.LEAD] == LEAD
    assert dialog.model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert seen_decisions(ui_settings, COLLECTOR) == {waiting.longer.id}
    assert unseen(qtbot, db, runner, ui_settings) == 0
    # Seen once, no longer new.
    again = open_decisions()
    assert again.model.index(0, DecisionColumn.DECISION).data() == "Rejected"
    assert not again.model.is_new(0)


def test_an_approval_takes_an_optional_note_and_the_badge_counts_it(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    panel: ApprovalsPanel,
    waiting: Waiting,
    dialogs: RecordingDialogs,
    ui_settings: Settings,
    open_decisions: Callable[[], PlanDecisionsDialog],
) -> None:
    dialog = open_decisions()
    assert dialog.model.rowCount() == 0 and not dialog.empty.isHidden()
    dialogs.texts.append("")
    decide(qtbot, panel, panel.approve_button)
    approved = plan_view(db, LEAD, waiting.long.id)
    assert (approved.status, approved.decision_reason) == (PlanStatus.APPROVED, None)
    assert current_id(panel) == waiting.longer.id
    assert unseen(qtbot, db, runner, ui_settings) == 1
    # A decision that reaches this workstation later, though made earlier, still counts.
    decide_plan(db, LEAD, waiting.longer.id, approve=True, now=NOW)
    assert unseen(qtbot, db, runner, ui_settings) == 2
    seen: list[int] = []
    dialog = PlanDecisionsDialog(make_context(db, runner, ui_settings, dialogs, COLLECTOR))
    qtbot.addWidget(dialog)
    dialog.seen.connect(seen.append)
    settle(qtbot, runner)
    assert seen == [2]
    assert [dialog.model.index(row, DecisionColumn.DECISION).data() for row in range(2)] == [
        "Approved (new)",
        "Approved (new)",
    ]
    # Latest decision first.
    assert dialog.model.row_at(0).plan_id == waiting.long.id
    assert unseen(qtbot, db, runner, ui_settings) == 0


# --- pauses stop plans ---------------------------------------------------------------------

SELF_HARM = "Vulnerable: paused; Self-harm or harm risk expressed"


def paused_refusal(contract_no: str, pauses: str) -> str:
    return (
        f"Collection on account {contract_no} is paused ({pauses}): no plan can be offered,"
        " approved or issued unless a team lead allows it."
    )


def reload(qtbot: QtBot, panel: ApprovalsPanel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.refresh()
    settle(qtbot, panel.context.runner)


def test_a_plan_on_a_paused_account_waits_for_the_leads_leave_to_be_approved(
    qtbot: QtBot,
    db: Database,
    panel: ApprovalsPanel,
    waiting: Waiting,
    dialogs: RecordingDialogs,
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    # A call after the plan was offered met a self-harm risk.
    result = record_contact(db, outcome(waiting.first, "HRD", emotion="self_harm_risk"), now=NOW)
    assert result.escalation_id is not None
    reload(qtbot, panel)
    qtmodeltester.check(panel.model)
    assert shown(panel, Column.PAUSED) == [SELF_HARM, "", ""]
    panel.select(waiting.long.id)
    note = panel.pause_note
    assert note.isVisibleTo(panel)
    assert note.label.text() == paused_refusal(waiting.long.contract_no, SELF_HARM)
    assert not panel.approve_button.isEnabled() and panel.reject_button.isEnabled()
    assert note.allow_button.isVisibleTo(panel) and note.allow_button.isEnabled()
    # Another plan, on an account not paused: nothing to say, nothing to allow.
    panel.select(waiting.longer.id)
    assert note.isHidden() and panel.approve_button.isEnabled()

    panel.select(waiting.long.id)
    # A cancelled prompt gives no leave.
    qtbot.mouseClick(note.allow_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel.context.runner)
    assert not panel.approve_button.isEnabled() and dialogs.errors() == []

    reason = "She asked for the plan herself once the support line had called her back."
    dialogs.texts.append(reason)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        qtbot.mouseClick(note.allow_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel.context.runner)
    assert current_id(panel) == waiting.long.id
    assert shown(panel, Column.PAUSED)[0] == f"{SELF_HARM} (plans allowed by {LEAD})"
    until = panel.context.formats.date_time(LATER + timedelta(days=14))
    assert note.label.text() == (
        f"Collection on this account is paused ({SELF_HARM}); {LEAD} let plans go ahead"
        f" despite it until {until}: “{reason}”"
    )
    assert not note.allow_button.isVisibleTo(panel)
    assert f"Plans may go ahead on {waiting.long.contract_no}" in panel.message.text()
    assert panel.approve_button.isEnabled()

    dialogs.texts.append("")
    decide(qtbot, panel, panel.approve_button)
    assert plan_view(db, LEAD, waiting.long.id).status is PlanStatus.APPROVED
    with db.reader() as session:
        (given,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "plan.allowed_despite_pause")
        )
        (approval,) = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "plan.approved", AuditEvent.entity_id == str(waiting.long.id)
            )
        )
    assert given.details["reason"] == reason
    assert approval.details["despite_pause"] == given.details["override_id"]


def test_an_approval_after_the_account_was_paused_is_refused_and_shows_the_pause(
    qtbot: QtBot,
    db: Database,
    panel: ApprovalsPanel,
    waiting: Waiting,
    dialogs: RecordingDialogs,
) -> None:
    panel.select(waiting.long.id)
    assert panel.approve_button.isEnabled() and panel.pause_note.isHidden()
    # The borrower disputes the debt on a call while the lead looks at the plan.
    record_contact(db, outcome(waiting.first, "DSP"), now=NOW)

    dialogs.texts.append("Fine by me.")
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        qtbot.mouseClick(panel.approve_button, Qt.MouseButton.LeftButton)
    settle(qtbot, panel.context.runner)
    (error,) = dialogs.errors()
    assert error.startswith(f"Collection on account {waiting.long.contract_no} is paused (")
    assert plan_view(db, LEAD, waiting.long.id).status is PlanStatus.PENDING_APPROVAL
    # The reload shows what stopped it, in the same words, and the plan waits for leave.
    assert current_id(panel) == waiting.long.id
    assert panel.pause_note.label.text() == error
    assert not panel.approve_button.isEnabled()
