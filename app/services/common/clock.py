"""The lender's clock: the business zone, the business day of a moment, and where a day starts.

Days past due, promise dates, shifts and reports are counted in the business zone
(`resources/policy.json`, "business_zone"); times are shown in it. Everything else about zones
(the borrower's local time for the contact rules) belongs to `contact.compliance`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.services.common.reference import policy

# How far an instant may be from this computer's clock and still be "now" (a clock a little
# off, a command typed a minute late); the central server allows its own clock the same.
SKEW = timedelta(minutes=10)


def now() -> datetime:
    """This computer's clock, in UTC: what a record dated "when it happened" is checked
    against (a message sent, a notice given, a letter issued)."""
    return datetime.now(UTC)


@contextmanager
def reading(source: Callable[[], datetime]) -> Iterator[None]:
    """The clock reads `source()` until the block ends: a history replayed (the demo's days of
    the reminders job) is recorded as it happened then, checked as it was checked then."""
    global now
    original = now
    now = source
    try:
        yield
    finally:
        now = original


def is_now(at: datetime) -> bool:
    """Whether `at` is now, within SKEW of the clock."""
    return abs(at - now()) <= SKEW


def business_zone() -> ZoneInfo:
    """The lender's zone: DPD days and promise dates are counted in it, and times shown in it."""
    return ZoneInfo(policy()["business_zone"])


def local_today(at: datetime) -> date:
    """The business day `at` falls on."""
    return at.astimezone(business_zone()).date()


def day_start(day: date) -> datetime:
    """The moment (UTC) `day` begins in the business zone."""
    return datetime.combine(day, time(0), tzinfo=business_zone()).astimezone(UTC)
