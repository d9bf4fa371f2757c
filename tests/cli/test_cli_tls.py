"""The command line and TLS: a server named without it is refused on one line, and `sync`
reaches a real server over verify-full with the root certificate the environment names."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import DATABASE_URL_ENV
from app.database import TLS_ENV, TLS_ROOT_CERT_ENV, Database
from app.models import Role
from tests.helpers.cli import run_cli
from tests.helpers.postgres import tls_environment
from tests.helpers.sync_world import PASSWORD, Central, central_on

PASSPHRASE = "a long passphrase here"
CLEARTEXT = "postgresql+psycopg://admin:secret@127.0.0.1:5432/collector?sslmode=disable"


def _cli(
    data_dir: Path, *args: str, env: dict[str, str], stdin: str = "", real: bool = False
) -> subprocess.CompletedProcess[str]:
    """The command with the environment `env`, in this process or (`real`) the program
    itself (tests/helpers/cli.py)."""
    return run_cli(data_dir, *args, stdin=stdin, env=env, real=real)


def _environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """This environment without any TLS variable of ours or libpq's, plus `variables`."""
    ours = (TLS_ENV, TLS_ROOT_CERT_ENV, DATABASE_URL_ENV, "PGSSLMODE", "PGSSLROOTCERT")
    env = {name: value for name, value in os.environ.items() if name not in ours}
    return {**env, "HOME": str(tmp_path / "home"), **variables}


@pytest.mark.parametrize("command", [["central", "init"], ["status"]])
def test_a_cleartext_server_in_the_environment_is_one_line_and_no_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    done = _cli(tmp_path, *command, env=_environment(tmp_path, **{DATABASE_URL_ENV: CLEARTEXT}))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line == (
        "error: The server 127.0.0.1:5432/collector would be reached without TLS"
        " (sslmode=disable): use sslmode=verify-full or leave sslmode out. The minimum is set"
        f" by {TLS_ENV} or under File → Settings → TLS minimum."
    )
    assert "secret" not in done.stderr


def test_require_given_by_url_needs_the_administrators_word(tmp_path: Path) -> None:
    required = CLEARTEXT.replace("disable", "require")
    refused = _cli(
        tmp_path, "central", "init", "--url", required, env=_environment(tmp_path), real=True
    )
    assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1
    assert f"set {TLS_ENV}=require" in refused.stderr
    # A minimum the app does not know is said on one line too.
    unknown = _environment(tmp_path, **{TLS_ENV: "off"})
    odd = _cli(tmp_path, "central", "init", "--url", required, env=unknown)
    assert odd.returncode == 1 and "Traceback" not in odd.stderr
    assert odd.stderr.splitlines() == [
        f"error: “off” is not a TLS minimum: {TLS_ENV} and File → Settings → TLS minimum take"
        " verify-full or require."
    ]


@pytest.fixture
def central(pg_db: Database) -> Iterator[Central]:
    world = central_on(pg_db)
    yield world
    world.drop_roles()


def test_sync_reaches_the_server_over_tls_with_the_root_certificate_of_the_environment(
    tmp_path: Path, central: Central
) -> None:
    collector = central.staff(Role.COLLECTOR)
    central.account(collector)
    server = str(central.server())
    args = ("sync", "--user", collector, "--server", server)
    stdin = f"{PASSWORD}\n{PASSPHRASE}\n"
    # No root certificate anywhere: verify-full cannot check the server, nothing is sent.
    untrusted = _cli(
        tmp_path, *args, "--password-stdin", "--passphrase-stdin",
        env=_environment(tmp_path), stdin=stdin,
    )  # fmt: skip
    assert untrusted.returncode == 3, untrusted.stderr
    assert untrusted.stderr.startswith(
        f"offline: The server {server} could not be reached securely:"
    )
    assert "root certificate file" in untrusted.stderr and "Traceback" not in untrusted.stderr
    trusted = _cli(
        tmp_path, *args, "--password-stdin", "--passphrase-stdin",
        env={**tls_environment(), "HOME": str(tmp_path / "home")}, stdin=stdin,
    )  # fmt: skip
    assert trusted.returncode == 0, trusted.stderr
    assert "1 accounts arrived" in trusted.stdout
