"""The team lead's Reminders view: what the lender's reminders did on a day on the team's
accounts, and what tomorrow's runs would send.

Above, the day (today by default) and its messages by what became of them; below, one tab
each: the counts by step and channel, the failures with what went wrong in words, the
opt-outs recorded that day, the credit-reporting notices still waiting, and tomorrow's runs
as the dispatcher would decide them now (each step's messages counted, with a few of them as
the borrower would read them). The figures are `reminders_overview`'s, the same as
`reminders overview` prints.

The messages, opt-outs and notices live on the central database only (the dispatcher writes
them there; they do not sync to workstations), so the view reads the central database the
window syncs with, through the window's worker; a window without one (a database of its own)
reads that.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.services.common.clock import local_today
from app.services.common.errors import NotAllowed
from app.services.reminders.overview import (
    Failure,
    Notice,
    OptOut,
    PreviewGroup,
    RemindersOverview,
    StatusCounts,
    StepCounts,
    reminders_overview,
)
from app.services.reminders.strategy import Step
from app.services.team.kpis import rule_text
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS, Formats
from app.ui.common.labels import contact_channel_name
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table
from app.ui.common.wrapping import WrappingLabel
from app.ui.team.dashboard_tables import percent

# Typing a date fires a change per key: the day is loaded once the typing stops.
_SETTLE_MS = 600


def step_name(step: Step | None, step_id: str) -> str:
    """A strategy step in words; its id when no strategy has it any more."""
    if step is None:
        return step_id
    if step.kind == "credit_notice":
        return QCoreApplication.translate("RemindersPanel", "Credit-reporting notice")
    if step.bucket is not None:
        return QCoreApplication.translate("RemindersPanel", "Every {days} days in {bucket}").format(
            days=step.every_days, bucket=step.bucket
        )
    days = step.days_from_due or 0
    if days == 0:
        return QCoreApplication.translate("RemindersPanel", "On the due date")
    if days == -1:
        return QCoreApplication.translate("RemindersPanel", "The day before the due date")
    if days < 0:
        return QCoreApplication.translate(
            "RemindersPanel", "{days} days before the due date"
        ).format(days=-days)
    if days == 1:
        return QCoreApplication.translate("RemindersPanel", "1 day past due")
    return QCoreApplication.translate("RemindersPanel", "{days} days past due").format(days=days)


def opt_out_source(source: str) -> str:
    refused = QCoreApplication.translate("RemindersPanel", "The carrier refused a message")
    names = {
        "borrower": QCoreApplication.translate("RemindersPanel", "The borrower asked"),
        "provider": refused,
        # The carrier's delivery report said the recipient refuses the lender's messages.
        "delivery report": refused,
    }
    return names.get(source, source)


def _stops() -> dict[str, str]:
    return {
        "paid": QCoreApplication.translate("RemindersPanel", "Paid"),
        "settled": QCoreApplication.translate("RemindersPanel", "Settled"),
        "promise_pending": QCoreApplication.translate(
            "RemindersPanel", "A promise to pay is pending"
        ),
        "plan_active": QCoreApplication.translate(
            "RemindersPanel", "A repayment plan carries the account"
        ),
        "escalation_pause": QCoreApplication.translate(
            "RemindersPanel", "An escalation pauses collection"
        ),
        "cease_requested": QCoreApplication.translate(
            "RemindersPanel", "The borrower asked to stop contact"
        ),
        "dispute_open": QCoreApplication.translate("RemindersPanel", "The debt is disputed"),
        "deceased": QCoreApplication.translate("RemindersPanel", "Reported deceased"),
        "legal_referral": QCoreApplication.translate("RemindersPanel", "Referred to legal"),
        "attorney_represented": QCoreApplication.translate(
            "RemindersPanel", "Represented by an attorney"
        ),
        "vulnerable": QCoreApplication.translate("RemindersPanel", "Vulnerable borrower"),
        "opted_out": QCoreApplication.translate("RemindersPanel", "Opted out of the channel"),
        "do_not_contact": QCoreApplication.translate(
            "RemindersPanel", "The number or address may not be used"
        ),
    }


def held_reason(reason: str, language: str) -> str:
    """A dispatcher's reason for not sending (e.g. "stop:promise_pending") in words."""
    kind, _, detail = reason.partition(":")
    stops = _stops()
    if kind == "stop" and detail in stops:
        return stops[detail]
    if kind == "rule":
        return rule_text(detail).text(language)
    names = {
        "no_sms": QCoreApplication.translate("RemindersPanel", "No mobile number"),
        "no_email": QCoreApplication.translate("RemindersPanel", "No e-mail address"),
        "send_window": QCoreApplication.translate("RemindersPanel", "Outside the send window"),
        "weekly_max": QCoreApplication.translate(
            "RemindersPanel", "The week's most messages reached"
        ),
        "too_long": QCoreApplication.translate("RemindersPanel", "Too long to send"),
        "already_sent": QCoreApplication.translate("RemindersPanel", "Sent already"),
    }
    return names.get(reason, reason)


def counts_text(counts: StatusCounts, formats: Formats) -> str:
    number = formats.number
    return QCoreApplication.translate(
        "RemindersPanel",
        "Went out: {went_out} — delivered {delivered} ({rate}), awaiting a delivery report"
        " {sent}, failed {failed}, opted out {opted_out}. Not sent: still planned {planned},"
        " cancelled {cancelled}.",
    ).format(
        went_out=number(counts.went_out),
        delivered=number(counts.delivered),
        rate=percent(counts.delivered_rate),
        sent=number(counts.sent),
        failed=number(counts.failed),
        opted_out=number(counts.opted_out),
        planned=number(counts.planned),
        cancelled=number(counts.cancelled),
    )


# -- the tables -------------------------------------------------------------------------------


class StepColumn(enum.IntEnum):
    STEP = 0
    CHANNEL = 1
    WENT_OUT = 2
    DELIVERED = 3
    RATE = 4
    SENT = 5
    FAILED = 6
    OPTED_OUT = 7
    PLANNED = 8
    CANCELLED = 9


class FailureColumn(enum.IntEnum):
    WHEN = 0
    ACCOUNT = 1
    BORROWER = 2
    CHANNEL = 3
    STEP = 4
    RECIPIENT = 5
    REASON = 6
    ERROR = 7


class OptOutColumn(enum.IntEnum):
    WHEN = 0
    BORROWER = 1
    ACCOUNTS = 2
    CHANNEL = 3
    SOURCE = 4


class NoticeColumn(enum.IntEnum):
    ACCOUNT = 0
    BORROWER = 1
    NOTIFIED = 2
    CHANNEL = 3
    REPORTING = 4


class PreviewColumn(enum.IntEnum):
    RUN = 0
    STEP = 1
    CHANNEL = 2
    MESSAGES = 3


StepModel = RowTableModel[StepCounts, tuple[str, str]]
FailureModel = RowTableModel[Failure, Any]
OptOutModel = RowTableModel[OptOut, Any]
NoticeModel = RowTableModel[Notice, Any]
PreviewModel = RowTableModel[PreviewGroup, tuple[datetime, str, str]]


class _Steps:
    """The steps of the overview shown, to name a step id (set with each overview)."""

    def __init__(self) -> None:
        self.overview: RemindersOverview | None = None

    def name(self, step_id: str) -> str:
        found = self.overview.step(step_id) if self.overview is not None else None
        return step_name(found, step_id)


def step_model(formats: Formats, steps: _Steps, parent: QObject | None = None) -> StepModel:
    number = formats.number

    def count(header: str, read: str) -> TableColumn[StepCounts]:
        return TableColumn(header, lambda row: number(getattr(row.counts, read)), align=RIGHT)

    columns: dict[StepColumn, TableColumn[StepCounts]] = {
        StepColumn.STEP: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Step"),
            lambda row: steps.name(row.step),
            tooltip=lambda row: row.step,
        ),
        StepColumn.CHANNEL: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Channel"),
            lambda row: contact_channel_name(row.channel),
        ),
        StepColumn.WENT_OUT: count(
            QCoreApplication.translate("RemindersPanel", "Went out"), "went_out"
        ),
        StepColumn.DELIVERED: count(
            QCoreApplication.translate("RemindersPanel", "Delivered"), "delivered"
        ),
        StepColumn.RATE: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Delivered %"),
            lambda row: percent(row.counts.delivered_rate),
            align=RIGHT,
        ),
        StepColumn.SENT: count(
            QCoreApplication.translate("RemindersPanel", "Awaiting report"), "sent"
        ),
        StepColumn.FAILED: count(QCoreApplication.translate("RemindersPanel", "Failed"), "failed"),
        StepColumn.OPTED_OUT: count(
            QCoreApplication.translate("RemindersPanel", "Opted out"), "opted_out"
        ),
        StepColumn.PLANNED: count(
            QCoreApplication.translate("RemindersPanel", "Planned"), "planned"
        ),
        StepColumn.CANCELLED: count(
            QCoreApplication.translate("RemindersPanel", "Cancelled"), "cancelled"
        ),
    }
    return StepModel(
        lambda row: (row.step, row.channel), [columns[c] for c in StepColumn], parent=parent
    )


def failure_model(formats: Formats, steps: _Steps, parent: QObject | None = None) -> FailureModel:
    language = formats.language

    def when(row: Failure) -> str:
        return formats.date_time(row.failed_at or row.planned_at)

    columns: dict[FailureColumn, TableColumn[Failure]] = {
        FailureColumn.WHEN: TableColumn(QCoreApplication.translate("RemindersPanel", "When"), when),
        FailureColumn.ACCOUNT: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Account"), lambda row: row.contract_no
        ),
        FailureColumn.BORROWER: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Borrower"), lambda row: row.borrower
        ),
        FailureColumn.CHANNEL: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Channel"),
            lambda row: contact_channel_name(row.channel),
        ),
        FailureColumn.STEP: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Step"), lambda row: steps.name(row.step)
        ),
        FailureColumn.RECIPIENT: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Sent to"), lambda row: row.recipient
        ),
        FailureColumn.REASON: TableColumn(
            QCoreApplication.translate("RemindersPanel", "What went wrong"),
            lambda row: row.reason.text(language),
            tooltip=lambda row: row.reason.text(language),
        ),
        FailureColumn.ERROR: TableColumn(
            QCoreApplication.translate("RemindersPanel", "The provider's answer"),
            lambda row: row.error or "",
            tooltip=lambda row: row.error or "",
        ),
    }
    return FailureModel(lambda row: row.id, [columns[c] for c in FailureColumn], parent=parent)


def opt_out_model(formats: Formats, parent: QObject | None = None) -> OptOutModel:
    columns: dict[OptOutColumn, TableColumn[OptOut]] = {
        OptOutColumn.WHEN: TableColumn(
            QCoreApplication.translate("RemindersPanel", "When"),
            lambda row: formats.date_time(row.at),
        ),
        OptOutColumn.BORROWER: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Borrower"), lambda row: row.borrower
        ),
        OptOutColumn.ACCOUNTS: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Accounts"),
            lambda row: ", ".join(row.contract_nos),
        ),
        OptOutColumn.CHANNEL: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Channel"),
            lambda row: contact_channel_name(row.channel),
        ),
        OptOutColumn.SOURCE: TableColumn(
            QCoreApplication.translate("RemindersPanel", "How"),
            lambda row: opt_out_source(row.source),
        ),
    }
    return OptOutModel(lambda row: row.id, [columns[c] for c in OptOutColumn], parent=parent)


def notice_model(formats: Formats, parent: QObject | None = None) -> NoticeModel:
    columns: dict[NoticeColumn, TableColumn[Notice]] = {
        NoticeColumn.ACCOUNT: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Account"), lambda row: row.contract_no
        ),
        NoticeColumn.BORROWER: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Borrower"), lambda row: row.borrower
        ),
        NoticeColumn.NOTIFIED: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Notified"),
            lambda row: formats.date_time(row.notified_at),
        ),
        NoticeColumn.CHANNEL: TableColumn(
            QCoreApplication.translate("RemindersPanel", "By"),
            lambda row: _notice_channel(row.channel),
        ),
        NoticeColumn.REPORTING: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Reporting may begin"),
            lambda row: formats.date(row.reporting_from),
        ),
    }
    return NoticeModel(lambda row: row.loan_id, [columns[c] for c in NoticeColumn], parent=parent)


def _notice_channel(channel: str) -> str:
    if channel == "letter":
        return QCoreApplication.translate("RemindersPanel", "Letter")
    return contact_channel_name(channel)


def preview_model(formats: Formats, steps: _Steps, parent: QObject | None = None) -> PreviewModel:
    columns: dict[PreviewColumn, TableColumn[PreviewGroup]] = {
        PreviewColumn.RUN: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Run at"),
            lambda row: formats.date_time(row.at),
        ),
        PreviewColumn.STEP: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Step"), lambda row: steps.name(row.step)
        ),
        PreviewColumn.CHANNEL: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Channel"),
            lambda row: contact_channel_name(row.channel),
        ),
        PreviewColumn.MESSAGES: TableColumn(
            QCoreApplication.translate("RemindersPanel", "Messages"),
            lambda row: formats.number(row.count),
            align=RIGHT,
        ),
    }
    return PreviewModel(
        lambda row: (row.at, row.step, row.channel),
        [columns[c] for c in PreviewColumn],
        parent=parent,
    )


def samples_text(group: PreviewGroup, formats: Formats) -> str:
    """The group's sample messages as the borrowers would read them."""
    parts = [
        QCoreApplication.translate(
            "RemindersPanel", "{shown} of {count} messages, as the borrower would read them:"
        ).format(shown=formats.number(len(group.samples)), count=formats.number(group.count))
    ]
    for sample in group.samples:
        head = QCoreApplication.translate(
            "RemindersPanel", "{account} · {borrower} · to {recipient}"
        ).format(account=sample.contract_no, borrower=sample.borrower, recipient=sample.recipient)
        if sample.segments:
            head += " · " + QCoreApplication.translate(
                "RemindersPanel", "{segments} SMS parts"
            ).format(segments=sample.segments)
        lines = [head]
        if sample.subject:
            lines.append(
                QCoreApplication.translate("RemindersPanel", "Subject: {subject}").format(
                    subject=sample.subject
                )
            )
        lines.append(sample.text)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


# -- the panel --------------------------------------------------------------------------------


class Section(enum.IntEnum):
    STEPS = 0
    FAILURES = 1
    OPT_OUTS = 2
    NOTICES = 3
    TOMORROW = 4


class RemindersPanel(QWidget):
    """The day's reminders and tomorrow's preview. Emits `loaded()` after each day shown."""

    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("reminders")
        self.setWindowTitle(self.tr("Reminders"))
        self._load = Latest()
        self._overview: RemindersOverview | None = None
        self._refused = False
        self._steps = _Steps()
        formats = context.formats

        self.day_edit = QDateEdit()
        self.day_edit.setAccessibleName(self.tr("Day"))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setLocale(formats.locale)
        self.day_edit.setDisplayFormat(DATE_FORMATS[formats.language])
        today = self.today()
        self.day_edit.setMaximumDate(_qdate(today))
        self.day_edit.setDate(_qdate(today))
        self.reload_button = QPushButton(self.tr("Re&load"))
        self.reload_button.setToolTip("F5")
        self.status = WrappingLabel()
        self.status.setAccessibleName(self.tr("Status"))
        header = QHBoxLayout()
        header.addWidget(buddy(self.tr("Da&y"), self.day_edit))
        header.addWidget(self.day_edit)
        header.addWidget(self.reload_button)
        header.addSpacing(12)
        header.addWidget(self.status, 1)
        self.counts_label = WrappingLabel()
        self.counts_label.setAccessibleName(self.tr("The day's messages"))
        self.counts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.steps = step_model(formats, self._steps, self)
        self.step_table = self._table(self.steps, self.tr("Messages by step and channel"))
        self.failures = failure_model(formats, self._steps, self)
        self.failure_table = self._table(self.failures, self.tr("Failed messages"))
        self.opt_outs = opt_out_model(formats, self)
        self.opt_out_table = self._table(self.opt_outs, self.tr("Opt-outs recorded that day"))
        self.notices = notice_model(formats, self)
        self.notice_table = self._table(self.notices, self.tr("Credit-reporting notices"))
        self.notices_label = WrappingLabel()
        notices_page = QWidget()
        notices_layout = QVBoxLayout(notices_page)
        notices_layout.addWidget(self.notices_label)
        notices_layout.addWidget(self.notice_table, 1)

        self.preview = preview_model(formats, self._steps, self)
        self.preview_table = self._table(self.preview, self.tr("Tomorrow's messages by run"))
        self.preview_label = WrappingLabel()
        self.held_label = WrappingLabel()
        self.held_label.setAccessibleName(self.tr("What would not go, and why"))
        self.samples = QPlainTextEdit()
        self.samples.setReadOnly(True)
        self.samples.setAccessibleName(self.tr("Sample messages"))
        preview_split = QSplitter(Qt.Orientation.Horizontal)
        preview_split.addWidget(self.preview_table)
        preview_split.addWidget(self.samples)
        preview_split.setStretchFactor(0, 2)
        preview_split.setStretchFactor(1, 3)
        tomorrow_page = QWidget()
        tomorrow_layout = QVBoxLayout(tomorrow_page)
        tomorrow_layout.addWidget(self.preview_label)
        tomorrow_layout.addWidget(preview_split, 1)
        tomorrow_layout.addWidget(self.held_label)

        self.sections = QTabWidget()
        self.sections.setAccessibleName(self.tr("Reminders of the day"))
        self.sections.addTab(self.step_table, "")
        self.sections.addTab(self.failure_table, "")
        self.sections.addTab(self.opt_out_table, "")
        self.sections.addTab(notices_page, "")
        self.sections.addTab(tomorrow_page, "")
        self._name_sections(None)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(header)
        content_layout.addWidget(self.counts_label)
        content_layout.addWidget(self.sections, 1)

        # Anyone but a lead or an administrator sees why, and nothing else.
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal.setAccessibleName(self.tr("Not available"))
        self.pages = QStackedWidget()
        self.pages.addWidget(content)
        self.pages.addWidget(self.refusal)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(_SETTLE_MS)
        self._settle.timeout.connect(self.refresh)
        refresh = QAction(self.tr("Reload the reminders"), self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        self.reload_button.clicked.connect(self.refresh)
        self.day_edit.dateChanged.connect(lambda _day: self._settle.start())
        self.preview_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_samples()
        )

    def _table(self, model: RowTableModel[Any, Any], name: str) -> QTableView:
        table = list_table(model, name)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        return table

    # What is shown.

    @property
    def overview(self) -> RemindersOverview | None:
        """The day shown (the last one that came back)."""
        return self._overview

    @property
    def busy(self) -> bool:
        return self._load.busy

    @property
    def refused(self) -> bool:
        return self._refused

    def today(self) -> date:
        return local_today(self.context.clock())

    def selected_day(self) -> date:
        day = self.day_edit.date()
        return date(day.year(), day.month(), day.day())

    def set_day(self, day: date) -> None:
        """Show `day` (loaded at once)."""
        self.day_edit.blockSignals(True)
        self.day_edit.setDate(_qdate(day))
        self.day_edit.blockSignals(False)
        self.refresh()

    def _database(self) -> Database:
        # The messages are on the central database alone (see the module's doc).
        return self.context.central or self.context.db

    # Loading.

    def refresh(self) -> None:
        """Load the chosen day again (on the worker); `loaded()` when shown."""
        self._settle.stop()
        if self._refused:
            return
        self._say(self.tr("Loading…"))
        self._load.run(
            self.context.runner,
            reminders_overview,
            self._database(),
            self.context.username,
            self.selected_day(),
            now=self.context.clock(),
            on_done=self._shown,
            on_error=self._failed,
        )

    def _shown(self, overview: RemindersOverview) -> None:
        self._overview = overview
        self._steps.overview = overview
        formats = self.context.formats
        self.steps.set_rows(overview.by_step)
        self.failures.set_rows(overview.failures)
        self.opt_outs.set_rows(overview.opt_outs)
        self.notices.set_rows(overview.notices)
        self.preview.set_rows(overview.preview.groups)
        for table in (self.step_table, self.failure_table, self.opt_out_table, self.notice_table):
            table.resizeColumnsToContents()
        self.preview_table.resizeColumnsToContents()
        self.counts_label.setText(counts_text(overview.counts, formats))
        self.notices_label.setText(
            self.tr(
                "Accounts notified and waiting until reporting may begin, or notified that day:"
                " {count}. Accounts whose adverse information may already be reported: {ready}."
            ).format(
                count=formats.number(len(overview.notices)),
                ready=formats.number(overview.reportable),
            )
        )
        preview = overview.preview
        self.preview_label.setText(
            self.tr(
                "Tomorrow, {day}: {count} messages would go in {runs} runs, as the dispatcher"
                " would decide them now. Nothing is sent from here."
            ).format(
                day=formats.date(preview.day),
                count=formats.number(preview.total),
                runs=formats.number(len(preview.runs)),
            )
        )
        language = self.context.language
        held = [
            self.tr("{reason}: {count}").format(
                reason=held_reason(reason, language), count=formats.number(count)
            )
            for reason, count in preview.held
        ]
        self.held_label.setText(
            self.tr("Would not go: {reasons}.").format(reasons="; ".join(held))
            if held
            else self.tr("Nothing due tomorrow is held back.")
        )
        if preview.groups:
            self.preview_table.setCurrentIndex(self.preview.index(0, PreviewColumn.RUN))
        self._show_samples()
        self._name_sections(overview)
        whose = (
            self.tr("team {team}").format(team=overview.team)
            if overview.team
            else self.tr("every account")
        )
        self._say(
            self.tr("{day}, {whose}: loaded at {time}.").format(
                day=formats.date(overview.day),
                whose=whose,
                time=formats.time(overview.generated_at),
            )
        )
        self.loaded.emit()

    def _name_sections(self, overview: RemindersOverview | None) -> None:
        number = self.context.formats.number

        def counted(text: str, count: int) -> str:
            return self.tr("{section} ({count})").format(section=text, count=number(count))

        names = {
            Section.STEPS: self.tr("&By step"),
            Section.FAILURES: self.tr("F&ailures"),
            Section.OPT_OUTS: self.tr("Opt-o&uts"),
            Section.NOTICES: self.tr("Credit &notices"),
            Section.TOMORROW: self.tr("&Tomorrow"),
        }
        if overview is not None:
            names[Section.FAILURES] = counted(names[Section.FAILURES], len(overview.failures))
            names[Section.OPT_OUTS] = counted(names[Section.OPT_OUTS], len(overview.opt_outs))
            names[Section.NOTICES] = counted(names[Section.NOTICES], len(overview.notices))
            names[Section.TOMORROW] = counted(names[Section.TOMORROW], overview.preview.total)
        for section, text in names.items():
            self.sections.setTabText(section.value, text)

    def _show_samples(self) -> None:
        group = self.preview.row_for(self.preview_table.currentIndex())
        if group is None:
            self.samples.clear()
            return
        self.samples.setPlainText(samples_text(group, self.context.formats))

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, NotAllowed):
            self._refused = True
            self.refusal.setText(error_text(error))
            self.pages.setCurrentWidget(self.refusal)
            return
        self._say(self.tr("The reminders could not be loaded."), problem=True)
        self.context.dialogs.error(self, self.tr("Could not load the reminders"), error_text(error))

    def _say(self, text: str, problem: bool = False) -> None:
        paint(self.status, Ink.ERROR if problem else None, bold=problem)
        self.status.setText(text)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
