"""A label that keeps its text on one line while there is room, and wraps when squeezed."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget


class WrappingLabel(QLabel):
    """Word-wrapped, yet asking for the width of its text unwrapped.

    A plain word-wrapped QLabel asks for a narrow, squarish block and wraps even where a line
    has room; this one wraps only when its layout gives it less than its text's width, down to
    its longest word. Its height follows its width.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.textFormat() == Qt.TextFormat.RichText or not self.text():
            return hint
        text = self.fontMetrics().boundingRect(QRect(), 0, self.text())
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin() + max(self.indent(), 0)
        width = text.width() + extra
        return QSize(width, max(self.heightForWidth(width), text.height()))
