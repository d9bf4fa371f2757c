"""The collector's main window: the queue, the account in the middle, the call on the right."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QWidget

from app import __version__
from app.database import Database
from app.services.common.errors import DomainError, NotAllowed, NotFound
from app.services.common.users import UserView, list_users
from app.services.contact.contacts import RecordedContact
from app.services.contact.dialing import CallOption, DialCheck, call_options, check_dial, dial_url
from app.services.contact.my_day import today
from app.services.contact.queue import LiveQueue, Queue, keep_queue
from app.services.contact.shift import ShiftSummary, shift_summary
from app.services.contact.workspace import AccountView, account_view
from app.services.plans.lapses import settle_lapsed
from app.services.sync.engine import SyncReport
from app.services.team.reviews import unseen_count
from app.ui.collector.call_panel import CallPanel
from app.ui.collector.decisions import PlanDecisionsDialog, count_unseen_decisions
from app.ui.collector.feedback import FeedbackDialog, feedback_menu_text
from app.ui.collector.my_day import DueTodayDock, MyDayDialog
from app.ui.collector.plan_dialog import PlanDialog
from app.ui.collector.queue_panel import QueuePanel
from app.ui.collector.workspace import Workspace
from app.ui.common import settings as keys
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.labels import role_name
from app.ui.common.runner import Job, Latest
from app.ui.common.screens import fit_to_screen
from app.ui.field.visit_planner import VisitPlanner
from app.ui.shell.conflicts_dialog import ConflictsDialog
from app.ui.shell.dial_notice import DialNotice, notice_key
from app.ui.shell.leaving import LeaveCheck
from app.ui.shell.settings_dialog import SettingsDialog
from app.ui.shell.sync_status import SyncController, SyncStatusBar
from app.ui.team.cases import ComplaintDialog
from app.ui.team.window import TEAM_ROLES, Tab, TeamWindow

# The window's size at its first start on a screen, when the screen has room for it.
DEFAULT_SIZE = QSize(1600, 960)
# From this height on, the outcome gets the larger half of the call panel (1920×1080).
TALL = 900
# From this width on, the queue gets a wider share (1920×1080); below it, the call does.
WIDE = 1600
# Even with no rule window ahead, callbacks and other collectors' work change the queue.
REFRESH_EVERY = timedelta(minutes=5)
log = logging.getLogger(__name__)
# A block lifting at 08:00:00 is re-checked a moment after, not a moment before.
AFTER_LIFT = timedelta(seconds=2)


class MainWindow(QMainWindow):
    """Emits `language_changed(code)` when the user switches language in the settings."""

    language_changed = Signal(str)
    account_shown = Signal(str)
    queue_refreshed = Signal()
    # The user asked to sign out (server mode only): the start-up code forgets the password
    # and shows the sign-in again.
    sign_out_requested = Signal()

    def __init__(
        self,
        context: Context,
        parent: QWidget | None = None,
        wanted: str | None = None,
        live_queue: LiveQueue | None = None,
        shown: AccountView | None = None,
    ) -> None:
        """`wanted`: the key of the account to open first (the one a rebuilt window was on);
        `live_queue`: the queue it had read; `shown`: that account as it showed it, on screen
        here at once while it is read again in this window's language."""
        super().__init__(parent)
        self.context = context
        self._leaving = False
        # Who works here: the platform adds the application's name (its display name) after.
        self.setWindowTitle(context.display_name)
        self.queue = QueuePanel(context)
        self.workspace = Workspace(context)
        self.call = CallPanel(context)
        self.splitter = QSplitter()
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.queue)
        self.splitter.addWidget(self.workspace)
        self.splitter.addWidget(self.call)
        # A wider window widens the queue (its reasons and statuses) and the account most.
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 2)
        self.setCentralWidget(self.splitter)
        # What is due today, above the work: shown when the shift opens, if anything is.
        self.due_today = DueTodayDock(context, self)
        self.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.due_today)

        self.shift_label = QLabel()
        self.shift_label.setAccessibleName(self.tr("Shift so far"))
        self.busy_label = QLabel()
        self.statusBar().addWidget(self.shift_label, 1)
        self.statusBar().addPermanentWidget(self.busy_label)
        # Nothing on this computer dials: said once a session, here rather than in a box.
        self.dial_notice = DialNotice(context.dialogs)
        self.dial_notice.settings_requested.connect(lambda: self.edit_settings(dialling=True))
        self.statusBar().addWidget(self.dial_notice, 2)
        # Syncing with the central database, when there is one.
        self.sync: SyncController | None = None
        self.sync_bar: SyncStatusBar | None = None
        self.conflicts_dialog: ConflictsDialog | None = None
        # Before the window goes (quit, close, sign out): what waits is sent, or said.
        self.leave_check: LeaveCheck | None = None
        if context.central is not None:
            self.sync = SyncController(context, self)
            self.leave_check = LeaveCheck(self, context, self.sync)
            self.sync_bar = SyncStatusBar(context, self.sync)
            self.statusBar().addPermanentWidget(self.sync_bar)
            self.sync_bar.conflicts_requested.connect(self.show_conflicts)
            self.sync.synced.connect(self._synced)
            # A sync settles what lapsed on the copy before it runs, and the window's own read
            # then finds nothing left to settle: the queue reads those accounts again.
            self.sync.lapsed.connect(self.refresh_changed)
            self.sync.status.connect(self._sync_status)

        self._current: AccountView | None = None
        self._current_key: str | None = None
        # One dial at a time, and one read of the queue at a time (a read asked for while one
        # runs is skipped); the account shown is the one chosen last.
        self._dialing = Latest()
        self._account = Latest()
        self._queue_read = Latest()
        # After a read of the whole queue, what it read is kept in the queue's memo, so that
        # the next window (or the command line) reads only what changed since.
        self._keeping = Latest()
        # The queue kept between reads: a read after a saved outcome, or when the clock moves,
        # computes again only what changed. What the next read must read again (None: all).
        # A window rebuilt in another language goes on with the queue its predecessor read.
        reused = (
            live_queue is not None
            and live_queue.db is context.db
            and live_queue.username == context.username
        )
        self.live_queue = live_queue if reused else LiveQueue(context.db, context.username)
        self._pending: set[str] | None = set() if reused else None
        self._read_again = False
        self._wanted_key: str | None = wanted
        self.plan_dialog: PlanDialog | None = None
        self.complaint_dialog: ComplaintDialog | None = None
        self.visit_planner: VisitPlanner | None = None
        self.team_window: TeamWindow | None = None
        self.feedback_dialog: FeedbackDialog | None = None
        self.decisions_dialog: PlanDecisionsDialog | None = None
        self.my_day_dialog: MyDayDialog | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh_by_clock)
        # When a read of everything was last asked for: the timer asks for one every
        # REFRESH_EVERY, however often the clock has it read what the clock reached.
        self._read_all_at = context.clock()
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(60_000)
        self._clock_timer.timeout.connect(self.queue.model.refresh_times)
        self._clock_timer.start()

        self._build_actions()
        self.queue.account_chosen.connect(self.open_account)
        self.workspace.dial_requested.connect(self.dial)
        self.workspace.note_added.connect(self.reload_account)
        self.workspace.contacts_changed.connect(self._contacts_changed)
        self.workspace.plan_requested.connect(self.offer_plan)
        self.call.plan_requested.connect(self.offer_plan)
        self.call.saved.connect(self._saved)
        # The notice says the call timer is running: not once the call has ended.
        self.call.timer_stopped.connect(self.dial_notice.hide)
        self.due_today.account_requested.connect(self.show_due_account)
        context.runner.busy_changed.connect(self._busy)
        context.runner.unhandled_error.connect(self._show_error)
        self._restore_state()
        self.due_today.hide()  # until the day's read says whether anything is due
        if shown is not None and shown.detail.loan_id.hex == wanted:
            # Never "choose an account" in between: the account stays on screen while it is
            # read again (its script in the new language comes with it).
            self.workspace.show_account(shown.detail, shown.options)
        # What opens beside the window depends on who signed in (asked once, in the
        # background): a field agent's visit planner, a team lead's desk. It is asked first,
        # and the queue after it: the worker runs calls in turn, and a lead's day starts with
        # yesterday's numbers, not with the team's queue (seconds on a large team).
        self._started = False
        context.call(list_users, on_done=self._role_known, on_error=lambda _error: self._start())

    # Menus and shortcuts: every action has both.

    def _build_actions(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        syncs = self.sync is not None
        self.sync_action = self._action(
            file_menu, self.tr("S&ync now"), QKeySequence("F9"), self.sync_now
        )
        self.conflicts_action = self._action(
            file_menu, self.tr("Sync &conflicts…"), QKeySequence("Shift+F9"), self.show_conflicts
        )
        # Shown (and their shortcuts live) only where there is a central database.
        for action in (self.sync_action, self.conflicts_action):
            action.setVisible(syncs)
            action.setEnabled(syncs)
        file_menu.addSeparator()
        self.settings_action = self._action(
            file_menu,
            self.tr("&Settings…"),
            QKeySequence.StandardKey.Preferences,
            self.edit_settings,
        )
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        file_menu.addSeparator()
        self.sign_out_action = self._action(
            file_menu, self.tr("Sign &out"), QKeySequence("Ctrl+Shift+O"), self.sign_out
        )
        # The demo has no sign-in to go back to.
        self.sign_out_action.setVisible(self.context.server != "")
        self.sign_out_action.setEnabled(self.context.server != "")
        self._action(file_menu, self.tr("&Quit"), QKeySequence("Ctrl+Q"), self.close)

        queue_menu = menus.addMenu(self.tr("&Queue"))
        self.refresh_action = self._action(
            queue_menu, self.tr("&Refresh queue"), QKeySequence("F5"), self.refresh_queue
        )
        self._action(
            queue_menu, self.tr("&Find account…"), QKeySequence("Ctrl+F"), self.queue.focus_search
        )
        self._action(
            queue_menu,
            self.tr("&Next callable account"),
            QKeySequence("Ctrl+J"),
            self.next_account,
        )
        self._action(
            queue_menu,
            self.tr("Go to the &queue"),
            QKeySequence("Alt+1"),
            lambda: self.queue.table.setFocus(),
        )

        account_menu = menus.addMenu(self.tr("&Account"))
        self.dial_action = self._action(
            account_menu,
            self.tr("&Call first allowed number"),
            QKeySequence("Ctrl+D"),
            self.dial_first,
        )
        self._action(
            account_menu,
            self.tr("Go to the &workspace"),
            QKeySequence("Alt+2"),
            lambda: self.workspace.setFocus(),
        )
        self._action(
            account_menu,
            self.tr("Add a &note"),
            QKeySequence("Ctrl+Shift+N"),
            self.workspace.focus_note,
        )
        self.plan_action = self._action(
            account_menu,
            self.tr("Offer a repayment &plan…"),
            QKeySequence("Ctrl+Shift+P"),
            self.offer_plan,
        )
        self.complaint_action = self._action(
            account_menu,
            self.tr("Log a co&mplaint…"),
            QKeySequence("Ctrl+Shift+C"),
            self.log_complaint,
        )

        call_menu = menus.addMenu(self.tr("&Call"))
        for action in self.call.actions_for_menu():
            call_menu.addAction(action)

        visits_menu = menus.addMenu(self.tr("&Visits"))
        self.visits_action = self._action(
            visits_menu, self.tr("&Plan visits…"), QKeySequence("Ctrl+Shift+V"), self.plan_visits
        )

        self.mine_menu = mine_menu = menus.addMenu(feedback_menu_text(0))
        self._news = {"reviews": 0, "decisions": 0}
        self.feedback_action = self._action(
            mine_menu,
            self.tr("&Reviews of my calls…"),
            QKeySequence("Ctrl+Shift+F"),
            self.show_feedback,
        )
        self.decisions_action = self._action(
            mine_menu,
            self.tr("&Decisions on my plans…"),
            QKeySequence("Ctrl+Shift+K"),
            self.show_decisions,
        )
        mine_menu.addSeparator()
        self.due_today_action = self._action(
            mine_menu, self.tr("Due &today"), QKeySequence("F7"), self.show_due_today
        )
        self.my_day_action = self._action(
            mine_menu, self.tr("&My day summary…"), QKeySequence("F8"), self.show_my_day
        )

        # Shown, with its shortcuts live, once the user turns out to lead a team.
        self.team_menu = menus.addMenu(self.tr("&Team"))
        self.team_actions = {
            tab: self._action(self.team_menu, text, QKeySequence(keys_), self._team_opener(tab))
            for tab, text, keys_ in (
                (Tab.DASHBOARD, self.tr("Team &dashboard…"), "Ctrl+Shift+D"),
                (Tab.REVIEW, self.tr("Call &review…"), "Ctrl+Shift+R"),
                (Tab.ESCALATIONS, self.tr("&Escalations inbox…"), "Ctrl+Shift+E"),
                (Tab.APPROVALS, self.tr("Plan &approvals…"), "Ctrl+Shift+A"),
                (Tab.ACCOUNTS, self.tr("Team a&ccounts…"), "Ctrl+Shift+M"),
                (Tab.POOL, self.tr("Team p&ool…"), "Ctrl+Shift+L"),
                (Tab.MEMBERS, self.tr("Team me&mbers…"), "Ctrl+Shift+T"),
                (Tab.FEEDS, self.tr("The lending system's &feed…"), "Ctrl+Shift+G"),
                (Tab.REMINDERS, self.tr("Reminder&s…"), "Ctrl+Shift+S"),
                (Tab.CASES, self.tr("D&isputes and complaints…"), "Ctrl+Shift+I"),
                (Tab.LEGAL, self.tr("&Legal referrals…"), "Ctrl+Shift+J"),
                (Tab.EXPERIMENTS, self.tr("E&xperiments…"), "Ctrl+Shift+X"),
            )
        }
        self._show_team_menu(False)

        help_menu = menus.addMenu(self.tr("&Help"))
        self._action(
            help_menu, self.tr("&Keyboard shortcuts"), QKeySequence("F1"), self.show_shortcuts
        )
        self._action(help_menu, self.tr("&About"), QKeySequence("Shift+F1"), self.about)

    def _action(
        self,
        menu: object,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | None,
        slot: object,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    # The queue.

    def refresh_queue(self) -> None:
        """Read the whole queue again (start, F5, a sync, a lead's change)."""
        self._pending = None
        self._read_queue()

    def refresh_changed(self, keys: Collection[str]) -> None:
        """Read again the accounts `keys` (and their borrowers' others), the rest as it was
        unless the clock moved it."""
        if self._pending is not None:
            self._pending |= set(keys)
        self._read_queue()

    def _refresh_by_clock(self) -> None:
        # A timer may fire a little early: within AFTER_LIFT of its moment is its moment.
        if self.context.clock() + AFTER_LIFT >= self._read_all_at + REFRESH_EVERY:
            # The periodic read also catches what came in by another way than this window (the
            # command line, another window on the same copy, a lead's desk).
            self._pending = None
        self._read_queue()

    def _read_queue(self) -> None:
        if self._queue_read.busy:
            # Read once more when this one is in, with what it could not know.
            self._read_again = True
            return
        self._refresh_timer.stop()
        changed, self._pending = self._pending, set()
        if changed is None:
            self._read_all_at = self.context.clock()
        self._queue_read.run(
            self.context,
            settled_queue,
            self.live_queue,
            now=self.context.clock(),
            changed=changed,
            on_done=self._queue_loaded if changed is not None else self._whole_queue_loaded,
            on_error=self._queue_failed,
        )

    def _whole_queue_loaded(self, queue: Queue) -> None:
        self._queue_loaded(queue)
        self._keeping.run(self.context, keep_queue, self.live_queue, on_error=self._keeping_failed)

    def _keeping_failed(self, error: BaseException) -> None:
        # The memo only spares work: a queue read afresh computes what it lacks.
        log.warning("The queue's memo was not kept: %s", error)

    @property
    def shown_account(self) -> AccountView | None:
        """The account on screen, as it was read (for a window rebuilt from this one)."""
        return self._current

    def queue_to_hand_over(self) -> LiveQueue | None:
        """The live queue, for a window rebuilt from this one (in another language), which goes
        on reading it; None when this window still meant to read something again (a change
        told while a read ran, a read that failed): the new window then reads everything."""
        if self._pending is None or self._pending:
            return None
        return self.live_queue

    def _queue_loaded(self, queue: Queue) -> None:
        if self._read_again:
            self._read_again = False
            QTimer.singleShot(0, self._read_queue)
        self.queue.set_queue(queue)
        self._schedule_refresh(queue)
        self._refresh_options()
        if self._wanted_key is not None:
            wanted, self._wanted_key = self._wanted_key, None
            if not self.queue.select_key(wanted):
                self.queue.select_next_callable(wanted)
        elif self.queue.current_key() is None and self.queue.select_next_callable(None) is None:
            # Nothing can be called right now (night, say): still show the top account.
            self.queue.select_first()
        self.queue_refreshed.emit()

    def _queue_failed(self, error: BaseException) -> None:
        self._pending = None  # the next read reads everything
        again, self._read_again = self._read_again, False
        if again:
            # Asked for while this one ran (a saved outcome, say): it may well go through.
            QTimer.singleShot(0, self._read_queue)
        else:
            # The timer stopped when this read began: it goes on, or nothing reads again
            # until the collector does something.
            self._refresh_timer.start(int(REFRESH_EVERY.total_seconds() * 1000))
        self._show_error(error)

    def _schedule_refresh(self, queue: Queue) -> None:
        now = self.context.clock()
        wait = max(self._read_all_at + REFRESH_EVERY - now, timedelta(0))
        if queue.next_change_at is not None:
            wait = min(wait, max(queue.next_change_at - now, timedelta(0)) + AFTER_LIFT)
        self._refresh_timer.start(int(wait.total_seconds() * 1000))

    def current_contract(self) -> str | None:
        """The contract of the account shown in the workspace, if any."""
        return None if self._current is None else self._current.detail.contract_no

    def next_account(self) -> None:
        self.queue.select_next_callable(self.queue.current_key())

    # One account.

    def open_account(self, key: str) -> None:
        entry = self.queue.model.row_by_key(key)
        if entry is None:
            return
        if not self._may_leave_call(entry.contract_no):
            # Back to the account whose call is under way, without asking again.
            self.queue.blockSignals(True)
            self.queue.select_key(self._current_key or key)
            self.queue.blockSignals(False)
            return
        self._current_key = key
        self._account.run(
            self.context.runner,
            account_view,
            self.context.db,
            self.context.username,
            entry.contract_no,
            self.context.language,
            self.context.clock(),
            on_done=self._account_loaded,
            on_error=self._account_failed,
        )

    def reload_account(self) -> None:
        key = self.queue.current_key()
        if key is not None:
            self.open_account(key)

    def _contacts_changed(self) -> None:
        """A contact point, a mark or the borrower's terms changed: the account shows them, and
        the queue reads the borrower's accounts again (what may be dialled, and when)."""
        key = self._current_key
        self.reload_account()
        if key is not None:
            self.refresh_changed({key})

    def _account_loaded(self, view: AccountView) -> None:
        self._current = view
        self.workspace.show_account(view.detail, view.options)
        self.call.set_account(view.detail, view.options, view.script, view.third_party_script)
        self.account_shown.emit(view.detail.contract_no)

    def leave(self) -> None:
        """Close without asking again (the collector already agreed to leave)."""
        self._leaving = True
        self.close()

    def _may_leave_call(self, contract_no: str | None = None) -> bool:
        """True unless a call is under way elsewhere and the collector wants to stay on it."""
        if (
            self._leaving
            or not self.call.in_call
            or (self._current is not None and self._current.detail.contract_no == contract_no)
        ):
            return True
        return self.context.dialogs.confirm(
            self,
            self.tr("A call is under way"),
            self.tr(
                "The call on {account} has no outcome saved yet. Leave it without saving?"
            ).format(account=self.call.account.text()),
        )

    # Repayment plans.

    def log_complaint(self) -> None:
        """The dialog that logs a complaint on the account shown (a borrower complaining on
        the call, a letter): it goes to the team lead with its deadline."""
        contract = self.current_contract()
        if contract is None:
            return
        dialog = ComplaintDialog(self.context, self)
        dialog.contract.setText(contract)
        dialog.open()
        self.complaint_dialog = dialog

    def offer_plan(self) -> None:
        """Open the plan dialog on the account shown (one dialog, for one account at a time)."""
        if self._current is None:
            return
        detail = self._current.detail
        dialog = self.plan_dialog
        if dialog is not None and dialog.contract_no != detail.contract_no:
            dialog.retire()
            dialog.close()
            dialog.deleteLater()
            dialog = self.plan_dialog = None
        if dialog is None:
            dialog = PlanDialog(self.context, detail, self)
            dialog.plans_changed.connect(self._plans_changed)
            self.plan_dialog = dialog
        elif dialog.isVisible():
            dialog.raise_()  # open behind the window: bring it to the front
        else:
            dialog.reopen(detail)
        dialog.show()
        dialog.activateWindow()

    # The team lead's desk, and what the collector hears back from it.

    def _show_team_menu(self, shown: bool) -> None:
        self.team_menu.menuAction().setVisible(shown)
        for action in self.team_actions.values():
            action.setEnabled(shown)

    def _role_known(self, users: list[UserView]) -> None:
        me = next((user for user in users if user.username == self.context.username), None)
        if me is not None:
            self.setWindowTitle(
                self.tr("{user} ({role})").format(user=me.display_name, role=role_name(me.role))
            )
            if me.role == "field_agent":
                # A field agent's day is the visits.
                self.plan_visits()
            elif me.role in TEAM_ROLES:
                # A team lead's starts with yesterday's numbers: the rest is read once they
                # are counted.
                self._show_team_menu(True)
                self.open_team(Tab.DASHBOARD)
                assert self.team_window is not None
                if self.team_window.dashboard.report is None:
                    self.team_window.dashboard.answered.connect(
                        self._start, Qt.ConnectionType.SingleShotConnection
                    )
                    return
        self._start()

    def _start(self) -> None:
        """The window's first reads, once: the queue, the shift's figures, what is due today,
        the sync, the news."""
        if self._started:
            return
        self._started = True
        self._read_queue()
        self.refresh_shift()
        self.due_today.load(reveal=True)
        if self.sync is not None:
            self.sync.start()
        self.count_news()

    def _team_opener(self, tab: Tab) -> Callable[[], None]:
        return lambda: self.open_team(tab)

    def open_team(self, tab: Tab = Tab.DASHBOARD) -> None:
        """Show the team window (one, beside this one) on `tab`."""
        if self.team_window is None:
            self.team_window = TeamWindow(self.context, self)
            # A reassignment or a priority changes the team's queue, which a lead's is.
            self.team_window.accounts_changed.connect(self.refresh_queue)
        self.team_window.show_tab(tab)

    def show_feedback(self) -> None:
        """The team lead's reviews of this user's calls."""
        if self.feedback_dialog is None:
            self.feedback_dialog = FeedbackDialog(self.context, self)
            self.feedback_dialog.unseen_changed.connect(lambda count: self._heard("reviews", count))
        self._bring_up(self.feedback_dialog)

    def show_decisions(self) -> None:
        """What team leads decided on the plans this user submitted."""
        if self.decisions_dialog is None:
            self.decisions_dialog = PlanDecisionsDialog(self.context, self)
            self.decisions_dialog.seen.connect(lambda _new: self._heard("decisions", 0))
        self._bring_up(self.decisions_dialog)

    def show_due_today(self) -> None:
        """The panel of today's callbacks and promises due, read again."""
        self.due_today.load()
        self.due_today.show()
        self.due_today.raise_()

    def show_my_day(self) -> None:
        """The end of the day: today's figures and tomorrow's callbacks (a window beside)."""
        if self.my_day_dialog is None:
            self.my_day_dialog = MyDayDialog(self.context, self)
            self.my_day_dialog.account_requested.connect(self.show_due_account)
        else:
            self.my_day_dialog.show_day(today(self.context.clock()))
        self._bring_up(self.my_day_dialog)

    def show_due_account(self, key: str) -> None:
        """Open an account of the day's summaries, as if chosen in the queue."""
        if self.queue.select_key(key):
            return
        if self.queue.model.row_by_key(key) is not None:
            self.open_account(key)  # in the queue but filtered out of view
        else:
            self._wanted_key = key  # opened when the queue comes in

    def count_news(self) -> None:
        """Reviews and plan decisions not yet seen: counted on the worker, shown on the menu."""
        self.context.call(
            unseen_count,
            self.context.username,
            on_done=lambda count: self._heard("reviews", count),
            on_error=lambda _error: None,
        )
        count_unseen_decisions(self.context, lambda count: self._heard("decisions", count))

    def _heard(self, what: str, count: int) -> None:
        self._news[what] = count
        self.mine_menu.setTitle(feedback_menu_text(sum(self._news.values())))

    @staticmethod
    def _bring_up(window: QWidget) -> None:
        if window.isVisible():
            window.raise_()
            window.activateWindow()
        else:
            window.show()

    # Home visits.

    def plan_visits(self) -> None:
        """Show the visit planner, a window of its own beside this one."""
        if self.visit_planner is None:
            self.visit_planner = VisitPlanner(self.context, self)
            # An outcome may bring a promise: the queue ranks the account anew.
            self.visit_planner.visit_recorded.connect(lambda *_args: self.refresh_queue())
        if self.visit_planner.isVisible():
            # Already open behind this window: bring it to the front.
            self.visit_planner.raise_()
            self.visit_planner.activateWindow()
        else:
            self.visit_planner.show()

    def _plans_changed(self, contract_no: str) -> None:
        # The timeline lists the account's plans with their status.
        if self._current is not None and self._current.detail.contract_no == contract_no:
            self.reload_account()

    def _account_failed(self, error: BaseException) -> None:
        self._show_error(error)

    # Calling.

    def dial(self, option: CallOption) -> None:
        """Dial `option` once the rules, asked again right now, still allow it."""
        if option.allowed:
            self._dial(option.contact_point_id)

    def _dial(self, point_id: uuid.UUID | None) -> None:
        """Ask the rules again and dial the number (None: the first they allow); a dial they
        stop is recorded by the service, for the lead's compliance figures."""
        if self._current is None:
            return
        if self.call.in_call or self._dialing.busy:
            return  # one call at a time: end (and log) this one first
        contract = self._current.detail.contract_no
        self._dialing.run(
            self.context,
            check_dial,
            self.context.username,
            contract,
            point_id,
            self.context.clock(),
            on_done=lambda checked: self._dial_checked(contract, checked, point_id is not None),
            on_error=self._dial_failed,
        )

    def _dial_failed(self, error: BaseException) -> None:
        self._show_error(error)

    def _dial_checked(self, contract: str, checked: DialCheck, named: bool) -> None:
        if self._current is None or self._current.detail.contract_no != contract:
            return  # the collector has moved on
        self._options_loaded(contract, checked.options)
        option = checked.allowed
        if option is None:
            title = self.tr("No longer allowed") if named else self.tr("No number can be called")
            self.context.dialogs.info(self, title, self.call.blocked_text(checked.options))
            return
        template = self.context.settings.get(keys.DIAL_TEMPLATE)
        try:
            url = dial_url(template, option.e164)
        except DomainError as error:
            self._show_error(error)
            return
        self.call.call_started(option)
        if not self.context.dialogs.open_url(url):
            self.dial_notice.cannot_dial(url, self.call.number.currentText())

    def _refresh_options(self) -> None:
        """Ask the rules again for the open account (the clock may have crossed a window)."""
        if self._current is None or self._account.busy:
            return
        contract = self._current.detail.contract_no
        self._ask_rules(
            contract,
            lambda options: self._options_loaded(contract, options),
            lambda error: self._account_gone(contract, error),
        )

    def _ask_rules(
        self,
        contract: str,
        on_done: Callable[[tuple[CallOption, ...]], None],
        on_error: Callable[[BaseException], None],
    ) -> Job:
        """The rules' answer for every number of `contract`, now, in the background."""
        return self.context.call(
            call_options,
            self.context.username,
            contract,
            self.context.clock(),
            on_done=on_done,
            on_error=on_error,
        )

    def _options_loaded(self, contract: str, options: tuple[CallOption, ...]) -> None:
        if self._current is None or self._current.detail.contract_no != contract:
            return
        self._current = replace(self._current, options=options)
        self.workspace.update_options(options)
        self.call.update_options(options)

    def dial_first(self) -> None:
        if self._current is None:
            return
        if not self._current.options:
            self.context.dialogs.info(
                self, self.tr("No number can be called"), self.call.blocked_text(())
            )
            return
        self._dial(None)

    def _saved(self, recorded: RecordedContact, go_next: bool) -> None:
        current = self.queue.current_key()
        following = self.queue.select_next_callable(current) if go_next else None
        if following is not None:
            self._wanted_key = following
        else:
            # Save, or Save and next with no other account callable now (night, say): the
            # saved account opens again, with a fresh form.
            self._wanted_key = current
            self.reload_account()
        if current is not None:
            self.refresh_changed({current})
        else:
            self.refresh_queue()
        self.refresh_shift()
        # A call answers the callbacks due on its account.
        if self.due_today.isVisible():
            self.due_today.load()
        if recorded.escalated:
            self.context.dialogs.info(
                self,
                self.tr("Escalated to your team lead"),
                self.tr(
                    "Your team lead has been alerted and collection on this account is paused"
                    " until they review it."
                ),
            )

    # The status bar.

    def refresh_shift(self) -> None:
        self.context.call(
            shift_summary, self.context.username, self.context.clock(), on_done=self._shift_loaded
        )

    def _shift_loaded(self, summary: ShiftSummary) -> None:
        formats = self.context.formats
        promised = " + ".join(
            formats.money(amount, currency) for currency, amount in sorted(summary.promised.items())
        ) or formats.money(0)  # type: ignore[arg-type]
        self.shift_label.setText(
            self.tr(
                "Today — attempts: {attempts} · right-party contacts: {rpc} · promises:"
                " {promises} ({promised})"
            ).format(
                attempts=formats.number(summary.attempts),
                rpc=formats.number(summary.right_party),
                promises=formats.number(summary.promises),
                promised=promised,
            )
        )

    def _busy(self, busy: bool) -> None:
        self.busy_label.setText(self.tr("Working…") if busy else "")

    # Settings, help, errors.

    def edit_settings(self, dialling: bool = False) -> None:
        """The settings; `dialling`: from the dial notice, the dial template focused."""
        dialog = SettingsDialog(self.context, self)
        if dialling:
            dialog.template.setFocus()
        template = self.context.settings.get(keys.DIAL_TEMPLATE)
        accepted = dialog.exec()
        changed = self.context.settings.get(keys.DIAL_TEMPLATE)
        if changed != template:
            # Another template: whether anything handles it is worth saying again.
            self.context.dialogs.forget(notice_key(changed))
        if accepted and dialog.language_changed and self._may_leave_call():
            self.language_changed.emit(self.context.settings.get(keys.LANGUAGE))

    def show_shortcuts(self) -> None:
        lines = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            for action in menu.actions():  # type: ignore[attr-defined]
                if action.isVisible() and not action.shortcut().isEmpty():
                    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                    lines.append(f"{shortcut}\t{action.text().replace('&', '')}")
        self.context.dialogs.info(self, self.tr("Keyboard shortcuts"), "\n".join(lines))

    def about(self) -> None:
        self.context.dialogs.info(
            self,
            self.tr("About Collector Workstation"),
            self.tr("Collector Workstation {version}").format(version=__version__),
        )

    # Sync with the central database.

    def sync_now(self) -> None:
        if self.sync is not None:
            self.sync.sync_now()

    def show_conflicts(self) -> None:
        """The changes the server did not take (one dialog, kept while the window lives)."""
        if self.sync is None:
            return
        dialog = self.conflicts_dialog
        if dialog is None:
            dialog = self.conflicts_dialog = ConflictsDialog(self.context, self)
            dialog.changed.connect(self._conflict_resolved)
        dialog.reload()
        if dialog.isVisible():
            dialog.raise_()
        dialog.show()
        dialog.activateWindow()

    def _conflict_resolved(self) -> None:
        # A re-applied change waits in the outbox: send it now rather than at the next round.
        if self.sync is not None:
            self.sync.refresh_status()
            self.sync.sync_now()

    def _sync_status(self, _status: object) -> None:
        if self.conflicts_dialog is not None and self.conflicts_dialog.isVisible():
            self.conflicts_dialog.reload()

    def _synced(self, report: SyncReport) -> None:
        """Show what a sync brought: a new queue, and nothing of an account that left."""
        pulled = report.pull
        if not (pulled.rows or pulled.arrived or pulled.purged or report.push.conflicts):
            return
        # A lead's review or decision may have come down with it.
        self.count_news()
        if pulled.purged and self._current is not None:
            # Asked before the new queue lands, so that an account that left is gone from the
            # screen before its row goes (no "leave the call?" on a call that cannot be saved).
            contract = self._current.detail.contract_no
            self._ask_rules(
                contract,
                lambda options: self._options_loaded(contract, options),
                lambda error: self._account_gone(contract, error),
            )
        if self._wanted_key is None:
            self._wanted_key = self.queue.current_key()
        # A read still on its way began before the sync changed the copy: the one below reads
        # after it.
        self._queue_read.cancel()
        self.refresh_queue()

    def _account_gone(self, contract: str, error: BaseException) -> None:
        """The rules could not find the open account: it left this copy (reassigned away)."""
        if not isinstance(error, (NotFound, NotAllowed)):
            return  # the next refresh asks again
        if self._current is None or self._current.detail.contract_no != contract:
            return
        self._forget_account()

    def _forget_account(self) -> None:
        """Nothing of the open account stays on screen."""
        contract = self._current.detail.contract_no if self._current is not None else None
        self._account.cancel()
        self._current = None
        self._current_key = None
        self.workspace.clear()
        call = self.call
        call.end_call()
        # The call cannot be logged against an account this copy no longer holds.
        call.started_at = call.ended_at = None
        call.detail = None
        call.set_enabled(False)
        call.account.setText(self.tr("No account open"))
        call.script.set_script(None)
        if self.plan_dialog is not None and self.plan_dialog.contract_no == contract:
            self.plan_dialog.retire()
            self.plan_dialog.close()
            self.plan_dialog.deleteLater()
            self.plan_dialog = None

    def sign_out(self) -> None:
        if not self.context.server or not self._may_leave_call():
            return
        if self.leave_check is None:
            self.sign_out_requested.emit()
        else:
            self.leave_check.run(self.sign_out_requested.emit)

    def _show_error(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Could not complete that"), error_text(error))

    # Window state.

    def screen_size(self) -> QSize:
        """The available area of the screen the window is on: its layout is kept per size."""
        return self.screen().availableGeometry().size()

    def _restore_state(self) -> None:
        settings = self.context.settings
        size = self.screen_size()
        geometry = settings.get(keys.per_screen(keys.WINDOW_GEOMETRY, size))
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            fit_to_screen(self, DEFAULT_SIZE)
        state = settings.get(keys.per_screen(keys.WINDOW_STATE, size))
        if not state.isEmpty():
            self.restoreState(state)
        splitter = settings.get(keys.per_screen(keys.MAIN_SPLITTER, size))
        if splitter.isEmpty() or not self.splitter.restoreState(splitter):
            # The account in the middle needs the most room: its figures and its history. On
            # a small screen the queue gives some to the call, whose buttons need their width.
            width = self.width()
            shares = (0.37, 0.39, 0.24) if width >= WIDE else (0.22, 0.48, 0.30)
            self.splitter.setSizes([int(width * share) for share in shares])
        work = settings.get(keys.per_screen(keys.WORK_SPLITTER, size))
        if not work.isEmpty():
            self.workspace.splitter.restoreState(work)
        call = settings.get(keys.per_screen(keys.CALL_SPLITTER, size))
        # Shared out once the window is laid out (the panes' least heights count then).
        self._share_call = call.isEmpty() or not self.call.splitter.restoreState(call)
        header = settings.get(keys.QUEUE_HEADER)
        if not header.isEmpty():
            view_header = self.queue.table.horizontalHeader()
            view_header.restoreState(header)
            self.queue.fill.apply()
            self.queue.sort_by(view_header.sortIndicatorSection(), view_header.sortIndicatorOrder())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._share_call:
            self._share_call = False
            # A short screen gives the script the larger part (its answers and buttons are
            # what a call goes by); a tall one has room for all of it and gives the outcome more.
            total = sum(self.call.splitter.sizes())
            script = int(total * (0.45 if self.height() >= TALL else 0.6))
            self.call.splitter.setSizes([script, total - script])

    def save_state(self) -> None:
        settings = self.context.settings
        size = self.screen_size()
        for setting, value in (
            (keys.WINDOW_GEOMETRY, self.saveGeometry()),
            (keys.WINDOW_STATE, self.saveState()),
            (keys.MAIN_SPLITTER, self.splitter.saveState()),
            (keys.WORK_SPLITTER, self.workspace.splitter.saveState()),
            (keys.CALL_SPLITTER, self.call.splitter.saveState()),
        ):
            settings.set(keys.per_screen(setting, size), value)
        settings.set(keys.QUEUE_HEADER, self.queue.table.horizontalHeader().saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_leave_call():
            event.ignore()
            return
        if not self._leaving and self.leave_check is not None:
            # Changes still waiting are sent first, or the user says to go without them; the
            # check closes the window when it may go.
            event.ignore()
            self.leave_check.run(self.leave)
            return
        self.save_state()
        # Answers still on their way belong to this window's widgets, about to go.
        self.context.runner.cancel_all()
        if self.plan_dialog is not None:
            self.plan_dialog.retire()
            self.plan_dialog.close()
        for window in (
            self.visit_planner,
            self.team_window,
            self.feedback_dialog,
            self.decisions_dialog,
            self.my_day_dialog,
        ):
            if window is not None:
                window.close()
        if self.sync is not None:
            self.sync.stop()
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.retire()
            self.conflicts_dialog.close()
        self._refresh_timer.stop()
        self._clock_timer.stop()
        super().closeEvent(event)


def settled_queue(
    db: Database, live: LiveQueue, *, now: datetime, changed: Collection[str] | None = None
) -> Queue:
    """The queue as it stands now: what lapsed (promises and plans past their grace) settled
    first, in its own transaction, then the queue read, which writes nothing. The window reads
    its queue only this way: at the start, on the refresh timer, on F5 and after every change.

    changed: the accounts changed since `live` last read (None: anything may have changed);
    what lapsed joins them."""
    if live.db is not db:
        live.forget(db)
        changed = None
    try:
        lapsed = settle_lapsed(db, now=now)
    except BaseException:
        # What `changed` named is not read now: whoever reads next (a window rebuilt in
        # another language, say) reads everything. A failed read forgets alike.
        live.forget()
        raise
    if changed is not None:
        changed = {*changed, *(loan.hex for loan in lapsed.loans)}
    return live.read(now=now, changed=changed)
