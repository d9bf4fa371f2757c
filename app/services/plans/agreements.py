"""Repayment agreements: the signed document of an issued plan, and checking one later.

An agreement's number comes from the plan's id (so workstations offline never hand out the same
one) and its hash from the terms (`agreement_pdf.terms_digest`), which hold the masked ID only:
printing the full number, when asked for, changes nothing that is verified. Verification reads
the terms and the hash the PDF carries, recomputes the hash and compares it with the plan in
the database: genuine, altered or unknown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from app.database import Database
from app.models import Borrower, ContactKind, Loan, PlanStatus, RepaymentPlan
from app.services.common.audit import audit
from app.services.common.clock import local_today
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.files import check_target, write_document
from app.services.common.phones import format_phone
from app.services.common.reference import lender, products
from app.services.common.scope import find_user
from app.services.contact.compliance import profile_for
from app.services.documents.agreement_pdf import (
    AgreementDocument,
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
    if language not in LANGUAGES:
        raise InvalidInput(
            "Agreements are printed in {known}, not “{language}”.",
            known=", ".join(LANGUAGES),
            language=language,
        )
    now = now or datetime.now(UTC)
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
        loan = session.get_one(Loan, plan.loan_id)
        borrower = session.get_one(Borrower, loan.borrower_id)
        if borrower.erased_at is not None:
            # The terms held the name: a copy the borrower has is still verified by its hash.
            raise NotAllowed(
                "Account {contract_no} is past retention: its personal data was erased on"
                " {day}, so its agreement can no longer be printed, only verified.",
                contract_no=loan.contract_no,
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
        company = lender()
        product = products().get(loan.product)
        return AgreementDocument(
            terms=terms,
            language=language,
            lender_name=company.name[language],
            lender_service_number=company.service_number,
            lender_registration_no=company.registration_no,
            lender_address=company.address[language] if company.address else "",
            borrower_id_printed=borrower.id_number if full_id else terms.borrower_id_masked,
            borrower_address=borrower_address(borrower, "" if language == "zh_CN" else ", "),
            borrower_phone=_phone(borrower),
            product=(product.zh_CN if language == "zh_CN" else product.en)
            if product
            else loan.product,
            loan_principal=loan.principal,
            disbursed_on=loan.disbursed_on,
            payment_channels=tuple(
                (channel.label[language], channel.detail[language])
                for channel in company.payment_channels
            ),
            grace_days=plan_lifecycle.plan_grace_days(),
            retention_years=profile_for(borrower.country).retention_years,
        )


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
    """Render the agreement of an issued plan into `out` (written whole or not at all)."""
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
    returned plan lists the limits it breaks.
    """
    now = now or datetime.now(UTC)
    if language not in LANGUAGES:
        raise InvalidInput(
            "Agreements are printed in {known}, not “{language}”.",
            known=", ".join(LANGUAGES),
            language=language,
        )
    # Everything that can refuse before anything is stored: the target and the font.
    check_target(out)
    cjk_font()
    plan = plan_lifecycle.save_plan(db, username, contract_no, terms, now=now)
    if plan.status is not PlanStatus.APPROVED:
        return CreatedAgreement(plan, None)
    plan = plan_lifecycle.issue_plan(db, username, plan.id, now=now)
    path = write_agreement(db, username, plan.id, out, language=language, full_id=full_id, now=now)
    return CreatedAgreement(plan, path)


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


def _phone(borrower: Borrower) -> str:
    for point in borrower.contact_points:
        if point.kind is ContactKind.MOBILE and not point.wrong_number:
            return format_phone(point.value)
    return ""
