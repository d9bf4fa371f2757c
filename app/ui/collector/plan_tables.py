"""Table models of the plan dialog: the instalments of the plan on offer, and the account's plans.

Both change in small steps while the dialog is open (one more instalment, one plan's new
status), so they insert, remove and update rows rather than reset.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
)

from app.services.common.money import ZERO
from app.services.plans.lifecycle import PlanView
from app.services.plans.offers import PlanLine
from app.ui.common.i18n import Formats
from app.ui.common.labels import plan_kind_name, plan_status_name
from app.ui.common.table_model import DISPLAY, RIGHT, RowTableModel, TableColumn


class LineColumn(enum.IntEnum):
    SEQ = 0
    DUE = 1
    AMOUNT = 2


class PlanLinesModel(RowTableModel[PlanLine, int]):
    """The instalments of a previewed plan: number, due date (UI format) and amount."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(lambda line: line.seq, parent=parent)
        self.formats = formats
        self.currency = "CNY"
        columns: dict[LineColumn, TableColumn[PlanLine]] = {
            LineColumn.SEQ: TableColumn(
                QCoreApplication.translate("PlanLinesModel", "#"),
                lambda line: formats.number(line.seq),
                align=RIGHT,
            ),
            LineColumn.DUE: TableColumn(
                QCoreApplication.translate("PlanLinesModel", "Due date"),
                lambda line: formats.date(line.due_date),
            ),
            LineColumn.AMOUNT: TableColumn(
                QCoreApplication.translate("PlanLinesModel", "Amount"),
                lambda line: formats.money(line.amount, self.currency),
                align=RIGHT,
            ),
        }
        self.set_columns([columns[column] for column in LineColumn])

    def total(self) -> Decimal:
        """The sum of the instalments shown."""
        return sum((line.amount for line in self._rows), ZERO)

    def set_lines(self, lines: Sequence[PlanLine], currency: str) -> None:
        """Show `lines`: rows beyond the old count are inserted, missing ones removed."""
        new = tuple(lines)
        old = tuple(self._rows)
        if currency != self.currency:
            self.currency = currency
            old = ()  # every amount reads differently: treat every kept row as changed
        kept = min(len(self._rows), len(new))
        if len(new) < len(self._rows):
            self._remove_rows(len(new), len(self._rows) - 1)
        changed = [row for row in range(kept) if row >= len(old) or old[row] != new[row]]
        self._replace_rows(0, new[:kept])
        if changed:
            self._rows_changed(changed[0], changed[-1], [DISPLAY])
        self._insert_rows(kept, new[kept:])


class PlanColumn(enum.IntEnum):
    MADE = 0
    KIND = 1
    TOTAL = 2
    STATUS = 3
    AGREEMENT = 4


class PlansModel(RowTableModel[PlanView, uuid.UUID]):
    """The account's stored plans, newest first, keyed by plan id."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(lambda plan: plan.id, parent=parent)
        self.formats = formats
        columns: dict[PlanColumn, TableColumn[PlanView]] = {
            PlanColumn.MADE: TableColumn(
                QCoreApplication.translate("PlansModel", "Made"),
                lambda plan: formats.date_time(plan.created_at),
            ),
            PlanColumn.KIND: TableColumn(
                QCoreApplication.translate("PlansModel", "Kind"),
                lambda plan: plan_kind_name(plan.kind),
            ),
            PlanColumn.TOTAL: TableColumn(
                QCoreApplication.translate("PlansModel", "Total"),
                lambda plan: formats.money(plan.total, plan.currency),
                align=RIGHT,
            ),
            PlanColumn.STATUS: TableColumn(
                QCoreApplication.translate("PlansModel", "Status"),
                lambda plan: plan_status_name(plan.status.value),
            ),
            PlanColumn.AGREEMENT: TableColumn(
                QCoreApplication.translate("PlansModel", "Agreement no."),
                lambda plan: plan.agreement_no or "",
            ),
        }
        self.set_columns([columns[column] for column in PlanColumn])

    def set_plans(self, plans: Sequence[PlanView]) -> None:
        """Show `plans` (newest first): new ones are inserted on top, changed ones updated."""
        plans = list(plans)
        ids = [plan.id for plan in self._rows]
        fresh = [plan.id for plan in plans]
        added = len(fresh) - len(ids)
        if added < 0 or fresh[added:] != ids:
            # Not "some new plans on top of the same ones": another account, or plans gone.
            self.set_rows(plans)
            return
        self._insert_rows(0, plans[:added])
        changed = [row for row in range(added, len(plans)) if self._rows[row] != plans[row]]
        self._replace_rows(0, plans)
        if changed:
            self._rows_changed(changed[0], changed[-1], [DISPLAY])
