"""A collector's feedback: the team lead's reviews of their own contacts (issue 6).

The list is `my_feedback`; choosing a review shows the contact and its review read-only
(`contact_for_review`, in the call review's `ReviewPane`) and marks it seen
(`mark_feedback_seen`). The main window shows the number not yet seen (`unseen_count`) on its
menu entry, `feedback_menu_text` words it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services.team.reviews import (
    FeedbackRow,
    ReviewDetail,
    contact_for_review,
    mark_feedback_seen,
    my_feedback,
    unseen_count,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.labels import disposition_name
from app.ui.common.review_pane import ReviewPane
from app.ui.common.runner import Job
from app.ui.common.tables import list_table

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# The review's id, for a view to find the row.
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 1


def feedback_menu_text(count: int) -> str:
    """The main window's menu entry: “&Feedback”, or “&Feedback (2)” with reviews not yet seen."""
    if count <= 0:
        return QCoreApplication.translate("FeedbackDialog", "&Feedback")
    return QCoreApplication.translate("FeedbackDialog", "&Feedback ({count})").format(count=count)


class FeedbackColumn(enum.IntEnum):
    REVIEWED = 0
    SCORE = 1
    CONTRACT = 2
    BORROWER = 3
    CALL = 4
    OUTCOME = 5
    REVIEWER = 6
    COMMENT = 7


class FeedbackModel(QAbstractTableModel):
    """The reviews of the collector's contacts, newest first; new ones in bold."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._rows: tuple[FeedbackRow, ...] = ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FeedbackColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != _DISPLAY:
            return None
        if not 0 <= section < len(FeedbackColumn):
            return None
        return {
            FeedbackColumn.REVIEWED: self.tr("Reviewed"),
            FeedbackColumn.SCORE: self.tr("Score"),
            FeedbackColumn.CONTRACT: self.tr("Contract"),
            FeedbackColumn.BORROWER: self.tr("Borrower"),
            FeedbackColumn.CALL: self.tr("Call"),
            FeedbackColumn.OUTCOME: self.tr("Outcome"),
            FeedbackColumn.REVIEWER: self.tr("Reviewer"),
            FeedbackColumn.COMMENT: self.tr("Comment"),
        }[FeedbackColumn(section)]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = FeedbackColumn(index.column())
        if role == _DISPLAY:
            return self._text(row, column)
        if role == Qt.ItemDataRole.FontRole and not row.seen:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == FeedbackColumn.COMMENT and row.comment:
                return row.comment
            if not row.seen:
                return self.tr("New: not opened yet")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == FeedbackColumn.SCORE:
            return _RIGHT
        if role == REVIEW_ROLE:
            return str(row.review_id)
        return None

    def _text(self, row: FeedbackRow, column: FeedbackColumn) -> str:
        formats = self.context.formats
        match column:
            case FeedbackColumn.REVIEWED:
                return formats.date_time(row.reviewed_at)
            case FeedbackColumn.SCORE:
                return "—" if row.score is None else f"{row.score}%"
            case FeedbackColumn.CONTRACT:
                return row.contract_no
            case FeedbackColumn.BORROWER:
                return row.borrower
            case FeedbackColumn.CALL:
                return formats.date_time(row.started_at)
            case FeedbackColumn.OUTCOME:
                return disposition_name(row.disposition, self.context.language)
            case FeedbackColumn.REVIEWER:
                return row.reviewer
            case FeedbackColumn.COMMENT:
                # One line in the table; the whole comment is in the pane and the tooltip.
                return (row.comment or "").splitlines()[0] if row.comment else ""
        return ""

    @property
    def rows(self) -> tuple[FeedbackRow, ...]:
        return self._rows

    def row_at(self, row: int) -> FeedbackRow:
        return self._rows[row]

    def set_rows(self, rows: Sequence[FeedbackRow]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def mark_seen(self, review_ids: Sequence[uuid.UUID], at: datetime) -> None:
        """Those reviews were opened: no longer bold (only their rows repaint)."""
        wanted = set(review_ids)
        rows = list(self._rows)
        for number, row in enumerate(rows):
            if row.review_id in wanted and row.seen_at is None:
                rows[number] = replace(row, seen_at=at)
                self._rows = tuple(rows)
                self.dataChanged.emit(
                    self.index(number, 0),
                    self.index(number, len(FeedbackColumn) - 1),
                    [Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole],
                )

    @property
    def unseen(self) -> int:
        return sum(1 for row in self._rows if not row.seen)


class FeedbackDialog(QDialog):
    """The collector's reviewed contacts; opening one shows its review and marks it seen.

    Signals: `loaded(count)` when the list is shown; `detail_shown(detail)` when a review is
    shown; `unseen_changed(count)` with the number still not seen, after one is marked (the
    main window's menu entry shows it, see `feedback_menu_text`).
    """

    loaded = Signal(int)
    detail_shown = Signal(object)
    unseen_changed = Signal(int)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._list_job: Job | None = None
        self._detail_job: Job | None = None
        self.setWindowTitle(self.tr("Feedback on my calls"))

        self.only_new = QCheckBox(self.tr("Only &new feedback"))
        self.model = FeedbackModel(context, self)
        self.table = list_table(self.model, self.tr("Reviews of my contacts"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.count = QLabel()
        self.count.setAccessibleName(self.tr("Reviews shown"))

        self.pane = ReviewPane(context, for_collector=True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pane)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.only_new)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)

        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.only_new.toggled.connect(lambda _checked: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.close_button.clicked.connect(self.close)
        self.resize(1000, 720)
        self.refresh()

    @property
    def loading(self) -> bool:
        return self._list_job is not None or self._detail_job is not None

    def refresh(self) -> None:
        if self._list_job is not None:
            self._list_job.cancel()
        self.count.setText(self.tr("Loading…"))
        self._list_job = self.context.call(
            my_feedback,
            self.context.username,
            unseen_only=self.only_new.isChecked(),
            on_done=self._listed,
            on_error=self._failed,
        )

    def _listed(self, rows: tuple[FeedbackRow, ...]) -> None:
        self._list_job = None
        self.model.set_rows(rows)
        self.pane.show_detail(None)
        if rows:
            self.count.setText(
                self.tr("{count} reviews, {new} new").format(
                    count=self.context.formats.number(len(rows)),
                    new=self.context.formats.number(self.model.unseen),
                )
            )
        else:
            self.count.setText(self.tr("No reviews of your contacts yet."))
        self.loaded.emit(len(rows))

    def current_row(self) -> FeedbackRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.open_review(self.model.row_at(current.row()))

    def open_review(self, row: FeedbackRow) -> None:
        """Show the review of `row`'s contact and mark it seen."""
        if self._detail_job is not None:
            self._detail_job.cancel()
        self._detail_job = self.context.call(
            contact_for_review,
            self.context.username,
            row.attempt_id,
            on_done=self._show,
            on_error=self._detail_failed,
        )

    def _show(self, detail: ReviewDetail) -> None:
        self._detail_job = None
        self.pane.show_detail(detail, editable=False)
        self.detail_shown.emit(detail)
        review = detail.review
        if review is not None and review.seen_at is None:
            seen_at = self.context.clock()
            self.context.call(
                mark_feedback_seen,
                self.context.username,
                [review.id],
                now=seen_at,
                on_done=lambda marked: self._marked(marked, seen_at),
                on_error=self._failed,
            )

    def _marked(self, marked: tuple[uuid.UUID, ...], seen_at: datetime) -> None:
        self.model.mark_seen(marked, seen_at)
        self.context.call(
            unseen_count,
            self.context.username,
            on_done=self.unseen_changed.emit,
            on_error=self._failed,
        )

    def _detail_failed(self, error: BaseException) -> None:
        self._detail_job = None
        self.pane.show_detail(None)
        self._failed(error)

    def _failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Feedback"), error_text(error))
