from __future__ import annotations

import json
import re
import string
from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from app.services.common.money import CENT, format_money
from app.services.common.reference import load_json
from app.services.documents.agreement_pdf import (
    TERMS_FILE,
    AgreementDocument,
    read_agreement,
    render_agreement,
)
from app.services.documents.agreement_terms import (
    AgreementLine,
    AgreementTerms,
    canonical_terms,
    parse_terms,
    qr_payload,
    terms_digest,
)
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import styles
from app.services.plans.offers import schedule, split
from tests.helpers.pdf import pdf_fonts, pdf_pages, pdf_text

FULL_ID = "110101199003071234"
MASKED_ID = "110101********1234"
ZH_PAGE = re.compile(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页")
EN_PAGE = re.compile(r"Page (\d+) of (\d+)")


@pytest.fixture(scope="module")
def font() -> CJKFont:
    return cjk_font()


def make_terms(
    instalments: int = 3,
    *,
    down_payment: Decimal = Decimal("500.00"),
    waiver: Decimal = Decimal("400.00"),
    kind: str = "instalments",
) -> AgreementTerms:
    overdue = {
        "overdue_principal": Decimal("18000.00"),
        "overdue_interest": Decimal("1234.56"),
        "overdue_penalty": Decimal("800.00"),
        "overdue_fees": Decimal("50.00"),
    }
    total = sum(overdue.values(), Decimal(0)) - waiver
    dates = schedule(date(2026, 12, 28), "monthly", instalments)
    lines = tuple(
        AgreementLine(line.seq, line.due_date, line.amount)
        for line in split(total - down_payment, dates)
    )
    return AgreementTerms(
        agreement_no="HX-20261128-1A2B3C4D",
        agreement_date=date(2026, 11, 28),
        contract_no="HX2024060012345",
        borrower_name="张伟",
        borrower_id_masked=MASKED_ID,
        currency="CNY",
        kind=kind,
        frequency="monthly" if kind == "instalments" else None,
        **overdue,
        waiver=waiver,
        discount=Decimal("0.00"),
        down_payment=down_payment,
        total=total,
        lines=lines,
    )


def make_document(
    terms: AgreementTerms, font: CJKFont, *, language: str = "zh_CN", full_id: bool = False
) -> AgreementDocument:
    chinese = language == "zh_CN"
    return AgreementDocument(
        terms=terms,
        language=language,
        lender_name="恒信消费金融有限公司" if chinese else "Hengxin Consumer Finance Co., Ltd.",
        lender_service_number="400-000-5588",
        borrower_id_printed=FULL_ID if full_id else MASKED_ID,
        borrower_address="北京市东城区东直门南大街甲3号院12号楼3单元502室",
        borrower_phone="138 0013 8000",
        product="恒信随借 & 分期 <A>",
        loan_principal=Decimal("30000.00"),
        disbursed_on=date(2024, 6, 15),
        payment_channels=(
            ("恒信消费金融App", "打开App，进入“我的借款”，点击“立即还款”。"),
            ("Alipay" if not chinese else "支付宝", "Search for Hengxin Finance and choose Repay."),
        ),
        grace_days=5,
        retention_years=5,
        font=font,
    )


@pytest.fixture(scope="module")
def zh_pdf(font: CJKFont) -> bytes:
    return render_agreement(make_document(make_terms(), font))


@pytest.fixture(scope="module")
def long_pdf(font: CJKFont) -> bytes:
    return render_agreement(make_document(make_terms(36), font))


def _row_pattern(*cells: str) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(cell) for cell in cells))


# ---------------------------------------------------------------- what the pages show


def test_chinese_agreement_shows_the_breakdown_schedule_and_masked_id(zh_pdf: bytes) -> None:
    terms = make_terms()
    text = pdf_text(zh_pdf)

    assert "还款协议" in text
    assert f"协议编号：{terms.agreement_no}" in text
    assert "2026年11月28日" in text
    for amount in (
        terms.overdue_principal,
        terms.overdue_interest,
        terms.overdue_penalty,
        terms.overdue_fees,
        terms.overdue,
        terms.total,
        terms.down_payment,
        Decimal("30000.00"),
    ):
        assert format_money(amount) in text
    assert "-¥400.00" in text  # the waiver, taken off
    for line in terms.lines:
        due = f"{line.due_date.year}年{line.due_date.month}月{line.due_date.day}日"
        assert _row_pattern(str(line.seq), due, format_money(line.amount)).search(text)
    assert _row_pattern("首付", "签署本协议时", "¥500.00").search(text)
    assert _row_pattern("合计", format_money(terms.total)).search(text)
    assert MASKED_ID in text
    assert FULL_ID not in text
    # Data is printed as it is, never read as markup.
    assert "恒信随借 & 分期 <A>" in text


def test_the_default_and_privacy_clauses_name_grace_days_and_retention(zh_pdf: bytes) -> None:
    text = re.sub(r"\s+", "", pdf_text(zh_pdf))

    assert "超过5天仍未足额支付的，本还款计划即告失效" in text
    assert "已减免及优惠的金额恢复为应付款项" in text
    assert "恢复催收" in text
    assert "依法保存5年" in text
    for heading in ("协议双方", "原借款信息", "逾期欠款及减免", "还款渠道", "签署"):
        assert heading in text
    assert "乙方（借款人）签字" in text
    assert "支付宝" in text


def test_the_full_id_is_printed_only_when_asked_and_does_not_change_the_digest(
    font: CJKFont,
) -> None:
    terms = make_terms()

    data = render_agreement(make_document(terms, font, full_id=True))

    assert FULL_ID in pdf_text(data)
    read = read_agreement(data)
    assert read.consistent
    assert read.computed_digest == terms_digest(terms)
    assert FULL_ID.encode() not in canonical_terms(terms)


def test_english_agreement_is_in_english(font: CJKFont) -> None:
    terms = make_terms()

    data = render_agreement(make_document(terms, font, language="en"))

    text = pdf_text(data)
    assert "Repayment Agreement" in text
    assert "Agreement no.: HX-20261128-1A2B3C4D" in text
    assert "28 Nov 2026" in text
    assert _row_pattern("1", "28 Dec 2026", format_money(terms.lines[0].amount)).search(text)
    assert "more than 5 days after its due date" in text
    assert "kept for 5 years" in text
    assert "还款协议" not in text
    assert EN_PAGE.search(text)


def test_every_font_is_embedded_and_is_the_chinese_font(zh_pdf: bytes, font: CJKFont) -> None:
    face = pdfmetrics.getFont(font.name).face.name.decode()

    rows = pdf_fonts(zh_pdf)

    assert rows
    assert all(row.embedded for row in rows), rows
    assert all(row.name.split("+", 1)[-1].startswith(face) for row in rows), rows


def test_every_page_of_a_36_instalment_agreement_is_numbered(long_pdf: bytes) -> None:
    pages = pdf_pages(long_pdf)

    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        found = ZH_PAGE.search(page)
        assert found, f"page {number} has no page number"
        assert (int(found.group(1)), int(found.group(2))) == (number, len(pages))
        assert make_terms().agreement_no in page


def test_a_long_schedule_flows_over_pages_with_its_header_repeated(font: CJKFont) -> None:
    terms = make_terms(60)
    data = render_agreement(make_document(terms, font))
    pages = pdf_pages(data)

    rows_by_page = [
        [
            line
            for line in terms.lines
            if _row_pattern(str(line.seq), _zh(line.due_date), format_money(line.amount)).search(
                page
            )
        ]
        for page in pages
    ]
    assert sum(len(rows) for rows in rows_by_page) == 60
    assert sum(1 for rows in rows_by_page if rows) >= 2
    for page, rows in zip(pages, rows_by_page, strict=True):
        if rows:
            assert _row_pattern("期次", "应还日期", "应还金额").search(page)
    assert _row_pattern("合计", format_money(terms.total)).search("".join(pages))
    assert read_agreement(data).consistent


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_metadata_names_the_agreement_the_lender_and_the_digest(zh_pdf: bytes) -> None:
    terms = make_terms()

    metadata = PdfReader(BytesIO(zh_pdf)).metadata

    assert metadata is not None
    assert metadata.title == f"还款协议 {terms.agreement_no}"
    assert metadata.subject == terms.agreement_no
    assert metadata.author == "恒信消费金融有限公司"
    assert str(metadata.creator).startswith("Collector Workstation")
    assert f"sha256:{terms_digest(terms)}" in str(metadata["/Keywords"])


def test_the_terms_travel_as_an_attachment_whose_sha256_is_printed(zh_pdf: bytes) -> None:
    terms = make_terms()
    attachments = PdfReader(BytesIO(zh_pdf)).attachments

    assert attachments[TERMS_FILE] == [canonical_terms(terms)]
    printed = re.sub(r"\s+", "", pdf_text(zh_pdf))
    assert printed.count(terms_digest(terms)) == len(pdf_pages(zh_pdf))


def test_the_qr_code_carries_the_number_and_the_digest() -> None:
    terms = make_terms()

    assert qr_payload(terms) == f"{terms.agreement_no} SHA-256:{terms_digest(terms).upper()}"
    # Capitals, digits and QR's few signs only: the compact alphanumeric mode.
    assert set(qr_payload(terms)) <= set(string.digits + string.ascii_uppercase + " $%*+-./:")


# ---------------------------------------------------------------- reading back


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_an_agreement_reads_back_consistent(font: CJKFont, language: str) -> None:
    terms = make_terms(12)

    read = read_agreement(render_agreement(make_document(terms, font, language=language)))

    assert read.problems == ()
    assert read.consistent
    assert read.agreement_no == terms.agreement_no
    assert read.terms == terms
    assert read.claimed_digest == read.computed_digest == terms_digest(terms)


def test_a_long_agreement_and_one_without_down_payment_read_back_consistent(
    long_pdf: bytes, font: CJKFont
) -> None:
    assert read_agreement(long_pdf).consistent
    settlement = make_terms(1, down_payment=Decimal(0), kind="settlement")
    assert read_agreement(render_agreement(make_document(settlement, font))).consistent


def test_changing_one_digit_of_the_embedded_terms_is_caught(zh_pdf: bytes) -> None:
    terms = make_terms()
    line = terms.lines[1]
    due = f'"due_date":"{line.due_date.isoformat()}"'
    original = f'"amount":"{line.amount}",{due}'.encode()
    edited = f'"amount":"{line.amount + Decimal("0.10")}",{due}'.encode()
    assert zh_pdf.count(original) == 1 and len(edited) == len(original)
    tampered = zh_pdf.replace(original, edited)

    read = read_agreement(tampered)

    assert not read.consistent
    assert read.terms is not None and read.terms != terms
    assert read.claimed_digest == terms_digest(terms)
    assert read.computed_digest != read.claimed_digest
    assert any("do not match the SHA-256" in problem for problem in read.problems)


def test_changing_the_embedded_total_is_caught_by_the_sums_too(zh_pdf: bytes) -> None:
    terms = make_terms()
    total = f'"total":"{terms.total}"'.encode()
    tampered = zh_pdf.replace(total, total.replace(b"19684", b"19184"))
    assert tampered != zh_pdf

    read = read_agreement(tampered)

    assert not read.consistent
    assert any("add up to" in problem for problem in read.problems)
    assert any("does not show the total" in problem for problem in read.problems)


def test_pages_showing_other_amounts_than_the_embedded_terms_are_caught(font: CJKFont) -> None:
    """A forger keeps the genuine embedded terms and digest but prints other amounts."""
    genuine = make_terms()
    first, second = genuine.lines[0], genuine.lines[1]
    forged = replace(
        genuine,
        lines=(
            replace(first, amount=first.amount + CENT),
            replace(second, amount=second.amount - CENT),
            *genuine.lines[2:],
        ),
    )
    data = render_agreement(make_document(forged, font, language="en"))
    for old, new in (
        (canonical_terms(forged), canonical_terms(genuine)),
        (terms_digest(forged).encode(), terms_digest(genuine).encode()),
    ):
        assert len(old) == len(new) and data.count(old) == 1
        data = data.replace(old, new)

    read = read_agreement(data)

    assert read.terms == genuine
    assert read.claimed_digest == read.computed_digest == terms_digest(genuine)
    assert not read.consistent
    assert any("does not show payment 1 " in problem for problem in read.problems)
    assert any("does not show payment 2 " in problem for problem in read.problems)
    assert any("SHA-256 the document carries" in problem for problem in read.problems)


@pytest.mark.parametrize("data", [b"", b"garbage", b"%PDF-1.4\n%%EOF\n", bytes(range(256)) * 40])
def test_garbage_is_not_an_agreement_and_raises_nothing(data: bytes) -> None:
    read = read_agreement(data)

    assert read.agreement_no is None
    assert read.terms is None
    assert read.problems
    assert not read.consistent


def test_a_truncated_agreement_is_not_consistent(zh_pdf: bytes) -> None:
    read = read_agreement(zh_pdf[: len(zh_pdf) // 2])

    assert read.problems
    assert not read.consistent


def test_another_pdf_is_not_an_agreement(font: CJKFont) -> None:
    buffer = BytesIO()
    SimpleDocTemplate(buffer).build([Paragraph("协议", styles(font.name).body)])

    read = read_agreement(buffer.getvalue())

    assert read.agreement_no is None
    assert any("carries no agreement terms" in problem for problem in read.problems)


# ---------------------------------------------------------------- the terms as data

_AMOUNTS = [field.name for field in fields(AgreementTerms) if field.type == "Decimal"]
money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@st.composite
def agreement_terms(draw: st.DrawFn) -> AgreementTerms:
    count = draw(st.integers(min_value=1, max_value=6))
    first = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)))
    lines = tuple(
        AgreementLine(seq, first + timedelta(days=30 * (seq - 1)), draw(money))
        for seq in range(1, count + 1)
    )
    text = st.text(alphabet=string.ascii_letters + "张伟北京-· ", max_size=12)
    return AgreementTerms(
        agreement_no=draw(text),
        agreement_date=draw(st.dates()),
        contract_no=draw(text),
        borrower_name=draw(text),
        borrower_id_masked=MASKED_ID,
        currency="CNY",
        kind=draw(st.sampled_from(["full", "instalments", "settlement"])),
        frequency=draw(st.sampled_from([None, "weekly", "biweekly", "monthly"])),
        **{name: draw(money) for name in _AMOUNTS},
        lines=lines,
    )


@settings(max_examples=150)
@given(agreement_terms())
def test_canonical_terms_are_deterministic_sorted_compact_and_read_back(
    terms: AgreementTerms,
) -> None:
    canonical = canonical_terms(terms)
    # The same terms built again, amounts written with another exponent, encode the same.
    rebuilt = replace(
        terms,
        **{name: getattr(terms, name).quantize(Decimal("0.0001")) for name in _AMOUNTS},
    )

    assert canonical_terms(rebuilt) == canonical
    assert terms_digest(rebuilt) == terms_digest(terms)
    data = json.loads(canonical)
    assert list(data) == sorted(data)
    compact = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical == compact.encode()
    assert terms.borrower_name.encode() in canonical  # UTF-8 as it is, not \\u escapes
    assert re.fullmatch(r"\d+\.\d\d", data["total"])
    assert parse_terms(canonical) == terms


@settings(max_examples=150)
@given(agreement_terms(), st.data())
def test_a_cent_more_anywhere_changes_the_digest(
    terms: AgreementTerms, data: st.DataObject
) -> None:
    where = data.draw(st.sampled_from([*_AMOUNTS, "line"]))
    if where == "line":
        index = data.draw(st.integers(min_value=0, max_value=len(terms.lines) - 1))
        lines = list(terms.lines)
        lines[index] = replace(lines[index], amount=lines[index].amount + CENT)
        changed = replace(terms, lines=tuple(lines))
    else:
        changed = replace(terms, **{where: getattr(terms, where) + CENT})

    assert canonical_terms(changed) != canonical_terms(terms)
    assert terms_digest(changed) != terms_digest(terms)


def test_every_text_has_both_languages_with_the_same_placeholders() -> None:
    entries = load_json("documents/agreement.json")
    assert "_about" in entries
    for key, value in entries.items():
        if key.startswith("_"):
            continue
        en, zh = value["en"], value["zh_CN"]
        en_lines, zh_lines = (en, zh) if isinstance(en, list) else ([en], [zh])
        assert len(en_lines) == len(zh_lines), key
        for en_line, zh_line in zip(en_lines, zh_lines, strict=True):
            assert en_line.strip() and zh_line.strip(), key
            assert _fields(en_line) == _fields(zh_line), key


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("amount", ["1E+30", "1000000000000.00", "Infinity", "-0E-999999"])
def test_terms_with_amounts_no_agreement_can_hold_are_refused_not_crashed_on(
    amount: str,
) -> None:
    terms = AgreementTerms(
        agreement_no="HX-20261128-00000000",
        agreement_date=date(2026, 11, 28),
        contract_no="CW1",
        borrower_name="王芳",
        borrower_id_masked="110101********1234",
        currency="CNY",
        kind="full",
        frequency=None,
        overdue_principal=Decimal("100.00"),
        overdue_interest=Decimal("0.00"),
        overdue_penalty=Decimal("0.00"),
        overdue_fees=Decimal("0.00"),
        waiver=Decimal("0.00"),
        discount=Decimal("0.00"),
        down_payment=Decimal("0.00"),
        total=Decimal("100.00"),
        lines=(),
    )
    data = json.loads(canonical_terms(terms))
    data["total"] = amount
    with pytest.raises(ValueError, match="total"):
        parse_terms(json.dumps(data).encode())
