"""The report judges the out-of-time weeks only: the days from the scorecard's --until to seven
days before the history's end, each row the features then and the outcome of the seven days
after; its figures are those rows' and no others'."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score

from app.cli.model import _queue_weights
from app.database import Database
from app.services.common.clock import day_start
from app.services.common.errors import InvalidInput
from app.services.scoring.evaluation import evaluation_days, report
from app.services.scoring.features import features_at, outcome_after
from app.services.scoring.scorecard import parse_scorecard, score
from app.services.scoring.training import history_span, train
from tests.services.scoring.conftest import UNTIL


def test_the_report_uses_the_weeks_after_the_training_window_and_only_them(
    book: Database, tmp_path: Path
) -> None:
    card = parse_scorecard(train(book, UNTIL).document)
    span = history_span(book)
    assert span is not None
    days = evaluation_days(book, UNTIL)
    assert days[0] == UNTIL
    assert days[-1] == span[1] - timedelta(days=7)
    result = report(book, card, _queue_weights, tmp_path / "report")

    # The same rows, read day by day: the report's count and its scorecard AUC are theirs.
    rows, labels, queue = [], [], []
    for day in days:
        at = day_start(day)
        found = features_at(book, at)
        rows.extend(found)
        labels.extend(outcome_after(book, at, found))
        queue.extend(_queue_weights(row, at) for row in found)
    window = result.figures["window"]
    assert (window["from"], window["to"]) == (days[0].isoformat(), days[-1].isoformat())
    assert window["rows"] == len(rows)
    assert window["positives"] == sum(labels)
    points = [score(card, row.characteristics()).points for row in rows]
    assert result.figures["models"]["scorecard"]["auc"] == pytest.approx(
        roc_auc_score(labels, points), abs=5e-5
    )
    assert result.figures["models"]["queue_weights"]["auc"] == pytest.approx(
        roc_auc_score(labels, queue), abs=5e-5
    )
    # The figures are the ones written, with the three plots.
    names = sorted(path.name for path in result.files)
    assert names == ["calibration.png", "lift.png", "report.json", "roc.png"]


def test_a_scorecard_trained_up_to_the_history_end_has_no_weeks_to_report_on(
    book: Database, tmp_path: Path
) -> None:
    span = history_span(book)
    assert span is not None
    late = span[1] - timedelta(days=3)
    with pytest.raises(InvalidInput, match="No out-of-time weeks after"):
        evaluation_days(book, late)
    card = parse_scorecard(train(book, late).document)
    with pytest.raises(InvalidInput, match="No out-of-time weeks after"):
        report(book, card, _queue_weights, tmp_path / "report")
    assert not (tmp_path / "report").exists()


def test_training_needs_seven_days_of_history_before_until(book: Database) -> None:
    span = history_span(book)
    assert span is not None
    with pytest.raises(InvalidInput, match="No history to learn from before"):
        train(book, span[0] + timedelta(days=6))
