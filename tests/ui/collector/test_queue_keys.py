"""A queue row's key, as the window keys its rows by it: the loan id's hex, whatever form the
key was read in."""

from __future__ import annotations

import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.services.contact.compliance import Decision
from app.services.contact.queue import ContactStatus, QueueEntry
from app.ui.collector.queue_model import key_of

ENTRY = QueueEntry(
    rank=1,
    loan_key="",
    contract_no="C-1",
    borrower_key=uuid.uuid4(),
    borrower="",
    dpd=5,
    bucket="M1",
    overdue_amount=Decimal("100.00"),
    principal=Decimal("100.00"),
    interest=Decimal(0),
    penalty=Decimal(0),
    fees=Decimal(0),
    score=10,
    tier=None,
    reasons=(),
    contact=ContactStatus(True, Decision(True), None),
)


def _entry(key: uuid.UUID | str) -> QueueEntry:
    return ENTRY._replace(loan_key=key)


@given(st.uuids(), st.sampled_from(["uuid", "hex", "HEX", "dashed", "DASHED", "braced"]))
def test_a_rows_key_is_its_loan_ids_hex_in_every_form(loan: uuid.UUID, form: str) -> None:
    key: uuid.UUID | str = {
        "uuid": loan,
        "hex": loan.hex,
        "HEX": loan.hex.upper(),
        "dashed": str(loan),
        "DASHED": str(loan).upper(),
        "braced": "{" + str(loan) + "}",
    }[form]
    entry = _entry(key)
    assert entry.loan_hex == loan.hex == entry.loan_id.hex
    assert key_of(entry) == loan.hex
