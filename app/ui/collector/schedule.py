"""Read-only tables of the loan: its instalment schedule and the payments received."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.services.portfolio.accounts import HistoryItem, InstalmentView
from app.ui.common.i18n import Formats
from app.ui.common.labels import payment_channel_name, payment_state_name

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class ScheduleColumn(enum.IntEnum):
    SEQ = 0
    DUE = 1
    PRINCIPAL = 2
    INTEREST = 3
    FEES = 4
    PAID = 5
    PENALTY = 6
    SETTLED = 7


class PaymentColumn(enum.IntEnum):
    PAID_AT = 0
    AMOUNT = 1
    CHANNEL = 2
    STATE = 3


def _cell(text: str, *, numeric: bool = False, bold: bool = False) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if numeric:
        item.setTextAlignment(_RIGHT)
    if bold:
        font = QFont()
        font.setBold(True)
        item.setFont(font)
    return item


class ScheduleTable(QTableView):
    """The instalments; unpaid ones already due are bold and marked overdue."""

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.rows = QStandardItemModel(0, len(ScheduleColumn), self)
        self.rows.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("ScheduleTable", "#"),
                QCoreApplication.translate("ScheduleTable", "Due date"),
                QCoreApplication.translate("ScheduleTable", "Principal"),
                QCoreApplication.translate("ScheduleTable", "Interest"),
                QCoreApplication.translate("ScheduleTable", "Fees"),
                QCoreApplication.translate("ScheduleTable", "Paid"),
                QCoreApplication.translate("ScheduleTable", "Penalty"),
                QCoreApplication.translate("ScheduleTable", "Settled"),
            ]
        )
        _setup(self, QCoreApplication.translate("ScheduleTable", "Repayment schedule"))
        self.setModel(self.rows)

    def set_schedule(
        self, schedule: Sequence[InstalmentView], as_of: date, currency: str = "CNY"
    ) -> None:
        self.rows.removeRows(0, self.rows.rowCount())
        money = self.formats.money
        for line in schedule:
            overdue = line.settled_on is None and line.due_date < as_of
            if line.settled_on is not None:
                settled = self.formats.date(line.settled_on)
            elif overdue:
                settled = QCoreApplication.translate("ScheduleTable", "Overdue")
            else:
                settled = ""
            self.rows.appendRow(
                [
                    _cell(self.formats.number(line.seq), numeric=True, bold=overdue),
                    _cell(self.formats.date(line.due_date), bold=overdue),
                    _cell(money(line.principal_due, currency), numeric=True, bold=overdue),
                    _cell(money(line.interest_due, currency), numeric=True, bold=overdue),
                    _cell(money(line.fees_due, currency), numeric=True, bold=overdue),
                    _cell(money(line.paid, currency), numeric=True, bold=overdue),
                    _cell(money(line.penalty_accrued, currency), numeric=True, bold=overdue),
                    _cell(settled, bold=overdue),
                ]
            )


class PaymentsTable(QTableView):
    """Payments received, newest first, taken from the timeline's payment items: those in the
    lending system's books, those it reversed, and those the borrower reports and it has not
    brought yet."""

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.rows = QStandardItemModel(0, len(PaymentColumn), self)
        self.rows.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("PaymentsTable", "Received"),
                QCoreApplication.translate("PaymentsTable", "Amount"),
                QCoreApplication.translate("PaymentsTable", "Channel"),
                QCoreApplication.translate("PaymentsTable", "State"),
            ]
        )
        _setup(self, QCoreApplication.translate("PaymentsTable", "Payments received"))
        self.setModel(self.rows)

    def set_payments(self, timeline: Sequence[HistoryItem], currency: str = "CNY") -> None:
        self.rows.removeRows(0, self.rows.rowCount())
        payments = sorted(
            (item for item in timeline if item.kind == "payment"),
            key=lambda item: item.at,
            reverse=True,
        )
        for item in payments:
            try:
                amount = self.formats.money(Decimal(str(item.details["amount"])), currency)
            except (KeyError, InvalidOperation):
                amount = ""
            self.rows.appendRow(
                [
                    _cell(self.formats.date_time(item.at)),
                    _cell(amount, numeric=True),
                    _cell(payment_channel_name(str(item.details.get("channel", "")))),
                    _cell(payment_state_name(str(item.details.get("state", "received")))),
                ]
            )


def _setup(table: QTableView, name: str) -> None:
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
