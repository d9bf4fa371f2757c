"""Delivery reports a provider pushed, as `reminders reports --file` reads them: a JSON list of
objects {provider_id, to, delivered, reported_at, key?, error_code?, opted_out?}.

Every value is read as the kind it must be: text as text, true or false as JSON's own (the text
"false" is no boolean), a moment as ISO-8601 with its offset. A file with anything else in it
is refused whole, each problem in one line naming the report (counted from 1) and its field:
nothing of it is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from app.services.common.errors import InvalidInput
from app.services.messaging.base import DeliveryReport
from app.services.reminders.dispatch import FIRST_YEAR, LAST_YEAR, in_calendar

REQUIRED = ("provider_id", "to", "delivered", "reported_at")


def read_reports(items: object) -> list[DeliveryReport]:
    """The reports `items` (a JSON document, parsed) holds; InvalidInput for the first value
    that is not what it must be."""
    if not isinstance(items, list):
        raise InvalidInput("The file holds no list of delivery reports.")
    return [_report(number, item) for number, item in enumerate(items, start=1)]


def _report(number: int, item: object) -> DeliveryReport:
    if not isinstance(item, Mapping):
        raise InvalidInput(
            "Delivery report {number} is not an object with provider_id, to, delivered and"
            " reported_at.",
            number=number,
        )
    for name in REQUIRED:
        if item.get(name) is None:
            raise InvalidInput(
                "Delivery report {number} has no “{field}”.", number=number, field=name
            )
    key, error_code = (_text(number, item, name, optional=True) for name in ("key", "error_code"))
    return DeliveryReport(
        provider_id=str(_text(number, item, "provider_id")),
        to=str(_text(number, item, "to")),
        delivered=_flag(number, item, "delivered"),
        reported_at=_moment(number, item, "reported_at"),
        key=key,
        error_code=error_code,
        opted_out=_flag(number, item, "opted_out"),
    )


def _text(
    number: int, item: Mapping[str, object], name: str, *, optional: bool = False
) -> str | None:
    value = item.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidInput(
            "Delivery report {number}: “{field}” must be text.", number=number, field=name
        )
    return value


def _flag(number: int, item: Mapping[str, object], name: str) -> bool:
    value = item.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(
            "Delivery report {number}: “{field}” must be true or false.", number=number, field=name
        )
    return value


def _moment(number: int, item: Mapping[str, object], name: str) -> datetime:
    value = item.get(name)
    moment = None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(
            "Delivery report {number}: “{field}” must be an ISO-8601 time with its offset,"
            " e.g. 2026-12-01T10:05:00+08:00.",
            number=number,
            field=name,
        )
    if in_calendar(moment) is None:
        raise InvalidInput(
            "Delivery report {number}: “{field}” lies outside the years {first} to {last}.",
            number=number,
            field=name,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return moment
