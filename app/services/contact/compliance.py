"""Contact rules: may this user contact this borrower on this contact point at time T?

Profiles are data (resources/compliance/<CODE>.json), one per jurisdiction. Every rule is
evaluated in the borrower's local time: the zones of the contact point's number and of the
postal address. Where they disagree a contact is allowed only when every zone allows it, and
daily caps are counted per local day of each zone. A block names its rule and the earliest
moment the contact becomes allowed (None when only a person can lift it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from app.services.common.errors import InvalidInput, NotFound, render
from app.services.common.reference import load_json
from app.services.common.script_graph import PROFILE_ENV, compliance_profiles

DEFAULT_PROFILE = "CN"
# Row keys: UUIDs, or their stored hex text where a hot path reads them raw.
Key = uuid.UUID | str
# How far ahead `evaluate` looks for a moment every rule allows, before giving up.
SEARCH_HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    channels: frozenset[str]
    en: str
    zh_CN: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountStop:
    id: str
    when: str
    en: str
    zh_CN: str
    source: str


@dataclass(frozen=True)
class Profile:
    code: str
    name_en: str
    name_zh: str
    verify_with_compliance: bool
    sources: tuple[str, ...]
    # Years an account's records are kept after it closes, and what says so
    # (app.services.privacy.retention carries it out).
    retention_years: int
    retention_source: str
    default_zone: str
    stops: tuple[AccountStop, ...]
    rules: tuple[Rule, ...]

    def history_days(self, *, third_parties: bool = True) -> int:
        """How many days of past attempts the rules look at (callers fetch that much).

        Without third parties, rules that only concern them are left out of the span.
        """
        spans = [
            int(rule.params.get("days", rule.params.get("lookback_days", 1)))
            for rule in self.rules
            if third_parties or not rule.kind.startswith("third_party")
        ]
        return max([1, *spans]) + 1


def available_profiles() -> list[str]:
    return compliance_profiles()


@cache
def _jurisdictions() -> dict[str, Any]:
    return dict(load_json("compliance/jurisdictions.json"))


_installation_default: str | None = None
# The default of the central server this workstation signed in to: the server answers for it.
_server_default: str | None = None


def set_server_default(code: str | None) -> None:
    """Follow the central server's default profile (None: no server, or one that sets none).

    The server refuses a contact the workstation read under another profile, so once signed
    in, its default wins over this workstation's setting and environment.
    """
    global _server_default
    _server_default = code if code in available_profiles() else None


def default_profile_code() -> str:
    """The profile for a borrower whose country has none of its own, and who decided it."""
    return default_profile_source()[0]


def default_profile_source() -> tuple[str, str]:
    """(profile, "server" | "environment" | "settings" | "shipped")."""
    if _server_default is not None:
        return _server_default, "server"
    if os.environ.get(PROFILE_ENV):
        return os.environ[PROFILE_ENV], "environment"
    if _installation_default is not None:
        return _installation_default, "settings"
    return str(_jurisdictions()["default"]), "shipped"


def set_installation_default(code: str | None) -> None:
    """The profile for countries without one of their own, as this installation chose it.

    The environment variable still wins, so an administrator can pin it for everyone.
    """
    global _installation_default
    if code is not None and code not in available_profiles():
        known = ", ".join(available_profiles())
        raise NotFound(
            "There is no contact-rule profile “{code}” (available: {known}).",
            code=code,
            known=known,
        )
    _installation_default = code


def profile_code_for(country: str) -> str:
    """The profile for a borrower living in `country`; never the caller's choice."""
    code: str = _jurisdictions()["by_country"].get(country) or default_profile_code()
    return code


def profile_for(country: str) -> Profile:
    return load_profile(profile_code_for(country))


@cache
def load_profile(code: str = DEFAULT_PROFILE) -> Profile:
    if code not in available_profiles():
        known = ", ".join(available_profiles())
        raise NotFound(
            "There is no contact-rule profile “{code}” (available: {known}).",
            code=code,
            known=known,
        )
    data = load_json(f"compliance/{code}.json")
    fixed = {"id", "kind", "channels", "en", "zh_CN", "source"}
    rules = tuple(
        Rule(
            id=item["id"],
            kind=item["kind"],
            channels=frozenset(item["channels"]),
            en=item["en"],
            zh_CN=item["zh_CN"],
            source=item["source"],
            params={k: v for k, v in item.items() if k not in fixed},
        )
        for item in data["rules"]
    )
    rules += _home_visit_hours(data)
    unknown = [rule.kind for rule in rules if rule.kind not in _CHECKS]
    if unknown:
        raise InvalidInput(
            "Profile {code} uses unknown rule kinds: {kinds}.", code=code, kinds=", ".join(unknown)
        )
    return Profile(
        code=data["code"],
        name_en=data["name"]["en"],
        name_zh=data["name"]["zh_CN"],
        verify_with_compliance=bool(data.get("verify_with_compliance", True)),
        sources=tuple(data["sources"]),
        retention_years=int(data["retention_years"]),
        retention_source=str(data["retention_source"]),
        default_zone=data["default_zone"],
        stops=tuple(AccountStop(**item) for item in data["account_stops"]),
        rules=rules,
    )


def _home_visit_hours(data: dict[str, Any]) -> tuple[Rule, ...]:
    """The profile's home-visit hours as a rule of the visit channel: a visit is checked against
    the same hours planning holds it to (app.services.field.visits.home_visit_rules), not only
    against the wider contact hours. A borrower's agreed call window does not move them."""
    visit = data.get("home_visit") or {}
    hours = visit.get("hours")
    if not hours:
        return ()
    code = str(data["code"]).lower()
    words = next(
        (rule for rule in visit.get("rules", ()) if rule["id"] == f"{code}.visit.hours"),
        {"id": f"{code}.visit.hours", "en": "Home-visit hours", "zh_CN": "上门时间"},
    )
    return (
        Rule(
            id=words["id"],
            kind="quiet_hours",
            channels=frozenset({"visit"}),
            en=words["en"],
            zh_CN=words["zh_CN"],
            source=str(visit.get("source", "")),
            params={"allowed_from": hours["from"], "allowed_until": hours["until"]},
        ),
    )


@dataclass(frozen=True)
class PastAttempt:
    """One earlier attempt, as the rules see it."""

    at: datetime
    loan_id: Key
    contact_point_id: Key | None
    channel: str
    contact: bool
    rpc: bool
    counts_toward_cap: bool


@dataclass(frozen=True)
class Subject:
    """The account side of the question: the borrower's flags, zones and own numbers."""

    loan_id: Key
    flags: frozenset[str]
    address_zones: tuple[str, ...]
    own_point_ids: frozenset[Key]
    agreed_window: tuple[time, time] | None = None
    # An open callback the borrower asked for, due at this moment (rules may exempt it).
    requested_callback_at: datetime | None = None


@dataclass(frozen=True)
class Point:
    """The contact point side: its zones and marks."""

    id: Key | None
    kind: str
    zones: tuple[str, ...]
    third_party: bool = False
    do_not_call: bool = False
    wrong_number: bool = False


@dataclass(frozen=True)
class Decision:
    """The answer for one contact.

    reason/reason_zh: the rule's own text, from the profile data. detail: what this case
    shows about it, in English; the window translates `detail_template` (Qt context
    "ServiceMessages") and fills in `detail_params` instead.
    """

    allowed: bool
    rule_id: str | None = None
    reason: str = ""
    reason_zh: str = ""
    detail: str = ""
    next_allowed_at: datetime | None = None
    zones: tuple[str, ...] = ()
    detail_template: str = ""
    # Pairs, not a dict: decisions are hashed and shared by the queue's caches. A value is text
    # or an aware datetime (hashable too), which each reader shows in its own zone and format.
    detail_args: tuple[tuple[str, str | datetime], ...] = ()

    @property
    def detail_params(self) -> Mapping[str, str | datetime]:
        return dict(self.detail_args)

    def as_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "rule": self.rule_id,
            "reason": self.reason,
            "detail": self.detail,
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
        }


ALLOWED = Decision(allowed=True)


class _Block:
    """Why a rule blocks now: a literal detail template with its values, and when it lifts."""

    __slots__ = ("changes", "detail", "params", "template", "until")

    def __init__(self, template: str, until: datetime | None, /, **params: str | datetime) -> None:
        self.template = template
        # None: no moment is known when it lifts by itself.
        self.until = until
        self.params = tuple(params.items())
        self.detail = render(template, params)
        # A moment before `until` at which the detail reads differently while the block holds
        # (a count falls as an attempt leaves the window); None: it reads the same until then.
        self.changes: datetime | None = None

    def decision(
        self, rule: Rule, next_allowed_at: datetime | None, zones: tuple[str, ...]
    ) -> Decision:
        return Decision(
            False,
            rule.id,
            rule.en,
            rule.zh_CN,
            self.detail,
            next_allowed_at,
            zones,
            self.template,
            self.params,
        )


_Check = Callable[["Evaluator", Rule, "_Ask", datetime], _Block | None]


@dataclass(frozen=True)
class _Ask:
    subject: Subject
    point: Point
    channel: str
    zones: tuple[str, ...]
    history: Sequence[PastAttempt]


class Evaluator:
    """Evaluates one profile; keeps small caches so a whole queue is checked quickly."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._zones: dict[str, ZoneInfo] = {}
        self._rules: dict[str, tuple[Rule, ...]] = {}
        self._zone_sets: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}
        self._day_starts: dict[tuple[datetime, str], datetime] = {}
        # Quiet-hour answers depend only on zones, window and moment: shared by a whole queue.
        self.quiet_answers: dict[tuple[Any, ...], _Block | None] = {}

    def zone(self, key: str) -> ZoneInfo:
        found = self._zones.get(key)
        if found is None:
            found = self._zones[key] = ZoneInfo(key)
        return found

    def zones_for(self, subject: Subject, point: Point) -> tuple[str, ...]:
        key = (point.zones, subject.address_zones)
        zones = self._zone_sets.get(key)
        if zones is None:
            merged = list(point.zones)
            merged += [zone for zone in subject.address_zones if zone not in merged]
            zones = self._zone_sets[key] = tuple(merged) or (self.profile.default_zone,)
        return zones

    def rules_for(self, channel: str) -> tuple[Rule, ...]:
        rules = self._rules.get(channel)
        if rules is None:
            rules = self._rules[channel] = tuple(
                rule for rule in self.profile.rules if channel in rule.channels
            )
        return rules

    def evaluate(
        self,
        subject: Subject,
        point: Point,
        channel: str,
        at: datetime,
        history: Sequence[PastAttempt] = (),
        edges: list[datetime] | None = None,
    ) -> Decision:
        """The answer for contacting `point` over `channel` at `at`.

        edges: when given, the moments each rule blocking at `at` lifts, or its detail reads
        differently, are added to it: until the earliest of them (and a time-of-day window
        opening or closing, which `next_window_change` gives), the answer stays the same for the
        same data.
        """
        if at.tzinfo is None:
            raise InvalidInput("The time to check must carry a time zone.")
        at = at.astimezone(UTC)
        zones = self.zones_for(subject, point)
        for stop in self.profile.stops:
            if stop.when in subject.flags:
                return Decision(False, stop.id, stop.en, stop.zh_CN, "", None, zones)
        if point.do_not_call:
            return Decision(
                False,
                "point.do_not_call",
                "Number marked do-not-call",
                "号码已标记为勿扰",
                "",
                None,
                zones,
            )
        if point.wrong_number:
            return Decision(
                False,
                "point.wrong_number",
                "Number marked wrong number",
                "号码已标记为错号",
                "",
                None,
                zones,
            )
        ask = _Ask(subject, point, channel, zones, history)
        rules = self.rules_for(channel)
        first: tuple[Rule, _Block] | None = None
        moment = at
        while moment - at <= SEARCH_HORIZON:
            latest: datetime | None = moment
            blocked = False
            for rule in rules:
                block = _CHECKS[rule.kind](self, rule, ask, moment)
                if block is None:
                    continue
                blocked = True
                if first is None:
                    first = (rule, block)
                if edges is not None and moment == at:
                    if block.until is not None:
                        edges.append(block.until)
                    if block.changes is not None:
                        edges.append(block.changes)
                if block.until is None:
                    latest = None
                    break
                assert latest is not None
                latest = max(latest, block.until)
            if not blocked:
                if first is None:
                    return Decision(True, zones=zones)
                rule, block = first
                return block.decision(rule, moment, zones)
            if latest is None or latest <= moment:
                break
            moment = latest
        else:
            # The search stopped at its horizon: a later `at` sees further.
            if edges is not None:
                edges.append(moment - SEARCH_HORIZON)
        assert first is not None
        rule, block = first
        return block.decision(rule, None, zones)

    # -- helpers for the checks ---------------------------------------------------------

    def local_day_start(self, moment: datetime, zone_key: str) -> datetime:
        start = self._day_starts.get((moment, zone_key))
        if start is None:
            zone = self.zone(zone_key)
            local = moment.astimezone(zone)
            start = datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)
            self._day_starts[(moment, zone_key)] = start
        return start

    def next_local_midnight(self, moment: datetime, zone_key: str) -> datetime:
        zone = self.zone(zone_key)
        local = moment.astimezone(zone)
        return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone).astimezone(
            UTC
        )


def _check_quiet_hours(ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime) -> _Block | None:
    start = time.fromisoformat(rule.params["allowed_from"])
    end = time.fromisoformat(rule.params["allowed_until"])
    if rule.params.get("borrower_consent_overrides") and ask.subject.agreed_window:
        start, end = ask.subject.agreed_window
    key = (ask.zones, start, end, moment)
    if key not in ev.quiet_answers:
        ev.quiet_answers[key] = _quiet_block(ev, ask.zones, start, end, moment)
    return ev.quiet_answers[key]


def _quiet_block(
    ev: Evaluator, zones: tuple[str, ...], start: time, end: time, moment: datetime
) -> _Block | None:
    worst: datetime | None = None
    outside: list[tuple[str, str]] = []
    for key in zones:
        zone = ev.zone(key)
        local = moment.astimezone(zone)
        now = local.time()
        inside = start <= now < end if start < end else (now >= start or now < end)
        if inside:
            continue
        day = local.date() if now < start else local.date() + timedelta(days=1)
        opens = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
        outside.append((f"{local:%H:%M}", key))
        worst = opens if worst is None else max(worst, opens)
    if worst is None:
        return None
    if len(outside) == 1:
        ((local_time, zone_key),) = outside
        return _Block("it is {time} in {zone}", worst, time=local_time, zone=zone_key)
    # Zone names are codes, so the list reads the same in every language.
    times = ", ".join(f"{local_time} {zone_key}" for local_time, zone_key in outside)
    return _Block("local times outside the allowed hours: {times}", worst, times=times)


def _over_daily_limit(
    ev: Evaluator,
    ask: _Ask,
    moment: datetime,
    limit: int,
    counted: Iterable[PastAttempt],
) -> tuple[int, datetime, datetime] | None:
    """At or over the limit in some zone's local day: the most counted, when the first of
    those zones' days ends (a count may fall then) and when the last does (it reopens)."""
    times = [attempt.at for attempt in counted if attempt.at <= moment]
    reopens: list[datetime] = []
    count = 0
    for key in ask.zones:
        day_start = ev.local_day_start(moment, key)
        in_day = sum(1 for at in times if at >= day_start)
        if in_day >= limit:
            count = max(count, in_day)
            reopens.append(ev.next_local_midnight(moment, key))
    if not reopens:
        return None
    return count, min(reopens), max(reopens)


def _daily(block: _Block, first: datetime) -> _Block:
    """A zone whose day ends before the others' counts no more: the count shown may fall."""
    if block.until is not None and first < block.until:
        block.changes = first
    return block


def _check_connected_per_borrower(
    ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime
) -> _Block | None:
    if not ask.history:
        return None
    counted = (a for a in ask.history if a.contact and a.channel in rule.channels)
    limit = int(rule.params["limit"])
    over = _over_daily_limit(ev, ask, moment, limit, counted)
    if over is None:
        return None
    count, first, until = over
    block = _Block(
        "{count} answered calls today (limit {limit})", until, count=str(count), limit=str(limit)
    )
    return _daily(block, first)


def _check_unanswered_per_number(
    ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime
) -> _Block | None:
    if not ask.history:
        return None
    counted = (
        a
        for a in ask.history
        if a.contact_point_id == ask.point.id
        and not a.contact
        and a.counts_toward_cap
        and a.channel in rule.channels
    )
    limit = int(rule.params["limit"])
    over = _over_daily_limit(ev, ask, moment, limit, counted)
    if over is None:
        return None
    count, first, until = over
    block = _Block(
        "{count} unanswered attempts on this number today (limit {limit})",
        until,
        count=str(count),
        limit=str(limit),
    )
    return _daily(block, first)


def _check_third_party_unreachable(
    ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime
) -> _Block | None:
    if not ask.point.third_party:
        return None
    window = timedelta(days=int(rule.params["lookback_days"]))
    recent = [a for a in ask.history if moment - window < a.at <= moment]
    reached = [a.at for a in recent if a.rpc]
    if reached:
        return _Block("the borrower was reached recently", max(reached) + window)
    failed = sum(
        1 for a in recent if a.contact_point_id in ask.subject.own_point_ids and not a.contact
    )
    needed = int(rule.params["min_failed_own_attempts"])
    if failed < needed:
        return _Block(
            "only {failed} of {needed} attempts on the borrower's own numbers so far",
            None,
            failed=str(failed),
            needed=str(needed),
        )
    return None


def _check_third_party_once(
    ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime
) -> _Block | None:
    if not ask.point.third_party:
        return None
    if any(
        a.contact_point_id == ask.point.id and a.contact and a.at <= moment for a in ask.history
    ):
        return _Block("this third party was already spoken to", None)
    return None


def _check_rolling_attempts(
    ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime
) -> _Block | None:
    if not ask.history:
        return None
    window = timedelta(days=int(rule.params["days"]))
    limit = int(rule.params["limit"])
    times = sorted(
        a.at
        for a in ask.history
        if a.loan_id == ask.subject.loan_id
        and a.counts_toward_cap
        and a.channel in rule.channels
        and moment - window < a.at <= moment
    )
    if len(times) < limit:
        return None
    block = _Block(
        "{count} attempts in {days} days (limit {limit})",
        times[len(times) - limit] + window,
        count=str(len(times)),
        days=str(window.days),
        limit=str(limit),
    )
    if len(times) > limit:
        # Over the limit (attempts logged late, or on two workstations): the count shown falls
        # as the oldest leaves the window, before the block lifts.
        block.changes = times[0] + window
    return block


def _check_after_conversation(
    ev: Evaluator, rule: Rule, ask: _Ask, moment: datetime
) -> _Block | None:
    if not ask.history:
        return None
    window = timedelta(days=int(rule.params["days"]))
    talks = [
        a.at
        for a in ask.history
        if a.loan_id == ask.subject.loan_id
        and a.rpc
        and a.channel in rule.channels
        and moment - window < a.at <= moment
    ]
    if not talks:
        return None
    callback = ask.subject.requested_callback_at
    slack = timedelta(minutes=int(rule.params.get("requested_callback_minutes", 0)))
    if callback is not None and abs(moment - callback) <= slack:
        return None
    last = max(talks)
    return _Block("spoke with the consumer {time}", last + window, time=last)


_CHECKS: dict[str, _Check] = {
    "quiet_hours": _check_quiet_hours,
    "connected_per_borrower_per_day": _check_connected_per_borrower,
    "unanswered_per_number_per_day": _check_unanswered_per_number,
    "third_party_only_when_unreachable": _check_third_party_unreachable,
    "third_party_once": _check_third_party_once,
    "attempts_per_account_rolling": _check_rolling_attempts,
    "after_conversation": _check_after_conversation,
}


def next_window_change(
    profile: Profile, zones: Sequence[str], at: datetime, channel: str = "call"
) -> datetime | None:
    """The next moment after `at` a time-of-day rule opens or closes in any of `zones`.

    A window that shows who may be called now asks again then; a moment too early only costs
    one more look, so agreed contact windows are not narrowed here.
    """
    moments: list[datetime] = []
    for rule in profile.rules:
        if rule.kind != "quiet_hours" or channel not in rule.channels:
            continue
        for edge in (rule.params["allowed_from"], rule.params["allowed_until"]):
            boundary = time.fromisoformat(edge)
            for key in zones:
                zone = ZoneInfo(key)
                local = at.astimezone(zone)
                day = local.date() if local.time() < boundary else local.date() + timedelta(days=1)
                moments.append(datetime.combine(day, boundary, tzinfo=zone).astimezone(UTC))
    return min(moments, default=None)
