"""The contacts commands, run as a collector and a lead would on a real embedded database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from app.cli import main
from tests.cli.test_cli import AT, collector, run

# 10:00 and 19:00 in Beijing on the demo's day.
MORNING, EVENING = AT, "2026-11-28T19:00:00+08:00"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-contacts")
    argv = ["--data-dir", str(folder), "demo-data", "--accounts", "120", "--seed", "11"]
    assert main([*argv, "--as-of", AT]) == 0
    return folder


def _lead(data_dir: Path) -> str:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return next(u["username"] for u in json.loads(out) if u["role"] == "team_lead")


def _account(data_dir: Path, user: str, position: int = 0) -> str:
    """A Chinese borrower's account with an own number the rules allow at 10:00."""
    code, out, _ = run(data_dir, "queue", "--user", user, "--at", MORNING, "--json")
    assert code == 0
    entries = [e for e in json.loads(out) if e["contact"]["allowed"]]
    return str(entries[position]["contract_no"])


def _points(data_dir: Path, user: str, contract: str) -> list[dict[str, object]]:
    code, out, err = run(data_dir, "contacts", "list", contract, "--user", user, "--json")
    assert code == 0, err
    points: list[dict[str, object]] = json.loads(out)["contact_points"]
    return points


def _one_line_error(code: int, out: str, err: str, words: str) -> None:
    assert code == 1 and out == "", (code, out, err)
    assert len(err.strip().splitlines()) == 1 and words in err, err


def test_a_number_learned_on_a_call_is_added_with_its_region_and_zones(data_dir: Path) -> None:
    user = collector(data_dir)
    contract = _account(data_dir, user)
    before = _points(data_dir, user, contract)
    code, out, err = run(
        data_dir, "contacts", "add", contract, "--user", user, "--kind", "work",
        "--value", "010 6552 9988", "--verified",
    )  # fmt: skip
    assert code == 0, err
    assert "region CN; Asia/Shanghai" in out
    code, out, err = run(data_dir, "contacts", "list", contract, "--user", user)
    assert code == 0, err
    line = next(line for line in out.splitlines() if "work" in line)
    assert "CN" in line and "Asia/Shanghai" in line and "VERIFIED LEARNED" in line
    # Bad input: one line each, and nothing written.
    for extra, words in (
        (("--kind", "mobile", "--value", "12345"), "not a valid phone number"),
        (("--kind", "work", "--value", "+86 10 6552 9988"), "already one of"),
        (("--kind", "mobile", "--value", "138\u202e12345678"), "U+202E"),
        (("--kind", "emergency", "--value", "13900002222", "--name", "=1+1", "--relation", "父"),
         "spreadsheet formula"),
        (("--kind", "address", "--province", "火星", "--city", "x"), "is not a province"),
        (("--kind", "email", "--value", "a@b.cn", "--province", "广东"), "Only an address"),
    ):  # fmt: skip
        code, out, err = run(data_dir, "contacts", "add", contract, "--user", user, *extra)
        _one_line_error(code, out, err, words)
    # Several problems at once: a line each, in one refusal.
    code, out, err = run(
        data_dir, "contacts", "add", contract, "--user", user, "--kind", "emergency",
        "--value", "12345", "--name", "=1+1",
    )  # fmt: skip
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("error: ") for line in lines), err
    assert "spreadsheet formula" in lines[0]
    assert "needs their name and their relation" in lines[1]
    assert "not a valid phone number" in lines[2]
    assert len(_points(data_dir, user, contract)) == len(before) + 1
    code, out, err = run(
        data_dir, "contacts", "add", contract, "--user", user, "--kind", "address",
        "--province", "广东", "--city", "深圳市", "--district", "南山区", "--street", "科技路8号",
    )  # fmt: skip
    assert code == 0, err
    assert "广东省深圳市南山区科技路8号" in out and "Asia/Shanghai" in out


def test_a_do_not_call_number_is_no_longer_offered_until_a_lead_lifts_it(data_dir: Path) -> None:
    user, lead = collector(data_dir), _lead(data_dir)
    contract = _account(data_dir, user, 1)
    mobile = next(p for p in _points(data_dir, user, contract) if p["kind"] == "mobile")
    number = str(mobile["display"])
    check = ("check-contact", "--user", user, "--contract", contract, "--number", number)
    assert run(data_dir, *check, "--at", MORNING)[0] == 0
    mark = ("contacts", "mark", contract, number, "--user", user, "--as", "do-not-call")
    _one_line_error(*run(data_dir, *mark), "own words")
    _one_line_error(*run(data_dir, *mark[:3], str(uuid.uuid4()), *mark[4:]), "is not one of")
    code, out, err = run(data_dir, *mark, "--words", "以后别打这个号码了")
    assert code == 0, err
    code, out, _ = run(data_dir, *check, "--at", MORNING)
    assert code == 3 and "point.do_not_call" in out
    code, out, _ = run(data_dir, "contacts", "list", contract, "--user", user)
    assert "DNC" in out and "以后别打这个号码了" in out
    lift = ("contacts", "lift", contract, number, "--mark", "do-not-call")
    code, _, err = run(data_dir, *lift, "--user", user)
    assert code != 0 and len(err.strip().splitlines()) == 1
    code, _, err = run(data_dir, *lift, "--user", lead)
    assert code == 0, err
    assert run(data_dir, *check, "--at", MORNING)[0] == 0


def test_an_agreed_window_and_a_preferred_channel_limit_when_the_borrower_is_called(
    data_dir: Path,
) -> None:
    user = collector(data_dir)
    contract = _account(data_dir, user, 2)
    prefer = ("contacts", "preferences", contract, "--user", user)
    _one_line_error(*run(data_dir, *prefer, "--window", "18:00", "--channel", "sms"), "18:00-20:30")
    _one_line_error(
        *run(data_dir, *prefer, "--window", "18:00-18:00", "--channel", "sms"), "two times"
    )
    code, out, err = run(data_dir, *prefer, "--window", "18:00-20:00", "--channel", "sms")
    assert code == 0, err
    assert "agreed contact window: 18:00-20:00" in out and "preferred channel: sms" in out
    mobile = next(p for p in _points(data_dir, user, contract) if p["kind"] == "mobile")
    check = ("check-contact", "--user", user, "--contract", contract, "--number")
    check = (*check, str(mobile["display"]))
    code, out, err = run(data_dir, *check, "--at", MORNING)
    assert code == 3 and "cn.quiet_hours" in out, err and "18:00 Asia/Shanghai" in out
    assert run(data_dir, *check, "--at", EVENING)[0] == 0


def test_an_attorney_is_recorded_and_only_a_lead_says_they_no_longer_represent(
    data_dir: Path,
) -> None:
    user, lead = collector(data_dir), _lead(data_dir)
    contract = _account(data_dir, user, 3)
    attorney = ("contacts", "attorney", contract)
    _one_line_error(*run(data_dir, *attorney, "--user", user, "--name", "张律师"), "--phone")
    _one_line_error(
        *run(data_dir, *attorney, "--user", user, "--name", "张律师", "--phone", "12"),
        "phone number",
    )
    code, out, err = run(
        data_dir, *attorney, "--user", user, "--name", "张律师", "--firm", "某某律师事务所",
        "--phone", "139 1111 2222",
    )  # fmt: skip
    assert code == 0, err
    assert "represented by an attorney: 张律师, 某某律师事务所, +8613911112222" in out
    code, out, _ = run(data_dir, "account", contract, "--user", user)
    assert "attorney_represented" in out
    code, _, err = run(data_dir, *attorney, "--user", user, "--lift")
    assert code != 0 and "team lead" in err
    code, out, err = run(data_dir, *attorney, "--user", lead, "--lift")
    assert code == 0, err
