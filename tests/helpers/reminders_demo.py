"""A demo book whose reminders went out on two days through the real dispatcher and the
spool (`reminders run`), then delivery reports (delivered, undelivered, a mail server's
refusal) and a borrower's opt-out, each through the command line: what the Reminders view,
`reminders overview` and the dashboard's reminder figures are tried on. The demo is built
without the reminders job's own history (`demo-data --no-reminders`): these two days are the
job's first, so that every figure is the one these commands made.

A credit-reporting notice is given only when a report says its message reached the borrower:
half an hour after the first run, a report says three of its notice SMS were delivered (the
clock reading that moment, as the reports job's would), and those notices wait for reporting;
the others still wait for a report."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from app.cli import main
from app.database import Database
from app.models import Loan, MessageStatus, ReminderMessage, Role, User
from app.services.messaging.spool import SPOOL_ENV
from tests.helpers.clock import clock_at

AS_OF = "2026-11-28T10:00:00+08:00"
FIRST_RUN = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
# When some of the first run's notice SMS are reported delivered, and how many.
NOTICES_REPORTED = datetime.fromisoformat("2026-11-27T10:30:00+08:00")
NOTICES = 3
SECOND_RUN = datetime.fromisoformat("2026-11-28T10:00:00+08:00")
REPORTED = "2026-11-28T11:00:00+08:00"
OPTED_AT = "2026-11-28T15:00:00+08:00"
# When the lead looks: the evening of the second day.
NOW = datetime.fromisoformat("2026-11-28T18:00:00+08:00")
DAY = date(2026, 11, 28)
FIRST_DAY = date(2026, 11, 27)


@dataclass(frozen=True)
class RemindersDemo:
    folder: Path
    lead: str
    collector: str
    delivered: tuple[str, ...]  # keys reported delivered
    undelivered: str  # an SMS the carrier could not deliver (no code)
    refused: str  # an e-mail the mail server refused (550)
    opted_contract: str  # its borrower opted out of SMS on the day

    @property
    def url(self) -> str:
        return f"sqlite:///{self.folder / 'central.sqlite3'}"

    def database(self) -> Database:
        return Database(self.url)


def _cli(folder: Path, *args: str) -> None:
    assert main(["--data-dir", str(folder), *args]) == 0, args


def build_demo(folder: Path, *, reminders: bool = True) -> Path:
    """The demo of 300 accounts (seed 7) as of 2026-11-28 10:00 (Beijing), in `folder`: with
    the reminders job's own history of its last days, or (`reminders` false) without it."""
    extra = () if reminders else ("--no-reminders",)
    _cli(folder, "demo-data", "--accounts", "300", "--seed", "7", "--as-of", AS_OF, *extra)
    return folder


def copy_demo(demo: Path, folder: Path) -> Path:
    """A copy of the demo folder `demo` (built, never opened since) in `folder`."""
    shutil.copytree(demo, folder, dirs_exist_ok=True)
    return folder


def _report_notices(folder: Path) -> None:
    """The first run's notice SMS reported delivered, at NOTICES_REPORTED."""
    db = Database(f"sqlite:///{folder / 'central.sqlite3'}")
    try:
        with db.reader() as session:
            rows = session.execute(
                select(ReminderMessage.key, ReminderMessage.recipient)
                .where(
                    ReminderMessage.planned_at == FIRST_RUN,
                    ReminderMessage.kind == "credit_notice",
                    ReminderMessage.channel == "sms",
                    ReminderMessage.status == MessageStatus.SENT,
                )
                .order_by(ReminderMessage.key)
                .limit(NOTICES)
            ).all()
    finally:
        db.dispose()
    assert len(rows) == NOTICES, "the first run sent too few credit-reporting notices"
    reports = [
        {"provider_id": "-", "to": to, "delivered": True, "key": key}
        | {"reported_at": NOTICES_REPORTED.isoformat()}
        for key, to in rows
    ]
    report_file = folder / "notice-reports.json"
    report_file.write_text(json.dumps(reports), encoding="utf-8")
    with clock_at(NOTICES_REPORTED):
        _cli(folder, "reminders", "reports", "--file", str(report_file))


def build_reminders_demo(folder: Path, demo: Path) -> RemindersDemo:
    """A copy of the demo of 300 accounts (seed 7) as of 2026-11-28 10:00 without the reminders
    job's history (`demo`, a `build_demo(..., reminders=False)` folder) in `folder`, runs on
    the 27th and the 28th at 10:00 (the first run's notice SMS reported delivered between
    them), reports at 11:00 and an opt-out at 15:00 on the 28th (Beijing)."""
    had = os.environ.get(SPOOL_ENV)
    os.environ[SPOOL_ENV] = str(folder / "spool")
    try:
        copy_demo(demo, folder)
        _cli(folder, "reminders", "run", "--at", FIRST_RUN.isoformat())
        _report_notices(folder)
        _cli(folder, "reminders", "run", "--at", SECOND_RUN.isoformat())
        db = Database(f"sqlite:///{folder / 'central.sqlite3'}")
        try:
            with db.reader() as session:
                rows = session.execute(
                    select(ReminderMessage.key, ReminderMessage.channel, ReminderMessage.recipient)
                    .where(
                        ReminderMessage.planned_at == SECOND_RUN,
                        ReminderMessage.status == MessageStatus.SENT,
                    )
                    .order_by(ReminderMessage.key)
                ).all()
                lead = session.scalars(
                    select(User.username).where(User.role == Role.TEAM_LEAD).order_by(User.username)
                ).first()
                collector = session.scalars(
                    select(User.username).where(User.role == Role.COLLECTOR).order_by(User.username)
                ).first()
                contracts = session.scalars(select(Loan.contract_no).order_by(Loan.contract_no))
                opted = list(contracts)[7]
        finally:
            db.dispose()
        sms = [row for row in rows if row.channel.value == "sms"]
        email = [row for row in rows if row.channel.value == "email"]
        delivered, undelivered, refused = sms[:4], sms[4], email[0]
        reports = [
            {"provider_id": "-", "to": r.recipient, "delivered": True, "reported_at": REPORTED}
            | {"key": r.key}
            for r in delivered
        ]
        reports.append(
            {
                "provider_id": "-",
                "to": undelivered.recipient,
                "delivered": False,
                "reported_at": REPORTED,
                "key": undelivered.key,
            }
        )
        reports.append(
            {
                "provider_id": "-",
                "to": refused.recipient,
                "delivered": False,
                "reported_at": REPORTED,
                "key": refused.key,
                "error_code": "550",
            }
        )
        report_file = folder / "reports.json"
        report_file.write_text(json.dumps(reports), encoding="utf-8")
        with clock_at(datetime.fromisoformat(REPORTED)):
            _cli(folder, "reminders", "reports", "--file", str(report_file))
        _cli(
            folder,
            "reminders",
            "opt-out",
            "--contract",
            opted,
            "--channel",
            "sms",
            "--at",
            OPTED_AT,
        )
    finally:
        if had is None:
            os.environ.pop(SPOOL_ENV, None)
        else:
            os.environ[SPOOL_ENV] = had
    assert lead is not None and collector is not None
    return RemindersDemo(
        folder=folder,
        lead=lead,
        collector=collector,
        delivered=tuple(r.key for r in delivered),
        undelivered=undelivered.key,
        refused=refused.key,
        opted_contract=opted,
    )
