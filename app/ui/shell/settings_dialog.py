"""The settings dialog: language, dial template, default contact-rule profile, central server
and the TLS it is reached with."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.database import TLS_ENV, TLS_ROOT_CERT_ENV, VERIFY_FULL
from app.services.common.errors import DomainError
from app.services.common.script_graph import PROFILE_ENV
from app.services.contact.compliance import (
    available_profiles,
    default_profile_source,
    load_profile,
    set_installation_default,
)
from app.services.contact.dialing import check_template
from app.services.sync.workstation import parse_server
from app.ui.common import settings as keys
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy


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
        code, source = default_profile_source()
        if source in ("server", "environment"):
            # Not this workstation's choice: the central server (which refuses a contact read
            # under any other profile) or the administrator's environment decides it.
            self.profile.setEnabled(False)
            self.profile.setCurrentIndex(max(0, self.profile.findData(code)))
            if source == "server":
                decided = self.tr("The central server sets the default profile: {code}.")
            else:
                decided = self.tr("The environment ({variable}) sets the default profile: {code}.")
            note.setText(note.text() + " " + decided.format(code=code, variable=PROFILE_ENV))
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

        self.tls = QComboBox()
        self.tls.setAccessibleName(self.tr("TLS minimum"))
        self.tls.addItem(
            self.tr("verify-full: encrypted, the server's certificate and name checked"),
            VERIFY_FULL,
        )
        self.tls.addItem(self.tr("require: encrypted, the certificate not checked"), "require")
        self.tls.setCurrentIndex(max(0, self.tls.findData(settings.get(keys.CENTRAL_TLS))))
        self.tls.setToolTip(
            self.tr(
                "The least TLS the central server is reached with. verify-full checks that the"
                " server is the one named; require only encrypts, and does not stop a machine"
                " in between from posing as the server: choose it only where the administrator"
                " says so. Used from the next sign-in."
            )
        )
        self.root_cert = QLineEdit(settings.get(keys.CENTRAL_ROOT_CERT))
        self.root_cert.setAccessibleName(self.tr("Root certificate"))
        self.root_cert.setPlaceholderText(self.tr("Empty: ~/.postgresql/root.crt"))
        self.root_cert.setToolTip(
            self.tr(
                "The CA certificate (PEM) that signed the central server's certificate, as the"
                " administrator hands it out. Used from the next sign-in."
            )
        )
        self.browse = QPushButton(self.tr("&Browse…"))
        self.browse.clicked.connect(self._choose_root_cert)
        root_cert = QHBoxLayout()
        root_cert.setContentsMargins(0, 0, 0, 0)
        root_cert.addWidget(self.root_cert)
        root_cert.addWidget(self.browse)
        # The administrator's variables win over these fields: shown, not editable.
        for variable, widgets in (
            (TLS_ENV, (self.tls,)),
            (TLS_ROOT_CERT_ENV, (self.root_cert, self.browse)),
        ):
            if os.environ.get(variable, "").strip():
                for widget in widgets:
                    widget.setEnabled(False)
                    widget.setToolTip(
                        self.tr("Set on this computer by {variable}, which wins.").format(
                            variable=variable
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
        form.addRow(self.tr("&TLS minimum"), self.tls)
        form.addRow(buddy(self.tr("Root &certificate"), self.root_cert), root_cert)
        form.addRow(buttons)

    def _choose_root_cert(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Root certificate"),
            self.root_cert.text() or str(Path.home()),
            self.tr("Certificates (*.crt *.pem *.cer);;All files (*)"),
        )
        if chosen:
            self.root_cert.setText(chosen)

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
        root_cert = self.root_cert.text().strip()
        if root_cert and self.root_cert.isEnabled() and not Path(root_cert).expanduser().is_file():
            self.context.dialogs.error(
                self,
                self.tr("Root certificate"),
                self.tr("There is no file “{path}”.").format(path=root_cert),
            )
            return
        settings = self.context.settings
        language = self.language.currentData()
        self.language_changed = language != settings.get(keys.LANGUAGE)
        settings.set(keys.LANGUAGE, language)
        settings.set(keys.DIAL_TEMPLATE, template)
        if self.profile.isEnabled():
            settings.set(keys.RULE_PROFILE, self.profile.currentData())
        self.server_changed = server != settings.get(keys.CENTRAL_SERVER)
        settings.set(keys.CENTRAL_SERVER, server)
        settings.set(keys.CENTRAL_TLS, self.tls.currentData())
        settings.set(keys.CENTRAL_ROOT_CERT, root_cert)
        if self.profile.isEnabled():
            apply_profile(self.profile.currentData())
        super().accept()


def apply_profile(code: str) -> None:
    set_installation_default(code or None)
