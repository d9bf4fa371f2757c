"""Handing a workstation to another user while the last one's changes still wait.

A workstation keeps one user's copy at a time (app/services/sync/engine.py): a copy with
changes waiting is never synced as anyone else. When someone else signs in, the last user
either signs in to send their changes, or their copy is kept aside: the encrypted file moves
into the data folder's `aside/` area, and its key moves in the keychain from the
installation's entry to an entry of that user's, so the next user starts on a fresh copy with
a key of its own and the copy kept aside does not open with it. When the user signs in on this
workstation again (the server having accepted their password), their copy comes back, and the
next sync sends what waited.

Nothing else touches a copy kept aside: no sync (it is not the workstation's copy), no erasure
or retention (they work on the copy a sync reaches), and it is never deleted; it leaves the
aside area only by coming back for its user. A copy whose key is a passphrase typed at each
start is not kept aside: whoever signs in next typed that passphrase too.

The keychain is the operating system account's: what keeps a copy aside for its user alone is
that this program opens it for them only, after the server has checked who they are, and that
its key is no other copy's. Someone with the account's keychain and their own tools can read
any entry of it, as they could read the workstation's copy before.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import keyring
from keyring.errors import KeyringError
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError

from app.database import Database
from app.models.types import utcnow
from app.services.common.errors import NotAllowed, NotFound
from app.services.common.files import write_atomically
from app.services.sync.engine import STATE
from app.services.sync.local_store import (
    KEYCHAIN_SERVICE,
    STORE_FILE,
    KeychainUnavailable,
    StoreKey,
    keychain_entry,
    keychain_key,
    keychain_usable,
    open_local_store,
)
from app.services.sync.waiting import Waiting, waiting_changes

ASIDE_FOLDER = "aside"
OWNER_FILE = "owner.json"
# SQLite's companions of a database file (the copy runs in WAL mode).
COMPANIONS = ("-wal", "-shm", "-journal")


class ChangesWaiting(NotAllowed):
    """Another user's changes wait in the copy: they are sent, or kept aside, first."""


@dataclass(frozen=True)
class AsideCopy:
    """A user's copy kept aside on this workstation, with the changes it holds."""

    username: str
    set_aside_at: datetime
    waiting: int
    folder: Path


@dataclass(frozen=True)
class Handover:
    """What a sign-in finds on the workstation.

    `owner`: whose the copy is (None before its first sync); `waiting`: what waits in it;
    `aside`: the signing-in user's copy kept aside here, if any; `keychain`: whether the copy's
    key is the keychain's (only then can it be kept aside for its owner alone)."""

    username: str
    owner: str | None
    waiting: Waiting
    aside: AsideCopy | None
    keychain: bool

    @property
    def blocked(self) -> bool:
        """Someone else's changes wait in the copy."""
        return bool(self.waiting) and self.owner is not None and self.owner != self.username


@dataclass(frozen=True)
class TakeOver:
    """The copy a user works on after `take_over`, and what was moved to get it."""

    local: Database
    kept_aside: AsideCopy | None
    restored: AsideCopy | None


def _digest(username: str) -> str:
    return hashlib.sha256(username.encode()).hexdigest()[:16]


def aside_folder(data_dir: Path, username: str) -> Path:
    """Where `username`'s copy is kept aside in `data_dir` (named by a digest of the name)."""
    return data_dir / ASIDE_FOLDER / _digest(username)


def aside_entry(data_dir: Path, username: str) -> str:
    """The keychain entry holding the key of `username`'s copy kept aside in `data_dir`."""
    return f"{keychain_entry(data_dir)}-aside-{_digest(username)}"


def copies_aside(data_dir: Path) -> list[AsideCopy]:
    """The copies kept aside in `data_dir`, oldest first."""
    area = data_dir / ASIDE_FOLDER
    found = [
        copy
        for folder in (sorted(area.iterdir()) if area.is_dir() else [])
        if (copy := _read_aside(folder)) is not None
    ]
    return sorted(found, key=lambda copy: copy.set_aside_at)


def _read_aside(folder: Path) -> AsideCopy | None:
    owner = folder / OWNER_FILE
    if not (folder / STORE_FILE).is_file() or not owner.is_file():
        return None
    data = json.loads(owner.read_text(encoding="utf-8"))
    return AsideCopy(
        str(data["username"]),
        datetime.fromisoformat(data["set_aside_at"]),
        int(data["waiting"]),
        folder,
    )


def aside_of(data_dir: Path, username: str) -> AsideCopy | None:
    """`username`'s copy kept aside in `data_dir`, if there is one."""
    copy = _read_aside(aside_folder(data_dir, username))
    return copy if copy is not None and copy.username == username else None


def handover(data_dir: Path, local: Database, key: StoreKey, username: str) -> Handover:
    """What `username` signing in finds: whose the copy is, what waits in it, and whether a
    copy of theirs is kept aside here."""
    waiting = waiting_changes(local)
    return Handover(
        username,
        waiting.username,
        waiting,
        aside_of(data_dir, username),
        _is_keychain_key(data_dir, key),
    )


def keep_aside(
    data_dir: Path, local: Database, key: StoreKey, *, now: datetime | None = None
) -> AsideCopy:
    """Move the copy `local` (opened with `key`) aside for its owner, with its key, and close
    it; the next copy opened in `data_dir` is a fresh one with a key of its own.

    Refused when nothing waits in it, when its key is a typed passphrase, and when a copy of
    its owner is already kept aside here (nothing is ever overwritten)."""
    waiting = waiting_changes(local)
    owner = waiting.username
    if not waiting or owner is None:
        raise NotAllowed("Nothing waits to be sent in this copy: there is nothing to keep aside.")
    if not _is_keychain_key(data_dir, key):
        raise NotAllowed(
            "The local data here opens with a passphrase typed at each start, which the next"
            " user types too: kept aside, {username}'s copy would open for them. {username}"
            " signs in to send the changes instead.",
            username=owner,
        )
    folder = aside_folder(data_dir, owner)
    if (folder / STORE_FILE).exists():
        raise NotAllowed(
            "A copy of {username} is already kept aside on this workstation: {username} signs"
            " in to send its changes first.",
            username=owner,
        )
    at = now or utcnow()
    entry = aside_entry(data_dir, owner)
    # The key first, then the file: a stop half-way leaves the copy opening with a key still
    # in the keychain.
    _set_secret(entry, key.secret)
    local.dispose()
    folder.mkdir(parents=True, exist_ok=True)
    record = {"username": owner, "set_aside_at": at.isoformat(), "waiting": waiting.total}
    write_atomically(folder / OWNER_FILE, json.dumps(record, ensure_ascii=False).encode())
    _move_store(data_dir, folder)
    try:
        # The next copy gets a key of its own, which does not open this one.
        _set_secret(keychain_entry(data_dir), secrets.token_hex(32))
    except BaseException:
        _move_store(folder, data_dir)
        (folder / OWNER_FILE).unlink(missing_ok=True)
        _delete_secret(entry)
        raise
    return AsideCopy(owner, at, waiting.total, folder)


def restore(data_dir: Path, local: Database, username: str) -> AsideCopy:
    """Put `username`'s copy kept aside back in place of `local` (closed), whose changes must
    all have been sent: nothing waiting is ever dropped. Call it once the server has accepted
    `username`'s password; the next sync sends what waited."""
    kept = aside_of(data_dir, username)
    if kept is None:
        raise NotFound(
            "No copy of {username} is kept aside on this workstation.", username=username
        )
    current = waiting_changes(local)
    if current:
        raise ChangesWaiting(
            "{count} changes of {username} are still waiting to be sent: sign in as {username}"
            " and sync, or keep them aside for {username}, before another copy takes this"
            " one's place.",
            count=current.total,
            username=current.username or "?",
        )
    entry = aside_entry(data_dir, username)
    secret = _get_secret(entry)
    if secret is None:
        raise NotAllowed(
            "The key of the copy kept aside for {username} is no longer in this computer's"
            " keychain: the copy stays aside, unread.",
            username=username,
        )
    if _owner_of(kept.folder / STORE_FILE, secret) != username:
        raise NotAllowed(
            "The copy kept aside for {username} does not open as theirs: it stays aside, unread.",
            username=username,
        )
    local.dispose()
    _remove_store(data_dir)
    # The key first: a stop before the file moves leaves a fresh copy opening with it, and
    # the copy kept aside (with its own entry still there) comes back at the next sign-in.
    _set_secret(keychain_entry(data_dir), secret)
    _move_store(kept.folder, data_dir)
    _delete_secret(entry)
    (kept.folder / OWNER_FILE).unlink(missing_ok=True)
    kept.folder.rmdir()
    return kept


def take_over(
    data_dir: Path, local: Database, key: StoreKey, username: str, *, keep: bool
) -> TakeOver:
    """Make the workstation's copy `username`'s to sync: when another user's changes wait in
    it, keep it aside for them (`keep`) or refuse; then bring back `username`'s copy kept
    aside, if any. Returns the copy to work on (`local` itself when nothing moved)."""
    situation = handover(data_dir, local, key, username)
    kept = None
    if situation.blocked:
        if not keep:
            raise ChangesWaiting(
                "{count} changes of {username} are still waiting to be sent: sign in as"
                " {username} and sync, or keep them aside for {username}.",
                count=situation.waiting.total,
                username=situation.owner,
            )
        kept = keep_aside(data_dir, local, key)
        local = open_local_store(data_dir, keychain_key(data_dir))
    restored = None
    if situation.aside is not None:
        restored = restore(data_dir, local, username)
        local = open_local_store(data_dir, keychain_key(data_dir))
    return TakeOver(local, kept, restored)


# --- the files ----------------------------------------------------------------------------------


def _move_store(source: Path, target: Path) -> None:
    """Move the copy's file (and SQLite's companions of it) from one folder to another."""
    for suffix in ("", *COMPANIONS):
        found = source / f"{STORE_FILE}{suffix}"
        if found.exists():
            os.replace(found, target / f"{STORE_FILE}{suffix}")


def _remove_store(folder: Path) -> None:
    for suffix in ("", *COMPANIONS):
        (folder / f"{STORE_FILE}{suffix}").unlink(missing_ok=True)


def _owner_of(path: Path, secret: str) -> str | None:
    """Whose copy the encrypted file at `path` is; None when `secret` does not open it."""
    db = Database(f"sqlite+pysqlcipher://:{quote(secret, safe='')}@/{path}")
    try:
        with db.engine.connect() as connection:
            owner = connection.execute(select(STATE.c.username)).scalar()
    except DatabaseError:
        return None
    finally:
        db.dispose()
    return None if owner is None else str(owner)


# --- the keychain -------------------------------------------------------------------------------


def _is_keychain_key(data_dir: Path, key: StoreKey) -> bool:
    """Whether `key` is the installation's key in the keychain (not a typed passphrase)."""
    if key.source != "keychain" or not keychain_usable():
        return False
    return _get_secret(keychain_entry(data_dir)) == key.secret


def _get_secret(entry: str) -> str | None:
    try:
        return keyring.get_password(KEYCHAIN_SERVICE, entry)
    except KeyringError:
        return None


def _set_secret(entry: str, secret: str) -> None:
    try:
        keyring.set_password(KEYCHAIN_SERVICE, entry, secret)
    except KeyringError as error:
        raise KeychainUnavailable(
            "The keychain refused to keep the local data's key ({reason}): nothing was moved.",
            reason=str(error) or type(error).__name__,
        ) from None


def _delete_secret(entry: str) -> None:
    try:
        keyring.delete_password(KEYCHAIN_SERVICE, entry)
    except KeyringError:
        # Gone already (a start stopped half-way before): nothing opens with it any more.
        return
