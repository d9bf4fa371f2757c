"""The dashboard's tables: each row a collector's (or the team's) figures, each cell a drill.

Every table is a `FigureModel`: a column knows its header, its text, its sort key and the
drills (`app.services.team.kpis.Drill`) behind each of its cells, so activating a cell anywhere on
the dashboard opens the contacts that make up the number. A new report replaces the rows
whole. `FigureSort` sorts by the key and keeps the team's total row last either way.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from app.services.common.reference import buckets
from app.services.team.kpis import (
    BlocksByRule,
    BucketMovement,
    ChecklistByEmotion,
    CollectorKpis,
    Drill,
    EscalationsByKind,
)
from app.ui.common.i18n import Formats
from app.ui.common.labels import duration_text, emotion_name
from app.ui.common.table_model import DISPLAY, RIGHT, RowTableModel, TableColumn
from app.ui.team.contact_table import SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
# True on the row of the team's total (kept last when sorting).
TOTAL_ROLE = Qt.ItemDataRole.UserRole + 2
NO_VALUE = "—"


def percent(rate: Decimal | None) -> str:
    """A fraction as a percentage with one decimal (12.3%); a dash when there is none."""
    if rate is None:
        return NO_VALUE
    shown = (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{shown}%"


def handle_time(seconds: Decimal | None) -> str:
    """Average handle time as m:ss, to the nearest second."""
    if seconds is None:
        return NO_VALUE
    return duration_text(int(seconds.quantize(Decimal("1"), rounding=ROUND_HALF_UP)))


def _rate_key(rate: Decimal | None) -> float:
    return -1.0 if rate is None else float(rate)


@dataclass(frozen=True)
class Figure:
    """One column: how a row reads in it, sorts in it and which contacts are behind it."""

    header: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any]
    # The drills of a cell, the one an activation opens first; none: not a number.
    drills: Callable[[Any], tuple[Drill, ...]] = lambda _row: ()
    tooltip: Callable[[Any], str | None] = lambda _row: None
    # Explains the header (the KPI's definition).
    about: str = ""
    numeric: bool = True


class FigureModel(RowTableModel[Any, int]):
    """Rows of figures; subclasses name their columns in `figures()`."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(id, sort_role=SORT_ROLE, parent=parent)
        self.formats = formats
        self._figures = self.figures()
        bold = QFont()
        bold.setBold(True)
        self.set_columns(
            [
                TableColumn(
                    figure.header,
                    figure.text,
                    align=RIGHT if figure.numeric else None,
                    tooltip=figure.tooltip,
                    sort=figure.sort,
                    header_tooltip=figure.about,
                )
                for figure in self._figures
            ],
            roles={
                TOTAL_ROLE: self.is_total,
                Qt.ItemDataRole.FontRole: lambda row: bold if self.is_total(row) else None,
            },
        )

    def figures(self) -> tuple[Figure, ...]:
        raise NotImplementedError

    def is_total(self, row: Any) -> bool:
        return False

    # What the dashboard asks.

    def drills_at(self, row: int, column: int) -> tuple[Drill, ...]:
        """The contact lists behind a cell, the main one first; () for a cell that is no number."""
        if not 0 <= row < len(self._rows) or not 0 <= column < len(self._figures):
            return ()
        return self._figures[column].drills(self._rows[row])

    def header(self, column: int) -> str:
        return self._figures[column].header


class FigureSort(QSortFilterProxyModel):
    """Sorts by each column's key; the team's total stays the last row in either order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: Index, right: Index) -> bool:
        descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
        # Qt compares the other way round when descending: the total must "win" both ways.
        if left.data(TOTAL_ROLE):
            return descending
        if right.data(TOTAL_ROLE):
            return not descending
        mine, theirs = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if mine is None or theirs is None:
            return str(left.data(DISPLAY) or "") < str(right.data(DISPLAY) or "")
        return bool(mine < theirs)


# -- the KPI table ---------------------------------------------------------------------------


class KpiColumn(enum.IntEnum):
    COLLECTOR = 0
    ATTEMPTS = 1
    CONTACT_RATE = 2
    RPC_RATE = 3
    PTP_RATE = 4
    KEPT_RATE = 5
    PROMISED = 6
    COLLECTED = 7
    HANDLE_TIME = 8
    CHECKLIST = 9
    ESCALATIONS = 10
    BLOCKS = 11


class KpiTableModel(FigureModel):
    """One row per collector, then the team's total (bold)."""

    def figures(self) -> tuple[Figure, ...]:
        formats = self.formats

        def count(value: Callable[[CollectorKpis], int]) -> Callable[[Any], str]:
            return lambda row: formats.number(value(row))

        def part_of(
            part: Callable[[CollectorKpis], int], whole: Callable[[CollectorKpis], int]
        ) -> Callable[[Any], str | None]:
            return lambda row: self.tr("{part} of {whole}").format(
                part=formats.number(part(row)), whole=formats.number(whole(row))
            )

        def drill(*kpis: str) -> Callable[[Any], tuple[Drill, ...]]:
            return lambda row: tuple(row.drill(kpi) for kpi in kpis)

        figures = {
            KpiColumn.COLLECTOR: Figure(
                self.tr("Collector"),
                lambda row: row.display_name if row.user_id else self.tr("Team total"),
                lambda row: row.display_name,
                tooltip=lambda row: row.username or None,
                numeric=False,
            ),
            KpiColumn.ATTEMPTS: Figure(
                self.tr("Attempts"),
                count(lambda row: row.attempts),
                lambda row: row.attempts,
                drill("attempts"),
                about=self.tr("Contact attempts made"),
            ),
            KpiColumn.CONTACT_RATE: Figure(
                self.tr("Contact rate"),
                lambda row: percent(row.contact_rate),
                lambda row: _rate_key(row.contact_rate),
                drill("contacts", "attempts"),
                part_of(lambda row: row.contacts, lambda row: row.attempts),
                self.tr("Contacts ÷ attempts"),
            ),
            KpiColumn.RPC_RATE: Figure(
                self.tr("RPC rate"),
                lambda row: percent(row.rpc_rate),
                lambda row: _rate_key(row.rpc_rate),
                drill("rpcs", "attempts"),
                part_of(lambda row: row.rpcs, lambda row: row.attempts),
                self.tr("Right-party contacts ÷ attempts"),
            ),
            KpiColumn.PTP_RATE: Figure(
                self.tr("PTP rate"),
                lambda row: percent(row.ptp_rate),
                lambda row: _rate_key(row.ptp_rate),
                drill("ptps", "rpcs"),
                part_of(lambda row: row.ptps, lambda row: row.rpcs),
                self.tr("Promises to pay ÷ right-party contacts"),
            ),
            KpiColumn.KEPT_RATE: Figure(
                self.tr("PTP kept rate"),
                lambda row: percent(row.ptp_kept_rate),
                lambda row: _rate_key(row.ptp_kept_rate),
                drill("promises_kept", "promises_due"),
                part_of(lambda row: row.promises_kept, lambda row: row.promises_due),
                self.tr(
                    "Promises due in the period paid in full by their date and grace ÷ promises due"
                ),
            ),
            KpiColumn.PROMISED: Figure(
                self.tr("Promised"),
                lambda row: formats.money(row.promised_amount),
                lambda row: float(row.promised_amount),
                drill("ptps"),
                about=self.tr("Sum of the promises to pay made"),
            ),
            KpiColumn.COLLECTED: Figure(
                self.tr("Collected"),
                lambda row: formats.money(row.collected_amount),
                lambda row: float(row.collected_amount),
                drill("collected"),
                about=self.tr("Payments received on worked accounts"),
            ),
            KpiColumn.HANDLE_TIME: Figure(
                self.tr("Avg handle time"),
                lambda row: handle_time(row.average_handle_seconds),
                lambda row: _rate_key(row.average_handle_seconds),
                drill("handled"),
                lambda row: self.tr("{count} contacts timed").format(
                    count=formats.number(row.handled)
                ),
                self.tr("Talk time and after-call work per contact"),
            ),
            KpiColumn.CHECKLIST: Figure(
                self.tr("Checklist completion"),
                lambda row: percent(row.checklist_rate),
                lambda row: _rate_key(row.checklist_rate),
                drill("checklist_incomplete", "checklist_required"),
                part_of(lambda row: row.checklist_complete, lambda row: row.checklist_required),
                self.tr(
                    "Contacts with every required item ticked ÷ contacts that required a checklist"
                ),
            ),
            KpiColumn.ESCALATIONS: Figure(
                self.tr("Escalations"),
                count(lambda row: row.escalations),
                lambda row: row.escalations,
                drill("escalations"),
                about=self.tr("Escalations raised by the collector's contacts"),
            ),
            KpiColumn.BLOCKS: Figure(
                self.tr("Compliance blocks"),
                count(lambda row: row.blocks),
                lambda row: row.blocks,
                drill("blocks"),
                about=self.tr("Dial attempts the contact rules stopped"),
            ),
        }
        return tuple(figures[column] for column in KpiColumn)

    def is_total(self, row: Any) -> bool:
        return isinstance(row, CollectorKpis) and row.user_id is None

    def user_at(self, row: int) -> CollectorKpis:
        result: CollectorKpis = self.row_at(row)
        return result


# -- the breakdowns --------------------------------------------------------------------------


def _bucket_order(code: str) -> int:
    for position, bucket in enumerate(buckets()):
        if bucket.code == code:
            return position
    return len(buckets())


class BucketColumn(enum.IntEnum):
    BUCKET = 0
    ACCOUNTS = 1
    CURED = 2
    CURE_RATE = 3
    ROLLED = 4
    ROLL_RATE = 5


class BucketTableModel(FigureModel):
    """Cure and roll: accounts in each bucket on the first day, and where they ended."""

    def figures(self) -> tuple[Figure, ...]:
        number = self.formats.number

        def drill(kpi: str) -> Callable[[Any], tuple[Drill, ...]]:
            return lambda row: (row.drill(kpi),)

        figures = {
            BucketColumn.BUCKET: Figure(
                self.tr("Bucket at the start"),
                lambda row: row.bucket,
                lambda row: _bucket_order(row.bucket),
                numeric=False,
            ),
            BucketColumn.ACCOUNTS: Figure(
                self.tr("Accounts"),
                lambda row: number(row.accounts),
                lambda row: row.accounts,
                drill("bucket_start"),
                about=self.tr("Accounts in the bucket at the start of the period"),
            ),
            BucketColumn.CURED: Figure(
                self.tr("Cured"),
                lambda row: number(row.cured),
                lambda row: row.cured,
                drill("cured"),
                about=self.tr("Of those, current at the end"),
            ),
            BucketColumn.CURE_RATE: Figure(
                self.tr("Cure rate"),
                lambda row: percent(row.cure_rate),
                lambda row: _rate_key(row.cure_rate),
                drill("cured"),
            ),
            BucketColumn.ROLLED: Figure(
                self.tr("Rolled"),
                lambda row: number(row.rolled),
                lambda row: row.rolled,
                drill("rolled"),
                about=self.tr("Of those, in the next bucket or a worse one at the end"),
            ),
            BucketColumn.ROLL_RATE: Figure(
                self.tr("Roll rate"),
                lambda row: percent(row.roll_rate),
                lambda row: _rate_key(row.roll_rate),
                drill("rolled"),
            ),
        }
        return tuple(figures[column] for column in BucketColumn)


class ChecklistColumn(enum.IntEnum):
    EMOTION = 0
    REQUIRED = 1
    INCOMPLETE = 2
    RATE = 3


class ChecklistTableModel(FigureModel):
    """Checklist completion by the emotion the collector recorded."""

    def figures(self) -> tuple[Figure, ...]:
        number = self.formats.number

        def drill(incomplete: bool) -> Callable[[Any], tuple[Drill, ...]]:
            return lambda row: (row.drill(incomplete=incomplete),)

        figures = {
            ChecklistColumn.EMOTION: Figure(
                self.tr("Emotion"),
                self.emotion_text,
                self.emotion_text,
                numeric=False,
            ),
            ChecklistColumn.REQUIRED: Figure(
                self.tr("Contacts"),
                lambda row: number(row.required),
                lambda row: row.required,
                drill(incomplete=False),
                about=self.tr("Contacts that required a checklist"),
            ),
            ChecklistColumn.INCOMPLETE: Figure(
                self.tr("Incomplete"),
                lambda row: number(row.required - row.complete),
                lambda row: row.required - row.complete,
                drill(incomplete=True),
                about=self.tr("Contacts with a required item not ticked"),
            ),
            ChecklistColumn.RATE: Figure(
                self.tr("Completion"),
                lambda row: percent(row.rate),
                lambda row: _rate_key(row.rate),
                drill(incomplete=True),
                lambda row: self.tr("{part} of {whole}").format(
                    part=number(row.complete), whole=number(row.required)
                ),
            ),
        }
        return tuple(figures[column] for column in ChecklistColumn)

    def emotion_text(self, row: ChecklistByEmotion) -> str:
        if row.emotion is None:
            return self.tr("(no emotion recorded)")
        return emotion_name(row.emotion, self.formats.language)


class BlockColumn(enum.IntEnum):
    RULE = 0
    BLOCKS = 1


class BlockTableModel(FigureModel):
    """Compliance blocks by the rule that stopped the dial, in the UI language."""

    def figures(self) -> tuple[Figure, ...]:
        language = self.formats.language
        figures = {
            BlockColumn.RULE: Figure(
                self.tr("Rule"),
                lambda row: row.rule_text.text(language),
                lambda row: row.rule_text.text(language),
                tooltip=lambda row: row.rule,
                numeric=False,
            ),
            BlockColumn.BLOCKS: Figure(
                self.tr("Blocks"),
                lambda row: self.formats.number(row.blocks),
                lambda row: row.blocks,
                lambda row: (row.drill(),),
                about=self.tr("Dial attempts the rule stopped"),
            ),
        }
        return tuple(figures[column] for column in BlockColumn)


class EscalationColumn(enum.IntEnum):
    KIND = 0
    RAISED = 1
    UNACKNOWLEDGED = 2


class EscalationTableModel(FigureModel):
    """Escalations raised in the period by kind, and how many still wait for the lead."""

    def figures(self) -> tuple[Figure, ...]:
        language = self.formats.language
        number = self.formats.number
        figures = {
            EscalationColumn.KIND: Figure(
                self.tr("Kind"),
                lambda row: row.kind_text.text(language),
                lambda row: row.kind_text.text(language),
                numeric=False,
            ),
            EscalationColumn.RAISED: Figure(
                self.tr("Raised"),
                lambda row: number(row.raised),
                lambda row: row.raised,
                lambda row: (row.drill(),),
            ),
            EscalationColumn.UNACKNOWLEDGED: Figure(
                self.tr("Not acknowledged"),
                lambda row: number(row.unacknowledged),
                lambda row: row.unacknowledged,
                about=self.tr("Raised in the period and still waiting for a decision"),
            ),
        }
        return tuple(figures[column] for column in EscalationColumn)


Breakdown = TypeVar(
    "Breakdown", BucketMovement, ChecklistByEmotion, BlocksByRule, EscalationsByKind
)


def whose_rows(rows: Sequence[Breakdown], user_id: uuid.UUID | None) -> list[Breakdown]:
    """The breakdown rows of one collector, or the team's (None)."""
    return [row for row in rows if row.user_id == user_id]
