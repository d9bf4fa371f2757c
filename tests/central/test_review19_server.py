"""Review of issue 19 on the real central server: what the reminders job and the staff logins
can do that the rules (docs/security.md, README "Reminders") say they cannot, and what the
job itself fails to do through its own login.

Each test is a finding: it fails on main as built.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import psycopg

from app.config import DATABASE_URL_ENV
from app.services.common.clock import business_zone, local_today
from app.services.messaging.spool import SPOOL_ENV
from tests.central.conftest import PASSWORD, World
from tests.central.test_attacks import _message, _outcome, _points, _reminded, refused
from tests.helpers.clock import CLOCK_ENV, CLOCKED
from tests.helpers.portfolio import Account
from tests.helpers.postgres import tcp_url, tls_environment
from tests.helpers.spool_log import RUNNER

NUMBERS = {"mobile": "13812345678", "email": "fang.wang@example.cn"}


def _cli(world: World, folder: Path, *args: str, login: str) -> subprocess.CompletedProcess[str]:
    url = tcp_url(world.db.url, world.logins[login], PASSWORD)
    environment = {
        **tls_environment(),
        DATABASE_URL_ENV: url,
        SPOOL_ENV: str(folder / "spool"),
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), *args],
        capture_output=True, text=True, timeout=300, env=environment, check=False,
    )  # fmt: skip


def _yesterday_at_ten() -> tuple[datetime, str]:
    day = local_today(datetime.now(UTC)) - timedelta(days=1)
    at = datetime.combine(day, time(10), tzinfo=business_zone())
    return at, at.isoformat()


def _sent_sms(world: World, folder: Path) -> tuple[Account, str, datetime]:
    """An account 3 days past due yesterday, reminded by SMS and e-mail by the job's own run
    (through the spool): the account, its SMS's key, the run's moment."""
    world.system()
    at, text = _yesterday_at_ten()
    account = world.portfolio.account(
        today=at.date(), dpd=3, assigned_to=world.user_id("collector_a"), numbers=NUMBERS
    )
    done = _cli(world, folder, "reminders", "run", "--at", text, login="system")
    assert done.returncode == 0, done.stderr
    ((key,),) = world.admin(
        "SELECT key FROM reminder_messages WHERE loan_id = %s AND channel = 'sms'"
        " AND status = 'sent'",
        (account.loan_id,),
    )
    return account, str(key), at


def test_review19_a_delivery_report_that_the_borrower_opted_out_is_recorded_on_the_server(
    world: World, tmp_path: Path
) -> None:
    """README: "a receipt MOBILE_IN_BLACK (the recipient unsubscribed …) records an opt-out,
    and no more SMS go to that borrower". On the central server the job's own login cannot
    record it: the message may not move sent → opted_out, the contact not SENT → OPTED-OUT,
    and the opt-out's source "delivery report" is not one the policy admits; the whole batch of
    reports (the delivered one beside it too) is lost, and every later `reminders reports`
    fails the same way."""
    account, key, at = _sent_sms(world, tmp_path)
    other = world.portfolio.account(
        today=at.date(), dpd=3, assigned_to=world.user_id("collector_a"), numbers=NUMBERS
    )
    again = _cli(world, tmp_path, "reminders", "run", "--at", at.isoformat(), login="system")
    assert again.returncode == 0, again.stderr
    ((other_key,),) = world.admin(
        "SELECT key FROM reminder_messages WHERE loan_id = %s AND channel = 'sms'",
        (other.loan_id,),
    )
    reports = tmp_path / "reports.json"
    reported_at = (at + timedelta(minutes=5)).isoformat()
    reports.write_text(
        json.dumps(
            [
                {"provider_id": "p1", "to": NUMBERS["mobile"], "delivered": False,
                 "opted_out": True, "error_code": "MOBILE_IN_BLACK",
                 "reported_at": reported_at, "key": key},
                {"provider_id": "p2", "to": NUMBERS["mobile"], "delivered": True,
                 "reported_at": reported_at, "key": other_key},
            ]
        ),
        encoding="utf-8",
    )  # fmt: skip
    applied = _cli(world, tmp_path, "reminders", "reports", "--file", str(reports), login="system")
    assert applied.returncode == 0, applied.stderr
    assert "delivered 1, failed 0, opted out 1, not matched 0" in applied.stdout
    assert world.admin(
        "SELECT channel FROM reminder_opt_outs WHERE borrower_id = %s", (account.borrower_id,)
    ) == [("sms",)]
    assert world.admin(
        "SELECT m.status, a.disposition FROM reminder_messages m JOIN contact_attempts a"
        " ON a.id = m.attempt_id WHERE m.key = %s",
        (key,),
    ) == [("opted_out", "OPTED-OUT")]


# --- the reminders job's own login, as psql ------------------------------------------------


def _notice_sql() -> str:
    return (
        "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
        " message_id, recorded_by_id, created_at) SELECT gen_random_uuid(), loan_id, channel,"
        " sent_at, (sent_at AT TIME ZONE 'UTC')::date + 1, id, cw_me(), now()"
        " FROM reminder_messages WHERE id = %s"
    )


def test_review19_the_system_login_cannot_back_date_a_credit_notice(world: World) -> None:
    """Rule reminder-records: "a notice it records is the credit-reporting message it sent
    … dated when it went". The notice must carry its message's sent_at, but the login sets
    that sent_at itself, to any moment (the trigger only keeps it from changing once set): a
    notice message marked sent sixty days ago makes a notice sixty days old, and reporting
    may begin at once (the strategy's 15 days, the law's notice, skipped)."""
    world.system()
    mine = _reminded(world)
    email, address = _points(world, mine)["email"]
    notice = uuid.uuid4()
    with world.cursor("system") as cursor:
        cursor.execute(
            *_message(mine, email, address, id=notice, channel="email", kind="credit_notice")
        )
        try:
            cursor.execute(
                "UPDATE reminder_messages SET status = 'sent',"
                " sent_at = now() - interval '60 days' WHERE id = %s",
                (notice,),
            )
            cursor.execute(_notice_sql(), (notice,))
        except psycopg.errors.InsufficientPrivilege:
            pass
    assert (
        world.admin("SELECT reporting_from FROM credit_notices WHERE loan_id = %s", (mine.loan_id,))
        == []
    ), "a notice two months old, reporting allowed at once"


def test_review19_the_system_login_records_one_outcome_per_message(world: World) -> None:
    """Rule system-write: a contact "as the outcome of a message it planned, once". The
    trigger only asks that a planned message without an attempt exists; until the message is
    linked to one, the login may insert any number of SENT / DELIVERED contacts for it (fake
    reminders in the account's timeline, the queue's "2 reminders since …", the dashboard)."""
    world.system()
    mine = _reminded(world)
    mobile, number = _points(world, mine)["mobile"]
    with world.cursor("system") as cursor:
        cursor.execute(*_message(mine, mobile, number))
        cursor.execute(*_outcome(mine, mobile))
        for code in ("SENT", "DELIVERED"):
            refused(cursor, *_outcome(mine, mobile, code=code))
    assert world.admin(
        "SELECT count(*) FROM contact_attempts WHERE loan_id = %s", (mine.loan_id,)
    ) == [(1,)]


_LEAD_NOTICE = (
    "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
    " document_id, recorded_by_id, created_at) VALUES (gen_random_uuid(), %s, 'letter', now(),"
    " %s, %s, cw_me(), now())"
)


def test_review19_a_leads_notice_is_for_a_letter_on_record(world: World) -> None:
    """Rule notice-letter: a lead inserts a notice "for a letter (a document, never a
    message)". The server asks only that document_id is not null: a lead with psql records a
    notice for a letter that was never issued (no `letter.issued` event, no file, nothing
    sent), and `reminders notices` then says the borrower was told and reporting may begin.
    (tests/central/test_attacks.py accepts such a row today, with a random document id.)"""
    mine = world.accounts["collector_a"]
    later = datetime.now(UTC).date() + timedelta(days=15)
    with world.cursor("lead_a") as cursor:
        refused(cursor, _LEAD_NOTICE, (mine.loan_id, later, uuid.uuid4()))


def test_review19_a_notice_gives_the_borrower_the_strategys_days_before_reporting(
    world: World,
) -> None:
    """The CN strategy says reporting may begin 15 days after the notice
    (credit_reporting.reporting_after_days, README "Reminders"); the server accepts any
    reporting day after the notice's own (rules reminder-records and notice-letter): the
    job's login records the notice it sent today with reporting from the day after tomorrow,
    and the Reminders view and `reminders notices` then show the account reportable in two
    days. (A lead's letter notice is held to no more.)"""
    world.system()
    mine = _reminded(world)
    email, address = _points(world, mine)["email"]
    notice = uuid.uuid4()
    with world.cursor("system") as cursor:
        cursor.execute(
            *_message(mine, email, address, id=notice, channel="email", kind="credit_notice")
        )
        cursor.execute(
            "UPDATE reminder_messages SET status = 'sent', sent_at = now() WHERE id = %s",
            (notice,),
        )
        refused(
            cursor,
            _notice_sql().replace("::date + 1", "::date + 2"),
            (notice,),
        )


def test_review19_a_back_dated_notice_letter_is_refused_in_words(
    world: World, tmp_path: Path
) -> None:
    """`letters issue --kind credit-notice --at <a month ago>` by a lead on the server is
    refused, nothing written, but in the server's own words: "new row violates row-level
    security policy for table credit_notices", which says nothing a lead can act on."""
    mine = world.accounts["collector_a"]
    month_ago = (datetime.now(UTC) - timedelta(days=30)).replace(microsecond=0).isoformat()
    out = tmp_path / "notice.pdf"
    done = _cli(
        world, tmp_path, "letters", "issue", "--kind", "credit-notice", "--contract",
        mine.contract_no, "--at", month_ago, "--out", str(out), login="lead_a",
    )  # fmt: skip
    assert done.returncode != 0 and not out.exists()
    assert "row-level security" not in done.stderr, done.stderr


def test_review19_a_run_killed_mid_way_is_resumed_by_the_next_timer_run_on_the_server(
    world: World, tmp_path: Path
) -> None:
    """README: "A run is safe to kill and repeat". The server test kills a run and repeats it
    at the same --at; the lender's timer repeats it 30 minutes later. The message whose send
    began is found sent (the spool has it) and recorded with the new run's instant as its
    sent_at, which the server refuses ("A message is sent once": its sent_at was set when the
    send began): the run stops there, and so does every later one."""
    world.system()
    at, text = _yesterday_at_ten()
    for _ in range(2):
        world.portfolio.account(
            today=at.date(), dpd=3, assigned_to=world.user_id("collector_a"), numbers=NUMBERS
        )
    log = tmp_path / "sent.log"
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--data-dir", str(tmp_path), "reminders", "run",
         "--at", text],
        env={
            **tls_environment(),
            DATABASE_URL_ENV: tcp_url(world.db.url, world.logins["system"], PASSWORD),
            SPOOL_ENV: str(tmp_path / "spool"),
            "SEND_LOG": str(log),
            "BLOCK_AFTER": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = clock.monotonic() + 120
    while not Path(f"{log}.blocked").exists():
        assert process.poll() is None, process.communicate()
        assert clock.monotonic() < deadline
        clock.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    later = (at + timedelta(minutes=30)).isoformat()
    again = _cli(world, tmp_path, "reminders", "run", "--at", later, login="system")
    assert again.returncode == 0, again.stderr
    assert "found sent earlier 1" in again.stdout
    assert world.admin("SELECT count(*) FROM reminder_messages WHERE status = 'planned'") == [(0,)]


def test_review19_a_try_again_later_answer_leaves_the_message_planned_on_the_server(
    world: World, tmp_path: Path
) -> None:
    """README: "A message the provider refused with 'try again later' (a rate limit …, a
    timeout) stays planned and goes on the next run." The dispatcher commits sent_at when a
    send begins and clears it when the answer is RETRY; the server refuses the clearing ("A
    message is sent once"), so on the central server one unreachable mail server (or one
    isv.BUSINESS_LIMIT_CONTROL) stops the run with an error at its first e-mail."""
    world.system()
    at, text = _yesterday_at_ten()
    world.portfolio.account(
        today=at.date(), dpd=3, assigned_to=world.user_id("collector_a"), numbers=NUMBERS
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    environment = {
        **tls_environment(),
        DATABASE_URL_ENV: tcp_url(world.db.url, world.logins["system"], PASSWORD),
        SPOOL_ENV: str(tmp_path / "spool"),
        "COLLECTOR_WORKSTATION_SMTP_HOST": "127.0.0.1",
        "COLLECTOR_WORKSTATION_SMTP_PORT": str(port),
        "COLLECTOR_WORKSTATION_SMTP_FROM": "notice@hengxin.example",
        "COLLECTOR_WORKSTATION_SMTP_TIMEOUT": "3",
    }
    # A run through a mail server sends now: the command's clock reads the run's instant.
    done = subprocess.run(
        [sys.executable, "-c", CLOCKED, "--data-dir", str(tmp_path), "reminders", "run",
         "--at", text],
        capture_output=True, text=True, timeout=300, env={**environment, CLOCK_ENV: text},
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "retry later 1" in done.stdout, done.stdout
    assert world.admin(
        "SELECT status, sent_at IS NULL FROM reminder_messages WHERE channel = 'email'"
    ) == [("planned", True)]
