"""Attachments' bytes between a workstation and the central database (migration 0032).

An attachment's row is synced like every account table; its bytes (`attachment_contents`,
filed under the account and SHA-256, never changed) are not. A push uploads the bytes of each
attachment the server took, in the same server transaction as the row (the server refuses to
commit one without the other), and only those the server lacks. A pull fetches, before it
writes the attachment rows it brought, the bytes its copy lacks, a few at a time, each batch
committed as it comes (a large first sync never holds every photo in memory at once); the
bytes of an account the pull brings (a first sync, an account newly in scope) go in the
pull's own transaction, after the account and before the rows (a content is filed under its
account). Neither side ever holds a row without its bytes, and no pull brings bytes again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, and_, insert, or_, select

from app.database import Database
from app.models import Base

ATTACHMENTS = Base.metadata.tables["attachments"]
CONTENTS = Base.metadata.tables["attachment_contents"]
# A push batch carries at most this many bytes of attachments (and at least one change).
PUSH_BYTES = 32 * 2**20
# Contents fetched in one query and written in one local transaction (at most this many
# attachments' size in memory).
FETCH_CHUNK = 4

Key = tuple[uuid.UUID, str]


class Change(Protocol):
    """A change of a push (the engine's payload), as read here."""

    @property
    def table(self) -> str: ...
    @property
    def op(self) -> str: ...
    @property
    def values(self) -> dict[str, Any] | None: ...


def _key(change: Change) -> Key | None:
    """The content an attachment insert needs; None for any other change."""
    if change.table != ATTACHMENTS.name or change.op != "insert" or change.values is None:
        return None
    return (change.values["loan_id"], change.values["sha256"])


def fitting(changes: Sequence[Change]) -> int:
    """How many of the changes, from the first, one push batch carries (at least one)."""
    total = 0
    for count, change in enumerate(changes):
        if _key(change) is not None and change.values is not None:
            total += int(change.values["size"])
            if total > PUSH_BYTES and count > 0:
                return count
    return len(changes)


def read_local(connection: Connection, changes: Iterable[Change]) -> dict[Key, dict[str, Any]]:
    """The bytes the attachment inserts among `changes` need, read from the local copy."""
    keys = {key for change in changes if (key := _key(change)) is not None}
    found: dict[Key, dict[str, Any]] = {}
    for loan, sha in sorted(keys):
        row = connection.execute(
            select(CONTENTS).where(CONTENTS.c.loan_id == loan, CONTENTS.c.sha256 == sha)
        ).first()
        if row is not None:
            found[(loan, sha)] = dict(row._mapping)
    return found


def upload(
    connection: Connection, taken: Iterable[Change], blobs: Mapping[Key, dict[str, Any]]
) -> None:
    """In the server transaction that took them: the bytes of the attachments taken (`taken`:
    the changes the server applied), each unless the server has it already."""
    done: set[Key] = set()
    for change in taken:
        key = _key(change)
        if key is None or key in done or key not in blobs:
            continue
        done.add(key)
        upload_one(connection, blobs[key])


def upload_one(connection: Connection, row: Mapping[str, Any]) -> None:
    """One content to the server, unless it has it (the same file attached twice)."""
    there = connection.execute(
        select(CONTENTS.c.size).where(
            CONTENTS.c.loan_id == row["loan_id"], CONTENTS.c.sha256 == row["sha256"]
        )
    ).first()
    if there is None:
        connection.execute(insert(CONTENTS).values(**row))


def missing(local: Database, rows: Iterable[Sequence[Any]]) -> set[Key]:
    """The contents the attachment rows (as the pull holds them, in stored form) need that the
    local copy lacks."""
    names = [column.name for column in ATTACHMENTS.columns]
    loan, sha = names.index("loan_id"), names.index("sha256")
    wanted = {(_uuid(row[loan]), str(row[sha])) for row in rows}
    if not wanted:
        return set()
    with local.engine.connect() as connection:
        have = {
            (row.loan_id, row.sha256)
            for row in connection.execute(
                select(CONTENTS.c.loan_id, CONTENTS.c.sha256).where(
                    CONTENTS.c.loan_id.in_(sorted({key[0] for key in wanted}))
                )
            )
        }
    return wanted - have


def fetch_into(
    central: Database, local: Database, keys: Iterable[Key], *, into: Connection | None = None
) -> int:
    """The contents named, read from the server (as the signed-in user sees them) and written
    into the local copy, a few at a time, each batch committed (or, `into`: in that
    transaction, for the accounts it brings); how many were written."""
    ordered = sorted(keys)
    written = 0
    with central.engine.connect() as connection:
        for start in range(0, len(ordered), FETCH_CHUNK):
            chunk = ordered[start : start + FETCH_CHUNK]
            condition = or_(
                *(and_(CONTENTS.c.loan_id == loan, CONTENTS.c.sha256 == sha) for loan, sha in chunk)
            )
            found = [
                dict(row._mapping) for row in connection.execute(select(CONTENTS).where(condition))
            ]
            if found and into is not None:
                into.execute(insert(CONTENTS), found)
            elif found:
                with local.engine.begin() as writing:
                    writing.execute(insert(CONTENTS), found)
            written += len(found)
    return written


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))
