"""Opening a workstation: the central database it syncs with and its own encrypted copy.

The central database is either a PostgreSQL server the user signs in to with their own login
role, or, in demo mode, an embedded SQLite file beside the workstation's copy (built with the
demo portfolio on the first start). Either way the window works on the local copy only; the
central database is reached by sync alone, so a shift goes on when it cannot be reached.

A server is reached over TLS, checked as app/database.py's `Tls` says (verify-full unless the
administrator lowers it to require); a connection with less is refused before it is tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from app.database import (
    TLS_ENV,
    TLS_ROOT_CERT_ENV,
    Database,
    InsecureConnection,
    Tls,
    UnknownTlsMinimum,
)
from app.models import User
from app.services.common.errors import DomainError, InvalidInput
from app.services.sync.engine import STATE

# host[:port]/database
SERVER = re.compile(
    r"(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\])(?::(?P<port>\d{1,5}))?/(?P<database>[A-Za-z0-9_-]+)"
)
CONNECT_TIMEOUT = 5


class SignInFailed(DomainError):
    """The server answered and refused this user name and password."""


class ServerUnreachable(DomainError):
    """The server could not be reached: work offline on the local copy, it syncs later."""


class ServerNotTrusted(ServerUnreachable):
    """The server answered, but not over a TLS connection this workstation could check (its
    certificate, the name in it, or TLS at all): nothing was sent to it."""


# What libpq says when TLS fails: a certificate that does not check out, a name that does not
# match, no root certificate to check it with, a server without TLS.
TLS_FAILURES = ("SSL error", "SSL SYSCALL", "certificate", "does not support SSL")


@dataclass(frozen=True)
class Server:
    """Where a central database is (no user, no password: safe to keep in the settings)."""

    host: str
    port: int
    database: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"

    def url(self, username: str, password: str) -> str:
        return URL.create(
            "postgresql+psycopg",
            username=username,
            password=password,
            host=self.host.strip("[]"),
            port=self.port,
            database=self.database,
        ).render_as_string(hide_password=False)


def server_of_url(url: str) -> Server:
    """The server a PostgreSQL URL names (its user and password left out)."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "localhost")
    return Server(host, parsed.port or 5432, parsed.database or "")


def parse_server(text: str) -> Server:
    """A server written as host[:port]/database (port 5432 when left out)."""
    match = SERVER.fullmatch(text.strip())
    port = int(match["port"] or 5432) if match else 0
    if match is None or not 0 < port < 65536:
        raise InvalidInput(
            "“{text}” is not a server: write host[:port]/database, e.g. db.example.cn/collector.",
            text=text,
        )
    return Server(match["host"], port, match["database"])


def connection_refusal(error: InsecureConnection | UnknownTlsMinimum) -> InvalidInput:
    """The user's message for a connection refused for want of TLS (the same English text)."""
    if isinstance(error, UnknownTlsMinimum):
        return InvalidInput(
            "“{value}” is not a TLS minimum: {variable} and File → Settings → TLS minimum take"
            " verify-full or require.",
            value=error.value,
            variable=TLS_ENV,
        )
    if error.cleartext:
        return InvalidInput(
            "The server {server} would be reached without TLS ({setting}={sslmode}): use"
            " sslmode={minimum} or leave sslmode out. The minimum is set by {variable} or"
            " under File → Settings → TLS minimum.",
            server=error.server,
            setting=error.setting,
            sslmode=error.sslmode,
            minimum=error.minimum,
            variable=TLS_ENV,
        )
    return InvalidInput(
        "The server {server} would be reached without checking its certificate"
        " ({setting}={sslmode}; the minimum is {minimum}): use sslmode={minimum} or leave"
        " sslmode out. Only where the administrator says so, set {variable}=require or choose"
        " require under File → Settings → TLS minimum.",
        server=error.server,
        setting=error.setting,
        sslmode=error.sslmode,
        minimum=error.minimum,
        variable=TLS_ENV,
    )


def central_as(server: Server, username: str, password: str, tls: Tls | None = None) -> Database:
    """The central database as this user's login role, not reached yet (nothing is tried
    until a sync runs: how a workstation starts offline).

    `tls`: what the server must offer; by default the environment's (app/database.py)."""
    try:
        return Database(
            server.url(username, password),
            tls=tls,
            # A server gone silent mid-sync must not hold the workstation's one worker for the
            # kernel's TCP timeout (minutes): unanswered data or keepalives end it in seconds.
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
                "tcp_user_timeout": 30_000,
            },
            pool_pre_ping=True,
        )
    except (InsecureConnection, UnknownTlsMinimum) as error:
        raise connection_refusal(error) from None


def sign_in(server: Server, username: str, password: str, tls: Tls | None = None) -> Database:
    """The central database as this user's own login role, once the server has accepted it."""
    if not username.strip() or not password:
        raise InvalidInput("Enter your user name and password.")
    db = central_as(server, username.strip(), password, tls)
    try:
        with db.engine.connect() as connection:
            known = connection.execute(
                select(User.id).where(User.username == username.strip(), User.active.is_(True))
            ).first()
    except DBAPIError as error:
        db.dispose()
        text = str(error.orig)
        reason = text.strip().splitlines()[0] if text.strip() else type(error).__name__
        # Before the password's check: "root certificate file … does not exist" is TLS's.
        if any(failure in text for failure in TLS_FAILURES):
            raise ServerNotTrusted(
                "The server {server} could not be reached securely: {reason}. Its certificate"
                " is checked against File → Settings → Root certificate or {variable}, else"
                " ~/.postgresql/root.crt.",
                server=str(server),
                reason=reason,
                variable=TLS_ROOT_CERT_ENV,
            ) from None
        if "password authentication failed" in text or "does not exist" in text:
            raise SignInFailed(
                "The server did not accept this user name and password.",
            ) from None
        raise ServerUnreachable(
            "The server {server} did not answer: {reason}",
            server=str(server),
            reason=reason,
        ) from None
    if known is None:
        db.dispose()
        raise SignInFailed("“{username}” is not an active user of this server.", username=username)
    return db


def server_default_profile(central: Database) -> str | None:
    """The contact-rule profile the central server gives borrowers whose country has none of
    its own (`central init`); None when the server has not said."""
    with central.engine.connect() as connection:
        code = connection.execute(
            text("SELECT value ->> 'default' FROM server_policy WHERE key = 'scripts'")
        ).scalar()
    return str(code) if code else None


def copy_owner(local: Database) -> str | None:
    """Whose scope the local copy holds, if it has ever synced."""
    with local.engine.connect() as connection:
        state = connection.execute(select(STATE.c.username, STATE.c.last_sync_at)).first()
    if state is None or state.last_sync_at is None:
        return None
    return str(state.username)
