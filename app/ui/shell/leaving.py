"""Leaving the window (quit, close, sign out) with changes waiting to be sent.

With nothing waiting the window goes at once. Otherwise it syncs first, behind a progress
dialog, for QUIT_WAIT_MS at most: a server that does not answer holds nobody at the door. What
still waits then is said (how many of each kind, since when) with three ways on: quit anyway
(the changes stay in the encrypted copy and go at the user's next sign-in here), try again, or
stay.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.services.sync.waiting import Waiting, waiting_changes
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Latest
from app.ui.shell.sync_status import SyncController

# The longest a quit waits for the server before saying what stays.
QUIT_WAIT_MS = 20_000
# The quiet moment before the progress shows (a sync that answers at once shows nothing).
PROGRESS_AFTER_MS = 400
CONTEXT = "Waiting"


# What each kind of record is called, one and many (translated where shown).
KIND_TEXTS: dict[str, tuple[object, object]] = {
    "outcome": (
        QT_TRANSLATE_NOOP("Waiting", "1 outcome"),
        QT_TRANSLATE_NOOP("Waiting", "{count} outcomes"),
    ),
    "promise": (
        QT_TRANSLATE_NOOP("Waiting", "1 promise"),
        QT_TRANSLATE_NOOP("Waiting", "{count} promises"),
    ),
    "callback": (
        QT_TRANSLATE_NOOP("Waiting", "1 callback"),
        QT_TRANSLATE_NOOP("Waiting", "{count} callbacks"),
    ),
    "plan": (QT_TRANSLATE_NOOP("Waiting", "1 plan"), QT_TRANSLATE_NOOP("Waiting", "{count} plans")),
    "note": (QT_TRANSLATE_NOOP("Waiting", "1 note"), QT_TRANSLATE_NOOP("Waiting", "{count} notes")),
    "contact": (
        QT_TRANSLATE_NOOP("Waiting", "1 contact detail"),
        QT_TRANSLATE_NOOP("Waiting", "{count} contact details"),
    ),
    "visit": (
        QT_TRANSLATE_NOOP("Waiting", "1 visit"),
        QT_TRANSLATE_NOOP("Waiting", "{count} visits"),
    ),
    "escalation": (
        QT_TRANSLATE_NOOP("Waiting", "1 escalation"),
        QT_TRANSLATE_NOOP("Waiting", "{count} escalations"),
    ),
    "payment": (
        QT_TRANSLATE_NOOP("Waiting", "1 payment"),
        QT_TRANSLATE_NOOP("Waiting", "{count} payments"),
    ),
    "review": (
        QT_TRANSLATE_NOOP("Waiting", "1 call review"),
        QT_TRANSLATE_NOOP("Waiting", "{count} call reviews"),
    ),
    "case": (
        QT_TRANSLATE_NOOP("Waiting", "1 dispute or complaint"),
        QT_TRANSLATE_NOOP("Waiting", "{count} disputes or complaints"),
    ),
    "audit": (
        QT_TRANSLATE_NOOP("Waiting", "1 audit entry"),
        QT_TRANSLATE_NOOP("Waiting", "{count} audit entries"),
    ),
    "other": (
        QT_TRANSLATE_NOOP("Waiting", "1 other record"),
        QT_TRANSLATE_NOOP("Waiting", "{count} other records"),
    ),
}


def describe_waiting(waiting: Waiting, formats: Formats) -> str:
    """What waits, in the user's words: "12 changes waiting: 3 outcomes, 1 promise, 2 notes,
    6 audit entries. The oldest was made 27 Nov 2026 10:05." """
    kinds = []
    for kind, count in waiting.kinds:
        one, many = KIND_TEXTS.get(kind, KIND_TEXTS["other"])
        text = (
            QCoreApplication.translate(CONTEXT, str(one))
            if count == 1
            else QCoreApplication.translate(CONTEXT, str(many)).format(count=formats.number(count))
        )
        kinds.append(text)
    separator = QCoreApplication.translate("Waiting", ", ")
    if waiting.total == 1:
        text = QCoreApplication.translate("Waiting", "1 change waiting to be sent: {what}.").format(
            what=separator.join(kinds)
        )
    else:
        text = QCoreApplication.translate(
            "Waiting", "{count} changes waiting to be sent: {what}."
        ).format(count=formats.number(waiting.total), what=separator.join(kinds))
    if waiting.oldest is not None:
        text += " " + QCoreApplication.translate("Waiting", "The oldest was made {time}.").format(
            time=formats.date_time(waiting.oldest)
        )
    return text


class LeaveCheck(QObject):
    """Runs before the window goes: `run(go)` calls `go()` once nothing waits, or once the
    user says to go with changes waiting; it calls nothing when the user stays."""

    def __init__(
        self,
        window: QWidget,
        context: Context,
        controller: SyncController,
        *,
        wait_ms: int = QUIT_WAIT_MS,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        self.controller = controller
        self.wait_ms = wait_ms
        self.progress: QProgressDialog | None = None
        self._go: Callable[[], None] | None = None
        # What was last read to wait (None before the first read): said when the bound comes
        # while the worker is still held by a sync, so that nothing needs reading then.
        self._known: Waiting | None = None
        self._reason = ""
        self._listening = False
        self._read = Latest()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._waited_enough)
        # Shown by this timer: a progress dialog with no value set never shows by itself.
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(PROGRESS_AFTER_MS)
        self._show_timer.timeout.connect(self._progress_due)

    @property
    def active(self) -> bool:
        """Whether a check is under way (a second quit meanwhile changes nothing)."""
        return self._go is not None

    def run(self, go: Callable[[], None]) -> None:
        if self.active:
            return
        self._go = go
        self._known = None
        self._reason = ""
        # The bound runs from the first moment: a read may wait behind a sync on the worker.
        self._timer.start(self.wait_ms)
        if self.controller.running:
            # A sync is on its way: its end says what is left.
            self._try()
            return
        self._read_waiting(self._first_look)

    def _read_waiting(self, then: Callable[[Waiting], None]) -> None:
        self._read.run(self.context, waiting_changes, on_done=then, on_error=self._unreadable)

    def _unreadable(self, _error: BaseException) -> None:
        # The copy cannot even be read: nothing a sync could do now; the window goes.
        self._finish(True)

    def _first_look(self, waiting: Waiting) -> None:
        self._known = waiting
        if waiting:
            self._try()
        else:
            self._finish(True)

    def _try(self) -> None:
        self._reason = ""
        self._show_progress()
        self._listen(True)
        if not self._timer.isActive():
            self._timer.start(self.wait_ms)
        self.controller.sync_now()

    def _show_progress(self) -> None:
        if self.progress is None:
            progress = QProgressDialog(
                QCoreApplication.translate(
                    "Waiting", "Sending your changes to the server before you go…"
                ),
                QCoreApplication.translate("Waiting", "Cancel"),
                0,
                0,
                self.window,
            )
            progress.setWindowTitle(QCoreApplication.translate("Waiting", "Sending changes"))
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setAutoReset(False)
            progress.setAutoClose(False)
            progress.canceled.connect(self._stay)
            # Hidden until due (its constructor may not show it: Qt leaves that to setValue).
            progress.hide()
            self.progress = progress
        self._show_timer.start()

    def _progress_due(self) -> None:
        if self.progress is not None:
            self.progress.show()

    def _close_progress(self) -> None:
        self._show_timer.stop()
        progress, self.progress = self.progress, None
        if progress is not None:
            # Closing a progress dialog says "canceled": not the user's word here.
            progress.canceled.disconnect(self._stay)
            progress.close()
            progress.deleteLater()

    def _listen(self, on: bool) -> None:
        if on == self._listening:
            return
        self._listening = on
        signals = (
            (self.controller.synced, self._round_over),
            (self.controller.failed, self._failed),
        )
        for signal, slot in signals:
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    def _failed(self, text: str) -> None:
        self._reason = text
        self._round_over()

    def _round_over(self, *_report: object) -> None:
        # After the controller has done with the round: another it had queued starts there.
        QTimer.singleShot(0, self._after_round)

    def _after_round(self) -> None:
        if not self._listening or self.controller.running:
            return  # the bound came first, or the round queued behind this one tells
        self._listen(False)
        self._read_waiting(self._after_read)

    def _after_read(self, waiting: Waiting) -> None:
        self._known = waiting
        if waiting and not self._reason and self._timer.isActive():
            # The server took what was sent; what the window wrote meanwhile goes too.
            self._try()
            return
        self._timer.stop()
        self._decide(waiting)

    def _waited_enough(self) -> None:
        # Said from what is known: the worker may be held by the sync for a while yet.
        self._listen(False)
        self._read.cancel()
        seconds = round(self.wait_ms / 1000)
        self._reason = QCoreApplication.translate(
            "Waiting", "The server has not answered within {seconds} s."
        ).format(seconds=seconds)
        self._decide(self._known)

    def _decide(self, waiting: Waiting | None) -> None:
        self._timer.stop()
        self._close_progress()
        if waiting is not None and not waiting:
            self._finish(True)
            return
        if waiting is None:
            what = QCoreApplication.translate("Waiting", "Changes may still be waiting to be sent.")
        else:
            what = describe_waiting(waiting, self.context.formats)
        lines = [what]
        if self._reason:
            lines.append(self._reason)
        lines.append(
            QCoreApplication.translate(
                "Waiting",
                "Quit anyway: they stay in the encrypted copy on this computer and are sent the"
                " next time you sign in here.",
            )
        )
        options = [
            QCoreApplication.translate("Waiting", "Quit anyway"),
            QCoreApplication.translate("Waiting", "Try again"),
            QCoreApplication.translate("Waiting", "Cancel"),
        ]
        chosen = self.context.dialogs.choose(
            self.window,
            QCoreApplication.translate("Waiting", "Changes not sent yet"),
            "\n\n".join(lines),
            options,
            cancel=2,
        )
        if chosen == 0:
            self._finish(True)
        elif chosen == 1:
            self._try()
        else:
            self._finish(False)

    def _stay(self) -> None:
        """Cancel on the progress: the window stays (the sync goes on as any other)."""
        self._finish(False)

    def _finish(self, go: bool) -> None:
        self._timer.stop()
        self._listen(False)
        self._read.cancel()
        self._close_progress()
        then, self._go = self._go, None
        if go and then is not None:
            then()
