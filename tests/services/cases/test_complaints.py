"""Complaints: logged with channel, category and the collector concerned, routed to the lead
with the regulator's or the lender's deadline, closed by the lead's reply, counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent, Complaint
from app.services.cases.complaints import (
    complaint_counts,
    complaints,
    log_complaint,
    reply_complaint,
)
from app.services.common.errors import DomainError, InvalidInput, NotAllowed
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Portfolio

TODAY = date(2026, 11, 28)
# Friday 12 February 2026, 10:00 in Beijing: the Spring Festival starts on Sunday.
BEFORE_SPRING = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)


def test_a_complaint_goes_to_the_lead_with_the_lenders_deadline_in_working_days(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    logged = log_complaint(
        db,
        "zhang.wei",
        account.contract_no,
        "call",
        "collector_conduct",
        "客户投诉催收员语气粗暴",
        collector="zhang.wei",
        now=BEFORE_SPRING,
    )
    # Ten working days from Friday 13 February: Saturday 14 (worked), nothing from the 15th
    # to the 23rd, then 24-27, Saturday 28 (worked) and 2-5 March.
    assert logged.due.due_on == date(2026, 3, 5)
    assert (logged.channel, logged.regulator, logged.collector) == ("call", False, "zhang.wei")
    (listed,) = complaints(db, "lead.wang", now=BEFORE_SPRING)
    assert listed.id == logged.id and listed.due.working_days_left == 10
    # The collector sees the complaints they logged, too.
    assert [c.id for c in complaints(db, "zhang.wei", now=BEFORE_SPRING)] == [logged.id]
    with db.reader() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "complaint.logged"))
        assert event.one().details["due_on"] == "2026-03-05"


def test_a_regulator_referral_takes_the_regulators_deadline(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    received = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    logged = log_complaint(
        db,
        "lead.wang",
        account.contract_no,
        "regulator_12378",
        "contact_frequency",
        "12378转办：客户称每天被催收电话骚扰",
        reference="NFRA-2026-1120-0042",
        received_at=received,
        now=NOW,
    )
    # Fifteen days from the day the regulator's referral came, as the regulator counts them.
    assert logged.regulator and logged.due.due_on == date(2026, 12, 5)
    assert logged.reference == "NFRA-2026-1120-0042" and logged.collector is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"category": "weather"}, "category"),
        ({"summary": " \t "}, "summary"),
        ({"summary": "x" * 2001}, "summary"),
        ({"collector": "nobody.here"}, "collector"),
        ({"received_at": NOW + timedelta(hours=1)}, "received_at"),
        ({"received_at": NOW - timedelta(days=91)}, "received_at"),
    ],
)
def test_a_bad_complaint_is_refused_at_its_field_and_nothing_is_written(
    db: Database, portfolio: Portfolio, changes: dict[str, object], field: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    values: dict[str, object] = {
        "channel": "letter",
        "category": "privacy",
        "summary": "投诉泄露个人信息",
        "collector": None,
        "received_at": None,
    }
    values.update(changes)
    with pytest.raises(DomainError) as refused:
        log_complaint(
            db,
            "zhang.wei",
            account.contract_no,
            str(values["channel"]),
            str(values["category"]),
            str(values["summary"]),
            collector=values["collector"],  # type: ignore[arg-type]
            received_at=values["received_at"],  # type: ignore[arg-type]
            now=NOW,
        )
    assert refused.value.field == field
    with db.reader() as session:
        assert session.scalars(select(Complaint)).all() == []


def test_only_the_lead_replies_once_and_the_reply_closes_it(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    logged = log_complaint(
        db, "zhang.wei", account.contract_no, "letter", "amount_or_fees", "对罚息有异议", now=NOW
    )
    with pytest.raises(NotAllowed, match="team lead"):
        reply_complaint(db, "zhang.wei", logged.id, "已回复", now=NOW)
    with pytest.raises(InvalidInput) as empty:
        reply_complaint(db, "lead.wang", logged.id, "\u200b", now=NOW)
    assert empty.value.field == "reply"
    replied = reply_complaint(db, "lead.wang", logged.id, "已电话回复客户并解释罚息计算", now=NOW)
    assert not replied.open and replied.replied_by_name == "lead.wang"
    assert complaints(db, "lead.wang", now=NOW) == ()
    assert len(complaints(db, "lead.wang", open_only=False, now=NOW)) == 1
    with pytest.raises(NotAllowed, match="already answered"):
        reply_complaint(db, "lead.wang", logged.id, "改写", now=NOW)


def test_the_counts_per_collector_and_per_category(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    portfolio.user("li.na")
    for who, category in (
        ("zhang.wei", "collector_conduct"),
        ("zhang.wei", "contact_frequency"),
        ("li.na", "collector_conduct"),
        (None, "amount_or_fees"),
    ):
        log_complaint(
            db, "lead.wang", account.contract_no, "call", category, "投诉", collector=who, now=NOW
        )
    counts = complaint_counts(db, "lead.wang", TODAY - timedelta(days=6), TODAY)
    assert counts.total == 4 and counts.open == 4
    assert counts.by_collector[0] == ("zhang.wei", "zhang.wei", 2)
    assert set(counts.by_collector[1:]) == {("li.na", "li.na", 1), (None, None, 1)}
    assert counts.by_category[0] == ("collector_conduct", 2)
    assert (
        complaint_counts(
            db, "lead.wang", TODAY + timedelta(days=1), TODAY + timedelta(days=2)
        ).total
        == 0
    )
    with pytest.raises(NotAllowed):
        complaint_counts(db, "zhang.wei", TODAY, TODAY)


def test_the_collector_concerned_is_of_the_accounts_team(
    db: Database, portfolio: Portfolio
) -> None:
    from app.models import Role, Team, User

    account = portfolio.account(today=TODAY, dpd=20)
    with db.session() as session:
        team = Team(name="外组")
        session.add(team)
        session.flush()
        session.add(
            User(username="wang.b", display_name="王", role=Role.COLLECTOR, team_id=team.id)
        )
    with pytest.raises(DomainError, match="account's team") as refused:
        log_complaint(
            db, "zhang.wei", account.contract_no, "call", "collector_conduct", "投诉",
            collector="wang.b", now=NOW,
        )  # fmt: skip
    assert refused.value.field == "collector"
