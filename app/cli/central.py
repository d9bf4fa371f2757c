"""CLI commands for the central database (`collector-workstation central …`): the schema and
security of a PostgreSQL server, and on it or on the embedded database the users, the teams and
the lending system's export.

Without --url (or $COLLECTOR_WORKSTATION_DATABASE_URL) the users, teams and import commands
work on the embedded database, which has users but no login roles.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import retention
from app.cli.common import database, for_roles
from app.config import DATABASE_URL_ENV, Config
from app.services.common.errors import InvalidInput

if TYPE_CHECKING:
    from app.database import Database


def register(commands: Any) -> None:
    """Add the `central` commands to the CLI's subparsers."""
    central = commands.add_parser(
        "central", help="the central database: schema and security, users, teams, the import"
    )
    actions = central.add_subparsers(title="central commands", metavar="ACTION", required=True)

    def url(parser: argparse.ArgumentParser, default: str) -> None:
        parser.add_argument("--url", help=f"{default} (default: ${DATABASE_URL_ENV})")

    init = actions.add_parser(
        "init", help="create or upgrade the schema, roles and row-level security (PostgreSQL)"
    )
    url(init, "an administrator's SQLAlchemy URL")
    init.set_defaults(handler=_init)
    # An administrator's work: a staff login is told so before anything is asked or read.
    for_roles(init)
    add = actions.add_parser(
        "add-user",
        help="a user (on PostgreSQL with their own login role; on the embedded database the"
        " user alone)",
    )
    add.add_argument("username")
    add.add_argument(
        "--role",
        required=True,
        choices=["collector", "field_agent", "team_lead", "system"],
        help="system: the reminders job's own login (`reminders run`), with its own narrow"
        " rights on the server and no team",
    )
    add.add_argument(
        "--team", help="the user's team (`central team list`); required but for --role system"
    )
    add.add_argument(
        "--new-team", action="store_true", help="make the team when there is none of that name"
    )
    add.add_argument("--display-name")
    url(add, "an administrator's SQLAlchemy URL; without one, the embedded database")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new user's password from standard input (else it is asked for;"
        " PostgreSQL only)",
    )
    add.set_defaults(handler=_add_user)
    for_roles(add)
    off = actions.add_parser(
        "deactivate-user",
        help="end a user's access now: inactive, and on PostgreSQL login refused and open"
        " sessions cut",
    )
    off.add_argument("username")
    url(off, "an administrator's SQLAlchemy URL; without one, the embedded database")
    off.set_defaults(handler=_deactivate_user)
    for_roles(off)

    team = actions.add_parser("team", help="the teams: create, list, rename")
    team_actions = team.add_subparsers(title="team commands", metavar="ACTION", required=True)
    create = team_actions.add_parser("create", help="a new team")
    create.add_argument("name")
    url(create, "an administrator's SQLAlchemy URL; without one, the embedded database")
    create.set_defaults(handler=_create_team)
    for_roles(create)
    listing = team_actions.add_parser(
        "list", help="every team with its leads, members and accounts (active, in the pool)"
    )
    url(listing, "an administrator's SQLAlchemy URL; without one, the embedded database")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list_teams)
    for_roles(listing)
    rename = team_actions.add_parser("rename", help="give a team another name")
    rename.add_argument("name", metavar="OLD")
    rename.add_argument("new_name", metavar="NEW")
    url(rename, "an administrator's SQLAlchemy URL; without one, the embedded database")
    rename.set_defaults(handler=_rename_team)
    for_roles(rename)

    load = actions.add_parser(
        "import-portfolio",
        help="load the lending system's export (docs/import-format.md): all rows or none",
    )
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.add_argument(
        "--encoding",
        help="the file's encoding (default: UTF-8, with or without BOM, else GB18030/GBK)",
    )
    load.add_argument(
        "--team",
        help="the team whose pool takes the loans nobody is assigned to (unless their row"
        " names a team)",
    )
    url(load, "the database; without one, the embedded database")
    load.set_defaults(handler=_import_portfolio)
    for_roles(load)
    retention.register(actions)
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
    return database(url)


def _database(config: Config, args: argparse.Namespace) -> Database:
    """The database named by --url or the environment, else the embedded one, at this
    program's revision. An embedded (SQLite) one also stamps every change, so workstations
    sync what the command does; it is not filled with the demo."""
    from app.services.sync.engine import install_clock
    from app.services.sync.server import ensure_schema

    db = database(args.url or config.database_url)
    try:
        ensure_schema(db)
        if db.engine.dialect.name == "sqlite":
            install_clock(db)
    except BaseException:
        db.dispose()
        raise
    return db


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
    from app.services.sync.central import add_user, check_team

    # Before the password is asked for.
    check_team(args.role, args.team)
    db = _database(config, args)
    try:
        password = None
        if db.engine.dialect.name == "postgresql":
            password = _password(args)
        added = add_user(
            db,
            args.username,
            args.role,
            args.team,
            password,
            display_name=args.display_name,
            new_team=args.new_team,
        )
    finally:
        db.dispose()
    team = f"{added.team}, a new team" if added.team_created else added.team
    if added.team is None and added.login:
        print(
            f"added {added.username} (system) with a login role of its own, a member of"
            " cw_system: the reminders job signs in as it"
        )
    elif added.team is None:
        print(f"added {added.username} (system) to the embedded database")
    elif added.login:
        print(f"added {added.username} ({added.role}, {team}) with a login role of their own")
    else:
        print(
            f"added {added.username} ({added.role}, {team}) to the embedded database"
            " (it has no logins: no password is kept)"
        )
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"Password for {args.username}: ")
    if getpass.getpass("Again: ") != password:
        raise InvalidInput("The two passwords differ.")
    return password


def _deactivate_user(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import deactivate_user

    db = _database(config, args)
    try:
        done = deactivate_user(db, args.username)
    finally:
        db.dispose()
    if done.login:
        print(
            f"deactivated {done.username}: their login is refused;"
            f" {done.sessions_cut} open sessions cut"
        )
    else:
        print(f"deactivated {done.username}: they can no longer work on this database")
    if done.accounts:
        print(
            f"{done.accounts} active account(s) are still theirs: their lead moves them"
            f" (`collector-workstation team reassign --user LEAD --from {done.username} --to …`)"
        )
    return 0


def _create_team(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import create_team

    db = _database(config, args)
    try:
        name = create_team(db, args.name)
    finally:
        db.dispose()
    print(f"created team {name}")
    return 0


def _rename_team(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import rename_team

    db = _database(config, args)
    try:
        name = rename_team(db, args.name, args.new_name)
    finally:
        db.dispose()
    print(f"renamed team {args.name.strip()} to {name}")
    return 0


def _list_teams(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync.central import list_teams

    db = _database(config, args)
    try:
        teams = list_teams(db)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps([team.as_json() for team in teams], ensure_ascii=False, indent=2))
        return 0
    for team in teams:
        print(
            f"{team.name:<16} lead {', '.join(team.leads) or '-':<20}"
            f" {team.active:>3} active {team.inactive:>3} inactive"
            f" {team.accounts:>6} accounts {team.pool:>5} in the pool"
        )
    print(f"{len(teams)} team(s)")
    return 0


def _import_portfolio(config: Config, args: argparse.Namespace) -> int:
    from app.services.portfolio.importing import ImportRefused, import_portfolio

    db = _database(config, args)
    try:
        summary = import_portfolio(db, args.file, team=args.team, encoding=args.encoding)
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
