"""docs/security.md is the server's own account of itself: held against the catalogue."""

from __future__ import annotations

import inspect

from tests.central import test_attacks
from tests.central.authority import grants, rules
from tests.central.conftest import World

OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def test_the_privileges_table_is_the_servers(world: World) -> None:
    documented = grants()
    tables = {
        row[0]
        for row in world.admin(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
    }
    assert set(documented) == tables
    for table, grant in documented.items():
        (read, insert, delete), *_ = world.admin(
            "SELECT has_table_privilege('cw_staff', %s, 'SELECT'),"
            " has_table_privilege('cw_staff', %s, 'INSERT'),"
            " has_table_privilege('cw_staff', %s, 'DELETE')",
            (table, table, table),
        )
        assert (read, insert, delete) == (grant.read, grant.insert, grant.delete), table
        columns = [
            str(row[0])
            for row in world.admin(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped",
                (table,),
            )
        ]
        writable = {
            column
            for column in columns
            if world.admin(
                "SELECT has_column_privilege('cw_staff', %s, %s, 'UPDATE')", (table, column)
            )[0][0]
        }
        assert writable == (set(columns) if grant.update is None else set(grant.update)), table
        feed = {
            operation.lower()
            for operation in OPERATIONS
            if world.admin("SELECT has_table_privilege('cw_feed', %s, %s)", (table, operation))[0][
                0
            ]
        }
        assert feed == set(grant.feed), table
        if "update" not in grant.feed:
            updates = {
                column
                for column in columns
                if world.admin(
                    "SELECT has_column_privilege('cw_feed', %s, %s, 'UPDATE')", (table, column)
                )[0][0]
            }
            assert updates == set(grant.feed_update), table
        system = grant.system or {}
        for operation, privilege in (
            ("read", "SELECT"),
            ("insert", "INSERT"),
            ("update", "UPDATE"),
            ("delete", "DELETE"),
        ):
            whole = operation in system and system[operation] is None
            assert world.admin(
                "SELECT has_table_privilege('cw_system', %s, %s)", (table, privilege)
            ) == [(whole,)], (table, operation)
            if privilege in ("SELECT", "UPDATE"):
                held = {
                    column
                    for column in columns
                    if world.admin(
                        "SELECT has_column_privilege('cw_system', %s, %s, %s)",
                        (table, column, privilege),
                    )[0][0]
                }
                listed = system.get(operation) or ()
                expected = set(columns) if whole else set(listed)
                assert held == expected, (table, operation)


def test_every_mechanism_a_rule_names_is_on_the_server(world: World) -> None:
    names = {
        str(row[0])
        for row in world.admin(
            "SELECT polname FROM pg_policy UNION SELECT tgname FROM pg_trigger"
            " UNION SELECT proname FROM pg_proc UNION SELECT relname FROM pg_class"
        )
    }
    for rule in rules().values():
        assert rule.mechanisms, rule.id
        missing = [name for name in rule.mechanisms if name not in names]
        assert missing == [], rule.id


def test_every_rule_is_attacked() -> None:
    attacked = {
        rule
        for _, function in inspect.getmembers(test_attacks, inspect.isfunction)
        for rule in getattr(function, "rules", ())
    }
    assert attacked == set(rules())
