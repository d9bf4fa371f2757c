"""Writing a note on the account shown: a text box and an Add note button.

A draft is kept per account, so moving to another account and back never loses what was
typed, and never leaves one borrower's note in another borrower's box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.portfolio.notes import MAX_NOTE_CHARS, NoteView, add_note
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.labels import spoken


class NotesBox(QGroupBox):
    """Emits `saved(NoteView)` once a note is stored."""

    saved = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._contract: str | None = None
        self._drafts: dict[str, str] = {}
        self._saving = False
        self.setTitle(self.tr("Notes"))
        self.setAccessibleName(self.tr("Notes"))

        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(self.tr("New note"))
        self.editor.setPlaceholderText(
            self.tr("Write a note about this account (Ctrl+Shift+Enter adds it)")
        )
        # Tab moves on to the button, as everywhere else; a note needs no tab characters.
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(60)
        self.add = QPushButton(self.tr("Add note"))
        self.add.setAccessibleName(self.tr("Add note"))
        self.add.setAutoDefault(True)
        self.length = QLabel()
        self.length.setAccessibleName(self.tr("Note length"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.length, 1)
        buttons.addWidget(self.add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)
        QWidget.setTabOrder(self.editor, self.add)

        # Not Ctrl+Enter: the window's "Save and next" owns it, and Qt fires neither of two
        # shortcuts on the same key.
        for keys in ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.save)
        self.add.clicked.connect(self.save)
        self.editor.textChanged.connect(self._update)
        self._update()

    @property
    def saving(self) -> bool:
        return self._saving

    def set_contract(self, contract_no: str | None) -> None:
        """Switch to another account's draft (None: no account shown)."""
        if contract_no == self._contract:
            return
        if self._contract is not None:
            draft = self.editor.toPlainText()
            if draft.strip():
                self._drafts[self._contract] = draft
            else:
                self._drafts.pop(self._contract, None)
        self._contract = contract_no
        self.editor.setPlainText(self._drafts.get(contract_no, "") if contract_no else "")
        self._update()

    def focus(self) -> None:
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def save(self) -> None:
        text = self.editor.toPlainText().strip()
        contract = self._contract
        if contract is None or not text or self._saving or len(text) > MAX_NOTE_CHARS:
            return
        self._saving = True
        self._update()
        self.context.call(
            add_note,
            self.context.username,
            contract,
            text,
            on_done=lambda note: self._saved(contract, note),
            on_error=self._failed,
        )

    def _saved(self, contract: str, note: NoteView) -> None:
        self._saving = False
        self._drafts.pop(contract, None)
        if contract == self._contract:
            self.editor.clear()
        self._update()
        self.saved.emit(note)

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self._update()
        # The text stays in the box, so nothing typed is lost.
        self.context.dialogs.error(self, self.tr("The note was not added"), error_text(error))

    def _update(self) -> None:
        chars = len(self.editor.toPlainText().strip())
        self.editor.setReadOnly(self._saving)
        self.setEnabled(self._contract is not None)
        self.add.setEnabled(
            self._contract is not None and 0 < chars <= MAX_NOTE_CHARS and not self._saving
        )
        if chars > MAX_NOTE_CHARS:
            text = self.tr("{count} characters: at most {limit} fit in one note").format(
                count=self.context.formats.number(chars),
                limit=self.context.formats.number(MAX_NOTE_CHARS),
            )
        else:
            text = self.tr("{count} / {limit}").format(
                count=self.context.formats.number(chars),
                limit=self.context.formats.number(MAX_NOTE_CHARS),
            )
        self.length.setText(text)
        self.length.setAccessibleName(spoken(self.tr("Note length"), text))
