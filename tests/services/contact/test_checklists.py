"""Emotion checklists: the data is complete and well-formed, and the service filters it right."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.common.errors import InvalidInput
from app.services.common.reference import RESOURCES, dispositions, emotions, support
from app.services.contact.checklists import (
    ChecklistIncomplete,
    checklist_for,
    missing_items,
    support_lines,
    validate_checklist,
)
from app.services.contact.compliance import profile_code_for

CJK = re.compile(r"[\u4e00-\u9fff]")
ANSWERED = sorted(code for code, meaning in dispositions().items() if meaning.contact)
UNANSWERED = sorted(code for code, meaning in dispositions().items() if not meaning.contact)


def ids(emotion: str, code: str) -> list[str]:
    return [item.id for item in checklist_for(emotion, code)]


def test_every_emotion_has_a_checklist_file_and_nothing_else_does() -> None:
    files = {path.stem for path in (RESOURCES / "checklists").glob("*.json")}
    assert files == {"all", *emotions()}


@pytest.mark.parametrize("emotion", sorted(emotions()))
def test_items_have_stable_ids_and_both_languages(emotion: str) -> None:
    items = checklist_for(emotion, "PTP")
    assert len({item.id for item in items}) == len(items)
    for item in items:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", item.id)
        assert item.en.strip() and item.text("en") == item.en
        assert CJK.search(item.zh_CN) and item.text("zh_CN") == item.zh_CN
        assert not CJK.search(item.en)


def test_an_id_belongs_to_one_file_only() -> None:
    # Sharing goes through "includes", so a stored id always means the same words.
    seen: dict[str, str] = {}
    for path in sorted((RESOURCES / "checklists").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            assert item["id"] not in seen, f"{item['id']} in {seen.get(item['id'])} and {path}"
            seen[item["id"]] = path.name


def test_every_contact_starts_with_the_common_items() -> None:
    for emotion in emotions():
        assert ids(emotion, "RTP")[:2] == ["all.calm_polite", "all.no_threats"]
    assert ids("calm", "RTP") == ["all.calm_polite", "all.no_threats"]


@pytest.mark.parametrize("code", ANSWERED)
def test_the_recap_is_asked_only_when_something_was_agreed(code: str) -> None:
    assert ("all.recap" in ids("calm", code)) == (code in {"PTP", "PLAN", "CB"})


def test_hostile_shares_the_de_escalation_items_and_adds_the_abuse_rule() -> None:
    angry = ids("angry", "RTP")
    hostile = ids("hostile", "RTP")
    assert {"deescalate.let_speak", "deescalate.acknowledged"} <= set(angry)
    assert hostile == [*angry, "hostile.warned_then_ended"]
    (rule,) = (item for item in checklist_for("hostile", "RTP") if item.id.startswith("hostile"))
    assert rule.required and "one warning" in rule.en


def test_vulnerability_asks_consent_and_self_harm_stops_and_escalates() -> None:
    vulnerability = ids("vulnerability", "HRD")
    assert {
        "vulnerability.thanked",
        "vulnerability.explained_record",
        "vulnerability.asked_consent",
        "vulnerability.asked_what_helps",
        "vulnerability.pointed_to_support",
    } <= set(vulnerability)
    self_harm = checklist_for("self_harm_risk", "HRD")
    assert {item.id for item in self_harm} >= {
        "self_harm.stopped_collection",
        "self_harm.gave_support_line",
        "self_harm.told_team_lead",
    }
    assert all(item.required for item in self_harm)


def test_most_items_are_required() -> None:
    every = {item.id: item for e in emotions() for item in checklist_for(e, "PTP")}
    optional = [item_id for item_id, item in every.items() if not item.required]
    assert 0 < len(optional) < len(every) / 4


def test_missing_items_are_the_required_ones_not_ticked_in_checklist_order() -> None:
    missing = missing_items("distressed", "RTP", ["all.no_threats", "distressed.offered_callback"])
    assert [item.id for item in missing] == [
        "all.calm_polite",
        "distressed.paused_collection",
        "distressed.acknowledged",
        "distressed.no_pressure",
    ]
    assert missing_items("calm", "RTP", ["all.calm_polite", "all.no_threats"]) == ()


def test_validation_names_what_is_missing_and_refuses_foreign_ids() -> None:
    with pytest.raises(ChecklistIncomplete, match=r"hostile\.warned_then_ended") as caught:
        validate_checklist("hostile", "PTP", ["all.calm_polite", "all.no_threats"])
    assert "all.recap" in caught.value.message
    assert {item.id for item in caught.value.missing} == {
        item.id for item in checklist_for("hostile", "PTP") if item.required
    } - {"all.calm_polite", "all.no_threats"}
    # A tick left over from another emotion, or from an agreement that did not happen.
    with pytest.raises(InvalidInput, match=r"deescalate\.let_speak"):
        validate_checklist(
            "calm", "RTP", ["all.calm_polite", "all.no_threats", "deescalate.let_speak"]
        )
    with pytest.raises(InvalidInput, match=r"all\.recap"):
        validate_checklist("calm", "RTP", ["all.calm_polite", "all.no_threats", "all.recap"])


@pytest.mark.parametrize("code", UNANSWERED)
def test_nobody_answered_means_nothing_to_confirm_whatever_the_emotion(code: str) -> None:
    for emotion in emotions():
        assert checklist_for(emotion, code) == ()
        assert missing_items(emotion, code, ()) == ()
        assert validate_checklist(emotion, code, ()) == ()
    # A tick from the answered checklist does not belong to a no-answer outcome.
    with pytest.raises(InvalidInput, match=r"all\.calm_polite"):
        validate_checklist("calm", code, ("all.calm_polite",))


def test_unknown_emotion_or_outcome_is_a_domain_error() -> None:
    with pytest.raises(InvalidInput, match="sleepy"):
        checklist_for("sleepy", "RTP")
    with pytest.raises(InvalidInput, match="XYZ"):
        checklist_for("calm", "XYZ")
    # Checked before the no-answer shortcut: a typo is still a typo on an unanswered call.
    with pytest.raises(InvalidInput, match="sleepy"):
        checklist_for("sleepy", "NA")


def test_support_lines_follow_where_the_borrower_lives() -> None:
    chinese = support_lines("self_harm_risk", "CN")
    assert chinese and all(line.number and CJK.search(line.text("zh_CN")) for line in chinese)
    # The profile's own lines, the compliance mark included, not a copy without it.
    assert chinese == support(profile_code_for("CN")).hotlines
    assert all(line.text("en") == line.en for line in chinese)
    american = support_lines("self_harm_risk", "US")
    assert american and {line.number for line in american}.isdisjoint(
        line.number for line in chinese
    )
    assert support_lines("calm", "CN") == ()
    with pytest.raises(InvalidInput, match="sleepy"):
        support_lines("sleepy", "CN")


@given(
    emotion=st.sampled_from(sorted(emotions())),
    code=st.sampled_from(ANSWERED),
    data=st.data(),
)
def test_a_checklist_passes_exactly_when_every_required_item_is_ticked(
    emotion: str, code: str, data: st.DataObject
) -> None:
    items = checklist_for(emotion, code)
    ticked = data.draw(st.lists(st.sampled_from([item.id for item in items]), max_size=12))
    required = {item.id for item in items if item.required}
    missing = {item.id for item in missing_items(emotion, code, ticked)}
    assert missing == required - set(ticked)
    if missing:
        with pytest.raises(ChecklistIncomplete):
            validate_checklist(emotion, code, ticked)
    else:
        stored = validate_checklist(emotion, code, ticked)
        assert set(stored) == set(ticked)
        assert list(stored) == [item.id for item in items if item.id in stored]


def test_checklists_on_a_home_visit_never_speak_of_a_call() -> None:
    from app.services.common.reference import emotions
    from app.services.field.visits import visit_outcomes

    call_words = ("通话", "回电", "call")
    shown = [
        item.text(language, visit=True)
        for emotion in emotions()
        for outcome in visit_outcomes().values()
        if outcome.checklist_as
        for item in checklist_for(emotion, outcome.checklist_as)
        for language in ("en", "zh_CN")
    ]
    assert shown
    assert [text for text in shown if any(word in text for word in call_words)] == []
