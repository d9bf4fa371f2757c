"""The lead's legal desk: the team's accounts referred to legal, the stage each case is at, its
steps, and a form to record the next one (app.services.legal.referral). A referral is made
from the team's accounts (`refer_to_legal`); a withdrawal here, before the filing.

Every refusal (a step out of order, a day ahead or before the referral, a negative amount) is
the service's, shown at its field; the central server refuses the same in the same words.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.models import LegalStepKind
from app.services.common.clock import local_today
from app.services.common.errors import DomainError
from app.services.legal.referral import LegalCase, StepInput, legal_cases, record_step, withdraw
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS, Formats
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Latest
from app.ui.common.table_model import RowTableModel, TableColumn
from app.ui.common.tables import list_table


class Column(enum.IntEnum):
    ACCOUNT = 0
    BORROWER = 1
    STAGE = 2
    REFERRED = 3
    BY = 4
    REASON = 5


LegalModel = RowTableModel[LegalCase, str]


def stage_name(stage: str) -> str:
    """A case's stage in the UI language."""
    names = {
        "referred": QCoreApplication.translate("LegalPanel", "Referred"),
        "lawyer": QCoreApplication.translate("LegalPanel", "Lawyer instructed"),
        "filing": QCoreApplication.translate("LegalPanel", "Filed"),
        "hearing": QCoreApplication.translate("LegalPanel", "Hearings"),
        "judgment": QCoreApplication.translate("LegalPanel", "Judgment"),
        "enforcement": QCoreApplication.translate("LegalPanel", "Enforcement"),
        "closed": QCoreApplication.translate("LegalPanel", "Closed"),
        "withdrawn": QCoreApplication.translate("LegalPanel", "Withdrawn"),
    }
    return names.get(stage, stage)


def step_name(kind: LegalStepKind) -> str:
    """A step's kind in the UI language."""
    names = {
        LegalStepKind.LAWYER: QCoreApplication.translate("LegalPanel", "Firm and lawyer"),
        LegalStepKind.FILING: QCoreApplication.translate("LegalPanel", "Filing"),
        LegalStepKind.HEARING: QCoreApplication.translate("LegalPanel", "Hearing"),
        LegalStepKind.JUDGMENT: QCoreApplication.translate("LegalPanel", "Judgment"),
        LegalStepKind.ENFORCEMENT: QCoreApplication.translate("LegalPanel", "Enforcement"),
        LegalStepKind.COST: QCoreApplication.translate("LegalPanel", "Cost"),
        LegalStepKind.RECOVERY: QCoreApplication.translate("LegalPanel", "Recovery"),
        LegalStepKind.CLOSED: QCoreApplication.translate("LegalPanel", "Case closed"),
    }
    return names[kind]


def legal_model(context: Context, parent: QObject | None = None) -> LegalModel:
    """The team's referrals, newest first, keyed by contract number."""
    formats = context.formats
    columns: list[TableColumn[LegalCase]] = [
        TableColumn(
            QCoreApplication.translate("LegalPanel", "Account"), lambda case: case.contract_no
        ),
        TableColumn(QCoreApplication.translate("LegalPanel", "Borrower"), lambda c: c.borrower),
        TableColumn(
            QCoreApplication.translate("LegalPanel", "Stage"), lambda case: stage_name(case.stage)
        ),
        TableColumn(
            QCoreApplication.translate("LegalPanel", "Referred"),
            lambda case: formats.date(case.referred_on),
        ),
        TableColumn(
            QCoreApplication.translate("LegalPanel", "By"), lambda case: case.referred_by_name
        ),
        TableColumn(QCoreApplication.translate("LegalPanel", "Reason"), lambda c: c.reason),
    ]
    return LegalModel(lambda case: case.contract_no, columns, parent=parent)


def case_text(case: LegalCase, formats: Formats) -> str:
    """A case's referral and steps, line by line, in the UI language."""
    lines = [
        QCoreApplication.translate(
            "LegalPanel", "{account} · {borrower} — referred on {day} by {lead}: {reason}"
        ).format(
            account=case.contract_no,
            borrower=case.borrower,
            day=formats.date(case.referred_on),
            lead=case.referred_by_name,
            reason=case.reason,
        )
    ]
    for step in case.steps:
        facts = [
            value
            for value in (
                step.firm,
                step.lawyer,
                step.case_number,
                step.court,
                None if step.amount is None else formats.money(step.amount, case.currency),
                step.note,
            )
            if value
        ]
        lines.append(
            f"{formats.date(step.happened_on)}  {step_name(step.kind)}"
            + (f": {' · '.join(facts)}" if facts else "")
        )
    if case.withdrawn_at is not None:
        lines.append(
            QCoreApplication.translate("LegalPanel", "Withdrawn: {reason}").format(
                reason=case.withdrawn_reason or ""
            )
        )
    costs, recovered = case.total(LegalStepKind.COST), case.total(LegalStepKind.RECOVERY)
    lines.append(
        QCoreApplication.translate("LegalPanel", "Costs {costs}; recovered {recovered}").format(
            costs=formats.money(costs, case.currency),
            recovered=formats.money(recovered, case.currency),
        )
    )
    return "\n".join(lines)


class LegalPanel(QWidget):
    """The team's referrals to legal and their cases. Emits `loaded()` after each load and
    `changed()` after a step or a withdrawal (the account's place in the queues may move)."""

    loaded = Signal()
    changed = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._load = Latest()
        self._busy = False
        self.setWindowTitle(self.tr("Legal"))
        self.summary = QLabel()
        self.open_only = QCheckBox(self.tr("&Open cases only"))
        self.reload_button = QPushButton(self.tr("Re&load"))
        self.model = legal_model(context, self)
        self.table = list_table(self.model, self.tr("Accounts referred to legal"))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.empty = QLabel(self.tr("No account of the team is referred to legal."))
        self.empty.hide()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("The selected case"))

        # The next step.
        self.marks = FieldMarks()
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Step"))
        for kind in LegalStepKind:
            self.kind.addItem(step_name(kind), kind.value)
        self.on = QDateEdit()
        self.on.setAccessibleName(self.tr("Day"))
        self.on.setCalendarPopup(True)
        self.on.setLocale(context.formats.locale)
        self.on.setDisplayFormat(DATE_FORMATS[context.formats.language])
        today = local_today(context.clock())
        self.on.setDate(QDate(today.year, today.month, today.day))
        self.firm, self.lawyer = QLineEdit(), QLineEdit()
        self.case_number, self.court = QLineEdit(), QLineEdit()
        self.amount, self.note = QLineEdit(), QLineEdit()
        for edit, name, longest in (
            (self.firm, self.tr("Firm"), 120),
            (self.lawyer, self.tr("Lawyer"), 80),
            (self.case_number, self.tr("Case number"), 60),
            (self.court, self.tr("Court"), 120),
            (self.amount, self.tr("Amount"), 20),
            (self.note, self.tr("Note"), 1000),
        ):
            edit.setAccessibleName(name)
            edit.setMaxLength(longest)
        self.record_button = QPushButton(self.tr("&Record step"))
        self.withdraw_button = QPushButton(self.tr("&Withdraw referral…"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        form = QFormLayout()
        for text, widget, name in (
            (self.tr("S&tep"), self.kind, "kind"),
            (self.tr("&Day"), self.on, "on"),
            (self.tr("F&irm"), self.firm, "firm"),
            (self.tr("Law&yer"), self.lawyer, "lawyer"),
            (self.tr("Case &number"), self.case_number, "case_number"),
            (self.tr("Co&urt"), self.court, "court"),
            (self.tr("&Amount"), self.amount, "amount"),
            (self.tr("Not&e"), self.note, "note"),
        ):
            form.addRow(buddy(text, widget), widget)
            form.addRow("", self.marks.add(name, widget))
        step_box = QGroupBox(self.tr("Next step"))
        step_layout = QVBoxLayout(step_box)
        step_layout.addLayout(form)
        step_buttons = QHBoxLayout()
        step_buttons.addWidget(self.record_button)
        step_buttons.addStretch(1)
        step_buttons.addWidget(self.withdraw_button)
        step_layout.addLayout(step_buttons)
        step_layout.addWidget(self.message)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.open_only)
        top.addWidget(self.reload_button)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.empty)
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.addWidget(self.details, 1)
        pane_layout.addWidget(step_box)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(listing)
        splitter.addWidget(pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.reload_button.clicked.connect(self.refresh)
        self.open_only.toggled.connect(lambda _checked: self.refresh())
        self.record_button.clicked.connect(self.record)
        self.withdraw_button.clicked.connect(self.withdraw_current)
        self._update()

    # Loading.

    def refresh(self) -> None:
        """Load the team's referrals again."""
        self._load.run(
            self.context,
            legal_cases,
            self.context.username,
            open_only=self.open_only.isChecked(),
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def _loaded(self, cases: tuple[LegalCase, ...]) -> None:
        had = self.current()
        self.model.merge_rows(cases)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not cases)
        still_open = sum(1 for case in cases if case.is_open)
        self.summary.setText(
            self.tr("Referred accounts: {count}; open cases: {open}.").format(
                count=self.context.formats.number(len(cases)),
                open=self.context.formats.number(still_open),
            )
        )
        if cases:
            kept = self.model.row_of(had.contract_no) if had is not None else None
            self.table.setCurrentIndex(self.model.index(kept or 0, Column.ACCOUNT))
        self._show_current()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.context.dialogs.error(
            self, self.tr("Could not load the referrals to legal"), error_text(error)
        )

    def current(self) -> LegalCase | None:
        return self.model.row_for(self.table.currentIndex())

    def select(self, contract_no: str) -> None:
        row = self.model.row_of(contract_no)
        if row is not None:
            self.table.setCurrentIndex(self.model.index(row, Column.ACCOUNT))

    def _show_current(self) -> None:
        case = self.current()
        self.details.setPlainText("" if case is None else case_text(case, self.context.formats))
        self._update()

    def _update(self) -> None:
        case = self.current()
        can = case is not None and case.is_open and not self._busy
        self.record_button.setEnabled(can)
        filed = case is not None and any(s.kind is LegalStepKind.FILING for s in case.steps)
        self.withdraw_button.setEnabled(can and not filed)

    # Writing.

    def step_input(self) -> StepInput:
        picked = self.on.date()
        return StepInput(
            kind=str(self.kind.currentData()),
            happened_on=date(picked.year(), picked.month(), picked.day()),
            firm=self.firm.text(),
            lawyer=self.lawyer.text(),
            case_number=self.case_number.text(),
            court=self.court.text(),
            amount=self.amount.text(),
            note=self.note.text(),
        )

    def choose_step(self, kind: LegalStepKind) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind.value))

    def record(self) -> None:
        """Record the form's step on the selected case."""
        case = self.current()
        if case is None or not self.record_button.isEnabled():
            return
        typed = self.step_input()
        kind = LegalStepKind(typed.kind)
        self._run(record_step, case.contract_no, typed, lambda done: self._recorded(done, kind))

    def withdraw_current(self) -> None:
        """Withdraw the selected referral, asking why."""
        case = self.current()
        if case is None or not self.withdraw_button.isEnabled():
            return
        reason = self.context.dialogs.ask_text(
            self,
            self.tr("Withdraw the referral"),
            self.tr("Why is the referral of {account} withdrawn?").format(account=case.contract_no),
        )
        if reason is None:
            return
        self._run(withdraw, case.contract_no, reason, self._withdrawn)

    def _run(self, service: Any, contract_no: str, what: Any, done: Any) -> None:
        self._busy = True
        self._update()
        self.message.clear()

        def answered(case: LegalCase) -> None:
            self._busy = False
            self.marks.show_problems(())
            done(case)

        def failed(error: BaseException) -> None:
            self._busy = False
            self._update()
            self._refused(error)

        self.context.call(
            service,
            self.context.username,
            contract_no,
            what,
            now=self.context.clock(),
            on_done=answered,
            on_error=failed,
        )

    def _recorded(self, case: LegalCase, kind: LegalStepKind) -> None:
        for edit in (self.firm, self.lawyer, self.case_number, self.court, self.amount, self.note):
            edit.clear()
        self._say(
            self.tr("Recorded on {account}: {step}.").format(
                account=case.contract_no, step=step_name(kind)
            )
        )
        self._changed(case)

    def _withdrawn(self, case: LegalCase) -> None:
        self._say(
            self.tr("The referral of {account} is withdrawn: it is back in collection.").format(
                account=case.contract_no
            )
        )
        self._changed(case)

    def _changed(self, case: LegalCase) -> None:
        self.model.update_row(case.contract_no, case)
        self._show_current()
        self.changed.emit()
        self.refresh()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, DomainError):
            self._say("\n".join(self.marks.show(error)), problem=True)
        else:
            self.context.dialogs.error(self, self.tr("Could not complete that"), error_text(error))

    def _say(self, text: str, problem: bool = False) -> None:
        paint(self.message, Ink.ERROR if problem else None, bold=problem)
        self.message.setText(text)
