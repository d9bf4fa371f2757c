"""sync bookkeeping

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 23:10:29.859537

Every synced table gets `row_version` (the server's count of accepted changes; an edit names
the version it started from) and `changed_tx` (the central transaction that last wrote the row,
indexed: a pull reads the rows written since its cursor). New tables: a workstation's outbox,
state, conflicts and pause switch; the embedded central's clock; the server's per-workstation
last applied change number and what became of the changes a workstation still needs to hear
about.

On PostgreSQL a trigger stamps `changed_tx` with `pg_current_xact_id()`, and the new tables get
the owner, grants and row-level security of 0004: a user sees and moves only the bookkeeping
of their own workstations. Tables only a workstation uses belong to the owner with no grants.
Columns are added in place (see 0003 on why no batch rebuild).

A field agent's scope also holds the accounts of the visits planned for them, as the agent or
as the second agent (docs/domain.md §9), so their copy has what the day's sheets need. The loans
policy cannot ask field_visits directly (its policy asks loans: a recursion PostgreSQL
refuses), so `cw_my_visit_loans()` runs as the owner, which may read field_visits for that one
question; it still answers only for `session_user`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNCED = (
    "teams",
    "users",
    "borrowers",
    "contact_points",
    "loans",
    "instalments",
    "payments",
    "contact_attempts",
    "promises",
    "callbacks",
    "audit_events",
    "repayment_plans",
    "plan_instalments",
    "visit_requests",
    "field_visits",
    "escalations",
    "account_notes",
)
OWNER = "cw_owner"
STAFF = "cw_staff"
OWN_WORKSTATION = "workstation_id IN (SELECT id FROM sync_workstations)"
# table: (privileges, {command: (USING, WITH CHECK)}); tables not named stay the owner's alone.
POLICIES: dict[str, tuple[str, dict[str, tuple[str | None, str | None]]]] = {
    "sync_workstations": (
        "SELECT, INSERT, UPDATE",
        {
            "SELECT": ("user_id = cw_me()", None),
            "INSERT": (None, "user_id = cw_me()"),
            "UPDATE": ("user_id = cw_me()", "user_id = cw_me()"),
        },
    ),
    "sync_outcomes": (
        "SELECT, INSERT, DELETE",
        {
            "SELECT": (OWN_WORKSTATION, None),
            "INSERT": (None, OWN_WORKSTATION),
            "DELETE": (OWN_WORKSTATION, None),
        },
    ),
}
WORKSTATION_ONLY = ("sync_clock", "sync_conflicts", "sync_outbox", "sync_pause", "sync_state")
# 0004's loans policy, and the one that adds the planned visits.
VISIBLE_LOAN = (
    "(assigned_to_id = cw_me() OR (cw_is_lead() AND assigned_to_id IN "
    "(SELECT id FROM users WHERE team_id = cw_my_team())))"
)
# The same, asked once per statement: `(SELECT cw_me())` is computed once and then compared
# through the index on assigned_to_id, where a bare `cw_me()` is called again for every row
# (a pull asks the loans policy in every table it reads).
VISIBLE_LOAN_OR_VISIT = (
    "(assigned_to_id = (SELECT cw_me()) OR ((SELECT cw_is_lead()) AND assigned_to_id IN "
    "(SELECT id FROM users WHERE team_id = (SELECT cw_my_team()))) "
    "OR id IN (SELECT cw_my_visit_loans()))"
)
# 0004's field-visit policy, and the same asked once per statement.
ON_VISIBLE_LOAN = "loan_id IN (SELECT id FROM loans)"
VISIT = f"({ON_VISIBLE_LOAN} OR agent_id = cw_me() OR second_agent_id = cw_me())"
VISIT_ONCE = (
    f"({ON_VISIBLE_LOAN} OR agent_id = (SELECT cw_me()) OR second_agent_id = (SELECT cw_me()))"
)


def upgrade() -> None:
    op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tick", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_clock")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("local_values", sa.Text(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
    )
    op.create_index("ix_sync_conflicts_loan_id", "sync_conflicts", ["loan_id"])

    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_outbox")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sync_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_pause")),
    )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("workstation_id", sa.Uuid(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=True),
        sa.Column("last_sync_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", app.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_workstations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_applied", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", app.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sync_workstations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_workstations")),
    )
    op.create_table(
        "sync_outcomes",
        sa.Column("workstation_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workstation_id"],
            ["sync_workstations.id"],
            name=op.f("fk_sync_outcomes_workstation_id_sync_workstations"),
        ),
        sa.PrimaryKeyConstraint("workstation_id", "seq", name=op.f("pk_sync_outcomes")),
    )
    for table in SYNCED:
        op.add_column(
            table, sa.Column("row_version", sa.Integer(), server_default="1", nullable=False)
        )
        op.add_column(table, sa.Column("changed_tx", sa.BigInteger(), nullable=True))
        op.create_index(f"ix_{table}_changed_tx", table, ["changed_tx"])
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _once(condition: str) -> str:
    """`condition` with each call of the user functions made once per statement."""
    for name in ("cw_me", "cw_is_lead", "cw_my_team"):
        condition = condition.replace(f"{name}()", f"(SELECT {name}())")
    return condition


def _secure() -> None:
    op.execute(
        "CREATE FUNCTION cw_stamp_change() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path = public AS $$ BEGIN "
        "NEW.changed_tx := pg_current_xact_id()::text::bigint; RETURN NEW; END $$"
    )
    op.execute(f"ALTER FUNCTION cw_stamp_change() OWNER TO {OWNER}")
    for table in SYNCED:
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
        )
    # A status change moves the row's version too.
    op.execute(f"GRANT UPDATE (row_version) ON loans TO {STAFF}")
    # What the owner may read inside cw_my_visit_loans(): the visits, and the staff directory
    # that cw_me() looks the user up in.
    for table in ("field_visits", "users"):
        op.execute(f"CREATE POLICY {table}_owner ON {table} FOR SELECT TO {OWNER} USING (true)")
    op.execute(
        "CREATE FUNCTION cw_my_visit_loans() RETURNS SETOF uuid LANGUAGE sql STABLE "
        "SECURITY DEFINER SET search_path = public AS $$ SELECT loan_id FROM field_visits "
        "WHERE status = 'planned' AND (agent_id = cw_me() OR second_agent_id = cw_me()) $$"
    )
    op.execute(f"ALTER FUNCTION cw_my_visit_loans() OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_my_visit_loans() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_my_visit_loans() TO {STAFF}")
    op.execute(f"ALTER POLICY loans_select ON loans USING {VISIBLE_LOAN_OR_VISIT}")
    op.execute(
        f"ALTER POLICY loans_update ON loans USING {_once(VISIBLE_LOAN)} "
        f"WITH CHECK {_once(VISIBLE_LOAN)}"
    )
    op.execute(f"ALTER POLICY field_visits_select ON field_visits USING {VISIT_ONCE}")
    op.execute(
        f"ALTER POLICY field_visits_update ON field_visits USING {VISIT_ONCE} "
        f"WITH CHECK {VISIT_ONCE}"
    )
    for table in (*POLICIES, *WORKSTATION_ONLY):
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


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER POLICY loans_select ON loans USING {VISIBLE_LOAN}")
        op.execute(
            f"ALTER POLICY loans_update ON loans USING {VISIBLE_LOAN} WITH CHECK {VISIBLE_LOAN}"
        )
        op.execute(f"ALTER POLICY field_visits_select ON field_visits USING {VISIT}")
        op.execute(
            f"ALTER POLICY field_visits_update ON field_visits USING {VISIT} WITH CHECK {VISIT}"
        )
        op.execute("DROP FUNCTION IF EXISTS cw_my_visit_loans()")
        for table in ("field_visits", "users"):
            op.execute(f"DROP POLICY IF EXISTS {table}_owner ON {table}")
        op.execute(f"REVOKE UPDATE (row_version) ON loans FROM {STAFF}")
        for table in SYNCED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_change ON {table}")
        op.execute("DROP FUNCTION IF EXISTS cw_stamp_change()")
    for table in SYNCED:
        op.drop_index(f"ix_{table}_changed_tx", table_name=table)
        op.drop_column(table, "changed_tx")
        op.drop_column(table, "row_version")
    for table in (
        "sync_outcomes",
        "sync_workstations",
        "sync_state",
        "sync_pause",
        "sync_outbox",
        "sync_conflicts",
        "sync_clock",
    ):
        op.drop_table(table)
