"""stored scorecards and each team's choice of one

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08 02:30:00.000000

Issue 21, item 4. `scorecards` holds each scorecard an administrator uploads (the document, its
SHA-256, its training window and out-of-time figures), numbered in order; `scorecard_choices`
is each team's log of the version its queue scores with and whether scoring is on. Both are
synced reference data (`changed_tx`): a pull brings them whole, not by account.

On PostgreSQL the server holds the staff logins to it (docs/security.md rules
`scorecard-stored`, `scorecard-choice`, `scorecard-read`):

- no staff login stores a scorecard; nobody, the administrator's own connection included,
  changes or deletes a stored one (trigger `scorecards_fixed`); a stored document's SHA-256 is
  its own and its version comes after every other (trigger `scorecards_check`);
- only a lead of the team records a step of its log, in their own name, dated now; nobody
  changes or deletes a step (triggers `scorecard_choices_check`, `scorecard_choices_fixed`);
- a lead reads every stored scorecard (to choose one); any other login only the one its team's
  latest step names; a login reads its own team's steps only.

The sync functions are made again by 0032's generator, with these two tables.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = app.models.types.UTCDateTime(timezone=True)
STAFF = "cw_staff"
OWNER = "cw_owner"
ME = "(SELECT cw_me())"
TEAM = "(SELECT cw_my_team())"
LEAD = "(SELECT cw_is_lead())"
SKEW = "interval '10 minutes'"
# The scorecard a team's queue scores with: the one its latest step names.
TEAM_CARD = (
    "(SELECT c.scorecard_id FROM scorecard_choices c WHERE c.team_id = {team}"
    " ORDER BY c.chosen_at DESC, c.id DESC LIMIT 1)"
)

POLICIES: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "scorecards": {
        "select": (f"{LEAD} OR id = {TEAM_CARD.format(team=TEAM)}", None),
    },
    "scorecard_choices": {
        "select": (f"team_id = {TEAM}", None),
        "insert": (None, f"{LEAD} AND team_id = {TEAM} AND chosen_by_id = {ME}"),
    },
}
GRANTS = {"scorecards": "SELECT", "scorecard_choices": "SELECT, INSERT"}

FIXED = """
BEGIN
    PERFORM cw_refuse('{message}');
    RETURN NULL;
END
"""

SCORECARD_CHECK = f"""
BEGIN
    IF NEW.sha256 IS DISTINCT FROM encode(sha256(convert_to(NEW.document, 'UTF8')), 'hex') THEN
        PERFORM cw_refuse('A stored scorecard''s SHA-256 is that of its document.');
    END IF;
    IF EXISTS (SELECT 1 FROM scorecards s WHERE s.version >= NEW.version) THEN
        PERFORM cw_refuse('A scorecard''s version comes after every stored one.');
    END IF;
    IF NEW.created_at NOT BETWEEN now() - {SKEW} AND now() + {SKEW} THEN
        PERFORM cw_refuse('A scorecard is stored now, not at another moment.');
    END IF;
    RETURN NEW;
END
"""

CHOICE_CHECK = f"""
BEGIN
    IF NEW.chosen_at NOT BETWEEN now() - {SKEW} AND now() + {SKEW} THEN
        PERFORM cw_refuse('A team''s scorecard is chosen now, not at another moment.');
    END IF;
    RETURN NEW;
END
"""

TRIGGERS = {
    "scorecards_fixed": (
        "scorecards",
        "BEFORE UPDATE OR DELETE",
        FIXED.format(message="A stored scorecard is never changed or deleted."),
    ),
    "scorecards_check": ("scorecards", "BEFORE INSERT", SCORECARD_CHECK),
    "scorecard_choices_fixed": (
        "scorecard_choices",
        "BEFORE UPDATE OR DELETE",
        FIXED.format(message="A step of a team''s scorecard log is never changed or deleted."),
    ),
    "scorecard_choices_check": ("scorecard_choices", "BEFORE INSERT", CHOICE_CHECK),
}


def _sibling(name: str) -> ModuleType:
    """Another migration of this folder, loaded for its generators."""
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(f"cw_migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.create_table(
        "scorecards",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("trained_until", sa.Date(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("oot_auc", sa.Float(), nullable=True),
        sa.Column("oot_calibration_error", sa.Float(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_scorecards_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecards")),
        sa.UniqueConstraint("sha256", name=op.f("uq_scorecards_sha256")),
        sa.UniqueConstraint("version", name=op.f("uq_scorecards_version")),
    )
    op.create_index(op.f("ix_scorecards_changed_tx"), "scorecards", ["changed_tx"])
    op.create_table(
        "scorecard_choices",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("scorecard_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("chosen_by_id", sa.Uuid(), nullable=True),
        sa.Column("chosen_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"], ["users.id"], name=op.f("fk_scorecard_choices_chosen_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_choices_scorecard_id_scorecards"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_scorecard_choices_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_choices")),
    )
    op.create_index(op.f("ix_scorecard_choices_changed_tx"), "scorecard_choices", ["changed_tx"])
    op.create_index(
        "ix_scorecard_choices_team_chosen", "scorecard_choices", ["team_id", "chosen_at"]
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policies in POLICIES.items():
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT {GRANTS[table]} ON {table} TO {STAFF}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for command, (using, check) in policies.items():
            clauses = (f" USING ({using})" if using else "") + (
                f" WITH CHECK ({check})" if check else ""
            )
            op.execute(
                f"CREATE POLICY {table}_{command} ON {table} FOR {command.upper()} "
                f"TO {STAFF}{clauses}"
            )
        # The administrator's own connection (cw_owner's tables: row security forced).
        op.execute(
            f"CREATE POLICY {table}_owner ON {table} FOR ALL TO {OWNER} USING (true) "
            "WITH CHECK (true)"
        )
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
        )
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
    _sibling("0032_attachments.py")._sync_functions(with_new=True)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # The scorecards' policy reads the choices.
        op.execute("DROP POLICY IF EXISTS scorecards_select ON scorecards")
    op.drop_index("ix_scorecard_choices_team_chosen", table_name="scorecard_choices")
    op.drop_index(op.f("ix_scorecard_choices_changed_tx"), table_name="scorecard_choices")
    op.drop_table("scorecard_choices")
    op.drop_index(op.f("ix_scorecards_changed_tx"), table_name="scorecards")
    op.drop_table("scorecards")
    if postgres:
        for name in TRIGGERS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        # The sync functions without the two tables.
        _sibling("0032_attachments.py")._sync_functions(with_new=True)
