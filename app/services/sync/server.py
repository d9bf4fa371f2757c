"""Working on the central server directly, signed in as one's own login: the schema at this
program's revision, which user the server acts for, and what it refuses, each in one sentence.

A staff login (a user's own role, made by `central add-user`) reads and writes only what the
server's row-level security lets it, and never migrates the schema. `ensure_schema` therefore
runs no migration on a schema already at this program's revision (no DDL, no lock), upgrades a
schema that is behind only for a login that may (a superuser, or the owner of the schema's
version table: the administrator who ran `central init`), and tells anyone else which revision
the server is at and who brings it forward. `signed_in` names the user the server acts for, so
a command refuses what is not that user's before it touches data; `refusal` words what the
server still refuses.

The embedded SQLite database has no logins: it is upgraded as before and nobody is signed in.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from app.database import TLS_ROOT_CERT_ENV, Database, head_revision, known_revision
from app.models import Role, User
from app.services.common.errors import DomainError, NotAllowed
from app.services.sync.workstation import (
    TLS_FAILURES,
    ServerNotTrusted,
    ServerUnreachable,
    SignInFailed,
    server_of_url,
)

STAFF_ROLES = (Role.COLLECTOR.value, Role.FIELD_AGENT.value, Role.TEAM_LEAD.value)

# Whether this login may migrate: a superuser, or a member of the role owning the version table;
# before any migration, whoever may create tables in the schema.
_MAY_MIGRATE = (
    "SELECT CASE WHEN to_regclass('public.alembic_version') IS NULL"
    " THEN has_schema_privilege('public', 'CREATE')"
    " ELSE pg_has_role((SELECT relowner FROM pg_class"
    " WHERE oid = to_regclass('public.alembic_version')), 'USAGE') END"
)
INSUFFICIENT_PRIVILEGE = "42501"
# SQLSTATEs (or their two-character classes) that are the server refusing a statement or a
# connection, not a mistake in the statement: privileges and row-level security, constraints,
# a trigger's RAISE, timeouts and cancels, locks, serialisation, a server going down, limits.
_REFUSALS = frozenset(
    {
        "23",  # integrity: check, unique, foreign key, not null, exclusion
        "25006",  # read-only transaction (a standby)
        "28",  # invalid authorisation
        "3D000",  # no such database
        "40",  # serialisation failure, deadlock
        INSUFFICIENT_PRIVILEGE,
        "53",  # insufficient resources
        "54",  # program limits
        "55P03",  # lock not available (lock_timeout)
        "57",  # query cancelled (statement_timeout), admin shutdown, cannot connect now
        "08",  # connection
        "P0001",  # RAISE EXCEPTION in a trigger or function
    }
)


class SchemaNotCurrent(DomainError):
    """The server's schema is not at the revision this program works with."""


class ServerRefused(DomainError):
    """The server refused a statement for the signed-in login."""


@dataclass(frozen=True)
class SignedIn:
    """The user a staff login (or the system login) acts for: their user name (the login's
    name) and role."""

    username: str
    role: str


def ensure_schema(db: Database) -> None:
    """The schema at this program's revision: left alone when it is, else upgraded if this
    login may migrate, else refused in one sentence (SchemaNotCurrent)."""
    if db.engine.dialect.name != "postgresql":
        db.upgrade()
        return
    needed = head_revision()
    with db.engine.connect() as connection:
        may_migrate = bool(connection.exec_driver_sql(_MAY_MIGRATE).scalar())
    try:
        current = db.revision()
    except DBAPIError as error:
        if may_migrate or sqlstate(error) != INSUFFICIENT_PRIVILEGE:
            raise
        raise SchemaNotCurrent(
            "The server does not show {login} which revision its schema is at; this program"
            " needs {needed}. An administrator runs `collector-workstation central init`.",
            login=login_of(db.url),
            needed=needed,
        ) from None
    if current == needed:
        return
    if current is not None and not known_revision(current):
        raise SchemaNotCurrent(
            "The server's schema is at revision {current}, newer than this program knows"
            " ({needed}): install the newer Collector Workstation.",
            current=current,
            needed=needed,
        )
    if may_migrate:
        db.upgrade()
        return
    if current is None:
        raise SchemaNotCurrent(
            "The server's database has no schema yet; this program needs revision {needed}."
            " An administrator runs `collector-workstation central init`.",
            needed=needed,
        )
    raise SchemaNotCurrent(
        "The server's schema is at revision {current}; this program needs {needed}."
        " An administrator runs `collector-workstation central init`.",
        current=current,
        needed=needed,
    )


def signed_in(db: Database) -> SignedIn | None:
    """The staff user (or the reminders job's system user) the server acts for on this
    connection; None for the embedded database and for an administrator's login (one that is
    no collector, field agent, team lead or system user)."""
    if db.engine.dialect.name != "postgresql":
        return None
    with db.reader() as session:
        if session.scalar(text("SELECT to_regclass('public.users')")) is None:
            return None  # no schema yet: nobody is anybody's user
        found = session.execute(
            select(User.username, User.role, User.active).where(
                User.username == func.session_user()
            )
        ).first()
    if found is None or found.role.value not in (*STAFF_ROLES, Role.SYSTEM.value):
        return None
    if not found.active:
        raise SignInFailed(
            "“{username}” is not an active user of this server.", username=found.username
        )
    return SignedIn(found.username, found.role.value)


def acting_user(login: SignedIn, given: str | None) -> str:
    """The user a command acts for, signed in as `login`: the login itself. --user may only
    repeat it (the server acts for the signed-in user, whoever a command names)."""
    if given is not None and given != login.username:
        raise NotAllowed(
            "You are signed in to the server as {login}; --user must be {login} (the server"
            " acts for the signed-in user).",
            login=login.username,
        )
    return login.username


def refuse_command(login: SignedIn, command: str, roles: tuple[str, ...]) -> None:
    """Refuse a command that is not for the signed-in user's role, before it touches data.

    `roles`: the staff roles the command is for; none means administrators only."""
    if login.role in roles:
        return
    if not roles:
        raise NotAllowed(
            "“{command}” is for an administrator of the server, not for {login} ({role}).",
            command=command,
            login=login.username,
            role=login.role,
        )
    raise NotAllowed(
        "“{command}” is not for {login} ({role}); it is for: {roles}.",
        command=command,
        login=login.username,
        role=login.role,
        roles=", ".join(roles),
    )


def sqlstate(error: DBAPIError) -> str | None:
    """The server's SQLSTATE for a driver error (None when it never reached the server)."""
    return getattr(error.orig, "sqlstate", None)


def refusal(error: DBAPIError, url: str) -> DomainError | None:
    """What the PostgreSQL server at `url` refused, in one sentence; None for anything else
    (a mistake in a statement of ours, or another database), which should stay loud."""
    if make_url(url).get_backend_name() != "postgresql":
        return None
    code = sqlstate(error)
    first = _first_line(error)
    if code is None:
        # The connection failed, or broke, before the server said anything of its own.
        if not isinstance(error, OperationalError):
            return None
        if any(failure in str(error.orig) for failure in TLS_FAILURES):
            return ServerNotTrusted(
                "The server {server} could not be reached securely: {reason}. Its certificate"
                " is checked against File → Settings → Root certificate or {variable}, else"
                " ~/.postgresql/root.crt.",
                server=str(server_of_url(url)),
                reason=first,
                variable=TLS_ROOT_CERT_ENV,
            )
        if "password authentication failed" in first or (
            'role "' in first and "does not exist" in first
        ):
            return SignInFailed("The server did not accept this user name and password.")
        if "FATAL:" in first:
            # It answered, and refused the connection (a login that may not log in, a limit).
            return ServerRefused(
                "The server refused this for {login}: {reason}",
                login=login_of(url),
                reason=first.split("FATAL:", 1)[1].strip(),
            )
        return ServerUnreachable(
            "The server {server} did not answer: {reason}",
            server=str(server_of_url(url)),
            reason=first or type(error.orig).__name__,
        )
    if code == "28P01":
        return SignInFailed("The server did not accept this user name and password.")
    if code not in _REFUSALS and code[:2] not in _REFUSALS:
        return None
    return ServerRefused(
        "The server refused this for {login}: {reason}", login=login_of(url), reason=first
    )


def login_of(url: str) -> str:
    """The login a URL signs in as (libpq's default, the system user, when it names none)."""
    return make_url(url).username or os.environ.get("PGUSER") or getpass.getuser()


def _first_line(error: DBAPIError) -> str:
    diag = getattr(error.orig, "diag", None)
    text = getattr(diag, "message_primary", None) or str(error.orig)
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""
