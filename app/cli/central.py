"""CLI commands for the central PostgreSQL database (`collector-workstation central …`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.common import for_roles
from app.config import DATABASE_URL_ENV, Config
from app.database import Database
from app.services.common.errors import InvalidInput


def register(commands: Any) -> None:
    """Add the `central` commands to the CLI's subparsers."""
    central = commands.add_parser(
        "central", help="the central PostgreSQL database: schema, security and users"
    )
    actions = central.add_subparsers(title="central commands", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="create or upgrade the schema, roles and row-level security"
    )
    init.add_argument(
        "--url", help=f"an administrator's SQLAlchemy URL (default: ${DATABASE_URL_ENV})"
    )
    init.set_defaults(handler=_init)
    # An administrator's work: a staff login is told so before anything is asked or read.
    for_roles(init)
    add = actions.add_parser("add-user", help="a user and their own login role")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["collector", "field_agent", "team_lead"])
    add.add_argument("--team", required=True)
    add.add_argument("--display-name")
    add.add_argument(
        "--url", help=f"an administrator's SQLAlchemy URL (default: ${DATABASE_URL_ENV})"
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new user's password from standard input (else it is asked for)",
    )
    add.set_defaults(handler=_add_user)
    for_roles(add)
    off = actions.add_parser(
        "deactivate-user",
        help="end a user's access now: inactive, login refused, open sessions cut",
    )
    off.add_argument("username")
    off.add_argument(
        "--url", help=f"an administrator's SQLAlchemy URL (default: ${DATABASE_URL_ENV})"
    )
    off.set_defaults(handler=_deactivate_user)
    for_roles(off)
    load = actions.add_parser(
        "import-portfolio",
        help="load the lending system's export (docs/import-format.md): all rows or none",
    )
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.add_argument(
        "--encoding",
        help="the file's encoding (default: UTF-8, with or without BOM, else GB18030/GBK)",
    )
    load.add_argument("--url", help=f"the database (default: ${DATABASE_URL_ENV})")
    load.set_defaults(handler=_import_portfolio)
    for_roles(load)
    feed = actions.add_parser(
        "feed",
        help="apply the lending system's daily feed files (docs/feed-format.md) in their order:"
        " each all or nothing, with its reconciliation",
    )
    feed.add_argument("files", type=Path, nargs="+", metavar="FILE.csv")
    feed.add_argument(
        "--encoding", help="the files' encoding when not UTF-8 or GB18030 (gbk, big5, utf-16…)"
    )
    feed.add_argument("--url", help=f"the database (default: ${DATABASE_URL_ENV})")
    feed.add_argument("--json", action="store_true", help="print the summaries as JSON")
    feed.set_defaults(handler=_feed)
    # The lending system's own login (cw_feed) or an administrator's: no staff login.
    for_roles(feed)


# A hostile or wholly wrong file can have a problem on every row: the first ones tell what to fix.
SHOWN_PROBLEMS = 200


def _central(args: argparse.Namespace) -> Database:
    url = args.url or os.environ.get(DATABASE_URL_ENV)
    if not url:
        raise InvalidInput(
            "Say which central database: --url postgresql+psycopg://… or {variable}.",
            variable=DATABASE_URL_ENV,
        )
    return Database(url)


def _init(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import init_central

    db = _central(args)
    try:
        status = init_central(db)
    finally:
        db.dispose()
    print(
        f"central database at revision {status.revision}: {status.tables} tables owned by"
        f" cw_owner, row-level security {'forced' if status.row_level_security else 'OFF'}"
    )
    return 0


def _add_user(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if getpass.getpass("Again: ") != password:
            raise InvalidInput("The two passwords differ.")
    db = _central(args)
    try:
        add_user(db, args.username, args.role, args.team, password, display_name=args.display_name)
    finally:
        db.dispose()
    print(f"added {args.username} ({args.role}, {args.team}) with a login role of their own")
    return 0


def _deactivate_user(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import deactivate_user

    db = _central(args)
    try:
        cut = deactivate_user(db, args.username)
    finally:
        db.dispose()
    print(f"deactivated {args.username}: their login is refused; {cut} open sessions cut")
    return 0


def _import_portfolio(config: Config, args: argparse.Namespace) -> int:
    from app.services.portfolio.importing import ImportRefused, import_portfolio
    from app.services.sync.server import ensure_schema

    # The embedded "central" file keeps the flow working with no server.
    db = (
        _central(args)
        if (args.url or os.environ.get(DATABASE_URL_ENV))
        else Database(config.database_url)
    )
    try:
        ensure_schema(db)
        summary = import_portfolio(db, args.file, encoding=args.encoding)
    except ImportRefused as refused:
        print(f"error: {refused.message}", file=sys.stderr)
        for problem in refused.problems[:SHOWN_PROBLEMS]:
            where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
            print(f"  {where}: {problem.message}", file=sys.stderr)
        if len(refused.problems) > SHOWN_PROBLEMS:
            print(f"  … and {len(refused.problems) - SHOWN_PROBLEMS} more", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(
        f"imported {summary.loans} loans of {summary.borrowers} new borrowers"
        f" ({summary.contact_points} contact points, {summary.instalments} instalments,"
        f" {summary.payments} payments), read as {summary.encoding}"
    )
    if summary.known_contracts or summary.known_borrowers or summary.repeated_contact_points:
        print(
            f"already in the database and left as they were: {summary.known_contracts}"
            f" contracts, {summary.known_borrowers} borrowers;"
            f" {summary.repeated_contact_points} contact points already known, not added again"
            " (changes to imported accounts come through `central feed`)"
        )
    return 0


def _feed(config: Config, args: argparse.Namespace) -> int:
    import json

    from app.cli.common import open_database, plain
    from app.services.plans.feed import FeedRefused, apply_feed
    from app.services.sync.server import ensure_schema

    if args.url or os.environ.get(DATABASE_URL_ENV):
        db = _central(args)
        ensure_schema(db)
    else:
        # The embedded "central" file, stamping each change for the workstations' sync.
        db = open_database(config, build_demo=False)
    done = []
    try:
        for path in args.files:
            try:
                summary = apply_feed(db, path, encoding=args.encoding)
            except FeedRefused as refused:
                print(f"error: {refused.message}", file=sys.stderr)
                for problem in refused.problems:
                    where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
                    print(f"  {where}: {problem.message}", file=sys.stderr)
                return 1
            done.append(summary)
            if not args.json:
                print("\n".join(feed_lines(summary)))
    finally:
        db.dispose()
    if args.json:
        print(
            json.dumps(
                [{**plain(s), "accounts_closed": s.accounts_closed} for s in done],
                ensure_ascii=False,
                indent=2,
            )
        )
    return 0


def feed_lines(summary: Any) -> list[str]:
    """A feed file's reconciliation, as the command prints it (`central feed`, `team feeds`)."""
    from app.services.common.money import format_money

    s = summary
    head = (
        f"feed {s.sequence} (batch {s.batch_id}, business day {s.business_date:%Y-%m-%d},"
        f" {s.rows} rows, {s.encoding}) from {s.file}: "
    )
    if s.already_applied:
        return [head + "applied already; nothing changed"]
    return [
        head + "applied",
        f"  accounts: {s.accounts_new} new, {s.accounts_closed} closed ({s.closed_settled}"
        f" settled and {s.closed_written_off} written off by the lender, {s.settled_by_payments}"
        f" paid off), {s.reopened} owing again after a reversal",
        f"  payments: {s.payments} for {format_money(s.payments_amount, 'CNY')}"
        f" ({s.payments_known} already known); reversals: {s.reversals} for"
        f" {format_money(s.reversals_amount, 'CNY')} ({s.reversals_known} already known)",
        f"  changes: {s.borrowers_new} new borrowers, {s.borrowers_changed} borrowers changed"
        f" ({s.borrowers_moved_country} to another country), {s.contact_points_new} new contact"
        f" points ({s.contact_points_known} already known), {s.schedules_changed} schedules"
        f" ({s.instalments_changed} instalments)",
        f"  promises: {s.promises_kept} kept, {s.promises_changed} changed; plans changed:"
        f" {s.plans_changed}; reported payments matched: {s.reports_matched}",
        f"  rows refused: {s.rows_refused}",
    ]
