"""Benchmark of the team lead's dashboard against a real PostgreSQL: a 30-collector team over
1,000,000 contact attempts.

    .venv/bin/python -m benchmarks.dashboard [--repeat 9] [--days 30] [--rebuild]

The server is the one `scripts/postgres` starts (or the URL in COLLECTOR_WORKSTATION_TEST_PG,
or --admin-url). The database, cw_bench_dashboard, is built once and kept (a rerun reuses it
when its build label matches; --rebuild forces a new build):

- a demo portfolio (app.demo.builder) of 9,000 accounts, 250 a collector, under row-level
  security; 30 collectors and the field agents in the first team (the other collectors in
  the second), and a team lead with a login role of their own (`add_user`), who is who the
  dashboard runs as;
- the team's contact attempts topped up to 1,000,000 by copying its own demo attempts (same
  collector, account, outcome, emotion and checklist) back by whole days, up to a year;
- contact blocks for about 2 % of the attempts (one of four CN rules each), so the blocks by
  rule have rows to count; then VACUUM ANALYZE.

Each repeat, in turns: `kpis.team_report` for the team over the last --days days before the
demo's "now", signed in as the lead over TCP with a password (row-level security applies, as
in production), and the floor: the same aggregates written by hand as ONE SQL statement (CTEs
and a UNION ALL of every section) sent through psycopg 3 as the same lead, with JIT off as the
report has it. The floor's rows
are checked against the report's numbers, so the two are known to compute the same thing.

Prints medians, the ratio report ÷ floor, the load average (the machine is shared: only medians
over repeats and a ratio measured in turns mean anything), and writes
benchmarks/results/dashboard.json. Target: report median ≤ 1 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from app.database import Database
from app.demo.builder import build_demo
from app.services.common.clock import business_zone
from app.services.common.reference import buckets, dispositions, emotions
from app.services.contact.checklists import checklist_for
from app.services.sync.central import add_user, init_central
from app.services.team import kpis
from benchmarks.sync import comment, connect, server_url, stored_label, tls_query

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
AS_OF = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
DATABASE = "cw_bench_dashboard"
LEAD = "bench.lead"
PASSWORD = "benchmark dashboard password"
COLLECTORS = 30
ACCOUNTS_PER_COLLECTOR = 250
# Enough accounts for more than COLLECTORS collectors (the demo makes field agents too).
ACCOUNTS = 9_000
ATTEMPTS = 1_000_000
BLOCK_SHARE = 0.02
BLOCK_RULES = ("cn.quiet_hours", "cn.daily_attempts", "cn.third_party", "point.do_not_call")
# A new number when what the build makes changes, so the cached database is built again.
BUILD = 2
FILL_BATCH = 100_000
TARGET_SECONDS = 1.0


def label() -> str:
    """What the cached database was built from: the migrations and demo code and data."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "app" / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    for path in sorted((ROOT / "app" / "demo").glob("*.py")):
        digest.update(path.read_bytes())
    for path in sorted((ROOT / "resources" / "demo").glob("*.json")):
        digest.update(path.read_bytes())
    return (
        f"benchmarks.dashboard build {BUILD}, sources {digest.hexdigest()[:12]}: "
        f"{COLLECTORS} collectors x {ACCOUNTS_PER_COLLECTOR} accounts, {ATTEMPTS} attempts"
    )


def lead_url(admin: URL) -> URL:
    return URL.create(
        "postgresql+psycopg",
        username=LEAD,
        password=PASSWORD,
        host="127.0.0.1",
        port=admin.port or 5432,
        database=DATABASE,
        query=tls_query(),
    )


def prepare(admin_url: URL, rebuild: bool) -> None:
    """The benchmark database, built now unless a matching build is cached on the server."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        wanted = label()
        if not rebuild and stored_label(admin, DATABASE) == wanted:
            return
        started = time.perf_counter()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{LEAD}"'))
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        build(admin_url.set(database=DATABASE))
        comment(admin, DATABASE, wanted)
        print(f"built {DATABASE} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        admin.dispose()


def build(url: URL) -> None:
    db = Database(url.render_as_string(hide_password=False))
    try:
        init_central(db)
        build_demo(
            db,
            accounts=ACCOUNTS,
            seed=1,
            as_of=AS_OF,
            accounts_per_collector=ACCOUNTS_PER_COLLECTOR,
        )
        with db.engine.begin() as connection:
            first, second = connection.execute(
                text("SELECT id, name FROM teams ORDER BY name LIMIT 2")
            ).all()
            team = first.name
            # Exactly COLLECTORS collectors (and the field agents) in the first team; the
            # other collectors in the second, so the lead's scope is the 30 of them.
            connection.execute(
                text("UPDATE users SET team_id = :other WHERE role = 'collector'"),
                {"other": second.id},
            )
            connection.execute(
                text(
                    "UPDATE users SET team_id = :team WHERE role = 'field_agent' OR id IN"
                    " (SELECT id FROM users WHERE role = 'collector' ORDER BY username"
                    " LIMIT :n)"
                ),
                {"team": first.id, "n": COLLECTORS},
            )
            collectors = connection.execute(
                text("SELECT count(*) FROM users WHERE role = 'collector' AND team_id = :team"),
                {"team": first.id},
            ).scalar_one()
        if collectors < COLLECTORS:
            raise SystemExit(f"the demo made {collectors} collectors, not {COLLECTORS}")
        add_user(db, LEAD, "team_lead", team, PASSWORD)
    finally:
        db.dispose()
    fill(url)


def fill(url: URL) -> None:
    """Attempts up to ATTEMPTS (copies of the demo's, whole days earlier), blocks, ANALYZE."""
    with connect(url) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'contact_attempts' AND column_name NOT IN"
                " ('id', 'row_version', 'changed_tx') ORDER BY ordinal_position"
            )
        ]
        shifted = {"started_at", "created_at"}
        picked = ", ".join(
            f"t.{name} - (1 + g.n %% 365) * interval '1 day'" if name in shifted else f"t.{name}"
            for name in names
        )
        team = (
            "SELECT id FROM users WHERE team_id = (SELECT team_id FROM users WHERE username = %s)"
        )
        have = connection.execute(
            f"SELECT count(*) FROM contact_attempts WHERE user_id IN ({team})", (LEAD,)
        ).fetchone()
        assert have is not None
        missing = ATTEMPTS - int(have[0])
        connection.execute(
            "CREATE TEMP TABLE bench_templates AS"
            " SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM contact_attempts"
            f" WHERE user_id IN ({team})",
            (LEAD,),
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
        connection.execute(
            "INSERT INTO contact_blocks (id, loan_id, borrower_id, contact_point_id, user_id,"
            " at, channel, rule) SELECT gen_random_uuid(), loan_id, borrower_id,"
            " contact_point_id, user_id, started_at - interval '1 minute', 'call',"
            " (%s::text[])[1 + (abs(hashtext(id::text)) %% %s)]"
            " FROM contact_attempts WHERE abs(hashtext(id::text)) %% 1000 < %s",
            (list(BLOCK_RULES), len(BLOCK_RULES), round(BLOCK_SHARE * 1000)),
        )
        connection.execute("VACUUM ANALYZE")


# --- the floor: the same aggregates by hand, in one statement ------------------------------------


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = business_zone()
    first = datetime.combine(start, clock_time(0), zone).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), clock_time(0), zone).astimezone(UTC)
    return first, after


def _required_items() -> list[tuple[str, str, str]]:
    """(emotion, outcome, required item ids as a JSON array) for every answered outcome."""
    rows = []
    for emotion in emotions():
        for code in dispositions().values():
            if code.contact:
                items = [item.id for item in checklist_for(emotion, code.code) if item.required]
                rows.append((emotion, code.code, json.dumps(items)))
    return rows


FLOOR_SQL = """
WITH members AS (
    SELECT id FROM users WHERE team_id = (SELECT team_id FROM users WHERE username = %(lead)s)
),
a AS (
    SELECT a.* FROM contact_attempts a
    WHERE a.user_id IN (SELECT id FROM members)
      AND a.started_at >= %(first)s AND a.started_at < %(after)s
),
need AS (
    SELECT * FROM unnest(%(need_emotion)s::text[], %(need_code)s::text[], %(need_items)s::text[])
        AS n(emotion, code, items)
),
per_attempt AS (
    SELECT a.user_id,
        count(*) FILTER (WHERE a.disposition = ANY(%(attempt)s)) AS attempts,
        count(*) FILTER (WHERE a.disposition = ANY(%(contact)s)) AS contacts,
        count(*) FILTER (WHERE a.disposition = ANY(%(rpc)s)) AS rpcs,
        count(*) FILTER (WHERE a.disposition = ANY(%(contact)s)) AS handled,
        coalesce(sum(a.duration_seconds + coalesce(a.after_call_seconds, 0))
            FILTER (WHERE a.disposition = ANY(%(contact)s)), 0) AS handle_seconds,
        count(*) FILTER (WHERE a.disposition = ANY(%(contact)s)) AS checklist_required,
        count(*) FILTER (WHERE a.disposition = ANY(%(contact)s)
            AND a.checklist::jsonb @> need.items::jsonb) AS checklist_complete
    FROM a LEFT JOIN need ON need.emotion = a.emotion AND need.code = a.disposition
    GROUP BY a.user_id
),
made AS (
    SELECT a.user_id, count(*) AS ptps, sum(p.amount) AS promised
    FROM a JOIN promises p ON p.attempt_id = a.id GROUP BY a.user_id
),
due AS (
    SELECT coalesce(ca.user_id, v.agent_id) AS user_id, count(*) AS promises_due,
        count(*) FILTER (WHERE p.status = 'kept') AS promises_kept
    FROM promises p
    LEFT JOIN contact_attempts ca ON ca.id = p.attempt_id
    LEFT JOIN field_visits v ON v.id = p.visit_id
    WHERE p.promised_date BETWEEN %(start)s AND %(end)s
      AND coalesce(ca.user_id, v.agent_id) IN (SELECT id FROM members)
    GROUP BY 1
),
credited AS (
    SELECT (SELECT w.user_id FROM contact_attempts w
            WHERE w.loan_id = pay.loan_id AND w.started_at <= pay.paid_at
              AND w.started_at >= %(first)s AND w.user_id IN (SELECT id FROM members)
            ORDER BY w.started_at DESC LIMIT 1) AS user_id, pay.amount, pay.paid_at
    FROM payments pay
    WHERE pay.paid_at >= %(first)s AND pay.paid_at < %(after)s
),
collected AS (
    SELECT user_id, sum(amount) AS collected FROM credited WHERE user_id IS NOT NULL
    GROUP BY user_id
),
raised AS (
    SELECT e.raised_by_id AS user_id, e.kind, count(*) AS raised,
        count(*) FILTER (WHERE e.acknowledged_at IS NULL) AS unacknowledged
    FROM escalations e
    WHERE e.raised_by_id IN (SELECT id FROM members)
      AND e.raised_at >= %(first)s AND e.raised_at < %(after)s
    GROUP BY 1, 2
),
blocked AS (
    SELECT b.user_id, b.rule, count(*) AS blocks FROM contact_blocks b
    WHERE b.user_id IN (SELECT id FROM members) AND b.at >= %(first)s AND b.at < %(after)s
    GROUP BY 1, 2
),
team_loans AS (
    SELECT l.id, l.assigned_to_id AS user_id FROM loans l
    WHERE l.assigned_to_id IN (SELECT id FROM members)
),
dpd AS (
    SELECT t.user_id, t.id,
        coalesce(%(start)s::date - min(i.due_date) FILTER (WHERE i.due_date < %(start)s::date
            AND (i.settled_on IS NULL OR i.settled_on >= %(start)s::date)), 0) AS at_start,
        coalesce(%(end_next)s::date - min(i.due_date) FILTER (WHERE i.due_date < %(end_next)s::date
            AND (i.settled_on IS NULL OR i.settled_on > %(end)s::date)), 0) AS at_end
    FROM team_loans t JOIN instalments i ON i.loan_id = t.id
    GROUP BY t.user_id, t.id
),
banded AS (
    SELECT d.user_id, s.code AS bucket, s.rank AS start_rank, e.rank AS end_rank
    FROM dpd d
    JOIN unnest(%(bucket_code)s::text[], %(bucket_min)s::int[], %(bucket_max)s::int[],
        %(bucket_rank)s::int[]) AS s(code, lo, hi, rank)
        ON d.at_start BETWEEN s.lo AND s.hi
    JOIN unnest(%(bucket_code)s::text[], %(bucket_min)s::int[], %(bucket_max)s::int[],
        %(bucket_rank)s::int[]) AS e(code, lo, hi, rank)
        ON d.at_end BETWEEN e.lo AND e.hi
),
moved AS (
    SELECT user_id, bucket, count(*) AS accounts,
        count(*) FILTER (WHERE end_rank = 0) AS cured,
        count(*) FILTER (WHERE end_rank > start_rank) AS rolled
    FROM banded GROUP BY 1, 2
),
days AS (
    SELECT d::date AS day FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
),
day_attempts AS (
    SELECT (a.started_at AT TIME ZONE %(zone)s)::date AS day,
        count(*) FILTER (WHERE a.disposition = ANY(%(rpc)s)) AS rpcs,
        count(p.id) AS ptps
    FROM a LEFT JOIN promises p ON p.attempt_id = a.id
    GROUP BY 1
),
day_paid AS (
    SELECT (paid_at AT TIME ZONE %(zone)s)::date AS day, sum(amount) AS collected
    FROM credited WHERE user_id IS NOT NULL GROUP BY 1
),
trend AS (
    SELECT days.day, coalesce(x.rpcs, 0) AS rpcs, coalesce(x.ptps, 0) AS ptps,
        coalesce(y.collected, 0) AS collected
    FROM days LEFT JOIN day_attempts x USING (day) LEFT JOIN day_paid y USING (day)
)
SELECT 'collector' AS section, p.user_id::text AS key1, NULL AS key2,
    p.attempts, p.contacts, p.rpcs, coalesce(m.ptps, 0), coalesce(d.promises_due, 0),
    coalesce(d.promises_kept, 0), p.handled, p.handle_seconds, p.checklist_required,
    p.checklist_complete, coalesce(m.promised, 0) AS amount1, coalesce(c.collected, 0) AS amount2
FROM per_attempt p
LEFT JOIN made m ON m.user_id = p.user_id
LEFT JOIN due d ON d.user_id = p.user_id
LEFT JOIN collected c ON c.user_id = p.user_id
UNION ALL
SELECT 'escalation', user_id::text, kind, raised, unacknowledged, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM raised
UNION ALL
SELECT 'block', user_id::text, rule, blocks, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM blocked
UNION ALL
SELECT 'bucket', user_id::text, bucket, accounts, cured, rolled, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM moved
UNION ALL
SELECT 'day', day::text, NULL, rpcs, ptps, 0, 0, 0, 0, 0, 0, 0, 0, 0, collected FROM trend
"""


def floor_params(start: date, end: date) -> dict[str, Any]:
    first, after = _bounds(start, end)
    codes = dispositions().values()
    need = _required_items()
    ordered = buckets()
    return {
        "lead": LEAD,
        "first": first,
        "after": after,
        "start": start,
        "end": end,
        "end_next": end + timedelta(days=1),
        "zone": str(business_zone()),
        "attempt": [c.code for c in codes if c.attempt],
        "contact": [c.code for c in codes if c.contact],
        "rpc": [c.code for c in codes if c.rpc],
        "need_emotion": [row[0] for row in need],
        "need_code": [row[1] for row in need],
        "need_items": [row[2] for row in need],
        "bucket_code": [b.code for b in ordered],
        "bucket_min": [b.min_dpd for b in ordered],
        "bucket_max": [b.max_dpd if b.max_dpd is not None else 1_000_000 for b in ordered],
        "bucket_rank": list(range(len(ordered))),
    }


def run_floor(connection: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return list(connection.execute(FLOOR_SQL, params))


def compare(report: kpis.KpiReport, rows: list[tuple[Any, ...]]) -> list[str]:
    """Where the floor's numbers differ from the report's (nothing: they compute the same)."""
    problems: list[str] = []
    by_user = {str(c.user_id): c for c in report.collectors}
    for row in rows:
        section, key1, key2, *numbers = row
        if section == "collector":
            kpi = by_user.get(key1)
            if kpi is None:
                problems.append(f"collector {key1} missing from the report")
                continue
            mine = (
                kpi.attempts,
                kpi.contacts,
                kpi.rpcs,
                kpi.ptps,
                kpi.promises_due,
                kpi.promises_kept,
                kpi.handled,
                kpi.handle_seconds,
                kpi.checklist_required,
                kpi.checklist_complete,
                kpi.promised_amount,
                kpi.collected_amount,
            )
            floor = (*numbers[:10], Decimal(numbers[10]), Decimal(numbers[11]))
            if tuple(mine) != tuple(floor):
                problems.append(f"collector {kpi.username}: report {mine} floor {floor}")
        elif section == "bucket":
            found = [b for b in report.buckets if str(b.user_id) == key1 and b.bucket == key2]
            want = tuple(numbers[:3])
            if not found or (found[0].accounts, found[0].cured, found[0].rolled) != want:
                problems.append(f"bucket {key1} {key2}: floor {want} report {found}")
        elif section == "block":
            found_blocks = [
                b.blocks for b in report.blocks if str(b.user_id) == key1 and b.rule == key2
            ]
            if found_blocks != [numbers[0]]:
                problems.append(f"blocks {key1} {key2}: floor {numbers[0]} report {found_blocks}")
        elif section == "escalation":
            found_kinds = [
                (e.raised, e.unacknowledged)
                for e in report.escalations
                if str(e.user_id) == key1 and e.kind == key2
            ]
            if found_kinds != [tuple(numbers[:2])]:
                problems.append(f"escalations {key1} {key2}: floor {numbers[:2]} {found_kinds}")
        elif section == "day":
            found_days = [
                (d.rpcs, d.ptps, d.collected) for d in report.trend if d.day.isoformat() == key1
            ]
            if found_days != [(numbers[0], numbers[1], Decimal(numbers[11]))]:
                problems.append(f"day {key1}: floor {numbers[:2]} report {found_days}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--days", type=int, default=30, help="the span the dashboard shows")
    parser.add_argument("--admin-url", help="the server's admin URL")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--json", type=Path, default=RESULTS / "dashboard.json")
    args = parser.parse_args(argv)

    admin_url = server_url(args.admin_url)
    prepare(admin_url, args.rebuild)
    url = lead_url(admin_url)
    end = AS_OF.astimezone(business_zone()).date() - timedelta(days=1)
    start = end - timedelta(days=args.days - 1)
    db = Database(url.render_as_string(hide_password=False))
    params = floor_params(start, end)
    reports: list[float] = []
    floors: list[float] = []
    try:
        with connect(url) as connection:
            # As the app's report does: JIT would spend seconds compiling the long CASEs of
            # a statement that runs once (see app.services.team.kpis).
            connection.execute("SET jit = off")
            # Untimed once each: the server's caches, the app's imports and data files.
            report = kpis.team_report(db, LEAD, start, end, now=AS_OF)
            rows = run_floor(connection, params)
            problems = compare(report, rows)
            for _ in range(args.repeat):
                started = time.perf_counter()
                kpis.team_report(db, LEAD, start, end, now=AS_OF)
                reports.append(time.perf_counter() - started)
                started = time.perf_counter()
                run_floor(connection, params)
                floors.append(time.perf_counter() - started)
            scanned = connection.execute(
                "SELECT count(*) FROM contact_attempts WHERE started_at >= %(first)s"
                " AND started_at < %(after)s",
                params,
            ).fetchone()
            total = connection.execute("SELECT count(*) FROM contact_attempts").fetchone()
    finally:
        db.dispose()
    report_median = statistics.median(reports)
    floor_median = statistics.median(floors)
    results = {
        "measured_at": datetime.now(UTC).isoformat(),
        "members_with_attempts": len([c for c in report.collectors if c.attempts]),
        "contact_attempts_visible_to_the_lead": total[0] if total else None,
        "attempts_in_span": scanned[0] if scanned else None,
        "span": [start.isoformat(), end.isoformat()],
        "repeat": args.repeat,
        "report_seconds": reports,
        "floor_seconds": floors,
        "report_median": report_median,
        "floor_median": floor_median,
        "ratio_report_to_floor": report_median / floor_median,
        "target_report_median": TARGET_SECONDS,
        "numbers_agree": not problems,
        "load_average": os.getloadavg(),
    }
    print(
        f"team {report.team}: {COLLECTORS} collectors and the field agents;"
        f" {results['members_with_attempts']} members with attempts in the span"
    )
    print(
        f"contact attempts the lead sees: {results['contact_attempts_visible_to_the_lead']:,};"
        f" in the span {start}..{end}: {results['attempts_in_span']:,}"
    )
    print(f"dashboard refresh (kpis.team_report) median {report_median * 1000:.0f} ms")
    print(f"one hand-made SQL statement, same numbers: median {floor_median * 1000:.0f} ms")
    print(f"ratio report / floor: {report_median / floor_median:.2f}")
    verdict = "met" if report_median <= TARGET_SECONDS else "NOT met"
    print(f"target: median <= {TARGET_SECONDS:.0f} s: {verdict}")
    print(f"load average: {results['load_average']}")
    if problems:
        print("the floor and the report DISAGREE:")
        for problem in problems[:20]:
            print("  " + problem)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
