"""What every outbound channel takes and answers: a message, a send result, a delivery report.

The reminder dispatcher (app.services.reminders) decides who gets what and renders it; a
sender only carries a rendered message to a provider and says what the provider answered.
Senders never decide, retry on their own, or write to the database: the dispatcher records
every answer, so a message killed half-way is found and never sent twice.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class MessageChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


@dataclass(frozen=True)
class OutboundMessage:
    """One rendered message to one recipient.

    key: unique per message and stable across runs (the dispatcher's idempotency key); a
        provider that accepts a caller's id (SMS OutId, e-mail Message-ID) is given it.
    to: an E.164 phone number for SMS, an e-mail address for e-mail.
    text: the whole body as the recipient reads it (SMS: with the 【signature】 and the
        opt-out line; e-mail: plain text).
    template_code / template_params / sign_name: what a Chinese SMS provider sends instead
        of free text (a registered template, its values, the registered signature).
    """

    key: str
    channel: MessageChannel
    to: str
    language: str
    text: str
    subject: str | None = None
    html: str | None = None
    sign_name: str | None = None
    template_code: str | None = None
    template_params: Mapping[str, str] = field(default_factory=dict)


class SendStatus(enum.StrEnum):
    ACCEPTED = "accepted"  # the provider took it; delivery is reported later
    REJECTED = "rejected"  # the provider refused it for good (invalid number, bad template...)
    OPTED_OUT = "opted_out"  # the provider refused it: the recipient opted out / blacklisted
    RETRY = "retry"  # transient: rate limit, timeout, server error; send again later
    # The provider had the whole message and its answer was lost (a connection dropped before
    # it): it may have arrived. Never sent again by itself where the provider cannot be asked.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SendResult:
    key: str
    status: SendStatus
    provider_id: str | None = None  # SMS BizId, e-mail Message-ID
    error_code: str | None = None  # the provider's own code, e.g. "isv.MOBILE_NUMBER_ILLEGAL"
    error_text: str | None = None
    # A message found sent earlier (`Resolver.resolve`) whose fate the provider already knows:
    # its delivery report (delivered, failed, or refused by the recipient).
    report: DeliveryReport | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """What the provider later says happened to an accepted message."""

    provider_id: str
    to: str
    delivered: bool
    reported_at: datetime
    key: str | None = None  # the OutboundMessage.key when the provider echoes it back
    error_code: str | None = None
    # Undelivered because the recipient refused the sender's messages (unsubscribed, or
    # complained to the carrier): nothing more goes to them on this channel.
    opted_out: bool = False


class Sender(Protocol):
    """Carries messages of one channel. Two facts about it are class attributes, read with
    `reaches_recipients` and `reports_delivery` below: whether what it takes can reach a person
    at all (the spool's files cannot), and whether the provider reports delivery later (an SMS
    carrier's receipt) or its acceptance is all there is to know (an SMTP server)."""

    channel: MessageChannel

    def send(self, message: OutboundMessage) -> SendResult:
        """Carry one message; never raises for a provider's refusal (a result says it)."""
        ...


def reaches_recipients(sender: object) -> bool:
    """Whether a message the sender takes can reach its recipient (not a spool's file)."""
    return bool(getattr(sender, "reaches_recipients", True))


def reports_delivery(sender: object) -> bool:
    """Whether the sender's provider reports later whether a message it took was delivered."""
    return bool(getattr(sender, "reports_delivery", False))


class Resolver(Protocol):
    """A sender that can say what became of a message whose answer was lost (a run killed
    between the send and the record of its answer): the spool by its file, an SMS provider by
    the OutId it keeps. An SMTP server cannot be asked, so the SMTP sender is no Resolver."""

    def resolve(self, message: OutboundMessage, since: datetime) -> SendResult | None:
        """What became of `message`, planned at `since` (no send of it began earlier): None
        when the provider has no trace of it (it never went, and may be sent); else the
        provider's answer, ACCEPTED (with its report when delivery is already known) or RETRY
        (the provider cannot be asked now: ask again later, send nothing)."""
        ...


class DeliveryReports(Protocol):
    def fetch(self, sent: Sequence[tuple[str, str, datetime]]) -> list[DeliveryReport]:
        """Reports for messages accepted earlier: (provider_id, to, sent_at) each."""
        ...
