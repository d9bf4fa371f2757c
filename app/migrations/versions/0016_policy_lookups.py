"""policy lookups: a row's account, borrower, plan or workstation found by its key

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-08 09:00:00.000000

Issue 17 (server capacity). Since 0004 the policies of the tables hanging from an account
said "a row of an account I can see" as `loan_id IN (SELECT id FROM loans)`, and likewise for
borrowers, contact points, plan lines and sync outcomes. Row-level security applies inside
that subquery, which is what gives it its meaning (a loan the signed-in user may see), but
PostgreSQL runs it as a hashed subplan: every statement that checks one row first reads every
loan of the central and checks each against the loans policy (measured on a 2,000-loan
central: a push's insert of one note scanned 2,000 loans, docs/scaling.md).

This migration writes the same conditions as `EXISTS (SELECT 1 FROM loans WHERE loans.id =
<table>.loan_id)`: the same loans, under the same loans policy (row-level security applies in
the subquery as before), looked up by primary key (`pk_loans`, or `ix_loans_borrower_id` for
borrowers). For a policy these are the same condition: the key is NOT NULL, and where it could
be NULL neither form is true. Only the subquery's form changes; each policy keeps its name,
command, roles and every other term, and the planner may still hash the subquery where a
statement reads many rows. `ALTER POLICY` leaves what it does not name as it was.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# For each table: its column naming the parent row, the parent table, and the parent's column
# that column matches.
PARENTS: dict[str, tuple[str, str, str]] = {
    **{
        table: ("loan_id", "loans", "id")
        for table in (
            "account_notes",
            "call_reviews",
            "callbacks",
            "contact_attempts",
            "contact_blocks",
            "escalations",
            "field_visits",
            "instalments",
            "payments",
            "plan_pause_overrides",
            "priority_overrides",
            "promises",
            "repayment_plans",
            "reported_payments",
            "visit_requests",
        )
    },
    "borrowers": ("id", "loans", "borrower_id"),
    "contact_points": ("borrower_id", "borrowers", "id"),
    "plan_instalments": ("plan_id", "repayment_plans", "id"),
    "sync_outcomes": ("workstation_id", "sync_workstations", "id"),
}

# Every staff policy that checks a parent row, as 0004-0014 left it; `{seen}` is the check.
# (table, command, USING, WITH CHECK)
POLICIES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("account_notes", "select", "{seen}", None),
    ("account_notes", "insert", None, "{seen} AND user_id = cw_me()"),
    ("borrowers", "select", "{seen}", None),
    ("borrowers", "update", "{seen}", "{seen}"),
    ("call_reviews", "select", "{seen}", None),
    (
        "call_reviews",
        "insert",
        None,
        "{seen} AND (SELECT cw_is_lead()) AND reviewer_id = (SELECT cw_me())",
    ),
    ("call_reviews", "update", "{seen}", "{seen}"),
    ("callbacks", "select", "{seen}", None),
    ("callbacks", "insert", None, "{seen} AND user_id = cw_me()"),
    ("callbacks", "update", "{seen}", "{seen}"),
    ("contact_attempts", "select", "{seen}", None),
    ("contact_attempts", "insert", None, "{seen} AND user_id = cw_me()"),
    ("contact_blocks", "select", "{seen}", None),
    ("contact_blocks", "insert", None, "{seen} AND user_id = (SELECT cw_me())"),
    ("contact_points", "select", "{seen}", None),
    ("contact_points", "insert", None, "{seen}"),
    ("contact_points", "update", "{seen}", "{seen}"),
    ("escalations", "select", "{seen}", None),
    ("escalations", "insert", None, "{seen} AND raised_by_id = cw_me()"),
    ("escalations", "update", "{seen} AND cw_is_lead()", "{seen}"),
    (
        "field_visits",
        "select",
        "{seen} OR agent_id = (SELECT cw_me()) OR second_agent_id = (SELECT cw_me())",
        None,
    ),
    ("field_visits", "insert", None, "{seen} AND agent_id = cw_me()"),
    (
        "field_visits",
        "update",
        "agent_id = (SELECT cw_me()) OR second_agent_id = (SELECT cw_me()) "
        "OR ((SELECT cw_is_lead()) AND {seen})",
        "agent_id = (SELECT cw_me()) OR second_agent_id = (SELECT cw_me()) "
        "OR ((SELECT cw_is_lead()) AND {seen})",
    ),
    ("instalments", "select", "{seen}", None),
    ("payments", "select", "{seen}", None),
    ("plan_instalments", "select", "{seen}", None),
    ("plan_instalments", "insert", None, "{seen}"),
    ("plan_instalments", "update", "{seen}", "{seen}"),
    ("plan_pause_overrides", "select", "{seen}", None),
    (
        "plan_pause_overrides",
        "insert",
        None,
        "{seen} AND (SELECT cw_is_lead()) AND granted_by_id = (SELECT cw_me())",
    ),
    ("priority_overrides", "select", "{seen}", None),
    (
        "priority_overrides",
        "insert",
        None,
        "{seen} AND (SELECT cw_is_lead()) AND set_by_id = (SELECT cw_me())",
    ),
    (
        "priority_overrides",
        "update",
        "{seen} AND (SELECT cw_is_lead())",
        "{seen} AND (SELECT cw_is_lead())",
    ),
    ("promises", "select", "{seen}", None),
    ("promises", "insert", None, "{seen}"),
    ("promises", "update", "{seen}", "{seen}"),
    ("repayment_plans", "select", "{seen}", None),
    ("repayment_plans", "insert", None, "{seen} AND created_by_id = cw_me()"),
    ("repayment_plans", "update", "{seen}", "{seen}"),
    ("reported_payments", "select", "{seen}", None),
    (
        "reported_payments",
        "insert",
        None,
        "{seen} AND reported_by_id = (SELECT cw_me()) "
        "AND matched_payment_id IS NULL AND matched_at IS NULL",
    ),
    ("sync_outcomes", "select", "{seen}", None),
    ("sync_outcomes", "insert", None, "{seen}"),
    ("sync_outcomes", "delete", "{seen}", None),
    ("visit_requests", "select", "{seen}", None),
    (
        "visit_requests",
        "insert",
        None,
        "{seen} AND cw_is_lead() AND requested_by_id = cw_me()",
    ),
    ("visit_requests", "update", "{seen}", "{seen}"),
)


def by_key(table: str) -> str:
    """The parent check as this migration writes it: the parent row looked up by its key."""
    column, parent, match = PARENTS[table]
    return f"(EXISTS (SELECT 1 FROM {parent} WHERE {parent}.{match} = {table}.{column}))"


def by_scan(table: str) -> str:
    """The parent check as 0004-0014 wrote it: the key among all the parent's keys."""
    column, parent, match = PARENTS[table]
    return f"({column} IN (SELECT {match} FROM {parent}))"


def _alter(seen: dict[str, str]) -> None:
    for table, command, using, check in POLICIES:
        clauses = ""
        if using is not None:
            clauses += f" USING ({using.format(seen=seen[table])})"
        if check is not None:
            clauses += f" WITH CHECK ({check.format(seen=seen[table])})"
        op.execute(f"ALTER POLICY {table}_{command} ON {table}{clauses}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _alter({table: by_key(table) for table in PARENTS})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _alter({table: by_scan(table) for table in PARENTS})
