"""Export… for the team views: a button with a menu of file formats, and where to save."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from app.database import Database
from app.services.team.contact_rows import ContactRow
from app.services.team.export import FORMATS, write_contacts, write_report
from app.services.team.kpis import KpiReport
from app.ui.common.context import Context


class ExportButton(QToolButton):
    """“Export…” opening a menu of formats; emits `chosen(format)` ("csv", "xlsx", "json")."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(self.tr("&Export…"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.actions_by_format: dict[str, QAction] = {}
        texts = {
            "csv": self.tr("CSV (spreadsheet text)…"),
            "xlsx": self.tr("Excel workbook (XLSX)…"),
            "json": self.tr("JSON (for other programs)…"),
        }
        for code in FORMATS:
            action = menu.addAction(texts[code])
            action.triggered.connect(lambda _checked=False, code=code: self.chosen.emit(code))
            self.actions_by_format[code] = action
        self.setMenu(menu)


def _filter(code: str) -> str:
    # Spelled out: lupdate reads only `QCoreApplication.translate(...)`, not an alias of it.
    return {
        "csv": QCoreApplication.translate("ExportButton", "CSV files (*.csv)"),
        "xlsx": QCoreApplication.translate("ExportButton", "Excel workbooks (*.xlsx)"),
        "json": QCoreApplication.translate("ExportButton", "JSON files (*.json)"),
    }[code]


def ask_target(context: Context, parent: QWidget, title: str, stem: str, code: str) -> Path | None:
    """Where to write a `code` file, suggested `stem.code` in the home folder; None: cancelled.

    A name typed without the format's suffix gets it, so the file opens in the right program.
    """
    suggested = Path.home() / f"{stem}.{code}"
    chosen = context.dialogs.save_file(parent, title, suggested, _filter(code))
    if chosen is None:
        return None
    if chosen.suffix.lower() != f".{code}":
        chosen = chosen.with_name(f"{chosen.name}.{code}")
    return chosen


# On the worker (`context.call` hands every service the database; a file needs none).


def save_report(_db: Database, report: KpiReport, out: Path, code: str, language: str) -> Path:
    """`export.write_report`: the report's tables to `out` as `code`."""
    return write_report(report, out, code, language)


def save_contacts(
    _db: Database, rows: Sequence[ContactRow], out: Path, code: str, language: str
) -> Path:
    """`export.write_contacts`: a contact list to `out` as `code`."""
    return write_contacts(rows, out, code, language)
