"""Recording a payment: allocate it over the schedule, keep promises it covers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.database import Database
from app.models import AuditEvent, LoanStatus, Payment
from app.services.accounts import instalment_states, load_loan, local_today, store_state, to_state
from app.services.balances import apply_payment, balance_of
from app.services.errors import InvalidDate, InvalidInput
from app.services.money import format_money, parse_amount
from app.services.promises import keep_covered_promises

CHANNELS = ("bank_transfer", "alipay", "wechat_pay", "card", "cash", "other")


@dataclass(frozen=True)
class RecordedPayment:
    payment_id: uuid.UUID
    contract_no: str
    amount: Decimal
    by_part: dict[str, Decimal]
    settled_instalments: tuple[int, ...]
    loan_settled: bool
    promises_kept: tuple[uuid.UUID, ...]


def record_payment(
    db: Database,
    contract_no: str,
    amount: str | Decimal,
    paid_at: datetime,
    *,
    channel: str = "bank_transfer",
    reference: str | None = None,
    now: datetime | None = None,
) -> RecordedPayment:
    """Store a payment received on an account and apply it, oldest instalment first."""
    value = parse_amount(amount, what="Payment")
    now = now or datetime.now(UTC)
    if paid_at.tzinfo is None:
        raise InvalidDate("The payment time must carry a time zone.")
    if paid_at > now + timedelta(minutes=5):
        raise InvalidDate(f"A payment cannot be dated in the future ({paid_at.isoformat()}).")
    if channel not in CHANNELS:
        raise InvalidInput(f"Unknown payment channel “{channel}” (one of {', '.join(CHANNELS)}).")
    with db.session() as session:
        loan = load_loan(session, contract_no)
        if loan.status is not LoanStatus.ACTIVE:
            raise InvalidInput(
                f"Account {contract_no} is {loan.status.value}; it takes no payments."
            )
        rows = instalment_states(session, loan.id)
        states = [to_state(row) for row in rows]
        paid_on = local_today(paid_at)
        owed = balance_of(states, paid_on, loan.penalty_rate_daily).owed
        allocation = apply_payment(states, value, paid_on, loan.penalty_rate_daily)
        if allocation.unapplied > 0:
            raise InvalidInput(
                f"A payment of {format_money(value, loan.currency)} is more than the"
                f" {format_money(owed, loan.currency)} owed on {contract_no}."
            )
        for row, state in zip(rows, states, strict=True):
            store_state(row, state)
        payment = Payment(
            loan_id=loan.id, paid_at=paid_at, amount=value, channel=channel, reference=reference
        )
        session.add(payment)
        session.flush()
        loan_settled = all(state.settled_on is not None for state in states)
        if loan_settled:
            loan.status = LoanStatus.SETTLED
        kept = keep_covered_promises(session, loan.id, paid_at)
        session.add(
            AuditEvent(
                action="payment.recorded",
                entity="loan",
                entity_id=str(loan.id),
                details={
                    "amount": str(value),
                    "by_part": {part: str(v) for part, v in allocation.by_part.items()},
                    "settled": loan_settled,
                },
            )
        )
        return RecordedPayment(
            payment_id=payment.id,
            contract_no=contract_no,
            amount=value,
            by_part=allocation.by_part,
            settled_instalments=allocation.settled,
            loan_settled=loan_settled,
            promises_kept=tuple(kept),
        )
