"""Message boxes for tests: recorded instead of shown, questions answered from lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.ui.common.dialogs import Dialogs


@dataclass(frozen=True)
class Shown:
    kind: str
    title: str
    text: str


@dataclass
class RecordingDialogs(Dialogs):
    shown: list[Shown] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    # Answers to `ask_text` and `save_file` (and `choose_file`), in order; None (or none
    # left) is a cancel.
    texts: list[str | None] = field(default_factory=list)
    files: list[Path | None] = field(default_factory=list)
    # Every file the window asked the desktop to open.
    opened: list[Path] = field(default_factory=list)
    # Answers to `choose` (an index into its options), in order; none left is its cancel.
    picks: list[int] = field(default_factory=list)
    # The options of each `choose`, in order.
    offered: list[tuple[str, ...]] = field(default_factory=list)
    # Whether this machine hands a tel: (or sip:) address to a program: True, the desktop's
    # own answer (a test sets a handler with QDesktopServices.setUrlHandler); False, a
    # machine where nothing does, as the demo often runs. Every address asked is kept.
    handles_urls: bool = True
    urls: list[str] = field(default_factory=list)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(Shown("error", title, text))

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(Shown("info", title, text))

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        self.shown.append(Shown("confirm", title, text))
        return self.answers.pop(0) if self.answers else True

    def choose(
        self, parent: QWidget | None, title: str, text: str, options: Sequence[str], cancel: int
    ) -> int:
        self.shown.append(Shown("choose", title, text))
        self.offered.append(tuple(options))
        return self.picks.pop(0) if self.picks else cancel

    def ask_text(self, parent: QWidget | None, title: str, label: str) -> str | None:
        self.shown.append(Shown("ask_text", title, label))
        return self.texts.pop(0) if self.texts else None

    def save_file(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        self.shown.append(Shown("save_file", title, str(suggested)))
        return self.files.pop(0) if self.files else None

    def choose_file(self, parent: QWidget | None, title: str, filters: str) -> Path | None:
        self.shown.append(Shown("choose_file", title, filters))
        return self.files.pop(0) if self.files else None

    def open_file(self, path: Path) -> bool:
        self.opened.append(path)
        return True

    def open_url(self, url: str) -> bool:
        self.urls.append(url)
        return super().open_url(url) if self.handles_urls else False

    def errors(self) -> list[str]:
        return [item.text for item in self.shown if item.kind == "error"]
