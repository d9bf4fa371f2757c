"""Documents the workstation writes (agreements, visit sheets): checked first, written whole."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Collection
from pathlib import Path

from app.database import Database
from app.services.common.erasure import record_document
from app.services.common.errors import InvalidInput


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
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
