"""The command line's start: `--help` and `--version` load neither the database layer nor Qt
nor the document and phone libraries, and a query command on a database at this program's
revision checks it without loading alembic, while a database behind is still upgraded first.

What a process imported is read from `python -X importtime`, which lists every module the run
loaded; the commands run as a user runs them (`python -m app …`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from app import __version__
from app.cli import main
from app.database import Database, _head_from_files, alembic_config, head_revision

# What a start without a command's work must not load: the database layer, Qt, the libraries
# of documents, spreadsheets, phones, regions and the keychain, and the application's own
# models, window and demo.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "psycopg",
    "PySide6",
    "reportlab",
    "pypdf",
    "openpyxl",
    "phonenumbers",
    "pycountry",
    "email_validator",
    "keyring",
    "app.models",
    "app.database",
    "app.ui",
    "app.demo",
    # The scorecard's learning and plots: only `model train` and `model report` load them.
    "sklearn",
    "matplotlib",
    "numpy",
    "app.services.scoring.training",
    "app.services.scoring.evaluation",
)


def run(data_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """The command's run, and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    loaded = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    return result, loaded


def heavy(loaded: set[str], packages: tuple[str, ...] = HEAVY) -> set[str]:
    """The modules of these packages among those loaded."""
    return {
        name
        for name in loaded
        if name in packages or name.startswith(tuple(f"{p}." for p in packages))
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("startup")
    demo = ["demo-data", "--accounts", "40", "--as-of", "2026-11-28T10:00:00+08:00"]
    assert main(["--data-dir", str(folder), *demo]) == 0
    return folder


def test_version_starts_without_the_database_layer_or_qt(tmp_path: Path) -> None:
    result, loaded = run(tmp_path, "--version")
    assert (result.returncode, result.stdout) == (0, f"collector-workstation {__version__}\n")
    assert "app.cli.parser" in loaded  # the run is read: the parser was imported
    assert heavy(loaded) == set()


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("users", "--help"),
        ("report", "--help"),
        ("plan", "issue", "--help"),
        ("central", "feed", "--help"),
        ("model", "train", "--help"),
        ("model", "report", "--help"),
    ],
)
def test_help_starts_without_the_database_layer_or_qt(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result, loaded = run(tmp_path, *args)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: collector-workstation")
    assert heavy(loaded) == set()
    assert not (tmp_path / "central.sqlite3").exists()  # nothing was opened or built


def test_a_query_on_a_current_database_checks_its_revision_without_alembic(
    data_dir: Path,
) -> None:
    result, loaded = run(data_dir, "users", "--active")
    assert result.returncode == 0
    assert result.stdout.split()[:2] == ["admin", "admin"]
    assert "app.models" in loaded
    assert heavy(loaded, ("alembic", "PySide6", "reportlab", "pypdf", "openpyxl")) == set()


@pytest.mark.parametrize("command", ["queue", "account"])
def test_the_queue_and_an_account_load_no_document_library(data_dir: Path, command: str) -> None:
    # Plans need their agreement's terms and digest, never a page: the PDF libraries load only
    # for a command that writes or reads an agreement.
    collector = main_output(data_dir, "users", "--json")
    user = next(u["username"] for u in collector if u["role"] == "collector" and u["active"])
    at = ("--at", "2026-11-28T10:00:00+08:00")
    queue = main_output(data_dir, "queue", "--user", user, *at, "--json")
    args = ["queue", "--user", user, *at]
    if command == "account":
        args = ["account", queue[0]["contract_no"], "--user", user]
    result, loaded = run(data_dir, *args)
    assert result.returncode == 0, result.stderr
    assert "app.models" in loaded  # the run is read: the account was opened
    assert heavy(loaded, ("reportlab", "pypdf", "PySide6", "sklearn", "matplotlib")) == set()


def main_output(data_dir: Path, *args: str) -> Any:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_query_on_a_database_behind_upgrades_it_first(tmp_path: Path) -> None:
    assert main(["--data-dir", str(tmp_path), "demo-data", "--accounts", "20"]) == 0
    db = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    with db.engine.begin() as connection:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    behind = db.revision()
    assert behind is not None and behind != head_revision()

    result, loaded = run(tmp_path, "users")
    assert result.returncode == 0, result.stderr
    assert "alembic" in loaded
    assert db.revision() == head_revision()
    db.dispose()


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    assert _head_from_files() == ScriptDirectory.from_config(alembic_config("")).get_current_head()


def test_a_merge_of_two_heads_is_left_to_alembic(tmp_path: Path) -> None:
    migration = 'revision: str = "{0}"\ndown_revision: str | None = {1}\n'
    (tmp_path / "a.py").write_text(migration.format("a", "None"))
    (tmp_path / "b.py").write_text(migration.format("b", '"a"'))
    (tmp_path / "c.py").write_text(migration.format("c", '"a"'))
    assert _head_from_files(tmp_path) is None  # two heads
    (tmp_path / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n')
    assert _head_from_files(tmp_path) is None  # a merge, written as alembic writes one
    (tmp_path / "c.py").unlink()
    (tmp_path / "d.py").write_text(migration.format("d", '"b"'))
    assert _head_from_files(tmp_path) == "d"
