"""Offering a repayment plan while on the phone: the terms, a live preview, the agreement.

Every figure comes from the services (`preview_plan`, `save_plan`, `issue_agreement`, …) run on
the context's worker; nothing here computes money. The preview is asked again whenever the terms
change (after a short pause, so typing an amount asks once), one question at a time. An answer
is shown only if it is for the terms on screen: a late answer for older input is dropped, and
saving is possible only once the terms on screen have a preview without an error.

While the account's collection is paused (a borrower mark, an escalation still open) the note
at the top says so, in the words of the services' refusal, and no plan is offered, submitted
or issued from here until a team lead lets plans go ahead despite the pause; a lead does that
from the note itself (`PauseNote`). Cancelling a plan stays possible.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QItemSelectionModel,
    QRegularExpression,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models import PlanStatus
from app.services.common.clock import local_today
from app.services.common.money import ZERO
from app.services.plans.agreements import issue_agreement, write_agreement
from app.services.plans.lifecycle import (
    OPEN,
    PlanView,
    cancel_plan,
    plans_for,
    preview_plan,
    save_plan,
    sign_plan,
    submit_plan,
)
from app.services.plans.offers import FREQUENCIES, KINDS, PlanOffer, PlanTerms
from app.services.plans.pauses import PlanPause, PlanPaused, plan_pause_of
from app.services.plans.terms import agreement_number
from app.services.portfolio.accounts import AccountDetail
from app.ui.collector.pause_note import PauseNote
from app.ui.collector.plan_tables import PlanColumn, PlanLinesModel, PlansModel
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text, message_text
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS
from app.ui.common.labels import plan_frequency_name, plan_kind_name, spoken
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Job, Latest
from app.ui.common.screens import fit_to_screen

# Long enough that typing "1200" asks for one preview, short enough to feel immediate.
PREVIEW_DELAY_MS = 120
# The spin box's ceiling: far beyond the policy (its limit is data), short of nonsense.
MOST_INSTALMENTS = 120
DAYS_TO_FIRST_DUE = 7
# Agreements with the printed name of their language; Chinese first, as most borrowers read it.
AGREEMENT_LANGUAGES = (("简体中文", "zh_CN"), ("English", "en"))
PRINTABLE = (PlanStatus.ISSUED, PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.BROKEN)


class TermsProblem(Exception):
    """Inputs the dialog cannot turn into terms (e.g. "." as an amount): (field, why) each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("\n".join(text for _field, text in problems))
        self.problems = problems


class PlanDialog(QDialog):
    """The plan dialog of one account. Not modal: the call script stays usable beside it.

    Signals: `plans_changed(contract_no)` after a plan is saved or changes status;
    `preview_shown(object)` with the `PlanOffer`, or the error text, shown for the terms on
    screen; `agreement_written(Path)` once a PDF is saved.
    """

    plans_changed = Signal(str)
    preview_shown = Signal(object)
    agreement_written = Signal(object)

    def __init__(
        self, context: Context, detail: AccountDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.detail = detail
        self.offer: PlanOffer | None = None
        self.pdf: Path | None = None
        self._shown_for: PlanTerms | None = None
        # One question at a time: terms changed meanwhile are asked once the answer is in.
        self._preview = Latest()
        self._pause_load = Latest()
        self._again = False
        self._jobs: list[Job] = []
        self._writing = False
        self.setWindowTitle(
            self.tr("Repayment plan — {borrower} · {contract}").format(
                borrower=detail.borrower, contract=detail.contract_no
            )
        )
        self.setObjectName("plan-dialog")

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.preview_now)

        self.pause_note = PauseNote(context, self)
        self.pause_note.allowed.connect(self._allowed)
        terms = self._build_terms()
        preview = self._build_preview()
        plans = self._build_plans()
        top = QHBoxLayout()
        top.addWidget(terms, 2)
        top.addWidget(preview, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(self.tr("Close the plan dialog"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.pause_note)
        layout.addLayout(top, 3)
        layout.addWidget(plans, 2)
        layout.addWidget(close)
        fit_to_screen(self, QSize(1040, 760))
        # Enter in a term field must not store a plan: no button answers it by default.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

        self.show_detail(detail)
        self._follow_kind()
        self._update_buttons()
        self.load_plans()
        self.schedule_preview()

    # Building.

    def _build_terms(self) -> QGroupBox:
        box = QGroupBox(self.tr("Terms"))
        box.setAccessibleName(self.tr("Terms"))
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Kind of plan"))
        for kind in KINDS:
            self.kind.addItem(plan_kind_name(kind), kind)
        self.kind.setCurrentIndex(KINDS.index("instalments"))
        self.count = QSpinBox()
        self.count.setAccessibleName(self.tr("Number of instalments"))
        self.count.setRange(1, MOST_INSTALMENTS)
        self.count.setValue(3)
        self.frequency = QComboBox()
        self.frequency.setAccessibleName(self.tr("Frequency"))
        for frequency in FREQUENCIES:
            self.frequency.addItem(plan_frequency_name(frequency), frequency)
        self.frequency.setCurrentIndex(FREQUENCIES.index("monthly"))
        self.first_due = QDateEdit()
        self.first_due.setAccessibleName(self.tr("First due date"))
        self.first_due.setCalendarPopup(True)
        self.first_due.setDisplayFormat(DATE_FORMATS[self.context.language])
        first = local_today(self.context.clock()) + timedelta(days=DAYS_TO_FIRST_DUE)
        self.first_due.setDate(QDate(first.year, first.month, first.day))
        self.down_payment = self._amount_field(self.tr("Down payment"))
        self.waiver = self._amount_field(self.tr("Penalty waiver"))
        self.discount = self._amount_field(self.tr("Settlement discount"))
        self.penalty_hint = QLabel()
        self.penalty_hint.setWordWrap(True)

        # What the services refuse in the terms, at the term it is about (`PlanTerms`' names).
        self.marks = FieldMarks()
        marks = self.marks
        form = QFormLayout(box)
        form.addRow(buddy(self.tr("&Kind"), self.kind), self.kind)
        form.addRow("", marks.add("kind", self.kind))
        form.addRow(buddy(self.tr("&Instalments"), self.count), self.count)
        form.addRow("", marks.add("instalments", self.count))
        form.addRow(buddy(self.tr("&Frequency"), self.frequency), self.frequency)
        form.addRow("", marks.add("frequency", self.frequency))
        form.addRow(buddy(self.tr("First &due date"), self.first_due), self.first_due)
        form.addRow("", marks.add("first_due", self.first_due))
        form.addRow(buddy(self.tr("Do&wn payment"), self.down_payment), self.down_payment)
        form.addRow("", marks.add("down_payment", self.down_payment))
        form.addRow(buddy(self.tr("Penalty wai&ver"), self.waiver), self.waiver)
        form.addRow("", marks.add("waiver", self.waiver))
        form.addRow("", self.penalty_hint)
        form.addRow(buddy(self.tr("Settlement disc&ount"), self.discount), self.discount)
        form.addRow("", marks.add("discount", self.discount))

        self.kind.currentIndexChanged.connect(self._follow_kind)
        self.kind.currentIndexChanged.connect(self.schedule_preview)
        self.count.valueChanged.connect(self.schedule_preview)
        self.frequency.currentIndexChanged.connect(self.schedule_preview)
        self.first_due.dateChanged.connect(self.schedule_preview)
        for field in (self.down_payment, self.waiver, self.discount):
            field.textChanged.connect(self.schedule_preview)
        return box

    def _amount_field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setAccessibleName(name)
        field.setPlaceholderText("0.00")
        field.setAlignment(Qt.AlignmentFlag.AlignRight)
        # Digits (thousands commas allowed) and at most two decimals: no letters, no minus.
        pattern = QRegularExpression(r"[0-9,]{0,15}(\.[0-9]{0,2})?")
        field.setValidator(QRegularExpressionValidator(pattern, field))
        return field

    def _build_preview(self) -> QGroupBox:
        box = QGroupBox(self.tr("Preview"))
        box.setAccessibleName(self.tr("Preview"))
        self._figure_names = {
            "principal": self.tr("Overdue principal"),
            "interest": self.tr("Overdue interest"),
            "penalty": self.tr("Overdue penalty interest"),
            "fees": self.tr("Overdue fees"),
            "overdue": self.tr("Total overdue"),
            "waiver": self.tr("Penalty waived"),
            "discount": self.tr("Discount"),
            "total": self.tr("The borrower pays"),
            "down_payment": self.tr("Down payment today"),
        }
        self.figures: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, name in self._figure_names.items():
            value = QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(name)
            if key in ("overdue", "total"):
                font = value.font()
                font.setBold(True)
                value.setFont(font)
                caption.setFont(font)
            form.addRow(caption, value)
            self.figures[key] = value

        self.lines = PlanLinesModel(self.context.formats, self)
        self.schedule = QTableView()
        self.schedule.setAccessibleName(self.tr("Payments of the plan"))
        self.schedule.setModel(self.lines)
        _read_only(self.schedule)
        self.lines_total = QLabel()
        self.lines_total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        paint(self.problem, Ink.ERROR)
        self.problem.setAccessibleName(self.tr("Problem with the terms"))
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        paint(self.warnings, Ink.WARNING)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setAccessibleName(self.tr("Policy warnings"))
        self.problem.hide()
        self.warnings.hide()

        self.save_draft = QPushButton(self.tr("Save as draft"))
        self.save_draft.setAccessibleName(self.tr("Save the plan as a draft"))
        self.submit = QPushButton(self.tr("Submit"))
        self.submit.setAccessibleName(self.tr("Submit the plan"))
        self.save_draft.clicked.connect(lambda: self.save(submit=False))
        self.submit.clicked.connect(lambda: self.save(submit=True))
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_plan_note = QLabel(
            self.tr("This account has an open plan: cancel it before offering another one.")
        )
        self.open_plan_note.setWordWrap(True)
        self.open_plan_note.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_plan_note, 1)
        buttons.addWidget(self.save_draft)
        buttons.addWidget(self.submit)

        column = QVBoxLayout(box)
        column.addLayout(form)
        column.addWidget(self.schedule, 1)
        column.addWidget(self.lines_total)
        column.addWidget(self.problem)
        column.addWidget(self.warnings)
        column.addLayout(buttons)
        column.addWidget(self.outcome)
        return box

    def _build_plans(self) -> QGroupBox:
        box = QGroupBox(self.tr("Plans of this account"))
        box.setAccessibleName(self.tr("Plans of this account"))
        self.plans = PlansModel(self.context.formats, self)
        self.plans_table = QTableView()
        self.plans_table.setAccessibleName(self.tr("Plans of this account"))
        self.plans_table.setModel(self.plans)
        _read_only(self.plans_table)
        header = self.plans_table.horizontalHeader()
        header.setSectionResizeMode(PlanColumn.AGREEMENT, QHeaderView.ResizeMode.Stretch)
        self.plans_table.selectionModel().currentRowChanged.connect(self._update_buttons)

        self.submit_draft = QPushButton(self.tr("Submit draft"))
        self.issue = QPushButton(self.tr("Issue agreement…"))
        self.save_pdf = QPushButton(self.tr("Save agreement…"))
        self.sign = QPushButton(self.tr("Borrower signed"))
        self.cancel_plan = QPushButton(self.tr("Cancel plan…"))
        self.language = QComboBox()
        self.language.setAccessibleName(self.tr("Language of the agreement"))
        for name, code in AGREEMENT_LANGUAGES:
            self.language.addItem(name, code)
        self.agreement = QLabel()
        self.agreement.setWordWrap(True)
        self.agreement.setTextFormat(Qt.TextFormat.PlainText)
        self.agreement.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_pdf = QPushButton(self.tr("Open PDF"))
        self.open_pdf.setAccessibleName(self.tr("Open the saved agreement"))
        self.open_pdf.setEnabled(False)
        for button in (self.submit_draft, self.issue, self.save_pdf, self.sign, self.cancel_plan):
            button.setAccessibleName(button.text().rstrip("…"))
        self.submit_draft.clicked.connect(self.submit_selected)
        self.issue.clicked.connect(self.issue_selected)
        self.save_pdf.clicked.connect(lambda: self.save_agreement(self.selected_plan()))
        self.sign.clicked.connect(self.sign_selected)
        self.cancel_plan.clicked.connect(self.cancel_selected)
        self.open_pdf.clicked.connect(self.open_agreement)

        actions = QHBoxLayout()
        for button in (self.submit_draft, self.issue, self.save_pdf, self.sign, self.cancel_plan):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(buddy(self.tr("Agreement &language"), self.language))
        actions.addWidget(self.language)
        saved = QHBoxLayout()
        saved.addWidget(self.agreement, 1)
        saved.addWidget(self.open_pdf)
        column = QVBoxLayout(box)
        column.addWidget(self.plans_table, 1)
        column.addLayout(actions)
        column.addLayout(saved)
        return box

    # The account.

    @property
    def contract_no(self) -> str:
        return self.detail.contract_no

    def show_detail(self, detail: AccountDetail) -> None:
        """The account's figures as last loaded (the breakdown the plan starts from)."""
        self.detail = detail
        balance, money = detail.balance, self._money
        self._figure("principal", money(balance.principal))
        self._figure("interest", money(balance.interest))
        self._figure("penalty", money(balance.penalty))
        self._figure("fees", money(balance.fees))
        self._figure("overdue", money(balance.overdue))
        self.penalty_hint.setText(
            self.tr("{penalty} penalty interest is overdue.").format(penalty=money(balance.penalty))
        )

    def reopen(self, detail: AccountDetail) -> None:
        """Shown again for the same account: fresh figures, plans and preview."""
        self.show_detail(detail)
        self.load_plans()
        self.schedule_preview()

    def retire(self) -> None:
        """Drop every answer still on its way; the dialog is about to be deleted."""
        self._preview_timer.stop()
        for job in self._jobs:
            job.cancel()
        self._preview.cancel()
        self._pause_load.cancel()
        self.pause_note.retire()

    # The terms.

    def terms(self) -> PlanTerms:
        """The terms on screen; raises `TermsProblem` for each amount that is not one."""
        kind = str(self.kind.currentData())
        picked = self.first_due.date()
        first_due = date(picked.year(), picked.month(), picked.day())
        problems: list[tuple[str, str]] = []
        waiver = self._amount(self.waiver, "waiver", problems)
        down_payment = discount = ZERO
        if kind == "instalments":
            down_payment = self._amount(self.down_payment, "down_payment", problems)
        if kind == "settlement":
            discount = self._amount(self.discount, "discount", problems)
        if problems:
            raise TermsProblem(problems)
        if kind == "instalments":
            return PlanTerms(
                kind,
                first_due,
                frequency=str(self.frequency.currentData()),
                instalments=self.count.value(),
                down_payment=down_payment,
                waiver=waiver,
            )
        return PlanTerms(kind, first_due, waiver=waiver, discount=discount)

    def _amount(self, field: QLineEdit, name: str, problems: list[tuple[str, str]]) -> Decimal:
        text = field.text().strip().replace(",", "")
        if not text:
            return ZERO
        try:
            return Decimal(text)
        except InvalidOperation:
            problems.append(
                (
                    name,
                    self.tr("{field}: “{text}” is not an amount such as 1200.00.").format(
                        field=field.accessibleName(), text=field.text()
                    ),
                )
            )
            return ZERO

    def _follow_kind(self) -> None:
        """Only the inputs the kind of plan uses are open."""
        kind = self.kind.currentData()
        for widget in (self.count, self.frequency, self.down_payment):
            widget.setEnabled(kind == "instalments")
        self.discount.setEnabled(kind == "settlement")

    # The preview.

    @property
    def previewing(self) -> bool:
        """A preview is due or on its way: what is shown may not match the terms yet."""
        return self._preview_timer.isActive() or self._preview.busy

    def schedule_preview(self, *_args: object) -> None:
        """The terms changed: what is on screen no longer matches them; ask again shortly."""
        self._shown_for = None
        self._update_buttons()
        self._preview_timer.start()

    def preview_now(self) -> None:
        """Ask the services for the plan the terms on screen make (one question at a time)."""
        self._preview_timer.stop()
        try:
            terms = self.terms()
        except TermsProblem as problem:
            self._show_problem(problem.problems)
            return
        if self._preview.busy:
            self._again = True  # asked again once the answer on its way is in
            return
        self._again = False
        self._preview.run(
            self.context,
            preview_plan,
            self.context.username,
            self.contract_no,
            terms,
            now=self.context.clock(),
            on_done=lambda offer: self._previewed(terms, offer),
            on_error=lambda error: self._preview_failed(terms, error),
        )

    def _current_terms(self) -> PlanTerms | None:
        try:
            return self.terms()
        except TermsProblem:
            return None

    def _answered(self, terms: PlanTerms) -> bool:
        """True when an answer for `terms` is for what is on screen; else ask again."""
        again, self._again = self._again, False
        if terms == self._current_terms():
            return True
        if again:
            self.preview_now()
        return False

    def _previewed(self, terms: PlanTerms, offer: PlanOffer) -> None:
        if not self._answered(terms):
            return
        self.offer = offer
        self._shown_for = terms
        money = self._money
        self._figure("overdue", money(offer.overdue))
        self._figure("waiver", money(offer.waiver))
        self._figure("discount", money(offer.discount))
        self._figure("total", money(offer.total))
        self._figure("down_payment", money(offer.down_payment))
        self.lines.set_lines(offer.lines, self.detail.currency)
        self.lines_total.setText(
            self.tr("{count} payments, together {amount}").format(
                count=self.context.formats.number(len(offer.lines)),
                amount=money(self.lines.total()),
            )
        )
        self.problem.clear()
        self.problem.hide()
        self.marks.clear()
        if offer.needs_approval:
            reasons = [f"• {message_text(breach.message)}" for breach in offer.breaches]
            reasons.append(self.tr("Needs a team lead's approval before it can be issued."))
            self.warnings.setText("\n".join(reasons))
            self.warnings.show()
        else:
            self.warnings.clear()
            self.warnings.hide()
        self._update_buttons()
        self.preview_shown.emit(offer)

    def _preview_failed(self, terms: PlanTerms, error: BaseException) -> None:
        if self._answered(terms):
            self._show_problem(error)
            if isinstance(error, PlanPaused):
                self.load_pause()  # perhaps paused since the dialog opened: say so at the top

    def _show_problem(self, problems: BaseException | list[tuple[str, str]]) -> None:
        """Terms no plan can have: say why at each term refused (what is about no term, where
        the preview was), and allow no saving. The focus stays where the user is typing."""
        if isinstance(problems, BaseException):
            text = error_text(problems)
            elsewhere = self.marks.show(problems, focus=False)
        else:
            text = "\n".join(line for _field, line in problems)
            elsewhere = self.marks.show_texts(problems, focus=False)
        self.offer = None
        self._shown_for = None
        self.lines.set_lines((), self.detail.currency)
        self.lines_total.clear()
        for key in ("waiver", "discount", "total", "down_payment"):
            self._figure(key, "—")
        self.warnings.clear()
        self.warnings.hide()
        shown = "\n".join(elsewhere)
        self.problem.setText(shown)
        self.problem.setAccessibleDescription(shown)
        self.problem.setVisible(bool(shown))
        self._hide_repeated_problem()
        self._update_buttons()
        self.preview_shown.emit(text)

    # Saving a new plan.

    def save(self, submit: bool) -> None:
        """Store the previewed plan: a draft, or submitted (approved, or sent for approval)."""
        terms = self._shown_for
        if terms is None or not self._can_offer():
            return
        self._write(
            save_plan,
            self.contract_no,
            terms,
            submit=submit,
            now=self.context.clock(),
            on_done=self._saved,
        )

    def _saved(self, plan: PlanView) -> None:
        self._show_outcome(plan)
        self._plan_changed(plan)

    def _show_outcome(self, plan: PlanView) -> None:
        if plan.status is PlanStatus.DRAFT:
            text = self.tr("Saved as a draft. Submit it when the borrower agrees.")
        elif plan.status is PlanStatus.APPROVED:
            text = self.tr(
                "Approved: the plan is within the policy. Issue the agreement when the borrower"
                " is ready."
            )
        elif plan.status is PlanStatus.PENDING_APPROVAL:
            reasons = "\n".join(f"• {message_text(message)}" for message in plan.breaches)
            text = self.tr(
                "Waiting for a team lead's approval: the plan is outside the policy.\n{reasons}"
            ).format(reasons=reasons)
        else:
            return
        self.outcome.setText(text)
        self.outcome.setAccessibleName(text)

    # The account's plans.

    def load_plans(self) -> None:
        """Load the account's plans, and whether its collection is paused, again."""
        self.load_pause()
        self._track(
            self.context.call(
                plans_for,
                self.context.username,
                self.contract_no,
                on_done=self._plans_loaded,
                on_error=self._failed,
            )
        )

    def load_pause(self) -> None:
        self._pause_load.run(
            self.context,
            plan_pause_of,
            self.context.username,
            self.contract_no,
            now=self.context.clock(),
            on_done=self._pause_loaded,
            on_error=self._pause_failed,
        )

    def _pause_loaded(self, pause: PlanPause) -> None:
        stopped = self.pause_note.stops_plans
        self.pause_note.show_pause(pause)
        if stopped and not pause.stops_plans:
            self.schedule_preview()  # the refusal on screen no longer holds
        self._hide_repeated_problem()
        self._update_buttons()

    def _pause_failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Could not complete that"), error_text(error))

    def _allowed(self, _pause: PlanPause) -> None:
        """A lead let plans go ahead despite the pause: the terms can be previewed again."""
        self._hide_repeated_problem()
        self.schedule_preview()

    def _hide_repeated_problem(self) -> None:
        # The pause's refusal is said once, at the top, not again where the preview was.
        if self.problem.text() and self.problem.text() == self.pause_note.text():
            self.problem.hide()

    def _plans_loaded(self, plans: tuple[PlanView, ...]) -> None:
        self.plans.set_plans(plans)
        if self.plans.rowCount() and not self.plans_table.currentIndex().isValid():
            self._select(self.plans.row_at(0).id)
        self._update_buttons()

    def selected_plan(self) -> PlanView | None:
        return self.plans.row_for(self.plans_table.currentIndex())

    def select_plan(self, plan_id: uuid.UUID) -> bool:
        return self._select(plan_id)

    def _select(self, plan_id: uuid.UUID) -> bool:
        row = self.plans.row_of(plan_id)
        if row is None:
            return False
        self.plans_table.selectionModel().setCurrentIndex(
            self.plans.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def submit_selected(self) -> None:
        plan = self.selected_plan()
        if plan is not None and plan.status is PlanStatus.DRAFT:
            self._write(submit_plan, plan.id, now=self.context.clock(), on_done=self._saved)

    def issue_selected(self) -> None:
        """Ask where to save the agreement, then issue the approved plan with it: the plan is
        issued only once its file is written (`issue_agreement`), and stays approved if not."""
        plan = self.selected_plan()
        if plan is None or plan.status is not PlanStatus.APPROVED:
            return
        now = self.context.clock()
        path = self._ask_target(agreement_number(plan.id, local_today(now)))
        if path is None:
            return  # nothing issued: the plan waits, approved
        self._write(
            issue_agreement,
            plan.id,
            path,
            language=str(self.language.currentData()),
            now=now,
            on_done=lambda issued: self._issued(issued, path),
        )

    def _issued(self, plan: PlanView, path: Path) -> None:
        self._plan_changed(plan)
        number = plan.agreement_no or ""
        self._written(
            path,
            self.tr("Agreement {number} issued and saved to {path}").format(
                number=number, path=path
            ),
        )

    def save_agreement(self, plan: PlanView | None) -> None:
        """Ask where to save another copy of an issued plan's agreement, then write it there
        (only the file saved when it was issued verifies as genuine)."""
        if plan is None or plan.agreement_no is None or plan.status not in PRINTABLE:
            return
        path = self._ask_target(plan.agreement_no)
        if path is None:
            return
        number = plan.agreement_no
        self._write(
            write_agreement,
            plan.id,
            path,
            language=str(self.language.currentData()),
            now=self.context.clock(),
            on_done=lambda written: self._written(
                written,
                self.tr(
                    "A copy of agreement {number} saved to {path}; only the file saved when "
                    "it was issued verifies as genuine."
                ).format(number=number, path=written),
            ),
        )

    def _ask_target(self, number: str) -> Path | None:
        path = self.context.dialogs.save_file(
            self,
            self.tr("Save agreement {number}").format(number=number),
            _documents() / f"{number}.pdf",
            self.tr("PDF documents (*.pdf)"),
        )
        if path is not None and not path.suffix:
            path = path.with_suffix(".pdf")
        return path

    def _written(self, path: Path, text: str) -> None:
        self._writing = False
        self.pdf = path
        self.agreement.setText(text)
        self.agreement.setAccessibleName(text)
        self.open_pdf.setEnabled(True)
        self._update_buttons()
        self.open_pdf.setFocus(Qt.FocusReason.OtherFocusReason)
        self.agreement_written.emit(path)

    def open_agreement(self) -> None:
        if self.pdf is None:
            return
        if not self.context.dialogs.open_file(self.pdf):
            self.context.dialogs.error(
                self,
                self.tr("Cannot open the agreement"),
                self.tr(
                    "Nothing on this computer opens PDF files. The agreement is at {path}."
                ).format(path=self.pdf),
            )

    def sign_selected(self) -> None:
        """The borrower signed the issued agreement: the plan becomes active."""
        plan = self.selected_plan()
        if plan is None or plan.status is not PlanStatus.ISSUED:
            return
        if not self.context.dialogs.confirm(
            self,
            self.tr("Borrower signed"),
            self.tr("Record that {borrower} signed agreement {number}?").format(
                borrower=self.detail.borrower, number=plan.agreement_no
            ),
        ):
            return
        self._write(sign_plan, plan.id, now=self.context.clock(), on_done=self._plan_changed)

    def cancel_selected(self) -> None:
        """Cancel an open plan, with the reason the collector gives (kept in the audit trail)."""
        plan = self.selected_plan()
        if plan is None or plan.status not in OPEN:
            return
        reason = self.context.dialogs.ask_text(
            self,
            self.tr("Cancel the plan"),
            self.tr("Why is the plan cancelled? The reason is kept with the account."),
        )
        if reason is None:
            return
        self._write(
            cancel_plan, plan.id, reason, now=self.context.clock(), on_done=self._plan_changed
        )

    def _plan_changed(self, plan: PlanView) -> None:
        """A write answered with the plan it changed: show that plan, tell the window."""
        self._writing = False
        self.plans.set_plans(_put(self._all_plans(), plan))
        self._select(plan.id)
        self._update_buttons()
        self.plans_changed.emit(self.contract_no)

    def _all_plans(self) -> list[PlanView]:
        return list(self.plans.rows)

    # Writes and errors.

    def _write(
        self,
        service: Callable[..., Any],
        *args: object,
        on_done: Callable[[Any], None],
        **kwargs: object,
    ) -> None:
        """Run a write on the worker; the buttons wait for its answer."""
        self._writing = True
        self._update_buttons()
        self._track(
            self.context.call(
                service,
                self.context.username,
                *args,
                on_done=on_done,
                on_error=self._failed,
                **kwargs,
            )
        )

    def _track(self, job: Job) -> None:
        # Writes wait for each other (the buttons are off meanwhile), so only the last few
        # can still be on their way; older ones have answered and need no cancelling.
        self._jobs = [*self._jobs[-9:], job]

    def _failed(self, error: BaseException) -> None:
        self._writing = False
        self._update_buttons()
        self.context.dialogs.error(self, self.tr("Could not complete that"), error_text(error))
        if isinstance(error, PlanPaused):
            self.load_pause()  # a pause that came meanwhile refuses it: show it at the top

    # State of the buttons.

    def _can_offer(self) -> bool:
        return (
            not self._writing
            and not self.pause_note.stops_plans
            and not any(plan.status in OPEN for plan in self.plans.rows)
        )

    def _update_buttons(self, *_args: object) -> None:
        open_plan = any(plan.status in OPEN for plan in self._all_plans())
        self.open_plan_note.setVisible(open_plan)
        ready = self._shown_for is not None and self._can_offer()
        self.save_draft.setEnabled(ready)
        self.submit.setEnabled(ready)
        plan = self.selected_plan()
        status = plan.status if plan is not None and not self._writing else None
        # A pause stops a plan going further too; it can still be cancelled.
        going_on = None if self.pause_note.stops_plans else status
        self.submit_draft.setEnabled(going_on is PlanStatus.DRAFT)
        self.issue.setEnabled(going_on is PlanStatus.APPROVED)
        self.save_pdf.setEnabled(status in PRINTABLE)
        self.sign.setEnabled(status is PlanStatus.ISSUED)
        self.cancel_plan.setEnabled(status in OPEN)

    # Small helpers.

    def _money(self, amount: Decimal) -> str:
        return self.context.formats.money(amount, self.detail.currency)

    def _figure(self, key: str, text: str) -> None:
        label = self.figures[key]
        label.setText(text)
        label.setAccessibleName(spoken(self._figure_names[key], text))


def _put(plans: list[PlanView], plan: PlanView) -> list[PlanView]:
    """`plans` with `plan` replacing its old view, or on top (newest first) when new."""
    if any(known.id == plan.id for known in plans):
        return [plan if known.id == plan.id else known for known in plans]
    return [plan, *plans]


def _documents() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def _read_only(table: QTableView) -> None:
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
