"""The one way a panel shows a list of rows: read-only, a whole row selected at a time."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView


def list_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A table of `model`'s rows named `name` for screen readers: one whole row selected at a
    time, nothing edited in place, Tab leaves the table (arrows move in it), no row numbers
    and no wrapping. The caller sizes the columns and turns sorting on where it sorts."""
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    return table
