"""Mainland resident ID numbers (GB 11643): checksum, date of birth and masking."""

from __future__ import annotations

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_valid(id_number: str) -> bool:
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    try:
        birth_date(id_number)
    except ValueError:
        return False
    return check_character(id_number[:17]) == id_number[17].upper()


def birth_date(id_number: str) -> date:
    """The date of birth a valid number carries (its 7th to 14th characters)."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def make(area_code: str, born: date, sequence: int) -> str:
    """A checksum-valid number; sequence's last digit is odd for men, even for women."""
    first17 = f"{area_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def mask(id_number: str) -> str:
    """`110101********1234`: region kept, birth date and sequence hidden (docs/domain.md §9)."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]
