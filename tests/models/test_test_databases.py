"""The tests' empty databases are copies of one migrated once (tests/conftest.py, `db` and
`pg_db`): a copy must be what the migrations make of a new database, and the test's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from app.database import Database, head_revision
from tests.helpers.postgres import _database_acl, fresh_database, server_url

# What PostgreSQL holds of a schema: tables and columns, row-level security, policies,
# triggers, functions, privileges on tables, and who may connect to the database itself.
PG_SCHEMA = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default"
    " FROM information_schema.columns WHERE table_schema = 'public'",
    "security": "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
    " WHERE relnamespace = 'public'::regnamespace",
    "policies": "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check"
    " FROM pg_policies WHERE schemaname = 'public'",
    "triggers": "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger"
    " WHERE NOT tgisinternal",
    "functions": "SELECT proname, prosrc, prosecdef, proconfig::text FROM pg_proc"
    " WHERE pronamespace = 'public'::regnamespace",
    "grants": "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants"
    " WHERE table_schema = 'public'",
    "rows": "SELECT version_num FROM alembic_version",
}


def _sqlite_schema(db: Database) -> list[tuple[object, ...]]:
    """Every table, index, trigger and view with its statement; a table's lines in order, as
    the migrations' table rebuilds write its constraints in an order of their own each time."""
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        return sorted(
            (
                (kind, name, table, sorted(sql.replace(",", "\n").split("\n")))
                if kind == "table" and sql
                else (kind, name, table, sql)
                for kind, name, table, sql in rows
            ),
            key=repr,
        )


def test_an_embedded_database_of_a_test_is_a_migrated_one_of_its_own(
    db: Database, tmp_path: Path
) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        fresh.upgrade()
        assert _sqlite_schema(db) == _sqlite_schema(fresh)
    finally:
        fresh.dispose()
    assert db.revision() == head_revision()
    assert Path(db.engine.url.database or "").parent == tmp_path


def _pg_schema(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = {
                name: sorted((tuple(row) for row in connection.execute(text(query))), key=repr)
                for name, query in PG_SCHEMA.items()
            }
            database = connection.execute(text("SELECT current_database()")).scalar_one()
            found["database"] = list(_database_acl(connection, database))
        return found
    finally:
        engine.dispose()


def test_a_postgresql_database_of_a_test_is_a_migrated_one_of_its_own(pg_db: Database) -> None:
    with fresh_database() as url:
        fresh = Database(url)
        try:
            fresh.upgrade()
        finally:
            fresh.dispose()
        copied, migrated = _pg_schema(pg_db.url), _pg_schema(url)
    assert copied["functions"] and copied["policies"] and copied["database"]
    assert copied == migrated
    # The test's own: nobody else's database, and no other test's rows.
    assert pg_db.url != server_url().render_as_string(hide_password=False)
    with pg_db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
