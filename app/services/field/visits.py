"""Home visits (docs/domain.md §1, §4): which accounts, in what route, the day's sheets, the
outcomes.

A field agent's candidates are the accounts assigned to them that a team lead marked for a
visit, or that the rule in resources/visit_policy.json picks (far enough past due, and nobody
reached the borrower for a week). Candidates are grouped by district into a route that is the
same every time for the same accounts; the agent may reorder it before planning. Planning
enforces the home-visit rules of the borrower's compliance profile (two agents, visit hours)
and gives each stop an expected arrival. Outcomes are recorded on the workstation alone, with
no network: everything here reads and writes the local database.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    Escalation,
    FieldVisit,
    Instalment,
    Loan,
    LoanStatus,
    PromiseToPay,
    Role,
    User,
    VisitRequest,
    VisitStatus,
)
from app.services.common.audit import audit
from app.services.common.clock import business_zone, local_today
from app.services.common.errors import (
    Checks,
    DomainError,
    InvalidDate,
    InvalidInput,
    Localized,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.money import parse_amount
from app.services.common.reference import dispositions, emotions, load_json
from app.services.common.scope import find_user, worker_ids
from app.services.common.typed import written_text
from app.services.contact.checklists import validate_checklist
from app.services.contact.compliance import profile_code_for
from app.services.contact.contacts import PromiseInput, validated_promise
from app.services.contact.escalations import kinds_raised_by
from app.services.contact.outcome_rules import promise_date_refusal, refuse_all
from app.services.portfolio.accounts import check_scope, load_loan, loan_balance, lock
from app.services.portfolio.addresses import (
    Address,
    AddressInput,
    CheckedAddress,
    address_text,
    checked_address,
    registered_address,
    visit_address,
)

# The roles that go on visits (a lead may go along as the second agent).
VISITORS = (Role.FIELD_AGENT, Role.TEAM_LEAD)


# -- reference data --------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitOutcome:
    code: str
    en: str
    zh_CN: str
    met: bool
    requires_promise: bool
    checklist_as: str | None
    moved: bool

    def label(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en


@cache
def visit_outcomes() -> dict[str, VisitOutcome]:
    """The outcomes in resources/visit_outcomes.json, in form order."""
    known = dispositions()
    result = {}
    for item in load_json("visit_outcomes.json")["outcomes"]:
        outcome = VisitOutcome(
            code=item["code"],
            en=item["en"],
            zh_CN=item["zh_CN"],
            met=bool(item["met"]),
            requires_promise="promise" in item.get("requires", ()),
            checklist_as=item.get("checklist_as"),
            moved=bool(item.get("moved", False)),
        )
        if outcome.met and outcome.checklist_as not in known:
            raise ValueError(f"visit outcome {outcome.code}: checklist_as must be a call outcome")
        result[outcome.code] = outcome
    return result


@dataclass(frozen=True)
class VisitRule:
    id: str
    en: str
    zh_CN: str

    def text(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en


@dataclass(frozen=True)
class HomeVisitRules:
    """The home-visit section of a compliance profile."""

    profile: str
    min_agents: int
    opens: time
    closes: time
    rules: tuple[VisitRule, ...]
    recording_notice: Localized
    checklist: tuple[VisitRule, ...]
    zone: str

    def hours(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


@cache
def home_visit_rules(profile_code: str) -> HomeVisitRules:
    data = load_json(f"compliance/{profile_code}.json")
    block = data["home_visit"]
    return HomeVisitRules(
        profile=profile_code,
        min_agents=int(block["min_agents"]),
        opens=time.fromisoformat(block["hours"]["from"]),
        closes=time.fromisoformat(block["hours"]["until"]),
        rules=tuple(VisitRule(**item) for item in block["rules"]),
        recording_notice=Localized(**block["recording_notice"]),
        checklist=tuple(VisitRule(**item) for item in block["checklist"]),
        zone=data["default_zone"],
    )


@cache
def _policy() -> dict[str, Any]:
    return dict(load_json("visit_policy.json"))


# -- candidates and the route ----------------------------------------------------------------


@dataclass(frozen=True)
class VisitCandidate:
    """An account the agent could visit, with what the route and the planner show."""

    loan_id: uuid.UUID
    contract_no: str
    borrower_name: str
    # Whose home-visit rules apply (resources/compliance/jurisdictions.json).
    country: str
    province: str
    city: str
    district: str
    street: str
    dpd: int
    overdue: Decimal
    currency: str
    # "marked" (a lead asked for it; `note` holds the lead's reason) or "rule".
    reason: str
    note: str
    last_rpc_on: date | None
    planned_for: date | None

    @property
    def area(self) -> tuple[str, str, str]:
        return (self.province, self.city, self.district)

    @property
    def address(self) -> str:
        return address_text(self.province, self.city, self.district, self.street)


def visit_candidates(
    db: Database, username: str, day: date, *, now: datetime | None = None
) -> tuple[VisitCandidate, ...]:
    """The accounts the user may visit on `day`, in route order (see `route`).

    Accounts already planned for another visit not yet made are left out; those planned for
    `day` itself are in (so the day can be replanned), with `planned_for` set.
    """
    now = now or datetime.now(UTC)
    today = local_today(now)
    rule = _policy()["candidates"]
    min_dpd, quiet_days = int(rule["min_dpd"]), int(rule["days_without_rpc"])
    with db.reader() as session:
        user = find_user(session, username)
        workers = worker_ids(session, user)
        oldest_due = (
            select(Instalment.loan_id, func.min(Instalment.due_date).label("oldest"))
            .where(Instalment.settled_on.is_(None), Instalment.due_date < today)
            .group_by(Instalment.loan_id)
            .subquery()
        )
        last_rpc = (
            select(ContactAttempt.loan_id, func.max(ContactAttempt.started_at).label("at"))
            .where(ContactAttempt.right_party.is_(True))
            .group_by(ContactAttempt.loan_id)
            .subquery()
        )
        met_codes = [code for code, outcome in visit_outcomes().items() if outcome.met]
        last_met = (
            select(FieldVisit.loan_id, func.max(FieldVisit.visited_at).label("at"))
            .where(FieldVisit.status == VisitStatus.DONE, FieldVisit.disposition.in_(met_codes))
            .group_by(FieldVisit.loan_id)
            .subquery()
        )
        marked = (
            select(VisitRequest.loan_id, func.max(VisitRequest.reason).label("reason"))
            .where(VisitRequest.closed_at.is_(None))
            .group_by(VisitRequest.loan_id)
            .subquery()
        )
        planned = (
            select(FieldVisit.loan_id, func.min(FieldVisit.planned_for).label("day"))
            # A visit planned for a day gone by and never recorded does not hold the account.
            .where(FieldVisit.status == VisitStatus.PLANNED, FieldVisit.planned_for >= today)
            .group_by(FieldVisit.loan_id)
            .subquery()
        )
        stopped = [getattr(Borrower, flag).is_(True) for flag in BORROWER_FLAGS]
        rows = session.execute(
            select(
                Loan,
                Borrower,
                oldest_due.c.oldest,
                last_rpc.c.at,
                last_met.c.at,
                marked.c.reason,
                planned.c.day,
            )
            .join(Borrower, Borrower.id == Loan.borrower_id)
            .outerjoin(oldest_due, oldest_due.c.loan_id == Loan.id)
            .outerjoin(last_rpc, last_rpc.c.loan_id == Loan.id)
            .outerjoin(last_met, last_met.c.loan_id == Loan.id)
            .outerjoin(marked, marked.c.loan_id == Loan.id)
            .outerjoin(planned, planned.c.loan_id == Loan.id)
            .where(Loan.assigned_to_id.in_(workers), Loan.status == LoanStatus.ACTIVE)
            .where(~or_(*stopped))
        ).all()
        found = []
        zone = business_zone()
        places = _visit_addresses(session, [row[1] for row in rows])
        for loan, borrower, oldest, called_at, met_at, request, planned_day in rows:
            if planned_day is not None and planned_day != day:
                continue
            place = places.get(borrower.id)
            if place is None:
                # Moved away, and no new address known yet: nowhere to go.
                continue
            dpd = (today - oldest).days if oldest else 0
            # The borrower was last reached on a call or met on a visit.
            reached = [moment for moment in (called_at, met_at) if moment is not None]
            rpc_on = max(reached).astimezone(zone).date() if reached else None
            by_rule = dpd >= min_dpd and (rpc_on is None or (today - rpc_on).days >= quiet_days)
            if request is None and not by_rule:
                continue
            balance = loan_balance(session, loan, today)
            found.append(
                VisitCandidate(
                    loan_id=loan.id,
                    contract_no=loan.contract_no,
                    borrower_name=borrower.name,
                    country=borrower.country,
                    province=place.province,
                    city=place.city,
                    district=place.district,
                    street=place.street,
                    dpd=dpd,
                    overdue=balance.overdue,
                    currency=loan.currency,
                    reason="marked" if request is not None else "rule",
                    note=request or "",
                    last_rpc_on=rpc_on,
                    planned_for=planned_day,
                )
            )
    return route(found)


def route(candidates: Sequence[VisitCandidate]) -> tuple[VisitCandidate, ...]:
    """A route through `candidates`: a city at a time and whole districts, busiest first.

    Deterministic: the same accounts give the same route whatever order they came in. Within
    a district, stops go by street name with house numbers compared as numbers, then contract.
    """
    cities = Counter((c.province, c.city) for c in candidates)
    districts = Counter(c.area for c in candidates)
    return tuple(
        sorted(
            candidates,
            key=lambda c: (
                -cities[(c.province, c.city)],
                (c.province, c.city),
                -districts[c.area],
                c.district,
                _natural(c.street),
                c.contract_no,
            ),
        )
    )


# -- planning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedVisit:
    id: uuid.UUID
    seq: int
    planned_for: date
    planned_at: datetime | None
    contract_no: str
    borrower_name: str
    country: str
    district: str
    address: str
    status: VisitStatus
    outcome: str | None
    agent: str
    second_agent: str | None
    reason: str | None
    # Who is who, for matching: display names repeat, user names do not.
    agent_username: str = ""
    second_agent_username: str | None = None


def plan_visits(
    db: Database,
    username: str,
    day: date,
    contract_nos: Sequence[str],
    *,
    second_agent: str | None = None,
    start: time | None = None,
    now: datetime | None = None,
) -> tuple[PlannedVisit, ...]:
    """Plan the user's visits on `day` in the order given; replaces the day's earlier plan.

    Enforces the home-visit rules of each borrower's profile: the number of agents and the
    visit hours (each stop's expected arrival and the route's end must fall within them).
    Visits of the day already made stay as they are; planned ones not in the list are cancelled.
    """
    now = now or datetime.now(UTC)
    settings = _policy()["route"]
    start = start or time.fromisoformat(settings["start"])
    if day < local_today(now):
        raise InvalidDate("The visit day {day} is in the past.", day=day.isoformat())
    if not contract_nos:
        raise InvalidInput("Choose at least one account to visit.")
    if len(set(contract_nos)) != len(contract_nos):
        raise InvalidInput("An account is in the route twice.")
    most = int(settings["max_visits"])
    if len(contract_nos) > most:
        raise InvalidInput(
            "{count} visits are more than the {most} one pair of agents can make in a day.",
            count=len(contract_nos),
            most=most,
        )
    with db.session() as session:
        agent = find_user(session, username)
        if agent.role not in VISITORS:
            raise NotAllowed("Only field agents and team leads plan home visits.")
        partner = _partner(session, agent, second_agent)
        loans = []
        for contract_no in contract_nos:
            loan = load_loan(session, contract_no)
            check_scope(session, agent, loan)
            borrower = session.get_one(Borrower, loan.borrower_id)
            stops = [flag for flag in BORROWER_FLAGS if getattr(borrower, flag)]
            if stops or loan.status is not LoanStatus.ACTIVE:
                raise InvalidInput(
                    "Account {contract_no} is paused or closed; it cannot be visited.",
                    contract_no=contract_no,
                )
            loans.append((loan, borrower))
        places = _visit_addresses(session, [borrower for _, borrower in loans])
        route_places: list[Address] = []
        for loan, borrower in loans:
            place = places.get(borrower.id)
            if place is None:
                raise InvalidInput(
                    "The borrower of {contract_no} moved away and no new address is known yet:"
                    " it cannot be visited.",
                    contract_no=loan.contract_no,
                )
            route_places.append(place)
        for _loan, borrower in loans:
            rules = home_visit_rules(profile_code_for(borrower.country))
            agents = 1 + (partner is not None)
            if agents < rules.min_agents:
                raise InvalidInput(
                    "Home visits need at least {count} agents ({rule}): choose the second agent.",
                    count=rules.min_agents,
                    rule=Localized(rules.rules[0].en, rules.rules[0].zh_CN),
                )
        arrivals = _arrivals(
            day,
            start,
            [borrower for _, borrower in loans],
            route_places,
        )
        for (loan, borrower), arrival in zip(loans, arrivals, strict=True):
            _check_hours(loan.contract_no, borrower, arrival)
        # Held before what is planned is read, so two planners cannot both take an account.
        for loan, _borrower in loans:
            lock(session, loan)
        existing = {
            visit.loan_id: visit
            for visit in session.scalars(
                select(FieldVisit).where(
                    FieldVisit.agent_id == agent.id,
                    FieldVisit.planned_for == day,
                    FieldVisit.status == VisitStatus.PLANNED,
                )
            )
        }
        elsewhere = session.execute(
            select(FieldVisit.loan_id, FieldVisit.planned_for).where(
                FieldVisit.loan_id.in_([loan.id for loan, _ in loans]),
                FieldVisit.status == VisitStatus.PLANNED,
                FieldVisit.planned_for >= local_today(now),
                FieldVisit.id.not_in([visit.id for visit in existing.values()] or [uuid.uuid4()]),
            )
        ).first()
        if elsewhere is not None:
            contract = next(loan.contract_no for loan, _ in loans if loan.id == elsewhere[0])
            raise InvalidInput(
                "Account {contract_no} already has a visit planned for {day}.",
                contract_no=contract,
                day=elsewhere[1].isoformat(),
            )
        for loan_id, dropped in existing.items():
            if loan_id not in {loan.id for loan, _ in loans}:
                dropped.status = VisitStatus.CANCELLED
                audit(
                    session,
                    "visit.cancelled",
                    "visit",
                    dropped.id,
                    {"replanned": True},
                    user_id=agent.id,
                )
        for seq, ((loan, _borrower), arrival) in enumerate(zip(loans, arrivals, strict=True), 1):
            kept = existing.get(loan.id)
            if kept is None:
                visit = FieldVisit(
                    loan_id=loan.id, agent_id=agent.id, planned_for=day, created_at=now
                )
                session.add(visit)
            else:
                visit = kept
            visit.second_agent_id = partner.id if partner else None
            visit.route_position = seq
            visit.planned_at = arrival.astimezone(UTC)
            visit.reason = "marked" if _open_request(session, loan.id) else "rule"
            session.flush()
            audit(
                session,
                "visit.planned",
                "visit",
                visit.id,
                {"contract_no": loan.contract_no, "day": day.isoformat(), "seq": seq},
                user_id=agent.id,
            )
        session.flush()
        return _day(session, agent, day)


def day_visits(db: Database, username: str, day: date) -> tuple[PlannedVisit, ...]:
    """The user's visits on `day` (planned and made), in route order."""
    with db.reader() as session:
        return _day(session, find_user(session, username), day)


def mark_for_visit(
    db: Database, username: str, contract_no: str, reason: str, *, now: datetime | None = None
) -> uuid.UUID:
    """A team lead asks for a home visit on an account; the agent sees it among candidates."""
    now = now or datetime.now(UTC)
    reason = visit_reason(reason)
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead marks accounts for a visit.")
        loan = load_loan(session, contract_no)
        check_scope(session, user, loan)
        return request_visit(session, user, loan, reason, now)


def visit_reason(reason: str) -> str:
    """A lead's reason for a visit, trimmed; InvalidInput when empty or too long."""
    reason = written_text(reason, Message("The reason"))
    if not reason:
        raise InvalidInput("Say why the account needs a visit: the agent reads it.")
    if len(reason) > 200:
        raise InvalidInput(
            "The reason is too long ({length} characters; at most 200).", length=len(reason)
        )
    return reason


def request_visit(
    session: Session, user: User, loan: Loan, reason: str, now: datetime
) -> uuid.UUID:
    """Add a lead's visit request on `loan` (scope and reason checked by the caller), audited,
    to the unit of work; its id."""
    request = VisitRequest(
        loan_id=loan.id, requested_by_id=user.id, reason=reason, requested_at=now
    )
    session.add(request)
    session.flush()
    audit(session, "visit.requested", "loan", loan.id, {"reason": reason}, user_id=user.id)
    return request.id


# -- outcomes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitResult:
    """What a field agent records after a visit."""

    outcome: str
    visited_at: datetime
    emotion: str | None = None
    checklist: tuple[str, ...] = ()
    notes: str | None = None
    consent_to_enter: bool | None = None
    promise: PromiseInput | None = None
    # Where the borrower went, when the outcome is that they moved away and it is known.
    new_address: AddressInput | None = None


@dataclass(frozen=True)
class RecordedVisit:
    visit_id: uuid.UUID
    promise_id: uuid.UUID | None
    escalation_ids: tuple[uuid.UUID, ...]
    flags_set: tuple[str, ...]
    # The new address a "moved away" outcome recorded (a contact point of kind address).
    new_address_id: uuid.UUID | None = None


def record_visit(
    db: Database,
    username: str,
    visit_id: uuid.UUID,
    result: VisitResult,
    *,
    now: datetime | None = None,
) -> RecordedVisit:
    """Store a visit's outcome, emotion, checklists and notes; all or nothing, offline.

    A "moved away" outcome marks the address visited as no longer the borrower's, and records
    the new address when the agent learned it: the next visit goes there.
    """
    now = now or datetime.now(UTC)
    with db.session() as session:
        user = find_user(session, username)
        visit = session.get(FieldVisit, visit_id)
        if visit is None:
            raise NotFound("There is no visit {visit}.", visit=str(visit_id))
        if user.id not in (visit.agent_id, visit.second_agent_id):
            raise NotAllowed("Only the agents on the visit record its outcome.")
        loan = session.get_one(Loan, visit.loan_id)
        # Both agents may record: the second to arrive finds the outcome already there.
        lock(session, loan)
        session.refresh(visit)
        if visit.status is not VisitStatus.PLANNED:
            raise InvalidInput("This visit's outcome is already recorded.")
        borrower = session.get_one(Borrower, loan.borrower_id)
        rules = home_visit_rules(profile_code_for(borrower.country))
        # Everything the dialog checks, refused together; then what needs the account.
        refuse_all(visit_refusals(result, rules, borrower.country, now))
        notes = written_text(result.notes, Message("The note")) or None
        outcome = visit_outcomes()[result.outcome]
        checklist = _visit_checklist(outcome, result, rules, Checks())
        promised = None
        if outcome.requires_promise:
            assert result.promise is not None
            promised = validated_promise(session, loan, result.promise, now)
        new_place = (
            checked_address(borrower.country, result.new_address)
            if result.new_address is not None
            else None
        )
        moved_to = _moved(session, user, borrower, new_place, now) if outcome.moved else None
        visit.status = VisitStatus.DONE
        visit.visited_at = result.visited_at.astimezone(UTC)
        visit.disposition = outcome.code
        visit.emotion = result.emotion if outcome.met else None
        visit.checklist = list(checklist)
        visit.consent_to_enter = result.consent_to_enter
        visit.notes = notes
        promise_id = None
        if promised is not None:
            promise = PromiseToPay(
                loan_id=loan.id, visit_id=visit.id, amount=promised[0], promised_date=promised[1]
            )
            session.add(promise)
            session.flush()
            promise_id = promise.id
        flags = []
        if (
            result.emotion
            and outcome.met
            and emotions()[result.emotion].pauses_collection
            and not borrower.vulnerable
        ):
            borrower.vulnerable = True
            flags.append("vulnerable")
        raised = []
        if outcome.met and outcome.checklist_as:
            for kind in kinds_raised_by(result.emotion, outcome.checklist_as):
                escalation = Escalation(
                    loan_id=loan.id,
                    borrower_id=borrower.id,
                    kind=kind.kind,
                    raised_by_id=user.id,
                    raised_at=now,
                )
                session.add(escalation)
                session.flush()
                audit(
                    session,
                    "escalation.raised",
                    "escalation",
                    escalation.id,
                    {
                        "loan_id": str(loan.id),
                        "visit_id": str(visit.id),
                        "kind": kind.kind,
                        "emotion": result.emotion,
                    },
                    user_id=user.id,
                )
                raised.append(escalation.id)
        for request in session.scalars(
            select(VisitRequest).where(
                VisitRequest.loan_id == loan.id, VisitRequest.closed_at.is_(None)
            )
        ):
            request.closed_at = now
            request.visit_id = visit.id
        audit(
            session,
            "visit.recorded",
            "visit",
            visit.id,
            {
                "outcome": outcome.code,
                "emotion": visit.emotion,
                "checklist": list(checklist),
                "promise_id": str(promise_id) if promise_id else None,
                "flags_set": flags,
                "new_address_id": str(moved_to) if moved_to else None,
            },
            user_id=user.id,
        )
        return RecordedVisit(visit.id, promise_id, tuple(raised), tuple(flags), moved_to)


def _moved(
    session: Session,
    user: User,
    borrower: Borrower,
    new_place: CheckedAddress | None,
    now: datetime,
) -> uuid.UUID | None:
    """The borrower no longer lives where the visit went: that address is marked so (a learned
    one wrong, the registered one moved from, as it reads now), and the new one, if known, is
    added as a contact point; its id."""
    points = list(
        session.scalars(
            select(ContactPoint).where(
                ContactPoint.borrower_id == borrower.id, ContactPoint.kind == ContactKind.ADDRESS
            )
        )
    )
    visited = visit_address(borrower, points)
    if new_place is not None and visited is not None and new_place.line == visited.line:
        raise InvalidInput("The new address is the one visited: give where the borrower went.")
    known = next((point for point in points if new_place and point.value == new_place.line), None)
    if known is not None and known.wrong_number:
        raise InvalidInput(
            "{address} is marked as not the borrower's: a team lead lifts that mark first.",
            address=known.value,
        )
    if visited is not None and visited.point_id is not None:
        left = next(point for point in points if point.id == visited.point_id)
        left.wrong_number = True
        left.verified = False
    elif visited is not None:
        borrower.address_moved_from = visited.line
    if new_place is None:
        return None
    if known is not None:
        return known.id
    last = session.scalar(
        select(func.max(ContactPoint.position)).where(ContactPoint.borrower_id == borrower.id)
    )
    point = ContactPoint(
        borrower_id=borrower.id,
        position=(last if last is not None else -1) + 1,
        kind=ContactKind.ADDRESS,
        value=new_place.line,
        region=borrower.country,
        time_zones=" ".join(new_place.zones),
        province=new_place.province,
        city=new_place.city,
        district=new_place.district or None,
        street=new_place.street or None,
        added_by_id=user.id,
        created_at=now,
    )
    session.add(point)
    session.flush()
    audit(
        session,
        "contact_point.added",
        "contact_point",
        point.id,
        {"kind": ContactKind.ADDRESS.value, "region": point.region, "moved": True},
        user_id=user.id,
    )
    return point.id


# -- inside ----------------------------------------------------------------------------------


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """`东四北大街9号` before `东四北大街10号`: digits compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def _partner(session: Session, agent: User, username: str | None) -> User | None:
    if username is None or not username.strip():
        return None
    partner = find_user(session, username.strip())
    if partner.id == agent.id:
        raise InvalidInput("The second agent must be someone else.")
    if partner.role not in VISITORS or not partner.active:
        raise InvalidInput(
            "{name} cannot go on home visits (field agents and team leads can).",
            name=partner.display_name,
        )
    return partner


def _arrivals(
    day: date, start: time, borrowers: Sequence[Borrower], places: Sequence[Address]
) -> list[datetime]:
    """Expected arrivals at each stop (`places`, the borrowers' visit addresses), in the zone
    of the first stop's profile."""
    settings = _policy()["route"]
    zone = ZoneInfo(home_visit_rules(profile_code_for(borrowers[0].country)).zone)
    clock = datetime.combine(day, start, tzinfo=zone)
    arrivals = []
    previous: Address | None = None
    for place in places:
        if previous is not None:
            same = (previous.province, previous.city, previous.district) == (
                place.province,
                place.city,
                place.district,
            )
            travel = settings[
                "travel_minutes_same_district" if same else "travel_minutes_other_district"
            ]
            clock += timedelta(minutes=int(settings["stop_minutes"]) + int(travel))
        arrivals.append(clock)
        previous = place
    return arrivals


def _check_hours(contract_no: str, borrower: Borrower, arrival: datetime) -> None:
    rules = home_visit_rules(profile_code_for(borrower.country))
    local = arrival.astimezone(ZoneInfo(rules.zone))
    leaves = local + timedelta(minutes=int(_policy()["route"]["stop_minutes"]))
    if local.time() < rules.opens or leaves.time() > rules.closes or leaves.date() != local.date():
        raise InvalidInput(
            "The visit to {contract_no} would run {start}–{end}, outside the visit hours {hours}: "
            "start earlier or later, or plan fewer visits.",
            contract_no=contract_no,
            start=f"{local:%H:%M}",
            end=f"{leaves:%H:%M}",
            hours=rules.hours(),
        )


def visit_refusals(
    result: VisitResult, rules: HomeVisitRules, country: str, now: datetime
) -> tuple[DomainError, ...]:
    """Every problem with a visit's outcome that needs no database, each at its field of
    `VisitResult` (a promise's as "promise_amount" and "promise_date", a new address's parts
    by their names). `rules`: the borrower's profile's; `country`: where the address is read.
    `record_visit` refuses with all of them; the outcome dialog shows them before it asks."""
    checks = Checks()
    outcome = visit_outcomes().get(result.outcome)
    if not result.outcome:
        checks.add("outcome", InvalidInput("Choose the outcome of the visit."))
    elif outcome is None:
        checks.add(
            "outcome",
            InvalidInput(
                "Unknown visit outcome “{code}” (one of {known}).",
                code=result.outcome,
                known=", ".join(visit_outcomes()),
            ),
        )
    if result.visited_at.tzinfo is None:
        checks.add("visited_at", InvalidDate("The visit time must carry a time zone."))
    elif result.visited_at > now + timedelta(minutes=5):
        checks.add(
            "visited_at",
            InvalidDate(
                "A visit cannot be recorded before it happens ({at}).", at=result.visited_at
            ),
        )
    if outcome is None:
        return tuple(checks.found)
    _visit_checklist(outcome, result, rules, checks)
    promise = result.promise
    if outcome.requires_promise:
        if promise is None:
            checks.add(
                "promise_amount", InvalidInput("A promise to pay needs its amount and date.")
            )
        else:
            checks.check("promise_amount", parse_amount, promise.amount, what="promise")
            today = local_today(now)
            checks.add("promise_date", promise_date_refusal(promise.promised_date, today))
    elif promise is not None:
        checks.add("promise_amount", InvalidInput("Only a promise to pay carries a promise."))
    if result.new_address is not None:
        if outcome.moved:
            checks.check(None, checked_address, country, result.new_address)
        else:
            checks.add(
                "province", InvalidInput("Only a “moved away” outcome carries a new address.")
            )
    return tuple(checks.found)


def _visit_checklist(
    outcome: VisitOutcome, result: VisitResult, rules: HomeVisitRules, checks: Checks
) -> tuple[str, ...]:
    """The ticked items: the emotion's checklist and the profile's home-visit checklist; what
    is wrong with them goes to `checks` (the emotion's field, the checklist's)."""
    if not outcome.met:
        if result.emotion or result.checklist:
            checks.add(
                "emotion",
                InvalidInput("Nobody was met: there is no emotion or checklist to record."),
            )
        return ()
    if not result.emotion:
        checks.add(
            "emotion", InvalidInput("Choose the emotion you observed: the borrower was met.")
        )
    elif result.emotion not in emotions():
        checks.add("emotion", InvalidInput("Unknown emotion “{emotion}”.", emotion=result.emotion))
    own = {item.id for item in rules.checklist}
    missing = [item for item in rules.checklist if item.id not in result.checklist]
    if missing:
        checks.add(
            "checklist",
            InvalidInput(
                "The home-visit checklist is not complete. Still to confirm: {missing}.",
                missing=Localized(
                    "; ".join(item.en for item in missing),
                    "；".join(item.zh_CN for item in missing),
                ),
            ),
        )
    if not result.emotion or result.emotion not in emotions():
        return ()
    assert outcome.checklist_as is not None
    emotional = checks.check(
        "checklist",
        validate_checklist,
        result.emotion,
        outcome.checklist_as,
        [item for item in result.checklist if item not in own],
    )
    if missing or emotional is None:
        return ()
    return tuple(item.id for item in rules.checklist) + emotional


def _visit_addresses(
    session: Session, borrowers: Sequence[Borrower]
) -> dict[uuid.UUID, Address | None]:
    """Where a visit to each borrower goes (None: moved away, no new address known)."""
    ids = list({borrower.id for borrower in borrowers})
    learned: dict[uuid.UUID, list[ContactPoint]] = {key: [] for key in ids}
    for start in range(0, len(ids), 500):
        for point in session.scalars(
            select(ContactPoint).where(
                ContactPoint.kind == ContactKind.ADDRESS,
                ContactPoint.borrower_id.in_(ids[start : start + 500]),
            )
        ):
            learned[point.borrower_id].append(point)
    return {borrower.id: visit_address(borrower, learned[borrower.id]) for borrower in borrowers}


def _open_request(session: Session, loan_id: uuid.UUID) -> bool:
    return (
        session.scalar(
            select(VisitRequest.id)
            .where(VisitRequest.loan_id == loan_id, VisitRequest.closed_at.is_(None))
            .limit(1)
        )
        is not None
    )


def day_rows(
    session: Session, user: User, day: date, statuses: Sequence[VisitStatus]
) -> list[tuple[FieldVisit, Loan, Borrower]]:
    """The visits of `day` the user goes on (as either agent), in route order."""
    rows = session.execute(
        select(FieldVisit, Loan, Borrower)
        .join(Loan, Loan.id == FieldVisit.loan_id)
        .join(Borrower, Borrower.id == Loan.borrower_id)
        .where(
            (FieldVisit.agent_id == user.id) | (FieldVisit.second_agent_id == user.id),
            FieldVisit.planned_for == day,
            FieldVisit.status.in_(statuses),
        )
        .order_by(FieldVisit.route_position, Loan.contract_no)
    ).all()
    return [(visit, loan, borrower) for visit, loan, borrower in rows]


def _day(session: Session, user: User, day: date) -> tuple[PlannedVisit, ...]:
    rows = day_rows(session, user, day, (VisitStatus.PLANNED, VisitStatus.DONE))
    people = {u.id: u for u in session.scalars(select(User))}
    names = {key: person.display_name for key, person in people.items()}
    places = _visit_addresses(session, [borrower for _, _, borrower in rows])
    result = []
    for visit, loan, borrower in rows:
        place = places.get(borrower.id) or registered_address(borrower)
        result.append(
            PlannedVisit(
                id=visit.id,
                seq=visit.route_position,
                planned_for=visit.planned_for,
                planned_at=visit.planned_at,
                contract_no=loan.contract_no,
                borrower_name=borrower.name,
                country=borrower.country,
                district=place.district,
                address=place.line,
                status=visit.status,
                outcome=visit.disposition,
                agent=names[visit.agent_id],
                second_agent=names.get(visit.second_agent_id) if visit.second_agent_id else None,
                reason=visit.reason,
                agent_username=people[visit.agent_id].username,
                second_agent_username=(
                    people[visit.second_agent_id].username if visit.second_agent_id else None
                ),
            )
        )
    return tuple(result)
