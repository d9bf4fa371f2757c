"""The one table model of the window: rows kept by key, columns declared as data.

A `RowTableModel` shows a list of rows (any objects: a service's views, usually frozen
dataclasses) through `TableColumn`s, each of which says how a row reads in it: its header, its text,
and, where it has them, its alignment, tooltip, sort key and any other role. Roles that do not
depend on the column (a row's id for the view, bold type for a new row) are given once, to the
model. Every role nothing answers reads None.

A new list replaces the old one whole (`set_rows`, a reset); one row that changed is repainted
alone (`update_row`); a list that keeps most of its rows and their order comes in row by row
(`merge_rows`), so that views keep their selection. A model that updates its rows some other way
subclasses this one and changes them through `_insert_rows`, `_remove_rows`, `_replace_rows`,
`_move_row` and `_arrange`, saying what changed with `_rows_changed`.

The header texts come translated: the caller translates them with its own `tr` (or
`QCoreApplication.translate` and the catalogue's context, spelled out so that lupdate finds it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

Row = TypeVar("Row")
Key = TypeVar("Key", bound=Hashable)
Index = QModelIndex | QPersistentModelIndex
# What a cell answers for one role, from its row.
Reader = Callable[[Any], Any]

DISPLAY = Qt.ItemDataRole.DisplayRole
# The alignment of numbers: right, centred vertically.
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class TableColumn(Generic[Row]):
    """One column: how a row reads in it.

    `align` is the cell's `TextAlignmentRole` (e.g. `RIGHT`), for every row; `tooltip` its
    `ToolTipRole`; `sort` its value for the model's sort role (the displayed text when None);
    `header_tooltip` explains the header; `roles` answers any other role of the column's cells
    (a check box, an icon), read before the model's own roles.
    """

    header: str
    display: Callable[[Row], str]
    align: int | None = None
    tooltip: Callable[[Row], Any] | None = None
    sort: Callable[[Row], Any] | None = None
    header_tooltip: str | None = None
    roles: Mapping[int, Callable[[Row], Any]] = field(default_factory=dict)


class RowTableModel(QAbstractTableModel, Generic[Row, Key]):
    """Rows as a table, found again by their key (`key(row)`, unique in the list).

    `roles`: what a row answers for roles that are the same in every column (read after the
    column's own). `sort_role`: the role a sorting proxy reads; each column answers it with its
    `sort` key, or its text.
    """

    def __init__(
        self,
        key: Callable[[Row], Key],
        columns: Sequence[TableColumn[Row]] = (),
        *,
        roles: Mapping[int, Callable[[Row], Any]] | None = None,
        sort_role: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._key = key
        self._sort_role = sort_role
        self._rows: list[Row] = []
        # Where each key is; None until asked after the rows moved (built again then).
        self._positions: dict[Key, int] | None = {}
        self._columns: tuple[TableColumn[Row], ...] = ()
        self._readers: tuple[dict[int, Reader], ...] = ()
        self._row_roles: dict[int, Reader] = {}
        self.set_columns(columns, roles=roles)

    def set_columns(
        self,
        columns: Sequence[TableColumn[Row]],
        *,
        roles: Mapping[int, Callable[[Row], Any]] | None = None,
    ) -> None:
        """Declare the columns (and the row-wide `roles`, when given): a reset of the model.

        For a subclass whose columns need the model built first (its `tr`, its state)."""
        self.beginResetModel()
        self._columns = tuple(columns)
        self._readers = tuple(self._readers_of(column) for column in self._columns)
        if roles is not None:
            self._row_roles = dict(roles)
        self.endResetModel()

    def _readers_of(self, column: TableColumn[Row]) -> dict[int, Reader]:
        readers: dict[int, Reader] = {DISPLAY: column.display}
        if column.align is not None:
            align = column.align
            readers[Qt.ItemDataRole.TextAlignmentRole] = lambda _row: align
        if column.tooltip is not None:
            readers[Qt.ItemDataRole.ToolTipRole] = column.tooltip
        if self._sort_role is not None:
            readers[self._sort_role] = column.sort or column.display
        readers.update(column.roles)
        return readers

    # Qt's model interface.

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == DISPLAY:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole and column.header_tooltip:
            return column.header_tooltip
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        number = index.row()
        if not 0 <= number < len(self._rows):
            return None
        reader = self._readers[index.column()].get(role) or self._row_roles.get(role)
        return None if reader is None else reader(self._rows[number])

    # Reading rows.

    @property
    def columns(self) -> tuple[TableColumn[Row], ...]:
        return self._columns

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every row, in the model's order."""
        return tuple(self._rows)

    def row_at(self, number: int) -> Row:
        return self._rows[number]

    def key_at(self, number: int) -> Key:
        return self._key(self._rows[number])

    def row_for(self, index: Index) -> Row | None:
        """The row an index shows: one of this model's, or of a proxy (or proxies) over it."""
        model: QAbstractItemModel | None = index.model()
        while model is not self and isinstance(model, QAbstractProxyModel):
            index = model.mapToSource(index)
            model = index.model()
        if not index.isValid() or model is not self or index.row() >= len(self._rows):
            return None
        return self._rows[index.row()]

    def row_of(self, key: Key) -> int | None:
        """The row number of `key`, if it is shown."""
        if self._positions is None:
            self._positions = {self._key(row): number for number, row in enumerate(self._rows)}
        return self._positions.get(key)

    def row_by_key(self, key: Key) -> Row | None:
        number = self.row_of(key)
        return None if number is None else self._rows[number]

    def index_of(self, key: Key, column: int = 0) -> QModelIndex:
        """The index of `key`'s row in `column`; an invalid one when it is not shown."""
        number = self.row_of(key)
        return QModelIndex() if number is None else self.index(number, column)

    # Changing rows.

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Show `rows` instead of the current ones: a reset."""
        self.beginResetModel()
        self._rows = list(rows)
        self._positions = None
        self.endResetModel()

    def update_row(self, key: Key, row: Row, roles: Sequence[int] = ()) -> bool:
        """Show `row` in place of `key`'s (repainting that row alone, for `roles` or all of
        them); False when `key` is not shown."""
        number = self.row_of(key)
        if number is None:
            return False
        self._replace_rows(number, (row,))
        self._rows_changed(number, number, roles)
        return True

    def merge_rows(self, rows: Sequence[Row]) -> None:
        """Bring the rows to `rows`, in their order, without a reset (views keep their
        selection): rows gone, or out of their new order, are removed, new ones inserted where
        they belong, and the ones that changed (`!=`) repainted, one row at a time."""
        key = self._key
        wanted = {key(row): position for position, row in enumerate(rows)}
        last = -1
        number = 0
        while number < len(self._rows):
            position = wanted.get(key(self._rows[number]))
            if position is None or position < last:
                self._remove_rows(number, number)
            else:
                last = position
                number += 1
        # What is left is in the new order: walk it, inserting what is missing.
        for number, row in enumerate(rows):
            if number < len(self._rows) and key(self._rows[number]) == key(row):
                if self._rows[number] != row:
                    self._replace_rows(number, (row,))
                    self._rows_changed(number, number)
                continue
            self._insert_rows(number, (row,))

    # For subclasses that change their rows their own way: they read `self._rows` and change
    # it only through these.

    def _insert_rows(self, at: int, rows: Sequence[Row]) -> None:
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), at, at + len(rows) - 1)
        self._rows[at:at] = rows
        self._positions = None
        self.endInsertRows()

    def _remove_rows(self, first: int, last: int) -> None:
        self.beginRemoveRows(QModelIndex(), first, last)
        del self._rows[first : last + 1]
        self._positions = None
        self.endRemoveRows()

    def _replace_rows(self, first: int, rows: Sequence[Row]) -> None:
        """Put `rows` in place of as many rows from `first` on, without a signal (the caller
        says which changed, with `_rows_changed`)."""
        end = first + len(rows)
        if [self._key(row) for row in self._rows[first:end]] != [self._key(row) for row in rows]:
            self._positions = None
        self._rows[first:end] = rows

    def _move_row(self, number: int, to: int) -> None:
        """Move one row to position `to` (every row between shifts by one)."""
        # Qt names the row before which the moved one lands: one further when moving down.
        self.beginMoveRows(QModelIndex(), number, number, QModelIndex(), to + (to > number))
        self._rows.insert(to, self._rows.pop(number))
        self._positions = None
        self.endMoveRows()

    def _rows_changed(self, first: int, last: int, roles: Sequence[int] = ()) -> None:
        """Repaint rows `first` to `last`, every column, for `roles` (all of them when none)."""
        self.dataChanged.emit(
            self.index(first, 0), self.index(last, len(self._columns) - 1), list(roles)
        )

    def _arrange(self, keys: Sequence[Key]) -> None:
        """Put the rows in the order of `keys` (every shown key, once) as one layout change:
        views keep their selection and current row."""
        current = [self._key(row) for row in self._rows]
        if list(keys) == current:
            return
        self.layoutAboutToBeChanged.emit()
        target = {key: number for number, key in enumerate(keys)}
        old = self.persistentIndexList()
        moved = [self.index(target[current[index.row()]], index.column()) for index in old]
        by_key = dict(zip(current, self._rows, strict=True))
        self._rows = [by_key[key] for key in keys]
        self._positions = target
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()
