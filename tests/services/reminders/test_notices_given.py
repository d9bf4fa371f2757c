"""A credit-reporting notice is given when it reaches the borrower, and dated then: an e-mail
when a real mail server took it (SMTP says nothing later), an SMS when its delivery report
says it arrived, nothing the spool took. A notice reported undelivered is withdrawn, and the
notice goes again as a message of its own. A run through a provider sends now."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import CreditNotice, MessageStatus, ReminderMessage
from app.services.common.errors import InvalidInput
from app.services.messaging.base import DeliveryReport, MessageChannel
from app.services.messaging.email import SmtpSender
from app.services.messaging.settings import SmtpSecurity, SmtpSettings
from app.services.messaging.spool import SpoolSender
from app.services.reminders.dispatch import apply_reports, decide, run_reminders
from app.services.reminders.notices import notified_loans
from tests.helpers.clock import clock_at
from tests.helpers.portfolio import Portfolio
from tests.helpers.smtp_server import PASSWORD, USER, Certificates, certificates, smtp_server

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)
TEN = datetime.combine(TODAY, time(10), tzinfo=BEIJING)
NUMBERS = {"mobile": "13812345678", "email": "fang.wang@example.cn"}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return certificates(tmp_path_factory.mktemp("notices-smtp"))


def _settings(port: int, certs: Certificates) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=port,
        security=SmtpSecurity.STARTTLS,
        from_address="notice@hengxin.example",
        username=USER,
        ca_file=certs.ca.certificate,
        timeout=5.0,
    )


def _senders(folder: Path, email: Any) -> dict[str, Any]:
    return {"sms": SpoolSender(folder / "spool", MessageChannel.SMS), "email": email}


def _notices(db: Database) -> list[tuple[str, str]]:
    with db.reader() as session:
        return [(n.channel, n.contract_no) for n in notified_loans(session)]


def _notice_messages(db: Database, channel: str) -> list[tuple[str, MessageStatus]]:
    with db.reader() as session:
        return [
            (key, status)
            for key, status in session.execute(
                select(ReminderMessage.key, ReminderMessage.status)
                .where(
                    ReminderMessage.kind == "credit_notice",
                    ReminderMessage.channel == channel,
                )
                .order_by(ReminderMessage.planned_at)
            )
        ]


def test_an_emailed_notice_counts_once_its_mail_server_took_it_and_is_withdrawn_if_it_bounced(
    db: Database, portfolio: Portfolio, tmp_path: Path, certs: Certificates
) -> None:
    account = portfolio.account(today=TODAY, dpd=20, numbers=NUMBERS)
    with smtp_server(certs) as (controller, _), clock_at(TEN):
        sender = SmtpSender(_settings(controller.port, certs), PASSWORD)
        with sender:
            report = run_reminders(db, _senders(tmp_path, sender), at=TEN)
    assert report.sent >= 2
    # The e-mail the mail server took is the notice, dated when it went; the SMS only reached
    # the spool, which gives none.
    with db.reader() as session:
        (notice,) = session.scalars(select(CreditNotice)).all()
        assert (notice.channel, notice.notified_at) == ("email", TEN)
        assert notice.reporting_from == TODAY + timedelta(days=15)
    ((key, status),) = _notice_messages(db, "email")
    assert status is MessageStatus.SENT
    # It bounced: no notice, and the next day's run sends it again, as a message of its own.
    with clock_at(TEN + timedelta(hours=2)):
        applied = apply_reports(
            db,
            [
                DeliveryReport(
                    provider_id="-",
                    to=NUMBERS["email"],
                    delivered=False,
                    reported_at=TEN + timedelta(hours=1),
                    key=key,
                    error_code="550",
                )
            ],
        )
    assert applied.failed == 1
    assert _notices(db) == []
    with db.reader() as session:
        again = decide(session, TEN + timedelta(days=1))
    noticed = [c.key for c in again.messages if c.step.kind == "credit_notice"]
    assert noticed == [key.replace(":credit_notice-n:", ":credit_notice-n2:")]
    assert key.startswith(f"{account.contract_no}:credit_notice-n:")


def test_an_sms_notice_counts_from_its_delivery_report_and_is_dated_when_recorded(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    portfolio.account(today=TODAY, dpd=20, numbers={"mobile": NUMBERS["mobile"]})
    spool = SpoolSender(tmp_path / "spool", MessageChannel.EMAIL)
    run_reminders(db, _senders(tmp_path, spool), at=TEN)
    ((key, _),) = _notice_messages(db, "sms")
    assert _notices(db) == []
    recorded = TEN + timedelta(hours=3)
    with clock_at(recorded):
        apply_reports(
            db,
            [
                DeliveryReport(
                    provider_id="-",
                    to="+8613812345678",
                    delivered=True,
                    reported_at=TEN + timedelta(minutes=2),
                    key=key,
                )
            ],
        )
    with db.reader() as session:
        (notice,) = session.scalars(select(CreditNotice)).all()
        assert (notice.channel, notice.notified_at) == ("sms", recorded)
        # Nothing is due again: the loan was notified.
        later = decide(session, TEN + timedelta(days=1))
    assert not [c for c in later.messages if c.step.kind == "credit_notice"]


def test_a_run_through_a_provider_at_another_instant_is_refused_and_plans_nothing(
    db: Database, portfolio: Portfolio, tmp_path: Path, certs: Certificates
) -> None:
    portfolio.account(today=TODAY, dpd=3, numbers=NUMBERS)
    sender = SmtpSender(_settings(9, certs), PASSWORD)
    for at in (TEN - timedelta(days=1), TEN + timedelta(hours=1)):
        with clock_at(TEN), pytest.raises(InvalidInput) as refused:
            run_reminders(db, _senders(tmp_path, sender), at=at)
        assert "sends now" in refused.value.message
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReminderMessage)) == 0
    # A dry run, or the spool alone, may look at any instant.
    with clock_at(TEN):
        assert run_reminders(
            db, _senders(tmp_path, sender), at=TEN - timedelta(days=1), dry_run=True
        )
