"""A lead's queue management on real widgets: the team's accounts, filters, reassigning the
selected rows (by hand and by rule), visits and priorities, on the real worker and database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import Loan, LoanStatus, Role, User
from app.services.team.assignment import priority_until, reassign, team_accounts
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.accounts import Column, TeamAccountsPanel
from app.ui.team.dialogs import PriorityDialog, ReassignDialog, ReassignRuleDialog
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Account, Portfolio
from tests.ui.conftest import BEIJING

LEAD = "lead.wang"
TODAY = NOW.astimezone(BEIJING).date()


@dataclass(frozen=True)
class Desk:
    panel: TeamAccountsPanel
    runner: Runner
    dialogs: RecordingDialogs
    db: Database
    m1: Account  # zhang.wei's
    m2: Account  # zhang.wei's
    m3: Account  # li.na's


def settle(qtbot: QtBot, desk: Desk) -> None:
    qtbot.waitUntil(lambda: desk.runner.pending == 0, timeout=20_000)


def open_panel(
    qtbot: QtBot, db: Database, settings: Settings, dialogs: RecordingDialogs, user: str
) -> tuple[TeamAccountsPanel, Runner]:
    runner = Runner()
    context = Context(
        db=db,
        username=user,
        display_name=user,
        runner=runner,
        dialogs=dialogs,
        settings=settings,
        formats=Formats("en", BEIJING),
        clock=lambda: NOW,
    )
    panel = TeamAccountsPanel(context)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.model.rowCount() == 0 and runner.pending == 0  # nothing loads by itself
    panel.refresh()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    return panel, runner


@pytest.fixture
def desk(
    qtbot: QtBot,
    db: Database,
    portfolio: Portfolio,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[Desk]:
    li = portfolio.user("li.na", Role.COLLECTOR)
    portfolio.user("zhao.field", Role.FIELD_AGENT)
    m1 = portfolio.account(today=TODAY, dpd=12, name="陈静", principal="6000")
    m2 = portfolio.account(today=TODAY, dpd=45, name="王芳", district="朝阳区")
    m3 = portfolio.account(today=TODAY, dpd=75, name="李娜", assigned_to=li)
    panel, runner = open_panel(qtbot, db, ui_settings, dialogs, LEAD)
    yield Desk(panel, runner, dialogs, db, m1, m2, m3)
    runner.stop()


def shown(panel: TeamAccountsPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(row, Column.CONTRACT).data() for row in range(proxy.rowCount())]


def holder(db: Database, account: Account) -> str:
    with db.reader() as session:
        return str(
            session.scalar(
                select(User.username)
                .join(Loan, Loan.assigned_to_id == User.id)
                .where(Loan.id == account.loan_id)
            )
        )


def cell(panel: TeamAccountsPanel, contract_no: str, column: Column) -> str:
    row = panel.model.row_of(contract_no)
    assert row is not None
    return str(panel.model.index(row, column).data())


def test_the_models_pass_qts_checks(qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk) -> None:
    qtmodeltester.check(desk.panel.model)
    qtmodeltester.check(desk.panel.proxy)
    desk.panel.select([desk.m1.contract_no])
    desk.panel.reassign_by_rule()
    dialog = desk.panel.dialog
    assert isinstance(dialog, ReassignRuleDialog)
    dialog.check_target("li.na")
    dialog.reason.setText("Balance the team.")
    # A rule naming no accounts is refused, in the dialog, where the accounts are chosen.
    dialog.preview()
    qtbot.waitUntil(lambda: bool(dialog.marks.marked()), timeout=20_000)
    assert dialog.marks.marked()["accounts"].startswith("Say which accounts the rule moves")
    assert dialog.message.text() == ""
    dialog.source.setCurrentIndex(dialog.source.findData("zhang.wei"))
    dialog.preview()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.message.text() == "" and dialog.marks.marked() == {}
    qtmodeltester.check(dialog.shares)


def test_a_rule_with_everything_missing_is_refused_once_with_every_problem(
    qtbot: QtBot, desk: Desk
) -> None:
    """No reason, no target, no accounts: one press of Preview, three fields marked."""
    desk.panel.reassign_by_rule()
    dialog = desk.panel.dialog
    assert isinstance(dialog, ReassignRuleDialog)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    dialog.source.setCurrentIndex(dialog.source.findData(None))
    dialog.min_dpd.setValue(40)
    dialog.max_dpd.setValue(10)
    dialog.preview()
    qtbot.waitUntil(lambda: bool(dialog.marks.marked()), timeout=20_000)
    marked = dialog.marks.marked()
    assert set(marked) == {"min_dpd", "to", "reason"}, marked
    assert marked["min_dpd"] == "The DPD range 40–10 is empty."
    assert marked["to"] == "Choose at least one collector to give the accounts to."
    assert marked["reason"] == "Say why the accounts move: the audit trail keeps it."
    assert dialog.message.text() == "" and dialog.plan is None
    # The first one refused has the focus.
    qtbot.waitUntil(dialog.min_dpd.hasFocus)


def test_the_list_shows_the_team_sorted_by_dpd_and_filters_narrow_it(desk: Desk) -> None:
    panel = desk.panel
    assert shown(panel) == [desk.m3.contract_no, desk.m2.contract_no, desk.m1.contract_no]
    assert cell(panel, desk.m3.contract_no, Column.ASSIGNEE) == "li.na"
    assert cell(panel, desk.m2.contract_no, Column.BUCKET) == "M2"
    assert cell(panel, desk.m1.contract_no, Column.LAST_CONTACT) == "Never"
    panel.assignee.setCurrentIndex(panel.assignee.findData("zhang.wei"))
    assert shown(panel) == [desk.m2.contract_no, desk.m1.contract_no]
    panel.bucket.setCurrentIndex(panel.bucket.findData("M1"))
    assert shown(panel) == [desk.m1.contract_no]
    panel.clear_filters()
    panel.area.setText("朝阳")
    assert shown(panel) == [desk.m2.contract_no]
    panel.clear_filters()
    panel.search.setText("李娜")
    assert shown(panel) == [desk.m3.contract_no]
    assert panel.counts.text() == "1 of 3 accounts shown · 0 selected"
    panel.clear_filters()
    panel.min_dpd.setValue(40)
    assert shown(panel) == [desk.m3.contract_no, desk.m2.contract_no]
    # Sorting by another column goes through the proxy.
    panel.table.sortByColumn(Column.DPD, Qt.SortOrder.AscendingOrder)
    assert shown(panel) == [desk.m2.contract_no, desk.m3.contract_no]


def test_reassigning_the_selected_rows_through_the_dialog(qtbot: QtBot, desk: Desk) -> None:
    panel = desk.panel
    panel.select([desk.m1.contract_no, desk.m2.contract_no, desk.m3.contract_no])
    assert not panel.clear_priority_button.isEnabled()  # none has a priority
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.dialog
    assert isinstance(dialog, ReassignDialog)
    dialog.choose("li.na")
    assert dialog.preview.text() == (
        "Accounts that move: 2 (2 from zhang.wei). Already with this collector: 1."
    )
    assert not dialog.ok_button.isEnabled()  # no reason yet
    qtbot.keyClicks(dialog.reason, "zhang.wei is on leave")
    assert dialog.ok_button.isEnabled()
    with (
        qtbot.waitSignal(panel.loaded, timeout=20_000),
        qtbot.waitSignal(panel.changed, timeout=20_000),
    ):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert {holder(desk.db, a) for a in (desk.m1, desk.m2, desk.m3)} == {"li.na"}
    assert cell(panel, desk.m1.contract_no, Column.ASSIGNEE) == "li.na"
    assert panel.message.text() == "Accounts moved: 2. Already with that collector: 1."
    # The rows stay selected across the reload.
    assert len(panel.selected()) == 3


def test_a_refused_reassignment_stays_in_the_dialog(qtbot: QtBot, desk: Desk) -> None:
    panel = desk.panel
    panel.select([desk.m1.contract_no])
    panel.reassign_selected()
    dialog = panel.dialog
    assert isinstance(dialog, ReassignDialog)
    dialog.choose("li.na")
    dialog.reason.setText("Leave.")
    # Someone settles the account meanwhile: the service refuses it, nothing moves.
    with desk.db.session() as session:
        session.get_one(Loan, desk.m1.loan_id).status = LoanStatus.SETTLED
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=20_000)
    assert "is closed" in dialog.message.text()
    assert dialog.isVisible()
    assert holder(desk.db, desk.m1) == "zhang.wei"


def test_setting_and_clearing_a_priority(qtbot: QtBot, desk: Desk) -> None:
    panel = desk.panel
    panel.select([desk.m1.contract_no])
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.dialog
    assert isinstance(dialog, PriorityDialog)
    assert dialog.until.maximumDate() == QDate(2026, 12, 27)  # 30 days from today at most
    dialog.choose_level("top")
    dialog.until.setDate(QDate(2026, 12, 5))
    dialog.reason.setText("Salary day: call first thing.")
    with (
        qtbot.waitSignal(panel.loaded, timeout=20_000),
        qtbot.waitSignal(panel.changed, timeout=20_000),
    ):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    [row] = [a for a in team_accounts(desk.db, LEAD, now=NOW) if a.priority is not None]
    assert row.contract_no == desk.m1.contract_no
    assert row.priority is not None
    assert row.priority.expires_at == priority_until(date(2026, 12, 5))
    assert cell(panel, desk.m1.contract_no, Column.PRIORITY) == "Top until 5 Dec 2026"
    assert panel.clear_priority_button.isEnabled()
    desk.dialogs.answers.append(True)
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        qtbot.mouseClick(panel.clear_priority_button, Qt.MouseButton.LeftButton)
    assert desk.dialogs.shown[-1].kind == "confirm"
    assert cell(panel, desk.m1.contract_no, Column.PRIORITY) == ""
    assert panel.message.text() == "Priorities cleared: 1."


def test_marking_for_a_visit_asks_for_the_reason(qtbot: QtBot, desk: Desk) -> None:
    panel = desk.panel
    panel.select([desk.m2.contract_no])
    desk.dialogs.texts.append(None)  # cancelled: nothing happens
    panel.mark_selected_for_visit()
    assert desk.runner.pending == 0
    desk.dialogs.texts.append("Not answering for two weeks.")
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        panel.mark_selected_for_visit()
    assert cell(panel, desk.m2.contract_no, Column.NOTES) == (
        "Visit requested: Not answering for two weeks."
    )


def test_reassigning_by_rule_applies_only_the_previewed_plan(qtbot: QtBot, desk: Desk) -> None:
    panel = desk.panel
    panel.assignee.setCurrentIndex(panel.assignee.findData("zhang.wei"))
    panel.table.setFocus()
    qtbot.keyClick(
        panel.table,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = panel.dialog
    assert isinstance(dialog, ReassignRuleDialog)
    assert dialog.rule().accounts.assignees == ("zhang.wei",)  # taken from the filter bar
    dialog.check_target("li.na")
    dialog.check_target("zhao.field")
    dialog.reason.setText("zhang.wei moves to the legal team.")
    assert not dialog.ok_button.isEnabled()  # nothing previewed yet
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.summary.text() == "Accounts that move: 2. Staying with their collector: 0."
    after = {
        dialog.shares.index(row, 0).data(): dialog.shares.index(row, 2).data()
        for row in range(dialog.shares.rowCount())
    }
    # li.na holds one already: the empty-handed field agent gets both, equal counts being
    # settled by the smaller overdue.
    assert after == {"li.na (li.na)": "1", "zhao.field (zhao.field)": "2"}
    # A change after the preview asks for a new one.
    dialog.check_target("zhao.field", False)
    assert dialog.plan is None and not dialog.ok_button.isEnabled()
    dialog.check_target("zhao.field")
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    with (
        qtbot.waitSignal(panel.loaded, timeout=20_000),
        qtbot.waitSignal(panel.changed, timeout=20_000),
    ):
        dialog.ok_button.click()
    assert [holder(desk.db, a) for a in (desk.m1, desk.m2)] == ["zhao.field", "zhao.field"]


def test_a_collector_sees_the_refusal_and_no_accounts(
    qtbot: QtBot,
    db: Database,
    portfolio: Portfolio,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    portfolio.account(today=TODAY, dpd=30)
    panel, runner = open_panel(qtbot, db, ui_settings, dialogs, "zhang.wei")
    try:
        assert panel.model.rowCount() == 0
        assert panel.message.text() == "Only a team lead can open the team's views."
        assert not panel.rule_button.isEnabled()
    finally:
        runner.stop()


def test_a_plan_overtaken_by_another_move_is_refused_and_must_be_previewed_again(
    qtbot: QtBot, desk: Desk
) -> None:
    panel = desk.panel
    panel.assignee.setCurrentIndex(panel.assignee.findData("zhang.wei"))
    panel.reassign_by_rule()
    dialog = panel.dialog
    assert isinstance(dialog, ReassignRuleDialog)
    dialog.check_target("li.na")
    dialog.reason.setText("Balance.")
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    # Meanwhile another lead's workstation (here: the service) moves one of its accounts.
    reassign(desk.db, LEAD, [desk.m1.contract_no], "zhao.field", reason="Urgent.", now=NOW)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=20_000)
    assert "changed hands" in dialog.message.text()
    assert dialog.plan is None and not dialog.ok_button.isEnabled()
    assert holder(desk.db, desk.m2) == "zhang.wei"
