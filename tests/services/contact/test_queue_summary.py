"""The queue's summary of each account's history (app/models/queue_summary.py).

The database's triggers keep it in the same transaction as the facts: after any sequence of
writes (attempts, promises made and resolved, callbacks set and done, plans broken, overrides
set and cleared; inserts, updates, a pull's upserts, deletes; one or several to a transaction)
it equals the summary worked out whole from the facts. And a queue read from it is the queue
read from the facts themselves, entry for entry, at every moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, delete, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import Database
from app.demo.builder import build_demo
from app.models import Base, PlanStatus, PromiseStatus, Role
from app.services.common.queue_summary import computed, repair_summary, stored_summary
from app.services.common.reference import dispositions
from app.services.contact.contacts import record_contact
from app.services.contact.queue import LiveQueue, build_queue
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio
from tests.helpers.queues import same

AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 28)
TABLES = Base.metadata.tables
ATTEMPTS, PROMISES, CALLBACKS = TABLES["contact_attempts"], TABLES["promises"], TABLES["callbacks"]
PLANS, OVERRIDES = TABLES["repayment_plans"], TABLES["priority_overrides"]
FACTS = (PROMISES, CALLBACKS, ATTEMPTS, PLANS, OVERRIDES)
CODES = sorted(dispositions())
# A few instants and days, so that two rows often fall on the same one (ties in every order).
MOMENTS = [AT + timedelta(minutes=m) for m in (-4000, -1500, -600, -45, 0, 0, 20, 700)]
MADE = [AT - timedelta(days=1), AT]
DAYS = [TODAY + timedelta(days=d) for d in (-15, -9, -8, -1, 0, 0, 4)]


@dataclass
class World:
    db: Database
    accounts: list[Account]
    collector: uuid.UUID
    lead: uuid.UUID


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('summary') / 'summary.sqlite3'}")
    db.upgrade()
    portfolio = Portfolio(db)
    other = portfolio.user("li.na", Role.COLLECTOR)
    accounts = [
        portfolio.account(today=TODAY, dpd=3),
        portfolio.account(today=TODAY, dpd=40, principal="36000"),
        portfolio.account(today=TODAY, dpd=0),
        portfolio.account(
            today=TODAY, dpd=20, country="US", province="NY", numbers={"mobile": "+1 212 555 0143"}
        ),
        portfolio.account(today=TODAY, dpd=70, assigned_to=other),
    ]
    yield World(db, accounts, portfolio.collector, portfolio.lead)
    db.dispose()


# --- the operations -------------------------------------------------------------------------

pick = st.integers(min_value=0, max_value=50)
loan = st.integers(min_value=0, max_value=4) | st.just(0)
cents = st.sampled_from([0, 5000, 30000, 30001])
Operation = tuple[Any, ...]

operations = st.one_of(
    st.tuples(st.just("attempt"), loan, st.sampled_from(CODES), st.sampled_from(MOMENTS)),
    st.tuples(
        st.just("attempt-change"),
        pick,
        st.sampled_from(["disposition", "started_at", "loan_id"]),
        st.sampled_from(CODES),
        st.sampled_from(MOMENTS),
        loan,
    ),
    st.tuples(
        st.just("promise"),
        loan,
        st.sampled_from(list(PromiseStatus)),
        st.sampled_from(DAYS),
        cents,
        cents,
        st.sampled_from(MADE),
    ),
    st.tuples(
        st.just("promise-change"),
        pick,
        st.sampled_from(list(PromiseStatus)),
        cents,
        st.sampled_from(DAYS),
        loan,
    ),
    # Another promise made on the same call for the same day: only its key orders the two.
    st.tuples(st.just("promise-twin"), pick, cents),
    # A payment towards a promise (the feed's or a workstation's judgement of it).
    st.tuples(st.just("promise-paid"), pick, cents),
    st.tuples(st.just("callback"), loan, st.sampled_from(MOMENTS), st.booleans()),
    st.tuples(st.just("callback-change"), pick, st.sampled_from(MOMENTS), loan),
    st.tuples(
        st.just("plan"),
        loan,
        st.sampled_from([PlanStatus.BROKEN, PlanStatus.ACTIVE, PlanStatus.COMPLETED]),
        st.none() | st.sampled_from(MOMENTS),
    ),
    st.tuples(
        st.just("plan-change"),
        pick,
        st.sampled_from([PlanStatus.BROKEN, PlanStatus.ACTIVE, PlanStatus.CANCELLED]),
        st.none() | st.sampled_from(MOMENTS),
    ),
    st.tuples(
        st.just("override"), loan, st.sampled_from(["top", "high", "low"]), st.sampled_from(MOMENTS)
    ),
    st.tuples(st.just("override-change"), pick, st.booleans(), loan),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=len(FACTS) - 1), pick),
    # A pull writes a row it already has again, with what the server says now.
    st.tuples(st.just("pulled"), st.integers(min_value=0, max_value=len(FACTS) - 1), pick, loan),
)
# A batch of operations, each batch one transaction.
batches = st.lists(st.lists(operations, min_size=1, max_size=3), min_size=1, max_size=12)


def _row(connection: Connection, table: Table, index: int) -> dict[str, Any] | None:
    keys = list(connection.execute(select(table.c.id).order_by(table.c.id)).scalars())
    if not keys:
        return None
    chosen = keys[index % len(keys)]
    return dict(connection.execute(select(table).where(table.c.id == chosen)).mappings().one())


def _apply(connection: Connection, world: World, operation: Operation) -> None:
    kind, *args = operation
    accounts = world.accounts
    if kind == "attempt":
        account, code, at = accounts[args[0]], args[1], args[2]
        connection.execute(
            insert(ATTEMPTS).values(
                id=uuid.uuid4(),
                loan_id=account.loan_id,
                borrower_id=account.borrower_id,
                contact_point_id=account.points["mobile"],
                user_id=world.collector,
                channel="call",
                started_at=at,
                disposition=code,
                right_party=dispositions()[code].rpc,
                checklist=[],
                script_steps=[],
                created_at=at,
            )
        )
    elif kind == "promise":
        account, status, day, amount, paid, made = accounts[args[0]], *args[1:]
        connection.execute(
            insert(PROMISES).values(
                id=uuid.uuid4(),
                loan_id=account.loan_id,
                amount=Decimal(amount) / 100,
                paid_amount=Decimal(paid) / 100,
                promised_date=day,
                status=status,
                created_at=made,
            )
        )
    elif kind == "promise-twin":
        row = _row(connection, PROMISES, args[0])
        if row is not None:
            twin = {**row, "id": uuid.uuid4(), "amount": row["amount"] + Decimal(args[1]) / 100}
            connection.execute(insert(PROMISES).values(twin))
    elif kind == "promise-paid":
        row = _row(connection, PROMISES, args[0])
        if row is not None:
            paid = Decimal(args[1]) / 100
            connection.execute(
                update(PROMISES).where(PROMISES.c.id == row["id"]).values(paid_amount=paid)
            )
    elif kind == "callback":
        account, due, done = accounts[args[0]], args[1], args[2]
        connection.execute(
            insert(CALLBACKS).values(
                id=uuid.uuid4(),
                loan_id=account.loan_id,
                user_id=world.collector,
                due_at=due,
                done_at=due if done else None,
                created_at=AT,
            )
        )
    elif kind == "plan":
        account, status, closed = accounts[args[0]], args[1], args[2]
        connection.execute(
            insert(PLANS).values(
                id=uuid.uuid4(),
                loan_id=account.loan_id,
                created_by_id=world.collector,
                status=status,
                total_amount=Decimal("1000.00"),
                frequency="monthly",
                closed_at=closed,
                created_at=AT,
            )
        )
    elif kind == "override":
        account, level, until = accounts[args[0]], args[1], args[2]
        connection.execute(
            insert(OVERRIDES).values(
                id=uuid.uuid4(),
                loan_id=account.loan_id,
                level=level,
                reason="test",
                set_by_id=world.lead,
                set_at=AT,
                expires_at=until + timedelta(hours=1),
            )
        )
    elif kind == "delete":
        table = FACTS[args[0]]
        row = _row(connection, table, args[1])
        if row is not None:
            # A promise or callback may name the attempt: it goes first, as a purge does.
            if table is ATTEMPTS:
                for child in (PROMISES, CALLBACKS):
                    connection.execute(delete(child).where(child.c.attempt_id == row["id"]))
            connection.execute(delete(table).where(table.c.id == row["id"]))
    elif kind == "pulled":
        table = FACTS[args[0]]
        row = _row(connection, table, args[1])
        if row is not None:
            row["loan_id"] = accounts[args[2]].loan_id
            statement = sqlite_insert(table).values(row)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[table.c.id],
                    set_={name: statement.excluded[name] for name in row if name != "id"},
                )
            )
    else:
        _change(connection, world, kind, args)


def _change(connection: Connection, world: World, kind: str, args: list[Any]) -> None:
    table = {
        "attempt-change": ATTEMPTS,
        "promise-change": PROMISES,
        "callback-change": CALLBACKS,
        "plan-change": PLANS,
        "override-change": OVERRIDES,
    }[kind]
    row = _row(connection, table, args[0])
    if row is None:
        return
    values: dict[str, Any]
    if kind == "attempt-change":
        column, code, at, other = args[1:]
        values = {
            "disposition": {"disposition": code},
            "started_at": {"started_at": at},
            "loan_id": {"loan_id": world.accounts[other].loan_id},
        }[column]
    elif kind == "promise-change":
        status, paid, day, other = args[1:]
        values = {"status": status, "paid_amount": Decimal(paid) / 100}
        if paid == 30001:  # now and then, the date or the account
            values.update(promised_date=day, loan_id=world.accounts[other].loan_id)
    elif kind == "callback-change":
        at, other = args[1:]
        values = {"done_at": None if row["done_at"] else at}
        if at == MOMENTS[0]:
            values["loan_id"] = world.accounts[other].loan_id
    elif kind == "plan-change":
        values = {"status": args[1], "closed_at": args[2]}
    else:
        cleared, other = args[1:]
        values = {"cleared_at": AT if cleared else None}
        if not cleared and other == 0:
            values["loan_id"] = world.accounts[1].loan_id
    connection.execute(update(table).where(table.c.id == row["id"]).values(**values))


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
                _apply(connection, world, operation)
        summary_holds(world.db)
    for at in (AT, AT + timedelta(minutes=50), AT + timedelta(hours=13), AT + timedelta(days=6)):
        queues_agree(world.db, "zhang.wei", at)
    queues_agree(world.db, "lead.wang", AT)


# --- the demo portfolio -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    build_demo(db, accounts=400, seed=11, as_of=AT)
    db.dispose()
    return path


@pytest.fixture
def demo_db(demo: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(demo.read_bytes())
    db = Database(f"sqlite:///{copy}")
    yield db
    db.dispose()


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
            _apply(
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
