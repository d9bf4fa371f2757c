"""Contact upkeep in the workspace: a number or address learned on a call, the borrower's agreed
contact window and preferred channel, and the attorney who represents them.

Each dialog stays open while its service call is on the worker; a refusal (a malformed number,
a hidden character, a duplicate) is shown in the dialog, every problem at once at the field it
is about, the first one focused; nothing is stored, and what was typed stays for the collector
to correct. `stored` is emitted once the change is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QTime, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.common.errors import DomainError
from app.services.common.phones import parse_phone
from app.services.contact.upkeep import (
    PREFERRED_CHANNELS,
    NewContactPoint,
    add_contact_point,
    record_attorney,
    set_contact_preferences,
)
from app.services.portfolio.accounts import AccountDetail, ContactTerms
from app.services.portfolio.addresses import AddressInput
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import buddy
from app.ui.common.labels import contact_channel_name, contact_kind_name, region_name, spoken
from app.ui.common.look import Ink, paint

# What a collector may add, in the order the list offers them.
ADDABLE = ("mobile", "home", "work", "email", "emergency", "address")


class UpkeepDialog(QDialog):
    """A form whose OK runs one service on the worker; `stored(result)` once it is stored."""

    stored = Signal(object)

    def __init__(self, context: Context, contract_no: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.contract_no = contract_no
        self._saving = False
        self.error = QLabel()
        self.error.setWordWrap(True)
        paint(self.error, Ink.ERROR, bold=True)
        # The base class's own context: self.tr() would look in the subclass's.
        self.error.setAccessibleName(QCoreApplication.translate("UpkeepDialog", "Problem"))
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            QCoreApplication.translate("UpkeepDialog", "Cancel")
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        # The service's refusals at their fields (its names for them; `field`).
        self.marks = FieldMarks()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @property
    def saving(self) -> bool:
        return self._saving

    def submit(self) -> None:
        """Check what was typed and store it (on the worker)."""
        if self._saving:
            return
        self._show_error(None)
        try:
            service, args, kwargs = self.request()
        except DomainError as error:
            self._show_error(error)
            return
        self._set_saving(True)
        self.context.call(
            service,
            self.context.username,
            self.contract_no,
            *args,
            on_done=self._stored,
            on_error=self._failed,
            **kwargs,
        )

    def request(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        """The service to call and its arguments after (db, username, contract_no)."""
        raise NotImplementedError

    def _stored(self, result: object) -> None:
        self._set_saving(False)
        self.stored.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_saving(False)
        self._show_error(error)

    def field(self, name: str, widget: QWidget) -> None:
        """Place the line for field `name`'s problem under the row just added for `widget`."""
        self.form.addRow("", self.marks.add(name, widget))

    def _show_error(self, error: BaseException | None) -> None:
        """Each problem at its field, the first focused; what is about none, below the form,
        a line each (a problem never spreads over the form)."""
        if error is None:
            self.marks.clear()
            lines = []
        else:
            lines = [" ".join(text.split()) for text in self.marks.show(error)]
        shown = "\n".join(lines)
        self.error.setText(shown)
        self.error.setAccessibleDescription(shown)
        self.error.setVisible(bool(shown))

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.ok.setEnabled(not saving)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not saving)

    def reject(self) -> None:
        if not self._saving:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:
            event.ignore()
            return
        super().closeEvent(event)


class AddPointDialog(UpkeepDialog):
    """A number, e-mail or address learned on a contact. A phone number is read as the borrower's
    country writes it, and its region and time zones are shown as it is typed."""

    def __init__(
        self, context: Context, detail: AccountDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, detail.contract_no, parent)
        self.country = detail.country
        self.setWindowTitle(
            self.tr("Add a number or address — {borrower}").format(borrower=detail.borrower)
        )
        self.ok.setText(self.tr("&Add"))
        self.ok.setAccessibleName(self.tr("Add the contact point"))
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Kind"))
        for kind in ADDABLE:
            self.kind.addItem(contact_kind_name(kind), kind)
        self.value = QLineEdit()
        self.value.setAccessibleName(self.tr("Number or e-mail address"))
        self.value.setPlaceholderText(self.tr("As the borrower said it, e.g. 138 1234 5678"))
        self.read_as = QLabel()
        self.read_as.setAccessibleName(self.tr("Read as"))
        self.read_as.setWordWrap(True)
        self.contact_name = QLineEdit()
        self.contact_name.setAccessibleName(self.tr("Name of the third party"))
        self.relation = QLineEdit()
        self.relation.setAccessibleName(self.tr("Relation to the borrower"))
        self.relation.setPlaceholderText(self.tr("e.g. 父亲, 同事"))
        self.province = QLineEdit()
        self.province.setAccessibleName(self.tr("Province or state"))
        self.province.setPlaceholderText(self.tr("Province or state, e.g. 广东 or CA"))
        self.city = QLineEdit()
        self.city.setAccessibleName(self.tr("City"))
        self.district = QLineEdit()
        self.district.setAccessibleName(self.tr("District"))
        self.street = QLineEdit()
        self.street.setAccessibleName(self.tr("Street and number"))
        self.verified = QCheckBox(self.tr("Confirmed on this contact to be theirs"))
        self.verified.setAccessibleName(self.tr("Verified"))
        self.form.addRow(buddy(self.tr("&Kind"), self.kind), self.kind)
        self.field("kind", self.kind)
        self.form.addRow(buddy(self.tr("N&umber or e-mail"), self.value), self.value)
        self.field("value", self.value)
        self.form.addRow(self.read_as)
        self.form.addRow(buddy(self.tr("&Name"), self.contact_name), self.contact_name)
        self.field("contact_name", self.contact_name)
        self.form.addRow(buddy(self.tr("&Relation"), self.relation), self.relation)
        self.field("relation", self.relation)
        self.form.addRow(buddy(self.tr("&Province or state"), self.province), self.province)
        self.field("province", self.province)
        self.form.addRow(buddy(self.tr("&City"), self.city), self.city)
        self.field("city", self.city)
        self.form.addRow(buddy(self.tr("&District"), self.district), self.district)
        self.field("district", self.district)
        self.form.addRow(buddy(self.tr("&Street"), self.street), self.street)
        self.field("street", self.street)
        self.form.addRow(self.verified)
        self.kind.currentIndexChanged.connect(lambda _index: self._follow_kind())
        self.value.textChanged.connect(lambda _text: self._value_typed())
        self.resize(460, 0)
        self._follow_kind()

    def choose_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def _follow_kind(self) -> None:
        kind = str(self.kind.currentData())
        address = kind == "address"
        third_party = kind == "emergency"
        for widget in (self.value, self.read_as):
            widget.setEnabled(not address)
        for widget in (self.province, self.city, self.district, self.street):
            widget.setEnabled(address)
        for widget in (self.contact_name, self.relation):
            widget.setEnabled(third_party)
        self._read_value()

    def _show_error(self, error: BaseException | None) -> None:
        super()._show_error(error)
        self._read_value()

    def _value_typed(self) -> None:
        # What was refused is no longer what the field holds: the reading below says the rest.
        self.marks.unmark("value")
        self._read_value()

    def _read_value(self) -> None:
        """How the number reads in the borrower's country, before anything is stored."""
        kind, text = str(self.kind.currentData()), self.value.text().strip()
        if kind in ("email", "address") or not text:
            shown = ""
        else:
            try:
                phone = parse_phone(text, self.country)
            except DomainError as error:
                # Said once: at the field when it is marked, here while it is typed.
                shown = "" if self.marks.is_marked("value") else error_text(error)
            else:
                language = self.context.language
                shown = self.tr("Read as {number} · {region} · {zones}").format(
                    number=phone.e164,
                    region=region_name(phone.region, language),
                    zones=", ".join(phone.time_zones) or self.tr("zone unknown"),
                )
        self.read_as.setText(shown)
        self.read_as.setAccessibleName(spoken(self.tr("Read as"), shown))

    def request(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        kind = str(self.kind.currentData())
        address = None
        if kind == "address":
            address = AddressInput(
                self.province.text(), self.city.text(), self.district.text(), self.street.text()
            )
        third_party = kind == "emergency"
        new = NewContactPoint(
            kind=kind,
            value="" if address else self.value.text(),
            contact_name=self.contact_name.text() if third_party else None,
            relation=self.relation.text() if third_party else None,
            address=address,
            verified=self.verified.isChecked(),
        )
        return add_contact_point, (new,), {"now": self.context.clock()}


class PreferencesDialog(UpkeepDialog):
    """The contact window the borrower agreed (their local time) and the channel they prefer."""

    def __init__(
        self, context: Context, detail: AccountDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, detail.contract_no, parent)
        self.setWindowTitle(
            self.tr("Contact preferences — {borrower}").format(borrower=detail.borrower)
        )
        self.ok.setText(self.tr("&Save"))
        self.ok.setAccessibleName(self.tr("Save the contact preferences"))
        terms = detail.terms
        self.agreed = QCheckBox(self.tr("The borrower agreed to be contacted only between"))
        self.agreed.setAccessibleName(self.tr("Agreed contact window"))
        self.start = QTimeEdit()
        self.start.setAccessibleName(self.tr("Window starts (borrower's local time)"))
        self.end = QTimeEdit()
        self.end.setAccessibleName(self.tr("Window ends (borrower's local time)"))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        start, end = terms.agreed_window or (time(18), time(20))
        self.start.setTime(QTime(start.hour, start.minute))
        self.end.setTime(QTime(end.hour, end.minute))
        self.agreed.setChecked(terms.agreed_window is not None)
        self.channel = QComboBox()
        self.channel.setAccessibleName(self.tr("Preferred channel"))
        self.channel.addItem(self.tr("No preference"), None)
        for channel in PREFERRED_CHANNELS:
            self.channel.addItem(contact_channel_name(channel), channel)
        self.channel.setCurrentIndex(max(0, self.channel.findData(terms.preferred_channel)))
        window = QHBoxLayout()
        window.addWidget(self.start)
        window.addWidget(QLabel("–"))
        window.addWidget(self.end)
        window.addStretch(1)
        self.form.addRow(self.agreed)
        self.form.addRow(self.tr("Local time"), window)
        self.form.addRow("", self.marks.add("window", self.start))
        self.form.addRow(buddy(self.tr("Preferred &channel"), self.channel), self.channel)
        self.field("channel", self.channel)
        self.agreed.toggled.connect(self._follow)
        self._follow(self.agreed.isChecked())

    def _follow(self, agreed: bool) -> None:
        self.start.setEnabled(agreed)
        self.end.setEnabled(agreed)

    def request(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        window = None
        if self.agreed.isChecked():
            start, end = self.start.time(), self.end.time()
            window = (time(start.hour(), start.minute()), time(end.hour(), end.minute()))
        channel = self.channel.currentData()
        return set_contact_preferences, (), {"window": window, "channel": channel}


class AttorneyDialog(UpkeepDialog):
    """That an attorney represents the borrower: their name, firm and phone number."""

    def __init__(
        self, context: Context, detail: AccountDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, detail.contract_no, parent)
        self.setWindowTitle(
            self.tr("Represented by an attorney — {borrower}").format(borrower=detail.borrower)
        )
        self.ok.setText(self.tr("&Record"))
        self.ok.setAccessibleName(self.tr("Record the attorney"))
        terms = detail.terms
        self.name = QLineEdit(terms.attorney_name or "")
        self.name.setAccessibleName(self.tr("Attorney's name"))
        self.firm = QLineEdit(terms.attorney_firm or "")
        self.firm.setAccessibleName(self.tr("Attorney's firm"))
        self.phone = QLineEdit(terms.attorney_phone or "")
        self.phone.setAccessibleName(self.tr("Attorney's phone number"))
        note = QLabel(
            self.tr(
                "Where the borrower's rules say so (US: FDCPA), nobody contacts the borrower"
                " directly from now on; a team lead lifts the mark."
            )
        )
        note.setWordWrap(True)
        self.form.addRow(buddy(self.tr("&Name"), self.name), self.name)
        self.field("name", self.name)
        self.form.addRow(buddy(self.tr("&Firm"), self.firm), self.firm)
        self.field("firm", self.firm)
        self.form.addRow(buddy(self.tr("&Phone"), self.phone), self.phone)
        self.field("phone", self.phone)
        self.form.addRow(note)

    def request(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        return (
            record_attorney,
            (),
            {"name": self.name.text(), "firm": self.firm.text(), "phone": self.phone.text()},
        )


class ContactTermsBox(QGroupBox):
    """What the borrower asked about being contacted, and who represents them.

    Emits `preferences_requested`, `attorney_requested` and `attorney_lift_requested`.
    """

    preferences_requested = Signal()
    attorney_requested = Signal()
    attorney_lift_requested = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setTitle(self.tr("Contact terms"))
        self.setAccessibleName(self.tr("Contact terms"))
        self.window_text = QLabel()
        self.channel_text = QLabel()
        self.attorney_text = QLabel()
        self.attorney_text.setWordWrap(True)
        self.edit_preferences = QPushButton(self.tr("Preferences…"))
        self.edit_preferences.setAccessibleName(self.tr("Edit the contact preferences"))
        self.edit_attorney = QPushButton(self.tr("Attorney…"))
        self.edit_attorney.setAccessibleName(self.tr("Record that an attorney represents them"))
        self.lift_attorney = QPushButton(self.tr("No longer represented"))
        self.lift_attorney.setAccessibleName(
            self.tr("Record that the attorney no longer represents them")
        )
        form = QFormLayout()
        for caption, value in (
            (self.tr("Agreed window"), self.window_text),
            (self.tr("Preferred channel"), self.channel_text),
            (self.tr("Attorney"), self.attorney_text),
        ):
            title = QLabel(caption)
            title.setAccessibleName(caption)
            form.addRow(title, value)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.edit_preferences, self.edit_attorney, self.lift_attorney):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.edit_preferences.clicked.connect(self.preferences_requested)
        self.edit_attorney.clicked.connect(self.attorney_requested)
        self.lift_attorney.clicked.connect(self.attorney_lift_requested)

    def show_terms(self, terms: ContactTerms, can_lift: bool) -> None:
        none = self.tr("none")
        if terms.agreed_window is None:
            window = none
        else:
            start, end = terms.agreed_window
            window = self.tr("{start}–{end} borrower's local time").format(
                start=f"{start:%H:%M}", end=f"{end:%H:%M}"
            )
        channel = contact_channel_name(terms.preferred_channel) if terms.preferred_channel else none
        if terms.attorney_represented:
            attorney = ", ".join(
                part
                for part in (terms.attorney_name, terms.attorney_firm, terms.attorney_phone)
                if part
            ) or self.tr("represented")
        else:
            attorney = none
        for label, caption, text in (
            (self.window_text, self.tr("Agreed window"), window),
            (self.channel_text, self.tr("Preferred channel"), channel),
            (self.attorney_text, self.tr("Attorney"), attorney),
        ):
            label.setText(text)
            label.setAccessibleName(spoken(caption, text))
        self.lift_attorney.setVisible(terms.attorney_represented and can_lift)
