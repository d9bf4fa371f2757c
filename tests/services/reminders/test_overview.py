"""The team lead's day of reminders (`overview.reminders_overview`) on a demo book whose
reminders went out through the real dispatcher and the spool on two days: the counts against
the messages themselves, the failures in words, the opt-outs, the credit-reporting notices,
the preview against the dispatcher's own dry run (and that it writes nothing), and who sees
which accounts."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import and_, func, or_, select

from app.database import Database
from app.models import (
    AuditEvent,
    ContactAttempt,
    CreditNotice,
    Loan,
    MessageStatus,
    ReminderMessage,
    ReminderOptOut,
    Role,
    Team,
    User,
)
from app.services.common.clock import day_start
from app.services.common.errors import InvalidInput, NotAllowed
from app.services.reminders.dispatch import run_reminders
from app.services.reminders.overview import (
    StatusCounts,
    error_words,
    reminders_overview,
)
from tests.helpers.reminders_demo import (
    DAY,
    FIRST_DAY,
    NOTICES,
    NOW,
    RemindersDemo,
)


@pytest.fixture
def demo(reminders_demo: RemindersDemo) -> RemindersDemo:
    """The session's book (tests/conftest.py), read only."""
    return reminders_demo


@pytest.fixture
def db(demo: RemindersDemo) -> Iterator[Database]:
    database = demo.database()
    yield database
    database.dispose()


def _team_messages(db: Database, lead: str, day: date) -> list[ReminderMessage]:
    """The messages planned on `day` on the lead's team's accounts, counted here by hand."""
    with db.reader() as session:
        team_id = session.scalar(select(User.team_id).where(User.username == lead))
        members = select(User.id).where(User.team_id == team_id)
        rows = session.scalars(
            select(ReminderMessage)
            .join(Loan, Loan.id == ReminderMessage.loan_id)
            .where(
                ReminderMessage.planned_at >= day_start(day),
                ReminderMessage.planned_at < day_start(day + timedelta(days=1)),
                or_(
                    Loan.assigned_to_id.in_(members),
                    and_(Loan.assigned_to_id.is_(None), Loan.team_id == team_id),
                ),
            )
        ).all()
        session.expunge_all()
        return list(rows)


def _counts(rows: list[ReminderMessage]) -> StatusCounts:
    found = Counter(row.status for row in rows)
    return StatusCounts(**{status.value: found[status] for status in MessageStatus})


def test_the_days_counts_are_the_messages_planned_that_day_by_what_became_of_them(
    demo: RemindersDemo, db: Database
) -> None:
    overview = reminders_overview(db, demo.lead, DAY, now=NOW)
    rows = _team_messages(db, demo.lead, DAY)
    assert overview.counts == _counts(rows)
    assert overview.counts.delivered == 4
    assert overview.counts.failed == 2
    assert overview.counts.went_out == len(rows) > 20
    assert overview.counts.delivered_rate == round(Decimal(4) / Decimal(len(rows)), 4)
    # By step and channel, adding up to the day's.
    by_key = Counter[tuple[str, str]]((row.step, row.channel.value) for row in rows)
    assert {(s.step, s.channel): s.counts.total for s in overview.by_step} == dict(by_key)
    # The strategy's order: days before the due date first, the credit notice late.
    steps = [s.step for s in overview.by_step]
    assert steps.index("before_3") < steps.index("credit_notice")
    # The day before has its own messages, none reported on but a few credit-reporting
    # notices, reported delivered (the team's of NOTICES).
    first = reminders_overview(db, demo.lead, FIRST_DAY, now=NOW)
    assert first.counts == _counts(_team_messages(db, demo.lead, FIRST_DAY))
    assert first.counts.sent > 0 and first.counts.failed == 0
    assert first.counts.delivered <= NOTICES


def test_failures_are_listed_with_their_error_in_words(demo: RemindersDemo, db: Database) -> None:
    overview = reminders_overview(db, demo.lead, DAY, now=NOW)
    with db.reader() as session:
        keys = {
            message_id: key
            for message_id, key in session.execute(
                select(ReminderMessage.id, ReminderMessage.key).where(
                    ReminderMessage.id.in_([f.id for f in overview.failures])
                )
            )
        }
    by_key = {keys[failure.id]: failure for failure in overview.failures}
    assert set(by_key) == {demo.undelivered, demo.refused}
    undelivered, refused = by_key[demo.undelivered], by_key[demo.refused]
    assert (undelivered.channel, undelivered.error) == ("sms", "undelivered")
    assert undelivered.reason.en == "The carrier could not deliver it"
    assert undelivered.reason.zh_CN == "运营商未能送达"
    assert (refused.channel, refused.error) == ("email", "550")
    assert refused.reason.text("zh_CN") == "收件邮箱不存在或拒收"
    assert refused.failed_at == datetime.fromisoformat("2026-11-28T11:00:00+08:00")
    assert refused.contract_no == demo.refused.split(":")[0]
    assert refused.borrower and "@" in refused.recipient


def test_error_words_read_the_providers_code() -> None:
    assert error_words("isv.MOBILE_NUMBER_ILLEGAL 手机号码格式错误").en == (
        "The mobile number is not a valid number"
    )
    assert error_words("552 5.2.2 mailbox full").zh_CN == "收件邮箱已满"
    # An SMTP code not listed, by its class; anything else, unknown; nothing, none.
    assert error_words("557 go away").en == "The mail server refused it"
    assert error_words("451 try later").en == "The mail server refused it for now"
    assert error_words("DELIVERY_X something").en.startswith("Not delivered: the provider gave")
    assert error_words(None).en == "Not delivered, no reason given"
    assert error_words("").en == "Not delivered, no reason given"


def test_the_opt_outs_of_the_day_and_the_notices_waiting(demo: RemindersDemo, db: Database) -> None:
    overview = reminders_overview(db, demo.lead, DAY, now=NOW)
    assert [(o.contract_nos, o.channel, o.source) for o in overview.opt_outs] == [
        ((demo.opted_contract,), "sms", "borrower")
    ]
    assert overview.opt_outs[0].at == datetime.fromisoformat("2026-11-28T15:00:00+08:00")
    assert reminders_overview(db, demo.lead, FIRST_DAY, now=NOW).opt_outs == ()
    with db.reader() as session:
        notified = session.execute(
            select(Loan.contract_no, func.min(CreditNotice.notified_at))
            .join(Loan, Loan.id == CreditNotice.loan_id)
            .group_by(Loan.contract_no)
        ).all()
    first_day = {c for c, at in notified if at.date() == FIRST_DAY}
    assert first_day
    # Both days' notices wait (reporting begins 15 days after, CN), by that day.
    assert {n.contract_no for n in overview.notices} == {c for c, _ in notified}
    assert overview.reportable == 0
    assert [n.reporting_from for n in overview.notices] == sorted(
        n.reporting_from for n in overview.notices
    )
    by_contract = {n.contract_no: n for n in overview.notices}
    some = by_contract[min(first_day)]
    assert some.reporting_from == FIRST_DAY + timedelta(days=15)
    # The day before, only its own notices had been given.
    before = reminders_overview(db, demo.lead, FIRST_DAY, now=NOW)
    assert {n.contract_no for n in before.notices} == first_day
    # Once reporting may begin, the notices no longer wait; they are counted as reportable.
    later = datetime.fromisoformat("2026-12-20T10:00:00+08:00")
    after = reminders_overview(db, demo.lead, date(2026, 12, 20), now=later)
    assert after.notices == ()
    assert after.reportable == len(notified)


def _written(db: Database) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ReminderMessage, ContactAttempt, CreditNotice, ReminderOptOut, AuditEvent)
        )


def test_the_preview_is_the_dispatchers_own_dry_run_at_tomorrows_runs_and_writes_nothing(
    demo: RemindersDemo, db: Database
) -> None:
    before = _written(db)
    spooled = sorted(p.name for p in (demo.folder / "spool").iterdir())
    overview = reminders_overview(db, "admin", DAY, now=NOW)
    assert _written(db) == before
    assert sorted(p.name for p in (demo.folder / "spool").iterdir()) == spooled
    preview = overview.preview
    assert preview.day == DAY + timedelta(days=1)
    # The demo's CN borrowers get theirs at 09:00 in Beijing, its US borrowers at the day's
    # first run (their morning is the evening before in Beijing).
    assert datetime.fromisoformat("2026-11-29T09:00:00+08:00") in preview.runs
    lo, hi = day_start(preview.day), day_start(preview.day + timedelta(days=1))
    assert all(lo <= at < hi for at in preview.runs)
    dry: dict[str, dict[str, object]] = {}
    for at in preview.runs:
        report = run_reminders(db, {}, at=at, dry_run=True)
        for message in report.messages:
            dry.setdefault(str(message["key"]), dict(message))
    assert _written(db) == before
    shown = Counter((str(m["step"]), str(m["channel"])) for m in dry.values())
    grouped = Counter[tuple[str, str]]()
    for group in preview.groups:
        grouped[(group.step, group.channel)] += group.count
    assert preview.total == len(dry) > 20
    assert grouped == shown
    for group in preview.groups:
        assert 1 <= len(group.samples) <= min(3, group.count)
        for sample in group.samples:
            same = (sample.contract_no, group.step, group.channel)
            texts = [
                m["text"]
                for m in dry.values()
                if (m["contract_no"], m["step"], m["channel"]) == same
            ]
            assert texts == [sample.text]
    # Why the others would not go: the stops the demo sets, among them.
    held = dict(preview.held)
    assert held.get("stop:promise_pending", 0) > 0


def _copy(demo: RemindersDemo, tmp_path: Path) -> RemindersDemo:
    folder = tmp_path / "copy"
    shutil.copytree(demo.folder, folder)
    return RemindersDemo(
        folder,
        demo.lead,
        demo.collector,
        demo.delivered,
        demo.undelivered,
        demo.refused,
        demo.opted_contract,
    )


def test_a_lead_sees_their_teams_accounts_only_and_a_collector_nothing(
    demo: RemindersDemo, tmp_path: Path
) -> None:
    copy = _copy(demo, tmp_path)
    db = copy.database()
    try:
        moved = reminders_overview(db, demo.lead, DAY, now=NOW)
        # Team B takes the accounts of the day's failures; team C has none.
        with db.session() as session:
            team_b, team_c = Team(name="电催B组"), Team(name="电催C组")
            session.add_all([team_b, team_c])
            session.flush()
            session.add_all(
                [
                    User(
                        username="lead.b", display_name="B", role=Role.TEAM_LEAD, team_id=team_b.id
                    ),
                    User(
                        username="lead.c", display_name="C", role=Role.TEAM_LEAD, team_id=team_c.id
                    ),
                ]
            )
            collector_b = User(
                username="collector.b", display_name="b", role=Role.COLLECTOR, team_id=team_b.id
            )
            session.add(collector_b)
            session.flush()
            failed_loans = session.scalars(
                select(ReminderMessage.loan_id).where(
                    ReminderMessage.key.in_([demo.undelivered, demo.refused])
                )
            ).all()
            for loan_id in failed_loans:
                loan = session.get(Loan, loan_id)
                assert loan is not None
                loan.assigned_to_id = collector_b.id
                loan.team_id = team_b.id
            moved_ids = set(failed_loans)
        a = reminders_overview(db, demo.lead, DAY, now=NOW)
        b = reminders_overview(db, "lead.b", DAY, now=NOW)
        c = reminders_overview(db, "lead.c", DAY, now=NOW)
        assert a.failures == () and len(b.failures) == 2
        assert b.team == "电催B组" and a.team != b.team
        with db.reader() as session:
            on_moved = Counter(
                session.scalars(
                    select(ReminderMessage.status).where(
                        ReminderMessage.loan_id.in_(moved_ids),
                        ReminderMessage.planned_at >= day_start(DAY),
                        ReminderMessage.planned_at < day_start(DAY + timedelta(days=1)),
                    )
                )
            )
        assert b.counts == StatusCounts(**{s.value: on_moved[s] for s in MessageStatus})
        assert a.counts.total + b.counts.total == moved.counts.total
        assert {n.loan_id for n in b.notices} <= moved_ids
        contracts = {f.contract_no for f in b.failures}
        assert all(s.contract_no in contracts for g in b.preview.groups for s in g.samples)
        # A lead of a team with no accounts sees nothing of anyone's.
        assert c.counts == StatusCounts() and c.by_step == ()
        assert (c.failures, c.opt_outs, c.notices, c.reportable) == ((), (), (), 0)
        assert (c.preview.groups, c.preview.held) == ((), ())
        with pytest.raises(NotAllowed, match="Only a team lead or an administrator"):
            reminders_overview(db, demo.collector, DAY, now=NOW)
        # An administrator sees every account.
        every = reminders_overview(db, "admin", DAY, now=NOW)
        assert every.team is None
        assert every.counts.total >= a.counts.total + b.counts.total
    finally:
        db.dispose()


def test_a_day_not_yet_come_is_refused(demo: RemindersDemo, db: Database) -> None:
    with pytest.raises(InvalidInput, match="has not come yet"):
        reminders_overview(db, demo.lead, DAY + timedelta(days=1), now=NOW)
    with pytest.raises(InvalidInput, match="time zone"):
        reminders_overview(db, demo.lead, DAY, now=datetime(2026, 11, 28, 18))
    # Today by default; a day with nothing counts nothing.
    assert reminders_overview(db, demo.lead, now=NOW).day == DAY
    quiet = reminders_overview(db, demo.lead, date(2026, 1, 5), now=NOW)
    assert quiet.counts == StatusCounts() and quiet.failures == ()
