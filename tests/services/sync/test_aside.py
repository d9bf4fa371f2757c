"""Handing a workstation over with changes waiting: what waits, said by kind; a copy kept aside
for its user alone (its own key, never synced as anyone else, never dropped) and back for them.
The same through the window is in tests/ui/shell/test_handover.py."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.common.errors import NotAllowed, NotFound
from app.services.contact.contacts import record_contact
from app.services.portfolio.notes import add_note
from app.services.sync import engine as sync
from app.services.sync.aside import (
    OWNER_FILE,
    ChangesWaiting,
    aside_entry,
    aside_folder,
    aside_of,
    copies_aside,
    handover,
    keep_aside,
    restore,
    take_over,
)
from app.services.sync.local_store import (
    KEYCHAIN_SERVICE,
    STORE_FILE,
    StoreKey,
    WrongKey,
    keychain_entry,
    keychain_key,
    open_local_store,
    passphrase_key,
)
from app.services.sync.waiting import waiting_changes
from tests.helpers.contacts import NOW, outcome
from tests.helpers.keychain import MemoryKeyring, memory_keychain
from tests.helpers.portfolio import Account, Portfolio

ME, OTHER = "zhang.wei", "li.na"


@dataclass
class World:
    central: Database
    mine: Account
    theirs: Account
    data: Path
    keychain: MemoryKeyring

    def open(self) -> tuple[Database, StoreKey]:
        """The workstation's copy, opened with the installation's key from the keychain."""
        key = keychain_key(self.data)
        return open_local_store(self.data, key), key


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    portfolio = Portfolio(central)
    other = portfolio.user(OTHER, Role.COLLECTOR)
    mine = portfolio.account(today=NOW.date(), dpd=30, name="李雷")
    theirs = portfolio.account(today=NOW.date(), dpd=30, name="韩梅梅", assigned_to=other)
    sync.install_clock(central)
    with memory_keychain() as keychain:
        yield World(central, mine, theirs, tmp_path / "data", keychain)
    central.dispose()


def _count(db: Database, sql: str, **params: object) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _notes_on_server(world: World, body: str) -> int:
    return _count(world.central, "SELECT count(*) FROM account_notes WHERE text = :t", t=body)


def test_what_waits_is_counted_by_kind_with_the_oldest_change(world: World) -> None:
    local, _ = world.open()
    sync.sync(local, world.central, ME)
    assert not waiting_changes(local)
    before = datetime.now(UTC)
    record_contact(local, outcome(world.mine, "NA"), now=NOW)
    add_note(local, ME, world.mine.contract_no, "Asked for a call after work.", now=NOW)
    add_note(local, ME, world.mine.contract_no, "Works nights.", now=NOW)
    after = datetime.now(UTC)
    waiting = waiting_changes(local)
    kinds = dict(waiting.kinds)
    assert waiting.username == ME
    assert kinds["outcome"] == 1 and kinds["note"] == 2 and kinds["audit"] >= 3
    assert waiting.total == sync.sync_status(local).waiting
    # Listed in the order a collector reads them: outcomes first, the audit trail last.
    order = [kind for kind, _ in waiting.kinds]
    assert order[0] == "outcome" and order[-1] == "audit"
    # Dated by this computer's clock when written (the service's `now` is the business time).
    assert waiting.oldest is not None and before <= waiting.oldest <= after
    local.dispose()


def test_a_copy_kept_aside_opens_with_its_users_key_only_and_comes_back_for_them(
    world: World,
) -> None:
    local, key = world.open()
    sync.sync(local, world.central, ME)
    add_note(local, ME, world.mine.contract_no, "Left before the sync.", now=NOW)
    waiting = waiting_changes(local).total

    found = handover(world.data, local, key, OTHER)
    assert found.blocked and found.owner == ME and found.keychain and found.aside is None
    kept = keep_aside(world.data, local, key)
    assert kept.username == ME and kept.waiting == waiting
    assert kept.folder == aside_folder(world.data, ME)
    assert not (world.data / STORE_FILE).exists() and (kept.folder / STORE_FILE).exists()
    # The key went with the copy: the installation's entry holds a new one.
    entries = world.keychain.entries
    assert entries[(KEYCHAIN_SERVICE, aside_entry(world.data, ME))] == key.secret
    assert entries[(KEYCHAIN_SERVICE, keychain_entry(world.data))] != key.secret
    # The next user works on a fresh copy with a key of its own, which does not open it.
    other, other_key = world.open()
    assert other_key.secret != key.secret
    with pytest.raises(WrongKey):
        open_local_store(kept.folder, other_key)
    sealed = _digest(kept.folder / STORE_FILE)
    sync.sync(other, world.central, OTHER)
    record_contact(other, outcome(world.theirs, "NA", username=OTHER), now=NOW)
    sync.sync(other, world.central, OTHER)
    add_note(other, OTHER, world.theirs.contract_no, "Waits for the next shift.", now=NOW)
    sync.sync(other, world.central, OTHER)
    add_note(other, OTHER, world.theirs.contract_no, "Not sent yet.", now=NOW)
    # Nothing of the other user's work or syncs touched the copy kept aside.
    assert _digest(kept.folder / STORE_FILE) == sealed
    assert [copy.username for copy in copies_aside(world.data)] == [ME]
    assert _notes_on_server(world, "Left before the sync.") == 0

    # Back for its user: not over the other user's waiting changes...
    with pytest.raises(ChangesWaiting, match=OTHER):
        restore(world.data, other, ME)
    # ...which go aside for them in turn; then the copy comes back, and its changes go.
    keep_aside(world.data, other, other_key)
    fresh, _ = world.open()
    assert handover(world.data, fresh, keychain_key(world.data), ME).aside is not None
    back = restore(world.data, fresh, ME)
    assert back.username == ME and aside_of(world.data, ME) is None
    assert not kept.folder.exists()
    assert (KEYCHAIN_SERVICE, aside_entry(world.data, ME)) not in entries
    mine, mine_key = world.open()
    assert mine_key.secret == key.secret
    assert sync.sync(mine, world.central, ME).push.sent == waiting
    assert _notes_on_server(world, "Left before the sync.") == 1
    # The other user's copy waits aside, whole, for them.
    assert [copy.username for copy in copies_aside(world.data)] == [OTHER]
    mine.dispose()
    theirs = take_over(
        world.data,
        open_local_store(world.data, keychain_key(world.data)),
        keychain_key(world.data),
        OTHER,
        keep=False,
    )
    assert theirs.restored is not None and theirs.kept_aside is None
    sync.sync(theirs.local, world.central, OTHER)
    assert _notes_on_server(world, "Not sent yet.") == 1
    assert copies_aside(world.data) == []
    theirs.local.dispose()


def test_a_copy_kept_aside_is_never_synced_as_another_user(world: World) -> None:
    local, key = world.open()
    sync.sync(local, world.central, ME)
    add_note(local, ME, world.mine.contract_no, "Mine alone.", now=NOW)
    kept = keep_aside(world.data, local, key)
    aside = open_local_store(kept.folder, key)
    with pytest.raises(NotAllowed, match="still waiting"):
        sync.sync(aside, world.central, OTHER)
    aside.dispose()
    assert _notes_on_server(world, "Mine alone.") == 0
    # Nor restored for them: the copy names its user, and the record beside it cannot lie.
    with pytest.raises(NotFound):
        restore(world.data, open_local_store(world.data, keychain_key(world.data)), OTHER)
    forged = aside_folder(world.data, OTHER)
    kept.folder.rename(forged)
    record = json.loads((forged / OWNER_FILE).read_text(encoding="utf-8"))
    (forged / OWNER_FILE).write_text(json.dumps({**record, "username": OTHER}), encoding="utf-8")
    world.keychain.entries[(KEYCHAIN_SERVICE, aside_entry(world.data, OTHER))] = key.secret
    fresh = open_local_store(world.data, keychain_key(world.data))
    with pytest.raises(NotAllowed, match="does not open as theirs"):
        restore(world.data, fresh, OTHER)
    assert (forged / STORE_FILE).exists()
    fresh.dispose()


def test_nothing_is_kept_aside_that_would_open_for_the_next_user_or_overwrite_a_copy(
    world: World,
) -> None:
    # A copy opened with a typed passphrase: the next user typed it too.
    typed = passphrase_key("a passphrase everyone types")
    local = open_local_store(world.data, typed)
    sync.sync(local, world.central, ME)
    add_note(local, ME, world.mine.contract_no, "Typed here.", now=NOW)
    found = handover(world.data, local, typed, OTHER)
    assert found.blocked and not found.keychain
    with pytest.raises(NotAllowed, match="passphrase"):
        keep_aside(world.data, local, typed)
    with pytest.raises(ChangesWaiting, match="keep them aside"):
        take_over(world.data, local, typed, OTHER, keep=False)
    assert (world.data / STORE_FILE).exists() and waiting_changes(local).total > 0
    local.dispose()


def test_a_second_copy_of_the_same_user_is_refused_and_an_empty_one_needs_no_keeping(
    world: World,
) -> None:
    local, key = world.open()
    sync.sync(local, world.central, ME)
    with pytest.raises(NotAllowed, match="Nothing waits"):
        keep_aside(world.data, local, key)
    add_note(local, ME, world.mine.contract_no, "First.", now=NOW)
    keep_aside(world.data, local, key)
    again, again_key = world.open()
    sync.sync(again, world.central, ME)
    add_note(again, ME, world.mine.contract_no, "Second.", now=NOW)
    with pytest.raises(NotAllowed, match="already kept aside"):
        keep_aside(world.data, again, again_key)
    assert waiting_changes(again).total > 0
    again.dispose()
