"""The rows in the making: the column order of every table the demo fills, and the batch of
rows a chunk of accounts makes before it is written.

Each `*_COLUMNS` tuple names the columns, in order, of the tuples built for that table (every
column but the sync columns; the sinks check this).
"""

from __future__ import annotations

from typing import Any

from app.demo.sinks import Sink, table
from app.models import (
    Borrower,
    Callback,
    ContactAttempt,
    ContactBlock,
    ContactPoint,
    Escalation,
    Instalment,
    Loan,
    Payment,
    PromiseToPay,
)

BORROWER_COLUMNS = (
    "id",
    "name",
    "id_number",
    "date_of_birth",
    "country",
    "province",
    "city",
    "district",
    "street",
    "employer",
    "vulnerable",
    "dispute_open",
    "cease_requested",
    "deceased",
    "legal_referral",
    "attorney_represented",
    "agreed_window_start",
    "agreed_window_end",
    "notes",
    "created_at",
    "updated_at",
)
POINT_COLUMNS = (
    "id",
    "borrower_id",
    "position",
    "kind",
    "value",
    "region",
    "time_zones",
    "contact_name",
    "relation",
    "do_not_call",
    "wrong_number",
    "created_at",
)
LOAN_COLUMNS = (
    "id",
    "contract_no",
    "borrower_id",
    "product",
    "currency",
    "principal",
    "annual_rate",
    "penalty_rate_daily",
    "term_months",
    "disbursed_on",
    "status",
    "assigned_to_id",
    "assigned_at",
    "previous_assignee_id",
    "created_at",
)
INSTALMENT_COLUMNS = (
    "loan_id",
    "seq",
    "due_date",
    "principal_due",
    "interest_due",
    "fees_due",
    "principal_paid",
    "interest_paid",
    "fees_paid",
    "penalty_accrued",
    "penalty_paid",
    "accrued_to",
    "settled_on",
)
PAYMENT_COLUMNS = ("id", "loan_id", "paid_at", "amount", "channel", "reference", "created_at")
ATTEMPT_COLUMNS = (
    "id",
    "loan_id",
    "borrower_id",
    "contact_point_id",
    "user_id",
    "channel",
    "started_at",
    "duration_seconds",
    "after_call_seconds",
    "disposition",
    "right_party",
    "emotion",
    "checklist",
    "script_steps",
    "notes",
    "created_at",
)
PROMISE_COLUMNS = (
    "id",
    "loan_id",
    "attempt_id",
    "visit_id",
    "amount",
    "promised_date",
    "status",
    "paid_amount",
    "resolved_at",
    "created_at",
)
CALLBACK_COLUMNS = (
    "id",
    "loan_id",
    "attempt_id",
    "user_id",
    "due_at",
    "done_at",
    "note",
    "created_at",
)
VISIT_REQUEST_COLUMNS = (
    "id",
    "loan_id",
    "requested_by_id",
    "reason",
    "requested_at",
    "visit_id",
    "closed_at",
)
ESCALATION_COLUMNS = (
    "id",
    "loan_id",
    "borrower_id",
    "attempt_id",
    "kind",
    "raised_by_id",
    "raised_at",
    "acknowledged_by_id",
    "acknowledged_at",
    "decision",
    "decided_at",
    "note",
)
BLOCK_COLUMNS = (
    "id",
    "loan_id",
    "borrower_id",
    "contact_point_id",
    "user_id",
    "at",
    "channel",
    "rule",
)
TEAM_COLUMNS = ("id", "name", "created_at")
USER_COLUMNS = ("id", "username", "display_name", "role", "team_id", "active", "created_at")
AUDIT_COLUMNS = ("id", "at", "user_id", "action", "entity", "entity_id", "details")


class Rows:
    """The rows of the accounts built since the last flush, one list per table."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.borrowers: list[tuple[Any, ...]] = []
        self.points: list[tuple[Any, ...]] = []
        self.loans: list[tuple[Any, ...]] = []
        self.instalments: list[tuple[Any, ...]] = []
        self.payments: list[tuple[Any, ...]] = []
        self.attempts: list[tuple[Any, ...]] = []
        self.promises: list[tuple[Any, ...]] = []
        self.callbacks: list[tuple[Any, ...]] = []
        self.escalations: list[tuple[Any, ...]] = []
        self.blocks: list[tuple[Any, ...]] = []

    def flush(self, sink: Sink, counts: dict[str, int]) -> None:
        """Write every table's rows, add them to the summary's counts and start afresh."""
        for model, columns, rows, key in (
            (Borrower, BORROWER_COLUMNS, self.borrowers, "borrowers"),
            (ContactPoint, POINT_COLUMNS, self.points, None),
            (Loan, LOAN_COLUMNS, self.loans, None),
            (Instalment, INSTALMENT_COLUMNS, self.instalments, "instalments"),
            (Payment, PAYMENT_COLUMNS, self.payments, "payments"),
            (ContactAttempt, ATTEMPT_COLUMNS, self.attempts, "attempts"),
            (PromiseToPay, PROMISE_COLUMNS, self.promises, "promises"),
            (Callback, CALLBACK_COLUMNS, self.callbacks, "callbacks"),
            (Escalation, ESCALATION_COLUMNS, self.escalations, None),
            (ContactBlock, BLOCK_COLUMNS, self.blocks, None),
        ):
            if key:
                counts[key] += len(rows)
            if rows:
                sink.write(table(model), columns, rows)
        self.reset()
