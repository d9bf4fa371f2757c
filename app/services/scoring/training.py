"""Learning the scorecard from the history up to a day (docs/scoring.md, "Training").

Every business day from the first of the window to seven days before `until`, at the start of
the day (business zone), each overdue account is one row: its features then
(`features.features_at`) and whether it paid in the seven days after (`features.outcome_after`),
so no outcome reaches past `until`. Each characteristic is cut into bins on those rows (numeric
ones at quantiles, merged until every bin holds at least 5 % of them; categories with at least
2 % of them each a bin, the rest "other"), one indicator per bin, and scikit-learn's
LogisticRegression (L2) fits the indicators. A bin's points are its coefficient times pdo/ln 2,
so the points add up to the model's log-odds on the scorecard's scale.

The challenger, scikit-learn's HistGradientBoostingClassifier on the same rows' raw values, is
fitted the same way for comparison only; it is never written to a file (the report fits it
again from the scorecard's own window, so no model file is ever loaded).

scikit-learn and numpy are imported by this module: import it only where a model is trained.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, select

from app.database import Database
from app.models import ContactAttempt, Payment
from app.services.common.clock import day_start, local_today
from app.services.common.errors import InvalidInput
from app.services.scoring.features import HORIZON, AccountFeatures, features_at, outcome_after
from app.services.scoring.scorecard import (
    FORMAT,
    FORMAT_VERSION,
    KNOWN,
    parse_scorecard,
    score,
)

# The scale: 600 points are even odds of paying, 20 points more double the odds.
SCALING = {"points": 600, "odds": 1, "pdo": 20}
# How far back the window reaches by default, before `until`.
WINDOW_DAYS = 28
_MAX_BINS = 5
_MIN_NUMERIC_SHARE = 0.05
_MIN_CATEGORY_SHARE = 0.02
_C = 0.5
TARGET = (
    "paid everything overdue, kept a promise or paid a plan instalment in full within the"
    " 7 days after the scoring instant"
)


@dataclass
class Sample:
    """Rows of (features, outcome), one per overdue account per snapshot day."""

    days: list[date] = field(default_factory=list)
    rows: list[AccountFeatures] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)
    day_of_row: list[date] = field(default_factory=list)

    @property
    def positives(self) -> int:
        return sum(self.labels)


def history_span(db: Database) -> tuple[date, date] | None:
    """The first business day with a contact on record and the last with a contact or a
    payment: the days the history covers (None: no contact at all)."""
    with db.reader() as session:
        first = session.execute(select(func.min(ContactAttempt.started_at))).scalar()
        last_contact = session.execute(select(func.max(ContactAttempt.started_at))).scalar()
        last_payment = session.execute(select(func.max(Payment.paid_at))).scalar()
    if first is None or last_contact is None:
        return None
    last = max(last_contact, last_payment) if last_payment is not None else last_contact
    return local_today(_aware(first)), local_today(_aware(last))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def snapshot(db: Database, days: Sequence[date]) -> Sample:
    """The rows of the given days (each at the start of the day, business zone)."""
    sample = Sample(days=list(days))
    for day in days:
        at = day_start(day)
        rows = features_at(db, at)
        sample.rows.extend(rows)
        sample.labels.extend(outcome_after(db, at, rows))
        sample.day_of_row.extend([day] * len(rows))
    return sample


def training_days(db: Database, until: date, since: date | None = None) -> list[date]:
    """The snapshot days whose outcomes end by the start of `until`; refused when there are
    none."""
    span = history_span(db)
    if span is None:
        raise InvalidInput("The database holds no collection history to learn from")
    first = max(span[0], since or until - timedelta(days=WINDOW_DAYS))
    last = until - HORIZON
    if last < first:
        raise InvalidInput(
            "No history to learn from before {date}: it starts {first}, and each day needs"
            " the 7 days after it",
            date=until.isoformat(),
            first=span[0].isoformat(),
        )
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


@dataclass(frozen=True)
class Trained:
    """A scorecard document, the rows it learned from, and the fitted model's own probability
    for each row (which the document's points reproduce)."""

    document: dict[str, Any]
    sample: Sample
    fitted: list[float]


def train(
    db: Database, until: date, since: date | None = None, *, now: datetime | None = None
) -> Trained:
    """The scorecard learned from the history before `until`."""
    days = training_days(db, until, since)
    sample = snapshot(db, days)
    if sample.positives in (0, len(sample.labels)):
        raise InvalidInput(
            "The history before {date} has no account that paid or none that did not:"
            " nothing to learn",
            date=until.isoformat(),
        )
    values = [row.characteristics() for row in sample.rows]
    y = np.array(sample.labels, dtype=bool)
    characteristics = [_bins(name, [v[name] for v in values]) for name in KNOWN]
    matrix, columns = _design(characteristics, values)
    model = LogisticRegression(C=_C, max_iter=5000)
    model.fit(matrix, y)
    factor = SCALING["pdo"] / math.log(2)
    coefficients = dict(zip(columns, model.coef_[0], strict=True))
    for c in characteristics:
        for k, item in enumerate(c["bins"]):
            item["points"] = round(float(factor * coefficients[(c["name"], k)]), 1)
    base = SCALING["points"] + factor * (float(model.intercept_[0]) - math.log(SCALING["odds"]))
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": "",
        "target": TARGET,
        "horizon_days": HORIZON.days,
        "trained": {
            "from": days[0].isoformat(),
            "until": until.isoformat(),
            "last_snapshot": days[-1].isoformat(),
            "at": (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
            "snapshots": len(days),
            "rows": len(sample.rows),
            "accounts": len({row.loan_id for row in sample.rows}),
            "positives": sample.positives,
            "model": f"LogisticRegression(C={_C}) on one indicator per bin",
        },
        "scaling": dict(SCALING),
        "base_points": round(base, 1),
        "characteristics": characteristics,
        "figures": {},
    }
    digest = hashlib.sha256(
        json.dumps(
            [document["base_points"], characteristics], sort_keys=True, ensure_ascii=False
        ).encode()
    ).hexdigest()
    document["version"] = f"{until.isoformat()}.{digest[:8]}"
    card = parse_scorecard(document)
    points = [score(card, v).points for v in values]
    document["figures"] = {
        "training": {
            "auc": round(float(roc_auc_score(y, points)), 4),
            "base_rate": round(sample.positives / len(sample.rows), 4),
            "rows": len(sample.rows),
        }
    }
    fitted = [float(p) for p in model.predict_proba(matrix)[:, 1]]
    return Trained(document, sample, fitted)


def _bins(name: str, values: list[Any]) -> dict[str, Any]:
    """One characteristic's bins, cut on the training rows."""
    if KNOWN[name] == "numeric":
        present = np.array([v for v in values if v is not None], dtype=float)
        bins: list[dict[str, Any]] = []
        if len(present):
            edges = _numeric_edges(present)
            bounds = [None, *edges, None]
            for low, high in itertools.pairwise(bounds):
                item: dict[str, Any] = {}
                if low is not None:
                    item["from"] = low
                if high is not None:
                    item["to"] = high
                bins.append(item)
        else:
            bins.append({})
        if len(present) < len(values):
            bins.append({"missing": True})
        return {"name": name, "kind": "numeric", "bins": bins}
    counts = Counter(v for v in values if isinstance(v, str))
    least = max(1, math.ceil(_MIN_CATEGORY_SHARE * len(values)))
    kept = sorted(value for value, n in counts.items() if n >= least)
    bins = [{"values": [value]} for value in kept]
    bins.append({"other": True})
    return {"name": name, "kind": "categorical", "bins": bins}


def _numeric_edges(present: Any) -> list[float]:
    """Edges at quantiles, made round, merged until each bin has its share of the rows."""
    quantiles = np.quantile(present, np.linspace(0, 1, _MAX_BINS + 1)[1:-1])
    low, high = float(present.min()), float(present.max())
    edges = sorted({_round(float(q)) for q in quantiles if low < _round(float(q)) <= high})
    least = _MIN_NUMERIC_SHARE * len(present)
    while edges:
        # Bins are [from, to): count the rows below each edge.
        counts = np.diff(
            np.searchsorted(np.sort(present), [-math.inf, *edges, math.inf], side="left")
        )
        smallest = int(np.argmin(counts))
        if counts[smallest] >= least:
            break
        # Merge the smallest bin into its smaller neighbour: drop the edge between them.
        if smallest == 0:
            edges.pop(0)
        elif smallest == len(counts) - 1:
            edges.pop()
        else:
            left, right = counts[smallest - 1], counts[smallest + 1]
            edges.pop(smallest - 1 if left <= right else smallest)
    return edges


def _round(value: float) -> float:
    """An edge a reader takes in at a glance: whole numbers, two significant digits above 100."""
    if abs(value) < 100:
        return float(math.ceil(value))
    digits = math.floor(math.log10(abs(value))) - 1
    return float(round(value, -digits))


def _design(
    characteristics: list[dict[str, Any]], values: list[dict[str, Any]]
) -> tuple[Any, list[tuple[str, int]]]:
    """One indicator column per bin (which bin each row falls in, as `score` decides)."""
    columns = [(c["name"], k) for c in characteristics for k in range(len(c["bins"]))]
    index = {column: j for j, column in enumerate(columns)}
    matrix = np.zeros((len(values), len(columns)))
    for c in characteristics:
        name = c["name"]
        for i, row in enumerate(values):
            matrix[i, index[(name, bin_of(c, row[name]))]] = 1.0
    return matrix, columns


def bin_of(characteristic: dict[str, Any], value: Any) -> int:
    """Which of a characteristic's bins (in the document's form) a value falls in."""
    bins = characteristic["bins"]
    if characteristic["kind"] == "numeric":
        if value is None:
            return next(k for k, b in enumerate(bins) if b.get("missing"))
        for k, b in enumerate(bins):
            if b.get("missing"):
                continue
            if ("from" not in b or value >= b["from"]) and ("to" not in b or value < b["to"]):
                return k
        raise ValueError(value)
    for k, b in enumerate(bins):
        if value in b.get("values", ()):
            return k
    return next(k for k, b in enumerate(bins) if b.get("other"))


class Challenger:
    """The gradient-boosted challenger: raw values, categories by their training codes."""

    def __init__(self, sample: Sample) -> None:
        values = [row.characteristics() for row in sample.rows]
        self._categories = {
            name: sorted({value for v in values if isinstance(value := v[name], str)})
            for name, kind in KNOWN.items()
            if kind == "categorical"
        }
        self.model = HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=200,
            l2_regularization=1.0,
            categorical_features=[kind == "categorical" for kind in KNOWN.values()],
            random_state=0,
        )
        self.model.fit(self._matrix(values), np.array(sample.labels, dtype=bool))

    def _matrix(self, values: list[dict[str, Any]]) -> Any:
        matrix = np.full((len(values), len(KNOWN)), np.nan)
        for j, (name, kind) in enumerate(KNOWN.items()):
            codes = {c: k for k, c in enumerate(self._categories.get(name, ()))}
            for i, row in enumerate(values):
                value = row[name]
                if kind == "categorical":
                    code = codes.get(value)
                    if code is not None:
                        matrix[i, j] = code
                elif value is not None:
                    matrix[i, j] = value
        return matrix

    def probabilities(self, rows: Sequence[AccountFeatures]) -> list[float]:
        values = [row.characteristics() for row in rows]
        return [float(p) for p in self.model.predict_proba(self._matrix(values))[:, 1]]
