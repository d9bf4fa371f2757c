"""A field agent's day of home visits: which accounts, in what order, the sheets, the outcomes.

The window lists the agent's candidates (`visit_candidates`) in route order; the agent ticks
the accounts to visit, reorders them, picks the second agent and the start, and plans the day
(`plan_visits`, which enforces the home-visit rules). The planned day shows each stop's
expected arrival; its visit sheets are printed to a PDF, and each visit's outcome is recorded
in `VisitOutcomeDialog`. Every database call goes through the context's worker.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.models import VisitStatus
from app.services.common.clock import local_today
from app.services.common.errors import DomainError
from app.services.common.reference import load_json
from app.services.common.users import UserView, list_users
from app.services.contact.compliance import profile_code_for
from app.services.field.visit_sheets import write_sheets
from app.services.field.visits import (
    VISITORS,
    HomeVisitRules,
    PlannedVisit,
    RecordedVisit,
    VisitCandidate,
    day_visits,
    home_visit_rules,
    plan_visits,
    visit_candidates,
    visit_outcomes,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.i18n import DATE_FORMATS, Formats
from app.ui.common.look import Ink, paint
from app.ui.common.runner import Latest
from app.ui.common.screens import fit_to_screen
from app.ui.common.scroll_areas import FittedScrollArea
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table
from app.ui.field.visit_outcome import VisitOutcomeDialog

Index = QModelIndex | QPersistentModelIndex

CONTRACT_ROLE = Qt.ItemDataRole.UserRole + 1
# Planned visits and candidates carry no country yet: the installation's default profile is
# the one whose rules the planner shows ("" is a country without a profile of its own).
DEFAULT_COUNTRY = ""


def _route_policy() -> dict[str, Any]:
    return dict(load_json("visit_policy.json")["route"])


# -- what the worker loads -------------------------------------------------------------------


@dataclass(frozen=True)
class PlannerDay:
    """The candidates and the visits of one day, loaded together."""

    day: date
    candidates: tuple[VisitCandidate, ...]
    visits: tuple[PlannedVisit, ...]


def load_day(db: Database, username: str, day: date, *, now: datetime) -> PlannerDay:
    """Runs on the worker: what the planner shows for `day`."""
    return PlannerDay(
        day, visit_candidates(db, username, day, now=now), day_visits(db, username, day)
    )


# -- the candidates --------------------------------------------------------------------------


class CandidateColumn(enum.IntEnum):
    SEQ = 0
    DISTRICT = 1
    ADDRESS = 2
    BORROWER = 3
    CONTRACT = 4
    DPD = 5
    OVERDUE = 6
    WHY = 7


_CANDIDATE_COLUMNS = tuple(CandidateColumn)


class CandidateModel(RowTableModel[VisitCandidate, str]):
    """The candidates in the agent's order; a check box on each says whether it is visited.

    Emits `route_changed()` when the ticked accounts or their order change.
    """

    route_changed = Signal()

    def __init__(self, formats: Formats, parent: QObject | None = None) -> None:
        super().__init__(lambda candidate: candidate.contract_no, parent=parent)
        self.formats = formats
        self._included: set[str] = set()
        self._seq: dict[str, int] = {}
        columns: dict[CandidateColumn, TableColumn[VisitCandidate]] = {
            CandidateColumn.SEQ: TableColumn(
                self.tr("Stop"),
                self._seq_text,
                align=RIGHT,
                tooltip=lambda _candidate: self.tr(
                    "Tick to visit; Alt+Up and Alt+Down move the stop."
                ),
                roles={Qt.ItemDataRole.CheckStateRole: self._check_state},
            ),
            # A field agent's accounts may lie in several cities: the route goes city by city.
            CandidateColumn.DISTRICT: TableColumn(
                self.tr("City and district"),
                lambda candidate: f"{candidate.city}{candidate.district}",
            ),
            CandidateColumn.ADDRESS: TableColumn(
                self.tr("Address"), lambda candidate: candidate.address
            ),
            CandidateColumn.BORROWER: TableColumn(
                self.tr("Borrower"), lambda candidate: candidate.borrower_name
            ),
            CandidateColumn.CONTRACT: TableColumn(
                self.tr("Contract"), lambda candidate: candidate.contract_no
            ),
            CandidateColumn.DPD: TableColumn(
                self.tr("DPD"), lambda candidate: formats.number(candidate.dpd), align=RIGHT
            ),
            CandidateColumn.OVERDUE: TableColumn(
                self.tr("Overdue"),
                lambda candidate: formats.money(candidate.overdue, candidate.currency),
                align=RIGHT,
            ),
            CandidateColumn.WHY: TableColumn(self.tr("Why a visit"), self.why, tooltip=self.why),
        }
        self.set_columns(
            [columns[column] for column in CandidateColumn],
            roles={CONTRACT_ROLE: lambda candidate: candidate.contract_no},
        )

    # Qt's model interface.

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == CandidateColumn.SEQ:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or index.column() != CandidateColumn.SEQ
            or role != Qt.ItemDataRole.CheckStateRole
        ):
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self.set_included(index.row(), checked)
        return True

    # What the rows show.

    def _seq_text(self, candidate: VisitCandidate) -> str:
        seq = self._seq.get(candidate.contract_no)
        return "" if seq is None else self.formats.number(seq)

    def _check_state(self, candidate: VisitCandidate) -> Qt.CheckState:
        if candidate.contract_no in self._included:
            return Qt.CheckState.Checked
        return Qt.CheckState.Unchecked

    def why(self, candidate: VisitCandidate) -> str:
        if candidate.reason == "marked":
            return self.tr("Marked by the team lead: {note}").format(note=candidate.note)
        if candidate.last_rpc_on is None:
            return self.tr("Overdue, never reached")
        return self.tr("Overdue, last reached {day}").format(
            day=self.formats.date(candidate.last_rpc_on)
        )

    # The agent's choices.

    def set_candidates(self, candidates: Sequence[VisitCandidate], planned: Sequence[str]) -> None:
        """Show `candidates`; the `planned` ones first and ticked, in their plan order.

        With nothing planned nothing is ticked: which accounts fit in a day (the visit hours,
        the travel between districts) is for the agent to judge and `plan_visits` to check.
        """
        by_contract = {candidate.contract_no: candidate for candidate in candidates}
        first = [by_contract[no] for no in planned if no in by_contract]
        rest = [candidate for candidate in candidates if candidate.contract_no not in planned]
        self._included = {candidate.contract_no for candidate in first}
        self._renumber(first + rest)
        self.set_rows(first + rest)
        self.route_changed.emit()

    def order(self) -> tuple[str, ...]:
        """Every candidate's contract, in the order shown."""
        return tuple(candidate.contract_no for candidate in self._rows)

    def route(self) -> tuple[str, ...]:
        """The ticked contracts, in the order of the visits."""
        return tuple(no for no in self.order() if no in self._included)

    def is_included(self, row: int) -> bool:
        return self.row_at(row).contract_no in self._included

    def set_included(self, row: int, included: bool) -> None:
        contract = self.row_at(row).contract_no
        if (contract in self._included) == included:
            return
        if included:
            self._included.add(contract)
        else:
            self._included.discard(contract)
        self._route_changed()

    def move(self, row: int, offset: int) -> int:
        """Move the row `offset` places (-1 up, +1 down); returns where it went, or -1."""
        target = row + offset
        if offset not in (-1, 1) or not 0 <= row < len(self._rows):
            return -1
        if not 0 <= target < len(self._rows):
            return -1
        self._move_row(row, target)
        self._route_changed()
        return target

    def _renumber(self, rows: Sequence[VisitCandidate]) -> None:
        route = (row.contract_no for row in rows if row.contract_no in self._included)
        self._seq = {no: seq for seq, no in enumerate(route, 1)}

    def _route_changed(self) -> None:
        self._renumber(self._rows)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, CandidateColumn.SEQ),
                self.index(len(self._rows) - 1, CandidateColumn.SEQ),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.CheckStateRole],
            )
        self.route_changed.emit()


# -- the planned day -------------------------------------------------------------------------


class DayColumn(enum.IntEnum):
    SEQ = 0
    ARRIVAL = 1
    DISTRICT = 2
    ADDRESS = 3
    BORROWER = 4
    CONTRACT = 5
    OUTCOME = 6


_DAY_COLUMNS = tuple(DayColumn)


DayModel = RowTableModel[PlannedVisit, uuid.UUID]


def day_model(formats: Formats, parent: QObject | None = None) -> DayModel:
    """The day's visits in route order, with expected arrivals and, once recorded, outcomes."""
    columns: dict[DayColumn, TableColumn[PlannedVisit]] = {
        DayColumn.SEQ: TableColumn(
            QCoreApplication.translate("DayModel", "Stop"),
            lambda visit: formats.number(visit.seq),
            align=RIGHT,
        ),
        DayColumn.ARRIVAL: TableColumn(
            QCoreApplication.translate("DayModel", "Arrival"),
            lambda visit: "" if visit.planned_at is None else formats.time(visit.planned_at),
            align=RIGHT,
            tooltip=lambda _visit: QCoreApplication.translate("DayModel", "Expected arrival"),
        ),
        DayColumn.DISTRICT: TableColumn(
            QCoreApplication.translate("DayModel", "District"), lambda visit: visit.district
        ),
        DayColumn.ADDRESS: TableColumn(
            QCoreApplication.translate("DayModel", "Address"), lambda visit: visit.address
        ),
        DayColumn.BORROWER: TableColumn(
            QCoreApplication.translate("DayModel", "Borrower"), lambda visit: visit.borrower_name
        ),
        DayColumn.CONTRACT: TableColumn(
            QCoreApplication.translate("DayModel", "Contract"), lambda visit: visit.contract_no
        ),
        DayColumn.OUTCOME: TableColumn(
            QCoreApplication.translate("DayModel", "Outcome"),
            lambda visit: outcome_text(visit, formats.language),
        ),
    }
    return DayModel(
        lambda visit: visit.id,
        [columns[column] for column in DayColumn],
        roles={CONTRACT_ROLE: lambda visit: visit.contract_no},
        parent=parent,
    )


def outcome_text(visit: PlannedVisit, language: str) -> str:
    if visit.status is VisitStatus.PLANNED:
        return QCoreApplication.translate("DayModel", "Planned")
    outcome = visit_outcomes().get(visit.outcome or "")
    return outcome.label(language) if outcome else (visit.outcome or "")


# -- the window ------------------------------------------------------------------------------


class VisitPlanner(QWidget):
    """A window of its own (non-modal): the main window stays usable beside it.

    Signals: `loaded()` after a day is shown; `planned(visits)`; `printed(path)`;
    `visit_recorded(visit, recorded)` after an outcome is stored.
    """

    loaded = Signal()
    planned = Signal(object)
    printed = Signal(object)
    visit_recorded = Signal(object, object)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.context = context
        self.setObjectName("visit-planner")
        self.setWindowTitle(self.tr("Home visits — {user}").format(user=context.display_name))
        self.setAccessibleName(self.tr("Home visits"))
        # Until the candidates are in, the installation's default profile.
        self._rules_country = DEFAULT_COUNTRY
        self.rules: HomeVisitRules = home_visit_rules(profile_code_for(DEFAULT_COUNTRY))
        self._policy = _route_policy()
        self._day = Latest()
        self._busy = False
        self._users: list[UserView] = []
        self.outcome_dialog: VisitOutcomeDialog | None = None
        # The day's choices as last loaded or planned: what differs from them is not saved.
        self._saved_choices: tuple[object, ...] | None = None
        formats = context.formats
        today = self._today()

        self.day = QDateEdit()
        self.day.setAccessibleName(self.tr("Visit day"))
        self.day.setCalendarPopup(True)
        self.day.setLocale(formats.locale)
        self.day.setDisplayFormat(DATE_FORMATS[formats.language])
        self.day.setMinimumDate(_qdate(today))
        # Visit sheets are printed the evening before: tomorrow is the day usually planned.
        self.day.setDate(_qdate(today + timedelta(days=1)))
        self.second_agent = QComboBox()
        self.second_agent.setAccessibleName(self.tr("Second agent"))
        self.second_agent.addItem(self.tr("— nobody chosen —"), None)
        self.start = QTimeEdit()
        self.start.setAccessibleName(self.tr("Start of the round"))
        self.start.setDisplayFormat("HH:mm")
        self.start.setTime(_qtime(time.fromisoformat(self._policy["start"])))

        self.rules_label = QLabel(self._rules_text())
        self.rules_label.setWordWrap(True)
        self.rules_label.setAccessibleName(self.tr("Home-visit rules"))
        self.rules_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        rules_box = QGroupBox(self.tr("Home-visit rules"))
        rules_area = FittedScrollArea(self.rules_label)
        rules_area.setAccessibleName(self.tr("Home-visit rules"))
        QVBoxLayout(rules_box).addWidget(rules_area)

        self.candidates = CandidateModel(formats, self)
        self.candidate_table = _table(self.candidates, self.tr("Candidates"))
        self.candidate_table.horizontalHeader().setSectionResizeMode(
            CandidateColumn.WHY, QHeaderView.ResizeMode.Stretch
        )
        self.up_button = QPushButton(self.tr("Move &up"))
        self.up_button.setToolTip("Alt+Up")
        self.down_button = QPushButton(self.tr("Move &down"))
        self.down_button.setToolTip("Alt+Down")
        self.candidates_label = QLabel()
        move_buttons = QVBoxLayout()
        move_buttons.addWidget(self.up_button)
        move_buttons.addWidget(self.down_button)
        move_buttons.addStretch(1)
        candidates_row = QHBoxLayout()
        candidates_row.setContentsMargins(0, 0, 0, 0)
        candidates_row.addWidget(self.candidate_table, 1)
        candidates_row.addLayout(move_buttons)
        candidates_box = QGroupBox(self.tr("Candidates in route order: tick the accounts to visit"))
        candidates_layout = QVBoxLayout(candidates_box)
        candidates_layout.addLayout(candidates_row)
        candidates_layout.addWidget(self.candidates_label)

        self.day_model = day_model(formats, self)
        self.day_table = _table(self.day_model, self.tr("Planned visits"))
        self.day_table.horizontalHeader().setSectionResizeMode(
            DayColumn.ADDRESS, QHeaderView.ResizeMode.Stretch
        )
        self.day_label = QLabel()
        self.outcome_button = QPushButton(self.tr("&Record outcome…"))
        self.outcome_button.setToolTip("Ctrl+R")
        day_box = QGroupBox(self.tr("The planned day"))
        day_layout = QVBoxLayout(day_box)
        day_layout.addWidget(self.day_label)
        day_layout.addWidget(self.day_table, 1)
        outcome_row = QHBoxLayout()
        outcome_row.addStretch(1)
        outcome_row.addWidget(self.outcome_button)
        day_layout.addLayout(outcome_row)

        # The rules, the candidates and the day share the height: on a short screen each
        # scrolls, or is dragged aside, on its own.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(rules_box)
        self.splitter.addWidget(candidates_box)
        self.splitter.addWidget(day_box)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plan_button = QPushButton(self.tr("&Plan the day"))
        self.plan_button.setToolTip("Ctrl+Return")
        self.plan_button.setDefault(True)
        self.print_button = QPushButton(self.tr("Print &visit sheets…"))
        self.print_button.setToolTip("Ctrl+P")
        self.close_button = QPushButton(self.tr("Close"))

        choices = QHBoxLayout()
        choices.addWidget(buddy(self.tr("D&ay"), self.day))
        choices.addWidget(self.day)
        choices.addSpacing(12)
        choices.addWidget(buddy(self.tr("&Second agent"), self.second_agent))
        choices.addWidget(self.second_agent, 1)
        choices.addSpacing(12)
        choices.addWidget(buddy(self.tr("S&tart at"), self.start))
        choices.addWidget(self.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.plan_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(choices)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setTabOrder(self.day, self.second_agent)
        self.setTabOrder(self.second_agent, self.start)
        self.setTabOrder(self.start, self.candidate_table)
        self.setTabOrder(self.candidate_table, self.up_button)
        self.setTabOrder(self.up_button, self.down_button)
        self.setTabOrder(self.down_button, self.day_table)
        self.setTabOrder(self.day_table, self.outcome_button)
        self.setTabOrder(self.outcome_button, self.plan_button)
        self.setTabOrder(self.plan_button, self.print_button)
        self.setTabOrder(self.print_button, self.close_button)

        self._actions: list[QAction] = []
        self._action(self.tr("Move the stop up"), "Alt+Up", lambda: self.move_current(-1))
        self._action(self.tr("Move the stop down"), "Alt+Down", lambda: self.move_current(1))
        self._action(self.tr("Plan the day"), "Ctrl+Return", self.plan)
        self._action(self.tr("Print visit sheets"), "Ctrl+P", self.print_sheets)
        self._action(self.tr("Record the visit's outcome"), "Ctrl+R", self.record_outcome)
        self._action(self.tr("Close the planner"), "Ctrl+W", self.request_close)
        # Escape closes the window, as it does a dialog; asking first only when the route
        # chosen is not planned yet.
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WindowShortcut)
        escape.activated.connect(self.request_close)
        # Space ticks the row whichever cell of it is current (Qt only ticks the check box's).
        toggle = QShortcut(QKeySequence(Qt.Key.Key_Space), self.candidate_table)
        toggle.setContext(Qt.ShortcutContext.WidgetShortcut)
        toggle.activated.connect(self.toggle_current)

        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.plan_button.clicked.connect(self.plan)
        self.print_button.clicked.connect(self.print_sheets)
        self.outcome_button.clicked.connect(self.record_outcome)
        self.close_button.clicked.connect(self.request_close)
        self.day_table.activated.connect(lambda _index: self.record_outcome())
        self.day.dateChanged.connect(lambda _date: self.reload())
        self.candidates.route_changed.connect(self._route_changed)
        self.candidate_table.selectionModel().currentRowChanged.connect(
            lambda *_args: self._update_buttons()
        )
        self.day_table.selectionModel().currentRowChanged.connect(
            lambda *_args: self._update_buttons()
        )
        fit_to_screen(self, QSize(1100, 760))
        self._update_buttons()
        self.context.call(list_users, on_done=self._people_loaded, on_error=self._failed)
        self.reload()

    def _action(self, text: str, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        self._actions.append(action)
        return action

    # What is chosen.

    def selected_day(self) -> date:
        return _pydate(self.day.date())

    def start_time(self) -> time:
        picked = self.start.time()
        return time(picked.hour(), picked.minute())

    def second_agent_username(self) -> str | None:
        value = self.second_agent.currentData()
        return None if value is None else str(value)

    def choose_second_agent(self, username: str | None) -> None:
        index = self.second_agent.findData(username)
        self.second_agent.setCurrentIndex(max(index, 0))

    def current_visit(self) -> PlannedVisit | None:
        return self.day_model.row_for(self.day_table.currentIndex())

    def _today(self) -> date:
        return local_today(self.context.clock())

    # Closing.

    def _choices(self) -> tuple[object, ...]:
        return (self.candidates.route(), self.second_agent_username(), self.start_time())

    @property
    def unsaved(self) -> bool:
        """The route, partner or start chosen differ from the day as planned (or loaded)."""
        return self._saved_choices is not None and self._choices() != self._saved_choices

    def _keep_choices(self) -> None:
        self._saved_choices = self._choices()

    def request_close(self) -> None:
        """Escape, Ctrl+W and Close: close, asking first only when the route is not planned."""
        if self._may_close():
            self.close()

    def _may_close(self) -> bool:
        if not self.unsaved:
            return True
        return self.context.dialogs.confirm(
            self,
            self.tr("Close the planner"),
            self.tr(
                "The visits you chose for {day} are not planned yet. Close without planning them?"
            ).format(day=self.context.formats.long_date(self.selected_day())),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window's own close button asks too; the main window closing it on quit does not.
        if event.spontaneous() and not self._may_close():
            event.ignore()
            return
        super().closeEvent(event)

    # Loading.

    def reload(self) -> None:
        """Load the chosen day's candidates and visits."""
        self.message.clear()
        self._day.run(
            self.context,
            load_day,
            self.context.username,
            self.selected_day(),
            now=self.context.clock(),
            on_done=self._day_loaded,
            on_error=self._day_failed,
        )
        # Until the day is in, what is on screen belongs to another day: nothing acts on it.
        self._update_buttons()

    def _people_loaded(self, users: list[UserView]) -> None:
        self._users = users
        chosen = self.second_agent_username()
        visitors = {role.value for role in VISITORS}
        self.second_agent.blockSignals(True)
        while self.second_agent.count() > 1:
            self.second_agent.removeItem(1)
        for user in users:
            if user.username == self.context.username or user.role not in visitors:
                continue
            text = f"{user.display_name} ({user.username})"
            if user.team:
                text += f" · {user.team}"
            self.second_agent.addItem(text, user.username)
        self.second_agent.blockSignals(False)
        self.choose_second_agent(chosen)

    def _day_loaded(self, data: PlannerDay) -> None:
        self._update_buttons()
        if data.day != self.selected_day():
            return
        mine = [
            visit
            for visit in data.visits
            if visit.status is VisitStatus.PLANNED and visit.agent_username == self.context.username
        ]
        self.candidates.set_candidates(data.candidates, [visit.contract_no for visit in mine])
        # The rules shown are those of the borrowers' profile (an agent's day is one city).
        countries = [c.country for c in data.candidates] + [v.country for v in data.visits]
        if countries and countries[0] != self._rules_country:
            self._rules_country = countries[0]
            self.rules = home_visit_rules(profile_code_for(self._rules_country))
            self.rules_label.setText(self._rules_text())
        if self.candidates.rowCount():
            self.candidate_table.setCurrentIndex(self.candidates.index(0, CandidateColumn.SEQ))
        self._show_day(data.visits)
        if mine:
            self.choose_second_agent(mine[0].second_agent_username)
            if mine[0].planned_at is not None:
                local = mine[0].planned_at.astimezone(self.context.formats.zone)
                self.start.setTime(_qtime(local.time()))
        self._keep_choices()
        self.loaded.emit()

    def _day_failed(self, error: BaseException) -> None:
        self._update_buttons()
        self._failed(error)

    def _show_day(self, visits: Sequence[PlannedVisit]) -> None:
        self.day_model.set_rows(visits)
        if visits:
            self.day_table.setCurrentIndex(self.day_model.index(0, DayColumn.SEQ))
            partner = visits[0].second_agent
            self.day_label.setText(
                self.tr("{count} visits on {day} · {agents}").format(
                    count=self.context.formats.number(len(visits)),
                    day=self.context.formats.long_date(visits[0].planned_for),
                    agents=" + ".join(
                        name for name in (visits[0].agent, partner) if name is not None
                    ),
                )
            )
        else:
            self.day_label.setText(self.tr("Nothing planned for this day yet."))
        self._update_buttons()

    # The agent's route.

    def move_current(self, offset: int) -> None:
        index = self.candidate_table.currentIndex()
        if not index.isValid():
            return
        target = self.candidates.move(index.row(), offset)
        if target >= 0:
            self.candidate_table.setCurrentIndex(self.candidates.index(target, index.column()))
        # After a click on Move up or down, the keys work on the list again.
        self.candidate_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def toggle_current(self) -> None:
        index = self.candidate_table.currentIndex()
        if index.isValid():
            row = index.row()
            self.candidates.set_included(row, not self.candidates.is_included(row))

    def _route_changed(self) -> None:
        chosen = len(self.candidates.route())
        self.candidates_label.setText(
            self.tr("{chosen} of {count} accounts chosen (at most {most} a day).").format(
                chosen=self.context.formats.number(chosen),
                count=self.context.formats.number(self.candidates.rowCount()),
                most=self.context.formats.number(int(self._policy["max_visits"])),
            )
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.candidate_table.currentIndex().row()
        count = self.candidates.rowCount()
        idle = not self._busy and not self._day.busy
        self.up_button.setEnabled(idle and row > 0)
        self.down_button.setEnabled(idle and 0 <= row < count - 1)
        self.plan_button.setEnabled(idle and bool(self.candidates.route()))
        self.print_button.setEnabled(
            idle and any(visit.status is VisitStatus.PLANNED for visit in self.day_model.rows)
        )
        self.outcome_button.setEnabled(idle and self._may_record(self.current_visit()))

    def _may_record(self, visit: PlannedVisit | None) -> bool:
        """A planned visit of today or earlier: a visit not made yet has no outcome."""
        return (
            visit is not None
            and visit.status is VisitStatus.PLANNED
            and visit.planned_for <= self._today()
        )

    # Planning.

    def plan(self) -> None:
        route = self.candidates.route()
        if self._busy or self._day.busy or not route:
            return
        self._set_busy(True)
        self.message.clear()
        self.context.call(
            plan_visits,
            self.context.username,
            self.selected_day(),
            route,
            second_agent=self.second_agent_username(),
            start=self.start_time(),
            now=self.context.clock(),
            on_done=self._planned,
            on_error=self._refused,
        )

    def _planned(self, visits: tuple[PlannedVisit, ...]) -> None:
        self._set_busy(False)
        self._keep_choices()
        self._show_day(visits)
        self._say(
            self.tr("Planned {count} visits. Print the visit sheets before you leave.").format(
                count=self.context.formats.number(len(visits))
            )
        )
        self.planned.emit(visits)

    def _refused(self, error: BaseException) -> None:
        self._set_busy(False)
        self._failed(error)

    # Printing.

    def print_sheets(self) -> None:
        if self._busy or not self.print_button.isEnabled():
            return
        day = self.selected_day()
        suggested = Path.home() / f"visit-sheets-{day.isoformat()}.pdf"
        target = self.context.dialogs.save_file(
            self, self.tr("Save the visit sheets"), suggested, self.tr("PDF files (*.pdf)")
        )
        if target is None:
            return
        self._set_busy(True)
        self.message.clear()
        self.context.call(
            write_sheets,
            self.context.username,
            day,
            target,
            language=self.context.language,
            now=self.context.clock(),
            on_done=self._printed,
            on_error=self._refused,
        )

    def _printed(self, path: Path) -> None:
        self._set_busy(False)
        self._say(self.tr("The visit sheets are in {path}.").format(path=str(path)))
        self.printed.emit(path)
        if not self.context.dialogs.open_file(path):
            self.context.dialogs.info(
                self,
                self.tr("Visit sheets saved"),
                self.tr(
                    "Nothing on this computer opens PDF files; the sheets are in {path}."
                ).format(path=str(path)),
            )

    # Outcomes.

    def record_outcome(self) -> None:
        visit = self.current_visit()
        if self._busy or visit is None or not self._may_record(visit):
            return
        if self.outcome_dialog is not None:
            if self.outcome_dialog.saving:
                return  # its answer is on the way; the row updates when it comes
            self.outcome_dialog.close()
            self.outcome_dialog.deleteLater()
        dialog = VisitOutcomeDialog(self.context, visit, visit.country, self)
        dialog.recorded.connect(self._recorded)
        self.outcome_dialog = dialog
        dialog.open()

    def _recorded(self, visit: PlannedVisit, recorded: RecordedVisit) -> None:
        self.day_model.update_row(visit.id, visit, [Qt.ItemDataRole.DisplayRole])
        self._update_buttons()
        self._say(
            self.tr("Recorded the visit to {borrower}: {outcome}.").format(
                borrower=visit.borrower_name,
                outcome=outcome_text(visit, self.context.language),
            )
        )
        self.visit_recorded.emit(visit, recorded)

    # Messages.

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _say(self, text: str, problem: bool = False) -> None:
        paint(self.message, Ink.ERROR if problem else None, bold=problem)
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        """A refusal the agent can fix shows beside the buttons; anything else in a box."""
        if isinstance(error, DomainError):
            self._say(error_text(error), problem=True)
        else:
            self.context.dialogs.error(self, self.tr("Could not complete that"), error_text(error))

    def _rules_text(self) -> str:
        rules = self.rules
        language = self.context.language
        lines = [f"• {rule.text(language)}" for rule in rules.rules]
        lines.append(
            self.tr("Tell the borrower: “{notice}”").format(
                notice=rules.recording_notice.text(language)
            )
        )
        return "\n".join(lines)


def _table(model: QAbstractItemModel, name: str) -> QTableView:
    table = list_table(model, name)
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _qtime(moment: time) -> QTime:
    return QTime(moment.hour, moment.minute)
