"""A team lead's approvals (docs/domain.md §7): repayment plans outside the policy, approved or
rejected with a reason the collector reads.

The table lists the team's plans waiting for a decision, oldest first, each with the policy
limits it goes beyond; the pane beside it shows the selected plan's figures and schedule.
Approve asks for an optional note, Reject for the reason (the service refuses a rejection
without one). A plan on an account whose collection is paused (a borrower mark, an escalation
still open) says so in the list and in the pane, and is not approved until the lead lets plans
go ahead despite the pause, with a reason (`PauseNote`); it can always be rejected. Every call
goes through the context's worker; after a decision the panel emits `changed()`.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.plans.lifecycle import ApprovalRequest, approval_requests, decide_plan
from app.services.plans.offers import PlanLine
from app.services.plans.pauses import PlanPause
from app.ui.collector.pause_note import PauseNote
from app.ui.collector.plan_tables import PlanLinesModel
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text, message_text
from app.ui.common.labels import plan_frequency_name, plan_kind_name
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    OFFERED = 0
    ACCOUNT = 1
    BORROWER = 2
    COLLECTOR = 3
    AMOUNT = 4
    KIND = 5
    INSTALMENTS = 6
    BREACHES = 7
    PAUSED = 8


def breaches_text(request: ApprovalRequest, separator: str = "; ") -> str:
    """The policy limits the plan goes beyond, in the UI language."""
    return separator.join(message_text(breach) for breach in request.plan.breaches)


ApprovalsModel = RowTableModel[ApprovalRequest, uuid.UUID]


def approvals_model(context: Context, parent: QObject | None = None) -> ApprovalsModel:
    """The plans waiting for a decision, oldest first, keyed by plan id; a reload
    (`merge_rows`) lets decided ones leave and new ones come in where they belong."""
    formats = context.formats

    def collector(request: ApprovalRequest) -> str:
        if request.own:
            return QCoreApplication.translate("ApprovalsModel", "{name} (you)").format(
                name=request.collector
            )
        return request.collector

    def own_tip(request: ApprovalRequest) -> str | None:
        if not request.own:
            return None
        return QCoreApplication.translate(
            "ApprovalsModel", "You made this plan: another team lead decides it."
        )

    def paused(request: ApprovalRequest) -> str:
        pause = request.pause
        if pause is None or not pause.paused:
            return ""
        names = pause.names.text(context.language)
        if pause.stops_plans:
            return names
        return QCoreApplication.translate(
            "ApprovalsModel", "{pauses} (plans allowed by {lead})"
        ).format(pauses=names, lead=pause.override.lead if pause.override else "")

    columns: dict[Column, TableColumn[ApprovalRequest]] = {
        Column.OFFERED: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Offered"),
            lambda request: formats.date_time(request.plan.created_at),
        ),
        Column.ACCOUNT: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Account"),
            lambda request: request.plan.contract_no,
        ),
        Column.BORROWER: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Borrower"),
            lambda request: request.borrower,
        ),
        Column.COLLECTOR: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Collector"), collector, tooltip=own_tip
        ),
        Column.AMOUNT: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Amount"),
            lambda request: formats.money(request.plan.total, request.plan.currency),
            align=RIGHT,
        ),
        Column.KIND: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Kind"),
            lambda request: plan_kind_name(request.plan.kind),
        ),
        Column.INSTALMENTS: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Instalments"),
            lambda request: formats.number(len(request.plan.lines)),
            align=RIGHT,
        ),
        Column.BREACHES: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Outside the policy"),
            breaches_text,
            tooltip=lambda request: breaches_text(request, "\n"),
        ),
        Column.PAUSED: TableColumn(
            QCoreApplication.translate("ApprovalsModel", "Collection paused"), paused
        ),
    }
    return ApprovalsModel(
        lambda request: request.id,
        [columns[column] for column in Column],
        roles={ID_ROLE: lambda request: str(request.id)},
        parent=parent,
    )


class ApprovalsPanel(QWidget):
    """Plans waiting for the lead's decision. Emits `changed()` after an approval or a
    rejection, and `loaded()` after each load."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._load = Latest()
        self._busy = False
        self.setWindowTitle(self.tr("Plans waiting for approval"))

        self.summary = QLabel()
        self.reload_button = QPushButton(self.tr("Re&load"))
        self.model = approvals_model(context, self)
        self.table = list_table(self.model, self.tr("Plans waiting for approval"))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Sized to what they show after each load (rows come and go one by one, which a
        # ResizeToContents header does not follow); the lead may widen them by hand.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.empty = QLabel(self.tr("No plan is waiting for your approval."))
        self.empty.hide()

        # The selected plan.
        self.figures: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, caption in (
            ("account", self.tr("Account")),
            ("collector", self.tr("Offered by")),
            ("terms", self.tr("Terms")),
            ("overdue", self.tr("Overdue")),
            ("waiver", self.tr("Penalty waived")),
            ("discount", self.tr("Discount")),
            ("down_payment", self.tr("Down payment")),
            ("total", self.tr("Borrower pays")),
        ):
            label = QLabel()
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            self.figures[key] = label
            form.addRow(caption, label)
        self.breaches = QLabel()
        self.breaches.setWordWrap(True)
        self.pause_note = PauseNote(context, self)
        self.pause_note.allowed.connect(self._allowed)
        self.lines = PlanLinesModel(context.formats, self)
        self.lines_table = QTableView()
        self.lines_table.setModel(self.lines)
        self.lines_table.setAccessibleName(self.tr("Schedule of the selected plan"))
        self.lines_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines_table.setTabKeyNavigation(False)
        self.lines_table.verticalHeader().hide()
        self.lines_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )

        self.approve_button = QPushButton(self.tr("A&pprove…"))
        self.approve_button.setAccessibleName(self.tr("Approve the plan"))
        self.reject_button = QPushButton(self.tr("&Reject…"))
        self.reject_button.setAccessibleName(self.tr("Reject the plan"))
        self.own_hint = QLabel()
        self.own_hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.reload_button)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.empty)

        pane = QGroupBox(self.tr("Selected plan"))
        pane_layout = QVBoxLayout(pane)
        pane_layout.addLayout(form)
        pane_layout.addWidget(self.breaches)
        pane_layout.addWidget(self.pause_note)
        pane_layout.addWidget(self.lines_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        pane_layout.addLayout(buttons)
        pane_layout.addWidget(self.own_hint)
        pane_layout.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(listing)
        splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 460])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.setTabOrder(self.table, self.approve_button)
        self.setTabOrder(self.approve_button, self.reject_button)
        self.setTabOrder(self.reject_button, self.pause_note.allow_button)
        self.setTabOrder(self.pause_note.allow_button, self.lines_table)
        self.setTabOrder(self.lines_table, self.reload_button)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.reload_button.clicked.connect(self.refresh)
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject)
        self.resize(1280, 600)
        self._show_current()
        self.refresh()

    # Loading.

    def refresh(self) -> None:
        """Load the plans waiting for a decision again."""
        self._load.run(
            self.context,
            approval_requests,
            self.context.username,
            now=self.context.clock(),
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def _loaded(self, requests: tuple[ApprovalRequest, ...]) -> None:
        had = self.current()
        row = self.table.currentIndex().row()
        self.model.merge_rows(requests)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not requests)
        self.summary.setText(
            self.tr("Plans waiting for a decision: {count}, oldest first.").format(
                count=self.context.formats.number(len(requests))
            )
        )
        if requests:
            # The same plan if it still waits, else the one that took its place.
            kept = self.model.row_of(had.id) if had is not None else None
            target = kept if kept is not None else min(max(row, 0), len(requests) - 1)
            self.table.setCurrentIndex(self.model.index(target, Column.OFFERED))
        self._show_current()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Could not load the plans"), error_text(error))

    # What is chosen.

    def current(self) -> ApprovalRequest | None:
        return self.model.row_for(self.table.currentIndex())

    def select(self, plan_id: uuid.UUID) -> bool:
        row = self.model.row_of(plan_id)
        if row is None:
            return False
        self.table.setCurrentIndex(self.model.index(row, Column.OFFERED))
        return True

    def _show_current(self) -> None:
        request = self.current()
        if request is None:
            for label in self.figures.values():
                label.clear()
            self.breaches.clear()
            self.pause_note.show_pause(None)
            self.own_hint.clear()
            self.lines.set_lines((), "CNY")
            self._update_buttons()
            return
        plan = request.plan
        formats = self.context.formats

        def money(amount: Any) -> str:
            return formats.money(amount, plan.currency)

        shown = self.figures
        shown["account"].setText(f"{plan.contract_no} · {request.borrower}")
        shown["collector"].setText(
            self.tr("{name}, {when}").format(
                name=request.collector, when=formats.date_time(plan.created_at)
            )
        )
        terms = plan_kind_name(plan.kind)
        if plan.lines and plan.kind == "instalments":
            terms = self.tr("{kind}: {count} × {frequency}").format(
                kind=terms,
                count=formats.number(len(plan.lines)),
                frequency=plan_frequency_name(plan.frequency),
            )
        shown["terms"].setText(terms)
        shown["overdue"].setText(money(plan.overdue))
        shown["waiver"].setText(money(plan.waiver))
        shown["discount"].setText(money(plan.discount))
        shown["down_payment"].setText(money(plan.down_payment))
        shown["total"].setText(money(plan.total))
        reasons = "\n".join(f"• {message_text(breach)}" for breach in plan.breaches)
        self.breaches.setText(self.tr("Outside the policy:\n{reasons}").format(reasons=reasons))
        self.pause_note.show_pause(request.pause)
        self.lines.set_lines(
            [PlanLine(line.seq, line.due_date, line.amount) for line in plan.lines],
            plan.currency,
        )
        self.own_hint.setText(
            self.tr("You made this plan: another team lead decides it.") if request.own else ""
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        request = self.current()
        may = not self._busy and request is not None and not request.own
        # A paused account's plan waits for the lead's leave; it may be rejected all the same.
        self.approve_button.setEnabled(may and not self.pause_note.stops_plans)
        self.reject_button.setEnabled(may)

    # Deciding.

    def approve(self) -> None:
        request = self.current()
        if self._busy or request is None or request.own or self.pause_note.stops_plans:
            return
        reason = self.context.dialogs.ask_text(
            self,
            self.tr("Approve the plan"),
            self.tr("Approve the plan for {contract}? A note for the collector (optional):").format(
                contract=request.plan.contract_no
            ),
        )
        if reason is None:
            return
        self._decide(request, approve=True, reason=reason)

    def reject(self) -> None:
        request = self.current()
        if self._busy or request is None or request.own:
            return
        reason = self.context.dialogs.ask_text(
            self,
            self.tr("Reject the plan"),
            self.tr("Why is the plan for {contract} rejected? The collector reads this.").format(
                contract=request.plan.contract_no
            ),
        )
        if reason is None:
            return
        self._decide(request, approve=False, reason=reason)

    def _allowed(self, pause: PlanPause) -> None:
        """The lead let plans go ahead despite the pause: the plan can be approved now."""
        self.message.setText(
            self.tr("Plans may go ahead on {contract} despite the pause.").format(
                contract=pause.contract_no
            )
        )
        self.refresh()

    def _decide(self, request: ApprovalRequest, *, approve: bool, reason: str) -> None:
        self._busy = True
        self.message.clear()
        self._update_buttons()
        contract = request.plan.contract_no

        def done(_plan: object) -> None:
            self._busy = False
            text = (
                self.tr("Approved the plan for {contract}; {collector} sees it.")
                if approve
                else self.tr("Rejected the plan for {contract}; {collector} sees why.")
            )
            self.message.setText(text.format(contract=contract, collector=request.collector))
            self.refresh()
            self.changed.emit()

        def failed(error: BaseException) -> None:
            self._busy = False
            self._update_buttons()
            self.context.dialogs.error(
                self, self.tr("Could not decide on the plan"), error_text(error)
            )
            # Another lead may have decided it meanwhile: show what is true now.
            self.refresh()

        self.context.call(
            decide_plan,
            self.context.username,
            request.id,
            approve=approve,
            reason=reason,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )
