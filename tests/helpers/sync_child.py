"""A workstation's sync in a process of its own, for tests that kill it or stop the server.

`Child` starts `run` in a new process forked from a multiprocessing fork server that has
imported the app once, so a process costs a fork and the opening of the encrypted copy, not a
second of imports. The process opens the local copy, writes `ready` to its markers file and
waits to be told to go; then it signs in to the server as the app does and runs
app.services.sync.engine.sync once. Along the way it appends
where it is to the markers file, one word a line with the system's monotonic clock, each in a
single write(2), so a SIGKILL loses none of them:

    push        a batch is on its way to the server, not yet committed there
    uploaded    an attachment's bytes went to the server, in the push's transaction
    committed   the server committed the batch; the local outbox still holds it
    cleared     the local outbox is cleared of the batch
    pull        the pull began (reading the server)
    fetched     the pull read the server; the local copy is being written
    finished    the sync returned
    failed      the sync raised SyncFailed (the reason follows on the line)

With `pause` it stops at one point (`"committed"`: after the server committed a batch;
`"uploaded"`: once the first attachment's bytes went up, before the server commits; a
number: in the middle of a server transaction, once the server has taken that many changes:
on PostgreSQL, which takes a batch in one call, after the call that took it, before the commit),
writes `paused` and waits to be told to go again, so a test can stop the server or kill the
process at exactly that point. Exit status: 0 finished, 3 SyncFailed, -9 killed.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from app.database import Tls
from app.services.sync import contents
from app.services.sync import engine as sync
from app.services.sync.local_store import open_local_store, passphrase_key
from app.services.sync.workstation import Server, sign_in

# Imported once by the fork server; each child is a fork of it. (A child also imports the
# parent's main module unless it is a package's __main__, as pytest's is: scripts/sync-faults
# runs the kill runner with -c for that reason.)
PRELOAD = ["tests.helpers.sync_child"]
FAILED = 3


@dataclass(frozen=True)
class Config:
    folder: str  # the local copy's
    passphrase: str
    server: Server
    username: str
    password: str
    markers: str  # the file the child writes where it is to
    tls: Tls  # what the server must offer (its CA)
    pause: str | int | None = None


class Markers:
    """Where the sync is, appended to a file with one unbuffered write each."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.last = ""

    def write(self, word: str, detail: str = "") -> None:
        line = f"{word} {time.monotonic():.6f} {detail}".rstrip()
        os.write(self._fd, (line.replace("\n", " ") + "\n").encode())
        self.last = word


def _hook(name: str, before: Callable[[], None], after: Callable[[], None]) -> None:
    """Wrap the engine's function `name` (looked up at each call, so the wrapper is used)."""
    real = getattr(sync, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        before()
        result = real(*args, **kwargs)
        after()
        return result

    setattr(sync, name, wrapper)


def _install(markers: Markers, pause: str | int | None, resume: Event) -> None:
    def nothing() -> None:
        pass

    def paused() -> None:
        markers.write("paused")
        resume.wait()

    def committed() -> None:
        markers.write("committed")
        if pause == "committed":
            paused()

    def state() -> None:
        # _state opens each push round and the pull: after a commit, the outbox was cleared.
        if markers.last == "committed":
            markers.write("cleared")

    applied = 0

    def one() -> None:
        nonlocal applied
        applied += 1
        if isinstance(pause, int) and applied == pause:
            paused()

    _hook("_apply_on_server", lambda: markers.write("push"), committed)
    _hook("_state", state, nothing)
    _hook("_apply_one", nothing, one)
    call = sync._push_call

    def push_call(*args: Any, **kwargs: Any) -> Any:
        answer = call(*args, **kwargs)
        for _ in answer["facts"]:  # one for each change the server took in the call
            one()
        return answer

    sync._push_call = push_call  # type: ignore[assignment]
    upload_one = contents.upload_one

    def uploaded(*args: Any, **kwargs: Any) -> None:
        upload_one(*args, **kwargs)
        markers.write("uploaded")
        if pause == "uploaded":
            paused()

    contents.upload_one = uploaded  # type: ignore[assignment]
    _hook("pull", lambda: markers.write("pull"), nothing)
    _hook("_fetch", nothing, lambda: markers.write("fetched"))


def run(config: Config, go: Event, resume: Event) -> None:
    """The child: open the copy, wait for `go`, sync once."""
    markers = Markers(config.markers)
    markers.write("started")
    local = open_local_store(Path(config.folder), passphrase_key(config.passphrase))
    central = sign_in(config.server, config.username, config.password, config.tls)
    _install(markers, config.pause, resume)
    markers.write("ready")
    go.wait()
    markers.write("go")
    try:
        sync.sync(local, central, config.username)
    except sync.SyncFailed as error:
        markers.write("failed", str(error))
        sys.exit(FAILED)
    markers.write("finished")


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now, so it imports the app while the caller does other work."""
    _context()
    multiprocessing.forkserver.ensure_running()


class Child:
    """A sync in its own process, seen from the test: start it, tell it to go, watch, kill."""

    def __init__(self, config: Config) -> None:
        Path(config.markers).unlink(missing_ok=True)
        self.markers = Path(config.markers)
        context = _context()
        self._go = context.Event()
        self._resume = context.Event()
        self.process = context.Process(
            target=run, args=(config, self._go, self._resume), name="sync-child", daemon=True
        )
        self.process.start()

    def words(self) -> list[tuple[str, float, str]]:
        """The markers written so far: word, monotonic time, detail."""
        if not self.markers.exists():
            return []
        found = []
        for line in self.markers.read_text().splitlines():
            word, at, *detail = line.split(" ", 2)
            found.append((word, float(at), detail[0] if detail else ""))
        return found

    @property
    def last(self) -> str:
        words = self.words()
        return words[-1][0] if words else ""

    def at(self, word: str) -> float | None:
        """When the child first wrote `word`."""
        return next((at for found, at, _ in self.words() if found == word), None)

    def wait_for(self, word: str, timeout: float = 60.0) -> None:
        """Until the child writes `word`; an error if it ends or times out first."""
        deadline = time.monotonic() + timeout
        while self.at(word) is None:
            if not self.process.is_alive():
                raise RuntimeError(
                    f"the sync child ended ({self.process.exitcode}) before “{word}”: "
                    f"{self.words()}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the sync child did not reach “{word}” in {timeout} s")
            time.sleep(0.002)

    def go(self) -> float:
        """Let it sync; the monotonic time it was told."""
        self._go.set()
        return time.monotonic()

    def resume(self) -> None:
        """Let it go on from where it paused."""
        self._resume.set()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()

    def finish(self, timeout: float = 60.0) -> int | None:
        """Its exit status once it ends (None if it did not end in time)."""
        self.process.join(timeout)
        return self.process.exitcode
