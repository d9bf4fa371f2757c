"""The team lead's dashboard (docs/domain.md §8): the team's numbers for a span of days.

A lead starts the day with yesterday's numbers: per collector and for the team, every KPI,
then cure and roll by bucket, checklist completion by emotion, compliance blocks by rule and
escalations by kind (the team's, or the collector selected above), the daily trend and the
bucket roll as charts, the escalations still waiting for a decision, and the reminders the
lender sent by itself on the team's accounts (how many, delivered, failed, opted out; the
Reminders tab has them day by day). Every number of the tables opens the contacts behind it
(`DrillDialog`). The numbers come from `kpis.team_report` on the
context's worker; only a team lead or an administrator gets any.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QFont, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.cases.complaints import ComplaintCounts, complaint_counts
from app.services.common.clock import local_today
from app.services.common.errors import NotAllowed
from app.services.common.teams import team_names
from app.services.team.kpis import NO_EMOTION, Drill, KpiReport, OpenEscalation, team_report
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.fill_columns import FillColumns
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS
from app.ui.common.labels import emotion_name, escalation_name
from app.ui.common.look import Ink, Scheme, follow, ink, paint, scheme
from app.ui.common.runner import Latest
from app.ui.common.screens import fit_to_screen
from app.ui.common.wrapping import WrappingLabel
from app.ui.team.cases import counts_text
from app.ui.team.dashboard_charts import BucketRollChart, TrendChart
from app.ui.team.dashboard_tables import (
    BlockTableModel,
    BucketTableModel,
    ChecklistTableModel,
    EscalationTableModel,
    FigureModel,
    FigureSort,
    KpiColumn,
    KpiTableModel,
    percent,
    whose_rows,
)
from app.ui.team.drill_dialog import DrillDialog, span_text
from app.ui.team.exporting import ExportButton, ask_target, save_report

ESCALATION_ROLE = Qt.ItemDataRole.UserRole + 1
URGENT_ROLE = Qt.ItemDataRole.UserRole + 2
# Typing a date fires a change per key: the numbers are counted once the typing stops.
_SETTLE_MS = 600
PRESETS = ("yesterday", "last_7_days", "this_month", "last_30_days", "custom")


def preset_range(preset: str, today: date) -> tuple[date, date] | None:
    """The days a preset covers, both included; None for a custom range."""
    match preset:
        case "yesterday":
            yesterday = today - timedelta(days=1)
            return yesterday, yesterday
        case "last_7_days":
            return today - timedelta(days=6), today
        case "this_month":
            return today.replace(day=1), today
        case "last_30_days":
            return today - timedelta(days=29), today
    return None


class DashboardPanel(QWidget):
    """The team's numbers; a panel for the main window or a window of its own.

    Signals: `refreshed()` after a report is shown; `open_escalations_requested()` when the
    lead asks for the escalations inbox; `reminders_requested(day)` when the lead asks for the
    reminders of a day (the report's last); `review_requested(attempt_id)` when a contact listed
    in a drill-down is to be opened in the call review; `drill_opened(dialog)`.
    """

    refreshed = Signal()
    # A count answered, with numbers or with a failure (what waits for the first one goes on).
    answered = Signal()
    open_escalations_requested = Signal()
    reminders_requested = Signal(object)
    review_requested = Signal(object)
    drill_opened = Signal(object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("dashboard")
        self.setWindowTitle(self.tr("Team dashboard"))
        self._report: KpiReport | None = None
        self._load = Latest()
        self._complaints_load = Latest()
        self._teams: tuple[str, ...] | None = None
        self._refused = False
        self._user_id: uuid.UUID | None = None
        self.drill_dialog: DrillDialog | None = None
        formats = context.formats
        today = self.today()

        # The header: whose numbers, which days.
        self.team = QComboBox()
        self.team.setAccessibleName(self.tr("Team"))
        self.team.setEnabled(False)
        self.preset = QComboBox()
        self.preset.setAccessibleName(self.tr("Period"))
        for code, text in (
            ("yesterday", self.tr("Yesterday")),
            ("last_7_days", self.tr("Last 7 days")),
            ("this_month", self.tr("This month")),
            ("last_30_days", self.tr("Last 30 days")),
            ("custom", self.tr("Custom range")),
        ):
            self.preset.addItem(text, code)
        self.start_edit = self._date_edit(self.tr("First day"))
        self.end_edit = self._date_edit(self.tr("Last day"))
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.refresh_button.setToolTip("F5")
        self.export_button = ExportButton(self)
        self.export_button.setToolTip(self.tr("Export the numbers shown"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName(self.tr("Counting"))
        self.progress.hide()
        self.status = WrappingLabel()
        self.status.setAccessibleName(self.tr("Status"))
        header = QHBoxLayout()
        header.addWidget(buddy(self.tr("&Team"), self.team))
        header.addWidget(self.team)
        header.addSpacing(12)
        header.addWidget(buddy(self.tr("&Period"), self.preset))
        header.addWidget(self.preset)
        header.addWidget(buddy(self.tr("&From"), self.start_edit))
        header.addWidget(self.start_edit)
        header.addWidget(buddy(self.tr("T&o"), self.end_edit))
        header.addWidget(self.end_edit)
        header.addWidget(self.refresh_button)
        header.addWidget(self.export_button)
        header.addSpacing(12)
        header.addWidget(self.progress)
        header.addWidget(self.status, 1)

        # Escalations nobody has decided yet, whenever raised.
        self.unacknowledged = QListWidget()
        self.unacknowledged.setAccessibleName(self.tr("Unacknowledged escalations"))
        self.unacknowledged.setMaximumHeight(96)
        follow(self.unacknowledged, self._colour_urgent)
        self.unacknowledged_label = QLabel()
        self.inbox_button = QPushButton(self.tr("Open the escalations &inbox…"))
        unack_top = QHBoxLayout()
        unack_top.addWidget(self.unacknowledged_label, 1)
        unack_top.addWidget(self.inbox_button)
        self.unacknowledged_box = QGroupBox(self.tr("Unacknowledged escalations"))
        unack_layout = QVBoxLayout(self.unacknowledged_box)
        unack_layout.addLayout(unack_top)
        unack_layout.addWidget(self.unacknowledged)

        # Per collector and the team.
        self.kpis = KpiTableModel(formats, self)
        self.kpi_table = self._table(self.kpis, self.tr("Numbers per collector"))
        # The names take the room the figures leave, and are never cut: a narrow window
        # scrolls the figures sideways, the names first in sight.
        self.kpi_fill = FillColumns(self.kpi_table, {KpiColumn.COLLECTOR: 8}, whole=True)
        self.kpis.modelReset.connect(self.kpi_fill.fit)

        # The breakdowns of the team, or of the collector selected.
        self.whose_label = QLabel()
        self.whose_label.setWordWrap(True)
        self.buckets = BucketTableModel(formats, self)
        self.checklists = ChecklistTableModel(formats, self)
        self.blocks = BlockTableModel(formats, self)
        self.escalations = EscalationTableModel(formats, self)
        self.bucket_table = self._table(self.buckets, self.tr("Cure and roll by bucket"))
        self.checklist_table = self._table(
            self.checklists, self.tr("Checklist completion by emotion")
        )
        self.block_table = self._table(self.blocks, self.tr("Compliance blocks by rule"))
        self.escalation_table = self._table(self.escalations, self.tr("Escalations by kind"))
        self.block_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.escalation_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.breakdowns = QTabWidget()
        self.breakdowns.addTab(self.bucket_table, self.tr("Cure and roll"))
        self.breakdowns.addTab(self.checklist_table, self.tr("Checklists by emotion"))
        self.breakdowns.addTab(self.block_table, self.tr("Blocks by rule"))
        self.breakdowns.addTab(self.escalation_table, self.tr("Escalations by kind"))
        # The complaints received in the span: per collector concerned, per category.
        self.complaints = QLabel()
        self.complaints.setWordWrap(True)
        self.complaints.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.complaints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.complaints.setAccessibleName(self.tr("Complaints per collector and per category"))
        self.breakdowns.addTab(self.complaints, self.tr("Complaints"))
        breakdown_box = QWidget()
        breakdown_layout = QVBoxLayout(breakdown_box)
        breakdown_layout.setContentsMargins(0, 0, 0, 0)
        breakdown_layout.addWidget(self.whose_label)
        breakdown_layout.addWidget(self.breakdowns, 1)

        self.trend_chart = TrendChart(formats)
        self.roll_chart = BucketRollChart(formats)
        self.charts = QTabWidget()
        self.charts.addTab(self.trend_chart, self.tr("Daily trend"))
        self.charts.addTab(self.roll_chart, self.tr("Bucket roll"))

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(breakdown_box)
        lower.addWidget(self.charts)
        lower.setStretchFactor(0, 1)
        lower.setStretchFactor(1, 1)
        # The breakdown tables need their columns; the charts take what is left.
        lower.setSizes([560, 640])
        # The waiting escalations, the numbers per collector and the breakdowns share the
        # height: on a short screen each scrolls, or is dragged aside, on its own.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.unacknowledged_box)
        self.splitter.addWidget(self.kpi_table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        # The numbers per collector get the height of their rows until the lead drags the
        # splitter; from then on the lead's sizes stand.
        self._sized_by_hand = False
        self.splitter.splitterMoved.connect(lambda *_args: setattr(self, "_sized_by_hand", True))

        # The reminders the lender sent by itself in the span.
        self.reminders_label = WrappingLabel()
        self.reminders_label.setAccessibleName(self.tr("Reminders sent"))
        self.reminders_button = QPushButton(self.tr("Reminders by da&y…"))
        self.reminders_button.setToolTip(self.tr("The Reminders tab, on the last day shown"))
        reminders_row = QHBoxLayout()
        reminders_row.addWidget(self.reminders_label, 1)
        reminders_row.addWidget(self.reminders_button)

        hint = QLabel(
            self.tr(
                "Double-click a number (or press Enter on it) to list the contacts behind it; "
                "right-click for related lists."
            )
        )
        hint.setWordWrap(True)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(header)
        content_layout.addWidget(self.splitter, 1)
        content_layout.addLayout(reminders_row)
        content_layout.addWidget(hint)

        # Anyone but a lead or an administrator sees why, and nothing else.
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal.setAccessibleName(self.tr("Not available"))
        self.refusal.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pages = QStackedWidget()
        self.pages.addWidget(content)
        self.pages.addWidget(self.refusal)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(_SETTLE_MS)
        self._settle.timeout.connect(self.refresh)
        refresh = QAction(self.tr("Refresh the dashboard"), self)
        refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
        refresh.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        self.refresh_action = refresh

        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.chosen.connect(self.export)
        self.inbox_button.clicked.connect(lambda: self.open_escalations_requested.emit())
        self.reminders_button.clicked.connect(self._reminders_asked)
        self.unacknowledged.itemActivated.connect(
            lambda _item: self.open_escalations_requested.emit()
        )
        self.team.currentIndexChanged.connect(lambda _index: self.refresh())
        self.preset.activated.connect(self._preset_chosen)
        self.start_edit.dateChanged.connect(self._dates_edited)
        self.end_edit.dateChanged.connect(self._dates_edited)
        self.kpi_table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._collector_selected(current)
        )
        for table in self._tables():
            table.activated.connect(lambda index, table=table: self.drill_cell(table, index))
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda position, table=table: self._context_menu(table, position)
            )
        self.trend_chart.drill_requested.connect(self.open_drill)
        self.roll_chart.drill_requested.connect(self.open_drill)

        yesterday = preset_range("yesterday", today)
        assert yesterday is not None
        self._set_dates(*yesterday)
        self._show_unacknowledged(())
        self._show_whose()
        self._update_buttons()
        fit_to_screen(self, QSize(1200, 820))
        context.call(
            team_names, context.username, on_done=self._teams_loaded, on_error=self._failed
        )

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setLocale(self.context.formats.locale)
        edit.setDisplayFormat(DATE_FORMATS[self.context.formats.language])
        edit.setMaximumDate(_qdate(self.today()))
        return edit

    def _table(self, model: FigureModel, name: str) -> QTableView:
        proxy = FigureSort(model)
        proxy.setSourceModel(model)
        table = QTableView()
        table.setModel(proxy)
        table.setAccessibleName(name)
        table.setSortingEnabled(True)
        # The rows in the service's order until the lead sorts by a column.
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        # Rows as tall as their text: a short screen shows every collector.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _tables(self) -> tuple[QTableView, ...]:
        return (
            self.kpi_table,
            self.bucket_table,
            self.checklist_table,
            self.block_table,
            self.escalation_table,
        )

    # What is chosen.

    @property
    def report(self) -> KpiReport | None:
        """The report shown (the last one that came back)."""
        return self._report

    @property
    def busy(self) -> bool:
        return self._load.busy

    @property
    def refused(self) -> bool:
        return self._refused

    def today(self) -> date:
        return local_today(self.context.clock())

    def selected_range(self) -> tuple[date, date]:
        return _pydate(self.start_edit.date()), _pydate(self.end_edit.date())

    def selected_team(self) -> str | None:
        return self.team.currentText() or None

    def selected_user(self) -> uuid.UUID | None:
        """The collector whose breakdowns are shown; None: the team's."""
        return self._user_id

    def set_range(self, start: date, end: date) -> None:
        """Show `start`..`end` (both included) and count them."""
        self._set_dates(start, end)
        self.refresh()

    def select_team(self, team: str) -> None:
        """An administrator's choice of team (counted at once)."""
        index = self.team.findText(team)
        if index >= 0:
            self.team.setCurrentIndex(index)

    def _set_dates(self, start: date, end: date) -> None:
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(day))
            edit.blockSignals(False)
        self._match_preset()

    def _match_preset(self) -> None:
        today = self.today()
        chosen = self.selected_range()
        code = next((p for p in PRESETS if preset_range(p, today) == chosen), "custom")
        self.preset.setCurrentIndex(self.preset.findData(code))

    def _preset_chosen(self, index: int) -> None:
        found = preset_range(str(self.preset.itemData(index)), self.today())
        if found is not None:
            self._settle.stop()
            self.set_range(*found)

    def _dates_edited(self) -> None:
        self._match_preset()
        self._settle.start()

    # Counting.

    def refresh(self) -> None:
        """Count the chosen team and days again (on the worker); `refreshed()` when shown."""
        self._settle.stop()
        if self._refused:
            return
        if self._teams is None:
            return  # counted as soon as the teams are known
        start, end = self.selected_range()
        if start > end:
            self._say(self.tr("The first day is after the last day."), problem=True)
            return
        self._say(self.tr("Counting…"))
        self._load.run(
            self.context,
            team_report,
            self.context.username,
            start,
            end,
            self.selected_team(),
            now=self.context.clock(),
            on_done=self._shown,
            on_error=self._failed,
        )
        self._update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Give the numbers per collector the height of all their rows, as far as the
        breakdowns below keep their least height (until the lead sizes them by hand)."""
        sizes = self.splitter.sizes()
        if self._sized_by_hand or len(sizes) != 3 or sum(sizes) == 0:
            return
        table = self.kpi_table
        wanted = (
            table.horizontalHeader().sizeHint().height()
            + table.verticalHeader().length()
            + table.horizontalScrollBar().sizeHint().height()
            + 2 * table.frameWidth()
        )
        lower = self.splitter.widget(2)
        assert lower is not None
        room = sum(sizes) - sizes[0] - lower.minimumSizeHint().height()
        kpi = max(min(wanted, room), table.minimumSizeHint().height())
        self.splitter.setSizes([sizes[0], kpi, sum(sizes) - sizes[0] - kpi])

    def _teams_loaded(self, names: tuple[str, ...]) -> None:
        self._teams = tuple(names)
        self.team.blockSignals(True)
        self.team.clear()
        self.team.addItems(list(names))
        self.team.blockSignals(False)
        # A lead sees their own team only; an administrator chooses.
        self.team.setEnabled(len(names) > 1)
        self.refresh()

    def _shown(self, report: KpiReport) -> None:
        self._report = report
        self.kpis.set_rows((*report.collectors, report.total))
        self._fit_rows()
        self._show_unacknowledged(report.unacknowledged)
        self._show_reminders(report)
        self._count_complaints(report)
        self.trend_chart.show_trend(report.trend)
        kept = self._user_id
        if kept is not None and all(row.user_id != kept for row in report.collectors):
            kept = None
        self._select_user(kept)
        self._say(
            self.tr("{team}, {span}: counted at {time}.").format(
                team=report.team,
                span=span_text(self.context, report.start, report.end),
                time=self.context.formats.time(report.generated_at),
            )
        )
        self._update_buttons()
        self.refreshed.emit()
        self.answered.emit()

    def _count_complaints(self, report: KpiReport) -> None:
        """The complaints of the report's team and days, on the worker after the report."""
        span = span_text(self.context, report.start, report.end)

        def shown(counts: ComplaintCounts) -> None:
            self.complaints.setText(counts_text(counts, self.context, span))

        self._complaints_load.run(
            self.context,
            complaint_counts,
            self.context.username,
            report.start,
            report.end,
            self.selected_team(),
            on_done=shown,
            on_error=lambda error: self.complaints.setText(error_text(error)),
        )

    def _show_reminders(self, report: KpiReport) -> None:
        figures = report.reminders
        number = self.context.formats.number
        self.reminders_label.setText(
            self.tr(
                "Reminders the lender sent: {sent}, delivered {rate}, failed {failed},"
                " opted out {opted_out}."
            ).format(
                sent=number(figures.sent),
                rate=percent(figures.delivered_rate),
                failed=number(figures.failed),
                opted_out=number(figures.opted_out),
            )
        )

    def _reminders_asked(self) -> None:
        self.reminders_requested.emit(self.selected_range()[1])

    def _failed(self, error: BaseException) -> None:
        self._update_buttons()
        # What waits for the first count goes on before any message is read.
        self.answered.emit()
        if isinstance(error, NotAllowed):
            self._refuse(error_text(error))
            return
        self._say(self.tr("The numbers could not be counted."), problem=True)
        self.context.dialogs.error(self, self.tr("Could not load the dashboard"), error_text(error))

    def _refuse(self, text: str) -> None:
        self._refused = True
        self._settle.stop()
        self.refusal.setText(text)
        self.pages.setCurrentWidget(self.refusal)
        self.refresh_action.setEnabled(False)

    def _update_buttons(self) -> None:
        self.progress.setVisible(self.busy)
        self.export_button.setEnabled(not self.busy and self._report is not None)

    def _say(self, text: str, problem: bool = False) -> None:
        paint(self.status, Ink.ERROR if problem else None, bold=problem)
        self.status.setText(text)

    # The collector whose breakdowns show.

    def _collector_selected(self, current: QModelIndex) -> None:
        if not current.isValid():
            return
        source = _sorter(self.kpi_table).mapToSource(current)
        user_id = self.kpis.user_at(source.row()).user_id
        if user_id != self._user_id:
            self._user_id = user_id
            self._show_breakdowns()

    def select_collector(self, user_id: uuid.UUID | None) -> None:
        """Show the breakdowns of `user_id` (None: the team's), selecting their row."""
        self._select_user(user_id)

    def _select_user(self, user_id: uuid.UUID | None) -> None:
        self._user_id = user_id
        proxy = _sorter(self.kpi_table)
        for row in range(proxy.rowCount()):
            index = proxy.index(row, KpiColumn.COLLECTOR)
            source = proxy.mapToSource(index)
            if self.kpis.user_at(source.row()).user_id == user_id:
                self.kpi_table.selectionModel().blockSignals(True)
                self.kpi_table.setCurrentIndex(index)
                self.kpi_table.selectionModel().blockSignals(False)
                break
        self._show_breakdowns()

    def _show_breakdowns(self) -> None:
        report = self._report
        if report is None:
            return
        user_id = self._user_id
        self.buckets.set_rows(whose_rows(report.buckets, user_id))
        self.checklists.set_rows(whose_rows(report.checklists, user_id))
        self.blocks.set_rows(whose_rows(report.blocks, user_id))
        self.escalations.set_rows(whose_rows(report.escalations, user_id))
        self.roll_chart.show_buckets(self.buckets.rows)
        self._show_whose()

    def _show_whose(self) -> None:
        if self._user_id is None:
            text = self.tr("The team's breakdowns; select a collector above to see theirs.")
        else:
            text = self.tr("The breakdowns of {collector}; select the team total for the team's.")
            text = text.format(collector=self.whose(self._user_id))
        self.whose_label.setText(text)

    def whose(self, user_id: uuid.UUID | None) -> str:
        """The collector's name, or the team's."""
        report = self._report
        team = report.team if report is not None else (self.selected_team() or "")
        if user_id is None:
            return self.tr("team {team}").format(team=team)
        if report is not None:
            for row in report.collectors:
                if row.user_id == user_id:
                    return row.display_name
        return str(user_id)

    # Escalations waiting.

    def _show_unacknowledged(self, waiting: tuple[OpenEscalation, ...]) -> None:
        self.unacknowledged.clear()
        language = self.context.language
        formats = self.context.formats
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for escalation in waiting:
            text = self.tr("{kind} · contract {contract} · raised {when} by {who}").format(
                kind=escalation.kind_text.text(language)
                if escalation.kind_text
                else escalation_name(escalation.kind, language),
                contract=escalation.contract_no,
                when=formats.date_time(escalation.raised_at),
                who=escalation.raised_by,
            )
            item = QListWidgetItem(text)
            item.setData(ESCALATION_ROLE, escalation.id)
            if escalation.urgent:
                # Marked in words and with an icon, not by colour alone.
                item.setText(self.tr("URGENT — {text}").format(text=text))
                item.setIcon(warning)
                font = QFont()
                font.setBold(True)
                item.setFont(font)
                item.setData(URGENT_ROLE, True)
            self.unacknowledged.addItem(item)
        self._colour_urgent(scheme())
        count = len(waiting)
        urgent = sum(1 for escalation in waiting if escalation.urgent)
        if count == 0:
            self.unacknowledged_label.setText(self.tr("No escalation is waiting for a decision."))
            paint(self.unacknowledged_label, None)
        else:
            self.unacknowledged_label.setText(
                self.tr("{count} waiting for a decision ({urgent} urgent), oldest first.").format(
                    count=self.context.formats.number(count),
                    urgent=self.context.formats.number(urgent),
                )
            )
            paint(self.unacknowledged_label, Ink.ERROR if urgent else None, bold=True)
        self.unacknowledged.setVisible(count > 0)

    def _colour_urgent(self, now: Scheme) -> None:
        """Urgent escalations in the error colour of the scheme in force (they say URGENT and
        carry an icon too: not marked by colour alone)."""
        brush = QBrush(ink(Ink.ERROR, now))
        for row in range(self.unacknowledged.count()):
            item = self.unacknowledged.item(row)
            if item.data(URGENT_ROLE):
                item.setForeground(brush)

    # Drilling down.

    def drills_at(self, table: QTableView, index: QModelIndex) -> tuple[Drill, ...]:
        """The contact lists behind the cell at `index` of `table` (a view's index)."""
        if not index.isValid():
            return ()
        proxy = _sorter(table)
        model = proxy.sourceModel()
        assert isinstance(model, FigureModel)
        source = proxy.mapToSource(index)
        return model.drills_at(source.row(), source.column())

    def drill_cell(self, table: QTableView, index: QModelIndex) -> DrillDialog | None:
        """Open the main list behind a cell; None for a cell that is no number."""
        drills = self.drills_at(table, index)
        return self.open_drill(drills[0]) if drills else None

    def drill_menu(self, table: QTableView, index: QModelIndex) -> QMenu | None:
        """Every list behind a cell, as a menu; None for a cell that is no number."""
        drills = self.drills_at(table, index)
        if not drills:
            return None
        menu = QMenu(self)
        for drill in drills:
            action = menu.addAction(
                self.tr("List: {figure}").format(figure=self.figure_text(drill))
            )
            action.triggered.connect(lambda _checked=False, drill=drill: self.open_drill(drill))
        return menu

    def _context_menu(self, table: QTableView, position: QPoint) -> None:
        menu = self.drill_menu(table, table.indexAt(position))
        if menu is not None:
            menu.exec(table.viewport().mapToGlobal(position))
            menu.deleteLater()

    def open_drill(self, drill: Drill) -> DrillDialog | None:
        """List the contacts behind `drill` of the report shown, in a dialog of its own."""
        report = self._report
        if report is None:
            return None
        dialog = DrillDialog(
            self.context,
            drill,
            self.figure_text(drill),
            self.whose(drill.user_id),
            report.team,
            report.start,
            report.end,
            self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.review_requested.connect(self.review_requested)
        self.drill_dialog = dialog
        dialog.destroyed.connect(lambda _obj=None, dialog=dialog: self._forget(dialog))
        dialog.show()
        self.drill_opened.emit(dialog)
        return dialog

    def _forget(self, dialog: DrillDialog) -> None:
        if self.drill_dialog is dialog:
            self.drill_dialog = None

    def figure_text(self, drill: Drill) -> str:
        """What a drill lists, in words: the figure and, where it is one of several, which."""
        names: dict[str, Callable[[], str]] = {
            "attempts": lambda: self.tr("Attempts"),
            "contacts": lambda: self.tr("Contacts (someone answered)"),
            "rpcs": lambda: self.tr("Right-party contacts"),
            "ptps": lambda: self.tr("Promises to pay made"),
            "promises_due": lambda: self.tr("Promises due"),
            "promises_kept": lambda: self.tr("Promises kept"),
            "collected": lambda: self.tr("Payments collected"),
            "handled": lambda: self.tr("Timed contacts (handle time)"),
            "checklist_required": lambda: self.tr("Contacts that required a checklist"),
            "checklist_incomplete": lambda: self.tr("Contacts with an incomplete checklist"),
            "escalations": lambda: self.tr("Contacts that raised an escalation"),
            "blocks": lambda: self.tr("Contacts on accounts with a compliance block"),
            "bucket_start": lambda: self.tr("Contacts on accounts in {bucket} at the start"),
            "cured": lambda: self.tr("Contacts on accounts cured from {bucket}"),
            "rolled": lambda: self.tr("Contacts on accounts rolled from {bucket}"),
            "day_rpcs": lambda: self.tr("Right-party contacts on {day}"),
            "day_ptps": lambda: self.tr("Promises to pay made on {day}"),
            "day_collected": lambda: self.tr("Payments collected on {day}"),
        }
        name = names[drill.kpi]() if drill.kpi in names else drill.kpi
        key = drill.key
        if drill.kpi in ("bucket_start", "cured", "rolled"):
            return name.format(bucket=key or "")
        if drill.kpi.startswith("day_"):
            day = date.fromisoformat(key) if key else None
            return name.format(day=self.context.formats.date(day) if day else "")
        if drill.kpi in ("checklist_required", "checklist_incomplete") and key is not None:
            return f"{name} · {self._emotion_text(key)}"
        if drill.kpi == "escalations" and key is not None:
            return f"{name} · {escalation_name(key, self.context.language)}"
        if drill.kpi == "blocks" and key is not None:
            return f"{name} · {self._rule_text(key)}"
        return name

    def _emotion_text(self, emotion: str) -> str:
        if emotion == NO_EMOTION:
            return self.tr("no emotion recorded")
        return emotion_name(emotion, self.context.language)

    def _rule_text(self, rule: str) -> str:
        report = self._report
        if report is not None:
            for row in report.blocks:
                if row.rule == rule:
                    return row.rule_text.text(self.context.language)
        return rule

    # Export.

    def export(self, code: str) -> None:
        """Ask where, then write the report shown as `code` (csv, xlsx, json) on the worker."""
        report = self._report
        if report is None or self.busy:
            return
        stem = f"kpis-{report.team}-{report.start.isoformat()}-{report.end.isoformat()}"
        target = ask_target(self.context, self, self.tr("Export the team's numbers"), stem, code)
        if target is None:
            return
        self.export_button.setEnabled(False)
        self.context.call(
            save_report,
            report,
            target,
            code,
            self.context.language,
            on_done=self._exported,
            on_error=self._export_failed,
        )

    def _exported(self, path: Path) -> None:
        self._update_buttons()
        self.context.dialogs.info(
            self,
            self.tr("Numbers exported"),
            self.tr("The team's numbers are in {path}.").format(path=str(path)),
        )

    def _export_failed(self, error: BaseException) -> None:
        self._update_buttons()
        self.context.dialogs.error(self, self.tr("Could not export"), error_text(error))


def _sorter(table: QTableView) -> FigureSort:
    proxy = table.model()
    assert isinstance(proxy, FigureSort)
    return proxy


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())
