"""The auditor's export: for one account, or every account with activity in a span of days,
what a regulator asks to see of collection's conduct (README, "Legal").

- contacts: each contact attempt, its time in UTC and in the borrower's local time (the zone
  of the number, else of the address: the zone the contact rules judged it in), channel, who,
  outcome, checklist and script path;
- rule_decisions: what the contact rules decided and why: for a contact recorded, "allowed"
  with the rules of the borrower's profile that applied to its channel (a contact they refuse
  is never recorded); for a dial the rules stopped, "refused" with the rule, its text and its
  legal source;
- blocks: the dials (and contacts being logged) the rules stopped;
- escalations: what was escalated to a team lead, and how it was handled (acknowledged, the
  decision, its note);
- complaints: each complaint, its channel, category, the collector concerned, when it was
  received (UTC and the borrower's time), its deadline and the lender's reply;
- disputes: each dispute case, its kind, the borrower's claim, its deadline and the lead's
  decision with its reasons or the correction expected.

Each table is a CSV file and a sheet of one XLSX workbook; `manifest.json` lists every file
with its SHA-256 and rows. Cells that a spreadsheet would
run as a formula are written as text (`export_tables.as_text`). Third parties are named by
relation, a number by its last four digits: the export shows conduct, not contact details.

Only a team lead (the team's accounts) or an administrator exports; on the central server the
reads run as the signed-in login under row-level security anyway. Writing an export is an audit
event (`audit_export.written`, with each file's SHA-256) in the same transaction as nothing
else: no event without its files, no files without their event.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    Borrower,
    Complaint,
    ContactAttempt,
    ContactBlock,
    ContactKind,
    ContactPoint,
    DisputeCase,
    Escalation,
    Loan,
    Role,
    User,
)
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.clock import day_start
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed
from app.services.common.scope import find_user, worker_ids
from app.services.contact.compliance import Profile, load_profile, profile_code_for
from app.services.legal.export_tables import Section, csv_bytes, xlsx_bytes
from app.services.legal.package import (
    WRITERS,
    PackageFile,
    contact_zone,
    place_staged,
    remove_staged,
    stage_files,
)
from app.services.portfolio.accounts import load_loan
from app.services.portfolio.addresses import borrower_address_zones

MANIFEST = "manifest.json"
WORKBOOK = "audit_export.xlsx"
# The longest span one export covers (a year and a day: a leap year's whole).
LONGEST_SPAN = timedelta(days=366)


@dataclass(frozen=True)
class AuditExport:
    path: Path
    scope: str
    accounts: int
    written_at: datetime
    files: tuple[PackageFile, ...]


def export_for_audit(
    db: Database,
    username: str,
    out: Path,
    *,
    contract_no: str | None = None,
    span: tuple[date, date] | None = None,
    now: datetime | None = None,
) -> AuditExport:
    """Write the export of one account (`contract_no`) or of a span of days (`span`, both days
    included, in the lender's zone) into the new folder `out`, and put it on record."""
    if (contract_no is None) == (span is None):
        raise InvalidInput("Give either one account's contract number or a span of days.")
    now = (now or clock.now()).astimezone(UTC)
    if span is not None:
        _check_span(*span, today=clock.local_today(now))
    _check_folder(out)
    staged: Path | None = None
    try:
        with db.session() as session:
            user = find_user(session, username)
            if user.role not in WRITERS:
                raise NotAllowed("Only a team lead or an administrator exports for an audit.")
            if contract_no is not None:
                loan = load_loan(session, contract_no)
                _check_scope(session, user, loan)
                loans = [loan]
                window: tuple[datetime, datetime] | None = None
                scope = f"contract {loan.contract_no}"
            else:
                assert span is not None
                window = (day_start(span[0]), day_start(span[1] + timedelta(days=1)))
                loans = _loans_with_activity(session, user, window)
                scope = f"{span[0].isoformat()} to {span[1].isoformat()}"
            sections = gather(session, loans, window)
            files = {f"{section.name}.csv": csv_bytes(section) for section in sections}
            files[WORKBOOK] = xlsx_bytes(sections)
            rows = {f"{section.name}.csv": len(section.rows) for section in sections}
            files[MANIFEST] = _manifest(user, scope, len(loans), now, files, sections)
            staged = stage_files(out, files, as_zip=False)
            listed = tuple(
                PackageFile(name, hashlib.sha256(data).hexdigest(), rows.get(name))
                for name, data in files.items()
            )
            details: dict[str, Any] = {
                "scope": scope,
                "accounts": len(loans),
                "files": {f.name: f.sha256 for f in listed},
            }
            if contract_no is not None:
                audit(
                    session, "audit_export.written", "loan", loans[0].id, details, user_id=user.id
                )
            else:
                entity_id = scope.replace(" to ", "..")
                audit(
                    session,
                    "audit_export.written",
                    "audit_export",
                    entity_id,
                    details,
                    user_id=user.id,
                )
    except BaseException:
        if staged is not None:
            remove_staged(staged)
        raise
    assert staged is not None
    place_staged(staged, out)
    return AuditExport(out, scope, len(loans), now, listed)


def _check_span(start: date, end: date, *, today: date) -> None:
    if start > today:
        raise InvalidDate(
            "The span starts on {start}, after today ({today}).",
            start=start.isoformat(),
            today=today.isoformat(),
        )
    if end < start:
        raise InvalidDate(
            "The span ends ({end}) before it starts ({start}).",
            start=start.isoformat(),
            end=end.isoformat(),
        )
    if end - start >= LONGEST_SPAN:
        raise InvalidDate(
            "One export covers at most {days} days; split the span from {start} to {end}.",
            days=LONGEST_SPAN.days,
            start=start.isoformat(),
            end=end.isoformat(),
        )


def _check_folder(out: Path) -> None:
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput("The folder {folder} does not exist.", folder=str(folder))
    if out.exists() or out.is_symlink():
        raise InvalidInput(
            "{path} already exists; an export is written to a new folder.", path=str(out)
        )
    if not os.access(folder, os.W_OK):
        raise InvalidInput("Cannot write into {folder}.", folder=str(folder))


def _check_scope(session: Session, user: User, loan: Loan) -> None:
    from app.services.legal.package import _check_scope as package_scope

    package_scope(session, user, loan)


def _visible(session: Session, user: User) -> ColumnElement[bool] | None:
    """The accounts `user` exports: a lead's team's (assigned to a member, or in its pool);
    None: every account (an administrator)."""
    if user.role is Role.ADMIN:
        return None
    return or_(
        Loan.assigned_to_id.in_(worker_ids(session, user)),
        (Loan.assigned_to_id.is_(None)) & (Loan.team_id == user.team_id),
    )


def _loans_with_activity(
    session: Session, user: User, window: tuple[datetime, datetime]
) -> list[Loan]:
    lo, hi = window
    active = (
        select(ContactAttempt.loan_id).where(
            ContactAttempt.started_at >= lo, ContactAttempt.started_at < hi
        )
    ).union(
        select(ContactBlock.loan_id).where(ContactBlock.at >= lo, ContactBlock.at < hi),
        select(Escalation.loan_id).where(Escalation.raised_at >= lo, Escalation.raised_at < hi),
        select(Escalation.loan_id).where(Escalation.decided_at >= lo, Escalation.decided_at < hi),
        select(Complaint.loan_id).where(Complaint.received_at >= lo, Complaint.received_at < hi),
        select(Complaint.loan_id).where(Complaint.replied_at >= lo, Complaint.replied_at < hi),
        select(DisputeCase.loan_id).where(DisputeCase.opened_at >= lo, DisputeCase.opened_at < hi),
        select(DisputeCase.loan_id).where(
            DisputeCase.decided_at >= lo, DisputeCase.decided_at < hi
        ),
    )
    query = select(Loan).where(Loan.id.in_(active))
    visible = _visible(session, user)
    if visible is not None:
        query = query.where(visible)
    return list(session.scalars(query.order_by(Loan.contract_no)))


@dataclass(frozen=True)
class _Account:
    loan: Loan
    borrower: Borrower
    profile: Profile
    address_zone: str
    points: dict[uuid.UUID, ContactPoint]


def gather(
    session: Session, loans: Sequence[Loan], window: tuple[datetime, datetime] | None
) -> tuple[Section, ...]:
    """The export's tables for `loans` (within `window`, when given)."""
    accounts = _accounts(session, loans)
    names = {row.id: row.username for row in session.execute(select(User.id, User.username))}
    contacts: list[tuple[datetime, tuple[str, ...]]] = []
    decisions: list[tuple[datetime, tuple[str, ...]]] = []
    blocks: list[tuple[datetime, tuple[str, ...]]] = []
    escalations: list[tuple[datetime, tuple[str, ...]]] = []
    complaints: list[tuple[datetime, tuple[str, ...]]] = []
    disputes: list[tuple[datetime, tuple[str, ...]]] = []
    for chunk in _chunks(list(accounts), 500):
        for attempt in session.scalars(
            _within(
                select(ContactAttempt).where(ContactAttempt.loan_id.in_(chunk)),
                ContactAttempt.started_at,
                window,
            )
        ):
            account = accounts[attempt.loan_id]
            point = (
                account.points.get(attempt.contact_point_id) if attempt.contact_point_id else None
            )
            zone = contact_zone(point, account.address_zone)
            channel = attempt.channel.value
            contacts.append(
                (
                    attempt.started_at,
                    (
                        account.loan.contract_no,
                        str(attempt.id),
                        _utc(attempt.started_at),
                        _local(attempt.started_at, zone),
                        zone,
                        channel,
                        names.get(attempt.user_id, ""),
                        _point(point),
                        attempt.disposition,
                        "yes" if attempt.right_party else "no",
                        str(attempt.duration_seconds),
                        ", ".join(attempt.checklist or ()),
                        " > ".join(
                            part
                            for part in (attempt.script_stage, *(attempt.script_steps or ()))
                            if part
                        ),
                    ),
                )
            )
            checked = [rule for rule in account.profile.rules if channel in rule.channels]
            decisions.append(
                (
                    attempt.started_at,
                    (
                        account.loan.contract_no,
                        _utc(attempt.started_at),
                        _local(attempt.started_at, zone),
                        zone,
                        channel,
                        names.get(attempt.user_id, ""),
                        "allowed",
                        account.profile.code,
                        ", ".join(rule.id for rule in checked),
                        "every rule that applies to the channel allowed it",
                        "; ".join(sorted({rule.source for rule in checked})),
                        str(attempt.id),
                    ),
                )
            )
        for block in session.scalars(
            _within(
                select(ContactBlock).where(ContactBlock.loan_id.in_(chunk)), ContactBlock.at, window
            )
        ):
            account = accounts[block.loan_id]
            point = account.points.get(block.contact_point_id) if block.contact_point_id else None
            zone = contact_zone(point, account.address_zone)
            text, source = _rule_words(account.profile, block.rule)
            row = (
                account.loan.contract_no,
                _utc(block.at),
                _local(block.at, zone),
                zone,
                block.channel,
                names.get(block.user_id, ""),
            )
            blocks.append((block.at, (*row, _point(point), block.rule, text, str(block.id))))
            decisions.append(
                (
                    block.at,
                    (
                        *row,
                        "refused",
                        account.profile.code,
                        block.rule,
                        text,
                        source,
                        str(block.id),
                    ),
                )
            )
        for escalation in session.scalars(
            _within_either(
                select(Escalation).where(Escalation.loan_id.in_(chunk)),
                (Escalation.raised_at, Escalation.decided_at),
                window,
            )
        ):
            account = accounts[escalation.loan_id]
            escalations.append(
                (
                    escalation.raised_at,
                    (
                        account.loan.contract_no,
                        str(escalation.id),
                        escalation.kind,
                        _utc(escalation.raised_at),
                        names.get(escalation.raised_by_id, ""),
                        _utc(escalation.acknowledged_at),
                        names.get(escalation.acknowledged_by_id, "")
                        if escalation.acknowledged_by_id
                        else "",
                        escalation.decision.value if escalation.decision else "open",
                        _utc(escalation.decided_at),
                        escalation.note or "",
                        str(escalation.attempt_id or ""),
                    ),
                )
            )
        for complaint in session.scalars(
            _within_either(
                select(Complaint).where(Complaint.loan_id.in_(chunk)),
                (Complaint.received_at, Complaint.replied_at),
                window,
            )
        ):
            account = accounts[complaint.loan_id]
            complaints.append(
                (
                    complaint.received_at,
                    (
                        account.loan.contract_no,
                        str(complaint.id),
                        complaint.channel,
                        complaint.category,
                        complaint.reference or "",
                        names.get(complaint.collector_id, "") if complaint.collector_id else "",
                        complaint.summary,
                        _utc(complaint.received_at),
                        _local(complaint.received_at, account.address_zone),
                        account.address_zone,
                        names.get(complaint.logged_by_id, ""),
                        complaint.due_on.isoformat(),
                        complaint.reply or "",
                        names.get(complaint.replied_by_id, "") if complaint.replied_by_id else "",
                        _utc(complaint.replied_at),
                    ),
                )
            )
        for case in session.scalars(
            _within_either(
                select(DisputeCase).where(DisputeCase.loan_id.in_(chunk)),
                (DisputeCase.opened_at, DisputeCase.decided_at),
                window,
            )
        ):
            account = accounts[case.loan_id]
            disputes.append(
                (
                    case.opened_at,
                    (
                        account.loan.contract_no,
                        str(case.id),
                        case.kind,
                        case.claim,
                        str(case.claimed_amount) if case.claimed_amount is not None else "",
                        case.claimed_paid_on.isoformat() if case.claimed_paid_on else "",
                        case.claimed_reference or "",
                        str(case.attempt_id),
                        names.get(case.opened_by_id, ""),
                        _utc(case.opened_at),
                        case.due_on.isoformat(),
                        case.decision or "open",
                        names.get(case.decided_by_id, "") if case.decided_by_id else "",
                        _utc(case.decided_at),
                        case.reasons or "",
                        case.correction or "",
                    ),
                )
            )
    return (
        Section(
            "contacts",
            (
                "contract_no",
                "attempt_id",
                "at_utc",
                "at_borrower_time",
                "zone",
                "channel",
                "by",
                "contact_point",
                "outcome",
                "right_party",
                "seconds",
                "checklist",
                "script_path",
            ),
            _ordered(contacts),
        ),
        Section(
            "rule_decisions",
            (
                "contract_no",
                "at_utc",
                "at_borrower_time",
                "zone",
                "channel",
                "by",
                "decision",
                "profile",
                "rules",
                "why",
                "source",
                "record_id",
            ),
            _ordered(decisions),
        ),
        Section(
            "blocks",
            (
                "contract_no",
                "at_utc",
                "at_borrower_time",
                "zone",
                "channel",
                "by",
                "contact_point",
                "rule",
                "rule_text",
                "block_id",
            ),
            _ordered(blocks),
        ),
        Section(
            "escalations",
            (
                "contract_no",
                "escalation_id",
                "kind",
                "raised_at_utc",
                "raised_by",
                "acknowledged_at_utc",
                "acknowledged_by",
                "decision",
                "decided_at_utc",
                "note",
                "attempt_id",
            ),
            _ordered(escalations),
        ),
        Section(
            "complaints",
            (
                "contract_no",
                "complaint_id",
                "channel",
                "category",
                "reference",
                "collector",
                "summary",
                "received_at_utc",
                "received_at_borrower_time",
                "zone",
                "logged_by",
                "due_on",
                "reply",
                "replied_by",
                "replied_at_utc",
            ),
            _ordered(complaints),
        ),
        Section(
            "disputes",
            (
                "contract_no",
                "dispute_id",
                "kind",
                "claim",
                "claimed_amount",
                "claimed_paid_on",
                "claimed_reference",
                "attempt_id",
                "opened_by",
                "opened_at_utc",
                "due_on",
                "decision",
                "decided_by",
                "decided_at_utc",
                "reasons",
                "correction",
            ),
            _ordered(disputes),
        ),
    )


def _accounts(session: Session, loans: Sequence[Loan]) -> dict[uuid.UUID, _Account]:
    borrowers = {}
    points: dict[uuid.UUID, list[ContactPoint]] = {}
    ids = list({loan.borrower_id for loan in loans})
    for chunk in _chunks(ids, 500):
        for borrower in session.scalars(select(Borrower).where(Borrower.id.in_(chunk))):
            borrowers[borrower.id] = borrower
        for point in session.scalars(
            select(ContactPoint).where(ContactPoint.borrower_id.in_(chunk))
        ):
            points.setdefault(point.borrower_id, []).append(point)
    accounts = {}
    for loan in loans:
        borrower = borrowers[loan.borrower_id]
        own = points.get(borrower.id, [])
        profile = load_profile(profile_code_for(borrower.country))
        zones = borrower_address_zones(borrower, own)
        accounts[loan.id] = _Account(
            loan=loan,
            borrower=borrower,
            profile=profile,
            address_zone=zones[0] if zones else profile.default_zone,
            points={point.id: point for point in own},
        )
    return accounts


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _within(query: Any, column: Any, window: tuple[datetime, datetime] | None) -> Any:
    if window is None:
        return query
    return query.where(column >= window[0], column < window[1])


def _within_either(
    query: Any, columns: tuple[Any, Any], window: tuple[datetime, datetime] | None
) -> Any:
    if window is None:
        return query
    lo, hi = window
    return query.where(or_(*((column >= lo) & (column < hi) for column in columns)))


def _ordered(rows: list[tuple[datetime, tuple[str, ...]]]) -> tuple[tuple[str, ...], ...]:
    return tuple(row for _, row in sorted(rows, key=lambda item: (item[0], item[1])))


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _point(point: ContactPoint | None) -> str:
    """A contact point as an auditor sees it: its kind, a number by its last four digits, a
    third party by relation."""
    if point is None:
        return ""
    if point.kind is ContactKind.EMERGENCY:
        return f"third party ({point.relation or 'unknown'}) …{point.value[-4:]}"
    if point.kind is ContactKind.ADDRESS:
        return "address"
    if point.kind is ContactKind.EMAIL:
        return "email"
    return f"{point.kind.value} …{point.value[-4:]}"


def _rule_words(profile: Profile, rule_id: str) -> tuple[str, str]:
    """A rule's text and source, whether a rule, an account stop or a mark on a number."""
    for rule in profile.rules:
        if rule.id == rule_id:
            return rule.en, rule.source
    for stop in profile.stops:
        if stop.id == rule_id:
            return stop.en, stop.source
    marks = {
        "point.do_not_call": "Number marked do-not-call",
        "point.wrong_number": "Number marked wrong number",
    }
    return marks.get(rule_id, rule_id), ""


def _manifest(
    user: User,
    scope: str,
    accounts: int,
    now: datetime,
    files: dict[str, bytes],
    sections: Sequence[Section],
) -> bytes:
    rows = {f"{section.name}.csv": len(section.rows) for section in sections}
    data = {
        "kind": "audit_export",
        "scope": scope,
        "accounts": accounts,
        "written_at": now.isoformat(),
        "written_by": user.username,
        "times": "at_utc in UTC; at_borrower_time in the zone of the zone column, the one the"
        " contact rules judged the contact in",
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": rows.get(name),
                **(
                    {"sheets": {section.name: len(section.rows) for section in sections}}
                    if name == WORKBOOK
                    else {}
                ),
            }
            for name, data in files.items()
        ],
        "sections": {section.name: {"file": f"{section.name}.csv"} for section in sections},
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
