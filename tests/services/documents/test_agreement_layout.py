"""Every text box of the agreement, in both languages, with the longest names, addresses,
numbers and amounts: each line measured against its box, and the written PDF read back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import combinations

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from app.services.common.money import format_money
from app.services.documents.agreement_pdf import (
    MARGIN,
    AgreementDocument,
    read_agreement,
    render_agreement,
)
from app.services.documents.agreement_terms import (
    AgreementLine,
    AgreementTerms,
)
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import Box, Placed, Text, line_texts, styles
from app.services.plans.offers import schedule, split
from tests.helpers.pdf import Word, pdf_fonts, pdf_raw_text, pdf_words

LANGUAGES = ("zh_CN", "en")
# Rounding of the PDF's coordinates; anything more is a real overrun.
SLACK = 0.01
# pdftotext rounds a word's box from the glyphs' advances.
WORD_SLACK = 0.5
REGISTRATION_NO = "91110000MA01ABCD2X"

ZH_BORROWER = (
    "欧阳诸葛慕容司马上官东方皇甫尉迟公孙长孙宇文轩辕令狐钟离闾丘南宫西门百里呼延夏侯端木拓跋独孤"
)
EN_BORROWER = (
    "Maximilian Alexander Bartholomew Fitzgerald-Montgomery "
    "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
)
ZH_ADDRESS = (
    "新疆维吾尔自治区伊犁哈萨克自治州伊宁市解放西路街道办事处斯大林街社区居民委员会"
    "第三十七网格团结巷北二巷幸福里小区东区二十八号楼三单元十二层一二零八室（近阿合买提江街口）"
)
EN_ADDRESS = (
    "Flat 12B, 38th Floor, Tower 7, Harbour View Gardens Phase III, 2801 Extraordinarily "
    "Long Waterfront Promenade Road, Kowloon Bay, Kowloon, Hong Kong SAR, China"
)
ZH_LENDER = (
    "恒信消费金融有限公司上海浦东新区陆家嘴金融贸易区分公司"
    "暨长三角区域消费信贷业务运营中心（有限合伙）"
)
EN_LENDER = (
    "Hengxin Consumer Finance Company Limited, Shanghai Pudong New Area Lujiazui Branch and "
    "Yangtze River Delta Regional Consumer Credit Operations Centre"
)
ZH_LENDER_ADDRESS = (
    "中国（上海）自由贸易试验区陆家嘴环路一千号恒生银行大厦五十八层五八零一至五八零八单元"
)
EN_LENDER_ADDRESS = (
    "Units 5801-5808, 58th Floor, Hang Seng Bank Tower, 1000 Lujiazui Ring Road, China "
    "(Shanghai) Pilot Free Trade Zone, Shanghai 200120"
)
LONG_REGISTRATION_NO = "91310000MA1FL4XX8X-BRANCH-0001-SHANGHAI-PUDONG"
# The longest agreement number the database holds (40), and a contract number beyond its 32.
LONG_AGREEMENT_NO = "HX-20261128-1A2B3C4D-SHANGHAI-PUDONG-001"
LONG_CONTRACT_NO = "HXLOANCONTRACT20240615SHANGHAIPUDONGBRANCH00000000001234567890"


@pytest.fixture(scope="module")
def font() -> CJKFont:
    return cjk_font()


def terms_of(
    *,
    principal: str,
    interest: str = "0.00",
    waiver: str = "0.00",
    down_payment: str = "0.00",
    instalments: int,
    currency: str = "CNY",
    agreement_no: str = "HX-20261128-1A2B3C4D",
    contract_no: str = "HX2024060012345",
    borrower: str = "张伟",
) -> AgreementTerms:
    overdue = Decimal(principal) + Decimal(interest)
    total = overdue - Decimal(waiver)
    dates = schedule(date(2026, 12, 28), "monthly", instalments)
    lines = tuple(
        AgreementLine(line.seq, line.due_date, line.amount)
        for line in split(total - Decimal(down_payment), dates)
    )
    return AgreementTerms(
        agreement_no=agreement_no,
        agreement_date=date(2026, 11, 28),
        contract_no=contract_no,
        borrower_name=borrower,
        borrower_id_masked="110101********1234",
        currency=currency,
        kind="instalments",
        frequency="monthly",
        overdue_principal=Decimal(principal),
        overdue_interest=Decimal(interest),
        overdue_penalty=Decimal("0.00"),
        overdue_fees=Decimal("0.00"),
        waiver=Decimal(waiver),
        discount=Decimal("0.00"),
        down_payment=Decimal(down_payment),
        total=total,
        lines=lines,
    )


def usual(language: str, font: CJKFont) -> AgreementDocument:
    """An agreement as most are: short names, a few thousand yuan, three instalments."""
    chinese = language == "zh_CN"
    return AgreementDocument(
        terms=terms_of(
            principal="18000.00",
            interest="1234.56",
            waiver="400.00",
            down_payment="500.00",
            instalments=3,
        ),
        language=language,
        lender_name="恒信消费金融有限公司" if chinese else "Hengxin Consumer Finance Co., Ltd.",
        lender_service_number="400-000-5588",
        lender_registration_no=REGISTRATION_NO,
        lender_address="上海市浦东新区陆家嘴环路1000号" if chinese else "1000 Lujiazui Ring Rd",
        borrower_id_printed="110101********1234",
        borrower_address="北京市东城区东直门南大街甲3号院12号楼3单元502室",
        borrower_phone="138 0013 8000",
        product="恒信随借" if chinese else "Hengxin Flex",
        loan_principal=Decimal("30000.00"),
        disbursed_on=date(2024, 6, 15),
        payment_channels=(("恒信消费金融App" if chinese else "Hengxin App", "立即还款"),),
        grace_days=5,
        retention_years=5,
        font=font,
    )


def long_values(language: str, font: CJKFont) -> AgreementDocument:
    """Every name, address and number as long as it can be, 99,999,999.99 in 60 instalments."""
    chinese = language == "zh_CN"
    return replace(
        usual(language, font),
        terms=terms_of(
            principal="99999999.99",
            interest="12345678.90",
            waiver="1000000.00",
            down_payment="9999999.99",
            instalments=60,
            agreement_no=LONG_AGREEMENT_NO,
            contract_no=LONG_CONTRACT_NO,
            borrower=ZH_BORROWER if chinese else EN_BORROWER,
        ),
        lender_name=ZH_LENDER if chinese else EN_LENDER,
        lender_service_number="400-000-5588 / +86 21 6888 0000 ext. 8000",
        lender_registration_no=LONG_REGISTRATION_NO,
        lender_address=ZH_LENDER_ADDRESS if chinese else EN_LENDER_ADDRESS,
        borrower_address=ZH_ADDRESS if chinese else EN_ADDRESS,
        borrower_phone="+86 138 0013 8000 / +86 991 812 3456 ext. 1208",
        product="恒信随借随还循环消费信用贷款（线上渠道专享）二零二四年第三期" * 2
        if chinese
        else "Hengxin Flex Revolving Consumer Credit Line, Online Channel Exclusive, 2024 Series 3",
        loan_principal=Decimal("99999999.99"),
        payment_channels=(
            (
                "恒信消费金融App（苹果及安卓手机应用商店均可下载）" if chinese else "Hengxin App",
                "打开App，进入“我的借款”，点击“立即还款”，选择本协议对应的借款合同并确认金额。"
                if chinese
                else "Open the app, go to My loans, tap Repay now and choose this agreement's "
                "contract; confirm the amount and pay from a bank card in your own name.",
            ),
        ),
    )


def largest_amounts(language: str, font: CJKFont) -> AgreementDocument:
    """The largest amounts an agreement can hold (under 10^12), with the widest currency sign."""
    return replace(
        usual(language, font),
        terms=terms_of(
            principal="999999999999.99",
            waiver="900000000000.00",
            down_payment="9999999999.99",
            instalments=9,
            currency="HKD",
        ),
        loan_principal=Decimal("999999999999.99"),
    )


def overlong_numbers(language: str, font: CJKFont) -> AgreementDocument:
    """Numbers far longer than the database holds: the footer's number and digest wrap too."""
    document = long_values(language, font)
    return replace(
        document,
        terms=replace(
            document.terms,
            agreement_no="还款协议" + LONG_AGREEMENT_NO * 3,
            contract_no=LONG_CONTRACT_NO * 2,
        ),
    )


CASES = {
    "usual": usual,
    "long values": long_values,
    "largest amounts": largest_amounts,
    "overlong numbers": overlong_numbers,
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
                problems.append(
                    f"{where}: {line!r} is {width:.1f} pt wide in {block.room.width:.1f} pt"
                )
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


def _shown(document: AgreementDocument) -> list[str]:
    """What must be printed in full: every name, number, address and amount."""
    terms = document.terms
    money = [
        terms.overdue_principal,
        terms.overdue_interest,
        terms.overdue,
        -terms.waiver,
        terms.total,
        terms.down_payment,
        document.loan_principal,
        *(line.amount for line in terms.lines),
    ]
    return [
        terms.agreement_no,
        terms.contract_no,
        terms.borrower_name,
        document.borrower_address,
        document.borrower_phone,
        document.lender_name,
        document.lender_address,
        document.lender_registration_no,
        document.lender_service_number,
        document.product,
        *(format_money(amount, terms.currency) for amount in money),
    ]


# ---------------------------------------------------------------- the boxes, as drawn


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_line_fits_its_box_and_no_two_boxes_overlap(
    font: CJKFont, language: str, case: str
) -> None:
    document = CASES[case](language, font)
    placed: list[Placed] = []

    render_agreement(document, layout=placed)

    assert len(placed) > 50
    problems = _layout_problems(placed)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_long_value_is_set_whole_in_one_box(font: CJKFont, language: str, case: str) -> None:
    document = CASES[case](language, font)
    placed: list[Placed] = []

    render_agreement(document, layout=placed)

    blocks = [_squash("".join(block.lines)) for block in placed]
    missing = [value for value in _shown(document) if not _in_one(_squash(value), blocks)]
    assert not missing


def _in_one(value: str, blocks: Iterable[str]) -> bool:
    return any(value in block for block in blocks)


def test_the_chinese_id_label_wraps_in_its_column_left_of_the_lenders_code(
    font: CJKFont,
) -> None:
    placed: list[Placed] = []

    render_agreement(usual("zh_CN", font), layout=placed)

    label = next(block for block in placed if block.lines[0].startswith("统一社会信用代码"))
    code = next(block for block in placed if block.lines == (REGISTRATION_NO,))
    assert _squash("".join(label.lines)) == "统一社会信用代码/身份证号码"
    assert len(label.lines) == 2
    assert label.room.right <= code.room.left
    assert label.room.top == pytest.approx(code.room.top)


def test_a_full_stop_that_would_hang_past_the_edge_takes_a_character_to_the_next_line(
    font: CJKFont,
) -> None:
    style = styles(font.name).cell
    text = "一二三四五六七八九十。"
    width = pdfmetrics.stringWidth(text[:-1], font.name, style.fontSize)
    hanging = Paragraph(text, style)
    hanging.wrap(width, 100)
    assert line_texts(hanging.blPara) == (text,)  # reportlab lets the 。 hang past the edge

    kept = Text(text, style)
    kept.wrap(width, 100)

    assert line_texts(kept.blPara) == ("一二三四五六七八九", "十。")
    for line in line_texts(kept.blPara):
        assert pdfmetrics.stringWidth(line, font.name, style.fontSize) <= width


# ---------------------------------------------------------------- the written PDF, read back


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


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_two_words_of_the_written_pdf_overlap_or_run_into_the_margin(
    font: CJKFont, language: str, case: str
) -> None:
    data = render_agreement(CASES[case](language, font))

    problems = _word_problems(pdf_words(data))

    assert not problems, "\n".join(problems[:20])


def test_the_chinese_id_label_and_the_lenders_code_do_not_overlap_in_the_pdf(
    font: CJKFont,
) -> None:
    data = render_agreement(usual("zh_CN", font))

    words = pdf_words(data)[0]
    code = next(word for word in words if word.text == REGISTRATION_NO)
    # The label's words, on the code's line or the one below.
    label = [
        word
        for word in words
        if word.text in ("统一社会信用代码", "/", "身份证号码") and abs(word.top - code.top) < 15
    ]
    assert {word.text for word in label} == {"统一社会信用代码", "/", "身份证号码"}
    for word in label:
        assert word.right <= code.left, (word, code)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_long_values_are_printed_whole_read_back_and_set_in_embedded_fonts(
    font: CJKFont, language: str, case: str
) -> None:
    document = CASES[case](language, font)

    data = render_agreement(document)

    printed = _squash(pdf_raw_text(data))
    missing = [value for value in _shown(document) if _squash(value) not in printed]
    assert not missing
    read = read_agreement(data)
    assert read.problems == ()
    assert read.consistent
    assert read.terms == document.terms
    fonts = pdf_fonts(data)
    assert fonts and all(row.embedded for row in fonts), fonts
