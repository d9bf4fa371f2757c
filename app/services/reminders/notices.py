"""The credit-reporting notice (不良信息报送告知): before adverse information on a loan may be
reported to the credit bureau, the borrower is told, and the day is recorded with the day
reporting may begin (the notice's day plus the strategy's reporting_after_days)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Borrower, CreditNotice, Loan, Role
from app.services.common import clock
from app.services.common.clock import local_today
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.scope import find_user
from app.services.common.teams import team_scope
from app.services.contact.compliance import profile_code_for

NOTICE_CHANNELS = ("sms", "email", "letter")


@dataclass(frozen=True)
class NoticeStatus:
    loan_id: uuid.UUID
    contract_no: str
    notified_at: datetime | None
    channel: str | None
    reporting_from: date | None

    def reporting_allowed(self, on: date) -> bool:
        return self.reporting_from is not None and on >= self.reporting_from


def record_credit_notice(
    session: Session,
    loan_id: uuid.UUID,
    channel: str,
    at: datetime,
    document_id: uuid.UUID | None = None,
    *,
    message_id: uuid.UUID | None = None,
    recorded_by_id: uuid.UUID | None = None,
) -> CreditNotice:
    """Record that the borrower of `loan_id` was told on `at` by `channel` (a letter: with
    the issued document); reporting may begin the strategy's days later. In the caller's
    session and transaction. `at` is now (clock.SKEW either way): a notice is never
    back-dated (reporting could begin at once) nor dated ahead; the central server holds every
    login to the same (migration 0029)."""
    from app.services.reminders.strategy import load_strategy

    if at.tzinfo is None:
        raise InvalidInput("The time of the notice must carry a time zone.")
    if not clock.is_now(at):
        # The day reporting may begin counts from it: a notice is dated when it is given.
        raise InvalidInput(
            "A credit-reporting notice is dated when it is given, now, not {at}.",
            at=at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    if channel not in NOTICE_CHANNELS:
        raise InvalidInput(
            "Unknown notice channel “{channel}” (one of {known}).",
            channel=channel,
            known=", ".join(NOTICE_CHANNELS),
        )
    country = session.scalar(
        select(Borrower.country)
        .join(Loan, Loan.borrower_id == Borrower.id)
        .where(Loan.id == loan_id)
    )
    if country is None:
        raise NotFound("There is no such account.")
    days = load_strategy(profile_code_for(country)).reporting_after_days
    notice = CreditNotice(
        loan_id=loan_id,
        channel=channel,
        notified_at=at.astimezone(UTC),
        reporting_from=local_today(at) + timedelta(days=days),
        document_id=document_id,
        message_id=message_id,
        recorded_by_id=recorded_by_id,
    )
    session.add(notice)
    session.flush()
    return notice


def credit_notice_status(session: Session, loan_ids: Sequence[uuid.UUID]) -> list[NoticeStatus]:
    """Per loan: its first notice (when, how) and the day reporting may begin; None when the
    borrower was never notified (then nothing may be reported)."""
    contracts: dict[uuid.UUID, str] = {
        loan_id: contract
        for loan_id, contract in session.execute(
            select(Loan.id, Loan.contract_no).where(Loan.id.in_(loan_ids))
        )
    }
    first: dict[uuid.UUID, CreditNotice] = {}
    for notice in session.scalars(
        select(CreditNotice)
        .where(CreditNotice.loan_id.in_(loan_ids))
        .order_by(CreditNotice.notified_at, CreditNotice.id)
    ):
        first.setdefault(notice.loan_id, notice)
    found = []
    for loan_id in loan_ids:
        if loan_id not in contracts:
            continue
        found_notice = first.get(loan_id)
        found.append(
            NoticeStatus(
                loan_id=loan_id,
                contract_no=contracts[loan_id],
                notified_at=found_notice.notified_at if found_notice else None,
                channel=found_notice.channel if found_notice else None,
                reporting_from=found_notice.reporting_from if found_notice else None,
            )
        )
    return found


def notified_loans(session: Session, username: str | None = None) -> list[NoticeStatus]:
    """Every loan with a notice, by the day reporting may begin. For a team lead, the team's
    accounts only (the central server shows a lead no other); the system user and an
    administrator see them all; collectors and field agents are refused (they see each
    notice sent as its contact in the account's timeline)."""
    query = select(CreditNotice.loan_id).distinct()
    if username is not None and find_user(session, username).role not in (Role.ADMIN, Role.SYSTEM):
        team = team_scope(session, username)
        query = query.join(Loan, Loan.id == CreditNotice.loan_id).where(
            Loan.assigned_to_id.in_(team.member_ids)
            | (Loan.assigned_to_id.is_(None) & (Loan.team_id == team.team_id))
        )
    ids = list(session.scalars(query))
    return sorted(
        credit_notice_status(session, ids), key=lambda s: (s.reporting_from, s.contract_no)
    )
