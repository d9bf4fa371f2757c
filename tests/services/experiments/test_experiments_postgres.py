"""Experiments on the central database, each user signed in as their own login: the lead's
definition and recorded arms are taken by the server's policies, the team's collector reads
them and their queue ranks by the arm, another team's collector sees nothing, and a collector
cannot stop one."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import Role
from app.models.experiments import Experiment
from app.services.common.errors import NotAllowed
from app.services.common.experiment_arms import Shares, arm_of
from app.services.common.reference import queue_weights
from app.services.contact.queue import build_queue
from app.services.experiments.comparison import compare
from app.services.experiments.definitions import (
    create_experiment,
    list_experiments,
    stop_experiment,
)
from tests.helpers.sync_world import Central, central_on, unique


@pytest.fixture
def central(pg_db: Database) -> Iterator[Central]:
    found = central_on(pg_db)
    try:
        yield found
    finally:
        found.drop_roles()


def test_a_lead_runs_an_experiment_on_the_server_and_the_team_ranks_by_it(
    central: Central, tmp_path: Path
) -> None:
    lead = central.staff(Role.TEAM_LEAD)
    collector = central.staff(Role.COLLECTOR)
    outsider = central.staff(Role.COLLECTOR, team=unique("其他组"))
    accounts = [central.account(collector, name=f"客户{i}") for i in range(12)]
    weights = copy.deepcopy(queue_weights())
    # Every bucket worth more than any tier: whatever the accounts' days past due by now.
    weights["bucket"] = dict.fromkeys(weights["bucket"], 20_000)
    path = tmp_path / "challenger.json"
    path.write_text(json.dumps(weights), encoding="utf-8")
    as_lead, as_collector, as_outsider = (
        central.sign_in(name) for name in (lead, collector, outsider)
    )
    try:
        with pytest.raises(NotAllowed):
            create_experiment(as_collector, collector, "mine", path, "50/50/0")
        info = create_experiment(as_lead, lead, "Buckets first", path, "50/50/0")
        assert sum(info.accounts.values()) == len(accounts)
        [seen] = list_experiments(as_collector, collector)
        assert seen.accounts == info.accounts
        assert list_experiments(as_outsider, outsider) == ()
        # The collector's queue, read on the server, ranks the challenger's accounts by its
        # weights.
        with as_lead.reader() as session:
            experiment = session.scalars(select(Experiment)).one()
            key, experiment_id = experiment.assignment_key, experiment.id
        queue = build_queue(as_collector, collector)
        boosted = [
            entry
            for entry in queue.entries
            if arm_of(key, experiment_id, entry.loan_id, Shares(50, 50, 0)) == "challenger"
        ]
        assert boosted and all(entry.score >= 20_000 for entry in boosted)
        assert all(entry.score < 20_000 for entry in queue.entries if entry not in boosted)
        result = compare(as_lead, lead, "Buckets first")
        assert result.arms["challenger"]["roll_rate"].accounts == info.accounts["challenger"]
        with pytest.raises(NotAllowed):
            stop_experiment(as_collector, collector, "Buckets first")
        assert stop_experiment(as_lead, lead, "Buckets first").status == "stopped"
        after = build_queue(as_collector, collector)
        assert all(entry.score < 20_000 for entry in after.entries)
    finally:
        for db in (as_lead, as_collector, as_outsider):
            db.dispose()
