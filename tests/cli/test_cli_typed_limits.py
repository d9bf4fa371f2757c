"""What a user types at the command line and the database cannot hold or a terminal would obey:
amounts beyond a money column, days at the ends of the calendar, control and invisible
characters in free text. Each is refused in one line, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.helpers.cli import run_cli

AT = "2026-11-28T10:00:00+08:00"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("limits")
    built = main(
        [
            *("--data-dir", str(folder), "demo-data", "--accounts", "120", "--seed", "5"),
            *("--as-of", AT, "--accounts-per-collector", "60"),
        ]
    )
    assert built == 0
    return folder


def run(data_dir: Path, *args: str, real: bool = False) -> tuple[int, str, str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    result = run_cli(data_dir, *args, real=real)
    return result.returncode, result.stdout, result.stderr


def users(data_dir: Path, role: str) -> str:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return next(u["username"] for u in json.loads(out) if u["role"] == role)


def first_account(data_dir: Path, user: str) -> str:
    code, out, err = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    assert code == 0, err
    return str(json.loads(out)[0]["contract_no"])


def timeline(data_dir: Path, user: str, contract: str) -> list[dict[str, object]]:
    code, out, err = run(data_dir, "account", contract, "--user", user, "--json")
    assert code == 0, err
    return list(json.loads(out)["timeline"])


@pytest.mark.parametrize("amount", ["1e400", "99999999999999999999999999999", "1000000000000"])
def test_an_amount_beyond_the_money_column_is_refused_in_one_line(
    data_dir: Path, amount: str
) -> None:
    user = users(data_dir, "collector")
    contract = first_account(data_dir, user)
    before = timeline(data_dir, user, contract)
    code, out, err = run(
        data_dir, "payment", "--user", user, "--contract", contract, "--amount", amount
    )
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"error: Payment “{amount}” is more than 999,999,999,999.99."]
    code, out, err = run(
        data_dir,
        *("log-contact", "--user", user, "--contract", contract, "--outcome", "PTP"),
        *("--promise-amount", amount, "--promise-date", "2026-12-30"),
    )
    assert (code, out) == (1, "")
    assert f"error: The promised amount “{amount}” is more than 999,999,999,999.99." in (
        err.splitlines()
    )
    assert "Traceback" not in err
    assert timeline(data_dir, user, contract) == before


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--from", "0001-01-01", "--to", "0001-01-02", "--format", "csv"),
        ("report", "--from", "9999-12-30", "--to", "9999-12-31", "--format", "csv"),
        ("review", "list", "--from", "0001-01-01"),
        ("queue", "--at", "0001-01-01T00:00"),
        ("queue", "--at", "9999-12-31T23:00"),
    ],
)
def test_a_day_at_the_ends_of_the_calendar_is_refused_by_every_command(
    data_dir: Path, args: tuple[str, ...], tmp_path: Path
) -> None:
    lead = users(data_dir, "team_lead")
    extra = ("--out", str(tmp_path / "r.csv")) if args[0] == "report" else ()
    code, out, err = run(data_dir, *args, "--user", lead, *extra)
    assert (code, out) == (64, "")
    [line] = err.splitlines()
    assert "is outside the days this program counts (1900-01-01 to 2999-12-31)" in line


def test_a_note_with_terminal_controls_or_bidi_overrides_is_refused(data_dir: Path) -> None:
    user = users(data_dir, "collector")
    contract = first_account(data_dir, user)
    before = timeline(data_dir, user, contract)
    for text, code_point in [
        ("a\x1b[31mred\x1b[0m", "U+001B"),
        ("pay \u202eevil", "U+202E"),
        ("ring\a", "U+0007"),
    ]:
        code, out, err = run(data_dir, "note", contract, text, "--user", user)
        assert (code, out) == (1, "")
        assert err.splitlines() == [
            f"error: The note holds a control or invisible character ({code_point}): type it again."
        ]
    code, out, err = run(data_dir, "note", contract, "\u200b\u200b\ufeff", "--user", user)
    assert (code, err.splitlines()) == (1, ["error: A note cannot be empty."])
    assert timeline(data_dir, user, contract) == before
    # Lines and tabs are how a note is laid out; a joiner inside an emoji stays.
    code, out, err = run(
        data_dir, "note", contract, "line one\nline\ttwo 👩\u200d💻", "--user", user
    )
    assert code == 0, err


def test_a_decision_note_of_invisible_characters_only_says_nothing(data_dir: Path) -> None:
    lead = users(data_dir, "team_lead")
    code, out, err = run(data_dir, "escalations", "--user", lead, "--json")
    assert code == 0, err
    open_ones = [e for e in json.loads(out) if e["decision"] is None]
    assert open_ones
    escalation = open_ones[0]["id"]
    decide = ("decide", escalation, "--user", lead, "--decision", "resume", "--note")
    code, out, err = run(data_dir, *decide, "\u200b\u200b")
    assert (code, out) == (1, "")
    assert err.splitlines() == ["error: Say in the note why collection can resume."]
    code, out, err = run(data_dir, *decide, "calm now\x1b[2J")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: The note holds a control or invisible character (U+001B): type it again."
    ]
    code, out, err = run(data_dir, "escalations", "--user", lead, "--json")
    still = next(e for e in json.loads(out) if e["id"] == escalation)
    assert still["decision"] is None
