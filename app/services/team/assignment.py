"""A team lead's queue management (docs/domain.md §1; issue 6): the team's accounts and who works
them, moves between collectors (chosen by hand, or by a rule previewed before it applies),
home-visit requests, and priority overrides that lapse on a date.

The team's pool (issue 16) is its accounts nobody is assigned to yet (`Loan.team_id` names the
team, set by the import or the feed). They are listed with the team's accounts, without an
assignee, and allocated as accounts are moved: by hand, or by a rule (`AccountFilter.pool`).
Only moving applies to them: a priority or a visit request waits until someone works the
account. On PostgreSQL only a lead of the team sees the pool (migration 0011).

Every write is one unit of work on the lead's own copy, with one audit event per account, and
nothing is written unless every account passes. Sync takes it to the central database, where
row-level security lets only a lead move a loan and only within their team (migration 0006);
each collector's queue changes at their next sync: an account moved away leaves their copy,
one moved to them arrives whole, and an override comes down with its account.

There is no "account in use" lock to respect: `accounts.lock` holds a row for one transaction
only. A collector on a call when the account moves finishes it on their copy; at their next
sync the account leaves their screen. What they logged before the move still reaches the
central database at that sync: for a week after a move, it takes the previous collector's
writes on the account (the handover in migration 0006). Only a team lead changes anything
here; an administrator reads the team's accounts but the central database takes no move from
them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    ContactAttempt,
    Loan,
    LoanStatus,
    PriorityOverride,
    Role,
    User,
    VisitRequest,
)
from app.models.types import money_from_raw
from app.services.common.audit import audit
from app.services.common.clock import business_zone, day_start, local_today
from app.services.common.errors import (
    Checks,
    InvalidDate,
    InvalidInput,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.money import ZERO
from app.services.common.reference import bucket_for, buckets, dispositions, queue_weights
from app.services.common.scope import find_user
from app.services.common.teams import Member, TeamScope, team_scope
from app.services.common.typed import written_text
from app.services.contact.queue import LeadPriority, overdue_balances, priorities_in_force
from app.services.field.visits import request_visit, visit_reason

# Who works accounts, so who may receive them. Not a lead: a lead's queue is the whole team's,
# so an account parked on the lead would drop out of every collector's queue and nobody would
# be asked to work it.
WORKERS = (Role.COLLECTOR, Role.FIELD_AGENT)
# How a rule spreads the accounts: so each target ends with about as many, or as much overdue.
BALANCE_BY = ("count", "amount")
# As long as priority_overrides.reason holds (and as visit requests allow).
MAX_REASON = 200


# -- the team's accounts ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamAccount:
    """One active loan of the team, as the lead's list shows it."""

    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    city: str
    district: str
    # The user name and name of whoever works it; None for an account in the team's pool.
    assignee: str | None
    assignee_name: str | None
    assigned_at: datetime | None
    dpd: int
    bucket: str
    overdue: Decimal
    currency: str
    # The day (business zone) someone last answered on the account.
    last_contact_on: date | None
    # The reason of an open home-visit request, if there is one.
    visit_request: str | None
    priority: LeadPriority | None
    # The borrower flags that stop or pause collection (BORROWER_FLAGS), set ones only.
    paused: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "contract_no": self.contract_no,
            "borrower": self.borrower,
            "city": self.city,
            "district": self.district,
            "assignee": self.assignee,
            "assignee_name": self.assignee_name,
            "dpd": self.dpd,
            "bucket": self.bucket,
            "overdue": str(self.overdue),
            "currency": self.currency,
            "last_contact_on": None if self.last_contact_on is None else str(self.last_contact_on),
            "visit_request": self.visit_request,
            "priority": None
            if self.priority is None
            else {
                "level": self.priority.level,
                "expires_at": self.priority.expires_at.astimezone(UTC).isoformat(),
            },
            "paused": list(self.paused),
        }


@dataclass(frozen=True)
class AccountFilter:
    """Which of the team's accounts: every field left empty lets everything through."""

    assignees: tuple[str, ...] = ()  # user names
    # The team's pool (accounts nobody is assigned to), alone or besides `assignees`.
    pool: bool = False
    buckets: tuple[str, ...] = ()
    min_dpd: int | None = None
    max_dpd: int | None = None
    # Part of the city or district name.
    area: str = ""
    # Part of the contract number or the borrower's name.
    text: str = ""

    def matches(self, account: TeamAccount) -> bool:
        if self.assignees or self.pool:
            held = account.assignee
            if not (self.pool and held is None) and held not in self.assignees:
                return False
        if self.buckets and account.bucket not in self.buckets:
            return False
        if self.min_dpd is not None and account.dpd < self.min_dpd:
            return False
        if self.max_dpd is not None and account.dpd > self.max_dpd:
            return False
        area = self.area.strip().casefold()
        if area and area not in f"{account.city}{account.district}".casefold():
            return False
        text = self.text.strip().casefold()
        return (
            not text
            or text in account.contract_no.casefold()
            or text in account.borrower.casefold()
        )

    def is_empty(self) -> bool:
        return self == AccountFilter()

    def check(self, scope: TeamScope) -> None:
        """InvalidInput (or NotFound for a stranger) when the filter cannot mean anything:
        every problem at once, at "buckets", "min_dpd" / "max_dpd" or "assignees"."""
        checks = Checks()
        known = [bucket.code for bucket in buckets()]
        for code in self.buckets:
            if code not in known:
                checks.add(
                    "buckets",
                    InvalidInput(
                        "There is no bucket “{bucket}”; the buckets are {buckets}.",
                        bucket=code,
                        buckets=", ".join(known),
                    ),
                )
        for name, bound in (("min_dpd", self.min_dpd), ("max_dpd", self.max_dpd)):
            if bound is not None and bound < 0:
                checks.add(
                    name, InvalidInput("Days past due cannot be negative ({dpd}).", dpd=bound)
                )
        if self.min_dpd is not None and self.max_dpd is not None and self.min_dpd > self.max_dpd:
            checks.add(
                "min_dpd",
                InvalidInput(
                    "The DPD range {low}–{high} is empty.", low=self.min_dpd, high=self.max_dpd
                ),
            )
        for username in self.assignees:
            checks.check("assignees", scope.member, username)
        checks.verdict()


def team_accounts(
    db: Database,
    username: str,
    flt: AccountFilter | None = None,
    team: str | None = None,
    *,
    now: datetime | None = None,
) -> tuple[TeamAccount, ...]:
    """The team's active loans matching `flt`, by contract number (team leads only)."""
    now = now or datetime.now(UTC)
    flt = flt or AccountFilter()
    with db.reader() as session:
        scope = team_scope(session, username, team)
        flt.check(scope)
        named = flt.assignees or flt.pool
        workers = (
            [scope.member(name).id for name in flt.assignees] if named else list(scope.member_ids)
        )
        pool = scope.team_id if flt.pool or not named else None
        return tuple(a for a in _load(session, workers, now, pool) if flt.matches(a))


def pool_accounts(
    db: Database,
    username: str,
    flt: AccountFilter | None = None,
    team: str | None = None,
    *,
    now: datetime | None = None,
) -> tuple[TeamAccount, ...]:
    """The team's pool: its active accounts nobody is assigned to, matching `flt` (leads)."""
    flt = flt or AccountFilter()
    if flt.assignees:
        raise InvalidInput("The pool's accounts have no collector: leave the collector out.")
    return team_accounts(db, username, replace(flt, pool=True), team, now=now)


def reassign_targets(db: Database, username: str, team: str | None = None) -> tuple[Member, ...]:
    """The members accounts may go to: the team's active collectors and field agents."""
    with db.reader() as session:
        scope = team_scope(session, username, team)
        return _targets(session, scope)


def _targets(session: Session, scope: TeamScope) -> tuple[Member, ...]:
    return tuple(m for m in scope.members if m.active and m.role in WORKERS)


def _load(
    session: Session, workers: Sequence[uuid.UUID], now: datetime, pool: uuid.UUID | None = None
) -> list[TeamAccount]:
    """The active loans of `workers` (and of the pool of team `pool`) with balance, last
    contact, visit request and override.

    A few queries over the whole set, as the queue reads its accounts: a team holds thousands.
    """
    today = local_today(now)
    held: Any = Loan.assigned_to_id.in_(workers)
    if pool is not None:
        held = or_(held, and_(Loan.assigned_to_id.is_(None), Loan.team_id == pool))
    mine = (held, Loan.status == LoanStatus.ACTIVE)
    balance = overdue_balances(today, *mine)
    answered = [code for code, flags in dispositions().items() if flags.contact]
    last_contact = (
        select(ContactAttempt.loan_id, func.max(ContactAttempt.started_at).label("at"))
        .join(Loan, Loan.id == ContactAttempt.loan_id)
        .where(*mine, ContactAttempt.disposition.in_(answered))
        .group_by(ContactAttempt.loan_id)
        .subquery()
    )
    requested = (
        select(VisitRequest.loan_id, func.max(VisitRequest.reason).label("reason"))
        .join(Loan, Loan.id == VisitRequest.loan_id)
        .where(*mine, VisitRequest.closed_at.is_(None))
        .group_by(VisitRequest.loan_id)
        .subquery()
    )
    statement = (
        select(
            Loan.id,
            Loan.contract_no,
            Loan.currency,
            Loan.assigned_at,
            User.username,
            User.display_name,
            Borrower.name,
            Borrower.city,
            Borrower.district,
            balance.c.oldest_due,
            balance.c.principal,
            balance.c.interest,
            balance.c.fees,
            balance.c.penalty,
            balance.c.accruing,
            last_contact.c.at,
            requested.c.reason,
            *(getattr(Borrower, flag) for flag in BORROWER_FLAGS),
        )
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .outerjoin(User, User.id == Loan.assigned_to_id)
        .outerjoin(balance, balance.c.loan_id == Loan.id)
        .outerjoin(last_contact, last_contact.c.loan_id == Loan.id)
        .outerjoin(requested, requested.c.loan_id == Loan.id)
        .where(*mine)
        .order_by(Loan.contract_no)
    )
    priorities = priorities_in_force(session.connection(), workers, now)
    zone = business_zone()
    found = []
    for row in session.execute(statement):
        (loan_id, contract_no, currency, assigned_at, assignee, name, borrower, city, district,
         oldest_due, principal, interest, fees, penalty, accruing, contacted,
         request) = row[:17]  # fmt: skip
        dpd = (today - oldest_due).days if oldest_due is not None else 0
        # Raw sums add up as they are (cents on SQLite, decimals on a server); one conversion.
        overdue = money_from_raw(
            sum(part or 0 for part in (principal, interest, fees, penalty, accruing))
        )
        found.append(
            TeamAccount(
                loan_id=loan_id,
                contract_no=contract_no,
                borrower=borrower,
                city=city,
                district=district,
                assignee=assignee,
                assignee_name=name,
                assigned_at=assigned_at,
                dpd=dpd,
                bucket=bucket_for(dpd),
                overdue=overdue,
                currency=currency,
                last_contact_on=None if contacted is None else contacted.astimezone(zone).date(),
                visit_request=request,
                priority=priorities.get(loan_id.hex),
                paused=tuple(flag for flag, on in zip(BORROWER_FLAGS, row[17:], strict=True) if on),
            )
        )
    return found


# -- moving accounts -------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectorChange:
    """How many accounts one member gains and loses in a move."""

    username: str
    name: str
    gained: int
    lost: int


@dataclass(frozen=True)
class Reassigned:
    """What a move did: the accounts moved, those already with their target, and per member."""

    moved: tuple[str, ...]
    unchanged: tuple[str, ...]
    changes: tuple[CollectorChange, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "moved": list(self.moved),
            "unchanged": list(self.unchanged),
            "changes": [
                {"username": c.username, "name": c.name, "gained": c.gained, "lost": c.lost}
                for c in self.changes
            ],
        }


def reassign(
    db: Database,
    username: str,
    contract_nos: Sequence[str],
    to_username: str,
    *,
    reason: str,
    team: str | None = None,
    now: datetime | None = None,
) -> Reassigned:
    """Give the accounts to `to_username`, a collector or field agent of the lead's team.

    All or nothing: every account must be an active loan of the team (or of its pool, which
    allocates it). Accounts already with `to_username` are left as they are and reported
    unchanged. One audit event per moved loan.
    """
    now = now or datetime.now(UTC)
    checks = Checks()
    why = checks.check("reason", _moving_reason, reason)
    wanted = checks.check(None, _contracts, contract_nos)
    with db.session() as session:
        scope = _lead_scope(session, username, team)
        target = checks.check("to", _target, session, scope, to_username)
        checks.verdict()
        assert why is not None and wanted is not None and target is not None
        loans = _team_loans(session, scope, wanted, pool=True)
        return _move(session, scope, [(loan, target) for loan in loans], why, now)


def _lead_scope(session: Session, username: str, team: str | None) -> TeamScope:
    """The team, for a change only its lead may make: the central database takes a move, an
    override or a visit request from a team lead alone (an administrator reads, as elsewhere)."""
    scope = team_scope(session, username, team)
    if find_user(session, username).role is not Role.TEAM_LEAD:
        raise NotAllowed("Only a team lead can change the team's accounts.")
    return scope


def _move(
    session: Session,
    scope: TeamScope,
    moves: Sequence[tuple[Loan, Member]],
    reason: str,
    now: datetime,
) -> Reassigned:
    members = {member.id: member for member in scope.members}
    gained: dict[uuid.UUID, int] = {}
    lost: dict[uuid.UUID, int] = {}
    moved, unchanged = [], []
    for loan, target in moves:
        if loan.assigned_to_id == target.id:
            unchanged.append(loan.contract_no)
            continue
        source = loan.assigned_to_id
        loan.assigned_to_id = target.id
        loan.previous_assignee_id = source
        loan.assigned_at = now
        gained[target.id] = gained.get(target.id, 0) + 1
        if source is not None:
            lost[source] = lost.get(source, 0) + 1
        moved.append(loan.contract_no)
        # From the pool, an account is allocated; between members it is reassigned.
        audit(
            session,
            "loan.reassigned" if source is not None else "loan.allocated",
            "loan",
            loan.id,
            {
                "contract_no": loan.contract_no,
                "from": None if source is None else members[source].username,
                "to": target.username,
                "reason": reason,
            },
            user_id=scope.viewer_id,
        )
    changes = tuple(
        CollectorChange(m.username, m.display_name, gained.get(m.id, 0), lost.get(m.id, 0))
        for m in scope.members
        if m.id in gained or m.id in lost
    )
    return Reassigned(tuple(moved), tuple(unchanged), changes)


# -- moving by rule --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReassignRule:
    """Move every team account `accounts` matches to the `to` members, spread so each ends
    with a fair share by `by`: "count" (about as many accounts) or "amount" (as much overdue)."""

    accounts: AccountFilter
    to: tuple[str, ...]
    reason: str
    by: str = "count"
    team: str | None = None


@dataclass(frozen=True)
class PlannedMove:
    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    from_username: str | None  # None: from the team's pool
    to_username: str
    overdue: Decimal
    currency: str


@dataclass(frozen=True)
class TargetShare:
    """One target's accounts before and after the plan (all their team accounts)."""

    username: str
    name: str
    before_count: int
    before_amount: Decimal
    after_count: int
    after_amount: Decimal


@dataclass(frozen=True)
class ReassignPlan:
    """Who gets what, to preview before `apply_reassignment`."""

    team: str
    by: str
    reason: str
    moves: tuple[PlannedMove, ...]
    # Matching accounts the plan leaves with the target that already holds them.
    unchanged: tuple[str, ...]
    shares: tuple[TargetShare, ...]
    changes: tuple[CollectorChange, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "by": self.by,
            "reason": self.reason,
            "moves": [
                {
                    "contract_no": m.contract_no,
                    "borrower": m.borrower,
                    "from": m.from_username,
                    "to": m.to_username,
                    "overdue": str(m.overdue),
                }
                for m in self.moves
            ],
            "unchanged": list(self.unchanged),
            "shares": [
                {
                    "username": s.username,
                    "name": s.name,
                    "before": {"count": s.before_count, "amount": str(s.before_amount)},
                    "after": {"count": s.after_count, "amount": str(s.after_amount)},
                }
                for s in self.shares
            ],
        }


@dataclass
class _Load:
    count: int = 0
    amount: Decimal = field(default_factory=lambda: ZERO)


def plan_reassignment(
    db: Database, username: str, rule: ReassignRule, *, now: datetime | None = None
) -> ReassignPlan:
    """Who would get which account under `rule`; nothing is written.

    Greedy and deterministic: the matching accounts, largest overdue first (then by contract),
    each go to the target holding the least so far by `rule.by`, counting what the targets
    hold outside the rule; ties go to the account's current holder, then by user name.
    """
    now = now or datetime.now(UTC)
    # Every problem with the rule at once, each at its part of `ReassignRule` (the filter's
    # by `AccountFilter`'s names, "accounts" for the filter as a whole).
    checks = Checks()
    reason = checks.check("reason", _moving_reason, rule.reason) or ""
    if rule.by not in BALANCE_BY:
        checks.add(
            "by",
            InvalidInput(
                "Spread accounts by one of {choices}, not “{by}”.",
                choices=", ".join(BALANCE_BY),
                by=rule.by,
            ),
        )
    with db.reader() as session:
        scope = team_scope(session, username, rule.team)
        checks.check(None, rule.accounts.check, scope)
        if rule.accounts.is_empty():
            # A rule that names no accounts would deal out the whole team's book.
            checks.add(
                "accounts",
                InvalidInput(
                    "Say which accounts the rule moves: a collector, a bucket, a DPD range or"
                    " an area."
                ),
            )
        if not rule.to:
            checks.add("to", InvalidInput("Choose at least one collector to give the accounts to."))
        found = {name: checks.check("to", _target, session, scope, name) for name in rule.to}
        checks.verdict()
        targets = sorted(
            (member for member in found.values() if member is not None),
            key=lambda member: member.username,
        )
        accounts = _load(session, list(scope.member_ids), now, scope.team_id)
    chosen = sorted(
        (a for a in accounts if rule.accounts.matches(a)),
        key=lambda a: (-a.overdue, a.contract_no),
    )
    in_rule = {a.contract_no for a in chosen}
    before = {t.username: _Load() for t in targets}
    load = {t.username: _Load() for t in targets}
    for account in accounts:
        if account.assignee in load:
            _add(before[account.assignee], account)
            if account.contract_no not in in_rule:
                _add(load[account.assignee], account)

    def weight(target: Member, account: TeamAccount) -> tuple[Any, ...]:
        held = load[target.username]
        first, second = (
            (held.count, held.amount) if rule.by == "count" else (held.amount, held.count)
        )
        return (first, second, target.username != account.assignee, target.username)

    moves, unchanged = [], []
    gained: dict[str, int] = {}
    lost: dict[str, int] = {}
    for account in chosen:
        target = min(targets, key=lambda t: weight(t, account))
        _add(load[target.username], account)
        if target.username == account.assignee:
            unchanged.append(account.contract_no)
            continue
        gained[target.username] = gained.get(target.username, 0) + 1
        if account.assignee is not None:
            lost[account.assignee] = lost.get(account.assignee, 0) + 1
        moves.append(
            PlannedMove(
                account.loan_id,
                account.contract_no,
                account.borrower,
                account.assignee,
                target.username,
                account.overdue,
                account.currency,
            )
        )
    return ReassignPlan(
        team=scope.team,
        by=rule.by,
        reason=reason,
        moves=tuple(moves),
        unchanged=tuple(sorted(unchanged)),
        shares=tuple(
            TargetShare(
                t.username,
                t.display_name,
                before[t.username].count,
                before[t.username].amount,
                load[t.username].count,
                load[t.username].amount,
            )
            for t in targets
        ),
        changes=tuple(
            CollectorChange(
                m.username, m.display_name, gained.get(m.username, 0), lost.get(m.username, 0)
            )
            for m in scope.members
            if m.username in gained or m.username in lost
        ),
    )


def _add(load: _Load, account: TeamAccount) -> None:
    load.count += 1
    load.amount += account.overdue


def apply_reassignment(
    db: Database, username: str, plan: ReassignPlan, *, now: datetime | None = None
) -> Reassigned:
    """Make the moves of `plan`, all or nothing; refused when an account changed hands since."""
    now = now or datetime.now(UTC)
    if not plan.moves:
        raise InvalidInput("The plan moves no account.")
    with db.session() as session:
        scope = _lead_scope(session, username, plan.team)
        targets = {
            name: _target(session, scope, name) for name in {m.to_username for m in plan.moves}
        }
        loans = _team_loans(session, scope, [m.contract_no for m in plan.moves], pool=True)
        holders: dict[uuid.UUID | None, str | None] = {None: None}
        holders.update((member.id, member.username) for member in scope.members)
        for loan, move in zip(loans, plan.moves, strict=True):
            if holders[loan.assigned_to_id] != move.from_username:
                raise NotAllowed(
                    "Account {contract_no} changed hands after the plan was made; make the"
                    " plan again.",
                    contract_no=loan.contract_no,
                )
        moves = [(loan, targets[m.to_username]) for loan, m in zip(loans, plan.moves, strict=True)]
        return _move(session, scope, moves, plan.reason, now)


# -- priority overrides ----------------------------------------------------------------------


@dataclass(frozen=True)
class PrioritySet:
    level: str
    expires_at: datetime
    accounts: tuple[str, ...]
    # Accounts whose override in force this one replaced.
    replaced: tuple[str, ...]


@dataclass(frozen=True)
class PriorityCleared:
    cleared: tuple[str, ...]
    # Accounts that had no override in force.
    without: tuple[str, ...]


def priority_levels() -> tuple[str, ...]:
    """The levels a lead may set, highest first (resources/queue_weights.json "override")."""
    weights: dict[str, int] = queue_weights()["override"]
    return tuple(sorted(weights, key=lambda level: -weights[level]))


def longest_priority() -> timedelta:
    """How long a lead may set an override for (queue_weights.json override_max_days)."""
    return timedelta(days=int(queue_weights()["override_max_days"]))


def priority_until(day: date) -> datetime:
    """When an override set "until `day`" lapses: as `day` ends in the lender's zone."""
    return day_start(day + timedelta(days=1))


def set_priority(
    db: Database,
    username: str,
    contract_nos: Sequence[str],
    level: str,
    reason: str,
    expires_at: datetime,
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> PrioritySet:
    """Put the accounts at `level` in their collectors' queues until `expires_at`.

    An override already in force on an account is cleared and replaced. The expiry must lie in
    the future and within override_max_days (queue_weights.json).
    """
    now = now or datetime.now(UTC)
    # Every problem at once, each at its input ("level", "until", "reason").
    checks = Checks()
    if level not in priority_levels():
        checks.add(
            "level",
            InvalidInput(
                "There is no priority “{level}”; choose {levels}.",
                level=level,
                levels=", ".join(priority_levels()),
            ),
        )
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be an aware datetime")
    expires_at = expires_at.astimezone(UTC)
    longest = longest_priority()
    if expires_at <= now:
        checks.add(
            "until",
            InvalidDate(
                "A priority must last into the future; {until} has passed.", until=expires_at
            ),
        )
    elif expires_at > now + longest:
        checks.add(
            "until",
            InvalidDate(
                "A priority lasts at most {days} days: until {latest} at the latest.",
                days=longest.days,
                latest=now + longest,
            ),
        )
    reason = checks.check("reason", _trimmed, reason) or ""
    if not reason and not checks.refused("reason"):
        checks.add(
            "reason",
            InvalidInput("Say why the account comes first (or last): the collector reads it."),
        )
    wanted = checks.check(None, _contracts, contract_nos)
    checks.verdict()
    assert wanted is not None
    with db.session() as session:
        scope = _lead_scope(session, username, team)
        loans = _team_loans(session, scope, wanted)
        current = _in_force(session, [loan.id for loan in loans], now)
        replaced = []
        for loan in loans:
            earlier = current.get(loan.id, [])
            for override in earlier:
                override.cleared_at = now
                override.cleared_by_id = scope.viewer_id
            if earlier:
                replaced.append(loan.contract_no)
            override = PriorityOverride(
                loan_id=loan.id,
                level=level,
                reason=reason,
                set_by_id=scope.viewer_id,
                set_at=now,
                expires_at=expires_at,
            )
            session.add(override)
            session.flush()
            audit(
                session,
                "priority.set",
                "loan",
                loan.id,
                {
                    "contract_no": loan.contract_no,
                    "override_id": str(override.id),
                    "level": level,
                    "expires_at": expires_at.isoformat(),
                    "reason": reason,
                    "replaced": [str(old.id) for old in earlier],
                },
                user_id=scope.viewer_id,
            )
        return PrioritySet(
            level, expires_at, tuple(loan.contract_no for loan in loans), tuple(replaced)
        )


def clear_priority(
    db: Database,
    username: str,
    contract_nos: Sequence[str],
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> PriorityCleared:
    """End the overrides in force on the accounts now; accounts without one are reported."""
    now = now or datetime.now(UTC)
    wanted = _contracts(contract_nos)
    with db.session() as session:
        scope = _lead_scope(session, username, team)
        loans = _team_loans(session, scope, wanted)
        current = _in_force(session, [loan.id for loan in loans], now)
        cleared, without = [], []
        for loan in loans:
            overrides = current.get(loan.id, [])
            if not overrides:
                without.append(loan.contract_no)
                continue
            for override in overrides:
                override.cleared_at = now
                override.cleared_by_id = scope.viewer_id
            cleared.append(loan.contract_no)
            audit(
                session,
                "priority.cleared",
                "loan",
                loan.id,
                {"contract_no": loan.contract_no, "override_ids": [str(o.id) for o in overrides]},
                user_id=scope.viewer_id,
            )
        return PriorityCleared(tuple(cleared), tuple(without))


def _in_force(
    session: Session, loan_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, list[PriorityOverride]]:
    found: dict[uuid.UUID, list[PriorityOverride]] = {}
    for chunk in _chunks(loan_ids):
        for override in session.scalars(
            select(PriorityOverride).where(
                PriorityOverride.loan_id.in_(chunk),
                PriorityOverride.cleared_at.is_(None),
                PriorityOverride.expires_at > now,
            )
        ):
            found.setdefault(override.loan_id, []).append(override)
    return found


# -- home visits -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitsMarked:
    marked: tuple[str, ...]
    # Accounts with a visit request still open: not asked twice.
    already: tuple[str, ...]


def mark_for_visits(
    db: Database,
    username: str,
    contract_nos: Sequence[str],
    reason: str,
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> VisitsMarked:
    """Ask for a home visit on each account (`visits.mark_for_visit` for many), all or nothing;
    the field agents see them among their candidates."""
    now = now or datetime.now(UTC)
    reason = visit_reason(reason)
    wanted = _contracts(contract_nos)
    with db.session() as session:
        scope = _lead_scope(session, username, team)
        loans = _team_loans(session, scope, wanted)
        viewer = session.get_one(User, scope.viewer_id)
        open_requests: set[uuid.UUID] = set()
        for chunk in _chunks([loan.id for loan in loans]):
            open_requests.update(
                session.scalars(
                    select(VisitRequest.loan_id).where(
                        VisitRequest.loan_id.in_(chunk), VisitRequest.closed_at.is_(None)
                    )
                )
            )
        marked, already = [], []
        for loan in loans:
            if loan.id in open_requests:
                already.append(loan.contract_no)
                continue
            request_visit(session, viewer, loan, reason, now)
            marked.append(loan.contract_no)
        return VisitsMarked(tuple(marked), tuple(already))


# -- shared checks ---------------------------------------------------------------------------


def _moving_reason(reason: str) -> str:
    reason = _trimmed(reason)
    if not reason:
        raise InvalidInput("Say why the accounts move: the audit trail keeps it.")
    return reason


def _trimmed(reason: str) -> str:
    """A lead's reason without surrounding blanks ("" when none); InvalidInput when too long."""
    reason = written_text(reason, Message("The reason"))
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            "The reason is too long ({length} characters; at most 200).", length=len(reason)
        )
    return reason


def _contracts(contract_nos: Iterable[str]) -> list[str]:
    """The contract numbers given, trimmed, each once, in the order given."""
    wanted = list(dict.fromkeys(no.strip() for no in contract_nos if no.strip()))
    if not wanted:
        raise InvalidInput("Choose at least one account.")
    return wanted


def _target(session: Session, scope: TeamScope, username: str) -> Member:
    """`username` as a member who may receive accounts: an active collector or field agent."""
    user = find_user(session, username)
    if user.team_id != scope.team_id:
        raise NotAllowed(
            "{username} is not in team {team}: its accounts stay within the team.",
            username=username,
            team=scope.team,
        )
    if user.role not in WORKERS:
        raise NotAllowed(
            "{username} does not work a queue: accounts go to collectors and field agents.",
            username=username,
        )
    return scope.member(username)


def _team_loans(
    session: Session, scope: TeamScope, contract_nos: Sequence[str], *, pool: bool = False
) -> list[Loan]:
    """The loans, in the order given, held for this unit of work; all must be active loans of
    the team (`pool`: or of its pool), or nothing happens."""
    _hold(session, contract_nos)
    found: dict[str, Loan] = {}
    for chunk in _chunks(contract_nos):
        found.update(
            (loan.contract_no, loan)
            for loan in session.scalars(select(Loan).where(Loan.contract_no.in_(chunk)))
        )
    team = set(scope.member_ids)
    for contract_no in contract_nos:
        loan = found.get(contract_no)
        if loan is None:
            raise NotFound(
                "There is no account with contract number “{contract_no}”.",
                contract_no=contract_no,
            )
        pooled = loan.assigned_to_id is None and loan.team_id == scope.team_id
        if pooled and not pool:
            raise InvalidInput(
                "Account {contract_no} is in the team's pool: give it to a collector first.",
                contract_no=contract_no,
            )
        if loan.assigned_to_id not in team and not pooled:
            raise NotAllowed(
                "Account {contract_no} is not one of team {team}'s.",
                contract_no=contract_no,
                team=scope.team,
            )
        if loan.status is not LoanStatus.ACTIVE:
            raise InvalidInput(
                "Account {contract_no} is closed ({status}); only active accounts are worked.",
                contract_no=contract_no,
                status=loan.status.value,
            )
    return [found[contract_no] for contract_no in contract_nos]


def _hold(session: Session, contract_nos: Sequence[str]) -> None:
    """Hold the loans before reading them, as `accounts.lock` holds one: two leads moving the
    same accounts at once cannot both act on what they read."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    for chunk in _chunks(contract_nos):
        if sqlite:
            # One writer at a time: a no-op UPDATE takes the write lock now (Loan has no column
            # with an onupdate default, so nothing changes and the outbox sends nothing).
            session.execute(
                update(Loan).where(Loan.contract_no.in_(chunk)).values(id=Loan.id),
                execution_options={"synchronize_session": False},
            )
        else:
            session.execute(select(Loan.id).where(Loan.contract_no.in_(chunk)).with_for_update())


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    # SQLite limits the bound parameters of one statement.
    for start in range(0, len(values), size):
        yield values[start : start + size]


__all__ = [
    "AccountFilter",
    "CollectorChange",
    "LeadPriority",
    "PlannedMove",
    "PriorityCleared",
    "PrioritySet",
    "ReassignPlan",
    "ReassignRule",
    "Reassigned",
    "TargetShare",
    "TeamAccount",
    "VisitsMarked",
    "apply_reassignment",
    "clear_priority",
    "longest_priority",
    "mark_for_visits",
    "plan_reassignment",
    "pool_accounts",
    "priority_levels",
    "priority_until",
    "reassign",
    "reassign_targets",
    "set_priority",
    "team_accounts",
]
