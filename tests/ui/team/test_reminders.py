"""The team lead's Reminders tab on a demo book whose reminders went out through the real
dispatcher and the spool on two days (tests/helpers/reminders_demo.py): the day's figures,
the failures in words, another day picked, tomorrow's preview with its messages, the same
numbers as `reminders overview`, Chinese, and a collector's timeline naming each reminder in
words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.cli.common import plain
from app.database import Database
from app.models import ContactAttempt, Loan, MessageStatus, ReminderMessage, User
from app.services.messaging.base import DeliveryReport
from app.services.messaging.spool import SPOOL_ENV
from app.services.portfolio.accounts import account_detail
from app.services.reminders.dispatch import apply_reports
from app.services.reminders.overview import as_json, reminders_overview
from app.ui.collector.timeline import TimelineModel
from app.ui.common.context import Context
from app.ui.common.i18n import Formats, Language
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.reminders import (
    FailureColumn,
    OptOutColumn,
    PreviewColumn,
    RemindersPanel,
    Section,
    StepColumn,
)
from app.ui.team.window import Tab, TeamWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.reminders_demo import (
    DAY,
    FIRST_DAY,
    NOW,
    REPORTED,
    SECOND_RUN,
    RemindersDemo,
    build_reminders_demo,
)
from tests.ui.conftest import BEIJING

# What the dispatcher records a message's answer as (app.services.reminders.dispatch).
SYSTEM_CODES = ("SENT", "DELIVERED", "FAILED", "OPTED-OUT")

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def demo(reminders_demo: RemindersDemo) -> RemindersDemo:
    """The session's book (tests/conftest.py), read only."""
    return reminders_demo


@pytest.fixture
def demo_db(demo: RemindersDemo) -> Iterator[Database]:
    database = demo.database()
    yield database
    database.dispose()


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


@pytest.fixture
def language(qapp: QApplication) -> Iterator[Language]:
    chosen = Language()
    yield chosen
    chosen.install("en")


def make_context(
    db: Database, runner: Runner, tmp_path: Path, username: str, language: str = "en"
) -> Context:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return Context(
        db=db,
        username=username,
        display_name=username,
        runner=runner,
        dialogs=RecordingDialogs(),
        settings=Settings(store),
        formats=Formats(language, BEIJING),
        clock=lambda: NOW,
    )


def open_panel(qtbot: QtBot, context: Context) -> RemindersPanel:
    panel = RemindersPanel(context)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    with qtbot.waitSignal(panel.loaded, timeout=30_000):
        panel.refresh()
    return panel


def cells(panel: RemindersPanel, table_name: str, row: int) -> list[str]:
    table = getattr(panel, table_name)
    model = table.model()
    return [str(model.index(row, column).data()) for column in range(model.columnCount())]


def test_the_tab_shows_the_days_reminders_failures_and_tomorrow(
    qtbot: QtBot,
    qtmodeltester,  # type: ignore[no-untyped-def]
    demo: RemindersDemo,
    demo_db: Database,
    runner: Runner,
    tmp_path: Path,
) -> None:
    panel = open_panel(qtbot, make_context(demo_db, runner, tmp_path, demo.lead))
    expected = reminders_overview(demo_db, demo.lead, DAY, now=NOW)
    assert panel.selected_day() == DAY
    assert panel.overview == expected
    counts = expected.counts
    rate = f"{float(counts.delivered_rate or 0) * 100:.1f}%"
    assert panel.counts_label.text().startswith(
        f"Went out: {counts.went_out} — delivered 4 ({rate})"
    )
    assert f"failed {counts.failed}" in panel.counts_label.text()
    # The counts by step, in words.
    steps = [cells(panel, "step_table", row) for row in range(panel.steps.rowCount())]
    assert steps[0][: StepColumn.WENT_OUT] == ["3 days before the due date", "SMS"]
    assert any(row[StepColumn.STEP] == "Credit-reporting notice" for row in steps)
    assert sum(int(row[StepColumn.WENT_OUT]) for row in steps) == counts.went_out
    # The failures, with what went wrong in words.
    assert panel.sections.tabText(Section.FAILURES) == "F&ailures (2)"
    failures = {
        cells(panel, "failure_table", row)[FailureColumn.REASON]: cells(panel, "failure_table", row)
        for row in range(panel.failures.rowCount())
    }
    refused = failures["The mailbox does not exist or refuses mail"]
    assert refused[FailureColumn.ERROR] == "550"
    assert refused[FailureColumn.CHANNEL] == "E-mail"
    assert refused[FailureColumn.ACCOUNT] == demo.refused.split(":")[0]
    assert refused[FailureColumn.WHEN] == "28 Nov 2026 11:00"
    undelivered = failures["The carrier could not deliver it"]
    assert undelivered[FailureColumn.ACCOUNT] == demo.undelivered.split(":")[0]
    # The opt-out of the day.
    assert panel.opt_outs.rowCount() == 1
    assert demo.opted_contract in cells(panel, "opt_out_table", 0)
    assert "The borrower asked" in cells(panel, "opt_out_table", 0)
    # The notices, and tomorrow: each group, and its messages as the borrower reads them.
    assert panel.notices.rowCount() == len(expected.notices) > 0
    panel.sections.setCurrentIndex(Section.TOMORROW)
    preview = expected.preview
    assert panel.preview.rowCount() == len(preview.groups) > 1
    assert f"Tomorrow, 29 Nov 2026: {preview.total} messages would go" in panel.preview_label.text()
    assert "A promise to pay is pending: " in panel.held_label.text()
    last = len(preview.groups) - 1
    panel.preview_table.setCurrentIndex(panel.preview.index(last, PreviewColumn.STEP))
    group = preview.groups[last]
    shown = panel.samples.toPlainText()
    assert shown.startswith(f"{len(group.samples)} of {group.count} messages")
    assert all(sample.text in shown for sample in group.samples)
    assert cells(panel, "preview_table", last)[PreviewColumn.MESSAGES] == str(group.count)
    for model in (panel.steps, panel.failures, panel.opt_outs, panel.notices, panel.preview):
        qtmodeltester.check(model)


def test_picking_another_day_shows_that_days_reminders(
    qtbot: QtBot, demo: RemindersDemo, demo_db: Database, runner: Runner, tmp_path: Path
) -> None:
    panel = open_panel(qtbot, make_context(demo_db, runner, tmp_path, demo.lead))
    # Typed in the date field: loaded once the typing stops.
    with qtbot.waitSignal(panel.loaded, timeout=30_000):
        panel.day_edit.setDate(QDate(2026, 11, 27))
    overview = panel.overview
    assert overview is not None and overview.day == FIRST_DAY
    assert overview == reminders_overview(demo_db, demo.lead, FIRST_DAY, now=NOW)
    assert panel.failures.rowCount() == 0 and panel.opt_outs.rowCount() == 0
    assert panel.sections.tabText(Section.FAILURES) == "F&ailures (0)"
    assert panel.counts_label.text().startswith(
        f"Went out: {overview.counts.went_out} — delivered {overview.counts.delivered}"
    )
    # The day to come cannot be picked: tomorrow is the preview's.
    assert panel.day_edit.maximumDate() == QDate(2026, 11, 28)


def test_a_collector_is_told_the_view_is_not_theirs(
    qtbot: QtBot, demo: RemindersDemo, demo_db: Database, runner: Runner, tmp_path: Path
) -> None:
    panel = RemindersPanel(make_context(demo_db, runner, tmp_path, demo.collector))
    qtbot.addWidget(panel)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.refused, timeout=30_000)
    assert panel.pages.currentWidget() is panel.refusal
    assert "Only a team lead or an administrator" in panel.refusal.text()
    assert panel.overview is None


def test_the_window_and_the_command_line_give_the_same_numbers(
    qtbot: QtBot, demo: RemindersDemo, demo_db: Database, runner: Runner, tmp_path: Path
) -> None:
    panel = open_panel(qtbot, make_context(demo_db, runner, tmp_path, demo.lead))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    env[SPOOL_ENV] = str(demo.folder / "spool")
    command = ["reminders", "overview", "--user", demo.lead, "--at", NOW.isoformat(), "--json"]
    printed = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(demo.folder), *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    shown = json.loads(printed.stdout)
    assert panel.overview is not None
    assert shown == json.loads(json.dumps(plain(as_json(panel.overview))))
    # And what the window prints in its cells is those numbers.
    counts = shown["counts"]
    assert panel.counts_label.text().startswith(f"Went out: {counts['went_out']} —")
    by_step = {(row["step"], row["channel"]): row["counts"] for row in shown["by_step"]}
    for row in range(panel.steps.rowCount()):
        step = panel.steps.row_at(row)
        cells_now = cells(panel, "step_table", row)
        figures = by_step[(step.step, step.channel)]
        assert int(cells_now[StepColumn.DELIVERED]) == figures["delivered"]
        assert int(cells_now[StepColumn.FAILED]) == figures["failed"]
    assert panel.failures.rowCount() == len(shown["failures"]) == counts["failed"]
    assert panel.preview.rowCount() == len(shown["preview"]["groups"])
    assert (
        sum(
            int(cells(panel, "preview_table", r)[PreviewColumn.MESSAGES])
            for r in range(panel.preview.rowCount())
        )
        == shown["preview"]["total"]
    )


def test_the_tab_reads_in_chinese(
    qtbot: QtBot,
    language: Language,
    demo: RemindersDemo,
    demo_db: Database,
    runner: Runner,
    tmp_path: Path,
) -> None:
    language.install("zh_CN")
    panel = open_panel(qtbot, make_context(demo_db, runner, tmp_path, demo.lead, "zh_CN"))
    failures = [
        cells(panel, "failure_table", row)[FailureColumn.REASON]
        for row in range(panel.failures.rowCount())
    ]
    assert sorted(failures) == sorted(["运营商未能送达", "收件邮箱不存在或拒收"])
    steps = [
        cells(panel, "step_table", row)[StepColumn.STEP] for row in range(panel.steps.rowCount())
    ]
    assert "不良信息报送告知" in steps
    assert panel.counts_label.text().startswith("已发出：")
    header = panel.failures.headerData(FailureColumn.REASON, Qt.Orientation.Horizontal)
    assert header == "失败原因"
    assert "有待履行的还款承诺：" in panel.held_label.text()


def _reminded_contract(db: Database, key: str) -> str:
    with db.reader() as session:
        loan_id = session.scalar(select(ReminderMessage.loan_id).where(ReminderMessage.key == key))
        contract = session.scalar(select(Loan.contract_no).where(Loan.id == loan_id))
    assert contract is not None
    return contract


@pytest.mark.parametrize(
    ("code", "kinds", "words"),
    [
        ("en", ("SMS", "E-mail"), ("Reminder sent", "Reminder not delivered")),
        ("zh_CN", ("短信", "电子邮箱"), ("提醒已发送", "提醒发送失败")),
    ],
)
def test_a_collectors_timeline_names_each_reminder_by_channel_and_status_in_words(
    language: Language,
    demo: RemindersDemo,
    demo_db: Database,
    code: str,
    kinds: tuple[str, str],
    words: tuple[str, str],
) -> None:
    language.install(code)
    contract = _reminded_contract(demo_db, demo.refused)
    with demo_db.reader() as session:
        owner = session.scalar(select(Loan.assigned_to_id).where(Loan.contract_no == contract))
        assert (
            session.scalar(
                select(ContactAttempt.disposition)
                .join(ReminderMessage, ReminderMessage.attempt_id == ContactAttempt.id)
                .where(ReminderMessage.key == demo.refused)
            )
            == "FAILED"
        )
    with demo_db.reader() as session:
        username = session.scalar(select(User.username).where(User.id == owner)) or "admin"
    detail = account_detail(demo_db, username, contract, at=NOW)
    model = TimelineModel(Formats(code, BEIJING))
    model.set_items(detail.timeline)
    rows = [
        (model.index(row, 1).data(), model.index(row, 2).data())
        for row in range(model.rowCount())
        if model.row_at(row).item.details.get("disposition") in SYSTEM_CODES
    ]
    assert rows, "the account has reminders in its timeline"
    sms, email = kinds
    sent, failed = words
    assert (email, failed) in rows
    assert all(kind in (sms, email) for kind, _ in rows)
    assert all(text in (sent, failed, *_other_words(code)) for _, text in rows)
    # Never a code.
    assert not any(text in SYSTEM_CODES or kind in ("sms", "email") for kind, text in rows)


def _other_words(code: str) -> tuple[str, ...]:
    if code == "zh_CN":
        return ("提醒已送达", "提醒被拒收（已退订）")
    return ("Reminder delivered", "Reminder refused: opted out")


def test_the_team_window_opens_the_tab_with_ctrl_9_and_loads_it_then(
    qtbot: QtBot, demo: RemindersDemo, demo_db: Database, runner: Runner, tmp_path: Path
) -> None:
    window = TeamWindow(make_context(demo_db, runner, tmp_path, demo.lead))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.reminders.overview is None  # not loaded before it is shown
    action = window.tab_actions[Tab.REMINDERS]
    assert action.shortcut() == QKeySequence("Ctrl+9")
    assert action.text() == "Reminder&s"
    with qtbot.waitSignal(window.reminders.loaded, timeout=30_000):
        action.trigger()
    assert window.tabs.currentIndex() == Tab.REMINDERS
    assert window.tabs.tabText(Tab.REMINDERS) == "Reminder&s"
    assert window.reminders.accessibleName() == "Reminders sent, and tomorrow's"
    assert window.reminders.overview == reminders_overview(demo_db, demo.lead, DAY, now=NOW)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)


def test_the_dashboard_counts_the_reminders_of_its_span_as_the_tab_does_day_by_day(
    qtbot: QtBot, demo: RemindersDemo, demo_db: Database, runner: Runner, tmp_path: Path
) -> None:
    window = TeamWindow(make_context(demo_db, runner, tmp_path, demo.lead))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    dashboard = window.dashboard
    with qtbot.waitSignal(dashboard.refreshed, timeout=30_000):
        dashboard.set_range(FIRST_DAY, DAY)
    figures = dashboard.report.reminders if dashboard.report else None
    days = [reminders_overview(demo_db, demo.lead, day, now=NOW) for day in (FIRST_DAY, DAY)]
    assert figures is not None
    assert figures.sent == sum(day.counts.went_out for day in days) > 0
    # The second day's four, and the first day's notices reported delivered.
    assert (figures.delivered, figures.failed) == (4 + days[0].counts.delivered, 2)
    assert figures.opted_out == sum(day.counts.opted_out for day in days)
    assert dashboard.reminders_label.text() == (
        f"Reminders the lender sent: {figures.sent}, delivered"
        f" {float(figures.delivered_rate or 0) * 100:.1f}%, failed 2, opted out"
        f" {figures.opted_out}."
    )
    # The button opens the Reminders tab on the span's last day.
    with qtbot.waitSignal(window.reminders.loaded, timeout=30_000):
        qtbot.mouseClick(dashboard.reminders_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == Tab.REMINDERS
    assert window.reminders.selected_day() == DAY
    assert window.reminders.overview == days[1]
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=30_000)


def test_an_opt_out_from_a_delivery_report_reads_in_chinese(
    qtbot: QtBot, language: Language, runner: Runner, tmp_path: Path, demo_300_bare: Path
) -> None:
    """An opt-out a carrier's delivery report recorded (MOBILE_IN_BLACK) is named in the
    Chinese tab's How column like the others, not in the dispatcher's English words."""
    demo = build_reminders_demo(tmp_path / "demo", demo_300_bare)
    db = demo.database()
    try:
        with db.reader() as session:
            key, to = session.execute(
                select(ReminderMessage.key, ReminderMessage.recipient)
                .where(
                    ReminderMessage.planned_at == SECOND_RUN,
                    ReminderMessage.status == MessageStatus.SENT,
                    ReminderMessage.channel == "sms",
                )
                .order_by(ReminderMessage.key.desc())
            ).first()  # type: ignore[misc]
        applied = apply_reports(
            db,
            [
                DeliveryReport(
                    provider_id="-",
                    to=to,
                    delivered=False,
                    reported_at=datetime.fromisoformat(REPORTED),
                    key=key,
                    error_code="MOBILE_IN_BLACK",
                    opted_out=True,
                )
            ],
        )
        assert applied.opted_out == 1
        language.install("zh_CN")
        panel = open_panel(qtbot, make_context(db, runner, tmp_path, "admin", "zh_CN"))
        sources = [
            cells(panel, "opt_out_table", row)[OptOutColumn.SOURCE]
            for row in range(panel.opt_outs.rowCount())
        ]
        assert len(sources) == 2, sources
        assert not [s for s in sources if s.isascii()], sources
    finally:
        db.dispose()
