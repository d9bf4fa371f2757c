"""What the scorecard knows of an account at one instant, read from the database alone.

`features_at(db, at)` gives, for every account overdue at `at`, the facts dated at or before
`at` and nothing later: instalments by their due dates, payments by when they were paid (a
payment reversed by then does not count), contacts by when they started, promises by when they
were made and judged, callbacks by when they were agreed and made. A fact dated after `at`
changes nothing (tests/services/scoring/test_features.py adds later facts and compares). The
lending system's feed and the imports write the same tables, so real data gives the same
features as the demo's (docs/scoring.md, "Features").

`outcome_after(db, at, accounts)` is what the scorecard learns to foresee: whether the account
paid in full, or paid an agreed amount (a promise kept, a plan instalment paid), in the seven
days after `at`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from app.database import Database
from app.models import (
    Borrower,
    Callback,
    ContactAttempt,
    Instalment,
    Loan,
    Payment,
    PlanInstalment,
    PromiseToPay,
    RepaymentPlan,
)
from app.models.activity import PlanStatus, PromiseStatus
from app.services.common.clock import business_zone, day_start, local_today
from app.services.common.reference import dispositions, policy, queue_weights

# How far ahead the outcome looks, and how far back the contact counts look.
HORIZON = timedelta(days=7)
RECENT_DAYS = 30
# Arrears under one yuan are rounding, not arrears.
_CENT = Decimal("0.995")
# An employer on the borrower's record, or none.
EMPLOYED, NO_EMPLOYER = "employer", "none"


@dataclass(frozen=True, slots=True)
class AccountFeatures:
    """One overdue account at one instant: what the scorecard reads (`characteristics`) and
    what the queue's fixed weights read (the last six fields, as the queue would have seen
    them then)."""

    loan_id: str
    contract_no: str
    currency: str
    product: str
    principal: Decimal
    employed: bool
    province: str
    dpd: int
    arrears: Decimal
    promises_kept: int
    promises_not_kept: int
    promise_pending: bool
    days_since_reached: int | None
    reached_recent: int
    attempts_recent: int
    days_since_payment: int | None
    last_contact_on: date | None = None
    callback_due_at: datetime | None = None
    broken_promise_on: date | None = None
    promise_due_today: Decimal | None = None
    broken_plan_on: date | None = None

    def characteristics(self) -> dict[str, float | str | None]:
        """The values the scorecard bins, by characteristic name (docs/scoring.md)."""
        if self.promises_kept and not self.promises_not_kept:
            history = "kept"
        elif self.promises_kept:
            history = "mixed"
        elif self.promises_not_kept:
            history = "not_kept"
        else:
            history = "none"
        return {
            "dpd": float(self.dpd),
            "arrears": float(self.arrears),
            "principal": float(self.principal),
            "promise_history": history,
            "promise_pending": "yes" if self.promise_pending else "no",
            "days_since_reached": _float(self.days_since_reached),
            "reached_recent": float(self.reached_recent),
            "attempts_recent": float(self.attempts_recent),
            "days_since_payment": _float(self.days_since_payment),
            "product": self.product,
            "employment": EMPLOYED if self.employed else NO_EMPLOYER,
            "province": self.province,
        }


def _float(value: int | None) -> float | None:
    return None if value is None else float(value)


def features_at(db: Database, at: datetime) -> list[AccountFeatures]:
    """Every account overdue at `at`, with what was known of it then (ordered by loan)."""
    with db.reader() as session:
        return _features(session.connection(), at)


def outcome_after(db: Database, at: datetime, accounts: Iterable[AccountFeatures]) -> list[bool]:
    """For each account (as it was at `at`): did it pay everything then overdue, keep a promise,
    or pay a plan instalment in full, within the seven days after `at`?"""
    with db.reader() as session:
        return _outcomes(session.connection(), at, list(accounts))


def _features(connection: Connection, at: datetime) -> list[AccountFeatures]:
    today = local_today(at)
    zone = business_zone()
    loans = {
        _hex(row[0]): row[1:]
        for row in connection.execute(
            select(
                Loan.id,
                Loan.contract_no,
                Loan.currency,
                Loan.product,
                Loan.principal,
                Borrower.employer,
                Borrower.province,
            )
            .join(Borrower, Borrower.id == Loan.borrower_id)
            .where(Loan.disbursed_on <= today)
        )
    }
    # What fell due before today (an instalment due today is not yet overdue), oldest first.
    dues: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for loan_id, due_date, p, i, f in connection.execute(
        select(
            Instalment.loan_id,
            Instalment.due_date,
            Instalment.principal_due,
            Instalment.interest_due,
            Instalment.fees_due,
        )
        .where(Instalment.due_date < today)
        .order_by(Instalment.loan_id, Instalment.due_date, Instalment.seq)
    ):
        dues[_hex(loan_id)].append((due_date, p + i + f))
    paid: dict[str, Decimal] = defaultdict(Decimal)
    last_paid: dict[str, datetime] = {}
    for loan_id, paid_at, amount in connection.execute(
        select(Payment.loan_id, Payment.paid_at, Payment.amount).where(
            Payment.paid_at <= at, or_(Payment.reversed_at.is_(None), Payment.reversed_at > at)
        )
    ):
        key = _hex(loan_id)
        paid[key] += amount
        if key not in last_paid or paid_at > last_paid[key]:
            last_paid[key] = paid_at

    overdue: dict[str, tuple[int, Decimal]] = {}
    for key, owed in dues.items():
        if key not in loans:
            continue
        total = sum((amount for _, amount in owed), Decimal(0))
        arrears = total - paid.get(key, Decimal(0))
        if arrears < _CENT:
            continue
        # The oldest instalment the payments so far do not cover (penalties left aside).
        running = Decimal(0)
        covered = paid.get(key, Decimal(0))
        oldest = owed[-1][0]
        for due_date, amount in owed:
            running += amount
            if running - covered >= _CENT:
                oldest = due_date
                break
        overdue[key] = ((today - oldest).days, arrears)

    grace = int(policy()["promise"]["grace_days"])
    weights = queue_weights()
    promises_since = today - timedelta(days=int(weights["broken_promise_days"]) + grace)
    kept: dict[str, int] = defaultdict(int)
    not_kept: dict[str, int] = defaultdict(int)
    pending: set[str] = set()
    due_today: dict[str, Decimal] = {}
    broken_on: dict[str, date] = {}
    for loan_id, status, promised, amount, resolved_at in connection.execute(
        select(
            PromiseToPay.loan_id,
            PromiseToPay.status,
            PromiseToPay.promised_date,
            PromiseToPay.amount,
            PromiseToPay.resolved_at,
        ).where(PromiseToPay.created_at <= at)
    ):
        key = _hex(loan_id)
        if resolved_at is None or resolved_at > at or status == PromiseStatus.PENDING:
            pending.add(key)
            if promised == today:
                due_today[key] = due_today.get(key, Decimal(0)) + amount
        elif status == PromiseStatus.KEPT:
            kept[key] += 1
        else:
            not_kept[key] += 1
            if promised >= promises_since:
                # Broken at the end of its last day of grace, as the queue counts it.
                on = promised + timedelta(days=grace)
                broken_on[key] = max(on, broken_on.get(key, on))

    answered = [code for code, flags in dispositions().items() if flags.contact]
    since = at - timedelta(days=RECENT_DAYS)
    reached_last: dict[str, datetime] = {}
    answered_last: dict[str, datetime] = {}
    reached_recent: dict[str, int] = defaultdict(int)
    attempts_recent: dict[str, int] = defaultdict(int)
    for loan_id, started, right_party, disposition in connection.execute(
        select(
            ContactAttempt.loan_id,
            ContactAttempt.started_at,
            ContactAttempt.right_party,
            ContactAttempt.disposition,
        ).where(ContactAttempt.started_at <= at)
    ):
        key = _hex(loan_id)
        if started >= since:
            attempts_recent[key] += 1
            reached_recent[key] += bool(right_party)
        if right_party and (key not in reached_last or started > reached_last[key]):
            reached_last[key] = started
        if disposition in answered and (key not in answered_last or started > answered_last[key]):
            answered_last[key] = started

    lookahead = at + timedelta(minutes=int(weights["callback_lookahead_minutes"]))
    callbacks: dict[str, datetime] = {}
    for loan_id, due_at in connection.execute(
        select(Callback.loan_id, Callback.due_at).where(
            Callback.created_at <= at,
            Callback.due_at <= lookahead,
            or_(Callback.done_at.is_(None), Callback.done_at > at),
        )
    ):
        key = _hex(loan_id)
        if key not in callbacks or due_at < callbacks[key]:
            callbacks[key] = due_at
    plans_since = day_start(today - timedelta(days=int(weights["broken_plan_days"])))
    broken_plans: dict[str, date] = {}
    for loan_id, closed_at in connection.execute(
        select(RepaymentPlan.loan_id, RepaymentPlan.closed_at).where(
            RepaymentPlan.status == PlanStatus.BROKEN,
            RepaymentPlan.closed_at <= at,
            RepaymentPlan.closed_at >= plans_since,
        )
    ):
        if closed_at is not None:
            broken_plans[_hex(loan_id)] = closed_at.astimezone(zone).date()

    result = []
    for key in sorted(overdue):
        dpd, arrears = overdue[key]
        contract_no, currency, product, principal, employer, province = loans[key]
        reached = reached_last.get(key)
        last_payment = last_paid.get(key)
        answered_at = answered_last.get(key)
        result.append(
            AccountFeatures(
                loan_id=key,
                contract_no=contract_no,
                currency=currency,
                product=product,
                principal=principal,
                employed=bool(employer and employer.strip()),
                province=province or "",
                dpd=dpd,
                arrears=arrears,
                promises_kept=kept.get(key, 0),
                promises_not_kept=not_kept.get(key, 0),
                promise_pending=key in pending,
                days_since_reached=None if reached is None else (at - reached).days,
                reached_recent=reached_recent.get(key, 0),
                attempts_recent=attempts_recent.get(key, 0),
                days_since_payment=None if last_payment is None else (at - last_payment).days,
                last_contact_on=None
                if answered_at is None
                else answered_at.astimezone(zone).date(),
                callback_due_at=callbacks.get(key),
                broken_promise_on=broken_on.get(key),
                promise_due_today=due_today.get(key),
                broken_plan_on=broken_plans.get(key),
            )
        )
    return result


def _outcomes(connection: Connection, at: datetime, accounts: list[AccountFeatures]) -> list[bool]:
    end = at + HORIZON
    wanted = {account.loan_id for account in accounts}
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for loan_id, amount in connection.execute(
        select(Payment.loan_id, Payment.amount).where(
            Payment.paid_at > at,
            Payment.paid_at <= end,
            or_(Payment.reversed_at.is_(None), Payment.reversed_at > end),
        )
    ):
        paid[_hex(loan_id)] += amount
    agreed: set[str] = set()
    for (loan_id,) in connection.execute(
        select(PromiseToPay.loan_id).where(
            PromiseToPay.status == PromiseStatus.KEPT,
            PromiseToPay.resolved_at > at,
            PromiseToPay.resolved_at <= end,
        )
    ):
        agreed.add(_hex(loan_id))
    first, last = local_today(at), local_today(end)
    for (loan_id,) in connection.execute(
        select(RepaymentPlan.loan_id)
        .join(PlanInstalment, PlanInstalment.plan_id == RepaymentPlan.id)
        .where(
            and_(PlanInstalment.paid_on > first, PlanInstalment.paid_on <= last),
            PlanInstalment.paid_amount >= PlanInstalment.amount,
        )
    ):
        agreed.add(_hex(loan_id))
    return [
        account.loan_id in agreed
        or (
            account.loan_id in wanted
            and paid.get(account.loan_id, Decimal(0)) >= account.arrears - _CENT
        )
        for account in accounts
    ]


def _hex(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex
