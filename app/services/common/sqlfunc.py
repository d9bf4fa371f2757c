"""The few SQL expressions that SQLite and PostgreSQL spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_since(FunctionElement[int]):
    """days_since(today, start, restart): whole days from the later of start and restart, ≥ 0."""

    type = Integer()
    inherit_cache = True
    name = "days_since"


@compiles(days_since, "sqlite")
def _days_since_sqlite(element: days_since, compiler: Any, **kw: Any) -> str:
    today, start, restart = (compiler.process(arg, **kw) for arg in element.clauses)
    days = f"julianday({today}) - julianday(max({start}, coalesce({restart}, {start})))"
    return f"max(CAST({days} AS INTEGER), 0)"


@compiles(days_since, "postgresql")
def _days_since_postgresql(element: days_since, compiler: Any, **kw: Any) -> str:
    today, start, restart = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"greatest(CAST({today} AS DATE) - greatest({start}, coalesce({restart}, {start})), 0)"


class penalty_since(FunctionElement[Any]):
    """penalty_since(unpaid_principal, days, daily_rate): one instalment's penalty, to the cent.

    Rounded half-up per instalment, exactly as `balances.balance_of` does in Decimal. On SQLite
    money is whole cents, so the rounding is done in integer arithmetic; the result is cents
    there and yuan on PostgreSQL, matching how the Money type stores amounts on each.
    """

    inherit_cache = True
    name = "penalty_since"


@compiles(penalty_since, "sqlite")
def _penalty_since_sqlite(element: penalty_since, compiler: Any, **kw: Any) -> str:
    principal, days, rate = (compiler.process(arg, **kw) for arg in element.clauses)
    per_million = f"CAST(round({rate} * 1000000) AS INTEGER)"
    return f"(({principal}) * ({days}) * {per_million} + 500000) / 1000000"


@compiles(penalty_since, "postgresql")
def _penalty_since_postgresql(element: penalty_since, compiler: Any, **kw: Any) -> str:
    principal, days, rate = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"round(({principal}) * ({days}) * {rate}, 2)"


class unindexed(FunctionElement[Any]):
    """unindexed(column): the column, not to be looked up by an index (SQLite: `+column`).

    For a condition the planner would otherwise lead with, where another (keys named) finds
    fewer rows. PostgreSQL plans by its statistics: the column as it is.
    """

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return f"+{compiler.process(column, **kw)}"


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: Any, **kw: Any) -> str:
    (column,) = element.clauses
    return str(compiler.process(column, **kw))
