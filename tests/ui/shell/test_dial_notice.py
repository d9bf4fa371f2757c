"""A computer where nothing dials (the demo, a desk with no softphone): said once a session, in
the status bar, with a link to the dial template; never a message box on every dial."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.common import settings as keys
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsDialog
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import Launch, Shift, wait_idle


def dial(qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs) -> None:
    asked = len(dialogs.urls)
    window.dial_action.trigger()
    qtbot.waitUntil(lambda: len(dialogs.urls) == asked + 1, timeout=10_000)
    wait_idle(qtbot, window)


def next_account(qtbot: QtBot, window: MainWindow) -> None:
    """No one answered: saved, and on to the next account."""
    window.call.form.choose("NA")
    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        window.call.save(go_next=True)
    wait_idle(qtbot, window)


def test_nothing_to_dial_with_is_said_once_in_the_status_bar(
    qtbot: QtBot, launch: Launch, shift: Shift, dialogs: RecordingDialogs
) -> None:
    dialogs.handles_urls = False
    startup, window = launch()
    notice = window.dial_notice
    assert notice.isHidden()
    dial(qtbot, window, dialogs)
    assert dialogs.urls == ["tel:+8613812345678"]
    assert dialogs.shown == []  # no message box
    assert notice.isVisible()
    assert "Nothing on this computer handles “tel:+8613812345678”" in notice.text()
    assert "Set the dial template" in notice.text()
    # The call goes on: the timer runs, the collector dials by hand and logs the outcome.
    assert window.call.in_call and window.call.end_button.isEnabled()

    notice.linkActivated.emit("hide")
    assert notice.isHidden()
    next_account(qtbot, window)
    assert window.current_contract() == shift.second.contract_no
    dial(qtbot, window, dialogs)
    assert dialogs.urls[-1] == "tel:+8613987654321"
    assert notice.isHidden() and dialogs.shown == []
    assert window.call.in_call

    # A window rebuilt in another language is the same session: still not said again.
    window.call.end_call()
    window.call.form.choose("NA")
    window.call.save(go_next=False)
    wait_idle(qtbot, window)
    try:
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("zh_CN")
        again = ready.args[0]
        wait_idle(qtbot, again)
        dial(qtbot, again, dialogs)
        assert again.dial_notice.isHidden() and dialogs.shown == []
        again.close()
    finally:
        startup.language.install("en")


def test_the_notice_goes_when_the_call_it_speaks_of_ends(
    qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs
) -> None:
    dialogs.handles_urls = False
    dial(qtbot, window, dialogs)
    notice = window.dial_notice
    assert notice.isVisible() and "the call timer is running" in notice.text()
    window.call.end_button.click()
    assert not window.call.end_button.isEnabled()
    assert notice.isHidden()  # it would say the timer runs when it has stopped


def test_the_notices_link_opens_the_settings_at_the_dial_template(
    qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs
) -> None:
    dialogs.handles_urls = False
    dial(qtbot, window, dialogs)
    seen: list[tuple[str, bool]] = []

    def look_and_type() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        seen.append((type(dialog).__name__, dialog.focusWidget() is dialog.template))
        dialog.template.setText("sip:{digits}@pbx.example.com")
        dialog.accept()

    QTimer.singleShot(0, look_and_type)
    window.dial_notice.linkActivated.emit("settings")
    assert seen == [("SettingsDialog", True)]
    assert window.dial_notice.isHidden()
    assert window.context.settings.get(keys.DIAL_TEMPLATE) == "sip:{digits}@pbx.example.com"
    # Another kind of address: whether anything handles it is said once too.
    window.call.end_call()
    window.call.form.choose("NA")
    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        window.call.save(go_next=True)
    wait_idle(qtbot, window)
    dial(qtbot, window, dialogs)
    assert dialogs.urls[-1].startswith("sip:")
    assert window.dial_notice.isVisible() and "sip:" in window.dial_notice.text()
    assert dialogs.shown == []
