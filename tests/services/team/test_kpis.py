"""The team lead's KPIs (docs/domain.md §8) on a small portfolio worked out by hand, on SQLite and
on PostgreSQL (as the lead's own login role, through row-level security), and the contacts
behind each figure.

The span is 2026-10-05 to 2026-11-08 (35 days, Beijing time). The team: lead.wang (lead),
zhang.wei and li.na (collectors). Every account has 12 monthly instalments of ¥1,100.16
(¥12,000 at 18 %) and its first three paid; `dpd` below is the DPD on the morning of the
first day, so the oldest unpaid due date is 10-05 minus dpd (dpd 0: the next one is 10-07).

    account  assignee  dpd  bucket at start → at the end (DPD on the morning of 11-09)
    A        zhang     10   M1 (due 09-25) → C: ¥3,000 on 11-03 pays 09-25 and 10-25   cured
    B        zhang     28   M1 (due 09-07) → M3 (63 days): rolled twice, counted once  rolled
    C        li         5   M1 (due 09-30) → M2 (40): ¥600 on 10-19 settles nothing    rolled
    D        zhang      0   C (due 10-07) → M2 (33): ¥500 on 10-15 settles nothing     rolled
    E        li        40   M2 (due 08-26) → M3 (75)                                    rolled
    F        zhang      0   C → C: 10-07 and 11-07 paid on their days       stayed current
    G        li         3   M1 (due 10-02; paid on 10-05, the first day) → M1 (due 11-02,
                            7 days): neither; it counts in M1, as on the first morning     —

Contacts (duration + after-call seconds; ✓ every required checklist item ticked):

    zhang  10-04 B NA (before the span: not counted)
    zhang  10-06 A NA
    zhang  10-06 F CB  vulnerability ✓ 120+30  → escalation, acknowledged by the lead
    zhang  10-07 B PTP calm ✓        300+none  → promise ¥800 due 10-12, never paid: broken
    zhang  10-10 D PTP calm ✓        180+20    → promise ¥500 due 10-14, paid 10-15 (a day
                                                late, within the day of grace): kept
    zhang  10-20 B HU  hostile ✗      45+15    (one required item missing)
    li     10-15 C PTP anxious ✓     240+60    → promise ¥1,000 due 10-20, ¥600 paid: not kept
    li     10-22 E DSP angry ✓       150+30    → dispute escalation, unacknowledged
    li     10-28 E WN  (no emotion)   30+10    (answered, no emotion: incomplete)
    li     11-02 A RTP angry ✓       200+40
    lead   10-25 C TPC calm ✓         60+none

Payments in the span, credited to the last attempt on the loan at or before them:
A ¥3,000 11-03 → li (11-02 RTP; zhang's 10-06 came before it); C ¥600 10-19 → li (10-15);
D ¥500 10-15 → zhang; F ¥1,100.16 10-07 and 11-07 → zhang (10-06); E ¥200 10-05 09:00 and G
¥1,200 10-05 → nobody (no attempt on them in the span before).

Blocks: li 10-21 23:00 and 10-30 22:30 quiet hours (on E), zhang 10-20 connected-per-day (on
B); li 10-04 (before the span: not counted). A vulnerability escalation raised by zhang on B on
10-01 (before the span) is still unacknowledged.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from app.cli import main
from app.cli.common import EXIT_USAGE
from app.database import Database
from app.demo.builder import build_demo
from app.models import (
    ContactAttempt,
    ContactBlock,
    Escalation,
    Instalment,
    Loan,
    Payment,
    PromiseToPay,
    Role,
    Team,
    User,
)
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed, NotFound
from app.services.common.reference import buckets, dispositions
from app.services.contact.checklists import missing_items
from app.services.contact.escalations import acknowledge
from app.services.contact.promises import settle_due_promises
from app.services.plans.payments import record_payment
from app.services.portfolio.accounts import instalment_states, to_state
from app.services.portfolio.balances import balance_of
from app.services.sync.central import add_user, init_central
from app.services.sync.workstation import parse_server, sign_in
from app.services.team import export
from app.services.team.kpis import (
    DRILLS,
    NO_EMOTION,
    BucketMovement,
    ChecklistByEmotion,
    CollectorKpis,
    Drill,
    KpiReport,
    ReminderFigures,
    drill_down,
    team_report,
)
from tests.helpers.contacts import required
from tests.helpers.portfolio import ADMIN, BEIJING, Account, Portfolio
from tests.helpers.postgres import server_tls

START, END = date(2026, 10, 5), date(2026, 11, 8)
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=BEIJING)
PASSWORD = "correct horse battery"


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


@dataclass
class World:
    db: Database
    portfolio: Portfolio
    lead: uuid.UUID
    zhang: uuid.UUID
    li: uuid.UUID
    accounts: dict[str, Account]
    attempts: dict[str, uuid.UUID]
    team: str


def _attempt(
    db: Database,
    user: uuid.UUID,
    account: Account,
    when: datetime,
    code: str,
    *,
    emotion: str | None = None,
    talk: int = 0,
    after: int | None = None,
    complete: bool = True,
) -> uuid.UUID:
    ticked = list(required(emotion, code)) if emotion else []
    if not complete:
        ticked = ticked[:-1]
    with db.session() as session:
        row = ContactAttempt(
            loan_id=account.loan_id,
            borrower_id=account.borrower_id,
            contact_point_id=account.points["mobile"],
            user_id=user,
            channel="call",
            started_at=when,
            duration_seconds=talk,
            after_call_seconds=after,
            disposition=code,
            right_party=dispositions()[code].rpc,
            emotion=emotion,
            checklist=ticked,
            created_at=when + timedelta(seconds=talk),
        )
        session.add(row)
        session.flush()
        return row.id


def _promise(
    world_db: Database, account: Account, attempt: uuid.UUID, amount: str, due: date
) -> None:
    with world_db.session() as session:
        made = session.get_one(ContactAttempt, attempt)
        session.add(
            PromiseToPay(
                loan_id=account.loan_id,
                attempt_id=attempt,
                amount=Decimal(amount),
                promised_date=due,
                created_at=made.started_at + timedelta(minutes=5),
            )
        )


def _escalation(
    db: Database, user: uuid.UUID, account: Account, when: datetime, kind: str, attempt: Any
) -> uuid.UUID:
    with db.session() as session:
        row = Escalation(
            loan_id=account.loan_id,
            borrower_id=account.borrower_id,
            attempt_id=attempt,
            kind=kind,
            raised_by_id=user,
            raised_at=when,
        )
        session.add(row)
        session.flush()
        return row.id


def _block(db: Database, user: uuid.UUID, account: Account, when: datetime, rule: str) -> None:
    with db.session() as session:
        session.add(
            ContactBlock(
                loan_id=account.loan_id,
                borrower_id=account.borrower_id,
                contact_point_id=account.points["mobile"],
                user_id=user,
                at=when,
                channel="call",
                rule=rule,
            )
        )


def build(db: Database, li_name: str = "li.na") -> World:
    """The portfolio of the module docstring, through the models and the real services."""
    portfolio = Portfolio(db)
    lead, zhang = portfolio.lead, portfolio.collector
    li = portfolio.user(li_name, Role.COLLECTOR)
    owner = {"A": zhang, "B": zhang, "C": li, "D": zhang, "E": li, "F": zhang, "G": li}
    dpd = {"A": 10, "B": 28, "C": 5, "D": 0, "E": 40, "F": 0, "G": 3}
    accounts = {
        name: portfolio.account(today=START, dpd=dpd[name], assigned_to=owner[name], name=name)
        for name in owner
    }
    A, B, C, D, E, F = (accounts[name] for name in "ABCDEF")
    attempts = {
        "b0": _attempt(db, zhang, B, at(10, 4), "NA"),
        "a1": _attempt(db, zhang, A, at(10, 6), "NA"),
        "f1": _attempt(
            db, zhang, F, at(10, 6, 11), "CB", emotion="vulnerability", talk=120, after=30
        ),
        "b1": _attempt(db, zhang, B, at(10, 7), "PTP", emotion="calm", talk=300),
        "d1": _attempt(db, zhang, D, at(10, 10), "PTP", emotion="calm", talk=180, after=20),
        "b2": _attempt(
            db, zhang, B, at(10, 20), "HU", emotion="hostile", talk=45, after=15, complete=False
        ),
        "c1": _attempt(db, li, C, at(10, 15), "PTP", emotion="anxious", talk=240, after=60),
        "e1": _attempt(db, li, E, at(10, 22), "DSP", emotion="angry", talk=150, after=30),
        "e2": _attempt(db, li, E, at(10, 28), "WN", talk=30, after=10),
        "a2": _attempt(db, li, A, at(11, 2), "RTP", emotion="angry", talk=200, after=40),
        "g1": _attempt(db, lead, C, at(10, 25), "TPC", emotion="calm", talk=60),
    }
    _promise(db, B, attempts["b1"], "800", date(2026, 10, 12))
    _promise(db, D, attempts["d1"], "500", date(2026, 10, 14))
    _promise(db, C, attempts["c1"], "1000", date(2026, 10, 20))
    for contract, amount, paid_at in (
        (E.contract_no, "200", at(10, 5, 9)),
        (accounts["G"].contract_no, "1200", at(10, 5, 15)),
        (F.contract_no, "1100.16", at(10, 7)),
        (D.contract_no, "500", at(10, 15, 9)),
        (C.contract_no, "600", at(10, 19, 12)),
        (A.contract_no, "3000", at(11, 3, 11)),
        (F.contract_no, "1100.16", at(11, 7)),
    ):
        record_payment(db, ADMIN, contract, amount, paid_at, channel="alipay", now=NOW)
    with db.session() as session:
        settle_due_promises(session, NOW)
    raised = _escalation(db, zhang, F, at(10, 6, 11, 5), "vulnerability", attempts["f1"])
    acknowledge(db, "lead.wang", raised, "pause", now=at(10, 6, 15))
    _escalation(db, li, E, at(10, 22, 10, 5), "dispute", attempts["e1"])
    _escalation(db, zhang, B, at(10, 1), "vulnerability", None)
    _block(db, li, E, at(10, 21, 23), "cn.quiet_hours")
    _block(db, li, E, at(10, 30, 22, 30), "cn.quiet_hours")
    _block(db, zhang, B, at(10, 20, 11), "cn.connected_per_day")
    _block(db, li, E, at(10, 4, 23), "cn.quiet_hours")
    with db.reader() as session:
        team_name = session.get_one(Team, portfolio.team_id).name
    return World(db, portfolio, lead, zhang, li, accounts, attempts, team_name)


@pytest.fixture
def world(db: Database) -> World:
    return build(db)


def report_of(world: World, username: str = "lead.wang") -> KpiReport:
    return team_report(world.db, username, START, END, now=NOW)


def kpis(user_id: uuid.UUID | None, username: str, name: str, **figures: Any) -> CollectorKpis:
    return CollectorKpis(user_id=user_id, username=username, display_name=name, **figures)


# -- every figure, by hand ------------------------------------------------------------------


def test_each_collectors_figures_are_the_hand_computed_ones(world: World) -> None:
    report = report_of(world)
    by_name = {row.username: row for row in report.collectors}
    # The lead is listed for their one contact; display names sort lead.wang, li.na, zhang.wei.
    assert [row.username for row in report.collectors] == ["lead.wang", "li.na", "zhang.wei"]
    # zhang: attempts a1 f1 b1 d1 b2 = 5 (b0 is before the span); contacts f1 b1 d1 b2 = 4, all
    # right party; PTPs b1 d1 = 2 promising 800 + 500; due in the span: B's (broken) and D's
    # (kept a day late, within grace) = 2, 1 kept; collected D 500 + F 1,100.16 × 2 = 2,700.32;
    # handle 150 + 300 + 200 + 60 = 710 s over 4; checklists 3 of 4 (b2 lacks one); one
    # escalation (f1); one block.
    assert by_name["zhang.wei"] == kpis(
        world.zhang,
        "zhang.wei",
        "zhang.wei",
        attempts=5,
        contacts=4,
        rpcs=4,
        ptps=2,
        promises_due=2,
        promises_kept=1,
        promised_amount=Decimal("1300.00"),
        collected_amount=Decimal("2700.32"),
        handled=4,
        handle_seconds=710,
        checklist_required=4,
        checklist_complete=3,
        escalations=1,
        blocks=1,
    )
    # li: attempts c1 e1 e2 a2 = 4, all answered; right party c1 e1 a2 = 3 (WN is not); one PTP
    # of 1,000, due 10-20 and only 600 paid: not kept; collected C 600 + A 3,000 = 3,600 (A's
    # payment follows li's 11-02 call, not zhang's 10-06 one); handle 300 + 180 + 40 + 240 =
    # 760 s; checklists 3 of 4 (e2 has no emotion); one escalation; two blocks in the span.
    assert by_name["li.na"] == kpis(
        world.li,
        "li.na",
        "li.na",
        attempts=4,
        contacts=4,
        rpcs=3,
        ptps=1,
        promises_due=1,
        promises_kept=0,
        promised_amount=Decimal("1000.00"),
        collected_amount=Decimal("3600.00"),
        handled=4,
        handle_seconds=760,
        checklist_required=4,
        checklist_complete=3,
        escalations=1,
        blocks=2,
    )
    # The lead: one third-party contact, not right party, 60 s without after-call time.
    assert by_name["lead.wang"] == kpis(
        world.lead,
        "lead.wang",
        "lead.wang",
        attempts=1,
        contacts=1,
        rpcs=0,
        ptps=0,
        promises_due=0,
        promises_kept=0,
        promised_amount=Decimal("0.00"),
        collected_amount=Decimal("0.00"),
        handled=1,
        handle_seconds=60,
        checklist_required=1,
        checklist_complete=1,
        escalations=0,
        blocks=0,
    )


def test_team_totals_add_up_and_the_rates_are_the_ratios(world: World) -> None:
    report = report_of(world)
    total = report.total
    # E's ¥200 on 10-05 came before anyone worked E in the span: nobody's, not the team's.
    assert total == kpis(
        None,
        "",
        world.team,
        attempts=10,
        contacts=9,
        rpcs=7,
        ptps=3,
        promises_due=3,
        promises_kept=1,
        promised_amount=Decimal("2300.00"),
        collected_amount=Decimal("6300.32"),
        handled=9,
        handle_seconds=1530,
        checklist_required=9,
        checklist_complete=7,
        escalations=2,
        blocks=3,
    )
    assert total.contact_rate == Decimal("0.9000")  # 9 / 10
    assert total.rpc_rate == Decimal("0.7000")  # 7 / 10
    assert total.ptp_rate == Decimal("0.4286")  # 3 / 7
    assert total.ptp_kept_rate == Decimal("0.3333")  # 1 / 3
    assert total.average_handle_seconds == Decimal("170.0")  # 1530 / 9
    assert total.checklist_rate == Decimal("0.7778")  # 7 / 9
    lead = report.collector(world.lead)
    assert lead.ptp_rate is None and lead.ptp_kept_rate is None  # nothing to divide by


def test_cure_and_roll_by_bucket_count_an_account_that_rolls_twice_once(world: World) -> None:
    report = report_of(world)
    # zhang: M1 = A (cured) and B (M1 → M3: rolled, once); C = D (→ M2, rolled) and F (stays).
    # li: M1 = C (→ M2) and G (paid on the first day, still M1 at the start; M1 at the end),
    # M2 = E (→ M3). The team: the sums.
    # In the current bucket, "cured" is staying current: F.
    assert report.buckets == (
        BucketMovement(world.li, "M1", accounts=2, cured=0, rolled=1),
        BucketMovement(world.li, "M2", accounts=1, cured=0, rolled=1),
        BucketMovement(world.zhang, "C", accounts=2, cured=1, rolled=1),
        BucketMovement(world.zhang, "M1", accounts=2, cured=1, rolled=1),
        BucketMovement(None, "C", accounts=2, cured=1, rolled=1),
        BucketMovement(None, "M1", accounts=4, cured=1, rolled=2),
        BucketMovement(None, "M2", accounts=1, cured=0, rolled=1),
    )
    team_m1 = report.buckets[5]
    assert (team_m1.cure_rate, team_m1.roll_rate) == (Decimal("0.2500"), Decimal("0.5000"))


def test_checklists_escalations_blocks_and_the_unacknowledged_list(world: World) -> None:
    report = report_of(world)
    assert report.checklists == (
        ChecklistByEmotion(world.lead, "calm", required=1, complete=1),
        ChecklistByEmotion(world.li, "anxious", required=1, complete=1),
        ChecklistByEmotion(world.li, "angry", required=2, complete=2),
        ChecklistByEmotion(world.li, None, required=1, complete=0),
        ChecklistByEmotion(world.zhang, "calm", required=2, complete=2),
        ChecklistByEmotion(world.zhang, "hostile", required=1, complete=0),
        ChecklistByEmotion(world.zhang, "vulnerability", required=1, complete=1),
        ChecklistByEmotion(None, "calm", required=3, complete=3),
        ChecklistByEmotion(None, "anxious", required=1, complete=1),
        ChecklistByEmotion(None, "angry", required=2, complete=2),
        ChecklistByEmotion(None, "hostile", required=1, complete=0),
        ChecklistByEmotion(None, "vulnerability", required=1, complete=1),
        ChecklistByEmotion(None, None, required=1, complete=0),
    )
    escalations = [
        (row.user_id, row.kind, row.kind_text.en, row.raised, row.unacknowledged)
        for row in report.escalations
    ]
    assert escalations == [
        (world.li, "dispute", "Debt disputed: collection paused until resolved", 1, 1),
        (
            world.zhang,
            "vulnerability",
            "Vulnerability disclosed: review the collection pause",
            1,
            0,
        ),
        (None, "vulnerability", "Vulnerability disclosed: review the collection pause", 1, 0),
        (None, "dispute", "Debt disputed: collection paused until resolved", 1, 1),
    ]
    blocks = [(row.user_id, row.rule, row.rule_text.zh_CN, row.blocks) for row in report.blocks]
    quiet = "借款人当地时间22:00至次日08:00不得催收"
    per_day = "每位借款人每日接通的催收电话不超过3次（全体催收员合计）"
    assert blocks == [
        (world.li, "cn.quiet_hours", quiet, 2),
        (world.zhang, "cn.connected_per_day", per_day, 1),
        (None, "cn.connected_per_day", per_day, 1),
        (None, "cn.quiet_hours", quiet, 2),
    ]
    # Raised before the span and still open, then li's dispute; zhang's acknowledged one is not.
    opened = [(row.raised_at, row.kind, row.urgent, row.raised_by) for row in report.unacknowledged]
    assert opened == [
        (at(10, 1).astimezone(UTC), "vulnerability", False, "zhang.wei"),
        (at(10, 22, 10, 5).astimezone(UTC), "dispute", False, "li.na"),
    ]
    assert [row.contract_no for row in report.unacknowledged] == [
        world.accounts["B"].contract_no,
        world.accounts["E"].contract_no,
    ]


def test_the_daily_trend_covers_every_day_with_the_days_figures(world: World) -> None:
    report = report_of(world)
    assert [day.day for day in report.trend] == [
        START + timedelta(days=n) for n in range((END - START).days + 1)
    ]
    days = {day.day: (day.rpcs, day.ptps, day.collected) for day in report.trend}
    assert days[date(2026, 10, 5)] == (0, 0, Decimal("0.00"))  # E's payment is nobody's
    assert days[date(2026, 10, 6)] == (1, 0, Decimal("0.00"))  # f1
    assert days[date(2026, 10, 7)] == (1, 1, Decimal("1100.16"))  # b1; F paid
    assert days[date(2026, 10, 15)] == (1, 1, Decimal("500.00"))  # c1; D paid
    assert days[date(2026, 10, 19)] == (0, 0, Decimal("600.00"))
    assert days[date(2026, 11, 3)] == (0, 0, Decimal("3000.00"))
    assert sum(day.rpcs for day in report.trend) == report.total.rpcs
    assert sum(day.ptps for day in report.trend) == report.total.ptps
    assert sum(day.collected for day in report.trend) == report.total.collected_amount


def test_a_day_is_the_business_zones_day_not_utc(world: World) -> None:
    # At 07:30 Beijing on 10-08 it is still 10-07 in UTC: the contact counts on the 8th.
    _attempt(world.db, world.zhang, world.accounts["F"], at(10, 8, 7, 30), "HU", emotion="angry")
    # And 23:30 on 11-08 is the span's last half hour: inside.
    _attempt(world.db, world.li, world.accounts["E"], at(11, 8, 23, 30), "NA")
    # Midnight after the last day is outside.
    _attempt(world.db, world.li, world.accounts["E"], at(11, 9, 0, 0), "NA")
    report = report_of(world)
    days = {day.day: day.rpcs for day in report.trend}
    assert days[date(2026, 10, 8)] == 1
    assert report.collector(world.li).attempts == 4 + 1


def test_a_ticked_id_counts_whole_not_as_a_pattern(world: World) -> None:
    """'_' in an item id is a character, not any character: `all.calmXpolite` ticks nothing."""
    required_ids = list(required("calm", "PTP"))
    assert "all.calm_polite" in required_ids
    look_alike = [item.replace("all.calm_polite", "all.calmXpolite") for item in required_ids]
    made = _attempt(world.db, world.zhang, world.accounts["F"], at(10, 9), "PTP", emotion="calm")
    with world.db.session() as session:
        session.get_one(ContactAttempt, made).checklist = look_alike
    zhang = report_of(world).collector(world.zhang)
    assert (zhang.checklist_required, zhang.checklist_complete) == (4 + 1, 3)
    assert made in rows(world, Drill("checklist_incomplete", world.zhang, "calm"))


def test_an_assigned_account_without_a_schedule_is_in_no_bucket(world: World) -> None:
    """As before the buckets were read per account: an account whose schedule has not come
    (no instalments) has no DPD to band, and is left out of the bucket table."""
    before = report_of(world).buckets
    bare = world.portfolio.account(today=START, dpd=0, assigned_to=world.zhang, name="H")
    with world.db.session() as session:
        session.execute(delete(Instalment).where(Instalment.loan_id == bare.loan_id))
    assert report_of(world).buckets == before


@dataclass
class _Counted:
    attempts: int = 0
    contacts: int = 0
    rpcs: int = 0
    ptps: int = 0
    promised: Decimal = Decimal("0.00")
    handle: int = 0
    complete: int = 0
    collected: Decimal = Decimal("0.00")


def test_attempt_figures_agree_with_a_count_in_python_on_a_demo_book(tmp_path: Path) -> None:
    """On a demo book (every emotion and outcome, ticked checklists complete or not): each
    member's attempt figures, amounts collected, checklists by emotion and the daily trend are
    those counted here, row by row, from the attempts, promises and payments the ORM reads."""
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    db.upgrade()
    build_demo(db, accounts=400, seed=5, as_of=datetime(2026, 6, 10, 6, 0, tzinfo=UTC))
    first, last = date(2026, 5, 12), date(2026, 6, 9)
    lo = datetime.combine(first, datetime.min.time(), BEIJING)
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), BEIJING)
    codes = dispositions()
    counted: dict[uuid.UUID, _Counted] = {}
    by_emotion: Counter[tuple[uuid.UUID, str | None, str]] = Counter()
    trend: Counter[tuple[date, str]] = Counter()
    paid_by_day: dict[date, Decimal] = {}
    with db.reader() as session:
        lead = session.scalars(select(User).where(User.role == Role.TEAM_LEAD)).first()
        assert lead is not None
        members = set(session.scalars(select(User.id).where(User.team_id == lead.team_id)))
        attempts = session.scalars(
            select(ContactAttempt).where(
                ContactAttempt.user_id.in_(members),
                ContactAttempt.started_at >= lo,
                ContactAttempt.started_at < hi,
            )
        ).all()
        promised: dict[uuid.UUID, Decimal] = {}
        for promise in session.scalars(select(PromiseToPay)):
            if promise.attempt_id is not None:
                promised[promise.attempt_id] = (
                    promised.get(promise.attempt_id, Decimal("0.00")) + promise.amount
                )
        for row in attempts:
            code, mine = codes[row.disposition], counted.setdefault(row.user_id, _Counted())
            day = row.started_at.astimezone(BEIJING).date()
            mine.attempts += code.attempt
            mine.rpcs += code.rpc
            trend[(day, "rpcs")] += code.rpc
            if code.attempt and row.id in promised:
                mine.ptps += 1
                mine.promised += promised[row.id]
                trend[(day, "ptps")] += 1
            if code.contact:
                mine.contacts += 1
                mine.handle += row.duration_seconds + (row.after_call_seconds or 0)
                done = row.emotion is not None and not missing_items(
                    row.emotion, row.disposition, row.checklist
                )
                mine.complete += done
                by_emotion[(row.user_id, row.emotion, "required")] += 1
                by_emotion[(row.user_id, row.emotion, "complete")] += done
        # Each payment of the span to the member whose attempt on the loan came last before it.
        for payment in session.scalars(
            select(Payment).where(
                Payment.paid_at >= lo, Payment.paid_at < hi, Payment.reversed_at.is_(None)
            )
        ):
            before = [
                row
                for row in attempts
                if row.loan_id == payment.loan_id
                and row.started_at <= payment.paid_at
                and codes[row.disposition].attempt
            ]
            if before:
                latest = max(before, key=lambda row: (row.started_at, row.id.hex))
                counted[latest.user_id].collected += payment.amount
                day = payment.paid_at.astimezone(BEIJING).date()
                paid_by_day[day] = paid_by_day.get(day, Decimal("0.00")) + payment.amount
    report = team_report(db, lead.username, first, last)
    db.dispose()

    got = {
        row.user_id: _Counted(
            row.attempts,
            row.contacts,
            row.rpcs,
            row.ptps,
            row.promised_amount,
            row.handle_seconds,
            row.checklist_complete,
            row.collected_amount,
        )
        for row in report.collectors
        if row.attempts or row.collected_amount
    }
    assert got == counted
    assert {
        (row.user_id, row.emotion, what): getattr(row, what)
        for row in report.checklists
        if row.user_id is not None
        for what in ("required", "complete")
    } == {key: value for key, value in by_emotion.items()}
    assert [(day.day, day.rpcs, day.ptps, day.collected) for day in report.trend] == [
        (
            first + timedelta(days=n),
            trend[(first + timedelta(days=n), "rpcs")],
            trend[(first + timedelta(days=n), "ptps")],
            paid_by_day.get(first + timedelta(days=n), Decimal("0.00")),
        )
        for n in range((last - first).days + 1)
    ]
    # The book has what the figures tell apart: contacts with and without complete checklists,
    # several emotions, promises and payments credited.
    total = report.total
    assert 0 < total.checklist_complete < total.checklist_required
    assert len({emotion for _, emotion, _ in by_emotion}) > 3
    assert total.ptps > 0 and total.collected_amount > 0


def _bucket_on(states: list[Any], rate: Decimal, day: date, settled_by: date) -> str:
    """The bucket on `day` of a loan whose instalments settled after `settled_by` were not."""
    then = [
        replace(state, settled_on=None)
        if state.settled_on is not None and state.settled_on > settled_by
        else state
        for state in states
    ]
    return balance_of(then, day, rate).bucket


def test_buckets_agree_with_the_balance_the_account_screen_shows_on_a_demo_book(
    tmp_path: Path,
) -> None:
    """On the demo portfolio, the SQL's buckets at the start and the end are those
    `balances.balance_of` gives on those mornings, with the instalments settled by then."""
    db = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    db.upgrade()
    build_demo(db, accounts=400, seed=3, as_of=datetime(2026, 6, 10, 6, 0, tzinfo=UTC))
    first, last = date(2026, 5, 12), date(2026, 6, 10)
    with db.reader() as session:
        lead = session.scalars(select(User).where(User.role == Role.TEAM_LEAD)).first()
        assert lead is not None
        members = set(session.scalars(select(User.id).where(User.team_id == lead.team_id)))
        loans = session.scalars(select(Loan).where(Loan.assigned_to_id.in_(members))).all()
        expected: Counter[tuple[str, str]] = Counter()
        codes = [bucket.code for bucket in buckets()]
        for loan in loans:
            rows = [to_state(row) for row in instalment_states(session, loan.id)]
            # The morning of the first day (settled the day before at the latest), and the
            # morning after the last (settled on it at the latest).
            start = _bucket_on(rows, loan.penalty_rate_daily, first, first - timedelta(days=1))
            end = _bucket_on(rows, loan.penalty_rate_daily, last + timedelta(days=1), last)
            expected[(start, "accounts")] += 1
            expected[(start, "cured")] += end == codes[0]
            expected[(start, "rolled")] += codes.index(end) > codes.index(start)
    report = team_report(db, lead.username, first, last)
    got: Counter[tuple[str, str]] = Counter()
    for row in report.buckets:
        if row.user_id is None:
            got.update({(row.bucket, "accounts"): row.accounts})
            got.update({(row.bucket, "cured"): row.cured, (row.bucket, "rolled"): row.rolled})
    assert +got == +expected
    assert sum(row.accounts for row in report.buckets if row.user_id is None) > 100
    db.dispose()


# -- the contacts behind a figure -----------------------------------------------------------


def rows(world: World, drill: Drill, username: str = "lead.wang") -> list[uuid.UUID]:
    return [row.attempt_id for row in drill_down(world.db, username, START, END, drill)]


def test_drilling_into_counts_lists_exactly_the_contacts_counted(world: World) -> None:
    report = report_of(world)
    ids = world.attempts
    for user in (world.lead, world.zhang, world.li, None):
        figures = report.collector(user)
        for kpi in ("attempts", "contacts", "rpcs", "ptps", "handled", "checklist_required"):
            assert len(rows(world, Drill(kpi, user))) == getattr(figures, kpi), (kpi, user)
    assert rows(world, Drill("attempts", world.zhang)) == [
        ids["a1"],
        ids["f1"],
        ids["b1"],
        ids["d1"],
        ids["b2"],
    ]
    assert rows(world, Drill("ptps", world.li)) == [ids["c1"]]
    assert rows(world, Drill("promises_due", world.zhang)) == [ids["b1"], ids["d1"]]
    assert rows(world, Drill("promises_kept")) == [ids["d1"]]
    # The contacts credited: F's two payments both follow f1.
    assert rows(world, Drill("collected", world.zhang)) == [ids["f1"], ids["d1"]]
    assert rows(world, Drill("collected", world.li)) == [ids["c1"], ids["a2"]]
    assert rows(world, Drill("checklist_incomplete")) == [ids["b2"], ids["e2"]]
    assert rows(world, Drill("checklist_incomplete", key="hostile")) == [ids["b2"]]
    assert rows(world, Drill("checklist_incomplete", key=NO_EMOTION)) == [ids["e2"]]
    assert rows(world, Drill("checklist_required", world.li, "angry")) == [ids["e1"], ids["a2"]]
    assert rows(world, Drill("escalations", world.li)) == [ids["e1"]]
    assert rows(world, Drill("escalations", key="vulnerability")) == [ids["f1"]]


def test_drilling_into_rows_of_the_tables_and_days(world: World) -> None:
    report = report_of(world)
    ids = world.attempts
    # The team's contacts in the span on the accounts blocked: E's for quiet hours.
    quiet = next(
        row for row in report.blocks if (row.user_id, row.rule) == (None, "cn.quiet_hours")
    )
    assert rows(world, quiet.drill()) == [ids["e1"], ids["e2"]]
    zhang_m1 = next(
        row for row in report.buckets if row.user_id == world.zhang and row.bucket == "M1"
    )
    # A and B: a1, b1, b2, a2 (li's call on zhang's account counts: the team's contacts).
    assert rows(world, zhang_m1.drill()) == [ids["a1"], ids["b1"], ids["b2"], ids["a2"]]
    assert rows(world, zhang_m1.drill("cured")) == [ids["a1"], ids["a2"]]
    assert rows(world, zhang_m1.drill("rolled")) == [ids["b1"], ids["b2"]]
    assert rows(world, Drill("rolled", key="M2")) == [ids["e1"], ids["e2"]]
    no_emotion = next(
        row for row in report.checklists if row.user_id is None and row.emotion is None
    )
    assert rows(world, no_emotion.drill(incomplete=True)) == [ids["e2"]]
    day = next(day for day in report.trend if day.day == date(2026, 10, 7))
    assert rows(world, day.drill("day_rpcs")) == [ids["b1"]]
    assert rows(world, day.drill("day_ptps")) == [ids["b1"]]
    assert rows(world, day.drill("day_collected")) == [ids["f1"]]
    assert rows(world, Drill("day_collected", key="2026-11-03")) == [ids["a2"]]
    contact = drill_down(world.db, "lead.wang", START, END, Drill("ptps", world.zhang))[0]
    assert (contact.contract_no, contact.promise_amount, contact.checklist_complete) == (
        world.accounts["B"].contract_no,
        Decimal("800.00"),
        True,
    )


def test_every_drill_name_opens(world: World) -> None:
    for kpi in DRILLS:
        key = {"bucket_start": "M1", "cured": "M1", "rolled": "M1"}.get(kpi)
        if kpi.startswith("day_"):
            key = "2026-10-07"
        drill_down(world.db, "lead.wang", START, END, Drill(kpi, None, key))


def test_an_unknown_figure_a_bad_key_or_someone_elses_collector_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput, match="no figure “calls”"):
        drill_down(world.db, "lead.wang", START, END, Drill("calls"))
    with pytest.raises(InvalidInput, match="which bucket"):
        drill_down(world.db, "lead.wang", START, END, Drill("cured", key="M9"))
    with pytest.raises(InvalidInput, match="which day"):
        drill_down(world.db, "lead.wang", START, END, Drill("day_rpcs", key="2026-12-01"))
    with pytest.raises(NotFound, match="not a member"):
        drill_down(world.db, "lead.wang", START, END, Drill("rpcs", uuid.uuid4()))


# -- who may ask, and for what span ---------------------------------------------------------


def test_collectors_and_other_teams_leads_are_refused(world: World) -> None:
    with pytest.raises(NotAllowed, match="Only a team lead"):
        team_report(world.db, "zhang.wei", START, END)
    with pytest.raises(NotAllowed, match="Only a team lead"):
        drill_down(world.db, "li.na", START, END, Drill("rpcs"))
    with world.db.session() as session:
        session.add(Team(name="电催其他组"))
    with pytest.raises(NotAllowed, match="own team only"):
        team_report(world.db, "lead.wang", START, END, "电催其他组")


def test_an_administrator_opens_any_team(world: World) -> None:
    world.portfolio.user("root.admin", Role.ADMIN)
    report = team_report(world.db, "root.admin", START, END, world.team, now=NOW)
    assert report.total == report_of(world).total


def test_a_span_backwards_or_over_a_year_is_refused(world: World) -> None:
    with pytest.raises(InvalidDate, match="first day"):
        team_report(world.db, "lead.wang", END, START)
    with pytest.raises(InvalidInput, match="at most 366 days"):
        team_report(world.db, "lead.wang", date(2025, 1, 1), date(2026, 1, 2))
    # A whole leap year is fine.
    assert (
        len(team_report(world.db, "lead.wang", date(2028, 1, 1), date(2028, 12, 31)).trend) == 366
    )


def test_a_one_day_report(world: World) -> None:
    report = team_report(world.db, "lead.wang", date(2026, 11, 3), date(2026, 11, 3), now=NOW)
    assert report.total.collected_amount == Decimal("0.00")  # a2 (11-02) is before the span
    report = team_report(world.db, "lead.wang", date(2026, 11, 2), date(2026, 11, 3), now=NOW)
    assert report.total.collected_amount == Decimal("3000.00")
    assert [(day.rpcs, day.collected) for day in report.trend] == [
        (1, Decimal("0.00")),
        (0, Decimal("3000.00")),
    ]


# -- the same on PostgreSQL, as the lead's own login role ------------------------------------


def plain(report: KpiReport, names: dict[Any, str]) -> Any:
    """The report with user keys and the team's name swapped for `names`, and no escalation
    keys: comparable across databases."""
    data = asdict(replace(report, unacknowledged=()))

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [swap(item) for item in value]
        if isinstance(value, uuid.UUID) or value == report.team:
            return names.get(value, "?")
        return value

    opened = [
        (row.raised_at, row.kind, row.contract_no, row.raised_by) for row in report.unacknowledged
    ]
    return swap(data), opened


@pytest.fixture
def pg_world(pg_db: Database) -> Iterator[tuple[World, Database, str]]:
    init_central(pg_db)
    suffix = uuid.uuid4().hex[:8]
    world = build(pg_db, li_name="li.na")
    lead = f"kpi.lead.{suffix}"
    add_user(pg_db, lead, "team_lead", world.team, PASSWORD)
    url = make_url(pg_db.url)
    server = parse_server(f"127.0.0.1:{url.port or 5432}/{url.database}")
    as_lead = sign_in(server, lead, PASSWORD, server_tls())
    yield world, as_lead, lead
    as_lead.dispose()
    with pg_db.engine.begin() as connection:
        connection.exec_driver_sql(f'DROP OWNED BY "{lead}"')
        connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{lead}"')


def test_postgresql_through_row_level_security_gives_the_same_report(
    world: World, pg_world: tuple[World, Database, str]
) -> None:
    pg, as_lead, lead = pg_world
    on_sqlite = report_of(world)
    on_pg = team_report(as_lead, lead, START, END, now=NOW)
    names = {world.lead: "lead", world.zhang: "zhang", world.li: "li", world.team: "team"}
    pg_names = {pg.lead: "lead", pg.zhang: "zhang", pg.li: "li", pg.team: "team"}
    mine, opened = plain(on_sqlite, names)
    theirs, pg_opened = plain(on_pg, pg_names)
    assert theirs == mine
    # Contract numbers differ between the two builds; the rest of the list does not.
    assert [row[:2] + row[3:] for row in pg_opened] == [row[:2] + row[3:] for row in opened]
    # And a drill, as the same role.
    zhang_m1 = Drill("bucket_start", pg.zhang, "M1")
    behind = drill_down(as_lead, lead, START, END, zhang_m1)
    ids = pg.attempts
    assert [row.attempt_id for row in behind] == [ids["a1"], ids["b1"], ids["b2"], ids["a2"]]


# -- export and the command line ------------------------------------------------------------


def test_csv_export_reads_back_with_every_section(world: World, tmp_path: Path) -> None:
    report = report_of(world)
    out = tmp_path / "kpis.csv"
    export.write_report(report, out, "csv", "zh_CN")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 Chinese only with a BOM
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    sections = export.report_tables(report, "zh_CN")
    titles = [line[0] for line in lines if len(line) == 1 and line[0]]
    assert titles == [table.title for table in sections]
    collectors = sections[1]
    start = lines.index([collectors.title])
    header, *body = lines[start + 1 : start + 2 + len(collectors.rows)]
    assert header[0] == "催收员"
    zhang = next(line for line in body if line[1] == "zhang.wei")
    column = header.index
    assert zhang[column("尝试次数")] == "5"
    assert zhang[column("回款金额")] == "2700.32"
    assert zhang[column("接通率")] == "80.00%"
    assert body[-1][0] == "团队合计"
    assert body[-1][column("回款金额")] == "6300.32"


def test_xlsx_export_has_a_sheet_per_table_with_typed_cells(world: World, tmp_path: Path) -> None:
    report = report_of(world)
    out = tmp_path / "kpis.xlsx"
    export.write_report(report, out, "xlsx", "en")
    book = openpyxl.load_workbook(out)
    tables = export.report_tables(report, "en")
    assert book.sheetnames == [table.sheet for table in tables]
    sheet = book["Collectors"]
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.bold for cell in sheet[1])
    zhang = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "zhang.wei")
    cells = {name: zhang[index] for index, name in enumerate(header)}
    assert cells["Attempts"].value == 5
    assert cells["Collected"].value == pytest.approx(2700.32)
    assert cells["Collected"].number_format == "#,##0.00"
    assert cells["Contact rate"].value == pytest.approx(0.8)
    assert cells["Contact rate"].number_format == "0.00%"
    assert sheet.column_dimensions["A"].width > 8
    trend = book["Daily trend"]
    assert trend.max_row == 1 + 35


def test_json_export_is_plain_with_decimals_as_strings(world: World, tmp_path: Path) -> None:
    report = report_of(world)
    out = tmp_path / "kpis.json"
    export.write_report(report, out, "json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["team"] == world.team
    assert data["start"] == "2026-10-05"
    assert data["total"]["collected_amount"] == "6300.32"
    assert data["total"]["contact_rate"] == "0.9000"
    assert data["buckets"][0]["bucket"] == "M1"
    assert len(data["trend"]) == 35


def test_contact_list_export(world: World, tmp_path: Path) -> None:
    contacts = drill_down(world.db, "lead.wang", START, END, Drill("rpcs"))
    out = tmp_path / "contacts.xlsx"
    export.write_contacts(contacts, out, "xlsx", "zh_CN")
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    assert sheet.max_row == 1 + 7
    out = tmp_path / "contacts.csv"
    export.write_contacts(contacts, out, "csv", "en")
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(lines) == 1 + 7


def test_a_failed_export_leaves_no_file(world: World, tmp_path: Path) -> None:
    report = report_of(world)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="format"):
        export.write_report(report, folder / "kpis.pdf", "pdf")
    with pytest.raises(InvalidInput, match="does not exist"):
        export.write_report(report, folder / "missing" / "kpis.csv", "csv")
    with pytest.raises(InvalidInput, match="language"):
        export.write_report(report, folder / "kpis.csv", "csv", "fr")
    assert list(folder.iterdir()) == []


def _cli(data_dir: Path, *args: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def cli_world(tmp_path: Path) -> tuple[World, Path]:
    """The portfolio in the embedded database of a data folder the CLI opens."""
    folder = tmp_path / "data"
    folder.mkdir()
    from app.config import resolve

    db = Database(resolve(str(folder)).database_url)
    db.upgrade()
    world = build(db)
    db.dispose()
    return world, folder


def test_report_command_writes_each_format(cli_world: tuple[World, Path], tmp_path: Path) -> None:
    world, folder = cli_world
    base = ["report", "--user", "lead.wang", "--from", "2026-10-05", "--to", "2026-11-08"]
    out = tmp_path / "kpis.json"
    assert main(["--data-dir", str(folder), *base, "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["total"]["attempts"] == 10
    out = tmp_path / "kpis.xlsx"
    code, printed, _ = _cli(
        folder,
        *base,
        "--team",
        world.team,
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--language",
        "zh_CN",
    )
    assert code == 0 and str(out) in printed
    assert "催收员" in openpyxl.load_workbook(out).sheetnames
    out = tmp_path / "rpcs.csv"
    code, _, err = _cli(
        folder,
        *base,
        "--format",
        "csv",
        "--out",
        str(out),
        "--contacts",
        "rpcs",
        "--collector",
        "li.na",
    )
    assert code == 0, err
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 3


def test_report_command_refuses_bad_dates_and_collectors(
    cli_world: tuple[World, Path], tmp_path: Path
) -> None:
    _, folder = cli_world
    out = tmp_path / "kpis.csv"
    code, _, err = _cli(
        folder,
        "report",
        "--user",
        "lead.wang",
        "--from",
        "2026-13-01",
        "--to",
        "2026-11-08",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert code == EXIT_USAGE and "2026-13-01" in err
    code, _, err = _cli(
        folder,
        "report",
        "--user",
        "lead.wang",
        "--from",
        "2026-11-08",
        "--to",
        "2026-10-05",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert code == EXIT_USAGE and "after its last day" in err
    code, _, err = _cli(
        folder,
        "report",
        "--user",
        "zhang.wei",
        "--from",
        "2026-10-05",
        "--to",
        "2026-11-08",
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert code == 1 and "Only a team lead" in err
    assert not out.exists()


def test_a_text_cell_that_reads_as_a_formula_is_exported_as_text() -> None:
    from io import BytesIO

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    from app.services.team.export import MONEY, TEXT, Table, tables_csv, tables_xlsx

    table = Table(
        "contacts",
        "Contacts",
        "Contacts",
        ("Borrower", "Amount"),
        (TEXT, MONEY),
        (('=HYPERLINK("http://x")', Decimal("-5")), ("王芳", Decimal("12.5"))),
    )
    lines = tables_csv([table]).decode("utf-8-sig").splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",-5.00'
    sheet = load_workbook(BytesIO(tables_xlsx([table])))["Contacts"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5 and sheet["A3"].value == "王芳"


# -- the reminders the lender sent by itself -------------------------------------------------


def _reminded(world: World) -> dict[str, Account]:
    """Messages the dispatcher recorded (as its system login) in and around the span: on A
    (sent), B (delivered), C (failed), E (opted out) and an account in the team's pool (sent)
    inside it; on A before it, and on another team's account, which do not count."""
    db, portfolio = world.db, world.portfolio
    with db.session() as session:
        system = User(username="system.reminders", display_name="Reminders", role=Role.SYSTEM)
        other = Team(name="电催其他组")
        session.add_all([system, other])
        session.flush()
        stranger = User(username="other.one", display_name="other", role=Role.COLLECTOR)
        stranger.team_id = other.id
        session.add(stranger)
        session.flush()
        system_id, stranger_id = system.id, stranger.id
    extra = {
        "pooled": portfolio.account(today=START, dpd=12, pool=portfolio.team_id, name="池"),
        "theirs": portfolio.account(today=START, dpd=12, assigned_to=stranger_id, name="他"),
    }
    accounts = {**world.accounts, **extra}
    for name, code, when in (
        ("A", "SENT", at(10, 6, 9)),
        ("B", "DELIVERED", at(10, 7, 9)),
        ("C", "FAILED", at(10, 20, 9)),
        ("E", "OPTED-OUT", at(11, 8, 19)),
        ("pooled", "SENT", at(10, 9, 9)),
        ("A", "DELIVERED", at(10, 4, 9)),  # before the span
        ("theirs", "SENT", at(10, 9, 9)),  # another team's
    ):
        account = accounts[name]
        with db.session() as session:
            session.add(
                ContactAttempt(
                    loan_id=account.loan_id,
                    borrower_id=account.borrower_id,
                    contact_point_id=account.points["mobile"],
                    user_id=system_id,
                    channel="sms",
                    started_at=when,
                    duration_seconds=0,
                    disposition=code,
                    right_party=False,
                    checklist=[],
                    script_steps=[],
                )
            )
    return extra


def test_the_reminders_sent_on_the_teams_accounts_are_counted_apart_from_the_calls(
    world: World,
) -> None:
    before = report_of(world)
    assert before.reminders == ReminderFigures()
    _reminded(world)
    report = report_of(world)
    assert report.reminders == ReminderFigures(sent=5, delivered=1, failed=1, opted_out=1)
    assert report.reminders.delivered_rate == Decimal("0.2000")
    # The system login's messages are no member's attempts: every other figure stands.
    assert replace(report, reminders=ReminderFigures()) == replace(
        before, generated_at=report.generated_at
    )
    # The span's edges: a day holds what was sent on it, in Beijing.
    day = team_report(world.db, "lead.wang", date(2026, 11, 8), date(2026, 11, 8), now=NOW)
    assert day.reminders == ReminderFigures(sent=1, opted_out=1)
    assert ReminderFigures().delivered_rate is None


def test_postgresql_counts_the_same_reminders_as_the_lead(
    world: World, pg_world: tuple[World, Database, str]
) -> None:
    pg, as_lead, lead = pg_world
    _reminded(world)
    _reminded(pg)
    on_sqlite = report_of(world).reminders
    on_pg = team_report(as_lead, lead, START, END, now=NOW).reminders
    assert on_pg == on_sqlite == ReminderFigures(sent=5, delivered=1, failed=1, opted_out=1)
