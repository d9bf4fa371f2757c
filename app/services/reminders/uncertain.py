"""Messages whose fate nobody knows: a send began, the run was killed before the answer was
recorded, and the sender cannot be asked (an SMTP server keeps no list of what it took).

The dispatcher never sends such a message again by itself (app.services.reminders.dispatch);
it stays planned with the moment its send began, listed here, until an administrator who
looked (the mail server's log, the borrower) settles it: sent (it gets its contact attempt,
as if the answer had been recorded) or not sent (the next run sends it, if it is still due and
allowed). Each settlement is audited in the administrator's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.database import Database
from app.models import Loan, MessageStatus, ReminderMessage, Role
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.scope import find_user
from app.services.messaging.base import SendResult, SendStatus
from app.services.reminders.dispatch import record_answer


@dataclass(frozen=True)
class Uncertain:
    """A planned message whose send began and whose answer was never recorded."""

    key: str
    contract_no: str
    channel: str
    recipient: str
    planned_at: datetime
    began_at: datetime
    # The answer an earlier send got, if it was told to try again.
    error: str | None


def uncertain_messages(db: Database) -> list[Uncertain]:
    """Every planned message a send of which began and whose answer was lost, oldest first.

    SMS among them are asked of the provider again by the next run; e-mail waits for
    `settle_uncertain`."""
    with db.reader() as session:
        rows = session.execute(
            select(
                ReminderMessage.key,
                Loan.contract_no,
                ReminderMessage.channel,
                ReminderMessage.recipient,
                ReminderMessage.planned_at,
                ReminderMessage.sent_at,
                ReminderMessage.error,
            )
            .join(Loan, Loan.id == ReminderMessage.loan_id)
            .where(
                ReminderMessage.status == MessageStatus.PLANNED,
                ReminderMessage.sent_at.is_not(None),
            )
            .order_by(ReminderMessage.sent_at, ReminderMessage.key)
        ).all()
    return [
        Uncertain(key, contract, channel.value, to, planned, began, error)
        for key, contract, channel, to, planned, began, error in rows
        if began is not None
    ]


def settle_uncertain(db: Database, key: str, *, sent: bool, username: str) -> str:
    """An administrator says what became of an uncertain message: `sent` (recorded as sent,
    with its contact attempt, when its send began) or not (the next run sends it if it is
    still due and allowed). The status it has now."""
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.ADMIN:
            raise NotAllowed(
                "Only an administrator settles a message whose answer was lost, not {user}.",
                user=username,
            )
        row = session.scalar(select(ReminderMessage).where(ReminderMessage.key == key))
        if row is None:
            raise NotFound("There is no reminder message {key}.", key=key)
        if row.status is not MessageStatus.PLANNED:
            raise InvalidInput(
                "The message {key} is not uncertain: it is {status} already.",
                key=key,
                status=row.status.value,
            )
        if row.sent_at is None:
            raise InvalidInput(
                "The message {key} is not uncertain: no send of it began (a run sends it while"
                " it is due).",
                key=key,
            )
        began = row.sent_at
        if sent:
            # An e-mail the mail server took: a credit-reporting notice's is given, from now.
            record_answer(
                session, row, SendResult(key, SendStatus.ACCEPTED), began, notice_at=clock.now()
            )
        else:
            row.sent_at = None  # it never went: the try is counted
            row.retries += 1
        audit(
            session,
            "reminder.settled",
            "reminder_message",
            row.id,
            {"key": key, "settled": "sent" if sent else "not_sent", "began_at": began.isoformat()},
            user_id=user.id,
        )
        return row.status.value
