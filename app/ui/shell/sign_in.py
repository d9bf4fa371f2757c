"""The questions a start asks: the local data's passphrase, and who signs in to which server.

Both dialogs stay open while the start-up tries the answer on the worker: a wrong passphrase or
a refused password is shown in the dialog, which asks again. `submitted` says the answer is
complete and well formed; the start-up closes the dialog when the answer worked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.services.common.errors import DomainError
from app.services.sync.local_store import StoreKey, passphrase_key
from app.services.sync.workstation import Server, parse_server
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.look import Ink, paint


class _Question(QDialog):
    """A dialog whose OK hands the answer over without closing, and shows what went wrong."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        paint(self.problem, Ink.ERROR)
        self.problem.hide()
        # What is being tried while the dialog waits (plain, where a problem is red).
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout(self)
        self.busy = False

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def check(self) -> str | None:
        """What is wrong with the answer as typed, or None when it can be tried."""
        raise NotImplementedError

    def _submit(self) -> None:
        if self.busy:  # the answer before is still being tried
            return
        problem = self.check()
        if problem is not None:
            self.show_problem(problem)
            return
        self.submitted.emit()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_busy(self, busy: bool, text: str = "") -> None:
        """While the answer is tried: nothing to edit, the OK button off, what is happening."""
        self.busy = busy
        for field in [*self.findChildren(QLineEdit), *self.findChildren(QCheckBox)]:
            field.setEnabled(not busy)
        self.ok_button.setEnabled(not busy)
        self.status.setText(text if busy else "")
        self.status.setVisible(busy and bool(text))
        if busy:
            self.show_problem("")


class PassphraseDialog(_Question):
    """The passphrase of the local data, where no keychain can keep its key.

    `new`: the local data does not exist yet, so the passphrase is chosen now (typed twice).
    `note`: why a passphrase is asked for (the keychain's own explanation).
    """

    def __init__(self, new: bool, note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new = new
        self.setWindowTitle(self.tr("Passphrase of the local data"))
        if new:
            intro = self.tr(
                "Choose a passphrase for the accounts this computer keeps. It is asked for at each"
                " start and kept nowhere: without it nobody, you included, can read them."
            )
        else:
            intro = self.tr("Enter the passphrase of the accounts this computer keeps.")
        self.intro = QLabel(intro if not note else f"{note}\n\n{intro}")
        self.intro.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.confirmation = QLineEdit()
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation.setAccessibleName(self.tr("Passphrase again"))
        self.form.addRow(self.intro)
        self.form.addRow(buddy(self.tr("&Passphrase"), self.passphrase), self.passphrase)
        if new:
            self.form.addRow(buddy(self.tr("&Again"), self.confirmation), self.confirmation)
        else:
            self.confirmation.hide()
        self.form.addRow(self.problem)
        self.form.addRow(self.status)
        self.form.addRow(self.buttons)
        self.setMinimumWidth(420)

    def check(self) -> str | None:
        try:
            passphrase_key(self.passphrase.text())
        except DomainError as error:
            return error_text(error)
        if self.new and self.confirmation.text() != self.passphrase.text():
            return self.tr("The two passphrases differ: type the same one twice.")
        return None

    def key(self) -> StoreKey:
        return passphrase_key(self.passphrase.text())

    def refused(self) -> None:
        """The passphrase does not open the local data: say so and ask again."""
        self.set_busy(False)
        self.passphrase.clear()
        self.passphrase.setFocus()
        self.show_problem(self.tr("This passphrase does not open the local data. Try again."))


class SignInDialog(_Question):
    """Who signs in to which central server; "remember me" keeps the password in the keychain.

    `fixed`: the server the environment names (COLLECTOR_WORKSTATION_DATABASE_URL), shown but
    not editable. `password`: one the keychain remembered for this server and user. `note`:
    why the sign-in is asked, above the fields; with it the user name is fixed too and nothing
    is remembered (someone signs in for one task: sending the changes they left here).
    """

    def __init__(
        self,
        server: str,
        username: str,
        password: str | None = None,
        *,
        fixed: Server | None = None,
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.fixed = fixed
        self.setWindowTitle(self.tr("Sign in"))
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.server = QLineEdit(str(fixed) if fixed else server)
        self.server.setAccessibleName(self.tr("Server"))
        self.server.setPlaceholderText(self.tr("host[:port]/database"))
        self.server.setReadOnly(fixed is not None)
        self.user = QLineEdit(username)
        self.user.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit(password or "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.remember = QCheckBox(self.tr("&Remember me on this computer"))
        self.remember.setChecked(password is not None)
        self.remember.setToolTip(
            self.tr(
                "The password is kept in the system's keychain only, never in a file; signing"
                " out forgets it."
            )
        )
        # A remembered password belongs to one server and user: typing another drops it.
        self._recalled = password is not None
        self.server.textEdited.connect(self._forget_recalled)
        self.user.textEdited.connect(self._forget_recalled)
        if note:
            self.form.addRow(self.note)
            self.user.setReadOnly(True)
            self.remember.setChecked(False)
            self.remember.hide()
        self.form.addRow(buddy(self.tr("&Server"), self.server), self.server)
        self.form.addRow(buddy(self.tr("&User name"), self.user), self.user)
        self.form.addRow(buddy(self.tr("&Password"), self.password), self.password)
        self.form.addRow(self.remember)
        self.form.addRow(self.problem)
        self.form.addRow(self.status)
        self.form.addRow(self.buttons)
        self.setMinimumWidth(420)
        for field in (self.server, self.user, self.password):
            if field.isReadOnly() or field.text():
                continue
            field.setFocus()
            break
        else:
            self.ok_button.setFocus()

    def _forget_recalled(self) -> None:
        if self._recalled:
            self._recalled = False
            self.password.clear()
            self.remember.setChecked(False)

    def check(self) -> str | None:
        try:
            self.chosen_server()
        except DomainError as error:
            return error_text(error)
        if not self.user.text().strip() or not self.password.text():
            return self.tr("Enter your user name and password.")
        return None

    def chosen_server(self) -> Server:
        return self.fixed or parse_server(self.server.text())

    def username(self) -> str:
        return self.user.text().strip()

    def refused(self, text: str) -> None:
        """The server said no (or did not answer): say why and ask again."""
        self.set_busy(False)
        self.show_problem(text)
        self.password.selectAll()
        self.password.setFocus()
