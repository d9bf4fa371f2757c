"""Escalations: contact outcomes the team lead must see and decide on (docs/domain.md §3, §6).

Recording a contact raises them (a self-harm risk or a vulnerability disclosed, a reported
death, a dispute); the outcome itself already set the borrower flag that pauses collection.
A team lead of the account's team first acknowledges it (seen, someone is on it: the dashboard
counts the ones nobody has), then decides: keep the pause, resume collection, or refer the
case on. A decision acknowledges the case too if nobody had. Which outcomes raise which kind,
and what each kind pauses, is data (`resources/escalations.json`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    ContactAttempt,
    Escalation,
    EscalationDecision,
    Loan,
    Role,
    User,
)
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, Localized, Message, NotAllowed, NotFound
from app.services.common.reference import dispositions, emotions, load_json
from app.services.common.scope import find_user, worker_ids
from app.services.common.teams import team_scope
from app.services.common.typed import written_text
from app.services.portfolio.accounts import lock
from app.services.portfolio.notes import MAX_NOTE_CHARS


@dataclass(frozen=True)
class EscalationKind:
    kind: str
    en: str
    zh_CN: str
    urgent: bool
    pause_flag: str
    resumable: bool
    emotion: str | None = None
    disposition: str | None = None

    def text(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en


@cache
def escalation_kinds() -> dict[str, EscalationKind]:
    """Every kind, most urgent first."""
    result = {}
    for item in load_json("escalations.json")["kinds"]:
        kind = EscalationKind(**item)
        if kind.pause_flag not in BORROWER_FLAGS:
            raise ValueError(f"escalation {kind.kind}: unknown borrower flag {kind.pause_flag}")
        if (kind.emotion is None) == (kind.disposition is None):
            raise ValueError(f"escalation {kind.kind}: name an emotion or a disposition")
        if kind.emotion is not None and kind.emotion not in emotions():
            raise ValueError(f"escalation {kind.kind}: unknown emotion {kind.emotion}")
        if kind.disposition is not None and kind.disposition not in dispositions():
            raise ValueError(f"escalation {kind.kind}: unknown disposition {kind.disposition}")
        result[kind.kind] = kind
    return result


def kinds_raised_by(emotion: str | None, disposition: str) -> tuple[EscalationKind, ...]:
    """The escalations a contact with this emotion and outcome raises, most urgent first."""
    return tuple(
        kind
        for kind in escalation_kinds().values()
        if (kind.emotion is not None and kind.emotion == emotion)
        or (kind.disposition is not None and kind.disposition == disposition)
    )


def decision_text(decision: EscalationDecision | None) -> Message:
    """Where an escalation stands: waiting for a decision, or what the team lead decided.

    The one wording, inside service messages and on screen
    (`app.ui.common.labels.escalation_decision_name` translates it).
    """
    return _DECISION_TEXT[decision]


_DECISION_TEXT: dict[EscalationDecision | None, Message] = {
    None: Message("waiting for a decision"),
    EscalationDecision.PAUSE: Message("kept paused"),
    EscalationDecision.RESUME: Message("collection resumed"),
    EscalationDecision.REFER: Message("referred"),
}


def raise_escalations(
    session: Session,
    attempt: ContactAttempt,
    kinds: Sequence[EscalationKind],
    raised_at: datetime,
) -> list[Escalation]:
    """Add one escalation per kind, each with its audit event, to the contact's unit of work."""
    raised = []
    for kind in kinds:
        escalation = Escalation(
            loan_id=attempt.loan_id,
            borrower_id=attempt.borrower_id,
            attempt_id=attempt.id,
            kind=kind.kind,
            raised_by_id=attempt.user_id,
            raised_at=raised_at,
        )
        session.add(escalation)
        session.flush()
        details = {
            "loan_id": str(attempt.loan_id),
            "attempt_id": str(attempt.id),
            "kind": kind.kind,
            "urgent": kind.urgent,
            "disposition": attempt.disposition,
            "emotion": attempt.emotion,
        }
        audit(
            session,
            "escalation.raised",
            "escalation",
            escalation.id,
            details,
            user_id=attempt.user_id,
        )
        raised.append(escalation)
    return raised


@dataclass(frozen=True)
class EscalationView:
    id: uuid.UUID
    kind: str
    urgent: bool
    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    attempt_id: uuid.UUID | None
    disposition: str | None
    emotion: str | None
    raised_by: str
    raised_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    decision: str | None = None
    decided_at: datetime | None = None
    note: str | None = None
    # Names as people read them; the fields above carry the user names.
    raised_by_name: str = ""
    acknowledged_by_name: str | None = None
    # What the collector wrote about the contact that raised it.
    contact_notes: str | None = None
    # The borrower's flags that are set now (app.models.BORROWER_FLAGS order).
    borrower_flags: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        return self.decided_at is None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def resumable(self) -> bool:
        """Whether a lead may lift the pause by deciding `resume` (not a reported death)."""
        return escalation_kinds()[self.kind].resumable

    def title(self, language: str = "en") -> str:
        return escalation_kinds()[self.kind].text(language)


@dataclass(frozen=True)
class Acknowledged:
    escalation: EscalationView
    # Borrower flags the decision lifted (only a resume lifts one).
    flags_cleared: tuple[str, ...]


_Raiser = aliased(User)
_Lead = aliased(User)


def _views(session: Session, *where: ColumnElement[bool]) -> list[EscalationView]:
    """Escalations with what a list shows about them, oldest first; raised together (by one
    contact), most urgent first."""
    flags = [getattr(Borrower, flag).label(f"flag_{flag}") for flag in BORROWER_FLAGS]
    rows = session.execute(
        select(
            Escalation,
            Loan.contract_no,
            Borrower.name.label("borrower"),
            _Raiser.username.label("raised_by"),
            _Raiser.display_name.label("raised_by_name"),
            _Lead.username.label("lead"),
            _Lead.display_name.label("lead_name"),
            ContactAttempt.disposition,
            ContactAttempt.emotion,
            ContactAttempt.notes,
            *flags,
        )
        .join(Loan, Loan.id == Escalation.loan_id)
        .join(Borrower, Borrower.id == Escalation.borrower_id)
        .join(_Raiser, _Raiser.id == Escalation.raised_by_id)
        .outerjoin(_Lead, _Lead.id == Escalation.acknowledged_by_id)
        .outerjoin(ContactAttempt, ContactAttempt.id == Escalation.attempt_id)
        .where(*where)
        .order_by(Escalation.raised_at, Escalation.id)
    )
    urgency = {kind: rank for rank, kind in enumerate(escalation_kinds())}
    views = [_view(row) for row in rows]
    return sorted(views, key=lambda view: (view.raised_at, urgency[view.kind]))


def _view(row: Any) -> EscalationView:
    escalation = row.Escalation
    return EscalationView(
        id=escalation.id,
        kind=escalation.kind,
        urgent=escalation_kinds()[escalation.kind].urgent,
        loan_id=escalation.loan_id,
        contract_no=row.contract_no,
        borrower=row.borrower,
        attempt_id=escalation.attempt_id,
        disposition=row.disposition,
        emotion=row.emotion,
        raised_by=row.raised_by,
        raised_at=escalation.raised_at,
        acknowledged_by=row.lead,
        acknowledged_at=escalation.acknowledged_at,
        decision=escalation.decision.value if escalation.decision else None,
        decided_at=escalation.decided_at,
        note=escalation.note,
        raised_by_name=row.raised_by_name,
        acknowledged_by_name=row.lead_name,
        contact_notes=row.notes,
        borrower_flags=tuple(flag for flag in BORROWER_FLAGS if getattr(row, f"flag_{flag}")),
    )


def open_escalations(db: Database, username: str) -> tuple[EscalationView, ...]:
    """Escalations still waiting for a decision, oldest first.

    A team lead gets every one on the team's accounts; anyone else the ones they raised.
    """
    with db.reader() as session:
        user = find_user(session, username)
        mine: ColumnElement[bool]
        if user.role is Role.TEAM_LEAD:
            mine = Loan.assigned_to_id.in_(worker_ids(session, user))
        else:
            mine = Escalation.raised_by_id == user.id
        return tuple(_views(session, Escalation.decided_at.is_(None), mine))


@dataclass(frozen=True)
class EscalationInbox:
    """A team lead's escalations: the open ones and the ones decided lately."""

    # Not decided yet (acknowledged or not), oldest first.
    open: tuple[EscalationView, ...]
    # Decided within the days asked for, latest decision first.
    decided: tuple[EscalationView, ...]

    @property
    def unacknowledged(self) -> int:
        return sum(1 for view in self.open if not view.acknowledged)


def escalation_inbox(
    db: Database,
    username: str,
    include_decided_days: int = 7,
    *,
    now: datetime | None = None,
) -> EscalationInbox:
    """The escalations on the accounts of the lead's team: open ones oldest first, then the
    ones decided in the last `include_decided_days` days (0: none).

    Only a team lead (or an administrator, for their own team) opens it.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        scope = team_scope(session, username)
        theirs = Loan.assigned_to_id.in_(scope.member_ids)
        waiting = _views(session, Escalation.decided_at.is_(None), theirs)
        decided: list[EscalationView] = []
        if include_decided_days > 0:
            since = now - timedelta(days=include_decided_days)
            decided = _views(session, Escalation.decided_at >= since, theirs)
            decided.sort(key=lambda view: (view.decided_at or now, view.raised_at), reverse=True)
        return EscalationInbox(open=tuple(waiting), decided=tuple(decided))


def _decision(value: EscalationDecision | str) -> EscalationDecision:
    try:
        return EscalationDecision(value)
    except ValueError:
        known = ", ".join(decision.value for decision in EscalationDecision)
        raise InvalidInput(
            "Unknown decision “{decision}” (one of {known}).", decision=str(value), known=known
        ) from None


def decision_note(note: str | None, decision: EscalationDecision | str) -> str | None:
    """The note a decision keeps (None: none), checked as `decide_escalation` checks it: a
    referral says to whom, a resumption why. The window asks this before it asks "are you
    sure?"; a refusal names the field "note"."""
    chosen = _decision(decision)
    try:
        text = written_text(note, Message("The note")) or None
    except InvalidInput as error:
        raise error.at("note") from None
    if text is None and chosen is EscalationDecision.REFER:
        raise InvalidInput("Say in the note whom the case is referred to.").at("note")
    if text is None and chosen is EscalationDecision.RESUME:
        raise InvalidInput("Say in the note why collection can resume.").at("note")
    if text is not None and len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(
            "The note has {length} characters; at most {limit}.",
            length=len(text),
            limit=MAX_NOTE_CHARS,
        ).at("note")
    return text


def _case(session: Session, user: User, escalation_id: uuid.UUID) -> tuple[Escalation, Borrower]:
    """The escalation, held (with its borrower) against another lead acting on it meanwhile."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("There is no escalation {id}.", id=str(escalation_id))
    loan = session.get_one(Loan, escalation.loan_id)
    if loan.assigned_to_id not in worker_ids(session, user):
        raise NotAllowed(
            "The escalation on {contract_no} belongs to another team's account.",
            contract_no=loan.contract_no,
        )
    borrower = session.get_one(Borrower, escalation.borrower_id)
    lock(session, borrower)
    session.refresh(escalation)
    return escalation, borrower


def acknowledge_escalation(
    db: Database, username: str, escalation_id: uuid.UUID, *, now: datetime | None = None
) -> EscalationView:
    """A team lead of the account's team has seen the escalation; the decision may follow later.

    Audited. Acknowledging one that is already acknowledged (or decided) changes nothing: the
    view says who acknowledged it and when.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead can acknowledge an escalation.")
        escalation, _ = _case(session, user, escalation_id)
        if escalation.acknowledged_at is None:
            escalation.acknowledged_by_id = user.id
            escalation.acknowledged_at = now
            details = {"loan_id": str(escalation.loan_id), "kind": escalation.kind}
            audit(
                session,
                "escalation.acknowledged",
                "escalation",
                escalation.id,
                details,
                user_id=user.id,
            )
            session.flush()
        (view,) = _views(session, Escalation.id == escalation.id)
        return view


def decide_escalation(
    db: Database,
    username: str,
    escalation_id: uuid.UUID,
    decision: EscalationDecision | str,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> Acknowledged:
    """A team lead's decision on an escalation of their team, audited; it acknowledges the
    escalation too if nobody had.

    `pause` keeps collection paused, `resume` lifts the pause the escalation's kind set (not a
    reported death) and needs a note saying why, `refer` keeps it paused and records, in the
    note, whom it went to.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    chosen = _decision(decision)
    text = decision_note(note, chosen)
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead can decide on an escalation.")
        escalation, borrower = _case(session, user, escalation_id)
        if escalation.decided_at is not None:
            raise NotAllowed(
                "This escalation was already decided ({decision}) at {time}.",
                decision=decision_text(escalation.decision),
                time=escalation.decided_at,
            )
        kind = escalation_kinds()[escalation.kind]
        cleared: tuple[str, ...] = ()
        if chosen is EscalationDecision.RESUME:
            cleared = _resume(session, escalation, kind, borrower)
        acknowledged_now = escalation.acknowledged_at is None
        if acknowledged_now:
            escalation.acknowledged_by_id = user.id
            escalation.acknowledged_at = now
        escalation.decision = chosen
        escalation.decided_at = now
        escalation.note = text
        details = {
            "loan_id": str(escalation.loan_id),
            "kind": escalation.kind,
            "decision": chosen.value,
            "note": text,
            "flags_cleared": list(cleared),
            "acknowledged_now": acknowledged_now,
        }
        audit(session, "escalation.decided", "escalation", escalation.id, details, user_id=user.id)
        session.flush()
        (view,) = _views(session, Escalation.id == escalation.id)
        return Acknowledged(escalation=view, flags_cleared=cleared)


def acknowledge(
    db: Database,
    username: str,
    escalation_id: uuid.UUID,
    decision: EscalationDecision | str,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> Acknowledged:
    """Acknowledge and decide in one step (the CLI's `decide`): see `decide_escalation`."""
    return decide_escalation(db, username, escalation_id, decision, note, now=now)


def _resume(
    session: Session, escalation: Escalation, kind: EscalationKind, borrower: Borrower
) -> tuple[str, ...]:
    if not kind.resumable:
        raise NotAllowed(
            "“{kind}” cannot be resumed here: keep it paused or refer it until it is verified.",
            kind=Localized(kind.en, kind.zh_CN),
        )
    # Two open cases may hold the same pause (a vulnerability, then a self-harm risk): lifting
    # it for one would silently lift it for the other.
    sharing = [
        other
        for other in session.scalars(
            select(Escalation.kind).where(
                Escalation.borrower_id == escalation.borrower_id,
                Escalation.decided_at.is_(None),
                Escalation.id != escalation.id,
            )
        )
        if escalation_kinds()[other].pause_flag == kind.pause_flag
    ]
    if sharing:
        holders = [escalation_kinds()[other] for other in sharing]
        names = Localized(", ".join(h.en for h in holders), "、".join(h.zh_CN for h in holders))
        raise NotAllowed(
            "Another open escalation on this borrower ({kinds}) keeps collection paused;"
            " decide it first.",
            kinds=names,
        )
    if not getattr(borrower, kind.pause_flag):
        return ()
    setattr(borrower, kind.pause_flag, False)
    return (kind.pause_flag,)
