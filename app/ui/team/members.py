"""The team's members as its lead sees them (issue 16): who is active and who was deactivated,
with the accounts each works, and how many accounts wait in the team's pool.

Deactivating a user is an administrator's act (`central deactivate-user`); here the lead sees
it, and sees a deactivated member's accounts, which stay theirs until the lead moves them (the
accounts tab). "Show the pool" asks the window for the accounts tab on the pool.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.team.members import MemberStatus, TeamMembers, team_members
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.labels import role_name
from app.ui.common.runner import Latest
from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table

# A deactivated member's row, greyed.
INACTIVE = QColor("#777777")


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
                    None if member.active else QBrush(INACTIVE)
                )
            },
        )

    def status(self, member: MemberStatus) -> str:
        return self.tr("Active") if member.active else self.tr("Deactivated")


class TeamMembersPanel(QWidget):
    """The members table and the pool's count. Nothing loads until `refresh()`. Signals:
    `loaded()` after a (re)load; `show_pool_requested()` from "Show the pool"."""

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
        self.pool_button = QPushButton(self.tr("Show the &pool"))
        self.pool_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.pool_button)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.pool_button.clicked.connect(self.show_pool_requested)
        self.refresh_button.clicked.connect(self.refresh)
        self.pool = 0

    def refresh(self) -> None:
        self._load.run(
            self.context,
            team_members,
            self.context.username,
            self.team,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _loaded(self, team: TeamMembers) -> None:
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
