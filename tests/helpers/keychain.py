"""Keychains for tests: one that keeps entries in memory, and none at all.

The window's tests never touch the real keychain of the machine they run on; the real one is
tried in tests/services/sync/test_local_store.py, in a keyring daemon of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Entries in a dict: what a keychain holds, readable by the test."""

    @classproperty
    def priority(cls) -> float:
        # Never chosen by keyring's own discovery: only a test sets it, with set_keyring.
        raise RuntimeError("a keychain for tests only")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@contextmanager
def using(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """`backend` as the keychain for the block; the one before afterwards."""
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@contextmanager
def memory_keychain() -> Iterator[MemoryKeyring]:
    with using(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@contextmanager
def no_keychain() -> Iterator[None]:
    """A machine without a keychain: keyring's own 'fail' backend."""
    with using(fail.Keyring()):
        yield
