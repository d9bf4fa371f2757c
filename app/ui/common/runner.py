"""Service calls off the GUI thread: one worker, one call at a time, answers on the GUI thread.

Every slow call (anything that touches the database or a file) goes through `Runner.run`. The
function runs on the worker thread and must not touch a widget; its result or its error comes
back through a queued signal and is handed to the callbacks on the GUI thread. Calls run in
the order they were submitted, so a write and the read that follows it never race.

A panel that asks the same question again (a list reloaded, another row chosen) keeps the
question in a `Latest`: a new call drops the answer of the one before, so only the newest
answer reaches the screen.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.services.common.errors import DomainError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(eq=False)
class Job:
    """A submitted call. `cancel()` drops its answer (the call itself still runs to the end)."""

    id: int
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int], None] | None
    cancelled: bool = field(default=False)

    def cancel(self) -> None:
        self.cancelled = True


class _Worker(QObject):
    finished = Signal(int, object, object)
    progressed = Signal(int, int, int)

    @Slot(int, object, bool)
    def execute(self, job_id: int, call: Callable[..., Any], wants_progress: bool) -> None:
        def report(done: int, total: int) -> None:
            self.progressed.emit(job_id, done, total)

        try:
            result = call(report) if wants_progress else call()
        except BaseException as error:
            if not _is_expected(error):
                log.error("background call failed:\n%s", traceback.format_exc())
            self.finished.emit(job_id, None, error)
        else:
            self.finished.emit(job_id, result, None)


def _is_expected(error: BaseException) -> bool:
    return isinstance(error, DomainError)


class Runner(QObject):
    """Owns the worker thread; `run` submits, callbacks answer on the GUI thread."""

    _submit = Signal(int, object, bool)
    busy_changed = Signal(bool)
    # An error no callback took: the window shows it.
    unhandled_error = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[int, Job] = {}
        self._next_id = 0
        self._thread = QThread()
        self._thread.setObjectName("service-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.execute)
        self._worker.finished.connect(self._deliver)
        self._worker.progressed.connect(self._progress)
        self._thread.start()

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def run(
        self,
        call: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Job:
        """Run `call()` (or `call(report)` when `on_progress` is given) on the worker."""
        self._next_id += 1
        job = Job(self._next_id, on_done, on_error, on_progress)
        self._jobs[job.id] = job
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(job.id, call, on_progress is not None)
        return job

    @Slot(int, object, object)
    def _deliver(self, job_id: int, result: Any, error: BaseException | None) -> None:
        job = self._jobs.pop(job_id)
        if not self._jobs:
            self.busy_changed.emit(False)
        if job.cancelled:
            return
        if error is None:
            if job.on_done is not None:
                job.on_done(result)
        elif job.on_error is not None:
            job.on_error(error)
        else:
            self.unhandled_error.emit(error)

    @Slot(int, int, int)
    def _progress(self, job_id: int, done: int, total: int) -> None:
        job = self._jobs.get(job_id)
        if job is not None and not job.cancelled and job.on_progress is not None:
            job.on_progress(done, total)

    def cancel_all(self) -> None:
        """Drop the answers of every call submitted so far (they still run to the end)."""
        for job in self._jobs.values():
            job.cancel()

    def stop(self) -> None:
        """Let the running call finish, then end the thread (answers still queued are dropped)."""
        for job in self._jobs.values():
            job.cancel()
        self._thread.quit()
        self._thread.wait()


class Calls(Protocol):
    """What `Latest.run` needs of a context: its worker, and `call(service, *args, ...)`."""

    runner: Runner

    def call(
        self,
        service: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Job: ...


class Latest:
    """One slot for a background call of which only the newest answer counts.

    `run` drops the answer of the call still in the slot (it runs to its end all the same) and
    submits the new one; only that one's `on_done` or `on_error` is called, and the slot is free
    again (`busy` False) by the time it is. A caller that must not start a second call while
    one runs (one dial at a time) asks `busy` first. Without `on_error`, an error goes to the
    runner's `unhandled_error`, as for any call.
    """

    def __init__(self) -> None:
        self._job: Job | None = None

    @property
    def busy(self) -> bool:
        """A call is in the slot and its answer not in yet."""
        return self._job is not None

    def run(
        self,
        where: Calls | Runner,
        service: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> Job:
        """`where.call(service, *args, **kwargs)` for a context (the service gets its
        database first), `service(*args, **kwargs)` on a bare runner; the call before it in
        this slot is cancelled."""
        self.cancel()
        runner = where if isinstance(where, Runner) else where.runner
        job: Job | None = None

        def done(result: Any) -> None:
            if not self._take(job):
                return
            if on_done is not None:
                on_done(result)

        def failed(error: BaseException) -> None:
            if not self._take(job):
                return
            if on_error is not None:
                on_error(error)
            else:
                runner.unhandled_error.emit(error)

        if isinstance(where, Runner):
            job = where.run(lambda: service(*args, **kwargs), done, failed)
        else:
            job = where.call(service, *args, on_done=done, on_error=failed, **kwargs)
        self._job = job
        return job

    def cancel(self) -> None:
        """Drop the answer of the call in the slot, if any; the slot is free."""
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def _take(self, job: Job | None) -> bool:
        """Whether `job` is the slot's call (then the slot is free again)."""
        if job is None or job is not self._job:
            return False
        self._job = None
        return True
