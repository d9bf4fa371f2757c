"""attachments: files attached to an account's records, their bytes kept by the database

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-09 01:00:00.000000

Issue 20, item 6 (a visit's photos and consent) and the store item 3 (a dispute's evidence)
builds on. Two tables:

- `attachment_contents`: the bytes (bytea; BLOB in a workstation's encrypted copy) filed under
  their account and SHA-256. The server works the hash out itself and refuses a content filed
  under another, an empty one, one beyond the policy's size, or one whose first bytes are not
  a type the policy takes (JPEG, PNG, PDF). Nobody changes a content; no staff login deletes
  one. A content is stored only with an attachment of it, in the same transaction (a deferred
  constraint trigger): no orphan bytes.
- `attachments`: one row an attachment — the account, what it is attached to (a kind the
  policy knows and its id: a visit on the same account, which the signed-in user is an agent
  of or leads the team of), its purpose, file name (no folder, no control character), type,
  size, hash, who added it and when. Written once, in the adder's own name, on an account of
  their scope; nobody changes it; no staff login deletes it. Its content must be there by the
  end of its transaction (a deferred foreign key) and be of its size and type.

So a push that is killed half-way leaves nothing of an attachment on the server, and a push
that commits leaves all of it. `attachments` is synced like every account table (a
`changed_tx`, the mark trigger of 0027, read by key in a pull, taken by `cw_sync_push`); the
contents are not (a pull fetches only the ones its copy lacks, by key).

The sync functions (0023's `cw_sync_push`, `cw_sync_changed(bigint)` and
`cw_sync_since(anyelement, bigint)`, 0027's `cw_sync_changed` and `cw_sync_since`) are made
again from their migrations' own generators, with every synced table the catalogue holds now
(this one, and any other added since 0027 with a `changed_tx`).
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
SEEN = "EXISTS (SELECT 1 FROM loans WHERE loans.id = {table}.loan_id)"

# The media type whose first bytes (the policy's `magic`, hex) begin the content; NULL: none.
TYPE_OF = """
SELECT t.key FROM server_policy p, jsonb_each(p.value -> 'types') t
 WHERE p.key = 'attachments'
   AND substring(p_content FROM 1 FOR octet_length(decode(t.value ->> 'magic', 'hex')))
       = decode(t.value ->> 'magic', 'hex')
 LIMIT 1
"""

CONTENTS_GUARD = """
DECLARE
    v_policy jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM cw_refuse('An attachment''s content is never changed.');
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF cw_staff_session() THEN
            PERFORM cw_refuse('No staff login deletes an attachment.');
        END IF;
        RETURN OLD;
    END IF;
    IF cw_staff_session() AND cw_me() IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    SELECT value INTO v_policy FROM server_policy WHERE key = 'attachments';
    IF v_policy IS NULL THEN
        PERFORM cw_refuse('The server has no attachment policy: run central init.');
    END IF;
    IF NEW.content IS NULL OR octet_length(NEW.content) = 0 THEN
        PERFORM cw_refuse('An attachment is never empty.');
    END IF;
    IF octet_length(NEW.content) > (v_policy ->> 'max_bytes')::bigint THEN
        PERFORM cw_refuse('An attachment is at most ' || (v_policy ->> 'max_bytes') || ' bytes.');
    END IF;
    IF NEW.size IS DISTINCT FROM octet_length(NEW.content) THEN
        PERFORM cw_refuse('An attachment''s size is its content''s.');
    END IF;
    IF NEW.sha256 IS DISTINCT FROM encode(sha256(NEW.content), 'hex') THEN
        PERFORM cw_refuse('An attachment''s content is filed under its own SHA-256.');
    END IF;
    IF cw_attachment_type(NEW.content) IS NULL THEN
        PERFORM cw_refuse('An attachment''s first bytes are of no type the policy takes.');
    END IF;
    RETURN NEW;
END
"""

# At the end of the transaction that stored a content: an attachment of it is there too.
CONTENTS_USED = """
BEGIN
    IF NOT EXISTS (SELECT 1 FROM attachments a
                    WHERE a.loan_id = NEW.loan_id AND a.sha256 = NEW.sha256) THEN
        PERFORM cw_refuse('A content is stored only with an attachment of it.');
    END IF;
    RETURN NULL;
END
"""

GUARD = """
DECLARE
    v_policy jsonb;
    v_visit record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM cw_refuse('An attachment is never changed once added.');
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF cw_staff_session() THEN
            PERFORM cw_refuse('No staff login deletes an attachment.');
        END IF;
        RETURN OLD;
    END IF;
    SELECT value INTO v_policy FROM server_policy WHERE key = 'attachments';
    IF v_policy IS NULL THEN
        PERFORM cw_refuse('The server has no attachment policy: run central init.');
    END IF;
    IF NOT coalesce((v_policy -> 'kinds') ? NEW.subject_kind, false) THEN
        PERFORM cw_refuse('No attachment is taken on a ' || coalesce(NEW.subject_kind, '?') || '.');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_policy -> 'kinds' -> NEW.subject_kind
                   -> 'purposes') p WHERE p ->> 'code' = NEW.purpose) THEN
        PERFORM cw_refuse('An attachment has a purpose its kind knows.');
    END IF;
    IF NOT coalesce((v_policy -> 'types') ? NEW.media_type, false) THEN
        PERFORM cw_refuse('An attachment''s first bytes are of no type the policy takes.');
    END IF;
    IF NEW.file_name IS NULL OR NEW.file_name IN ('', '.', '..') OR NEW.file_name ~ '[/\\\\]'
       OR NEW.file_name ~ '[[:cntrl:]]' OR NEW.file_name <> btrim(NEW.file_name) THEN
        PERFORM cw_refuse('An attachment''s name is a bare file name, no control character.');
    END IF;
    IF NEW.size IS NULL OR NEW.size <= 0 OR NEW.size > (v_policy ->> 'max_bytes')::bigint
       OR NEW.sha256 IS NULL OR NEW.sha256 !~ '^[0-9a-f]{64}$' THEN
        PERFORM cw_refuse('An attachment is at most ' || (v_policy ->> 'max_bytes') || ' bytes.');
    END IF;
    IF NEW.added_at IS NULL OR NEW.added_at > now() + interval '1 hour'
       OR NEW.added_at < now() - interval '90 days' THEN
        PERFORM cw_refuse('An attachment is dated when it is added.');
    END IF;
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF cw_me() IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF NEW.subject_kind = 'visit' THEN
        SELECT loan_id, agent_id, second_agent_id INTO v_visit FROM field_visits
         WHERE id = NEW.subject_id;
        IF NOT FOUND OR v_visit.loan_id IS DISTINCT FROM NEW.loan_id THEN
            PERFORM cw_refuse('A visit''s attachment is of a visit on the same account.');
        END IF;
        IF cw_me() IS DISTINCT FROM v_visit.agent_id
           AND cw_me() IS DISTINCT FROM v_visit.second_agent_id AND NOT cw_is_lead() THEN
            PERFORM cw_refuse('Only the visit''s agents or a team lead attach files to a visit.');
        END IF;
    END IF;
    RETURN NEW;
END
"""

# At the end of the transaction that added an attachment: its content is there (the deferred
# foreign key says so too), of its size and type.
WHOLE = """
DECLARE
    v_size integer;
    v_type text;
BEGIN
    SELECT c.size, cw_attachment_type(c.content) INTO v_size, v_type
      FROM attachment_contents c WHERE c.loan_id = NEW.loan_id AND c.sha256 = NEW.sha256;
    IF NOT FOUND THEN
        PERFORM cw_refuse('An attachment comes with its content, in the same transaction.');
    END IF;
    IF v_size IS DISTINCT FROM NEW.size OR v_type IS DISTINCT FROM NEW.media_type THEN
        PERFORM cw_refuse('An attachment''s size and type are its content''s.');
    END IF;
    RETURN NULL;
END
"""

FUNCTIONS = {
    "cw_attachment_contents_guard": CONTENTS_GUARD,
    "cw_attachment_contents_used": CONTENTS_USED,
    "cw_attachments_guard": GUARD,
    "cw_attachments_whole": WHOLE,
}
POLICIES = {
    "attachment_contents": {
        "select": (SEEN.format(table="attachment_contents"), None),
        "insert": (None, SEEN.format(table="attachment_contents")),
    },
    "attachments": {
        "select": (SEEN.format(table="attachments"), None),
        "insert": (None, f"{SEEN.format(table='attachments')} AND added_by_id = (SELECT cw_me())"),
    },
}
PUSH = "cw_sync_push(p_username text, p_workstation uuid, p_changes jsonb)"


def _sibling(name: str) -> ModuleType:
    """Another migration of this folder, loaded for its generators."""
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(f"cw_migration_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sync_functions(*, with_new: bool) -> None:
    """0023's push and 0027's pull functions, made again by their own generators: with every
    synced table the catalogue holds (`with_new`), or as their migrations left them."""
    fast, marks = _sibling("0023_sync_fast_path.py"), _sibling("0027_pull_marks.py")
    push = fast.PUSH
    if with_new:
        bind = op.get_bind()
        synced = bind.exec_driver_sql(
            "SELECT c.table_name FROM information_schema.columns c "
            "WHERE c.table_schema = current_schema() AND c.column_name = 'changed_tx' "
            "ORDER BY c.table_name"
        ).scalars()
        new = [table for table in synced if table not in fast.SYNCED]
        before = (fast._apply(sent_before=False), fast._apply(sent_before=True))
        for table in new:
            keys = bind.exec_driver_sql(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = %s::regclass"
                " AND i.indisprimary ORDER BY a.attnum",
                (table,),
            ).scalars()
            fast.SYNCED[table] = tuple(keys)
            loan = bind.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema ="
                " current_schema() AND table_name = %s AND column_name = 'loan_id')",
                (table,),
            ).scalar()
            if loan:
                marks.KEYS[table] = "NEW.loan_id"
            setattr(marks, "PULLED", (*getattr(marks, "PULLED"), table))  # noqa: B010, B009
            setattr(fast, "PULLED", (*getattr(fast, "PULLED"), table))  # noqa: B010, B009
        push = push.replace(before[0], fast._apply(sent_before=False)).replace(
            before[1], fast._apply(sent_before=True)
        )
    op.execute(
        f"CREATE OR REPLACE FUNCTION {PUSH} RETURNS json LANGUAGE plpgsql SECURITY INVOKER "
        "SET search_path = public SET plan_cache_mode = force_generic_plan "
        f"AS $$ {push} $$"
    )
    # 0023's reads since a cursor, which a pull not by marks still asks.
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


def upgrade() -> None:
    op.create_table(
        "attachment_contents",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_attachment_contents_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", "sha256", name=op.f("pk_attachment_contents")),
    )
    op.create_table(
        "attachments",
        sa.Column("loan_id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("location_kept", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("changed_tx", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_attachments_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_attachments_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id", "sha256"],
            ["attachment_contents.loan_id", "attachment_contents.sha256"],
            name=op.f("fk_attachments_loan_id_attachment_contents"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_loan", "attachments", ["loan_id"])
    op.create_index("ix_attachments_subject", "attachments", ["subject_kind", "subject_id"])
    op.create_index(op.f("ix_attachments_changed_tx"), "attachments", ["changed_tx"])
    if op.get_bind().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    op.execute(
        "CREATE FUNCTION cw_attachment_type(p_content bytea) RETURNS text LANGUAGE sql STABLE "
        f"SET search_path = public AS $$ {TYPE_OF} $$"
    )
    op.execute(f"ALTER FUNCTION cw_attachment_type(bytea) OWNER TO {OWNER}")
    for name, body in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION {name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
    for table, policies in POLICIES.items():
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {STAFF}")
        for command, (using, check) in policies.items():
            clauses = (f" USING ({using})" if using else "") + (
                f" WITH CHECK ({check})" if check else ""
            )
            op.execute(
                f"CREATE POLICY {table}_{command} ON {table} FOR {command.upper()} "
                f"TO {STAFF}{clauses}"
            )
        # What the administrator's own connection (cw_owner's tables: row security forced)
        # reads and writes: imports, the retention job.
        op.execute(
            f"CREATE POLICY {table}_owner ON {table} FOR ALL TO {OWNER} USING (true) "
            "WITH CHECK (true)"
        )
    op.execute(
        "CREATE TRIGGER attachment_contents_guard BEFORE INSERT OR UPDATE OR DELETE "
        "ON attachment_contents FOR EACH ROW EXECUTE FUNCTION cw_attachment_contents_guard()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER attachment_contents_used AFTER INSERT ON attachment_contents "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION cw_attachment_contents_used()"
    )
    op.execute(
        "CREATE TRIGGER attachments_stamp_change BEFORE INSERT OR UPDATE ON attachments "
        "FOR EACH ROW EXECUTE FUNCTION cw_stamp_change()"
    )
    op.execute(
        "CREATE TRIGGER attachments_guard BEFORE INSERT OR UPDATE OR DELETE ON attachments "
        "FOR EACH ROW EXECUTE FUNCTION cw_attachments_guard()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER attachments_whole AFTER INSERT ON attachments "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cw_attachments_whole()"
    )
    op.execute(
        "CREATE TRIGGER attachments_sync_mark AFTER INSERT OR UPDATE ON attachments "
        "FOR EACH ROW EXECUTE FUNCTION cw_sync_mark_loan()"
    )
    _sync_functions(with_new=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The sync functions as their migrations left them (the attachments' branches go).
        _sync_functions(with_new=False)
        op.execute("DROP TABLE attachments")
        op.execute("DROP TABLE attachment_contents")
        for name in FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
        op.execute("DROP FUNCTION cw_attachment_type(bytea)")
        return
    op.drop_table("attachments")
    op.drop_table("attachment_contents")
