"""No password, key or personal data in plain files, settings or logs (docs/domain.md §9).

A real start of the window, a first sync, a contact recorded on the local copy and sent: then
every file under the data folder and the settings folder is searched, as UTF-8 and as UTF-16,
for the password, the local data's key or passphrase, and the names, phone numbers and ID
numbers of the accounts that came down; and so is every log record. The central database is
elsewhere (it plays the server), and so is the demo's embedded central file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import phonenumbers
import pytest
import shiboken6
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.config import Config
from app.database import Database
from app.services.contact.contacts import record_contact
from app.services.portfolio.notes import add_note
from app.services.sync.local_store import KEYCHAIN_SERVICE, keychain_entry
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup, UserChooser
from tests.helpers.contacts import NOW, outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.keychain import memory_keychain, no_keychain
from tests.helpers.startup import (
    PASSPHRASE,
    PASSWORD,
    ServerCentral,
    asked,
    fill_sign_in,
    opened,
    server_central,
    sync_now,
    type_passphrase,
)

ENCODINGS = ("utf-8", "utf-16-le")
# A shorter pattern turns up in the random-looking bytes of an encrypted file by chance: a
# two-character name in UTF-16 is four bytes, found about once per 4·10⁹ positions, and the
# write-ahead log of a demo copy holds millions. Such a name is still searched as UTF-8
# (six bytes, once per 3·10¹⁴).
SHORTEST = 6


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """The data folder and the settings folder the start writes to (QSettings redirected)."""
    data, config = tmp_path / "data", tmp_path / "config"
    config.mkdir()
    default = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for format_ in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(format_, QSettings.Scope.UserScope, str(config))
    yield data, config
    for format_ in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(format_, QSettings.Scope.UserScope, default)


def personal_data(db: Database, username: str) -> set[str]:
    """Names, phone numbers (E.164 and national) and ID numbers of the user's accounts."""
    found: set[str] = set()
    with db.engine.connect() as connection:
        borrowers = connection.execute(
            text(
                "SELECT b.id, b.name, b.id_number, b.street FROM borrowers b"
                " JOIN loans l ON l.borrower_id = b.id JOIN users u ON u.id = l.assigned_to_id"
                " WHERE u.username = :u"
            ),
            {"u": username},
        ).all()
        for borrower_id, name, id_number, street in borrowers:
            found |= {name, id_number, street}
            points = connection.execute(
                text("SELECT value, contact_name FROM contact_points WHERE borrower_id = :b"),
                {"b": borrower_id},
            ).all()
            for value, contact_name in points:
                if value.startswith("+"):
                    number = phonenumbers.parse(value)
                    found |= {value, str(number.national_number)}
                if contact_name:
                    found.add(contact_name)
    return found


def leaks(needles: Iterable[str], files: dict[str, bytes]) -> list[str]:
    """Which needle appears in which file, in either encoding."""
    found = []
    for needle in needles:
        for encoding in ENCODINGS:
            pattern = needle.encode(encoding)
            if len(pattern) < SHORTEST:
                continue
            found += [
                f"{needle!r} ({encoding}) in {name}"
                for name, data in files.items()
                if pattern in data
            ]
    return found


def files_under(*folders: Path) -> dict[str, bytes]:
    return {
        str(path): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def log_text(caplog: pytest.LogCaptureFixture) -> dict[str, bytes]:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
    return {"the log": "\n".join(lines).encode("utf-8")}


def test_the_search_finds_what_it_looks_for() -> None:
    """A leak written either way is found (else the tests below prove nothing)."""
    for encoding in ENCODINGS:
        for needle in ("周晓梅", "+8613812345678", "110101199005170011"):
            assert leaks([needle], {"f": b"x" + needle.encode(encoding) + b"y"}) != []
    # A two-character name: as UTF-8 (six bytes), the way SQLite and the settings write it.
    assert leaks(["李雷"], {"f": "李雷".encode()}) != []
    assert leaks(["李雷"], {"f": "李".encode()}) == []


def _walk_and_search(
    qtbot: QtBot,
    window: MainWindow,
    startup: Startup,
    folders: tuple[Path, Path],
    secrets: set[str],
    personal: set[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    context = window.context
    assert personal and all(personal)
    # The copy holds them (so the search below would find them were it not encrypted).
    with context.db.engine.connect() as connection:
        names = set(connection.execute(text("SELECT name FROM borrowers")).scalars())
    assert names and names <= personal

    # While the window is open (the write-ahead log beside the copy too), and after it closed.
    open_files = files_under(*folders)
    assert any(name.endswith("local.sqlite3") for name in open_files)
    problems = leaks(secrets | personal, open_files)
    if shiboken6.isValid(window):
        window.close()
    startup.stop()
    settings_files = [name for name in files_under(folders[1]) if name.endswith(".conf")]
    assert settings_files, "the settings were not written where the test looks"
    problems += leaks(secrets | personal, files_under(*folders))
    problems += leaks(secrets | personal, log_text(caplog))
    assert problems == []


def test_a_server_start_leaves_no_password_key_or_personal_data_in_plain_sight(
    qtbot: QtBot,
    pg_db: Database,
    tmp_path: Path,
    folders: tuple[Path, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    data, _config = folders
    central: ServerCentral = server_central(pg_db)
    settings = Settings()  # the real store, in the redirected folder
    central.configure(settings)
    config = Config(data, f"sqlite:///{tmp_path / 'elsewhere' / 'central.sqlite3'}")
    startup = Startup(config, None, settings=settings, dialogs=RecordingDialogs())
    try:
        with memory_keychain() as keychain:
            dialog = asked(qtbot, startup, startup.start)
            window = opened(
                qtbot,
                startup,
                lambda: fill_sign_in(
                    qtbot, dialog, username=central.username, password=PASSWORD, remember=True
                ),
            )
            context = window.context
            account = central.mine[0]
            record_contact(
                context.db, replace(outcome(account, "NA"), username=central.username), now=NOW
            )
            add_note(context.db, central.username, account.contract_no, "No answer.", now=NOW)
            sent = sync_now(qtbot, window)
            assert sent.push.sent > 0
            key = keychain.entries[(KEYCHAIN_SERVICE, keychain_entry(data))]
            assert PASSWORD in keychain.entries.values()
            _walk_and_search(
                qtbot,
                window,
                startup,
                folders,
                {PASSWORD, key},
                personal_data(central.admin, central.username),
                caplog,
            )
    finally:
        startup.stop()
        central.close()


class FirstCollector(UserChooser):
    """Works as the first collector of the list (whose accounts are theirs alone)."""

    def exec(self) -> int:
        rows = range(self.list.count())
        self.list.setCurrentRow(next(r for r in rows if "Collector" in self.list.item(r).text()))
        return 1


def test_a_demo_start_with_a_passphrase_leaves_none_in_plain_sight(
    qtbot: QtBot,
    tmp_path: Path,
    folders: tuple[Path, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    data, _config = folders
    # The embedded central plays the server: outside the folders searched.
    config = Config(data, f"sqlite:///{tmp_path / 'elsewhere' / 'central.sqlite3'}")
    startup = Startup(
        config,
        None,
        settings=Settings(),
        dialogs=RecordingDialogs(),
        chooser=FirstCollector,
        demo_accounts=300,
    )
    try:
        with no_keychain():
            dialog = asked(qtbot, startup, startup.start)
            window = opened(qtbot, startup, lambda: type_passphrase(qtbot, dialog))
        context = window.context
        with context.db.engine.connect() as connection:
            contract = connection.execute(
                text("SELECT contract_no FROM loans ORDER BY contract_no LIMIT 1")
            ).scalar_one()
        add_note(context.db, context.username, contract, "Will pay on Friday.", now=NOW)
        assert sync_now(qtbot, window).push.sent > 0
        central = Database(config.database_url)
        try:
            personal = personal_data(central, context.username)
        finally:
            central.dispose()
        _walk_and_search(qtbot, window, startup, folders, {PASSPHRASE}, personal, caplog)
    finally:
        startup.stop()
