"""The collector's own day (`contact.my_day`): what is due when the shift opens, and what the day
came to at its end.

`DueTodayDock` is a panel above the window's work, shown when the shift opens if anything is
due (callbacks and promises due today) and closed with one key or click: it never stands
between the collector and the queue. `MyDayDialog` is the end of the day on demand (the day's
attempts, contacts, right-party contacts, promises and their amount, each outcome, tomorrow's
callbacks), a window beside the main one. Choosing an account in either emits
`account_requested(key)`, with the queue's key of the account; the main window opens it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QCoreApplication, QDate, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.common.money import ZERO
from app.services.contact.my_day import (
    DueCallback,
    DuePromise,
    EndOfDay,
    OutcomeCount,
    StartOfDay,
    end_of_day,
    start_of_day,
    today,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.i18n import Formats
from app.ui.common.labels import spoken
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table

# The account's key of a row, for the view and the tests.
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
# Rows a list of the panel shows before it scrolls: the panel stays a strip above the work.
PANEL_ROWS = 4

CallbackModel = RowTableModel[DueCallback, uuid.UUID]
PromiseModel = RowTableModel[DuePromise, uuid.UUID]
OutcomeModel = RowTableModel[OutcomeCount, str]


def callback_model(formats: Formats, parent: QWidget | None = None) -> CallbackModel:
    """Callbacks: when (the lender's time), the account, the borrower, the note."""
    return CallbackModel(
        lambda row: row.id,
        [
            TableColumn(
                QCoreApplication.translate("MyDay", "Time"), lambda row: formats.time(row.due_at)
            ),
            TableColumn(
                QCoreApplication.translate("MyDay", "Contract"), lambda row: row.contract_no
            ),
            TableColumn(QCoreApplication.translate("MyDay", "Borrower"), lambda row: row.borrower),
            TableColumn(
                QCoreApplication.translate("MyDay", "Note"),
                lambda row: row.note or "",
                tooltip=lambda row: row.note,
            ),
        ],
        roles={KEY_ROLE: lambda row: row.key},
        parent=parent,
    )


def promise_model(formats: Formats, parent: QWidget | None = None) -> PromiseModel:
    """Promises due: the account, the borrower, the amount, what is paid of it so far."""
    return PromiseModel(
        lambda row: row.id,
        [
            TableColumn(
                QCoreApplication.translate("MyDay", "Contract"), lambda row: row.contract_no
            ),
            TableColumn(QCoreApplication.translate("MyDay", "Borrower"), lambda row: row.borrower),
            TableColumn(
                QCoreApplication.translate("MyDay", "Promised"),
                lambda row: formats.money(row.amount, row.currency),
                align=RIGHT,
            ),
            TableColumn(
                QCoreApplication.translate("MyDay", "Paid so far"),
                lambda row: formats.money(row.paid, row.currency),
                align=RIGHT,
            ),
        ],
        roles={KEY_ROLE: lambda row: row.key},
        parent=parent,
    )


def outcome_model(formats: Formats, parent: QWidget | None = None) -> OutcomeModel:
    return OutcomeModel(
        lambda row: row.code,
        [
            TableColumn(
                QCoreApplication.translate("MyDay", "Outcome"),
                lambda row: row.text.text(formats.language),
            ),
            TableColumn(
                QCoreApplication.translate("MyDay", "Attempts"),
                lambda row: formats.number(row.count),
                align=RIGHT,
            ),
        ],
        parent=parent,
    )


def _fitted(table: QTableView, stretch: int) -> QTableView:
    """Columns as wide as their contents, `stretch` taking the room left."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _account_table(model: CallbackModel | PromiseModel, name: str, stretch: int) -> QTableView:
    table = _fitted(list_table(model, name), stretch)
    table.setToolTip(QCoreApplication.translate("MyDay", "Click an account to open it"))
    return table


def _key_of(index: QModelIndex) -> str | None:
    key = index.data(KEY_ROLE) if index.isValid() else None
    return None if key is None else str(key)


class DueTodayPanel(QWidget):
    """Today's callbacks and promises due, side by side; a click on one opens its account.

    Signals: `account_requested(key)`; `dismissed()` when the collector closes the panel.
    """

    account_requested = Signal(str)
    dismissed = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.start: StartOfDay | None = None
        self.setAccessibleName(self.tr("Due today"))
        self.title = QLabel()
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.dismiss = QPushButton(self.tr("&Dismiss"))
        self.dismiss.setAccessibleName(self.tr("Dismiss the day's summary"))
        self.dismiss.setToolTip(self.tr("Close this panel; “Due today” in the menu shows it again"))
        self.callbacks = callback_model(context.formats, self)
        self.promises = promise_model(context.formats, self)
        self.callbacks_title = QLabel()
        self.promises_title = QLabel()
        self.callback_table = _account_table(self.callbacks, self.tr("Callbacks due today"), 3)
        self.promise_table = _account_table(self.promises, self.tr("Promises due today"), 1)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.dismiss)
        lists = QHBoxLayout()
        for caption, table in (
            (self.callbacks_title, self.callback_table),
            (self.promises_title, self.promise_table),
        ):
            column = QVBoxLayout()
            column.addWidget(caption)
            column.addWidget(table, 1)
            lists.addLayout(column, 1)
            table.clicked.connect(self._chosen)
            table.activated.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 4)
        layout.addLayout(top)
        layout.addLayout(lists, 1)
        self.dismiss.clicked.connect(self.dismissed)

    def sizeHint(self) -> QSize:
        # As tall as its lists' rows (PANEL_ROWS at most), no taller: on a 1366×768 screen the
        # work below keeps its room; the collector may drag the panel taller.
        hint = super().sizeHint()
        return QSize(hint.width(), self.minimumSizeHint().height())

    def show_start(self, start: StartOfDay) -> None:
        self.start = start
        formats = self.context.formats
        self.title.setText(
            self.tr("Due today, {day}").format(day=formats.long_date(start.day))
            if not start.empty
            else self.tr("Nothing due today ({day}): no callbacks, no promises").format(
                day=formats.long_date(start.day)
            )
        )
        self.callbacks.set_rows(start.callbacks)
        self.promises.set_rows(start.promises)
        self.callbacks_title.setText(
            self.tr("Callbacks: {count}").format(count=formats.number(len(start.callbacks)))
        )
        self.promises_title.setText(
            self.tr("Promises to pay: {count}").format(count=formats.number(len(start.promises)))
        )
        for table in (self.callback_table, self.promise_table):
            rows = max(1, min(PANEL_ROWS, table.model().rowCount()))
            table.setMinimumHeight(
                table.horizontalHeader().sizeHint().height()
                + rows * table.verticalHeader().defaultSectionSize()
                + 2 * table.frameWidth()
            )

    def _chosen(self, index: QModelIndex) -> None:
        key = _key_of(index)
        if key is not None:
            self.account_requested.emit(key)


class DueTodayDock(QDockWidget):
    """The panel of what is due today, above the window's work: shown when the shift opens if
    anything is due, closed by its Dismiss button or the dock's own close button.

    Signals: `account_requested(key)`; `loaded(StartOfDay)` when a read came in.
    """

    account_requested = Signal(str)
    loaded = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        # The window saves its docks' places by name.
        self.setObjectName("due-today")
        self.setWindowTitle(self.tr("My day: due today"))
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.panel = DueTodayPanel(context, self)
        self.setWidget(self.panel)
        self._read = Latest()
        self.panel.account_requested.connect(self.account_requested)
        self.panel.dismissed.connect(self.close)

    def load(self, day: dt.date | None = None, *, reveal: bool = False) -> None:
        """Read what is due on `day` (default: today); with `reveal`, show the panel if anything
        is, and hide it if nothing is (the shift's start)."""
        self._read.run(
            self.context,
            start_of_day,
            self.context.username,
            day or today(self.context.clock()),
            on_done=lambda start: self._loaded(start, reveal),
            on_error=lambda _error: None,
        )

    def _loaded(self, start: StartOfDay, reveal: bool) -> None:
        self.panel.show_start(start)
        if reveal:
            self.setVisible(not start.empty)
        self.loaded.emit(start)


class MyDayDialog(QDialog):
    """The end of a day: its figures as the team lead's dashboard counts them, each outcome,
    and the callbacks due the next day (a click on one opens its account).

    Signals: `account_requested(key)`; `loaded(EndOfDay)` when a read came in.
    """

    account_requested = Signal(str)
    loaded = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.end: EndOfDay | None = None
        self._read = Latest()
        self.setWindowTitle(self.tr("My day"))
        formats = context.formats

        self.day = QDateEdit()
        self.day.setAccessibleName(self.tr("Day"))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(formats.locale.dateFormat(formats.locale.FormatType.ShortFormat))
        self.title = QLabel()
        bold = QFont(self.title.font())
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.3)
        self.title.setFont(bold)

        self._captions = {
            "attempts": self.tr("Attempts"),
            "contacts": self.tr("Contacts (answered)"),
            "rpcs": self.tr("Right-party contacts"),
            "ptps": self.tr("Promises to pay made"),
            "promised": self.tr("Amount promised"),
        }
        self.values: dict[str, QLabel] = {}
        figures = QFormLayout()
        for key, caption in self._captions.items():
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            figures.addRow(QLabel(caption), value)
            self.values[key] = value

        self.outcomes = outcome_model(formats, self)
        self.outcome_table = _fitted(list_table(self.outcomes, self.tr("Outcomes of the day")), 0)
        self.tomorrow_title = QLabel()
        self.tomorrow = callback_model(formats, self)
        self.tomorrow_table = _account_table(
            self.tomorrow, self.tr("Callbacks due the next day"), 3
        )

        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))

        pick = QHBoxLayout()
        pick.addWidget(self.title, 1)
        day_label = QLabel(self.tr("&Day:"))
        day_label.setBuddy(self.day)
        pick.addWidget(day_label)
        pick.addWidget(self.day)
        left = QVBoxLayout()
        left.addLayout(figures)
        left.addWidget(QLabel(self.tr("Outcomes")))
        left.addWidget(self.outcome_table, 1)
        right = QVBoxLayout()
        right.addWidget(self.tomorrow_title)
        right.addWidget(self.tomorrow_table, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(pick)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

        self.close_button.clicked.connect(self.close)
        self.tomorrow_table.clicked.connect(self._chosen)
        self.tomorrow_table.activated.connect(self._chosen)
        self.resize(820, 480)
        self.show_day(today(context.clock()))
        self.day.dateChanged.connect(lambda _date: self.refresh())

    def show_day(self, day: dt.date) -> None:
        """Show `day`'s summary (read in the background)."""
        self.day.blockSignals(True)
        self.day.setMaximumDate(_qdate(max(day, today(self.context.clock()))))
        self.day.setDate(_qdate(day))
        self.day.blockSignals(False)
        self.refresh()

    def chosen_day(self) -> dt.date:
        chosen = self.day.date()
        return dt.date(chosen.year(), chosen.month(), chosen.day())

    def refresh(self) -> None:
        self._read.run(
            self.context,
            end_of_day,
            self.context.username,
            self.chosen_day(),
            on_done=self._loaded,
            on_error=self._failed,
        )

    @property
    def loading(self) -> bool:
        return self._read.busy

    def _loaded(self, end: EndOfDay) -> None:
        self.end = end
        formats = self.context.formats
        self.title.setText(self.tr("My day, {day}").format(day=formats.long_date(end.day)))
        promised = " + ".join(
            formats.money(amount, currency) for currency, amount in end.promised.items()
        ) or formats.money(ZERO)
        shown = {
            "attempts": formats.number(end.attempts),
            "contacts": formats.number(end.contacts),
            "rpcs": formats.number(end.rpcs),
            "ptps": formats.number(end.ptps),
            "promised": promised,
        }
        for key, text in shown.items():
            self.values[key].setText(text)
            self.values[key].setAccessibleName(spoken(self._captions[key], text))
        self.outcomes.set_rows(end.outcomes)
        self.tomorrow.set_rows(end.callbacks_tomorrow)
        self.tomorrow_title.setText(
            self.tr("Callbacks due {day}: {count}").format(
                day=formats.long_date(end.day + dt.timedelta(days=1)),
                count=formats.number(len(end.callbacks_tomorrow)),
            )
        )
        self.loaded.emit(end)

    def _failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Could not read the day"), error_text(error))

    def _chosen(self, index: QModelIndex) -> None:
        key = _key_of(index)
        if key is not None:
            self.account_requested.emit(key)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
