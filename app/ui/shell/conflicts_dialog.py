"""The changes of this workstation the server did not take, to re-apply or to discard."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.sync.engine import ConflictView, conflicts, dismiss_conflict, reapply_conflict
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text, message_text
from app.ui.common.labels import borrower_flag, point_mark
from app.ui.common.runner import Job
from app.ui.common.table_model import RowTableModel, TableColumn

ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2


# The words are spelled out in each call (not through a helper) so that lupdate finds them.


def table_label(table: str) -> str:
    """What a synced table's row is, in the user's words."""
    labels = {
        "loans": QCoreApplication.translate("ConflictsDialog", "Account"),
        "borrowers": QCoreApplication.translate("ConflictsDialog", "Borrower"),
        "contact_points": QCoreApplication.translate("ConflictsDialog", "Phone or address"),
        "contact_attempts": QCoreApplication.translate("ConflictsDialog", "Call or contact"),
        "account_notes": QCoreApplication.translate("ConflictsDialog", "Note"),
        "audit_events": QCoreApplication.translate("ConflictsDialog", "Audit record"),
        "payments": QCoreApplication.translate("ConflictsDialog", "Payment"),
        "instalments": QCoreApplication.translate("ConflictsDialog", "Instalment"),
        "callbacks": QCoreApplication.translate("ConflictsDialog", "Callback"),
        "escalations": QCoreApplication.translate("ConflictsDialog", "Escalation"),
        "visit_requests": QCoreApplication.translate("ConflictsDialog", "Visit request"),
        "field_visits": QCoreApplication.translate("ConflictsDialog", "Home visit"),
        "repayment_plans": QCoreApplication.translate("ConflictsDialog", "Repayment plan"),
        "plan_instalments": QCoreApplication.translate("ConflictsDialog", "Plan instalment"),
        "promises": QCoreApplication.translate("ConflictsDialog", "Promise to pay"),
        "teams": QCoreApplication.translate("ConflictsDialog", "Team"),
        "users": QCoreApplication.translate("ConflictsDialog", "Colleague"),
    }
    return labels.get(table, table.replace("_", " "))


def field_label(table: str, field: str, language: str) -> str:
    """A column's name in the user's words (flags take theirs from resources/flags.json)."""
    if table == "borrowers" and field in _BORROWER_FLAGS:
        return borrower_flag(field, language).text
    if table == "contact_points" and field in ("do_not_call", "wrong_number", "verified"):
        return point_mark(field, language).text
    labels = {
        "name": QCoreApplication.translate("ConflictsDialog", "Name"),
        "employer": QCoreApplication.translate("ConflictsDialog", "Employer"),
        "province": QCoreApplication.translate("ConflictsDialog", "Province"),
        "city": QCoreApplication.translate("ConflictsDialog", "City"),
        "district": QCoreApplication.translate("ConflictsDialog", "District"),
        "street": QCoreApplication.translate("ConflictsDialog", "Street"),
        "notes": QCoreApplication.translate("ConflictsDialog", "Notes"),
        "note": QCoreApplication.translate("ConflictsDialog", "Note"),
        "agreed_window_start": QCoreApplication.translate(
            "ConflictsDialog", "Agreed call window (start)"
        ),
        "agreed_window_end": QCoreApplication.translate(
            "ConflictsDialog", "Agreed call window (end)"
        ),
        "preferred_channel": QCoreApplication.translate("ConflictsDialog", "Preferred channel"),
        "attorney_name": QCoreApplication.translate("ConflictsDialog", "Attorney's name"),
        "attorney_firm": QCoreApplication.translate("ConflictsDialog", "Attorney's firm"),
        "attorney_phone": QCoreApplication.translate("ConflictsDialog", "Attorney's phone"),
        "address_moved_from": QCoreApplication.translate(
            "ConflictsDialog", "Address moved away from"
        ),
        "do_not_call_words": QCoreApplication.translate(
            "ConflictsDialog", "The borrower's words (do not call)"
        ),
        "added_by_id": QCoreApplication.translate("ConflictsDialog", "Added by"),
        "value": QCoreApplication.translate("ConflictsDialog", "Number or address"),
        "contact_name": QCoreApplication.translate("ConflictsDialog", "Contact's name"),
        "relation": QCoreApplication.translate("ConflictsDialog", "Relation"),
        "position": QCoreApplication.translate("ConflictsDialog", "Order"),
        "status": QCoreApplication.translate("ConflictsDialog", "Status"),
        "assigned_to_id": QCoreApplication.translate("ConflictsDialog", "Assigned to"),
        "due_at": QCoreApplication.translate("ConflictsDialog", "Due at"),
        "done_at": QCoreApplication.translate("ConflictsDialog", "Done at"),
        "decision": QCoreApplication.translate("ConflictsDialog", "Decision"),
        "decided_at": QCoreApplication.translate("ConflictsDialog", "Decided at"),
        "acknowledged_at": QCoreApplication.translate("ConflictsDialog", "Acknowledged at"),
        "closed_at": QCoreApplication.translate("ConflictsDialog", "Closed at"),
        "reason": QCoreApplication.translate("ConflictsDialog", "Reason"),
        "text": QCoreApplication.translate("ConflictsDialog", "Text"),
    }
    return labels.get(field, field.replace("_", " "))


_BORROWER_FLAGS = frozenset(
    {
        "vulnerable",
        "dispute_open",
        "cease_requested",
        "deceased",
        "legal_referral",
        "attorney_represented",
    }
)


class Column(enum.IntEnum):
    WHAT = 0
    ACCOUNT = 1
    FIELDS = 2
    REASON = 3
    WHEN = 4


ConflictsModel = RowTableModel[ConflictView, uuid.UUID]


def conflicts_model(context: Context, parent: QObject | None = None) -> ConflictsModel:
    """The conflicts, newest first; a reload (`merge_rows`) moves only the rows that came or
    went."""

    def fields(conflict: ConflictView) -> str:
        language = context.language
        return ", ".join(field_label(conflict.table, name, language) for name in conflict.fields)

    def tooltip(conflict: ConflictView) -> str:
        # The reason in full (its column may be too narrow), and what can be done.
        if conflict.kind == "conflict":
            hint = QCoreApplication.translate(
                "ConflictsModel", "Re-apply makes your change again on top of the server's version."
            )
        else:
            hint = QCoreApplication.translate(
                "ConflictsModel", "The server will not take this change: discard it."
            )
        return f"{message_text(conflict.reason)}\n{hint}"

    columns: dict[Column, TableColumn[ConflictView]] = {
        Column.WHAT: TableColumn(
            QCoreApplication.translate("ConflictsModel", "What"),
            lambda conflict: table_label(conflict.table),
        ),
        Column.ACCOUNT: TableColumn(
            QCoreApplication.translate("ConflictsModel", "Account"),
            lambda conflict: conflict.contract_no or "—",
        ),
        Column.FIELDS: TableColumn(QCoreApplication.translate("ConflictsModel", "Changed"), fields),
        Column.REASON: TableColumn(
            QCoreApplication.translate("ConflictsModel", "Why the server did not take it"),
            lambda conflict: message_text(conflict.reason),
        ),
        Column.WHEN: TableColumn(
            QCoreApplication.translate("ConflictsModel", "When"),
            lambda conflict: context.formats.when(conflict.created_at, context.clock()),
        ),
    }
    return ConflictsModel(
        lambda conflict: conflict.id,
        [columns[column] for column in Column],
        roles={
            Qt.ItemDataRole.ToolTipRole: tooltip,
            ID_ROLE: lambda conflict: str(conflict.id),
            KIND_ROLE: lambda conflict: conflict.kind,
        },
        parent=parent,
    )


class ConflictsDialog(QDialog):
    """Emits `changed()` after a conflict is re-applied or discarded."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._jobs: list[Job] = []
        self._busy = False
        self.setWindowTitle(self.tr("Sync conflicts"))
        intro = QLabel(
            self.tr(
                "These changes made here did not reach the server: someone changed the same"
                " record there first, or the server refused them. The server's version is the"
                " one shown everywhere. Re-apply makes your change again; Discard drops it."
            )
        )
        intro.setWordWrap(True)
        self.model = conflicts_model(context, self)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Conflicts"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.REASON, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in ((Column.WHAT, 120), (Column.ACCOUNT, 130), (Column.FIELDS, 140)):
            self.table.setColumnWidth(column, width)
        self.empty = QLabel(self.tr("No conflicts: everything made here reached the server."))
        self.empty.hide()

        self.reapply_button = QPushButton(self.tr("&Re-apply"))
        self.reapply_button.setAccessibleName(self.tr("Re-apply the change"))
        self.discard_button = QPushButton(self.tr("&Discard"))
        self.discard_button.setAccessibleName(self.tr("Discard the change"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.reapply_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.reapply_button.clicked.connect(self.reapply)
        self.discard_button.clicked.connect(self.discard)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.model.rowsRemoved.connect(lambda *_: self._update_buttons())
        self.model.rowsInserted.connect(lambda *_: self._update_buttons())
        self.resize(900, 360)
        self._update_buttons()

    def reload(self) -> None:
        self._submit(conflicts, self._loaded)

    def current(self) -> ConflictView | None:
        return self.model.row_for(self.table.currentIndex())

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def reapply(self) -> None:
        chosen = self.current()
        if chosen is None or chosen.kind != "conflict" or self._busy:
            return
        self._change(reapply_conflict, chosen.id)

    def discard(self) -> None:
        chosen = self.current()
        if chosen is None or self._busy:
            return
        if not self.context.dialogs.confirm(
            self,
            self.tr("Discard the change"),
            self.tr("Your change is dropped; the server's version stays."),
        ):
            return
        self._change(dismiss_conflict, chosen.id)

    def retire(self) -> None:
        """Drop every answer still on its way; the dialog is about to go."""
        for job in self._jobs:
            job.cancel()
        self._jobs.clear()

    def _change(self, service: Callable[..., Any], conflict_id: uuid.UUID) -> None:
        self._busy = True
        self._update_buttons()
        self._submit(service, self._changed, conflict_id, on_error=self._change_failed)

    def _changed(self, _result: object) -> None:
        self._busy = False
        self.reload()
        self.changed.emit()

    def _change_failed(self, error: BaseException) -> None:
        self._busy = False
        self.context.dialogs.error(
            self, self.tr("Could not resolve the conflict"), error_text(error)
        )
        # It may have been resolved meanwhile (by a sync): show what is left.
        self.reload()
        self.changed.emit()

    def _submit(
        self,
        service: Callable[..., Any],
        on_done: Callable[[Any], None],
        *args: Any,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        job: Job | None = None

        def done(result: object) -> None:
            if job in self._jobs:
                self._jobs.remove(job)
            on_done(result)

        def failed(error: BaseException) -> None:
            if job in self._jobs:
                self._jobs.remove(job)
            (on_error or self._load_failed)(error)

        job = self.context.call(service, *args, on_done=done, on_error=failed)
        self._jobs.append(job)

    def _loaded(self, found: list[ConflictView]) -> None:
        had = self.current()
        self.model.merge_rows(found)
        self.empty.setVisible(not found)
        if self.current() is None and found:
            row = 0
            if had is not None:
                row = next((i for i, c in enumerate(found) if c.created_at <= had.created_at), 0)
            self.select_row(min(row, len(found) - 1))
        self._update_buttons()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self._busy = False
        self._update_buttons()
        self.context.dialogs.error(self, self.tr("Could not load the conflicts"), error_text(error))

    def _update_buttons(self) -> None:
        chosen = self.current()
        self.reapply_button.setEnabled(
            not self._busy and chosen is not None and chosen.kind == "conflict"
        )
        self.discard_button.setEnabled(not self._busy and chosen is not None)
