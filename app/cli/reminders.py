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
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    SYSTEM,
    TEAM_LEAD,
    day_arg,
    for_roles,
    moment_arg,
    open_database,
    plain,
    positive_arg,
)
from app.config import Config

if TYPE_CHECKING:
    from app.services.reminders.overview import RemindersOverview

# A strategy or template file that cannot be used (sysexits' EX_DATAERR).
EXIT_BAD_DATA = 65
# Another run holds the database: this one sent nothing (sysexits' EX_TEMPFAIL).
EXIT_RUN_UNDER_WAY = 75


def zoned_moment_arg(text: str) -> datetime:
    """ISO-8601 with its offset: a scheduled job names its instant, never a local guess. Within
    the days every other time is (a day or a zone away from the calendar's ends)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"“{text}” has no time zone: give one, e.g. {text}+08:00")
    return moment_arg(text)


def register(commands: Any) -> None:
    """Add `reminders run|reports|opt-out|notices|uncertain|resolve|overview` to the CLI's
    subparsers."""
    group = commands.add_parser(
        "reminders",
        help="SMS and e-mail reminders the lender sends by itself (run, reports, opt-out,"
        " notices, uncertain, resolve)",
    )
    sub = group.add_subparsers(title="reminders commands", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run",
        help="send the reminders due now (or at --at), through the contact rules",
        description="Decide who is due a reminder at the instant, check every stop and contact"
        " rule, and send each message once (a run killed and run again sends nobody a message"
        " twice; an e-mail whose answer a killed run lost is never sent again by itself: see"
        " `reminders uncertain`). One run at a time: a run started while another is under way"
        " sends nothing and ends with exit status 75. Without an SMTP server or SMS provider"
        " configured, messages go to the spool folder ($COLLECTOR_WORKSTATION_SPOOL_DIR, else"
        " spool/ in the data folder).",
    )
    run.add_argument(
        "--at",
        type=zoned_moment_arg,
        metavar="TIME",
        help="ISO-8601 with offset (default: now); another instant only with --dry-run or"
        " the spool: a run through a provider sends now",
    )
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
        " reported_at, key?, error_code?, opted_out?} (a file with a value of the wrong kind,"
        " or a report dated before its message was sent or ahead of now, is refused whole)",
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

    uncertain = sub.add_parser(
        "uncertain",
        help="messages a killed run may or may not have sent (never sent again by themselves)",
        description="The messages whose send began in a run that was stopped before their"
        " answer was recorded. SMS are asked of the provider again by the next run; an e-mail"
        " cannot be (an SMTP server keeps no list of what it took) and waits for"
        " `reminders resolve`.",
    )
    uncertain.add_argument("--json", action="store_true")
    for_roles(uncertain, SYSTEM)
    uncertain.set_defaults(handler=_uncertain)

    resolve = sub.add_parser(
        "resolve",
        help="say what became of an uncertain message: sent, or not sent (audited)",
        description="An administrator who checked (the mail server's log, the borrower) settles"
        " an uncertain message: --sent records it as sent, with its contact attempt;"
        " --not-sent lets the next run send it if it is still due and allowed.",
    )
    resolve.add_argument("--key", required=True, help="the message's key (`reminders uncertain`)")
    answer = resolve.add_mutually_exclusive_group(required=True)
    answer.add_argument("--sent", action="store_true", help="it reached the provider")
    answer.add_argument("--not-sent", action="store_true", help="it never went")
    resolve.add_argument("--user", required=True, help="the administrator settling it")
    for_roles(resolve)
    resolve.set_defaults(handler=_resolve)

    overview = sub.add_parser(
        "overview",
        help="a team lead's day of reminders: by step and channel, failures, opt-outs,"
        " credit-reporting notices, and what tomorrow's runs would send",
        description="What went out on a day (the lender's business day) on the accounts the"
        " user may see (a team lead: the team's; an administrator: every account), what"
        " became of each message, the failures in words, the opt-outs recorded that day, the"
        " credit-reporting notices still waiting, and a preview of tomorrow's runs as the"
        " dispatcher would decide them now (nothing is written). The Reminders tab of the team"
        " window shows the same figures.",
    )
    overview.add_argument("--user", required=True, help="the team lead (or an administrator)")
    overview.add_argument(
        "--day", type=day_arg, metavar="YYYY-MM-DD", help="which day (default: today)"
    )
    overview.add_argument(
        "--at",
        type=zoned_moment_arg,
        metavar="TIME",
        help="the moment to count from (ISO-8601 with offset; default: now): today, and the"
        " tomorrow of the preview",
    )
    overview.add_argument("--json", action="store_true")
    for_roles(overview, TEAM_LEAD)
    overview.set_defaults(handler=_overview)


def _bad_data(error: Exception) -> int:
    print(f"error: {error}", file=sys.stderr)
    return EXIT_BAD_DATA


def _run(config: Config, args: argparse.Namespace) -> int:
    from app.services.common import clock
    from app.services.messaging.choice import opened, senders_from_config
    from app.services.reminders.dispatch import run_reminders
    from app.services.reminders.run_lock import RunUnderWay
    from app.services.reminders.templates import StrategyError

    at = args.at or clock.now()
    db = open_database(config)
    try:
        with opened(senders_from_config(config.data_dir)) as senders:
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
    except RunUnderWay as error:
        print(error.message, file=sys.stderr)
        return EXIT_RUN_UNDER_WAY
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
            f" found sent earlier {report.resolved},"
            f" provider to be asked again {report.unresolved},"
            f" uncertain {len(report.uncertain)}"
        )
        for key in report.uncertain:
            print(
                f"  uncertain: {key} (its send began and its answer was lost; settle it with"
                f" `reminders resolve --key {key} --sent|--not-sent`)"
            )
    for reason, count in sorted(report.skipped.items()):
        print(f"  not sent, {reason}: {count}")
    if report.dry_run:
        for message in report.messages:
            print(f"{message['key']}  ({message['segments'] or '-'} segments)")
            print("  " + str(message["text"]).replace("\n", "\n  "))
    return 0


def _reports(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.errors import InvalidInput
    from app.services.messaging.base import DeliveryReport
    from app.services.messaging.choice import senders_from_config
    from app.services.reminders.dispatch import (
        ReportsApplied,
        apply_reports,
        sent_awaiting_reports,
    )
    from app.services.reminders.report_file import read_reports

    db = open_database(config)
    applied = ReportsApplied(0, 0, 0)
    if args.file is not None:
        try:
            items = json.loads(args.file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"error: {args.file}: not a list of delivery reports ({error})", file=sys.stderr)
            return EXIT_BAD_DATA
        try:
            # A file someone wrote: a report in it that cannot be its message's refuses it all.
            applied += apply_reports(db, read_reports(items), strict=True)
        except InvalidInput as error:
            print(f"error: {args.file}: {error.message}", file=sys.stderr)
            return EXIT_BAD_DATA
    senders = senders_from_config(config.data_dir)
    waiting = sent_awaiting_reports(db)
    found: list[DeliveryReport] = []
    for source in senders.reports:
        found += source.fetch(waiting)
    if not senders.reports and args.file is None:
        print("no provider configured reports deliveries (the spool does not)")
    applied += apply_reports(db, found)
    print(
        f"delivered {applied.delivered}, failed {applied.failed},"
        f" opted out {applied.opted_out}, not matched {applied.unknown}"
        + (
            f", not recorded {applied.misdated} (dated before the message was sent, or ahead"
            " of now)"
            if applied.misdated
            else ""
        )
    )
    return 0


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


def _uncertain(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.uncertain import uncertain_messages

    rows = uncertain_messages(open_database(config))
    if args.json:
        print(json.dumps(plain([r.__dict__ for r in rows]), ensure_ascii=False, indent=1))
        return 0
    for row in rows:
        print(
            f"{row.key}  {row.channel} to {row.recipient}, send began"
            f" {row.began_at:%Y-%m-%d %H:%M} UTC"
            + ("" if row.channel == "email" else " (the provider is asked again by the next run)")
        )
    if not rows:
        print("no uncertain message")
    return 0


def _resolve(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.uncertain import settle_uncertain

    status = settle_uncertain(open_database(config), args.key, sent=args.sent, username=args.user)
    after = ", sent by the next run if it is still due and allowed" if status == "planned" else ""
    print(f"{args.key}: {status}{after}")
    return 0


def _overview(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.overview import as_json, reminders_overview

    db = open_database(config)
    found = reminders_overview(db, args.user, args.day, now=args.at or datetime.now(UTC))
    if args.json:
        print(json.dumps(plain(as_json(found)), ensure_ascii=False, indent=1))
        return 0
    print("\n".join(_overview_text(found)))
    return 0


def _overview_text(found: RemindersOverview) -> list[str]:
    from app.services.common.clock import business_zone

    zone = business_zone()

    def moment(value: datetime) -> str:
        return f"{value.astimezone(zone):%Y-%m-%d %H:%M}"

    def counts(c: Any) -> str:
        return (
            f"planned {c.planned}, sent {c.sent}, delivered {c.delivered}, failed {c.failed},"
            f" opted out {c.opted_out}, cancelled {c.cancelled}"
        )

    whose = f"team {found.team}" if found.team else "every account"
    total = found.counts
    rate = "-" if total.delivered_rate is None else f"{total.delivered_rate * 100:.1f} %"
    lines = [
        f"Reminders on {found.day.isoformat()} ({whose}), counted {moment(found.generated_at)}"
        f" {zone.key}",
        f"  {total.went_out} went out: {counts(total)}; delivered {rate}",
        "By step and channel:",
    ]
    lines += [f"  {row.step:<16} {row.channel:<6} {counts(row.counts)}" for row in found.by_step]
    if not found.by_step:
        lines.append("  none")
    lines.append(f"Failures: {len(found.failures)}")
    for failure in found.failures:
        lines.append(
            f"  {moment(failure.planned_at)}  {failure.contract_no}  {failure.channel}"
            f"  {failure.step}  {failure.recipient}: {failure.reason.en}"
            + (f" ({failure.error})" if failure.error else "")
        )
    lines.append(f"Opt-outs recorded that day: {len(found.opt_outs)}")
    for opt_out in found.opt_outs:
        lines.append(
            f"  {moment(opt_out.at)}  {', '.join(opt_out.contract_nos)}  {opt_out.channel}"
            f"  by {opt_out.source}"
        )
    lines.append(
        f"Credit-reporting notices waiting or given that day: {len(found.notices)};"
        f" accounts whose reporting may begin: {found.reportable}"
    )
    for notice in found.notices:
        lines.append(
            f"  {notice.contract_no}  notified {moment(notice.notified_at)} by {notice.channel};"
            f" reporting may begin {notice.reporting_from.isoformat()}"
        )
    preview = found.preview
    lines.append(
        f"Tomorrow, {preview.day.isoformat()}: {preview.total} would go in {len(preview.runs)} runs"
    )
    for group in preview.groups:
        lines.append(f"  at {moment(group.at)}  {group.step:<16} {group.channel:<6} {group.count}")
        for sample in group.samples:
            text = sample.text.replace("\n", " ")
            lines.append(f"    {sample.contract_no}: {text}")
    for reason, count in preview.held:
        lines.append(f"  not sent, {reason}: {count}")
    return lines
