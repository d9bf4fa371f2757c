"""a team lead refers an account to legal; the case's steps, in their order

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-11 09:00:00.000000

Issue 20, item 1. `legal_cases` holds a lead's referral of an account (its reason, who, when,
and a withdrawal before filing); `legal_steps` the case's dated steps (firm and lawyer, filing
with case number and court, hearings, judgment, enforcement, costs, recoveries, close). Both
are synced, to leads only: a collector's copy never holds them, the account leaves the
collector's queue by the borrower's `legal_referral` mark, which the referral sets in the same
transaction.

On PostgreSQL (docs/security.md: legal-lead, legal-steps, legal-mark):
- only a team lead of the account's team reads or writes them, in their own name, dated when
  done (up to 14 days before, for work done offline; never ahead);
- a referral's account, reason and referrer are fixed; it is withdrawn once, with a reason,
  before the case is filed and while it is open, and is otherwise never changed or deleted;
- a step is written once, on an open case (not withdrawn, not closed), in the order a case
  goes (filing after a lawyer is instructed, once; hearings and the judgment after the filing,
  not dated before it, one judgment; enforcement after the judgment; the close not before the
  last step), dated neither ahead of the business day nor before the referral's, with money
  that is never negative (a cost and a recovery more than zero);
- staff set the borrower's `legal_referral` mark only with an open referral on one of the
  borrower's accounts that they can see (so a collector never sets it), and nobody on staff lifts
  it while one is open (withdrawing the referral lifts it, in the same transaction).
The words of each refusal are the service's (app/services/legal/referral.py).

The sync functions (0023's push, changed and since; 0027's changed and since by marks) are made
again with the two tables, and each gets 0027's mark trigger (marked under its loan).
"""

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic import op

import app.models.types

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
TABLES = ("legal_cases", "legal_steps")
SKEW = "interval '10 minutes'"
# How long a lead's workstation may hold an act done offline before its sync brings it (as a
# plan made offline, migration 0007): older is not "when it was done".
OFFLINE = "interval '14 days'"
ZONE = (
    "coalesce((SELECT value ->> 'business_zone' FROM server_policy WHERE key = 'collection'), "
    "'Asia/Shanghai')"
)

# The refusals, word for word the service's (tests hold the two together).
LEAD_ONLY = "Only a team lead of the account's team refers it to legal or records its steps."
ALREADY = "The account is already referred to legal."
NO_REASON = "Say why the account goes to legal: the lawyer and the audit trail read it."
WITHDRAWN = "The referral was withdrawn: it takes no more steps."
CLOSED = "The legal case is closed: it takes no more steps."
WITHDRAW_FILED = "A referral is withdrawn only before the case is filed."
NO_WITHDRAW_REASON = "Say why the referral is withdrawn."
FUTURE = "A legal step is not dated ahead of today."
BEFORE_REFERRAL = "A legal step is not dated before the referral."
LAWYER_FIELDS = "Name the firm and the lawyer instructed."
NEEDS_LAWYER = "A case is filed only once a firm and lawyer are instructed."
FILING_FIELDS = "A filing names its case number and its court."
FILED_TWICE = "The case is filed already."
NEEDS_FILING = "Hearings and a judgment come only after the case is filed."
BEFORE_FILING = "A hearing or a judgment is not dated before the filing."
JUDGED_TWICE = "The case has its judgment already."
NEEDS_JUDGMENT = "Enforcement comes only after the judgment."
BEFORE_JUDGMENT = "Enforcement is not dated before the judgment."
AMOUNT_NEEDED = "A cost or a recovery has an amount of more than zero."
NEGATIVE = "An amount in a legal case is never negative."
NO_AMOUNT = "Only a judgment, a cost or a recovery has an amount."
CLOSE_NOTE = "Say how the case ended."
CLOSE_BEFORE = "A case is not closed before its last step."
MARK_SET = "An account goes to legal only with a team lead's referral."
MARK_LIFT = "An account with an open legal referral stays out of collection: withdraw the referral."


def _q(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _refuse(text: str) -> str:
    return f"PERFORM cw_refuse({_q(text)})"


def _blank(expression: str) -> str:
    return f"coalesce(btrim({expression}), '') = ''"


# Is the signed-in user a team lead of the account's team (its assignee's team, or the pool's)?
# Run as the signed-in login: the loans policy shows a lead their team's accounts only.
LEAD_OF = """
BEGIN
    RETURN coalesce((SELECT cw_is_lead()), false) AND EXISTS (
        SELECT 1 FROM loans l LEFT JOIN users u ON u.id = l.assigned_to_id
         WHERE l.id = p_loan AND coalesce(u.team_id, l.team_id) = (SELECT cw_my_team()));
END
"""
OPEN_CASE = (
    "c.withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM legal_steps s "
    "WHERE s.case_id = c.id AND s.kind = 'closed')"
)

CASE_GUARD = f"""
DECLARE
    v_borrower uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT borrower_id INTO v_borrower FROM loans WHERE id = NEW.loan_id;
        IF v_borrower IS NULL OR NEW.borrower_id IS DISTINCT FROM v_borrower THEN
            {_refuse(LEAD_ONLY)};
        END IF;
        IF {_blank("NEW.reason")} THEN
            {_refuse(NO_REASON)};
        END IF;
        IF NEW.withdrawn_at IS NOT NULL OR NEW.withdrawn_by_id IS NOT NULL
           OR NEW.withdrawn_reason IS NOT NULL THEN
            {_refuse(WITHDRAWN)};
        END IF;
        IF cw_staff_session()
           AND NEW.referred_at NOT BETWEEN now() - {OFFLINE} AND now() + {SKEW} THEN
            PERFORM cw_refuse('A referral is dated when it is made.');
        END IF;
        IF EXISTS (SELECT 1 FROM legal_cases c WHERE c.loan_id = NEW.loan_id AND c.id <> NEW.id
                   AND {OPEN_CASE}) THEN
            {_refuse(ALREADY)};
        END IF;
        RETURN NEW;
    END IF;
    -- An administrator's change (the retention job clearing the reasons of an erased
    -- borrower) is theirs to make.
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.loan_id, NEW.borrower_id, NEW.reason, NEW.referred_by_id, NEW.referred_at)
       IS DISTINCT FROM
       (OLD.id, OLD.loan_id, OLD.borrower_id, OLD.reason, OLD.referred_by_id, OLD.referred_at)
    THEN
        PERFORM cw_refuse('A referral''s account, reason, referrer and day are fixed.');
    END IF;
    IF (NEW.withdrawn_at, NEW.withdrawn_by_id, NEW.withdrawn_reason)
       IS NOT DISTINCT FROM (OLD.withdrawn_at, OLD.withdrawn_by_id, OLD.withdrawn_reason) THEN
        RETURN NEW;
    END IF;
    IF OLD.withdrawn_at IS NOT NULL THEN
        {_refuse(WITHDRAWN)};
    END IF;
    IF NEW.withdrawn_at IS NULL OR NEW.withdrawn_by_id IS NULL THEN
        PERFORM cw_refuse('A withdrawal is dated and in a lead''s name.');
    END IF;
    IF {_blank("NEW.withdrawn_reason")} THEN
        {_refuse(NO_WITHDRAW_REASON)};
    END IF;
    IF EXISTS (SELECT 1 FROM legal_steps s WHERE s.case_id = NEW.id AND s.kind = 'closed') THEN
        {_refuse(CLOSED)};
    END IF;
    IF EXISTS (SELECT 1 FROM legal_steps s WHERE s.case_id = NEW.id AND s.kind = 'filing') THEN
        {_refuse(WITHDRAW_FILED)};
    END IF;
    IF cw_staff_session() AND (NEW.withdrawn_by_id IS DISTINCT FROM cw_me()
       OR NEW.withdrawn_at NOT BETWEEN now() - {OFFLINE} AND now() + {SKEW}) THEN
        PERFORM cw_refuse('A withdrawal is dated when it is made, in the lead''s own name.');
    END IF;
    RETURN NEW;
END
"""

STEP_GUARD = f"""
DECLARE
    c legal_cases%ROWTYPE;
    v_referred date;
    v_filed date;
    v_judged date;
    v_last date;
BEGIN
    -- The case's row held to the end of the transaction: its steps are written one at a time.
    SELECT * INTO c FROM legal_cases WHERE id = NEW.case_id FOR UPDATE;
    IF NOT FOUND OR NEW.loan_id IS DISTINCT FROM c.loan_id THEN
        {_refuse(LEAD_ONLY)};
    END IF;
    IF c.withdrawn_at IS NOT NULL THEN
        {_refuse(WITHDRAWN)};
    END IF;
    IF EXISTS (SELECT 1 FROM legal_steps s WHERE s.case_id = c.id AND s.kind = 'closed') THEN
        {_refuse(CLOSED)};
    END IF;
    IF cw_staff_session()
       AND NEW.recorded_at NOT BETWEEN now() - {OFFLINE} AND now() + {SKEW} THEN
        PERFORM cw_refuse('A legal step is recorded when it is entered.');
    END IF;
    IF NEW.happened_on > cw_today() THEN
        {_refuse(FUTURE)};
    END IF;
    v_referred := (c.referred_at AT TIME ZONE {ZONE})::date;
    IF NEW.happened_on < v_referred THEN
        {_refuse(BEFORE_REFERRAL)};
    END IF;
    IF NEW.amount < 0 THEN
        {_refuse(NEGATIVE)};
    END IF;
    IF NEW.amount IS NOT NULL AND NEW.kind NOT IN ('judgment', 'cost', 'recovery') THEN
        {_refuse(NO_AMOUNT)};
    END IF;
    SELECT min(happened_on) INTO v_filed FROM legal_steps
     WHERE case_id = c.id AND kind = 'filing';
    SELECT min(happened_on) INTO v_judged FROM legal_steps
     WHERE case_id = c.id AND kind = 'judgment';
    CASE NEW.kind
    WHEN 'lawyer' THEN
        IF {_blank("NEW.firm")} OR {_blank("NEW.lawyer")} THEN
            {_refuse(LAWYER_FIELDS)};
        END IF;
    WHEN 'filing' THEN
        IF v_filed IS NOT NULL THEN
            {_refuse(FILED_TWICE)};
        END IF;
        IF NOT EXISTS (SELECT 1 FROM legal_steps s WHERE s.case_id = c.id
                       AND s.kind = 'lawyer') THEN
            {_refuse(NEEDS_LAWYER)};
        END IF;
        IF {_blank("NEW.case_number")} OR {_blank("NEW.court")} THEN
            {_refuse(FILING_FIELDS)};
        END IF;
    WHEN 'hearing', 'judgment' THEN
        IF v_filed IS NULL THEN
            {_refuse(NEEDS_FILING)};
        END IF;
        IF NEW.happened_on < v_filed THEN
            {_refuse(BEFORE_FILING)};
        END IF;
        IF NEW.kind = 'judgment' AND v_judged IS NOT NULL THEN
            {_refuse(JUDGED_TWICE)};
        END IF;
    WHEN 'enforcement' THEN
        IF v_judged IS NULL THEN
            {_refuse(NEEDS_JUDGMENT)};
        END IF;
        IF NEW.happened_on < v_judged THEN
            {_refuse(BEFORE_JUDGMENT)};
        END IF;
    WHEN 'cost', 'recovery' THEN
        IF NEW.amount IS NULL OR NEW.amount <= 0 THEN
            {_refuse(AMOUNT_NEEDED)};
        END IF;
    WHEN 'closed' THEN
        IF {_blank("NEW.note")} THEN
            {_refuse(CLOSE_NOTE)};
        END IF;
        SELECT max(happened_on) INTO v_last FROM legal_steps WHERE case_id = c.id;
        IF NEW.happened_on < v_last THEN
            {_refuse(CLOSE_BEFORE)};
        END IF;
    ELSE
        PERFORM cw_refuse('There is no legal step ' || NEW.kind || '.');
    END CASE;
    RETURN NEW;
END
"""

# The borrower's mark goes with an open referral (docs/security.md legal-mark). Asked as the
# signed-in login: a collector sees no referral, so a collector never sets the mark.
MARK_GUARD = f"""
BEGIN
    IF cw_staff_session() AND NEW.legal_referral IS DISTINCT FROM OLD.legal_referral THEN
        IF NEW.legal_referral AND NOT EXISTS (
            SELECT 1 FROM legal_cases c WHERE c.borrower_id = NEW.id AND {OPEN_CASE}) THEN
            {_refuse(MARK_SET)};
        END IF;
        IF NOT NEW.legal_referral AND EXISTS (
            SELECT 1 FROM legal_cases c WHERE c.borrower_id = NEW.id AND {OPEN_CASE}) THEN
            {_refuse(MARK_LIFT)};
        END IF;
    END IF;
    RETURN NEW;
END
"""

POLICIES: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "legal_cases": {
        "SELECT": ("cw_legal_lead(loan_id)", None),
        "INSERT": (None, "cw_legal_lead(loan_id) AND referred_by_id = (SELECT cw_me())"),
        "UPDATE": ("cw_legal_lead(loan_id)", "cw_legal_lead(loan_id)"),
    },
    "legal_steps": {
        "SELECT": ("cw_legal_lead(loan_id)", None),
        "INSERT": (None, "cw_legal_lead(loan_id) AND recorded_by_id = (SELECT cw_me())"),
    },
}
# What a lead may change of a referral: its withdrawal (and the version a sync moves).
CASE_COLUMNS = ("withdrawn_at", "withdrawn_by_id", "withdrawn_reason", "row_version")
TRIGGERS = {
    "legal_cases_guard": ("legal_cases", "BEFORE INSERT OR UPDATE", CASE_GUARD),
    "legal_steps_guard": ("legal_steps", "BEFORE INSERT", STEP_GUARD),
    "borrowers_legal": ("borrowers", "BEFORE UPDATE", MARK_GUARD),
}

# --- the sync functions, made again with the two tables -----------------------------------

PUSHED: dict[str, tuple[str, ...]] = {"legal_cases": ("id",), "legal_steps": ("id",)}
MARKED = {"legal_cases": "NEW.loan_id", "legal_steps": "NEW.loan_id"}


def _revision(name: str) -> ModuleType:
    return importlib.import_module(f"app.migrations.versions.{name}")


@contextmanager
def _with(module: ModuleType, **values: Any) -> Iterator[None]:
    """`module`'s globals set to `values` while the block runs (its SQL is made from them)."""
    saved = {name: getattr(module, name) for name in values}
    try:
        for name, value in values.items():
            setattr(module, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def _made(module: ModuleType, build: Callable[[], str], extra: bool, **values: Any) -> str:
    if not extra:
        return build()
    with _with(module, **values):
        return build()


def _push(extra: bool) -> str:
    """0023's push, its table lists with the two tables when `extra`."""
    fast = _revision("0023_sync_fast_path")
    body: str = fast.PUSH
    if not extra:
        return body
    with _with(fast, SYNCED={**fast.SYNCED, **PUSHED}):
        wider = (fast._apply(sent_before=False), fast._apply(sent_before=True))
    for before, after in zip(
        (fast._apply(sent_before=False), fast._apply(sent_before=True)), wider, strict=True
    ):
        if body.count(before) != 1:
            raise RuntimeError("0023's push is not the one 0030 extends")
        body = body.replace(before, after)
    return body


def _sync_functions(extra: bool) -> None:
    fast = _revision("0023_sync_fast_path")
    marks = _revision("0027_pull_marks")
    pulled_23 = (*fast.PULLED, *TABLES)
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_changed(p_cursor bigint) RETURNS text[] "
        "LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public "
        "SET plan_cache_mode = force_generic_plan AS "
        f"$$ {_made(fast, fast._changed, extra, PULLED=pulled_23)} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_since(p_table anyelement, p_cursor bigint) "
        "RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {_made(fast, fast._since, extra, PULLED=pulled_23)} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_push(p_username text, p_workstation uuid, "
        "p_changes jsonb) RETURNS json LANGUAGE plpgsql SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {_push(extra)} $$"
    )
    pulled_27 = (*marks.PULLED, *TABLES)
    keys_27 = {**marks.KEYS, **MARKED}
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_changed(p_cursor bigint, p_tables text[]) "
        "RETURNS text[] LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public "
        "SET plan_cache_mode = force_generic_plan AS "
        f"$$ {_made(marks, marks._changed, extra, PULLED=pulled_27)} $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_sync_since(p_table anyelement, p_cursor bigint, "
        "p_keys uuid[]) RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {_made(marks, marks._since, extra, KEYS=keys_27)} $$"
    )


# --- the tables ----------------------------------------------------------------------------


def _bookkeeping() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
    ]


def upgrade() -> None:
    instant = app.models.types.UTCDateTime(timezone=True)
    op.create_table(
        "legal_cases",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("borrower_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("referred_by_id", sa.Uuid(), nullable=False),
        sa.Column("referred_at", instant, nullable=False),
        sa.Column("withdrawn_at", instant, nullable=True),
        sa.Column("withdrawn_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=500), nullable=True),
        *_bookkeeping(),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_legal_cases_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_legal_cases_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"], ["users.id"], name=op.f("fk_legal_cases_referred_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_legal_cases_withdrawn_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_cases")),
    )
    op.create_index("ix_legal_cases_loan", "legal_cases", ["loan_id"])
    op.create_index("ix_legal_cases_changed_tx", "legal_cases", ["changed_tx"])
    op.create_table(
        "legal_steps",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "lawyer",
                "filing",
                "hearing",
                "judgment",
                "enforcement",
                "cost",
                "recovery",
                "closed",
                name="legalstepkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", instant, nullable=False),
        sa.Column("firm", sa.String(length=120), nullable=True),
        sa.Column("lawyer", sa.String(length=80), nullable=True),
        sa.Column("case_number", sa.String(length=60), nullable=True),
        sa.Column("court", sa.String(length=120), nullable=True),
        sa.Column("amount", app.models.types.Money(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        *_bookkeeping(),
        sa.CheckConstraint(
            "amount IS NULL OR amount >= 0", name=op.f("ck_legal_steps_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_cases.id"], name=op.f("fk_legal_steps_case_id_legal_cases")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_legal_steps_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_legal_steps_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_steps")),
    )
    op.create_index("ix_legal_steps_case_on", "legal_steps", ["case_id", "happened_on"])
    op.create_index("ix_legal_steps_loan", "legal_steps", ["loan_id"])
    op.create_index("ix_legal_steps_changed_tx", "legal_steps", ["changed_tx"])
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    op.execute(
        "CREATE FUNCTION cw_legal_lead(p_loan uuid) RETURNS boolean LANGUAGE plpgsql STABLE "
        f"SET search_path = public AS $$ {LEAD_OF} $$"
    )
    op.execute(f"ALTER FUNCTION cw_legal_lead(uuid) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_legal_lead(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_legal_lead(uuid) TO {STAFF}")
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_stamp_change BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_sync_mark AFTER INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_sync_mark_loan()"
        )
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {STAFF}")
        for command, (using, check) in POLICIES[table].items():
            clauses = f" USING ({using})" if using else ""
            clauses += f" WITH CHECK ({check})" if check else ""
            op.execute(
                f"CREATE POLICY {table}_{command.lower()} ON {table} FOR {command} "
                f"TO {STAFF}{clauses}"
            )
    op.execute(f"GRANT UPDATE ({', '.join(CASE_COLUMNS)}) ON legal_cases TO {STAFF}")
    for name, (table, when, body) in TRIGGERS.items():
        op.execute(
            f"CREATE FUNCTION cw_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION cw_{name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION cw_{name}() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION cw_{name}()"
        )
    _sync_functions(extra=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _sync_functions(extra=False)
        for name, (table, _, _) in TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS cw_{name}()")
    op.drop_table("legal_steps")
    op.drop_table("legal_cases")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cw_legal_lead(uuid)")
