"""Many rows at once, the way each database takes them fastest, and a large set of keys to
filter by in SQL.

Everything goes through `staged`: the rows as a relation SQL can join. On PostgreSQL they are
COPYed into a temporary table (COPY straight into a table is refused where row-level security
applies, as it does to every login but a superuser; a temporary table has none), then one
INSERT … SELECT or UPDATE … FROM moves them where they belong, under the policies. A login that
may make no temporary table (staff: `TEMPORARY` is revoked from PUBLIC on the central
database; the lending system's feed login is granted it) sends them as arrays instead, one a
column, unnested. On SQLite they go into a temporary table with executemany.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import psycopg
from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    Connection,
    Enum,
    FromClause,
    MetaData,
    Numeric,
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
from sqlalchemy.types import TypeDecorator, TypeEngine

# Fewer keys than this go into the statement as parameters (SQLite: a list; PostgreSQL: one
# array) rather than a temporary table.
_INLINE_KEYS = 500
# Rows a PostgreSQL statement takes at once as arrays (a login that may not stage them).
_ARRAY_ROWS = 50_000
_names = itertools.count(1)


def with_defaults(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """`row` with the Python-side defaults of the columns it leaves out (ids, flags, times), as
    the ORM would fill them: bulk statements take only what they are given."""
    complete = dict(row)
    for name, default in _defaults(table):
        if name in complete:
            continue
        if default.is_scalar:
            complete[name] = default.arg
        elif default.is_callable:
            complete[name] = default.arg(None)
    return complete


@cache
def _defaults(table: Table) -> tuple[tuple[str, Any], ...]:
    """The columns of `table` with a Python-side default, and each default."""
    return tuple(
        (found.name, found.default) for found in table.columns if found.default is not None
    )


@contextmanager
def staged(
    connection: Connection,
    columns: Sequence[tuple[str, TypeEngine[Any]]],
    rows: Sequence[Sequence[Any]],
) -> Iterator[FromClause]:
    """`rows` (a value for each of `columns`, as Python values of those types) as a relation,
    for statements on `connection` while the context lasts."""
    types = [(name, _plain(kind)) for name, kind in columns]
    if connection.dialect.name == "postgresql" and not _may_stage(connection):
        yield _unnested(types, rows)
        return
    table = Table(
        f"cw_stage_{next(_names)}",
        MetaData(),
        *(Column(name, kind) for name, kind in types),
        prefixes=["TEMPORARY"],
    )
    if connection.dialect.name == "postgresql":
        definition = ", ".join(
            f"{name} {kind.compile(dialect=connection.dialect)}" for name, kind in types
        )
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {table.name} ({definition}) ON COMMIT DROP"
        )
        copy_rows(connection, table, rows)
    else:
        table.create(connection)
        if rows:
            names = [name for name, _ in types]
            connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
    try:
        yield table
    finally:
        connection.exec_driver_sql(f"DROP TABLE {table.name}")


def _may_stage(connection: Connection) -> bool:
    """Whether this PostgreSQL login may make temporary tables (asked once a connection)."""
    info = connection.connection.info
    if "cw_may_stage" not in info:
        info["cw_may_stage"] = bool(
            connection.exec_driver_sql(
                "SELECT has_database_privilege(current_database(), 'TEMPORARY')"
            ).scalar()
        )
    return bool(info["cw_may_stage"])


def _unnested(types: Sequence[tuple[str, TypeEngine[Any]]], rows: Sequence[Sequence[Any]]) -> Any:
    # Arrays of the columns' PostgreSQL types (Money is NUMERIC(14, 2) there).
    types = [(name, _on_postgresql(kind)) for name, kind in types]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in types]
    return (
        func.unnest(
            *(
                bindparam(f"s_{next(_names)}", list(values), type_=ARRAY(kind))
                for (_, kind), values in zip(types, columns, strict=True)
            )
        )
        .table_valued(*(column(name, kind) for name, kind in types))
        .render_derived(name=f"staged_{next(_names)}")
    )


def _on_postgresql(kind: TypeEngine[Any]) -> TypeEngine[Any]:
    if isinstance(kind, TypeDecorator) and isinstance(kind.impl, Numeric):
        return Numeric(kind.impl.precision, kind.impl.scale)
    return kind


def _plain(kind: TypeEngine[Any]) -> TypeEngine[Any]:
    # An enum stored as text (str_enum) is staged as text.
    return String() if isinstance(kind, Enum) else kind


def copy_rows(connection: Connection, table: Table, rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` (each a value per column of `table`, in order) into a PostgreSQL table
    without row-level security: the fastest a server takes rows."""
    raw = connection.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    names = ", ".join(column.name for column in table.columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (Python values, each naming the same columns) into `table`."""
    if not rows:
        return
    names = list(rows[0])
    if any(isinstance(table.c[name].type, JSON) for name in names):
        connection.execute(insert(table), list(rows))
        return
    columns = [(name, table.c[name].type) for name in names]
    size = _chunk(connection, len(rows))
    for start in range(0, len(rows), size):
        chunk = [tuple(row[name] for name in names) for row in rows[start : start + size]]
        with staged(connection, columns, chunk) as source:
            connection.execute(
                insert(table).from_select(names, select(*(source.c[name] for name in names)))
            )


def update_rows(
    connection: Connection,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    keep_none: bool = False,
) -> None:
    """Update `table` from `rows` (each naming the same columns): the row whose `keys` match
    takes the other columns' values; with `keep_none` a None leaves that column as it is."""
    if not rows:
        return
    names = list(rows[0])
    changed = [name for name in names if name not in keys]
    columns = [(name, table.c[name].type) for name in names]
    size = _chunk(connection, len(rows))
    for start in range(0, len(rows), size):
        chunk = [tuple(row[name] for name in names) for row in rows[start : start + size]]
        with staged(connection, columns, chunk) as source:
            values: dict[str, Any] = {
                name: func.coalesce(source.c[name], table.c[name]) if keep_none else source.c[name]
                for name in changed
            }
            connection.execute(
                update(table)
                .where(and_(*(table.c[key] == source.c[key] for key in keys)))
                .values(values)
            )


def _chunk(connection: Connection, rows: int) -> int:
    """How many rows one statement takes: all of them staged, a slice sent as arrays."""
    if connection.dialect.name == "postgresql" and not _may_stage(connection):
        return _ARRAY_ROWS
    return max(rows, 1)


@contextmanager
def key_set(
    connection: Connection, keys: Collection[Any], kind: TypeEngine[Any] | None = None
) -> Iterator[Callable[[Any], ColumnElement[bool]]]:
    """A filter `column ∈ keys` for statements on `connection`, however many keys there are:
    parameters for a few hundred, a staged relation beyond.

    kind: the keys' type (default UUID).
    """
    values = list(dict.fromkeys(keys))
    kind = kind if kind is not None else Uuid()
    if len(values) <= _INLINE_KEYS or (
        connection.dialect.name == "postgresql" and not _may_stage(connection)
    ):
        if connection.dialect.name == "postgresql":
            name = f"keys_{next(_names)}"

            def among(column: Any) -> ColumnElement[bool]:
                found: ColumnElement[bool] = column == any_(
                    bindparam(name, values, type_=ARRAY(kind))
                )
                return found

            yield among
        else:
            yield lambda column: column.in_(values)
        return
    with staged(connection, [("k", kind)], [(value,) for value in values]) as source:
        yield lambda column: column.in_(select(source.c.k))
