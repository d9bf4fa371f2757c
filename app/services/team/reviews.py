"""Call review and coaching (docs/domain.md §1, §6; issue 6): a team lead scores a collector's
contact against quality criteria kept as data, and the collector reads the feedback.

The criteria are `resources/review_criteria.json`; which apply to a contact follows from its
outcome's flags and code and the emotion recorded. A review answers each one that applies
with met, not met or n/a; its score is the points met out of the points that were met or not
met. One review per contact: reviewing it again replaces the answers and shows the collector
the feedback as new.

Who may do what: a team lead lists, opens and reviews the contacts of their own team's
members (an administrator lists and opens any team's, but reviews none: on the central
database only a lead may write a review); no one reviews their own contact. The collector
opens their own contact once it is reviewed, and marks their feedback seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.database import Database
from app.models import (
    AccountNote,
    Borrower,
    Callback,
    CallReview,
    ContactAttempt,
    Escalation,
    Loan,
    PromiseToPay,
    Role,
    Team,
    User,
)
from app.services.common.audit import audit
from app.services.common.clock import day_start
from app.services.common.errors import (
    InvalidDate,
    InvalidInput,
    Localized,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.reference import Disposition, dispositions, emotions, load_json
from app.services.common.scope import find_user
from app.services.common.teams import TeamScope, team_scope
from app.services.common.typed import written_text
from app.services.contact.checklists import checklist_for
from app.services.contact.scripts import SAID, stages
from app.services.portfolio.accounts import lock
from app.services.team.contact_rows import ContactRow, checklist_complete, contact_rows

MET = "met"
NOT_MET = "not_met"
NOT_APPLICABLE = "n/a"
ANSWERS = (MET, NOT_MET, NOT_APPLICABLE)
MAX_COMMENT_CHARS = 2000
# Account notes the collector wrote on the contact's account from its start until this long
# after the call ended belong to the call (after-call work, a note added on reflection).
NOTES_AFTER_CALL = timedelta(minutes=30)

# The outcome flags a criterion's `when.flags` may name.
_FLAGS = frozenset(item.name for item in fields(Disposition) if item.type in ("bool", bool))
_CRITERION_KEYS = frozenset({"id", "weight", "en", "zh_CN", "guide", "when"})
_WHEN_KEYS = frozenset({"flags", "dispositions", "emotions", "not_emotions"})


# ---------------------------------------------------------------- the criteria


@dataclass(frozen=True)
class Criterion:
    """One quality criterion and the contacts it applies to."""

    id: str
    weight: int
    en: str
    zh_CN: str
    guide_en: str = ""
    guide_zh_CN: str = ""
    # (flag, value) pairs the outcome's flags must match.
    flags: tuple[tuple[str, bool], ...] = ()
    # The outcome must be one of these codes (empty: any).
    dispositions: tuple[str, ...] = ()
    # The emotion recorded must be one of these (empty: any, or none).
    emotions: tuple[str, ...] = ()
    # An emotion must be recorded and be none of these.
    not_emotions: tuple[str, ...] = ()

    def text(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en

    def guide(self, language: str = "en") -> str:
        return self.guide_zh_CN if language == "zh_CN" else self.guide_en

    @property
    def named(self) -> Localized:
        return Localized(self.en, self.zh_CN)

    def applies_to(self, disposition: Disposition, emotion: str | None) -> bool:
        if any(getattr(disposition, flag) is not value for flag, value in self.flags):
            return False
        if self.dispositions and disposition.code not in self.dispositions:
            return False
        if self.emotions and emotion not in self.emotions:
            return False
        return not self.not_emotions or (emotion is not None and emotion not in self.not_emotions)


def _text(value: object, where: str) -> tuple[str, str]:
    if (
        not isinstance(value, dict)
        or set(value) != {"en", "zh_CN"}
        or not all(isinstance(text, str) and text.strip() for text in value.values())
    ):
        raise ValueError(f"review_criteria.json: {where} needs an en and a zh_CN text")
    return value["en"], value["zh_CN"]


def _codes(value: object, known: Iterable[str], where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"review_criteria.json: {where} must be a list of codes")
    unknown = sorted(set(map(str, value)) - set(known))
    if unknown:
        raise ValueError(f"review_criteria.json: {where} names unknown codes {unknown}")
    return tuple(map(str, value))


def _criterion(entry: Mapping[str, Any]) -> Criterion:
    where = f"criterion {entry.get('id')!r}"
    if not isinstance(entry.get("id"), str) or not entry["id"]:
        raise ValueError("review_criteria.json: a criterion has no id")
    unknown = sorted(set(entry) - _CRITERION_KEYS)
    if unknown:
        raise ValueError(f"review_criteria.json: {where} has unknown fields {unknown}")
    weight = entry.get("weight")
    if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
        raise ValueError(f"review_criteria.json: {where} needs a whole weight above 0")
    en, zh = _text({"en": entry.get("en"), "zh_CN": entry.get("zh_CN")}, where)
    guide = _text(entry["guide"], f"{where} guide") if "guide" in entry else ("", "")
    when = entry.get("when")
    if not isinstance(when, dict):
        raise ValueError(f"review_criteria.json: {where} needs a `when` (empty: every contact)")
    unknown = sorted(set(when) - _WHEN_KEYS)
    if unknown:
        raise ValueError(f"review_criteria.json: {where} has unknown conditions {unknown}")
    flags = when.get("flags", {})
    if not isinstance(flags, dict) or not all(
        name in _FLAGS and isinstance(value, bool) for name, value in flags.items()
    ):
        raise ValueError(
            f"review_criteria.json: {where} flags must map {sorted(_FLAGS)} to true or false"
        )
    return Criterion(
        id=entry["id"],
        weight=weight,
        en=en,
        zh_CN=zh,
        guide_en=guide[0],
        guide_zh_CN=guide[1],
        flags=tuple(sorted(flags.items())),
        dispositions=_codes(when["dispositions"], dispositions(), f"{where} dispositions")
        if "dispositions" in when
        else (),
        emotions=_codes(when["emotions"], emotions(), f"{where} emotions")
        if "emotions" in when
        else (),
        not_emotions=_codes(when["not_emotions"], emotions(), f"{where} not_emotions")
        if "not_emotions" in when
        else (),
    )


@cache
def criteria() -> tuple[Criterion, ...]:
    """Every criterion in resources/review_criteria.json, in the order a reviewer sees them.

    A file that is not sound raises ValueError on first use, never halfway through a review.
    """
    found = tuple(_criterion(entry) for entry in load_json("review_criteria.json")["criteria"])
    ids = [item.id for item in found]
    repeated = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
    if repeated:
        raise ValueError(f"review_criteria.json: ids used twice {repeated}")
    return found


def criteria_for(disposition: str, emotion: str | None) -> tuple[Criterion, ...]:
    """The criteria a contact with this outcome and emotion is reviewed against."""
    code = dispositions().get(disposition)
    if code is None:
        # checklists.py's own template, so its translation applies here too.
        raise InvalidInput("Unknown outcome code “{code}”.", code=disposition)
    if emotion is not None and emotion not in emotions():
        raise InvalidInput("Unknown emotion “{emotion}”.", emotion=emotion)
    return tuple(item for item in criteria() if item.applies_to(code, emotion))


def review_score(answers: Mapping[str, str], applicable: Iterable[Criterion]) -> int | None:
    """Points met ÷ points met or not met, in whole percent (halves up); None when every
    criterion was n/a or none applied."""
    met = not_met = 0
    for item in applicable:
        answer = answers.get(item.id)
        if answer == MET:
            met += item.weight
        elif answer == NOT_MET:
            not_met += item.weight
    if met + not_met == 0:
        return None
    percent = Decimal(100 * met) / Decimal(met + not_met)
    return int(percent.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _validated_answers(
    answers: Mapping[str, str], applicable: tuple[Criterion, ...]
) -> dict[str, str]:
    """The answers in criteria order, once each applicable criterion has exactly one."""
    wanted = {item.id: item for item in applicable}
    unknown = sorted(set(answers) - set(wanted))
    if unknown:
        raise InvalidInput(
            "Not a criterion for this contact: {unknown} (its criteria: {known}).",
            unknown=", ".join(unknown),
            known=", ".join(wanted) or "—",
        )
    missing = [item for item in applicable if item.id not in answers]
    if missing:
        raise InvalidInput(
            "Answer every criterion; still open: {missing}.",
            missing=Localized(
                "; ".join(item.en for item in missing), "；".join(item.zh_CN for item in missing)
            ),
        )
    for item in applicable:
        if answers[item.id] not in ANSWERS:
            raise InvalidInput(
                "“{answer}” is no answer to “{criterion}” (one of {known}).",
                answer=str(answers[item.id]),
                criterion=item.named,
                known=", ".join(ANSWERS),
            )
    return {item.id: answers[item.id] for item in applicable}


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class ReviewFilter:
    """Which contacts the review list shows; every condition given narrows it."""

    # A member's user name; None: the whole team.
    collector: str | None = None
    # Business-zone days, both included; None: open-ended.
    start: date | None = None
    end: date | None = None
    # Outcome codes and emotions; empty: any.
    dispositions: AbstractSet[str] = field(default_factory=frozenset)
    emotions: AbstractSet[str] = field(default_factory=frozenset)
    incomplete_checklist_only: bool = False
    escalated_only: bool = False
    unreviewed_only: bool = False


def _filter_clauses(flt: ReviewFilter, scope: TeamScope) -> list[ColumnElement[bool]]:
    attempt = ContactAttempt
    if flt.start is not None and flt.end is not None and flt.start > flt.end:
        raise InvalidDate(
            "The period starts on {start}, after its end on {end}.",
            start=flt.start.isoformat(),
            end=flt.end.isoformat(),
        )
    unknown = sorted(set(flt.dispositions) - set(dispositions()))
    if unknown:
        raise InvalidInput(
            "Unknown outcome code “{code}” (one of {known}).",
            code=", ".join(unknown),
            known=", ".join(dispositions()),
        )
    unknown = sorted(set(flt.emotions) - set(emotions()))
    if unknown:
        raise InvalidInput(
            "Unknown emotion “{emotion}” (one of {known}).",
            emotion=", ".join(unknown),
            known=", ".join(emotions()),
        )
    where: list[ColumnElement[bool]] = [attempt.user_id.in_(scope.member_ids)]
    if flt.collector is not None:
        where.append(attempt.user_id == scope.member(flt.collector).id)
    if flt.start is not None:
        where.append(attempt.started_at >= day_start(flt.start))
    if flt.end is not None:
        where.append(attempt.started_at < day_start(flt.end + timedelta(days=1)))
    if flt.dispositions:
        where.append(attempt.disposition.in_(sorted(flt.dispositions)))
    if flt.emotions:
        where.append(attempt.emotion.in_(sorted(flt.emotions)))
    if flt.incomplete_checklist_only:
        where.append(checklist_complete(attempt).is_(False))
    if flt.escalated_only:
        where.append(exists().where(Escalation.attempt_id == attempt.id))
    if flt.unreviewed_only:
        where.append(~exists().where(CallReview.attempt_id == attempt.id))
    return where


def review_list(
    db: Database,
    username: str,
    flt: ReviewFilter,
    team: str | None = None,
    limit: int = 500,
) -> tuple[ContactRow, ...]:
    """The team's contacts that match `flt`, newest first, at most `limit`.

    A lead sees their own team; an administrator the team named (see `team_scope`).
    """
    with db.reader() as session:
        scope = team_scope(session, username, team)
        return contact_rows(session, *_filter_clauses(flt, scope), newest_first=True, limit=limit)


# ---------------------------------------------------------------- one contact


@dataclass(frozen=True)
class PathStep:
    """One step of the script path the collector took, with the answer given to it."""

    step_id: str
    # The step's title in both languages; the raw id (in both) when no script knows it.
    title: Localized
    answer_id: str | None = None
    answer: Localized | None = None
    known: bool = True


@dataclass(frozen=True)
class ChecklistLine:
    id: str
    text: Localized
    required: bool
    ticked: bool


@dataclass(frozen=True)
class PromiseLine:
    amount: Decimal
    currency: str
    promised_date: date
    status: str
    paid_amount: Decimal


@dataclass(frozen=True)
class NoteLine:
    created_at: datetime
    text: str


@dataclass(frozen=True)
class EscalationLine:
    id: uuid.UUID
    kind: str
    raised_at: datetime
    decision: str | None
    decided_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class ReviewView:
    id: uuid.UUID
    # {criterion id: "met" | "not_met" | "n/a"}
    answers: Mapping[str, str]
    score: int | None
    comment: str | None
    reviewer: str  # display name
    reviewer_username: str
    reviewed_at: datetime
    seen_at: datetime | None


@dataclass(frozen=True)
class ReviewDetail:
    """A contact as its review shows it: what was said, ticked, promised, noted, raised."""

    contact: ContactRow
    # The script the path was taken in (its stage and title), when one fits it.
    script_stage: str | None
    script_title: Localized | None
    script_path: tuple[PathStep, ...]
    checklist: tuple[ChecklistLine, ...]
    promise: PromiseLine | None
    callback_at: datetime | None
    notes: str | None
    account_notes: tuple[NoteLine, ...]
    escalations: tuple[EscalationLine, ...]
    criteria: tuple[Criterion, ...]
    review: ReviewView | None
    # Whether the viewer may save a review of it (a lead of the team, not on their own contact).
    can_review: bool


@dataclass(frozen=True)
class _ScriptSteps:
    title: Localized
    # step id: (title, {choice id: label})
    steps: Mapping[str, tuple[Localized, Mapping[str, Localized]]]


def _both(texts: Mapping[str, str]) -> Localized:
    return Localized(str(texts["en"]), str(texts["zh_CN"]))


@cache
def _script_steps() -> dict[str, _ScriptSteps]:
    """Every stage's step titles and answer labels, in both languages (index order)."""
    found = {}
    for stage in stages():
        data = load_json(f"scripts/{stage}.json")
        found[stage] = _ScriptSteps(
            title=_both(data["title"]),
            steps={
                item["id"]: (
                    _both(item["title"]),
                    {choice["id"]: _both(choice["label"]) for choice in item.get("choices", [])},
                )
                for item in data["steps"]
            },
        )
    return found


# A disclosure's answer on a path (scripts.SAID), as a review shows it.
GIVEN = Localized("given", "已告知")


def _split(entry: str) -> tuple[str, str | None]:
    step_id, _, answer = entry.partition("=")
    return step_id, answer or None


def script_path(
    entries: Iterable[str], stage: str | None = None
) -> tuple[str | None, tuple[PathStep, ...]]:
    """The saved path (`verify=match`, `account`, …) with titles, and the stage it was taken
    in: the one stored with the contact, the script the collector was shown.

    A contact saved before the stage was stored (migration 0008) has only its path: the stage
    is then the one whose script knows most of its steps and answers (the first on a tie).
    """
    parts = [_split(entry) for entry in entries]
    if not parts:
        return None, ()
    scripts = _script_steps()
    if stage in scripts:
        return stage, _titled(parts, scripts[stage])

    def fit(stage: str) -> int:
        steps = scripts[stage].steps
        found = 0
        for step_id, answer in parts:
            if step_id in steps:
                found += 1 + (answer is not None and answer in steps[step_id][1])
        return found

    fittest = max(scripts, key=fit)
    best = fittest if fit(fittest) else None
    return best, _titled(parts, scripts[best] if best is not None else None)


def _titled(
    parts: Iterable[tuple[str, str | None]], script: _ScriptSteps | None
) -> tuple[PathStep, ...]:
    path = []
    for step_id, answer in parts:
        known = script.steps.get(step_id) if script is not None else None
        if known is None:
            raw = Localized(step_id, step_id)
            path.append(
                PathStep(step_id, raw, answer, Localized(answer, answer) if answer else None, False)
            )
            continue
        title, labels = known
        label = None
        if answer == SAID and not labels:
            label = GIVEN  # a disclosure ticked off
        elif answer is not None:
            label = labels.get(answer, Localized(answer, answer))
        path.append(PathStep(step_id, title, answer, label, True))
    return tuple(path)


def _checklist_lines(attempt: ContactAttempt) -> tuple[ChecklistLine, ...]:
    ticked = list(attempt.checklist or [])
    items: tuple[Any, ...] = ()
    if attempt.emotion is not None:
        try:
            items = checklist_for(attempt.emotion, attempt.disposition)
        except InvalidInput:
            # An emotion or outcome the data no longer knows: show what was ticked, as is.
            items = ()
    lines = [
        ChecklistLine(item.id, Localized(item.en, item.zh_CN), item.required, item.id in ticked)
        for item in items
    ]
    listed = {item.id for item in items}
    lines.extend(
        ChecklistLine(item_id, Localized(item_id, item_id), False, True)
        for item_id in ticked
        if item_id not in listed
    )
    return tuple(lines)


_Reviewer = aliased(User)


def _review_view(session: Session, attempt_id: uuid.UUID) -> ReviewView | None:
    row = session.execute(
        select(CallReview, _Reviewer.username, _Reviewer.display_name)
        .join(_Reviewer, _Reviewer.id == CallReview.reviewer_id)
        .where(CallReview.attempt_id == attempt_id)
    ).first()
    if row is None:
        return None
    review, username, name = row
    return ReviewView(
        id=review.id,
        answers=dict(review.answers or {}),
        score=review.score,
        comment=review.comment,
        reviewer=name,
        reviewer_username=username,
        reviewed_at=review.reviewed_at,
        seen_at=review.seen_at,
    )


def _attempt(session: Session, attempt_id: uuid.UUID) -> ContactAttempt:
    attempt = session.get(ContactAttempt, attempt_id)
    if attempt is None:
        raise NotFound("There is no contact {id}.", id=str(attempt_id))
    return attempt


def _lead_scope(session: Session, viewer: User, attempt: ContactAttempt) -> TeamScope:
    """The team scope under which `viewer` (a lead or an administrator) reads this contact."""
    collector = session.get_one(User, attempt.user_id)
    team = None
    if viewer.role is Role.ADMIN:
        found = session.get(Team, collector.team_id) if collector.team_id is not None else None
        if found is None:
            raise NotAllowed(
                "{collector} is in no team, so no lead reviews their contacts.",
                collector=collector.username,
            )
        team = found.name
    scope = team_scope(session, viewer.username, team)
    if attempt.user_id not in scope.member_ids:
        raise NotAllowed(
            "The contact by {collector} is not your team's: a lead reviews their own team.",
            collector=collector.username,
        )
    return scope


def _may_read(session: Session, viewer: User, attempt: ContactAttempt) -> bool:
    """Whether `viewer` may open the contact's review; raises NotAllowed when they may not.

    Returns whether they may also save a review of it.
    """
    if viewer.role in (Role.TEAM_LEAD, Role.ADMIN):
        _lead_scope(session, viewer, attempt)
        return viewer.role is Role.TEAM_LEAD and attempt.user_id != viewer.id
    if attempt.user_id != viewer.id:
        raise NotAllowed("Only a team lead can open another collector's contact for review.")
    if session.scalar(select(CallReview.id).where(CallReview.attempt_id == attempt.id)) is None:
        raise NotAllowed("This contact has not been reviewed yet.")
    return False


def _detail(session: Session, attempt: ContactAttempt, can_review: bool) -> ReviewDetail:
    (row,) = contact_rows(session, ContactAttempt.id == attempt.id)
    stage, path = script_path(attempt.script_steps or [], attempt.script_stage)
    promise = session.execute(
        select(PromiseToPay, Loan.currency)
        .join(Loan, Loan.id == PromiseToPay.loan_id)
        .where(PromiseToPay.attempt_id == attempt.id)
        .order_by(PromiseToPay.created_at)
        .limit(1)
    ).first()
    callback_at = session.scalar(
        select(Callback.due_at).where(Callback.attempt_id == attempt.id).limit(1)
    )
    call_end = attempt.started_at + timedelta(seconds=attempt.duration_seconds or 0)
    notes = session.scalars(
        select(AccountNote)
        .where(
            AccountNote.loan_id == attempt.loan_id,
            AccountNote.user_id == attempt.user_id,
            AccountNote.created_at >= attempt.started_at,
            AccountNote.created_at <= call_end + NOTES_AFTER_CALL,
        )
        .order_by(AccountNote.created_at, AccountNote.id)
    )
    escalations = session.scalars(
        select(Escalation)
        .where(Escalation.attempt_id == attempt.id)
        .order_by(Escalation.raised_at, Escalation.id)
    )
    try:
        applicable = criteria_for(attempt.disposition, attempt.emotion)
    except InvalidInput:
        applicable = ()
    return ReviewDetail(
        contact=row,
        script_stage=stage,
        script_title=_script_steps()[stage].title if stage is not None else None,
        script_path=path,
        checklist=_checklist_lines(attempt),
        promise=None
        if promise is None
        else PromiseLine(
            amount=promise[0].amount,
            currency=promise[1],
            promised_date=promise[0].promised_date,
            status=str(promise[0].status.value),
            paid_amount=promise[0].paid_amount,
        ),
        callback_at=callback_at,
        notes=attempt.notes,
        account_notes=tuple(NoteLine(note.created_at, note.text) for note in notes),
        escalations=tuple(
            EscalationLine(
                id=item.id,
                kind=item.kind,
                raised_at=item.raised_at,
                decision=item.decision.value if item.decision is not None else None,
                decided_at=item.decided_at,
                note=item.note,
            )
            for item in escalations
        ),
        criteria=applicable,
        review=_review_view(session, attempt.id),
        can_review=can_review,
    )


def contact_for_review(db: Database, username: str, attempt_id: uuid.UUID) -> ReviewDetail:
    """A contact with everything its review shows.

    A lead of the collector's team (or an administrator) opens any of the team's contacts; the
    collector who made it opens it once it is reviewed, to read the feedback.
    """
    with db.reader() as session:
        viewer = find_user(session, username)
        attempt = _attempt(session, attempt_id)
        can_review = _may_read(session, viewer, attempt)
        return _detail(session, attempt, can_review)


def _clean_comment(comment: str | None) -> str | None:
    text = written_text(comment, Message("The comment")) or None
    if text is not None and len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            "The comment has {length} characters; at most {limit}.",
            length=len(text),
            limit=MAX_COMMENT_CHARS,
        )
    return text


# Reviews are named after their contact: two leads reviewing one contact on two workstations
# write the same row, so the second push finds it there (the first stands) instead of
# breaking the contact's one-review rule and stopping the sync.
_REVIEWS = uuid.UUID("8c6f2d3e-5b1a-4f0e-9d7c-2a4b6e8f0c1d")


def review_id(attempt_id: uuid.UUID) -> uuid.UUID:
    """The id of the review of `attempt_id`, the same on every workstation."""
    return uuid.uuid5(_REVIEWS, attempt_id.hex)


def save_review(
    db: Database,
    username: str,
    attempt_id: uuid.UUID,
    answers: Mapping[str, str],
    comment: str | None,
    *,
    now: datetime | None = None,
) -> ReviewDetail:
    """A team lead's review of a contact by one of their team, audited; the contact after it.

    `answers` gives every criterion that applies (`criteria_for`) one of met, not_met, n/a.
    Reviewing a contact again replaces its review and shows the collector the feedback anew.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    text = _clean_comment(comment)
    with db.session() as session:
        viewer = find_user(session, username)
        if viewer.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead can review a call.")
        attempt = _attempt(session, attempt_id)
        if attempt.user_id == viewer.id:
            raise NotAllowed("No one reviews their own contact: ask another team lead.")
        _lead_scope(session, viewer, attempt)
        applicable = criteria_for(attempt.disposition, attempt.emotion)
        clean = _validated_answers(answers, applicable)
        score = review_score(clean, applicable)
        # Two reviewers of one contact on this database: the second waits, then updates.
        lock(session, session.get_one(Loan, attempt.loan_id))
        review = session.scalar(select(CallReview).where(CallReview.attempt_id == attempt.id))
        again = review is not None
        if review is None:
            review = CallReview(
                id=review_id(attempt.id),
                attempt_id=attempt.id,
                loan_id=attempt.loan_id,
                collector_id=attempt.user_id,
            )
            session.add(review)
        review.reviewer_id = viewer.id
        review.reviewed_at = now
        review.answers = clean
        review.score = score
        review.comment = text
        # Changed feedback is new feedback.
        review.seen_at = None
        session.flush()
        audit(
            session,
            "review.saved",
            "call_review",
            review.id,
            {
                "attempt_id": str(attempt.id),
                "loan_id": str(attempt.loan_id),
                "collector_id": str(attempt.user_id),
                "answers": clean,
                "score": score,
                "comment_chars": len(text or ""),
                "again": again,
            },
            user_id=viewer.id,
        )
        return _detail(session, attempt, True)


# ---------------------------------------------------------------- the collector's feedback


@dataclass(frozen=True)
class FeedbackRow:
    """A review of one of the user's own contacts."""

    review_id: uuid.UUID
    attempt_id: uuid.UUID
    contract_no: str
    borrower: str
    started_at: datetime
    disposition: str
    emotion: str | None
    score: int | None
    comment: str | None
    reviewer: str  # display name
    reviewed_at: datetime
    seen_at: datetime | None

    @property
    def seen(self) -> bool:
        return self.seen_at is not None


def my_feedback(
    db: Database, username: str, *, unseen_only: bool = False, limit: int = 200
) -> tuple[FeedbackRow, ...]:
    """The reviews of the user's own contacts, newest review first."""
    with db.reader() as session:
        user = find_user(session, username)
        where: list[ColumnElement[bool]] = [CallReview.collector_id == user.id]
        if unseen_only:
            where.append(CallReview.seen_at.is_(None))
        rows = session.execute(
            select(
                CallReview,
                ContactAttempt.started_at,
                ContactAttempt.disposition,
                ContactAttempt.emotion,
                Loan.contract_no,
                Borrower.name,
                _Reviewer.display_name,
            )
            .join(ContactAttempt, ContactAttempt.id == CallReview.attempt_id)
            .join(Loan, Loan.id == ContactAttempt.loan_id)
            .join(Borrower, Borrower.id == ContactAttempt.borrower_id)
            .join(_Reviewer, _Reviewer.id == CallReview.reviewer_id)
            .where(*where)
            .order_by(CallReview.reviewed_at.desc(), CallReview.id)
            .limit(limit)
        )
        return tuple(
            FeedbackRow(
                review_id=review.id,
                attempt_id=review.attempt_id,
                contract_no=contract_no,
                borrower=borrower,
                started_at=started_at,
                disposition=disposition,
                emotion=emotion,
                score=review.score,
                comment=review.comment,
                reviewer=reviewer,
                reviewed_at=review.reviewed_at,
                seen_at=review.seen_at,
            )
            for review, started_at, disposition, emotion, contract_no, borrower, reviewer in rows
        )


def unseen_count(db: Database, username: str) -> int:
    """How many reviews of the user's own contacts they have not opened yet (for a badge)."""
    with db.reader() as session:
        user = find_user(session, username)
        count = session.scalar(
            select(func.count())
            .select_from(CallReview)
            .where(CallReview.collector_id == user.id, CallReview.seen_at.is_(None))
        )
        return int(count or 0)


def mark_feedback_seen(
    db: Database,
    username: str,
    review_ids: Iterable[uuid.UUID],
    *,
    now: datetime | None = None,
) -> tuple[uuid.UUID, ...]:
    """Mark reviews of the user's own contacts as seen; the ones newly marked.

    A review of someone else's contact is refused (nothing is marked then); one already seen
    keeps the time it was first seen.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    wanted = list(dict.fromkeys(review_ids))
    with db.session() as session:
        user = find_user(session, username)
        reviews = {
            review.id: review
            for review in session.scalars(select(CallReview).where(CallReview.id.in_(wanted)))
        }
        for review_id in wanted:
            review = reviews.get(review_id)
            if review is None:
                raise NotFound("There is no review {id}.", id=str(review_id))
            if review.collector_id != user.id:
                raise NotAllowed("Only the collector whose contact was reviewed marks it as seen.")
        marked = []
        for review_id in wanted:
            review = reviews[review_id]
            if review.seen_at is not None:
                continue
            review.seen_at = now
            audit(
                session,
                "review.seen",
                "call_review",
                review.id,
                {"attempt_id": str(review.attempt_id)},
                user_id=user.id,
            )
            marked.append(review.id)
        return tuple(marked)
