"""The right panel: the number being called, the call timer, the script and the outcome."""

from __future__ import annotations

import uuid
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.cases.disputes import record_dispute_contact
from app.services.common.clock import local_today
from app.services.common.errors import DomainError
from app.services.common.reference import dispositions
from app.services.contact.contacts import (
    ContactInput,
    PromiseInput,
    RecordedContact,
)
from app.services.contact.dialing import CallOption
from app.services.contact.outcome_rules import OutcomeDraft, form_refusals
from app.services.contact.scripts import Script, promise_values
from app.services.portfolio.accounts import AccountDetail
from app.ui.collector.outcome_form import OutcomeForm
from app.ui.collector.script_view import ScriptView
from app.ui.common.context import Context
from app.ui.common.dialogs import detail_text, error_text
from app.ui.common.labels import decision_reason
from app.ui.common.look import Ink, paint
from app.ui.common.scroll_areas import FittedScrollArea, LinesArea

# Longer than this between hanging up and saving is not after-call work (an hour).
MAX_AFTER_CALL_SECONDS = 3600


class CallPanel(QWidget):
    """Emits `saved(recorded, go_next)` once an outcome is stored, and `plan_requested()` when
    the script's step asks for the plan calculator (the main window opens the plan dialog)."""

    saved = Signal(object, bool)
    plan_requested = Signal()
    # The call timer stopped: the call ended, or its account was saved or left.
    timer_stopped = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setAccessibleName(self.tr("Call"))
        self.setAccessibleDescription(
            self.tr("The number called, the call script and the outcome of the call")
        )
        self.detail: AccountDetail | None = None
        self.options: tuple[CallOption, ...] = ()
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self._saving = False
        self._enabled = False
        # Save was tried on this account: its problems are marked at their fields from now on.
        self._tried = False

        self.account = QLabel(self.tr("No account open"))
        self.account.setStyleSheet("font-weight: bold")
        self.account.setWordWrap(True)
        self.number = QComboBox()
        self.number.setAccessibleName(self.tr("Number used"))
        self.number.currentIndexChanged.connect(lambda _index: self._script_for_number())
        self.number.currentIndexChanged.connect(lambda _index: self._show_missing())
        self.scripts: tuple[Script | None, Script | None] = (None, None)
        self.timer_label = QLabel("00:00")
        self.timer_label.setAccessibleName(self.tr("Call timer"))
        self.end_button = QPushButton(self.tr("End call"))
        self.end_button.setAccessibleName(self.tr("End call"))
        self.end_button.setEnabled(False)
        self.end_button.clicked.connect(self.end_call)
        call_row = QHBoxLayout()
        call_row.addWidget(self.number, 1)
        call_row.addWidget(self.timer_label)
        call_row.addWidget(self.end_button)

        self.script = ScriptView(context.language)
        self.form = OutcomeForm(context.formats)
        self.script.suggested.connect(self._suggested)
        self.script.action_requested.connect(self._action)
        self.form.amount.textChanged.connect(self._promise_typed)
        self.form.promise_date.dateChanged.connect(self._promise_typed)
        self.form.changed.connect(self._show_missing)
        self.script.changed.connect(self._show_missing)
        marks = self.marks = self.form.marks
        # Each half scrolls on its own on a short screen: the window never grows with a long
        # script step or checklist, and End call and the Save buttons stay in sight.
        script_box = QGroupBox(self.tr("Call script"))
        self.script_area = FittedScrollArea(self.script)
        self.script_area.setAccessibleName(self.tr("Call script"))
        script_layout = QVBoxLayout(script_box)
        script_layout.addWidget(self.script_area)
        script_layout.addWidget(marks.add("script", self.script))
        form_box = QGroupBox(self.tr("Outcome"))
        self.form_area = FittedScrollArea(self.form)
        self.form_area.setAccessibleName(self.tr("Outcome"))
        QVBoxLayout(form_box).addWidget(self.form_area)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("call-splitter")
        self.splitter.addWidget(script_box)
        self.splitter.addWidget(form_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([550, 450])  # the main window sets them for its screen

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setAccessibleName(self.tr("Save the outcome"))
        self.save_next_button = QPushButton(self.tr("Save and next"))
        self.save_next_button.setAccessibleName(
            self.tr("Save the outcome and open the next account")
        )
        self.save_next_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save(go_next=False))
        self.save_next_button.clicked.connect(lambda: self.save(go_next=True))
        # What the outcome still lacks, in the service's words, where no field of the form
        # shows it; Save waits until nothing is missing.
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setAccessibleName(self.tr("Still missing before saving"))
        paint(self.missing, Ink.ERROR)
        self.missing.hide()
        # A long list scrolls within three lines rather than push the Save buttons down.
        self.missing_area = LinesArea(self.missing, lines=3)
        self.missing_area.setAccessibleName(self.tr("Still missing before saving"))
        self.missing_area.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.save_next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.account)
        layout.addLayout(call_row)
        layout.addWidget(marks.add("contact_point", self.number))
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.missing_area)
        layout.addLayout(buttons)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_elapsed)
        self._actions = self._make_actions()
        self.set_enabled(False)

    # Menu entries (the main window puts them in its Call menu).

    def _make_actions(self) -> list[QAction]:
        actions = []

        def add(text: str, shortcut: str, slot: object) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            actions.append(action)
            return action

        add(self.tr("&End call"), "Ctrl+E", self.end_call)
        add(self.tr("&Save outcome"), "Ctrl+S", lambda: self.save(go_next=False))
        add(self.tr("Save and &next"), "Ctrl+Return", lambda: self.save(go_next=True))
        add(self.tr("Go to the s&cript"), "Alt+3", lambda: self.script.setFocus())
        add(self.tr("Go to the &outcome"), "Alt+4", lambda: self.form.disposition.setFocus())
        separator = QAction(self)
        separator.setSeparator(True)
        actions.append(separator)
        language = self.context.language
        for code in dispositions().values():
            if code.shortcut:
                add(
                    self.tr("Outcome: {label}").format(label=code.label(language)),
                    code.shortcut,
                    lambda _checked=False, c=code.code: self.form.choose(c),
                )
        return actions

    def actions_for_menu(self) -> list[QAction]:
        return self._actions

    # The account.

    def set_account(
        self,
        detail: AccountDetail,
        options: tuple[CallOption, ...],
        script: Script | None,
        third_party_script: Script | None = None,
    ) -> None:
        same = self.detail is not None and self.detail.loan_id == detail.loan_id
        self.detail, self.options = detail, options
        self.scripts = (script, third_party_script)
        self.account.setText(f"{detail.borrower} · {detail.contract_no}")
        chosen = self.number.currentData() if same else None  # the point id as text
        self.number.blockSignals(True)
        self.number.clear()
        for option in options:
            state = "" if option.allowed else self.tr(" (blocked)")
            # Ids as text: Qt compares wrapped Python objects by identity, not by value.
            self.number.addItem(f"{self._display(option)}{state}", str(option.contact_point_id))
        if chosen is not None and (index := self.number.findData(chosen)) >= 0:
            self.number.setCurrentIndex(index)
        else:
            first = next((i for i, o in enumerate(options) if o.allowed), 0)
            self.number.setCurrentIndex(first)
        self.number.blockSignals(False)
        if not same:
            self._script_for_number(force=True)
            now = self.context.clock()
            self.form.reset(local_today(now), now, _country(detail))
            self._tried = False
            self._stop_timer(reset=True)
        self.set_enabled(True)

    @property
    def in_call(self) -> bool:
        """A number was dialled and the outcome is not saved yet."""
        return self.started_at is not None

    def _chosen_option(self) -> CallOption | None:
        chosen = self.number.currentData()
        return next((o for o in self.options if str(o.contact_point_id) == chosen), None)

    def _script_for_number(self, force: bool = False) -> None:
        """The borrower's script for their own numbers; the third-party one for a relative's."""
        option = self._chosen_option()
        wanted = self.scripts[1] if option is not None and option.third_party else self.scripts[0]
        current = self.script.run.script if self.script.run is not None else None
        if force or (wanted is not None and current is not None and wanted.stage != current.stage):
            self.script.set_script(wanted)

    def update_options(self, options: tuple[CallOption, ...]) -> None:
        """New answers from the rules for the same account: relabel the numbers, keep the rest."""
        self.options = options
        if self.detail is None:
            return  # saved, and waiting for the next account: it brings its own numbers
        for option in options:
            index = self.number.findData(str(option.contact_point_id))
            if index >= 0:
                state = "" if option.allowed else self.tr(" (blocked)")
                self.number.setItemText(index, f"{self._display(option)}{state}")

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        for widget in (self.number, self.script, self.form):
            widget.setEnabled(enabled)
        # The menu's Save entries stay live: pressed too early, they say what is missing.
        for action in self._actions:
            action.setEnabled(enabled)
        self._show_missing()

    def _display(self, option: CallOption) -> str:
        assert self.detail is not None
        shown = next(
            (p.display for p in self.detail.contact_points if p.id == option.contact_point_id),
            option.e164,
        )
        return shown

    def blocked_text(self, options: tuple[CallOption, ...]) -> str:
        """Why each number may not be called now, and from when it may."""
        lines = []
        for option in options:
            if option.allowed:
                continue
            decision = option.decision
            reason = decision_reason(decision, self.context.language)
            detail = detail_text(decision)
            if detail:
                reason = f"{reason} ({detail})"
            when = ""
            if decision.next_allowed_at is not None:
                when = self.tr(" (allowed from {time})").format(
                    time=self.context.formats.date_time(decision.next_allowed_at)
                )
            lines.append(f"{self._display(option)}: {reason}{when}")
        return "\n".join(lines) or self.tr("This account has no phone number.")

    # The call.

    def call_started(self, option: CallOption) -> None:
        index = self.number.findData(str(option.contact_point_id))
        if index >= 0:
            self.number.setCurrentIndex(index)
        self.started_at = self.context.clock()
        self.ended_at = None
        # The attempt is logged against the number dialled: no changing it mid-call.
        self.number.setEnabled(False)
        self.end_button.setEnabled(True)
        self._tick.start()
        self._show_elapsed()

    def end_call(self) -> None:
        if self.started_at is not None and self.ended_at is None:
            self.ended_at = self.context.clock()
            self._tick.stop()
            self.end_button.setEnabled(False)
            self._show_elapsed()
            self.timer_stopped.emit()

    def duration_seconds(self) -> int:
        if self.started_at is None:
            return 0
        end = self.ended_at or self.context.clock()
        return max(0, int((end - self.started_at).total_seconds()))

    def _stop_timer(self, reset: bool) -> None:
        self._tick.stop()
        self.end_button.setEnabled(False)
        if reset:
            self.started_at = self.ended_at = None
            self.number.setEnabled(self.detail is not None)
        self._show_elapsed()
        self.timer_stopped.emit()

    def _show_elapsed(self) -> None:
        seconds = self.duration_seconds()
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")

    def _suggested(self, disposition: str | None, emotion: str | None) -> None:
        if disposition:
            self.form.choose(disposition)
        if emotion:
            self.form.choose_emotion(emotion)

    def _action(self, action: str) -> None:
        if action == "promise":
            self.form.choose("PTP")
            self.form.amount.setFocus()
        elif action == "callback":
            self.form.choose("CB")
            self.form.callback.setChecked(True)
            self.form.callback_at.setFocus()
        elif action == "plan_calculator":
            self.form.choose("PLAN")
            self.plan_requested.emit()

    def _promise_typed(self, *_args: object) -> None:
        """Say the promise back in the script's recap as soon as it is a valid one."""
        if self.detail is None:
            return
        try:
            promise = self.form.promise()
        except DomainError:
            return
        if promise is not None:
            self.script.fill(
                promise_values(promise[0], promise[1], self.context.language, self.detail.currency)
            )

    # Saving.

    def draft(self) -> OutcomeDraft:
        """The outcome as the form, the script and the number chosen hold it now."""
        run = self.script.run
        option = self._chosen_option()
        chosen = self.number.currentData()
        amount = self.form.amount.text().strip()
        return OutcomeDraft(
            disposition=self.form.code(),
            channel="call",
            contact_point_id=uuid.UUID(chosen) if chosen is not None else None,
            third_party_point=option is not None and option.third_party,
            # The script shown and the path taken: the service reads the identity check, the
            # disclosures and the emotion recorded from them, as it does for the command line.
            script_stage=run.script.stage if run is not None else None,
            script_steps=run.path() if run is not None else (),
            emotion=self.form.emotion_code(),
            checklist=self.form.ticked(),
            promise_amount=amount or None,
            promise_date=self.form.promised_date() if amount else None,
            callback_at=self.form.callback_time(),
        )

    def refusals(self) -> tuple[DomainError, ...]:
        """What stops the outcome from being saved: the service's rules, each at its field."""
        run = self.script.run
        profile = run.script.profile if run is not None else None
        found = form_refusals(self.draft(), now=self.context.clock(), profile=profile)
        try:
            self.form.dispute(local_today(self.context.clock()))
        except DomainError as error:
            found = (*found, error)
        return found

    def problems(self) -> list[str]:
        """What stops the outcome from being saved, in the UI language."""
        return [error_text(error) for error in self.refusals()]

    def _show_missing(self, focus: bool = False) -> None:
        """Save is open exactly when nothing is missing. Once an outcome is chosen (or Save
        was tried), each problem shows at its field, and above Save only those about none;
        before that, the one thing missing (the outcome) shows above Save."""
        found = self.refusals() if self.detail is not None and self._enabled else ()
        if self._tried or self.form.code() is not None:
            elsewhere = self.marks.show_problems(found, focus=focus)
        else:
            self.marks.clear()
            elsewhere = [error_text(error) for error in found]
        self.missing.setText("\n".join(elsewhere))
        self.missing.setVisible(bool(elsewhere))
        self.missing_area.setVisible(bool(elsewhere))
        self.missing_area.text_changed()
        ready = self.detail is not None and self._enabled and not self._saving and not found
        self.save_button.setEnabled(ready)
        self.save_next_button.setEnabled(ready)

    def save(self, go_next: bool) -> None:
        if self.detail is None or self._saving:
            return
        if self.refusals():
            # Every problem at its field, the first one focused: no message box to click away.
            self._tried = True
            self._show_missing(focus=True)
            return
        draft = self.draft()
        self.end_call()
        now = self.context.clock()
        promise = None
        if draft.promise_amount is not None and draft.promise_date is not None:
            promise = PromiseInput(draft.promise_amount, draft.promise_date)
        entry = ContactInput(
            username=self.context.username,
            contract_no=self.detail.contract_no,
            disposition=draft.disposition or "",
            started_at=self.started_at or now,
            channel=draft.channel,
            contact_point_id=draft.contact_point_id,
            duration_seconds=self.duration_seconds(),
            after_call_seconds=self._after_call_seconds(now),
            emotion=draft.emotion,
            checklist=draft.checklist,
            script_stage=draft.script_stage,
            script_steps=draft.script_steps,
            notes=self.form.note_text(),
            promise=promise,
            callback_at=draft.callback_at,
        )
        claim = self.form.dispute(local_today(now))
        self._set_saving(True)
        self.context.call(
            record_dispute_contact,
            entry,
            claim,
            now=now,
            on_done=lambda recorded: self._stored(recorded, go_next),
            on_error=self._failed,
        )

    def _after_call_seconds(self, now: datetime) -> int | None:
        """From hanging up to saving; None when no call was timed here."""
        if self.ended_at is None:
            return None
        seconds = max(0, int((now - self.ended_at).total_seconds()))
        # Saved the next morning, say: that is no after-call work, and no time to record.
        return seconds if seconds <= MAX_AFTER_CALL_SECONDS else None

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self._show_missing()

    def _stored(self, recorded: RecordedContact, go_next: bool) -> None:
        self._set_saving(False)
        self._stop_timer(reset=True)
        self.detail = None  # the next set_account starts a fresh form
        self.set_enabled(False)  # until the next account (or this one again) is shown
        self.saved.emit(recorded, go_next)

    def _failed(self, error: BaseException) -> None:
        self._set_saving(False)
        # A refusal about a field (the promised amount beyond what is owed) shows there; the
        # rest (the rules forbid the contact now) in a message.
        self._tried = True
        elsewhere = self.marks.show(error)
        if elsewhere:
            self.context.dialogs.error(self, self.tr("Not saved"), "\n".join(elsewhere))


def _country(detail: AccountDetail) -> str:
    return detail.country
