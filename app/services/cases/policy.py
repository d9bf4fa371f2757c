"""The cases' policy as data (`resources/cases.json`): dispute kinds, complaint channels and
categories, and the deadlines each is answered by, counted in the lender's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from app.services.common.calendar import (
    Deadline,
    add_calendar_days,
    add_working_days,
    calendar_for,
    uncovered_years,
    working_days_between,
)
from app.services.common.errors import InvalidInput, Localized
from app.services.common.reference import load_json

COUNTINGS = ("working", "calendar")


@dataclass(frozen=True)
class DeadlineRule:
    """Days to answer by, counted in working days of the lender's calendar or in plain days."""

    days: int
    counting: str
    source: str

    def due(self, received: date) -> Deadline:
        calendar = calendar_for(cases_policy().calendar)
        if self.counting == "calendar":
            return add_calendar_days(received, self.days, calendar)
        return add_working_days(received, self.days, calendar)


@dataclass(frozen=True)
class ComplaintChannel:
    code: str
    label: Localized
    # A regulator's referral: answered by the regulator's deadline.
    regulator: bool


@dataclass(frozen=True)
class Matching:
    """How an "already paid" claim is matched against the feed's payments."""

    amount_tolerance: Decimal
    days: int
    max_candidates: int


@dataclass(frozen=True)
class CasesPolicy:
    calendar: str
    dispute_kinds: dict[str, Localized]
    dispute_answer: DeadlineRule
    matching: Matching
    channels: dict[str, ComplaintChannel]
    categories: dict[str, Localized]
    lender_reply: DeadlineRule
    regulator_reply: DeadlineRule

    def dispute_kind(self, code: str) -> Localized:
        try:
            return self.dispute_kinds[code]
        except KeyError:
            raise InvalidInput(
                "Unknown dispute kind “{kind}” (one of {known}).",
                kind=code,
                known=", ".join(self.dispute_kinds),
            ).at("kind") from None

    def channel(self, code: str) -> ComplaintChannel:
        try:
            return self.channels[code]
        except KeyError:
            raise InvalidInput(
                "Unknown complaint channel “{channel}” (one of {known}).",
                channel=code,
                known=", ".join(self.channels),
            ).at("channel") from None

    def category(self, code: str) -> Localized:
        try:
            return self.categories[code]
        except KeyError:
            raise InvalidInput(
                "Unknown complaint category “{category}” (one of {known}).",
                category=code,
                known=", ".join(self.categories),
            ).at("category") from None

    def reply_rule(self, channel: str) -> DeadlineRule:
        """The regulator's deadline for a regulator's referral, the lender's otherwise."""
        return self.regulator_reply if self.channel(channel).regulator else self.lender_reply


def _rule(data: dict[str, Any], where: str) -> DeadlineRule:
    rule = DeadlineRule(int(data["days"]), str(data["counting"]), str(data["source"]))
    if rule.counting not in COUNTINGS or not 0 < rule.days <= 366:
        raise ValueError(f"cases.json: {where}: days 1-366, counting one of {COUNTINGS}")
    return rule


def _labels(items: list[dict[str, Any]]) -> dict[str, Localized]:
    return {item["code"]: Localized(item["en"], item["zh_CN"]) for item in items}


@cache
def cases_policy() -> CasesPolicy:
    data: dict[str, Any] = load_json("cases.json")
    disputes, complaints = data["disputes"], data["complaints"]
    matching = disputes["matching"]
    policy = CasesPolicy(
        calendar=str(data["calendar"]),
        dispute_kinds=_labels(disputes["kinds"]),
        dispute_answer=_rule(disputes["answer"], "disputes.answer"),
        matching=Matching(
            Decimal(matching["amount_tolerance"]),
            int(matching["days"]),
            int(matching["max_candidates"]),
        ),
        channels={
            item["code"]: ComplaintChannel(
                item["code"], Localized(item["en"], item["zh_CN"]), bool(item["regulator"])
            )
            for item in complaints["channels"]
        },
        categories=_labels(complaints["categories"]),
        lender_reply=_rule(complaints["lender_reply"], "complaints.lender_reply"),
        regulator_reply=_rule(complaints["regulator_reply"], "complaints.regulator_reply"),
    )
    calendar_for(policy.calendar)  # the calendar exists and reads
    return policy


@dataclass(frozen=True)
class DueState:
    """Where a deadline stands on a day: working days left (negative: overdue by so many) and
    the years the calendar does not cover between (counted as weekends only)."""

    due_on: date
    working_days_left: int
    uncovered: tuple[int, ...]

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0


def due_state(received: date, due_on: date, today: date) -> DueState:
    calendar = calendar_for(cases_policy().calendar)
    return DueState(
        due_on=due_on,
        working_days_left=working_days_between(today, due_on, calendar),
        uncovered=uncovered_years(min(received, today), max(due_on, today), calendar),
    )
