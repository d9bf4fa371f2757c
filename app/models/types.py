"""Column types shared by every table: money, UTC instants and key generation."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")


# Where keys and creation times come from instead of uuid4 and the wall clock, inside
# `replayed_rows`.
_ids: ContextVar[Callable[[], uuid.UUID] | None] = ContextVar("replayed_ids", default=None)
_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("replayed_clock", default=None)


def new_id() -> uuid.UUID:
    """A key for a row created on this workstation, unique without asking the server."""
    ids = _ids.get()
    return uuid.uuid4() if ids is None else ids()


def utcnow() -> datetime:
    clock = _clock.get()
    return datetime.now(UTC) if clock is None else clock()


@contextmanager
def replayed_rows(ids: Callable[[], uuid.UUID], clock: Callable[[], datetime]) -> Iterator[None]:
    """Rows created inside (in this thread or task) take their keys from `ids` and their
    creation times from `clock`: the demo replays days of the reminders job through the real
    services (app.demo.reminders), and the same seed must give the same rows, made at the
    moments the history says."""
    ids_token = _ids.set(ids)
    clock_token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(clock_token)
        _ids.reset(ids_token)


class Money(TypeDecorator[Decimal]):
    """An amount with two decimal places, always a `Decimal` in Python.

    PostgreSQL stores it as NUMERIC(14, 2). SQLite has no decimal type (its NUMERIC affinity
    silently becomes a binary float), so there it is stored as whole cents in an INTEGER, which
    keeps SQL sums exact too.
    """

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(amount.scaleb(2))
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-2).quantize(CENT)
        return Decimal(value).quantize(CENT)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def money_from_raw(value: Any) -> Decimal:
    """An amount read past the Money type (fast paths): whole cents on SQLite, a decimal on a
    server, or the bare 0 of a COALESCE."""
    if isinstance(value, int):
        return Decimal(value).scaleb(-2)
    return Decimal(value).quantize(CENT)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC and returned as an aware UTC `datetime`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"naive or non-datetime value for a UTC column: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant: datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime
