"""Table columns that share the room the others leave, each never narrower than a floor."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView


class FillColumns(QObject):
    """Keeps the long-text columns of `table` (its reasons, its statuses) as wide as the room
    the other columns leave, shared out evenly, and never narrower than `floors[column]`
    average characters: on a wide screen they show their text whole, on a small one the table
    scrolls sideways instead of cutting them to a few letters. Their cells' tooltips carry the
    full text where it is still cut.

    The other columns stay as they are (the user's widths, or their contents'); the filled
    ones follow the table's width, so they are not dragged by hand.
    """

    def __init__(
        self, table: QTableView, floors: Mapping[int, int], *, whole: bool = False
    ) -> None:
        """`whole`: a filled column is never narrower than its contents either (for a table
        of a few rows, whose contents are quickly measured)."""
        super().__init__(table)
        self.table = table
        self.floors = dict(floors)
        self.whole = whole
        self._fitting = False
        self._viewport = table.viewport()
        table.horizontalHeader().sectionResized.connect(self._other_resized)
        self._viewport.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        """Take the columns over again (after a header's saved state was restored)."""
        header = self.table.horizontalHeader()
        for column in self.floors:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Nothing else is asked of Qt here: while the table is torn down (at exit), its
        # viewport's last events must not reach a half-destroyed table.
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self.fit()
        return False

    def _other_resized(self, column: int, _old: int, _new: int) -> None:
        if column not in self.floors:
            self.fit()

    def fit(self) -> None:
        """Share the room out again (the table's width or another column's changed)."""
        if self._fitting:
            return
        header = self.table.horizontalHeader()
        others = sum(
            header.sectionSize(column)
            for column in range(header.count())
            if column not in self.floors and not header.isSectionHidden(column)
        )
        shown = [column for column in self.floors if not header.isSectionHidden(column)]
        if not shown:
            return
        share = (self.table.viewport().width() - others) // len(shown)
        character = self.table.fontMetrics().averageCharWidth()
        self._fitting = True
        try:
            for column in shown:
                floor = self.floors[column] * character
                if self.whole:
                    contents = self.table.sizeHintForColumn(column)
                    floor = max(floor, contents, header.sectionSizeHint(column))
                header.resizeSection(column, max(share, floor))
        finally:
            self._fitting = False
