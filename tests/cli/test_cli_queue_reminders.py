"""Reminders on the command line, as a collector reads them: `account` shows each message the
dispatcher sent as its channel and outcome in words, and `queue` the next day says a reminder
went and no payment came, in English and in Chinese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.cli import main
from app.database import Database
from app.models import ContactAttempt, Loan, User

AT = "2026-11-28T10:00:00+08:00"
NEXT_DAY = "2026-11-29T10:00:00+08:00"


def _run(folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    env["COLLECTOR_WORKSTATION_SPOOL_DIR"] = str(folder / "spool")
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_account_and_queue_show_reminders_in_words(tmp_path: Path) -> None:
    demo = ["--data-dir", str(tmp_path), "demo-data", "--accounts", "300", "--seed", "7"]
    assert main([*demo, "--as-of", AT]) == 0
    _run(tmp_path, "reminders", "run", "--at", AT)
    db = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        with db.reader() as session:
            # An SMS reminder on an overdue account a collector works.
            contract, user = session.execute(
                select(Loan.contract_no, User.username)
                .join(ContactAttempt, ContactAttempt.loan_id == Loan.id)
                .join(User, User.id == Loan.assigned_to_id)
                .where(ContactAttempt.disposition == "SENT", ContactAttempt.channel == "sms")
                .order_by(Loan.contract_no)
                .limit(1)
            ).one()
    finally:
        db.dispose()

    english = _run(tmp_path, "account", contract, "--user", user)
    assert "contact  SMS · Reminder sent" in english
    chinese = _run(tmp_path, "account", contract, "--user", user, "--lang", "zh_CN")
    assert "contact  短信 · 提醒已发送" in chinese
    assert " SENT" not in english + chinese

    args = ["queue", "--user", user, "--at", NEXT_DAY]
    line = next(line for line in _run(tmp_path, *args).splitlines() if contract in line)
    assert "reminder sent yesterday, no payment" in line
    line = next(
        line for line in _run(tmp_path, *args, "--lang", "zh_CN").splitlines() if contract in line
    )
    assert "昨日已发提醒，仍未还款" in line
