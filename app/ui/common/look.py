"""How the window looks: the colours it adds to the platform's, in the light and dark scheme.

The window takes its palette from the system (Qt follows the desktop's light or dark colour
scheme and applies the matching palette, live). Every colour the window adds of its own (an
error's red, a flag's chip, a chart's series) is here, once for each scheme, chosen to read
at 4.5:1 or better (WCAG 2.1 AA) on the backgrounds of common desktop themes, light and dark
(tests/ui/common/test_look.py checks every pair).

The scheme in force is the palette's: whatever the platform says, text must read on the
background actually painted. A widget given one of these colours keeps it through a change of
scheme: `follow` re-applies it when the application's palette or theme changes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget


class Scheme(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


def scheme(palette: QPalette | None = None) -> Scheme:
    """The scheme of `palette` (the application's by default): dark where its text is lighter
    than its window."""
    palette = palette if palette is not None else QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorRole.Window)
    return Scheme.DARK if text.lightness() > window.lightness() else Scheme.LIGHT


class Ink(enum.Enum):
    """Text colours on the window's own background (labels, table cells)."""

    ERROR = "error"  # a refusal, a problem to fix, an urgent item
    WARNING = "warning"  # a warning that does not stop anything
    MUTED = "muted"  # secondary text: a blocked account, a deactivated member, a hint


INKS: dict[Ink, dict[Scheme, str]] = {
    Ink.ERROR: {Scheme.LIGHT: "#a40000", Scheme.DARK: "#ff9e94"},
    Ink.WARNING: {Scheme.LIGHT: "#8a5300", Scheme.DARK: "#f0b35a"},
    Ink.MUTED: {Scheme.LIGHT: "#595959", Scheme.DARK: "#b0b0b0"},
}

# Flag chips (resources/flags.json names each flag's tone): (background, text).
CHIPS: dict[str, dict[Scheme, tuple[str, str]]] = {
    "stop": {Scheme.LIGHT: ("#b3261e", "#ffffff"), Scheme.DARK: ("#ffb4ab", "#690005")},
    "pause": {Scheme.LIGHT: ("#8a5300", "#ffffff"), Scheme.DARK: ("#ffb951", "#3d2400")},
    "warning": {Scheme.LIGHT: ("#f3d36b", "#1f1f1f"), Scheme.DARK: ("#f3d36b", "#1f1f1f")},
    "ok": {Scheme.LIGHT: ("#2e7d32", "#ffffff"), Scheme.DARK: ("#a5d6a7", "#0d3b10")},
}


class Series(enum.Enum):
    """The dashboard charts' series; drawn on the palette's base colour at 3:1 or better."""

    COLLECTED = "collected"
    RPCS = "rpcs"
    PTPS = "ptps"
    CURED = "cured"
    STAYED = "stayed"
    ROLLED = "rolled"


SERIES: dict[Series, dict[Scheme, str]] = {
    Series.COLLECTED: {Scheme.LIGHT: "#3182bd", Scheme.DARK: "#6baed6"},
    Series.RPCS: {Scheme.LIGHT: "#6a3d9a", Scheme.DARK: "#c2a5cf"},
    Series.PTPS: {Scheme.LIGHT: "#b15928", Scheme.DARK: "#fdb863"},
    Series.CURED: {Scheme.LIGHT: "#2e7d32", Scheme.DARK: "#81c784"},
    Series.STAYED: {Scheme.LIGHT: "#757575", Scheme.DARK: "#9e9e9e"},
    Series.ROLLED: {Scheme.LIGHT: "#c62828", Scheme.DARK: "#ef9a9a"},
}


def ink(role: Ink, in_scheme: Scheme | None = None) -> QColor:
    """The colour of `role` in `in_scheme` (the one in force by default)."""
    return QColor(INKS[role][in_scheme or scheme()])


def chip_colours(tone: str, in_scheme: Scheme | None = None) -> tuple[QColor, QColor]:
    """A flag chip's background and text; an unknown tone shows as a stop."""
    background, text = CHIPS.get(tone, CHIPS["stop"])[in_scheme or scheme()]
    return QColor(background), QColor(text)


def series_colour(series: Series, in_scheme: Scheme | None = None) -> QColor:
    return QColor(SERIES[series][in_scheme or scheme()])


# Following the scheme.

_HUB = "look-hub"
_FOLLOWER = "look-follower"
# What a change of scheme reaches a window as: its palette replaced (the system's scheme
# changed and Qt applied the matching palette, or the application set another), or the
# platform's theme changed. Qt sends them to the windows; a widget with a style sheet of its
# own hears of neither.
_CHANGES = frozenset({QEvent.Type.ApplicationPaletteChange, QEvent.Type.ThemeChange})


class _Hub(QObject):
    """Says `changed()` when the scheme may have changed: the system's colour scheme changed,
    or a watched window's palette or theme did. A child of the application, one for it."""

    changed = Signal()

    def __init__(self, application: QCoreApplication) -> None:
        super().__init__(application)
        self.setObjectName(_HUB)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    def _scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self.changed.emit()

    def watch(self, window: QWidget) -> None:
        # Installing it again on the same window only moves it: one watch a window.
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _CHANGES:
            self.changed.emit()
        return False


def _hub() -> _Hub:
    application = QCoreApplication.instance()
    assert application is not None
    found = application.findChild(_Hub, _HUB, Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else _Hub(application)


class _Follower(QObject):
    """Calls `apply(scheme)` for its widget now and after each change of scheme. A child of
    the widget, so it goes with it. Once the widget shows, its window is watched."""

    def __init__(self, widget: QWidget, apply: Callable[[Scheme], None]) -> None:
        super().__init__(widget)
        self.setObjectName(_FOLLOWER)
        self.widget = widget
        self.apply = apply
        self.applied: Scheme | None = None
        _hub().changed.connect(self.refresh)
        widget.installEventFilter(self)

    @Slot()
    def refresh(self, *, again: bool = False) -> None:
        now = scheme()
        if again or now != self.applied:
            self.applied = now
            self.apply(now)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            _hub().watch(self.widget.window())
            # The scheme may have changed while the widget was hidden in a window nobody
            # watched.
            self.refresh()
        elif event.type() in _CHANGES:
            self.refresh()
        return False


def follow(widget: QWidget, apply: Callable[[Scheme], None]) -> None:
    """Call `apply(scheme)` now, and again whenever the scheme in force changes while `widget`
    lives. A widget follows with one `apply` at a time: a new one replaces the last."""
    follower = widget.findChild(_Follower, _FOLLOWER, Qt.FindChildOption.FindDirectChildrenOnly)
    if follower is None:
        follower = _Follower(widget, apply)
    follower.apply = apply
    follower.refresh(again=True)


def paint(widget: QWidget, role: Ink | None, *, bold: bool = False, italic: bool = False) -> None:
    """Write `widget`'s text in `role`'s colour (None: the palette's own), in whichever
    scheme is in force."""

    def apply(now: Scheme) -> None:
        rules = []
        if role is not None:
            rules.append(f"color: {INKS[role][now]};")
        if bold:
            rules.append("font-weight: bold;")
        if italic:
            rules.append("font-style: italic;")
        widget.setStyleSheet(" ".join(rules))

    follow(widget, apply)


def chip(widget: QWidget, tone: str) -> None:
    """Show `widget` (a label) as a coloured chip of `tone` (stop, pause, warning or ok)."""

    def apply(now: Scheme) -> None:
        background, text = chip_colours(tone, now)
        widget.setStyleSheet(
            f"QLabel {{ background-color: {background.name()}; color: {text.name()};"
            " border-radius: 3px; padding: 1px 6px; font-weight: bold; }"
        )

    follow(widget, apply)
