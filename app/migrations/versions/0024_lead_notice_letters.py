"""a team lead records the credit-reporting notice a letter of theirs gives

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-10 12:00:00.000000

A credit-reporting notice letter (`letters issue|batch --kind credit-notice`) is a team
lead's act: issuing it records the loan's notice in the same transaction, in the lead's name.
0022 left the notices to the reminders job's login; a lead's staff login may now insert one
too, narrowly: a letter's notice (a document, no message), in their own name, on an account
they see (row security applies inside the check), dated now (no back-dating) and with
reporting to begin after the notice's day. Collectors and field agents still insert none;
nobody changes or deletes a notice. PostgreSQL only; a no-op on SQLite.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF = "cw_staff"
POLICY = "credit_notices_lead_insert"
# How far a letter's notice may be dated from the server's clock: a workstation's clock may be
# a little off, and a notice is recorded as its letter is issued, never later.
SKEW = "interval '10 minutes'"
LEAD_NOTICE_CHECK = (
    "(SELECT cw_is_lead()) AND recorded_by_id = (SELECT cw_me()) "
    "AND channel = 'letter' AND message_id IS NULL AND document_id IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM loans WHERE loans.id = credit_notices.loan_id) "
    "AND reporting_from > (notified_at AT TIME ZONE 'UTC')::date "
    f"AND notified_at BETWEEN now() - {SKEW} AND now() + {SKEW}"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"GRANT INSERT ON credit_notices TO {STAFF}")
    op.execute(
        f"CREATE POLICY {POLICY} ON credit_notices FOR INSERT TO {STAFF} "
        f"WITH CHECK ({LEAD_NOTICE_CHECK})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON credit_notices")
    op.execute(f"REVOKE INSERT ON credit_notices FROM {STAFF}")
