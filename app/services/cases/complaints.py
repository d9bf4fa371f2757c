"""Complaints (docs/domain.md, README "Disputes and complaints").

A complaint comes by a channel (a call, a letter, an e-mail, a regulator's referral such as the
12378 hotline: `resources/cases.json`), about a category of conduct, and names the collector
concerned (or nobody in particular). Whoever works the account logs it; it goes to the team
lead, whose list shows it with its deadline: the regulator's for a regulator's referral, the
lender's otherwise, counted from the day it was received. The lead's reply closes it. The
counts per collector and per category are the dashboard's and the call review's.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from app.database import Database
from app.models import Borrower, Complaint, Loan, Role, User
from app.services.cases.policy import DueState, cases_policy, due_state
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.calendar import received_day
from app.services.common.clock import SKEW, day_start, local_today
from app.services.common.errors import InvalidInput, Localized, Message, NotAllowed, NotFound
from app.services.common.scope import find_user, worker_ids
from app.services.common.teams import team_scope
from app.services.common.typed import typed_text, written_text
from app.services.portfolio.accounts import check_scope, load_loan

MAX_TEXT = 2000
MAX_REFERENCE = 64
# How long ago a complaint may have been received and still be logged now.
OLDEST = timedelta(days=90)


@dataclass(frozen=True)
class ComplaintView:
    id: uuid.UUID
    loan_id: uuid.UUID
    contract_no: str
    borrower: str
    channel: str
    regulator: bool
    category: str
    collector: str | None  # user name
    collector_name: str | None
    reference: str | None
    summary: str
    received_at: datetime
    logged_by_name: str
    logged_at: datetime
    due: DueState
    reply: str | None
    replied_by_name: str | None
    replied_at: datetime | None

    @property
    def open(self) -> bool:
        return self.replied_at is None

    def channel_label(self) -> Localized:
        return cases_policy().channel(self.channel).label

    def category_label(self) -> Localized:
        return cases_policy().category(self.category)


_Collector = aliased(User)
_Logger = aliased(User)
_Replier = aliased(User)


def _views(session: Session, *where: ColumnElement[bool], today: date) -> list[ComplaintView]:
    policy = cases_policy()
    rows = session.execute(
        select(
            Complaint,
            Loan.contract_no,
            Borrower.name.label("borrower"),
            _Collector.username.label("collector"),
            _Collector.display_name.label("collector_name"),
            _Logger.display_name.label("logger_name"),
            _Replier.display_name.label("replier_name"),
        )
        .join(Loan, Loan.id == Complaint.loan_id)
        .join(Borrower, Borrower.id == Complaint.borrower_id)
        .outerjoin(_Collector, _Collector.id == Complaint.collector_id)
        .join(_Logger, _Logger.id == Complaint.logged_by_id)
        .outerjoin(_Replier, _Replier.id == Complaint.replied_by_id)
        .where(*where)
        .order_by(Complaint.due_on, Complaint.received_at, Complaint.id)
    )
    views = []
    for row in rows:
        complaint: Complaint = row.Complaint
        channel = policy.channels.get(complaint.channel)
        views.append(
            ComplaintView(
                id=complaint.id,
                loan_id=complaint.loan_id,
                contract_no=row.contract_no,
                borrower=row.borrower,
                channel=complaint.channel,
                regulator=bool(channel and channel.regulator),
                category=complaint.category,
                collector=row.collector,
                collector_name=row.collector_name,
                reference=complaint.reference,
                summary=complaint.summary,
                received_at=complaint.received_at,
                logged_by_name=row.logger_name,
                logged_at=complaint.logged_at,
                due=due_state(received_day(complaint.received_at), complaint.due_on, today),
                reply=complaint.reply,
                replied_by_name=row.replier_name,
                replied_at=complaint.replied_at,
            )
        )
    return views


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


def log_complaint(
    db: Database,
    username: str,
    contract_no: str,
    channel: str,
    category: str,
    summary: str,
    *,
    collector: str | None = None,
    reference: str | None = None,
    received_at: datetime | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """Log a complaint on an account of the user's scope, routed to the team lead; audited.

    collector: the user name of the collector it is about (None: nobody in particular);
    received_at: when it came (default now), no later than now and no more than 90 days ago.
    """
    now = (now or clock.now()).astimezone(UTC)
    policy = cases_policy()
    policy.channel(channel)
    policy.category(category)
    text = _text(summary, Message("The complaint"), "summary")
    if not text:
        raise InvalidInput("Write what the borrower complains of.").at("summary")
    try:
        ref = typed_text(reference, Message("The reference"), MAX_REFERENCE) or None
    except InvalidInput as error:
        raise error.at("reference") from None
    received = (received_at or now).astimezone(UTC)
    if received > now + SKEW:
        raise InvalidInput("The complaint was received at {time}, after now.", time=received).at(
            "received_at"
        )
    if received < now - OLDEST:
        raise InvalidInput(
            "The complaint was received at {time}: more than {days} days ago.",
            time=received,
            days=OLDEST.days,
        ).at("received_at")
    with db.session() as session:
        user = find_user(session, username)
        loan = load_loan(session, contract_no)
        check_scope(session, user, loan)
        concerned = None
        if collector:
            concerned = session.scalar(select(User).where(User.username == collector))
            if (
                concerned is None
                or concerned.role not in (Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD)
                or (loan.team_id is not None and concerned.team_id != loan.team_id)
            ):
                raise NotFound(
                    "There is no collector “{username}” in the account's team.",
                    username=collector,
                ).at("collector")
        deadline = policy.reply_rule(channel).due(received_day(received))
        complaint = Complaint(
            loan_id=loan.id,
            borrower_id=loan.borrower_id,
            channel=channel,
            category=category,
            collector_id=concerned.id if concerned else None,
            reference=ref,
            summary=text,
            received_at=received,
            logged_by_id=user.id,
            logged_at=max(now, received),
            due_on=deadline.due,
        )
        session.add(complaint)
        session.flush()
        details = {
            "loan_id": str(loan.id),
            "channel": channel,
            "category": category,
            "collector": collector,
            "due_on": deadline.due.isoformat(),
            "calendar_uncovered": list(deadline.uncovered),
        }
        audit(session, "complaint.logged", "complaint", complaint.id, details, user_id=user.id)
        session.flush()
        (view,) = _views(session, Complaint.id == complaint.id, today=local_today(now))
        return view


def _scope_filter(session: Session, user: User) -> ColumnElement[bool]:
    if user.role in (Role.TEAM_LEAD, Role.ADMIN):
        return Loan.assigned_to_id.in_(worker_ids(session, user))
    return (Complaint.logged_by_id == user.id) | (Loan.assigned_to_id == user.id)


def complaints(
    db: Database,
    username: str,
    *,
    open_only: bool = True,
    contract_no: str | None = None,
    now: datetime | None = None,
) -> tuple[ComplaintView, ...]:
    """The complaints a user sees, the nearest deadline first: a lead's team's, anyone else's
    their own accounts' and the ones they logged."""
    today = local_today((now or clock.now()).astimezone(UTC))
    with db.reader() as session:
        user = find_user(session, username)
        where = [_scope_filter(session, user)]
        if open_only:
            where.append(Complaint.replied_at.is_(None))
        if contract_no is not None:
            where.append(Loan.id == load_loan(session, contract_no).id)
        return tuple(_views(session, *where, today=today))


def check_reply(reply: str | None) -> str:
    text = _text(reply, Message("The reply"), "reply")
    if not text:
        raise InvalidInput("Write what the borrower was answered.").at("reply")
    return text


def reply_complaint(
    db: Database,
    username: str,
    complaint_id: uuid.UUID,
    reply: str,
    *,
    now: datetime | None = None,
) -> ComplaintView:
    """A team lead of the account's team records the reply, which closes the complaint, once;
    audited."""
    now = (now or clock.now()).astimezone(UTC)
    text = check_reply(reply)
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.TEAM_LEAD:
            raise NotAllowed("Only a team lead replies to a complaint.")
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            raise NotFound("There is no complaint {id} you may see.", id=str(complaint_id))
        loan = session.get_one(Loan, complaint.loan_id)
        if loan.assigned_to_id not in worker_ids(session, user):
            raise NotAllowed(
                "The complaint on {contract_no} belongs to another team's account.",
                contract_no=loan.contract_no,
            )
        if session.get_bind().dialect.name != "sqlite":
            session.execute(
                select(Complaint.id).where(Complaint.id == complaint.id).with_for_update()
            )
        session.refresh(complaint)
        if complaint.replied_at is not None:
            raise NotAllowed(
                "This complaint was already answered at {time}.", time=complaint.replied_at
            )
        complaint.reply = text
        complaint.replied_by_id = user.id
        complaint.replied_at = now
        details = {"loan_id": str(complaint.loan_id), "late": local_today(now) > complaint.due_on}
        audit(session, "complaint.replied", "complaint", complaint.id, details, user_id=user.id)
        session.flush()
        (view,) = _views(session, Complaint.id == complaint.id, today=local_today(now))
        return view


@dataclass(frozen=True)
class ComplaintCounts:
    """Complaints received in a span, per collector concerned and per category."""

    # (user name or None for nobody in particular, display name) -> count, most first.
    by_collector: tuple[tuple[str | None, str | None, int], ...]
    by_category: tuple[tuple[str, int], ...]
    total: int
    open: int


def complaint_counts(
    db: Database, username: str, start: date, end: date, team: str | None = None
) -> ComplaintCounts:
    """The team's complaints received from `start` to `end` (business days, both included):
    how many concern each collector, and each category. A team lead's (or an administrator's,
    for the team named)."""
    with db.reader() as session:
        scope = team_scope(session, username, team)
        return counts_in(session, scope.member_ids, start, end)


def counts_in(
    session: Session, member_ids: tuple[uuid.UUID, ...], start: date, end: date
) -> ComplaintCounts:
    rows = session.execute(
        select(
            Complaint.category,
            Complaint.replied_at,
            _Collector.username,
            _Collector.display_name,
        )
        .join(Loan, Loan.id == Complaint.loan_id)
        .outerjoin(_Collector, _Collector.id == Complaint.collector_id)
        .where(
            Loan.assigned_to_id.in_(member_ids) | Complaint.collector_id.in_(member_ids),
            Complaint.received_at >= day_start(start),
            Complaint.received_at < day_start(end + timedelta(days=1)),
        )
    ).all()
    by_collector: Counter[tuple[str | None, str | None]] = Counter(
        (row.username, row.display_name) for row in rows
    )
    by_category: Counter[str] = Counter(row.category for row in rows)
    return ComplaintCounts(
        by_collector=tuple(
            (who, name, count)
            for (who, name), count in sorted(
                by_collector.items(), key=lambda item: (-item[1], item[0][1] or "")
            )
        ),
        by_category=tuple(sorted(by_category.items(), key=lambda item: (-item[1], item[0]))),
        total=len(rows),
        open=sum(1 for row in rows if row.replied_at is None),
    )
