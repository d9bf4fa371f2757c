"""Reminders on the command line, as a collector reads them on the demo (whose last days the
reminders job ran through the dispatcher): `queue` says a reminder went yesterday and no
payment came, and `account` shows each message the dispatcher sent as its channel and
outcome in words, in English and in Chinese. The commands run in this process
(tests/helpers/cli.py), on a copy of the session's demo of 300 accounts (tests/conftest.py)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from app.database import Database
from app.models import Role, User
from tests.helpers.cli import run_cli

AT = "2026-11-28T10:00:00+08:00"


def _run(folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    env["COLLECTOR_WORKSTATION_SPOOL_DIR"] = str(folder / "spool")
    result = run_cli(folder, *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_account_and_queue_show_reminders_in_words(demo_300_copy: Path) -> None:
    # The demo's own reminders: the job's runs of the last days went through the dispatcher.
    folder = demo_300_copy
    db = Database(f"sqlite:///{folder / 'central.sqlite3'}")
    try:
        with db.reader() as session:
            collectors = session.scalars(
                select(User.username).where(User.role == Role.COLLECTOR).order_by(User.username)
            ).all()
    finally:
        db.dispose()
    # Yesterday's reminder that no payment or contact followed, as the collector's queue
    # says it today.
    found = [
        (user, line)
        for user in collectors
        for line in _run(folder, "queue", "--user", user, "--at", AT).splitlines()
        if "reminder sent yesterday, no payment" in line
    ]
    assert found
    user, line = found[0]
    contract = next(word for word in line.split() if word.startswith("CW"))
    chinese = _run(folder, "queue", "--user", user, "--at", AT, "--lang", "zh_CN")
    assert "昨日已发提醒，仍未还款" in next(row for row in chinese.splitlines() if contract in row)

    # The account's history names each of its reminders by channel and outcome, in words.
    english = _run(folder, "account", contract, "--user", user)
    chinese = _run(folder, "account", contract, "--user", user, "--lang", "zh_CN")
    yesterday = f"{date.fromisoformat(AT[:10]) - timedelta(days=1)}"
    reminders = [
        line for line in english.splitlines() if yesterday in line and "· Reminder" in line
    ]
    assert reminders, english
    # One went (sent or delivered): what the queue counts.
    went = ("SMS · Reminder delivered", "SMS · Reminder sent", "E-mail · Reminder sent")
    assert any(words in line for line in reminders for words in went), reminders
    assert "提醒已" in chinese
    for code in ("SENT", "DELIVERED", "FAILED", "OPTED-OUT"):
        assert f" {code}" not in english + chinese
