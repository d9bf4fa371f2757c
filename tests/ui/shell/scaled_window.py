"""The main window on a screen at 150 %, in a process of its own (the scale is read when the
application starts): prints, as JSON, what tests/ui/shell/test_look.py checks.

    QT_SCALE_FACTOR=1.5 python -m tests.ui.shell.scaled_window LANGUAGE

The window opens as the start-up opens it (`app.ui.shell.start.application`, then `Startup`),
on a small portfolio, fills the screen as a maximised window does, and shows an account with a
flag, a blocked number and the script's guidance. Reported: the device pixel ratio and the
rounding policy in force, the labels of the main panes whose text does not fit them, and the
widgets whose font is sized in pixels (which would not grow with the screen's scale).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.config import Config
from app.database import Database
from app.ui.collector.queue_model import key_of
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup, application
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Portfolio
from tests.ui.conftest import BEIJING, COLLECTOR, SHIFT_NOW


def wait(app: QApplication, done: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def clipped(panes: dict[str, QWidget], window: QWidget) -> list[str]:
    """The labels shown in `panes` whose text needs more room than they have."""
    found = []
    for pane_name, pane in panes.items():
        for label in pane.findChildren(QLabel):
            if not label.isVisibleTo(window) or not label.text():
                continue
            hint = label.sizeHint()
            if label.wordWrap():
                width, height = label.minimumSizeHint().width(), label.heightForWidth(label.width())
            else:
                width, height = hint.width(), hint.height()
            if label.width() < width or label.height() < height:
                found.append(
                    f"{pane_name}: {label.text()[:40]!r} is {label.width()}x{label.height()},"
                    f" needs {width}x{height}"
                )
    return found


def pixel_fonts(window: QWidget) -> list[str]:
    return [
        f"{type(widget).__name__} {widget.objectName()!r}"
        for widget in window.findChildren(QWidget)
        if widget.font().pixelSize() > 0
    ]


def main(language: str) -> None:
    app = application()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        db = Database(f"sqlite:///{data / 'test.sqlite3'}")
        db.upgrade()
        portfolio = Portfolio(db)
        today = SHIFT_NOW.astimezone(BEIJING).date()
        portfolio.account(
            today=today,
            dpd=45,
            principal="36000",
            name="王芳",
            numbers={"mobile": "13812345678", "emergency": "13900001111"},
        )
        ceased = portfolio.account(
            today=today,
            dpd=30,
            principal="24000",
            name="赵磊",
            numbers={"mobile": "13700001234"},
            cease_requested=True,
        )
        settings = Settings(QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat))
        settings.set(keys.LANGUAGE, language)
        startup = Startup(
            Config(data_dir=data, database_url=db.url),
            COLLECTOR,
            settings=settings,
            dialogs=RecordingDialogs(),
            clock=lambda: SHIFT_NOW,
            database=db,
        )
        opened: list[MainWindow] = []
        startup.ready.connect(opened.append)
        startup.start()
        wait(app, lambda: bool(opened))
        window = opened[0]
        runner = window.context.runner
        wait(app, lambda: runner.pending == 0 and window.queue.model.rowCount() == 2)
        screen = window.screen()
        window.setGeometry(screen.availableGeometry())
        entry = next(e for e in window.queue.model.rows if e.contract_no == ceased.contract_no)
        window.queue.select_key(key_of(entry))
        wait(app, lambda: runner.pending == 0 and window.call.script.note.isVisibleTo(window))
        app.processEvents()
        panes: dict[str, QWidget] = {
            "queue": window.queue,
            "workspace": window.workspace,
            "call": window.call,
            "status bar": window.statusBar(),
        }
        report = {
            "ratio": window.devicePixelRatio(),
            "policy": QGuiApplication.highDpiScaleFactorRoundingPolicy().name,
            "screen": [screen.availableGeometry().width(), screen.availableGeometry().height()],
            "window": [window.width(), window.height()],
            "labels": sum(
                1
                for pane in panes.values()
                for label in pane.findChildren(QLabel)
                if label.isVisibleTo(window) and label.text()
            ),
            "clipped": clipped(panes, window),
            "pixel_fonts": pixel_fonts(window),
        }
        window.leave()
        startup.stop()
        db.dispose()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "en")
