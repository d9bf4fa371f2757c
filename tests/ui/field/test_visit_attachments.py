"""A visit's evidence in the window: the field agent's "Attach photo…" on the outcome form,
and the team lead's look at an account's attachments (issue 20, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.database import Database
from app.services.field.attachments import (
    account_attachments,
    attachment_content,
    visit_attachments,
)
from app.ui.common.settings import Settings
from app.ui.field.attachments import AccountAttachmentsDialog
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.images import PDF, gps_of, photo
from tests.ui.field.test_visit_planner import (
    AGENT,
    FieldDay,
    field_day,
    open_outcome,
    plan_today,
    settle,
)
from tests.ui.team.test_team_accounts import open_panel

__all__ = ["field_day"]  # the planner on its own, as the field agent (a fixture)


def _choose(dialog: object, code: str) -> None:
    combo = dialog.attach_purpose  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(code))


def test_the_agent_attaches_a_photo_and_it_is_listed_and_stored_without_its_location(
    qtbot: QtBot,
    db: Database,
    field_day: FieldDay,
    dialogs: RecordingDialogs,
    tmp_path: Path,
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    door = tmp_path / "door.jpg"
    door.write_bytes(photo())
    dialogs.files.append(door)
    _choose(dialog, "notice")
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert dialogs.errors() == []
    (line,) = dialog.attached.lines()
    assert line.startswith("Notice left at the door · door.jpg · 1 KB · li.field, ")
    (stored,) = visit_attachments(db, AGENT, dialog.visit.id)
    assert stored.purpose.code == "notice"
    assert gps_of(attachment_content(db, AGENT, stored.id)) == {}
    # Cancelling the file dialog attaches nothing; the form reopens with the list.
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert len(visit_attachments(db, AGENT, dialog.visit.id)) == 1
    dialog.reject()
    again = open_outcome(qtbot, field_day)
    settle(qtbot, field_day)
    assert again.attached.lines() == [line]


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("notice.jpg", b"GIF89a not what its name says", "not a JPEG, PNG or PDF file"),
        ("empty.pdf", b"", "is empty"),
        ("bill\x1b[2J.pdf", PDF, "control characters"),
    ],
    ids=["wrong magic", "zero bytes", "control characters"],
)
def test_a_hostile_file_is_refused_at_the_button_and_nothing_is_attached(
    qtbot: QtBot,
    db: Database,
    field_day: FieldDay,
    dialogs: RecordingDialogs,
    tmp_path: Path,
    name: str,
    data: bytes,
    said: str,
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    path = tmp_path / name
    path.write_bytes(data)
    dialogs.files.append(path)
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert said in dialog.marks.marked()["file"]
    assert dialogs.errors() == [] and dialog.attached.lines() == []
    assert visit_attachments(db, AGENT, dialog.visit.id) == []
    assert dialog.attach_button.isEnabled()


def test_the_lead_sees_the_accounts_attachments_and_saves_a_copy(
    qtbot: QtBot,
    db: Database,
    field_day: FieldDay,
    dialogs: RecordingDialogs,
    ui_settings: Settings,
    tmp_path: Path,
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    consent = tmp_path / "consent.pdf"
    consent.write_bytes(PDF)
    dialogs.files.append(consent)
    _choose(dialog, "consent")
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    contract = dialog.visit.contract_no
    assert len(account_attachments(db, "lead.wang", contract)) == 1
    panel, runner = open_panel(qtbot, db, ui_settings, dialogs, "lead.wang")
    assert not panel.attachments_button.isEnabled()  # nothing selected
    panel.select([contract])
    qtbot.mouseClick(panel.attachments_button, Qt.MouseButton.LeftButton)
    shown = panel.attachments_dialog
    assert isinstance(shown, AccountAttachmentsDialog) and shown.isVisible()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    assert shown.status.text() == "Files attached: 1"
    assert shown.list.lines()[0].startswith("Consent to enter · consent.pdf · ")
    shown.list.setCurrentRow(0)
    out = tmp_path / "copy.pdf"
    dialogs.files.append(out)
    qtbot.mouseClick(shown.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    assert out.read_bytes() == PDF and dialogs.errors() == []
    runner.stop()
