"""Stored scorecards through an embedded (SQLite) central, which has no row-level security: the
sync itself gives a collector their team's promoted version and no other, and a lead every
one; a workstation's copy answers offline."""

from __future__ import annotations

from pathlib import Path

from app.database import Database
from app.models import Role
from app.services.scoring.store import active_scorecard, promote_scorecard, upload_scorecard
from app.services.sync import engine as sync
from tests.helpers.portfolio import ADMIN, Portfolio
from tests.helpers.scorecards import write_card


def _labels(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return list(
            connection.exec_driver_sql("SELECT label FROM scorecards ORDER BY version").scalars()
        )


def _workstation(path: Path) -> Database:
    local = Database(f"sqlite:///{path}")
    local.upgrade()
    sync.install_outbox(local)
    return local


def test_the_embedded_central_syncs_the_promoted_version_only(tmp_path: Path) -> None:
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    portfolio = Portfolio(central)
    portfolio.user("chen.lead", Role.TEAM_LEAD)
    portfolio.user("li.na", Role.COLLECTOR)
    sync.install_clock(central)
    for label in ("card-1", "card-2", "card-3"):
        upload_scorecard(central, ADMIN, write_card(tmp_path, label))
    promote_scorecard(central, "chen.lead", 2)

    copy = _workstation(tmp_path / "li.na.sqlite3")
    sync.sync(copy, central, "li.na")
    assert _labels(copy) == ["card-2"]
    promote_scorecard(central, "chen.lead", 3)
    sync.sync(copy, central, "li.na")
    assert _labels(copy) == ["card-3"]
    central.dispose()
    # Offline: the copy alone answers.
    card = active_scorecard(copy, "li.na")
    assert card is not None and card.version == "card-3"

    lead = _workstation(tmp_path / "lead.sqlite3")
    reopened = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    sync.sync(lead, reopened, "chen.lead")
    assert _labels(lead) == ["card-1", "card-2", "card-3"]
    reopened.dispose()
