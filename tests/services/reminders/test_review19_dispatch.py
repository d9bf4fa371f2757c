"""Review of issue 19: what the dispatcher records and sends, tried where the README's promises
are sharpest (the credit-reporting notice, "nobody gets a message twice").

Each test is a finding: it fails on main as built.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import MessageStatus, ReminderMessage
from app.services.messaging.base import DeliveryReport, MessageChannel
from app.services.messaging.email import SmtpSender
from app.services.messaging.settings import SmtpSecurity, SmtpSettings
from app.services.messaging.spool import SpoolSender
from app.services.reminders.dispatch import apply_reports, decide, run_reminders
from app.services.reminders.notices import notified_loans
from tests.helpers.clock import clock_at
from tests.helpers.portfolio import Portfolio
from tests.helpers.smtp_server import PASSWORD, USER, Certificates, Handler, certificates
from tests.helpers.smtp_server import smtp_server as running_smtp_server

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)
TEN = datetime.combine(TODAY, time(10), tzinfo=BEIJING)


def _spool(folder: Path) -> dict[str, Any]:
    return {
        "sms": SpoolSender(folder / "spool", MessageChannel.SMS),
        "email": SpoolSender(folder / "spool", MessageChannel.EMAIL),
    }


def test_review19_a_credit_notice_the_carrier_could_not_deliver_is_no_notice(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    """The law's notice (不良信息报送告知) must reach the borrower before adverse information
    is reported. The dispatcher records the notice when the provider *accepts* the SMS; when
    the carrier's report then says it never arrived (a dead number), the notice stays on
    record: `reminders notices` says the borrower was notified and when reporting may begin,
    and no notice is ever sent again (the loan counts as notified)."""
    account = portfolio.account(today=TODAY, dpd=20, numbers={"mobile": "13812345678"})
    run_reminders(db, _spool(tmp_path), at=TEN)
    with db.reader() as session:
        (notice,) = session.scalars(
            select(ReminderMessage).where(
                ReminderMessage.loan_id == account.loan_id,
                ReminderMessage.kind == "credit_notice",
            )
        ).all()
        assert notice.status is MessageStatus.SENT
    applied = apply_reports(
        db,
        [
            DeliveryReport(
                provider_id=notice.provider_id or "-",
                to=notice.recipient,
                delivered=False,
                reported_at=TEN + timedelta(minutes=2),
                key=notice.key,
                error_code="MK:0001",  # the number is not in service
            )
        ],
    )
    assert applied.failed == 1
    with db.reader() as session:
        listed = [row.contract_no for row in notified_loans(session)]
        tomorrow = decide(session, TEN + timedelta(days=1))
    assert account.contract_no not in listed, "an undelivered notice counts as the notice"
    assert any(
        c.loan_id == account.loan_id and c.step.kind == "credit_notice" for c in tomorrow.messages
    ), "the borrower is never told again"


class _TakesThenDrops(Handler):
    """A mail server that takes the first message (it is queued, the borrower will get it)
    and loses the connection before its 250 reaches the sender."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 1:
            server.transport.close()
            await asyncio.sleep(0.1)
        return answer


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return certificates(tmp_path_factory.mktemp("review19-smtp"))


def test_review19_an_email_whose_answer_was_lost_is_not_sent_again_by_itself(
    db: Database, portfolio: Portfolio, tmp_path: Path, certs: Certificates
) -> None:
    """README: "An SMTP server cannot be asked, so such an e-mail is uncertain: never sent
    again by itself" (a run killed while the server held its answer). The same uncertainty
    reached by a connection lost after DATA (the server took the message, its 250 never
    arrived) is answered "try again later", and the next run sends the e-mail a second
    time: the borrower gets it twice."""
    portfolio.account(
        today=TODAY, dpd=3, numbers={"mobile": "13812345678", "email": "fang.wang@example.cn"}
    )
    handler = _TakesThenDrops()
    with running_smtp_server(certs, handler=handler) as (controller, _):
        settings = SmtpSettings(
            host="127.0.0.1",
            port=controller.port,
            security=SmtpSecurity.STARTTLS,
            from_address="notice@hengxin.example",
            username=USER,
            ca_file=certs.ca.certificate,
            timeout=5.0,
        )
        for minutes in (0, 30):
            senders = {**_spool(tmp_path), "email": SmtpSender(settings, PASSWORD)}
            # A run through a mail server sends now: the clock reads the run's instant.
            at = TEN + timedelta(minutes=minutes)
            with senders["email"], clock_at(at):
                run_reminders(db, senders, at=at)
    got = [r.email["Message-ID"] for r in handler.received]
    assert len(got) == len(set(got)) == 1, f"the borrower got the same e-mail {len(got)} times"


@pytest.mark.parametrize(
    ("where", "mobile", "at"),
    [
        # A borrower in China whose mobile is a New York number: 19:00 in Beijing is 06:00
        # in New York.
        ("CN", "+1 212 555 0100", datetime.combine(TODAY, time(19), tzinfo=BEIJING)),
        # A borrower with a New York address and a Los Angeles mobile: 09:30 in New York is
        # 06:30 in Los Angeles (Regulation F: every place the consumer may be).
        (
            "US",
            "+1 213 555 0100",
            datetime.combine(TODAY, time(9, 30), tzinfo=ZoneInfo("America/New_York")),
        ),
    ],
)
def test_review19_an_email_keeps_to_every_zone_the_borrowers_numbers_put_them_in(
    db: Database, portfolio: Portfolio, where: str, mobile: str, at: datetime
) -> None:
    """README: messages go out "only inside the strategy's send window (09:00–20:00 in every
    zone the borrower may be in)". The SMS is held (its number's zone is asked), but the
    e-mail is judged by the address alone: it goes at 06:00 where the borrower's own mobile
    says they may be."""
    extra = {"country": "US", "province": "NY"} if where == "US" else {}
    account = portfolio.account(
        today=at.date(), dpd=3, numbers={"mobile": mobile, "email": "fang.wang@example.cn"}, **extra
    )
    with db.reader() as session:
        decided = decide(session, at)
    mine = sorted(c.channel for c in decided.messages if c.loan_id == account.loan_id)
    assert mine == [], f"sent at 06:00 where the borrower's mobile is: {mine}"


def test_review19_a_notice_that_only_reached_the_spool_is_no_notice(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    """Without a provider configured (an environment file missing on the job's server, a typo
    in COLLECTOR_WORKSTATION_SMTP_HOST) every message is written to the spool folder and
    recorded SENT, and a credit-reporting notice written there is recorded as the borrower's
    notice: 15 days later the account may be reported though nobody was told. (The server test
    tests/central/test_reminders_server.py asserts such notices today.)"""
    account = portfolio.account(today=TODAY, dpd=20, numbers={"mobile": "13812345678"})
    run_reminders(db, _spool(tmp_path), at=TEN)
    with db.reader() as session:
        listed = [row.contract_no for row in notified_loans(session)]
    assert account.contract_no not in listed, "a notice written to a folder counts as told"
