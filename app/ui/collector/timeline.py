"""The account's timeline: every contact, promise, payment, callback, plan, note, escalation,
home visit (asked for, planned, made with its outcome) and contact point collection learned.

Rows are rendered in the UI language from each item's kind and details (never from the
service's English summary, which is only the fallback for a kind this file does not know).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
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

from app.services.field.visits import visit_outcomes
from app.services.portfolio.accounts import HistoryItem
from app.ui.common.i18n import Formats
from app.ui.common.labels import (
    contact_channel_name,
    contact_kind_name,
    disposition_name,
    emotion_name,
    escalation_decision_name,
    escalation_name,
    payment_channel_name,
    payment_state_name,
    plan_status_name,
    promise_status_name,
)
from app.ui.common.table_model import RowTableModel, TableColumn

Index = QModelIndex | QPersistentModelIndex

KIND_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    WHEN = 0
    KIND = 1
    DETAILS = 2


# The kind filter: what the collector picks → the item kinds it shows (None: every kind).
FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("all", None),
    ("contacts", frozenset({"contact"})),
    ("promises", frozenset({"promise"})),
    ("payments", frozenset({"payment"})),
    ("callbacks", frozenset({"callback"})),
    ("plans", frozenset({"plan"})),
    ("notes", frozenset({"note"})),
    ("escalations", frozenset({"escalation"})),
    ("visits", frozenset({"visit", "visit_request"})),
    ("contact_points", frozenset({"contact_point"})),
)


def _filter_names() -> dict[str, str]:
    return {
        "all": QCoreApplication.translate("Timeline", "Everything"),
        "contacts": QCoreApplication.translate("Timeline", "Contacts"),
        "promises": QCoreApplication.translate("Timeline", "Promises"),
        "payments": QCoreApplication.translate("Timeline", "Payments"),
        "callbacks": QCoreApplication.translate("Timeline", "Callbacks"),
        "plans": QCoreApplication.translate("Timeline", "Plans"),
        "notes": QCoreApplication.translate("Timeline", "Notes"),
        "escalations": QCoreApplication.translate("Timeline", "Escalations"),
        "visits": QCoreApplication.translate("Timeline", "Home visits"),
        "contact_points": QCoreApplication.translate("Timeline", "Numbers and addresses added"),
    }


def kind_name(item: HistoryItem) -> str:
    channel = item.details.get("channel")
    if item.kind == "contact" and isinstance(channel, str):
        return contact_channel_name(channel)
    names = {
        "contact": QCoreApplication.translate("Timeline", "Contact"),
        "promise": QCoreApplication.translate("Timeline", "Promise"),
        "payment": QCoreApplication.translate("Timeline", "Payment"),
        "callback": QCoreApplication.translate("Timeline", "Callback"),
        "plan": QCoreApplication.translate("Timeline", "Plan"),
        "note": QCoreApplication.translate("Timeline", "Note"),
        "escalation": QCoreApplication.translate("Timeline", "Escalation"),
        "visit": QCoreApplication.translate("Timeline", "Home visit"),
        "visit_request": QCoreApplication.translate("Timeline", "Visit asked for"),
        "contact_point": QCoreApplication.translate("Timeline", "Contact point added"),
    }
    return names.get(item.kind, item.kind)


def duration_text(seconds: int) -> str:
    """`mm:ss`; minutes keep counting past the hour (a collector reads talk time in minutes)."""
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes:02d}:{rest:02d}"


def describe(item: HistoryItem, formats: Formats, currency: str = "CNY") -> str:
    """One line for `item` in the UI language."""
    details = item.details
    language = formats.language

    def money(key: str) -> str:
        try:
            return formats.money(Decimal(str(details[key])), currency)
        except (KeyError, InvalidOperation):
            return ""

    match item.kind:
        case "contact":
            parts = [disposition_name(str(details.get("disposition", "")), language)]
            if details.get("emotion"):
                parts.append(emotion_name(str(details["emotion"]), language))
            seconds = details.get("duration_seconds")
            if isinstance(seconds, int) and seconds > 0:
                parts.append(duration_text(seconds))
            if details.get("notes"):
                parts.append(
                    QCoreApplication.translate("Timeline", "“{notes}”").format(
                        notes=details["notes"]
                    )
                )
            return " · ".join(part for part in parts if part)
        case "promise":
            return QCoreApplication.translate("Timeline", "{amount} by {date}, {status}").format(
                amount=money("amount"),
                date=_date(details.get("date"), formats),
                status=promise_status_name(str(details.get("status", ""))),
            )
        case "payment":
            paid = QCoreApplication.translate("Timeline", "{amount} via {channel}").format(
                amount=money("amount"),
                channel=payment_channel_name(str(details.get("channel", ""))),
            )
            state = str(details.get("state", "received"))
            if state == "received":
                return paid
            return QCoreApplication.translate("Timeline", "{payment}, {state}").format(
                payment=paid, state=payment_state_name(state)
            )
        case "callback":
            when = _moment(details.get("due_at"), formats)
            if details.get("done"):
                return QCoreApplication.translate("Timeline", "Call back at {time}, done").format(
                    time=when
                )
            return QCoreApplication.translate("Timeline", "Call back at {time}").format(time=when)
        case "plan":
            return QCoreApplication.translate("Timeline", "{total}, {status}").format(
                total=money("total"), status=plan_status_name(str(details.get("status", "")))
            )
        case "note":
            text = str(details.get("text") or item.summary)
            author = details.get("author_name") or details.get("author")
            if not author:
                return text
            return QCoreApplication.translate("Timeline", "{author}: {text}").format(
                author=author, text=text
            )
        case "escalation":
            return _escalation(item, formats)
        case "visit":
            return _visit(item, formats)
        case "visit_request":
            return QCoreApplication.translate("Timeline", "{lead}: “{reason}”").format(
                lead=details.get("requested_by") or "", reason=details.get("reason") or ""
            )
        case "contact_point":
            parts = [contact_kind_name(str(details.get("kind", ""))), str(details.get("value", ""))]
            if details.get("contact_name"):
                parts.append(f"{details['contact_name']} ({details.get('relation') or ''})")
            if details.get("added_by"):
                parts.append(
                    QCoreApplication.translate("Timeline", "added by {name}").format(
                        name=details["added_by"]
                    )
                )
            return " · ".join(part for part in parts if part)
        case _:
            return item.summary


def _escalation(item: HistoryItem, formats: Formats) -> str:
    details = item.details
    parts = [escalation_name(str(details.get("kind", "")), formats.language)]
    decision = details.get("decision")
    parts.append(escalation_decision_name(str(decision) if decision else None))
    if details.get("note"):
        parts.append(
            QCoreApplication.translate("Timeline", "“{notes}”").format(notes=details["note"])
        )
    return " · ".join(part for part in parts if part)


def _visit(item: HistoryItem, formats: Formats) -> str:
    """A visit: its outcome once made (who went, what they noted), else when it is planned."""
    details = item.details
    status = details.get("status")
    agents = ", ".join(str(name) for name in details.get("agents") or ())
    if status == "done":
        code = str(details.get("outcome") or "")
        outcome = visit_outcomes().get(code)
        parts = [outcome.label(formats.language) if outcome else code]
        if details.get("emotion"):
            parts.append(emotion_name(str(details["emotion"]), formats.language))
        if agents:
            parts.append(agents)
        if details.get("notes"):
            parts.append(
                QCoreApplication.translate("Timeline", "“{notes}”").format(notes=details["notes"])
            )
        return " · ".join(part for part in parts if part)
    day = _date(details.get("planned_for"), formats)
    if status == "cancelled":
        return QCoreApplication.translate("Timeline", "Planned for {date}, cancelled").format(
            date=day
        )
    return QCoreApplication.translate("Timeline", "Planned for {date} · {agents}").format(
        date=day, agents=agents
    )


def _date(value: Any, formats: Formats) -> str:
    try:
        return formats.date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def _moment(value: Any, formats: Formats) -> str:
    try:
        return formats.date_time(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


@dataclass(frozen=True)
class TimelineRow:
    """One item with what its row shows, rendered once."""

    item: HistoryItem
    when: str
    kind: str
    details: str

    @property
    def text(self) -> str:
        """Everything the row shows, for the text filter."""
        return " ".join((self.when, self.kind, self.details))


class TimelineModel(RowTableModel[TimelineRow, int]):
    """The items of one account, newest first, each rendered once when the account is set."""

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(id, parent=parent)
        self.formats = formats
        columns: dict[Column, TableColumn[TimelineRow]] = {
            Column.WHEN: TableColumn(
                QCoreApplication.translate("Timeline", "When"),
                lambda row: row.when,
                tooltip=lambda row: row.when,
            ),
            Column.KIND: TableColumn(
                QCoreApplication.translate("Timeline", "What"),
                lambda row: row.kind,
                tooltip=lambda row: row.kind,
            ),
            Column.DETAILS: TableColumn(
                QCoreApplication.translate("Timeline", "Details"),
                lambda row: row.details,
                tooltip=lambda row: row.details,
            ),
        }
        self.set_columns(
            [columns[column] for column in Column], roles={KIND_ROLE: lambda row: row.item.kind}
        )

    def set_items(self, items: Sequence[HistoryItem], currency: str = "CNY") -> None:
        """Show another account's (or a reloaded) history: a new list, so a reset."""
        self.set_rows(
            TimelineRow(
                item,
                self.formats.date_time(item.at),
                kind_name(item),
                describe(item, self.formats, currency),
            )
            for item in sorted(items, key=lambda item: item.at, reverse=True)
        )


class TimelineFilter(QSortFilterProxyModel):
    """Kind filter and a text filter (every word typed must appear in the row)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kinds: frozenset[str] | None = None
        self._words: tuple[str, ...] = ()

    def set_kinds(self, kinds: frozenset[str] | None) -> None:
        self._refilter(lambda: setattr(self, "_kinds", kinds))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_words", tuple(text.casefold().split())))

    def _refilter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "endFilterChange"):
            # Qt 6.10 deprecates invalidateRowsFilter for this pair; older Qt lacks the pair.
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, TimelineModel)
        row = model.row_at(source_row)
        if self._kinds is not None and row.item.kind not in self._kinds:
            return False
        if not self._words:
            return True
        text = row.text.casefold()
        return all(word in text for word in self._words)


class TimelinePanel(QWidget):
    """The timeline table with its filters and the full text of the selected row."""

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Account timeline"))
        self.formats = formats
        self.model = TimelineModel(formats, self)
        self.proxy = TimelineFilter(self)
        self.proxy.setSourceModel(self.model)

        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Timeline kind filter"))
        names = _filter_names()
        for key, kinds in FILTERS:
            self.kind.addItem(names[key], kinds)
        # Not as wide as its longest entry: the history keeps its room on a small screen.
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind.setMinimumContentsLength(8)
        self.kind.view().setMinimumWidth(self.kind.view().sizeHintForColumn(0) + 24)
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("Filter the timeline"))
        self.text.setAccessibleName(self.tr("Timeline text filter"))
        self.text.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setAccessibleName(self.tr("Timeline"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # Long notes are cut in the table; the selected row is shown here whole, so a keyboard
        # user reads it without a mouse tooltip.
        self.current = QLabel()
        self.current.setAccessibleName(self.tr("Selected timeline entry"))
        self.current.setWordWrap(True)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count = QLabel()
        self.count.setAccessibleName(self.tr("Timeline entries shown"))

        filters = QHBoxLayout()
        filters.addWidget(self.kind)
        filters.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.current)
        layout.addWidget(self.count)
        QWidget.setTabOrder(self.kind, self.text)
        QWidget.setTabOrder(self.text, self.table)

        self.kind.currentIndexChanged.connect(lambda: self.proxy.set_kinds(self.kind.currentData()))
        self.text.textChanged.connect(self.proxy.set_text)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset):
            signal.connect(self._changed)
        self.proxy.layoutChanged.connect(self._changed)
        self._changed()

    def set_items(self, items: Sequence[HistoryItem], currency: str = "CNY") -> None:
        self.model.set_items(items, currency)

    def set_kind_filter(self, key: str) -> None:
        """Pick a kind filter by its key in `FILTERS` (`"payments"`, …)."""
        keys = [name for name, _ in FILTERS]
        self.kind.setCurrentIndex(keys.index(key))

    def shown_kinds(self) -> list[str]:
        return [
            str(self.proxy.index(row, 0).data(KIND_ROLE)) for row in range(self.proxy.rowCount())
        ]

    def shown_texts(self) -> list[str]:
        column = int(Column.DETAILS)
        return [str(self.proxy.index(row, column).data()) for row in range(self.proxy.rowCount())]

    def focus_filter(self) -> None:
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text.selectAll()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current(current)

    def _show_current(self, current: QModelIndex) -> None:
        if not current.isValid():
            self.current.clear()
            return
        row = current.row()
        self.current.setText(
            " · ".join(
                str(self.proxy.index(row, column).data())
                for column in (Column.WHEN, Column.KIND, Column.DETAILS)
            )
        )

    def _changed(self, *_args: object) -> None:
        self._show_current(self.table.currentIndex())
        self.count.setText(
            self.tr("{shown} of {total} entries").format(
                shown=self.formats.number(self.proxy.rowCount()),
                total=self.formats.number(self.model.rowCount()),
            )
        )
