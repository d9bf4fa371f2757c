"""`collector-workstation legal …`: a lead's referrals to legal from the command line, on an
embedded demo database; the program itself is started for the first referral."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.legal import STEP_KINDS
from app.models import LegalStepKind
from app.services.common.clock import local_today
from tests.helpers.cli import run_cli

LEAD, COLLECTOR = "he.shuxia", "zheng.shuqian"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-legal")
    now = datetime.now(UTC).isoformat()
    done = run_cli(folder, "demo-data", "--accounts", "60", "--seed", "7", "--as-of", now)
    assert done.returncode == 0, done.stderr
    return folder


def _accounts(data_dir: Path) -> list[str]:
    done = run_cli(data_dir, "team", "accounts", "--user", LEAD, "--json")
    assert done.returncode == 0, done.stderr
    # The collector's, in their queue now, stopped by nothing.
    queued = {no for no, rule in _queue(data_dir).items() if ".stop." not in rule}
    return sorted(
        str(account["contract_no"])
        for account in json.loads(done.stdout)
        if account["assignee"] == COLLECTOR and account["contract_no"] in queued
    )


def _queue(data_dir: Path) -> dict[str, str]:
    """The collector's queue: each account's contact rule now (a stop, quiet hours, …)."""
    done = run_cli(data_dir, "queue", "--user", COLLECTOR, "--json")
    assert done.returncode == 0, done.stderr
    return {
        str(entry["contract_no"]): str(entry["contact"]["rule"])
        for entry in json.loads(done.stdout)
    }


def _today() -> str:
    return local_today(datetime.now(UTC)).isoformat()


def test_a_lead_refers_an_account_and_records_its_case_in_order(data_dir: Path) -> None:
    contract = _accounts(data_dir)[0]
    done = run_cli(
        data_dir, "legal", "refer", contract, "--user", LEAD, "--reason", "无人接听六个月",
        real=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"referred {contract} to legal\n")
    # The account stops in the collector's queue, by the legal referral.
    assert _queue(data_dir)[contract] == "cn.stop.legal"
    step = ("legal", "step", contract, "--user", LEAD, "--on", _today())
    refused = run_cli(data_dir, *step[:3], "judgment", *step[3:])
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == "error: Hearings and a judgment come only after the case is filed.\n"
    negative = run_cli(data_dir, *step[:3], "cost", *step[3:], "--amount", "-5")
    assert negative.stderr == "error: An amount in a legal case is never negative.\n"
    ahead = (local_today(datetime.now(UTC)) + timedelta(days=1)).isoformat()
    future = run_cli(
        data_dir, "legal", "step", contract, "cost", "--user", LEAD, "--on", ahead,
        "--amount", "5",
    )  # fmt: skip
    assert future.stderr == "error: A legal step is not dated ahead of today.\n"
    for kind, extra in (
        ("lawyer", ("--firm", "金杜律师事务所", "--lawyer", "李律师")),
        ("filing", ("--case-number", "(2026)京0101民初1号", "--court", "东城区人民法院")),
        ("hearing", ("--note", "first hearing")),
        ("judgment", ("--amount", "15000")),
        ("cost", ("--amount", "800", "--note", "court fee")),
    ):
        done = run_cli(data_dir, *step[:3], kind, *step[3:], *extra)
        assert done.returncode == 0, (kind, done.stderr)
    withdrawn = run_cli(data_dir, "legal", "withdraw", contract, "--user", LEAD, "--reason", "x")
    assert withdrawn.stderr == "error: A referral is withdrawn only before the case is filed.\n"
    shown = run_cli(data_dir, "legal", "show", contract, "--user", LEAD, "--json")
    case = json.loads(shown.stdout)
    assert case["stage"] == "judgment"
    assert [step["kind"] for step in case["steps"]] == [
        "lawyer",
        "filing",
        "hearing",
        "judgment",
        "cost",
    ]
    assert (case["costs"], case["steps"][3]["amount"]) == ("800.00", "15000.00")
    listed = run_cli(data_dir, "legal", "list", "--user", LEAD)
    assert f"{contract} judgment" in listed.stdout
    closed = run_cli(data_dir, *step[:3], "closed", *step[3:], "--note", "judgment paid")
    assert closed.returncode == 0, closed.stderr
    late = run_cli(data_dir, *step[:3], "recovery", *step[3:], "--amount", "5")
    assert late.stderr == "error: The legal case is closed: it takes no more steps.\n"


def test_a_withdrawal_returns_the_account_to_the_collectors_queue(data_dir: Path) -> None:
    contract = _accounts(data_dir)[1]
    assert (
        run_cli(data_dir, "legal", "refer", contract, "--user", LEAD, "--reason", "r").returncode
        == 0
    )
    done = run_cli(data_dir, "legal", "withdraw", contract, "--user", LEAD, "--reason", "paid")
    assert done.returncode == 0, done.stderr
    assert "withdrawn by he.shuxia: paid" in done.stdout
    assert ".stop." not in _queue(data_dir)[contract]


def test_a_collector_neither_refers_nor_reads_a_case(data_dir: Path) -> None:
    contract = _accounts(data_dir)[2]
    for args in (
        ("refer", contract, "--reason", "r"),
        ("show", contract),
        ("list",),
    ):
        done = run_cli(data_dir, "legal", *args, "--user", COLLECTOR)
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == (
            "error: Only a team lead of the account's team refers it to legal or records its"
            " steps.\n"
        )
    missing = run_cli(data_dir, "legal", "refer", contract, "--user", LEAD)
    assert missing.returncode == 64 and "--reason" in missing.stderr


def test_the_step_kinds_the_command_line_names_are_the_cases_steps_in_order() -> None:
    assert tuple(kind.value for kind in LegalStepKind) == STEP_KINDS
