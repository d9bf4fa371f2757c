"""`model upload`, `model list`, `model promote` and `model off|on` as users run them on the
demo: an administrator stores versions, a lead promotes one for the team and switches scoring
off and on, a collector sees only the version the team scores with; bad files and wrong roles
are refused in one line and store nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.scorecards import document, write_card, write_report

AS_OF = "2026-12-01T10:00:00+08:00"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The demo's data folder, a team lead and a collector of the lead's team."""
    folder = tmp_path_factory.mktemp("model-store")
    built = run(folder, "demo-data", "--accounts", "60", "--seed", "7", "--as-of", AS_OF)
    assert built.returncode == 0, built.stderr
    users = [line.split() for line in run(folder, "users").stdout.splitlines()]
    lead = next(u for u in users if u[1] == "team_lead")
    collector = next(u for u in users if u[1] == "collector" and u[2] == lead[2])
    return folder, lead[0], collector[0]


def _versions(folder: Path, user: str) -> list[int]:
    listed = run(folder, "model", "list", "--user", user, "--json")
    assert listed.returncode == 0, listed.stderr
    return [card["version"] for card in json.loads(listed.stdout)["scorecards"]]


def test_stored_promoted_switched_and_read_by_role(
    demo: tuple[Path, str, str], tmp_path: Path
) -> None:
    folder, lead, collector = demo
    first = write_card(tmp_path, "card-a")
    report = write_report(tmp_path / "report-a", "card-a", auc=0.7088, error=0.0152)
    stored = run(folder, "model", "upload", str(first), "--report", str(report), "--user", "admin")
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.startswith("stored as version 1: card-a, trained until 2026-11-17,")
    assert "out-of-time AUC 0.709, calibration error 0.015" in stored.stdout
    second = write_card(tmp_path, "card-b", dpd_points=20.0)
    assert run(folder, "model", "upload", str(second), "--user", "admin").returncode == 0

    # Nobody but an administrator stores one; the same document is not stored twice.
    for user, line in (
        (lead, "error: Only an administrator stores a scorecard."),
        ("admin", "error: This scorecard is stored already, as version 1."),
    ):
        refused = run(folder, "model", "upload", str(first), "--user", user)
        assert (refused.returncode, refused.stderr.splitlines()) == (1, [line])

    # Before a promotion a collector reads no version; a lead every one.
    assert _versions(folder, collector) == []
    assert _versions(folder, lead) == [2, 1]
    refused = run(folder, "model", "promote", "1", "--user", collector)
    assert refused.stderr.splitlines() == ["error: Only a team lead chooses the team's scorecard."]
    promoted = run(folder, "model", "promote", "1", "--user", lead)
    assert promoted.returncode == 0, promoted.stderr
    assert "scores with version 1 (scoring on)" in promoted.stdout
    assert _versions(folder, collector) == [1]
    again = run(folder, "model", "promote", "1", "--user", lead)
    assert again.stderr.splitlines() == ["error: Version 1 is the team's scorecard already."]
    missing = run(folder, "model", "promote", "7", "--user", lead)
    assert missing.stderr.splitlines() == [
        "error: There is no scorecard version 7. `collector-workstation model list` lists them."
    ]
    assert run(folder, "model", "promote", "2", "--user", lead).returncode == 0
    assert _versions(folder, collector) == [2]

    # Off and on for the team, each once.
    off = run(folder, "model", "off", "--user", lead)
    assert off.returncode == 0 and "scoring off for" in off.stdout
    twice = run(folder, "model", "off", "--user", lead)
    assert twice.stderr.splitlines() == ["error: Scoring is off for the team already."]
    listed = json.loads(run(folder, "model", "list", "--user", collector, "--json").stdout)
    assert listed["team"]["version"] == 2 and listed["team"]["enabled"] is False
    refused = run(folder, "model", "on", "--user", collector)
    assert refused.returncode == 1
    assert run(folder, "model", "on", "--user", lead).returncode == 0


def test_hostile_files_are_refused_in_one_line_and_store_nothing(
    demo: tuple[Path, str, str], tmp_path: Path
) -> None:
    folder, lead, _ = demo
    before = _versions(folder, lead)
    not_json = tmp_path / "not.json"
    not_json.write_text("{ nope", encoding="utf-8")
    huge = tmp_path / "huge.json"
    huge.write_text(" " * 1_000_001, encoding="utf-8")
    no_until = tmp_path / "no-until.json"
    broken = document("no-until")
    broken["trained"] = {"from": "2026-11-01"}
    no_until.write_text(json.dumps(broken), encoding="utf-8")
    card = write_card(tmp_path, "card-c")
    other_report = write_report(tmp_path / "report-x", "another-card")
    nan_report = tmp_path / "report-nan"
    nan_report.mkdir()
    (nan_report / "report.json").write_text(
        '{"scorecard": {"version": "card-c"}, "models": {"scorecard":'
        ' {"auc": NaN, "calibration_error": 0.01}}}',
        encoding="utf-8",
    )
    cases = {
        (str(not_json),): f"error: {not_json} is not a JSON document",
        (str(huge),): f"error: {huge} is not a scorecard this program reads:"
        " size is missing or wrong",
        (str(no_until),): f"error: {no_until} is not a scorecard this program reads:"
        " trained.until is missing or wrong",
        (str(tmp_path / "absent.json"),): "error: Cannot read the scorecard file"
        f" {tmp_path / 'absent.json'}",
        (str(card), "--report", str(other_report)): "error: The report"
        f" {other_report / 'report.json'} is not of this scorecard (card-c).",
        (str(card), "--report", str(nan_report)): "error: The report"
        f" {nan_report / 'report.json'} is not of this scorecard (card-c).",
        (str(card), "--report", str(tmp_path)): "error: Cannot read the report"
        f" {tmp_path / 'report.json'}: give the folder `model report` wrote.",
    }
    for args, line in cases.items():
        refused = run(folder, "model", "upload", *args, "--user", "admin")
        assert (refused.returncode, refused.stderr.splitlines()) == (1, [line]), args
    assert _versions(folder, lead) == before
