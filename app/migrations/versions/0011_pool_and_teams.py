"""a team's pool: accounts nobody is assigned to, seen and allocated by the team's lead

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 09:00:00.000000

Issue 16. A loan carries the team whose account it is (`team_id`): the import (and the feed)
set it, from the assignee's team or, for a new account with no assignee, from the team named
for it. An account nobody is assigned to waits in that team's pool until its lead allocates it.
Existing loans take their assignee's team.

On PostgreSQL a lead of the team sees the pool's accounts (and so their borrowers, numbers and
history, whose policies ask the loans policy) and may move them to an active member of the
team: the loans policies gain the pool, and the update's WITH CHECK still keeps the new
assignee in the lead's team (0006), the assignee trigger an active member (0007). Nobody else
sees a pool; no staff login writes `team_id` (no column privilege), so no lead draws another
team's account into their pool, and nobody returns an account to a pool (the assignee trigger
refuses an empty assignee).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0006's loans_select and 0005's loans_update (each user function asked once per statement).
MINE_OR_TEAMS = (
    "(assigned_to_id = (SELECT cw_me()) OR ((SELECT cw_is_lead()) AND assigned_to_id IN "
    "(SELECT id FROM users WHERE team_id = (SELECT cw_my_team()))))"
)
LOANS_SELECT_0006 = (
    "((assigned_to_id = (SELECT cw_me()) OR ((SELECT cw_is_lead()) AND assigned_to_id IN "
    "(SELECT id FROM users WHERE team_id = (SELECT cw_my_team()))) "
    "OR id IN (SELECT cw_my_visit_loans())) OR (previous_assignee_id = (SELECT cw_me()) "
    "AND assigned_at > now() - interval '7 days'))"
)
# The pool of the signed-in lead's team.
POOL = "(assigned_to_id IS NULL AND (SELECT cw_is_lead()) AND team_id = (SELECT cw_my_team()))"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # In place, with its reference (see 0006 on why no batch rebuild).
        op.execute(
            "ALTER TABLE loans ADD COLUMN team_id CHAR(32) "
            "CONSTRAINT fk_loans_team_id_teams REFERENCES teams (id)"
        )
    else:
        op.add_column("loans", sa.Column("team_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(op.f("fk_loans_team_id_teams"), "loans", "teams", ["team_id"], ["id"])
    op.create_index("ix_loans_team_assigned", "loans", ["team_id", "assigned_to_id"])
    # Every account so far is its assignee's team's.
    op.execute(
        "UPDATE loans SET team_id = (SELECT users.team_id FROM users "
        "WHERE users.id = loans.assigned_to_id) WHERE assigned_to_id IS NOT NULL"
    )
    if dialect != "postgresql":
        return
    op.execute(f"ALTER POLICY loans_select ON loans USING ({LOANS_SELECT_0006} OR {POOL})")
    op.execute(
        f"ALTER POLICY loans_update ON loans USING ({MINE_OR_TEAMS} OR {POOL}) "
        f"WITH CHECK {MINE_OR_TEAMS}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER POLICY loans_select ON loans USING {LOANS_SELECT_0006}")
        op.execute(
            f"ALTER POLICY loans_update ON loans USING {MINE_OR_TEAMS} WITH CHECK {MINE_OR_TEAMS}"
        )
    op.drop_index("ix_loans_team_assigned", table_name="loans")
    op.drop_column("loans", "team_id")
