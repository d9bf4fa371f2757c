"""Every message box goes through one object, so tests can read and answer them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.accounts import business_zone
from app.services.compliance import Decision
from app.services.errors import DomainError, Localized, Message
from app.ui.i18n import Formats

# The context of every service message (app/services/messages.py lists them for lupdate).
SERVICE_MESSAGES = "ServiceMessages"


def error_text(error: BaseException) -> str:
    """What the user reads for an error: a domain error's message, translated where known."""
    if isinstance(error, DomainError):
        return _service_text(error.template, error.params, error.message)
    return QCoreApplication.translate(
        "Dialogs", "Something went wrong ({kind}). The details are in the log."
    ).format(kind=type(error).__name__)


def detail_text(decision: Decision) -> str:
    """A contact rule's detail for this case (e.g. the local time), translated; "" if none."""
    if not decision.detail_template:
        return decision.detail
    return _service_text(decision.detail_template, decision.detail_params, decision.detail)


def _service_text(template: str, params: Mapping[str, object], english: str) -> str:
    text = QCoreApplication.translate(SERVICE_MESSAGES, template)
    if not params:
        return text
    try:
        return text.format(**{name: _param_text(value) for name, value in params.items()})
    except (KeyError, IndexError, ValueError):
        # A translation that names a value the message lacks: the English text is still right.
        return english


def _param_text(value: object) -> object:
    if isinstance(value, Localized):
        return value.text(_language())
    if isinstance(value, Message):
        return _service_text(value.template, value.params, str(value))
    if isinstance(value, datetime):
        # Services pass moments as aware datetimes; the window shows them in the lender's zone,
        # in the same date format as every other date on screen.
        return Formats(_language(), business_zone()).date_time(value)
    return value


def _language() -> str:
    # `Language.install` makes the UI language the default locale.
    return "zh_CN" if QLocale().language() == QLocale.Language.Chinese else "en"


class Dialogs:
    """Shows message boxes; `tests/helpers/dialogs.py` records and answers them instead."""

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes
