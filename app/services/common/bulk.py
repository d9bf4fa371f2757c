"""Many rows at once, the way each database takes them fastest: COPY into PostgreSQL,
executemany into SQLite; and a large set of keys to filter by in SQL."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    Connection,
    MetaData,
    Table,
    Uuid,
    any_,
    bindparam,
    insert,
    select,
)
from sqlalchemy.sql import ColumnElement

# Above this many keys SQLite gets them in a temporary table rather than as parameters.
_INLINE_KEYS = 500
_names = itertools.count(1)


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (Python values, each naming the same columns) into `table`."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    json = {name for name in names if isinstance(table.c[name].type, JSON)}
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([Jsonb(row[name]) if name in json else row[name] for name in names])


@contextmanager
def key_set(
    connection: Connection, keys: Collection[uuid.UUID]
) -> Iterator[Callable[[Any], ColumnElement[bool]]]:
    """A filter `column ∈ keys` for statements on `connection`, however many keys there are:
    one array parameter on PostgreSQL, a temporary table on SQLite beyond a few hundred."""
    values = list(keys)
    if connection.dialect.name == "postgresql":
        name = f"keys_{next(_names)}"

        def among(column: Any) -> ColumnElement[bool]:
            found: ColumnElement[bool] = column == any_(
                bindparam(name, values, type_=ARRAY(Uuid()))
            )
            return found

        yield among
        return
    if len(values) <= _INLINE_KEYS:
        yield lambda column: column.in_(values)
        return
    temporary = Table(
        f"cw_keys_{next(_names)}",
        MetaData(),
        Column("id", Uuid(), primary_key=True),
        prefixes=["TEMPORARY"],
    )
    temporary.create(connection)
    try:
        connection.execute(insert(temporary), [{"id": key} for key in values])
        yield lambda column: column.in_(select(temporary.c.id))
    finally:
        temporary.drop(connection)
