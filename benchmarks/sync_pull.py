"""Pull benchmark: what one incremental pull costs the server as OTHER teams write (issue 17).

    .venv/bin/python -m benchmarks.sync_pull [--others 0,1000,10000,50000] [--repeat 15]
        [--scope 200] [--team-accounts 2000] [--accounts 6000] [--pushes 20] [--rebuild]

The server is the one `scripts/postgres` starts (or the URL in COLLECTOR_WORKSTATION_TEST_PG,
or --admin-url). A central database, cw_bench_pull, is built once and kept (a rerun reuses it
when its build label matches): a demo portfolio of --accounts accounts (app.demo.builder) under
row-level security, initialised with `init_central`, and one team of its own with three logins
made with `add_user`: a collector given --scope accounts, another collector given the rest of
--team-accounts, and their lead (whose scope is the whole team's). Every other account stays
with the demo's collectors, in the demo's teams: the other teams.

For each count of --others, a cursor is taken (a transaction id handed out after everything
written so far); then the other teams' accounts get that many notes by their collectors, in
transactions of 20 (as their workstations' pushes write them), and the collector's own
accounts 10 notes (what its pull must bring), spread evenly among them, as a day's work would
fall; both the collector's and the lead's pulls are then timed from that cursor, in turns,
--repeat times each, and the notes are removed before the next count:

- `full`: the pull of migration 0023, asking and reading every table for all rows written
  since the cursor (row-level security drops those of others' accounts one by one);
- `marks`: the pull of migration 0027, finding the scope's accounts with something new by their
  marks (`sync_marks`) and reading those alone.

What is timed is the pull's conversation with the server (`sync._fetch`: the horizon, the
scope, the reads; over TCP with TLS, as the user's own login, row-level security on), not the
writing of the local copy, which is the same both ways. Its floor is one trivial statement on
the same connection (`SELECT session_user`) right after each pull. The server's CPU for each
pull is its backend's, from /proc/<pid>/schedstat. Both ways must bring the same rows; the
benchmark checks that at each count.

Then what the marks cost a push (--pushes each way, in blocks of 5, marks on and off in
turns): the collector's push of 10 notes and their 10 audit events, in the one call the app
makes (`cw_sync_push`, through `sync._apply_on_server`), with its backend's CPU. "Off" is the
notes' table as before migration 0027: its mark trigger disabled and its (loan_id, changed_tx)
index dropped (audit events are not marked); "on" puts both back.

Prints medians and ratios (each way over the floor, marks over full) with the load average
(the machine is shared) and writes benchmarks/results/sync_pull.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import URL

from app.database import VERIFY_FULL, Database, Tls
from app.demo.builder import build_demo
from app.services.sync import engine as sync
from app.services.sync.central import add_user, init_central
from app.services.sync.workstation import Server, central_as
from benchmarks.sync import (
    AS_OF,
    CA_ENV,
    DEFAULT_CA,
    comment,
    connect,
    migrations_digest,
    server_url,
    stored_label,
)

RESULTS = Path(__file__).parent / "results"
DATABASE = "cw_bench_pull"
MARKER = "benchmarks.sync_pull"
PREFIX = "bench.pull."
COLLECTOR = PREFIX + "collector"
OTHER = PREFIX + "other"
LEAD = PREFIX + "lead"
PASSWORD = "pull benchmark password"
TEAM = "Pull benchmark team"
BUILD = 1
# Rows written in one transaction, as a workstation's push of 10 notes and their audit
# events writes them; and the collector's own new rows.
PER_TRANSACTION = 20
OWN_ROWS = 10
LOCAL = sqlite.dialect()


@dataclass(frozen=True)
class Member:
    name: str
    central: Database
    copy: tuple[set[str], dict[str, str]]
    pid: int


def build_label(args: argparse.Namespace) -> str:
    return (
        f"{MARKER} build {BUILD}, migrations {migrations_digest()}: {args.accounts} accounts,"
        f" a team of {args.team_accounts}, {args.scope} the collector's"
    )


def central(args: argparse.Namespace) -> URL:
    """The admin URL of the benchmark's central, built now unless a build that fits is kept."""
    server = server_url(args.admin_url)
    admin_url = server.set(database=DATABASE)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        wanted = build_label(args)
        if not args.rebuild and stored_label(admin, DATABASE) == wanted:
            return admin_url
        started = time.perf_counter()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            for name in (COLLECTOR, OTHER, LEAD):
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        build(admin_url, args)
        comment(admin, DATABASE, wanted)
        print(f"built {DATABASE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        admin.dispose()
    return admin_url


def build(admin_url: URL, args: argparse.Namespace) -> None:
    db = Database(admin_url.render_as_string(hide_password=False))
    try:
        init_central(db)
        build_demo(db, accounts=args.accounts, seed=1, as_of=AS_OF, accounts_per_collector=250)
        for name, role in ((COLLECTOR, "collector"), (OTHER, "collector"), (LEAD, "team_lead")):
            add_user(db, name, role, TEAM, PASSWORD)
        with db.engine.begin() as connection:
            # The team's accounts: the first by contract number, the collector's first.
            connection.execute(
                text(
                    "WITH picked AS (SELECT id, row_number() OVER (ORDER BY contract_no) AS n"
                    " FROM loans) UPDATE loans l SET assigned_to_id = (SELECT id FROM users"
                    " WHERE username = CASE WHEN p.n <= :scope THEN :collector ELSE :other END),"
                    " team_id = (SELECT id FROM teams WHERE name = :team),"
                    " row_version = l.row_version + 1 FROM picked p WHERE l.id = p.id"
                    " AND p.n <= :team_accounts"
                ),
                {
                    "scope": args.scope,
                    "collector": COLLECTOR,
                    "other": OTHER,
                    "team": TEAM,
                    "team_accounts": args.team_accounts,
                },
            )
        with connect(admin_url) as connection:
            connection.execute("VACUUM ANALYZE")
    finally:
        db.dispose()


def cleanup(admin_url: URL) -> None:
    with connect(admin_url) as connection:
        connection.execute("DELETE FROM account_notes WHERE text = %s", (MARKER,))
        # The pushes' audit events: append-only, for the administrator too, so with the
        # triggers off for this session (a superuser's setting), in the benchmark's database.
        connection.execute("SET session_replication_role = replica")
        connection.execute("DELETE FROM audit_events WHERE details ->> 'text' = %s", (MARKER,))
        connection.execute("VACUUM ANALYZE account_notes, sync_marks")


def next_transaction(admin_url: URL) -> int:
    """A cursor past everything written so far: a transaction id handed out now."""
    with connect(admin_url) as connection:
        found = connection.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
    assert found is not None
    return int(found[0]) + 1


def write(admin_url: URL, others: int) -> None:
    """`others` notes on the other teams' accounts by their collectors, PER_TRANSACTION a
    transaction, with OWN_ROWS notes on the collector's accounts spread evenly among them."""
    with connect(admin_url) as connection:
        accounts = {
            own: connection.execute(
                "SELECT l.id, l.assigned_to_id FROM loans l JOIN users u"
                " ON u.id = l.assigned_to_id WHERE (u.username = %s) = %s"
                " AND (l.team_id = (SELECT id FROM teams WHERE name = %s)) = %s"
                " ORDER BY l.contract_no",
                (COLLECTOR, own, TEAM, own),
            ).fetchall()
            for own in (True, False)
        }
        # (own, how many) per transaction: the other teams' pushes, the collector's 10 notes
        # one by one after each tenth of them.
        batches: list[tuple[bool, int]] = []
        for tenth in range(OWN_ROWS):
            share = others * (tenth + 1) // OWN_ROWS - others * tenth // OWN_ROWS
            batches += [(False, PER_TRANSACTION)] * (share // PER_TRANSACTION)
            batches += [(False, share % PER_TRANSACTION)] if share % PER_TRANSACTION else []
            batches.append((True, 1))
        done = {True: 0, False: 0}
        for own, size in batches:
            found = accounts[own]
            picked = [found[(done[own] + k) * 7919 % len(found)] for k in range(size)]
            done[own] += size
            with connection.transaction():
                connection.cursor().executemany(
                    "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
                    " VALUES (gen_random_uuid(), %s, %s, now(), %s)",
                    [(loan, user, MARKER) for loan, user in picked],
                )


def cpu_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def member(port: int, ca: str, name: str) -> Member:
    server = central_as(Server("127.0.0.1", port, DATABASE), name, PASSWORD, Tls(VERIFY_FULL, ca))
    first = sync._fetch(server, LOCAL, name, None, set(), {})
    loan = sync.PLAN_LOAN
    plans = {key[0]: row[loan] for key, row in first.rows.get("repayment_plans", {}).items()}
    with server.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    return Member(name, server, (set(first.arrived), plans), int(pid))


def one_pull(who: Member, cursor: int, *, by_marks: bool) -> tuple[float, float, float, Any]:
    """(pull ms, its backend's CPU ms, floor ms, what it brought)."""
    sync.PULL_BY_MARKS = by_marks
    loans, plans = who.copy
    before = cpu_ns(who.pid)
    started = time.perf_counter()
    fetched = sync._fetch(who.central, LOCAL, who.name, cursor, set(loans), dict(plans))
    took = time.perf_counter() - started
    cpu = cpu_ns(who.pid) - before
    with who.central.engine.connect() as connection:
        started = time.perf_counter()
        connection.exec_driver_sql("SELECT session_user").scalar()
        floor = time.perf_counter() - started
    return took * 1000, cpu / 1e6, floor * 1000, fetched


def measure(who: Member, cursor: int, repeat: int) -> dict[str, Any]:
    samples: dict[str, list[tuple[float, float, float]]] = {"full": [], "marks": []}
    brought: dict[str, Any] = {}
    for _ in range(repeat):
        for way in ("full", "marks"):
            *figures, fetched = one_pull(who, cursor, by_marks=way == "marks")
            samples[way].append((figures[0], figures[1], figures[2]))
            brought[way] = fetched
    full, marks = brought["full"], brought["marks"]
    if (full.rows, full.arrived, full.gone) != (marks.rows, marks.arrived, marks.gone):
        raise SystemExit(f"{who.name}: the two pulls brought different rows")
    result: dict[str, Any] = {
        "rows": sum(len(found) for found in marks.rows.values()),
        "scope": len(who.copy[0]),
    }
    for way, found in samples.items():
        result[way] = {
            "pull_ms": round(statistics.median(s[0] for s in found), 2),
            "server_cpu_ms": round(statistics.median(s[1] for s in found), 2),
            "floor_ms": round(statistics.median(s[2] for s in found), 3),
        }
        result[way]["ratio"] = round(result[way]["pull_ms"] / result[way]["floor_ms"], 1)
    result["marks_over_full"] = round(result["marks"]["pull_ms"] / result["full"]["pull_ms"], 3)
    return result


def batch(user: uuid.UUID, loans: list[uuid.UUID], first: int) -> list[sync._Payload]:
    """The collector's 10 notes and their audit events, as its outbox sends them."""
    payloads = []
    now = datetime.now(UTC)
    for k, loan in enumerate(loans[:OWN_ROWS]):
        note = {"id": uuid.uuid4(), "loan_id": loan, "user_id": user, "created_at": now}
        note |= {"text": MARKER, "row_version": 1, "changed_tx": None}
        event = {"id": uuid.uuid4(), "at": now, "user_id": user, "action": "note.added"}
        event |= {"entity": "loan", "entity_id": loan.hex, "details": {"text": MARKER}}
        event |= {"row_version": 1, "changed_tx": None}
        for offset, (table, values) in enumerate(
            (("account_notes", note), ("audit_events", event))
        ):
            names = tuple(c.name for c in sync.BY_NAME[table].columns)
            changed = tuple(name for name in names if name not in sync.BOOKKEEPING)
            payloads.append(
                sync._Payload(
                    first + 2 * k + offset,
                    table,
                    sync._key_text((values["id"],)),
                    "insert",
                    None,
                    values,
                    changed,
                    {name: str(values.get(name)) for name in changed},
                    loan,
                )
            )
    return payloads


def marks_on_notes(admin_url: URL, on: bool) -> None:
    """The notes' table with its marks (trigger and index, migration 0027), or without."""
    with connect(admin_url) as connection:
        if on:
            connection.execute("ALTER TABLE account_notes ENABLE TRIGGER account_notes_sync_mark")
            connection.execute(
                "CREATE INDEX IF NOT EXISTS ix_account_notes_loan_changed"
                " ON account_notes (loan_id, changed_tx)"
            )
        else:
            connection.execute("ALTER TABLE account_notes DISABLE TRIGGER account_notes_sync_mark")
            connection.execute("DROP INDEX IF EXISTS ix_account_notes_loan_changed")


def pushes(admin_url: URL, who: Member, count: int) -> dict[str, Any]:
    """Server CPU and time of the collector's push, marks on and off in turns (blocks of 5)."""
    with who.central.engine.connect() as connection:
        user, loans = connection.exec_driver_sql(
            "SELECT u.id, array_agg(l.id ORDER BY l.contract_no) FROM users u JOIN loans l"
            " ON l.assigned_to_id = u.id WHERE u.username = %s GROUP BY u.id",
            (who.name,),
        ).one()
    workstation = uuid.uuid4()
    samples: dict[str, list[tuple[float, float, float]]] = {"on": [], "off": []}
    seq = 1
    try:
        for block in range(max(1, count // 5)):
            for way in ("off", "on") if block % 2 else ("on", "off"):
                marks_on_notes(admin_url, way == "on")
                for _ in range(5):
                    payloads = batch(user, loans[seq % len(loans) :] + loans, seq)
                    seq += len(payloads)
                    before = cpu_ns(who.pid)
                    started = time.perf_counter()
                    sync._apply_on_server(who.central, who.name, workstation, payloads, local=LOCAL)
                    took = time.perf_counter() - started
                    cpu = cpu_ns(who.pid) - before
                    with who.central.engine.connect() as connection:
                        started = time.perf_counter()
                        connection.exec_driver_sql("SELECT session_user").scalar()
                        floor = time.perf_counter() - started
                    samples[way].append((took * 1000, cpu / 1e6, floor * 1000))
    finally:
        marks_on_notes(admin_url, True)
    result: dict[str, Any] = {"pushes_each_way": len(samples["on"])}
    for way, found in samples.items():
        result[way] = {
            "push_ms": round(statistics.median(s[0] for s in found), 2),
            "server_cpu_ms": round(statistics.median(s[1] for s in found), 3),
            "floor_ms": round(statistics.median(s[2] for s in found), 3),
        }
    on, off = result["on"]["server_cpu_ms"], result["off"]["server_cpu_ms"]
    result["marks_cost_cpu_ms"] = round(on - off, 3)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", default="0,1000,10000,50000", help="rows by other teams")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--accounts", type=int, default=6000)
    parser.add_argument("--team-accounts", type=int, default=2000)
    parser.add_argument("--scope", type=int, default=200, help="the collector's accounts")
    parser.add_argument("--pushes", type=int, default=20, help="pushes timed each way")
    parser.add_argument("--admin-url", help="the server's admin URL")
    parser.add_argument("--rebuild", action="store_true", help="build the central again")
    parser.add_argument("--json", type=Path, default=RESULTS / "sync_pull.json")
    args = parser.parse_args(argv)
    counts = sorted(int(n) for n in args.others.split(","))

    admin_url = central(args)
    ca = os.environ.get(CA_ENV) or str(DEFAULT_CA)
    cleanup(admin_url)
    with connect(admin_url) as connection:
        port = int(connection.execute("SELECT current_setting('port')").fetchone()[0])  # type: ignore[index]
    members = [member(port, ca, name) for name in (COLLECTOR, LEAD)]
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "command": " ".join(["python -m benchmarks.sync_pull", *(argv or sys.argv[1:])]),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "load_average_before": os.getloadavg(),
        "counts": {},
    }
    header()
    try:
        for count in counts:
            cursor = next_transaction(admin_url)
            write(admin_url, count)
            with connect(admin_url) as connection:
                connection.execute("ANALYZE account_notes, sync_marks")
            found = {who.name: measure(who, cursor, args.repeat) for who in members}
            cleanup(admin_url)
            results["counts"][str(count)] = found
            for name, figures in found.items():
                print(line(count, name, figures), flush=True)
        if args.pushes:
            results["push"] = pushed = pushes(admin_url, members[0], args.pushes)
            print(
                "push of 10 notes and 10 audit events, server CPU:"
                f" {pushed['off']['server_cpu_ms']} ms without marks,"
                f" {pushed['on']['server_cpu_ms']} ms with ({pushed['marks_cost_cpu_ms']:+} ms);"
                f" time {pushed['off']['push_ms']} and {pushed['on']['push_ms']} ms,"
                f" floor {pushed['on']['floor_ms']} ms",
                flush=True,
            )
    finally:
        for who in members:
            who.central.dispose()
        cleanup(admin_url)
    results["load_average_after"] = os.getloadavg()
    report(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 0


def line(count: int, name: str, found: dict[str, Any]) -> str:
    full, marks = found["full"], found["marks"]
    return (
        f"{count:>8,}  {name.removeprefix(PREFIX):<10}{found['scope']:>6}{found['rows']:>6}"
        f"{full['pull_ms']:>9.1f}{full['server_cpu_ms']:>9.1f}{full['ratio']:>7.0f}"
        f"{marks['pull_ms']:>9.1f}{marks['server_cpu_ms']:>9.1f}{marks['ratio']:>7.0f}"
        f"{marks['floor_ms']:>8.2f}{found['marks_over_full']:>8.2f}"
    )


def header() -> None:
    print(
        f"{'others':>8}  {'who':<10}{'scope':>6}{'rows':>6}{'full ms':>9}{'cpu ms':>9}"
        f"{'ratio':>7}{'marks ms':>9}{'cpu ms':>9}{'ratio':>7}{'floor':>8}{'m/f':>8}"
    )


def report(results: dict[str, Any]) -> None:
    print(
        f"{results['cpus']} CPUs, shared; medians of {results['repeat']} pulls each way, in"
        f" turns; load {results['load_average_before'][0]:.1f} before,"
        f" {results['load_average_after'][0]:.1f} after"
    )
    print(
        "others: rows other teams wrote since the cursor; rows: what the pull brought; ms: the"
        " pull's median; cpu ms: its backend's; ratio: over the floor (SELECT session_user on"
        " the same connection); m/f: marks over full"
    )


if __name__ == "__main__":
    raise SystemExit(main())
