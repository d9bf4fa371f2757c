"""Keyboard first: every action in a menu with its own shortcut, names for screen readers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.services.common.reference import dispositions
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import Shift, wait_idle


def menu_actions(window: MainWindow) -> list[tuple[str, str]]:
    found = []
    for top in window.menuBar().actions():
        menu = top.menu()
        for action in menu.actions():  # type: ignore[union-attr]
            if action.isSeparator():
                continue
            found.append((action.text(), action.shortcut().toString()))
    return found


def test_every_menu_action_has_its_own_shortcut(window: MainWindow) -> None:
    actions = menu_actions(window)
    assert len(actions) > 20
    assert [text for text, shortcut in actions if not shortcut] == []
    shortcuts = [shortcut for _, shortcut in actions]
    assert sorted({s for s in shortcuts if shortcuts.count(s) > 1}) == []


def test_every_disposition_is_one_shortcut_away(qtbot: QtBot, window: MainWindow) -> None:
    # The system's own outcomes (a reminder sent, delivered…) are never a collector's to pick.
    for code in (c for c in dispositions().values() if not c.by_system):
        assert code.shortcut, code.code
        sequence = QKeySequence(code.shortcut)
        combination = sequence[0]
        qtbot.keyClick(window, combination.key(), combination.keyboardModifiers())
        assert window.call.form.code() == code.code, code.shortcut


def test_every_input_has_an_accessible_name(window: MainWindow, shift: Shift) -> None:
    kinds = (
        QLineEdit,
        QComboBox,
        QAbstractItemView,
        QAbstractSpinBox,
        QPlainTextEdit,
        QTextEdit,
        QAbstractButton,
    )
    nameless = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, kinds) or not widget.isVisibleTo(window):
            continue
        if (
            type(widget).__name__.startswith("Q")
            and widget.parent() is not None
            and isinstance(widget.parent(), kinds)
        ):
            continue  # parts of a compound widget (a combo box's view, a spin box's line edit)
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not widget.accessibleName() and not text:
            nameless.append(f"{type(widget).__name__} {widget.objectName()}")
    assert nameless == []


def test_tab_walks_the_queue_panel_in_reading_order(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.queue
    panel.focus_search()
    order = [panel.search]
    for _ in range(3):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        order.append(window.focusWidget())
    assert order == [panel.search, panel.bucket, panel.status, panel.table]


def test_next_account_and_save_are_keyboard_reachable(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    first = window.queue.current_key()
    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert window.queue.current_key() != first
    wait_idle(qtbot, window)
    # Ctrl+Enter is "save and next": with no outcome chosen it says what is missing, at the
    # outcome list.
    window.queue.table.setFocus()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.call.marks.marked() == {"disposition": "Choose the outcome of the call."}
    assert dialogs.errors() == []


def test_after_a_click_on_next_the_answer_keys_work_at_once(
    qtbot: QtBot, window: MainWindow, shift: Shift
) -> None:
    """Next clicked with the mouse onto a question: the keys 1…9 answer it, no Alt+3 first."""
    script = window.call.script
    script.answer("speaking")
    script.answer("match")
    assert script.run is not None
    while not script.run.current.choices:
        if script.disclosure.isVisible():
            qtbot.mouseClick(script.disclosure, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(script.next_button, Qt.MouseButton.LeftButton)
    assert not script.next_button.isEnabled()
    focused = window.focusWidget()
    assert focused is not None and script.isAncestorOf(focused)
    question, first = script.run.current.id, script.run.current.choices[0].id
    qtbot.keyClick(focused, Qt.Key.Key_1)
    assert f"{question}={first}" in script.path()
