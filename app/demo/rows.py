"""The rows in the making: the column order of every table the demo fills, and the batch of
rows a chunk of accounts makes before it is written, and the sinks that write it.

Each `*_COLUMNS` tuple names the columns, in order, of the tuples built for that table (every
column but the sync columns; the sinks check this).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import JSON, Boolean, Connection, Date, Numeric, Table, Time, Uuid

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
    PlanInstalment,
    PromiseToPay,
    RepaymentPlan,
)
from app.models.types import Money, UTCDateTime

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
    "preferred_channel",
    "attorney_name",
    "attorney_firm",
    "attorney_phone",
    "address_moved_from",
    "notes",
    "erased_at",
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
    "do_not_call_words",
    "wrong_number",
    "verified",
    "added_by_id",
    "province",
    "city",
    "district",
    "street",
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
    "team_id",
    "assigned_at",
    "previous_assignee_id",
    "closed_on",
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
PAYMENT_COLUMNS = (
    "id",
    "loan_id",
    "paid_at",
    "amount",
    "channel",
    "reference",
    "created_at",
    "source_id",
    "reversed_at",
    "reversal_id",
)
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
    "script_stage",
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
PLAN_COLUMNS = (
    "id",
    "loan_id",
    "created_by_id",
    "status",
    "kind",
    "currency",
    "offered_on",
    "overdue_principal",
    "overdue_interest",
    "overdue_penalty",
    "overdue_fees",
    "total_amount",
    "down_payment",
    "penalty_waived",
    "discount",
    "frequency",
    "breaches",
    "approved_by_id",
    "approved_at",
    "decision_reason",
    "agreement_no",
    "agreement_date",
    "agreement_sha256",
    "agreement_file_sha256",
    "agreement_terms",
    "issued_at",
    "activated_at",
    "closed_at",
    "down_payment_paid",
    "created_at",
)
PLAN_LINE_COLUMNS = ("plan_id", "seq", "due_date", "amount", "paid_amount", "paid_on")
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
        self.plans: list[tuple[Any, ...]] = []
        self.plan_lines: list[tuple[Any, ...]] = []

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
            (RepaymentPlan, PLAN_COLUMNS, self.plans, None),
            (PlanInstalment, PLAN_LINE_COLUMNS, self.plan_lines, None),
        ):
            if key:
                counts[key] += len(rows)
            if rows:
                sink.write(table(model), columns, rows)
        self.reset()


# Where the rows go. Where the demo's rows go: straight through the DBAPI cursor on SQLite, or
# through SQLAlchemy Core on any other database. Rows are plain tuples in SQLite's storage format
# (hex keys, whole cents, ISO text dates and times, 0/1 booleans, JSON text). `SQLiteSink` writes
# them as they are; `CoreSink` converts each value to the Python type its column expects (the
# tests check that both store the same values).


# The sync columns keep their defaults: version 1, written by no central transaction yet.
SYNC_COLUMNS = ("row_version", "changed_tx")


def table(model: type[Any]) -> Table:
    """A model's table."""
    found: Table = model.__table__
    return found


class Sink(Protocol):
    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None: ...


def check_columns(table: Table, columns: Sequence[str]) -> None:
    """The rows must fill every column of the table but the sync columns."""
    if sorted(columns) != sorted(c.name for c in table.c if c.name not in SYNC_COLUMNS):
        raise RuntimeError(f"demo rows for {table.name} do not match its columns")


class SQLiteSink:
    """Rows are already in the form SQLAlchemy's types store on SQLite."""

    def __init__(self, conn: Connection) -> None:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        self._cursor = dbapi.cursor()

    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        check_columns(table, columns)
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        self._cursor.executemany(sql, rows)


def core_converter(column_type: Any) -> Callable[[Any], Any] | None:
    """From SQLite's storage form to the column type's Python value (None: as it is)."""
    if isinstance(column_type, Money):
        return lambda cents: Decimal(cents).scaleb(-2)
    if isinstance(column_type, UTCDateTime):
        return lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)
    if isinstance(column_type, Uuid):
        return lambda text: uuid.UUID(hex=text)
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Time):
        return time.fromisoformat
    if isinstance(column_type, Boolean):
        return bool
    if isinstance(column_type, JSON):
        return json.loads
    if isinstance(column_type, Numeric):
        # Rates: SQLAlchemy stores plain NUMERIC as a float on SQLite, so the rows carry floats.
        return lambda number: Decimal(repr(number))
    return None


class CoreSink:
    """Portable: converts each value to what the column's Python type expects."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        check_columns(table, columns)
        if not rows:
            return
        converters = [(name, core_converter(table.c[name].type)) for name in columns]
        records = [
            {
                name: (convert(value) if convert is not None and value is not None else value)
                for (name, convert), value in zip(converters, row, strict=True)
            }
            for row in rows
        ]
        self._conn.execute(table.insert(), records)
