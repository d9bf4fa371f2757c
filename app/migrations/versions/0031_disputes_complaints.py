"""disputes and complaints as cases: a kind, a deadline, a lead's decision or reply

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-12 09:00:00.000000

Issue 20. A dispute (the DSP outcome) opens a case (`dispute_cases`): what the borrower
disputes, the day the lender must answer by (working days of the lender's calendar, counted
from the contact's business day) and a team lead's decision, upheld (the correction the
lending system is expected to send) or rejected (with reasons). A complaint (`complaints`)
is logged with its channel, category and the collector concerned, with the regulator's
deadline for a regulator's referral and the lender's otherwise, and closed by a lead's reply.

The server holds every staff login to the same (triggers `dispute_cases_guard`,
`complaints_guard`, in words):

- a case is opened in the signed-in user's name (policies), undecided; a dispute from a DSP
  contact of the account (the user's own, or any for a lead), one case a contact; a kind,
  channel and category the policy knows (server_policy `cases`);
- its deadline is the server's own count (`cw_case_deadline` over server_policy `calendar`,
  both loaded by `central init`): a collector cannot move it;
- only a lead of the account's team decides a dispute or replies to a complaint, once, in
  their own name, dated now; a rejection says why, an upheld dispute what correction is
  expected, a reply what was answered. Nobody changes a decision or a reply, nobody deletes a
  case.

Both tables are synced account tables: stamped (`cw_stamp_change`), marked for pulls
(`cw_sync_mark_loan`, migration 0027) and known to the sync functions (0023's push, 0027's
reads), which this revision makes again with the two tables added. PostgreSQL only past the
tables; SQLite gets the tables.
"""

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
HERE = Path(__file__).resolve().parent
RESOURCES = HERE.parents[2] / "resources"
TABLES = ("dispute_cases", "complaints")
SEEN = "EXISTS (SELECT 1 FROM loans WHERE loans.id = {table}.loan_id)"
# Staff's privileges: what each table's lead may write once the case is open.
UPDATABLE = {
    "dispute_cases": ("decision", "decided_by_id", "decided_at", "reasons", "correction"),
    "complaints": ("reply", "replied_by_id", "replied_at"),
}
WHO = {"dispute_cases": "opened_by_id", "complaints": "logged_by_id"}
SKEW = "interval '10 minutes'"
ZONE = (
    "coalesce((SELECT value ->> 'business_zone' FROM server_policy WHERE key = 'collection'), "
    "'Asia/Shanghai')"
)


def _copy(name: str) -> ModuleType:
    """A private copy of an earlier revision's module, whose table lists may be extended here
    without touching the one Alembic runs."""
    path = next(HERE.glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"_cw_0031_copy_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _policy() -> dict[str, object]:
    """What central init loads (app.services.sync.central.load_server_policy): the cases'
    policy and the lender's calendar."""
    cases = json.loads((RESOURCES / "cases.json").read_text(encoding="utf-8"))
    calendar_file = RESOURCES / "calendars" / f"{cases['calendar']}.json"
    return {"cases": cases, "calendar": json.loads(calendar_file.read_text(encoding="utf-8"))}


# Whether a day is a working day of the lender's calendar (server_policy `calendar`): a
# working weekend day is, a weekend day or a public holiday is not.
WORKING_DAY = """
DECLARE
    cal jsonb := (SELECT value FROM server_policy WHERE key = 'calendar');
BEGIN
    IF EXISTS (SELECT 1 FROM jsonb_each(cal -> 'years') y,
               jsonb_array_elements_text(y.value -> 'working_weekend_days') w
               WHERE w::date = d) THEN
        RETURN true;
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements_text(cal -> 'weekend') w
               WHERE array_position(ARRAY['monday', 'tuesday', 'wednesday', 'thursday',
                     'friday', 'saturday', 'sunday'], w) = extract(isodow FROM d)) THEN
        RETURN false;
    END IF;
    RETURN NOT EXISTS (SELECT 1 FROM jsonb_each(cal -> 'years') y,
                       jsonb_array_elements(y.value -> 'holidays') h
                       WHERE d BETWEEN (h ->> 'from')::date AND (h ->> 'to')::date);
END
"""

# A deadline ({"days", "counting"}) from a day, as app.services.common.calendar counts it:
# calendar days, or the n-th working day after the day (0: the day, or the next working one).
DEADLINE = """
DECLARE
    days integer := (spec ->> 'days')::integer;
    d date := start;
    counted integer := 0;
BEGIN
    IF days IS NULL OR days < 0 OR days > 366 THEN
        RETURN NULL;
    END IF;
    IF spec ->> 'counting' = 'calendar' THEN
        RETURN start + days;
    END IF;
    WHILE counted < days OR NOT cw_is_working_day(d) LOOP
        d := d + 1;
        IF cw_is_working_day(d) THEN
            counted := counted + 1;
        END IF;
    END LOOP;
    RETURN d;
END
"""

DISPUTE_GUARD = f"""
DECLARE
    me uuid;
    policy jsonb := (SELECT value FROM server_policy WHERE key = 'cases');
    raised timestamptz;
    owner uuid;
    outcome text;
    account uuid;
    person uuid;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;  -- an administrator's connection
    END IF;
    me := cw_me();
    IF me IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF policy IS NULL THEN
            PERFORM cw_refuse('The server has no case policy: an administrator runs central init.');
        END IF;
        IF NEW.decision IS NOT NULL OR NEW.decided_by_id IS NOT NULL
           OR NEW.decided_at IS NOT NULL OR NEW.reasons IS NOT NULL
           OR NEW.correction IS NOT NULL THEN
            PERFORM cw_refuse('A dispute is opened undecided: only a team lead decides it.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(policy -> 'disputes' -> 'kinds') k
                       WHERE k ->> 'code' = NEW.kind) THEN
            PERFORM cw_refuse('Unknown dispute kind ' || coalesce(NEW.kind, '') || '.');
        END IF;
        IF btrim(coalesce(NEW.claim, '')) = '' THEN
            PERFORM cw_refuse('A dispute says what the borrower disputes.');
        END IF;
        IF NEW.claimed_amount IS NOT NULL AND NEW.claimed_amount <= 0 THEN
            PERFORM cw_refuse('An amount claimed paid is more than zero.');
        END IF;
        SELECT a.started_at, a.user_id, a.disposition, a.loan_id, a.borrower_id
          INTO raised, owner, outcome, account, person
          FROM contact_attempts a WHERE a.id = NEW.attempt_id;
        IF outcome IS DISTINCT FROM 'DSP' OR account IS DISTINCT FROM NEW.loan_id
           OR person IS DISTINCT FROM NEW.borrower_id
           OR (owner IS DISTINCT FROM me AND NOT cw_is_lead()) THEN
            PERFORM cw_refuse('A dispute is opened from a contact of the account whose outcome '
                || 'was a dispute (DSP): the user''s own, or any for a team lead.');
        END IF;
        IF NEW.opened_at IS NULL OR NEW.opened_at > now() + {SKEW}
           OR NEW.opened_at < now() - interval '14 days' OR NEW.opened_at < raised - {SKEW} THEN
            PERFORM cw_refuse('A dispute is dated when it is opened, after its contact (up to '
                || '14 days before it reaches the server, for one opened offline).');
        END IF;
        IF NEW.due_on IS DISTINCT FROM cw_case_deadline(
               (raised AT TIME ZONE {ZONE})::date, policy -> 'disputes' -> 'answer') THEN
            PERFORM cw_refuse('A dispute''s deadline is the lender''s policy counted in working '
                || 'days from the day it was raised, as the server counts it.');
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.decision IS NOT NULL THEN
        PERFORM cw_refuse('This dispute was already decided: a decision is not changed.');
    END IF;
    IF NOT cw_is_lead() THEN
        PERFORM cw_refuse('Only a team lead decides a dispute.');
    END IF;
    IF NEW.decision IS NULL OR NEW.decision NOT IN ('upheld', 'rejected') THEN
        PERFORM cw_refuse('A dispute is decided upheld or rejected.');
    END IF;
    IF NEW.decided_by_id IS DISTINCT FROM me OR NEW.decided_at IS NULL
       OR NEW.decided_at < now() - {SKEW} OR NEW.decided_at > now() + {SKEW} THEN
        PERFORM cw_refuse('A dispute is decided in the signed-in lead''s name, dated now.');
    END IF;
    IF NEW.decision = 'rejected' AND btrim(coalesce(NEW.reasons, '')) = '' THEN
        PERFORM cw_refuse('A rejected dispute says why.');
    END IF;
    IF NEW.decision = 'upheld' AND btrim(coalesce(NEW.correction, '')) = '' THEN
        PERFORM cw_refuse('An upheld dispute says what correction the lending system is '
            || 'expected to make.');
    END IF;
    RETURN NEW;
END
"""

COMPLAINT_GUARD = f"""
DECLARE
    me uuid;
    policy jsonb := (SELECT value FROM server_policy WHERE key = 'cases');
    regulator boolean;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;  -- an administrator's connection
    END IF;
    me := cw_me();
    IF me IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF policy IS NULL THEN
            PERFORM cw_refuse('The server has no case policy: an administrator runs central init.');
        END IF;
        IF NEW.reply IS NOT NULL OR NEW.replied_by_id IS NOT NULL
           OR NEW.replied_at IS NOT NULL THEN
            PERFORM cw_refuse('A complaint is logged unanswered: only a team lead replies.');
        END IF;
        SELECT (c ->> 'regulator')::boolean INTO regulator
          FROM jsonb_array_elements(policy -> 'complaints' -> 'channels') c
         WHERE c ->> 'code' = NEW.channel;
        IF regulator IS NULL THEN
            PERFORM cw_refuse('Unknown complaint channel ' || coalesce(NEW.channel, '') || '.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(policy -> 'complaints' -> 'categories') c
                       WHERE c ->> 'code' = NEW.category) THEN
            PERFORM cw_refuse('Unknown complaint category ' || coalesce(NEW.category, '') || '.');
        END IF;
        IF btrim(coalesce(NEW.summary, '')) = '' THEN
            PERFORM cw_refuse('A complaint says what the borrower complains of.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM loans l WHERE l.id = NEW.loan_id
                       AND l.borrower_id = NEW.borrower_id) THEN
            PERFORM cw_refuse('A complaint is logged on the account''s own borrower.');
        END IF;
        IF NEW.received_at IS NULL OR NEW.received_at > now() + {SKEW}
           OR NEW.received_at < now() - interval '90 days' THEN
            PERFORM cw_refuse('A complaint was received in the last 90 days, not later than now.');
        END IF;
        IF NEW.logged_at IS NULL OR NEW.logged_at > now() + {SKEW}
           OR NEW.logged_at < now() - interval '14 days' OR NEW.logged_at < NEW.received_at THEN
            PERFORM cw_refuse('A complaint is dated when it is logged, after it was received.');
        END IF;
        IF NEW.due_on IS DISTINCT FROM cw_case_deadline(
               (NEW.received_at AT TIME ZONE {ZONE})::date,
               policy -> 'complaints' -> CASE WHEN regulator THEN 'regulator_reply'
                                              ELSE 'lender_reply' END) THEN
            PERFORM cw_refuse('A complaint''s deadline is the regulator''s for a regulator''s '
                || 'referral and the lender''s otherwise, counted from the day it was received, '
                || 'as the server counts it.');
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.reply IS NOT NULL THEN
        PERFORM cw_refuse('This complaint was already answered: a reply is not changed.');
    END IF;
    IF NOT cw_is_lead() THEN
        PERFORM cw_refuse('Only a team lead replies to a complaint.');
    END IF;
    IF btrim(coalesce(NEW.reply, '')) = '' THEN
        PERFORM cw_refuse('A reply says what the borrower was answered.');
    END IF;
    IF NEW.replied_by_id IS DISTINCT FROM me OR NEW.replied_at IS NULL
       OR NEW.replied_at < now() - {SKEW} OR NEW.replied_at > now() + {SKEW} THEN
        PERFORM cw_refuse('A reply is recorded in the signed-in lead''s name, dated now.');
    END IF;
    RETURN NEW;
END
"""

GUARDS = {"dispute_cases": DISPUTE_GUARD, "complaints": COMPLAINT_GUARD}
FUNCTIONS = {
    "cw_is_working_day(date)": (
        "cw_is_working_day(d date) RETURNS boolean LANGUAGE plpgsql STABLE",
        WORKING_DAY,
    ),
    "cw_case_deadline(date, jsonb)": (
        "cw_case_deadline(start date, spec jsonb) RETURNS date LANGUAGE plpgsql STABLE",
        DEADLINE,
    ),
}


def _tables() -> None:
    instant = app.models.types.UTCDateTime(timezone=True)
    money = app.models.types.Money()

    def common() -> list[sa.Column[object]]:
        return [
            sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
            sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        ]

    op.create_table(
        "dispute_cases",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("claim", sa.String(length=2000), nullable=False),
        sa.Column("claimed_amount", money, nullable=True),
        sa.Column("claimed_paid_on", sa.Date(), nullable=True),
        sa.Column("claimed_reference", sa.String(length=64), nullable=True),
        sa.Column("opened_by_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", instant, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", instant, nullable=True),
        sa.Column("reasons", sa.String(length=2000), nullable=True),
        sa.Column("correction", sa.String(length=2000), nullable=True),
        *common(),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_dispute_cases_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_dispute_cases_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["contact_attempts.id"],
            name=op.f("fk_dispute_cases_attempt_id_contact_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_dispute_cases_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_dispute_cases_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_cases")),
    )
    op.create_index("ix_dispute_cases_loan_opened", "dispute_cases", ["loan_id", "opened_at"])
    op.create_index("ix_dispute_cases_attempt", "dispute_cases", ["attempt_id"], unique=True)
    op.create_index("ix_dispute_cases_changed_tx", "dispute_cases", ["changed_tx"])
    op.create_table(
        "complaints",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("collector_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.String(length=2000), nullable=False),
        sa.Column("received_at", instant, nullable=False),
        sa.Column("logged_by_id", sa.Uuid(), nullable=False),
        sa.Column("logged_at", instant, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reply", sa.String(length=2000), nullable=True),
        sa.Column("replied_by_id", sa.Uuid(), nullable=True),
        sa.Column("replied_at", instant, nullable=True),
        *common(),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_complaints_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_complaints_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["users.id"], name=op.f("fk_complaints_collector_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"], ["users.id"], name=op.f("fk_complaints_logged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["replied_by_id"], ["users.id"], name=op.f("fk_complaints_replied_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index("ix_complaints_loan_received", "complaints", ["loan_id", "received_at"])
    op.create_index("ix_complaints_collector", "complaints", ["collector_id", "received_at"])
    op.create_index("ix_complaints_changed_tx", "complaints", ["changed_tx"])


def _load_policy() -> None:
    for key, value in _policy().items():
        op.get_bind().execute(
            sa.text(
                "INSERT INTO server_policy (key, value) VALUES (:key, CAST(:value AS jsonb)) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, loaded_at = now()"
            ),
            {"key": key, "value": json.dumps(value, ensure_ascii=False)},
        )


def _secure() -> None:
    for signature, (head, body) in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {head} SET search_path = public AS $$ {body} $$")
        op.execute(f"ALTER FUNCTION {signature} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {STAFF}")
    for table in TABLES:
        seen = SEEN.format(table=table)
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
        )
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {STAFF}")
        columns = ", ".join((*UPDATABLE[table], "row_version"))
        op.execute(f"GRANT UPDATE ({columns}) ON {table} TO {STAFF}")
        op.execute(f"CREATE POLICY {table}_select ON {table} FOR SELECT TO {STAFF} USING ({seen})")
        op.execute(
            f"CREATE POLICY {table}_insert ON {table} FOR INSERT TO {STAFF} "
            f"WITH CHECK ({seen} AND {WHO[table]} = (SELECT cw_me()))"
        )
        op.execute(
            f"CREATE POLICY {table}_update ON {table} FOR UPDATE TO {STAFF} "
            f"USING ({seen}) WITH CHECK ({seen})"
        )
        op.execute(
            f"CREATE FUNCTION cw_{table}_guard() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {GUARDS[table]} $$"
        )
        op.execute(f"ALTER FUNCTION cw_{table}_guard() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION cw_{table}_guard() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION cw_{table}_guard()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_sync_mark AFTER INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_sync_mark_loan()"
        )
    _load_policy()
    _sync_functions(extended=True)


def _sync_functions(*, extended: bool) -> None:
    """0023's push and reads and 0027's reads by marks, made again: with the cases' tables
    (`extended`), or as they were."""
    fast = _copy("0023")
    marks = _copy("0027")
    if extended:
        synced = {**fast.SYNCED, **{table: ("id",) for table in TABLES}}
        setattr(fast, "SYNCED", synced)  # noqa: B010 (a module's globals, for its functions)
        setattr(fast, "PULLED", tuple(t for t in synced if t != "audit_events"))  # noqa: B010
        setattr(marks, "KEYS", {**marks.KEYS, **dict.fromkeys(TABLES, "NEW.loan_id")})  # noqa: B010
        setattr(marks, "PULLED", (*marks.PULLED, *TABLES))  # noqa: B010
    push = _push(fast)
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_push(p_username text, p_workstation uuid, "
        "p_changes jsonb) RETURNS json LANGUAGE plpgsql SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {push} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_changed(p_cursor bigint) RETURNS text[] "
        "LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public "
        f"SET plan_cache_mode = force_generic_plan AS $$ {fast._changed()} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_since(p_table anyelement, p_cursor bigint) "
        "RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {fast._since()} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_changed(p_cursor bigint, p_tables text[]) "
        "RETURNS text[] LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public "
        f"SET plan_cache_mode = force_generic_plan AS $$ {marks._changed()} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_since(p_table anyelement, p_cursor bigint, "
        "p_keys uuid[]) RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {marks._since()} $$"
    )


def _push(fast: ModuleType) -> str:
    """0023's push body for the module's tables: its two passes' change appliers made again."""
    pristine = _copy("0023")
    body: str = pristine.PUSH
    for sent_before in (False, True):
        old = pristine._apply(sent_before=sent_before)
        if old not in body:
            raise RuntimeError("0023's push is not the one 0031 extends")
        body = body.replace(old, fast._apply(sent_before=sent_before))
    return body


def upgrade() -> None:
    _tables()
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _sync_functions(extended=False)
        op.execute("DELETE FROM server_policy WHERE key IN ('cases', 'calendar')")
    op.drop_table("complaints")
    op.drop_table("dispute_cases")
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP FUNCTION IF EXISTS cw_{table}_guard()")
        for signature in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
