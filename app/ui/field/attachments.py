"""What is attached to a visit or an account, as a list; and a team lead's look at an account's
attachments, with a copy saved where they choose."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.common.attachments import AttachmentView, saved_name
from app.services.field.attachments import account_attachments, save_attachment
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text


class AttachmentList(QListWidget):
    """One line an attachment: what it shows, its name, its size, who added it and when."""

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.views: list[AttachmentView] = []
        self.setAccessibleName(self.tr("Attached files"))

    def show_views(self, views: Sequence[AttachmentView]) -> None:
        self.clear()
        self.views = list(views)
        for view in self.views:
            self.addItem(self._item(view))

    def add_view(self, view: AttachmentView) -> None:
        self.views.append(view)
        self.addItem(self._item(view))

    def lines(self) -> list[str]:
        return [self.item(row).text() for row in range(self.count())]

    def selected_view(self) -> AttachmentView | None:
        row = self.currentRow()
        return self.views[row] if 0 <= row < len(self.views) else None

    def _item(self, view: AttachmentView) -> QListWidgetItem:
        formats = self.context.formats
        text = self.tr("{purpose} · {name} · {size} KB · {who}, {when}").format(
            purpose=view.purpose.label.text(self.context.language),
            # Checked when added: no control character; shown as it is.
            name=view.file_name,
            size=formats.number(max(1, round(view.size / 1024))),
            who=view.added_by,
            when=formats.date_time(view.added_at),
        )
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, str(view.id))
        return item


class AccountAttachmentsDialog(QDialog):
    """The files attached to an account's records (its visits' photos and consents)."""

    def __init__(self, context: Context, contract_no: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.contract_no = contract_no
        self.setWindowTitle(self.tr("Attachments — {contract}").format(contract=contract_no))
        self.status = QLabel(self.tr("Loading…"))
        self.list = AttachmentList(context)
        self.save_button = QPushButton(self.tr("&Save a copy…"))
        self.save_button.setAccessibleName(self.tr("Save a copy of the selected file"))
        self.save_button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(
            lambda _row: self.save_button.setEnabled(self.list.selected_view() is not None)
        )
        self.save_button.clicked.connect(self.save_selected)
        self.resize(560, 360)
        context.call(
            account_attachments,
            context.username,
            contract_no,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, views: list[AttachmentView]) -> None:
        self.list.show_views(views)
        self.status.setText(
            self.tr("Nothing is attached to this account.")
            if not views
            else self.tr("Files attached: {count}").format(
                count=self.context.formats.number(len(views))
            )
        )

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))

    def save_selected(self) -> None:
        view = self.list.selected_view()
        if view is None:
            return
        out = self.context.dialogs.save_file(
            self, self.tr("Save a copy"), Path.home() / saved_name(view), self.tr("All files (*)")
        )
        if out is None:
            return
        self.context.call(
            save_attachment,
            self.context.username,
            view.id,
            out,
            on_done=lambda path: self.status.setText(
                self.tr("Saved to {path}").format(path=str(path))
            ),
            on_error=lambda error: self.context.dialogs.error(
                self, self.tr("Not saved"), error_text(error)
            ),
        )
