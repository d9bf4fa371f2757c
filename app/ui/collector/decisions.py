"""What the team lead decided on a collector's plans outside the policy (docs/domain.md §7).

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

from PySide6.QtCore import (
    QObject,
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
from app.ui.common.runner import Job, Latest
from app.ui.common.settings import PLAN_DECISIONS_SEEN, Settings
from app.ui.common.table_model import RowTableModel, TableColumn
from app.ui.common.tables import list_table

ID_ROLE = Qt.ItemDataRole.UserRole + 1
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


class DecisionsModel(RowTableModel[PlanDecision, uuid.UUID]):
    """The user's plan decisions, latest first; the ones not seen before in bold, marked new."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(lambda decision: decision.plan_id, parent=parent)
        self.context = context
        self._new: frozenset[uuid.UUID] = frozenset()
        self._bold = QFont()
        self._bold.setBold(True)
        formats = context.formats
        columns = {
            Column.DECIDED: TableColumn(
                self.tr("Decided"), lambda decision: formats.date_time(decision.decided_at)
            ),
            Column.ACCOUNT: TableColumn(self.tr("Account"), lambda decision: decision.contract_no),
            Column.BORROWER: TableColumn(self.tr("Borrower"), lambda decision: decision.borrower),
            Column.DECISION: TableColumn(self.tr("Decision"), self._decision_text),
            Column.LEAD: TableColumn(self.tr("Team lead"), lambda decision: decision.lead),
            Column.NOW: TableColumn(
                self.tr("Plan now"), lambda decision: plan_status_name(decision.status.value)
            ),
            Column.REASON: TableColumn(
                self.tr("Reason"),
                lambda decision: decision.reason or "—",
                tooltip=lambda decision: decision.reason or None,
            ),
        }
        self.set_columns(
            [columns[column] for column in Column],
            roles={
                Qt.ItemDataRole.FontRole: lambda decision: (
                    self._bold if decision.plan_id in self._new else None
                ),
                ID_ROLE: lambda decision: str(decision.plan_id),
            },
        )

    def _decision_text(self, decision: PlanDecision) -> str:
        text = self.tr("Approved") if decision.approved else self.tr("Rejected")
        if decision.plan_id in self._new:
            return self.tr("{decision} (new)").format(decision=text)
        return text

    def is_new(self, row: int) -> bool:
        return self.row_at(row).plan_id in self._new

    def set_decisions(self, decisions: Sequence[PlanDecision], new: frozenset[uuid.UUID]) -> None:
        """Show `decisions`; the ones in `new` are marked. The dialog loads once: a reset."""
        self._new = new
        self.set_rows(decisions)


class PlanDecisionsDialog(QDialog):
    """A collector's plan decisions. Emits `seen(count)` once the decisions are shown and
    remembered as seen (`count` of them were new), so the window can clear its badge."""

    seen = Signal(int)
    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._load = Latest()
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
        self._load.run(
            self.context,
            plan_decisions,
            self.context.username,
            decisions_since(self.context.clock()),
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, decisions: tuple[PlanDecision, ...]) -> None:
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
        self.context.dialogs.error(self, self.tr("Could not load the decisions"), error_text(error))
