"""Table models of the plan dialog: the instalments of the plan on offer, and the account's plans.

Both change in small steps while the dialog is open (one more instalment, one plan's new
status), so they insert, remove and update rows rather than reset.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.services.common.money import ZERO
from app.services.plans.lifecycle import PlanView
from app.services.plans.offers import PlanLine
from app.ui.common.i18n import Formats
from app.ui.common.labels import plan_kind_name, plan_status_name

Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY = Qt.ItemDataRole.DisplayRole


class LineColumn(enum.IntEnum):
    SEQ = 0
    DUE = 1
    AMOUNT = 2


class PlanLinesModel(QAbstractTableModel):
    """The instalments of a previewed plan: number, due date (UI format) and amount."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.currency = "CNY"
        self._lines: tuple[PlanLine, ...] = ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LineColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != _DISPLAY:
            return None
        if not 0 <= section < len(LineColumn):
            return None
        return {
            LineColumn.SEQ: QCoreApplication.translate("PlanLinesModel", "#"),
            LineColumn.DUE: QCoreApplication.translate("PlanLinesModel", "Due date"),
            LineColumn.AMOUNT: QCoreApplication.translate("PlanLinesModel", "Amount"),
        }[LineColumn(section)]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._lines):
            return None
        column = LineColumn(index.column())
        if role == _DISPLAY:
            line = self._lines[index.row()]
            if column is LineColumn.SEQ:
                return self.formats.number(line.seq)
            if column is LineColumn.DUE:
                return self.formats.date(line.due_date)
            return self.formats.money(line.amount, self.currency)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not LineColumn.DUE:
            return _RIGHT
        return None

    @property
    def lines(self) -> tuple[PlanLine, ...]:
        return self._lines

    def total(self) -> Decimal:
        """The sum of the instalments shown."""
        return sum((line.amount for line in self._lines), ZERO)

    def set_lines(self, lines: Sequence[PlanLine], currency: str) -> None:
        """Show `lines`: rows beyond the old count are inserted, missing ones removed."""
        new = tuple(lines)
        old = self._lines
        if currency != self.currency:
            self.currency = currency
            old = ()  # every amount reads differently: treat every kept row as changed
        kept = min(len(self._lines), len(new))
        if len(new) < len(self._lines):
            self.beginRemoveRows(QModelIndex(), len(new), len(self._lines) - 1)
            self._lines = self._lines[: len(new)]
            self.endRemoveRows()
        changed = [row for row in range(kept) if row >= len(old) or old[row] != new[row]]
        self._lines = new[:kept] + self._lines[kept:]
        if changed:
            self.dataChanged.emit(
                self.index(changed[0], 0),
                self.index(changed[-1], len(LineColumn) - 1),
                [_DISPLAY],
            )
        if len(new) > kept:
            self.beginInsertRows(QModelIndex(), kept, len(new) - 1)
            self._lines = new
            self.endInsertRows()


class PlanColumn(enum.IntEnum):
    MADE = 0
    KIND = 1
    TOTAL = 2
    STATUS = 3
    AGREEMENT = 4


class PlansModel(QAbstractTableModel):
    """The account's stored plans, newest first, keyed by plan id."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self._plans: list[PlanView] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._plans)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PlanColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != _DISPLAY:
            return None
        if not 0 <= section < len(PlanColumn):
            return None
        return {
            PlanColumn.MADE: QCoreApplication.translate("PlansModel", "Made"),
            PlanColumn.KIND: QCoreApplication.translate("PlansModel", "Kind"),
            PlanColumn.TOTAL: QCoreApplication.translate("PlansModel", "Total"),
            PlanColumn.STATUS: QCoreApplication.translate("PlansModel", "Status"),
            PlanColumn.AGREEMENT: QCoreApplication.translate("PlansModel", "Agreement no."),
        }[PlanColumn(section)]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._plans):
            return None
        plan = self._plans[index.row()]
        column = PlanColumn(index.column())
        if role == _DISPLAY:
            if column is PlanColumn.MADE:
                return self.formats.date_time(plan.created_at)
            if column is PlanColumn.KIND:
                return plan_kind_name(plan.kind)
            if column is PlanColumn.TOTAL:
                return self.formats.money(plan.total, plan.currency)
            if column is PlanColumn.STATUS:
                return plan_status_name(plan.status.value)
            return plan.agreement_no or ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column is PlanColumn.TOTAL:
            return _RIGHT
        return None

    def plan(self, row: int) -> PlanView:
        return self._plans[row]

    def row_of(self, plan_id: uuid.UUID) -> int | None:
        return next((row for row, plan in enumerate(self._plans) if plan.id == plan_id), None)

    def set_plans(self, plans: Sequence[PlanView]) -> None:
        """Show `plans` (newest first): new ones are inserted on top, changed ones updated."""
        plans = list(plans)
        ids = [plan.id for plan in self._plans]
        fresh = [plan.id for plan in plans]
        added = len(fresh) - len(ids)
        if added < 0 or fresh[added:] != ids:
            # Not "some new plans on top of the same ones": another account, or plans gone.
            self.beginResetModel()
            self._plans = plans
            self.endResetModel()
            return
        if added:
            self.beginInsertRows(QModelIndex(), 0, added - 1)
            self._plans = plans[:added] + self._plans
            self.endInsertRows()
        changed = [row for row in range(added, len(plans)) if self._plans[row] != plans[row]]
        self._plans = plans
        if changed:
            self.dataChanged.emit(
                self.index(changed[0], 0),
                self.index(changed[-1], len(PlanColumn) - 1),
                [_DISPLAY],
            )
