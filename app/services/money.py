"""Exact money: Decimal with two places, rounded half-up, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.services.errors import InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "GBP": "£", "HKD": "HK$"}


def cents(value: Decimal | int | str) -> Decimal:
    """Round to whole cents, half-up (the way a bank statement rounds)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str | Decimal | int, *, what: str = "Amount") -> Decimal:
    """A positive amount with at most two decimal places, or InvalidAmount naming the input."""
    try:
        amount = Decimal(str(text).strip().replace(",", "").lstrip("¥"))
    except InvalidOperation:
        raise InvalidAmount(f"{what} “{text}” is not a number.") from None
    if not amount.is_finite():
        raise InvalidAmount(f"{what} “{text}” is not a number.")
    if amount <= 0:
        raise InvalidAmount(f"{what} must be more than zero (got {text}).")
    if amount != amount.quantize(CENT):
        raise InvalidAmount(f"{what} “{text}” has more than two decimal places.")
    return amount.quantize(CENT)


def format_money(amount: Decimal, currency: str = "CNY", *, whole: bool = False) -> str:
    """`¥12,400.50`; with whole=True `¥12,400` (for short reasons in the queue)."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    if whole:
        return f"{sign}{symbol}{abs(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return f"{sign}{symbol}{abs(cents(amount)):,}"
