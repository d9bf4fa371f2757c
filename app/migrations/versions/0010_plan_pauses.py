"""pauses stop plans: a team lead's leave to plan despite a pause, and the server's refusal

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 09:00:00.000000

Issue 15 (docs/domain.md §7). A new synced table, `plan_pause_overrides`: a team lead's decision
that repayment plans may go ahead on an account whose collection is paused (who, when, why, and
the borrower marks and open escalations it covers). Written once, never changed.

On PostgreSQL the table gets the owner and row-level security of 0004-0006: anyone who sees the
account reads it; only a lead of the account's team writes one, in their own name, with a
reason, dated when it is made, never past a mark `pause_override_excludes` names (a reported
death). `cw_plan_pause(loan)` says whether the account's pause stops plans (its marks, its
escalations still open, a lead's decision still in force that covers them all), in the words
the workstation uses, and 0007's plan guard is redefined to refuse, on a paused account, a
plan made in an open status and every step to pending approval, approved or issued. The
server's copy of `plan_policy.json` gains the two pause settings, and `flags.json` (the marks'
names) joins `server_policy`.
"""

import importlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0007's plan guard, which this revision extends (and gives back on downgrade), and its names.
SERVER_AUTHORITY = importlib.import_module("app.migrations.versions.0007_server_authority")
OWNER = "cw_owner"
STAFF = "cw_staff"
TABLE = "plan_pause_overrides"
BORROWER_MARKS: tuple[str, ...] = SERVER_AUTHORITY.BORROWER_MARKS
# server_policy key -> resources file, loaded again here (central init loads them too).
POLICY_FILES = {"plan": "plan_policy.json", "flags": "flags.json"}
ON_VISIBLE_LOAN = "loan_id IN (SELECT id FROM loans)"
POLICIES = {
    "SELECT": (ON_VISIBLE_LOAN, None),
    "INSERT": (
        None,
        f"{ON_VISIBLE_LOAN} AND (SELECT cw_is_lead()) AND granted_by_id = (SELECT cw_me())",
    ),
}

# Whether the account's pause stops plans: NULL when it does not (not paused, or a lead's
# decision still in force covers every mark set and every escalation open), else the refusal,
# worded as app.services.plans.pauses words it.
PLAN_PAUSE = """
DECLARE
    limits jsonb := (SELECT value FROM server_policy WHERE key = 'plan');
    labels jsonb := (SELECT value -> 'borrower' FROM server_policy WHERE key = 'flags');
    kinds jsonb := (SELECT value -> 'kinds' FROM server_policy WHERE key = 'escalations');
    loan loans%ROWTYPE;
    b borrowers%ROWTYPE;
    marks text[];
    waiting text[];
    names text;
BEGIN
    SELECT * INTO loan FROM loans WHERE id = account;
    IF NOT FOUND THEN
        RETURN NULL;  -- not the user's account: row security refuses what they write on it
    END IF;
    SELECT * INTO b FROM borrowers WHERE id = loan.borrower_id;
    marks := array_remove(ARRAY[@MARKS@]::text[], NULL);
    waiting := ARRAY(SELECT e.id::text FROM escalations e
                      WHERE e.loan_id = account AND e.decided_at IS NULL);
    IF cardinality(marks) = 0 AND cardinality(waiting) = 0 THEN
        RETURN NULL;
    END IF;
    IF NOT (marks && ARRAY(SELECT jsonb_array_elements_text(
                               coalesce(limits -> 'pause_override_excludes', '["deceased"]'))))
       AND EXISTS (SELECT 1 FROM plan_pause_overrides o
                    WHERE o.loan_id = account
                      AND now() < o.granted_at + make_interval(days =>
                          coalesce((limits ->> 'pause_override_days')::integer, 14))
                      AND o.flags::jsonb @> to_jsonb(marks)
                      AND o.escalation_ids::jsonb @> to_jsonb(waiting)) THEN
        RETURN NULL;
    END IF;
    names := concat_ws('; ',
        (SELECT string_agg(coalesce(labels -> m ->> 'en', m), '; ' ORDER BY n)
           FROM unnest(marks) WITH ORDINALITY AS t(m, n)),
        (SELECT string_agg(k ->> 'en', '; ' ORDER BY n)
           FROM jsonb_array_elements(kinds) WITH ORDINALITY AS t(k, n)
          WHERE EXISTS (SELECT 1 FROM escalations e WHERE e.loan_id = account
                         AND e.decided_at IS NULL AND e.kind = k ->> 'kind')));
    RETURN 'Collection on account ' || loan.contract_no || ' is paused (' || names
        || '): no plan can be offered, approved or issued unless a team lead allows it.';
END
""".replace(
    "@MARKS@", ", ".join(f"CASE WHEN b.{mark} THEN '{mark}' END" for mark in BORROWER_MARKS)
)

# A lead's decision: by a lead, in their own name, saying why, dated when it is made, naming
# only marks the workstation knows and never one no decision lets a plan past.
OVERRIDE_GUARD = """
DECLARE
    excluded jsonb := coalesce((SELECT value -> 'pause_override_excludes' FROM server_policy
                                WHERE key = 'plan'), '["deceased"]');
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF cw_my_role() IS DISTINCT FROM 'team_lead' THEN
        PERFORM cw_refuse('Only a team lead lets a plan go ahead despite a pause.');
    END IF;
    IF NEW.granted_by_id IS DISTINCT FROM cw_me() THEN
        PERFORM cw_refuse('A lead lets a plan go ahead despite a pause in their own name.');
    END IF;
    IF coalesce(btrim(NEW.reason), '') = '' THEN
        PERFORM cw_refuse('A lead says why a plan may go ahead despite the pause.');
    END IF;
    IF NEW.granted_at > now() + interval '1 hour' OR NEW.granted_at < now() - interval '90 days'
    THEN
        PERFORM cw_refuse('A lead''s leave to plan despite a pause is dated when it is given.');
    END IF;
    IF json_typeof(NEW.flags) IS DISTINCT FROM 'array'
       OR json_typeof(NEW.escalation_ids) IS DISTINCT FROM 'array'
       OR EXISTS (SELECT 1 FROM json_array_elements_text(NEW.flags) AS f(mark)
                   WHERE f.mark NOT IN (@MARKS@)) THEN
        PERFORM cw_refuse('A lead''s leave names the marks and escalations it covers.');
    END IF;
    IF NEW.flags::jsonb ?| ARRAY(SELECT jsonb_array_elements_text(excluded))
       OR EXISTS (SELECT 1 FROM escalations e
                    JOIN server_policy p ON p.key = 'escalations'
                    CROSS JOIN jsonb_array_elements(p.value -> 'kinds') AS k
                   WHERE e.id::text IN (SELECT json_array_elements_text(NEW.escalation_ids))
                     AND k ->> 'kind' = e.kind AND excluded ? (k ->> 'pause_flag')) THEN
        PERFORM cw_refuse('No lead lets a plan go ahead past this pause (a reported death).');
    END IF;
    RETURN NEW;
END
""".replace("@MARKS@", ", ".join(f"'{mark}'" for mark in BORROWER_MARKS))

# The plan guard of 0007, and the same refusing plans on a paused account: a plan made in an
# open status, or moved to pending approval, approved or issued. Checked last, so a step out
# of order or a decision that is not the lead's is refused as such first.
GUARD_0007: str = SERVER_AUTHORITY._plan_sql(SERVER_AUTHORITY.PLAN_GUARD)
PAUSE_CHECK = """
    -- Pauses stop plans too (0010).
    IF (TG_OP = 'INSERT' AND NEW.status IN (@OPEN@))
       OR (TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
           AND NEW.status IN ('pending_approval', 'approved', 'issued')) THEN
        paused := cw_plan_pause(NEW.loan_id);
        IF paused IS NOT NULL THEN
            PERFORM cw_refuse(paused);
        END IF;
    END IF;""".replace("@OPEN@", ", ".join(f"'{s}'" for s in SERVER_AUTHORITY.PLAN_OPEN))


def _guard() -> str:
    declared = "DECLARE\n    me uuid;\n"
    body, end, tail = GUARD_0007.rpartition("\n    RETURN NEW;\nEND")
    if declared not in GUARD_0007 or not end:
        raise RuntimeError("0007's plan guard is not the one 0010 extends")
    body = body.replace(declared, f"{declared}    paused text;\n", 1)
    return body + PAUSE_CHECK + end + tail


def upgrade() -> None:
    instant = app.models.types.UTCDateTime(timezone=True)
    op.create_table(
        TABLE,
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("granted_by_id", sa.Uuid(), nullable=False),
        sa.Column("granted_at", instant, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("escalation_ids", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f(f"fk_{TABLE}_loan_id_loans")),
        sa.ForeignKeyConstraint(
            ["granted_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_granted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(f"ix_{TABLE}_loan_granted", TABLE, ["loan_id", "granted_at"])
    op.create_index(f"ix_{TABLE}_changed_tx", TABLE, ["changed_tx"])
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    op.execute(
        f"CREATE TRIGGER {TABLE}_stamp_change BEFORE INSERT OR UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
    )
    op.execute(f"ALTER TABLE {TABLE} OWNER TO {OWNER}")
    op.execute(f"REVOKE ALL ON {TABLE} FROM PUBLIC")
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT, INSERT ON {TABLE} TO {STAFF}")
    for command, (using, check) in POLICIES.items():
        clauses = f" USING ({using})" if using else ""
        clauses += f" WITH CHECK ({check})" if check else ""
        op.execute(
            f"CREATE POLICY {TABLE}_{command.lower()} ON {TABLE} FOR {command} TO {STAFF}{clauses}"
        )
    for key, name in POLICY_FILES.items():
        value = json.loads((SERVER_AUTHORITY.RESOURCES / name).read_text(encoding="utf-8"))
        op.get_bind().execute(
            sa.text(
                "INSERT INTO server_policy (key, value) VALUES (:key, CAST(:value AS jsonb)) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, loaded_at = now()"
            ),
            {"key": key, "value": json.dumps(value, ensure_ascii=False)},
        )
    op.execute(
        "CREATE FUNCTION cw_plan_pause(account uuid) RETURNS text LANGUAGE plpgsql STABLE "
        f"SET search_path = public AS $$ {PLAN_PAUSE} $$"
    )
    op.execute(f"ALTER FUNCTION cw_plan_pause(uuid) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_plan_pause(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_plan_pause(uuid) TO {STAFF}")
    op.execute(
        f"CREATE FUNCTION cw_{TABLE}_guard() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {OVERRIDE_GUARD} $$"
    )
    op.execute(f"ALTER FUNCTION cw_{TABLE}_guard() OWNER TO {OWNER}")
    op.execute(
        f"CREATE TRIGGER {TABLE}_guard BEFORE INSERT ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION cw_{TABLE}_guard()"
    )
    _plan_guard(_guard())


def _plan_guard(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_repayment_plans_guard() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {body} $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _plan_guard(GUARD_0007)
        op.execute("DROP FUNCTION IF EXISTS cw_plan_pause(uuid)")
        op.execute("DELETE FROM server_policy WHERE key = 'flags'")
    op.drop_table(TABLE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS cw_{TABLE}_guard()")
