"""The workstation's local copy, encrypted at rest with SQLCipher (docs/domain.md §9).

The key is made once per installation (256 random bits) and kept in the operating system's
keychain through keyring, never in a file. Where no keychain is usable (a server without a
Secret Service, say) the user gives a passphrase instead, which SQLCipher stretches itself;
it is asked for at each start and never stored. A wrong key opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import keyring
from keyring.backends import fail
from keyring.errors import KeyringError
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.database import Database
from app.services.common.errors import DomainError, InvalidInput
from app.services.common.queue_summary import keep_current
from app.services.sync.engine import install_outbox

KEYCHAIN_SERVICE = "collector-workstation"
STORE_FILE = "local.sqlite3"
MIN_PASSPHRASE = 12


class KeychainUnavailable(DomainError):
    """No keychain to keep the key in: ask the user for a passphrase instead."""


class WrongKey(DomainError):
    """The local copy does not open with this key or passphrase."""


@dataclass(frozen=True)
class StoreKey:
    """The secret the local copy is opened with, and where it came from."""

    secret: str
    source: str  # "keychain" or "passphrase"

    def __repr__(self) -> str:  # the secret never lands in a log or a traceback
        return f"StoreKey(source={self.source!r})"


def keychain_entry(data_dir: Path) -> str:
    """The keychain entry of this installation (one per data folder)."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"local-store-key-{digest}"


def keychain_usable() -> bool:
    """Whether keyring found a keychain to use (headless machines often have none)."""
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def keychain_key(data_dir: Path) -> StoreKey:
    """This installation's key from the keychain, made and stored there the first time."""
    if not keychain_usable():
        raise KeychainUnavailable(
            "No keychain is available to keep the local data's key: enter a passphrase instead."
        )
    entry = keychain_entry(data_dir)
    try:
        secret = keyring.get_password(KEYCHAIN_SERVICE, entry)
        if secret is None:
            secret = secrets.token_hex(32)
            keyring.set_password(KEYCHAIN_SERVICE, entry, secret)
    except KeyringError as error:
        raise KeychainUnavailable(
            "The keychain refused to keep the local data's key ({reason}): enter a passphrase "
            "instead.",
            reason=str(error) or type(error).__name__,
        ) from None
    return StoreKey(secret, "keychain")


def passphrase_key(passphrase: str) -> StoreKey:
    """A key from a passphrase the user types (where no keychain is usable)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(
            "The passphrase is too short: at least {count} characters.", count=MIN_PASSPHRASE
        )
    return StoreKey(passphrase, "passphrase")


def open_local_store(data_dir: Path, key: StoreKey) -> Database:
    """The encrypted local copy in `data_dir`, upgraded to the newest schema, every change
    of a synced table going to the outbox, the queue's summary kept with this catalogue.

    Raises WrongKey when the file exists and the key does not open it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / STORE_FILE
    db = Database(f"sqlite+pysqlcipher://:{quote(key.secret, safe='')}@/{path}")
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM sqlite_master"))
    except DatabaseError:
        db.dispose()
        raise WrongKey(
            "The local data in {folder} does not open with this key or passphrase.",
            folder=str(data_dir),
        ) from None
    db.upgrade()
    install_outbox(db)
    # A catalogue edited since the copy's summary was kept: the summary follows it.
    keep_current(db)
    return db
