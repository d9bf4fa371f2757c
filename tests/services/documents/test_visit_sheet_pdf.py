from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.services.common.reference import load_json
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.visit_sheet_pdf import (
    SheetContact,
    SheetPoint,
    SheetStop,
    VisitDay,
    render_visit_sheets,
)
from tests.helpers.pdf import pdf_fonts, pdf_pages

FULL_ID = "110101199003071234"
RULES = (
    "每次上门至少两名外访人员同行",
    "出示工作证，表明身份和来意",
    "经住户同意方可进入",
    "全程录音录像",
)
OUTCOMES = ("见到借款人", "不在家", "已搬离", "拒绝沟通", "已还款", "承诺还款")
EMOTIONS = ("平静", "焦虑", "愤怒", "情绪崩溃", "敌对/辱骂", "披露弱势情况", "表达自伤或伤害风险")


@pytest.fixture(scope="module")
def font() -> CJKFont:
    return cjk_font()


def make_stop(seq: int, **changes: object) -> SheetStop:
    stop = SheetStop(
        seq=seq,
        district="东城区",
        address=f"东直门南大街甲{seq}号院12号楼3单元502室",
        borrower_name=f"借款人{seq}",
        borrower_id_masked=f"1101{seq:02d}********1234",
        contract_no=f"HX20240600{seq:05d}",
        product="恒信随借",
        currency="CNY",
        dpd=40 + seq,
        bucket="M2",
        overdue=Decimal("3200.50") + seq,
        owed=Decimal("15000.00"),
        points=(
            SheetPoint("手机", "138 0013 8000", "本人"),
            SheetPoint("紧急联系人", "139 0000 1111", "配偶 李娜"),
        ),
        last_contacts=tuple(
            SheetContact(
                datetime(2026, 11, 20 + day, 6, 5, tzinfo=UTC),
                "电话",
                "承诺还款",
                "借款人表示月底发工资后还款。",
            )
            for day in range(5)
        ),
        open_promises=("¥1,000.00 于 2026年11月30日",),
        open_plans=(),
        talking_points=(f"核实借款人{seq}是否仍住此地址", "说明逾期后果，不作任何威胁"),
        reason="电话连续7天无法接通，组长标记上门",
    )
    return replace(stop, **changes)  # type: ignore[arg-type]


def make_day(font: CJKFont, stops: int = 3, **changes: object) -> VisitDay:
    day = VisitDay(
        language="zh_CN",
        day=date(2026, 11, 29),
        agent="王强",
        second_agent="刘洋",
        team="北京外访一组",
        visit_hours="08:00–20:00",
        rules=RULES,
        outcomes=OUTCOMES,
        emotions=EMOTIONS,
        zone="Asia/Shanghai",
        stops=tuple(make_stop(seq) for seq in range(1, stops + 1)),
        font=font,
    )
    return replace(day, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sheets(font: CJKFont) -> bytes:
    return render_visit_sheets(make_day(font))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_an_itinerary_page_then_one_page_per_stop(sheets: bytes) -> None:
    pages = pdf_pages(sheets)

    assert len(pages) == 4
    assert len(PdfReader(BytesIO(sheets)).pages) == 4
    itinerary = _squash(pages[0])
    assert "外访行程单" in itinerary
    assert "2026年11月29日" in itinerary
    assert "王强" in itinerary and "刘洋" in itinerary and "北京外访一组" in itinerary
    assert "08:00–20:00" in itinerary
    for rule in RULES:
        assert rule in itinerary
    # The route, in order.
    positions = [itinerary.index(f"HX20240600{seq:05d}") for seq in (1, 2, 3)]
    assert positions == sorted(positions)
    assert "¥3,201.50" in itinerary


def test_each_stop_page_has_what_the_visit_needs(sheets: bytes) -> None:
    pages = pdf_pages(sheets)

    for seq, page in enumerate(pages[1:], start=1):
        text = _squash(page)
        assert f"第{seq}站/共3站" in text
        assert f"借款人{seq}" in text
        assert f"1101{seq:02d}********1234" in text
        assert f"东城区东直门南大街甲{seq}号院12号楼3单元502室" in text
        assert "13800138000" in text and "13900001111" in text
        assert "配偶李娜" in text and "紧急联系人" in text
        assert f"HX20240600{seq:05d}" in text and f"{40 + seq}天·M2" in text
        assert "¥15,000.00" in text
        assert "电话连续7天无法接通" in text
        assert "¥1,000.00于2026年11月30日" in text
        assert f"核实借款人{seq}是否仍住此地址" in text
        for label in (*OUTCOMES, *EMOTIONS):
            assert label in text
        for heading in ("沟通要点", "外访结果", "借款人情绪", "情况记录", "执行中的还款计划"):
            assert heading in text
        assert "外访专员签字" in text and "同行专员签字" in text and "借款人签字" in text


def test_every_page_repeats_the_rules_and_is_numbered(sheets: bytes) -> None:
    pages = pdf_pages(sheets)

    for number, page in enumerate(pages, start=1):
        text = _squash(page)
        assert "外访规范：" + "；".join(RULES) in text
        assert "内含个人信息" in text
        assert f"第{number}页/共{len(pages)}页" in text


def test_past_contacts_show_in_the_days_zone(sheets: bytes) -> None:
    # 06:05 UTC is 14:05 in Beijing.
    text = _squash(pdf_pages(sheets)[1])

    for day in range(20, 25):
        assert f"2026年11月{day}日14:05电话承诺还款" in text


def test_only_masked_ids_are_printed(sheets: bytes) -> None:
    text = "".join(pdf_pages(sheets))

    assert "********" in text
    assert FULL_ID not in text


def test_every_font_is_embedded(sheets: bytes) -> None:
    rows = pdf_fonts(sheets)

    assert rows
    assert all(row.embedded for row in rows), rows


def test_metadata_names_the_day_and_the_agent(sheets: bytes) -> None:
    metadata = PdfReader(BytesIO(sheets)).metadata

    assert metadata is not None
    assert metadata.title == "外访单 2026年11月29日"
    assert metadata.author == "王强"
    assert metadata.subject == "外访行程单"
    assert str(metadata.creator).startswith("Collector Workstation")


def test_a_stop_with_much_to_say_still_fits_its_page(font: CJKFont) -> None:
    crowded = make_stop(
        1,
        address="东直门南大街甲3号院" * 12,
        reason="多次承诺未兑现，且借款人称已搬家，需核实。" * 6,
        last_contacts=tuple(
            SheetContact(datetime(2026, 11, 20, 6, 5, tzinfo=UTC), "电话", "承诺还款", "很长" * 200)
            for _ in range(5)
        ),
        open_promises=tuple(f"承诺{n}" for n in range(8)),
        open_plans=tuple(f"计划{n}" for n in range(8)),
        talking_points=tuple(f"要点{n}：" + "说明情况" * 20 for n in range(10)),
    )
    day = replace(make_day(font), stops=(crowded, make_stop(2)))

    pages = pdf_pages(render_visit_sheets(day))

    assert len(pages) == 3
    assert "第1站/共2站" in _squash(pages[1])
    assert "第2站/共2站" in _squash(pages[2])


def test_a_missing_second_agent_is_asked_for(font: CJKFont) -> None:
    pages = pdf_pages(render_visit_sheets(make_day(font, second_agent=None)))

    assert "上门须两人同行：请在此填写同行专员姓名" in _squash(pages[0])


def test_a_day_without_stops_is_one_itinerary_page(font: CJKFont) -> None:
    pages = pdf_pages(render_visit_sheets(make_day(font, stops=0)))

    assert len(pages) == 1
    assert "当日没有安排上门外访。" in _squash(pages[0])


def test_english_sheets_are_in_english(font: CJKFont) -> None:
    day = make_day(
        font,
        language="en",
        rules=("At least two agents on every visit", "Enter only with consent"),
        outcomes=("Met the borrower", "Not at home"),
        emotions=("Calm", "Self-harm or harm risk expressed"),
    )

    pages = pdf_pages(render_visit_sheets(day))

    assert len(pages) == 4
    assert "Field visit itinerary" in pages[0]
    assert "29 Nov 2026" in pages[0]
    assert "Stop 2 of 3" in pages[2]
    words = " ".join(pages[2].split())
    for label in ("Met the borrower", "Not at home", "Calm"):
        assert label in words
    # Labels too long for their column wrap there.
    assert "Outcome of the" in words and "Self-harm or harm" in words
    assert "Page 4 of 4" in pages[3]
    assert "Rules: At least two agents on every visit; Enter only with consent" in pages[3]
    assert "外访行程单" not in "".join(pages)


def test_markup_characters_in_data_print_as_they_are(font: CJKFont) -> None:
    day = make_day(font, stops=1)
    day = replace(day, stops=(make_stop(1, borrower_name="A&B <C>", reason="x < y & z"),))

    text = _squash("".join(pdf_pages(render_visit_sheets(day))))

    assert "A&B<C>" in text
    assert "x<y&z" in text


def test_every_text_has_both_languages_with_the_same_placeholders() -> None:
    entries = load_json("documents/visit_sheet.json")
    assert "_about" in entries
    for key, value in entries.items():
        if key.startswith("_"):
            continue
        en, zh = value["en"], value["zh_CN"]
        assert isinstance(en, str) and isinstance(zh, str), key
        assert en.strip() and zh.strip(), key
        assert _fields(en) == _fields(zh), key


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
