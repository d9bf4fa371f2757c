"""Reading real PDFs back the way a person would: poppler's pdftotext and pdffonts."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _with_file(data: bytes, command: list[str]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            [*command, str(path), *(["-"] if command[0] == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        )
    return result.stdout


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text as `pdftotext -layout` lays it out."""
    pages = _with_file(data, ["pdftotext", "-layout"]).split("\f")
    # pdftotext ends the last page with a form feed too.
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def pdf_raw_text(data: bytes) -> str:
    """The text in the order the pages draw it (`pdftotext -raw`): a table cell's wrapped lines
    stay together instead of interleaving with the cell beside it."""
    return _with_file(data, ["pdftotext", "-raw"])


@dataclass(frozen=True)
class Word:
    """A word as `pdftotext -bbox` finds it: its box in points from the page's top left."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>'
)


def pdf_words(data: bytes) -> list[list[Word]]:
    """Each page's words with their boxes (`pdftotext -bbox`)."""
    pages = _with_file(data, ["pdftotext", "-bbox"]).split("<page ")[1:]
    return [
        [
            Word(html.unescape(text), float(left), float(top), float(right), float(bottom))
            for left, top, right, bottom, text in _WORD.findall(page)
        ]
        for page in pages
    ]


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool


def pdf_fonts(data: bytes) -> list[FontRow]:
    """The rows of `pdffonts`: every font the document uses and whether it is embedded."""
    lines = _with_file(data, ["pdffonts"]).splitlines()
    # Columns are as wide as the dashes under their heading.
    header, dashes, *rows = lines
    spans, start = [], 0
    for part in dashes.split(" "):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    columns = [header[a:b].strip() for a, b in spans]
    found = []
    for row in rows:
        cells = dict(zip(columns, (row[a:b].strip() for a, b in spans), strict=True))
        found.append(FontRow(cells["name"], cells["type"], cells["emb"] == "yes"))
    return found
