"""CLI commands for this workstation's copy: `collector-workstation sync …`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from app.cli.common import open_database, without_server
from app.config import Config
from app.services.common.errors import InvalidInput

if TYPE_CHECKING:
    from app.database import Database

OFFLINE = 3  # exit status when the central database did not answer


def register(commands: Any) -> None:
    """Add `sync` to the CLI's subparsers."""
    sync = commands.add_parser(
        "sync",
        help="sync this workstation's encrypted copy with the central database",
        description="Push the changes waiting in this workstation's copy, then pull what changed"
        " in the user's scope. Without --server the central database is the embedded demo file"
        " (or $COLLECTOR_WORKSTATION_DATABASE_URL).",
    )
    sync.add_argument("--user", required=True, help="whose copy (and login role on a server)")
    sync.add_argument("--server", help="HOST[:PORT]/DATABASE of a central PostgreSQL server")
    sync.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the server password from standard input (else the remembered one, or asked)",
    )
    sync.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the local copy's passphrase from standard input (after the password), where"
        " no keychain keeps its key",
    )
    sync.add_argument(
        "--keep-aside",
        action="store_true",
        help="when another user's changes still wait in this workstation's copy, keep that copy"
        " aside for them (encrypted with its own key, back with its changes at their next sync"
        " or sign-in here) and sync --user on a fresh copy; needs the system keychain",
    )
    what = sync.add_mutually_exclusive_group()
    what.add_argument("--status", action="store_true", help="only show the sync status")
    what.add_argument("--conflicts", action="store_true", help="list the changes not taken")
    sync.set_defaults(handler=_sync)
    # It signs in by itself, as --user with their own password, wherever the server is.
    without_server(sync)


def _sync(config: Config, args: argparse.Namespace) -> int:
    from app.services.sync import engine as sync
    from app.services.sync.aside import ChangesWaiting, copies_aside, take_over
    from app.services.sync.local_store import (
        KeychainUnavailable,
        keychain_key,
        open_local_store,
        passphrase_key,
    )
    from app.services.sync.waiting import waiting_changes
    from app.services.sync.workstation import ServerUnreachable

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    if args.passphrase_stdin:
        key = passphrase_key(sys.stdin.readline().rstrip("\n"))
    else:
        try:
            key = keychain_key(config.data_dir)
        except KeychainUnavailable as error:
            raise InvalidInput(
                "{reason} (give it with --passphrase-stdin)", reason=error.message
            ) from None
    local = open_local_store(config.data_dir, key)
    try:
        if args.conflicts:
            return _print_conflicts(sync.conflicts(local))
        if not args.status:
            try:
                central = _central(config, args, password)
            except ServerUnreachable as error:
                print(f"offline: {error.message}", file=sys.stderr)
                _print_status(sync.sync_status(local), waiting_changes(local))
                return OFFLINE
            try:
                # The server has accepted --user: the copy becomes theirs to sync.
                taken = take_over(config.data_dir, local, key, args.user, keep=args.keep_aside)
            except ChangesWaiting as error:
                central.dispose()
                print(f"error: {error.message}", file=sys.stderr)
                owner = error.params["username"]
                print(
                    f"  `sync --user {owner}` sends them; `--keep-aside` keeps them aside for"
                    f" {owner} (encrypted with their copy's own key) and goes on",
                    file=sys.stderr,
                )
                return 1
            except BaseException:
                central.dispose()
                raise
            local = taken.local
            if taken.kept_aside is not None:
                kept = taken.kept_aside
                print(
                    f"kept aside: the copy of {kept.username} with {kept.waiting} changes"
                    f" waiting, until {kept.username} signs in or syncs here"
                )
            if taken.restored is not None:
                back = taken.restored
                print(
                    f"back: the copy of {back.username} kept aside since"
                    f" {back.set_aside_at.isoformat(timespec='seconds')}, its changes sent now"
                )
            try:
                report = sync.sync(local, central, args.user)
            except sync.SyncFailed as error:
                print(f"offline: {error.message}", file=sys.stderr)
                _print_status(sync.sync_status(local), waiting_changes(local))
                return OFFLINE
            finally:
                central.dispose()
            push, pull = report.push, report.pull
            erased = f", {pull.erased} borrowers erased under retention" if pull.erased else ""
            print(
                f"sent {push.sent} changes ({push.conflicts} conflicts, {push.refused} refused);"
                f" received {pull.rows} rows: {pull.arrived} accounts arrived,"
                f" {pull.purged} left{erased}"
            )
        _print_status(sync.sync_status(local), waiting_changes(local))
        for copy in copies_aside(config.data_dir):
            print(
                f"kept aside: {copy.username}, {copy.waiting} changes waiting, since"
                f" {copy.set_aside_at.isoformat(timespec='seconds')}"
            )
        return 0
    finally:
        local.dispose()


def _central(config: Config, args: argparse.Namespace, password: str | None) -> Database:
    from app.services.sync.credentials import recall_password
    from app.services.sync.workstation import parse_server, server_of_url, sign_in

    if args.server is None and config.embedded:
        return open_database(config)
    if args.server is not None:
        server = parse_server(args.server)
    else:
        server = server_of_url(config.database_url)
    password = password or recall_password(str(server), args.user)
    if password is None:
        password = getpass.getpass(f"Password for {args.user} on {server}: ")
    return sign_in(server, args.user, password)


def _print_status(status: Any, waiting: Any) -> None:
    when = status.last_sync_at.isoformat(timespec="seconds") if status.last_sync_at else "never"
    state = "online" if status.online else "offline"
    print(
        f"{status.username or '-'}: {state}, last sync {when}, {status.waiting} changes waiting,"
        f" {status.conflicts} conflicts"
    )
    if waiting.total:
        kinds = ", ".join(f"{kind} {count}" for kind, count in waiting.kinds)
        oldest = (
            f"; the oldest since {waiting.oldest.isoformat(timespec='seconds')}"
            if waiting.oldest
            else ""
        )
        print(f"waiting: {kinds}{oldest}")
    if status.last_error:
        print(f"last error: {status.last_error}")


def _print_conflicts(found: list[Any]) -> int:
    for conflict in found:
        fields = ", ".join(conflict.fields)
        account = conflict.contract_no or "-"
        print(f"{conflict.id}  {conflict.kind:8}  {conflict.table:15} {account:16} {fields}")
        print(f"    {conflict.reason}")
    if not found:
        print("no conflicts")
    return 0
