"""The account's contact points, each with its region, local time, marks and a Call button.

A Call button is enabled only when the rules allow a call on that number now; otherwise it is
disabled and the rule's reason and the next allowed time stand next to it (a disabled button
cannot take keyboard focus, so the reason must be readable without its tooltip).

Each point's Mark button marks it verified, wrong or do-not-call (a team lead also lifts a
mark); "Add a number or address…" opens the form for one learned on a call. The box only asks:
the workspace runs the services.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.contact.dialing import CallOption
from app.services.portfolio.accounts import ContactPointView
from app.ui.common.dialogs import detail_text
from app.ui.common.i18n import Formats
from app.ui.common.labels import (
    contact_kind_name,
    decision_reason,
    local_time_text,
    point_mark,
    region_name,
    spoken,
    zone_times,
)
from app.ui.common.look import chip
from app.ui.common.wrapping import WrappingLabel


class Column(enum.IntEnum):
    BUTTONS = 0
    FACTS = 1


# Kinds nobody dials.
NOT_DIALLED = frozenset({"email", "address"})


# Each point takes three grid lines: who it reaches (and its marks) beside its Call button, the
# number with its region and local time beside its Mark button, then the rules' answer. Stacked
# so, the box fits the narrow column of a 1366×768 screen without cutting anything off.
LINES_PER_POINT = 3
_TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


@dataclass
class PointRow:
    """The widgets of one contact point's row."""

    point: ContactPointView
    local_time: QLabel
    call: QPushButton | None
    status: QLabel | None
    option: CallOption | None = None
    # The marks set on the point (None: none), and its Mark button.
    marks: QLabel | None = None
    mark_button: QToolButton | None = None
    # The mark button's actions by what they do ("verified", "wrong", "do_not_call",
    # "lift:wrong", "lift:do_not_call").
    actions: dict[str, QAction] | None = None


class ContactPointsBox(QGroupBox):
    """Emits `dial_requested(CallOption)` when an enabled Call button is pressed,
    `mark_requested(point_id, mark)` and `lift_requested(point_id, mark)` from a point's Mark
    menu, and `add_requested()` from "Add a number or address…"."""

    dial_requested = Signal(object)
    mark_requested = Signal(object, str)
    lift_requested = Signal(object, str)
    add_requested = Signal()

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.can_lift = False
        self.setTitle(self.tr("Contact points"))
        self.setAccessibleName(self.tr("Contact points"))
        self.rows: list[PointRow] = []
        self._grid_widget = QWidget()
        self.add = QPushButton(self.tr("Add a number or address…"))
        self.add.setAccessibleName(self.tr("Add a number or address learned on a contact"))
        self.add.clicked.connect(self.add_requested)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self._grid_widget)
        self._layout.addLayout(add_row)
        self._grid_widget.setAccessibleName(self.tr("Contact point list"))

    # Data in.

    def set_points(
        self,
        points: Sequence[ContactPointView],
        options: Sequence[CallOption],
        now: datetime,
        *,
        can_lift: bool = False,
    ) -> None:
        """Rebuild the rows for another account (or a reloaded one); `can_lift`: the viewer is a
        team lead, who lifts marks."""
        self.can_lift = can_lift
        fresh = QWidget(self)
        fresh.setAccessibleName(self.tr("Contact point list"))
        grid = QGridLayout(fresh)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(Column.FACTS, 1)
        self.rows = [
            self._row(grid, LINES_PER_POINT * position, point, now)
            for position, point in enumerate(points)
        ]
        if not points:
            empty = QLabel(self.tr("No contact points on file"))
            empty.setAccessibleName(empty.text())
            grid.addWidget(empty, 0, 0, 1, len(Column))
        old = self._grid_widget
        self._layout.replaceWidget(old, fresh)
        old.hide()
        old.setParent(None)
        old.deleteLater()
        # Shown now rather than by the layout's queued call, so size hints count it at once.
        fresh.show()
        self._grid_widget = fresh
        self.set_options(options, now)

    def set_options(self, options: Sequence[CallOption], now: datetime) -> None:
        """The rules' fresh answers for the numbers shown (the rows stay as they are)."""
        by_point = {option.contact_point_id: option for option in options}
        for row in self.rows:
            row.option = by_point.get(row.point.id)
            self._show_option(row, now)

    def refresh_times(self, now: datetime) -> None:
        for row in self.rows:
            self._show_time(row, now)

    # Reading from outside.

    def call_buttons(self) -> list[QPushButton]:
        return [row.call for row in self.rows if row.call is not None]

    def row_for(self, point_id: uuid.UUID) -> PointRow:
        return next(row for row in self.rows if row.point.id == point_id)

    def mark_buttons(self) -> list[QToolButton]:
        return [row.mark_button for row in self.rows if row.mark_button is not None]

    # Building.

    def _row(
        self, grid: QGridLayout, line: int, point: ContactPointView, now: datetime
    ) -> PointRow:
        language = self.formats.language
        kind = contact_kind_name(point.kind)
        if point.contact_name:
            who = point.contact_name
            if point.relation:
                who = self.tr("{name} ({relation})").format(
                    name=point.contact_name, relation=point.relation
                )
            kind = self.tr("{kind} · {who}").format(kind=kind, who=who)
        reaches = QHBoxLayout()
        number_line = QHBoxLayout()
        for facts in (reaches, number_line):
            facts.setContentsMargins(0, 0, 0, 0)
        grid.addLayout(reaches, line, Column.FACTS)
        grid.addLayout(number_line, line + 1, Column.FACTS)
        self._label(reaches, kind, self.tr("Kind"), wraps=True)
        number = self._label(number_line, point.display, self.tr("Number"))
        number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label(number_line, region_name(point.region, language), self.tr("Region"))
        caption = QLabel(self.tr("Local time"))
        caption.setAccessibleName(self.tr("Local time"))
        number_line.addWidget(caption)
        clock = self._label(number_line, "", self.tr("Local time"))
        clock.setToolTip(
            "\n".join(
                f"{time} {' '.join(zones)}" for time, zones in zone_times(point.time_zones, now)
            )
        )
        number_line.addStretch(1)
        marks = [
            point_mark(code, language)
            for code, on in (
                ("do_not_call", point.do_not_call),
                ("wrong_number", point.wrong_number),
                ("verified", point.verified),
            )
            if on
        ]
        label: QLabel | None = None
        if marks:
            text = " · ".join(mark.text for mark in marks)
            label = self._label(reaches, text, self.tr("Marks"))
            chip(label, marks[0].tone)
            if point.do_not_call_words:
                # What the borrower said is kept with the mark: read it here.
                said = self.tr("The borrower said: “{words}”").format(words=point.do_not_call_words)
                label.setToolTip(said)
                label.setAccessibleDescription(said)
        reaches.addStretch(1)
        row = PointRow(point, clock, None, None, marks=label)
        self._mark_menu(grid, line, row, kind)
        if point.kind not in NOT_DIALLED:
            row.call = QPushButton(self.tr("Call"))
            # Enter calls as well as Space: the collector's hand is already on it.
            row.call.setAutoDefault(True)
            row.call.setAccessibleName(
                self.tr("Call {kind} {number}").format(kind=kind, number=point.display)
            )
            row.call.clicked.connect(lambda _checked=False, row=row: self._call(row))
            grid.addWidget(row.call, line, Column.BUTTONS, _TOP_LEFT)
            row.status = QLabel()
            row.status.setWordWrap(True)
            grid.addWidget(row.status, line + 2, Column.FACTS, 1, len(Column) - Column.FACTS)
        self._show_time(row, now)
        return row

    def _mark_menu(self, grid: QGridLayout, line: int, row: PointRow, kind: str) -> None:
        """The point's Mark button: what may be marked now, and what a lead may lift."""
        point = row.point
        button = QToolButton()
        button.setText(self.tr("Mark"))
        button.setAccessibleName(
            self.tr("Mark {kind} {number}").format(kind=kind, number=point.display)
        )
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        actions: dict[str, QAction] = {}
        entries = [
            ("verified", self.tr("Verified: confirmed to be theirs"), not point.verified),
            ("wrong", self.tr("Wrong: not theirs"), not point.wrong_number),
        ]
        if point.kind != "address":
            entries.append(
                (
                    "do_not_call",
                    self.tr("Do not call (the borrower's words)…"),
                    not point.do_not_call,
                )
            )
        if self.can_lift:
            entries += [
                ("lift:wrong", self.tr("Lift the wrong mark"), point.wrong_number),
                ("lift:do_not_call", self.tr("Lift the do-not-call mark"), point.do_not_call),
            ]
        for key, text, enabled in entries:
            action = menu.addAction(text)
            action.setEnabled(enabled)
            action.triggered.connect(
                lambda _checked=False, key=key, point_id=point.id: self._chosen(point_id, key)
            )
            actions[key] = action
        button.setMenu(menu)
        grid.addWidget(button, line + 1, Column.BUTTONS, _TOP_LEFT)
        row.mark_button = button
        row.actions = actions

    def _chosen(self, point_id: uuid.UUID, key: str) -> None:
        if key.startswith("lift:"):
            self.lift_requested.emit(point_id, key.removeprefix("lift:"))
        else:
            self.mark_requested.emit(point_id, key)

    def _label(self, line: QHBoxLayout, text: str, caption: str, wraps: bool = False) -> QLabel:
        label = WrappingLabel(text) if wraps else QLabel(text)
        label.setAccessibleName(spoken(caption, text))
        line.addWidget(label)
        return label

    def _show_time(self, row: PointRow, now: datetime) -> None:
        text = local_time_text(row.point.time_zones, now)
        row.local_time.setText(text)
        row.local_time.setAccessibleName(spoken(self.tr("Local time"), text or self.tr("unknown")))

    def _show_option(self, row: PointRow, now: datetime) -> None:
        if row.call is None or row.status is None:
            return
        option = row.option
        if option is None:
            # No answer from the rules for this number (not loaded yet): never guess "allowed".
            row.call.setEnabled(False)
            status = self.tr("Not checked against the contact rules")
            row.call.setToolTip(status)
        elif option.allowed:
            row.call.setEnabled(True)
            status = self.tr("Callable now")
            row.call.setToolTip(self.tr("Call this number now"))
        else:
            row.call.setEnabled(False)
            status, tooltip = self._blocked(option, now)
            row.call.setToolTip(tooltip)
        row.status.setText(status)
        font = row.status.font()
        font.setBold(option is not None and not option.allowed)
        row.status.setFont(font)
        row.status.setAccessibleName(spoken(self.tr("Call status"), status))
        row.call.setAccessibleDescription(status)

    def _blocked(self, option: CallOption, now: datetime) -> tuple[str, str]:
        """The visible status and the tooltip for a number the rules do not allow now."""
        decision = option.decision
        reason = decision_reason(decision, self.formats.language)
        tooltip = self.tr("Blocked: {reason}").format(reason=reason)
        detail = detail_text(decision)
        if detail:
            tooltip += f" ({detail})"
        if decision.next_allowed_at is None:
            return reason, tooltip
        when = self.formats.when(decision.next_allowed_at, now)
        status = self.tr("{reason} · from {time}").format(reason=reason, time=when)
        tooltip += "\n" + self.tr("Allowed from {time}").format(
            time=self.formats.date_time(decision.next_allowed_at)
        )
        return status, tooltip

    def _call(self, row: PointRow) -> None:
        # The button is disabled when the rules say no; checked again in case of a stale click.
        if row.option is not None and row.option.allowed:
            self.dial_requested.emit(row.option)
