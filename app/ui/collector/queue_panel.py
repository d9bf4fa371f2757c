"""The left panel: the ranked queue with its filters and search box.

An account opens when the collector moves to its row (arrow keys, a click). Nothing else in
the panel opens one: a filter or a search that hides the open account leaves it open (no row
is highlighted until the collector picks one), and text typed while the table has the focus
goes to the search box, rather than jumping to the first row whose rank starts with that digit
and so asking to leave a call with no outcome saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.common.reference import buckets
from app.services.contact.queue import Queue
from app.services.portfolio.search import MIN_PHONE_DIGITS, find_accounts
from app.ui.collector.queue_model import KEY_ROLE, Column, QueueFilter, QueueModel, StatusFilter
from app.ui.common.context import Context
from app.ui.common.fill_columns import FillColumns
from app.ui.common.runner import Latest

SEARCH_DELAY_MS = 250


class QueueTable(QTableView):
    """The queue's table: typed text is handed on (`typed`), never a keyboard search."""

    typed = Signal(str)

    def keyboardSearch(self, search: str) -> None:
        # Qt's own jumps to the first row whose first column (the rank) starts with the text.
        pass

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        command = event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if text and text.isprintable() and not text.isspace() and not command:
            self.typed.emit(text)
            return
        super().keyPressEvent(event)


class QueuePanel(QWidget):
    """Emits `account_chosen(key)` when the collector moves to another row."""

    account_chosen = Signal(str)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setAccessibleName(self.tr("Account queue"))
        self.setAccessibleDescription(
            self.tr("The accounts to work, most urgent first, with search and filters (Alt+1)")
        )
        self.model = QueueModel(context.formats, self, clock=lambda: context.clock())
        self.proxy = QueueFilter(self)
        self.proxy.setSourceModel(self.model)
        self._search = Latest()

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search name, contract or phone number"))
        self.search.setAccessibleName(self.tr("Search the queue"))
        self.search.setClearButtonEnabled(True)
        self.bucket = QComboBox()
        self.bucket.setAccessibleName(self.tr("Bucket filter"))
        self.bucket.addItem(self.tr("All buckets"), "")
        for bucket in buckets():
            self.bucket.addItem(bucket.code, bucket.code)
        self.status = QComboBox()
        self.status.setAccessibleName(self.tr("Status filter"))
        for label, value in (
            (self.tr("All accounts"), StatusFilter.ALL),
            (self.tr("Callable now"), StatusFilter.CALLABLE),
            (self.tr("Blocked now"), StatusFilter.BLOCKED),
            (self.tr("Callbacks and promises"), StatusFilter.PRIORITY),
        ):
            self.status.addItem(label, value)

        self.table = QueueTable()
        self.table.setAccessibleName(self.tr("Queue"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # The model is kept in rank order, so "by rank" needs no sorting at all; the proxy
        # sorts (in Python, so slowly for thousands of rows) only for another column.
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(Column.RANK, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.sort_by)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in _WIDTHS.items():
            self.table.setColumnWidth(column, width)
        # The reason and the status share what the other columns leave (their tooltips say
        # it all where it is still cut); on a small screen the table scrolls to them.
        self.fill = FillColumns(self.table, {Column.REASON: 20, Column.STATUS: 14})
        self.count = QLabel()
        self.count.setAccessibleName(self.tr("Accounts shown"))

        filters = QHBoxLayout()
        filters.addWidget(self.bucket)
        filters.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.setTabOrder(self.search, self.bucket)
        self.setTabOrder(self.bucket, self.status)
        self.setTabOrder(self.status, self.table)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_numbers)
        self.search.textChanged.connect(self._search_typed)
        self.table.typed.connect(self._type_into_search)
        self._reshaping = False
        # The account chosen last: still the queue's choice while a filter hides its row.
        self._chosen: str | None = None
        self.bucket.currentIndexChanged.connect(
            lambda: self._reshape(lambda: self.proxy.set_bucket(self.bucket.currentData()))
        )
        self.status.currentIndexChanged.connect(
            lambda: self._reshape(lambda: self.proxy.set_status(self.status.currentData()))
        )
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset):
            signal.connect(self._count_changed)
        self.proxy.layoutChanged.connect(self._count_changed)

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        if column == Column.RANK and order == Qt.SortOrder.AscendingOrder:
            self.proxy.sort(-1)
        else:
            self.proxy.sort(column, order)

    # Data in.

    def set_queue(self, queue: Queue) -> None:
        self.model.set_queue(queue)
        self._count_changed()

    # Moving around.

    def current_key(self) -> str | None:
        """The account chosen: the current row's, or the one a filter hides now."""
        index = self.table.currentIndex()
        if index.isValid():
            return str(index.data(KEY_ROLE))
        chosen = self._chosen
        return chosen if chosen is not None and self.model.row_of(chosen) is not None else None

    def select_key(self, key: str) -> bool:
        row = self.model.row_of(key)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self._select(index)
        return True

    def select_next_callable(self, after: str | None) -> str | None:
        """Select the first callable account below `after` in the view's order (wrapping)."""
        rows = self.proxy.rowCount()
        start = 0
        if after is not None and (row := self.model.row_of(after)) is not None:
            start = self.proxy.mapFromSource(self.model.index(row, 0)).row() + 1
        for step in range(rows):
            index = self.proxy.index((start + step) % rows, 0)
            source = self.model.row_at(self.proxy.mapToSource(index).row())
            if source.contact.allowed and str(index.data(KEY_ROLE)) != after:
                self._select(index)
                return str(index.data(KEY_ROLE))
        return None

    def select_first(self) -> str | None:
        if self.proxy.rowCount() == 0:
            return None
        index = self.proxy.index(0, 0)
        self._select(index)
        return str(index.data(KEY_ROLE))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _select(self, index: QModelIndex) -> None:
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._reshaping:
            self._chosen = str(current.data(KEY_ROLE))
            self.account_chosen.emit(self._chosen)

    def _reshape(self, change: Callable[[], None]) -> None:
        """Filter the view without opening another account: the row open before stays
        highlighted while it is shown; hidden, no row is, until the collector picks one."""
        with self._quietly():
            chosen = self.current_key()
            change()
            if chosen is None or not self.select_key(chosen):
                self.table.selectionModel().clear()

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        was, self._reshaping = self._reshaping, True
        try:
            yield
        finally:
            self._reshaping = was

    # Search.

    def _type_into_search(self, text: str) -> None:
        """Text typed in the table: a search, the way Ctrl+F then typing is one."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.insert(text)

    def _search_typed(self, text: str) -> None:
        self._search.cancel()
        self._reshape(lambda: self.proxy.set_search(text))
        if len(re.sub(r"\D", "", text)) >= MIN_PHONE_DIGITS:
            self._search_timer.start()
        else:
            self._search_timer.stop()

    def _search_numbers(self) -> None:
        text = self.search.text()
        self._search.run(
            self.context,
            find_accounts,
            self.context.username,
            text,
            on_done=lambda keys: self._found(text, keys),
        )

    def _found(self, text: str, keys: frozenset[str]) -> None:
        if text == self.search.text():
            self._reshape(lambda: self.proxy.set_search(text, keys))

    def _count_changed(self, *_args: object) -> None:
        self.count.setText(
            self.tr("{shown} of {total} accounts").format(
                shown=self.context.formats.number(self.proxy.rowCount()),
                total=self.context.formats.number(self.model.rowCount()),
            )
        )


_WIDTHS = {
    Column.RANK: 44,
    Column.BORROWER: 72,
    Column.CONTRACT: 120,
    Column.DPD: 48,
    Column.BUCKET: 52,
    Column.OVERDUE: 96,
}
