"""The central database: its schema and security, and the people and teams who work on it.

`init_central` brings the schema to the newest migration, which on PostgreSQL also sets up the
owner role, the staff role and row-level security (migrations 0004-0007, docs/security.md), and
loads the policy limits the server enforces (`server_policy`). `add_user` creates a user row
and, on PostgreSQL, the user's own login role, a member of the staff role (the reminders job's
`system` login: of `cw_system`) and nothing more: never a superuser, never BYPASSRLS, with a
statement timeout and a connection limit.
`deactivate_user` ends a user's access at once: the row goes inactive and, on PostgreSQL, the
login can no longer log in and their open sessions are cut. `create_team`, `rename_team` and
`list_teams` keep the teams. All run as an administrator of the server, or on the embedded
database (SQLite), which has users but no logins: there, only the rows change. Every change is
audited.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Loan, LoanStatus, Role, Team, User
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.queue_summary import keep_current
from app.services.common.reference import RESOURCES, load_json
from app.services.common.script_graph import server_scripts
from app.services.sync.server import ensure_schema

STAFF_ROLE = "cw_staff"
# The reminders job's group (migration 0022): what its own login may read and write.
SYSTEM_ROLE = "cw_system"
OWNER_ROLE = "cw_owner"
# A user name is also the login role's name: keep it plain.
USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,59}")
# As long as teams.name and users.display_name hold.
MAX_NAME = 80
MIN_PASSWORD = 12
ROLES = (Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD, Role.SYSTEM)
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
    # What an attachment may be: size, types by their first bytes, kinds and purposes.
    "attachments": "attachment_policy.json",
    # The marks' names, for the server's refusal of a plan on a paused account.
    "flags": "flags.json",
    # Which contact-rule profile a borrower's country takes: the strategy a notice waits for.
    "jurisdictions": "compliance/jurisdictions.json",
    # Disputes' kinds and deadlines, complaints' channels, categories and deadlines.
    "cases": "cases.json",
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
    # The queue's summary counts contacts by the dispositions just loaded.
    keep_current(db)
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
        # The call scripts' graphs: the server follows a contact's script path through them;
        # each strategy's days from a credit-reporting notice to reporting; and the lender's
        # calendar the cases' deadlines are counted in.
        lender_calendar = load_json(f"calendars/{load_json('cases.json')['calendar']}.json")
        for key, value in (
            ("scripts", server_scripts()),
            ("credit_reporting", _notice_days()),
            ("calendar", lender_calendar),
        ):
            connection.exec_driver_sql(
                "INSERT INTO server_policy (key, value) VALUES (%s, %s::jsonb) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, loaded_at = now()",
                (key, json.dumps(value, ensure_ascii=False)),
            )


def _notice_days() -> dict[str, int]:
    """Each reminder strategy's days from a credit-reporting notice to reporting, by profile
    (resources/reminders/<PROFILE>.json, as the reminders job loads them)."""
    return {
        path.stem: int(
            load_json(f"reminders/{path.name}")["credit_reporting"]["reporting_after_days"]
        )
        for path in sorted((RESOURCES / "reminders").glob("[A-Z][A-Z].json"))
    }


def reassert_logins(db: Database) -> int:
    """Every staff login of this database (and the reminders job's) back to its limits: the
    connection limit, the timeouts as role defaults (a user may change their own), no
    per-database override, and no login for a user who is not active. The number of logins
    seen to."""
    with db.engine.connect() as connection:
        logins = [
            (str(name), bool(active))
            for name, active in connection.exec_driver_sql(
                "SELECT u.username, u.active FROM users u JOIN pg_roles r ON r.rolname ="
                " u.username JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON"
                " g.oid = m.roleid AND g.rolname IN (%s, %s)",
                (STAFF_ROLE, SYSTEM_ROLE),
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


@dataclass(frozen=True)
class AddedUser:
    username: str
    role: str
    team: str | None  # None: the system login, which belongs to no team
    # Whether a login role was made (PostgreSQL); the embedded database has none.
    login: bool
    # Whether the team was new, made for this user (`new_team`).
    team_created: bool


@dataclass(frozen=True)
class Deactivated:
    username: str
    # Open sessions cut (always 0 on the embedded database, which has no logins).
    sessions_cut: int
    login: bool
    # The active accounts still assigned to them: theirs until a lead moves them.
    accounts: int = 0


@dataclass(frozen=True)
class TeamSummary:
    """A team as its administrator lists it."""

    name: str
    leads: tuple[str, ...]  # user names of its active leads
    active: int  # active members
    inactive: int
    accounts: int  # active accounts its members work
    pool: int  # active accounts waiting in its pool

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "leads": list(self.leads),
            "active": self.active,
            "inactive": self.inactive,
            "accounts": self.accounts,
            "pool": self.pool,
        }


def _postgres(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


def team_name(name: str) -> str:
    """A team's name, trimmed; InvalidInput when it cannot be one."""
    name = name.strip()
    if not name:
        raise InvalidInput("Name the team.")
    if len(name) > MAX_NAME or not name.isprintable():
        raise InvalidInput(
            "“{team}” cannot be a team's name: at most {count} characters, no control characters.",
            team=name,
            count=MAX_NAME,
        )
    return name


def check_team(role: str, team: str | None) -> str | None:
    """The team a user of `role` joins (trimmed): every staff member has one, the reminders
    job's system login none."""
    if role == Role.SYSTEM.value:
        if team is not None and team.strip():
            raise InvalidInput(
                "The reminders job's system login belongs to no team: leave out --team."
            )
        return None
    if team is None or not team.strip():
        raise InvalidInput("Name the user's team.")
    return team_name(team)


def add_user(
    db: Database,
    username: str,
    role: str,
    team: str | None,
    password: str | None,
    *,
    display_name: str | None = None,
    new_team: bool = True,
) -> AddedUser:
    """A user and, on PostgreSQL, their login role, in one transaction. With `new_team` the
    team is made when there is none of that name; without, an unknown team is refused. The
    reminders job's `system` user belongs to no team; its login is a member of `cw_system`.
    On the embedded database `password` is not used."""
    postgres = _postgres(db)
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
    if postgres and (password is None or len(password) < MIN_PASSWORD):
        raise InvalidInput(
            "The password is too short: at least {count} characters.", count=MIN_PASSWORD
        )
    team = check_team(role, team)
    shown = (display_name or username).strip()
    if not shown or len(shown) > MAX_NAME or not shown.isprintable():
        raise InvalidInput(
            "“{name}” cannot be a display name: 1 to {count} characters, no control characters.",
            name=shown,
            count=MAX_NAME,
        )
    with db.session() as session:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            raise InvalidInput("There is already a user “{username}”.", username=username)
        if postgres:
            exists = session.connection().exec_driver_sql(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (username,)
            )
            if exists.first() is not None:
                raise InvalidInput(
                    "The server already has a role “{username}”; choose another user name.",
                    username=username,
                )
        crew = None if team is None else session.scalar(select(Team).where(Team.name == team))
        created = team is not None and crew is None
        if team is not None and crew is None:
            if not new_team:
                raise NotFound(
                    "There is no team “{team}”. `collector-workstation central team list` lists"
                    " them; --new-team makes it.",
                    team=team,
                )
            crew = _new_team(session, team)
        user = User(
            username=username,
            display_name=shown,
            role=Role(role),
            team_id=crew.id if crew is not None else None,
        )
        session.add(user)
        session.flush()
        if postgres:
            assert password is not None
            group = SYSTEM_ROLE if role == Role.SYSTEM.value else STAFF_ROLE
            _create_login(session, username, password, group)
        audit(
            session,
            "user.added",
            "user",
            user.id,
            {"username": username, "role": role, "team": team, "login": postgres},
        )
    return AddedUser(username, role, team, postgres, created)


def _create_login(session: Session, username: str, password: str, group: str) -> None:
    raw = session.connection().connection.dbapi_connection
    # The role is made on the same connection, so it commits or rolls back with the row.
    assert isinstance(raw, psycopg.Connection)
    statement = sql.SQL(
        "CREATE ROLE {name} LOGIN PASSWORD {password} NOSUPERUSER NOBYPASSRLS NOCREATEDB "
        "NOCREATEROLE NOREPLICATION INHERIT CONNECTION LIMIT {limit} IN ROLE {group}"
    ).format(
        name=sql.Identifier(username),
        password=sql.Literal(password),
        limit=sql.Literal(CONNECTION_LIMIT),
        group=sql.Identifier(group),
    )
    with raw.cursor() as cursor:
        cursor.execute(statement)
        _set_timeouts(cursor, username)


def deactivate_user(db: Database, username: str) -> Deactivated:
    """End a user's access now: the row inactive and, on PostgreSQL, the login unable to log
    in and their open sessions cut. Refused for the administrator's own login and for the last
    active administrator; the user's accounts stay theirs (counted) until a lead moves them."""
    postgres = _postgres(db)
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(
                "There is no user “{username}”. `collector-workstation users` lists them.",
                username=username,
            )
        if not user.active:
            raise InvalidInput("{username} is already deactivated.", username=username)
        if postgres and session.scalar(select(func.session_user())) == username:
            raise NotAllowed(
                "You cannot deactivate yourself ({username}): another administrator does it.",
                username=username,
            )
        if user.role is Role.ADMIN and not session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
            )
        ):
            raise NotAllowed(
                "{username} is the last active administrator, and the database needs one.",
                username=username,
            )
        user.active = False
        accounts = int(
            session.scalar(
                select(func.count(Loan.id)).where(
                    Loan.assigned_to_id == user.id, Loan.status == LoanStatus.ACTIVE
                )
            )
            or 0
        )
        if postgres:
            raw = session.connection().connection.dbapi_connection
            assert isinstance(raw, psycopg.Connection)
            with raw.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,))
                if cursor.fetchone() is not None:
                    cursor.execute(
                        sql.SQL("ALTER ROLE {name} NOLOGIN").format(name=sql.Identifier(username))
                    )
        audit(session, "user.deactivated", "user", user.id, {"username": username})
    if not postgres:
        return Deactivated(username, 0, login=False, accounts=accounts)
    # After the commit: a session cut before it could still see the user active.
    with db.engine.connect() as connection:
        cut = connection.exec_driver_sql(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE usename = %s AND pid <> pg_backend_pid()",
            (username,),
        ).scalar_one()
    return Deactivated(username, int(cut), login=True, accounts=accounts)


# -- teams -----------------------------------------------------------------------------------


def _new_team(session: Session, name: str) -> Team:
    crew = Team(name=name)
    session.add(crew)
    session.flush()
    audit(session, "team.created", "team", crew.id, {"name": name})
    return crew


def create_team(db: Database, name: str) -> str:
    """A new team of that name (trimmed); its name."""
    name = team_name(name)
    with db.session() as session:
        if session.scalar(select(Team.id).where(Team.name == name)) is not None:
            raise InvalidInput("There is already a team “{team}”.", team=name)
        _new_team(session, name)
    return name


def rename_team(db: Database, old: str, new: str) -> str:
    """Give team `old` the name `new` (trimmed); its members and accounts stay. Its new name."""
    new = team_name(new)
    with db.session() as session:
        crew = session.scalar(select(Team).where(Team.name == old.strip()))
        if crew is None:
            raise NotFound(
                "There is no team “{team}”. `collector-workstation central team list` lists them.",
                team=old,
            )
        if crew.name == new:
            raise InvalidInput("Team {team} already has that name.", team=new)
        if session.scalar(select(Team.id).where(Team.name == new)) is not None:
            raise InvalidInput("There is already a team “{team}”.", team=new)
        was = crew.name
        crew.name = new
        audit(session, "team.renamed", "team", crew.id, {"from": was, "to": new})
    return new


def list_teams(db: Database) -> tuple[TeamSummary, ...]:
    """Every team, by name, with its leads, members and accounts."""
    with db.reader() as session:
        teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
        people = session.execute(
            select(User.team_id, User.username, User.role, User.active).where(
                User.team_id.is_not(None)
            )
        ).all()
        worked = dict(
            session.execute(
                select(User.team_id, func.count(Loan.id))
                .join(Loan, Loan.assigned_to_id == User.id)
                .where(Loan.status == LoanStatus.ACTIVE)
                .group_by(User.team_id)
            ).all()
        )
        waiting = dict(
            session.execute(
                select(Loan.team_id, func.count(Loan.id))
                .where(
                    Loan.assigned_to_id.is_(None),
                    Loan.team_id.is_not(None),
                    Loan.status == LoanStatus.ACTIVE,
                )
                .group_by(Loan.team_id)
            ).all()
        )
    found = []
    for team_id, name in teams:
        members = [p for p in people if p.team_id == team_id]
        found.append(
            TeamSummary(
                name=name,
                leads=tuple(
                    sorted(p.username for p in members if p.role is Role.TEAM_LEAD and p.active)
                ),
                active=sum(1 for p in members if p.active),
                inactive=sum(1 for p in members if not p.active),
                accounts=int(worked.get(team_id, 0)),
                pool=int(waiting.get(team_id, 0)),
            )
        )
    return tuple(found)
