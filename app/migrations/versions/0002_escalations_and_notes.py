"""escalations and account notes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:20:00.000000

Two new tables, nothing else changes: a workstation database at 0001 keeps every row. The
escalation decision is stored as a plain string (no native enum), as in 0001, so the same
migration runs on SQLite and PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("raised_by_id", sa.Uuid(), nullable=False),
        sa.Column("raised_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "decision",
            sa.Enum(
                "pause",
                "resume",
                "refer",
                name="escalationdecision",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("decided_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_escalations_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_escalations_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["contact_attempts.id"],
            name=op.f("fk_escalations_attempt_id_contact_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_escalations_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["users.id"],
            name=op.f("fk_escalations_acknowledged_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index("ix_escalations_loan_raised", ["loan_id", "raised_at"], unique=False)
        batch_op.create_index(
            "ix_escalations_raised_by", ["raised_by_id", "raised_at"], unique=False
        )

    op.create_table(
        "account_notes",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_account_notes_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_notes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_notes")),
    )
    with op.batch_alter_table("account_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_notes_loan_created", ["loan_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("account_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_account_notes_loan_created")

    op.drop_table("account_notes")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index("ix_escalations_raised_by")
        batch_op.drop_index("ix_escalations_loan_raised")

    op.drop_table("escalations")
