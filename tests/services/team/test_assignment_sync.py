"""A lead's queue management reaches the collectors through sync: a move made on the lead's
copy leaves the old collector's copy and arrives in the new one's queue; an override set there
reorders the collector's queue at their next sync. An embedded (SQLite) central, as in
test_sync.py; the same through row-level security is in test_assignment_postgres.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.contact.queue import build_queue
from app.services.sync import engine as sync
from app.services.team.assignment import reassign, set_priority
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Account, Portfolio

LEAD, FROM, TO = "lead.wang", "zhang.wei", "li.na"


@dataclass
class World:
    central: Database
    moving: Account  # zhang.wei's, moved to li.na
    staying: Account  # zhang.wei's, small: lower in the queue until the lead lifts it
    large: Account  # zhang.wei's, first in the queue on its own
    folder: Path

    def workstation(self, username: str) -> Database:
        local = Database(f"sqlite:///{self.folder / f'{username}.sqlite3'}")
        local.upgrade()
        sync.install_outbox(local)
        sync.sync(local, self.central, username)
        return local


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    portfolio = Portfolio(central)
    portfolio.user(TO, Role.COLLECTOR)
    today = NOW.date()
    moving = portfolio.account(today=today, dpd=30, name="李雷")
    staying = portfolio.account(today=today, dpd=5, name="韩梅梅", principal="2000")
    large = portfolio.account(today=today, dpd=60, name="王芳", principal="90000")
    portfolio.attempt(moving, NOW - timedelta(days=2), "PTP")
    sync.install_clock(central)
    yield World(central, moving, staying, large, tmp_path)
    central.dispose()


def _count(db: Database, sql: str, **params: object) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def _queue(db: Database, username: str) -> list[str]:
    return [entry.contract_no for entry in build_queue(db, username, NOW, now=NOW).entries]


def test_a_move_on_the_leads_copy_leaves_one_collector_and_reaches_the_others_queue(
    world: World,
) -> None:
    lead, old, new = (world.workstation(name) for name in (LEAD, FROM, TO))
    assert world.moving.contract_no in _queue(old, FROM)
    assert _queue(new, TO) == []
    reassign(lead, LEAD, [world.moving.contract_no], TO, reason="Balancing M1.", now=NOW)
    pushed = sync.sync(lead, world.central, LEAD)
    assert pushed.push.sent >= 2 and pushed.push.refused == pushed.push.conflicts == 0
    moved = "SELECT count(*) FROM loans l JOIN users u ON u.id = l.assigned_to_id"
    moved += " WHERE l.id = :id AND u.username = :user"
    assert _count(world.central, moved, id=world.moving.loan_id.hex, user=TO) == 1
    found = "SELECT count(*) FROM audit_events WHERE action = 'loan.reassigned'"
    assert _count(world.central, found) == 1
    # The old collector's next sync takes the account, its borrower and history away.
    assert sync.sync(old, world.central, FROM).pull.purged == 1
    assert world.moving.contract_no not in _queue(old, FROM)
    assert _count(old, "SELECT count(*) FROM borrowers WHERE name = '李雷'") == 0
    # The new one's brings it whole, and it is in their queue.
    assert sync.sync(new, world.central, TO).pull.arrived == 1
    assert _queue(new, TO) == [world.moving.contract_no]
    assert _count(new, "SELECT count(*) FROM contact_attempts") == 1
    # The lead still sees it, now with li.na.
    assert _count(lead, moved, id=world.moving.loan_id.hex, user=TO) == 1


def test_a_priority_set_by_the_lead_reorders_the_collectors_queue_at_their_next_sync(
    world: World,
) -> None:
    lead, collector = world.workstation(LEAD), world.workstation(FROM)
    before = _queue(collector, FROM)
    assert before[0] == world.large.contract_no
    until = NOW + timedelta(days=2)
    set_priority(lead, LEAD, [world.staying.contract_no], "top", "Borrower asked.", until, now=NOW)
    assert sync.sync(lead, world.central, LEAD).push.refused == 0
    # Not before the collector syncs: their copy is their own.
    assert _queue(collector, FROM) == before
    sync.sync(collector, world.central, FROM)
    queue = build_queue(collector, FROM, NOW, now=NOW)
    assert queue.entries[0].contract_no == world.staying.contract_no
    assert queue.entries[0].reasons[0].key == "override_top"
    assert queue.entries[0].priority is not None
    assert queue.entries[0].priority.expires_at == until
