"""Benchmark of the reminder dispatcher's deciding on a 200,000-account portfolio: who is due
which message at an instant, through every stop and contact rule, each message rendered, and
nothing sent (`reminders run --dry-run`).

    .venv/bin/python -m benchmarks.reminders [--accounts 200000] [--repeat 5] [--at TIME]
        [--profile]

The portfolio is benchmarks/run.py's, built once and cached under benchmarks/results/ (a run
here only reads it; a copy cached by an older version is brought to the newest schema). The
instant is the demo's as-of, a due-heavy one: every step of the strategies is due somewhere
(three days and a day before a due date, the due day, one, three and seven days after, the M1
week and the M2 fortnight), and no borrower has been given the credit-reporting notice yet, so
every account 20 or more days past due is sent it: 192,523 messages.

The case and its floor are timed in turns, medians over --repeat:

- the dispatcher: `run_reminders(…, dry_run=True)` with no sender: `decide` (the strategies'
  steps against every open account, the stops, opt-outs, the contact rules' own engine, the
  send window, messages already sent and the weekly maximum) and every message rendered;
- the floor: the same selection written as one SQL query through the plain `sqlite3` module:
  steps due by days past due or by due date, the stops, opt-outs, the first usable number or
  address, the send window and the profile's hours (or the hours the borrower agreed to) in
  every zone the borrower may be in, messages already sent and the weekly maximum, by the
  dispatcher's own order. It renders nothing. Its keys must be the dispatcher's, message for
  message (the run stops if they are not), so that the two select the same loans.

Prints both counts, the medians, messages per second (the goal: 2,000 or more) and the ratio,
and writes benchmarks/results/reminders.json. --profile runs the dispatcher once more under
cProfile and prints its costliest calls.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.database import Database
from app.services.common.clock import local_today
from app.services.common.reference import buckets, load_json
from app.services.contact.compliance import (
    available_profiles,
    default_profile_code,
    load_profile,
    profile_code_for,
)
from app.services.reminders.dispatch import RunReport, run_reminders
from app.services.reminders.strategy import STOPS, Strategy, load_strategy
from benchmarks.run import AS_OF, RESULTS, portfolio

GOAL_PER_SECOND = 2000
# Times as the embedded database keeps them: instants in UTC, times of day with microseconds.
INSTANT = "%Y-%m-%d %H:%M:%S.%f"
TIME_OF_DAY = "%H:%M:%S.%f"

FLOOR_SQL = """
WITH
steps(profile, place, step, kind, channel, channel_place, days_from_due, band_from,
      band_until, every_days, from_dpd) AS (VALUES {steps}),
countries(country, profile) AS (VALUES {countries}),
settings(profile, channel, weekly_max, default_zone, window_from, window_until, quiet_from,
         quiet_until, consent) AS (VALUES {settings}),
clock(zone, local) AS (VALUES {clock}),
regions(country, region, zone) AS (VALUES {regions}),
open AS MATERIALIZED (
  SELECT l.id AS loan_id, l.contract_no, l.borrower_id, b.country, b.province,
         b.agreed_window_start AS agreed_from, b.agreed_window_end AS agreed_until,
         COALESCE(c.profile, :default_profile) AS profile,
         (SELECT MIN(i.due_date) FROM instalments i
           WHERE i.loan_id = l.id AND i.settled_on IS NULL AND i.due_date < :today) AS oldest
  FROM loans l
  JOIN borrowers b ON b.id = l.borrower_id
  LEFT JOIN countries c ON c.country = b.country
  WHERE l.status = 'active' AND b.erased_at IS NULL
    AND NOT (b.vulnerable OR b.dispute_open OR b.cease_requested OR b.deceased
             OR b.legal_referral OR b.attorney_represented)
    -- By the loan's index: a unary plus keeps the planner off the (status, date) one.
    AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.loan_id = l.id AND +p.status = 'pending')
    AND NOT EXISTS (SELECT 1 FROM repayment_plans r
                     WHERE r.loan_id = l.id AND r.status IN ('issued', 'active'))
    AND NOT EXISTS (SELECT 1 FROM escalations e
                     WHERE e.loan_id = l.id AND (e.decision IS NULL OR e.decision <> 'resume'))
),
aged AS MATERIALIZED (
  SELECT o.*, CASE WHEN o.oldest IS NULL THEN 0
                   ELSE CAST(julianday(:today) - julianday(o.oldest) AS INTEGER) END AS dpd
  FROM open o
),
due AS MATERIALIZED (
  -- Days past due (one, three, seven after the due date).
  SELECT a.*, s.place, s.step, s.channel, s.channel_place, a.oldest AS anchor, '' AS tag
  FROM aged a JOIN steps s ON s.profile = a.profile AND s.days_from_due = a.dpd
  WHERE a.dpd > 0
  UNION ALL
  -- A bucket, every so many days.
  SELECT a.*, s.place, s.step, s.channel, s.channel_place, a.oldest, '-d' || a.dpd
  FROM aged a JOIN steps s ON s.profile = a.profile AND s.band_from IS NOT NULL
  WHERE a.dpd >= s.band_from AND (s.band_until IS NULL OR a.dpd <= s.band_until)
    AND (a.dpd - s.band_from) % s.every_days = 0
  UNION ALL
  -- The credit-reporting notice, once.
  SELECT a.*, s.place, s.step, s.channel, s.channel_place, a.oldest, '-n'
  FROM aged a JOIN steps s ON s.profile = a.profile AND s.kind = 'credit_notice'
  WHERE a.dpd >= s.from_dpd
    AND NOT EXISTS (SELECT 1 FROM credit_notices n WHERE n.loan_id = a.loan_id)
  UNION ALL
  -- Before the due date and on it, while nothing is overdue: what falls due that day.
  SELECT a.*, s.place, s.step, s.channel, s.channel_place,
         date(:today, '+' || (-s.days_from_due) || ' days'), ''
  FROM aged a JOIN steps s ON s.profile = a.profile AND s.days_from_due <= 0
  WHERE a.dpd = 0 AND (
    SELECT SUM(i.principal_due - i.principal_paid + i.interest_due - i.interest_paid
               + i.fees_due - i.fees_paid)
    FROM instalments i
    WHERE i.loan_id = a.loan_id AND i.settled_on IS NULL
      AND i.due_date = date(:today, '+' || (-s.days_from_due) || ' days')) > 0
),
reachable AS MATERIALIZED (
  SELECT d.*,
         (SELECT cp.id FROM contact_points cp
           WHERE cp.borrower_id = d.borrower_id
             AND cp.kind = CASE d.channel WHEN 'sms' THEN 'mobile' ELSE 'email' END
             AND NOT cp.do_not_call AND NOT cp.wrong_number
           ORDER BY cp.position LIMIT 1) AS point_id
  FROM due d
  WHERE NOT EXISTS (SELECT 1 FROM reminder_opt_outs x
                     WHERE x.borrower_id = d.borrower_id AND x.channel = d.channel)
),
zoned AS MATERIALIZED (
  SELECT q.loan_id, q.step, q.channel, q.profile, q.agreed_from, q.agreed_until, j.value AS zone
  FROM reachable q JOIN contact_points p ON p.id = q.point_id,
       json_each('["' || replace(p.time_zones, ' ', '","') || '"]') j
  WHERE j.value <> ''
  UNION ALL
  SELECT q.loan_id, q.step, q.channel, q.profile, q.agreed_from, q.agreed_until, g.zone
  FROM reachable q JOIN regions g ON g.country = q.country
   AND g.region = CASE WHEN EXISTS (SELECT 1 FROM regions h WHERE h.country = q.country
                                      AND h.region = COALESCE(q.province, ''))
                       THEN COALESCE(q.province, '') ELSE '' END
  WHERE q.point_id IS NOT NULL
  UNION ALL
  SELECT q.loan_id, q.step, q.channel, q.profile, q.agreed_from, q.agreed_until, j.value
  FROM reachable q JOIN contact_points a ON a.borrower_id = q.borrower_id
   AND a.kind = 'address' AND NOT a.wrong_number,
       json_each('["' || replace(a.time_zones, ' ', '","') || '"]') j
  WHERE q.point_id IS NOT NULL AND j.value <> ''
),
outside AS MATERIALIZED (
  SELECT z.loan_id, z.step, z.channel, SUM(NOT ({inside_z})) AS zones
  FROM zoned z
  JOIN settings g ON g.profile = z.profile AND g.channel = z.channel
  JOIN clock k ON k.zone = z.zone
  GROUP BY z.loan_id, z.step, z.channel
),
allowed AS MATERIALIZED (
  SELECT r.*, r.contract_no || ':' || r.step || r.tag || ':' || strftime('%Y%m%d', r.anchor)
              || ':' || r.channel AS key
  FROM reachable r
  JOIN settings g ON g.profile = r.profile AND g.channel = r.channel
  JOIN clock k ON k.zone = g.default_zone
  LEFT JOIN outside o ON o.loan_id = r.loan_id AND o.step = r.step AND o.channel = r.channel
  WHERE r.point_id IS NOT NULL
    AND CASE WHEN o.zones IS NULL THEN {inside_r} ELSE o.zones = 0 END
),
ranked AS MATERIALIZED (
  SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.borrower_id, a.channel
                                 ORDER BY a.contract_no, a.place, a.channel_place) AS turn
  FROM allowed a
  WHERE NOT EXISTS (SELECT 1 FROM reminder_messages m WHERE m.key = a.key)
)
SELECT k.key, k.loan_id
FROM ranked k JOIN settings g ON g.profile = k.profile AND g.channel = k.channel
WHERE k.turn + (
  SELECT COUNT(*) FROM reminder_messages m
   WHERE m.borrower_id = k.borrower_id AND m.channel = k.channel
     AND m.status IN ('planned', 'sent', 'delivered')
     AND m.planned_at > :week_ago AND m.planned_at <= :at) <= g.weekly_max
"""


# Inside the send window and the profile's hours (or the hours the borrower agreed to, where
# the profile lets them override its own) at the local time `k.local` of one zone.
INSIDE = """(k.local >= g.window_from AND k.local < g.window_until AND CASE
  WHEN g.consent AND {t}.agreed_from IS NOT NULL AND {t}.agreed_until IS NOT NULL THEN
    CASE WHEN {t}.agreed_from < {t}.agreed_until
         THEN k.local >= {t}.agreed_from AND k.local < {t}.agreed_until
         ELSE k.local >= {t}.agreed_from OR k.local < {t}.agreed_until END
  ELSE k.local >= g.quiet_from AND k.local < g.quiet_until END)"""


def _values(rows: list[tuple[Any, ...]], params: dict[str, Any]) -> str:
    """`(:v1, :v2, …), …` for the rows, their values added to `params`."""
    listed = []
    for row in rows:
        names = []
        for value in row:
            name = f"v{len(params)}"
            params[name] = value
            names.append(f":{name}")
        listed.append("(" + ", ".join(names) + ")")
    return ", ".join(listed)


def floor_query(path: Path, at: datetime) -> tuple[str, dict[str, Any], dict[str, int]]:
    """The floor's SQL for instant `at`, with its parameters.

    The small tables it joins come from the resources the dispatcher reads: each strategy's
    steps, weekly maximum and send window, each profile's hours rule, the countries' profiles
    and address zones, and the local time at `at` in every zone a borrower may be in."""
    strategies: dict[str, Strategy] = {code: load_strategy(code) for code in available_profiles()}
    for code, strategy in strategies.items():
        # The query stops every account on every stop: as every shipped strategy does.
        assert strategy.stops == STOPS, f"{code}: the floor stops on every stop"
    bands = {bucket.code: bucket for bucket in buckets()}
    steps = []
    for code, strategy in strategies.items():
        for place, step in enumerate(strategy.steps):
            band_from = band_until = None
            if step.bucket is not None:
                band = bands[step.bucket]
                band_from, band_until = max(band.min_dpd, step.from_dpd or 0), band.max_dpd
            for channel_place, channel in enumerate(step.channels):
                steps.append(
                    (
                        code,
                        place,
                        step.id,
                        step.kind,
                        channel,
                        channel_place,
                        step.days_from_due,
                        band_from,
                        band_until,
                        step.every_days,
                        step.from_dpd,
                    )
                )
    settings = []
    for code, strategy in strategies.items():
        profile = load_profile(code)
        for channel in ("sms", "email"):
            hours = [r for r in profile.rules if r.kind == "quiet_hours" and channel in r.channels]
            assert len(hours) <= 1, f"{code}: one hours rule a channel"
            start, end, consent = "00:00:00.000000", "99", 0
            if hours:
                rule = hours[0]
                start = f"{rule.params['allowed_from']}:00.000000"
                end = f"{rule.params['allowed_until']}:00.000000"
                consent = int(bool(rule.params.get("borrower_consent_overrides")))
            settings.append(
                (
                    code,
                    channel,
                    strategy.weekly_max[channel],
                    profile.default_zone,
                    strategy.window_from.strftime(TIME_OF_DAY),
                    strategy.window_until.strftime(TIME_OF_DAY),
                    start,
                    end,
                    consent,
                )
            )
    with sqlite3.connect(path) as connection:
        named_zones = [
            row[0] for row in connection.execute("SELECT DISTINCT time_zones FROM contact_points")
        ]
        found = [row[0] for row in connection.execute("SELECT DISTINCT country FROM borrowers")]
    countries = [(country, profile_code_for(country)) for country in found]
    regions = []
    zones: set[str] = {row[3] for row in settings}
    for country, entry in load_json("address_zones.json")["countries"].items():
        for zone in entry["default"]:
            regions.append((country, "", zone))
        for region, listed in entry.get("by_region", {}).items():
            regions += [(country, region, zone) for zone in listed]
    zones |= {row[2] for row in regions}
    for named in named_zones:
        zones |= set(named.split())
    clock = [(zone, at.astimezone(ZoneInfo(zone)).strftime(TIME_OF_DAY)) for zone in zones]
    params: dict[str, Any] = {
        "default_profile": default_profile_code(),
        "today": local_today(at).isoformat(),
        "at": at.astimezone(UTC).strftime(INSTANT),
        "week_ago": (at - timedelta(days=7)).astimezone(UTC).strftime(INSTANT),
    }
    sql = FLOOR_SQL.format(
        steps=_values(steps, params),
        countries=_values(countries, params),
        settings=_values(settings, params),
        clock=_values(sorted(clock), params),
        regions=_values(regions, params),
        inside_z=INSIDE.format(t="z"),
        inside_r=INSIDE.format(t="r"),
    )
    return sql, params, {"steps": len(steps), "zones": len(zones)}


def timed(function: Any, repeat: int) -> tuple[list[float], list[float], Any]:
    """Wall and processor milliseconds of each call, and the last call's answer."""
    walls, cpus = [], []
    answer = None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        answer = function()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus, answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--at", type=datetime.fromisoformat, default=AS_OF, help="ISO-8601 with offset"
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path, default=RESULTS / "reminders.json")
    args = parser.parse_args(argv)
    at: datetime = args.at
    if at.tzinfo is None:
        parser.error("--at needs its offset, e.g. +08:00")

    path = portfolio(args.accounts)
    db = Database(f"sqlite:///{path}")
    db.upgrade()  # a portfolio cached by an older version gets the newer tables
    sql, params, sizes = floor_query(path, at)
    raw = sqlite3.connect(path)

    def dispatcher() -> RunReport:
        return run_reminders(db, {}, at=at, dry_run=True)

    def floor() -> list[tuple[str, str]]:
        return raw.execute(sql, params).fetchall()

    # Once each, not timed: the caches warm, and the two must select the same messages.
    report = dispatcher()
    selected = floor()
    keys = {str(message["key"]) for message in report.messages}
    found = {key for key, _ in selected}
    loans = {str(message["contract_no"]) for message in report.messages}
    print(
        f"{args.accounts:,} accounts at {at.isoformat()}: the dispatcher decides"
        f" {len(keys):,} messages to {len(loans):,} loans; the floor selects {len(found):,}"
        f" messages to {len({loan for _, loan in selected}):,} loans"
    )
    if keys != found:
        print(
            f"the floor differs: {len(keys - found):,} only the dispatcher's, e.g."
            f" {sorted(keys - found)[:3]}; {len(found - keys):,} only the floor's, e.g."
            f" {sorted(found - keys)[:3]}",
            file=sys.stderr,
        )
        return 1
    walls: dict[str, list[float]] = {"dispatcher": [], "floor": []}
    cpus: dict[str, list[float]] = {"dispatcher": [], "floor": []}
    for _ in range(args.repeat):
        for name, function in (("dispatcher", dispatcher), ("floor", floor)):
            wall, cpu, _ = timed(function, 1)
            walls[name] += wall
            cpus[name] += cpu
    messages = len(keys)
    median = statistics.median(walls["dispatcher"])
    floor_median = statistics.median(walls["floor"])
    results = {
        "measured_at": datetime.now(UTC).isoformat(),
        "accounts": args.accounts,
        "at": at.isoformat(),
        "messages": messages,
        "loans": len(loans),
        "skipped": dict(sorted(report.skipped.items())),
        "dispatcher": _case(walls["dispatcher"], cpus["dispatcher"], messages),
        "floor": {**_case(walls["floor"], cpus["floor"], messages), **sizes},
        "ratio": round(median / floor_median, 2),
        "goal_messages_per_s": GOAL_PER_SECOND,
    }
    print(f"{'case':<12}{'median ms':>11}{'cpu ms':>10}{'msg/s':>9}")
    for name in ("dispatcher", "floor"):
        case = results[name]
        print(
            f"{name:<12}{case['median_ms']:>11.0f}{case['cpu_median_ms']:>10.0f}"
            f"{case['messages_per_s']:>9,.0f}"
        )
    print(
        f"ratio {results['ratio']:.2f}; goal ≥ {GOAL_PER_SECOND:,} messages/s:"
        f" {'met' if results['dispatcher']['messages_per_s'] >= GOAL_PER_SECOND else 'NOT met'}"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(dispatcher)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


def _case(walls: list[float], cpus: list[float], messages: int) -> dict[str, float]:
    median = statistics.median(walls)
    return {
        "median_ms": round(median, 1),
        "cpu_median_ms": round(statistics.median(cpus), 1),
        "min_ms": round(min(walls), 1),
        "max_ms": round(max(walls), 1),
        "repeat": len(walls),
        "messages_per_s": round(messages / (median / 1000)),
    }


if __name__ == "__main__":
    raise SystemExit(main())
