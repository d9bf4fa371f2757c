"""The spool: a sender that writes each message to a folder instead of a provider.

What `reminders run` uses where no SMTP server or SMS provider is configured (the demo, a
test, a lender trying the strategy out): each message is one file named by its key, an .eml
(RFC 5322, from the standard library's email package) for an e-mail and a JSON file for an
SMS, written whole or not at all (a temporary file, then a rename that refuses to replace
one). A key already spooled is never written again: the answer is the one the file gives, so
a message whose answer was lost (a run killed after the send) is found, not sent twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from app.services.messaging.base import MessageChannel, OutboundMessage, SendResult, SendStatus

SPOOL_ENV = "COLLECTOR_WORKSTATION_SPOOL_DIR"
SENDER_ADDRESS = "reminders@spool.invalid"
# A key is made of these (the dispatcher's keys are); anything else could leave the folder.
KEY = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")


def spool_folder(data_dir: Path) -> Path:
    """The folder named by $COLLECTOR_WORKSTATION_SPOOL_DIR, else `spool` in the data folder."""
    named = os.environ.get(SPOOL_ENV)
    return Path(named) if named else data_dir / "spool"


class SpoolSender:
    """Writes each message as a file named by its key; reports ACCEPTED with a provider id."""

    # A file in a folder reaches nobody: what is spooled was never sent to a borrower.
    reaches_recipients = False

    def __init__(self, folder: Path, channel: MessageChannel) -> None:
        self.folder = folder
        self.channel = channel

    def path(self, key: str) -> Path:
        suffix = ".eml" if self.channel is MessageChannel.EMAIL else ".json"
        # ":" is not allowed in a file name everywhere.
        return self.folder / (key.replace(":", "_") + suffix)

    def send(self, message: OutboundMessage) -> SendResult:
        if not KEY.match(message.key) or message.channel is not self.channel:
            return SendResult(
                message.key, SendStatus.REJECTED, error_code="spool.bad_message", error_text=""
            )
        found = self._spooled(message.key)
        if found is not None:
            return found
        self.folder.mkdir(parents=True, exist_ok=True)
        content = self._content(message)
        target = self.path(message.key)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(content)
        try:
            # A hard link fails if the name exists: a file once written is never replaced.
            os.link(partial, target)
        except FileExistsError:
            pass
        finally:
            partial.unlink(missing_ok=True)
        return SendResult(message.key, SendStatus.ACCEPTED, provider_id=_provider_id(target))

    def resolve(self, message: OutboundMessage, since: datetime) -> SendResult | None:
        """The answer for `message` if it was sent earlier (its file is there); None when it
        never was. `since` does not matter: a file stays until someone removes it."""
        return self._spooled(message.key)

    def _spooled(self, key: str) -> SendResult | None:
        target = self.path(key)
        if not target.exists():
            return None
        return SendResult(key, SendStatus.ACCEPTED, provider_id=_provider_id(target))

    def _content(self, message: OutboundMessage) -> bytes:
        if self.channel is MessageChannel.SMS:
            return json.dumps(
                {
                    "out_id": message.key,
                    "phone_numbers": message.to,
                    "sign_name": message.sign_name,
                    "template_code": message.template_code,
                    "template_param": dict(message.template_params),
                    "language": message.language,
                    "text": message.text,
                },
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8")
        mail = EmailMessage()
        mail["From"] = SENDER_ADDRESS
        mail["To"] = message.to
        mail["Subject"] = message.subject or ""
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["Message-ID"] = f"<{message.key}@spool.invalid>"
        mail["Content-Language"] = message.language.replace("_", "-")
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return bytes(mail)


def _provider_id(path: Path) -> str:
    return "spool-" + hashlib.sha256(path.name.encode()).hexdigest()[:16]
