"""Out-of-time evaluation: the scorecard, the challenger and the queue's fixed weights, on the
weeks after the scorecard's training window only (docs/scoring.md, "Evaluation").

The evaluation days run from the scorecard's `trained.until` to seven days before the history's
last day, so every outcome is complete and none of them, nor any row, was seen in training. Each
way of ranking is judged on the same rows: AUC, Gini (2 AUC - 1), KS (the largest gap between
the cumulative shares of payers and non-payers), the paying rate by decile of the ranking (and,
for the two that give a probability, the mean probability and the calibration error: the
rows-weighted mean gap between them) and the top decile's lift (its paying rate over the
overall rate).

scikit-learn, numpy and matplotlib (Agg, no display) are imported by this module: import it
only where a report is made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib import pyplot
from sklearn.metrics import roc_auc_score, roc_curve

from app.database import Database
from app.services.common.clock import day_start
from app.services.common.errors import InvalidInput
from app.services.scoring.features import HORIZON, AccountFeatures
from app.services.scoring.scorecard import Scorecard, score
from app.services.scoring.training import Challenger, history_span, snapshot

# How the queue's fixed weights rank an account as of a moment (higher: called first).
Baseline = Callable[[AccountFeatures, datetime], float]
DECILES = 10
MODELS = ("scorecard", "challenger", "queue_weights")


@dataclass(frozen=True)
class Report:
    figures: dict[str, Any]
    files: tuple[Path, ...]


def evaluation_days(db: Database, until: date) -> list[date]:
    """The days after the training window whose seven following days are in the history."""
    span = history_span(db)
    last = None if span is None else span[1] - HORIZON
    if last is None or last < until:
        raise InvalidInput(
            "No out-of-time weeks after {date}: the history ends {end}, and each day needs"
            " the 7 days after it",
            date=until.isoformat(),
            end="-" if span is None else span[1].isoformat(),
        )
    return [until + timedelta(days=k) for k in range((last - until).days + 1)]


def report(db: Database, card: Scorecard, baseline: Baseline, out: Path) -> Report:
    """Evaluate out of time, write the figures (report.json) and plots (PNG) into `out`."""
    trained = card.document.get("trained") or {}
    try:
        until = date.fromisoformat(str(trained.get("until")))
        since = date.fromisoformat(str(trained.get("from")))
    except ValueError:
        raise InvalidInput(
            "{path} is not a scorecard this program reads: {key} is missing or wrong",
            path=card.version,
            key="trained",
        ) from None
    days = evaluation_days(db, until)
    test = snapshot(db, days)
    if test.positives in (0, len(test.labels)):
        raise InvalidInput(
            "The weeks after {date} have no account that paid or none that did not: nothing"
            " to compare",
            date=until.isoformat(),
        )
    # The challenger learns again from the scorecard's own window (no model file is read).
    training = snapshot(
        db, [since + timedelta(days=k) for k in range((until - HORIZON - since).days + 1)]
    )
    challenger = Challenger(training)
    y = np.array(test.labels, dtype=bool)
    scored = [score(card, row.characteristics()) for row in test.rows]
    rankings = {
        "scorecard": (
            np.array([s.points for s in scored]),
            np.array([s.probability for s in scored]),
        ),
        "challenger": (None, np.array(challenger.probabilities(test.rows))),
        "queue_weights": (
            np.array(
                [
                    baseline(row, day_start(day))
                    for row, day in zip(test.rows, test.day_of_row, strict=True)
                ],
                dtype=float,
            ),
            None,
        ),
    }
    figures: dict[str, Any] = {
        "scorecard": {"version": card.version, "trained": trained},
        "window": {
            "from": days[0].isoformat(),
            "to": days[-1].isoformat(),
            "outcomes_until": (days[-1] + HORIZON).isoformat(),
            "snapshots": len(days),
            "rows": len(test.rows),
            "accounts": len({row.loan_id for row in test.rows}),
            "positives": test.positives,
            "base_rate": round(test.positives / len(test.rows), 4),
        },
        "models": {},
    }
    curves: dict[str, Any] = {}
    for name, (ranks, probabilities) in rankings.items():
        ranking = ranks if ranks is not None else probabilities
        assert ranking is not None
        figures["models"][name], curves[name] = _figures(y, ranking, probabilities)
    out.mkdir(parents=True, exist_ok=True)
    files = _plots(out, curves, figures)
    path = out / "report.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Report(figures, (path, *files))


def _figures(y: Any, ranking: Any, probabilities: Any | None) -> tuple[dict[str, Any], Any]:
    auc = float(roc_auc_score(y, ranking))
    fpr, tpr, _ = roc_curve(y, ranking)
    # Deciles of the ranking, best first; ties broken by row order (stable).
    order = np.argsort(-ranking, kind="stable")
    groups = np.array_split(order, DECILES)
    base = float(y.mean())
    deciles = []
    gap = 0.0
    for k, group in enumerate(groups, start=1):
        observed = float(y[group].mean())
        item: dict[str, Any] = {"decile": k, "rows": len(group), "paid_rate": round(observed, 4)}
        if probabilities is not None:
            predicted = float(probabilities[group].mean())
            item["mean_probability"] = round(predicted, 4)
            gap += len(group) * abs(predicted - observed)
        deciles.append(item)
    result: dict[str, Any] = {
        "auc": round(auc, 4),
        "gini": round(2 * auc - 1, 4),
        "ks": round(float(np.max(tpr - fpr)), 4),
        "top_decile_lift": round(deciles[0]["paid_rate"] / base, 3),
        "deciles": deciles,
    }
    if probabilities is not None:
        result["calibration_error"] = round(gap / len(y), 4)
        result["mean_probability"] = round(float(probabilities.mean()), 4)
    gains = np.cumsum(y[order]) / max(1, int(y.sum()))
    return result, (fpr, tpr, deciles, gains)


_LABELS = {
    "scorecard": "Scorecard",
    "challenger": "Gradient boosting (challenger)",
    "queue_weights": "Queue weights (today)",
}


def _plots(out: Path, curves: dict[str, Any], figures: dict[str, Any]) -> Sequence[Path]:
    """roc.png, calibration.png and lift.png."""
    window = figures["window"]
    subtitle = f"out of time: {window['from']} to {window['to']}, {window['rows']} rows"
    paths = []

    fig, ax = pyplot.subplots(figsize=(6, 5), dpi=100)
    for name, (fpr, tpr, _, _) in curves.items():
        auc = figures["models"][name]["auc"]
        ax.plot(fpr, tpr, label=f"{_LABELS[name]} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    ax.set(xlabel="Share of non-payers ranked above", ylabel="Share of payers ranked above")
    ax.set_title(f"ROC\n{subtitle}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    paths.append(_save(fig, out / "roc.png"))

    fig, ax = pyplot.subplots(figsize=(6, 5), dpi=100)
    top = 0.0
    for name in ("scorecard", "challenger"):
        deciles = curves[name][2]
        predicted = [d["mean_probability"] for d in deciles]
        observed = [d["paid_rate"] for d in deciles]
        error = figures["models"][name]["calibration_error"]
        ax.plot(predicted, observed, marker="o", label=f"{_LABELS[name]} (error {error:.3f})")
        top = max(top, *predicted, *observed)
    ax.plot([0, top], [0, top], color="grey", linestyle=":", linewidth=1)
    ax.set(xlabel="Mean predicted probability (decile)", ylabel="Share that paid (decile)")
    ax.set_title(f"Calibration by decile\n{subtitle}", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    paths.append(_save(fig, out / "calibration.png"))

    fig, ax = pyplot.subplots(figsize=(6, 5), dpi=100)
    base = window["base_rate"]
    width = 0.27
    for k, name in enumerate(curves):
        lifts = [d["paid_rate"] / base for d in curves[name][2]]
        ax.bar(
            [d + (k - 1) * width for d in range(1, DECILES + 1)],
            lifts,
            width=width,
            label=f"{_LABELS[name]} (top {figures['models'][name]['top_decile_lift']:.2f})",
        )
    ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
    ax.set(xlabel="Decile of the ranking (1: first called)", ylabel="Lift (paid rate / overall)")
    ax.set_xticks(range(1, DECILES + 1))
    ax.set_title(f"Lift by decile\n{subtitle}", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    paths.append(_save(fig, out / "lift.png"))
    return paths


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path)
    pyplot.close(fig)
    return path
