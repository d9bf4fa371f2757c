"""Documents the workstation writes (agreements, visit sheets): checked first, written whole."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Collection
from pathlib import Path

from app.database import Database
from app.services.common.erasure import record_document
from app.services.common.errors import DomainError, InvalidInput


class NotWritten(DomainError):
    """A document could not be written (a full disk, a folder that refuses it)."""


def check_target(out: Path) -> None:
    """Refuse, before any work is done, a file that could not be written."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput("The folder {folder} does not exist.", folder=str(folder))
    if out.is_dir():
        raise InvalidInput("{path} is a folder; give a file name ending in .pdf.", path=str(out))
    if not os.access(folder, os.W_OK):
        raise InvalidInput("Cannot write into {folder}.", folder=str(folder))


def write_atomically(out: Path, data: bytes) -> None:
    """Write `data` to `out` whole or not at all: a reader never sees half a PDF."""
    move_into_place(write_beside(out, data), out)


def write_beside(out: Path, data: bytes) -> Path:
    """Write `data` whole to a new hidden file in `out`'s folder, and return it: on disk (not
    only in a cache) when this returns, or removed and refused in one line."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as error:
        raise _not_written(out, error) from error
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _not_written(out, error) from error
        raise
    return temporary


def move_into_place(temporary: Path, out: Path) -> None:
    """Give a file written by `write_beside` its name (in one step: a reader sees the old file
    or the new one, never half of either)."""
    try:
        os.replace(temporary, out)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _not_written(out, error) from error


def _not_written(out: Path, error: OSError) -> NotWritten:
    return NotWritten(
        "Cannot write {path}: {reason}.", path=str(out), reason=error.strerror or str(error)
    )


def write_document(
    db: Database, out: Path, data: bytes, kind: str, loans: Collection[uuid.UUID]
) -> None:
    """Write a PDF about these accounts whole, and on a database of this computer's (a
    workstation's copy, the embedded database) note it, so erasing the accounts' personal
    data deletes it too (docs/retention.md). The note commits only with the file written."""
    if db.engine.dialect.name != "sqlite":
        write_atomically(out, data)
        return
    with db.engine.begin() as connection:
        record_document(connection, kind, out, data, loans)
        write_atomically(out, data)
