"""Call review (issue 6): a team lead lists the team's contacts, opens one, and scores it
against the criteria in resources/review_criteria.json, with a comment for the collector.

The list comes from `review_list` with the filter bar's conditions; the pane shows what
`contact_for_review` returns (script path, checklist, promise, notes, escalations) and the
criteria that apply, each answered met / not met / n/a; `save_review` stores it. The score on
screen is the service's own `review_score`, so it matches what is saved. `ReviewPane` is also
the read-only view of the collector's feedback (app/ui/feedback.py). Every database call goes
through the context's worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.accounts import local_today
from app.services.reference import dispositions, emotions
from app.services.reviews import (
    ANSWERS,
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    Criterion,
    ReviewDetail,
    ReviewFilter,
    contact_for_review,
    review_list,
    review_score,
    save_review,
)
from app.services.team import ContactRow, TeamScope, team_names, team_of
from app.ui.contact_table import ContactColumn, ContactRowsModel, ContactSort, duration_text
from app.ui.context import Context
from app.ui.dialogs import error_text
from app.ui.form_parts import buddy
from app.ui.i18n import DATE_FORMATS
from app.ui.labels import (
    disposition_name,
    emotion_name,
    escalation_name,
    promise_status_name,
)
from app.ui.runner import Job
from app.ui.tables import list_table

# The QDateEdit value that stands for "no bound" (shown as its special text).
NO_DATE = QDate(2000, 1, 1)
LIST_LIMIT = 500
_MUTED = "color: palette(mid)"
_ERROR_STYLE = "color: #a40000"


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


# -- the review pane -------------------------------------------------------------------------


class CriterionRow:
    """One criterion's three answers, as exclusive radio buttons."""

    def __init__(self, criterion: Criterion, buttons: dict[str, QRadioButton]) -> None:
        self.criterion = criterion
        self.buttons = buttons
        self.group = QButtonGroup()
        self.group.setExclusive(True)
        for button in buttons.values():
            self.group.addButton(button)

    def answer(self) -> str | None:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return None

    def set_answer(self, value: str | None) -> None:
        if value in self.buttons:
            self.buttons[value].setChecked(True)
            return
        # No answer: an exclusive group cannot uncheck its last button by itself.
        self.group.setExclusive(False)
        for button in self.buttons.values():
            button.setChecked(False)
        self.group.setExclusive(True)


class ReviewPane(QWidget):
    """A contact as a review shows it, and the review's answers and comment.

    Editable for a lead who may review it, read-only otherwise; `for_collector` words it for
    the collector reading their feedback. Emits `answers_changed()` when an answer or the
    comment changes.
    """

    answers_changed = Signal()

    def __init__(
        self, context: Context, parent: QWidget | None = None, *, for_collector: bool = False
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.for_collector = for_collector
        self.detail: ReviewDetail | None = None
        self.rows: list[CriterionRow] = []
        self.editable = False
        # Answers or a comment entered since the contact was shown, not yet saved.
        self.dirty = False

        self.heading = QLabel(self._placeholder())
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.path = QListWidget()
        self.path.setAccessibleName(self.tr("Script path"))
        self.path.setMaximumHeight(150)
        self.checklist = QListWidget()
        self.checklist.setAccessibleName(self.tr("Checklist"))
        self.checklist.setMaximumHeight(150)
        self.promise = QLabel()
        self.promise.setWordWrap(True)
        self.promise.setAccessibleName(self.tr("Promise"))
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName(self.tr("Notes"))
        self.notes.setMaximumHeight(110)
        self.escalations = QLabel()
        self.escalations.setWordWrap(True)
        self.escalations.setAccessibleName(self.tr("Escalations"))

        self.criteria_box = QGroupBox(self.tr("Criteria"))
        self.criteria_grid = QGridLayout(self.criteria_box)
        self.all_met_button = QPushButton(self.tr("A&ll met"))
        self.all_met_button.setToolTip(
            self.tr("Answer every criterion “met”, then change the ones that were not.")
        )
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName(self.tr("Comment for the collector"))
        self.comment.setPlaceholderText(self.tr("What went well, what to do differently"))
        self.comment.setTabChangesFocus(True)
        self.comment.setMaximumHeight(110)
        self.score = QLabel()
        self.score.setStyleSheet("font-weight: bold")
        self.score.setAccessibleName(self.tr("Score"))
        self.reviewed = QLabel()
        self.reviewed.setWordWrap(True)
        self.reviewed.setStyleSheet(_MUTED)

        details = QGroupBox(self.tr("The call"))
        form = QVBoxLayout(details)
        form.addWidget(self.facts)
        form.addWidget(buddy(self.tr("Path thro&ugh the script"), self.path))
        form.addWidget(self.path)
        form.addWidget(buddy(self.tr("Chec&klist"), self.checklist))
        form.addWidget(self.checklist)
        form.addWidget(self.promise)
        form.addWidget(buddy(self.tr("&Notes"), self.notes))
        form.addWidget(self.notes)
        form.addWidget(self.escalations)

        review = QGroupBox(self.tr("Review"))
        review_layout = QVBoxLayout(review)
        row = QHBoxLayout()
        row.addWidget(self.all_met_button)
        row.addStretch(1)
        row.addWidget(self.score)
        review_layout.addLayout(row)
        review_layout.addWidget(self.criteria_box)
        review_layout.addWidget(buddy(self.tr("Co&mment"), self.comment))
        review_layout.addWidget(self.comment)
        review_layout.addWidget(self.reviewed)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(details)
        layout.addWidget(review)
        layout.addStretch(1)

        self.all_met_button.clicked.connect(self.answer_all_met)
        self.comment.textChanged.connect(self.answers_changed)
        self.answers_changed.connect(self._changed)
        self.show_detail(None)

    # Data in.

    def show_detail(self, detail: ReviewDetail | None, *, editable: bool = False) -> None:
        """Show `detail` (None: nothing chosen); `editable` lets the viewer answer and comment."""
        self.detail = detail
        self.editable = editable and detail is not None and detail.can_review
        self._fill_facts(detail)
        self._fill_criteria(detail)
        self.comment.blockSignals(True)
        review = detail.review if detail is not None else None
        self.comment.setPlainText((review.comment or "") if review is not None else "")
        self.comment.blockSignals(False)
        self.comment.setReadOnly(not self.editable)
        self.all_met_button.setVisible(self.editable)
        self.all_met_button.setEnabled(bool(self.rows))
        self._show_reviewed(detail)
        self._show_score()
        self.dirty = False

    # What the reviewer entered.

    def answers(self) -> dict[str, str]:
        """The answers given so far, by criterion id."""
        return {
            row.criterion.id: answer for row in self.rows if (answer := row.answer()) is not None
        }

    def unanswered(self) -> list[Criterion]:
        return [row.criterion for row in self.rows if row.answer() is None]

    def comment_text(self) -> str:
        return self.comment.toPlainText()

    def answer(self, criterion_id: str, value: str) -> None:
        """Answer one criterion (as a click on its button would)."""
        for row in self.rows:
            if row.criterion.id == criterion_id:
                row.buttons[value].click()
                return
        raise KeyError(criterion_id)

    def answer_all_met(self) -> None:
        for row in self.rows:
            row.set_answer(MET)
        self.answers_changed.emit()

    def score_value(self) -> int | None:
        return review_score(self.answers(), [row.criterion for row in self.rows])

    # Building the pane.

    def _placeholder(self) -> str:
        if self.for_collector:
            return self.tr("Choose a review to read.")
        return self.tr("Choose a contact to review.")

    def _fill_facts(self, detail: ReviewDetail | None) -> None:
        self.path.clear()
        self.checklist.clear()
        self.notes.clear()
        if detail is None:
            self.heading.setText(self._placeholder())
            for label in (self.facts, self.promise, self.escalations):
                label.clear()
            return
        language = self.context.language
        formats = self.context.formats
        contact = detail.contact
        self.heading.setText(
            self.tr("{collector} — {contract}, {borrower}").format(
                collector=contact.collector, contract=contact.contract_no, borrower=contact.borrower
            )
        )
        emotion = emotion_name(contact.emotion, language) if contact.emotion else self.tr("none")
        self.facts.setText(
            self.tr(
                "{time} · {outcome} · emotion: {emotion} · talk {talk}, after call {after}"
            ).format(
                time=formats.date_time(contact.started_at),
                outcome=disposition_name(contact.disposition, language),
                emotion=emotion,
                talk=duration_text(contact.duration_seconds) or "—",
                after=duration_text(contact.after_call_seconds) or "—",
            )
        )
        if detail.script_title is not None:
            self.path.setToolTip(detail.script_title.text(language))
        for number, step in enumerate(detail.script_path, start=1):
            title = step.title.text(language)
            if not step.known:
                title = self.tr("{step} (not in any script)").format(step=title)
            text = f"{number}. {title}"
            if step.answer is not None:
                text = self.tr("{step} → {answer}").format(
                    step=text, answer=step.answer.text(language)
                )
            self.path.addItem(text)
        if not detail.script_path:
            self.path.addItem(self.tr("No script path was recorded."))
        for line in detail.checklist:
            item = QListWidgetItem(line.text.text(language) + (" *" if line.required else ""))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if line.ticked else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, line.id)
            if line.required and not line.ticked:
                item.setToolTip(self.tr("Required, not ticked"))
            self.checklist.addItem(item)
        if not detail.checklist:
            self.checklist.addItem(self.tr("No checklist: nobody answered."))
        self.promise.setText(self._promise_text(detail))
        notes = []
        if detail.notes:
            notes.append(detail.notes)
        for note in detail.account_notes:
            notes.append(f"{formats.date_time(note.created_at)}  {note.text}")
        self.notes.setPlainText("\n\n".join(notes) or self.tr("No notes."))
        self.escalations.setText(self._escalations_text(detail))

    def _promise_text(self, detail: ReviewDetail) -> str:
        formats = self.context.formats
        if detail.promise is not None:
            promise = detail.promise
            return self.tr("Promise: {amount} by {date} ({status})").format(
                amount=formats.money(promise.amount, promise.currency),
                date=formats.date(promise.promised_date),
                status=promise_status_name(promise.status),
            )
        if detail.callback_at is not None:
            return self.tr("Callback agreed for {time}").format(
                time=formats.date_time(detail.callback_at)
            )
        return self.tr("No promise.")

    def _escalations_text(self, detail: ReviewDetail) -> str:
        if not detail.escalations:
            return self.tr("No escalation.")
        formats = self.context.formats
        lines = []
        for item in detail.escalations:
            name = escalation_name(item.kind, self.context.language)
            if item.decided_at is None:
                lines.append(
                    self.tr("Escalated: {kind}, {time}; waiting for a decision").format(
                        kind=name, time=formats.date_time(item.raised_at)
                    )
                )
            else:
                lines.append(
                    self.tr("Escalated: {kind}, {time}; decided: {decision}").format(
                        kind=name,
                        time=formats.date_time(item.raised_at),
                        decision=self._decision_name(item.decision or ""),
                    )
                )
        return "\n".join(lines)

    def _decision_name(self, decision: str) -> str:
        return {
            "pause": self.tr("keep paused"),
            "resume": self.tr("resume collection"),
            "refer": self.tr("referred"),
        }.get(decision, decision)

    def _fill_criteria(self, detail: ReviewDetail | None) -> None:
        while self.criteria_grid.count():
            item = self.criteria_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        if detail is None:
            return
        language = self.context.language
        titles = {
            MET: self.tr("Met"),
            NOT_MET: self.tr("Not met"),
            NOT_APPLICABLE: self.tr("n/a"),
        }
        for column, value in enumerate(ANSWERS, start=1):
            header = QLabel(titles[value])
            header.setStyleSheet(_MUTED)
            self.criteria_grid.addWidget(header, 0, column)
        answers = detail.review.answers if detail.review is not None else {}
        for number, criterion in enumerate(detail.criteria, start=1):
            text = self.tr("{criterion} ({points} pt)").format(
                criterion=criterion.text(language), points=criterion.weight
            )
            label = QLabel(text)
            label.setWordWrap(True)
            if criterion.guide(language):
                label.setToolTip(criterion.guide(language))
            self.criteria_grid.addWidget(label, number, 0)
            buttons = {}
            for column, value in enumerate(ANSWERS, start=1):
                button = QRadioButton()
                button.setAccessibleName(
                    self.tr("{criterion}: {answer}").format(
                        criterion=criterion.text(language), answer=titles[value]
                    )
                )
                button.setEnabled(self.editable)
                button.toggled.connect(self._toggled)
                self.criteria_grid.addWidget(button, number, column, Qt.AlignmentFlag.AlignCenter)
                buttons[value] = button
            row = CriterionRow(criterion, buttons)
            row.set_answer(answers.get(criterion.id))
            self.rows.append(row)
        self.criteria_grid.setColumnStretch(0, 1)
        # The buttons are made after the comment box: put them between "All met" and it.
        previous: QWidget = self.all_met_button
        for row in self.rows:
            for button in row.buttons.values():
                QWidget.setTabOrder(previous, button)
                previous = button
        QWidget.setTabOrder(previous, self.comment)
        if not detail.criteria:
            self.criteria_grid.addWidget(QLabel(self.tr("No criterion applies.")), 1, 0)

    def _toggled(self, checked: bool) -> None:
        if checked:
            self.answers_changed.emit()

    def _changed(self) -> None:
        self.dirty = self.editable
        self._show_score()

    def _show_score(self) -> None:
        if self.detail is None:
            self.score.clear()
            return
        score = self.score_value()
        text = (
            self.tr("Score: {score}%").format(score=score)
            if score is not None
            else self.tr("Score: —")
        )
        open_count = len(self.unanswered())
        if self.editable and open_count:
            text = self.tr("{score} ({count} to answer)").format(score=text, count=open_count)
        self.score.setText(text)

    def _show_reviewed(self, detail: ReviewDetail | None) -> None:
        if detail is None:
            self.reviewed.clear()
            return
        formats = self.context.formats
        review = detail.review
        if review is None:
            text = self.tr("Not reviewed yet.")
        elif self.for_collector:
            text = self.tr("Reviewed by {reviewer}, {time}.").format(
                reviewer=review.reviewer, time=formats.date_time(review.reviewed_at)
            )
        elif review.seen_at is None:
            text = self.tr("Reviewed by {reviewer}, {time}; not yet seen by the collector.").format(
                reviewer=review.reviewer, time=formats.date_time(review.reviewed_at)
            )
        else:
            text = self.tr("Reviewed by {reviewer}, {time}; seen by the collector {seen}.").format(
                reviewer=review.reviewer,
                time=formats.date_time(review.reviewed_at),
                seen=formats.date_time(review.seen_at),
            )
        if not detail.can_review and detail.review is None:
            text = self.tr("Not reviewed yet. You cannot review this contact.")
        self.reviewed.setText(text)


# -- the panel -------------------------------------------------------------------------------


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
        self._list_job: Job | None = None
        self._detail_job: Job | None = None
        self._save_job: Job | None = None
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
        self.model = ContactRowsModel(context, self)
        self.proxy = ContactSort(self)
        self.proxy.setSourceModel(self.model)
        self.table = list_table(self.proxy, self.tr("Contacts to review"))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ContactColumn.TIME, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel()
        self.count.setAccessibleName(self.tr("Contacts shown"))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)

        # The review.
        self.pane = ReviewPane(context)
        self.save_button = QPushButton(self.tr("&Save review"))
        self.save_button.setToolTip(
            QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText)
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(_ERROR_STYLE)
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
        if self._list_job is not None:
            self._list_job.cancel()
        self.count.setText(self.tr("Loading…"))
        self._list_job = self.context.call(
            review_list,
            self.context.username,
            self.current_filter(),
            self.team,
            LIST_LIMIT,
            on_done=self._listed,
            on_error=self._list_failed,
        )

    @property
    def loading(self) -> bool:
        return self._list_job is not None or self._detail_job is not None

    def _listed(self, rows: tuple[ContactRow, ...]) -> None:
        self._list_job = None
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
        self._list_job = None
        self.count.setText(self.tr("The contacts could not be loaded."))
        self._failed(error)

    def current_row(self) -> ContactRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

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
        row = self.model.row_at(self.proxy.mapToSource(current).row())
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
        if self._detail_job is not None:
            self._detail_job.cancel()
        self.message.clear()
        self._detail_job = self.context.call(
            contact_for_review,
            self.context.username,
            attempt_id,
            on_done=self._show,
            on_error=self._detail_failed,
        )

    def _show(self, detail: ReviewDetail) -> None:
        self._detail_job = None
        self.pane.show_detail(detail, editable=True)
        self._update_save()
        self.detail_shown.emit(detail)

    def _detail_failed(self, error: BaseException) -> None:
        self._detail_job = None
        self.pane.show_detail(None)
        self._update_save()
        self._failed(error)

    # Saving.

    def save(self) -> None:
        """Store the review on screen (Ctrl+S)."""
        detail = self.pane.detail
        if detail is None or not self.pane.editable or self._save_job is not None:
            return
        comment = self.pane.comment_text()
        self.message.clear()
        self._save_job = self.context.call(
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
        self._save_job = None
        self.model.update_row(detail.contact)
        self.pane.show_detail(detail, editable=True)
        self._update_save()
        self.review_saved.emit(detail)

    def _save_failed(self, error: BaseException) -> None:
        self._save_job = None
        self.message.setText(error_text(error))
        self._update_save()

    def _update_save(self) -> None:
        editable = self.pane.editable
        self.save_button.setVisible(editable or self.pane.detail is None)
        # Enabled with criteria still open: saving then names them.
        self.save_button.setEnabled(editable and self._save_job is None)

    def _failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Call review"), error_text(error))
