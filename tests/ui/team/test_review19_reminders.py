"""Review of issue 19 in the lead's Reminders tab, in Chinese: an opt-out the carrier's delivery
report recorded (README: "a receipt MOBILE_IN_BLACK … records an opt-out").

A finding: it fails on main as built.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import MessageStatus, ReminderMessage
from app.services.messaging.base import DeliveryReport
from app.services.reminders.dispatch import apply_reports
from app.ui.common.i18n import Language
from app.ui.common.runner import Runner
from app.ui.team.reminders import OptOutColumn
from tests.helpers.reminders_demo import REPORTED, SECOND_RUN, build_reminders_demo
from tests.ui.team.test_reminders import cells, make_context, open_panel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


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


def test_review19_an_opt_out_from_a_delivery_report_reads_in_chinese(
    qtbot: QtBot, language: Language, runner: Runner, tmp_path: Path, demo_300: Path
) -> None:
    """The dispatcher records a delivery report's opt-out with the source "delivery report";
    the tab names only "borrower" and "provider", so the Chinese tab shows the raw English
    words "delivery report" in the How column."""
    demo = build_reminders_demo(tmp_path / "demo", demo_300)
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
