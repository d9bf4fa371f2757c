"""central database: owner, staff role and row-level security

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 22:00:00.000000

PostgreSQL only (the embedded SQLite database is one user's own copy; this is a no-op there).
docs/domain.md §9: each person signs in as themself and sees only their scope, and the central
database enforces it itself.

- Tables belong to `cw_owner`, a role nobody logs in as, with FORCE ROW LEVEL SECURITY, so not
  even the owner reads around the policies. Staff log in with a role of their own (created by
  `central add-user`), a member of `cw_staff`, which holds the table privileges. No staff role
  is a superuser or has BYPASSRLS.
- Policies are keyed on `session_user`, mapped to a user through `users.username`. SET ROLE
  changes `current_user`, not `session_user`, and no policy reads a setting a client can set.
- A collector (and a field agent) sees the loans assigned to them and everything hanging off
  those loans; a team lead sees the loans of their team's members. Logs (contact attempts,
  notes, audit events) take INSERT only, as the signed-in user; nobody may UPDATE or DELETE them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"

# Who sees a loan: its assignee, or a lead of the assignee's team.
VISIBLE_LOAN = (
    "(assigned_to_id = cw_me() OR (cw_is_lead() AND assigned_to_id IN "
    "(SELECT id FROM users WHERE team_id = cw_my_team())))"
)
# Rows hanging off a loan the user sees (the subquery is itself filtered by loans' policy).
ON_VISIBLE_LOAN = "loan_id IN (SELECT id FROM loans)"

# table: (privileges beyond SELECT, {command: (USING, WITH CHECK)})
POLICIES: dict[str, tuple[tuple[str, ...], dict[str, tuple[str | None, str | None]]]] = {
    "teams": ((), {"SELECT": ("true", None)}),
    # The staff directory: names and roles of colleagues, no borrower data.
    "users": ((), {"SELECT": ("true", None)}),
    # Only the status (a payment settles the loan) and the row lock a write takes (SELECT …
    # FOR UPDATE needs UPDATE on a column); who works a loan stays the administrators'.
    "loans": (
        ("UPDATE (status)",),
        {"SELECT": (VISIBLE_LOAN, None), "UPDATE": (VISIBLE_LOAN, VISIBLE_LOAN)},
    ),
    "borrowers": (
        ("UPDATE",),
        {
            "SELECT": ("id IN (SELECT borrower_id FROM loans)", None),
            "UPDATE": (
                "id IN (SELECT borrower_id FROM loans)",
                "id IN (SELECT borrower_id FROM loans)",
            ),
        },
    ),
    "contact_points": (
        ("UPDATE",),
        {
            "SELECT": ("borrower_id IN (SELECT id FROM borrowers)", None),
            "UPDATE": (
                "borrower_id IN (SELECT id FROM borrowers)",
                "borrower_id IN (SELECT id FROM borrowers)",
            ),
        },
    ),
    "instalments": (
        ("UPDATE",),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "UPDATE": (ON_VISIBLE_LOAN, ON_VISIBLE_LOAN),
        },
    ),
    "payments": (
        ("INSERT",),
        {"SELECT": (ON_VISIBLE_LOAN, None), "INSERT": (None, ON_VISIBLE_LOAN)},
    ),
    "contact_attempts": (
        ("INSERT",),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND user_id = cw_me()"),
        },
    ),
    "promises": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, ON_VISIBLE_LOAN),
            "UPDATE": (ON_VISIBLE_LOAN, ON_VISIBLE_LOAN),
        },
    ),
    "callbacks": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND user_id = cw_me()"),
            "UPDATE": (ON_VISIBLE_LOAN, ON_VISIBLE_LOAN),
        },
    ),
    "repayment_plans": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND created_by_id = cw_me()"),
            "UPDATE": (ON_VISIBLE_LOAN, ON_VISIBLE_LOAN),
        },
    ),
    "plan_instalments": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": ("plan_id IN (SELECT id FROM repayment_plans)", None),
            "INSERT": (None, "plan_id IN (SELECT id FROM repayment_plans)"),
            "UPDATE": (
                "plan_id IN (SELECT id FROM repayment_plans)",
                "plan_id IN (SELECT id FROM repayment_plans)",
            ),
        },
    ),
    "field_visits": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": (
                f"{ON_VISIBLE_LOAN} OR agent_id = cw_me() OR second_agent_id = cw_me()",
                None,
            ),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND agent_id = cw_me()"),
            "UPDATE": (
                f"{ON_VISIBLE_LOAN} OR agent_id = cw_me() OR second_agent_id = cw_me()",
                f"{ON_VISIBLE_LOAN} OR agent_id = cw_me() OR second_agent_id = cw_me()",
            ),
        },
    ),
    "visit_requests": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND cw_is_lead() AND requested_by_id = cw_me()"),
            "UPDATE": (ON_VISIBLE_LOAN, ON_VISIBLE_LOAN),
        },
    ),
    "escalations": (
        ("INSERT", "UPDATE"),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND raised_by_id = cw_me()"),
            "UPDATE": (f"{ON_VISIBLE_LOAN} AND cw_is_lead()", ON_VISIBLE_LOAN),
        },
    ),
    "account_notes": (
        ("INSERT",),
        {
            "SELECT": (ON_VISIBLE_LOAN, None),
            "INSERT": (None, f"{ON_VISIBLE_LOAN} AND user_id = cw_me()"),
        },
    ),
    # Each user reads their own trail; events derived by the system carry no user.
    "audit_events": (
        ("INSERT",),
        {
            "SELECT": ("user_id = cw_me()", None),
            "INSERT": (None, "user_id = cw_me() OR user_id IS NULL"),
        },
    ),
}

FUNCTIONS = {
    "cw_me": (
        "uuid",
        "SELECT id FROM users WHERE username = session_user::text AND active",
    ),
    "cw_my_team": (
        "uuid",
        "SELECT team_id FROM users WHERE username = session_user::text AND active",
    ),
    "cw_is_lead": (
        "boolean",
        "SELECT coalesce(bool_or(role = 'team_lead'), false) FROM users "
        "WHERE username = session_user::text AND active",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for role in (OWNER, STAFF):
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
        )
    op.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    # The owner needs the schema too: foreign-key checks run as the owner of the table.
    op.execute(f"GRANT USAGE ON SCHEMA public TO {STAFF}, {OWNER}")
    op.execute("REVOKE ALL ON alembic_version FROM PUBLIC")
    for name, (returns, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS {returns} LANGUAGE sql STABLE "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION {name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}() TO {STAFF}")
    for table, (privileges, policies) in POLICIES.items():
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT {', '.join(('SELECT', *privileges))} ON {table} TO {STAFF}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
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
    if op.get_bind().dialect.name != "postgresql":
        return
    owner = op.get_bind().exec_driver_sql("SELECT current_user").scalar_one()
    for table, (_privileges, policies) in POLICIES.items():
        for command in policies:
            op.execute(f"DROP POLICY IF EXISTS {table}_{command.lower()} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {table} FROM {STAFF}")
        op.execute(f'ALTER TABLE {table} OWNER TO "{owner}"')
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {STAFF}, {OWNER}")
    op.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
