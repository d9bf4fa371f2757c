"""Labels the window shows for codes: a phone region's country in the window's language."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.ui.common.labels import region_name


@pytest.mark.parametrize(
    ("code", "chinese", "english"),
    [
        ("CN", "中国", "China"),
        ("US", "美国", "United States"),  # no Chinese locale of its own in Qt
        ("GB", "英国", "United Kingdom"),
        ("JP", "日本", "Japan"),
    ],
)
def test_a_region_is_named_in_the_window_language(
    qtbot: QtBot, code: str, chinese: str, english: str
) -> None:
    assert region_name(code, "zh_CN") == chinese
    assert region_name(code, "en") == english


def test_an_unknown_or_missing_region_stays_as_given(qtbot: QtBot) -> None:
    assert region_name("ZZ", "zh_CN") == "ZZ"
    assert region_name(None, "zh_CN") == ""
