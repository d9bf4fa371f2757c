"""Benchmark of the lending system's daily feed against a real PostgreSQL: a 1,000,000-row file
into a 200,000-account central, against COPY of the same rows into a staging table.

    .venv/bin/python -m benchmarks.feed [--accounts 200000] [--rows 1000000] [--repeat 3]
        [--rebuild] [--profile]

The server is the one `scripts/postgres` starts (or the URL in COLLECTOR_WORKSTATION_TEST_PG,
or --admin-url). A demo portfolio of --accounts accounts (app.demo.builder, 2,000 a collector)
is built once into cw_bench_feed_base (another size: cw_bench_feed_base_<accounts>) under
row-level security (`init_central`) and kept while its build label matches. The file is written
once from it (`app.demo.feed.FeedShape.benchmark`: three tenths payments on the open overdue
accounts, the rest new accounts with their schedules, fees added to schedules, borrowers who
moved, new numbers and numbers already known, reversals and write-offs) and kept beside the
results.

Each repeat copies the base into cw_bench_feed_run (CREATE DATABASE … TEMPLATE, not timed),
then times, in turns:

- the feed: `apply_feed` of the file, as the lending system's own login (a member of cw_feed,
  over TCP with TLS and a password, row-level security on, as in production): reading and
  checking every row, checking it against the database, writing it, and posting its payments
  to the ledger (balances replayed, promises judged, plans tracked) in one transaction;
- the floor: COPY of the same file into a staging table of text columns (the header's) in the
  same database, through psycopg 3 as the administrator: the least any loader of these rows
  pays;
- for scale, the feed's reading and checking of the rows alone, with no database (decoding,
  every cell read and checked, phone numbers parsed with phonenumbers): what of the feed's time
  no writing could remove, since the issue asks every bad cell be refused by row and column.

Prints the medians, rows per second and the ratio (the goal: the feed within 3× the floor),
and writes benchmarks/results/feed.json. --profile runs the feed once more under cProfile and
prints its costliest calls.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine

from app.database import Database
from app.demo.builder import build_demo
from app.demo.feed import FeedShape, write_feed_files
from app.services.plans.feed import _Feed, apply_feed
from app.services.portfolio.exports import decode_export
from app.services.sync.central import init_central
from benchmarks.sync import comment, connect, server_url, stored_label, tls_query

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).parent.parent
# The demo's "now": the feed's business day is the day after, which must not be in the future.
AS_OF = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
BASE = "cw_bench_feed_base"
RUN = "cw_bench_feed_run"
ACCOUNTS = 200_000
FEEDER = "bench_lending"
PASSWORD = "benchmark feed password"
# A new number when what the build makes changes, so the cached base is built again.
BUILD = 1
GOAL = 3.0


def sized(args: argparse.Namespace) -> None:
    """Another size keeps a base (and a run) of its own, so trying a small one first does not
    throw away the full size's base."""
    global BASE, RUN
    if args.accounts != ACCOUNTS:
        BASE, RUN = f"{BASE}_{args.accounts}", f"{RUN}_{args.accounts}"


def label(args: argparse.Namespace) -> str:
    """What the base was built from: the migrations and the demo builder (not the feed
    writer, which only the file depends on)."""
    digest = hashlib.sha256()
    for folder in ("app/migrations/versions", "app/demo"):
        for path in sorted((ROOT / folder).glob("*.py")):
            if path.name != "feed.py":
                digest.update(path.read_bytes())
    return f"benchmarks.feed build {BUILD} {digest.hexdigest()[:12]}: {args.accounts} accounts"


def file_label(args: argparse.Namespace) -> str:
    """What the file was written from: the base, the feed writer, the size."""
    writer = hashlib.sha256((ROOT / "app" / "demo" / "feed.py").read_bytes()).hexdigest()[:12]
    return f"{label(args)}; writer {writer}, {args.rows} rows"


def prepare(admin: Engine, server: URL, args: argparse.Namespace) -> None:
    wanted = label(args)
    if not args.rebuild and stored_label(admin, BASE) == wanted:
        return
    started = time.perf_counter()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)'))
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{BASE}"'))
    db = Database(server.set(database=BASE).render_as_string(hide_password=False))
    try:
        init_central(db)
        build_demo(db, accounts=args.accounts, seed=1, as_of=AS_OF, accounts_per_collector=2000)
    finally:
        db.dispose()
    with connect(server.set(database=BASE)) as connection:
        connection.execute("VACUUM ANALYZE")
    comment(admin, BASE, wanted)
    print(f"built {BASE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def feed_file(server: URL, args: argparse.Namespace) -> Path:
    """The file, written once from the base for its size (kept beside the results)."""
    folder = RESULTS / f"feed-{args.accounts}-{args.rows}"
    found = sorted(folder.glob("feed-*.csv"))
    stamp = folder / "label"
    if found and not args.rebuild and stamp.exists() and stamp.read_text() == file_label(args):
        return found[0]
    for old in found:
        old.unlink()
    db = Database(server.set(database=BASE).render_as_string(hide_password=False))
    try:
        written = write_feed_files(
            db, folder, days=1, shape=FeedShape.benchmark(args.rows), first=None
        )
    finally:
        db.dispose()
    stamp.write_text(file_label(args))
    print(f"wrote {written.rows:,} rows to {written.paths[0]}", file=sys.stderr)
    return written.paths[0]


def fresh_run(admin: Engine) -> None:
    """A copy of the base; its database privileges as `central init` leaves them (a copy
    starts with PostgreSQL's defaults): the feed login may connect and stage, PUBLIC not."""
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{RUN}" TEMPLATE "{BASE}"'))
        connection.execute(text(f'REVOKE CONNECT, TEMPORARY ON DATABASE "{RUN}" FROM PUBLIC'))
        connection.execute(text(f'GRANT CONNECT ON DATABASE "{RUN}" TO cw_staff, cw_feed'))
        connection.execute(text(f'GRANT TEMPORARY ON DATABASE "{RUN}" TO cw_feed'))


def feeder(admin: Engine, server: URL) -> Database:
    """The lending system's login over TCP with TLS: a member of cw_feed and nothing else."""
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": FEEDER}
        ).first()
        if exists is None:
            connection.execute(
                text(f"CREATE ROLE {FEEDER} LOGIN PASSWORD '{PASSWORD}' IN ROLE cw_feed")
            )
    url = URL.create(
        "postgresql+psycopg",
        username=FEEDER,
        password=PASSWORD,
        host="127.0.0.1",
        port=server.port or 5432,
        database=RUN,
        query=tls_query(),
    )
    return Database(url.render_as_string(hide_password=False))


def time_feed(admin: Engine, server: URL, path: Path, profile: bool = False) -> float:
    fresh_run(admin)
    db = feeder(admin, server)
    try:
        started = time.perf_counter()
        if profile:
            profiler = cProfile.Profile()
            summary = profiler.runcall(apply_feed, db, path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        else:
            summary = apply_feed(db, path)
        seconds = time.perf_counter() - started
    finally:
        db.dispose()
    assert summary.rows_refused == 0 and not summary.already_applied
    return seconds


def time_floor(server: URL, path: Path) -> float:
    header = path.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{name}" text' for name in header)
    with connect(server.set(database=RUN)) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_feed_staging")
        connection.execute(f"CREATE TABLE bench_feed_staging ({columns})")
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY bench_feed_staging FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as source,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bench_feed_staging")
    return seconds


def time_checks(path: Path) -> float:
    """The feed's reading and checking of the rows, no database (the first step of apply_feed)."""
    started = time.perf_counter()
    data = path.read_bytes()
    export = decode_export(data, str(path), None)
    feed = _Feed(datetime.now(UTC), path.name, hashlib.sha256(data).hexdigest(), export.encoding)
    feed.read(export.text)
    seconds = time.perf_counter() - started
    assert not feed.problems
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--admin-url", help="the server's admin URL")
    parser.add_argument("--rebuild", action="store_true", help="build the base and file again")
    parser.add_argument("--profile", action="store_true", help="profile one more feed")
    parser.add_argument("--json", type=Path, default=RESULTS / "feed.json")
    args = parser.parse_args(argv)
    sized(args)
    server = server_url(args.admin_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        prepare(admin, server, args)
        path = feed_file(server, args)
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        feeds, floors, checks = [], [], []
        for turn in range(args.repeat):
            feeds.append(time_feed(admin, server, path))
            floors.append(time_floor(server, path))
            checks.append(time_checks(path))
            print(
                f"repeat {turn + 1}: feed {feeds[-1]:.1f} s, COPY {floors[-1]:.2f} s,"
                f" checks alone {checks[-1]:.1f} s",
                file=sys.stderr,
            )
        if args.profile:
            time_feed(admin, server, path, profile=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)'))
    finally:
        admin.dispose()
    feed, floor = statistics.median(feeds), statistics.median(floors)
    check = statistics.median(checks)
    ratio = feed / floor
    print(f"{'case':<22}{'median s':>10}{'rows/s':>12}")
    print(f"{'feed (apply_feed)':<22}{feed:>10.2f}{rows / feed:>12,.0f}")
    print(f"{'floor (COPY staging)':<22}{floor:>10.2f}{rows / floor:>12,.0f}")
    print(f"{'checks alone (no db)':<22}{check:>10.2f}{rows / check:>12,.0f}")
    verdict = "within" if ratio <= GOAL else "beyond"
    print(f"ratio {ratio:.1f}x the floor ({verdict} the goal of {GOAL:.0f}x); {rows:,} rows,")
    print(f"{args.accounts:,} accounts, {args.repeat} repeats, load {os.getloadavg()[0]:.1f}")
    print(f"reading and checking the rows alone is {check / floor:.1f}x the floor")
    result: dict[str, Any] = {
        "rows": rows,
        "accounts": args.accounts,
        "repeat": args.repeat,
        "feed_seconds": feeds,
        "floor_seconds": floors,
        "feed_median": feed,
        "floor_median": floor,
        "checks_seconds": checks,
        "checks_median": check,
        "feed_rows_per_second": rows / feed,
        "floor_rows_per_second": rows / floor,
        "ratio": ratio,
        "goal": GOAL,
        "when": datetime.now(UTC).isoformat(),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
