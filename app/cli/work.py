"""The everyday commands: the database, users, the queue, one account, contacts, escalations,
notes and payments."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app import __version__
from app.cli.common import (
    DEFAULT_DEMO_ACCOUNTS,
    day_arg,
    for_roles,
    moment_arg,
    open_database,
    plain,
    positive_arg,
    without_server,
)
from app.config import Config
from app.services.common.errors import InvalidDate, InvalidInput

if TYPE_CHECKING:
    from app.database import Database
    from app.services.contact.compliance import Decision
    from app.services.portfolio.accounts import HistoryItem


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = commands.add_parser("status", help="prepare the database and print what it holds")
    status.set_defaults(handler=_status)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="bring the schema to the newest version")
    upgrade.set_defaults(handler=_db_upgrade)
    for_roles(upgrade)
    repair = db_commands.add_parser(
        "repair-summary",
        help="work the queue's summary of every account's history out again from the"
        " history itself, and print how many accounts it corrected",
    )
    repair.set_defaults(handler=_db_repair_summary)
    for_roles(repair)

    demo = commands.add_parser("demo-data", help="build the reproducible demo portfolio")
    demo.add_argument("--accounts", type=positive_arg, default=DEFAULT_DEMO_ACCOUNTS)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--as-of", type=moment_arg, help="the portfolio's 'now' (default: now)")
    demo.add_argument("--accounts-per-collector", type=positive_arg, default=250)
    demo.add_argument("--replace", action="store_true", help="delete the embedded database first")
    demo.add_argument(
        "--no-reminders",
        action="store_true",
        help="without the reminders job's last days: the book the job's first run would find",
    )
    demo.set_defaults(handler=_demo_data)
    for_roles(demo)
    feed = commands.add_parser(
        "demo-feed",
        help="write the lending system's daily feed files for the days after the demo's as-of"
        " (apply them with central feed)",
    )
    feed.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    feed.add_argument("--days", type=positive_arg, default=30)
    feed.add_argument("--seed", type=int, default=1)
    feed.set_defaults(handler=_demo_feed)
    for_roles(feed)

    users = commands.add_parser(
        "users", help="list the users, with who is active and who was deactivated"
    )
    users.add_argument("--active", action="store_true", help="the active users only")
    users.add_argument("--json", action="store_true")
    users.set_defaults(handler=_users)

    queue = commands.add_parser("queue", help="print a user's ranked queue")
    queue.add_argument("--user", required=True)
    queue.add_argument("--at", type=moment_arg, help="ISO-8601 time (default: now)")
    queue.add_argument("--limit", type=positive_arg)
    queue.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    queue.add_argument("--json", action="store_true")
    queue.set_defaults(handler=_queue)

    account = commands.add_parser("account", help="show one account with its history")
    account.add_argument("contract_no")
    account.add_argument("--user", required=True)
    account.add_argument(
        "--lang", default="en", choices=["en", "zh_CN"], help="the language of the history"
    )
    account.add_argument("--json", action="store_true")
    account.set_defaults(handler=_account)

    check = commands.add_parser("check-contact", help="may this contact happen now?")
    check.add_argument("--user", required=True)
    check.add_argument("--contract", required=True)
    check.add_argument("--number", help="the phone number or e-mail to use (any format)")
    check.add_argument("--channel", default="call")
    check.add_argument("--at", type=moment_arg)
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=_check_contact)

    log = commands.add_parser("log-contact", help="record the outcome of a contact")
    log.add_argument("--user", required=True)
    log.add_argument("--contract", required=True)
    log.add_argument("--outcome", required=True, help="disposition code, e.g. PTP, NA, RTP")
    log.add_argument("--number", help="the phone number or e-mail used")
    log.add_argument("--channel", default="call")
    log.add_argument("--at", type=moment_arg, help="when the contact started (default: now)")
    log.add_argument("--duration", type=int, default=0, help="seconds")
    log.add_argument(
        "--after-call", type=int, help="seconds of after-call work (from hanging up to logging)"
    )
    log.add_argument("--emotion", help="the emotion observed; needed when someone answered")
    log.add_argument(
        "--checklist",
        nargs="+",
        default=[],
        metavar="ITEM",
        help="ids of the checklist items you confirm (`checklist` lists them)",
    )
    log.add_argument("--promise-amount")
    log.add_argument("--promise-date", type=day_arg)
    log.add_argument("--callback-at", type=moment_arg)
    log.add_argument("--notes")
    log.add_argument(
        "--script",
        metavar="PATH",
        help="the path taken through the call script, every step visited in order with its"
        " answer, comma-separated as `script` lists them, e.g."
        " greeting=speaking,verify=match,disclosure_recording=said,…;"
        " a right-party outcome (PTP, RTP, PLAN, …) needs one",
    )
    log.add_argument(
        "--stage",
        help="the script's stage (default: the one `script` shows for this contact)",
    )
    log.set_defaults(handler=_log_contact)

    script = commands.add_parser(
        "script", help="the call script for one contact, with the step ids --script takes"
    )
    script.add_argument("contract_no")
    script.add_argument("--user", required=True)
    script.add_argument("--number", help="the number called (a third party's gets its script)")
    script.add_argument("--channel", default="call")
    script.add_argument("--stage", help="another stage's script (default: the account's)")
    script.add_argument("--at", type=moment_arg, help="ISO-8601 time (default: now)")
    script.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    script.set_defaults(handler=_script)

    checklist = commands.add_parser(
        "checklist", help="the checklist to confirm for an emotion and an outcome"
    )
    checklist.add_argument("--emotion", required=True)
    checklist.add_argument("--outcome", required=True, help="disposition code, e.g. PTP")
    checklist.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    checklist.set_defaults(handler=_checklist)
    without_server(checklist)

    escalations = commands.add_parser(
        "escalations", help="open escalations: a team lead's team's, anyone else's own"
    )
    escalations.add_argument("--user", required=True)
    escalations.add_argument("--json", action="store_true")
    escalations.set_defaults(handler=_escalations)

    decide = commands.add_parser("decide", help="a team lead's decision on an escalation")
    decide.add_argument("escalation_id", type=uuid.UUID)
    decide.add_argument("--user", required=True)
    decide.add_argument("--decision", required=True, choices=["pause", "resume", "refer"])
    decide.add_argument("--note", help="why (resume) or to whom (refer)")
    decide.set_defaults(handler=_decide)

    note = commands.add_parser("note", help="add a note to an account")
    note.add_argument("contract_no")
    note.add_argument("text")
    note.add_argument("--user", required=True)
    note.set_defaults(handler=_note)

    payment = commands.add_parser(
        "payment",
        help="a payment the borrower says they made (reported by the borrower, matched when the"
        " lending system's feed brings it); an administrator's is posted to the ledger",
    )
    payment.add_argument("--user", required=True)
    payment.add_argument("--contract", required=True)
    payment.add_argument("--amount", required=True)
    payment.add_argument("--at", type=moment_arg, help="when it was paid (default: now)")
    payment.add_argument("--channel", default="bank_transfer")
    payment.add_argument("--reference")
    payment.set_defaults(handler=_payment)


def _status(config: Config, args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from app.models import Loan, User

    db = open_database(config)
    with db.reader() as session:
        loans = session.scalar(select(func.count()).select_from(Loan))
        users = session.scalar(select(func.count()).select_from(User))
    print(f"Collector Workstation {__version__}")
    print(f"database: {_describe(config)}")
    print(f"{loans} accounts, {users} users")
    print("Try: collector-workstation users, then collector-workstation queue --user USERNAME")
    return 0


def _describe(config: Config) -> str:
    if config.embedded:
        return config.database_url.split("///", 1)[-1]
    return config.database_url.split("@")[-1]


def _db_upgrade(config: Config, args: argparse.Namespace) -> int:
    open_database(config, build_demo=False, stamp=False).dispose()
    print(f"database is up to date: {_describe(config)}")
    return 0


def _db_repair_summary(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.queue_summary import repair_summary

    corrected = repair_summary(open_database(config, build_demo=False, stamp=False))
    print(f"queue summary repaired: {corrected} accounts corrected ({_describe(config)})")
    return 0


def _demo_data(config: Config, args: argparse.Namespace) -> int:
    from app.demo.builder import build_demo

    if args.replace:
        if not config.embedded:
            raise InvalidInput("--replace only deletes the embedded database, never a server.")
        database_file = Path(config.database_url.split("///", 1)[-1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    # Bulk rows first, then the stamps (a stamp per row would slow the build down).
    db = open_database(config, build_demo=False, stamp=False)

    def progress(done: int, total: int) -> None:
        print(f"\r{done:,}/{total:,} accounts", end="", file=sys.stderr, flush=True)

    summary = build_demo(
        db,
        accounts=args.accounts,
        seed=args.seed,
        as_of=args.as_of,
        accounts_per_collector=args.accounts_per_collector,
        progress=progress if sys.stderr.isatty() else None,
        reminders=not args.no_reminders,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if config.embedded:
        from app.services.sync.engine import install_clock

        install_clock(db)
    print(
        f"built {summary.accounts:,} accounts, {summary.users} users, "
        f"{summary.instalments:,} instalments, {summary.payments:,} payments, "
        f"{summary.attempts:,} contact attempts, {summary.promises:,} promises, "
        f"{summary.callbacks:,} callbacks, {summary.reminders:,} reminders in"
        f" {summary.seconds:.1f} s"
    )
    return 0


def _demo_feed(config: Config, args: argparse.Namespace) -> int:
    from app.demo.feed import write_feed_files

    written = write_feed_files(
        open_database(config, build_demo=False), args.out, days=args.days, seed=args.seed
    )
    print(
        f"wrote {len(written.paths)} daily feed files ({written.rows:,} rows, {written.payments:,}"
        f" payments for {written.amount:,.2f}) to {args.out}: apply them in order with"
        f" central feed {args.out}/feed-*.csv"
    )
    return 0


def _users(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.users import list_users

    users = list_users(open_database(config), inactive=not args.active)
    if args.json:
        print(json.dumps([user.as_json() for user in users], ensure_ascii=False, indent=2))
        return 0
    for user in users:
        status = "active" if user.active else "inactive"
        print(
            f"{user.username:<20} {user.role:<12} {user.team or '-':<12} {status:<9}"
            f" {user.display_name}"
        )
    return 0


def _queue(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.queue import build_queue
    from app.services.plans.lapses import settle_lapsed

    db = open_database(config)
    # What lapsed is settled first, so the queue shows broken promises and plans as such.
    settle_lapsed(db, args.at)
    queue = build_queue(db, args.user, args.at, limit=args.limit)
    if args.json:
        payload = [entry.as_json(args.lang) for entry in queue.entries]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    for entry in queue.entries:
        status = "ok" if entry.contact.allowed else f"blocked: {entry.contact.decision.rule_id}"
        reasons = "; ".join(reason.text(args.lang) for reason in entry.reasons)
        print(
            f"{entry.rank:>4} {entry.contract_no:<14} {entry.borrower:<6} {entry.bucket:<4}"
            f" {entry.overdue_amount:>12} {entry.score:>5}  {status:<28} {reasons}"
        )
    return 0


def _account(config: Config, args: argparse.Namespace) -> int:
    from app.services.portfolio.accounts import account_detail

    detail = account_detail(open_database(config), args.user, args.contract_no)
    if args.json:
        print(json.dumps(plain(detail), ensure_ascii=False, indent=2))
        return 0
    balance = detail.balance
    print(f"{detail.contract_no}  {detail.borrower}  {detail.id_number_masked}  age {detail.age}")
    print(f"{detail.address}")
    print(
        f"DPD {balance.dpd} ({balance.bucket})  overdue {balance.overdue}: principal"
        f" {balance.principal}, interest {balance.interest}, penalty {balance.penalty},"
        f" fees {balance.fees}"
    )
    if detail.flags:
        print("flags: " + ", ".join(detail.flags))
    for point in detail.contact_points:
        marks = " ".join(
            mark
            for mark, on in (
                ("VERIFIED", point.verified),
                ("DNC", point.do_not_call),
                ("WRONG", point.wrong_number),
            )
            if on
        )
        who = f" {point.contact_name} ({point.relation})" if point.contact_name else ""
        print(f"  {point.kind:<9} {point.display:<20} {point.local_time or '':<6}{who} {marks}")
    from app.services.common.clock import business_zone

    for item in detail.timeline[:20]:
        shown = item.at.astimezone(business_zone())
        print(f"  {shown:%Y-%m-%d %H:%M} {item.kind:<8} {_history_text(item, args.lang)}")
    return 0


def _history_text(item: HistoryItem, language: str) -> str:
    """A contact as its channel and outcome in words (a call, an SMS reminder sent…), in the
    language asked for; anything else by the service's summary."""
    if item.kind != "contact":
        return item.summary
    from app.services.common.reference import dispositions, load_json

    channel = str(item.details.get("channel", ""))
    code = str(item.details.get("disposition", ""))
    names = load_json("contact_labels.json")["channels"].get(channel, {})
    outcome = dispositions().get(code)
    words = [names.get(language, channel), outcome.label(language) if outcome else code]
    notes = item.details.get("notes")
    if notes:
        words.append(f"“{notes}”")
    return " · ".join(word for word in words if word)


def _point_for(db: Database, username: str, contract_no: str, text: str | None) -> uuid.UUID | None:
    if text is None:
        return None
    from app.services.contact.contacts import find_contact_point

    return find_contact_point(db, username, contract_no, text)


def _check_contact(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.contacts import check_contact

    db = open_database(config)
    point = _point_for(db, args.user, args.contract, args.number)
    decision = check_contact(db, args.user, args.contract, point, args.channel, args.at)
    if args.json:
        print(json.dumps(decision.as_json(), ensure_ascii=False))
    elif decision.allowed:
        print("allowed")
    else:
        print(
            f"blocked by {decision.rule_id}: {decision.reason} ({decision.detail}); "
            f"allowed {_lifts(decision)}"
        )
    return 0 if decision.allowed else 3


def _lifts(decision: Decision) -> str:
    """When a blocked contact is allowed, in the borrower's own time zone, as the detail is."""
    when = decision.next_allowed_at
    if when is None:
        return "not by itself"
    if not decision.zones:
        return f"from {when.isoformat()}"
    zone = decision.zones[0]
    return f"from {when.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def _log_contact(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.contacts import ContactInput, PromiseInput, record_contact
    from app.services.contact.scripts import contact_script

    db = open_database(config)
    promise = None
    if args.promise_amount is not None or args.promise_date is not None:
        if args.promise_amount is None or args.promise_date is None:
            raise InvalidDate("A promise needs both --promise-amount and --promise-date.")
        promise = PromiseInput(args.promise_amount, args.promise_date)
    point = _point_for(db, args.user, args.contract, args.number)
    steps = tuple(step.strip() for step in args.script.split(",")) if args.script else ()
    stage = args.stage
    if steps and stage is None:
        shown = contact_script(
            db,
            args.user,
            args.contract,
            "en",
            args.at,
            contact_point_id=point,
            channel=args.channel,
        )
        stage = shown.stage
    result = record_contact(
        db,
        ContactInput(
            username=args.user,
            contract_no=args.contract,
            disposition=args.outcome,
            started_at=args.at or datetime.now(UTC),
            channel=args.channel,
            contact_point_id=point,
            duration_seconds=args.duration,
            after_call_seconds=args.after_call,
            emotion=args.emotion,
            checklist=tuple(args.checklist),
            notes=args.notes,
            promise=promise,
            callback_at=args.callback_at,
            script_stage=stage,
            script_steps=steps,
        ),
    )
    print(f"recorded {result.attempt_id}")
    if result.escalation_kind is not None:
        print(
            f"escalated to the team lead ({result.escalation_kind});"
            " collection on this account is paused"
        )
    return 0


def _script(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.scripts import SAID, contact_script

    db = open_database(config)
    point = _point_for(db, args.user, args.contract_no, args.number)
    script = contact_script(
        db,
        args.user,
        args.contract_no,
        args.lang,
        args.at,
        contact_point_id=point,
        channel=args.channel,
        stage=args.stage,
    )
    print(
        f"{script.title} (stage {script.stage}, profile {script.profile}); starts at {script.first}"
    )
    for step in script.steps.values():
        marks = [step.kind]
        if step.required:
            marks.append(f"required: tick it with {step.id}={SAID}")
        if step.id in script.before_debt:
            marks.append("due before the debt is discussed")
        print(f"\n{step.id}  [{'; '.join(marks)}]  {step.title}")
        for line in step.text.splitlines():
            print(f"    {line}")
        for choice in step.choices:
            print(f"    {step.id}={choice.id} → {choice.next}  {choice.label}")
        if step.next is not None:
            print(f"    → {step.next}")
    return 0


def _checklist(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.checklists import checklist_for

    for item in checklist_for(args.emotion, args.outcome):
        marker = "required" if item.required else "optional"
        print(f"{item.id:<36} {marker:<9} {item.text(args.lang)}")
    return 0


def _escalations(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.clock import business_zone
    from app.services.contact.escalations import open_escalations

    views = open_escalations(open_database(config), args.user)
    if args.json:
        print(json.dumps(plain(list(views)), ensure_ascii=False, indent=2))
        return 0
    for view in views:
        shown = view.raised_at.astimezone(business_zone())
        urgent = "URGENT " if view.urgent else ""
        print(
            f"{view.id}  {shown:%Y-%m-%d %H:%M}  {urgent}{view.kind:<15}"
            f" {view.contract_no:<14} {view.borrower}  raised by {view.raised_by}"
        )
    return 0


def _decide(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.escalations import acknowledge

    result = acknowledge(
        open_database(config), args.user, args.escalation_id, args.decision, args.note
    )
    print(
        f"{result.escalation.decision}: {result.escalation.kind} on {result.escalation.contract_no}"
    )
    if result.flags_cleared:
        print("collection may resume: cleared " + ", ".join(result.flags_cleared))
    return 0


def _note(config: Config, args: argparse.Namespace) -> int:
    from app.services.portfolio.notes import add_note

    view = add_note(open_database(config), args.user, args.contract_no, args.text)
    print(f"noted on {view.contract_no} ({len(view.text)} characters)")
    return 0


def _payment(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans.payments import ReportedView, enter_payment

    result = enter_payment(
        open_database(config),
        args.user,
        args.contract,
        args.amount,
        args.at or datetime.now(UTC),
        channel=args.channel,
        reference=args.reference,
    )
    if isinstance(result, ReportedView):
        print(
            f"reported by the borrower: {result.amount} on {result.contract_no}; it counts when"
            " the lending system's feed brings the payment"
        )
        return 0
    parts = ", ".join(f"{part} {amount}" for part, amount in result.by_part.items() if amount)
    print(f"recorded {result.amount} on {result.contract_no}: {parts}")
    if result.loan_settled:
        print("the account is now settled")
    return 0
