"""Benchmark of the team lead's dashboard on the lead's own copy: the data set of
benchmarks.dashboard (a 30-collector team, 1,000,000 contact attempts) as the lead's first sync
brings it into SQLite, plain and encrypted with SQLCipher as the app opens it.

    .venv/bin/python -m benchmarks.dashboard_sqlite [--repeat 9] [--days 1 30]
        [--store plain encrypted] [--rebuild] [--window]

The central database is benchmarks.dashboard's (built there and kept on the server). The lead's
copies are made from it by the app's own first sync (`sync.engine.sync`, signed in as the lead
over TCP, row-level security on), into a plain SQLite file and into an SQLCipher file opened by
`local_store.open_local_store`, both under benchmarks/results/dashboard-lead/ (not committed),
and kept while the central's build label is the same (a new migration changes it: the copies are
synced again). No ANALYZE: the app never runs one.

For each span (--days: 1 is the "yesterday" a lead starts the day on) and each copy, in turns:
`kpis.team_report` for the team, as the lead, and the floor: the same aggregates written by hand
as ONE SQL statement through the plain `sqlite3` module (`sqlcipher3`, its SQLCipher build, for
the encrypted copy), on a connection with the app's pragmas. The floor's rows are checked
against the report's numbers, and the report on each copy against the report on the central
database for the same span: the three compute the same thing.

With --window (QT_QPA_PLATFORM=offscreen), also the lead's start as the window makes it: the
main window opened as the lead on the encrypted copy (no central database, so no sync), until
the team window's dashboard shows yesterday's numbers; with every call the window's one worker
ran before them, in order, named by what it returned.

Prints medians, the ratio report ÷ floor, the first report after opening the copy, and the load
average (the machine is shared: only medians over repeats and a ratio measured in turns mean
anything); writes benchmarks/results/dashboard-sqlite.json. Target: report median ≤ 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import create_engine

from app.database import Database
from app.services.common.clock import business_zone
from app.services.common.reference import buckets, dispositions
from app.services.sync.engine import install_outbox, sync
from app.services.sync.local_store import STORE_FILE, open_local_store, passphrase_key
from app.services.team import kpis
from benchmarks.dashboard import (
    AS_OF,
    DATABASE,
    LEAD,
    RESULTS,
    TARGET_SECONDS,
    _bounds,
    _required_items,
    compare,
    lead_url,
    prepare,
)
from benchmarks.sync import APP_PRAGMAS, server_url, stored_label

COPIES = RESULTS / "dashboard-lead"
LABEL_FILE = "central-label.txt"
PASSPHRASE = "benchmark dashboard passphrase"
STORES = ("plain", "encrypted")
# How SQLAlchemy stores an instant in SQLite (UTCDateTime: naive UTC).
STORED_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


# --- the lead's copies ------------------------------------------------------------------------


def _open(store: str, folder: Path) -> Database:
    """The copy as the app opens it: upgraded to the newest migration, the outbox installed."""
    if store == "encrypted":
        return open_local_store(folder, passphrase_key(PASSPHRASE))
    db = Database(f"sqlite:///{folder / STORE_FILE}")
    db.upgrade()
    install_outbox(db)
    return db


def lead_copy(store: str, admin_url: Any, central_label: str) -> Database:
    """The lead's copy, made by a first sync unless one from the same central is kept."""
    folder = COPIES / store
    label_file = folder / LABEL_FILE
    if label_file.exists() and label_file.read_text() == central_label:
        return _open(store, folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    local = _open(store, folder)
    central = Database(lead_url(admin_url).render_as_string(hide_password=False))
    try:
        pulled = sync(local, central, LEAD).pull.rows
    finally:
        central.dispose()
    label_file.write_text(central_label)
    print(
        f"the lead's {store} copy: {pulled:,} rows synced in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return local


def floor_connection(store: str) -> Any:
    """A connection of the plain module (SQLCipher's build of it for the encrypted copy) with
    the pragmas the app sets."""
    path = COPIES / store / STORE_FILE
    if store == "encrypted":
        connection = sqlcipher3.connect(str(path))
        connection.execute(f"PRAGMA key = '{PASSPHRASE}'")
    else:
        connection = sqlite3.connect(path)
    for pragma in APP_PRAGMAS:
        connection.execute(pragma)
    return connection


# --- the floor: the same aggregates by hand, in one statement ------------------------------------

FLOOR_SQL = """
WITH members AS (
    SELECT id FROM users WHERE team_id = (SELECT team_id FROM users WHERE username = :lead)
),
promised AS MATERIALIZED (
    SELECT attempt_id, sum(amount) AS amount FROM promises
    WHERE attempt_id IS NOT NULL GROUP BY attempt_id
),
a AS MATERIALIZED (
    SELECT c.user_id, date(c.started_at, :offset) AS day,
        c.disposition IN (SELECT value FROM json_each(:attempt)) AS attempt,
        c.disposition IN (SELECT value FROM json_each(:contact)) AS contact,
        c.disposition IN (SELECT value FROM json_each(:rpc)) AS rpc,
        c.duration_seconds + coalesce(c.after_call_seconds, 0) AS handle,
        {complete} AS complete,
        m.amount
    FROM contact_attempts c
    LEFT JOIN promised m ON m.attempt_id = c.id
    WHERE c.user_id IN (SELECT id FROM members) AND c.started_at >= :first AND c.started_at < :after
),
per_attempt AS (
    SELECT user_id, sum(attempt) AS attempts, sum(contact) AS contacts, sum(rpc) AS rpcs,
        count(*) FILTER (WHERE attempt AND amount IS NOT NULL) AS ptps,
        coalesce(sum(amount) FILTER (WHERE attempt), 0) AS promised,
        coalesce(sum(handle) FILTER (WHERE contact), 0) AS handle_seconds,
        count(*) FILTER (WHERE contact AND complete) AS checklist_complete
    FROM a GROUP BY user_id
),
due AS (
    SELECT coalesce(ca.user_id, v.agent_id) AS user_id, count(*) AS promises_due,
        count(*) FILTER (WHERE p.status = 'kept') AS promises_kept
    FROM promises p
    LEFT JOIN contact_attempts ca ON ca.id = p.attempt_id
    LEFT JOIN field_visits v ON v.id = p.visit_id
    WHERE p.promised_date BETWEEN :start AND :end
      AND coalesce(ca.user_id, v.agent_id) IN (SELECT id FROM members)
    GROUP BY 1
),
credited AS MATERIALIZED (
    SELECT (SELECT w.user_id FROM contact_attempts w
            WHERE w.loan_id = pay.loan_id AND w.started_at <= pay.paid_at
              AND w.started_at >= :first AND w.user_id IN (SELECT id FROM members)
            ORDER BY w.started_at DESC, w.id DESC LIMIT 1) AS user_id, pay.amount, pay.paid_at
    FROM payments pay
    WHERE pay.paid_at >= :first AND pay.paid_at < :after AND pay.reversed_at IS NULL
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
      AND e.raised_at >= :first AND e.raised_at < :after
    GROUP BY 1, 2
),
blocked AS (
    SELECT b.user_id, b.rule, count(*) AS blocks FROM contact_blocks b
    WHERE b.user_id IN (SELECT id FROM members) AND b.at >= :first AND b.at < :after
    GROUP BY 1, 2
),
dpd AS MATERIALIZED (
    SELECT l.assigned_to_id AS user_id, l.id,
        coalesce(CAST(julianday(:start) - julianday(min(i.due_date) FILTER (
            WHERE i.due_date < :start AND (i.settled_on IS NULL OR i.settled_on >= :start)))
            AS INTEGER), 0) AS at_start,
        coalesce(CAST(julianday(:end_next) - julianday(min(i.due_date) FILTER (
            WHERE i.due_date < :end_next AND (i.settled_on IS NULL OR i.settled_on > :end)))
            AS INTEGER), 0) AS at_end
    FROM loans l JOIN instalments i ON i.loan_id = l.id
    WHERE l.assigned_to_id IN (SELECT id FROM members)
    GROUP BY l.id
),
bands AS MATERIALIZED (
    SELECT key AS rank, value ->> 0 AS code, value ->> 1 AS lo, value ->> 2 AS hi
    FROM json_each(:buckets)
),
moved AS (
    SELECT d.user_id, s.code AS bucket, count(*) AS accounts,
        count(*) FILTER (WHERE e.rank = 0) AS cured,
        count(*) FILTER (WHERE e.rank > s.rank) AS rolled
    FROM dpd d
    JOIN bands s ON d.at_start BETWEEN s.lo AND s.hi
    JOIN bands e ON d.at_end BETWEEN e.lo AND e.hi
    GROUP BY 1, 2
),
days AS (
    SELECT value AS day FROM json_each(:days)
),
day_attempts AS (
    SELECT day, sum(rpc) AS rpcs, count(*) FILTER (WHERE attempt AND amount IS NOT NULL) AS ptps
    FROM a GROUP BY day
),
day_paid AS (
    SELECT date(paid_at, :offset) AS day, sum(amount) AS collected
    FROM credited WHERE user_id IS NOT NULL GROUP BY 1
)
SELECT 'collector' AS section, p.user_id AS key1, NULL AS key2,
    p.attempts, p.contacts, p.rpcs, p.ptps, coalesce(d.promises_due, 0),
    coalesce(d.promises_kept, 0), p.contacts, p.handle_seconds, p.contacts,
    p.checklist_complete, p.promised AS amount1, coalesce(c.collected, 0) AS amount2
FROM per_attempt p
LEFT JOIN due d ON d.user_id = p.user_id
LEFT JOIN collected c ON c.user_id = p.user_id
UNION ALL
SELECT 'escalation', user_id, kind, raised, unacknowledged, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM raised
UNION ALL
SELECT 'block', user_id, rule, blocks, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM blocked
UNION ALL
SELECT 'bucket', user_id, bucket, accounts, cured, rolled, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM moved
UNION ALL
SELECT 'day', days.day, NULL, coalesce(x.rpcs, 0), coalesce(x.ptps, 0), 0, 0, 0, 0, 0, 0, 0, 0,
    0, coalesce(y.collected, 0)
FROM days LEFT JOIN day_attempts x USING (day) LEFT JOIN day_paid y USING (day)
"""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def floor_sql() -> str:
    """The statement (built once, not inside the timed floor), with whether an answered
    contact's checklist is complete written out from the checklist data: by emotion, then by
    outcome, every required item in the stored list (SQLite has no containment operator; a
    nested CASE is the fastest way to say it)."""
    by_emotion: dict[str, list[str]] = {}
    for emotion, code, items in _required_items():
        ticked = [
            f"instr(c.checklist, {_quoted(json.dumps(item))}) > 0" for item in json.loads(items)
        ]
        by_emotion.setdefault(emotion, []).append(
            f"WHEN {_quoted(code)} THEN {' AND '.join(ticked) or '1'}"
        )
    complete = " ".join(
        f"WHEN {_quoted(emotion)} THEN CASE c.disposition {' '.join(whens)} ELSE 0 END"
        for emotion, whens in by_emotion.items()
    )
    return FLOOR_SQL.replace("{complete}", f"CASE c.emotion {complete} ELSE 0 END")


def _stored(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(STORED_INSTANT)


def _offset(start: date, end: date) -> str:
    """The business zone's offset over the span, as SQLite's date() modifier. The hand-written
    statement takes the zone as fixed (Beijing has been since 1991); a span across a change of
    clock would need a table of days instead."""
    zone = business_zone()
    offsets = {
        datetime.combine(start + timedelta(days=n), datetime.min.time(), zone).utcoffset()
        for n in range((end - start).days + 2)
    }
    if len(offsets) != 1:
        raise SystemExit(f"the business zone {zone} changes its clock within the span")
    (offset,) = offsets
    assert offset is not None
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def floor_params(start: date, end: date) -> dict[str, Any]:
    first, after = _bounds(start, end)
    codes = dispositions().values()
    ordered = buckets()
    return {
        "lead": LEAD,
        "first": _stored(first),
        "after": _stored(after),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "end_next": (end + timedelta(days=1)).isoformat(),
        "offset": _offset(start, end),
        "days": json.dumps(
            [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
        ),
        "attempt": json.dumps([c.code for c in codes if c.attempt]),
        "contact": json.dumps([c.code for c in codes if c.contact]),
        "rpc": json.dumps([c.code for c in codes if c.rpc]),
        "buckets": json.dumps(
            [
                (b.code, b.min_dpd, b.max_dpd if b.max_dpd is not None else 1_000_000)
                for b in ordered
            ]
        ),
    }


def run_floor(connection: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return connection.execute(floor_sql(), params).fetchall()


def as_server_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The floor's rows as benchmarks.dashboard.compare reads them: keys as the text of a UUID
    (SQLite stores its hex), amounts as decimals (SQLite stores cents)."""
    converted = []
    for section, key1, key2, *numbers in rows:
        if section != "day":
            key1 = str(uuid.UUID(hex=key1))
        *counts, promised, collected = numbers
        cents = (Decimal(promised).scaleb(-2), Decimal(collected).scaleb(-2))
        converted.append((section, key1, key2, *counts, *cents))
    return converted


# --- the report on the central database, for the same span ---------------------------------------


def same_report(copy: kpis.KpiReport, central: kpis.KpiReport) -> list[str]:
    """Where the report on the copy differs from the report on the central database."""
    if copy == central:
        return []
    problems = []
    for name in (
        "collectors",
        "total",
        "buckets",
        "checklists",
        "blocks",
        "escalations",
        "trend",
        "reminders",
    ):
        if getattr(copy, name) != getattr(central, name):
            problems.append(f"{name}: copy {getattr(copy, name)} central {getattr(central, name)}")
    if copy.unacknowledged != central.unacknowledged:
        problems.append(
            f"unacknowledged: {len(copy.unacknowledged)} on the copy,"
            f" {len(central.unacknowledged)} on the central database"
        )
    return problems or [f"{replace(copy, trend=())} != {replace(central, trend=())}"]


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Case:
    store: str
    days: int
    start: date
    end: date
    first_report: float = 0.0
    reports: list[float] | None = None
    floors: list[float] | None = None
    problems: list[str] | None = None
    attempts_in_span: int = 0

    def summary(self) -> dict[str, Any]:
        assert self.reports is not None and self.floors is not None
        report, floor = statistics.median(self.reports), statistics.median(self.floors)
        return {
            "store": self.store,
            "days": self.days,
            "span": [self.start.isoformat(), self.end.isoformat()],
            "attempts_in_span": self.attempts_in_span,
            "first_report_seconds": self.first_report,
            "report_seconds": self.reports,
            "floor_seconds": self.floors,
            "report_median": report,
            "floor_median": floor,
            "ratio_report_to_floor": report / floor,
            "numbers_agree": not self.problems,
        }


def measure(
    db: Database,
    connection: Any,
    case: Case,
    central: Callable[[date, date], kpis.KpiReport],
    repeat: int,
) -> None:
    started = time.perf_counter()
    report = kpis.team_report(db, LEAD, case.start, case.end, now=AS_OF)
    case.first_report = time.perf_counter() - started
    params = floor_params(case.start, case.end)
    rows = run_floor(connection, params)
    case.problems = compare(report, as_server_rows(rows)) + same_report(
        report, central(case.start, case.end)
    )
    case.attempts_in_span = sum(c.attempts for c in report.collectors)
    case.reports, case.floors = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        kpis.team_report(db, LEAD, case.start, case.end, now=AS_OF)
        case.reports.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_floor(connection, params)
        case.floors.append(time.perf_counter() - started)


# --- the lead's start, in the window ---------------------------------------------------------


def window_start(admin_url: Any, central_label: str) -> dict[str, Any]:
    """The main window opened as the lead on the encrypted copy, until the dashboard shows
    yesterday's numbers: seconds, and each call of the worker until then (what it returned,
    when it began, how long it took)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.config import Config
    from app.ui.common.dialogs import Dialogs
    from app.ui.common.runner import Runner
    from app.ui.common.settings import Settings
    from app.ui.shell.main_window import MainWindow
    from app.ui.shell.start import Startup
    from benchmarks.window import spin

    calls: list[tuple[str, float, float]] = []
    opened = time.perf_counter()

    class TimedRunner(Runner):
        """The window's worker, noting each call it runs."""

        def run(self, call: Any, *args: Any, **kwargs: Any) -> Any:
            def timed(*given: Any) -> Any:
                began = time.perf_counter()
                answer = call(*given)
                calls.append((type(answer).__name__, began - opened, time.perf_counter() - began))
                return answer

            return super().run(timed, *args, **kwargs)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    lead_copy("encrypted", admin_url, central_label).dispose()
    # On a copy of the copy: the window settles lapsed promises before its first queue, which
    # would leave the kept copy no longer the central's.
    folder = COPIES / "window"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(COPIES / "encrypted" / STORE_FILE, folder / STORE_FILE)
    db = _open("encrypted", folder)
    settings = Settings(QSettings(str(COPIES / "window.ini"), QSettings.Format.IniFormat))
    startup = Startup(
        Config(data_dir=folder, database_url=db.url),
        LEAD,
        settings=settings,
        dialogs=Dialogs(),
        clock=lambda: AS_OF,
        database=db,
    )
    startup.runner.stop()
    startup.runner = TimedRunner()
    shown: list[float] = []
    try:
        opened = time.perf_counter()
        startup.open_window(LEAD, LEAD)
        window = startup.window
        assert isinstance(window, MainWindow)
        spin(app, lambda: window.team_window is not None, limit=600)
        assert window.team_window is not None
        window.team_window.dashboard.refreshed.connect(
            lambda: shown.append(time.perf_counter() - opened)
        )
        spin(app, lambda: bool(shown), limit=600)
        window.close()
    finally:
        startup.stop()
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    before = [(name, began, took) for name, began, took in calls if began < shown[0]]
    return {
        "window_to_yesterdays_numbers_seconds": shown[0],
        "worker_calls_before": [
            {"returned": name, "began_at": round(began, 3), "seconds": round(took, 3)}
            for name, began, took in before
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--days", type=int, nargs="+", default=[1, 30], help="the spans shown")
    parser.add_argument("--store", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--admin-url", help="the server's admin URL")
    parser.add_argument("--rebuild", action="store_true", help="build the central again")
    parser.add_argument("--window", action="store_true", help="time the lead's start too")
    parser.add_argument("--json", type=Path, default=RESULTS / "dashboard-sqlite.json")
    args = parser.parse_args(argv)

    admin_url = server_url(args.admin_url)
    prepare(admin_url, args.rebuild)
    admin = create_engine(admin_url)
    central_label = stored_label(admin, DATABASE)
    admin.dispose()
    assert central_label is not None
    end = AS_OF.astimezone(business_zone()).date() - timedelta(days=1)
    central_db = Database(lead_url(admin_url).render_as_string(hide_password=False))
    central_reports: dict[tuple[date, date], kpis.KpiReport] = {}

    def on_central(start: date, end: date) -> kpis.KpiReport:
        if (start, end) not in central_reports:
            central_reports[(start, end)] = kpis.team_report(
                central_db, LEAD, start, end, now=AS_OF
            )
        return central_reports[(start, end)]

    cases: list[Case] = []
    try:
        for store in args.store:
            db = lead_copy(store, admin_url, central_label)
            connection = floor_connection(store)
            try:
                for days in args.days:
                    case = Case(store, days, end - timedelta(days=days - 1), end)
                    measure(db, connection, case, on_central, args.repeat)
                    cases.append(case)
            finally:
                connection.close()
                db.dispose()
    finally:
        central_db.dispose()
    window = window_start(admin_url, central_label) if args.window else None

    results = {
        "measured_at": datetime.now(UTC).isoformat(),
        "repeat": args.repeat,
        "sqlite_version": sqlite3.sqlite_version,
        "sqlcipher_sqlite_version": sqlcipher3.sqlite_version,
        "cases": [case.summary() for case in cases],
        "target_report_median": TARGET_SECONDS,
        "window": window,
        "load_average": os.getloadavg(),
    }
    print(
        f"{'copy':<10}{'days':>5}{'attempts':>10}{'first s':>9}{'report s':>10}"
        f"{'floor s':>9}{'ratio':>7}  target ≤ {TARGET_SECONDS:.0f} s"
    )
    failed = False
    for case in cases:
        s = case.summary()
        verdict = "met" if s["report_median"] <= TARGET_SECONDS else "NOT met"
        print(
            f"{case.store:<10}{case.days:>5}{case.attempts_in_span:>10,}"
            f"{case.first_report:>9.2f}{s['report_median']:>10.3f}{s['floor_median']:>9.3f}"
            f"{s['ratio_report_to_floor']:>7.2f}  {verdict}"
        )
        if case.problems:
            failed = True
            print(
                f"  the floor, the report and the central's report DISAGREE ({case.store},"
                f" {case.days} days):"
            )
            for problem in case.problems[:20]:
                print("    " + problem[:400])
    if window is not None:
        print(
            "the lead's window opened on the encrypted copy -> yesterday's numbers shown:"
            f" {window['window_to_yesterdays_numbers_seconds']:.2f} s; the worker's calls until"
            " then (what each returned, when it began, how long it took):"
        )
        for call in window["worker_calls_before"]:
            print(f"  {call['began_at']:7.2f} s  {call['seconds']:6.2f} s  {call['returned']}")
    print(
        f"SQLite {sqlite3.sqlite_version} (sqlite3, the plain copy),"
        f" {sqlcipher3.sqlite_version} (sqlcipher3, the encrypted copy)"
    )
    print(f"load average: {results['load_average']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
