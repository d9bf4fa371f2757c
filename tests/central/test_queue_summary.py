"""The queue's summary on the central server: its triggers keep it as staff write through their
own logins, a queue read by a staff login from it is the queue read from the facts, and two
transactions writing one account's history at once leave it right."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.database import Database
from app.demo.builder import build_demo
from app.services.common.clock import day_start, local_today
from app.services.common.queue_summary import computed, repair_summary, stored_summary
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.contact.queue import LiveQueue, build_queue
from app.services.sync.central import init_central
from app.services.team.assignment import set_priority
from tests.central.conftest import PASSWORD, World
from tests.central.test_attacks import _attempt
from tests.helpers.contacts import outcome
from tests.helpers.postgres import server_tls, tcp_url
from tests.helpers.queues import same

CALLBACK = (
    "INSERT INTO callbacks (id, loan_id, user_id, due_at, created_at)"
    " VALUES (gen_random_uuid(), %s, cw_me(), now() + %s::interval, now())"
)


def _signed_in(world: World, key: str) -> Database:
    return Database(tcp_url(world.db.url, world.logins[key], PASSWORD), tls=server_tls())


def _summary_holds(world: World) -> None:
    with world.db.engine.connect() as connection:
        assert stored_summary(connection) == computed(connection)


def test_a_shift_signed_in_as_staff_keeps_the_servers_summary_and_reads_it(world: World) -> None:
    # 10:00 in Beijing the day before: within the hours the rules allow calls.
    now = day_start(local_today(datetime.now(UTC))) - timedelta(hours=14)
    mine, me = world.accounts["collector_a"], world.logins["collector_a"]
    collector, lead = _signed_in(world, "collector_a"), _signed_in(world, "lead_a")
    try:
        promise = PromiseInput("200.00", local_today(now) + timedelta(days=2))
        for code, extra in (
            ("NA", {}),
            ("PTP", {"promise": promise}),
            ("CB", {"callback_at": now + timedelta(minutes=20)}),
        ):
            entry = outcome(mine, code, started_at=now - timedelta(minutes=3), **extra)
            record_contact(collector, replace(entry, username=me), now=now)
        set_priority(
            lead, world.logins["lead_a"], [mine.contract_no], "high", "test",
            now + timedelta(days=1), now=now,
        )  # fmt: skip
        _summary_holds(world)
        with world.db.engine.connect() as connection:
            facts = stored_summary(connection)[mine.loan_id]
        # A contact, one open callback, one pending promise and one override.
        assert facts[0] is not None and (facts[1], facts[3], facts[-1]) == (1, 1, 1)
        live = LiveQueue(collector, me)
        queue = live.read(now)
        assert live.from_summary
        assert queue.entries[0].tier == "callback_due" and queue.entries[0].priority is not None
        same(queue, build_queue(collector, me, now, summary=False))
    finally:
        collector.dispose()
        lead.dispose()
    assert repair_summary(world.db) == 0


def test_two_transactions_writing_one_accounts_history_at_once_leave_its_summary_right(
    world: World,
) -> None:
    """Each waits for the other's hold on the account's summary before it reads the facts
    again, so the second sees the first's callback as well as its own."""
    mine = world.accounts["collector_a"]
    with world.connect("collector_a") as first, world.connect("collector_a") as second:
        first.execute(CALLBACK, (mine.loan_id, "3 hours"))  # the summary row exists already
        first.autocommit = second.autocommit = False
        first.execute(CALLBACK, (mine.loan_id, "2 hours"))
        done = threading.Event()

        def other() -> None:
            second.execute(CALLBACK, (mine.loan_id, "1 hour"))
            done.set()

        writer = threading.Thread(target=other)
        writer.start()
        assert not done.wait(1.0)  # held until the first commits
        first.commit()
        writer.join(30)
        assert done.is_set()
        second.commit()
    (count, soonest), *_ = world.admin(
        "SELECT open_callbacks, next_callback_at - now() < interval '61 minutes'"
        " FROM loan_queue_summary WHERE loan_id = %s",
        (mine.loan_id,),
    )
    assert (count, soonest) == (3, True)
    _summary_holds(world)


def test_central_init_keeps_the_summary_with_the_catalogues_contact_codes(world: World) -> None:
    """A server whose summary was kept with other contact codes (a catalogue edited since):
    `central init`, which loads the catalogue, repairs the summary by it."""
    mine = world.accounts["collector_a"]
    world.admin("DELETE FROM queue_summary_codes WHERE code = 'WN'")
    with world.cursor("collector_a") as cursor:
        cursor.execute(*_attempt(mine.loan_id, mine.borrower_id, code="WN"))
    last = "SELECT count(*) FROM loan_queue_summary WHERE last_contact_at IS NOT NULL"
    assert world.admin(last) == [(0,)]
    init_central(world.db)
    assert world.admin(last) == [(1,)]
    assert world.admin("SELECT count(*) FROM queue_summary_codes WHERE code = 'WN'") == [(1,)]
    _summary_holds(world)


def test_a_demo_built_on_the_server_has_its_summary_and_its_triggers_back(
    pg_db: Database,
) -> None:
    """The build takes the triggers off while it writes (as the tables' owner) and works the
    summary out once after, in the same transaction."""
    at = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    build_demo(pg_db, accounts=80, seed=3, as_of=at, accounts_per_collector=40)
    with pg_db.engine.connect() as connection:
        kept = stored_summary(connection)
        assert kept == computed(connection) and len(kept) > 20
        states = connection.exec_driver_sql(
            "SELECT tgenabled FROM pg_trigger WHERE tgname LIKE '%%queue_summary'"
        ).scalars()
        assert sorted(states) == ["O"] * 5
        collector = connection.exec_driver_sql(
            "SELECT u.username FROM users u JOIN loans l ON l.assigned_to_id = u.id"
            " GROUP BY u.username ORDER BY count(*) DESC, u.username LIMIT 1"
        ).scalar_one()
    same(build_queue(pg_db, collector, at), build_queue(pg_db, collector, at, summary=False))
