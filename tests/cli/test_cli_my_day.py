"""`collector-workstation my-day`: a collector's day from the command line, as text and JSON,
with the figures the lead's dashboard shows for them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.config import DATABASE_FILE
from app.database import Database
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.team.kpis import team_report
from tests.helpers.cli import run_cli
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import ADMIN, BEIJING, Account, Portfolio

DAY = date(2026, 11, 28)


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return datetime(2026, 11, 28 + days, hour, minute, tzinfo=BEIJING)


@dataclass
class Folder:
    path: Path
    db: Database
    first: Account
    second: Account


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Folder]:
    db = Database(f"sqlite:///{tmp_path / DATABASE_FILE}")
    db.upgrade()
    portfolio = Portfolio(db)
    first = portfolio.account(today=DAY, dpd=20, name="王芳", numbers={"mobile": "13812340001"})
    second = portfolio.account(today=DAY, dpd=20, name="李娜", numbers={"mobile": "13812340002"})
    record_contact(db, outcome(first, "NA", started_at=at(9)), now=NOW)
    record_contact(
        db,
        outcome(
            second,
            "PTP",
            started_at=at(9, 30),
            promise=PromiseInput("1234.50", DAY + timedelta(days=2)),
        ),
        now=NOW,
    )
    record_contact(
        db,
        outcome(first, "CB", started_at=at(10), callback_at=at(14, 45, days=1)),
        now=NOW,
    )
    # Due today: a promise made four days ago on the first account.
    portfolio.promise(first, "600.00", DAY, at(10, days=-4))
    # An attempt at 23:59 Beijing is the day's; one ten minutes later, the next day's.
    portfolio.attempt(second, at(23, 59), "BUSY")
    portfolio.attempt(second, at(0, 9, days=1), "NA")
    yield Folder(tmp_path, db, first, second)
    db.dispose()


def run(folder: Folder, *args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
    """`my-day ARGS…` in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    return run_cli(folder.path, "my-day", *args, real=real)


def test_my_day_as_text(folder: Folder) -> None:
    result = run(folder, "--user", "zhang.wei", "--date", "2026-11-28", real=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "zhang.wei (zhang.wei), 2026-11-28 (days in Asia/Shanghai)"
    text = result.stdout
    due = "Due on 2026-11-28 (on zhang.wei's own accounts)\n  callbacks: 0\n  promises: 1\n"
    assert due in text
    assert "Done on 2026-11-28 (by zhang.wei)\n  attempts: 4\n" in text
    assert f"    {folder.first.contract_no:<14} 王芳       ¥600.00\n" in text
    assert "  attempts: 4\n  contacts: 2\n  right-party contacts: 2\n" in text
    assert "  promises made: 1 (¥1,234.50)\n" in text
    assert "  outcomes: NA No answer 1, BUSY Busy 1, PTP Promise to pay 1, CB Callback" in text
    assert "  callbacks due the next day: 1\n" in text
    assert text.endswith(f"    14:45 {folder.first.contract_no:<14} 王芳\n")


def test_my_day_as_json_is_the_leads_row_for_the_collector(folder: Folder) -> None:
    result = run(folder, "--user", "zhang.wei", "--date", "2026-11-28", "--json")
    assert result.returncode == 0, result.stderr
    day = json.loads(result.stdout)
    assert (day["username"], day["day"], day["zone"]) == (
        "zhang.wei",
        "2026-11-28",
        "Asia/Shanghai",
    )
    end = day["end"]
    row = team_report(folder.db, "lead.wang", DAY, DAY).total
    assert (
        (end["attempts"], end["contacts"], end["rpcs"], end["ptps"])
        == (
            row.attempts,
            row.contacts,
            row.rpcs,
            row.ptps,
        )
        == (4, 2, 2, 1)
    )
    assert end["promised"] == {"CNY": "1234.50"}
    assert Decimal(end["promised"]["CNY"]) == row.promised_amount
    assert [(item["code"], item["count"]) for item in end["outcomes"]] == [
        ("NA", 1),
        ("BUSY", 1),
        ("PTP", 1),
        ("CB", 1),
    ]
    assert end["outcomes"][2]["text"] == {"en": "Promise to pay", "zh_CN": "承诺还款"}
    [tomorrow] = end["callbacks_tomorrow"]
    assert tomorrow["contract_no"] == folder.first.contract_no
    assert datetime.fromisoformat(tomorrow["due_at"]) == at(14, 45, days=1)
    assert tomorrow["key"] == folder.first.loan_id.hex
    [promise] = day["start"]["promises"]
    assert (promise["contract_no"], promise["amount"], promise["currency"]) == (
        folder.first.contract_no,
        "600.00",
        "CNY",
    )
    # The attempt ten minutes after midnight in Beijing is the next day's.
    next_day = json.loads(
        run(folder, "--user", "zhang.wei", "--date", "2026-11-29", "--json").stdout
    )
    assert [(item["code"], item["count"]) for item in next_day["end"]["outcomes"]] == [("NA", 1)]
    assert [item["contract_no"] for item in next_day["start"]["callbacks"]] == [
        folder.first.contract_no
    ]


def test_my_day_in_chinese_names_the_outcomes_and_headings_in_chinese(folder: Folder) -> None:
    result = run(folder, "--user", "zhang.wei", "--date", "2026-11-28", "--lang", "zh_CN")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "PTP 承诺还款 1" in text
    assert "2026-11-28 到期（zhang.wei本人名下的账户）\n  约定回电：0\n  承诺还款：1\n" in text
    assert "  拨打次数：4\n  接通次数：2\n  本人接通：2\n  达成承诺：1（¥1,234.50）\n" in text
    assert "  次日到期的约定回电：1\n" in text
    # No English heading is left: only names, codes, contract numbers and the zone are Latin.
    for heading in ("Due", "Done", "callbacks", "promises", "attempts", "contacts", "outcomes"):
        assert heading not in text


def test_a_leads_day_is_the_leads_own_and_an_administrator_has_none(folder: Folder) -> None:
    """Both halves of a lead's day are the lead's own: the team's promise due that day is the
    collector's, not the lead's (the team's day is the lead's dashboard)."""
    lead = json.loads(run(folder, "--user", "lead.wang", "--date", "2026-11-28", "--json").stdout)
    assert (lead["start"]["callbacks"], lead["start"]["promises"]) == ([], [])
    assert lead["end"]["attempts"] == 0 and lead["end"]["callbacks_tomorrow"] == []
    text = run(folder, "--user", "lead.wang", "--date", "2026-11-28").stdout
    assert "Due on 2026-11-28 (on lead.wang's own accounts)\n" in text
    admin = run(folder, "--user", ADMIN, "--date", "2026-11-28")
    assert (admin.returncode, admin.stdout) == (1, "")
    assert admin.stderr.splitlines() == [
        f"error: {ADMIN} works no accounts, so has no day of their own: the day is a collector's,"
        " a field agent's or a team lead's."
    ]


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"])
def test_a_day_at_the_ends_of_the_calendar_is_refused_in_one_line(folder: Folder, day: str) -> None:
    result = run(folder, "--user", "zhang.wei", "--date", day)
    assert (result.returncode, result.stdout) == (64, "")
    assert result.stderr.splitlines() == [
        f"error: argument --date: “{day}” is outside the days this program counts"
        " (1900-01-01 to 2999-12-31) (see collector-workstation my-day --help)"
    ]


def test_bad_input_is_one_line(folder: Folder) -> None:
    unknown = run(folder, "--user", "nobody", "--date", "2026-11-28")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.splitlines() == [
        "error: There is no user “nobody”. `collector-workstation users` lists them."
    ]
    bad_date = run(folder, "--user", "zhang.wei", "--date", "28/11/2026")
    assert bad_date.returncode == 64
    assert len(bad_date.stderr.splitlines()) == 1
    assert "is not a date (YYYY-MM-DD)" in bad_date.stderr
