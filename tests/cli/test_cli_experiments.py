"""`collector-workstation experiment …`: a lead defines a champion / challenger experiment on
the demo, the team reads it, the arms are compared, the lead stops it; bad input gets one clear
line and writes nothing. The program itself runs (a subprocess)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from app.services.common.reference import queue_weights
from tests.helpers.cli import run_cli


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-experiments")
    now = datetime.now(UTC).isoformat()
    args = ["--data-dir", str(folder), "demo-data", "--accounts", "120", "--seed", "7"]
    assert main([*args, "--as-of", now]) == 0
    return folder


def users(data_dir: Path) -> dict[str, str]:
    """role -> the first user of that role in the demo."""
    done = run_cli(data_dir, "users", real=True)
    assert done.returncode == 0, done.stderr
    found: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, role, *_ = line.split()
        found.setdefault(role, name)
    return found


def test_a_lead_runs_an_experiment_from_the_command_line(data_dir: Path, tmp_path: Path) -> None:
    people = users(data_dir)
    lead, collector = people["team_lead"], people["collector"]
    weights = copy.deepcopy(queue_weights())
    weights["bucket"]["M1"] = 900
    challenger = tmp_path / "challenger.json"
    challenger.write_text(json.dumps(weights), encoding="utf-8")
    hostile = tmp_path / "hostile.json"
    hostile.write_text('{"tiers": "everything"}', encoding="utf-8")

    # Bad input: one line each, nothing written.
    for args, words in (
        (("--weights", str(hostile)), "“tiers” in the weights file must be a group of weights"),
        (("--weights", str(tmp_path / "absent.json")), "Cannot read the weights file"),
        (("--weights", str(challenger), "--shares", "50/60/10"), "add up to 100"),
    ):
        done = run_cli(
            data_dir, "experiment", "create", "--user", lead, "--name", "x", *args, real=True
        )
        assert done.returncode != 0
        assert words in done.stderr
        assert "Traceback" not in done.stderr
    done = run_cli(
        data_dir, "experiment", "create", "--user", collector, "--name", "mine",
        "--weights", str(challenger), real=True,
    )  # fmt: skip
    assert done.returncode != 0 and "Only a team lead" in done.stderr
    assert run_cli(data_dir, "experiment", "list", "--user", lead, real=True).stdout.strip() == (
        "no experiments"
    )

    done = run_cli(
        data_dir, "experiment", "create", "--user", lead, "--name", "M1 first",
        "--weights", str(challenger), "--shares", "45/45/10", "--json", real=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert created["status"] == "running"
    assert created["shares"] == {"champion": 45, "challenger": 45, "holdout": 10}
    assert all(count > 0 for count in created["accounts"].values())

    # The team's collector reads it; shown again, the arms are the same.
    listed = json.loads(
        run_cli(data_dir, "experiment", "list", "--user", collector, "--json", real=True).stdout
    )
    assert [item["name"] for item in listed] == ["M1 first"]
    assert listed[0]["accounts"] == created["accounts"]
    shown = json.loads(
        run_cli(
            data_dir, "experiment", "show", "M1 first", "--user", lead, "--json", real=True
        ).stdout
    )
    assert shown["challenger_weights"]["bucket"]["M1"] == 900

    done = run_cli(data_dir, "experiment", "compare", "M1 first", "--user", lead, real=True)
    assert done.returncode == 0, done.stderr
    for words in ("cure rate", "roll rate", "collected / account", "contacts / cure", "n="):
        assert words in done.stdout
    assert "not yet significantly different from the champion's" in done.stdout
    compared = json.loads(
        run_cli(
            data_dir, "experiment", "compare", "M1 first", "--user", lead, "--json", real=True
        ).stdout
    )
    for arm in ("champion", "challenger", "holdout"):
        figures = compared["arms"][arm]
        assert figures["roll_rate"]["accounts"] == created["accounts"][arm]
        low, high = figures["roll_rate"]["ci95"]
        assert 0 <= low <= figures["roll_rate"]["value"] <= high <= 1
    assert set(compared["challenger_vs_champion"]) == {
        "cure_rate", "roll_rate", "collected_per_account", "contacts_per_cure",
    }  # fmt: skip

    done = run_cli(data_dir, "experiment", "stop", "M1 first", "--user", collector, real=True)
    assert done.returncode != 0 and "Only a team lead" in done.stderr
    done = run_cli(data_dir, "experiment", "stop", "M1 first", "--user", lead, real=True)
    assert done.returncode == 0, done.stderr
    assert "stopped" in done.stdout
    done = run_cli(data_dir, "experiment", "stop", "M1 first", "--user", lead, real=True)
    assert done.returncode != 0 and "stopped already" in done.stderr
