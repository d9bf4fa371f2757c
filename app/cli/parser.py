"""The command line's parser: the top options, each command group's commands, and the window
when no command is given."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from app import __version__
from app.cli import central, plans, reviews, sync, team, team_queue, work
from app.cli.common import close_databases
from app.config import Config, resolve
from app.database import InsecureConnection, UnknownTlsMinimum
from app.services.common.errors import DomainError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    config = resolve(args.data_dir)
    # The database a refusal comes from: the command's own --url, else the configured one.
    url = getattr(args, "url", None) or config.database_url
    try:
        handler = getattr(args, "handler", _window)
        result: int = handler(config, args)
        return result
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    except (InsecureConnection, UnknownTlsMinimum) as error:
        # A server named with less TLS than the minimum: refused before any connection.
        from app.services.sync.workstation import connection_refusal

        print(f"error: {connection_refusal(error).message}", file=sys.stderr)
        return 1
    except DBAPIError as error:
        from app.services.sync.server import refusal

        # The server's refusals in one line; a mistake in a statement of ours stays loud.
        refused = refusal(error, url)
        if refused is None:
            raise
        print(f"error: {refused.message}", file=sys.stderr)
        return 1
    finally:
        close_databases()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collector-workstation",
        description="Collector Workstation: work a collection queue lawfully and humanely.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        help="folder for the embedded database (default: the user data folder;"
        " also COLLECTOR_WORKSTATION_DATA_DIR)",
    )
    parser.add_argument(
        "--user", help="open the window as this user, without asking (no command given)"
    )
    commands = parser.add_subparsers(
        title="commands (without one, the main window opens)", metavar="COMMAND"
    )

    work.register(commands)
    plans.register(commands)
    central.register(commands)
    sync.register(commands)
    team_queue.register(commands)
    team.register(commands)
    reviews.register(commands)
    return parser


def _window(config: Config, args: argparse.Namespace) -> int:
    if _no_display():
        print(
            "error: there is no display to open the window on. Run it in a desktop session,"
            " or on a server: xvfb-run collector-workstation (the commands in --help work"
            " without a display).",
            file=sys.stderr,
        )
        return 2
    from app.ui.shell.start import run

    return run(config, args.user)


def _no_display() -> bool:
    """On Linux without X11, Wayland or a chosen Qt platform, Qt would abort the process."""
    if not sys.platform.startswith("linux"):
        return False
    return not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    )
