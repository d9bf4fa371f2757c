"""agreement files fingerprinted: the SHA-256 of the issued file, recorded with the issue

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00.000000

`repayment_plans.agreement_file_sha256` holds the SHA-256 of the agreement file as it was
issued; `verify-agreement` calls that one file genuine (app.services.plans.agreements). The
workstation writes the file, records its hash and issues the plan in one transaction
(app.services.plans.agreements.issue_agreement). Plans issued before this revision keep None.

On PostgreSQL a trigger holds staff to it (docs/security.md, rule `agreement-file`): the hash
is 64 hexadecimal digits, recorded only on a numbered agreement while its plan is approved or
as it is issued, never issued without it, and never changed or cleared afterwards.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
TRIGGER = "repayment_plans_hash"
KEPT = "An agreement file is recorded as its plan is issued, and kept."
MISSING = "A plan is issued with the SHA-256 of its agreement file."
FILE_GUARD = f"""
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF NEW.agreement_file_sha256 IS NOT NULL THEN
        IF NEW.agreement_file_sha256 !~ '^[0-9a-f]{{64}}$' THEN
            PERFORM cw_refuse('An agreement file is recorded by its SHA-256.');
        END IF;
        IF NEW.agreement_no IS NULL THEN
            PERFORM cw_refuse('{KEPT}');
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Written with the number while the plan is approved, or with the step to issued
        -- (as 0007's guard lets the number be), and fixed from then on.
        IF NEW.agreement_file_sha256 IS DISTINCT FROM OLD.agreement_file_sha256
           AND NOT (OLD.status = 'approved' AND NEW.status IN ('approved', 'issued')) THEN
            PERFORM cw_refuse('{KEPT}');
        END IF;
        IF OLD.status = 'approved' AND NEW.status = 'issued'
           AND NEW.agreement_file_sha256 IS NULL THEN
            PERFORM cw_refuse('{MISSING}');
        END IF;
    ELSIF NEW.agreement_no IS NOT NULL AND NEW.agreement_file_sha256 IS NULL THEN
        PERFORM cw_refuse('{MISSING}');
    END IF;
    RETURN NEW;
END
"""


def upgrade() -> None:
    op.add_column(
        "repayment_plans", sa.Column("agreement_file_sha256", sa.String(length=64), nullable=True)
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE FUNCTION cw_{TRIGGER}() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {FILE_GUARD} $$"
    )
    op.execute(f"ALTER FUNCTION cw_{TRIGGER}() OWNER TO {OWNER}")
    op.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE ON repayment_plans "
        f"FOR EACH ROW EXECUTE FUNCTION cw_{TRIGGER}()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON repayment_plans")
        op.execute(f"DROP FUNCTION IF EXISTS cw_{TRIGGER}()")
    op.drop_column("repayment_plans", "agreement_file_sha256")
