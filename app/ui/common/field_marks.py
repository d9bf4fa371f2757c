"""Every problem with a form at once, each at its field.

A service refuses an input with a `DomainError` that names the field it is about (`field`), or
with `Problems` when several things are wrong. `FieldMarks` shows each problem where it is: the
field gets a red border, the problem as its tooltip and accessible description, and a line in
red under it; the first field refused gets the focus. A problem about no field of the form is
handed back for the form to show where it shows its other messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QWidget

from app.services.common.errors import DomainError, problems_of
from app.ui.common.dialogs import error_text
from app.ui.common.look import Ink, ink, paint

# The dynamic property the border's style rule selects: only the field itself, not its parts.
PROPERTY = "fieldProblem"
_SELECTOR = f'*[{PROPERTY}="true"]'


def _border() -> str:
    # The refusal's colour in the scheme in force when the field is marked.
    return f"border: 2px solid {ink(Ink.ERROR).name()}; border-radius: 3px;"


def _marked_style(style: str) -> str:
    """The field's own style sheet with the border added, for the field alone."""
    border = _border()
    if not style.strip():
        return f"{_SELECTOR} {{ {border} }}"
    if "{" not in style:
        # Bare declarations (the field's own colour, say): they stay the field's.
        return f"{_SELECTOR} {{ {style.strip().rstrip(';')}; {border} }}"
    return f"{style}\n{_SELECTOR} {{ {border} }}"


def _fit(window: QWidget) -> None:
    """A dialog grows to show the lines under its fields whole (a main window keeps its size:
    its forms scroll)."""
    layout = window.layout()
    if not isinstance(window, QDialog) or layout is None:
        return
    layout.activate()
    width = window.width()
    need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
    need = max(need, layout.totalMinimumSize().height())
    if need > window.height():
        window.resize(width, need)


def _scroll_to(*widgets: QWidget) -> None:
    """Bring `widgets` into view in the scroll area around them, if there is one."""
    parent = widgets[0].parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        for widget in widgets:
            parent.ensureWidgetVisible(widget)
        # Up and down only: a form is read from its left edge.
        parent.horizontalScrollBar().setValue(0)


@dataclass
class _Field:
    widget: QWidget  # what gets the border and the tooltip
    note: QLabel  # the line under it
    focus: QWidget  # what gets the focus
    style: str = ""
    tooltip: str = ""
    description: str = ""
    marked: bool = False


class FieldMarks:
    """The fields of one form, by the names its service gives them (e.g. "promise_date")."""

    def __init__(self) -> None:
        self._fields: dict[str, _Field] = {}

    def add(self, name: str, widget: QWidget, focus: QWidget | None = None) -> QLabel:
        """Know `widget` as field `name`; returns the (hidden) line for its problem, which the
        form places under the field. `focus`: what gets the focus, when not the widget itself.
        Fields are added in the order the form reads: the first refused is focused.

        Several names may share one widget (an outcome and its checklist, say): the line then
        says each of their problems.
        """
        shared = next((f for f in self._fields.values() if f.widget is widget), None)
        if shared is not None:
            self._fields[name] = shared
            return shared.note
        note = QLabel()
        note.setWordWrap(True)
        paint(note, Ink.ERROR)
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.hide()
        self._fields[name] = _Field(widget, note, focus or widget)
        return note

    def note(self, name: str) -> QLabel:
        return self._fields[name].note

    def show(self, error: BaseException, *, focus: bool = True) -> list[str]:
        """Mark each field `error` is about (and clear the others); the texts of the problems
        about no field of this form are returned, for the form to show. `focus`: move the
        focus to the first field marked (not while the user is typing elsewhere)."""
        if not isinstance(error, DomainError):
            self.clear()
            return [error_text(error)]
        return self.show_problems(problems_of(error), focus=focus)

    def show_problems(self, problems: Iterable[DomainError], *, focus: bool = True) -> list[str]:
        """`show` for the problems of one or more refusals."""
        return self.show_texts(((p.field, error_text(p)) for p in problems), focus=focus)

    def show_texts(
        self, problems: Iterable[tuple[str | None, str]], *, focus: bool = True
    ) -> list[str]:
        """`show` for (field, text) pairs: problems a form finds itself, in its own words."""
        texts: dict[int, list[str]] = {}
        elsewhere: list[str] = []
        for name, text in problems:
            found = self._fields.get(name or "")
            if found is None:
                elsewhere.append(text)
                continue
            texts.setdefault(id(found), []).append(text)
        marked = []
        for found in self._unique():
            lines = texts.get(id(found))
            if lines:
                self._mark(found, "\n".join(lines))
                marked.append(found)
            else:
                self._unmark(found)
        if marked:
            _fit(marked[0].widget.window())
        # The first field refused as the form reads, top to bottom (the order fields were added).
        if focus and marked:
            first = marked[0]
            first.focus.setFocus(Qt.FocusReason.OtherFocusReason)
            _scroll_to(first.widget, first.note)
        return elsewhere

    def unmark(self, name: str) -> None:
        """The field was changed: its problem is no longer what it holds."""
        found = self._fields.get(name)
        if found is not None:
            self._unmark(found)

    def is_marked(self, name: str) -> bool:
        found = self._fields.get(name)
        return found is not None and found.marked

    def clear(self) -> None:
        for found in self._unique():
            self._unmark(found)

    def marked(self) -> dict[str, str]:
        """Each field marked now, with what its line says."""
        return {name: found.note.text() for name, found in self._fields.items() if found.marked}

    def _unique(self) -> list[_Field]:
        return list({id(found): found for found in self._fields.values()}.values())

    @staticmethod
    def _mark(found: _Field, text: str) -> None:
        widget = found.widget
        if not found.marked:
            found.style = widget.styleSheet()
            found.tooltip = widget.toolTip()
            found.description = widget.accessibleDescription()
            found.marked = True
            widget.setProperty(PROPERTY, True)
            widget.setStyleSheet(_marked_style(found.style))
        widget.setToolTip(text)
        widget.setAccessibleDescription(text)
        found.note.setText(text)
        found.note.setAccessibleName(text)
        found.note.show()

    @staticmethod
    def _unmark(found: _Field) -> None:
        if not found.marked:
            return
        found.marked = False
        widget = found.widget
        widget.setProperty(PROPERTY, False)
        widget.setStyleSheet(found.style)
        widget.setToolTip(found.tooltip)
        widget.setAccessibleDescription(found.description)
        found.note.clear()
        found.note.hide()
