"""Letters to borrowers: the demand letter (催收函) and the credit-reporting notice
(不良信息报送告知书), for one account or as a batch, written whole and on record.

A letter goes only to the borrower, at their postal address: the registered address, or the
newest address collection learned when a visit found them moved away from it. Nobody else is
ever addressed. No letter goes to an account whose collection is stopped or paused (cease
request, dispute, vulnerability pause, reported death, legal referral, attorney, settled, an
escalation waiting for a team lead), whose
borrower's personal data was erased, with nothing overdue, or with no postal address: a batch
says why for each account it leaves out (`resources/letters.json`), one letter is refused.

The amounts are the account's own figures on the letter's date (`loan_balance`, the queue's and
the workspace's). Each letter has a number from its own id (`PREFIX-CODE-YYYYMMDD-XXXXXXXX`, so
workstations offline never hand out the same one); issuing it writes the PDF beside its target,
records it in the same transaction as an audit event on the loan (number, kind, the file's
SHA-256, the SHA-256 of what it states) and, on this computer's database, as an issued document
(so erasing the account deletes the file too), and only then gives the file its name. A file
that cannot be written leaves nothing recorded and no file.

A credit-reporting notice letter is a team lead's act (or an administrator's): a collector or
field agent is refused before anything is written, as the central server refuses them the
notice's record (docs/security.md, `notice-letter`). It is recorded as the loan's notice
(notices.py: the day reporting may begin, `reminders notices`) in the same transaction, unless
the caller passes `record_notice` to record it otherwise (a refusal there stores nothing and
writes no file).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    Escalation,
    Instalment,
    Loan,
    LoanStatus,
    Role,
    User,
)
from app.services.common import clock
from app.services.common.audit import audit
from app.services.common.clock import business_zone, local_today
from app.services.common.erasure import record_document
from app.services.common.errors import InvalidInput, Localized, NotAllowed
from app.services.common.files import NotWritten, check_target, write_beside
from app.services.common.idnumbers import mask
from app.services.common.money import format_money
from app.services.common.reference import buckets, lender, load_json
from app.services.common.scope import find_user, worker_ids
from app.services.contact.compliance import profile_code_for
from app.services.documents.fonts import cjk_font
from app.services.documents.letter_pdf import (
    LETTER_KINDS,
    Letter,
    LetterAmounts,
    combine,
    letter_digest,
    printable,
    render_letter,
)
from app.services.portfolio.accounts import open_account, to_state
from app.services.portfolio.addresses import (
    Address,
    address_text,
    learned_addresses,
    registered_address,
    registered_moved,
)
from app.services.portfolio.balances import Balance, balance_of
from app.services.reminders.notices import record_credit_notice
from app.services.reminders.strategy import load_strategy
from app.services.reminders.templates import payment_link

LANGUAGES = ("zh_CN", "en")
# How a credit-reporting notice reached the borrower, as the notice record names channels.
LETTER_CHANNEL = "letter"
# Who may issue a credit-reporting notice letter: on the central server the notice's record is
# a lead's alone (migration 0024); an administrator works the embedded database.
NOTICE_ISSUERS = (Role.TEAM_LEAD, Role.ADMIN)
# Loans read at once when a batch gathers its accounts' schedules.
_CHUNK = 500
# A text cell starting with one of these is a formula to a spreadsheet (a name could be
# "=HYPERLINK(…)"): the index writes it with a leading apostrophe, read as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class LetterKind:
    """A kind of letter (resources/letters.json)."""

    name: str
    number_code: str
    document_kind: str


@cache
def letter_kinds() -> dict[str, LetterKind]:
    data: dict[str, Any] = load_json("letters.json")["kinds"]
    kinds = {
        name: LetterKind(
            name=name,
            number_code=str(item["number_code"]),
            document_kind=str(item["document_kind"]),
        )
        for name, item in data.items()
    }
    if set(kinds) != set(LETTER_KINDS):
        raise ValueError(f"letters.json: kinds must be {LETTER_KINDS}, not {sorted(kinds)}")
    return kinds


@cache
def skip_reasons() -> dict[str, Localized]:
    """Why an account gets no letter, by the mark or state that stops it (data order first:
    the first that applies is the one given)."""
    data: dict[str, dict[str, str]] = load_json("letters.json")["skip"]
    return {key: Localized(item["en"], item["zh_CN"]) for key, item in data.items()}


@dataclass(frozen=True)
class IssuedLetter:
    """A letter written and on record.

    letter_id: the letter's own id (its number's last part), the document id a credit-notice
    record keeps; sha256: of the file; digest: of what the letter states (printed on it);
    reporting_from: for a credit-reporting notice, the first day reporting may begin.
    """

    letter_id: uuid.UUID
    letter_no: str
    kind: str
    loan_id: uuid.UUID
    contract_no: str
    language: str
    issued_at: datetime
    letter_date: date
    path: Path
    sha256: str
    digest: str
    total_due: str
    borrower: str
    postal_address: str
    reporting_from: date | None = None


@dataclass(frozen=True)
class CreditNoticeRecord:
    """What recording a credit-reporting notice takes: the loan, how and when the borrower was
    told, and the letter that told them."""

    loan_id: uuid.UUID
    channel: str
    at: datetime
    document_id: uuid.UUID


# Records a credit-reporting notice in the transaction that issues its letter.
NoticeRecorder = Callable[[Session, CreditNoticeRecord], None]


def credit_notice_record(letter: IssuedLetter) -> CreditNoticeRecord:
    """The notice record of an issued credit-reporting notice."""
    if letter.kind != "credit_notice":
        raise ValueError(f"letter {letter.letter_no} is no credit-reporting notice")
    return CreditNoticeRecord(letter.loan_id, LETTER_CHANNEL, letter.issued_at, letter.letter_id)


@dataclass(frozen=True)
class Skipped:
    """An account a batch sent no letter to, and why."""

    contract_no: str
    reason: Localized
    borrower_id: uuid.UUID


@dataclass(frozen=True)
class LetterBatch:
    """What a batch wrote: one PDF per account (`issued`), the accounts left out and why
    (`skipped`), the index of both (CSV) and every letter in one PDF for printing (None when
    no letter was written)."""

    kind: str
    issued: tuple[IssuedLetter, ...]
    skipped: tuple[Skipped, ...]
    index: Path
    printing: Path | None


def letter_number(kind: str, letter_id: uuid.UUID, day: date) -> str:
    """`HX-DL-20261128-1A2B3C4D`: the lender's prefix, the kind's code, the day, the id's start."""
    prefix = str(load_json("lender.json")["agreement_prefix"])
    code = letter_kinds()[kind].number_code
    return f"{prefix}-{code}-{day:%Y%m%d}-{letter_id.hex[:8].upper()}"


def issue_letter(
    db: Database,
    username: str,
    contract_no: str,
    kind: str,
    out: Path,
    *,
    language: str | None = None,
    now: datetime | None = None,
    record_notice: NoticeRecorder | None = None,
) -> IssuedLetter:
    """Write one account's letter to `out` (whole or not at all) and put it on record.

    language: "zh_CN" or "en"; None: the borrower's (Chinese in China, else English).
    An account that gets no letter (a stop, nothing overdue, no postal address) is refused
    with the reason, before anything is written.
    """
    _check_kind(kind)
    _check_language(language)
    now = _check_moment(kind, now)
    check_target(out)
    cjk_font()
    written: Path | None = None
    try:
        with db.session() as session:
            _check_issuer(find_user(session, username), kind)
            user, loan, borrower = open_account(session, username, contract_no)
            balance = _balances(session, [loan], local_today(now))[loan.id]
            paused = bool(_escalated(session, [loan]))
            prepared = _prepare(loan, borrower, balance, paused, kind, language, now)
            if isinstance(prepared, Skipped):
                raise NotAllowed(
                    "No letter goes to account {contract_no}: {reason}.",
                    contract_no=contract_no,
                    reason=prepared.reason,
                )
            data = render_letter(prepared.letter)
            written = write_beside(out, data)
            issued = _record(session, user, loan, prepared, out, data, now, record_notice)
    except BaseException:
        # Nothing is on record: the file written beside its target goes too.
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    _place(written, out, issued.letter_no)
    return issued


def issue_batch(
    db: Database,
    username: str,
    kind: str,
    folder: Path,
    *,
    bucket_codes: Sequence[str] = (),
    language: str | None = None,
    now: datetime | None = None,
    record_notice: NoticeRecorder | None = None,
) -> LetterBatch:
    """Write a letter for every overdue account the user may see (a collector their own, a
    lead the team's), in `bucket_codes` when given, into `folder`: a PDF per account, an index
    (CSV) and all the letters in one PDF for printing. Accounts that get no letter are listed
    with the reason. All or nothing: a file that cannot be written leaves no file and nothing
    recorded."""
    _check_kind(kind)
    _check_language(language)
    now = _check_moment(kind, now)
    wanted = _check_buckets(bucket_codes)
    _check_folder(folder)
    cjk_font()
    today = local_today(now)
    stamp = f"{kind.replace('_', '-')}-{now.astimezone(business_zone()):%Y%m%d-%H%M%S}"
    written: list[tuple[Path, Path]] = []
    try:
        with db.session() as session:
            user = find_user(session, username)
            _check_issuer(user, kind)
            loans = list(
                session.scalars(
                    select(Loan)
                    .where(
                        Loan.assigned_to_id.in_(worker_ids(session, user)),
                        Loan.status != LoanStatus.SETTLED,
                    )
                    .order_by(Loan.contract_no)
                )
            )
            balances = _balances(session, loans, today)
            chosen = [
                loan
                for loan in loans
                if balances[loan.id].dpd > 0
                and (wanted is None or balances[loan.id].bucket in wanted)
            ]
            if not chosen and wanted:
                raise InvalidInput(
                    "None of the accounts {username} may see is overdue in {buckets}: no letter"
                    " to write.",
                    username=username,
                    buckets=", ".join(sorted(wanted)),
                )
            if not chosen:
                raise InvalidInput(
                    "None of the accounts {username} may see is overdue: no letter to write.",
                    username=username,
                )
            borrowers = _borrowers(session, chosen)
            escalated = _escalated(session, chosen)
            # Every letter rendered and written beside its target first; then all put on record
            # at once, so a workstation's database is held for writing only briefly.
            drafts: list[tuple[Loan, _Draft, Path, bytes] | Skipped] = []
            for loan in chosen:
                borrower = borrowers[loan.borrower_id]
                paused = loan.id in escalated
                prepared = _prepare(loan, borrower, balances[loan.id], paused, kind, language, now)
                if isinstance(prepared, Skipped):
                    drafts.append(prepared)
                    continue
                data = render_letter(prepared.letter)
                out = folder / f"{prepared.letter.letter_no}.pdf"
                written.append((write_beside(out, data), out))
                drafts.append((loan, prepared, out, data))
            issued: list[IssuedLetter] = []
            skipped: list[Skipped] = []
            rows: list[list[str]] = []
            for draft in drafts:
                if isinstance(draft, Skipped):
                    skipped.append(draft)
                    rows.append(_skipped_row(draft, borrowers, language))
                    continue
                loan, prepared, out, data = draft
                letter = _record(session, user, loan, prepared, out, data, now, record_notice)
                issued.append(letter)
                rows.append(_issued_row(letter))
            index = folder / f"letters-{stamp}-index.csv"
            index_data = _index_csv(rows)
            written.append((write_beside(index, index_data), index))
            issued_loans = [letter.loan_id for letter in issued]
            connection = session.connection()
            if issued_loans:
                # The index names the borrowers written to, so their erasure deletes it too.
                record_document(connection, "letter_index", index, index_data, issued_loans)
            printing = None
            rendered = [draft[3] for draft in drafts if not isinstance(draft, Skipped)]
            if rendered:
                printing = folder / f"letters-{stamp}-print.pdf"
                combined = combine(rendered)
                written.append((write_beside(printing, combined), printing))
                record_document(connection, "letter_batch", printing, combined, issued_loans)
    except BaseException:
        # Nothing is on record: every file written beside its target goes too.
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise
    # On record: each file takes its name; one that cannot is kept where it is, and said.
    failed: NotWritten | None = None
    for temporary, out in written:
        try:
            _place(temporary, out, out.stem)
        except NotWritten as error:
            failed = failed or error
    if failed is not None:
        raise failed
    return LetterBatch(kind, tuple(issued), tuple(skipped), index, printing)


# -- inside ----------------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in LETTER_KINDS:
        raise InvalidInput(
            "There is no kind of letter “{kind}” (known: {known}).",
            kind=kind,
            known=", ".join(LETTER_KINDS),
        )


def _check_issuer(user: User, kind: str) -> None:
    """A credit-reporting notice is a team lead's (or an administrator's) to issue."""
    if kind == "credit_notice" and user.role not in NOTICE_ISSUERS:
        raise NotAllowed(
            "Only a team lead issues a credit-reporting notice; {username} may issue a demand"
            " letter.",
            username=user.username,
        )


def _check_moment(kind: str, at: datetime | None) -> datetime:
    """When the letter is issued: now unless given; never ahead of now (its amounts, penalty
    and all, would be a day's not owed yet), and a credit-reporting notice never earlier (the
    day reporting may begin counts from it)."""
    if at is None:
        return clock.now()
    if at.tzinfo is None:
        raise InvalidInput("The time a letter is issued must carry a time zone (e.g. +08:00).")
    shown = at.astimezone(business_zone()).strftime("%Y-%m-%d %H:%M")
    if at > clock.now() + clock.SKEW:
        raise InvalidInput("A letter is dated when it is issued: {at} is ahead of now.", at=shown)
    if kind == "credit_notice" and at < clock.now() - clock.SKEW:
        raise InvalidInput(
            "A credit-reporting notice is dated when it is issued, never earlier: {at} is"
            " before now.",
            at=shown,
        )
    return at


def _check_language(language: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(
            "Letters are printed in {known}, not “{language}”.",
            known=", ".join(LANGUAGES),
            language=language,
        )


def _check_buckets(codes: Sequence[str]) -> frozenset[str] | None:
    if not codes:
        return None
    known = [bucket.code for bucket in buckets()]
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidInput(
            "There is no bucket {bucket} (known: {known}).",
            bucket=", ".join(unknown),
            known=", ".join(known),
        )
    return frozenset(codes)


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise InvalidInput("The folder {folder} does not exist.", folder=str(folder))
    if not os.access(folder, os.W_OK):
        raise InvalidInput("Cannot write into {folder}.", folder=str(folder))


def _balances(session: Session, loans: Sequence[Loan], on: date) -> dict[uuid.UUID, Balance]:
    """Each loan's balance on `on`, its schedule read for many loans at once."""
    states: dict[uuid.UUID, list[Instalment]] = defaultdict(list)
    keys = [loan.id for loan in loans]
    for start in range(0, len(keys), _CHUNK):
        rows = session.scalars(
            select(Instalment)
            .where(Instalment.loan_id.in_(keys[start : start + _CHUNK]))
            .order_by(Instalment.loan_id, Instalment.seq)
        )
        for row in rows:
            states[row.loan_id].append(row)
    return {
        loan.id: balance_of([to_state(row) for row in states[loan.id]], on, loan.penalty_rate_daily)
        for loan in loans
    }


def _borrowers(session: Session, loans: Iterable[Loan]) -> dict[uuid.UUID, Borrower]:
    keys = sorted({loan.borrower_id for loan in loans})
    found: dict[uuid.UUID, Borrower] = {}
    for start in range(0, len(keys), _CHUNK):
        for borrower in session.scalars(
            select(Borrower).where(Borrower.id.in_(keys[start : start + _CHUNK]))
        ):
            found[borrower.id] = borrower
    return found


def _escalated(session: Session, loans: Sequence[Loan]) -> set[uuid.UUID]:
    """The loans with an escalation still waiting for a team lead's decision (a self-harm
    risk, a complaint…): collection is paused on them until the lead decides."""
    keys = [loan.id for loan in loans]
    found: set[uuid.UUID] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(
            session.scalars(
                select(Escalation.loan_id).where(
                    Escalation.loan_id.in_(keys[start : start + _CHUNK]),
                    Escalation.decided_at.is_(None),
                )
            )
        )
    return found


def _stop(loan: Loan, borrower: Borrower, balance: Balance, escalated: bool) -> Localized | None:
    """Why the account gets no letter now, or None."""
    reasons = skip_reasons()
    marks = {flag for flag in BORROWER_FLAGS if getattr(borrower, flag)}
    if loan.status is LoanStatus.SETTLED:
        marks.add("settled")
    if escalated:
        marks.add("escalation")
    for key, reason in reasons.items():
        if key in marks:
            return reason
    if borrower.erased_at is not None:
        return reasons["erased"]
    if balance.dpd <= 0 or balance.overdue <= 0:
        return reasons["nothing_overdue"]
    return None


def postal_address(borrower: Borrower) -> Address | None:
    """Where a letter goes: the registered address, unless a visit found the borrower moved
    away from it; then the newest address collection learned of the borrower's own (never one
    named for somebody else), or none."""
    if not registered_moved(borrower):
        return registered_address(borrower)
    own = [
        point
        for point in learned_addresses(borrower.contact_points)
        if not point.contact_name and not point.relation
    ]
    if not own:
        return None
    point = own[0]
    return Address(
        point.province or "", point.city or "", point.district or "", point.street or "", point.id
    )


@dataclass(frozen=True)
class _Draft:
    """A letter ready to print, and its own id (its number's last part)."""

    letter_id: uuid.UUID
    letter: Letter


def _prepare(
    loan: Loan,
    borrower: Borrower,
    balance: Balance,
    escalated: bool,
    kind: str,
    language: str | None,
    now: datetime,
) -> _Draft | Skipped:
    """The letter of the account, or why it gets none (`escalated`: an escalation waits for a
    team lead's decision on it)."""
    stop = _stop(loan, borrower, balance, escalated)
    if stop is not None:
        return Skipped(loan.contract_no, stop, borrower.id)
    place = postal_address(borrower)
    if place is None:
        return Skipped(loan.contract_no, skip_reasons()["no_address"], borrower.id)
    chosen = language or ("zh_CN" if borrower.country == "CN" else "en")
    today = local_today(now)
    letter_id = uuid.uuid4()
    company = lender()
    complaints: dict[str, Any] = load_json("lender.json")["complaints"]
    regulator: dict[str, Any] = complaints["regulator"]
    # The same days the reminder strategy's notice counts (resources/reminders/<profile>.json).
    after = (
        load_strategy(profile_code_for(borrower.country)).reporting_after_days
        if kind == "credit_notice"
        else None
    )
    letter = Letter(
        kind=kind,
        language=chosen,
        letter_no=letter_number(kind, letter_id, today),
        letter_date=today,
        as_of=today,
        lender_name=company.name[chosen],
        lender_address=company.address[chosen] if company.address else "",
        lender_registration_no=company.registration_no,
        lender_service_number=company.service_number,
        borrower_name=borrower.name,
        borrower_id_printed=mask(borrower.id_number),
        postal_address=address_text(
            place.province,
            place.city,
            place.district,
            place.street,
            "" if chosen == "zh_CN" else ", ",
        ),
        contract_no=loan.contract_no,
        currency=loan.currency,
        amounts=LetterAmounts(balance.principal, balance.interest, balance.penalty, balance.fees),
        dpd=balance.dpd,
        oldest_due=balance.oldest_unpaid_due,
        payment_channels=tuple(
            (channel.label[chosen], channel.detail[chosen]) for channel in company.payment_channels
        ),
        payment_link=payment_link(loan.contract_no),
        complaint_phone=str(complaints["phone"]),
        complaint_email=str(complaints["email"]),
        regulator=str(regulator["name"][chosen]),
        regulator_hotline=str(regulator["hotline"]),
        reporting_from=today + timedelta(days=after) if after is not None else None,
    )
    return _Draft(letter_id, letter)


def _record(
    session: Session,
    user: User,
    loan: Loan,
    draft: _Draft,
    out: Path,
    data: bytes,
    now: datetime,
    record_notice: NoticeRecorder | None,
) -> IssuedLetter:
    """Put a written letter on record in the unit of work that issues it."""
    letter = draft.letter
    sha256 = hashlib.sha256(data).hexdigest()
    digest = letter_digest(letter)
    kind = letter_kinds()[letter.kind]
    issued = IssuedLetter(
        letter_id=draft.letter_id,
        letter_no=letter.letter_no,
        kind=letter.kind,
        loan_id=loan.id,
        contract_no=loan.contract_no,
        language=letter.language,
        issued_at=now,
        letter_date=letter.letter_date,
        path=out,
        sha256=sha256,
        digest=digest,
        total_due=format_money(letter.amounts.total, letter.currency),
        borrower=printable(letter.borrower_name),
        postal_address=printable(letter.postal_address),
        reporting_from=letter.reporting_from,
    )
    details: dict[str, Any] = {
        "kind": letter.kind,
        "letter_id": str(issued.letter_id),
        "letter_no": letter.letter_no,
        "contract_no": loan.contract_no,
        "day": letter.letter_date.isoformat(),
        "sha256": sha256,
        "digest": digest,
    }
    if letter.reporting_from is not None:
        details["reporting_from"] = letter.reporting_from.isoformat()
    audit(session, "letter.issued", "loan", loan.id, details, user_id=user.id)
    # Noted (on this computer's database) under its final name, so erasing the account past
    # retention deletes it too; the note commits with the letter.
    record_document(session.connection(), kind.document_kind, out, data, [loan.id])
    if letter.kind == "credit_notice":
        # The letter's event first: the central server asks for it before it takes the notice.
        session.flush()
        notice = credit_notice_record(issued)
        if record_notice is not None:
            record_notice(session, notice)
        else:
            record_credit_notice(
                session,
                notice.loan_id,
                notice.channel,
                notice.at,
                notice.document_id,
                recorded_by_id=user.id,
            )
    return issued


def _place(temporary: Path, out: Path, number: str) -> None:
    """Give a file written beside `out` its name, once its letter is on record."""
    try:
        os.replace(temporary, out)
    except OSError as error:
        # On record with this file's hash: the file is kept where it is rather than lost.
        raise NotWritten(
            "Letter {number} is on record, but its file could not be named {path} ({reason});"
            " it is at {temporary}.",
            number=number,
            path=str(out),
            reason=error.strerror or str(error),
            temporary=str(temporary),
        ) from error


INDEX_COLUMNS = (
    "contract_no",
    "status",
    "letter_no",
    "file",
    "language",
    "borrower",
    "postal_address",
    "total_due",
    "reporting_from",
    "reason",
)


def _issued_row(letter: IssuedLetter) -> list[str]:
    return [
        letter.contract_no,
        "issued",
        letter.letter_no,
        letter.path.name,
        letter.language,
        letter.borrower,
        letter.postal_address,
        letter.total_due,
        letter.reporting_from.isoformat() if letter.reporting_from else "",
        "",
    ]


def _skipped_row(
    skipped: Skipped, borrowers: dict[uuid.UUID, Borrower], language: str | None
) -> list[str]:
    borrower = borrowers[skipped.borrower_id]
    chosen = language or ("zh_CN" if borrower.country == "CN" else "en")
    return [
        skipped.contract_no,
        "skipped",
        "",
        "",
        chosen,
        "",
        "",
        "",
        "",
        skipped.reason.text(chosen),
    ]


def _index_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """The batch's index: a row per account, issued or skipped (UTF-8 with a byte-order mark,
    which spreadsheets need to read Chinese)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    for row in rows:
        writer.writerow([_as_text(cell) for cell in row])
    return text.getvalue().encode("utf-8-sig")


def _as_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
