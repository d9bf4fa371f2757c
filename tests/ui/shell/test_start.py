"""Starting the window: the demo on a first start, the local copy, the choice of user, the
language."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
import shiboken6
from PySide6.QtWidgets import QProgressDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.config import Config
from app.database import Database
from app.services.common.users import UserView
from app.services.contact.queue import build_queue
from app.services.contact.upkeep import mark_contact_point
from app.services.portfolio.notes import add_note
from app.services.sync.engine import sync_status
from app.ui.collector.queue_model import Column
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.sign_in import PassphraseDialog
from app.ui.shell.start import Startup, UserChooser
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.startup import PASSPHRASE, asked, opened, sync_now, type_passphrase
from tests.ui.conftest import SHIFT_NOW, Launch, Shift, wait_idle

DEMO_ACCOUNTS = 600


class PickCollector(UserChooser):
    """Answers the 'work as…' question the way a person would: picks from the list.

    `pick`: which collector of the list (0 = the first).
    """

    pick: ClassVar[int] = 1
    offered: ClassVar[list[str]] = []

    def __init__(self, users: Sequence[UserView], last: str, parent: QWidget | None = None) -> None:
        super().__init__(users, last, parent)
        PickCollector.offered = [
            str(self.list.item(row).text()) for row in range(self.list.count())
        ]
        collectors = [
            row for row in range(self.list.count()) if "Collector" in self.list.item(row).text()
        ]
        self.list.setCurrentRow(collectors[self.pick])

    def exec(self) -> int:
        return 1


class Demo:
    """Starts of one workstation in demo mode: its data folder, the central file in it."""

    def __init__(
        self, qtbot: QtBot, tmp_path: Path, settings: Settings, dialogs: RecordingDialogs
    ) -> None:
        self.qtbot = qtbot
        self.data = tmp_path / "data"
        self.config = Config(self.data, f"sqlite:///{self.data / 'central.sqlite3'}")
        self.settings = settings
        self.dialogs = dialogs
        self.started: list[Startup] = []

    def startup(self, username: str | None = None, pick: int = 1) -> Startup:
        chooser = type("Pick", (PickCollector,), {"pick": pick})
        startup = Startup(
            self.config,
            username,
            settings=self.settings,
            dialogs=self.dialogs,
            chooser=chooser,
            clock=lambda: SHIFT_NOW,
            demo_accounts=DEMO_ACCOUNTS,
        )
        self.started.append(startup)
        return startup

    def start(self, pick: int = 1) -> tuple[Startup, MainWindow]:
        """A start answered with the passphrase, as the `pick`th collector."""
        startup = self.startup(pick=pick)
        dialog = asked(self.qtbot, startup, startup.start)
        window = opened(self.qtbot, startup, lambda: type_passphrase(self.qtbot, dialog))
        return startup, window

    def central(self) -> Database:
        return Database(self.config.database_url)

    def close(self) -> None:
        for startup in self.started:
            window = startup.window
            if isinstance(window, MainWindow) and shiboken6.isValid(window):
                window.leave()
            startup.stop()


@pytest.fixture
def demo(
    qtbot: QtBot, tmp_path: Path, ui_settings: Settings, dialogs: RecordingDialogs
) -> Iterator[Demo]:
    workstation = Demo(qtbot, tmp_path, ui_settings, dialogs)
    yield workstation
    workstation.close()


def _loans_of(db: Database, username: str) -> set[str]:
    with db.engine.connect() as connection:
        return set(
            connection.execute(
                text(
                    "SELECT l.contract_no FROM loans l JOIN users u ON u.id = l.assigned_to_id"
                    " WHERE u.username = :u"
                ),
                {"u": username},
            ).scalars()
        )


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_first_start_builds_the_demo_then_opens_the_window_on_the_encrypted_copy(
    qtbot: QtBot, demo: Demo, ui_settings: Settings, dialogs: RecordingDialogs
) -> None:
    startup = demo.startup()
    progress_seen: list[tuple[int, int]] = []
    behind_dialog: list[bool] = []

    def progressed(done: int, total: int) -> None:
        progress_seen.append((done, total))
        behind_dialog.append(isinstance(startup.progress, QProgressDialog))

    startup.progressed.connect(progressed)
    # No keychain here: the copy is new, so the passphrase is chosen, typed twice.
    dialog = asked(qtbot, startup, startup.start)
    assert isinstance(dialog, PassphraseDialog)
    assert dialog.new and dialog.confirmation.isVisibleTo(dialog)
    window = opened(qtbot, startup, lambda: type_passphrase(qtbot, dialog))

    # The demo was built behind the progress dialog, which is gone.
    assert progress_seen[-1] == (DEMO_ACCOUNTS, DEMO_ACCOUNTS)
    assert behind_dialog and all(behind_dialog)
    assert startup.progress is None
    chosen = ui_settings.get(keys.LAST_USER)
    assert any(f"({chosen})" in offered for offered in PickCollector.offered)
    # Field agents sign in here too (their visit planner opens with the window).
    assert any("Field agent" in offered for offered in PickCollector.offered)
    assert not any("admin" in offered for offered in PickCollector.offered)
    assert window.context.username == chosen

    # The window works on the encrypted local copy; the demo central is only synced with.
    context = window.context
    assert context.db is startup.local
    assert context.db.url.startswith("sqlite+pysqlcipher://")
    assert context.db.url.endswith(str(demo.data / "local.sqlite3"))
    assert context.central is not None and context.central.url == demo.config.database_url
    assert context.server == ""
    header = (demo.data / "local.sqlite3").read_bytes()[:16]
    assert header != b"SQLite format 3\x00"  # not readable without the key

    # Its queue is the chosen collector's, from the copy, and the copy holds nothing else.
    central = demo.central()
    try:
        theirs = _loans_of(central, chosen)
        expected = {e.contract_no for e in build_queue(central, chosen, now=SHIFT_NOW).entries}
        everyone = _count(central, "loans")
    finally:
        central.dispose()
    shown = {entry.contract_no for entry in window.queue.model.rows}
    assert shown == expected and shown
    assert _loans_of(context.db, chosen) == theirs
    assert _count(context.db, "loans") == len(theirs) < everyone
    assert sync_status(context.db).last_sync_at is not None
    assert dialogs.errors() == []


def test_the_first_start_shows_its_progress_at_once_and_names_each_step(
    qtbot: QtBot, demo: Demo
) -> None:
    startup = demo.startup()
    # What the progress dialog showed each time the build reported, and whether it was up.
    steps: list[tuple[bool, str]] = []

    def progressed(_done: int, _total: int) -> None:
        assert startup.progress is not None
        steps.append((startup.progress.isVisible(), startup.progress.labelText()))

    startup.progressed.connect(progressed)
    dialog = asked(qtbot, startup, startup.start)
    type_passphrase(qtbot, dialog)
    # The passphrase is taken: the dialog is up at once, before anything is built, and says
    # what comes.
    qtbot.waitUntil(lambda: startup.progress is not None, timeout=20_000)
    assert startup.progress is not None and startup.progress.isVisible()
    assert startup.progress.labelText().startswith("First start, step 1 of 3:")
    with qtbot.waitSignal(startup.ready, timeout=60_000):
        pass
    assert steps and all(visible for visible, _ in steps)
    labels = [label for _, label in steps]
    assert labels[0] == (
        f"First start, step 2 of 3: building the demo portfolio (0 of {DEMO_ACCOUNTS} accounts)…"
    )
    # The bar moves while the accounts are built, not only once they all are.
    assert any(f"(200 of {DEMO_ACCOUNTS} accounts)" in label for label in labels)
    assert labels[-1].startswith("First start, step 3 of 3:")


def test_a_second_start_as_the_same_user_opens_the_copy_without_fetching_it_again(
    qtbot: QtBot, demo: Demo
) -> None:
    first, window = demo.start()
    synced = sync_status(window.context.db).last_sync_at
    rows = window.queue.model.rowCount()
    window.leave()
    first.stop()

    again = demo.startup()
    dialog = asked(qtbot, again, again.start)
    # The copy exists now: its passphrase is asked for, not chosen.
    assert isinstance(dialog, PassphraseDialog) and not dialog.new
    assert not dialog.confirmation.isVisibleTo(dialog)
    at_open: list[object] = []
    # Read as the window appears, before its own background sync can run.
    again.ready.connect(lambda w: at_open.append(sync_status(w.context.db).last_sync_at))
    reopened = opened(qtbot, again, lambda: type_passphrase(qtbot, dialog))
    assert at_open == [synced]
    assert reopened.context.username == window.context.username
    assert reopened.queue.model.rowCount() == rows


def test_another_demo_user_gets_their_accounts_and_none_of_the_last_ones(
    qtbot: QtBot, demo: Demo
) -> None:
    first, window = demo.start(pick=0)
    before = window.context.username
    kept = _loans_of(window.context.db, before)
    # What the first user did (opening an account leaves an audit event) is sent first.
    sync_now(qtbot, window)
    window.leave()
    first.stop()

    _, other = demo.start(pick=1)
    assert other.context.username != before
    assert _loans_of(other.context.db, before) == set()
    assert _loans_of(other.context.db, other.context.username)
    with other.context.db.engine.connect() as connection:
        left = connection.execute(text("SELECT contract_no FROM loans")).scalars().all()
    assert kept.isdisjoint(left)


class PickOnce(PickCollector):
    """Picks the second collector, then cancels the question when it comes again."""

    asked: ClassVar[int] = 0

    def exec(self) -> int:
        PickOnce.asked += 1
        return 1 if PickOnce.asked == 1 else 0


def test_a_start_as_someone_else_while_the_last_users_work_waits_asks_and_cancel_loses_nothing(
    qtbot: QtBot, demo: Demo, dialogs: RecordingDialogs
) -> None:
    first, window = demo.start(pick=0)
    before = window.context.username
    contract = sorted(_loans_of(window.context.db, before))[0]
    wait_idle(qtbot, window)
    # Written on the copy, not sent yet (the window is gone before its first sync).
    add_note(window.context.db, before, contract, "Asked for a call after work.", now=SHIFT_NOW)
    window.leave()
    first.stop()

    PickOnce.asked = 0
    second = Startup(
        demo.config,
        None,
        settings=demo.settings,
        dialogs=dialogs,
        chooser=PickOnce,
        clock=lambda: SHIFT_NOW,
        demo_accounts=DEMO_ACCOUNTS,
    )
    demo.started.append(second)
    dialog = asked(qtbot, second, second.start)
    # The question comes (no answer here is its Cancel), then the choice of user again.
    with qtbot.waitSignal(second.failed, timeout=30_000) as failed:
        type_passphrase(qtbot, dialog)
    assert failed.args == [""] and second.window is None and PickOnce.asked == 2
    (offer,) = [shown for shown in dialogs.shown if shown.kind == "choose"]
    assert offer.title == f"Changes of {before} are waiting" and "1 note" in offer.text
    # Nothing of the first user's work was lost.
    assert second.local is not None and sync_status(second.local).waiting > 0


def test_cancelling_the_passphrase_ends_the_start_quietly(
    qtbot: QtBot, demo: Demo, dialogs: RecordingDialogs
) -> None:
    startup = demo.startup()
    dialog = asked(qtbot, startup, startup.start)
    with qtbot.waitSignal(startup.failed, timeout=5_000) as failed:
        dialog.reject()
    assert failed.args == [""]
    assert startup.window is None and startup.local is None
    assert dialogs.errors() == []
    assert not (demo.data / "local.sqlite3").exists()


def test_an_unknown_user_on_the_command_line_is_refused(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    config = Config(data_dir=tmp_path / "data", database_url=db.url)
    startup = Startup(config, "nobody", settings=ui_settings, dialogs=dialogs)
    try:
        dialog = asked(qtbot, startup, startup.start)
        with qtbot.waitSignal(startup.failed, timeout=20_000):
            type_passphrase(qtbot, dialog, PASSPHRASE)
        assert startup.window is None
        assert "nobody" in dialogs.errors()[-1]
    finally:
        startup.stop()


def test_the_chinese_ui_shows_chinese_labels_and_switches_back(
    qtbot: QtBot, launch: Launch, shift: Shift, ui_settings: Settings
) -> None:
    ui_settings.set(keys.LANGUAGE, "zh_CN")
    startup, window = launch()
    try:
        menus = [action.text() for action in window.menuBar().actions()]
        assert menus[0].startswith("文件")
        header = window.queue.model.headerData(Column.BORROWER, _horizontal())
        assert header == "借款人"
        first = window.queue.model.row_of(shift.first.loan_id.hex)
        status = window.queue.model.index(first, Column.STATUS).data()
        assert status == "可拨打"
        assert "今日" in window.shift_label.text()
        assert window.call.form.disposition.item(0).text().startswith("无人接听")
        # Qt's own strings too: a standard dialog button.
        assert _cancel_text() == "取消"
        # Switching to English in the settings rebuilds the window in English.
        ui_settings.set(keys.LANGUAGE, "en")
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("en")
        english = ready.args[0]
        wait_idle(qtbot, english)
        assert english.menuBar().actions()[0].text() == "&File"
        assert english.queue.model.headerData(Column.BORROWER, _horizontal()) == "Borrower"
        assert _cancel_text() == "Cancel"
        english.close()
    finally:
        startup.stop()
        startup.language.install("en")


def _cancel_text() -> str:
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    text = box.button(QDialogButtonBox.StandardButton.Cancel).text()
    box.deleteLater()
    return text.replace("&", "")


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_switching_language_with_answers_on_their_way_is_safe(
    qtbot: QtBot, launch: Launch, dialogs: RecordingDialogs
) -> None:
    """The old window's pending answers are dropped, not delivered to deleted widgets."""
    startup, window = launch()
    try:
        window.refresh_queue()
        window.refresh_shift()
        window.reload_account()
        assert window.context.runner.pending > 0
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("zh_CN")
        fresh = ready.args[0]
        wait_idle(qtbot, fresh)
        assert fresh.queue.model.rowCount() == 3
        assert dialogs.errors() == []
        fresh.close()
    finally:
        startup.stop()
        # The default locale is the process's: later tests read their services' words in it.
        startup.language.install("en")


def test_a_language_switch_goes_on_with_the_queue_already_read(
    qtbot: QtBot, launch: Launch, dialogs: RecordingDialogs
) -> None:
    """The rebuilt window reads only what changed since, not the whole queue again, and shows
    the same accounts in the same order."""
    startup, window = launch()
    try:
        before = [entry.contract_no for entry in window.queue.model.rows]
        live = window.live_queue
        assert live.loaded == len(before) == 3
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("zh_CN")
        fresh = ready.args[0]
        wait_idle(qtbot, fresh)
        assert fresh.live_queue is live
        assert live.loaded == 0
        assert [entry.contract_no for entry in fresh.queue.model.rows] == before
        assert dialogs.errors() == []
        fresh.close()
    finally:
        startup.stop()
        startup.language.install("en")


def test_a_change_not_yet_read_when_the_language_switches_is_read_by_the_new_window(
    qtbot: QtBot, launch: Launch, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """A number marked do-not-call while a read of the queue is on its way: the window means to
    read the account again once that read is in. The language switches first; the rebuilt
    window does not go on as if nothing had changed."""
    startup, window = launch()
    try:
        window.refresh_changed(set())
        mark_contact_point(
            window.context.db,
            window.context.username,
            shift.first.contract_no,
            shift.first.points["mobile"],
            "do_not_call",
            words="这个号码以后别打了",
            now=shift.now,
        )
        window.refresh_changed({shift.first.loan_id.hex})
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("zh_CN")
        fresh = ready.args[0]
        wait_idle(qtbot, fresh)
        [entry] = [e for e in fresh.queue.model.rows if e.contract_no == shift.first.contract_no]
        assert entry.contact.decision.rule_id == "point.do_not_call"
        assert dialogs.errors() == []
        fresh.close()
    finally:
        startup.stop()
        startup.language.install("en")


def test_a_language_switch_keeps_the_account_on_screen_throughout(
    qtbot: QtBot, launch: Launch, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """The rebuilt window shows the account it was on from its first frame: never "Choose an
    account in the queue" while the account loads again in the new language."""
    startup, window = launch()
    key = shift.second.loan_id.hex
    with qtbot.waitSignal(window.account_shown, timeout=10_000):
        assert window.queue.select_key(key)
    wait_idle(qtbot, window)
    # What the new window's workspace shows, from the moment it is on screen.
    pages: list[str] = []

    def watch(fresh: MainWindow) -> None:
        workspace = fresh.workspace

        def page() -> None:
            shown = workspace.detail
            pages.append("placeholder" if shown is None else shown.contract_no)

        page()
        workspace.layout().currentChanged.connect(lambda _index: page())
        fresh.account_shown.connect(lambda _contract: page())

    startup.ready.connect(watch)
    try:
        with qtbot.waitSignal(startup.ready, timeout=20_000) as ready:
            window.language_changed.emit("zh_CN")
        fresh = ready.args[0]
        with qtbot.waitSignal(fresh.account_shown, timeout=10_000):
            pass
        wait_idle(qtbot, fresh)
        assert fresh.current_contract() == shift.second.contract_no
        assert fresh.queue.current_key() == key
        assert pages and set(pages) == {shift.second.contract_no}, pages
        assert fresh.workspace.empty.isHidden()
        # The call panel is in the new language too, on the same account.
        assert fresh.call.detail is not None
        assert fresh.call.detail.contract_no == shift.second.contract_no
        assert dialogs.errors() == []
        fresh.close()
    finally:
        startup.stop()
        startup.language.install("en")
