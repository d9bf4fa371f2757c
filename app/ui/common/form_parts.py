"""Pieces the outcome forms share: the tickable checklist and the labels that focus a field."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QListView, QListWidget, QListWidgetItem, QWidget

# Each checklist item holds its id and whether it must be ticked.
ID_ROLE = Qt.ItemDataRole.UserRole
REQUIRED_ROLE = Qt.ItemDataRole.UserRole + 1


class ChecklistList(QListWidget):
    """The items to confirm after a contact or a visit; required ones are marked with *.

    A long item wraps onto more lines: nothing is read by scrolling sideways.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._rows_height = 0

    def sizeHint(self) -> QSize:
        # As tall as its items, as they wrap at this width: in a form that scrolls, the list
        # needs no scroll bar of its own.
        hint = super().sizeHint()
        rows = self._rows_height if self.count() else 0
        least = max(self.minimumHeight(), self.minimumSizeHint().height())
        return QSize(hint.width(), max(rows + 2 * self.frameWidth(), least))

    def updateGeometries(self) -> None:
        super().updateGeometries()
        height = sum(self.visualItemRect(item).height() for item in self._items())
        if height != getattr(self, "_rows_height", None):
            self._rows_height = height
            self.updateGeometry()

    def fill(self, entries: Iterable[tuple[str, str, bool]]) -> None:
        """Show (id, text, required) entries; an item ticked before stays ticked."""
        was = set(self.ticked())
        self.clear()
        for item_id, text, required in entries:
            item = QListWidgetItem(text + (" *" if required else ""))
            item.setData(ID_ROLE, item_id)
            item.setData(REQUIRED_ROLE, required)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if item_id in was else Qt.CheckState.Unchecked)
            self.addItem(item)

    def ticked(self) -> tuple[str, ...]:
        return tuple(
            str(item.data(ID_ROLE))
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        )

    def missing(self) -> list[str]:
        """Labels of required items not yet ticked."""
        return [
            item.text().rstrip(" *")
            for item in self._items()
            if item.data(REQUIRED_ROLE) and item.checkState() != Qt.CheckState.Checked
        ]

    def tick_all(self) -> None:
        for item in self._items():
            item.setCheckState(Qt.CheckState.Checked)

    def _items(self) -> list[QListWidgetItem]:
        return [self.item(row) for row in range(self.count())]


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose &-mnemonic (Alt+letter) moves the focus to `widget`."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
