"""Many rows at once, the way each database takes them fastest: COPY into PostgreSQL,
executemany into SQLite; updates from arrays; and a large set of keys to filter by in SQL.

Nothing here makes a temporary table on PostgreSQL: the lending system's feed login may not
(`central init` grants no TEMPORARY on the database), so large sets travel as arrays.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    Connection,
    Enum,
    MetaData,
    String,
    Table,
    Uuid,
    and_,
    any_,
    bindparam,
    column,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import TypeEngine

# Above this many keys SQLite gets them in a temporary table rather than as parameters.
_INLINE_KEYS = 500
# Rows a PostgreSQL INSERT or UPDATE takes at once (as arrays, one a column).
_ARRAY_ROWS = 50_000
_names = itertools.count(1)


def with_defaults(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """`row` with the Python-side defaults of the columns it leaves out (ids, flags, times), as
    the ORM would fill them: COPY and executemany take only what they are given."""
    complete = dict(row)
    for found in table.columns:
        if found.name in complete or found.default is None:
            continue
        default: Any = found.default
        if default.is_scalar:
            complete[found.name] = default.arg
        elif default.is_callable:
            complete[found.name] = default.arg(None)
    return complete


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (Python values, each naming the same columns) into `table`.

    On PostgreSQL one INSERT … SELECT from unnested arrays per slice of rows (COPY is refused
    where row-level security applies, as it does to every login but a superuser); executemany
    on SQLite.
    """
    if not rows:
        return
    names = list(rows[0])
    if connection.dialect.name != "postgresql" or any(
        isinstance(table.c[name].type, JSON) for name in names
    ):
        connection.execute(insert(table), list(rows))
        return
    types = {name: _array_item(table.c[name].type) for name in names}
    for start in range(0, len(rows), _ARRAY_ROWS):
        chunk = rows[start : start + _ARRAY_ROWS]
        source = (
            func.unnest(
                *(
                    bindparam(f"i_{name}", [row[name] for row in chunk], type_=ARRAY(types[name]))
                    for name in names
                )
            )
            .table_valued(*(column(name, types[name]) for name in names))
            .render_derived(name="v")
        )
        connection.execute(
            insert(table).from_select(names, select(*(source.c[name] for name in names)))
        )


def copy_rows(connection: Connection, table: Table, rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` (each a value per column of `table`, in order) into a PostgreSQL table
    without row-level security: the fastest a server takes rows (a staging table)."""
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    names = ", ".join(column.name for column in table.columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def update_rows(
    connection: Connection,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    keep_none: bool = False,
) -> None:
    """Update `table` from `rows` (each naming the same columns): the row whose `keys` match
    takes the other columns' values; with `keep_none` a None leaves that column as it is.

    One UPDATE from unnested arrays on PostgreSQL, executemany on SQLite.
    """
    if not rows:
        return
    names = list(rows[0])
    changed = [name for name in names if name not in keys]
    if connection.dialect.name == "postgresql":
        types = {name: _array_item(table.c[name].type) for name in names}
        source = (
            func.unnest(
                *(
                    bindparam(f"u_{name}", [row[name] for row in rows], type_=ARRAY(types[name]))
                    for name in names
                )
            )
            .table_valued(*(column(name, types[name]) for name in names))
            .render_derived(name="v")
        )
        values: dict[str, Any] = {
            name: func.coalesce(source.c[name], table.c[name]) if keep_none else source.c[name]
            for name in changed
        }
        connection.execute(
            update(table)
            .where(and_(*(table.c[key] == source.c[key] for key in keys)))
            .values(values)
        )
        return
    given = {
        name: (
            func.coalesce(bindparam(f"v_{name}", type_=table.c[name].type), table.c[name])
            if keep_none
            else bindparam(f"v_{name}", type_=table.c[name].type)
        )
        for name in changed
    }
    connection.execute(
        update(table)
        .where(
            and_(*(table.c[key] == bindparam(f"k_{key}", type_=table.c[key].type) for key in keys))
        )
        .values(given),
        [
            {
                **{f"k_{key}": row[key] for key in keys},
                **{f"v_{name}": row[name] for name in changed},
            }
            for row in rows
        ],
    )


def _array_item(kind: TypeEngine[Any]) -> TypeEngine[Any]:
    # An enum stored as text (str_enum) travels as text in an array.
    return String() if isinstance(kind, Enum) else kind


@contextmanager
def key_set(
    connection: Connection, keys: Collection[Any], kind: TypeEngine[Any] | None = None
) -> Iterator[Callable[[Any], ColumnElement[bool]]]:
    """A filter `column ∈ keys` for statements on `connection`, however many keys there are:
    one array parameter on PostgreSQL, a temporary table on SQLite beyond a few hundred.

    kind: the keys' type (default UUID).
    """
    values = list(dict.fromkeys(keys))
    kind = kind if kind is not None else Uuid()
    if connection.dialect.name == "postgresql":
        name = f"keys_{next(_names)}"

        def among(column: Any) -> ColumnElement[bool]:
            found: ColumnElement[bool] = column == any_(bindparam(name, values, type_=ARRAY(kind)))
            return found

        yield among
        return
    if len(values) <= _INLINE_KEYS:
        yield lambda column: column.in_(values)
        return
    temporary = Table(
        f"cw_keys_{next(_names)}",
        MetaData(),
        Column("id", kind, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    temporary.create(connection)
    try:
        connection.execute(insert(temporary), [{"id": key} for key in values])
        yield lambda column: column.in_(select(temporary.c.id))
    finally:
        temporary.drop(connection)
