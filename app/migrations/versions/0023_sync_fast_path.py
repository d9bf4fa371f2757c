"""a sync in few statements: the server applies a push itself and says what a pull must read

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 18:00:00.000000

Issue 17 (one server, 10,000 workstations): a push of 20 changes sent 86 statements (per change
a savepoint, a version read, the write and the savepoint's release), each parsed, planned and
run under row-level security, over TLS; most of the server's time went on statements, not on
the rows. `cw_sync_push` takes the whole batch in one call and does on the server what the
workstation did statement by statement (app/services/sync/engine.py):

- it finds the user by name (an active one), locks the workstation's row (or makes it, for this
  user, with nothing applied) and skips the changes numbered at or below its last applied one;
- for edits of one row applied before a crash cut a push short, it takes the versions they made
  from the outcomes kept for the workstation, so the next edit starts from them;
- it applies the others all at once, in one subtransaction, with no check that an inserted row
  is there already: when every change goes through (the common case) that is what applying
  them one by one would have done. Should any fail (a refusal, or a row sent before), all are
  undone and done again as before, each in a block of its own (BEGIN … EXCEPTION), so that a
  failing one is undone alone, as its savepoint undid it, and an insert of a row there already
  for the user to see does nothing; the SQLSTATE and message of each failure are handed back,
  as the driver handed them back;
- an insert is written for each synced table, from the row's JSON (the text form of each
  value the driver would have sent, every column as the workstation sent it), so the server
  plans it once per session, not once per change; an update is built for the columns it
  changes, as the workstation built it, and for a mutable row names the version it started
  from: nothing updated is a conflict when the row is there to the user, a row the server has
  not for them when it is not;
- it moves the workstation's last applied number on, and returns what became of each change,
  the outcomes kept from before and whether older ones are still kept, for the workstation to
  record, read and clear as it did.

A statement timeout (or a cancel) during the call ends the whole push, undone, to be sent
again: the statements recorded the one change cut short as refused.

It is SECURITY INVOKER: every statement runs as the signed-in login, under its privileges, its
row-level security policies and the tables' triggers, exactly as the statements it replaces;
it grants nothing a login could not do with those statements (docs/security.md). Only staff
may execute it; it takes only the synced tables.

A pull read every synced table since its cursor, one statement each, planned again (policies
and all) every time; most brought nothing. `cw_sync_changed(cursor)`, also SECURITY INVOKER,
asks every table at once, through its changed_tx index and under the session's policies,
whether it has a row the session sees written at or after the cursor; the pull reads those
alone, through `cw_sync_since(NULL::<table>, cursor)`, the same read (SECURITY INVOKER) in a
statement written for each table. The three keep one plan per statement for the session
(`plan_cache_mode = force_generic_plan` for the call, and for what it runs: key lookups, and
changed_tx ranges bounded so that the plan keeps to the index).

The helpers the policies and triggers call to know who the session is (`cw_me`, `cw_my_team`,
`cw_is_lead`, `cw_my_role`, `cw_staff_session`, `cw_today`, `cw_my_visit_loans`) were SQL
functions, parsed and planned again at every statement that called them (several per
statement on an account's table): they become PL/pgSQL with the same queries, the same
volatility, security and search_path, so their plans are kept for the session. They answer as
before: the first row, or none.

Nothing is stored. On SQLite (the embedded database) nothing changes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
SIGNATURE = "cw_sync_push(text, uuid, jsonb)"
# Every synced table (a changed_tx column) at this revision, and its primary key.
SYNCED: dict[str, tuple[str, ...]] = {
    "borrowers": ("id",),
    "feed_batches": ("id",),
    "teams": ("id",),
    "users": ("id",),
    "audit_events": ("id",),
    "contact_points": ("id",),
    "loans": ("id",),
    "account_notes": ("id",),
    "contact_attempts": ("id",),
    "contact_blocks": ("id",),
    "field_visits": ("id",),
    "instalments": ("loan_id", "seq"),
    "payments": ("id",),
    "plan_pause_overrides": ("id",),
    "priority_overrides": ("id",),
    "repayment_plans": ("id",),
    "call_reviews": ("id",),
    "callbacks": ("id",),
    "escalations": ("id",),
    "plan_instalments": ("plan_id", "seq"),
    "promises": ("id",),
    "reported_payments": ("id",),
    "visit_requests": ("id",),
}


def _inserts(*, sent_before: bool) -> str:
    """One branch per synced table: the row inserted from its JSON, every column as the
    workstation sent it. With `sent_before`, unless a row with its key is there for the session
    to see: the change was sent before, and there is nothing to do."""
    branches = []
    for table, key in SYNCED.items():
        same = " AND ".join(f"t.{column} = r.{column}" for column in key)
        unless = f" WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same})" if sent_before else ""
        branches.append(
            f"WHEN '{table}' THEN INSERT INTO {table} SELECT * FROM "
            f"json_populate_record(NULL::{table}, v_values) r{unless};"
        )
    return "\n".join(branches)


def _apply(*, sent_before: bool) -> str:
    """One change (v_change, of table v_table) applied: v_kind ('applied', 'conflict' or
    'gone'; an error is raised) and v_new (the version the row has now, for an update) say what
    became of it, v_chain takes the version an edit of a mutable row made."""
    return f"""
IF NOT v_table = ANY (ARRAY[{", ".join(f"'{table}'" for table in SYNCED)}]) THEN
    RAISE EXCEPTION 'Changes to % are not synced.', v_table USING ERRCODE = '42501';
END IF;
v_values := (v_change ->> 'values')::json;
IF v_change ->> 'op' = 'insert' THEN
    CASE v_table
    {_inserts(sent_before=sent_before)}
    END CASE;
ELSIF v_change ->> 'op' = 'update' THEN
    v_where := (v_change ->> 'where')::json;
    SELECT string_agg(format('t.%1$I = w.%1$I', k), ' AND ') INTO v_keys
    FROM json_object_keys(v_where) k;
    SELECT string_agg(format('%1$I = r.%1$I', k), ', ') INTO v_sets
    FROM json_object_keys(v_values) k;
    v_base := (v_change ->> 'base')::integer;
    IF (v_change ->> 'versioned')::boolean THEN
        IF v_pair IS NOT NULL AND v_base = (v_pair ->> 0)::integer THEN
            v_base := (v_pair ->> 1)::integer;
        END IF;
        EXECUTE format('UPDATE %1$I t SET %2$s, row_version = t.row_version + 1'
            ' FROM json_populate_record(NULL::%1$I, $1) r,'
            ' json_populate_record(NULL::%1$I, $2) w'
            ' WHERE %3$s AND t.row_version = $3 RETURNING t.row_version',
            v_table, v_sets, v_keys)
        INTO v_new USING v_values, v_where, v_base;
        IF v_new IS NULL THEN
            EXECUTE format('SELECT t.row_version FROM %1$I t,'
                ' json_populate_record(NULL::%1$I, $1) w WHERE %2$s', v_table, v_keys)
            INTO v_new USING v_where;
            v_kind := CASE WHEN v_new IS NULL THEN 'gone' ELSE 'conflict' END;
        ELSE
            v_chain := v_chain || jsonb_build_object(v_link, jsonb_build_array(
                coalesce((v_pair ->> 0)::integer, (v_change ->> 'base')::integer, 0), v_new));
        END IF;
    ELSE
        EXECUTE format('UPDATE %1$I t SET %2$s, row_version = t.row_version + 1'
            ' FROM json_populate_record(NULL::%1$I, $1) r,'
            ' json_populate_record(NULL::%1$I, $2) w'
            ' WHERE %3$s RETURNING t.row_version',
            v_table, v_sets, v_keys)
        INTO v_new USING v_values, v_where;
        IF v_new IS NULL THEN
            v_kind := 'gone';
        END IF;
    END IF;
ELSE
    RAISE EXCEPTION 'A change is an insert or an update.' USING ERRCODE = '22023';
END IF;
"""


PUSH = f"""
DECLARE
    v_me uuid;
    v_last bigint;
    v_first bigint;
    v_top bigint;
    v_pass integer;
    v_done jsonb := '{{}}';
    v_chain jsonb;
    v_facts json[];
    v_change jsonb;
    v_values json;
    v_where json;
    v_seq bigint;
    v_table text;
    v_link text;
    v_base integer;
    v_pair jsonb;
    v_new integer;
    v_kind text;
    v_message text;
    v_state text;
    v_keys text;
    v_sets text;
BEGIN
    IF jsonb_typeof(p_changes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'A push is a list of changes.' USING ERRCODE = '22023';
    END IF;
    SELECT id INTO v_me FROM users WHERE username = p_username AND active;
    IF v_me IS NULL THEN
        RETURN json_build_object('user', false);
    END IF;
    SELECT last_applied INTO v_last FROM sync_workstations WHERE id = p_workstation FOR UPDATE;
    IF v_last IS NULL THEN
        INSERT INTO sync_workstations (id, user_id, last_applied, updated_at)
        VALUES (p_workstation, v_me, 0, now());
        v_last := 0;
    END IF;
    v_first := (p_changes -> 0 ->> 'seq')::bigint;
    SELECT max((value ->> 'seq')::bigint) INTO v_top FROM jsonb_array_elements(p_changes);
    -- Changes applied before a crash cut the last push short: the versions they made.
    FOR v_change IN SELECT value FROM jsonb_array_elements(p_changes)
                    WHERE (value ->> 'seq')::bigint <= v_last LOOP
        v_link := (v_change ->> 'table') || ' ' || (v_change ->> 'key');
        v_pair := v_done -> v_link;
        SELECT o.kind, o.server_version INTO v_kind, v_new FROM sync_outcomes o
        WHERE o.workstation_id = p_workstation AND o.seq = (v_change ->> 'seq')::bigint;
        IF v_kind = 'applied' AND v_new IS NOT NULL THEN
            v_done := v_done || jsonb_build_object(v_link, jsonb_build_array(
                coalesce((v_pair ->> 0)::integer, (v_change ->> 'base')::integer, 0), v_new));
        END IF;
    END LOOP;
    -- The others, all at once; should one fail (or one have been sent before), all again,
    -- each in a block of its own, so that the one alone is undone (as its savepoint undid it),
    -- and an insert of a row already there for the session to see does nothing.
    FOR v_pass IN 1..2 LOOP
        BEGIN
            v_chain := v_done;
            v_facts := '{{}}';
            FOR v_change IN SELECT value FROM jsonb_array_elements(p_changes)
                            WHERE (value ->> 'seq')::bigint > v_last LOOP
                v_seq := (v_change ->> 'seq')::bigint;
                v_table := v_change ->> 'table';
                v_link := v_table || ' ' || (v_change ->> 'key');
                v_pair := v_chain -> v_link;
                v_kind := 'applied';
                v_new := NULL;
                v_message := NULL;
                v_state := NULL;
                IF v_change ->> 'op' IS NULL THEN
                    NULL;  -- decided by the workstation
                ELSIF v_pass = 1 THEN
                    {_apply(sent_before=False)}
                ELSE
                    BEGIN
                        {_apply(sent_before=True)}
                    EXCEPTION WHEN OTHERS THEN
                        v_kind := 'error';
                        v_new := NULL;
                        v_message := SQLERRM;
                        v_state := SQLSTATE;
                    END;
                END IF;
                v_facts := v_facts || json_build_object('seq', v_seq, 'kind', v_kind,
                    'version', v_new, 'message', v_message, 'state', v_state);
            END LOOP;
            EXIT;
        EXCEPTION WHEN OTHERS THEN
            IF v_pass = 2 THEN
                RAISE;
            END IF;
        END;
    END LOOP;
    UPDATE sync_workstations SET last_applied = greatest(v_last, v_top), updated_at = now()
    WHERE id = p_workstation;
    RETURN json_build_object(
        'user', true,
        'last', v_last,
        'facts', array_to_json(v_facts),
        'stored', (
            SELECT coalesce(json_agg(json_build_object(
                'seq', o.seq, 'table_name', o.table_name, 'row_key', o.row_key, 'kind', o.kind,
                'reason', o.reason, 'server_version', o.server_version) ORDER BY o.seq), '[]')
            FROM sync_outcomes o
            WHERE o.workstation_id = p_workstation AND o.seq BETWEEN v_first AND v_last),
        'older', EXISTS (SELECT FROM sync_outcomes o
                         WHERE o.workstation_id = p_workstation AND o.seq < v_first));
END
"""


# The helpers the policies and triggers ask who the session is (0004, 0005, 0007), as SQL
# functions until this revision: name, what it returns, its body, SECURITY DEFINER or not. A SQL
# function that cannot be inlined (these set their search_path) is parsed and planned again at
# every statement that calls it; PL/pgSQL keeps its plan for the session. Same queries, same
# answers: the first row, or none.
HELPERS: dict[str, tuple[str, str, bool]] = {
    "cw_me": ("uuid", "SELECT id FROM users WHERE username = session_user::text AND active", False),
    "cw_my_team": (
        "uuid",
        "SELECT team_id FROM users WHERE username = session_user::text AND active",
        False,
    ),
    "cw_is_lead": (
        "boolean",
        "SELECT coalesce(bool_or(role = 'team_lead'), false) FROM users "
        "WHERE username = session_user::text AND active",
        False,
    ),
    "cw_my_role": (
        "text",
        "SELECT role FROM users WHERE username = session_user::text AND active",
        False,
    ),
    "cw_staff_session": (
        "boolean",
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        f"JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = '{STAFF}' "
        "AND r.rolname = session_user AND NOT r.rolsuper)",
        False,
    ),
    "cw_today": (
        "date",
        "SELECT (now() AT TIME ZONE coalesce((SELECT value ->> 'business_zone' "
        "FROM server_policy WHERE key = 'collection'), 'Asia/Shanghai'))::date",
        False,
    ),
    "cw_my_visit_loans": (
        "SETOF uuid",
        "SELECT loan_id FROM field_visits WHERE (agent_id = cw_me() OR second_agent_id = cw_me()) "
        "AND (status = 'planned' OR (status = 'done' AND visited_at > now() - interval '7 days'))",
        True,
    ),
}


def _helpers(language: str) -> None:
    for name, (returns, body, definer) in HELPERS.items():
        if language == "plpgsql":
            body = (
                f"BEGIN RETURN QUERY {body}; END"
                if returns.startswith("SETOF")
                else f"BEGIN RETURN ({body} LIMIT 1); END"
            )
        security = " SECURITY DEFINER" if definer else ""
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS {returns} LANGUAGE {language} STABLE"
            f"{security} SET search_path = public AS $$ {body} $$"
        )


# The synced tables a pull reads (the audit trail goes up, not down).
PULLED = tuple(table for table in SYNCED if table != "audit_events")
CHANGED = "cw_sync_changed(bigint)"


def _changed() -> str:
    """The tables among PULLED with rows the session sees written at or after the cursor, each
    asked through its changed_tx index (the upper bound excludes nothing: with it the plan made
    once for any cursor takes the range as narrow and keeps to the index)."""
    asks = "\n    ".join(
        f"IF EXISTS (SELECT 1 FROM {table} WHERE changed_tx >= p_cursor "
        f"AND changed_tx <= {2**63 - 1}) THEN found := found || '{table}'::text; END IF;"
        for table in PULLED
    )
    return f"DECLARE found text[] := '{{}}'; BEGIN\n    {asks}\n    RETURN found; END"


SINCE = "cw_sync_since(anyelement, bigint)"


def _since() -> str:
    """A table's rows the session sees written at or after the cursor, the table named by
    the type of the first argument (NULL::<table>): one branch, and one plan, per table."""
    branches = "\n    ".join(
        f"WHEN '{table}'::regtype THEN RETURN QUERY SELECT * FROM {table} "
        f"WHERE changed_tx >= p_cursor AND changed_tx <= {2**63 - 1};"
        for table in PULLED
    )
    return (
        f"BEGIN CASE pg_typeof(p_table)\n    {branches}\n    ELSE RAISE EXCEPTION "
        "'Rows of % are not synced.', pg_typeof(p_table) USING ERRCODE = '42501'; "
        "END CASE; END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _helpers("plpgsql")
    op.execute(
        "CREATE FUNCTION cw_sync_changed(p_cursor bigint) RETURNS text[] LANGUAGE plpgsql "
        "STABLE SECURITY INVOKER SET search_path = public "
        f"SET plan_cache_mode = force_generic_plan AS $$ {_changed()} $$"
    )
    op.execute(f"ALTER FUNCTION {CHANGED} OWNER TO {OWNER}")
    op.execute(f"REVOKE ALL ON FUNCTION {CHANGED} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {CHANGED} TO {STAFF}")
    op.execute(
        "CREATE FUNCTION cw_sync_since(p_table anyelement, p_cursor bigint) "
        "RETURNS SETOF anyelement LANGUAGE plpgsql STABLE SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {_since()} $$"
    )
    op.execute(f"ALTER FUNCTION {SINCE} OWNER TO {OWNER}")
    op.execute(f"REVOKE ALL ON FUNCTION {SINCE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SINCE} TO {STAFF}")
    op.execute(
        "CREATE FUNCTION cw_sync_push(p_username text, p_workstation uuid, p_changes jsonb) "
        "RETURNS json LANGUAGE plpgsql SECURITY INVOKER SET search_path = public "
        f"SET plan_cache_mode = force_generic_plan AS $$ {PUSH} $$"
    )
    op.execute(f"ALTER FUNCTION {SIGNATURE} OWNER TO {OWNER}")
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {STAFF}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION {SIGNATURE}")
    op.execute(f"DROP FUNCTION {CHANGED}")
    op.execute(f"DROP FUNCTION {SINCE}")
    _helpers("sql")
