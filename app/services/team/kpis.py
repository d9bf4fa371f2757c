"""The team lead's numbers (docs/domain.md §8) for a team and a span of days, computed in SQL.

Days are the business zone's (`clock.business_zone()`); `start` and `end` are both
included: the span is [start 00:00, end + 1 00:00) in that zone, turned into UTC bounds here,
so the SQL compares instants only and runs the same on SQLite and PostgreSQL (a day that
changes its clock is as long as it really is). Every figure can be drilled into:
`drill_down` lists the contacts behind it.

What each figure counts, per member of the team (`teams.team_scope`):

- attempts, contacts, rpcs: the member's contact attempts started in the span whose
  disposition has the `attempt`, `contact` or `rpc` flag (resources/dispositions.json;
  `contact.counting`, which a collector's own day counts by too).
- ptps: attempts in the span that made a promise (`promises.attempt_id`); promised_amount:
  the sum of those promises.
- promises_due: promises whose promised date is in the span, credited to whoever made them
  (the attempt's collector, or for a promise made on a home visit the visit's agent), whenever
  that was; promises_kept: those of them kept, that is paid in full by their date plus the
  grace days (status `kept`, `app.services.contact.promises`: a payment a day late but within grace
  keeps a promise, a partial payment does not). A promise due on the last day and still within
  its grace when the report is made is due but not (yet) kept.
- collected_amount: payments received in the span on accounts the team worked in the span,
  each credited to the member whose attempt on the loan came last at or before the payment
  (attempts before the span do not count, so a payment before any attempt of the span counts
  for nobody). Each payment goes to one member: the members' amounts add up to the team's.
  A payment the lending system reversed counts for nobody; one a borrower only reported is
  not a payment yet.
- handled, handle_seconds: the contacts (answered attempts) and their talk time plus
  after-call work (`duration_seconds + after_call_seconds`, the latter 0 where not timed).
- checklist_required, checklist_complete: answered contacts, and those whose required
  checklist items were all ticked (`contact_rows.checklist_complete`; a contact without an emotion
  is incomplete), also by emotion.
- escalations: escalations the member raised in the span, by kind, with how many nobody has
  acknowledged yet; blocks: dials the contact rules stopped (`contact_blocks`) in the span, by
  rule.
- buckets: every account assigned to the member now (whatever its status), as it stood at
  the start of the first day and at the end of the last day (the midnight after it):
  overdue are the instalments due before that midnight's day and not settled before it, DPD
  is that day minus the oldest of their due dates and the bucket comes from
  resources/buckets.json, as `balances.balance_of` counts them on the workstation that
  morning. A payment on the first day therefore moves the account within the span; one on
  the last day counts at the end. Cured: current at the end (for the current bucket: still
  current); rolled: in the next bucket or a worse one at the end (M1 to M3 rolled once).

- reminders: the messages the lender sent by itself (`reminders run`) on the team's accounts
  (assigned to a member now, or in the team's pool), by the answer each has now: counted from
  the contact attempts a `system` login recorded with them (one a message, dated when it was
  sent, its disposition SENT, DELIVERED, FAILED or OPTED-OUT as the provider last answered).
  Those attempts sync like any other, so a lead's copy counts what the central database does.
  sent: every message handed to a provider; delivered, failed, opted out: of those.

The team's figures (user_id None) are the sums of the members' rows, which SQL computed per
member: every figure is additive, since each attempt, promise, payment, escalation, block and
account belongs to exactly one member.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from app.database import Database
from app.models import (
    ContactAttempt,
    ContactBlock,
    Escalation,
    FieldVisit,
    Instalment,
    Loan,
    Payment,
    PromiseStatus,
    PromiseToPay,
    Role,
    User,
    counted,
)
from app.models.types import UTCDateTime
from app.services.common.clock import day_start
from app.services.common.errors import InvalidDate, InvalidInput, Localized, NotFound
from app.services.common.reference import buckets, dispositions, emotions
from app.services.common.teams import Member, TeamScope, team_scope
from app.services.contact.compliance import DEFAULT_PROFILE, available_profiles, load_profile
from app.services.contact.counting import codes_with, promised_by_attempt
from app.services.contact.escalations import escalation_kinds
from app.services.team.contact_rows import ContactRow, checklist_complete, contact_rows
from app.services.team.report_choices import DRILLS

if TYPE_CHECKING:
    _Query = Select[*tuple[Any, ...]]

# The longest span a report covers: a year, leap day included.
MAX_DAYS = 366
# `Drill.key` of the checklist drills for answered contacts with no emotion recorded.
NO_EMOTION = ""
ZERO = Decimal("0.00")
# The dispositions the reminder dispatcher records a message's answer as (resources/
# dispositions.json, by_system), and the figure each counts in.
_REMINDER_ANSWERS = {
    "SENT": "awaiting",
    "DELIVERED": "delivered",
    "FAILED": "failed",
    "OPTED-OUT": "opted_out",
}
# Who appears as a collector even without activity in the span.
_WORKERS = (Role.COLLECTOR, Role.FIELD_AGENT)

_KEYED = {"bucket_start", "cured", "rolled", "day_rpcs", "day_ptps", "day_collected"}


def _rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a fraction to four places; None when there is nothing to divide by."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class CollectorKpis:
    """One collector's figures, or the team's (user_id None) over the same span."""

    user_id: uuid.UUID | None
    username: str
    display_name: str
    attempts: int
    contacts: int
    rpcs: int
    ptps: int
    promises_due: int
    promises_kept: int
    promised_amount: Decimal
    collected_amount: Decimal
    handled: int
    handle_seconds: int
    checklist_required: int
    checklist_complete: int
    escalations: int
    blocks: int

    @property
    def contact_rate(self) -> Decimal | None:
        return _rate(self.contacts, self.attempts)

    @property
    def rpc_rate(self) -> Decimal | None:
        return _rate(self.rpcs, self.attempts)

    @property
    def ptp_rate(self) -> Decimal | None:
        return _rate(self.ptps, self.rpcs)

    @property
    def ptp_kept_rate(self) -> Decimal | None:
        return _rate(self.promises_kept, self.promises_due)

    @property
    def average_handle_seconds(self) -> Decimal | None:
        if self.handled == 0:
            return None
        return (Decimal(self.handle_seconds) / self.handled).quantize(Decimal("0.1"))

    @property
    def checklist_rate(self) -> Decimal | None:
        return _rate(self.checklist_complete, self.checklist_required)

    def drill(self, kpi: str) -> Drill:
        """The drill behind one of these figures (a name from DRILLS without a key)."""
        return Drill(kpi, self.user_id)


@dataclass(frozen=True)
class BucketMovement:
    """Accounts in `bucket` on the first day (of a collector, or the team's: user_id None), and
    where they were at the end of the last day."""

    user_id: uuid.UUID | None
    bucket: str
    accounts: int
    cured: int  # current at the end
    rolled: int  # in the next bucket or a worse one at the end

    @property
    def cure_rate(self) -> Decimal | None:
        return _rate(self.cured, self.accounts)

    @property
    def roll_rate(self) -> Decimal | None:
        return _rate(self.rolled, self.accounts)

    def drill(self, kpi: str = "bucket_start") -> Drill:
        """bucket_start, cured or rolled of this row."""
        return Drill(kpi, self.user_id, self.bucket)


@dataclass(frozen=True)
class ChecklistByEmotion:
    user_id: uuid.UUID | None
    # None: answered contacts with no emotion recorded (never complete).
    emotion: str | None
    required: int
    complete: int

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.complete, self.required)

    def drill(self, *, incomplete: bool = False) -> Drill:
        kpi = "checklist_incomplete" if incomplete else "checklist_required"
        return Drill(kpi, self.user_id, NO_EMOTION if self.emotion is None else self.emotion)


@dataclass(frozen=True)
class BlocksByRule:
    user_id: uuid.UUID | None
    rule: str
    rule_text: Localized
    blocks: int

    def drill(self) -> Drill:
        return Drill("blocks", self.user_id, self.rule)


@dataclass(frozen=True)
class EscalationsByKind:
    user_id: uuid.UUID | None
    kind: str
    kind_text: Localized
    raised: int
    unacknowledged: int

    def drill(self) -> Drill:
        return Drill("escalations", self.user_id, self.kind)


@dataclass(frozen=True)
class DayTrend:
    day: date
    rpcs: int
    ptps: int
    collected: Decimal

    def drill(self, kpi: str) -> Drill:
        """day_rpcs, day_ptps or day_collected of this day (the team's)."""
        return Drill(kpi, None, self.day.isoformat())


@dataclass(frozen=True)
class ReminderFigures:
    """The team's reminders of the span (see the module's doc): sent, and what became of them."""

    sent: int = 0
    delivered: int = 0
    failed: int = 0
    opted_out: int = 0

    @property
    def delivered_rate(self) -> Decimal | None:
        return _rate(self.delivered, self.sent)


@dataclass(frozen=True)
class OpenEscalation:
    """An escalation nobody has acknowledged yet, whenever it was raised."""

    id: uuid.UUID
    raised_at: datetime
    kind: str
    kind_text: Localized
    urgent: bool
    contract_no: str
    raised_by: str


@dataclass(frozen=True)
class KpiReport:
    team: str
    start: date
    end: date
    generated_at: datetime
    collectors: tuple[CollectorKpis, ...]  # members with any activity or assigned accounts
    total: CollectorKpis
    buckets: tuple[BucketMovement, ...]  # per collector and the team's (user_id None)
    checklists: tuple[ChecklistByEmotion, ...]  # per collector and the team's
    blocks: tuple[BlocksByRule, ...]  # per collector and the team's
    escalations: tuple[EscalationsByKind, ...]  # per collector and the team's
    trend: tuple[DayTrend, ...]  # every day of the span, the team's
    unacknowledged: tuple[OpenEscalation, ...]  # oldest first
    reminders: ReminderFigures = ReminderFigures()  # the team's

    def collector(self, user_id: uuid.UUID | None) -> CollectorKpis:
        """The row of one collector, or the team's for None."""
        if user_id is None:
            return self.total
        for row in self.collectors:
            if row.user_id == user_id:
                return row
        raise KeyError(user_id)


@dataclass(frozen=True)
class Drill:
    """Which figure to open: a name from DRILLS, whose (None: the team's), and a key where the
    figure is one of several (a bucket, an emotion, a rule, an escalation kind, a day)."""

    kpi: str
    user_id: uuid.UUID | None = None
    key: str | None = None


# -- the span ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    start: date
    end: date
    # Each day with its UTC bounds [lo, hi), in order.
    days: tuple[tuple[date, datetime, datetime], ...]

    @property
    def lo(self) -> datetime:
        return self.days[0][1]

    @property
    def hi(self) -> datetime:
        return self.days[-1][2]


def _span(start: date, end: date) -> _Span:
    if start > end:
        raise InvalidDate(
            "The report's first day ({start}) is after its last day ({end}).",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    count = (end - start).days + 1
    if count > MAX_DAYS:
        raise InvalidInput(
            "A report covers at most {limit} days; {start} to {end} is {days} days.",
            limit=MAX_DAYS,
            start=start.isoformat(),
            end=end.isoformat(),
            days=count,
        )
    midnights = [day_start(start + timedelta(days=n)) for n in range(count + 1)]
    return _Span(
        start,
        end,
        tuple((start + timedelta(days=n), midnights[n], midnights[n + 1]) for n in range(count)),
    )


def _day_of(moment: Any, span: _Span) -> ColumnElement[int]:
    """SQL: which day of the span (0 for the first) an instant of the span falls on.

    A binary search over the days' UTC bounds, computed here in the business zone: the same
    SQL on SQLite and PostgreSQL, right on a day that changes its clock, and some nine
    comparisons a row for a year (a join with a table of days costs one per day).
    """

    def within(first: int, last: int) -> ColumnElement[int]:
        if first == last:
            return literal(first, Integer())
        middle = (first + last) // 2
        starts_after = span.days[middle + 1][1]
        return case(
            (moment < literal(starts_after, UTCDateTime()), within(first, middle)),
            else_=within(middle + 1, last),
        )

    return within(0, len(span.days) - 1)


@cache
def _complete() -> ColumnElement[Any]:
    # Built once: the expression spans every emotion and outcome, and building it costs more
    # than running it on a small book.
    return checklist_complete(ContactAttempt)


# -- the SQL of each figure ----------------------------------------------------------------


# The flags of a disposition as bits of one number, so each row asks once what its code is.
_ATTEMPT, _CONTACT, _RPC = 1, 2, 4


def _kind(disposition: Any) -> ColumnElement[int]:
    """SQL: the flag bits of a disposition code (0 for a code not in the data)."""
    bits = {
        code: _ATTEMPT * meaning.attempt + _CONTACT * meaning.contact + _RPC * meaning.rpc
        for code, meaning in dispositions().items()
    }
    return case(bits, value=disposition, else_=0)


def _has(kind: Any, bit: int) -> ColumnElement[int]:
    """SQL: 1 when `kind` has `bit`, else 0."""
    return case((kind.op("&")(bit) != 0, 1), else_=0)


def _attempt_figures(span: _Span, members: Sequence[uuid.UUID]) -> _Query:
    """Attempts of the span per member, emotion and day: one pass over the attempts."""
    attempt = ContactAttempt
    # What each contact promised, as the collector's own day counts it (`contact.counting`).
    promised = promised_by_attempt(span.lo)
    # Each row's values once (OFFSET 0 keeps PostgreSQL from folding the subquery into the
    # sums, which would work the CASEs out again for every sum that reads them), then the sums.
    rows = (
        select(
            attempt.user_id,
            attempt.emotion,
            _day_of(attempt.started_at, span).label("n"),
            _kind(attempt.disposition).label("kind"),
            (attempt.duration_seconds + func.coalesce(attempt.after_call_seconds, 0)).label(
                "handle"
            ),
            # NULL where nobody answered: then no checklist was required.
            case((_complete(), 1), else_=0).label("complete"),
            promised.c.amount.label("promised"),
        )
        .outerjoin(promised, promised.c.attempt_id == attempt.id)
        .where(*_worked_by(attempt, members, span))
        .offset(0)
        .subquery("rows")
    )
    counted = _has(rows.c.kind, _ATTEMPT)
    answered = _has(rows.c.kind, _CONTACT)
    made_promise = and_(counted == 1, rows.c.promised.is_not(None))
    return select(
        rows.c.user_id,
        rows.c.emotion,
        rows.c.n,
        func.sum(counted).label("attempts"),
        func.sum(answered).label("contacts"),
        func.sum(_has(rows.c.kind, _RPC)).label("rpcs"),
        func.sum(answered * rows.c.handle).label("handle_seconds"),
        func.sum(rows.c.complete).label("complete"),
        func.sum(case((made_promise, 1), else_=0)).label("ptps"),
        func.sum(case((made_promise, rows.c.promised))).label("promised"),
    ).group_by(rows.c.user_id, rows.c.emotion, rows.c.n)


def _count_if(condition: ColumnElement[Any]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _worked_by(
    attempt: Any, users: Sequence[uuid.UUID], span: _Span
) -> tuple[ColumnElement[bool], ...]:
    # Matches the index on (user_id, started_at).
    return (
        attempt.user_id.in_(users),
        attempt.started_at >= span.lo,
        attempt.started_at < span.hi,
    )


def _promise_owner() -> ColumnElement[Any]:
    """SQL: who made a promise, the collector of its attempt or the agent of its visit.

    Looked up by key, promise by promise: joined instead, PostgreSQL hashed every attempt of
    the table (row-level security makes it price each lookup as a new scan of loans).
    """
    made_by = (
        select(ContactAttempt.user_id)
        .where(ContactAttempt.id == PromiseToPay.attempt_id)
        .correlate(PromiseToPay)
        .scalar_subquery()
    )
    visited_by = (
        select(FieldVisit.agent_id)
        .where(FieldVisit.id == PromiseToPay.visit_id)
        .correlate(PromiseToPay)
        .scalar_subquery()
    )
    return func.coalesce(made_by, visited_by)


def _due_promises(span: _Span, members: Sequence[uuid.UUID]) -> _Query:
    """Promises due in the span, per member who made them: how many, how many kept."""
    due = (
        select(
            _promise_owner().label("user_id"),
            case((PromiseToPay.status == PromiseStatus.KEPT, 1), else_=0).label("kept"),
        )
        .where(*_due_in(span))
        .subquery("due")
    )
    # The members are picked from the groups: a WHERE would look each owner up twice.
    return (
        select(due.c.user_id, func.count().label("due"), func.sum(due.c.kept).label("kept"))
        .group_by(due.c.user_id)
        .having(due.c.user_id.in_(members))
    )


def _due_in(span: _Span) -> tuple[ColumnElement[bool], ...]:
    # Every status named, so the index on (status, promised_date) serves the date range.
    return (
        PromiseToPay.status.in_(list(PromiseStatus)),
        PromiseToPay.promised_date >= span.start,
        PromiseToPay.promised_date <= span.end,
    )


def _credits(span: _Span, members: Sequence[uuid.UUID], *, attempt: bool = False) -> Subquery:
    """Payments of the span, each with whom it is credited to (`credited`): the member whose
    attempt on the loan came last at or before it, within the span (NULL: nobody's). With
    `attempt`, the credited attempt's key instead of its member."""
    worked = aliased(ContactAttempt, name="worked")
    credited = (
        select(worked.id if attempt else worked.user_id)
        .where(
            worked.loan_id == Payment.loan_id,
            worked.started_at <= Payment.paid_at,
            worked.disposition.in_(codes_with("attempt")),
            *_worked_by(worked, members, span),
        )
        .order_by(worked.started_at.desc(), worked.id.desc())
        .limit(1)
        .correlate(Payment)
        .scalar_subquery()
    )
    return (
        select(
            Payment.amount.label("amount"),
            Payment.paid_at.label("paid_at"),
            credited.label("credited"),
        )
        .where(Payment.paid_at >= span.lo, Payment.paid_at < span.hi, counted())
        # OFFSET 0: each payment's credit is looked up once; a subquery folded into the query
        # around it would look it up again for every place that reads it.
        .offset(0)
        .subquery("credits")
    )


def _collected(span: _Span, members: Sequence[uuid.UUID]) -> _Query:
    """Payments collected per credited member and day."""
    credits = _credits(span, members)
    paid = select(
        credits.c.credited, _day_of(credits.c.paid_at, span).label("n"), credits.c.amount
    ).subquery("paid")
    return (
        select(paid.c.credited, paid.c.n, func.sum(paid.c.amount).label("amount"))
        .where(paid.c.credited.is_not(None))
        .group_by(paid.c.credited, paid.c.n)
    )


def _raised(span: _Span, users: Sequence[uuid.UUID]) -> tuple[ColumnElement[bool], ...]:
    return (
        Escalation.raised_by_id.in_(users),
        Escalation.raised_at >= span.lo,
        Escalation.raised_at < span.hi,
    )


def _escalation_figures(span: _Span, members: Sequence[uuid.UUID]) -> _Query:
    return (
        select(
            Escalation.raised_by_id,
            Escalation.kind,
            func.count().label("raised"),
            _count_if(Escalation.acknowledged_at.is_(None)).label("open"),
        )
        .where(*_raised(span, members))
        .group_by(Escalation.raised_by_id, Escalation.kind)
    )


def _blocked(span: _Span, users: Sequence[uuid.UUID]) -> tuple[ColumnElement[bool], ...]:
    return (
        ContactBlock.user_id.in_(users),
        ContactBlock.at >= span.lo,
        ContactBlock.at < span.hi,
    )


def _block_figures(span: _Span, members: Sequence[uuid.UUID]) -> _Query:
    return (
        select(ContactBlock.user_id, ContactBlock.rule, func.count().label("blocks"))
        .where(*_blocked(span, members))
        .group_by(ContactBlock.user_id, ContactBlock.rule)
    )


def _bucket_index(oldest: ColumnElement[Any], day: date) -> ColumnElement[int]:
    """SQL: the index in buckets() of an account whose oldest unpaid due date is `oldest` on
    `day` (NULL: nothing overdue, the first bucket). DPD ≥ n exactly when oldest ≤ day − n."""
    ranked = sorted(enumerate(buckets()), key=lambda item: item[1].min_dpd, reverse=True)
    whens = [
        (oldest <= day - timedelta(days=bucket.min_dpd), index)
        for index, bucket in ranked
        if bucket.min_dpd > 0
    ]
    return case(*whens, else_=0)


def _oldest_unpaid(day: date) -> ColumnElement[Any]:
    """SQL, per loan: the oldest due date of its instalments due before `day` and not settled
    before it (NULL: none), the first of them in the loan's index on (due date, settled)."""
    return (
        select(Instalment.due_date)
        .where(
            Instalment.loan_id == Loan.id,
            Instalment.due_date < day,
            or_(Instalment.settled_on.is_(None), Instalment.settled_on >= day),
        )
        .order_by(Instalment.due_date)
        .limit(1)
        .correlate(Loan)
        .scalar_subquery()
    )


def _loan_buckets(span: _Span, members: Sequence[uuid.UUID], *, per_account: bool) -> Subquery:
    """Per account assigned to a member (and with a schedule): its bucket index at the start
    and at the end.

    Each is the account as it stood at a midnight: the start of the first day, and the end of
    the last day (the start of the next). Overdue then: the instalments due before that day
    and not settled before it; DPD: that day minus the oldest of their due dates, as
    `balances.balance_of` on that day counts it.

    `per_account` (SQLite): each oldest date is one short index read per account. Grouping
    the team's instalments instead, SQLite sorts every one of them; PostgreSQL hashes them,
    faster than it runs two lookups per account, so it gets the grouping.
    """
    after = span.end + timedelta(days=1)
    if per_account:
        scheduled = select(Instalment.loan_id).where(Instalment.loan_id == Loan.id)
        # OFFSET 0: each oldest date is looked up once, not once for every bucket it is
        # compared with (a subquery folded into the CASEs below would repeat it there).
        per_loan = (
            select(
                Loan.id.label("loan_id"),
                Loan.assigned_to_id.label("user_id"),
                _oldest_unpaid(span.start).label("oldest_start"),
                _oldest_unpaid(after).label("oldest_end"),
            )
            .where(Loan.assigned_to_id.in_(members), scheduled.correlate(Loan).exists())
            .offset(0)
            .subquery("per_loan")
        )
    else:
        due = Instalment.due_date
        open_at_start = or_(Instalment.settled_on.is_(None), Instalment.settled_on >= span.start)
        open_at_end = or_(Instalment.settled_on.is_(None), Instalment.settled_on >= after)
        per_loan = (
            select(
                Instalment.loan_id.label("loan_id"),
                Loan.assigned_to_id.label("user_id"),
                func.min(case((and_(due < span.start, open_at_start), due))).label("oldest_start"),
                func.min(case((and_(due < after, open_at_end), due))).label("oldest_end"),
            )
            .join(Loan, Loan.id == Instalment.loan_id)
            .where(Loan.assigned_to_id.in_(members))
            .group_by(Instalment.loan_id, Loan.assigned_to_id)
            .subquery("per_loan")
        )
    return select(
        per_loan.c.loan_id,
        per_loan.c.user_id,
        _bucket_index(per_loan.c.oldest_start, span.start).label("at_start"),
        _bucket_index(per_loan.c.oldest_end, after).label("at_end"),
    ).subquery("moves")


def _cured(moves: Subquery) -> ColumnElement[bool]:
    return moves.c.at_end == 0


def _rolled(moves: Subquery) -> ColumnElement[bool]:
    return moves.c.at_end > moves.c.at_start


def _bucket_figures(span: _Span, members: Sequence[uuid.UUID], *, per_account: bool) -> _Query:
    moves = _loan_buckets(span, members, per_account=per_account)
    return select(
        moves.c.user_id,
        moves.c.at_start,
        func.count().label("accounts"),
        _count_if(_cured(moves)).label("cured"),
        _count_if(_rolled(moves)).label("rolled"),
    ).group_by(moves.c.user_id, moves.c.at_start)


def _reminder_figures(span: _Span, members: Sequence[uuid.UUID], team_id: uuid.UUID) -> _Query:
    """The reminders sent on the team's accounts in the span, per answer."""
    system = select(User.id).where(User.role == Role.SYSTEM)
    return (
        select(ContactAttempt.disposition, func.count().label("messages"))
        .join(Loan, Loan.id == ContactAttempt.loan_id)
        .where(
            # The index on (user_id, started_at) serves it: the system logins are few.
            ContactAttempt.user_id.in_(system),
            ContactAttempt.started_at >= span.lo,
            ContactAttempt.started_at < span.hi,
            ContactAttempt.disposition.in_(list(_REMINDER_ANSWERS)),
            or_(
                Loan.assigned_to_id.in_(members),
                and_(Loan.assigned_to_id.is_(None), Loan.team_id == team_id),
            ),
        )
        .group_by(ContactAttempt.disposition)
    )


def _reminders(session: Session, span: _Span, scope: TeamScope) -> ReminderFigures:
    counts = dict.fromkeys(_REMINDER_ANSWERS.values(), 0)
    for disposition, messages in session.connection().execute(
        _reminder_figures(span, scope.member_ids, scope.team_id)
    ):
        counts[_REMINDER_ANSWERS[disposition]] += messages
    return ReminderFigures(
        sent=sum(counts.values()),
        delivered=counts["delivered"],
        failed=counts["failed"],
        opted_out=counts["opted_out"],
    )


def _unacknowledged(members: Sequence[uuid.UUID]) -> _Query:
    """The team's escalations nobody acknowledged: raised by a member or on a member's
    account, whenever raised."""
    return (
        select(
            Escalation.id,
            Escalation.raised_at,
            Escalation.kind,
            Loan.contract_no,
            User.display_name,
        )
        .join(Loan, Loan.id == Escalation.loan_id)
        .join(User, User.id == Escalation.raised_by_id)
        .where(
            Escalation.acknowledged_at.is_(None),
            or_(Escalation.raised_by_id.in_(members), Loan.assigned_to_id.in_(members)),
        )
        .order_by(Escalation.raised_at, Escalation.id)
    )


# -- texts ---------------------------------------------------------------------------------


@cache
def _rule_texts() -> dict[str, Localized]:
    """Each rule's and account stop's text by id, the default profile's first."""
    texts: dict[str, Localized] = {}
    for code in (DEFAULT_PROFILE, *available_profiles()):
        profile = load_profile(code)
        for rule in profile.rules:
            texts.setdefault(rule.id, Localized(rule.en, rule.zh_CN))
        for stop in profile.stops:
            texts.setdefault(stop.id, Localized(stop.en, stop.zh_CN))
    return texts


def rule_text(rule: str) -> Localized:
    """The text of a contact rule (or account stop) id; the id itself when no profile has it."""
    return _rule_texts().get(rule, Localized(rule, rule))


def kind_text(kind: str) -> Localized:
    """The text of an escalation kind; the code itself for a kind no longer in the data."""
    known = escalation_kinds().get(kind)
    return Localized(known.en, known.zh_CN) if known else Localized(kind, kind)


# -- the report ----------------------------------------------------------------------------


@dataclass
class _Tally:
    """One member's figures as the queries' groups add up."""

    attempts: int = 0
    contacts: int = 0
    rpcs: int = 0
    ptps: int = 0
    promises_due: int = 0
    promises_kept: int = 0
    promised_amount: Decimal = ZERO
    collected_amount: Decimal = ZERO
    handled: int = 0
    handle_seconds: int = 0
    checklist_required: int = 0
    checklist_complete: int = 0
    escalations: int = 0
    blocks: int = 0
    assigned: int = 0  # accounts in the bucket table (not a KPI; puts them on the list)

    def active(self) -> bool:
        return any(getattr(self, item.name) for item in fields(self))

    def add(self, other: _Tally) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def kpis(self, user_id: uuid.UUID | None, username: str, display_name: str) -> CollectorKpis:
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        del values["assigned"]
        return CollectorKpis(
            user_id=user_id, username=username, display_name=display_name, **values
        )


@dataclass
class _Figures:
    """The queries' rows, keyed, before they become the report's tuples."""

    tallies: dict[uuid.UUID, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    checklists: dict[tuple[uuid.UUID, str | None], list[int]] = field(default_factory=dict)
    buckets: dict[tuple[uuid.UUID, int], list[int]] = field(default_factory=dict)
    blocks: dict[tuple[uuid.UUID, str], int] = field(default_factory=dict)
    escalations: dict[tuple[uuid.UUID, str], list[int]] = field(default_factory=dict)
    day_rpcs: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    day_ptps: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    day_collected: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _money(value: Decimal | None) -> Decimal:
    return ZERO if value is None else value


def _read(session: Session, span: _Span, members: Sequence[uuid.UUID]) -> _Figures:
    """Run one query per section and file its grouped rows."""
    found = _Figures()
    tallies = found.tallies
    # Core rows straight from the connection: these are no ORM entities.
    run = session.connection().execute
    # One row per member, emotion and day: summed per member and emotion first.
    by_emotion: dict[tuple[uuid.UUID, str | None], list[Any]] = {}
    for user_id, emotion, n, attempts, contacts, rpcs, handle, complete, ptps, promised in run(
        _attempt_figures(span, members)
    ):
        sums = by_emotion.get((user_id, emotion))
        if sums is None:
            sums = by_emotion[(user_id, emotion)] = [0, 0, 0, 0, 0, 0, ZERO]
        sums[0] += attempts
        sums[1] += contacts
        sums[2] += rpcs
        sums[3] += handle or 0
        sums[4] += complete
        sums[5] += ptps
        sums[6] += _money(promised)
        found.day_rpcs[n] += rpcs
        found.day_ptps[n] += ptps
    for (user_id, emotion), sums in by_emotion.items():
        attempts, contacts, rpcs, handle, complete, ptps, promised = sums
        tally = tallies[user_id]
        tally.attempts += attempts
        tally.contacts += contacts
        tally.rpcs += rpcs
        tally.ptps += ptps
        tally.promised_amount += promised
        tally.handled += contacts
        tally.handle_seconds += int(handle)
        # Every answered contact required its checklist.
        tally.checklist_required += contacts
        tally.checklist_complete += complete
        if contacts:
            found.checklists[(user_id, emotion)] = [contacts, complete]
    for row in run(_due_promises(span, members)):
        tallies[row.user_id].promises_due += row.due
        tallies[row.user_id].promises_kept += row.kept
    for row in run(_collected(span, members)):
        tallies[row.credited].collected_amount += _money(row.amount)
        found.day_collected[row.n] += _money(row.amount)
    for row in run(_escalation_figures(span, members)):
        tallies[row.raised_by_id].escalations += row.raised
        found.escalations[(row.raised_by_id, row.kind)] = [row.raised, row.open]
    for row in run(_block_figures(span, members)):
        tallies[row.user_id].blocks += row.blocks
        found.blocks[(row.user_id, row.rule)] = row.blocks
    for row in run(_bucket_figures(span, members, per_account=_per_account(session))):
        tallies[row.user_id].assigned += row.accounts
        found.buckets[(row.user_id, row.at_start)] = [row.accounts, row.cured, row.rolled]
    return found


def _listed(scope: TeamScope, tallies: Mapping[uuid.UUID, _Tally]) -> list[Member]:
    """Collectors and field agents, and anyone else with activity, in the team's name order."""
    return [
        member
        for member in scope.members
        if member.role in _WORKERS or (member.id in tallies and tallies[member.id].active())
    ]


def _with_team_rows(
    per_member: Mapping[tuple[uuid.UUID, Any], Sequence[int]],
    order: Sequence[uuid.UUID],
    key_order: Iterable[Any],
) -> list[tuple[uuid.UUID | None, Any, list[int]]]:
    """Rows per member (in `order`) then the team's sums (user None), each by key order."""
    keys = list(key_order)
    rank = {key: index for index, key in enumerate(keys)}
    seen = sorted(
        {key for _, key in per_member},
        key=lambda key: (key not in rank, rank.get(key, 0), str(key)),
    )
    rows: list[tuple[uuid.UUID | None, Any, list[int]]] = []
    for user_id in order:
        for key in seen:
            counts = per_member.get((user_id, key))
            if counts is not None:
                rows.append((user_id, key, list(counts)))
    for key in seen:
        sums: list[int] = []
        for (_, other), counts in per_member.items():
            if other == key:
                sums = [a + b for a, b in zip(sums, counts, strict=True)] if sums else list(counts)
        rows.append((None, key, sums))
    return rows


def team_report(
    db: Database,
    username: str,
    start: date,
    end: date,
    team: str | None = None,
    *,
    now: datetime | None = None,
) -> KpiReport:
    """Every KPI of docs/domain.md §8 for a team from `start` to `end` (both included), per member
    and for the team; only a team lead (their own team) or an administrator may ask.

    team: the team's name (default: the lead's own). now: the report's time stamp.
    """
    span = _span(start, end)
    generated = (now or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        _consistent(session)
        scope = team_scope(session, username, team)
        members = scope.member_ids
        found = _read(session, span, members)
        opened = session.connection().execute(_unacknowledged(members)).all()
        reminders = _reminders(session, span, scope)

    listed = _listed(scope, found.tallies)
    order = [member.id for member in listed]
    collectors = tuple(
        found.tallies.get(member.id, _Tally()).kpis(member.id, member.username, member.display_name)
        for member in listed
    )
    sum_all = _Tally()
    for member in listed:
        sum_all.add(found.tallies.get(member.id, _Tally()))
    codes = [bucket.code for bucket in buckets()]
    return KpiReport(
        team=scope.team,
        start=start,
        end=end,
        generated_at=generated,
        collectors=collectors,
        total=sum_all.kpis(None, "", scope.team),
        buckets=tuple(
            BucketMovement(user_id, codes[index], *counts)
            for user_id, index, counts in _with_team_rows(found.buckets, order, range(len(codes)))
        ),
        checklists=tuple(
            ChecklistByEmotion(user_id, emotion, *counts)
            for user_id, emotion, counts in _with_team_rows(
                found.checklists, order, [*emotions(), None]
            )
        ),
        blocks=tuple(
            BlocksByRule(user_id, rule, rule_text(rule), counts[0])
            for user_id, rule, counts in _with_team_rows(
                {key: [value] for key, value in found.blocks.items()}, order, ()
            )
        ),
        escalations=tuple(
            EscalationsByKind(user_id, kind, kind_text(kind), *counts)
            for user_id, kind, counts in _with_team_rows(
                found.escalations, order, escalation_kinds()
            )
        ),
        trend=tuple(
            DayTrend(day, found.day_rpcs[n], found.day_ptps[n], found.day_collected[n])
            for n, (day, _, _) in enumerate(span.days)
        ),
        unacknowledged=tuple(
            OpenEscalation(
                id=row.id,
                raised_at=row.raised_at,
                kind=row.kind,
                kind_text=kind_text(row.kind),
                urgent=_urgent(row.kind),
                contract_no=row.contract_no,
                raised_by=row.display_name,
            )
            for row in opened
        ),
        reminders=reminders,
    )


def _urgent(kind: str) -> bool:
    known = escalation_kinds().get(kind)
    return bool(known and known.urgent)


def _per_account(session: Session) -> bool:
    """Whether the buckets are read account by account (SQLite; see `_loan_buckets`)."""
    return session.get_bind().dialect.name == "sqlite"


def _consistent(session: Session) -> None:
    """On PostgreSQL: every section reads one snapshot, so the tables agree with each other.

    For this transaction only, no JIT (compiling the checklist's long CASE took PostgreSQL 15
    half a minute on a million attempts, for a query that then runs in a second) and memory
    enough to group the span's attempts in one hash table rather than sort them on disk.
    """
    if session.get_bind().dialect.name == "postgresql":
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        connection.exec_driver_sql("SET LOCAL jit = off")
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")


# -- drilling down -------------------------------------------------------------------------


def drill_down(
    db: Database,
    username: str,
    start: date,
    end: date,
    drill: Drill,
    team: str | None = None,
) -> tuple[ContactRow, ...]:
    """The contacts behind one figure of `team_report` for the same span, in time order."""
    span = _span(start, end)
    _check_drill(span, drill)
    with db.reader() as session:
        _consistent(session)
        scope = team_scope(session, username, team)
        members = scope.member_ids
        if drill.user_id is not None and drill.user_id not in members:
            raise NotFound("That person is not a member of team {team}.", team=scope.team)
        users = members if drill.user_id is None else (drill.user_id,)
        where = _drill_where(span, members, users, drill, per_account=_per_account(session))
        return contact_rows(session, *where)


def _check_drill(span: _Span, drill: Drill) -> None:
    if drill.kpi not in DRILLS:
        raise InvalidInput(
            "There is no figure “{kpi}” to open (one of {known}).",
            kpi=drill.kpi,
            known=", ".join(DRILLS),
        )
    if drill.kpi not in _KEYED:
        return
    if drill.kpi.startswith("day_"):
        day = _drill_day(span, drill.key)
        if day is None:
            raise InvalidInput(
                "Say which day of the report to open ({start} to {end}, as YYYY-MM-DD).",
                start=span.start.isoformat(),
                end=span.end.isoformat(),
            )
    elif drill.key not in [bucket.code for bucket in buckets()]:
        raise InvalidInput(
            "Say which bucket to open (one of {known}).",
            known=", ".join(bucket.code for bucket in buckets()),
        )


def _drill_day(span: _Span, key: str | None) -> tuple[datetime, datetime] | None:
    try:
        day = date.fromisoformat(key or "")
    except ValueError:
        return None
    for known, lo, hi in span.days:
        if known == day:
            return lo, hi
    return None


def _drill_where(
    span: _Span,
    members: Sequence[uuid.UUID],
    users: Sequence[uuid.UUID],
    drill: Drill,
    *,
    per_account: bool,
) -> tuple[ColumnElement[bool], ...]:
    attempt = ContactAttempt
    kpi, key = drill.kpi, drill.key
    mine = _worked_by(attempt, users, span)
    team_in_span = _worked_by(attempt, members, span)
    with_promise = attempt.id.in_(
        select(PromiseToPay.attempt_id).where(PromiseToPay.attempt_id.is_not(None))
    )
    if kpi == "attempts":
        return (*mine, attempt.disposition.in_(codes_with("attempt")))
    if kpi in ("contacts", "handled"):
        return (*mine, attempt.disposition.in_(codes_with("contact")))
    if kpi == "rpcs":
        return (*mine, attempt.disposition.in_(codes_with("rpc")))
    if kpi == "ptps":
        return (*mine, attempt.disposition.in_(codes_with("attempt")), with_promise)
    if kpi in ("promises_due", "promises_kept"):
        kept = (PromiseToPay.status == PromiseStatus.KEPT,) if kpi == "promises_kept" else ()
        made = select(PromiseToPay.attempt_id).where(*_due_in(span), *kept)
        # Promises made on a visit have no contact to show.
        return (attempt.user_id.in_(users), attempt.id.in_(made))
    if kpi == "collected":
        credits = _credits(span, members, attempt=True)
        return (attempt.user_id.in_(users), attempt.id.in_(select(credits.c.credited)))
    if kpi in ("checklist_required", "checklist_incomplete"):
        complete = _complete()
        which: tuple[ColumnElement[bool], ...] = ()
        if key == NO_EMOTION:
            which = (attempt.emotion.is_(None),)
        elif key is not None:
            which = (attempt.emotion == key,)
        state = complete == false() if kpi == "checklist_incomplete" else complete.is_not(None)
        return (*mine, state, *which)
    if kpi == "escalations":
        kind = (Escalation.kind == key,) if key is not None else ()
        raised = select(Escalation.attempt_id).where(*_raised(span, users), *kind)
        return (attempt.id.in_(raised),)
    if kpi == "blocks":
        rule = (ContactBlock.rule == key,) if key is not None else ()
        blocked = select(ContactBlock.loan_id).where(*_blocked(span, users), *rule)
        return (*team_in_span, attempt.loan_id.in_(blocked))
    if kpi in ("bucket_start", "cured", "rolled"):
        moves = _loan_buckets(span, members, per_account=per_account)
        index = [bucket.code for bucket in buckets()].index(key or "")
        moved = {"bucket_start": (), "cured": (_cured(moves),), "rolled": (_rolled(moves),)}[kpi]
        accounts = select(moves.c.loan_id).where(
            moves.c.user_id.in_(users), moves.c.at_start == index, *moved
        )
        return (*team_in_span, attempt.loan_id.in_(accounts))
    # One day of the trend.
    bounds = _drill_day(span, key)
    assert bounds is not None
    lo, hi = bounds
    on_day = (attempt.user_id.in_(users), attempt.started_at >= lo, attempt.started_at < hi)
    if kpi == "day_rpcs":
        return (*on_day, attempt.disposition.in_(codes_with("rpc")))
    if kpi == "day_ptps":
        return (*on_day, attempt.disposition.in_(codes_with("attempt")), with_promise)
    credits = _credits(span, members, attempt=True)
    paid = select(credits.c.credited).where(credits.c.paid_at >= lo, credits.c.paid_at < hi)
    return (attempt.user_id.in_(users), attempt.id.in_(paid))


__all__ = [
    "DRILLS",
    "MAX_DAYS",
    "NO_EMOTION",
    "BlocksByRule",
    "BucketMovement",
    "ChecklistByEmotion",
    "CollectorKpis",
    "ContactRow",
    "DayTrend",
    "Drill",
    "EscalationsByKind",
    "KpiReport",
    "OpenEscalation",
    "ReminderFigures",
    "drill_down",
    "kind_text",
    "rule_text",
    "team_report",
]
