"""What the team lead decided on a collector's plans outside the policy (PRODUCT.md §7).

`PlanDecisionsDialog` lists the collector's plans a lead approved or rejected in the last
`DECISION_DAYS` days, latest first, with the lead's reason; the ones the collector had not
seen before are marked "new". `count_unseen_decisions` gives the number for a badge.

Which decisions a user has seen is remembered in the window's settings, as the plan ids
(not a moment): decisions reach a workstation by sync, late and in any order, so a lead's
decision made before the collector last looked may still arrive after it.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.services.plans.lifecycle import PlanDecision, plan_decisions
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.labels import plan_status_name
from app.ui.common.runner import Job
from app.ui.common.settings import PLAN_DECISIONS_SEEN, Settings
from app.ui.common.tables import list_table

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY = Qt.ItemDataRole.DisplayRole
# How far back the dialog (and the badge) look.
DECISION_DAYS = 30


# -- which decisions a user has seen ---------------------------------------------------------


def _seen_map(settings: Settings) -> dict[str, list[str]]:
    try:
        stored = json.loads(settings.get(PLAN_DECISIONS_SEEN) or "{}")
    except ValueError:
        return {}
    return stored if isinstance(stored, dict) else {}


def seen_decisions(settings: Settings, username: str) -> frozenset[uuid.UUID]:
    """The plans whose decision `username` has seen in this window."""
    found = set()
    for text in _seen_map(settings).get(username, []):
        try:
            found.add(uuid.UUID(str(text)))
        except ValueError:
            continue
    return frozenset(found)


def mark_decisions_seen(settings: Settings, username: str, plan_ids: Iterable[uuid.UUID]) -> None:
    """Remember `plan_ids` as the decisions `username` has seen (replacing the ones before:
    what the dialog no longer lists need not be remembered)."""
    stored = _seen_map(settings)
    stored[username] = sorted(str(plan_id) for plan_id in plan_ids)
    settings.set(PLAN_DECISIONS_SEEN, json.dumps(stored, sort_keys=True))


def decisions_since(now: datetime) -> datetime:
    return now - timedelta(days=DECISION_DAYS)


def unseen_decision_count(
    db: Database, username: str, seen: frozenset[uuid.UUID], *, now: datetime
) -> int:
    """Runs on the worker: how many of the user's recent plan decisions are not in `seen`."""
    decisions = plan_decisions(db, username, since=decisions_since(now))
    return sum(1 for decision in decisions if decision.plan_id not in seen)


def count_unseen_decisions(
    context: Context,
    on_done: Callable[[int], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Job:
    """Ask (on the worker) how many plan decisions the signed-in user has not seen yet; the
    answer goes to `on_done` on the GUI thread, for a badge."""
    return context.call(
        unseen_decision_count,
        context.username,
        seen_decisions(context.settings, context.username),
        now=context.clock(),
        on_done=on_done,
        on_error=on_error or (lambda _error: None),
    )


# -- the list ---------------------------------------------------------------------------------


class Column(enum.IntEnum):
    DECIDED = 0
    ACCOUNT = 1
    BORROWER = 2
    DECISION = 3
    LEAD = 4
    NOW = 5
    # Last: it takes the room that is left.
    REASON = 6


class DecisionsModel(QAbstractTableModel):
    """The user's plan decisions, latest first; the ones not seen before in bold, marked new."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._rows: list[PlanDecision] = []
        self._new: frozenset[uuid.UUID] = frozenset()
        self._bold = QFont()
        self._bold.setBold(True)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != _DISPLAY:
            return None
        if not 0 <= section < len(Column):
            return None
        return {
            Column.DECIDED: self.tr("Decided"),
            Column.ACCOUNT: self.tr("Account"),
            Column.BORROWER: self.tr("Borrower"),
            Column.DECISION: self.tr("Decision"),
            Column.REASON: self.tr("Reason"),
            Column.LEAD: self.tr("Team lead"),
            Column.NOW: self.tr("Plan now"),
        }[Column(section)]

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        decision = self._rows[index.row()]
        column = Column(index.column())
        if role == _DISPLAY:
            return self._display(decision, column)
        if role == Qt.ItemDataRole.FontRole and decision.plan_id in self._new:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column is Column.REASON and decision.reason:
            return decision.reason
        if role == ID_ROLE:
            return str(decision.plan_id)
        return None

    def _display(self, decision: PlanDecision, column: Column) -> str:
        if column is Column.DECIDED:
            return self.context.formats.date_time(decision.decided_at)
        if column is Column.ACCOUNT:
            return decision.contract_no
        if column is Column.BORROWER:
            return decision.borrower
        if column is Column.DECISION:
            text = self.tr("Approved") if decision.approved else self.tr("Rejected")
            if decision.plan_id in self._new:
                return self.tr("{decision} (new)").format(decision=text)
            return text
        if column is Column.REASON:
            return decision.reason or "—"
        if column is Column.LEAD:
            return decision.lead
        return plan_status_name(decision.status.value)

    def decision(self, row: int) -> PlanDecision:
        return self._rows[row]

    def is_new(self, row: int) -> bool:
        return self._rows[row].plan_id in self._new

    def set_decisions(self, decisions: Sequence[PlanDecision], new: frozenset[uuid.UUID]) -> None:
        """Show `decisions`; the ones in `new` are marked. The dialog loads once: a reset."""
        self.beginResetModel()
        self._rows = list(decisions)
        self._new = new
        self.endResetModel()


class PlanDecisionsDialog(QDialog):
    """A collector's plan decisions. Emits `seen(count)` once the decisions are shown and
    remembered as seen (`count` of them were new), so the window can clear its badge."""

    seen = Signal(int)
    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._job: Job | None = None
        self.setWindowTitle(self.tr("Decisions on my plans"))
        intro = QLabel(
            self.tr(
                "Plans of yours outside the policy that a team lead approved or rejected in the"
                " last {days} days, latest first."
            ).format(days=context.formats.number(DECISION_DAYS))
        )
        intro.setWordWrap(True)
        self.model = DecisionsModel(context, self)
        self.table = list_table(self.model, self.tr("Decisions on my plans"))
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = QLabel(self.tr("No team lead has decided on a plan of yours lately."))
        self.empty.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.resize(1000, 380)
        self.reload()

    def reload(self) -> None:
        if self._job is not None:
            self._job.cancel()
        self._job = self.context.call(
            plan_decisions,
            self.context.username,
            decisions_since(self.context.clock()),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, decisions: tuple[PlanDecision, ...]) -> None:
        self._job = None
        settings, username = self.context.settings, self.context.username
        before = seen_decisions(settings, username)
        new = frozenset(d.plan_id for d in decisions if d.plan_id not in before)
        self.model.set_decisions(decisions, new)
        self.empty.setVisible(not decisions)
        if decisions:
            self.table.setCurrentIndex(self.model.index(0, Column.DECIDED))
        mark_decisions_seen(settings, username, (d.plan_id for d in decisions))
        self.loaded.emit()
        self.seen.emit(len(new))

    def _failed(self, error: BaseException) -> None:
        self._job = None
        self.context.dialogs.error(self, self.tr("Could not load the decisions"), error_text(error))
