"""`collector-workstation team …`: a lead's queue management from the command line, on a real
embedded database built by the demo. Run in this process (`main`), with its output captured:
tests/cli/test_cli.py runs the program itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import EXIT_USAGE
from app.services.common.clock import business_zone


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-team")
    now = datetime.now(UTC).isoformat()
    args = ["--data-dir", str(folder), "demo-data", "--accounts", "200", "--seed", "11"]
    args += ["--accounts-per-collector", "50"]
    assert main([*args, "--as-of", now]) == 0
    return folder


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(["--data-dir", str(data_dir), *args])
        except SystemExit as exit:  # argparse refusing the arguments
            code = int(exit.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def users(run: Run, data_dir: Path) -> dict[str, list[str]]:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    found: dict[str, list[str]] = {}
    for user in json.loads(out):
        found.setdefault(user["role"], []).append(user["username"])
    return found


def accounts(run: Run, data_dir: Path, lead: str, *filters: str) -> list[dict[str, object]]:
    code, out, err = run(data_dir, "team", "accounts", "--user", lead, *filters, "--json")
    assert code == 0, err
    result: list[dict[str, object]] = json.loads(out)
    return result


def test_the_lead_lists_moves_and_prioritises_accounts(run: Run, data_dir: Path) -> None:
    people = users(run, data_dir)
    [lead] = people["team_lead"]
    first, second, third = sorted(people["collector"])[:3]
    mine = accounts(run, data_dir, lead, "--assignee", first)
    assert mine and {a["assignee"] for a in mine} == {first}
    assert {"contract_no", "dpd", "bucket", "overdue", "priority", "visit_request"} <= set(mine[0])
    contract = str(mine[0]["contract_no"])

    code, out, err = run(
        data_dir, "team", "reassign", "--user", lead, "--to", second, "--reason", "Leave.",
        contract, "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["moved"] == [contract]
    assert {a["assignee"] for a in accounts(run, data_dir, lead, "--search", contract)} == {second}

    until = (datetime.now(business_zone()) + timedelta(days=3)).date().isoformat()
    code, out, err = run(
        data_dir, "team", "priority", "--user", lead, "--level", "top", "--until", until,
        "--reason", "Salary day.", contract,
    )  # fmt: skip
    assert code == 0, err
    [row] = accounts(run, data_dir, lead, "--search", contract)
    assert row["priority"] is not None and row["priority"]["level"] == "top"  # type: ignore[index]
    code, out, err = run(data_dir, "queue", "--user", second, "--limit", "1", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["contract_no"] == contract
    code, _, err = run(data_dir, "team", "clear-priority", "--user", lead, contract)
    assert code == 0, err
    code, out, err = run(
        data_dir, "team", "mark-visit", "--user", lead, "--reason", "Gone quiet.", contract
    )
    assert code == 0 and "marked 1" in out, err

    # The rule form: a dry run shows the plan and moves nothing.
    before = accounts(run, data_dir, lead, "--assignee", third)
    code, out, err = run(
        data_dir, "team", "reassign", "--user", lead, "--from", third, "--to",
        f"{first},{second}", "--by", "amount", "--reason", "Leaving.", "--dry-run", "--json",
    )  # fmt: skip
    assert code == 0, err
    plan = json.loads(out)
    assert len(plan["moves"]) + len(plan["unchanged"]) == len(before)
    assert {share["username"] for share in plan["shares"]} == {first, second}
    assert accounts(run, data_dir, lead, "--assignee", third) == before
    code, out, err = run(
        data_dir, "team", "reassign", "--user", lead, "--from", third, "--to",
        f"{first},{second}", "--reason", "Leaving.",
    )  # fmt: skip
    assert code == 0, err
    assert accounts(run, data_dir, lead, "--assignee", third) == []


def test_refusals_exit_1_with_a_message_and_change_nothing(run: Run, data_dir: Path) -> None:
    people = users(run, data_dir)
    [lead] = people["team_lead"]
    collector = sorted(people["collector"])[-1]
    [row, *_] = accounts(run, data_dir, lead, "--assignee", collector)
    contract = str(row["contract_no"])
    code, _, err = run(
        data_dir, "team", "reassign", "--user", collector, "--to", lead, "--reason", "x", contract
    )
    assert code == 1 and "Only a team lead" in err
    code, _, err = run(
        data_dir, "team", "reassign", "--user", lead, "--to", lead, "--reason", "x", contract
    )
    assert code == 1 and "does not work a queue" in err
    far = (datetime.now(business_zone()) + timedelta(days=60)).date().isoformat()
    code, _, err = run(
        data_dir, "team", "priority", "--user", lead, "--level", "top", "--until", far,
        "--reason", "x", contract,
    )  # fmt: skip
    assert code == 1 and "at most 30 days" in err
    # Every problem with a priority at once, one line each.
    code, _, err = run(
        data_dir, "team", "priority", "--user", lead, "--level", "top", "--until", far,
        "--reason", " ", contract,
    )  # fmt: skip
    assert code == 1 and len(err.splitlines()) == 2, err
    assert "at most 30 days" in err.splitlines()[0]
    assert err.splitlines()[1] == (
        "error: Say why the account comes first (or last): the collector reads it."
    )
    code, _, err = run(data_dir, "team", "reassign", "--user", lead, "--to", lead, "--reason", "x")
    assert code == 1 and "contract numbers, or a rule" in err
    code, _, _ = run(data_dir, "team", "priority", "--user", lead, "--level", "urgent", contract)
    assert code == EXIT_USAGE  # argparse: not a level
    [same] = accounts(run, data_dir, lead, "--search", contract)
    assert same["assignee"] == collector and same["priority"] is None
