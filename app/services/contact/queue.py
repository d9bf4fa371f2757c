"""The collector's daily queue: which accounts to work, in what order, and why.

Due callbacks come first, then broken promises, then promises due today; within a tier the
score adds bucket, overdue amount, days without contact and reminders no payment followed
(weights in resources/queue_weights.json). A team lead's priority override (top, high or low,
until it expires) adds its own weight on top. Accounts the rules block right now stay in the
queue, marked with the rule and the moment they open again.
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
import hashlib
import itertools
import json
import math
import operator
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, cast, overload
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Integer,
    String,
    and_,
    delete,
    func,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement, Subquery

from app import __version__
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
    LoanQueueSummary,
    LoanStatus,
    Payment,
    PlanStatus,
    PriorityOverride,
    PromiseStatus,
    PromiseToPay,
    QueueMemo,
    QueueStamp,
    RepaymentPlan,
    counted,
)
from app.models.activity import REMINDER_OUTCOMES_SQL
from app.models.queue_memo import ALL_BORROWERS
from app.models.types import money_from_raw
from app.services.common.clock import business_zone, day_start
from app.services.common.experiment_arms import Running, running_experiments
from app.services.common.money import ZERO, format_money
from app.services.common.queue_summary import codes_current
from app.services.common.reference import (
    address_zones,
    bucket_for,
    buckets,
    dispositions,
    load_json,
    policy,
    queue_weights,
)
from app.services.common.scope import find_user, worker_ids
from app.services.common.sqlfunc import days_since, penalty_since, unindexed
from app.services.contact.compliance import (
    Decision,
    Evaluator,
    Key,
    PastAttempt,
    Point,
    Subject,
    available_profiles,
    default_profile_code,
    load_profile,
    next_window_change,
    profile_code_for,
)
from app.services.contact.promises import promise_grace_days

PHONE_KINDS = (ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK)
# The outcomes the reminder dispatcher records for a message (reminders.dispatch.DISPOSITION,
# app.models.activity.REMINDER_OUTCOMES_SQL): it went out, or it did not reach the borrower.
REMINDER_SENT = ("SENT", "DELIVERED")
REMINDER_UNDELIVERED = "FAILED"
# The channels it sends on (an outcome of theirs recorded on another is no reminder).
REMINDER_CHANNELS = ("sms", "email")


@cache
def _reason_templates() -> dict[str, dict[str, str]]:
    return dict(load_json("queue_reasons.json"))


# The parameters of a reason that has none (shared: nobody changes a reason's).
_NO_PARAMS: Mapping[str, str] = MappingProxyType({})


class Reason(NamedTuple):
    """One human-readable reason for a score; `text()` renders it in a language. A named tuple:
    a queue makes thousands of them."""

    key: str
    params: Mapping[str, str] = _NO_PARAMS

    def text(self, language: str = "en") -> str:
        templates = _reason_templates().get(language) or _reason_templates()["en"]
        return templates[self.key].format(**self.params)


class KeptReasons(Sequence[Reason]):
    """An account's reasons as the queue's memo keeps them (`_reasons_text`), made into
    `Reason`s only when first read: a queue read afresh takes thousands of answers from the
    memo, and whoever reads it shows a few (the window the rows in view, the top reason of
    each). Reads, compares and prints as the tuple of reasons it stands for."""

    __slots__ = ("_made", "_parts", "text")

    def __init__(self, text: str, parts: dict[str, tuple[Reason, ...]]) -> None:
        self.text = text
        # The reasons already made from each part's text, shared by a read's answers (many
        # say "never contacted", or name the same bucket).
        self._parts = parts
        self._made: tuple[Reason, ...] | None = None

    def reasons(self) -> tuple[Reason, ...]:
        made = self._made
        if made is None:
            made = self._made = _reasons_from_text(self.text, self._parts)
        return made

    @overload
    def __getitem__(self, index: int) -> Reason: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Reason, ...]: ...
    def __getitem__(self, index: int | slice) -> Reason | tuple[Reason, ...]:
        return self.reasons()[index]

    def __len__(self) -> int:
        return len(self.reasons())

    def __iter__(self) -> Iterator[Reason]:
        return iter(self.reasons())

    def __bool__(self) -> bool:
        return bool(self.text)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KeptReasons):
            return self.text == other.text or self.reasons() == other.reasons()
        if isinstance(other, tuple):
            return self.reasons() == other
        return NotImplemented

    # As a tuple of reasons (their parameters are dicts): not hashable.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.reasons())


@dataclass(frozen=True, slots=True)
class LeadPriority:
    """A team lead's override of an account's place in the queue, in force until `expires_at`."""

    level: str  # a key of queue_weights.json "override": top, high or low
    expires_at: datetime


@dataclass(frozen=True)
class Reminded:
    """The reminders sent on an account before today, within the last few days
    (queue_weights.json "reminders"), that no payment followed, on days after the last
    contact."""

    # On how many days one went out (an SMS and an e-mail of the same step are one reminder
    # to the borrower), the first of those days and the last (business zone).
    sent_days: int
    first_on: date | None
    last_on: date | None
    # The channels whose latest reminder did not reach the borrower (sms, email).
    undelivered: tuple[str, ...] = ()


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
    reminded: Reminded | None = None


class ContactStatus(NamedTuple):
    """Whether the account may be called now, the rules' decision, and the number to dial (a
    named tuple: one per account, thousands a read)."""

    allowed: bool
    decision: Decision
    contact_point_key: Key | None

    @property
    def contact_point_id(self) -> uuid.UUID | None:
        return _as_uuid(self.contact_point_key)

    def as_json(self) -> dict[str, Any]:
        return {**self.decision.as_json(), "allowed": self.allowed}


class QueueEntry(NamedTuple):
    """One account's place in the queue. A named tuple: a queue read makes thousands of them
    (a frozen dataclass costs twenty times as much to make)."""

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
    # A tuple, or the memo's text made into reasons when first read (`KeptReasons`).
    reasons: Sequence[Reason]
    contact: ContactStatus
    priority: LeadPriority | None = None

    @property
    def loan_id(self) -> uuid.UUID:
        return _as_uuid(self.loan_key)

    @property
    def loan_hex(self) -> str:
        """`loan_id.hex`, without making a UUID of a key read as that text already (the
        window keys its rows by it, thousands of times a read)."""
        return _as_hex(self.loan_key)

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
    facts: AccountFacts,
    today: date,
    viewer_zone: ZoneInfo,
    weights: Mapping[str, Any] | None = None,
) -> tuple[int, str | None, tuple[Reason, ...]]:
    """The score, the tier (if any) and the reasons for one account. Pure. `weights`: an
    experiment's challenger arm's (app/services/experiments/), else queue_weights.json."""
    weights = weights or queue_weights()
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
    if facts.reminded is not None:
        total += _reminded(facts.reminded, today, reasons, weights)
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


def _reminded(
    reminded: Reminded, today: date, reasons: list[Reason], weights: Mapping[str, Any]
) -> int:
    """The reasons a reminder left unanswered gives (added to `reasons`), and its weight."""
    weight = 0
    if reminded.sent_days and reminded.first_on is not None and reminded.last_on is not None:
        weight = int(weights["reminders"]["no_payment"])
        if reminded.sent_days > 1:
            count, since = str(reminded.sent_days), f"{reminded.first_on:%m-%d}"
            reasons.append(Reason("reminders_no_payment", {"count": count, "date": since}))
        elif (ago := (today - reminded.last_on).days) <= 1:
            reasons.append(Reason("reminder_yesterday_no_payment"))
        else:
            reasons.append(Reason("reminder_days_no_payment", {"days": str(ago)}))
    reasons.extend(Reason(f"reminder_undelivered_{channel}") for channel in reminded.undelivered)
    return weight


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


def _as_hex(key: Key) -> str:
    """A key as `uuid.UUID.hex` writes it: 32 lower-case hex digits."""
    if isinstance(key, str) and len(key) == 32 and key == key.lower():
        return key
    return _as_uuid(key).hex


def _money_formatter(currency: str) -> Any:
    return lambda amount: format_money(amount, currency, whole=True)


def build_queue(
    db: Database,
    username: str,
    at: datetime | None = None,
    *,
    limit: int | None = None,
    now: datetime | None = None,
    summary: bool = True,
    memo: bool = True,
) -> Queue:
    """The ranked queue of `username` at moment `at` (now by default), read afresh.

    A read: it writes nothing. Promises and plans that lapsed are settled beforehand by their
    own step (`plans.lapses.settle_lapsed`), which the window and the command line run first.
    `summary`, `memo`: as `LiveQueue`'s.
    """
    # Paused until the live queue read for this one answer is gone: the collector then goes
    # through the entries alone, not the thousands of objects kept for the reads after.
    with _collector_paused():
        return LiveQueue(db, username, summary=summary, memo=memo).read(at, now=now, limit=limit)


def keep_queue(db: Database, live: LiveQueue) -> int:
    """Keep what `live` last read in the queue's memo (a write of its own, after a read; the
    window runs it after reading its whole queue). Returns how many accounts it wrote."""
    if live.db is not db:
        return 0
    return live.remember()


class _Ranked(NamedTuple):
    """One account's place in the queue as computed at some moment, and until when it holds
    for the same data (None: until the day ends): its place first (`_place`: highest score
    first, ties by larger overdue amount, then contract number), then what its entry shows
    less the rank (`_entry`), then until when (`_micros`)."""

    minus_score: int
    minus_overdue: Decimal
    contract_no: str
    loan_key: str
    borrower_key: str
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
    reasons: Sequence[Reason]
    contact: ContactStatus
    priority: LeadPriority | None
    # In microseconds since 1970 (UTC), as the memo keeps it: thousands of answers a read.
    holds_until: int | None


# An answer's place in the queue, as `_order` gives it (made only while sorting).
_place = operator.itemgetter(0, 1, 2)


def _entry(rank: int, item: _Ranked) -> QueueEntry:
    """The entry of an answer at `rank`: the tuple made directly (thousands a read), from the
    answer's fields in the entry's order."""
    return _new_entry(QueueEntry, (rank, item[3], item[2], *item[4:18]))


@dataclass
class _Inputs:
    """What the queue is computed from, per account (loan key) and per borrower (key)."""

    rows: dict[str, _Row] = field(default_factory=dict)
    points: dict[str, list[Point]] = field(default_factory=dict)
    history: dict[str, list[PastAttempt]] = field(default_factory=dict)
    last_contact: dict[str, date] = field(default_factory=dict)
    callbacks: dict[str, list[datetime]] = field(default_factory=dict)
    promises: dict[str, dict[str, Any]] = field(default_factory=dict)
    broken_plans: dict[str, date] = field(default_factory=dict)
    priorities: dict[str, list[LeadPriority]] = field(default_factory=dict)
    reminded: dict[str, _Reminders] = field(default_factory=dict)
    # The weights of the accounts in an experiment's challenger arm (the rest: the champion's).
    arms: dict[str, Mapping[str, Any]] = field(default_factory=dict)


# The inputs kept per account, and per borrower.
_PER_LOAN = (
    "rows",
    "arms",
    "last_contact",
    "callbacks",
    "promises",
    "broken_plans",
    "priorities",
    "reminded",
)
_PER_BORROWER = ("points", "history")


class LiveQueue:
    """A collector's queue kept between reads, so that a read after a change computes again
    only what the change or the clock touched (the window keeps one per signed-in user).

    `read(at, changed=…)` names the accounts an operation changed (`changed=None`: unknown,
    everything is read again). Each account's answer carries the moment until which it holds
    for the same data: a block lifting, an hours window opening or closing in one of its zones,
    a callback coming into view, a lead's override lapsing, an attempt leaving the rules'
    history. Accounts whose moment has come are computed again from the data already read; the
    accounts changed (and every account of the same borrowers, as caps count per borrower)
    are read again. A new day, a moment before the last read, changed=None or a read that
    failed reads everything. The result is the same as `build_queue` at that moment (tests
    compare the two).

    Reading everything takes from the memo (app/models/queue_memo.py; a SQLite copy's) the
    answers `remember` kept of the accounts whose inputs have not changed since, whose answer
    still holds at that moment, on the same day and business data; their inputs are read only
    once one of them is to be computed again.
    """

    def __init__(
        self, db: Database, username: str, *, summary: bool = True, memo: bool = True
    ) -> None:
        """`summary`: read each account's history from the summary the database keeps
        (app/models/queue_summary.py) while it is current, and each borrower's attempts as
        far back as their own profile's rules look; False reads as the queue did before: the
        history itself, every borrower's as far back as any profile looks (the tests'
        yardstick). `memo`: take the answers the memo holds (False: compute every one)."""
        self.db = db
        self.username = username
        self.summary = summary
        self.memo = memo
        # What `remember` writes from: the user, each account's borrower and the number of
        # the last write before its inputs were read (app/models/queue_memo.py), the
        # fingerprint of the rest; the accounts taken from the memo, whose inputs were not read.
        self._user: str | None = None
        self._owners: dict[str, str] = {}
        self._seen: dict[str, int] = {}
        self._context: str | None = None
        self._bare: set[str] = set()
        # Whether the memo lacks something the last reads learned.
        self._unkept = False
        self.remembered = 0
        self._today: date | None = None
        # The moment of the last read: an earlier one reads everything (see `read`).
        self._at: datetime | None = None
        self._workers: list[uuid.UUID] = []
        self._inputs = _Inputs()
        self._ranked: dict[str, _Ranked] = {}
        # The accounts in rank order, their entries alike, and the answers replaced since.
        self._sorted: list[_Ranked] = []
        self._shown: list[QueueEntry] = []
        self._gone: list[_Ranked] = []
        # Which answer each entry shown was made from.
        self._made_from: dict[str, _Ranked] = {}
        # How many accounts the last read computed, and read from the database; and whether it
        # read their history from the summary.
        self.computed = 0
        self.loaded = 0
        self.from_summary = False

    def forget(self, db: Database | None = None) -> None:
        """Drop what was read (on `db` from now on, when given): the next read reads all."""
        if db is not None:
            self.db = db
        self._today = None
        self._at = None
        self._inputs = _Inputs()
        self._ranked = {}
        self._sorted = []
        self._shown = []
        self._gone = []
        self._made_from = {}
        self._user = None
        self._owners = {}
        self._seen = {}
        self._context = None
        self._bare = set()
        self._unkept = False

    def read(
        self,
        at: datetime | None = None,
        *,
        changed: Collection[Key] | None = None,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> Queue:
        now = now or datetime.now(UTC)
        at = (at or now).astimezone(UTC)
        try:
            return self._read(at, changed, limit)
        except BaseException:
            # Half of it may have been read again: the next read reads everything.
            self.forget()
            raise

    def _read(self, at: datetime, changed: Collection[Key] | None, limit: int | None) -> Queue:
        viewer_zone = business_zone()
        today = at.astimezone(viewer_zone).date()
        # The collector stays paused until the entries are made: ranking makes most of the
        # read's short-lived objects.
        with _collector_paused():
            with self.db.reader() as session:
                connection = session.connection()
                # What was read holds going forward only: an earlier moment (a clock set back,
                # a look at the past) may see overrides and attempts the last read left out.
                back = self._at is not None and at < self._at
                # The summary counts contacts by the codes it was kept with: read only while
                # they are this catalogue's (a repair brings it up to date).
                summary = self.from_summary = self.summary and codes_current(connection)
                if changed is None or today != self._today or back:
                    self.forget()
                    user = find_user(session, self.username)
                    self._workers = worker_ids(session, user)
                    fresh = self._read_all(connection, user.id, today, at, summary)
                    self._today = today
                else:
                    # Accounts taken from the memo whose moment came: their inputs are read.
                    moment = _micros(at)
                    due = [
                        key
                        for key in self._bare
                        if (until := self._ranked[key].holds_until) is not None and until <= moment
                    ]
                    fresh = self._reload(connection, {*changed, *due}, today, at, summary)
                    self._unkept |= bool(changed)
            self.loaded = len(fresh)
            before = self._rank(at, today, viewer_zone, fresh)
            self._unkept |= self.computed > 0
            self._at = at
            entries = self._entries_in_order(before)
        soonest = min(
            (r.holds_until for r in self._ranked.values() if r.holds_until is not None),
            default=None,
        )
        day_ends = day_start(today + timedelta(days=1))
        next_change = day_ends if soonest is None else min(_instant_of(soonest), day_ends)
        if limit is not None:
            entries = entries[:limit]
        return Queue(
            username=self.username, at=at, entries=tuple(entries), next_change_at=next_change
        )

    def _read_all(
        self, connection: Connection, user: uuid.UUID, today: date, at: datetime, summary: bool
    ) -> set[str]:
        """Read every account (the memo's answers where they hold); returns the keys of those
        whose inputs were read."""
        self.remembered = 0
        if not (self.memo and connection.dialect.name == "sqlite"):
            self._inputs = _load_inputs(connection, self._workers, today, at, None, summary)
            return set(self._inputs.rows)
        context = _memo_context(today, running_experiments(connection, today))
        # The number of the last write is read before the inputs: a write after it is
        # numbered higher, so that what was read then is never taken for newer.
        seen = _last_write(connection)
        self._user, self._context = user.hex, context
        now = _micros(at)
        # Every account with its answer in the memo, where one holds at `now` (`_listed`).
        listed = _listed(connection, self._workers, user, context, now)
        # The borrowers written to after the oldest answer taken was read (few: found by the
        # index on the numbers), and whether the triggers were off for a bulk write since.
        since = min((row[5] for row in listed if row[5] is not None), default=seen)
        written = _written_since(connection, since)
        everyone = written.get(ALL_BORROWERS.hex, 0)
        stale = {
            row[1]
            for row in listed
            if row[5] is None or max(everyone, written.get(row[1], 0)) > row[5]
        }
        # All the accounts of a borrower are computed again, or none (their inputs are read
        # per borrower).
        changed = []
        owners, stamps, ranked = self._owners, self._seen, self._ranked
        codec = _MemoCodec()
        make = codec.ranked
        for row in listed:
            loan, borrower = row[0], row[1]
            if borrower in stale:
                changed.append(loan)
                owners[loan], stamps[loan] = borrower, seen
                continue
            owners[loan], stamps[loan] = borrower, row[5]
            if row[6] is not None:  # in the queue that day
                ranked[loan] = make(row)
        # Every account's answer taken from the memo: nothing new to keep.
        self._unkept = bool(stale)
        self._bare = set(ranked)
        self.remembered = len(self._bare)
        if changed:
            # By their keys as stored (a SQLite copy's text), all in one parameter: each of the
            # statements below names the same few hundred accounts.
            named = func.json_each(json.dumps(changed))
            touching = _key(Loan.id).in_(select(literal_column("value")).select_from(named))
            self._inputs = _load_inputs(connection, self._workers, today, at, touching, summary)
        return set(self._inputs.rows)

    def remember(self) -> int:
        """Keep the last read's answers in the memo, in a transaction of its own (never as
        part of a read): a queue read afresh later takes from it those still good. Returns
        how many accounts it keeps (0: nothing read to keep, or not a SQLite copy)."""
        if not self._unkept or self._user is None or self._context is None or self._at is None:
            return 0
        computed_at = _micros(self._at)
        user, context, owners = self._user, self._context, self._owners
        made = (
            _memo_row(user, loan, owners[loan], seen, context, computed_at, self._ranked.get(loan))
            for loan, seen in self._seen.items()
        )
        rows = [row for row in made if row is not None]
        with self.db.session() as session:
            connection = session.connection()
            connection.execute(delete(QueueMemo).where(QueueMemo.user_id == _as_uuid(self._user)))
            if rows:
                connection.exec_driver_sql(_MEMO_INSERT, rows)
        self._unkept = False
        return len(rows)

    def _reload(
        self,
        connection: Connection,
        changed: Collection[Key],
        today: date,
        at: datetime,
        summary: bool,
    ) -> set[str]:
        """Read again the accounts of the borrowers of `changed`; returns their keys."""
        if not changed:
            return set()
        ids = [_as_uuid(key) for key in changed]
        owners = list(
            connection.execute(select(Loan.borrower_id).where(Loan.id.in_(ids))).scalars()
        )
        # The number of the last write first, as in `_read_all`.
        stamped = self._user is not None
        seen = _last_write(connection) if stamped else 0
        # The loans themselves, named: every statement below then starts from them (by their
        # key) rather than from the collector's thousands of accounts.
        found = list(
            connection.execute(
                select(_key(Loan.id), _key(Loan.borrower_id)).where(
                    Loan.borrower_id.in_(owners), _assigned(self._workers)
                )
            )
        )
        loans = [_as_uuid(_hex(row[0])) for row in found]
        fresh = _load_inputs(connection, self._workers, today, at, Loan.id.in_(loans), summary)
        inputs = self._inputs
        # Every account of those borrowers was read: what did not come back left the queue.
        borrowers = {_hex(key) for key in owners}
        if stamped:
            for loan_key in [k for k, b in self._owners.items() if b in borrowers]:
                del self._owners[loan_key], self._seen[loan_key]
            for loan_id, borrower_id in found:
                loan_key = _hex(loan_id)
                self._owners[loan_key], self._seen[loan_key] = _hex(borrower_id), seen
        read_before = [k for k, row in inputs.rows.items() if row.borrower_id in borrowers]
        bare = [k for k in self._bare if self._ranked[k].borrower_key in borrowers]
        self._bare.difference_update(bare)
        for loan_key in read_before + bare:
            for name in _PER_LOAN:
                getattr(inputs, name).pop(loan_key, None)
            gone = self._ranked.pop(loan_key, None)
            if gone is not None:
                self._gone.append(gone)
        for name in _PER_BORROWER:
            for borrower in borrowers:
                getattr(inputs, name).pop(borrower, None)
        for name in (*_PER_LOAN, *_PER_BORROWER):
            getattr(inputs, name).update(getattr(fresh, name))
        return set(fresh.rows)

    def _rank(
        self, at: datetime, today: date, viewer_zone: ZoneInfo, fresh: set[str]
    ) -> list[_Ranked]:
        """Compute again the accounts read again and those whose moment came, and order them
        all; returns the order before."""
        inputs = self._inputs
        if not inputs.rows and not self._ranked:
            self._inputs = _Inputs()
            self._sorted, self._shown, self._gone, self._made_from = [], [], [], {}
            self.computed = 0
            return []
        # Each borrower is judged by the profile of where they live; the queue dials own numbers.
        evaluators = {
            code: Evaluator(load_profile(code))
            for code in {r.profile for r in inputs.rows.values()}
        }
        since = {
            code: at - timedelta(days=evaluator.profile.history_days(third_parties=False))
            for code, evaluator in evaluators.items()
        }
        ahead = timedelta(minutes=int(queue_weights()["callback_lookahead_minutes"]))
        answers: dict[tuple[Any, ...], tuple[bool, Decision, int | None, tuple[datetime, ...]]] = {}
        windows: dict[tuple[Any, ...], tuple[datetime, ...]] = {}
        ranked = self._ranked
        computed = 0
        added = []
        moment = _micros(at)
        for key, row in inputs.rows.items():
            known = ranked.get(key)
            if (
                known is not None
                and key not in fresh
                and (known.holds_until is None or moment < known.holds_until)
            ):
                continue
            computed += 1
            if known is not None:
                self._gone.append(known)
            ranked[key] = new = _rank_row(
                row,
                inputs,
                evaluators[row.profile],
                since[row.profile],
                at,
                today,
                viewer_zone,
                ahead,
                answers,
                windows,
            )
            added.append(new)
        self.computed = computed
        return self._reorder(added)

    def _reorder(self, added: list[_Ranked]) -> list[_Ranked]:
        """Put the answers computed again in their places; returns the order before."""
        gone, self._gone = self._gone, []
        order = _place
        listed = self._sorted
        before = list(listed)
        if not listed or len(gone) + len(added) > len(listed) // 8:
            self._sorted = sorted(self._ranked.values(), key=order)
            return before
        places = []
        for old in gone:
            at = bisect.bisect_left(listed, order(old), key=order)
            while listed[at] is not old:
                at += 1
            places.append(at)
        for at in sorted(places, reverse=True):
            del listed[at]
        for new in added:
            listed.insert(bisect.bisect_right(listed, order(new), key=order), new)
        return before

    def _entries_in_order(self, before: list[_Ranked]) -> list[QueueEntry]:
        """The entries in rank order: where a place holds the same answer as before, its entry
        as it was; elsewhere a new one (or the account's, if its answer and rank stayed)."""
        listed = self._sorted
        shown_before = self._shown
        if not shown_before:
            # Nothing shown yet (a read afresh): every entry new, in one pass.
            self._made_from = {item.loan_key: item for item in listed}
            self._shown = list(map(_entry, itertools.count(1), listed))
            return self._shown
        kept = len(shown_before) == len(before)
        # Compared place by place at C speed: after an outcome, few places differ.
        same = list(map(operator.is_, listed, before)) if kept else []
        same += [False] * (len(listed) - len(same))
        shown: list[QueueEntry | None] = [
            entry if stays else None for entry, stays in zip(shown_before, same, strict=False)
        ]
        shown += [None] * (len(listed) - len(shown))
        by_key = {entry.loan_key: entry for entry in shown_before}
        made = self._made_from
        for place in itertools.compress(range(len(listed)), map(operator.not_, same)):
            item = listed[place]
            rank = place + 1
            loan = item.loan_key
            old = by_key.get(loan)
            if old is not None and old.rank == rank and made.get(loan) is item:
                shown[place] = old
                continue
            made[loan] = item
            shown[place] = _entry(rank, item)
        result = cast(list[QueueEntry], shown)
        self._shown = result
        return result


_new_ranked = _new_entry = _new_status = _new_reason = tuple.__new__


def _rank_row(
    row: _Row,
    inputs: _Inputs,
    evaluator: Evaluator,
    since: datetime,
    at: datetime,
    today: date,
    viewer_zone: ZoneInfo,
    ahead: timedelta,
    answers: dict[tuple[Any, ...], tuple[bool, Decision, int | None, tuple[datetime, ...]]],
    windows: dict[tuple[Any, ...], tuple[datetime, ...]],
) -> _Ranked:
    """One account's score, reasons and contact status at `at`, and until when they hold."""
    edges: list[datetime] = []
    loan = row.loan_id
    promise = inputs.promises.get(loan, {})
    callback_at: datetime | None = None
    for due in inputs.callbacks.get(loan, ()):
        if due <= at + ahead:
            callback_at = due if callback_at is None else min(callback_at, due)
        else:
            edges.append(due - ahead)  # comes into view then
    priority: LeadPriority | None = None
    for candidate in inputs.priorities.get(loan, ()):
        if candidate.expires_at > at:
            priority = candidate  # the later one set wins
            edges.append(candidate.expires_at)
    facts = AccountFacts(
        loan_id=loan,
        contract_no=row.contract_no,
        currency=row.currency,
        dpd=(today - row.oldest_due).days if row.oldest_due else 0,
        overdue=row.principal + row.interest + row.fees + row.penalty,
        next_due=row.next_due,
        next_due_amount=row.next_due_amount,
        callback_due_at=callback_at,
        broken_plan_on=inputs.broken_plans.get(loan),
        broken_promise_on=promise.get("broken_on"),
        partly_kept=promise.get("partly_kept"),
        promise_due_today=promise.get("due_today"),
        last_contact_on=inputs.last_contact.get(loan),
        priority=priority,
        reminded=_unanswered(inputs.reminded.get(loan), inputs.last_contact.get(loan)),
    )
    total, tier, reasons = score(facts, today, viewer_zone, inputs.arms.get(loan))
    recent = [a for a in inputs.history.get(row.borrower_id, ()) if a.at >= since]
    status = _contact_status(
        evaluator,
        row,
        inputs.points.get(row.borrower_id, ()),
        recent,
        at,
        answers,
        callback_at,
        edges,
        windows,
    )
    if recent:
        # An attempt leaves the rules' history; one logged ahead of the clock comes into it.
        reach = at - since
        edges.append(min(a.at for a in recent) + reach)
        edges.extend(a.at for a in recent if a.at > at)
    later = [edge for edge in edges if edge > at]
    return _Ranked(
        -total,
        -facts.overdue,
        row.contract_no,
        loan,
        row.borrower_id,
        row.borrower,
        facts.dpd,
        bucket_for(facts.dpd),
        facts.overdue,
        row.principal,
        row.interest,
        row.penalty,
        row.fees,
        total,
        tier,
        reasons,
        status,
        priority,
        _micros(min(later)) if later else None,
    )


def _load_inputs(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    at: datetime,
    touching: ColumnElement[bool] | None,
    summary: bool,
) -> _Inputs:
    """Everything the queue is computed from for the collector's accounts (those matching
    `touching` only, when given); each account's history from the summary kept of it, or
    (`summary` False) from the history itself, read as the queue did before it had one."""
    extra = () if touching is None else (touching,)
    rows, kept = _load_accounts(connection, workers, today, extra, summary=summary)
    if not rows:
        return _Inputs()
    _add_learned_zones(connection, workers, rows, extra)
    since = {
        code: at - timedelta(days=load_profile(code).history_days(third_parties=False))
        for code in {row.profile for row in rows.values()}
    }
    if not summary:
        # As before: every borrower's attempts as far back as the furthest-looking profile.
        since = dict.fromkeys(since, min(since.values()))
    inputs = _Inputs(
        rows=rows,
        points=_load_points(connection, workers, extra),
        history=_load_history(connection, workers, since, rows, extra),
        # Read from the attempts and payments themselves in either case: a few days' worth.
        reminded=_load_reminded(connection, workers, today, extra),
        arms=_load_arms(connection, rows, today),
    )
    if summary:
        _read_summary(connection, workers, today, at, kept, inputs, extra)
    else:
        inputs.last_contact = _load_last_contact(connection, workers, business_zone(), extra)
        inputs.callbacks = _load_callbacks(connection, workers, extra)
        inputs.promises = _load_promises(connection, workers, today, extra)
        inputs.broken_plans = _load_broken_plans(connection, workers, today, extra)
        inputs.priorities = _load_priorities(connection, workers, at, extra)
    return inputs


# The summary's columns the queue reads, in this order (app/models/queue_summary.py).
_KEPT = (
    LoanQueueSummary.last_contact_at,
    LoanQueueSummary.open_callbacks,
    LoanQueueSummary.next_callback_at,
    LoanQueueSummary.pending_promises,
    LoanQueueSummary.pending_promise_on,
    LoanQueueSummary.pending_promise_amount,
    LoanQueueSummary.failed_promise_on,
    LoanQueueSummary.failed_promise_status,
    LoanQueueSummary.failed_promise_amount,
    LoanQueueSummary.failed_promise_paid,
    LoanQueueSummary.broken_plan_at,
    LoanQueueSummary.open_overrides,
)
# A few accounts have more than one open callback or pending promise, or an override: theirs
# are read from the facts, this many accounts a statement.
_FEW = 500


def _read_summary(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    at: datetime,
    kept: dict[str, tuple[Any, ...]],
    inputs: _Inputs,
    extra: Sequence[ColumnElement[bool]],
) -> None:
    """The accounts' history from their summaries, as the `_load_*` functions read it from the
    facts: what depends on the day or the moment is worked out here from the instants kept."""
    weights = queue_weights()
    grace = promise_grace_days()
    zone = business_zone()
    promises_since = today - timedelta(days=int(weights["broken_promise_days"]) + grace)
    plans_since = day_start(today - timedelta(days=int(weights["broken_plan_days"])))
    several_callbacks: list[str] = []
    several_promises: list[str] = []
    overridden: list[str] = []
    last_contact, callbacks, promises = inputs.last_contact, inputs.callbacks, inputs.promises
    for loan, (last, open_callbacks, next_callback, pending, pending_on, pending_amount,
               failed_on, failed_status, failed_amount, failed_paid, broken_at,
               overrides) in kept.items():  # fmt: skip
        if last is not None:
            last_contact[loan] = _instant(last).astimezone(zone).date()
        if open_callbacks == 1:
            callbacks[loan] = [_instant(next_callback)]
        elif open_callbacks:
            several_callbacks.append(loan)
        facts: dict[str, Any] = {}
        if pending == 1:
            if _day(pending_on) == today:
                facts["due_today"] = money_from_raw(pending_amount)
        elif pending:
            several_promises.append(loan)
        if failed_on is not None and (failed := _day(failed_on)) >= promises_since:
            # It broke at the end of its last day of grace.
            facts["broken_on"] = failed + timedelta(days=grace)
            facts["partly_kept"] = (
                (money_from_raw(failed_paid), money_from_raw(failed_amount))
                if failed_status == PromiseStatus.PARTLY_KEPT
                else None
            )
        if facts:
            promises[loan] = facts
        if broken_at is not None and (broke := _instant(broken_at)) >= plans_since:
            inputs.broken_plans[loan] = broke.astimezone(zone).date()
        if overrides:
            overridden.append(loan)
    for chunk in _chunked(several_callbacks):
        callbacks.update(_load_callbacks(connection, workers, (*extra, chunk)))
    # The facts say all there is to say of these accounts' promises.
    for loan in several_promises:
        promises.pop(loan, None)
    for chunk in _chunked(several_promises):
        promises.update(_load_promises(connection, workers, today, (*extra, chunk)))
    for chunk in _chunked(overridden):
        inputs.priorities.update(_load_priorities(connection, workers, at, (*extra, chunk)))


def _chunked(loans: Sequence[str]) -> Iterator[ColumnElement[bool]]:
    for start in range(0, len(loans), _FEW):
        yield Loan.id.in_([_as_uuid(key) for key in loans[start : start + _FEW]])


def _day(value: Any) -> date:
    """A date from a column read without its type (text on SQLite, a date on a server)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- the memo (app/models/queue_memo.py) --------------------------------------------------

# A cold read reads everything when more than this share of the accounts is to be computed
# again (else only theirs, by key).
_READ_ALL_OVER = 0.25
# Bumped when what the memo keeps, or how, changes.
_MEMO_FORMAT = "queue-memo-1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MEMO_COLUMNS = (
    "user_id", "loan_id", "borrower_id", "seen", "context", "computed_at",
    "holds_until", "dpd", "principal", "interest", "penalty", "fees", "score", "tier",
    "reasons", "allowed", "decision", "point_id", "priority_level", "priority_expires_at",
)  # fmt: skip
_MEMO_INSERT = (
    f"INSERT INTO queue_memo ({', '.join(_MEMO_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _MEMO_COLUMNS)})"
)


def _micros(moment: datetime) -> int:
    """An instant as whole microseconds since 1970 (UTC), exactly."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _instant_of(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


@cache
def _code_fingerprint() -> str:
    """The code that computes a queue row (the services and the models): a memo kept by
    other code is not taken."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.blake2b(digest_size=16)
    # The version too: an installation may carry no sources to read.
    digest.update(__version__.encode())
    for folder in ("services/contact", "services/common", "models"):
        for path in sorted((root / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _memo_context(today: date, experiments: Sequence[Running] = ()) -> str:
    """Everything but the database's rows that an account's answer depends on: the day (in
    the business zone, itself in the policy), the business data the queue and the rules read
    (weights, policy, dispositions, buckets, address zones, jurisdictions and the profile
    borrowers without one of their own get, every profile's rules), the experiments running
    that day (each one's key, shares and challenger weights decide its accounts' weights) and
    the code. Reasons and decisions are kept as their parts, whatever the language they are
    shown in."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        _MEMO_FORMAT,
        today.isoformat(),
        [experiment.as_plain() for experiment in experiments],
        _code_fingerprint(),
        queue_weights(),
        policy(),
        promise_grace_days(),
        dispositions(),
        buckets(),
        load_json("address_zones.json"),
        load_json("compliance/jurisdictions.json"),
        default_profile_code(),
        [load_profile(code) for code in available_profiles()],
    ):
        digest.update(json.dumps(part, sort_keys=True, default=_plain).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """What JSON makes of the business data's objects, the same in every process (a set's
    order is not: strings hash differently in each)."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return str(value)


def _last_write(connection: Connection) -> int:
    """The number of the last write to any borrower's queue inputs (0: none yet)."""
    return connection.execute(select(func.coalesce(func.max(QueueStamp.stamp), 0))).scalar_one()


def _listed(
    connection: Connection, workers: Sequence[uuid.UUID], user: uuid.UUID, context: str, now: int
) -> list[tuple[Any, ...]]:
    """Every account assigned to `workers`, in one statement: key, borrower's key, contract,
    borrower's name, then the user's answer in the memo, kept with this fingerprint, where it
    holds at `now` (µs) for the same borrower (all None where none does): seen (the number of
    the last write before its inputs were read), holds until, then the answer
    (`_MemoCodec.ranked`)."""
    memo = QueueMemo.__table__
    statement = (
        select(
            _key(Loan.id),
            _key(Loan.borrower_id),
            Loan.contract_no,
            Borrower.name,
            memo.c.holds_until,
            memo.c.seen,
            memo.c.dpd,
            memo.c.principal,
            memo.c.interest,
            memo.c.penalty,
            memo.c.fees,
            memo.c.score,
            memo.c.tier,
            memo.c.reasons,
            memo.c.allowed,
            memo.c.decision,
            memo.c.point_id,
            memo.c.priority_level,
            memo.c.priority_expires_at,
        )
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(
            memo,
            and_(
                # By its key: one look-up per account, in the memo's own order.
                memo.c.user_id == user,
                memo.c.loan_id == Loan.id,
                memo.c.context == context,
                memo.c.borrower_id == Loan.borrower_id,
                memo.c.computed_at <= now,
                or_(memo.c.holds_until.is_(None), memo.c.holds_until > now),
            ),
        )
        .where(_assigned(workers))
    )
    return _as_stored(connection, statement)


def _as_stored(connection: Connection, statement: Any) -> list[tuple[Any, ...]]:
    """The rows as SQLite's driver hands them over, for columns that need no converting (keys
    read as text, numbers, text): a quarter less time than rows for thousands of them."""
    result = connection.execute(statement)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return cast(list[tuple[Any, ...]], rows)


def _written_since(connection: Connection, since: int) -> dict[str, int]:
    """The borrowers (and `ALL_BORROWERS`) written to after write number `since`."""
    statement = select(_key(QueueStamp.borrower_id), QueueStamp.stamp).where(
        QueueStamp.stamp > since
    )
    return {borrower: number for borrower, number in connection.execute(statement)}


class _MemoCodec:
    """The answers of a read's accounts from the memo's rows: each decision's text read once a
    read (most accounts share theirs); reasons kept as text until read (`KeptReasons`), each
    reason's part made once (many accounts share some)."""

    def __init__(self) -> None:
        self._parts: dict[str, tuple[Reason, ...]] = {}
        self._decisions: dict[str, Decision] = {}
        self._buckets: dict[int, str] = {}

    def ranked(self, row: Sequence[Any]) -> _Ranked:
        """An account's answer from its row of `_listed`."""
        (loan, borrower, contract_no, name, holds_until, _seen, dpd, principal, interest,
         penalty, fees, score, tier, reasons, allowed, decision, point, level,
         expires) = row  # fmt: skip
        principal, interest = Decimal(principal), Decimal(interest)
        penalty, fees = Decimal(penalty), Decimal(fees)
        # Summed in the order the facts are (the amounts are cents: the sum is exact anyway).
        overdue = principal + interest + fees + penalty
        # Made into reasons when first read (most never are; few accounts share all theirs).
        found = KeptReasons(reasons, self._parts)
        bucket = self._buckets.get(dpd)
        if bucket is None:
            bucket = self._buckets[dpd] = bucket_for(dpd)
        said = self._decisions.get(decision)
        if said is None:
            said = self._decisions[decision] = _decision_from_text(decision)
        # The tuple made directly: thousands a read.
        return _new_ranked(
            _Ranked,
            (
                -score,
                -overdue,
                contract_no,
                loan,
                borrower,
                name,
                dpd,
                bucket,
                overdue,
                principal,
                interest,
                penalty,
                fees,
                score,
                tier,
                found,
                _new_status(ContactStatus, (bool(allowed), said, point)),
                None if level is None else LeadPriority(level, _instant_of(expires)),
                holds_until,
            ),
        )


# Reasons kept as text: each its key and parameters (names and values) apart by one control
# character, the reasons by another; faster to read back than JSON. A value holding either
# (none does: amounts, dates, counts, codes) leaves its account out of the memo.
_REASONS_APART, _PARTS_APART = "\x1e", "\x1f"


def _reasons_text(reasons: Sequence[Reason]) -> str | None:
    if isinstance(reasons, KeptReasons):
        return reasons.text
    text = _REASONS_APART.join(
        _PARTS_APART.join((reason.key, *itertools.chain.from_iterable(reason.params.items())))
        for reason in reasons
    )
    apart = sum(len(reason.params) * 2 for reason in reasons) + max(len(reasons) - 1, 0)
    if text.count(_PARTS_APART) + text.count(_REASONS_APART) != apart:
        return None
    return text


def _reasons_from_text(text: str, parts: dict[str, tuple[Reason, ...]]) -> tuple[Reason, ...]:
    """The reasons `_reasons_text` wrote; `parts`: those made already, by their text."""
    if not text:
        return ()
    found: list[Reason] = []
    for part in text.split(_REASONS_APART):
        known = parts.get(part)
        if known is None:
            key, *params = part.split(_PARTS_APART)
            named = dict(zip(params[::2], params[1::2], strict=True)) if params else _NO_PARAMS
            known = parts[part] = (_new_reason(Reason, (key, named)),)
        found += known
    return tuple(found)


def _memo_row(
    user: str,
    loan: str,
    borrower: str,
    seen: int,
    context: str,
    computed_at: int,
    ranked: _Ranked | None,
) -> tuple[Any, ...] | None:
    """The memo's row for one account (None: it cannot be kept)."""
    head = (user, loan, borrower, seen, context, computed_at)
    if ranked is None:
        # Not in the queue that day.
        return (*head, *(None,) * (len(_MEMO_COLUMNS) - len(head)))
    priority = ranked.priority
    reasons = _reasons_text(ranked.reasons)
    if reasons is None:
        return None
    return (
        *head,
        ranked.holds_until,
        ranked.dpd,
        str(ranked.principal),
        str(ranked.interest),
        str(ranked.penalty),
        str(ranked.fees),
        ranked.score,
        ranked.tier,
        reasons,
        int(ranked.contact.allowed),
        _decision_text(ranked.contact.decision),
        ranked.contact.contact_point_key,
        None if priority is None else priority.level,
        None if priority is None else _micros(priority.expires_at),
    )


def _moment_to_json(moment: datetime | None) -> Any:
    """An aware instant with its own zone (shown in it: the zone is part of the answer)."""
    if moment is None:
        return None
    zone = moment.tzinfo
    # "": UTC itself; a zone's key; None: a fixed offset (the text says it).
    key = "" if zone is UTC else zone.key if isinstance(zone, ZoneInfo) else None
    return [moment.isoformat(), key]


def _moment_from_json(value: Any) -> datetime | None:
    if value is None:
        return None
    text, key = value
    moment = datetime.fromisoformat(text)
    if key == "":
        return moment.astimezone(UTC)
    return moment if key is None else moment.astimezone(ZoneInfo(key))


def _decision_text(decision: Decision) -> str:
    return json.dumps(
        [
            decision.allowed,
            decision.rule_id,
            decision.reason,
            decision.reason_zh,
            decision.detail,
            _moment_to_json(decision.next_allowed_at),
            list(decision.zones),
            decision.detail_template,
            [
                [name, value if isinstance(value, str) else _moment_to_json(value)]
                for name, value in decision.detail_args
            ],
        ]
    )


def _decision_from_text(text: str) -> Decision:
    allowed, rule, reason, reason_zh, detail, until, zones, template, args = json.loads(text)
    return Decision(
        allowed,
        rule,
        reason,
        reason_zh,
        detail,
        _moment_from_json(until),
        tuple(zones),
        template,
        tuple(
            (name, value if isinstance(value, str) else cast(datetime, _moment_from_json(value)))
            for name, value in args
        ),
    )


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


def _assigned(workers: Sequence[uuid.UUID]) -> Any:
    return and_(Loan.assigned_to_id.in_(workers), Loan.status == LoanStatus.ACTIVE)


def _scope(
    workers: Sequence[uuid.UUID], extra: Sequence[ColumnElement[bool]]
) -> tuple[ColumnElement[bool], ...]:
    """The workers' active loans, those of them `extra` names when it does: named loans are
    found by their keys, the planner kept off the index of assigned loans (it would go
    through every one of the collector's, and their instalments, to keep a few hundred)."""
    if not extra:
        return (_assigned(workers),)
    return (
        unindexed(Loan.assigned_to_id).in_(workers),
        unindexed(Loan.status) == LoanStatus.ACTIVE,
        *extra,
    )


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
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    extra: Sequence[ColumnElement[bool]] = (),
    *,
    summary: bool = False,
) -> tuple[dict[str, _Row], dict[str, tuple[Any, ...]]]:
    """Assigned active loans that are overdue or soon due, with their balance on `today`, and
    (`summary`) the summary kept of each one's history, read raw (`_KEPT`; loans with none
    left out)."""
    balance = overdue_balances(today, *_scope(workers, extra))
    kept_columns = [_key(column) for column in _KEPT] if summary else []
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
            *kept_columns,
        )
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(balance, balance.c.loan_id == Loan.id)
        .where(*_scope(workers, extra))
    )
    if summary:
        statement = statement.outerjoin(LoanQueueSummary, LoanQueueSummary.loan_id == Loan.id)
    reminders = _soon_due(connection, workers, today, extra)
    rows: dict[str, _Row] = {}
    kept: dict[str, tuple[Any, ...]] = {}
    flags_end = 15 + len(BORROWER_FLAGS)
    # Thousands of accounts share a few places and sets of flags: each worked out once.
    places: dict[tuple[str, str | None], tuple[str, tuple[str, ...]]] = {}
    flag_sets: dict[tuple[Any, ...], frozenset[str]] = {}
    for record in connection.execute(statement):
        (loan_id, contract_no, currency, borrower_id, name, country, province, window_start,
         window_end, oldest_due, principal, interest, fees, penalty,
         accruing) = record[:15]  # fmt: skip
        loan_id = _hex(loan_id)
        next_due, next_amount = reminders.get(loan_id, (None, ZERO))
        if oldest_due is None and next_due is None:
            continue
        marks = tuple(record[15:flags_end])
        flags = flag_sets.get(marks)
        if flags is None:
            flags = flag_sets[marks] = frozenset(
                flag for flag, on in zip(BORROWER_FLAGS, marks, strict=True) if on
            )
        place = places.get((country, province))
        if place is None:
            place = places[country, province] = (
                profile_code_for(country),
                address_zones(country, province),
            )
        if summary and any(facts := tuple(record[flags_end:])):
            kept[loan_id] = facts
        # Positional, in the fields' order: thousands a read.
        rows[loan_id] = _Row(
            loan_id,
            contract_no,
            currency,
            _hex(borrower_id),
            name,
            place[0],
            flags,
            place[1],
            (window_start, window_end) if window_start and window_end else None,
            oldest_due,
            money_from_raw(principal or 0),
            money_from_raw(interest or 0),
            money_from_raw(fees or 0),
            money_from_raw(penalty or 0) + money_from_raw(accruing or 0),
            next_due,
            next_amount,
        )
    return rows, kept


def _soon_due(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    extra: Sequence[ColumnElement[bool]] = (),
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
            *_scope(workers, extra),
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


def _load_points(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, list[Point]]:
    """The borrowers' own phone numbers (the queue dials the borrower, not third parties)."""
    borrowers = select(Loan.borrower_id).where(*_scope(workers, extra)).scalar_subquery()
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
    connection: Connection,
    workers: Sequence[uuid.UUID],
    rows: dict[str, _Row],
    extra: Sequence[ColumnElement[bool]] = (),
) -> None:
    """The zones of addresses collection learned (not marked wrong) join each borrower's
    address zones, as in app.services.portfolio.addresses.borrower_address_zones."""
    borrowers = select(Loan.borrower_id).where(*_scope(workers, extra)).scalar_subquery()
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
        more = learned.get(row.borrower_id)
        if more:
            row.address_zones = tuple(dict.fromkeys((*row.address_zones, *more)))


def _load_history(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    since: dict[str, datetime],
    rows: dict[str, _Row],
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, list[PastAttempt]]:
    """Recent attempts on the borrowers of these accounts, by anyone (caps are per borrower):
    each borrower's since the moment `since` gives their profile's rules (the rows' profile).

    Every borrower's from the latest of those moments, in one statement; the borrowers of a
    profile whose rules look further back (US: a week), the rest in another. Most borrowers'
    rules look back two days: reading a week of everyone's attempts to keep two days' made the
    most of this read.
    """
    codes = dispositions()
    columns = (
        _key(ContactAttempt.borrower_id),
        _key(ContactAttempt.loan_id),
        _key(ContactAttempt.contact_point_id),
        _key(ContactAttempt.channel),
        _key(ContactAttempt.started_at),
        ContactAttempt.disposition,
    )
    shortest = max(since.values())
    borrowers = select(Loan.borrower_id).where(*_scope(workers, extra)).scalar_subquery()
    statements = [
        select(*columns).where(
            ContactAttempt.borrower_id.in_(borrowers), ContactAttempt.started_at >= shortest
        )
    ]
    for profile, start in since.items():
        if start >= shortest:
            continue
        further = sorted({row.borrower_id for row in rows.values() if row.profile == profile})
        for first in range(0, len(further), _FEW):
            chosen = [_as_uuid(key) for key in further[first : first + _FEW]]
            statements.insert(
                0,
                select(*columns).where(
                    ContactAttempt.borrower_id.in_(chosen),
                    ContactAttempt.started_at >= start,
                    ContactAttempt.started_at < shortest,
                ),
            )
    history: dict[str, list[PastAttempt]] = defaultdict(list)
    for statement in statements:
        for borrower_id, loan_id, point_id, channel, started_at, code in connection.execute(
            statement
        ):
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
    connection: Connection,
    workers: Sequence[uuid.UUID],
    viewer_zone: ZoneInfo,
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, date]:
    """The day (viewer's zone) someone last answered on each account."""
    answered = [code for code, flags in dispositions().items() if flags.contact]
    statement = (
        select(_key(ContactAttempt.loan_id), _key(func.max(ContactAttempt.started_at)))
        .join(Loan, Loan.id == ContactAttempt.loan_id)
        .where(*_scope(workers, extra), ContactAttempt.disposition.in_(answered))
        .group_by(ContactAttempt.loan_id)
    )
    return {
        _hex(loan_id): _instant(last).astimezone(viewer_zone).date()
        for loan_id, last in connection.execute(statement)
    }


@dataclass(frozen=True)
class _Reminders:
    """An account's reminders sent before today within the last days (moment, its day in the
    business zone, outcome, channel; in order), and the moment of its latest payment in those
    days."""

    sent: tuple[tuple[datetime, date, str, str], ...]
    paid_at: datetime | None


def _load_arms(
    connection: Connection, rows: Mapping[str, _Row], today: date
) -> dict[str, Mapping[str, Any]]:
    """The challenger's weights of each account in an experiment's challenger arm (its team's
    experiment running on `today`; app/services/common/experiment_arms.py)."""
    running = running_experiments(connection, today)
    if not running:
        return {}
    by_team: dict[uuid.UUID, list[Running]] = defaultdict(list)
    for experiment in running:
        by_team[experiment.team_id].append(experiment)
    found: dict[str, Mapping[str, Any]] = {}
    keys = list(rows)
    for start in range(0, len(keys), 500):
        chunk = [_as_uuid(key) for key in keys[start : start + 500]]
        for loan_id, team_id in connection.execute(
            select(Loan.id, Loan.team_id).where(Loan.id.in_(chunk), Loan.team_id.in_(by_team))
        ):
            for experiment in by_team.get(team_id, ()) if team_id is not None else ():
                if experiment.arm(loan_id) == "challenger":
                    found[_as_hex(loan_id)] = experiment.weights
                    break
    return found


def _load_reminded(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, _Reminders]:
    """Per account, the reminders sent before today within the last `days` days (queue_weights
    "reminders"), and the latest payment since.

    A read of its own rather than part of the summary: the week's reminders of the collector's
    accounts come from their index alone (migration 0026), and the week's payments (few) by
    theirs. The contacts are the day of the last one, which the queue reads anyway
    (`_unanswered`).
    """
    zone = business_zone()
    since = day_start(today - timedelta(days=int(queue_weights()["reminders"]["days"])))
    reminders = (
        select(
            _key(ContactAttempt.loan_id),
            _key(ContactAttempt.started_at),
            ContactAttempt.disposition,
            _key(ContactAttempt.channel),
        )
        .join(Loan, Loan.id == ContactAttempt.loan_id)
        .where(
            # Named accounts by their keys: the collector's thousands are not gone through.
            *_scope(workers, extra),
            # Spelled as the index's condition, so that the database reads that index.
            text(f"contact_attempts.{REMINDER_OUTCOMES_SQL}"),
            ContactAttempt.started_at >= since,
            ContactAttempt.started_at < day_start(today),
        )
    )
    sent: dict[str, list[tuple[datetime, date, str, str]]] = defaultdict(list)
    for loan_id, started_at, code, channel in connection.execute(reminders):
        if channel not in REMINDER_CHANNELS:
            continue
        at = _instant(started_at)
        sent[_hex(loan_id)].append((at, at.astimezone(zone).date(), code, channel))
    if not sent:
        return {}
    payments = (
        select(_key(Payment.loan_id), _key(func.max(Payment.paid_at)))
        .join(Loan, Loan.id == Payment.loan_id)
        .where(*_scope(workers, extra), Payment.paid_at >= since, counted())
        .group_by(Payment.loan_id)
    )
    paid = {_hex(loan_id): _instant(at) for loan_id, at in connection.execute(payments)}
    return {
        key: _Reminders(tuple(sorted(messages)), paid.get(key)) for key, messages in sent.items()
    }


def _unanswered(reminders: _Reminders | None, last_contact: date | None) -> Reminded | None:
    """What the queue says of an account's reminders: those no payment came after, sent on a
    day after the last contact (someone answered: that day the collector or the borrower
    spoke, whatever the reminder said)."""
    if reminders is None:
        return None
    went: set[date] = set()
    latest: dict[str, str] = {}
    for at, day, code, channel in reminders.sent:
        if reminders.paid_at is not None and at <= reminders.paid_at:
            continue
        if last_contact is not None and day <= last_contact:
            continue
        latest[channel] = code  # in order: the last one stays
        if code in REMINDER_SENT:
            went.add(day)
    if not latest:
        return None
    days = sorted(went)
    return Reminded(
        sent_days=len(days),
        first_on=days[0] if days else None,
        last_on=days[-1] if days else None,
        undelivered=tuple(sorted(c for c, code in latest.items() if code == REMINDER_UNDELIVERED)),
    )


def _load_callbacks(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, list[datetime]]:
    """Every open callback's due moment, per account (the queue shows the earliest one due
    now or within the look-ahead; a later one comes into view as the clock moves)."""
    statement = (
        select(_key(Callback.loan_id), Callback.due_at)
        .join(Loan, Loan.id == Callback.loan_id)
        .where(*_scope(workers, extra), Callback.done_at.is_(None))
    )
    due: dict[str, list[datetime]] = defaultdict(list)
    for loan_id, due_at in connection.execute(statement):
        due[_hex(loan_id)].append(due_at)
    return due


def _load_promises(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    extra: Sequence[ColumnElement[bool]] = (),
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
            *_scope(workers, extra),
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
    connection: Connection,
    workers: Sequence[uuid.UUID],
    today: date,
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, date]:
    """The day each account's latest plan broke, if within the last broken_plan_days."""
    window = int(queue_weights()["broken_plan_days"])
    zone = business_zone()
    since = day_start(today - timedelta(days=window))
    statement = (
        select(_key(RepaymentPlan.loan_id), RepaymentPlan.closed_at)
        .join(Loan, Loan.id == RepaymentPlan.loan_id)
        .where(
            *_scope(workers, extra),
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
    return {key: set_[-1] for key, set_ in _load_priorities(connection, workers, at).items()}


def _load_priorities(
    connection: Connection,
    workers: Sequence[uuid.UUID],
    at: datetime,
    extra: Sequence[ColumnElement[bool]] = (),
) -> dict[str, list[LeadPriority]]:
    """Every override still to lapse after `at` on each account, in the order set: the one in
    force at a moment is the last set of those not lapsed then."""
    statement = (
        select(
            _key(PriorityOverride.loan_id),
            PriorityOverride.level,
            PriorityOverride.expires_at,
        )
        .join(Loan, Loan.id == PriorityOverride.loan_id)
        .where(
            *_scope(workers, extra),
            PriorityOverride.cleared_at.is_(None),
            PriorityOverride.expires_at > at,
        )
        .order_by(PriorityOverride.set_at, PriorityOverride.id)
    )
    levels = queue_weights()["override"]
    found: dict[str, list[LeadPriority]] = defaultdict(list)
    for loan_id, level, expires_at in connection.execute(statement):
        # A level this installation does not weigh (newer data) is left out, not guessed.
        if level in levels:
            found[_hex(loan_id)].append(LeadPriority(level, expires_at))
    return found


def _contact_status(
    evaluator: Evaluator,
    row: _Row,
    points: Sequence[Point],
    history: Sequence[PastAttempt],
    at: datetime,
    answers: dict[tuple[Any, ...], tuple[bool, Decision, int | None, tuple[datetime, ...]]],
    callback_at: datetime | None = None,
    edges: list[datetime] | None = None,
    windows: dict[tuple[Any, ...], tuple[datetime, ...]] | None = None,
) -> ContactStatus:
    """Callable now on the first allowed own number; else the block that lifts soonest.

    Without recent attempts the answer depends only on flags, zones and marks, which most
    accounts share: such answers are kept in `answers` for the rest of the queue. The moments
    the answer may change at (by the clock alone) are added to `edges`.
    """
    key: tuple[Any, ...] | None = None
    if not history:
        marks = tuple((p.zones, p.do_not_call, p.wrong_number) for p in points)
        key = (evaluator.profile.code, row.flags, row.address_zones, row.agreed, marks)
        known = answers.get(key)
        if known is not None:
            allowed, decision, index, found = known
            if edges is not None:
                edges.extend(found)
            return ContactStatus(allowed, decision, None if index is None else points[index].id)
    mine: list[datetime] = []
    allowed, decision, index = _first_callable(
        evaluator, row, points, history, at, callback_at, mine, {} if windows is None else windows
    )
    if key is not None:
        answers[key] = (allowed, decision, index, tuple(mine))
    if edges is not None:
        edges.extend(mine)
    return ContactStatus(allowed, decision, None if index is None else points[index].id)


def _first_callable(
    evaluator: Evaluator,
    row: _Row,
    points: Sequence[Point],
    history: Sequence[PastAttempt],
    at: datetime,
    callback_at: datetime | None,
    edges: list[datetime],
    windows: dict[tuple[Any, ...], tuple[datetime, ...]],
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
    if callback_at is not None and history:
        # A rule may let a requested callback through for some minutes either side of it.
        slack = _callback_slack(evaluator.profile.code)
        if slack:
            edges.extend((callback_at - slack, callback_at + slack))
    best: tuple[Decision, int] | None = None
    for index, point in enumerate(points):
        decision = evaluator.evaluate(subject, point, "call", at, history, edges)
        edges.extend(_window_edges(evaluator.profile, decision.zones, row.agreed, at, windows))
        if decision.allowed:
            return True, decision, index
        if decision.next_allowed_at is not None:
            edges.append(decision.next_allowed_at)
        if decision.rule_id in _hours_rules(evaluator.profile.code):
            # Its detail names the local time, to the minute.
            edges.append(at.replace(second=0, microsecond=0) + timedelta(minutes=1))
        if best is None or _sooner(decision, best[0]):
            best = (decision, index)
    assert best is not None
    return False, best[0], best[1]


@cache
def _hours_rules(code: str) -> frozenset[str]:
    profile = load_profile(code)
    return frozenset(rule.id for rule in profile.rules if rule.kind == "quiet_hours")


@cache
def _callback_slack(code: str) -> timedelta:
    profile = load_profile(code)
    return max(
        (
            timedelta(minutes=int(rule.params.get("requested_callback_minutes", 0)))
            for rule in profile.rules
            if rule.kind == "after_conversation"
        ),
        default=timedelta(0),
    )


def _window_edges(
    profile: Any,
    zones: tuple[str, ...],
    agreed: tuple[time, time] | None,
    at: datetime,
    windows: dict[tuple[Any, ...], tuple[datetime, ...]],
) -> tuple[datetime, ...]:
    """The next moment an hours window (the profile's, or the borrower's agreed one) opens or
    closes in one of `zones`, or the clocks of one of them change (summer time: the local
    time jumps, and an hour may be passed twice or not at all)."""
    key = (profile.code, zones, agreed)
    found = windows.get(key)
    if found is None:
        moments = [moment for moment in (next_window_change(profile, zones, at),) if moment]
        for edge in agreed or ():
            for zone_key in zones:
                local = at.astimezone(ZoneInfo(zone_key))
                day = local.date() if local.time() < edge else local.date() + timedelta(days=1)
                moments.append(datetime.combine(day, edge, tzinfo=local.tzinfo).astimezone(UTC))
        moments += [
            moment for zone_key in zones if (moment := _clocks_change(zone_key, at)) is not None
        ]
        found = windows[key] = (min(moments),) if moments else ()
    return found


def _clocks_change(zone_key: str, at: datetime) -> datetime | None:
    """The moment within a day after `at` the zone's offset from UTC changes (None: it does
    not; a queue is read afresh each day anyway)."""
    zone = ZoneInfo(zone_key)
    low, high = at, at + timedelta(days=1)
    offset = low.astimezone(zone).utcoffset()
    if high.astimezone(zone).utcoffset() == offset:
        return None
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def _sooner(candidate: Decision, current: Decision) -> bool:
    if candidate.next_allowed_at is None:
        return False
    return current.next_allowed_at is None or candidate.next_allowed_at < current.next_allowed_at
