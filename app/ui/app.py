"""Starting the window: the database (and the demo on a first start), the user, the language."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from app.config import Config
from app.database import Database
from app.services.accounts import business_zone
from app.services.errors import DomainError
from app.services.users import UserView, list_users
from app.ui import settings as keys
from app.ui.context import Context
from app.ui.dialogs import Dialogs, error_text
from app.ui.i18n import Formats, Language, effective_language
from app.ui.runner import Runner
from app.ui.settings import Settings
from app.ui.settings_dialog import apply_profile

log = logging.getLogger(__name__)

# Accounts in the demo portfolio built on the very first start.
FIRST_START_ACCOUNTS = 2000
# Who works from this window: a phone queue, or a field agent's visits (the planner opens too).
WINDOW_ROLES = ("collector", "field_agent", "team_lead")


def prepare_database(db: Database, embedded: bool, report: object = None) -> list[UserView]:
    """Upgrade the schema; on the first start of the embedded database, build the demo."""
    db.upgrade()
    users = list_users(db)
    if embedded and not users:
        from app.services.demo import build_demo

        build_demo(db, accounts=FIRST_START_ACCOUNTS, progress=report)  # type: ignore[arg-type]
        users = list_users(db)
    return users


class UserChooser(QDialog):
    """Which demo user to work as (real sign-in comes with the central database)."""

    def __init__(self, users: Sequence[UserView], last: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Work as…"))
        label = QLabel(self.tr("This is the demo portfolio. Choose whose queue to work:"))
        label.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Demo users"))
        roles = {
            "collector": self.tr("Collector"),
            "team_lead": self.tr("Team lead"),
            "field_agent": self.tr("Field agent"),
            "admin": self.tr("Administrator"),
        }
        for user in users:
            if user.role not in WINDOW_ROLES:
                continue
            text = f"{user.display_name} ({user.username}) — {roles.get(user.role, user.role)}"
            if user.team:
                text += f" · {user.team}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, user.username)
            self.list.addItem(item)
            if user.username == last or self.list.currentRow() < 0:
                self.list.setCurrentItem(item)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(460, 380)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))


class Startup(QObject):
    """Runs the start-up steps in order; `window` is set once the main window is shown."""

    ready = Signal(object)
    failed = Signal(str)
    # Accounts built so far and in all, while the first start builds the demo.
    progressed = Signal(int, int)

    def __init__(
        self,
        config: Config,
        username: str | None,
        *,
        settings: Settings | None = None,
        dialogs: Dialogs | None = None,
        chooser: type[UserChooser] = UserChooser,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.username = username
        self.settings = settings or Settings()
        self.dialogs = dialogs or Dialogs()
        self.chooser = chooser
        self.clock = clock
        self.language = Language()
        self.runner = Runner()
        self.db = Database(config.database_url)
        self.window: QWidget | None = None
        self.progress: QProgressDialog | None = None
        self.users: list[UserView] = []

    def start(self) -> None:
        try:
            self.language.install(effective_language(self.settings.get(keys.LANGUAGE)))
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            # A missing catalogue leaves the window in English; it still opens.
            log.warning("the translation could not be loaded: %s", error)
        try:
            apply_profile(self.settings.get(keys.RULE_PROFILE))
        except DomainError:
            # A profile that this version no longer ships: forget it, keep the default.
            self.settings.set(keys.RULE_PROFILE, "")
        self.progress = QProgressDialog(self.tr("Preparing the database…"), "", 0, 0)
        self.progress.setWindowTitle(self.tr("Collector Workstation"))
        self.progress.setCancelButton(None)
        self.progress.setMinimumDuration(300)
        self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        db, embedded = self.db, self.config.embedded
        self.runner.run(
            lambda report: prepare_database(db, embedded, report),
            self._prepared,
            self._failed,
            self._progressed,
        )

    def _progressed(self, done: int, total: int) -> None:
        assert self.progress is not None
        self.progress.setLabelText(
            self.tr(
                "First start: building the demo portfolio ({done} of {total} accounts)…"
            ).format(done=done, total=total)
        )
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progressed.emit(done, total)

    def _prepared(self, users: list[UserView]) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        self.users = users
        username = self.username
        if username is None:
            dialog = self.chooser(users, self.settings.get(keys.LAST_USER))
            if not dialog.exec() or dialog.chosen() is None:
                self.failed.emit("")
                return
            username = dialog.chosen()
        user = next((u for u in users if u.username == username), None)
        if user is None:
            self._fail(
                self.tr(
                    "There is no user “{username}”. `collector-workstation users` lists them."
                ).format(username=username)
            )
            return
        self.settings.set(keys.LAST_USER, user.username)
        self.open_window(user.username, user.display_name)

    def open_window(self, username: str, display_name: str, wanted: str | None = None) -> None:
        from app.ui.main_window import MainWindow

        formats = Formats(self.language.code, business_zone())
        context = Context(
            db=self.db,
            username=username,
            display_name=display_name,
            runner=self.runner,
            dialogs=self.dialogs,
            settings=self.settings,
            formats=formats,
        )
        if self.clock is not None:
            context.clock = self.clock
        # Window managers append it to titles: in the window's language, too.
        QApplication.setApplicationDisplayName(self.tr("Collector Workstation"))
        window = MainWindow(context, wanted=wanted)
        window.language_changed.connect(lambda code: self._switch_language(window, code))
        window.show()
        QApplication.setQuitOnLastWindowClosed(True)
        self.window = window
        self.ready.emit(window)

    def _switch_language(self, old: QWidget, chosen: str) -> None:
        """Rebuild the window in the new language, on the same user and account."""
        from app.ui.main_window import MainWindow

        assert isinstance(old, MainWindow)
        current = old.queue.current_key()
        old.save_state()
        try:
            self.language.install(effective_language(chosen))
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            self.dialogs.error(old, self.tr("Language"), str(error))
            return
        # The old window goes first: closing it drops the answers still on their way to it,
        # and the new one's must not be among them.
        QApplication.setQuitOnLastWindowClosed(False)
        old.leave()
        old.deleteLater()
        self.open_window(old.context.username, old.context.display_name, wanted=current)

    def _failed(self, error: BaseException) -> None:
        self._fail(error_text(error))

    def _fail(self, text: str) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        self.dialogs.error(None, self.tr("Collector Workstation cannot start"), text)
        self.failed.emit(text)

    def stop(self) -> None:
        self.runner.stop()
        self.db.dispose()
        self.language.remove()


def run(config: Config, username: str | None, argv: Sequence[str] = ()) -> int:
    """Open the main window; returns the exit status when it closes."""
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName(keys.APPLICATION)
    app.setOrganizationName(keys.ORGANISATION)
    app.setApplicationDisplayName("Collector Workstation")
    # Dialogs come and go before the main window exists; none of them may end the program.
    app.setQuitOnLastWindowClosed(False)
    startup = Startup(config, username)
    status = {"failed": False}

    def failed(text: str) -> None:
        # An empty text: the user cancelled the choice of user, which is not a failure.
        status["failed"] = bool(text)
        app.quit()

    startup.failed.connect(failed)
    startup.start()
    code = app.exec()
    startup.stop()
    return 1 if status["failed"] else code
