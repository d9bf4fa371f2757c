"""The questions of a start: the local data's passphrase, and signing in to a central server
(the real PostgreSQL test server, reached through a relay the tests stop to take it away)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.config import Config
from app.database import TLS_ENV, TLS_ROOT_CERT_ENV, Database
from app.services.common.script_graph import PROFILE_ENV
from app.services.contact.compliance import profile_code_for, set_server_default
from app.services.portfolio.notes import add_note
from app.services.sync.central import load_server_policy
from app.services.sync.credentials import credential_entry
from app.services.sync.engine import sync_status
from app.services.sync.local_store import KEYCHAIN_SERVICE, open_local_store, passphrase_key
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsDialog
from app.ui.shell.sign_in import PassphraseDialog, SignInDialog
from app.ui.shell.start import Startup, UserChooser
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.keychain import MemoryKeyring
from tests.helpers.startup import (
    PASSPHRASE,
    PASSWORD,
    ServerCentral,
    asked,
    fill_sign_in,
    opened,
    press_ok,
    server_central,
    sync_now,
    type_passphrase,
)
from tests.helpers.tls import make_ca
from tests.ui.conftest import SHIFT_NOW


class Cancel(UserChooser):
    """Says no to the choice of demo user: the start ends there."""

    def exec(self) -> int:
        return 0


def _problem_shown(qtbot: QtBot, dialog: PassphraseDialog | SignInDialog) -> str:
    """The problem the dialog shows once the answer was tried (and it asks again)."""
    qtbot.waitUntil(
        lambda: dialog.problem.isVisibleTo(dialog) and dialog.ok_button.isEnabled(),
        timeout=20_000,
    )
    assert dialog.isVisible()
    return dialog.problem.text()


# The passphrase.


def test_a_short_passphrase_is_refused(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(new=True)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.assertNotEmitted(dialog.submitted):
        type_passphrase(qtbot, dialog, "too short")
    assert "too short" in dialog.problem.text() and "12" in dialog.problem.text()
    assert dialog.isVisible()


def test_a_confirmation_that_differs_is_refused(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(new=True)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.assertNotEmitted(dialog.submitted):
        type_passphrase(qtbot, dialog, PASSPHRASE, again=PASSPHRASE + "!")
    assert "differ" in dialog.problem.text()
    with qtbot.waitSignal(dialog.submitted):
        type_passphrase(qtbot, dialog, PASSPHRASE)
    assert dialog.key().secret == PASSPHRASE and dialog.key().source == "passphrase"


def _existing_copy(data: Path) -> None:
    open_local_store(data, passphrase_key(PASSPHRASE)).dispose()


def test_a_wrong_passphrase_on_an_existing_copy_asks_again(
    qtbot: QtBot, db: Database, tmp_path: Path, ui_settings: Settings, dialogs: RecordingDialogs
) -> None:
    data = tmp_path / "data"
    _existing_copy(data)
    startup = Startup(
        Config(data, db.url), None, settings=ui_settings, dialogs=dialogs, chooser=Cancel
    )
    try:
        dialog = asked(qtbot, startup, startup.start)
        assert isinstance(dialog, PassphraseDialog) and not dialog.new
        type_passphrase(qtbot, dialog, "not the passphrase at all")
        assert "does not open" in _problem_shown(qtbot, dialog)
        assert startup.local is None and dialog.passphrase.text() == ""
        # The right one opens it; the start goes on (to the choice of user, cancelled here).
        with qtbot.waitSignal(startup.failed, timeout=20_000) as failed:
            type_passphrase(qtbot, dialog)
        assert failed.args == [""]
        assert startup.local is not None
        assert dialogs.errors() == []
    finally:
        startup.stop()


def test_a_keychain_key_that_does_not_open_the_copy_asks_for_its_passphrase(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    keychain: MemoryKeyring,
) -> None:
    """A copy made with a passphrase, then a keychain appears: the passphrase still opens it."""
    data = tmp_path / "data"
    _existing_copy(data)
    startup = Startup(
        Config(data, db.url), None, settings=ui_settings, dialogs=dialogs, chooser=Cancel
    )
    try:
        dialog = asked(qtbot, startup, startup.start)
        assert isinstance(dialog, PassphraseDialog) and not dialog.new
        assert "does not open with this key" in dialog.intro.text()
        with qtbot.waitSignal(startup.failed, timeout=20_000):
            type_passphrase(qtbot, dialog)
        assert startup.local is not None
    finally:
        startup.stop()


# The sign-in dialog on its own.


def test_the_sign_in_dialog_wants_a_server_a_user_name_and_a_password(qtbot: QtBot) -> None:
    dialog = SignInDialog("db.example.cn:5432", "")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.assertNotEmitted(dialog.submitted):
        press_ok(qtbot, dialog)
        assert "is not a server" in dialog.problem.text()
        fill_sign_in(qtbot, dialog, server="db.example.cn/collector", username="zhang.wei")
        assert dialog.problem.text() == "Enter your user name and password."
    with qtbot.waitSignal(dialog.submitted):
        fill_sign_in(qtbot, dialog, password=PASSWORD)
    assert str(dialog.chosen_server()) == "db.example.cn:5432/collector"
    assert dialog.username() == "zhang.wei"


def test_typing_another_user_drops_the_remembered_password(qtbot: QtBot) -> None:
    dialog = SignInDialog("db.example.cn:5432/collector", "zhang.wei", PASSWORD)
    qtbot.addWidget(dialog)
    assert dialog.password.text() == PASSWORD and dialog.remember.isChecked()
    qtbot.keyClicks(dialog.user, "2")
    assert dialog.password.text() == "" and not dialog.remember.isChecked()


def test_the_settings_dialog_checks_the_central_server_and_keeps_it_written_one_way(
    qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs
) -> None:
    settings = window.context.settings
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.server.setText("db.example.cn")
    dialog.accept()
    assert "is not a server" in dialogs.errors()[-1]
    assert dialog.result() == 0 and settings.get(keys.CENTRAL_SERVER) == ""
    dialog.server.setText(" db.example.cn/collector ")
    dialog.accept()
    assert settings.get(keys.CENTRAL_SERVER) == "db.example.cn:5432/collector"
    assert dialog.server_changed
    # Emptied: back to the demo.
    again = SettingsDialog(window.context, window)
    qtbot.addWidget(again)
    assert again.server.text() == "db.example.cn:5432/collector"
    again.server.clear()
    again.accept()
    assert settings.get(keys.CENTRAL_SERVER) == ""


# Starts against a server.


class Site:
    """A workstation set to sync with `central`; its central file (unused) lies elsewhere."""

    def __init__(
        self,
        tmp_path: Path,
        settings: Settings,
        dialogs: RecordingDialogs,
        central: ServerCentral | None = None,
    ) -> None:
        self.data = tmp_path / "data"
        self.config = Config(self.data, f"sqlite:///{tmp_path / 'elsewhere' / 'central.sqlite3'}")
        self.settings = settings
        self.dialogs = dialogs
        self.central = central
        self.started: list[Startup] = []
        if central is not None:
            central.configure(settings)

    def startup(self) -> Startup:
        startup = Startup(
            self.config,
            None,
            settings=self.settings,
            dialogs=self.dialogs,
            clock=lambda: SHIFT_NOW,
        )
        self.started.append(startup)
        return startup

    def first_start(self, qtbot: QtBot, remember: bool = True) -> tuple[Startup, MainWindow]:
        assert self.central is not None
        startup = self.startup()
        dialog = asked(qtbot, startup, startup.start)
        window = opened(
            qtbot,
            startup,
            lambda: fill_sign_in(
                qtbot,
                dialog,
                username=self.central.username if self.central else "",
                password=PASSWORD,
                remember=remember,
            ),
        )
        return startup, window

    def close(self) -> None:
        for startup in self.started:
            window = startup.window
            if isinstance(window, MainWindow) and shiboken6.isValid(window):
                window.leave()
            startup.stop()


@pytest.fixture
def central(pg_db: Database) -> Iterator[ServerCentral]:
    world = server_central(pg_db)
    yield world
    world.close()


@pytest.fixture
def site(
    tmp_path: Path, ui_settings: Settings, dialogs: RecordingDialogs, central: ServerCentral
) -> Iterator[Site]:
    workstation = Site(tmp_path, ui_settings, dialogs, central)
    yield workstation
    workstation.close()


def _contracts(window: MainWindow) -> set[str]:
    return {entry.contract_no for entry in window.queue.model.rows}


def _entry(central: ServerCentral) -> tuple[str, str]:
    return KEYCHAIN_SERVICE, credential_entry(central.server, central.username)


def test_a_refused_password_is_said_then_the_right_one_opens_the_window_on_the_copy(
    qtbot: QtBot,
    site: Site,
    central: ServerCentral,
    keychain: MemoryKeyring,
    ui_settings: Settings,
) -> None:
    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    assert isinstance(dialog, SignInDialog)
    assert dialog.server.text() == central.server
    fill_sign_in(qtbot, dialog, username=central.username, password="not the password")
    assert "did not accept" in _problem_shown(qtbot, dialog)
    assert startup.window is None

    window = opened(qtbot, startup, lambda: fill_sign_in(qtbot, dialog, password=PASSWORD))
    context = window.context
    assert context.username == central.username
    assert context.server == central.server
    assert context.central is not None and context.central is startup.central
    # The window works on the encrypted copy, which the first sync filled with this
    # collector's two accounts and nothing of the colleague's.
    assert context.db.url.startswith("sqlite+pysqlcipher://")
    assert _contracts(window) == {account.contract_no for account in central.mine}
    with context.db.engine.connect() as connection:
        names = set(connection.execute(text("SELECT name FROM borrowers")).scalars())
    assert names == {"李雷", "周晓梅"}
    assert ui_settings.get(keys.LAST_USER) == central.username
    # Not remembered: "remember me" was not ticked.
    assert _entry(central) not in keychain.entries


def test_remember_me_keeps_the_password_in_the_keychain_and_unticking_forgets_it(
    qtbot: QtBot, site: Site, central: ServerCentral, keychain: MemoryKeyring
) -> None:
    first, window = site.first_start(qtbot, remember=True)
    assert keychain.entries[_entry(central)] == PASSWORD
    window.leave()
    first.stop()

    second = site.startup()
    dialog = asked(qtbot, second, second.start)
    assert isinstance(dialog, SignInDialog)
    assert dialog.server.text() == central.server
    assert dialog.user.text() == central.username
    assert dialog.password.text() == PASSWORD and dialog.remember.isChecked()
    window = opened(qtbot, second, lambda: fill_sign_in(qtbot, dialog, remember=False))
    assert window.context.username == central.username
    qtbot.waitUntil(lambda: _entry(central) not in keychain.entries)


def test_the_next_start_works_offline_on_the_copy_when_the_server_is_gone(
    qtbot: QtBot,
    site: Site,
    central: ServerCentral,
    keychain: MemoryKeyring,
    dialogs: RecordingDialogs,
) -> None:
    first, window = site.first_start(qtbot, remember=True)
    window.leave()
    first.stop()
    central.stop_answering()

    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    assert isinstance(dialog, SignInDialog) and dialog.password.text() == PASSWORD
    offline = opened(qtbot, startup, lambda: press_ok(qtbot, dialog))
    (question,) = [shown for shown in dialogs.shown if shown.kind == "confirm"]
    assert question.title == "Work offline?"
    assert central.server in question.text
    # The shift goes on: the queue is there, and work done now waits to be sent.
    context = offline.context
    assert _contracts(offline) == {account.contract_no for account in central.mine}
    assert context.central is not None and context.server == central.server
    assert keychain.entries[_entry(central)] == PASSWORD
    contract = central.mine[0].contract_no
    add_note(context.db, central.username, contract, "Called from the road.", now=SHIFT_NOW)
    assert sync_status(context.db).waiting > 0

    # The server is back: the same central database syncs what was done offline.
    central.answer_again()
    assert sync_now(qtbot, offline).push.sent > 0
    with central.admin.engine.connect() as connection:
        notes = connection.execute(
            text("SELECT count(*) FROM account_notes WHERE text = :t"),
            {"t": "Called from the road."},
        ).scalar_one()
    assert notes == 1


def test_signing_out_forgets_the_password_and_asks_who_signs_in(
    qtbot: QtBot, site: Site, central: ServerCentral, keychain: MemoryKeyring
) -> None:
    startup, window = site.first_start(qtbot, remember=True)
    assert _entry(central) in keychain.entries
    dialog = asked(qtbot, startup, window.sign_out_requested.emit)
    assert isinstance(dialog, SignInDialog)
    # The window is gone (closed, then deleted).
    assert startup.window is None
    assert not shiboken6.isValid(window) or not window.isVisible()
    assert _entry(central) not in keychain.entries
    assert dialog.user.text() == central.username and dialog.password.text() == ""
    assert not dialog.remember.isChecked()
    again = opened(qtbot, startup, lambda: fill_sign_in(qtbot, dialog, password=PASSWORD))
    assert again is not window and again.context.username == central.username


def test_without_a_keychain_the_password_is_not_remembered_and_the_user_is_told(
    qtbot: QtBot, site: Site, central: ServerCentral, dialogs: RecordingDialogs
) -> None:
    startup = site.startup()
    key = asked(qtbot, startup, startup.start)
    dialog = asked(qtbot, startup, lambda: type_passphrase(qtbot, key))
    window = opened(
        qtbot,
        startup,
        lambda: fill_sign_in(
            qtbot, dialog, username=central.username, password=PASSWORD, remember=True
        ),
    )
    assert window.context.username == central.username
    (told,) = [shown for shown in dialogs.shown if shown.kind == "info"]
    assert "not remembered" in told.text


def test_a_server_whose_certificate_does_not_check_out_is_not_signed_in_to(
    qtbot: QtBot,
    site: Site,
    central: ServerCentral,
    keychain: MemoryKeyring,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in (TLS_ENV, TLS_ROOT_CERT_ENV, "PGSSLROOTCERT"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.postgresql/root.crt
    other = make_ca(tmp_path / "other-ca", "Someone else's CA")
    ui_settings.set(keys.CENTRAL_ROOT_CERT, str(other.certificate))
    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    fill_sign_in(qtbot, dialog, username=central.username, password=PASSWORD)
    problem = _problem_shown(qtbot, dialog)
    assert f"The server {central.server} could not be reached securely" in problem
    assert "certificate verify failed" in problem and "Root certificate" in problem
    assert "first start needs the server" in problem and startup.window is None
    assert [shown for shown in dialogs.shown if shown.kind == "confirm"] == []
    # The administrator allows require: encrypted, the certificate not checked. The settings
    # are read at each try.
    ui_settings.set(keys.CENTRAL_TLS, "require")
    ui_settings.set(keys.CENTRAL_ROOT_CERT, "")
    window = opened(qtbot, startup, lambda: press_ok(qtbot, dialog))
    central_db = window.context.central
    assert central_db is not None
    with central_db.engine.connect() as connection:
        encrypted = connection.execute(
            text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        ).scalar_one()
        info = connection.connection.dbapi_connection.info
        assert info.get_parameters()["sslmode"] == "require"
    assert encrypted is True


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_cannot_start_a_copy_without_the_users_accounts(
    qtbot: QtBot,
    tmp_path: Path,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    keychain: MemoryKeyring,
) -> None:
    site = Site(tmp_path, ui_settings, dialogs)
    ui_settings.set(keys.CENTRAL_SERVER, f"127.0.0.1:{_closed_port()}/collector")
    startup = site.startup()
    try:
        dialog = asked(qtbot, startup, startup.start)
        fill_sign_in(qtbot, dialog, username="zhang.wei", password=PASSWORD)
        problem = _problem_shown(qtbot, dialog)
        assert "did not answer" in problem and "first start needs the server" in problem
        assert [shown for shown in dialogs.shown if shown.kind == "confirm"] == []
        with qtbot.waitSignal(startup.failed) as failed:
            dialog.reject()
        assert failed.args == [""] and startup.window is None
    finally:
        site.close()


def test_a_server_named_by_the_environment_is_shown_and_cannot_be_edited(
    qtbot: QtBot,
    tmp_path: Path,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    keychain: MemoryKeyring,
) -> None:
    url = "postgresql+psycopg://admin:secret@db.example.cn:6543/collector"
    startup = Startup(Config(tmp_path / "data", url), None, settings=ui_settings, dialogs=dialogs)
    try:
        dialog = asked(qtbot, startup, startup.start)
        assert isinstance(dialog, SignInDialog)
        assert dialog.server.text() == "db.example.cn:6543/collector"
        assert dialog.server.isReadOnly()
        # Its user and password are the administrator's, not the person's: not offered.
        assert dialog.user.text() == "" and dialog.password.text() == ""
    finally:
        startup.stop()


def test_a_signed_in_workstation_reads_borrowers_without_a_profile_as_its_server_does(
    qtbot: QtBot,
    site: Site,
    central: ServerCentral,
    keychain: MemoryKeyring,
    dialogs: RecordingDialogs,
    ui_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # This workstation chose the UK profile and its environment says US; the server says CN
    # (shipped) until its administrator runs central init with the US profile.
    ui_settings.set(keys.RULE_PROFILE, "UK")
    monkeypatch.setenv(PROFILE_ENV, "US")
    load_server_policy(central.admin)
    monkeypatch.delenv(PROFILE_ENV)
    with central.admin.engine.connect() as connection:
        said = connection.execute(
            text("SELECT value ->> 'default' FROM server_policy WHERE key = 'scripts'")
        ).scalar_one()
    assert said == "US"
    ui_settings.set(keys.SERVER_PROFILE, "")

    first, window = site.first_start(qtbot, remember=True)
    # A borrower in Japan is read under the server's profile, not the workstation's choice.
    assert profile_code_for("JP") == "US"
    assert profile_code_for("CN") == "CN"
    assert ui_settings.get(keys.SERVER_PROFILE) == "US"
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    assert not dialog.profile.isEnabled()
    assert dialog.profile.currentData() == "US"
    dialog.accept()
    assert ui_settings.get(keys.RULE_PROFILE) == "UK"  # kept, for a workstation without server
    assert profile_code_for("JP") == "US"
    window.leave()
    first.stop()

    # Offline, the next start keeps to the server's profile it last heard.
    set_server_default(None)
    central.stop_answering()
    startup = site.startup()
    asked_again = asked(qtbot, startup, startup.start)
    assert isinstance(asked_again, SignInDialog)
    assert profile_code_for("JP") == "US"
    offline = opened(qtbot, startup, lambda: press_ok(qtbot, asked_again))
    assert offline.context.central is not None
    assert profile_code_for("JP") == "US"
