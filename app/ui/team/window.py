"""The team lead's desk, beside the main window: the dashboard, the call review, the
escalations inbox, the plans waiting for approval, the team's accounts, its pool (the
accounts nobody is assigned to yet, to allocate), its members with who is active, the
lending system's daily feed files, the reminders, the disputes and complaints, the
accounts referred to legal and the champion / challenger experiments, one tab each. The
pool's tab shows how many accounts wait in it.

Only a team lead or an administrator gets it (the main window shows its menu to them alone,
and every service behind the tabs refuses anyone else). A lead starts the day on it: it opens
at start on yesterday's numbers.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from app.ui.common.context import Context
from app.ui.common.screens import fit_to_screen
from app.ui.team.accounts import TeamAccountsPanel
from app.ui.team.approvals import ApprovalsPanel
from app.ui.team.call_review import CallReviewPanel
from app.ui.team.cases import CasesPanel
from app.ui.team.dashboard import DashboardPanel
from app.ui.team.escalations_inbox import EscalationsInbox
from app.ui.team.experiments import ExperimentsPanel
from app.ui.team.feeds import FeedsPanel
from app.ui.team.legal import LegalPanel
from app.ui.team.members import TeamMembersPanel
from app.ui.team.reminders import RemindersPanel

TEAM_ROLES = frozenset({"team_lead", "admin"})


class Tab(enum.IntEnum):
    DASHBOARD = 0
    REVIEW = 1
    ESCALATIONS = 2
    APPROVALS = 3
    ACCOUNTS = 4
    POOL = 5
    MEMBERS = 6
    FEEDS = 7
    REMINDERS = 8
    CASES = 9
    LEGAL = 10
    EXPERIMENTS = 11


# The tabs past the tenth have keys of their own (the main window's Team menu gives the same).
_LATER_KEYS = {Tab.LEGAL: "Ctrl+Shift+J", Tab.EXPERIMENTS: "Ctrl+Shift+X"}


def tab_keys(tab: Tab) -> QKeySequence:
    """The tab's shortcut: Ctrl+1…9 and Ctrl+0 for the first ten, then keys of their own."""
    return QKeySequence(_LATER_KEYS.get(tab, f"Ctrl+{(tab.value + 1) % 10}"))


class TeamWindow(QMainWindow):
    """Signals: `accounts_changed()` after a reassignment, priority or visit mark (the main
    window's queue reads differently); `closed()`."""

    accounts_changed = Signal()
    closed = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("team-window")
        self.setWindowTitle(self.tr("Team — {name}").format(name=context.display_name))
        self.dashboard = DashboardPanel(context)
        self.review = CallReviewPanel(context)
        self.inbox = EscalationsInbox(context, load=False)
        self.approvals = ApprovalsPanel(context)
        self.accounts = TeamAccountsPanel(context)
        self.pool = TeamAccountsPanel(context, pool=True)
        self.members = TeamMembersPanel(context)
        self.feeds = FeedsPanel(context)
        self.reminders = RemindersPanel(context)
        self.cases = CasesPanel(context)
        self.legal = LegalPanel(context)
        self.experiments = ExperimentsPanel(context)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Team desk"))
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.dashboard, self.tr("&Dashboard"))
        self.tabs.addTab(self.review, self.tr("Call &review"))
        self.tabs.addTab(self.inbox, self.tr("&Escalations"))
        self.tabs.addTab(self.approvals, self.tr("A&pprovals"))
        self.tabs.addTab(self.accounts, self.tr("A&ccounts"))
        self.tabs.addTab(self.pool, self.pool_tab_text(None))
        self.tabs.addTab(self.members, self.tr("&Members"))
        self.tabs.addTab(self.feeds, self.tr("Lending &feed"))
        self.tabs.addTab(self.reminders, self.tr("Reminder&s"))
        self.tabs.addTab(self.cases, self.tr("Disputes && compla&ints"))
        self.tabs.addTab(self.legal, self.tr("&Legal"))
        self.tabs.addTab(self.experiments, self.tr("E&xperiments"))
        self.setCentralWidget(self.tabs)
        # What a screen reader calls each tab's page (the tab's own text carries a mnemonic).
        for panel, name in (
            (self.dashboard, self.tr("Team dashboard")),
            (self.review, self.tr("Call review")),
            (self.inbox, self.tr("Escalations inbox")),
            (self.approvals, self.tr("Plan approvals")),
            (self.accounts, self.tr("Team accounts")),
            (self.pool, self.tr("The team's pool")),
            (self.members, self.tr("Team members")),
            (self.feeds, self.tr("The lending system's feed")),
            (self.reminders, self.tr("Reminders sent, and tomorrow's")),
            (self.cases, self.tr("Disputes and complaints")),
            (self.legal, self.tr("Accounts referred to legal")),
            (self.experiments, self.tr("Champion / challenger experiments")),
        ):
            panel.setAccessibleName(name)
        self._loaded: set[Tab] = set()

        self.dashboard.open_escalations_requested.connect(lambda: self.show_tab(Tab.ESCALATIONS))
        self.dashboard.review_requested.connect(self.review_contact)
        self.dashboard.reminders_requested.connect(self.show_reminders)
        # A decision on an escalation changes the dashboard's unacknowledged list.
        self.inbox.changed.connect(lambda: self._refresh(Tab.DASHBOARD))
        # A review's score shows in the dashboard's lists.
        self.review.review_saved.connect(lambda: self._refresh(Tab.DASHBOARD))
        # A rejected dispute lifts a pause; its escalation is decided with it.
        self.cases.changed.connect(lambda: self._refresh(Tab.DASHBOARD, Tab.ESCALATIONS))
        self.cases.changed.connect(self.accounts_changed)
        self.accounts.changed.connect(self.accounts_changed)
        self.pool.changed.connect(self.accounts_changed)
        # A move from either list changes the other, and what each member holds.
        self.accounts.changed.connect(lambda: self._refresh(Tab.POOL, Tab.MEMBERS))
        self.pool.changed.connect(lambda: self._refresh(Tab.ACCOUNTS, Tab.MEMBERS))
        self.pool.loaded.connect(self._pool_loaded)
        self.members.show_pool_requested.connect(self.show_pool)
        # A referral made from the accounts is on the legal desk; a withdrawal there puts the
        # account back in its collector's queue.
        self.accounts.referred.connect(lambda _contract: self._refresh(Tab.LEGAL))
        self.legal.changed.connect(self.accounts_changed)
        self.legal.changed.connect(lambda: self._refresh(Tab.ACCOUNTS))
        self.tabs.currentChanged.connect(self._tab_shown)
        self._build_actions()
        fit_to_screen(self, QSize(1280, 820))

    def _build_actions(self) -> None:
        view = self.menuBar().addMenu(self.tr("&View"))
        names = {
            Tab.DASHBOARD: self.tr("&Dashboard"),
            Tab.REVIEW: self.tr("Call &review"),
            Tab.ESCALATIONS: self.tr("&Escalations inbox"),
            Tab.APPROVALS: self.tr("Plan a&pprovals"),
            Tab.ACCOUNTS: self.tr("Team a&ccounts"),
            Tab.POOL: self.tr("The team's p&ool"),
            Tab.MEMBERS: self.tr("Team &members"),
            Tab.FEEDS: self.tr("The lending system's &feed"),
            Tab.REMINDERS: self.tr("Reminder&s"),
            Tab.CASES: self.tr("Disputes && compla&ints"),
            Tab.LEGAL: self.tr("&Legal"),
            Tab.EXPERIMENTS: self.tr("E&xperiments"),
        }
        self.tab_actions: dict[Tab, QAction] = {}
        for tab, name in names.items():
            self.tab_actions[tab] = self._action(view, name, tab_keys(tab), self._shower(tab))
        view.addSeparator()
        self._action(view, self.tr("&Refresh this tab"), QKeySequence("F5"), self.refresh_current)
        self._action(view, self.tr("&Close"), QKeySequence("Ctrl+W"), self.close)

    def _shower(self, tab: Tab) -> Callable[[], None]:
        return lambda: self.show_tab(tab)

    def _action(
        self, menu: object, text: str, shortcut: QKeySequence, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    def show_tab(self, tab: Tab) -> None:
        """Bring the window up on `tab` (loading it the first time it is shown)."""
        if self.tabs.currentIndex() == tab.value:
            self._tab_shown(tab.value)
        self.tabs.setCurrentIndex(tab.value)
        if self.isVisible():
            # Already open behind the main window: bring it to the front.
            self.raise_()
            self.activateWindow()
        else:
            self.show()

    def show_pool(self) -> None:
        """The pool's tab."""
        self.show_tab(Tab.POOL)

    def pool_tab_text(self, count: int | None) -> str:
        """The pool tab's title: with how many accounts wait in it, once known."""
        if count is None:
            return self.tr("P&ool")
        return self.tr("P&ool ({count})").format(count=self.context.formats.number(count))

    def _pool_loaded(self) -> None:
        self.tabs.setTabText(Tab.POOL.value, self.pool_tab_text(self.pool.model.rowCount()))

    def review_contact(self, attempt_id: uuid.UUID) -> None:
        """Open the call review on one contact (from a drill-down of the dashboard)."""
        self._loaded.add(Tab.REVIEW)
        self.tabs.setCurrentIndex(Tab.REVIEW.value)
        self.review.open_attempt(attempt_id)

    def show_reminders(self, day: date) -> None:
        """The Reminders tab on `day`."""
        self._loaded.add(Tab.REMINDERS)
        self.reminders.set_day(day)
        self.tabs.setCurrentIndex(Tab.REMINDERS.value)

    def refresh_current(self) -> None:
        self._panel(Tab(self.tabs.currentIndex())).refresh()  # type: ignore[attr-defined]

    def _panel(self, tab: Tab) -> QWidget:
        panel = self.tabs.widget(tab.value)
        assert panel is not None
        return panel

    def _tab_shown(self, index: int) -> None:
        # The pool loads with the first tab shown, so its tab tells how many accounts wait;
        # after the dashboard's first count when that is the first tab (the worker runs calls
        # in turn, and the lead opened the desk for the numbers).
        shown = Tab(index)
        if shown not in self._loaded:
            self._loaded.add(shown)
            self._panel(shown).refresh()  # type: ignore[attr-defined]
        if Tab.POOL not in self._loaded:
            self._loaded.add(Tab.POOL)
            if shown is Tab.DASHBOARD and self.dashboard.report is None:
                self.dashboard.answered.connect(
                    self._load_pool, Qt.ConnectionType.SingleShotConnection
                )
            else:
                self.pool.refresh()

    def _load_pool(self) -> None:
        self.pool.refresh()

    def _refresh(self, *tabs: Tab) -> None:
        """Load these tabs again, those already loaded."""
        for tab in tabs:
            if tab in self._loaded:
                self._panel(tab).refresh()  # type: ignore[attr-defined]

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
