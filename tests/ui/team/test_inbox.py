"""The team lead's escalations inbox on real widgets, a real worker and a real database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.database import Database
from app.models import Borrower, Escalation, EscalationDecision
from app.services.contact.contacts import record_contact
from app.services.contact.escalations import escalation_inbox
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.escalations_inbox import Column, EscalationsInbox
from tests.helpers.contacts import NOW, outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Account, Portfolio
from tests.ui.conftest import BEIJING

LEAD = "lead.wang"
LATER = NOW + timedelta(hours=1)


@dataclass(frozen=True)
class Cases:
    urgent: uuid.UUID  # self-harm risk, raised first
    dispute: uuid.UUID  # by a colleague, with notes
    deceased: uuid.UUID  # raised last: cannot be resumed
    dispute_account: Account


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


def lead_context(
    db: Database, runner: Runner, settings: Settings, dialogs: RecordingDialogs, user: str = LEAD
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
def cases(db: Database, portfolio: Portfolio) -> Cases:
    colleague = portfolio.user("li.na")
    first = portfolio.account(today=NOW.date(), dpd=20, name="王芳")
    second = portfolio.account(today=NOW.date(), dpd=20, name="赵磊", assigned_to=colleague)
    third = portfolio.account(today=NOW.date(), dpd=20, name="陈静")

    def raised(account: Account, minutes: int, code: str, **extra: object) -> uuid.UUID:
        at = NOW - timedelta(minutes=minutes)
        result = record_contact(db, outcome(account, code, started_at=at, **extra), now=at)
        assert result.escalation_id is not None
        return result.escalation_id

    return Cases(
        urgent=raised(first, 50, "HRD", emotion="self_harm_risk"),
        dispute=raised(
            second, 40, "DSP", username="li.na", notes="Says the fee was never explained."
        ),
        deceased=raised(third, 30, "DCD"),
        dispute_account=second,
    )


@pytest.fixture
def make_inbox(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Callable[[], EscalationsInbox]:
    def make() -> EscalationsInbox:
        inbox = EscalationsInbox(lead_context(db, runner, ui_settings, dialogs))
        qtbot.addWidget(inbox)
        inbox.show()
        qtbot.waitExposed(inbox)
        settle(qtbot, inbox)
        return inbox

    return make


def settle(qtbot: QtBot, inbox: EscalationsInbox) -> None:
    qtbot.waitUntil(lambda: inbox.context.runner.pending == 0, timeout=20_000)


def click(qtbot: QtBot, inbox: EscalationsInbox, button: QPushButton) -> None:
    """Press a button that acts on the escalation; wait for the inbox to show the result."""
    assert button.isEnabled()
    with (
        qtbot.waitSignal(inbox.changed, timeout=10_000),
        qtbot.waitSignal(inbox.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, inbox)


def current_id(widget: EscalationsInbox) -> uuid.UUID | None:
    chosen = widget.current()
    return None if chosen is None else chosen.id


def shown(inbox: EscalationsInbox, column: Column) -> list[str]:
    model = inbox.model
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def stored(db: Database, escalation_id: uuid.UUID) -> Escalation:
    with db.reader() as session:
        row = session.get_one(Escalation, escalation_id)
        session.expunge(row)
        return row


def test_the_inbox_lists_open_escalations_oldest_first_and_marks_the_urgent_ones(
    qtbot: QtBot,
    cases: Cases,
    make_inbox: Callable[[], EscalationsInbox],
    qtmodeltester,  # type: ignore[no-untyped-def]
) -> None:
    inbox = make_inbox()
    model = inbox.model
    qtmodeltester.check(model)
    assert [model.row_at(row).id for row in range(model.rowCount())] == [
        cases.urgent,
        cases.dispute,
        cases.deceased,
    ]
    kinds = shown(inbox, Column.KIND)
    assert kinds[0].startswith("Urgent: ") and not kinds[1].startswith("Urgent")
    urgent = model.index(0, Column.KIND)
    assert urgent.data(Qt.ItemDataRole.FontRole).bold()
    assert urgent.data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(1, Column.KIND).data(Qt.ItemDataRole.FontRole) is None
    assert shown(inbox, Column.STATUS) == ["Not acknowledged"] * 3
    assert shown(inbox, Column.BORROWER) == ["王芳", "赵磊", "陈静"]
    assert shown(inbox, Column.COLLECTOR) == ["zhang.wei", "li.na", "zhang.wei"]
    assert inbox.summary.text().startswith("3 open, 3 not acknowledged")
    # The oldest is selected; its pane tells the story.
    assert current_id(inbox) == cases.urgent
    assert inbox.details["flags"].text() == "Vulnerable: paused"
    inbox.select(cases.dispute)
    assert inbox.details["notes"].text() == "Says the fee was never explained."
    assert inbox.details["flags"].text() == "Dispute open"
    assert "li.na" in inbox.details["collector"].text()
    assert inbox.details["acknowledged"].text() == "Not yet"


def test_acknowledge_then_refer_with_a_note_moves_the_case_to_the_decided(
    qtbot: QtBot,
    db: Database,
    cases: Cases,
    make_inbox: Callable[[], EscalationsInbox],
    dialogs: RecordingDialogs,
) -> None:
    inbox = make_inbox()
    changes: list[None] = []
    inbox.changed.connect(lambda: changes.append(None))
    assert inbox.select(cases.dispute)
    click(qtbot, inbox, inbox.acknowledge_button)
    row = inbox.model.row_of(cases.dispute)
    assert row is not None
    assert inbox.model.index(row, Column.STATUS).data() == "Acknowledged, waiting for a decision"
    assert current_id(inbox) == cases.dispute
    assert not inbox.acknowledge_button.isEnabled() and inbox.refer_button.isEnabled()
    assert inbox.details["acknowledged"].text().startswith(f"{LEAD}, ")
    assert inbox.summary.text().startswith("3 open, 2 not acknowledged")
    row_before = stored(db, cases.dispute)
    assert row_before.acknowledged_at == LATER and row_before.decision is None

    inbox.note.setPlainText("Disputes desk, case 2026-118.")
    click(qtbot, inbox, inbox.refer_button)
    assert len(changes) == 2
    decided = stored(db, cases.dispute)
    assert decided.decision is EscalationDecision.REFER
    assert (decided.note, decided.decided_at) == ("Disputes desk, case 2026-118.", LATER)
    # The decided case goes below the open ones; the oldest open one is next.
    assert inbox.model.row_at(inbox.model.rowCount() - 1).id == cases.dispute
    assert current_id(inbox) == cases.urgent
    assert inbox.note.toPlainText() == ""
    assert inbox.summary.text().startswith("2 open, 2 not acknowledged")
    inbox.show_decided.setChecked(False)
    assert cases.dispute not in [
        inbox.model.row_at(row).id for row in range(inbox.model.rowCount())
    ]
    assert dialogs.errors() == []


def test_refer_without_a_note_says_so_at_the_note_and_writes_nothing(
    qtbot: QtBot,
    db: Database,
    cases: Cases,
    make_inbox: Callable[[], EscalationsInbox],
    dialogs: RecordingDialogs,
) -> None:
    inbox = make_inbox()
    inbox.select(cases.deceased)
    qtbot.mouseClick(inbox.refer_button, Qt.MouseButton.LeftButton)
    settle(qtbot, inbox)
    assert dialogs.shown == []
    assert inbox.marks.marked() == {"note": "Say in the note whom the case is referred to."}
    assert stored(db, cases.deceased).decided_at is None
    inbox.note.setPlainText("Estates team")
    click(qtbot, inbox, inbox.refer_button)
    row = stored(db, cases.deceased)
    assert (row.decision, row.note) == (EscalationDecision.REFER, "Estates team")
    assert inbox.marks.marked() == {}
    # Deciding acknowledged it too.
    assert row.acknowledged_at == LATER


def test_resume_with_an_empty_note_asks_nothing_and_says_why_at_the_note(
    qtbot: QtBot,
    db: Database,
    cases: Cases,
    make_inbox: Callable[[], EscalationsInbox],
    dialogs: RecordingDialogs,
) -> None:
    """It used to ask "are you sure?" first, and then fail on the note."""
    inbox = make_inbox()
    with qtbot.waitActive(inbox):
        inbox.activateWindow()
    inbox.select(cases.dispute)
    assert inbox.resume_button.isEnabled()
    for blank in ("", "   \n "):
        inbox.note.setPlainText(blank)
        qtbot.mouseClick(inbox.resume_button, Qt.MouseButton.LeftButton)
        settle(qtbot, inbox)
        assert dialogs.shown == []  # no question, no error box
        assert inbox.marks.marked() == {"note": "Say in the note why collection can resume."}
        assert inbox.note.toolTip() == "Say in the note why collection can resume."
        qtbot.waitUntil(inbox.note.hasFocus)
        assert stored(db, cases.dispute).decided_at is None
    inbox.note.setPlainText("Fee refunded; dispute withdrawn.")
    click(qtbot, inbox, inbox.resume_button)
    assert [item.kind for item in dialogs.shown] == ["confirm"]
    assert stored(db, cases.dispute).decision is EscalationDecision.RESUME
    assert inbox.marks.marked() == {}


def test_resume_is_offered_only_where_the_kind_allows_and_lifts_the_pause(
    qtbot: QtBot,
    db: Database,
    cases: Cases,
    make_inbox: Callable[[], EscalationsInbox],
    dialogs: RecordingDialogs,
) -> None:
    inbox = make_inbox()
    inbox.select(cases.deceased)
    assert not inbox.resume_button.isEnabled() and inbox.pause_button.isEnabled()
    assert "cannot be resumed" in inbox.resume_hint.text()
    inbox.select(cases.dispute)
    assert inbox.resume_button.isEnabled() and inbox.resume_hint.text() == ""
    inbox.note.setPlainText("Fee refunded; dispute withdrawn.")
    click(qtbot, inbox, inbox.resume_button)
    assert [item.kind for item in dialogs.shown] == ["confirm"]
    assert stored(db, cases.dispute).decision is EscalationDecision.RESUME
    with db.reader() as session:
        borrower = session.get_one(Borrower, cases.dispute_account.borrower_id)
        assert not borrower.dispute_open


def test_the_keyboard_moves_through_the_list_and_acknowledges(
    qtbot: QtBot, db: Database, cases: Cases, make_inbox: Callable[[], EscalationsInbox]
) -> None:
    inbox = make_inbox()
    inbox.activateWindow()
    qtbot.waitActive(inbox)
    inbox.table.setFocus()
    qtbot.keyClick(inbox.table, Qt.Key.Key_Down)
    assert current_id(inbox) == cases.dispute
    assert inbox.details["notes"].text() == "Says the fee was never explained."
    with qtbot.waitSignal(inbox.changed, timeout=10_000):
        qtbot.keyClick(inbox.table, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, inbox)
    assert stored(db, cases.dispute).acknowledged_at == LATER
    assert stored(db, cases.urgent).acknowledged_at is None


def test_a_refusal_is_shown_and_the_inbox_shows_what_is_true_now(
    qtbot: QtBot,
    db: Database,
    cases: Cases,
    make_inbox: Callable[[], EscalationsInbox],
    dialogs: RecordingDialogs,
) -> None:
    inbox = make_inbox()
    inbox.select(cases.urgent)
    # Another lead decides it meanwhile, from another workstation.
    with db.session() as session:
        row = session.get_one(Escalation, cases.urgent)
        row.decision = EscalationDecision.PAUSE
        row.decided_at = NOW
        row.acknowledged_at = NOW
    with qtbot.waitSignal(inbox.loaded, timeout=10_000):
        qtbot.mouseClick(inbox.pause_button, Qt.MouseButton.LeftButton)
    settle(qtbot, inbox)
    assert len(dialogs.errors()) == 1 and "already decided" in dialogs.errors()[0]
    urgent = inbox.model.row_of(cases.urgent)
    assert urgent is not None
    assert inbox.model.index(urgent, Column.STATUS).data() == "Decided: kept paused"


def test_a_collector_cannot_open_the_inbox(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    cases: Cases,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    context = lead_context(db, runner, ui_settings, dialogs, user="zhang.wei")
    inbox = EscalationsInbox(context)
    qtbot.addWidget(inbox)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=10_000)
    assert inbox.model.rowCount() == 0
    assert len(dialogs.errors()) == 1 and "team lead" in dialogs.errors()[0]
    assert not inbox.acknowledge_button.isEnabled()
    # Nothing was acknowledged on the way.
    assert escalation_inbox(db, LEAD, now=LATER).unacknowledged == 3
