"""The demo's reminders: its last days of the reminders job, decided and recorded by the
dispatcher, sent through the spool, with delivery reports, failures and one opt-out
(app/demo/reminders.py, docs/demo.md). Every message is replayed against the rules as they
stood when it went, and what a collector and a lead read of them is checked."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.database import Database
from app.demo.builder import build_demo
from app.demo.shape import load_shape
from app.models import (
    BORROWER_FLAGS,
    Borrower,
    Channel,
    ContactAttempt,
    ContactPoint,
    CreditNotice,
    Escalation,
    EscalationDecision,
    Loan,
    MessageStatus,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    ReminderMessage,
    ReminderOptOut,
    RepaymentPlan,
    Role,
    User,
)
from app.services.common.clock import day_start, local_today
from app.services.common.reference import address_zones
from app.services.contact.compliance import load_profile, profile_code_for
from app.services.contact.queue import build_queue
from app.services.reminders.dispatch import DISPOSITION
from app.services.reminders.overview import reminders_overview
from app.services.reminders.strategy import load_strategy
from app.services.team.kpis import team_report

AS_OF = datetime(2025, 6, 10, 6, 30, tzinfo=UTC)  # 14:30 in Beijing
TODAY = local_today(AS_OF)
SPEC = load_shape()["portfolio"]["reminders"]
FIRST_DAY = TODAY - timedelta(days=int(SPEC["days"]))
# The statuses the weekly maximum counts (a failed or refused message does not).
COUNTED = (MessageStatus.SENT, MessageStatus.DELIVERED)


@dataclass
class Demo:
    db: Database
    messages: list[ReminderMessage]
    attempts: dict[Any, ContactAttempt]
    borrowers: dict[Any, Borrower]
    points: dict[Any, ContactPoint]
    loans: dict[Any, Loan]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("demo-reminders") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    build_demo(db, accounts=1000, seed=1, as_of=AS_OF)
    with db.reader() as session:
        messages = list(session.scalars(select(ReminderMessage).order_by(ReminderMessage.key)))
        attempts = {a.id: a for a in session.scalars(select(ContactAttempt))}
        borrowers = {b.id: b for b in session.scalars(select(Borrower))}
        points = {p.id: p for p in session.scalars(select(ContactPoint))}
        loans = {loan.id: loan for loan in session.scalars(select(Loan))}
        session.expunge_all()
    yield Demo(db, messages, attempts, borrowers, points, loans)
    db.dispose()


def _within(moment: datetime, zones: list[str], start: time, end: time) -> bool:
    return all(start <= moment.astimezone(ZoneInfo(zone)).time() < end for zone in zones)


def test_the_jobs_messages_have_every_outcome_each_with_its_contact_attempt(demo: Demo) -> None:
    statuses = Counter(m.status for m in demo.messages)
    assert set(statuses) == {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.FAILED,
        MessageStatus.OPTED_OUT,
    }
    # Most went and were delivered; a few failed; one borrower refused them.
    sms = Counter(m.status for m in demo.messages if m.channel.value == "sms")
    assert sms[MessageStatus.DELIVERED] > 10 * sms[MessageStatus.FAILED] > 0
    assert statuses[MessageStatus.OPTED_OUT] == 1
    # E-mail has no delivery report: sent, or bounced.
    email = Counter(m.status for m in demo.messages if m.channel.value == "email")
    assert set(email) == {MessageStatus.SENT, MessageStatus.FAILED}
    system = {a.user_id for a in demo.attempts.values() if a.disposition in DISPOSITION.values()}
    for m in demo.messages:
        assert FIRST_DAY <= local_today(m.planned_at) <= TODAY and m.planned_at < AS_OF
        assert m.sent_at == m.planned_at
        attempt = demo.attempts[m.attempt_id]
        assert attempt.disposition == DISPOSITION[m.status]
        assert (attempt.loan_id, attempt.contact_point_id, attempt.channel) == (
            m.loan_id,
            m.contact_point_id,
            m.channel,
        )
        assert attempt.started_at == m.planned_at and {attempt.user_id} == system
        if m.status is MessageStatus.FAILED:
            assert m.error in (("undelivered",) if m.channel.value == "sms" else ("550", "552"))
        if m.status in (MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.OPTED_OUT):
            assert m.reported_at is not None and m.planned_at < m.reported_at < AS_OF
    # The job's attempts are exactly its messages'.
    assert {a.id for a in demo.attempts.values() if a.user_id in system} == {
        m.attempt_id for m in demo.messages
    }


def test_one_borrower_opted_out_by_the_carriers_report_and_got_no_text_after(
    demo: Demo,
) -> None:
    with demo.db.reader() as session:
        opt_outs = session.scalars(select(ReminderOptOut)).all()
    refused = next(m for m in demo.messages if m.status is MessageStatus.OPTED_OUT)
    assert [(o.borrower_id, o.channel.value, o.source, o.at) for o in opt_outs] == [
        (refused.borrower_id, "sms", "delivery report", refused.reported_at)
    ]
    assert refused.channel.value == "sms" and refused.error == "MOBILE_IN_BLACK"
    theirs = [m for m in demo.messages if m.borrower_id == refused.borrower_id]
    # They had received the lender's texts before, and got none after.
    assert any(
        m.status is MessageStatus.DELIVERED and m.channel.value == "sms"
        for m in theirs
        if m.planned_at < refused.planned_at
    )
    assert not [m for m in theirs if m.channel.value == "sms" and m.planned_at > refused.planned_at]


def test_every_message_kept_the_rules_as_they_stood_when_it_went(demo: Demo) -> None:
    """Replayed against the strategy and the profile: the send window and quiet hours in every
    zone, the borrower's own usable number or address, the weekly maximum, and no stop in force
    at that moment (a mark set, a promise pending, a plan carrying the account, an escalation
    pausing it); each step went on its day."""
    with demo.db.reader() as session:
        promises = session.scalars(select(PromiseToPay)).all()
        plans = session.scalars(select(RepaymentPlan)).all()
        escalations = session.scalars(select(Escalation)).all()
    carries = (PlanStatus.ISSUED, PlanStatus.ACTIVE)

    def stopped(loan_id: Any, at: datetime) -> list[str]:
        found = [
            "promise_pending"
            for p in promises
            if p.loan_id == loan_id
            and p.created_at <= at
            and (p.status is PromiseStatus.PENDING or (p.resolved_at or at) > at)
        ]
        found += [
            "plan_active"
            for p in plans
            if p.loan_id == loan_id
            and p.issued_at is not None
            and p.issued_at <= at
            and (p.status in carries or (p.closed_at or at) > at)
        ]
        found += [
            "escalation_pause"
            for e in escalations
            if e.loan_id == loan_id
            and e.raised_at <= at
            and not (e.decision is EscalationDecision.RESUME and (e.decided_at or at) <= at)
        ]
        return found

    sent: dict[tuple[Any, str], list[datetime]] = defaultdict(list)
    for m in demo.messages:
        borrower = demo.borrowers[m.borrower_id]
        point = demo.points[m.contact_point_id]
        profile = profile_code_for(borrower.country)
        strategy = load_strategy(profile)
        # The borrower's own mobile or e-mail, usable.
        assert point.borrower_id == borrower.id and point.value == m.recipient
        assert point.kind.value == ("mobile" if m.channel.value == "sms" else "email")
        assert not point.do_not_call and not point.wrong_number
        # The send window and the profile's quiet hours, in every zone.
        zones = point.time_zones.split()
        zones += [z for z in address_zones(borrower.country, borrower.province) if z not in zones]
        zones = zones or [load_profile(profile).default_zone]
        assert _within(m.planned_at, zones, strategy.window_from, strategy.window_until), m.key
        quiet = next(r for r in load_profile(profile).rules if r.kind == "quiet_hours")
        allowed = (time.fromisoformat(quiet.params[k]) for k in ("allowed_from", "allowed_until"))
        assert _within(m.planned_at, zones, *allowed), m.key
        # No stop in force then: the marks (set before it), promises, plans, escalations.
        if borrower.updated_at <= m.planned_at:
            marks = {name for name in BORROWER_FLAGS if getattr(borrower, name)}
            assert not marks & strategy.stops, (m.key, marks)
        assert stopped(m.loan_id, m.planned_at) == [], m.key
        # A step around a due date goes on its day: the key names the due date counted from.
        step = next(s for s in strategy.steps if s.id == m.step)
        anchor = datetime.strptime(m.key.split(":")[2], "%Y%m%d").date()
        if step.days_from_due is not None:
            assert (local_today(m.planned_at) - anchor).days == step.days_from_due, m.key
        if m.status in COUNTED:
            sent[(m.borrower_id, m.channel.value)].append(m.planned_at)
    # The weekly maximum, in any seven days.
    for (borrower_id, channel), moments in sent.items():
        country = demo.borrowers[borrower_id].country
        limit = load_strategy(profile_code_for(country)).weekly_max[channel]
        moments.sort()
        for i, first in enumerate(moments):
            assert len([m for m in moments[i:] if m - first < timedelta(days=7)]) <= limit


def test_credit_notices_are_given_once_and_recorded_with_their_message(demo: Demo) -> None:
    with demo.db.reader() as session:
        notices = session.scalars(select(CreditNotice)).all()
    by_message = {n.message_id: n for n in notices if n.message_id is not None}
    history_start = day_start(FIRST_DAY)
    for m in demo.messages:
        if m.step != "credit_notice":
            continue
        earlier = [n for n in notices if n.loan_id == m.loan_id and n.notified_at < m.planned_at]
        assert earlier == [], m.key  # never told twice
        # Given when it reached the borrower: an e-mail when the mail server took it, an SMS
        # when its delivery report was recorded; one undelivered, or not yet reported, is none.
        if m.channel is Channel.EMAIL and m.status is MessageStatus.SENT:
            given: datetime | None = m.planned_at
        elif m.channel is Channel.SMS and m.status is MessageStatus.DELIVERED:
            assert m.reported_at is not None
            given = by_message[m.id].notified_at
            assert m.reported_at <= given < m.reported_at + timedelta(hours=1), m.key
        else:
            assert m.id not in by_message, m.key
            continue
        notice = by_message[m.id]
        assert (notice.loan_id, notice.channel, notice.notified_at) == (
            m.loan_id,
            m.channel.value,
            given,
        )
        country = demo.borrowers[m.borrower_id].country
        days = load_strategy(profile_code_for(country)).reporting_after_days
        assert notice.reporting_from == local_today(given) + timedelta(days=days)
    # The notices given before the history: on the day the account reached 20 days past due,
    # at 09:00 in Beijing for the mainland's, with no message here.
    before = [n for n in notices if n.message_id is None]
    assert before and all(n.notified_at < history_start for n in before)
    assert {n.notified_at.astimezone(ZoneInfo("Asia/Shanghai")).time() for n in before} >= {time(9)}
    for n in before:
        country = demo.borrowers[demo.loans[n.loan_id].borrower_id].country
        days = load_strategy(profile_code_for(country)).reporting_after_days
        assert n.reporting_from == local_today(n.notified_at) + timedelta(days=days)


def test_collectors_texts_logged_by_hand_stop_where_the_job_begins(demo: Demo) -> None:
    by_hand = [
        a
        for a in demo.attempts.values()
        if a.channel.value == "sms" and a.disposition not in DISPOSITION.values()
    ]
    assert by_hand
    assert all(a.started_at < day_start(FIRST_DAY) for a in by_hand)


def test_a_collectors_queue_says_a_reminder_went_yesterday_and_no_payment_came(
    demo: Demo,
) -> None:
    with demo.db.reader() as session:
        collectors = session.scalars(
            select(User.username).where(User.role == Role.COLLECTOR).order_by(User.username)
        ).all()
    reasons = Counter(
        reason.key
        for user in collectors
        for entry in build_queue(demo.db, user, AS_OF).entries
        for reason in entry.reasons
    )
    assert reasons["reminder_yesterday_no_payment"] > 0
    assert reasons["reminders_no_payment"] > 0
    assert reasons["reminder_undelivered_sms"] + reasons["reminder_undelivered_email"] > 0


def test_the_lead_sees_the_days_reminders_and_the_dashboard_counts_the_week(demo: Demo) -> None:
    with demo.db.reader() as session:
        lead = session.scalars(select(User.username).where(User.role == Role.TEAM_LEAD)).first()
    assert lead is not None
    today = reminders_overview(demo.db, lead, None, now=AS_OF)
    assert today.day == TODAY
    assert today.counts.went_out > 0 and today.counts.delivered > 0 and today.counts.sent > 0
    assert len(today.opt_outs) == 1
    days = [
        reminders_overview(demo.db, lead, FIRST_DAY + timedelta(days=n), now=AS_OF)
        for n in range((TODAY - FIRST_DAY).days + 1)
    ]
    assert all(day.counts.went_out > 0 for day in days)
    figures = team_report(demo.db, lead, FIRST_DAY, TODAY, now=AS_OF).reminders
    assert figures.sent == sum(day.counts.went_out for day in days)
    assert figures.delivered == sum(day.counts.delivered for day in days) > 0
    assert figures.failed == sum(day.counts.failed for day in days) > 0
    assert figures.opted_out == 1
