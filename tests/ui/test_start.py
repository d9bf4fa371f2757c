"""Starting the window: the demo on a first start, the choice of user, the language."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from PySide6.QtWidgets import QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from app.config import Config
from app.database import Database
from app.services.users import UserView
from app.ui import settings as keys
from app.ui.app import Startup, UserChooser
from app.ui.main_window import MainWindow
from app.ui.queue_model import Column
from app.ui.settings import Settings
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import SHIFT_NOW, Launch, Shift, wait_idle


class PickSecondCollector(UserChooser):
    """Answers the 'work as…' question the way a person would: picks from the list."""

    offered: ClassVar[list[str]] = []

    def __init__(self, users: Sequence[UserView], last: str, parent: QWidget | None = None) -> None:
        super().__init__(users, last, parent)
        PickSecondCollector.offered = [
            str(self.list.item(row).text()) for row in range(self.list.count())
        ]
        collectors = [
            row for row in range(self.list.count()) if "Collector" in self.list.item(row).text()
        ]
        self.list.setCurrentRow(collectors[1])

    def exec(self) -> int:
        return 1


def test_first_start_builds_the_demo_behind_a_progress_dialog_then_asks_who(
    qtbot: QtBot, tmp_path: Path, ui_settings: Settings, dialogs: RecordingDialogs
) -> None:
    config = Config(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'first.sqlite3'}")
    startup = Startup(
        config,
        None,
        settings=ui_settings,
        dialogs=dialogs,
        chooser=PickSecondCollector,
        clock=lambda: SHIFT_NOW,
    )
    progress_seen: list[tuple[int, int]] = []
    startup.progressed.connect(lambda done, total: progress_seen.append((done, total)))

    try:
        with qtbot.waitSignal(startup.ready, timeout=60_000) as ready:
            startup.start()
            assert isinstance(startup.progress, QProgressDialog)
        window = ready.args[0]
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)
        wait_idle(qtbot, window)
        assert len(startup.users) > 5
        assert progress_seen[-1] == (2000, 2000)
        assert startup.progress is None  # closed once the demo was built
        chosen = ui_settings.get(keys.LAST_USER)
        assert any(f"({chosen})" in offered for offered in PickSecondCollector.offered)
        # Field agents sign in here too (their visit planner opens with the window).
        assert any("Field agent" in offered for offered in PickSecondCollector.offered)
        assert not any("admin" in offered for offered in PickSecondCollector.offered)
        assert window.context.username == chosen
        assert window.queue.model.rowCount() > 0
        assert dialogs.errors() == []
        window.close()
    finally:
        startup.stop()


def test_an_unknown_user_on_the_command_line_is_refused(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    config = Config(data_dir=tmp_path, database_url=db.url)
    startup = Startup(config, "nobody", settings=ui_settings, dialogs=dialogs)
    try:
        with qtbot.waitSignal(startup.failed, timeout=20_000):
            startup.start()
        assert startup.window is None
        assert "nobody" in dialogs.errors()[-1]
    finally:
        startup.stop()


def test_the_chinese_ui_shows_chinese_labels_and_switches_back(
    qtbot: QtBot, launch: Launch, shift: Shift, ui_settings: Settings
) -> None:
    ui_settings.set(keys.LANGUAGE, "zh_CN")
    startup, window = launch()
    try:
        menus = [action.text() for action in window.menuBar().actions()]
        assert menus[0].startswith("文件")
        header = window.queue.model.headerData(Column.BORROWER, _horizontal())
        assert header == "借款人"
        first = window.queue.model.row_of(shift.first.loan_id.hex)
        status = window.queue.model.index(first, Column.STATUS).data()
        assert status == "可拨打"
        assert "今日" in window.shift_label.text()
        assert window.call.form.disposition.item(0).text().startswith("无人接听")
        # Qt's own strings too: a standard dialog button.
        assert _cancel_text() == "取消"
        # Switching to English in the settings rebuilds the window in English.
        ui_settings.set(keys.LANGUAGE, "en")
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("en")
        english = ready.args[0]
        wait_idle(qtbot, english)
        assert english.menuBar().actions()[0].text() == "&File"
        assert english.queue.model.headerData(Column.BORROWER, _horizontal()) == "Borrower"
        assert _cancel_text() == "Cancel"
        english.close()
    finally:
        startup.stop()
        startup.language.install("en")


def _cancel_text() -> str:
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    text = box.button(QDialogButtonBox.StandardButton.Cancel).text()
    box.deleteLater()
    return text.replace("&", "")


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_switching_language_with_answers_on_their_way_is_safe(
    qtbot: QtBot, launch: Launch, dialogs: RecordingDialogs
) -> None:
    """The old window's pending answers are dropped, not delivered to deleted widgets."""
    startup, window = launch()
    try:
        window.refresh_queue()
        window.refresh_shift()
        window.reload_account()
        assert window.context.runner.pending > 0
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("zh_CN")
        fresh = ready.args[0]
        wait_idle(qtbot, fresh)
        assert fresh.queue.model.rowCount() == 3
        assert dialogs.errors() == []
        fresh.close()
    finally:
        startup.stop()
