"""Reminders in the queue's reasons: the day after the dispatcher sent one and no payment came,
the collector reads so (in either language); a payment after it, or a contact that day or
later, takes the reason away, and a reminder the provider could not deliver asks for the
number to be checked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.database import Database
from app.models import ReminderMessage
from app.services.common.reference import queue_weights
from app.services.contact.contacts import record_contact
from app.services.contact.queue import LiveQueue, Queue, QueueEntry, build_queue
from app.services.messaging.base import DeliveryReport, MessageChannel
from app.services.messaging.spool import SpoolSender
from app.services.plans.payments import record_payment
from app.services.reminders.dispatch import apply_reports, run_reminders
from tests.helpers.contacts import outcome
from tests.helpers.portfolio import ADMIN, Account, Portfolio
from tests.helpers.queues import same

TODAY = date(2026, 11, 26)
MORNING = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
NEXT_MORNING = MORNING + timedelta(days=1)


def _send(db: Database, folder: Path, at: datetime) -> None:
    senders = {
        "sms": SpoolSender(folder, MessageChannel.SMS),
        "email": SpoolSender(folder, MessageChannel.EMAIL),
    }
    report = run_reminders(db, senders, at=at)
    assert report.sent == report.planned > 0


def _reasons(queue: Queue, account: Account, language: str = "en") -> list[str]:
    entry: QueueEntry = next(e for e in queue.entries if e.contract_no == account.contract_no)
    return [reason.text(language) for reason in entry.reasons]


def _reminder_reasons(queue: Queue, account: Account, language: str = "en") -> list[str]:
    words = ("reminder", "提醒")
    return [text for text in _reasons(queue, account, language) if any(w in text for w in words)]


def test_a_reminder_no_payment_followed_is_a_reason_the_day_after(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    # Seven days past due on the 26th: the strategy's after_7 SMS (and e-mail, to who has one:
    # the same reminder) goes that morning, and nothing went two days earlier (five days past
    # due is no step's day).
    sent = portfolio.account(
        today=TODAY, dpd=7, numbers={"mobile": "13812345678", "email": "wang.fang@example.cn"}
    )
    paid = portfolio.account(today=TODAY, dpd=7)
    answered = portfolio.account(today=TODAY, dpd=7)
    undelivered = portfolio.account(today=TODAY, dpd=7)
    # Three days past due: after_1 on the 24th, after_3 on the 26th.
    twice = portfolio.account(today=TODAY, dpd=3)
    # Five days past due: after_3 on the 24th only.
    earlier = portfolio.account(today=TODAY, dpd=5)
    # A reminder's outcome written on a call (by hand, or synced from elsewhere) is no reminder.
    odd = portfolio.account(today=TODAY, dpd=5)
    portfolio.attempt(odd, MORNING - timedelta(days=1), "FAILED", channel="call")
    portfolio.attempt(odd, MORNING - timedelta(days=1), "SENT", channel="call")
    spool = tmp_path / "spool"
    # Talked to the day before: the reminder after it is news all the same.
    day_before = MORNING - timedelta(days=1)
    record_contact(db, outcome(sent, "RTP", started_at=day_before), now=day_before)
    _send(db, spool, MORNING - timedelta(days=2))
    _send(db, spool, MORNING)

    # The same day, the borrower may still pay: no reason yet.
    same_day = build_queue(db, "zhang.wei", MORNING + timedelta(hours=1))
    assert _reminder_reasons(same_day, sent) == []
    assert _reminder_reasons(same_day, earlier) == ["reminder sent 2 days ago, no payment"]

    afternoon = MORNING + timedelta(hours=5)
    record_payment(db, ADMIN, paid.contract_no, "100.00", afternoon, now=afternoon)
    record_contact(db, outcome(answered, "RTP", started_at=afternoon), now=afternoon)
    with db.reader() as session:
        key, to = session.execute(
            select(ReminderMessage.key, ReminderMessage.recipient).where(
                ReminderMessage.loan_id == undelivered.loan_id,
                ReminderMessage.planned_at == MORNING,
            )
        ).one()
        channels = session.scalars(
            select(ReminderMessage.channel).where(ReminderMessage.loan_id == sent.loan_id)
        ).all()
    assert sorted(channel.value for channel in channels) == ["email", "sms"]
    failed = DeliveryReport("", to, False, afternoon, key=key, error_code="MOBILE_NUMBER_ILLEGAL")
    assert apply_reports(db, [failed]).failed == 1

    queue = build_queue(db, "zhang.wei", NEXT_MORNING)
    assert _reminder_reasons(queue, sent) == ["reminder sent yesterday, no payment"]
    assert _reminder_reasons(queue, sent, "zh_CN") == ["昨日已发提醒，仍未还款"]
    assert _reminder_reasons(queue, paid) == []
    assert _reminder_reasons(queue, answered) == []
    assert _reminder_reasons(queue, undelivered) == ["SMS reminder not delivered: check the number"]
    assert _reminder_reasons(queue, undelivered, "zh_CN") == ["短信提醒未送达：请核实号码"]
    assert _reminder_reasons(queue, twice) == ["2 reminders since 11-24, no payment"]
    assert _reminder_reasons(queue, twice, "zh_CN") == ["11-24起已提醒2次，仍未还款"]
    assert _reminder_reasons(queue, earlier) == ["reminder sent 3 days ago, no payment"]
    assert _reminder_reasons(queue, odd) == ["reminder sent 3 days ago, no payment"]
    assert _reminder_reasons(queue, earlier, "zh_CN") == ["3天前已发提醒，仍未还款"]
    # Read from the history itself, the queue is the same.
    same(queue, build_queue(db, "zhang.wei", NEXT_MORNING, summary=False))

    # A week after the last one, it is no longer news.
    week_on = build_queue(db, "zhang.wei", MORNING + timedelta(days=8))
    assert _reminder_reasons(week_on, sent) == []


def test_a_payment_takes_the_reason_away_in_the_live_queue_as_in_a_fresh_one(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    sent = portfolio.account(today=TODAY, dpd=7)
    other = portfolio.account(today=TODAY, dpd=7, principal="36000")
    _send(db, tmp_path / "spool", MORNING)
    live = LiveQueue(db, "zhang.wei")
    first = live.read(NEXT_MORNING)
    assert _reminder_reasons(first, sent) == ["reminder sent yesterday, no payment"]
    entry = next(e for e in first.entries if e.contract_no == sent.contract_no)
    at = NEXT_MORNING + timedelta(minutes=5)
    record_payment(db, ADMIN, sent.contract_no, "1.00", at - timedelta(minutes=1), now=at)
    after = live.read(at, changed={entry.loan_key})
    assert _reminder_reasons(after, sent) == []
    assert _reminder_reasons(after, other) == ["reminder sent yesterday, no payment"]
    # The reason weighed in; a yuan less overdue moves the amount's part by a point at most.
    now_entry = next(e for e in after.entries if e.contract_no == sent.contract_no)
    weight = queue_weights()["reminders"]["no_payment"]
    assert weight - 1 <= entry.score - now_entry.score <= weight + 1
    same(after, build_queue(db, "zhang.wei", at))
    # A contact on the other account, as the window says: gone there too.
    later = at + timedelta(minutes=5)
    record_contact(db, outcome(other, "HU", started_at=later - timedelta(minutes=2)), now=later)
    other_key = next(e.loan_key for e in after.entries if e.contract_no == other.contract_no)
    last = live.read(later, changed={other_key})
    assert _reminder_reasons(last, other) == []
    same(last, build_queue(db, "zhang.wei", later))
