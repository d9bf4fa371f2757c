"""Every contact rule of the CN and US profiles, evaluated in the borrower's local time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.models import Channel
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.phones import parse_phone
from app.services.contact.compliance import (
    Evaluator,
    PastAttempt,
    Point,
    Subject,
    available_profiles,
    load_profile,
)

LOAN = uuid.uuid4()
MOBILE = uuid.uuid4()
HOME = uuid.uuid4()
EMERGENCY = uuid.uuid4()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def subject(address_zone: str | None = "Asia/Shanghai", **extra: object) -> Subject:
    """A borrower living in `address_zone`."""
    values: dict[str, object] = {
        "loan_id": LOAN,
        "flags": frozenset(),
        "address_zones": (address_zone,) if address_zone else (),
        "own_point_ids": frozenset({MOBILE, HOME}),
    }
    values.update(extra)
    return Subject(**values)  # type: ignore[arg-type]


def phone(number: str, point_id: uuid.UUID = MOBILE, **marks: bool) -> Point:
    parsed = parse_phone(number)
    kind = "emergency" if point_id == EMERGENCY else "mobile"
    return Point(
        id=point_id, kind=kind, zones=parsed.time_zones, third_party=kind == "emergency", **marks
    )


def attempt(
    at: datetime, *, contact: bool, rpc: bool = False, point: uuid.UUID = MOBILE
) -> PastAttempt:
    return PastAttempt(at, LOAN, point, "call", contact, rpc, True)


CN = Evaluator(load_profile("CN"))
US = Evaluator(load_profile("US"))
BEIJING_MOBILE = "13812345678"


def test_profiles_cn_and_us_exist_and_every_rule_names_its_source() -> None:
    assert {"CN", "US"} <= set(available_profiles())
    for code in available_profiles():
        profile = load_profile(code)
        assert profile.sources
        assert all(rule.source for rule in profile.rules)
        assert all(stop.source for stop in profile.stops)


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(NotFound, match="XX"):
        load_profile("XX")


def test_cn_allows_a_call_at_2159_beijing_time() -> None:
    decision = CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", utc(2026, 11, 28, 13, 59))
    assert decision.allowed


def test_cn_blocks_at_2200_beijing_until_0800_next_morning() -> None:
    decision = CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", utc(2026, 11, 28, 14, 0))
    assert not decision.allowed
    assert decision.rule_id == "cn.quiet_hours"
    assert decision.next_allowed_at == utc(2026, 11, 29, 0, 0)  # 08:00 Beijing


def test_cn_blocks_at_0759_until_0800_the_same_morning() -> None:
    decision = CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", utc(2026, 11, 27, 23, 59))
    assert decision.next_allowed_at == utc(2026, 11, 28, 0, 0)


def test_number_and_address_in_different_zones_need_both_windows() -> None:
    # A Beijing mobile, but the borrower lives in Los Angeles (UTC-8 in November).
    abroad = subject(address_zone="America/Los_Angeles")
    at = utc(2026, 11, 28, 7, 0)  # 15:00 Beijing, 23:00 Los Angeles
    assert CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", at).allowed
    decision = CN.evaluate(abroad, phone(BEIJING_MOBILE), "call", at)
    assert not decision.allowed
    assert "America/Los_Angeles" in decision.detail
    # Both windows are open only from 00:00 to 06:00 UTC (08:00-14:00 Beijing).
    assert decision.next_allowed_at == utc(2026, 11, 29, 0, 0)
    assert set(decision.zones) == {"Asia/Shanghai", "America/Los_Angeles"}


def test_us_pacific_number_at_0830_eastern_is_blocked_until_0800_pacific() -> None:
    new_yorker = subject(address_zone="America/New_York")
    at = utc(2026, 11, 18, 13, 30)  # 08:30 EST, 05:30 PST
    decision = US.evaluate(new_yorker, phone("+1 213 555 0142"), "call", at)
    assert not decision.allowed
    assert decision.rule_id == "us.inconvenient_time"
    assert decision.next_allowed_at == utc(2026, 11, 18, 16, 0)  # 08:00 PST
    assert US.evaluate(new_yorker, phone("+1 212 555 0142"), "call", at).allowed


def test_dst_start_moves_the_opening_hour_in_utc() -> None:
    new_yorker = subject(address_zone="America/New_York")
    number = phone("+1 212 555 0142")
    # The day before the change 12:30 UTC is 07:30 EST; on the day it is 08:30 EDT.
    assert not US.evaluate(new_yorker, number, "call", utc(2026, 3, 7, 12, 30)).allowed
    assert US.evaluate(new_yorker, number, "call", utc(2026, 3, 8, 12, 30)).allowed
    # At 01:30 EST on the change day the window opens at 08:00 EDT = 12:00 UTC, not 13:00.
    decision = US.evaluate(new_yorker, number, "call", utc(2026, 3, 8, 6, 30))
    assert decision.next_allowed_at == utc(2026, 3, 8, 12, 0)


def test_dst_end_moves_the_closing_hour_in_utc() -> None:
    new_yorker = subject(address_zone="America/New_York")
    number = phone("+1 212 555 0142")
    # 01:30 UTC on 1 Nov 2026 is 21:30 EDT (closed); a day later 01:30 UTC is 20:30 EST (open).
    assert not US.evaluate(new_yorker, number, "call", utc(2026, 11, 1, 1, 30)).allowed
    assert US.evaluate(new_yorker, number, "call", utc(2026, 11, 2, 1, 30)).allowed


def test_cn_fourth_answered_call_of_the_day_is_blocked_until_next_morning() -> None:
    at = utc(2026, 11, 28, 6, 0)  # 14:00 Beijing
    history = [attempt(utc(2026, 11, 28, h, 0), contact=True) for h in (1, 2, 3)]
    decision = CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", at, history)
    assert decision.rule_id == "cn.connected_per_day"
    assert "3 answered calls" in decision.detail
    # Midnight Beijing lifts the cap, quiet hours then hold it until 08:00.
    assert decision.next_allowed_at == utc(2026, 11, 29, 0, 0)
    assert CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", at, history[:2]).allowed


def test_cn_day_boundary_is_beijing_midnight_not_utc_midnight() -> None:
    at = utc(2026, 11, 28, 2, 0)  # 10:00 Beijing on the 28th
    yesterday_local = [attempt(utc(2026, 11, 27, 15, m), contact=True) for m in (0, 10, 20)]
    today_local = [attempt(utc(2026, 11, 27, 16, m), contact=True) for m in (10, 20, 30)]
    number = phone(BEIJING_MOBILE)
    assert CN.evaluate(subject(), number, "call", at, yesterday_local).allowed
    assert not CN.evaluate(subject(), number, "call", at, today_local).allowed


def test_cn_seventh_unanswered_attempt_on_a_number_is_blocked_but_another_number_is_not() -> None:
    at = utc(2026, 11, 28, 8, 0)
    history = [attempt(utc(2026, 11, 28, 1, m), contact=False) for m in range(6)]
    decision = CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", at, history)
    assert decision.rule_id == "cn.unanswered_per_number"
    home = phone("010 6512 3456", HOME)
    assert CN.evaluate(subject(), home, "call", at, history).allowed


def test_cn_third_party_only_after_failed_attempts_on_own_numbers() -> None:
    at = utc(2026, 11, 28, 3, 0)
    relative = phone("13912345678", EMERGENCY)
    blocked = CN.evaluate(subject(), relative, "call", at)
    assert blocked.rule_id == "cn.third_party"
    assert blocked.next_allowed_at is None
    failed = [attempt(utc(2026, 11, 27, 2, m), contact=False) for m in range(3)]
    assert CN.evaluate(subject(), relative, "call", at, failed).allowed
    reached = [*failed, attempt(utc(2026, 11, 27, 5, 0), contact=True, rpc=True)]
    decision = CN.evaluate(subject(), relative, "call", at, reached)
    assert decision.rule_id == "cn.third_party"
    assert "reached recently" in decision.detail
    # Once the reach leaves the look-back, new failed attempts are needed again: no set time.
    assert decision.next_allowed_at is None


@pytest.mark.parametrize(
    ("flag", "rule"),
    [
        ("cease_requested", "cn.stop.cease"),
        ("dispute_open", "cn.stop.dispute"),
        ("vulnerable", "cn.stop.vulnerable"),
        ("deceased", "cn.stop.deceased"),
        ("legal_referral", "cn.stop.legal"),
        ("settled", "cn.stop.settled"),
    ],
)
def test_account_stops_block_with_no_time_of_their_own(flag: str, rule: str) -> None:
    decision = CN.evaluate(
        subject(flags=frozenset({flag})), phone(BEIJING_MOBILE), "call", utc(2026, 11, 28, 3)
    )
    assert (decision.allowed, decision.rule_id, decision.next_allowed_at) == (False, rule, None)


def test_do_not_call_and_wrong_number_block_the_point() -> None:
    at = utc(2026, 11, 28, 3)
    dnc = CN.evaluate(subject(), phone(BEIJING_MOBILE, do_not_call=True), "call", at)
    wrong = CN.evaluate(subject(), phone(BEIJING_MOBILE, wrong_number=True), "call", at)
    assert (dnc.rule_id, wrong.rule_id) == ("point.do_not_call", "point.wrong_number")


def test_borrower_agreed_window_overrides_quiet_hours_where_the_profile_allows() -> None:
    late = subject(agreed_window=(time(9, 0), time(23, 0)))
    at = utc(2026, 11, 28, 14, 30)  # 22:30 Beijing
    assert not CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", at).allowed
    assert CN.evaluate(late, phone(BEIJING_MOBILE), "call", at).allowed


def test_us_eighth_call_in_seven_days_is_presumed_harassment() -> None:
    new_yorker = subject(address_zone="America/New_York")
    number = phone("+1 212 555 0142")
    at = utc(2026, 11, 20, 16, 0)
    history = [attempt(at - timedelta(days=d, hours=1), contact=False) for d in range(7)]
    decision = US.evaluate(new_yorker, number, "call", at, history)
    assert decision.rule_id == "us.seven_in_seven"
    oldest = min(a.at for a in history)
    assert decision.next_allowed_at == oldest + timedelta(days=7)
    assert US.evaluate(new_yorker, number, "call", at, history[:6]).allowed


def test_us_no_call_within_seven_days_of_a_conversation() -> None:
    new_yorker = subject(address_zone="America/New_York")
    talked = utc(2026, 11, 15, 15, 0)
    decision = US.evaluate(
        new_yorker,
        phone("+1 212 555 0142"),
        "call",
        utc(2026, 11, 18, 15, 0),
        [attempt(talked, contact=True, rpc=True)],
    )
    assert decision.rule_id == "us.after_conversation"
    assert decision.next_allowed_at == talked + timedelta(days=7)


def test_us_third_party_only_once() -> None:
    new_yorker = subject(address_zone="America/New_York")
    relative = Point(id=EMERGENCY, kind="emergency", zones=("America/New_York",), third_party=True)
    at = utc(2026, 11, 18, 15, 0)
    assert US.evaluate(new_yorker, relative, "call", at).allowed
    spoken = [attempt(utc(2026, 10, 1, 15, 0), contact=True, point=EMERGENCY)]
    assert US.evaluate(new_yorker, relative, "call", at, spoken).rule_id == "us.third_party"


def test_attorney_representation_stops_us_contact_only() -> None:
    represented = subject(
        address_zone="America/New_York", flags=frozenset({"attorney_represented"})
    )
    at = utc(2026, 11, 18, 15, 0)
    assert (
        US.evaluate(represented, phone("+1 212 555 0142"), "call", at).rule_id == "us.stop.attorney"
    )


def test_a_time_without_zone_is_refused() -> None:
    with pytest.raises(InvalidInput):
        CN.evaluate(subject(), phone(BEIJING_MOBILE), "call", datetime(2026, 11, 28, 10))


def test_a_split_state_checks_every_zone_it_spans() -> None:
    from app.services.common.reference import address_zones

    texan = subject(address_zone=None, address_zones=address_zones("US", "TX"))
    # 07:30 in El Paso (Mountain) is 08:30 in Houston (Central): still too early for El Paso.
    at = utc(2026, 11, 18, 14, 30)
    decision = US.evaluate(texan, phone("+1 713 555 0142"), "call", at)
    assert decision.rule_id == "us.inconvenient_time"
    assert "America/Denver" in decision.zones
    assert address_zones("US", "WI") == ("America/Chicago",)
    assert len(address_zones("US", "unknown")) == 4


def test_us_callback_the_consumer_asked_for_is_not_blocked_by_the_conversation_rule() -> None:
    talked = utc(2026, 11, 18, 15, 0)
    callback = utc(2026, 11, 19, 15, 0)
    history = [attempt(talked, contact=True, rpc=True)]
    number = phone("+1 212 555 0142")
    asked = subject(address_zone="America/New_York", requested_callback_at=callback)
    assert US.evaluate(asked, number, "call", callback + timedelta(minutes=10), history).allowed
    late = US.evaluate(asked, number, "call", callback + timedelta(hours=2), history)
    assert late.rule_id == "us.after_conversation"


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        # CN's visits end at 20:00, two hours before its contact hours do.
        ("CN", "cn.visit.hours"),
        # US and UK visit hours are their contact hours: the contact rule answers first.
        ("US", "us.inconvenient_time"),
        ("UK", "uk.unreasonable_time"),
    ],
)
def test_a_visit_is_checked_against_the_profiles_home_visit_hours(code: str, rule: str) -> None:
    """One answer for one question: the hours planning holds a visit to (home_visit) are the
    hours `check-contact --channel visit` says, not only the wider contact hours."""
    from app.services.field.visits import home_visit_rules

    profile = load_profile(code)
    hours = home_visit_rules(code)
    zone = ZoneInfo(profile.default_zone)
    evaluator = Evaluator(profile)
    day = datetime(2026, 12, 8, tzinfo=zone).date()
    closing = datetime.combine(day, hours.closes, tzinfo=zone)
    someone = subject(address_zone=profile.default_zone)
    # A number with no zone of its own: the borrower's address decides.
    point = Point(id=MOBILE, kind="mobile", zones=(), third_party=False)
    last_minute = evaluator.evaluate(someone, point, "visit", closing - timedelta(minutes=1))
    assert last_minute.allowed
    closed = evaluator.evaluate(someone, point, "visit", closing)
    assert not closed.allowed and closed.rule_id == rule
    assert closed.next_allowed_at == datetime.combine(
        day + timedelta(days=1), hours.opens, tzinfo=zone
    ).astimezone(UTC)


@pytest.mark.parametrize(
    ("code", "local_night", "rule"),
    [("CN", time(23, 30), "cn.quiet_hours"), ("UK", time(22, 30), "uk.unreasonable_time")],
)
def test_quiet_hours_cover_e_mail_as_every_collection_contact(
    code: str, local_night: time, rule: str
) -> None:
    profile = load_profile(code)
    zone = ZoneInfo(profile.default_zone)
    night = datetime.combine(datetime(2026, 12, 8).date(), local_night, tzinfo=zone)
    address = Point(id=MOBILE, kind="email", zones=(), third_party=False)
    decision = Evaluator(profile).evaluate(
        subject(address_zone=profile.default_zone), address, "email", night
    )
    assert not decision.allowed and decision.rule_id == rule


@pytest.mark.parametrize("code", available_profiles())
@pytest.mark.parametrize("channel", [channel.value for channel in Channel])
def test_every_channel_of_every_profile_keeps_the_quiet_hours(code: str, channel: str) -> None:
    """Every collection contact (PRODUCT §4), whatever the channel: open mid-morning, shut at
    23:30 and 06:30 local time, by the profile's own hours rule (a visit: its home-visit hours
    where they are narrower)."""
    profile = load_profile(code)
    zone = ZoneInfo(profile.default_zone)
    day = datetime(2026, 12, 8).date()
    kind = {"email": "email", "visit": "address"}.get(channel, "mobile")
    target = Point(id=None if channel == "visit" else MOBILE, kind=kind, zones=())
    evaluator = Evaluator(profile)
    someone = subject(address_zone=profile.default_zone)
    hours_rules = {rule.id for rule in profile.rules if rule.kind == "quiet_hours"}
    assert evaluator.evaluate(
        someone, target, channel, datetime.combine(day, time(10), zone)
    ).allowed
    for night in (time(23, 30), time(6, 30)):
        decision = evaluator.evaluate(someone, target, channel, datetime.combine(day, night, zone))
        assert not decision.allowed
        assert decision.rule_id in hours_rules | {f"{code.lower()}.visit.hours"}
        assert decision.next_allowed_at is not None
