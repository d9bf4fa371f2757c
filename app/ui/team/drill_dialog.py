"""The contacts behind one figure of the dashboard: a sortable list, exportable, each contact a
way into the call review."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.team.contact_rows import ContactRow
from app.services.team.kpis import Drill, drill_down
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.runner import Latest
from app.ui.common.tables import list_table
from app.ui.team.contact_table import ContactColumn, ContactSort, contact_rows_model
from app.ui.team.exporting import ExportButton, ask_target, save_contacts

Index = QModelIndex | QPersistentModelIndex


def span_text(context: Context, start: date, end: date) -> str:
    """“3 Nov 2026”, or “1 Nov 2026 – 27 Nov 2026”."""
    formats = context.formats
    if start == end:
        return formats.date(start)
    return f"{formats.date(start)} – {formats.date(end)}"


class DrillDialog(QDialog):
    """The contacts behind `figure` (a KPI of `whose`, over `start`..`end` of `team`).

    Signals: `loaded()` once the list is shown; `review_requested(attempt_id)` when a contact
    is activated (double-click, Enter, or Open in call review); `exported(path)`.
    """

    loaded = Signal()
    review_requested = Signal(object)
    exported = Signal(object)

    def __init__(
        self,
        context: Context,
        drill: Drill,
        figure: str,
        whose: str,
        team: str,
        start: date,
        end: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.drill = drill
        self.team = team
        self.start = start
        self.end = end
        self._load = Latest()
        self._export = Latest()
        self.setObjectName("drill-dialog")
        self.heading = self.tr("{figure} — {whose}, {span}").format(
            figure=figure, whose=whose, span=span_text(context, start, end)
        )
        self.setWindowTitle(self.heading)

        title = QLabel(self.heading)
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold")
        title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel(self.tr("Loading the contacts…"))
        self.count_label.setAccessibleName(self.tr("Number of contacts"))

        self.model = contact_rows_model(context, self)
        self.proxy = ContactSort(self)
        self.proxy.setSourceModel(self.model)
        self.table = list_table(self.proxy, self.tr("Contacts"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ContactColumn.TIME, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.review_button = QPushButton(self.tr("Open in call &review"))
        self.review_button.setToolTip(self.tr("Enter"))
        self.export_button = ExportButton(self)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        buttons = QHBoxLayout()
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.table.activated.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(lambda *_args: self._update_buttons())
        self.review_button.clicked.connect(self.review_current)
        self.export_button.chosen.connect(self.export)
        self.close_button.clicked.connect(self.close)
        self.resize(1000, 560)
        self._update_buttons()
        self._load.run(
            context,
            drill_down,
            context.username,
            start,
            end,
            drill,
            team,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def done(self, result: int) -> None:
        self._cancel_jobs()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel_jobs()
        super().closeEvent(event)

    def _cancel_jobs(self) -> None:
        """Answers still on their way belong to this dialog's widgets, which are about to go
        (it is deleted on close); an export already running still writes its file."""
        self._load.cancel()
        self._export.cancel()

    @property
    def loading(self) -> bool:
        return self._load.busy

    def current_row(self) -> ContactRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _loaded(self, rows: tuple[ContactRow, ...]) -> None:
        self.model.set_rows(rows)
        self.count_label.setText(
            self.tr("{count} contacts").format(count=self.context.formats.number(len(rows)))
            if rows
            else self.tr("No contacts behind this figure.")
        )
        if rows:
            self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_buttons()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.count_label.setText(self.tr("The contacts could not be loaded."))
        self._update_buttons()
        self.context.dialogs.error(self, self.tr("Could not list the contacts"), error_text(error))

    def _update_buttons(self) -> None:
        self.review_button.setEnabled(self.current_row() is not None)
        self.export_button.setEnabled(not self.loading and bool(self.model.rows))

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_for(index)
        if row is not None:
            self._request_review(row)

    def review_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self._request_review(row)

    def _request_review(self, row: ContactRow) -> None:
        attempt_id: uuid.UUID = row.attempt_id
        self.review_requested.emit(attempt_id)

    # Export.

    def export(self, code: str) -> None:
        """Ask where, then write the list as `code` (csv, xlsx, json) on the worker."""
        if self.loading or not self.model.rows:
            return
        stem = f"contacts-{self.drill.kpi}-{self.start.isoformat()}-{self.end.isoformat()}"
        target = ask_target(self.context, self, self.tr("Export the contacts"), stem, code)
        if target is None:
            return
        self.export_button.setEnabled(False)
        self._export.run(
            self.context,
            save_contacts,
            self.model.rows,
            target,
            code,
            self.context.language,
            on_done=self._exported,
            on_error=self._export_failed,
        )

    def _exported(self, path: Path) -> None:
        self._update_buttons()
        self.exported.emit(path)
        self.context.dialogs.info(
            self,
            self.tr("Contacts exported"),
            self.tr("The list is in {path}.").format(path=str(path)),
        )

    def _export_failed(self, error: BaseException) -> None:
        self._update_buttons()
        self.context.dialogs.error(self, self.tr("Could not export"), error_text(error))
