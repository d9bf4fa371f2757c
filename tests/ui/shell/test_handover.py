"""Someone else signs in while the last user's changes still wait on the workstation: the last
user sends them, or their copy is kept aside for them (encrypted with its own key) and comes
back with its changes when they sign in here again. Against the real PostgreSQL test server;
the copies' rules themselves are in tests/services/sync/test_aside.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.portfolio.notes import add_note
from app.services.sync.aside import aside_folder, copies_aside
from app.services.sync.central import add_user
from app.services.sync.engine import sync_status
from app.services.sync.local_store import WrongKey, keychain_key, open_local_store
from app.ui.common.settings import Settings
from app.ui.shell import sync_status as status_module
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sign_in import SignInDialog
from app.ui.shell.start import Startup
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.keychain import MemoryKeyring
from tests.helpers.startup import (
    PASSWORD,
    ServerCentral,
    asked,
    fill_sign_in,
    opened,
    server_central,
    sync_now,
    unique,
)
from tests.ui.shell.test_leaving import quit_window
from tests.ui.shell.test_sign_in import Site
from tests.ui.shell.test_start import Demo, _loans_of

SEND_NOW, KEEP_ASIDE = 0, 1


@pytest.fixture(autouse=True)
def no_sync_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # What each user leaves must still wait when they go: the windows sync only when told.
    monkeypatch.setattr(status_module, "FIRST_SYNC_MS", 600_000)


class Two:
    """The test server with two collectors, each with accounts of their own."""

    def __init__(self, central: ServerCentral) -> None:
        self.central = central
        self.first = central.username
        self.second = unique("colleague")
        admin = central.admin
        with admin.engine.connect() as connection:
            team = connection.execute(
                text(
                    "SELECT t.name FROM teams t JOIN users u ON u.team_id = t.id"
                    " WHERE u.username = :u"
                ),
                {"u": self.first},
            ).scalar_one()
        add_user(admin, self.second, Role.COLLECTOR.value, str(team), PASSWORD, new_team=False)
        central.logins.append(self.second)
        with admin.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE username = :u)"
                    " WHERE id = :loan"
                ),
                {"u": self.second, "loan": central.theirs.loan_id},
            )
        self.contract = {
            self.first: central.mine[0].contract_no,
            self.second: central.theirs.contract_no,
        }

    def notes_on_server(self, body: str) -> int:
        with self.central.admin.engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM account_notes WHERE text = :t"), {"t": body}
                ).scalar_one()
            )


@pytest.fixture
def two(pg_db: Database) -> Iterator[Two]:
    world = server_central(pg_db)
    yield Two(world)
    world.close()


@pytest.fixture
def site(
    tmp_path: Path,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
    two: Two,
    keychain: MemoryKeyring,
) -> Iterator[Site]:
    workstation = Site(tmp_path, ui_settings, dialogs, two.central)
    yield workstation
    workstation.close()


def _contracts(window: MainWindow) -> set[str]:
    return {entry.contract_no for entry in window.queue.model.rows}


def _works_and_leaves(two: Two, startup: Startup, window: MainWindow, note: str) -> None:
    """The user notes something on an account of theirs and goes without it being sent."""
    user = window.context.username
    add_note(window.context.db, user, two.contract[user], note, now=NOW)
    assert sync_status(window.context.db).waiting > 0
    window.leave()
    startup.stop()


def _sign_in(qtbot: QtBot, site: Site, username: str) -> MainWindow:
    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    return opened(
        qtbot, startup, lambda: fill_sign_in(qtbot, dialog, username=username, password=PASSWORD)
    )


def test_kept_aside_then_back_each_users_changes_reach_the_server_under_their_own_name(
    qtbot: QtBot, site: Site, two: Two, dialogs: RecordingDialogs, keychain: MemoryKeyring
) -> None:
    data = site.data
    first, window = site.first_start(qtbot)
    _works_and_leaves(two, first, window, "The first user's note.")

    # The colleague signs in: asked, and keeps the copy aside rather than being locked out.
    dialogs.picks = [KEEP_ASIDE]
    theirs = _sign_in(qtbot, site, two.second)
    (offer,) = [shown for shown in dialogs.shown if shown.kind == "choose"]
    assert offer.title == f"Changes of {two.first} are waiting"
    assert "1 note" in offer.text and "encrypted with" in offer.text
    assert dialogs.offered[-1] == ("Send them now", f"Keep them aside for {two.first}", "Cancel")
    # Their own accounts only, on a fresh copy with a key of its own.
    assert _contracts(theirs) == {two.contract[two.second]}
    assert [copy.username for copy in copies_aside(data)] == [two.first]
    kept = aside_folder(data, two.first)
    with pytest.raises(WrongKey):
        open_local_store(kept, keychain_key(data)).dispose()
    assert two.notes_on_server("The first user's note.") == 0

    # The colleague works, syncs some, and leaves something unsent in turn.
    add_note(theirs.context.db, two.second, two.contract[two.second], "Sent.", now=NOW)
    sync_now(qtbot, theirs)
    assert two.notes_on_server("Sent.") == 1
    (second,) = [s for s in site.started if s.window is theirs]
    _works_and_leaves(two, second, theirs, "The colleague's note.")

    # The first user is back: the colleague's copy goes aside, theirs comes back and is sent.
    dialogs.picks = [KEEP_ASIDE]
    back = _sign_in(qtbot, site, two.first)
    assert dialogs.shown[-1].title == f"Changes of {two.second} are waiting"
    assert back.context.username == two.first
    assert _contracts(back) == {account.contract_no for account in two.central.mine}
    assert two.notes_on_server("The first user's note.") == 1
    assert [copy.username for copy in copies_aside(data)] == [two.second]
    assert two.notes_on_server("The colleague's note.") == 0
    # They quit the usual way: what they did meanwhile (an account opened) is sent first.
    quit_window(qtbot, back)
    qtbot.waitUntil(lambda: not back.isVisible(), timeout=30_000)

    # And the colleague's copy, kept whole, comes back for them with its note.
    again = _sign_in(qtbot, site, two.second)
    assert again.context.username == two.second
    assert two.notes_on_server("The colleague's note.") == 1
    assert copies_aside(data) == []
    # Each note on the server is its writer's, as its writer's login role sent it.
    with two.central.admin.engine.connect() as connection:
        authors = dict(
            connection.execute(
                text(
                    "SELECT n.text, u.username FROM account_notes n JOIN users u"
                    " ON u.id = n.user_id"
                )
            ).all()
        )
    assert authors["The first user's note."] == two.first
    assert authors["The colleague's note."] == two.second


def test_the_last_user_signs_in_to_send_their_changes_and_the_next_one_goes_on(
    qtbot: QtBot, site: Site, two: Two, dialogs: RecordingDialogs
) -> None:
    first, window = site.first_start(qtbot)
    _works_and_leaves(two, first, window, "Sent by its writer.")

    dialogs.picks = [SEND_NOW]
    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    owner = asked(
        qtbot,
        startup,
        lambda: fill_sign_in(qtbot, dialog, username=two.second, password=PASSWORD),
    )
    # The last user signs in for this alone: their name is fixed, nothing is remembered.
    assert isinstance(owner, SignInDialog)
    assert owner.user.text() == two.first and owner.user.isReadOnly()
    assert not owner.remember.isVisibleTo(owner)
    assert two.first in owner.note.text()
    fill_sign_in(qtbot, owner, password="not the password")
    qtbot.waitUntil(lambda: owner.problem.isVisibleTo(owner), timeout=20_000)
    assert "did not accept" in owner.problem.text()
    window = opened(qtbot, startup, lambda: fill_sign_in(qtbot, owner, password=PASSWORD))
    assert window.context.username == two.second
    assert _contracts(window) == {two.contract[two.second]}
    assert two.notes_on_server("Sent by its writer.") == 1
    assert copies_aside(site.data) == []


def test_cancelling_the_offer_asks_who_signs_in_and_changes_nothing(
    qtbot: QtBot, site: Site, two: Two, dialogs: RecordingDialogs
) -> None:
    first, window = site.first_start(qtbot)
    _works_and_leaves(two, first, window, "Still here.")
    startup = site.startup()
    dialog = asked(qtbot, startup, startup.start)
    again = asked(
        qtbot,
        startup,
        lambda: fill_sign_in(qtbot, dialog, username=two.second, password=PASSWORD),
    )
    assert isinstance(again, SignInDialog) and again is not dialog
    assert startup.window is None and copies_aside(site.data) == []
    assert startup.local is not None and sync_status(startup.local).waiting > 0


def test_a_demo_workstation_with_a_passphrase_offers_only_to_send(
    qtbot: QtBot, tmp_path: Path, ui_settings: Settings, dialogs: RecordingDialogs
) -> None:
    """No keychain: the passphrase opens every copy here, so none is kept aside."""
    demo = Demo(qtbot, tmp_path, ui_settings, dialogs)
    try:
        first, window = demo.start(pick=0)
        before = window.context.username
        contract = sorted(_loans_of(window.context.db, before))[0]
        add_note(window.context.db, before, contract, "From the demo.", now=NOW)
        window.leave()
        first.stop()

        dialogs.picks = [SEND_NOW]
        _, other = demo.start(pick=1)
        assert other.context.username != before
        assert dialogs.offered[-1] == ("Send them now", "Cancel")
        assert "passphrase" in dialogs.shown[-1].text
        central = demo.central()
        try:
            with central.engine.connect() as connection:
                sent = connection.execute(
                    text("SELECT count(*) FROM account_notes WHERE text = 'From the demo.'")
                ).scalar_one()
        finally:
            central.dispose()
        assert sent == 1
    finally:
        demo.close()
