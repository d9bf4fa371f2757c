"""Payments: one posted to the ledger by an administrator (as the lending system's feed posts
its own), and a payment the borrower reports, typed in by whoever works the account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.database import Database
from app.models import Instalment, Loan, LoanStatus, ReportedPayment, Role
from app.services.common.audit import audit
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed
from app.services.common.money import ZERO, format_money, parse_amount
from app.services.common.scope import find_user
from app.services.plans import ledger
from app.services.portfolio.accounts import instalment_states, lock, open_account, to_state

CHANNELS = ("bank_transfer", "alipay", "wechat_pay", "card", "cash", "other")
PARTS = ("principal", "interest", "fees", "penalty")


@dataclass(frozen=True)
class RecordedPayment:
    payment_id: uuid.UUID
    contract_no: str
    amount: Decimal
    by_part: dict[str, Decimal]
    loan_settled: bool
    promises_kept: tuple[uuid.UUID, ...]
    # Plans the payment made active or completed (their new status is on the plan).
    plans_changed: tuple[uuid.UUID, ...] = ()


def record_payment(
    db: Database,
    username: str,
    contract_no: str,
    amount: str | Decimal,
    paid_at: datetime,
    *,
    channel: str = "bank_transfer",
    reference: str | None = None,
    source_id: str | None = None,
    now: datetime | None = None,
) -> RecordedPayment:
    """Post one payment to the ledger as the lending system does, by an administrator.

    The lending system's daily feed posts its payments the same way (`plans.ledger`); a
    payment a staff member types is the borrower's report instead (`report_payment`). A
    payment dated before others is allocated where it belongs, penalty included.
    """
    value = parse_amount(amount, what="payment")
    now = now or datetime.now(UTC)
    _check_moment(paid_at, now)
    _check_channel(channel)
    with db.session() as session:
        user, loan, _ = open_account(session, username, contract_no)
        if user.role is not Role.ADMIN:
            # The ledger is the lending system's (docs/security.md); the server refuses the
            # same to every staff login.
            raise NotAllowed(
                "Payments come from the lending system: only an administrator records one;"
                " what the borrower says they paid is reported instead."
            )
        lock(session, loan)
        _refuse_closed(loan)
        loan_id, currency = loan.id, loan.currency
        before = _paid_by_part(instalment_states(session, loan_id))
        posting = ledger.post(
            session,
            payments=[ledger.NewPayment(loan_id, paid_at, value, channel, reference, source_id)],
            now=now,
        )
        for overpaid in posting.overpaid:
            raise InvalidInput(
                "A payment of {amount} is more than the {owed} owed on {contract_no}.",
                amount=format_money(value, currency),
                owed=format_money(max(value - overpaid.unapplied, ZERO), currency),
                contract_no=contract_no,
            )
        by_part = {
            part: total - before[part]
            for part, total in _paid_by_part(instalment_states(session, loan_id)).items()
        }
        (payment_id,) = posting.payment_ids
        audit(
            session,
            "payment.recorded",
            "loan",
            loan_id,
            {
                "amount": str(value),
                "paid_at": paid_at.isoformat(),
                "by_part": {part: str(v) for part, v in by_part.items()},
                "settled": loan_id in posting.settled,
            },
            user_id=user.id,
        )
        return RecordedPayment(
            payment_id=payment_id,
            contract_no=contract_no,
            amount=value,
            by_part=by_part,
            loan_settled=session.get_one(Loan, loan_id).status is LoanStatus.SETTLED,
            promises_kept=posting.promises_kept,
            plans_changed=posting.plans_changed,
        )


@dataclass(frozen=True)
class ReportedView:
    """A payment the borrower says they made, as typed in: it counts for nothing until the
    lending system's feed brings the payment and matches it."""

    report_id: uuid.UUID
    contract_no: str
    amount: Decimal
    paid_at: datetime
    channel: str


def enter_payment(
    db: Database,
    username: str,
    contract_no: str,
    amount: str | Decimal,
    paid_at: datetime,
    *,
    channel: str = "bank_transfer",
    reference: str | None = None,
    now: datetime | None = None,
) -> RecordedPayment | ReportedView:
    """A payment typed in: posted to the ledger by an administrator, reported by the borrower
    when anyone else types it (`report_payment`)."""
    with db.reader() as session:
        role = find_user(session, username).role
    if role is Role.ADMIN:
        return record_payment(
            db,
            username,
            contract_no,
            amount,
            paid_at,
            channel=channel,
            reference=reference,
            now=now,
        )
    return report_payment(
        db, username, contract_no, amount, paid_at, channel=channel, reference=reference, now=now
    )


def report_payment(
    db: Database,
    username: str,
    contract_no: str,
    amount: str | Decimal,
    paid_at: datetime,
    *,
    channel: str = "bank_transfer",
    reference: str | None = None,
    now: datetime | None = None,
) -> ReportedView:
    """Record what the borrower says they paid, on an account the user works.

    It moves no balance, promise or plan: the lending system's feed brings the payment itself,
    and matches the report to it (`ledger.post`).
    """
    value = parse_amount(amount, what="payment")
    now = now or datetime.now(UTC)
    _check_moment(paid_at, now)
    _check_channel(channel)
    with db.session() as session:
        user, loan, _ = open_account(session, username, contract_no)
        _refuse_closed(loan)
        report = ReportedPayment(
            loan_id=loan.id,
            reported_by_id=user.id,
            paid_at=paid_at,
            amount=value,
            channel=channel,
            reference=reference or None,
            created_at=now,
        )
        session.add(report)
        session.flush()
        audit(
            session,
            "payment.reported",
            "loan",
            loan.id,
            {"amount": str(value), "paid_at": paid_at.isoformat(), "channel": channel},
            user_id=user.id,
        )
        return ReportedView(report.id, loan.contract_no, value, paid_at, channel)


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise InvalidInput(
            "Unknown payment channel “{channel}” (one of {known}).",
            channel=channel,
            known=", ".join(CHANNELS),
        )


def _check_moment(paid_at: datetime, now: datetime) -> None:
    if paid_at.tzinfo is None:
        raise InvalidDate("The payment time must carry a time zone.")
    if paid_at > now + timedelta(minutes=5):
        raise InvalidDate("A payment cannot be dated in the future ({paid_at}).", paid_at=paid_at)


def _refuse_closed(loan: Loan) -> None:
    if loan.status is LoanStatus.SETTLED:
        raise InvalidInput(
            "Account {contract_no} is settled; it takes no payments.", contract_no=loan.contract_no
        )
    if loan.status is not LoanStatus.ACTIVE:
        raise InvalidInput(
            "Account {contract_no} is written off; it takes no payments.",
            contract_no=loan.contract_no,
        )


def _paid_by_part(rows: list[Instalment]) -> dict[str, Decimal]:
    states = [to_state(row) for row in rows]
    return {part: sum((getattr(s, f"{part}_paid") for s in states), ZERO) for part in PARTS}
