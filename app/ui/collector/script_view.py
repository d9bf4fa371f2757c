"""The call script, one step at a time, branching on the collector's answers."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services.contact.scripts import Script, ScriptRun
from app.ui.common.look import Ink, paint

# Answers are picked with these keys while the script has the focus.
ANSWER_KEYS = "123456789"


class ScriptText(QTextBrowser):
    """The step's text: asks for no more than its least height and takes what is left over,
    so that on a short screen the answers below stay in sight and the text scrolls in its box."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())


class ScriptView(QWidget):
    """Emits `suggested(disposition, emotion)` when an answer suggests an outcome."""

    suggested = Signal(object, object)
    # The run moved, or a disclosure was ticked: what the outcome still lacks may have changed.
    changed = Signal()
    # A step asks for something the outcome form holds: "promise", "callback", "plan_calculator".
    action_requested = Signal(str)

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Call script"))
        self.language = language
        self.run: ScriptRun | None = None
        self.title = QLabel()
        self.title.setObjectName("script-title")
        self.title.setWordWrap(True)
        self.step_title = QLabel()
        self.step_title.setStyleSheet("font-weight: bold")
        self.step_title.setWordWrap(True)
        self.text = ScriptText()
        self.text.setAccessibleName(self.tr("Script text"))
        self.text.setOpenLinks(False)
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text.setMinimumHeight(60)
        # Guidance for the collector only (e.g. the expected answer to the identity check).
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(self.tr("Guidance for you"))
        paint(self.note, Ink.MUTED, italic=True)
        self.disclosure = QCheckBox(self.tr("Disclosure given"))
        self.disclosure.setAccessibleName(self.tr("Disclosure given"))
        self.disclosure.toggled.connect(self._ticked)
        self.answers = QVBoxLayout()
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.setAccessibleName(self.tr("Previous script step"))
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton(self.tr("Next"))
        self.next_button.setAccessibleName(self.tr("Next script step"))
        self.next_button.clicked.connect(self.advance)
        self.objections = QComboBox()
        self.objections.setAccessibleName(self.tr("Objection handling"))
        # As wide as the row leaves it, not as its longest objection (see _render).
        self.objections.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.objections.setMinimumContentsLength(8)
        self.objections.activated.connect(self._objection)
        self.trail = QLabel()
        self.trail.setWordWrap(True)
        self.trail.setAccessibleName(self.tr("Script path so far"))

        # Back, the objections and Next share a row: a short screen keeps the answers in sight.
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.objections, 1)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Close-set, so that a short screen shows the step, its answers and the buttons.
        layout.setSpacing(4)
        self.answers.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.step_title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.disclosure)
        layout.addLayout(self.answers)
        layout.addLayout(buttons)
        layout.addWidget(self.trail)
        self._answer_buttons: list[QPushButton] = []
        for position, key in enumerate(ANSWER_KEYS):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda position=position: self._press(position))

    def set_script(self, script: Script | None) -> None:
        self.run = ScriptRun(script) if script is not None else None
        self.objections.clear()
        if script is None:
            self.title.clear()
            self._show()
            return
        self.title.setText(script.title)
        self._show()

    def fill(self, values: dict[str, str]) -> None:
        """Put values known only during the call (the promise) into the script."""
        if self.run is not None:
            self.run.fill(values)
            self._show()

    def path(self) -> tuple[str, ...]:
        return self.run.path() if self.run is not None else ()

    # Moving through the script.

    def answer(self, choice_id: str) -> None:
        assert self.run is not None
        choice = next(c for c in self.run.current.choices if c.id == choice_id)
        self.run.answer(choice_id)
        if choice.disposition or choice.emotion:
            self.suggested.emit(choice.disposition, choice.emotion)
        self._show()
        if self.run.current.action:
            self.action_requested.emit(self.run.current.action)

    def advance(self) -> None:
        if self.run is not None and not self.run.current.choices and self.run.current.next:
            self.run.advance()
            self._show()
            if self.run.current.action:
                self.action_requested.emit(self.run.current.action)

    def back(self) -> None:
        if self.run is not None:
            self.run.back()
            self._show()

    def _press(self, position: int) -> None:
        if position < len(self._answer_buttons):
            self._answer_buttons[position].click()

    def _ticked(self, checked: bool) -> None:
        if self.run is None:
            return
        step = self.run.current
        if checked:
            self.run.tick(step.id)
        else:
            self.run.untick(step.id)
        self.changed.emit()

    def _objection(self, index: int) -> None:
        objection_id = self.objections.itemData(index)
        if self.run is None or objection_id is None:
            return
        objection = next(o for o in self.run.objections() if o.id == objection_id)
        self.text.append(f"<hr><b>{objection.label}</b><br>{objection.text}")
        self.objections.setCurrentIndex(0)

    def _show(self) -> None:
        self._render()
        self.changed.emit()

    def _render(self) -> None:
        focused = QApplication.focusWidget()
        had_focus = focused is not None and (focused is self or self.isAncestorOf(focused))
        self._rebuild()
        if had_focus:
            self._keep_focus()

    def _keep_focus(self) -> None:
        """The step changed under the collector's hand (Next, Back, an answer clicked): the
        button they used may be gone or disabled, and the focus stays in the script, so the
        answer keys work at once."""
        candidates: list[QWidget] = [*self._answer_buttons[:1]]
        if not self.disclosure.isHidden() and not self.disclosure.isChecked():
            candidates.append(self.disclosure)
        candidates += [self.next_button, self.back_button]
        target = next((w for w in candidates if w.isEnabled() and not w.isHidden()), self)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _rebuild(self) -> None:
        for button in self._answer_buttons:
            self.answers.removeWidget(button)
            # Hidden at once: deleteLater waits for the event loop, and an old answer must
            # never be seen (or clicked) beside the new ones.
            button.hide()
            button.deleteLater()
        self._answer_buttons = []
        if self.run is None:
            self.step_title.setText(self.tr("No script for this account"))
            self.text.clear()
            for widget in (self.disclosure, self.back_button, self.next_button):
                widget.setEnabled(False)
            self.disclosure.hide()
            self.trail.clear()
            self.note.clear()
            self.note.hide()
            return
        step = self.run.current
        self.step_title.setText(step.title)
        self.text.setPlainText(step.text)
        self.note.setText(step.note)
        self.note.setVisible(bool(step.note))
        self.objections.clear()
        self.objections.addItem(self.tr("Objection handling…"), None)
        for objection in self.run.objections():
            self.objections.addItem(objection.label, objection.id)
        # The box is as narrow as its row; its list opens wide enough to read each objection.
        view = self.objections.view()
        scroll_bar = view.verticalScrollBar().sizeHint().width()
        view.setMinimumWidth(view.sizeHintForColumn(0) + scroll_bar)
        is_disclosure = step.kind == "disclosure"
        self.disclosure.setVisible(is_disclosure)
        self.disclosure.setEnabled(is_disclosure)
        self.disclosure.blockSignals(True)
        self.disclosure.setChecked(is_disclosure and self.run.is_ticked(step.id))
        self.disclosure.blockSignals(False)
        for position, choice in enumerate(step.choices):
            key = ANSWER_KEYS[position] if position < len(ANSWER_KEYS) else ""
            button = QPushButton(f"{key}  {choice.label}" if key else choice.label)
            button.setAccessibleName(choice.label)
            button.clicked.connect(lambda _checked=False, c=choice.id: self.answer(c))
            self.answers.addWidget(button)
            self._answer_buttons.append(button)
        self.back_button.setEnabled(self.run.can_go_back)
        self.next_button.setEnabled(not step.choices and step.next is not None)
        # The path in words (the saved path uses step ids, which mean nothing on screen).
        self.trail.setText(" › ".join(step.title for step in self.run.visited()))
