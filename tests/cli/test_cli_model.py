"""`model train` and `model report` as a user runs them, on the demo: a scorecard file, and a
report of the weeks after its window in which the scorecard ranks payers better than the
queue's fixed weights; a damaged scorecard or a window with no history is refused in one line,
leaving nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib import image

AS_OF = "2026-12-01T10:00:00+08:00"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("model")
    built = run(folder, "demo-data", "--accounts", "800", "--seed", "7", "--as-of", AS_OF)
    assert built.returncode == 0, built.stderr
    return folder


def test_train_then_report_beats_the_queue_weights_out_of_time(
    data_dir: Path, tmp_path: Path
) -> None:
    card = tmp_path / "card.json"
    trained = run(data_dir, "model", "train", "--until", "2026-11-17", "--out", str(card))
    assert trained.returncode == 0, trained.stderr
    assert f"written to {card}" in trained.stdout
    document = json.loads(card.read_text(encoding="utf-8"))
    assert document["trained"]["until"] == "2026-11-17"
    assert {c["name"] for c in document["characteristics"]} >= {"dpd", "promise_history"}

    out = tmp_path / "report"
    reported = run(data_dir, "model", "report", "--scorecard", str(card), "--out", str(out))
    assert reported.returncode == 0, reported.stderr
    figures = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert figures["window"]["from"] == "2026-11-17"
    assert figures["window"]["outcomes_until"] <= "2026-12-01"
    models = figures["models"]
    assert set(models) == {"scorecard", "challenger", "queue_weights"}
    assert models["scorecard"]["auc"] > models["queue_weights"]["auc"] + 0.05
    assert models["scorecard"]["calibration_error"] < 0.05
    assert len(models["scorecard"]["deciles"]) == 10
    for name in ("roc.png", "calibration.png", "lift.png"):
        pixels = image.imread(out / name)
        assert pixels.shape[0] >= 400 and pixels.shape[1] >= 500
    assert "scorecard" in reported.stdout and "queue_weights" in reported.stdout


def test_a_damaged_scorecard_is_refused_in_one_line_and_nothing_is_written(
    data_dir: Path, tmp_path: Path
) -> None:
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"format": "collector-workstation/scorecard"}), encoding="utf-8")
    out = tmp_path / "report"
    result = run(data_dir, "model", "report", "--scorecard", str(card), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {card} is not a scorecard this program reads: format_version is missing or wrong"
    ]
    assert not out.exists()


def test_training_before_the_history_is_refused_and_writes_no_file(
    data_dir: Path, tmp_path: Path
) -> None:
    card = tmp_path / "card.json"
    result = run(data_dir, "model", "train", "--until", "2026-10-01", "--out", str(card))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: No history to learn from before 2026-10-01")
    assert not card.exists()
