"""The few SQL expressions that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_since(FunctionElement[int]):
    """days_since(today, start, restart): whole days from the later of start and restart."""

    type = Integer()
    inherit_cache = True
    name = "days_since"


@compiles(days_since, "sqlite")
def _days_since_sqlite(element: days_since, compiler: Any, **kw: Any) -> str:
    today, start, restart = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"CAST(julianday({today}) - julianday(max({start}, coalesce({restart}, {start})))"
        " AS INTEGER)"
    )


@compiles(days_since, "postgresql")
def _days_since_postgresql(element: days_since, compiler: Any, **kw: Any) -> str:
    today, start, restart = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({today} AS DATE) - greatest({start}, coalesce({restart}, {start})))"
