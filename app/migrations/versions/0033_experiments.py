"""champion / challenger experiments: definitions and each account's recorded arm

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 02:00:00.000000

Issue 21, item 6. `experiments` holds a team lead's trial of another queue weighting on the
team's accounts; `experiment_assignments` records each account's arm, once.

On PostgreSQL the server holds the staff logins to it (docs/security.md rules
`experiment-lead`, `experiment-assignment`, `experiment-scope`):

- only a lead of the team defines an experiment, in their own name, and stops it (once, in
  their own name, dated now); nothing else of it changes;
- an assignment is recorded by a lead of the experiment's team, on an account of that team,
  while the experiment runs; nobody updates or deletes one (trigger
  `experiment_assignments_fixed`, which holds every login, the administrator's too);
- a login reads its own team's experiments and their assignments only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.models.types.UTCDateTime(timezone=True)
STAFF = "cw_staff"
OWNER = "cw_owner"
ME = "(SELECT cw_me())"
TEAM = "(SELECT cw_my_team())"
LEAD = "(SELECT cw_is_lead())"
SKEW = "interval '10 minutes'"

POLICIES = {
    "experiments": {
        "select": (f"team_id = {TEAM}", None),
        "insert": (
            None,
            f"{LEAD} AND team_id = {TEAM} AND created_by_id = {ME} AND stopped_at IS NULL"
            " AND stopped_by_id IS NULL",
        ),
        "update": (
            f"{LEAD} AND team_id = {TEAM}",
            f"{LEAD} AND team_id = {TEAM} AND stopped_by_id = {ME}",
        ),
    },
    "experiment_assignments": {
        "select": (
            "EXISTS (SELECT 1 FROM experiments e WHERE e.id = experiment_id"
            f" AND e.team_id = {TEAM})",
            None,
        ),
        "insert": (
            None,
            f"{LEAD} AND arm IN ('champion', 'challenger', 'holdout')"
            " AND EXISTS (SELECT 1 FROM experiments e WHERE e.id = experiment_id"
            f" AND e.team_id = {TEAM} AND e.stopped_at IS NULL)"
            f" AND EXISTS (SELECT 1 FROM loans l WHERE l.id = loan_id AND l.team_id = {TEAM})",
        ),
    },
}

# A stopped experiment stays stopped; stopping it is dated now; nothing else of it changes.
EXPERIMENT_GUARD = f"""
BEGIN
    IF OLD.stopped_at IS NOT NULL THEN
        PERFORM cw_refuse('The experiment was stopped already.');
    END IF;
    IF NEW.stopped_at IS NULL OR NEW.stopped_by_id IS NULL THEN
        PERFORM cw_refuse('An experiment is stopped with its moment and who stopped it.');
    END IF;
    IF NEW.stopped_at NOT BETWEEN now() - {SKEW} AND now() + {SKEW} THEN
        PERFORM cw_refuse('An experiment is stopped now, not at another moment.');
    END IF;
    IF (NEW.id, NEW.name, NEW.team_id, NEW.starts_on, NEW.champion_share,
        NEW.challenger_share, NEW.holdout_share, NEW.challenger_weights, NEW.assignment_key,
        NEW.created_by_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.name, OLD.team_id, OLD.starts_on, OLD.champion_share,
        OLD.challenger_share, OLD.holdout_share, OLD.challenger_weights, OLD.assignment_key,
        OLD.created_by_id, OLD.created_at) THEN
        PERFORM cw_refuse('An experiment is only ever stopped; its definition stays.');
    END IF;
    RETURN NEW;
END
"""

ASSIGNMENT_FIXED = """
BEGIN
    PERFORM cw_refuse('An account''s arm in an experiment is recorded once and never changed.');
    RETURN NULL;
END
"""

TRIGGERS = {
    "experiments_guard": ("experiments", "BEFORE UPDATE", EXPERIMENT_GUARD),
    "experiment_assignments_fixed": (
        "experiment_assignments",
        "BEFORE UPDATE OR DELETE",
        ASSIGNMENT_FIXED,
    ),
}


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("champion_share", sa.Integer(), nullable=False),
        sa.Column("challenger_share", sa.Integer(), nullable=False),
        sa.Column("holdout_share", sa.Integer(), nullable=False),
        sa.Column("challenger_weights", sa.Text(), nullable=False),
        sa.Column("assignment_key", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("stopped_at", UTC, nullable=True),
        sa.Column("stopped_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_experiments_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["stopped_by_id"], ["users.id"], name=op.f("fk_experiments_stopped_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_experiments_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("name", name=op.f("uq_experiments_name")),
    )
    op.create_index("ix_experiments_team_starts", "experiments", ["team_id", "starts_on"])
    op.create_table(
        "experiment_assignments",
        sa.Column("experiment_id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("arm", sa.String(length=12), nullable=False),
        sa.Column("assigned_at", UTC, nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("overdue", app.models.types.Money(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_assignments_experiment_id_experiments"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_experiment_assignments_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("experiment_id", "loan_id", name=op.f("pk_experiment_assignments")),
    )
    op.create_index("ix_experiment_assignments_loan", "experiment_assignments", ["loan_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policies in POLICIES.items():
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {STAFF}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for command, (using, check) in policies.items():
            clauses = ""
            if using is not None:
                clauses += f" USING ({using})"
            if check is not None:
                clauses += f" WITH CHECK ({check})"
            op.execute(
                f"CREATE POLICY {table}_{command} ON {table} FOR {command.upper()} "
                f"TO {STAFF}{clauses}"
            )
    op.execute(f"GRANT UPDATE (stopped_at, stopped_by_id) ON experiments TO {STAFF}")
    for name, (table, timing, body) in TRIGGERS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION {name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _timing, _body) in TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_experiment_assignments_loan", table_name="experiment_assignments")
    op.drop_table("experiment_assignments")
    op.drop_index("ix_experiments_team_starts", table_name="experiments")
    op.drop_table("experiments")
