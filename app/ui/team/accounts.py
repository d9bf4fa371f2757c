"""A team lead's queue management (issue 6): the team's accounts, and moving them about.

The table lists the team's active accounts (`assignment.team_accounts`), filtered by the bar
above it and sortable by any column; the lead selects rows and reassigns them to a collector,
marks them for a home visit, or sets (or clears) a priority override with an expiry. "Reassign
by rule…" previews who would get which accounts before anything moves. Every call goes through
the context's worker; after a change the panel emits `changed()` and reloads the list.

The team's pool (issue 16), its accounts nobody is assigned to yet, is listed among them with
"Pool" for a collector (the collector box shows it alone), and has a panel of its own: the same
panel with `pool=True` lists the pool alone, and its actions allocate the selected accounts to
a collector, or the pool by the rule, previewed before anything moves. A pool account takes no
visit request or priority until someone works it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.services.common.errors import DomainError
from app.services.common.reference import buckets
from app.services.common.teams import Member
from app.services.legal.package import ReferralPackage, write_referral_package
from app.services.legal.referral import refer
from app.services.team.assignment import (
    AccountFilter,
    PriorityCleared,
    PrioritySet,
    Reassigned,
    TeamAccount,
    VisitsMarked,
    clear_priority,
    mark_for_visits,
    pool_accounts,
    reassign_targets,
    team_accounts,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import Formats
from app.ui.common.labels import borrower_flag
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.field.attachments import AccountAttachmentsDialog
from app.ui.team.dialogs import (
    NO_BOUND,
    POOL,
    PriorityDialog,
    ReassignDialog,
    ReassignRuleDialog,
    bound,
    bound_box,
    level_name,
    until_text,
)

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


# -- what the worker loads -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamView:
    accounts: tuple[TeamAccount, ...]
    targets: tuple[Member, ...]


def load_team(
    db: Database, username: str, team: str | None, *, now: datetime, pool: bool = False
) -> TeamView:
    """Runs on the worker: the team's accounts (`pool`: its pool's alone) and who may receive
    them."""
    listing = pool_accounts if pool else team_accounts
    return TeamView(
        listing(db, username, None, team, now=now), reassign_targets(db, username, team)
    )


# -- the table -------------------------------------------------------------------------------


class Column(enum.IntEnum):
    CONTRACT = 0
    BORROWER = 1
    AREA = 2
    ASSIGNEE = 3
    DPD = 4
    BUCKET = 5
    OVERDUE = 6
    LAST_CONTACT = 7
    PRIORITY = 8
    NOTES = 9


class TeamAccountsModel(RowTableModel[TeamAccount, str]):
    """The accounts, one row each, kept by contract number and updated in place."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(lambda account: account.contract_no, sort_role=SORT_ROLE, parent=parent)
        self.formats = formats
        columns: dict[Column, TableColumn[TeamAccount]] = {
            Column.CONTRACT: TableColumn(self.tr("Contract"), lambda account: account.contract_no),
            Column.BORROWER: TableColumn(self.tr("Borrower"), lambda account: account.borrower),
            Column.AREA: TableColumn(
                self.tr("City and district"), lambda account: f"{account.city}{account.district}"
            ),
            Column.ASSIGNEE: TableColumn(
                self.tr("Collector"), lambda account: account.assignee_name or self.tr("Pool")
            ),
            Column.DPD: TableColumn(
                self.tr("DPD"),
                lambda account: formats.number(account.dpd),
                align=RIGHT,
                sort=lambda account: account.dpd,
            ),
            Column.BUCKET: TableColumn(self.tr("Bucket"), lambda account: account.bucket),
            Column.OVERDUE: TableColumn(
                self.tr("Overdue"),
                lambda account: formats.money(account.overdue, account.currency),
                align=RIGHT,
                sort=lambda account: int(account.overdue * 100),
            ),
            Column.LAST_CONTACT: TableColumn(
                self.tr("Last contact"),
                self._last_contact,
                sort=lambda account: (
                    "" if account.last_contact_on is None else account.last_contact_on.isoformat()
                ),
            ),
            Column.PRIORITY: TableColumn(self.tr("Priority"), self._priority, sort=_priority_rank),
            Column.NOTES: TableColumn(
                self.tr("Notes"),
                self.notes,
                tooltip=lambda account: self.notes(account, "\n") or None,
            ),
        }
        self.set_columns(
            [columns[column] for column in Column],
            roles={KEY_ROLE: lambda account: account.contract_no},
        )

    def _last_contact(self, account: TeamAccount) -> str:
        if account.last_contact_on is None:
            return self.tr("Never")
        return self.formats.date(account.last_contact_on)

    def _priority(self, account: TeamAccount) -> str:
        if account.priority is None:
            return ""
        return self.tr("{level} until {until}").format(
            level=level_name(account.priority.level),
            until=until_text(account.priority.expires_at, self.formats),
        )

    def notes(self, account: TeamAccount, separator: str = " · ") -> str:
        parts = []
        if account.visit_request is not None:
            parts.append(self.tr("Visit requested: {reason}").format(reason=account.visit_request))
        parts.extend(borrower_flag(flag, self.formats.language).text for flag in account.paused)
        return separator.join(parts)

    # Updating.

    def set_accounts(self, accounts: Sequence[TeamAccount]) -> None:
        """Bring the rows to `accounts` without resetting: gone rows are removed, changed ones
        repainted, new ones appended (the view's proxy sorts), so selections survive."""
        fresh = {account.contract_no: account for account in accounts}
        gone = [row for row, account in enumerate(self._rows) if account.contract_no not in fresh]
        for row in reversed(gone):
            self._remove_rows(row, row)
        for row, account in enumerate(self._rows):
            now = fresh[account.contract_no]
            if now != account:
                self._replace_rows(row, (now,))
                self._rows_changed(row, row)
        known = {account.contract_no for account in self._rows}
        self._insert_rows(
            len(self._rows), [account for account in accounts if account.contract_no not in known]
        )


def _priority_rank(account: TeamAccount) -> int:
    if account.priority is None:
        return 0
    return {"top": 3, "high": 2, "low": -1}.get(account.priority.level, 1)


class TeamAccountsFilter(QSortFilterProxyModel):
    """Shows the rows an `AccountFilter` lets through: the same test the services apply."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._filter = AccountFilter()

    @property
    def account_filter(self) -> AccountFilter:
        return self._filter

    def set_filter(self, flt: AccountFilter) -> None:
        self.beginFilterChange()
        self._filter = flt
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, TeamAccountsModel)
        return self._filter.matches(model.row_at(source_row))


# -- the panel -------------------------------------------------------------------------------


class TeamAccountsPanel(QWidget):
    """The team's accounts and the lead's actions on the selected ones.

    Nothing loads until `refresh()` (the team window calls it when the tab is first shown).
    `team`: which team, for an administrator; a lead's own by default. `pool`: the team's pool
    alone, to allocate (no collector filter or column, no visit or priority). Signals:
    `loaded()` after the list is (re)loaded; `changed()` after accounts moved, were marked for a
    visit or had their priority set or cleared.
    """

    loaded = Signal()
    changed = Signal()
    # An account referred to legal (its contract number): the legal desk lists it.
    referred = Signal(str)

    def __init__(
        self,
        context: Context,
        team: str | None = None,
        parent: QWidget | None = None,
        *,
        pool: bool = False,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.team = team
        self.pool = pool
        self.setObjectName("team-pool" if pool else "team-accounts")
        self.targets: tuple[Member, ...] = ()
        self.dialog: QDialog | None = None
        self._load = Latest()
        self._busy = False

        # The filter bar.
        self.assignee = QComboBox()
        self.assignee.setAccessibleName(self.tr("Collector"))
        self.assignee.addItem(self.tr("All collectors"), None)
        self.assignee.addItem(self.tr("The pool (nobody assigned)"), POOL)
        self.bucket = QComboBox()
        self.bucket.setAccessibleName(self.tr("Bucket"))
        self.bucket.addItem(self.tr("All buckets"), None)
        for band in buckets():
            self.bucket.addItem(band.code, band.code)
        self.min_dpd = bound_box(self.tr("any"))
        self.min_dpd.setAccessibleName(self.tr("Lowest DPD"))
        self.max_dpd = bound_box(self.tr("any"))
        self.max_dpd.setAccessibleName(self.tr("Highest DPD"))
        self.area = QLineEdit()
        self.area.setAccessibleName(self.tr("City or district"))
        self.area.setPlaceholderText(self.tr("City or district"))
        self.area.setClearButtonEnabled(True)
        self.search = QLineEdit()
        self.search.setAccessibleName(self.tr("Contract or borrower"))
        self.search.setPlaceholderText(self.tr("Contract or borrower"))
        self.search.setClearButtonEnabled(True)
        self.clear_filters_button = QPushButton(self.tr("Clear filters"))
        bar = QHBoxLayout()
        assignee_label = buddy(self.tr("C&ollector"), self.assignee)
        bar.addWidget(assignee_label)
        bar.addWidget(self.assignee, 1)
        # The pool's accounts have no collector to choose.
        assignee_label.setVisible(not pool)
        self.assignee.setVisible(not pool)
        bar.addWidget(buddy(self.tr("&Bucket"), self.bucket))
        bar.addWidget(self.bucket)
        bar.addWidget(buddy(self.tr("DP&D"), self.min_dpd))
        bar.addWidget(self.min_dpd)
        bar.addWidget(QLabel("–"))
        bar.addWidget(self.max_dpd)
        bar.addWidget(self.area, 1)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.clear_filters_button)

        # The table.
        self.model = TeamAccountsModel(context.formats, self)
        self.proxy = TeamAccountsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setAccessibleName(
            self.tr("The team's pool") if pool else self.tr("Team accounts")
        )
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.DPD, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            Column.NOTES, QHeaderView.ResizeMode.Stretch
        )
        self.table.horizontalHeader().resizeSection(
            Column.CONTRACT, self.table.fontMetrics().horizontalAdvance("CW0000000000000") + 16
        )
        # Nobody works a pool account: no collector, no priority.
        self.table.setColumnHidden(Column.ASSIGNEE, pool)
        self.table.setColumnHidden(Column.PRIORITY, pool)

        # The actions.
        self.counts = QLabel()
        self.counts.setAccessibleName(self.tr("Accounts shown"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if pool:
            self.reassign_button = QPushButton(self.tr("&Allocate to…"))
            self.rule_button = QPushButton(self.tr("Allocate by r&ule…"))
        else:
            self.reassign_button = QPushButton(self.tr("&Reassign to…"))
            self.rule_button = QPushButton(self.tr("Reassign by r&ule…"))
        self.visit_button = QPushButton(self.tr("&Mark for field visit…"))
        self.priority_button = QPushButton(self.tr("Set &priority…"))
        self.clear_priority_button = QPushButton(self.tr("Clear priorit&y"))
        self.package_button = QPushButton(self.tr("Referral pac&kage…"))
        self.package_button.setToolTip(
            self.tr(
                "Write the selected account's referral package for a lawyer (a .zip): the"
                " statement of account, the contact history, agreements and notices."
            )
        )
        self.legal_button = QPushButton(self.tr("Refer to le&gal…"))
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        # What the field agents attached to the selected account (a visit's photos, consent).
        self.attachments_button = QPushButton(self.tr("Attachments…"))
        self.attachments_button.setAccessibleName(self.tr("Files attached to the account"))
        self.attachments_dialog: AccountAttachmentsDialog | None = None
        buttons = QHBoxLayout()
        for button in (
            self.reassign_button,
            self.rule_button,
            self.visit_button,
            self.priority_button,
            self.clear_priority_button,
            self.package_button,
            self.legal_button,
        ):
            buttons.addWidget(button)
        # A visit, a priority or legal action is for an account someone works: the pool's wait.
        for button in (
            self.visit_button,
            self.priority_button,
            self.clear_priority_button,
            self.legal_button,
        ):
            button.setVisible(not pool)
        buttons.addWidget(self.attachments_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.counts)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        # Shortcuts act while the panel (or a child of it) has the focus, so they do not clash
        # with the window's own.
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, keys, slot, button in (
            ("reassign", self.tr("Allocate to…") if pool else self.tr("Reassign to…"),
             "Ctrl+R", self.reassign_selected, self.reassign_button),
            ("rule", self.tr("Allocate by rule…") if pool else self.tr("Reassign by rule…"),
             "Ctrl+Shift+R", self.reassign_by_rule, self.rule_button),
            ("visit", self.tr("Mark for field visit…"), "Ctrl+M", self.mark_selected_for_visit,
             self.visit_button),
            ("priority", self.tr("Set priority…"), "Ctrl+P", self.set_selected_priority,
             self.priority_button),
            ("clear", self.tr("Clear priority"), "Ctrl+Alt+P", self.clear_selected_priority,
             self.clear_priority_button),
            ("legal", self.tr("Refer to legal…"), "Ctrl+Alt+L", self.refer_selected_to_legal,
             self.legal_button),
        ):  # fmt: skip
            if pool and name in ("visit", "priority", "clear", "legal"):
                continue
            self.actions_by_name[name] = self._action(text, keys, slot)
            native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(native)
            button.clicked.connect(slot)
        self.actions_by_name["search"] = self._action(
            self.tr("Find an account"), "Ctrl+F", self.focus_search
        )
        self.package_button.clicked.connect(self.write_selected_package)
        self.refresh_button.clicked.connect(self.refresh)
        self.attachments_button.clicked.connect(self.show_attachments)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.assignee.currentIndexChanged.connect(lambda _index: self._apply_filter())
        self.bucket.currentIndexChanged.connect(lambda _index: self._apply_filter())
        self.min_dpd.valueChanged.connect(lambda _value: self._apply_filter())
        self.max_dpd.valueChanged.connect(lambda _value: self._apply_filter())
        self.area.textChanged.connect(lambda _text: self._apply_filter())
        self.search.textChanged.connect(lambda _text: self._apply_filter())
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self.proxy.rowsInserted.connect(lambda *_args: self._update())
        self.proxy.rowsRemoved.connect(lambda *_args: self._update())
        self.proxy.layoutChanged.connect(lambda *_args: self._update())
        self.proxy.modelReset.connect(lambda *_args: self._update())
        self._update()

    def _action(self, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # Loading.

    def refresh(self) -> None:
        """Load the team's accounts again (selections of rows still there are kept)."""
        self._load.run(
            self.context,
            load_team,
            self.context.username,
            self.team,
            now=self.context.clock(),
            pool=self.pool,
            on_done=self._loaded,
            on_error=self._load_failed,
        )
        self._update()

    def _loaded(self, view: TeamView) -> None:
        self.targets = view.targets
        self.model.set_accounts(view.accounts)
        self._fill_assignees(view)
        self._update()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self._update()
        self._failed(error)

    def _fill_assignees(self, view: TeamView) -> None:
        """Everyone who holds an account or may receive one."""
        people = {member.username: member.display_name for member in view.targets}
        people.update(
            (a.assignee, a.assignee_name or a.assignee)
            for a in view.accounts
            if a.assignee is not None
        )
        chosen = self.assignee.currentData()
        self.assignee.blockSignals(True)
        while self.assignee.count() > 2:
            self.assignee.removeItem(2)
        for username, name in sorted(people.items(), key=lambda item: (item[1], item[0])):
            self.assignee.addItem(f"{name} ({username})", username)
        self.assignee.setCurrentIndex(max(self.assignee.findData(chosen), 0))
        self.assignee.blockSignals(False)
        self._apply_filter()

    # Filters.

    def current_filter(self) -> AccountFilter:
        assignee = self.assignee.currentData()
        bucket = self.bucket.currentData()
        return AccountFilter(
            assignees=() if self.pool or assignee in (None, POOL) else (str(assignee),),
            pool=self.pool or assignee == POOL,
            buckets=() if bucket is None else (str(bucket),),
            min_dpd=bound(self.min_dpd),
            max_dpd=bound(self.max_dpd),
            area=self.area.text(),
            text=self.search.text(),
        )

    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.current_filter())
        self._update()

    def clear_filters(self) -> None:
        for box in (self.assignee, self.bucket):
            box.setCurrentIndex(0)
        for spin in (self.min_dpd, self.max_dpd):
            spin.setValue(NO_BOUND)
        self.area.clear()
        self.search.clear()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # The selection.

    def selected(self) -> tuple[TeamAccount, ...]:
        """The selected accounts, in the order the table shows them."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return tuple(
            self.model.row_at(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            for row in rows
        )

    def select(self, contract_nos: Sequence[str]) -> None:
        """Select the rows of these accounts (those shown), and nothing else."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for contract_no in contract_nos:
            row = self.model.row_of(contract_no)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, flags)

    def _update(self) -> None:
        chosen = self.selected()
        idle = not self._busy and not self._load.busy
        self.reassign_button.setEnabled(idle and bool(chosen))
        # A visit or a priority is for an account someone works: the pool's wait.
        worked = bool(chosen) and all(account.assignee is not None for account in chosen)
        for button in (self.visit_button, self.priority_button):
            button.setEnabled(idle and worked)
        self.legal_button.setEnabled(idle and worked and len(chosen) == 1)
        self.clear_priority_button.setEnabled(
            idle and any(account.priority is not None for account in chosen)
        )
        self.rule_button.setEnabled(idle and bool(self.targets))
        self.package_button.setEnabled(idle and len(chosen) == 1)
        self.refresh_button.setEnabled(not self._busy)
        self.attachments_button.setEnabled(len(chosen) == 1)
        formats = self.context.formats
        counts = (
            self.tr("{shown} of {count} accounts in the pool shown · {selected} selected")
            if self.pool
            else self.tr("{shown} of {count} accounts shown · {selected} selected")
        )
        self.counts.setText(
            counts.format(
                shown=formats.number(self.proxy.rowCount()),
                count=formats.number(self.model.rowCount()),
                selected=formats.number(len(chosen)),
            )
        )

    # The actions.

    def reassign_selected(self) -> None:
        chosen = self.selected()
        if not chosen or not self.reassign_button.isEnabled():
            return
        dialog = ReassignDialog(
            self.context, chosen, self.targets, self.team, self, allocate=self.pool
        )
        dialog.done_with.connect(self._reassigned)
        self._open(dialog)

    def reassign_by_rule(self) -> None:
        if not self.rule_button.isEnabled():
            return
        dialog = ReassignRuleDialog(
            self.context, self.current_filter(), self.targets, self.team, self, allocate=self.pool
        )
        dialog.done_with.connect(self._reassigned)
        self._open(dialog)

    def set_selected_priority(self) -> None:
        chosen = self.selected()
        if not chosen or not self.priority_button.isEnabled():
            return
        dialog = PriorityDialog(self.context, chosen, self.team, self)
        dialog.done_with.connect(self._priority_set)
        self._open(dialog)

    def show_attachments(self) -> None:
        """The files attached to the selected account's records, in a dialog of their own."""
        chosen = self.selected()
        if len(chosen) != 1:
            return
        self.attachments_dialog = AccountAttachmentsDialog(
            self.context, chosen[0].contract_no, self
        )
        self.attachments_dialog.show()

    def mark_selected_for_visit(self) -> None:
        chosen = self.selected()
        if not chosen or not self.visit_button.isEnabled():
            return
        reason = self.context.dialogs.ask_text(
            self,
            self.tr("Mark for field visit"),
            self.tr(
                "Why do the selected accounts ({count}) need a home visit? The field agent"
                " reads it."
            ).format(count=self.context.formats.number(len(chosen))),
        )
        if reason is None:
            return
        self._write(
            mark_for_visits,
            [account.contract_no for account in chosen],
            reason,
            on_done=self._marked,
        )

    def clear_selected_priority(self) -> None:
        chosen = [account for account in self.selected() if account.priority is not None]
        if not chosen or not self.clear_priority_button.isEnabled():
            return
        if not self.context.dialogs.confirm(
            self,
            self.tr("Clear priority"),
            self.tr(
                "End the priority of the selected accounts ({count}) now? They go back to their"
                " place in the collectors' queues."
            ).format(count=self.context.formats.number(len(chosen))),
        ):
            return
        self._write(
            clear_priority, [account.contract_no for account in chosen], on_done=self._cleared
        )

    def write_selected_package(self) -> None:
        """Ask where, then write the selected account's referral package there (a .zip)."""
        chosen = self.selected()
        if len(chosen) != 1 or not self.package_button.isEnabled():
            return
        contract_no = chosen[0].contract_no
        out = self.context.dialogs.save_file(
            self,
            self.tr("Referral package"),
            Path.home() / f"{contract_no}-referral.zip",
            self.tr("Zip archives (*.zip)"),
        )
        if out is None:
            return
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")
        self._set_busy(True)
        self.message.clear()

        def done(package: ReferralPackage) -> None:
            self._set_busy(False)
            self._say(
                self.tr("Referral package for {contract_no} written to {path}.").format(
                    contract_no=package.contract_no, path=str(package.path)
                )
            )

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._failed(error)

        self.context.call(
            write_referral_package,
            self.context.username,
            contract_no,
            out,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )

    def refer_selected_to_legal(self) -> None:
        """Refer the selected account to legal, asking why: it leaves the collector's queue."""
        chosen = self.selected()
        if len(chosen) != 1 or not self.legal_button.isEnabled():
            return
        contract_no = chosen[0].contract_no
        reason = self.context.dialogs.ask_text(
            self,
            self.tr("Refer to legal"),
            self.tr(
                "Why does {account} go to legal? It leaves the collector's queue at once; the"
                " lawyer and the audit trail read the reason."
            ).format(account=contract_no),
        )
        if reason is None:
            return
        self._set_busy(True)
        self.message.clear()

        def done(_case: Any) -> None:
            self._set_busy(False)
            self._say(
                self.tr(
                    "{account} is referred to legal: it has left the collector's queue."
                ).format(account=contract_no)
            )
            self.referred.emit(contract_no)
            self._after_change()

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._failed(error)

        self.context.call(
            refer,
            self.context.username,
            contract_no,
            reason,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )

    def _open(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _write(
        self, service: Callable[..., Any], *args: Any, on_done: Callable[[Any], None]
    ) -> None:
        self._set_busy(True)
        self.message.clear()

        def done(result: Any) -> None:
            self._set_busy(False)
            on_done(result)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._failed(error)

        self.context.call(
            service,
            self.context.username,
            *args,
            team=self.team,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )

    # What the services answered.

    def _reassigned(self, done: Reassigned) -> None:
        formats = self.context.formats
        if self.pool:
            text = self.tr("Accounts allocated: {moved}.").format(
                moved=formats.number(len(done.moved))
            )
        else:
            text = self.tr(
                "Accounts moved: {moved}. Already with that collector: {unchanged}."
            ).format(
                moved=formats.number(len(done.moved)),
                unchanged=formats.number(len(done.unchanged)),
            )
        self._say(text)
        self._after_change()

    def _priority_set(self, done: PrioritySet) -> None:
        self._say(
            self.tr("Priority “{level}” until {until} on accounts: {count}.").format(
                count=self.context.formats.number(len(done.accounts)),
                level=level_name(done.level),
                until=until_text(done.expires_at, self.context.formats),
            )
        )
        self._after_change()

    def _marked(self, done: VisitsMarked) -> None:
        formats = self.context.formats
        self._say(
            self.tr("Marked for a home visit: {marked}. Already marked: {already}.").format(
                marked=formats.number(len(done.marked)), already=formats.number(len(done.already))
            )
        )
        self._after_change()

    def _cleared(self, done: PriorityCleared) -> None:
        self._say(
            self.tr("Priorities cleared: {count}.").format(
                count=self.context.formats.number(len(done.cleared))
            )
        )
        self._after_change()

    def _after_change(self) -> None:
        self.changed.emit()
        self.refresh()

    # Messages.

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update()

    def _say(self, text: str, problem: bool = False) -> None:
        paint(self.message, Ink.ERROR if problem else None, bold=problem)
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        """A refusal the lead can act on shows under the buttons; anything else in a box."""
        if isinstance(error, DomainError):
            self._say(error_text(error), problem=True)
        else:
            self.context.dialogs.error(self, self.tr("Could not complete that"), error_text(error))
