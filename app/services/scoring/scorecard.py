"""The scorecard as a plain JSON document, read back and checked, and scoring with it.

The document (docs/scoring.md, "The scorecard file", has every field):

    {"format": "collector-workstation/scorecard", "format_version": 1,
     "version": "2026-11-17.3f9a1c2e", "target": ..., "horizon_days": 7,
     "trained": {"from": "2026-11-01", "until": "2026-11-17", ...},
     "scaling": {"points": 600, "odds": 1, "pdo": 20},
     "base_points": 571.4,
     "characteristics": [
        {"name": "dpd", "kind": "numeric",
         "bins": [{"to": 31, "points": 18.2}, {"from": 31, "to": 61, "points": 3.1},
                  {"from": 61, "points": -20.4}, {"missing": true, "points": 0}]},
        {"name": "product", "kind": "categorical",
         "bins": [{"values": ["AUTO"], "points": 12.0}, {"other": true, "points": -2.5}]}],
     "figures": {...}}

An account's points are the base points plus, for each characteristic, the points of the bin
its value falls in (a numeric bin holds from <= value < to; a value no bin holds, or a missing
one without a "missing" bin, scores 0). The points are on a log-odds scale: `points` points are
odds of `odds` to one of paying, and every `pdo` points more double them, so

    probability = 1 / (1 + exp(-(ln(odds) + (total - points) * ln(2) / pdo)))

`score` is all the queue needs per account: a few comparisons and one exponential.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services.common.errors import InvalidInput

FORMAT = "collector-workstation/scorecard"
FORMAT_VERSION = 1
# Bounds a scorecard's numbers stay within (points, edges, the scale), and its file's size: a
# file beyond them is no scorecard this program wrote.
LIMIT = 1e6
MAX_BYTES = 1_000_000
# What the features module gives, by characteristic name: numeric or categorical.
KNOWN = {
    "dpd": "numeric",
    "arrears": "numeric",
    "principal": "numeric",
    "promise_history": "categorical",
    "promise_pending": "categorical",
    "days_since_reached": "numeric",
    "reached_recent": "numeric",
    "attempts_recent": "numeric",
    "days_since_payment": "numeric",
    "product": "categorical",
    "employment": "categorical",
    "province": "categorical",
}


@dataclass(frozen=True, slots=True)
class Score:
    """An account's total points, its chance of paying (0 to 1) and each characteristic's
    points (in the scorecard's order)."""

    points: float
    probability: float
    parts: dict[str, float]


@dataclass(frozen=True, slots=True)
class _Numeric:
    name: str
    edges: tuple[float, ...]  # the upper ends of every bin but the last
    points: tuple[float, ...]  # one per bin, the first below edges[0]
    missing: float


@dataclass(frozen=True, slots=True)
class _Categorical:
    name: str
    points: Mapping[str, float]
    other: float


@dataclass(frozen=True)
class Scorecard:
    """A scorecard read and checked (`load_scorecard`, `parse_scorecard`); `document` is the
    JSON as it came."""

    document: Mapping[str, Any]
    version: str
    base_points: float
    scale_points: float
    log_odds: float
    per_point: float  # ln(2) / pdo
    characteristics: tuple[_Numeric | _Categorical, ...]
    numeric: tuple[tuple[str, tuple[float, ...], tuple[float, ...], float], ...] = field(
        init=False, repr=False
    )
    categorical: tuple[tuple[str, Mapping[str, float], float], ...] = field(init=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.characteristics)

    def __post_init__(self) -> None:
        # Plain tuples for `score`'s loop: the numeric characteristics, then the others.
        numeric = tuple(
            (c.name, c.edges, c.points, c.missing)
            for c in self.characteristics
            if isinstance(c, _Numeric)
        )
        categorical = tuple(
            (c.name, c.points, c.other) for c in self.characteristics if isinstance(c, _Categorical)
        )
        object.__setattr__(self, "numeric", numeric)
        object.__setattr__(self, "categorical", categorical)


def score(scorecard: Scorecard, features: Mapping[str, Any]) -> Score:
    """The points, the probability of paying and each characteristic's points of one account,
    from its characteristics' values (`AccountFeatures.characteristics()`)."""
    parts: dict[str, float] = {}
    total = scorecard.base_points
    right = bisect.bisect_right
    for name, edges, bins, missing in scorecard.numeric:
        value = features.get(name)
        points = missing if value is None else bins[right(edges, value)]
        parts[name] = points
        total += points
    for name, table, other in scorecard.categorical:
        value = features.get(name)
        points = table.get(value, other) if value.__class__ is str else other
        parts[name] = points
        total += points
    return Score(total, probability(scorecard, total), parts)


def probability(scorecard: Scorecard, points: float) -> float:
    """The chance of paying that a total of `points` stands for."""
    log_odds = scorecard.log_odds + (points - scorecard.scale_points) * scorecard.per_point
    if log_odds >= 0:
        return 1 / (1 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1 + odds)


def load_scorecard(path: Path) -> Scorecard:
    """The scorecard in a file; a file that is not one is refused in one line."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput(
                "{path} is not a scorecard this program reads: {key} is missing or wrong",
                path=str(path),
                key="size",
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InvalidInput("Cannot read the scorecard file {path}", path=str(path)) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise InvalidInput("{path} is not a JSON document", path=str(path)) from None
    return parse_scorecard(data, str(path))


def parse_scorecard(data: Any, source: str = "scorecard") -> Scorecard:
    """A scorecard document checked field by field; refused in one line naming the first field
    that is missing or wrong."""

    def wrong(key: str) -> InvalidInput:
        return InvalidInput(
            "{path} is not a scorecard this program reads: {key} is missing or wrong",
            path=source,
            key=key,
        )

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise wrong("format")
    if data.get("format_version") != FORMAT_VERSION:
        raise wrong("format_version")
    version = data.get("version")
    if not isinstance(version, str) or not version or len(version) > 64:
        raise wrong("version")
    scaling = data.get("scaling")
    if not isinstance(scaling, dict):
        raise wrong("scaling")
    scale_points = _number(scaling.get("points"))
    odds = _number(scaling.get("odds"))
    pdo = _number(scaling.get("pdo"))
    if scale_points is None:
        raise wrong("scaling.points")
    if odds is None or not 1 / LIMIT <= odds <= LIMIT:
        raise wrong("scaling.odds")
    if pdo is None or pdo < 1 / LIMIT:
        raise wrong("scaling.pdo")
    base = _number(data.get("base_points"))
    if base is None:
        raise wrong("base_points")
    listed = data.get("characteristics")
    if not isinstance(listed, list) or not listed:
        raise wrong("characteristics")
    parsed: list[_Numeric | _Categorical] = []
    seen: set[str] = set()
    for k, item in enumerate(listed):
        where = f"characteristics[{k}]"
        if not isinstance(item, dict):
            raise wrong(where)
        name = item.get("name")
        if not isinstance(name, str) or name not in KNOWN or name in seen:
            raise wrong(f"{where}.name")
        seen.add(name)
        if item.get("kind") != KNOWN[name]:
            raise wrong(f"{where}.kind")
        bins = item.get("bins")
        if not isinstance(bins, list) or not bins:
            raise wrong(f"{where}.bins")
        if KNOWN[name] == "numeric":
            parsed.append(_numeric(name, bins, f"{where}.bins", wrong))
        else:
            parsed.append(_categorical(name, bins, f"{where}.bins", wrong))
    return Scorecard(
        document=data,
        version=version,
        base_points=base,
        scale_points=scale_points,
        log_odds=math.log(odds),
        per_point=math.log(2) / pdo,
        characteristics=tuple(parsed),
    )


def _numeric(name: str, bins: list[Any], where: str, wrong: Any) -> _Numeric:
    """Bins from below the first edge to above the last, in order, each starting where the one
    before ends; a "missing" bin anywhere."""
    ranged: list[tuple[float | None, float | None, float]] = []
    missing = 0.0
    for k, item in enumerate(bins):
        if not isinstance(item, dict):
            raise wrong(f"{where}[{k}]")
        points = _number(item.get("points"))
        if points is None:
            raise wrong(f"{where}[{k}].points")
        if item.get("missing") is True:
            missing = points
            continue
        low, high = item.get("from"), item.get("to")
        if (low is not None and _number(low) is None) or (
            high is not None and _number(high) is None
        ):
            raise wrong(f"{where}[{k}]")
        ranged.append((_number(low), _number(high), points))
    if not ranged or ranged[0][0] is not None or ranged[-1][1] is not None:
        raise wrong(where)
    edges: list[float] = []
    for (_, high, _), (low, _, _) in itertools.pairwise(ranged):
        if high is None or low is None or high != low or (edges and high <= edges[-1]):
            raise wrong(where)
        edges.append(high)
    return _Numeric(name, tuple(edges), tuple(points for _, _, points in ranged), missing)


def _categorical(name: str, bins: list[Any], where: str, wrong: Any) -> _Categorical:
    """Bins of listed values (each value in one bin) and one "other" bin for the rest."""
    points: dict[str, float] = {}
    other: float | None = None
    for k, item in enumerate(bins):
        if not isinstance(item, dict):
            raise wrong(f"{where}[{k}]")
        value = _number(item.get("points"))
        if value is None:
            raise wrong(f"{where}[{k}].points")
        if item.get("other") is True:
            if other is not None:
                raise wrong(f"{where}[{k}]")
            other = value
            continue
        values = item.get("values")
        if not isinstance(values, list) or not values:
            raise wrong(f"{where}[{k}].values")
        for category in values:
            if not isinstance(category, str) or category in points:
                raise wrong(f"{where}[{k}].values")
            points[category] = value
    if other is None:
        raise wrong(where)
    return _Categorical(name, points, other)


def _number(value: Any) -> float | None:
    """A JSON number (not a boolean) within ±LIMIT, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if -LIMIT <= number <= LIMIT else None
