"""The command line: every command on a real embedded database in a temporary folder.

Commands run in this process (tests/helpers/cli.py), but those whose point is the program's own
start and end: its version, a reader that stops reading, no display, a first start."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import __version__
from app.cli import main
from app.cli.common import EXIT_BROKEN_PIPE, EXIT_NO_DISPLAY, EXIT_USAGE
from tests.helpers.cli import run_cli

AT = "2026-11-28T10:00:00+08:00"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    assert (
        main(
            [
                "--data-dir",
                str(folder),
                "demo-data",
                "--accounts",
                "300",
                "--seed",
                "5",
                "--as-of",
                AT,
                "--accounts-per-collector",
                "120",
            ]
        )
        == 0
    )
    return folder


def run(data_dir: Path, *args: str, real: bool = False) -> tuple[int, str, str]:
    """The command's exit status and output: run in this process, or (`real`) as the program
    itself (tests/helpers/cli.py)."""
    result = run_cli(data_dir, *args, real=real)
    return result.returncode, result.stdout, result.stderr


def collector(data_dir: Path) -> str:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return next(u["username"] for u in json.loads(out) if u["role"] == "collector")


def test_version_is_printed(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "--version", real=True)
    assert (code, out.strip()) == (0, f"collector-workstation {__version__}")


def test_users_json_lists_every_role_with_team(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "users", "--json")
    users = json.loads(out)
    assert code == 0
    # The staff, the administrator and the reminders job's own login (its runs on the demo).
    assert {"collector", "field_agent", "team_lead", "admin", "system"} == {
        u["role"] for u in users
    }
    assert all(set(u) == {"username", "display_name", "role", "team", "active"} for u in users)
    assert all(u["active"] is True for u in users)
    assert all(u["team"] for u in users if u["role"] not in ("admin", "system"))


def test_queue_json_has_the_documented_fields(data_dir: Path) -> None:
    code, out, err = run(
        data_dir, "queue", "--user", collector(data_dir), "--at", AT, "--limit", "25", "--json"
    )
    assert code == 0, err
    entries = json.loads(out)
    assert 0 < len(entries) <= 25
    assert [e["rank"] for e in entries] == list(range(1, len(entries) + 1))
    for entry in entries:
        assert {
            "rank",
            "contract_no",
            "borrower",
            "dpd",
            "bucket",
            "overdue_amount",
            "score",
            "reasons",
            "contact",
        } <= set(entry)
        assert isinstance(entry["overdue_amount"], str) and "." in entry["overdue_amount"]
        assert set(entry["contact"]) >= {"allowed", "reason", "next_allowed_at"}
        assert entry["reasons"] and all(isinstance(r, str) for r in entry["reasons"])
    scores = [e["score"] for e in entries]
    assert scores == sorted(scores, reverse=True)


def test_queue_at_night_blocks_everyone_living_on_beijing_time(data_dir: Path) -> None:
    user = collector(data_dir)
    code, out, _ = run(
        data_dir, "queue", "--user", user, "--at", "2026-11-28T23:00:00+08:00", "--json"
    )
    entries = json.loads(out)
    assert code == 0 and entries
    quiet = [e for e in entries if e["contact"]["rule"] == "cn.quiet_hours"]
    assert len(quiet) > len(entries) // 2
    assert all(e["contact"]["next_allowed_at"] for e in quiet)
    # Whoever is still callable lives where it is daytime: the rules use the borrower's zones.
    for entry in (e for e in entries if e["contact"]["allowed"]):
        _, detail, _ = run(data_dir, "account", entry["contract_no"], "--user", user, "--json")
        zones = {z for p in json.loads(detail)["contact_points"] for z in p["time_zones"]}
        assert zones - {"Asia/Shanghai"}


def test_queue_text_output_in_chinese(data_dir: Path) -> None:
    code, out, _ = run(
        data_dir,
        "queue",
        "--user",
        collector(data_dir),
        "--at",
        AT,
        "--limit",
        "5",
        "--lang",
        "zh_CN",
    )
    assert code == 0 and "逾期" in out


def test_errors_are_one_line_on_stderr_with_nonzero_exit(data_dir: Path) -> None:
    code, out, err = run(data_dir, "queue", "--user", "nobody")
    assert code == 1 and out == ""
    assert (
        err.strip() == "error: There is no user “nobody”. `collector-workstation users` lists them."
    )
    code, _, err = run(data_dir, "queue", "--user", collector(data_dir), "--at", "yesterday")
    assert code == EXIT_USAGE and "not an ISO-8601 time" in err


@pytest.mark.parametrize(
    "command",
    [
        ("users", "--json"),
        ("users",),
        ("queue", "--json", "--at", AT),
        ("queue", "--at", AT),
        ("account", "CW202500000001"),
        ("escalations", "--json"),
    ],
    ids=" ".join,
)
def test_output_read_by_a_reader_that_stops_early_ends_the_command_quietly(
    data_dir: Path, command: tuple[str, ...]
) -> None:
    """`queue --json | head`: the reader closes the pipe before the command prints; the command
    ends with 128 + SIGPIPE and no traceback, whichever command it is."""
    user = collector(data_dir)
    args = [*command, "--user", user] if command[0] in ("queue", "account") else list(command)
    if command[0] == "account":
        # The user's own first account: one that prints.
        _, out, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--limit", "1", "--json")
        args[1] = json.loads(out)[0]["contract_no"]
    if command[0] == "escalations":
        args += ["--user", _lead(data_dir)]
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # `head` has read its lines and gone
    err = process.stderr.read().decode()
    assert process.wait(timeout=300) == EXIT_BROKEN_PIPE
    assert err == ""


def _lead(data_dir: Path) -> str:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return next(u["username"] for u in json.loads(out) if u["role"] == "team_lead")


def test_account_shows_a_callback_in_the_lenders_zone_like_every_other_time(
    data_dir: Path,
) -> None:
    from app.database import Database
    from app.models import Callback, Loan, User

    db = Database(f"sqlite:///{data_dir / 'central.sqlite3'}")
    try:
        with db.reader() as session:
            due_at, contract, user = session.execute(
                select(Callback.due_at, Loan.contract_no, User.username)
                .join(Loan, Loan.id == Callback.loan_id)
                .join(User, User.id == Loan.assigned_to_id)
                .order_by(Callback.due_at)
                .limit(1)
            ).one()
    finally:
        db.dispose()
    code, out, err = run(data_dir, "account", contract, "--user", user)
    assert code == 0, err
    shanghai = due_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert shanghai.hour != due_at.astimezone(UTC).hour
    lines = [line for line in out.splitlines() if " callback " in line]
    assert lines and all("UTC" not in line for line in lines)
    assert any(f"callback {shanghai:%Y-%m-%d %H:%M}" in line for line in lines), lines


def test_log_contact_and_payment_from_the_command_line(data_dir: Path) -> None:
    user = collector(data_dir)
    code, out, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    callable_entry = next(e for e in json.loads(out) if e["contact"]["allowed"])
    contract = callable_entry["contract_no"]
    code, out, err = run(data_dir, "account", contract, "--user", user, "--json")
    assert code == 0, err
    detail = json.loads(out)
    mobile = next(p for p in detail["contact_points"] if p["kind"] == "mobile")
    code, _, err = run(
        data_dir,
        "log-contact",
        "--user",
        user,
        "--contract",
        contract,
        "--outcome",
        "PTP",
        "--number",
        mobile["display"],
        "--duration",
        "95",
        "--emotion",
        "calm",
        "--checklist",
        "all.calm_polite",
        "all.no_threats",
        "all.recap",
        "--promise-amount",
        "-3",
        "--promise-date",
        "2026-11-30",
    )
    assert code == 1 and "more than zero" in err
    code, out, err = run(
        data_dir,
        "payment",
        "--user",
        user,
        "--contract",
        contract,
        "--amount",
        "10.50",
        "--channel",
        "wechat_pay",
    )
    # Payments are the lending system's: a collector's is what the borrower reports, counted
    # nowhere until the feed brings it; the administrator's is posted to the ledger.
    assert code == 0, err
    assert out.startswith("reported by the borrower: 10.50 on " + contract)
    code, out, err = run(data_dir, "account", contract, "--user", user, "--json")
    timeline = json.loads(out)["timeline"]
    states = [t["details"].get("state") for t in timeline if t["kind"] == "payment"]
    assert states.count("reported") == 1
    code, out, err = run(
        data_dir,
        "payment",
        "--user",
        "admin",
        "--contract",
        contract,
        "--amount",
        "10.50",
        "--channel",
        "wechat_pay",
    )
    assert code == 0, err
    assert "recorded 10.50" in out


def test_log_contact_names_the_checklist_items_still_to_confirm(data_dir: Path) -> None:
    user = collector(data_dir)
    code, out, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    contract = json.loads(out)[0]["contract_no"]
    base = ["log-contact", "--user", user, "--contract", contract, "--outcome", "RTP"]
    code, _, err = run(data_dir, *base)
    assert code == 1 and "record the emotion" in err
    code, _, err = run(data_dir, *base, "--emotion", "hostile", "--checklist", "all.calm_polite")
    # The checklist's items in one line; the other problems (no number, no script) after it.
    checklist = err.strip().splitlines()[0]
    assert code == 1 and checklist.startswith("error: The checklist for Hostile")
    assert "all.no_threats" in checklist and "hostile.warned_then_ended" in checklist
    assert "all.calm_polite" not in checklist
    code, out, _ = run(data_dir, "checklist", "--emotion", "hostile", "--outcome", "RTP")
    assert code == 0 and "hostile.warned_then_ended" in out and "deescalate.let_speak" in out


def test_log_contact_refuses_every_problem_at_once_one_line_each(data_dir: Path) -> None:
    """No round per problem: the emotion, the amount, the script and the date in one go."""
    user = collector(data_dir)
    code, out, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    contract = json.loads(out)[0]["contract_no"]
    code, out, err = run(data_dir, "account", contract, "--user", user, "--json")
    assert code == 0, err
    attempts = len(json.loads(out)["timeline"])
    mobile = next(p for p in json.loads(out)["contact_points"] if p["kind"] == "mobile")
    code, out, err = run(
        data_dir,
        *("log-contact", "--user", user, "--contract", contract, "--outcome", "PTP"),
        *("--number", mobile["display"], "--promise-amount", "abc"),
        *("--promise-date", "2020-01-01"),
    )
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert len(lines) == 4, err
    assert all(line.startswith("error: ") for line in lines)
    assert "record the emotion" in lines[0]
    assert lines[1] == "error: The promised amount “abc” is not a number."
    assert "PTP is a right-party outcome" in lines[2]
    assert lines[3] == "error: The promise date 2020-01-01 is in the past."
    code, out, _ = run(data_dir, "account", contract, "--user", user, "--json")
    assert len(json.loads(out)["timeline"]) == attempts


def _recent_daytime() -> datetime:
    """A moment in the last 24 hours when Beijing is awake (contacts are logged within a day)."""
    now = datetime.now(UTC)
    beijing = ZoneInfo("Asia/Shanghai")
    candidate = now - timedelta(hours=1)
    if 9 <= candidate.astimezone(beijing).hour < 20:
        return candidate
    local = now.astimezone(beijing).replace(hour=15, minute=0, second=0, microsecond=0)
    if local > now:
        local -= timedelta(days=1)
    return local.astimezone(UTC)


def test_an_escalation_from_log_contact_to_the_leads_decision(data_dir: Path) -> None:
    from app.database import Database
    from app.models import ContactPoint, Role, User
    from app.services.contact.queue import build_queue
    from app.services.contact.scripts import call_script, sample_path

    user = collector(data_dir)
    at = _recent_daytime()
    db = Database(f"sqlite:///{data_dir / 'central.sqlite3'}")
    entry = next(e for e in build_queue(db, user, at).entries if e.contact.allowed)
    with db.reader() as session:
        number = session.get_one(ContactPoint, entry.contact.contact_point_id).value
        me = session.scalars(select(User).where(User.username == user)).one()
        lead = session.scalars(
            select(User.username).where(User.team_id == me.team_id, User.role == Role.TEAM_LEAD)
        ).first()
    path = sample_path(call_script(db, user, entry.contract_no, "en", at), "DSP")
    db.dispose()
    assert lead is not None and path is not None
    assert lead is not None
    code, out, err = run(
        data_dir,
        "log-contact",
        "--user",
        user,
        "--contract",
        entry.contract_no,
        "--outcome",
        "DSP",
        "--number",
        number,
        "--at",
        at.isoformat(),
        "--emotion",
        "angry",
        "--checklist",
        "all.calm_polite",
        "all.no_threats",
        "deescalate.let_speak",
        "deescalate.no_mirroring",
        "deescalate.acknowledged",
        "--script",
        ",".join(path),
    )
    assert code == 0, err
    assert "escalated to the team lead (dispute)" in out
    code, out, err = run(data_dir, "escalations", "--user", lead, "--json")
    assert code == 0, err
    mine = [e for e in json.loads(out) if e["contract_no"] == entry.contract_no]
    assert [e["kind"] for e in mine] == ["dispute"] and mine[0]["raised_by"] == user
    code, _, err = run(data_dir, "decide", mine[0]["id"], "--user", user, "--decision", "pause")
    assert code == 1 and "team lead" in err
    code, out, err = run(
        data_dir,
        "decide",
        mine[0]["id"],
        "--user",
        lead,
        "--decision",
        "resume",
        "--note",
        "Fee refunded.",
    )
    assert code == 0, err
    assert "cleared dispute_open" in out
    code, out, err = run(data_dir, "note", entry.contract_no, "客户已确认退费。", "--user", user)
    assert code == 0, err
    code, out, _ = run(data_dir, "account", entry.contract_no, "--user", user, "--json")
    kinds = {item["kind"] for item in json.loads(out)["timeline"]}
    assert {"note", "escalation", "contact"} <= kinds


def test_first_start_builds_the_demo_portfolio(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "users", real=True)
    assert code == 0
    assert "First start" in err
    assert (tmp_path / "central.sqlite3").exists()
    assert "team_lead" in out


def test_db_repair_summary_puts_the_queue_summary_right_and_says_how_much(
    data_dir: Path,
) -> None:
    """What was changed behind the triggers' back (here: by hand) is worked out again from the
    history; the queue reads the same as before it was spoilt."""
    user = collector(data_dir)
    _, before, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    with sqlite3.connect(data_dir / "central.sqlite3") as connection:
        spoilt = connection.execute(
            "UPDATE loan_queue_summary SET open_callbacks = open_callbacks + 1, last_contact_at"
            " = NULL WHERE rowid IN (SELECT rowid FROM loan_queue_summary LIMIT 7)"
        ).rowcount
    assert spoilt == 7
    code, out, err = run(data_dir, "db", "repair-summary")
    assert (code, err) == (0, "")
    assert out.startswith("queue summary repaired: 7 accounts corrected")
    code, out, _ = run(data_dir, "db", "repair-summary")
    assert out.startswith("queue summary repaired: 0 accounts corrected")
    _, after, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    assert json.loads(after) == json.loads(before)


def test_without_a_display_the_window_command_says_what_to_do(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path), "--user", "zhang.wei"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == EXIT_NO_DISPLAY
    assert "no display" in result.stderr and "xvfb-run" in result.stderr


def test_bad_arguments_are_one_line_and_a_code_of_their_own(data_dir: Path) -> None:
    """Not argparse's usage text and exit 2 (2 is a plan saved for approval)."""
    for args in (
        (
            "agreement",
            "--user",
            "zhang.wei",
            "--contract",
            "X",
            "--kind",
            "full",
            "--first-due",
            "2026-02-30",
        ),
        ("no-such-command",),
        ("payment", "--user", "admin"),
        ("queue", "--user", "zhang.wei", "--at", "yesterday"),
    ):
        code, out, err = run(data_dir, *args)
        assert code == EXIT_USAGE, args
        assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
        assert "usage:" not in err and "--help" in err and out == ""


def test_check_contact_answers_a_visit_by_the_home_visit_hours_in_the_borrowers_time(
    data_dir: Path,
) -> None:
    user = collector(data_dir)
    code, out, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    assert code == 0
    beijing = []
    for entry in (e for e in json.loads(out) if e["contact"]["allowed"]):
        _, detail, _ = run(data_dir, "account", entry["contract_no"], "--user", user, "--json")
        zones = {z for p in json.loads(detail)["contact_points"] for z in p["time_zones"]}
        if zones == {"Asia/Shanghai"}:
            beijing.append(entry["contract_no"])
            break
    assert beijing
    contract = beijing[0]

    def visit(at: str) -> tuple[int, str]:
        code, out, err = run(
            data_dir, "check-contact", "--user", user, "--contract", contract,
            "--channel", "visit", "--at", at,
        )  # fmt: skip
        return code, out.strip() or err.strip()

    # 21:00 is inside the calling hours but after the home-visit hours (08:00–20:00): the CLI
    # gives the answer the visit planner gives, and says when it lifts in Beijing time.
    code, said = visit("2026-11-28T21:00:00+08:00")
    assert code == 3
    assert said.startswith("blocked by cn.visit.hours: ")
    assert said.endswith("allowed from 2026-11-29 08:00 Asia/Shanghai")
    assert visit("2026-11-28T19:30:00+08:00") == (0, "allowed")
    code, said = visit("2026-11-29T07:59:00+08:00")
    assert code == 3 and said.endswith("allowed from 2026-11-29 08:00 Asia/Shanghai")
