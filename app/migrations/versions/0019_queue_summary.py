"""the queue's summary of each account's history, kept by triggers

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 12:00:00.000000

Issue 17 (the collector's loop): a queue built afresh read every attempt, callback, promise,
plan and override of the collector's thousands of accounts, table by table, to learn a few
facts per account. `loan_queue_summary` keeps those facts per loan (app/models/queue_summary.py)
and `queue_summary_codes` the dispositions it counts as a contact. Triggers on the five tables
keep the summary in the same transaction as the row written, whoever writes it (a window, the
command line, a sync, the feed); an insert, an update of a column the summary reads, a delete
(a pull's purge) each work the loan's facts out again from its rows. The queue works out what
depends on the clock when it reads.

`ix_contact_points_learned` indexes the addresses collection learned (few) by borrower: the
queue asks after them for every borrower of the collector's, and found each one's points in
the table to learn it has none.

The summary is local to each database and never synced. On SQLite the bulk writers (the demo
build, a first sync) take the triggers off while they write and repair the summary after
(app.services.common.queue_summary). The migration fills it with that repair.

On PostgreSQL staff read the summary of their own scope's accounts and write neither table:
the trigger functions run as `cw_owner` (SECURITY DEFINER), which reads the five tables for
them (a SELECT policy each: row security is forced on the owner too). Each locks the loan's
summary row before reading the facts again, so two transactions writing one loan's facts at
once leave it right: the second waits for the first and, in a fresh snapshot, sees its rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
CONTACT = "(SELECT code FROM queue_summary_codes)"
FAILED = "('broken', 'partly_kept')"
LATEST = "ORDER BY promised_date DESC, created_at DESC, id DESC LIMIT 1"

# table: (the summary's columns worked out again for loan {loan}, the columns they read, when
# an inserted row counts (NEW), when a deleted one did (OLD)).
SPEC: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "contact_attempts": (
        "last_contact_at = (SELECT max(started_at) FROM contact_attempts "
        f"WHERE loan_id = {{loan}} AND disposition IN {CONTACT})",
        ("loan_id", "started_at", "disposition"),
        f"NEW.disposition IN {CONTACT}",
        f"OLD.disposition IN {CONTACT}",
    ),
    "callbacks": (
        "(open_callbacks, next_callback_at) = (SELECT count(*), min(due_at) FROM callbacks "
        "WHERE loan_id = {loan} AND done_at IS NULL)",
        ("loan_id", "due_at", "done_at"),
        "NEW.done_at IS NULL",
        "OLD.done_at IS NULL",
    ),
    "promises": (
        "pending_promises = (SELECT count(*) FROM promises "
        "WHERE loan_id = {loan} AND status = 'pending'), "
        "(pending_promise_on, pending_promise_amount) = (SELECT promised_date, amount "
        f"FROM promises WHERE loan_id = {{loan}} AND status = 'pending' {LATEST}), "
        "(failed_promise_on, failed_promise_status, failed_promise_amount, failed_promise_paid)"
        " = (SELECT promised_date, status, amount, paid_amount FROM promises "
        f"WHERE loan_id = {{loan}} AND status IN {FAILED} {LATEST})",
        ("loan_id", "status", "promised_date", "amount", "paid_amount", "created_at"),
        f"NEW.status = 'pending' OR NEW.status IN {FAILED}",
        f"OLD.status = 'pending' OR OLD.status IN {FAILED}",
    ),
    "repayment_plans": (
        "broken_plan_at = (SELECT max(closed_at) FROM repayment_plans "
        "WHERE loan_id = {loan} AND status = 'broken')",
        ("loan_id", "status", "closed_at"),
        "NEW.status = 'broken'",
        "OLD.status = 'broken'",
    ),
    "priority_overrides": (
        "open_overrides = (SELECT count(*) FROM priority_overrides "
        "WHERE loan_id = {loan} AND cleared_at IS NULL)",
        ("loan_id", "cleared_at"),
        "NEW.cleared_at IS NULL",
        "OLD.cleared_at IS NULL",
    ),
}
# A contact logged (the hot path: every call) moves the last contact on; nothing to read again.
ATTEMPT_LOGGED = (
    "last_contact_at = CASE WHEN last_contact_at IS NULL OR last_contact_at < NEW.started_at "
    "THEN NEW.started_at ELSE last_contact_at END"
)


def _summary_row(loan: str) -> str:
    """SQLite: the loan's summary row, made empty where it has none (no conflict can arise,
    whatever conflict clause the statement that fired the trigger carries)."""
    return (
        f"INSERT INTO loan_queue_summary (loan_id) SELECT {loan} WHERE NOT EXISTS "
        f"(SELECT 1 FROM loan_queue_summary WHERE loan_id = {loan});"
    )


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, (assign, columns, inserted, deleted) in SPEC.items():
        new, old = assign.format(loan="NEW.loan_id"), assign.format(loan="OLD.loan_id")
        if table == "contact_attempts":
            new = ATTEMPT_LOGGED
        changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
        statements += [
            f"CREATE TRIGGER queue_summary_{table}_insert AFTER INSERT ON {table} "
            f"WHEN {inserted} BEGIN {_summary_row('NEW.loan_id')} "
            f"UPDATE loan_queue_summary SET {new} WHERE loan_id = NEW.loan_id; END",
            f"CREATE TRIGGER queue_summary_{table}_update AFTER UPDATE ON {table} "
            f"WHEN {changed} BEGIN "
            f"UPDATE loan_queue_summary SET {old} "
            "WHERE loan_id = OLD.loan_id AND OLD.loan_id IS NOT NEW.loan_id; "
            f"{_summary_row('NEW.loan_id')} "
            f"UPDATE loan_queue_summary SET {assign.format(loan='NEW.loan_id')} "
            "WHERE loan_id = NEW.loan_id; END",
            f"CREATE TRIGGER queue_summary_{table}_delete AFTER DELETE ON {table} "
            f"WHEN {deleted} BEGIN "
            f"UPDATE loan_queue_summary SET {old} WHERE loan_id = OLD.loan_id; END",
        ]
    return statements


# PostgreSQL: the loan's summary row, made where missing and held until the transaction ends.
# A transaction writing the same loan's facts at the same time waits here, and reads them again
# only once the other has ended (each statement of the function takes a fresh snapshot).
ROW_FUNCTION = """
BEGIN
    INSERT INTO loan_queue_summary (loan_id) VALUES (loan) ON CONFLICT (loan_id) DO NOTHING;
    PERFORM 1 FROM loan_queue_summary WHERE loan_id = loan FOR NO KEY UPDATE;
END
"""


def _postgresql_trigger(table: str) -> str:
    assign, columns, inserted, deleted = SPEC[table]
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
    logged = ATTEMPT_LOGGED if table == "contact_attempts" else assign.format(loan="NEW.loan_id")
    return f"""
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF {inserted} THEN
            PERFORM cw_queue_summary_row(NEW.loan_id);
            UPDATE loan_queue_summary SET {logged} WHERE loan_id = NEW.loan_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF {deleted} THEN
            PERFORM cw_queue_summary_row(OLD.loan_id);
            UPDATE loan_queue_summary SET {assign.format(loan="OLD.loan_id")}
             WHERE loan_id = OLD.loan_id;
        END IF;
    ELSIF {changed} THEN
        IF OLD.loan_id IS DISTINCT FROM NEW.loan_id THEN
            PERFORM cw_queue_summary_row(OLD.loan_id);
            UPDATE loan_queue_summary SET {assign.format(loan="OLD.loan_id")}
             WHERE loan_id = OLD.loan_id;
        END IF;
        PERFORM cw_queue_summary_row(NEW.loan_id);
        UPDATE loan_queue_summary SET {assign.format(loan="NEW.loan_id")}
         WHERE loan_id = NEW.loan_id;
    END IF;
    RETURN NULL;
END
"""


def upgrade() -> None:
    op.create_table(
        "loan_queue_summary",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("last_contact_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("open_callbacks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_callback_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pending_promises", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pending_promise_on", sa.Date(), nullable=True),
        sa.Column("pending_promise_amount", app.models.types.Money(), nullable=True),
        sa.Column("failed_promise_on", sa.Date(), nullable=True),
        sa.Column(
            "failed_promise_status",
            sa.Enum(
                "pending",
                "kept",
                "partly_kept",
                "broken",
                name="promisestatus",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("failed_promise_amount", app.models.types.Money(), nullable=True),
        sa.Column("failed_promise_paid", app.models.types.Money(), nullable=True),
        sa.Column("broken_plan_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("open_overrides", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["loans.id"],
            name=op.f("fk_loan_queue_summary_loan_id_loans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_loan_queue_summary")),
    )
    op.create_table(
        "queue_summary_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_queue_summary_codes")),
    )
    op.create_index(
        "ix_contact_points_learned",
        "contact_points",
        ["borrower_id"],
        sqlite_where=sa.text("kind = 'address'"),
        postgresql_where=sa.text("kind = 'address'"),
    )
    if op.get_bind().dialect.name == "postgresql":
        _secure()
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)
    # Filled from the rows already there, as `db repair-summary` does (and with the contact
    # codes of the catalogue installed now).
    from app.services.common.queue_summary import repair

    repair(op.get_bind())


def _secure() -> None:
    for table in ("loan_queue_summary", "queue_summary_codes"):
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT SELECT ON {table} TO {STAFF}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        # Written by the trigger functions (as the owner) and by administrators only.
        op.execute(
            f"CREATE POLICY {table}_owner ON {table} FOR ALL TO {OWNER} "
            "USING (true) WITH CHECK (true)"
        )
    op.execute(
        f"CREATE POLICY loan_queue_summary_select ON loan_queue_summary FOR SELECT TO {STAFF} "
        "USING (EXISTS (SELECT 1 FROM loans WHERE loans.id = loan_queue_summary.loan_id))"
    )
    op.execute(
        f"CREATE POLICY queue_summary_codes_select ON queue_summary_codes FOR SELECT "
        f"TO {STAFF} USING (true)"
    )
    op.execute(
        "CREATE FUNCTION cw_queue_summary_row(loan uuid) RETURNS void LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {ROW_FUNCTION} $$"
    )
    op.execute(f"ALTER FUNCTION cw_queue_summary_row(uuid) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_queue_summary_row(uuid) FROM PUBLIC")
    for table, (_assign, columns, _inserted, _deleted) in SPEC.items():
        # What the trigger reads again, as the owner.
        op.execute(
            f"CREATE POLICY {table}_queue_summary ON {table} FOR SELECT TO {OWNER} USING (true)"
        )
        op.execute(
            f"CREATE FUNCTION cw_{table}_queue_summary() RETURNS trigger LANGUAGE plpgsql "
            f"SECURITY DEFINER SET search_path = public AS $$ {_postgresql_trigger(table)} $$"
        )
        op.execute(f"ALTER FUNCTION cw_{table}_queue_summary() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION cw_{table}_queue_summary() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER {table}_queue_summary AFTER INSERT OR DELETE OR UPDATE OF "
            f"{', '.join(columns)} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION cw_{table}_queue_summary()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SPEC:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_queue_summary ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS cw_{table}_queue_summary()")
            op.execute(f"DROP POLICY IF EXISTS {table}_queue_summary ON {table}")
        op.execute("DROP FUNCTION IF EXISTS cw_queue_summary_row(uuid)")
    else:
        for table in SPEC:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS queue_summary_{table}_{event}")
    op.drop_table("queue_summary_codes")
    op.drop_table("loan_queue_summary")
    op.drop_index("ix_contact_points_learned", table_name="contact_points")
