"""The collector's daily queue: which accounts to work, in what order, and why.

Due callbacks come first, then broken promises, then promises due today; within a tier the
score adds bucket, overdue amount and days without contact (weights in
resources/queue_weights.json). A team lead's priority override (top, high or low, until it
expires) adds its own weight on top. Accounts the rules block right now stay in the queue,
marked with the rule and the moment they open again.
"""

from __future__ import annotations

import gc
import math
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, overload
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Integer, String, and_, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Subquery

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    Callback,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    Instalment,
    Loan,
    LoanStatus,
    PlanStatus,
    PriorityOverride,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    User,
)
from app.models.types import money_from_raw
from app.services.common.clock import business_zone, day_start
from app.services.common.money import ZERO, format_money
from app.services.common.reference import (
    address_zones,
    bucket_for,
    dispositions,
    load_json,
    policy,
    queue_weights,
)
from app.services.common.scope import find_user, worker_ids
from app.services.common.sqlfunc import days_since, penalty_since
from app.services.contact.compliance import (
    Decision,
    Evaluator,
    Key,
    PastAttempt,
    Point,
    Subject,
    load_profile,
    next_window_change,
    profile_code_for,
)
from app.services.contact.promises import promise_grace_days

PHONE_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)


@cache
def _reason_templates() -> dict[str, dict[str, str]]:
    return dict(load_json("queue_reasons.json"))


@dataclass(frozen=True)
class Reason:
    """One human-readable reason for a score; `text()` renders it in a language."""

    key: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        templates = _reason_templates().get(language) or _reason_templates()["en"]
        return templates[self.key].format(**self.params)


@dataclass(frozen=True)
class LeadPriority:
    """A team lead's override of an account's place in the queue, in force until `expires_at`."""

    level: str  # a key of queue_weights.json "override": top, high or low
    expires_at: datetime


@dataclass(frozen=True)
class AccountFacts:
    """What the score is computed from; plain data so the ordering can be tested alone."""

    loan_id: Key
    contract_no: str
    currency: str
    dpd: int
    overdue: Decimal
    next_due: date | None = None
    next_due_amount: Decimal = ZERO
    callback_due_at: datetime | None = None
    # The day a repayment plan on the account broke, for a week or so (queue_weights.json).
    broken_plan_on: date | None = None
    broken_promise_on: date | None = None
    partly_kept: tuple[Decimal, Decimal] | None = None
    promise_due_today: Decimal | None = None
    last_contact_on: date | None = None
    priority: LeadPriority | None = None


@dataclass(frozen=True)
class ContactStatus:
    allowed: bool
    decision: Decision
    contact_point_key: Key | None

    @property
    def contact_point_id(self) -> uuid.UUID | None:
        return _as_uuid(self.contact_point_key)

    def as_json(self) -> dict[str, Any]:
        return {**self.decision.as_json(), "allowed": self.allowed}


@dataclass(frozen=True)
class QueueEntry:
    rank: int
    loan_key: Key
    contract_no: str
    borrower_key: Key
    borrower: str
    dpd: int
    bucket: str
    overdue_amount: Decimal
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    score: int
    tier: str | None
    reasons: tuple[Reason, ...]
    contact: ContactStatus
    priority: LeadPriority | None = None

    @property
    def loan_id(self) -> uuid.UUID:
        return _as_uuid(self.loan_key)

    @property
    def borrower_id(self) -> uuid.UUID:
        return _as_uuid(self.borrower_key)

    def as_json(self, language: str = "en") -> dict[str, Any]:
        return {
            "rank": self.rank,
            "loan_id": str(self.loan_id),
            "contract_no": self.contract_no,
            "borrower": self.borrower,
            "dpd": self.dpd,
            "bucket": self.bucket,
            "overdue_amount": str(self.overdue_amount),
            "breakdown": {
                "principal": str(self.principal),
                "interest": str(self.interest),
                "penalty": str(self.penalty),
                "fees": str(self.fees),
            },
            "score": self.score,
            "tier": self.tier,
            "priority": None
            if self.priority is None
            else {
                "level": self.priority.level,
                "expires_at": self.priority.expires_at.astimezone(UTC).isoformat(),
            },
            "reasons": [reason.text(language) for reason in self.reasons],
            "contact": self.contact.as_json(),
        }


@dataclass(frozen=True)
class Queue:
    username: str
    at: datetime
    entries: tuple[QueueEntry, ...]
    # The next moment the queue would read differently by the clock alone: a block lifting or
    # a callback coming due. A window rebuilds the queue then.
    next_change_at: datetime | None = None


def score(
    facts: AccountFacts, today: date, viewer_zone: ZoneInfo
) -> tuple[int, str | None, tuple[Reason, ...]]:
    """The score, the tier (if any) and the reasons for one account. Pure."""
    weights = queue_weights()
    reasons: list[Reason] = []
    tier: str | None = None
    money = _money_formatter(facts.currency)
    if facts.broken_plan_on is not None:
        tier = "plan_broken"
        reasons.append(Reason("plan_broken", {"date": f"{facts.broken_plan_on:%m-%d}"}))
    if facts.callback_due_at is not None:
        tier = tier or "callback_due"
        local = facts.callback_due_at.astimezone(viewer_zone)
        shown = f"{local:%H:%M}" if local.date() == today else f"{local:%m-%d %H:%M}"
        reasons.append(Reason("callback_due", {"time": shown}))
    if facts.broken_promise_on is not None:
        tier = tier or "promise_broken"
        if facts.partly_kept is not None:
            paid, amount = facts.partly_kept
            reasons.append(
                Reason("promise_partly_kept", {"paid": money(paid), "amount": money(amount)})
            )
        else:
            ago = (today - facts.broken_promise_on).days
            if ago <= 1:
                reasons.append(Reason("promise_broken_yesterday"))
            else:
                reasons.append(Reason("promise_broken_days", {"days": str(ago)}))
    if facts.promise_due_today is not None:
        tier = tier or "promise_due_today"
        reasons.append(Reason("promise_due_today", {"amount": money(facts.promise_due_today)}))

    bucket = bucket_for(facts.dpd)
    total = weights["tiers"][tier] if tier else 0
    total += weights["bucket"].get(bucket, 0)
    if facts.overdue > 0:
        reasons.append(Reason("overdue", {"bucket": bucket, "amount": money(facts.overdue)}))
        amount_part = weights["overdue_amount"]
        total += min(
            amount_part["cap"],
            round(amount_part["per_log10_yuan"] * math.log10(max(float(facts.overdue), 1.0))),
        )
    elif facts.next_due is not None:
        until_due = (facts.next_due - today).days
        amount_text = money(facts.next_due_amount)
        if until_due <= 0:
            reasons.append(Reason("due_today", {"amount": amount_text}))
        else:
            reasons.append(Reason("due_soon", {"amount": amount_text, "days": str(until_due)}))
    recency = weights["days_since_contact"]
    if facts.last_contact_on is None:
        total += recency["never_contacted"]
        reasons.append(Reason("never_contacted"))
    else:
        quiet_days = (today - facts.last_contact_on).days
        total += min(recency["cap"], recency["per_day"] * quiet_days)
        if quiet_days >= 2:
            reasons.append(Reason("no_contact_days", {"days": str(quiet_days)}))
    if facts.priority is not None:
        # The lead's word comes first: it is why the account sits where it does.
        total += weights["override"][facts.priority.level]
        until = _until_text(facts.priority.expires_at, viewer_zone)
        reasons.insert(0, Reason(f"override_{facts.priority.level}", {"date": until}))
    return int(total), tier, tuple(reasons)


def _until_text(expires_at: datetime, zone: ZoneInfo) -> str:
    """An override set "until 12-05" lapses at the start of 12-06: it reads as the last day."""
    local = expires_at.astimezone(zone)
    if local.time() == time(0):
        return f"{local.date() - timedelta(days=1):%m-%d}"
    return f"{local:%m-%d %H:%M}"


def ordering_key(entry: QueueEntry) -> tuple[int, Decimal, str]:
    """Highest score first; ties by larger overdue amount, then contract number."""
    return _order(entry.score, entry.overdue_amount, entry.contract_no)


def _order(score: int, overdue: Decimal, contract_no: str) -> tuple[int, Decimal, str]:
    return (-score, -overdue, contract_no)


@overload
def _as_uuid(key: Key) -> uuid.UUID: ...
@overload
def _as_uuid(key: None) -> None: ...
def _as_uuid(key: Key | None) -> uuid.UUID | None:
    """Queue rows keep keys as read; turn one into a UUID only when someone asks."""
    if key is None or isinstance(key, uuid.UUID):
        return key
    return uuid.UUID(hex=key)


def _money_formatter(currency: str) -> Any:
    return lambda amount: format_money(amount, currency, whole=True)


def build_queue(
    db: Database,
    username: str,
    at: datetime | None = None,
    *,
    limit: int | None = None,
    now: datetime | None = None,
) -> Queue:
    """The ranked queue of `username` at moment `at` (now by default).

    A read: it writes nothing. Promises and plans that lapsed are settled beforehand by their
    own step (`plans.lapses.settle_lapsed`), which the window and the command line run first.
    """
    now = now or datetime.now(UTC)
    at = (at or now).astimezone(UTC)
    with db.reader() as session, _collector_paused():
        user = find_user(session, username)
        entries, windows = _rank(session, user, at)
        next_callback = _next_callback_entry(session.connection(), worker_ids(session, user), at)
    # What may change by the clock alone: blocks lifting, callable hours ending, callbacks.
    lifts = [
        entry.contact.decision.next_allowed_at
        for entry in entries
        if entry.contact.decision.next_allowed_at is not None
        and entry.contact.decision.next_allowed_at > at
    ]
    for code, zones in windows:
        closes = next_window_change(load_profile(code), zones, at)
        if closes is not None:
            lifts.append(closes)
    if next_callback is not None:
        lifts.append(next_callback)
    # A lead's override lapsing re-ranks the account.
    lifts.extend(
        entry.priority.expires_at
        for entry in entries
        if entry.priority is not None and entry.priority.expires_at > at
    )
    if limit is not None:
        entries = entries[:limit]
    return Queue(
        username=username, at=at, entries=tuple(entries), next_change_at=min(lifts, default=None)
    )


def _next_callback_entry(
    connection: Connection, workers: Sequence[uuid.UUID], at: datetime
) -> datetime | None:
    """When the next open callback enters the queue's look-ahead window."""
    ahead = timedelta(minutes=int(queue_weights()["callback_lookahead_minutes"]))
    due = connection.scalar(
        select(func.min(Callback.due_at))
        .join(Loan, Loan.id == Callback.loan_id)
        .where(_assigned(workers), Callback.done_at.is_(None), Callback.due_at > at + ahead)
    )
    return None if due is None else _instant(due) - ahead


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a queue is built.

    Ranking thousands of accounts makes ~100k short-lived objects, none in reference cycles;
    the collector's passes over them cost as much as the ranking itself (measured with
    benchmarks/run.py: about 40% of the median on a 5,000-account queue).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Row:
    """Collected per loan while reading; turned into facts and a contact status."""

    loan_id: str
    contract_no: str
    currency: str
    borrower_id: str
    borrower: str
    profile: str
    flags: frozenset[str]
    address_zones: tuple[str, ...]
    agreed: tuple[Any, Any] | None
    oldest_due: date | None
    principal: Decimal
    interest: Decimal
    fees: Decimal
    penalty: Decimal
    next_due: date | None
    next_due_amount: Decimal


def _rank(
    session: Session, user: User, at: datetime
) -> tuple[list[QueueEntry], set[tuple[str, tuple[str, ...]]]]:
    """The ranked entries, and the (profile, zones) pairs of every account callable now."""
    viewer_zone = business_zone()
    today = at.astimezone(viewer_zone).date()
    workers = worker_ids(session, user)
    # Core statements on the connection, keys as stored hex: this is the hot read path.
    connection = session.connection()
    rows = _load_accounts(connection, workers, today)
    if not rows:
        return [], set()
    points = _load_points(connection, workers)
    _add_learned_zones(connection, workers, rows)
    # Each borrower is judged by the profile of where they live; the queue dials own numbers.
    evaluators = {
        code: Evaluator(load_profile(code)) for code in {r.profile for r in rows.values()}
    }
    since = {
        code: at - timedelta(days=e.profile.history_days(third_parties=False))
        for code, e in evaluators.items()
    }
    history = _load_history(connection, workers, min(since.values()))
    answers: dict[tuple[Any, ...], tuple[bool, Decision, int | None]] = {}
    last_contact = _load_last_contact(connection, workers, viewer_zone)
    callbacks = _load_callbacks(connection, workers, at)
    promises = _load_promises(connection, workers, today)
    broken_plans = _load_broken_plans(connection, workers, today)
    priorities = priorities_in_force(connection, workers, at)

    scored = []
    windows: set[tuple[str, tuple[str, ...]]] = set()
    for row in rows.values():
        promise = promises.get(row.loan_id, {})
        facts = AccountFacts(
            loan_id=row.loan_id,
            contract_no=row.contract_no,
            currency=row.currency,
            dpd=(today - row.oldest_due).days if row.oldest_due else 0,
            overdue=row.principal + row.interest + row.fees + row.penalty,
            next_due=row.next_due,
            next_due_amount=row.next_due_amount,
            callback_due_at=callbacks.get(row.loan_id),
            broken_plan_on=broken_plans.get(row.loan_id),
            broken_promise_on=promise.get("broken_on"),
            partly_kept=promise.get("partly_kept"),
            promise_due_today=promise.get("due_today"),
            last_contact_on=last_contact.get(row.loan_id),
            priority=priorities.get(row.loan_id),
        )
        total, tier, reasons = score(facts, today, viewer_zone)
        evaluator = evaluators[row.profile]
        recent = [a for a in history.get(row.borrower_id, ()) if a.at >= since[row.profile]]
        status = _contact_status(
            evaluator,
            row,
            points.get(row.borrower_id, ()),
            recent,
            at,
            answers,
            callbacks.get(row.loan_id),
        )
        scored.append(
            (_order(total, facts.overdue, row.contract_no), row, facts, tier, reasons, status)
        )
        if status.allowed:
            windows.add((row.profile, status.decision.zones))
    scored.sort(key=lambda item: item[0])
    entries = [
        QueueEntry(
            rank=rank,
            loan_key=row.loan_id,
            contract_no=row.contract_no,
            borrower_key=row.borrower_id,
            borrower=row.borrower,
            dpd=facts.dpd,
            bucket=bucket_for(facts.dpd),
            overdue_amount=facts.overdue,
            principal=row.principal,
            interest=row.interest,
            penalty=row.penalty,
            fees=row.fees,
            score=-order[0],
            tier=tier,
            reasons=reasons,
            contact=status,
            priority=facts.priority,
        )
        for rank, (order, row, facts, tier, reasons, status) in enumerate(scored, 1)
    ]
    return entries, windows


def _assigned(workers: Sequence[uuid.UUID]) -> Any:
    return and_(Loan.assigned_to_id.in_(workers), Loan.status == LoanStatus.ACTIVE)


def _key(column: Any) -> Any:
    """A UUID column read as its stored text, skipping per-row UUID objects on hot paths."""
    return type_coerce(column, String)


def _instant(value: Any) -> datetime:
    """A UTC instant from a column read without its type (text on SQLite, aware on a server)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    instant: datetime = value
    return instant.astimezone(UTC)


def _hex(value: Any) -> str:
    """Key text as SQLite stores it; a server hands back UUID objects."""
    return value if isinstance(value, str) else uuid.UUID(str(value)).hex


def overdue_balances(today: date, *where: ColumnElement[bool]) -> Subquery:
    """Per loan matching `where` (on Loan), what is overdue on `today`: loan_id, oldest_due and
    the raw sums principal, interest, fees, penalty (accrued) and accruing (penalty since).

    The sums are the ones `balances.balance_of` computes in Python, term for term. They are
    read raw (see `money_from_raw`): thousands of rows, six amounts each.
    """
    unpaid_principal = Instalment.principal_due - Instalment.principal_paid

    def total(expression: Any) -> Any:
        return type_coerce(func.sum(expression), Integer)

    return (
        select(
            Instalment.loan_id.label("loan_id"),
            func.min(Instalment.due_date).label("oldest_due"),
            total(unpaid_principal).label("principal"),
            total(Instalment.interest_due - Instalment.interest_paid).label("interest"),
            total(Instalment.fees_due - Instalment.fees_paid).label("fees"),
            total(Instalment.penalty_accrued - Instalment.penalty_paid).label("penalty"),
            total(
                penalty_since(
                    unpaid_principal,
                    days_since(today, Instalment.due_date, Instalment.accrued_to),
                    Loan.penalty_rate_daily,
                )
            ).label("accruing"),
        )
        .join(Loan, Loan.id == Instalment.loan_id)
        .where(*where, Instalment.settled_on.is_(None), Instalment.due_date < today)
        .group_by(Instalment.loan_id)
        .subquery()
    )


def _load_accounts(
    connection: Connection, workers: Sequence[uuid.UUID], today: date
) -> dict[str, _Row]:
    """Assigned active loans that are overdue or soon due, with their balance on `today`."""
    balance = overdue_balances(today, _assigned(workers))
    statement = (
        select(
            _key(Loan.id),
            Loan.contract_no,
            Loan.currency,
            _key(Loan.borrower_id),
            Borrower.name,
            Borrower.country,
            Borrower.province,
            Borrower.agreed_window_start,
            Borrower.agreed_window_end,
            balance.c.oldest_due,
            balance.c.principal,
            balance.c.interest,
            balance.c.fees,
            balance.c.penalty,
            balance.c.accruing,
            *(getattr(Borrower, flag) for flag in BORROWER_FLAGS),
        )
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(balance, balance.c.loan_id == Loan.id)
        .where(_assigned(workers))
    )
    reminders = _soon_due(connection, workers, today)
    rows: dict[str, _Row] = {}
    for record in connection.execute(statement):
        (loan_id, contract_no, currency, borrower_id, name, country, province, window_start,
         window_end, oldest_due, principal, interest, fees, penalty,
         accruing) = record[:15]  # fmt: skip
        loan_id = _hex(loan_id)
        next_due, next_amount = reminders.get(loan_id, (None, ZERO))
        if oldest_due is None and next_due is None:
            continue
        flags = frozenset(flag for flag, on in zip(BORROWER_FLAGS, record[15:], strict=True) if on)
        rows[loan_id] = _Row(
            loan_id=loan_id,
            contract_no=contract_no,
            currency=currency,
            borrower_id=_hex(borrower_id),
            borrower=name,
            profile=profile_code_for(country),
            flags=flags,
            address_zones=address_zones(country, province),
            agreed=(window_start, window_end) if window_start and window_end else None,
            oldest_due=oldest_due,
            principal=money_from_raw(principal or 0),
            interest=money_from_raw(interest or 0),
            fees=money_from_raw(fees or 0),
            penalty=money_from_raw(penalty or 0) + money_from_raw(accruing or 0),
            next_due=next_due,
            next_due_amount=next_amount,
        )
    return rows


def _soon_due(
    connection: Connection, workers: Sequence[uuid.UUID], today: date
) -> dict[str, tuple[date, Decimal]]:
    """Per loan, the next instalment due within the pre-due reminder window, and its amount."""
    last_day = today + timedelta(days=int(policy()["pre_due_days"]))
    statement = (
        select(
            _key(Instalment.loan_id),
            Instalment.due_date,
            Instalment.principal_due - Instalment.principal_paid,
            Instalment.interest_due - Instalment.interest_paid,
            Instalment.fees_due - Instalment.fees_paid,
        )
        .join(Loan, Loan.id == Instalment.loan_id)
        .where(
            _assigned(workers),
            Instalment.settled_on.is_(None),
            Instalment.due_date >= today,
            Instalment.due_date <= last_day,
        )
        .order_by(Instalment.due_date.desc())
    )
    # Latest first, so the earliest due date of each loan is the one that stays.
    return {
        _hex(loan_id): (due_date, principal + interest + fees)
        for loan_id, due_date, principal, interest, fees in connection.execute(statement)
    }


def _load_points(connection: Connection, workers: Sequence[uuid.UUID]) -> dict[str, list[Point]]:
    """The borrowers' own phone numbers (the queue dials the borrower, not third parties)."""
    borrowers = select(Loan.borrower_id).where(_assigned(workers)).scalar_subquery()
    statement = (
        select(
            _key(ContactPoint.id),
            _key(ContactPoint.borrower_id),
            _key(ContactPoint.kind),
            ContactPoint.time_zones,
            ContactPoint.do_not_call,
            ContactPoint.wrong_number,
        )
        .where(ContactPoint.borrower_id.in_(borrowers), ContactPoint.kind.in_(PHONE_KINDS))
        .order_by(ContactPoint.position, ContactPoint.id)
    )
    points: dict[str, list[Point]] = defaultdict(list)
    zones_of: dict[str, tuple[str, ...]] = {}
    for point_id, borrower_id, kind, zones, dnc, wrong in connection.execute(statement):
        split = zones_of.get(zones)
        if split is None:
            split = zones_of[zones] = tuple(zones.split())
        points[_hex(borrower_id)].append(
            Point(id=_hex(point_id), kind=kind, zones=split, do_not_call=dnc, wrong_number=wrong)
        )
    return points


def _add_learned_zones(
    connection: Connection, workers: Sequence[uuid.UUID], rows: dict[str, _Row]
) -> None:
    """The zones of addresses collection learned (not marked wrong) join each borrower's
    address zones, as in app.services.portfolio.addresses.borrower_address_zones."""
    borrowers = select(Loan.borrower_id).where(_assigned(workers)).scalar_subquery()
    statement = select(_key(ContactPoint.borrower_id), ContactPoint.time_zones).where(
        ContactPoint.borrower_id.in_(borrowers),
        ContactPoint.kind == ContactKind.ADDRESS,
        ContactPoint.wrong_number.is_(False),
    )
    learned: dict[str, list[str]] = defaultdict(list)
    for borrower_id, zones in connection.execute(statement):
        learned[_hex(borrower_id)] += zones.split()
    if not learned:
        return
    for row in rows.values():
        extra = learned.get(row.borrower_id)
        if extra:
            row.address_zones = tuple(dict.fromkeys((*row.address_zones, *extra)))


def _load_history(
    connection: Connection, workers: Sequence[uuid.UUID], since: datetime
) -> dict[str, list[PastAttempt]]:
    """Recent attempts on the borrowers of these accounts, by anyone (caps are per borrower)."""
    codes = dispositions()
    borrowers = select(Loan.borrower_id).where(_assigned(workers)).scalar_subquery()
    statement = select(
        _key(ContactAttempt.borrower_id),
        _key(ContactAttempt.loan_id),
        _key(ContactAttempt.contact_point_id),
        _key(ContactAttempt.channel),
        _key(ContactAttempt.started_at),
        ContactAttempt.disposition,
    ).where(ContactAttempt.borrower_id.in_(borrowers), ContactAttempt.started_at >= since)
    history: dict[str, list[PastAttempt]] = defaultdict(list)
    for borrower_id, loan_id, point_id, channel, started_at, code in connection.execute(statement):
        flags = codes[code]
        history[_hex(borrower_id)].append(
            PastAttempt(
                at=_instant(started_at),
                loan_id=_hex(loan_id),
                contact_point_id=_hex(point_id) if point_id else None,
                channel=channel,
                contact=flags.contact,
                rpc=flags.rpc,
                counts_toward_cap=flags.counts_toward_cap,
            )
        )
    return history


def _load_last_contact(
    connection: Connection, workers: Sequence[uuid.UUID], viewer_zone: ZoneInfo
) -> dict[str, date]:
    """The day (viewer's zone) someone last answered on each account."""
    answered = [code for code, flags in dispositions().items() if flags.contact]
    statement = (
        select(_key(ContactAttempt.loan_id), _key(func.max(ContactAttempt.started_at)))
        .join(Loan, Loan.id == ContactAttempt.loan_id)
        .where(_assigned(workers), ContactAttempt.disposition.in_(answered))
        .group_by(ContactAttempt.loan_id)
    )
    return {
        _hex(loan_id): _instant(last).astimezone(viewer_zone).date()
        for loan_id, last in connection.execute(statement)
    }


def _load_callbacks(
    connection: Connection, workers: Sequence[uuid.UUID], at: datetime
) -> dict[str, datetime]:
    """The earliest open callback per account that is due now or within the look-ahead."""
    ahead = timedelta(minutes=int(queue_weights()["callback_lookahead_minutes"]))
    statement = (
        select(_key(Callback.loan_id), Callback.due_at)
        .join(Loan, Loan.id == Callback.loan_id)
        .where(_assigned(workers), Callback.done_at.is_(None), Callback.due_at <= at + ahead)
    )
    due: dict[str, datetime] = {}
    for loan_id, due_at in connection.execute(statement):
        key = _hex(loan_id)
        if key not in due or due_at < due[key]:
            due[key] = due_at
    return due


def _load_promises(
    connection: Connection, workers: Sequence[uuid.UUID], today: date
) -> dict[str, dict[str, Any]]:
    window = int(queue_weights()["broken_promise_days"])
    grace = promise_grace_days()
    failed = (PromiseStatus.BROKEN, PromiseStatus.PARTLY_KEPT)
    statement = (
        select(
            _key(PromiseToPay.loan_id),
            PromiseToPay.status,
            PromiseToPay.amount,
            PromiseToPay.paid_amount,
            PromiseToPay.promised_date,
        )
        .join(Loan, Loan.id == PromiseToPay.loan_id)
        # Only the date is filtered in SQL: a status condition would lure SQLite onto the
        # (status, date) index and a scan of the whole book instead of this user's loans.
        .where(
            _assigned(workers),
            PromiseToPay.promised_date >= today - timedelta(days=window + grace),
        )
        .order_by(PromiseToPay.promised_date, PromiseToPay.created_at, PromiseToPay.id)
    )
    result: dict[str, dict[str, Any]] = defaultdict(dict)
    for loan_id, status, amount, paid, promised_date in connection.execute(statement):
        if status is PromiseStatus.PENDING:
            if promised_date == today:
                result[_hex(loan_id)]["due_today"] = amount
            continue
        if status not in failed:
            continue
        facts = result[_hex(loan_id)]
        # The latest failed promise wins; it broke at the end of its last day of grace.
        facts["broken_on"] = promised_date + timedelta(days=grace)
        facts["partly_kept"] = (paid, amount) if status is PromiseStatus.PARTLY_KEPT else None
    return result


def _load_broken_plans(
    connection: Connection, workers: Sequence[uuid.UUID], today: date
) -> dict[str, date]:
    """The day each account's latest plan broke, if within the last broken_plan_days."""
    window = int(queue_weights()["broken_plan_days"])
    zone = business_zone()
    since = day_start(today - timedelta(days=window))
    statement = (
        select(_key(RepaymentPlan.loan_id), RepaymentPlan.closed_at)
        .join(Loan, Loan.id == RepaymentPlan.loan_id)
        .where(
            _assigned(workers),
            RepaymentPlan.status == PlanStatus.BROKEN,
            RepaymentPlan.closed_at >= since,
        )
        .order_by(RepaymentPlan.closed_at)
    )
    return {
        _hex(loan_id): _instant(closed_at).astimezone(zone).date()
        for loan_id, closed_at in connection.execute(statement)
    }


def priorities_in_force(
    connection: Connection, workers: Sequence[uuid.UUID], at: datetime
) -> dict[str, LeadPriority]:
    """The override in force at `at` on each account: not cleared, not yet expired; where two
    leads both set one (each on their own copy), the later one."""
    statement = (
        select(
            _key(PriorityOverride.loan_id),
            PriorityOverride.level,
            PriorityOverride.expires_at,
        )
        .join(Loan, Loan.id == PriorityOverride.loan_id)
        .where(
            _assigned(workers),
            PriorityOverride.cleared_at.is_(None),
            PriorityOverride.expires_at > at,
        )
        .order_by(PriorityOverride.set_at, PriorityOverride.id)
    )
    levels = queue_weights()["override"]
    return {
        _hex(loan_id): LeadPriority(level, expires_at)
        for loan_id, level, expires_at in connection.execute(statement)
        # A level this installation does not weigh (newer data) is left out, not guessed.
        if level in levels
    }


def _contact_status(
    evaluator: Evaluator,
    row: _Row,
    points: Sequence[Point],
    history: Sequence[PastAttempt],
    at: datetime,
    answers: dict[tuple[Any, ...], tuple[bool, Decision, int | None]],
    callback_at: datetime | None = None,
) -> ContactStatus:
    """Callable now on the first allowed own number; else the block that lifts soonest.

    Without recent attempts the answer depends only on flags, zones and marks, which most
    accounts share: such answers are kept in `answers` for the rest of the queue.
    """
    key: tuple[Any, ...] | None = None
    if not history:
        marks = tuple((p.zones, p.do_not_call, p.wrong_number) for p in points)
        key = (evaluator.profile.code, row.flags, row.address_zones, row.agreed, marks)
        known = answers.get(key)
        if known is not None:
            allowed, decision, index = known
            return ContactStatus(allowed, decision, None if index is None else points[index].id)
    allowed, decision, index = _first_callable(evaluator, row, points, history, at, callback_at)
    if key is not None:
        answers[key] = (allowed, decision, index)
    return ContactStatus(allowed, decision, None if index is None else points[index].id)


def _first_callable(
    evaluator: Evaluator,
    row: _Row,
    points: Sequence[Point],
    history: Sequence[PastAttempt],
    at: datetime,
    callback_at: datetime | None,
) -> tuple[bool, Decision, int | None]:
    if not points:
        decision = Decision(
            False, "point.none", "No usable phone number", "没有可用的电话号码", "", None
        )
        return False, decision, None
    subject = Subject(
        loan_id=row.loan_id,
        flags=row.flags,
        address_zones=row.address_zones,
        own_point_ids=frozenset(point.id for point in points if point.id is not None),
        agreed_window=row.agreed,
        requested_callback_at=callback_at,
    )
    best: tuple[Decision, int] | None = None
    for index, point in enumerate(points):
        decision = evaluator.evaluate(subject, point, "call", at, history)
        if decision.allowed:
            return True, decision, index
        if best is None or _sooner(decision, best[0]):
            best = (decision, index)
    assert best is not None
    return False, best[0], best[1]


def _sooner(candidate: Decision, current: Decision) -> bool:
    if candidate.next_allowed_at is None:
        return False
    return current.next_allowed_at is None or candidate.next_allowed_at < current.next_allowed_at
