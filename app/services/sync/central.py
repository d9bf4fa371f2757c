"""The central PostgreSQL database: its schema and security, and the people who sign in to it.

`init_central` brings the schema to the newest migration, which on PostgreSQL also sets up the
owner role, the staff role and row-level security (migrations 0004-0007, docs/security.md), and
loads the policy limits the server enforces (`server_policy`). `add_user` creates a user row and
the user's own login role, a member of the staff role and nothing more: never a superuser,
never BYPASSRLS, with a statement timeout and a connection limit. `deactivate_user` ends a
user's access at once: the row goes inactive, the login can no longer log in, and their open
sessions are cut. All run as an administrator of the server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import select

from app.database import Database
from app.models import Role, Team, User
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.reference import load_json
from app.services.common.script_graph import server_scripts
from app.services.sync.server import ensure_schema

STAFF_ROLE = "cw_staff"
OWNER_ROLE = "cw_owner"
# A user name is also the login role's name: keep it plain.
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,59}")
MIN_PASSWORD = 12
ROLES = (Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD)
# Every staff login's limits (migration 0007 gives existing logins the same).
STATEMENT_TIMEOUT = "60s"
IDLE_IN_TRANSACTION_TIMEOUT = "5min"
CONNECTION_LIMIT = 8
# What the server checks plans and visits against: server_policy key -> resources file.
SERVER_POLICY = {
    "plan": "plan_policy.json",
    "visit": "visit_policy.json",
    "collection": "policy.json",
    "lender": "lender.json",
    "dispositions": "dispositions.json",
    "escalations": "escalations.json",
    "visit_outcomes": "visit_outcomes.json",
    # The marks' names, for the server's refusal of a plan on a paused account.
    "flags": "flags.json",
}


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
    # Upgraded as the administrator may; a schema newer than this program is refused in one
    # sentence, not left to the migration tool's traceback.
    ensure_schema(db)
    load_server_policy(db)
    close_other_databases(db)
    reassert_logins(db)
    with db.engine.connect() as connection:
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        forced, tables = connection.exec_driver_sql(
            "SELECT bool_and(relforcerowsecurity), count(*) FROM pg_class c "
            "JOIN pg_roles r ON r.oid = c.relowner WHERE c.relkind = 'r' AND r.rolname = %s",
            (OWNER_ROLE,),
        ).one()
    return CentralStatus(revision, bool(forced), int(tables))


def load_server_policy(db: Database) -> None:
    """Put the policy files the server enforces into `server_policy` (replacing what was there):
    an edited resources/plan_policy.json takes effect on the server when this runs again."""
    with db.engine.begin() as connection:
        for key, name in SERVER_POLICY.items():
            connection.exec_driver_sql(
                "INSERT INTO server_policy (key, value) VALUES (%s, %s::jsonb) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, loaded_at = now()",
                (key, json.dumps(load_json(name), ensure_ascii=False)),
            )
        # The call scripts' graphs: the server follows a contact's script path through them.
        connection.exec_driver_sql(
            "INSERT INTO server_policy (key, value) VALUES ('scripts', %s::jsonb) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, loaded_at = now()",
            (json.dumps(server_scripts(), ensure_ascii=False),),
        )


def reassert_logins(db: Database) -> int:
    """Every staff login of this database back to its limits: the connection limit, the
    timeouts as role defaults (a user may change their own), no per-database override, and no
    login for a user who is not active. The number of logins seen to."""
    with db.engine.connect() as connection:
        logins = [
            (str(name), bool(active))
            for name, active in connection.exec_driver_sql(
                "SELECT u.username, u.active FROM users u JOIN pg_roles r ON r.rolname ="
                " u.username JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON"
                " g.oid = m.roleid AND g.rolname = %s",
                (STAFF_ROLE,),
            )
        ]
        database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
        connection.commit()
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cursor:
            for name, active in logins:
                role = sql.Identifier(name)
                cursor.execute(
                    sql.SQL("ALTER ROLE {role} {login} CONNECTION LIMIT {limit}").format(
                        role=role,
                        login=sql.SQL("LOGIN" if active else "NOLOGIN"),
                        limit=sql.Literal(CONNECTION_LIMIT),
                    )
                )
                cursor.execute(
                    sql.SQL("ALTER ROLE {role} IN DATABASE {db} RESET ALL").format(
                        role=role, db=sql.Identifier(database)
                    )
                )
                _set_timeouts(cursor, name)
        raw.commit()
    return len(logins)


def _set_timeouts(cursor: psycopg.Cursor[Any], login: str) -> None:
    """A staff login's timeouts, as role defaults every session of it starts with."""
    for setting, value in (
        ("statement_timeout", STATEMENT_TIMEOUT),
        ("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT),
    ):
        cursor.execute(
            sql.SQL("ALTER ROLE {role} SET {setting} = {value}").format(
                role=sql.Identifier(login),
                setting=sql.Identifier(setting),
                value=sql.Literal(value),
            )
        )


def close_other_databases(db: Database) -> list[str]:
    """Revoke PUBLIC's CONNECT on every other database of the cluster, so a staff login (whose
    CONNECT comes from cw_staff, on the central database alone) reaches no other. The cluster
    is the collection department's; a database that must stay open to someone grants CONNECT
    to them by name. The databases that could not be closed (not ours to change), by name."""
    left: list[str] = []
    with db.engine.connect() as connection:
        names = list(
            connection.exec_driver_sql(
                "SELECT datname FROM pg_database WHERE datname <> current_database() "
                "AND datallowconn AND has_database_privilege('public', oid, 'CONNECT')"
            ).scalars()
        )
        connection.commit()
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        for name in names:
            try:
                with raw.cursor() as cursor:
                    cursor.execute(
                        sql.SQL("REVOKE CONNECT ON DATABASE {name} FROM PUBLIC").format(
                            name=sql.Identifier(name)
                        )
                    )
                raw.commit()
            except psycopg.Error:
                # Not the administrator's to change, or dropped meanwhile.
                raw.rollback()
                left.append(name)
    return left


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
            "NOCREATEROLE NOREPLICATION INHERIT CONNECTION LIMIT {limit} IN ROLE {staff}"
        ).format(
            name=sql.Identifier(username),
            password=sql.Literal(password),
            limit=sql.Literal(CONNECTION_LIMIT),
            staff=sql.Identifier(STAFF_ROLE),
        )
        with raw.cursor() as cursor:
            cursor.execute(statement)
            _set_timeouts(cursor, username)
        audit(session, "user.added", "user", user.id, {"username": username, "role": role})


def deactivate_user(db: Database, username: str) -> int:
    """End a user's access now: the row inactive, the login unable to log in, their open
    sessions cut. The number of sessions cut."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("There is no user “{username}”.", username=username)
        user.active = False
        raw = session.connection().connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,))
            if cursor.fetchone() is not None:
                cursor.execute(
                    sql.SQL("ALTER ROLE {name} NOLOGIN").format(name=sql.Identifier(username))
                )
        audit(session, "user.deactivated", "user", user.id, {"username": username})
    # After the commit: a session cut before it could still see the user active.
    with db.engine.connect() as connection:
        cut = connection.exec_driver_sql(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE usename = %s AND pid <> pg_backend_pid()",
            (username,),
        ).scalar_one()
    return int(cut)
