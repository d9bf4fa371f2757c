"""Settings: one declared store, the dialog's checks, and the window remembering its layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from pytestqt.qtbot import QtBot

from app.database import TLS_ENV, TLS_ROOT_CERT_ENV, Tls
from app.services.contact.compliance import profile_code_for, set_installation_default
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.settings_dialog import SettingsDialog
from tests.helpers.dialogs import RecordingDialogs


def test_defaults_come_from_the_declarations(ui_settings: Settings) -> None:
    assert ui_settings.get(keys.DIAL_TEMPLATE) == "tel:{e164}"
    assert ui_settings.get(keys.LANGUAGE) == ""
    assert ui_settings.get(keys.WINDOW_GEOMETRY) == QByteArray()
    ui_settings.store.setValue(keys.DIAL_TEMPLATE.key, 42)  # a hand-edited file
    assert ui_settings.get(keys.DIAL_TEMPLATE) == "tel:{e164}"


def test_reset_preferences_keeps_the_remembered_state(ui_settings: Settings) -> None:
    ui_settings.set(keys.DIAL_TEMPLATE, "sip:{digits}@pbx")
    ui_settings.set(keys.LAST_USER, "zhang.wei")
    ui_settings.reset_preferences()
    assert ui_settings.get(keys.DIAL_TEMPLATE) == "tel:{e164}"
    assert ui_settings.get(keys.LAST_USER) == "zhang.wei"


def test_a_bad_dial_template_is_refused_and_nothing_is_saved(
    qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs
) -> None:
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.template.setText("{e164}")
    dialog.accept()
    assert "scheme" in dialogs.errors()[-1]
    assert window.context.settings.get(keys.DIAL_TEMPLATE) == "tel:{e164}"
    assert dialog.result() == 0


def test_the_dialog_saves_template_language_and_profile(
    qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs
) -> None:
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    dialog.template.setText("sip:{digits}@pbx.example.com")
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.profile.setCurrentIndex(dialog.profile.findData("UK"))
    try:
        dialog.accept()
        settings = window.context.settings
        assert settings.get(keys.DIAL_TEMPLATE) == "sip:{digits}@pbx.example.com"
        assert settings.get(keys.LANGUAGE) == "zh_CN"
        assert dialog.language_changed
        assert settings.get(keys.RULE_PROFILE) == "UK"
        # A borrower in a country without a profile of its own now gets the chosen one;
        # a US borrower still gets the US profile.
        assert profile_code_for("JP") == "UK"
        # Borrowers in mainland China and the US keep their own rules, whatever is chosen.
        assert profile_code_for("CN") == "CN"
        assert profile_code_for("US") == "US"
    finally:
        set_installation_default(None)
    assert profile_code_for("JP") == "CN"


def test_the_dialog_stores_the_tls_minimum_and_the_root_certificate(
    qtbot: QtBot,
    window: MainWindow,
    dialogs: RecordingDialogs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in (TLS_ENV, TLS_ROOT_CERT_ENV):
        monkeypatch.delenv(variable, raising=False)
    settings = window.context.settings
    assert settings.get(keys.CENTRAL_TLS) == "verify-full"
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    assert dialog.tls.currentData() == "verify-full" and dialog.tls.isEnabled()
    dialog.tls.setCurrentIndex(dialog.tls.findData("require"))
    dialog.root_cert.setText(str(tmp_path / "nowhere.crt"))
    dialog.accept()
    assert "nowhere.crt" in dialogs.errors()[-1]
    assert dialog.result() == 0 and settings.get(keys.CENTRAL_TLS) == "verify-full"
    ca = tmp_path / "ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog.root_cert.setText(f" {ca} ")
    dialog.accept()
    assert settings.get(keys.CENTRAL_TLS) == "require"
    assert settings.get(keys.CENTRAL_ROOT_CERT) == str(ca)
    # What the next sign-in asks of the server.
    chosen = Tls.chosen(settings.get(keys.CENTRAL_TLS), settings.get(keys.CENTRAL_ROOT_CERT))
    assert chosen == Tls("require", str(ca))
    again = SettingsDialog(window.context, window)
    qtbot.addWidget(again)
    assert again.tls.currentData() == "require" and again.root_cert.text() == str(ca)
    # Reset to the defaults: verified TLS, libpq's own root certificate.
    settings.reset_preferences()
    assert settings.get(keys.CENTRAL_TLS) == "verify-full"
    assert settings.get(keys.CENTRAL_ROOT_CERT) == ""


def test_the_administrators_variables_win_and_the_dialog_says_so(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TLS_ENV, "verify-full")
    monkeypatch.delenv(TLS_ROOT_CERT_ENV, raising=False)
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    assert not dialog.tls.isEnabled() and TLS_ENV in dialog.tls.toolTip()
    assert dialog.root_cert.isEnabled() and dialog.browse.isEnabled()
    assert Tls.chosen("require").minimum == "verify-full"
