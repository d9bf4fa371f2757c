"""Every phone number goes through phonenumbers: parsed, validated, stored E.164, formatted."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberFormat, timezone

from app.services.common.errors import InvalidPhoneNumber

UNKNOWN_ZONE = "Etc/Unknown"


class PhoneStyle(StrEnum):
    NATIONAL = "national"
    INTERNATIONAL = "international"
    E164 = "e164"


@dataclass(frozen=True)
class PhoneNumber:
    e164: str
    region: str
    time_zones: tuple[str, ...]
    mobile: bool


def parse_phone(text: str, default_region: str = "CN") -> PhoneNumber:
    """Parse what a user typed (any common format); raise InvalidPhoneNumber naming it."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidPhoneNumber("The phone number is empty.")
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("“{text}” is not a phone number.", text=raw) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            "“{text}” is not a valid phone number (read as {read_as}).",
            text=raw,
            read_as=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        )
    zones = tuple(z for z in timezone.time_zones_for_number(number) if z != UNKNOWN_ZONE)
    kind = phonenumbers.number_type(number)
    return PhoneNumber(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=phonenumbers.region_code_for_number(number) or "",
        time_zones=zones,
        mobile=kind
        in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE),
    )


def format_phone(
    e164: str, style: PhoneStyle = PhoneStyle.NATIONAL, viewer_region: str = "CN"
) -> str:
    """National format for numbers of the viewer's region, international for all others."""
    number = phonenumbers.parse(e164, None)
    if style is PhoneStyle.E164:
        return e164
    if (
        style is PhoneStyle.NATIONAL
        and phonenumbers.region_code_for_number(number) == viewer_region
    ):
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def country_name(region: str, language: str) -> str:
    """A phone region's country in `language` (`US` → 美国 in Chinese), from the phone-number
    library's own names; "" where it has none (the caller falls back to another source)."""
    # Imported here: the names' data takes a third of a second to load, which every command
    # touching a phone number would pay otherwise.
    from phonenumbers import geocoder

    example = phonenumbers.example_number(region)
    if example is None:
        return ""
    return geocoder.country_name_for_number(example, "zh" if language == "zh_CN" else "en")
