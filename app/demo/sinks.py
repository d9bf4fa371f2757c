"""Where the demo's rows go: straight through the DBAPI cursor on SQLite, or through SQLAlchemy
Core on any other database.

Rows are plain tuples in SQLite's storage format (hex keys, whole cents, ISO text dates and
times, 0/1 booleans, JSON text). `SQLiteSink` writes them as they are; `CoreSink` converts each
value to the Python type its column expects (the tests check that both store the same values).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import JSON, Boolean, Connection, Date, Numeric, Table, Time, Uuid

from app.models.types import Money, UTCDateTime

# The sync columns keep their defaults: version 1, written by no central transaction yet.
SYNC_COLUMNS = ("row_version", "changed_tx")


def table(model: type[Any]) -> Table:
    """A model's table."""
    found: Table = model.__table__
    return found


class Sink(Protocol):
    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None: ...


def check_columns(table: Table, columns: Sequence[str]) -> None:
    """The rows must fill every column of the table but the sync columns."""
    if sorted(columns) != sorted(c.name for c in table.c if c.name not in SYNC_COLUMNS):
        raise RuntimeError(f"demo rows for {table.name} do not match its columns")


class SQLiteSink:
    """Rows are already in the form SQLAlchemy's types store on SQLite."""

    def __init__(self, conn: Connection) -> None:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        self._cursor = dbapi.cursor()

    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        check_columns(table, columns)
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        self._cursor.executemany(sql, rows)


def core_converter(column_type: Any) -> Callable[[Any], Any] | None:
    """From SQLite's storage form to the column type's Python value (None: as it is)."""
    if isinstance(column_type, Money):
        return lambda cents: Decimal(cents).scaleb(-2)
    if isinstance(column_type, UTCDateTime):
        return lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)
    if isinstance(column_type, Uuid):
        return lambda text: uuid.UUID(hex=text)
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Time):
        return time.fromisoformat
    if isinstance(column_type, Boolean):
        return bool
    if isinstance(column_type, JSON):
        return json.loads
    if isinstance(column_type, Numeric):
        # Rates: SQLAlchemy stores plain NUMERIC as a float on SQLite, so the rows carry floats.
        return lambda number: Decimal(repr(number))
    return None


class CoreSink:
    """Portable: converts each value to what the column's Python type expects."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        check_columns(table, columns)
        if not rows:
            return
        converters = [(name, core_converter(table.c[name].type)) for name in columns]
        records = [
            {
                name: (convert(value) if convert is not None and value is not None else value)
                for (name, convert), value in zip(converters, row, strict=True)
            }
            for row in rows
        ]
        self._conn.execute(table.insert(), records)
