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
