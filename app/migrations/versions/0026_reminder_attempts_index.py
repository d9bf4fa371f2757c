"""an index of the reminders among contact attempts, for the queue's reminder reason

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-09 18:00:00.000000

Issue 19: the queue says "reminder sent yesterday, no payment" when a reminder the dispatcher
sent in the last week was followed by no payment (nor a contact that day or later). The
attempts that are reminders (SENT, DELIVERED, FAILED) are indexed on their own by account and
moment, with the outcome and channel, so a queue reads a collector's week of reminders from
this index alone: without it, every attempt of the week (the calls too) was read row by row
to find them, and a portfolio without reminders paid for it as much as one with.

No data changes. On PostgreSQL CREATE INDEX holds writes to contact_attempts while it builds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As app.models.activity.REMINDER_OUTCOMES_SQL is today.
OUTCOMES = "disposition IN ('SENT', 'DELIVERED', 'FAILED')"


def upgrade() -> None:
    op.create_index(
        "ix_contact_attempts_reminders",
        "contact_attempts",
        ["loan_id", "started_at", "disposition", "channel"],
        sqlite_where=sa.text(OUTCOMES),
        postgresql_where=sa.text(OUTCOMES),
    )


def downgrade() -> None:
    op.drop_index("ix_contact_attempts_reminders", table_name="contact_attempts")
