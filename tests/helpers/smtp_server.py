"""A real SMTP server for the e-mail sender's tests: aiosmtpd on this machine, with STARTTLS
(or TLS from the first byte) from a certificate of the test's own, AUTH LOGIN/PLAIN, and a
record of what it received.

Its answers can be set per recipient or per subject (a 550 for a recipient, a 451 for a
message, the connection dropped at RCPT or once the message is in), to see what the sender
makes of each; and the
answer to one message it took can be held, to kill the sender while it waits.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers.tls import Ca, make_ca, make_server_certificate

USER = "reminders@hengxin.example"
PASSWORD = "smtp pass 短信 123"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    tls: bool
    login: str | None

    @property
    def email(self) -> EmailMessage:
        parsed = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    """What the server answers and what it received."""

    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    connections: int = 0
    # recipient → the answer to its RCPT; subject marker → the answer to DATA (either: "drop",
    # the connection closed instead of an answer).
    rcpt_answers: dict[str, str] = field(default_factory=dict)
    data_answers: dict[str, str] = field(default_factory=dict)
    password: str = PASSWORD
    # Hold the answer to the n-th message taken (counting from 1): `held` is set once it is
    # received, and the answer goes when `release` is (or after a minute).
    hold_data: int | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        answer = self.rcpt_answers.get(address)
        if answer == "drop":
            server.transport.close()
            return "421 closing"
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        for marker, answer in self.data_answers.items():
            if marker.encode() in content:
                if answer == "drop":
                    server.transport.close()
                    return "421 closing"
                return answer
        login = session.auth_data if session.authenticated else None
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                content=content,
                tls=session.ssl is not None
                or server.transport.get_extra_info("ssl_object") is not None,
                login=login,
            )
        )
        if len(self.received) == self.hold_data:
            self.held.set()
            for _ in range(1200):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        return "250 2.0.0 queued"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((mechanism, login))
        if (login, password) != (USER, self.password):
            return AuthResult(success=False, handled=False)  # the server answers 535
        return AuthResult(success=True, auth_data=login)


class CountingController(Controller):
    """aiosmtpd's controller, counting the connections made to it."""

    def __init__(self, handler: Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.counted = handler

    def factory(self) -> Any:
        self.counted.connections += 1
        return super().factory()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificates:
    ca: Ca
    certificate: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.key)
        return context


def certificates(folder: Path) -> Certificates:
    """A throwaway CA and a certificate for localhost / 127.0.0.1 signed by it."""
    ca = make_ca(folder / "ca")
    server = make_server_certificate(folder / "server", ca)
    return Certificates(ca, server.certificate, server.key)


@contextmanager
def smtp_server(
    certs: Certificates | None,
    *,
    implicit_tls: bool = False,
    handler: Handler | None = None,
    port: int | None = None,
    mechanisms: tuple[str, ...] = ("LOGIN", "PLAIN"),
) -> Iterator[tuple[CountingController, Handler]]:
    """A running server on 127.0.0.1: STARTTLS required before AUTH and mail (or TLS from
    the first byte); without certificates, a server that offers no TLS at all."""
    handler = handler or Handler()
    kwargs: dict[str, Any] = {
        "hostname": "127.0.0.1",
        "port": port or free_port(),
        "authenticator": handler.authenticate,
        # aiosmtpd counts only STARTTLS as TLS; a connection TLS from the first byte is too.
        "auth_require_tls": certs is not None and not implicit_tls,
        "auth_exclude_mechanism": [m for m in ("LOGIN", "PLAIN") if m not in mechanisms],
    }
    if certs is not None and implicit_tls:
        kwargs["ssl_context"] = certs.server_context()
    elif certs is not None:
        kwargs["tls_context"] = certs.server_context()
        kwargs["require_starttls"] = True
    controller = CountingController(handler, **kwargs)
    controller.start()
    # The controller's own start-up probe is no client of ours.
    handler.connections = 0
    try:
        yield controller, handler
    finally:
        controller.stop()
