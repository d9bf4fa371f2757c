"""Repayment agreements: the signed document of an issued plan, and checking one later.

An agreement's number comes from the plan's id (so workstations offline never hand out the same
one) and its terms hash from the terms (`agreement_pdf.terms_digest`), which hold the masked ID
only. Issuing writes the agreement file and records its own SHA-256 with the plan in the same
transaction (`issue_agreement`); the file is moved into place only once that is stored.

Verification (`verify_agreement`) calls a file genuine only when it is that very file. Any other
file is read back and every line it prints is compared with the agreement rendered again from
the recorded terms (`documents.agreement_check`), as are the terms it carries inside: altered,
with each difference; unreadable; or, for agreements issued before files were fingerprinted,
"terms-match" when nothing differs. An agreement whose plan was cancelled, or replaced by a
later agreement on the same loan, says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Borrower, ContactKind, Loan, PlanStatus, RepaymentPlan, User
from app.services.common.audit import audit
from app.services.common.clock import local_today
from app.services.common.erasure import record_document
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.files import (
    NotWritten,
    check_target,
    write_beside,
    write_document,
)
from app.services.common.phones import format_phone
from app.services.common.reference import lender, load_json, products
from app.services.common.scope import find_user
from app.services.contact.compliance import profile_for
from app.services.documents.agreement_check import (
    MOST_DIFFERENT,
    Difference,
    PrintedText,
    compare_printed,
    is_pdf,
    read_printed,
    squash,
)
from app.services.documents.agreement_pdf import (
    AgreementDocument,
    AgreementReadBack,
    read_agreement,
    render_agreement,
)
from app.services.documents.agreement_terms import (
    AgreementTerms,
    canonical_terms,
)
from app.services.documents.fonts import cjk_font
from app.services.plans import lifecycle as plan_lifecycle
from app.services.plans.lifecycle import PlanView
from app.services.plans.offers import PlanTerms
from app.services.plans.terms import terms_of
from app.services.portfolio.accounts import borrower_address

LANGUAGES = ("zh_CN", "en")


def agreement_document(
    db: Database,
    username: str,
    plan_id: uuid.UUID,
    *,
    language: str = "zh_CN",
    full_id: bool = False,
    now: datetime | None = None,
) -> AgreementDocument:
    """The document of an issued plan in `language`; the ID number is masked unless `full_id`.

    Printing the full ID number is a view of full personal data, so it leaves an audit event.
    """
    _check_language(language)
    with db.session() as session:
        user = find_user(session, username)
        plan = session.get(RepaymentPlan, plan_id)
        if plan is None:
            raise NotFound("There is no repayment plan {plan}.", plan=str(plan_id))
        plan_lifecycle.check_plan_scope(session, user, plan)
        if plan.status not in _PRINTABLE:
            raise InvalidInput(
                "Only an issued plan has an agreement to print; this one is “{status}”.",
                status=plan_lifecycle.status_text(plan.status),
            )
        return _printed_document(session, user, plan, language, full_id)


def write_agreement(
    db: Database,
    username: str,
    plan_id: uuid.UUID,
    out: Path,
    *,
    language: str = "zh_CN",
    full_id: bool = False,
    now: datetime | None = None,
) -> Path:
    """Print another copy of an issued plan's agreement into `out` (written whole or not at
    all). Only the file written when the plan was issued verifies as genuine; a copy's
    printed terms are compared with the recorded ones."""
    check_target(out)
    document = agreement_document(
        db, username, plan_id, language=language, full_id=full_id, now=now
    )
    with db.reader() as session:
        loan_id = session.scalars(
            select(RepaymentPlan.loan_id).where(RepaymentPlan.id == plan_id)
        ).one()
    write_document(db, out, render_agreement(document), "agreement", (loan_id,))
    return out


def issue_agreement(
    db: Database,
    username: str,
    plan_id: uuid.UUID,
    out: Path,
    *,
    language: str = "zh_CN",
    full_id: bool = False,
    now: datetime | None = None,
) -> PlanView:
    """Issue an approved plan with its agreement file at `out`: the file is written beside
    `out`, its SHA-256 is recorded as the plan is issued (one transaction), and only then is
    it moved to `out`. A file that cannot be written leaves the plan approved and no file."""
    file = _AgreementFile(out, language, full_id)
    try:
        view = plan_lifecycle.issue_plan(db, username, plan_id, document=file.write, now=now)
    except BaseException:
        file.discard()
        raise
    return file.place(view)


@dataclass(frozen=True)
class CreatedAgreement:
    """The plan made for an agreement; `path` is None when the policy sent it for approval."""

    plan: PlanView
    path: Path | None


def create_agreement(
    db: Database,
    username: str,
    contract_no: str,
    terms: PlanTerms,
    out: Path,
    *,
    language: str = "zh_CN",
    full_id: bool = False,
    now: datetime | None = None,
) -> CreatedAgreement:
    """Make, submit and issue a plan and write its agreement, as the CLI's `agreement` does.

    A plan within the policy is stored and issued with its file in one transaction
    (`save_plan(issue_with=...)`): when the file cannot be written, no plan is stored at all.
    A plan beyond the policy is saved as pending approval and no document is written: the
    returned plan lists the limits it breaks.
    """
    now = now or datetime.now(UTC)
    file = _AgreementFile(out, language, full_id)
    try:
        plan = plan_lifecycle.save_plan(
            db, username, contract_no, terms, issue_with=file.write, now=now
        )
    except BaseException:
        file.discard()
        raise
    if plan.status is not PlanStatus.ISSUED:
        return CreatedAgreement(plan, None)
    return CreatedAgreement(file.place(plan), out)


class IssuedNotPlaced(NotWritten):
    """The plan is issued with its file's hash, but the file could not take its name."""


class _AgreementFile:
    """The agreement file of a plan being issued: written beside `out` inside the issue's
    transaction (`write`, a `lifecycle.AgreementFile`), removed when the issue fails
    (`discard`) and given its name once the issue is stored (`place`)."""

    def __init__(self, out: Path, language: str, full_id: bool) -> None:
        _check_language(language)
        # Everything that can refuse before anything is stored: the target and the font.
        check_target(out)
        cjk_font()
        self.out, self.language, self.full_id = out, language, full_id
        self.written: Path | None = None

    def write(self, session: Session, plan: RepaymentPlan, user: User) -> str:
        data = render_agreement(_printed_document(session, user, plan, self.language, self.full_id))
        self.written = write_beside(self.out, data)
        # Noted (on this computer's database) under its final name, so erasing the account
        # past retention deletes it too; the note commits with the issue.
        record_document(session.connection(), "agreement", self.out, data, [plan.loan_id])
        return hashlib.sha256(data).hexdigest()

    def discard(self) -> None:
        if self.written is not None:
            self.written.unlink(missing_ok=True)

    def place(self, view: PlanView) -> PlanView:
        assert self.written is not None, "an issued plan whose file was never written"
        try:
            os.replace(self.written, self.out)
        except OSError as error:
            # Issued, with this file's hash: the file is kept where it is rather than lost.
            raise IssuedNotPlaced(
                "Agreement {number} is issued, but its file could not be named {path} "
                "({reason}); it is at {temporary}.",
                number=view.agreement_no or "",
                path=str(self.out),
                reason=error.strerror or str(error),
                temporary=str(self.written),
            ) from error
        return view


# -- verifying ---------------------------------------------------------------------------------

GENUINE, ALTERED, UNREADABLE, NOT_A_PDF, UNKNOWN, TERMS_MATCH = (
    "genuine",
    "altered",
    "unreadable",
    "not-a-pdf",
    "unknown",
    "terms-match",
)
# The most differences an answer lists; the rest are counted.
MOST_LISTED = 30


@dataclass(frozen=True)
class Verification:
    """What `verify_agreement` found.

    status: "genuine" (the very file issued), "altered" (another file: what it prints differs
    from the agreement recorded, or the file is not the one issued), "terms-match" (every
    printed term reads as recorded, for an agreement issued before files were fingerprinted),
    "unreadable" (a damaged PDF, or one whose text cannot be read back), "not-a-pdf" (the
    file is no PDF at all) or "unknown" (no such agreement here);
    differences: each term the copy prints otherwise than recorded; problems: what else is
    wrong, in English; plan_status: the plan's status now; standing: set when the agreement no
    longer binds ("the plan was cancelled on …", "superseded by …"); in_force: False then.
    """

    status: str
    agreement_no: str | None
    contract_no: str | None
    problems: tuple[str, ...]
    differences: tuple[Difference, ...] = ()
    plan_status: str | None = None
    standing: str | None = None

    @property
    def in_force(self) -> bool:
        return self.standing is None


def verify_agreement(db: Database, path: Path) -> Verification:
    """Is this file the agreement the lender issued, and if not, what does it print otherwise?

    Genuine only for the very file whose SHA-256 was recorded when the plan was issued. Any
    other file is read back and every line it prints is compared with the agreement rendered
    again from the recorded terms.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NotFound(
            "Cannot read {path}: {reason}.", path=str(path), reason=error.strerror or ""
        ) from error
    digest = hashlib.sha256(data).hexdigest()
    with db.reader() as session:
        issued = session.scalar(
            select(RepaymentPlan).where(RepaymentPlan.agreement_file_sha256 == digest)
        )
        if issued is not None:
            return _answer(session, issued, GENUINE, ())
        if not is_pdf(data):
            return Verification(NOT_A_PDF, None, None, ("The file is not a PDF.",))
        printed = read_printed(data)
        if printed.problem is not None:
            return Verification(UNREADABLE, None, None, (printed.problem,))
        embedded = read_agreement(data)
        number = _agreement_number(printed.lines) or embedded.agreement_no
        if number is None:
            return Verification(
                UNKNOWN, None, None, ("The file shows no agreement number: it is no agreement.",)
            )
        plan = session.scalar(select(RepaymentPlan).where(RepaymentPlan.agreement_no == number))
        if plan is None or plan.agreement_terms is None:
            return Verification(UNKNOWN, number, None, ("No such agreement in the database.",))
        return _compared(session, plan, printed, embedded)


# -- inside ----------------------------------------------------------------------------------

_PRINTABLE = (PlanStatus.ISSUED, PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.BROKEN)


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(
            "Agreements are printed in {known}, not “{language}”.",
            known=", ".join(LANGUAGES),
            language=language,
        )


def _printed_document(
    session: Session, user: User, plan: RepaymentPlan, language: str, full_id: bool
) -> AgreementDocument:
    """The document of a numbered plan as it prints now; a full ID number printed is audited.
    Refused once the account is past retention (its terms held the borrower's name)."""
    borrower = _borrower(session, plan)
    if borrower.erased_at is not None:
        # A copy the borrower has is still verified by its hash.
        raise NotAllowed(
            "Account {contract_no} is past retention: its personal data was erased on"
            " {day}, so its agreement can no longer be printed, only verified.",
            contract_no=session.get_one(Loan, plan.loan_id).contract_no,
            day=local_today(borrower.erased_at).isoformat(),
        )
    terms = terms_of(plan)
    if full_id:
        audit(
            session,
            "agreement.full_id_printed",
            "borrower",
            borrower.id,
            {"agreement_no": terms.agreement_no},
            user_id=user.id,
        )
    return _document(session, plan, terms, language, borrower.id_number if full_id else None)


def _document(
    session: Session,
    plan: RepaymentPlan,
    terms: AgreementTerms,
    language: str,
    full_id_number: str | None,
) -> AgreementDocument:
    loan = session.get_one(Loan, plan.loan_id)
    borrower = session.get_one(Borrower, loan.borrower_id)
    company = lender()
    product = products().get(loan.product)
    return AgreementDocument(
        terms=terms,
        language=language,
        lender_name=company.name[language],
        lender_service_number=company.service_number,
        lender_registration_no=company.registration_no,
        lender_address=company.address[language] if company.address else "",
        borrower_id_printed=full_id_number or terms.borrower_id_masked,
        borrower_address=borrower_address(borrower, "" if language == "zh_CN" else ", "),
        borrower_phone=_phone(borrower),
        product=(product.zh_CN if language == "zh_CN" else product.en) if product else loan.product,
        loan_principal=loan.principal,
        disbursed_on=loan.disbursed_on,
        payment_channels=tuple(
            (channel.label[language], channel.detail[language])
            for channel in company.payment_channels
        ),
        grace_days=plan_lifecycle.plan_grace_days(),
        retention_years=profile_for(borrower.country).retention_years,
    )


def _borrower(session: Session, plan: RepaymentPlan) -> Borrower:
    loan = session.get_one(Loan, plan.loan_id)
    return session.get_one(Borrower, loan.borrower_id)


def _phone(borrower: Borrower) -> str:
    for point in borrower.contact_points:
        if point.kind is ContactKind.MOBILE and not point.wrong_number:
            return format_phone(point.value)
    return ""


def _agreement_number(lines: tuple[str, ...]) -> str | None:
    """The first agreement number the pages print (`terms.agreement_number`'s shape)."""
    prefix = re.escape(str(load_json("lender.json")["agreement_prefix"]))
    found = re.search(rf"{prefix}-\d{{8}}-[0-9A-F]{{8}}", squash("\n".join(lines)))
    return found.group(0) if found else None


def _compared(
    session: Session, plan: RepaymentPlan, printed: PrintedText, embedded: AgreementReadBack
) -> Verification:
    """The answer for a file that is not the one issued: its lines against the recorded ones."""
    recorded = terms_of(plan)
    borrower = _borrower(session, plan)
    # A copy printed with the full ID number is compared with the full number, which is
    # never shown in the answer: the recorded side says the masked one.
    full_id = borrower.id_number if borrower.id_number in squash("".join(printed.lines)) else None
    best = None
    for language in [printed.language] if printed.language else list(LANGUAGES):
        document = _document(session, plan, recorded, language, full_id)
        expected = read_printed(render_agreement(document))
        owners = {
            squash(value): owner
            for owner, values in (
                ("Lender", (document.lender_name, document.lender_registration_no)),
                ("Borrower", (recorded.borrower_name, document.borrower_id_printed)),
            )
            for value in values
            if value
        }
        found = compare_printed(printed.lines, expected.lines, language, owners=owners)
        if best is None or len(found.differences) < len(best.differences):
            best = found
    assert best is not None
    differences = [
        Difference(
            d.term,
            d.printed,
            d.recorded.replace(full_id, recorded.borrower_id_masked) if full_id else d.recorded,
        )
        for d in best.differences
    ]
    differences.extend(_embedded_differences(plan, recorded, embedded))
    problems: list[str] = []
    if plan.agreement_file_sha256 is not None:
        problems.append(
            f"This is not the file issued on {_day(plan.issued_at)}: its SHA-256 differs from "
            f"the one recorded ({plan.agreement_file_sha256})."
        )
        if not differences:
            problems.append(
                "Its text reads as the agreement issued; what differs is not text (the fonts, "
                "the QR code, the drawing or the file itself), or it is a copy printed again."
            )
    if best.similarity < MOST_DIFFERENT:
        problems.append(
            f"Only {best.similarity:.0%} of its text reads as the agreement recorded: it is "
            "another document, or its text cannot be read back."
        )
        return _answer(session, plan, UNREADABLE, problems, ())
    if len(differences) > MOST_LISTED:
        problems.append(f"{len(differences) - MOST_LISTED} more differences are not listed.")
    if differences or plan.agreement_file_sha256 is not None:
        status = ALTERED
    else:
        status = TERMS_MATCH
        problems.append(
            "Every printed term matches the agreement recorded, but it was issued before "
            "agreement files were fingerprinted: the file itself cannot be confirmed."
        )
    return _answer(session, plan, status, problems, differences[:MOST_LISTED])


def _embedded_differences(
    plan: RepaymentPlan, recorded: AgreementTerms, embedded: AgreementReadBack
) -> list[Difference]:
    """The terms the file carries inside it (and their SHA-256) against the recorded ones."""
    if embedded.terms is None:
        return [Difference("Embedded terms", "none", "the agreement's terms")]
    found = []
    carried, wanted = _fields(embedded.terms), _fields(recorded)
    for name in sorted(set(carried) | set(wanted)):
        if carried.get(name) != wanted.get(name):
            found.append(
                Difference(f"Embedded terms: {name}", str(carried.get(name)), str(wanted.get(name)))
            )
    if embedded.claimed_digest != plan.agreement_sha256:
        found.append(
            Difference(
                "SHA-256 of the terms the document carries",
                embedded.claimed_digest or "none",
                plan.agreement_sha256 or "",
            )
        )
    return found


def _fields(terms: AgreementTerms) -> dict[str, str]:
    """The terms as their canonical texts, a payment line each ("line 2": "2027-01-17 159.98")."""
    data = json.loads(canonical_terms(terms))
    fields = {name: str(value) for name, value in data.items() if name != "lines"}
    for line in data["lines"]:
        fields[f"line {line['seq']}"] = f"{line['due_date']} {line['amount']}"
    return fields


def _answer(
    session: Session,
    plan: RepaymentPlan,
    status: str,
    problems: Sequence[str],
    differences: Sequence[Difference] = (),
) -> Verification:
    contract_no = session.get_one(Loan, plan.loan_id).contract_no
    return Verification(
        status=status,
        agreement_no=plan.agreement_no,
        contract_no=contract_no,
        problems=tuple(problems),
        differences=tuple(differences),
        plan_status=plan.status.value,
        standing=_standing(session, plan),
    )


def _standing(session: Session, plan: RepaymentPlan) -> str | None:
    """Why the agreement no longer binds, if it does not: its plan cancelled, or a later
    agreement issued on the same loan."""
    reasons = []
    if plan.status is PlanStatus.CANCELLED:
        reasons.append(f"the plan was cancelled on {_day(plan.closed_at)}")
    if plan.issued_at is not None:
        later = session.scalar(
            select(RepaymentPlan)
            .where(
                RepaymentPlan.loan_id == plan.loan_id,
                RepaymentPlan.id != plan.id,
                RepaymentPlan.issued_at > plan.issued_at,
            )
            .order_by(RepaymentPlan.issued_at)
            .limit(1)
        )
        if later is not None:
            reasons.append(
                f"superseded by plan {later.id} (agreement {later.agreement_no}, issued on "
                f"{_day(later.issued_at)})"
            )
    return " and ".join(reasons) or None


def _day(moment: datetime | None) -> str:
    return local_today(moment).isoformat() if moment else "an unknown day"
