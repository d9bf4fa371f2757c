"""The lending system's daily feed: `central feed FILE`, the day's changes to the portfolio.

One CSV file a day (docs/feed-format.md), read as the import reads its export (exports.py,
cells.py): a `batch` row names the file (its batch id, its place in the sequence of files and
the business day it covers), then one record per row: new overdue accounts (borrower, contact,
loan and instalment rows), payments with the lending system's payment id, reversals, schedule
changes (instalment rows of a known contract), closures and write-offs, borrower changes
(name, address, a move abroad, which changes the borrower's contact-rule profile), new contact
points.

A file is applied whole or not at all. Every row is checked first, then against the database;
any problem refuses the file, each named by row and column, and the refusal is kept for the
lead. Applying it again changes nothing: a batch id is applied once (the same file again is
reported as applied already), a payment or reversal whose id is known is not counted twice, a
contact point the borrower has is not added again, and the other records say what an account
is now. Files are applied in their sequence: one that skips a number is refused.

The money goes through the ledger (`plans.ledger`) exactly as a payment always has: balances,
DPD and penalty replayed where a payment arrives out of order, a reversal or a changed
schedule asks for it; promises judged by each payment's own date; plans tracked; borrowers'
reported payments matched. The reconciliation summary of each file (accounts new and closed,
payments and their amount, changes, rows refused) is kept with it, for the lead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Integer, String, Table, Uuid, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from app.database import Database
from app.models import (
    Borrower,
    ContactKind,
    ContactPoint,
    FeedBatch,
    FeedStatus,
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    Role,
    Team,
    User,
)
from app.services.common.audit import audit
from app.services.common.bulk import insert_rows, key_set, staged, update_rows, with_defaults
from app.services.common.clock import local_today
from app.services.common.errors import DomainError, InvalidInput, Message, NotAllowed
from app.services.common.money import ZERO
from app.services.common.phones import PhoneNumber
from app.services.common.reference import loan_limits
from app.services.common.regions import region_of
from app.services.common.scope import find_user
from app.services.plans import ledger
from app.services.portfolio import cells
from app.services.portfolio.cells import FORMULA, CellRefused, shown
from app.services.portfolio.exports import decode_export
from app.services.portfolio.importing import (
    CELL_LIMIT,
    CHANNELS,
    CODES,
    COLUMNS,
    LONGEST,
    OTHERWISE_LONGEST,
    WORDS,
    WORKERS,
    ImportProblem,
    check_contact_row,
)

RECORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # record: (required columns, optional columns)
    "batch": (("batch_id", "sequence", "business_date"), ()),
    # A borrower new to the database needs the import's columns; a known one, the changes.
    "borrower": (
        ("id_number",),
        tuple(c for c in (*COLUMNS["borrower"][0], *COLUMNS["borrower"][1]) if c != "id_number"),
    ),
    "contact": COLUMNS["contact"],
    "loan": COLUMNS["loan"],
    "instalment": COLUMNS["instalment"],
    "payment": (("contract_no", "payment_id", "paid_at", "amount", "channel"), ("reference",)),
    "reversal": (("contract_no", "payment_id", "reversal_id", "reversed_at"), ()),
    "closure": (("contract_no", "closed_on", "status"), ()),
}
HEADER = ("record", *dict.fromkeys(c for need, may in RECORDS.values() for c in (*need, *may)))
NEW_BORROWER = COLUMNS["borrower"][0]
# An address changes whole: a move gives the new province, city, district and street.
ADDRESS = ("province", "city", "district", "street")
FEED_CODES = frozenset(
    {
        *CODES,
        "batch_id",
        "sequence",
        "business_date",
        "payment_id",
        "reversal_id",
        "reversed_at",
        "closed_on",
        "status",
    }
)
FEED_LONGEST = {**LONGEST, "batch_id": 64, "payment_id": 64, "reversal_id": 64}
CLOSURES = {"settled": LoanStatus.SETTLED, "written_off": LoanStatus.WRITTEN_OFF}
# The first problems of a refused file are kept with it for the lead (all are printed).
KEPT_PROBLEMS = 200
LEADS = (Role.TEAM_LEAD, Role.ADMIN)

T = TypeVar("T")
_UNREAD = object()
_BORROWERS = cast(Table, Borrower.__table__)
_POINTS = cast(Table, ContactPoint.__table__)
_LOANS = cast(Table, Loan.__table__)
_INSTALMENTS = cast(Table, Instalment.__table__)
_PAYMENTS = cast(Table, Payment.__table__)


@dataclass(frozen=True)
class FeedSummary:
    """The reconciliation of one file: what it brought and what changed."""

    batch_id: str
    sequence: int
    business_date: date
    file: str
    rows: int
    encoding: str = "UTF-8"
    # The same file was applied before: nothing changed now (the counts are that time's).
    already_applied: bool = False
    accounts_new: int = 0
    # Closed by the lending system (settled or written off), and settled by their payments.
    closed_settled: int = 0
    closed_written_off: int = 0
    settled_by_payments: int = 0
    # Settled by payments before, owing again after a reversal.
    reopened: int = 0
    payments: int = 0
    payments_amount: Decimal = ZERO
    # Payments (and reversals) whose id the database already had: not counted again.
    payments_known: int = 0
    reversals: int = 0
    reversals_amount: Decimal = ZERO
    reversals_known: int = 0
    borrowers_new: int = 0
    borrowers_changed: int = 0
    # Borrowers whose country changed (their contact-rule profile follows it).
    borrowers_moved_country: int = 0
    contact_points_new: int = 0
    contact_points_known: int = 0
    schedules_changed: int = 0
    instalments_changed: int = 0
    promises_kept: int = 0
    promises_changed: int = 0
    plans_changed: int = 0
    reports_matched: int = 0
    rows_refused: int = 0

    @property
    def accounts_closed(self) -> int:
        return self.closed_settled + self.closed_written_off + self.settled_by_payments

    def stored(self) -> dict[str, Any]:
        """As kept with the batch (JSON)."""
        return {
            key: str(value) if isinstance(value, Decimal | date) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> FeedSummary:
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name not in stored:
                continue
            value = stored[item.name]
            if item.name.endswith("_amount"):
                value = Decimal(value)
            elif item.name == "business_date":
                value = date.fromisoformat(value)
            values[item.name] = value
        return cls(**values)


class FeedRefused(InvalidInput):
    """A file with problems: nothing of it was applied. `problems` lists each by row and
    column (the header is row 1)."""

    def __init__(self, template: str, problems: tuple[ImportProblem, ...], /, **params: object):
        super().__init__(template, **params)
        self.problems = problems


@dataclass(frozen=True)
class FeedReport:
    """One file as the lead reads it: applied with its reconciliation, or refused with why."""

    id: uuid.UUID
    received_at: datetime
    status: str  # FeedStatus
    file_name: str
    rows: int
    applied_by: str | None
    summary: FeedSummary | None  # an applied file's
    batch_id: str | None  # a refused file's, as it said
    problems: tuple[ImportProblem, ...]  # a refused file's (the first KEPT_PROBLEMS)


# -- applying a file --------------------------------------------------------------------------


def apply_feed(
    db: Database, path: Path, *, encoding: str | None = None, now: datetime | None = None
) -> FeedSummary:
    """Check the feed file at `path` and apply all of it, or nothing (raising FeedRefused).

    encoding: the file's encoding when it is neither UTF-8 nor GB18030 (or to force one).
    """
    now = now or datetime.now(UTC)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            "Cannot read {path}: {reason}.", path=str(path), reason=error.strerror or str(error)
        ) from None
    export = decode_export(data, str(path), encoding)
    digest = hashlib.sha256(data).hexdigest()
    feed = _Feed(now, path.name, digest, export.encoding)
    feed.read(export.text)
    if feed.batch is None and not feed.problems:
        raise InvalidInput(
            "{path} has no batch row: a feed file names itself in a `batch` row (batch_id,"
            " sequence, business_date).",
            path=str(path),
        )
    try:
        if feed.batch is None:
            raise _Refused  # its batch row has a problem of its own
        with db.session() as session:
            _hold_the_ledger(session)
            earlier = feed.check_batch(session)
            if earlier is not None:
                return earlier
            known = _Known.load(session, feed)
            feed.cross_check(known)
            if not feed.problems:
                summary = feed.write(session, known)
            if feed.problems:
                raise _Refused
            session.add(
                FeedBatch(
                    batch_id=feed.batch.batch_id,
                    sequence=feed.batch.sequence,
                    business_date=feed.batch.business_date,
                    status=FeedStatus.APPLIED,
                    file_name=feed.file_name[:255],
                    sha256=digest,
                    rows=feed.rows,
                    received_at=now,
                    applied_by=_login(session),
                    summary=summary.stored(),
                    problems=[],
                )
            )
            audit(session, "feed.applied", "feed", feed.batch.batch_id, summary.stored())
            return summary
    except _Refused:
        pass
    except IntegrityError:
        # Another feed (or an import) wrote the same batch, payment or account meanwhile.
        raise InvalidInput(
            "Another feed or import was applied while {path} was: nothing of it was applied;"
            " apply it again.",
            path=str(path),
        ) from None
    problems = tuple(sorted(feed.problems, key=lambda problem: (problem.row, problem.column)))
    _keep_refusal(db, feed, problems, now)
    raise FeedRefused(
        "{count} problems in {path} ({rows} rows refused); nothing of it was applied.",
        problems,
        count=len(problems),
        rows=len({problem.row for problem in problems}),
        path=str(path),
    )


class _Refused(Exception):
    """The file had problems: roll its unit of work back."""


def _hold_the_ledger(session: Session) -> None:
    """One feed at a time (and no payment posted meanwhile): the ledger's lock on PostgreSQL;
    SQLite has one writer anyway."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ledger.LEDGER_LOCK})")


def _login(session: Session) -> str | None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return cast(str, connection.exec_driver_sql("SELECT session_user").scalar())
    return None


def _keep_refusal(
    db: Database, feed: _Feed, problems: tuple[ImportProblem, ...], now: datetime
) -> None:
    """Keep the refused file for the lead, with its problems (taking no batch id or place)."""
    batch = feed.batch
    summary: dict[str, Any] = {
        "batch_id": batch.batch_id if batch else None,
        "sequence": batch.sequence if batch else None,
        "business_date": batch.business_date.isoformat() if batch else None,
        "rows": feed.rows,
        "rows_refused": len({problem.row for problem in problems}),
        "encoding": feed.encoding,
    }
    with db.session() as session:
        session.add(
            FeedBatch(
                status=FeedStatus.REFUSED,
                file_name=feed.file_name[:255],
                sha256=feed.digest,
                rows=feed.rows,
                received_at=now,
                applied_by=_login(session),
                summary=summary,
                problems=[
                    {
                        "row": problem.row,
                        "column": problem.column,
                        "template": problem.detail.template,
                        "params": {k: str(v) for k, v in problem.detail.params.items()},
                    }
                    for problem in problems[:KEPT_PROBLEMS]
                ],
            )
        )
        audit(
            session,
            "feed.refused",
            "feed",
            summary["batch_id"] or feed.file_name[:64],
            {**summary, "problems": len(problems)},
        )


# -- reading the lead's reports ---------------------------------------------------------------


def feed_reports(db: Database, username: str, *, last: int = 30) -> tuple[FeedReport, ...]:
    """The last `last` files the feed brought, newest first, with their reconciliation (a
    team lead's or an administrator's)."""
    with db.reader() as session:
        user = find_user(session, username)
        if user.role not in LEADS:
            raise NotAllowed("The feed's reports are for team leads.")
        batches = session.scalars(
            select(FeedBatch).order_by(FeedBatch.received_at.desc(), FeedBatch.id).limit(last)
        ).all()
        return tuple(_report(batch) for batch in batches)


def _report(batch: FeedBatch) -> FeedReport:
    applied = batch.status == FeedStatus.APPLIED
    return FeedReport(
        id=batch.id,
        received_at=batch.received_at,
        status=batch.status,
        file_name=batch.file_name,
        rows=batch.rows,
        applied_by=batch.applied_by,
        summary=FeedSummary.from_stored(batch.summary) if applied else None,
        batch_id=None if applied else batch.summary.get("batch_id"),
        problems=tuple(
            ImportProblem(
                int(kept["row"]),
                str(kept["column"]),
                Message(str(kept["template"]), dict(kept.get("params") or {})),
            )
            for kept in batch.problems
        ),
    )


# -- what the file says -----------------------------------------------------------------------


class _Batch(NamedTuple):
    row: int
    batch_id: str
    sequence: int
    business_date: date


class _NewPayment(NamedTuple):
    row: int
    contract_no: str
    paid_at: datetime
    amount: Decimal
    channel: str
    reference: str | None


class _Reversal(NamedTuple):
    row: int
    contract_no: str
    reversal_id: str
    reversed_at: datetime


class _Closure(NamedTuple):
    row: int
    closed_on: date
    status: LoanStatus


class _Line(NamedTuple):
    row: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    fees_due: Decimal


@dataclass
class _Feed:
    now: datetime
    file_name: str
    digest: str
    encoding: str
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    refused: set[tuple[int, str]] = field(default_factory=set)
    batch: _Batch | None = None
    borrowers: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    contacts: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    loans: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    instalments: dict[str, dict[int, _Line]] = field(default_factory=lambda: defaultdict(dict))
    payments: dict[str, _NewPayment] = field(default_factory=dict)
    reversals: dict[str, _Reversal] = field(default_factory=dict)
    reversal_ids: dict[str, int] = field(default_factory=dict)
    closures: dict[str, _Closure] = field(default_factory=dict)
    # Worked out against the database (cross_check), written by write().
    plan: _Plan | None = None
    # What each reader of cells.py made of a cell's text (and its other arguments): they are
    # pure, and a day's file says the same dates, amounts, products and contracts many times.
    read_before: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    # -- problems ------------------------------------------------------------------------

    def problem(self, row: int, column: str, refusal: DomainError) -> None:
        if (row, column) in self.refused:
            return
        self.refused.add((row, column))
        self.problems.append(ImportProblem(row, column, Message(refusal.template, refusal.params)))

    def ok(self, row: int, *columns: str) -> bool:
        refused = self.refused
        return not refused or not any((row, column) in refused for column in columns)

    def take(
        self,
        number: int,
        row: dict[str, str],
        column: str,
        read: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> T | None:
        """The cell read by `read` (a reader of cells.py), or None with its problem noted."""
        if self.refused and (number, column) in self.refused:
            return None
        text = row[column]
        key = (read, text, *args, *kwargs.items()) if args or kwargs else (read, text)
        found = self.read_before.get(key, _UNREAD)
        if found is not _UNREAD:
            return cast(T, found)
        try:
            value = self.read_before[key] = read(text, *args, **kwargs)
        except CellRefused as refused:
            self.problem(number, column, refused)
            return None
        return value

    # -- rows ----------------------------------------------------------------------------

    def read(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = tuple(name.strip() for name in next(reader))
        except (StopIteration, csv.Error):
            header = ()
        unknown = [name for name in header if name not in HEADER]
        if "record" not in header or unknown:
            raise InvalidInput(
                "The file's header must name the columns {known}; it has {found}.",
                known=", ".join(HEADER),
                found=shown(", ".join(header), 200) or "—",
            )
        width = len(header)
        at = {name: index for index, name in enumerate(header)}
        record_at = at["record"]
        specs = {
            record: (
                tuple((name, at.get(name)) for name in required),
                tuple((name, at[name]) for name in optional if name in at),
                frozenset({record_at, *(at[n] for n in (*required, *optional) if n in at)}),
            )
            for record, (required, optional) in RECORDS.items()
        }
        for number, raw in _numbered(reader, self):
            self.rows += 1
            if len(raw) != width:
                if len(raw) > width and any(cell.strip() for cell in raw[width:]):
                    self.problem(number, "", CellRefused("more cells than the header has columns"))
                    continue
                raw = (raw + [""] * width)[:width]
            record = raw[record_at].strip()
            spec = specs.get(record)
            if spec is None:
                self.problem(
                    number,
                    "record",
                    CellRefused(
                        "unknown record “{record}” (one of {records})",
                        record=shown(record),
                        records=", ".join(RECORDS),
                    ),
                )
                continue
            required, optional, allowed = spec
            row: dict[str, str] = {}
            missing = False
            for name, index in required:
                value = raw[index].strip() if index is not None else ""
                if value:
                    row[name] = value
                else:
                    missing = True
                    self.problem(
                        number, name, CellRefused("required for a {record} row", record=record)
                    )
            for name, index in optional:
                value = raw[index].strip()
                if value:
                    row[name] = value
            stray = False
            if width - raw.count("") > len(row) + 1:
                for index, cell in enumerate(raw):
                    if index not in allowed and cell.strip():
                        stray = True
                        self.problem(
                            number,
                            header[index],
                            CellRefused("not a column of a {record} row", record=record),
                        )
            if missing or stray:
                continue
            for name, value in row.items():
                self.cell(number, name, value)
            getattr(self, f"_{record}")(number, row)

    def cell(self, number: int, column: str, value: str) -> None:
        """Screen one cell: length, hidden characters; a formula (words) or other digits."""
        longest = FEED_LONGEST.get(column, OTHERWISE_LONGEST)
        if value.isascii() and value.isprintable():
            # Nothing hidden, and no digit but 0-9: only the length and a formula to check.
            if len(value) > longest:
                self.problem(
                    number, column, CellRefused("longer than {longest} characters", longest=longest)
                )
            elif column in WORDS and value.startswith(FORMULA):
                self.problem(
                    number,
                    column,
                    CellRefused(
                        "starts with “{sign}” as a spreadsheet formula does", sign=value[0]
                    ),
                )
            return
        try:
            cells.screened(value, longest)
            if column in WORDS:
                cells.words(value)
            elif column in FEED_CODES:
                cells.plain_digits(value)
        except CellRefused as refused:
            self.problem(number, column, refused)

    def _id_number(self, number: int, row: dict[str, str]) -> str | None:
        found = self.take(number, row, "id_number", cells.id_number)
        if found is not None:
            row["id_number"] = found
        return found

    # -- one check per record ----------------------------------------------------------

    def _batch(self, number: int, row: dict[str, str]) -> None:
        if self.batch is not None:
            self.problem(
                number,
                "record",
                CellRefused("a file has one batch row (it is on row {row})", row=self.batch.row),
            )
            return
        sequence = self.take(number, row, "sequence", cells.whole, 1, 10**9)
        business = self.take(number, row, "business_date", cells.day)
        if business is not None and business > local_today(self.now):
            self.problem(number, "business_date", CellRefused("in the future"))
        if sequence is not None and business is not None:
            self.batch = _Batch(number, row["batch_id"], sequence, business)

    def _borrower(self, number: int, row: dict[str, str]) -> None:
        id_number = self._id_number(number, row)
        if id_number is None:
            return
        if id_number in self.borrowers:
            first = self.borrowers[id_number][0]
            self.problem(
                number, "id_number", CellRefused("the same borrower is on row {row}", row=first)
            )
            return
        address = [column for column in ADDRESS if row.get(column)]
        if (address or row.get("country")) and len(address) < len(ADDRESS):
            for column in ADDRESS:
                if not row.get(column):
                    self.problem(
                        number,
                        column,
                        CellRefused(
                            "an address changes whole: province, city, district and street"
                        ),
                    )
        if row.get("country"):
            code = self.take(number, row, "country", cells.country)
            if code is not None:
                row["country"] = code
        if row.get("date_of_birth"):
            born = self.take(
                number, row, "date_of_birth", cells.date_of_birth, id_number, self.now.date()
            )
            if born is not None:
                row["date_of_birth"] = born.isoformat()
        # The province is read in the borrower's country, known once the database is asked.
        self.borrowers[id_number] = (number, row)

    def _contact(self, number: int, row: dict[str, str]) -> None:
        self._id_number(number, row)
        if check_contact_row(self, number, row):
            self.contacts.append((number, row))

    def _loan(self, number: int, row: dict[str, str]) -> None:
        contract = self.take(number, row, "contract_no", cells.contract_no)
        if contract is None:
            return
        if contract in self.loans:
            first = self.loans[contract][0]
            self.problem(
                number, "contract_no", CellRefused("the same contract is on row {row}", row=first)
            )
            return
        self._id_number(number, row)
        limits = loan_limits()
        self.take(number, row, "product", cells.product)
        self.take(number, row, "principal", cells.money, positive=True)
        self.take(number, row, "annual_rate", cells.rate, limits.annual_rate_max, 4)
        self.take(number, row, "penalty_rate_daily", cells.rate, limits.penalty_rate_daily_max, 6)
        self.take(number, row, "term_months", cells.whole, 1, limits.term_months_max)
        self.take(number, row, "disbursed_on", cells.day)
        if row.get("currency", "CNY") != "CNY":
            self.problem(number, "currency", CellRefused("only CNY loans are collected here"))
        self.loans[contract] = (number, row)

    def _instalment(self, number: int, row: dict[str, str]) -> None:
        contract = self.take(number, row, "contract_no", cells.contract_no)
        seq = self.take(number, row, "seq", cells.whole, 1, loan_limits().term_months_max)
        due = self.take(number, row, "due_date", cells.day)
        amounts = [
            self.take(number, row, column, cells.money, positive=False)
            for column in ("principal_due", "interest_due", "fees_due")
        ]
        if contract is None or seq is None or due is None or None in amounts:
            return
        lines = self.instalments[contract]
        if seq in lines:
            self.problem(
                number,
                "seq",
                CellRefused("the same instalment is on row {row}", row=lines[seq].row),
            )
            return
        principal, interest, fees = cast(list[Decimal], amounts)
        lines[seq] = _Line(number, due, principal, interest, fees)

    def _payment(self, number: int, row: dict[str, str]) -> None:
        contract = self.take(number, row, "contract_no", cells.contract_no)
        amount = self.take(number, row, "amount", cells.money, positive=True)
        paid = self.take(number, row, "paid_at", cells.moment)
        if paid is not None and paid > self.now + timedelta(minutes=5):
            self.problem(number, "paid_at", CellRefused("in the future"))
            paid = None
        channel = row["channel"]
        if channel not in CHANNELS:
            self.problem(
                number,
                "channel",
                CellRefused("unknown channel (one of {channels})", channels=", ".join(CHANNELS)),
            )
        payment_id = row["payment_id"]
        if payment_id in self.payments:
            self.problem(
                number,
                "payment_id",
                CellRefused(
                    "the same payment id is on row {row}", row=self.payments[payment_id].row
                ),
            )
            return
        if contract is None or amount is None or paid is None or channel not in CHANNELS:
            return
        self.payments[payment_id] = _NewPayment(
            number, contract, paid, amount, channel, row.get("reference")
        )

    def _reversal(self, number: int, row: dict[str, str]) -> None:
        contract = self.take(number, row, "contract_no", cells.contract_no)
        at = self.take(number, row, "reversed_at", cells.moment)
        if at is not None and at > self.now + timedelta(minutes=5):
            self.problem(number, "reversed_at", CellRefused("in the future"))
            at = None
        payment_id, reversal_id = row["payment_id"], row["reversal_id"]
        if payment_id in self.reversals:
            self.problem(
                number,
                "payment_id",
                CellRefused(
                    "the same payment is reversed on row {row}", row=self.reversals[payment_id].row
                ),
            )
            return
        if reversal_id in self.reversal_ids:
            self.problem(
                number,
                "reversal_id",
                CellRefused(
                    "the same reversal id is on row {row}", row=self.reversal_ids[reversal_id]
                ),
            )
            return
        self.reversal_ids[reversal_id] = number
        if contract is None or at is None:
            return
        self.reversals[payment_id] = _Reversal(number, contract, reversal_id, at)

    def _closure(self, number: int, row: dict[str, str]) -> None:
        contract = self.take(number, row, "contract_no", cells.contract_no)
        closed = self.take(number, row, "closed_on", cells.day)
        if closed is not None and closed > local_today(self.now):
            self.problem(number, "closed_on", CellRefused("in the future"))
            closed = None
        status = CLOSURES.get(row["status"])
        if status is None:
            self.problem(
                number,
                "status",
                CellRefused("unknown closure (one of {statuses})", statuses=", ".join(CLOSURES)),
            )
        if contract is None:
            return
        if contract in self.closures:
            self.problem(
                number,
                "contract_no",
                CellRefused(
                    "the same contract is closed on row {row}", row=self.closures[contract].row
                ),
            )
            return
        if closed is not None and status is not None:
            self.closures[contract] = _Closure(number, closed, status)

    # -- the file in the sequence ------------------------------------------------------

    def check_batch(self, session: Session) -> FeedSummary | None:
        """The summary of this very file if it was applied before (nothing to do then);
        otherwise note the problems of its place in the sequence."""
        batch = self.batch
        assert batch is not None
        same = session.scalar(select(FeedBatch).where(FeedBatch.batch_id == batch.batch_id))
        if same is not None:
            if same.sha256 == self.digest:
                stored = FeedSummary.from_stored(same.summary)
                return FeedSummary(
                    **{**asdict(stored), "already_applied": True, "file": self.file_name}
                )
            self.problem(
                batch.row,
                "batch_id",
                CellRefused(
                    "batch {batch_id} was applied on {applied} from another file: a batch id"
                    " names one file",
                    batch_id=shown(batch.batch_id),
                    applied=same.received_at,
                ),
            )
            return None
        last = session.execute(
            select(FeedBatch.sequence, FeedBatch.batch_id, FeedBatch.business_date)
            .where(FeedBatch.status == FeedStatus.APPLIED)
            .order_by(FeedBatch.sequence.desc())
            .limit(1)
        ).first()
        if last is None:
            return None
        sequence, batch_id, business_date = cast(tuple[int, str, date | None], tuple(last))
        if batch.sequence <= sequence:
            taken = session.scalar(
                select(FeedBatch.batch_id).where(FeedBatch.sequence == batch.sequence)
            )
            self.problem(
                batch.row,
                "sequence",
                CellRefused(
                    "file {sequence} was applied already (batch {batch_id}); the next is {next}",
                    sequence=batch.sequence,
                    batch_id=shown(taken or batch_id),
                    next=sequence + 1,
                ),
            )
        elif batch.sequence == sequence + 2:
            self.problem(
                batch.row,
                "sequence",
                CellRefused(
                    "file {missing} is missing: the last applied was {sequence} (batch"
                    " {batch_id}); apply it first",
                    missing=sequence + 1,
                    sequence=sequence,
                    batch_id=shown(batch_id),
                ),
            )
        elif batch.sequence > sequence + 2:
            self.problem(
                batch.row,
                "sequence",
                CellRefused(
                    "files {first} to {last} are missing: the last applied was {sequence}"
                    " (batch {batch_id}); apply them first",
                    first=sequence + 1,
                    last=batch.sequence - 1,
                    sequence=sequence,
                    batch_id=shown(batch_id),
                ),
            )
        if business_date is not None and batch.business_date < business_date:
            self.problem(
                batch.row,
                "business_date",
                CellRefused(
                    "before the last file's business day ({day})", day=business_date.isoformat()
                ),
            )
        return None

    # -- against the database ----------------------------------------------------------

    def cross_check(self, known: _Known) -> None:
        """What only the whole file and the database can tell; works out what to write."""
        plan = self.plan = _Plan()
        self._borrowers_against(known, plan)
        self._contacts_against(known, plan)
        self._loans_against(known, plan)
        self._schedules_against(known, plan)
        self._payments_against(known, plan)
        self._closures_against(known, plan)

    def _country_of(self, id_number: str, known: _Known) -> str | None:
        """The borrower's country after this file (None: their row has a problem with it)."""
        if id_number in self.borrowers:
            number, row = self.borrowers[id_number]
            if row.get("country"):
                return row["country"] if self.ok(number, "country") else None
        stored = known.borrowers.get(id_number)
        return stored.country if stored is not None else "CN"

    def _borrowers_against(self, known: _Known, plan: _Plan) -> None:
        for id_number, (number, row) in self.borrowers.items():
            stored = known.borrowers.get(id_number)
            country = self._country_of(id_number, known)
            if row.get("province") and country is not None:
                region = self.take(number, row, "province", cells.province, country)
                if region is not None:
                    row["province"] = region
            if stored is None:
                missing = [column for column in NEW_BORROWER if not row.get(column)]
                for column in missing:
                    self.problem(
                        number,
                        column,
                        CellRefused(
                            "required for a borrower new to the database (changes name only"
                            " what changes)"
                        ),
                    )
                if not missing:
                    plan.new_borrowers[id_number] = row
                continue
            if (
                row.get("date_of_birth")
                and row["date_of_birth"] != stored.date_of_birth.isoformat()
            ):
                self.problem(
                    number,
                    "date_of_birth",
                    CellRefused(
                        "the database has {born} for this ID number", born=stored.date_of_birth
                    ),
                )
            change: dict[str, str] = {}
            for column in ("name", "country", *ADDRESS, "employer"):
                value = row.get(column)
                now_stored = getattr(stored, column)
                if column == "province":
                    now_stored = region_of(stored.country, now_stored) or now_stored
                if value and self.ok(number, column) and value != now_stored:
                    change[column] = value
            if change:
                plan.changed_borrowers[stored.id] = change
                if "country" in change:
                    plan.moved_country += 1

    def _contacts_against(self, known: _Known, plan: _Plan) -> None:
        """Read each number in its borrower's country; keep only points the borrower lacks."""
        for number, row in self.contacts:
            id_number = row["id_number"]
            if not self.ok(number, "id_number"):
                continue
            if id_number not in known.borrowers and id_number not in plan.new_borrowers:
                if id_number not in self.borrowers:
                    self.problem(
                        number, "id_number", CellRefused("no borrower row with this ID number")
                    )
                continue
            kind = ContactKind(row["kind"])
            phone: PhoneNumber | None = None
            value = row["value"]
            if kind.is_phone:
                region = row.get("country") or self._country_of(id_number, known)
                if region is None or not self.ok(number, "country"):
                    continue
                phone = self.take(number, row, "value", cells.phone, region)
                if phone is None:
                    continue
                value = phone.e164
            elif not self.ok(number, "value"):
                continue
            key = _point_key(kind, value)
            points = plan.points.setdefault(id_number, set(known.points.get(id_number, ())))
            if key in points:
                plan.known_points += 1
                continue
            points.add(key)
            plan.new_points.append((id_number, row, kind, value, phone))

    def _loans_against(self, known: _Known, plan: _Plan) -> None:
        for contract, (number, row) in self.loans.items():
            stored = known.loans.get(contract)
            if stored is not None:
                self._same_contract(number, row, stored)
                continue
            id_number = row.get("id_number", "")
            if (
                self.ok(number, "id_number")
                and id_number not in known.borrowers
                and id_number not in self.borrowers
            ):
                self.problem(
                    number, "id_number", CellRefused("no borrower row with this ID number")
                )
            assignee = row.get("assigned_to")
            if assignee:
                worker = known.users.get(assignee)
                if worker is None or worker[1] not in WORKERS or not worker[2]:
                    self.problem(
                        number,
                        "assigned_to",
                        CellRefused("not an active collector, field agent or team lead"),
                    )
            named = row.get("team", "")
            worker = known.users.get(assignee or "")
            if named and named not in known.teams:
                self.problem(
                    number,
                    "team",
                    CellRefused("no team “{team}” in the database", team=shown(named)),
                )
            elif named and worker is not None and worker[3] != known.teams[named]:
                self.problem(number, "team", CellRefused("not the team of the user in assigned_to"))
            elif not named and not assignee:
                self.problem(
                    number,
                    "team",
                    CellRefused(
                        "a new account nobody is assigned to needs the team whose pool it waits"
                        " in (the team column)"
                    ),
                )
            lines = self.instalments.get(contract, {})
            if not lines:
                self.problem(number, "contract_no", CellRefused("a loan needs its instalment rows"))
            elif sorted(lines) != list(range(1, len(lines) + 1)):
                self.problem(
                    number, "seq", CellRefused("instalments must be numbered 1, 2, 3… once each")
                )
            plan.new_loans[contract] = row

    def _same_contract(self, number: int, row: dict[str, str], stored: _KnownLoan) -> None:
        """A contract the database has: a loan row must say what is stored (its terms do not
        change; its schedule does, through instalment rows)."""
        terms: dict[str, object] = {
            "id_number": stored.id_number,
            "product": stored.product,
            "principal": stored.principal,
            "annual_rate": stored.annual_rate,
            "penalty_rate_daily": stored.penalty_rate_daily,
            "term_months": stored.term_months,
            "disbursed_on": stored.disbursed_on,
        }
        for column, value in terms.items():
            if not self.ok(number, column):
                continue
            mine: object = row[column]
            if isinstance(value, Decimal):
                mine = Decimal(row[column])
            elif isinstance(value, date):
                mine = date.fromisoformat(row[column])
            elif isinstance(value, int):
                mine = int(row[column])
            if mine != value:
                self.problem(
                    number,
                    column,
                    CellRefused(
                        "the database has “{value}” for this contract: a loan's terms do not"
                        " change; its schedule does, by instalment rows",
                        value=shown(str(value)),
                    ),
                )

    def _schedules_against(self, known: _Known, plan: _Plan) -> None:
        for contract, lines in self.instalments.items():
            if contract in self.loans and contract not in known.loans:
                continue  # a new account's schedule (checked with its loan row)
            stored = known.loans.get(contract)
            if stored is None:
                for line in lines.values():
                    self.problem(
                        line.row, "contract_no", CellRefused("no loan row with this contract")
                    )
                continue
            schedule = known.schedules.get(stored.id, {})
            count = known.lengths.get(stored.id, 0)
            added = sorted(seq for seq in lines if seq > count)
            if added != list(range(count + 1, count + 1 + len(added))):
                for seq in added:
                    self.problem(
                        lines[seq].row,
                        "seq",
                        CellRefused(
                            "the contract has instalments 1 to {count}: a new one is {next}",
                            count=count,
                            next=count + 1,
                        ),
                    )
                continue
            replay = False
            for seq, line in lines.items():
                now_stored = schedule.get(seq)
                if now_stored is None:
                    plan.added_lines.append((stored.id, seq, line))
                    replay = True
                    continue
                terms = (line.due_date, line.principal_due, line.interest_due, line.fees_due)
                if now_stored.terms == terms:
                    continue
                plan.changed_lines.append((stored.id, seq, line))
                # What payments did stays as it was when no payment has reached the line and
                # neither its due date nor its principal (what penalty accrues on) moved: only
                # what is left to pay changes. Otherwise the loan is replayed.
                untouched = now_stored.paid == 0 and not now_stored.settled
                same_accrual = terms[:2] == now_stored.terms[:2]
                replay = replay or not (untouched and same_accrual)
                plan.schedules_changed.add(stored.id)
            if replay:
                plan.replay.add(stored.id)
                plan.schedules_changed.add(stored.id)

    def _payments_against(self, known: _Known, plan: _Plan) -> None:
        for payment_id, payment in self.payments.items():
            if not self._contract_known(payment.row, payment.contract_no, known):
                continue
            was = known.payments.get(payment_id)
            if was is not None:
                same = (
                    was.contract_no == payment.contract_no
                    and was.amount == payment.amount
                    and was.paid_at == payment.paid_at
                )
                if same:
                    plan.known_payments += 1
                else:
                    self.problem(
                        payment.row,
                        "payment_id",
                        CellRefused(
                            "the database has this payment id for {amount} on {contract_no}"
                            " paid at {paid_at}: a payment id names one payment",
                            amount=was.amount,
                            contract_no=was.contract_no,
                            paid_at=was.paid_at,
                        ),
                    )
                continue
            plan.payments.append(payment_id)
        for payment_id, reversal in self.reversals.items():
            if not self._contract_known(reversal.row, reversal.contract_no, known):
                continue
            was = known.payments.get(payment_id)
            in_file = self.payments.get(payment_id)
            contract = was.contract_no if was is not None else in_file and in_file.contract_no
            if contract is None:
                self.problem(
                    reversal.row,
                    "payment_id",
                    CellRefused("no payment with this id, in the database or the file"),
                )
                continue
            if contract != reversal.contract_no:
                self.problem(
                    reversal.row,
                    "contract_no",
                    CellRefused("the payment is on contract {contract_no}", contract_no=contract),
                )
                continue
            other = known.reversal_ids.get(reversal.reversal_id)
            if other is not None and other != payment_id:
                self.problem(
                    reversal.row,
                    "reversal_id",
                    CellRefused(
                        "the database has this reversal id for payment {payment_id}",
                        payment_id=shown(other),
                    ),
                )
                continue
            if was is not None and was.reversal_id is not None:
                if was.reversal_id == reversal.reversal_id:
                    plan.known_reversals += 1
                else:
                    self.problem(
                        reversal.row,
                        "payment_id",
                        CellRefused(
                            "the payment was reversed already (reversal {reversal_id})",
                            reversal_id=shown(was.reversal_id),
                        ),
                    )
                continue
            plan.reversals.append(payment_id)

    def _contract_known(self, row: int, contract: str, known: _Known) -> bool:
        if contract in known.loans or contract in self.loans:
            return True
        self.problem(row, "contract_no", CellRefused("no loan row with this contract"))
        return False

    def _closures_against(self, known: _Known, plan: _Plan) -> None:
        for contract, closure in self.closures.items():
            if not self._contract_known(closure.row, contract, known):
                continue
            stored = known.loans.get(contract)
            if (
                stored is not None
                and stored.closed_on == closure.closed_on
                and stored.status is closure.status
            ):
                continue
            plan.closures.append(contract)

    # -- writing -------------------------------------------------------------------------

    def write(self, session: Session, known: _Known) -> FeedSummary:
        """Write what cross_check worked out; problems found while posting (an overpayment)
        are noted, and the caller rolls back."""
        plan = self.plan
        batch = self.batch
        assert plan is not None and batch is not None
        connection = session.connection()
        now = self.now
        people = {id_number: row.id for id_number, row in known.borrowers.items()}
        new_borrowers = []
        for id_number, row in plan.new_borrowers.items():
            people[id_number] = uuid.uuid4()
            new_borrowers.append(
                with_defaults(
                    _BORROWERS,
                    {
                        "id": people[id_number],
                        "name": row["name"],
                        "id_number": id_number,
                        "date_of_birth": date.fromisoformat(row["date_of_birth"]),
                        "country": row.get("country") or "CN",
                        "province": row["province"],
                        "city": row["city"],
                        "district": row["district"],
                        "street": row["street"],
                        "employer": row.get("employer") or None,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            )
        insert_rows(connection, _BORROWERS, new_borrowers)
        changes = [
            {
                "id": borrower_id,
                **{c: change.get(c) for c in ("name", "country", *ADDRESS, "employer")},
                "updated_at": now,
            }
            for borrower_id, change in plan.changed_borrowers.items()
        ]
        update_rows(connection, _BORROWERS, ("id",), changes, keep_none=True)

        positions = dict(known.next_position)
        points = []
        for id_number, row, kind, value, phone in plan.new_points:
            position = positions.get(id_number, 0)
            positions[id_number] = position + 1
            points.append(
                with_defaults(
                    _POINTS,
                    {
                        "id": uuid.uuid4(),
                        "borrower_id": people[id_number],
                        "position": position,
                        "kind": kind.value,
                        "value": value,
                        "region": phone.region if phone else None,
                        "time_zones": " ".join(phone.time_zones) if phone else "",
                        "contact_name": row.get("contact_name") or None,
                        "relation": row.get("relation") or None,
                        "created_at": now,
                    },
                )
            )
        insert_rows(connection, _POINTS, points)

        loans = {contract: row.id for contract, row in known.loans.items()}
        new_loans: list[dict[str, Any]] = []
        new_lines: list[dict[str, Any]] = []
        handles: dict[uuid.UUID, Any] = {}
        for contract, row in plan.new_loans.items():
            loan_id = loans[contract] = uuid.uuid4()
            worker = known.users.get(row.get("assigned_to", ""))
            team_id = worker[3] if worker else known.teams.get(row.get("team", ""))
            new_loans.append(
                with_defaults(
                    _LOANS,
                    {
                        "id": loan_id,
                        "contract_no": contract,
                        "borrower_id": people[row["id_number"]],
                        "product": row["product"],
                        "currency": "CNY",
                        "principal": Decimal(row["principal"]),
                        "annual_rate": Decimal(row["annual_rate"]),
                        "penalty_rate_daily": Decimal(row["penalty_rate_daily"]),
                        "term_months": int(row["term_months"]),
                        "disbursed_on": date.fromisoformat(row["disbursed_on"]),
                        "status": LoanStatus.ACTIVE.value,
                        "assigned_to_id": worker[0] if worker else None,
                        "assigned_at": now if worker else None,
                        "team_id": team_id,
                        "created_at": now,
                    },
                )
            )
            lines = self.instalments[contract]
            handles[loan_id] = self.loans[contract][0]
            new_lines.extend(_line_row(loan_id, seq, line) for seq, line in sorted(lines.items()))
        insert_rows(connection, _LOANS, new_loans)
        new_lines.extend(_line_row(loan_id, seq, line) for loan_id, seq, line in plan.added_lines)
        insert_rows(connection, _INSTALMENTS, new_lines)
        update_rows(
            connection,
            _INSTALMENTS,
            ("loan_id", "seq"),
            [
                {
                    "loan_id": loan_id,
                    "seq": seq,
                    "due_date": line.due_date,
                    "principal_due": line.principal_due,
                    "interest_due": line.interest_due,
                    "fees_due": line.fees_due,
                }
                for loan_id, seq, line in plan.changed_lines
            ],
        )
        for loan_id, _, line in (*plan.changed_lines, *plan.added_lines):
            handles.setdefault(loan_id, line.row)

        posting_payments = []
        amount = ZERO
        reversing = set(plan.reversals)
        for payment_id in plan.payments:
            payment = self.payments[payment_id]
            reversal = self.reversals.get(payment_id) if payment_id in reversing else None
            posting_payments.append(
                ledger.NewPayment(
                    loans[payment.contract_no],
                    payment.paid_at,
                    payment.amount,
                    payment.channel,
                    payment.reference,
                    source_id=payment_id,
                    reversed_at=reversal.reversed_at if reversal else None,
                    reversal_id=reversal.reversal_id if reversal else None,
                    key=payment.row,
                )
            )
            amount += payment.amount
        reversals = []
        reversed_amount = ZERO
        for payment_id in plan.reversals:
            reversal = self.reversals[payment_id]
            was = known.payments.get(payment_id)
            if was is None:
                reversed_amount += self.payments[payment_id].amount
                continue  # reversed as it is posted (above)
            reversed_amount += was.amount
            reversals.append(
                ledger.Reversal(
                    was.id,
                    loans[reversal.contract_no],
                    reversal.reversed_at,
                    reversal.reversal_id,
                    key=reversal.row,
                )
            )
        replay = plan.replay | {loans[contract] for contract in plan.new_loans}
        posting = ledger.post(
            session,
            payments=posting_payments,
            reversals=reversals,
            replay=replay,
            keys=handles,
            now=now,
        )
        contracts = {loan_id: contract for contract, loan_id in loans.items()}
        payment_rows = {payment.row for payment in self.payments.values()}
        for overpaid in posting.overpaid:
            at = overpaid.key if isinstance(overpaid.key, int) else batch.row
            self.problem(
                at,
                "amount" if at in payment_rows else "contract_no",
                CellRefused(
                    "the payments on {contract_no} come to {unapplied} more than its schedule owes",
                    contract_no=contracts.get(overpaid.loan_id, ""),
                    unapplied=overpaid.unapplied,
                ),
            )
        closed: dict[LoanStatus, int] = defaultdict(int)
        closing = []
        for contract in plan.closures:
            closure = self.closures[contract]
            closed[closure.status] += 1
            closing.append(
                {
                    "id": loans[contract],
                    "status": closure.status.value,
                    "closed_on": closure.closed_on,
                }
            )
        update_rows(connection, _LOANS, ("id",), closing)
        closed_now = {row["id"] for row in closing}
        return FeedSummary(
            batch_id=batch.batch_id,
            sequence=batch.sequence,
            business_date=batch.business_date,
            file=self.file_name,
            rows=self.rows,
            encoding=self.encoding,
            accounts_new=len(plan.new_loans),
            closed_settled=closed[LoanStatus.SETTLED],
            closed_written_off=closed[LoanStatus.WRITTEN_OFF],
            settled_by_payments=len(set(posting.settled) - closed_now),
            reopened=len(posting.reopened),
            payments=len(plan.payments),
            payments_amount=amount,
            payments_known=plan.known_payments,
            reversals=len(plan.reversals),
            reversals_amount=reversed_amount,
            reversals_known=plan.known_reversals,
            borrowers_new=len(plan.new_borrowers),
            borrowers_changed=len(plan.changed_borrowers),
            borrowers_moved_country=plan.moved_country,
            contact_points_new=len(plan.new_points),
            contact_points_known=plan.known_points,
            schedules_changed=len(plan.schedules_changed),
            instalments_changed=len(plan.changed_lines) + len(plan.added_lines),
            promises_kept=len(posting.promises_kept),
            promises_changed=posting.promises_changed,
            plans_changed=len(posting.plans_changed),
            reports_matched=posting.reports_matched,
        )


def _line_row(loan_id: uuid.UUID, seq: int, line: _Line) -> dict[str, Any]:
    return with_defaults(
        _INSTALMENTS,
        {
            "loan_id": loan_id,
            "seq": seq,
            "due_date": line.due_date,
            "principal_due": line.principal_due,
            "interest_due": line.interest_due,
            "fees_due": line.fees_due,
            "accrued_to": None,
            "settled_on": None,
        },
    )


def _numbered(reader: Iterator[list[str]], feed: _Feed) -> Iterator[tuple[int, list[str]]]:
    """The rows with their numbers (the header is row 1); a row csv cannot read ends it."""
    number = 1
    while True:
        number += 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error:
            feed.problem(
                number,
                "",
                CellRefused(
                    "a cell longer than {limit} characters or not CSV; the rest was not read",
                    limit=CELL_LIMIT,
                ),
            )
            return
        if raw:
            yield number, raw


def _point_key(kind: ContactKind, value: str) -> str:
    """What makes two contact points of a borrower the same: the number, or the address."""
    return value.casefold() if kind is ContactKind.EMAIL else value


# -- what the database holds of what the file names ------------------------------------------


class _KnownBorrower(NamedTuple):
    id: uuid.UUID
    name: str
    date_of_birth: date
    country: str
    province: str
    city: str
    district: str
    street: str
    employer: str | None


class _KnownLoan(NamedTuple):
    id: uuid.UUID
    id_number: str
    status: LoanStatus
    closed_on: date | None
    product: str
    principal: Decimal
    annual_rate: Decimal
    penalty_rate_daily: Decimal
    term_months: int
    disbursed_on: date


class _KnownLine(NamedTuple):
    terms: tuple[date, Decimal, Decimal, Decimal]  # due date, principal, interest, fees
    paid: Decimal  # of every part, penalty included
    settled: bool


class _KnownPayment(NamedTuple):
    id: uuid.UUID
    contract_no: str
    amount: Decimal
    paid_at: datetime
    reversal_id: str | None


@dataclass
class _Known:
    borrowers: dict[str, _KnownBorrower]
    # Each borrower's contact points (as _point_key), and the next position after them.
    points: dict[str, set[str]]
    next_position: dict[str, int]
    loans: dict[str, _KnownLoan]
    # Of the schedules the file names: the lines it names, and how many each has.
    schedules: dict[uuid.UUID, dict[int, _KnownLine]]
    lengths: dict[uuid.UUID, int]
    payments: dict[str, _KnownPayment]  # by the lending system's payment id
    reversal_ids: dict[str, str]  # a reversal id → the payment id it reversed
    users: dict[str, tuple[uuid.UUID, Role, bool, uuid.UUID | None]]
    # The teams by name: a new account nobody is assigned to waits in its team's pool.
    teams: dict[str, uuid.UUID]

    @classmethod
    def load(cls, session: Session, feed: _Feed) -> _Known:
        connection = session.connection()
        text = String()
        ids = set(feed.borrowers) | {row["id_number"] for _, row in feed.contacts}
        ids |= {row["id_number"] for _, row in feed.loans.values() if "id_number" in row}
        borrowers: dict[str, _KnownBorrower] = {}
        borrower_ids: dict[uuid.UUID, str] = {}
        with key_set(connection, ids, text) as among:
            for found in connection.execute(
                select(
                    _BORROWERS.c.id_number,
                    _BORROWERS.c.id,
                    _BORROWERS.c.name,
                    _BORROWERS.c.date_of_birth,
                    _BORROWERS.c.country,
                    _BORROWERS.c.province,
                    _BORROWERS.c.city,
                    _BORROWERS.c.district,
                    _BORROWERS.c.street,
                    _BORROWERS.c.employer,
                ).where(among(_BORROWERS.c.id_number))
            ):
                borrowers[found[0]] = _KnownBorrower._make(found[1:])
                borrower_ids[found[1]] = found[0]
        points: dict[str, set[str]] = defaultdict(set)
        next_position: dict[str, int] = {}
        with_points = {
            borrowers[row["id_number"]].id
            for _, row in feed.contacts
            if row["id_number"] in borrowers
        }
        with key_set(connection, with_points) as among:
            for borrower_id, kind, value, position in connection.execute(
                select(
                    _POINTS.c.borrower_id, _POINTS.c.kind, _POINTS.c.value, _POINTS.c.position
                ).where(among(_POINTS.c.borrower_id))
            ):
                id_number = borrower_ids[borrower_id]
                points[id_number].add(_point_key(ContactKind(kind), value))
                next_position[id_number] = max(next_position.get(id_number, 0), position + 1)
        contracts = set(feed.loans) | set(feed.instalments) | set(feed.closures)
        contracts |= {payment.contract_no for payment in feed.payments.values()}
        contracts |= {reversal.contract_no for reversal in feed.reversals.values()}
        loans: dict[str, _KnownLoan] = {}
        with key_set(connection, contracts, text) as among:
            for found in connection.execute(
                select(
                    _LOANS.c.contract_no,
                    _LOANS.c.id,
                    _BORROWERS.c.id_number,
                    _LOANS.c.status,
                    _LOANS.c.closed_on,
                    _LOANS.c.product,
                    _LOANS.c.principal,
                    _LOANS.c.annual_rate,
                    _LOANS.c.penalty_rate_daily,
                    _LOANS.c.term_months,
                    _LOANS.c.disbursed_on,
                )
                .join(_BORROWERS, _BORROWERS.c.id == _LOANS.c.borrower_id)
                .where(among(_LOANS.c.contract_no))
            ):
                loans[found[0]] = _KnownLoan(found[1], found[2], LoanStatus(found[3]), *found[4:])
        schedules: dict[uuid.UUID, dict[int, _KnownLine]] = defaultdict(dict)
        # Of the schedules the file changes: how many instalments each has, and the lines it
        # names as they stand.
        lengths: dict[uuid.UUID, int] = {}
        named = [
            (loans[contract].id, seq)
            for contract, lines in feed.instalments.items()
            if contract in loans
            for seq in lines
        ]
        i = _INSTALMENTS.c
        with key_set(connection, {loan_id for loan_id, _ in named}) as among:
            for loan_id, count in connection.execute(
                select(i.loan_id, func.count()).where(among(i.loan_id)).group_by(i.loan_id)
            ):
                lengths[loan_id] = count
        pairs: list[tuple[str, TypeEngine[Any]]] = [("loan_id", Uuid()), ("seq", Integer())]
        with staged(connection, pairs, named) as wanted:
            for loan_id, seq, due, principal, interest, fees, paid, settled in connection.execute(
                select(
                    i.loan_id,
                    i.seq,
                    i.due_date,
                    i.principal_due,
                    i.interest_due,
                    i.fees_due,
                    i.principal_paid + i.interest_paid + i.fees_paid + i.penalty_paid,
                    i.settled_on.is_not(None),
                ).join(wanted, and_(wanted.c.loan_id == i.loan_id, wanted.c.seq == i.seq))
            ):
                schedules[loan_id][seq] = _KnownLine(
                    (due, principal, interest, fees), paid, bool(settled)
                )
        payment_ids = set(feed.payments) | set(feed.reversals)
        payments: dict[str, _KnownPayment] = {}
        reversal_ids: dict[str, str] = {}
        with key_set(connection, payment_ids, text) as among:
            for paid in connection.execute(
                select(
                    _PAYMENTS.c.source_id,
                    _PAYMENTS.c.id,
                    _LOANS.c.contract_no,
                    _PAYMENTS.c.amount,
                    _PAYMENTS.c.paid_at,
                    _PAYMENTS.c.reversal_id,
                )
                .join(_LOANS, _LOANS.c.id == _PAYMENTS.c.loan_id)
                .where(among(_PAYMENTS.c.source_id))
            ):
                payments[paid[0]] = _KnownPayment._make(paid[1:])
        with key_set(connection, feed.reversal_ids, text) as among:
            for reversal_id, source_id in connection.execute(
                select(_PAYMENTS.c.reversal_id, _PAYMENTS.c.source_id).where(
                    among(_PAYMENTS.c.reversal_id)
                )
            ):
                reversal_ids[reversal_id] = source_id
        users = {
            username: (user_id, Role(role), active, team_id)
            for username, user_id, role, active, team_id in connection.execute(
                select(User.username, User.id, User.role, User.active, User.team_id)
            )
        }
        teams = {name: team_id for name, team_id in connection.execute(select(Team.name, Team.id))}
        return cls(
            borrowers,
            points,
            next_position,
            loans,
            schedules,
            lengths,
            payments,
            reversal_ids,
            users,
            teams,
        )


@dataclass
class _Plan:
    """What applying the file writes, worked out against the database."""

    new_borrowers: dict[str, dict[str, str]] = field(default_factory=dict)
    changed_borrowers: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)
    moved_country: int = 0
    points: dict[str, set[str]] = field(default_factory=dict)
    new_points: list[tuple[str, dict[str, str], ContactKind, str, PhoneNumber | None]] = field(
        default_factory=list
    )
    known_points: int = 0
    new_loans: dict[str, dict[str, str]] = field(default_factory=dict)
    changed_lines: list[tuple[uuid.UUID, int, _Line]] = field(default_factory=list)
    added_lines: list[tuple[uuid.UUID, int, _Line]] = field(default_factory=list)
    # Loans replayed from their schedule (new lines, or a change payments reached), and every
    # loan whose schedule changed.
    replay: set[uuid.UUID] = field(default_factory=set)
    schedules_changed: set[uuid.UUID] = field(default_factory=set)
    payments: list[str] = field(default_factory=list)
    known_payments: int = 0
    reversals: list[str] = field(default_factory=list)
    known_reversals: int = 0
    closures: list[str] = field(default_factory=list)
