"""Driving a workstation's start as a person would: answering its questions, signing in.

Also a PostgreSQL central for the sign-in tests: one collector with a login role of their own
and a password, two accounts of theirs and one of a colleague, reached through a relay the test
can stop (tests/helpers/tcp_proxy.py), over TLS checked against the test server's CA.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.database import Database
from app.models import Role
from app.services.sync.central import add_user, init_central
from app.services.sync.engine import SyncReport, sync
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sign_in import PassphraseDialog, SignInDialog
from app.ui.shell.start import Startup
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Account, Portfolio
from tests.helpers.postgres import server_ca
from tests.helpers.tcp_proxy import TcpProxy

PASSWORD = "correct horse battery"
PASSPHRASE = "a passphrase for the tests"


def asked(qtbot: QtBot, startup: Startup, action: Callable[[], object]) -> QDialog:
    """The question the start shows after `action` (start(), a click on OK...)."""
    with qtbot.waitSignal(startup.asking, timeout=20_000) as asking:
        action()
    dialog = asking.args[0]
    assert isinstance(dialog, QDialog)
    assert dialog.isVisible()
    return dialog


def press_ok(qtbot: QtBot, dialog: PassphraseDialog | SignInDialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def type_passphrase(
    qtbot: QtBot, dialog: QDialog, passphrase: str = PASSPHRASE, again: str | None = None
) -> None:
    """Type the passphrase (twice for a new copy) and press OK."""
    assert isinstance(dialog, PassphraseDialog)
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, passphrase)
    if dialog.new:
        dialog.confirmation.clear()
        qtbot.keyClicks(dialog.confirmation, passphrase if again is None else again)
    press_ok(qtbot, dialog)


def fill_sign_in(
    qtbot: QtBot,
    dialog: QDialog,
    *,
    username: str | None = None,
    password: str | None = None,
    remember: bool | None = None,
    server: str | None = None,
) -> None:
    """Type what is given over what the dialog shows, then press OK."""
    assert isinstance(dialog, SignInDialog)
    for line, value in ((dialog.server, server), (dialog.user, username)):
        if value is not None:
            line.selectAll()
            qtbot.keyClicks(line, value)
    if password is not None:
        dialog.password.clear()
        qtbot.keyClicks(dialog.password, password)
    if remember is not None:
        dialog.remember.setChecked(remember)
    press_ok(qtbot, dialog)


def opened(qtbot: QtBot, startup: Startup, action: Callable[[], object]) -> MainWindow:
    """The window the start opens after `action`, once it has read its queue."""
    windows: list[object] = []
    failures: list[str] = []
    startup.ready.connect(windows.append)
    startup.failed.connect(failures.append)
    try:
        action()
        qtbot.waitUntil(lambda: bool(windows or failures), timeout=60_000)
    finally:
        startup.ready.disconnect(windows.append)
        startup.failed.disconnect(failures.append)
    assert not failures, f"the start failed: {failures[0]!r}"
    (window,) = windows
    assert isinstance(window, MainWindow)
    qtbot.waitUntil(lambda: window.context.runner.pending == 0, timeout=20_000)
    return window


def sync_now(qtbot: QtBot, window: MainWindow) -> SyncReport:
    """A sync of the window's copy on its worker (as its Sync now runs one); the report."""
    context = window.context
    local, central, username = context.db, context.central, context.username
    assert central is not None
    answers: list[object] = []
    context.runner.run(lambda: sync(local, central, username), answers.append, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=30_000)
    (report,) = answers
    assert isinstance(report, SyncReport), report
    return report


def unique(prefix: str) -> str:
    """A login role's name no other test database on the cluster uses (roles are global)."""
    return f"{prefix}_t{uuid.uuid4().hex[:8]}"


@dataclass
class ServerCentral:
    """A PostgreSQL central, its collector (with a password) and the relay in front of it."""

    admin: Database
    username: str
    mine: list[Account]
    theirs: Account
    proxy: TcpProxy
    ca: str  # the CA certificate the server's TLS certificate is checked against
    logins: list[str] = field(default_factory=list)

    @property
    def database(self) -> str:
        return str(make_url(self.admin.url).database)

    @property
    def server(self) -> str:
        """The server as a user writes it: through the relay."""
        return f"127.0.0.1:{self.proxy.port}/{self.database}"

    def configure(self, settings: Settings) -> None:
        """A workstation's settings, as a user sets them: this server, and its root
        certificate (the relay passes TLS through untouched)."""
        settings.set(keys.CENTRAL_SERVER, self.server)
        settings.set(keys.CENTRAL_ROOT_CERT, self.ca)

    def stop_answering(self) -> None:
        self.proxy.stop()

    def answer_again(self) -> None:
        """The relay back on the same port: the same server answers again."""
        self.proxy = TcpProxy(*self.proxy.target, listen_port=self.proxy.port)

    def close(self) -> None:
        self.proxy.stop()
        with self.admin.engine.begin() as connection:
            for name in self.logins:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


def server_central(admin: Database) -> ServerCentral:
    """Set `admin`'s database up as a central with one collector who signs in as themself."""
    init_central(admin)
    portfolio = Portfolio(admin)
    username = unique("collector")
    with admin.engine.connect() as connection:
        team = connection.execute(
            text("SELECT name FROM teams WHERE id = :id"), {"id": portfolio.team_id}
        ).scalar_one()
    add_user(admin, username, Role.COLLECTOR.value, str(team), PASSWORD)
    with admin.engine.connect() as connection:
        found = connection.execute(
            text("SELECT id FROM users WHERE username = :u"), {"u": username}
        ).scalar_one()
    user_id = found if isinstance(found, uuid.UUID) else uuid.UUID(str(found))
    mine = [
        portfolio.account(
            today=NOW.date(),
            dpd=30,
            name="李雷",
            numbers={"mobile": "13812345678", "emergency": "13900001111"},
            assigned_to=user_id,
        ),
        portfolio.account(
            today=NOW.date(),
            dpd=12,
            name="周晓梅",
            numbers={"mobile": "13987654321"},
            assigned_to=user_id,
        ),
    ]
    theirs = portfolio.account(
        today=NOW.date(), dpd=30, name="韩梅梅", numbers={"mobile": "13700001234"}
    )
    url = make_url(admin.url)
    proxy = TcpProxy("127.0.0.1", url.port or 5432)
    return ServerCentral(admin, username, mine, theirs, proxy, str(server_ca()), [username])
