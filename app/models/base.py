"""Declarative base and naming conventions, so migrations name every constraint the same way."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import BigInteger, Enum, Index, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.types import new_id

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UUIDKey:
    """Mixin: a UUID primary key generated on the workstation, so rows can be created offline."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)


class Synced:
    """Mixin: what syncing a row between a workstation and the central database needs.

    `row_version` counts the changes the central database accepted for the row; a
    workstation's edit names the version it started from, so an edit made against an older
    version is a conflict (the server wins). `changed_tx` is the central transaction that last
    wrote the row (on PostgreSQL its xid8, on the embedded central a tick), set by a trigger
    and compared with a workstation's pull cursor; on a workstation it is just carried along.
    """

    row_version: Mapped[int] = mapped_column(default=1, server_default="1")
    changed_tx: Mapped[int | None] = mapped_column(BigInteger, index=True)


# Indexes only the central (PostgreSQL) has (`Index.ddl_if`): a workstation's copy never reads
# by them.
POSTGRESQL_ONLY: set[str] = set()


def read_by_loan_since(table: str) -> Index:
    """The central's index a pull reads a marked account's new rows by (migration 0027), for a
    table where an account's rows pile up with its history."""
    name = f"ix_{table}_loan_changed"
    POSTGRESQL_ONLY.add(name)
    return Index(name, "loan_id", "changed_tx").ddl_if(dialect="postgresql")


def str_enum(enum_class: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value as a plain string column (portable, readable in SQL)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
