"""Every message box, file dialog and question goes through one object, so tests can answer them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.services.common.clock import business_zone
from app.services.common.errors import DomainError, Localized, Message, Problems
from app.services.contact.compliance import Decision
from app.ui.common.i18n import Formats

# The context of every service message (app/services/messages.py lists them for lupdate).
SERVICE_MESSAGES = "ServiceMessages"


def error_text(error: BaseException) -> str:
    """What the user reads for an error: a domain error's message, translated where known."""
    if isinstance(error, Problems):
        return "\n".join(error_text(problem) for problem in error.problems)
    if isinstance(error, DomainError):
        return _service_text(error.template, error.params, error.message)
    return QCoreApplication.translate(
        "Dialogs", "Something went wrong ({kind}). The details are in the log."
    ).format(kind=type(error).__name__)


def message_text(message: Message) -> str:
    """A service's message that is not an error (a policy limit a plan goes beyond), translated."""
    return _service_text(message.template, message.params, str(message))


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
    """Shows message boxes and file dialogs, and opens files in other programs.

    `tests/helpers/dialogs.py` records and answers them instead.
    """

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def choose(
        self, parent: QWidget | None, title: str, text: str, options: Sequence[str], cancel: int
    ) -> int:
        """Which of `options` (button texts, the first the default) the user chose; `cancel`
        is the one Escape or closing the box means."""
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
        )
        buttons = [
            box.addButton(
                option,
                QMessageBox.ButtonRole.RejectRole
                if index == cancel
                else QMessageBox.ButtonRole.AcceptRole
                if index == 0
                else QMessageBox.ButtonRole.ActionRole,
            )
            for index, option in enumerate(options)
        ]
        box.setDefaultButton(buttons[0])
        box.setEscapeButton(buttons[cancel])
        box.exec()
        clicked = box.clickedButton()
        return next((i for i, button in enumerate(buttons) if button is clicked), cancel)

    def ask_text(self, parent: QWidget | None, title: str, label: str) -> str | None:
        """A line of text the user typed; None when they cancelled."""
        text, accepted = QInputDialog.getText(parent, title, label)
        return text if accepted else None

    def save_file(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        """Where to save a file (`suggested` first); None when the user cancelled."""
        chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
        return Path(chosen) if chosen else None

    def choose_file(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        """A file to read (an attachment); None when the user cancelled."""
        chosen, _filter = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(chosen) if chosen else None

    def open_file(self, path: Path) -> bool:
        """Open `path` in the program the desktop uses for it; False when there is none."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def open_url(self, url: str) -> bool:
        """Hand `url` (tel:, sip:, …) to the program that handles it; False when none does."""
        return QDesktopServices.openUrl(QUrl(url))

    def first_time(self, key: str) -> bool:
        """True the first time `key` is asked about in this session: a notice said once.

        One object serves every window of the session (a language switch rebuilds the main
        window), so what was said stays said until the program ends or `forget(key)`.
        """
        said: set[str] = self.__dict__.setdefault("_said", set())
        if key in said:
            return False
        said.add(key)
        return True

    def forget(self, key: str) -> None:
        """Say `key`'s notice again the next time (what it was about changed)."""
        self.__dict__.setdefault("_said", set()).discard(key)
