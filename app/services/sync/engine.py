"""Sync between a workstation's local copy and the central database (docs/domain.md §9).

Push. A trigger writes every local insert and update into the outbox, in the same transaction
as the change itself; the outbox number is the workstation's numbering of its changes. A push
sends them in order. The server applies each change in a transaction that also moves the
workstation's "last applied" number, and skips numbers it has already applied, so a push
retried after a crash changes nothing twice. A change the server does not take (an edit made
against an older version of a mutable row, or one the server's rules refuse) is recorded there
and becomes a conflict here, which the user sees and can re-apply: the server wins.

Pull. Every central row carries the transaction that last wrote it (`changed_tx`). A pull reads
the rows written since its cursor, and the new cursor is the oldest transaction still running
when the pull started (on PostgreSQL `pg_snapshot_xmin`), not the newest one seen: a
transaction that began earlier and commits later is still found by the next pull. Rows already
applied may come again; applying a row twice changes nothing. On PostgreSQL the server keeps,
for each account (and borrower), a mark of the tables each transaction wrote for it
(`sync_marks`, migration 0027): a pull asks the marks of its scope's accounts since the cursor
and reads those accounts' new rows alone, so what it costs does not grow with what other teams
write; the staff directory and the feed list are read since the cursor whole, as before.

Scope. Each pull asks the server which accounts the user works now. One that left the scope is
deleted here with its history and personal data; one that arrived comes with all of it.

Retention. The retention job erases a borrower on the server by changing their rows, so a pull
brings the erased rows like any other change. A borrower that arrives erased is erased here
too (app.services.common.erasure), for what the copy holds beyond those rows: an edit still
waiting, a conflict, this workstation's own audit trail, the PDFs it wrote.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
import psycopg.abc
import psycopg.adapt
import psycopg.errors
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Row,
    Table,
    Uuid,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from app.database import Database
from app.models import Base, FieldVisit, Loan, Role, User, VisitStatus
from app.models.types import Money, UTCDateTime, utcnow
from app.services.common.erasure import (
    erase,
    erased_documents,
    forget_documents,
    remove_files,
)
from app.services.common.errors import DomainError, Message, NotAllowed, NotFound
from app.services.common.queue_summary import put_back_triggers, repair, take_off_triggers
from app.services.sync import contents

# The bookkeeping (app/models/sync.py), used as tables.
OUTBOX = Base.metadata.tables["sync_outbox"]
STATE = Base.metadata.tables["sync_state"]
CONFLICTS = Base.metadata.tables["sync_conflicts"]
PAUSE = Base.metadata.tables["sync_pause"]
CLOCK = Base.metadata.tables["sync_clock"]
WORKSTATIONS = Base.metadata.tables["sync_workstations"]
OUTCOMES = Base.metadata.tables["sync_outcomes"]
# Every synced table, parents before children.
TABLES: tuple[Table, ...] = tuple(t for t in Base.metadata.sorted_tables if "changed_tx" in t.c)
BY_NAME = {table.name: table for table in TABLES}
# Everyone's colleagues: the staff directory comes whole, whatever the scope.
DIRECTORY = ("teams", "users")
# What comes whole to team leads (and administrators) only: the lending system's feed files
# and their reconciliation.
LEADS_ONLY = frozenset({"feed_batches"})
# An account's records that go to its team's leads only (and administrators): a referral to
# legal and its case's steps. A collector's copy never holds them; the account leaves their
# queue by the borrower's mark (app.services.legal).
LEADS_ACCOUNTS = frozenset({"legal_cases", "legal_steps"})
# Mutable records: an edit names the version it started from, and loses to a newer one.
VERSIONED = frozenset(
    {
        "borrowers",
        "contact_points",
        "loans",
        "instalments",
        "callbacks",
        "escalations",
        "visit_requests",
        "legal_cases",
        "dispute_cases",
        "complaints",
    }
)
# Logs: written once, never changed by a workstation (the lending system's feed marks a payment
# reversed, or a borrower's reported payment matched, on the server; pulls bring that).
LOGS = frozenset(
    {
        "contact_attempts",
        "account_notes",
        "audit_events",
        "payments",
        "contact_blocks",
        "plan_pause_overrides",
        "reported_payments",
        "legal_steps",
    }
)
# The workstation's own trail goes up; it does not come down.
NOT_PULLED = frozenset({"audit_events"})
# Reference data, not an account's (issue 21, item 4): the stored scorecards and each team's
# log of the one its queue scores with. A lead (or administrator) receives every version and
# their team's log since the cursor. Any other login receives only their team's latest step
# and the scorecard it names, whenever the log moves (a version stored long ago becomes theirs
# when promoted: no cursor would find it), and their copy keeps nothing else of them.
REFERENCE = ("scorecards", "scorecard_choices")
# Not an account's: read since the cursor whole, whatever the scope.
SHARED = (*DIRECTORY, *sorted(LEADS_ONLY), *REFERENCE)
BOOKKEEPING = ("row_version", "changed_tx")
# Where a plan's loan is in its row.
PLAN_LOAN = [column.name for column in BY_NAME["repayment_plans"].columns].index("loan_id")
PUSH_BATCH = 200
# On PostgreSQL a batch goes to the server in one call (`cw_sync_push`, migration 0023) rather
# than statement by statement; False sends it statement by statement (tests compare the two).
PUSH_IN_ONE_CALL = True
# On PostgreSQL a pull finds the accounts of its scope with something new by their marks
# (`sync_marks`, migration 0027) and reads only those; False asks every table for all rows
# written since the cursor, as before (tests and benchmarks compare the two).
PULL_BY_MARKS = True
IN_CHUNK = 500
# Borrowers erased here in one go (each brings its accounts' records along).
ERASE_CHUNK = 200
# PostgreSQL takes the keys as one array parameter: a first sync's whole scope goes in one
# query a table rather than one per 500 accounts.
ARRAY_CHUNK = 20_000
# A pull writing more rows than this takes the outbox triggers off while it writes.
BULK_ROWS = 5_000
# Seconds between syncs while they work, and the longest wait after failures.
INTERVAL = 60
LONGEST_WAIT = 900


class SyncFailed(DomainError):
    """The central database could not be reached or refused the sync; nothing was lost."""


@dataclass(frozen=True)
class PushReport:
    sent: int
    conflicts: int
    refused: int


@dataclass(frozen=True)
class PullReport:
    rows: int
    arrived: int
    purged: int
    cursor: int
    # Borrowers that came erased by the retention job (and were erased here too).
    erased: int = 0
    # Attachments' contents fetched (those the copy lacked).
    contents: int = 0


@dataclass(frozen=True)
class SyncReport:
    push: PushReport
    pull: PullReport
    at: datetime


@dataclass(frozen=True)
class SyncStatus:
    username: str | None
    last_sync_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    failures: int
    waiting: int
    conflicts: int

    @property
    def online(self) -> bool:
        return self.last_attempt_at is not None and self.failures == 0

    @property
    def retry_in(self) -> int:
        """Seconds until the next automatic sync."""
        return retry_delay(self.failures)


@dataclass(frozen=True)
class ConflictView:
    id: uuid.UUID
    table: str
    kind: str  # conflict (can be re-applied) | refused
    reason: Message
    fields: tuple[str, ...]
    contract_no: str | None
    created_at: datetime


def retry_delay(failures: int, jitter: Callable[[], float] = random.random) -> int:
    """The wait before the next sync: the interval while syncs work, doubling after each
    failure up to LONGEST_WAIT, give or take a tenth so workstations do not retry in step."""
    if failures <= 0:
        return INTERVAL
    base = min(15 * 2 ** (failures - 1), LONGEST_WAIT)
    return max(1, round(base * (0.9 + 0.2 * jitter())))  # type: ignore[no-any-return]


# --- triggers ---------------------------------------------------------------------------------


def install_outbox(local: Database) -> None:
    """The triggers that put every local change of a synced table into the outbox."""
    with local.engine.begin() as connection:
        # One transaction for all of it, begun here: the driver runs DDL outside a transaction
        # of its own, and a change another connection committed between a DROP and its CREATE
        # would never reach the outbox.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Made afresh each time: an older installation's triggers give way to these.
        _drop_outbox(connection)
        _create_outbox(connection)


def _drop_outbox(connection: Connection) -> None:
    for table in TABLES:
        for kind in ("insert", "update"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS outbox_{table.name}_{kind}")


def _create_outbox(connection: Connection) -> None:
    for table in TABLES:
        for statement in _outbox_triggers(table):
            connection.exec_driver_sql(statement)


def _outbox_triggers(table: Table) -> tuple[str, str]:
    key = ", ".join(f"NEW.{column.name}" for column in table.primary_key)
    old_key = key.replace("NEW.", "OLD.")
    old = ", ".join(f"'{column.name}', OLD.{column.name}" for column in table.columns)
    paused = "NOT EXISTS (SELECT 1 FROM sync_pause)"
    # An UPDATE that changes nothing (a row lock taken by writing a column to itself) is no
    # change to send.
    changed = " OR ".join(f"OLD.{column.name} IS NOT NEW.{column.name}" for column in table.columns)
    # The moment in the form SQLAlchemy stores a UTC instant on SQLite (microseconds).
    now = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
    return (
        f"CREATE TRIGGER IF NOT EXISTS outbox_{table.name}_insert AFTER INSERT ON "
        f"{table.name} WHEN {paused} BEGIN INSERT INTO sync_outbox (table_name, row_key, "
        f"op, queued_at) VALUES ('{table.name}', json_array({key}), 'insert', {now}); END",
        f"CREATE TRIGGER IF NOT EXISTS outbox_{table.name}_update AFTER UPDATE ON "
        f"{table.name} WHEN {paused} AND ({changed}) BEGIN INSERT INTO sync_outbox "
        f"(table_name, row_key, op, old, queued_at) VALUES ('{table.name}', "
        f"json_array({old_key}), 'update', json_object({old}), {now}); END",
    )


def install_clock(central: Database) -> None:
    """Make an embedded (SQLite) central stamp each write with a tick, as PostgreSQL stamps
    it with its transaction id. Rows written before carry no stamp: they come with their
    account, not through a cursor."""
    with central.engine.begin() as connection:
        connection.exec_driver_sql("INSERT OR IGNORE INTO sync_clock (id, tick) VALUES (1, 0)")
        for table in TABLES:
            if table.name in NOT_PULLED:
                continue
            stamp = (
                "UPDATE sync_clock SET tick = tick + 1 WHERE id = 1; "
                f"UPDATE {table.name} SET changed_tx = (SELECT tick FROM sync_clock WHERE id = 1) "
                "WHERE rowid = NEW.rowid;"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS clock_{table.name}_insert AFTER INSERT ON "
                f"{table.name} BEGIN {stamp} END"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS clock_{table.name}_update AFTER UPDATE ON "
                f"{table.name} WHEN NEW.changed_tx IS OLD.changed_tx BEGIN {stamp} END"
            )


# --- keys and raw rows --------------------------------------------------------------------------


def _raw(value: Any) -> Any:
    """A key value as SQLite stores it (and as the outbox trigger wrote it)."""
    return value.hex if isinstance(value, uuid.UUID) else value


def _key_text(values: Sequence[Any]) -> str:
    return json.dumps([_raw(value) for value in values], separators=(",", ":"))


def _typed_key(table: Table, raw: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        uuid.UUID(value) if isinstance(column.type, Uuid) and isinstance(value, str) else value
        for column, value in zip(table.primary_key, raw, strict=True)
    )


def _key_clause(table: Table, key: Sequence[Any]) -> Any:
    return and_(*(column == value for column, value in zip(table.primary_key, key, strict=True)))


def _raw_row(connection: Connection, table: Table, raw_key: Sequence[Any]) -> dict[str, Any] | None:
    where = " AND ".join(f"{column.name} = ?" for column in table.primary_key)
    result = connection.exec_driver_sql(f"SELECT * FROM {table.name} WHERE {where}", tuple(raw_key))
    row = result.mappings().first()
    return None if row is None else dict(row)


# --- state ------------------------------------------------------------------------------------


def _state(connection: Connection, username: str) -> Row[Any]:
    """The local copy's state, bound to `username` (a copy holds one user's scope at a time)."""
    row = connection.execute(select(STATE)).first()
    if row is None:
        connection.execute(
            insert(STATE).values(id=1, username=username, workstation_id=uuid.uuid4(), failures=0)
        )
    elif row.username != username:
        waiting = connection.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
        if waiting:
            raise NotAllowed(
                "{count} changes of {username} are still waiting to be sent: sign in as "
                "{username} and sync before another user works here.",
                count=waiting,
                username=row.username,
            )
        # Another person: a fresh numbering on the server, and a full pull of their scope.
        connection.execute(
            update(STATE).values(username=username, workstation_id=uuid.uuid4(), cursor=None)
        )
    return connection.execute(select(STATE)).one()


def sync_status(local: Database) -> SyncStatus:
    """What the status bar shows: online or not, last sync, changes waiting, conflicts."""
    with local.engine.connect() as connection:
        state = connection.execute(select(STATE)).first()
        waiting = connection.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
        conflicts = connection.execute(select(func.count()).select_from(CONFLICTS)).scalar_one()
    if state is None:
        return SyncStatus(None, None, None, None, 0, waiting, conflicts)
    return SyncStatus(
        state.username,
        state.last_sync_at,
        state.last_attempt_at,
        state.last_error,
        state.failures,
        waiting,
        conflicts,
    )


def record_failure(
    local: Database, username: str, reason: str, *, now: datetime | None = None
) -> SyncStatus:
    """Note a sync that did not get through, so the next waits longer."""
    with local.engine.begin() as connection:
        _state(connection, username)
        connection.execute(
            update(STATE).values(
                last_attempt_at=now or utcnow(),
                last_error=reason,
                failures=STATE.c.failures + 1,
            )
        )
    return sync_status(local)


# --- the whole sync -----------------------------------------------------------------------------


def sync(
    local: Database, central: Database, username: str, *, now: datetime | None = None
) -> SyncReport:
    """Push what waits, then pull what changed. Raises SyncFailed (and records the failure)
    when the central database cannot be reached; the local copy is left as it was."""
    try:
        pushed = push(local, central, username, pull_next=True)
        pulled = pull(local, central, username)
    except DBAPIError as error:
        reason = _reason(error)
        record_failure(local, username, reason, now=now)
        raise SyncFailed("The central database did not answer: {reason}", reason=reason) from None
    at = now or utcnow()
    with local.engine.begin() as connection:
        connection.execute(
            update(STATE).values(last_sync_at=at, last_attempt_at=at, last_error=None, failures=0)
        )
    return SyncReport(pushed, pulled, at)


def send(local: Database, central: Database, username: str) -> PushReport:
    """Push what waits, and nothing more: the changes of a user about to hand the copy to
    someone else (a pull of their scope would only be purged by the next user's sync). Raises
    SyncFailed (and records the failure) when the central database cannot be reached."""
    try:
        return push(local, central, username)
    except DBAPIError as error:
        reason = _reason(error)
        record_failure(local, username, reason)
        raise SyncFailed("The central database did not answer: {reason}", reason=reason) from None


def _values(**params: object) -> dict[str, Mapping[str, object]]:
    """A nested message's values, passed as keywords (the message catalogue reads them so)."""
    return {"params": params}


def _reason(error: DBAPIError) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


# --- push ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    kind: str  # applied | conflict | refused
    reason: Message | None = None
    version: int | None = None

    @property
    def stored_reason(self) -> str:
        """The reason as kept (template and values), so each reader sees it in their language."""
        template = self.reason.template if self.reason else ""
        params = {k: str(v) for k, v in self.reason.params.items()} if self.reason else {}
        return json.dumps({"template": template, "params": params}, ensure_ascii=False)


def push(
    local: Database, central: Database, username: str, *, pull_next: bool = False
) -> PushReport:
    """Send the outbox to the server, in order, each change applied there exactly once.

    `pull_next`: a pull follows at once. The rows the server took then come with it (each was
    written by the push's transaction, at or past the pull's cursor), so only those it did not
    take are read back here."""
    sent = conflicts = refused = 0
    while True:
        with local.engine.begin() as connection:
            state = _state(connection, username)
            entries = connection.execute(
                select(OUTBOX).order_by(OUTBOX.c.seq).limit(PUSH_BATCH)
            ).all()
            payloads = [_payload(connection, entry) for entry in entries]
            # Attachments' bytes go with their rows: a batch carries no more than so many.
            fitting = contents.fitting(payloads)
            entries, payloads = entries[:fitting], payloads[:fitting]
            blobs = contents.read_local(connection, payloads)
        if not entries:
            return PushReport(sent, conflicts, refused)
        last = entries[-1].seq
        applied = _apply_on_server(
            central,
            username,
            state.workstation_id,
            payloads,
            local=local.engine.dialect,
            taken_rows=not pull_next,
            blobs=blobs,
        )
        outcomes: Mapping[int, Any]
        if applied is not None:
            # The server handed back, in its transaction, the outcomes it keeps for the batch
            # (those of changes it applied before a crash too) and the rows as it now holds
            # them, as the statements below would read them.
            outcomes, current = applied.outcomes, applied.rows
        else:
            with central.engine.connect() as connection:
                # Read back, not handed over: after a crash the server applied these before.
                outcomes = {
                    row.seq: row
                    for row in connection.execute(
                        select(OUTCOMES).where(
                            OUTCOMES.c.workstation_id == state.workstation_id,
                            OUTCOMES.c.seq.between(entries[0].seq, last),
                        )
                    )
                }
                # What the server now holds for every row sent, whoever won: the pull's
                # cursor may already be past a change made there while the row waited here.
                current = _server_rows(
                    connection, _read_back(payloads, outcomes, not pull_next), local.engine.dialect
                )
        with local.engine.begin() as connection:
            connection.execute(insert(PAUSE).values(id=1))
            for payload in payloads:
                outcome = outcomes.get(payload.seq)
                if outcome is None or outcome.kind == "applied":
                    continue
                connection.execute(
                    insert(CONFLICTS).values(
                        id=uuid.uuid4(),
                        seq=outcome.seq,
                        table_name=outcome.table_name,
                        row_key=outcome.row_key,
                        loan_id=payload.loan_id,
                        kind=outcome.kind,
                        reason=outcome.reason,
                        local_values=json.dumps(payload.raw_changes, ensure_ascii=False),
                        server_version=outcome.server_version,
                        created_at=utcnow(),
                    )
                )
                if outcome.kind == "conflict":
                    conflicts += 1
                else:
                    refused += 1
            connection.execute(delete(OUTBOX).where(OUTBOX.c.seq <= last))
            _carry_versions(connection, _version_chain(payloads, outcomes))
            # Rows edited again since this batch keep the newer edit; it goes next.
            waiting = {
                (row.table_name, row.row_key)
                for row in connection.execute(select(OUTBOX.c.table_name, OUTBOX.c.row_key))
            }
            for table in TABLES:
                rows = [
                    row
                    for key, row in current.get(table.name, {}).items()
                    if (table.name, _key_text(key)) not in waiting
                ]
                _write_rows(connection, table, rows)
            connection.execute(delete(PAUSE))
        if applied is None or applied.kept:
            with central.engine.begin() as connection:
                # Read and kept here: the server need not keep them any longer.
                connection.execute(
                    delete(OUTCOMES).where(
                        OUTCOMES.c.workstation_id == state.workstation_id, OUTCOMES.c.seq <= last
                    )
                )
        sent += len(entries)


def _version_chain(
    payloads: Sequence[_Payload], outcomes: Mapping[int, Any]
) -> dict[tuple[str, str], tuple[int, int]]:
    """For each mutable row the batch changed: the version its edits here started from, and
    the version the server gave the last of them."""
    chain: dict[tuple[str, str], tuple[int, int]] = {}
    for payload in payloads:
        outcome = outcomes.get(payload.seq)
        if outcome is None or outcome.kind != "applied" or outcome.server_version is None:
            continue
        key = (payload.table, payload.row_key)
        original = chain[key][0] if key in chain else (payload.base or 0)
        chain[key] = (original, outcome.server_version)
    return chain


def _carry_versions(
    connection: Connection, chain: Mapping[tuple[str, str], tuple[int, int]]
) -> None:
    """Edits still waiting build on what the server made of the ones before: their base
    version moves on, as does the row's, so a user's edits never conflict with each other."""
    for (table_name, row_key), (original, new) in chain.items():
        connection.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.table_name == table_name,
                OUTBOX.c.row_key == row_key,
                OUTBOX.c.op == "update",
                func.json_extract(OUTBOX.c.old, "$.row_version") == original,
            )
            .values(old=func.json_set(OUTBOX.c.old, "$.row_version", new))
        )
        table = BY_NAME[table_name]
        connection.execute(
            update(table)
            .where(_key_clause(table, _typed_key(table, json.loads(row_key))))
            .values(row_version=new)
        )


@dataclass(frozen=True)
class _Payload:
    seq: int
    table: str
    row_key: str
    op: str
    base: int | None
    values: dict[str, Any] | None  # typed, None when the row is gone
    changed: tuple[str, ...]
    raw_changes: dict[str, Any]
    loan_id: uuid.UUID | None


def _payload(connection: Connection, entry: Any) -> _Payload:
    table = BY_NAME[entry.table_name]
    raw_key = json.loads(entry.row_key)
    raw = _raw_row(connection, table, raw_key)
    typed = connection.execute(
        select(table).where(_key_clause(table, _typed_key(table, raw_key)))
    ).first()
    values = None if typed is None else dict(typed._mapping)
    if entry.op == "update" and entry.old is not None:
        old = json.loads(entry.old)
        base = old.get("row_version")
        changed = tuple(
            name
            for name in (raw or {})
            if name not in BOOKKEEPING and raw is not None and raw[name] != old.get(name)
        )
    else:
        base = None
        changed = tuple(c.name for c in table.columns if c.name not in BOOKKEEPING)
    raw_changes = {name: (raw or {}).get(name) for name in changed}
    loan_id = values.get("loan_id") if values else None
    if values and table.name == "loans":
        loan_id = values["id"]
    elif values and table.name in ("borrowers", "contact_points"):
        # A borrower's record belongs with one of their accounts: the conflict list names it,
        # and the record leaves with the accounts.
        borrower = values["id" if table.name == "borrowers" else "borrower_id"]
        loan_id = connection.execute(
            select(BY_NAME["loans"].c.id).where(BY_NAME["loans"].c.borrower_id == borrower)
        ).scalar()
    return _Payload(
        entry.seq,
        table.name,
        entry.row_key,
        entry.op,
        base,
        values,
        changed,
        raw_changes,
        loan_id,
    )


@dataclass(frozen=True)
class _Kept:
    """An outcome the server keeps for a workstation (a row of sync_outcomes)."""

    seq: int
    table_name: str
    row_key: str
    kind: str
    reason: str
    server_version: int | None


@dataclass(frozen=True)
class _Applied:
    """What the server made of a batch, handed back in its transaction: the outcomes it keeps
    for the batch's numbers (as a read of sync_outcomes finds them), whether it keeps older
    ones too, and its rows for the rows sent (as `_server_rows` reads them)."""

    outcomes: dict[int, _Kept]
    rows: dict[str, dict[Raw, Raw]]
    # Whether the server keeps outcomes for this workstation up to the batch's last number.
    kept: bool


def _apply_on_server(
    central: Database,
    username: str,
    workstation_id: uuid.UUID,
    payloads: Sequence[_Payload],
    *,
    local: Dialect | None = None,
    taken_rows: bool = True,
    blobs: Mapping[contents.Key, dict[str, Any]] | None = None,
) -> _Applied | None:
    """Apply a batch in one server transaction, with the workstation's last applied number
    and the outcomes the workstation still needs to hear about.

    On PostgreSQL the server applies the whole batch in one call (`cw_sync_push`, migration
    0021) and, given the workstation's dialect (`local`), the outcomes and the rows sent come
    back in the same transaction (`taken_rows`: those of the changes it took too, else only
    the others'); else (SQLite, or a batch the call cannot carry) it is sent statement by
    statement and None is returned: the caller reads them back. The bytes of the attachments
    the server took (`blobs`, read from the local copy) go up in the same transaction."""
    postgres = central.engine.dialect.name == "postgresql"
    if postgres and PUSH_IN_ONE_CALL:
        with central.engine.begin() as connection:
            changes = _changes_json(connection, payloads)
            if changes is not None:
                return _push_in_one_call(
                    connection,
                    username,
                    workstation_id,
                    payloads,
                    changes,
                    local,
                    taken_rows,
                    blobs or {},
                )
    with central.engine.begin() as connection:
        _apply_by_statements(connection, username, workstation_id, payloads, postgres, blobs or {})
    return None


def _apply_by_statements(
    connection: Connection,
    username: str,
    workstation_id: uuid.UUID,
    payloads: Sequence[_Payload],
    postgres: bool,
    blobs: Mapping[contents.Key, dict[str, Any]],
) -> None:
    """The batch applied statement by statement, each change in a savepoint of its own on
    PostgreSQL."""
    user_id = connection.execute(
        select(User.id).where(User.username == username, User.active.is_(True))
    ).scalar()
    if user_id is None:
        raise _no_user(username)
    ws = WORKSTATIONS
    query = select(ws.c.last_applied).where(ws.c.id == workstation_id)
    last = connection.execute(query.with_for_update() if postgres else query).scalar()
    if last is None:
        connection.execute(
            insert(ws).values(
                id=workstation_id, user_id=user_id, last_applied=0, updated_at=utcnow()
            )
        )
        last = 0
    # Edits of one row in one batch: each starts from the version the one before made,
    # including edits applied before a crash cut the last push short.
    done = [payload for payload in payloads if payload.seq <= last]
    before = {
        row.seq: row
        for row in connection.execute(
            select(OUTCOMES).where(
                OUTCOMES.c.workstation_id == workstation_id,
                OUTCOMES.c.seq.between(payloads[0].seq, last),
            )
        )
    }
    bumped = _version_chain(done, before)
    taken: list[_Payload] = []
    for payload in payloads:
        if payload.seq <= last:
            continue  # applied before a crash cut the last push short
        outcome = _apply_one(connection, payload, bumped, postgres)
        if outcome.kind == "applied":
            taken.append(payload)
        # The version an edit of a mutable row made is kept too, for a retried push.
        if outcome.kind != "applied" or (
            payload.table in VERSIONED and outcome.version is not None
        ):
            connection.execute(
                insert(OUTCOMES).values(
                    workstation_id=workstation_id,
                    seq=payload.seq,
                    table_name=payload.table,
                    row_key=payload.row_key,
                    kind=outcome.kind,
                    reason=outcome.stored_reason,
                    server_version=outcome.version,
                )
            )
    contents.upload(connection, taken, blobs)
    connection.execute(
        update(ws)
        .where(ws.c.id == workstation_id)
        .values(last_applied=max(last, payloads[-1].seq), updated_at=utcnow())
    )


def _push_in_one_call(
    connection: Connection,
    username: str,
    workstation_id: uuid.UUID,
    payloads: Sequence[_Payload],
    changes: str,
    local: Dialect | None,
    taken_rows: bool,
    blobs: Mapping[contents.Key, dict[str, Any]],
) -> _Applied | None:
    """The batch applied by the server's `cw_sync_push`, as the statements of `_apply_one`
    applied it (SECURITY INVOKER: the same privileges, policies and triggers), and what the
    workstation reads back."""
    answer = _push_call(connection, username, workstation_id, changes)
    if not answer["user"]:
        raise _no_user(username)
    last = int(answer["last"])
    facts = {int(fact["seq"]): fact for fact in answer["facts"]}
    kept = {int(row["seq"]): _Kept(**row) for row in answer["stored"]}
    new: list[_Kept] = []
    taken: list[_Payload] = []
    for payload in payloads:
        if payload.seq <= last:
            continue  # applied before a crash cut the last push short
        outcome = _decided(payload) or _outcome_of(facts[payload.seq])
        if outcome.kind == "applied":
            taken.append(payload)
        # The version an edit of a mutable row made is kept too, for a retried push.
        if outcome.kind != "applied" or (
            payload.table in VERSIONED and outcome.version is not None
        ):
            new.append(
                _Kept(
                    payload.seq,
                    payload.table,
                    payload.row_key,
                    outcome.kind,
                    outcome.stored_reason,
                    outcome.version,
                )
            )
    if new:
        connection.execute(
            insert(OUTCOMES).values(
                [{"workstation_id": workstation_id, **vars(row)} for row in new]
            )
        )
    contents.upload(connection, taken, blobs)
    if local is None:
        return None
    kept.update((row.seq, row) for row in new)
    # Outcomes of an earlier batch, read but not yet cleared, are cleared with these.
    rows = _server_rows(connection, _read_back(payloads, kept, taken_rows), local)
    return _Applied(kept, rows, bool(kept) or answer["older"])


def _read_back(
    payloads: Sequence[_Payload], outcomes: Mapping[int, Any], taken: bool
) -> Sequence[_Payload]:
    """The changes whose rows are read back after a push: all, or (`taken` False) those the
    server did not take."""
    if taken:
        return payloads
    return [
        payload
        for payload in payloads
        if (outcome := outcomes.get(payload.seq)) is not None and outcome.kind != "applied"
    ]


def _push_call(
    connection: Connection, username: str, workstation_id: uuid.UUID, changes: str
) -> dict[str, Any]:
    answer = connection.exec_driver_sql(
        "SELECT cw_sync_push(%s, %s, %s::jsonb)", (username, workstation_id, changes)
    ).scalar_one()
    assert isinstance(answer, dict)
    return answer


def _outcome_of(fact: Mapping[str, Any]) -> _Outcome:
    """A change's outcome from what the server said of it (`cw_sync_push`), in the words the
    statements' outcomes had (`_apply_one`, `_write`)."""
    kind = fact["kind"]
    if kind == "applied":
        return _Outcome("applied", version=fact["version"])
    if kind == "conflict":
        return _Outcome(
            "conflict",
            Message("Someone changed this on the server since this copy last synced."),
            fact["version"],
        )
    if kind == "gone":
        return _Outcome("refused", Message("The server has no such row for you."))
    text = (fact["message"] or "").strip()
    reason = text.splitlines()[0] if text else psycopg.errors.lookup(fact["state"]).__name__
    return _Outcome(
        "refused",
        Message("The server refused the change: {reason}", **_values(reason=reason)),
    )


def _changes_json(connection: Connection, payloads: Sequence[_Payload]) -> str | None:
    """The batch as `cw_sync_push` takes it (a JSON array; each change's values a JSON object
    of the text form the driver would send them in, carried as a string so that a JSON column's
    JSON arrives as it was written), or None when a value cannot travel so: a JSON column
    holding JSON null, which a JSON record cannot tell from SQL NULL."""
    dumps = psycopg.adapt.Transformer(connection.connection.dbapi_connection)  # type: ignore[arg-type]
    dialect = connection.dialect
    changes = []
    for payload in payloads:
        table = BY_NAME[payload.table]
        op: str | None = payload.op
        values: str | None = None
        where: str | None = None
        if _decided(payload) is not None:
            op = None
        elif payload.op == "insert":
            assert payload.values is not None
            found = _json_object(
                table,
                {k: v for k, v in payload.values.items() if k != "changed_tx"},
                dialect,
                dumps,
            )
            if found is None:
                return None
            values = found
        else:
            assert payload.values is not None
            found = _json_object(
                table, {name: payload.values[name] for name in payload.changed}, dialect, dumps
            )
            key = _json_object(
                table, {c.name: payload.values[c.name] for c in table.primary_key}, dialect, dumps
            )
            if found is None or key is None:
                return None
            values, where = found, key
        changes.append(
            f'{{"seq":{payload.seq},"table":{json.dumps(payload.table)},'
            f'"key":{json.dumps(payload.row_key)},"op":{json.dumps(op)},'
            f'"versioned":{json.dumps(payload.table in VERSIONED)},'
            f'"base":{json.dumps(payload.base)},"values":{json.dumps(values)},'
            f'"where":{json.dumps(where)}}}'
        )
    return "[" + ",".join(changes) + "]"


def _json_object(
    table: Table, values: Mapping[str, Any], dialect: Dialect, dumps: psycopg.abc.Transformer
) -> str | None:
    """Column values as a JSON object: each the text the driver sends for it (what the server
    parses with the column's type), a JSON column's value as its JSON itself."""
    parts = []
    for name, value in values.items():
        column = table.c[name]
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        bound = process(value) if process is not None else value
        if bound is None:
            text = "null"
        else:
            dumped = dumps.get_dumper(bound, psycopg.adapt.PyFormat.TEXT).dump(bound)
            text = bytes(dumped or b"").decode()
            if isinstance(column.type, JSON):
                if text == "null":
                    return None
            else:
                text = json.dumps(text)
        parts.append(f"{json.dumps(name)}:{text}")
    return "{" + ",".join(parts) + "}"


def _server_rows(
    connection: Connection, payloads: Sequence[_Payload], local: Dialect
) -> dict[str, dict[Raw, Raw]]:
    """The server's current rows for the rows of `payloads` (those it lets this user see), in
    the form the workstation stores them."""
    keys: dict[str, set[Raw]] = {}
    for payload in payloads:
        if payload.table not in NOT_PULLED:
            keys.setdefault(payload.table, set()).add(tuple(json.loads(payload.row_key)))
    found: dict[str, dict[Raw, Raw]] = {}
    for name, wanted in keys.items():
        shape = _Shape.of(BY_NAME[name], connection.dialect, local)
        first = shape.names[shape.key[0]]
        for chunk in _chunks(sorted({key[0] for key in wanted}), IN_CHUNK):
            for row in _read(connection, shape, *_among(connection.dialect, first, chunk)):
                if shape.key_of(row) in wanted:
                    found.setdefault(name, {})[shape.key_of(row)] = row
    return found


def _decided(payload: _Payload) -> _Outcome | None:
    """The outcome of a change the workstation decides itself, without the server."""
    if payload.values is None:
        return _Outcome("refused", Message("The row is no longer in this copy."))
    if payload.op == "update" and payload.table in LOGS:
        return _Outcome("refused", Message("A log entry cannot be changed once written."))
    if payload.op == "update" and not payload.changed:
        return _Outcome("applied")
    return None


def _apply_one(
    connection: Connection,
    payload: _Payload,
    bumped: dict[tuple[str, str], tuple[int, int]],
    postgres: bool,
) -> _Outcome:
    decided = _decided(payload)
    if decided is not None:
        return decided
    if not postgres:
        return _write(connection, payload, bumped)
    try:
        with connection.begin_nested():
            return _write(connection, payload, bumped)
    except DBAPIError as error:
        if error.connection_invalidated:
            raise
        return _Outcome(
            "refused",
            Message("The server refused the change: {reason}", **_values(reason=_reason(error))),
        )


def _write(
    connection: Connection, payload: _Payload, bumped: dict[tuple[str, str], tuple[int, int]]
) -> _Outcome:
    table = BY_NAME[payload.table]
    assert payload.values is not None
    key = tuple(payload.values[column.name] for column in table.primary_key)
    where = _key_clause(table, key)
    if payload.op == "insert":
        if connection.execute(select(table.c.row_version).where(where)).first() is not None:
            return _Outcome("applied")  # already there (sent by another path): nothing to do
        values = {k: v for k, v in payload.values.items() if k != "changed_tx"}
        connection.execute(insert(table).values(values))
        return _Outcome("applied")
    changes = {name: payload.values[name] for name in payload.changed}
    version = table.c.row_version
    if payload.table in VERSIONED:
        base = payload.base
        first = bumped.get((payload.table, payload.row_key))
        if first is not None and base == first[0]:
            base = first[1]
        result = connection.execute(
            update(table)
            .where(where, version == base)
            .values({**changes, "row_version": version + 1})
            .returning(version)
        )
        new = result.scalar()
        if new is None:
            current = connection.execute(select(version).where(where)).scalar()
            if current is None:
                return _Outcome("refused", Message("The server has no such row for you."))
            return _Outcome(
                "conflict",
                Message("Someone changed this on the server since this copy last synced."),
                current,
            )
        original = first[0] if first is not None else (payload.base or 0)
        bumped[(payload.table, payload.row_key)] = (original, new)
        return _Outcome("applied", version=new)
    new = connection.execute(
        update(table)
        .where(where)
        .values({**changes, "row_version": version + 1})
        .returning(version)
    ).scalar()
    if new is None:
        return _Outcome("refused", Message("The server has no such row for you."))
    return _Outcome("applied", version=new)


# --- pull ---------------------------------------------------------------------------------------


def _uuid_of(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))


def pull(local: Database, central: Database, username: str) -> PullReport:
    """Bring the user's scope up to date: changed rows, arrived and departed accounts."""
    with local.engine.connect() as connection:
        state = _state(connection, username)
        connection.commit()
        local_loans = set(connection.exec_driver_sql("SELECT id FROM loans").scalars())
        local_plans: dict[str, str] = {
            plan: loan
            for plan, loan in connection.exec_driver_sql("SELECT id, loan_id FROM repayment_plans")
        }
    fetched = _fetch(
        central, local.engine.dialect, username, state.cursor, local_loans, local_plans
    )
    # The bytes of the attachments brought that this copy lacks, and only those: written
    # before their rows (bytes with no row yet are nobody's to see, and are not fetched again).
    # An account the pull brings is not in the copy yet: its bytes go in with it, below.
    lacking = contents.missing(local, fetched.rows.get("attachments", {}).values())
    known = {_uuid_of(loan) for loan in local_loans}
    arriving = {key for key in lacking if key[0] not in known}
    fetched_contents = contents.fetch_into(central, local, lacking - arriving)
    with local.engine.begin() as connection:
        connection.execute(insert(PAUSE).values(id=1))
        pending: dict[str, set[str]] = {}
        for row in connection.execute(select(OUTBOX.c.table_name, OUTBOX.c.row_key)):
            pending.setdefault(row.table_name, set()).add(row.row_key)
        purged = _purge(connection, {uuid.UUID(hex=loan) for loan in fetched.gone})
        # Many rows (a first sync): the outbox triggers go for the while, in this transaction
        # (SQLite's DDL is transactional): a trigger, even paused, costs each row as much as
        # writing it.
        bulk = sum(len(found) for found in fetched.rows.values()) > BULK_ROWS
        triggers: list[str] = []
        if bulk:
            _drop_outbox(connection)
            # The queue's summary too: worked out once for the copy after the rows are in.
            triggers = take_off_triggers(connection)
        rows = 0
        for table in TABLES:
            found = fetched.rows.get(table.name, {})
            waiting = pending.get(table.name)
            batch = (
                [row for key, row in found.items() if _key_text(key) not in waiting]
                if waiting
                else list(found.values())
            )
            if table.name == "attachments" and arriving:
                fetched_contents += contents.fetch_into(central, local, arriving, into=connection)
            _write_rows(connection, table, batch)
            rows += len(batch)
        if bulk:
            _create_outbox(connection)
            put_back_triggers(connection, triggers)
            repair(connection)
        if fetched.reference is not None:
            # A collector's copy holds their team's latest step and its scorecard, no other.
            step, card = fetched.reference
            choices, cards = BY_NAME["scorecard_choices"], BY_NAME["scorecards"]
            connection.execute(delete(choices).where(choices.c.id != step))
            connection.execute(delete(cards).where(cards.c.id != card))
        erased = _erased_borrowers(fetched.rows.get("borrowers", {}))
        for chunk in _chunks(erased, ERASE_CHUNK):
            erase(connection, chunk, at=utcnow(), versioned=False)
        connection.execute(update(STATE).values(cursor=fetched.horizon))
        connection.execute(delete(PAUSE))
    # After the commit, so a file goes only once its account's data has gone here; and every
    # time, so a file a crash left between the two goes at the next pull.
    documents = erased_documents(local)
    if documents:
        remove_files(documents)
        with local.engine.begin() as connection:
            forget_documents(connection, documents)
    return PullReport(
        rows, len(fetched.arrived), purged, fetched.horizon, len(erased), fetched_contents
    )


def _erased_borrowers(rows: Mapping[Raw, Raw]) -> list[uuid.UUID]:
    """The borrowers among the rows pulled that the retention job erased."""
    names = [column.name for column in BY_NAME["borrowers"].columns]
    key, erased_at = names.index("id"), names.index("erased_at")
    return sorted(
        uuid.UUID(hex=row[key]) if isinstance(row[key], str) else row[key]
        for row in rows.values()
        if row[erased_at] is not None
    )


# A row as stored on the workstation: its columns in table order (UUIDs as hex, money in
# cents, instants as text…), and a key as a tuple of such values.
Raw = tuple[Any, ...]


@dataclass(frozen=True)
class _Shape:
    """How one table's rows travel from the central database to a workstation's copy."""

    table: Table
    names: tuple[str, ...]
    key: tuple[int, ...]  # positions of the primary key columns
    # What the SELECT asks for, column by column: the column, or its stored form made by the
    # central database itself (so the value needs no converting here).
    selected: tuple[str, ...]
    # One converter per column from what the central database's driver returns to what the
    # workstation stores (None: as is). None in all: both are SQLite, stored alike.
    converters: tuple[Callable[[Any], Any] | None, ...] | None

    @classmethod
    def of(cls, table: Table, central: Dialect, local: Dialect, *, cast: bool = True) -> _Shape:
        """`cast`: let PostgreSQL write the common types in stored form (else Python does)."""
        names = tuple(column.name for column in table.columns)
        key = tuple(names.index(column.name) for column in table.primary_key)
        converters = None
        selected = names
        if central.name != local.name:
            on_server: tuple[str | None, ...] = (
                tuple(_stored_on_server(column) for column in table.columns)
                if cast and central.name == "postgresql" and local.name == "sqlite"
                else (None,) * len(names)
            )
            selected = tuple(
                name if expression is None else expression
                for name, expression in zip(names, on_server, strict=True)
            )
            converters = tuple(
                None
                if expression is not None
                else column.type.dialect_impl(local).bind_processor(local)
                for column, expression in zip(table.columns, on_server, strict=True)
            )
            if all(convert is None for convert in converters):
                converters = None
        return cls(table, names, key, selected, converters)

    def stored(self, row: Sequence[Any]) -> Raw:
        if self.converters is None:
            return tuple(row)
        return tuple(
            value if convert is None or value is None else convert(value)
            for convert, value in zip(self.converters, row, strict=True)
        )

    def key_of(self, row: Raw) -> Raw:
        return tuple(row[position] for position in self.key)


def _stored_on_server(column: Any) -> str | None:
    """PostgreSQL's expression for a column in the form the workstation's SQLite stores it
    (as SQLAlchemy's types write it there), for the types that fill most of a pull; None for
    the others, converted here."""
    name, kind = column.name, column.type
    if isinstance(kind, Money):
        return f"({name} * 100)::bigint"  # whole cents; the column holds two places
    if isinstance(kind, UTCDateTime):
        return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    if isinstance(kind, Uuid):
        return f"replace({name}::text, '-', '')"
    if isinstance(kind, Boolean):
        return f"{name}::int"
    if isinstance(kind, Date):
        return f"to_char({name}, 'YYYY-MM-DD')"
    return None


def _read(
    connection: Connection,
    shape: _Shape,
    where: str,
    params: Sequence[Any],
    *,
    source: str | None = None,
) -> list[Raw]:
    """Rows of the central database as the workstation stores them, read past SQLAlchemy's
    per-value processing (a first sync moves a hundred thousand rows). `source`: where the
    rows come from, named as the table, if not the table itself."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(
            f"SELECT {', '.join(shape.selected)} FROM {source or shape.table.name} WHERE {where}",
            params,
        )
        return [shape.stored(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _read_since(connection: Connection, shape: _Shape, cursor: int | None) -> list[Raw]:
    """A table's rows written since `cursor` (all of it without one). On PostgreSQL, with a
    cursor, through `cw_sync_since` (migration 0023), whose plan the server keeps for the
    session, under the same policies."""
    if cursor is not None and connection.dialect.name == "postgresql":
        name = shape.table.name
        return _read(
            connection, shape, "true", [cursor], source=f"cw_sync_since(NULL::{name}, %s) {name}"
        )
    return _read(connection, shape, *_since(connection.dialect, cursor))


def _read_marked(connection: Connection, shape: _Shape, cursor: int, keys: set[str]) -> list[Raw]:
    """A table's rows written since `cursor` of the accounts (or borrowers) `keys`, through
    `cw_sync_since` (migration 0027): by key, under the same policies."""
    name = shape.table.name
    return _read(
        connection,
        shape,
        "true",
        [cursor, [uuid.UUID(hex=key) for key in sorted(keys)]],
        source=f"cw_sync_since(NULL::{name}, %s, %s) {name}",
    )


def _among(dialect: Dialect, column: str, values: Sequence[str]) -> tuple[str, list[Any]]:
    """A WHERE clause picking rows whose UUID `column` is one of `values` (stored hex)."""
    if dialect.name == "postgresql":
        return f"{column} = ANY(%s)", [[uuid.UUID(hex=value) for value in values]]
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


def _since(dialect: Dialect, cursor: int | None) -> tuple[str, list[Any]]:
    if cursor is None:
        return "1 = 1", []
    return ("changed_tx >= %s" if dialect.name == "postgresql" else "changed_tx >= ?"), [cursor]


def _write_rows(connection: Connection, table: Table, rows: Sequence[Raw]) -> None:
    """Insert or replace rows (in stored form) in the workstation's copy, in a transaction
    where the outbox is paused. Into an empty table (a first sync) a plain insert does."""
    if not rows:
        return
    names = [column.name for column in table.columns]
    keys = [column.name for column in table.primary_key]
    changes = ", ".join(f"{name} = excluded.{name}" for name in names if name not in keys)
    empty = connection.exec_driver_sql(f"SELECT NOT EXISTS (SELECT 1 FROM {table.name})").scalar()
    upsert = "" if empty else f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {changes}"
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        + upsert,
        list(rows),
    )


@dataclass
class _Fetched:
    horizon: int
    arrived: set[str]
    gone: set[str]
    rows: dict[str, dict[Raw, Raw]]
    # A collector's (or field agent's) team's latest scorecard step and the scorecard it names,
    # when the pull read them: the copy keeps these and no other.
    reference: tuple[uuid.UUID, uuid.UUID] | None = None


def _fetch(
    central: Database,
    local: Dialect,
    username: str,
    cursor: int | None,
    local_loans: set[str],
    local_plans: Mapping[str, str],
) -> _Fetched:
    postgres = central.engine.dialect.name == "postgresql"
    engine = central.engine
    if postgres:
        engine = engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    # By marks: the tables not an account's are asked first, the accounts' by their marks.
    by_marks = postgres and PULL_BY_MARKS and cursor is not None
    with engine.connect() as connection:
        # First the horizon: every transaction below it has ended and shows in what follows.
        changed: set[str] | None = None
        if postgres:
            # No JIT for this transaction: the planner costs a policy's EXISTS lookup (0016)
            # by its row-by-row form even where it then hashes it, so a read of a few thousand
            # rows passed the JIT threshold and spent 40-150 ms compiling a 2-3 ms read.
            # With a cursor, the server says at once which tables have rows this user sees
            # written since (`cw_sync_changed`, migration 0023; by marks, of the tables not an
            # account's): the others are not read. The user comes in the same statement.
            asked: tuple[Any, ...] = ()
            ask = "NULL"
            if by_marks:
                ask, asked = "cw_sync_changed(%s, %s)", (cursor, list(SHARED))
            elif cursor is not None:
                ask, asked = "cw_sync_changed(%s)", (cursor,)
            found = connection.exec_driver_sql(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                f" set_config('jit', 'off', true), {ask}, u.id, u.role, u.team_id"
                " FROM (SELECT) AS one LEFT JOIN users u ON u.username = %s AND u.active",
                (*asked, username),
            ).one()
            horizon = int(found[0])
            if cursor is not None:
                changed = set(found[2])
            if found[3] is None:
                raise _no_user(username)
            user: Any = _User(found[3], found[4], found[5])
        else:
            tick = connection.execute(select(CLOCK.c.tick).where(CLOCK.c.id == 1)).scalar()
            if tick is None:
                raise NotAllowed("This database is not set up as a central database.")
            horizon = int(tick) + 1
            user = _user(connection, username)
        # The accounts each table has something new for, by their marks (table -> keys).
        marked: dict[str, set[str]] = {}
        if by_marks:
            scope = {}
            # The scope as `_scope_query` asks it, each loan and borrower with the tables its
            # marks say were written for it since the cursor (`cw_sync_scope`, migration
            # 0027): a probe of the marks' key each, whatever others wrote.
            for loan, borrower, loan_marks, borrower_marks in connection.exec_driver_sql(
                "SELECT * FROM cw_sync_scope(%s, %s, %s, %s)",
                (cursor, user.id, str(user.role), user.team_id),
            ):
                scope[loan.hex] = borrower.hex
                for name in loan_marks or ():
                    marked.setdefault(name, set()).add(loan.hex)
                for name in borrower_marks or ():
                    marked.setdefault(name, set()).add(borrower.hex)
            changed = (changed or set()) | set(marked)
        else:
            scope = {
                loan.hex: borrower.hex for loan, borrower in connection.execute(_scope_query(user))
            }
        arrived = set(scope) - local_loans if cursor is not None else set(scope)
        gone = local_loans - set(scope)
        rows: dict[str, dict[Raw, Raw]] = {}
        dialect = connection.dialect
        leads = user.role in (Role.TEAM_LEAD, Role.ADMIN)
        pulled = [
            table
            for table in TABLES
            if table.name not in NOT_PULLED
            and (leads or (table.name not in LEADS_ONLY and table.name not in LEADS_ACCOUNTS))
        ]
        if changed is None:
            changed = _changed(connection, pulled, cursor)
        for table in pulled:
            shape = _Shape.of(table, dialect, local)
            bucket = rows.setdefault(table.name, {})
            if table.name in REFERENCE and not leads:
                continue
            if table.name in DIRECTORY or table.name in LEADS_ONLY or table.name in REFERENCE:
                if table.name in changed:
                    for row in _read_since(connection, shape, cursor):
                        bucket[shape.key_of(row)] = row
                continue
            column, wanted = _scope_column(table, scope, local_plans, rows)
            size = ARRAY_CHUNK if postgres else IN_CHUNK
            for chunk in _chunks(_arrivals(table, arrived, scope, rows), size):
                for row in _read(connection, shape, *_among(dialect, column, chunk)):
                    bucket[shape.key_of(row)] = row
            if cursor is not None and table.name in changed:
                position = shape.names.index(column)
                since = (
                    _read_marked(connection, shape, cursor, marked[table.name])
                    if by_marks
                    else _read_since(connection, shape, cursor)
                )
                for row in since:
                    if row[position] in wanted:
                        bucket[shape.key_of(row)] = row
        reference = None
        if not leads and "scorecard_choices" in changed:
            reference = _team_scorecard(connection, local, user.team_id, rows)
    return _Fetched(horizon, arrived, gone, rows, reference)


def _team_scorecard(
    connection: Connection,
    local: Dialect,
    team_id: uuid.UUID | None,
    rows: dict[str, dict[Raw, Raw]],
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The latest step of the team's scorecard log and the scorecard it names, read into
    `rows`; None when the team has none (or the user no team)."""
    if team_id is None:
        return None
    choices = BY_NAME["scorecard_choices"]
    latest = connection.execute(
        select(choices.c.id, choices.c.scorecard_id)
        .where(choices.c.team_id == team_id)
        .order_by(choices.c.chosen_at.desc(), choices.c.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    dialect = connection.dialect
    for name, key in (("scorecards", latest.scorecard_id), ("scorecard_choices", latest.id)):
        shape = _Shape.of(BY_NAME[name], dialect, local)
        bucket = rows.setdefault(name, {})
        for row in _read(connection, shape, *_among(dialect, "id", [key.hex])):
            bucket[shape.key_of(row)] = row
    return latest.id, latest.scorecard_id


def _changed(connection: Connection, tables: Sequence[Table], cursor: int | None) -> set[str]:
    """The tables with rows this user sees written since `cursor` (every table without one),
    asked of all at once: a table with none is not read (its read would bring nothing)."""
    if cursor is None:
        return {table.name for table in tables}
    asked = ", ".join(
        f"EXISTS (SELECT 1 FROM {table.name} WHERE {_since(connection.dialect, cursor)[0]})"
        for table in tables
    )
    found = connection.exec_driver_sql(f"SELECT {asked}", tuple(cursor for _ in tables)).one()
    return {table.name for table, new in zip(tables, found, strict=True) if new}


@dataclass(frozen=True)
class _User:
    id: uuid.UUID
    role: str
    team_id: uuid.UUID | None


def _user(connection: Connection, username: str) -> Any:
    """The active user `username`: id, role, team."""
    user = connection.execute(
        select(User.id, User.role, User.team_id).where(
            User.username == username, User.active.is_(True)
        )
    ).first()
    if user is None:
        raise _no_user(username)
    return user


def _no_user(username: str) -> NotFound:
    return NotFound("There is no active user “{username}” on the server.", username=username)


def _scope_query(user: Row[Any]) -> Any:
    """The loans (and their borrowers) in `user`'s scope: their own, a lead's team's and
    team pool's, and those of the visits planned for them. (On PostgreSQL row-level security
    asks the same; a pull by marks asks these ways through `cw_sync_scope`, migration 0027,
    which must stay alike: tests/central/test_sync_marks.py compares the two.)"""
    workers: Any = [user.id]
    # The accounts nobody is assigned to: a lead's team's pool, every pool for an administrator.
    pool: Any = None
    if Role(user.role) is Role.TEAM_LEAD and user.team_id is not None:
        workers = select(User.id).where(User.team_id == user.team_id)
        pool = and_(Loan.assigned_to_id.is_(None), Loan.team_id == user.team_id)
    elif Role(user.role) is Role.ADMIN:
        workers = select(User.id)
        pool = and_(Loan.assigned_to_id.is_(None), Loan.team_id.is_not(None))
    # Whoever goes on a visit carries its account, whoever works it (the second agent too).
    visits = select(FieldVisit.loan_id).where(
        FieldVisit.status == VisitStatus.PLANNED,
        or_(FieldVisit.agent_id == user.id, FieldVisit.second_agent_id == user.id),
    )
    # One query for each way in, each through its own index, rather than one scan of every
    # loan testing all three.
    ways = [Loan.assigned_to_id.in_(workers), Loan.id.in_(visits)]
    if pool is not None:
        ways.append(pool)
    return union(*(select(Loan.id, Loan.borrower_id).where(way) for way in ways))


def _scope_column(
    table: Table,
    scope: Mapping[str, str],
    local_plans: Mapping[str, str],
    rows: Mapping[str, Mapping[Raw, Raw]],
) -> tuple[str, set[str]]:
    """The column that ties a row to the scope, and its values in scope (stored hex)."""
    if table.name == "loans":
        return "id", set(scope)
    if table.name == "borrowers":
        return "id", set(scope.values())
    if table.name == "contact_points":
        return "borrower_id", set(scope.values())
    if table.name == "plan_instalments":
        plans = {plan for plan, loan in local_plans.items() if loan in scope}
        plans |= {key[0] for key in rows.get("repayment_plans", {})}
        return "plan_id", plans
    return "loan_id", set(scope)


def _arrivals(
    table: Table,
    arrived: set[str],
    scope: Mapping[str, str],
    rows: Mapping[str, Mapping[Raw, Raw]],
) -> list[str]:
    """The scope values whose rows come whole: those of the accounts that just arrived."""
    if table.name in ("borrowers", "contact_points"):
        return sorted({scope[loan] for loan in arrived})
    if table.name == "plan_instalments":
        loan = PLAN_LOAN
        return sorted(
            key[0] for key, plan in rows.get("repayment_plans", {}).items() if plan[loan] in arrived
        )
    return sorted(arrived)


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _purge(connection: Connection, gone: set[uuid.UUID]) -> int:
    """Delete accounts that left the scope, with their history, borrowers and conflicts."""
    if not gone:
        return 0
    loans = BY_NAME["loans"]
    plans = BY_NAME["repayment_plans"]
    borrowers = BY_NAME["borrowers"]
    ids = sorted(gone)
    leaving_borrowers: set[uuid.UUID] = set()
    for chunk in _chunks(ids, IN_CHUNK):
        leaving_borrowers |= set(
            connection.execute(select(loans.c.borrower_id).where(loans.c.id.in_(chunk))).scalars()
        )
    for chunk in _chunks(ids, IN_CHUNK):
        connection.execute(delete(CONFLICTS).where(CONFLICTS.c.loan_id.in_(chunk)))
        plan_ids = select(plans.c.id).where(plans.c.loan_id.in_(chunk))
        connection.execute(
            delete(BY_NAME["plan_instalments"]).where(
                BY_NAME["plan_instalments"].c.plan_id.in_(plan_ids)
            )
        )
        for table in reversed(TABLES):
            if "loan_id" in table.c and table.name not in ("plan_instalments",):
                connection.execute(delete(table).where(table.c.loan_id.in_(chunk)))
        connection.execute(delete(contents.CONTENTS).where(contents.CONTENTS.c.loan_id.in_(chunk)))
        connection.execute(delete(loans).where(loans.c.id.in_(chunk)))
    # A borrower goes with their last account here; one with another account stays.
    still = set(connection.execute(select(loans.c.borrower_id)).scalars())
    leaving = sorted(leaving_borrowers - still)
    for chunk in _chunks(leaving, IN_CHUNK):
        connection.execute(
            delete(BY_NAME["contact_points"]).where(
                BY_NAME["contact_points"].c.borrower_id.in_(chunk)
            )
        )
        connection.execute(delete(borrowers).where(borrowers.c.id.in_(chunk)))
    return len(gone)


# --- conflicts ----------------------------------------------------------------------------------


def conflicts(local: Database) -> list[ConflictView]:
    """The local changes the server did not take, newest first."""
    loans = BY_NAME["loans"]
    with local.engine.connect() as connection:
        found = connection.execute(
            select(CONFLICTS, loans.c.contract_no)
            .outerjoin(loans, loans.c.id == CONFLICTS.c.loan_id)
            .order_by(CONFLICTS.c.created_at.desc(), CONFLICTS.c.seq.desc())
        ).all()
    return [
        ConflictView(
            row.id,
            row.table_name,
            row.kind,
            _stored_message(row.reason),
            tuple(json.loads(row.local_values)),
            row.contract_no,
            row.created_at,
        )
        for row in found
    ]


def _stored_message(stored: str) -> Message:
    data = json.loads(stored)
    return Message(data["template"], data.get("params") or {})


def reapply_conflict(local: Database, conflict_id: uuid.UUID) -> None:
    """Make the losing edit again on top of the server's version; the next push sends it."""
    with local.engine.begin() as connection:
        conflict = connection.execute(
            select(CONFLICTS).where(CONFLICTS.c.id == conflict_id)
        ).first()
        if conflict is None:
            raise NotFound("That conflict is already resolved.")
        table = BY_NAME[conflict.table_name]
        raw_key = json.loads(conflict.row_key)
        values = json.loads(conflict.local_values)
        if (
            conflict.kind != "conflict"
            or not values
            or _raw_row(connection, table, raw_key) is None
        ):
            raise NotAllowed("This change cannot be made again: {reason}", reason=conflict.reason)
        assignments = ", ".join(f"{name} = ?" for name in values)
        where = " AND ".join(f"{column.name} = ?" for column in table.primary_key)
        connection.exec_driver_sql(
            f"UPDATE {table.name} SET {assignments} WHERE {where}",
            (*values.values(), *raw_key),
        )
        connection.execute(delete(CONFLICTS).where(CONFLICTS.c.id == conflict_id))


def dismiss_conflict(local: Database, conflict_id: uuid.UUID) -> None:
    """Drop a losing edit: the server's version stands."""
    with local.engine.begin() as connection:
        done = connection.execute(delete(CONFLICTS).where(CONFLICTS.c.id == conflict_id)).rowcount
    if not done:
        raise NotFound("That conflict is already resolved.")
