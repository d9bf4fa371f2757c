"""What the lender's reminders did on a day, and what tomorrow's runs would send: the team
lead's Reminders view and `reminders overview`, which show the same figures.

A lead sees their team's accounts (assigned to a member, or in the team's pool); an
administrator every account; anyone else nothing (`NotAllowed`). A day is the business
zone's; a message belongs to the day it was planned on, whatever became of it since (a
delivery report the next morning moves it from sent to delivered, on its own day).

The preview asks the dispatcher's own `decide` what it would send at tomorrow's runs, and
writes nothing. The runs come every half hour (docs/collector-reminders.timer); an account's
messages go at the first run of the day inside its strategy's send window in every zone of
the borrower's address, so the preview decides once per such run, for the accounts whose
window opens then. A number kept in another zone than the address can make a message go
later than shown, or not at all that day.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.database import Database
from app.models import (
    Borrower,
    CreditNotice,
    Loan,
    LoanStatus,
    MessageStatus,
    ReminderMessage,
    ReminderOptOut,
    Role,
    Team,
)
from app.services.common.clock import day_start, local_today
from app.services.common.errors import InvalidInput, Localized, NotAllowed
from app.services.common.reference import address_zones, load_json
from app.services.common.scope import find_user, worker_ids
from app.services.contact.compliance import available_profiles, load_profile, profile_code_for
from app.services.reminders.dispatch import CHUNK, Candidate, _in_window, check_moment, decide
from app.services.reminders.notices import credit_notice_status
from app.services.reminders.strategy import Step, Strategy, load_strategy
from app.services.reminders.templates import StrategyError

# How many rendered messages of each group the preview shows.
SAMPLES = 3
# The dispatcher's period (docs/collector-reminders.timer: every 30 minutes on the clock).
RUN_EVERY = timedelta(minutes=30)


def _rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole to four places; None when there is nothing to divide by."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class StatusCounts:
    """Messages by what became of them."""

    planned: int = 0
    sent: int = 0  # the provider took it; no delivery report yet
    delivered: int = 0
    failed: int = 0
    opted_out: int = 0  # the provider refused it: the recipient opted out
    cancelled: int = 0  # planned, then stopped by a rule before it went

    @property
    def went_out(self) -> int:
        """Handed to a provider, whatever it answered."""
        return self.sent + self.delivered + self.failed + self.opted_out

    @property
    def total(self) -> int:
        return self.went_out + self.planned + self.cancelled

    @property
    def delivered_rate(self) -> Decimal | None:
        """Delivered of those that went out."""
        return _rate(self.delivered, self.went_out)


@dataclass(frozen=True)
class StepCounts:
    step: str
    channel: str
    counts: StatusCounts


@dataclass(frozen=True)
class Failure:
    """A message that went and failed: refused by the provider, or not delivered."""

    id: uuid.UUID
    planned_at: datetime
    failed_at: datetime | None  # the report's time, else the send's
    contract_no: str
    borrower: str
    channel: str
    step: str
    recipient: str
    error: str | None  # as the provider gave it
    reason: Localized  # the error in words


@dataclass(frozen=True)
class OptOut:
    """A borrower who asked for no more messages on a channel (or whose carrier says so)."""

    id: uuid.UUID
    at: datetime
    borrower: str
    contract_nos: tuple[str, ...]  # the borrower's accounts in scope
    channel: str
    source: str  # borrower (told a collector) or provider (the carrier refused a message)


@dataclass(frozen=True)
class Notice:
    """A loan's credit-reporting notice: when and how the borrower was told, and the day
    reporting may begin."""

    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    channel: str
    notified_at: datetime
    reporting_from: date


@dataclass(frozen=True)
class Sample:
    contract_no: str
    borrower: str
    recipient: str
    language: str
    subject: str | None
    text: str
    segments: int | None


@dataclass(frozen=True)
class PreviewGroup:
    """What one run would send for one step on one channel."""

    at: datetime
    step: str
    channel: str
    count: int
    samples: tuple[Sample, ...]


@dataclass(frozen=True)
class Preview:
    """Tomorrow's runs as the dispatcher would decide them now."""

    day: date
    runs: tuple[datetime, ...]  # the runs that would send, in order
    groups: tuple[PreviewGroup, ...]
    # Why due messages would not go, the dispatcher's reasons (e.g. "stop:promise_pending").
    held: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


@dataclass(frozen=True)
class RemindersOverview:
    day: date
    team: str | None  # None: every account (an administrator)
    generated_at: datetime
    counts: StatusCounts
    by_step: tuple[StepCounts, ...]
    failures: tuple[Failure, ...]
    opt_outs: tuple[OptOut, ...]  # recorded on the day
    # Notices given by the end of the day whose reporting has not begun by it, or given
    # that day, by the day reporting may begin.
    notices: tuple[Notice, ...]
    reportable: int  # accounts notified whose reporting may begin on the day or before
    preview: Preview
    steps: tuple[Step, ...]  # the strategies' steps, to describe a step id

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)


# -- who sees what ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    team: str | None
    where: ColumnElement[bool] | None  # on Loan; None: every account


def _scope(session: Session, username: str) -> _Scope:
    user = find_user(session, username)
    if user.role is Role.ADMIN:
        return _Scope(None, None)
    if user.role is not Role.TEAM_LEAD:
        raise NotAllowed("Only a team lead or an administrator sees the reminders sent.")
    if user.team_id is None:
        raise NotAllowed("{username} leads no team.", username=username)
    team = session.get(Team, user.team_id)
    assert team is not None
    members = worker_ids(session, user)
    where = or_(
        Loan.assigned_to_id.in_(members),
        and_(Loan.assigned_to_id.is_(None), Loan.team_id == user.team_id),
    )
    return _Scope(team.name, where)


def _within(scope: _Scope) -> tuple[ColumnElement[bool], ...]:
    return () if scope.where is None else (scope.where,)


# -- the day --------------------------------------------------------------------------------


def _counts(values: Counter[MessageStatus]) -> StatusCounts:
    return StatusCounts(**{status.value: values[status] for status in MessageStatus})


def _by_status(session: Session, scope: _Scope, lo: datetime, hi: datetime) -> list[StepCounts]:
    rows = session.execute(
        select(
            ReminderMessage.step,
            ReminderMessage.channel,
            ReminderMessage.status,
            func.count(),
        )
        .join(Loan, Loan.id == ReminderMessage.loan_id)
        .where(ReminderMessage.planned_at >= lo, ReminderMessage.planned_at < hi, *_within(scope))
        .group_by(ReminderMessage.step, ReminderMessage.channel, ReminderMessage.status)
    ).all()
    grouped: dict[tuple[str, str], Counter[MessageStatus]] = defaultdict(Counter)
    for step, channel, status, count in rows:
        grouped[(step, channel.value)][status] += count
    order = {step.id: n for n, step in enumerate(strategy_steps())}
    return [
        StepCounts(step, channel, _counts(found))
        for (step, channel), found in sorted(
            grouped.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])
        )
    ]


def _failures(session: Session, scope: _Scope, lo: datetime, hi: datetime) -> list[Failure]:
    rows = session.execute(
        select(ReminderMessage, Loan.contract_no, Borrower.name)
        .join(Loan, Loan.id == ReminderMessage.loan_id)
        .join(Borrower, Borrower.id == ReminderMessage.borrower_id)
        .where(
            ReminderMessage.planned_at >= lo,
            ReminderMessage.planned_at < hi,
            ReminderMessage.status == MessageStatus.FAILED,
            *_within(scope),
        )
        .order_by(ReminderMessage.planned_at, Loan.contract_no, ReminderMessage.key)
    ).all()
    return [
        Failure(
            id=message.id,
            planned_at=message.planned_at,
            failed_at=message.reported_at or message.sent_at,
            contract_no=contract_no,
            borrower=name,
            channel=message.channel.value,
            step=message.step,
            recipient=message.recipient,
            error=message.error,
            reason=error_words(message.error),
        )
        for message, contract_no, name in rows
    ]


def _opt_outs(session: Session, scope: _Scope, lo: datetime, hi: datetime) -> list[OptOut]:
    rows = session.execute(
        select(
            ReminderOptOut.id,
            ReminderOptOut.at,
            ReminderOptOut.channel,
            ReminderOptOut.source,
            Borrower.name,
            Loan.contract_no,
        )
        .join(Borrower, Borrower.id == ReminderOptOut.borrower_id)
        .join(Loan, Loan.borrower_id == ReminderOptOut.borrower_id)
        .where(ReminderOptOut.at >= lo, ReminderOptOut.at < hi, *_within(scope))
        .order_by(ReminderOptOut.at, ReminderOptOut.id, Loan.contract_no)
    ).all()
    found: dict[uuid.UUID, OptOut] = {}
    for opt_out_id, at, channel, source, name, contract_no in rows:
        had = found.get(opt_out_id)
        contracts = (*had.contract_nos, contract_no) if had else (contract_no,)
        found[opt_out_id] = OptOut(opt_out_id, at, name, contracts, channel.value, source)
    return list(found.values())


def _notices(session: Session, scope: _Scope, day: date, hi: datetime) -> tuple[list[Notice], int]:
    loan_ids = list(
        session.scalars(
            select(CreditNotice.loan_id)
            .join(Loan, Loan.id == CreditNotice.loan_id)
            .where(CreditNotice.notified_at < hi, *_within(scope))
            .distinct()
        )
    )
    names: dict[uuid.UUID, str] = {}
    statuses = []
    for start in range(0, len(loan_ids), CHUNK):
        part = loan_ids[start : start + CHUNK]
        statuses += credit_notice_status(session, part)
        for loan_id, name in session.execute(
            select(Loan.id, Borrower.name)
            .join(Borrower, Borrower.id == Loan.borrower_id)
            .where(Loan.id.in_(part))
        ):
            names[loan_id] = name
    lo = day_start(day)
    shown: list[Notice] = []
    reportable = 0
    for status in statuses:
        if status.notified_at is None or status.reporting_from is None or status.channel is None:
            continue
        if status.reporting_allowed(day):
            reportable += 1
        if status.reporting_from > day or status.notified_at >= lo:
            shown.append(
                Notice(
                    loan_id=status.loan_id,
                    contract_no=status.contract_no,
                    borrower=names.get(status.loan_id, ""),
                    channel=status.channel,
                    notified_at=status.notified_at,
                    reporting_from=status.reporting_from,
                )
            )
    shown.sort(key=lambda notice: (notice.reporting_from, notice.contract_no))
    return shown, reportable


# -- tomorrow -------------------------------------------------------------------------------


def runs_of(day: date) -> list[datetime]:
    """The dispatcher's runs in the business day `day` (UTC), every RUN_EVERY from its start."""
    lo, hi = day_start(day), day_start(day + timedelta(days=1))
    runs = []
    at = lo
    while at < hi:
        runs.append(at)
        at += RUN_EVERY
    return runs


def first_runs(
    session: Session, runs: Sequence[datetime], *where: ColumnElement[bool]
) -> dict[datetime, list[tuple[str, str]]]:
    """Per run, the (country, province) of the open accounts' addresses (of those that meet
    `where`, on `Loan` and `Borrower`) whose send window opens at it."""
    places = session.execute(
        select(Borrower.country, Borrower.province)
        .join(Loan, Loan.borrower_id == Borrower.id)
        .where(Loan.status == LoanStatus.ACTIVE, *where)
        .distinct()
    ).all()
    found: dict[datetime, list[tuple[str, str]]] = defaultdict(list)
    for country, province in places:
        strategy = strategy_or_none(profile_code_for(country))
        if strategy is None:
            continue
        first = first_run(strategy, place_zones(country, province), runs)
        if first is not None:
            found[first].append((country, province))
    return found


def place_zones(country: str, province: str) -> tuple[str, ...]:
    """The zones of an address in `country` and `province` (its profile's zone when the
    place names none)."""
    found = address_zones(country, province)
    return tuple(found) if found else (load_profile(profile_code_for(country)).default_zone,)


def first_run(
    strategy: Strategy, zones: Sequence[str], runs: Sequence[datetime]
) -> datetime | None:
    """The first of `runs` inside the strategy's send window in every one of `zones`."""
    return next((at for at in runs if _in_window(strategy, zones, at)), None)


def _preview(session: Session, scope: _Scope, day: date) -> Preview:
    decided: dict[str, tuple[datetime, Candidate]] = {}
    held: Counter[str] = Counter()
    for at, places in sorted(first_runs(session, runs_of(day), *_within(scope)).items()):
        where = or_(
            *(and_(Borrower.country == country, Borrower.province == p) for country, p in places)
        )
        answer = decide(session, at, only=and_(where, *_within(scope)))
        held.update(answer.skipped)
        for candidate in answer.messages:
            decided.setdefault(candidate.key, (at, candidate))
    names = _borrower_names(session, {c.borrower_id for _, c in decided.values()})
    order = {step.id: n for n, step in enumerate(strategy_steps())}
    grouped: dict[tuple[datetime, str, str], list[Candidate]] = defaultdict(list)
    for at, candidate in decided.values():
        grouped[(at, candidate.step.id, candidate.channel)].append(candidate)
    groups = [
        PreviewGroup(
            at=at,
            step=step,
            channel=channel,
            count=len(found),
            samples=tuple(
                Sample(
                    contract_no=c.contract_no,
                    borrower=names.get(c.borrower_id, ""),
                    recipient=c.recipient,
                    language=c.language,
                    subject=c.rendered.subject,
                    text=c.rendered.text,
                    segments=c.rendered.segments,
                )
                for c in sorted(found, key=lambda c: c.key)[:SAMPLES]
            ),
        )
        for (at, step, channel), found in sorted(
            grouped.items(),
            key=lambda item: (item[0][0], order.get(item[0][1], len(order)), item[0][1:]),
        )
    ]
    return Preview(
        day=day,
        runs=tuple(sorted({group.at for group in groups})),
        groups=tuple(groups),
        held=tuple(sorted(held.items())),
    )


def _borrower_names(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = sorted(ids)
    names: dict[uuid.UUID, str] = {}
    for start in range(0, len(wanted), CHUNK):
        for borrower_id, name in session.execute(
            select(Borrower.id, Borrower.name).where(Borrower.id.in_(wanted[start : start + CHUNK]))
        ):
            names[borrower_id] = name
    return names


# -- texts and steps ------------------------------------------------------------------------


def strategy_or_none(code: str) -> Strategy | None:
    """The profile's reminder strategy; None when it has none (or one that cannot be used)."""
    try:
        return load_strategy(code)
    except StrategyError:
        return None


@cache
def strategy_steps() -> tuple[Step, ...]:
    """Every strategy's steps, each id once, in the order the strategies list them."""
    found: dict[str, Step] = {}
    for code in available_profiles():
        strategy = strategy_or_none(code)
        for step in strategy.steps if strategy is not None else ():
            found.setdefault(step.id, step)
    return tuple(found.values())


@cache
def _error_texts() -> dict[str, Localized]:
    codes: dict[str, dict[str, str]] = load_json("reminders/errors.json")["codes"]
    return {code: Localized(text["en"], text["zh_CN"]) for code, text in codes.items()}


def error_words(error: str | None) -> Localized:
    """What a message's recorded error (the provider's code, then its text) means."""
    texts = _error_texts()
    code = (error or "").split(" ", 1)[0]
    if not code:
        return texts["none"]
    if code in texts:
        return texts[code]
    if len(code) == 3 and code.isdigit() and code[0] in "45":
        return texts[f"smtp_{code[0]}xx"]
    return texts["unknown"]


# -- the overview ---------------------------------------------------------------------------


def reminders_overview(
    db: Database, username: str, day: date | None = None, *, now: datetime
) -> RemindersOverview:
    """What went out on `day` (default: today) on the accounts `username` may see, and what
    tomorrow's runs would send (tomorrow counted from `now`). Reads only.

    Only a team lead (their team's accounts) or an administrator (every account) may ask.
    """
    now = check_moment(now)
    today = local_today(now)
    day = day or today
    if day > today:
        raise InvalidInput(
            "{day} has not come yet: what tomorrow's runs would send is in the preview.",
            day=day.isoformat(),
        )
    lo, hi = day_start(day), day_start(day + timedelta(days=1))
    with db.reader() as session:
        scope = _scope(session, username)
        by_step = _by_status(session, scope, lo, hi)
        total: Counter[MessageStatus] = Counter()
        for row in by_step:
            for status in MessageStatus:
                total[status] += getattr(row.counts, status.value)
        notices, reportable = _notices(session, scope, day, hi)
        return RemindersOverview(
            day=day,
            team=scope.team,
            generated_at=now,
            counts=_counts(total),
            by_step=tuple(by_step),
            failures=tuple(_failures(session, scope, lo, hi)),
            opt_outs=tuple(_opt_outs(session, scope, lo, hi)),
            notices=tuple(notices),
            reportable=reportable,
            preview=_preview(session, scope, today + timedelta(days=1)),
            steps=strategy_steps(),
        )


def as_json(overview: RemindersOverview) -> dict[str, Any]:
    """The overview as plain values, with the rates the window shows."""
    from dataclasses import asdict

    data = asdict(overview)
    data["counts"]["went_out"] = overview.counts.went_out
    data["counts"]["delivered_rate"] = overview.counts.delivered_rate
    data["preview"]["total"] = overview.preview.total
    return data


__all__ = [
    "Failure",
    "Notice",
    "OptOut",
    "Preview",
    "PreviewGroup",
    "RemindersOverview",
    "Sample",
    "StatusCounts",
    "StepCounts",
    "as_json",
    "error_words",
    "reminders_overview",
    "strategy_steps",
]
