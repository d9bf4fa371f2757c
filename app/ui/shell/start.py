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
4. a first sync when the copy holds someone else's accounts, or none. When that someone's
   changes still wait in it, they sign in to send them, or their copy is kept aside for them
   (app/services/sync/aside.py) and this user starts on a fresh one; a user whose copy was
   kept aside here gets it back, and its changes are sent;
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
from PySide6.QtGui import QGuiApplication
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
from app.demo.embedded import embedded_central_exists, prepare_embedded_central
from app.services.common.clock import business_zone
from app.services.common.errors import DomainError
from app.services.common.users import UserView, list_users
from app.services.contact.compliance import default_profile_source, set_server_default
from app.services.contact.queue import LiveQueue
from app.services.contact.workspace import AccountView
from app.services.sync.aside import Handover, handover, keep_aside, restore
from app.services.sync.credentials import forget_password, recall_password, remember_password
from app.services.sync.engine import PushReport, SyncFailed, send, sync
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
from app.ui.shell.leaving import describe_waiting
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


def _send_as(attempt: SignIn, local: Database) -> PushReport:
    """Sign in as the user whose changes wait in the copy, and send them (push only)."""
    central = sign_in(attempt.server, attempt.username, attempt.password, attempt.tls)
    try:
        return send(local, central, attempt.username)
    finally:
        central.dispose()


def _reopened(data_dir: Path, source: KeySource) -> tuple[StoreKey, Database, str | None]:
    """The copy in `data_dir` opened again after a copy moved (aside, or back): its key, itself
    and whose it is."""
    key = source(data_dir)
    local, owner = open_copy(data_dir, key)
    return key, local, owner


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
        # The workstation's copy, the key it opened with, and whose accounts it holds.
        self.local: Database | None = database
        self.key: StoreKey | None = None
        self.owner: str | None = None
        # The central database (None in standalone mode), and the server it is on (None in
        # demo mode, where it is the embedded file).
        self.central: Database | None = None
        self.server: Server | None = None
        self.window: QWidget | None = None
        self.progress: QProgressDialog | None = None
        self.question: QDialog | None = None
        # What cancelling the question does (by default: the start ends).
        self._question_cancelled: Callable[[], None] = self._cancelled
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
            lambda opened: self._copy_opened(opened, key, dialog),
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
        self, opened: tuple[Database, str | None], key: StoreKey, dialog: PassphraseDialog | None
    ) -> None:
        if dialog is not None:
            self._close_question()
        self.local, self.owner = opened
        self.key = key
        text, fixed = configured_server(self.config, self.settings)
        if text or fixed is not None:
            self._ask_sign_in()
        else:
            self._prepare_demo()

    # 3a. Demo mode: the embedded central database and a demo user.

    def _prepare_demo(self) -> None:
        # On the first start the demo is built next: the dialog says so at once, step by step,
        # before anything is built (the window is seconds away).
        if embedded_central_exists(self.config.database_url):
            text = self.tr("Opening the demo database…")
        else:
            text = self.tr("First start, step 1 of 3: creating the demo database…")
        self.progress = self._progress_dialog(text)
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
            if done < total:
                text = self.tr(
                    "First start, step 2 of 3: building the demo portfolio"
                    " ({done} of {total} accounts)…"
                ).format(done=done, total=total)
            else:
                # Once every account is written: the indexes, the reminders job's last days
                # (app.demo.reminders), then the rows checked.
                text = self.tr(
                    "First start, step 3 of 3: indexing the demo portfolio, sending its last"
                    " days' reminders and checking it…"
                )
            self.progress.setLabelText(text)
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

    def _tls(self) -> Tls:
        return Tls.chosen(
            self.settings.get(keys.CENTRAL_TLS), self.settings.get(keys.CENTRAL_ROOT_CERT)
        )

    def _sign_in(self, dialog: SignInDialog) -> None:
        attempt = SignIn(
            dialog.chosen_server(),
            dialog.username(),
            dialog.password.text(),
            dialog.remember.isChecked(),
            fixed=dialog.fixed is not None,
            tls=self._tls(),
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
        local, key, data_dir = self.local, self.key, self.config.data_dir
        assert local is not None and key is not None
        self.runner.run(
            lambda: handover(data_dir, local, key, username),
            lambda found: self._hand_over(username, found),
            self._failed,
        )

    def _hand_over(self, username: str, found: Handover) -> None:
        if found.blocked:
            self._offer_handover(username, found)
        elif found.aside is not None:
            self._restore(username)
        else:
            self._first_sync(username)

    def _offer_handover(self, username: str, found: Handover) -> None:
        """Someone else's changes wait in the copy: they send them, or the copy goes aside."""
        owner = found.owner or ""
        formats = Formats(self.language.code, business_zone())
        lines = [
            self.tr(
                "{owner} left changes on this computer that have not reached the server yet."
            ).format(owner=owner),
            describe_waiting(found.waiting, formats),
        ]
        options = [self.tr("Send them now")]
        if found.keychain:
            lines.append(
                self.tr(
                    "Send them now: {owner} signs in and they go to the server. Or keep them"
                    " aside: {owner}'s copy stays on this computer, encrypted with {owner}'s"
                    " own key, which does not open anyone else's; it comes back with its"
                    " changes the next time {owner} signs in here, and you start on a copy"
                    " of your own."
                ).format(owner=owner)
            )
            options.append(self.tr("Keep them aside for {owner}").format(owner=owner))
        else:
            lines.append(
                self.tr(
                    "The local data here opens with a passphrase everyone who starts this"
                    " computer types, so {owner}'s copy cannot be kept aside for {owner} alone:"
                    " {owner} signs in to send the changes."
                ).format(owner=owner)
            )
        options.append(self.tr("Cancel"))
        chosen = self.dialogs.choose(
            None,
            self.tr("Changes of {owner} are waiting").format(owner=owner),
            "\n\n".join(lines),
            options,
            cancel=len(options) - 1,
        )
        if chosen == 0:
            self._send_for(username, owner)
        elif chosen == len(options) - 1:
            self._handover_cancelled()
        else:
            self._keep_aside(username)

    def _handover_cancelled(self) -> None:
        """Nobody sends, nothing is kept aside: someone else may sign in instead."""
        if self.server is not None:
            central, self.central, self.server = self.central, None, None
            if central is not None:
                self.runner.run(central.dispose)
            self._ask_sign_in()
        elif self.username is None:
            self._choose()
        else:
            self.failed.emit("")

    def _send_for(self, username: str, owner: str) -> None:
        """The owner of the changes sends them: with a server, they sign in to."""
        if self.server is None:
            # The demo has no passwords: the embedded central takes them as the owner's.
            self.progress = self._progress_dialog(
                self.tr("Sending the changes of {owner}…").format(owner=owner)
            )
            local, central = self.local, self.central
            assert local is not None and central is not None
            self.runner.run(
                lambda: send(local, central, owner),
                lambda _report: self._sent(username),
                lambda error: self._not_sent(username, error),
            )
            return
        server = self.server
        dialog = SignInDialog(
            str(server),
            owner,
            fixed=server,
            note=self.tr(
                "{owner}, sign in to send the changes you left on this computer; then {user}"
                " goes on."
            ).format(owner=owner, user=username),
        )
        dialog.setWindowTitle(self.tr("Send the changes of {owner}").format(owner=owner))
        dialog.submitted.connect(lambda: self._send_as(dialog, username, owner))

        def cancelled() -> None:
            self.question = None
            self.runner.cancel_all()
            self._fetch_scope(username)

        self._ask(dialog, cancelled)

    def _send_as(self, dialog: SignInDialog, username: str, owner: str) -> None:
        attempt = SignIn(
            dialog.chosen_server(),
            owner,
            dialog.password.text(),
            remember=False,
            fixed=True,
            tls=self._tls(),
        )
        dialog.set_busy(True, self.tr("Sending the changes of {owner}…").format(owner=owner))
        local = self.local
        assert local is not None
        self.runner.run(
            lambda: _send_as(attempt, local),
            lambda _report: self._sent(username),
            lambda error: dialog.refused(error_text(error)),
        )

    def _sent(self, username: str) -> None:
        self._close_progress()
        self._close_question()
        # Asked again: the copy is free now, unless more was waiting than went.
        self._fetch_scope(username)

    def _not_sent(self, username: str, error: BaseException) -> None:
        self._close_progress()
        self.dialogs.error(None, self.tr("The changes were not sent"), error_text(error))
        self._fetch_scope(username)

    def _keep_aside(self, username: str) -> None:
        self.progress = self._progress_dialog(self.tr("Keeping the copy aside…"))
        local, key, data_dir = self.local, self.key, self.config.data_dir
        assert local is not None and key is not None
        self.runner.run(
            lambda: keep_aside(data_dir, local, key),
            lambda _kept: self._reopen(username, restored=False),
            lambda error: self._not_kept(username, error),
        )

    def _not_kept(self, username: str, error: BaseException) -> None:
        self._close_progress()
        self.dialogs.error(None, self.tr("The copy was not kept aside"), error_text(error))
        self._fetch_scope(username)

    def _restore(self, username: str) -> None:
        self.progress = self._progress_dialog(self.tr("Bringing back your copy kept aside…"))
        local, data_dir = self.local, self.config.data_dir
        assert local is not None
        self.runner.run(
            lambda: restore(data_dir, local, username),
            lambda _kept: self._reopen(username, restored=True),
            self._failed,
        )

    def _reopen(self, username: str, *, restored: bool) -> None:
        data_dir, source = self.config.data_dir, self.key_source
        self.runner.run(
            lambda: _reopened(data_dir, source),
            lambda opened: self._reopened(username, opened, restored),
            self._failed,
        )

    def _reopened(
        self, username: str, opened: tuple[StoreKey, Database, str | None], restored: bool
    ) -> None:
        self._close_progress()
        self.key, self.local, self.owner = opened
        if restored:
            self._send_restored(username)
        else:
            self._fetch_scope(username)

    def _send_restored(self, username: str) -> None:
        """What waited in the copy kept aside goes now; offline, the window opens on it all
        the same (its own syncs send it when the server answers)."""
        self.progress = self._progress_dialog(self.tr("Sending the changes kept for you…"))
        local, central = self.local, self.central
        assert local is not None and central is not None

        def offline(error: BaseException) -> None:
            if isinstance(error, SyncFailed):
                self._fetched(username)
            else:
                self._not_fetched(error)

        self.runner.run(
            lambda: sync(local, central, username), lambda _report: self._fetched(username), offline
        )

    def _first_sync(self, username: str) -> None:
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
        # Platforms add it to the windows' titles (the window's own title names the user,
        # not the program): in the window's language, too.
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

    def _ask(self, dialog: QDialog, cancelled: Callable[[], None] | None = None) -> None:
        """Show `dialog`; `cancelled` is what its Cancel does (by default the start ends)."""
        self._question_cancelled = cancelled or self._cancelled
        dialog.rejected.connect(self._question_cancelled)
        self.question = dialog
        dialog.open()
        self.asking.emit(dialog)

    def _close_question(self) -> None:
        dialog, self.question = self.question, None
        if dialog is not None:
            dialog.rejected.disconnect(self._question_cancelled)
            dialog.close()
            dialog.deleteLater()

    def _cancelled(self) -> None:
        self.question = None
        # Whatever the question was waiting for is of no use now.
        self.runner.cancel_all()
        self.failed.emit("")

    def _progress_dialog(self, text: str) -> QProgressDialog:
        """A busy dialog shown at once: nothing else is on the screen while the work runs."""
        progress = QProgressDialog(text, "", 0, 0)
        progress.setWindowTitle(self.tr("Collector Workstation"))
        progress.setCancelButton(None)
        progress.setMinimumDuration(0)
        # Reaching the maximum is not the end: the demo is still indexed and checked after.
        progress.setAutoReset(False)
        progress.setAutoClose(False)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.show()
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


def application(argv: Sequence[str] = ()) -> QApplication:
    """The application (made here unless one exists), named.

    Scaling: a screen at 150 % draws at 1.5 (Qt 6's PassThrough, said here so that no
    environment's default rounds it to 1 or 2); fonts are in points, so text grows with the
    screen. Colours: the system's palette, light or dark, followed live (`app.ui.common.look`).
    """
    app = QApplication.instance()
    if app is None:
        # Only before the application exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName(keys.APPLICATION)
    app.setOrganizationName(keys.ORGANISATION)
    # Platforms add it to every window's title (after the window's own), and name the program
    # by it; the window opened sets it again in its language.
    app.setApplicationDisplayName("Collector Workstation")
    return app


def run(config: Config, username: str | None, argv: Sequence[str] = ()) -> int:
    """Open the main window; returns the exit status when it closes."""
    app = application(argv)
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
