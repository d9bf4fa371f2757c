"""Two teams on a real central database, every member with a login of their own.

Team A: a collector, two field agents and a lead; team B: a collector and a lead. Each has an
account far enough past due to be visited. The reminders job's system login is made for the
tests that ask for it (`World.system`). Attacks sign in over TCP (TLS, the certificate
checked) with the member's own password, as a workstation or `psql` would, never as the
administrator.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.database import Database
from app.models import Role, Team
from app.services.common.clock import local_today
from app.services.sync.central import add_user, init_central
from tests.helpers.portfolio import Account, Portfolio
from tests.helpers.postgres import server_ca

PASSWORD = "correct horse battery"
Cursor = psycopg.Cursor  # type: ignore[type-arg]


@dataclass
class World:
    db: Database
    portfolio: Portfolio
    team_a: str
    team_b: str
    # role key -> login (collector_a, agent_a, lead_a, collector_b, lead_b)
    logins: dict[str, str] = field(default_factory=dict)
    # role key -> their account
    accounts: dict[str, Account] = field(default_factory=dict)

    def user_id(self, key: str) -> uuid.UUID:
        with self.db.engine.connect() as connection:
            value = connection.exec_driver_sql(
                "SELECT id FROM users WHERE username = %s", (self.logins[key],)
            ).scalar_one()
        assert isinstance(value, uuid.UUID)
        return value

    def connect(self, key: str, *, dbname: str | None = None) -> psycopg.Connection:  # type: ignore[type-arg]
        url = make_url(self.db.url)
        return psycopg.connect(
            host="127.0.0.1",
            port=url.port or 5432,
            dbname=dbname or url.database,
            user=self.logins[key],
            password=PASSWORD,
            autocommit=True,
            connect_timeout=10,
            # As a workstation reaches it: TLS, the server's certificate checked.
            sslmode="verify-full",
            sslrootcert=str(server_ca()),
        )

    @contextmanager
    def cursor(self, key: str) -> Iterator[Cursor]:
        with self.connect(key) as connection, connection.cursor() as cursor:
            yield cursor

    def system(self) -> str:
        """The reminders job's own login (`central add-user NAME --role system`), made the
        first time it is asked for; its key in `logins` is "system"."""
        if "system" not in self.logins:
            name = self.logins["collector_a"].replace("collector.a", "system")
            add_user(self.db, name, Role.SYSTEM.value, None, PASSWORD)
            self.logins["system"] = name
        return self.logins["system"]

    def team_id(self, name: str) -> uuid.UUID:
        (found,), *_ = self.admin("SELECT id FROM teams WHERE name = %s", (name,))
        assert isinstance(found, uuid.UUID)
        return found

    def admin(self, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self.db.engine.begin() as connection:
            result = connection.exec_driver_sql(statement, params)
            return [tuple(row) for row in result] if result.returns_rows else []


def today() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def world(pg_db: Database) -> Iterator[World]:
    init_central(pg_db)
    portfolio = Portfolio(pg_db)
    suffix = "_t" + uuid.uuid4().hex[:8]
    with pg_db.session() as session:
        team_a = session.get_one(Team, portfolio.team_id).name
        team_b = Team(name=f"{team_a}-B")
        session.add(team_b)
        session.flush()
        team_b_name = team_b.name
    world = World(pg_db, portfolio, team_a, team_b_name)
    members = {
        "collector_a": (Role.COLLECTOR, team_a),
        "agent_a": (Role.FIELD_AGENT, team_a),
        "agent2_a": (Role.FIELD_AGENT, team_a),
        "lead_a": (Role.TEAM_LEAD, team_a),
        "collector_b": (Role.COLLECTOR, team_b_name),
        "lead_b": (Role.TEAM_LEAD, team_b_name),
    }
    for key, (role, team) in members.items():
        name = key.replace("_", ".") + suffix
        add_user(pg_db, name, role.value, team, PASSWORD)
        world.logins[key] = name
    day = local_today(today())
    for key in ("collector_a", "agent_a", "collector_b"):
        world.accounts[key] = portfolio.account(
            today=day, dpd=45, assigned_to=world.user_id(key), name=f"{key}的客户"
        )
    try:
        yield world
    finally:
        with pg_db.engine.begin() as connection:
            for name in world.logins.values():
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                    (name,),
                )
        with pg_db.engine.begin() as connection:
            for name in world.logins.values():
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
