"""The main window on a screen of a given size, in a process of its own.

    QT_QPA_PLATFORM=offscreen:configfile=screen.json python -m tests.helpers.screen_window \
        --database URL --settings FILE --data DIR --user NAME [--queue-share 0.4]

Qt's offscreen platform takes its screens from the JSON file (one screen of 1366×768, say),
and a process has one platform for its life: a test that needs two screen sizes runs the
window once per size this way. The window opens as the user would open it (the layout it
remembered for this screen size, or the defaults), reports its screen, its size and the
queue's share of the width as one line of JSON, optionally drags the queue to another share
(and reports the share it took), and closes as the user closes it, which saves its layout.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from app.config import Config
from app.database import Database
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.keychain import no_keychain

TIMEOUT_MS = 60_000


def wait(condition: object) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.start(20)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)  # type: ignore[operator]
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(TIMEOUT_MS)
    loop.exec()
    if not condition():  # type: ignore[operator]
        raise TimeoutError("the window did not settle")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--settings", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--now", required=True, type=datetime.fromisoformat)
    parser.add_argument("--queue-share", type=float)
    arguments = parser.parse_args()
    app = QApplication(sys.argv[:1])
    db = Database(arguments.database)
    settings = Settings(QSettings(str(arguments.settings), QSettings.Format.IniFormat))
    with no_keychain():
        startup = Startup(
            Config(data_dir=arguments.data, database_url=db.url),
            arguments.user,
            settings=settings,
            dialogs=RecordingDialogs(),
            clock=lambda: arguments.now,
            database=db,
        )
        startup.start()
        wait(lambda: startup.window is not None)
        window = startup.window
        assert isinstance(window, MainWindow)
        wait(lambda: window.context.runner.pending == 0)
        app.processEvents()
        sizes = window.splitter.sizes()
        report: dict[str, object] = {
            "screen": [window.screen_size().width(), window.screen_size().height()],
            "window": [window.width(), window.height()],
            "queue_share": sizes[0] / sum(sizes),
        }
        if arguments.queue_share is not None:
            # The collector drags the queue's edge: the account and the call share the rest
            # as they did.
            total = sum(sizes)
            queue = int(total * arguments.queue_share)
            workspace = (total - queue) * sizes[1] // (sizes[1] + sizes[2])
            window.splitter.setSizes([queue, workspace, total - queue - workspace])
            # As far as the panes' least widths let the queue go.
            report["left_share"] = window.splitter.sizes()[0] / total
        window.close()
        startup.stop()
    db.dispose()
    print(json.dumps(report))
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
