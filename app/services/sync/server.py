"""Working on the central server directly, signed in as one's own login: the schema at this
program's revision.

A staff login (a user's own role, made by `central add-user`) reads and writes only what the
server's row-level security lets it, and never migrates the schema. `ensure_schema` therefore
runs no migration on a schema already at this program's revision (no DDL, no lock), upgrades a
schema that is behind only for a login that may (a superuser, or the owner of the schema's
version table: the administrator who ran `central init`), and tells anyone else which revision
the server is at and who brings it forward.

The embedded SQLite database has no logins: it is upgraded as before.
"""

from __future__ import annotations

import getpass
import os

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.database import Database, head_revision, known_revision
from app.services.common.errors import DomainError

# Whether this login may migrate: a superuser, or a member of the role owning the version table;
# before any migration, whoever may create tables in the schema.
_MAY_MIGRATE = (
    "SELECT CASE WHEN to_regclass('public.alembic_version') IS NULL"
    " THEN has_schema_privilege('public', 'CREATE')"
    " ELSE pg_has_role((SELECT relowner FROM pg_class"
    " WHERE oid = to_regclass('public.alembic_version')), 'USAGE') END"
)
INSUFFICIENT_PRIVILEGE = "42501"


class SchemaNotCurrent(DomainError):
    """The server's schema is not at the revision this program works with."""


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


def sqlstate(error: DBAPIError) -> str | None:
    """The server's SQLSTATE for a driver error (None when it never reached the server)."""
    return getattr(error.orig, "sqlstate", None)


def login_of(url: str) -> str:
    """The login a URL signs in as (libpq's default, the system user, when it names none)."""
    return make_url(url).username or os.environ.get("PGUSER") or getpass.getuser()
