"""A folder on a disk that is full: a real file system (a tiny tmpfs) with no room left, so
writes there fail as they do when a laptop's disk fills up. Mounting needs root, which the
test machines run as; elsewhere the fixture says so rather than skipping."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    """`folder`, mounted as a 64 KiB tmpfs and filled to the last byte, for as long as the
    `with` lasts."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"a full disk needs a tmpfs mount (as root): {mounted.stderr.strip()}")
    try:
        with (folder / "filler").open("wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
