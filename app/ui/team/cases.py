"""A team lead's cases: the team's open disputes and complaints, nearest deadline first, with
the working days left (or overdue) and a warning where the calendar does not cover a year.

A dispute selected shows the borrower's claim and, for "already paid", the lending system's
payments near it, and the evidence the borrower sent (a copy saved where the lead chooses);
the lead upholds it (saying which correction the feed is expected to bring:
no balance is edited here) or rejects it (saying why: collection resumes). A complaint selected
shows its channel, category, the collector concerned and the deadline (the regulator's for a
regulator's referral); the lead's reply closes it. The counts of the last 30 days per collector
and per category sit under the complaints. Every call goes through the context's worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.services.cases.complaints import (
    ComplaintCounts,
    ComplaintView,
    check_reply,
    complaint_counts,
    complaints,
    log_complaint,
    reply_complaint,
)
from app.services.cases.disputes import (
    DisputeView,
    check_decision,
    decide_dispute,
    dispute,
    disputes,
)
from app.services.cases.evidence import dispute_evidence, save_evidence
from app.services.cases.policy import DueState, cases_policy
from app.services.common.attachments import AttachmentView, saved_name
from app.services.common.clock import local_today
from app.services.common.errors import DomainError
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import buddy
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Latest
from app.ui.common.table_model import RowTableModel, TableColumn
from app.ui.common.tables import list_table
from app.ui.field.attachments import AttachmentList

# The span the complaint counts cover, up to today.
COUNT_DAYS = 30


@dataclass(frozen=True)
class CasesLoad:
    """What the tab shows: the open cases and the recent complaint counts."""

    disputes: tuple[DisputeView, ...]
    complaints: tuple[ComplaintView, ...]
    counts: ComplaintCounts


def load_cases(db: Database, username: str, *, now: Any) -> CasesLoad:
    today = local_today(now)
    return CasesLoad(
        disputes(db, username, now=now),
        complaints(db, username, now=now),
        complaint_counts(db, username, today - timedelta(days=COUNT_DAYS - 1), today),
    )


@dataclass(frozen=True)
class DisputeDetail:
    view: DisputeView
    evidence: tuple[AttachmentView, ...]


def load_dispute(db: Database, username: str, case_id: uuid.UUID, *, now: Any) -> DisputeDetail:
    """One case with the feed's payments near its claim and the evidence attached to it."""
    view = dispute(db, username, case_id, now=now)
    return DisputeDetail(view, tuple(dispute_evidence(db, username, case_id)))


def due_text(due: DueState, formats: Any) -> str:
    """The deadline as the lists show it: the day, the working days left or overdue."""
    left = due.working_days_left
    if left < 0:
        state = QCoreApplication.translate("CasesPanel", "{days} working days overdue").format(
            days=formats.number(-left)
        )
    else:
        state = QCoreApplication.translate("CasesPanel", "{days} working days left").format(
            days=formats.number(left)
        )
    return f"{formats.date(due.due_on)} ({state})"


def calendar_warning(due: DueState) -> str:
    if not due.uncovered:
        return ""
    return QCoreApplication.translate(
        "CasesPanel",
        "The calendar has no public holidays for {years}: counted as weekends only.",
    ).format(years=", ".join(str(year) for year in due.uncovered))


def counts_text(
    counts: ComplaintCounts, context: Context, days: str, collector: str | None = None
) -> str:
    """The complaint counts as the dashboard, the call review and this tab say them: the
    total and open ones of the span (`days`, said already), per collector and per category;
    with `collector` (a user name), that collector's first."""
    number = context.formats.number
    nobody = QCoreApplication.translate("CasesPanel", "nobody in particular")
    collectors = "; ".join(
        f"{name or nobody}: {number(count)}" for _who, name, count in counts.by_collector
    )
    categories = "; ".join(
        f"{cases_policy().category(code).text(context.language)}: {number(count)}"
        for code, count in counts.by_category
    )
    text = QCoreApplication.translate(
        "CasesPanel",
        "Complaints received {days}: {total} ({open} open).\n"
        "Per collector: {collectors}\nPer category: {categories}",
    ).format(
        days=days,
        total=number(counts.total),
        open=number(counts.open),
        collectors=collectors or "—",
        categories=categories or "—",
    )
    if collector is not None:
        about = next((c for who, _n, c in counts.by_collector if who == collector), 0)
        text = (
            QCoreApplication.translate(
                "CasesPanel", "Complaints about this collector: {count}."
            ).format(count=number(about))
            + "\n"
            + text
        )
    return text


def _disputes_model(context: Context, parent: QObject) -> RowTableModel[DisputeView, uuid.UUID]:
    formats, language = context.formats, context.language

    def due(view: DisputeView) -> str:
        return due_text(view.due, formats)

    columns = [
        TableColumn[DisputeView](
            QCoreApplication.translate("CasesPanel", "Due"),
            due,
            tooltip=lambda view: calendar_warning(view.due) or due(view),
        ),
        TableColumn[DisputeView](
            QCoreApplication.translate("CasesPanel", "Dispute"),
            lambda view: view.kind_label().text(language),
        ),
        TableColumn[DisputeView](
            QCoreApplication.translate("CasesPanel", "Borrower"), lambda view: view.borrower
        ),
        TableColumn[DisputeView](
            QCoreApplication.translate("CasesPanel", "Contract"), lambda view: view.contract_no
        ),
        TableColumn[DisputeView](
            QCoreApplication.translate("CasesPanel", "Opened by"),
            lambda view: view.opened_by_name,
        ),
    ]
    return RowTableModel(lambda view: view.id, columns, parent=parent)


def _complaints_model(context: Context, parent: QObject) -> RowTableModel[ComplaintView, uuid.UUID]:
    formats, language = context.formats, context.language

    def due(view: ComplaintView) -> str:
        return due_text(view.due, formats)

    columns = [
        TableColumn[ComplaintView](
            QCoreApplication.translate("CasesPanel", "Due"),
            due,
            tooltip=lambda view: calendar_warning(view.due) or due(view),
        ),
        TableColumn[ComplaintView](
            QCoreApplication.translate("CasesPanel", "Channel"),
            lambda view: view.channel_label().text(language),
        ),
        TableColumn[ComplaintView](
            QCoreApplication.translate("CasesPanel", "Category"),
            lambda view: view.category_label().text(language),
        ),
        TableColumn[ComplaintView](
            QCoreApplication.translate("CasesPanel", "Collector"),
            lambda view: (
                view.collector_name
                or QCoreApplication.translate("CasesPanel", "nobody in particular")
            ),
        ),
        TableColumn[ComplaintView](
            QCoreApplication.translate("CasesPanel", "Borrower"), lambda view: view.borrower
        ),
        TableColumn[ComplaintView](
            QCoreApplication.translate("CasesPanel", "Contract"), lambda view: view.contract_no
        ),
    ]
    return RowTableModel(lambda view: view.id, columns, parent=parent)


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


class ComplaintDialog(QDialog):
    """Log a complaint that reached the lead (a letter, a regulator's referral): the account,
    channel, category, the collector concerned, its reference and what it says. OK runs the
    service; a refusal shows at its field and the dialog stays open. Emits `logged(view)`."""

    logged = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.saving = False
        language = context.language
        policy = cases_policy()
        self.setWindowTitle(self.tr("Log a complaint"))
        self.contract = QLineEdit()
        self.contract.setAccessibleName(self.tr("Contract number"))
        self.channel = QComboBox()
        self.channel.setAccessibleName(self.tr("Channel"))
        for code, channel in policy.channels.items():
            self.channel.addItem(channel.label.text(language), code)
        self.category = QComboBox()
        self.category.setAccessibleName(self.tr("Category"))
        for code, label in policy.categories.items():
            self.category.addItem(label.text(language), code)
        self.collector = QLineEdit()
        self.collector.setAccessibleName(self.tr("Collector concerned (user name)"))
        self.collector.setPlaceholderText(self.tr("User name, or empty: nobody in particular"))
        self.reference = QLineEdit()
        self.reference.setAccessibleName(self.tr("Reference"))
        self.reference.setPlaceholderText(self.tr("A referral's number, a letter's reference"))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setAccessibleName(self.tr("What the borrower complains of"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        paint(self.message, Ink.ERROR, bold=True)
        self.marks = FieldMarks()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        form = QFormLayout()
        form.addRow(buddy(self.tr("Co&ntract"), self.contract), self.contract)
        form.addRow(buddy(self.tr("C&hannel"), self.channel), self.channel)
        form.addRow("", self.marks.add("channel", self.channel))
        form.addRow(buddy(self.tr("Cate&gory"), self.category), self.category)
        form.addRow("", self.marks.add("category", self.category))
        form.addRow(buddy(self.tr("Co&llector"), self.collector), self.collector)
        form.addRow("", self.marks.add("collector", self.collector))
        form.addRow(buddy(self.tr("&Reference"), self.reference), self.reference)
        form.addRow("", self.marks.add("reference", self.reference))
        form.addRow(buddy(self.tr("&What it says"), self.summary), self.summary)
        form.addRow("", self.marks.add("summary", self.summary))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def submit(self) -> None:
        if self.saving:
            return
        self.saving = True
        self.message.clear()
        self.marks.clear()

        def done(view: object) -> None:
            self.saving = False
            self.logged.emit(view)
            self.accept()

        def failed(error: BaseException) -> None:
            self.saving = False
            self.message.setText("\n".join(self.marks.show(error)))

        self.context.call(
            log_complaint,
            self.context.username,
            self.contract.text().strip(),
            str(self.channel.currentData()),
            str(self.category.currentData()),
            self.summary.toPlainText(),
            collector=self.collector.text().strip() or None,
            reference=self.reference.text(),
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )


class CasesPanel(QWidget):
    """Emits `changed()` after a decision or a reply, `loaded()` after each load."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.data: CasesLoad | None = None
        self.detail: DisputeView | None = None
        self._load = Latest()
        self._detail_load = Latest()
        self._busy = False

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.reload_button = QPushButton(self.tr("Re&load"))
        self.message = QLabel()
        self.message.setWordWrap(True)

        # Disputes.
        self.dispute_model = _disputes_model(context, self)
        self.dispute_table = list_table(self.dispute_model, self.tr("Open disputes"))
        self.dispute_fields: dict[str, QLabel] = {}
        dispute_form = QFormLayout()
        for key, caption in (
            ("kind", self.tr("Dispute")),
            ("account", self.tr("Borrower")),
            ("due", self.tr("Due")),
            ("claim", self.tr("Claim")),
            ("claimed", self.tr("Payment claimed")),
            ("candidates", self.tr("The feed's payments near it")),
        ):
            self.dispute_fields[key] = _selectable(QLabel())
            dispute_form.addRow(caption, self.dispute_fields[key])
        self.reasons = QPlainTextEdit()
        self.reasons.setTabChangesFocus(True)
        self.reasons.setMaximumHeight(70)
        self.reasons.setAccessibleName(self.tr("Reasons for the decision"))
        self.reasons.setPlaceholderText(self.tr("Why: required to reject"))
        self.correction = QPlainTextEdit()
        self.correction.setTabChangesFocus(True)
        self.correction.setMaximumHeight(70)
        self.correction.setAccessibleName(self.tr("Correction expected from the lending system"))
        self.correction.setPlaceholderText(
            self.tr("Upheld: the correction the lending system is to send through the feed")
        )
        self.evidence = AttachmentList(context)
        self.evidence.setAccessibleName(self.tr("The borrower's evidence"))
        self.evidence.setMaximumHeight(110)
        self.evidence_status = QLabel()
        self.save_evidence_button = QPushButton(self.tr("Save a copy of the e&vidence…"))
        self.save_evidence_button.setAccessibleName(
            self.tr("Save a copy of the selected evidence file")
        )
        self.uphold_button = QPushButton(self.tr("&Uphold"))
        self.uphold_button.setAccessibleName(self.tr("Decide: the dispute is upheld"))
        self.reject_button = QPushButton(self.tr("Re&ject"))
        self.reject_button.setAccessibleName(self.tr("Decide: the dispute is rejected"))
        self.dispute_marks = FieldMarks()
        pane = QGroupBox(self.tr("Selected dispute"))
        pane_layout = QVBoxLayout(pane)
        pane_layout.addLayout(dispute_form)
        pane_layout.addWidget(buddy(self.tr("Evi&dence"), self.evidence))
        pane_layout.addWidget(self.evidence_status)
        pane_layout.addWidget(self.evidence)
        pane_layout.addWidget(self.save_evidence_button)
        pane_layout.addWidget(buddy(self.tr("Rea&sons"), self.reasons))
        pane_layout.addWidget(self.reasons)
        pane_layout.addWidget(self.dispute_marks.add("reasons", self.reasons))
        pane_layout.addWidget(buddy(self.tr("C&orrection expected"), self.correction))
        pane_layout.addWidget(self.correction)
        pane_layout.addWidget(self.dispute_marks.add("correction", self.correction))
        buttons = QHBoxLayout()
        buttons.addWidget(self.uphold_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        pane_layout.addLayout(buttons)
        pane_layout.addStretch(1)
        disputes_page = QSplitter(Qt.Orientation.Horizontal)
        disputes_page.addWidget(self.dispute_table)
        disputes_page.addWidget(pane)
        disputes_page.setSizes([700, 480])

        # Complaints.
        self.complaint_model = _complaints_model(context, self)
        self.complaint_table = list_table(self.complaint_model, self.tr("Open complaints"))
        self.complaint_fields: dict[str, QLabel] = {}
        complaint_form = QFormLayout()
        for key, caption in (
            ("what", self.tr("Complaint")),
            ("account", self.tr("Borrower")),
            ("received", self.tr("Received")),
            ("due", self.tr("Due")),
            ("summary", self.tr("Summary")),
        ):
            self.complaint_fields[key] = _selectable(QLabel())
            complaint_form.addRow(caption, self.complaint_fields[key])
        self.reply = QPlainTextEdit()
        self.reply.setTabChangesFocus(True)
        self.reply.setMaximumHeight(90)
        self.reply.setAccessibleName(self.tr("Reply to the complaint"))
        self.reply.setPlaceholderText(self.tr("What the borrower was answered"))
        self.reply_button = QPushButton(self.tr("Record the re&ply"))
        self.log_button = QPushButton(self.tr("Log a complai&nt…"))
        self.complaint_dialog: ComplaintDialog | None = None
        self.complaint_marks = FieldMarks()
        self.counts = _selectable(QLabel())
        self.counts.setAccessibleName(self.tr("Complaints per collector and per category"))
        complaint_pane = QGroupBox(self.tr("Selected complaint"))
        complaint_layout = QVBoxLayout(complaint_pane)
        complaint_layout.addLayout(complaint_form)
        complaint_layout.addWidget(buddy(self.tr("Rep&ly"), self.reply))
        complaint_layout.addWidget(self.reply)
        complaint_layout.addWidget(self.complaint_marks.add("reply", self.reply))
        complaint_layout.addWidget(self.reply_button)
        complaint_layout.addWidget(self.counts)
        complaint_layout.addStretch(1)
        complaints_page = QSplitter(Qt.Orientation.Horizontal)
        complaints_page.addWidget(self.complaint_table)
        complaints_page.addWidget(complaint_pane)
        complaints_page.setSizes([700, 480])

        for table in (self.dispute_table, self.complaint_table):
            header = table.horizontalHeader()
            header.setHighlightSections(False)
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            header.setStretchLastSection(True)

        self.pages = QTabWidget()
        self.pages.setAccessibleName(self.tr("Disputes and complaints"))
        self.pages.addTab(disputes_page, self.tr("Dis&putes"))
        self.pages.addTab(complaints_page, self.tr("Comp&laints"))

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.log_button)
        top.addWidget(self.reload_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)

        self.dispute_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._dispute_selected()
        )
        self.complaint_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._complaint_selected()
        )
        self.reload_button.clicked.connect(self.refresh)
        self.uphold_button.clicked.connect(lambda: self.decide("upheld"))
        self.reject_button.clicked.connect(lambda: self.decide("rejected"))
        self.reply_button.clicked.connect(self.answer)
        self.evidence.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.save_evidence_button.clicked.connect(self.save_evidence)
        self.log_button.clicked.connect(self.open_complaint_dialog)
        self._dispute_selected()
        self._complaint_selected()

    # Loading.

    def refresh(self) -> None:
        self._load.run(
            self.context,
            load_cases,
            self.context.username,
            now=self.context.clock(),
            on_done=self._loaded,
            on_error=self._failed_load,
        )

    def _loaded(self, data: CasesLoad) -> None:
        self.data = data
        dues = [view.due for view in data.disputes] + [view.due for view in data.complaints]
        overdue = sum(1 for due in dues if due.overdue)
        self.summary.setText(
            self.tr(
                "{disputes} open disputes, {complaints} open complaints; {overdue} overdue."
            ).format(
                disputes=self.context.formats.number(len(data.disputes)),
                complaints=self.context.formats.number(len(data.complaints)),
                overdue=self.context.formats.number(overdue),
            )
        )
        self.dispute_model.merge_rows(data.disputes)
        self.complaint_model.merge_rows(data.complaints)
        self.counts.setText(self._counts_text(data.counts))
        for table, model in (
            (self.dispute_table, self.dispute_model),
            (self.complaint_table, self.complaint_model),
        ):
            if model.rowCount() and not table.selectionModel().hasSelection():
                table.selectRow(0)
        self._dispute_selected()
        self._complaint_selected()
        self.loaded.emit()

    def _counts_text(self, counts: ComplaintCounts) -> str:
        days = self.tr("in the last {days} days").format(
            days=self.context.formats.number(COUNT_DAYS)
        )
        return counts_text(counts, self.context, days)

    def _failed_load(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Could not load the cases"), error_text(error))

    # The selection.

    def current_dispute(self) -> DisputeView | None:
        index = self.dispute_table.currentIndex()
        return self.dispute_model.row_at(index.row()) if index.isValid() else None

    def current_complaint(self) -> ComplaintView | None:
        index = self.complaint_table.currentIndex()
        return self.complaint_model.row_at(index.row()) if index.isValid() else None

    def _dispute_selected(self) -> None:
        view = self.current_dispute()
        self.detail = None
        self.dispute_marks.clear()
        if self.evidence.views and (view is None or self.evidence.views[0].subject_id != view.id):
            self.evidence.show_views([])
        if view is None:
            for label in self.dispute_fields.values():
                label.clear()
            self.evidence_status.clear()
        else:
            self._show_dispute(view)
            self._detail_load.run(
                self.context,
                load_dispute,
                self.context.username,
                view.id,
                now=self.context.clock(),
                on_done=self._detail_loaded,
                on_error=self._failed_load,
            )
        self._update_buttons()

    def _detail_loaded(self, detail: DisputeDetail) -> None:
        view = detail.view
        current = self.current_dispute()
        if current is not None and current.id == view.id:
            self.detail = view
            self._show_dispute(view)
            self.evidence.show_views(detail.evidence)
            self.evidence_status.setText(
                self.tr("No evidence attached.")
                if not detail.evidence
                else self.tr("Files attached: {count}").format(
                    count=self.context.formats.number(len(detail.evidence))
                )
            )
            self._update_buttons()

    def _show_dispute(self, view: DisputeView) -> None:
        formats, language = self.context.formats, self.context.language
        fields = self.dispute_fields
        fields["kind"].setText(view.kind_label().text(language))
        fields["account"].setText(f"{view.borrower} · {view.contract_no}")
        warning = calendar_warning(view.due)
        fields["due"].setText(due_text(view.due, formats) + (f"\n{warning}" if warning else ""))
        fields["claim"].setText(view.claim)
        claimed = [
            formats.money(view.claimed_amount) if view.claimed_amount is not None else "",
            formats.date(view.claimed_paid_on) if view.claimed_paid_on else "",
            view.claimed_reference or "",
        ]
        fields["claimed"].setText(" · ".join(part for part in claimed if part) or "—")
        if view.kind != "already_paid":
            fields["candidates"].setText("—")
        elif self.detail is None or self.detail.id != view.id:
            fields["candidates"].setText(self.tr("Looking…"))
        elif not view.candidates:
            fields["candidates"].setText(self.tr("No payment of the feed's is near the claim."))
        else:
            fields["candidates"].setText(
                "\n".join(
                    self.tr("{amount} on {time}, {channel}, reference {reference}").format(
                        amount=formats.money(candidate.amount),
                        time=formats.date_time(candidate.paid_at),
                        channel=candidate.channel,
                        reference=candidate.reference or "—",
                    )
                    for candidate in view.candidates
                )
            )

    def _complaint_selected(self) -> None:
        view = self.current_complaint()
        self.complaint_marks.clear()
        fields = self.complaint_fields
        if view is None:
            for label in fields.values():
                label.clear()
        else:
            formats, language = self.context.formats, self.context.language
            who = view.collector_name or self.tr("nobody in particular")
            fields["what"].setText(
                self.tr("{channel}, {category}, about {collector}").format(
                    channel=view.channel_label().text(language),
                    category=view.category_label().text(language),
                    collector=who,
                )
                + (f" · {view.reference}" if view.reference else "")
            )
            fields["account"].setText(f"{view.borrower} · {view.contract_no}")
            fields["received"].setText(formats.date_time(view.received_at))
            warning = calendar_warning(view.due)
            deadline = due_text(view.due, formats)
            if view.regulator:
                deadline = self.tr("{deadline}, the regulator's").format(deadline=deadline)
            fields["due"].setText(deadline + (f"\n{warning}" if warning else ""))
            fields["summary"].setText(view.summary)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_dispute = self.current_dispute() is not None and not self._busy
        self.uphold_button.setEnabled(has_dispute)
        self.reject_button.setEnabled(has_dispute)
        self.reasons.setEnabled(has_dispute)
        self.correction.setEnabled(has_dispute)
        self.save_evidence_button.setEnabled(
            self.current_dispute() is not None and self.evidence.selected_view() is not None
        )
        has_complaint = self.current_complaint() is not None and not self._busy
        self.reply_button.setEnabled(has_complaint)
        self.reply.setEnabled(has_complaint)

    # Acting.

    def open_complaint_dialog(self) -> ComplaintDialog:
        """The dialog that logs a complaint (shown, not waited for); the list reloads after."""
        dialog = ComplaintDialog(self.context, self)
        dialog.logged.connect(lambda _view: self._logged())
        dialog.open()
        self.complaint_dialog = dialog
        return dialog

    def _logged(self) -> None:
        self.message.setText(self.tr("The complaint is logged."))
        self.pages.setCurrentIndex(1)
        self.refresh()
        self.changed.emit()

    def decide(self, decision: str) -> None:
        view = self.current_dispute()
        if self._busy or view is None:
            return
        reasons, correction = self.reasons.toPlainText(), self.correction.toPlainText()
        try:
            check_decision(decision, reasons, correction)
        except DomainError as error:
            self.dispute_marks.show(error)
            return
        self.dispute_marks.clear()
        if decision == "rejected":
            said = self.tr("Rejected: collection on {contract} resumes.")
        else:
            said = self.tr("Upheld: {contract} stays paused until the feed brings the correction.")

        def done(_result: object) -> None:
            self.reasons.clear()
            self.correction.clear()

        self._act(
            decide_dispute,
            view.id,
            decision,
            reasons,
            correction,
            said=said.format(contract=view.contract_no),
            then=done,
        )

    def save_evidence(self) -> None:
        """A copy of the selected evidence file, where the lead chooses."""
        view, case = self.evidence.selected_view(), self.current_dispute()
        if view is None or case is None:
            return
        out = self.context.dialogs.save_file(
            self, self.tr("Save a copy"), Path.home() / saved_name(view), self.tr("All files (*)")
        )
        if out is None:
            return
        self.context.call(
            save_evidence,
            self.context.username,
            case.id,
            view.id,
            out,
            on_done=lambda path: self.message.setText(
                self.tr("Saved to {path}").format(path=str(path))
            ),
            on_error=lambda error: self.context.dialogs.error(
                self, self.tr("Not saved"), error_text(error)
            ),
        )

    def answer(self) -> None:
        view = self.current_complaint()
        if self._busy or view is None:
            return
        try:
            text = check_reply(self.reply.toPlainText())
        except DomainError as error:
            self.complaint_marks.show(error)
            return
        self.complaint_marks.clear()
        self._act(
            reply_complaint,
            view.id,
            text,
            said=self.tr("Replied: the complaint on {contract} is closed.").format(
                contract=view.contract_no
            ),
            then=lambda _result: self.reply.clear(),
        )

    def _act(
        self,
        service: Callable[..., Any],
        case_id: uuid.UUID,
        *args: Any,
        said: str,
        then: Callable[[object], None],
    ) -> None:
        self._busy = True
        self.message.clear()
        self._update_buttons()

        def done(result: object) -> None:
            self._busy = False
            then(result)
            self.message.setText(said)
            self.refresh()
            self.changed.emit()

        def failed(error: BaseException) -> None:
            self._busy = False
            self._update_buttons()
            self.context.dialogs.error(self, self.tr("Could not do that"), error_text(error))
            self.refresh()

        self.context.call(
            service,
            self.context.username,
            case_id,
            *args,
            now=self.context.clock(),
            on_done=done,
            on_error=failed,
        )
