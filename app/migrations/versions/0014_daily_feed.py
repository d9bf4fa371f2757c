"""the daily feed: batches, payments' own ids and reversals, closures, reported payments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:00:00.000000

Issue 16, item 1. The lending system sends a file a day (docs/feed-format.md):

- `feed_batches`: one row per file, applied (its batch id and sequence taken, once each) or
  refused (its problems kept); the reconciliation summary is the lead's to read, and syncs to
  leads' workstations.
- `payments` get the lending system's own id (`source_id`, unique: a payment sent again is
  counted once), and a reversal (`reversed_at`, with the reversal's own id): a reversed
  payment stays on record and counts for nothing.
- `loans.closed_on` (added by 0012): the feed's closures and write-offs set it.
- `reported_payments`: a payment the borrower says they made, typed in by whoever works the
  account; it counts nowhere until the feed brings the real one and matches it. Synced like
  any other log.

On PostgreSQL: the feed runs as the lending system's own login (a member of `cw_feed`) or as
an administrator, never as staff. `cw_feed` gets what applying a feed writes besides the
ledger it already writes (0007): the payment-derived state of promises and plans, reported
payments' match, the feed's own rows, the system's audit events, reads of the staff directory
(who a new account goes to), and temporary tables to stage a file's rows in. Staff report
payments on their own scope in their own name, never matched; a lead reads the feeds'
summaries. The server's sums of a loan's payments
(a plan is paid and completed by payments the server has) leave reversed payments out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
FEED = "cw_feed"
ON_VISIBLE_LOAN = "loan_id IN (SELECT id FROM loans)"

# What applying a feed changes beyond the ledger, by column: the feed judges promises and
# tracks plans from the payments, exactly as recording a payment always has.
FEED_COLUMNS: dict[str, tuple[str, ...]] = {
    "promises": ("status", "paid_amount", "resolved_at"),
    "repayment_plans": ("status", "activated_at", "closed_at", "down_payment_paid"),
    "plan_instalments": ("paid_amount", "paid_on"),
    "reported_payments": ("matched_payment_id", "matched_at"),
}
# Tables the feed reads (row-level security is forced: each needs a policy for it). The audit
# trail it reads is the system's own (no user's): an insert returns its row.
FEED_READS = {
    "users": "true",
    "teams": "true",
    "promises": "true",
    "repayment_plans": "true",
    "plan_instalments": "true",
    "reported_payments": "true",
    "feed_batches": "true",
    "audit_events": "user_id IS NULL",
}

# The server's sums of a loan's payments, made in 0007 from Python constants (so edited here
# rather than repeated): each function's one `FROM payments WHERE loan_id` leaves reversed
# payments out.
REVERSED_OUT = (
    "cw_plan_paid_ok(uuid, timestamptz, numeric)",
    "cw_plan_breaches(repayment_plans)",
    "cw_repayment_plans_guard()",
)
COUNTED_SUM = (
    "FROM payments\\s+WHERE loan_id",
    "FROM payments WHERE reversed_at IS NULL AND loan_id",
)
ALL_SUM = ("FROM payments WHERE reversed_at IS NULL AND loan_id", "FROM payments WHERE loan_id")


def upgrade() -> None:
    op.create_table(
        "feed_batches",
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("received_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=63), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_batches")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_feed_batches_batch_id")),
        sa.UniqueConstraint("sequence", name=op.f("uq_feed_batches_sequence")),
    )
    op.create_index(
        op.f("ix_feed_batches_changed_tx"), "feed_batches", ["changed_tx"], unique=False
    )
    op.create_index(
        op.f("ix_feed_batches_received_at"), "feed_batches", ["received_at"], unique=False
    )
    op.add_column("payments", sa.Column("source_id", sa.String(length=64), nullable=True))
    op.add_column(
        "payments",
        sa.Column("reversed_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("payments", sa.Column("reversal_id", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_payments_reversal_id"), "payments", ["reversal_id"], unique=True)
    op.create_index(op.f("ix_payments_source_id"), "payments", ["source_id"], unique=True)
    op.create_table(
        "reported_payments",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("reported_by_id", sa.Uuid(), nullable=False),
        sa.Column("paid_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("amount", app.models.types.Money(precision=14, scale=2), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("matched_payment_id", sa.Uuid(), nullable=True),
        sa.Column("matched_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_reported_payments_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["matched_payment_id"],
            ["payments.id"],
            name=op.f("fk_reported_payments_matched_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_reported_payments_reported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_payments")),
    )
    op.create_index(
        op.f("ix_reported_payments_changed_tx"), "reported_payments", ["changed_tx"], unique=False
    )
    op.create_index(
        "ix_reported_payments_loan_paid_at",
        "reported_payments",
        ["loan_id", "paid_at"],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    for table in ("feed_batches", "reported_payments"):
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON "
            f"{table} FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
        )
    for table in ("feed_batches", "reported_payments"):
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    # Staff: a lead reads the feeds' summaries; whoever works an account reports a payment on
    # it in their own name, never as matched, and changes no report afterwards.
    op.execute(f"GRANT SELECT ON feed_batches TO {STAFF}")
    op.execute(
        f"CREATE POLICY feed_batches_select ON feed_batches FOR SELECT TO {STAFF} "
        "USING ((SELECT cw_is_lead()))"
    )
    op.execute(f"GRANT SELECT, INSERT ON reported_payments TO {STAFF}")
    op.execute(
        f"CREATE POLICY reported_payments_select ON reported_payments FOR SELECT TO {STAFF} "
        f"USING ({ON_VISIBLE_LOAN})"
    )
    op.execute(
        f"CREATE POLICY reported_payments_insert ON reported_payments FOR INSERT TO {STAFF} "
        f"WITH CHECK ({ON_VISIBLE_LOAN} AND reported_by_id = (SELECT cw_me()) "
        "AND matched_payment_id IS NULL AND matched_at IS NULL)"
    )
    # The feed: what it reads and changes besides the ledger (0007).
    for table, condition in FEED_READS.items():
        op.execute(f"GRANT SELECT ON {table} TO {FEED}")
        op.execute(
            f"CREATE POLICY {table}_feed_select ON {table} FOR SELECT TO {FEED} USING ({condition})"
        )
    for table, columns in FEED_COLUMNS.items():
        op.execute(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {FEED}")
        op.execute(
            f"CREATE POLICY {table}_feed_update ON {table} FOR UPDATE TO {FEED} "
            "USING (true) WITH CHECK (true)"
        )
    op.execute(f"GRANT INSERT ON feed_batches TO {FEED}")
    op.execute(
        f"CREATE POLICY feed_batches_feed_insert ON feed_batches FOR INSERT TO {FEED} "
        "WITH CHECK (true)"
    )
    op.execute(f"GRANT INSERT ON audit_events TO {FEED}")
    op.execute(
        f"CREATE POLICY audit_events_feed_insert ON audit_events FOR INSERT TO {FEED} "
        "WITH CHECK (user_id IS NULL)"
    )
    # A day's rows are staged in temporary tables (COPY into a table under row-level security
    # is refused); staff still make none.
    op.execute(
        "DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO "
        f"{FEED}', current_database()); END $$"
    )
    for function in REVERSED_OUT:
        _edit_function(function, *COUNTED_SUM)


def _edit_function(function: str, pattern: str, replacement: str) -> None:
    """Replace the one match of `pattern` in a function's definition (refused unless it is
    there exactly once)."""
    op.execute(
        f"""
        DO $$
        DECLARE
            definition text := pg_get_functiondef('{function}'::regprocedure);
        BEGIN
            IF (SELECT count(*) FROM regexp_matches(definition, $p${pattern}$p$, 'g')) <> 1 THEN
                RAISE EXCEPTION 'cannot find the sum of payments in %', '{function}';
            END IF;
            EXECUTE regexp_replace(definition, $p${pattern}$p$, $r${replacement}$r$);
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for function in REVERSED_OUT:
            _edit_function(function, *ALL_SUM)
        op.execute(
            "DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM "
            f"{FEED}', current_database()); END $$"
        )
        op.execute("DROP POLICY IF EXISTS audit_events_feed_insert ON audit_events")
        op.execute(f"REVOKE INSERT ON audit_events FROM {FEED}")
        for table, columns in FEED_COLUMNS.items():
            op.execute(f"DROP POLICY IF EXISTS {table}_feed_update ON {table}")
            op.execute(f"REVOKE UPDATE ({', '.join(columns)}) ON {table} FROM {FEED}")
        for table in FEED_READS:
            op.execute(f"DROP POLICY IF EXISTS {table}_feed_select ON {table}")
            op.execute(f"REVOKE SELECT ON {table} FROM {FEED}")
    op.drop_index("ix_reported_payments_loan_paid_at", table_name="reported_payments")
    op.drop_index(op.f("ix_reported_payments_changed_tx"), table_name="reported_payments")
    op.drop_table("reported_payments")
    op.drop_index(op.f("ix_payments_source_id"), table_name="payments")
    op.drop_index(op.f("ix_payments_reversal_id"), table_name="payments")
    op.drop_column("payments", "reversal_id")
    op.drop_column("payments", "reversed_at")
    op.drop_column("payments", "source_id")
    op.drop_index(op.f("ix_feed_batches_received_at"), table_name="feed_batches")
    op.drop_index(op.f("ix_feed_batches_changed_tx"), table_name="feed_batches")
    op.drop_table("feed_batches")
