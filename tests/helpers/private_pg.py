"""A PostgreSQL server of a test's own, to stop and start under a running sync.

`initdb` into a new folder and `pg_ctl start` on a free port, listening on 127.0.0.1 only, with
password (SCRAM) sign-in for everyone over TCP and TLS on, with a certificate for 127.0.0.1
from a CA of its own (`tls` trusts it), as a real central asks of workstations. The
server refuses to run as root, so as root (CI) the folder belongs to the `postgres` user and
every server command runs through `runuser -u postgres --`. The server's programs are those of
COLLECTOR_WORKSTATION_PG_BIN, else /usr/lib/postgresql/15/bin, else `pg_config --bindir`.
Without them the test fails under CI (CI=true) and is skipped elsewhere.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from app.database import Tls
from tests.helpers.tls import ServerCertificate, make_ca, make_server_certificate

BIN_ENV = "COLLECTOR_WORKSTATION_PG_BIN"
DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"


def _bindir() -> Path | None:
    for candidate in (os.environ.get(BIN_ENV), str(DEFAULT_BIN)):
        if candidate and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    if shutil.which("pg_config"):
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivatePostgres:
    """One server in a folder of its own: its admin URL, stop and start."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.port = _free_port()
        self.password = secrets.token_hex(16)
        self._as_postgres = os.geteuid() == 0
        # TLS: a CA of its own and a certificate for 127.0.0.1 signed by it (`init` makes them);
        # what a workstation asks of this server is TLS checked against that CA.
        self.ca_certificate = root / "ca" / "ca.crt"
        server = root / "server"
        self.certificate = ServerCertificate(server / "server.crt", server / "server.key")
        self.tls = Tls(root_cert=str(self.ca_certificate))

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({done.returncode}): {done.stderr or done.stdout}\n{log}"
            )

    def init(self) -> None:
        ca = make_ca(self.ca_certificate.parent)
        self.certificate = make_server_certificate(self.root / "server", ca)
        secret = self.root / "password"
        secret.write_text(self.password)
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(secret, "postgres", "postgres")
            # The server reads its key only when the key is its own and closed to others.
            shutil.chown(self.certificate.key, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={secret}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )
        secret.unlink()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c fsync=off -c ssl=on"
            f" -c ssl_cert_file={self.certificate.certificate}"
            f" -c ssl_key_file={self.certificate.key}"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; `immediate` cuts every connection at once, as a crash would."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, check=False).returncode == 0

    def url(self, database: str = "postgres") -> str:
        """The superuser's URL over TCP, trusting this server's CA (the app adds verify-full)."""
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            password=self.password,
            host="127.0.0.1",
            port=self.port,
            database=database,
            query={"sslrootcert": str(self.ca_certificate)},
        ).render_as_string(hide_password=False)

    def create_database(self, name: str) -> str:
        """A new database; its admin URL."""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh server, running; stopped and removed afterwards."""
    bindir = _bindir()
    if bindir is None:
        why = f"no PostgreSQL server programs: set {BIN_ENV} or install postgresql"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    # Not under the test's tmp_path: as root that folder is closed to the postgres user.
    server = PrivatePostgres(bindir, Path(tempfile.mkdtemp(prefix="cw-private-pg-")))
    try:
        server.init()
        server.start()
        yield server
    finally:
        if server.running():
            server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
