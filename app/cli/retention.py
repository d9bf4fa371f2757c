"""`collector-workstation central retention run`: the profiles' retention, carried out."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from app.cli.common import database, day_arg, for_roles, open_database, plain, positive_arg
from app.config import DATABASE_URL_ENV, Config

REASONS = {
    "dispute_open": "dispute open",
    "legal_referral": "legal referral",
    "promise": "promise pending",
    "plan": "plan open",
    "escalation": "escalation undecided",
    "visit": "visit planned",
    "closure_day_unknown": "closure day unknown",
}


def register(actions: Any) -> None:
    """Add `retention run` to the `central` commands."""
    retention = actions.add_parser(
        "retention",
        help="the profiles' retention: erase the personal data of accounts past it",
    )
    commands = retention.add_subparsers(title="retention commands", metavar="ACTION", required=True)
    run = commands.add_parser(
        "run",
        help="erase the personal data of the borrowers past retention (docs/retention.md)",
        description="Erase the personal data (names, ID numbers, numbers and addresses, notes"
        " and every free text, the PDFs written here) of the borrowers whose accounts all"
        " closed longer ago than their profile's retention period and have no open matter;"
        " the accounts, their figures and the logs' counts and amounts stay. Workstations"
        " lose the data at their next sync. Without --url, the embedded database.",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would go and change nothing",
    )
    run.add_argument(
        "--at",
        type=day_arg,
        metavar="YYYY-MM-DD",
        help="judge retention on this day (default: today in the lender's zone; a later day"
        " only with --dry-run)",
    )
    run.add_argument(
        "--batch",
        type=positive_arg,
        default=200,
        metavar="N",
        help="borrowers erased per transaction (default 200): a run stopped half-way leaves"
        " each batch whole or untouched",
    )
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    run.add_argument(
        "--url", help=f"an administrator's SQLAlchemy URL (default: ${DATABASE_URL_ENV})"
    )
    run.set_defaults(handler=_run)
    # An administrator's work: a staff login is told so before anything is read.
    for_roles(run)


def _run(config: Config, args: argparse.Namespace) -> int:
    from app.services.privacy.retention import run_retention
    from app.services.sync.engine import install_clock
    from app.services.sync.server import ensure_schema

    url = args.url or os.environ.get(DATABASE_URL_ENV)
    if url:
        db = database(url)
        try:
            ensure_schema(db)
            if db.engine.dialect.name == "sqlite" and not args.dry_run:
                install_clock(db)
            report = run_retention(db, as_of=args.at, dry_run=args.dry_run, batch=args.batch)
        finally:
            db.dispose()
    else:
        # The embedded database: its changes stamped, so workstations pull the erasure (a
        # dry run writes nothing, not even that).
        db = open_database(config, build_demo=False, stamp=not args.dry_run)
        report = run_retention(db, as_of=args.at, dry_run=args.dry_run, batch=args.batch)
    if args.json:
        print(json.dumps(plain(report), ensure_ascii=False, indent=2))
        return 0
    _print(report)
    return 0


def _print(report: Any) -> None:
    dry = report.dry_run
    head = f"retention as of {report.as_of.isoformat()}"
    print(head + (" (dry run: nothing changed)" if dry else ""))
    verb = "would erase" if dry else "erased"
    print(
        f"{verb} the personal data of {len(report.erased)} borrowers"
        f" ({report.accounts} accounts)" + (":" if report.erased else "")
    )
    for item in report.erased:
        again = "; what arrived since the erasure" if item.again else ""
        print(
            f"  {', '.join(item.contracts)}: closed {item.closed_on.isoformat()},"
            f" {item.profile} {item.retention_years} years{again}"
        )
    if report.kept:
        print(f"kept past retention or with no closure day: {len(report.kept)} borrowers:")
        for kept in report.kept:
            closed = f"closed {kept.closed_on.isoformat()}" if kept.closed_on else "closed"
            reasons = ", ".join(REASONS.get(reason, reason) for reason in kept.reasons)
            print(f"  {', '.join(kept.contracts)}: {closed}; {reasons}")
    print(f"within retention: {report.within} borrowers with every account closed")
    if report.removed:
        counts = ", ".join(f"{what} {count}" for what, count in report.removed.items())
        print(("would remove: " if dry else "removed: ") + counts)
    files = report.files
    if dry:
        print(f"PDFs on record that would be deleted: {files.deleted}")
    else:
        print(
            f"PDFs deleted: {files.deleted} ({files.changed} changed since written, left;"
            f" {files.missing} already gone)"
        )
