"""A lead's queue management through a real PostgreSQL central, every workstation signed in as
its user's own login role: the server takes a lead's move within the team and their overrides,
and refuses a collector's move and a lead's move out of the team, whatever their copy sends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.common.errors import NotAllowed
from app.services.contact.contacts import record_contact
from app.services.contact.queue import build_queue
from app.services.sync import engine as sync
from app.services.team.assignment import pool_accounts, reassign, set_priority
from app.services.team.members import team_members
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account
from tests.helpers.sync_world import Central, Workstation, central_on, unique, workstation


@dataclass
class Team:
    central: Central
    lead: str
    old: str  # the collector who holds the account
    new: str  # a colleague in the same team
    outsider: str  # a collector of another team
    account: Account
    folder: Path

    def workstation(self, username: str) -> Workstation:
        ws = workstation(self.folder / username, self.central, username)
        ws.sync()
        return ws

    def holder(self) -> str:
        with self.central.admin.engine.connect() as connection:
            return str(
                connection.execute(
                    text(
                        "SELECT u.username FROM loans l JOIN users u ON u.id = l.assigned_to_id"
                        " WHERE l.id = :id"
                    ),
                    {"id": self.account.loan_id},
                ).scalar_one()
            )


@pytest.fixture
def team(pg_db: Database, tmp_path: Path) -> Iterator[Team]:
    central = central_on(pg_db)
    lead = central.staff(Role.TEAM_LEAD)
    old, new = central.staff(Role.COLLECTOR), central.staff(Role.COLLECTOR)
    outsider = central.staff(Role.COLLECTOR, team=unique("其他组"))
    account = central.account(old)
    try:
        yield Team(central, lead, old, new, outsider, account, tmp_path)
    finally:
        central.drop_roles()


def _set_assignee(ws: Workstation, team: Team, username: str) -> None:
    """Edit the loan's assignee in a copy directly, as a tampered or buggy client would."""
    with ws.local.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE username = :u)"
                " WHERE id = :id"
            ),
            {"u": username, "id": team.account.loan_id.hex},
        )


def test_a_leads_move_within_the_team_is_taken_and_follows_to_both_collectors(
    team: Team,
) -> None:
    lead, old, new = (team.workstation(name) for name in (team.lead, team.old, team.new))
    try:
        reassign(lead.local, team.lead, [team.account.contract_no], team.new, reason="Leave.")
        report = lead.sync()
        assert report.push.refused == report.push.conflicts == 0
        assert team.holder() == team.new
        assert old.sync().pull.purged == 1
        assert new.sync().pull.arrived == 1
        queue = build_queue(new.local, team.new, NOW, now=NOW)
        assert [entry.contract_no for entry in queue.entries] == [team.account.contract_no]
    finally:
        for ws in (lead, old, new):
            ws.close()


def test_a_collector_moving_their_own_account_is_refused(team: Team) -> None:
    old = team.workstation(team.old)
    try:
        _set_assignee(old, team, team.new)
        report = old.sync()
        assert report.push.refused == 1
        [refused] = sync.conflicts(old.local)
        assert refused.kind == "refused" and refused.table == "loans"
        assert refused.contract_no == team.account.contract_no
        assert "only a team lead" in str(refused.reason)
        assert team.holder() == team.old
    finally:
        old.close()


def test_a_lead_cannot_move_an_account_out_of_the_team(team: Team) -> None:
    lead = team.workstation(team.lead)
    try:
        with pytest.raises(NotAllowed):
            reassign(lead.local, team.lead, [team.account.contract_no], team.outsider, reason="x")
        # Whatever the copy sends, the loans policy's WITH CHECK keeps the assignee in the team.
        _set_assignee(lead, team, team.outsider)
        report = lead.sync()
        assert report.push.refused == 1
        [refused] = sync.conflicts(lead.local)
        assert refused.table == "loans"
        assert "row-level security" in str(refused.reason)
        assert team.holder() == team.old
    finally:
        lead.close()


def test_a_leads_override_reaches_the_collectors_queue_and_only_a_lead_clears_it(
    team: Team,
) -> None:
    lead, old = team.workstation(team.lead), team.workstation(team.old)
    try:
        until = NOW + timedelta(days=2)
        set_priority(
            lead.local, team.lead, [team.account.contract_no], "top", "Asked.", until, now=NOW
        )
        assert lead.sync().push.refused == 0
        old.sync()
        [entry] = build_queue(old.local, team.old, NOW, now=NOW).entries
        assert entry.reasons[0].key == "override_top"
        with old.local.engine.begin() as connection:
            connection.execute(text("UPDATE priority_overrides SET cleared_at = '2026-11-28'"))
        assert old.sync().push.refused == 1
        with team.central.admin.engine.connect() as connection:
            assert (
                connection.execute(
                    text("SELECT count(*) FROM priority_overrides WHERE cleared_at IS NULL")
                ).scalar_one()
                == 1
            )
    finally:
        lead.close()
        old.close()


def test_a_call_logged_before_a_move_still_reaches_the_server(team: Team) -> None:
    lead, old = team.workstation(team.lead), team.workstation(team.old)
    try:
        record_contact(old.local, outcome(team.account, "NA", username=team.old), now=NOW)
        reassign(lead.local, team.lead, [team.account.contract_no], team.new, reason="Leave.")
        lead.sync()
        assert old.sync().push.refused == 0
    finally:
        lead.close()
        old.close()


def test_the_pool_reaches_the_leads_copy_alone_and_an_allocation_there_is_taken(
    team: Team,
) -> None:
    pooled = team.central.portfolio.account(
        today=NOW.date(), dpd=30, name="池中人", pool=team.central.portfolio.team_id
    )
    lead, old, outsider = (team.workstation(name) for name in (team.lead, team.old, team.outsider))
    try:
        for ws, holds in ((lead, True), (old, False), (outsider, False)):
            with ws.local.engine.connect() as connection:
                found = connection.execute(
                    text("SELECT count(*) FROM loans WHERE id = :id"), {"id": pooled.loan_id.hex}
                ).scalar_one()
            assert found == (1 if holds else 0), ws.username
        # The lead's copy lists it in the pool and counts it beside who is active.
        assert [a.contract_no for a in pool_accounts(lead.local, team.lead, now=NOW)] == [
            pooled.contract_no
        ]
        members = team_members(lead.local, team.lead)
        assert members.pool == 1
        assert {m.username for m in members.members if m.active} >= {team.lead, team.new}
        reassign(lead.local, team.lead, [pooled.contract_no], team.new, reason="New today.")
        report = lead.sync()
        assert report.push.refused == report.push.conflicts == 0
        with team.central.admin.engine.connect() as connection:
            holder, before = connection.execute(
                text(
                    "SELECT u.username, l.previous_assignee_id FROM loans l"
                    " JOIN users u ON u.id = l.assigned_to_id WHERE l.id = :id"
                ),
                {"id": pooled.loan_id},
            ).one()
            allocated = connection.execute(
                text(
                    "SELECT count(*) FROM audit_events a JOIN users u ON u.id = a.user_id"
                    " WHERE a.action = 'loan.allocated' AND u.username = :lead"
                ),
                {"lead": team.lead},
            ).scalar_one()
        assert (holder, before, allocated) == (team.new, None, 1)
        new = team.workstation(team.new)
        try:
            queue = build_queue(new.local, team.new, NOW, now=NOW)
            assert pooled.contract_no in {entry.contract_no for entry in queue.entries}
        finally:
            new.close()
    finally:
        for ws in (lead, old, outsider):
            ws.close()
