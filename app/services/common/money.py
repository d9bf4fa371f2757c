"""Exact money: Decimal with two places, rounded half-up, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.services.common.errors import InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The most a money column holds (app.models.types.Money: 14 digits, two after the point).
LARGEST = Decimal("999999999999.99")
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "GBP": "£", "HKD": "HK$"}


def cents(value: Decimal | int | str) -> Decimal:
    """Round to whole cents, half-up (the way a bank statement rounds)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str | Decimal | int, *, what: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places, or InvalidAmount naming the input.

    what: which amount it is, for the message: "promise", "payment" or (any other) "amount".
    """
    try:
        amount = Decimal(str(text).strip().replace(",", "").lstrip("¥"))
    except InvalidOperation:
        raise _not_a_number(what, str(text)) from None
    if not amount.is_finite():
        raise _not_a_number(what, str(text))
    if amount <= 0:
        raise _not_positive(what, str(text))
    if amount > LARGEST:
        raise _too_large(what, str(text))
    if amount != amount.quantize(CENT):
        raise _too_precise(what, str(text))
    return amount.quantize(CENT)


# One whole sentence per kind of amount, so each language words it its own way.
def _not_a_number(what: str, text: str) -> InvalidAmount:
    if what == "promise":
        return InvalidAmount("The promised amount “{text}” is not a number.", text=text)
    if what == "payment":
        return InvalidAmount("Payment “{text}” is not a number.", text=text)
    return InvalidAmount("Amount “{text}” is not a number.", text=text)


def _not_positive(what: str, text: str) -> InvalidAmount:
    if what == "promise":
        return InvalidAmount("The promised amount must be more than zero (got {text}).", text=text)
    if what == "payment":
        return InvalidAmount("Payment must be more than zero (got {text}).", text=text)
    return InvalidAmount("Amount must be more than zero (got {text}).", text=text)


def _too_large(what: str, text: str) -> InvalidAmount:
    largest = f"{LARGEST:,}"
    if what == "promise":
        return InvalidAmount(
            "The promised amount “{text}” is more than {largest}.", text=text, largest=largest
        )
    if what == "payment":
        return InvalidAmount("Payment “{text}” is more than {largest}.", text=text, largest=largest)
    return InvalidAmount("Amount “{text}” is more than {largest}.", text=text, largest=largest)


def _too_precise(what: str, text: str) -> InvalidAmount:
    if what == "promise":
        return InvalidAmount(
            "The promised amount “{text}” has more than two decimal places.", text=text
        )
    if what == "payment":
        return InvalidAmount("Payment “{text}” has more than two decimal places.", text=text)
    return InvalidAmount("Amount “{text}” has more than two decimal places.", text=text)


def format_money(amount: Decimal, currency: str = "CNY", *, whole: bool = False) -> str:
    """`¥12,400.50`; with whole=True `¥12,400` (for short reasons in the queue)."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    if whole:
        return f"{sign}{symbol}{abs(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return f"{sign}{symbol}{abs(cents(amount)):,}"
