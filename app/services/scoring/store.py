"""Stored scorecards: uploaded, listed, promoted for a team, switched off and on; and the
scorecard a workstation scores with (issue 21, item 4; docs/scoring.md, "Versions").

An administrator uploads a scorecard `model train` wrote, with the out-of-time figures of its
`model report` when there is one; it is numbered after every stored one and never changed. A
team lead promotes a version for their team, and switches scoring off and on for the team (an
administrator does both for a team they name): each is a step of the team's log, written once,
and the latest step holds. Promoting keeps the switch as it was (on, for a team's first).

The stored scorecards and the logs are synced reference data: a collector's copy holds their
team's latest step and the scorecard it names, so `active_scorecard` answers offline.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Role, Team, User
from app.models.scorecards import ScorecardChoice, StoredScorecard
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.scope import find_user
from app.services.common.teams import team_scope
from app.services.scoring.scorecard import MAX_BYTES, Scorecard, parse_scorecard

# Scorecards parsed from their stored documents, by SHA-256 (a stored one never changes).
_PARSED: dict[str, Scorecard] = {}
_PARSED_KEEP = 8


@dataclass(frozen=True)
class StoredInfo:
    version: int
    label: str
    trained_until: date
    sha256: str
    oot_auc: float | None
    oot_calibration_error: float | None
    created_by: str | None
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "label": self.label,
            "trained_until": self.trained_until.isoformat(),
            "sha256": self.sha256,
            "oot_auc": self.oot_auc,
            "oot_calibration_error": self.oot_calibration_error,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class TeamScoring:
    """A team's latest step: the version its queue scores with, and whether scoring is on."""

    team: str
    version: int
    enabled: bool
    chosen_by: str | None
    chosen_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "version": self.version,
            "enabled": self.enabled,
            "chosen_by": self.chosen_by,
            "chosen_at": self.chosen_at.isoformat(),
        }


def upload_scorecard(
    db: Database,
    username: str,
    path: Path,
    report: Path | None = None,
    *,
    now: datetime | None = None,
) -> StoredInfo:
    """Store the scorecard in `path` (and the out-of-time figures of `report`, the folder
    `model report` wrote for it) as the next version. Administrators only."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except ValueError:
        raise InvalidInput("{path} is not a JSON document", path=str(path)) from None
    card = parse_scorecard(data, str(path))
    trained_until = _trained_until(data, str(path))
    auc, calibration = (None, None) if report is None else _report_figures(report, card.version)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with db.session() as session:
        user = find_user(session, username)
        if user.role is not Role.ADMIN:
            raise NotAllowed("Only an administrator stores a scorecard.")
        same = session.scalar(
            select(StoredScorecard.version).where(StoredScorecard.sha256 == digest)
        )
        if same is not None:
            raise InvalidInput(
                "This scorecard is stored already, as version {version}.", version=same
            )
        version = (session.scalar(select(func.max(StoredScorecard.version))) or 0) + 1
        stored = StoredScorecard(
            version=version,
            label=card.version,
            trained_until=trained_until,
            document=text,
            sha256=digest,
            oot_auc=auc,
            oot_calibration_error=calibration,
            created_by_id=user.id,
            created_at=now or datetime.now(UTC),
        )
        session.add(stored)
        try:
            session.flush()
        except IntegrityError:
            raise InvalidInput(
                "Another scorecard was stored at the same moment: upload it again."
            ) from None
        audit(
            session,
            "scorecard.stored",
            "scorecard",
            stored.id,
            {"version": version, "label": card.version, "sha256": digest},
            user_id=user.id,
        )
        return _info(stored, username)


def list_scorecards(db: Database, username: str) -> list[StoredInfo]:
    """The stored scorecards, newest first: every one for a lead or an administrator; for
    anyone else the one their team scores with (if any)."""
    with db.session() as session:
        user = find_user(session, username)
        query = select(StoredScorecard, User.username).outerjoin(
            User, User.id == StoredScorecard.created_by_id
        )
        if user.role not in (Role.TEAM_LEAD, Role.ADMIN):
            step = _latest(session, user.team_id)
            if step is None:
                return []
            query = query.where(StoredScorecard.id == step.scorecard_id)
        found = session.execute(query.order_by(StoredScorecard.version.desc()))
        return [_info(stored, creator) for stored, creator in found]


def team_scoring(db: Database, username: str, team: str | None = None) -> TeamScoring | None:
    """The team's latest step (a lead's own team, an administrator's named one; anyone else
    their own team), None before any version was promoted for it."""
    with db.session() as session:
        user = find_user(session, username)
        if user.role in (Role.TEAM_LEAD, Role.ADMIN):
            team_id = _team(session, username, team)
        elif user.team_id is None:
            raise NotAllowed("{username} belongs to no team.", username=username)
        else:
            team_id = user.team_id
        return _scoring(session, team_id)


def promote_scorecard(
    db: Database,
    username: str,
    version: int,
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> TeamScoring:
    """Make `version` the scorecard the team's queue scores with (its switch stays as it was;
    on for a team's first)."""
    with db.session() as session:
        user = _lead(session, username)
        team_id = _team(session, username, team)
        card = session.scalar(select(StoredScorecard).where(StoredScorecard.version == version))
        if card is None:
            raise NotFound(
                "There is no scorecard version {version}. `collector-workstation model list`"
                " lists them.",
                version=version,
            )
        step = _latest(session, team_id)
        if step is not None and step.scorecard_id == card.id:
            raise InvalidInput(
                "Version {version} is the team's scorecard already.", version=version
            )
        enabled = True if step is None else step.enabled
        return _record(session, user, team_id, card, enabled, now, "scorecard.promoted")


def switch_scoring(
    db: Database,
    username: str,
    enabled: bool,
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> TeamScoring:
    """Switch scoring on or off for the team's queue (the promoted version stays)."""
    with db.session() as session:
        user = _lead(session, username)
        team_id = _team(session, username, team)
        step = _latest(session, team_id)
        if step is None:
            raise InvalidInput("No scorecard is promoted for the team yet: promote one first.")
        if step.enabled == enabled:
            if enabled:
                raise InvalidInput("Scoring is on for the team already.")
            raise InvalidInput("Scoring is off for the team already.")
        card = session.get_one(StoredScorecard, step.scorecard_id)
        action = "scoring.on" if enabled else "scoring.off"
        return _record(session, user, team_id, card, enabled, now, action)


def active_scorecard(db: Database, username: str) -> Scorecard | None:
    """The scorecard `username`'s team scores with, read from this database (a workstation's
    copy, offline too); None when none is promoted, scoring is off, or the user has no team."""
    with db.session() as session:
        user = find_user(session, username)
        step = _latest(session, user.team_id)
        if step is None or not step.enabled:
            return None
        stored = session.get(StoredScorecard, step.scorecard_id)
        if stored is None:
            return None
        parsed = _PARSED.get(stored.sha256)
        if parsed is None:
            parsed = parse_scorecard(
                json.loads(stored.document), f"scorecard version {stored.version}"
            )
            if len(_PARSED) >= _PARSED_KEEP:
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[stored.sha256] = parsed
        return parsed


# --- helpers ------------------------------------------------------------------------------------


def _lead(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user.role not in (Role.TEAM_LEAD, Role.ADMIN):
        raise NotAllowed("Only a team lead chooses the team's scorecard.")
    return user


def _team(session: Session, username: str, team: str | None) -> uuid.UUID:
    user = find_user(session, username)
    if user.role is Role.ADMIN and team is None:
        raise InvalidInput("Name the team (--team).")
    return team_scope(session, username, team).team_id


def _latest(session: Session, team_id: uuid.UUID | None) -> ScorecardChoice | None:
    if team_id is None:
        return None
    return session.scalar(
        select(ScorecardChoice)
        .where(ScorecardChoice.team_id == team_id)
        .order_by(ScorecardChoice.chosen_at.desc(), ScorecardChoice.id.desc())
        .limit(1)
    )


def _scoring(session: Session, team_id: uuid.UUID) -> TeamScoring | None:
    step = _latest(session, team_id)
    if step is None:
        return None
    card = session.get_one(StoredScorecard, step.scorecard_id)
    team = session.get_one(Team, team_id)
    chooser = None if step.chosen_by_id is None else session.get(User, step.chosen_by_id)
    return TeamScoring(
        team=team.name,
        version=card.version,
        enabled=step.enabled,
        chosen_by=None if chooser is None else chooser.username,
        chosen_at=step.chosen_at,
    )


def _record(
    session: Session,
    user: User,
    team_id: uuid.UUID,
    card: StoredScorecard,
    enabled: bool,
    now: datetime | None,
    action: str,
) -> TeamScoring:
    step = ScorecardChoice(
        team_id=team_id,
        scorecard_id=card.id,
        enabled=enabled,
        chosen_by_id=user.id,
        chosen_at=now or datetime.now(UTC),
    )
    session.add(step)
    session.flush()
    audit(
        session,
        action,
        "team",
        team_id,
        {"version": card.version, "enabled": enabled},
        user_id=user.id,
    )
    found = _scoring(session, team_id)
    assert found is not None
    return found


def _info(stored: StoredScorecard, creator: str | None) -> StoredInfo:
    return StoredInfo(
        version=stored.version,
        label=stored.label,
        trained_until=stored.trained_until,
        sha256=stored.sha256,
        oot_auc=stored.oot_auc,
        oot_calibration_error=stored.oot_calibration_error,
        created_by=creator,
        created_at=stored.created_at,
    )


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput(
                "{path} is not a scorecard this program reads: {key} is missing or wrong",
                path=str(path),
                key="size",
            )
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InvalidInput("Cannot read the scorecard file {path}", path=str(path)) from None


def _trained_until(data: dict[str, Any], source: str) -> date:
    trained = data.get("trained")
    until = trained.get("until") if isinstance(trained, dict) else None
    try:
        return date.fromisoformat(until) if isinstance(until, str) else _no_until(source)
    except ValueError:
        return _no_until(source)


def _no_until(source: str) -> date:
    raise InvalidInput(
        "{path} is not a scorecard this program reads: {key} is missing or wrong",
        path=source,
        key="trained.until",
    )


def _report_figures(folder: Path, version: str) -> tuple[float, float]:
    """The scorecard's out-of-time AUC and calibration error from `folder`/report.json, which
    must be the report of this very scorecard."""
    path = folder / "report.json"
    try:
        if path.stat().st_size > MAX_BYTES:
            raise OSError
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            "Cannot read the report {path}: give the folder `model report` wrote.",
            path=str(path),
        ) from None
    try:
        reported = figures["scorecard"]["version"]
        model = figures["models"]["scorecard"]
        auc, calibration = model["auc"], model["calibration_error"]
    except (KeyError, TypeError):
        reported, auc, calibration = None, None, None
    if reported != version:
        raise InvalidInput(
            "The report {path} is not of this scorecard ({version}).",
            path=str(path),
            version=version,
        )
    for value in (auc, calibration):
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or not 0 <= value <= 1
        ):
            raise InvalidInput(
                "The report {path} is not of this scorecard ({version}).",
                path=str(path),
                version=version,
            )
    return float(auc), float(calibration)
