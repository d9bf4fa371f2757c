"""team lead review: call reviews, priority overrides, contact blocks, after-call time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 02:30:00.000000

Issue 6 (docs/domain.md §1, §8). New synced tables: a lead's quality review of a contact, a
priority override on an account with its expiry, and the dial attempts the contact rules
stopped (the compliance-blocks KPI). Contact attempts get their after-call work time (the
handle-time KPI) and an index by collector and time (the dashboard's per-collector counts).

On PostgreSQL the new tables get 0004's owner and row-level security: reviews and overrides
are written by a lead of the account's team only; anyone who sees the account reads them (a
collector reads the feedback on their contacts and works the overrides in their queue). A
lead may now move a loan between collectors: the loans policy's WITH CHECK already keeps the
new assignee in the lead's team, and a collector's own loan cannot leave them (the row must
still be assigned to them afterwards). Deciding a plan that waits for approval is a lead's act,
so a trigger refuses it to anyone else, whatever they send.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
ON_VISIBLE_LOAN = "loan_id IN (SELECT id FROM loans)"
LEAD_ON_VISIBLE_LOAN = f"{ON_VISIBLE_LOAN} AND (SELECT cw_is_lead())"
# table: (privileges, {command: (USING, WITH CHECK)})
POLICIES: dict[str, tuple[str, dict[str, tuple[str | None, str | None]]]] = {
    "call_reviews": (
        "SELECT, INSERT, UPDATE",
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{LEAD_ON_VISIBLE_LOAN} AND reviewer_id = (SELECT cw_me())"),
            # The collector marks the feedback seen; only a lead changes the review itself
            # (the trigger below).
            "UPDATE": (ON_VISIBLE_LOAN, ON_VISIBLE_LOAN),
        },
    ),
    "priority_overrides": (
        "SELECT, INSERT, UPDATE",
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{LEAD_ON_VISIBLE_LOAN} AND set_by_id = (SELECT cw_me())"),
            "UPDATE": (LEAD_ON_VISIBLE_LOAN, LEAD_ON_VISIBLE_LOAN),
        },
    ),
    "contact_blocks": (
        "SELECT, INSERT",
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND user_id = (SELECT cw_me())"),
        },
    ),
}
NEW_TABLES = tuple(POLICIES)
# 0005's loans policy, and the same with the handover: for a week after a lead moves a loan,
# its previous collector still sees it on the server, so what they logged offline before they
# heard of the move is taken when they sync (their scope, and so their copy, follows the
# assignment at once: the sync asks for the loans assigned to them, not for every loan they see).
LOANS_SELECT_0005 = (
    "(assigned_to_id = (SELECT cw_me()) OR ((SELECT cw_is_lead()) AND assigned_to_id IN "
    "(SELECT id FROM users WHERE team_id = (SELECT cw_my_team()))) "
    "OR id IN (SELECT cw_my_visit_loans()))"
)
HANDOVER_DAYS = 7
LOANS_SELECT = (
    f"{LOANS_SELECT_0005} OR (previous_assignee_id = (SELECT cw_me()) "
    f"AND assigned_at > now() - interval '{HANDOVER_DAYS} days')"
)
# A signed-in user who is neither a lead nor an administrator. The administrators' own
# connection (imports, `central add-user`) is no workstation user and passes.
NOT_LEAD = (
    "coalesce((SELECT role NOT IN ('team_lead', 'admin') FROM users "
    "WHERE username = session_user::text AND active), false)"
)
REFUSE = "RAISE EXCEPTION '{what}' USING ERRCODE = 'insufficient_privilege'"
# table: (the events, the trigger's body) for what row security cannot tell apart from a
# collector's own writes.
LEADS_ONLY: dict[str, tuple[str, str]] = {
    # Only a lead moves a loan, and the server, not the client, says who had it and when it
    # moved (the handover in LOANS_SELECT reads both).
    "loans": (
        "UPDATE",
        "IF NEW.assigned_to_id IS DISTINCT FROM OLD.assigned_to_id THEN "
        f"IF {NOT_LEAD} THEN {REFUSE.format(what='only a team lead moves a loan')}; END IF; "
        "NEW.previous_assignee_id := OLD.assigned_to_id; NEW.assigned_at := now(); "
        "ELSE NEW.previous_assignee_id := OLD.previous_assignee_id; "
        "NEW.assigned_at := OLD.assigned_at; END IF;",
    ),
    # Deciding a plan that waits for approval is a lead's act. A plan approved without one
    # must break no limit (the limits are computed on the workstation, from the policy data).
    "repayment_plans": (
        "INSERT OR UPDATE",
        f"IF {NOT_LEAD} AND ("
        "(TG_OP = 'UPDATE' AND OLD.status = 'pending_approval' "
        "AND NEW.status IN ('approved', 'rejected')) "
        "OR (NEW.status = 'rejected' AND OLD.status IS DISTINCT FROM 'rejected') "
        "OR (NEW.status = 'approved' AND OLD.status IS DISTINCT FROM 'approved' "
        "AND coalesce(NEW.breaches::text, '[]') <> '[]') "
        "OR (NEW.approved_by_id, NEW.decision_reason) IS DISTINCT FROM "
        "(OLD.approved_by_id, OLD.decision_reason)) "
        f"THEN {REFUSE.format(what='only a team lead decides a plan beyond policy')}; END IF;",
    ),
    # A collector may mark the feedback on their own contact seen, and change nothing else.
    "call_reviews": (
        "UPDATE",
        f"IF {NOT_LEAD} AND ((NEW.attempt_id, NEW.loan_id, NEW.collector_id, NEW.reviewer_id, "
        "NEW.reviewed_at, NEW.answers::text, NEW.score, NEW.comment) IS DISTINCT FROM "
        "(OLD.attempt_id, OLD.loan_id, OLD.collector_id, OLD.reviewer_id, OLD.reviewed_at, "
        "OLD.answers::text, OLD.score, OLD.comment) OR OLD.collector_id IS DISTINCT FROM "
        f"cw_me()) THEN {REFUSE.format(what='only a team lead changes a call review')}; "
        "END IF;",
    ),
}


def _synced_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
    ]


def upgrade() -> None:
    instant = app.models.types.UTCDateTime(timezone=True)
    op.create_table(
        "call_reviews",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("collector_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=False),
        sa.Column("reviewed_at", instant, nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("seen_at", instant, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_synced_columns(),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["contact_attempts.id"],
            name=op.f("fk_call_reviews_attempt_id_contact_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_call_reviews_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["users.id"], name=op.f("fk_call_reviews_collector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_call_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_reviews")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_call_reviews_attempt_id")),
    )
    op.create_index(
        "ix_call_reviews_collector_reviewed", "call_reviews", ["collector_id", "reviewed_at"]
    )
    op.create_index("ix_call_reviews_loan", "call_reviews", ["loan_id"])
    op.create_table(
        "priority_overrides",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=False),
        sa.Column("set_at", instant, nullable=False),
        sa.Column("expires_at", instant, nullable=False),
        sa.Column("cleared_at", instant, nullable=True),
        sa.Column("cleared_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_synced_columns(),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_priority_overrides_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_priority_overrides_set_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"], ["users.id"], name=op.f("fk_priority_overrides_cleared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_overrides")),
    )
    op.create_index(
        "ix_priority_overrides_loan_expires", "priority_overrides", ["loan_id", "expires_at"]
    )
    op.create_table(
        "contact_blocks",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("contact_point_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("at", instant, nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_synced_columns(),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_contact_blocks_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_contact_blocks_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["contact_point_id"],
            ["contact_points.id"],
            name=op.f("fk_contact_blocks_contact_point_id_contact_points"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contact_blocks_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_blocks")),
    )
    op.create_index("ix_contact_blocks_user_at", "contact_blocks", ["user_id", "at"])
    op.create_index("ix_contact_blocks_loan", "contact_blocks", ["loan_id"])
    for table in NEW_TABLES:
        op.create_index(f"ix_{table}_changed_tx", table, ["changed_tx"])
    # In place (see 0003 on why no batch rebuild).
    op.add_column("contact_attempts", sa.Column("after_call_seconds", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; alembic would want to rebuild
        # the table, which the instalments' foreign key refuses (see 0003).
        op.execute(
            "ALTER TABLE loans ADD COLUMN previous_assignee_id CHAR(32) "
            "CONSTRAINT fk_loans_previous_assignee_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("loans", sa.Column("previous_assignee_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f("fk_loans_previous_assignee_id_users"),
            "loans",
            "users",
            ["previous_assignee_id"],
            ["id"],
        )
    op.create_index(
        "ix_contact_attempts_user_started", "contact_attempts", ["user_id", "started_at"]
    )
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    for table in NEW_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
        )
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for table, (privileges, policies) in POLICIES.items():
        op.execute(f"GRANT {privileges} ON {table} TO {STAFF}")
        for command, (using, check) in policies.items():
            clauses = ""
            if using is not None:
                clauses += f" USING ({using})"
            if check is not None:
                clauses += f" WITH CHECK ({check})"
            op.execute(
                f"CREATE POLICY {table}_{command.lower()} ON {table} FOR {command} "
                f"TO {STAFF}{clauses}"
            )
    op.execute(
        f"GRANT UPDATE (assigned_to_id, assigned_at, previous_assignee_id) ON loans TO {STAFF}"
    )
    op.execute(f"ALTER POLICY loans_select ON loans USING ({LOANS_SELECT})")
    # Leads' acts that row security cannot tell apart from a collector's own writes: moving a
    # loan, deciding a plan that waits for approval, changing a review (a collector may only
    # mark it seen).
    for table, (events, body) in LEADS_ONLY.items():
        op.execute(
            f"CREATE FUNCTION cw_{table}_leads_only() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ BEGIN {body} RETURN NEW; END $$"
        )
        op.execute(f"ALTER FUNCTION cw_{table}_leads_only() OWNER TO {OWNER}")
        op.execute(
            f"CREATE TRIGGER {table}_leads_only BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION cw_{table}_leads_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in LEADS_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_leads_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS cw_{table}_leads_only()")
        op.execute(
            f"REVOKE UPDATE (assigned_to_id, assigned_at, previous_assignee_id) ON loans "
            f"FROM {STAFF}"
        )
        op.execute(f"ALTER POLICY loans_select ON loans USING {LOANS_SELECT_0005}")
    op.drop_column("loans", "previous_assignee_id")
    op.drop_index("ix_contact_attempts_user_started", table_name="contact_attempts")
    op.drop_column("contact_attempts", "after_call_seconds")
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
