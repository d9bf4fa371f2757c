"""A workstation's sync killed with SIGKILL at random points; after each kill, a clean sync must
leave every local change on the server exactly once and the local copy whole.

`kill_syncs` does it against a central on PostgreSQL (tests/services/sync/test_sync_faults.py runs
it 20 times); `main` is scripts/sync-faults, which runs N kills against the test server and
prints where they landed. Each run: a few changes on the workstation (calls, a note, an edit of
the borrower), a sync in a child process (tests/helpers/sync_child.py), SIGKILL after a delay
drawn over the length of a whole sync (measured first, plus a margin), then checks, a clean
sync in this process, and checks again. The delays are one per equal slice of that length,
shuffled by the seed, so the kills cover the whole sync; where each lands depends on timing,
and the child's markers say where that was.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from app.database import Database
from app.models import Role
from app.services.sync import engine as sync
from tests.helpers.sync_child import Child, Config, warm_up
from tests.helpers.sync_world import (
    PASSPHRASE,
    PASSWORD,
    Central,
    Made,
    Workstation,
    central_on,
    copies_differ,
    exactly_once,
    integrity,
    lost_locally,
    make_changes,
    on_server,
    workstation,
)

# Where a kill landed, by the child's last marker; in the order a sync goes through them.
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("before the push reached the server", ("", "started", "ready", "go")),
    ("push sent, server not yet committed", ("push",)),
    ("server committed, local outbox not cleared", ("committed",)),
    ("outbox cleared, pull not begun", ("cleared",)),
    ("pull reading the server", ("pull",)),
    ("pull writing the local copy", ("fetched",)),
    ("after the sync finished", ("finished",)),
)
BEFORE_COMMIT = frozenset(PHASES[0][1])
AFTER_COMMIT = frozenset(word for _, words in PHASES[2:] for word in words)
MEASURED_RUNS = 3
# The kills are spread half again beyond the longest sync measured: a busy machine makes some
# syncs slower than the ones measured, and their ends must be covered too.
SPREAD = 1.5
DEFAULT_SEED = 20261128


def phase(last: str) -> str:
    return next(name for name, words in PHASES if last in words)


@dataclass(frozen=True)
class Kill:
    run: int
    delay: float  # seconds after the child was told to sync
    last: str  # the child's last marker
    on_server: str  # this run's logs on the server before the clean sync: none, all, partial

    @property
    def phase(self) -> str:
        return phase(self.last)


@dataclass
class KillReport:
    seed: int
    sync_seconds: float
    span: float  # the kills' delays are spread over this
    kills: list[Kill] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Kills per phase, every phase named (0 where none landed)."""
        landed = Counter(kill.phase for kill in self.kills)
        return {name: landed[name] for name, _ in PHASES}

    def table(self) -> str:
        committed = Counter(kill.phase for kill in self.kills if kill.on_server == "all")
        width = max(len(name) for name, _ in PHASES)
        lines = [
            f"SIGKILL of a sync at random points: {len(self.kills)} runs, seed {self.seed}, "
            f"a whole sync took {self.sync_seconds:.3f} s (median of {MEASURED_RUNS}); kills "
            f"spread over {self.span:.3f} s",
            f"{'where the kill landed':<{width}}  kills  changes already on the server",
        ]
        for name, count in self.counts().items():
            lines.append(f"{name:<{width}}  {count:>5}  {committed[name]:>5}")
        lines.append(f"{'total':<{width}}  {len(self.kills):>5}  {sum(committed.values()):>5}")
        if self.problems:
            lines.append(f"{len(self.problems)} problems:")
            lines.extend(f"  {problem}" for problem in self.problems)
        else:
            lines.append(
                "after every kill and clean sync: each change on the server exactly once, "
                "outbox empty, no conflicts, local copy intact and equal to the server's"
            )
        return "\n".join(lines)


def _child(ws: Workstation, folder: Path, number: int) -> Child:
    """A sync child for `ws`, started (it opens the copy and signs in while we go on)."""
    markers = str(folder / f"markers-{number}")
    return Child(
        Config(str(ws.folder), PASSPHRASE, ws.server, ws.username, PASSWORD, markers, ws.tls)
    )


def _after_clean_sync(ws: Workstation, central: Central, mades: list[Made]) -> list[str]:
    status = sync.sync_status(ws.local)
    problems = exactly_once(central, ws.username, mades)
    problems += copies_differ(ws, mades)
    problems += lost_locally(ws, mades)
    if status.waiting:
        problems.append(f"{status.waiting} changes still in the outbox")
    if status.conflicts:
        problems.append(f"{status.conflicts} conflicts: {sync.conflicts(ws.local)}")
    if (checked := integrity(ws.local)) != "ok":
        problems.append(f"local copy damaged: {checked}")
    return problems


class _Children:
    """Sync children started ahead of need: opening the encrypted copy and signing in take a
    while, and a child reads nothing until it is told to go, so the next ones open while the
    current run is checked. Nothing is written here while one opens (see `opened`)."""

    def __init__(self, ws: Workstation, folder: Path, total: int, ahead: int = 2) -> None:
        self._ws, self._folder, self._total, self._ahead = ws, folder, total, ahead
        self._started = 0
        self._queue: deque[Child] = deque()
        self._current: Child | None = None
        self.refill()

    def refill(self) -> None:
        while len(self._queue) < self._ahead and self._started < self._total:
            self._queue.append(_child(self._ws, self._folder, self._started))
            self._started += 1

    def opened(self) -> None:
        """Until every child started ahead has opened the copy. Opening it installs the outbox
        triggers afresh (open_local_store, sync.install_outbox), and each DROP TRIGGER and
        CREATE TRIGGER there commits on its own: a change written here between the two would
        never reach the outbox, and a busy machine stretches that moment enough to hit it."""
        for child in self._queue:
            child.wait_for("ready")

    def take(self) -> Child:
        self._current = self._queue.popleft()
        self._current.wait_for("ready")
        return self._current

    def stop(self) -> None:
        for child in (*self._queue, *([self._current] if self._current else [])):
            child.kill()


def kill_syncs(central: Central, folder: Path, runs: int, seed: int) -> KillReport:
    """`runs` syncs killed at random points, each followed by a clean sync; what was found."""
    warm_up()
    rng = random.Random(seed)
    me = central.staff(Role.COLLECTOR)
    mades = [Made(central.account(me, "李雷")), Made(central.account(me, "韩梅梅"))]
    ws = workstation(folder / "workstation", central, me)
    children = _Children(ws, folder, MEASURED_RUNS + runs)
    try:
        ws.sync()
        day = 0
        durations = []
        for _ in range(MEASURED_RUNS):
            children.opened()
            make_changes(ws, rng.choice(mades), rng, day := day + 1)
            child = children.take()
            child.go()
            status = child.finish()
            children.refill()
            go, finished = child.at("go"), child.at("finished")
            if status != 0 or go is None or finished is None:
                raise RuntimeError(f"an uninterrupted sync failed ({status}): {child.words()}")
            durations.append(finished - go)
        report = KillReport(seed, statistics.median(durations), max(durations) * SPREAD)
        report.problems += [f"measuring: {p}" for p in _after_clean_sync(ws, central, mades)]
        span = report.span
        delays = [(slot + rng.random()) * span / runs for slot in range(runs)]
        rng.shuffle(delays)
        for run, delay in enumerate(delays, 1):
            children.opened()
            written = make_changes(ws, rng.choice(mades), rng, day := day + 1)
            child = children.take()
            told = child.go()
            time.sleep(max(0.0, told + delay - time.monotonic()))
            child.kill()
            children.refill()
            last = child.last
            found = on_server(central, written)
            wanted = sum(len(ids) for ids in written.values())
            landed = "none" if found == 0 else "all" if found == wanted else "partial"
            report.kills.append(Kill(run, delay, last, landed))
            problems = lost_locally(ws, mades)
            if (checked := integrity(ws.local)) != "ok":
                problems.append(f"local copy damaged by the kill: {checked}")
            if landed == "partial":
                problems.append(f"{found} of {wanted} changes on the server: a batch half applied")
            elif last in BEFORE_COMMIT and landed != "none":
                problems.append("changes on the server before the push began")
            elif last in AFTER_COMMIT and landed != "all":
                problems.append("the server committed, yet the changes are not there")
            ws.sync()
            problems += _after_clean_sync(ws, central, mades)
            report.problems += [f"run {run} (killed: {phase(last)}): {p}" for p in problems]
        return report
    finally:
        children.stop()
        ws.close()


def main(argv: list[str] | None = None) -> int:
    """scripts/sync-faults: N kills against the test server, then the table of where."""
    import pytest

    from tests.helpers.postgres import ENV, fresh_database

    parser = argparse.ArgumentParser(
        prog="scripts/sync-faults",
        description="Kill a workstation's sync with SIGKILL at random points against the test "
        "PostgreSQL server and count where the kills landed.",
    )
    parser.add_argument("--runs", type=int, default=20, help="kills (default 20)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the random seed")
    args = parser.parse_args(argv)
    if not os.environ.get(ENV):
        print(f"{ENV} is not set (scripts/sync-faults sets it)", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory() as folder, fresh_database() as url:
            admin = Database(url)
            central = central_on(admin)
            try:
                report = kill_syncs(central, Path(folder), args.runs, args.seed)
            finally:
                central.drop_roles()
                admin.dispose()
    except (pytest.skip.Exception, pytest.fail.Exception) as error:
        print(error.msg, file=sys.stderr)
        return 2
    print(report.table())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
