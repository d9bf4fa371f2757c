"""The terms an agreement states: built from a plan as it is issued, and read back from one.

An agreement's number comes from the plan's id, so workstations offline never hand out the
same one. The lifecycle issues a plan with these terms; `agreements` prints and verifies them.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from app.models import Borrower, Loan, RepaymentPlan
from app.services.common.errors import InvalidInput
from app.services.common.idnumbers import mask
from app.services.common.reference import load_json
from app.services.documents.agreement_terms import (
    AgreementLine,
    AgreementTerms,
    parse_terms,
)


def agreement_number(plan_id: uuid.UUID, day: date) -> str:
    """`HX-20261128-1A2B3C4D`: the lender's prefix, the day of issue and the plan id's start."""
    prefix = str(load_json("lender.json")["agreement_prefix"])
    return f"{prefix}-{day:%Y%m%d}-{plan_id.hex[:8].upper()}"


def terms_of(plan: RepaymentPlan) -> AgreementTerms:
    """What the agreement of an issued plan says, and its hash covers: the terms as issued."""
    if plan.agreement_terms is None:
        raise InvalidInput("The plan has no agreement yet: issue it first.")
    return parse_terms(plan.agreement_terms.encode())


def build_terms(session: Session, plan: RepaymentPlan) -> AgreementTerms:
    """The terms of a plan being issued, from the plan and the borrower as they are now."""
    if plan.agreement_no is None or plan.agreement_date is None:
        raise InvalidInput("The plan has no agreement yet: issue it first.")
    loan = session.get_one(Loan, plan.loan_id)
    borrower = session.get_one(Borrower, loan.borrower_id)
    return AgreementTerms(
        agreement_no=plan.agreement_no,
        agreement_date=plan.agreement_date,
        contract_no=loan.contract_no,
        borrower_name=borrower.name,
        borrower_id_masked=mask(borrower.id_number),
        currency=plan.currency,
        kind=plan.kind,
        frequency=plan.frequency if plan.kind == "instalments" else None,
        overdue_principal=plan.overdue_principal,
        overdue_interest=plan.overdue_interest,
        overdue_penalty=plan.overdue_penalty,
        overdue_fees=plan.overdue_fees,
        waiver=plan.penalty_waived,
        discount=plan.discount,
        down_payment=plan.down_payment,
        total=plan.total_amount,
        lines=tuple(
            AgreementLine(line.seq, line.due_date, line.amount) for line in plan.instalments
        ),
    )
