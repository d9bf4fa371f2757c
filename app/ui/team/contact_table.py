"""The contact list every team view shows: the dashboard's drill-downs and the call review.

Rows are `ContactRow`s from `app.services.team.contact_rows`; a new list replaces the old one
whole (a filter or a drill gives a different set of contacts), while a review saved on one contact
updates that row alone.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.services.team.contact_rows import ContactRow
from app.ui.common.context import Context
from app.ui.common.labels import contact_channel_name, disposition_name, duration_text, emotion_name

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# The key a view sorts a column by (times and numbers as such, not as text).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class ContactColumn(enum.IntEnum):
    TIME = 0
    COLLECTOR = 1
    CONTRACT = 2
    BORROWER = 3
    CHANNEL = 4
    OUTCOME = 5
    EMOTION = 6
    TALK = 7
    AFTER_CALL = 8
    CHECKLIST = 9
    ESCALATED = 10
    PROMISE = 11
    SCORE = 12


def _header(column: ContactColumn) -> str:
    return {
        ContactColumn.TIME: QCoreApplication.translate("ContactRowsModel", "Time"),
        ContactColumn.COLLECTOR: QCoreApplication.translate("ContactRowsModel", "Collector"),
        ContactColumn.CONTRACT: QCoreApplication.translate("ContactRowsModel", "Contract"),
        ContactColumn.BORROWER: QCoreApplication.translate("ContactRowsModel", "Borrower"),
        ContactColumn.CHANNEL: QCoreApplication.translate("ContactRowsModel", "Channel"),
        ContactColumn.OUTCOME: QCoreApplication.translate("ContactRowsModel", "Outcome"),
        ContactColumn.EMOTION: QCoreApplication.translate("ContactRowsModel", "Emotion"),
        ContactColumn.TALK: QCoreApplication.translate("ContactRowsModel", "Talk"),
        ContactColumn.AFTER_CALL: QCoreApplication.translate("ContactRowsModel", "After call"),
        ContactColumn.CHECKLIST: QCoreApplication.translate("ContactRowsModel", "Checklist"),
        ContactColumn.ESCALATED: QCoreApplication.translate("ContactRowsModel", "Escalated"),
        ContactColumn.PROMISE: QCoreApplication.translate("ContactRowsModel", "Promise"),
        ContactColumn.SCORE: QCoreApplication.translate("ContactRowsModel", "Review"),
    }[column]


class ContactSort(QSortFilterProxyModel):
    """Sorts contacts by each column's key: times and numbers as such, text as text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)


class ContactRowsModel(QAbstractTableModel):
    """Contacts as a table, with the viewer's language and formats."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._rows: tuple[ContactRow, ...] = ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ContactColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != _DISPLAY:
            return None
        if not 0 <= section < len(ContactColumn):
            return None
        return _header(ContactColumn(section))

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = ContactColumn(index.column())
        if role == _DISPLAY:
            return self._text(row, column)
        if role == SORT_ROLE:
            key = self._sort_key(row, column)
            return self._text(row, column) if key is None else key
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            ContactColumn.TALK,
            ContactColumn.AFTER_CALL,
            ContactColumn.PROMISE,
            ContactColumn.SCORE,
        ):
            return _RIGHT
        return None

    def _text(self, row: ContactRow, column: ContactColumn) -> str:
        formats = self.context.formats
        language = self.context.language
        match column:
            case ContactColumn.TIME:
                return str(formats.date_time(row.started_at))
            case ContactColumn.COLLECTOR:
                return row.collector
            case ContactColumn.CONTRACT:
                return row.contract_no
            case ContactColumn.BORROWER:
                return row.borrower
            case ContactColumn.CHANNEL:
                return contact_channel_name(row.channel)
            case ContactColumn.OUTCOME:
                return disposition_name(row.disposition, language)
            case ContactColumn.EMOTION:
                return emotion_name(row.emotion, language) if row.emotion else ""
            case ContactColumn.TALK:
                return duration_text(row.duration_seconds)
            case ContactColumn.AFTER_CALL:
                return duration_text(row.after_call_seconds)
            case ContactColumn.CHECKLIST:
                if row.checklist_complete is None:
                    return ""
                if row.checklist_complete:
                    return QCoreApplication.translate("ContactRowsModel", "complete")
                return QCoreApplication.translate("ContactRowsModel", "incomplete")
            case ContactColumn.ESCALATED:
                if not row.escalated:
                    return ""
                return QCoreApplication.translate("ContactRowsModel", "yes")
            case ContactColumn.PROMISE:
                if row.promise_amount is None:
                    return ""
                return str(formats.money(row.promise_amount))
            case ContactColumn.SCORE:
                if not row.reviewed:
                    return ""
                if row.review_score is None:
                    return QCoreApplication.translate("ContactRowsModel", "reviewed")
                return f"{row.review_score}%"
        return ""

    @staticmethod
    def _sort_key(row: ContactRow, column: ContactColumn) -> Any:
        match column:
            case ContactColumn.TIME:
                return row.started_at.timestamp()
            case ContactColumn.TALK:
                return row.duration_seconds
            case ContactColumn.AFTER_CALL:
                return -1 if row.after_call_seconds is None else row.after_call_seconds
            case ContactColumn.PROMISE:
                return -1.0 if row.promise_amount is None else float(row.promise_amount)
            case ContactColumn.SCORE:
                return -1 if row.review_score is None else row.review_score
        return None

    @property
    def rows(self) -> tuple[ContactRow, ...]:
        return self._rows

    def row_at(self, row: int) -> ContactRow:
        return self._rows[row]

    def row_of(self, attempt_id: uuid.UUID) -> int | None:
        """Where the contact `attempt_id` is shown, if it is."""
        for number, row in enumerate(self._rows):
            if row.attempt_id == attempt_id:
                return number
        return None

    def set_rows(self, rows: Sequence[ContactRow]) -> None:
        """Show `rows` instead of the current list."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def update_row(self, updated: ContactRow) -> None:
        """The contact shown changed (e.g. reviewed): repaint that row only."""
        number = self.row_of(updated.attempt_id)
        if number is None:
            return
        rows = list(self._rows)
        rows[number] = updated
        self._rows = tuple(rows)
        self.dataChanged.emit(
            self.index(number, 0), self.index(number, len(ContactColumn) - 1), [_DISPLAY]
        )
