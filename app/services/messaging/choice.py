"""Which senders carry the lender's messages: the ones the installation configured (senders.py:
an SMTP server for e-mail, Alibaba Cloud SMS for SMS), and the spool (spool.py) for every
channel none is configured for, which the caller says.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.services.messaging.base import DeliveryReports, MessageChannel, Sender
from app.services.messaging.senders import configured_delivery_reports, configured_senders
from app.services.messaging.spool import SpoolSender, spool_folder


@dataclass(frozen=True)
class Senders:
    by_channel: Mapping[str, Sender]
    # What carries each channel, in a few words for the run's output.
    described: Mapping[str, str]
    reports: tuple[DeliveryReports, ...] = field(default_factory=tuple)


def senders_from_config(data_dir: Path, environ: Mapping[str, str] | None = None) -> Senders:
    """The senders the configuration names; the spool for every channel none is set for.

    Raises MessagingNotConfigured / SecretUnavailable (one line each) when a channel is
    configured wrongly or without its secret: nothing is sent rather than spooled by mistake.
    """
    configured = configured_senders(environ)
    folder = spool_folder(data_dir)
    by_channel: dict[str, Sender] = {}
    described: dict[str, str] = {}
    for channel in MessageChannel:
        sender = configured.get(channel)
        if sender is None:
            by_channel[channel.value] = SpoolSender(folder, channel)
            described[channel.value] = f"spool {folder}"
        else:
            by_channel[channel.value] = sender
            described[channel.value] = _described(channel)
    reports = tuple(configured_delivery_reports(environ).values())
    return Senders(by_channel, described, reports)


def _described(channel: MessageChannel) -> str:
    return "SMTP server" if channel is MessageChannel.EMAIL else "Alibaba Cloud SMS"


@contextmanager
def opened(senders: Senders) -> Iterator[Senders]:
    """The senders, each closed on leaving (the SMTP connection kept across a batch)."""
    with ExitStack() as stack:
        for sender in senders.by_channel.values():
            close = getattr(sender, "close", None)
            if close is not None:
                stack.callback(close)
        yield senders
