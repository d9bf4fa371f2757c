"""`collector-workstation sync` on a workstation where another user's changes still wait: it
refuses and says both ways on; `--keep-aside` keeps the copy aside for them (with its key, in
the real keychain: a Secret Service of the test's own) and their next sync brings it back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from tests.cli.test_cli_sync import _cli

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "a long passphrase here"

# Run inside a D-Bus session with an unlocked keyring of its own: each step is the CLI as a
# user runs it, in order, with the keychain they share.
DRIVER = """
import subprocess, sys
from pathlib import Path

from app.services.portfolio.notes import add_note
from app.services.sync.local_store import keychain_key, open_local_store
from app.services.sync.waiting import waiting_changes
from sqlalchemy import text

data, first, second = Path(sys.argv[1]), sys.argv[2], sys.argv[3]


def cli(*args):
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data), "sync", *args],
        capture_output=True, text=True, timeout=180,
    )
    print(f"$ sync {' '.join(args)} -> {done.returncode}")
    print(done.stdout, end="")
    print(done.stderr, end="")
    return done


assert cli("--user", first).returncode == 0
local = open_local_store(data, keychain_key(data))
with local.engine.connect() as connection:
    contract = connection.execute(text("SELECT contract_no FROM loans LIMIT 1")).scalar_one()
add_note(local, first, contract, "Left on the shared workstation.")
waiting = waiting_changes(local).total
local.dispose()
print(f"waiting {waiting}")

refused = cli("--user", second)
assert refused.returncode == 1, refused
assert f"{waiting} changes of {first} are still waiting" in refused.stderr
assert "--keep-aside" in refused.stderr

kept = cli("--user", second, "--keep-aside")
assert kept.returncode == 0, kept
assert f"kept aside: the copy of {first} with {waiting} changes waiting" in kept.stdout
status = cli("--user", second, "--status")
assert f"{second}: online" in status.stdout and "0 changes waiting" in status.stdout
assert f"kept aside: {first}, {waiting} changes waiting" in status.stdout

back = cli("--user", first)
assert back.returncode == 0, back
assert f"back: the copy of {first} kept aside since" in back.stdout
assert f"sent {waiting} changes" in back.stdout
assert "kept aside" not in cli("--user", first, "--status").stdout
print("handover ok")
"""


def test_sync_keeps_another_users_copy_aside_and_brings_it_back_for_them(
    tmp_path: Path,
) -> None:
    tools = [shutil.which(name) for name in ("dbus-run-session", "gnome-keyring-daemon")]
    if not all(tools):
        why = "no Secret Service here: scripts/system-packages installs gnome-keyring"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    data = tmp_path / "data"
    built = _cli(data, "demo-data", "--accounts", "60", "--accounts-per-collector", "20")
    assert built.returncode == 0, built.stderr
    central = Database(f"sqlite:///{data / 'central.sqlite3'}")
    try:
        with central.engine.connect() as connection:
            first, second = connection.execute(
                text(
                    "SELECT u.username FROM users u JOIN loans l ON l.assigned_to_id = u.id"
                    " WHERE u.role = 'collector' GROUP BY u.username ORDER BY u.username LIMIT 2"
                )
            ).scalars()
    finally:
        central.dispose()
    script = tmp_path / "handover.py"
    script.write_text(DRIVER, encoding="utf-8")
    unlock = "echo unlock-for-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        # The driver and the commands it runs use this checkout's code.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", f'{unlock} && "$0" "$@"', sys.executable,
         str(script), str(data), first, second],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("handover ok")
    central = Database(f"sqlite:///{data / 'central.sqlite3'}")
    try:
        with central.engine.connect() as connection:
            author = connection.execute(
                text(
                    "SELECT u.username FROM account_notes n JOIN users u ON u.id = n.user_id"
                    " WHERE n.text = 'Left on the shared workstation.'"
                )
            ).scalar_one()
    finally:
        central.dispose()
    assert author == first


def test_keep_aside_is_refused_for_a_copy_opened_with_a_passphrase(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert (
        _cli(data, "demo-data", "--accounts", "60", "--accounts-per-collector", "20").returncode
        == 0
    )
    central = Database(f"sqlite:///{data / 'central.sqlite3'}")
    try:
        with central.engine.connect() as connection:
            first, second = connection.execute(
                text(
                    "SELECT u.username FROM users u JOIN loans l ON l.assigned_to_id = u.id"
                    " WHERE u.role = 'collector' GROUP BY u.username ORDER BY u.username LIMIT 2"
                )
            ).scalars()
    finally:
        central.dispose()
    args = ("sync", "--passphrase-stdin")
    assert _cli(data, *args, "--user", first, stdin=PASSPHRASE).returncode == 0
    from app.services.portfolio.notes import add_note
    from app.services.sync.local_store import open_local_store, passphrase_key

    local = open_local_store(data, passphrase_key(PASSPHRASE))
    with local.engine.connect() as connection:
        contract = connection.execute(text("SELECT contract_no FROM loans LIMIT 1")).scalar_one()
    add_note(local, first, contract, "Typed-passphrase copy.")
    local.dispose()
    refused = _cli(data, *args, "--user", second, "--keep-aside", stdin=PASSPHRASE)
    assert refused.returncode == 1
    assert "opens with a passphrase typed at each start" in refused.stderr
    assert not (data / "aside").exists()
