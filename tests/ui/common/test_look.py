"""The window's own colours: readable in the light and the dark scheme, and following a change
of scheme while the window is open."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui.common.look import (
    CHIPS,
    INKS,
    SERIES,
    Ink,
    Scheme,
    chip,
    follow,
    paint,
    scheme,
)
from tests.helpers.palettes import (
    DARK_BACKGROUNDS,
    GRAPHIC_CONTRAST,
    LIGHT_BACKGROUNDS,
    TEXT_CONTRAST,
    contrast,
    dark_palette,
    dark_scheme,
)

BACKGROUNDS = {Scheme.LIGHT: LIGHT_BACKGROUNDS, Scheme.DARK: DARK_BACKGROUNDS}


@pytest.mark.parametrize("role", list(Ink))
@pytest.mark.parametrize("in_scheme", list(Scheme))
def test_each_ink_reads_on_every_background_of_its_scheme(role: Ink, in_scheme: Scheme) -> None:
    colour = INKS[role][in_scheme]
    worst = min(contrast(colour, background) for background in BACKGROUNDS[in_scheme])
    assert worst >= TEXT_CONTRAST, f"{role.value} {colour} in {in_scheme.value}: {worst:.2f}"


@pytest.mark.parametrize("tone", sorted(CHIPS))
@pytest.mark.parametrize("in_scheme", list(Scheme))
def test_each_chip_reads_in_both_schemes(tone: str, in_scheme: Scheme) -> None:
    background, text = CHIPS[tone][in_scheme]
    assert contrast(text, background) >= TEXT_CONTRAST


def test_every_flag_tone_of_the_resources_has_a_chip() -> None:
    from app.services.common.reference import load_json

    flags = load_json("flags.json")
    tones = {
        entry["tone"]
        for section in ("borrower", "contact_point")
        for entry in flags[section].values()
    }
    assert tones <= set(CHIPS)


@pytest.mark.parametrize("in_scheme", list(Scheme))
def test_each_chart_series_stands_out_from_a_view_of_its_scheme(in_scheme: Scheme) -> None:
    weak = {
        series.value: round(
            min(contrast(colours[in_scheme], bg) for bg in BACKGROUNDS[in_scheme]), 2
        )
        for series, colours in SERIES.items()
    }
    assert {name: ratio for name, ratio in weak.items() if ratio < GRAPHIC_CONTRAST} == {}


def test_the_scheme_is_the_palettes(qapp: QGuiApplication) -> None:
    assert scheme() == Scheme.LIGHT  # the offscreen platform's palette is light
    assert scheme(dark_palette()) == Scheme.DARK
    with dark_scheme():
        assert scheme() == Scheme.DARK
    assert scheme() == Scheme.LIGHT


def _nested(qtbot: QtBot) -> tuple[QMainWindow, QLabel, QLabel, QLabel]:
    """A window with labels deep inside it (a label with a style sheet of its own hears of no
    palette change: its window does)."""
    window = QMainWindow()
    qtbot.addWidget(window)
    splitter = QSplitter()
    window.setCentralWidget(splitter)
    pane = QWidget()
    splitter.addWidget(pane)
    layout = QVBoxLayout(pane)
    error, hint, flag = QLabel("refused"), QLabel("a hint"), QLabel("Cease request")
    for label in (error, hint, flag):
        layout.addWidget(label)
    paint(error, Ink.ERROR, bold=True)
    paint(hint, Ink.MUTED, italic=True)
    chip(flag, "stop")
    window.show()
    qtbot.waitExposed(window)
    return window, error, hint, flag


def _text_and_background(label: QLabel) -> tuple[str, str]:
    palette = label.palette()
    return (
        palette.color(label.foregroundRole()).name(),
        palette.color(label.backgroundRole()).name(),
    )


def test_painted_labels_take_the_dark_colours_when_the_scheme_turns_dark_and_back(
    qtbot: QtBot,
) -> None:
    window, error, hint, flag = _nested(qtbot)
    assert window.isVisible()
    light = QGuiApplication.palette().color(QPalette.ColorRole.Window).name()
    assert _text_and_background(error) == (INKS[Ink.ERROR][Scheme.LIGHT], light)
    assert _text_and_background(flag) == CHIPS["stop"][Scheme.LIGHT][::-1]
    with dark_scheme() as palette:
        dark = palette.color(QPalette.ColorRole.Window).name()
        assert _text_and_background(error) == (INKS[Ink.ERROR][Scheme.DARK], dark)
        assert _text_and_background(hint) == (INKS[Ink.MUTED][Scheme.DARK], dark)
        assert _text_and_background(flag) == CHIPS["stop"][Scheme.DARK][::-1]
        assert "bold" in error.styleSheet() and "italic" in hint.styleSheet()
        for label in (error, hint, flag):
            assert contrast(*_text_and_background(label)) >= TEXT_CONTRAST
    assert _text_and_background(error) == (INKS[Ink.ERROR][Scheme.LIGHT], light)
    assert _text_and_background(hint) == (INKS[Ink.MUTED][Scheme.LIGHT], light)


def test_painting_again_replaces_the_colour_and_none_gives_the_palettes_back(
    qtbot: QtBot,
) -> None:
    window, error, _, _ = _nested(qtbot)
    assert window.isVisible()
    paint(error, None)
    assert error.styleSheet() == ""
    with dark_scheme():
        # Nothing of the error's colour comes back with the scheme.
        assert error.styleSheet() == ""
        paint(error, Ink.WARNING)
        assert error.styleSheet() == f"color: {INKS[Ink.WARNING][Scheme.DARK]};"


def test_a_hidden_window_follows_the_systems_colour_scheme_signal(qtbot: QtBot) -> None:
    """Qt says colorSchemeChanged after applying the system's palette: a widget in a window
    never shown (so never watched) follows it too."""
    window = QWidget()
    qtbot.addWidget(window)
    seen: list[Scheme] = []
    label = QLabel(window)
    follow(label, seen.append)
    assert seen == [Scheme.LIGHT]
    QGuiApplication.setPalette(dark_palette())
    try:
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert seen == [Scheme.LIGHT, Scheme.DARK]
    finally:
        QGuiApplication.setPalette(QPalette())
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert seen == [Scheme.LIGHT, Scheme.DARK, Scheme.LIGHT]


def test_a_follower_goes_with_its_widget(qtbot: QtBot) -> None:
    window, error, _, _ = _nested(qtbot)
    assert window.isVisible()
    seen: list[Scheme] = []
    follow(error, seen.append)
    error.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(error))
    # The next change of scheme reaches no deleted label (it would raise).
    with dark_scheme():
        assert seen == [Scheme.LIGHT]


def test_no_window_code_writes_a_colour_of_its_own_outside_the_look() -> None:
    """A colour written straight into a style sheet or a QColor stays the same in the dark:
    every colour the window adds comes from app/ui/common/look.py, light and dark."""
    import re
    from pathlib import Path

    import app.ui

    colour = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\brgba?\(")
    root = Path(app.ui.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "look.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if colour.search(line)
    ]
    assert found == []
