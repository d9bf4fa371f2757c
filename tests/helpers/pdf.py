"""Reading real PDFs back the way a person would: poppler's pdftotext and pdffonts."""

from __future__ import annotations

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
