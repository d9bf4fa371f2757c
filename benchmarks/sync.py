"""Benchmarks of the sync engine against a real PostgreSQL: a first sync, and small increments.

    .venv/bin/python -m benchmarks.sync [--repeat 3] [--incremental-repeat 15]
        [--accounts 5000] [--rebuild] [--only initial|incremental] [--profile N]

The server is the one `scripts/postgres` starts (or the URL in COLLECTOR_WORKSTATION_TEST_PG,
or --admin-url). Two benchmark databases are built once and kept (a rerun reuses them when
their build label matches; --rebuild forces a new build):

- cw_bench_sync: a demo portfolio (app.demo.builder) under row-level security, initialised
  with `init_central`; one collector, made with `add_user` so they have a login role, is given
  --accounts accounts (the first --accounts by contract number: 126,930 rows with their
  borrowers, contact points, instalments, payments, contact attempts, promises, callbacks and
  visit requests, and the staff directory); the other accounts stay with the demo's
  collectors, and contact attempts are topped up on those to --small-attempts in all.
- cw_bench_sync_1m: a copy of the first, with contact attempts on the other collectors' accounts
  bulk-inserted (INSERT ... SELECT generate_series) up to --large-attempts, then ANALYZEd.
  The extra attempts are other people's on purpose: the user's scope is then the same in both
  centrals, so any difference is the size of the database, which is what a central grows by
  (everyone's daily calls), and row-level security and the cursor must keep it out of the pull.

Initial sync: `sync.sync` of the collector's whole scope into a new local copy each repeat,
signed in as the collector over TCP with a password (row-level security applies, as in
production), once into a plain SQLite file and once into the encrypted store (SQLCipher,
`open_local_store`). Making the empty copy (schema, triggers, key) is not timed. The floor is
measured in the same run, in turns with the syncs: the same rows, table by table, read with
`COPY (SELECT ... WHERE <in scope>) TO STDOUT` through psycopg 3 as the same collector (row-
level security applies to the floor too, once per table), and written with one `executemany`
per table into a fresh plain SQLite file of the same schema, in one transaction, with the app's
pragmas (no outbox triggers: the floor moves rows and nothing else). Keys, amounts and
flags are cast on the server to the forms the app stores on SQLite (hex keys, whole cents,
0/1), at no cost to speak of; the rest is stored as PostgreSQL's text. The ratio is this
floor's median over the sync's. The same COPY as the administrator (who bypasses row-level
security) is timed too, for information: what the policies cost on the server.

Incremental sync: a plain local copy of each central, synced once (not timed); then each
repeat, the server gets --changes changes for the collector's accounts (three fifths new contact
attempts, one fifth notes, one fifth borrowers updated; written as the administrator and
committed), and the next `sync.sync` is timed. The 50,000- and 1,000,000-attempt centrals are
timed in turns. The rows written are removed again at the end, so the databases keep their size.

Prints a table of medians and ratios (and the load average: the machine is shared, so only
medians over repeats are reported, and a ratio, measured in turns, says more than a time) and
writes benchmarks/results/sync.json. The floors run once untimed first to warm the server; a
sync needs no warm-up, as it starts from a new copy each time. --profile N then runs one sync
of each case under cProfile and prints its N costliest calls.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Boolean, Column, Engine, Uuid, create_engine, text
from sqlalchemy.engine import URL, make_url

from app.database import Database
from app.demo.builder import build_demo
from app.models.types import Money
from app.services.sync import engine as sync
from app.services.sync.central import add_user, init_central
from app.services.sync.local_store import open_local_store, passphrase_key

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
AS_OF = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
ENV = "COLLECTOR_WORKSTATION_TEST_PG"
# The CA that signed the server's TLS certificate (scripts/postgres's second line; where it
# keeps it when it sets the server up as root).
CA_ENV = "COLLECTOR_WORKSTATION_TEST_PG_CA"
DEFAULT_CA = Path("/var/lib/postgresql/collector-workstation-test-tls/ca.crt")
SMALL_DB = "cw_bench_sync"
LARGE_DB = "cw_bench_sync_1m"
USERNAME = "bench.sync"
PASSWORD = "benchmark sync password"
PASSPHRASE = "benchmark sync passphrase"
# Rows the benchmark writes as changes carry this, so they can be found and removed.
MARKER = "benchmarks.sync"
# A new number when what the build makes changes, so cached databases are built again.
BUILD = 1
FILL_BATCH = 100_000
TARGETS = {"initial_sync": {"floor_ratio": 0.3}, "incremental_sync": {"ratio": 1.5}}
# The pragmas app.database sets on every SQLite connection the app opens.
APP_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA cache_size=-65536",
    "PRAGMA mmap_size=268435456",
)


@dataclass(frozen=True)
class Central:
    name: str
    attempts: int
    admin_url: URL
    user_url: URL

    def admin(self) -> Database:
        return Database(self.admin_url.render_as_string(hide_password=False))

    def user(self) -> Database:
        """The collector's view: their own login role over TCP, row-level security on."""
        return Database(self.user_url.render_as_string(hide_password=False))


# --- the server and the cached databases ----------------------------------------------------------


def server_url(given: str | None) -> URL:
    raw = given or os.environ.get(ENV)
    if not raw:
        started = subprocess.run(
            ["bash", str(ROOT / "scripts" / "postgres")], capture_output=True, text=True
        )
        lines = [*started.stdout.splitlines(), "", ""]
        raw, ca = lines[0].strip(), lines[1].strip()
        if not raw:
            raise SystemExit(f"no PostgreSQL server: {started.stderr.strip()}")
        if ca:
            os.environ.setdefault(CA_ENV, ca)
    return make_url(raw)


def tls_query() -> dict[str, str]:
    """What a workstation's URL needs to check the server's certificate (the app asks for
    verify-full over TCP): the server's CA as sslrootcert."""
    return {"sslrootcert": os.environ.get(CA_ENV) or str(DEFAULT_CA)}


def user_url(admin: URL, database: str) -> URL:
    """How a workstation reaches the server: TCP, its user's own role and password."""
    return URL.create(
        "postgresql+psycopg",
        username=USERNAME,
        password=PASSWORD,
        host="127.0.0.1",
        port=admin.port or 5432,
        database=database,
        query=tls_query(),
    )


def connect(url: URL, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """psycopg itself, on a SQLAlchemy URL (the host may be a socket folder in the query)."""
    params = {
        "host": url.query.get("host") or url.host,
        "port": url.port,
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
    }
    found = {key: value for key, value in params.items() if value is not None}
    return psycopg.connect(autocommit=autocommit, **found)  # type: ignore[arg-type]


def label(args: argparse.Namespace, attempts: int) -> str:
    """What a cached database was built from: a changed migration (policies are edited in
    place while the schema is young) or other sizes mean building it again."""
    return (
        f"{MARKER} build {BUILD}, migrations {migrations_digest()}: {args.accounts} accounts"
        f" for {USERNAME}, {args.other_accounts} others, {attempts} contact attempts"
    )


def migrations_digest() -> str:
    """What the migrations are now, in short: a cached database built from others is stale."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "app" / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def stored_label(admin: Engine, database: str) -> str | None:
    with admin.connect() as connection:
        found = connection.execute(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = :name"
            ),
            {"name": database},
        ).first()
    return None if found is None else found[0]


def centrals(args: argparse.Namespace) -> tuple[Central, Central]:
    """The two centrals, built now unless a matching build is cached on the server."""
    server = server_url(args.admin_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    small = Central(
        SMALL_DB, args.small_attempts, server.set(database=SMALL_DB), user_url(server, SMALL_DB)
    )
    large = Central(
        LARGE_DB, args.large_attempts, server.set(database=LARGE_DB), user_url(server, LARGE_DB)
    )
    try:
        small_label = label(args, small.attempts)
        large_label = small_label + f"; copy with {large.attempts} contact attempts"
        if args.rebuild or stored_label(admin, SMALL_DB) != small_label:
            with admin.connect() as connection:
                for name in (LARGE_DB, SMALL_DB):
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'DROP ROLE IF EXISTS "{USERNAME}"'))
                connection.execute(text(f'CREATE DATABASE "{SMALL_DB}"'))
            build_small(small, args)
            comment(admin, SMALL_DB, small_label)
        if args.rebuild or stored_label(admin, LARGE_DB) != large_label:
            started = time.perf_counter()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{LARGE_DB}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{LARGE_DB}" TEMPLATE "{SMALL_DB}"'))
            fill(large)
            comment(admin, LARGE_DB, large_label)
            print(f"built {LARGE_DB} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        admin.dispose()
    return small, large


def comment(admin: Engine, database: str, text_: str) -> None:
    with admin.connect() as connection:
        quoted = text_.replace("'", "''")
        connection.execute(text(f"COMMENT ON DATABASE \"{database}\" IS '{quoted}'"))


def build_small(central: Central, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    db = central.admin()
    try:
        init_central(db)
        build_demo(
            db,
            accounts=args.accounts + args.other_accounts,
            seed=1,
            as_of=AS_OF,
            accounts_per_collector=args.accounts,
        )
        with db.engine.connect() as connection:
            team = connection.execute(text("SELECT name FROM teams ORDER BY name")).scalar_one()
        add_user(db, USERNAME, "collector", team, PASSWORD)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE username = :u)"
                    " WHERE id IN (SELECT id FROM loans ORDER BY contract_no LIMIT :n)"
                ),
                {"u": USERNAME, "n": args.accounts},
            )
    finally:
        db.dispose()
    fill(central)
    print(f"built {central.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def fill(central: Central) -> None:
    """Top contact attempts up to `central.attempts` on other collectors' accounts, in batches
    of their own transactions (as days of work would come), then VACUUM ANALYZE."""
    table = sync.BY_NAME["contact_attempts"]
    names = [c.name for c in table.columns if c.name not in ("id", *sync.BOOKKEEPING)]
    shifted = {"started_at", "created_at"}
    picked = ", ".join(
        f"t.{name} - (g.n %% 365) * interval '1 day'" if name in shifted else f"t.{name}"
        for name in names
    )
    with connect(central.admin_url) as connection:
        have = connection.execute("SELECT count(*) FROM contact_attempts").fetchone()
        assert have is not None
        missing = central.attempts - int(have[0])
        if missing < 0:
            raise SystemExit(
                f"{central.name} already holds {have[0]:,} contact attempts, more than "
                f"{central.attempts:,}: use fewer --other-accounts"
            )
        connection.execute(
            "CREATE TEMP TABLE bench_templates AS SELECT row_number() OVER (ORDER BY a.id) - 1"
            " AS k, a.* FROM contact_attempts a JOIN loans l ON l.id = a.loan_id"
            " JOIN users u ON u.id = l.assigned_to_id WHERE u.username <> %s",
            (USERNAME,),
        )
        templates = connection.execute("SELECT count(*) FROM bench_templates").fetchone()
        assert templates is not None and templates[0] > 0
        for start in range(0, missing, FILL_BATCH):
            stop = min(start + FILL_BATCH, missing)
            connection.execute(
                f"INSERT INTO contact_attempts (id, {', '.join(names)}) "
                f"SELECT gen_random_uuid(), {picked} "
                "FROM generate_series(%s::bigint, %s::bigint) AS g(n)"
                " JOIN bench_templates t ON t.k = g.n %% %s",
                (start, stop - 1, templates[0]),
            )
        connection.execute("VACUUM ANALYZE")


def cleanup(central: Central) -> None:
    """Remove the changes earlier runs wrote (a run cut short leaves some behind)."""
    with connect(central.admin_url) as connection:
        connection.execute("DELETE FROM contact_attempts WHERE notes = %s", (MARKER,))
        connection.execute("DELETE FROM account_notes WHERE text = %s", (MARKER,))


# --- the floor ----------------------------------------------------------------------------------


def stored_form(column: Column[Any]) -> str:
    """A column as the app stores it on SQLite, cast on the server."""
    if isinstance(column.type, Uuid):
        return f"replace({column.name}::text, '-', '')"
    if isinstance(column.type, Money):
        return f"({column.name} * 100)::bigint"
    if isinstance(column.type, Boolean):
        return f"{column.name}::int"
    return column.name


def floor_statements(central: Central) -> list[tuple[str, str, str]]:
    """Per synced table: (COPY on the server, INSERT into SQLite) for the rows of the scope."""
    with connect(central.admin_url) as connection:
        found = connection.execute("SELECT id FROM users WHERE username = %s", (USERNAME,))
        row = found.fetchone()
        assert row is not None
    loans = f"SELECT id FROM loans WHERE assigned_to_id = '{row[0]}'"
    borrowers = f"SELECT borrower_id FROM loans WHERE assigned_to_id = '{row[0]}'"
    plans = f"SELECT id FROM repayment_plans WHERE loan_id IN ({loans})"
    where = {
        "loans": f"id IN ({loans})",
        "borrowers": f"id IN ({borrowers})",
        "contact_points": f"borrower_id IN ({borrowers})",
        "plan_instalments": f"plan_id IN ({plans})",
    }
    statements = []
    for table in sync.TABLES:
        if table.name in sync.NOT_PULLED:
            continue
        if table.name in sync.DIRECTORY:
            scope = "true"
        else:
            scope = where.get(table.name, f"loan_id IN ({loans})")
        columns = list(table.columns)
        copy = (
            f"COPY (SELECT {', '.join(stored_form(c) for c in columns)} FROM {table.name}"
            f" WHERE {scope}) TO STDOUT"
        )
        insert = (
            f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)})"
            f" VALUES ({', '.join('?' * len(columns))})"
        )
        statements.append((table.name, copy, insert))
    return statements


def copy_into_sqlite(
    server: psycopg.Connection[Any],
    statements: list[tuple[str, str, str]],
    path: Path,
    counts: dict[str, int],
) -> int:
    """The floor: each table's rows by COPY, into SQLite by executemany, one transaction.
    Notes the rows of each table in `counts`."""
    local = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in APP_PRAGMAS:
            local.execute(pragma)
        local.execute("BEGIN")
        moved = 0
        with server.cursor() as cursor:
            for table, copy_sql, insert_sql in statements:
                with cursor.copy(copy_sql) as copy:
                    rows = list(copy.rows())
                local.executemany(insert_sql, rows)
                moved += len(rows)
                counts[table] = len(rows)
        local.execute("COMMIT")
    finally:
        local.close()
    return moved


# --- timing -------------------------------------------------------------------------------------


@dataclass
class Case:
    """Something timed on a fresh folder: `prepare` makes what it needs there (not timed) and
    returns the call to time (which returns the rows it moved) and what closes it after.
    A case that warms up runs once untimed first; a sync starts from a new copy each time
    anyway, and the floors before it have warmed the server."""

    name: str
    prepare: Callable[[Path], tuple[Callable[[], int], Callable[[], None]]]
    warm: bool = False


def in_turns(cases: list[Case], repeat: int, work: Path) -> dict[str, tuple[list[float], int]]:
    """Seconds of each case, timed in turns (so a busy moment of the machine weighs on all)."""
    samples: dict[str, list[float]] = {case.name: [] for case in cases}
    moved: dict[str, int] = {}
    for turn in range(repeat + 1):
        for case in cases:
            if not turn and not case.warm:
                continue
            folder = work / f"{case.name}-{turn}"
            folder.mkdir(parents=True)
            run, close = case.prepare(folder)
            try:
                started = time.perf_counter()
                moved[case.name] = run()
                elapsed = time.perf_counter() - started
            finally:
                close()
                shutil.rmtree(folder)
            if turn:
                samples[case.name].append(elapsed)
    return {name: (found, moved[name]) for name, found in samples.items()}


def initial_sync(small: Central, repeat: int, work: Path) -> dict[str, Any]:
    statements = floor_statements(small)
    counts: dict[str, int] = {}
    template = work / "schema.sqlite3"
    schema = Database(f"sqlite:///{template}")
    schema.upgrade()
    schema.dispose()
    central = small.user()
    as_user = connect(small.user_url)
    as_admin = connect(small.admin_url)

    def copy_case(server: psycopg.Connection[Any]) -> Callable[[Path], Any]:
        def prepare(folder: Path) -> tuple[Callable[[], int], Callable[[], None]]:
            path = folder / "floor.sqlite3"
            shutil.copy(template, path)

            def run() -> int:
                return copy_into_sqlite(server, statements, path, counts)

            return run, (lambda: None)

        return prepare

    def plain(folder: Path) -> tuple[Callable[[], int], Callable[[], None]]:
        local = Database(f"sqlite:///{folder / 'local.sqlite3'}")
        local.upgrade()
        sync.install_outbox(local)
        return (lambda: sync.sync(local, central, USERNAME).pull.rows), local.dispose

    def encrypted(folder: Path) -> tuple[Callable[[], int], Callable[[], None]]:
        local = open_local_store(folder, passphrase_key(PASSPHRASE))
        return (lambda: sync.sync(local, central, USERNAME).pull.rows), local.dispose

    try:
        timed = in_turns(
            [
                Case("floor", copy_case(as_user), warm=True),
                Case("floor_admin", copy_case(as_admin), warm=True),
                Case("sqlite", plain),
                Case("sqlcipher", encrypted),
            ],
            repeat,
            work,
        )
    finally:
        as_user.close()
        as_admin.close()
        central.dispose()
    floor_median = statistics.median(timed["floor"][0])
    result: dict[str, Any] = {
        "rows_by_table": counts,
        "floor": _summary(*timed["floor"]),
        "floor_as_admin": _summary(*timed["floor_admin"]),
    }
    for name in ("sqlite", "sqlcipher"):
        samples, rows = timed[name]
        summary = _summary(samples, rows)
        summary["floor_ratio"] = round(floor_median / statistics.median(samples), 3)
        result[name] = summary
        if rows != timed["floor"][1]:
            # The floor must move the very rows the sync does, or the ratio means nothing.
            print(
                f"warning: the {name} sync moved {rows:,} rows, the floor {timed['floor'][1]:,}",
                file=sys.stderr,
            )
    return result


def _summary(samples: list[float], rows: int) -> dict[str, Any]:
    median = statistics.median(samples)
    return {
        "median_s": round(median, 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "rows": rows,
        "rows_per_s": round(rows / median),
        "repeat": len(samples),
    }


# --- incremental --------------------------------------------------------------------------------


def write_changes(central: Central, changes: int) -> None:
    """`changes` changes on the server for the collector's accounts, each kind committed."""
    attempts = changes * 3 // 5
    notes = changes // 5
    updates = changes - attempts - notes
    table = sync.BY_NAME["contact_attempts"]
    names = [c.name for c in table.columns if c.name not in ("id", "notes", *sync.BOOKKEEPING)]
    mine = "SELECT l.id FROM loans l JOIN users u ON u.id = l.assigned_to_id WHERE u.username = %s"
    with connect(central.admin_url) as connection:
        connection.execute(
            f"INSERT INTO contact_attempts (id, notes, {', '.join(names)}) "
            f"SELECT gen_random_uuid(), %s, {', '.join(names)} FROM contact_attempts"
            f" WHERE loan_id IN ({mine}) ORDER BY random() LIMIT %s",
            (MARKER, USERNAME, attempts),
        )
        connection.execute(
            "INSERT INTO account_notes (id, loan_id, user_id, created_at, text) "
            "SELECT gen_random_uuid(), l.id, u.id, now(), %s FROM loans l"
            " JOIN users u ON u.id = l.assigned_to_id WHERE u.username = %s"
            " ORDER BY random() LIMIT %s",
            (MARKER, USERNAME, notes),
        )
        connection.execute(
            "UPDATE borrowers SET updated_at = now(), row_version = row_version + 1"
            f" WHERE id IN (SELECT l.borrower_id FROM loans l WHERE l.id IN ({mine})"
            " ORDER BY random() LIMIT %s)",
            (USERNAME, updates),
        )


def incremental_sync(
    small: Central, large: Central, repeat: int, changes: int, work: Path
) -> dict[str, Any]:
    copies: list[tuple[Central, Database, Database]] = []
    samples: dict[str, list[float]] = {small.name: [], large.name: []}
    pulled: dict[str, list[int]] = {small.name: [], large.name: []}
    try:
        for central in (small, large):
            local = Database(f"sqlite:///{work / f'incremental-{central.name}.sqlite3'}")
            local.upgrade()
            sync.install_outbox(local)
            server = central.user()
            copies.append((central, local, server))
            sync.sync(local, server, USERNAME)  # the first sync, not timed
        for turn in range(repeat + 1):
            for central, local, server in copies:
                write_changes(central, changes)
                started = time.perf_counter()
                report = sync.sync(local, server, USERNAME)
                elapsed = time.perf_counter() - started
                if turn:
                    samples[central.name].append(elapsed)
                    pulled[central.name].append(report.pull.rows)
    finally:
        for _central, local, server in copies:
            local.dispose()
            server.dispose()
    result: dict[str, Any] = {}
    for central in (small, large):
        found = samples[central.name]
        result[central.name] = {
            "contact_attempts": central.attempts,
            "changes": changes,
            "median_ms": round(statistics.median(found) * 1000, 1),
            "min_ms": round(min(found) * 1000, 1),
            "max_ms": round(max(found) * 1000, 1),
            "rows_pulled_median": statistics.median(pulled[central.name]),
            "repeat": len(found),
        }
    result["ratio"] = round(result[large.name]["median_ms"] / result[small.name]["median_ms"], 3)
    return result


# --- the whole run ------------------------------------------------------------------------------


@contextmanager
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="initial syncs of each kind")
    parser.add_argument("--incremental-repeat", type=int, default=15)
    parser.add_argument("--accounts", type=int, default=5000, help="the collector's scope")
    parser.add_argument(
        "--other-accounts", type=int, help="other collectors' accounts (default 1.8 x accounts)"
    )
    parser.add_argument("--small-attempts", type=int, default=50_000)
    parser.add_argument("--large-attempts", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--admin-url", help=f"the server's admin URL (default: ${ENV})")
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument(
        "--only", choices=("initial", "incremental"), help="run one of the two cases"
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="after the timings, profile one sync of each case and print its N costliest calls",
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "sync.json")
    args = parser.parse_args(argv)
    if args.other_accounts is None:
        args.other_accounts = round(args.accounts * 1.8)

    small, large = centrals(args)
    for central in (small, large):
        cleanup(central)
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "accounts": args.accounts,
        "other_accounts": args.other_accounts,
        "floor_runs_as": USERNAME,
        "targets": TARGETS,
        "load_average_before": os.getloadavg(),
        "cases": {},
    }
    with workdir() as work:
        try:
            if args.only in (None, "initial"):
                results["cases"]["initial_sync"] = initial_sync(small, args.repeat, work)
            if args.only in (None, "incremental"):
                results["cases"]["incremental_sync"] = incremental_sync(
                    small, large, args.incremental_repeat, args.changes, work
                )
            results["load_average_after"] = os.getloadavg()
            report(results, small, large)
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2))
            print(f"wrote {args.json}")
            if args.profile:
                profile(small, large, args.changes, args.profile, work)
        finally:
            for central in (small, large):
                cleanup(central)
    return 0


def profile(small: Central, large: Central, changes: int, top: int, work: Path) -> None:
    """One first sync and one incremental sync against each central, under cProfile."""
    for central in (small, large):
        server = central.user()
        local = Database(f"sqlite:///{work / f'profiled-{central.name}.sqlite3'}")
        local.upgrade()
        sync.install_outbox(local)
        try:
            for what in ("first sync", f"{changes} changes"):
                if what != "first sync":
                    write_changes(central, changes)
                elif central is large:
                    sync.sync(local, server, USERNAME)
                    continue
                profiler = cProfile.Profile()
                profiler.enable()
                sync.sync(local, server, USERNAME)
                profiler.disable()
                print(f"--- {what}, {central.name}: the {top} costliest calls by own time")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
        finally:
            local.dispose()
            server.dispose()


def report(results: dict[str, Any], small: Central, large: Central) -> None:
    cases = results["cases"]
    before, after = results["load_average_before"], results["load_average_after"]
    print(
        f"load average (1 min) {before[0]:.1f} before, {after[0]:.1f} after "
        f"on {os.cpu_count()} CPUs: the machine is shared, read ratios before times"
    )
    print(f"{'case':<46}{'median':>10}{'floor':>10}{'ratio':>8}   target")
    initial = cases.get("initial_sync")
    if initial:
        floor = initial["floor"]
        wanted = TARGETS["initial_sync"]["floor_ratio"]
        for name, title in (("sqlite", "SQLite file"), ("sqlcipher", "encrypted store")):
            case = initial[name]
            met = case["floor_ratio"] >= wanted
            title = f"initial sync, {case['rows']:,} rows -> {title}"
            print(
                f"{title:<46}"
                f"{case['median_s']:>9.2f}s{floor['median_s']:>9.2f}s{case['floor_ratio']:>8.2f}"
                f"   floor/sync >= {wanted}: {'met' if met else 'NOT met'}"
            )
        print(
            f"{'  rows per second: SQLite, encrypted, floor':<46}"
            f"{initial['sqlite']['rows_per_s']:>10,}{initial['sqlcipher']['rows_per_s']:>10,}"
            f"{floor['rows_per_s']:>8,}"
        )
        print(
            f"{'  floor as the administrator (no row security)':<46}"
            f"{initial['floor_as_admin']['median_s']:>9.2f}s"
        )
    incremental = cases.get("incremental_sync")
    if incremental:
        wanted = TARGETS["incremental_sync"]["ratio"]
        base = incremental[small.name]
        top = incremental[large.name]
        title = f"incremental, {base['changes']} changes, {small.attempts:,} attempts"
        print(f"{title:<46}{base['median_ms']:>8.0f}ms")
        met = incremental["ratio"] <= wanted
        title = f"incremental, {top['changes']} changes, {large.attempts:,} attempts"
        print(
            f"{title:<46}"
            f"{top['median_ms']:>8.0f}ms{base['median_ms']:>8.0f}ms{incremental['ratio']:>8.2f}"
            f"   large/small <= {wanted}: {'met' if met else 'NOT met'}"
        )
    results["targets_met"] = {
        **(
            {
                "initial_sqlite": initial["sqlite"]["floor_ratio"]
                >= TARGETS["initial_sync"]["floor_ratio"],
                "initial_sqlcipher": initial["sqlcipher"]["floor_ratio"]
                >= TARGETS["initial_sync"]["floor_ratio"],
            }
            if initial
            else {}
        ),
        **(
            {"incremental": incremental["ratio"] <= TARGETS["incremental_sync"]["ratio"]}
            if incremental
            else {}
        ),
    }


if __name__ == "__main__":
    raise SystemExit(main())
