"""The scorecard's points reproduce the fitted model's probabilities, and a file that is not a
scorecard this program wrote is refused in one line, whatever is wrong with it."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from app.database import Database
from app.services.common.errors import InvalidInput
from app.services.scoring.scorecard import load_scorecard, parse_scorecard, probability, score
from app.services.scoring.training import Trained, bin_of, train
from tests.services.scoring.conftest import UNTIL


@pytest.fixture(scope="module")
def trained(book: Database) -> Trained:
    return train(book, UNTIL)


def test_the_points_reproduce_the_fitted_probabilities(trained: Trained) -> None:
    card = parse_scorecard(json.loads(json.dumps(trained.document)))
    assert len(trained.sample.rows) > 1000
    for row, fitted in zip(trained.sample.rows, trained.fitted, strict=True):
        result = score(card, row.characteristics())
        # Points are kept to a tenth: at 20 points to double the odds, a few tenths of a
        # percentage point at most.
        assert result.probability == pytest.approx(fitted, abs=0.005)
        assert result.points == pytest.approx(card.base_points + sum(result.parts.values()))
        scale = card.document["scaling"]
        log_odds = (
            math.log(scale["odds"]) + (result.points - scale["points"]) * math.log(2) / scale["pdo"]
        )
        assert result.probability == pytest.approx(1 / (1 + math.exp(-log_odds)), rel=1e-12)


def test_each_value_scores_the_points_of_the_bin_the_document_puts_it_in(trained: Trained) -> None:
    document = trained.document
    card = parse_scorecard(document)
    for row in trained.sample.rows[:500]:
        values = row.characteristics()
        parts = score(card, values).parts
        for c in document["characteristics"]:
            assert parts[c["name"]] == c["bins"][bin_of(c, values[c["name"]])]["points"]


def test_the_scale_doubles_the_odds_every_pdo_points(trained: Trained) -> None:
    card = parse_scorecard(trained.document)
    scale = trained.document["scaling"]
    at = probability(card, scale["points"])
    assert at == pytest.approx(scale["odds"] / (1 + scale["odds"]))
    higher = probability(card, scale["points"] + scale["pdo"])
    assert higher / (1 - higher) == pytest.approx(2 * at / (1 - at))


def test_the_document_says_its_window_and_the_rows_before_it(trained: Trained) -> None:
    window = trained.document["trained"]
    assert window["until"] == UNTIL.isoformat()
    assert max(trained.sample.day_of_row).isoformat() == window["last_snapshot"]
    # Every outcome (seven days after a row's day) ends by the start of --until.
    assert (max(trained.sample.day_of_row) - UNTIL).days <= -7
    assert trained.document["version"].startswith(UNTIL.isoformat())


def _broken(document: dict[str, Any]) -> list[tuple[str, Any]]:
    numeric = next(c for c in document["characteristics"] if c["kind"] == "numeric")
    categorical = next(c for c in document["characteristics"] if c["kind"] == "categorical")

    def edit(change: Any) -> Any:
        copied = copy.deepcopy(document)
        change(copied)
        return copied

    n = document["characteristics"].index(numeric)
    c = document["characteristics"].index(categorical)
    return [
        ("format", edit(lambda d: d.update(format="something else"))),
        ("format_version", edit(lambda d: d.update(format_version=2))),
        ("scaling.pdo", edit(lambda d: d["scaling"].update(pdo=0))),
        ("scaling.odds", edit(lambda d: d["scaling"].update(odds=-1))),
        ("base_points", edit(lambda d: d.update(base_points="600"))),
        ("base_points", edit(lambda d: d.update(base_points=float("nan")))),
        ("base_points", edit(lambda d: d.update(base_points=1e308))),
        ("scaling.pdo", edit(lambda d: d["scaling"].update(pdo=1e-300))),
        (
            f"characteristics[{n}].name",
            edit(lambda d: d["characteristics"][n].update(name="salary")),
        ),
        (
            f"characteristics[{n}].kind",
            edit(lambda d: d["characteristics"][n].update(kind="categorical")),
        ),
        (f"characteristics[{n}].bins", edit(lambda d: d["characteristics"][n]["bins"].reverse())),
        (
            f"characteristics[{n}].bins[0].points",
            edit(lambda d: d["characteristics"][n]["bins"][0].update(points=True)),
        ),
        (f"characteristics[{c}].bins", edit(lambda d: d["characteristics"][c]["bins"].pop())),
        ("characteristics", edit(lambda d: d.update(characteristics=[]))),
        ("format", []),
    ]


def test_a_damaged_scorecard_is_refused_naming_what_is_wrong(trained: Trained) -> None:
    for key, data in _broken(trained.document):
        with pytest.raises(InvalidInput) as refused:
            parse_scorecard(data, "card.json")
        assert refused.value.params["key"] == key, (key, refused.value.message)
        assert "\n" not in refused.value.message


def test_a_file_that_is_not_json_or_cannot_be_read_is_refused(tmp_path: Path) -> None:
    (tmp_path / "card.json").write_bytes(b"\xff\xfe not json")
    with pytest.raises(InvalidInput, match="Cannot read the scorecard file"):
        load_scorecard(tmp_path / "card.json")
    (tmp_path / "card.json").write_text("{ nope", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is not a JSON document"):
        load_scorecard(tmp_path / "card.json")
    with pytest.raises(InvalidInput, match="Cannot read the scorecard file"):
        load_scorecard(tmp_path / "missing.json")
    (tmp_path / "big.json").write_text(" " * 2_000_000 + "{}", encoding="utf-8")
    with pytest.raises(InvalidInput, match="size is missing or wrong"):
        load_scorecard(tmp_path / "big.json")
