"""The central PostgreSQL database: its schema and security, and the people who sign in to it.

`init_central` brings the schema to the newest migration, which on PostgreSQL also sets up the
owner role, the staff role and row-level security (migration 0004). `add_user` creates a user
row and the user's own login role, a member of the staff role and nothing more: never a
superuser, never BYPASSRLS. Both run as an administrator of the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import select

from app.database import Database
from app.models import Role, Team, User
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput

STAFF_ROLE = "cw_staff"
OWNER_ROLE = "cw_owner"
# A user name is also the login role's name: keep it plain.
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,59}")
MIN_PASSWORD = 12
ROLES = (Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD)


@dataclass(frozen=True)
class CentralStatus:
    revision: str | None
    row_level_security: bool
    tables: int


def init_central(db: Database) -> CentralStatus:
    """Create or upgrade the schema, roles and row-level security of a central database."""
    if db.engine.dialect.name != "postgresql":
        raise InvalidInput(
            "The central database is PostgreSQL; {url} is not.",
            url=db.engine.url.render_as_string(hide_password=True),
        )
    db.upgrade()
    with db.engine.connect() as connection:
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        forced, tables = connection.exec_driver_sql(
            "SELECT bool_and(relforcerowsecurity), count(*) FROM pg_class c "
            "JOIN pg_roles r ON r.oid = c.relowner WHERE c.relkind = 'r' AND r.rolname = %s",
            (OWNER_ROLE,),
        ).one()
    return CentralStatus(revision, bool(forced), int(tables))


def add_user(
    db: Database,
    username: str,
    role: str,
    team: str,
    password: str,
    *,
    display_name: str | None = None,
) -> None:
    """A user of the central database and their login role, in one transaction."""
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            "“{username}” cannot be a user name: lower-case letters, digits, dot, dash or "
            "underscore, starting with a letter, 2 to 60 characters.",
            username=username,
        )
    if role not in {item.value for item in ROLES}:
        raise InvalidInput(
            "Unknown role “{role}” (one of {known}).",
            role=role,
            known=", ".join(item.value for item in ROLES),
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "The password is too short: at least {count} characters.", count=MIN_PASSWORD
        )
    if not team.strip():
        raise InvalidInput("Name the user's team.")
    with db.session() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise InvalidInput("There is already a user “{username}”.", username=username)
        exists = session.connection().exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (username,)
        )
        if exists.first() is not None:
            raise InvalidInput(
                "The server already has a role “{username}”; choose another user name.",
                username=username,
            )
        crew = session.scalar(select(Team).where(Team.name == team.strip()))
        if crew is None:
            crew = Team(name=team.strip())
            session.add(crew)
            session.flush()
        user = User(
            username=username,
            display_name=display_name or username,
            role=Role(role),
            team_id=crew.id,
        )
        session.add(user)
        session.flush()
        raw = session.connection().connection.dbapi_connection
        # The role is made on the same connection, so it commits or rolls back with the row.
        assert isinstance(raw, psycopg.Connection)
        statement = sql.SQL(
            "CREATE ROLE {name} LOGIN PASSWORD {password} NOSUPERUSER NOBYPASSRLS NOCREATEDB "
            "NOCREATEROLE NOREPLICATION INHERIT IN ROLE {staff}"
        ).format(
            name=sql.Identifier(username),
            password=sql.Literal(password),
            staff=sql.Identifier(STAFF_ROLE),
        )
        with raw.cursor() as cursor:
            cursor.execute(statement)
        audit(session, "user.added", "user", user.id, {"username": username, "role": role})
