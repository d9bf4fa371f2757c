"""The compliance profiles' retention, carried out (docs/retention.md).

A borrower's personal data is kept while any of their accounts is open, and for the
retention period of their profile (`retention_years`, CN 5) after the last of them closed;
from the anniversary of that day on, `run_retention` removes it (app.services.common.erasure),
unless a matter is still open on one of their accounts.

- **Closed** is a loan's status, settled or written off. Its closure day is the day the
  lending system closed it (`loans.closed_on`); for a loan settled by its payments alone, the
  day its last instalment was settled (else the day of its last payment). A written-off loan
  without a closure day, or any closed loan whose day cannot be told, keeps the borrower
  (listed, for the privacy officer to settle with the lending system).
- **The unit is the borrower**: their name, numbers and address serve every account of
  theirs, so nothing goes while one of them is open (an account reopened is open again) or
  within retention (a later account keeps the earlier ones until it is past retention too).
- **The boundary**: an account closed on day D is kept through the day before D + N years
  and erased from D + N years on (29 February + N years, in a year without one: 1 March, so
  never less than N full years).
- **Open matters keep it**: a dispute or a legal referral on the borrower, a promise still
  pending, a plan still open, an escalation not yet decided, a visit still planned.

Each batch of borrowers is erased in one transaction with its audit event (the accounts, what
was removed, counts only): a run stopped half-way leaves every borrower either untouched or
erased, and the next run goes on. PDFs on record are deleted after their batch commits, and
their records then; a file left by a stopped run is found by the next. A dry run reads only.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import aliased

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    Escalation,
    FieldVisit,
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    VisitStatus,
)
from app.models.types import utcnow
from app.services.common.clock import local_today
from app.services.common.erasure import (
    DocumentRecord,
    FilesRemoved,
    erase,
    forget_documents,
    remove_files,
)
from app.services.common.errors import InvalidInput
from app.services.contact.compliance import profile_for
from app.services.plans.lifecycle import OPEN as OPEN_PLANS

CLOSED = (LoanStatus.SETTLED, LoanStatus.WRITTEN_OFF)
# Borrowers erased in one transaction.
BATCH = 200
# Why a borrower past retention is kept (codes, as the report and the audit give them).
HOLDS = ("dispute_open", "legal_referral", "promise", "plan", "escalation", "visit")
UNKNOWN_CLOSURE = "closure_day_unknown"


def anniversary(day: date, years: int) -> date:
    """`day` plus `years` years: the first day past retention. 29 February goes to 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class Candidate:
    """A borrower whose every account is closed, and where retention stands for them."""

    borrower_id: uuid.UUID
    contracts: tuple[str, ...]
    profile: str
    retention_years: int
    # The last of their accounts' closure days; None when one of them cannot be told.
    closed_on: date | None
    holds: tuple[str, ...]
    erased_at: datetime | None

    @property
    def erasable_from(self) -> date | None:
        if self.closed_on is None:
            return None
        return anniversary(self.closed_on, self.retention_years)

    def past(self, as_of: date) -> bool:
        erasable = self.erasable_from
        return erasable is not None and as_of >= erasable

    def due(self, as_of: date) -> bool:
        return self.past(as_of) and not self.holds


@dataclass(frozen=True)
class Erased:
    """A borrower whose personal data went (or, in a dry run, would go)."""

    contracts: tuple[str, ...]
    closed_on: date
    profile: str
    retention_years: int
    # Erased before, and this run found what arrived since (or a file left behind).
    again: bool


@dataclass(frozen=True)
class Kept:
    """A borrower past retention, or whose closure cannot be told, kept: and why."""

    contracts: tuple[str, ...]
    closed_on: date | None
    profile: str
    retention_years: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RetentionReport:
    as_of: date
    dry_run: bool
    erased: tuple[Erased, ...]
    kept: tuple[Kept, ...]
    # Borrowers whose accounts are all closed, still within retention.
    within: int
    # What went (would go), by "table.column" or table: counts, never the values.
    removed: dict[str, int]
    # PDFs on record for the erased accounts (a dry run: how many would be deleted).
    files: FilesRemoved
    run_id: uuid.UUID | None = None
    accounts: int = field(default=0)


def run_retention(
    db: Database,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    now: datetime | None = None,
) -> RetentionReport:
    """Erase the personal data of the borrowers past retention as of `as_of` (default: the
    business day of `now`), or with `dry_run` list what would go and change nothing.

    A run may look back (`as_of` earlier than today erases less) but only a dry run may look
    ahead: nothing is erased before its day. batch: borrowers erased per transaction.
    """
    if batch < 1:
        raise InvalidInput("A batch holds at least one borrower, not {batch}.", batch=batch)
    now = now or utcnow()
    today = local_today(now)
    as_of = as_of or today
    if as_of > today and not dry_run:
        raise InvalidInput(
            "A retention run erases what is past retention on {today} or an earlier day, not"
            " on {day}; to see what {day} would bring, add --dry-run.",
            today=today.isoformat(),
            day=as_of.isoformat(),
        )
    with db.engine.connect() as connection:
        candidates = _candidates(connection, as_of)
        due = [c for c in candidates if c.due(as_of)]
        fresh = [c for c in due if c.erased_at is None]
        # Erased before: only those a record arrived for since (or a file was left).
        again = _leftovers(connection, [c for c in due if c.erased_at is not None], now, batch)
        connection.rollback()
    kept = tuple(
        sorted(
            (
                Kept(
                    c.contracts,
                    c.closed_on,
                    c.profile,
                    c.retention_years,
                    (*c.holds, *((UNKNOWN_CLOSURE,) if c.closed_on is None else ())),
                )
                for c in candidates
                if c.erased_at is None and (c.closed_on is None or (c.past(as_of) and c.holds))
            ),
            key=_by_contract,
        )
    )
    within = sum(1 for c in candidates if c.closed_on is not None and not c.past(as_of))
    work = [*fresh, *again]
    if dry_run:
        return _dry_run(db, _batches(work, batch), as_of, now, kept, within)
    return _erase_all(db, _batches(work, batch), as_of, now, kept, within)


def _dry_run(
    db: Database,
    batches: Sequence[Sequence[Candidate]],
    as_of: date,
    now: datetime,
    kept: tuple[Kept, ...],
    within: int,
) -> RetentionReport:
    removed: Counter[str] = Counter()
    documents: list[DocumentRecord] = []
    with db.engine.connect() as connection:
        for batch in batches:
            erasure = erase(connection, [c.borrower_id for c in batch], at=now, count_only=True)
            removed.update(erasure.removed)
            documents += erasure.documents
        connection.rollback()
    files = FilesRemoved(len({(d.path, d.sha256) for d in documents}), 0, 0)
    return RetentionReport(
        as_of,
        True,
        tuple(sorted((_erased(c) for batch in batches for c in batch), key=_by_contract)),
        kept,
        within,
        dict(sorted(removed.items())),
        files,
        accounts=sum(len(c.contracts) for batch in batches for c in batch),
    )


def _erase_all(
    db: Database,
    batches: Sequence[Sequence[Candidate]],
    as_of: date,
    now: datetime,
    kept: tuple[Kept, ...],
    within: int,
) -> RetentionReport:
    run_id = uuid.uuid4()
    removed: Counter[str] = Counter()
    files = FilesRemoved(0, 0, 0)
    erased: list[Erased] = []
    for batch in batches:
        wanted = {c.borrower_id for c in batch}
        with db.engine.begin() as connection:
            _lock(connection, wanted)
            # Under the lock, as things are now: a matter opened since the list was read
            # keeps its borrower.
            now_due = [c for c in _candidates(connection, as_of, among=wanted) if c.due(as_of)]
            if not now_due:
                continue
            erasure = erase(connection, [c.borrower_id for c in now_due], at=now)
            if not erasure.anything:
                continue
            done = [_erased(c) for c in now_due]
            _audit(
                connection,
                now,
                "retention.erased",
                run_id,
                {
                    "as_of": as_of.isoformat(),
                    "contracts": [number for item in done for number in item.contracts],
                    "removed": dict(sorted(erasure.removed.items())),
                    "files": len({(d.path, d.sha256) for d in erasure.documents}),
                },
            )
        erased += done
        removed.update(erasure.removed)
        files = _plus(files, _remove_documents(db, erasure.documents))
    report = RetentionReport(
        as_of,
        False,
        tuple(sorted(erased, key=_by_contract)),
        kept,
        within,
        dict(sorted(removed.items())),
        files,
        run_id if erased else None,
        sum(len(item.contracts) for item in erased),
    )
    if not erased:
        # Nothing went: a run with nothing to do writes nothing (its log is the
        # scheduler's).
        return report
    with db.engine.begin() as connection:
        _audit(
            connection,
            now,
            "retention.run",
            run_id,
            {
                "as_of": as_of.isoformat(),
                "borrowers": len(erased),
                "accounts": report.accounts,
                "kept": len(kept),
                "within": within,
                "removed": report.removed,
                "files": {"deleted": files.deleted, "changed": files.changed},
            },
        )
    return report


def _erased(candidate: Candidate) -> Erased:
    assert candidate.closed_on is not None
    return Erased(
        candidate.contracts,
        candidate.closed_on,
        candidate.profile,
        candidate.retention_years,
        candidate.erased_at is not None,
    )


def _by_contract(item: Erased | Kept) -> tuple[str, ...]:
    return item.contracts


def _batches(work: Sequence[Candidate], size: int) -> list[Sequence[Candidate]]:
    return [work[start : start + size] for start in range(0, len(work), size)]


def _plus(a: FilesRemoved, b: FilesRemoved) -> FilesRemoved:
    return FilesRemoved(a.deleted + b.deleted, a.changed + b.changed, a.missing + b.missing)


def _lock(connection: Connection, borrowers: set[uuid.UUID]) -> None:
    """Hold the batch's borrowers (SQLite: the whole database) until the batch commits."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.execute(
        select(Borrower.id).where(Borrower.id.in_(sorted(borrowers))).with_for_update()
    )


def _remove_documents(db: Database, documents: Sequence[DocumentRecord]) -> FilesRemoved:
    if not documents:
        return FilesRemoved(0, 0, 0)
    done = remove_files(documents)
    with db.engine.begin() as connection:
        forget_documents(connection, documents)
    return done


def _leftovers(
    connection: Connection, erased: Sequence[Candidate], now: datetime, size: int
) -> list[Candidate]:
    """Of the borrowers erased before, those with personal data again: a record a
    workstation sent after the erasure, or a PDF a stopped run left. Asked batch by batch,
    and borrower by borrower only where a batch has any."""
    found = []
    for batch in _batches(erased, size):
        ids = [c.borrower_id for c in batch]
        if not erase(connection, ids, at=now, count_only=True).anything:
            continue
        found += [
            c for c in batch if erase(connection, [c.borrower_id], at=now, count_only=True).anything
        ]
    return found


def _audit(
    connection: Connection,
    now: datetime,
    action: str,
    run_id: uuid.UUID,
    details: dict[str, Any],
) -> None:
    """The job's own record: the system's (no user), never a value that was removed."""
    connection.execute(
        insert(AuditEvent).values(
            id=uuid.uuid4(),
            at=now,
            user_id=None,
            action=action,
            entity="retention",
            entity_id=str(run_id),
            details=details,
        )
    )


def _candidates(
    connection: Connection, as_of: date, among: set[uuid.UUID] | None = None
) -> list[Candidate]:
    """Every borrower with at least one account and none open, with their accounts' closure
    and what is still open on them."""
    other = aliased(Loan)
    none_open = ~(
        select(other.id)
        .where(other.borrower_id == Loan.borrower_id, other.status.not_in(CLOSED))
        .exists()
    )
    last_settled = (
        select(func.max(Instalment.settled_on))
        .where(Instalment.loan_id == Loan.id)
        .scalar_subquery()
    )
    last_paid = (
        select(func.max(Payment.paid_at)).where(Payment.loan_id == Loan.id).scalar_subquery()
    )
    query = (
        select(
            Borrower.id,
            Borrower.country,
            Borrower.erased_at,
            Borrower.dispute_open,
            Borrower.legal_referral,
            Loan.id.label("loan_id"),
            Loan.contract_no,
            Loan.status,
            Loan.closed_on,
            last_settled.label("settled_on"),
            last_paid.label("paid_at"),
        )
        .join(Loan, Loan.borrower_id == Borrower.id)
        .where(none_open)
        .order_by(Borrower.id, Loan.contract_no)
    )
    if among is not None:
        query = query.where(Borrower.id.in_(sorted(among)))
    rows = connection.execute(query).all()
    closed_loans = select(Loan.id).where(none_open)
    if among is not None:
        closed_loans = closed_loans.where(Loan.borrower_id.in_(sorted(among)))
    matters: dict[uuid.UUID, set[str]] = {}
    for reason, loan_column, condition in (
        ("promise", PromiseToPay.loan_id, PromiseToPay.status == PromiseStatus.PENDING),
        ("plan", RepaymentPlan.loan_id, RepaymentPlan.status.in_(OPEN_PLANS)),
        ("escalation", Escalation.loan_id, Escalation.decision.is_(None)),
        ("visit", FieldVisit.loan_id, FieldVisit.status == VisitStatus.PLANNED),
    ):
        for loan_id in connection.execute(
            select(loan_column).where(condition, loan_column.in_(closed_loans)).distinct()
        ).scalars():
            matters.setdefault(loan_id, set()).add(reason)
    by_borrower: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        by_borrower.setdefault(row.id, []).append(row)
    found = []
    for borrower_id, loans in by_borrower.items():
        first = loans[0]
        profile = profile_for(first.country)
        holds = {flag for flag in ("dispute_open", "legal_referral") if getattr(first, flag)}
        for loan in loans:
            holds |= matters.get(loan.loan_id, set())
        days = [_closure_day(loan) for loan in loans]
        known = [day for day in days if day is not None]
        found.append(
            Candidate(
                borrower_id=borrower_id,
                contracts=tuple(loan.contract_no for loan in loans),
                profile=profile.code,
                retention_years=profile.retention_years,
                closed_on=max(known) if len(known) == len(days) else None,
                holds=tuple(reason for reason in HOLDS if reason in holds),
                erased_at=first.erased_at,
            )
        )
    return found


def _closure_day(loan: Any) -> date | None:
    """The day an account closed: the lending system's, else the day its payments settled
    it; None when it cannot be told."""
    if loan.closed_on is not None:
        closed: date = loan.closed_on
        return closed
    if loan.status is LoanStatus.SETTLED:
        if loan.settled_on is not None:
            settled: date = loan.settled_on
            return settled
        if loan.paid_at is not None:
            return local_today(loan.paid_at)
    return None
