"""What every command shares: argument types, JSON-ready values, and the database it works on."""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from app.config import Config

if TYPE_CHECKING:
    from app.database import Database

DEFAULT_DEMO_ACCOUNTS = 2000
# Exit codes of every command (README, "Exit codes"): 0 done; 1 refused (a rule, the server,
# a value that does not make sense); 2 a plan saved that waits for a team lead; 3 to 8 what
# verify-agreement found, a code for each answer (app.cli.plans: altered, unknown, genuine but
# no longer in force, terms-match, unreadable, not a PDF); EXIT_USAGE arguments the command
# cannot take at all; EXIT_NO_DISPLAY the window with no display to open on; EXIT_BROKEN_PIPE
# whoever read the output stopped reading (`queue --json | head`): 128 + SIGPIPE, as a shell
# reports any program a closed pipe ended.
EXIT_USAGE = 64
EXIT_NO_DISPLAY = 69
EXIT_BROKEN_PIPE = 141
# The roles a staff login may have (app.models.Role, without the administrator).
COLLECTOR, FIELD_AGENT, TEAM_LEAD = "collector", "field_agent", "team_lead"
STAFF = (COLLECTOR, FIELD_AGENT, TEAM_LEAD)
# The reminders job's own login (`reminders …`): for no other command.
SYSTEM = "system"
# The days a date or time argument may name: a command counts days around the one it is given
# (the next day's callbacks, a report's weeks, a queue's promise window), and so near the ends
# of the calendar Python can count no further.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
# The databases commands opened, closed when the command is done (`close_databases`).
_opened: list[Database] = []


class Parser(argparse.ArgumentParser):
    """argparse's parser, refusing bad arguments in one line and with a code of their own
    (argparse's own is 2, which `plan offer` gives a plan saved for approval)."""

    def error(self, message: str) -> Any:
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def for_roles(parser: argparse.ArgumentParser, *roles: str) -> None:
    """Which staff roles a command is for when signed in to a server as a staff login (none:
    administrators only). Without it, a command is for every role and its service decides;
    say it where the server would otherwise refuse in its own words, or where the command is
    plainly not a role's work."""
    parser.set_defaults(roles=roles)


def without_server(parser: argparse.ArgumentParser) -> None:
    """A command that does not work on the database $COLLECTOR_WORKSTATION_DATABASE_URL
    names as the signed-in user (it reads nothing, or signs in by itself)."""
    parser.set_defaults(signs_in=False)


def positive_arg(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}")
    return value


def moment_arg(text: str) -> datetime:
    """ISO-8601; a time without an offset is taken in the lender's zone."""
    from app.services.common.clock import business_zone

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not an ISO-8601 time") from None
    if not FIRST_DAY + timedelta(days=1) <= moment.date() <= LAST_DAY - timedelta(days=1):
        raise _out_of_range(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=business_zone())
    return moment.astimezone(UTC)


def day_arg(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _out_of_range(text)
    return day


def _out_of_range(text: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(
        f"“{text}” is outside the days this program counts"
        f" ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
    )


def open_database(config: Config, *, build_demo: bool = True, stamp: bool = True) -> Database:
    """The database a command works on. The embedded one is upgraded, built with the demo on
    its first start, and stamps every change, so workstations sync what commands do. A server's
    schema is left alone at this program's revision; when it is behind, only an administrator's
    login upgrades it, and anyone else is told so in one line."""
    db = database(config.database_url)
    if not config.embedded:
        from app.services.sync.server import ensure_schema

        ensure_schema(db)
        return db
    db.upgrade()
    from app.services.common.queue_summary import keep_current

    # A catalogue edited since the queue's summary was kept: the summary follows it.
    keep_current(db)
    if build_demo and not has_users(db):
        from app.demo.builder import build_demo as build

        print(
            f"First start: building the demo portfolio ({DEFAULT_DEMO_ACCOUNTS} accounts)…",
            file=sys.stderr,
        )
        build(db, accounts=DEFAULT_DEMO_ACCOUNTS)
    if stamp:
        from app.services.sync.engine import install_clock

        install_clock(db)
    return db


def database(url: str) -> Database:
    """The database at `url`, made once a command: signing in to a server and the command's
    own work share one engine and its connections (a server's are TLS handshakes). Closed by
    `close_databases`."""
    from app.database import Database

    for db in _opened:
        if db.url == url:
            return db
    db = Database(url)
    _opened.append(db)
    return db


def close_databases() -> None:
    """Close what the command opened: a server's login holds few connections, and a command
    run inside another program (the tests) leaves none behind."""
    while _opened:
        _opened.pop().dispose()


def has_users(db: Database) -> bool:
    from sqlalchemy import select

    from app.models import User

    with db.reader() as session:
        return session.scalar(select(User.id).limit(1)) is not None


def plain(value: Any) -> Any:
    """Dataclasses, Decimals, dates, times and UUIDs as JSON-ready values."""
    from dataclasses import fields, is_dataclass
    from decimal import Decimal

    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def names_arg(text: str) -> tuple[str, ...]:
    """A comma-separated list (user names, buckets), blanks dropped."""
    return tuple(part.strip() for part in text.split(",") if part.strip())
