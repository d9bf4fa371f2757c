"""The senders an installation configured, for the dispatcher and for `messaging test-…`.

E-mail goes through the SMTP server of COLLECTOR_WORKSTATION_SMTP_HOST, SMS through the Alibaba
Cloud SMS account of COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID (app.services.messaging
.settings); a channel with neither configured has no sender, and its messages wait.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from app.services.common.errors import DomainError, InvalidInput
from app.services.common.reference import load_json
from app.services.messaging.aliyun_sms import AliyunDeliveryReports, AliyunSmsSender
from app.services.messaging.base import (
    DeliveryReports,
    MessageChannel,
    OutboundMessage,
    Sender,
    SendResult,
    SendStatus,
)
from app.services.messaging.email import SmtpSender
from app.services.messaging.settings import (
    aliyun_secret,
    aliyun_settings,
    smtp_password,
    smtp_settings,
)


class ChannelNotConfigured(DomainError):
    """No sender is configured for the channel a command needs."""


def configured_senders(environ: Mapping[str, str] | None = None) -> dict[MessageChannel, Sender]:
    """A sender for each channel the installation configured (none: no key for that channel).

    environ: where the settings and secrets are read (default: the process's environment;
    secrets not there come from the OS keychain). Raises MessagingNotConfigured for settings
    that make no sense and SecretUnavailable for a configured channel without its secret, each
    in one line. Each sender is a context manager: leaving it closes what it keeps open (the
    SMTP connection reused across a batch).
    """
    senders: dict[MessageChannel, Sender] = {}
    smtp = smtp_settings(environ)
    if smtp is not None:
        senders[MessageChannel.EMAIL] = SmtpSender(smtp, smtp_password(smtp, environ))
    sms = aliyun_settings(environ)
    if sms is not None:
        senders[MessageChannel.SMS] = AliyunSmsSender(sms, aliyun_secret(sms, environ))
    return senders


def configured_delivery_reports(
    environ: Mapping[str, str] | None = None,
) -> dict[MessageChannel, DeliveryReports]:
    """Where delivery reports are fetched, by channel: SMS's from Alibaba Cloud
    (QuerySendDetails). E-mail has none to fetch (SMTP says only that the server took it)."""
    reports: dict[MessageChannel, DeliveryReports] = {}
    sms = aliyun_settings(environ)
    if sms is not None:
        reports[MessageChannel.SMS] = AliyunDeliveryReports(sms, aliyun_secret(sms, environ))
    return reports


def sender_for(channel: MessageChannel, environ: Mapping[str, str] | None = None) -> Sender:
    """The configured sender of one channel; ChannelNotConfigured when there is none."""
    sender = configured_senders(environ).get(channel)
    if sender is None:
        if channel is MessageChannel.EMAIL:
            raise ChannelNotConfigured(
                "No mail server is configured: set COLLECTOR_WORKSTATION_SMTP_HOST and"
                " COLLECTOR_WORKSTATION_SMTP_FROM (README, “Reminders: e-mail and SMS”)."
            )
        raise ChannelNotConfigured(
            "No SMS provider is configured: set COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID"
            " (README, “Reminders: e-mail and SMS”)."
        )
    return sender


def send_one(message: OutboundMessage, environ: Mapping[str, str] | None = None) -> SendResult:
    """Send one message through the configured sender of its channel, then close it."""
    sender = sender_for(message.channel, environ)
    try:
        return sender.send(message)
    finally:
        close = getattr(sender, "close", None)
        if close is not None:
            close()


def template_values(items: Sequence[str]) -> dict[str, str]:
    """A template's values from NAME=VALUE items (`--param`)."""
    values: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise InvalidInput("A template value is NAME=VALUE, not “{item}”.", item=item)
        values[name.strip()] = value
    return values


def trial_message(
    channel: MessageChannel,
    to: str,
    language: str,
    *,
    template_code: str | None = None,
    template_params: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> OutboundMessage:
    """The one test message `messaging test-email` / `test-sms` sends (texts in
    resources/messaging/test_message.json), with a key of its own each time."""
    if language not in ("en", "zh_CN"):
        raise InvalidInput("The language must be en or zh_CN, not “{language}”.", language=language)
    texts = load_json("messaging/test_message.json")[language]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    key = f"test-{channel}-{moment:%Y%m%dT%H%M%S%fZ}"
    if channel is MessageChannel.EMAIL:
        return OutboundMessage(
            key=key,
            channel=channel,
            to=to,
            language=language,
            subject=texts["subject"],
            text=texts["email"],
        )
    return OutboundMessage(
        key=key,
        channel=channel,
        to=to,
        language=language,
        text=texts["sms"],
        template_code=template_code,
        template_params=dict(template_params or {}),
    )


class Answer(DomainError):
    """What a provider answered a test message, in one line (printed, not raised)."""


def answer_line(result: SendResult) -> str:
    """The provider's answer to one message, in one line."""
    if result.status is SendStatus.ACCEPTED:
        return Answer(
            "accepted: the provider took the message ({provider_id}).",
            provider_id=result.provider_id or "-",
        ).message
    if result.status is SendStatus.RETRY:
        return Answer(
            "not sent, try again later: {code} {text}",
            code=result.error_code or "-",
            text=result.error_text or "",
        ).message
    if result.status is SendStatus.UNKNOWN:
        return Answer(
            "no answer after the whole message went: it may have arrived ({code} {text})",
            code=result.error_code or "-",
            text=result.error_text or "",
        ).message
    if result.status is SendStatus.OPTED_OUT:
        return Answer(
            "refused, the recipient opted out: {code} {text}",
            code=result.error_code or "-",
            text=result.error_text or "",
        ).message
    return Answer(
        "refused: {code} {text}", code=result.error_code or "-", text=result.error_text or ""
    ).message


def kept_line(entry: str) -> str:
    """`messaging set-secret`'s answer: where the secret is kept (never the secret)."""
    return Answer("kept in the keychain as {entry}", entry=entry).message
