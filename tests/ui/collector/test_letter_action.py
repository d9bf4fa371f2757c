"""The workspace's "Letter…": a demand letter for the account shown, saved where the collector
says, by the service on the worker; an account that gets none says why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.database import Database
from app.ui.collector.workspace import Workspace
from app.ui.common.context import Context
from app.ui.common.runner import Runner
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.pdf import pdf_raw_text
from tests.helpers.portfolio import Portfolio
from tests.ui.collector.test_workspace import (
    NOW,
    NUMBERS,
    TODAY,
    Clock,
    load,
    make_context,
    make_workspace,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


@pytest.fixture
def context(db: Database, runner: Runner, tmp_path: Path) -> Context:
    return make_context(db, runner, tmp_path, Clock(NOW))


@pytest.fixture
def workspace(qtbot: QtBot, context: Context) -> Workspace:
    return make_workspace(qtbot, context)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "documents"
    path.mkdir()
    return path


def _dialogs(context: Context) -> RecordingDialogs:
    assert isinstance(context.dialogs, RecordingDialogs)
    return context.dialogs


def test_letter_saves_the_accounts_demand_letter_where_the_collector_says(
    qtbot: QtBot,
    workspace: Workspace,
    context: Context,
    db: Database,
    portfolio: Portfolio,
    folder: Path,
) -> None:
    account = portfolio.account(today=TODAY, dpd=15, numbers=NUMBERS)
    workspace.show_account(*load(db, account))
    dialogs = _dialogs(context)
    dialogs.files.append(folder / "for-the-post")  # no suffix: .pdf is added

    with qtbot.waitSignal(workspace.letter_written, timeout=30_000) as written:
        qtbot.mouseClick(workspace.letter, Qt.MouseButton.LeftButton)

    out = folder / "for-the-post.pdf"
    letter = written.args[0]
    assert letter.path == out and letter.contract_no == account.contract_no
    text = re.sub(r"\s+", "", pdf_raw_text(out.read_bytes()))
    assert account.contract_no in text and letter.letter_no in text and "催收函" in text
    asked, told = dialogs.shown
    assert asked.kind == "save_file"
    assert asked.title == f"Save the demand letter for {account.contract_no}"
    assert asked.text.endswith(f"{account.contract_no}-demand-letter.pdf")
    assert told.kind == "info"
    assert (
        told.text == f"Demand letter {letter.letter_no} for {account.contract_no} saved to {out}."
    )
    assert workspace.letter.isEnabled()


def test_an_account_that_gets_no_letter_says_why_and_nothing_is_saved(
    qtbot: QtBot,
    workspace: Workspace,
    context: Context,
    db: Database,
    portfolio: Portfolio,
    folder: Path,
) -> None:
    ceased = portfolio.account(today=TODAY, dpd=15, numbers=NUMBERS, cease_requested=True)
    workspace.show_account(*load(db, ceased))
    dialogs = _dialogs(context)
    dialogs.files.append(folder / "letter.pdf")

    qtbot.mouseClick(workspace.letter, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: bool(dialogs.errors()), timeout=30_000)
    assert dialogs.shown[-1].title == "No letter was written"
    assert dialogs.errors() == [
        f"No letter goes to account {ceased.contract_no}: the borrower asked to stop contact."
    ]
    assert list(folder.iterdir()) == []
    assert workspace.letter.isEnabled()


def test_cancelling_the_save_dialog_writes_nothing(
    qtbot: QtBot,
    workspace: Workspace,
    context: Context,
    db: Database,
    portfolio: Portfolio,
    folder: Path,
) -> None:
    account = portfolio.account(today=TODAY, dpd=15, numbers=NUMBERS)
    workspace.show_account(*load(db, account))

    qtbot.mouseClick(workspace.letter, Qt.MouseButton.LeftButton)

    assert [shown.kind for shown in _dialogs(context).shown] == ["save_file"]
    assert list(folder.iterdir()) == []
    assert workspace.letter.isEnabled()
