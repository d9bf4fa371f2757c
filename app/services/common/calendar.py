"""The lender's working calendar: deadlines counted in working days, across weekends and public
holidays, with mainland China's adjusted working days (调休: a Saturday or Sunday worked).

Each jurisdiction profile has its calendar as data (`resources/calendars/<CODE>.json`): the
weekend, and for each year covered, its public holidays and its working weekend days, with the
source they were taken from. A year the file does not cover counts weekends only; whoever
counts a deadline into it is told (`Deadline.uncovered`), never silently.

A deadline starts on the business day something was received (in the lender's business zone,
`app.services.common.clock`): that day is day 0 and the deadline is the n-th working day after
it, so a letter received on a Friday evening in Beijing (still Friday morning in UTC) or on a
Saturday is due n working days after that Friday or Saturday, never counted from UTC's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from app.services.common.clock import local_today
from app.services.common.reference import load_json

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The most working days a deadline may count (a guard against a typo in the data).
MAX_DAYS = 366


@dataclass(frozen=True)
class Calendar:
    """One profile's working calendar."""

    profile: str
    # date.weekday() numbers of the weekend (Monday 0).
    weekend: frozenset[int]
    holidays: frozenset[date]
    working_weekend_days: frozenset[date]
    # The years whose holidays are entered; any other year counts weekends only.
    years: frozenset[int]
    sources: tuple[str, ...] = ()

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.working_weekend_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays


@dataclass(frozen=True)
class Deadline:
    """A deadline counted in working days: the day it falls on, and the years it crossed that
    the calendar does not cover (counted as weekends only: the case shows the warning)."""

    due: date
    uncovered: tuple[int, ...] = ()


def _day(text: str, profile: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"calendars/{profile}.json: {text!r} is not a date") from None


@cache
def calendar_for(profile: str) -> Calendar:
    """The calendar of a jurisdiction profile (resources/calendars/<profile>.json)."""
    data: dict[str, Any] = load_json(f"calendars/{profile}.json")
    weekend = frozenset(WEEKDAYS.index(name) for name in data["weekend"])
    holidays: set[date] = set()
    worked: set[date] = set()
    years: set[int] = set()
    sources: list[str] = []
    for year_text, year in data["years"].items():
        number = int(year_text)
        years.add(number)
        sources.append(str(year["source"]))
        for span in year["holidays"]:
            first, last = _day(span["from"], profile), _day(span["to"], profile)
            if first > last or first.year != number or last.year != number:
                raise ValueError(f"calendars/{profile}.json: holiday {span} is not within {number}")
            holidays.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        for text in year["working_weekend_days"]:
            day = _day(text, profile)
            if day.weekday() not in weekend or day.year != number:
                raise ValueError(
                    f"calendars/{profile}.json: {text} is not a weekend day of {number}"
                )
            worked.add(day)
    clash = holidays & worked
    if clash:
        raise ValueError(f"calendars/{profile}.json: both off and worked: {sorted(clash)}")
    return Calendar(
        profile=profile,
        weekend=weekend,
        holidays=frozenset(holidays),
        working_weekend_days=frozenset(worked),
        years=frozenset(years),
        sources=tuple(sources),
    )


def lender_calendar() -> Calendar:
    """The calendar the lender counts its deadlines in (`resources/cases.json`, "calendar")."""
    return calendar_for(str(load_json("cases.json")["calendar"]))


def is_working_day(day: date, calendar: Calendar | None = None) -> bool:
    return (calendar or lender_calendar()).is_working_day(day)


def add_working_days(start: date, days: int, calendar: Calendar | None = None) -> Deadline:
    """The `days`-th working day after `start` (day 0, whether worked or not); 0 days: `start`
    itself if it is a working day, else the next working day."""
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"a deadline of {days} working days")
    chosen = calendar or lender_calendar()
    day = start
    uncovered: set[int] = set()
    if not chosen.covers(day.year):
        uncovered.add(day.year)
    counted = 0
    while counted < days or not chosen.is_working_day(day):
        day += timedelta(days=1)
        if not chosen.covers(day.year):
            uncovered.add(day.year)
        if chosen.is_working_day(day):
            counted += 1
    return Deadline(day, tuple(sorted(uncovered)))


def add_calendar_days(start: date, days: int, calendar: Calendar | None = None) -> Deadline:
    """`days` calendar days after `start`: a deadline in plain days (a regulator's "15 days")
    needs no holidays, so no year is uncovered."""
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(f"a deadline of {days} days")
    return Deadline(start + timedelta(days=days))


def working_days_between(start: date, end: date, calendar: Calendar | None = None) -> int:
    """The working days after `start` up to and including `end` (negative when `end` comes
    first): how many working days a deadline on `end` leaves from `start`."""
    chosen = calendar or lender_calendar()
    if end < start:
        return -working_days_between(end, start, chosen)
    return sum(
        1
        for n in range(1, (end - start).days + 1)
        if chosen.is_working_day(start + timedelta(days=n))
    )


def uncovered_years(start: date, end: date, calendar: Calendar | None = None) -> tuple[int, ...]:
    """The years from `start` to `end` the calendar has no holidays for."""
    chosen = calendar or lender_calendar()
    low, high = sorted((start.year, end.year))
    return tuple(year for year in range(low, high + 1) if not chosen.covers(year))


def received_day(at: datetime) -> date:
    """The business day (lender's zone) something received at `at` counts from."""
    return local_today(at)
