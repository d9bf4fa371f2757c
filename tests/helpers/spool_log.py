"""`reminders run` with the spool's sends written down: each message's key goes on a line of a
log once the spool took it, so a test sees that nothing went twice; and a run that hangs after
its n-th send, for a test to kill it there with SIGKILL as a crash or an operator would.

The run to be killed is a process of its own (RUNNER, `killed_after`); the runs that follow it
may be this process's (`sends_logged` around tests/helpers/cli.py `run_cli`).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from app.services.messaging import spool
from app.services.messaging.base import OutboundMessage, SendResult

ROOT = Path(__file__).resolve().parents[2]

# `python -c RUNNER ARGV…`: the program with its sends logged to $SEND_LOG and, with
# $BLOCK_AFTER, hanging after that many sends. Started in ROOT, where `tests` is found.
RUNNER = """
import os, sys
from pathlib import Path
from tests.helpers.spool_log import log_sends
log_sends(Path(os.environ["SEND_LOG"]), int(os.environ.get("BLOCK_AFTER", "0")))
from app.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def blocked_marker(log: Path) -> Path:
    """The file a run writes when it hangs after its last allowed send."""
    return log.with_name(log.name + ".blocked")


def log_sends(log: Path, block_after: int = 0) -> Callable[[], None]:
    """Wrap the spool's send: each key sent is appended to `log`; after `block_after` sends (0:
    never) the marker is written and the send hangs. Returns what undoes the wrapping."""
    real = spool.SpoolSender.send
    count = 0

    def send(self: spool.SpoolSender, message: OutboundMessage) -> SendResult:
        nonlocal count
        result = real(self, message)
        with log.open("a") as file:
            file.write(message.key + "\n")
        count += 1
        if block_after and count >= block_after:
            blocked_marker(log).write_text("x")
            time.sleep(600)
        return result

    spool.SpoolSender.send = send  # type: ignore[method-assign]

    def undo() -> None:
        spool.SpoolSender.send = real  # type: ignore[method-assign]

    return undo


@contextmanager
def sends_logged(log: Path) -> Iterator[None]:
    """The spool's sends in this process logged to `log` for the block."""
    undo = log_sends(log)
    try:
        yield
    finally:
        undo()


def sent_once(log: Path) -> list[str]:
    """The keys the log holds, in order; fails if one went twice."""
    sent = log.read_text().split() if log.exists() else []
    assert len(sent) == len(set(sent)), "a message went twice"
    return sent


def killed_after(
    sends: int, log: Path, argv: Sequence[str], env: Mapping[str, str], timeout: float = 120
) -> None:
    """`python -m app ARGV…` in a process of its own, logging its sends to `log`, killed with
    SIGKILL once it hangs after `sends` of them."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, *argv],
        cwd=ROOT,
        env={**env, "SEND_LOG": str(log), "BLOCK_AFTER": str(sends)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout
        while not blocked_marker(log).exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run did not reach its last send in time"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()
