"""The letters as PDFs, read back as a person's tools read them: pdftotext for what they say and
where, pdffonts for the fonts, a QR reader (zbarimg) for the code; and every line measured
against its box, with ordinary and with hostile values."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics

from app.services.common.money import format_money
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import Box, Placed, format_day
from app.services.documents.letter_pdf import (
    LETTER_KINDS,
    MARGIN,
    Letter,
    LetterAmounts,
    combine,
    letter_digest,
    printable,
    render_letter,
)
from tests.helpers.pdf import Word, pdf_fonts, pdf_raw_text, pdf_words
from tests.helpers.wording import forbidden_in

LANGUAGES = ("zh_CN", "en")
CASES = [(kind, language) for kind in LETTER_KINDS for language in LANGUAGES]
SLACK = 0.01
WORD_SLACK = 0.5
LINK = "https://pay.example.cn/r/HX2024060012345"
# A name that tries to hide or turn text around, ring the terminal, break the line and slip
# in zero-width and private characters.
HOSTILE_NAME = "王\u202e芳\u202c\x1b[31m\x07\n李\u200b四\ue000\u2066x\u2069"
LONG_ZH_NAME = "欧阳诸葛慕容司马上官东方皇甫尉迟公孙长孙宇文轩辕令狐钟离闾丘南宫西门百里呼延" * 4
LONG_EN_NAME = (
    "Maximilian Alexander Bartholomew Fitzgerald-Montgomery "
    "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaftschaferswessenschafewarenwohl"
) * 3
LONG_ADDRESS = (
    "新疆维吾尔自治区伊犁哈萨克自治州伊宁市解放西路街道办事处斯大林街社区居民委员会"
    "第三十七网格团结巷北二巷幸福里小区东区二十八号楼三单元十二层一二零八室（近阿合买提江街口）"
) * 2


@pytest.fixture(scope="module")
def font() -> CJKFont:
    return cjk_font()


def usual(kind: str, language: str, font: CJKFont) -> Letter:
    chinese = language == "zh_CN"
    return Letter(
        kind=kind,
        language=language,
        letter_no="HX-DL-20261128-1A2B3C4D",
        letter_date=date(2026, 11, 28),
        as_of=date(2026, 11, 28),
        lender_name="恒信消费金融有限公司" if chinese else "Hengxin Consumer Finance Co., Ltd.",
        lender_address="北京市东城区演示大街1号恒信大厦" if chinese else "1 Demo Street, Beijing",
        lender_registration_no="91110101MA00000000",
        lender_service_number="400-000-5588",
        borrower_name="王芳",
        borrower_id_printed="110101********1234",
        postal_address="北京市东城区东直门南大街甲3号院12号楼3单元502室",
        contract_no="HX2024060012345",
        currency="CNY",
        amounts=LetterAmounts(
            Decimal("12345.67"), Decimal("890.12"), Decimal("34.56"), Decimal("7.80")
        ),
        dpd=45,
        oldest_due=date(2026, 10, 14),
        payment_channels=(
            ("恒信消费金融App" if chinese else "the Hengxin Finance app", "立即还款"),
            ("支付宝" if chinese else "Alipay", "搜索“恒信消费金融”" if chinese else "Search"),
        ),
        payment_link=LINK,
        complaint_phone="400-000-5599",
        complaint_email="complaints@hengxin.example.cn",
        regulator="国家金融监督管理总局消费者投诉热线" if chinese else "NFRA complaint hotline",
        regulator_hotline="12378",
        reporting_from=date(2026, 12, 13) if kind == "credit_notice" else None,
        font=font,
    )


def hostile(kind: str, language: str, font: CJKFont) -> Letter:
    """The longest names, address, numbers and amounts, and a name full of hidden characters."""
    return replace(
        usual(kind, language, font),
        borrower_name=(LONG_ZH_NAME if language == "zh_CN" else LONG_EN_NAME) + HOSTILE_NAME,
        postal_address=LONG_ADDRESS + "\u202e\x00",
        contract_no="HXLOANCONTRACT20240615SHANGHAIPUDONGBRANCH0000000001",
        letter_no="HX-CR-20261128-1A2B3C4D-SHANGHAI-PUDONG-0001",
        lender_name="恒信消费金融有限公司上海浦东新区陆家嘴金融贸易区分公司暨长三角区域消费信贷业务运营中心"
        * 2,
        amounts=LetterAmounts(
            Decimal("999999999999.99"),
            Decimal("99999999999.99"),
            Decimal("9999999999.99"),
            Decimal("999999999.99"),
        ),
        dpd=36500,
        payment_link=LINK + "/" + "x" * 200,
        payment_channels=tuple(
            (f"渠道{number}" * 6, "打开App，进入“我的借款”，点击“立即还款”并确认金额。" * 4)
            for number in range(3)
        ),
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _shown(letter: Letter) -> list[str]:
    """What the letter must print in full."""
    amounts = letter.amounts
    money = [amounts.principal, amounts.interest, amounts.penalty, amounts.fees, amounts.total]
    values = [
        letter.letter_no,
        letter.contract_no,
        letter.borrower_id_printed,
        letter.lender_name,
        letter.lender_service_number,
        letter.complaint_phone,
        letter.complaint_email,
        letter.regulator_hotline,
        letter.payment_link,
        format_day(letter.as_of, letter.language),
        *(format_money(amount, letter.currency) for amount in money),
    ]
    if letter.reporting_from is not None:
        values.append(format_day(letter.reporting_from, letter.language))
    return values


# ---------------------------------------------------------------- what the pages say


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_the_letter_prints_the_account_the_amounts_and_where_to_pay_and_complain(
    font: CJKFont, kind: str, language: str
) -> None:
    letter = usual(kind, language, font)

    text = _squash(pdf_raw_text(render_letter(letter)))

    missing = [value for value in _shown(letter) if _squash(value) not in text]
    assert missing == []
    total = format_money(letter.amounts.total, "CNY")
    assert total == "¥13,278.15"
    title = {
        ("demand", "zh_CN"): "催收函",
        ("demand", "en"): "Notice of Overdue Payment",
        ("credit_notice", "zh_CN"): "不良信息报送告知书",
        ("credit_notice", "en"): "Notice before Reporting to the Credit Reference System",
    }[kind, language]
    assert _squash(title) in text


def test_the_credit_notice_says_from_when_it_reports_and_how_to_object(font: CJKFont) -> None:
    zh = _squash(pdf_raw_text(render_letter(usual("credit_notice", "zh_CN", font))))
    en = _squash(pdf_raw_text(render_letter(usual("credit_notice", "en", font))))

    assert "自2026年12月13日起" in zh and "征信" in zh and "提出异议" in zh
    assert "from13Dec2026" in en and "object" in en


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_every_font_is_embedded(font: CJKFont, kind: str, language: str) -> None:
    fonts = pdf_fonts(render_letter(usual(kind, language, font)))

    assert fonts
    assert all(row.embedded for row in fonts), fonts
    assert {row.type for row in fonts} <= {"TrueType", "CID TrueType"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_qr_code_reads_as_the_payment_link(
    font: CJKFont, language: str, tmp_path: Path
) -> None:
    document = tmp_path / "letter.pdf"
    document.write_bytes(render_letter(usual("demand", language, font)))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(document), str(tmp_path / "page")], check=True
    )

    found = subprocess.run(
        [
            "zbarimg",
            "--quiet",
            "--raw",
            "-Sdisable",
            "-Sqrcode.enable",
            str(tmp_path / "page-1.png"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert found.stdout.splitlines() == [LINK]


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_a_letter_uses_none_of_the_forbidden_words(font: CJKFont, kind: str, language: str) -> None:
    text = pdf_raw_text(render_letter(usual(kind, language, font)))

    assert forbidden_in(text) == []


def test_the_pages_carry_the_digest_of_what_they_state_and_the_file_says_it_too(
    font: CJKFont,
) -> None:
    letter = usual("demand", "en", font)
    data = render_letter(letter)
    digest = letter_digest(letter)

    assert digest in _squash(pdf_raw_text(data))
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None
    assert reader.metadata.subject == letter.letter_no
    assert f"sha256:{digest}" in str(reader.metadata.get("/Keywords"))
    assert str(reader.root_object["/Lang"]) == "en"
    # What the letter states changes its digest.
    more = replace(letter, amounts=replace(letter.amounts, fees=Decimal("7.81")))
    assert letter_digest(more) != digest


def test_a_batch_prints_as_one_document_of_every_letter_in_order(font: CJKFont) -> None:
    first = usual("demand", "zh_CN", font)
    second = replace(usual("demand", "en", font), letter_no="HX-DL-20261128-99999999")

    data = combine([render_letter(first), render_letter(second)])

    text = _squash(pdf_raw_text(data))
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert text.index(first.letter_no) < text.index(second.letter_no)
    assert all(row.embedded for row in pdf_fonts(data))


# ---------------------------------------------------------------- hostile values


def test_printable_drops_what_hides_or_turns_text_around() -> None:
    assert printable(HOSTILE_NAME) == "王芳 [31m 李四x"
    assert printable("  Zhang\tWei \r\n") == "Zhang Wei"


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_a_hostile_name_prints_without_its_hidden_characters(
    font: CJKFont, kind: str, language: str
) -> None:
    letter = replace(usual(kind, language, font), borrower_name=HOSTILE_NAME)

    text = pdf_raw_text(render_letter(letter))

    assert "王芳 [31m 李四x" in text
    hidden = [c for c in text if c in "\u202e\u202c\u2066\u2069\u200b\ue000\x1b\x07"]
    assert hidden == []


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner.left >= outer.left - SLACK
        and inner.bottom >= outer.bottom - SLACK
        and inner.right <= outer.right + SLACK
        and inner.top <= outer.top + SLACK
    )


def _overlap(a: Box, b: Box, slack: float = SLACK) -> bool:
    across = min(a.right, b.right) - max(a.left, b.left)
    up = min(a.top, b.top) - max(a.bottom, b.bottom)
    return across > slack and up > slack


def _layout_problems(placed: list[Placed]) -> list[str]:
    page = Box(0, 0, *A4)
    problems = []
    for block in placed:
        where = f"page {block.page}, {' / '.join(block.lines)[:40]!r}"
        for line in block.lines:
            width = pdfmetrics.stringWidth(line, block.font, block.size)
            if width > block.room.width + SLACK:
                problems.append(f"{where}: {width:.1f} pt wide in {block.room.width:.1f} pt")
        if len(block.lines) * block.leading > block.room.height + SLACK:
            problems.append(f"{where}: {len(block.lines)} lines in {block.room.height:.1f} pt")
        if not _inside(block.room, block.bounds):
            problems.append(f"{where}: {block.room} leaves its cell or frame {block.bounds}")
        if not _inside(block.bounds, page):
            problems.append(f"{where}: {block.bounds} leaves the page")
    for a, b in combinations(placed, 2):
        if a.page == b.page and _overlap(a.room, b.room):
            problems.append(f"page {a.page}: {a.lines[0][:30]!r} overlaps {b.lines[0][:30]!r}")
    return problems


@pytest.mark.parametrize("values", [usual, hostile], ids=["usual", "hostile"])
@pytest.mark.parametrize(("kind", "language"), CASES)
def test_every_line_keeps_to_its_box_and_no_two_boxes_overlap(
    font: CJKFont, kind: str, language: str, values: object
) -> None:
    placed: list[Placed] = []
    letter = values(kind, language, font)  # type: ignore[operator]

    render_letter(letter, layout=placed)

    assert len(placed) > 30
    problems = _layout_problems(placed)
    assert not problems, "\n".join(problems[:20])
    # The long values are set whole, each in one box.
    blocks = [_squash("".join(block.lines)) for block in placed]
    for value in (printable(letter.borrower_name), letter.contract_no, letter.letter_no):
        assert any(_squash(value) in block for block in blocks), value


def _word_problems(pages: list[list[Word]]) -> list[str]:
    width, height = A4
    problems = []
    for number, words in enumerate(pages, start=1):
        for word in words:
            if word.left < MARGIN - WORD_SLACK or word.right > width - MARGIN + WORD_SLACK:
                problems.append(f"page {number}: {word.text!r} runs into the margin")
            if word.top < 0 or word.bottom > height:
                problems.append(f"page {number}: {word.text!r} leaves the page")
        for a, b in combinations(words, 2):
            a_box = Box(a.left, -a.bottom, a.right, -a.top)
            b_box = Box(b.left, -b.bottom, b.right, -b.top)
            if _overlap(a_box, b_box, WORD_SLACK):
                problems.append(f"page {number}: {a.text!r} overlaps {b.text!r}")
    return problems


@pytest.mark.parametrize("values", [usual, hostile], ids=["usual", "hostile"])
@pytest.mark.parametrize(("kind", "language"), CASES)
def test_no_word_of_the_written_pdf_runs_into_the_margin_or_over_another(
    font: CJKFont, kind: str, language: str, values: object
) -> None:
    data = render_letter(values(kind, language, font))  # type: ignore[operator]

    problems = _word_problems(pdf_words(data))

    assert not problems, "\n".join(problems[:20])


def test_an_ordinary_letter_is_one_page(font: CJKFont) -> None:
    for kind, language in CASES:
        data = render_letter(usual(kind, language, font))
        assert len(PdfReader(io.BytesIO(data)).pages) == 1, (kind, language)
