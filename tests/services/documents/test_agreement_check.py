"""Reading an agreement's printed lines back and naming each one that differs from the record."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.services.documents.agreement_check import (
    Difference,
    compare_printed,
    read_printed,
)
from app.services.documents.agreement_pdf import (
    render_agreement,
)
from app.services.documents.agreement_terms import (
    AgreementLine,
)
from app.services.documents.fonts import CJKFont, cjk_font
from tests.services.documents.test_agreement_pdf import make_document, make_terms


@pytest.fixture(scope="module")
def font() -> CJKFont:
    return cjk_font()


def _lines(data: bytes) -> tuple[str, ...]:
    read = read_printed(data)
    assert read.problem is None, read.problem
    return read.lines


OWNERS = {"张伟": "Borrower", "恒信消费金融有限公司": "Lender"}


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_agreement_as_recorded_reads_back_with_no_difference(
    font: CJKFont, language: str
) -> None:
    data = render_agreement(make_document(make_terms(), font, language=language))
    read = read_printed(data)
    assert read.language == language
    comparison = compare_printed(read.lines, _lines(data), language)
    assert (comparison.differences, comparison.similarity) == ((), 1.0)


def test_each_changed_term_is_named_with_what_is_printed_and_what_was_recorded(
    font: CJKFont,
) -> None:
    recorded = make_terms()
    lines = list(recorded.lines)
    lines[1] = AgreementLine(2, lines[1].due_date.replace(year=2028), lines[1].amount)
    forged = replace(
        recorded,
        borrower_name="张伟伟",
        contract_no="HX2024060099999",
        waiver=Decimal("4000.00"),
        lines=tuple(lines),
    )
    printed = _lines(render_agreement(make_document(forged, font)))
    expected = _lines(render_agreement(make_document(recorded, font)))
    found = compare_printed(printed, expected, "zh_CN", owners=OWNERS).differences
    assert Difference("Loan contract no.", "HX2024060099999", "HX2024060012345") in found
    assert Difference("Less penalty interest waived", "-¥4,000.00", "-¥400.00") in found
    assert Difference("Payment 2", "2028年1月28日", "2027年1月28日") in found
    assert Difference("Name (Borrower)", "张伟伟", "张伟") in found
    assert Difference("Signatures (Borrower)", "张伟伟", "张伟") in found


def test_an_english_schedule_names_its_down_payment_and_payments_apart_from_the_plan(
    font: CJKFont,
) -> None:
    recorded = make_terms()
    first = recorded.lines[0]
    forged = replace(
        recorded,
        down_payment=Decimal("50.00"),
        lines=(AgreementLine(1, first.due_date, first.amount + 450), *recorded.lines[1:]),
    )
    printed = _lines(render_agreement(make_document(forged, font, language="en")))
    expected = _lines(render_agreement(make_document(recorded, font, language="en")))
    found = compare_printed(printed, expected, "en").differences
    # The terms differ, so does their SHA-256 at the foot of every page.
    assert [d.term for d in found if not d.term.startswith("Page footer")] == [
        "Down payment",
        "Down payment (schedule)",
        "Payment 1",
    ]
    assert found[0] == Difference("Down payment", "¥50.00", "¥500.00")


def test_an_address_corrected_since_and_lines_broken_elsewhere_are_no_difference(
    font: CJKFont,
) -> None:
    terms = make_terms()
    issued = make_document(terms, font)
    # The borrower moved after the agreement was issued: the record never held the address.
    moved = replace(issued, borrower_address="上海市浦东新区世纪大道100号")
    printed = _lines(render_agreement(issued))
    expected = _lines(render_agreement(moved))
    assert compare_printed(printed, expected, "zh_CN").differences == ()
    # A layout that wraps a clause elsewhere says the same.
    rewrapped = [*printed]
    at = next(i for i, line in enumerate(rewrapped) if len(line) > 30)
    rewrapped[at : at + 1] = [rewrapped[at][:12], rewrapped[at][12:]]
    assert compare_printed(rewrapped, printed, "zh_CN").differences == ()


def test_a_file_that_is_not_a_readable_pdf_says_so() -> None:
    assert read_printed(b"hello").problem == "The file is not a PDF."
    assert "not a readable PDF" in (read_printed(b"%PDF-1.4\n" + b"\0" * 64).problem or "")
