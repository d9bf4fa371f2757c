"""A push through the server's one call (`cw_sync_push`) and through the statements it replaces
leave the same central rows and the same outcome for each change; a pull is told of exactly the
tables a read would find something new in.

The two pushes run on two copies of one central (CREATE DATABASE … TEMPLATE), each signed in
as the same collector over TCP, so every row either leaves, seen or not by the collector, is
compared by the administrator afterwards.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.database import Database
from app.services.sync import engine as sync
from app.services.sync.workstation import parse_server, sign_in
from tests.central.conftest import PASSWORD, World, today
from tests.helpers.postgres import server_tls, server_url

LOCAL = sqlite.dialect()
# What differs between two copies by nature: the transaction that wrote a row (or made a
# mark), and when the workstation's row was last touched.
UNCOMPARED = {"changed_tx", "tx", "updated_at"}


def _row(world: World, table: str, **key: object) -> dict[str, Any]:
    """A row as the workstation holds it (typed), read by the administrator."""
    found = sync.BY_NAME[table]
    with world.db.engine.connect() as connection:
        row = connection.execute(
            select(found).where(*(found.c[name] == value for name, value in key.items()))
        ).one()
    return dict(row._mapping)


def _payload(
    seq: int,
    table: str,
    op: str,
    values: dict[str, Any] | None,
    *,
    changed: tuple[str, ...] = (),
    base: int | None = None,
    key: tuple[object, ...] | None = None,
) -> sync._Payload:
    found = sync.BY_NAME[table]
    if key is None:
        assert values is not None
        key = tuple(values[column.name] for column in found.primary_key)
    if op == "insert":
        changed = tuple(c.name for c in found.columns if c.name not in sync.BOOKKEEPING)
    return sync._Payload(
        seq,
        table,
        sync._key_text(key),
        op,
        base,
        values,
        changed,
        {name: str((values or {}).get(name)) for name in changed},
        None,
    )


def _note(world: World, loan: uuid.UUID, user: uuid.UUID, **extra: object) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "loan_id": loan,
        "user_id": user,
        "created_at": today(),
        "text": "同步",
        "row_version": 1,
        "changed_tx": None,
        **extra,
    }


def _event(user: uuid.UUID, action: str, details: object) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "at": today() - timedelta(minutes=5),
        "user_id": user,
        "action": action,
        "entity": "loan",
        "entity_id": "x",
        "details": details,
        "row_version": 1,
        "changed_tx": None,
    }


def _batch(world: World) -> list[sync._Payload]:
    """Accepted, sent twice (seen and unseen), refused by policy, by a trigger, by privilege,
    conflicts, rows the server has not for the user, and what the workstation decides itself."""
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    me, lead, them = (world.user_id(key) for key in ("collector_a", "lead_a", "collector_b"))
    seen = _note(world, mine.loan_id, me, text="已在服务器")
    unseen = _note(world, theirs.loan_id, them, text="别组的")
    for note in (seen, unseen):
        world.admin(
            "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
            " VALUES (%s, %s, %s, %s, %s)",
            (note["id"], note["loan_id"], note["user_id"], note["created_at"], note["text"]),
        )
    borrower = _row(world, "borrowers", id=mine.borrower_id)
    version = borrower["row_version"]
    point = _row(world, "contact_points", id=mine.points["mobile"])
    attempt = uuid.uuid4()
    world.admin(
        "INSERT INTO contact_attempts (id, loan_id, borrower_id, contact_point_id, user_id,"
        " channel, started_at, duration_seconds, disposition, right_party, checklist,"
        " script_steps, created_at) VALUES (%s, %s, %s, %s, %s, 'call', now(), 60, 'NA', false,"
        " '[]', '[]', now())",
        (attempt, mine.loan_id, mine.borrower_id, mine.points["mobile"], me),
    )
    logged = _row(world, "contact_attempts", id=attempt)
    return [
        _payload(1, "account_notes", "insert", _note(world, mine.loan_id, me)),
        _payload(2, "audit_events", "insert", _event(lead, "note.added", {"字": [1, 2]})),
        _payload(3, "account_notes", "insert", _note(world, mine.loan_id, lead)),
        _payload(4, "account_notes", "insert", _note(world, theirs.loan_id, me)),
        _payload(5, "audit_events", "insert", _event(me, "Forged", {})),
        _payload(6, "account_notes", "insert", seen),
        _payload(7, "account_notes", "insert", {**unseen, "loan_id": mine.loan_id, "user_id": me}),
        _payload(
            8, "loans", "insert", {**_row(world, "loans", id=mine.loan_id), "id": uuid.uuid4()}
        ),
        _payload(
            9,
            "borrowers",
            "update",
            {**borrower, "vulnerable": True},
            changed=("vulnerable",),
            base=version,
        ),
        # The same row again in the batch, from the version the workstation had: it builds on
        # the edit before.
        _payload(
            10,
            "borrowers",
            "update",
            {**borrower, "vulnerable": True, "employer": "新单位"},
            changed=("employer",),
            base=version,
        ),
        _payload(
            11,
            "borrowers",
            "update",
            {**_row(world, "borrowers", id=theirs.borrower_id), "vulnerable": True},
            changed=("vulnerable",),
            base=1,
        ),
        _payload(
            12,
            "contact_points",
            "update",
            {**point, "wrong_number": True},
            changed=("wrong_number",),
            base=point["row_version"] + 5,
        ),
        _payload(
            13,
            "borrowers",
            "update",
            {**borrower, "name": "改名"},
            changed=("name",),
            base=version,
        ),
        _payload(14, "account_notes", "update", seen, changed=("text",)),
        _payload(15, "contact_points", "update", point, changed=(), base=point["row_version"]),
        _payload(16, "account_notes", "insert", None, key=(uuid.uuid4(),)),
        _payload(
            17,
            "contact_attempts",
            "update",
            {**logged, "duration_seconds": 1},
            changed=("duration_seconds",),
        ),
        _payload(18, "account_notes", "insert", _note(world, mine.loan_id, me, text="最后")),
    ]


@contextmanager
def _copies(world: World, count: int) -> Iterator[list[str]]:
    """`count` copies of the world's central, by name; dropped after."""
    source = make_url(world.db.url).database
    world.db.engine.dispose()
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    names = [f"{source}_copy{index}" for index in range(count)]
    try:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                {"d": source},
            )
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        yield names
    finally:
        for name in names:
            for attempt in range(5):
                try:
                    with admin.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    break
                except DBAPIError:
                    # The database's row in pg_database can be updated at that moment by the
                    # autovacuum launcher ("tuple concurrently updated"): once more.
                    if attempt == 4:
                        raise
        admin.dispose()


def _signed_in(world: World, database: str, key: str) -> Database:
    url = make_url(world.db.url)
    server = parse_server(f"127.0.0.1:{url.port or 5432}/{database}")
    return sign_in(server, world.logins[key], PASSWORD, server_tls())


def _everything(database: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a central, as the administrator reads them."""
    engine = create_engine(server_url().set(database=database))
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars()
            found = {}
            for table in sorted(tables):
                columns = [
                    name
                    for name in connection.execute(
                        text(
                            "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass)"
                            " AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
                        ),
                        {"t": table},
                    ).scalars()
                    if name not in UNCOMPARED
                ]
                listed = ", ".join(f'"{name}"::text' for name in columns)
                found[table] = sorted(
                    tuple(row) for row in connection.execute(text(f"SELECT {listed} FROM {table}"))
                )
        return found
    finally:
        engine.dispose()


WORKSTATION = uuid.uuid4()


def _push(
    world: World, database: str, payloads: list[sync._Payload], *, one_call: bool
) -> dict[int, tuple[Any, ...]]:
    """The batch applied on `database` as collector_a's workstation, one way or the other: the
    outcomes kept for each change, as the workstation reads them."""
    central = _signed_in(world, database, "collector_a")
    workstation = WORKSTATION
    try:
        applied = sync._apply_on_server(
            central, world.logins["collector_a"], workstation, payloads, local=LOCAL
        )
        assert (applied is not None) == one_call
        with central.engine.connect() as connection:
            kept: dict[int, tuple[Any, ...]] = {
                row.seq: (row.table_name, row.row_key, row.kind, row.reason, row.server_version)
                for row in connection.execute(
                    select(sync.OUTCOMES).where(sync.OUTCOMES.c.workstation_id == workstation)
                )
            }
            last = connection.execute(
                select(sync.WORKSTATIONS.c.last_applied).where(
                    sync.WORKSTATIONS.c.id == workstation
                )
            ).scalar_one()
        assert last == payloads[-1].seq
        if applied is not None:
            # What the call hands back is what a read of the outcomes finds.
            assert {
                seq: (row.table_name, row.row_key, row.kind, row.reason, row.server_version)
                for seq, row in applied.outcomes.items()
            } == kept
        return kept
    finally:
        central.dispose()


def test_a_push_in_one_call_leaves_what_the_statements_left(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    payloads = _batch(world)
    with _copies(world, 2) as (by_statements, by_call):
        monkeypatch.setattr(sync, "PUSH_IN_ONE_CALL", False)
        statements = _push(world, by_statements, payloads, one_call=False)
        monkeypatch.setattr(sync, "PUSH_IN_ONE_CALL", True)
        call = _push(world, by_call, payloads, one_call=True)
        assert call == statements
        reasons = {seq: json.loads(kept[3]) for seq, kept in call.items()}
        assert {seq: (kept[2], kept[4]) for seq, kept in call.items()} == {
            3: ("refused", None),  # another user's name
            4: ("refused", None),  # another team's account
            5: ("refused", None),  # the audit trigger
            7: ("refused", None),  # sent twice, the first unseen: its key is taken
            8: ("refused", None),  # the ledger
            9: ("applied", 2),
            10: ("applied", 3),  # from the version the edit before made
            11: ("refused", None),  # not the user's to see
            12: ("conflict", 1),
            13: ("refused", None),  # a column staff may not write
            14: ("refused", None),  # a log entry
            16: ("refused", None),  # gone from the copy
            17: ("refused", None),
        }
        assert reasons[5]["params"] == {"reason": "An audit event names an action and an entity."}
        assert reasons[8]["params"] == {"reason": "permission denied for table loans"}
        assert reasons[11]["template"] == "The server has no such row for you."
        assert reasons[12]["template"] == (
            "Someone changed this on the server since this copy last synced."
        )
        assert "pk_account_notes" in reasons[7]["params"]["reason"]
        # Every row of the central, seen by the collector or not, is the same both ways.
        after_statements, after_call = _everything(by_statements), _everything(by_call)
        assert after_call == after_statements
        notes = {value for row in after_call["account_notes"] for value in row}
        assert {"同步", "最后", "已在服务器", "别组的"} <= notes


def test_a_pull_is_told_of_exactly_the_tables_with_something_new_for_the_user(
    world: World,
) -> None:
    (cursor_tx,), *_ = world.admin("SELECT pg_current_xact_id()::text")
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    with world.cursor("collector_a") as cursor:
        cursor.execute(
            "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
            " VALUES (gen_random_uuid(), %s, cw_me(), now(), 'a')",
            (mine.loan_id,),
        )
        cursor.execute("UPDATE borrowers SET employer = 'b' WHERE id = %s", (mine.borrower_id,))
    with world.cursor("collector_b") as cursor:
        cursor.execute(
            "UPDATE contact_points SET verified = true WHERE borrower_id = %s",
            (theirs.borrower_id,),
        )
    pulled = [table.name for table in sync.TABLES if table.name not in sync.NOT_PULLED]
    for key in ("collector_a", "lead_a", "collector_b", "lead_b", "agent_a"):
        with world.cursor(key) as cursor:
            cursor.execute("SELECT cw_sync_changed(%s::bigint)", (cursor_tx,))
            (told,) = cursor.fetchone() or ([],)
            found = []
            for table in pulled:
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {table} WHERE changed_tx >= %s)", (cursor_tx,)
                )
                if (cursor.fetchone() or (False,))[0]:
                    found.append(table)
                # And a table's rows since the cursor come whole through cw_sync_since.
                cursor.execute(
                    f"SELECT count(*) FROM cw_sync_since(NULL::{table}, %s::bigint)",
                    (cursor_tx,),
                )
                since = (cursor.fetchone() or (0,))[0]
                cursor.execute(f"SELECT count(*) FROM {table} WHERE changed_tx >= %s", (cursor_tx,))
                assert since == (cursor.fetchone() or (0,))[0], (key, table)
            assert sorted(told) == sorted(found), key
            if key in ("collector_a", "lead_a"):
                assert {"account_notes", "borrowers"} <= set(told), key
            if key == "collector_a":
                assert "contact_points" not in told


def test_a_json_null_the_call_cannot_carry_goes_statement_by_statement(world: World) -> None:
    """A JSON column holding JSON null cannot be told from SQL NULL in the call's JSON record:
    such a batch is sent as statements, and lands as they land it."""
    me = world.user_id("collector_a")
    event = _event(me, "note.added", None)
    central = _signed_in(world, make_url(world.db.url).database or "", "collector_a")
    try:
        payloads = [_payload(1, "audit_events", "insert", event)]
        with central.engine.connect() as connection:
            assert sync._changes_json(connection, payloads) is None
            assert sync._changes_json(
                connection, [_payload(1, "audit_events", "insert", {**event, "details": {}})]
            )
        applied = sync._apply_on_server(
            central, world.logins["collector_a"], uuid.uuid4(), payloads, local=LOCAL
        )
        assert applied is None
    finally:
        central.dispose()
    assert world.admin(
        "SELECT details::text, user_id FROM audit_events WHERE id = %s", (event["id"],)
    ) == [("null", me)]
