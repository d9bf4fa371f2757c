"""A team lead's escalations inbox (docs/domain.md §6): acknowledge each one, then decide on it.

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
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
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
from app.services.common.errors import DomainError
from app.services.contact.escalations import (
    EscalationInbox,
    EscalationView,
    acknowledge_escalation,
    decide_escalation,
    decision_note,
    escalation_inbox,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import buddy
from app.ui.common.labels import (
    borrower_flag,
    disposition_name,
    emotion_name,
    escalation_decision_name,
    escalation_name,
)
from app.ui.common.runner import Latest
from app.ui.common.table_model import RowTableModel, TableColumn
from app.ui.common.tables import list_table

ID_ROLE = Qt.ItemDataRole.UserRole + 1
# How far back the decided escalations go when they are shown.
DECIDED_DAYS = 7


class Column(enum.IntEnum):
    RAISED = 0
    KIND = 1
    STATUS = 2
    BORROWER = 3
    CONTRACT = 4
    COLLECTOR = 5


EscalationsModel = RowTableModel[EscalationView, uuid.UUID]


def escalations_model(context: Context, parent: QObject | None = None) -> EscalationsModel:
    """Escalations in the order given, keyed by id; a reload (`merge_rows`) moves only the rows
    that changed. Urgent ones carry an icon and the word; open urgent ones are in bold."""
    formats = context.formats
    bold = QFont()
    bold.setBold(True)
    urgent_icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def kind(view: EscalationView) -> str:
        return kind_text(view, context.language)

    columns: dict[Column, TableColumn[EscalationView]] = {
        Column.RAISED: TableColumn(
            QCoreApplication.translate("EscalationsModel", "Raised"),
            lambda view: formats.date_time(view.raised_at),
        ),
        Column.KIND: TableColumn(
            QCoreApplication.translate("EscalationsModel", "Escalation"),
            kind,
            tooltip=kind,
            roles={
                Qt.ItemDataRole.DecorationRole: lambda view: urgent_icon if view.urgent else None
            },
        ),
        Column.STATUS: TableColumn(
            QCoreApplication.translate("EscalationsModel", "Status"),
            status_text,
            tooltip=status_text,
        ),
        Column.BORROWER: TableColumn(
            QCoreApplication.translate("EscalationsModel", "Borrower"), lambda view: view.borrower
        ),
        Column.CONTRACT: TableColumn(
            QCoreApplication.translate("EscalationsModel", "Contract"),
            lambda view: view.contract_no,
        ),
        Column.COLLECTOR: TableColumn(
            QCoreApplication.translate("EscalationsModel", "Collector"),
            lambda view: view.raised_by_name or view.raised_by,
        ),
    }
    return EscalationsModel(
        lambda view: view.id,
        [columns[column] for column in Column],
        roles={
            Qt.ItemDataRole.FontRole: lambda view: bold if view.urgent and view.open else None,
            ID_ROLE: lambda view: str(view.id),
        },
        parent=parent,
    )


def kind_text(view: EscalationView, language: str) -> str:
    title = escalation_name(view.kind, language)
    if view.urgent:
        return QCoreApplication.translate("EscalationsModel", "Urgent: {kind}").format(kind=title)
    return title


def status_text(view: EscalationView) -> str:
    if view.decision is not None:
        return QCoreApplication.translate("EscalationsModel", "Decided: {decision}").format(
            decision=escalation_decision_name(view.decision)
        )
    if view.acknowledged:
        return QCoreApplication.translate("EscalationsModel", "Acknowledged, {status}").format(
            status=escalation_decision_name(None)
        )
    return QCoreApplication.translate("EscalationsModel", "Not acknowledged")


class EscalationsInbox(QWidget):
    """The team's escalations for its lead. Emits `changed()` after an acknowledgement or a
    decision (the dashboard's count of unacknowledged ones moves) and `loaded()` after each
    load."""

    changed = Signal()
    loaded = Signal()

    def __init__(
        self, context: Context, parent: QWidget | None = None, *, load: bool = True
    ) -> None:
        """`load`: read the inbox now (the team window reads it when its tab is first shown,
        after the dashboard's numbers)."""
        super().__init__(parent)
        self.context = context
        self.inbox: EscalationInbox | None = None
        self._load = Latest()
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

        self.model = escalations_model(context, self)
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
        # A decision the service would refuse (no note where one is needed) is said here.
        self.marks = FieldMarks()
        pane_layout.addWidget(self.marks.add("note", self.note))
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
        if load:
            self.refresh()

    # Loading.

    def refresh(self) -> None:
        """Load the inbox again."""
        self._load.run(
            self.context,
            escalation_inbox,
            self.context.username,
            DECIDED_DAYS,
            now=self.context.clock(),
            on_done=self._loaded,
            on_error=self._load_failed,
        )
        self._update_buttons()

    def _loaded(self, inbox: EscalationInbox) -> None:
        self.inbox = inbox
        self._show_inbox()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
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
        self.model.merge_rows(shown)
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
        return self.model.row_for(self.table.currentIndex())

    def select_row(self, row: int) -> None:
        self.table.setCurrentIndex(self.model.index(row, Column.RAISED))

    def select(self, escalation_id: uuid.UUID) -> bool:
        row = self.model.row_of(escalation_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def _show_current(self) -> None:
        self.marks.clear()
        view = self.current()
        if view is None:
            for label in self.details.values():
                label.clear()
            self._update_buttons()
            return
        formats = self.context.formats
        language = self.context.language
        shown = self.details
        shown["kind"].setText(kind_text(view, language))
        shown["status"].setText(status_text(view))
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
                decision=status_text(view), when=formats.date_time(view.decided_at)
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
        # The service's check on the note first: a resumption without its reason is said at
        # the note, which gets the focus, before any "are you sure?".
        try:
            note = decision_note(self.note.toPlainText(), decision)
        except DomainError as error:
            self.marks.show(error)
            return
        self.marks.clear()
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
        self._act(decide_escalation, view.id, decision.value, note, said=said, decided=True)

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
