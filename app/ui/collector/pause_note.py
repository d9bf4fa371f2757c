"""Pauses stop plans (docs/domain.md §7): the note the plan dialog and the lead's approvals show
over a paused account, and the team lead's leave to plan despite the pause.

The note says what `app.services.plans.pauses` says: while the pause stops plans, the
service's own refusal (the same words a refused save, approval or issue shows); while a lead's
leave covers it, who let plans go ahead, until when and why. A team lead of the account gets
"Allow plans despite the pause…", which asks why (the service keeps the reason with the
account and audits it) and emits `allowed(PlanPause)` with the pause as it stands afterwards.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.common.errors import DomainError
from app.services.plans.pauses import PlanPause, allow_plans_despite_pause, pause_reason
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Job


class PauseNote(QWidget):
    """The account's pause as it bears on plans; hidden while the account is not paused."""

    allowed = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.pause: PlanPause | None = None
        self._busy = False
        self._job: Job | None = None
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.label.setAccessibleName(self.tr("Collection paused"))
        self.allow_button = QPushButton(self.tr("Allow plans despite the pause…"))
        self.allow_button.setAccessibleName(self.tr("Allow plans despite the pause"))
        self.allow_button.setAutoDefault(False)
        self.allow_button.clicked.connect(self.allow)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.allow_button, 0, Qt.AlignmentFlag.AlignTop)
        self.show_pause(None)

    @property
    def stops_plans(self) -> bool:
        """The pause shown stops plans (no lead's leave covers it)."""
        return self.pause is not None and self.pause.stops_plans

    def text(self) -> str:
        return self.label.text() if self.pause is not None and self.pause.paused else ""

    def show_pause(self, pause: PlanPause | None) -> None:
        """Show `pause` (None: not known, or no account): hidden unless the account is paused."""
        self.pause = pause
        if pause is None or not pause.paused:
            self.label.clear()
            self.hide()
            return
        if pause.stops_plans:
            text = error_text(pause.refusal())
            paint(self.label, Ink.ERROR)
        else:
            leave = pause.override
            assert leave is not None  # paused, and plans not stopped: a leave covers it
            text = self.tr(
                "Collection on this account is paused ({pauses}); {lead} let plans go ahead"
                " despite it until {until}: “{reason}”"
            ).format(
                pauses=pause.names.text(self.context.language),
                lead=leave.lead,
                until=self.context.formats.date_time(leave.until),
                reason=leave.reason,
            )
            paint(self.label, Ink.WARNING)
        self.label.setText(text)
        self.label.setAccessibleDescription(text)
        self._update_button()
        self.show()

    def _update_button(self) -> None:
        may = self.pause is not None and self.pause.viewer_may_allow
        self.allow_button.setVisible(may)
        self.allow_button.setEnabled(may and not self._busy)

    def allow(self) -> None:
        """Ask the lead why, then let plans go ahead on the account despite the pause."""
        pause = self.pause
        if self._busy or pause is None or not pause.viewer_may_allow:
            return
        question = self.tr(
            "Why may a plan go ahead on {contract} although its collection is paused"
            " ({pauses})? The reason is kept with the account."
        ).format(contract=pause.contract_no, pauses=pause.names.text(self.context.language))
        label = question
        while True:
            typed = self.context.dialogs.ask_text(
                self, self.tr("Allow plans despite the pause"), label
            )
            if typed is None:
                return
            # The service's own check, before anything is sent: a reason it would refuse is
            # asked for again with what is wrong, not refused in a message box afterwards.
            try:
                reason = pause_reason(typed)
            except DomainError as error:
                label = f"{error_text(error)}\n\n{question}"
                continue
            break
        self._busy = True
        self._update_button()

        def done(after: PlanPause) -> None:
            self._busy = False
            self.show_pause(after)
            self.allowed.emit(after)

        def failed(error: BaseException) -> None:
            self._busy = False
            self._update_button()
            self.context.dialogs.error(
                self, self.tr("Could not allow plans despite the pause"), error_text(error)
            )

        self._job = self.context.call(
            allow_plans_despite_pause,
            self.context.username,
            pause.contract_no,
            reason,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )

    def retire(self) -> None:
        """Drop the answer still on its way (the note is about to be deleted)."""
        if self._job is not None:
            self._job.cancel()
