"""Starting the window: the language, the local copy's key, the central database, the user.

The window always works on this workstation's encrypted local copy; the central database is
reached by sync alone. A start goes:

1. language and contact-rule profile;
2. the local copy's key, from the keychain or, where there is none, a typed passphrase, and the
   copy opened with it (a wrong passphrase is asked again);
3. the central database: in demo mode an embedded file, built on the first start, and a choice
   of demo user; with a server, a sign-in as the user's own login role ("remember me" keeps the
   password in the keychain), or offline on the copy when the server does not answer and the
   copy already holds this user's accounts;
4. a first sync when the copy holds someone else's accounts, or none;
5. the window, on the copy, syncing with the central database in the background.

Every service call runs on the worker; the questions (passphrase, sign-in) stay open while
their answer is tried, and `asking` hands each one to whoever drives the start (tests do).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
from app.database import Database, Tls
from app.demo.embedded import prepare_embedded_central
from app.services.common.clock import business_zone
from app.services.common.errors import DomainError
from app.services.common.users import UserView, list_users
from app.services.contact.compliance import default_profile_source, set_server_default
from app.services.contact.queue import LiveQueue
from app.services.contact.workspace import AccountView
from app.services.sync.credentials import forget_password, recall_password, remember_password
from app.services.sync.engine import sync
from app.services.sync.local_store import (
    STORE_FILE,
    KeychainUnavailable,
    StoreKey,
    WrongKey,
    keychain_key,
    open_local_store,
)
from app.services.sync.workstation import (
    Server,
    ServerUnreachable,
    central_as,
    copy_owner,
    server_default_profile,
    server_of_url,
    sign_in,
)
from app.ui.common import settings as keys
from app.ui.common.context import Context
from app.ui.common.dialogs import Dialogs, error_text
from app.ui.common.i18n import Formats, Language, effective_language
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import apply_profile
from app.ui.shell.sign_in import PassphraseDialog, SignInDialog

log = logging.getLogger(__name__)

# Accounts in the demo portfolio built on the very first start.
FIRST_START_ACCOUNTS = 2000
# Who works from this window: a phone queue, or a field agent's visits (the planner opens too).
WINDOW_ROLES = ("collector", "field_agent", "team_lead")

# Where the local copy's key comes from; raises KeychainUnavailable to ask for a passphrase.
KeySource = Callable[[Path], StoreKey]


def open_copy(data_dir: Path, key: StoreKey) -> tuple[Database, str | None]:
    """The local copy and whose accounts it holds (None before its first sync)."""
    local = open_local_store(data_dir, key)
    try:
        return local, copy_owner(local)
    except BaseException:
        local.dispose()
        raise


def configured_server(config: Config, settings: Settings) -> tuple[str, Server | None]:
    """The central server as the settings write it ("" for the demo), and the one the
    environment names (COLLECTOR_WORKSTATION_DATABASE_URL on PostgreSQL), which wins."""
    if config.embedded:
        return settings.get(keys.CENTRAL_SERVER).strip(), None
    server = server_of_url(config.database_url)
    return str(server), server


def _signed_in_with_profile(attempt: SignIn) -> Database:
    """Sign in, then follow the server's default contact-rule profile (it refuses any other)."""
    central = sign_in(attempt.server, attempt.username, attempt.password, attempt.tls)
    try:
        set_server_default(server_default_profile(central))
    except BaseException:
        central.dispose()
        raise
    return central


@dataclass(frozen=True)
class SignIn:
    """One press of OK on the sign-in dialog."""

    server: Server
    username: str
    password: str
    remember: bool
    fixed: bool  # the environment names the server: it is not a setting
    # The TLS the server must offer: the settings', where the environment sets none.
    tls: Tls

    def __repr__(self) -> str:  # the password never lands in a log or a traceback
        return f"SignIn(server={self.server}, username={self.username!r})"


class UserChooser(QDialog):
    """Which demo user to work as (a server's users sign in instead)."""

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
    """Runs the start-up steps in order; `window` is set once the main window is shown.

    Signals: `ready(window)`; `failed(text)`, with "" when the user cancelled; `asking(dialog)`
    when a question (passphrase, sign-in) is shown; `progressed(done, total)` while the first
    start builds the demo.

    `key_source`: where the local copy's key comes from (the keychain; a passphrase is asked
    when it raises KeychainUnavailable). `demo_accounts`: the size of the demo built on a first
    start. `database`: work on this database itself, with no local copy, no central database
    and no sync (the window's own tests; the other arguments about data are then unused).
    """

    ready = Signal(object)
    failed = Signal(str)
    asking = Signal(object)
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
        key_source: KeySource = keychain_key,
        demo_accounts: int = FIRST_START_ACCOUNTS,
        database: Database | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.username = username
        self.settings = settings or Settings()
        self.dialogs = dialogs or Dialogs()
        self.chooser = chooser
        self.clock = clock
        self.key_source = key_source
        self.demo_accounts = demo_accounts
        self.language = Language()
        self.runner = Runner()
        self.standalone = database is not None
        # The workstation's copy, and whose accounts it holds.
        self.local: Database | None = database
        self.owner: str | None = None
        # The central database (None in standalone mode), and the server it is on (None in
        # demo mode, where it is the embedded file).
        self.central: Database | None = None
        self.server: Server | None = None
        self.window: QWidget | None = None
        self.progress: QProgressDialog | None = None
        self.question: QDialog | None = None
        self.users: list[UserView] = []

    # 1. Language and profile.

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
        # A workstation of a central server keeps to the server's default, offline too, until
        # the next sign-in says it again; the demo has no server.
        shown, _ = configured_server(self.config, self.settings)
        set_server_default((self.settings.get(keys.SERVER_PROFILE) or None) if shown else None)
        if self.local is not None:
            local = self.local
            self.runner.run(lambda: list_users(local), self._users_known, self._failed)
            return
        data_dir, source = self.config.data_dir, self.key_source
        self.runner.run(lambda: source(data_dir), self._try_key, self._no_key)

    # 2. The local copy's key.

    def _no_key(self, error: BaseException) -> None:
        if isinstance(error, KeychainUnavailable):
            self._ask_passphrase(error_text(error))
        else:
            self._failed(error)

    def _ask_passphrase(self, note: str) -> None:
        new = not (self.config.data_dir / STORE_FILE).exists()
        dialog = PassphraseDialog(new, note)
        dialog.submitted.connect(lambda: self._try_key(dialog.key(), dialog))
        self._ask(dialog)

    def _try_key(self, key: StoreKey, dialog: PassphraseDialog | None = None) -> None:
        if dialog is not None:
            dialog.set_busy(True, self.tr("Opening the local data…"))
        data_dir = self.config.data_dir
        self.runner.run(
            lambda: open_copy(data_dir, key),
            lambda opened: self._copy_opened(opened, dialog),
            lambda error: self._copy_refused(error, dialog),
        )

    def _copy_refused(self, error: BaseException, dialog: PassphraseDialog | None) -> None:
        if not isinstance(error, WrongKey):
            self._close_question()
            self._failed(error)
        elif dialog is not None:
            dialog.refused()
        else:
            # The keychain's key does not open it: the copy was made with a passphrase.
            self._ask_passphrase(error_text(error))

    def _copy_opened(
        self, opened: tuple[Database, str | None], dialog: PassphraseDialog | None
    ) -> None:
        if dialog is not None:
            self._close_question()
        self.local, self.owner = opened
        text, fixed = configured_server(self.config, self.settings)
        if text or fixed is not None:
            self._ask_sign_in()
        else:
            self._prepare_demo()

    # 3a. Demo mode: the embedded central database and a demo user.

    def _prepare_demo(self) -> None:
        self.progress = self._progress_dialog(self.tr("Preparing the database…"))
        central = self.central = Database(self.config.database_url)
        accounts = self.demo_accounts
        self.runner.run(
            lambda report: prepare_embedded_central(central, accounts=accounts, progress=report),
            self._users_known,
            self._failed,
            self._progressed,
        )

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setLabelText(
                self.tr(
                    "First start: building the demo portfolio ({done} of {total} accounts)…"
                ).format(done=done, total=total)
            )
            self.progress.setMaximum(total)
            self.progress.setValue(done)
        self.progressed.emit(done, total)

    def _users_known(self, users: list[UserView]) -> None:
        self._close_progress()
        self.users = users
        self._choose()

    def _choose(self) -> None:
        username = self.username
        if username is None:
            dialog = self.chooser(self.users, self.settings.get(keys.LAST_USER))
            if not dialog.exec() or dialog.chosen() is None:
                self.failed.emit("")
                return
            username = dialog.chosen()
        user = next((u for u in self.users if u.username == username), None)
        if user is None:
            self._fail(
                self.tr(
                    "There is no user “{username}”. `collector-workstation users` lists them."
                ).format(username=username)
            )
            return
        self.settings.set(keys.LAST_USER, user.username)
        if self.standalone:
            self.open_window(user.username, user.display_name)
        else:
            self._fetch_scope(user.username)

    # 3b. Server mode: signing in.

    def _ask_sign_in(self) -> None:
        text, fixed = configured_server(self.config, self.settings)
        username = self.username or self.settings.get(keys.LAST_USER)

        def recall() -> str | None:
            return recall_password(text, username) if username else None

        self.runner.run(
            recall,
            lambda password: self._show_sign_in(text, fixed, username, password),
            lambda _error: self._show_sign_in(text, fixed, username, None),
        )

    def _show_sign_in(
        self, server: str, fixed: Server | None, username: str, password: str | None
    ) -> None:
        dialog = SignInDialog(server, username, password, fixed=fixed)
        dialog.submitted.connect(lambda: self._sign_in(dialog))
        self._ask(dialog)

    def _sign_in(self, dialog: SignInDialog) -> None:
        attempt = SignIn(
            dialog.chosen_server(),
            dialog.username(),
            dialog.password.text(),
            dialog.remember.isChecked(),
            fixed=dialog.fixed is not None,
            tls=Tls.chosen(
                self.settings.get(keys.CENTRAL_TLS), self.settings.get(keys.CENTRAL_ROOT_CERT)
            ),
        )
        dialog.set_busy(True, self.tr("Signing in to {server}…").format(server=str(attempt.server)))
        self.runner.run(
            lambda: _signed_in_with_profile(attempt),
            lambda central: self._signed_in(attempt, central),
            lambda error: self._not_signed_in(dialog, attempt, error),
        )

    def _signed_in(self, attempt: SignIn, central: Database) -> None:
        code, source = default_profile_source()
        self.settings.set(keys.SERVER_PROFILE, code if source == "server" else "")
        self._close_question()
        self.central, self.server = central, attempt.server
        self.settings.set(keys.LAST_USER, attempt.username)
        if not attempt.fixed:
            self.settings.set(keys.CENTRAL_SERVER, str(attempt.server))
        server, username, password = str(attempt.server), attempt.username, attempt.password
        if attempt.remember:
            self.runner.run(
                lambda: remember_password(server, username, password),
                on_error=self._not_remembered,
            )
        else:
            self.runner.run(lambda: forget_password(server, username))
        self._fetch_scope(attempt.username)

    def _not_remembered(self, error: BaseException) -> None:
        # The start goes on; the user types the password next time.
        self.dialogs.info(
            self.window,
            self.tr("Remember me"),
            self.tr("Your password is not remembered: {reason}").format(reason=error_text(error)),
        )

    def _not_signed_in(self, dialog: SignInDialog, attempt: SignIn, error: BaseException) -> None:
        if not isinstance(error, ServerUnreachable):
            dialog.refused(error_text(error))
            return
        if self.owner != attempt.username:
            dialog.refused(
                self.tr(
                    "{reason}\n\nThis computer holds none of your accounts yet: the first"
                    " start needs the server. Try again when it answers."
                ).format(reason=error_text(error))
            )
            return
        offline = self.dialogs.confirm(
            dialog,
            self.tr("Work offline?"),
            self.tr(
                "{reason}\n\nYour accounts are on this computer: work on them offline? What you"
                " do is sent to the server when it answers again."
            ).format(reason=error_text(error)),
        )
        if not offline:
            dialog.refused(error_text(error))
            return
        self._close_question()
        server, username = str(attempt.server), attempt.username
        if not attempt.remember:
            self.runner.run(lambda: forget_password(server, username))
        # A password the server could not check is not remembered; the syncs try it.
        self.central = central_as(attempt.server, attempt.username, attempt.password, attempt.tls)
        self.server = attempt.server
        self.settings.set(keys.LAST_USER, attempt.username)
        self._fetch_scope(attempt.username)

    # 4. The user's accounts on the copy.

    def _fetch_scope(self, username: str) -> None:
        if self.owner == username:
            self._read_user(username)
            return
        # Someone else's accounts, or none yet: the first sync brings this user's.
        self.progress = self._progress_dialog(self.tr("Fetching your accounts…"))
        local, central = self.local, self.central
        assert local is not None and central is not None
        self.runner.run(
            lambda: sync(local, central, username),
            lambda _report: self._fetched(username),
            self._not_fetched,
        )

    def _fetched(self, username: str) -> None:
        self._close_progress()
        self.owner = username
        self._read_user(username)

    def _not_fetched(self, error: BaseException) -> None:
        self._fail(
            self.tr(
                "Your accounts could not be fetched from the central database: {reason}"
            ).format(reason=error_text(error))
        )

    def _read_user(self, username: str) -> None:
        local = self.local
        assert local is not None

        def found(users: list[UserView]) -> None:
            user = next((u for u in users if u.username == username), None)
            self.open_window(username, user.display_name if user else username)

        self.runner.run(lambda: list_users(local), found, self._failed)

    # 5. The window.

    def open_window(
        self,
        username: str,
        display_name: str,
        wanted: str | None = None,
        live_queue: LiveQueue | None = None,
        shown: AccountView | None = None,
    ) -> None:
        assert self.local is not None
        formats = Formats(self.language.code, business_zone())
        context = Context(
            db=self.local,
            username=username,
            display_name=display_name,
            runner=self.runner,
            dialogs=self.dialogs,
            settings=self.settings,
            formats=formats,
            central=self.central,
            server=str(self.server) if self.server is not None else "",
        )
        if self.clock is not None:
            context.clock = self.clock
        # Window managers append it to titles: in the window's language, too.
        QApplication.setApplicationDisplayName(self.tr("Collector Workstation"))
        window = MainWindow(context, wanted=wanted, live_queue=live_queue, shown=shown)
        window.language_changed.connect(lambda code: self._switch_language(window, code))
        window.sign_out_requested.connect(lambda: self.sign_out(window))
        window.show()
        QApplication.setQuitOnLastWindowClosed(True)
        self.window = window
        self.ready.emit(window)

    def _switch_language(self, old: QWidget, chosen: str) -> None:
        """Rebuild the window in the new language, on the same user and account."""
        assert isinstance(old, MainWindow)
        current = old.queue.current_key()
        shown = old.shown_account
        old.save_state()
        try:
            self.language.install(effective_language(chosen))
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            self.dialogs.error(old, self.tr("Language"), str(error))
            return
        self._retire(old)
        # The queue read goes on: the new window reads only what changed since (the language
        # changes how a queue reads, not what is in it), unless the old one still had to.
        self.open_window(
            old.context.username,
            old.context.display_name,
            wanted=current,
            live_queue=old.queue_to_hand_over(),
            shown=shown,
        )

    def sign_out(self, window: QWidget) -> None:
        """Forget the remembered password, close the window and ask who signs in next."""
        assert isinstance(window, MainWindow)
        server, username = window.context.server, window.context.username
        self._retire(window)
        self.window = None
        self.username = None
        if not server:
            # The demo has no sign-in: choose a demo user again.
            self._choose()
            return
        self.runner.run(lambda: forget_password(server, username))
        central, self.central, self.server = self.central, None, None
        if central is not None:
            # After whatever the window still had running on it.
            self.runner.run(central.dispose)
        self._ask_sign_in()

    def _retire(self, window: QWidget) -> None:
        assert isinstance(window, MainWindow)
        # The old window goes first: closing it drops the answers still on their way to it,
        # and the new one's must not be among them. Closing it must not end the program.
        QApplication.setQuitOnLastWindowClosed(False)
        window.leave()
        window.deleteLater()

    # The questions and the progress.

    def _ask(self, dialog: QDialog) -> None:
        dialog.rejected.connect(self._cancelled)
        self.question = dialog
        dialog.open()
        self.asking.emit(dialog)

    def _close_question(self) -> None:
        dialog, self.question = self.question, None
        if dialog is not None:
            dialog.rejected.disconnect(self._cancelled)
            dialog.close()
            dialog.deleteLater()

    def _cancelled(self) -> None:
        self.question = None
        # Whatever the question was waiting for is of no use now.
        self.runner.cancel_all()
        self.failed.emit("")

    def _progress_dialog(self, text: str) -> QProgressDialog:
        progress = QProgressDialog(text, "", 0, 0)
        progress.setWindowTitle(self.tr("Collector Workstation"))
        progress.setCancelButton(None)
        progress.setMinimumDuration(300)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        return progress

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _failed(self, error: BaseException) -> None:
        self._fail(error_text(error))

    def _fail(self, text: str) -> None:
        self._close_progress()
        self._close_question()
        self.dialogs.error(None, self.tr("Collector Workstation cannot start"), text)
        self.failed.emit(text)

    def stop(self) -> None:
        self._close_progress()
        self._close_question()
        self.runner.stop()
        if not self.standalone and self.local is not None:
            self.local.dispose()
        if self.central is not None:
            self.central.dispose()
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
        # An empty text: the user cancelled a question, which is not a failure.
        status["failed"] = bool(text)
        app.quit()

    startup.failed.connect(failed)
    startup.start()
    code = app.exec()
    startup.stop()
    return 1 if status["failed"] else code
