"""reminders the lender sends by itself: messages, opt-outs, credit-reporting notices

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-09 09:00:00.000000

Issue 19: `reminders run` plans each message (committed before it is sent), records the
provider's answer and the delivery report, keeps each borrower's opt-out per channel and the
credit-reporting notice of each loan. None of these tables is synced (the dispatcher writes
them on the central database); what a collector sees is the contact attempt recorded with
each message. On PostgreSQL the dispatcher signs in as a `system` login with narrow rights of
its own (docs/security.md, "system").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = sa.Enum("call", "sms", "email", "visit", name="channel", native_enum=False, length=20)
STATUS = sa.Enum(
    "planned",
    "sent",
    "delivered",
    "failed",
    "opted_out",
    "cancelled",
    name="messagestatus",
    native_enum=False,
    length=20,
)
UTC = app.models.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reminder_messages",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("contact_point_id", sa.Uuid(), nullable=True),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("template_code", sa.String(length=40), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("provider_id", sa.String(length=120), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=True),
        sa.Column("planned_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("reported_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["contact_attempts.id"],
            name=op.f("fk_reminder_messages_attempt_id_contact_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.id"],
            name=op.f("fk_reminder_messages_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_point_id"],
            ["contact_points.id"],
            name=op.f("fk_reminder_messages_contact_point_id_contact_points"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_reminder_messages_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reminder_messages_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_reminder_messages_key")),
    )
    op.create_index(
        "ix_reminder_messages_borrower_planned",
        "reminder_messages",
        ["borrower_id", "planned_at"],
    )
    op.create_index("ix_reminder_messages_status", "reminder_messages", ["status"])
    op.create_index("ix_reminder_messages_loan", "reminder_messages", ["loan_id"])
    op.create_table(
        "reminder_opt_outs",
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.id"],
            name=op.f("fk_reminder_opt_outs_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_reminder_opt_outs_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_opt_outs")),
        sa.UniqueConstraint(
            "borrower_id", "channel", name=op.f("uq_reminder_opt_outs_borrower_id")
        ),
    )
    op.create_table(
        "credit_notices",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("notified_at", UTC, nullable=False),
        sa.Column("reporting_from", sa.Date(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_credit_notices_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["reminder_messages.id"],
            name=op.f("fk_credit_notices_message_id_reminder_messages"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_credit_notices_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notices")),
    )
    op.create_index("ix_credit_notices_loan", "credit_notices", ["loan_id"])


def downgrade() -> None:
    op.drop_index("ix_credit_notices_loan", table_name="credit_notices")
    op.drop_table("credit_notices")
    op.drop_table("reminder_opt_outs")
    op.drop_index("ix_reminder_messages_loan", table_name="reminder_messages")
    op.drop_index("ix_reminder_messages_status", table_name="reminder_messages")
    op.drop_index("ix_reminder_messages_borrower_planned", table_name="reminder_messages")
    op.drop_table("reminder_messages")
