"""Call review (issue 6): a team lead lists the team's contacts, opens one, and scores it
against the criteria in resources/review_criteria.json, with a comment for the collector.

The list comes from `review_list` with the filter bar's conditions; the pane shows what
`contact_for_review` returns (script path, checklist, promise, notes, escalations) and the
criteria that apply, each answered met / not met / n/a; `save_review` stores it. The score on
screen is the service's own `review_score`, so it matches what is saved. The pane
(`ReviewPane`, shared with the collector's feedback) is in app/ui/common/review_pane.py.
Every database call goes through the context's worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.cases.complaints import ComplaintCounts, complaint_counts
from app.services.common.clock import local_today
from app.services.common.reference import dispositions, emotions
from app.services.common.teams import TeamScope, team_names, team_of
from app.services.team.contact_rows import ContactRow
from app.services.team.reviews import (
    ReviewDetail,
    ReviewFilter,
    contact_for_review,
    review_list,
    save_review,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS
from app.ui.common.look import Ink, paint
from app.ui.common.review_pane import ReviewPane
from app.ui.common.runner import Latest
from app.ui.common.tables import list_table
from app.ui.team.cases import counts_text
from app.ui.team.contact_table import ContactColumn, ContactSort, contact_rows_model
from app.ui.team.drill_dialog import span_text

# The QDateEdit value that stands for "no bound" (shown as its special text).
NO_DATE = QDate(2000, 1, 1)
LIST_LIMIT = 500


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date | None:
    if value == NO_DATE:
        return None
    return date(value.year(), value.month(), value.day())


# -- a multi-select drop-down ----------------------------------------------------------------


class _StayOpenMenu(QMenu):
    """A menu of check boxes: ticking one leaves the menu open for the next."""

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self.activeAction()
        toggles = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() in toggles and action is not None and action.isCheckable():
            action.trigger()
            return
        super().keyPressEvent(event)


class CodesButton(QToolButton):
    """A button with a menu of codes to tick; nothing ticked means every code.

    Emits `changed()` whenever a code is ticked or unticked.
    """

    changed = Signal()

    def __init__(
        self,
        everything: str,
        some: str,
        codes: Iterable[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._everything = everything
        # A template with {count}.
        self._some = some
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.menu_ = _StayOpenMenu(self)
        self.actions_: dict[str, QAction] = {}
        for code, label in codes:
            action = self.menu_.addAction(label)
            action.setCheckable(True)
            action.setData(code)
            action.toggled.connect(self._toggled)
            self.actions_[code] = action
        self.setMenu(self.menu_)
        self._caption()

    def chosen(self) -> frozenset[str]:
        return frozenset(code for code, action in self.actions_.items() if action.isChecked())

    def set_chosen(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        for code, action in self.actions_.items():
            action.blockSignals(True)
            action.setChecked(code in wanted)
            action.blockSignals(False)
        self._caption()

    def _toggled(self, _checked: bool) -> None:
        self._caption()
        self.changed.emit()

    def _caption(self) -> None:
        count = len(self.chosen())
        text = self._everything if count == 0 else self._some.format(count=count)
        self.setText(text)
        self.setAccessibleName(text)


# -- the call review panel ---------------------------------------------------------------------


class CallReviewPanel(QWidget):
    """The team's contacts, filtered, and the review of the one chosen.

    The list loads on `refresh()` (F5 in the team window), `set_filter()` or `open_attempt()`,
    not when the panel is made. An administrator picks the team; a lead sees their own.
    Signals: `loaded(count)` when a list is shown; `detail_shown(detail)` when a contact's
    review pane is filled; `review_saved(detail)` after a review is stored (the dashboard may
    refresh its figures).
    """

    loaded = Signal(int)
    detail_shown = Signal(object)
    review_saved = Signal(object)

    def __init__(
        self, context: Context, parent: QWidget | None = None, *, team: str | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Call review"))
        self.team = team
        self.scope: TeamScope | None = None
        # The teams the user may open; None until known (a refresh asked before waits).
        self._teams: tuple[str, ...] | None = None
        self._wanted = False
        self._listed_once = False
        self._wanted_collector: str | None = None
        self._list = Latest()
        self._complaints = Latest()
        self._detail = Latest()
        # One save at a time: the button is off while one is on its way.
        self._save = Latest()
        self._selecting = False

        language = context.language
        # Filter bar.
        self.team_box = QComboBox()
        self.team_box.setAccessibleName(self.tr("Team"))
        self.team_label = buddy(self.tr("Team"), self.team_box)
        self.collector = QComboBox()
        self.collector.setAccessibleName(self.tr("Collector"))
        self.collector.addItem(self.tr("All collectors"), None)
        self.start = self._date_edit(self.tr("From"))
        self.end = self._date_edit(self.tr("To"))
        today = local_today(context.clock())
        self.start.setDate(_qdate(today - timedelta(days=1)))
        self.end.setDate(_qdate(today))
        self.outcomes = CodesButton(
            self.tr("All outcomes"),
            self.tr("{count} outcomes"),
            [(code, f"{code} — {item.label(language)}") for code, item in dispositions().items()],
        )
        self.emotions = CodesButton(
            self.tr("All emotions"),
            self.tr("{count} emotions"),
            [(code, item.label(language)) for code, item in emotions().items()],
        )
        # Mnemonics clear of the team window's tabs and menu (D, R, E, P, C, V).
        self.incomplete = QCheckBox(self.tr("&Incomplete checklist"))
        self.escalated = QCheckBox(self.tr("Esc&alated"))
        self.unreviewed = QCheckBox(self.tr("Not &yet reviewed"))
        self.refresh_button = QPushButton(self.tr("Refres&h"))
        self.refresh_button.setToolTip(self.tr("F5"))

        filters = QHBoxLayout()
        filters.addWidget(self.team_label)
        filters.addWidget(self.team_box)
        filters.addWidget(buddy(self.tr("C&ollector"), self.collector))
        filters.addWidget(self.collector)
        filters.addWidget(buddy(self.tr("&From"), self.start))
        filters.addWidget(self.start)
        filters.addWidget(buddy(self.tr("&To"), self.end))
        filters.addWidget(self.end)
        filters.addWidget(self.outcomes)
        filters.addWidget(self.emotions)
        filters.addWidget(self.incomplete)
        filters.addWidget(self.escalated)
        filters.addWidget(self.unreviewed)
        filters.addStretch(1)
        filters.addWidget(self.refresh_button)

        # The list.
        self.model = contact_rows_model(context, self)
        self.proxy = ContactSort(self)
        self.proxy.setSourceModel(self.model)
        self.table = list_table(self.proxy, self.tr("Contacts to review"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ContactColumn.TIME, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel()
        self.count.setAccessibleName(self.tr("Contacts shown"))
        # The complaints of the same days (the last 30 when the filter leaves them open):
        # about the collector chosen, per collector and per category.
        self.complaints = QLabel()
        self.complaints.setWordWrap(True)
        self.complaints.setAccessibleName(self.tr("Complaints per collector and per category"))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        left_layout.addWidget(self.complaints)

        # The review.
        self.pane = ReviewPane(context)
        self.save_button = QPushButton(self.tr("&Save review"))
        self.save_button.setToolTip(
            QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText)
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        paint(self.message, Ink.ERROR)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.pane)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroll, 1)
        right_layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        # F5 is the team window's "Refresh this tab", which calls `refresh`.

        self.team_box.currentIndexChanged.connect(self._team_changed)
        self.collector.currentIndexChanged.connect(self._collector_changed)
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _day: self.refresh())
        for button in (self.outcomes, self.emotions):
            button.changed.connect(self.refresh)
        for box in (self.incomplete, self.escalated, self.unreviewed):
            box.toggled.connect(lambda _checked: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.save_button.clicked.connect(self.save)
        self.pane.answers_changed.connect(self._update_save)
        self._update_save()

        self.team_label.hide()
        self.team_box.hide()
        context.call(
            team_names, context.username, on_done=self._teams_loaded, on_error=self._failed
        )

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(DATE_FORMATS[self.context.language])
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText(self.tr("any day"))
        edit.setAccessibleName(name)
        return edit

    # The filter.

    def current_filter(self) -> ReviewFilter:
        """The conditions the filter bar shows."""
        return ReviewFilter(
            # The combo's choice (kept here too, since the team may still be on its way).
            collector=self._wanted_collector,
            start=_day(self.start.date()),
            end=_day(self.end.date()),
            dispositions=self.outcomes.chosen(),
            emotions=self.emotions.chosen(),
            incomplete_checklist_only=self.incomplete.isChecked(),
            escalated_only=self.escalated.isChecked(),
            unreviewed_only=self.unreviewed.isChecked(),
        )

    def set_filter(self, flt: ReviewFilter) -> None:
        """Show the contacts `flt` selects (e.g. those behind a dashboard figure)."""
        widgets = (
            self.collector,
            self.start,
            self.end,
            self.outcomes,
            self.emotions,
            self.incomplete,
            self.escalated,
            self.unreviewed,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self._wanted_collector = flt.collector
            self._choose_collector(flt.collector)
            self.start.setDate(_qdate(flt.start) if flt.start else NO_DATE)
            self.end.setDate(_qdate(flt.end) if flt.end else NO_DATE)
            self.outcomes.set_chosen(flt.dispositions)
            self.emotions.set_chosen(flt.emotions)
            self.incomplete.setChecked(flt.incomplete_checklist_only)
            self.escalated.setChecked(flt.escalated_only)
            self.unreviewed.setChecked(flt.unreviewed_only)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.refresh()

    def _choose_collector(self, username: str | None) -> None:
        position = self.collector.findData(username)
        if position >= 0:
            self.collector.setCurrentIndex(position)

    def _teams_loaded(self, names: tuple[str, ...]) -> None:
        self._teams = names
        if self.team is None and names:
            self.team = names[0]
        self.team_box.blockSignals(True)
        for name in names:
            self.team_box.addItem(name, name)
        self.team_box.setCurrentIndex(max(self.team_box.findData(self.team), 0))
        self.team_box.blockSignals(False)
        # A lead has one team: the box is for an administrator.
        self.team_label.setVisible(len(names) > 1)
        self.team_box.setVisible(len(names) > 1)
        self._load_members()
        if self._wanted:
            self._wanted = False
            self.refresh()

    def _load_members(self) -> None:
        self.context.call(
            team_of,
            self.context.username,
            self.team,
            on_done=self._team_loaded,
            on_error=self._failed,
        )

    def _team_changed(self, _position: int) -> None:
        self.team = self.team_box.currentData()
        self.scope = None
        self._wanted_collector = None
        self.collector.blockSignals(True)
        while self.collector.count() > 1:
            self.collector.removeItem(1)
        self.collector.setCurrentIndex(0)
        self.collector.blockSignals(False)
        self._load_members()
        self.refresh()

    def _team_loaded(self, scope: TeamScope) -> None:
        if scope.team != self.team:
            return  # the members of a team since left
        self.scope = scope
        self.collector.blockSignals(True)
        for member in scope.members:
            self.collector.addItem(
                self.tr("{name} ({username})").format(
                    name=member.display_name, username=member.username
                ),
                member.username,
            )
        self._choose_collector(self._wanted_collector)
        self.collector.blockSignals(False)

    def _collector_changed(self, _position: int) -> None:
        self._wanted_collector = self.collector.currentData()
        self.refresh()

    # The list.

    def refresh(self) -> None:
        """List the contacts the filter bar selects (a list still on its way is dropped)."""
        if self._teams is None:
            self._wanted = True
            return
        self._listed_once = True
        self.count.setText(self.tr("Loading…"))
        self._list.run(
            self.context,
            review_list,
            self.context.username,
            self.current_filter(),
            self.team,
            LIST_LIMIT,
            on_done=self._listed,
            on_error=self._list_failed,
        )
        self._count_complaints()

    def _count_complaints(self) -> None:
        flt = self.current_filter()
        end = flt.end or local_today(self.context.clock())
        start = flt.start or end - timedelta(days=29)
        if start > end:
            self.complaints.clear()
            return
        days = span_text(self.context, start, end)

        def shown(counts: ComplaintCounts) -> None:
            self.complaints.setText(counts_text(counts, self.context, days, flt.collector))

        self._complaints.run(
            self.context,
            complaint_counts,
            self.context.username,
            start,
            end,
            self.team,
            on_done=shown,
            on_error=lambda error: self.complaints.setText(error_text(error)),
        )

    @property
    def loading(self) -> bool:
        return self._list.busy or self._detail.busy

    def _listed(self, rows: tuple[ContactRow, ...]) -> None:
        shown = self.pane.detail.contact.attempt_id if self.pane.detail is not None else None
        self._selecting = True
        try:
            self.model.set_rows(rows)
        finally:
            self._selecting = False
        if len(rows) >= LIST_LIMIT:
            self.count.setText(
                self.tr("The newest {count} contacts; narrow the filter to see older ones.").format(
                    count=self.context.formats.number(len(rows))
                )
            )
        else:
            self.count.setText(
                self.tr("{count} contacts").format(count=self.context.formats.number(len(rows)))
            )
        if shown is not None:
            self._select(shown)
        self.loaded.emit(len(rows))

    def _list_failed(self, error: BaseException) -> None:
        self.count.setText(self.tr("The contacts could not be loaded."))
        self._failed(error)

    def current_row(self) -> ContactRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _select(self, attempt_id: uuid.UUID) -> bool:
        row = self.model.row_of(attempt_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self._selecting = True
        try:
            self.table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._selecting = False
        self.table.scrollTo(index)
        return True

    def _row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        if not self._may_leave():
            # Back to the contact being reviewed, without loading it again.
            self._selecting = True
            try:
                self.table.selectionModel().setCurrentIndex(
                    previous,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
            finally:
                self._selecting = False
            return
        row = self.model.row_for(current)
        if row is not None:
            self._load(row.attempt_id)

    # One contact.

    def open_attempt(self, attempt_id: uuid.UUID) -> None:
        """Show the review of `attempt_id`, selected in the list when the list holds it.

        Unsaved answers on another contact are discarded only once the lead agrees.
        """
        if not self._may_leave():
            return
        if not self._listed_once:
            # Opened straight on one contact: the list around it comes too.
            self.refresh()
        self._select(attempt_id)
        self._load(attempt_id)

    def _may_leave(self) -> bool:
        """Whether the contact on screen may be left: nothing unsaved, or the lead agrees."""
        if not self.pane.dirty:
            return True
        return self.context.dialogs.confirm(
            self,
            self.tr("Unsaved review"),
            self.tr("The review of this contact is not saved. Leave it and lose the answers?"),
        )

    def _load(self, attempt_id: uuid.UUID) -> None:
        self.message.clear()
        self._detail.run(
            self.context,
            contact_for_review,
            self.context.username,
            attempt_id,
            on_done=self._show,
            on_error=self._detail_failed,
        )

    def _show(self, detail: ReviewDetail) -> None:
        self.pane.show_detail(detail, editable=True)
        self._update_save()
        self.detail_shown.emit(detail)

    def _detail_failed(self, error: BaseException) -> None:
        self.pane.show_detail(None)
        self._update_save()
        self._failed(error)

    # Saving.

    def save(self) -> None:
        """Store the review on screen (Ctrl+S)."""
        detail = self.pane.detail
        if detail is None or not self.pane.editable or self._save.busy:
            return
        comment = self.pane.comment_text()
        self.message.clear()
        self._save.run(
            self.context,
            save_review,
            self.context.username,
            detail.contact.attempt_id,
            self.pane.answers(),
            comment,
            now=self.context.clock(),
            on_done=self._saved,
            on_error=self._save_failed,
        )
        self._update_save()

    def _saved(self, detail: ReviewDetail) -> None:
        self.model.update_row(
            detail.contact.attempt_id, detail.contact, [Qt.ItemDataRole.DisplayRole]
        )
        self.pane.show_detail(detail, editable=True)
        self._update_save()
        self.review_saved.emit(detail)

    def _save_failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
        self._update_save()

    def _update_save(self) -> None:
        editable = self.pane.editable
        self.save_button.setVisible(editable or self.pane.detail is None)
        # Enabled with criteria still open: saving then names them.
        self.save_button.setEnabled(editable and not self._save.busy)

    def _failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Call review"), error_text(error))
