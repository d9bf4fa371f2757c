"""Every table × staff role × write, tried over TCP as that role: what docs/security.md says a
role has no privilege for is refused by the server before any row is looked at, and what it
says they have is not (the row rules then decide; see test_attacks)."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from tests.central.authority import grants
from tests.central.conftest import World
from tests.helpers.postgres import server_ca

ROLES = ("collector_a", "agent_a", "lead_a")


def _refused(cursor: psycopg.Cursor, statement: sql.Composable | str) -> bool:  # type: ignore[type-arg]
    try:
        cursor.execute(statement)
    except psycopg.errors.InsufficientPrivilege as error:
        return "permission denied" in str(error)
    return False


def test_each_role_is_refused_every_write_it_has_no_privilege_for(world: World) -> None:
    documented = grants()
    columns: dict[str, list[str]] = {}
    for table in documented:
        columns[table] = [
            str(row[0])
            for row in world.admin(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped ORDER BY attnum",
                (table,),
            )
        ]
    wrong: list[str] = []
    tried = 0
    for role in ROLES:
        with world.cursor(role) as cursor:
            for table, grant in documented.items():
                name = sql.Identifier(table)
                attempts: list[tuple[str, sql.Composable, bool]] = [
                    (
                        "insert",
                        sql.SQL("INSERT INTO {t} DEFAULT VALUES").format(t=name)
                        if not grant.insert
                        else sql.SQL("INSERT INTO {t} SELECT * FROM {t} WHERE false").format(
                            t=name
                        ),
                        not grant.insert,
                    ),
                    (
                        "delete",
                        sql.SQL("DELETE FROM {t} WHERE false").format(t=name),
                        not grant.delete,
                    ),
                    (
                        "select",
                        sql.SQL("SELECT count(*) FROM {t}").format(t=name),
                        not grant.read,
                    ),
                ]
                for column in columns[table]:
                    allowed = grant.update is None or column in grant.update
                    attempts.append(
                        (
                            f"update {column}",
                            sql.SQL("UPDATE {t} SET {c} = {c} WHERE false").format(
                                t=name, c=sql.Identifier(column)
                            ),
                            not allowed,
                        )
                    )
                for what, statement, must_refuse in attempts:
                    tried += 1
                    if _refused(cursor, statement) != must_refuse:
                        wrong.append(
                            f"{role} {what} on {table}: {'allowed' if must_refuse else 'refused'}"
                        )
    assert wrong == []
    # Every table, every column, three roles.
    assert tried == len(ROLES) * sum(3 + len(names) for names in columns.values())


def test_the_feed_writes_the_ledger_and_what_payments_settle_and_nothing_else(
    world: World,
) -> None:
    """The lending system's own login, a member of cw_feed and of nothing else: the ledger,
    and what its payments settle (promises, plans, reported payments), never their terms."""
    feed = world.logins["collector_a"] + "_feed"
    world.admin(f"CREATE ROLE \"{feed}\" LOGIN PASSWORD 'feed password 12345' IN ROLE cw_feed")
    try:
        world.logins["feed"] = feed
        connection = psycopg.connect(
            host="127.0.0.1",
            port=world.db.engine.url.port or 5432,
            dbname=world.db.engine.url.database,
            user=feed,
            password="feed password 12345",
            autocommit=True,
            sslmode="verify-full",
            sslrootcert=str(server_ca()),
        )
        with connection, connection.cursor() as cursor:
            account = world.accounts["collector_b"]
            cursor.execute(
                "UPDATE instalments SET principal_paid = principal_paid WHERE loan_id = %s",
                (account.loan_id,),
            )
            assert cursor.rowcount == 12
            cursor.execute("SELECT count(*) FROM loans")
            assert cursor.fetchone() == (3,)
            cursor.execute("UPDATE repayment_plans SET status = status")
            cursor.execute("UPDATE promises SET status = status, paid_amount = paid_amount")
            # It stages a file's rows in temporary tables (staff may make none: test_attacks).
            cursor.execute("CREATE TEMPORARY TABLE feed_stage (x int) ON COMMIT DROP")
            for statement in (
                "SELECT count(*) FROM contact_attempts",
                "INSERT INTO account_notes DEFAULT VALUES",
                "UPDATE repayment_plans SET total_amount = total_amount",
                "UPDATE promises SET amount = amount",
                "UPDATE plan_instalments SET amount = amount",
                "INSERT INTO reported_payments DEFAULT VALUES",
                "UPDATE reported_payments SET amount = amount",
                "DELETE FROM payments",
                "DELETE FROM feed_batches",
            ):
                assert _refused(cursor, statement), statement
            # Its audit events are the system's own, in nobody's name.
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                cursor.execute(
                    "INSERT INTO audit_events (id, at, user_id, action, entity, entity_id,"
                    " details) SELECT gen_random_uuid(), now(), id, 'x.y', 'x', 'x', '{}'"
                    " FROM users LIMIT 1"
                )
    finally:
        world.logins.pop("feed", None)
        world.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (feed,)
        )
        world.admin(f'DROP ROLE "{feed}"')


def test_the_reminders_job_reads_and_writes_only_what_its_column_says(world: World) -> None:
    """The system login (cw_system), over TCP as itself: every table, every column read and
    updated, every insert and delete, allowed exactly where docs/security.md's system column
    says; the row rules then decide (test_attacks)."""
    world.system()
    wrong: list[str] = []
    with world.cursor("system") as cursor:
        for table, grant in grants().items():
            system = grant.system or {}
            name = sql.Identifier(table)
            columns = [
                str(column)
                for (column,) in world.admin(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                    " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                    (table,),
                )
            ]
            attempts: list[tuple[str, sql.Composable, bool]] = [
                (
                    "insert",
                    # Inserting no row reads none (the job may insert where it reads nothing).
                    sql.SQL("INSERT INTO {t} ({c}) SELECT NULL WHERE false").format(
                        t=name, c=sql.Identifier(columns[0])
                    )
                    if "insert" in system
                    else sql.SQL("INSERT INTO {t} DEFAULT VALUES").format(t=name),
                    "insert" not in system,
                ),
                (
                    "delete",
                    sql.SQL("DELETE FROM {t} WHERE false").format(t=name),
                    "delete" not in system,
                ),
            ]
            for column in columns:
                c = sql.Identifier(column)
                for operation, statement in (
                    ("read", sql.SQL("SELECT {c} FROM {t} WHERE false")),
                    ("update", sql.SQL("UPDATE {t} SET {c} = {c} WHERE false")),
                ):
                    named = system.get(operation, ())
                    allowed = operation in system and (named is None or column in named)
                    attempts.append(
                        (f"{operation} {column}", statement.format(t=name, c=c), not allowed)
                    )
            for what, statement, must_refuse in attempts:
                if _refused(cursor, statement) != must_refuse:
                    wrong.append(f"{what} on {table}: {'allowed' if must_refuse else 'refused'}")
    assert wrong == []
