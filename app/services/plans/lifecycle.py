"""Repayment plans from offer to close (docs/domain.md §7): stored, decided, issued, tracked.

    draft → pending approval → approved / rejected → issued → active → completed
                 (within policy: straight to approved)          ↘ broken, or cancelled

A plan within the policy is approved by the policy itself when submitted; one outside it waits
for a team lead of the collector's team. While the account's collection is paused (a borrower
mark, an escalation still open) no plan is offered, submitted, approved or issued, unless a
team lead lets one go ahead despite the pause (`app.services.plans.pauses`). Issuing gives the
agreement its number, date and the SHA-256 of its terms, and records the SHA-256 of the
agreement file written in the same transaction (`app.services.plans.agreements.issue_agreement`);
a plan whose first date passed while it waited must be offered again. Payments on the loan since
the offer are applied to the down payment and then the instalments in order, each judged by
when it was paid: the first makes an issued plan active, the last completes it, and an amount
not paid by its due date plus the grace days breaks it, which puts the account at the top of
the queue (a payment made in time but recorded after the break restores it). Every transition
is an audit event in the same unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from app.database import Database
from app.models import (
    Borrower,
    Loan,
    Payment,
    PlanInstalment,
    PlanStatus,
    RepaymentPlan,
    Role,
    User,
    counted,
)
from app.services.common.audit import audit
from app.services.common.clock import business_zone, day_start, local_today
from app.services.common.errors import InvalidInput, Message, NotAllowed, NotFound
from app.services.common.money import ZERO
from app.services.common.reference import load_json
from app.services.common.scope import find_user
from app.services.common.typed import written_text
from app.services.documents.agreement_terms import (
    canonical_terms,
    terms_digest,
)
from app.services.plans.offers import PlanOffer, PlanTerms, offer
from app.services.plans.pauses import PlanPause, plan_pause, refuse_paused
from app.services.plans.terms import agreement_number, build_terms
from app.services.portfolio.accounts import check_scope, loan_balance, lock, open_account

# Plans that still bind the account: a second one cannot be made beside them.
OPEN = (
    PlanStatus.DRAFT,
    PlanStatus.PENDING_APPROVAL,
    PlanStatus.APPROVED,
    PlanStatus.ISSUED,
    PlanStatus.ACTIVE,
)
FINAL = (PlanStatus.REJECTED, PlanStatus.COMPLETED, PlanStatus.BROKEN, PlanStatus.CANCELLED)
# Payments are applied to these; the others are not agreed (yet) or are over.
TRACKED = (PlanStatus.ISSUED, PlanStatus.ACTIVE)


@cache
def plan_grace_days() -> int:
    """Days an instalment may stay unpaid after its due date before the plan breaks (not the
    promises' grace: `contact.promises.promise_grace_days`)."""
    return int(load_json("plan_policy.json")["grace_days"])


@dataclass(frozen=True)
class PlanLineView:
    seq: int
    due_date: date
    amount: Decimal
    paid_amount: Decimal
    paid_on: date | None


@dataclass(frozen=True)
class PlanView:
    """A stored plan as the window, the CLI and the agreement see it."""

    id: uuid.UUID
    contract_no: str
    status: PlanStatus
    kind: str
    frequency: str
    currency: str
    offered_on: date | None
    overdue_principal: Decimal
    overdue_interest: Decimal
    overdue_penalty: Decimal
    overdue_fees: Decimal
    waiver: Decimal
    discount: Decimal
    down_payment: Decimal
    down_payment_paid: Decimal
    total: Decimal
    lines: tuple[PlanLineView, ...]
    breaches: tuple[Message, ...]
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    agreement_no: str | None
    agreement_date: date | None
    agreement_sha256: str | None
    agreement_file_sha256: str | None
    issued_at: datetime | None
    activated_at: datetime | None
    closed_at: datetime | None

    @property
    def overdue(self) -> Decimal:
        return (
            self.overdue_principal
            + self.overdue_interest
            + self.overdue_penalty
            + self.overdue_fees
        )

    @property
    def paid(self) -> Decimal:
        return self.down_payment_paid + sum((line.paid_amount for line in self.lines), ZERO)

    @property
    def needs_approval(self) -> bool:
        return bool(self.breaches)


def preview_plan(
    db: Database, username: str, contract_no: str, terms: PlanTerms, *, now: datetime | None = None
) -> PlanOffer:
    """The plan `terms` would make of the account's overdue amount today; nothing is written.

    Refused, as saving would be, while the account's collection is paused.
    """
    now = now or datetime.now(UTC)
    with db.reader() as session:
        _, loan, _ = open_account(session, username, contract_no)
        refuse_paused(session, loan, now)
        today = local_today(now)
        return offer(loan_balance(session, loan, today), terms, today, currency=loan.currency)


# Writes the agreement file of a plan being issued, inside the issue's transaction, and returns
# the file's SHA-256 (app.services.plans.agreements.issue_agreement gives one).
AgreementFile = Callable[[Session, RepaymentPlan, User], str]


def save_plan(
    db: Database,
    username: str,
    contract_no: str,
    terms: PlanTerms,
    *,
    submit: bool = True,
    issue_with: AgreementFile | None = None,
    now: datetime | None = None,
) -> PlanView:
    """Store the plan `terms` make; submitted at once unless `submit` is false (a draft).

    With `issue_with`, a plan the policy approves is issued in the same transaction with the
    agreement file that writes (as `issue_plan` does): a file that cannot be written stores
    nothing at all. Refuses a second plan while one is still open on the account, and any plan
    while the account's collection is paused (unless a team lead let one go ahead despite the
    pause).
    """
    now = now or datetime.now(UTC)
    with db.session() as session:
        user, loan, _ = open_account(session, username, contract_no)
        lock(session, loan)
        _refuse_second_plan(session, loan)
        despite = refuse_paused(session, loan, now)
        today = local_today(now)
        balance = loan_balance(session, loan, today)
        offered = offer(balance, terms, today, currency=loan.currency)
        plan = RepaymentPlan(
            loan_id=loan.id,
            created_by_id=user.id,
            status=PlanStatus.DRAFT,
            kind=offered.kind,
            currency=loan.currency,
            offered_on=today,
            overdue_principal=balance.principal,
            overdue_interest=balance.interest,
            overdue_penalty=balance.penalty,
            overdue_fees=balance.fees,
            total_amount=offered.total,
            down_payment=offered.down_payment,
            penalty_waived=offered.waiver,
            discount=offered.discount,
            frequency=terms.frequency if offered.kind == "instalments" else "once",
            breaches=[
                {
                    "rule": breach.rule,
                    "template": breach.template,
                    "params": {key: str(value) for key, value in breach.params},
                }
                for breach in offered.breaches
            ],
            created_at=now,
        )
        session.add(plan)
        session.flush()
        for line in offered.lines:
            session.add(
                PlanInstalment(
                    plan_id=plan.id, seq=line.seq, due_date=line.due_date, amount=line.amount
                )
            )
        audit(
            session,
            "plan.created",
            "plan",
            plan.id,
            {
                "contract_no": loan.contract_no,
                "kind": plan.kind,
                "total": str(plan.total_amount),
                "instalments": len(offered.lines),
                "breaches": [breach.rule for breach in offered.breaches],
                **_despite(despite),
            },
            user_id=user.id,
        )
        if submit:
            _submit(session, plan, user, now, despite)
            if issue_with is not None and plan.status is PlanStatus.APPROVED:
                session.flush()
                _issue(session, plan, user, now, issue_with)
        session.flush()
        return _view(session, plan)


def submit_plan(
    db: Database, username: str, plan_id: uuid.UUID, *, now: datetime | None = None
) -> PlanView:
    """Send a draft on: approved by the policy when within it, else to a team lead."""

    def submit(session: Session, plan: RepaymentPlan, user: User, at: datetime) -> None:
        _submit(session, plan, user, at, _not_paused(session, plan, at, PlanStatus.DRAFT))

    return _change(db, username, plan_id, now, submit)


def decide_plan(
    db: Database,
    username: str,
    plan_id: uuid.UUID,
    *,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> PlanView:
    """A team lead's approval or rejection of a plan outside policy; a rejection needs a reason.

    An approval is refused while the account's collection is paused (a rejection is not).
    """
    reason = written_text(reason, Message("The reason"))

    def decide(session: Session, plan: RepaymentPlan, user: User, at: datetime) -> None:
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead can approve or reject a plan.")
        if plan.created_by_id == user.id:
            raise NotAllowed("A plan cannot be approved or rejected by the person who made it.")
        if not approve and not reason:
            raise InvalidInput("Say why the plan is rejected: the collector sees the reason.")
        if len(reason) > 500:
            raise InvalidInput(
                "The reason is too long ({length} characters; at most 500).", length=len(reason)
            )
        despite = _not_paused(session, plan, at, PlanStatus.PENDING_APPROVAL) if approve else None
        plan.decided_by_id = user.id
        plan.decided_at = at
        plan.decision_reason = reason or None
        _move(
            session,
            plan,
            PlanStatus.APPROVED if approve else PlanStatus.REJECTED,
            user,
            at,
            reason=reason,
            **_despite(despite),
        )

    return _change(db, username, plan_id, now, decide)


def issue_plan(
    db: Database,
    username: str,
    plan_id: uuid.UUID,
    *,
    document: AgreementFile,
    now: datetime | None = None,
) -> PlanView:
    """Give an approved plan its agreement number, date and terms hash, and record the SHA-256
    of the agreement file `document` writes, all in one transaction: a plan is never issued
    without its file, and a file that could not be written issues nothing. Refused while the
    account's collection is paused."""

    return _change(
        db,
        username,
        plan_id,
        now,
        lambda session, plan, user, at: _issue(session, plan, user, at, document),
    )


def sign_plan(
    db: Database, username: str, plan_id: uuid.UUID, *, now: datetime | None = None
) -> PlanView:
    """The borrower signed the issued agreement: the plan is active."""

    def sign(session: Session, plan: RepaymentPlan, user: User, at: datetime) -> None:
        if plan.status is not PlanStatus.ISSUED:
            raise InvalidInput(
                "A plan that is “{current}” cannot become “{wanted}”.",
                current=_STATUS_TEXT[plan.status],
                wanted=_STATUS_TEXT[PlanStatus.ACTIVE],
            )
        plan.activated_at = at
        _move(session, plan, PlanStatus.ACTIVE, user, at, signed=True)

    return _change(db, username, plan_id, now, sign)


def cancel_plan(
    db: Database, username: str, plan_id: uuid.UUID, reason: str, *, now: datetime | None = None
) -> PlanView:
    """End an open plan before it completes; the reason is kept in the audit trail."""
    reason = written_text(reason, Message("The reason"))

    def cancel(session: Session, plan: RepaymentPlan, user: User, at: datetime) -> None:
        if not reason:
            raise InvalidInput("Say why the plan is cancelled.")
        plan.closed_at = at
        _move(session, plan, PlanStatus.CANCELLED, user, at, reason=reason)

    return _change(db, username, plan_id, now, cancel)


def plans_for(db: Database, username: str, contract_no: str) -> tuple[PlanView, ...]:
    """The account's plans, newest first."""
    with db.reader() as session:
        _, loan, _ = open_account(session, username, contract_no)
        plans = session.scalars(
            select(RepaymentPlan)
            .where(RepaymentPlan.loan_id == loan.id)
            .order_by(RepaymentPlan.created_at.desc(), RepaymentPlan.id)
        ).all()
        return tuple(_view(session, plan) for plan in plans)


def plan_view(db: Database, username: str, plan_id: uuid.UUID) -> PlanView:
    with db.reader() as session:
        plan = _load(session, plan_id)
        user = find_user(session, username)
        check_plan_scope(session, user, plan)
        return _view(session, plan)


def pending_approvals(db: Database, username: str) -> tuple[PlanView, ...]:
    """Plans of the lead's team waiting for a decision, oldest first."""
    with db.reader() as session:
        user = find_user(session, username)
        return tuple(_view(session, plan) for plan in _pending(session, user))


@dataclass(frozen=True)
class ApprovalRequest:
    """A plan waiting for a team lead, with what the lead's list shows beside it."""

    plan: PlanView
    borrower: str
    collector: str  # the maker's name as people read it
    collector_username: str
    # The viewer made it: another lead must decide.
    own: bool
    # The account's collection pause as it stands (`pause.stops_plans`: no approval without
    # a lead's leave to plan despite it).
    pause: PlanPause | None = None

    @property
    def id(self) -> uuid.UUID:
        return self.plan.id


def approval_requests(
    db: Database, username: str, *, now: datetime | None = None
) -> tuple[ApprovalRequest, ...]:
    """`pending_approvals` with the borrower, the collector and the account's pause of each,
    oldest first."""
    now = now or datetime.now(UTC)
    with db.reader() as session:
        user = find_user(session, username)
        requests = []
        for plan in _pending(session, user):
            loan = session.get_one(Loan, plan.loan_id)
            borrower = session.get_one(Borrower, loan.borrower_id)
            maker = session.get_one(User, plan.created_by_id)
            requests.append(
                ApprovalRequest(
                    plan=_view(session, plan),
                    borrower=borrower.name,
                    collector=maker.display_name,
                    collector_username=maker.username,
                    own=maker.id == user.id,
                    pause=plan_pause(session, loan, now, user),
                )
            )
        return tuple(requests)


def _pending(session: Session, user: User) -> list[RepaymentPlan]:
    """The plans waiting for `user`'s team: made by a member, or on an account a member works
    (an account moved to the team after its plan was offered)."""
    if user.role is not Role.TEAM_LEAD:
        raise NotAllowed("Only a team lead sees the plans waiting for approval.")
    if user.team_id is None:
        return []
    members = select(User.id).where(User.team_id == user.team_id)
    return list(
        session.scalars(
            select(RepaymentPlan)
            .join(Loan, Loan.id == RepaymentPlan.loan_id)
            .where(
                RepaymentPlan.status == PlanStatus.PENDING_APPROVAL,
                or_(RepaymentPlan.created_by_id.in_(members), Loan.assigned_to_id.in_(members)),
            )
            .order_by(RepaymentPlan.created_at, RepaymentPlan.id)
        )
    )


@dataclass(frozen=True)
class PlanDecision:
    """A team lead's approval or rejection of a plan, as its maker reads it."""

    plan_id: uuid.UUID
    contract_no: str
    borrower: str
    approved: bool
    # The plan's status now (an approved plan may since be issued, active, …).
    status: PlanStatus
    reason: str | None
    lead: str
    decided_at: datetime
    kind: str
    total: Decimal
    currency: str
    instalments: int


_Lead = aliased(User)


def plan_decisions(
    db: Database, username: str, since: datetime | None = None
) -> tuple[PlanDecision, ...]:
    """The user's own plans a team lead approved or rejected (after `since`), latest first.

    Plans the policy approved by itself are not listed: nobody decided them.
    """
    with db.reader() as session:
        user = find_user(session, username)
        lines = (
            select(func.count())
            .select_from(PlanInstalment)
            .where(PlanInstalment.plan_id == RepaymentPlan.id)
            .scalar_subquery()
        )
        query = (
            select(
                RepaymentPlan,
                Loan.contract_no,
                Borrower.name.label("borrower"),
                _Lead.display_name.label("lead"),
                lines.label("lines"),
            )
            .join(Loan, Loan.id == RepaymentPlan.loan_id)
            .join(Borrower, Borrower.id == Loan.borrower_id)
            .join(_Lead, _Lead.id == RepaymentPlan.decided_by_id)
            .where(RepaymentPlan.created_by_id == user.id, RepaymentPlan.decided_at.is_not(None))
            .order_by(RepaymentPlan.decided_at.desc(), RepaymentPlan.id)
        )
        if since is not None:
            query = query.where(RepaymentPlan.decided_at > since)
        decisions = []
        for row in session.execute(query):
            plan = row.RepaymentPlan
            assert plan.decided_at is not None
            decisions.append(
                PlanDecision(
                    plan_id=plan.id,
                    contract_no=row.contract_no,
                    borrower=row.borrower,
                    approved=plan.status is not PlanStatus.REJECTED,
                    status=plan.status,
                    reason=plan.decision_reason,
                    lead=row.lead,
                    decided_at=plan.decided_at,
                    kind=plan.kind,
                    total=plan.total_amount,
                    currency=plan.currency,
                    instalments=row.lines,
                )
            )
        return tuple(decisions)


def track_loan_plans(
    session: Session,
    loan_id: uuid.UUID,
    now: datetime,
    *,
    payment_recorded: bool = True,
    reversed_payment: bool = False,
) -> list[uuid.UUID]:
    """Apply the loan's payments to its issued or active plan and close it when due.

    Returns the ids of plans whose status changed. Idempotent: paid amounts are recomputed from
    all payments since the offer each time, and each amount is judged by when it was paid, so
    a payment recorded late lands where it belongs. After a payment is recorded a broken plan
    is judged again too: a payment made in time but recorded after the break restores it.
    After a payment is reversed a completed plan is too: it is open (or broken) again.
    """
    changed = []
    statuses: tuple[PlanStatus, ...] = (
        (*TRACKED, PlanStatus.BROKEN) if payment_recorded or reversed_payment else TRACKED
    )
    if reversed_payment:
        statuses = (*statuses, PlanStatus.COMPLETED)
    plans = session.scalars(
        select(RepaymentPlan).where(
            RepaymentPlan.loan_id == loan_id, RepaymentPlan.status.in_(statuses)
        )
    ).all()
    for plan in plans:
        before = plan.status
        _track(session, plan, now)
        if plan.status is not before:
            changed.append(plan.id)
    return changed


def settle_due_plans(session: Session, at: datetime) -> list[uuid.UUID]:
    """Re-check every tracked plan with an amount still unpaid that fell due before `at` less
    the grace days: an instalment, or the down payment (due on the day of the offer).

    What is paid of each amount is as the plan was last tracked, which every payment recorded
    or reversed does at once; a plan with nothing unpaid past its grace cannot break now, and
    is not read (the window settles before every queue read)."""
    cutoff = local_today(at) - timedelta(days=plan_grace_days())
    due = (
        select(PlanInstalment.plan_id)
        .where(PlanInstalment.due_date < cutoff, PlanInstalment.paid_on.is_(None))
        .distinct()
    )
    down_payment_due = (RepaymentPlan.offered_on < cutoff) & (
        RepaymentPlan.down_payment_paid < RepaymentPlan.down_payment
    )
    loans = session.scalars(
        select(RepaymentPlan.loan_id)
        .where(RepaymentPlan.status.in_(TRACKED), RepaymentPlan.id.in_(due) | down_payment_due)
        .distinct()
    ).all()
    changed: list[uuid.UUID] = []
    for loan_id in loans:
        # Held like a payment holds it, so a payment recorded meanwhile is seen, not overwritten.
        lock(session, session.get_one(Loan, loan_id))
        changed.extend(track_loan_plans(session, loan_id, at, payment_recorded=False))
    return changed


def breaks_at(due_date: date) -> datetime:
    """The moment an amount due on `due_date` and still unpaid breaks its plan."""
    last_day = due_date + timedelta(days=plan_grace_days() + 1)
    return day_start(last_day)


# -- inside ----------------------------------------------------------------------------------

# Which status each status may move to, and so which action is possible when.
_NEXT: dict[PlanStatus, tuple[PlanStatus, ...]] = {
    PlanStatus.DRAFT: (PlanStatus.PENDING_APPROVAL, PlanStatus.APPROVED, PlanStatus.CANCELLED),
    PlanStatus.PENDING_APPROVAL: (PlanStatus.APPROVED, PlanStatus.REJECTED, PlanStatus.CANCELLED),
    PlanStatus.APPROVED: (PlanStatus.ISSUED, PlanStatus.CANCELLED),
    PlanStatus.ISSUED: (
        PlanStatus.ACTIVE,
        PlanStatus.COMPLETED,
        PlanStatus.BROKEN,
        PlanStatus.CANCELLED,
    ),
    PlanStatus.ACTIVE: (PlanStatus.COMPLETED, PlanStatus.BROKEN, PlanStatus.CANCELLED),
    # Only tracking takes this step: a payment made in time, recorded after the break.
    PlanStatus.BROKEN: (PlanStatus.ACTIVE, PlanStatus.COMPLETED),
    # Only tracking takes this step too: the lending system reversed a payment it counted.
    PlanStatus.COMPLETED: (PlanStatus.ACTIVE, PlanStatus.BROKEN),
}

_Step = Callable[[Session, RepaymentPlan, User, datetime], None]


def _change(
    db: Database, username: str, plan_id: uuid.UUID, now: datetime | None, step: _Step
) -> PlanView:
    at = now or datetime.now(UTC)
    with db.session() as session:
        user = find_user(session, username)
        plan = _load(session, plan_id)
        loan = session.get_one(Loan, plan.loan_id)
        lock(session, loan)
        session.refresh(plan)
        check_plan_scope(session, user, plan)
        step(session, plan, user, at)
        session.flush()
        return _view(session, plan)


def _load(session: Session, plan_id: uuid.UUID) -> RepaymentPlan:
    plan = session.get(RepaymentPlan, plan_id)
    if plan is None:
        raise NotFound("There is no repayment plan {plan}.", plan=str(plan_id))
    return plan


def check_plan_scope(session: Session, user: User, plan: RepaymentPlan) -> None:
    """The plan's account is the user's, or the user leads the team of the plan's maker."""
    loan = session.get_one(Loan, plan.loan_id)
    if user.role is Role.TEAM_LEAD:
        creator = session.get_one(User, plan.created_by_id)
        if creator.team_id == user.team_id:
            return
    check_scope(session, user, loan)


def _refuse_second_plan(session: Session, loan: Loan) -> None:
    existing = session.scalar(
        select(RepaymentPlan)
        .where(RepaymentPlan.loan_id == loan.id, RepaymentPlan.status.in_(OPEN))
        .order_by(RepaymentPlan.created_at.desc())
        .limit(1)
    )
    if existing is not None:
        raise InvalidInput(
            "Account {contract_no} already has an open repayment plan ({status}, made on "
            "{made}); cancel it before offering another.",
            contract_no=loan.contract_no,
            status=_STATUS_TEXT[existing.status],
            made=existing.created_at,
        )


def _issue(
    session: Session, plan: RepaymentPlan, user: User, at: datetime, document: AgreementFile
) -> None:
    if plan.status is PlanStatus.PENDING_APPROVAL:
        raise InvalidInput(
            "The plan is outside policy and waits for a team lead's approval; it cannot be "
            "issued yet."
        )
    despite = _not_paused(session, plan, at, PlanStatus.APPROVED)
    _refuse_passed_dates(session, plan, at)
    plan.agreement_no = agreement_number(plan.id, local_today(at))
    plan.agreement_date = local_today(at)
    plan.issued_at = at
    session.flush()
    # The terms as issued are kept: a reprint says (and hashes) exactly the same, whatever
    # is corrected on the borrower later.
    terms = build_terms(session, plan)
    plan.agreement_terms = canonical_terms(terms).decode()
    plan.agreement_sha256 = terms_digest(terms)
    plan.agreement_file_sha256 = document(session, plan, user)
    _move(
        session,
        plan,
        PlanStatus.ISSUED,
        user,
        at,
        agreement_no=plan.agreement_no,
        file_sha256=plan.agreement_file_sha256,
        **_despite(despite),
    )


def _submit(
    session: Session, plan: RepaymentPlan, user: User, at: datetime, despite: uuid.UUID | None
) -> None:
    if plan.breaches:
        _move(
            session,
            plan,
            PlanStatus.PENDING_APPROVAL,
            user,
            at,
            breaches=[b["rule"] for b in plan.breaches],
            **_despite(despite),
        )
    else:
        _move(session, plan, PlanStatus.APPROVED, user, at, by_policy=True, **_despite(despite))


def _not_paused(
    session: Session, plan: RepaymentPlan, at: datetime, step_from: PlanStatus
) -> uuid.UUID | None:
    """Refuse a step from `step_from` while the plan's account is paused; else the lead's
    decision it goes ahead under, if any (`pauses.refuse_paused`). A plan in another status
    is left to the lifecycle, which refuses the step as out of order."""
    if plan.status is not step_from:
        return None
    return refuse_paused(session, session.get_one(Loan, plan.loan_id), at)


def _despite(override: uuid.UUID | None) -> dict[str, str]:
    """The audit detail naming the lead's decision a step went ahead under despite a pause."""
    return {} if override is None else {"despite_pause": str(override)}


def _move(
    session: Session,
    plan: RepaymentPlan,
    status: PlanStatus,
    user: User | None,
    at: datetime,
    **details: object,
) -> None:
    if status not in _NEXT.get(plan.status, ()):
        raise InvalidInput(
            "A plan that is “{current}” cannot become “{wanted}”.",
            current=_STATUS_TEXT[plan.status],
            wanted=_STATUS_TEXT[status],
        )
    before = plan.status
    plan.status = status
    audit(
        session,
        f"plan.{status.value}",
        "plan",
        plan.id,
        {"from": before.value, "to": status.value, "at": at.isoformat(), **details},
        user_id=user.id if user else None,
    )


def _track(session: Session, plan: RepaymentPlan, now: datetime) -> None:
    """Recompute what is paid of the plan from the loan's payments since the offer; close it
    when every amount is paid in time, break it at the first one that was not."""
    payments = session.execute(
        select(Payment.paid_at, Payment.amount)
        .where(Payment.loan_id == plan.loan_id, Payment.paid_at >= plan.created_at, counted())
        .order_by(Payment.paid_at, Payment.id)
    ).all()
    zone = business_zone()
    owed: list[tuple[date, Decimal, Callable[[Decimal, date | None], None]]] = []
    if plan.down_payment > 0 and plan.offered_on is not None:
        owed.append((plan.offered_on, plan.down_payment, _down_payment_setter(plan)))
    owed.extend((line.due_date, line.amount, _line_setter(line)) for line in plan.instalments)
    left = [amount for _, amount in payments]
    index = 0
    # When each amount was paid in full (None: not yet), in the order they fall due.
    paid_at: list[datetime | None] = []
    for _due, amount, store in owed:
        covered, covered_at = ZERO, None
        while covered < amount and index < len(left):
            take = min(left[index], amount - covered)
            covered += take
            left[index] -= take
            covered_at = payments[index][0]
            if left[index] == 0:
                index += 1
        done = covered_at if covered >= amount else None
        store(covered, done.astimezone(zone).date() if done else None)
        paid_at.append(done)
    missed = [
        breaks_at(due)
        for (due, _, _), done in zip(owed, paid_at, strict=True)
        if (done is None and now >= breaks_at(due)) or (done is not None and done >= breaks_at(due))
    ]
    first_payment = payments[0][0] if payments else None
    if first_payment is not None and plan.activated_at is None:
        plan.activated_at = first_payment
    if missed:
        if plan.status is not PlanStatus.BROKEN:
            plan.closed_at = min(missed)
            _move(session, plan, PlanStatus.BROKEN, None, now, due=min(missed).isoformat())
        return
    if paid_at and all(done is not None for done in paid_at):
        if plan.status is not PlanStatus.COMPLETED:
            plan.closed_at = max(done for done in paid_at if done is not None)
            _move(session, plan, PlanStatus.COMPLETED, None, now, paid=str(plan.total_amount))
        return
    if plan.status in (PlanStatus.BROKEN, PlanStatus.COMPLETED):
        # A payment made in time has been recorded since the break, or one the plan counted
        # was reversed.
        plan.closed_at = None
        _move(session, plan, PlanStatus.ACTIVE, None, now, restored=True)
    elif plan.status is PlanStatus.ISSUED and first_payment is not None:
        _move(session, plan, PlanStatus.ACTIVE, None, now, first_payment=first_payment.isoformat())


def _down_payment_setter(plan: RepaymentPlan) -> Callable[[Decimal, date | None], None]:
    def store(paid: Decimal, _paid_on: date | None) -> None:
        plan.down_payment_paid = paid

    return store


def _refuse_passed_dates(session: Session, plan: RepaymentPlan, at: datetime) -> None:
    """A plan that waited (for approval) past its own dates must be offered again."""
    today = local_today(at)
    late = [line.due_date for line in plan.instalments if line.due_date < today]
    if plan.down_payment > 0 and plan.offered_on is not None and at >= breaks_at(plan.offered_on):
        paid = sum(
            session.scalars(
                select(Payment.amount).where(
                    Payment.loan_id == plan.loan_id, Payment.paid_at >= plan.created_at, counted()
                )
            ),
            ZERO,
        )
        if paid < plan.down_payment:
            late.insert(0, plan.offered_on)
    if late:
        raise InvalidInput(
            "The plan's first payment was due on {date}, which has passed while it waited: "
            "cancel it and offer a new one.",
            date=min(late).isoformat(),
        )


def _line_setter(line: PlanInstalment) -> Callable[[Decimal, date | None], None]:
    def store(paid: Decimal, paid_on: date | None) -> None:
        line.paid_amount = paid
        line.paid_on = paid_on

    return store


def _view(session: Session, plan: RepaymentPlan) -> PlanView:
    loan = session.get_one(Loan, plan.loan_id)
    creator = session.get_one(User, plan.created_by_id)
    decider = session.get(User, plan.decided_by_id) if plan.decided_by_id else None
    return PlanView(
        id=plan.id,
        contract_no=loan.contract_no,
        status=plan.status,
        kind=plan.kind,
        frequency=plan.frequency,
        currency=plan.currency,
        offered_on=plan.offered_on,
        overdue_principal=plan.overdue_principal,
        overdue_interest=plan.overdue_interest,
        overdue_penalty=plan.overdue_penalty,
        overdue_fees=plan.overdue_fees,
        waiver=plan.penalty_waived,
        discount=plan.discount,
        down_payment=plan.down_payment,
        down_payment_paid=plan.down_payment_paid,
        total=plan.total_amount,
        lines=tuple(
            PlanLineView(line.seq, line.due_date, line.amount, line.paid_amount, line.paid_on)
            for line in plan.instalments
        ),
        breaches=tuple(Message(item["template"], dict(item["params"])) for item in plan.breaches),
        created_by=creator.display_name,
        created_at=plan.created_at,
        decided_by=decider.display_name if decider else None,
        decided_at=plan.decided_at,
        decision_reason=plan.decision_reason,
        agreement_no=plan.agreement_no,
        agreement_date=plan.agreement_date,
        agreement_sha256=plan.agreement_sha256,
        agreement_file_sha256=plan.agreement_file_sha256,
        issued_at=plan.issued_at,
        activated_at=plan.activated_at,
        closed_at=plan.closed_at,
    )


def status_text(status: PlanStatus) -> Message:
    """The plan status as every reader sees it: inside service messages, on the command line
    (its English) and in the window (`app.ui.common.labels.plan_status_name` translates it)."""
    return _STATUS_TEXT[status]


# The one wording of each plan status; the templates are translated like any service message.
_STATUS_TEXT = {
    PlanStatus.DRAFT: Message("draft"),
    PlanStatus.PENDING_APPROVAL: Message("waiting for approval"),
    PlanStatus.APPROVED: Message("approved"),
    PlanStatus.REJECTED: Message("rejected"),
    PlanStatus.ISSUED: Message("agreement issued"),
    PlanStatus.ACTIVE: Message("active"),
    PlanStatus.COMPLETED: Message("completed"),
    PlanStatus.BROKEN: Message("broken"),
    PlanStatus.CANCELLED: Message("cancelled"),
}
