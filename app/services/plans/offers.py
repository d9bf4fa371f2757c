"""Repayment plans (docs/domain.md §7): what a collector can offer, computed without writing.

A plan covers the overdue amount of a `Balance` (principal, interest, penalty and fees already
due), not everything owed: plans turn an overdue balance into instalments (docs/domain.md §7), and
the instalments not yet due keep their own schedule. Three kinds:

- "full": the overdue amount, less an optional penalty waiver, in one payment;
- "instalments": the same, less an optional down payment (due on the day of the offer), in N
  weekly, biweekly or monthly instalments from the first due date;
- "settlement": one payment, less a waiver and a discount, that closes the overdue amount.

Bad input (what no plan can be) raises a `DomainError`, every problem with the terms at once,
each naming the term it is about (`PlanTerms`' field names). Terms that are possible but beyond the
limits in `resources/plan_policy.json` do not raise: the offer lists them as `PolicyBreach`es
and needs a team lead's approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cache
from typing import Any

from app.services.common.errors import (
    Checks,
    DomainError,
    InvalidAmount,
    InvalidDate,
    InvalidInput,
    Message,
    render,
)
from app.services.common.money import CENT, ZERO, cents, format_money
from app.services.common.reference import load_json, policy
from app.services.portfolio.balances import Balance, add_months

KINDS = ("full", "instalments", "settlement")
# The frequencies the code can step; the policy says which of them a collector may offer alone.
FREQUENCIES = ("weekly", "biweekly", "monthly")


@dataclass(frozen=True)
class PlanPolicy:
    frequencies: tuple[str, ...]
    max_instalments: int
    min_instalment: Decimal
    max_days_to_first_payment: int
    max_waiver_share_of_penalty: Decimal
    max_discount_share_of_overdue: Decimal
    min_settlement_share_of_principal: Decimal


@cache
def plan_policy() -> PlanPolicy:
    """The limits in resources/plan_policy.json."""
    data: dict[str, Any] = load_json("plan_policy.json")
    return PlanPolicy(
        frequencies=tuple(data["frequencies"]),
        max_instalments=int(data["max_instalments"]),
        min_instalment=cents(data["min_instalment"]),
        max_days_to_first_payment=int(data["max_days_to_first_payment"]),
        max_waiver_share_of_penalty=Decimal(data["max_waiver_share_of_penalty"]),
        max_discount_share_of_overdue=Decimal(data["max_discount_share_of_overdue"]),
        min_settlement_share_of_principal=Decimal(data["min_settlement_share_of_principal"]),
    )


@dataclass(frozen=True)
class PlanTerms:
    """What the collector and the borrower discuss.

    kind: "full", "instalments" or "settlement"; first_due: the (first) payment date;
    frequency and instalments matter for "instalments" only (the others are one payment);
    down_payment: paid on the day of the offer, instalment plans only; waiver: penalty
    waived, any kind; discount: taken off a settlement only.
    """

    kind: str
    first_due: date
    frequency: str = "monthly"
    instalments: int = 1
    down_payment: Decimal = ZERO
    waiver: Decimal = ZERO
    discount: Decimal = ZERO


@dataclass(frozen=True)
class PlanLine:
    seq: int
    due_date: date
    amount: Decimal


class PlanOutsidePolicy(DomainError):
    """A term beyond what a collector may agree without a team lead.

    `offer` does not raise it: it keeps its template and values in a `PolicyBreach`. A step
    that must refuse an unapproved plan can raise it as it is.
    """


@dataclass(frozen=True)
class PolicyBreach:
    """One limit a plan goes beyond.

    rule: the policy key (e.g. "max_instalments"); limit and actual: the policy's value and the
    plan's (amounts as Decimal, days and counts as int, frequencies as codes); template and
    params: the sentence for the collector, translated like every service message.
    """

    rule: str
    limit: Decimal | int | str
    actual: Decimal | int | str
    template: str
    # Pairs rather than a dict, so a breach (and an offer) stays hashable.
    params: tuple[tuple[str, object], ...]

    @property
    def message(self) -> Message:
        return Message(self.template, dict(self.params))

    def __str__(self) -> str:
        return render(self.template, dict(self.params))


@dataclass(frozen=True)
class PlanOffer:
    """A computed plan; `lines` sum exactly to `total - down_payment`.

    overdue: what the plan covers; total: what the borrower pays (overdue - waiver - discount).
    """

    kind: str
    overdue: Decimal
    total: Decimal
    down_payment: Decimal
    lines: tuple[PlanLine, ...]
    waiver: Decimal
    discount: Decimal
    breaches: tuple[PolicyBreach, ...]

    @property
    def needs_approval(self) -> bool:
        # Derived, so an offer can never claim to be within policy while listing a breach.
        return bool(self.breaches)


def offer(
    balance: Balance, terms: PlanTerms, today: date, *, currency: str | None = None
) -> PlanOffer:
    """The plan `terms` make of the overdue part of `balance`, checked against the policy.

    today: the day of the offer in the borrower's zone (no due date may be before it);
    currency: for the amounts in messages, the policy's currency by default.
    """
    money = currency or str(policy()["currency"])
    _check_terms(balance, terms, today, money)
    # Whole-cent amounts such as 10.000 compute and print as 10.00.
    terms = replace(
        terms,
        down_payment=cents(terms.down_payment),
        waiver=cents(terms.waiver),
        discount=cents(terms.discount),
    )
    total = balance.overdue - terms.waiver - terms.discount
    if total <= 0:
        raise InvalidAmount(
            "A waiver of {waiver} and a discount of {discount} leave nothing of the {overdue} "
            "overdue to pay.",
            waiver=format_money(terms.waiver, money),
            discount=format_money(terms.discount, money),
            overdue=format_money(balance.overdue, money),
        ).at("discount" if terms.discount else "waiver")
    if terms.kind == "instalments":
        down = terms.down_payment
        if down >= total:
            raise InvalidAmount(
                "A down payment of {down} covers the whole {total}: offer a payment in full.",
                down=format_money(down, money),
                total=format_money(total, money),
            ).at("down_payment")
        rest = total - down
        if rest < CENT * terms.instalments:
            raise InvalidInput(
                "{rest} cannot be split into {count} instalments of at least one cent.",
                rest=format_money(rest, money),
                count=terms.instalments,
            ).at("instalments")
        lines = split(rest, schedule(terms.first_due, terms.frequency, terms.instalments))
    else:
        down = ZERO
        lines = (PlanLine(1, terms.first_due, total),)
    breaches = _breaches(balance, terms, today, lines, money)
    return PlanOffer(
        kind=terms.kind,
        overdue=balance.overdue,
        total=total,
        down_payment=down,
        lines=lines,
        waiver=terms.waiver,
        discount=terms.discount,
        breaches=breaches,
    )


def schedule(first_due: date, frequency: str, count: int) -> tuple[date, ...]:
    """`count` due dates from `first_due`.

    Monthly dates count from the first one, not from the one before, so 31 Jan gives 28/29 Feb
    and then 31 Mar rather than drifting to the 28th.
    """
    if frequency == "weekly":
        return tuple(first_due + timedelta(weeks=index) for index in range(count))
    if frequency == "biweekly":
        return tuple(first_due + timedelta(weeks=2 * index) for index in range(count))
    if frequency == "monthly":
        return tuple(add_months(first_due, index) for index in range(count))
    raise InvalidInput(
        "Unknown instalment frequency “{frequency}” (one of {known}).",
        frequency=frequency,
        known=", ".join(FREQUENCIES),
    )


def split(amount: Decimal, due_dates: tuple[date, ...]) -> tuple[PlanLine, ...]:
    """Equal instalments rounded down to the cent; the last one also takes the remainder."""
    count = len(due_dates)
    base = (amount / count).quantize(CENT, rounding=ROUND_DOWN)
    remainder = amount - base * count
    return tuple(
        PlanLine(seq, due, base + remainder if seq == count else base)
        for seq, due in enumerate(due_dates, start=1)
    )


def _check_terms(balance: Balance, terms: PlanTerms, today: date, money: str) -> None:
    """Refuse terms no plan can have, with every problem at once, each at its term (`FIELDS`);
    policy limits are checked later, and do not raise."""
    checks = Checks()
    if terms.kind not in KINDS:
        checks.add(
            "kind",
            InvalidInput(
                "Unknown plan kind “{kind}” (one of {known}).",
                kind=terms.kind,
                known=", ".join(KINDS),
            ),
        )
    if balance.overdue <= 0:
        checks.add(
            None, InvalidInput("Nothing is overdue: there is no balance to make a plan for.")
        )
    if terms.frequency not in FREQUENCIES:
        checks.add(
            "frequency",
            InvalidInput(
                "Unknown instalment frequency “{frequency}” (one of {known}).",
                frequency=terms.frequency,
                known=", ".join(FREQUENCIES),
            ),
        )
    if terms.kind == "instalments":
        if terms.instalments < 1:
            checks.add(
                "instalments",
                InvalidInput(
                    "A plan needs at least one instalment (got {count}).", count=terms.instalments
                ),
            )
    elif terms.instalments != 1:
        checks.add(
            "instalments",
            InvalidInput(
                "A payment in full or a settlement is one payment, not {count} instalments.",
                count=terms.instalments,
            ),
        )
    _check_money(checks, terms.down_payment, terms.waiver, terms.discount)
    if terms.down_payment and terms.kind != "instalments":
        checks.add("down_payment", InvalidInput("Only an instalment plan has a down payment."))
    if terms.discount and terms.kind != "settlement":
        checks.add(
            "discount",
            InvalidInput("Only a settlement has a discount; use a penalty waiver instead."),
        )
    if not checks.refused("waiver") and terms.waiver > balance.penalty:
        checks.add(
            "waiver",
            InvalidAmount(
                "The waiver of {waiver} is more than the {penalty} penalty interest overdue.",
                waiver=format_money(terms.waiver, money),
                penalty=format_money(balance.penalty, money),
            ),
        )
    if terms.first_due < today:
        checks.add(
            "first_due",
            InvalidDate("The first due date {date} is in the past.", date=terms.first_due),
        )
    checks.verdict()


def _check_money(checks: Checks, down_payment: Decimal, waiver: Decimal, discount: Decimal) -> None:
    # One sentence per amount, so each language words it its own way.
    if not _whole_cents(down_payment):
        checks.add(
            "down_payment",
            InvalidAmount(
                "The down payment must be zero or more, in whole cents (got {amount}).",
                amount=down_payment,
            ),
        )
    if not _whole_cents(waiver):
        checks.add(
            "waiver",
            InvalidAmount(
                "The waiver must be zero or more, in whole cents (got {amount}).", amount=waiver
            ),
        )
    if not _whole_cents(discount):
        checks.add(
            "discount",
            InvalidAmount(
                "The discount must be zero or more, in whole cents (got {amount}).",
                amount=discount,
            ),
        )


def _whole_cents(amount: Decimal) -> bool:
    # 10**12 is past what a Money column holds; quantizing a huge exponent would raise.
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 12:
        return False
    return amount == amount.quantize(CENT)


def _breaches(
    balance: Balance,
    terms: PlanTerms,
    today: date,
    lines: tuple[PlanLine, ...],
    money: str,
) -> tuple[PolicyBreach, ...]:
    limits = plan_policy()
    found: list[PolicyBreach] = []
    days = (terms.first_due - today).days
    if days > limits.max_days_to_first_payment:
        found.append(
            _breach(
                "max_days_to_first_payment",
                limits.max_days_to_first_payment,
                days,
                PlanOutsidePolicy(
                    "The first payment is {days} days away; at most {limit} without approval.",
                    days=days,
                    limit=limits.max_days_to_first_payment,
                ),
            )
        )
    most_waived = cents(balance.penalty * limits.max_waiver_share_of_penalty)
    if terms.waiver > most_waived:
        found.append(
            _breach(
                "max_waiver_share_of_penalty",
                most_waived,
                terms.waiver,
                PlanOutsidePolicy(
                    "A waiver of {waiver} is more than the {limit} that can be waived without "
                    "approval.",
                    waiver=format_money(terms.waiver, money),
                    limit=format_money(most_waived, money),
                ),
            )
        )
    if terms.kind == "instalments":
        found.extend(_instalment_breaches(terms, lines, limits, money))
    if terms.kind == "settlement":
        found.extend(_settlement_breaches(balance, terms, lines[0].amount, limits, money))
    return tuple(found)


def _instalment_breaches(
    terms: PlanTerms, lines: tuple[PlanLine, ...], limits: PlanPolicy, money: str
) -> list[PolicyBreach]:
    found: list[PolicyBreach] = []
    if terms.frequency not in limits.frequencies:
        allowed = ", ".join(limits.frequencies)
        found.append(
            _breach(
                "frequencies",
                allowed,
                terms.frequency,
                PlanOutsidePolicy(
                    "Instalments “{frequency}” need approval (allowed: {allowed}).",
                    frequency=terms.frequency,
                    allowed=allowed,
                ),
            )
        )
    if terms.instalments > limits.max_instalments:
        found.append(
            _breach(
                "max_instalments",
                limits.max_instalments,
                terms.instalments,
                PlanOutsidePolicy(
                    "{count} instalments are more than the {limit} allowed without approval.",
                    count=terms.instalments,
                    limit=limits.max_instalments,
                ),
            )
        )
    smallest = min(line.amount for line in lines)
    if smallest < limits.min_instalment:
        found.append(
            _breach(
                "min_instalment",
                limits.min_instalment,
                smallest,
                PlanOutsidePolicy(
                    "An instalment of {amount} is less than the {limit} minimum without approval.",
                    amount=format_money(smallest, money),
                    limit=format_money(limits.min_instalment, money),
                ),
            )
        )
    return found


def _settlement_breaches(
    balance: Balance, terms: PlanTerms, paid: Decimal, limits: PlanPolicy, money: str
) -> list[PolicyBreach]:
    found: list[PolicyBreach] = []
    most_discount = cents(balance.overdue * limits.max_discount_share_of_overdue)
    if terms.discount > most_discount:
        found.append(
            _breach(
                "max_discount_share_of_overdue",
                most_discount,
                terms.discount,
                PlanOutsidePolicy(
                    "A discount of {discount} is more than the {limit} allowed without approval.",
                    discount=format_money(terms.discount, money),
                    limit=format_money(most_discount, money),
                ),
            )
        )
    least_paid = cents(balance.principal * limits.min_settlement_share_of_principal)
    if paid < least_paid:
        found.append(
            _breach(
                "min_settlement_share_of_principal",
                least_paid,
                paid,
                PlanOutsidePolicy(
                    "A settlement of {amount} is less than the {limit} of principal it must "
                    "collect without approval.",
                    amount=format_money(paid, money),
                    limit=format_money(least_paid, money),
                ),
            )
        )
    return found


def _breach(
    rule: str, limit: Decimal | int | str, actual: Decimal | int | str, why: PlanOutsidePolicy
) -> PolicyBreach:
    params: Mapping[str, object] = why.params
    return PolicyBreach(rule, limit, actual, why.template, tuple(params.items()))
