"""The Chinese catalogue: up to date with every tr() in the window, and complete."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import PySide6

from app.ui.common.i18n import RESOURCES, source

ROOT = RESOURCES.parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def entries(path: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(path).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found[(name, message.findtext("source") or "")] = translation
    return found


def refreshed(tmp_path: Path) -> Path:
    """What `scripts/translations` would make of the catalogue from today's code."""
    copy = tmp_path / "collector_zh_CN.ts"
    shutil.copy(source("zh_CN"), copy)
    generated = tmp_path / "service_messages.py"
    subprocess.run([sys.executable, "-m", "app.services.messages", str(generated)], check=True)
    sources = sorted(str(path) for path in (ROOT / "app" / "ui").rglob("*.py"))
    lupdate = Path(PySide6.__file__).parent / "lupdate"
    subprocess.run(
        [
            str(lupdate),
            "-silent",
            "-no-obsolete",
            "-locations",
            "none",
            *sources,
            str(generated),
            "-ts",
            str(copy),
        ],
        check=True,
        capture_output=True,
    )
    return copy


def test_the_catalogue_holds_exactly_the_strings_of_the_code(tmp_path: Path) -> None:
    shipped = set(entries(source("zh_CN")))
    current = set(entries(refreshed(tmp_path)))
    assert sorted(current - shipped) == [], "run scripts/translations and translate the new ones"
    assert sorted(shipped - current) == [], "run scripts/translations to drop the stale ones"


def test_every_string_has_a_finished_chinese_translation_with_its_placeholders() -> None:
    problems = []
    for (context, text), translation in entries(source("zh_CN")).items():
        chinese = translation.text or ""
        if translation.get("type") == "unfinished" or not chinese.strip():
            problems.append(f"{context}: {text!r} is not translated")
        elif set(re.findall(r"\{\w+\}", chinese)) != set(re.findall(r"\{\w+\}", text)):
            problems.append(f"{context}: {text!r} has other placeholders in Chinese")
        elif re.search(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", text)) and not CJK.search(chinese):
            problems.append(f"{context}: {text!r} left in English")
    assert problems == []
