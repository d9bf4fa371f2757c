"""Engine, sessions and schema upgrades for the embedded SQLite file or a central server.

A PostgreSQL server reached over TCP is reached over TLS, and the connection is refused before
it is tried when its sslmode is weaker than the minimum (`Tls`): verify-full unless the
administrator lowers it to require. Unix sockets and the embedded SQLite file need none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"
# A migration file's own revision and the one it follows, as `alembic revision` writes them
# (`revision: str = "0014"`, `down_revision: str | None = "0013"`).
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*[\"']([^\"'\n]+)[\"']\s*$", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision\s*(?::[^=\n]*)?=\s*(?:None|[\"']([^\"'\n]+)[\"'])\s*$", re.MULTILINE
)

# The least TLS a connection to a server over TCP may have: verify-full (the default) or
# require, where the administrator says so; and the CA certificate that signed the server's
# (libpq's sslrootcert; unset, libpq's own default, PGSSLROOTCERT or ~/.postgresql/root.crt).
TLS_ENV = "COLLECTOR_WORKSTATION_TLS"
TLS_ROOT_CERT_ENV = "COLLECTOR_WORKSTATION_TLS_ROOT_CERT"
# libpq's sslmodes, weakest first. Below require a connection may be cleartext; require
# encrypts without checking whose certificate it is; verify-ca checks it was signed by the
# root certificate; verify-full also that it names the host connected to.
SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
VERIFY_FULL = "verify-full"
TLS_MINIMA = (VERIFY_FULL, "require")


@dataclass(frozen=True)
class Tls:
    """What a connection to a PostgreSQL server over TCP must have (no secret in it)."""

    minimum: str = VERIFY_FULL
    root_cert: str = ""  # "" leaves libpq's own default

    @classmethod
    def chosen(cls, minimum: str = "", root_cert: str = "") -> Tls:
        """The environment's choice, else the one given (the window's settings), else the
        default: an administrator's variables win over what a user set in the window."""
        chosen = os.environ.get(TLS_ENV, "").strip() or minimum.strip() or VERIFY_FULL
        return cls(
            chosen.lower(), os.environ.get(TLS_ROOT_CERT_ENV, "").strip() or root_cert.strip()
        )


class InsecureConnection(Exception):
    """A server over TCP asked for with less TLS than the minimum: refused before connecting.

    The services turn it into a user's message (app/services/sync/workstation.py,
    `connection_refusal`); the English text is the same.
    """

    def __init__(self, server: str, setting: str, sslmode: str, minimum: str) -> None:
        self.server = server
        self.setting = setting  # where the sslmode came from: "sslmode" or "PGSSLMODE"
        self.sslmode = sslmode
        self.minimum = minimum
        self.cleartext = SSLMODES.index(sslmode) < SSLMODES.index("require")
        if self.cleartext:
            message = (
                f"The server {server} would be reached without TLS ({setting}={sslmode}): use"
                f" sslmode={minimum} or leave sslmode out. The minimum is set by {TLS_ENV} or"
                " under File → Settings → TLS minimum."
            )
        else:
            message = (
                f"The server {server} would be reached without checking its certificate"
                f" ({setting}={sslmode}; the minimum is {minimum}): use sslmode={minimum} or"
                f" leave sslmode out. Only where the administrator says so, set {TLS_ENV}=require"
                " or choose require under File → Settings → TLS minimum."
            )
        super().__init__(message)


class UnknownTlsMinimum(Exception):
    """The minimum asked for is not one of TLS_MINIMA."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            f"“{value}” is not a TLS minimum: {TLS_ENV} and File → Settings → TLS minimum take"
            " verify-full or require."
        )


def tls_connect_args(
    url: str | URL, tls: Tls, connect_args: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`connect_args` with the TLS a PostgreSQL connection must use added; raises
    InsecureConnection for a server over TCP with a weaker sslmode than `tls.minimum`.

    The sslmode is the one given (connect_args, else the URL's query), else PGSSLMODE's, else
    the minimum; it is always passed to libpq, which would otherwise try TLS and fall back to
    cleartext (prefer) without a word. Other databases are left as they are.
    """
    given = dict(connect_args or {})
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return given
    if tls.minimum not in TLS_MINIMA:
        raise UnknownTlsMinimum(tls.minimum)
    _, params = parsed.get_dialect()().create_connect_args(parsed)
    params.update(given)
    setting, sslmode = "sslmode", str(params.get("sslmode") or "").strip()
    if not sslmode and os.environ.get("PGSSLMODE", "").strip():
        setting, sslmode = "PGSSLMODE", os.environ["PGSSLMODE"].strip()
    if sslmode and sslmode not in SSLMODES:
        # libpq refuses it by itself, with its own message.
        return given
    weaker = bool(sslmode) and SSLMODES.index(sslmode) < SSLMODES.index(tls.minimum)
    if weaker and _over_tcp(params):
        raise InsecureConnection(_server(params), setting, sslmode, tls.minimum)
    # A socket ignores sslmode, so the minimum goes to every connection: a host that libpq
    # takes from elsewhere (PGHOST, a service file) is held to it too.
    given["sslmode"] = sslmode or tls.minimum
    if tls.root_cert and not params.get("sslrootcert"):
        given["sslrootcert"] = str(Path(tls.root_cert).expanduser())
    return given


def _over_tcp(params: Mapping[str, Any]) -> bool:
    """Whether libpq reaches the server over TCP: a host that is not a socket's folder, or an
    address. With neither, libpq's default is the local socket."""
    if params.get("hostaddr") or os.environ.get("PGHOSTADDR"):
        return True
    hosts = str(params.get("host") or os.environ.get("PGHOST") or "")
    return any(
        host.strip() and not host.strip().startswith(("/", "@")) for host in hosts.split(",")
    )


def _server(params: Mapping[str, Any]) -> str:
    """host:port/database, as a user writes a server."""
    host = str(params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or "")
    return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or ''}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # A workstation's portfolio is read over and over (queue, account, history): keep up to
    # 64 MiB of it in SQLite's cache and map the file instead of copying pages per read.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


class Database:
    """One database: an engine plus a session factory. Services take one of these."""

    def __init__(self, url: str, *, tls: Tls | None = None, **engine_args: Any) -> None:
        """`tls`: what a server over TCP must offer; by default the environment's
        (COLLECTOR_WORKSTATION_TLS, COLLECTOR_WORKSTATION_TLS_ROOT_CERT)."""
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":
            engine_args["connect_args"] = tls_connect_args(
                parsed, tls or Tls.chosen(), engine_args.get("connect_args")
            )
        if parsed.get_backend_name() == "sqlite":
            # The file's folder, read from the parsed URL: an encrypted copy's URL carries its
            # key before the path, which must never become a folder's name.
            path = parsed.database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            if parsed.get_driver_name() == "pysqlcipher" and path and path != ":memory:":
                # SQLAlchemy gives SQLCipher one connection per thread, kept in a thread-local;
                # the window's worker is a QThread whose Python thread state (and with it every
                # thread-local) is new at each call, so each call opened the file again and paid
                # the key's derivation (PBKDF2, 256,000 rounds: about 250 ms) and a cold page
                # cache. A queue keeps the keyed connections open across calls and threads.
                engine_args.setdefault("poolclass", QueuePool)
        self.engine: Engine = create_engine(url, **engine_args)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def within(cls, connection: Connection) -> Database:
        """The database of `connection`, whose units of work are savepoints in the
        connection's open transaction: what they write is kept or lost with it (the demo's
        build runs the reminders job inside its one transaction, app.demo.reminders)."""
        db = cls.__new__(cls)
        db.url = connection.engine.url.render_as_string(hide_password=False)
        db.engine = connection.engine
        db._sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        return db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls everything back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only unit of work: never commits."""
        with self._sessions() as session:
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration. A schema already there is only read (its
        revision), without loading alembic: every command and start checks it."""
        if self.revision() == head_revision():
            return
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def is_current(self) -> bool:
        return "alembic_version" in inspect(self.engine).get_table_names()

    def revision(self) -> str | None:
        """The revision the schema is at (None before the first migration). Reads only: the
        table alembic keeps it in, as alembic reads it."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            revisions = connection.execute(text("SELECT version_num FROM alembic_version"))
            found: list[str] = list(revisions.scalars())
        if len(found) > 1:
            # The migrations are one line; alembic refuses such a table in the same words.
            raise RuntimeError(
                "Version table 'alembic_version' has more than one head present: "
                + ", ".join(found)
            )
        return found[0] if found else None

    def dispose(self) -> None:
        self.engine.dispose()


@cache
def head_revision() -> str:
    """The newest migration this program brings a schema to.

    Read from the migration files' `revision` and `down_revision` lines, without loading
    alembic or running the files; a chain written otherwise (a merge) is alembic's to read,
    which also refuses more than one head.
    """
    return _head_from_files() or _alembic_head()


def _head_from_files(versions: Path = MIGRATIONS / "versions") -> str | None:
    """The one revision no other file follows, or None where a file is not read plainly."""
    revisions: set[str] = set()
    followed: set[str] = set()
    files = [path for path in versions.glob("*.py") if not path.name.startswith(("__init__", ".#"))]
    for path in files:
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0]:
            followed.add(down[0])
    heads = revisions - followed
    plain = len(heads) == 1 and followed <= revisions and len(revisions) == len(files)
    return heads.pop() if plain else None


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None  # the migrations are one line
    return head


def known_revision(revision: str) -> bool:
    """Whether this program's migrations name this revision (a newer program's may not)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(""))
    return any(step.revision == revision for step in script.walk_revisions())


def alembic_config(url: str) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
