"""The Chinese font every printed document is set in, found once and registered with reportlab.

A PDF must embed its fonts, or a borrower's reader shows boxes where the Chinese was. reportlab
embeds TrueType outlines only (.ttf, and .ttc collections of them); OpenType fonts with CFF
outlines (most .otf files, and some .ttc such as Noto Sans CJK) it cannot embed. The font is, in
order: the one the caller configures, the one the environment names
(COLLECTOR_WORKSTATION_CJK_FONT), or the one fontconfig prefers for Simplified Chinese.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from app.services.common.errors import DomainError

FONT_ENV = "COLLECTOR_WORKSTATION_CJK_FONT"
DEBIAN_PACKAGE = "fonts-wqy-microhei"
TRUETYPE_SUFFIXES = (".ttf", ".ttc")
# A font that has these can set an agreement: common Chinese words of the documents and ¥.
REQUIRED_CHARACTERS = "还款协议借款人¥"
_TRUETYPE_TAGS = (b"\x00\x01\x00\x00", b"true")
_COLLECTION_TAG = b"ttcf"


class FontMissing(DomainError):
    """No font with Chinese glyphs that a PDF can embed."""


@dataclass(frozen=True)
class CJKFont:
    """A registered font: `name` is what reportlab styles and canvases refer to."""

    name: str
    path: Path
    subfont_index: int


def cjk_font(configured: str | Path | None = None) -> CJKFont:
    """The font for Chinese text, registered with reportlab (once per file).

    configured: a .ttf or .ttc file to use instead of looking (its first font when a
    collection); a missing or unusable file raises `FontMissing` rather than falling back, so a
    wrong setting is noticed.
    """
    chosen = configured or os.environ.get(FONT_ENV) or None
    if chosen is not None:
        return _register(Path(chosen).expanduser(), 0)
    for path, index in fontconfig_candidates():
        try:
            return _register(path, index)
        except FontMissing:
            continue  # e.g. a .ttc of CFF fonts: the next one fontconfig likes may do
    raise FontMissing(
        "No Chinese font that a PDF can embed was found: install {package} (Debian, Ubuntu) or "
        "set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.",
        package=DEBIAN_PACKAGE,
        variable=FONT_ENV,
    )


@cache
def fontconfig_candidates() -> tuple[tuple[Path, int], ...]:
    """TrueType files with Simplified Chinese, best first, as fontconfig ranks them.

    `fc-match -s` orders every font by how well it suits the pattern (the user's own
    preferences included), which is stable for one configuration; without it, `fc-list` by
    path. Empty when fontconfig is not installed. Cached: the fonts do not change while the
    program runs.
    """
    found: list[tuple[Path, int]] = []
    for path, index in _fontconfig_fonts():
        if path.suffix.lower() in TRUETYPE_SUFFIXES and (path, index) not in found:
            found.append((path, index))
    return tuple(found)


def _fontconfig_fonts() -> Iterator[tuple[Path, int]]:
    line_format = "%{file}\t%{index}\t%{lang}\n"
    if shutil.which("fc-match"):
        # Sorted by closeness, but including fonts without Chinese: keep those that have it.
        for file, index, languages in _run_fc(["fc-match", "-s", "--format", line_format]):
            if "zh-cn" in languages.split("|"):
                yield Path(file), index
    elif shutil.which("fc-list"):
        rows = _run_fc(["fc-list", "--format", line_format])
        for file, index, _ in sorted(rows):
            yield Path(file), index


def _run_fc(command: list[str]) -> list[tuple[str, int, str]]:
    try:
        result = subprocess.run(
            [*command, ":lang=zh-cn"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    rows = []
    for line in result.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] and parts[1].isdigit():
            rows.append((parts[0], int(parts[1]), parts[2]))
    return rows


@cache
def _register(path: Path, index: int) -> CJKFont:
    if not path.is_file():
        raise FontMissing(
            "The font file {path} does not exist: install {package} (Debian, Ubuntu) or set "
            "{variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.",
            path=str(path),
            package=DEBIAN_PACKAGE,
            variable=FONT_ENV,
        )
    if not _is_truetype(path, index):
        raise _not_truetype(path)
    name = f"CJK-{path.stem}-{index}"
    try:
        font = TTFont(name, str(path), subfontIndex=index)
    except (TTFError, OSError, ValueError, IndexError):
        raise _not_truetype(path) from None
    missing = [char for char in REQUIRED_CHARACTERS if ord(char) not in font.face.charToGlyph]
    if missing:
        raise FontMissing(
            "The font {path} has no Chinese characters: install {package} (Debian, Ubuntu) or "
            "set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.",
            path=str(path),
            package=DEBIAN_PACKAGE,
            variable=FONT_ENV,
        )
    pdfmetrics.registerFont(font)
    return CJKFont(name=name, path=path, subfont_index=index)


def _is_truetype(path: Path, index: int) -> bool:
    """Whether the file (or font `index` of a collection) has TrueType, not CFF, outlines."""
    try:
        with path.open("rb") as handle:
            tag = handle.read(4)
            if tag == _COLLECTION_TAG:
                handle.seek(12 + 4 * index)
                offset = int.from_bytes(handle.read(4), "big")
                handle.seek(offset)
                tag = handle.read(4)
    except OSError:
        return False
    return tag in _TRUETYPE_TAGS


def _not_truetype(path: Path) -> FontMissing:
    return FontMissing(
        "The font file {path} is not a TrueType font that a PDF can embed (OpenType fonts with "
        "CFF outlines, such as most .otf files, are not): install {package} (Debian, Ubuntu) or "
        "set {variable} to a TrueType font file (.ttf or .ttc) with Chinese characters.",
        path=str(path),
        package=DEBIAN_PACKAGE,
        variable=FONT_ENV,
    )
