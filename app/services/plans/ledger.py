"""Posting to the ledger: payments, reversals and changed schedules, applied to the schedule by
set-based SQL, then what they settle (loans, promises, plans).

One payment or a whole day's feed go through here alike. Each loan's instalments end as
`balances.replay` makes them of the schedule and every payment that counts (not reversed), and
the allocation is `balances.apply_payment`'s, written as SQL (tests hold the two together):

- A payment dated no earlier than the loan's last one is applied to the instalments as they
  stand (their stored state is that replay so far). A payment dated earlier, a reversal or a
  changed schedule replays the loan from the schedule with all its payments.
- Payments are applied in rounds, the loans' first days in one statement, their second days in
  the next, and so on; payments of one loan on one day are applied as one (which allocates the
  same). A round first accrues penalty up to its day on every overdue instalment, then pays
  oldest instalment first, each part in the policy's order (`allocation_order`), and settles
  an instalment the payment reaches and clears.
- What a payment cannot place (more than the whole schedule owes) is returned as overpaid: the
  caller refuses it, and the transaction rolls back.

A payment a collector typed in as the borrower's report (`reported_payments`) is matched to the
lending system's payment that turns out to be it: on the same loan, of the same amount, paid
within a few days of the day the borrower named (or bearing the same reference).

Then, as recording a payment always did: a loan with nothing left to pay is settled (and one
settled by payments alone opens again when a reversal takes one away), the loan's promises are
judged again against its payments, each by the payment's own time (a payment that arrives after
a promise was judged broken keeps it if it was made in time), and its plans are tracked.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Date,
    FromClause,
    Table,
    Uuid,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeEngine

from app.models import (
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    PlanStatus,
    RepaymentPlan,
    ReportedPayment,
)
from app.models.types import Money, UTCDateTime
from app.services.common.bulk import insert_rows, key_set, staged, update_rows
from app.services.common.clock import business_zone
from app.services.common.money import ZERO
from app.services.common.reference import policy
from app.services.common.sqlfunc import days_since, penalty_since
from app.services.contact.promises import rejudge_promises
from app.services.plans.lifecycle import track_loan_plans
from app.services.portfolio.accounts import lock

# Every posting holds this (PostgreSQL advisory lock key: "ledger"), so two never interleave.
LEDGER_LOCK = 0x6C6564676572
_INSTALMENTS = cast(Table, Instalment.__table__)
_PAYMENTS = cast(Table, Payment.__table__)
_LOANS = cast(Table, Loan.__table__)
_REPORTS = cast(Table, ReportedPayment.__table__)
_PARTS = ("fees", "penalty", "interest", "principal")
# A borrower's report matches a payment made this many days either side of the day it names.
MATCH_DAYS = 3


@dataclass(frozen=True)
class NewPayment:
    loan_id: uuid.UUID
    paid_at: datetime
    amount: Decimal
    channel: str
    reference: str | None = None
    # The lending system's id of it (the feed's payment_id).
    source_id: str | None = None
    # Reversed already (the reversal came with it): on record, counting for nothing.
    reversed_at: datetime | None = None
    reversal_id: str | None = None
    # The caller's handle for it (a feed file's row), given back with what went wrong.
    key: Any = None

    @property
    def counts(self) -> bool:
        return self.reversed_at is None


@dataclass(frozen=True)
class Reversal:
    payment_id: uuid.UUID
    loan_id: uuid.UUID
    reversed_at: datetime
    reversal_id: str | None = None
    key: Any = None


@dataclass(frozen=True)
class Overpaid:
    """A loan whose payments are more than its schedule owes, by `unapplied`."""

    loan_id: uuid.UUID
    unapplied: Decimal
    # The handle of the loan's last payment in this posting (else of its change).
    key: Any


@dataclass(frozen=True)
class Posting:
    payment_ids: tuple[uuid.UUID, ...]  # the new payments' ids, in the order given
    overpaid: tuple[Overpaid, ...]
    settled: tuple[uuid.UUID, ...]  # loans settled by this posting
    reopened: tuple[uuid.UUID, ...]  # loans settled before, open again (a reversal)
    replayed: int  # loans replayed from their schedule
    promises_kept: tuple[uuid.UUID, ...]
    promises_changed: int
    plans_changed: tuple[uuid.UUID, ...]
    reports_matched: int = 0


def post(
    session: Session,
    *,
    payments: Sequence[NewPayment] = (),
    reversals: Sequence[Reversal] = (),
    replay: Collection[uuid.UUID] = (),
    keys: dict[uuid.UUID, Any] | None = None,
    now: datetime,
) -> Posting:
    """Write `payments` and `reversals` and bring the affected loans up to date.

    replay: loans whose schedule was written or changed in this unit of work (their
    instalments are recomputed from the schedule); keys: a handle for each of those loans, for
    what goes wrong with them.
    """
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LEDGER_LOCK})")
    zone = business_zone()
    paying = {p.loan_id for p in payments} | {r.loan_id for r in reversals}
    affected = paying | set(replay)
    handles: dict[uuid.UUID, Any] = dict(keys or {})
    for payment in payments:
        handles[payment.loan_id] = payment.key
    if not affected:
        return Posting((), (), (), (), 0, (), 0, ())

    full = set(replay) | {r.loan_id for r in reversals}
    first_new: dict[uuid.UUID, date] = {}
    for payment in payments:
        if not payment.counts:
            continue
        day = payment.paid_at.astimezone(zone).date()
        first_new[payment.loan_id] = min(day, first_new.get(payment.loan_id, day))
    with key_set(connection, set(first_new) - full) as among:
        latest = connection.execute(
            select(_PAYMENTS.c.loan_id, func.max(_PAYMENTS.c.paid_at, type_=UTCDateTime()))
            .where(among(_PAYMENTS.c.loan_id), _PAYMENTS.c.reversed_at.is_(None))
            .group_by(_PAYMENTS.c.loan_id)
        )
        for loan_id, last in latest:
            if first_new[loan_id] < last.astimezone(zone).date():
                full.add(loan_id)

    payment_ids = tuple(uuid.uuid4() for _ in payments)
    insert_rows(
        connection,
        _PAYMENTS,
        [
            {
                "id": payment_id,
                "loan_id": p.loan_id,
                "paid_at": p.paid_at,
                "amount": p.amount,
                "channel": p.channel,
                "reference": p.reference,
                "source_id": p.source_id,
                "reversed_at": p.reversed_at,
                "reversal_id": p.reversal_id,
                "created_at": now,
            }
            for payment_id, p in zip(payment_ids, payments, strict=True)
        ],
    )
    if reversals:
        connection.execute(
            update(_PAYMENTS)
            .where(_PAYMENTS.c.id == bindparam("b_id"))
            .values(reversed_at=bindparam("b_at"), reversal_id=bindparam("b_reversal")),
            [
                {"b_id": r.payment_id, "b_at": r.reversed_at, "b_reversal": r.reversal_id}
                for r in reversals
            ],
        )

    events: dict[uuid.UUID, list[tuple[date, Decimal]]] = defaultdict(list)
    for payment in payments:
        if payment.counts and payment.loan_id not in full:
            events[payment.loan_id].append(
                (payment.paid_at.astimezone(zone).date(), payment.amount)
            )
    if full:
        with key_set(connection, full) as among:
            connection.execute(
                update(_INSTALMENTS)
                .where(among(_INSTALMENTS.c.loan_id))
                .values(
                    principal_paid=0,
                    interest_paid=0,
                    fees_paid=0,
                    penalty_accrued=0,
                    penalty_paid=0,
                    accrued_to=None,
                    settled_on=None,
                )
            )
            everything = connection.execute(
                select(_PAYMENTS.c.loan_id, _PAYMENTS.c.paid_at, _PAYMENTS.c.amount).where(
                    among(_PAYMENTS.c.loan_id), _PAYMENTS.c.reversed_at.is_(None)
                )
            )
            for loan_id, paid_at, amount in everything:
                events[loan_id].append((paid_at.astimezone(zone).date(), amount))

    overpaid: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for batch in _rounds(events):
        for loan_id, unapplied in _apply_round(connection, batch):
            overpaid[loan_id] += unapplied
    settled, reopened = _settle_loans(connection, affected)
    matched = _match_reports(connection, payments, payment_ids, now)
    # The ORM's copies of what the SQL above changed are stale now.
    session.expire_all()
    judged = rejudge_promises(session, paying, now)
    plans = _track_plans(session, paying, {r.loan_id for r in reversals}, now)
    return Posting(
        payment_ids=payment_ids,
        overpaid=tuple(
            Overpaid(loan_id, amount, handles.get(loan_id)) for loan_id, amount in overpaid.items()
        ),
        settled=settled,
        reopened=reopened,
        replayed=len(full),
        promises_kept=judged.kept,
        promises_changed=judged.changed,
        plans_changed=plans,
        reports_matched=matched,
    )


def _match_reports(
    connection: Connection,
    payments: Sequence[NewPayment],
    payment_ids: Sequence[uuid.UUID],
    now: datetime,
) -> int:
    """Match the borrowers' reports still open to the payments just posted that turn out to
    be them; returns how many were matched."""
    counting = [(i, p) for i, p in zip(payment_ids, payments, strict=True) if p.counts]
    if not counting:
        return 0
    reports: dict[uuid.UUID, list[tuple[uuid.UUID, datetime, Decimal, str | None]]] = defaultdict(
        list
    )
    with key_set(connection, {p.loan_id for _, p in counting}) as among:
        for report_id, loan_id, paid_at, amount, reference in connection.execute(
            select(
                _REPORTS.c.id,
                _REPORTS.c.loan_id,
                _REPORTS.c.paid_at,
                _REPORTS.c.amount,
                _REPORTS.c.reference,
            )
            .where(among(_REPORTS.c.loan_id), _REPORTS.c.matched_payment_id.is_(None))
            .order_by(_REPORTS.c.created_at, _REPORTS.c.id)
        ):
            reports[loan_id].append((report_id, paid_at, amount, reference))
    if not reports:
        return 0
    zone = business_zone()
    matches = []
    for payment_id, payment in counting:
        waiting = reports.get(payment.loan_id)
        if not waiting:
            continue
        day = payment.paid_at.astimezone(zone).date()
        for index, (report_id, paid_at, amount, reference) in enumerate(waiting):
            same_reference = reference is not None and reference == payment.reference
            near = abs((paid_at.astimezone(zone).date() - day).days) <= MATCH_DAYS
            if same_reference or (amount == payment.amount and near):
                matches.append(
                    {"id": report_id, "matched_payment_id": payment_id, "matched_at": now}
                )
                del waiting[index]
                break
    update_rows(connection, _REPORTS, ("id",), matches)
    return len(matches)


def _rounds(
    events: dict[uuid.UUID, list[tuple[date, Decimal]]],
) -> Iterator[list[tuple[uuid.UUID, date, Decimal]]]:
    """Each loan's payment days in date order, one day of every loan per round (a day's
    payments together)."""
    days: dict[uuid.UUID, list[tuple[date, Decimal]]] = {}
    for loan_id, paid in events.items():
        merged: dict[date, Decimal] = {}
        for day, amount in paid:
            merged[day] = merged.get(day, ZERO) + amount
        days[loan_id] = sorted(merged.items())
    depth = max((len(found) for found in days.values()), default=0)
    for index in range(depth):
        yield [
            (loan, found[index][0], found[index][1])
            for loan, found in days.items()
            if len(found) > index
        ]


def _apply_round(
    connection: Connection, batch: Sequence[tuple[uuid.UUID, date, Decimal]]
) -> list[tuple[uuid.UUID, Decimal]]:
    """Accrue and allocate one payment (day) per loan; returns what each could not place."""
    with _round_source(connection, batch) as source:
        base = _accrued(source)
        totals = (
            select(base.c.loan_id, func.sum(base.c.total).label("total"))
            .group_by(base.c.loan_id)
            .subquery("totals")
        )
        owed = func.coalesce(totals.c.total, 0)
        overpaid = [
            (loan_id, Decimal(unapplied))
            for loan_id, unapplied in connection.execute(
                select(source.c.loan_id, type_coerce(source.c.amount - owed, Money()))
                .select_from(source.outerjoin(totals, totals.c.loan_id == source.c.loan_id))
                .where(source.c.amount > owed)
            )
        ]
        connection.execute(_allocation(base))
    return overpaid


@contextmanager
def _round_source(
    connection: Connection, batch: Sequence[tuple[uuid.UUID, date, Decimal]]
) -> Iterator[FromClause]:
    """The round's payments as a relation (loan_id, paid_on, amount)."""
    columns: list[tuple[str, TypeEngine[Any]]] = [
        ("loan_id", Uuid()),
        ("paid_on", Date()),
        ("amount", Money()),
    ]
    with staged(connection, columns, batch) as source:
        yield source.alias("round")


def _accrued(source: FromClause) -> Any:
    """Each open instalment of the round's loans, with the penalty the round's day accrues on
    it (balances.InstalmentState.accrue), what is unpaid of each part after that, and what the
    payment has left when it reaches the instalment (`avail`)."""
    i = _INSTALMENTS.alias("cur")
    start = case((i.c.accrued_to > i.c.due_date, i.c.accrued_to), else_=i.c.due_date)
    accrues = and_(i.c.due_date < source.c.paid_on, source.c.paid_on > start)
    penalty = case(
        (
            accrues,
            penalty_since(
                i.c.principal_due - i.c.principal_paid,
                days_since(source.c.paid_on, i.c.due_date, i.c.accrued_to),
                _LOANS.c.penalty_rate_daily,
            ),
        ),
        else_=0,
    )
    unpaid = {
        "fees": i.c.fees_due - i.c.fees_paid,
        "penalty": i.c.penalty_accrued + penalty - i.c.penalty_paid,
        "interest": i.c.interest_due - i.c.interest_paid,
        "principal": i.c.principal_due - i.c.principal_paid,
    }
    total = unpaid["fees"] + unpaid["penalty"] + unpaid["interest"] + unpaid["principal"]
    before = func.coalesce(
        func.sum(total).over(partition_by=i.c.loan_id, order_by=i.c.seq, rows=(None, -1)), 0
    )
    return (
        select(
            i.c.loan_id,
            i.c.seq,
            source.c.paid_on,
            accrues.label("accrues"),
            penalty.label("penalty"),
            *(value.label(f"u_{part}") for part, value in unpaid.items()),
            total.label("total"),
            (source.c.amount - before).label("avail"),
        )
        .select_from(
            i.join(source, source.c.loan_id == i.c.loan_id).join(_LOANS, _LOANS.c.id == i.c.loan_id)
        )
        .where(i.c.settled_on.is_(None))
        .subquery("accrued")
    )


def _allocation(base: Any) -> Any:
    """The UPDATE that books the round: penalty accrued, each part paid in the policy's order,
    instalments the payment reached and cleared settled on its day."""
    order: list[str] = policy()["allocation_order"]
    if sorted(order) != sorted(_PARTS):
        raise ValueError(f"allocation_order must name each of {_PARTS}")
    left: ColumnElement[Any] = base.c.avail
    takes = {}
    for part in order:
        unpaid = base.c[f"u_{part}"]
        takes[part] = case((left <= 0, 0), (left >= unpaid, unpaid), else_=left)
        left = left - unpaid
    settles = and_(base.c.avail > 0, base.c.avail >= base.c.total)
    booked = (
        select(
            base.c.loan_id,
            base.c.seq,
            base.c.paid_on,
            base.c.accrues,
            base.c.penalty,
            settles.label("settles"),
            *(take.label(f"t_{part}") for part, take in takes.items()),
        )
        .where(or_(base.c.accrues, base.c.avail > 0))
        .subquery("booked")
    )
    i = _INSTALMENTS
    return (
        update(i)
        .where(i.c.loan_id == booked.c.loan_id, i.c.seq == booked.c.seq)
        .values(
            fees_paid=i.c.fees_paid + booked.c.t_fees,
            penalty_paid=i.c.penalty_paid + booked.c.t_penalty,
            interest_paid=i.c.interest_paid + booked.c.t_interest,
            principal_paid=i.c.principal_paid + booked.c.t_principal,
            penalty_accrued=i.c.penalty_accrued + booked.c.penalty,
            accrued_to=case((booked.c.accrues, booked.c.paid_on), else_=i.c.accrued_to),
            settled_on=case((booked.c.settles, booked.c.paid_on), else_=None),
        )
    )


def _settle_loans(
    connection: Connection, loans: Collection[uuid.UUID]
) -> tuple[tuple[uuid.UUID, ...], tuple[uuid.UUID, ...]]:
    """Settle the loans with nothing left to pay; open again those settled by payments alone
    that a reversal left owing. A loan the lending system closed stays as it closed it."""
    open_line = exists().where(
        _INSTALMENTS.c.loan_id == _LOANS.c.id, _INSTALMENTS.c.settled_on.is_(None)
    )
    with key_set(connection, loans) as among:
        mine = and_(among(_LOANS.c.id), _LOANS.c.closed_on.is_(None))
        settled = connection.execute(
            update(_LOANS)
            .where(mine, _LOANS.c.status == LoanStatus.ACTIVE.value, ~open_line)
            .values(status=LoanStatus.SETTLED.value)
            .returning(_LOANS.c.id)
        ).scalars()
        settled_ids = tuple(settled)
        reopened = connection.execute(
            update(_LOANS)
            .where(mine, _LOANS.c.status == LoanStatus.SETTLED.value, open_line)
            .values(status=LoanStatus.ACTIVE.value)
            .returning(_LOANS.c.id)
        ).scalars()
        return settled_ids, tuple(reopened)


def _track_plans(
    session: Session,
    loans: Collection[uuid.UUID],
    reversed_on: Collection[uuid.UUID],
    now: datetime,
) -> tuple[uuid.UUID, ...]:
    """Track the plans of the loans whose payments changed (`plans.lifecycle`), each loan held
    as a payment holds it."""
    if not loans:
        return ()
    connection = session.connection()
    with key_set(connection, loans) as among:
        with_plans = sorted(
            set(
                connection.execute(
                    select(RepaymentPlan.loan_id).where(
                        among(RepaymentPlan.loan_id),
                        RepaymentPlan.status.in_(
                            (
                                PlanStatus.ISSUED,
                                PlanStatus.ACTIVE,
                                PlanStatus.BROKEN,
                                PlanStatus.COMPLETED,
                            )
                        ),
                    )
                ).scalars()
            )
        )
    changed: list[uuid.UUID] = []
    for loan_id in with_plans:
        lock(session, session.get_one(Loan, loan_id))
        changed.extend(
            track_loan_plans(session, loan_id, now, reversed_payment=loan_id in reversed_on)
        )
    return tuple(changed)
