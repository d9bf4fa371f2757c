"""the queue's memo of its answers, and per-borrower stamps kept by triggers

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-09 09:00:00.000000

Issue 17 (the queue read cold): a queue read afresh computed every account's score, reasons
and rule decision again, though most had not changed since the window last read them.
`queue_memo` keeps each user's answers (app/models/queue_memo.py), written as a step of its
own; `queue_stamps` per borrower the number of the last write to their queue inputs: the
triggers below number every insert, update and delete of a row the queue reads for a
borrower's accounts (one more than the highest number yet), in the same transaction, whoever
writes it (a window, the command line, a sync, the feed):

- borrowers (the borrower), loans (the loan's borrower, before and after),
- contact_points and contact_attempts (their borrower; an attempt's loan's borrower too),
- instalments, callbacks, promises, repayment_plans, priority_overrides (their loan's
  borrower, before and after).

A memo answer is taken only while neither its borrower nor `ALL_BORROWERS` (numbered when
the triggers were off for a bulk write: app.services.common.queue_summary) was written to
after its inputs were read.

The triggers are SQLite's: the memo is a workstation's. On PostgreSQL the tables exist (the
schema is one) but nobody other than their owner may touch them, and nothing uses them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
# The triggers' names start so (app.services.common.queue_summary takes them off with the
# summary's for a bulk write).
PREFIX = "queue_stamp_"
# table: the borrower(s) a row of it concerns, for a row R (NEW or OLD): each an expression,
# and the columns it is worked out from.
BY_LOAN = "(SELECT borrower_id FROM loans WHERE id = {R}.loan_id)"
BORROWERS: dict[str, tuple[tuple[str, str], ...]] = {
    "borrowers": (("{R}.id", "id"),),
    "loans": (("{R}.borrower_id", "borrower_id"),),
    "contact_points": (("{R}.borrower_id", "borrower_id"),),
    "contact_attempts": (("{R}.borrower_id", "borrower_id"), (BY_LOAN, "loan_id")),
    **{
        table: ((BY_LOAN, "loan_id"),)
        for table in (
            "instalments",
            "callbacks",
            "promises",
            "repayment_plans",
            "priority_overrides",
        )
    },
}


def stamp(borrower: str, when: str = "1") -> str:
    """The borrower's stamp (when `when` holds), made where missing, numbered one more than
    the highest yet. Neither statement can meet a conflict, whatever conflict clause the
    statement that fired the trigger carries."""
    return (
        "INSERT INTO queue_stamps (borrower_id, stamp) SELECT b, 0 FROM (SELECT "
        f"{borrower} AS b) WHERE b IS NOT NULL AND ({when}) AND NOT EXISTS "
        "(SELECT 1 FROM queue_stamps WHERE borrower_id = b); "
        "UPDATE queue_stamps SET stamp = (SELECT max(stamp) FROM queue_stamps) + 1 "
        f"WHERE borrower_id = {borrower} AND ({when});"
    )


def _body(table: str, rows: tuple[str, ...]) -> str:
    """Each borrower the row concerns, once: an attempt's loan's borrower when it is not the
    attempt's own; an updated row's borrower before the update when the column naming it
    changed (the one after is stamped anyway)."""
    statements = []
    for row in rows:
        named: list[str] = []
        for expression, column in BORROWERS[table]:
            borrower = expression.format(R=row)
            when = " AND ".join(f"{borrower} IS NOT {other}" for other in named) or "1"
            if row == "OLD" and "NEW" in rows:
                when += f" AND OLD.{column} IS NOT NEW.{column}"
            statements.append(stamp(borrower, when))
            named.append(borrower)
    return " ".join(statements)


def sqlite_triggers() -> list[str]:
    statements = []
    for table in BORROWERS:
        for event, rows in (("insert", ("NEW",)), ("update", ("NEW", "OLD")), ("delete", ("OLD",))):
            statements.append(
                f"CREATE TRIGGER {PREFIX}{table}_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN {_body(table, rows)} END"
            )
    return statements


def upgrade() -> None:
    op.create_table(
        "queue_stamps",
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("borrower_id", name=op.f("pk_queue_stamps")),
    )
    op.create_index("ix_queue_stamps_stamp", "queue_stamps", ["stamp"])
    op.create_table(
        "queue_memo",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("seen", sa.BigInteger(), nullable=False),
        sa.Column("context", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.Column("holds_until", sa.BigInteger(), nullable=True),
        sa.Column("dpd", sa.Integer(), nullable=True),
        sa.Column("principal", sa.String(length=24), nullable=True),
        sa.Column("interest", sa.String(length=24), nullable=True),
        sa.Column("penalty", sa.String(length=24), nullable=True),
        sa.Column("fees", sa.String(length=24), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("tier", sa.String(length=32), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("allowed", sa.Integer(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("point_id", sa.String(length=32), nullable=True),
        sa.Column("priority_level", sa.String(length=16), nullable=True),
        sa.Column("priority_expires_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("user_id", "loan_id", name=op.f("pk_queue_memo")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in ("queue_stamps", "queue_memo"):
            op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
            op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    else:
        for statement in sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for table in BORROWERS:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {PREFIX}{table}_{event}")
    op.drop_table("queue_memo")
    op.drop_index("ix_queue_stamps_stamp", table_name="queue_stamps")
    op.drop_table("queue_stamps")
