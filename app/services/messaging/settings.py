"""Where the senders' settings and secrets come from.

The settings (which mail server, which SMS account) are an installation's, like the central
server's TLS minimum: environment variables, set where the reminder job runs (a systemd unit's
`EnvironmentFile=`, a crontab) and wherever `messaging test-email`/`test-sms` are tried. They
hold no secret. The secrets (the SMTP password, the Alibaba Cloud AccessKey secret) are read
from an environment variable first (a server's job, which has no desktop keychain), else from
the OS keychain (`messaging set-secret`), never from a file; no object here prints one.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import keyring
from email_validator import EmailNotValidError, validate_email
from keyring.backends import fail
from keyring.errors import KeyringError

from app.config import APP_NAME
from app.services.common.errors import DomainError

PREFIX = "COLLECTOR_WORKSTATION_"
SMTP_HOST = PREFIX + "SMTP_HOST"
SMTP_PORT = PREFIX + "SMTP_PORT"
SMTP_SECURITY = PREFIX + "SMTP_SECURITY"
SMTP_USER = PREFIX + "SMTP_USER"
SMTP_PASSWORD = PREFIX + "SMTP_PASSWORD"
SMTP_FROM = PREFIX + "SMTP_FROM"
SMTP_FROM_NAME = PREFIX + "SMTP_FROM_NAME"
SMTP_CA_FILE = PREFIX + "SMTP_CA_FILE"
SMTP_TIMEOUT = PREFIX + "SMTP_TIMEOUT"
SMTP_LIST_UNSUBSCRIBE = PREFIX + "SMTP_LIST_UNSUBSCRIBE"
SMTP_OPT_OUT_MARKERS = PREFIX + "SMTP_OPT_OUT_MARKERS"
ALIYUN_ACCESS_KEY_ID = PREFIX + "ALIYUN_ACCESS_KEY_ID"
ALIYUN_ACCESS_KEY_SECRET = PREFIX + "ALIYUN_ACCESS_KEY_SECRET"
ALIYUN_SMS_ENDPOINT = PREFIX + "ALIYUN_SMS_ENDPOINT"
ALIYUN_SMS_SIGN_NAME = PREFIX + "ALIYUN_SMS_SIGN_NAME"
ALIYUN_SMS_TIMEOUT = PREFIX + "ALIYUN_SMS_TIMEOUT"

# Alibaba Cloud SMS's service address (one for every region of the Chinese mainland).
ALIYUN_DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
# What a mail server that keeps a suppression list tends to say when it refuses a recipient
# who unsubscribed or complained (matched case-insensitively in a 5xx answer).
DEFAULT_OPT_OUT_MARKERS = ("unsubscribed", "suppression list", "suppressed", "opted out")
# The same service name as the app's other keychain entries (the local data's key, sign-ins).
KEYCHAIN_SERVICE = APP_NAME


class MessagingNotConfigured(DomainError):
    """A sender's settings are missing or make no sense."""


class SecretUnavailable(DomainError):
    """A sender's secret is in neither the environment nor the keychain, or cannot be kept."""


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"  # port 587: plain connection upgraded before anything is said
    TLS = "tls"  # port 465 (SMTPS): TLS from the first byte


class SecretKind(StrEnum):
    SMTP = "smtp"
    ALIYUN = "aliyun"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: SmtpSecurity
    from_address: str
    username: str | None = None
    # The sender's name shown beside the address; None: the lender's, in the message's language.
    from_name: str | None = None
    # A private CA the server's certificate is checked against; None: the system's.
    ca_file: Path | None = None
    timeout: float = 30.0
    # The List-Unsubscribe header's value, e.g. "<mailto:unsubscribe@lender.cn>".
    list_unsubscribe: str | None = None
    opt_out_markers: tuple[str, ...] = DEFAULT_OPT_OUT_MARKERS

    @property
    def keychain_entry(self) -> str:
        return f"messaging:smtp:{self.username or ''}@{self.host}:{self.port}"

    @property
    def domain(self) -> str:
        """The sender address's domain (Message-IDs are made in it)."""
        return self.from_address.rsplit("@", 1)[1]


@dataclass(frozen=True)
class AliyunSmsSettings:
    access_key_id: str
    endpoint: str = ALIYUN_DEFAULT_ENDPOINT
    # The registered signature (签名) used when a message names none.
    sign_name: str | None = None
    timeout: float = 10.0

    @property
    def keychain_entry(self) -> str:
        return f"messaging:aliyun:{self.access_key_id}"


def _environment(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _value(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _timeout(environ: Mapping[str, str], name: str, default: float) -> float:
    text = _value(environ, name)
    if text is None:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= 600):
        raise MessagingNotConfigured(
            "{variable} must be a number of seconds between 0 and 600, not “{value}”.",
            variable=name,
            value=text,
        )
    return seconds


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """The mail server the installation sends e-mail through; None when none is configured."""
    env = _environment(environ)
    host = _value(env, SMTP_HOST)
    if host is None:
        return None
    security_text = (_value(env, SMTP_SECURITY) or SmtpSecurity.STARTTLS).lower()
    if security_text not in set(SmtpSecurity):
        raise MessagingNotConfigured(
            "{variable} must be starttls or tls, not “{value}”.",
            variable=SMTP_SECURITY,
            value=security_text,
        )
    security = SmtpSecurity(security_text)
    port_text = _value(env, SMTP_PORT)
    port = 465 if security is SmtpSecurity.TLS else 587
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise MessagingNotConfigured(
                "{variable} must be a port number, not “{value}”.",
                variable=SMTP_PORT,
                value=port_text,
            )
        port = int(port_text)
    sender = _value(env, SMTP_FROM)
    if sender is None:
        raise MessagingNotConfigured(
            "{variable} is set but {missing} is not: the address e-mail is sent from.",
            variable=SMTP_HOST,
            missing=SMTP_FROM,
        )
    try:
        checked = validate_email(sender, check_deliverability=False)
    except EmailNotValidError as error:
        raise MessagingNotConfigured(
            "{variable} is not an e-mail address: {reason}", variable=SMTP_FROM, reason=str(error)
        ) from None
    if checked.ascii_email is None:
        raise MessagingNotConfigured(
            "{variable} must be an address a mail server takes without SMTPUTF8 (ASCII before"
            " the @).",
            variable=SMTP_FROM,
        )
    ca_text = _value(env, SMTP_CA_FILE)
    ca_file = Path(ca_text).expanduser() if ca_text else None
    if ca_file is not None and not ca_file.is_file():
        raise MessagingNotConfigured(
            "{variable} names no file: {path}", variable=SMTP_CA_FILE, path=str(ca_file)
        )
    from_name = _value(env, SMTP_FROM_NAME)
    unsubscribe = _value(env, SMTP_LIST_UNSUBSCRIBE)
    for name, text in ((SMTP_FROM_NAME, from_name), (SMTP_LIST_UNSUBSCRIBE, unsubscribe)):
        if text is not None and any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise MessagingNotConfigured(
                "{variable} holds a line break or another control character.", variable=name
            )
    markers_text = _value(env, SMTP_OPT_OUT_MARKERS)
    markers = (
        tuple(part.strip().lower() for part in markers_text.split(",") if part.strip())
        if markers_text is not None
        else DEFAULT_OPT_OUT_MARKERS
    )
    return SmtpSettings(
        host=host,
        port=port,
        security=security,
        from_address=checked.ascii_email,
        username=_value(env, SMTP_USER),
        from_name=from_name,
        ca_file=ca_file,
        timeout=_timeout(env, SMTP_TIMEOUT, 30.0),
        list_unsubscribe=unsubscribe,
        opt_out_markers=markers,
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def aliyun_settings(environ: Mapping[str, str] | None = None) -> AliyunSmsSettings | None:
    """The Alibaba Cloud SMS account the installation sends SMS through; None when none is."""
    env = _environment(environ)
    key_id = _value(env, ALIYUN_ACCESS_KEY_ID)
    if key_id is None:
        return None
    endpoint = (_value(env, ALIYUN_SMS_ENDPOINT) or ALIYUN_DEFAULT_ENDPOINT).rstrip("/")
    if "://" not in endpoint:
        endpoint = "https://" + endpoint
    parts = urlsplit(endpoint)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # a port that is no number
        port_ok = False
    # Phone numbers and message texts go in the request: in the clear only to this machine.
    plain_ok = parts.scheme == "http" and _loopback(parts.hostname or "")
    secure = parts.scheme == "https" or plain_ok
    if not (parts.hostname and port_ok and secure) or parts.path or parts.query:
        raise MessagingNotConfigured(
            "{variable} must be an https address without a path (http only to this machine),"
            " not “{value}”.",
            variable=ALIYUN_SMS_ENDPOINT,
            value=endpoint,
        )
    sign_name = _value(env, ALIYUN_SMS_SIGN_NAME)
    return AliyunSmsSettings(
        access_key_id=key_id,
        endpoint=endpoint,
        sign_name=sign_name,
        timeout=_timeout(env, ALIYUN_SMS_TIMEOUT, 10.0),
    )


def keychain_usable() -> bool:
    """Whether keyring found a keychain to use (headless servers often have none)."""
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def _from_keychain(entry: str) -> str | None:
    if not keychain_usable():
        return None
    try:
        return keyring.get_password(KEYCHAIN_SERVICE, entry)
    except KeyringError:
        return None


def smtp_password(settings: SmtpSettings, environ: Mapping[str, str] | None = None) -> str | None:
    """The mail server's password: the environment's, else the keychain's; None without a user.

    Raises SecretUnavailable when a user is configured and neither has a password.
    """
    if settings.username is None:
        return None
    secret = _environment(environ).get(SMTP_PASSWORD) or _from_keychain(settings.keychain_entry)
    if not secret:
        raise SecretUnavailable(
            "No password for the mail server: set {variable}, or keep one in the keychain with"
            " `collector-workstation messaging set-secret smtp`.",
            variable=SMTP_PASSWORD,
        )
    return secret


def aliyun_secret(settings: AliyunSmsSettings, environ: Mapping[str, str] | None = None) -> str:
    """The AccessKey secret: the environment's, else the keychain's (SecretUnavailable)."""
    env = _environment(environ)
    secret = env.get(ALIYUN_ACCESS_KEY_SECRET) or _from_keychain(settings.keychain_entry)
    if not secret:
        raise SecretUnavailable(
            "No AccessKey secret for Alibaba Cloud SMS: set {variable}, or keep it in the"
            " keychain with `collector-workstation messaging set-secret aliyun`.",
            variable=ALIYUN_ACCESS_KEY_SECRET,
        )
    return secret


def keychain_entry(kind: SecretKind, environ: Mapping[str, str] | None = None) -> str:
    """The keychain entry a secret of `kind` is kept under, for the configured account."""
    if kind is SecretKind.SMTP:
        smtp = smtp_settings(environ)
        if smtp is None or smtp.username is None:
            raise MessagingNotConfigured(
                "Set {host} and {user} first: the password is kept for that server and user.",
                host=SMTP_HOST,
                user=SMTP_USER,
            )
        return smtp.keychain_entry
    sms = aliyun_settings(environ)
    if sms is None:
        raise MessagingNotConfigured(
            "Set {variable} first: the secret is kept for that AccessKey.",
            variable=ALIYUN_ACCESS_KEY_ID,
        )
    return sms.keychain_entry


def keep_secret(kind: SecretKind, secret: str, environ: Mapping[str, str] | None = None) -> str:
    """Keep a sender's secret in the OS keychain; the entry it is kept under."""
    entry = keychain_entry(kind, environ)
    if not secret or any(ord(c) < 32 for c in secret):
        raise SecretUnavailable("The secret is empty or holds a control character.")
    if not keychain_usable():
        raise SecretUnavailable(
            "No keychain is available here: set {variable} in the job's environment instead.",
            variable=SMTP_PASSWORD if kind is SecretKind.SMTP else ALIYUN_ACCESS_KEY_SECRET,
        )
    try:
        keyring.set_password(KEYCHAIN_SERVICE, entry, secret)
    except KeyringError as error:
        raise SecretUnavailable(
            "The keychain refused to keep the secret ({reason}).",
            reason=str(error) or type(error).__name__,
        ) from None
    return entry
