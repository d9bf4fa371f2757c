"""Which arm of an experiment an account is in, and the challenger's weights, checked.

An account's arm is a keyed hash (HMAC-SHA-256, keyed by the experiment's own random
`assignment_key`) of the experiment's id and the loan's id, read as a point in 0…9999 and
placed by the shares: champion first, then challenger, then holdout. It depends on nothing
else, so the same account always lands in the same arm, also one that arrives after the
experiment started, and every copy of the database (a collector's offline one too) works it
out alike. The key keeps it unguessable from the ids alone: nobody picks which accounts get
the challenger by choosing the experiment's name or id.

The challenger's weights have the shape of resources/queue_weights.json and change only how
an account is scored; the windows that decide which facts are read (how long a broken promise
or plan counts, how far ahead a callback shows, how far back reminders count, how long an
override may last) stay the champion's, so both arms are scored from the same facts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from app.models.experiments import ARMS, Experiment
from app.services.common.errors import Checks, InvalidInput
from app.services.common.reference import queue_weights

# The hash's point falls in 0…SCALE-1; shares are whole percents.
SCALE = 10_000
# What the challenger may not change (see the module), and the largest weight it may give.
FIXED = (
    "callback_lookahead_minutes",
    "broken_promise_days",
    "broken_plan_days",
    "override_max_days",
    ("reminders", "days"),
)
LARGEST = 100_000
# A weights file larger than this is not one.
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Shares:
    champion: int
    challenger: int
    holdout: int

    def as_text(self) -> str:
        return f"{self.champion}/{self.challenger}/{self.holdout}"

    def of(self, arm: str) -> int:
        return int(getattr(self, arm))


def arm_of(key: str, experiment_id: uuid.UUID, loan_id: uuid.UUID, shares: Shares) -> str:
    """The arm of account `loan_id` in the experiment (see the module)."""
    digest = hmac.new(
        bytes.fromhex(key), experiment_id.bytes + loan_id.bytes, hashlib.sha256
    ).digest()
    point = int.from_bytes(digest[:8], "big") % SCALE
    edge = 0
    for arm in ARMS:
        edge += shares.of(arm) * (SCALE // 100)
        if point < edge:
            return arm
    return ARMS[-1]


def parse_shares(text: str) -> Shares:
    """`45/45/10`: champion, challenger and holdout, whole percents adding up to 100."""
    parts = text.strip().split("/")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(parts) != 3 or len(numbers) != 3:
        raise InvalidInput(
            "Give the shares as champion/challenger/holdout in whole percents, such as"
            " 45/45/10, not “{text}”.",
            text=text,
        ).at("shares")
    shares = Shares(*numbers)
    if any(number < 0 for number in numbers) or sum(numbers) != 100:
        raise InvalidInput(
            "The shares {shares} must be whole percents that add up to 100.",
            shares=shares.as_text(),
        ).at("shares")
    if shares.champion == 0 or shares.challenger == 0:
        raise InvalidInput(
            "The champion and the challenger each need a share of the accounts ({shares}).",
            shares=shares.as_text(),
        ).at("shares")
    return shares


def read_weights(raw: bytes) -> dict[str, Any]:
    """The challenger's weights from a file's bytes, checked against the champion's shape:
    every problem named at once."""
    if len(raw) > MAX_BYTES:
        raise InvalidInput(
            "The weights file is larger than {limit} KB: it is not a queue weighting.",
            limit=MAX_BYTES // 1024,
        ).at("weights")
    try:
        found = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput(
            "The weights file is not JSON text: give a file shaped like queue_weights.json."
        ).at("weights") from None
    return check_weights(found)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def check_weights(found: Any) -> dict[str, Any]:
    champion = queue_weights()
    checks = Checks()
    if not isinstance(found, dict):
        raise InvalidInput(
            "The weights file is not JSON text: give a file shaped like queue_weights.json."
        ).at("weights")
    _compare(champion, found, "", checks)
    for fixed in FIXED:
        path = fixed if isinstance(fixed, tuple) else (fixed,)
        mine: Any = champion
        theirs: Any = found
        for step in path:
            mine = mine.get(step) if isinstance(mine, dict) else None
            theirs = theirs.get(step) if isinstance(theirs, dict) else None
        if theirs is not None and theirs != mine:
            checks.add(
                "weights",
                InvalidInput(
                    "The challenger changes how accounts are scored, not which facts are"
                    " read: {key} must stay {value}.",
                    key=".".join(path),
                    value=mine,
                ),
            )
    checks.verdict()
    return dict(found)


def _compare(
    champion: Mapping[str, Any], found: Mapping[str, Any], at: str, checks: Checks
) -> None:
    for key in sorted(set(champion) | set(found)):
        if key == "_about":
            continue
        name = f"{at}{key}"
        if key not in found:
            checks.add("weights", InvalidInput("The weights file lacks “{key}”.", key=name))
            continue
        if key not in champion:
            checks.add(
                "weights",
                InvalidInput("The weights file has “{key}”, which the queue has not.", key=name),
            )
            continue
        mine, theirs = champion[key], found[key]
        if isinstance(mine, dict):
            if isinstance(theirs, dict):
                _compare(mine, theirs, f"{name}.", checks)
            else:
                checks.add(
                    "weights",
                    InvalidInput(
                        "“{key}” in the weights file must be a group of weights.", key=name
                    ),
                )
            continue
        if (
            isinstance(theirs, bool)
            or not isinstance(theirs, int | float)
            or not math.isfinite(theirs)
            or theirs != int(theirs)
            or abs(theirs) > LARGEST
        ):
            checks.add(
                "weights",
                InvalidInput(
                    "“{key}” in the weights file must be a whole number between −{largest}"
                    " and {largest}.",
                    key=name,
                    largest=LARGEST,
                ),
            )
        elif mine >= 0 and theirs < 0:
            checks.add(
                "weights",
                InvalidInput("“{key}” in the weights file cannot be negative.", key=name),
            )


@dataclass(frozen=True)
class Running:
    """An experiment that ranks its team's accounts today."""

    id: uuid.UUID
    team_id: uuid.UUID
    key: str
    shares: Shares
    weights: Mapping[str, Any]

    def arm(self, loan_id: uuid.UUID) -> str:
        return arm_of(self.key, self.id, loan_id, self.shares)

    def as_plain(self) -> list[Any]:
        return [self.id.hex, self.team_id.hex, self.key, self.shares.as_text(), self.weights]


def running_experiments(connection: Connection, today: date) -> tuple[Running, ...]:
    """The experiments that rank accounts on `today`: started, not stopped."""
    rows = connection.execute(
        select(
            Experiment.id,
            Experiment.team_id,
            Experiment.assignment_key,
            Experiment.champion_share,
            Experiment.challenger_share,
            Experiment.holdout_share,
            Experiment.challenger_weights,
        )
        .where(Experiment.starts_on <= today, Experiment.stopped_at.is_(None))
        .order_by(Experiment.created_at, Experiment.id)
    )
    return tuple(
        Running(
            id=row[0],
            team_id=row[1],
            key=row[2],
            shares=Shares(row[3], row[4], row[5]),
            weights=json.loads(row[6]),
        )
        for row in rows
    )
