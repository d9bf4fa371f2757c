"""The queue's summary of each account's history (app/models/queue_summary.py), worked out
whole from the facts: to check it, to repair it, and to fill it after bulk writes.

Triggers keep the summary row by row as facts are written (migration 0019). This module works
the same summary out table by table, for every loan at once: `repair` compares the two and
writes what differs (`db repair-summary`, the migration's first fill, a catalogue whose contact
codes changed), and the bulk writers of a workstation's copy (a first sync, the demo build)
take the triggers off while they write and repair after. The tests hold the triggers' summary
to this one after every kind of write.

Migration 0019 fills the summary with `repair`, which reads the tables as the models have them
today: a later migration that changes the summary's columns gives 0019 a fill of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from app.database import Database
from app.models import (
    Base,
    Callback,
    ContactAttempt,
    Loan,
    PlanStatus,
    PriorityOverride,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
)
from app.models.queue_memo import ALL_BORROWERS
from app.services.common.reference import dispositions

SUMMARY = Base.metadata.tables["loan_queue_summary"]
CODES = Base.metadata.tables["queue_summary_codes"]
# The summary's facts, in the table's order, and what a loan without a row has of them.
FIELDS: tuple[str, ...] = tuple(
    column.name for column in SUMMARY.columns if column.name != "loan_id"
)
EMPTY: tuple[Any, ...] = tuple(
    0 if column.server_default is not None else None
    for column in SUMMARY.columns
    if column.name != "loan_id"
)
FAILED = (PromiseStatus.BROKEN, PromiseStatus.PARTLY_KEPT)
# Loans worked out together (a key range of this many).
CHUNK = 20_000
# The SQLite triggers' names start so (migration 0019; PostgreSQL's end in _queue_summary),
# and those of the queue memo's stamps (migration 0025): a bulk write takes both off.
TRIGGERS = "queue_summary_"
STAMP_TRIGGERS = "queue_stamp_"


def contact_codes() -> tuple[str, ...]:
    """The dispositions the catalogue counts as a contact (someone answered), sorted."""
    return tuple(sorted(code for code, flags in dispositions().items() if flags.contact))


def codes_current(connection: Connection) -> bool:
    """Whether the summary was kept with the catalogue's contact codes (else the queue reads
    the facts themselves until it is repaired)."""
    stored = sorted(connection.execute(select(CODES.c.code)).scalars())
    return tuple(stored) == contact_codes()


def keep_current(db: Database) -> int:
    """Repair the summary where its contact codes are not the catalogue's (an edited
    resources/dispositions.json); the number of loans corrected (0: it was current)."""
    with db.engine.begin() as connection:
        return 0 if codes_current(connection) else repair(connection)


def repair_summary(db: Database) -> int:
    """Repair the summary in a transaction of its own; the number of loans corrected."""
    with db.engine.begin() as connection:
        return repair(connection)


def repair(connection: Connection) -> int:
    """Bring the summary to what the facts say (and its contact codes to the catalogue's);
    returns how many loans' summaries it corrected."""
    codes = contact_codes()
    if tuple(sorted(connection.execute(select(CODES.c.code)).scalars())) != codes:
        connection.execute(CODES.delete())
        connection.execute(CODES.insert(), [{"code": code} for code in codes])
    corrected = 0
    for span in _spans(connection):
        stored = {
            row[0]: tuple(row[1:])
            for row in connection.execute(select(SUMMARY).where(*span(SUMMARY.c.loan_id)))
        }
        wanted = computed(connection, span)
        changes = [
            {"loan_id": loan, **dict(zip(FIELDS, facts, strict=True))}
            for loan in sorted(set(stored) | set(wanted))
            if (facts := wanted.get(loan, EMPTY)) != stored.get(loan, EMPTY)
        ]
        if changes:
            connection.execute(_upsert(connection), changes)
        corrected += len(changes)
    return corrected


def stored_summary(connection: Connection) -> dict[uuid.UUID, tuple[Any, ...]]:
    """What the summary holds, per loan, leaving out loans whose summary is empty."""
    rows = connection.execute(select(SUMMARY))
    return {row[0]: tuple(row[1:]) for row in rows if tuple(row[1:]) != EMPTY}


def computed(connection: Connection, span: Any = None) -> dict[uuid.UUID, tuple[Any, ...]]:
    """The summary worked out from the facts, per loan (within `span`, a function of the
    column holding a loan key that returns the conditions on it); loans with nothing to
    summarise are left out."""
    found: dict[uuid.UUID, list[Any]] = {}
    place = {name: index for index, name in enumerate(FIELDS)}

    def within(column: Any) -> Sequence[ColumnElement[bool]]:
        return () if span is None else span(column)

    def put(loan: uuid.UUID, **facts: Any) -> None:
        row = found.setdefault(loan, list(EMPTY))
        for name, value in facts.items():
            row[place[name]] = value

    attempts = select(ContactAttempt.loan_id, func.max(ContactAttempt.started_at)).where(
        ContactAttempt.disposition.in_(select(CODES.c.code)), *within(ContactAttempt.loan_id)
    )
    for loan, last in connection.execute(attempts.group_by(ContactAttempt.loan_id)):
        put(loan, last_contact_at=last)
    callbacks = select(Callback.loan_id, func.count(), func.min(Callback.due_at)).where(
        Callback.done_at.is_(None), *within(Callback.loan_id)
    )
    for loan, count, due in connection.execute(callbacks.group_by(Callback.loan_id)):
        put(loan, open_callbacks=count, next_callback_at=due)
    pending = _latest_promise(PromiseToPay.status == PromiseStatus.PENDING, within)
    first = select(pending.c.loan_id, pending.c.count, pending.c.promised_date, pending.c.amount)
    for loan, count, day, amount in connection.execute(first.where(pending.c.place == 1)):
        put(loan, pending_promises=count, pending_promise_on=day, pending_promise_amount=amount)
    failed = _latest_promise(PromiseToPay.status.in_(FAILED), within)
    for loan, promised, status, amount, paid in connection.execute(
        select(
            failed.c.loan_id,
            failed.c.promised_date,
            failed.c.status,
            failed.c.amount,
            failed.c.paid_amount,
        ).where(failed.c.place == 1)
    ):
        put(
            loan,
            failed_promise_on=promised,
            failed_promise_status=status,
            failed_promise_amount=amount,
            failed_promise_paid=paid,
        )
    plans = select(RepaymentPlan.loan_id, func.max(RepaymentPlan.closed_at)).where(
        RepaymentPlan.status == PlanStatus.BROKEN, *within(RepaymentPlan.loan_id)
    )
    for loan, closed in connection.execute(plans.group_by(RepaymentPlan.loan_id)):
        put(loan, broken_plan_at=closed)
    overrides = select(PriorityOverride.loan_id, func.count()).where(
        PriorityOverride.cleared_at.is_(None), *within(PriorityOverride.loan_id)
    )
    for loan, count in connection.execute(overrides.group_by(PriorityOverride.loan_id)):
        put(loan, open_overrides=count)
    return {loan: tuple(row) for loan, row in found.items() if tuple(row) != EMPTY}


def _latest_promise(condition: ColumnElement[bool], within: Any) -> Any:
    """Per loan, the promises meeting `condition` numbered from the last by (promised date,
    made at, key) — the order the queue reads them in — with their count."""
    by_loan = PromiseToPay.loan_id
    latest = (
        PromiseToPay.promised_date.desc(),
        PromiseToPay.created_at.desc(),
        PromiseToPay.id.desc(),
    )
    statement: Select[Any] = select(
        PromiseToPay.loan_id,
        PromiseToPay.promised_date,
        PromiseToPay.status,
        PromiseToPay.amount,
        PromiseToPay.paid_amount,
        func.row_number().over(partition_by=by_loan, order_by=latest).label("place"),
        func.count().over(partition_by=by_loan).label("count"),
    ).where(condition, *within(by_loan))
    return statement.subquery()


def _spans(connection: Connection) -> Iterator[Any]:
    """Key ranges of at most CHUNK loans, covering every loan (and a summary row's loan)."""
    loans = list(connection.execute(select(Loan.id).order_by(Loan.id)).scalars())
    for start in range(0, max(len(loans), 1), CHUNK):
        chunk = loans[start : start + CHUNK]
        low = chunk[0] if start and chunk else None
        high = chunk[-1] if start + CHUNK < len(loans) else None

        def span(column: Any, low: Any = low, high: Any = high) -> list[ColumnElement[bool]]:
            return [
                condition
                for condition in (
                    None if low is None else column >= low,
                    None if high is None else column <= high,
                )
                if condition is not None
            ]

        yield span


def _upsert(connection: Connection) -> Any:
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(SUMMARY)
    return statement.on_conflict_do_update(
        index_elements=[SUMMARY.c.loan_id],
        set_={name: statement.excluded[name] for name in FIELDS},
    )


def take_off_triggers(connection: Connection) -> list[str]:
    """Take the summary's triggers off for a bulk write (SQLite: dropped; PostgreSQL, as the
    tables' owner: disabled); returns the statements that put them back as they were
    (`put_back_triggers`, then `repair`, in the same transaction)."""
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgname LIKE %s AND tgenabled <> 'D' ORDER BY 2",
            (r"%\_queue\_summary",),
        ).all()
        for table, name in found:
            connection.exec_driver_sql(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        return [f'ALTER TABLE {table} ENABLE TRIGGER "{name}"' for table, name in found]
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND (substr(name, 1, ?) = ? OR substr(name, 1, ?) = ?) ORDER BY name",
        (len(TRIGGERS), TRIGGERS, len(STAMP_TRIGGERS), STAMP_TRIGGERS),
    ).all()
    for name, _ in found:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return [str(sql) for _, sql in found]


def put_back_triggers(connection: Connection, statements: Sequence[str]) -> None:
    """Put the triggers back; on SQLite every borrower counts as written to (the queue
    stamps' triggers were off: no answer the queue memo kept from before may be taken)."""
    for statement in statements:
        connection.exec_driver_sql(statement)
    if connection.dialect.name == "sqlite":
        void_queue_memo(connection)


def void_queue_memo(connection: Connection) -> None:
    """Number a write to every borrower at once and drop the memo (app/models/queue_memo.py)."""
    everyone = ALL_BORROWERS.hex
    connection.exec_driver_sql(
        "INSERT INTO queue_stamps (borrower_id, stamp) SELECT ?, 0 WHERE NOT EXISTS"
        " (SELECT 1 FROM queue_stamps WHERE borrower_id = ?)",
        (everyone, everyone),
    )
    connection.exec_driver_sql(
        "UPDATE queue_stamps SET stamp = (SELECT max(stamp) FROM queue_stamps) + 1"
        " WHERE borrower_id = ?",
        (everyone,),
    )
    connection.exec_driver_sql("DELETE FROM queue_memo")
