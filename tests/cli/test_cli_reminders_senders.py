"""`reminders run` and `reminders reports` end to end through the real senders, as a lender's
job runs them: the CLI configured by its environment (README, "Reminders: e-mail and SMS"),
e-mail to a real SMTP server on this machine (aiosmtpd, STARTTLS with a throwaway CA, a
password), SMS to a stand-in of Alibaba Cloud SMS that checks every signature; then what the
database, the mail server and the stand-in hold, read back. And a run killed with SIGKILL while
a provider holds its answer, run again: nothing is sent twice, nothing is lost.

The commands run in this process with the environment of their own (tests/helpers/cli.py) and
no keychain, as the job's PYTHON_KEYRING_BACKEND says; the run that is killed is a process of
its own, and so is each wrongly configured run, whose one line is what the job's log gets."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.database import Database
from app.models import (
    AuditEvent,
    Channel,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    Loan,
    ReminderMessage,
    ReminderOptOut,
    User,
)
from app.services.common.reference import lender
from tests.helpers.aliyun_api import KEY_ID, SECRET, AliyunSmsApi, error_body, serve
from tests.helpers.cli import run_cli
from tests.helpers.clock import CLOCK_ENV, CLOCKED, clock_at
from tests.helpers.keychain import no_keychain
from tests.helpers.smtp_server import PASSWORD, USER, Certificates, certificates, smtp_server

ROOT = Path(__file__).resolve().parents[2]
BEIJING = ZoneInfo("Asia/Shanghai")
FROM = "notice@hengxin.example"


def _instant(days: int = 0) -> str:
    """10:00 in Beijing today (plus `days`): the SMS the stand-in takes are filed under the real
    day, which is the day `reminders reports` asks for."""
    return f"{datetime.now(BEIJING).date() + timedelta(days=days)}T10:00:00+08:00"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return certificates(tmp_path_factory.mktemp("reminders-smtp-tls"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio as of today, 10:00 in Beijing, built once; each test copies it.
    Without the reminders job's history: these runs are the job's first, with every account
    past its notice day due the credit-reporting notice (the senders' failures are tried on
    those, due again the next day)."""
    folder = tmp_path_factory.mktemp("reminders-demo")
    code = main(
        ["--data-dir", str(folder), "demo-data", "--accounts", "300", "--seed", "7",
         "--as-of", _instant(), "--no-reminders"]
    )  # fmt: skip
    assert code == 0
    return folder


@pytest.fixture
def data(demo: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(demo, folder)
    return folder


def _environment(folder: Path, **settings: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTOR_WORKSTATION_")}
    return {
        **kept,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "COLLECTOR_WORKSTATION_SPOOL_DIR": str(folder / "spool"),
        **settings,
    }


def _configured(smtp_port: int, certs: Certificates, endpoint: str) -> dict[str, str]:
    """Both channels, as the README's example configures them; the secrets in the job's
    environment."""
    return {
        "COLLECTOR_WORKSTATION_SMTP_HOST": "127.0.0.1",
        "COLLECTOR_WORKSTATION_SMTP_PORT": str(smtp_port),
        "COLLECTOR_WORKSTATION_SMTP_USER": USER,
        "COLLECTOR_WORKSTATION_SMTP_PASSWORD": PASSWORD,
        "COLLECTOR_WORKSTATION_SMTP_FROM": FROM,
        "COLLECTOR_WORKSTATION_SMTP_CA_FILE": str(certs.ca.certificate),
        "COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_ID": KEY_ID,
        "COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_SECRET": SECRET,
        "COLLECTOR_WORKSTATION_ALIYUN_SMS_ENDPOINT": endpoint,
    }


def _args(folder: Path, *args: str) -> list[str]:
    """The command in a process of its own, its clock reading $TEST_CLOCK: a run through a
    provider sends now, so this computer's clock reads the run's instant (10:00 in Beijing,
    inside every send window whenever the test runs)."""
    return [sys.executable, "-c", CLOCKED, "--data-dir", str(folder), *args]


def _clocked(env: dict[str, str], args: tuple[str, ...]) -> dict[str, str]:
    """`env` with the clock at the command's --at (else at the real time)."""
    at = args[args.index("--at") + 1] if "--at" in args else datetime.now(BEIJING).isoformat()
    return {**env, CLOCK_ENV: at}


def _cli(
    folder: Path, env: dict[str, str], *args: str, real: bool = False
) -> subprocess.CompletedProcess[str]:
    """The command with `env` as its whole environment and the clock at its --at: in this
    process, with no keychain (the job's PYTHON_KEYRING_BACKEND), or (`real`) in a process of
    its own."""
    clocked = _clocked(env, args)
    if real:
        return subprocess.run(
            _args(folder, *args),
            cwd=ROOT,
            env=clocked,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    with no_keychain(), clock_at(datetime.fromisoformat(clocked[CLOCK_ENV])):
        return run_cli(folder, *args, env=env, timeout=600)


def _ok(folder: Path, env: dict[str, str], *args: str) -> str:
    done = _cli(folder, env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _db(folder: Path) -> Database:
    return Database(f"sqlite:///{folder / 'central.sqlite3'}")


def _rows(folder: Path) -> dict[str, dict[str, Any]]:
    """Every reminder message by key, with its contract and its attempt's disposition."""
    db = _db(folder)
    try:
        with db.reader() as session:
            found = session.execute(
                select(ReminderMessage, Loan.contract_no, ContactAttempt.disposition)
                .join(Loan, Loan.id == ReminderMessage.loan_id)
                .outerjoin(ContactAttempt, ContactAttempt.id == ReminderMessage.attempt_id)
            ).all()
            return {
                row.key: {
                    "contract": contract,
                    "channel": row.channel.value,
                    "status": row.status.value,
                    "recipient": row.recipient,
                    "subject": row.subject,
                    "text": row.text,
                    "template_code": row.template_code,
                    "error": row.error,
                    "provider_id": row.provider_id,
                    "began": row.sent_at,
                    "planned": row.planned_at,
                    "disposition": disposition,
                    "borrower_id": row.borrower_id,
                }
                for row, contract, disposition in found
            }
    finally:
        db.dispose()


def _plan(folder: Path, env: dict[str, str], at: str) -> list[dict[str, Any]]:
    """What a run at `at` would send (a dry run)."""
    out = _ok(folder, env, "reminders", "run", "--at", at, "--dry-run", "--json")
    messages: list[dict[str, Any]] = json.loads(out)["messages"]
    return messages


def _email_of(folder: Path, contract: str) -> str:
    """The address the dispatcher writes to for a contract: the borrower's first usable one."""
    db = _db(folder)
    try:
        with db.reader() as session:
            borrower = session.scalar(select(Loan.borrower_id).where(Loan.contract_no == contract))
            points = session.scalars(
                select(ContactPoint)
                .where(ContactPoint.borrower_id == borrower, ContactPoint.kind == ContactKind.EMAIL)
                .order_by(ContactPoint.position)
            ).all()
            return next(p.value for p in points if not p.do_not_call and not p.wrong_number)
    finally:
        db.dispose()


def _key_of(message_id: str) -> str:
    """The dispatcher's key a Message-ID carries (its left part, percent-escaped)."""
    left, _, domain = message_id.strip().strip("<>").rpartition("@")
    assert domain == FROM.split("@")[1]
    return unquote(left)


def _provider_number(e164: str) -> str:
    return e164[3:] if e164.startswith("+86") else e164[1:]


def _sends(api: AliyunSmsApi) -> Counter[str]:
    return Counter(c.params["OutId"] for c in api.calls if c.action == "SendSms")


def test_a_run_goes_through_the_mail_server_and_alibaba_cloud_and_reports_settle_it(
    data: Path, certs: Certificates, httpserver: Any
) -> None:
    api = AliyunSmsApi()
    endpoint = serve(httpserver, api)
    at, later = _instant(), ""
    with smtp_server(certs) as (controller, handler):
        env = _environment(data, **_configured(controller.port, certs, endpoint))
        plan = _plan(data, env, at)
        sms = [m for m in plan if m["channel"] == "sms"]
        emails = [m for m in plan if m["channel"] == "email"]
        # Who gets which answer. The rate-limited SMS and the one to a number the provider
        # refuses are credit notices: due again the next day, so a retry would show there.
        notices = [m["key"] for m in sms if m["step"] == "credit_notice"]
        limited, illegal = notices[0], notices[1]
        api.answers_for[limited] = [
            (200, error_body("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"))
        ]
        api.answers_for[illegal] = [(200, error_body("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"))]
        # The borrower who will refuse our SMS: due an SMS today and an SMS and an e-mail of
        # one step on a later day.
        today_sms = {m["contract_no"]: m["key"] for m in sms if m["key"] not in (limited, illegal)}
        for days in range(1, 8):
            both = Counter(
                (m["contract_no"], m["step"])
                for m in _plan(data, env, _instant(days))
                if m["step"] != "credit_notice"
            )
            chosen = [c for (c, _), n in sorted(both.items()) if n == 2 and c in today_sms]
            if chosen:
                later, blocked_contract = _instant(days), chosen[0]
                break
        assert later, "no borrower due an SMS today and SMS and e-mail on a later day"
        blocked = today_sms[blocked_contract]
        delivered, failed = [k for c, k in sorted(today_sms.items()) if c != blocked_contract][:2]
        refused_email = next(m for m in emails if m["contract_no"] != blocked_contract)
        refused_to = _email_of(data, refused_email["contract_no"])
        handler.rcpt_answers[refused_to] = (
            f"550 5.1.1 <{refused_to}>: Recipient address rejected: User unknown"
        )

        out = _ok(data, env, "reminders", "run", "--at", at)
        rows = _rows(data)
        to_refused = [k for k, r in rows.items() if r["recipient"] == refused_to]
        assert out.splitlines()[:4] == [
            "sms: Alibaba Cloud SMS",
            "email: SMTP server",
            f"{datetime.fromisoformat(at).astimezone(ZoneInfo('UTC')).isoformat()}:"
            f" planned {len(plan)}",
            f"sent {len(plan) - 2 - len(to_refused)}, failed {1 + len(to_refused)}, opted out 0,"
            " retry later 1, cancelled 0, found sent earlier 0, provider to be asked again 0,"
            " uncertain 0",
        ]
        assert not (data / "spool").exists(), "nothing is spooled when both are configured"
        assert set(rows) == {m["key"] for m in plan}
        assert (rows[limited]["status"], rows[limited]["began"]) == ("planned", None)
        assert rows[limited]["error"].startswith("isv.BUSINESS_LIMIT_CONTROL")
        assert rows[illegal]["status"] == "failed"
        assert rows[illegal]["error"] == "isv.MOBILE_NUMBER_ILLEGAL 非法手机号"
        assert rows[illegal]["disposition"] == "FAILED"
        for key in to_refused:
            assert rows[key]["status"] == "failed" and rows[key]["error"].startswith("550 5.1.1")

        # The e-mails, as the mail server received them.
        who = lender()
        taken = {_key_of(str(r.email["Message-ID"])): r for r in handler.received}
        sent_emails = {k for k, r in rows.items() if r["channel"] == "email"} - set(to_refused)
        assert set(taken) == sent_emails and len(handler.received) == len(sent_emails)
        for key in sent_emails:
            row, received = rows[key], taken[key]
            mail = received.email
            assert received.tls and received.login == USER
            assert received.rcpt_tos == (row["recipient"],)
            assert mail["To"].addresses[0].addr_spec == row["recipient"]
            assert mail["From"].addresses[0].addr_spec == FROM
            assert mail["Subject"] == row["subject"]
            # On the wire a line ends in CRLF.
            body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
            assert body.strip() == row["text"].strip()
        sample = rows[sorted(sent_emails)[0]]
        mail = taken[sorted(sent_emails)[0]].email
        body = mail.get_body(("plain",)).get_content()
        assert mail["From"].addresses[0].display_name == who.name["zh_CN"]
        assert re.search(r"[\u4e00-\u9fff]", str(mail["Subject"])), "a Chinese subject"
        assert "=?utf-8?" in mail.as_string().split("\n\n", 1)[0].lower()  # encoded on the wire
        assert who.payment_link.format(contract_no=sample["contract"]) in body
        assert who.email_opt_out is not None and who.email_opt_out["zh_CN"] in body
        assert re.search(r"\d[\d,]*\.\d\d", body), "the amount"

        # The SMS, as the stand-in received them: once each, the registered template, the
        # signature, the values the database's text was made of, the key as OutId.
        sends = _sends(api)
        sms_keys = {k for k, r in rows.items() if r["channel"] == "sms"}
        assert set(sends) == sms_keys and set(sends.values()) == {1}
        for call in (c for c in api.calls if c.action == "SendSms"):
            row = rows[call.params["OutId"]]
            assert call.params["TemplateCode"] == row["template_code"]
            assert row["text"].startswith(f"【{call.params['SignName']}】")
            assert call.params["PhoneNumbers"] == _provider_number(row["recipient"])
            values = json.loads(call.params["TemplateParam"])
            assert values and all(str(v) in row["text"] for v in values.values()), row["text"]
        assert all(rows[k]["status"] == "sent" and rows[k]["disposition"] == "SENT"
                   for k in sms_keys - {limited, illegal})  # fmt: skip

        # The carriers' receipts come in; `reminders reports` asks for them.
        api.settle(delivered, delivered=True, code="DELIVERED")
        api.settle(failed, delivered=False, code="MOBILE_NOT_ON_SERVICE")
        api.settle(blocked, delivered=False, code="MOBILE_IN_BLACK")
        out = _ok(data, env, "reminders", "reports")
        assert out.splitlines() == ["delivered 1, failed 1, opted out 1, not matched 0"]
        rows = _rows(data)
        three = (delivered, failed, blocked)
        settled = [(rows[k]["status"], rows[k]["disposition"]) for k in three]
        assert settled == [
            ("delivered", "DELIVERED"), ("failed", "FAILED"), ("opted_out", "OPTED-OUT")
        ]  # fmt: skip
        assert rows[failed]["error"] == "MOBILE_NOT_ON_SERVICE"
        for key, shown in (
            (delivered, "SMS · Reminder delivered"),
            (failed, "SMS · Reminder not delivered"),
            (blocked, "SMS · Reminder refused: opted out"),
        ):
            timeline = _ok(data, env, "account", rows[key]["contract"], "--user", "admin")
            assert shown in timeline, timeline
        db = _db(data)
        try:
            with db.reader() as session:
                opted = session.execute(
                    select(ReminderOptOut.channel, ReminderOptOut.source).where(
                        ReminderOptOut.borrower_id == rows[blocked]["borrower_id"]
                    )
                ).all()
        finally:
            db.dispose()
        assert opted == [(Channel.SMS, "delivery report")]

        # The next run: the rate-limited SMS goes (asked for first: it never went), the
        # refused number and the refused address are not tried again, the borrower who
        # refused our SMS gets the e-mail only.
        before = len(handler.received)
        out = _ok(data, env, "reminders", "run", "--at", later)
        assert "not sent, stop:opted_out:" in out
        rows = _rows(data)
        assert rows[limited]["status"] == "sent"
        sends = _sends(api)
        assert sends[limited] == 2 and sends[illegal] == 1  # the first answer was "not now"
        assert set(sends.values()) <= {1, 2} and [k for k, n in sends.items() if n == 2] == [
            limited
        ]
        moment = datetime.fromisoformat(later)
        now_planned = [r for r in rows.values()
                       if r["contract"] == blocked_contract and r["planned"] == moment]  # fmt: skip
        assert [(r["channel"], r["status"]) for r in now_planned] == [("email", "sent")]
        again = [_key_of(str(r.email["Message-ID"])) for r in handler.received[before:]]
        assert not set(again) & set(to_refused) and len(again) == len(set(again))
    assert not (data / "spool").exists()


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (
            {"COLLECTOR_WORKSTATION_SMTP_FROM": ""},
            "COLLECTOR_WORKSTATION_SMTP_HOST is set but COLLECTOR_WORKSTATION_SMTP_FROM is not",
        ),
        ({"COLLECTOR_WORKSTATION_SMTP_PASSWORD": ""}, "No password for the mail server"),
        (
            {"COLLECTOR_WORKSTATION_ALIYUN_ACCESS_KEY_SECRET": ""},
            "No AccessKey secret for Alibaba Cloud SMS",
        ),
        (
            {"COLLECTOR_WORKSTATION_ALIYUN_SMS_ENDPOINT": "http://sms.example.cn"},
            "must be an https address",
        ),
        ({"COLLECTOR_WORKSTATION_SMTP_SECURITY": "ssl"}, "must be starttls or tls"),
    ],
)
def test_a_wrongly_configured_channel_is_one_error_line_and_nothing_is_planned_or_sent(
    data: Path, certs: Certificates, httpserver: Any, settings: dict[str, str], says: str
) -> None:
    api = AliyunSmsApi()
    endpoint = serve(httpserver, api)
    with smtp_server(certs) as (controller, handler):
        configured = {**_configured(controller.port, certs, endpoint), **settings}
        env = _environment(data, **{k: v for k, v in configured.items() if v})
        done = _cli(data, env, "reminders", "run", "--at", _instant(), real=True)
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ") and says in line, line
    assert _rows(data) == {}
    assert handler.received == [] and handler.connections == 0 and api.calls == []
    assert not (data / "spool").exists()
    assert SECRET not in done.stderr and PASSWORD not in done.stderr


def _killed_while_held(folder: Path, env: dict[str, str], held: Any, *args: str) -> None:
    """Start `reminders run`, wait for the provider to hold an answer, SIGKILL the run."""
    process = subprocess.Popen(
        _args(folder, "reminders", "run", *args),
        cwd=ROOT,
        env=_clocked(env, args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert held.wait(300), process.communicate(timeout=5)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


@pytest.mark.parametrize("taken", [True, False], ids=["taken", "never-reached"])
def test_an_sms_in_flight_when_the_run_is_killed_is_settled_by_the_next_run_and_sent_once(
    data: Path, certs: Certificates, httpserver: Any, taken: bool
) -> None:
    """Killed while a SendSms waits (the first of a step still due after the run): taken by
    the provider and its answer held (found by its OutId on the next run, not sent again), or
    held before the provider took it and lost (sent by the next run)."""
    at = _instant()
    # A credit notice is not due again once the e-mail notice went: the SMS held is one of a
    # step still due, sent in the order of the keys among the run's first sixty messages (or
    # as many as reach one: which steps fall due depends on the day the suite runs).
    plan = _plan(data, _environment(data), at)
    reach = next(
        i for i, m in enumerate(plan) if m["channel"] == "sms" and m["step"] != "credit_notice"
    )
    limit = str(max(60, reach + 1))
    texts = sorted((m["key"], m["step"]) for m in plan[: int(limit)] if m["channel"] == "sms")
    held = 1 + next(i for i, (_, s) in enumerate(texts) if s != "credit_notice")
    api = AliyunSmsApi(hold_send=held) if taken else AliyunSmsApi(lose_send=held)
    endpoint = serve(httpserver, api)
    with smtp_server(certs) as (controller, _):
        env = _environment(data, **_configured(controller.port, certs, endpoint))
        try:
            _killed_while_held(data, env, api.held, "--at", at, "--limit", limit)
        finally:
            api.release.set()
        reached = [c.params["OutId"] for c in api.calls if c.action == "SendSms"]
        in_flight = reached[-1] if taken else api.lost
        assert in_flight is not None and len(reached) == (held if taken else held - 1)
        rows = _rows(data)
        assert len(rows) == int(limit)
        # Its send began, its answer was never recorded.
        assert rows[in_flight]["status"] == "planned" and rows[in_flight]["began"] is not None
        never = sorted(
            k for k, r in rows.items() if r["channel"] == "sms" and k not in [*reached, in_flight]
        )
        assert never and all(rows[k]["began"] is None for k in never)
        listed = _ok(data, env, "reminders", "uncertain")
        assert listed.splitlines() == [
            f"{in_flight}  sms to {rows[in_flight]['recipient']}, send began"
            f" {rows[in_flight]['began']:%Y-%m-%d %H:%M} UTC (the provider is asked again by"
            " the next run)"
        ]

        out = _ok(data, env, "reminders", "run", "--at", at, "--limit", limit)
        assert f"found sent earlier {1 if taken else 0}" in out and "uncertain 0" in out
        sends = _sends(api)
        assert sends[in_flight] == 1, "sent once in all"
        assert all(sends[k] == 1 for k in never), "the ones that never went, sent once each"
        assert set(sends.values()) == {1}
        rows = _rows(data)
        assert rows[in_flight]["status"] == "sent" and rows[in_flight]["disposition"] == "SENT"
        if taken:  # found by its OutId: QuerySendDetails' records carry no BizId
            assert rows[in_flight]["provider_id"] == f"OutId:{in_flight}"
        else:
            assert rows[in_flight]["provider_id"].endswith("^0")  # a BizId
        assert {r["status"] for k, r in rows.items() if r["channel"] == "sms"} == {"sent"}
        assert _ok(data, env, "reminders", "uncertain") == "no uncertain message\n"
        # Its receipt is asked for (by number, day and OutId where there is no BizId).
        api.settle(in_flight, delivered=True, code="DELIVERED")
        assert _ok(data, env, "reminders", "reports").startswith("delivered 1, failed 0")
        assert _rows(data)[in_flight]["status"] == "delivered"
    assert not (data / "spool").exists()


@pytest.mark.parametrize("settled", ["--sent", "--not-sent"])
def test_an_email_in_flight_when_the_run_is_killed_stays_uncertain_until_an_admin_settles_it(
    data: Path, certs: Certificates, httpserver: Any, settled: str
) -> None:
    api = AliyunSmsApi()
    endpoint = serve(httpserver, api)
    at = _instant()
    with smtp_server(certs) as (controller, handler):
        env = _environment(data, **_configured(controller.port, certs, endpoint))
        # Held: the first e-mail of a step still due after the run (a credit notice is not,
        # once the SMS notice went), sent in the order of the keys. A run takes the first 40
        # messages, or as many more as it takes to reach such an e-mail (the demo is built
        # for the day the suite runs).
        planned = _plan(data, env, at)
        first = next(
            i
            for i, m in enumerate(planned)
            if m["channel"] == "email" and m["step"] != "credit_notice"
        )
        limit = str(max(40, first + 1))
        plan = planned[: int(limit)]
        emails = sorted((m["key"], m["step"]) for m in plan if m["channel"] == "email")
        handler.hold_data = 1 + next(i for i, (_, s) in enumerate(emails) if s != "credit_notice")
        try:
            _killed_while_held(data, env, handler.held, "--at", at, "--limit", limit)
        finally:
            handler.release.set()
        in_flight = _key_of(str(handler.received[-1].email["Message-ID"]))
        assert in_flight == emails[handler.hold_data - 1][0]
        rows = _rows(data)
        assert rows[in_flight]["status"] == "planned" and rows[in_flight]["began"] is not None
        contract = rows[in_flight]["contract"]

        # Run again, and again: the mail server cannot be asked, so it is never sent again by
        # itself, and every run says so.
        out = _ok(data, env, "reminders", "run", "--at", at, "--limit", limit)
        assert "uncertain 1" in out
        assert (
            f"  uncertain: {in_flight} (its send began and its answer was lost; settle it with"
            f" `reminders resolve --key {in_flight} --sent|--not-sent`)"
        ) in out.splitlines()
        report = json.loads(_ok(data, env, "reminders", "run", "--at", at, "--json"))
        assert report["uncertain"] == [in_flight]
        taken = Counter(_key_of(str(r.email["Message-ID"])) for r in handler.received)
        assert taken[in_flight] == 1 and set(taken.values()) == {1}
        listed = _ok(data, env, "reminders", "uncertain", "--json")
        assert [m["key"] for m in json.loads(listed)] == [in_flight]

        # Only an administrator settles it, once.
        refused = _cli(data, env, "reminders", "resolve", "--key", in_flight, settled,
                       "--user", "li.xinde")  # fmt: skip
        assert (refused.returncode, refused.stdout) == (1, "")
        assert refused.stderr == (
            "error: Only an administrator settles a message whose answer was lost, not li.xinde.\n"
        )
        out = _ok(data, env, "reminders", "resolve", "--key", in_flight, settled, "--user", "admin")
        assert out.splitlines() == [
            f"{in_flight}: sent"
            if settled == "--sent"
            else f"{in_flight}: planned, sent by the next run if it is still due and allowed"
        ]
        again = _cli(data, env, "reminders", "resolve", "--key", in_flight, settled,
                     "--user", "admin")  # fmt: skip
        assert again.returncode == 1 and "is not uncertain" in again.stderr
        db = _db(data)
        try:
            with db.reader() as session:
                events = session.execute(
                    select(AuditEvent.action, AuditEvent.details, User.username)
                    .join(User, User.id == AuditEvent.user_id)
                    .where(AuditEvent.action == "reminder.settled")
                ).all()
                attempts = session.scalar(
                    select(func.count())
                    .select_from(ContactAttempt)
                    .join(ReminderMessage, ReminderMessage.attempt_id == ContactAttempt.id)
                    .where(ReminderMessage.key == in_flight)
                )
        finally:
            db.dispose()
        [(_, details, username)] = events
        assert username == "admin" and details["key"] == in_flight
        assert details["settled"] == settled.removeprefix("--").replace("-", "_")
        assert _ok(data, env, "reminders", "uncertain") == "no uncertain message\n"

        out = _ok(data, env, "reminders", "run", "--at", at, "--limit", limit)
        assert "uncertain 0" in out
        taken = Counter(_key_of(str(r.email["Message-ID"])) for r in handler.received)
        rows = _rows(data)
        assert rows[in_flight]["status"] == "sent" and rows[in_flight]["disposition"] == "SENT"
        timeline = _ok(data, env, "account", contract, "--user", "admin")
        assert "E-mail · Reminder sent" in timeline
        if settled == "--sent":
            assert attempts == 1 and taken[in_flight] == 1
        else:
            # The administrator said it never went: the next run sent it.
            assert attempts == 0 and taken[in_flight] == 2
