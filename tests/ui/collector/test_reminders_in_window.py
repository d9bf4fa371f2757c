"""A reminder the dispatcher sent, as the collector meets it in the window: among the queue
row's reasons the next day, and in the account's timeline as its channel and outcome in words,
in the window's language."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.database import Database
from app.services.messaging.base import MessageChannel
from app.services.messaging.spool import SpoolSender
from app.services.reminders.dispatch import run_reminders
from app.ui.collector.queue_model import Column
from app.ui.collector.timeline import Column as TimelineColumn
from app.ui.common import settings as keys
from app.ui.common.settings import Settings
from tests.ui.conftest import Launch, Shift

# The offscreen platform says so whenever a window is shown; it is not about these panels.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

WORDS = {
    "en": ("reminder sent yesterday, no payment", "SMS", "Reminder sent"),
    "zh_CN": ("昨日已发提醒，仍未还款", "短信", "提醒已发送"),
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_reminder_shows_in_the_queue_and_the_timeline_in_words(
    launch: Launch,
    shift: Shift,
    db: Database,
    ui_settings: Settings,
    tmp_path: Path,
    language: str,
) -> None:
    # The day before the shift the first account, 44 days past due and never told, gets the
    # credit-reporting notice by SMS.
    senders = {
        "sms": SpoolSender(tmp_path / "spool", MessageChannel.SMS),
        "email": SpoolSender(tmp_path / "spool", MessageChannel.EMAIL),
    }
    assert run_reminders(db, senders, at=shift.now - timedelta(days=1)).sent >= 1
    ui_settings.set(keys.LANGUAGE, language)
    reason, channel, outcome = WORDS[language]
    startup, window = launch()
    try:
        model = window.queue.model
        row = model.row_of(shift.first.loan_id.hex)
        reasons = str(model.index(row, Column.REASON).data(Qt.ItemDataRole.ToolTipRole))
        assert reason in reasons.splitlines()

        assert window.call.detail is not None
        assert window.call.detail.contract_no == shift.first.contract_no
        timeline = window.workspace.timeline
        timeline.set_kind_filter("contacts")
        rows = [
            tuple(
                str(timeline.proxy.index(place, column).data())
                for column in (TimelineColumn.KIND, TimelineColumn.DETAILS)
            )
            for place in range(timeline.proxy.rowCount())
        ]
        assert (channel, outcome) in rows
        assert not any("SENT" in text for shown in rows for text in shown)
    finally:
        window.close()
        startup.language.install("en")
