"""`reminders run` end to end on a real embedded database and the spool: a run killed with
SIGKILL and run again sends each message once, and thirty days of runs are replayed against
the rules from the spooled files and the database alone.

The run that is killed is a process of its own; every other command runs in this process
(tests/helpers/cli.py), each test on a copy of one demo portfolio built for the session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.cli import main
from app.cli.common import plain
from app.database import Database
from app.models import (
    Borrower,
    ContactAttempt,
    ContactPoint,
    CreditNotice,
    Loan,
    ReminderMessage,
    Role,
    Team,
    User,
)
from app.services.common.reference import address_zones
from app.services.contact.compliance import load_profile, profile_code_for
from app.services.reminders.overview import as_json, reminders_overview
from app.services.reminders.strategy import load_strategy
from tests.helpers.cli import run_cli
from tests.helpers.reminders_demo import DAY as OVERVIEW_DAY
from tests.helpers.reminders_demo import NOW as OVERVIEW_NOW
from tests.helpers.reminders_demo import RemindersDemo
from tests.helpers.spool_log import killed_after, sends_logged, sent_once

AT = "2026-11-28T10:00:00+08:00"
# The first morning after the demo's moment (AT): the job's runs go on from its history.
NEXT_MORNING = datetime.fromisoformat("2026-11-29T10:00:00+08:00")
# A borrower's opt-out from SMS, recorded after the demo's moment.
OPTED_AT = datetime.fromisoformat("2026-11-28T12:00:00+08:00")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo(demo_300_copy: Path) -> Path:
    """The test's own copy of the demo of 300 accounts as of AT (tests/conftest.py)."""
    return demo_300_copy


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    env["COLLECTOR_WORKSTATION_SPOOL_DIR"] = str(folder / "spool")
    return env


def _db(folder: Path) -> Database:
    return Database(f"sqlite:///{folder / 'central.sqlite3'}")


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(folder, *args, env=_env(folder))


def test_a_run_killed_mid_way_and_run_again_sends_every_message_exactly_once(
    demo: Path,
) -> None:
    log = demo / "sent.log"
    # The next morning's run: the demo's own history ends at its moment.
    args = ["reminders", "run", "--at", NEXT_MORNING.isoformat()]
    this_run = ReminderMessage.planned_at == NEXT_MORNING
    killed_after(5, log, ["--data-dir", str(demo), *args], _env(demo))
    killed = log.read_text().split()
    assert len(killed) == 5
    db = _db(demo)
    try:
        with db.reader() as session:
            rows = session.execute(
                select(ReminderMessage.key, ReminderMessage.status).where(this_run)
            ).all()
        # Every message was planned (and committed) before the first went; the fifth went
        # and its answer was never recorded.
        assert len(rows) > 5
        planned = {key for key, status in rows if status.value == "planned"}
        assert killed[-1] in planned
        with sends_logged(log):
            again = _cli(demo, *args)
        assert again.returncode == 0, again.stderr
        assert "found sent earlier 1" in again.stdout
        assert "(no provider configured)" in again.stdout
        sent = sent_once(log)
        with db.reader() as session:
            rows = session.execute(
                select(
                    ReminderMessage.key, ReminderMessage.status, ReminderMessage.attempt_id
                ).where(this_run)
            ).all()
            attempts = session.scalars(
                select(ContactAttempt.disposition).where(
                    ContactAttempt.disposition == "SENT",
                    ContactAttempt.started_at == NEXT_MORNING,
                )
            ).all()
        assert {status.value for _, status, _ in rows} == {"sent"}
        assert sorted(sent) == sorted(key for key, _, _ in rows)
        assert len(attempts) == len(rows) == len({a for _, _, a in rows})
        spooled = sorted(p.name for p in (demo / "spool").iterdir())
        assert len(spooled) == len(rows)
        # A third run finds everything done.
        with sends_logged(log):
            third = _cli(demo, *args)
        assert third.returncode == 0 and "planned 0" in third.stdout
        assert log.read_text().split() == sent
    finally:
        db.dispose()


def _window(moment: datetime, zones: list[str], start: time, end: time) -> bool:
    return all(start <= moment.astimezone(ZoneInfo(z)).time() < end for z in zones)


def test_thirty_days_of_runs_replayed_against_every_rule(demo: Path) -> None:
    os.environ["COLLECTOR_WORKSTATION_SPOOL_DIR"] = str(demo / "spool")
    db = _db(demo)
    try:
        # Stops set before the month: a cease request, and an opt-out from SMS.
        with db.session() as session:
            loans = session.scalars(select(Loan).order_by(Loan.contract_no)).all()
            ceased = loans[3].borrower_id
            session.get(Borrower, ceased).cease_requested = True  # type: ignore[union-attr]
            opted_contract = loans[5].contract_no
            opted = loans[5].borrower_id
        assert (
            main(
                [
                    "--data-dir",
                    str(demo),
                    "reminders",
                    "opt-out",
                    "--contract",
                    opted_contract,
                    "--channel",
                    "sms",
                    "--at",
                    OPTED_AT.isoformat(),
                ]
            )
            == 0
        )
        # The month from the day after the demo's: its reminders' history (days of runs up
        # to its moment) comes first, and every rule holds across both.
        start = datetime.fromisoformat("2026-11-29T00:00:00+08:00")
        for day in range(30):
            for hour in ("07:30", "10:00", "15:00", "21:30"):
                h, m = map(int, hour.split(":"))
                at = start + timedelta(days=day, hours=h, minutes=m)
                code = main(["--data-dir", str(demo), "reminders", "run", "--at", at.isoformat()])
                assert code == 0
        with db.reader() as session:
            rows = session.scalars(select(ReminderMessage)).all()
            points = {p.id: p for p in session.scalars(select(ContactPoint))}
            borrowers = {b.id: b for b in session.scalars(select(Borrower))}
            messages = [
                (
                    r.key,
                    r.borrower_id,
                    r.contact_point_id,
                    r.channel.value,
                    r.sent_at,
                    r.text,
                    r.status.value,
                    r.recipient,
                    r.planned_at,
                )
                for r in rows
            ]
            zones_of = {
                b.id: list(address_zones(b.country, b.province)) for b in borrowers.values()
            }
            countries = {b.id: b.country for b in borrowers.values()}
            point_rows = {
                p.id: (
                    p.borrower_id,
                    p.kind.value,
                    p.value,
                    p.time_zones.split(),
                    p.do_not_call,
                    p.wrong_number,
                )
                for p in points.values()
            }
    finally:
        db.dispose()
        os.environ.pop("COLLECTOR_WORKSTATION_SPOOL_DIR", None)
    ran = [m for m in messages if m[-1] >= start]
    history = [m for m in messages if m[-1] < start]
    assert len(ran) > 100
    # The demo's history: sent before it was built (its spool is gone with the build).
    assert history and all(m[-1] <= datetime.fromisoformat(AT) for m in history)
    spool = demo / "spool"
    files = {p.stem.replace("_", ":", 0): p for p in spool.iterdir()}
    assert len(files) == len(ran), "a file per message, none twice"
    keys = [m[0] for m in messages]
    assert len(keys) == len(set(keys))
    per_week: dict[tuple[object, str], list[datetime]] = defaultdict(list)
    for key, borrower_id, point_id, channel, sent_at, text, status, recipient, at in messages:
        if at >= start:
            assert status == "sent"
        else:
            # What the demo's delivery reports made of its own.
            assert status in ("sent", "delivered", "failed", "opted_out")
        assert sent_at is not None
        owner, kind, value, point_zones, do_not_call, wrong = point_rows[point_id]
        # Only the borrower's own mobile or e-mail, never a third party or a marked number.
        assert owner == borrower_id
        assert kind == ("mobile" if channel == "sms" else "email")
        assert value == recipient and not do_not_call and not wrong
        # The cease request and the opt-out hold from when they were recorded.
        assert not (borrower_id == ceased and at >= start)
        assert not (borrower_id == opted and channel == "sms" and at >= OPTED_AT)
        profile = profile_code_for(countries[borrower_id])
        strategy = load_strategy(profile)
        zones = point_zones + [z for z in zones_of[borrower_id] if z not in point_zones]
        zones = zones or [load_profile(profile).default_zone]
        assert _window(sent_at, zones, strategy.window_from, strategy.window_until), key
        quiet = next(r for r in load_profile(profile).rules if r.kind == "quiet_hours")
        assert _window(
            sent_at,
            zones,
            time.fromisoformat(quiet.params["allowed_from"]),
            time.fromisoformat(quiet.params["allowed_until"]),
        )
        if status in ("sent", "delivered"):  # what the weekly maximum counts
            per_week[(borrower_id, channel)].append(sent_at)
        if at < start:
            continue
        # What was spooled is what the database says was sent.
        found = spool / (key.replace(":", "_") + (".json" if channel == "sms" else ".eml"))
        assert found.exists()
        if channel == "sms":
            assert json.loads(found.read_text(encoding="utf-8"))["text"] == text
            assert json.loads(found.read_text(encoding="utf-8"))["phone_numbers"] == recipient
    for (borrower_id, channel), moments in per_week.items():
        limit = load_strategy(profile_code_for(countries[borrower_id])).weekly_max[channel]
        moments.sort()
        for i, first in enumerate(moments):
            inside = [m for m in moments[i:] if m - first < timedelta(days=7)]
            assert len(inside) <= limit, (borrower_id, channel, moments)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["reminders", "run", "--at", "2026-11-28T10:00:00"], 64, "has no time zone"),
        (["reminders", "run", "--limit", "0"], 64, "positive whole number"),
        (["reminders", "run", "--limit", "-3"], 64, "positive whole number"),
        (["reminders", "opt-out", "--contract", "NOPE", "--channel", "sms"], 1, "no account NOPE"),
        (
            ["reminders", "run", "--dry-run", "--at", "9999-12-31T23:00:00+08:00"],
            64,
            "outside the days this program counts (1900-01-01 to 2999-12-31)",
        ),
    ],
)
def test_bad_input_is_one_error_line(demo: Path, args: list[str], code: int, says: str) -> None:
    result = _cli(demo, *args)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], result.stderr


def test_a_report_file_that_cannot_be_all_its_messages_is_refused_whole(
    reminders_demo: RemindersDemo, tmp_path: Path
) -> None:
    """A file someone wrote: one report in it dated before its message went (or ahead of now,
    or with a value of the wrong kind) refuses the file in one line naming it, and nothing of
    the file is recorded; put right, it is recorded whole."""
    folder = tmp_path / "data"
    shutil.copytree(reminders_demo.folder, folder)
    done = set(reminders_demo.delivered) | {reminders_demo.undelivered, reminders_demo.refused}
    db = _db(folder)
    try:
        with db.reader() as session:
            waiting = session.execute(
                select(ReminderMessage.key, ReminderMessage.recipient, ReminderMessage.sent_at)
                .where(ReminderMessage.status == "sent", ReminderMessage.key.not_in(done))
                .order_by(ReminderMessage.key)
            ).all()[:2]
    finally:
        db.dispose()
    (first, to, _), (second, other, went) = waiting
    assert went is not None
    reports = folder / "reports.json"

    def attempt(second_at: str, **wrong: object) -> subprocess.CompletedProcess[str]:
        items = [
            {"provider_id": "-", "to": to, "delivered": True, "key": first,
             "reported_at": "2026-11-28T11:00:00+08:00"},
            {"provider_id": "-", "to": other, "delivered": False, "key": second,
             "reported_at": second_at, "error_code": "MK:0001"} | wrong,
        ]  # fmt: skip
        reports.write_text(json.dumps(items), encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-m", "app", "--data-dir", str(folder), "reminders", "reports",
             "--file", str(reports)],
            capture_output=True, text=True, env=_env(folder), timeout=300, check=False,
        )  # fmt: skip

    def statuses() -> list[str]:
        db = _db(folder)
        try:
            with db.reader() as session:
                return [
                    session.scalars(
                        select(ReminderMessage.status).where(ReminderMessage.key == key)
                    ).one()
                    for key in (first, second)
                ]
        finally:
            db.dispose()

    for second_at, wrong, says in (
        (
            "2020-01-01T10:05:00+08:00",
            {},
            f"The delivery report for {second} is dated 2020-01-01 10:05, before its message"
            f" was sent ({went.astimezone(SHANGHAI):%Y-%m-%d %H:%M}).",
        ),
        (
            "2099-01-01T10:05:00+08:00",
            {},
            f"The delivery report for {second} is dated 2099-01-01 10:05, ahead of now.",
        ),
        (
            "2026-11-28T11:00:00+08:00",
            {"delivered": "false"},
            "Delivery report 2: “delivered” must be true or false.",
        ),
        (
            "2026-11-28T11:00:00+08:00",
            {"error_code": 550},
            "Delivery report 2: “error_code” must be text.",
        ),
    ):
        refused = attempt(second_at, **wrong)
        assert (refused.returncode, refused.stdout) == (65, ""), refused.stderr
        assert refused.stderr == f"error: {reports}: {says}\n"
        assert statuses() == ["sent", "sent"]
    recorded = attempt("2026-11-28T11:05:00+08:00")
    assert recorded.returncode == 0, recorded.stderr
    assert "delivered 1, failed 1, opted out 0, not matched 0" in recorded.stdout
    assert statuses() == ["delivered", "failed"]


# -- reminders overview ----------------------------------------------------------------------


def _overview(demo: RemindersDemo, *args: str) -> subprocess.CompletedProcess[str]:
    return _cli(demo.folder, "reminders", "overview", *args)


def test_overview_prints_the_services_figures(reminders_demo: RemindersDemo) -> None:
    demo = reminders_demo
    at = OVERVIEW_NOW.isoformat()
    shown = _overview(demo, "--user", demo.lead, "--day", "2026-11-28", "--at", at, "--json")
    assert shown.returncode == 0, shown.stderr
    db = demo.database()
    try:
        expected = reminders_overview(db, demo.lead, OVERVIEW_DAY, now=OVERVIEW_NOW)
    finally:
        db.dispose()
    assert json.loads(shown.stdout) == json.loads(json.dumps(plain(as_json(expected))))
    text = _overview(demo, "--user", demo.lead, "--day", "2026-11-28", "--at", at)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert f"team {expected.team}" in lines[0]
    counts = expected.counts
    assert f"  {counts.went_out} went out:" in lines[1]
    assert f"delivered {counts.delivered}, failed 2," in lines[1]
    assert "Failures: 2" in lines
    assert any("The mailbox does not exist or refuses mail (550)" in line for line in lines)
    assert any(
        line.startswith(f"Tomorrow, 2026-11-29: {expected.preview.total} would go")
        for line in lines
    )


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--user", "{collector}"], 1, "Only a team lead or an administrator"),
        (
            ["--user", "{lead}", "--day", "2026-11-29", "--at", "2026-11-28T18:00:00+08:00"],
            1,
            "has not come yet",
        ),
        (["--user", "{lead}", "--day", "28/11/2026"], 64, "is not a date"),
        (["--user", "{lead}", "--at", "2026-11-28T18:00:00"], 64, "has no time zone"),
    ],
)
def test_overview_bad_input_is_one_error_line(
    reminders_demo: RemindersDemo, args: list[str], code: int, says: str
) -> None:
    named = [a.format(lead=reminders_demo.lead, collector=reminders_demo.collector) for a in args]
    result = _overview(reminders_demo, *named)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], result.stderr


def test_a_lead_reads_the_teams_credit_notices_and_a_collector_none(demo: Path) -> None:
    """What a lead signed in to the server sees (row security gives them their team's), the
    embedded database gives `--user LEAD` too; a collector is refused on both."""
    assert _cli(demo, "reminders", "run", "--at", AT).returncode == 0
    # A notice is given once a report says its message reached the borrower: the notice SMS
    # are reported delivered (and recorded now).
    db = _db(demo)
    try:
        with db.reader() as session:
            sent = session.execute(
                select(ReminderMessage.key, ReminderMessage.recipient).where(
                    ReminderMessage.kind == "credit_notice", ReminderMessage.channel == "sms"
                )
            ).all()
    finally:
        db.dispose()
    reported = (datetime.fromisoformat(AT) + timedelta(minutes=5)).isoformat()
    reports = demo / "reports.json"
    reports.write_text(
        json.dumps(
            [
                {"provider_id": "-", "to": to, "delivered": True, "reported_at": reported}
                | {"key": key}
                for key, to in sent
            ]
        ),
        encoding="utf-8",
    )
    assert _cli(demo, "reminders", "reports", "--file", str(reports)).returncode == 0
    db = _db(demo)
    try:
        # Another team, working every other account the run sent a notice on.
        with db.session() as session:
            other = Team(name="电催二组")
            session.add(other)
            session.flush()
            newcomer = User(
                username="li.na", display_name="李娜", role=Role.COLLECTOR, team_id=other.id
            )
            session.add(newcomer)
            session.flush()
            notified = session.scalars(
                select(Loan).join(CreditNotice, CreditNotice.loan_id == Loan.id).distinct()
            ).all()
            for loan in sorted(notified, key=lambda loan: loan.contract_no)[::2]:
                loan.assigned_to_id = newcomer.id
                loan.team_id = other.id
        with db.reader() as session:
            lead = session.scalars(
                select(User).where(User.role == Role.TEAM_LEAD).order_by(User.username)
            ).first()
            collector = session.scalars(select(User).where(User.role == Role.COLLECTOR)).first()
            assert lead is not None and collector is not None
            team = set(session.scalars(select(User.id).where(User.team_id == lead.team_id)))
            owners = {
                contract: owner
                for contract, owner in session.execute(
                    select(Loan.contract_no, Loan.assigned_to_id)
                )
            }
    finally:
        db.dispose()
    everyone = _cli(demo, "reminders", "notices", "--json")
    mine = _cli(demo, "reminders", "notices", "--json", "--user", lead.username)
    assert everyone.returncode == 0 and mine.returncode == 0, everyone.stderr + mine.stderr
    every = {row["contract_no"] for row in json.loads(everyone.stdout)}
    seen = {row["contract_no"] for row in json.loads(mine.stdout)}
    assert seen and seen < every
    assert seen == {contract for contract in every if owners[contract] in team}
    refused = _cli(demo, "reminders", "notices", "--user", collector.username)
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 1 and len(lines) == 1 and lines[0].startswith("error:"), lines
