"""Pauses stop plans too (docs/domain.md §7): while an account's collection is paused, no plan
is offered, approved or issued on it, unless a team lead lets one go ahead despite the pause.

An account is paused by the borrower's marks (`app.models.BORROWER_FLAGS`: vulnerable, dispute
open, cease requested, deceased, legal referral, attorney) and by its escalations still waiting
for a lead's decision (`app.services.contact.escalations`), the same stops the contact rules
hold every contact to. A team lead's decision (`PlanPauseOverride`: who, when, why) lets plans
go ahead past the pauses in force when it is made, for `pause_override_days`
(`resources/plan_policy.json`); a pause that comes later stops plans again, and the marks in
`pause_override_excludes` (a reported death) no decision lets a plan past. The central server
refuses the same (migration 0010, `cw_plan_pause`), in the same words.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    Escalation,
    Loan,
    PlanPauseOverride,
    Role,
    User,
)
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, Localized, Message, NotAllowed
from app.services.common.reference import load_json
from app.services.common.typed import written_text
from app.services.contact.escalations import escalation_kinds
from app.services.portfolio.accounts import lock, open_account

MAX_REASON_CHARS = 500


class PlanPaused(NotAllowed):
    """A plan refused because the account's collection is paused."""


@dataclass(frozen=True)
class PauseRules:
    # How long a lead's decision lets plans past the pauses it covers.
    override_days: int
    # Marks no lead's decision lets a plan past.
    excludes: tuple[str, ...]


@cache
def pause_rules() -> PauseRules:
    """The pause settings in resources/plan_policy.json."""
    data: dict[str, Any] = load_json("plan_policy.json")
    excludes = tuple(data["pause_override_excludes"])
    unknown = [flag for flag in excludes if flag not in BORROWER_FLAGS]
    if unknown:
        raise ValueError(f"plan_policy.json: unknown marks in pause_override_excludes: {unknown}")
    return PauseRules(int(data["pause_override_days"]), excludes)


@cache
def _flag_names() -> dict[str, Localized]:
    labels = load_json("flags.json")["borrower"]
    return {flag: Localized(labels[flag]["en"], labels[flag]["zh_CN"]) for flag in BORROWER_FLAGS}


@dataclass(frozen=True)
class PauseOverride:
    """A team lead's decision that plans may go ahead despite the pause."""

    id: uuid.UUID
    lead: str  # the lead's name as people read it
    lead_username: str
    granted_at: datetime
    reason: str
    flags: tuple[str, ...]
    until: datetime


@dataclass(frozen=True)
class PlanPause:
    """Whether the account's collection is paused, by what, and what a lead decided about plans.

    flags: the borrower's marks set (BORROWER_FLAGS order); escalation_kinds: the kinds of the
    account's escalations still open (in the data's order, each once); override: the lead's
    decision in force that covers all of them, if any; viewer_leads: the user who asked is a
    team lead of the account (who may let plans go ahead despite the pause).
    """

    contract_no: str
    flags: tuple[str, ...]
    escalation_kinds: tuple[str, ...]
    escalation_ids: tuple[uuid.UUID, ...]
    override: PauseOverride | None
    viewer_leads: bool = False

    @property
    def paused(self) -> bool:
        return bool(self.flags or self.escalation_ids)

    @property
    def stops_plans(self) -> bool:
        """Paused, and no lead's decision lets a plan past it."""
        return self.paused and self.override is None

    @property
    def viewer_may_allow(self) -> bool:
        """The pause stops plans and the user who asked may let them go ahead despite it."""
        return self.stops_plans and self.viewer_leads and not self.excluded

    @property
    def excluded(self) -> tuple[str, ...]:
        """The marks set that no lead's decision lets a plan past."""
        return tuple(flag for flag in self.flags if flag in pause_rules().excludes)

    @property
    def names(self) -> Localized:
        """What pauses the account, in both languages (the server words it the same)."""
        names = [_flag_names()[flag] for flag in self.flags]
        names += [
            Localized(kind.en, kind.zh_CN)
            for kind in (escalation_kinds()[code] for code in self.escalation_kinds)
        ]
        return Localized("; ".join(n.en for n in names), "；".join(n.zh_CN for n in names))

    def refusal(self) -> PlanPaused:
        return PlanPaused(
            "Collection on account {contract_no} is paused ({pauses}): no plan can be offered,"
            " approved or issued unless a team lead allows it.",
            contract_no=self.contract_no,
            pauses=self.names,
        )


def plan_pause(session: Session, loan: Loan, at: datetime, viewer: User | None = None) -> PlanPause:
    """The account's pause as it stands at `at`, with the lead's decision that covers it, as
    `viewer` (who may be a lead of the account: they were let open it) sees it."""
    borrower = session.get_one(Borrower, loan.borrower_id)
    flags = tuple(flag for flag in BORROWER_FLAGS if getattr(borrower, flag))
    open_rows = session.execute(
        select(Escalation.id, Escalation.kind)
        .where(Escalation.loan_id == loan.id, Escalation.decided_at.is_(None))
        .order_by(Escalation.raised_at, Escalation.id)
    ).all()
    kinds = {kind for _, kind in open_rows}
    pause = PlanPause(
        contract_no=loan.contract_no,
        flags=flags,
        escalation_kinds=tuple(code for code in escalation_kinds() if code in kinds),
        escalation_ids=tuple(row_id for row_id, _ in open_rows),
        override=None,
        viewer_leads=viewer is not None and viewer.role is Role.TEAM_LEAD,
    )
    if not pause.paused:
        return pause
    return replace(pause, override=_covering(session, loan, pause, at))


def refuse_paused(session: Session, loan: Loan, at: datetime) -> uuid.UUID | None:
    """Raise when the account's pause stops plans; else the id of the lead's decision that
    lets the plan past it (None: the account is not paused)."""
    pause = plan_pause(session, loan, at)
    if pause.stops_plans:
        raise pause.refusal()
    return pause.override.id if pause.override is not None else None


def plan_pause_of(
    db: Database, username: str, contract_no: str, *, now: datetime | None = None
) -> PlanPause:
    """Whether plans may be offered on the account now, and why not (a read)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        user, loan, _ = open_account(session, username, contract_no)
        return plan_pause(session, loan, now, user)


def pause_reason(reason: str) -> str:
    """The reason a lead gives for letting plans go ahead despite a pause, checked as
    `allow_plans_despite_pause` checks it (the window asks before it sends it); InvalidInput
    at the field "reason"."""
    try:
        text = written_text(reason, Message("The reason"))
    except InvalidInput as error:
        raise error.at("reason") from None
    if not text:
        raise InvalidInput(
            "Say why a plan may go ahead despite the pause: the reason is kept with the account."
        ).at("reason")
    if len(text) > MAX_REASON_CHARS:
        raise InvalidInput(
            "The reason is too long ({length} characters; at most {limit}).",
            length=len(text),
            limit=MAX_REASON_CHARS,
        ).at("reason")
    return text


def allow_plans_despite_pause(
    db: Database, username: str, contract_no: str, reason: str, *, now: datetime | None = None
) -> PlanPause:
    """A team lead lets repayment plans go ahead on the paused account, saying why; audited.

    The decision covers the pauses in force now, for `pause_override_days`. Returns the pause
    as it stands afterwards (with the decision).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with db.session() as session:
        user, loan, _ = open_account(session, username, contract_no)
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead can let a plan go ahead despite a pause.")
        text = pause_reason(reason)
        lock(session, loan)
        pause = plan_pause(session, loan, now)
        if not pause.paused:
            raise InvalidInput(
                "Collection on account {contract_no} is not paused: a plan needs no team lead's"
                " leave.",
                contract_no=loan.contract_no,
            )
        if pause.excluded:
            names = [_flag_names()[flag] for flag in pause.excluded]
            raise NotAllowed(
                "No plan goes ahead on account {contract_no} while it is marked “{marks}”,"
                " whoever allows it.",
                contract_no=loan.contract_no,
                marks=Localized("; ".join(n.en for n in names), "；".join(n.zh_CN for n in names)),
            )
        override = PlanPauseOverride(
            loan_id=loan.id,
            granted_by_id=user.id,
            granted_at=now,
            reason=text,
            flags=list(pause.flags),
            escalation_ids=[str(escalation) for escalation in pause.escalation_ids],
        )
        session.add(override)
        session.flush()
        until = now + timedelta(days=pause_rules().override_days)
        audit(
            session,
            "plan.allowed_despite_pause",
            "loan",
            loan.id,
            {
                "contract_no": loan.contract_no,
                "override_id": str(override.id),
                "reason": text,
                "flags": list(pause.flags),
                "escalations": [str(escalation) for escalation in pause.escalation_ids],
                "until": until.isoformat(),
            },
            user_id=user.id,
        )
        session.flush()
        return plan_pause(session, loan, now, user)


def _covering(session: Session, loan: Loan, pause: PlanPause, at: datetime) -> PauseOverride | None:
    """The newest lead's decision still in force at `at` that covers every pause of `pause`."""
    days = pause_rules().override_days
    wanted_flags = set(pause.flags)
    wanted_ids = {str(escalation) for escalation in pause.escalation_ids}
    if wanted_flags & set(pause_rules().excludes):
        return None
    rows = session.execute(
        select(PlanPauseOverride, User)
        .join(User, User.id == PlanPauseOverride.granted_by_id)
        .where(PlanPauseOverride.loan_id == loan.id)
        .order_by(PlanPauseOverride.granted_at.desc(), PlanPauseOverride.id)
    ).all()
    for override, lead in rows:
        until = override.granted_at + timedelta(days=days)
        if at >= until:
            continue
        if wanted_flags <= set(override.flags) and wanted_ids <= set(override.escalation_ids):
            return PauseOverride(
                id=override.id,
                lead=lead.display_name,
                lead_username=lead.username,
                granted_at=override.granted_at,
                reason=override.reason,
                flags=tuple(override.flags),
                until=until,
            )
    return None
