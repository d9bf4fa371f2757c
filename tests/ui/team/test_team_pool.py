"""The team's pool and its members on real widgets (issue 16): the lead lists the accounts
nobody is assigned to, allocates them by hand or by the rule after a preview, and sees who in
the team is active; the team window's pool tab tells how many wait, and a collector is refused.
On the real worker and an embedded database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent, Loan, Role, Team, User
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from app.ui.team.accounts import Column, TeamAccountsPanel
from app.ui.team.dialogs import POOL, ReassignDialog, ReassignRuleDialog
from app.ui.team.members import Column as MemberColumn
from app.ui.team.members import TeamMembersPanel
from app.ui.team.window import Tab
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import ADMIN, Account, Portfolio
from tests.ui.conftest import BEIJING, Shift, start_window, wait_idle

LEAD = "lead.wang"
TODAY = NOW.astimezone(BEIJING).date()


@dataclass(frozen=True)
class Floor:
    db: Database
    portfolio: Portfolio
    held: Account  # zhang.wei's
    small: Account  # in the team's pool
    large: Account  # in the team's pool
    theirs: Account  # in another team's pool


@pytest.fixture
def floor(db: Database, portfolio: Portfolio) -> Floor:
    portfolio.user("li.na", Role.COLLECTOR)
    with db.session() as session:
        other = Team(name="电催九组")
        session.add(other)
        session.flush()
        other_id = other.id
    held = portfolio.account(today=TODAY, dpd=12, name="陈静")
    small = portfolio.account(
        today=TODAY, dpd=35, name="池小", principal="3000", pool=portfolio.team_id
    )
    large = portfolio.account(
        today=TODAY, dpd=70, name="池大", principal="30000", pool=portfolio.team_id
    )
    theirs = portfolio.account(today=TODAY, dpd=40, name="别组", pool=other_id)
    return Floor(db, portfolio, held, small, large, theirs)


def context_for(db: Database, settings: Settings, dialogs: RecordingDialogs, user: str) -> Context:
    return Context(
        db=db,
        username=user,
        display_name=user,
        runner=Runner(),
        dialogs=dialogs,
        settings=settings,
        formats=Formats("en", BEIJING),
        clock=lambda: NOW,
    )


@pytest.fixture
def open_pool(
    qtbot: QtBot, ui_settings: Settings, dialogs: RecordingDialogs, floor: Floor
) -> Iterator[object]:
    contexts: list[Context] = []

    def opener(user: str = LEAD) -> TeamAccountsPanel:
        context = context_for(floor.db, ui_settings, dialogs, user)
        contexts.append(context)
        panel = TeamAccountsPanel(context, pool=True)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitExposed(panel)
        assert panel.model.rowCount() == 0  # nothing loads by itself
        with qtbot.waitSignal(panel.loaded, timeout=20_000, raising=False):
            panel.refresh()
        qtbot.waitUntil(lambda: context.runner.pending == 0, timeout=20_000)
        return panel

    yield opener
    for context in contexts:
        context.runner.stop()


def shown(panel: TeamAccountsPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(row, Column.CONTRACT).data() for row in range(proxy.rowCount())]


def holder(db: Database, account: Account) -> str | None:
    with db.reader() as session:
        return session.scalar(
            select(User.username)
            .join(Loan, Loan.assigned_to_id == User.id)
            .where(Loan.id == account.loan_id)
        )


def allocations(db: Database) -> list[AuditEvent]:
    with db.reader() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "loan.allocated"))
        )


def test_the_pool_lists_the_teams_unassigned_accounts_alone(
    open_pool: object, floor: Floor
) -> None:
    panel = open_pool()  # type: ignore[operator]
    # Worst first; nobody else's, and not the other team's pool.
    assert shown(panel) == [floor.large.contract_no, floor.small.contract_no]
    assert panel.table.accessibleName() == "The team's pool"
    # Nobody works them: no collector to filter on or show, no visit or priority to ask.
    assert panel.assignee.isHidden() and panel.table.isColumnHidden(Column.ASSIGNEE)
    assert all(
        button.isHidden()
        for button in (panel.visit_button, panel.priority_button, panel.clear_priority_button)
    )
    assert panel.reassign_button.text() == "&Allocate to…"
    assert panel.counts.text() == "2 of 2 accounts in the pool shown · 0 selected"
    # The filters narrow the pool as they narrow the team's accounts.
    panel.min_dpd.setValue(60)
    assert shown(panel) == [floor.large.contract_no]


def test_allocating_the_selected_accounts_by_hand(
    qtbot: QtBot, open_pool: object, floor: Floor
) -> None:
    panel = open_pool()  # type: ignore[operator]
    panel.select([floor.small.contract_no])
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.dialog
    assert isinstance(dialog, ReassignDialog)
    assert dialog.windowTitle() == "Allocate accounts" and dialog.ok_button.text() == "Allocate"
    dialog.choose("li.na")
    assert dialog.preview.text() == "Accounts that move: 1 (1 from the pool)."
    qtbot.keyClicks(dialog.reason, "New this morning")
    with (
        qtbot.waitSignal(panel.loaded, timeout=20_000),
        qtbot.waitSignal(panel.changed, timeout=20_000),
    ):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert holder(floor.db, floor.small) == "li.na"
    assert shown(panel) == [floor.large.contract_no]
    assert panel.message.text() == "Accounts allocated: 1."
    [event] = allocations(floor.db)
    assert event.details["from"] is None and event.details["to"] == "li.na"


def test_allocating_the_pool_by_rule_moves_nothing_before_the_preview_is_applied(
    qtbot: QtBot, open_pool: object, floor: Floor
) -> None:
    panel = open_pool()  # type: ignore[operator]
    panel.table.setFocus()
    qtbot.keyClick(
        panel.table,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = panel.dialog
    assert isinstance(dialog, ReassignRuleDialog)
    assert dialog.windowTitle() == "Allocate the pool by rule"
    # The pool is the source, and only the pool.
    assert dialog.source.currentData() == POOL and not dialog.source.isEnabled()
    assert dialog.rule().accounts.pool and dialog.rule().accounts.assignees == ()
    dialog.check_target("zhang.wei")
    dialog.check_target("li.na")
    dialog.reason.setText("Morning's pool.")
    dialog.by.setCurrentIndex(dialog.by.findData("amount"))
    assert not dialog.ok_button.isEnabled()  # nothing previewed yet
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.summary.text() == "Accounts that move: 2. Staying with their collector: 0."
    after = {
        dialog.shares.index(row, 0).data(): (
            dialog.shares.index(row, 1).data(),
            dialog.shares.index(row, 2).data(),
        )
        for row in range(dialog.shares.rowCount())
    }
    # By amount: li.na, empty-handed, takes the large one; zhang.wei holds one already.
    assert after == {"li.na (li.na)": ("0", "1"), "zhang.wei (zhang.wei)": ("1", "2")}
    # The preview moved nothing.
    assert {holder(floor.db, a) for a in (floor.small, floor.large)} == {None}
    assert dialog.ok_button.text() == "Allocate" and dialog.ok_button.isEnabled()
    with (
        qtbot.waitSignal(panel.loaded, timeout=20_000),
        qtbot.waitSignal(panel.changed, timeout=20_000),
    ):
        dialog.ok_button.click()
    assert (holder(floor.db, floor.large), holder(floor.db, floor.small)) == (
        "li.na",
        "zhang.wei",
    )
    assert shown(panel) == [] and len(allocations(floor.db)) == 2
    assert holder(floor.db, floor.theirs) is None


def test_a_collector_is_refused_the_pool(open_pool: object, floor: Floor) -> None:
    panel = open_pool("zhang.wei")  # type: ignore[operator]
    assert panel.model.rowCount() == 0
    assert panel.message.text() == "Only a team lead can open the team's views."


def test_the_members_tab_shows_who_is_active_and_an_administrator_chooses_the_team(
    qtbot: QtBot, ui_settings: Settings, dialogs: RecordingDialogs, floor: Floor
) -> None:
    with floor.db.session() as session:
        li = session.scalars(select(User).where(User.username == "li.na")).one()
        li.active = False
    runners = []
    try:
        context = context_for(floor.db, ui_settings, dialogs, LEAD)
        runners.append(context.runner)
        panel = TeamMembersPanel(context)
        qtbot.addWidget(panel)
        with qtbot.waitSignal(panel.loaded, timeout=20_000):
            panel.refresh()
        rows = [
            tuple(panel.model.index(row, column).data() for column in MemberColumn)
            for row in range(panel.model.rowCount())
        ]
        # Active members first; a deactivated one greyed, their accounts counted.
        assert rows == [
            ("lead.wang", "lead.wang", "Team lead", "Active", "0"),
            ("zhang.wei", "zhang.wei", "Collector", "Active", "1"),
            ("li.na", "li.na", "Collector", "Deactivated", "0"),
        ]
        assert panel.model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
        assert panel.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
        with floor.db.reader() as session:
            team = session.get_one(Team, floor.portfolio.team_id).name
        assert panel.summary.text() == (
            f"Team {team}: 2 active of 3 members. Accounts in the pool, assigned to nobody: 2."
        )
        # A lead sees their own team only.
        assert panel.team_box.currentText() == team and not panel.team_box.isEnabled()
        assert panel.pool_button.isEnabled()
        with qtbot.waitSignal(panel.show_pool_requested, timeout=5_000):
            panel.pool_button.click()

        admin = context_for(floor.db, ui_settings, dialogs, ADMIN)
        runners.append(admin.runner)
        desk = TeamMembersPanel(admin)
        qtbot.addWidget(desk)
        with qtbot.waitSignal(desk.loaded, timeout=20_000):
            desk.refresh()
        assert desk.team_box.isEnabled() and desk.team_box.count() == 2
        with qtbot.waitSignal(desk.loaded, timeout=20_000):
            desk.team_box.setCurrentIndex(desk.team_box.findText("电催九组"))
        assert desk.model.rowCount() == 0
        assert desk.summary.text() == (
            "Team 电催九组: 0 active of 0 members. Accounts in the pool, assigned to nobody: 1."
        )
    finally:
        for runner in runners:
            runner.stop()


def test_the_team_window_tells_how_many_wait_in_the_pool(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    for dpd in (20, 50):
        shift.portfolio.account(today=TODAY, dpd=dpd, pool=shift.portfolio.team_id)
    started: list[Startup] = []
    try:
        startup, window = start_window(
            qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
        )
        started.append(startup)
        wait_idle(qtbot, window)
        assert isinstance(window, MainWindow)
        qtbot.waitUntil(lambda: window.team_window is not None, timeout=10_000)
        team = window.team_window
        assert team is not None
        # Opened on the dashboard, the pool's tab already counts its accounts.
        assert team.tabs.currentIndex() == Tab.DASHBOARD
        qtbot.waitUntil(lambda: team.tabs.tabText(Tab.POOL) == "P&ool (2)", timeout=20_000)
        # The members tab's "Show the pool" and the Team menu both lead there.
        window.team_actions[Tab.MEMBERS].trigger()
        qtbot.waitUntil(lambda: team.members.pool_button.isEnabled(), timeout=20_000)
        team.members.pool_button.click()
        assert team.tabs.currentIndex() == Tab.POOL
        assert window.team_actions[Tab.POOL].shortcut().toString() == "Ctrl+Shift+L"
        # Allocating one there counts it out of the tab's title.
        pool = team.pool
        pool.select([pool.model.row_at(0).contract_no])
        pool.reassign_selected()
        dialog = pool.dialog
        assert isinstance(dialog, ReassignDialog)
        dialog.choose("zhang.wei")
        dialog.reason.setText("Yours.")
        dialog.ok_button.click()
        qtbot.waitUntil(lambda: team.tabs.tabText(Tab.POOL) == "P&ool (1)", timeout=20_000)
    finally:
        for startup in started:
            if startup.window is not None:
                startup.window.leave()
            startup.stop()
