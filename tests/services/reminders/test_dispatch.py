"""The dispatcher's weekly maximum is the borrower's own profile's, whichever profiles the
portfolio holds besides; one run at a time holds the database; an instant the calendar cannot
move by a day is refused in words."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import ReminderMessage
from app.services.common.errors import InvalidInput
from app.services.messaging.base import MessageChannel
from app.services.messaging.spool import SpoolSender
from app.services.reminders.dispatch import decide, run_reminders
from app.services.reminders.run_lock import RunUnderWay, run_lock
from app.services.reminders.strategy import load_strategy
from tests.helpers.portfolio import Portfolio

TODAY = date(2026, 11, 26)


def test_a_uk_borrower_gets_no_more_sms_in_a_week_than_the_uk_strategy_allows(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    """Three days before the due day, the day before, the day itself and the day after: four
    SMS steps in five days. The UK strategy allows three a week; the CN one four, and a CN
    borrower in the same portfolio must not lend the UK one its limit."""
    assert load_strategy("UK").weekly_max["sms"] == 3 < load_strategy("CN").weekly_max["sms"]
    portfolio.account(today=TODAY, dpd=3)
    # The next instalment falls due on the 28th.
    london = portfolio.account(
        today=TODAY, dpd=0, country="GB", province="", numbers={"mobile": "+44 7911 123456"}
    )
    senders = {
        "sms": SpoolSender(tmp_path / "spool", MessageChannel.SMS),
        "email": SpoolSender(tmp_path / "spool", MessageChannel.EMAIL),
    }
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 12:00 in London
    for day in (0, 2, 3):
        run_reminders(db, senders, at=noon + timedelta(days=day))
    with db.reader() as session:
        steps = session.scalars(
            select(ReminderMessage.step).where(ReminderMessage.loan_id == london.loan_id)
        ).all()
        assert sorted(steps) == ["before_1", "before_3", "due_day"]
        # The day after the due day, after_1 is due: a fourth SMS within the week.
        decided = decide(session, noon + timedelta(days=4))
    assert [c.key for c in decided.messages if c.loan_id == london.loan_id] == []
    assert Counter(decided.skipped)["weekly_max"] >= 1


def test_a_run_while_another_holds_the_database_plans_and_sends_nothing(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    portfolio.account(today=TODAY, dpd=3)
    folder = tmp_path / "spool"
    senders = {
        "sms": SpoolSender(folder, MessageChannel.SMS),
        "email": SpoolSender(folder, MessageChannel.EMAIL),
    }
    at = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    with run_lock(db), pytest.raises(RunUnderWay) as caught:
        run_reminders(db, senders, at=at)
    assert caught.value.message == "Another reminders run is under way: this one sends nothing."
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReminderMessage)) == 0
    assert not folder.exists()
    # Let go, the next run sends (a dry run never waits for it).
    with run_lock(db):
        assert run_reminders(db, senders, at=at, dry_run=True).planned > 0
    assert run_reminders(db, senders, at=at).sent > 0


@pytest.mark.parametrize(
    "at",
    [
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=8))),
        datetime(1, 1, 1, 10, tzinfo=timezone(timedelta(hours=8))),
    ],
)
def test_an_instant_at_the_calendars_ends_is_refused_in_words(db: Database, at: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        run_reminders(db, {}, at=at, dry_run=True)
    assert caught.value.message == (
        f"“{at.isoformat()}” is not a time to run at: give one between the years 1900 and 2999."
    )
