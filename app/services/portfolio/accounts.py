"""Reading one account: the loan, its balance, and everything that happened on it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    AccountNote,
    Borrower,
    Callback,
    ContactAttempt,
    ContactPoint,
    Escalation,
    FieldVisit,
    Instalment,
    Loan,
    Payment,
    PromiseToPay,
    RepaymentPlan,
    ReportedPayment,
    Role,
    User,
    VisitRequest,
    VisitStatus,
)
from app.services.common.audit import audit
from app.services.common.clock import business_zone, local_today
from app.services.common.errors import NotAllowed, NotFound
from app.services.common.idnumbers import mask
from app.services.common.phones import PhoneStyle, format_phone
from app.services.common.scope import find_user, worker_ids
from app.services.portfolio.addresses import (
    address_text,
    borrower_address_zones,
    registered_moved,
)
from app.services.portfolio.balances import Balance, InstalmentState, balance_of

# Who lifts a mark that pauses collection (docs/security.md, marks-lift).
LIFTERS = frozenset({Role.TEAM_LEAD, Role.ADMIN})


def load_loan(session: Session, contract_no: str) -> Loan:
    loan = session.scalar(select(Loan).where(Loan.contract_no == contract_no))
    if loan is None:
        raise NotFound(
            "There is no account with contract number “{contract_no}”.", contract_no=contract_no
        )
    return loan


def lock(session: Session, row: Loan | Borrower) -> None:
    """Hold `row` for this unit of work, so two writers cannot both act on what they read.

    PostgreSQL locks the row. SQLite has one writer at a time: a no-op UPDATE takes the write
    lock now (waiting for another writer to finish) instead of at the first real write, after
    the reads it must protect. The row is then re-read.
    """
    model = type(row)
    if session.get_bind().dialect.name == "sqlite":
        # Every column set to itself, so no onupdate default (updated_at) fires either.
        unchanged = {column.key: column for column in model.__table__.columns if column.onupdate}
        session.execute(update(model).where(model.id == row.id).values(id=model.id, **unchanged))
    else:
        session.execute(select(model.id).where(model.id == row.id).with_for_update())
    session.refresh(row)


def open_account(session: Session, username: str, contract_no: str) -> tuple[User, Loan, Borrower]:
    """The user, the loan and its borrower, once the loan is known to be in the user's scope."""
    user = find_user(session, username)
    loan = load_loan(session, contract_no)
    check_scope(session, user, loan)
    return user, loan, session.get_one(Borrower, loan.borrower_id)


def check_scope(session: Session, user: User, loan: Loan) -> None:
    if loan.assigned_to_id not in worker_ids(session, user):
        raise NotAllowed(
            "Account {contract_no} is not in {username}'s portfolio.",
            contract_no=loan.contract_no,
            username=user.username,
        )


def instalment_states(session: Session, loan_id: uuid.UUID) -> list[Instalment]:
    return list(
        session.scalars(
            select(Instalment).where(Instalment.loan_id == loan_id).order_by(Instalment.seq)
        )
    )


def to_state(row: Instalment) -> InstalmentState:
    return InstalmentState(
        seq=row.seq,
        due_date=row.due_date,
        principal_due=row.principal_due,
        interest_due=row.interest_due,
        fees_due=row.fees_due,
        principal_paid=row.principal_paid,
        interest_paid=row.interest_paid,
        fees_paid=row.fees_paid,
        penalty_accrued=row.penalty_accrued,
        penalty_paid=row.penalty_paid,
        accrued_to=row.accrued_to,
        settled_on=row.settled_on,
    )


def instalment_row(loan_id: uuid.UUID, state: InstalmentState) -> Instalment:
    """A schedule row for `loan_id` holding `state` (what payments have covered of it)."""
    row = Instalment(
        loan_id=loan_id,
        seq=state.seq,
        due_date=state.due_date,
        principal_due=state.principal_due,
        interest_due=state.interest_due,
        fees_due=state.fees_due,
    )
    store_state(row, state)
    return row


def store_state(row: Instalment, state: InstalmentState) -> None:
    for name in (
        "principal_paid",
        "interest_paid",
        "fees_paid",
        "penalty_accrued",
        "penalty_paid",
        "accrued_to",
        "settled_on",
    ):
        setattr(row, name, getattr(state, name))


def borrower_address(borrower: Borrower, sep: str = "") -> str:
    return address_text(borrower.province, borrower.city, borrower.district, borrower.street, sep)


def loan_balance(session: Session, loan: Loan, on: date) -> Balance:
    states = [to_state(row) for row in instalment_states(session, loan.id)]
    return balance_of(states, on, loan.penalty_rate_daily)


@dataclass(frozen=True)
class ContactPointView:
    id: uuid.UUID
    kind: str
    value: str
    display: str
    region: str | None
    time_zones: tuple[str, ...]
    local_time: str | None
    contact_name: str | None
    relation: str | None
    do_not_call: bool
    wrong_number: bool
    verified: bool = False
    # The borrower's words when they asked not to be called on it.
    do_not_call_words: str | None = None
    # Added by collection (on a call or a visit), not by the lending system.
    learned: bool = False


@dataclass(frozen=True)
class ContactTerms:
    """What the borrower asked about being contacted, and who represents them."""

    agreed_window: tuple[time, time] | None = None
    preferred_channel: str | None = None
    attorney_represented: bool = False
    attorney_name: str | None = None
    attorney_firm: str | None = None
    attorney_phone: str | None = None  # E.164


def contact_terms(borrower: Borrower) -> ContactTerms:
    window = None
    if borrower.agreed_window_start is not None and borrower.agreed_window_end is not None:
        window = (borrower.agreed_window_start, borrower.agreed_window_end)
    return ContactTerms(
        agreed_window=window,
        preferred_channel=borrower.preferred_channel,
        attorney_represented=borrower.attorney_represented,
        attorney_name=borrower.attorney_name,
        attorney_firm=borrower.attorney_firm,
        attorney_phone=borrower.attorney_phone,
    )


@dataclass(frozen=True)
class InstalmentView:
    seq: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    fees_due: Decimal
    paid: Decimal
    penalty_accrued: Decimal
    settled_on: date | None


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    kind: str
    summary: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AccountDetail:
    loan_id: uuid.UUID
    contract_no: str
    product: str
    currency: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    status: str
    borrower_id: uuid.UUID
    borrower: str
    id_number_masked: str
    age: int
    address: str
    country: str
    # The zones the address implies, nearest first (local time at the borrower).
    address_zones: tuple[str, ...]
    employer: str | None
    flags: tuple[str, ...]
    balance: Balance
    contact_points: tuple[ContactPointView, ...]
    schedule: tuple[InstalmentView, ...]
    timeline: tuple[HistoryItem, ...]
    terms: ContactTerms = ContactTerms()
    # A visit found the borrower gone from the registered address (as it still reads).
    address_moved: bool = False
    # The viewer may lift marks that pause collection (a team lead).
    can_lift_marks: bool = False


def account_detail(
    db: Database, username: str, contract_no: str, at: datetime | None = None
) -> AccountDetail:
    """Everything the workspace shows for one account, newest history first."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        detail = read_detail(
            session,
            user,
            loan,
            borrower,
            instalment_states(session, loan.id),
            borrower_points(session, borrower.id),
            at,
        )
    audit_view(db, user, loan)
    return detail


def borrower_points(session: Session, borrower_id: uuid.UUID) -> list[ContactPoint]:
    """The borrower's contact points, in the order the workspace lists them."""
    return list(
        session.scalars(
            select(ContactPoint)
            .where(ContactPoint.borrower_id == borrower_id)
            .order_by(ContactPoint.position)
        )
    )


def audit_view(db: Database, user: User, loan: Loan) -> None:
    """Full personal data was shown: every such view leaves an audit event (docs/domain.md §9)."""
    with db.session() as session:
        audit(
            session,
            "account.viewed",
            "loan",
            loan.id,
            {"contract_no": loan.contract_no},
            user_id=user.id,
        )


def read_detail(
    session: Session,
    user: User,
    loan: Loan,
    borrower: Borrower,
    rows: list[Instalment],
    points: list[ContactPoint],
    at: datetime,
) -> AccountDetail:
    """The detail of an account opened in `session`, from its schedule rows and contact points
    (`instalment_states`, `borrower_points`); its history is read in the same session. The
    caller leaves the audit event of the view (`audit_view`)."""
    at = at.astimezone(UTC)
    today = local_today(at)
    balance = balance_of([to_state(row) for row in rows], today, loan.penalty_rate_daily)
    timeline = _timeline(session, loan.id, borrower.id)
    born = borrower.date_of_birth
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    flags = tuple(name for name in BORROWER_FLAGS if getattr(borrower, name))
    return AccountDetail(
        loan_id=loan.id,
        contract_no=loan.contract_no,
        product=loan.product,
        currency=loan.currency,
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        status=loan.status.value,
        borrower_id=borrower.id,
        borrower=borrower.name,
        id_number_masked=mask(borrower.id_number),
        age=age,
        address=borrower_address(borrower, " "),
        country=borrower.country,
        # The contact rules' zones: the registered address's and those of addresses learned.
        address_zones=borrower_address_zones(borrower, points),
        employer=borrower.employer,
        flags=flags,
        balance=balance,
        contact_points=tuple(point_view(point, at) for point in points),
        schedule=tuple(
            InstalmentView(
                seq=row.seq,
                due_date=row.due_date,
                principal_due=row.principal_due,
                interest_due=row.interest_due,
                fees_due=row.fees_due,
                paid=row.principal_paid + row.interest_paid + row.fees_paid + row.penalty_paid,
                penalty_accrued=row.penalty_accrued,
                settled_on=row.settled_on,
            )
            for row in rows
        ),
        timeline=timeline,
        terms=contact_terms(borrower),
        address_moved=registered_moved(borrower),
        can_lift_marks=user.role in LIFTERS,
    )


def point_view(point: ContactPoint, at: datetime) -> ContactPointView:
    """The contact point as the workspace and the command line show it at `at`."""
    zones = tuple(point.time_zones.split())
    is_phone = point.kind.is_phone
    local = None
    if zones:
        local = at.astimezone(ZoneInfo(zones[0])).strftime("%H:%M")
    return ContactPointView(
        id=point.id,
        kind=point.kind.value,
        value=point.value,
        display=format_phone(point.value, PhoneStyle.NATIONAL) if is_phone else point.value,
        region=point.region,
        time_zones=zones,
        local_time=local,
        contact_name=point.contact_name,
        relation=point.relation,
        do_not_call=point.do_not_call,
        wrong_number=point.wrong_number,
        verified=point.verified,
        do_not_call_words=point.do_not_call_words,
        learned=point.added_by_id is not None,
    )


def _timeline(
    session: Session, loan_id: uuid.UUID, borrower_id: uuid.UUID
) -> tuple[HistoryItem, ...]:
    items: list[HistoryItem] = [
        *_visits(session, loan_id),
        *_visit_requests(session, loan_id),
        *_learned_points(session, borrower_id),
    ]
    for attempt in session.scalars(select(ContactAttempt).where(ContactAttempt.loan_id == loan_id)):
        items.append(
            HistoryItem(
                attempt.started_at,
                "contact",
                f"{attempt.channel.value} {attempt.disposition}",
                {
                    # Call, SMS or e-mail: the timeline names a reminder by its channel.
                    "channel": attempt.channel.value,
                    "disposition": attempt.disposition,
                    "duration_seconds": attempt.duration_seconds,
                    "emotion": attempt.emotion,
                    "notes": attempt.notes,
                    "right_party": attempt.right_party,
                },
            )
        )
    for promise in session.scalars(select(PromiseToPay).where(PromiseToPay.loan_id == loan_id)):
        items.append(
            HistoryItem(
                promise.created_at,
                "promise",
                f"{promise.amount} by {promise.promised_date} ({promise.status.value})",
                {
                    "amount": str(promise.amount),
                    "date": promise.promised_date.isoformat(),
                    "status": promise.status.value,
                },
            )
        )
    for payment in session.scalars(select(Payment).where(Payment.loan_id == loan_id)):
        reversed_ = payment.reversed_at is not None
        items.append(
            HistoryItem(
                payment.paid_at,
                "payment",
                f"{payment.amount} via {payment.channel}" + (" (reversed)" if reversed_ else ""),
                {
                    "amount": str(payment.amount),
                    "channel": payment.channel,
                    "state": "reversed" if reversed_ else "received",
                },
            )
        )
    # What the borrower says they paid, until the lending system's payment is matched to it
    # (then that payment stands for it).
    for report in session.scalars(
        select(ReportedPayment).where(
            ReportedPayment.loan_id == loan_id, ReportedPayment.matched_payment_id.is_(None)
        )
    ):
        items.append(
            HistoryItem(
                report.paid_at,
                "payment",
                f"{report.amount} via {report.channel} (reported by the borrower)",
                {"amount": str(report.amount), "channel": report.channel, "state": "reported"},
            )
        )
    zone = business_zone()
    for callback in session.scalars(select(Callback).where(Callback.loan_id == loan_id)):
        # In the lender's zone, as every other time the summaries and the command line show.
        items.append(
            HistoryItem(
                callback.created_at,
                "callback",
                f"callback {callback.due_at.astimezone(zone):%Y-%m-%d %H:%M}",
                {"due_at": callback.due_at.isoformat(), "done": callback.done_at is not None},
            )
        )
    for plan in session.scalars(select(RepaymentPlan).where(RepaymentPlan.loan_id == loan_id)):
        items.append(
            HistoryItem(
                plan.created_at,
                "plan",
                f"plan {plan.total_amount} ({plan.status.value})",
                {"total": str(plan.total_amount), "status": plan.status.value},
            )
        )
    notes = session.execute(
        select(AccountNote, User.username, User.display_name)
        .join(User, User.id == AccountNote.user_id)
        .where(AccountNote.loan_id == loan_id)
    )
    for note, author, author_name in notes:
        items.append(
            HistoryItem(
                note.created_at,
                "note",
                note.text if len(note.text) <= 80 else f"{note.text[:79]}…",
                {"text": note.text, "author": author, "author_name": author_name},
            )
        )
    for escalation in session.scalars(select(Escalation).where(Escalation.loan_id == loan_id)):
        decision = escalation.decision.value if escalation.decision else None
        items.append(
            HistoryItem(
                escalation.raised_at,
                "escalation",
                f"escalation {escalation.kind} ({decision or 'open'})",
                {
                    "id": str(escalation.id),
                    "kind": escalation.kind,
                    "attempt_id": str(escalation.attempt_id) if escalation.attempt_id else None,
                    "decision": decision,
                    "decided_at": (
                        escalation.decided_at.isoformat() if escalation.decided_at else None
                    ),
                    "note": escalation.note,
                },
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return tuple(items)


def _visits(session: Session, loan_id: uuid.UUID) -> list[HistoryItem]:
    """Home visits on the loan: planned, made (with their outcome) or cancelled."""
    agent, second = aliased(User), aliased(User)
    rows = session.execute(
        select(FieldVisit, agent.display_name, second.display_name)
        .join(agent, agent.id == FieldVisit.agent_id)
        .outerjoin(second, second.id == FieldVisit.second_agent_id)
        .where(FieldVisit.loan_id == loan_id)
    )
    items = []
    for visit, agent_name, second_name in rows:
        done = visit.status is VisitStatus.DONE and visit.visited_at is not None
        at = visit.visited_at if done else (visit.planned_at or visit.created_at)
        assert at is not None
        outcome = f" {visit.disposition}" if visit.disposition else ""
        items.append(
            HistoryItem(
                at,
                "visit",
                f"visit {visit.status.value}{outcome}",
                {
                    "id": str(visit.id),
                    "status": visit.status.value,
                    "planned_for": visit.planned_for.isoformat(),
                    "outcome": visit.disposition,
                    "emotion": visit.emotion,
                    "notes": visit.notes,
                    "consent_to_enter": visit.consent_to_enter,
                    "agents": [name for name in (agent_name, second_name) if name],
                },
            )
        )
    return items


def _visit_requests(session: Session, loan_id: uuid.UUID) -> list[HistoryItem]:
    """A lead's requests for a home visit, with the reason the agent reads."""
    rows = session.execute(
        select(VisitRequest, User.display_name)
        .join(User, User.id == VisitRequest.requested_by_id)
        .where(VisitRequest.loan_id == loan_id)
    )
    return [
        HistoryItem(
            request.requested_at,
            "visit_request",
            f"visit asked for: {request.reason}",
            {
                "reason": request.reason,
                "requested_by": lead,
                "closed": request.closed_at is not None,
            },
        )
        for request, lead in rows
    ]


def _learned_points(session: Session, borrower_id: uuid.UUID) -> list[HistoryItem]:
    """Numbers and addresses collection learned (on a call or a visit) and who added them."""
    rows = session.execute(
        select(ContactPoint, User.display_name)
        .join(User, User.id == ContactPoint.added_by_id)
        .where(ContactPoint.borrower_id == borrower_id)
    )
    items = []
    for point, author in rows:
        shown = format_phone(point.value) if point.kind.is_phone else point.value
        items.append(
            HistoryItem(
                point.created_at,
                "contact_point",
                f"{point.kind.value} added: {shown}",
                {
                    "kind": point.kind.value,
                    "value": shown,
                    "added_by": author,
                    "contact_name": point.contact_name,
                    "relation": point.relation,
                },
            )
        )
    return items
