"""The queue as a table: one row per account, kept by key and updated in place."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

from app.services.contact.queue import Queue, QueueEntry
from app.ui.common.i18n import Formats
from app.ui.common.labels import decision_reason

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


# Looked up per cell and paint: plain tuples, not enum calls.
_COLUMNS = tuple(Column)
COLUMNS = len(_COLUMNS)


def key_of(entry: QueueEntry) -> str:
    return entry.loan_id.hex


class QueueModel(QAbstractTableModel):
    def __init__(
        self,
        formats: Formats,
        parent: QObject | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(parent)
        self.formats = formats
        # The window's clock: "today" for the status column is the collector's today.
        self.clock = clock
        self._entries: list[QueueEntry] = []
        self._keys: list[str] = []
        self._rows: dict[str, int] = {}

    # Qt's model interface.

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return _headers()[Column(section)]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = _COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == SORT_ROLE:
            return self._sort_value(entry, column)
        if role == KEY_ROLE:
            return self._keys[index.row()]
        if role == ALLOWED_ROLE:
            return entry.contact.allowed
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(entry, column)
        if role == Qt.ItemDataRole.ForegroundRole and not entry.contact.allowed:
            return QBrush(QApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # What the rows show.

    def _display(self, entry: QueueEntry, column: Column) -> str:
        match column:
            case Column.RANK:
                return str(entry.rank)
            case Column.BORROWER:
                return entry.borrower
            case Column.CONTRACT:
                return entry.contract_no
            case Column.DPD:
                return self.formats.number(entry.dpd)
            case Column.BUCKET:
                return entry.bucket
            case Column.OVERDUE:
                return self.formats.money(entry.overdue_amount)
            case Column.REASON:
                return entry.reasons[0].text(self.formats.language) if entry.reasons else ""
            case Column.STATUS:
                return self.status_text(entry)

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

    def _tooltip(self, entry: QueueEntry, column: Column) -> str | None:
        if column == Column.REASON:
            return "\n".join(reason.text(self.formats.language) for reason in entry.reasons)
        if column == Column.OVERDUE:
            return QApplication.translate(
                "QueueModel",
                "Principal {principal}\nInterest {interest}\nPenalty {penalty}\nFees {fees}",
            ).format(
                principal=self.formats.money(entry.principal),
                interest=self.formats.money(entry.interest),
                penalty=self.formats.money(entry.penalty),
                fees=self.formats.money(entry.fees),
            )
        if entry.contact.allowed:
            return None
        decision = entry.contact.decision
        reason = decision_reason(decision, self.formats.language)
        if decision.next_allowed_at is None:
            return QApplication.translate("QueueModel", "Blocked: {reason}").format(reason=reason)
        return QApplication.translate(
            "QueueModel", "Blocked: {reason}\nAllowed from {time}"
        ).format(reason=reason, time=self.formats.date_time(decision.next_allowed_at))

    def _sort_value(self, entry: QueueEntry, column: Column) -> Any:
        match column:
            case Column.RANK:
                return entry.rank
            case Column.DPD:
                return entry.dpd
            case Column.OVERDUE:
                return int(entry.overdue_amount * 100)
            case Column.STATUS:
                return (0 if entry.contact.allowed else 1) * 1_000_000 + entry.rank
            case _:
                return self._display(entry, column)

    # Reading rows from outside.

    def entry(self, row: int) -> QueueEntry:
        return self._entries[row]

    def key(self, row: int) -> str:
        return self._keys[row]

    def row_of(self, key: str) -> int | None:
        return self._rows.get(key)

    def entry_for(self, key: str) -> QueueEntry | None:
        row = self._rows.get(key)
        return None if row is None else self._entries[row]

    def entries(self) -> tuple[QueueEntry, ...]:
        return tuple(self._entries)

    # Updating.

    def set_queue(self, queue: Queue) -> None:
        """Bring the rows to `queue`, in its rank order, without ever resetting the model.

        Gone rows are removed, new ones inserted, a new ranking is a layout change (views keep
        their selection) and only rows whose content changed are repainted. Keeping the model
        in rank order spares the view's proxy from sorting thousands of rows in Python until
        the collector asks for another order.
        """
        fresh = {key_of(entry): entry for entry in queue.entries}
        gone = [row for row, key in enumerate(self._keys) if key not in fresh]
        for first, last in reversed(_ranges(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._entries[first : last + 1]
            del self._keys[first : last + 1]
            self.endRemoveRows()
        self._rows = {key: row for row, key in enumerate(self._keys)}
        changed = set()
        for row, key in enumerate(self._keys):
            entry = fresh[key]
            if entry != self._entries[row]:
                self._entries[row] = entry
                changed.add(key)
        new = [(key, entry) for key, entry in fresh.items() if key not in self._rows]
        if new:
            start = len(self._entries)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            for key, entry in new:
                self._rows[key] = len(self._entries)
                self._entries.append(entry)
                self._keys.append(key)
            self.endInsertRows()
        self._follow_ranking(list(fresh))
        last_column = COLUMNS - 1
        for first, last in _ranges([self._rows[key] for key in changed]):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    def _follow_ranking(self, ranked: list[str]) -> None:
        """Reorder the rows to `ranked` (every key present) as one layout change."""
        if ranked == self._keys:
            return
        self.layoutAboutToBeChanged.emit()
        position = {key: row for row, key in enumerate(ranked)}
        old = self.persistentIndexList()
        moved = [self.index(position[self._keys[index.row()]], index.column()) for index in old]
        self._entries = [self._entries[self._rows[key]] for key in ranked]
        self._keys = ranked
        self._rows = position
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    def refresh_times(self) -> None:
        """Repaint the status column (its 'from HH:MM' depends on today's date)."""
        if self._entries:
            column = int(Column.STATUS)
            self.dataChanged.emit(
                self.index(0, column),
                self.index(len(self._entries) - 1, column),
                [Qt.ItemDataRole.DisplayRole],
            )


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] → [(1, 3), (7, 8)]: contiguous blocks for begin/end calls."""
    blocks: list[tuple[int, int]] = []
    for row in sorted(rows):
        if blocks and blocks[-1][1] == row - 1:
            blocks[-1] = (blocks[-1][0], row)
        else:
            blocks.append((row, row))
    return blocks


_NUMERIC = {Column.RANK, Column.DPD, Column.OVERDUE}


def _headers() -> dict[Column, str]:
    # Spelled out in full each time: lupdate only recognises the literal call.
    return {
        Column.RANK: QApplication.translate("QueueModel", "#"),
        Column.BORROWER: QApplication.translate("QueueModel", "Borrower"),
        Column.CONTRACT: QApplication.translate("QueueModel", "Contract"),
        Column.DPD: QApplication.translate("QueueModel", "DPD"),
        Column.BUCKET: QApplication.translate("QueueModel", "Bucket"),
        Column.OVERDUE: QApplication.translate("QueueModel", "Overdue"),
        Column.REASON: QApplication.translate("QueueModel", "Top reason"),
        Column.STATUS: QApplication.translate("QueueModel", "Contact status"),
    }


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
        model = self.sourceModel()
        assert isinstance(model, QueueModel)
        entry = model.entry(source_row)
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
        if self._matches is not None and model.key(source_row) in self._matches:
            return True
        return self._text in entry.borrower.casefold() or self._text in entry.contract_no.casefold()
