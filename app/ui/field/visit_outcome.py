"""After a home visit: the outcome, what the agent saw and confirmed, a promise, notes.

Like the call's outcome form, the required checklist items must be ticked before the outcome
is saved: the profile's home-visit checklist whenever the borrower was met, plus the checklist
of the emotion observed. Save asks the service's rules first (`visit_refusals`) and marks every
problem at its field, the first one focused; from then on the marks follow what is typed.
Saving (`record_visit`) needs only the local database.

"Attach photo…" attaches a file to the visit at once (the staff card shown, the notice left at
the door, the consent to enter), in the local database, whatever happens to the outcome; the
list below it shows what is attached. The next sync sends them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QTimeZone, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.models import VisitStatus
from app.services.common.attachments import AttachmentView, attachment_policy
from app.services.common.clock import local_today
from app.services.common.errors import DomainError
from app.services.common.reference import emotions
from app.services.contact.checklists import checklist_for, support_lines
from app.services.contact.compliance import profile_code_for
from app.services.contact.contacts import PromiseInput
from app.services.field.attachments import KIND, attach_file_to_visit, visit_attachments
from app.services.field.visits import (
    PlannedVisit,
    RecordedVisit,
    VisitOutcome,
    VisitResult,
    home_visit_rules,
    record_visit,
    visit_outcomes,
    visit_refusals,
)
from app.services.portfolio.addresses import AddressInput
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import ChecklistList, buddy
from app.ui.common.i18n import DATE_FORMATS
from app.ui.common.look import Ink, paint
from app.ui.field.attachments import AttachmentList

# The new address's parts, as the service names them.
ADDRESS_PARTS = ("province", "city", "district", "street")


class VisitOutcomeDialog(QDialog):
    """Emits `recorded(visit, recorded)` with the visit as it is now, once it is stored."""

    recorded = Signal(object, object)

    def __init__(
        self, context: Context, visit: PlannedVisit, country: str, parent: QWidget | None = None
    ) -> None:
        """`country`: the borrower's, whose profile's home-visit checklist applies."""
        super().__init__(parent)
        self.context = context
        self.visit = visit
        self.country = country
        self.rules = home_visit_rules(profile_code_for(country))
        self._saving = False
        language = context.language
        formats = context.formats
        now = context.clock()
        self.setWindowTitle(
            self.tr("Visit outcome — {borrower}").format(borrower=visit.borrower_name)
        )

        self.heading = QLabel(
            self.tr("Stop {seq}: {borrower} · {contract} · {address}").format(
                seq=formats.number(visit.seq),
                borrower=visit.borrower_name,
                contract=visit.contract_no,
                address=visit.address,
            )
        )
        self.heading.setWordWrap(True)

        self.outcomes = QButtonGroup(self)
        self._codes: dict[int, str] = {}
        self.outcome_box = QWidget()
        self.outcome_box.setAccessibleName(self.tr("Outcome"))
        outcome_box = QVBoxLayout(self.outcome_box)
        outcome_box.setContentsMargins(0, 0, 0, 0)
        for number, outcome in enumerate(visit_outcomes().values()):
            button = QRadioButton(outcome.label(language))
            self.outcomes.addButton(button, number)
            self._codes[number] = outcome.code
            outcome_box.addWidget(button)

        zone = QTimeZone(str(formats.zone.key).encode())
        self.visited_at = QDateTimeEdit()
        self.visited_at.setAccessibleName(self.tr("Time of the visit"))
        self.visited_at.setTimeZone(zone)
        self.visited_at.setLocale(formats.locale)
        self.visited_at.setDisplayFormat(f"{DATE_FORMATS[language]} HH:mm")
        self.visited_at.setCalendarPopup(True)
        self.visited_at.setMaximumDateTime(_qdatetime(now))
        planned = visit.planned_at or now
        self.visited_at.setDateTime(_qdatetime(min(planned, now)))

        self.emotion = QComboBox()
        self.emotion.setAccessibleName(self.tr("Emotion observed"))
        self.emotion.addItem(self.tr("— not recorded —"), None)
        for emotion in emotions().values():
            self.emotion.addItem(emotion.label(language), emotion.code)

        self.support = QLabel()
        self.support.setWordWrap(True)
        self.support.setAccessibleName(self.tr("Support information"))
        paint(self.support, Ink.ERROR, bold=True)
        self.support.hide()

        self.checklist = ChecklistList()
        self.checklist.setAccessibleName(self.tr("Checklist"))
        self.checklist.setMinimumHeight(120)

        self.consent = QComboBox()
        self.consent.setAccessibleName(self.tr("Consent to enter"))
        self.consent.addItem(self.tr("— not asked —"), None)
        self.consent.addItem(self.tr("Yes: we were let in"), True)
        self.consent.addItem(self.tr("No: we stayed at the door"), False)

        today = local_today(now)
        self.amount = QLineEdit()
        self.amount.setAccessibleName(self.tr("Promised amount"))
        self.amount.setPlaceholderText(self.tr("Amount, e.g. 1200.00"))
        self.promise_date = QDateEdit()
        self.promise_date.setAccessibleName(self.tr("Promise date"))
        self.promise_date.setCalendarPopup(True)
        self.promise_date.setLocale(formats.locale)
        self.promise_date.setDisplayFormat(DATE_FORMATS[language])
        # No bounds: a date the rules refuse stays as typed and is refused at the field.
        self.promise_date.setDate(_qdate(today))

        # Where a borrower who moved away went, as far as the neighbours or the new tenant knew.
        self.new_province = QLineEdit()
        self.new_province.setAccessibleName(self.tr("New address: province or state"))
        self.new_province.setPlaceholderText(self.tr("Province or state, e.g. 广东 or CA"))
        self.new_city = QLineEdit()
        self.new_city.setAccessibleName(self.tr("New address: city"))
        self.new_city.setPlaceholderText(self.tr("City"))
        self.new_district = QLineEdit()
        self.new_district.setAccessibleName(self.tr("New address: district"))
        self.new_district.setPlaceholderText(self.tr("District"))
        self.new_street = QLineEdit()
        self.new_street.setAccessibleName(self.tr("New address: street and number"))
        self.new_street.setPlaceholderText(self.tr("Street and number"))
        self.new_address_parts = (
            self.new_province,
            self.new_city,
            self.new_district,
            self.new_street,
        )

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setPlaceholderText(self.tr("What you saw and what was said, in a few words"))
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(80)

        # The visit's evidence: attached at once, offline, whatever becomes of the outcome.
        self.attach_purpose = QComboBox()
        self.attach_purpose.setAccessibleName(self.tr("What the file shows"))
        for purpose in attachment_policy().kinds[KIND]:
            self.attach_purpose.addItem(purpose.label.text(language), purpose.code)
        self.attach_button = QPushButton(self.tr("Attach p&hoto…"))
        self.attach_button.setAccessibleName(self.tr("Attach a photo or a PDF to the visit"))
        self.attached = AttachmentList(context)
        self.attached.setMaximumHeight(80)
        self._attaching = False

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("&Save"))
        self.save_button.setAccessibleName(self.tr("Save the visit's outcome"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

        promise_row = QHBoxLayout()
        promise_row.addWidget(self.amount, 1)
        promise_row.addWidget(self.promise_date)
        # The service's refusals at their fields (`visit_refusals` names them).
        self.marks = FieldMarks()
        marks = self.marks
        first_outcome = self.outcomes.buttons()[0]
        form = QFormLayout()
        form.addRow(self.tr("Outcome"), self.outcome_box)
        form.addRow("", marks.add("outcome", self.outcome_box, focus=first_outcome))
        form.addRow(buddy(self.tr("&Visited at"), self.visited_at), self.visited_at)
        form.addRow("", marks.add("visited_at", self.visited_at))
        form.addRow(buddy(self.tr("&Emotion"), self.emotion), self.emotion)
        form.addRow("", marks.add("emotion", self.emotion))
        form.addRow(self.support)
        form.addRow(buddy(self.tr("Chec&klist"), self.checklist), self.checklist)
        form.addRow("", marks.add("checklist", self.checklist))
        form.addRow(buddy(self.tr("&Consent to enter"), self.consent), self.consent)
        form.addRow(buddy(self.tr("&Promise"), self.amount), promise_row)
        form.addRow("", marks.add("promise_amount", self.amount))
        form.addRow("", marks.add("promise_date", self.promise_date))
        moved_row = QHBoxLayout()
        for part in self.new_address_parts:
            moved_row.addWidget(part, 2 if part is self.new_street else 1)
        form.addRow(buddy(self.tr("Moved &to"), self.new_province), moved_row)
        for name, part in zip(ADDRESS_PARTS, self.new_address_parts, strict=True):
            form.addRow("", marks.add(name, part))
        form.addRow(buddy(self.tr("&Notes"), self.notes), self.notes)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attach_purpose, 1)
        attach_row.addWidget(self.attach_button)
        form.addRow(buddy(self.tr("Atta&ched"), self.attach_purpose), attach_row)
        form.addRow("", self.attached)
        form.addRow("", marks.add("file", self.attach_button))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form, 1)
        layout.addWidget(self.buttons)

        self.outcomes.buttonToggled.connect(self._outcome_toggled)
        self.emotion.currentIndexChanged.connect(lambda _index: self._rebuild_checklist())
        # Once Save was tried, the marks follow every change.
        self._tried = False
        self.emotion.currentIndexChanged.connect(lambda _index: self._recheck())
        self.checklist.itemChanged.connect(lambda _item: self._recheck())
        self.amount.textChanged.connect(lambda _text: self._recheck())
        self.promise_date.dateChanged.connect(lambda _date: self._recheck())
        self.visited_at.dateTimeChanged.connect(lambda _moment: self._recheck())
        for part in self.new_address_parts:
            part.textChanged.connect(lambda _text: self._recheck())
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.attach_button.clicked.connect(self.attach)
        self.resize(560, 680)
        self._rebuild_checklist()
        context.call(
            visit_attachments,
            context.username,
            visit.id,
            on_done=self.attached.show_views,
            on_error=lambda _error: None,
        )

    # What the agent chose.

    def outcome(self) -> VisitOutcome | None:
        code = self._codes.get(self.outcomes.checkedId())
        return None if code is None else visit_outcomes()[code]

    def emotion_code(self) -> str | None:
        value = self.emotion.currentData()
        return None if value is None else str(value)

    def ticked(self) -> tuple[str, ...]:
        return self.checklist.ticked()

    def missing(self) -> list[str]:
        """Labels of required checklist items not yet ticked."""
        return self.checklist.missing()

    def visit_time(self) -> datetime:
        return datetime.fromtimestamp(self.visited_at.dateTime().toSecsSinceEpoch(), UTC)

    def new_address(self) -> AddressInput | None:
        """Where the borrower moved to, as typed (checked by the service); None if not known."""
        parts = [part.text() for part in self.new_address_parts]
        if not any(text.strip() for text in parts):
            return None
        return AddressInput(*parts)

    def promise(self) -> PromiseInput | None:
        """The promise as typed (the service reads the amount), or None when none is."""
        text = self.amount.text().strip()
        if not text:
            return None
        picked = self.promise_date.date()
        return PromiseInput(text, date(picked.year(), picked.month(), picked.day()))

    def visit_result(self) -> VisitResult:
        """The outcome as the form holds it now, for the service's rules."""
        outcome = self.outcome()
        met = outcome is not None and outcome.met
        return VisitResult(
            outcome=outcome.code if outcome is not None else "",
            visited_at=self.visit_time(),
            emotion=self.emotion_code() if met else None,
            checklist=self.ticked() if met else (),
            notes=self.notes.toPlainText().strip() or None,
            consent_to_enter=self.consent.currentData() if met else None,
            promise=self.promise() if outcome is not None and outcome.requires_promise else None,
            new_address=self.new_address() if outcome is not None and outcome.moved else None,
        )

    # Changing it.

    def choose(self, code: str) -> None:
        for number, known in self._codes.items():
            if known == code:
                button = self.outcomes.button(number)
                button.setChecked(True)
                return

    def choose_emotion(self, code: str) -> None:
        index = self.emotion.findData(code)
        if index >= 0:
            self.emotion.setCurrentIndex(index)

    def tick_all(self) -> None:
        self.checklist.tick_all()

    def _outcome_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self._rebuild_checklist()
            self._recheck()

    def _follow_outcome(self) -> None:
        """Only what the outcome can carry is open: nobody met, no emotion, checklist or
        consent; a promise only with the promise outcome."""
        outcome = self.outcome()
        met = outcome is None or outcome.met
        for widget in (self.emotion, self.checklist, self.consent):
            widget.setEnabled(met)
        if not met:
            self.emotion.setCurrentIndex(0)
            self.consent.setCurrentIndex(0)
        promising = outcome is not None and outcome.requires_promise
        self.amount.setEnabled(promising)
        self.promise_date.setEnabled(promising)
        if not promising:
            self.amount.clear()
        moved = outcome is not None and outcome.moved
        for part in self.new_address_parts:
            part.setEnabled(moved)
            if not moved:
                part.clear()

    def _rebuild_checklist(self) -> None:
        self._follow_outcome()
        outcome, emotion = self.outcome(), self.emotion_code()
        language = self.context.language
        self.support.hide()
        if outcome is None or not outcome.met:
            self.checklist.fill(())
            return
        entries: list[tuple[str, str, bool]] = [
            (item.id, item.text(language), True) for item in self.rules.checklist
        ]
        if emotion is not None and outcome.checklist_as is not None:
            try:
                items = checklist_for(emotion, outcome.checklist_as)
                lines = support_lines(emotion, self.country)
            except DomainError:
                items, lines = (), ()
            entries += [(item.id, item.text(language, visit=True), item.required) for item in items]
            if lines:
                self.support.setText(
                    self.tr("Give the borrower support information: {lines}").format(
                        lines="; ".join(f"{line.text(language)} {line.number}" for line in lines)
                    )
                )
                self.support.show()
        self.checklist.fill(entries)

    # Attaching.

    def attach(self) -> None:
        """Ask for a file and attach it to the visit (checked by the service: its content, its
        size, its name); a refusal is shown at the button, nothing attached."""
        if self._attaching:
            return
        path = self.context.dialogs.choose_file(
            self,
            self.tr("Attach a photo or a PDF"),
            self.tr("Photos and PDFs (*.jpg *.jpeg *.png *.pdf);;All files (*)"),
        )
        if path is None:
            return
        self._attaching = True
        self.attach_button.setEnabled(False)
        self.marks.clear()
        self.context.call(
            attach_file_to_visit,
            self.context.username,
            self.visit.id,
            Path(path),
            str(self.attach_purpose.currentData()),
            now=self.context.clock(),
            on_done=self._attached,
            on_error=self._attach_failed,
        )

    def _attached(self, view: AttachmentView) -> None:
        self._attaching = False
        self.attach_button.setEnabled(True)
        self.attached.add_view(view)

    def _attach_failed(self, error: BaseException) -> None:
        self._attaching = False
        self.attach_button.setEnabled(True)
        elsewhere = self.marks.show(error)
        if elsewhere:
            self.context.dialogs.error(self, self.tr("Not attached"), "\n".join(elsewhere))

    # Saving.

    def refusals(self) -> tuple[DomainError, ...]:
        """What stops the outcome from being saved: the service's rules, each at its field."""
        return visit_refusals(self.visit_result(), self.rules, self.country, self.context.clock())

    def problems(self) -> list[str]:
        """What stops the outcome from being saved, in the user's language."""
        return [error_text(error) for error in self.refusals()]

    def _recheck(self) -> None:
        if self._tried and not self._saving:
            self.marks.show_problems(self.refusals(), focus=False)

    def save(self) -> None:
        if self._saving:
            return
        self._tried = True
        found = self.refusals()
        if found:
            # Every problem at its field, the first one focused: no message box to click away.
            self.marks.show_problems(found)
            return
        self.marks.clear()
        outcome = self.outcome()
        assert outcome is not None
        self._set_saving(True)
        self.context.call(
            record_visit,
            self.context.username,
            self.visit.id,
            self.visit_result(),
            now=self.context.clock(),
            on_done=lambda recorded: self._stored(outcome.code, recorded),
            on_error=self._failed,
        )

    @property
    def saving(self) -> bool:
        return self._saving

    def _set_saving(self, saving: bool) -> None:
        # While the outcome is on its way it cannot be taken back: no cancel, no close.
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(not saving)

    def reject(self) -> None:
        if not self._saving:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._saving:
            event.ignore()
            return
        super().closeEvent(event)

    def _stored(self, code: str, recorded: RecordedVisit) -> None:
        self._set_saving(False)
        self.recorded.emit(replace(self.visit, status=VisitStatus.DONE, outcome=code), recorded)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_saving(False)
        # At its field where the refusal names one (the promised amount beyond what is owed).
        elsewhere = self.marks.show(error)
        if elsewhere:
            self.context.dialogs.error(self, self.tr("Not saved"), "\n".join(elsewhere))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
