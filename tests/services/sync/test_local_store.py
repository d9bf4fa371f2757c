"""The local copy: encrypted with SQLCipher, its key in the real keychain or typed in."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.models import Team
from app.services.common.errors import InvalidInput
from app.services.sync.local_store import (
    STORE_FILE,
    KeychainUnavailable,
    WrongKey,
    keychain_key,
    open_local_store,
    passphrase_key,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def no_keychain() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_the_local_copy_is_unreadable_without_its_key(tmp_path: Path) -> None:
    key = passphrase_key("a long enough passphrase")
    db = open_local_store(tmp_path, key)
    with db.session() as session:
        session.add(Team(name="电催一组-机密"))
    db.dispose()
    raw = (tmp_path / STORE_FILE).read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert "电催一组-机密".encode() not in raw
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(tmp_path / STORE_FILE).execute("SELECT * FROM sqlite_master").fetchall()
    with pytest.raises(WrongKey, match="does not open"):
        open_local_store(tmp_path, passphrase_key("another long passphrase"))
    again = open_local_store(tmp_path, key)
    with again.reader() as session:
        assert [team.name for team in session.query(Team)] == ["电催一组-机密"]
    again.dispose()


def test_opening_the_copy_writes_nothing_where_the_program_was_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started_in = tmp_path / "started-here"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    key = passphrase_key("not the passphrase!")
    open_local_store(tmp_path / "data", key).dispose()
    # The URL carries the key before the path: it must not become a folder's name.
    assert list(started_in.iterdir()) == []
    assert (tmp_path / "data" / STORE_FILE).is_file()
    names = [path.name for path in tmp_path.rglob("*")]
    assert not any(key.secret in name or "pysqlcipher" in name for name in names), names


def test_without_a_keychain_the_user_is_asked_for_a_passphrase(
    tmp_path: Path, no_keychain: None
) -> None:
    with pytest.raises(KeychainUnavailable, match="passphrase"):
        keychain_key(tmp_path)
    with pytest.raises(InvalidInput, match="too short"):
        passphrase_key("short")
    assert "secret" not in repr(passphrase_key("a long enough passphrase, secret"))


def test_the_key_lives_in_the_real_keychain_and_in_no_file(tmp_path: Path) -> None:
    tools = [shutil.which(name) for name in ("dbus-run-session", "gnome-keyring-daemon")]
    if not all(tools):
        why = "no Secret Service here: scripts/system-packages installs gnome-keyring"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    script = tmp_path / "keychain_check.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "import keyring\n"
        "from app.models import Team\n"
        "from app.services.sync.local_store import KEYCHAIN_SERVICE, keychain_entry, keychain_key,"
        " open_local_store\n"
        "data = Path(sys.argv[1])\n"
        "first, second = keychain_key(data), keychain_key(data)\n"
        "assert first.secret == second.secret and len(first.secret) == 64\n"
        "assert keyring.get_password(KEYCHAIN_SERVICE, keychain_entry(data)) == first.secret\n"
        "assert 'SecretService' in type(keyring.get_keyring()).__module__\n"
        "db = open_local_store(data, first)\n"
        "with db.session() as session:\n"
        "    session.add(Team(name='team'))\n"
        "db.dispose()\n"
        "for path in data.rglob('*'):\n"
        "    if path.is_file():\n"
        "        assert first.secret.encode() not in path.read_bytes(), path\n"
        "print('keychain ok')\n"
    )
    data = tmp_path / "data"
    unlock = "echo unlock-for-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    # A keyring of its own (created, unlocked, with this password), not the user's.
    home = tmp_path / "home"
    home.mkdir()
    environment = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", f'{unlock} && "$0" "$1" "$2"', sys.executable,
         str(script), str(data)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("keychain ok")


def test_a_copy_kept_with_other_contact_codes_is_repaired_as_it_opens(tmp_path: Path) -> None:
    """A catalogue whose contact codes changed since the copy's queue summary was kept (a new
    program, an edited resources/dispositions.json): the copy's summary follows it at start."""
    from datetime import UTC, date, datetime

    from app.services.common.queue_summary import codes_current, computed, stored_summary
    from tests.helpers.portfolio import Portfolio

    key = passphrase_key("a long enough passphrase")
    db = open_local_store(tmp_path, key)
    portfolio = Portfolio(db)
    account = portfolio.account(today=date(2026, 11, 28), dpd=10)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM queue_summary_codes WHERE code = 'RTP'")
    # Kept with the codes of the time, a refusal to pay is not a contact there.
    portfolio.attempt(account, datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "RTP")
    with db.engine.connect() as connection:
        assert not codes_current(connection)
        assert account.loan_id not in stored_summary(connection)
    db.dispose()
    again = open_local_store(tmp_path, key)
    with again.engine.connect() as connection:
        assert codes_current(connection)
        assert account.loan_id in stored_summary(connection) == computed(connection)
    again.dispose()
