"""The queue's memo (app/models/queue_memo.py): a queue read afresh takes the answers a session
kept of the accounts whose inputs did not change, and reads exactly as the queue computed from
nothing at the same moment: ranks, scores, reasons, decisions, and when it next reads
differently, in both languages. Whatever changed between the sessions (a call, a payment, a
lead's override, a feed, a pull, the clock past midnight or an hours window, the weights, the
default rules) is computed again."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, event, insert, select, update

from app.database import Database
from app.models import Base, Borrower, Loan, Role, User
from app.services.common.queue_summary import put_back_triggers, take_off_triggers
from app.services.contact import compliance
from app.services.contact import queue as queue_module
from app.services.contact.contacts import record_contact
from app.services.contact.queue import LiveQueue, Queue, QueueEntry, build_queue
from app.services.contact.upkeep import set_contact_preferences
from app.services.plans.feed import apply_feed
from app.services.plans.payments import record_payment
from app.services.sync import engine as sync
from app.services.sync.local_store import open_local_store, passphrase_key
from app.services.team.assignment import set_priority
from tests.helpers.contacts import demo_users, queue_call
from tests.helpers.feeds import batch, payment, write_feed
from tests.helpers.portfolio import Portfolio
from tests.helpers.queue_facts import AT, FACTS, World, apply_operation, batches
from tests.helpers.queues import same

AS_OF = AT  # the demo's moment (tests/services/contact/conftest.py)
TABLES = Base.metadata.tables


@pytest.fixture
def db(demo_copy: Callable[[int, int], Database]) -> Database:
    """The test's own copy of a demo of 300 accounts (tests/services/contact/conftest.py), the
    live queue's too."""
    return demo_copy(300, 5)


def identical(one: Queue, other: Queue) -> None:
    """Entry for entry, and what the command line prints of them in either language."""
    same(one, other)
    for language in ("en", "zh_CN"):
        assert [e.as_json(language) for e in one.entries] == [
            e.as_json(language) for e in other.entries
        ]


def session(db: Database, username: str, at: datetime) -> LiveQueue:
    """A window's session: the queue read, then kept in the memo."""
    live = LiveQueue(db, username)
    live.read(at)
    live.remember()
    return live


def cold(db: Database, username: str, at: datetime) -> LiveQueue:
    """A queue read afresh (a window opened again, the command line), held to the queue
    computed from nothing at the same moment."""
    live = LiveQueue(db, username)
    identical(live.read(at), build_queue(db, username, at, memo=False))
    return live


def _pick(queue: Queue, allowed: bool = True) -> Any:
    return next(entry for entry in queue.entries if entry.contact.allowed is allowed)


def test_a_cold_read_takes_the_memo_at_every_moment_of_the_day(db: Database) -> None:
    """Through the morning, an hour later, the evening's closing hour in Beijing to the
    microsecond: each read afresh takes most answers from the memo the one before kept, and
    reads as the queue computed from nothing."""
    collector, _ = demo_users(db)
    closing = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # 22:00 in Beijing
    moments = [
        AS_OF,
        AS_OF,
        AS_OF + timedelta(microseconds=1),
        AS_OF + timedelta(minutes=1),
        AS_OF + timedelta(minutes=59, seconds=59),
        AS_OF + timedelta(hours=3),
        closing - timedelta(minutes=1),
        closing - timedelta(microseconds=1),
        closing,
        closing + timedelta(seconds=1),
        closing + timedelta(hours=1),
    ]
    live = session(db, collector, moments[0])
    total = len(live.read(moments[0], changed=set()).entries)
    taken = []
    for at in moments[1:]:
        live = cold(db, collector, at)
        taken.append(live.remembered)
        live.remember()
        # The window goes on from there, as the clock moves and with nothing told changed.
        later = at + timedelta(minutes=17)
        identical(live.read(later, changed=set()), build_queue(db, collector, later, memo=False))
    assert total > 50
    assert taken[0] == total  # the same moment: every answer taken
    # Through the day most answers hold; at 22:00 every one changes (the quiet hours begin),
    # and from then on each names the local time to the minute.
    assert min(taken[:7]) > total // 2
    assert taken[7] == 0
    assert taken[8] > total // 2


def test_a_new_day_in_beijing_takes_nothing_from_the_memo(db: Database) -> None:
    collector, _ = demo_users(db)
    midnight = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)  # 00:00 on the 29th in Beijing
    session(db, collector, midnight - timedelta(microseconds=1))
    assert cold(db, collector, midnight - timedelta(microseconds=1)).remembered > 0
    assert cold(db, collector, midnight).remembered == 0
    # And a moment before the one the memo was kept at takes nothing either.
    session(db, collector, midnight + timedelta(hours=2))
    assert cold(db, collector, midnight + timedelta(hours=1)).remembered == 0


def test_weights_and_rules_changed_between_sessions_take_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    collector, _ = demo_users(db)
    session(db, collector, AS_OF)
    weights = dict(queue_module.queue_weights())
    weights["bucket"] = {bucket: 3 * value for bucket, value in weights["bucket"].items()}
    monkeypatch.setattr(queue_module, "queue_weights", lambda: weights)
    assert cold(db, collector, AS_OF).remembered == 0
    monkeypatch.undo()
    session(db, collector, AS_OF)
    # Borrowers whose country has no profile of its own get the installation's default.
    compliance.set_installation_default("US")
    try:
        assert cold(db, collector, AS_OF).remembered == 0
    finally:
        compliance.set_installation_default(None)
    assert cold(db, collector, AS_OF).remembered > 0


def test_each_user_reads_their_own_memo(db: Database) -> None:
    collector, lead = demo_users(db)
    session(db, collector, AS_OF)
    assert cold(db, lead, AS_OF).remembered == 0
    session(db, lead, AS_OF)
    assert cold(db, lead, AS_OF).remembered > 0
    assert cold(db, collector, AS_OF).remembered > 0


def _changed_between_sessions(db: Database, change: str, at: datetime) -> str:
    """One write as the window, the command line, a lead, the feed or a pull makes it; returns
    the contract it touched."""
    collector, lead = demo_users(db)
    queue = build_queue(db, collector, at, memo=False)
    entry = _pick(queue)
    if change == "call":
        record_contact(db, queue_call(db, entry, "NA", at), now=at)
    elif change == "payment":
        record_payment(db, "admin", entry.contract_no, Decimal("100.00"), at, now=at)
    elif change == "override":
        set_priority(db, lead, [entry.contract_no], "low", "test", at + timedelta(hours=3), now=at)
    elif change == "window":
        set_contact_preferences(
            db, collector, entry.contract_no, window=(time(18), time(20)), channel=None
        )
    elif change == "feed":
        path = db.url.split("///")[1] + ".feed.csv"
        rows = [
            batch(1, at.date()),
            payment(entry.contract_no, "F-1", f"{at.date().isoformat()} 09:00:00", "150.00"),
        ]
        apply_feed(db, write_feed(Path(path), rows), now=at)
    else:
        # What a pull writes: the server's rows over the copy's, raw.
        with db.engine.begin() as connection:
            loan = connection.execute(
                select(Loan.id, Loan.borrower_id).where(Loan.contract_no == entry.contract_no)
            ).one()
            if change == "pull-flags":
                connection.execute(
                    update(Borrower).where(Borrower.id == loan[1]).values(dispute_open=True)
                )
            elif change == "pull-number":
                points = TABLES["contact_points"]
                connection.execute(
                    update(points)
                    .where(points.c.borrower_id == loan[1], points.c.kind == "mobile")
                    .values(do_not_call=True)
                )
            elif change == "pull-instalment":
                instalments = TABLES["instalments"]
                connection.execute(
                    update(instalments)
                    .where(instalments.c.loan_id == loan[0])
                    .values(penalty_accrued=instalments.c.penalty_accrued + 1234)
                )
            elif change == "pull-loan":
                connection.execute(
                    update(Loan).where(Loan.id == loan[0]).values(penalty_rate_daily=0.002)
                )
            else:
                _pulled_fact(connection, change, loan[0], loan[1], at)
    return entry.contract_no


def _pulled_fact(
    connection: Connection, change: str, loan: Any, borrower: Any, at: datetime
) -> None:
    """A fact about the account a pull brings, written raw: each changes the account's place."""
    collector = connection.execute(select(Loan.assigned_to_id).where(Loan.id == loan)).scalar_one()
    if change == "pull-plan":
        connection.execute(
            insert(TABLES["repayment_plans"]).values(
                id=uuid.uuid4(),
                loan_id=loan,
                created_by_id=collector,
                status="broken",
                total_amount=Decimal("1000.00"),
                frequency="monthly",
                closed_at=at - timedelta(hours=1),
                created_at=at - timedelta(days=20),
            )
        )
    elif change == "pull-callback":
        connection.execute(
            insert(TABLES["callbacks"]).values(
                id=uuid.uuid4(),
                loan_id=loan,
                user_id=collector,
                due_at=at,
                created_at=at - timedelta(days=1),
            )
        )
    elif change == "pull-promise":
        connection.execute(
            insert(TABLES["promises"]).values(
                id=uuid.uuid4(),
                loan_id=loan,
                amount=Decimal("300.00"),
                paid_amount=Decimal("0.00"),
                promised_date=at.date(),
                status="pending",
                created_at=at - timedelta(days=1),
            )
        )
    elif change == "pull-override":
        connection.execute(
            insert(TABLES["priority_overrides"]).values(
                id=uuid.uuid4(),
                loan_id=loan,
                level="top",
                reason="pulled",
                set_by_id=collector,
                set_at=at - timedelta(minutes=1),
                expires_at=at + timedelta(days=1),
            )
        )
    elif change == "pull-attempt":
        point = (
            connection.execute(
                select(TABLES["contact_points"].c.id).where(
                    TABLES["contact_points"].c.borrower_id == borrower,
                    TABLES["contact_points"].c.kind == "mobile",
                )
            )
            .scalars()
            .first()
        )
        connection.execute(
            insert(TABLES["contact_attempts"]).values(
                id=uuid.uuid4(),
                loan_id=loan,
                borrower_id=borrower,
                contact_point_id=point,
                user_id=collector,
                channel="call",
                started_at=at - timedelta(minutes=1),
                disposition="RTP",
                right_party=True,
                checklist=[],
                script_steps=[],
                created_at=at - timedelta(minutes=1),
            )
        )
    else:
        raise AssertionError(change)


@pytest.mark.parametrize(
    "change",
    [
        "call",
        "payment",
        "override",
        "window",
        "feed",
        "pull-flags",
        "pull-number",
        "pull-instalment",
        "pull-loan",
        "pull-plan",
        "pull-callback",
        "pull-promise",
        "pull-override",
        "pull-attempt",
    ],
)
def test_what_changed_between_sessions_is_computed_again(db: Database, change: str) -> None:
    collector, _ = demo_users(db)
    session(db, collector, AS_OF)
    at = AS_OF + timedelta(minutes=5)
    contract = _changed_between_sessions(db, change, at)
    live = cold(db, collector, at)
    assert 0 < live.remembered < live.remembered + live.computed
    entry = next(e for e in live.read(at, changed=set()).entries if e.contract_no == contract)
    assert entry.loan_key not in live._bare


@pytest.mark.parametrize("bulk", [False, True], ids=["row-by-row", "bulk"])
def test_what_a_sync_pulls_between_sessions_is_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """A real pull into an encrypted copy, of a callback and a borrower's dispute set on the
    server: those two accounts are computed again, the others taken from the memo. A pull of
    many rows takes the triggers off while it writes: then every account is."""
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    sync.install_clock(central)
    portfolio = Portfolio(central)
    accounts = [
        portfolio.account(today=AT.date(), dpd=5 + 7 * n, numbers={"mobile": f"1381234{n:04d}"})
        for n in range(6)
    ]
    copy = open_local_store(tmp_path / "copy", passphrase_key("memo: the copy's passphrase"))
    try:
        sync.sync(copy, central, "zhang.wei")
        session(copy, "zhang.wei", AT)
        assert cold(copy, "zhang.wei", AT).remembered == len(accounts)
        portfolio.callback(accounts[0], AT)
        with central.engine.begin() as connection:
            connection.execute(
                update(Borrower)
                .where(Borrower.id == accounts[1].borrower_id)
                .values(dispute_open=True)
            )
        if bulk:
            monkeypatch.setattr(sync, "BULK_ROWS", 1)
        sync.sync(copy, central, "zhang.wei")
        live = cold(copy, "zhang.wei", AT)
        assert live.remembered == (0 if bulk else len(accounts) - 2)
    finally:
        copy.dispose()
        central.dispose()


def test_a_bulk_write_with_the_triggers_off_voids_the_memo(db: Database) -> None:
    collector, _ = demo_users(db)
    session(db, collector, AS_OF)
    with db.engine.begin() as connection:
        triggers = take_off_triggers(connection)
        connection.execute(
            update(TABLES["instalments"]).values(
                penalty_accrued=TABLES["instalments"].c.penalty_accrued + 1
            )
        )
        put_back_triggers(connection, triggers)
    assert cold(db, collector, AS_OF).remembered == 0


def test_the_read_writes_nothing(db: Database) -> None:
    collector, _ = demo_users(db)
    session(db, collector, AS_OF)
    watcher = sqlite3.connect(db.url.split("///")[1])
    before = watcher.execute("PRAGMA data_version").fetchone()
    live = cold(db, collector, AS_OF + timedelta(minutes=3))
    assert live.remembered > 0
    # Another connection's commit would move it.
    assert watcher.execute("PRAGMA data_version").fetchone() == before
    watcher.close()


def test_a_cold_read_reads_the_accounts_and_their_answers_in_one_statement(
    db: Database,
) -> None:
    """The accounts listed and the memo's answers come in one statement (one pass over the
    collector's thousands of rows, not two to match up in Python); with every answer taken,
    nothing else is read of them."""
    collector, _ = demo_users(db)
    session(db, collector, AS_OF)
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        live = cold(db, collector, AS_OF)
        count = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert live.remembered > 50 and live.computed == 0
    reading = [
        statement for statement in statements[:count] if "queue_memo" in statement.split("WHERE")[0]
    ]
    assert len(reading) == 1 and "FROM loans" in reading[0]


def test_reasons_taken_from_the_memo_are_made_only_when_read(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read afresh hands out the memo's reasons as kept, made into reasons when someone reads
    them (the window: the rows in view); read, compared and printed they are the reasons
    computed from nothing, and kept again they are the text they were taken from."""
    collector, _ = demo_users(db)
    session(db, collector, AS_OF)
    made: list[str] = []
    making = queue_module._reasons_from_text

    def counted(text: str, parts: dict[str, Any]) -> Any:
        made.append(text)
        return making(text, parts)

    monkeypatch.setattr(queue_module, "_reasons_from_text", counted)
    live = LiveQueue(db, collector)
    read = live.read(AS_OF)
    assert live.remembered == len(read.entries) > 50
    assert made == []
    top = read.entries[0]
    assert top.reasons and top.reasons[0].key
    assert len(made) == 1
    fresh = build_queue(db, collector, AS_OF, memo=False)
    for kept, computed in zip(read.entries, fresh.entries, strict=True):
        assert isinstance(kept.reasons, queue_module.KeptReasons)
        assert kept.reasons == computed.reasons and computed.reasons == kept.reasons
        assert (len(kept.reasons), list(kept.reasons), kept.reasons[:2], repr(kept.reasons)) == (
            len(computed.reasons),
            list(computed.reasons),
            computed.reasons[:2],
            repr(computed.reasons),
        )
        assert bool(kept.reasons) == bool(computed.reasons)
        assert queue_module._reasons_text(kept.reasons) == queue_module._reasons_text(
            computed.reasons
        )
    # A different account's reasons are not these.
    assert read.entries[0].reasons != fresh.entries[-1].reasons


def test_an_entry_takes_its_answers_fields_in_order() -> None:
    """An entry is made from its account's answer by position (thousands a read): the answer's
    fields after its place line up with the entry's after the rank."""
    names = queue_module._Ranked._fields
    assert (names[3], names[2], *names[4:18]) == QueueEntry._fields[1:]


# --- facts changing between sessions, at random ----------------------------------------------

MOMENTS = [AT + timedelta(minutes=m) for m in (-600, -45, 0, 0, 1, 20, 700, 900)]
# What else a session may find changed: the account's own rows and the borrower's.
more = st.one_of(
    st.tuples(st.just("instalment"), st.integers(0, 4), st.sampled_from([0, 1, 5000])),
    st.tuples(st.just("flag"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("number"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("assign"), st.integers(0, 4), st.booleans()),
)


def _apply_more(connection: Connection, kept: World, operation: tuple[Any, ...]) -> None:
    kind, index, value = operation
    account = kept.accounts[index]
    if kind == "instalment":
        instalments = TABLES["instalments"]
        connection.execute(
            update(instalments)
            .where(instalments.c.loan_id == account.loan_id)
            .values(penalty_paid=value)
        )
    elif kind == "flag":
        connection.execute(
            update(Borrower).where(Borrower.id == account.borrower_id).values(vulnerable=value)
        )
    elif kind == "number":
        points = TABLES["contact_points"]
        connection.execute(
            update(points)
            .where(points.c.borrower_id == account.borrower_id, points.c.kind == "mobile")
            .values(wrong_number=value)
        )
    else:
        owner = kept.collector if value else _someone_else(connection, kept)
        connection.execute(
            update(Loan).where(Loan.id == account.loan_id).values(assigned_to_id=owner)
        )


def _someone_else(connection: Connection, kept: World) -> Any:
    return connection.execute(
        select(User.id).where(User.role == Role.COLLECTOR, User.id != kept.collector)
    ).scalar()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches=batches,
    extra=st.lists(st.lists(more, max_size=2), min_size=12, max_size=12),
    moments=st.lists(st.sampled_from(MOMENTS), min_size=13, max_size=13),
)
def test_a_cold_read_after_any_writes_is_the_queue_computed_afresh(
    world: World,
    batches: list[list[Any]],
    extra: list[list[Any]],
    moments: list[datetime],
) -> None:
    """Sessions one after another, each keeping its queue in the memo; between two, a
    transaction of writes to any of the rows the queue reads (inserts, updates, a pull's
    upserts, deletes). The next session's first read is the queue computed from the rows
    (taking from the memo however many accounts are to be computed again)."""
    _start_over(world)
    for user in ("zhang.wei", "lead.wang"):
        session(world.db, user, moments[0])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(queue_module, "_READ_ALL_OVER", 1.0)
        for number, writes in enumerate(batches):
            with world.db.engine.begin() as connection:
                for operation in writes:
                    apply_operation(connection, world, operation)
                for operation in extra[number]:
                    _apply_more(connection, world, operation)
            at = moments[number + 1]
            for user in ("zhang.wei", "lead.wang"):
                live = LiveQueue(world.db, user)
                fresh = build_queue(world.db, user, at, memo=False, summary=False)
                identical(live.read(at), fresh)
                live.remember()


def _start_over(kept: World) -> None:
    """No history; the first four accounts the collector's again."""
    with kept.db.engine.begin() as connection:
        for table in FACTS:
            connection.execute(delete(table))
        for account in kept.accounts[:4]:
            connection.execute(
                update(Loan).where(Loan.id == account.loan_id).values(assigned_to_id=kept.collector)
            )


def test_the_random_sessions_take_answers_from_the_memo(world: World) -> None:
    """The property above is not met by taking nothing: with nothing written, all is taken."""
    _start_over(world)
    live = session(world.db, "zhang.wei", AT)
    read = cold(world.db, "zhang.wei", AT)
    assert read.remembered == len(live.read(AT, changed=set()).entries) > 0
