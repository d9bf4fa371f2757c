"""Bugs of the Qt binding that would take the window down in a long shift."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import Qt

from app.ui.collector.queue_model import Column
from app.ui.shell.main_window import MainWindow
from tests.ui.conftest import Shift

CALLS = 5000


def test_a_model_answering_none_does_not_drain_references_to_none(
    window: MainWindow, shift: Shift
) -> None:
    """PySide6 6.12.0 dropped a reference to None per data() call that returned None.

    A view asks for a dozen roles per cell and repaint, most of them answered None, so the
    interpreter aborted ("deallocating None") within minutes of scrolling the queue.
    """
    model = window.queue.model
    row = model.row_of(shift.first.loan_id.hex)
    index = model.index(row, Column.BORROWER)
    assert index.data(Qt.ItemDataRole.ToolTipRole) is None
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        index.data(Qt.ItemDataRole.ToolTipRole)
    gc.collect()
    assert sys.getrefcount(None) > before - CALLS // 2
