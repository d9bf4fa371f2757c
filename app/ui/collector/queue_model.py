"""The queue as a table: one row per account, kept by key and updated in place."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication

from app.services.contact.queue import Queue, QueueEntry
from app.ui.common.i18n import Formats
from app.ui.common.labels import decision_reason
from app.ui.common.look import Ink, ink
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn

Index = QModelIndex | QPersistentModelIndex

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ALLOWED_ROLE = Qt.ItemDataRole.UserRole + 3


class Column(enum.IntEnum):
    RANK = 0
    BORROWER = 1
    CONTRACT = 2
    DPD = 3
    BUCKET = 4
    OVERDUE = 5
    REASON = 6
    STATUS = 7


def key_of(entry: QueueEntry) -> str:
    return entry.loan_hex


class QueueModel(RowTableModel[QueueEntry, str]):
    """The queue, one row per account, kept by key (`key_of`) and in rank order."""

    def __init__(
        self,
        formats: Formats,
        parent: QObject | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(key_of, sort_role=SORT_ROLE, parent=parent)
        self.formats = formats
        # The window's clock: "today" for the status column is the collector's today.
        self.clock = clock
        self.set_columns(
            self._make_columns(),
            roles={
                KEY_ROLE: key_of,
                ALLOWED_ROLE: lambda entry: entry.contact.allowed,
                Qt.ItemDataRole.ForegroundRole: _foreground,
                Qt.ItemDataRole.ToolTipRole: self._blocked_tooltip,
            },
        )

    # What the rows show.

    def _make_columns(self) -> list[TableColumn[QueueEntry]]:
        # Spelled out in full each time: lupdate only recognises the literal call.
        formats = self.formats
        columns: dict[Column, TableColumn[QueueEntry]] = {
            Column.RANK: TableColumn(
                QApplication.translate("QueueModel", "#"),
                lambda entry: str(entry.rank),
                align=RIGHT,
                sort=lambda entry: entry.rank,
            ),
            Column.BORROWER: TableColumn(
                QApplication.translate("QueueModel", "Borrower"),
                lambda entry: entry.borrower,
            ),
            Column.CONTRACT: TableColumn(
                QApplication.translate("QueueModel", "Contract"),
                lambda entry: entry.contract_no,
            ),
            Column.DPD: TableColumn(
                QApplication.translate("QueueModel", "DPD"),
                lambda entry: formats.number(entry.dpd),
                align=RIGHT,
                sort=lambda entry: entry.dpd,
            ),
            Column.BUCKET: TableColumn(
                QApplication.translate("QueueModel", "Bucket"),
                lambda entry: entry.bucket,
            ),
            Column.OVERDUE: TableColumn(
                QApplication.translate("QueueModel", "Overdue"),
                lambda entry: formats.money(entry.overdue_amount),
                align=RIGHT,
                tooltip=self._overdue_tooltip,
                sort=lambda entry: int(entry.overdue_amount * 100),
            ),
            Column.REASON: TableColumn(
                QApplication.translate("QueueModel", "Top reason"),
                lambda entry: entry.reasons[0].text(formats.language) if entry.reasons else "",
                tooltip=lambda entry: "\n".join(
                    reason.text(formats.language) for reason in entry.reasons
                ),
            ),
            Column.STATUS: TableColumn(
                QApplication.translate("QueueModel", "Contact status"),
                self.status_text,
                sort=lambda entry: (0 if entry.contact.allowed else 1) * 1_000_000 + entry.rank,
            ),
        }
        return [columns[column] for column in Column]

    def status_text(self, entry: QueueEntry) -> str:
        decision = entry.contact.decision
        if entry.contact.allowed:
            return QApplication.translate("QueueModel", "Callable")
        reason = decision_reason(decision, self.formats.language)
        if decision.next_allowed_at is None:
            return reason
        return QApplication.translate("QueueModel", "{reason} · from {time}").format(
            reason=reason, time=self.formats.when(decision.next_allowed_at, self.clock())
        )

    def _overdue_tooltip(self, entry: QueueEntry) -> str:
        return QApplication.translate(
            "QueueModel",
            "Principal {principal}\nInterest {interest}\nPenalty {penalty}\nFees {fees}",
        ).format(
            principal=self.formats.money(entry.principal),
            interest=self.formats.money(entry.interest),
            penalty=self.formats.money(entry.penalty),
            fees=self.formats.money(entry.fees),
        )

    def _blocked_tooltip(self, entry: QueueEntry) -> str | None:
        if entry.contact.allowed:
            return None
        decision = entry.contact.decision
        reason = decision_reason(decision, self.formats.language)
        if decision.next_allowed_at is None:
            return QApplication.translate("QueueModel", "Blocked: {reason}").format(reason=reason)
        return QApplication.translate(
            "QueueModel", "Blocked: {reason}\nAllowed from {time}"
        ).format(reason=reason, time=self.formats.date_time(decision.next_allowed_at))

    # Updating.

    def set_queue(self, queue: Queue) -> None:
        """Bring the rows to `queue`, in its rank order, without ever resetting the model.

        Gone rows are removed, new ones inserted, a new ranking is a layout change (views keep
        their selection) and only rows whose content changed are repainted. Keeping the model
        in rank order spares the view's proxy from sorting thousands of rows in Python until
        the collector asks for another order.
        """
        fresh = {key_of(entry): entry for entry in queue.entries}
        current = [key_of(entry) for entry in self._rows]
        gone = [row for row, key in enumerate(current) if key not in fresh]
        for first, last in reversed(_ranges(gone)):
            self._remove_rows(first, last)
        if gone:
            current = [key_of(entry) for entry in self._rows]
        changed = []
        for row, (key, entry) in enumerate(zip(current, self._rows, strict=True)):
            if fresh[key] != entry:
                self._replace_rows(row, (fresh[key],))
                changed.append(key)
        kept = set(current)
        self._insert_rows(
            len(self._rows), [entry for key, entry in fresh.items() if key not in kept]
        )
        self._arrange(list(fresh))
        rows = [self.row_of(key) for key in changed]
        for first, last in _ranges([row for row in rows if row is not None]):
            self._rows_changed(first, last)

    def refresh_times(self) -> None:
        """Repaint the status column (its 'from HH:MM' depends on today's date)."""
        if self._rows:
            column = int(Column.STATUS)
            self.dataChanged.emit(
                self.index(0, column),
                self.index(len(self._rows) - 1, column),
                [Qt.ItemDataRole.DisplayRole],
            )


def _foreground(entry: QueueEntry) -> QBrush | None:
    if entry.contact.allowed:
        return None
    return QBrush(ink(Ink.MUTED))


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] → [(1, 3), (7, 8)]: contiguous blocks for begin/end calls."""
    blocks: list[tuple[int, int]] = []
    for row in sorted(rows):
        if blocks and blocks[-1][1] == row - 1:
            blocks[-1] = (blocks[-1][0], row)
        else:
            blocks.append((row, row))
    return blocks


class StatusFilter(enum.Enum):
    ALL = "all"
    CALLABLE = "callable"
    BLOCKED = "blocked"
    PRIORITY = "priority"


class QueueFilter(QSortFilterProxyModel):
    """Bucket, contact status and a search box (name, contract, or a phone match set)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._bucket: str | None = None
        self._status = StatusFilter.ALL
        self._text = ""
        self._matches: frozenset[str] | None = None

    def set_bucket(self, bucket: str | None) -> None:
        self.beginFilterChange()
        self._bucket = bucket or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: StatusFilter) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str, matches: frozenset[str] | None = None) -> None:
        """Filter by `text` in names and contracts, or by keys a search service returned."""
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self._matches = matches
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._bucket is None and self._status is StatusFilter.ALL and not self._text:
            # No filter (as the window opens): asked for each of thousands of rows.
            return True
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        entry = model.row_at(source_row)
        if self._bucket is not None and entry.bucket != self._bucket:
            return False
        if self._status is StatusFilter.CALLABLE and not entry.contact.allowed:
            return False
        if self._status is StatusFilter.BLOCKED and entry.contact.allowed:
            return False
        if self._status is StatusFilter.PRIORITY and entry.tier is None:
            return False
        if not self._text:
            return True
        if self._matches is not None and model.key_at(source_row) in self._matches:
            return True
        return self._text in entry.borrower.casefold() or self._text in entry.contract_no.casefold()
