"""The mutable records the simulation keeps while it builds an account: its plan, its contact
points, the account itself and its open instalments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.demo.shape import City, ProductShape

# Instalment state, one list per instalment, indexed by these (plain lists are the fastest
# mutable records in CPython, and there are millions of them). Days are date ordinals, money is
# whole cents.
(
    DUE_DAY,
    PRINCIPAL,
    INTEREST,
    FEES,
    PRINCIPAL_PAID,
    INTEREST_PAID,
    FEES_PAID,
    PENALTY,
    PENALTY_PAID,
    ACCRUED_TO,
    SETTLED_ON,
    SEQ,
) = range(12)
# The (due, paid) indexes of each part of an instalment, by the policy's name for it.
PARTS = {
    "principal": (PRINCIPAL, PRINCIPAL_PAID),
    "interest": (INTEREST, INTEREST_PAID),
    "fees": (FEES, FEES_PAID),
    "penalty": (PENALTY, PENALTY_PAID),
}


@dataclass(slots=True)
class Plan:
    """What an account is to show, drawn before any account is built (see plan.draw_plans)."""

    bucket: str | None  # None: settled
    abroad: bool = False
    field: bool = False
    flag: str | None = None
    special: str | None = None
    # The borrower's willingness to pay, 0 to 1: their traits below and a hidden part of their
    # own (docs/scoring.md, "How the history is made").
    willingness: float = 0.5
    # An overdue borrower's traits, drawn with the willingness they shape (None: drawn with
    # the account, as for current and settled ones).
    product: ProductShape | None = None
    principal: int | None = None
    employed: bool | None = None
    city: City | None = None
    # What happens to the account in the window: None (it rolls, stays or pays part), "cure"
    # (it pays everything overdue on `story_day` and is current now), "plan_kept" or
    # "plan_broken" (a repayment plan offered on `story_day`).
    story: str | None = None
    story_day: int = 0


@dataclass(slots=True)
class Point:
    """A borrower's contact point, and what the work on it has found out."""

    id: str
    kind: str
    value: str
    region: str | None
    zones: str
    own: bool
    utc8: bool
    contact_name: str | None = None
    relation: str | None = None
    do_not_call: bool = False
    wrong_number: bool = False
    spoken: bool = False

    @property
    def usable(self) -> bool:
        return not (self.do_not_call or self.wrong_number or self.spoken)


@dataclass(slots=True)
class Account:
    """What the activity simulation needs to know and change about one account."""

    loan_id: str
    borrower_id: str
    user_id: str
    bucket: str
    plan: Plan
    states: list[list[Any]]  # the instalments not yet paid off, oldest first
    penalty_micro: int
    points: list[Point]
    # Every zone the postal address may be in; calls must suit each of them.
    address_zones: tuple[str, ...]
    address_utc8: bool
    start_day: int
    last_day: int = 0
    own_failures: list[int] = field(default_factory=list)
    rpc_times: list[int] = field(default_factory=list)
    # Where the borrower lives: their compliance profile, so the scripts their calls followed.
    country: str = "CN"
    promise_until: int = -1
    flagged_at: int | None = None
    # The day the month's own payments stop (a cure or a plan takes over then): today + 1
    # unless a story says otherwise.
    end_day: int = 0
    # A cure: the moment everything overdue was paid (promises it covered were kept by it).
    cure_at: int | None = None
