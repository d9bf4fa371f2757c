from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics

from app.services.documents import fonts
from app.services.documents.fonts import FONT_ENV, FontMissing, cjk_font

# Bitstream Vera ships with reportlab: a TrueType font without a single Chinese character.
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@pytest.fixture(autouse=True)
def no_font_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(FONT_ENV, raising=False)
    # Held here: a test may replace the module's function before this fixture tears down.
    candidates = fonts.fontconfig_candidates
    candidates.cache_clear()
    yield
    candidates.cache_clear()


@pytest.fixture
def system_font() -> Path:
    """The font fontconfig offers on this machine (scripts/system-packages installs one)."""
    candidates = fonts.fontconfig_candidates()
    assert candidates, "no Chinese TrueType font: run scripts/system-packages"
    return candidates[0][0]


def _face_has(font_name: str, text: str) -> bool:
    face = pdfmetrics.getFont(font_name).face
    return all(ord(char) in face.charToGlyph for char in text)


def test_fontconfig_finds_a_registered_truetype_font_with_chinese() -> None:
    font = cjk_font()

    assert font.path.suffix.lower() in (".ttf", ".ttc")
    assert font.path.is_file()
    assert (font.path, font.subfont_index) == fonts.fontconfig_candidates()[0]
    assert _face_has(font.name, "还款协议借款人")


def test_the_same_font_is_registered_once() -> None:
    assert cjk_font() is cjk_font()


def test_a_configured_font_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_font: Path
) -> None:
    configured = tmp_path / f"configured{system_font.suffix}"
    configured.symlink_to(system_font)
    monkeypatch.setenv(FONT_ENV, str(tmp_path / "nowhere.ttf"))

    font = cjk_font(configured)

    assert font.path == configured
    assert _face_has(font.name, "协议")


def test_the_environment_wins_over_fontconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_font: Path
) -> None:
    chosen = tmp_path / f"chosen{system_font.suffix}"
    chosen.symlink_to(system_font)
    monkeypatch.setenv(FONT_ENV, str(chosen))

    assert cjk_font().path == chosen


def test_a_missing_configured_font_says_what_to_install(tmp_path: Path) -> None:
    missing = tmp_path / "gone.ttf"

    with pytest.raises(FontMissing) as raised:
        cjk_font(missing)

    message = str(raised.value)
    assert str(missing) in message
    assert "fonts-wqy-microhei" in message
    assert FONT_ENV in message


def test_an_opentype_cff_font_is_refused_clearly(tmp_path: Path) -> None:
    otf = tmp_path / "NotoSansSC-Regular.otf"
    otf.write_bytes(b"OTTO" + bytes(60))

    with pytest.raises(FontMissing, match="not a TrueType font") as raised:
        cjk_font(otf)

    assert "fonts-wqy-microhei" in str(raised.value)


def test_a_font_without_chinese_is_refused() -> None:
    with pytest.raises(FontMissing, match="no Chinese characters"):
        cjk_font(VERA)


def test_without_fontconfig_on_the_path_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no fc-match, no fc-list

    with pytest.raises(FontMissing) as raised:
        cjk_font()

    assert fonts.fontconfig_candidates() == ()
    assert "fonts-wqy-microhei" in str(raised.value)
    assert FONT_ENV in str(raised.value)


def test_fontconfig_offering_nothing_gives_the_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "fontconfig_candidates", lambda: ())

    with pytest.raises(FontMissing, match="No Chinese font that a PDF can embed"):
        cjk_font()


def test_a_fontconfig_candidate_that_cannot_be_embedded_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_font: Path
) -> None:
    collection_of_cff = tmp_path / "NotoSansCJK-Regular.ttc"
    # A collection whose first font has CFF outlines, as Noto Sans CJK's .ttc does.
    collection_of_cff.write_bytes(b"ttcf" + bytes(8) + (16).to_bytes(4, "big") + b"OTTO")
    monkeypatch.setattr(
        fonts, "fontconfig_candidates", lambda: ((collection_of_cff, 0), (system_font, 0))
    )

    assert cjk_font().path == system_font
