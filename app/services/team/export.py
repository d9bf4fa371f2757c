"""KPI reports and contact lists as files a team lead opens elsewhere: CSV, XLSX and JSON.

- CSV: one file, UTF-8 with a byte-order mark (without it Excel reads Chinese as mojibake).
  Each table is a section: a row with its title alone, its header row, its rows, then an empty
  row. Amounts are plain numbers with two decimals, rates percentages ("80.00%", which Excel
  reads as a number), times in the lender's business zone (`YYYY-MM-DD HH:MM`).
- XLSX (openpyxl): one sheet per table, the header row bold and frozen, numbers as numbers:
  amounts with two decimals, rates as percentages, dates and times as such; columns wide
  enough for their contents.
- JSON: the report's figures as they are (keys in English, user keys as text), decimals as
  strings so no amount passes through a float, texts from the data in both languages.

Titles and headers are data in both languages (resources/kpi_export.json), chosen with
`language` ("en" or "zh_CN"). Every file is written whole or not at all (a temporary file
renamed over the target), so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from app.services.common.clock import business_zone
from app.services.common.errors import InvalidInput, Localized
from app.services.common.files import write_atomically
from app.services.common.reference import dispositions, emotions, load_json
from app.services.team.kpis import (
    BlocksByRule,
    BucketMovement,
    ChecklistByEmotion,
    CollectorKpis,
    ContactRow,
    EscalationsByKind,
    KpiReport,
)
from app.services.team.report_choices import FORMATS, LANGUAGES

# How a column's values are written: text, whole numbers, money (two decimals), rates
# (fractions shown as percentages), seconds (one decimal), days, moments.
TEXT, INT, MONEY, RATE, SECONDS, DAY, MOMENT = (
    "text",
    "int",
    "money",
    "rate",
    "seconds",
    "day",
    "moment",
)
_XLSX_FORMATS = {
    INT: "0",
    MONEY: "#,##0.00",
    RATE: "0.00%",
    SECONDS: "0.0",
    DAY: "yyyy-mm-dd",
    MOMENT: "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True)
class Table:
    """One table of an export: its title, sheet name, headers, how each column is written,
    and its rows (plain values: None is an empty cell)."""

    key: str
    title: str
    sheet: str
    headers: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@cache
def _texts() -> dict[str, Any]:
    return dict(load_json("kpi_export.json"))


def _column(key: str, language: str) -> str:
    text: str = _texts()["columns"][key][language]
    return text


def _value(key: str, language: str) -> str:
    text: str = _texts()["values"][key][language]
    return text


def _table(
    key: str, language: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> Table:
    titles = _texts()["tables"][key]
    return Table(
        key=key,
        title=titles[language],
        sheet=titles[f"sheet_{language}"],
        headers=tuple(_column(name, language) for name, _ in columns),
        kinds=tuple(kind for _, kind in columns),
        rows=tuple(tuple(row) for row in rows),
    )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(
            "Unknown language “{language}” (one of {known}).",
            language=language,
            known=", ".join(LANGUAGES),
        )


# -- the tables ----------------------------------------------------------------------------

_KPI_COLUMNS = (
    ("attempts", INT),
    ("contacts", INT),
    ("contact_rate", RATE),
    ("rpcs", INT),
    ("rpc_rate", RATE),
    ("ptps", INT),
    ("ptp_rate", RATE),
    ("promised_amount", MONEY),
    ("promises_due", INT),
    ("promises_kept", INT),
    ("ptp_kept_rate", RATE),
    ("collected_amount", MONEY),
    ("handled", INT),
    ("average_handle_seconds", SECONDS),
    ("checklist_required", INT),
    ("checklist_complete", INT),
    ("checklist_rate", RATE),
    ("escalations", INT),
    ("blocks", INT),
)


def report_tables(report: KpiReport, language: str = "en") -> list[Table]:
    """Every table of a report, in the order the files hold them."""
    _check_language(language)
    total = _value("team_total", language)
    names = {row.user_id: row.display_name for row in report.collectors}
    usernames = {row.user_id: row.username for row in report.collectors}

    def who(user_id: uuid.UUID | None) -> list[Any]:
        if user_id is None:
            return [total, None]
        return [names.get(user_id, str(user_id)), usernames.get(user_id)]

    def kpi_row(row: CollectorKpis) -> list[Any]:
        return [*who(row.user_id), *(getattr(row, name) for name, _ in _KPI_COLUMNS)]

    def emotion(code: str | None) -> str:
        if code is None:
            return _value("no_emotion", language)
        known = emotions().get(code)
        return known.label(language) if known else code

    def bucket_row(row: BucketMovement) -> list[Any]:
        return [
            *who(row.user_id),
            row.bucket,
            row.accounts,
            row.cured,
            row.cure_rate,
            row.rolled,
            row.roll_rate,
        ]

    def checklist_row(row: ChecklistByEmotion) -> list[Any]:
        return [*who(row.user_id), emotion(row.emotion), row.required, row.complete, row.rate]

    def block_row(row: BlocksByRule) -> list[Any]:
        return [*who(row.user_id), row.rule, row.rule_text.text(language), row.blocks]

    def escalation_row(row: EscalationsByKind) -> list[Any]:
        return [
            *who(row.user_id),
            row.kind,
            row.kind_text.text(language),
            row.raised,
            row.unacknowledged,
        ]

    person = (("collector", TEXT), ("username", TEXT))
    return [
        _table(
            "summary",
            language,
            (("item", TEXT), ("value", TEXT)),
            [
                (_column("team", language), report.team),
                (_column("first_day", language), report.start.isoformat()),
                (_column("last_day", language), report.end.isoformat()),
                (_column("generated_at", language), _moment_text(report.generated_at)),
            ],
        ),
        _table(
            "collectors",
            language,
            (*person, *_KPI_COLUMNS),
            [*(kpi_row(row) for row in report.collectors), kpi_row(report.total)],
        ),
        _table(
            "buckets",
            language,
            (
                *person,
                ("bucket", TEXT),
                ("accounts", INT),
                ("cured", INT),
                ("cure_rate", RATE),
                ("rolled", INT),
                ("roll_rate", RATE),
            ),
            [bucket_row(row) for row in report.buckets],
        ),
        _table(
            "checklists",
            language,
            (*person, ("emotion", TEXT), ("required", INT), ("complete", INT), ("rate", RATE)),
            [checklist_row(row) for row in report.checklists],
        ),
        _table(
            "blocks",
            language,
            (*person, ("rule", TEXT), ("rule_text", TEXT), ("blocks", INT)),
            [block_row(row) for row in report.blocks],
        ),
        _table(
            "escalations",
            language,
            (
                *person,
                ("kind", TEXT),
                ("kind_text", TEXT),
                ("raised", INT),
                ("unacknowledged", INT),
            ),
            [escalation_row(row) for row in report.escalations],
        ),
        _table(
            "unacknowledged",
            language,
            (
                ("raised_at", MOMENT),
                ("kind_text", TEXT),
                ("urgent", TEXT),
                ("contract_no", TEXT),
                ("raised_by", TEXT),
            ),
            [
                (
                    row.raised_at,
                    row.kind_text.text(language),
                    _yes_no(row.urgent, language),
                    row.contract_no,
                    row.raised_by,
                )
                for row in report.unacknowledged
            ],
        ),
        _table(
            "trend",
            language,
            (("day", DAY), ("day_rpcs", INT), ("day_ptps", INT), ("day_collected", MONEY)),
            [(day.day, day.rpcs, day.ptps, day.collected) for day in report.trend],
        ),
    ]


def contact_table(rows: Sequence[ContactRow], language: str = "en") -> Table:
    """A list of contacts (what a drill-down shows) as one table."""
    _check_language(language)
    codes = dispositions()

    def outcome(code: str) -> str:
        known = codes.get(code)
        return known.label(language) if known else code

    def feeling(code: str | None) -> str | None:
        known = emotions().get(code or "")
        return known.label(language) if known else code

    return _table(
        "contacts",
        language,
        (
            ("started_at", MOMENT),
            ("collector", TEXT),
            ("username", TEXT),
            ("contract_no", TEXT),
            ("borrower", TEXT),
            ("channel", TEXT),
            ("disposition", TEXT),
            ("disposition_text", TEXT),
            ("right_party", TEXT),
            ("emotion", TEXT),
            ("duration_seconds", INT),
            ("after_call_seconds", INT),
            ("checklist", TEXT),
            ("escalated", TEXT),
            ("promise_amount", MONEY),
            ("review_score", INT),
            ("reviewed", TEXT),
        ),
        [
            (
                row.started_at,
                row.collector,
                row.username,
                row.contract_no,
                row.borrower,
                row.channel,
                row.disposition,
                outcome(row.disposition),
                _yes_no(row.right_party, language),
                feeling(row.emotion),
                row.duration_seconds,
                row.after_call_seconds,
                _yes_no(row.checklist_complete, language),
                _yes_no(row.escalated, language),
                row.promise_amount,
                row.review_score,
                _yes_no(row.reviewed, language),
            )
            for row in rows
        ],
    )


def _yes_no(value: bool | None, language: str) -> str | None:
    if value is None:
        return None
    return _value("yes" if value else "no", language)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(business_zone())


def _moment_text(moment: datetime) -> str:
    return f"{_local(moment):%Y-%m-%d %H:%M}"


# -- CSV -----------------------------------------------------------------------------------


# A text cell starting with one of these is a formula to a spreadsheet (a borrower's note or
# name could be "=HYPERLINK(…)"): it is written with a leading apostrophe, read as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _as_text(value)
    if kind == RATE:
        return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"
    if kind == MONEY:
        return f"{Decimal(value).quantize(Decimal('0.01'))}"
    if kind == MOMENT and isinstance(value, datetime):
        return _moment_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def tables_csv(tables: Sequence[Table]) -> bytes:
    """Tables as one CSV file: a section per table (title, header, rows, an empty row)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for index, table in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(
                [_csv_cell(value, kind) for value, kind in zip(row, table.kinds, strict=True)]
            )
    return text.getvalue().encode("utf-8-sig")


# -- XLSX ----------------------------------------------------------------------------------


def _xlsx_cell(value: Any, kind: str) -> Any:
    if isinstance(value, str):
        return _as_text(value)
    if kind == MOMENT and isinstance(value, datetime):
        # Excel has no zones: the lender's wall-clock time, as the CSV shows it.
        return _local(value).replace(tzinfo=None)
    return value


def _width(value: Any) -> int:
    text = _csv_cell(value, TEXT) if not isinstance(value, str) else value
    # Chinese characters take two columns' width.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """Tables as a workbook: one sheet each, a bold frozen header, typed and formatted cells."""
    # Loaded here, not with the module: only a workbook needs it, and it is slow to import.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook()
    default = book.active
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.sheet)
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        widths = [_width(header) for header in table.headers]
        for row in table.rows:
            sheet.append(
                [_xlsx_cell(value, kind) for value, kind in zip(row, table.kinds, strict=True)]
            )
            for index, (value, kind) in enumerate(zip(row, table.kinds, strict=True)):
                if value is not None:
                    shown = _csv_cell(value, kind)
                    widths[index] = max(widths[index], _width(shown))
        for index, kind in enumerate(table.kinds, start=1):
            number_format = _XLSX_FORMATS.get(kind)
            if number_format is not None:
                for (cell,) in sheet.iter_rows(
                    min_row=2, min_col=index, max_col=index, max_row=sheet.max_row
                ):
                    cell.number_format = number_format
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = min(max(widths[index - 1], 6) + 2, 60)
    if default is not None:
        book.remove(default)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- JSON ----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Localized):
        return {"en": value.en, "zh_CN": value.zh_CN}
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return _record(value)
    return value


# Figures worked out from the stored ones, added to each record.
_DERIVED: dict[type, tuple[str, ...]] = {
    CollectorKpis: (
        "contact_rate",
        "rpc_rate",
        "ptp_rate",
        "ptp_kept_rate",
        "average_handle_seconds",
        "checklist_rate",
    ),
    BucketMovement: ("cure_rate", "roll_rate"),
    ChecklistByEmotion: ("rate",),
}


def _record(item: Any) -> dict[str, Any]:
    record = {field.name: _plain(getattr(item, field.name)) for field in fields(item)}
    for name in _DERIVED.get(type(item), ()):
        record[name] = _plain(getattr(item, name))
    return record


def report_json(report: KpiReport) -> bytes:
    return _json(_record(report))


def contacts_json(rows: Sequence[ContactRow]) -> bytes:
    return _json({"contacts": [_record(row) for row in rows]})


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- files ---------------------------------------------------------------------------------


def _check_target(out: Path, fmt: str) -> None:
    """Refuse, before any work, a format or a file that could not be written."""
    if fmt not in FORMATS:
        raise InvalidInput(
            "Unknown export format “{format}” (one of {known}).",
            format=fmt,
            known=", ".join(FORMATS),
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput("The folder {folder} does not exist.", folder=str(folder))
    if out.is_dir():
        raise InvalidInput("{path} is a folder; give a file name.", path=str(out))


def _write(out: Path, fmt: str, make: dict[str, Callable[[], bytes]]) -> Path:
    try:
        write_atomically(out, make[fmt]())
    except PermissionError:
        raise InvalidInput("Cannot write {path}.", path=str(out)) from None
    return out


def write_report(report: KpiReport, out: Path, fmt: str, language: str = "en") -> Path:
    """Write every table of `report` to `out` as csv, xlsx or json; returns `out`."""
    _check_target(out, fmt)
    _check_language(language)
    return _write(
        out,
        fmt,
        {
            "csv": lambda: tables_csv(report_tables(report, language)),
            "xlsx": lambda: tables_xlsx(report_tables(report, language)),
            "json": lambda: report_json(report),
        },
    )


def write_contacts(rows: Sequence[ContactRow], out: Path, fmt: str, language: str = "en") -> Path:
    """Write a contact list (a drill-down's rows) to `out` as csv, xlsx or json."""
    _check_target(out, fmt)
    _check_language(language)
    return _write(
        out,
        fmt,
        {
            "csv": lambda: tables_csv([contact_table(rows, language)]),
            "xlsx": lambda: tables_xlsx([contact_table(rows, language)]),
            "json": lambda: contacts_json(rows),
        },
    )


__all__ = [
    "FORMATS",
    "LANGUAGES",
    "Table",
    "contact_table",
    "report_tables",
    "tables_csv",
    "tables_xlsx",
    "write_contacts",
    "write_report",
]
