"""indexes for the team lead's dashboard

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 14:00:00.000000

Issue 17: the dashboard on the lead's encrypted copy (benchmarks/dashboard_sqlite.py).

- contact_attempts, on a workstation's SQLite copy only: (user_id, started_at, disposition,
  emotion, duration_seconds, after_call_seconds, id, checklist), every column the figures read,
  so a member's attempts over a span come from the index alone instead of one table row (an
  encrypted page) each. PostgreSQL cannot put a json column in a B-tree, and its row-level
  security reads the rows anyway: the server does without it (its model is marked SQLite only).
- instalments: (loan_id, due_date) gains settled_on, so a loan's oldest unpaid due date on a
  day is read from the index alone.
- promises by attempt_id (the promise a contact made), payments by paid_at (a span's
  payments): each was a scan of its table.

No data changes. On PostgreSQL each CREATE INDEX holds writes to its table while it builds.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = [
    "user_id",
    "started_at",
    "disposition",
    "emotion",
    "duration_seconds",
    "after_call_seconds",
    "id",
    "checklist",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_contact_attempts_user_figures", "contact_attempts", FIGURES)
    op.create_index(
        "ix_instalments_loan_due_settled", "instalments", ["loan_id", "due_date", "settled_on"]
    )
    op.drop_index("ix_instalments_loan_due", table_name="instalments")
    op.create_index("ix_promises_attempt", "promises", ["attempt_id"])
    op.create_index("ix_payments_paid_at", "payments", ["paid_at"])


def downgrade() -> None:
    op.drop_index("ix_payments_paid_at", table_name="payments")
    op.drop_index("ix_promises_attempt", table_name="promises")
    op.create_index("ix_instalments_loan_due", "instalments", ["loan_id", "due_date"])
    op.drop_index("ix_instalments_loan_due_settled", table_name="instalments")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_contact_attempts_user_figures", table_name="contact_attempts")
