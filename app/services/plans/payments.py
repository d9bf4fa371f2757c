"""Recording a payment: allocate it over the schedule, keep promises it covers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.database import Database
from app.models import Instalment, LoanStatus, Payment, Role
from app.services.common.audit import audit
from app.services.common.clock import business_zone, local_today
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed
from app.services.common.money import ZERO, format_money, parse_amount
from app.services.contact.promises import resolve_loan_promises
from app.services.plans.lifecycle import track_loan_plans
from app.services.portfolio.accounts import (
    instalment_states,
    lock,
    open_account,
    store_state,
    to_state,
)
from app.services.portfolio.balances import ScheduleLine, replay

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
    now: datetime | None = None,
) -> RecordedPayment:
    """Store a payment received on an account and re-apply every payment, oldest first.

    The schedule is replayed from all payments in date order, so a payment recorded late
    (dated before others) is allocated where it belongs, penalty included.
    """
    value = parse_amount(amount, what="payment")
    now = now or datetime.now(UTC)
    if paid_at.tzinfo is None:
        raise InvalidDate("The payment time must carry a time zone.")
    if paid_at > now + timedelta(minutes=5):
        raise InvalidDate("A payment cannot be dated in the future ({paid_at}).", paid_at=paid_at)
    if channel not in CHANNELS:
        raise InvalidInput(
            "Unknown payment channel “{channel}” (one of {known}).",
            channel=channel,
            known=", ".join(CHANNELS),
        )
    with db.session() as session:
        user, loan, _ = open_account(session, username, contract_no)
        if user.role is not Role.ADMIN:
            # The ledger is the lending system's (docs/security.md); the server refuses the
            # same to every staff login.
            raise NotAllowed(
                "Payments come from the lending system: only an administrator records one."
            )
        lock(session, loan)
        if loan.status is LoanStatus.SETTLED:
            raise InvalidInput(
                "Account {contract_no} is settled; it takes no payments.", contract_no=contract_no
            )
        if loan.status is not LoanStatus.ACTIVE:
            raise InvalidInput(
                "Account {contract_no} is written off; it takes no payments.",
                contract_no=contract_no,
            )
        rows = instalment_states(session, loan.id)
        before = _paid_by_part(rows)
        schedule = [
            ScheduleLine(r.seq, r.due_date, r.principal_due, r.interest_due, r.fees_due)
            for r in rows
        ]
        earlier = session.execute(
            select(Payment.paid_at, Payment.amount).where(Payment.loan_id == loan.id)
        ).all()
        zone = business_zone()
        payments = [(at.astimezone(zone).date(), paid) for at, paid in earlier]
        payments.append((local_today(paid_at), value))
        states = replay(schedule, payments, loan.penalty_rate_daily)
        applied = sum(
            (s.principal_paid + s.interest_paid + s.fees_paid + s.penalty_paid for s in states),
            ZERO,
        )
        received = sum((paid for _, paid in payments), ZERO)
        if applied < received:
            owed = value - (received - applied)
            raise InvalidInput(
                "A payment of {amount} is more than the {owed} owed on {contract_no}.",
                amount=format_money(value, loan.currency),
                owed=format_money(max(owed, ZERO), loan.currency),
                contract_no=contract_no,
            )
        for row, state in zip(rows, states, strict=True):
            store_state(row, state)
        by_part = {part: total - before[part] for part, total in _paid_by_part(rows).items()}
        payment = Payment(
            loan_id=loan.id, paid_at=paid_at, amount=value, channel=channel, reference=reference
        )
        session.add(payment)
        session.flush()
        loan_settled = all(state.settled_on is not None for state in states)
        if loan_settled:
            loan.status = LoanStatus.SETTLED
        kept = resolve_loan_promises(session, loan.id, now)
        plans_changed = track_loan_plans(session, loan.id, now)
        audit(
            session,
            "payment.recorded",
            "loan",
            loan.id,
            {
                "amount": str(value),
                "paid_at": paid_at.isoformat(),
                "by_part": {part: str(v) for part, v in by_part.items()},
                "settled": loan_settled,
            },
            user_id=user.id,
        )
        return RecordedPayment(
            payment_id=payment.id,
            contract_no=contract_no,
            amount=value,
            by_part=by_part,
            loan_settled=loan_settled,
            promises_kept=tuple(kept),
            plans_changed=tuple(plans_changed),
        )


def _paid_by_part(rows: list[Instalment]) -> dict[str, Decimal]:
    states = [to_state(row) for row in rows]
    return {part: sum((getattr(s, f"{part}_paid") for s in states), ZERO) for part in PARTS}
