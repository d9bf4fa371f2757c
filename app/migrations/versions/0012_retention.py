"""retention: closure day, erased borrowers, documents written, the audit trail's scrub

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00.000000

Issue 16, item 6 (docs/retention.md). The profile's retention is carried out by
`central retention run`:

- `loans.closed_on`: the day the lending system closed the account (settled or written off);
  retention counts from it.
- `borrowers.erased_at`: when the job removed the borrower's personal data.
- `issued_documents`: the PDFs a workstation's copy (or the embedded database) wrote to disk,
  so the files of an erased account are deleted too. Never synced, never the server's.

On PostgreSQL audit events stay append-only, with one controlled exception: the retention
job drops the keys that carry personal data (free text) from the details of an erased
borrower's events, through `cw_retention_scrub`, a SECURITY DEFINER function owned by
`cw_owner` that only superusers and members of `cw_retention` (a NOLOGIN group an
administrator may grant) may execute. `audit_events_append_only` lets an UPDATE through only
when it runs as `cw_owner` (inside that function: nobody logs in as it) and only removes keys
of `details`, every other column and every kept value unchanged; a DELETE never. Staff logins
cannot execute the function, and nobody else changes an audit event.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
RETENTION = "cw_retention"
SCRUB = "cw_retention_scrub(uuid[], text[])"

# 0001's trigger function, and the one that lets the scrub through.
APPEND_ONLY_0001 = "BEGIN RAISE EXCEPTION 'audit events are append-only'; END"
APPEND_ONLY = f"""
BEGIN
    -- The retention job's scrub, inside cw_retention_scrub (which runs as {OWNER}): it only
    -- takes keys out of the details; who, when, what and every value kept stay as written.
    IF TG_OP = 'UPDATE' AND current_user = '{OWNER}'
       AND ROW(NEW.id, NEW.at, NEW.user_id, NEW.action, NEW.entity, NEW.entity_id,
               NEW.row_version, NEW.changed_tx)
           IS NOT DISTINCT FROM ROW(OLD.id, OLD.at, OLD.user_id, OLD.action, OLD.entity,
               OLD.entity_id, OLD.row_version, OLD.changed_tx)
       AND json_typeof(NEW.details) = 'object' AND json_typeof(OLD.details) = 'object'
       AND NOT EXISTS (SELECT 1 FROM jsonb_each(NEW.details::jsonb) kept
                        WHERE NOT (OLD.details::jsonb ? kept.key
                                   AND OLD.details::jsonb -> kept.key = kept.value)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END
"""
# The events' details keep only the keys named; the number of events changed.
SCRUB_BODY = """
DECLARE
    done integer;
BEGIN
    UPDATE audit_events e
       SET details = (SELECT coalesce(json_object_agg(d.key, d.value), '{}'::json)
                        FROM json_each(e.details) d WHERE d.key = ANY(kept))
     WHERE e.id = ANY(events) AND json_typeof(e.details) = 'object'
       AND EXISTS (SELECT 1 FROM json_each(e.details) d WHERE NOT d.key = ANY(kept));
    GET DIAGNOSTICS done = ROW_COUNT;
    RETURN done;
END
"""


def upgrade() -> None:
    op.add_column("loans", sa.Column("closed_on", sa.Date(), nullable=True))
    op.add_column(
        "borrowers",
        sa.Column("erased_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "issued_documents",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("written_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_documents")),
    )
    op.create_index("ix_issued_documents_loan", "issued_documents", ["loan_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{RETENTION}') THEN "
        f"CREATE ROLE {RETENTION} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
    )
    # A workstation's table: the owner's, with no grants and row security forced (0005).
    op.execute(f"ALTER TABLE issued_documents OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON issued_documents FROM PUBLIC")
    op.execute("ALTER TABLE issued_documents ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE issued_documents FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql SET search_path = public AS $$ {APPEND_ONLY} $$"
    )
    # What the scrub reads and changes, as the owner (row security is forced on it too).
    op.execute(
        "CREATE POLICY audit_events_retention_read ON audit_events FOR SELECT "
        f"TO {OWNER} USING (true)"
    )
    op.execute(
        "CREATE POLICY audit_events_retention_scrub ON audit_events FOR UPDATE "
        f"TO {OWNER} USING (true) WITH CHECK (true)"
    )
    op.execute(
        "CREATE FUNCTION cw_retention_scrub(events uuid[], kept text[]) RETURNS integer "
        f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$ {SCRUB_BODY} $$"
    )
    op.execute(f"ALTER FUNCTION {SCRUB} OWNER TO {OWNER}")
    op.execute(f"REVOKE ALL ON FUNCTION {SCRUB} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SCRUB} TO {RETENTION}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SCRUB}")
        op.execute("DROP POLICY IF EXISTS audit_events_retention_scrub ON audit_events")
        op.execute("DROP POLICY IF EXISTS audit_events_retention_read ON audit_events")
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ {APPEND_ONLY_0001} $$"
        )
    op.drop_index("ix_issued_documents_loan", table_name="issued_documents")
    op.drop_table("issued_documents")
    op.drop_column("borrowers", "erased_at")
    op.drop_column("loans", "closed_on")
