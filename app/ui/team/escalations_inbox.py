"""A team lead's escalations inbox (PRODUCT.md §6): acknowledge each one, then decide on it.

The table lists the team's open escalations oldest first, urgent ones marked by an icon, bold
type and the word "Urgent" (never by colour alone), then the ones decided in the last days.
The pane beside it shows the contact that raised the selected one, the borrower's flags as
they are now, and who acknowledged or decided it. Acknowledge records that the lead has seen
it; Keep paused, Resume and Refer decide it (Resume and Refer with a note: why, or to whom).
Every call goes through the context's worker; after each change the panel emits `changed()`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.models import EscalationDecision
from app.services.contact.escalations import (
    EscalationInbox,
    EscalationView,
    acknowledge_escalation,
    decide_escalation,
    escalation_inbox,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.labels import borrower_flag, disposition_name, emotion_name, escalation_name
from app.ui.common.runner import Job
from app.ui.common.tables import list_table

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY = Qt.ItemDataRole.DisplayRole
# How far back the decided escalations go when they are shown.
DECIDED_DAYS = 7


class Column(enum.IntEnum):
    RAISED = 0
    KIND = 1
    STATUS = 2
    BORROWER = 3
    CONTRACT = 4
    COLLECTOR = 5


class EscalationsModel(QAbstractTableModel):
    """Escalations in the order given, keyed by id; a reload moves only the rows that changed."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._rows: list[EscalationView] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._urgent_icon = QApplication.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning
        )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != _DISPLAY:
            return None
        if not 0 <= section < len(Column):
            return None
        return {
            Column.RAISED: self.tr("Raised"),
            Column.KIND: self.tr("Escalation"),
            Column.STATUS: self.tr("Status"),
            Column.BORROWER: self.tr("Borrower"),
            Column.CONTRACT: self.tr("Contract"),
            Column.COLLECTOR: self.tr("Collector"),
        }[Column(section)]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        view = self._rows[index.row()]
        column = Column(index.column())
        if role == _DISPLAY:
            return self._display(view, column)
        if role == Qt.ItemDataRole.FontRole and view.urgent and view.open:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and column is Column.KIND and view.urgent:
            return self._urgent_icon
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.KIND, Column.STATUS):
            return self._display(view, column)
        if role == ID_ROLE:
            return str(view.id)
        return None

    def _display(self, view: EscalationView, column: Column) -> str:
        formats = self.context.formats
        if column is Column.RAISED:
            return formats.date_time(view.raised_at)
        if column is Column.KIND:
            return self.kind_text(view)
        if column is Column.STATUS:
            return self.status_text(view)
        if column is Column.BORROWER:
            return view.borrower
        if column is Column.CONTRACT:
            return view.contract_no
        return view.raised_by_name or view.raised_by

    def kind_text(self, view: EscalationView) -> str:
        title = escalation_name(view.kind, self.context.language)
        if view.urgent:
            return self.tr("Urgent: {kind}").format(kind=title)
        return title

    def status_text(self, view: EscalationView) -> str:
        if view.decision == EscalationDecision.PAUSE:
            return self.tr("Decided: kept paused")
        if view.decision == EscalationDecision.RESUME:
            return self.tr("Decided: collection resumed")
        if view.decision == EscalationDecision.REFER:
            return self.tr("Decided: referred")
        if view.acknowledged:
            return self.tr("Acknowledged, waiting for a decision")
        return self.tr("Not acknowledged")

    def escalation(self, row: int) -> EscalationView:
        return self._rows[row]

    def row_of(self, escalation_id: uuid.UUID) -> int | None:
        return next((row for row, view in enumerate(self._rows) if view.id == escalation_id), None)

    def set_escalations(self, views: Sequence[EscalationView]) -> None:
        """Show `views` in their order: rows gone (or out of order) leave, new ones come in
        where they belong, changed ones are updated in place."""
        wanted = {view.id: position for position, view in enumerate(views)}
        last = -1
        row = 0
        while row < len(self._rows):
            position = wanted.get(self._rows[row].id)
            if position is None or position < last:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
            else:
                last = position
                row += 1
        # What is left is in the new order: walk it, inserting what is missing.
        for row, view in enumerate(views):
            if row < len(self._rows) and self._rows[row].id == view.id:
                if self._rows[row] != view:
                    self._rows[row] = view
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, view)
            self.endInsertRows()


class EscalationsInbox(QWidget):
    """The team's escalations for its lead. Emits `changed()` after an acknowledgement or a
    decision (the dashboard's count of unacknowledged ones moves) and `loaded()` after each
    load."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.inbox: EscalationInbox | None = None
        self._load_job: Job | None = None
        self._busy = False
        # After a decision the oldest open escalation is the next to look at.
        self._select_first_open = False
        self.setWindowTitle(self.tr("Escalations"))

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.show_decided = QCheckBox(
            self.tr("Show &decided in the last {days} days").format(
                days=context.formats.number(DECIDED_DAYS)
            )
        )
        self.show_decided.setChecked(True)
        self.reload_button = QPushButton(self.tr("Re&load"))

        self.model = EscalationsModel(context, self)
        self.table = list_table(self.model, self.tr("Escalations"))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Sized to what they show after each load (rows come and go one by one, which a
        # ResizeToContents header does not follow); the lead may widen them by hand.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.empty = QLabel(self.tr("No escalation is waiting for you."))
        self.empty.hide()

        # The selected escalation.
        self.details: dict[str, QLabel] = {}
        details = QFormLayout()
        for key, caption in (
            ("kind", self.tr("Escalation")),
            ("status", self.tr("Status")),
            ("account", self.tr("Borrower")),
            ("collector", self.tr("Raised by")),
            ("raised", self.tr("Raised")),
            ("outcome", self.tr("Contact outcome")),
            ("notes", self.tr("Collector's notes")),
            ("flags", self.tr("Borrower's flags now")),
            ("acknowledged", self.tr("Acknowledged")),
            ("decision", self.tr("Decision")),
        ):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )
            self.details[key] = label
            details.addRow(caption, label)

        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setAccessibleName(self.tr("Note on the decision"))
        self.note.setPlaceholderText(
            self.tr("Resume: why collection can resume. Refer: to whom, and the case number.")
        )
        self.note.setMaximumHeight(90)
        note_label = buddy(self.tr("&Note"), self.note)

        self.acknowledge_button = QPushButton(self.tr("Ac&knowledge"))
        self.acknowledge_button.setAccessibleName(self.tr("Acknowledge the escalation"))
        self.pause_button = QPushButton(self.tr("Keep &paused"))
        self.pause_button.setAccessibleName(self.tr("Decide: keep collection paused"))
        self.resume_button = QPushButton(self.tr("&Resume collection"))
        self.resume_button.setAccessibleName(self.tr("Decide: resume collection"))
        self.refer_button = QPushButton(self.tr("R&efer"))
        self.refer_button.setAccessibleName(self.tr("Decide: refer the case on"))
        self.resume_hint = QLabel()
        self.resume_hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_decided)
        top.addWidget(self.reload_button)

        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.empty)

        pane = QGroupBox(self.tr("Selected escalation"))
        pane_layout = QVBoxLayout(pane)
        pane_layout.addLayout(details)
        pane_layout.addWidget(note_label)
        pane_layout.addWidget(self.note)
        buttons = QHBoxLayout()
        for button in (
            self.acknowledge_button,
            self.pause_button,
            self.resume_button,
            self.refer_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        pane_layout.addLayout(buttons)
        pane_layout.addWidget(self.resume_hint)
        pane_layout.addWidget(self.message)
        pane_layout.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(listing)
        splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.setTabOrder(self.table, self.note)
        self.setTabOrder(self.note, self.acknowledge_button)
        self.setTabOrder(self.acknowledge_button, self.pause_button)
        self.setTabOrder(self.pause_button, self.resume_button)
        self.setTabOrder(self.resume_button, self.refer_button)
        self.setTabOrder(self.refer_button, self.show_decided)
        self.setTabOrder(self.show_decided, self.reload_button)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.show_decided.toggled.connect(lambda _on: self._show_inbox())
        self.reload_button.clicked.connect(self.refresh)
        self.acknowledge_button.clicked.connect(self.acknowledge)
        self.pause_button.clicked.connect(lambda: self.decide(EscalationDecision.PAUSE))
        self.resume_button.clicked.connect(lambda: self.decide(EscalationDecision.RESUME))
        self.refer_button.clicked.connect(lambda: self.decide(EscalationDecision.REFER))
        self.resize(1260, 600)
        self._show_current()
        self.refresh()

    # Loading.

    def refresh(self) -> None:
        """Load the inbox again."""
        if self._load_job is not None:
            self._load_job.cancel()
        self._load_job = self.context.call(
            escalation_inbox,
            self.context.username,
            DECIDED_DAYS,
            now=self.context.clock(),
            on_done=self._loaded,
            on_error=self._load_failed,
        )
        self._update_buttons()

    def _loaded(self, inbox: EscalationInbox) -> None:
        self._load_job = None
        self.inbox = inbox
        self._show_inbox()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self._load_job = None
        self._update_buttons()
        self.context.dialogs.error(
            self, self.tr("Could not load the escalations"), error_text(error)
        )

    def _show_inbox(self) -> None:
        inbox = self.inbox
        if inbox is None:
            return
        had = self.current()
        shown = list(inbox.open)
        if self.show_decided.isChecked():
            shown.extend(inbox.decided)
        self.model.set_escalations(shown)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not shown)
        formats = self.context.formats
        self.summary.setText(
            self.tr("{open} open, {unacknowledged} not acknowledged; oldest first.").format(
                open=formats.number(len(inbox.open)),
                unacknowledged=formats.number(inbox.unacknowledged),
            )
        )
        row: int | None = None
        if self._select_first_open and inbox.open:
            row = 0
        elif had is not None:
            row = self.model.row_of(had.id)
        self._select_first_open = False
        if row is None and shown:
            row = 0
        if row is not None:
            self.select_row(row)
        self._show_current()

    # What is chosen.

    def current(self) -> EscalationView | None:
        index = self.table.currentIndex()
        return self.model.escalation(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, Column.RAISED))

    def select(self, escalation_id: uuid.UUID) -> bool:
        row = self.model.row_of(escalation_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def _show_current(self) -> None:
        view = self.current()
        if view is None:
            for label in self.details.values():
                label.clear()
            self._update_buttons()
            return
        formats = self.context.formats
        language = self.context.language
        shown = self.details
        shown["kind"].setText(self.model.kind_text(view))
        shown["status"].setText(self.model.status_text(view))
        shown["account"].setText(f"{view.borrower} · {view.contract_no}")
        shown["collector"].setText(f"{view.raised_by_name or view.raised_by} ({view.raised_by})")
        shown["raised"].setText(formats.date_time(view.raised_at))
        outcome = [disposition_name(view.disposition, language)] if view.disposition else []
        if view.emotion:
            outcome.append(emotion_name(view.emotion, language))
        shown["outcome"].setText(" · ".join(outcome) or self.tr("No contact recorded"))
        shown["notes"].setText(view.contact_notes or self.tr("None"))
        flags = [borrower_flag(code, language).text for code in view.borrower_flags]
        shown["flags"].setText(", ".join(flags) or self.tr("None: collection is not paused"))
        if view.acknowledged_at is not None:
            shown["acknowledged"].setText(
                self.tr("{lead}, {when}").format(
                    lead=view.acknowledged_by_name or view.acknowledged_by or "",
                    when=formats.date_time(view.acknowledged_at),
                )
            )
        else:
            shown["acknowledged"].setText(self.tr("Not yet"))
        if view.decided_at is not None:
            decided = self.tr("{decision}, {when}").format(
                decision=self.model.status_text(view), when=formats.date_time(view.decided_at)
            )
            if view.note:
                decided += "\n" + view.note
            shown["decision"].setText(decided)
        else:
            shown["decision"].setText(self.tr("Not yet"))
        if view.open and not view.resumable:
            self.resume_hint.setText(
                self.tr(
                    "“{kind}” cannot be resumed here: keep it paused or refer it until it is"
                    " verified."
                ).format(kind=escalation_name(view.kind, language))
            )
        else:
            self.resume_hint.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        view = self.current() if not self._busy else None
        actionable = view is not None and view.open
        self.acknowledge_button.setEnabled(
            actionable and view is not None and not view.acknowledged
        )
        self.pause_button.setEnabled(actionable)
        self.resume_button.setEnabled(actionable and view is not None and view.resumable)
        self.refer_button.setEnabled(actionable)
        self.note.setEnabled(actionable)

    # Acting.

    def acknowledge(self) -> None:
        view = self.current()
        if self._busy or view is None or not view.open or view.acknowledged:
            return
        self._act(
            acknowledge_escalation,
            view.id,
            said=self.tr("Acknowledged: {kind} on {contract}. Decide when you can.").format(
                kind=escalation_name(view.kind, self.context.language), contract=view.contract_no
            ),
        )

    def decide(self, decision: EscalationDecision) -> None:
        view = self.current()
        if self._busy or view is None or not view.open:
            return
        if decision is EscalationDecision.RESUME and not view.resumable:
            return
        note = self.note.toPlainText().strip()
        if not note and decision is EscalationDecision.REFER:
            asked = self.context.dialogs.ask_text(
                self, self.tr("Refer the case"), self.tr("To whom is the case referred?")
            )
            if asked is None:
                return
            note = asked.strip()
        if not note and decision is EscalationDecision.RESUME:
            asked = self.context.dialogs.ask_text(
                self, self.tr("Resume collection"), self.tr("Why can collection resume?")
            )
            if asked is None:
                return
            note = asked.strip()
        if decision is EscalationDecision.RESUME and not self.context.dialogs.confirm(
            self,
            self.tr("Resume collection"),
            self.tr("Collection on {borrower} resumes: the account returns to the queue.").format(
                borrower=view.borrower
            ),
        ):
            return
        said = {
            EscalationDecision.PAUSE: self.tr("Kept paused: {contract}."),
            EscalationDecision.RESUME: self.tr("Collection resumes on {contract}."),
            EscalationDecision.REFER: self.tr("Referred: {contract}."),
        }[decision].format(contract=view.contract_no)
        self._act(decide_escalation, view.id, decision.value, note or None, said=said, decided=True)

    def _act(
        self,
        service: Callable[..., Any],
        escalation_id: uuid.UUID,
        *args: Any,
        said: str,
        decided: bool = False,
    ) -> None:
        self._busy = True
        self.message.clear()
        self._update_buttons()

        def done(_result: object) -> None:
            self._busy = False
            if decided:
                self.note.clear()
                self._select_first_open = True
            self.message.setText(said)
            self.refresh()
            self.changed.emit()

        def failed(error: BaseException) -> None:
            self._busy = False
            self.context.dialogs.error(self, self.tr("Could not do that"), error_text(error))
            # Another lead may have acted meanwhile: show what is true now.
            self.refresh()

        self.context.call(
            service,
            self.context.username,
            escalation_id,
            *args,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )
