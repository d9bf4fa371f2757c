"""Message boxes for tests: recorded instead of shown, questions answered from a list."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QWidget

from app.ui.dialogs import Dialogs


@dataclass(frozen=True)
class Shown:
    kind: str
    title: str
    text: str


@dataclass
class RecordingDialogs(Dialogs):
    shown: list[Shown] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(Shown("error", title, text))

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self.shown.append(Shown("info", title, text))

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        self.shown.append(Shown("confirm", title, text))
        return self.answers.pop(0) if self.answers else True

    def errors(self) -> list[str]:
        return [item.text for item in self.shown if item.kind == "error"]
