"""CLI commands for team leads: `collector-workstation report …` (the dashboard's numbers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_USAGE, day_arg, open_database
from app.config import Config
from app.services.common.errors import InvalidDate
from app.services.team.report_choices import DRILLS, FORMATS, LANGUAGES

# Exit status for dates the report cannot cover, as argparse uses for a malformed one.
EXIT_BAD_DATES = EXIT_USAGE


def register(commands: Any) -> None:
    """Add `report` to the CLI's subparsers."""
    report = commands.add_parser(
        "report",
        help="a team's KPIs (or the contacts behind one) to a CSV, XLSX or JSON file",
        description="The team lead's dashboard figures for a span of days (both included, in"
        " the lender's business zone), per collector and for the team. With --contacts, the"
        " contacts behind one figure instead.",
    )
    report.add_argument("--user", required=True, help="the team lead (or an administrator)")
    report.add_argument("--team", help="the team's name (default: the lead's own)")
    report.add_argument("--from", dest="start", type=day_arg, required=True, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=day_arg, required=True, metavar="YYYY-MM-DD")
    report.add_argument("--format", required=True, choices=FORMATS)
    report.add_argument("--out", type=Path, required=True, metavar="FILE")
    report.add_argument("--language", default="en", choices=LANGUAGES)
    report.add_argument(
        "--contacts",
        choices=DRILLS,
        metavar="FIGURE",
        help="export the contacts behind this figure instead: " + ", ".join(DRILLS),
    )
    report.add_argument(
        "--collector", metavar="USER", help="with --contacts: one collector's (default: the team's)"
    )
    report.add_argument(
        "--key",
        help="with --contacts: the bucket, emotion, rule, escalation kind or day (YYYY-MM-DD)"
        " the figure is one of",
    )
    report.set_defaults(handler=_report)


def _report(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.teams import team_of
    from app.services.team.export import write_contacts, write_report
    from app.services.team.kpis import Drill, drill_down, team_report

    db = open_database(config)
    try:
        if args.contacts is None:
            report = team_report(db, args.user, args.start, args.end, args.team)
            written = write_report(report, args.out, args.format, args.language)
        else:
            who = None
            if args.collector is not None:
                who = team_of(db, args.user, args.team).member(args.collector).id
            drill = Drill(args.contacts, who, args.key)
            rows = drill_down(db, args.user, args.start, args.end, drill, args.team)
            written = write_contacts(rows, args.out, args.format, args.language)
    except InvalidDate as error:
        print(f"error: {error.message}", file=sys.stderr)
        return EXIT_BAD_DATES
    print(f"wrote {written}")
    return 0
