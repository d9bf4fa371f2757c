"""The letters' texts as data: both languages for every text, the same placeholders in each,
and none of the words a letter to a borrower must never use."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.common.reference import load_json
from tests.helpers.wording import forbidden_in

LETTERS = Path(__file__).resolve().parents[3] / "resources" / "documents" / "letters"
FILES = sorted(LETTERS.glob("*.json"))


def _texts(path: Path) -> Iterator[tuple[str, str, str]]:
    """(key, language, text) of every text of a letter file, each paragraph of a list alone."""
    for key, value in json.loads(path.read_text(encoding="utf-8")).items():
        if key.startswith("_"):
            continue
        for language, text in value.items():
            for line in text if isinstance(text, list) else [text]:
                yield key, language, line


def _printed_lender_texts() -> Iterator[tuple[str, str, str]]:
    """What a letter prints of lender.json: the payment channels and the complaint channels."""
    lender = load_json("lender.json")
    for channel in lender["payment_channels"]:
        for part in ("label", "detail"):
            for language, text in channel[part].items():
                yield f"{channel['code']}.{part}", language, text
    for language, text in lender["complaints"]["regulator"]["name"].items():
        yield "complaints.regulator", language, text


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_there_are_the_common_texts_and_one_file_per_kind_of_letter() -> None:
    assert [path.stem for path in FILES] == ["common", "credit_notice", "demand"]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_every_text_is_in_both_languages_with_the_same_placeholders(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in data.items():
        if key.startswith("_"):
            continue
        assert set(value) == {"en", "zh_CN"}, key
        english, chinese = value["en"], value["zh_CN"]
        assert type(english) is type(chinese), key
        if isinstance(english, list):
            assert len(english) == len(chinese), key
            assert _fields("".join(english)) == _fields("".join(chinese)), key
        else:
            assert _fields(english) == _fields(chinese), key


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_no_letter_text_uses_a_forbidden_word_in_either_language(path: Path) -> None:
    found = [(key, language, forbidden_in(text)) for key, language, text in _texts(path)]
    assert [entry for entry in found if entry[2]] == []


def test_what_a_letter_prints_of_the_lender_uses_no_forbidden_word() -> None:
    found = [(key, language, forbidden_in(text)) for key, language, text in _printed_lender_texts()]
    assert [entry for entry in found if entry[2]] == []


def test_the_demand_letter_says_at_most_legal_recovery_in_accordance_with_the_law() -> None:
    texts = load_json("documents/letters/demand.json")["body_after"]
    assert any("legal recovery in accordance with the law" in line for line in texts["en"])
    assert any("依法" in line for line in texts["zh_CN"])


@pytest.mark.parametrize(
    "sentence",
    [
        "Pay today or we will call the police.",
        "We will take you to COURT.",
        "Your employer will be told.",
        "You could borrow from a friend or use a credit card.",
        "This is your final   warning.",
        "如不还款，我们将起诉你。",
        "请向亲友借钱还款。",
        "你已被列入黑名单，我们会联系你的单位。",
        "后果\n自负",
    ],
)
def test_the_scan_finds_threats_exposure_and_borrowing_elsewhere(sentence: str) -> None:
    assert forbidden_in(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The lender may refer the account for legal recovery in accordance with the law.",
        "本公司可依法通过法律途径追偿。",
        "Late repayment may affect your credit record; courteous staff are there to help.",
    ],
)
def test_the_scan_lets_factual_words_through(sentence: str) -> None:
    assert forbidden_in(sentence) == []
