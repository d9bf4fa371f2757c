"""The lending system's daily feed files as a team lead reads them (docs/feed-format.md).

The table lists the files the central database took and refused, newest first: the business
day, the place in the sequence, what each brought (accounts new and closed, payments and their
amount) and the rows refused. The pane beside it shows the selected file's whole
reconciliation, or, for a refused file, each problem by row and column. The files reach a
lead's workstation with the sync; nothing here writes.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.plans.feed import FeedReport, FeedSummary, feed_reports
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text, message_text
from app.ui.common.i18n import Formats
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table

# How many files the desk lists (about two months of nights).
SHOWN = 60


class Column(enum.IntEnum):
    RECEIVED = 0
    FILE = 1
    SEQUENCE = 2
    DAY = 3
    STATE = 4
    NEW = 5
    CLOSED = 6
    PAYMENTS = 7
    AMOUNT = 8
    REFUSED = 9


FeedsModel = RowTableModel[FeedReport, uuid.UUID]


def state_name(report: FeedReport) -> str:
    if report.summary is None:
        return QCoreApplication.translate("FeedsModel", "refused")
    return QCoreApplication.translate("FeedsModel", "applied")


def feeds_model(context: Context, parent: QObject | None = None) -> FeedsModel:
    """The feed's files, newest first, keyed by their id."""
    formats = context.formats

    def of_summary(read: str) -> Callable[[FeedReport], str]:
        def cell(report: FeedReport) -> str:
            summary = report.summary
            if summary is None:
                return ""
            if read == "amount":
                return formats.money(summary.payments_amount, "CNY")
            return formats.number(getattr(summary, read))

        return cell

    def refused_rows(report: FeedReport) -> str:
        if report.summary is not None:
            return formats.number(report.summary.rows_refused)
        return formats.number(len({problem.row for problem in report.problems}))

    columns: dict[Column, TableColumn[FeedReport]] = {
        Column.RECEIVED: TableColumn(
            QCoreApplication.translate("FeedsModel", "Received"),
            lambda report: formats.date_time(report.received_at),
        ),
        Column.FILE: TableColumn(
            QCoreApplication.translate("FeedsModel", "File"), lambda report: report.file_name
        ),
        Column.SEQUENCE: TableColumn(
            QCoreApplication.translate("FeedsModel", "No."),
            lambda report: formats.number(report.summary.sequence) if report.summary else "",
            align=RIGHT,
        ),
        Column.DAY: TableColumn(
            QCoreApplication.translate("FeedsModel", "Business day"),
            lambda report: formats.date(report.summary.business_date) if report.summary else "",
        ),
        Column.STATE: TableColumn(QCoreApplication.translate("FeedsModel", "State"), state_name),
        Column.NEW: TableColumn(
            QCoreApplication.translate("FeedsModel", "New accounts"),
            of_summary("accounts_new"),
            align=RIGHT,
        ),
        Column.CLOSED: TableColumn(
            QCoreApplication.translate("FeedsModel", "Closed"),
            of_summary("accounts_closed"),
            align=RIGHT,
        ),
        Column.PAYMENTS: TableColumn(
            QCoreApplication.translate("FeedsModel", "Payments"),
            of_summary("payments"),
            align=RIGHT,
        ),
        Column.AMOUNT: TableColumn(
            QCoreApplication.translate("FeedsModel", "Amount"), of_summary("amount"), align=RIGHT
        ),
        Column.REFUSED: TableColumn(
            QCoreApplication.translate("FeedsModel", "Rows refused"), refused_rows, align=RIGHT
        ),
    }
    return FeedsModel(
        lambda report: report.id, [columns[column] for column in Column], parent=parent
    )


def reconciliation_text(summary: FeedSummary, formats: Formats) -> str:
    """An applied file's reconciliation, line by line, in the UI language."""
    number, money = formats.number, formats.money

    lines = [
        QCoreApplication.translate(
            "FeedsPanel",
            "File {sequence} (batch {batch}), business day {day}, {rows} rows, read as {encoding}",
        ).format(
            sequence=number(summary.sequence),
            batch=summary.batch_id,
            day=formats.date(summary.business_date),
            rows=number(summary.rows),
            encoding=summary.encoding,
        ),
        QCoreApplication.translate(
            "FeedsPanel",
            "Accounts: {new} new, {closed} closed ({settled} settled and {written_off} written off"
            " by the lender, {paid_off} paid off), {reopened} owing again after a reversal",
        ).format(
            new=number(summary.accounts_new),
            closed=number(summary.accounts_closed),
            settled=number(summary.closed_settled),
            written_off=number(summary.closed_written_off),
            paid_off=number(summary.settled_by_payments),
            reopened=number(summary.reopened),
        ),
        QCoreApplication.translate(
            "FeedsPanel",
            "Payments: {payments} for {amount} ({known} already known); reversals: {reversals}"
            " for {reversed} ({reversals_known} already known)",
        ).format(
            payments=number(summary.payments),
            amount=money(summary.payments_amount, "CNY"),
            known=number(summary.payments_known),
            reversals=number(summary.reversals),
            reversed=money(summary.reversals_amount, "CNY"),
            reversals_known=number(summary.reversals_known),
        ),
        QCoreApplication.translate(
            "FeedsPanel",
            "Changes: {borrowers_new} new borrowers, {borrowers_changed} borrowers changed"
            " ({moved} to another country), {points} new contact points ({points_known} already"
            " known), {schedules} schedules ({instalments} instalments)",
        ).format(
            borrowers_new=number(summary.borrowers_new),
            borrowers_changed=number(summary.borrowers_changed),
            moved=number(summary.borrowers_moved_country),
            points=number(summary.contact_points_new),
            points_known=number(summary.contact_points_known),
            schedules=number(summary.schedules_changed),
            instalments=number(summary.instalments_changed),
        ),
        QCoreApplication.translate(
            "FeedsPanel",
            "Promises: {kept} kept, {changed} changed; plans changed: {plans}; reported payments"
            " matched: {matched}",
        ).format(
            kept=number(summary.promises_kept),
            changed=number(summary.promises_changed),
            plans=number(summary.plans_changed),
            matched=number(summary.reports_matched),
        ),
        QCoreApplication.translate("FeedsPanel", "Rows refused: {rows}").format(
            rows=number(summary.rows_refused)
        ),
    ]
    return "\n".join(lines)


def problems_text(report: FeedReport) -> str:
    """A refused file's problems, each by row and column, in the UI language."""

    lines = [
        QCoreApplication.translate(
            "FeedsPanel", "Refused: nothing of this file was applied. Its problems:"
        )
        if report.batch_id is None
        else QCoreApplication.translate(
            "FeedsPanel", "Refused: nothing of batch {batch} was applied. Its problems:"
        ).format(batch=report.batch_id)
    ]
    for problem in report.problems:
        where = (
            QCoreApplication.translate("FeedsPanel", "row {row}, {column}").format(
                row=problem.row, column=problem.column
            )
            if problem.column
            else QCoreApplication.translate("FeedsPanel", "row {row}").format(row=problem.row)
        )
        lines.append(f"{where}: {message_text(problem.detail)}")
    return "\n".join(lines)


class FeedsPanel(QWidget):
    """The feed's files and their reconciliation. Emits `loaded()` after each load."""

    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._load = Latest()
        self.setWindowTitle(self.tr("The lending system's feed"))
        self.summary = QLabel()
        self.reload_button = QPushButton(self.tr("Re&load"))
        self.model = feeds_model(context, self)
        self.table = list_table(self.model, self.tr("Feed files"))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.empty = QLabel(self.tr("No feed file has come yet."))
        self.empty.hide()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("The selected file"))

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.reload_button)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.empty)
        pane = QGroupBox(self.tr("Selected file"))
        pane_layout = QVBoxLayout(pane)
        pane_layout.addWidget(self.details, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(listing)
        splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.reload_button.clicked.connect(self.refresh)

    def refresh(self) -> None:
        """Load the files again."""
        self._load.run(
            self.context,
            feed_reports,
            self.context.username,
            last=SHOWN,
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def _loaded(self, reports: tuple[FeedReport, ...]) -> None:
        had = self.current()
        self.model.merge_rows(reports)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not reports)
        refused = sum(1 for report in reports if report.summary is None)
        self.summary.setText(
            self.tr("Feed files: {count}, newest first; refused: {refused}.").format(
                count=self.context.formats.number(len(reports)),
                refused=self.context.formats.number(refused),
            )
        )
        if reports:
            kept = self.model.row_of(had.id) if had is not None else None
            self.table.setCurrentIndex(self.model.index(kept or 0, Column.RECEIVED))
        self._show_current()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.context.dialogs.error(
            self, self.tr("Could not load the feed files"), error_text(error)
        )

    def current(self) -> FeedReport | None:
        return self.model.row_for(self.table.currentIndex())

    def _show_current(self) -> None:
        report = self.current()
        if report is None:
            self.details.clear()
        elif report.summary is not None:
            self.details.setPlainText(reconciliation_text(report.summary, self.context.formats))
        else:
            self.details.setPlainText(problems_text(report))
