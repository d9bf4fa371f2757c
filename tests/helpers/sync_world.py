"""A PostgreSQL central with staff who sign in as themselves, and workstations that sync with it.

For the fault tests of the sync engine (tests/services/sync/test_sync_faults.py,
scripts/sync-faults).
Users made here have login roles (app.services.sync.central.add_user), which are cluster-wide: their
names carry a random suffix, and `Central.drop_roles` removes them when the test is done. A
workstation's copy is the real encrypted store, opened with a passphrase.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.database import Database, Tls
from app.models import Role
from app.services.contact.contacts import record_contact
from app.services.portfolio.notes import add_note
from app.services.sync import engine as sync
from app.services.sync.central import add_user, init_central
from app.services.sync.local_store import open_local_store, passphrase_key
from app.services.sync.workstation import Server, sign_in
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio
from tests.helpers.postgres import server_tls

PASSWORD = "correct horse battery"
PASSPHRASE = "fault tests: a passphrase"
# The logs a workstation writes and the server must hold exactly once.
LOGS = ("contact_attempts", "account_notes", "audit_events")
# The tables whose rows in the user's scope must be the same here and there after a sync.
SCOPE = ("loans", "contact_attempts", "account_notes")


def unique(prefix: str) -> str:
    """A user name no other test database on the cluster uses."""
    return f"{prefix}_t{uuid.uuid4().hex[:8]}"


@dataclass
class Central:
    """A central database reached as its administrator, with a team and login users."""

    admin: Database
    portfolio: Portfolio
    team: str
    # What its workstations ask of it over TCP: TLS checked against the server's CA.
    tls: Tls
    logins: list[str] = field(default_factory=list)

    def staff(self, role: Role, team: str | None = None) -> str:
        """A new user with their own login role, of `team` (made if new; by default the
        portfolio's team); their user name."""
        name = unique(role.value.split("_")[0])
        add_user(self.admin, name, role.value, team or self.team, PASSWORD)
        self.logins.append(name)
        return name

    def user_id(self, username: str) -> uuid.UUID:
        with self.admin.engine.connect() as connection:
            found = connection.execute(
                text("SELECT id FROM users WHERE username = :u"), {"u": username}
            ).scalar_one()
        return found if isinstance(found, uuid.UUID) else uuid.UUID(str(found))

    def account(self, username: str, name: str = "李雷") -> Account:
        return self.portfolio.account(
            today=NOW.date(), dpd=30, name=name, assigned_to=self.user_id(username)
        )

    def server(self) -> Server:
        """Where a workstation reaches it: TCP to 127.0.0.1, as the app's sign-in does."""
        url = make_url(self.admin.url)
        return Server("127.0.0.1", url.port or 5432, str(url.database))

    def sign_in(self, username: str) -> Database:
        """The central database as `username`'s own login role, signed in as the app does."""
        return sign_in(self.server(), username, PASSWORD, self.tls)

    def drop_roles(self) -> None:
        """Remove the login roles made here (they outlive the database otherwise)."""
        with self.admin.engine.begin() as connection:
            for name in self.logins:
                connection.exec_driver_sql(f'DROP OWNED BY "{name}"')
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
        self.logins.clear()


def central_on(admin: Database, tls: Tls | None = None) -> Central:
    """Set `admin`'s database up as a central (schema, roles, security) with one team; its
    workstations trust `tls`, by default the shared test server's CA."""
    init_central(admin)
    portfolio = Portfolio(admin)
    with admin.engine.connect() as connection:
        team = connection.execute(
            text("SELECT name FROM teams WHERE id = :id"), {"id": portfolio.team_id}
        ).scalar_one()
    return Central(admin, portfolio, str(team), tls or server_tls())


@dataclass
class Workstation:
    """One person's encrypted local copy and their connection to the central database."""

    folder: Path
    username: str
    server: Server
    tls: Tls
    local: Database
    central: Database

    def sync(self) -> sync.SyncReport:
        return sync.sync(self.local, self.central, self.username)

    def close(self) -> None:
        self.local.dispose()
        self.central.dispose()


def workstation(folder: Path, central: Central, username: str) -> Workstation:
    """A new workstation for `username`: the encrypted store with its outbox triggers."""
    local = open_local_store(folder, passphrase_key(PASSPHRASE))
    sync.install_outbox(local)
    return Workstation(
        folder, username, central.server(), central.tls, local, central.sign_in(username)
    )


def ids(db: Database, table: str) -> set[uuid.UUID]:
    """The keys of `table` that `db` shows (on the server as signed in: the user's scope)."""
    with db.engine.connect() as connection:
        found = connection.execute(text(f"SELECT id FROM {table}")).scalars()
        return {value if isinstance(value, uuid.UUID) else uuid.UUID(value) for value in found}


def integrity(local: Database) -> str:
    """`ok`, or what SQLite found wrong with the local copy (structure, foreign keys)."""
    with local.engine.connect() as connection:
        rows = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    return "ok" if list(rows) == ["ok"] and not broken else f"{rows} {broken}"


@dataclass
class Made:
    """What a workstation did locally to one account, to be found on the server exactly once."""

    account: Account
    logs: dict[str, set[uuid.UUID]] = field(default_factory=lambda: {t: set() for t in LOGS})
    employer: str | None = None

    def count(self) -> int:
        return sum(len(found) for found in self.logs.values())


def make_changes(
    ws: Workstation, made: Made, rng: random.Random, day: int
) -> dict[str, set[uuid.UUID]]:
    """A few things a shift does on day `day` (counted from NOW): calls logged (unanswered,
    at most three, inside the daily limits), a note, the borrower's employer corrected.
    Returns the logs written, by table."""
    account = made.account
    now = NOW + timedelta(days=day)
    before = {table: ids(ws.local, table) for table in LOGS}
    for _ in range(rng.randint(1, 3)):
        entry = replace(
            outcome(account, rng.choice(("NA", "BUSY"))),
            username=ws.username,
            started_at=now - timedelta(minutes=3),
        )
        record_contact(ws.local, entry, now=now)
    add_note(ws.local, ws.username, account.contract_no, f"Note of day {day}.", now=now)
    for edit in range(rng.randint(1, 2)):
        employer = f"雇主 {day}.{edit}"
        with ws.local.engine.begin() as connection:
            connection.execute(
                text("UPDATE borrowers SET employer = :e WHERE id = :id"),
                {"e": employer, "id": account.borrower_id.hex},
            )
        made.employer = employer
    return _track(ws, made, before)


def add_notes(ws: Workstation, made: Made, count: int, day: int) -> dict[str, set[uuid.UUID]]:
    """`count` notes on the account typed on day `day`, each with its audit event, each in a
    transaction of its own; the logs written, by table."""
    now = NOW + timedelta(days=day)
    before = {table: ids(ws.local, table) for table in LOGS}
    for number in range(count):
        add_note(ws.local, ws.username, made.account.contract_no, f"Note {number}.", now=now)
    return _track(ws, made, before)


def _track(
    ws: Workstation, made: Made, before: dict[str, set[uuid.UUID]]
) -> dict[str, set[uuid.UUID]]:
    written = {table: ids(ws.local, table) - before[table] for table in LOGS}
    for table, found in written.items():
        made.logs[table] |= found
    return written


def on_server(central: Central, logs: dict[str, set[uuid.UUID]]) -> int:
    """How many of `logs` the server holds."""
    found = 0
    with central.admin.engine.connect() as connection:
        for table, wanted in logs.items():
            if wanted:
                found += connection.execute(
                    text(f"SELECT count(*) FROM {table} WHERE id = ANY(:ids)"),
                    {"ids": list(wanted)},
                ).scalar_one()
    return found


def exactly_once(central: Central, username: str, mades: Sequence[Made]) -> list[str]:
    """What is wrong with the server's copy of what `username` made: each log there once, the
    user's logs on the server no more than these (nothing applied twice under another key),
    each borrower's last employer. Empty when all is well."""
    problems = []
    user = central.user_id(username)
    with central.admin.engine.connect() as connection:
        for table in LOGS:
            wanted: set[uuid.UUID] = set().union(*(made.logs[table] for made in mades))
            found: dict[uuid.UUID, int] = {
                row[0]: row[1]
                for row in connection.execute(
                    text(f"SELECT id, count(*) FROM {table} WHERE id = ANY(:ids) GROUP BY id"),
                    {"ids": list(wanted)},
                )
            }
            missing = len(wanted - set(found))
            twice = len([key for key, count in found.items() if count != 1])
            total = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE user_id = :user"), {"user": user}
            ).scalar_one()
            if missing or twice or total != len(wanted):
                problems.append(
                    f"{table}: {missing} of {len(wanted)} missing, {twice} more than once, "
                    f"{total} in all on the server"
                )
        for made in mades:
            employer = connection.execute(
                text("SELECT employer FROM borrowers WHERE id = :id"),
                {"id": made.account.borrower_id},
            ).scalar_one()
            if employer != made.employer:
                problems.append(f"employer {employer!r} on the server, last made {made.employer!r}")
    return problems


def copies_differ(ws: Workstation, mades: Sequence[Made]) -> list[str]:
    """Where the local copy and what the user sees on the server differ: the ids of each
    scope table, and each edited borrower's employer and version."""
    problems = [
        f"{table} differ" for table in SCOPE if ids(ws.local, table) != ids(ws.central, table)
    ]
    query = "SELECT employer, row_version FROM borrowers WHERE id = :id"
    for made in mades:
        key = made.account.borrower_id
        with ws.local.engine.connect() as connection:
            here = tuple(connection.execute(text(query), {"id": key.hex}).one())
        with ws.central.engine.connect() as connection:
            there = tuple(connection.execute(text(query), {"id": key}).one())
        if here != there:
            problems.append(f"borrower here {here}, on the server {there}")
    return problems


def lost_locally(ws: Workstation, mades: Sequence[Made]) -> list[str]:
    """Logs made here that are gone from the local copy."""
    return [
        f"{table} lost locally"
        for table in LOGS
        if not set().union(*(made.logs[table] for made in mades)) <= ids(ws.local, table)
    ]
