"""Service messages: literal templates, values that fit them, and a Chinese text for each."""

from __future__ import annotations

import ast
import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.services import messages
from app.services.common.errors import DomainError, InvalidAmount, InvalidInput, Localized, Message
from app.services.common.money import parse_amount
from app.services.contact.checklists import ChecklistIncomplete, validate_checklist
from app.services.contact.compliance import Evaluator, PastAttempt, Point, Subject, load_profile
from app.services.messages import find_sites, placeholders, service_files, sites, templates

CATALOGUE = messages.ROOT / "resources" / "i18n" / "collector_zh_CN.ts"
CJK = re.compile(r"[\u4e00-\u9fff]")
LOAN, MOBILE = uuid.uuid4(), uuid.uuid4()


def chinese_catalogue() -> dict[str, ET.Element]:
    """The ServiceMessages entries of the Chinese .ts, by English source text."""
    root = ET.parse(CATALOGUE).getroot()
    found: dict[str, ET.Element] = {}
    for context in root.iter("context"):
        if context.findtext("name") == messages.CONTEXT:
            for message in context.iter("message"):
                translation = message.find("translation")
                assert translation is not None
                found[message.findtext("source") or ""] = translation
    return found


@pytest.mark.parametrize("path", service_files(), ids=lambda path: path.name)
def test_every_message_in_the_services_has_a_literal_template(path: Path) -> None:
    loose = [
        site.where for site in messages.sites_in(path) if site.must_be_literal and not site.template
    ]
    assert loose == [], "an f-string or built text is no translation key"


def test_the_literal_check_catches_fstrings_concatenation_and_aliases() -> None:
    source = """
import app.services.common.errors as errs
raise InvalidInput(f"Unknown {code}.")
raise errs.NotFound("There is no " + name)
raise Alias("Fine {code}.", code=code)
raise InvalidInput("Also fine.")
raise ValueError(f"not for users {code}")
"""
    found = list(
        find_sites(
            source,
            {"InvalidInput": InvalidInput, "Alias": InvalidAmount, "errs": messages.errors},
            "example.py",
        )
    )
    assert [(site.line, site.sink, site.template) for site in found] == [
        (3, "InvalidInput", None),
        (4, "NotFound", None),
        (5, "InvalidAmount", "Fine {code}."),
        (6, "InvalidInput", "Also fine."),
    ]
    assert found[2].params == {"code"}


def test_every_template_gets_exactly_the_values_it_names() -> None:
    wrong = [
        (site.where, site.template, sorted(site.params))
        for site in sites()
        if site.template is not None
        and site.params is not None
        and placeholders(site.template) != site.params
    ]
    assert wrong == []


def test_the_catalogue_holds_error_and_rule_block_templates() -> None:
    found = templates()
    assert "The promise date {date} is in the past." in found
    assert found["it is {time} in {zone}"].startswith("app/services/contact/compliance.py:")
    assert not any("{what}" in template for template in found)


def test_every_template_has_a_finished_chinese_translation_with_the_same_placeholders() -> None:
    catalogue = chinese_catalogue()
    problems = []
    for template, where in templates().items():
        translation = catalogue.get(template)
        if translation is None:
            problems.append((where, template, "missing: run scripts/translations"))
        elif translation.get("type") == "unfinished" or not (translation.text or "").strip():
            problems.append((where, template, "not translated"))
        elif not CJK.search(translation.text or ""):
            problems.append((where, template, "no Chinese in the translation"))
        elif placeholders(translation.text or "") != placeholders(template):
            problems.append((where, template, f"placeholders differ: {translation.text}"))
    assert problems == []


def test_the_generated_file_lists_every_template_for_lupdate(tmp_path: Path) -> None:
    target = tmp_path / "service_messages.py"
    assert messages.main([str(target)]) == 0
    calls = [
        node
        for node in ast.walk(ast.parse(target.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
    ]
    assert all(isinstance(c.func, ast.Name) and c.func.id == "QT_TRANSLATE_NOOP" for c in calls)
    pairs = [tuple(ast.literal_eval(arg) for arg in call.args) for call in calls]
    assert sorted(pairs) == sorted((messages.CONTEXT, template) for template in templates())


def test_a_domain_error_keeps_its_template_values_and_english_message() -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_amount("12.345", what="promise")
    error = caught.value
    assert error.template == "The promised amount “{text}” has more than two decimal places."
    assert error.params == {"text": "12.345"}
    assert (
        error.message
        == str(error)
        == "The promised amount “12.345” has more than two decimal places."
    )


def test_data_texts_and_nested_messages_read_as_english_in_the_message() -> None:
    error = DomainError(
        "{reason} ({detail})",
        reason=Localized("Quiet hours", "休息时间"),
        detail=Message("it is {time} in {zone}", {"time": "22:30", "zone": "Asia/Shanghai"}),
    )
    assert error.message == "Quiet hours (it is 22:30 in Asia/Shanghai)"


def test_a_moment_is_a_value_that_reads_in_the_business_zone_without_utc() -> None:
    moment = datetime(2026, 11, 28, 16, 5, tzinfo=UTC)  # 00:05 the next day in Beijing
    error = DomainError("The callback time {time} is in the past.", time=moment)
    assert error.params == {"time": moment}
    assert error.message == "The callback time 2026-11-29 00:05 is in the past."
    nested = DomainError("({detail})", detail=Message("at {time}", {"time": moment}))
    assert nested.message == "(at 2026-11-29 00:05)"


def test_no_service_template_says_utc() -> None:
    # Moments are values the reader shows in their own zone; a template naming one zone lies.
    assert [template for template in templates() if "UTC" in template] == []


def test_an_incomplete_checklist_names_its_items_in_both_languages() -> None:
    with pytest.raises(ChecklistIncomplete) as caught:
        validate_checklist("angry", "RTP", ())
    error = caught.value
    named = error.params["missing"]
    assert isinstance(named, Localized)
    for item in error.missing:
        assert f"{item.id} ({item.en})" in error.message
        assert f"{item.id}（{item.zh_CN}）" in named.zh_CN
    assert error.params["code"] == "RTP"


def quiet_decision(at: datetime, *zones: str) -> tuple[str, str, dict[str, str]]:
    subject = Subject(LOAN, frozenset(), (), frozenset({MOBILE}))
    point = Point(id=MOBILE, kind="mobile", zones=zones)
    decision = Evaluator(load_profile("CN")).evaluate(subject, point, "call", at)
    assert not decision.allowed
    return decision.detail, decision.detail_template, dict(decision.detail_params)


def test_a_quiet_hours_block_carries_its_detail_as_template_and_values() -> None:
    late = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)  # 22:30 in Beijing
    detail, template, params = quiet_decision(late, "Asia/Shanghai")
    assert (template, params) == (
        "it is {time} in {zone}",
        {"time": "22:30", "zone": "Asia/Shanghai"},
    )
    assert detail == "it is 22:30 in Asia/Shanghai"
    detail, template, params = quiet_decision(late, "Asia/Shanghai", "Asia/Tokyo")
    assert template == "local times outside the allowed hours: {times}"
    assert detail == "local times outside the allowed hours: 22:30 Asia/Shanghai, 23:30 Asia/Tokyo"


def test_a_count_block_names_its_count_and_limit_and_decisions_stay_hashable() -> None:
    at = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 11:00 in Beijing
    history = [
        PastAttempt(at - timedelta(minutes=m), LOAN, MOBILE, "call", True, True, True)
        for m in (10, 20, 30)
    ]
    subject = Subject(LOAN, frozenset(), ("Asia/Shanghai",), frozenset({MOBILE}))
    point = Point(id=MOBILE, kind="mobile", zones=("Asia/Shanghai",))
    decision = Evaluator(load_profile("CN")).evaluate(subject, point, "call", at, history)
    assert decision.detail_template == "{count} answered calls today (limit {limit})"
    assert decision.detail == decision.detail_template.format(**decision.detail_params)
    assert decision.detail_params["count"] == "3"
    assert {decision: 1}[decision] == 1


def test_a_conversation_block_carries_the_moment_itself_and_stays_hashable() -> None:
    talked = datetime(2026, 11, 15, 15, 0, tzinfo=UTC)
    history = [PastAttempt(talked, LOAN, MOBILE, "call", True, True, True)]
    subject = Subject(LOAN, frozenset(), ("America/New_York",), frozenset({MOBILE}))
    point = Point(id=MOBILE, kind="mobile", zones=("America/New_York",))
    at = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    decision = Evaluator(load_profile("US")).evaluate(subject, point, "call", at, history)
    assert decision.rule_id == "us.after_conversation"
    assert decision.detail_template == "spoke with the consumer {time}"
    assert decision.detail_params == {"time": talked}
    assert decision.detail == "spoke with the consumer 2026-11-15 23:00"
    assert {decision: 1}[decision] == 1
