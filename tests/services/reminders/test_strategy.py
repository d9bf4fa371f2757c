"""The reminder strategy and its texts: a broken file is refused whole, with every problem
named; every message is counted in SMS segments and fits its template; values from the
lending system cannot break a message."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from app.services.common.reference import RESOURCES
from app.services.reminders.strategy import load_strategy, parse_strategy
from app.services.reminders.templates import Facts, StrategyError, render, segments

CN = json.loads((RESOURCES / "reminders" / "CN.json").read_text(encoding="utf-8"))
FACTS = Facts("张三", Decimal("1234.5"), "CNY", date(2026, 12, 10), "CW202600000042", 3)


@pytest.mark.parametrize("profile", ["CN", "US", "UK"])
def test_every_shipped_strategy_loads(profile: str) -> None:
    strategy = load_strategy(profile)
    assert strategy.steps and strategy.profile == profile
    assert {"paid", "opted_out", "do_not_contact"} <= strategy.stops


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["steps"][0].update(template="nope"), "unknown template 'nope'"),
        (lambda d: d["stops"].remove("opted_out"), "may not leave out: opted_out"),
        (lambda d: d["stops"].append("moon_phase"), "unknown stops: moon_phase"),
        (lambda d: d.update(send_window={"from": "21:00", "until": "08:00"}), "send_window"),
        (lambda d: d["weekly_max"].pop("email"), "no limit for email"),
        (lambda d: d["steps"][0].update(channels=["fax"]), "channels must be sms/email"),
        (lambda d: d["steps"][6].update(bucket="M9"), "unknown bucket 'M9'"),
        (lambda d: d["steps"][1].update(education="astrology"), "unknown education text"),
        (lambda d: d["steps"][2].update(id=d["steps"][1]["id"]), "the id is used twice"),
    ],
)
def test_a_broken_strategy_is_refused_naming_the_problem(change, problem) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(CN)
    change(data)
    with pytest.raises(StrategyError) as raised:
        parse_strategy(data, "CN.json", "CN")
    assert problem in raised.value.message


def test_a_step_whose_sms_cannot_fit_its_segments_is_refused_at_load() -> None:
    data = copy.deepcopy(CN)
    # The longest education text after the longest template, in the longest values.
    for step in data["steps"]:
        step["education"] = "hardship"
        step["template"] = "credit_notice" if step.get("kind") == "credit_notice" else "overdue"
    data["steps"] = [s for s in data["steps"] if "sms" in s["channels"]]
    from app.services.reminders import templates

    # An SMS with an education text is a registered text of its own: codes for these.
    registered = copy.deepcopy(templates.load_templates())
    for language in ("zh_CN", "en"):
        item = registered["credit_notice"]["sms"][language]
        item["education_codes"] = {"hardship": f"SMS_TEST_{language}"}
    shorter = copy.deepcopy(registered)
    shorter["overdue"]["sms"]["zh_CN"]["max_segments"] = 2
    original = templates.load_templates
    try:
        templates.load_templates = lambda: registered  # type: ignore[assignment]
        parse_strategy(data, "CN.json", "CN")  # fits as shipped
        templates.load_templates = lambda: shorter  # type: ignore[assignment]
        with pytest.raises(StrategyError) as raised:
            parse_strategy(data, "CN.json", "CN")
    finally:
        templates.load_templates = original  # type: ignore[assignment]
    assert "more than its 2" in raised.value.message


def test_an_sms_step_with_an_education_text_needs_the_code_of_that_text() -> None:
    data = copy.deepcopy(CN)
    data["steps"][0]["education"] = "hardship"  # before_3, pre_due: registered without it
    with pytest.raises(StrategyError) as raised:
        parse_strategy(data, "CN.json", "CN")
    assert "template pre_due has no SMS code registered with education hardship" in (
        raised.value.message
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # an extension character takes two septets
        ("€" * 81, 2),
        ("中" * 70, 1),
        ("中" * 71, 2),
        ("中" * 134, 2),
        ("中" * 135, 3),
        ("a" * 69 + "中", 1),  # one character outside GSM-7 makes the whole message UCS-2
        ("a" * 70 + "中", 2),
    ],
)
def test_segments_are_counted_as_carriers_count_them(text: str, parts: int) -> None:
    assert segments(text) == parts


def test_an_sms_carries_signature_amount_link_and_opt_out_line() -> None:
    made = render("pre_due", "sms", "zh_CN", FACTS)
    assert made.text.startswith("【恒信消费金融】张三您好")
    # A notification template may carry no opt-out line such as 拒收请回复R (Alibaba Cloud
    # SMS's rules for notification templates): the Chinese SMS ends with its own text.
    assert made.text.endswith("请致电400-000-5588。")
    assert "1,234.50元" in made.text and "尾号0042" in made.text
    assert "https://pay.example.cn/r/CW202600000042" in made.text
    assert made.template_code == "SMS_480010001" and made.sign_name == "恒信消费金融"
    assert made.segments == segments(made.text) <= made.max_segments  # type: ignore[operator]
    english = render("pre_due", "sms", "en", FACTS)
    assert english.text.startswith("【Hengxin Finance】Dear 张三") and "Reply STOP" in english.text


def test_a_hostile_name_cannot_break_the_message() -> None:
    hostile = Facts(
        "\u202e张三\x1b[2J\u200b\n李" + "长" * 300, Decimal(1), "CNY", date(2026, 12, 10), "C1", 1
    )
    made = render("overdue", "sms", "zh_CN", hostile)
    body = made.text
    assert "\u202e" not in body and "\x1b" not in body and "\u200b" not in body
    assert "\n" not in body
    assert not made.too_long
    blank = render(
        "overdue",
        "email",
        "en",
        Facts("\u202e\u200b", Decimal(1), "CNY", date(2026, 1, 1), "C1", 1),
    )
    assert blank.text.startswith("Dear customer,")
