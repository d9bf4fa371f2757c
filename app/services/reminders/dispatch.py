"""The reminder dispatcher: who is due a message at an instant, may they get it, send it, and
record what the provider answered.

One run: decide (the strategy's steps against every open account, then the stops, the
send window, the contact rules' own engine and the weekly maximum), plan (every message a
row with its key, committed before anything is sent), send (one message at a time, its
answer and its contact attempt committed right after). One run at a time holds the database
(app.services.reminders.run_lock): a second one started meanwhile sends nothing. A run killed
anywhere and run again sends nobody a message twice and loses none. Just before a message is
handed to its sender, the moment is committed on its row (`sent_at` on a planned message: a
send began, its answer not yet recorded); its answer, recorded by this run or a later one,
keeps that moment. A planned message without it never went, and is sent (or cancelled when no
longer due). One with it may have gone: it is asked of its sender by its key (the spool keeps
a file per key, Alibaba Cloud SMS lists the SMS it took with their OutId) and only sent when it
never went; an SMTP server cannot be asked, so such an e-mail (and one whose connection was
lost after the server had it all, before its answer) stays uncertain, is never sent again by
itself, and an administrator settles it (`reminders resolve`, app.services.reminders
.uncertain). An answer that a send did not go ("try again later", or no trace at the provider
of a send a killed run began) takes the moment back and counts the try (`retries`).

Messages go only to the borrower's own mobile and e-mail: never an emergency contact, a
number marked wrong or do-not-call, nor a channel the borrower opted out of.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, cached_property
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Integer, String, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.database import Database
from app.models import (
    Borrower,
    Channel,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    CreditNotice,
    Escalation,
    EscalationDecision,
    Instalment,
    Loan,
    LoanStatus,
    MessageStatus,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    ReminderMessage,
    ReminderOptOut,
    RepaymentPlan,
    Role,
    User,
)
from app.models.types import money_from_raw, new_id
from app.services.common import clock
from app.services.common.clock import local_today
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.reference import address_zones, buckets
from app.services.contact.compliance import (
    Decision,
    Evaluator,
    Point,
    Subject,
    load_profile,
    profile_code_for,
)
from app.services.contact.queue import overdue_balances
from app.services.messaging.base import (
    DeliveryReport,
    MessageChannel,
    OutboundMessage,
    Sender,
    SendResult,
    SendStatus,
    reaches_recipients,
    reports_delivery,
)
from app.services.reminders.notices import record_credit_notice
from app.services.reminders.run_lock import run_lock
from app.services.reminders.strategy import Step, Strategy, load_strategy
from app.services.reminders.templates import Facts, Rendered, render

SYSTEM_USERNAME = "system.reminders"
# The statuses that count toward a borrower's weekly maximum: sent, or about to be.
COUNTED = (MessageStatus.PLANNED, MessageStatus.SENT, MessageStatus.DELIVERED)
DISPOSITION = {
    MessageStatus.SENT: "SENT",
    MessageStatus.DELIVERED: "DELIVERED",
    MessageStatus.FAILED: "FAILED",
    MessageStatus.OPTED_OUT: "OPTED-OUT",
}
# Open plans that carry the account: no reminder while one does.
PLAN_CARRIES = (PlanStatus.ISSUED, PlanStatus.ACTIVE)
CHUNK = 2000
# How far a provider's clock may be from ours: a delivery report is dated after its message
# was sent and not ahead of now, give or take this.
CLOCK_SKEW = timedelta(minutes=10)
# The years an instant may be given in, as every time the command line takes (app.cli.common
# FIRST_DAY, LAST_DAY): a day's or a zone's arithmetic either way stays in the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# What a planned message whose sender has no trace of the send a stopped run began records.
NO_TRACE = "no trace at the provider of the send begun earlier"


@dataclass(frozen=True)
class Candidate:
    """One message the strategy calls for now, allowed by every rule, rendered."""

    key: str
    loan_id: uuid.UUID
    borrower_id: uuid.UUID
    contract_no: str
    point_id: uuid.UUID
    recipient: str
    channel: str
    step: Step
    language: str
    rendered: Rendered


@dataclass
class Decided:
    """What deciding found: the messages to send, and why the others are not sent."""

    messages: list[Candidate] = field(default_factory=list)
    # Keys already planned by an earlier run that never got an answer: sent again only if
    # the sender has no trace of them.
    resume: list[Candidate] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class RunReport:
    at: datetime
    dry_run: bool
    planned: int
    sent: int
    failed: int
    opted_out: int
    retry: int
    cancelled: int
    resolved: int
    unresolved: int
    skipped: Mapping[str, int]
    messages: tuple[Mapping[str, Any], ...]
    # Keys whose send began in an earlier run and whose answer was lost, on a channel that
    # cannot be asked (e-mail): never sent again by itself (`reminders resolve` settles them).
    uncertain: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "planned": self.planned,
            "sent": self.sent,
            "failed": self.failed,
            "opted_out": self.opted_out,
            "retry": self.retry,
            "cancelled": self.cancelled,
            "resolved": self.resolved,
            "unresolved": self.unresolved,
            "uncertain": list(self.uncertain),
            "skipped": dict(sorted(self.skipped.items())),
            "messages": list(self.messages),
        }


def check_moment(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput("The time to run at must carry a time zone (e.g. +08:00).")
    moment = in_calendar(at)
    if moment is None:
        raise InvalidInput(
            "“{at}” is not a time to run at: give one between the years {first} and {last}.",
            at=at.isoformat(),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return moment


def in_calendar(at: datetime) -> datetime | None:
    """`at` in UTC, or None when it lies outside FIRST_YEAR..LAST_YEAR (near the calendar's
    ends a day or a zone away is past Python's dates)."""
    try:
        moment = at.astimezone(UTC)
    except OverflowError:
        return None
    return moment if FIRST_YEAR <= moment.year <= LAST_YEAR else None


def check_live_moment(at: datetime, senders: Mapping[str, Sender]) -> bool:
    """Whether a run at `at` sends to people (a sender that reaches them is configured); such a
    run happens now: a message goes when it is sent, and the send window and contact hours are
    those of that moment. An instant not now is refused before anything is planned; the spool
    (a rehearsal) and a dry run may take any."""
    live = [name for name, sender in senders.items() if reaches_recipients(sender)]
    if live and not clock.is_now(at):
        raise InvalidInput(
            "A run that sends through a provider ({channels}) sends now, not at {at}: what"
            " goes out goes now. To see what a run at another time would send, add --dry-run.",
            channels=", ".join(sorted(live)),
            at=at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    return bool(live)


# --- the system login --------------------------------------------------------------------


def system_user(session: Session, *, create: bool) -> User:
    """The login the dispatcher records as: on a server the signed-in one (a `system` user);
    on the embedded database the one system user, made the first time (`create`)."""
    if session.get_bind().dialect.name == "postgresql":
        found = session.scalar(select(User).where(User.username == func.session_user()))
        if found is not None:
            if found.role is not Role.SYSTEM or not found.active:
                raise NotAllowed(
                    "Reminders run as the server's system login, not as {login}.",
                    login=found.username,
                )
            return found
    found = session.scalar(
        select(User).where(User.role == Role.SYSTEM, User.active.is_(True)).order_by(User.username)
    )
    if found is not None:
        return found
    if not create:
        raise NotFound(
            "There is no system login for reminders: create one with"
            " `central add-user NAME --role system`."
        )
    user = User(username=SYSTEM_USERNAME, display_name="Reminders", role=Role.SYSTEM, team_id=None)
    session.add(user)
    session.flush()
    return user


# --- deciding ------------------------------------------------------------------------------


@dataclass
class _Account:
    loan_id: uuid.UUID
    contract_no: str
    currency: str
    borrower_id: uuid.UUID
    name: str
    country: str
    province: str
    flags: frozenset[str]
    window: tuple[time, time] | None
    # On the day: days past due, the oldest unpaid instalment's due date (before the day) and
    # what is overdue, as `balances.balance_of` works them out (`overdue`), read raw: principal,
    # interest, fees, penalty accrued and accruing.
    dpd: int
    oldest_due: date | None
    owed: tuple[Any, ...]
    # The unpaid principal, interest and fees of the instalments falling due from the day to
    # the look-ahead, by due date.
    upcoming: dict[date, Decimal]

    @cached_property
    def overdue(self) -> Decimal:
        """What is overdue with its penalty (worked out for the accounts a step is due on)."""
        return sum((money_from_raw(value or 0) for value in self.owed), Decimal(0))


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_FLAGS = (
    "vulnerable",
    "dispute_open",
    "cease_requested",
    "deceased",
    "legal_referral",
    "attorney_represented",
)


def _accounts(
    session: Session, today: date, lead_days: int, only: ColumnElement[bool] | None = None
) -> list[_Account]:
    """Open loans with an unpaid instalment due by `today + lead_days`, by contract number
    (`only`: of the loans and borrowers that meet it).

    What is overdue on `today` is summed in SQL term for term as `balance_of` sums it (the
    queue's `overdue_balances`, which tests hold to it), rather than each instalment read and
    summed here: a run over a whole portfolio reads a row per loan, not one per instalment.
    """
    last = today + timedelta(days=lead_days)
    unpaid = (
        Instalment.principal_due
        - Instalment.principal_paid
        + Instalment.interest_due
        - Instalment.interest_paid
        + Instalment.fees_due
        - Instalment.fees_paid
    )
    soon = (
        Instalment.settled_on.is_(None),
        Instalment.due_date >= today,
        Instalment.due_date <= last,
    )
    # Of the accounts asked about alone (a lead's preview, a place's run): a few, often.
    mine = () if only is None else (_open_loans(only),)
    upcoming: dict[uuid.UUID, dict[date, Decimal]] = defaultdict(dict)
    for loan_id, due_date, amount in session.execute(
        select(Instalment.loan_id, Instalment.due_date, type_coerce(func.sum(unpaid), Integer))
        .where(*soon, *(Instalment.loan_id.in_(loans) for loans in mine))
        .group_by(Instalment.loan_id, Instalment.due_date)
    ):
        upcoming[loan_id][due_date] = money_from_raw(amount)
    balance = overdue_balances(
        today, Loan.status == LoanStatus.ACTIVE, *(Loan.id.in_(loans) for loans in mine)
    )
    rows = session.execute(
        select(
            Loan.id,
            Loan.contract_no,
            Loan.currency,
            Borrower.id,
            Borrower.name,
            Borrower.country,
            Borrower.province,
            *(getattr(Borrower, name) for name in _FLAGS),
            Borrower.agreed_window_start,
            Borrower.agreed_window_end,
            balance.c.oldest_due,
            balance.c.principal,
            balance.c.interest,
            balance.c.fees,
            balance.c.penalty,
            balance.c.accruing,
        )
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(balance, balance.c.loan_id == Loan.id)
        .where(
            Loan.status == LoanStatus.ACTIVE,
            Borrower.erased_at.is_(None),
            *_only(only),
            or_(
                balance.c.oldest_due.is_not(None),
                Loan.id.in_(select(Instalment.loan_id).where(*soon)),
            ),
        )
        .order_by(Loan.contract_no)
    )
    accounts = []
    for row in rows:
        flags = frozenset(name for name, on in zip(_FLAGS, row[7:13], strict=True) if on)
        oldest = row[15]
        accounts.append(
            _Account(
                loan_id=row[0],
                contract_no=row[1],
                currency=row[2],
                borrower_id=row[3],
                name=row[4],
                country=row[5],
                province=row[6],
                flags=flags,
                window=(row[13], row[14]) if row[13] and row[14] else None,
                dpd=(today - oldest).days if oldest else 0,
                oldest_due=oldest,
                owed=tuple(row[16:21]),
                upcoming=upcoming.get(row[0], {}),
            )
        )
    return accounts


@dataclass(frozen=True)
class _Due:
    step: Step
    anchor: date  # the due date the step counts from
    tag: str  # what makes the key unique for this step and anchor
    amount: Decimal
    dpd: int
    due_date: date


@cache
def _bands() -> dict[str, Any]:
    return {bucket.code: bucket for bucket in buckets()}


def _due_steps(strategy: Strategy, account: _Account, today: date, notified: bool) -> list[_Due]:
    """The strategy's steps due on `today` for the account (before any stop)."""
    dpd = account.dpd
    bands = _bands()
    found: list[_Due] = []
    for step in strategy.steps:
        if step.kind == "credit_notice":
            if step.from_dpd is not None and dpd >= step.from_dpd and not notified:
                anchor = account.oldest_due
                assert anchor is not None
                found.append(_Due(step, anchor, "n", account.overdue, dpd, anchor))
            continue
        if step.bucket is not None:
            band = bands[step.bucket]
            start = max(band.min_dpd, step.from_dpd or 0)
            inside = dpd >= start and (band.max_dpd is None or dpd <= band.max_dpd)
            if inside and step.every_days and (dpd - start) % step.every_days == 0:
                anchor = account.oldest_due
                assert anchor is not None
                found.append(_Due(step, anchor, f"d{dpd}", account.overdue, dpd, anchor))
            continue
        days = step.days_from_due
        assert days is not None
        if days > 0:
            if dpd == days:
                anchor = account.oldest_due
                assert anchor is not None
                found.append(_Due(step, anchor, "", account.overdue, dpd, anchor))
            continue
        if dpd > 0:
            continue  # overdue already: the overdue steps speak, not a reminder of a due date
        target = today + timedelta(days=-days)
        amount = account.upcoming.get(target)
        if amount is not None and amount > 0:
            found.append(_Due(step, target, "", amount, 0, target))
    return found


def message_key(contract_no: str, due: _Due, channel: str) -> str:
    tag = f"-{due.tag}" if due.tag else ""
    return f"{contract_no}:{due.step.id}{tag}:{due.anchor:%Y%m%d}:{channel}"


def _in_window(strategy: Strategy, zones: Sequence[str], at: datetime) -> bool:
    """Inside the strategy's send window in every zone the borrower may be in."""
    for key in zones:
        local = at.astimezone(ZoneInfo(key)).time()
        if not strategy.window_from <= local < strategy.window_until:
            return False
    return True


def _only(only: ColumnElement[bool] | None) -> tuple[ColumnElement[bool], ...]:
    return () if only is None else (only,)


def _open_loans(only: ColumnElement[bool] | None) -> Any:
    """The open loans (`only`: of those that meet it, with their borrowers)."""
    loans = select(Loan.id).where(Loan.status == LoanStatus.ACTIVE, *_only(only))
    return loans if only is None else loans.join(Borrower, Borrower.id == Loan.borrower_id)


def _open_borrowers(only: ColumnElement[bool] | None) -> Any:
    """The borrowers with an open loan (`only`: one that meets it)."""
    loans = select(Loan.borrower_id).where(Loan.status == LoanStatus.ACTIVE, *_only(only))
    return loans if only is None else loans.join(Borrower, Borrower.id == Loan.borrower_id)


def _stops(session: Session, only: ColumnElement[bool] | None) -> dict[uuid.UUID, set[str]]:
    """The loan-level stops the data shows on open loans: a pending promise, a plan carrying
    the account, an escalation that keeps collection paused.

    Read for every open loan at once and looked up per account: a whole portfolio's run would
    otherwise send its hundred thousand keys to the database a few thousand at a time."""
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    for (loan_id,) in session.execute(
        select(PromiseToPay.loan_id).where(
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.loan_id.in_(_open_loans(only)),
        )
    ):
        found[loan_id].add("promise_pending")
    for (loan_id,) in session.execute(
        select(RepaymentPlan.loan_id).where(
            RepaymentPlan.status.in_(PLAN_CARRIES), RepaymentPlan.loan_id.in_(_open_loans(only))
        )
    ):
        found[loan_id].add("plan_active")
    for (loan_id,) in session.execute(
        select(Escalation.loan_id).where(
            (Escalation.decision.is_(None)) | (Escalation.decision != EscalationDecision.RESUME),
            Escalation.loan_id.in_(_open_loans(only)),
        )
    ):
        found[loan_id].add("escalation_pause")
    return found


@dataclass
class _Borrower:
    """A borrower's own mobiles and e-mails in order (id, value, zones, do-not-call, wrong
    number), and the zones of the addresses collection learned."""

    mobiles: list[tuple[Any, str, str, bool, bool]] = field(default_factory=list)
    emails: list[tuple[Any, str, str, bool, bool]] = field(default_factory=list)
    learned_zones: list[str] = field(default_factory=list)


def _hex(key: Any) -> str:
    """A key as SQLite keeps it (32 hex digits); PostgreSQL hands back a UUID."""
    return key if isinstance(key, str) else uuid.UUID(str(key)).hex


def _as_uuid(key: Any) -> uuid.UUID:
    return key if isinstance(key, uuid.UUID) else uuid.UUID(hex=key)


def _borrowers(session: Session, only: ColumnElement[bool] | None) -> dict[str, _Borrower]:
    """The contact points a message may go to, and the learned addresses' zones, of every
    borrower with an open loan, by the borrower's key (`_hex`). Keys are read as stored: only
    the points messages go to become UUIDs (`_as_uuid`)."""
    found: dict[str, _Borrower] = defaultdict(_Borrower)
    kinds = (ContactKind.MOBILE, ContactKind.EMAIL, ContactKind.ADDRESS)
    for borrower_id, point_id, kind, value, zones, do_not_call, wrong in session.execute(
        select(
            type_coerce(ContactPoint.borrower_id, String),
            type_coerce(ContactPoint.id, String),
            type_coerce(ContactPoint.kind, String),
            ContactPoint.value,
            ContactPoint.time_zones,
            ContactPoint.do_not_call,
            ContactPoint.wrong_number,
        )
        .where(ContactPoint.kind.in_(kinds), ContactPoint.borrower_id.in_(_open_borrowers(only)))
        .order_by(ContactPoint.borrower_id, ContactPoint.position)
    ):
        borrower = found[_hex(borrower_id)]
        if kind == ContactKind.ADDRESS.value:
            if not wrong:
                learned = borrower.learned_zones
                learned += [zone for zone in zones.split() if zone not in learned]
        elif kind == ContactKind.MOBILE.value:
            borrower.mobiles.append((point_id, value, zones, do_not_call, wrong))
        else:
            borrower.emails.append((point_id, value, zones, do_not_call, wrong))
    return found


def decide(
    session: Session,
    at: datetime,
    *,
    profiles: Sequence[str] | None = None,
    only: ColumnElement[bool] | None = None,
) -> Decided:
    """Every message due at `at` that every rule allows, rendered; and why others are not.
    Reads only.

    only: a condition on `Loan` and `Borrower`: decide for those accounts alone (a team
    lead's preview of the next run).

    In order: the stops, opt-outs, the borrower's own number or address, the contact rules,
    the send window; then a message already sent is counted as such (not rendered again), one
    too long for its template is left out, one planned by a run that was stopped is resumed,
    and the weekly maximum is applied in the order of the accounts (by contract number), their
    steps and channels."""
    at = check_moment(at)
    today = local_today(at)
    result = Decided()
    lead = 0
    strategies: dict[str, Strategy] = {}
    for code in profiles or _profiles_in_use(session):
        strategies[code] = load_strategy(code)
        lead = max([lead, *(-(s.days_from_due or 0) for s in strategies[code].steps)])
    accounts = _accounts(session, today, lead, only)
    stops = _stops(session, only)
    notified = _notified(session, only)
    notice_tries = _notice_tries(session, only)
    borrowers = _borrowers(session, only)
    opted: set[tuple[uuid.UUID, str]] = {
        (borrower_id, channel.value)
        for borrower_id, channel in session.execute(
            select(ReminderOptOut.borrower_id, ReminderOptOut.channel)
        )
    }
    week: Counter[tuple[uuid.UUID, str]] = Counter()
    for borrower_id, counted_channel, count in session.execute(
        select(ReminderMessage.borrower_id, ReminderMessage.channel, func.count())
        .where(
            ReminderMessage.borrower_id.in_(_open_borrowers(only)),
            ReminderMessage.status.in_(COUNTED),
            ReminderMessage.planned_at > at - timedelta(days=7),
            ReminderMessage.planned_at <= at,
        )
        .group_by(ReminderMessage.borrower_id, ReminderMessage.channel)
    ):
        week[(borrower_id, counted_channel.value)] = count
    evaluators: dict[str, Evaluator] = {}
    profile_of: dict[str, str] = {}
    # The rules' answer for the same profile, marks, zones, window and channel is the same for
    # every borrower (no history is asked about): worked out once.
    answers: dict[tuple[Any, ...], Decision] = {}
    nobody = _Borrower()
    points: dict[Any, uuid.UUID] = {}
    windows: dict[tuple[str, tuple[str, ...]], bool] = {}
    # Each message every rule allows, in order, with its borrower's own strategy.
    wanted: list[tuple[_Account, _Due, str, Strategy, Any, str, str]] = []
    for account in accounts:
        found = profile_of.get(account.country)
        if found is None:
            found = profile_of[account.country] = profile_code_for(account.country)
        code = found
        strategy = strategies.get(code)
        if strategy is None:
            continue
        dues = _due_steps(strategy, account, today, account.loan_id in notified)
        if not dues:
            continue
        held = set(account.flags) | stops.get(account.loan_id, set())
        stop = next((name for name in sorted(held) if name in strategy.stops), None)
        if stop is not None:
            result.skipped[f"stop:{stop}"] += len(dues)
            continue
        evaluator = evaluators.get(code)
        if evaluator is None:
            evaluator = evaluators[code] = Evaluator(load_profile(code))
        own = borrowers.get(account.borrower_id.hex, nobody)
        addresses = list(address_zones(account.country, account.province))
        addresses += [z for z in own.learned_zones if z not in addresses]
        subject: Subject | None = None
        for due in dues:
            for channel in due.step.channels:
                if (account.borrower_id, channel) in opted:
                    result.skipped["stop:opted_out"] += 1
                    continue
                kind = ContactKind.MOBILE if channel == "sms" else ContactKind.EMAIL
                mine = own.mobiles if channel == "sms" else own.emails
                if not mine:
                    result.skipped[f"no_{channel}"] += 1
                    continue
                usable = [row for row in mine if not row[3] and not row[4]]
                if not usable:
                    result.skipped["stop:do_not_contact"] += 1
                    continue
                point_key, recipient, zones, _, _ = usable[0]
                point_zones = tuple(zones.split())
                if channel == "email":
                    # An address has no place: the borrower may be wherever their own mobiles
                    # (and addresses) put them, and an e-mail keeps to every one of those zones.
                    point_zones = _mobile_zones(own, point_zones)
                asked = (
                    code,
                    account.flags,
                    tuple(addresses),
                    account.window,
                    kind,
                    point_zones,
                    channel,
                )
                decision = answers.get(asked)
                if decision is None:
                    if subject is None:
                        subject = Subject(
                            loan_id=account.loan_id,
                            flags=account.flags,
                            address_zones=tuple(addresses),
                            own_point_ids=frozenset(
                                _as_uuid(row[0]) for row in (*own.mobiles, *own.emails)
                            ),
                            agreed_window=account.window,
                        )
                    point = Point(id=_as_uuid(point_key), kind=kind.value, zones=point_zones)
                    decision = answers[asked] = evaluator.evaluate(subject, point, channel, at)
                if not decision.allowed:
                    result.skipped[f"rule:{decision.rule_id}"] += 1
                    continue
                zoned = (code, decision.zones)
                inside = windows.get(zoned)
                if inside is None:
                    inside = windows[zoned] = _in_window(strategy, decision.zones, at)
                if not inside:
                    result.skipped["send_window"] += 1
                    continue
                if due.step.kind == "credit_notice":
                    # A notice that never reached the borrower (failed, refused, cancelled) is
                    # no notice: it goes again, as a message of its own.
                    tries = notice_tries[(account.loan_id, channel)]
                    due = replace(due, tag="n" if not tries else f"n{tries + 1}")
                key = message_key(account.contract_no, due, channel)
                wanted.append((account, due, channel, strategy, point_key, recipient, key))
    # Keys already planned or sent: a planned one is resumed, anything else is done (and not
    # rendered: a job that runs every half hour finds most of the day's messages sent).
    known: dict[str, MessageStatus] = {}
    for part in _chunks([item[-1] for item in wanted]):
        for key, status in session.execute(
            select(ReminderMessage.key, ReminderMessage.status).where(ReminderMessage.key.in_(part))
        ):
            known[key] = status
    for account, due, channel, strategy, point_key, recipient, key in wanted:
        was = known.get(key)
        if was is not None and was is not MessageStatus.PLANNED:
            result.skipped["already_sent"] += 1
            continue
        point_id = points.get(point_key)
        if point_id is None:
            point_id = points[point_key] = _as_uuid(point_key)
        language = strategy.language
        facts = Facts(
            name=account.name,
            amount=due.amount,
            currency=account.currency,
            due_date=due.due_date,
            contract_no=account.contract_no,
            dpd=due.dpd,
            reporting_from=today + timedelta(days=strategy.reporting_after_days),
        )
        made = render(due.step.template, channel, language, facts, due.step.education)
        if made.too_long:
            result.skipped["too_long"] += 1
            continue
        candidate = Candidate(
            key,
            account.loan_id,
            account.borrower_id,
            account.contract_no,
            point_id,
            recipient,
            channel,
            due.step,
            language,
            made,
        )
        if was is MessageStatus.PLANNED:
            result.resume.append(candidate)
            continue
        counted = (account.borrower_id, channel)
        if week[counted] >= strategy.weekly_max[channel]:
            result.skipped["weekly_max"] += 1
            continue
        week[counted] += 1
        result.messages.append(candidate)
    return result


def _profiles_in_use(session: Session) -> list[str]:
    countries = session.scalars(select(Borrower.country).distinct()).all()
    return sorted({profile_code_for(country) for country in countries})


def _mobile_zones(own: _Borrower, zones: tuple[str, ...]) -> tuple[str, ...]:
    """`zones` with those of the borrower's own mobiles (not a number marked wrong)."""
    found = list(zones)
    for _, _, mobile_zones, _, wrong in own.mobiles:
        if not wrong:
            found += [zone for zone in mobile_zones.split() if zone not in found]
    return tuple(found)


def _notice_tries(session: Session, only: ColumnElement[bool] | None) -> Counter[Any]:
    """By (loan, channel): the credit-reporting notice messages that never reached the
    borrower (failed, refused as opted out, cancelled)."""
    tries: Counter[Any] = Counter()
    for loan_id, channel, count in session.execute(
        select(ReminderMessage.loan_id, ReminderMessage.channel, func.count())
        .where(
            ReminderMessage.kind == "credit_notice",
            ReminderMessage.status.in_(
                (MessageStatus.FAILED, MessageStatus.OPTED_OUT, MessageStatus.CANCELLED)
            ),
            ReminderMessage.loan_id.in_(_open_loans(only)),
        )
        .group_by(ReminderMessage.loan_id, ReminderMessage.channel)
    ):
        tries[(loan_id, channel.value)] = count
    return tries


def _notified(session: Session, only: ColumnElement[bool] | None) -> set[uuid.UUID]:
    """The open loans whose borrower was given the credit-reporting notice."""
    return set(
        session.scalars(
            select(CreditNotice.loan_id)
            .where(CreditNotice.loan_id.in_(_open_loans(only)))
            .distinct()
        )
    )


# --- planning and sending ----------------------------------------------------------------


def planned_message(candidate: Candidate, user_id: uuid.UUID, at: datetime) -> ReminderMessage:
    """The row a decided message is planned as, before it is sent."""
    return ReminderMessage(
        key=candidate.key,
        loan_id=candidate.loan_id,
        borrower_id=candidate.borrower_id,
        contact_point_id=candidate.point_id,
        channel=Channel(candidate.channel),
        step=candidate.step.id,
        kind=candidate.step.kind,
        language=candidate.language,
        recipient=candidate.recipient,
        subject=candidate.rendered.subject,
        text=candidate.rendered.text,
        template=candidate.step.template,
        template_code=candidate.rendered.template_code,
        segments=candidate.rendered.segments,
        status=MessageStatus.PLANNED,
        user_id=user_id,
        planned_at=at,
    )


def outbound(row: ReminderMessage, rendered: Rendered | None) -> OutboundMessage:
    """What a planned message hands its sender (`rendered`: as decided now; None when it
    is no longer due, to ask a sender what became of it)."""
    return _outbound(
        row,
        dict(rendered.params) if rendered else {},
        rendered.sign_name if rendered else None,
    )


def _outbound(row: ReminderMessage, params: Mapping[str, str], sign: str | None) -> OutboundMessage:
    return OutboundMessage(
        key=row.key,
        channel=MessageChannel(row.channel.value),
        to=row.recipient,
        language=row.language,
        text=row.text,
        subject=row.subject,
        sign_name=sign,
        template_code=row.template_code,
        template_params=params,
    )


def run_reminders(
    db: Database,
    senders: Mapping[str, Sender],
    *,
    at: datetime,
    dry_run: bool = False,
    limit: int | None = None,
    embedded: bool = True,
    only: ColumnElement[bool] | None = None,
) -> RunReport:
    """Decide, plan (committed), then send and record each message; see the module's doc.

    only: a condition on `Loan` and `Borrower`: decide, plan and send for those accounts alone
    (the demo's history of runs, app.demo.reminders); a message an earlier run planned for
    another account waits for a run that covers it."""
    at = check_moment(at)
    if limit is not None and limit <= 0:
        raise InvalidInput("--limit must be a whole number above 0, not {limit}.", limit=limit)
    if dry_run:
        with db.reader() as session:
            decided = decide(session, at, only=only)
        new = decided.messages[:limit] if limit is not None else decided.messages
        return RunReport(at, True, len(new), 0, 0, 0, 0, 0, 0, 0, decided.skipped, _shown(new))
    live = check_live_moment(at, senders)
    with run_lock(db):
        return _run(db, senders, at, limit, embedded, live, only)


def _run(
    db: Database,
    senders: Mapping[str, Sender],
    at: datetime,
    limit: int | None,
    embedded: bool,
    live: bool,
    only: ColumnElement[bool] | None,
) -> RunReport:
    """A run, holding the run lock (`live`: a sender reaches people, so each message is
    recorded when it goes)."""
    with db.session() as session:
        decided = decide(session, at, only=only)
        new = decided.messages[:limit] if limit is not None else decided.messages
        user_id = system_user(session, create=embedded).id
        for candidate in new:
            session.add(planned_message(candidate, user_id, at))
        # Committed here: from now on every message is known by its key, whatever happens.
    params = {c.key: c.rendered for c in (*decided.resume, *new)}
    outcome: Counter[str] = Counter()
    uncertain: list[str] = []
    with db.reader() as session:
        # This login's own: on the central server it records the answers of no other's.
        pending = session.execute(
            select(ReminderMessage.id, ReminderMessage.key)
            .where(
                ReminderMessage.status == MessageStatus.PLANNED,
                ReminderMessage.user_id == user_id,
            )
            .order_by(ReminderMessage.planned_at, ReminderMessage.key)
        ).all()
    for message_id, key in pending:
        if only is not None and key not in params:
            continue  # another account's: not decided by this run
        # Through a provider, each message is recorded at the moment it goes (the run's
        # instant is its start); a rehearsal on the spool keeps its instant.
        moment = clock.now() if live else at
        done = _deliver(db, message_id, senders, params.get(key), moment)
        outcome[done] += 1
        if done == "uncertain":
            uncertain.append(key)
    return RunReport(
        at=at,
        dry_run=False,
        planned=len(new),
        sent=outcome["sent"],
        failed=outcome["failed"],
        opted_out=outcome["opted_out"],
        retry=outcome["retry"],
        cancelled=outcome["cancelled"],
        resolved=outcome["resolved"],
        unresolved=outcome["unresolved"],
        skipped=decided.skipped,
        messages=_shown(new),
        uncertain=tuple(uncertain),
    )


def _shown(candidates: Sequence[Candidate]) -> tuple[Mapping[str, Any], ...]:
    return tuple(
        {
            "key": c.key,
            "contract_no": c.contract_no,
            "channel": c.channel,
            "step": c.step.id,
            "language": c.language,
            "segments": c.rendered.segments,
            "template_code": c.rendered.template_code,
            "subject": c.rendered.subject,
            "text": c.rendered.text,
        }
        for c in candidates
    )


def _deliver(
    db: Database,
    message_id: uuid.UUID,
    senders: Mapping[str, Sender],
    rendered: Rendered | None,
    at: datetime,
) -> str:
    """Send one planned message (or find out what became of an earlier send of it) and record
    the answer; its outcome."""
    with db.reader() as session:
        row = session.get(ReminderMessage, message_id)
        assert row is not None
        if row.status is not MessageStatus.PLANNED:
            return "elsewhere"  # settled by another run meanwhile
        sender = senders[row.channel.value]
        message = outbound(row, rendered)
        # A send began in an earlier run and its answer was never recorded: it may have gone.
        began_at = row.sent_at
        began = began_at is not None
        # An earlier send was answered "try again later": asked first where that can be (a
        # provider that timed out may have taken it).
        tried = row.error is not None
        since = row.planned_at
    # A sender that can say what became of a message (Resolver); an SMTP server cannot.
    resolve: Callable[[OutboundMessage, datetime], SendResult | None] | None = getattr(
        sender, "resolve", None
    )
    if began and resolve is None:
        return "uncertain"
    if resolve is not None and (began or tried):
        found = resolve(message, since)
        if found is not None and found.status is SendStatus.RETRY:
            return "unresolved"  # the provider cannot be asked now: asked again next run
        if found is not None:
            _record(db, message_id, found, at)
            if found.report is not None:
                apply_reports(db, [found.report])
            return "resolved"
        if began_at is not None and not _no_trace(db, message_id, began_at):
            return "elsewhere"  # settled meanwhile
    if rendered is None:
        # Never sent, and no longer due or allowed now.
        _record(db, message_id, None, at, cancelled=True)
        return "cancelled"
    if not _begin(db, message_id, at):
        return "elsewhere"  # another run began sending it meanwhile
    result = sender.send(message)
    _record(db, message_id, result, at, notice_at=at if notice_on_send(sender) else None)
    return {
        SendStatus.ACCEPTED: "sent",
        SendStatus.REJECTED: "failed",
        SendStatus.OPTED_OUT: "opted_out",
        SendStatus.RETRY: "retry",
        SendStatus.UNKNOWN: "uncertain",
    }[result.status]


def _begin(db: Database, message_id: uuid.UUID, at: datetime) -> bool:
    """Commit that a send of the message begins now: killed before its answer is recorded, the
    next run asks what became of it instead of sending it blindly. False when its send began
    already (another run got there first): only one of them sends it."""
    with db.session() as session:
        began = session.execute(
            update(ReminderMessage)
            .where(
                ReminderMessage.id == message_id,
                ReminderMessage.status == MessageStatus.PLANNED,
                ReminderMessage.sent_at.is_(None),
            )
            .values(sent_at=at)
        )
        return cast("CursorResult[Any]", began).rowcount == 1


def _no_trace(db: Database, message_id: uuid.UUID, began_at: datetime) -> bool:
    """The sender has no trace of the send a stopped run began at `began_at`: it never went.
    The moment is taken back and the try counted, as a "try again later" answer is; False when
    the message moved meanwhile."""
    with db.session() as session:
        taken = session.execute(
            update(ReminderMessage)
            .where(
                ReminderMessage.id == message_id,
                ReminderMessage.status == MessageStatus.PLANNED,
                ReminderMessage.sent_at == began_at,
            )
            .values(sent_at=None, retries=ReminderMessage.retries + 1, error=NO_TRACE)
        )
        return cast("CursorResult[Any]", taken).rowcount == 1


def _record(
    db: Database,
    message_id: uuid.UUID,
    result: SendResult | None,
    at: datetime,
    *,
    cancelled: bool = False,
    notice_at: datetime | None = None,
) -> None:
    with db.session() as session:
        row = session.get(ReminderMessage, message_id)
        assert row is not None
        if row.status is not MessageStatus.PLANNED:
            return
        record_answer(session, row, result, at, cancelled=cancelled, notice_at=notice_at)


def record_answer(
    session: Session,
    row: ReminderMessage,
    result: SendResult | None,
    at: datetime,
    *,
    cancelled: bool = False,
    notice_at: datetime | None = None,
) -> None:
    """Record on a planned message what its sender answered, in the caller's unit of work: sent,
    failed or opted out with its contact attempt, dated when its send began (however much
    later the answer is recorded: a run killed and resumed by the next; `at` for one found sent
    after a "try again later" answer); a RETRY leaves it planned, no send under way, the try
    counted; an UNKNOWN answer (lost after the sender had it all) leaves its send begun:
    uncertain; `cancelled` (or no result) cancels it. `notice_at`: a credit-reporting notice
    message that was sent is the borrower's notice from then (its sender's acceptance is its
    delivery)."""
    if cancelled or result is None:
        row.status = MessageStatus.CANCELLED
        row.error = "no longer due or allowed when run again"
        return
    if result.status is SendStatus.UNKNOWN:
        row.error = _error(result)
        return
    if result.status is SendStatus.RETRY:
        row.error = _error(result)
        if row.sent_at is not None:
            row.sent_at = None  # answered: no send under way
            row.retries += 1
        return
    status = {
        SendStatus.ACCEPTED: MessageStatus.SENT,
        SendStatus.REJECTED: MessageStatus.FAILED,
        SendStatus.OPTED_OUT: MessageStatus.OPTED_OUT,
    }[result.status]
    when = row.sent_at or at
    if status is MessageStatus.OPTED_OUT:
        # On record before the message says so (the server asks for it).
        _opt_out(session, row.borrower_id, row.channel, when, "provider", row.user_id)
        session.flush()
    row.status = status
    row.provider_id = result.provider_id
    row.error = _error(result) if status is not MessageStatus.SENT else None
    row.sent_at = when
    # Its key made here, not at a flush of its own: a batch of answers is written at once.
    attempt = ContactAttempt(
        id=new_id(),
        loan_id=row.loan_id,
        borrower_id=row.borrower_id,
        contact_point_id=row.contact_point_id,
        user_id=row.user_id,
        channel=row.channel,
        started_at=when,
        duration_seconds=0,
        disposition=DISPOSITION[status],
        right_party=False,
        checklist=[],
        script_steps=[],
        notes=None,
    )
    session.add(attempt)
    row.attempt_id = attempt.id
    if status is MessageStatus.SENT and row.kind == "credit_notice" and notice_at is not None:
        _give_notice(session, row, notice_at)


def _give_notice(session: Session, row: ReminderMessage, at: datetime) -> None:
    """The credit-reporting notice `row` gave, dated `at` (now): once per message."""
    given = session.scalar(select(CreditNotice.id).where(CreditNotice.message_id == row.id))
    if given is None:
        record_credit_notice(
            session,
            row.loan_id,
            row.channel.value,
            at,
            message_id=row.id,
            recorded_by_id=row.user_id,
        )


def _withdraw_notice(session: Session, row: ReminderMessage) -> None:
    """A notice message reported undelivered (after its mail server took it) gave no notice."""
    for notice in session.scalars(select(CreditNotice).where(CreditNotice.message_id == row.id)):
        session.delete(notice)


def _error(result: SendResult) -> str:
    return " ".join(part for part in (result.error_code, result.error_text) if part)[:300]


def _opt_out(
    session: Session,
    borrower_id: uuid.UUID,
    channel: Channel,
    at: datetime,
    source: str,
    user_id: uuid.UUID,
) -> bool:
    exists = session.scalar(
        select(ReminderOptOut.id).where(
            ReminderOptOut.borrower_id == borrower_id, ReminderOptOut.channel == channel
        )
    )
    if exists is not None:
        return False
    session.add(
        ReminderOptOut(
            borrower_id=borrower_id,
            channel=channel,
            at=at,
            source=source,
            recorded_by_id=user_id,
        )
    )
    return True


# --- opt-outs and delivery reports ---------------------------------------------------------


def record_opt_out(
    db: Database, contract_no: str, channel: str, at: datetime, *, embedded: bool = True
) -> bool:
    """The borrower of `contract_no` wants no more messages on `channel`; False if already so."""
    at = check_moment(at)
    if channel not in ("sms", "email"):
        raise InvalidInput("Unknown channel “{channel}” (one of sms, email).", channel=channel)
    with db.session() as session:
        user = system_user(session, create=embedded)
        borrower_id = session.scalar(
            select(Loan.borrower_id).where(Loan.contract_no == contract_no)
        )
        if borrower_id is None:
            raise NotFound("There is no account {contract}.", contract=contract_no)
        return _opt_out(session, borrower_id, Channel(channel), at, "borrower", user.id)


@dataclass(frozen=True)
class ReportsApplied:
    delivered: int
    failed: int
    unknown: int
    opted_out: int = 0
    # Dated before their message was sent, or ahead of now: not recorded.
    misdated: int = 0

    def __add__(self, other: ReportsApplied) -> ReportsApplied:
        return ReportsApplied(
            self.delivered + other.delivered,
            self.failed + other.failed,
            self.unknown + other.unknown,
            self.opted_out + other.opted_out,
            self.misdated + other.misdated,
        )


def apply_reports(
    db: Database,
    reports: Iterable[DeliveryReport],
    *,
    strict: bool = False,
    now: datetime | None = None,
) -> ReportsApplied:
    """Move sent messages to delivered, failed or opted out as their reports say, with their
    attempts (an opt-out: recorded for the borrower and channel). A report for a message still
    planned whose send began (its answer lost in a killed run, or answered "try again later"
    while the provider may have taken it) settles it too; one for a message never handed to
    its sender matches nothing. A credit-reporting notice message reported delivered is the
    borrower's notice from now (when it is recorded); one reported undelivered gives none (an
    e-mail's, recorded when its mail server took it, is withdrawn), and the next run sends the
    notice again.

    A report dated ahead of `now` (the clock's), or before its message was sent (or planned,
    whichever is earlier), give or take CLOCK_SKEW, is not recorded: counted as misdated, or,
    `strict` (a file someone wrote), refused with every other report of the batch."""
    now = now or clock.now()
    counts: Counter[str] = Counter()
    reports = list(reports)
    with db.session() as session:
        by_key, by_provider, attempts = _reported(session, reports)
        for report in reports:
            row = by_key.get(report.key) if report.key else by_provider.get(report.provider_id)
            if (
                row is None
                or row.status not in (MessageStatus.SENT, MessageStatus.PLANNED)
                or (row.sent_at is None and row.retries == 0)
            ):
                counts["unknown"] += 1
                continue
            at = report.reported_at.astimezone(UTC)
            wrong = _misdated(row, at, now)
            if wrong is not None:
                if strict:
                    raise wrong
                counts["misdated"] += 1
                continue
            status = (
                MessageStatus.DELIVERED
                if report.delivered
                else MessageStatus.OPTED_OUT
                if report.opted_out
                else MessageStatus.FAILED
            )
            if status is MessageStatus.OPTED_OUT:
                _opt_out(session, row.borrower_id, row.channel, at, "delivery report", row.user_id)
                session.flush()  # on record before the message says so (the server asks)
            # One found sent after a "try again later" answer: it went by its report, at the
            # latest.
            sent_at = row.sent_at or at
            row.sent_at = sent_at
            row.status = status
            row.provider_id = row.provider_id or report.provider_id
            row.reported_at = at
            row.error = None if report.delivered else (report.error_code or "undelivered")[:300]
            if row.kind == "credit_notice":
                session.flush()  # the message's status, which the server asks about
                if status is MessageStatus.DELIVERED:
                    _give_notice(session, row, now)
                else:
                    _withdraw_notice(session, row)
            attempt_row = attempts.get(row.attempt_id) if row.attempt_id else None
            if attempt_row is not None:
                attempt_row.disposition = DISPOSITION[status]
            else:
                attempt = ContactAttempt(
                    loan_id=row.loan_id,
                    borrower_id=row.borrower_id,
                    contact_point_id=row.contact_point_id,
                    user_id=row.user_id,
                    channel=row.channel,
                    started_at=sent_at,
                    disposition=DISPOSITION[status],
                    checklist=[],
                    script_steps=[],
                )
                session.add(attempt)
                session.flush()
                row.attempt_id = attempt.id
            counts[status.value] += 1
    return ReportsApplied(
        counts[MessageStatus.DELIVERED.value],
        counts[MessageStatus.FAILED.value],
        counts["unknown"],
        counts[MessageStatus.OPTED_OUT.value],
        counts["misdated"],
    )


def notice_on_send(sender: object) -> bool:
    """Whether a credit-reporting notice the sender takes is given then. A notice is given
    when it reaches the borrower: an e-mail when a mail server took it (SMTP says nothing
    later), an SMS when its delivery report says so (apply_reports), a spooled message never."""
    return reaches_recipients(sender) and not reports_delivery(sender)


def _misdated(row: ReminderMessage, at: datetime, now: datetime) -> InvalidInput | None:
    """Why a report dated `at` cannot be the message's, or None: it cannot be reported on
    before its send began, nor before it was planned or its row written (whichever is earliest:
    a run given an instant of its own, --at, dates its plans and sends by it)."""
    if at > now + CLOCK_SKEW:
        return InvalidInput(
            "The delivery report for {key} is dated {reported}, ahead of now.",
            key=row.key,
            reported=at,
        )
    moments = (row.sent_at, row.planned_at, row.created_at)
    earliest = min(moment for moment in moments if moment is not None)
    if at < earliest - CLOCK_SKEW:
        return InvalidInput(
            "The delivery report for {key} is dated {reported}, before its message was sent"
            " ({sent}).",
            key=row.key,
            reported=at,
            sent=earliest,
        )
    return None


def _reported(
    session: Session, reports: Sequence[DeliveryReport]
) -> tuple[dict[str, ReminderMessage], dict[str, ReminderMessage], dict[uuid.UUID, ContactAttempt]]:
    """The messages the reports name, by key and by provider id, and their attempts by key:
    read a few thousand at a time, not one by one (a provider's reports come in thousands)."""
    keys = sorted({report.key for report in reports if report.key})
    providers = sorted({report.provider_id for report in reports if not report.key})
    by_key: dict[str, ReminderMessage] = {}
    by_provider: dict[str, ReminderMessage] = {}
    for part in _chunks(keys):
        for row in session.scalars(select(ReminderMessage).where(ReminderMessage.key.in_(part))):
            by_key[row.key] = row
    for part in _chunks(providers):
        for row in session.scalars(
            select(ReminderMessage).where(ReminderMessage.provider_id.in_(part))
        ):
            assert row.provider_id is not None
            by_provider.setdefault(row.provider_id, row)
    wanted = sorted(
        {row.attempt_id for row in (*by_key.values(), *by_provider.values()) if row.attempt_id}
    )
    attempts: dict[uuid.UUID, ContactAttempt] = {}
    for part in _chunks(wanted):
        for attempt in session.scalars(select(ContactAttempt).where(ContactAttempt.id.in_(part))):
            attempts[attempt.id] = attempt
    return by_key, by_provider, attempts


def sent_awaiting_reports(db: Database) -> list[tuple[str, str, datetime]]:
    """(provider_id, to, sent_at) of every message sent and not yet reported on."""
    with db.reader() as session:
        return [
            (pid, to, sent_at)
            for pid, to, sent_at in session.execute(
                select(
                    ReminderMessage.provider_id, ReminderMessage.recipient, ReminderMessage.sent_at
                ).where(ReminderMessage.status == MessageStatus.SENT)
            )
            if pid and sent_at
        ]
