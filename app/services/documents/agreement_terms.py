"""What the parties to a repayment agreement agree, as data: the terms, their canonical JSON
and its SHA-256.

Kept apart from the PDF (`agreement_pdf`) so that issuing, tracking and checking plans, which
need the terms and their digest but never a page, do not load the PDF libraries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from app.services.common.money import CENT, cents, format_money


@dataclass(frozen=True)
class AgreementLine:
    seq: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class AgreementTerms:
    """What the parties agree, and exactly what the SHA-256 covers.

    borrower_id_masked: always the masked ID number, whatever the document prints;
    kind: "full", "instalments" or "settlement"; frequency: "weekly", "biweekly" or "monthly"
    for instalments, else None; total: what the borrower pays, i.e. the overdue amounts less
    waiver and discount, and also the down payment plus the lines.
    """

    agreement_no: str
    agreement_date: date
    contract_no: str
    borrower_name: str
    borrower_id_masked: str
    currency: str
    kind: str
    frequency: str | None
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_penalty: Decimal
    overdue_fees: Decimal
    waiver: Decimal
    discount: Decimal
    down_payment: Decimal
    total: Decimal
    lines: tuple[AgreementLine, ...]

    @property
    def overdue(self) -> Decimal:
        return (
            self.overdue_principal
            + self.overdue_interest
            + self.overdue_penalty
            + (self.overdue_fees)
        )


# ---------------------------------------------------------------- the terms as data

_AMOUNT_FIELDS = (
    "overdue_principal",
    "overdue_interest",
    "overdue_penalty",
    "overdue_fees",
    "waiver",
    "discount",
    "down_payment",
    "total",
)
_TEXT_FIELDS = ("agreement_no", "contract_no", "borrower_name", "borrower_id_masked", "currency")
_FIELDS = frozenset(field.name for field in fields(AgreementTerms))


def canonical_terms(terms: AgreementTerms) -> bytes:
    """The terms as deterministic UTF-8 JSON: sorted keys, no spaces, amounts as "1234.50"."""
    data: dict[str, Any] = {name: getattr(terms, name) for name in _TEXT_FIELDS}
    data.update({name: _amount(getattr(terms, name)) for name in _AMOUNT_FIELDS})
    data["agreement_date"] = terms.agreement_date.isoformat()
    data["kind"] = terms.kind
    data["frequency"] = terms.frequency
    data["lines"] = [
        {"seq": line.seq, "due_date": line.due_date.isoformat(), "amount": _amount(line.amount)}
        for line in terms.lines
    ]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def terms_digest(terms: AgreementTerms) -> str:
    """The SHA-256 (hex) of `canonical_terms`: what the agreement's QR code and footer carry."""
    return hashlib.sha256(canonical_terms(terms)).hexdigest()


def qr_payload(terms: AgreementTerms, digest: str | None = None) -> str:
    """What the QR code says: the agreement number and the SHA-256 of its terms.

    In capitals, so that it fits QR's alphanumeric mode: a smaller code, drawn faster.
    """
    return f"{terms.agreement_no} SHA-256:{digest or terms_digest(terms)}".upper()


def _amount(value: Decimal) -> str:
    # `cents` keeps "-0.00" for a negative zero; an amount of nothing reads "0.00".
    rounded = cents(value)
    return f"{rounded if rounded else CENT * 0:f}"


def parse_terms(raw: bytes) -> AgreementTerms:
    """The terms from their JSON; ValueError naming what is wrong when they are not terms."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if set(data) != _FIELDS:
        missing, extra = sorted(_FIELDS - set(data)), sorted(set(data) - _FIELDS)
        raise ValueError(f"fields missing {missing}, unexpected {extra}")
    values: dict[str, Any] = {name: _text(data, name) for name in _TEXT_FIELDS}
    values.update({name: _parse_amount(data[name], name) for name in _AMOUNT_FIELDS})
    values["agreement_date"] = _parse_date(data["agreement_date"], "agreement_date")
    values["kind"] = _text(data, "kind")
    frequency = data["frequency"]
    if frequency is not None and not isinstance(frequency, str):
        raise ValueError("frequency is neither text nor null")
    values["frequency"] = frequency
    lines = data["lines"]
    if not isinstance(lines, list):
        raise ValueError("lines is not a list")
    parsed = []
    for index, line in enumerate(lines):
        if not isinstance(line, dict) or set(line) != {"seq", "due_date", "amount"}:
            raise ValueError(f"line {index + 1} is not seq, due_date and amount")
        seq = line["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise ValueError(f"line {index + 1}: seq is not a whole number")
        parsed.append(
            AgreementLine(
                seq=seq,
                due_date=_parse_date(line["due_date"], f"line {seq} due_date"),
                amount=_parse_amount(line["amount"], f"line {seq} amount"),
            )
        )
    values["lines"] = tuple(parsed)
    return AgreementTerms(**values)


def _text(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


# One more than the largest amount a Money column holds (14 digits, 2 after the point).
MOST = Decimal(10) ** 12


def _parse_amount(value: object, name: str) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f"{name} is not an amount in quotes")
    try:
        amount = Decimal(value)
        # Beyond what the database stores (NUMERIC(14,2)) cannot be an agreement's amount, and
        # quantizing a huge exponent raises rather than answering.
        if not amount.is_finite() or abs(amount) >= MOST:
            raise ValueError(f"{name} “{value}” is not an amount in cents")
        exact = amount == amount.quantize(CENT)
    except ArithmeticError:
        raise ValueError(f"{name} “{value}” is not an amount") from None
    if not exact or _amount(amount) != value:
        raise ValueError(f"{name} “{value}” is not an amount in cents")
    return amount


def _parse_date(value: object, name: str) -> date:
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} “{value}” is not a date") from None


def sum_problems(terms: AgreementTerms) -> list[str]:
    problems = []
    money = terms.currency
    if terms.total != terms.overdue - terms.waiver - terms.discount:
        problems.append(
            f"The total {format_money(terms.total, money)} is not the overdue "
            f"{format_money(terms.overdue, money)} less the waiver and discount."
        )
    scheduled = terms.down_payment + sum((line.amount for line in terms.lines), Decimal(0))
    if terms.total != scheduled:
        problems.append(
            f"The down payment and instalments add up to {format_money(scheduled, money)}, "
            f"not the total {format_money(terms.total, money)}."
        )
    return problems
