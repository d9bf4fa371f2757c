"""Scroll areas that keep a pane usable on a small screen (1366×768) without making the window
grow: tall content scrolls up and down, and nothing ever needs scrolling to the side."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QScrollArea, QSizePolicy, QWidget


class FittedScrollArea(QScrollArea):
    """Scrolls its content up and down, and is always wide enough for it.

    A number or a button is never cut off to the side: a splitter cannot make this narrower
    than the content's minimum width, which follows the content as rows come and go. Its
    minimum height is small, so the window never grows to show tall content.
    """

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._content_width = -1
        self.setWidget(content)
        # A field reached by a shortcut or a mnemonic scrolls into sight, as Tab's does.
        application = QApplication.instance()
        assert isinstance(application, QApplication)
        application.focusChanged.connect(self._focus_moved)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        content = self.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            self.ensureWidgetVisible(new)

    def _fitted(self, hint: QSize, inner: QSize) -> QSize:
        extra = self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(inner.width() + extra, hint.height())

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        hint = super().minimumSizeHint()
        return hint if content is None else self._fitted(hint, content.minimumSizeHint())

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = super().sizeHint()
        return hint if content is None else self._fitted(hint, content.sizeHint())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The content relaid itself out (rows added or removed): tell the splitter, but only
        # when the width it needs changed. Every updateGeometry relays out the whole window
        # and repaints the panes beside it, which made switching accounts visibly slower.
        content = self.widget()
        if watched is content and event.type() == QEvent.Type.LayoutRequest:
            width = content.minimumSizeHint().width()
            if width != self._content_width:
                self._content_width = width
                self.updateGeometry()
        return super().eventFilter(watched, event)


class LinesArea(QScrollArea):
    """A word-wrapped label shown whole up to `lines` lines; a longer text scrolls.

    Put where a message must stay in sight (above the Save buttons) without pushing them, or
    the window's bottom edge, away when it runs long.
    """

    def __init__(self, label: QLabel, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        label.setWordWrap(True)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setWidget(label)
        self._width = -1

    def _label_height(self, width: int) -> int:
        label = self.widget()
        assert isinstance(label, QLabel)
        # Lines as tall as Latin and Chinese text set together (a fallback font may be taller).
        sample = "\n".join(["Ag中"] * self.lines)
        cap = label.fontMetrics().boundingRect(QRect(0, 0, 1000, 1000), 0, sample).height()
        cap += 2 * label.margin()
        wanted = label.heightForWidth(max(width, 1))
        return min(cap, wanted if wanted > 0 else label.sizeHint().height())

    def sizeHint(self) -> QSize:
        width = self.viewport().width() if self._width > 0 else super().sizeHint().width()
        return QSize(super().sizeHint().width(), self._label_height(width))

    def minimumSizeHint(self) -> QSize:
        label = self.widget()
        assert isinstance(label, QLabel)
        return QSize(label.minimumSizeHint().width(), self.sizeHint().height())

    def text_changed(self) -> None:
        """Call after setting the label's text: the height follows it."""
        self.updateGeometry()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        width = self.viewport().width()
        if width != self._width:
            # Narrower, the text takes more lines: ask for the height it now needs.
            self._width = width
            self.updateGeometry()
