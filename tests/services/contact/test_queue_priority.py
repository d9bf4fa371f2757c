"""A team lead's priority override in the collector's queue: top beats every tier, low sinks,
and an override counts only while in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from app.database import Database
from app.services.contact.queue import AccountFacts, LeadPriority, build_queue, ordering_key
from app.services.plans.lapses import settle_lapsed
from app.services.plans.lifecycle import breaks_at, save_plan, sign_plan
from app.services.plans.offers import PlanTerms
from app.services.team.assignment import clear_priority, priority_until, set_priority
from tests.helpers.agreements import issue
from tests.helpers.portfolio import Portfolio
from tests.services.contact.test_queue_ordering import entry, facts

AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 28)
BEIJING = ZoneInfo("Asia/Shanghai")
LEAD = "lead.wang"


def test_a_top_override_outranks_a_broken_plan(db: Database, portfolio: Portfolio) -> None:
    broken = portfolio.account(today=TODAY, dpd=40)
    small = portfolio.account(today=TODAY, dpd=3, principal="1000")
    terms = PlanTerms("instalments", TODAY + timedelta(days=7), "monthly", 2)  # type: ignore[arg-type]
    plan = save_plan(db, "zhang.wei", broken.contract_no, terms, now=AT)
    issue(db, "zhang.wei", plan.id, now=AT)
    sign_plan(db, "zhang.wei", plan.id, now=AT)
    deadline = breaks_at(plan.lines[0].due_date)
    until = deadline.astimezone(BEIJING).date() + timedelta(days=1)
    set_priority(
        db, LEAD, [small.contract_no], "top", "Called the lead.", priority_until(until), now=AT
    )
    settle_lapsed(db, deadline, now=deadline)
    queue = build_queue(db, "zhang.wei", deadline, now=deadline)
    assert [e.contract_no for e in queue.entries] == [small.contract_no, broken.contract_no]
    top, second = queue.entries
    assert top.reasons[0].key == "override_top"
    assert top.reasons[0].text() == f"team lead priority until {until:%m-%d}"
    assert top.reasons[0].text("zh_CN") == f"组长指定优先，至{until:%m-%d}"
    assert top.priority == LeadPriority("top", priority_until(until))
    assert top.as_json()["priority"]["level"] == "top"
    # Its own situation is still explained after the lead's word.
    assert any(reason.key == "overdue" for reason in top.reasons[1:])
    assert second.tier == "plan_broken" and second.priority is None


def test_low_sinks_an_account_and_high_lifts_one_within_its_tier(
    db: Database, portfolio: Portfolio
) -> None:
    big = portfolio.account(today=TODAY, dpd=60, principal="90000")
    middle = portfolio.account(today=TODAY, dpd=40, principal="24000")
    small = portfolio.account(today=TODAY, dpd=10, principal="2000")
    before = [e.contract_no for e in build_queue(db, "zhang.wei", AT, now=AT).entries]
    assert before == [big.contract_no, middle.contract_no, small.contract_no]
    until = AT + timedelta(days=2)
    set_priority(db, LEAD, [big.contract_no], "low", "Paying by plan.", until, now=AT)
    set_priority(db, LEAD, [small.contract_no], "high", "Salary today.", until, now=AT)
    queue = build_queue(db, "zhang.wei", AT, now=AT)
    assert [e.contract_no for e in queue.entries] == [
        small.contract_no,
        middle.contract_no,
        big.contract_no,
    ]
    assert queue.entries[-1].reasons[0].key == "override_low"


def test_an_expired_or_cleared_override_is_ignored(db: Database, portfolio: Portfolio) -> None:
    big = portfolio.account(today=TODAY, dpd=60, principal="90000")
    small = portfolio.account(today=TODAY, dpd=10, principal="2000")
    until = AT + timedelta(hours=2)
    set_priority(db, LEAD, [small.contract_no], "top", "Before noon.", until, now=AT)
    queue = build_queue(db, "zhang.wei", AT, now=AT)
    assert queue.entries[0].contract_no == small.contract_no
    # Nothing else changes sooner (both callable until 22:00): the window re-ranks at the expiry.
    assert queue.next_change_at == until
    lapsed = build_queue(db, "zhang.wei", until, now=until)
    assert [e.contract_no for e in lapsed.entries] == [big.contract_no, small.contract_no]
    assert all(e.priority is None for e in lapsed.entries)
    assert all(not r.key.startswith("override") for e in lapsed.entries for r in e.reasons)
    clear_priority(db, LEAD, [small.contract_no], now=AT + timedelta(minutes=1))
    cleared = build_queue(db, "zhang.wei", AT + timedelta(minutes=1), now=AT + timedelta(minutes=1))
    assert cleared.entries[0].contract_no == big.contract_no


def test_an_override_until_midnight_reads_as_the_last_day_else_with_its_time(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=10)
    noon = datetime.combine(TODAY + timedelta(days=1), time(12), tzinfo=BEIJING)
    set_priority(db, LEAD, [account.contract_no], "high", "x", noon, now=AT)
    [entry_] = build_queue(db, "zhang.wei", AT, now=AT).entries
    assert entry_.reasons[0].text() == "raised by the team lead until 11-29 12:00"


@given(facts(), st.lists(facts(), max_size=20), st.booleans())
def test_a_top_override_outranks_every_account_without_one(
    top: AccountFacts, others: list[AccountFacts], plan_broken: bool
) -> None:
    until = datetime(2026, 12, 1, tzinfo=UTC)
    lifted = replace(top, contract_no="ZZ-TOP", priority=LeadPriority("top", until))
    rest = [
        replace(item, broken_plan_on=TODAY - timedelta(days=1) if plan_broken else None)
        for item in others
        if item.contract_no != lifted.contract_no
    ]
    ranked = sorted(map(entry, [*rest, lifted]), key=ordering_key)
    assert ranked[0].contract_no == "ZZ-TOP"
