"""The team lead's dialogs for moving accounts about (issue 6), opened by `TeamAccountsPanel`.

Each dialog runs its service itself through the context's worker when the lead presses OK,
closes when the service answers and emits `done_with(result)`; a refusal stays in the dialog so
the lead can correct it. `ReassignRuleDialog` applies only a plan the lead has previewed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.common.clock import local_today
from app.services.common.reference import buckets
from app.services.common.teams import Member
from app.services.team.assignment import (
    AccountFilter,
    ReassignPlan,
    ReassignRule,
    TargetShare,
    TeamAccount,
    apply_reassignment,
    longest_priority,
    plan_reassignment,
    priority_levels,
    priority_until,
    reassign,
    set_priority,
)
from app.ui.common.context import Context
from app.ui.common.field_marks import FieldMarks
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS, Formats
from app.ui.common.look import Ink, paint
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn

# A spin box at its minimum means "no bound".
NO_BOUND = -1
# A collector box's choice of the team's pool (no user name can be it: they start with a letter).
POOL = ":pool"


def level_name(level: str) -> str:
    """A priority level as the lead reads it."""
    names = {
        "top": QCoreApplication.translate("TeamAccounts", "Top"),
        "high": QCoreApplication.translate("TeamAccounts", "High"),
        "low": QCoreApplication.translate("TeamAccounts", "Low"),
    }
    return names.get(level, level)


def until_text(expires_at: datetime, formats: Formats) -> str:
    """When an override lapses, as the last day it holds (with the time if not at midnight)."""
    local = expires_at.astimezone(formats.zone)
    if local.time() == time(0):
        return formats.date(local.date() - timedelta(days=1))
    return formats.date_time(expires_at)


def bound_box(none_text: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(NO_BOUND, 9999)
    box.setValue(NO_BOUND)
    box.setSpecialValueText(none_text)
    return box


def bound(box: QSpinBox) -> int | None:
    return None if box.value() == NO_BOUND else box.value()


def _member_text(member: Member) -> str:
    return f"{member.display_name} ({member.username})"


# -- dialogs ---------------------------------------------------------------------------------


class _ServiceDialog(QDialog):
    """A dialog whose OK runs a service; it closes when the service answers, and shows a
    refusal in itself so the lead can correct it: every problem at the field it is about (the
    first one focused), what is about none below the form. Emits `done_with(result)`."""

    done_with = Signal(object)

    def __init__(self, context: Context, team: str | None, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.context = context
        self.team = team
        self.saving = False
        self.message = QLabel()
        self.message.setWordWrap(True)
        # Named in a context of its own: a base class's tr() would be looked up under each
        # subclass's name.
        self.message.setAccessibleName(QCoreApplication.translate("TeamAccounts", "Message"))
        paint(self.message, Ink.ERROR, bold=True)
        # The service's refusals at their fields (its names for them).
        self.marks = FieldMarks()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    @property
    def ok_button(self) -> QPushButton:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        return button

    def submit(self) -> None:
        raise NotImplementedError

    def _run(self, service: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.saving:
            return
        self.saving = True
        self.message.clear()
        self._update()
        self.context.call(
            service,
            self.context.username,
            *args,
            team=self.team,
            now=self.context.clock(),
            on_done=self._done,
            on_error=self._failed,
            **kwargs,
        )

    def _done(self, result: Any) -> None:
        self.saving = False
        self.done_with.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.saving = False
        self._update()
        self._refused(error)

    def _refused(self, error: BaseException) -> None:
        self.message.setText("\n".join(self.marks.show(error)))

    def field(self, form: QFormLayout, name: str, widget: QWidget) -> None:
        """Place the line for field `name`'s problem under the row just added to `form`."""
        form.addRow("", self.marks.add(name, widget))

    def _update(self) -> None:
        self.ok_button.setEnabled(not self.saving)


class ReassignDialog(_ServiceDialog):
    """Give the selected accounts to one collector, with a reason, after seeing the counts.
    `allocate`: they are the pool's, which this allocates."""

    def __init__(
        self,
        context: Context,
        accounts: Sequence[TeamAccount],
        targets: Sequence[Member],
        team: str | None,
        parent: QWidget | None = None,
        *,
        allocate: bool = False,
    ) -> None:
        super().__init__(context, team, parent)
        self.accounts = tuple(accounts)
        self.setWindowTitle(
            self.tr("Allocate accounts") if allocate else self.tr("Reassign accounts")
        )
        self.target = QComboBox()
        self.target.setAccessibleName(self.tr("Give to"))
        for member in targets:
            self.target.addItem(_member_text(member), member.username)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("e.g. Wang Ting is on leave this week"))
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName(self.tr("What moves"))
        self.ok_button.setText(self.tr("Allocate") if allocate else self.tr("Reassign"))
        form = QFormLayout()
        form.addRow(buddy(self.tr("&Give to"), self.target), self.target)
        self.field(form, "to", self.target)
        form.addRow(buddy(self.tr("&Reason"), self.reason), self.reason)
        self.field(form, "reason", self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.target.currentIndexChanged.connect(lambda _index: self._update())
        self.reason.textChanged.connect(lambda _text: self._update())
        self._update()

    def chosen(self) -> str | None:
        value = self.target.currentData()
        return None if value is None else str(value)

    def choose(self, username: str) -> None:
        self.target.setCurrentIndex(self.target.findData(username))

    def preview_text(self) -> str:
        target = self.chosen()
        formats = self.context.formats
        staying = [a for a in self.accounts if a.assignee == target]
        moving = Counter(
            a.assignee_name or self.tr("the pool") for a in self.accounts if a.assignee != target
        )
        sources = ", ".join(
            self.tr("{count} from {name}").format(count=formats.number(count), name=name)
            for name, count in sorted(moving.items())
        )
        text = self.tr("Accounts that move: {count} ({sources}).").format(
            count=formats.number(sum(moving.values())), sources=sources or "—"
        )
        if staying:
            text += " " + self.tr("Already with this collector: {count}.").format(
                count=formats.number(len(staying))
            )
        return text

    def _update(self) -> None:
        if not hasattr(self, "preview"):
            return
        self.preview.setText(self.preview_text())
        self.ok_button.setEnabled(
            not self.saving and self.chosen() is not None and bool(self.reason.text().strip())
        )

    def submit(self) -> None:
        target = self.chosen()
        if target is None or not self.ok_button.isEnabled():
            return
        self._run(
            reassign,
            [account.contract_no for account in self.accounts],
            target,
            reason=self.reason.text(),
        )


PlanSharesModel = RowTableModel[TargetShare, str]


def plan_shares_model(formats: Formats, parent: QObject | None = None) -> PlanSharesModel:
    """Each target's accounts before and after a plan (`set_rows(plan.shares)`)."""
    return PlanSharesModel(
        lambda share: share.username,
        [
            TableColumn(
                QCoreApplication.translate("PlanSharesModel", "Collector"),
                lambda share: f"{share.name} ({share.username})",
            ),
            TableColumn(
                QCoreApplication.translate("PlanSharesModel", "Accounts now"),
                lambda share: formats.number(share.before_count),
                align=RIGHT,
            ),
            TableColumn(
                QCoreApplication.translate("PlanSharesModel", "Accounts after"),
                lambda share: formats.number(share.after_count),
                align=RIGHT,
            ),
            TableColumn(
                QCoreApplication.translate("PlanSharesModel", "Overdue now"),
                lambda share: formats.money(share.before_amount),
                align=RIGHT,
            ),
            TableColumn(
                QCoreApplication.translate("PlanSharesModel", "Overdue after"),
                lambda share: formats.money(share.after_amount),
                align=RIGHT,
            ),
        ],
        parent=parent,
    )


class ReassignRuleDialog(_ServiceDialog):
    """Choose which accounts (a filter) and who gets them; Preview shows the plan, and OK
    applies that very plan. Changing anything asks for a new preview. `allocate`: the pool's
    accounts alone (the source is fixed), which this allocates."""

    def __init__(
        self,
        context: Context,
        initial: AccountFilter,
        targets: Sequence[Member],
        team: str | None,
        parent: QWidget | None = None,
        *,
        allocate: bool = False,
    ) -> None:
        super().__init__(context, team, parent)
        self.plan: ReassignPlan | None = None
        self._planning = False
        self.setWindowTitle(
            self.tr("Allocate the pool by rule") if allocate else self.tr("Reassign by rule")
        )
        self.source = QComboBox()
        self.source.setAccessibleName(self.tr("From"))
        self.source.addItem(self.tr("Anyone in the team"), None)
        self.source.addItem(self.tr("The pool (nobody assigned)"), POOL)
        for member in targets:
            self.source.addItem(_member_text(member), member.username)
        if allocate or (initial.pool and not initial.assignees):
            self.source.setCurrentIndex(self.source.findData(POOL))
            self.source.setEnabled(not allocate)
        elif len(initial.assignees) == 1:
            found = self.source.findData(initial.assignees[0])
            if found < 0:
                self.source.addItem(initial.assignees[0], initial.assignees[0])
                found = self.source.count() - 1
            self.source.setCurrentIndex(found)
        self.bucket = QComboBox()
        self.bucket.setAccessibleName(self.tr("Bucket"))
        self.bucket.addItem(self.tr("All buckets"), None)
        for band in buckets():
            self.bucket.addItem(band.code, band.code)
        if len(initial.buckets) == 1:
            self.bucket.setCurrentIndex(max(self.bucket.findData(initial.buckets[0]), 0))
        self.min_dpd = bound_box(self.tr("any"))
        self.min_dpd.setAccessibleName(self.tr("Lowest DPD"))
        self.max_dpd = bound_box(self.tr("any"))
        self.max_dpd.setAccessibleName(self.tr("Highest DPD"))
        for box, bound in ((self.min_dpd, initial.min_dpd), (self.max_dpd, initial.max_dpd)):
            box.setValue(NO_BOUND if bound is None else bound)
        self.area = QLineEdit(initial.area)
        self.area.setAccessibleName(self.tr("City or district"))
        self._text = initial.text
        self.target_list = QListWidget()
        self.target_list.setAccessibleName(self.tr("Give to"))
        for member in targets:
            item = QListWidgetItem(_member_text(member))
            item.setData(Qt.ItemDataRole.UserRole, member.username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.target_list.addItem(item)
        self.by = QComboBox()
        self.by.setAccessibleName(self.tr("Spread by"))
        self.by.addItem(self.tr("Number of accounts"), "count")
        self.by.addItem(self.tr("Overdue amount"), "amount")
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setMaxLength(200)
        self.preview_button = QPushButton(self.tr("&Preview"))
        self.summary = QLabel(self.tr("Preview the plan to see who gets what."))
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("The plan"))
        self.shares = plan_shares_model(context.formats, self)
        self.shares_table = QTableView()
        self.shares_table.setAccessibleName(self.tr("Who gets what"))
        self.shares_table.setModel(self.shares)
        self.shares_table.verticalHeader().hide()
        self.shares_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.ok_button.setText(self.tr("Allocate") if allocate else self.tr("Apply"))

        dpd = QHBoxLayout()
        dpd.addWidget(self.min_dpd)
        dpd.addWidget(QLabel("–"))
        dpd.addWidget(self.max_dpd)
        dpd.addStretch(1)
        form = QFormLayout()
        form.addRow(buddy(self.tr("&From"), self.source), self.source)
        # The rule's accounts as a whole are said at its first part, where they are chosen.
        self.field(form, "accounts", self.source)
        self.marks.add("assignees", self.source)
        form.addRow(buddy(self.tr("&Bucket"), self.bucket), self.bucket)
        self.field(form, "buckets", self.bucket)
        form.addRow(buddy(self.tr("DP&D"), self.min_dpd), dpd)
        self.field(form, "min_dpd", self.min_dpd)
        self.field(form, "max_dpd", self.max_dpd)
        form.addRow(buddy(self.tr("C&ity or district"), self.area), self.area)
        form.addRow(buddy(self.tr("&Give to"), self.target_list), self.target_list)
        self.field(form, "to", self.target_list)
        form.addRow(buddy(self.tr("&Spread by"), self.by), self.by)
        self.field(form, "by", self.by)
        form.addRow(buddy(self.tr("&Reason"), self.reason), self.reason)
        self.field(form, "reason", self.reason)
        preview_row = QHBoxLayout()
        preview_row.addWidget(self.preview_button)
        preview_row.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(preview_row)
        layout.addWidget(self.shares_table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.preview_button.clicked.connect(self.preview)
        for combo in (self.source, self.bucket, self.by):
            combo.currentIndexChanged.connect(lambda _index: self._stale())
        for spin in (self.min_dpd, self.max_dpd):
            spin.valueChanged.connect(lambda _value: self._stale())
        for edit in (self.area, self.reason):
            edit.textChanged.connect(lambda _text: self._stale())
        self.target_list.itemChanged.connect(lambda _item: self._stale())
        self.resize(640, 560)
        self._update()

    def check_target(self, username: str, checked: bool = True) -> None:
        for row in range(self.target_list.count()):
            item = self.target_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == username:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def rule(self) -> ReassignRule:
        source = self.source.currentData()
        bucket = self.bucket.currentData()
        chosen = tuple(
            str(self.target_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.target_list.count())
            if self.target_list.item(row).checkState() == Qt.CheckState.Checked
        )
        return ReassignRule(
            AccountFilter(
                assignees=() if source in (None, POOL) else (str(source),),
                pool=source == POOL,
                buckets=() if bucket is None else (str(bucket),),
                min_dpd=bound(self.min_dpd),
                max_dpd=bound(self.max_dpd),
                area=self.area.text(),
                text=self._text,
            ),
            to=chosen,
            reason=self.reason.text(),
            by=str(self.by.currentData()),
            team=self.team,
        )

    def preview(self) -> None:
        if self._planning or self.saving:
            return
        self._planning = True
        self.message.clear()
        self._update()
        rule = self.rule()
        self.context.call(
            plan_reassignment,
            self.context.username,
            rule,
            now=self.context.clock(),
            on_done=lambda plan: self._planned(rule, plan),
            on_error=self._plan_failed,
        )

    def _planned(self, rule: ReassignRule, plan: ReassignPlan) -> None:
        self._planning = False
        if rule != self.rule():
            self._update()
            return  # changed while it was planned: that plan answers another question
        self.marks.clear()
        self.plan = plan
        self.shares.set_rows(plan.shares)
        formats = self.context.formats
        self.summary.setText(
            self.tr(
                "Accounts that move: {moves}. Staying with their collector: {unchanged}."
            ).format(
                moves=formats.number(len(plan.moves)), unchanged=formats.number(len(plan.unchanged))
            )
        )
        self._update()

    def _plan_failed(self, error: BaseException) -> None:
        self._planning = False
        self._update()
        self._refused(error)

    def _failed(self, error: BaseException) -> None:
        # The plan was refused (an account changed hands meanwhile): preview a fresh one.
        self._stale()
        super()._failed(error)

    def _stale(self) -> None:
        if self.plan is not None:
            self.plan = None
            self.shares.set_rows(())
            self.summary.setText(self.tr("Preview the plan to see who gets what."))
        self._update()

    def _update(self) -> None:
        if not hasattr(self, "preview_button"):
            return
        self.preview_button.setEnabled(not self._planning and not self.saving)
        self.ok_button.setEnabled(
            not self.saving
            and not self._planning
            and self.plan is not None
            and bool(self.plan.moves)
        )

    def submit(self) -> None:
        if self.plan is None or not self.ok_button.isEnabled():
            return
        plan = self.plan
        if not self.saving:
            self.saving = True
            self.message.clear()
            self._update()
            self.context.call(
                apply_reassignment,
                self.context.username,
                plan,
                now=self.context.clock(),
                on_done=self._done,
                on_error=self._failed,
            )


class PriorityDialog(_ServiceDialog):
    """A priority level, the last day it holds and the reason, for the selected accounts."""

    def __init__(
        self,
        context: Context,
        accounts: Sequence[TeamAccount],
        team: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, team, parent)
        self.accounts = tuple(accounts)
        formats = context.formats
        today = local_today(context.clock())
        self.setWindowTitle(self.tr("Set priority"))
        self.heading = QLabel(
            self.tr("Selected accounts: {count}. Their place in the collectors' queues:").format(
                count=formats.number(len(self.accounts))
            )
        )
        self.level = QComboBox()
        self.level.setAccessibleName(self.tr("Priority"))
        for level in priority_levels():
            self.level.addItem(level_name(level), level)
        self.until = QDateEdit()
        self.until.setAccessibleName(self.tr("Until"))
        self.until.setCalendarPopup(True)
        self.until.setLocale(formats.locale)
        self.until.setDisplayFormat(DATE_FORMATS[formats.language])
        # The last whole day within the policy's longest override, counted from now.
        last = today + longest_priority() - timedelta(days=1)
        self.until.setMinimumDate(_qdate(today))
        self.until.setMaximumDate(_qdate(last))
        self.until.setDate(_qdate(min(today + timedelta(days=6), last)))
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(self.tr("What the collector should know"))
        self.ok_button.setText(self.tr("Set priority"))
        form = QFormLayout()
        form.addRow(buddy(self.tr("&Priority"), self.level), self.level)
        self.field(form, "level", self.level)
        form.addRow(buddy(self.tr("&Until the end of"), self.until), self.until)
        self.field(form, "until", self.until)
        form.addRow(buddy(self.tr("&Reason"), self.reason), self.reason)
        self.field(form, "reason", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(lambda _text: self._update())
        self._update()

    def last_day(self) -> date:
        picked = self.until.date()
        return date(picked.year(), picked.month(), picked.day())

    def choose_level(self, level: str) -> None:
        self.level.setCurrentIndex(self.level.findData(level))

    def _update(self) -> None:
        if not hasattr(self, "reason"):
            return
        self.ok_button.setEnabled(not self.saving and bool(self.reason.text().strip()))

    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        self._run(
            set_priority,
            [account.contract_no for account in self.accounts],
            str(self.level.currentData()),
            self.reason.text(),
            priority_until(self.last_day()),
        )


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
