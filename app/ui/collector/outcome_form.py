"""The outcome of a call: disposition, emotion and its checklist, promise, callback, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from app.services.cases.disputes import DISPUTE, DisputeClaim, check_claim
from app.services.cases.policy import cases_policy
from app.services.common.errors import DomainError, InvalidInput
from app.services.common.money import parse_amount
from app.services.common.reference import dispositions, emotions
from app.services.contact.checklists import ChecklistItem, checklist_for, support_lines
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import ChecklistList, buddy
from app.ui.common.i18n import Formats
from app.ui.common.look import Ink, paint

CODE_ROLE = Qt.ItemDataRole.UserRole


class OutcomeForm(QWidget):
    """Emits `changed()` whenever what would be saved changes."""

    changed = Signal()

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Outcome of the call"))
        self.formats = formats
        self.country = "CN"
        language = formats.language

        self.disposition = QListWidget()
        self.disposition.setAccessibleName(self.tr("Outcome"))
        for code in dispositions().values():
            if code.by_system:
                continue  # a reminder's answer, recorded by the dispatcher alone
            item = QListWidgetItem(f"{code.label(language)}  ({code.code})")
            item.setData(CODE_ROLE, code.code)
            if code.shortcut:
                item.setToolTip(code.shortcut)
            self.disposition.addItem(item)
        self.disposition.setMinimumHeight(110)
        self.disposition.setMaximumHeight(150)
        # A long outcome wraps rather than hide its code past the edge of a narrow pane.
        self.disposition.setWordWrap(True)
        self.disposition.setResizeMode(QListView.ResizeMode.Adjust)
        self.disposition.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.emotion = QComboBox()
        self.emotion.setAccessibleName(self.tr("Emotion observed"))
        self.emotion.addItem(self.tr("— not recorded —"), None)
        for emotion in emotions().values():
            self.emotion.addItem(emotion.label(language), emotion.code)

        self.checklist = ChecklistList()
        self.checklist.setAccessibleName(self.tr("Checklist"))
        self.support = QLabel()
        self.support.setWordWrap(True)
        self.support.setAccessibleName(self.tr("Support information"))
        paint(self.support, Ink.ERROR, bold=True)
        self.support.hide()

        self.amount = QLineEdit()
        self.amount.setAccessibleName(self.tr("Promised amount"))
        self.amount.setPlaceholderText(self.tr("Amount, e.g. 1200.00"))
        self.promise_date = QDateEdit()
        self.promise_date.setAccessibleName(self.tr("Promise date"))
        self.promise_date.setCalendarPopup(True)
        self.promise_date.setDisplayFormat("yyyy-MM-dd")

        self.callback = QCheckBox(self.tr("Call back at"))
        self.callback.setAccessibleName(self.tr("Schedule a callback"))
        self.callback_at = QDateTimeEdit()
        self.callback_at.setAccessibleName(self.tr("Callback time"))
        self.callback_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.callback_at.setCalendarPopup(True)
        self.callback_at.setTimeZone(QTimeZone(str(formats.zone.key).encode()))
        self.callback_at.setEnabled(False)
        self.callback.toggled.connect(self.callback_at.setEnabled)

        # A dispute (DSP) opens a case: what the borrower disputes, and for "already paid" the
        # payment they say they made (matched against the feed's payments by the lead).
        self.dispute_box = QWidget()
        self.dispute_box.setAccessibleName(self.tr("The dispute"))
        self.dispute_kind = QComboBox()
        self.dispute_kind.setAccessibleName(self.tr("What the borrower disputes"))
        for kind, label in cases_policy().dispute_kinds.items():
            self.dispute_kind.addItem(label.text(language), kind)
        self.dispute_claim = QLineEdit()
        self.dispute_claim.setAccessibleName(self.tr("The borrower's claim"))
        self.dispute_claim.setPlaceholderText(self.tr("In the borrower's words"))
        self.claimed_amount = QLineEdit()
        self.claimed_amount.setAccessibleName(self.tr("Amount the borrower says they paid"))
        self.claimed_amount.setPlaceholderText(self.tr("Amount paid (if they say so)"))
        self.claimed_on = QLineEdit()
        self.claimed_on.setAccessibleName(self.tr("Day the borrower says they paid"))
        self.claimed_on.setPlaceholderText(self.tr("Paid on, YYYY-MM-DD (if known)"))
        self.claimed_reference = QLineEdit()
        self.claimed_reference.setAccessibleName(self.tr("Reference of the payment claimed"))
        self.claimed_reference.setPlaceholderText(self.tr("Payment reference (if known)"))

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setPlaceholderText(self.tr("What was said, in a few words"))
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(70)

        promise_row = QHBoxLayout()
        promise_row.addWidget(self.amount, 1)
        promise_row.addWidget(self.promise_date)
        callback_row = QHBoxLayout()
        callback_row.addWidget(self.callback)
        callback_row.addWidget(self.callback_at, 1)
        # What the service refuses, at the field it is about (the names of `outcome_rules`).
        self.marks = FieldMarks()
        marks = self.marks
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        # Narrow, a field too wide beside its label goes under it.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(buddy(self.tr("&Outcome"), self.disposition), self.disposition)
        form.addRow("", marks.add("disposition", self.disposition))
        form.addRow(buddy(self.tr("&Emotion"), self.emotion), self.emotion)
        form.addRow("", marks.add("emotion", self.emotion))
        form.addRow(self.support)
        form.addRow(buddy(self.tr("Chec&klist"), self.checklist), self.checklist)
        form.addRow("", marks.add("checklist", self.checklist))
        form.addRow(buddy(self.tr("&Promise"), self.amount), promise_row)
        form.addRow("", marks.add("promise_amount", self.amount))
        form.addRow("", marks.add("promise_date", self.promise_date))
        form.addRow(buddy(self.tr("Call&back"), self.callback), callback_row)
        form.addRow("", marks.add("callback_at", self.callback_at, focus=self.callback))
        dispute_form = QFormLayout(self.dispute_box)
        dispute_form.setContentsMargins(0, 0, 0, 0)
        dispute_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        dispute_form.addRow(buddy(self.tr("Dispu&te"), self.dispute_kind), self.dispute_kind)
        dispute_form.addRow("", marks.add("kind", self.dispute_kind))
        dispute_form.addRow(buddy(self.tr("C&laim"), self.dispute_claim), self.dispute_claim)
        dispute_form.addRow("", marks.add("claim", self.dispute_claim))
        paid_row = QHBoxLayout()
        paid_row.addWidget(self.claimed_amount, 1)
        paid_row.addWidget(self.claimed_on, 1)
        paid_row.addWidget(self.claimed_reference, 1)
        dispute_form.addRow(buddy(self.tr("Paid (&claimed)"), self.claimed_amount), paid_row)
        dispute_form.addRow("", marks.add("amount", self.claimed_amount))
        dispute_form.addRow("", marks.add("paid_on", self.claimed_on))
        dispute_form.addRow("", marks.add("reference", self.claimed_reference))
        form.addRow(self.dispute_box)
        form.addRow(buddy(self.tr("&Notes"), self.notes), self.notes)

        self.disposition.itemSelectionChanged.connect(self._rebuild_checklist)
        self.emotion.currentIndexChanged.connect(self._rebuild_checklist)
        self.checklist.itemChanged.connect(lambda _item: self.changed.emit())
        self.amount.textChanged.connect(lambda _text: self.changed.emit())
        self.promise_date.dateChanged.connect(lambda _date: self.changed.emit())
        self.callback.toggled.connect(lambda _checked: self.changed.emit())
        self.callback_at.dateTimeChanged.connect(lambda _moment: self.changed.emit())
        self.dispute_kind.currentIndexChanged.connect(lambda _index: self.changed.emit())
        for field in (
            self.dispute_claim,
            self.claimed_amount,
            self.claimed_on,
            self.claimed_reference,
        ):
            field.textChanged.connect(lambda _text: self.changed.emit())
        self.reset(date.today(), datetime.now(UTC), "CN")

    # What the collector chose.

    def code(self) -> str | None:
        # The outcome selected, not merely current: focusing the list makes its first row
        # current without choosing it.
        chosen = self.disposition.selectedItems()
        return str(chosen[0].data(CODE_ROLE)) if chosen else None

    def emotion_code(self) -> str | None:
        value = self.emotion.currentData()
        return None if value is None else str(value)

    def ticked(self) -> tuple[str, ...]:
        return self.checklist.ticked()

    def promise(self) -> tuple[Decimal, date] | None:
        """The promise typed in, or None; raises a DomainError for a bad amount."""
        text = self.amount.text().strip()
        if not text:
            return None
        return parse_amount(text, what="promise"), self.promised_date()

    def promised_date(self) -> date:
        picked = self.promise_date.date()
        return date(picked.year(), picked.month(), picked.day())

    def callback_time(self) -> datetime | None:
        if not self.callback.isChecked():
            return None
        return datetime.fromtimestamp(self.callback_at.dateTime().toSecsSinceEpoch(), UTC)

    def note_text(self) -> str | None:
        return self.notes.toPlainText().strip() or None

    def dispute(self, today: date) -> DisputeClaim | None:
        """The dispute's claim for a DSP outcome (None for any other); raises the DomainError
        `check_claim` raises, at its field."""
        if self.code() != DISPUTE:
            return None
        day_text = self.claimed_on.text().strip()
        paid_on = None
        if day_text:
            try:
                paid_on = date.fromisoformat(day_text)
            except ValueError:
                raise InvalidInput("“{text}” is not a date (YYYY-MM-DD).", text=day_text).at(
                    "paid_on"
                ) from None
        return check_claim(
            str(self.dispute_kind.currentData()),
            self.dispute_claim.text(),
            self.claimed_amount.text(),
            paid_on,
            self.claimed_reference.text(),
            today=today,
        )

    # Changing it.

    def choose(self, code: str) -> None:
        for row in range(self.disposition.count()):
            if self.disposition.item(row).data(CODE_ROLE) == code:
                self.disposition.setCurrentRow(row)
                return

    def choose_emotion(self, code: str) -> None:
        index = self.emotion.findData(code)
        if index >= 0:
            self.emotion.setCurrentIndex(index)

    def tick_all(self) -> None:
        self.checklist.tick_all()

    def reset(self, today: date, now: datetime, country: str) -> None:
        """Empty the form for a new account; dates bounded by the promise policy."""
        self.country = country
        self.disposition.setCurrentRow(-1)
        self.disposition.clearSelection()
        self.emotion.setCurrentIndex(0)
        self.amount.clear()
        # Today to start with, and no bounds: a date the rules refuse (in the past, too far
        # ahead) stays as typed and is refused at the field, never quietly made another.
        self.promise_date.setDate(QDate(today.year, today.month, today.day))
        self.callback.setChecked(False)
        start = QDateTime.fromSecsSinceEpoch(int((now + timedelta(hours=2)).timestamp()))
        self.callback_at.setMinimumDateTime(QDateTime.fromSecsSinceEpoch(int(now.timestamp())))
        self.callback_at.setDateTime(start)
        self.notes.clear()
        self.dispute_kind.setCurrentIndex(0)
        for field in (
            self.dispute_claim,
            self.claimed_amount,
            self.claimed_on,
            self.claimed_reference,
        ):
            field.clear()
        self._rebuild_checklist()

    def _follow_outcome(self) -> None:
        """Only what the outcome can carry is open: nobody answered, no emotion or checklist;
        a promise only with a promise outcome."""
        code = self.code()
        flags = dispositions().get(code) if code is not None else None
        answered = flags is None or flags.contact
        self.emotion.setEnabled(answered)
        self.checklist.setEnabled(answered)
        if not answered:
            self.emotion.setCurrentIndex(0)
        promising = flags is not None and "promise" in flags.requires
        self.amount.setEnabled(promising)
        self.promise_date.setEnabled(promising)
        if not promising:
            self.amount.clear()
        self.dispute_box.setVisible(code == DISPUTE)

    def _rebuild_checklist(self, *_args: object) -> None:
        self._follow_outcome()
        code, emotion = self.code(), self.emotion_code()
        self.checklist.blockSignals(True)
        self.support.hide()
        items: tuple[ChecklistItem, ...] = ()
        if code is not None and emotion is not None:
            try:
                items = checklist_for(emotion, code)
                lines = support_lines(emotion, self.country)
            except DomainError:
                items, lines = (), ()
            if lines:
                self.support.setText(
                    self.tr("Give the borrower support information: {lines}").format(
                        lines="; ".join(
                            f"{line.text(self.formats.language)} {line.number}" for line in lines
                        )
                    )
                )
                self.support.show()
        language = self.formats.language
        self.checklist.fill((item.id, item.text(language), item.required) for item in items)
        self.checklist.blockSignals(False)
        self.changed.emit()
