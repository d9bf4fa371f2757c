"""Contacting a borrower: may we, right now? And recording what happened when we did."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    Callback,
    Channel,
    ContactAttempt,
    ContactBlock,
    ContactKind,
    ContactPoint,
    Loan,
    LoanStatus,
    PromiseToPay,
    User,
)
from app.services.common.audit import audit
from app.services.common.clock import local_today
from app.services.common.errors import (
    Checks,
    InvalidAmount,
    InvalidDate,
    InvalidInput,
    Localized,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.money import format_money, parse_amount
from app.services.common.phones import parse_phone
from app.services.common.reference import (
    Disposition,
    Emotion,
    dispositions,
    emotions,
)
from app.services.common.typed import written_text
from app.services.contact.checklists import validate_checklist
from app.services.contact.compliance import (
    Decision,
    Evaluator,
    PastAttempt,
    Point,
    Subject,
    profile_code_for,
    profile_for,
)
from app.services.contact.escalations import kinds_raised_by, raise_escalations
from app.services.contact.outcome_rules import (
    OutcomeDraft,
    channel_of,
    disposition_of,
    outcome_refusals,
    point_missing,
    point_refusals,
    promise_date_refusal,
    read_script,
    refuse_all,
)
from app.services.portfolio.accounts import borrower_points, loan_balance, lock, open_account
from app.services.portfolio.addresses import borrower_address_zones

MAX_CALL_SECONDS = 8 * 3600
# Outcomes are logged as they happen (a field agent's day at the latest): an older time would
# let a contact dodge the caps counted for it, so it goes to the team lead instead.
MAX_BACKDATE = timedelta(hours=24)


# The borrower's own numbers: where they are says where the borrower is.
OWN_KINDS = frozenset({ContactKind.MOBILE, ContactKind.HOME, ContactKind.WORK})


def _subject(
    session: Session,
    loan: Loan,
    borrower: Borrower,
    at: datetime,
    points: Sequence[ContactPoint],
) -> Subject:
    """What the rules know of the borrower and the loan at `at`; `points` are every contact
    point of the borrower (`borrower_points`)."""
    own = [point.id for point in points if point.kind in OWN_KINDS]
    addresses = [point for point in points if point.kind is ContactKind.ADDRESS]
    flags = {flag for flag in BORROWER_FLAGS if getattr(borrower, flag)}
    if loan.status is LoanStatus.SETTLED:
        flags.add("settled")
    window = None
    if borrower.agreed_window_start and borrower.agreed_window_end:
        window = (borrower.agreed_window_start, borrower.agreed_window_end)
    # The open callback nearest to `at`: a call the borrower asked for (some rules exempt it).
    callbacks = session.scalars(
        select(Callback.due_at).where(Callback.loan_id == loan.id, Callback.done_at.is_(None))
    ).all()
    nearest = min(callbacks, key=lambda due: abs(due - at), default=None)
    return Subject(
        requested_callback_at=nearest,
        loan_id=loan.id,
        flags=frozenset(flags),
        address_zones=borrower_address_zones(borrower, addresses),
        own_point_ids=frozenset(own),
        agreed_window=window,
    )


def _point(point: ContactPoint) -> Point:
    return Point(
        id=point.id,
        kind=point.kind.value,
        zones=tuple(point.time_zones.split()),
        third_party=point.kind.is_third_party,
        do_not_call=point.do_not_call,
        wrong_number=point.wrong_number,
    )


def _history(session: Session, borrower_id: uuid.UUID, since: datetime) -> list[PastAttempt]:
    codes = dispositions()
    attempts = session.execute(
        select(
            ContactAttempt.started_at,
            ContactAttempt.loan_id,
            ContactAttempt.contact_point_id,
            ContactAttempt.channel,
            ContactAttempt.disposition,
        ).where(ContactAttempt.borrower_id == borrower_id, ContactAttempt.started_at >= since)
    )
    return [
        PastAttempt(
            at=at,
            loan_id=loan_id,
            contact_point_id=point_id,
            channel=channel.value,
            contact=codes[code].contact,
            rpc=codes[code].rpc,
            counts_toward_cap=codes[code].counts_toward_cap,
        )
        for at, loan_id, point_id, channel, code in attempts
    ]


def _contact_point(session: Session, borrower: Borrower, point_id: uuid.UUID) -> ContactPoint:
    point = session.get(ContactPoint, point_id)
    if point is None or point.borrower_id != borrower.id:
        raise NotFound(
            "Contact point {point_id} does not belong to {borrower}.",
            point_id=str(point_id),
            borrower=borrower.name,
        )
    return point


def _not_allowed(decision: Decision) -> NotAllowed:
    """The rule that forbids the contact, its detail, and when it is allowed if that is known."""
    reason = Localized(decision.reason, decision.reason_zh)
    if not decision.detail_template:
        return NotAllowed("Contact not allowed: {reason}.", reason=reason)
    detail = Message(decision.detail_template, decision.detail_params)
    if decision.next_allowed_at is None:
        return NotAllowed("Contact not allowed: {reason} ({detail}).", reason=reason, detail=detail)
    return NotAllowed(
        "Contact not allowed: {reason} ({detail}). It is allowed from {time}.",
        reason=reason,
        detail=detail,
        time=decision.next_allowed_at,
    )


def find_contact_point(db: Database, username: str, contract_no: str, typed: str) -> uuid.UUID:
    """The borrower's contact point for a number typed in any format, or an e-mail address."""
    wanted = typed.strip() if "@" in typed else parse_phone(typed).e164
    with db.reader() as session:
        _, _, borrower = open_account(session, username, contract_no)
        point_id = session.scalar(
            select(ContactPoint.id).where(
                ContactPoint.borrower_id == borrower.id, ContactPoint.value == wanted
            )
        )
        if point_id is None:
            raise InvalidInput(
                "{typed} is not one of {borrower}'s contact points.",
                typed=typed,
                borrower=borrower.name,
            )
        return point_id


def _decide(
    session: Session,
    loan: Loan,
    borrower: Borrower,
    point: ContactPoint | None,
    channel: Channel,
    at: datetime,
) -> Decision:
    profile = profile_for(borrower.country)
    subject = _subject(session, loan, borrower, at, borrower_points(session, borrower.id))
    if point is None:
        target = Point(id=None, kind="address", zones=())
    else:
        if channel is Channel.EMAIL and point.kind is not ContactKind.EMAIL:
            raise InvalidInput("An e-mail can only go to an e-mail address.")
        if channel is Channel.CALL and not point.kind.is_phone:
            raise InvalidInput("A call needs a phone number, not {value}.", value=point.value)
        if channel is Channel.SMS and not point.kind.is_phone:
            raise InvalidInput(
                "A text message needs a phone number, not {value}.", value=point.value
            )
        target = _point(point)
    history = _history(session, borrower.id, at - timedelta(days=profile.history_days()))
    return Evaluator(profile).evaluate(subject, target, channel.value, at, history)


def phone_decisions(
    session: Session,
    loan: Loan,
    borrower: Borrower,
    at: datetime,
    points: Sequence[ContactPoint] | None = None,
) -> list[tuple[ContactPoint, Decision]]:
    """Every phone number of the borrower, in order, with the rules' answer for a call at `at`.

    A helper inside the caller's session (the points are live rows of it): the borrower, the
    profile and the history are read once for all the numbers. `points`: every contact point
    of the borrower in order, where the caller has read them already (`borrower_points`).
    """
    at = at.astimezone(UTC)
    if points is None:
        points = borrower_points(session, borrower.id)
    profile = profile_for(borrower.country)
    subject = _subject(session, loan, borrower, at, points)
    history = _history(session, borrower.id, at - timedelta(days=profile.history_days()))
    evaluator = Evaluator(profile)
    return [
        (point, evaluator.evaluate(subject, _point(point), Channel.CALL.value, at, history))
        for point in points
        if point.kind.is_phone
    ]


def check_contact(
    db: Database,
    username: str,
    contract_no: str,
    contact_point_id: uuid.UUID | None,
    channel: str = "call",
    at: datetime | None = None,
) -> Decision:
    """May `username` contact this account's borrower on this point, by `channel`, at `at`?"""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        _, loan, borrower = open_account(session, username, contract_no)
        kind = channel_of(channel)
        if contact_point_id is None and kind is not Channel.VISIT:
            raise point_missing(kind)
        point = _contact_point(session, borrower, contact_point_id) if contact_point_id else None
        return _decide(session, loan, borrower, point, kind, at)


@dataclass(frozen=True)
class PromiseInput:
    amount: Decimal | str
    promised_date: date


@dataclass(frozen=True)
class ContactInput:
    username: str
    contract_no: str
    disposition: str
    started_at: datetime
    channel: str = "call"
    contact_point_id: uuid.UUID | None = None
    duration_seconds: int = 0
    # After-call work: from hanging up to saving the outcome (None: not timed).
    after_call_seconds: int | None = None
    emotion: str | None = None
    checklist: tuple[str, ...] = ()
    # The call script shown and the path taken through it (ScriptRun.path()): a right-party
    # outcome needs one in which the identity check verified the borrower.
    script_stage: str | None = None
    script_steps: tuple[str, ...] = ()
    notes: str | None = None
    promise: PromiseInput | None = None
    callback_at: datetime | None = None


@dataclass(frozen=True)
class RecordedContact:
    attempt_id: uuid.UUID
    promise_id: uuid.UUID | None
    callback_id: uuid.UUID | None
    flags_set: tuple[str, ...] = ()
    contact_point_marked: str | None = None
    # The most urgent escalation the contact raised, if any (kinds: resources/escalations.json).
    escalation_id: uuid.UUID | None = None
    escalation_kind: str | None = None
    # Every escalation raised, most urgent first; rarely more than one (a dispute by a borrower
    # who also discloses a vulnerability raises both, each decided on its own).
    escalation_ids: tuple[uuid.UUID, ...] = ()
    changed: tuple[str, ...] = field(default=())

    @property
    def escalated(self) -> bool:
        return self.escalation_id is not None


def record_contact(
    db: Database,
    entry: ContactInput,
    *,
    now: datetime | None = None,
) -> RecordedContact:
    """Validate and store one contact attempt with its promise, callback and effects.

    What an outcome must carry is checked by `outcome_rules`, the module the window asks what
    is still missing; every rule not met is refused at once (`Problems` for several). When
    someone answered: the emotion observed and its completed checklist (docs/domain.md §6). A
    promise only with a promise outcome, a callback time only with an outcome where someone
    answered. A right-party outcome only with a script path (followed again here under the
    borrower's profile) in which the identity check verified the borrower and, for an outcome
    about the debt, every required disclosure was ticked off. Escalations the outcome raises
    are stored with it. Everything is written in one transaction with its audit events, or
    nothing is.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    code = disposition_of(entry.disposition)
    channel = channel_of(entry.channel)
    if entry.started_at.tzinfo is None:
        raise InvalidDate("The contact time must carry a time zone.")
    if entry.started_at > now + timedelta(minutes=5):
        raise InvalidDate("A contact cannot be logged in the future.")
    if entry.started_at < now - MAX_BACKDATE:
        raise InvalidDate(
            "A contact older than 24 hours cannot be logged here; ask your team lead to add it."
        )
    if not 0 <= entry.duration_seconds <= MAX_CALL_SECONDS:
        raise InvalidInput(
            "A duration of {seconds} s is not possible.", seconds=entry.duration_seconds
        )
    if (
        entry.after_call_seconds is not None
        and not 0 <= entry.after_call_seconds <= MAX_CALL_SECONDS
    ):
        raise InvalidInput(
            "An after-call time of {seconds} s is not possible.", seconds=entry.after_call_seconds
        )
    with db.reader() as session:
        _, _, borrower = open_account(session, entry.username, entry.contract_no)
        profile = profile_code_for(borrower.country)
        point_id = entry.contact_point_id
        third_party = (
            point_id is not None and _contact_point(session, borrower, point_id).kind.is_third_party
        )
    draft = replace(read_script(_draft(entry), profile), third_party_point=third_party)
    # Everything the window shows as missing, refused together; what needs the account
    # (the rules now, the amount owed) is checked once it is held.
    refuse_all(outcome_refusals(draft, code, channel, now))
    # In checklist order; the rules above made sure it is complete.
    checklist = (
        validate_checklist(entry.emotion, code.code, entry.checklist)
        if entry.emotion is not None
        else ()
    )
    emotion = emotions()[entry.emotion] if entry.emotion is not None else None

    try:
        return _store_contact(db, entry, draft, code, channel, checklist, emotion, now)
    except _Blocked as blocked:
        # The refusal is itself a fact the team lead counts (compliance blocks by rule): kept
        # in a transaction of its own, since nothing of the contact is.
        with db.session() as session:
            session.add(blocked.row)
        raise _not_allowed(blocked.decision) from None


def _draft(entry: ContactInput) -> OutcomeDraft:
    """The outcome the rules check; whose number the point is comes from the database."""
    promise = entry.promise
    return OutcomeDraft(
        disposition=entry.disposition,
        channel=entry.channel,
        contact_point_id=entry.contact_point_id,
        script_stage=entry.script_stage,
        script_steps=entry.script_steps,
        emotion=entry.emotion,
        checklist=entry.checklist,
        promise_amount=promise.amount if promise is not None else None,
        promise_date=promise.promised_date if promise is not None else None,
        callback_at=entry.callback_at,
    )


class _Blocked(Exception):
    def __init__(self, decision: Decision, row: ContactBlock) -> None:
        super().__init__(decision.rule_id)
        self.decision, self.row = decision, row


def block_row(
    user_id: uuid.UUID,
    loan: Loan,
    point_id: uuid.UUID | None,
    channel: str,
    at: datetime,
    decision: Decision,
) -> ContactBlock:
    """The record of a contact the rules stopped (`decision` refuses it)."""
    return ContactBlock(
        loan_id=loan.id,
        borrower_id=loan.borrower_id,
        contact_point_id=point_id,
        user_id=user_id,
        at=at.astimezone(UTC),
        channel=channel,
        rule=decision.rule_id or "unknown",
    )


def _store_contact(
    db: Database,
    entry: ContactInput,
    draft: OutcomeDraft,
    code: Disposition,
    channel: Channel,
    checklist: tuple[str, ...],
    emotion: Emotion | None,
    now: datetime,
) -> RecordedContact:
    with db.session() as session:
        user, loan, borrower = open_account(session, entry.username, entry.contract_no)
        lock(session, borrower)
        point = (
            _contact_point(session, borrower, entry.contact_point_id)
            if entry.contact_point_id
            else None
        )
        third_party = point is not None and point.kind.is_third_party
        refuse_all(point_refusals(replace(draft, third_party_point=third_party), code, channel))
        decision = _decide(session, loan, borrower, point, channel, entry.started_at)
        if not decision.allowed:
            point_id = point.id if point else None
            raise _Blocked(
                decision,
                block_row(user.id, loan, point_id, channel.value, entry.started_at, decision),
            )
        promised = None
        if entry.promise is not None:
            promised = validated_promise(session, loan, entry.promise, now)
        attempt = ContactAttempt(
            loan_id=loan.id,
            borrower_id=borrower.id,
            contact_point_id=point.id if point else None,
            user_id=user.id,
            channel=channel,
            started_at=entry.started_at.astimezone(UTC),
            duration_seconds=entry.duration_seconds,
            after_call_seconds=entry.after_call_seconds,
            disposition=code.code,
            right_party=code.rpc,
            emotion=entry.emotion,
            checklist=list(checklist),
            script_stage=entry.script_stage if entry.script_steps else None,
            script_steps=list(entry.script_steps),
            notes=written_text(entry.notes, Message("The note")) or None,
        )
        session.add(attempt)
        session.flush()
        changed = ["attempt"]
        promise_id = callback_id = None
        if promised is not None:
            promise = PromiseToPay(
                loan_id=loan.id,
                attempt_id=attempt.id,
                amount=promised[0],
                promised_date=promised[1],
            )
            session.add(promise)
            session.flush()
            promise_id = promise.id
            changed.append("promise")
        if entry.callback_at is not None:
            callback = Callback(
                loan_id=loan.id, attempt_id=attempt.id, user_id=user.id, due_at=entry.callback_at
            )
            session.add(callback)
            session.flush()
            callback_id = callback.id
            changed.append("callback")
        if code.contact:
            _close_due_callbacks(session, loan.id, now, keep=callback_id)
        flags = _set_flags(borrower, code.sets_flag, bool(emotion and emotion.pauses_collection))
        marked = None
        if code.marks_contact_point and point is not None:
            setattr(point, code.marks_contact_point, True)
            marked = code.marks_contact_point
        raised = raise_escalations(
            session, attempt, kinds_raised_by(entry.emotion, code.code), raised_at=now
        )
        if raised:
            changed.append("escalation")
        escalation_ids = tuple(escalation.id for escalation in raised)
        _audit(session, user, attempt, flags, marked, escalation_ids, promise_id, callback_id)
        return RecordedContact(
            attempt_id=attempt.id,
            promise_id=promise_id,
            callback_id=callback_id,
            flags_set=flags,
            contact_point_marked=marked,
            escalation_id=raised[0].id if raised else None,
            escalation_kind=raised[0].kind if raised else None,
            escalation_ids=escalation_ids,
            changed=tuple(changed),
        )


def validated_promise(
    session: Session, loan: Loan, promise: PromiseInput, now: datetime
) -> tuple[Decimal, date]:
    """The promise's amount and date, or every problem with them at once."""
    checks = Checks()
    amount = checks.check("promise_amount", parse_amount, promise.amount, what="promise")
    today = local_today(now)
    checks.add("promise_date", promise_date_refusal(promise.promised_date, today))
    owed = loan_balance(session, loan, today).owed
    if amount is not None and amount > owed:
        checks.add(
            "promise_amount",
            InvalidAmount(
                "The promised {amount} is more than the {owed} owed.",
                amount=format_money(amount, loan.currency),
                owed=format_money(owed, loan.currency),
            ),
        )
    checks.verdict()
    assert amount is not None
    return amount, promise.promised_date


def _close_due_callbacks(
    session: Session, loan_id: uuid.UUID, now: datetime, keep: uuid.UUID | None
) -> None:
    """Reaching someone on the account answers the callbacks that were due on it."""
    for callback in session.scalars(
        select(Callback).where(
            Callback.loan_id == loan_id, Callback.done_at.is_(None), Callback.due_at <= now
        )
    ):
        if callback.id != keep:
            callback.done_at = now


def _set_flags(borrower: Borrower, sets_flag: str | None, pause: bool) -> tuple[str, ...]:
    """The outcome's flag and, for a vulnerability or harm risk, the collection pause."""
    flags = []
    if sets_flag and not getattr(borrower, sets_flag):
        setattr(borrower, sets_flag, True)
        flags.append(sets_flag)
    if pause and not borrower.vulnerable:
        borrower.vulnerable = True
        flags.append("vulnerable")
    return tuple(flags)


def _audit(
    session: Session,
    user: User,
    attempt: ContactAttempt,
    flags: tuple[str, ...],
    marked: str | None,
    escalation_ids: tuple[uuid.UUID, ...],
    promise_id: uuid.UUID | None,
    callback_id: uuid.UUID | None,
) -> None:
    details = {
        "loan_id": str(attempt.loan_id),
        "disposition": attempt.disposition,
        "emotion": attempt.emotion,
        "checklist": list(attempt.checklist),
        "flags_set": list(flags),
        "contact_point_marked": marked,
        "promise_id": str(promise_id) if promise_id else None,
        "callback_id": str(callback_id) if callback_id else None,
        "escalation_ids": [str(escalation_id) for escalation_id in escalation_ids],
    }
    audit(session, "contact.recorded", "contact_attempt", attempt.id, details, user_id=user.id)
