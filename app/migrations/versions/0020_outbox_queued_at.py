"""when each change waiting in a workstation's outbox was made

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 09:00:00.000000

Issue 18: quitting (or handing the workstation to someone else) with changes waiting says
what waits and since when. The outbox trigger stamps each change with the moment it was
written (UTC); changes queued before this revision carry none.

No data changes. The server's outbox stays empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sync_outbox",
        sa.Column("queued_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("sync_outbox", "queued_at")
