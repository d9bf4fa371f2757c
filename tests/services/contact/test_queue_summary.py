"""The queue's summary of each account's history (app/models/queue_summary.py).

The database's triggers keep it in the same transaction as the facts: after any sequence of
writes (attempts, promises made and resolved, callbacks set and done, plans broken, overrides
set and cleared; inserts, updates, a pull's upserts, deletes; one or several to a transaction)
it equals the summary worked out whole from the facts. And a queue read from it is the queue
read from the facts themselves, entry for entry, at every moment.

The random writes are tests/helpers/queue_facts.py's; the world they go to is the fixture
`world` (tests/services/contact/conftest.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, insert, select, text, update

from app.database import Database
from app.models import PlanStatus, PromiseStatus
from app.services.common.queue_summary import computed, repair_summary, stored_summary
from app.services.contact.contacts import record_contact
from app.services.contact.queue import LiveQueue, build_queue
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Portfolio
from tests.helpers.queue_facts import (
    AT,
    ATTEMPTS,
    CALLBACKS,
    FACTS,
    OVERRIDES,
    PROMISES,
    TABLES,
    TODAY,
    Operation,
    World,
    apply_operation,
    batches,
)
from tests.helpers.queues import same

# --- the checks -------------------------------------------------------------------------------


def summary_holds(db: Database) -> None:
    with db.engine.connect() as connection:
        assert stored_summary(connection) == computed(connection)


def queues_agree(db: Database, username: str, at: datetime) -> None:
    live = LiveQueue(db, username)
    kept = live.read(at)
    assert live.from_summary
    same(kept, build_queue(db, username, at, summary=False))


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(batches=batches)
def test_the_summary_kept_is_the_summary_worked_out_from_the_facts(
    world: World, batches: list[list[Operation]]
) -> None:
    with world.db.engine.begin() as connection:
        for table in FACTS:
            connection.execute(delete(table))
    summary_holds(world.db)
    for batch in batches:
        with world.db.engine.begin() as connection:
            for operation in batch:
                apply_operation(connection, world, operation)
        summary_holds(world.db)
    for at in (AT, AT + timedelta(minutes=50), AT + timedelta(hours=13), AT + timedelta(days=6)):
        queues_agree(world.db, "zhang.wei", at)
    queues_agree(world.db, "lead.wang", AT)


# --- the demo portfolio -------------------------------------------------------------------------


@pytest.fixture
def demo_db(demo_copy: Callable[[int, int], Database]) -> Database:
    """The test's own copy of a demo of 400 accounts (tests/services/contact/conftest.py)."""
    return demo_copy(400, 11)


def _collectors(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT u.username FROM users u JOIN loans l ON l.assigned_to_id = u.id"
                    " GROUP BY u.username ORDER BY count(*) DESC, u.username"
                )
            ).scalars()
        )


def test_the_demo_builds_its_summary_and_the_queue_reads_as_from_the_facts(
    demo_db: Database,
) -> None:
    """Every collector's queue on the demo portfolio, over three days in uneven steps (through
    the evening's closing hours, the night, midnight and the next days' callbacks and lapsed
    promises): the same ranks, scores, reasons and decisions as read from the facts."""
    summary_holds(demo_db)
    with demo_db.engine.connect() as connection:
        kept = stored_summary(connection)
    # The demo has contacts, open callbacks and promises of every kind to summarise.
    assert sum(1 for facts in kept.values() if facts[0] is not None) > 100
    assert any(facts[1] for facts in kept.values())
    assert any(facts[3] for facts in kept.values()) and any(facts[6] for facts in kept.values())
    collectors = _collectors(demo_db)
    at = AT - timedelta(hours=20)
    steps = [7, 53, 180, 301, 44, 600, 15, 121, 239, 480, 61, 1000, 29]
    for step, minutes in enumerate(steps * 2):
        at += timedelta(minutes=minutes)
        queues_agree(demo_db, collectors[step % len(collectors)], at)


def test_what_the_clock_decides_is_read_from_the_summary_as_from_the_facts(
    db: Database, portfolio: Portfolio
) -> None:
    """Each fact at the edge of its window, and accounts with more than one open callback or
    pending promise (read from the facts): the same queue either way, before and after each
    edge — a callback coming into view, the day turning (a broken promise and a broken plan
    leave the queue's week), an override lapsing."""
    accounts = [portfolio.account(today=TODAY, dpd=dpd) for dpd in (10, 12, 14, 16, 18, 20, 22)]
    several, boundary, partly, callbacks, plan, override, contact = accounts
    made = AT - timedelta(days=20)
    portfolio.promise(several, "300", TODAY, made)
    portfolio.promise(several, "500", TODAY + timedelta(days=4), made + timedelta(days=1))
    portfolio.promise(boundary, "200", TODAY - timedelta(days=8), made, PromiseStatus.BROKEN)
    portfolio.promise(partly, "400", TODAY - timedelta(days=5), made, PromiseStatus.BROKEN)
    kept = portfolio.promise(partly, "300", TODAY - timedelta(days=2), made)
    portfolio.callback(callbacks, AT + timedelta(minutes=10))
    portfolio.callback(callbacks, AT + timedelta(hours=5))
    done = portfolio.callback(callbacks, AT - timedelta(hours=1))
    portfolio.callback(override, AT + timedelta(hours=2))
    portfolio.attempt(contact, AT - timedelta(days=3), "RTP")
    portfolio.attempt(contact, AT - timedelta(days=1), "NA")
    week = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 21 November began in Beijing
    with db.engine.begin() as connection:
        connection.execute(
            update(PROMISES)
            .where(PROMISES.c.id == kept)
            .values(status=PromiseStatus.PARTLY_KEPT, paid_amount=Decimal("100.00"))
        )
        connection.execute(update(CALLBACKS).where(CALLBACKS.c.id == done).values(done_at=AT))
        for closed in (week, week - timedelta(days=3)):
            apply_operation(
                connection,
                World(db, accounts, portfolio.collector, portfolio.lead),
                ("plan", accounts.index(plan), PlanStatus.BROKEN, closed),
            )
        for until, cleared in ((AT + timedelta(hours=1), None), (AT + timedelta(days=2), AT)):
            connection.execute(
                insert(OVERRIDES).values(
                    id=uuid.uuid4(),
                    loan_id=override.loan_id,
                    level="top",
                    reason="test",
                    set_by_id=portfolio.lead,
                    set_at=AT - timedelta(hours=1),
                    expires_at=until,
                    cleared_at=cleared,
                )
            )
    summary_holds(db)
    tiers = {e.contract_no: e.tier for e in build_queue(db, "zhang.wei", AT).entries}
    assert tiers == {
        several.contract_no: "promise_due_today",
        boundary.contract_no: "promise_broken",
        partly.contract_no: "promise_broken",
        callbacks.contract_no: "callback_due",
        plan.contract_no: "plan_broken",
        override.contract_no: None,
        contact.contract_no: None,
    }
    midnight = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    for at in (
        AT,
        AT + timedelta(minutes=59),
        AT + timedelta(hours=1, minutes=31),
        midnight - timedelta(seconds=1),
        midnight,
        AT + timedelta(days=3),
    ):
        queues_agree(db, "zhang.wei", at)
    after = {e.contract_no: e.tier for e in build_queue(db, "zhang.wei", midnight).entries}
    assert after[boundary.contract_no] is None and after[plan.contract_no] is None


def test_a_contact_logged_moves_the_summary_in_its_own_transaction(db: Database) -> None:
    portfolio = Portfolio(db)
    account = portfolio.account(today=TODAY, dpd=10)
    record_contact(db, outcome(account, "RTP"), now=NOW)
    with db.engine.connect() as connection:
        (last,) = (facts[0] for loan, facts in stored_summary(connection).items())
    assert last is not None
    summary_holds(db)


def test_a_repair_puts_right_what_was_changed_behind_the_triggers_back(
    demo_db: Database,
) -> None:
    collector = _collectors(demo_db)[0]
    before = build_queue(demo_db, collector, AT)
    with demo_db.engine.begin() as connection:
        connection.execute(text("DELETE FROM loan_queue_summary WHERE rowid % 3 = 0"))
        wiped = connection.execute(
            text("UPDATE loan_queue_summary SET last_contact_at = NULL, open_callbacks = 5")
        ).rowcount
    assert wiped > 0
    assert repair_summary(demo_db) >= wiped
    assert repair_summary(demo_db) == 0
    summary_holds(demo_db)
    same(build_queue(demo_db, collector, AT), before)


def test_a_catalogue_with_other_contact_codes_is_read_from_the_facts_until_repaired(
    demo_db: Database,
) -> None:
    """The summary counts contacts by the codes it was kept with. Kept with others (a
    catalogue edited since), the queue reads the facts, and a repair brings both back."""
    collector = _collectors(demo_db)[0]
    entry = build_queue(demo_db, collector, AT).entries[-1]
    with demo_db.engine.begin() as connection:
        connection.execute(text("DELETE FROM queue_summary_codes WHERE code = 'RTP'"))
        # Logged while the summary's codes are not the catalogue's: it does not count there.
        connection.execute(
            insert(ATTEMPTS).values(
                id=uuid.uuid4(),
                loan_id=entry.loan_id,
                borrower_id=entry.borrower_id,
                contact_point_id=entry.contact.contact_point_id,
                user_id=select(TABLES["users"].c.id)
                .where(TABLES["users"].c.username == collector)
                .scalar_subquery(),
                channel="call",
                started_at=AT - timedelta(minutes=5),
                disposition="RTP",
                right_party=True,
                checklist=[],
                script_steps=[],
                created_at=AT,
            )
        )
    live = LiveQueue(demo_db, collector)
    queue = live.read(AT)
    assert not live.from_summary
    same(queue, build_queue(demo_db, collector, AT, summary=False))
    assert repair_summary(demo_db) == 1
    queues_agree(demo_db, collector, AT)
