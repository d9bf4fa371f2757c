"""The reminder strategy of a contact-rule profile: which accounts get what, when, and what
stops it (resources/reminders/<PROFILE>.json), checked whole when it is loaded.

A broken file is refused with every problem named (`StrategyError`), before anything is
decided or sent: a strategy half-understood could message someone the lender meant to spare.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Any

from app.services.common.reference import RESOURCES, buckets
from app.services.contact.compliance import available_profiles
from app.services.reminders.templates import (
    StrategyError,
    check_lengths,
    education_texts,
    load_templates,
    sms_code,
)

CHANNELS = ("sms", "email")
KINDS = ("reminder", "credit_notice")
LANGUAGES = ("zh_CN", "en")
# Every stop a strategy may name, and those it may not leave out: a borrower who paid, asked
# for no more messages, or whose number must not be used is never messaged, whatever the file.
STOPS = frozenset(
    {
        "paid",
        "settled",
        "promise_pending",
        "plan_active",
        "escalation_pause",
        "cease_requested",
        "dispute_open",
        "deceased",
        "legal_referral",
        "attorney_represented",
        "vulnerable",
        "opted_out",
        "do_not_contact",
    }
)
REQUIRED_STOPS = frozenset({"paid", "settled", "opted_out", "do_not_contact"})


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    channels: tuple[str, ...]
    template: str
    # Exactly one way of saying when: a day around the due date, a bucket with a period, or
    # (a credit notice) from a number of days past due, once.
    days_from_due: int | None = None
    bucket: str | None = None
    every_days: int | None = None
    from_dpd: int | None = None
    education: str | None = None


@dataclass(frozen=True)
class Strategy:
    profile: str
    language: str
    window_from: time
    window_until: time
    weekly_max: dict[str, int]
    stops: frozenset[str]
    reporting_after_days: int
    steps: tuple[Step, ...]


def strategy_path(profile: str) -> str:
    return f"reminders/{profile}.json"


@cache
def load_strategy(profile: str) -> Strategy:
    """The profile's strategy, validated against the templates and education texts."""
    path = RESOURCES / strategy_path(profile)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StrategyError(
            "There is no reminder strategy for profile {profile} ({path}).",
            profile=profile,
            path=str(path),
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise StrategyError(
            "The reminder strategy {path} is not valid JSON: {error}.",
            path=str(path),
            error=str(error),
        ) from None
    return parse_strategy(data, str(path), profile)


def parse_strategy(data: Any, where: str, profile: str) -> Strategy:
    """A strategy from its JSON; StrategyError naming every problem at once."""
    problems: list[str] = []

    def need(condition: bool, problem: str) -> bool:
        if not condition:
            problems.append(problem)
        return condition

    if not isinstance(data, dict):
        raise StrategyError("The reminder strategy {path} is not an object.", path=where)
    need(data.get("profile") == profile, f"profile is {data.get('profile')!r}, not {profile!r}")
    need(profile in available_profiles(), f"no contact-rule profile {profile!r}")
    language = data.get("language")
    need(language in LANGUAGES, f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    window = data.get("send_window") or {}
    start = end = time(0)
    try:
        start = time.fromisoformat(str(window["from"]))
        end = time.fromisoformat(str(window["until"]))
        need(start < end, "send_window must start before it ends (the same day)")
    except (KeyError, ValueError, TypeError):
        problems.append("send_window needs from and until as HH:MM")
    weekly = data.get("weekly_max")
    if need(isinstance(weekly, dict), "weekly_max must map each channel to a number"):
        assert isinstance(weekly, dict)
        for channel, limit in weekly.items():
            need(channel in CHANNELS, f"weekly_max: unknown channel {channel!r}")
            need(
                isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0,
                f"weekly_max.{channel} must be a whole number, 0 or more",
            )
        for channel in CHANNELS:
            need(channel in weekly, f"weekly_max has no limit for {channel}")
    stops = data.get("stops")
    if need(isinstance(stops, list), "stops must be a list"):
        assert isinstance(stops, list)
        unknown = sorted(set(map(str, stops)) - STOPS)
        need(not unknown, f"unknown stops: {', '.join(unknown)}")
        missing = sorted(REQUIRED_STOPS - set(map(str, stops)))
        need(not missing, f"stops may not leave out: {', '.join(missing)}")
    reporting = data.get("credit_reporting") or {}
    after = reporting.get("reporting_after_days")
    need(
        isinstance(after, int) and not isinstance(after, bool) and after > 0,
        "credit_reporting.reporting_after_days must be a whole number of days above 0",
    )
    templates = load_templates()
    education = education_texts()
    bucket_codes = {bucket.code for bucket in buckets()}
    steps: list[Step] = []
    seen: set[str] = set()
    raw_steps = data.get("steps")
    if not need(isinstance(raw_steps, list) and bool(raw_steps), "steps must be a list"):
        raw_steps = []
    assert isinstance(raw_steps, list)
    for index, raw in enumerate(raw_steps):
        name = raw.get("id") if isinstance(raw, dict) else None
        label = f"step {name or index + 1}"
        if not need(
            isinstance(raw, dict) and isinstance(name, str) and bool(name), f"{label}: no id"
        ):
            continue
        assert isinstance(raw, dict) and isinstance(name, str)
        need(name not in seen, f"{label}: the id is used twice")
        need(len(name) <= 24 and name.isascii(), f"{label}: the id must be ASCII, 24 at most")
        seen.add(name)
        kind = raw.get("kind", "reminder")
        need(kind in KINDS, f"{label}: kind {kind!r} is not one of {', '.join(KINDS)}")
        channels: Any = raw.get("channels")
        good = isinstance(channels, list) and bool(channels)
        if need(good and set(channels) <= set(CHANNELS), f"{label}: channels must be sms/email"):
            assert isinstance(channels, list)
            need(len(set(channels)) == len(channels), f"{label}: a channel is named twice")
        else:
            channels = []
        template = str(raw.get("template"))
        if need(template in templates, f"{label}: unknown template {template!r}"):
            for channel in channels:
                have = templates[template].get(channel, {})
                for lang in LANGUAGES:
                    need(lang in have, f"{label}: template {template} has no {channel} in {lang}")
        edu = raw.get("education")
        known = need(edu is None or edu in education, f"{label}: unknown education text {edu!r}")
        # An SMS is its registered template: one with an education text is a text (and a code)
        # of its own.
        if known and edu is not None and "sms" in channels and template in templates:
            for lang in LANGUAGES:
                if lang in templates[template].get("sms", {}):
                    need(
                        sms_code(template, lang, edu) is not None,
                        f"{label}: template {template} has no SMS code registered with"
                        f" education {edu} in {lang}",
                    )
        when = [key for key in ("days_from_due", "bucket", "from_dpd") if key in raw]
        bucket = raw.get("bucket")
        every = raw.get("every_days")
        days = raw.get("days_from_due")
        from_dpd = raw.get("from_dpd")
        if kind == "credit_notice":
            need(
                when == ["from_dpd"] and isinstance(from_dpd, int) and from_dpd > 0,
                f"{label}: a credit notice says from_dpd (days past due, above 0) and no more",
            )
        elif "bucket" in when:
            need(bucket in bucket_codes, f"{label}: unknown bucket {bucket!r}")
            need(
                isinstance(every, int) and not isinstance(every, bool) and every > 0,
                f"{label}: a bucket step needs every_days above 0",
            )
            need("days_from_due" not in when, f"{label}: a bucket step takes no days_from_due")
        else:
            need(
                when == ["days_from_due"] and isinstance(days, int) and not isinstance(days, bool),
                f"{label}: say when: days_from_due, a bucket with every_days, or from_dpd",
            )
        if problems:
            continue
        steps.append(
            Step(
                id=name,
                kind=kind,
                channels=tuple(channels),
                template=template,
                days_from_due=days,
                bucket=bucket,
                every_days=every,
                from_dpd=from_dpd,
                education=edu,
            )
        )
    if problems:
        raise StrategyError(
            "The reminder strategy {path} cannot be used: {problems}.",
            path=where,
            problems="; ".join(problems),
        )
    assert isinstance(weekly, dict) and isinstance(stops, list) and isinstance(after, int)
    # Every message the strategy can make fits its template's segments with the longest values.
    check_lengths(tuple(steps), where)
    return Strategy(
        profile=profile,
        language=str(language),
        window_from=start,
        window_until=end,
        weekly_max={str(k): int(v) for k, v in weekly.items()},
        stops=frozenset(map(str, stops)),
        reporting_after_days=after,
        steps=tuple(steps),
    )
