"""Removing borrowers' personal data from a database (docs/retention.md).

The retention job (app.services.privacy.retention) runs this on the central database for the
borrowers past retention; a workstation runs it on its own copy when a pull brings it a
borrower the job erased, so what the copy held beyond the rows the pull overwrote (an edit
still waiting, a conflict, its own audit trail, the PDFs it wrote) goes too.

What goes: the borrower's name, ID number, date of birth, address below the province,
employer, notes and agreed call window; their numbers and e-mail addresses with the names of
the people behind them (the rows are deleted, and the contacts that named them keep no
number); every free text on the accounts (`PERSONAL`); the keys of their audit events that
are not on the list of codes, ids, counts and amounts (`AUDIT_KEPT`); the PDFs on record as
written for the accounts. What stays: the accounts with their figures and dates, and every
record with who, when, what and how much (`KEPT`), so counts and amounts still add up.

Written so a second run finds nothing to do: every change is made only where the value is not
yet what erasure leaves.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    not_,
    or_,
    select,
    text,
    update,
)

from app.database import Database
from app.models import Base
from app.models.types import UTCDateTime

TABLES = Base.metadata.tables
BORROWERS = TABLES["borrowers"]
POINTS = TABLES["contact_points"]
LOANS = TABLES["loans"]
AUDIT = TABLES["audit_events"]
DOCUMENTS = TABLES["issued_documents"]
CONFLICTS = TABLES["sync_conflicts"]

# What an erased borrower's row keeps in the columns that may not be empty.
ERASED_NAME = ""
ERASED_BIRTH = date(1900, 1, 1)
ID_PREFIX = "X"

# Personal data on the borrower's own row, and what each column becomes. Country and
# province stay: the contact-rule profile and the regional figures need them, and they tell
# nobody apart.
BORROWER: dict[str, Any] = {
    "name": ERASED_NAME,
    "date_of_birth": ERASED_BIRTH,
    "city": "",
    "district": "",
    "street": "",
    "employer": None,
    "notes": None,
    "agreed_window_start": None,
    "agreed_window_end": None,
    "attorney_name": None,
    "attorney_firm": None,
    "attorney_phone": None,
    "address_moved_from": None,
}
# Free text on an account's records (typed by staff about a borrower, or the issued
# agreement's terms with the name in them): table -> column -> what it becomes.
PERSONAL: dict[str, dict[str, str | None]] = {
    "contact_attempts": {"notes": None},
    "account_notes": {"text": ""},
    "callbacks": {"note": None},
    "escalations": {"note": None},
    "visit_requests": {"reason": ""},
    "field_visits": {"notes": None},
    "priority_overrides": {"reason": ""},
    "call_reviews": {"comment": None},
    "repayment_plans": {"agreement_terms": None, "decision_reason": None},
    "plan_pause_overrides": {"reason": ""},
    # A reminder's text names the borrower; its recipient is their number or address.
    "reminder_messages": {"recipient": "", "subject": None, "text": ""},
    # A referral's reasons and a case's notes may tell about the borrower; a court's case
    # number finds the borrower's case in the court's records.
    "legal_cases": {"reason": "", "withdrawn_reason": None},
    "legal_steps": {"note": None, "case_number": None},
    # What the borrower disputed or complained of, and what the lead answered.
    "dispute_cases": {"claim": "", "reasons": None, "correction": None},
    "complaints": {"summary": "", "reply": None},
}
# The text columns that stay: codes, statuses, numbers of contracts and agreements, hashes,
# and the staff's own names. Every text column of the schema is in exactly one of BORROWER
# (with `id_number`), DELETED, PERSONAL, SCRUBBED or here; a test holds it so.
KEPT: dict[str, tuple[str, ...]] = {
    "borrowers": ("country", "province", "preferred_channel"),
    "loans": ("contract_no", "product", "currency"),
    "payments": ("channel", "reference", "source_id", "reversal_id"),
    "reported_payments": ("channel", "reference"),
    # The lending system's files: not an account's record. A refused file's problems may quote
    # a cell it refused (docs/retention.md).
    "feed_batches": (
        "batch_id",
        "status",
        "file_name",
        "sha256",
        "applied_by",
        "summary",
        "problems",
    ),
    "contact_attempts": ("disposition", "emotion", "checklist", "script_steps", "script_stage"),
    "contact_blocks": ("channel", "rule"),
    "field_visits": ("reason", "disposition", "emotion", "checklist"),
    "priority_overrides": ("level",),
    "repayment_plans": (
        "kind",
        "currency",
        "frequency",
        "breaches",
        "agreement_no",
        "agreement_sha256",
        "agreement_file_sha256",
    ),
    "plan_pause_overrides": ("flags", "escalation_ids"),
    "call_reviews": ("answers",),
    "escalations": ("kind",),
    # A case's kind, decision, channel and category; a payment's or a referral's reference.
    "dispute_cases": ("kind", "claimed_reference", "decision"),
    "complaints": ("channel", "category", "reference"),
    # A reminder's key (contract, step, day, channel), its template and what became of it.
    "reminder_messages": (
        "key",
        "step",
        "kind",
        "language",
        "template",
        "template_code",
        "provider_id",
        "error",
    ),
    "reminder_opt_outs": ("source",),
    "credit_notices": ("channel",),
    # The lender's own lawyers and the court: nobody's personal data.
    "legal_steps": ("firm", "lawyer", "court"),
    "audit_events": ("action", "entity", "entity_id"),
    "teams": ("name",),
    "users": ("username", "display_name"),
    # A lead's champion / challenger experiments: a name, queue weights, the arms' key and
    # each account's arm (nobody's personal data).
    "experiments": ("name", "challenger_weights", "assignment_key"),
    # A stored scorecard: its document (bins and points, no borrower's data), label and hash.
    "scorecards": ("document", "label", "sha256"),
    "experiment_assignments": ("arm",),
    # A workstation's and the server's bookkeeping: transient, or the staff's own.
    "sync_outbox": ("table_name", "row_key", "op", "old"),
    "sync_state": ("username", "last_error"),
    "sync_outcomes": ("table_name", "row_key", "kind", "reason"),
    "sync_conflicts": ("table_name", "row_key", "kind", "reason"),
    # The server's marks of which account's table a transaction wrote (a table's name).
    "sync_marks": ("table_name",),
    "issued_documents": ("kind", "sha256"),
    # The dispositions the queue's summary counts as a contact (a code, nobody's data).
    "queue_summary_codes": ("code",),
    # The queue's memo of its answers: the account's figures, reason codes with amounts,
    # dates and counts, the rules' texts, codes and keys; no name, number or free text (an
    # erasure writes the borrower's row: the answer is never taken again, and is rewritten).
    "queue_memo": (
        "context",
        "principal",
        "interest",
        "penalty",
        "fees",
        "tier",
        "reasons",
        "decision",
        "point_id",
        "priority_level",
    ),
}
# Deleted with the account's personal data rather than cleared: a workstation's conflicts
# (the losing edit's values), the record of a document (its path may name the borrower).
DELETED: dict[str, tuple[str, ...]] = {
    # The files attached to the accounts' records, rows and bytes (`_attachments`).
    "attachments": ("subject_kind", "purpose", "file_name", "media_type", "sha256"),
    "attachment_contents": ("sha256",),
    "contact_points": (
        "value",
        "region",
        "time_zones",
        "contact_name",
        "relation",
        "do_not_call_words",
        "province",
        "city",
        "district",
        "street",
    ),
    "sync_conflicts": ("local_values",),
    "issued_documents": ("path",),
}
# Kept, less the keys AUDIT_KEPT does not list.
SCRUBBED: dict[str, tuple[str, ...]] = {"audit_events": ("details",)}
# Keys of audit details that hold ids, codes, counts, amounts and days, never what someone
# wrote or who a borrower is. An erased borrower's events keep these and lose every other
# (free text such as a reason or a note, and any key this list does not know).
AUDIT_KEPT = frozenset(
    {
        "acknowledged_now",
        "again",
        "agreement_no",
        "amount",
        "answers",
        "as_of",
        "at",
        "attempt_id",
        "breaches",
        "by_part",
        "callback_id",
        "chars",
        "checklist",
        "closed_on",
        "collector_id",
        "comment_chars",
        "contact_point_marked",
        "contract_no",
        "contracts",
        "day",
        "decision",
        "digest",
        "disposition",
        "emotion",
        "escalation_ids",
        "expires_at",
        "flags_cleared",
        "flags_set",
        "from",
        "instalments",
        "kind",
        "letter_id",
        "letter_no",
        "level",
        "loan_id",
        "outcome",
        "override_id",
        "override_ids",
        "paid",
        "paid_at",
        "profile",
        "promise_id",
        "removed",
        "replaced",
        "replanned",
        "reporting_from",
        "retention_years",
        "score",
        "seq",
        "settled",
        "sha256",
        "to",
        "total",
        "urgent",
        "visit_id",
        "visits",
    }
)
IN_CHUNK = 500


@dataclass(frozen=True)
class DocumentRecord:
    """A PDF on record as written here for an erased account."""

    id: uuid.UUID
    path: str
    sha256: str


@dataclass(frozen=True)
class Erasure:
    """What erasing (or, counting only, what erasing would remove): how many of each kind of
    record lost personal data, and the documents on record for the accounts."""

    removed: Counter[str]
    documents: tuple[DocumentRecord, ...]

    @property
    def anything(self) -> bool:
        return sum(self.removed.values()) > 0 or bool(self.documents)


def erased_id_number(borrower_id: uuid.UUID) -> str:
    """What an erased borrower's ID number becomes: unique (the column is), and never a
    resident ID number (those are digits, the last maybe an X)."""
    return ID_PREFIX + borrower_id.hex[:17].upper()


def erase(
    connection: Connection,
    borrowers: Collection[uuid.UUID],
    *,
    at: datetime,
    count_only: bool = False,
    versioned: bool = True,
) -> Erasure:
    """Remove the personal data of `borrowers` and their accounts in this connection's
    transaction, or with `count_only` only count what would go (nothing is written).

    versioned: the central database's way, each row changed moves on a version (a
    workstation's edit made before it then loses, as any edit the server overtook); a
    workstation leaves versions as the server sent them.
    """
    removed: Counter[str] = Counter()
    if not borrowers:
        return Erasure(removed, ())
    ids = sorted(borrowers)
    loans = _scalars(connection, select(LOANS.c.id).where(LOANS.c.borrower_id.in_(ids)))
    points = _scalars(connection, select(POINTS.c.id).where(POINTS.c.borrower_id.in_(ids)))
    # The events about these people and accounts, read before anything changes.
    owned = [*ids, *loans, *points, *_rows_of(connection, loans)]
    removed["borrowers"] = _borrowers(connection, ids, at, count_only, versioned)
    removed["contact_points"] = _points(connection, points, count_only, versioned)
    for table_name, columns in PERSONAL.items():
        table = TABLES[table_name]
        for name, value in columns.items():
            column = table.c[name]
            where = [table.c.loan_id.in_(chunk) for chunk in _chunks(loans)]
            for clause in where:
                condition = and_(clause, _holds_text(column, value))
                if count_only:
                    removed[f"{table_name}.{name}"] += _count(connection, table, condition)
                    continue
                removed[f"{table_name}.{name}"] += connection.execute(
                    update(table)
                    .where(condition)
                    .values(_with_version(table, versioned, {name: value}))
                ).rowcount
    removed["attachments"] = _attachments(connection, loans, count_only)
    removed["audit_events"] = _scrub_audit(connection, owned, count_only)
    if connection.dialect.name == "sqlite":
        removed["sync_conflicts"] = _conflicts(connection, loans, count_only)
    documents = tuple(
        DocumentRecord(row.id, row.path, row.sha256)
        for chunk in _chunks(loans)
        for row in connection.execute(
            select(DOCUMENTS.c.id, DOCUMENTS.c.path, DOCUMENTS.c.sha256).where(
                DOCUMENTS.c.loan_id.in_(chunk)
            )
        )
    )
    return Erasure(+removed, documents)


def _scalars(connection: Connection, query: Any) -> list[Any]:
    return list(connection.execute(query).scalars())


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


def _count(connection: Connection, table: Table, condition: Any) -> int:
    return int(
        connection.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
    )


def _holds_text(column: Column[Any], erased: str | None) -> Any:
    """The column still holds something erasure would take away."""
    if erased is None:
        return column.is_not(None)
    return and_(column.is_not(None), column != erased)


def _with_version(table: Table, versioned: bool, values: dict[str, Any]) -> dict[str, Any]:
    if versioned and "row_version" in table.c:
        return {**values, "row_version": table.c.row_version + 1}
    return values


def _rows_of(connection: Connection, loans: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The ids of every record hanging off these accounts (their audit events name them)."""
    found: list[uuid.UUID] = []
    for table in Base.metadata.sorted_tables:
        if "loan_id" not in table.c or "id" not in table.c or table is DOCUMENTS:
            continue
        if table.name in ("loans", "sync_conflicts"):
            continue
        for chunk in _chunks(loans):
            found += _scalars(connection, select(table.c.id).where(table.c.loan_id.in_(chunk)))
    return found


def _borrowers(
    connection: Connection,
    ids: Sequence[uuid.UUID],
    at: datetime,
    count_only: bool,
    versioned: bool,
) -> int:
    b = BORROWERS.c
    personal = or_(
        b.erased_at.is_(None),
        not_(b.id_number.startswith(ID_PREFIX)),
        *(
            b[name] != value if value is not None else b[name].is_not(None)
            for name, value in BORROWER.items()
        ),
    )
    rows = connection.execute(select(b.id, b.erased_at).where(b.id.in_(ids), personal)).all()
    if count_only or not rows:
        return len(rows)
    values: dict[str, Any] = {
        **BORROWER,
        "id_number": bindparam("token"),
        "erased_at": bindparam("erased", type_=UTCDateTime()),
    }
    if versioned:
        values.update(updated_at=at, row_version=b.row_version + 1)
    connection.execute(
        update(BORROWERS).where(b.id == bindparam("borrower")).values(values),
        [
            {"borrower": row.id, "token": erased_id_number(row.id), "erased": row.erased_at or at}
            for row in rows
        ],
    )
    return len(rows)


def _points(
    connection: Connection, points: Sequence[uuid.UUID], count_only: bool, versioned: bool
) -> int:
    """The borrower's numbers and addresses go, and the records that named one keep none."""
    if count_only or not points:
        return len(points)
    for column in _references(POINTS):
        table = column.table
        assert isinstance(table, Table)
        for chunk in _chunks(points):
            connection.execute(
                update(table)
                .where(column.in_(chunk))
                .values(_with_version(table, versioned, {column.name: None}))
            )
    for chunk in _chunks(points):
        connection.execute(delete(POINTS).where(POINTS.c.id.in_(chunk)))
    return len(points)


def _attachments(connection: Connection, loans: Sequence[uuid.UUID], count_only: bool) -> int:
    """The files attached to the accounts' records (a visit's photos, a consent) go whole:
    their rows and their bytes (on the server only the administrator's connection, which the
    retention job runs as, deletes them)."""
    table, contents = TABLES["attachments"], TABLES["attachment_contents"]
    count = 0
    for chunk in _chunks(loans):
        count += _count(connection, table, table.c.loan_id.in_(chunk))
        if not count_only:
            connection.execute(delete(table).where(table.c.loan_id.in_(chunk)))
            connection.execute(delete(contents).where(contents.c.loan_id.in_(chunk)))
    return count


def _references(target: Table) -> list[Column[Any]]:
    """The columns of the schema that refer to `target`'s rows."""
    found = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table is target:
                assert key.parent.nullable, f"{table.name}.{key.parent.name} must be nullable"
                found.append(key.parent)
    return found


def _scrub_audit(connection: Connection, owned: Sequence[uuid.UUID], count_only: bool) -> int:
    """Drop the keys of the events about these rows that AUDIT_KEPT does not list."""
    names = [str(value) for value in owned]
    scrubbed: dict[uuid.UUID, dict[str, Any]] = {}
    for chunk in _chunks(names):
        for event_id, details in connection.execute(
            select(AUDIT.c.id, AUDIT.c.details).where(AUDIT.c.entity_id.in_(chunk))
        ):
            if isinstance(details, dict) and set(details) - AUDIT_KEPT:
                scrubbed[event_id] = {k: v for k, v in details.items() if k in AUDIT_KEPT}
    if count_only or not scrubbed:
        return len(scrubbed)
    if connection.dialect.name == "postgresql":
        # The one way past the trigger that keeps audit events append-only (migration 0012).
        done = 0
        for chunk in _chunks(sorted(scrubbed)):
            done += int(
                connection.execute(
                    text("SELECT cw_retention_scrub(:events, :kept)"),
                    {"events": list(chunk), "kept": sorted(AUDIT_KEPT)},
                ).scalar_one()
            )
        return done
    with _audit_writable(connection):
        connection.execute(
            update(AUDIT)
            .where(AUDIT.c.id == bindparam("event"))
            .values(details=bindparam("scrubbed", type_=JSON())),
            [{"event": key, "scrubbed": value} for key, value in scrubbed.items()],
        )
    return len(scrubbed)


@contextmanager
def _audit_writable(connection: Connection) -> Iterator[None]:
    """SQLite: the triggers that keep audit events append-only (migration 0001) step aside
    for the scrub, inside its transaction, and are made again exactly as they were: a
    failure rolls their removal back with everything else."""
    saved = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
        "'audit_events' AND name LIKE 'audit_events_no_%'"
    ).all()
    for name, _ in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, statement in saved:
        connection.exec_driver_sql(statement)


def _conflicts(connection: Connection, loans: Sequence[uuid.UUID], count_only: bool) -> int:
    """A workstation's conflicts on these accounts: the losing edit's values may be personal."""
    done = 0
    for chunk in _chunks(loans):
        condition = CONFLICTS.c.loan_id.in_(chunk)
        if count_only:
            done += _count(connection, CONFLICTS, condition)
        else:
            done += connection.execute(delete(CONFLICTS).where(condition)).rowcount
    return done


# --- files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilesRemoved:
    deleted: int
    # Files changed since they were written (not ours to delete any more), or already gone.
    changed: int
    missing: int


def remove_files(documents: Sequence[DocumentRecord]) -> FilesRemoved:
    """Delete the PDFs on record that are still what was written (a file replaced since by
    something else is left alone). Records are the caller's to delete afterwards."""
    deleted = changed = missing = 0
    for path_text, sha256 in sorted({(record.path, record.sha256) for record in documents}):
        path = Path(path_text)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            missing += 1
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            changed += 1
            continue
        path.unlink(missing_ok=True)
        deleted += 1
    return FilesRemoved(deleted, changed, missing)


def forget_documents(connection: Connection, documents: Sequence[DocumentRecord]) -> None:
    """Delete the records of documents whose files `remove_files` saw to."""
    for chunk in _chunks(sorted(record.id for record in documents)):
        connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.id.in_(chunk)))


def erased_documents(db: Database) -> list[DocumentRecord]:
    """The PDFs on record here for accounts whose borrower is erased."""
    with db.engine.connect() as connection:
        return [
            DocumentRecord(row.id, row.path, row.sha256)
            for row in connection.execute(
                select(DOCUMENTS.c.id, DOCUMENTS.c.path, DOCUMENTS.c.sha256)
                .join(LOANS, LOANS.c.id == DOCUMENTS.c.loan_id)
                .join(BORROWERS, BORROWERS.c.id == LOANS.c.borrower_id)
                .where(BORROWERS.c.erased_at.is_not(None))
            )
        ]


def record_document(
    connection: Connection, kind: str, path: Path, data: bytes, loans: Collection[uuid.UUID]
) -> None:
    """Note a PDF written here for these accounts, so erasing one deletes it (a workstation's
    copy and the embedded database only: on a server the path would mean nothing)."""
    if connection.dialect.name != "sqlite":
        return
    digest = hashlib.sha256(data).hexdigest()
    where = str(path.resolve())
    connection.execute(
        DOCUMENTS.insert(),
        [
            {"id": uuid.uuid4(), "loan_id": loan, "kind": kind, "path": where, "sha256": digest}
            for loan in sorted(set(loans))
        ],
    )


__all__ = [
    "AUDIT_KEPT",
    "BORROWER",
    "DELETED",
    "KEPT",
    "PERSONAL",
    "SCRUBBED",
    "DocumentRecord",
    "Erasure",
    "FilesRemoved",
    "erase",
    "erased_documents",
    "erased_id_number",
    "forget_documents",
    "record_document",
    "remove_files",
]
