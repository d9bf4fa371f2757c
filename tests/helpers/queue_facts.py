"""Random writes to the facts the queue's summary is kept from (attempts, promises, callbacks,
plans, overrides): hypothesis `operations` (inserts, updates, a pull's upserts, deletes) and
`batches` of them, one transaction a batch, applied to a small world of five accounts.

Used by tests/services/contact/test_queue_summary.py (the summary the triggers keep) and
test_queue_memo.py (a queue read from the memo after any writes); the world is the fixture
`world` of tests/services/contact/conftest.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.database import Database
from app.models import Base, PlanStatus, PromiseStatus, Role
from app.services.common.reference import dispositions
from tests.helpers.portfolio import Account, Portfolio

# 10:00 in Beijing: when the queue's tests read, and the moment their demo is built as of
# (tests/services/contact/conftest.py).
AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
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


def new_world(db: Database) -> World:
    """Five accounts of zhang.wei's and li.na's (a US borrower among them) in an upgraded,
    empty `db`, and no history yet."""
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
    return World(db, accounts, portfolio.collector, portfolio.lead)


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


def apply_operation(connection: Connection, world: World, operation: Operation) -> None:
    """One write of `operations` to the world's database, in the transaction of `connection`."""
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
