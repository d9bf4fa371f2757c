"""Disputes as cases (docs/domain.md, README "Disputes and complaints").

A contact whose outcome is a dispute (DSP) already pauses collection (the `dispute_open` mark)
and raises an escalation to the lead. The case says what the borrower disputes (its kind, from
`resources/cases.json`: amount wrong, already paid, identity theft, not my loan), in their
words, with the payment an "already paid" claim names; the day the lender must answer by
(working days of the lender's calendar, from the contact's business day); and a team lead's
decision:

- upheld: the borrower is right. Balances are never edited here: the decision records what
  correction the lending system is expected to send through the feed. Collection stays paused
  (the escalation is decided "kept paused") until a lead lifts the mark once the feed corrected
  the amounts.
- rejected, with reasons: the debt stands and collection resumes: the dispute mark is lifted
  (unless another open dispute of the borrower's holds it) and the escalation decided "resume".

An "already paid" claim is matched against the lending system's payments on the account: the
case lists the candidates near the claim (amount, date, reference).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from app.database import Database
from app.models import (
    Borrower,
    ContactAttempt,
    DisputeCase,
    DisputeDecision,
    Escalation,
    EscalationDecision,
    Loan,
    Payment,
    Role,
    User,
    counted,
)
from app.services.cases.policy import DueState, cases_policy, due_state
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.calendar import received_day
from app.services.common.clock import local_today
from app.services.common.errors import (
    InvalidAmount,
    InvalidInput,
    Localized,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.money import parse_amount
from app.services.common.scope import find_user, worker_ids
from app.services.common.typed import typed_text, written_text
from app.services.contact.contacts import ContactInput, RecordedContact, record_contact
from app.services.portfolio.accounts import check_scope, load_loan, lock

DISPUTE = "DSP"
MAX_TEXT = 2000
MAX_REFERENCE = 64


@dataclass(frozen=True)
class DisputeClaim:
    """What the borrower disputes, checked."""

    kind: str
    claim: str
    amount: Decimal | None = None
    paid_on: date | None = None
    reference: str | None = None


def check_claim(
    kind: str,
    claim: str | None,
    amount: str | Decimal | None = None,
    paid_on: date | None = None,
    reference: str | None = None,
    *,
    today: date | None = None,
) -> DisputeClaim:
    """The claim as `open_dispute` takes it, or the first thing wrong with it (naming its
    field): the window asks this before it records the contact."""
    cases_policy().dispute_kind(kind)
    try:
        words = written_text(claim, Message("What the borrower disputes"))
    except InvalidInput as error:
        raise error.at("claim") from None
    if not words:
        raise InvalidInput("Write what the borrower disputes, in their words.").at("claim")
    if len(words) > MAX_TEXT:
        raise InvalidInput(
            "The claim has {length} characters; at most {limit}.",
            length=len(words),
            limit=MAX_TEXT,
        ).at("claim")
    value = None
    if amount is not None and str(amount).strip():
        try:
            value = parse_amount(amount, what="payment")
        except InvalidAmount as error:
            raise error.at("amount") from None
    if paid_on is not None and paid_on > (today or local_today(clock.now())):
        raise InvalidInput(
            "The payment claimed is dated {day}, after today.", day=paid_on.isoformat()
        ).at("paid_on")
    try:
        ref = typed_text(reference, Message("The payment's reference"), MAX_REFERENCE)
    except InvalidInput as error:
        raise error.at("reference") from None
    return DisputeClaim(kind, words, value, paid_on, ref or None)


@dataclass(frozen=True)
class CandidatePayment:
    """A payment of the lending system's near an "already paid" claim."""

    id: uuid.UUID
    paid_at: datetime
    amount: Decimal
    channel: str
    reference: str | None
    amount_matches: bool
    # Days between the payment's business day and the day claimed (None: no day claimed).
    days_apart: int | None
    reference_matches: bool


@dataclass(frozen=True)
class DisputeView:
    id: uuid.UUID
    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    kind: str
    claim: str
    claimed_amount: Decimal | None
    claimed_paid_on: date | None
    claimed_reference: str | None
    attempt_id: uuid.UUID
    opened_by: str
    opened_by_name: str
    opened_at: datetime
    raised_on: date
    due: DueState
    decision: str | None
    decided_by_name: str | None
    decided_at: datetime | None
    reasons: str | None
    correction: str | None
    candidates: tuple[CandidatePayment, ...] = ()

    @property
    def open(self) -> bool:
        return self.decision is None

    def kind_label(self) -> Localized:
        return cases_policy().dispute_kind(self.kind)


_Opener = aliased(User)
_Decider = aliased(User)


def _views(
    session: Session, *where: ColumnElement[bool], today: date, candidates: bool = False
) -> list[DisputeView]:
    rows = session.execute(
        select(
            DisputeCase,
            Loan.contract_no,
            Borrower.name.label("borrower"),
            ContactAttempt.started_at,
            _Opener.username.label("opener"),
            _Opener.display_name.label("opener_name"),
            _Decider.display_name.label("decider_name"),
        )
        .join(Loan, Loan.id == DisputeCase.loan_id)
        .join(Borrower, Borrower.id == DisputeCase.borrower_id)
        .join(ContactAttempt, ContactAttempt.id == DisputeCase.attempt_id)
        .join(_Opener, _Opener.id == DisputeCase.opened_by_id)
        .outerjoin(_Decider, _Decider.id == DisputeCase.decided_by_id)
        .where(*where)
        .order_by(DisputeCase.due_on, DisputeCase.opened_at, DisputeCase.id)
    )
    views = []
    for row in rows:
        case: DisputeCase = row.DisputeCase
        raised = received_day(row.started_at)
        views.append(
            DisputeView(
                id=case.id,
                loan_id=case.loan_id,
                contract_no=row.contract_no,
                borrower=row.borrower,
                kind=case.kind,
                claim=case.claim,
                claimed_amount=case.claimed_amount,
                claimed_paid_on=case.claimed_paid_on,
                claimed_reference=case.claimed_reference,
                attempt_id=case.attempt_id,
                opened_by=row.opener,
                opened_by_name=row.opener_name,
                opened_at=case.opened_at,
                raised_on=raised,
                due=due_state(raised, case.due_on, today),
                decision=case.decision,
                decided_by_name=row.decider_name,
                decided_at=case.decided_at,
                reasons=case.reasons,
                correction=case.correction,
                candidates=_candidates(session, case) if candidates else (),
            )
        )
    return views


def _candidates(session: Session, case: DisputeCase) -> tuple[CandidatePayment, ...]:
    """The account's payments (those that count) near what the borrower says they paid: the
    amount within the tolerance, the day within the days, or the reference within theirs;
    the closest first."""
    if case.kind != "already_paid" or (
        case.claimed_amount is None and case.claimed_paid_on is None and not case.claimed_reference
    ):
        return ()
    rules = cases_policy().matching
    found = []
    payments = session.scalars(select(Payment).where(Payment.loan_id == case.loan_id, counted()))
    for payment in payments:
        amount_matches = (
            case.claimed_amount is not None
            and abs(payment.amount - case.claimed_amount) <= rules.amount_tolerance
        )
        apart = (
            abs((local_today(payment.paid_at) - case.claimed_paid_on).days)
            if case.claimed_paid_on is not None
            else None
        )
        wanted = (case.claimed_reference or "").casefold()
        reference_matches = bool(
            wanted and payment.reference and wanted in payment.reference.casefold()
        )
        if amount_matches or reference_matches or (apart is not None and apart <= rules.days):
            found.append(
                CandidatePayment(
                    payment.id,
                    payment.paid_at,
                    payment.amount,
                    payment.channel,
                    payment.reference,
                    amount_matches,
                    apart,
                    reference_matches,
                )
            )
    found.sort(
        key=lambda c: (
            -(c.reference_matches + c.amount_matches),
            c.days_apart if c.days_apart is not None else 10_000,
            c.paid_at,
        )
    )
    return tuple(found[: rules.max_candidates])


def _dispute_contact(
    session: Session, user: User, loan: Loan, attempt_id: uuid.UUID | None
) -> ContactAttempt:
    """The DSP contact the case is opened from: the one named, or the account's latest one
    with no case yet."""
    if attempt_id is None:
        attempt = session.scalar(
            select(ContactAttempt)
            .where(
                ContactAttempt.loan_id == loan.id,
                ContactAttempt.disposition == DISPUTE,
                ~select(DisputeCase.id).where(DisputeCase.attempt_id == ContactAttempt.id).exists(),
            )
            .order_by(ContactAttempt.started_at.desc())
            .limit(1)
        )
        if attempt is None:
            raise NotFound(
                "Account {contract_no} has no dispute (DSP) contact without a case.",
                contract_no=loan.contract_no,
            )
    else:
        attempt = session.get(ContactAttempt, attempt_id)
        if attempt is None or attempt.loan_id != loan.id:
            raise NotFound(
                "Account {contract_no} has no contact {id}.",
                contract_no=loan.contract_no,
                id=str(attempt_id),
            )
        if attempt.disposition != DISPUTE:
            raise InvalidInput(
                "A dispute is opened from a contact whose outcome was a dispute (DSP), not"
                " {disposition}.",
                disposition=attempt.disposition,
            )
    if attempt.user_id != user.id and user.role is not Role.TEAM_LEAD:
        raise NotAllowed("A dispute is opened from your own contact (or by a team lead).")
    if session.scalar(select(DisputeCase.id).where(DisputeCase.attempt_id == attempt.id)):
        raise NotAllowed("A dispute case was already opened from this contact.")
    return attempt


def open_dispute(
    db: Database,
    username: str,
    contract_no: str,
    claim: DisputeClaim,
    attempt_id: uuid.UUID | None = None,
    *,
    now: datetime | None = None,
) -> DisputeView:
    """Open the dispute case of a DSP contact on the account (the one named, else the latest
    without a case), by the collector who recorded it or a team lead; audited."""
    now = (now or clock.now()).astimezone(UTC)
    policy = cases_policy()
    with db.session() as session:
        user = find_user(session, username)
        loan = load_loan(session, contract_no)
        check_scope(session, user, loan)
        attempt = _dispute_contact(session, user, loan, attempt_id)
        raised = received_day(attempt.started_at)
        deadline = policy.dispute_answer.due(raised)
        case = DisputeCase(
            loan_id=loan.id,
            borrower_id=attempt.borrower_id,
            attempt_id=attempt.id,
            kind=claim.kind,
            claim=claim.claim,
            claimed_amount=claim.amount,
            claimed_paid_on=claim.paid_on,
            claimed_reference=claim.reference,
            opened_by_id=user.id,
            opened_at=max(now, attempt.started_at),
            due_on=deadline.due,
        )
        session.add(case)
        session.flush()
        details = {
            "loan_id": str(loan.id),
            "attempt_id": str(attempt.id),
            "kind": claim.kind,
            "due_on": deadline.due.isoformat(),
            "calendar_uncovered": list(deadline.uncovered),
        }
        audit(session, "dispute.opened", "dispute_case", case.id, details, user_id=user.id)
        session.flush()
        (view,) = _views(session, DisputeCase.id == case.id, today=local_today(now))
        return view


def _scope_filter(session: Session, user: User) -> ColumnElement[bool]:
    if user.role in (Role.TEAM_LEAD, Role.ADMIN):
        return Loan.assigned_to_id.in_(worker_ids(session, user))
    return (DisputeCase.opened_by_id == user.id) | (Loan.assigned_to_id == user.id)


def disputes(
    db: Database,
    username: str,
    *,
    open_only: bool = True,
    contract_no: str | None = None,
    now: datetime | None = None,
) -> tuple[DisputeView, ...]:
    """The dispute cases a user sees, the nearest deadline first: a lead's team's, anyone
    else's their own accounts' and the ones they opened."""
    today = local_today((now or clock.now()).astimezone(UTC))
    with db.reader() as session:
        user = find_user(session, username)
        where = [_scope_filter(session, user)]
        if open_only:
            where.append(DisputeCase.decision.is_(None))
        if contract_no is not None:
            where.append(Loan.id == load_loan(session, contract_no).id)
        return tuple(_views(session, *where, today=today))


def dispute(
    db: Database, username: str, case_id: uuid.UUID, *, now: datetime | None = None
) -> DisputeView:
    """One case, with the payments an "already paid" claim may be."""
    today = local_today((now or clock.now()).astimezone(UTC))
    with db.reader() as session:
        user = find_user(session, username)
        found = _views(
            session,
            DisputeCase.id == case_id,
            _scope_filter(session, user),
            today=today,
            candidates=True,
        )
        if not found:
            raise NotFound("There is no dispute case {id} you may see.", id=str(case_id))
        return found[0]


def _decision(value: DisputeDecision | str) -> DisputeDecision:
    try:
        return DisputeDecision(value)
    except ValueError:
        raise InvalidInput(
            "Unknown decision “{decision}” (one of {known}).",
            decision=str(value),
            known=", ".join(d.value for d in DisputeDecision),
        ).at("decision") from None


def _text(value: str | None, what: Message, field: str) -> str:
    try:
        text = written_text(value, what)
    except InvalidInput as error:
        raise error.at(field) from None
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            "{field} has {length} characters; at most {limit}.",
            field=what,
            length=len(text),
            limit=MAX_TEXT,
        ).at(field)
    return text


@dataclass(frozen=True)
class DisputeDecided:
    case: DisputeView
    # The marks the decision lifted (a rejection lifts the dispute mark).
    flags_cleared: tuple[str, ...]
    # The escalations the decision decided with it.
    escalations_decided: tuple[uuid.UUID, ...]


def check_decision(
    decision: DisputeDecision | str, reasons: str | None, correction: str | None
) -> tuple[DisputeDecision, str | None, str | None]:
    """The decision as `decide_dispute` takes it: a rejection says why, an upheld dispute what
    correction is expected (a finding may come with it)."""
    chosen = _decision(decision)
    why = _text(reasons, Message("The reasons"), "reasons") or None
    fix = _text(correction, Message("The correction expected"), "correction") or None
    if chosen is DisputeDecision.REJECTED:
        if why is None:
            raise InvalidInput("Say why the dispute is rejected.").at("reasons")
        if fix is not None:
            raise InvalidInput("A rejected dispute expects no correction.").at("correction")
    if chosen is DisputeDecision.UPHELD and fix is None:
        raise InvalidInput(
            "Say what correction the lending system is expected to make (the amounts are"
            " corrected through the feed, not here)."
        ).at("correction")
    return chosen, why, fix


def decide_dispute(
    db: Database,
    username: str,
    case_id: uuid.UUID,
    decision: DisputeDecision | str,
    reasons: str | None = None,
    correction: str | None = None,
    *,
    now: datetime | None = None,
) -> DisputeDecided:
    """A team lead of the account's team decides the dispute, once; audited.

    Rejected: collection resumes (the dispute mark is lifted unless another open dispute of
    the borrower's holds it; the contact's escalation is decided "resume" with the reasons).
    Upheld: collection stays paused (its escalation decided "kept paused" with the correction
    expected) until the feed corrects the amounts; nothing is edited by hand.
    """
    now = (now or clock.now()).astimezone(UTC)
    chosen, why, fix = check_decision(decision, reasons, correction)
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead decides a dispute.")
        case = session.get(DisputeCase, case_id)
        if case is None:
            raise NotFound("There is no dispute case {id} you may see.", id=str(case_id))
        loan = session.get_one(Loan, case.loan_id)
        if loan.assigned_to_id not in worker_ids(session, user):
            raise NotAllowed(
                "The dispute on {contract_no} belongs to another team's account.",
                contract_no=loan.contract_no,
            )
        borrower = session.get_one(Borrower, case.borrower_id)
        lock(session, borrower)
        session.refresh(case)
        if case.decision is not None:
            raise NotAllowed(
                "This dispute was already decided ({decision}) at {time}.",
                decision=case.decision,
                time=case.decided_at,
            )
        case.decision = chosen.value
        case.decided_by_id = user.id
        case.decided_at = now
        case.reasons = why
        case.correction = fix
        decided = _decide_escalations(session, case, user, chosen, why or fix or "", now)
        cleared: tuple[str, ...] = ()
        if chosen is DisputeDecision.REJECTED and borrower.dispute_open:
            others = session.scalar(
                select(DisputeCase.id).where(
                    DisputeCase.borrower_id == borrower.id,
                    DisputeCase.decision.is_(None),
                    DisputeCase.id != case.id,
                )
            ) or session.scalar(
                select(Escalation.id).where(
                    Escalation.borrower_id == borrower.id,
                    Escalation.kind == "dispute",
                    Escalation.decided_at.is_(None),
                    Escalation.id.not_in(decided),
                )
            )
            if others is None:
                borrower.dispute_open = False
                cleared = ("dispute_open",)
        details = {
            "loan_id": str(case.loan_id),
            "kind": case.kind,
            "decision": chosen.value,
            "reasons": why,
            "correction": fix,
            "flags_cleared": list(cleared),
            "escalations": [str(e) for e in decided],
        }
        audit(session, "dispute.decided", "dispute_case", case.id, details, user_id=user.id)
        session.flush()
        (view,) = _views(session, DisputeCase.id == case.id, today=local_today(now))
        return DisputeDecided(view, cleared, decided)


def _decide_escalations(
    session: Session,
    case: DisputeCase,
    user: User,
    chosen: DisputeDecision,
    note: str,
    now: datetime,
) -> tuple[uuid.UUID, ...]:
    """The dispute escalations the case's contact raised, still open, decided with it."""
    decision = (
        EscalationDecision.RESUME
        if chosen is DisputeDecision.REJECTED
        else EscalationDecision.PAUSE
    )
    decided = []
    for escalation in session.scalars(
        select(Escalation).where(
            Escalation.attempt_id == case.attempt_id,
            Escalation.kind == "dispute",
            Escalation.decided_at.is_(None),
        )
    ):
        if escalation.acknowledged_at is None:
            escalation.acknowledged_by_id = user.id
            escalation.acknowledged_at = now
        escalation.decision = decision
        escalation.decided_at = now
        escalation.note = note[:2000]
        audit(
            session,
            "escalation.decided",
            "escalation",
            escalation.id,
            {
                "loan_id": str(escalation.loan_id),
                "kind": escalation.kind,
                "decision": decision.value,
                "note": note,
                "dispute_case": str(case.id),
            },
            user_id=user.id,
        )
        decided.append(escalation.id)
    return tuple(decided)


def record_dispute_contact(
    db: Database, entry: ContactInput, claim: DisputeClaim | None, *, now: datetime | None = None
) -> RecordedContact:
    """Record a contact and, for a dispute (DSP) with its claim, open its case (the outcome
    form's save). The claim was checked before (`check_claim`); the case is opened from the
    contact once it is stored, in the same transaction: both are kept, or neither."""
    with db.engine.begin() as connection:
        # Each service's unit of work a savepoint of this one transaction.
        together = Database.within(connection)
        recorded = record_contact(together, entry, now=now)
        if claim is not None and entry.disposition == DISPUTE:
            open_dispute(
                together, entry.username, entry.contract_no, claim, recorded.attempt_id, now=now
            )
    return recorded
