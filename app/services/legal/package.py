"""The referral package: what a lawyer needs to take an account to court, written in one go as
a folder or a zip (README, "Legal").

It holds a cover sheet, the borrower's and the loan's facts, the statement of account (every
instalment, payment and penalty computation with the rates used: `package_statement`), the
contact history with each contact's outcome and its compliance record, the promises and plans
made and broken, every agreement issued with its hash, and the notices, letters and reminders
sent, with their dates: as two PDFs (Chinese and English, fonts embedded) and as CSV files of
the same rows, listed with their SHA-256 in `manifest.json`.

Personal data only as much as the case needs: the borrower's full ID number appears here (and
nowhere else the program prints), their own phones, e-mail and addresses; a third party is
named by relation only, and no free-text note is copied. Only a team lead (an account of the
team's) or an administrator writes a package, and writing it is an audit event on the loan
(`legal.package_written`, with each file's SHA-256), in the same transaction: a package that
cannot be written leaves no event and no file, and an event always has its files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    CreditNotice,
    FieldVisit,
    Loan,
    PromiseToPay,
    ReminderMessage,
    RepaymentPlan,
    Role,
    User,
)
from app.models.borrowers import BORROWER_FLAGS
from app.models.legal import LegalStepKind
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.clock import business_zone, local_today
from app.services.common.errors import InvalidInput, NotAllowed
from app.services.common.files import NotWritten
from app.services.common.money import format_money
from app.services.common.reference import lender
from app.services.common.scope import find_user, worker_ids
from app.services.contact.compliance import load_profile, profile_code_for
from app.services.documents.fonts import cjk_font
from app.services.legal.export_tables import Section, csv_bytes
from app.services.legal.package_content import PackageContent, ReferralFacts
from app.services.legal.package_statement import Statement, account_statement
from app.services.legal.referral import case_of
from app.services.portfolio.accounts import borrower_address, load_loan
from app.services.portfolio.addresses import borrower_address_zones

# Who writes a package: a rule of this service. On the central server the reads run as the
# login, under row-level security, so a lead's package holds only what the lead may read.
WRITERS = frozenset({Role.TEAM_LEAD, Role.ADMIN})
LANGUAGES = ("zh_CN", "en")
MANIFEST = "manifest.json"


def referral_facts(session: Session, loan: Loan) -> ReferralFacts | None:
    """The account's legal referral for the cover sheet (its latest, withdrawn or not, as the
    legal desk records it: app.services.legal.referral); None: never referred."""
    case = case_of(session, loan)
    if case is None:
        return None
    lawyer = case.latest(LegalStepKind.LAWYER)
    filing = case.latest(LegalStepKind.FILING)
    return ReferralFacts(
        referred_at=case.referred_at,
        referred_by=case.referred_by_name or case.referred_by,
        reason=case.reason,
        firm=" · ".join(part for part in (lawyer.firm, lawyer.lawyer) if part) if lawyer else "",
        case_number=(filing.case_number or "") if filing else "",
        court=(filing.court or "") if filing else "",
        stage=case.stage,
    )


@dataclass(frozen=True)
class PackageFile:
    name: str
    sha256: str
    rows: int | None  # a CSV's data rows; None for a PDF


@dataclass(frozen=True)
class ReferralPackage:
    """A package written: where, as of which day, and its files."""

    contract_no: str
    path: Path
    as_of: date
    written_at: datetime
    overdue: str
    files: tuple[PackageFile, ...]
    matches_books: bool


def write_referral_package(
    db: Database,
    username: str,
    contract_no: str,
    out: Path,
    *,
    now: datetime | None = None,
) -> ReferralPackage:
    """Write the referral package of one account to `out` (a new folder, or a file ending in
    .zip), whole or not at all, and put it on record."""
    as_zip = out.suffix.lower() == ".zip"
    _check_out(out)
    now = (now or clock.now()).astimezone(UTC)
    cjk_font()
    staged: Path | None = None
    try:
        with db.session() as session:
            user = find_user(session, username)
            if user.role not in WRITERS:
                raise NotAllowed("Only a team lead or an administrator writes a referral package.")
            loan = load_loan(session, contract_no)
            _check_scope(session, user, loan)
            content = gather(session, user, loan, now)
            files = render_files(content)
            staged = stage_files(out, files, as_zip)
            listed = tuple(
                PackageFile(name, hashlib.sha256(data).hexdigest(), _rows(name, content))
                for name, data in files.items()
            )
            audit(
                session,
                "legal.package_written",
                "loan",
                loan.id,
                {
                    "contract_no": loan.contract_no,
                    "as_of": content.statement.as_of.isoformat(),
                    "form": "zip" if as_zip else "folder",
                    "files": {f.name: f.sha256 for f in listed},
                    "full_id_number": True,
                },
                user_id=user.id,
            )
    except BaseException:
        if staged is not None:
            remove_staged(staged)
        raise
    assert staged is not None
    place_staged(staged, out)
    balance = content.statement.balance
    return ReferralPackage(
        contract_no=loan.contract_no,
        path=out,
        as_of=content.statement.as_of,
        written_at=now,
        overdue=format_money(balance.overdue, loan.currency),
        files=listed,
        matches_books=content.statement.matches_books,
    )


def _check_out(out: Path) -> None:
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput("The folder {folder} does not exist.", folder=str(folder))
    if out.exists() or out.is_symlink():
        raise InvalidInput(
            "{path} already exists; a package is written to a new folder or .zip file.",
            path=str(out),
        )
    if not os.access(folder, os.W_OK):
        raise InvalidInput("Cannot write into {folder}.", folder=str(folder))


def _check_scope(session: Session, user: User, loan: Loan) -> None:
    """A lead's team's accounts (those assigned to a member and the team's pool)."""
    if user.role is Role.ADMIN:
        return
    pool = loan.assigned_to_id is None and loan.team_id == user.team_id
    if not pool and loan.assigned_to_id not in worker_ids(session, user):
        raise NotAllowed(
            "Account {contract_no} is not in {username}'s portfolio.",
            contract_no=loan.contract_no,
            username=user.username,
        )


def stage_files(out: Path, files: dict[str, bytes], as_zip: bool) -> Path:
    """The package written whole beside `out` under a hidden name, on disk."""
    try:
        if as_zip:
            handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
            staged = Path(name)
            with os.fdopen(handle, "wb") as stream:
                with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                    for file_name, data in files.items():
                        archive.writestr(f"{out.stem}/{file_name}", data)
                stream.flush()
                os.fsync(stream.fileno())
            return staged
        staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
        for file_name, data in files.items():
            with (staged / file_name).open("wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        return staged
    except OSError as error:
        raise NotWritten(
            "Cannot write {path}: {reason}.", path=str(out), reason=error.strerror or str(error)
        ) from error


def remove_staged(staged: Path) -> None:
    if staged.is_dir():
        shutil.rmtree(staged, ignore_errors=True)
    else:
        staged.unlink(missing_ok=True)


def place_staged(staged: Path, out: Path) -> None:
    try:
        os.rename(staged, out)
    except OSError as error:
        # On record with these files' hashes: kept where they are rather than lost.
        raise NotWritten(
            "The files are on record, but could not be named {path} ({reason}); they are at"
            " {staged}.",
            path=str(out),
            reason=error.strerror or str(error),
            staged=str(staged),
        ) from error


def _rows(name: str, content: PackageContent) -> int | None:
    for section in content.sections:
        if name == f"{section.name}.csv":
            return len(section.rows)
    return None


# ---------------------------------------------------------------- gathering


def gather(session: Session, user: User, loan: Loan, now: datetime) -> PackageContent:
    """What the package of `loan` shows, read as `user` (on the server, under their rights)."""
    borrower = session.get_one(Borrower, loan.borrower_id)
    points = list(
        session.scalars(
            select(ContactPoint)
            .where(ContactPoint.borrower_id == borrower.id)
            .order_by(ContactPoint.position, ContactPoint.created_at)
        )
    )
    profile = load_profile(profile_code_for(borrower.country))
    address_zones = borrower_address_zones(borrower, points)
    zone_key = address_zones[0] if address_zones else profile.default_zone
    as_of = local_today(now)
    statement = account_statement(session, loan, as_of)
    names = _names(session)
    sections = (
        _borrower_section(borrower, points),
        _loan_section(loan, statement, names),
        *_statement_sections(statement),
        _contacts_section(session, loan, points, profile.code, zone_key, names),
        _promises_section(session, loan),
        _plans_section(session, loan, as_of),
        _agreements_section(session, loan),
        _notices_section(session, loan),
    )
    return PackageContent(
        contract_no=loan.contract_no,
        lender=dict(lender().name),
        written_at=now,
        written_by=f"{user.display_name} ({user.username})",
        borrower_name=borrower.name,
        referral=referral_facts(session, loan),
        statement=statement,
        borrower_zone=zone_key,
        sections=sections,
    )


def _names(session: Session) -> dict[uuid.UUID, str]:
    return {row.id: row.username for row in session.execute(select(User.id, User.username))}


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _moment(value: datetime | None, zone: ZoneInfo | None = None) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone or business_zone())
    return local.strftime("%Y-%m-%d %H:%M %z")


def _borrower_section(borrower: Borrower, points: Sequence[ContactPoint]) -> Section:
    rows: list[tuple[str, ...]] = [
        ("name", borrower.name),
        ("id_number", borrower.id_number),
        ("date_of_birth", borrower.date_of_birth.isoformat()),
        ("registered_address", borrower_address(borrower, " ")),
        ("employer", borrower.employer or ""),
        ("marks", ", ".join(flag for flag in BORROWER_FLAGS if getattr(borrower, flag))),
    ]
    if borrower.attorney_represented:
        attorney = ", ".join(
            part
            for part in (borrower.attorney_name, borrower.attorney_firm, borrower.attorney_phone)
            if part
        )
        rows.append(("attorney", attorney))
    for point in points:
        # The borrower's own ways only: a third party is no party to the case.
        if point.kind is ContactKind.EMERGENCY:
            continue
        marks = [
            mark
            for mark, on in (
                ("wrong_number", point.wrong_number),
                ("do_not_call", point.do_not_call),
                ("verified", point.verified),
            )
            if on
        ]
        value = point.value + (f" ({', '.join(marks)})" if marks else "")
        rows.append((f"contact_{point.kind.value}", value))
    if borrower.erased_at is not None:
        rows.append(("erased_at", _moment(borrower.erased_at)))
    return Section("borrower", ("fact", "value"), tuple(rows))


def _loan_section(loan: Loan, statement: Statement, names: dict[uuid.UUID, str]) -> Section:
    balance = statement.balance
    rows = (
        ("contract_no", loan.contract_no),
        ("product", loan.product),
        ("currency", loan.currency),
        ("principal", _money(loan.principal)),
        ("annual_rate", f"{loan.annual_rate}"),
        ("penalty_rate_daily", f"{loan.penalty_rate_daily}"),
        ("term_months", str(loan.term_months)),
        ("disbursed_on", loan.disbursed_on.isoformat()),
        ("status", loan.status.value),
        ("closed_on", _day(loan.closed_on)),
        ("assigned_to", names.get(loan.assigned_to_id, "") if loan.assigned_to_id else ""),
        ("as_of", statement.as_of.isoformat()),
        ("dpd", str(balance.dpd)),
        ("bucket", balance.bucket),
        ("overdue_principal", _money(balance.principal)),
        ("overdue_interest", _money(balance.interest)),
        ("overdue_fees", _money(balance.fees)),
        ("overdue_penalty", _money(balance.penalty)),
        ("overdue_total", _money(balance.overdue)),
        ("owed_total", _money(balance.owed)),
        ("paid_total", _money(statement.total_paid)),
        ("books_check", "agrees" if statement.matches_books else "differs"),
    )
    return Section("loan", ("fact", "value"), rows)


def _statement_sections(statement: Statement) -> tuple[Section, ...]:
    schedule = Section(
        "schedule",
        (
            "seq",
            "due_date",
            "opening_principal",
            "principal_due",
            "interest_due",
            "interest_at_rate",
            "fees_due",
        ),
        tuple(
            (
                str(line.seq),
                line.due_date.isoformat(),
                _money(line.opening_principal),
                _money(line.principal_due),
                _money(line.interest_due),
                _money(line.interest_at_rate),
                _money(line.fees_due),
            )
            for line in statement.instalments
        ),
    )
    covered = Section(
        "instalments",
        (
            "seq",
            "principal_paid",
            "interest_paid",
            "fees_paid",
            "penalty_booked",
            "penalty_to_date",
            "penalty_paid",
            "outstanding",
            "settled_on",
        ),
        tuple(
            (
                str(line.seq),
                _money(line.principal_paid),
                _money(line.interest_paid),
                _money(line.fees_paid),
                _money(line.penalty_booked),
                _money(line.penalty_to_date),
                _money(line.penalty_paid),
                _money(line.outstanding),
                _day(line.settled_on),
            )
            for line in statement.instalments
        ),
    )
    payments = Section(
        "payments",
        ("paid_at", "paid_on", "amount", "channel", "reference", "counted", "applied", "unapplied"),
        tuple(
            (
                _moment(line.paid_at),
                line.paid_on.isoformat(),
                _money(line.amount),
                line.channel,
                line.reference,
                "yes" if line.counted else f"reversed {_moment(line.reversed_at)}",
                "; ".join(f"#{seq} {part} {_money(amount)}" for seq, part, amount in line.applied),
                _money(line.unapplied),
            )
            for line in statement.payments
        ),
    )
    penalties = Section(
        "penalty",
        ("seq", "from", "to", "days", "unpaid_principal", "daily_rate", "amount", "booked"),
        tuple(
            (
                str(line.seq),
                line.start.isoformat(),
                line.end.isoformat(),
                str(line.days),
                _money(line.unpaid_principal),
                f"{line.daily_rate}",
                _money(line.amount),
                "booked" if line.booked else "to_date",
            )
            for line in statement.penalties
        ),
    )
    return schedule, covered, payments, penalties


def point_label(point: ContactPoint | None) -> str:
    """A contact point as the package shows it: the borrower's own by value, a third party by
    relation only."""
    if point is None:
        return ""
    if point.kind is ContactKind.EMERGENCY:
        return f"third party ({point.relation or 'unknown'})"
    return f"{point.kind.value} {point.value}"


def _contacts_section(
    session: Session,
    loan: Loan,
    points: Sequence[ContactPoint],
    profile_code: str,
    address_zone: str,
    names: dict[uuid.UUID, str],
) -> Section:
    profile = load_profile(profile_code)
    by_id = {point.id: point for point in points}
    rows: list[tuple[datetime, tuple[str, ...]]] = []
    attempts = session.scalars(
        select(ContactAttempt)
        .where(ContactAttempt.loan_id == loan.id)
        .order_by(ContactAttempt.started_at, ContactAttempt.id)
    )
    for attempt in attempts:
        point = by_id.get(attempt.contact_point_id) if attempt.contact_point_id else None
        zone = contact_zone(point, address_zone)
        channel = attempt.channel.value
        checked = [rule.id for rule in profile.rules if channel in rule.channels]
        rows.append(
            (
                attempt.started_at,
                (
                    _moment(attempt.started_at, ZoneInfo(zone)),
                    zone,
                    channel,
                    names.get(attempt.user_id, ""),
                    point_label(point),
                    attempt.disposition,
                    "yes" if attempt.right_party else "no",
                    str(attempt.duration_seconds),
                    ", ".join(attempt.checklist or ()),
                    " > ".join(
                        part
                        for part in (attempt.script_stage, *(attempt.script_steps or ()))
                        if part
                    ),
                    f"{profile.code}: " + ", ".join(checked),
                ),
            )
        )
    visits = session.scalars(
        select(FieldVisit).where(FieldVisit.loan_id == loan.id, FieldVisit.visited_at.is_not(None))
    )
    visit_rules = [rule.id for rule in profile.rules if "visit" in rule.channels]
    for visit in visits:
        assert visit.visited_at is not None
        rows.append(
            (
                visit.visited_at,
                (
                    _moment(visit.visited_at, ZoneInfo(address_zone)),
                    address_zone,
                    "visit",
                    names.get(visit.agent_id, ""),
                    "registered address",
                    visit.disposition or visit.status.value,
                    "",
                    "",
                    ", ".join(visit.checklist or ()),
                    "consent to enter: "
                    + (
                        "yes"
                        if visit.consent_to_enter
                        else "no"
                        if visit.consent_to_enter is False
                        else "not asked"
                    ),
                    f"{profile.code}: " + ", ".join(visit_rules),
                ),
            )
        )
    rows.sort(key=lambda item: item[0])
    return Section(
        "contacts",
        (
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
            "rules_checked",
        ),
        tuple(row for _, row in rows),
    )


def contact_zone(point: ContactPoint | None, address_zone: str) -> str:
    """The borrower's zone for a contact: the number's (its first zone), else the address's."""
    if point is not None and point.time_zones.split():
        return point.time_zones.split()[0]
    return address_zone


def _promises_section(session: Session, loan: Loan) -> Section:
    promises = session.scalars(
        select(PromiseToPay)
        .where(PromiseToPay.loan_id == loan.id)
        .order_by(PromiseToPay.created_at, PromiseToPay.id)
    )
    return Section(
        "promises",
        ("made_at", "promised_date", "amount", "status", "paid", "resolved_at", "made_on"),
        tuple(
            (
                _moment(p.created_at),
                p.promised_date.isoformat(),
                _money(p.amount),
                p.status.value,
                _money(p.paid_amount),
                _moment(p.resolved_at),
                "visit" if p.visit_id else "contact" if p.attempt_id else "",
            )
            for p in promises
        ),
    )


def _plans(session: Session, loan: Loan) -> list[RepaymentPlan]:
    return list(
        session.scalars(
            select(RepaymentPlan)
            .where(RepaymentPlan.loan_id == loan.id)
            .order_by(RepaymentPlan.created_at, RepaymentPlan.id)
        )
    )


def _plans_section(session: Session, loan: Loan, as_of: date) -> Section:
    rows = []
    for plan in _plans(session, loan):
        missed = [
            line
            for line in plan.instalments
            if line.due_date < as_of and line.paid_amount < line.amount
        ]
        rows.append(
            (
                _moment(plan.created_at),
                plan.kind,
                plan.status.value,
                _money(plan.total_amount),
                _money(plan.down_payment),
                str(len(plan.instalments)),
                ", ".join(f"#{line.seq} {line.due_date.isoformat()}" for line in missed),
                plan.agreement_no or "",
                _moment(plan.closed_at),
            )
        )
    return Section(
        "plans",
        (
            "created_at",
            "kind",
            "status",
            "total",
            "down_payment",
            "instalments",
            "unpaid_past_due",
            "agreement_no",
            "closed_at",
        ),
        tuple(rows),
    )


def _agreements_section(session: Session, loan: Loan) -> Section:
    issued = [plan for plan in _plans(session, loan) if plan.agreement_no]
    return Section(
        "agreements",
        ("agreement_no", "agreement_date", "issued_at", "status", "terms_sha256", "file_sha256"),
        tuple(
            (
                plan.agreement_no or "",
                _day(plan.agreement_date),
                _moment(plan.issued_at),
                plan.status.value,
                plan.agreement_sha256 or "",
                plan.agreement_file_sha256 or "",
            )
            for plan in issued
        ),
    )


def _notices_section(session: Session, loan: Loan) -> Section:
    rows: list[tuple[datetime, tuple[str, ...]]] = []
    for notice in session.scalars(select(CreditNotice).where(CreditNotice.loan_id == loan.id)):
        rows.append(
            (
                notice.notified_at,
                (
                    _moment(notice.notified_at),
                    "credit_notice",
                    notice.channel,
                    f"reporting from {notice.reporting_from.isoformat()}",
                    "",
                ),
            )
        )
    letters = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "letter.issued",
            AuditEvent.entity == "loan",
            AuditEvent.entity_id == str(loan.id),
        )
    )
    for event in letters:
        details: dict[str, Any] = event.details or {}
        rows.append(
            (
                event.at,
                (
                    _moment(event.at),
                    f"letter_{details.get('kind', '')}",
                    "letter",
                    str(details.get("letter_no", "")),
                    str(details.get("sha256", "")),
                ),
            )
        )
    messages = session.scalars(
        select(ReminderMessage).where(
            ReminderMessage.loan_id == loan.id, ReminderMessage.sent_at.is_not(None)
        )
    )
    for message in messages:
        assert message.sent_at is not None
        rows.append(
            (
                message.sent_at,
                (
                    _moment(message.sent_at),
                    message.kind,
                    message.channel.value,
                    f"{message.step} ({message.template})",
                    message.status.value,
                ),
            )
        )
    rows.sort(key=lambda item: item[0])
    return Section(
        "notices",
        ("at", "kind", "channel", "reference", "status_or_sha256"),
        tuple(row for _, row in rows),
    )


# ---------------------------------------------------------------- files


def render_files(content: PackageContent) -> dict[str, bytes]:
    """The package's files by name, the manifest last."""
    # reportlab loads here, when a package is written, not with the window or the export.
    from app.services.legal.package_pdf import render_package

    files: dict[str, bytes] = {}
    for language in LANGUAGES:
        files[f"package_{language}.pdf"] = render_package(content, language)
    for section in content.sections:
        files[f"{section.name}.csv"] = csv_bytes(section)
    files[MANIFEST] = manifest(content, files)
    return files


def manifest(content: PackageContent, files: dict[str, bytes]) -> bytes:
    data = {
        "kind": "referral_package",
        "contract_no": content.contract_no,
        "as_of": content.statement.as_of.isoformat(),
        "written_at": content.written_at.isoformat(),
        "written_by": content.written_by,
        "referral": None
        if content.referral is None
        else {
            "referred_at": content.referral.referred_at.isoformat(),
            "referred_by": content.referral.referred_by,
            "reason": content.referral.reason,
            "firm": content.referral.firm,
            "case_number": content.referral.case_number,
            "court": content.referral.court,
            "stage": content.referral.stage,
        },
        "books_check": "agrees" if content.statement.matches_books else "differs",
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "rows": _rows(name, content),
            }
            for name, data in files.items()
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
