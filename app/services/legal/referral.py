"""A team lead refers an account to legal, records its case's steps, or withdraws it.

A referral sets the borrower's `legal_referral` mark in the same transaction: the contact
rules stop on it, so the account leaves the collectors' queues (and the reminders job's list)
at once. The case's rows are the leads' (a collector's copy never holds them: the sync sends
them to leads only, the central server shows them to leads only).

A case goes through its steps in order: a firm and lawyer instructed; the filing (case
number, court), once; hearings and the judgment (once) after the filing, not dated before it;
enforcement after the judgment; costs and recoveries (money, more than zero) at any point; the
close, which ends it. Each step is dated on the business calendar, never ahead of today nor
before the referral's day; a closed or withdrawn case takes no more. A referral is withdrawn
only before the filing, and that returns the account to collection (the mark lifted, unless
another open referral holds the borrower).

The central server enforces the same rules with the same words (migration 0030), so a lead's
`psql` session gets the answer the window gives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Borrower, DisputeCase, LegalStep, LegalStepKind, Loan, Role, User
from app.models import LegalCase as CaseRow
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.clock import local_today
from app.services.common.errors import (
    Checks,
    InvalidAmount,
    InvalidDate,
    InvalidInput,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.money import parse_amount
from app.services.common.scope import find_user
from app.services.common.typed import typed_text, written_text

# The steps that mark how far a case went, furthest first (costs and recoveries do not move it).
STAGES = (
    LegalStepKind.ENFORCEMENT,
    LegalStepKind.JUDGMENT,
    LegalStepKind.HEARING,
    LegalStepKind.FILING,
    LegalStepKind.LAWYER,
)
WITH_AMOUNT = (LegalStepKind.JUDGMENT, LegalStepKind.COST, LegalStepKind.RECOVERY)
LONGEST_REASON = 500
LONGEST_NOTE = 1000


@dataclass(frozen=True)
class LegalStepView:
    kind: LegalStepKind
    happened_on: date
    recorded_by: str
    recorded_at: datetime
    firm: str | None
    lawyer: str | None
    case_number: str | None
    court: str | None
    amount: Decimal | None
    note: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "on": self.happened_on.isoformat(),
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(),
            "firm": self.firm,
            "lawyer": self.lawyer,
            "case_number": self.case_number,
            "court": self.court,
            "amount": None if self.amount is None else str(self.amount),
            "note": self.note,
        }


@dataclass(frozen=True)
class LegalCase:
    """A referral and its steps in the order they happened (then as recorded)."""

    contract_no: str
    borrower: str
    currency: str
    reason: str
    referred_at: datetime
    referred_on: date
    referred_by: str
    referred_by_name: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_reason: str | None
    steps: tuple[LegalStepView, ...]

    @property
    def closed(self) -> bool:
        return any(step.kind is LegalStepKind.CLOSED for step in self.steps)

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None and not self.closed

    @property
    def stage(self) -> str:
        """ "withdrawn", "closed", the furthest step of `STAGES` taken, or "referred"."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.closed:
            return "closed"
        kinds = {step.kind for step in self.steps}
        return next((kind.value for kind in STAGES if kind in kinds), "referred")

    def latest(self, kind: LegalStepKind) -> LegalStepView | None:
        found = [step for step in self.steps if step.kind is kind]
        return found[-1] if found else None

    def total(self, kind: LegalStepKind) -> Decimal:
        return sum(
            (step.amount or Decimal("0.00") for step in self.steps if step.kind is kind),
            Decimal("0.00"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "contract_no": self.contract_no,
            "borrower": self.borrower,
            "currency": self.currency,
            "stage": self.stage,
            "reason": self.reason,
            "referred_at": self.referred_at.isoformat(),
            "referred_by": self.referred_by,
            "withdrawn_at": None if self.withdrawn_at is None else self.withdrawn_at.isoformat(),
            "withdrawn_by": self.withdrawn_by,
            "withdrawn_reason": self.withdrawn_reason,
            "costs": str(self.total(LegalStepKind.COST)),
            "recovered": str(self.total(LegalStepKind.RECOVERY)),
            "steps": [step.as_json() for step in self.steps],
        }


@dataclass(frozen=True)
class StepInput:
    """What a lead typed for a step (text as typed; the service checks it)."""

    kind: str
    happened_on: date | None
    firm: str = ""
    lawyer: str = ""
    case_number: str = ""
    court: str = ""
    amount: str = ""
    note: str = ""


# --- reading ---------------------------------------------------------------------------------


def legal_case(db: Database, username: str, contract_no: str) -> LegalCase | None:
    """The account's referral to legal (its latest) with its steps in order; None when it was
    never referred. Only a lead of the account's team (or an administrator) reads it."""
    with db.reader() as session:
        user = find_user(session, username)
        loan = _account(session, user, contract_no)
        case = _latest_case(session, loan.id)
        return None if case is None else _view(session, case, loan, _names(session))


def case_of(session: Session, loan: Loan) -> LegalCase | None:
    """`loan`'s latest referral to legal with its steps, in the caller's unit of work (the
    caller has checked who may read it: the referral package's writer)."""
    case = _latest_case(session, loan.id)
    return None if case is None else _view(session, case, loan, _names(session))


def legal_cases(db: Database, username: str, *, open_only: bool = False) -> tuple[LegalCase, ...]:
    """The referrals of the lead's team's accounts (every team's for an administrator), the
    latest of each account, newest first."""
    with db.reader() as session:
        user = find_user(session, username)
        _lead(user)
        query = select(CaseRow, Loan).join(Loan, Loan.id == CaseRow.loan_id)
        if user.role is Role.TEAM_LEAD:
            team = select(User.id).where(User.team_id == user.team_id)
            query = query.where(
                (Loan.assigned_to_id.in_(team))
                | (Loan.assigned_to_id.is_(None) & (Loan.team_id == user.team_id))
            )
        names = _names(session)
        found: dict[uuid.UUID, LegalCase] = {}
        for case, loan in session.execute(query.order_by(CaseRow.referred_at.desc())):
            if loan.id not in found:
                found[loan.id] = _view(session, case, loan, names)
        views = tuple(found.values())
        return tuple(view for view in views if view.is_open) if open_only else views


def _names(session: Session) -> dict[uuid.UUID, tuple[str, str]]:
    """Every login's username and display name, by id: read once for all the cases shown."""
    return {
        row.id: (row.username, row.display_name)
        for row in session.execute(select(User.id, User.username, User.display_name))
    }


def _view(
    session: Session, case: CaseRow, loan: Loan, names: dict[uuid.UUID, tuple[str, str]]
) -> LegalCase:
    steps = session.scalars(
        select(LegalStep)
        .where(LegalStep.case_id == case.id)
        .order_by(LegalStep.happened_on, LegalStep.recorded_at)
    )
    borrower = session.get_one(Borrower, case.borrower_id)
    return LegalCase(
        contract_no=loan.contract_no,
        borrower=borrower.name,
        currency=loan.currency,
        reason=case.reason,
        referred_at=case.referred_at,
        referred_on=local_today(case.referred_at),
        referred_by=names.get(case.referred_by_id, ("", ""))[0],
        referred_by_name=names.get(case.referred_by_id, ("", ""))[1],
        withdrawn_at=case.withdrawn_at,
        withdrawn_by=None
        if case.withdrawn_by_id is None
        else names.get(case.withdrawn_by_id, ("", ""))[0],
        withdrawn_reason=case.withdrawn_reason,
        steps=tuple(
            LegalStepView(
                kind=step.kind,
                happened_on=step.happened_on,
                recorded_by=names.get(step.recorded_by_id, ("", ""))[0],
                recorded_at=step.recorded_at,
                firm=step.firm,
                lawyer=step.lawyer,
                case_number=step.case_number,
                court=step.court,
                amount=step.amount,
                note=step.note,
            )
            for step in steps
        ),
    )


# --- writing ---------------------------------------------------------------------------------


def refer(
    db: Database, username: str, contract_no: str, reason: str, *, now: datetime | None = None
) -> LegalCase:
    """Refer the account to legal: the referral, and the borrower's `legal_referral` mark, in
    one transaction (the account leaves the collectors' queues). Audited."""
    now = now or clock.now()
    why = written_text(reason, Message("The reason"))
    if not why:
        raise InvalidInput(
            "Say why the account goes to legal: the lawyer and the audit trail read it."
        ).at("reason")
    if len(why) > LONGEST_REASON:
        raise InvalidInput(
            "The reason is too long ({length} characters; at most {longest}).",
            length=len(why),
            longest=LONGEST_REASON,
        ).at("reason")
    with db.session() as session:
        user = find_user(session, username)
        loan = _account(session, user, contract_no, hold=True)
        if _open_case(session, loan.id) is not None:
            raise NotAllowed("The account is already referred to legal.")
        if session.scalar(
            select(DisputeCase.id)
            .where(DisputeCase.loan_id == loan.id, DisputeCase.decision.is_(None))
            .limit(1)
        ):
            raise NotAllowed(
                "The account has a dispute waiting for a decision: decide it before referring"
                " the account to legal."
            )
        case = CaseRow(
            loan_id=loan.id,
            borrower_id=loan.borrower_id,
            reason=why,
            referred_by_id=user.id,
            referred_at=now,
        )
        session.add(case)
        # The referral first, then the mark: the central server takes the mark only with an
        # open referral (a sync sends them in this order).
        session.flush()
        borrower = session.get_one(Borrower, loan.borrower_id)
        borrower.legal_referral = True
        audit(
            session,
            "legal.referred",
            "loan",
            loan.id,
            {"contract_no": loan.contract_no, "case_id": str(case.id), "reason": why},
            user_id=user.id,
        )
        session.flush()
        return _view(session, case, loan, _names(session))


def withdraw(
    db: Database, username: str, contract_no: str, reason: str, *, now: datetime | None = None
) -> LegalCase:
    """Withdraw the account's open referral, before its case is filed: the account returns to
    collection (the borrower's mark lifted, unless another open referral holds it). Audited."""
    now = now or clock.now()
    why = written_text(reason, Message("The reason"))
    if not why:
        raise InvalidInput("Say why the referral is withdrawn.").at("reason")
    if len(why) > LONGEST_REASON:
        raise InvalidInput(
            "The reason is too long ({length} characters; at most {longest}).",
            length=len(why),
            longest=LONGEST_REASON,
        ).at("reason")
    with db.session() as session:
        user = find_user(session, username)
        loan = _account(session, user, contract_no, hold=True)
        case = _latest_case(session, loan.id)
        _still_open(session, case)
        assert case is not None
        if _has_step(session, case.id, LegalStepKind.FILING):
            raise NotAllowed("A referral is withdrawn only before the case is filed.")
        case.withdrawn_at = now
        case.withdrawn_by_id = user.id
        case.withdrawn_reason = why
        session.flush()
        others = session.scalar(
            select(CaseRow.id).where(
                CaseRow.borrower_id == loan.borrower_id,
                CaseRow.id != case.id,
                CaseRow.withdrawn_at.is_(None),
                ~select(LegalStep.id)
                .where(LegalStep.case_id == CaseRow.id, LegalStep.kind == LegalStepKind.CLOSED)
                .exists(),
            )
        )
        if others is None:
            session.get_one(Borrower, loan.borrower_id).legal_referral = False
        audit(
            session,
            "legal.withdrawn",
            "loan",
            loan.id,
            {"contract_no": loan.contract_no, "case_id": str(case.id), "reason": why},
            user_id=user.id,
        )
        session.flush()
        return _view(session, case, loan, _names(session))


def record_step(
    db: Database,
    username: str,
    contract_no: str,
    typed: StepInput,
    *,
    now: datetime | None = None,
) -> LegalCase:
    """Record a step of the account's open legal case, in the case's order. Audited."""
    now = now or clock.now()
    checks = Checks()
    kind = checks.check("kind", _kind, typed.kind)
    firm = checks.check("firm", typed_text, typed.firm, Message("The firm"), 120)
    lawyer = checks.check("lawyer", typed_text, typed.lawyer, Message("The lawyer"), 80)
    # Not a code: a case number goes into the lawyer's spreadsheets, where "=" starts a formula.
    number = checks.check(
        "case_number", typed_text, typed.case_number, Message("The case number"), 60
    )
    court = checks.check("court", typed_text, typed.court, Message("The court"), 120)
    note = checks.check("note", _note, typed.note)
    amount = checks.check("amount", _amount, typed.amount)
    if typed.happened_on is None:
        checks.add("on", InvalidDate("Say on which day the step happened."))
    checks.verdict()
    assert kind is not None and typed.happened_on is not None
    day = typed.happened_on
    if kind is LegalStepKind.LAWYER and not (firm and lawyer):
        raise InvalidInput("Name the firm and the lawyer instructed.").at(
            "firm" if not firm else "lawyer"
        )
    if kind is LegalStepKind.FILING and not (number and court):
        raise InvalidInput("A filing names its case number and its court.").at(
            "case_number" if not number else "court"
        )
    if kind in (LegalStepKind.COST, LegalStepKind.RECOVERY) and not amount:
        raise InvalidAmount("A cost or a recovery has an amount of more than zero.").at("amount")
    if amount is not None and kind not in WITH_AMOUNT:
        raise InvalidInput("Only a judgment, a cost or a recovery has an amount.").at("amount")
    if kind is LegalStepKind.CLOSED and not note:
        raise InvalidInput("Say how the case ended.").at("note")
    with db.session() as session:
        user = find_user(session, username)
        loan = _account(session, user, contract_no, hold=True)
        case = _latest_case(session, loan.id)
        _still_open(session, case)
        assert case is not None
        _in_order(session, case, kind, day, local_today(now))
        step = LegalStep(
            case_id=case.id,
            loan_id=loan.id,
            kind=kind,
            happened_on=day,
            recorded_by_id=user.id,
            recorded_at=now,
            firm=firm or None,
            lawyer=lawyer or None,
            case_number=number or None,
            court=court or None,
            amount=amount,
            note=note or None,
        )
        session.add(step)
        session.flush()
        audit(
            session,
            "legal.step",
            "loan",
            loan.id,
            {
                "contract_no": loan.contract_no,
                "case_id": str(case.id),
                "step_id": str(step.id),
                "kind": kind.value,
                "on": day.isoformat(),
                **({"amount": str(amount)} if amount is not None else {}),
            },
            user_id=user.id,
        )
        session.flush()
        return _view(session, case, loan, _names(session))


# --- the rules -------------------------------------------------------------------------------


def _in_order(session: Session, case: CaseRow, kind: LegalStepKind, day: date, today: date) -> None:
    """The step's order and day against the case's steps (the server's `legal_steps_guard`)."""
    if day > today:
        raise InvalidDate("A legal step is not dated ahead of today.").at("on")
    if day < local_today(case.referred_at):
        raise InvalidDate("A legal step is not dated before the referral.").at("on")
    days: dict[LegalStepKind, list[date]] = {}
    for step_kind, on in session.execute(
        select(LegalStep.kind, LegalStep.happened_on).where(LegalStep.case_id == case.id)
    ):
        days.setdefault(step_kind, []).append(on)
    filed = min(days.get(LegalStepKind.FILING, []), default=None)
    judged = min(days.get(LegalStepKind.JUDGMENT, []), default=None)
    if kind is LegalStepKind.FILING:
        if filed is not None:
            raise NotAllowed("The case is filed already.")
        if LegalStepKind.LAWYER not in days:
            raise NotAllowed("A case is filed only once a firm and lawyer are instructed.")
    elif kind in (LegalStepKind.HEARING, LegalStepKind.JUDGMENT):
        if filed is None:
            raise NotAllowed("Hearings and a judgment come only after the case is filed.")
        if day < filed:
            raise InvalidDate("A hearing or a judgment is not dated before the filing.").at("on")
        if kind is LegalStepKind.JUDGMENT and judged is not None:
            raise NotAllowed("The case has its judgment already.")
    elif kind is LegalStepKind.ENFORCEMENT:
        if judged is None:
            raise NotAllowed("Enforcement comes only after the judgment.")
        if day < judged:
            raise InvalidDate("Enforcement is not dated before the judgment.").at("on")
    elif kind is LegalStepKind.CLOSED:
        last = max((on for ons in days.values() for on in ons), default=None)
        if last is not None and day < last:
            raise InvalidDate("A case is not closed before its last step.").at("on")


def _still_open(session: Session, case: CaseRow | None) -> None:
    if case is None:
        raise NotFound("The account is not referred to legal.")
    if case.withdrawn_at is not None:
        raise NotAllowed("The referral was withdrawn: it takes no more steps.")
    if _has_step(session, case.id, LegalStepKind.CLOSED):
        raise NotAllowed("The legal case is closed: it takes no more steps.")


def _has_step(session: Session, case_id: uuid.UUID, kind: LegalStepKind) -> bool:
    found = session.scalar(
        select(LegalStep.id).where(LegalStep.case_id == case_id, LegalStep.kind == kind).limit(1)
    )
    return found is not None


def _latest_case(session: Session, loan_id: uuid.UUID) -> CaseRow | None:
    return session.scalar(
        select(CaseRow)
        .where(CaseRow.loan_id == loan_id)
        .order_by(CaseRow.referred_at.desc())
        .limit(1)
    )


def _open_case(session: Session, loan_id: uuid.UUID) -> CaseRow | None:
    case = _latest_case(session, loan_id)
    if case is None or case.withdrawn_at is not None:
        return None
    return None if _has_step(session, case.id, LegalStepKind.CLOSED) else case


def _kind(text: str) -> LegalStepKind:
    try:
        return LegalStepKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "There is no legal step “{kind}”; choose {kinds}.",
            kind=text,
            kinds=", ".join(kind.value for kind in LegalStepKind),
        ) from None


def _note(text: str) -> str:
    value = written_text(text, Message("The note"))
    if len(value) > LONGEST_NOTE:
        raise InvalidInput(
            "The note is too long ({length} characters; at most {longest}).",
            length=len(value),
            longest=LONGEST_NOTE,
        )
    return value


def _amount(text: str | Decimal | None) -> Decimal | None:
    """None when nothing was typed; money otherwise, never negative."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", "").lstrip("¥"))
    except InvalidOperation:
        value = None
    if value is not None and value.is_finite() and value < 0:
        raise InvalidAmount("An amount in a legal case is never negative.")
    if value is not None and value.is_finite() and value == 0:
        return Decimal("0.00")
    return parse_amount(raw)


# --- who may ---------------------------------------------------------------------------------


def _lead(user: User) -> None:
    if user.role not in (Role.TEAM_LEAD, Role.ADMIN) or (
        user.role is Role.TEAM_LEAD and user.team_id is None
    ):
        raise NotAllowed(
            "Only a team lead of the account's team refers it to legal or records its steps."
        )


def _account(session: Session, user: User, contract_no: str, *, hold: bool = False) -> Loan:
    """The account, when `user` is a lead of its team (or an administrator); `hold`: its row
    held to the end of the unit of work, so two leads' steps on it go one after the other."""
    _lead(user)
    query = select(Loan).where(Loan.contract_no == contract_no.strip())
    if hold and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    loan = session.scalar(query)
    if loan is None:
        raise NotFound("There is no account “{contract_no}”.", contract_no=contract_no.strip())
    if user.role is Role.TEAM_LEAD:
        team = loan.team_id
        if loan.assigned_to_id is not None:
            team = session.scalar(select(User.team_id).where(User.id == loan.assigned_to_id))
        if team != user.team_id:
            raise NotAllowed(
                "Only a team lead of the account's team refers it to legal or records its steps."
            )
    return loan
