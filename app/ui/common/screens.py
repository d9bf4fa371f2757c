"""Windows that fit the screen they open on: 1366×768 as well as 1920×1080."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

# What a window's frame takes beyond its contents: borders and a title bar. The screen's
# available area already leaves out the taskbar.
FRAME_ROOM = QSize(16, 40)


def fit_to_screen(window: QWidget, wanted: QSize) -> None:
    """Size `window` to `wanted`, or to as much of it as the available area of its screen holds
    with the window's frame; never below the window's minimum size."""
    area = window.screen().availableGeometry().size()
    window.resize(wanted.boundedTo(area - FRAME_ROOM).expandedTo(window.minimumSizeHint()))
