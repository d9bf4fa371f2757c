"""A collector's feedback: the team lead's reviews of their own contacts (issue 6).

The list is `my_feedback`; choosing a review shows the contact and its review read-only
(`contact_for_review`, in the call review's `ReviewPane`) and marks it seen
(`mark_feedback_seen`). The main window shows the number not yet seen (`unseen_count`) on its
menu entry, `feedback_menu_text` words it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QSize,
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
from app.ui.common.runner import Latest
from app.ui.common.screens import fit_to_screen
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table

# The review's id, for a view to find the row.
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 1


def feedback_menu_text(count: int) -> str:
    """The main window's menu entry: “&Feedback”, or “&Feedback (2)” with reviews not yet seen."""
    if count <= 0:
        return QCoreApplication.translate("FeedbackDialog", "&Feedback")
    return QCoreApplication.translate("FeedbackDialog", "&Feedback ({count})").format(count=count)


FeedbackModel = RowTableModel[FeedbackRow, uuid.UUID]


class FeedbackColumn(enum.IntEnum):
    REVIEWED = 0
    SCORE = 1
    CONTRACT = 2
    BORROWER = 3
    CALL = 4
    OUTCOME = 5
    REVIEWER = 6
    COMMENT = 7


def feedback_model(context: Context, parent: QObject | None = None) -> FeedbackModel:
    """The reviews of the collector's contacts, newest first; new ones in bold."""
    formats = context.formats
    bold = QFont()
    bold.setBold(True)

    def new_tip(row: FeedbackRow) -> str | None:
        if row.seen:
            return None
        return QCoreApplication.translate("FeedbackModel", "New: not opened yet")

    def comment(row: FeedbackRow) -> str:
        # One line in the table; the whole comment is in the pane and the tooltip.
        return (row.comment or "").splitlines()[0] if row.comment else ""

    columns: dict[FeedbackColumn, TableColumn[FeedbackRow]] = {
        FeedbackColumn.REVIEWED: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Reviewed"),
            lambda row: formats.date_time(row.reviewed_at),
        ),
        FeedbackColumn.SCORE: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Score"),
            lambda row: "—" if row.score is None else f"{row.score}%",
            align=RIGHT,
        ),
        FeedbackColumn.CONTRACT: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Contract"), lambda row: row.contract_no
        ),
        FeedbackColumn.BORROWER: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Borrower"), lambda row: row.borrower
        ),
        FeedbackColumn.CALL: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Call"),
            lambda row: formats.date_time(row.started_at),
        ),
        FeedbackColumn.OUTCOME: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Outcome"),
            lambda row: disposition_name(row.disposition, context.language),
        ),
        FeedbackColumn.REVIEWER: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Reviewer"), lambda row: row.reviewer
        ),
        FeedbackColumn.COMMENT: TableColumn(
            QCoreApplication.translate("FeedbackModel", "Comment"),
            comment,
            tooltip=lambda row: row.comment or new_tip(row),
        ),
    }
    return FeedbackModel(
        lambda row: row.review_id,
        [columns[column] for column in FeedbackColumn],
        roles={
            Qt.ItemDataRole.FontRole: lambda row: None if row.seen else bold,
            Qt.ItemDataRole.ToolTipRole: new_tip,
            REVIEW_ROLE: lambda row: str(row.review_id),
        },
        parent=parent,
    )


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
        self._list = Latest()
        self._detail = Latest()
        self.setWindowTitle(self.tr("Feedback on my calls"))

        self.only_new = QCheckBox(self.tr("Only &new feedback"))
        self.model = feedback_model(context, self)
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
        fit_to_screen(self, QSize(1000, 720))
        self.refresh()

    @property
    def loading(self) -> bool:
        return self._list.busy or self._detail.busy

    def refresh(self) -> None:
        self.count.setText(self.tr("Loading…"))
        self._list.run(
            self.context,
            my_feedback,
            self.context.username,
            unseen_only=self.only_new.isChecked(),
            on_done=self._listed,
            on_error=self._failed,
        )

    def _listed(self, rows: tuple[FeedbackRow, ...]) -> None:
        self.model.set_rows(rows)
        self.pane.show_detail(None)
        if rows:
            self.count.setText(
                self.tr("{count} reviews, {new} new").format(
                    count=self.context.formats.number(len(rows)),
                    new=self.context.formats.number(sum(1 for row in rows if not row.seen)),
                )
            )
        else:
            self.count.setText(self.tr("No reviews of your contacts yet."))
        self.loaded.emit(len(rows))

    def current_row(self) -> FeedbackRow | None:
        return self.model.row_for(self.table.currentIndex())

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_for(current)
        if row is not None:
            self.open_review(row)

    def open_review(self, row: FeedbackRow) -> None:
        """Show the review of `row`'s contact and mark it seen."""
        self._detail.run(
            self.context,
            contact_for_review,
            self.context.username,
            row.attempt_id,
            on_done=self._show,
            on_error=self._detail_failed,
        )

    def _show(self, detail: ReviewDetail) -> None:
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
        # Those reviews were opened: no longer bold (only their rows repaint).
        wanted = set(marked)
        for row in self.model.rows:
            if row.review_id in wanted and row.seen_at is None:
                self.model.update_row(
                    row.review_id,
                    replace(row, seen_at=seen_at),
                    [Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole],
                )
        self.context.call(
            unseen_count,
            self.context.username,
            on_done=self.unseen_changed.emit,
            on_error=self._failed,
        )

    def _detail_failed(self, error: BaseException) -> None:
        self.pane.show_detail(None)
        self._failed(error)

    def _failed(self, error: BaseException) -> None:
        self.context.dialogs.error(self, self.tr("Feedback"), error_text(error))
