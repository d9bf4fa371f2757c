"""The command line's parser: the top options, each command group's commands, and the window
when no command is given.

Signed in to a server as a staff login ($COLLECTOR_WORKSTATION_DATABASE_URL naming a user's own
login), a command acts for that user: `--user` defaults to them and may name no one else, and a
command not for their role (`common.for_roles`) says so before it touches data. What the server
still refuses is printed in one line, as a service's refusal is.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from typing import cast

from app import __version__
from app.cli import (
    attachments,
    cases,
    central,
    contacts,
    experiments,
    legal,
    legal_exports,
    letters,
    messaging,
    model,
    my_day,
    plans,
    reminders,
    reviews,
    sync,
    team,
    team_queue,
    work,
)
from app.cli.common import (
    EXIT_BROKEN_PIPE,
    EXIT_NO_DISPLAY,
    STAFF,
    Parser,
    close_databases,
    database,
)
from app.config import Config, resolve
from app.services.common.errors import DomainError, problems_of


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command (or the window); its exit status. Output read by a program that stops
    reading early (`queue --json | head`) ends the command quietly, whichever command it is."""
    try:
        try:
            return _main(argv)
        finally:
            # Output still buffered meets a closed pipe here, not at the interpreter's exit.
            if sys.stdout is not None:
                sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's own flush at exit
    meets no closed pipe again (as the Python documentation on SIGPIPE advises)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file (run inside another program): nothing is flushed to a pipe at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    config = resolve(args.data_dir)
    # The database a refusal comes from: the command's own --url, else the configured one.
    url = getattr(args, "url", None) or config.database_url
    try:
        handler = getattr(args, "handler", None)
        if handler is None:
            return _window(config, args)
        _sign_in(parser, url, args)
        result: int = handler(config, args)
        return result
    except DomainError as error:
        # Every problem with the input at once, each on a line of its own.
        for problem in problems_of(error):
            print(f"error: {problem.message}", file=sys.stderr)
        return 1
    except Exception as error:
        refused = _refusal(error, url)
        if refused is None:
            raise
        print(f"error: {refused.message}", file=sys.stderr)
        return 1
    finally:
        close_databases()


def _refusal(error: Exception, url: str) -> DomainError | None:
    """A refusal to print in one line, or None for an error that stays loud (a mistake in a
    statement of ours). The database layer is loaded here, not at start, so `--help` and
    commands that never touch a database start without it."""
    from sqlalchemy.exc import DBAPIError

    from app.database import InsecureConnection, UnknownTlsMinimum

    if isinstance(error, InsecureConnection | UnknownTlsMinimum):
        # A server named with less TLS than the minimum: refused before any connection.
        from app.services.sync.workstation import connection_refusal

        return connection_refusal(error)
    if isinstance(error, DBAPIError):
        from app.services.sync.server import refusal

        # The server's refusals in one line.
        return refusal(error, url)
    return None


def command_parsers(
    parser: argparse.ArgumentParser | None = None,
) -> dict[str, argparse.ArgumentParser]:
    """Every command a user can run, by its full name ("team reassign"), and its parser."""
    return dict(_leaves(parser or _parser(), ()))


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...]
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield " ".join(path), parser
        return
    for group in groups:
        for name, child in group.choices.items():
            yield from _leaves(child, (*path, name))


def _sign_in(parser: argparse.ArgumentParser, url: str, args: argparse.Namespace) -> None:
    """Before a command runs: who the server acts for, and whether the command is theirs."""
    signed_in = None
    if getattr(args, "signs_in", True) and not url.startswith("sqlite"):
        from app.services.sync.server import signed_in as who

        signed_in = who(database(url))
    if signed_in is not None:
        from app.services.sync.server import acting_user, refuse_command

        refuse_command(signed_in, args.command, getattr(args, "roles", STAFF))
        if args.takes_user:
            args.user = acting_user(signed_in, args.user)
    if args.takes_user and args.user is None and args.user_required:
        command_parsers(parser)[args.command].error("the following arguments are required: --user")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
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
    # Each command's parser is a Parser too (argparse makes them of the parent's class).
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(
            title="commands (without one, the main window opens)", metavar="COMMAND"
        ),
    )

    work.register(commands)
    my_day.register(commands)
    contacts.register(commands)
    plans.register(commands)
    letters.register(commands)
    legal_exports.register(commands)
    central.register(commands)
    sync.register(commands)
    team_queue.register(commands)
    team.register(commands)
    legal.register(commands)
    reviews.register(commands)
    reminders.register(commands)
    messaging.register(commands)
    attachments.register(commands)
    model.register(commands)
    cases.register(commands)
    experiments.register(commands)
    for name, command in _leaves(parser, ()):
        _mark(name, command)
    return parser


def _mark(name: str, command: argparse.ArgumentParser) -> None:
    """Give a command its name and say whether it acts for a --user. A required --user may be
    left out signed in as a staff login (it is then that user): `_sign_in` asks for it after."""
    user = next((a for a in command._actions if "--user" in a.option_strings), None)
    relaxed = user is not None and user.required and command.get_default("signs_in") is not False
    if user is not None and relaxed:
        user.required = False
        user.help = (user.help + "; " if user.help else "") + (
            "required, except signed in to a server as a staff login (then it is you)"
        )
    command.set_defaults(command=name, takes_user=user is not None, user_required=relaxed)


def _window(config: Config, args: argparse.Namespace) -> int:
    if _no_display():
        print(
            "error: there is no display to open the window on. Run it in a desktop session,"
            " or on a server: xvfb-run collector-workstation (the commands in --help work"
            " without a display).",
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY
    from app.ui.shell.start import run

    return run(config, args.user)


def _no_display() -> bool:
    """On Linux without X11, Wayland or a chosen Qt platform, Qt would abort the process."""
    if not sys.platform.startswith("linux"):
        return False
    return not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    )
