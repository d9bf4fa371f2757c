"""`collector-workstation sync`: the workstation's encrypted copy and the central database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.services.sync import engine as sync
from app.services.sync.local_store import open_local_store, passphrase_key
from tests.helpers.cli import run_cli

PASSPHRASE = "a long passphrase here"


def _cli(
    data_dir: Path, *args: str, stdin: str = "", real: bool = False
) -> subprocess.CompletedProcess[str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    return run_cli(data_dir, *args, stdin=stdin, real=real)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data folder with a small embedded central; a collector of it."""
    data_dir = tmp_path_factory.mktemp("cli-sync")
    built = _cli(data_dir, "demo-data", "--accounts", "60")
    assert built.returncode == 0, built.stderr
    central = Database(f"sqlite:///{data_dir / 'central.sqlite3'}")
    with central.engine.connect() as connection:
        username = connection.execute(
            text(
                "SELECT u.username FROM users u JOIN loans l ON l.assigned_to_id = u.id"
                " WHERE u.role = 'collector' GROUP BY u.username ORDER BY count(*) DESC"
            )
        ).scalar_one()
    central.dispose()
    return data_dir, str(username)


def test_sync_fills_the_encrypted_copy_then_sends_what_was_done_there(
    demo: tuple[Path, str],
) -> None:
    data_dir, username = demo
    first = _cli(
        data_dir, "sync", "--user", username, "--passphrase-stdin", stdin=PASSPHRASE, real=True
    )
    assert first.returncode == 0, first.stderr
    assert "accounts arrived" in first.stdout and "0 changes waiting" in first.stdout
    local = open_local_store(data_dir, passphrase_key(PASSPHRASE))
    with local.engine.begin() as connection:
        connection.execute(text("UPDATE borrowers SET employer = '新单位' WHERE rowid = 1"))
    assert sync.sync_status(local).waiting == 1
    local.dispose()
    status = _cli(
        data_dir, "sync", "--user", username, "--passphrase-stdin", "--status", stdin=PASSPHRASE
    )
    assert "1 changes waiting" in status.stdout
    second = _cli(data_dir, "sync", "--user", username, "--passphrase-stdin", stdin=PASSPHRASE)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("sent 1 changes (0 conflicts, 0 refused)")
    central = Database(f"sqlite:///{data_dir / 'central.sqlite3'}")
    with central.engine.connect() as connection:
        employers = connection.execute(
            text("SELECT count(*) FROM borrowers WHERE employer = '新单位'")
        ).scalar_one()
    central.dispose()
    assert employers == 1


def test_sync_with_a_wrong_passphrase_opens_nothing(demo: tuple[Path, str]) -> None:
    data_dir, username = demo
    _cli(data_dir, "sync", "--user", username, "--passphrase-stdin", stdin=PASSPHRASE)
    wrong = _cli(
        data_dir, "sync", "--user", username, "--passphrase-stdin", stdin="not the passphrase!"
    )
    assert wrong.returncode == 1 and "does not open" in wrong.stderr


def test_sync_against_an_unreachable_server_says_offline(
    demo: tuple[Path, str],
) -> None:
    data_dir, username = demo
    offline = _cli(
        data_dir, "sync", "--user", username, "--server", "127.0.0.1:9/collector",
        "--password-stdin", "--passphrase-stdin", stdin=f"any password\n{PASSPHRASE}\n",
    )  # fmt: skip
    assert offline.returncode == 3 and "did not answer" in offline.stderr
    assert "changes waiting" in offline.stdout
