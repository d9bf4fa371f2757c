"""A contact as a call review shows it, with the review's answers and comment: editable by a
team lead in the call review, read-only for the collector reading their feedback."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services.team.reviews import (
    ANSWERS,
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    Criterion,
    ReviewDetail,
    review_score,
)
from app.ui.common.context import Context
from app.ui.common.form_parts import buddy
from app.ui.common.labels import (
    disposition_name,
    duration_text,
    emotion_name,
    escalation_decision_name,
    escalation_name,
    promise_status_name,
)
from app.ui.common.look import Ink, paint


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
        # Long items wrap: nothing is read by scrolling sideways.
        for items in (self.path, self.checklist):
            items.setWordWrap(True)
            items.setResizeMode(QListView.ResizeMode.Adjust)
            items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        paint(self.reviewed, Ink.MUTED)

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
            decision = item.decision if item.decided_at is not None else None
            lines.append(
                self.tr("Escalated: {kind}, {time}; {status}").format(
                    kind=escalation_name(item.kind, self.context.language),
                    time=formats.date_time(item.raised_at),
                    status=escalation_decision_name(decision),
                )
            )
        return "\n".join(lines)

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
            paint(header, Ink.MUTED)
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
