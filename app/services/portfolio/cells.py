"""One cell of a lending system's file: checked, and read as the app stores it.

The portfolio import and the daily feed read the same kinds of cells. Each reader here takes a
cell's text (already stripped) and returns what the app stores, or raises `CellRefused` saying
what is wrong with it; the file's reader adds the row and the column. The one place where a
phone number is read in a country, a province or state in any spelling, a digit string, and a
date of birth against the ID number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers

from app.services.common.clock import business_zone
from app.services.common.errors import InvalidInput, InvalidPhoneNumber, Message
from app.services.common.idnumbers import birth_date, is_valid
from app.services.common.money import CENT
from app.services.common.phones import PhoneNumber, parse_phone
from app.services.common.reference import products
from app.services.common.regions import CHECKED, country_code, region_of

# Control, invisible and private characters: NUL, line breaks inside a cell, bidirectional
# overrides (U+202E turns the text around on screen), zero-width spaces, byte-order marks.
HIDDEN = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
# What a spreadsheet reads as the start of a formula (CSV injection, OWASP).
FORMULA = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_WHOLE = re.compile(r"[0-9]+")
_CONTRACT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
# The countries phonenumbers knows: a borrower's country is one of them.
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) | set(CHECKED)


class CellRefused(InvalidInput):
    """What is wrong with one cell; the file's reader names its row and column."""


def shown(text: str, longest: int = 40) -> str:
    """A cell's text safe to print: hidden characters as <U+XXXX>, long text cut."""
    visible = "".join(
        f"<U+{ord(c):04X}>" if unicodedata.category(c) in HIDDEN else c for c in text[:longest]
    )
    return visible + ("…" if len(text) > longest else "")


# -- any cell --------------------------------------------------------------------------------


def screened(text: str, longest: int) -> str:
    """The text if it fits the column and hides nothing (control or invisible characters)."""
    if len(text) > longest:
        raise CellRefused("longer than {longest} characters", longest=longest)
    hidden = next((c for c in text if unicodedata.category(c) in HIDDEN), None)
    if hidden is not None:
        raise CellRefused(
            "holds a control or invisible character ({code}); type it again",
            code=f"U+{ord(hidden):04X}",
        )
    return text


def words(text: str) -> str:
    """Text people wrote (a name, a street): any digits, but no spreadsheet formula."""
    if text.startswith(FORMULA):
        raise CellRefused("starts with “{sign}” as a spreadsheet formula does", sign=text[0])
    return text


def plain_digits(text: str) -> str:
    """The text if every digit in it is 0-9: full-width (１２３), superscript (²), Chinese (三)
    and other numerals are refused, as they are not what they look like to a program."""
    digit = next(
        (c for c in text if c not in "0123456789" and unicodedata.numeric(c, None) is not None),
        None,
    )
    if digit is not None:
        raise CellRefused(
            "“{text}” has the character “{digit}”: write digits as 0-9"
            " (no full-width, superscript or Chinese numerals)",
            text=shown(text),
            digit=digit,
        )
    return text


# -- numbers, dates, codes -------------------------------------------------------------------


def number(text: str) -> Decimal:
    """A plain decimal number, zero or more, in the digits 0-9 (no exponent, no separators)."""
    value = _decimal(text)
    if value is None:
        raise CellRefused("not a number")
    if value < 0:
        raise CellRefused("must be zero or more")
    return value


def money(text: str, *, positive: bool) -> Decimal:
    """An amount in yuan, in whole cents; more than zero when `positive`, else zero or more."""
    value = _decimal(text)
    if value is None:
        raise CellRefused("not an amount")
    if positive and value <= 0:
        raise CellRefused("must be more than zero")
    if value < 0:
        raise CellRefused("must be zero or more")
    if value >= Decimal(10) ** 12 or value != value.quantize(CENT):
        raise CellRefused("an amount in whole cents")
    return value


def rate(text: str, highest: Decimal, places: int) -> Decimal:
    """A rate as a fraction (0.18 for 18%), from zero up to `highest`, to `places` places."""
    if text.endswith("%"):
        raise CellRefused("write a rate as a fraction: 0.18 for 18%")
    value = number(text)
    if value > highest:
        raise CellRefused(
            "{value} is more than any loan here carries (at most {highest});"
            " write a rate as a fraction: 0.18 for 18%",
            value=value,
            highest=highest,
        )
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise CellRefused("at most {places} decimal places", places=places)
    return value


def whole(text: str, lowest: int, highest: int) -> int:
    """A whole number from `lowest` to `highest`."""
    if not _WHOLE.fullmatch(text) or not lowest <= int(text) <= highest:
        raise CellRefused(
            "a whole number from {lowest} to {highest}", lowest=lowest, highest=highest
        )
    return int(text)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellRefused("not a date (YYYY-MM-DD)") from None


def moment(text: str) -> datetime:
    """A time in ISO 8601, in UTC; without an offset it is the lender's (Beijing) time."""
    try:
        read = datetime.fromisoformat(text)
    except ValueError:
        raise CellRefused("not a time (ISO 8601, e.g. 2026-11-28T10:00:00+08:00)") from None
    if read.tzinfo is None:
        read = read.replace(tzinfo=business_zone())
    return read.astimezone(UTC)


def contract_no(text: str) -> str:
    if not _CONTRACT.fullmatch(text):
        raise CellRefused("a contract number has letters, digits and - _ . / only")
    return text


def product(text: str) -> str:
    """A product code of resources/products.json."""
    if text not in products():
        raise CellRefused(
            "unknown product “{code}” (one of {codes})",
            code=shown(text),
            codes=", ".join(products()),
        )
    return text


# -- people and places -----------------------------------------------------------------------


def id_number(text: str) -> str:
    """A mainland resident ID number (GB 11643), its check character X in capitals."""
    number = text.upper()
    if not is_valid(number):
        raise CellRefused("not a valid resident ID number (check digit)")
    return number


def date_of_birth(text: str, id_number: str | None, today: date) -> date:
    """A date of birth, in the past, and the one a (valid) resident ID number carries."""
    born = day(text)
    if id_number is not None and born != birth_date(id_number):
        raise CellRefused("the ID number says {born}", born=birth_date(id_number))
    if born > today:
        raise CellRefused("in the future")
    return born


def country(text: str) -> str:
    """The ISO 3166 code of a country written as its code or English name."""
    code = country_code(text)
    if code is None or code not in _COUNTRIES:
        raise CellRefused("not a country (an ISO code such as CN, US or HK)")
    return code


def province(text: str, country: str) -> str:
    """A province or state of `country` as the app stores it (regions.region_of)."""
    region = region_of(country, text)
    if region is not None:
        return region
    if country == "CN":
        raise CellRefused(
            "“{text}” is not a province of {country} (write it e.g. as GD, 广东, 广东省 or"
            " Guangdong)",
            text=shown(text),
            country=country,
        )
    raise CellRefused(
        "“{text}” is not a state of {country} (write it e.g. as CA or California)",
        text=shown(text),
        country=country,
    )


def phone(text: str, country: str) -> PhoneNumber:
    """A phone number as people in `country` write it; another country's starts with +."""
    plain_digits(text)
    try:
        return parse_phone(text, country)
    except InvalidPhoneNumber as error:
        raise CellRefused(
            "{problem} Read as a number of {country}: a number of another country starts"
            " with + and its country code.",
            problem=Message(error.template, error.params),
            country=country,
        ) from None


def email(text: str) -> str:
    if "@" not in text or text.startswith(FORMULA):
        raise CellRefused("not an e-mail address")
    return text


def _decimal(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
