"""The settings dialog: language, dial template, default contact-rule profile, central server."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.services.common.errors import DomainError
from app.services.contact.compliance import (
    available_profiles,
    load_profile,
    set_installation_default,
)
from app.services.contact.dialing import check_template
from app.services.sync.workstation import parse_server
from app.ui.common import settings as keys
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text


class SettingsDialog(QDialog):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.language_changed = False
        self.server_changed = False
        self.setWindowTitle(self.tr("Settings"))
        settings = context.settings

        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Language"))
        self.language.addItem(self.tr("Follow the system"), "")
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.get(keys.LANGUAGE))))

        self.template = QLineEdit(settings.get(keys.DIAL_TEMPLATE))
        self.template.setAccessibleName(self.tr("Dial template"))
        self.template.setToolTip(
            self.tr(
                "How a number is dialled: tel:{e164} hands it to the system's phone app;"
                " sip:{digits}@pbx.example.com to a softphone. Placeholders: {e164}, {digits},"
                " {national}."
            )
        )

        self.profile = QComboBox()
        self.profile.setAccessibleName(self.tr("Default contact-rule profile"))
        self.profile.addItem(self.tr("As shipped (by the borrower's country)"), "")
        for code in available_profiles():
            profile = load_profile(code)
            name = profile.name_zh if context.language == "zh_CN" else profile.name_en
            self.profile.addItem(f"{code} — {name}", code)
        self.profile.setCurrentIndex(max(0, self.profile.findData(settings.get(keys.RULE_PROFILE))))
        note = QLabel(
            self.tr(
                "The profile applies to borrowers whose country has no profile of its own;"
                " a borrower's country always decides first."
            )
        )
        note.setWordWrap(True)

        self.server = QLineEdit(settings.get(keys.CENTRAL_SERVER))
        self.server.setAccessibleName(self.tr("Central server"))
        self.server.setPlaceholderText(self.tr("Empty: the demo on this computer"))
        self.server.setToolTip(
            self.tr(
                "The central database this workstation syncs with, as host[:port]/database,"
                " e.g. db.example.cn/collector. Used from the next start, where you sign in to it."
            )
        )

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("&Language"), self.language)
        form.addRow(self.tr("&Dial template"), self.template)
        form.addRow(self.tr("Default &profile"), self.profile)
        form.addRow(note)
        form.addRow(self.tr("Central &server"), self.server)
        form.addRow(buttons)

    def accept(self) -> None:
        try:
            template = check_template(self.template.text())
        except DomainError as error:
            self.context.dialogs.error(self, self.tr("Dial template"), error_text(error))
            return
        try:
            server = str(parse_server(self.server.text())) if self.server.text().strip() else ""
        except DomainError as error:
            self.context.dialogs.error(self, self.tr("Central server"), error_text(error))
            return
        settings = self.context.settings
        language = self.language.currentData()
        self.language_changed = language != settings.get(keys.LANGUAGE)
        settings.set(keys.LANGUAGE, language)
        settings.set(keys.DIAL_TEMPLATE, template)
        settings.set(keys.RULE_PROFILE, self.profile.currentData())
        self.server_changed = server != settings.get(keys.CENTRAL_SERVER)
        settings.set(keys.CENTRAL_SERVER, server)
        apply_profile(self.profile.currentData())
        super().accept()


def apply_profile(code: str) -> None:
    set_installation_default(code or None)
