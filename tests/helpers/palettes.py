"""Light and dark palettes for the window's tests, and WCAG contrast.

The offscreen platform has no colour scheme to switch: a test turns the window dark the way a
desktop's switch reaches it, by replacing the application's palette (`dark_scheme`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from coloraide import Color
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# WCAG 2.1 AA: text (1.4.3) and the parts of a graphic that carry its meaning (1.4.11).
TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0

# The backgrounds text is drawn on in common desktop themes, from a view's white to a
# window's grey (light), and from an OLED theme's near black to a dark window's grey (dark).
LIGHT_BACKGROUNDS = ("#ffffff", "#fafafa", "#f7f7f7", "#f0f0f0", "#efefef", "#e0e0e0")
DARK_BACKGROUNDS = ("#121212", "#1e1e1e", "#202020", "#2a2a2a", "#2d2d2d", "#353535", "#3c3f41")

# A dark desktop's palette: grey windows, darker views, white text.
_DARK = {
    QPalette.ColorRole.Window: "#353535",
    QPalette.ColorRole.WindowText: "#ffffff",
    QPalette.ColorRole.Base: "#2a2a2a",
    QPalette.ColorRole.AlternateBase: "#323232",
    QPalette.ColorRole.Text: "#ffffff",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#ffffff",
    QPalette.ColorRole.BrightText: "#ff5555",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.ToolTipBase: "#2a2a2a",
    QPalette.ColorRole.ToolTipText: "#ffffff",
    QPalette.ColorRole.Highlight: "#2a82da",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Light: "#505050",
    QPalette.ColorRole.Midlight: "#424242",
    QPalette.ColorRole.Mid: "#6a6a6a",
    QPalette.ColorRole.Dark: "#232323",
    QPalette.ColorRole.Shadow: "#141414",
    QPalette.ColorRole.Link: "#8ab4f8",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    return palette


@contextmanager
def dark_scheme() -> Iterator[QPalette]:
    """The desktop turned dark: Qt replaces the application's palette with the dark one (and
    the windows hear ApplicationPaletteChange). Back to the platform's own after."""
    palette = dark_palette()
    QApplication.setPalette(palette)
    # Qt posts the change to the windows: the event loop delivers it.
    QApplication.processEvents()
    try:
        yield palette
    finally:
        # A palette that sets nothing gives the application back the platform's.
        QApplication.setPalette(QPalette())
        QApplication.processEvents()


def contrast(foreground: QColor | str, background: QColor | str) -> float:
    """The WCAG 2.1 contrast ratio of two opaque colours (1 to 21)."""
    first = foreground.name() if isinstance(foreground, QColor) else foreground
    second = background.name() if isinstance(background, QColor) else background
    return float(Color(first).contrast(second, method="wcag21"))
