"""Reminders on the command line, as a collector reads them: `account` shows each message the
dispatcher sent as its channel and outcome in words, and `queue` the next day says a reminder
went and no payment came, in English and in Chinese. The commands run in this process
(tests/helpers/cli.py), on a copy of the session's demo of 300 accounts (tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from app.database import Database
from app.models import ContactAttempt, Loan, User
from tests.helpers.cli import run_cli

AT = "2026-11-28T10:00:00+08:00"
NEXT_DAY = "2026-11-29T10:00:00+08:00"


def _run(folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    env["COLLECTOR_WORKSTATION_SPOOL_DIR"] = str(folder / "spool")
    result = run_cli(folder, *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_account_and_queue_show_reminders_in_words(demo_300_copy: Path) -> None:
    folder = demo_300_copy
    _run(folder, "reminders", "run", "--at", AT)
    db = Database(f"sqlite:///{folder / 'central.sqlite3'}")
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

    english = _run(folder, "account", contract, "--user", user)
    assert "contact  SMS · Reminder sent" in english
    chinese = _run(folder, "account", contract, "--user", user, "--lang", "zh_CN")
    assert "contact  短信 · 提醒已发送" in chinese
    assert " SENT" not in english + chinese

    args = ["queue", "--user", user, "--at", NEXT_DAY]
    line = next(line for line in _run(folder, *args).splitlines() if contract in line)
    assert "reminder sent yesterday, no payment" in line
    line = next(
        line for line in _run(folder, *args, "--lang", "zh_CN").splitlines() if contract in line
    )
    assert "昨日已发提醒，仍未还款" in line
