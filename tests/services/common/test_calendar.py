"""The lender's calendar: working days across weekends, public holidays and the adjusted
working days (调休) of mainland China's 2026, as the State Council published them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.services.common.calendar import (
    add_working_days,
    calendar_for,
    is_working_day,
    lender_calendar,
    received_day,
    working_days_between,
)

CN = calendar_for("CN")


def test_the_lender_counts_in_mainland_chinas_calendar() -> None:
    assert lender_calendar() == CN
    assert CN.covers(2026) and not CN.covers(2027)
    assert any("2025-11-04" in source for source in CN.sources)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # 元旦
        (date(2026, 1, 4), True),  # a Sunday worked
        (date(2026, 2, 14), True),  # a Saturday worked before the Spring Festival
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
        (date(2026, 2, 23), False),  # its last day, a Monday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # a Saturday worked after it
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 4, 6), False),  # 清明, a Monday
        (date(2026, 5, 5), False),  # 劳动节, a Tuesday
        (date(2026, 5, 9), True),
        (date(2026, 6, 19), False),  # 端午, a Friday
        (date(2026, 9, 20), True),  # a Sunday worked before National Day
        (date(2026, 9, 25), False),  # 中秋, a Friday
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),
        (date(2026, 10, 12), True),
    ],
)
def test_each_day_of_2026_is_as_published(day: date, working: bool) -> None:
    assert is_working_day(day, CN) is working


def test_a_deadline_across_the_spring_festival_skips_its_nine_days() -> None:
    # Thursday 12 February: Friday 13, the Saturday worked, then nothing until the 24th.
    assert add_working_days(date(2026, 2, 12), 5, CN).due == date(2026, 2, 26)
    assert add_working_days(date(2026, 2, 13), 2, CN).due == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24), CN) == 2


def test_a_deadline_lands_on_a_make_up_saturday() -> None:
    assert add_working_days(date(2026, 2, 27), 1, CN).due == date(2026, 2, 28)
    assert add_working_days(date(2026, 10, 9), 1, CN).due == date(2026, 10, 10)
    # Weekends only, it would have been the Monday.
    assert add_working_days(date(2026, 2, 27), 1, calendar_for("US")).due == date(2026, 3, 2)


def test_a_deadline_across_national_day_and_the_sunday_worked_before_it() -> None:
    # Saturday 19 September: Sunday 20 is worked, then Monday to Thursday, then the holidays.
    assert add_working_days(date(2026, 9, 19), 1, CN).due == date(2026, 9, 20)
    assert add_working_days(date(2026, 9, 30), 1, CN).due == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3, CN).due == date(2026, 10, 10)


def test_zero_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert add_working_days(date(2026, 3, 4), 0, CN).due == date(2026, 3, 4)
    assert add_working_days(date(2026, 2, 15), 0, CN).due == date(2026, 2, 24)


def test_a_year_not_covered_counts_weekends_only_and_says_so() -> None:
    deadline = add_working_days(date(2026, 12, 30), 5, CN)
    # 1 January 2027 is counted as worked: the file has no 2027 yet, and the deadline says so.
    assert deadline.due == date(2027, 1, 6)
    assert deadline.uncovered == (2027,)
    assert add_working_days(date(2026, 12, 1), 5, CN).uncovered == ()
    assert add_working_days(date(2026, 3, 2), 1, calendar_for("UK")).uncovered == (2026,)


def test_a_deadline_counts_from_the_business_day_not_utcs() -> None:
    # 07:30 on Friday 6 March in Beijing is still Thursday in UTC.
    friday_morning = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    assert received_day(friday_morning) == date(2026, 3, 6)
    assert add_working_days(received_day(friday_morning), 1, CN).due == date(2026, 3, 9)
    # Friday evening in Beijing (20:00): the next working day is Monday.
    friday_evening = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    assert add_working_days(received_day(friday_evening), 1, CN).due == date(2026, 3, 9)
    # Just past midnight into Saturday in Beijing, Friday afternoon in UTC: Monday still.
    saturday = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)
    assert received_day(saturday) == date(2026, 3, 7)
    assert add_working_days(received_day(saturday), 1, CN).due == date(2026, 3, 9)


def test_counting_and_measuring_agree_over_the_whole_year() -> None:
    start = date(2026, 1, 1)
    for offset in range(365):
        day = start + timedelta(days=offset)
        for days in (1, 10, 15):
            due = add_working_days(day, days, CN).due
            assert working_days_between(day, due, CN) == days
            assert is_working_day(due, CN)


def test_a_deadline_beyond_a_year_is_refused() -> None:
    with pytest.raises(ValueError, match="working days"):
        add_working_days(date(2026, 1, 1), 400, CN)
