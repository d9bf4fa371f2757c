"""The call panel says what the outcome still lacks in the service's words, and opens Save
exactly when nothing is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from app.services.common.reference import emotions
from app.services.contact.outcome_rules import missing_for_outcome
from app.ui.collector.call_panel import CallPanel
from app.ui.common.i18n import Language
from app.ui.shell.main_window import MainWindow
from tests.helpers.dialogs import RecordingDialogs
from tests.ui.conftest import Shift


@pytest.fixture
def language(qapp: QApplication) -> Iterator[Language]:
    chosen = Language()
    yield chosen
    chosen.install("en")


def shown(panel: CallPanel) -> list[str]:
    """The lines the panel shows above Save; none while the label is hidden."""
    return panel.missing.text().splitlines() if not panel.missing.isHidden() else []


def service_words(panel: CallPanel, shift: Shift) -> list[str]:
    """What the service says is missing, in English, under the script's compliance profile."""
    run = panel.script.run
    profile = run.script.profile if run is not None else None
    found = missing_for_outcome(panel.draft(), now=shift.now, profile=profile)
    return [str(message) for message in found]


def assert_save_follows(panel: CallPanel) -> None:
    nothing_missing = not shown(panel)
    assert panel.save_button.isEnabled() is nothing_missing
    assert panel.save_next_button.isEnabled() is nothing_missing


def test_the_panel_shows_the_services_words_and_saves_only_when_nothing_is_missing(
    window: MainWindow, shift: Shift, dialogs: RecordingDialogs, language: Language
) -> None:
    panel = window.call
    assert panel.detail is not None and panel.detail.contract_no == shift.first.contract_no
    form = panel.form

    assert shown(panel) == ["Choose the outcome of the call."]
    assert_save_follows(panel)

    # Nobody answered: nothing more to record.
    form.choose("NA")
    assert shown(panel) == [] == service_words(panel, shift)
    assert_save_follows(panel)

    # A promise: the emotion, then its checklist, the promise itself, and the script path.
    form.choose("PTP")
    known = ", ".join(emotion.en for emotion in emotions().values())
    unverified = (
        "PTP is a right-party outcome: record it with the path taken through the call script, "
        "in which the identity check verified the borrower."
    )
    assert (
        shown(panel)
        == service_words(panel, shift)
        == [
            f"Someone answered (PTP): record the emotion you observed (one of {known}).",
            "A promise to pay needs an amount and a date.",
            unverified,
        ]
    )
    assert_save_follows(panel)
    # The borrower answers and is verified; the notices are given as the script goes on.
    script = panel.script
    script.answer("speaking")
    script.answer("match")
    while script.run is not None and script.run.current.kind == "disclosure":
        script.disclosure.setChecked(True)
        script.advance()
    assert unverified not in shown(panel)
    assert shown(panel) == service_words(panel, shift)
    form.choose_emotion("calm")
    assert shown(panel) == service_words(panel, shift)
    assert shown(panel)[0].startswith("The checklist for Calm / PTP is not complete.")
    assert "Stayed calm and polite throughout" in shown(panel)[0]
    assert "all.calm_polite" not in shown(panel)[0]
    assert_save_follows(panel)
    form.tick_all()
    form.amount.setText("abc")
    assert shown(panel) == ["The promised amount “abc” is not a number."]
    assert_save_follows(panel)
    # The keyboard's Save still answers, with the same words.
    panel.save(go_next=False)
    assert dialogs.errors()[-1] == "The promised amount “abc” is not a number."
    assert window.context.runner.pending == 0
    form.amount.setText("1500")
    assert shown(panel) == [] == service_words(panel, shift)
    assert_save_follows(panel)

    # In Chinese, the same items read as the catalogue's translation of the service's words.
    language.install("zh_CN")
    form.choose_emotion("anxious")
    form.emotion.setCurrentIndex(0)  # "not recorded"
    names = "、".join(emotion.zh_CN for emotion in emotions().values())
    assert shown(panel) == [f"已有人接听（PTP）：请记录您观察到的情绪（可选：{names}）。"]
    assert_save_follows(panel)
