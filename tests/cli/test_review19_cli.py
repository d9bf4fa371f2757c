"""Review of issue 19 through the command line, as a user (or the lender's job) would type it,
on a real embedded database and the spool: bad delivery-report files, and instants that are
not now.

Each test is a finding: it fails on main as built.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

BEIJING = ZoneInfo("Asia/Shanghai")


def _ten(days: int = 0) -> str:
    """10:00 in Beijing on the real day (plus `days`)."""
    return f"{datetime.now(BEIJING).date() + timedelta(days=days)}T10:00:00+08:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo book as of yesterday 10:00 (Beijing), its reminders sent that day through the
    spool; each test works on a copy. Without the demo's own reminders history: its runs on a
    business day (not a weekend) go before 10:00 and would leave this run nothing to send, so
    the SMS these tests report on would be there only when yesterday was a Saturday or Sunday."""
    folder = tmp_path_factory.mktemp("review19-demo")
    env = _env(folder)
    arguments = ["--data-dir", str(folder)]
    built = ["demo-data", "--accounts", "300", "--seed", "7", "--as-of", _ten(-1), "--no-reminders"]
    for args in (built, ["reminders", "run", "--at", _ten(-1)]):
        done = subprocess.run(
            [sys.executable, "-m", "app", *arguments, *args],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def data(demo: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo, folder)
    shutil.rmtree(folder / "spool", ignore_errors=True)
    return folder


def _env(folder: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    return {**kept, "COLLECTOR_WORKSTATION_SPOOL_DIR": str(folder / "spool")}


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), *args],
        env=_env(folder), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0, done.stdout
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def _query(folder: Path, statement: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / "central.sqlite3") as connection:
        return list(connection.execute(statement, params))


def _sent_sms(folder: Path) -> list[tuple[str, str]]:
    return [
        (str(key), str(to))
        for key, to in _query(
            folder,
            "SELECT key, recipient FROM reminder_messages WHERE status = 'sent'"
            " AND channel = 'sms' ORDER BY key",
        )
    ]


def _reports(folder: Path, items: list[dict[str, object]]) -> Path:
    path = folder / "reports.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


# --- delivery reports -----------------------------------------------------------------------


def test_review19_a_report_that_says_delivered_false_is_not_recorded_as_delivered(
    data: Path,
) -> None:
    """`"delivered": "false"` (a provider or a script writing its booleans as text) is read
    with bool(): any non-empty string is True, and an undelivered SMS is recorded DELIVERED."""
    key, to = _sent_sms(data)[0]
    reported = _ten(-1).replace("T10:00", "T10:05")
    file = _reports(
        data,
        [{"provider_id": "p", "to": to, "delivered": "false", "reported_at": reported, "key": key}],
    )
    done = _cli(data, "reminders", "reports", "--file", str(file))
    if done.returncode == 0:
        assert _query(data, "SELECT status FROM reminder_messages WHERE key = ?", key) != [
            ("delivered",)
        ], "an undelivered SMS recorded as delivered"
    else:
        _one_error_line(done)


@pytest.mark.parametrize("field", [{"key": ["x"]}, {"error_code": 550, "delivered": False}])
def test_review19_a_report_file_with_a_value_of_the_wrong_kind_is_one_error_line(
    data: Path, field: dict[str, object]
) -> None:
    """A report file whose key or error code is not text ends in a Python traceback (exit 1),
    not in the one line (exit 65) a file that is not a list of reports gets."""
    key, to = _sent_sms(data)[1]
    item: dict[str, object] = {
        "provider_id": "p", "to": to, "delivered": True, "key": key,
        "reported_at": _ten(-1).replace("T10:00", "T10:05"),
    }  # fmt: skip
    done = _cli(data, "reminders", "reports", "--file", str(_reports(data, [item | field])))
    assert "Traceback" not in done.stderr, done.stderr[-400:]
    _one_error_line(done)
    assert _query(data, "SELECT status FROM reminder_messages WHERE key = ?", key) == [("sent",)]


@pytest.mark.parametrize("when", ["before it was sent", "years ahead"])
def test_review19_a_report_dated_before_the_send_or_in_the_future_is_refused(
    data: Path, when: str
) -> None:
    """A delivery report is recorded with whatever date the file gives: an SMS sent yesterday
    at 10:00 is on record as delivered in 2020 (before it was sent) or in 2099."""
    key, to = _sent_sms(data)[2]
    reported = (
        "2020-01-01T10:05:00+08:00" if when == "before it was sent" else "2099-01-01T10:05:00+08:00"
    )
    file = _reports(
        data,
        [{"provider_id": "p", "to": to, "delivered": True, "reported_at": reported, "key": key}],
    )
    done = _cli(data, "reminders", "reports", "--file", str(file))
    rows = _query(data, "SELECT status, reported_at FROM reminder_messages WHERE key = ?", key)
    assert rows[0][0] == "sent", f"recorded delivered at {rows[0][1]}, {when}: {done.stdout}"


# --- instants that are not now ----------------------------------------------------------------


def test_review19_a_run_at_a_future_instant_sends_nothing_now(data: Path) -> None:
    """`reminders run --at` takes any instant and sends for real: tomorrow's messages go out
    now (whatever the hour now is, the send window and quiet hours are checked against the
    instant given), and each is recorded as sent at that instant, not when it went.

    (Changed in the fix: a run through a provider is what sends for real, so the run here has
    a mail server configured, one nothing listens on: refused before anything is planned or
    sent, nothing is tried. The spool alone is a rehearsal that reaches nobody and may be run
    at any instant, as the README's examples, the demo and the tests do.)"""
    before = _query(data, "SELECT count(*) FROM reminder_messages")
    provider = {
        "COLLECTOR_WORKSTATION_SMTP_HOST": "127.0.0.1",
        "COLLECTOR_WORKSTATION_SMTP_PORT": "9",
        "COLLECTOR_WORKSTATION_SMTP_FROM": "notice@hengxin.example",
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data), "reminders", "run", "--at",
         _ten(1)],
        env={**_env(data), **provider}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    spooled = (
        sorted(p.name for p in (data / "spool").iterdir()) if (data / "spool").exists() else []
    )
    assert spooled == [], f"{len(spooled)} messages went now, recorded as sent tomorrow"
    assert "sends now" in _one_error_line(done)
    assert _query(data, "SELECT count(*) FROM reminder_messages") == before
    # What that run would send is there to see.
    assert _cli(data, "reminders", "run", "--dry-run", "--at", _ten(1)).returncode == 0


def _lead(folder: Path) -> str:
    ((name,),) = _query(folder, "SELECT username FROM users WHERE role = 'team_lead' LIMIT 1")
    return str(name)


def _long_overdue(folder: Path, days: int) -> list[str]:
    """Open contracts whose oldest unpaid instalment fell due more than `days` ago."""
    before = (datetime.now(BEIJING).date() - timedelta(days=days)).isoformat()
    return [
        str(contract)
        for (contract,) in _query(
            folder,
            "SELECT l.contract_no FROM loans l WHERE l.status = 'active' AND EXISTS (SELECT 1"
            " FROM instalments i WHERE i.loan_id = l.id AND i.settled_on IS NULL"
            " AND i.due_date < ?) ORDER BY l.contract_no",
            before,
        )
    ]


def _issue(
    folder: Path, kind: str, at: str, out: Path
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """The first long-overdue account a letter goes to (stops and paused accounts get none)."""
    lead = _lead(folder)
    for contract in _long_overdue(folder, 45):
        done = _cli(folder, "letters", "issue", "--kind", kind, "--contract", contract,
                    "--user", lead, "--at", at, "--out", str(out))  # fmt: skip
        if "No letter goes" not in done.stderr:
            return contract, done
    raise AssertionError("no account to write to")


def test_review19_a_credit_notice_letter_cannot_be_back_dated(data: Path) -> None:
    """On the server a lead's notice is dated now (rule notice-letter: "never back-dated").
    On the embedded database `letters issue --kind credit-notice --at <a month ago>` records
    the notice a month back, so `reminders notices` says reporting may already begin, and the
    letter the borrower gets today says so too."""
    month_ago = (datetime.now(BEIJING) - timedelta(days=30)).replace(microsecond=0).isoformat()
    contract, done = _issue(data, "credit-notice", month_ago, data / "notice.pdf")
    rows = _query(
        data,
        "SELECT n.notified_at, n.reporting_from FROM credit_notices n JOIN loans l"
        " ON l.id = n.loan_id WHERE l.contract_no = ? AND n.channel = 'letter'",
        contract,
    )
    assert rows == [], f"a notice recorded as given a month ago: {rows} ({done.stdout.strip()})"
    _one_error_line(done)


def test_review19_a_letter_dated_ahead_is_refused(data: Path) -> None:
    """`letters issue --at` a year ahead writes a demand letter dated then, with the penalty
    accrued to that day: the borrower is asked today for a year's penalty not yet owed."""
    ahead = (datetime.now(BEIJING) + timedelta(days=365)).replace(microsecond=0).isoformat()
    _contract, done = _issue(data, "demand", ahead, data / "demand.pdf")
    assert not (data / "demand.pdf").exists(), done.stdout
    _one_error_line(done)


def test_review19_an_english_credit_notice_keeps_its_closing_with_its_text(data: Path) -> None:
    """tests/services/documents/test_letter_pdf.py holds an ordinary letter to one page, with
    two payment channels and a short lender address; the shipped lender.json has three and a
    longer address, and the English credit-reporting notice of an ordinary account runs onto
    a second page that holds nothing but "Yours sincerely", the lender's name and the date."""
    now = datetime.now(BEIJING).replace(microsecond=0).isoformat()
    lead = _lead(data)
    out = data / "notice-en.pdf"
    for contract in _long_overdue(data, 45):
        done = _cli(
            data, "letters", "issue", "--kind", "credit-notice", "--lang", "en",
            "--contract", contract, "--user", lead, "--at", now, "--out", str(out),
        )  # fmt: skip
        if done.returncode == 0:
            break
    assert out.exists(), done.stderr
    pages = PdfReader(io.BytesIO(out.read_bytes())).pages
    assert len(pages) == 1, pages[-1].extract_text()


@pytest.mark.parametrize(
    "args",
    [
        ("reminders", "run", "--dry-run", "--at", "9999-12-31T23:00:00+08:00"),
        ("reminders", "run", "--dry-run", "--at", "0001-01-01T10:00:00+08:00"),
        ("reminders", "opt-out", "--contract", "X", "--channel", "sms", "--at",
         "9999-12-31T23:59:59-12:00"),
    ],
)  # fmt: skip
def test_review19_an_instant_at_the_end_of_the_calendar_is_one_error_line(
    data: Path, args: tuple[str, ...]
) -> None:
    """An instant the calendar can hold but not move by a day or a zone ends in a Python
    traceback (OverflowError: date value out of range), exit 1."""
    done = _cli(data, *args)
    assert "Traceback" not in done.stderr, done.stderr[-300:]
    _one_error_line(done)


# The spool with every send logged, each taking a moment (as an SMTP or HTTPS request does).
SLOW_SPOOL = """
import os, sys, time
from pathlib import Path
from app.services.messaging import spool
log = Path(os.environ["SEND_LOG"])
real = spool.SpoolSender.send
def send(self, message):
    time.sleep(0.3)
    result = real(self, message)
    with log.open("a") as f:
        f.write(message.key + "\\n")
    return result
spool.SpoolSender.send = send
from app.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_review19_two_runs_at_once_send_nobody_a_message_twice(data: Path) -> None:
    """The README's cron line runs `reminders run` every 30 minutes whether the last run has
    ended or not (and an operator may run it by hand meanwhile). A second run that reaches a
    message whose send the first has begun, and not yet finished, takes it for the leftover of
    a killed run: the spool (like QuerySendDetails a moment after SendSms) has no trace of it
    yet, so it sends it again.

    (Fixed with a run lock: the run that does not get it says so in one line, sends nothing,
    and ends with EX_TEMPFAIL, 75; the review asked both runs to end with 0.)"""
    log = data / "sent.log"
    env = {**_env(data), "SEND_LOG": str(log)}
    args = [sys.executable, "-c", SLOW_SPOOL, "--data-dir", str(data), "reminders", "run"]
    runs = [
        subprocess.Popen([*args, "--at", _ten(0)], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    codes = []
    for run in runs:
        out, err = run.communicate(timeout=600)
        codes.append(run.returncode)
        if run.returncode == 75:
            assert (out, err) == (
                "",
                "Another reminders run is under way: this one sends nothing.\n",
            )
        else:
            assert run.returncode == 0, err
    assert 0 in codes
    sent = log.read_text().split()
    assert sent, "nothing was due"
    twice = sorted({key for key in sent if sent.count(key) > 1})
    assert twice == [], f"{len(twice)} of {len(set(sent))} messages went twice"
