"""Finding accounts in a user's portfolio by name, contract number or phone number."""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from app.database import Database
from app.models import Borrower, ContactKind, ContactPoint, Loan, LoanStatus
from app.services.common.errors import InvalidPhoneNumber
from app.services.common.phones import parse_phone
from app.services.common.scope import find_user, worker_ids

# Fewer digits than this match too much to be a phone search.
MIN_PHONE_DIGITS = 4


def find_accounts(db: Database, username: str, text: str) -> frozenset[str]:
    """Keys (UUID hex) of the user's active accounts matching `text`.

    A name or contract number matches by substring. A phone number matches in any format a
    person types it (`138 0013 8000`, `+86-138-0013-8000`, `(0)13800138000`), or by its last
    digits (at least `MIN_PHONE_DIGITS`). `%` and `_` are plain characters; blank finds nothing.
    """
    text = text.strip()
    if not text:
        return frozenset()
    with db.reader() as session:
        user = find_user(session, username)
        workers = worker_ids(session, user)
        mine = (Loan.assigned_to_id.in_(workers)) & (Loan.status == LoanStatus.ACTIVE)
        # Case-insensitive on every backend (PostgreSQL's LIKE is not), `%` and `_` literal.
        conditions = [
            Loan.contract_no.icontains(text, autoescape=True),
            Borrower.name.icontains(text, autoescape=True),
        ]
        digits = re.sub(r"\D", "", text)
        if len(digits) >= MIN_PHONE_DIGITS and not re.search(r"[^\d\s()+\-.]", text):
            # The last digits count even when the text reads as a whole number: the tail of a
            # foreign number (US 201 555 0123) can itself be a valid Chinese one.
            same = ContactPoint.value.endswith(digits)
            whole = _whole_number(text)
            if whole is not None:
                same |= ContactPoint.value == whole
            conditions.append((ContactPoint.kind != ContactKind.EMAIL) & same)
        rows = session.scalars(
            select(Loan.id)
            .join(Borrower, Borrower.id == Loan.borrower_id)
            .outerjoin(ContactPoint, ContactPoint.borrower_id == Borrower.id)
            .where(mine, or_(*conditions))
            .distinct()
        )
        return frozenset(loan_id.hex for loan_id in rows)


def _whole_number(text: str) -> str | None:
    """The E.164 form of `text`, or None when it is too short or malformed to be a number."""
    try:
        return parse_phone(text).e164
    except InvalidPhoneNumber:
        return None
