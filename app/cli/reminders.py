"""`collector-workstation reminders …`: the messages the lender sends by itself.

`reminders run` is the job a lender schedules (docs/collector-reminders.timer): on the central
server signed in as the `system` login ($COLLECTOR_WORKSTATION_DATABASE_URL naming it, made by
`central add-user NAME --role system`; docs/security.md says what it may do there), or on the
embedded database. Without an SMTP server or SMS provider configured, messages go to the
spool folder, and the run says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.cli.common import SYSTEM, TEAM_LEAD, for_roles, open_database, plain, positive_arg
from app.config import Config

# A strategy or template file that cannot be used (sysexits' EX_DATAERR).
EXIT_BAD_DATA = 65


def zoned_moment_arg(text: str) -> datetime:
    """ISO-8601 with its offset: a scheduled job names its instant, never a local guess."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"“{text}” has no time zone: give one, e.g. {text}+08:00")
    return moment.astimezone(UTC)


def register(commands: Any) -> None:
    """Add `reminders run|reports|opt-out|notices` to the CLI's subparsers."""
    group = commands.add_parser(
        "reminders",
        help="SMS and e-mail reminders the lender sends by itself (run, reports, opt-out, notices)",
    )
    sub = group.add_subparsers(title="reminders commands", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run",
        help="send the reminders due now (or at --at), through the contact rules",
        description="Decide who is due a reminder at the instant, check every stop and contact"
        " rule, and send each message once (a run killed and run again sends nobody a message"
        " twice). Without an SMTP server or SMS provider configured, messages go to the spool"
        " folder ($COLLECTOR_WORKSTATION_SPOOL_DIR, else spool/ in the data folder).",
    )
    run.add_argument("--at", type=zoned_moment_arg, metavar="TIME", help="ISO-8601 with offset")
    run.add_argument("--dry-run", action="store_true", help="decide and render; send nothing")
    run.add_argument("--limit", type=positive_arg, metavar="N", help="plan at most N new messages")
    run.add_argument("--json", action="store_true")
    # The job's own system login (or an administrator's), never a staff login.
    for_roles(run, SYSTEM)
    run.set_defaults(handler=_run)

    reports = sub.add_parser(
        "reports",
        help="record delivery reports: sent messages become delivered or failed",
    )
    reports.add_argument(
        "--file",
        type=Path,
        metavar="FILE.json",
        help="reports a provider pushed, as a JSON list of {provider_id, to, delivered,"
        " reported_at, key?, error_code?}",
    )
    for_roles(reports, SYSTEM)
    reports.set_defaults(handler=_reports)

    opt_out = sub.add_parser(
        "opt-out", help="the borrower wants no more messages on a channel (none goes there again)"
    )
    opt_out.add_argument("--contract", required=True)
    opt_out.add_argument("--channel", required=True, choices=("sms", "email"))
    opt_out.add_argument("--at", type=zoned_moment_arg, metavar="TIME")
    for_roles(opt_out, SYSTEM)
    opt_out.set_defaults(handler=_opt_out)

    notices = sub.add_parser(
        "notices",
        help="credit-reporting notices: who was notified, when, and when reporting may begin",
    )
    notices.add_argument("--json", action="store_true")
    notices.add_argument(
        "--user", help="a team lead: the notices of the team's accounts (signed in: yourself)"
    )
    # A lead reads the team's notices (the server shows a lead no other); the system login
    # and an administrator read them all.
    for_roles(notices, TEAM_LEAD, SYSTEM)
    notices.set_defaults(handler=_notices)


def _bad_data(error: Exception) -> int:
    print(f"error: {error}", file=sys.stderr)
    return EXIT_BAD_DATA


def _run(config: Config, args: argparse.Namespace) -> int:
    from app.services.messaging.choice import senders_from_config
    from app.services.reminders.dispatch import run_reminders
    from app.services.reminders.templates import StrategyError

    at = args.at or datetime.now(UTC)
    senders = senders_from_config(config.data_dir)
    db = open_database(config)
    try:
        report = run_reminders(
            db,
            senders.by_channel,
            at=at,
            dry_run=args.dry_run,
            limit=args.limit,
            embedded=config.embedded,
        )
    except StrategyError as error:
        return _bad_data(error)
    if args.json:
        print(json.dumps(plain(report.as_json()), ensure_ascii=False, indent=1))
        return 0
    for channel, what in senders.described.items():
        print(
            f"{channel}: {what}" + (" (no provider configured)" if what.startswith("spool") else "")
        )
    verb = "would send" if report.dry_run else "planned"
    print(f"{report.at.isoformat()}: {verb} {report.planned}")
    if not report.dry_run:
        print(
            f"sent {report.sent}, failed {report.failed}, opted out {report.opted_out},"
            f" retry later {report.retry}, cancelled {report.cancelled},"
            f" found sent earlier {report.resolved}, awaiting a report {report.unresolved}"
        )
    for reason, count in sorted(report.skipped.items()):
        print(f"  not sent, {reason}: {count}")
    if report.dry_run:
        for message in report.messages:
            print(f"{message['key']}  ({message['segments'] or '-'} segments)")
            print("  " + str(message["text"]).replace("\n", "\n  "))
    return 0


def _reports(config: Config, args: argparse.Namespace) -> int:
    from app.services.messaging.base import DeliveryReport
    from app.services.messaging.choice import senders_from_config
    from app.services.reminders.dispatch import apply_reports, sent_awaiting_reports

    db = open_database(config)
    found: list[DeliveryReport] = []
    if args.file is not None:
        try:
            items = json.loads(args.file.read_text(encoding="utf-8"))
            found += [
                DeliveryReport(
                    provider_id=str(item["provider_id"]),
                    to=str(item["to"]),
                    delivered=bool(item["delivered"]),
                    reported_at=_zoned(str(item["reported_at"])),
                    key=item.get("key"),
                    error_code=item.get("error_code"),
                )
                for item in items
            ]
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"error: {args.file}: not a list of delivery reports ({error})", file=sys.stderr)
            return EXIT_BAD_DATA
    senders = senders_from_config(config.data_dir)
    waiting = sent_awaiting_reports(db)
    for source in senders.reports:
        found += source.fetch(waiting)
    if not senders.reports and args.file is None:
        print("no provider configured reports deliveries (the spool does not)")
    applied = apply_reports(db, found)
    print(f"delivered {applied.delivered}, failed {applied.failed}, not matched {applied.unknown}")
    return 0


def _zoned(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text} has no time zone")
    return moment


def _opt_out(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.dispatch import record_opt_out

    db = open_database(config)
    at = args.at or datetime.now(UTC)
    new = record_opt_out(db, args.contract, args.channel, at, embedded=config.embedded)
    state = "opted out" if new else "already opted out"
    print(f"{args.contract}: {args.channel} {state}")
    return 0


def _notices(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.notices import notified_loans

    db = open_database(config)
    with db.reader() as session:
        rows = notified_loans(session, args.user)
    if args.json:
        print(json.dumps(plain([r.__dict__ for r in rows]), ensure_ascii=False, indent=1))
        return 0
    for row in rows:
        assert row.notified_at is not None
        print(
            f"{row.contract_no}  notified {row.notified_at:%Y-%m-%d %H:%M} UTC by {row.channel};"
            f" reporting may begin {row.reporting_from}"
        )
    if not rows:
        print("no credit-reporting notice sent yet")
    return 0
