"""The borrower workspace: who the borrower is, what is overdue, how to reach them, what happened.

`Workspace.show_account` fills every part from plain data the main window loaded in the
background (`account_detail`, `call_options`); nothing here reads the database except the
Add note button, which goes through the context's worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.contact.dialing import CallOption
from app.services.contact.upkeep import (
    lift_attorney,
    lift_contact_point_mark,
    mark_contact_point,
)
from app.services.portfolio.accounts import AccountDetail
from app.services.portfolio.balances import Balance
from app.services.reminders.letters import IssuedLetter, issue_letter
from app.ui.collector.contact_points import ContactPointsBox
from app.ui.collector.contact_upkeep import (
    AddPointDialog,
    AttorneyDialog,
    ContactTermsBox,
    PreferencesDialog,
    UpkeepDialog,
)
from app.ui.collector.notes_box import NotesBox
from app.ui.collector.schedule import PaymentsTable, ScheduleTable
from app.ui.collector.timeline import TimelinePanel
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.i18n import Formats
from app.ui.common.labels import (
    borrower_flag,
    loan_status_name,
    product_name,
    spoken,
    zone_times,
)
from app.ui.common.look import chip
from app.ui.common.scroll_areas import FittedScrollArea
from app.ui.common.wrapping import WrappingLabel

# The borrower's clock changes by the minute; half a minute keeps it at most 30 s behind.
CLOCK_INTERVAL_MS = 30_000
# Numbers that reach the borrower themself: their zones say where the borrower is.
OWN_KINDS = frozenset({"mobile", "home", "work"})


def borrower_zones(detail: AccountDetail) -> tuple[str, ...]:
    """Every zone the borrower may be in: the address's first, then their own numbers'.

    The rules check each of them (docs/domain.md §4), so the header shows each clock that differs.
    """
    zones = [
        *detail.address_zones,
        *(
            zone
            for point in detail.contact_points
            if point.kind in OWN_KINDS
            for zone in point.time_zones
        ),
    ]
    return tuple(dict.fromkeys(zones))


class AccountHeader(QFrame):
    """Name, masked ID, age, product, contract, DPD, flags, and the borrower's time now."""

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.zones: tuple[str, ...] = ()
        self.setAccessibleName(self.tr("Borrower"))
        self.name = WrappingLabel()
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name.setFont(font)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Each fact keeps to one line while the pane has room, and wraps in its place when not.
        self.identity = WrappingLabel()
        self.loan = WrappingLabel()
        self.arrears = WrappingLabel()
        self.local_time = WrappingLabel()
        self.flags: list[QLabel] = []
        self._flag_row = QHBoxLayout()
        self._flag_row.setContentsMargins(0, 0, 0, 0)
        self._flag_row.addStretch(1)

        bold = QFont(self.arrears.font())
        bold.setBold(True)
        self.arrears.setFont(bold)
        # Two lines: who and how late (with their clock), then who they are and which loan.
        # The narrow middle pane of a 1366×768 screen holds them without wrapping.
        first = QHBoxLayout()
        first.setSpacing(18)
        first.addWidget(self.name)
        first.addWidget(self.arrears)
        first.addStretch(1)
        first.addWidget(self.local_time)
        facts = QHBoxLayout()
        facts.setSpacing(18)
        facts.addWidget(self.identity)
        facts.addWidget(self.loan)
        facts.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(first)
        layout.addLayout(facts)
        layout.addLayout(self._flag_row)

    def show_detail(self, detail: AccountDetail, zones: tuple[str, ...], now: datetime) -> None:
        language = self.formats.language
        self._set(self.name, self.tr("Borrower"), detail.borrower)
        self._set(
            self.identity,
            self.tr("Identity"),
            self.tr("ID {id_number} · age {age}").format(
                id_number=detail.id_number_masked, age=self.formats.number(detail.age)
            ),
        )
        loan = self.tr("{product} · contract {contract}").format(
            product=product_name(detail.product, language), contract=detail.contract_no
        )
        if detail.status != "active":
            loan = self.tr("{loan} · {status}").format(
                loan=loan, status=loan_status_name(detail.status)
            )
        self._set(self.loan, self.tr("Loan"), loan)
        self._set(
            self.arrears,
            self.tr("Arrears"),
            self.tr("DPD {dpd} · bucket {bucket}").format(
                dpd=self.formats.number(detail.balance.dpd), bucket=detail.balance.bucket
            ),
        )
        self._show_flags(detail.flags)
        self.zones = zones
        self.refresh_time(now)

    def refresh_time(self, now: datetime) -> None:
        groups = zone_times(self.zones, now)
        if not groups:
            text = self.tr("Borrower's time: unknown")
        elif len(groups) == 1:
            text = self.tr("Borrower's time: {time}").format(time=groups[0][0])
        else:
            # The borrower may be in any of these zones: show each clock with where it is.
            text = self.tr("Borrower's time: {times}").format(
                times=" / ".join(f"{time} ({', '.join(keys)})" for time, keys in groups)
            )
        self.local_time.setText(text)
        self.local_time.setAccessibleName(text)
        self.local_time.setToolTip("\n".join(self.zones))

    def _show_flags(self, flags: Sequence[str]) -> None:
        for label in self.flags:
            self._flag_row.removeWidget(label)
            label.hide()
            label.deleteLater()
        self.flags = []
        for code in flags:
            flag = borrower_flag(code, self.formats.language)
            label = QLabel(flag.text)
            label.setObjectName(f"flag_{code}")
            chip(label, flag.tone)
            label.setAccessibleName(spoken(self.tr("Flag"), flag.text))
            self._flag_row.insertWidget(len(self.flags), label)
            self.flags.append(label)

    @staticmethod
    def _set(label: QLabel, caption: str, text: str) -> None:
        label.setText(text)
        label.setAccessibleName(spoken(caption, text))


class BalanceBox(QGroupBox):
    """The overdue breakdown: principal, interest, penalty (罚息), fees, totals, due dates."""

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.setTitle(self.tr("Overdue"))
        self.setAccessibleName(self.tr("Overdue"))
        self.values: dict[str, QLabel] = {}
        self._captions = {
            "principal": self.tr("Principal"),
            "interest": self.tr("Interest"),
            "penalty": self.tr("Penalty interest"),
            "fees": self.tr("Fees"),
            "overdue": self.tr("Total overdue"),
            "owed": self.tr("Total owed"),
            "oldest_due": self.tr("Oldest unpaid due date"),
            "next_due": self.tr("Next due date"),
        }
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for key, caption in self._captions.items():
            title = QLabel(caption)
            title.setAccessibleName(caption)
            value = QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if key == "overdue":
                font = value.font()
                font.setBold(True)
                value.setFont(font)
                title.setFont(font)
            form.addRow(title, value)
            self.values[key] = value

    def show_balance(self, balance: Balance, currency: str = "CNY") -> None:
        amounts: dict[str, Decimal] = {
            "principal": balance.principal,
            "interest": balance.interest,
            "penalty": balance.penalty,
            "fees": balance.fees,
            "overdue": balance.overdue,
            "owed": balance.owed,
        }
        for key, amount in amounts.items():
            self._set(key, self.formats.money(amount, currency))
        none = self.tr("none")
        oldest = balance.oldest_unpaid_due
        upcoming = balance.next_due
        self._set("oldest_due", self.formats.date(oldest) if oldest else none)
        self._set("next_due", self.formats.date(upcoming) if upcoming else none)

    def _set(self, key: str, text: str) -> None:
        label = self.values[key]
        label.setText(text)
        label.setAccessibleName(spoken(self._captions[key], text))


class Workspace(QWidget):
    """The borrower workspace panel of the main window.

    Signals: `dial_requested(CallOption)` when an enabled Call button is pressed;
    `note_added()` after a note is stored (the main window reloads the account);
    `plan_requested()` when "Offer a plan…" is pressed (the main window opens the plan dialog);
    `contacts_changed()` after a contact point, a mark or the borrower's contact terms changed
    (the main window reloads the account, and with it what the rules allow);
    `letter_written(IssuedLetter)` once "Letter…" saved a demand letter.
    """

    dial_requested = Signal(object)
    note_added = Signal()
    plan_requested = Signal()
    contacts_changed = Signal()
    letter_written = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: AccountDetail | None = None
        self.options: tuple[CallOption, ...] = ()
        formats = context.formats

        self.empty = QLabel(self.tr("Choose an account in the queue"))
        self.empty.setAccessibleName(self.empty.text())
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.header = AccountHeader(formats)
        self.balance = BalanceBox(formats)
        self.offer_plan = QPushButton(self.tr("Offer a plan…"))
        self.offer_plan.setAccessibleName(self.tr("Offer a repayment plan"))
        self.offer_plan.setToolTip(self.tr("Work out a repayment plan with the borrower"))
        self.offer_plan.clicked.connect(self.plan_requested)
        self.letter = QPushButton(self.tr("Letter…"))
        self.letter.setAccessibleName(self.tr("Save a demand letter"))
        self.letter.setToolTip(
            self.tr("Save a demand letter to the borrower's postal address as a PDF")
        )
        self.letter.clicked.connect(self.save_letter)
        self.points = ContactPointsBox(formats)
        self.terms = ContactTermsBox(context)
        # The contact upkeep form open now (one at a time), for the account it was opened on.
        self.upkeep_dialog: UpkeepDialog | None = None
        self.notes = NotesBox(context)
        self.timeline = TimelinePanel(formats)
        self.schedule = ScheduleTable(formats)
        self.payments = PaymentsTable(formats)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Account history"))
        self.tabs.addTab(self.timeline, self.tr("Timeline"))
        self.tabs.addTab(self.schedule, self.tr("Schedule"))
        self.tabs.addTab(self.payments, self.tr("Payments"))

        left = QWidget()
        left.setAccessibleName(self.tr("Balance, contact points and notes"))
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.balance)
        plan_row = QHBoxLayout()
        plan_row.addStretch(1)
        plan_row.addWidget(self.letter)
        plan_row.addWidget(self.offer_plan)
        column.addLayout(plan_row)
        column.addWidget(self.points)
        column.addWidget(self.terms)
        column.addWidget(self.notes)
        column.addStretch(1)
        scroll = FittedScrollArea(left)
        scroll.setAccessibleName(self.tr("Balance, contact points and notes"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("work-splitter")
        self.splitter.setAccessibleName(self.tr("Workspace"))
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        content = QWidget()
        content.setAccessibleName(self.tr("Borrower workspace"))
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.header)
        body.addWidget(self.splitter, 1)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.empty)
        self._stack.addWidget(content)
        self.setAccessibleName(self.tr("Borrower workspace"))

        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_INTERVAL_MS)
        self._clock.timeout.connect(self.refresh_times)
        self.points.dial_requested.connect(self.dial_requested)
        self.points.mark_requested.connect(self.mark_point)
        self.points.lift_requested.connect(self.lift_mark)
        self.points.add_requested.connect(lambda: self._open(AddPointDialog))
        self.terms.preferences_requested.connect(lambda: self._open(PreferencesDialog))
        self.terms.attorney_requested.connect(lambda: self._open(AttorneyDialog))
        self.terms.attorney_lift_requested.connect(self.lift_attorney)
        self.notes.saved.connect(lambda _note: self.note_added.emit())
        self.clear()

    # Data in.

    def show_account(self, detail: AccountDetail, options: Sequence[CallOption]) -> None:
        """Show `detail` with the rules' answers `options` (both loaded in the background)."""
        other = self.detail is None or self.detail.contract_no != detail.contract_no
        focused = self._focused_call_button()
        self.detail = detail
        self.options = tuple(options)
        now = self.context.clock()
        currency = detail.currency
        self.header.show_detail(detail, borrower_zones(detail), now)
        self.balance.show_balance(detail.balance, currency)
        self.points.set_points(
            detail.contact_points, self.options, now, can_lift=detail.can_lift_marks
        )
        self.terms.show_terms(detail.terms, detail.can_lift_marks)
        if other:
            # A text typed to search one borrower's history means nothing on the next.
            self.timeline.text.clear()
        self.timeline.set_items(detail.timeline, currency)
        self.schedule.set_schedule(detail.schedule, detail.balance.as_of, currency)
        self.payments.set_payments(detail.timeline, currency)
        self.notes.set_contract(detail.contract_no)
        self._chain_tab_order()
        self._update_focus_proxy()
        self._stack.setCurrentIndex(1)
        self._clock.start()
        if focused is not None:
            self._refocus_call_button(focused)

    def update_options(self, options: Sequence[CallOption]) -> None:
        """Fresh rule answers for the account shown (e.g. when quiet hours begin or end)."""
        if self.detail is None:
            return
        self.options = tuple(options)
        self.points.set_options(self.options, self.context.clock())
        self._update_focus_proxy()

    def clear(self) -> None:
        """No account: the empty state."""
        self.detail = None
        self.options = ()
        self._clock.stop()
        self.notes.set_contract(None)
        self.setFocusProxy(None)  # type: ignore[arg-type]  # Qt takes null; the stub omits it
        self._stack.setCurrentIndex(0)

    @property
    def contract_no(self) -> str | None:
        return None if self.detail is None else self.detail.contract_no

    def refresh_times(self) -> None:
        """Move the borrower's clocks on (the timer calls this every 30 s)."""
        if self.detail is None:
            return
        now = self.context.clock()
        self.header.refresh_time(now)
        self.points.refresh_times(now)

    # Contact upkeep: the box and the terms ask, the services answer on the worker.

    def mark_point(self, point_id: object, mark: str) -> None:
        """Mark a point verified, wrong or do-not-call (which asks for the borrower's words)."""
        detail = self.detail
        if detail is None:
            return
        words = None
        if mark == "do_not_call":
            words = self.context.dialogs.ask_text(
                self,
                self.tr("Do not call this number"),
                self.tr("What did the borrower say? Their own words are kept with the mark."),
            )
            if words is None:
                return
        self.context.call(
            mark_contact_point,
            self.context.username,
            detail.contract_no,
            point_id,
            mark,
            words=words,
            now=self.context.clock(),
            on_done=lambda _view: self.contacts_changed.emit(),
            on_error=lambda error: self._refused(self.tr("The mark was not set"), error),
        )

    def lift_mark(self, point_id: object, mark: str) -> None:
        """A team lead lifts a wrong or do-not-call mark."""
        detail = self.detail
        if detail is None:
            return
        self.context.call(
            lift_contact_point_mark,
            self.context.username,
            detail.contract_no,
            point_id,
            mark,
            now=self.context.clock(),
            on_done=lambda _view: self.contacts_changed.emit(),
            on_error=lambda error: self._refused(self.tr("The mark was not lifted"), error),
        )

    def lift_attorney(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if not self.context.dialogs.confirm(
            self,
            self.tr("No longer represented"),
            self.tr("Record that the attorney no longer represents {borrower}?").format(
                borrower=detail.borrower
            ),
        ):
            return
        self.context.call(
            lift_attorney,
            self.context.username,
            detail.contract_no,
            on_done=lambda _terms: self.contacts_changed.emit(),
            on_error=lambda error: self._refused(self.tr("Not recorded"), error),
        )

    def _open(self, kind: type[AddPointDialog | PreferencesDialog | AttorneyDialog]) -> None:
        detail = self.detail
        if detail is None:
            return
        old = self.upkeep_dialog
        if old is not None:
            if old.saving:
                old.raise_()
                return
            old.close()
            old.deleteLater()
        dialog = kind(self.context, detail, self)
        dialog.stored.connect(lambda _result: self.contacts_changed.emit())
        self.upkeep_dialog = dialog
        dialog.open()

    # Documents: the services write them, on the worker.

    def save_letter(self) -> None:
        """Ask where to save the account's demand letter, then issue it there (the service
        refuses, with the reason, an account that gets no letter)."""
        detail = self.detail
        if detail is None:
            return
        path = self.context.dialogs.save_file(
            self,
            self.tr("Save the demand letter for {contract}").format(contract=detail.contract_no),
            _documents() / f"{detail.contract_no}-demand-letter.pdf",
            self.tr("PDF documents (*.pdf)"),
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(".pdf")
        self.letter.setEnabled(False)
        self.context.call(
            issue_letter,
            self.context.username,
            detail.contract_no,
            "demand",
            path,
            now=self.context.clock(),
            on_done=self._letter_saved,
            on_error=self._letter_refused,
        )

    def _letter_saved(self, letter: IssuedLetter) -> None:
        self.letter.setEnabled(True)
        self.context.dialogs.info(
            self,
            self.tr("Demand letter saved"),
            self.tr("Demand letter {number} for {contract} saved to {path}.").format(
                number=letter.letter_no, contract=letter.contract_no, path=letter.path
            ),
        )
        self.letter_written.emit(letter)

    def _letter_refused(self, error: BaseException) -> None:
        self.letter.setEnabled(True)
        self._refused(self.tr("No letter was written"), error)

    def _refused(self, title: str, error: BaseException) -> None:
        self.context.dialogs.error(self, title, error_text(error))

    # Keyboard: the main window binds its shortcuts to these.

    def focus_note(self) -> None:
        """Ctrl+Shift+N in the main window: write a note on the account shown."""
        if self.detail is not None:
            self.notes.focus()

    def focus_timeline_filter(self) -> None:
        if self.detail is not None:
            self.tabs.setCurrentWidget(self.timeline)
            self.timeline.focus_filter()

    def focus_first_call(self) -> bool:
        """Focus the first Call button the rules allow; False when none is."""
        for button in self.points.call_buttons():
            if button.isEnabled():
                button.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
        return False

    # Focus.

    def _chain_tab_order(self) -> None:
        """Plan, calls, note, history, then contact upkeep (marks, add, the terms), and the
        letter last (a document now and then, not part of a call)."""
        chain: list[QWidget] = [
            self.offer_plan,
            *self.points.call_buttons(),
            self.notes.editor,
            self.notes.add,
            self.tabs,
            self.timeline.kind,
            self.timeline.text,
            self.timeline.table,
            self.schedule,
            self.payments,
            # Upkeep last: from a number Tab goes straight on to the note, as during a call.
            *self.points.mark_buttons(),
            self.points.add,
            self.terms.edit_preferences,
            self.terms.edit_attorney,
            self.terms.lift_attorney,
            self.letter,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _update_focus_proxy(self) -> None:
        """Focusing the workspace lands on the first number the rules allow, else the note box.

        The main window's "go to the workspace" only calls `setFocus()` on this panel.
        """
        allowed = [button for button in self.points.call_buttons() if button.isEnabled()]
        self.setFocusProxy(allowed[0] if allowed else self.notes.editor)

    def _focused_call_button(self) -> int | None:
        buttons: list[QPushButton] = self.points.call_buttons()
        focused = self.focusWidget()
        return buttons.index(focused) if focused in buttons else None

    def _refocus_call_button(self, position: int) -> None:
        # The rows were rebuilt: give focus back to the same row's button, or the first usable.
        buttons = self.points.call_buttons()
        if position < len(buttons) and buttons[position].isEnabled():
            buttons[position].setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.focus_first_call():
            self.notes.focus()


def _documents() -> Path:
    """The user's documents folder, where a saved document is suggested first."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()
