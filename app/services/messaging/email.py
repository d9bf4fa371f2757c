"""E-mail over SMTP: one connection for a batch, TLS always, every answer a SendResult.

A message becomes a MIME e-mail (UTF-8 text, an HTML alternative when there is one) with a
Message-ID made from its key: sent again after a crash, it carries the same Message-ID, so
the receiving side can tell it is the same message. The server is reached with STARTTLS
(port 587) or TLS from the first byte (SMTPS, 465), its certificate checked (against a private
CA where one is configured); nothing is ever said in the clear.

The SMTP transaction is driven step by step (MAIL, RCPT, DATA, the message, its answer) so
that a connection found dropped at MAIL, before anything of the message went out, is opened
again and the message sent on it; one lost before the whole message went is answered RETRY
(the server takes no message it did not have to its end); one lost after, before the server's
answer, UNKNOWN: it may have arrived, and the dispatcher never sends it again by itself (an
SMTP server cannot be asked what it took).
"""

from __future__ import annotations

import base64
import hashlib
import smtplib
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from types import TracebackType
from typing import Self
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from app.services.common.errors import DomainError
from app.services.common.reference import lender
from app.services.messaging.base import MessageChannel, OutboundMessage, SendResult, SendStatus
from app.services.messaging.settings import SmtpSecurity, SmtpSettings

# What RFC 5322 allows in a Message-ID's left part besides letters and digits ("atext"),
# less "%", which escapes every other character of a key.
_ATEXT = "!#$&'*+-/=?^_`{|}~"
# Past this the left part is a digest of the key (a Message-ID line stays within 998 octets).
_LONGEST_ID = 200
# Bodies go out as 7-bit text (base64 or quoted-printable for Chinese), whatever the server
# offers: no 8BITMIME needed.
_POLICY = SMTP.clone(cte_type="7bit")
# Codes that say the server cannot take anything from us now (not about this message).
_SIGN_IN_CODES = {530, 534, 535, 538}


class InvalidEmail(DomainError):
    """A message that cannot be sent as it is (refused before any connection)."""


class MailServerUnreachable(DomainError):
    """The server could not be reached or would not talk safely: one line, for a RETRY."""

    code = "unreachable"


def _unreachable(code: str, error: MailServerUnreachable) -> MailServerUnreachable:
    error.code = code
    return error


def message_id(key: str, domain: str) -> str:
    """The Message-ID of the message with this key: the same key, the same Message-ID."""
    left = quote(key, safe=_ATEXT)
    if len(left) > _LONGEST_ID or not left:
        left = "sha256-" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"<{left}@{domain}>"


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\x85" for c in text)


def _recipient(text: str) -> str:
    """The recipient's address as a mail server takes it; InvalidEmail otherwise."""
    if _has_control(text):
        raise InvalidEmail("The e-mail address holds a line break or another control character.")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(
            "“{address}” is not an e-mail address: {reason}", address=text, reason=str(error)
        ) from None
    if checked.ascii_email is None:
        raise InvalidEmail(
            "“{address}” needs a mail server with SMTPUTF8 (letters other than ASCII before the"
            " @); it is not sent.",
            address=text,
        )
    return checked.ascii_email


def build_email(message: OutboundMessage, settings: SmtpSettings, now: datetime) -> EmailMessage:
    """The e-mail for `message`, headers and body; InvalidEmail for what cannot be sent."""
    if message.channel is not MessageChannel.EMAIL:
        raise InvalidEmail("This message is for the {channel} channel, not e-mail.",
                           channel=str(message.channel))  # fmt: skip
    to = _recipient(message.to)
    subject = (message.subject or "").strip()
    if not subject:
        raise InvalidEmail("The e-mail has no subject.")
    name = settings.from_name or lender().name.get(message.language) or lender().name["en"]
    if _has_control(subject) or _has_control(name):
        raise InvalidEmail(
            "The subject or the sender's name holds a line break or another control character."
        )
    if not message.text.strip():
        raise InvalidEmail("The e-mail has no text.")
    email = EmailMessage(policy=_POLICY)
    email["From"] = Address(display_name=name, addr_spec=settings.from_address)
    email["To"] = Address(addr_spec=to)
    email["Subject"] = subject
    email["Date"] = format_datetime(now.astimezone(UTC))
    email["Message-ID"] = message_id(message.key, settings.domain)
    if settings.list_unsubscribe:
        email["List-Unsubscribe"] = settings.list_unsubscribe
    email.set_content(message.text, subtype="plain", charset="utf-8")
    if message.html:
        email.add_alternative(message.html, subtype="html", charset="utf-8")
    # After the body: setting content drops the Content-* headers set before.
    email["Content-Language"] = message.language.replace("_", "-")
    return email


def _answer_text(answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    return " ".join(text.split())


class SmtpSender:
    """Sends e-mail through one SMTP server; a context manager that keeps one connection open
    for a batch (opened at the first message, closed on leaving or by `close`).

    password: the server's (None without a user); kept out of repr and of every answer.
    """

    channel = MessageChannel.EMAIL

    def __init__(
        self,
        settings: SmtpSettings,
        password: str | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._password = password
        self._clock = clock
        self._connection: smtplib.SMTP | None = None

    def __repr__(self) -> str:  # the password never lands in a log or a traceback
        s = self.settings
        return f"SmtpSender({s.host}:{s.port}, {s.security}, user={s.username!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        opened: list[smtplib.SMTP] = []
        try:
            if s.security is SmtpSecurity.TLS:
                opened.append(smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context))
                opened[0].ehlo()
            else:
                opened.append(smtplib.SMTP(s.host, s.port, timeout=s.timeout))
                opened[0].ehlo()
                if not opened[0].has_extn("starttls"):
                    raise _unreachable(
                        "no-starttls",
                        MailServerUnreachable(
                            "The mail server {server} does not offer STARTTLS; nothing is sent"
                            " in the clear.",
                            server=self._where(),
                        ),
                    )
                opened[0].starttls(context=context)
                opened[0].ehlo()
            if s.username is not None:
                _sign_in(opened[0], s.username, self._password or "")
            return opened[0]
        except BaseException as error:
            for connection in opened:
                connection.close()
            raise self._failure(error) from None

    def _failure(self, error: BaseException) -> BaseException:
        """Why the connection could not be had, as one line; other errors as they are."""
        if isinstance(error, MailServerUnreachable):
            return error
        if isinstance(error, smtplib.SMTPAuthenticationError):
            text = MailServerUnreachable(
                "The mail server {server} refused the sign-in of {user}: {code} {answer}",
                server=self._where(),
                user=self.settings.username,
                code=error.smtp_code,
                answer=_answer_text(error.smtp_error),
            )
            return _unreachable(str(error.smtp_code), text)
        if isinstance(error, ssl.SSLCertVerificationError):
            text = MailServerUnreachable(
                "The mail server {server}'s certificate was not accepted: {reason}",
                server=self._where(),
                reason=error.verify_message or str(error),
            )
            return _unreachable("certificate", text)
        if isinstance(error, OSError):  # smtplib's errors too
            text = MailServerUnreachable(
                "The mail server {server} could not be reached: {reason}",
                server=self._where(),
                reason=_reason(error),
            )
            return _unreachable("unreachable", text)
        return error

    def _retry(self, message: OutboundMessage, failure: MailServerUnreachable) -> SendResult:
        return SendResult(
            message.key, SendStatus.RETRY, error_code=failure.code, error_text=failure.message
        )

    def send(self, message: OutboundMessage) -> SendResult:
        """Send one message on the batch's connection (opened or opened again as needed)."""
        try:
            email = build_email(message, self.settings, self._clock())
        except DomainError as error:
            return SendResult(
                message.key, SendStatus.REJECTED, error_code="invalid", error_text=error.message
            )
        ident = str(email["Message-ID"])
        to = email["To"].addresses[0].addr_spec
        content = email.as_bytes(policy=_POLICY)
        for attempt in (1, 2):
            try:
                if self._connection is None:
                    self._connection = self._connect()
                connection = self._connection
                code, answer = connection.mail(self.settings.from_address)
            except MailServerUnreachable as failure:
                return self._retry(message, failure)
            except (OSError, smtplib.SMTPException):
                # Dropped while idle (the server's timeout): nothing of this message went out.
                self._drop()
                if attempt == 1:
                    continue
                return self._lost(message)
            if code == 421 and attempt == 1:
                # The server is closing this connection: a fresh one may be taken.
                self._drop()
                continue
            break
        if code != 250:
            return self._refused(message, code, answer)
        try:
            code, answer = connection.rcpt(to)
            if code not in (250, 251):
                return self._refused(message, code, answer)
            code, answer = connection.docmd("DATA")
            if code != 354:
                return self._refused(message, code, answer)
            connection.send(_data(content))
        except smtplib.SMTPResponseException as error:
            return self._refused(message, error.smtp_code, error.smtp_error)
        except (OSError, smtplib.SMTPException):
            # The message never went to its end: the server took nothing.
            self._drop()
            return self._lost(message)
        try:
            code, answer = connection.getreply()
        except (OSError, smtplib.SMTPException):
            # The server had it all; its answer never came: it may have arrived.
            self._drop()
            return self._unanswered(message)
        if code != 250:
            return self._refused(message, code, answer)
        return SendResult(message.key, SendStatus.ACCEPTED, provider_id=ident)

    def _lost(self, message: OutboundMessage) -> SendResult:
        text = MailServerUnreachable(
            "The connection to the mail server {server} was lost before the whole message"
            " went: it did not arrive, and is sent again.",
            server=self._where(),
        )
        return SendResult(
            message.key, SendStatus.RETRY, error_code="disconnected", error_text=text.message
        )

    def _unanswered(self, message: OutboundMessage) -> SendResult:
        text = MailServerUnreachable(
            "The connection to the mail server {server} was lost after the whole message went,"
            " before its answer: it may have arrived, and is not sent again by itself.",
            server=self._where(),
        )
        return SendResult(
            message.key, SendStatus.UNKNOWN, error_code="unanswered", error_text=text.message
        )

    def _refused(self, message: OutboundMessage, code: int, answer: bytes | str) -> SendResult:
        """The server's refusal of this message, as a result (its code, then its words); the
        transaction is reset."""
        text = _answer_text(answer) or str(code)
        try:
            if self._connection is not None:
                self._connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
        if code == 421:
            self._drop()
        return SendResult(
            message.key, smtp_status(code, text, self.settings), error_code=str(code),
            error_text=text,
        )  # fmt: skip


def _data(content: bytes) -> bytes:
    """The message as DATA carries it (smtplib's quoting: a leading dot doubled, CRLF line
    ends), ended by a lone dot. `content` is 7-bit: the policy encodes every header and body."""
    text = smtplib.quotedata(content.decode("ascii"))
    if not text.endswith("\r\n"):
        text += "\r\n"
    return (text + ".\r\n").encode("ascii")


def smtp_status(code: int, answer: str, settings: SmtpSettings) -> SendStatus:
    """What an SMTP reply means for a message: 2xx taken; 4xx (and a sign-in or TLS demand)
    try again later; a 5xx naming an opt-out, the recipient opted out; any other 5xx refused
    for good (550/553: no such recipient, 552/554: the message refused)."""
    if 200 <= code < 300:
        return SendStatus.ACCEPTED
    if code < 500 or code in _SIGN_IN_CODES:
        return SendStatus.RETRY
    lowered = answer.lower()
    if any(marker in lowered for marker in settings.opt_out_markers):
        return SendStatus.OPTED_OUT
    return SendStatus.REJECTED


def _sign_in(connection: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN in UTF-8 as RFC 4616 defines it, where the server offers it (smtplib's own
    sends ASCII only, and after a refusal tries the next mechanism on a confused line); else
    smtplib's login (LOGIN, CRAM-MD5), for an ASCII user and password."""
    offered = connection.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
        code, answer = connection.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, answer)
        return
    if not (user + password).isascii():
        raise smtplib.SMTPException("the server offers no AUTH PLAIN for a password beyond ASCII")
    connection.login(user, password)


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_answer_text(error.smtp_error)}"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return " ".join(str(text).split())
