"""A reproducible, realistic demo portfolio: staff, borrowers, loans and a month of collection work.

Everything is drawn from one `random.Random(seed)`, so the same seed, `as_of` and size give the
same rows byte for byte. The shape of the book (shares, weights, names, places, texts) is data in
`resources/demo/`. Balances are consistent with payments: every instalment row holds what
`balances.replay` makes of the schedule and the loan's payments (see ledger.py).

This module builds and writes; the package's other modules make the rows (see the package's
docstring for a map). Rows are generated as plain tuples in SQLite's storage format (hex keys,
whole cents, ISO text dates) and written with executemany in one transaction: straight through
the DBAPI cursor on SQLite, or converted to Python values and inserted with SQLAlchemy Core on
any other database (the sinks in rows.py; the tests check that both store the very same
values). 200,000 accounts, some 4.4 million rows, take one and a half minutes on a two-core
laptop-class machine.

Last, in the same transaction, the reminders job's last days go through the dispatcher itself
(app/demo/reminders.py): it reads the rows written before it. A book built with
`reminders=False` has no reminder history.
"""

from __future__ import annotations

import gc
import json
import math
import random
import time as clock
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from app.database import Database
from app.demo.accounts import Accounts
from app.demo.calls import Calls
from app.demo.collection import Collection
from app.demo.ledger import Ledger
from app.demo.oversight import Oversight
from app.demo.people import People
from app.demo.promises import Promises
from app.demo.records import Plan
from app.demo.reminders import RemindersDone, send_reminders
from app.demo.repayments import Repayments
from app.demo.rows import AUDIT_COLUMNS, CoreSink, Sink, SQLiteSink, table
from app.demo.shape import Shape
from app.demo.showcase import Showcase
from app.demo.staff import Staff
from app.demo.state import DemoState
from app.models import (
    AuditEvent,
    Borrower,
    Callback,
    ContactAttempt,
    ContactPoint,
    Instalment,
    LegalCase,
    Loan,
    Payment,
    PromiseToPay,
    Role,
    User,
)
from app.services.common.errors import InvalidInput
from app.services.common.queue_summary import put_back_triggers, repair, take_off_triggers

# Switched off by the tests to check that both writers store the very same values.
SQLITE_FAST_PATH = True
# Accounts whose rows are written together.
CHUNK_ACCOUNTS = 2000
# Accounts between two reports of progress: the first start's 2,000 are one chunk, and its
# progress bar should move while they are built.
PROGRESS_ACCOUNTS = 200


@dataclass(frozen=True)
class DemoSummary:
    accounts: int
    borrowers: int
    users: int
    instalments: int
    payments: int
    attempts: int
    promises: int
    callbacks: int
    reminders: int  # messages the reminders job sent (app.demo.reminders)
    seconds: float


def build_demo(
    db: Database,
    *,
    accounts: int = 2000,
    seed: int = 1,
    as_of: datetime | None = None,
    accounts_per_collector: int = 250,
    progress: Callable[[int, int], None] | None = None,
    reminders: bool = True,
) -> DemoSummary:
    """Fill an empty, upgraded database with a demo portfolio in one transaction.

    as_of: the portfolio's "now" (aware); defaults to the current time.
    progress: called as progress(accounts_done, accounts) now and then.
    reminders: with the reminders job's last days (app.demo.reminders); without, the book has
        no reminder history and the texts collectors logged by hand run to its last day (the
        portfolio the dispatcher's benchmark decides its first run on).
    """
    started = clock.perf_counter()
    if accounts < 1:
        raise InvalidInput("A demo portfolio needs at least one account.")
    if accounts_per_collector < 1:
        raise InvalidInput("Accounts per collector must be at least one.")
    if as_of is None:
        as_of = datetime.now(UTC)
    elif as_of.tzinfo is None:
        raise InvalidInput("The demo portfolio's date and time must carry a time zone.")
    as_of = as_of.astimezone(UTC)

    builder = _Builder(seed, as_of, accounts, accounts_per_collector, reminders)
    # Millions of short-lived tuples would set off the cycle collector again and again; none of
    # them can form a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _write(db, builder, progress)
    finally:
        if collecting:
            gc.enable()
    counts = builder.counts
    sent = builder.reminders
    return DemoSummary(
        accounts=accounts,
        borrowers=counts["borrowers"],
        users=counts["users"] + sent.logins,
        instalments=counts["instalments"],
        payments=counts["payments"],
        attempts=counts["attempts"] + sent.attempts,
        promises=counts["promises"],
        callbacks=counts["callbacks"],
        reminders=sent.messages,
        seconds=round(clock.perf_counter() - started, 3),
    )


def uuid_of(key: str) -> uuid.UUID:
    return uuid.UUID(hex=key)


def _write(db: Database, builder: _Builder, progress: Callable[[int, int], None] | None) -> None:
    with db.engine.connect() as conn:
        fast = SQLITE_FAST_PATH and conn.dialect.name == "sqlite"
        restore = _sqlite_build_pragmas(conn) if fast else []
        conn.commit()  # reading the pragmas began a (DBAPI-empty) transaction; end it
        try:
            with conn.begin():
                indexes: list[str] = []
                if fast:
                    # pysqlite opens a transaction only before DML; the index DDL below must be
                    # inside it too, so that a failed build leaves the schema as it was.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                _require_empty(conn)
                if fast:
                    indexes = _drop_bulk_indexes(conn)
                # The queue summary is worked out once at the end, not row by row (where the
                # triggers' DDL is inside this transaction: not SQLite's slow path).
                bulk = fast or conn.dialect.name == "postgresql"
                triggers = take_off_triggers(conn) if bulk else []
                sink: Sink = SQLiteSink(conn) if fast else CoreSink(conn)
                builder.write_staff(sink)
                if progress:
                    progress(0, builder.accounts)
                for done in builder.write_accounts(sink):
                    if progress:
                        progress(done, builder.accounts)
                builder.write_visit_requests(sink)
                builder.write_audit(sink)
                builder.write_legal_referrals(conn)
                for statement in indexes:
                    conn.exec_driver_sql(statement)
                if not bulk:
                    # The reminders' rows too are summed up once at the end (SQLite's slow path:
                    # the rows above began the transaction, which the triggers' DDL is in now).
                    triggers = take_off_triggers(conn)
                    bulk = True
                # The reminders job's last days, through the dispatcher itself, in the same
                # transaction (its units of work are savepoints in it).
                builder.send_reminders(Database.within(conn))
                if bulk:
                    put_back_triggers(conn, triggers)
                    repair(conn)
                if fast:
                    # Foreign keys were off while the rows went in (_sqlite_build_pragmas).
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"demo rows break a foreign key: {tuple(broken)}")
        finally:
            for statement in restore:
                conn.exec_driver_sql(statement)
            conn.commit()


def _drop_bulk_indexes(conn: Connection) -> list[str]:
    """Drop the secondary indexes of the tables the build fills; returns what recreates them.

    Building an index once over millions of rows (SQLite sorts, then writes the tree bottom
    up) is much cheaper than growing it row by row. The statements are the schema's own, as
    SQLite keeps them, so the schema ends exactly as it was.
    """
    tables = ", ".join(f"'{table(model).name}'" for model in _BULK_MODELS)
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({tables}) ORDER BY name"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in found]


def _require_empty(conn: Connection) -> None:
    for model in (User, Loan, Borrower):
        found = table(model)
        if conn.execute(select(found.c[next(iter(found.c.keys()))]).limit(1)).first():
            raise InvalidInput(
                "The database already holds a portfolio (users, borrowers or loans); a demo "
                "portfolio can only be built into an empty database."
            )


def _sqlite_build_pragmas(conn: Connection) -> list[str]:
    """Speed settings for the one big transaction; returns the statements that undo them."""
    before = {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("synchronous", "cache_size", "foreign_keys")
    }
    # A build that is lost is simply built again, so it need not survive a power cut. A bigger
    # page cache keeps the tables' trees in memory while millions of rows go in. Foreign keys
    # are checked once at the end, which costs a third of checking them on every insert.
    conn.exec_driver_sql("PRAGMA synchronous=OFF")
    conn.exec_driver_sql("PRAGMA cache_size=-524288")
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    return [f"PRAGMA {name}={int(value or 0)}" for name, value in before.items()]


_BULK_MODELS = (
    Borrower,
    ContactPoint,
    Loan,
    Instalment,
    Payment,
    ContactAttempt,
    PromiseToPay,
    Callback,
)


class _Builder:
    """The parts of the build, wired together, and the steps `_write` takes in order: staff,
    accounts (a chunk at a time), visit requests, audit. The order is the random stream's: a
    step taken earlier or later changes every row after it."""

    def __init__(
        self, seed: int, as_of: datetime, accounts: int, per_collector: int, reminders: bool
    ) -> None:
        state = self.state = DemoState(seed, as_of, accounts, per_collector, reminders)
        self.accounts = accounts
        self.counts = state.counts
        self.reminders = RemindersDone(0, 0, 0)
        # Drawn before anything else: the staff's size depends on it.
        self._plans = draw_plans(state)
        people = People(state)
        self._staff = Staff(state, people)
        self._oversight = Oversight(state, self._staff)
        calls = Calls(state, self._oversight)
        ledger = Ledger(state)
        promises = Promises(state, calls, ledger)
        showcase = Showcase(state, calls, promises)
        collection = Collection(state, calls, ledger, promises, showcase)
        repayments = Repayments(state, calls, ledger)
        self._account_builder = Accounts(state, people, self._staff, ledger, collection, repayments)

    def write_staff(self, sink: Sink) -> None:
        self._staff.write(sink, self._plans)

    def write_accounts(self, sink: Sink) -> Iterator[int]:
        """Build the accounts in order, writing each chunk's rows; yields the accounts done."""
        for index, plan in enumerate(self._plans):
            self._account_builder.build(index, plan)
            if (index + 1) % CHUNK_ACCOUNTS == 0 or index + 1 == self.accounts:
                self.state.rows.flush(sink, self.counts)
                yield index + 1
            elif (index + 1) % PROGRESS_ACCOUNTS == 0:
                yield index + 1

    def send_reminders(self, db: Database) -> None:
        """The reminders job's last days (app.demo.reminders): after every other row, since
        the dispatcher reads them."""
        state = self.state
        if not state.reminders:
            return
        self.reminders = send_reminders(
            db, seed=state.seed, as_of=state.as_of, spec=state.shape.book["reminders"]
        )

    def write_visit_requests(self, sink: Sink) -> None:
        self._oversight.write_visit_requests(sink)

    def write_audit(self, sink: Sink) -> None:
        """The build itself, in the audit log, with what it was built from."""
        state = self.state
        details = {
            "seed": state.seed,
            "accounts": state.accounts,
            "accounts_per_collector": state.per_collector,
            "as_of": state.as_of.isoformat(),
        }
        row = (
            state.uuid(),
            state.ts(state.as_of_sec),
            None,
            "demo.built",
            "portfolio",
            "demo",
            json.dumps(details),
        )
        sink.write(table(AuditEvent), AUDIT_COLUMNS, [row])

    def write_legal_referrals(self, conn: Connection) -> None:
        """The accounts whose borrower is under legal referral, each referred by its team's
        lead when the mark was set (the borrower's last change), for the reason the borrower's
        notes give: the lead's Legal tab lists them. Written last, so the random stream of
        every row before is the same."""
        state = self.state
        loans, borrowers, users = (
            Loan.__table__,
            Borrower.__table__,
            User.__table__,
        )
        holder = users.alias("holder")
        leads = {
            team: lead
            for lead, team in conn.execute(
                select(users.c.id, users.c.team_id)
                .where(users.c.role == Role.TEAM_LEAD.value)
                .order_by(users.c.username)
            )
        }
        referred = conn.execute(
            select(
                loans.c.id,
                loans.c.borrower_id,
                borrowers.c.updated_at,
                borrowers.c.notes,
                holder.c.team_id,
                loans.c.team_id,
            )
            .join(borrowers, borrowers.c.id == loans.c.borrower_id)
            .outerjoin(holder, holder.c.id == loans.c.assigned_to_id)
            .where(borrowers.c.legal_referral.is_(True))
            .order_by(loans.c.contract_no)
        ).all()
        rows = [
            {
                "id": uuid_of(state.uuid()),
                "loan_id": loan,
                "borrower_id": borrower,
                "reason": notes or "",
                "referred_by_id": leads[team or pool],
                "referred_at": flagged,
                "withdrawn_at": None,
                "withdrawn_by_id": None,
                "withdrawn_reason": None,
            }
            for loan, borrower, flagged, notes, team, pool in referred
            if (team or pool) in leads and notes
        ]
        if rows:
            conn.execute(table(LegalCase).insert(), rows)


# The plan of the book: every account's bucket, place, flag and showcase role, drawn before any
# account is built (staff sizes depend on them, and the rare cases get a guaranteed minimum).


def draw_plans(state: DemoState) -> list[Plan]:
    """One plan per account, in the order the accounts are built."""
    rng = state.rng
    shape = state.shape
    book = shape.book
    settled_share = float(book["settled_share"])
    abroad_share = float(book["abroad_share"])
    field_share = float(book["field_share_of_late"])
    plans = []
    for _ in range(state.accounts):
        if rng.random() < settled_share:
            plans.append(Plan(None, abroad=rng.random() < abroad_share))
            continue
        bucket = shape.bucket_choice.pick(rng)
        abroad = rng.random() < abroad_share
        plan = Plan(bucket, abroad=abroad)
        plan.field = bucket in shape.late_buckets and not abroad and rng.random() < field_share
        plans.append(plan)
    overdue = [i for i, p in enumerate(plans) if p.bucket not in (None, "C")]
    taken: set[int] = set()

    def draw(pool: list[int], count: int) -> list[int]:
        free = [i for i in pool if i not in taken]
        chosen = rng.sample(free, min(count, len(free)))
        taken.update(chosen)
        return chosen

    minimum = int(book["activity"]["min_special"])
    for flag, spec in book["flags"].items():
        if "share_of_M6+" in spec:
            pool = [i for i in overdue if plans[i].bucket == "M6+"]
            count = round(float(spec["share_of_M6+"]) * len(pool))
        else:
            pool = overdue
            count = round(float(spec["share"]) * state.accounts)
        for i in draw(pool, max(int(spec["min"]), count)):
            plans[i].flag = flag
    phone_early = [
        i
        for i in overdue
        if plans[i].bucket in ("M1", "M2", "M3") and not plans[i].abroad and not plans[i].field
    ]
    for special in ("cap_connected", "cap_unanswered", "callback_today", "promise_lapsed"):
        share = float(book["activity"][f"{special}_share"])
        for i in draw(phone_early, max(minimum, round(share * state.accounts))):
            plans[i].special = special
    draw_stories(state, plans)
    return plans


def draw_stories(state: DemoState, plans: list[Plan]) -> None:
    """Each overdue borrower's traits and willingness to pay, and what becomes of the plain
    phone accounts in the window: a cure, a repayment plan kept or broken, or nothing
    (docs/demo.md, docs/scoring.md).

    Drawn from a stream of their own, after everything else in the plan of the book: the staff
    (and so the demo's user names) do not change with them.
    """
    fate = random.Random(f"{state.seed}:stories")
    shape = state.shape
    history = shape.history
    alpha, beta = shape.willingness
    today = state.today
    window = shape.window_days
    kept = history["plan_kept"]
    pool: dict[str, list[int]] = {}
    for i, plan in enumerate(plans):
        if plan.bucket in (None, "C"):
            continue
        plan.willingness = _willingness(shape, plan, fate.betavariate(alpha, beta), fate)
        if plan.flag or plan.special or plan.abroad or plan.field:
            continue
        bucket = plan.bucket
        pool.setdefault(bucket, []).append(i)
        roll = fate.random()
        cure = min(1.0, shape.cure_share[bucket] * 2 * plan.willingness)
        if roll < cure:
            plan.story = "cure"
            plan.story_day = today - 1 - int(fate.random() * (window - 1))
        elif roll < cure + shape.plan_share[bucket]:
            chance = float(kept["base"]) + float(kept["per_willingness"]) * plan.willingness
            plan.story = "plan_kept" if fate.random() < chance else "plan_broken"
            # Offered early enough that an instalment has fallen due, and a broken plan has
            # had its grace run out, by today.
            plan.story_day = today - 12 - int(fate.random() * (window - 14))
    # The rare outcomes a small demo might miss: a cure in the last week in every bucket, and
    # plans both kept and broken.
    least = int(history["cure_min_last_week"])
    for members in pool.values():
        recent = [i for i in members if plans[i].story == "cure" and plans[i].story_day > today - 7]
        others = [i for i in members if plans[i].story is None]
        for i in fate.sample(others, min(len(others), max(0, least - len(recent)))):
            plans[i].story = "cure"
            plans[i].story_day = today - 1 - int(fate.random() * 6)
    late = [i for bucket, members in pool.items() if bucket != "M1" for i in members]
    for outcome in ("plan_kept", "plan_broken"):
        have = sum(1 for i in late if plans[i].story == outcome)
        others = [i for i in late if plans[i].story is None]
        for i in fate.sample(others, min(len(others), max(0, int(history["plan_min"]) - have))):
            plans[i].story = outcome
            plans[i].story_day = today - 12 - int(fate.random() * (window - 14))


def _willingness(shape: Shape, plan: Plan, hidden: float, fate: random.Random) -> float:
    """An overdue borrower's traits (product, principal, employer known or not, home city),
    drawn here for the account to show, and the willingness to pay they shape with the
    borrower's `hidden` own (a Beta draw): the logistic of the traits' effects plus the logit of
    the hidden part (docs/scoring.md)."""
    traits = shape.history["traits"]
    product = plan.product = shape.products.pick(fate)
    principal = plan.principal = product.principals.pick(fate)
    employed = plan.employed = fate.random() >= float(shape.book["employer_null_share"])
    city = shape.cities.pick(fate)
    log_odds = float(traits["product"].get(product.code, 0.0))
    log_odds += float(traits["employed"] if employed else traits["unemployed"])
    if not plan.abroad and not plan.field:
        # A field account lives in its agent's city, an abroad one abroad: no home effect.
        plan.city = city
        log_odds += float(traits["province"].get(city.province, 0.0))
    typical = float(shape.book["products"][product.code]["typical"])
    log_odds += float(traits["per_doubling_of_principal"]) * math.log2(principal / typical)
    hidden = min(max(hidden, 1e-6), 1 - 1e-6)
    log_odds += math.log(hidden / (1 - hidden))
    return 1 / (1 + math.exp(-log_odds))
