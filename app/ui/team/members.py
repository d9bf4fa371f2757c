"""The team's members as its lead sees them (issue 16): who is active and who was deactivated,
with the accounts each works, and how many accounts wait in the team's pool.

Deactivating a user is an administrator's act (`central deactivate-user`); here the lead sees
it, and sees a deactivated member's accounts, which stay theirs until the lead moves them (the
accounts tab). "Show the pool" asks the window for the pool's tab. A lead sees their own team;
an administrator chooses the team.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.services.common.teams import team_names
from app.services.team.members import MemberStatus, TeamMembers, team_members
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.form_parts import buddy
from app.ui.common.labels import role_name
from app.ui.common.look import Ink, ink
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table


@dataclass(frozen=True)
class MembersView:
    teams: tuple[str, ...]  # the teams the viewer may choose from
    team: TeamMembers


def load_members(db: Database, username: str, team: str | None) -> MembersView:
    """Runs on the worker: the teams the viewer may see, and the members of `team` (the first
    of them when None: a lead's own)."""
    names = team_names(db, username)
    chosen = team if team is not None else (names[0] if names else None)
    return MembersView(names, team_members(db, username, chosen))


class Column(enum.IntEnum):
    NAME = 0
    USERNAME = 1
    ROLE = 2
    STATUS = 3
    ACCOUNTS = 4


class MembersModel(RowTableModel[MemberStatus, str]):
    """One row a member, keyed by user name: active ones first."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(lambda member: member.username, parent=parent)
        formats = context.formats
        columns: dict[Column, TableColumn[MemberStatus]] = {
            Column.NAME: TableColumn(self.tr("Name"), lambda member: member.display_name),
            Column.USERNAME: TableColumn(self.tr("User name"), lambda member: member.username),
            Column.ROLE: TableColumn(self.tr("Role"), lambda member: role_name(member.role)),
            Column.STATUS: TableColumn(self.tr("Status"), self.status),
            Column.ACCOUNTS: TableColumn(
                self.tr("Accounts"), lambda member: formats.number(member.accounts), align=RIGHT
            ),
        }
        self.set_columns(
            [columns[column] for column in Column],
            roles={
                Qt.ItemDataRole.ForegroundRole: lambda member: (
                    None if member.active else QBrush(ink(Ink.MUTED))
                )
            },
        )

    def status(self, member: MemberStatus) -> str:
        return self.tr("Active") if member.active else self.tr("Deactivated")


class TeamMembersPanel(QWidget):
    """The members table and the pool's count. Nothing loads until `refresh()`. `team`: the
    team shown first (an administrator's choice; a lead's own by default). Signals: `loaded()`
    after a (re)load; `show_pool_requested()` from "Show the pool"."""

    loaded = Signal()
    show_pool_requested = Signal()

    def __init__(
        self, context: Context, team: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.team = team
        self.setObjectName("team-members")
        self._load = Latest()
        self.team_box = QComboBox()
        self.team_box.setAccessibleName(self.tr("Team"))
        self.team_box.setEnabled(False)
        self.model = MembersModel(context, self)
        self.table = list_table(self.model, self.tr("Team members"))
        self.table.horizontalHeader().setSectionResizeMode(
            Column.NAME, QHeaderView.ResizeMode.Stretch
        )
        self.summary = QLabel()
        self.summary.setAccessibleName(self.tr("Members and pool"))
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.pool_button = QPushButton(self.tr("Sho&w the pool"))
        self.pool_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.pool_button)
        buttons.addWidget(self.refresh_button)
        header = QHBoxLayout()
        header.addWidget(buddy(self.tr("&Team"), self.team_box))
        header.addWidget(self.team_box)
        header.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.pool_button.clicked.connect(self.show_pool_requested)
        self.refresh_button.clicked.connect(self.refresh)
        self.team_box.currentIndexChanged.connect(lambda _index: self._team_chosen())
        self.pool = 0

    def refresh(self) -> None:
        self._load.run(
            self.context,
            load_members,
            self.context.username,
            self.team,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _team_chosen(self) -> None:
        self.team = self.team_box.currentText() or None
        self.refresh()

    def _loaded(self, view: MembersView) -> None:
        team = view.team
        self.team = team.team
        self.team_box.blockSignals(True)
        self.team_box.clear()
        self.team_box.addItems(list(view.teams))
        self.team_box.setCurrentIndex(max(self.team_box.findText(team.team), 0))
        self.team_box.blockSignals(False)
        # A lead sees their own team only; an administrator chooses.
        self.team_box.setEnabled(len(view.teams) > 1)
        self.message.clear()
        self.model.set_rows(team.members)
        self.pool = team.pool
        formats = self.context.formats
        active = sum(1 for member in team.members if member.active)
        self.summary.setText(
            self.tr(
                "Team {team}: {active} active of {count} members. Accounts in the pool,"
                " assigned to nobody: {pool}."
            ).format(
                team=team.team,
                active=formats.number(active),
                count=formats.number(len(team.members)),
                pool=formats.number(team.pool),
            )
        )
        self.pool_button.setEnabled(team.pool > 0)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
