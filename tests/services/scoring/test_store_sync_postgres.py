"""Stored scorecards reach workstations through a real PostgreSQL central, each workstation
signed in as its user's own login: a collector's copy holds the version their team scores with
and no other, a promotion arrives with the next sync, and the copy answers offline."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.database import Database
from app.models import Role, Team, User
from app.services.common.errors import NotAllowed
from app.services.scoring.store import (
    active_scorecard,
    list_scorecards,
    promote_scorecard,
    switch_scoring,
    upload_scorecard,
)
from app.services.sync import engine as sync
from app.services.sync.central import add_user, init_central
from app.services.sync.workstation import parse_server, sign_in
from tests.helpers.portfolio import Portfolio
from tests.helpers.postgres import server_tls
from tests.helpers.scorecards import write_card

PASSWORD = "correct horse battery"


@dataclass
class Central:
    db: Database
    admin: str
    lead: str
    collector: str
    other_lead: str

    def as_user(self, username: str) -> Database:
        url = make_url(self.db.url)
        server = parse_server(f"127.0.0.1:{url.port or 5432}/{url.database}")
        return sign_in(server, username, PASSWORD, server_tls())


@pytest.fixture
def central(pg_db: Database) -> Iterator[Central]:
    suffix = uuid.uuid4().hex[:8]
    portfolio = Portfolio(pg_db)
    init_central(pg_db)
    with pg_db.engine.connect() as connection:
        team = connection.execute(
            text("SELECT name FROM teams WHERE id = :id"), {"id": portfolio.team_id}
        ).scalar_one()
    other = f"{team}-other-{suffix}"
    with pg_db.session() as session:
        session.add(Team(name=other))
    logins = {
        "admin": (f"admin.s{suffix}", Role.ADMIN, None),
        "lead": (f"lead.s{suffix}", Role.TEAM_LEAD, team),
        "collector": (f"collector.s{suffix}", Role.COLLECTOR, team),
        "other_lead": (f"other.s{suffix}", Role.TEAM_LEAD, other),
    }
    for name, role, member_of in logins.values():
        if role is Role.ADMIN:
            # An administrator works on the server through its own connection, not a login.
            with pg_db.session() as session:
                session.add(User(username=name, display_name="管理员", role=role))
        else:
            add_user(pg_db, name, role.value, member_of, PASSWORD)
    yield Central(pg_db, *(name for name, _, _ in logins.values()))
    with pg_db.engine.begin() as connection:
        for name, role, _ in logins.values():
            if role is Role.ADMIN:
                continue
            connection.exec_driver_sql(f'DROP OWNED BY "{name}"')
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


def _workstation(path: Path) -> Database:
    local = Database(f"sqlite:///{path}")
    local.upgrade()
    sync.install_outbox(local)
    return local


def _labels(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(
            connection.exec_driver_sql("SELECT label FROM scorecards ORDER BY version").scalars()
        )


def test_a_collectors_copy_gets_the_promoted_scorecard_and_the_next_sync_the_new_one(
    central: Central, tmp_path: Path
) -> None:
    # The administrator's own connection stores two versions.
    for label in ("card-1", "card-2"):
        upload_scorecard(central.db, central.admin, write_card(tmp_path, label))
    lead = central.as_user(central.lead)
    collector = central.as_user(central.collector)
    # A lead reads every version, through their own login; a collector none before a promotion.
    assert [info.label for info in list_scorecards(lead, central.lead)] == ["card-2", "card-1"]
    with pytest.raises(NotAllowed):
        promote_scorecard(collector, central.collector, 1)
    promote_scorecard(lead, central.lead, 1)

    copy = _workstation(tmp_path / "collector.sqlite3")
    sync.sync(copy, collector, central.collector)
    assert _labels(copy) == ["card-1"]
    card = active_scorecard(copy, central.collector)
    assert card is not None and card.version == "card-1"

    # Promoted: the next sync brings version 2, and the copy keeps no other.
    promote_scorecard(lead, central.lead, 2)
    assert active_scorecard(copy, central.collector).version == "card-1"  # type: ignore[union-attr]
    sync.sync(copy, collector, central.collector)
    assert _labels(copy) == ["card-2"]
    assert active_scorecard(copy, central.collector).version == "card-2"  # type: ignore[union-attr]

    # Switched off for the team: the copy scores with nothing after its next sync; on again.
    switch_scoring(lead, central.lead, False)
    sync.sync(copy, collector, central.collector)
    assert active_scorecard(copy, central.collector) is None
    switch_scoring(lead, central.lead, True)
    sync.sync(copy, collector, central.collector)
    assert active_scorecard(copy, central.collector).version == "card-2"  # type: ignore[union-attr]

    # A lead's copy holds every version, to choose among them.
    lead_copy = _workstation(tmp_path / "lead.sqlite3")
    sync.sync(lead_copy, lead, central.lead)
    assert _labels(lead_copy) == ["card-1", "card-2"]


def test_another_teams_promotion_reaches_no_one_here(central: Central, tmp_path: Path) -> None:
    upload_scorecard(central.db, central.admin, write_card(tmp_path, "card-1"))
    other = central.as_user(central.other_lead)
    promote_scorecard(other, central.other_lead, 1)
    copy = _workstation(tmp_path / "collector.sqlite3")
    sync.sync(copy, central.as_user(central.collector), central.collector)
    assert _labels(copy) == []
    assert active_scorecard(copy, central.collector) is None
    # A lead chooses for their own team only; a staff login stores no scorecard.
    with pytest.raises(NotAllowed):
        promote_scorecard(other, central.other_lead, 1, team=_team_of(central, central.lead))
    with pytest.raises(NotAllowed):
        upload_scorecard(other, central.other_lead, write_card(tmp_path, "card-9"))


def _team_of(central: Central, username: str) -> str:
    with central.db.engine.connect() as connection:
        return str(
            connection.execute(
                text(
                    "SELECT t.name FROM teams t JOIN users u ON u.team_id = t.id"
                    " WHERE u.username = :u"
                ),
                {"u": username},
            ).scalar_one()
        )
