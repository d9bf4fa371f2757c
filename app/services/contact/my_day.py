"""A collector's own day: what is due at the start of it, what they did by the end of it.

Days are the lender's business days (`clock.business_zone()`), as the queue, promise dates and
the team lead's dashboard count them: a day is [its 00:00, the next day's 00:00) in that zone.
Everything here reads the database it is given, the central one or the workstation's own copy
(which holds the user's scope, so the collector has their day offline too).

- The start of a day (`start_of_day`): the open callbacks due that day and the pending promises
  whose date it is, on the accounts assigned to the user now, as the queue shows them. A team
  lead's day is the lead's own too: the accounts assigned to the lead, as the end of the day is
  the lead's own work (the team's is the lead's dashboard). An administrator works no accounts
  and has no day (NotAllowed).
- The end of a day (`end_of_day`): the user's contact attempts started that day, counted as the
  lead's dashboard counts them for the same day (`contact.counting`: attempts, contacts,
  right-party contacts, promises made and their amount, by currency here), each outcome's
  count, and the open callbacks due the next day on the user's accounts (the next day's
  start).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.database import Database
from app.models import (
    Borrower,
    Callback,
    ContactAttempt,
    Loan,
    LoanStatus,
    PromiseStatus,
    PromiseToPay,
    Role,
    User,
)
from app.services.common.clock import business_zone, day_start, local_today
from app.services.common.errors import Localized, NotAllowed
from app.services.common.money import ZERO, cents
from app.services.common.reference import dispositions
from app.services.common.scope import find_user
from app.services.contact.counting import codes_with, promised_by_attempt


@dataclass(frozen=True)
class DueCallback:
    """An open callback on an account: when it is due (UTC), and the account."""

    id: uuid.UUID
    key: str  # the account's key in the queue (the loan's id, hex)
    contract_no: str
    borrower: str
    due_at: datetime
    note: str | None


@dataclass(frozen=True)
class DuePromise:
    """A pending promise whose date is the day: how much, and how much is paid of it so far."""

    id: uuid.UUID
    key: str
    contract_no: str
    borrower: str
    amount: Decimal
    paid: Decimal
    currency: str


@dataclass(frozen=True)
class OutcomeCount:
    code: str
    text: Localized  # the outcome's name; the code itself for one no longer in the data
    count: int


@dataclass(frozen=True)
class StartOfDay:
    """What is due on the day, earliest callback first, largest promise first."""

    day: date
    callbacks: tuple[DueCallback, ...]
    promises: tuple[DuePromise, ...]

    @property
    def empty(self) -> bool:
        return not (self.callbacks or self.promises)


@dataclass(frozen=True)
class EndOfDay:
    """The day's work, as the lead's dashboard row for the user on that day counts it."""

    day: date
    attempts: int
    contacts: int
    rpcs: int
    ptps: int  # attempts that made a promise
    promised: dict[str, Decimal]  # the amount those promises came to, by currency
    outcomes: tuple[OutcomeCount, ...]  # each outcome logged, in the catalogue's order
    callbacks_tomorrow: tuple[DueCallback, ...]  # open callbacks due the next day


@dataclass(frozen=True)
class MyDay:
    username: str
    display_name: str
    day: date
    zone: str  # the zone the day is counted in
    start: StartOfDay
    end: EndOfDay


def today(now: datetime | None = None) -> date:
    """The business day `now` falls on (default: now)."""
    return local_today((now or datetime.now(UTC)).astimezone(UTC))


def my_day(
    db: Database, username: str, day: date | None = None, *, now: datetime | None = None
) -> MyDay:
    """Both summaries of `username`'s `day` (default: the business day `now` falls on)."""
    day = day or today(now)
    with db.reader() as session:
        user = find_user(session, username)
        workers = _own(user)
        start = _start(session, workers, day)
        end = _end(session, user.id, workers, day)
    return MyDay(user.username, user.display_name, day, business_zone().key, start, end)


def start_of_day(db: Database, username: str, day: date) -> StartOfDay:
    """The callbacks and promises due on `day` on the accounts `username` works."""
    with db.reader() as session:
        user = find_user(session, username)
        return _start(session, _own(user), day)


def end_of_day(db: Database, username: str, day: date) -> EndOfDay:
    """What `username` did on `day`, and the callbacks due the day after."""
    with db.reader() as session:
        user = find_user(session, username)
        return _end(session, user.id, _own(user), day)


def _own(user: User) -> list[uuid.UUID]:
    """Whose accounts the day covers: the user's own (a team lead's too); none for an
    administrator, who is refused."""
    if user.role is Role.ADMIN:
        raise NotAllowed(
            "{username} works no accounts, so has no day of their own: the day is a collector's,"
            " a field agent's or a team lead's.",
            username=user.username,
        )
    return [user.id]


def _bounds(day: date) -> tuple[datetime, datetime]:
    return day_start(day), day_start(day + timedelta(days=1))


def _worked(workers: list[uuid.UUID]) -> tuple[ColumnElement[bool], ...]:
    # The accounts the queue lists for their own: assigned to the user and still open.
    return (Loan.assigned_to_id.in_(workers), Loan.status == LoanStatus.ACTIVE)


def _start(session: Session, workers: list[uuid.UUID], day: date) -> StartOfDay:
    promises = session.execute(
        select(
            PromiseToPay.id,
            Loan.id,
            Loan.contract_no,
            Borrower.name,
            PromiseToPay.amount,
            PromiseToPay.paid_amount,
            Loan.currency,
        )
        .join(Loan, Loan.id == PromiseToPay.loan_id)
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .where(
            *_worked(workers),
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.promised_date == day,
        )
        .order_by(PromiseToPay.amount.desc(), Loan.contract_no, PromiseToPay.id)
    )
    return StartOfDay(
        day,
        _callbacks(session, workers, day),
        tuple(
            DuePromise(row_id, _hex(loan_id), contract, name, amount, paid or ZERO, currency)
            for row_id, loan_id, contract, name, amount, paid, currency in promises
        ),
    )


def _callbacks(session: Session, workers: list[uuid.UUID], day: date) -> tuple[DueCallback, ...]:
    lo, hi = _bounds(day)
    rows = session.execute(
        select(
            Callback.id, Loan.id, Loan.contract_no, Borrower.name, Callback.due_at, Callback.note
        )
        .join(Loan, Loan.id == Callback.loan_id)
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .where(
            *_worked(workers),
            Callback.done_at.is_(None),
            Callback.due_at >= lo,
            Callback.due_at < hi,
        )
        .order_by(Callback.due_at, Loan.contract_no, Callback.id)
    )
    return tuple(
        DueCallback(row_id, _hex(loan_id), contract, name, due_at, note)
        for row_id, loan_id, contract, name, due_at, note in rows
    )


def _end(session: Session, user_id: uuid.UUID, workers: list[uuid.UUID], day: date) -> EndOfDay:
    lo, hi = _bounds(day)
    attempt = ContactAttempt
    promised = promised_by_attempt(lo)
    rows = session.execute(
        select(
            attempt.disposition,
            Loan.currency,
            func.count(),
            func.count(promised.c.attempt_id),
            func.sum(promised.c.amount),
        )
        .select_from(attempt)
        .join(Loan, Loan.id == attempt.loan_id)
        .outerjoin(promised, promised.c.attempt_id == attempt.id)
        .where(attempt.user_id == user_id, attempt.started_at >= lo, attempt.started_at < hi)
        .group_by(attempt.disposition, Loan.currency)
    )
    counts: dict[str, int] = defaultdict(int)
    promised_by: dict[str, Decimal] = {}
    ptps = 0
    counted = set(codes_with("attempt"))
    for code, currency, count, with_promise, amount in rows:
        counts[code] += count
        if code in counted and with_promise:
            ptps += with_promise
            promised_by[currency] = cents(promised_by.get(currency, ZERO) + Decimal(amount))
    known = dispositions()
    # The catalogue's order, then codes no longer in it.
    order = [*(code for code in known if code in counts), *sorted(set(counts) - set(known))]
    return EndOfDay(
        day=day,
        attempts=sum(counts.get(code, 0) for code in codes_with("attempt")),
        contacts=sum(counts.get(code, 0) for code in codes_with("contact")),
        rpcs=sum(counts.get(code, 0) for code in codes_with("rpc")),
        ptps=ptps,
        promised={currency: promised_by[currency] for currency in sorted(promised_by)},
        outcomes=tuple(
            OutcomeCount(
                code,
                Localized(known[code].en, known[code].zh_CN)
                if code in known
                else Localized(code, code),
                counts[code],
            )
            for code in order
        ),
        callbacks_tomorrow=_callbacks(session, workers, day + timedelta(days=1)),
    )


def _hex(value: object) -> str:
    """A key as the queue names it: SQLite hands back UUIDs, a server too (as UUID objects)."""
    return value.hex if isinstance(value, uuid.UUID) else uuid.UUID(str(value)).hex
