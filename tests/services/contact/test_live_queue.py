"""The live queue: after a change or as the clock moves, it computes again only what changed, and
reads exactly as a queue built afresh at the same moment (ranks, scores, reasons, decisions)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from app.database import Database
from app.services.contact.contacts import ContactInput, PromiseInput, record_contact
from app.services.contact.queue import LiveQueue, build_queue
from app.services.contact.upkeep import set_contact_preferences
from app.services.plans.lapses import settle_lapsed
from app.services.plans.payments import record_payment
from app.services.team.assignment import set_priority
from tests.helpers.contacts import demo_users, queue_call
from tests.helpers.portfolio import Portfolio
from tests.helpers.queue_facts import AT as AS_OF  # the demo's moment
from tests.helpers.queues import same_entries as same


@pytest.fixture
def demo_db(demo_copy: Callable[[int, int], Database]) -> Database:
    """The test's own copy of a demo of 300 accounts (tests/services/contact/conftest.py)."""
    return demo_copy(300, 5)


def _change(db: Database, at: datetime, pick: random.Random) -> set[str]:
    """One thing a collector or lead does at `at`; returns the loan keys it changed."""
    queue = build_queue(db, demo_users(db)[0], at)
    callable_now = [entry for entry in queue.entries if entry.contact.allowed]
    if not callable_now:
        return set()
    entry = pick.choice(callable_now[:40])
    action = pick.choice(("NA", "NA", "CB", "PTP", "priority", "payment"))
    if action == "NA":
        record_contact(db, queue_call(db, entry, "NA", at), now=at)
    elif action == "CB":
        callback = at + timedelta(minutes=pick.randint(5, 600))
        record_contact(db, queue_call(db, entry, "CB", at, callback_at=callback), now=at)
    elif action == "PTP":
        local: date = (at + timedelta(hours=8)).date()
        promise = PromiseInput(Decimal("300.00"), local + timedelta(days=pick.randint(0, 2)))
        record_contact(db, queue_call(db, entry, "PTP", at, promise=promise), now=at)
    elif action == "priority":
        level = pick.choice(("top", "high", "low"))
        until = at + timedelta(minutes=pick.randint(20, 900))
        set_priority(db, demo_users(db)[1], [entry.contract_no], level, "test", until, now=at)
    else:
        amount = min(entry.overdue_amount, Decimal("200.00")) or Decimal("50.00")
        record_payment(db, "admin", entry.contract_no, amount, at - timedelta(minutes=1), now=at)
    return {str(entry.loan_key)}


@pytest.mark.parametrize("seed", [1, 2])
def test_live_queue_reads_as_a_fresh_queue_at_every_moment(demo_db: Database, seed: int) -> None:
    """A day and a half in uneven steps (through the evening's closing hours, the night and
    midnight), with calls, callbacks, promises, payments and a lead's overrides between
    reads: at every step the live queue reads exactly as a queue built afresh, from the
    summary of each account's history or from the history itself."""
    pick = random.Random(seed)
    collector = demo_users(demo_db)[0]
    live = LiveQueue(demo_db, collector)
    at = AS_OF
    settle_lapsed(demo_db, now=at)
    queue = live.read(at)
    same(queue, build_queue(demo_db, collector, at))
    assert live.computed == len(queue.entries) > 50
    partial = 0
    for _ in range(45):
        at += timedelta(minutes=pick.choice((1, 7, 23, 61, 97, 180)), seconds=pick.randint(0, 59))
        changed: set[str] = set()
        if pick.random() < 0.6:
            changed = _change(demo_db, at, pick)
        # As the window does: what lapsed is settled first, and read again with the rest.
        changed |= {str(loan) for loan in settle_lapsed(demo_db, now=at).loans}
        queue = live.read(at, changed=changed)
        same(queue, build_queue(demo_db, collector, at))
        # And as one read from the history itself rather than the summary kept of it.
        same(queue, build_queue(demo_db, collector, at, summary=False))
        if live.computed < len(queue.entries) // 2:
            partial += 1
    # Most reads computed a few accounts, not the whole queue.
    assert partial >= 15


def test_a_change_reads_again_only_the_borrowers_accounts(demo_db: Database) -> None:
    collector = demo_users(demo_db)[0]
    live = LiveQueue(demo_db, collector)
    at = AS_OF
    queue = live.read(at)
    entry = next(entry for entry in queue.entries if entry.contact.allowed)
    at += timedelta(minutes=3)
    record_contact(demo_db, queue_call(demo_db, entry, "NA", at), now=at)
    after = live.read(at, changed={entry.loan_key})
    assert live.loaded == 1
    assert live.computed < 10
    same(after, build_queue(demo_db, collector, at))
    # Without saying what changed, everything is read again.
    live.read(at)
    assert live.loaded == len(after.entries)


def test_queue_names_when_it_next_reads_differently(demo_db: Database) -> None:
    """next_change_at: nothing differs before it; the queue is the same just before."""
    collector = demo_users(demo_db)[0]
    live = LiveQueue(demo_db, collector)
    queue = live.read(AS_OF)
    assert queue.next_change_at is not None and queue.next_change_at > AS_OF
    just_before = queue.next_change_at - timedelta(seconds=1)
    later = live.read(just_before, changed=set())
    assert live.computed == 0
    same(later, build_queue(demo_db, collector, just_before))


def test_a_read_at_an_earlier_moment_reads_as_a_fresh_queue_then(
    db: Database, portfolio: Portfolio
) -> None:
    """A clock set back (or a look at the past): a lead's override that lapsed between the two
    moments is in force again, though the later read left it out."""
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    today = date(2026, 11, 27)
    portfolio.account(today=today, dpd=40, principal="36000")
    low = portfolio.account(today=today, dpd=5, numbers={"mobile": "13987654321"})
    set_priority(
        db, "lead.wang", [low.contract_no], "top", "test", now + timedelta(hours=1), now=now
    )
    live = LiveQueue(db, "zhang.wei")
    live.read(now + timedelta(hours=3))
    earlier = now + timedelta(minutes=5)
    queue = live.read(earlier, changed=set())
    assert queue.entries[0].contract_no == low.contract_no
    same(queue, build_queue(db, "zhang.wei", earlier))


def test_the_count_shown_falls_as_an_attempt_leaves_the_window(
    db: Database, portfolio: Portfolio
) -> None:
    """Seven calls in seven days on a US account, and an eighth logged late for the day before
    (when only six were in its window): the rule shows eight until the oldest leaves the
    window, a day before the block lifts, and seven after."""
    first = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # 10:00 in New York
    account = portfolio.account(
        today=date(2026, 11, 26),
        dpd=20,
        country="US",
        province="NY",
        numbers={"mobile": "+1 212 555 0143"},
    )
    mobile = account.points["mobile"]

    def called(at: datetime, now: datetime) -> None:
        attempt = ContactInput("zhang.wei", account.contract_no, "NA", at, contact_point_id=mobile)
        record_contact(db, attempt, now=now)

    for day in range(7):
        called(first + timedelta(days=day), first + timedelta(days=day))
    last = first + timedelta(days=6)
    called(last - timedelta(hours=23), last + timedelta(minutes=5))
    live = LiveQueue(db, "zhang.wei")
    before = first + timedelta(days=7, minutes=-10)  # 09:50 in New York, 22:50 in Beijing
    (entry,) = live.read(before).entries
    assert entry.contact.decision.detail == "8 attempts in 7 days (limit 7)"
    after = first + timedelta(days=7, minutes=5)
    queue = live.read(after, changed=set())
    assert queue.entries[0].contact.decision.detail == "7 attempts in 7 days (limit 7)"
    same(queue, build_queue(db, "zhang.wei", after))


def test_a_daily_count_falls_when_the_first_of_two_zones_starts_a_new_day(
    db: Database, portfolio: Portfolio
) -> None:
    """A borrower in Beijing on a New York number, who agreed to calls 12:00–02:00: unanswered
    calls are counted per local day of each zone. Eight fell in New York's day, six in
    Beijing's; at New York's midnight the count shown falls to Beijing's six, while the block
    holds until Beijing's midnight."""
    account = portfolio.account(
        today=date(2026, 11, 26), dpd=20, numbers={"mobile": "+1 212 555 0143"}
    )
    set_contact_preferences(
        db, "zhang.wei", account.contract_no, window=(time(12, 0), time(2, 0)), channel=None
    )
    start = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 01:00 in New York, 14:00 in Beijing
    for at in (start, start + timedelta(hours=1)):
        portfolio.attempt(account, at)
    beijing_night = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)  # 00:30 in Beijing
    for half_hours in range(6):
        portfolio.attempt(account, beijing_night + timedelta(minutes=30 * half_hours))
    live = LiveQueue(db, "zhang.wei")
    before = datetime(2026, 11, 26, 4, 55, tzinfo=UTC)  # 23:55 in New York, 12:55 in Beijing
    (entry,) = live.read(before).entries
    assert entry.contact.decision.detail == "8 unanswered attempts on this number today (limit 6)"
    after = datetime(2026, 11, 26, 5, 5, tzinfo=UTC)
    queue = live.read(after, changed=set())
    assert queue.entries[0].contact.decision.detail == (
        "6 unanswered attempts on this number today (limit 6)"
    )
    same(queue, build_queue(db, "zhang.wei", after))


def test_an_agreed_window_across_the_clocks_going_back(db: Database, portfolio: Portfolio) -> None:
    """1 November 2026 in New York: 01:40 summer time is inside a window agreed for
    01:30–03:00; twenty minutes later the clocks have gone back to 01:00 and it is outside
    again, though no edge of the window came."""
    inside = datetime(2026, 11, 1, 5, 40, tzinfo=UTC)  # 01:40 EDT
    account = portfolio.account(
        today=date(2026, 11, 1),
        dpd=20,
        country="US",
        province="NY",
        numbers={"mobile": "+1 212 555 0143"},
    )
    set_contact_preferences(
        db, "zhang.wei", account.contract_no, window=(time(1, 30), time(3, 0)), channel=None
    )
    live = LiveQueue(db, "zhang.wei")
    assert live.read(inside).entries[0].contact.allowed
    outside = datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 01:10 EST
    queue = live.read(outside, changed=set())
    assert not queue.entries[0].contact.allowed
    same(queue, build_queue(db, "zhang.wei", outside))
