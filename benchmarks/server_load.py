"""Load benchmark: N workstations syncing against one central PostgreSQL at the same time.

    .venv/bin/python -m benchmarks.server_load [--workstations 10,50,100] [--seconds 30]
        [--interval 3] [--changes 20] [--modes direct,pgbouncer] [--direct-max 50]
        [--max-db-connections 20] [--accounts-per-workstation 20] [--rebuild]
        [--revision head] [--pull marks|full]

The server is the one `scripts/postgres` starts (or the URL in COLLECTOR_WORKSTATION_TEST_PG,
or --admin-url). A central database, cw_bench_load, is built once and kept (a rerun reuses it
when its build label matches): a demo portfolio (app.demo.builder) under row-level security,
initialised with `init_central`, and one collector per workstation, each made with `add_user`
(their own login role and password), in teams of --team-size, each given
--accounts-per-workstation accounts of their team.

Each workstation is a process of its own (forked), with its own local copy (SQLite, the outbox
triggers on) and its own connection to the central made as the app makes it (`central_as`: TCP
to 127.0.0.1, TLS checked with verify-full against the test CA, its own login and password,
row-level security on). After a first sync (not timed) all start together; each then, every
--interval seconds (the first at a random point of the first interval, so they do not go in
step), writes --changes changes in its copy through the product's own service (`add_note`:
a note and its audit event, two changes each) and runs `sync.sync` (push, then the xid8 horizon
pull), timed. Right after each sync, on the same connection, the floor is timed: one trivial
statement, `SELECT session_user` (psycopg sends its BEGIN first, as for any statement), which
also checks that the server acts for this workstation's own login. Syncs that start in the
--seconds window count.

Modes: `direct` is the app as it is: each workstation keeps its connection between syncs, so
the server holds one backend per workstation (the server's max_connections is 100 and is
shared, so N above --direct-max is not run this way and the report says so). `pgbouncer` puts
the PgBouncer that `scripts/pgbouncer` starts (transaction pooling, TLS, one pool per login,
--max-db-connections server connections in all) between the workstations and the server, and
stops it at the end; psycopg's prepared statements are turned off for it (PgBouncer 1.18 does
not keep them).

Server CPU is read from /proc, four times a second: the utime and stime of the postmaster's
children whose process title names cw_bench_load (the benchmark's backends; a backend that ends
between two readings loses its last quarter second), and of all the postmaster's processes,
including those that ended (the postmaster's cutime and cstime): the whole server, which other
work on this shared machine uses too. pg_stat_statements is not loaded on this server (it needs
a restart), so it is not used. PgBouncer's own CPU and the workstations' (their process time)
are read too. "Server CPU per sync" is the benchmark's backends' CPU over the syncs done; what
one server could carry, were it CPU-bound on it alone, is its cores over that.

`--revision` migrates the benchmark's central to that revision first (up or down; `head` by
default, so a run after one at another revision is on today's schema again), and `--pull` says
how the workstations pull: `marks` (migration 0027, the default) or `full` (every table read
since the cursor, as before 0027; `sync.PULL_BY_MARKS` off). With `--revision 0026 --pull full`
a run is the server and pull as they were before the marks, on the same central: runs in turns
of the two measure what the marks cost a push and save a pull.

Prints a table of medians and ratios (p50 of syncs over p50 of the floor) with the load average
(the machine is shared: two cores, and the workstations run on the same machine as the server)
and writes benchmarks/results/server_load.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL

from app.database import VERIFY_FULL, Database, Tls, alembic_config
from app.demo.builder import build_demo
from app.services.common.errors import DomainError
from app.services.portfolio.notes import add_note
from app.services.sync import engine as sync
from app.services.sync.central import add_user, init_central
from app.services.sync.workstation import Server, central_as
from benchmarks.sync import (
    AS_OF,
    CA_ENV,
    DEFAULT_CA,
    ROOT,
    comment,
    connect,
    migrations_digest,
    server_url,
    stored_label,
)

RESULTS = Path(__file__).parent / "results"
DATABASE = "cw_bench_load"
# Rows the benchmark writes carry this, so they can be found and removed.
MARKER = "benchmarks.server_load"
USER_PREFIX = "bench.load."
# The benchmark's logins, as a LIKE pattern.
USER_LIKE = USER_PREFIX.replace(".", "\\.") + "%"
# A new number when what the build makes changes, so a cached database is built again.
BUILD = 1
# One 2-core server carries 10,000 workstations syncing once a minute.
GOAL_SYNCS_PER_S = 170
SAMPLE_EVERY = 0.25
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    """What every workstation of a phase needs to know (handed to the forked processes)."""

    database: str
    port: int
    ca: str
    pooled: bool
    interval: float
    changes: int
    seconds: float
    template: str
    work: str


@dataclass
class Outcome:
    """One workstation's phase."""

    username: str
    samples: list[tuple[float, float, float, int, int]] = field(default_factory=list)
    cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)
    # Floor statements answered for another login than the workstation's own.
    wrong_identity: int = 0


def username(index: int) -> str:
    return f"{USER_PREFIX}{index:03d}"


def password(index: int) -> str:
    return f"load benchmark password {index:03d}"


# --- the central ---------------------------------------------------------------------------------


def build_label(args: argparse.Namespace, workstations: int) -> str:
    return (
        f"{MARKER} build {BUILD}, migrations {migrations_digest()}: {workstations} collectors"
        f" with logins x {args.accounts_per_workstation} accounts, teams of {args.team_size}"
    )


def central(args: argparse.Namespace, workstations: int) -> URL:
    """The admin URL of the benchmark's central, built now unless a build that fits is kept."""
    server = server_url(args.admin_url)
    admin_url = server.set(database=DATABASE)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        found = stored_label(admin, DATABASE) or ""
        have = int(found.split(": ", 1)[1].split(" ", 1)[0]) if ": " in found else 0
        wanted = build_label(args, max(workstations, have))
        if not args.rebuild and found == wanted:
            return admin_url
        started = time.perf_counter()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            roles = connection.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :prefix"),
                {"prefix": USER_LIKE},
            ).scalars()
            for role in list(roles):
                connection.execute(text(f'DROP ROLE "{role}"'))
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        build(admin_url, args, max(workstations, have))
        comment(admin, DATABASE, wanted)
        print(f"built {DATABASE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        admin.dispose()
    return admin_url


def build(admin_url: URL, args: argparse.Namespace, workstations: int) -> None:
    per = args.accounts_per_workstation
    db = Database(admin_url.render_as_string(hide_password=False))
    try:
        init_central(db)
        build_demo(db, accounts=workstations * per, seed=1, as_of=AS_OF, accounts_per_collector=per)
        for index in range(workstations):
            team = f"Load team {index // args.team_size:03d}"
            add_user(db, username(index), "collector", team, password(index))
        with db.engine.begin() as connection:
            # Each collector's accounts: the next `per` by contract number, moved to their team.
            connection.execute(
                text(
                    "WITH mine AS (SELECT u.id AS user_id, u.team_id,"
                    " row_number() OVER (ORDER BY u.username) - 1 AS k FROM users u"
                    " WHERE u.username LIKE :prefix), picked AS (SELECT id,"
                    " (row_number() OVER (ORDER BY contract_no) - 1) / :per AS k FROM loans)"
                    " UPDATE loans l SET assigned_to_id = m.user_id, team_id = m.team_id,"
                    " row_version = l.row_version + 1 FROM picked p JOIN mine m ON m.k = p.k"
                    " WHERE l.id = p.id"
                ),
                {"prefix": USER_LIKE, "per": per},
            )
        with connect(admin_url) as connection:
            connection.execute("VACUUM ANALYZE")
    finally:
        db.dispose()


def migrate(admin_url: URL, revision: str) -> None:
    """The benchmark's central at `revision` (up or down)."""
    db = Database(admin_url.render_as_string(hide_password=False))
    try:
        with db.engine.begin() as connection:
            config = alembic_config(db.url)
            config.attributes["connection"] = connection
            current = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            found = current.scalar()
            if revision != "head" and found is not None and found > revision:
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)
    finally:
        db.dispose()


def cleanup(admin_url: URL) -> None:
    """Remove what earlier runs wrote: notes, their audit trail, workstations' bookkeeping."""
    with connect(admin_url) as connection:
        # Audit events are append-only, for the administrator too: the benchmark's own, in its
        # own database, go with the triggers off for this session (a superuser's setting).
        connection.execute("SET session_replication_role = replica")
        mine = "SELECT id FROM users WHERE username LIKE %s"
        prefix = USER_LIKE
        connection.execute("DELETE FROM account_notes WHERE text = %s", (MARKER,))
        connection.execute(f"DELETE FROM audit_events WHERE user_id IN ({mine})", (prefix,))
        connection.execute(
            "DELETE FROM sync_outcomes WHERE workstation_id IN (SELECT id FROM sync_workstations"
            f" WHERE user_id IN ({mine}))",
            (prefix,),
        )
        connection.execute(f"DELETE FROM sync_workstations WHERE user_id IN ({mine})", (prefix,))
        connection.execute("VACUUM ANALYZE account_notes, audit_events")


# --- a workstation -------------------------------------------------------------------------------


def no_prepared_statements(dbapi_connection: Any, _record: Any) -> None:
    """Behind PgBouncer 1.18's transaction pooling a statement prepared on one server connection
    is unknown on the next: psycopg must not prepare."""
    dbapi_connection.prepare_threshold = None


def workstation(
    plan: Plan, index: int, start_at: Any, go: Event, results: multiprocessing.Queue[Any]
) -> None:
    """One workstation's phase, in a process of its own; its Outcome goes to `results`."""
    name = username(index)
    outcome = Outcome(name)
    folder = Path(plan.work) / name
    folder.mkdir()
    shutil.copy(plan.template, folder / "local.sqlite3")
    local = Database(f"sqlite:///{folder / 'local.sqlite3'}")
    server = central_as(
        Server("127.0.0.1", plan.port, plan.database),
        name,
        password(index),
        Tls(VERIFY_FULL, plan.ca),
    )
    if plan.pooled:
        event.listen(server.engine, "connect", no_prepared_statements)
    pick = random.Random(index)
    try:
        sync.sync(local, server, name)  # the first sync, not timed
        with local.engine.connect() as connection:
            contracts = list(connection.execute(text("SELECT contract_no FROM loans")).scalars())
        results.put(("ready", index))
        go.wait()
        began = start_at.value
        stop = began + plan.seconds
        due = began + pick.uniform(0, plan.interval)
        cpu = time.process_time()
        while True:
            time.sleep(max(0.0, due - time.monotonic()))
            started = time.monotonic()
            if started >= stop:
                break
            for _ in range(plan.changes // 2):
                add_note(local, name, pick.choice(contracts), MARKER)
            try:
                timer = time.perf_counter()
                report = sync.sync(local, server, name)
                took = time.perf_counter() - timer
            except DomainError as error:
                outcome.errors.append(error.message)
                due = max(due + plan.interval, time.monotonic())
                continue
            with server.engine.connect() as connection:
                timer = time.perf_counter()
                who = connection.exec_driver_sql("SELECT session_user").scalar()
                floor = time.perf_counter() - timer
            if who != name:
                outcome.wrong_identity += 1
            outcome.samples.append(
                (started - began, took, floor, report.push.sent, report.pull.rows)
            )
            due = max(due + plan.interval, time.monotonic())
        outcome.cpu_s = time.process_time() - cpu
    except Exception:  # any failure is the workstation's result, told in full
        outcome.errors.append(traceback.format_exc(limit=3))
        results.put(("ready", index))
    finally:
        local.dispose()
        server.dispose()
    results.put(("done", asdict(outcome)))


# --- the server's CPU ----------------------------------------------------------------------------


def cpu_of(pid: int) -> tuple[float, float] | None:
    """(own, reaped children's) CPU seconds of a process; None when it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command: state is field 3; utime, stime, cutime, cstime are fields 14-17.
    own = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    reaped = (int(fields[13]) + int(fields[14])) / CLOCK_TICKS
    return own, reaped


def title_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class CpuMeter:
    """The server's CPU seconds over a phase, from /proc: the benchmark database's backends
    (by process title), all of the server, and the pooler."""

    def __init__(self, postmaster: int, pooler: int | None) -> None:
        self.postmaster = postmaster
        self.pooler = pooler
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.bench: set[int] = set()
        self.already: set[int] = set()
        self.most_backends = 0
        self.start_total = self._total()
        self.start_pooler = self._pooler()
        self.sample(initial=True)

    def _children(self) -> list[int]:
        path = Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children")
        return [int(pid) for pid in path.read_text().split()]

    def _total(self) -> float:
        own = cpu_of(self.postmaster) or (0.0, 0.0)
        live = sum((cpu_of(pid) or (0.0, 0.0))[0] for pid in self._children())
        return own[0] + own[1] + live

    def _pooler(self) -> float:
        found = cpu_of(self.pooler) if self.pooler else None
        return found[0] if found else 0.0

    def sample(self, *, initial: bool = False) -> None:
        backends = 0
        for pid in self._children():
            if pid not in self.bench:
                if f" {DATABASE} " not in title_of(pid):
                    continue
                self.bench.add(pid)
            found = cpu_of(pid)
            if found is None:
                continue
            backends += 1
            if initial:
                self.already.add(pid)
            # A backend already there at the start counts from then; a new one from nothing.
            self.first.setdefault(pid, found[0] if initial else 0.0)
            self.last[pid] = found[0]
        self.most_backends = max(self.most_backends, backends)

    def result(self) -> dict[str, Any]:
        bench = sum(self.last[pid] - self.first[pid] for pid in self.last)
        return {
            "bench_backends_cpu_s": round(bench, 3),
            "whole_server_cpu_s": round(self._total() - self.start_total, 3),
            "pooler_cpu_s": round(self._pooler() - self.start_pooler, 3),
            "backends_started": len(self.bench - self.already),
            "most_backends_at_once": self.most_backends,
        }


def postmaster_and_port(admin_url: URL) -> tuple[int, int]:
    """The server's postmaster (in /proc: the parent of a backend) and its TCP port."""
    with connect(admin_url) as connection:
        found = connection.execute("SELECT pg_backend_pid(), current_setting('port')").fetchone()
    assert found is not None
    for line in Path(f"/proc/{found[0]}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1]), int(found[1])
    raise SystemExit("cannot find the PostgreSQL server's postmaster in /proc")


# --- a phase -------------------------------------------------------------------------------------


def oldest_transaction_s(admin_url: URL) -> float:
    """How long the oldest transaction holding a snapshot anywhere in the cluster has run: the
    pull's horizon (pg_snapshot_xmin) is the cluster's, so it holds every pull back that long."""
    with connect(admin_url) as connection:
        found = connection.execute(
            "SELECT coalesce(extract(epoch FROM now() - min(xact_start)), 0) FROM pg_stat_activity"
            " WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()"
        ).fetchone()
    return round(float(found[0]) if found else 0.0, 1)


def phase(
    plan: Plan, workstations: int, postmaster: int, pooler: int | None, admin_url: URL
) -> dict[str, Any]:
    """N workstations for plan.seconds; the figures of the phase."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[Any] = context.Queue()
    go = context.Event()
    start_at = context.Value("d", 0.0)
    processes = [
        context.Process(target=workstation, args=(plan, index, start_at, go, results))
        for index in range(workstations)
    ]
    for process in processes:
        process.start()
    ready = 0
    outcomes: list[dict[str, Any]] = []
    while ready < workstations:
        kind, payload = results.get(timeout=600)
        if kind == "ready":
            ready += 1
        else:
            outcomes.append(payload)
    load_before = os.getloadavg()
    held = oldest_transaction_s(admin_url)
    meter = CpuMeter(postmaster, pooler)
    start_at.value = time.monotonic()
    go.set()
    deadline = time.monotonic() + plan.seconds + 300
    while len(outcomes) < workstations and time.monotonic() < deadline:
        try:
            kind, payload = results.get(timeout=SAMPLE_EVERY)
            if kind == "done":
                outcomes.append(payload)
        except queue.Empty:
            pass
        meter.sample()
    elapsed = time.monotonic() - start_at.value
    cpu = meter.result()
    load_after = os.getloadavg()
    cpu["oldest_transaction_s"] = max(held, oldest_transaction_s(admin_url))
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
    return summarise(plan, workstations, outcomes, cpu, elapsed, load_before, load_after)


def summarise(
    plan: Plan,
    workstations: int,
    outcomes: list[dict[str, Any]],
    cpu: dict[str, Any],
    elapsed: float,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> dict[str, Any]:
    samples = [sample for outcome in outcomes for sample in outcome["samples"]]
    errors = [error for outcome in outcomes for error in outcome["errors"]]
    result: dict[str, Any] = {
        "workstations": workstations,
        "reported": len(outcomes),
        "offered_syncs_per_s": round(workstations / plan.interval, 1),
        "syncs": len(samples),
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:3],
        "wrong_identity": sum(outcome["wrong_identity"] for outcome in outcomes),
        "seconds": round(elapsed, 1),
        "load_average_before": load_before,
        "load_average_after": load_after,
        **cpu,
    }
    if not samples:
        return result
    took = sorted(sample[1] for sample in samples)
    floors = sorted(sample[2] for sample in samples)
    syncs = len(samples)
    result.update(
        syncs_per_s=round(syncs / plan.seconds, 1),
        p50_ms=round(statistics.median(took) * 1000, 1),
        p99_ms=round(took[min(syncs - 1, round(0.99 * (syncs - 1)))] * 1000, 1),
        max_ms=round(took[-1] * 1000, 1),
        floor_p50_ms=round(statistics.median(floors) * 1000, 2),
        floor_p99_ms=round(floors[min(syncs - 1, round(0.99 * (syncs - 1)))] * 1000, 2),
        ratio=round(statistics.median(took) / statistics.median(floors), 1),
        pushed_median=statistics.median(sample[3] for sample in samples),
        pulled_median=statistics.median(sample[4] for sample in samples),
        server_cpu_ms_per_sync=round(cpu["bench_backends_cpu_s"] / syncs * 1000, 2),
        whole_server_cpu_ms_per_sync=round(cpu["whole_server_cpu_s"] / syncs * 1000, 2),
        pooler_cpu_ms_per_sync=round(cpu["pooler_cpu_s"] / syncs * 1000, 2),
        client_cpu_ms_per_sync=round(
            sum(outcome["cpu_s"] for outcome in outcomes) / syncs * 1000, 1
        ),
    )
    per_sync = cpu["bench_backends_cpu_s"] / syncs
    result["cpu_bound_syncs_per_s_on_2_cores"] = round(2 / per_sync) if per_sync else None
    return result


# --- the whole run -------------------------------------------------------------------------------


def start_pooler(max_db_connections: int) -> tuple[int, int]:
    """PgBouncer's port and process id, started (or told the settings) by scripts/pgbouncer."""
    started = subprocess.run(
        [
            "bash",
            str(ROOT / "scripts" / "pgbouncer"),
            "--max-db-connections",
            str(max_db_connections),
        ],
        capture_output=True,
        text=True,
    )
    if started.returncode:
        raise SystemExit(f"no PgBouncer: {started.stderr.strip()}")
    port = int(started.stdout.split()[0])
    pid = int(Path("/var/lib/postgresql/collector-workstation-pgbouncer/pgbouncer.pid").read_text())
    return port, pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workstations", default="10,50,100", help="comma-separated N")
    parser.add_argument("--seconds", type=float, default=30.0, help="each phase's length")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between syncs")
    parser.add_argument("--changes", type=int, default=20, help="changes written per sync")
    parser.add_argument("--modes", default="direct,pgbouncer")
    parser.add_argument(
        "--direct-max",
        type=int,
        default=50,
        help="most workstations run direct (one server connection each; the server is shared)",
    )
    parser.add_argument("--max-db-connections", type=int, default=20)
    parser.add_argument("--accounts-per-workstation", type=int, default=20)
    parser.add_argument("--team-size", type=int, default=10)
    parser.add_argument("--admin-url", help="the server's admin URL")
    parser.add_argument("--rebuild", action="store_true", help="build the central again")
    parser.add_argument("--json", type=Path, default=RESULTS / "server_load.json")
    parser.add_argument("--revision", default="head", help="the central's schema revision")
    parser.add_argument("--pull", choices=("marks", "full"), default="marks")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workstations.split(",")]
    modes = [mode.strip() for mode in args.modes.split(",")]
    if not set(modes) <= {"direct", "pgbouncer"}:
        parser.error("--modes takes direct and pgbouncer")

    admin_url = central(args, max(counts))
    migrate(admin_url, args.revision)
    # The workstations are forked from here: they pull as this says.
    sync.PULL_BY_MARKS = args.pull == "marks"
    ca = os.environ.get(CA_ENV) or str(DEFAULT_CA)
    cleanup(admin_url)
    postmaster, server_port = postmaster_and_port(admin_url)
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "command": " ".join(["python -m benchmarks.server_load", *(argv or sys.argv[1:])]),
        "cpus": os.cpu_count(),
        "revision": args.revision,
        "pull": args.pull,
        "interval_s": args.interval,
        "seconds": args.seconds,
        "changes_per_sync": args.changes,
        "accounts_per_workstation": args.accounts_per_workstation,
        "max_db_connections": args.max_db_connections,
        "cpu_source": "/proc (utime+stime of the postmaster's processes); pg_stat_statements"
        " is not loaded on this server",
        "goal_syncs_per_s": GOAL_SYNCS_PER_S,
        "phases": {},
    }
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        template = work / "template.sqlite3"
        copy = Database(f"sqlite:///{template}")
        copy.upgrade()
        sync.install_outbox(copy)
        copy.dispose()
        for mode in modes:
            pooler = None
            port = server_port
            if mode == "pgbouncer":
                port, pooler = start_pooler(args.max_db_connections)
            for count in counts:
                key = f"{mode}-{count}"
                if mode == "direct" and count > args.direct_max:
                    results["phases"][key] = {
                        "workstations": count,
                        "skipped": f"{count} server connections held at once: more than"
                        f" --direct-max {args.direct_max} on a shared server whose"
                        " max_connections is 100",
                    }
                    print(f"{key}: skipped ({results['phases'][key]['skipped']})")
                    continue
                folder = work / key
                folder.mkdir()
                plan = Plan(
                    admin_url.database or DATABASE,
                    port,
                    ca,
                    mode == "pgbouncer",
                    args.interval,
                    args.changes,
                    args.seconds,
                    str(template),
                    str(folder),
                )
                found = phase(plan, count, postmaster, pooler, admin_url)
                results["phases"][key] = found
                print(line(key, found), flush=True)
                shutil.rmtree(folder, ignore_errors=True)
                cleanup(admin_url)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if "pgbouncer" in modes:
            subprocess.run(["bash", str(ROOT / "scripts" / "pgbouncer"), "--stop"], check=False)
    report(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 0


def line(key: str, found: dict[str, Any]) -> str:
    if "p50_ms" not in found:
        return f"{key:<16} no sync done; errors: {found.get('first_errors')}"
    return (
        f"{key:<16}{found['syncs_per_s']:>8.1f}{found['p50_ms']:>9.0f}{found['p99_ms']:>9.0f}"
        f"{found['floor_p50_ms']:>8.1f}{found['ratio']:>7.0f}"
        f"{found['server_cpu_ms_per_sync']:>9.1f}{found['whole_server_cpu_ms_per_sync']:>9.1f}"
        f"{found['pooler_cpu_ms_per_sync']:>8.1f}{found['client_cpu_ms_per_sync']:>9.0f}"
        f"{found['most_backends_at_once']:>6}{found['backends_started']:>6}"
        f"{found['errors']:>5}{found['wrong_identity']:>5}"
        f"  load {found['load_average_after'][0]:.1f}"
    )


def report(results: dict[str, Any]) -> None:
    print(
        f"{results['cpus']} CPUs, shared with other work and with the workstations themselves;"
        f" a sync every {results['interval_s']:g} s per workstation, {results['changes_per_sync']}"
        f" changes each, {results['seconds']:g} s a phase"
    )
    print(
        f"{'phase':<16}{'sync/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'floor':>8}{'ratio':>7}"
        f"{'srv ms':>9}{'all ms':>9}{'pool':>8}{'client':>9}{'conn':>6}{'new':>6}"
        f"{'err':>5}{'who':>5}"
    )
    for key, found in results["phases"].items():
        print(line(key, found) if "skipped" not in found else f"{key:<16} skipped")
    print(
        "srv ms: CPU of the benchmark's backends per sync; all ms: the whole server's (other"
        " work included); pool: PgBouncer's; client: the workstations'; conn: most backends at"
        " once; new: backends started; who: floor answers for another login (must be 0)"
    )
    best = [
        found["cpu_bound_syncs_per_s_on_2_cores"]
        for found in results["phases"].values()
        if found.get("cpu_bound_syncs_per_s_on_2_cores")
    ]
    if best:
        print(
            f"server CPU-bound capacity on 2 cores: {min(best)}-{max(best)} syncs/s"
            f" (goal {GOAL_SYNCS_PER_S})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
