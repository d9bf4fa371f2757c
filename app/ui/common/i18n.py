"""Languages: the Qt translator, the compiled catalogue, and locale formats.

The Chinese catalogue's source is `resources/i18n/collector_zh_CN.ts` (Qt Linguist XML, kept in
git). The compiled `.qm` is built from it with Qt's `lrelease` (shipped with PySide6) the first
time it is needed, and again whenever the source is newer.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
import PySide6
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLibraryInfo,
    QLocale,
    QTimeZone,
    QTranslator,
)

from app.config import APP_NAME
from app.services.common.money import format_money

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "i18n"
CATALOGUE = "collector"
LANGUAGES = ("zh_CN", "en")


def source(language: str) -> Path:
    return RESOURCES / f"{CATALOGUE}_{language}.ts"


def system_language() -> str:
    """Chinese for any Chinese system locale, English otherwise."""
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def effective_language(chosen: str) -> str:
    return chosen if chosen in LANGUAGES else system_language()


def lrelease() -> str:
    bundled = Path(PySide6.__file__).parent / "lrelease"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    if found is None:
        raise RuntimeError("Qt's lrelease is missing; reinstall PySide6 (scripts/install).")
    return found


def compiled(language: str) -> Path:
    """The `.qm` for `language`, compiled from its `.ts` when missing or out of date."""
    ts = source(language)
    target = ts.with_suffix(".qm")
    if not _writable(target.parent):
        target = Path(platformdirs.user_cache_dir(APP_NAME)) / target.name
    if not target.exists() or target.stat().st_mtime < ts.stat().st_mtime:
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [lrelease(), "-silent", str(ts), "-qm", str(target)],
            check=True,
            capture_output=True,
        )
    return target


def _writable(folder: Path) -> bool:
    probe = folder / ".write-probe"
    try:
        probe.touch()
        probe.unlink()
    except OSError:
        return False
    return True


class Language:
    """The translator installed on the application, switchable while it runs."""

    def __init__(self) -> None:
        self.code = "en"
        self._translator: QTranslator | None = None
        # Qt's own strings: the standard dialog buttons (OK, Cancel, Save…) and the like.
        self._qt: QTranslator | None = None

    def install(self, code: str) -> None:
        app = QCoreApplication.instance()
        assert app is not None
        self.remove()
        self.code = code
        if code != "en":
            translator = QTranslator(app)
            if not translator.load(str(compiled(code))):
                raise RuntimeError(f"The {code} translation could not be loaded.")
            app.installTranslator(translator)
            self._translator = translator
            qt = QTranslator(app)
            folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            # Missing from a trimmed Qt install: the buttons then stay in English, nothing worse.
            if qt.load(f"qtbase_{code}", folder):
                app.installTranslator(qt)
                self._qt = qt
        QLocale.setDefault(locale_for(code))

    def remove(self) -> None:
        """Take this translator off the application (English strings show again)."""
        app = QCoreApplication.instance()
        for translator in (self._translator, self._qt):
            if translator is not None and app is not None:
                app.removeTranslator(translator)
        self._translator = self._qt = None


def locale_for(language: str) -> QLocale:
    if language == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


# Chinese business documents write dates the GB/T 7408 (ISO) way; English gets the month by
# name, which no reader in Beijing, London or New York can take for another day.
DATE_FORMATS = {"zh_CN": "yyyy-MM-dd", "en": "d MMM yyyy"}


class Formats:
    """Dates, times, numbers and money for one UI language; times in a given zone."""

    def __init__(self, language: str, zone: ZoneInfo) -> None:
        self.language = language
        self.locale = locale_for(language)
        self.zone = zone

    def money(self, amount: Decimal, currency: str = "CNY") -> str:
        # Decimal formatting keeps cents exact; both locales group with commas and use ¥.
        return format_money(amount, currency)

    def whole_money(self, amount: Decimal, currency: str = "CNY") -> str:
        return format_money(amount, currency, whole=True)

    def number(self, value: int) -> str:
        return self.locale.toString(value)

    def date(self, day: dt.date) -> str:
        return self.locale.toString(
            QDate(day.year, day.month, day.day), DATE_FORMATS[self.language]
        )

    def long_date(self, day: dt.date) -> str:
        return self.locale.toString(
            QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat
        )

    def time(self, moment: dt.datetime, zone: ZoneInfo | None = None) -> str:
        return moment.astimezone(zone or self.zone).strftime("%H:%M")

    def date_time(self, moment: dt.datetime, zone: ZoneInfo | None = None) -> str:
        local = moment.astimezone(zone or self.zone)
        return f"{self.date(local.date())} {local:%H:%M}"

    def when(self, moment: dt.datetime, now: dt.datetime) -> str:
        """`08:00` for a moment later today, with the date for any other day."""
        same_day = moment.astimezone(self.zone).date() == now.astimezone(self.zone).date()
        return self.time(moment) if same_day else self.date_time(moment)

    def qdatetime(self, moment: dt.datetime) -> QDateTime:
        local = moment.astimezone(self.zone)
        return QDateTime.fromSecsSinceEpoch(
            int(local.timestamp()), QTimeZone(str(self.zone.key).encode())
        )
