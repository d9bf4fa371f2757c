"""The lead's "Referral package…" button on the team's accounts, on real widgets, the real
worker and database: it asks where, writes the selected account's package as a .zip, and says
so; with none or several selected it waits."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent
from app.ui.common.settings import Settings
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.pdf import pdf_fonts, pdf_raw_text
from tests.helpers.portfolio import Portfolio
from tests.ui.team.test_team_accounts import LEAD, TODAY, Desk, open_panel, settle


@pytest.fixture
def desk(
    qtbot: QtBot,
    db: Database,
    portfolio: Portfolio,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[Desk]:
    m1 = portfolio.account(today=TODAY, dpd=12, name="陈静", principal="6000")
    m2 = portfolio.account(today=TODAY, dpd=45, name="王芳", district="朝阳区")
    panel, runner = open_panel(qtbot, db, ui_settings, dialogs, LEAD)
    yield Desk(panel, runner, dialogs, db, m1, m2, m2)
    runner.stop()


def test_the_button_writes_the_selected_accounts_package_where_the_lead_says(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    panel = desk.panel
    assert not panel.package_button.isEnabled()
    panel.select([desk.m1.contract_no, desk.m2.contract_no])
    assert not panel.package_button.isEnabled()
    panel.select([desk.m2.contract_no])
    assert panel.package_button.isEnabled()
    desk.dialogs.files.append(tmp_path / "for-the-lawyer")

    qtbot.mouseClick(panel.package_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)

    out = tmp_path / "for-the-lawyer.zip"
    assert panel.message.text() == (f"Referral package for {desk.m2.contract_no} written to {out}.")
    with zipfile.ZipFile(out) as archive:
        files = {Path(name).name: archive.read(name) for name in archive.namelist()}
    assert json.loads(files["manifest.json"])["contract_no"] == desk.m2.contract_no
    assert all(font.embedded for font in pdf_fonts(files["package_zh_CN.pdf"]))
    assert desk.m2.contract_no in pdf_raw_text(files["package_en.pdf"])
    with desk.db.reader() as session:
        actions = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "legal.package_written")
        ).all()
    assert actions == [str(desk.m2.loan_id)]
    assert desk.dialogs.errors() == []


def test_cancelling_the_file_dialog_writes_nothing(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    desk.panel.select([desk.m1.contract_no])
    qtbot.mouseClick(desk.panel.package_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert [shown.kind for shown in desk.dialogs.shown] == ["save_file"]
    assert desk.panel.message.text() == ""
    with desk.db.reader() as session:
        assert (
            session.scalar(
                select(AuditEvent.id).where(AuditEvent.action == "legal.package_written")
            )
            is None
        )


def test_a_refusal_shows_under_the_buttons_in_one_line(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    taken = tmp_path / "taken.zip"
    taken.write_bytes(b"already here")
    desk.panel.select([desk.m1.contract_no])
    desk.dialogs.files.append(taken)

    qtbot.mouseClick(desk.panel.package_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)

    assert desk.panel.message.text() == (
        f"{taken} already exists; a package is written to a new folder or .zip file."
    )
    assert taken.read_bytes() == b"already here"
