"""A field agent's day on paper: the data of the visit sheets, read from the local database."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    Borrower,
    ContactAttempt,
    FieldVisit,
    Loan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    Team,
    User,
    VisitRequest,
    VisitStatus,
)
from app.services.common.audit import audit
from app.services.common.clock import business_zone, local_today
from app.services.common.errors import InvalidInput
from app.services.common.files import check_target, write_document
from app.services.common.idnumbers import mask
from app.services.common.money import format_money
from app.services.common.phones import format_phone
from app.services.common.reference import bucket_for, dispositions, emotions, load_json, products
from app.services.common.scope import find_user
from app.services.contact.compliance import profile_code_for
from app.services.contact.scripts import call_script
from app.services.documents.layout import document_texts, format_day
from app.services.documents.visit_sheet_pdf import (
    SheetContact,
    SheetPoint,
    SheetStop,
    VisitDay,
    render_visit_sheets,
)
from app.services.field.visits import day_rows, home_visit_rules, visit_outcomes
from app.services.portfolio.accounts import loan_balance
from app.services.portfolio.addresses import registered_address, visit_address

LAST_CONTACTS = 5
# Plans a borrower is still bound by, or that wait for a step.
_SHOWN_PLANS = (
    PlanStatus.PENDING_APPROVAL,
    PlanStatus.APPROVED,
    PlanStatus.ISSUED,
    PlanStatus.ACTIVE,
)


@cache
def _labels() -> dict[str, Any]:
    return dict(load_json("contact_labels.json"))


def _label(group: str, key: str, language: str) -> str:
    entry = _labels()[group].get(key)
    return str(entry[language]) if entry else key


def build_visit_day(
    db: Database,
    username: str,
    day: date,
    *,
    language: str = "zh_CN",
    now: datetime | None = None,
) -> VisitDay:
    """The itinerary and one stop per visit the user has planned on `day`, in route order."""
    if language not in ("zh_CN", "en"):
        raise InvalidInput(
            "Visit sheets are printed in zh_CN or en, not “{language}”.", language=language
        )
    now = now or datetime.now(UTC)
    with db.session() as session:
        user = find_user(session, username)
        visits = day_rows(session, user, day, (VisitStatus.PLANNED,))
        if not visits:
            raise InvalidInput(
                "{name} has no visits planned on {day}: plan the day first.",
                name=user.display_name,
                day=day.isoformat(),
            )
        people = {person.id: person for person in session.scalars(select(User))}
        names = {key: person.display_name for key, person in people.items()}
        first = visits[0][0]
        partner_id = first.second_agent_id if first.agent_id == user.id else first.agent_id
        team = session.get(Team, user.team_id) if user.team_id else None
        rules = home_visit_rules(profile_code_for(visits[0][2].country))
        stops = tuple(
            # The script is the account owner's (the lead agent's), whoever prints the sheets.
            _stop(
                session, db, people[visit.agent_id].username, visit, loan, borrower, language, now
            )
            for visit, loan, borrower in visits
        )
        # The sheets show each borrower's full contact details and history: a view of
        # personal data, recorded like any other.
        audit(
            session,
            "visit.sheets_printed",
            "user",
            user.id,
            {"day": day.isoformat(), "visits": [str(visit.id) for visit, _, _ in visits]},
            user_id=user.id,
        )
    return VisitDay(
        language=language,
        day=day,
        agent=user.display_name,
        second_agent=names.get(partner_id) if partner_id else None,
        team=team.name if team else "",
        visit_hours=rules.hours(),
        rules=(
            *tuple(rule.text(language) for rule in rules.rules),
            rules.recording_notice.text(language),
        ),
        outcomes=tuple(outcome.label(language) for outcome in visit_outcomes().values()),
        emotions=tuple(emotion.label(language) for emotion in emotions().values()),
        zone=rules.zone,
        stops=stops,
    )


def write_sheets(
    db: Database,
    username: str,
    day: date,
    out: Path,
    *,
    language: str = "zh_CN",
    now: datetime | None = None,
) -> Path:
    check_target(out)
    sheets = build_visit_day(db, username, day, language=language, now=now)
    data = render_visit_sheets(sheets)
    with db.reader() as session:
        loans = session.scalars(
            select(Loan.id).where(Loan.contract_no.in_([stop.contract_no for stop in sheets.stops]))
        ).all()
    write_document(db, out, data, "visit_sheets", loans)
    return out


@dataclass(frozen=True)
class _Contact:
    when: datetime
    channel: str
    outcome: str
    notes: str


def _stop(
    session: Session,
    db: Database,
    username: str,
    visit: FieldVisit,
    loan: Loan,
    borrower: Borrower,
    language: str,
    now: datetime,
) -> SheetStop:
    today = local_today(now)
    balance = loan_balance(session, loan, today)
    product = products().get(loan.product)
    codes = dispositions()
    attempts = session.execute(
        select(
            ContactAttempt.started_at,
            ContactAttempt.channel,
            ContactAttempt.disposition,
            ContactAttempt.notes,
        )
        .where(ContactAttempt.loan_id == loan.id)
        .order_by(ContactAttempt.started_at.desc())
        .limit(LAST_CONTACTS)
    ).all()
    visits = session.execute(
        select(FieldVisit.visited_at, FieldVisit.disposition, FieldVisit.notes)
        .where(FieldVisit.loan_id == loan.id, FieldVisit.status == VisitStatus.DONE)
        .order_by(FieldVisit.visited_at.desc())
        .limit(LAST_CONTACTS)
    ).all()
    outcomes = visit_outcomes()
    merged = [
        _Contact(
            at,
            _label("channels", channel.value, language),
            codes[code].label(language) if code in codes else code,
            notes or "",
        )
        for at, channel, code, notes in attempts
    ] + [
        _Contact(
            at,
            _label("channels", "visit", language),
            outcomes[code].label(language) if code in outcomes else code or "",
            notes or "",
        )
        for at, code, notes in visits
        if at is not None
    ]
    latest = heapq.nlargest(LAST_CONTACTS, merged, key=lambda contact: contact.when)
    promises = session.scalars(
        select(PromiseToPay)
        .where(PromiseToPay.loan_id == loan.id, PromiseToPay.status == PromiseStatus.PENDING)
        .order_by(PromiseToPay.promised_date)
    ).all()
    plans = session.scalars(
        select(RepaymentPlan)
        .where(RepaymentPlan.loan_id == loan.id, RepaymentPlan.status.in_(_SHOWN_PLANS))
        .order_by(RepaymentPlan.created_at.desc())
    ).all()
    # Where the borrower lives now as far as collection knows (a new address from a visit that
    # found them moved, else the registered one).
    place = visit_address(borrower, borrower.contact_points) or registered_address(borrower)
    return SheetStop(
        seq=visit.route_position,
        district=place.district,
        address=place.line,
        borrower_name=borrower.name,
        borrower_id_masked=mask(borrower.id_number),
        contract_no=loan.contract_no,
        product=(product.zh_CN if language == "zh_CN" else product.en) if product else loan.product,
        currency=loan.currency,
        dpd=balance.dpd,
        bucket=bucket_for(balance.dpd),
        overdue=balance.overdue,
        owed=balance.owed,
        points=tuple(
            SheetPoint(
                kind=_label("kinds", point.kind.value, language),
                number=format_phone(point.value) if point.kind.is_phone else point.value,
                name=" ".join(
                    part for part in (point.relation or "", point.contact_name or "") if part
                )
                or _label_text("borrower", language),
            )
            for point in borrower.contact_points
            if not point.wrong_number
        ),
        last_contacts=tuple(
            SheetContact(contact.when, contact.channel, contact.outcome, contact.notes)
            for contact in latest
        ),
        open_promises=tuple(
            f"{promise.promised_date.isoformat()} {format_money(promise.amount, loan.currency)}"
            for promise in promises
        ),
        open_plans=tuple(_plan_line(plan, language) for plan in plans),
        talking_points=_talking_points(db, username, loan.contract_no, language, now),
        reason=_reason(session, visit, balance.dpd, language),
    )


def _reason(session: Session, visit: FieldVisit, dpd: int, language: str) -> str:
    """Why the account is visited, in the sheet's words: the lead's own note when a lead asked
    for the visit (the request still open, or closed by this visit), else the rule's."""
    texts = document_texts("visit_sheet", language)
    asked = session.execute(
        select(VisitRequest.reason, VisitRequest.requested_at, User.display_name)
        .join(User, User.id == VisitRequest.requested_by_id)
        .where(
            VisitRequest.loan_id == visit.loan_id,
            or_(VisitRequest.closed_at.is_(None), VisitRequest.visit_id == visit.id),
        )
        .order_by(VisitRequest.requested_at.desc())
        .limit(1)
    ).first()
    if asked is not None:
        note, at, lead = asked
        return texts.text(
            "reason_marked",
            lead=lead,
            day=format_day(at.astimezone(business_zone()).date(), language),
            note=note,
        )
    quiet = int(load_json("visit_policy.json")["candidates"]["days_without_rpc"])
    return texts.text("reason_rule", dpd=dpd, days=quiet)


def _plan_line(plan: RepaymentPlan, language: str) -> str:
    status = _label("plan_status", plan.status.value, language)
    unpaid = [line for line in plan.instalments if line.paid_on is None]
    parts = [plan.agreement_no or "", status, format_money(plan.total_amount, plan.currency)]
    if unpaid:
        parts.append(
            f"{unpaid[0].due_date.isoformat()} {format_money(unpaid[0].amount, plan.currency)}"
        )
    return " · ".join(part for part in parts if part)


def _label_text(key: str, language: str) -> str:
    return str(_labels()[key][language])


def _talking_points(
    db: Database, username: str, contract_no: str, language: str, now: datetime
) -> tuple[str, ...]:
    """The steps of the field-visit script that visit_policy.json puts on the sheet, filled."""
    script = call_script(db, username, contract_no, language, now, stage="field_visit")
    wanted = load_json("visit_policy.json")["sheet_talking_points"]
    return tuple(
        f"{script.steps[step].title}: {script.steps[step].text}"
        for step in wanted
        if step in script.steps
    )
