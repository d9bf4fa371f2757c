"""Sync in the window: the controller that runs it on a timer, and its place in the status bar.

The controller syncs once soon after the window opens, then again after the delay the engine
gives (`SyncStatus.retry_in`: the normal interval while syncs work, longer after each failure),
and at once when asked. Every sync and every status read goes through the window's one worker,
so a sync never runs beside a write of the window's own, and never two at a time.
"""

from __future__ import annotations

import logging
import math
import time
import traceback
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.database import Database
from app.services.common.errors import DomainError
from app.services.plans.lapses import settle_lapsed
from app.services.sync.engine import (
    SyncFailed,
    SyncReport,
    SyncStatus,
    retry_delay,
    sync,
    sync_status,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Latest

# Long enough for the queue and the first account to load first (they share the worker).
FIRST_SYNC_MS = 1500
# A status read once the worker falls idle, after any write of the window (a call logged, a
# note): coalesced, so a burst of work costs one read.
STATUS_AFTER_WORK_MS = 300
# How often "retrying in …" counts down on screen (no database involved).
COUNTDOWN_MS = 1000

log = logging.getLogger(__name__)


class SyncController(QObject):
    """Runs the syncs of `context.db` with `context.central`.

    Signals: `started()` when a sync begins; `synced(SyncReport)`; `failed(text)` with what
    the user reads; `status(SyncStatus)` after every sync and every status read;
    `lapsed(keys)` with the loans (key text) whose lapsed promises or plans a sync settled on
    the copy before it ran, whether it then went through or not (the queue reads them again).
    """

    started = Signal()
    synced = Signal(object)
    failed = Signal(str)
    status = Signal(object)
    lapsed = Signal(object)

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if context.central is None:
            raise ValueError("nothing to sync with: the context has no central database")
        self.context = context
        self.central = context.central
        self.last_status: SyncStatus | None = None
        # What the last sync's failure said, until one succeeds.
        self.last_failure: str | None = None
        # One sync at a time (another asked for meanwhile follows it), one status read at a time.
        self._sync = Latest()
        self._status_read = Latest()
        self._again = False
        self._stopped = False
        self._due = 0.0
        # Failures the engine does not count (a refusal rather than no answer): backed off here.
        self._unrecorded = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sync_now)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_AFTER_WORK_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        context.runner.busy_changed.connect(self._worker_busy)

    @property
    def running(self) -> bool:
        return self._sync.busy

    def start(self) -> None:
        """Read the status now and sync soon."""
        self.refresh_status()
        self._plan(FIRST_SYNC_MS)

    def stop(self) -> None:
        """No more syncs or reads from this controller (its window is closing)."""
        self._stopped = True
        self._timer.stop()
        self._status_timer.stop()
        self._sync.cancel()
        self._status_read.cancel()

    def next_sync_in(self) -> int | None:
        """Seconds until the next automatic sync; None while one runs or none is planned."""
        if self._sync.busy or not self._timer.isActive():
            return None
        # Not the timer's remainingTime(): a coarse timer may report a little over its interval.
        return max(0, math.ceil(self._due - time.monotonic()))

    def sync_now(self) -> None:
        """Sync at once; while one runs, another follows it."""
        if self._stopped:
            return
        if self._sync.busy:
            self._again = True
            return
        self._timer.stop()
        self._sync.run(
            self.context.runner,
            _settle_and_sync,
            self.context.db,
            self.central,
            self.context.username,
            self.context.clock(),
            on_done=self._round_done,
            on_error=self._failed,
        )
        self.started.emit()

    def refresh_status(self) -> None:
        if self._stopped or self._status_read.busy:
            return
        self._status_timer.stop()
        self._status_read.run(
            self.context, sync_status, on_done=self._status_loaded, on_error=self._status_failed
        )

    def _round_done(self, done: _Round) -> None:
        if done.settled:
            self.lapsed.emit(done.settled)
        if done.report is None:
            assert done.error is not None
            self._failed(done.error)
        else:
            self._done(done.report)

    def _done(self, report: SyncReport) -> None:
        self.last_failure = None
        self._unrecorded = 0
        self.synced.emit(report)
        self._after_sync()

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, SyncFailed):
            # The engine records only a server that did not answer; a refusal (a user no
            # longer active, another user's changes still waiting) is retried less often too.
            self._unrecorded += 1
        text = error_text(error)
        self.last_failure = text
        self.failed.emit(text)
        self._after_sync()

    def _after_sync(self) -> None:
        if self._again:
            self._again = False
            self.sync_now()
            return
        # The status says how long to wait; the timer starts once it is read. A read still on
        # its way was submitted after this sync (one worker, in order): it knows the outcome.
        self.refresh_status()

    def _status_loaded(self, status: SyncStatus) -> None:
        self.last_status = status
        if not self._sync.busy and not self._stopped and not self._timer.isActive():
            self._plan(self._delay(status) * 1000)
        self.status.emit(status)

    def _status_failed(self, error: BaseException) -> None:
        # The local copy could not be read: the next sync reports what is wrong.
        if not self._sync.busy and not self._stopped and not self._timer.isActive():
            self._plan(retry_delay(self._unrecorded + 1) * 1000)

    def _plan(self, milliseconds: int) -> None:
        self._due = time.monotonic() + milliseconds / 1000
        self._timer.start(milliseconds)

    def _delay(self, status: SyncStatus) -> int:
        """Seconds to the next sync (`retry_in` draws a new jitter at each read: read once)."""
        if status.failures == 0 and self._unrecorded:
            return retry_delay(self._unrecorded)
        return status.retry_in

    def _worker_busy(self, busy: bool) -> None:
        # The worker fell idle after some work of the window: it may have written.
        if not busy and not self._sync.busy and not self._status_read.busy and not self._stopped:
            self._status_timer.start()


class SyncStatusBar(QWidget):
    """The status bar's sync corner: online or not, changes waiting, conflicts.

    Emits `conflicts_requested()` when the conflicts count is clicked.
    """

    conflicts_requested = Signal()

    def __init__(
        self, context: Context, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Sync status"))
        self.context = context
        self.controller = controller
        self._status: SyncStatus | None = None
        self.state = QLabel()
        self.state.setAccessibleName(self.tr("Sync state"))
        self.waiting = QLabel()
        self.waiting.setAccessibleName(self.tr("Changes waiting to be sent"))
        self.waiting.hide()
        self.conflicts = QToolButton()
        self.conflicts.setAutoRaise(True)
        self.conflicts.setAccessibleName(self.tr("Sync conflicts"))
        self.conflicts.setToolTip(self.tr("Changes of yours the server did not take: review them"))
        paint(self.conflicts, Ink.ERROR, bold=True)
        self.conflicts.setCursor(Qt.CursorShape.PointingHandCursor)
        self.conflicts.clicked.connect(self.conflicts_requested)
        self.conflicts.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.conflicts)
        layout.addWidget(self.waiting)
        layout.addWidget(self.state)
        self._countdown = QTimer(self)
        self._countdown.setInterval(COUNTDOWN_MS)
        self._countdown.timeout.connect(self._show_state)
        controller.started.connect(self._show_state)
        controller.failed.connect(lambda _text: self._show_state())
        controller.status.connect(self.show_status)
        self._show_state()

    def show_status(self, status: SyncStatus) -> None:
        self._status = status
        self.waiting.setVisible(status.waiting > 0)
        self.waiting.setText(
            self.tr("1 change waiting")
            if status.waiting == 1
            else self.tr("{count} changes waiting").format(
                count=self.context.formats.number(status.waiting)
            )
        )
        self.conflicts.setVisible(status.conflicts > 0)
        self.conflicts.setText(
            self.tr("1 conflict")
            if status.conflicts == 1
            else self.tr("{count} conflicts").format(
                count=self.context.formats.number(status.conflicts)
            )
        )
        self._show_state()

    def _show_state(self) -> None:
        text, tip, counting = self._state()
        self.state.setText(text)
        self.state.setToolTip(tip)
        self.setToolTip(tip)
        if counting and not self._countdown.isActive():
            self._countdown.start()
        elif not counting:
            self._countdown.stop()

    def _state(self) -> tuple[str, str, bool]:
        """The text, its tooltip, and whether it counts down."""
        status, controller = self._status, self.controller
        last = self._last_synced(status)
        if controller.running:
            return self.tr("Syncing…"), last, False
        if status is None:
            return self.tr("Sync: checking…"), "", False
        wait = controller.next_sync_in()
        retrying = "" if wait is None else self._in(wait)
        error = controller.last_failure or status.last_error
        if status.failures > 0 or controller.last_failure is not None:
            lines = [last]
            if error:
                lines.append(self.tr("Last error: {error}").format(error=error))
            tip = "\n".join(lines)
            if status.failures > 0:
                if not retrying:
                    return self.tr("Offline"), tip, False
                return self.tr("Offline · retrying in {wait}").format(wait=retrying), tip, True
            if not retrying:
                return self.tr("Not synced"), tip, False
            return self.tr("Not synced · retrying in {wait}").format(wait=retrying), tip, True
        if status.last_sync_at is None:
            return self.tr("Not synced yet"), "", False
        now = self.context.clock()
        shown = self.context.formats.when(status.last_sync_at, now)
        return self.tr("Online · synced {time}").format(time=shown), last, False

    def _last_synced(self, status: SyncStatus | None) -> str:
        if status is None or status.last_sync_at is None:
            return self.tr("Never synced with the server")
        when = self.context.formats.date_time(status.last_sync_at)
        return self.tr("Last synced {time}").format(time=when)

    def _in(self, seconds: int) -> str:
        if seconds < 60:
            return self.tr("{seconds} s").format(seconds=seconds)
        return self.tr("{minutes} min").format(minutes=math.ceil(seconds / 60))


@dataclass(frozen=True)
class _Round:
    """One round: the loans settling what lapsed touched (committed before the sync ran), and
    the sync's report or what it failed with."""

    settled: tuple[str, ...]
    report: SyncReport | None
    error: BaseException | None = None


def _settle_and_sync(local: Database, central: Database, username: str, at: datetime) -> _Round:
    """What lapsed is settled on the copy first, so the sync sends it with everything else;
    what it settled is told even when the sync then fails."""
    settled = tuple(loan.hex for loan in settle_lapsed(local, now=at).loans)
    try:
        return _Round(settled, sync(local, central, username, now=at))
    except Exception as error:
        if not isinstance(error, DomainError):
            # As the worker logs a call that failed unexpectedly.
            log.error("sync failed:\n%s", traceback.format_exc())
        return _Round(settled, None, error)
