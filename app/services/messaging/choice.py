"""Which senders carry the lender's messages: chosen from the configuration.

The seam where the SMTP sender and the SMS provider's adapter are picked when they are
configured (settings or environment; secrets only in the keychain or the environment). Until
then, and whenever none is configured, every channel goes to the spool (spool.py), and the
caller says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.services.messaging.base import DeliveryReports, MessageChannel, Sender
from app.services.messaging.spool import SpoolSender, spool_folder


@dataclass(frozen=True)
class Senders:
    by_channel: Mapping[str, Sender]
    # What carries each channel, in a few words for the run's output.
    described: Mapping[str, str]
    reports: tuple[DeliveryReports, ...] = field(default_factory=tuple)


def senders_from_config(data_dir: Path) -> Senders:
    """The senders the configuration names; the spool for every channel none is set for."""
    folder = spool_folder(data_dir)
    by_channel: dict[str, Sender] = {}
    described: dict[str, str] = {}
    for channel in MessageChannel:
        by_channel[channel.value] = SpoolSender(folder, channel)
        described[channel.value] = f"spool {folder}"
    return Senders(by_channel, described)
