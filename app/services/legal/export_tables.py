"""Rows of an export as files: CSV (UTF-8 with a byte-order mark, which spreadsheets need to read
Chinese) and XLSX, with what a spreadsheet would run neutralised.

A cell starting with "=", "+", "-", "@" (or a tab or carriage return before one) is a formula to
a spreadsheet: a borrower's name or a note could be "=HYPERLINK(…)". Such a cell is written with
a leading apostrophe, which spreadsheets read as "this is text", in the CSV and the XLSX alike
(where it is also stored as a string, never a formula). The XLSX drops the control characters
XML cannot hold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

# What makes a cell a formula to a spreadsheet reader.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's most characters in one cell.
XLSX_CELL_LIMIT = 32767


@dataclass(frozen=True)
class Section:
    """A table of an export: its name (the file's), its column codes and its rows of text."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def as_text(value: str) -> str:
    """The cell as a spreadsheet must read it: text, never a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_bytes(section: Section) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(section.columns)
    for row in section.rows:
        writer.writerow([as_text(cell) for cell in row])
    return text.getvalue().encode("utf-8-sig")


def xlsx_bytes(sections: Sequence[Section]) -> bytes:
    """One workbook, a sheet per section (named as it), every cell a string."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell.cell import (  # type: ignore[import-untyped]
        ILLEGAL_CHARACTERS_RE,
        TYPE_STRING,
    )

    book = Workbook(write_only=True)
    for section in sections:
        sheet = book.create_sheet(section.name[:31])
        sheet.append(list(section.columns))
        for row in section.rows:
            cells = []
            for value in row:
                # XML cannot hold most control characters (a bell in a note): they are dropped.
                text = ILLEGAL_CHARACTERS_RE.sub("", as_text(value))[:XLSX_CELL_LIMIT]
                cell = _string_cell(sheet, text, TYPE_STRING)
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _string_cell(sheet: object, value: str, data_type: str) -> object:
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    cell = WriteOnlyCell(sheet, value=value)
    # Stored as a string whatever it looks like: openpyxl would take "=…" for a formula.
    cell.data_type = data_type
    return cell
