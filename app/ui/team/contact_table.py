"""The contact list every team view shows: the dashboard's drill-downs and the call review.

Rows are `ContactRow`s from `app.services.team.contact_rows`; a new list replaces the old one
whole (`set_rows`: a filter or a drill gives a different set of contacts), while a review saved on
one contact updates that row alone (`update_row`).
"""

from __future__ import annotations

import enum
import uuid

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QSortFilterProxyModel,
    Qt,
)

from app.services.team.contact_rows import ContactRow
from app.ui.common.context import Context
from app.ui.common.labels import contact_channel_name, disposition_name, duration_text, emotion_name
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn

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


class ContactSort(QSortFilterProxyModel):
    """Sorts contacts by each column's key: times and numbers as such, text as text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)


ContactRowsModel = RowTableModel[ContactRow, uuid.UUID]


def contact_rows_model(context: Context, parent: QObject | None = None) -> ContactRowsModel:
    """Contacts as a table, with the viewer's language and formats, keyed by attempt id; a view
    sorts them through a `ContactSort`."""
    formats = context.formats
    language = context.language

    def checklist(row: ContactRow) -> str:
        if row.checklist_complete is None:
            return ""
        if row.checklist_complete:
            return QCoreApplication.translate("ContactRowsModel", "complete")
        return QCoreApplication.translate("ContactRowsModel", "incomplete")

    def escalated(row: ContactRow) -> str:
        if not row.escalated:
            return ""
        return QCoreApplication.translate("ContactRowsModel", "yes")

    def promise(row: ContactRow) -> str:
        if row.promise_amount is None:
            return ""
        return str(formats.money(row.promise_amount))

    def score(row: ContactRow) -> str:
        if not row.reviewed:
            return ""
        if row.review_score is None:
            return QCoreApplication.translate("ContactRowsModel", "reviewed")
        return f"{row.review_score}%"

    columns: dict[ContactColumn, TableColumn[ContactRow]] = {
        ContactColumn.TIME: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Time"),
            lambda row: str(formats.date_time(row.started_at)),
            sort=lambda row: row.started_at.timestamp(),
        ),
        ContactColumn.COLLECTOR: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Collector"), lambda row: row.collector
        ),
        ContactColumn.CONTRACT: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Contract"), lambda row: row.contract_no
        ),
        ContactColumn.BORROWER: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Borrower"), lambda row: row.borrower
        ),
        ContactColumn.CHANNEL: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Channel"),
            lambda row: contact_channel_name(row.channel),
        ),
        ContactColumn.OUTCOME: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Outcome"),
            lambda row: disposition_name(row.disposition, language),
        ),
        ContactColumn.EMOTION: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Emotion"),
            lambda row: emotion_name(row.emotion, language) if row.emotion else "",
        ),
        ContactColumn.TALK: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Talk"),
            lambda row: duration_text(row.duration_seconds),
            align=RIGHT,
            sort=lambda row: row.duration_seconds,
        ),
        ContactColumn.AFTER_CALL: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "After call"),
            lambda row: duration_text(row.after_call_seconds),
            align=RIGHT,
            sort=lambda row: -1 if row.after_call_seconds is None else row.after_call_seconds,
        ),
        ContactColumn.CHECKLIST: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Checklist"), checklist
        ),
        ContactColumn.ESCALATED: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Escalated"), escalated
        ),
        ContactColumn.PROMISE: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Promise"),
            promise,
            align=RIGHT,
            sort=lambda row: -1.0 if row.promise_amount is None else float(row.promise_amount),
        ),
        ContactColumn.SCORE: TableColumn(
            QCoreApplication.translate("ContactRowsModel", "Review"),
            score,
            align=RIGHT,
            sort=lambda row: -1 if row.review_score is None else row.review_score,
        ),
    }
    return ContactRowsModel(
        lambda row: row.attempt_id,
        [columns[column] for column in ContactColumn],
        sort_role=SORT_ROLE,
        parent=parent,
    )
