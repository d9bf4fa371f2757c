"""The call panel says what the outcome still lacks in the service's words, each at the field it
is about, and opens Save exactly when nothing is missing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.common.reference import emotions
from app.services.contact.outcome_rules import missing_for_outcome
from app.ui.collector.call_panel import CallPanel
from app.ui.common.field_marks import PROPERTY
from app.ui.common.i18n import Language
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import BEIJING, Shift


@pytest.fixture
def language(qapp: QApplication) -> Iterator[Language]:
    chosen = Language()
    yield chosen
    chosen.install("en")


def shown(panel: CallPanel) -> list[str]:
    """The lines the panel shows above Save; none while the label is hidden."""
    return panel.missing.text().splitlines() if not panel.missing.isHidden() else []


def marked(panel: CallPanel) -> dict[str, str]:
    """Each field marked, with the line under it."""
    return panel.marks.marked()


def everything(panel: CallPanel) -> list[str]:
    """Every problem the panel shows, at a field or above Save, in the service's order."""
    lines = shown(panel) + [line for text in marked(panel).values() for line in text.splitlines()]
    return sorted(set(lines))


def service_words(panel: CallPanel, shift: Shift) -> list[str]:
    """What the service says is missing, in English, under the script's compliance profile."""
    run = panel.script.run
    profile = run.script.profile if run is not None else None
    found = missing_for_outcome(panel.draft(), now=shift.now, profile=profile)
    return sorted(str(message) for message in found)


def assert_save_follows(panel: CallPanel) -> None:
    nothing_missing = not everything(panel)
    assert panel.save_button.isEnabled() is nothing_missing
    assert panel.save_next_button.isEnabled() is nothing_missing


def test_the_panel_shows_the_services_words_at_their_fields_and_saves_only_when_complete(
    window: MainWindow, shift: Shift, dialogs: RecordingDialogs, language: Language
) -> None:
    panel = window.call
    assert panel.detail is not None and panel.detail.contract_no == shift.first.contract_no
    form = panel.form

    # Nothing chosen yet: the one thing missing is said above Save, and no field is red.
    assert shown(panel) == ["Choose the outcome of the call."]
    assert marked(panel) == {}
    assert_save_follows(panel)

    # Nobody answered: nothing more to record.
    form.choose("NA")
    assert everything(panel) == [] == service_words(panel, shift)
    assert_save_follows(panel)

    # A promise: the emotion, the promise itself and the script path, each where it belongs.
    form.choose("PTP")
    known = ", ".join(emotion.en for emotion in emotions().values())
    unverified = (
        "PTP is a right-party outcome: record it with the path taken through the call script, "
        "in which the identity check verified the borrower."
    )
    assert marked(panel) == {
        "emotion": f"Someone answered (PTP): record the emotion you observed (one of {known}).",
        "promise_amount": "A promise to pay needs an amount and a date.",
        "script": unverified,
    }
    assert shown(panel) == []
    assert everything(panel) == service_words(panel, shift)
    # Marked: a red border, the problem as its tooltip and for a screen reader.
    assert form.emotion.property(PROPERTY) is True
    assert form.emotion.toolTip() == marked(panel)["emotion"]
    assert form.emotion.accessibleDescription() == marked(panel)["emotion"]
    assert panel.marks.note("emotion").isVisibleTo(panel)
    assert_save_follows(panel)
    # The borrower answers and is verified; the notices are given as the script goes on.
    script = panel.script
    script.answer("speaking")
    script.answer("match")
    while script.run is not None and script.run.current.kind == "disclosure":
        script.disclosure.setChecked(True)
        script.advance()
    assert "script" not in marked(panel)
    assert everything(panel) == service_words(panel, shift)
    form.choose_emotion("calm")
    # The emotion is recorded: its mark goes, its tooltip is the field's own again.
    assert "emotion" not in marked(panel)
    assert form.emotion.property(PROPERTY) is False and form.emotion.toolTip() == ""
    assert everything(panel) == service_words(panel, shift)
    checklist = marked(panel)["checklist"]
    assert checklist.startswith("The checklist for Calm / PTP is not complete.")
    assert "Stayed calm and polite throughout" in checklist
    assert "all.calm_polite" not in checklist
    assert_save_follows(panel)
    form.tick_all()
    form.amount.setText("abc")
    assert marked(panel) == {"promise_amount": "The promised amount “abc” is not a number."}
    assert_save_follows(panel)
    # The keyboard's Save answers at the field, with no message box to click away.
    panel.save(go_next=False)
    assert dialogs.shown == []
    assert marked(panel) == {"promise_amount": "The promised amount “abc” is not a number."}
    assert window.context.runner.pending == 0
    form.amount.setText("1500")
    assert everything(panel) == [] == service_words(panel, shift)
    assert_save_follows(panel)

    # In Chinese, the same items read as the catalogue's translation of the service's words.
    language.install("zh_CN")
    form.choose_emotion("anxious")
    form.emotion.setCurrentIndex(0)  # "not recorded"
    names = "、".join(emotion.zh_CN for emotion in emotions().values())
    assert marked(panel) == {
        "emotion": f"已有人接听（PTP）：请记录您观察到的情绪（可选：{names}）。"
    }
    assert_save_follows(panel)


def test_save_with_problems_marks_every_field_at_once_and_focuses_the_first(
    qtbot: QtBot, window: MainWindow, dialogs: RecordingDialogs
) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()
    panel = window.call
    form = panel.form
    # Nothing chosen: Ctrl+S says so at the outcome list, and goes there.
    panel.save(go_next=False)
    assert marked(panel) == {"disposition": "Choose the outcome of the call."}
    assert shown(panel) == []
    qtbot.waitUntil(form.disposition.hasFocus)
    # A promise with a bad amount and no emotion: both marked in one go, the first focused.
    form.choose("PTP")
    form.amount.setText("12a")
    form.notes.setFocus()
    panel.save(go_next=True)
    assert set(marked(panel)) == {"emotion", "promise_amount", "script"}
    assert marked(panel)["promise_amount"] == "The promised amount “12a” is not a number."
    qtbot.waitUntil(form.emotion.hasFocus)
    assert dialogs.shown == []
    assert window.context.runner.pending == 0


def test_a_promise_date_in_the_past_stays_as_typed_and_is_refused_at_its_field(
    qtbot: QtBot, window: MainWindow, shift: Shift, dialogs: RecordingDialogs
) -> None:
    """The date box once had today as its lowest date: a past date typed became today,
    and the promise was stored for a day nobody agreed."""
    with qtbot.waitActive(window):
        window.activateWindow()
    panel = window.call
    form = panel.form
    form.choose("PTP")
    form.amount.setText("500")
    today = shift.now.astimezone(BEIJING).date()
    yesterday = today - timedelta(days=1)
    form.promise_date.setFocus()
    form.promise_date.setSelectedSection(form.promise_date.Section.YearSection)
    qtbot.keyClicks(form.promise_date, yesterday.strftime("%Y%m%d"))
    qtbot.keyClick(form.promise_date, Qt.Key.Key_Tab)
    assert form.promised_date() == yesterday
    assert (
        marked(panel)["promise_date"] == f"The promise date {yesterday.isoformat()} is in the past."
    )
    assert not panel.save_button.isEnabled()
    panel.save(go_next=False)
    assert dialogs.shown == [] and window.context.runner.pending == 0
