"""Defining, listing, stopping an experiment, and recording each account's arm.

Only a lead of the team (or an administrator naming the team) defines or stops one; every
member of the team reads the team's. An account's arm is recorded when the experiment is
defined (every active account of the team) and, for accounts that arrive later, when a lead
next looks at the experiment (`record_arrivals`); a recorded arm is never changed. The queue
does not wait for the record: it works the arm out itself (`experiment_arms.arm_of`), and the record
agrees with it.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Loan, LoanStatus, Role, Team, User
from app.models.experiments import ARMS, Experiment, ExperimentAssignment
from app.models.types import money_from_raw
from app.services.common.audit import audit
from app.services.common.clock import local_today
from app.services.common.errors import Checks, InvalidDate, InvalidInput, NotAllowed, NotFound
from app.services.common.experiment_arms import (
    MAX_BYTES,
    Shares,
    arm_of,
    parse_shares,
    read_weights,
)
from app.services.common.scope import find_user
from app.services.common.teams import team_scope
from app.services.contact.queue import overdue_balances

NAME_LENGTH = 80

# What the comparison measures per arm (app.services.experiments.comparison), named here where
# the window reads them without loading numpy and scipy.
METRICS = ("cure_rate", "roll_rate", "collected_per_account", "contacts_per_cure")


@dataclass(frozen=True)
class ExperimentInfo:
    id: uuid.UUID
    name: str
    team: str
    starts_on: date
    shares: Shares
    challenger_weights: dict[str, Any]
    created_by: str
    created_at: datetime
    stopped_at: datetime | None
    # Recorded accounts per arm.
    accounts: dict[str, int]

    @property
    def status(self) -> str:
        return "stopped" if self.stopped_at is not None else "running"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "team": self.team,
            "starts_on": self.starts_on.isoformat(),
            "shares": {arm: self.shares.of(arm) for arm in ARMS},
            "status": self.status,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "stopped_at": None if self.stopped_at is None else self.stopped_at.isoformat(),
            "accounts": self.accounts,
        }


def _lead(session: Session, username: str, team: str | None) -> tuple[uuid.UUID, uuid.UUID]:
    """The viewer's id and the team, for a change only a lead of the team (or an
    administrator) makes."""
    if find_user(session, username).role not in (Role.TEAM_LEAD, Role.ADMIN):
        raise NotAllowed("Only a team lead defines or stops an experiment.")
    scope = team_scope(session, username, team)
    return scope.viewer_id, scope.team_id


def _readable(session: Session, username: str, team: str | None) -> uuid.UUID | None:
    """The team whose experiments `username` reads: their own (an administrator: the one
    named, or every team when none is)."""
    viewer = find_user(session, username)
    if viewer.role is Role.ADMIN:
        return None if team is None else team_scope(session, username, team).team_id
    if team is not None and viewer.role is Role.TEAM_LEAD:
        return team_scope(session, username, team).team_id
    if viewer.team_id is None:
        raise NotAllowed("{username} belongs to no team.", username=username)
    return viewer.team_id


def create_experiment(
    db: Database,
    username: str,
    name: str,
    weights_file: Path | str,
    shares: str,
    *,
    starts_on: date | None = None,
    team: str | None = None,
    now: datetime | None = None,
) -> ExperimentInfo:
    """Define an experiment and record the arm of every active account of the team."""
    now = now or datetime.now(UTC)
    today = local_today(now)
    checks = Checks()
    name = " ".join(name.split())
    if not name:
        checks.add("name", InvalidInput("Give the experiment a name."))
    elif len(name) > NAME_LENGTH:
        checks.add(
            "name",
            InvalidInput("An experiment's name is at most {limit} characters.", limit=NAME_LENGTH),
        )
    parsed = checks.check("shares", parse_shares, shares)
    weights = checks.check("weights", _weights_from, Path(weights_file))
    starts_on = starts_on or today
    if starts_on < today:
        checks.add(
            "starts",
            InvalidDate(
                "An experiment starts today or later, not on {day}.", day=starts_on.isoformat()
            ),
        )
    checks.verdict()
    assert parsed is not None and weights is not None
    with db.session() as session:
        viewer_id, team_id = _lead(session, username, team)
        if session.scalar(select(Experiment.id).where(Experiment.name == name)) is not None:
            raise InvalidInput("There is an experiment named “{name}” already.", name=name).at(
                "name"
            )
        running = session.scalar(
            select(Experiment.name).where(
                Experiment.team_id == team_id, Experiment.stopped_at.is_(None)
            )
        )
        if running is not None:
            raise InvalidInput(
                "The team's experiment “{name}” is still running: stop it before starting"
                " another (two would rank the same accounts).",
                name=running,
            )
        experiment = Experiment(
            name=name,
            team_id=team_id,
            starts_on=starts_on,
            champion_share=parsed.champion,
            challenger_share=parsed.challenger,
            holdout_share=parsed.holdout,
            challenger_weights=json.dumps(weights, sort_keys=True),
            assignment_key=secrets.token_hex(32),
            created_by_id=viewer_id,
            created_at=now,
        )
        session.add(experiment)
        session.flush()
        recorded = _record(session, experiment, now)
        audit(
            session,
            "experiment.created",
            "experiment",
            experiment.id,
            {
                "name": name,
                "starts_on": starts_on.isoformat(),
                "shares": parsed.as_text(),
                "accounts": recorded,
            },
            user_id=viewer_id,
        )
        session.flush()
        return _info(session, experiment)


def _weights_from(path: Path) -> dict[str, Any]:
    try:
        # No more than one byte past the limit: a huge file (or a device) is refused unread.
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError:
        raise InvalidInput("Cannot read the weights file {path}.", path=str(path)).at(
            "weights"
        ) from None
    return read_weights(raw)


def standing(
    session: Session, loan_ids: list[uuid.UUID], today: date
) -> dict[uuid.UUID, tuple[int, Decimal]]:
    """Each loan's days past due and overdue amount on `today` (loans with nothing overdue:
    0 and 0)."""
    found: dict[uuid.UUID, tuple[int, Decimal]] = dict.fromkeys(loan_ids, (0, Decimal("0.00")))
    for start in range(0, len(loan_ids), 500):
        chunk = loan_ids[start : start + 500]
        balance = overdue_balances(today, Loan.id.in_(chunk))
        for row in session.execute(select(balance)):
            loan_id = (
                row.loan_id if isinstance(row.loan_id, uuid.UUID) else uuid.UUID(str(row.loan_id))
            )
            amount = sum(
                (
                    money_from_raw(value or 0)
                    for value in (row.principal, row.interest, row.fees, row.penalty, row.accruing)
                ),
                Decimal("0.00"),
            )
            days = (today - row.oldest_due).days if row.oldest_due is not None else 0
            found[loan_id] = (max(days, 0), amount)
    return found


def _record(session: Session, experiment: Experiment, now: datetime) -> int:
    """Record the arm of each active account of the experiment's team not recorded yet."""
    known = select(ExperimentAssignment.loan_id).where(
        ExperimentAssignment.experiment_id == experiment.id
    )
    loans = list(
        session.scalars(
            select(Loan.id).where(
                Loan.team_id == experiment.team_id,
                Loan.status == LoanStatus.ACTIVE,
                Loan.id.not_in(known),
            )
        )
    )
    if not loans:
        return 0
    shares = Shares(
        experiment.champion_share, experiment.challenger_share, experiment.holdout_share
    )
    now_standing = standing(session, loans, local_today(now))
    for loan_id in loans:
        dpd, overdue = now_standing[loan_id]
        session.add(
            ExperimentAssignment(
                experiment_id=experiment.id,
                loan_id=loan_id,
                arm=arm_of(experiment.assignment_key, experiment.id, loan_id, shares),
                assigned_at=now,
                dpd=dpd,
                overdue=overdue,
            )
        )
    session.flush()
    return len(loans)


def record_arrivals(db: Database, username: str, name: str, *, now: datetime | None = None) -> int:
    """Record the arms of the team's accounts that arrived since (a lead's step; a stopped
    experiment records none). Returns how many it recorded."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        experiment = _find(session, username, name)
        viewer = find_user(session, username)
        if experiment.stopped_at is not None or viewer.role not in (Role.TEAM_LEAD, Role.ADMIN):
            return 0
        return _record(session, experiment, now)


def _find(session: Session, username: str, name: str) -> Experiment:
    team_id = _readable(session, username, None)
    query = select(Experiment).where(Experiment.name == " ".join(name.split()))
    if team_id is not None:
        query = query.where(Experiment.team_id == team_id)
    found = session.scalar(query)
    if found is None:
        raise NotFound("There is no experiment “{name}” in your team.", name=name)
    return found


def _info(session: Session, experiment: Experiment) -> ExperimentInfo:
    counts = dict.fromkeys(ARMS, 0)
    for arm, count in session.execute(
        select(ExperimentAssignment.arm, func.count())
        .where(ExperimentAssignment.experiment_id == experiment.id)
        .group_by(ExperimentAssignment.arm)
    ):
        counts[arm] = int(count)
    team = session.get(Team, experiment.team_id)
    creator = session.get(User, experiment.created_by_id)
    return ExperimentInfo(
        id=experiment.id,
        name=experiment.name,
        team=team.name if team is not None else "",
        starts_on=experiment.starts_on,
        shares=Shares(
            experiment.champion_share, experiment.challenger_share, experiment.holdout_share
        ),
        challenger_weights=json.loads(experiment.challenger_weights),
        created_by=creator.username if creator is not None else "",
        created_at=experiment.created_at,
        stopped_at=experiment.stopped_at,
        accounts=counts,
    )


def list_experiments(
    db: Database, username: str, *, team: str | None = None
) -> tuple[ExperimentInfo, ...]:
    """The experiments of the viewer's team (an administrator's: every team's, or the one
    named), newest first."""
    with db.reader() as session:
        team_id = _readable(session, username, team)
        query = select(Experiment).order_by(Experiment.created_at.desc(), Experiment.name)
        if team_id is not None:
            query = query.where(Experiment.team_id == team_id)
        return tuple(_info(session, experiment) for experiment in session.scalars(query))


def show_experiment(db: Database, username: str, name: str) -> ExperimentInfo:
    with db.reader() as session:
        return _info(session, _find(session, username, name))


def stop_experiment(
    db: Database, username: str, name: str, *, now: datetime | None = None
) -> ExperimentInfo:
    """Stop the experiment now: from then on every account of the team ranks by the
    champion's weights. Its recorded arms stay (the comparison still reads them)."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        experiment = _find(session, username, name)
        team = session.get(Team, experiment.team_id)
        assert team is not None
        viewer_id, _team_id = _lead(session, username, team.name)
        if experiment.stopped_at is not None:
            raise InvalidInput("The experiment “{name}” was stopped already.", name=experiment.name)
        experiment.stopped_at = now
        experiment.stopped_by_id = viewer_id
        audit(
            session,
            "experiment.stopped",
            "experiment",
            experiment.id,
            {"name": experiment.name},
            user_id=viewer_id,
        )
        session.flush()
        return _info(session, experiment)
