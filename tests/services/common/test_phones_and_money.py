"""Phone numbers through phonenumbers; resident ID numbers; money parsing and formatting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services.common import idnumbers
from app.services.common.errors import InvalidAmount, InvalidPhoneNumber
from app.services.common.money import format_money, parse_amount
from app.services.common.phones import PhoneStyle, format_phone, parse_phone


@pytest.mark.parametrize(
    "typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678"]
)
def test_mainland_mobile_in_any_format_is_stored_e164(typed: str) -> None:
    number = parse_phone(typed)
    assert number.e164 == "+8613812345678"
    assert (number.region, number.time_zones, number.mobile) == ("CN", ("Asia/Shanghai",), True)


@pytest.mark.parametrize(
    ("typed", "region", "zone"),
    [
        ("010 6512 3456", "CN", "Asia/Shanghai"),
        ("+852 9123 4567", "HK", "Asia/Hong_Kong"),
        ("+886 912 345 678", "TW", "Asia/Taipei"),
        ("+1 213 555 0142", "US", "America/Los_Angeles"),
        ("+44 20 7946 0958", "GB", "Europe/London"),
    ],
)
def test_numbers_map_to_region_and_zone(typed: str, region: str, zone: str) -> None:
    number = parse_phone(typed)
    assert number.region == region
    assert zone in number.time_zones


@pytest.mark.parametrize("typed", ["1381234567", "abc", "", "+86 123", "99999999999999"])
def test_invalid_numbers_are_rejected_naming_the_input(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        parse_phone(typed)
    assert (typed.strip() in caught.value.message) if typed else "empty" in caught.value.message


def test_display_is_national_at_home_and_international_abroad() -> None:
    assert format_phone("+8613812345678") == "138 1234 5678"
    assert format_phone("+12135550142") == "+1 213-555-0142"
    assert format_phone("+8613812345678", PhoneStyle.INTERNATIONAL) == "+86 138 1234 5678"
    assert format_phone("+12135550142", viewer_region="US") == "(213) 555-0142"


def test_resident_id_numbers_check_and_mask() -> None:
    number = idnumbers.make("110101", date(1990, 5, 17), 123)
    assert idnumbers.is_valid(number)
    assert idnumbers.is_valid("11010519491231002X")
    broken = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert not idnumbers.is_valid(broken)
    assert idnumbers.mask(number) == "110101********" + number[-4:]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-1", "more than zero"),
        ("0", "more than zero"),
        ("1.234", "two decimal"),
        ("x", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(typed: str, words: str) -> None:
    with pytest.raises(InvalidAmount, match=words):
        parse_amount(typed)


def test_amounts_parse_and_format() -> None:
    assert parse_amount("¥12,400.5") == Decimal("12400.50")
    assert format_money(Decimal("12400.5")) == "¥12,400.50"
    assert format_money(Decimal("12400.5"), whole=True) == "¥12,401"
    assert format_money(Decimal("-3"), "USD") == "-$3.00"
