"""Repayment agreements: the signed document of an issued plan, and checking one later.

An agreement's number comes from the plan's id (so workstations offline never hand out the same
one) and its terms hash from the terms (`agreement_pdf.terms_digest`), which hold the masked ID
only. Issuing writes the agreement file and records its own SHA-256 with the plan in the same
transaction (`issue_agreement`); the file is moved into place only once that is stored.
Verification reads the terms and the hash the PDF carries, recomputes the hash and compares it
with the plan in the database: genuine, altered or unknown.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Borrower, ContactKind, Loan, PlanStatus, RepaymentPlan, User
from app.services.common.audit import audit
from app.services.common.errors import DomainError, InvalidInput, Message, NotFound
from app.services.common.files import NotWritten, check_target, write_atomically, write_beside
from app.services.common.phones import format_phone
from app.services.common.reference import lender, products
from app.services.common.scope import find_user
from app.services.contact.compliance import profile_for
from app.services.documents.agreement_pdf import (
    AgreementDocument,
    AgreementTerms,
    read_agreement,
    render_agreement,
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
    write_atomically(out, render_agreement(document))
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
    _check_language(language)
    # Everything that can refuse before anything is written: the target and the font.
    check_target(out)
    cjk_font()
    written: list[Path] = []

    def document(session: Session, plan: RepaymentPlan, user: User) -> str:
        data = render_agreement(_printed_document(session, user, plan, language, full_id))
        written.append(write_beside(out, data))
        return hashlib.sha256(data).hexdigest()

    try:
        view = plan_lifecycle.issue_plan(db, username, plan_id, document=document, now=now)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    try:
        os.replace(written[0], out)
    except OSError as error:
        # Issued, with this file's hash: the file is kept where it is rather than lost.
        raise IssuedNotPlaced(
            "Agreement {number} is issued, but its file could not be named {path} ({reason}); "
            "it is at {temporary}.",
            number=view.agreement_no or "",
            path=str(out),
            reason=error.strerror or str(error),
            temporary=str(written[0]),
        ) from error
    return view


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

    A plan beyond the policy is saved as pending approval and no document is written: the
    returned plan lists the limits it breaks. When the agreement cannot be written, the plan
    stays approved and not issued, and the error says which plan it is.
    """
    now = now or datetime.now(UTC)
    _check_language(language)
    # Everything that can refuse before anything is stored: the target and the font.
    check_target(out)
    cjk_font()
    plan = plan_lifecycle.save_plan(db, username, contract_no, terms, now=now)
    if plan.status is not PlanStatus.APPROVED:
        return CreatedAgreement(plan, None)
    try:
        plan = issue_agreement(
            db, username, plan.id, out, language=language, full_id=full_id, now=now
        )
    except IssuedNotPlaced:
        raise
    except DomainError as error:
        raise NotIssued(
            "Plan {plan} is saved and approved but not issued: {reason}",
            plan=str(plan.id),
            reason=Message(error.template, error.params),
        ) from error
    return CreatedAgreement(plan, out)


class NotIssued(DomainError):
    """A plan was stored but its agreement could not be issued."""


class IssuedNotPlaced(NotWritten):
    """The plan is issued with its file's hash, but the file could not take its name."""


@dataclass(frozen=True)
class Verification:
    """What `verify_agreement` found: status is "genuine", "altered" or "unknown"."""

    status: str
    agreement_no: str | None
    contract_no: str | None
    problems: tuple[str, ...]


def verify_agreement(db: Database, path: Path) -> Verification:
    """Recompute the hash of the terms a PDF carries and check it against the database."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise NotFound(
            "Cannot read {path}: {reason}.", path=str(path), reason=error.strerror or ""
        ) from error
    read = read_agreement(data)
    if read.agreement_no is None:
        return Verification("unknown", None, None, read.problems or ("not an agreement",))
    with db.reader() as session:
        plan = session.scalar(
            select(RepaymentPlan).where(RepaymentPlan.agreement_no == read.agreement_no)
        )
        if plan is None or plan.agreement_sha256 is None:
            return Verification(
                "unknown", read.agreement_no, None, ("no such agreement in the database",)
            )
        contract_no = session.get_one(Loan, plan.loan_id).contract_no
        problems = list(read.problems)
        if read.computed_digest != plan.agreement_sha256:
            problems.append("the terms differ from the agreement issued")
        if read.claimed_digest != plan.agreement_sha256:
            problems.append("the hash the document carries differs from the one issued")
    status = "altered" if problems else "genuine"
    return Verification(status, read.agreement_no, contract_no, tuple(problems))


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
    """The document of a numbered plan as it prints now; a full ID number printed is audited."""
    terms = terms_of(plan)
    borrower = _borrower(session, plan)
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
