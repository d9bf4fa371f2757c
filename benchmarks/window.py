"""Benchmarks of the window: start to a painted 5,000-row queue, and switching accounts.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.window [--repeat 11]

The floor for the start is measured in the same run: the same queue service call, its rows put
into a QStandardItemModel and shown by a bare QTableView, until that view has painted. The
window does more (proxy model, filters, status bar, workspace), so its ratio to the floor says
what the window itself costs. Switching: select the next account until its workspace, rule
answers and script are all shown; its floor, measured after each switch, reads the same
account's rows (the user, the loan, the borrower, the schedule, the contact points and each
kind of history) with hand-written queries on one sqlcipher3 connection opened and keyed
beforehand. A language switch: the window rebuilt in the other language until it is back on
the same account with its workspace shown, against the bare start's floor. All run on the
collector's encrypted local copy, as the window does since it syncs with a central database.
Medians over repeats; the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from app.config import Config
from app.database import Database
from app.demo.builder import build_demo
from app.services.contact.queue import build_queue
from app.services.sync.engine import install_clock, sync
from app.services.sync.local_store import STORE_FILE, open_local_store, passphrase_key
from app.services.sync.workstation import copy_owner
from app.ui.collector.queue_model import Column, QueueModel
from app.ui.common.dialogs import Dialogs
from app.ui.common.i18n import Formats
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup

RESULTS = Path(__file__).parent / "results"
AS_OF = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing
COPY_PASSPHRASE = "benchmark copy passphrase"
TARGETS = {
    "start_to_painted_queue": {"ratio": 2.0},
    "switch_account": {"median_ms": 100.0},
    "language_switch": {"median_ms": 1000.0},
    "save_and_next": {"median_ms": 150.0},
    "save_and_next_queue": {"median_ms": 150.0},
}
# What the workspace shows of one account, read by hand: by the loan's id, then the borrower's.
LOAN_ROWS = (
    "SELECT * FROM instalments WHERE loan_id = ? ORDER BY seq",
    "SELECT * FROM promises WHERE loan_id = ?",
    "SELECT * FROM payments WHERE loan_id = ?",
    "SELECT * FROM reported_payments WHERE loan_id = ?",
    "SELECT * FROM callbacks WHERE loan_id = ?",
    "SELECT * FROM repayment_plans WHERE loan_id = ?",
    "SELECT * FROM escalations WHERE loan_id = ?",
    "SELECT n.*, u.username, u.display_name FROM account_notes n"
    " JOIN users u ON u.id = n.user_id WHERE n.loan_id = ?",
    "SELECT v.*, a.display_name, s.display_name FROM field_visits v"
    " JOIN users a ON a.id = v.agent_id LEFT JOIN users s ON s.id = v.second_agent_id"
    " WHERE v.loan_id = ?",
    "SELECT r.*, u.display_name FROM visit_requests r"
    " JOIN users u ON u.id = r.requested_by_id WHERE r.loan_id = ?",
)
BORROWER_ROWS = (
    "SELECT * FROM borrowers WHERE id = ?",
    "SELECT * FROM contact_points WHERE borrower_id = ? ORDER BY position",
    # The history's and the rules' attempts: the loan's are among the borrower's.
    "SELECT * FROM contact_attempts WHERE borrower_id = ?",
)


class Painted(QObject):
    """Notes the moment a view's viewport first paints with rows in it."""

    def __init__(self, view: QTableView) -> None:
        super().__init__()
        self.view = view
        self.at: float | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.at is None
            and event.type() == QEvent.Type.Paint
            and self.view.model() is not None
            and self.view.model().rowCount() > 0
        ):
            self.at = time.perf_counter()
        return False


def portfolio(accounts: int) -> tuple[Path, str]:
    path = RESULTS / f"window-{accounts}.sqlite3"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        build_demo(db, accounts=accounts, seed=1, as_of=AS_OF, accounts_per_collector=accounts)
        db.dispose()
    with sqlite3.connect(path) as connection:
        (username,) = connection.execute(
            "SELECT u.username FROM loans l JOIN users u ON u.id = l.assigned_to_id"
            " WHERE u.role = 'collector' GROUP BY u.id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()
    return path, username


def workstation_copy(path: Path, username: str) -> tuple[Database, Path]:
    """The collector's encrypted copy of the portfolio, as the window works on it (synced once
    and kept beside the portfolio; the embedded portfolio plays the central database), opened
    on a scratch copy of the kept one: its folder and the database."""
    central = Database(f"sqlite:///{path}")
    central.upgrade()  # a portfolio cached by an older version gets the newer tables
    install_clock(central)
    kept = path.with_suffix(".copy")
    local = open_local_store(kept, passphrase_key(COPY_PASSPHRASE))
    if copy_owner(local) != username:
        sync(local, central, username)
    local.dispose()
    central.dispose()
    scratch = path.with_suffix(".scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(kept, scratch)
    return open_local_store(scratch, passphrase_key(COPY_PASSPHRASE)), scratch


def spin(app: QApplication, until: Any, limit: float = 60) -> None:
    """Run the event loop until `until()`; it sleeps while idle, as `exec()` does, so the
    worker thread gets the interpreter instead of a busy loop."""
    deadline = time.perf_counter() + limit
    while not until():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if not until():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there")


def window_start(
    app: QApplication, db: Database, username: str, data_dir: Path
) -> tuple[float, MainWindow, Startup]:
    settings = Settings(QSettings(str(data_dir / "bench.ini"), QSettings.Format.IniFormat))
    startup = Startup(
        Config(data_dir=data_dir, database_url=db.url),
        username,
        settings=settings,
        dialogs=Dialogs(),
        clock=lambda: AS_OF,
        database=db,
    )
    # "Start" is the moment the window is asked to open on a ready database: the schema check
    # and the user lookup are done first, as they are before any window.
    startup.users = []
    started = time.perf_counter()
    startup.open_window(username, username)
    window = startup.window
    assert isinstance(window, MainWindow)
    painted = Painted(window.queue.table)
    spin(app, lambda: painted.at is not None)
    assert painted.at is not None
    return (painted.at - started) * 1000, window, startup


def bare_start(app: QApplication, db: Database, username: str) -> float:
    started = time.perf_counter()
    queue = build_queue(db, username, now=AS_OF)
    formats = Formats("en", __import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    shaper = QueueModel(formats)  # only to render the same texts the window shows
    model = QStandardItemModel(len(queue.entries), len(Column))
    for row, entry in enumerate(queue.entries):
        texts = (
            str(entry.rank),
            entry.borrower,
            entry.contract_no,
            str(entry.dpd),
            entry.bucket,
            formats.money(entry.overdue_amount),
            entry.reasons[0].text("en") if entry.reasons else "",
            shaper.status_text(entry),
        )
        for column, text in enumerate(texts):
            model.setItem(row, column, QStandardItem(text))
    view = QTableView()
    view.setModel(model)
    painted = Painted(view)
    view.resize(900, 700)
    view.show()
    spin(app, lambda: painted.at is not None)
    assert painted.at is not None
    elapsed = (painted.at - started) * 1000
    view.close()
    view.deleteLater()
    return elapsed


class Phone(QObject):
    """Stands in for the phone: Qt hands it every tel: URL the window opens."""

    def __init__(self) -> None:
        super().__init__()
        self.dialled = 0

    @Slot(QUrl)
    def dial(self, _url: QUrl) -> None:
        self.dialled += 1


def bare_connection(copy: Path) -> Any:
    import sqlcipher3  # type: ignore[import-untyped]  # no stubs; only here

    connection = sqlcipher3.connect(str(copy / STORE_FILE))
    connection.execute(f"PRAGMA key = '{COPY_PASSPHRASE}'")  # a constant without quotes
    return connection


def bare_outcome(copy: Path, username: str) -> Callable[[str], float]:
    """The floor of Save and next's write: one contact attempt inserted and committed by hand
    (a copy of the last one the window wrote, under a new id) on a connection keyed once."""
    connection = bare_connection(copy)

    def write(contract_no: str) -> float:
        cursor = connection.execute(
            "SELECT a.* FROM contact_attempts a JOIN loans l ON l.id = a.loan_id"
            " WHERE l.contract_no = ? ORDER BY a.started_at DESC LIMIT 1",
            (contract_no,),
        )
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
        row["id"] = uuid.uuid4().hex
        started = time.perf_counter()
        connection.execute(
            f"INSERT INTO contact_attempts ({', '.join(row)})"
            f" VALUES ({', '.join('?' for _ in row)})",
            tuple(row.values()),
        )
        connection.commit()
        return (time.perf_counter() - started) * 1000

    return write


def bare_switch(copy: Path, username: str) -> Callable[[str], float]:
    """The floor of a switch: one account's rows read by hand on a connection keyed once."""
    connection = bare_connection(copy)

    def read(contract_no: str) -> float:
        started = time.perf_counter()
        connection.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchall()
        cursor = connection.execute("SELECT * FROM loans WHERE contract_no = ?", (contract_no,))
        names = [column[0] for column in cursor.description]
        loan = dict(zip(names, cursor.fetchone(), strict=True))
        for query in LOAN_ROWS:
            connection.execute(query, (loan["id"],)).fetchall()
        for query in BORROWER_ROWS:
            connection.execute(query, (loan["borrower_id"],)).fetchall()
        return (time.perf_counter() - started) * 1000

    return read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=6300)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--json", type=Path, default=RESULTS / "window.json")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    path, username = portfolio(args.accounts)
    db, copy = workstation_copy(path, username)
    rows = len(build_queue(db, username, now=AS_OF).entries)

    starts, floors, switches = [], [], []
    bare_start(app, db, username)  # warm caches once; not counted
    for _ in range(args.repeat):
        floors.append(bare_start(app, db, username))
        elapsed, opened, started = window_start(app, db, username, RESULTS)
        starts.append(elapsed)
        spin(app, lambda opened=opened: opened.context.runner.pending == 0)
        opened.close()
        started.stop()
        opened.deleteLater()
        app.processEvents()

    elapsed, window, startup = window_start(app, db, username, RESULTS)
    spin(app, lambda: window.context.runner.pending == 0)
    proxy = window.queue.proxy
    bare_read = bare_switch(copy, username)
    switch_floors: list[float] = []
    for row in range(1, args.repeat + 2):
        shown: list[str] = []
        window.account_shown.connect(lambda contract, shown=shown: shown.append(contract))
        index = proxy.index(row, 0)
        began = time.perf_counter()
        window.queue._select(index)
        spin(app, lambda shown=shown: bool(shown) and window.context.runner.pending == 0)
        app.processEvents()
        ended = time.perf_counter()
        window.account_shown.disconnect()
        floor = bare_read(shown[0])
        if row > 1:  # the first switch (and read) warms the caches
            switches.append((ended - began) * 1000)
            switch_floors.append(floor)
    # A language switch: the window rebuilt in the other language, back on the same account
    # with its workspace shown. Its floor is the bare start's (a queue read and painted).
    languages: list[float] = []
    for turn in range(args.repeat):
        contract = window.current_contract()
        arrived: list[MainWindow] = []
        startup.ready.connect(arrived.append)
        began = time.perf_counter()
        window.language_changed.emit("zh_CN" if turn % 2 == 0 else "en")
        spin(app, lambda arrived=arrived: bool(arrived))
        startup.ready.disconnect(arrived.append)
        window = arrived[0]
        spin(
            app,
            lambda window=window, contract=contract: (
                window.current_contract() == contract and window.context.runner.pending == 0
            ),
        )
        app.processEvents()
        languages.append((time.perf_counter() - began) * 1000)
    startup.language.install("en")
    saves, followed, save_floors = save_and_next(
        app, window, copy, username, bare_read, args.repeat
    )
    window.close()
    startup.stop()
    db.dispose()

    results = {
        "measured_at": datetime.now(UTC).isoformat(),
        "queue_rows": rows,
        "cases": {
            "start_to_painted_queue": _case(starts, floors),
            "switch_account": _case(switches, switch_floors),
            "language_switch": _case(languages, floors),
            "save_and_next": _case(saves, save_floors),
            "save_and_next_queue": _case(followed, save_floors),
        },
        "targets": TARGETS,
    }
    print(f"{rows:,} rows in {username}'s queue")
    print(f"{'case':<24}{'median ms':>11}{'floor ms':>10}{'ratio':>8}   target")
    for name, case in results["cases"].items():
        target = TARGETS[name]
        wanted = ", ".join(
            f"ratio ≤ {v}" if k == "ratio" else f"median ≤ {v:g} ms" for k, v in target.items()
        )
        floor = case.get("floor_median_ms")
        ratio = case.get("ratio")
        print(
            f"{name:<24}{case['median_ms']:>11.1f}"
            f"{(f'{floor:.1f}' if floor else '-'):>10}{(f'{ratio:.2f}' if ratio else '-'):>8}"
            f"   {wanted}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 0


def save_and_next(
    app: QApplication,
    window: MainWindow,
    copy: Path,
    username: str,
    bare_read: Callable[[str], float],
    repeat: int,
) -> tuple[list[float], list[float], list[float]]:
    """Dial the account shown, choose "no answer", Save and next: until the next account's
    workspace is shown, and until the queue has followed too (the saved account read again).
    Their floor: the attempt written by hand, then the next account read by hand."""
    phone = Phone()
    QDesktopServices.setUrlHandler("tel", phone, "dial")  # type: ignore[arg-type]
    bare_write = bare_outcome(copy, username)
    saves: list[float] = []
    queues: list[float] = []
    floors: list[float] = []
    try:
        for turn in range(repeat + 1):
            if not window.dial_action.isEnabled():
                window.next_account()
                spin(app, lambda: window.context.runner.pending == 0)
            dialled = phone.dialled
            window.dial_action.trigger()
            spin(app, lambda dialled=dialled: phone.dialled > dialled and window.call.in_call)
            window.call.form.choose("NA")
            saved = window.current_contract()
            assert saved is not None
            shown: list[str] = []
            shown_at: list[float] = []
            followed: list[float] = []
            window.account_shown.connect(
                lambda contract, shown=shown, shown_at=shown_at: (
                    shown.append(contract),
                    shown_at.append(time.perf_counter()),
                )
            )
            window.queue_refreshed.connect(
                lambda followed=followed: followed.append(time.perf_counter())
            )
            began = time.perf_counter()
            window.call.save(go_next=True)
            spin(app, lambda shown=shown, followed=followed: bool(shown) and bool(followed))
            app.processEvents()
            ended = time.perf_counter()
            window.account_shown.disconnect()
            window.queue_refreshed.disconnect()
            # What follows (the shift's figures, the day's due list) before the next turn.
            spin(app, lambda: window.context.runner.pending == 0)
            floor = bare_write(saved) + bare_read(shown[-1])
            if turn > 0:  # the first warms the caches
                saves.append((shown_at[0] - began) * 1000)
                queues.append((ended - began) * 1000)
                floors.append(floor)
    finally:
        QDesktopServices.unsetUrlHandler("tel")
    return saves, queues, floors


def _case(samples: list[float], floor: list[float] | None) -> dict[str, float]:
    case = {
        "median_ms": round(statistics.median(samples), 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "repeat": len(samples),
    }
    if floor:
        case["floor_median_ms"] = round(statistics.median(floor), 2)
        case["ratio"] = round(case["median_ms"] / case["floor_median_ms"], 2)
    return case


if __name__ == "__main__":
    raise SystemExit(main())
