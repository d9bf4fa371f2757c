"""Folders that refuse a file the way real disks do: a full disk (a tiny tmpfs with no room
left) and a read-only one (a tmpfs mounted read-only, as a write-protected stick or a share is),
so writes there fail as they do on a user's machine. Mounting needs root, which the test
machines run as; elsewhere the fixture says so rather than skipping."""

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
    with _tmpfs(folder, "size=64k,mode=0777"):
        with (folder / "filler").open("wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
        yield folder


@contextmanager
def read_only_disk(folder: Path) -> Iterator[Path]:
    """`folder`, an empty tmpfs mounted read-only (root cannot write there either), for as
    long as the `with` lasts."""
    with _tmpfs(folder, "size=64k,mode=0777,ro"):
        yield folder


@contextmanager
def _tmpfs(folder: Path, options: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"a test disk needs a tmpfs mount (as root): {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
