"""a pull finds its user's changed accounts by marks, not by reading everyone's changes

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-10 09:00:00.000000

Issue 17 (one server, 10,000 workstations): a pull asked each synced table for its rows
written since the cursor (`changed_tx >= cursor`, migration 0023) and row-level security
dropped the rows of other people's accounts one by one, so a pull paid for every row anyone
wrote since its cursor (about 2.5 µs each): at 10,000 workstations a sync would cost 260 ms.

`sync_marks` says, for each account, which tables were written in which transaction: a row of
it is (the loan the written row belongs to, or for a borrower's own rows, borrowers and
contact_points, the borrower; the table; the writing transaction, the row's `changed_tx`). A
trigger on every account table a pull reads writes it, in the transaction that writes the row,
whoever writes it (a window through a sync, the command line, the feed, the reminders job, an
administrator): a plan's instalments are marked under the plan's loan. A pull then asks, for
each account of its user's scope and its borrower, the marks written since its cursor (one
probe of the key, whatever others wrote), and reads each table only for the accounts marked in
it, by `cw_sync_since(NULL::<table>, cursor, keys)`, under the same policies as before (the
marks only say where to look; the policies decide what is seen). The staff directory, the
teams and the feed list are not an account's and keep their read (`cw_sync_changed(cursor,
tables)` asks only the tables named).

The marks are an insert-only log: each transaction adds its own mark for a key and table (its
own transaction id makes it a key of its own, so two transactions never meet on one), and then
deletes the older marks of that key and table that no other transaction holds (FOR UPDATE SKIP
LOCKED), so one mark a key and table stays. No writer ever waits for another on a mark, so the
feed or the reminders job writing thousands of accounts in one transaction and pushes writing a
few cannot block or deadlock each other over marks; an upsert of one mark row per account
would have held each account's row to the end of the feed's transaction. A transaction at
REPEATABLE READ or above adds its mark and leaves the older ones (a delete of a row another
transaction deleted since its snapshot would fail it); the next writer of the key deletes them.

The horizon rule holds: a mark carries the writing transaction's id, like the row, and is seen
by exactly the snapshots that see the row; a mark is deleted only by a transaction that adds a
newer one of the same key and table, in the same transaction. So a snapshot that sees a row
written by transaction t sees a mark of its key and table at t or later, and a row committed
after a pull began, by a transaction older than the horizon, is found by the next pull as
before. The key a mark is filed under never changes for a row (a row's loan, a plan's loan and
a contact point's borrower are fixed), so a loan moving team or collector needs nothing more:
it is marked under itself, and whoever's scope it enters finds it.

The marks are the server's to keep: the trigger functions run as `cw_owner` (SECURITY DEFINER);
no staff login, the feed or the reminders job may write them. Staff read the marks of the
accounts and borrowers they see (the loans and borrowers policies), nothing else.

Indexes on (loan_id, changed_tx) for the tables where an account's rows pile up with its
history (calls, notes, payments, promises, callbacks): a pull reads a marked account's new rows
there by key. The other tables hold a few rows an account and are read by their loan's index.

The marks of the rows already there are made from them (one a key and table, at its newest
transaction). On SQLite the table is made (the schema is one) and nothing uses it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
BIG = 2**63 - 1
# The account tables a pull reads, and the key each row is marked under (as an expression of
# NEW): its loan, or the borrower for a borrower's own rows.
KEYS: dict[str, str] = {
    "borrowers": "NEW.id",
    "contact_points": "NEW.borrower_id",
    "loans": "NEW.id",
    "account_notes": "NEW.loan_id",
    "contact_attempts": "NEW.loan_id",
    "contact_blocks": "NEW.loan_id",
    "field_visits": "NEW.loan_id",
    "instalments": "NEW.loan_id",
    "payments": "NEW.loan_id",
    "plan_pause_overrides": "NEW.loan_id",
    "priority_overrides": "NEW.loan_id",
    "repayment_plans": "NEW.loan_id",
    "call_reviews": "NEW.loan_id",
    "callbacks": "NEW.loan_id",
    "escalations": "NEW.loan_id",
    "plan_instalments": "(SELECT loan_id FROM repayment_plans WHERE id = NEW.plan_id)",
    "promises": "NEW.loan_id",
    "reported_payments": "NEW.loan_id",
    "visit_requests": "NEW.loan_id",
}
BORROWER_TABLES = ("borrowers", "contact_points")
# Where a pull reads a table's rows for keys: the condition on `p_keys`.
READ_BY: dict[str, str] = {
    "borrowers": "id = ANY (p_keys)",
    "contact_points": "borrower_id = ANY (p_keys)",
    "loans": "id = ANY (p_keys)",
    "plan_instalments": "plan_id IN (SELECT id FROM repayment_plans WHERE loan_id = ANY (p_keys))",
}
# The tables where an account's rows pile up with its history: read by (loan_id, changed_tx).
INDEXED = ("account_notes", "contact_attempts", "payments", "promises", "callbacks")
# Every table a pull reads (0023's PULLED): the ones cw_sync_changed(cursor, tables) may ask.
PULLED = (
    "borrowers",
    "feed_batches",
    "teams",
    "users",
    "contact_points",
    "loans",
    "account_notes",
    "contact_attempts",
    "contact_blocks",
    "field_visits",
    "instalments",
    "payments",
    "plan_pause_overrides",
    "priority_overrides",
    "repayment_plans",
    "call_reviews",
    "callbacks",
    "escalations",
    "plan_instalments",
    "promises",
    "reported_payments",
    "visit_requests",
)
CHANGED = "cw_sync_changed(bigint, text[])"
SINCE = "cw_sync_since(anyelement, bigint, uuid[])"
SCOPE = "cw_sync_scope(bigint, uuid, text, uuid)"

MARK = """
DECLARE
    v_key uuid := {key};
BEGIN
    IF v_key IS NULL OR NEW.changed_tx IS NULL THEN
        RETURN NULL;
    END IF;
    -- Only this transaction can have made this key (its own id is in it).
    INSERT INTO sync_marks (key_id, tx, table_name) VALUES (v_key, NEW.changed_tx, TG_TABLE_NAME)
        ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;  -- marked already by this transaction
    END IF;
    -- The older marks of the key and table go, but those another transaction holds (it is
    -- deleting them too): nobody waits for anybody over a mark.
    IF current_setting('transaction_isolation') = 'read committed' THEN
        DELETE FROM sync_marks WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM sync_marks
             WHERE key_id = v_key AND table_name = TG_TABLE_NAME AND tx < NEW.changed_tx
               FOR UPDATE SKIP LOCKED));
    END IF;
    RETURN NULL;
END
"""


# The trigger function for each way to the key (the same body, its key expression).
FUNCTIONS = {
    "NEW.id": "cw_sync_mark_self",
    "NEW.loan_id": "cw_sync_mark_loan",
    "NEW.borrower_id": "cw_sync_mark_borrower",
    KEYS["plan_instalments"]: "cw_sync_mark_plan",
}


def _changed() -> str:
    """The tables among `p_tables` (of PULLED) with rows the session sees written at or after
    the cursor, each asked as 0023's cw_sync_changed asks it."""
    asks = "\n    ".join(
        f"IF '{table}' = ANY (p_tables) THEN IF EXISTS (SELECT 1 FROM {table} "
        f"WHERE changed_tx >= p_cursor AND changed_tx <= {BIG}) THEN "
        f"found := found || '{table}'::text; END IF; END IF;"
        for table in PULLED
    )
    return f"DECLARE found text[] := '{{}}'; BEGIN\n    {asks}\n    RETURN found; END"


def _since() -> str:
    """A table's rows the session sees written at or after the cursor, of the keys given (the
    table named by the type of the first argument): one branch, and one plan, per table."""
    branches = "\n    ".join(
        f"WHEN '{table}'::regtype THEN RETURN QUERY SELECT * FROM {table} "
        f"WHERE {READ_BY.get(table, 'loan_id = ANY (p_keys)')} "
        f"AND changed_tx >= p_cursor AND changed_tx <= {BIG};"
        for table in KEYS
    )
    return (
        f"BEGIN CASE pg_typeof(p_table)\n    {branches}\n    ELSE RAISE EXCEPTION "
        "'Rows of % are not read by account.', pg_typeof(p_table) USING ERRCODE = '42501'; "
        "END CASE; END"
    )


def _marked(key: str) -> str:
    """The tables marked for `key` at or after the cursor (NULL: none)."""
    return (
        f"(SELECT array_agg(m.table_name::text) FROM sync_marks m WHERE m.key_id = {key} "
        f"AND m.tx >= p_cursor AND m.tx <= {BIG})"
    )


# The ways into a user's scope, as app.services.sync.engine._scope_query asks them: whose
# accounts (assigned to), and whose pool (nobody assigned, of a team); and the visits planned
# for the user, as its agent or second agent.
WORKERS = {
    "lead": "l.assigned_to_id IN (SELECT u.id FROM users u WHERE u.team_id = p_team)",
    "admin": "l.assigned_to_id IN (SELECT u.id FROM users u)",
    "own": "l.assigned_to_id = p_user",
}
POOL = {
    "lead": "l.assigned_to_id IS NULL AND l.team_id = p_team",
    "admin": "l.assigned_to_id IS NULL AND l.team_id IS NOT NULL",
}
VISITS = (
    "l.id IN (SELECT v.loan_id FROM field_visits v WHERE v.status = 'planned' "
    "AND (v.agent_id = p_user OR v.second_agent_id = p_user))"
)


def _scope_query(kind: str) -> str:
    ways = [WORKERS[kind], VISITS, *([POOL[kind]] if kind in POOL else [])]
    union = " UNION ".join(f"SELECT l.id, l.borrower_id FROM loans l WHERE {way}" for way in ways)
    return (
        f"RETURN QUERY WITH scope (id, borrower_id) AS ({union}) "
        f"SELECT s.id, s.borrower_id, {_marked('s.id')}, {_marked('s.borrower_id')} FROM scope s;"
    )


def _scope() -> str:
    """The loans of the user's scope and their borrowers, each with the tables marked for it
    since the cursor: one probe of the marks' key each, whatever others wrote."""
    return (
        "BEGIN\n"
        f"    IF p_role = 'team_lead' AND p_team IS NOT NULL THEN {_scope_query('lead')}\n"
        f"    ELSIF p_role = 'admin' THEN {_scope_query('admin')}\n"
        f"    ELSE {_scope_query('own')}\n"
        "    END IF;\nEND"
    )


def _backfill(table: str) -> str:
    """The marks of the rows already there: one a key, at its newest transaction."""
    if table == "plan_instalments":
        return (
            "INSERT INTO sync_marks (key_id, tx, table_name) SELECT p.loan_id, "
            "max(i.changed_tx), 'plan_instalments' FROM plan_instalments i "
            "JOIN repayment_plans p ON p.id = i.plan_id WHERE i.changed_tx IS NOT NULL "
            "GROUP BY p.loan_id"
        )
    key = KEYS[table].removeprefix("NEW.")
    return (
        f"INSERT INTO sync_marks (key_id, tx, table_name) SELECT {key}, max(changed_tx), "
        f"'{table}' FROM {table} WHERE changed_tx IS NOT NULL AND {key} IS NOT NULL "
        f"GROUP BY {key}"
    )


def upgrade() -> None:
    op.create_table(
        "sync_marks",
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("tx", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "tx", "table_name", name=op.f("pk_sync_marks")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE sync_marks OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON sync_marks FROM PUBLIC")
    op.execute(f"GRANT SELECT ON sync_marks TO {STAFF}")
    op.execute("ALTER TABLE sync_marks ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE sync_marks FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY sync_marks_owner ON sync_marks FOR ALL TO {OWNER} "
        "USING (true) WITH CHECK (true)"
    )
    borrower_tables = ", ".join(f"'{table}'" for table in BORROWER_TABLES)
    op.execute(
        f"CREATE POLICY sync_marks_select ON sync_marks FOR SELECT TO {STAFF} USING ("
        f"(table_name IN ({borrower_tables}) AND EXISTS (SELECT 1 FROM borrowers "
        "WHERE borrowers.id = sync_marks.key_id)) OR "
        f"(table_name NOT IN ({borrower_tables}) AND EXISTS (SELECT 1 FROM loans "
        "WHERE loans.id = sync_marks.key_id)))"
    )
    # What the plan instalments' trigger reads, as the owner: the plan's loan.
    op.execute(
        f"CREATE POLICY repayment_plans_sync_mark ON repayment_plans FOR SELECT TO {OWNER} "
        "USING (true)"
    )
    for key, name in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            f"SET search_path = public AS $$ {MARK.format(key=key)} $$"
        )
        op.execute(f"ALTER FUNCTION {name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    for table in KEYS:
        op.execute(
            f"CREATE TRIGGER {table}_sync_mark AFTER INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTIONS[KEYS[table]]}()"
        )
        # The tables are locked by their trigger now, to this transaction's end: no row is
        # written between the marks made here and the trigger's.
        op.execute(_backfill(table))
    for table in INDEXED:
        op.create_index(f"ix_{table}_loan_changed", table, ["loan_id", "changed_tx"])
    op.execute(
        "CREATE FUNCTION cw_sync_changed(p_cursor bigint, p_tables text[]) RETURNS text[] "
        "LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = public "
        f"SET plan_cache_mode = force_generic_plan AS $$ {_changed()} $$"
    )
    op.execute(
        "CREATE FUNCTION cw_sync_since(p_table anyelement, p_cursor bigint, p_keys uuid[]) "
        "RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {_since()} $$"
    )
    op.execute(
        "CREATE FUNCTION cw_sync_scope(p_cursor bigint, p_user uuid, p_role text, p_team uuid) "
        "RETURNS TABLE (scope_loan uuid, scope_borrower uuid, loan_marks text[], "
        "borrower_marks text[]) LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {_scope()} $$"
    )
    for signature in (CHANGED, SINCE, SCOPE):
        op.execute(f"ALTER FUNCTION {signature} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {STAFF}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {SCOPE}")
        op.execute(f"DROP FUNCTION {SINCE}")
        op.execute(f"DROP FUNCTION {CHANGED}")
        for table in INDEXED:
            op.drop_index(f"ix_{table}_loan_changed", table_name=table)
        for table in KEYS:
            op.execute(f"DROP TRIGGER {table}_sync_mark ON {table}")
        for name in FUNCTIONS.values():
            op.execute(f"DROP FUNCTION {name}()")
        op.execute("DROP POLICY repayment_plans_sync_mark ON repayment_plans")
    op.drop_table("sync_marks")
