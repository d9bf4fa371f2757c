"""The daily queue: ranking, reasons, blocked accounts and broken promises."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.database import Database
from app.models import AuditEvent, Loan, PromiseStatus, PromiseToPay
from app.services.contact.queue import build_queue
from app.services.plans.lapses import settle_lapsed
from app.services.portfolio.accounts import account_detail
from tests.helpers.portfolio import ADMIN, Portfolio

AT = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 28)


def test_queue_lists_overdue_and_pre_due_accounts_with_bucket_and_amount(
    db: Database, portfolio: Portfolio
) -> None:
    m1 = portfolio.account(today=TODAY, dpd=12)
    m3 = portfolio.account(today=TODAY, dpd=75)
    reminder = portfolio.account(today=TODAY, dpd=0)
    queue = build_queue(db, "zhang.wei", AT)
    by_contract = {entry.contract_no: entry for entry in queue.entries}
    assert set(by_contract) == {m1.contract_no, m3.contract_no, reminder.contract_no}
    assert (by_contract[m1.contract_no].dpd, by_contract[m1.contract_no].bucket) == (12, "M1")
    assert (by_contract[m3.contract_no].dpd, by_contract[m3.contract_no].bucket) == (75, "M3")
    assert by_contract[reminder.contract_no].bucket == "C"
    assert by_contract[reminder.contract_no].reasons[0].text().startswith("¥")
    m3_reasons = [reason.text() for reason in by_contract[m3.contract_no].reasons]
    assert any(text.startswith("M3 · ¥") and text.endswith("overdue") for text in m3_reasons)
    assert "never contacted" in m3_reasons


def test_queue_balance_matches_the_python_balance_of_the_account(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=47)
    entry = build_queue(db, "zhang.wei", AT).entries[0]
    balance = account_detail(db, "zhang.wei", account.contract_no, AT).balance
    assert (entry.principal, entry.interest, entry.penalty, entry.fees) == (
        balance.principal,
        balance.interest,
        balance.penalty,
        balance.fees,
    )
    assert entry.overdue_amount == balance.overdue
    assert balance.penalty > 0


def test_due_callback_comes_first_then_broken_promise_then_the_rest(
    db: Database, portfolio: Portfolio
) -> None:
    big = portfolio.account(today=TODAY, dpd=80, principal="90000")
    with_callback = portfolio.account(today=TODAY, dpd=3, principal="1000")
    broken = portfolio.account(today=TODAY, dpd=5, principal="1000")
    portfolio.callback(with_callback, AT - timedelta(minutes=15))
    portfolio.promise(broken, "500", TODAY - timedelta(days=2), AT - timedelta(days=5))
    settle_lapsed(db, AT)
    queue = build_queue(db, "zhang.wei", AT)
    order = [entry.contract_no for entry in queue.entries]
    assert order == [with_callback.contract_no, broken.contract_no, big.contract_no]
    assert queue.entries[0].reasons[0].text() == "callback due 09:45"
    assert queue.entries[1].reasons[0].text() == "promise broken yesterday"
    assert [entry.rank for entry in queue.entries] == [1, 2, 3]


def test_a_lapsed_promise_becomes_broken_once_and_is_audited(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=5)
    promise_id = portfolio.promise(
        account, "500", TODAY - timedelta(days=2), AT - timedelta(days=5)
    )
    on_time = portfolio.promise(account, "300", TODAY, AT - timedelta(days=1))
    settle_lapsed(db, AT)
    with db.reader() as session:
        statuses = dict(session.execute(select(PromiseToPay.id, PromiseToPay.status)).all())
    assert statuses[promise_id] is PromiseStatus.BROKEN
    assert statuses[on_time] is PromiseStatus.PENDING


def test_partly_kept_promise_says_how_much_was_paid(db: Database, portfolio: Portfolio) -> None:
    from app.services.plans.payments import record_payment

    account = portfolio.account(today=TODAY, dpd=20)
    portfolio.promise(account, "800", TODAY - timedelta(days=3), AT - timedelta(days=6))
    record_payment(db, ADMIN, account.contract_no, "300", AT - timedelta(days=4), now=AT)
    entry = build_queue(db, "zhang.wei", AT).entries[0]
    assert entry.tier == "promise_broken"
    assert entry.reasons[0].text() == "promise partly kept: ¥300 of ¥800"


def test_blocked_accounts_stay_in_the_queue_with_rule_and_next_time(
    db: Database, portfolio: Portfolio
) -> None:
    ceased = portfolio.account(today=TODAY, dpd=30, cease_requested=True)
    open_account = portfolio.account(today=TODAY, dpd=30)
    late = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)  # 22:30 Beijing
    entries = {e.contract_no: e for e in build_queue(db, "zhang.wei", late).entries}
    assert entries[ceased.contract_no].contact.decision.rule_id == "cn.stop.cease"
    assert entries[ceased.contract_no].contact.decision.next_allowed_at is None
    quiet = entries[open_account.contract_no].contact
    assert (quiet.allowed, quiet.decision.rule_id) == (False, "cn.quiet_hours")
    assert quiet.decision.next_allowed_at == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


def test_caps_count_every_collectors_calls_to_the_borrower(
    db: Database, portfolio: Portfolio
) -> None:
    other = portfolio.user("li.na")
    account = portfolio.account(today=TODAY, dpd=9)
    for minutes in (10, 20, 30):
        portfolio.attempt(account, AT - timedelta(minutes=minutes), "RTP", user=other)
    entry = build_queue(db, "zhang.wei", AT).entries[0]
    assert entry.contact.decision.rule_id == "cn.connected_per_day"
    assert not entry.contact.allowed


def test_a_second_number_keeps_the_account_callable(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(
        today=TODAY, dpd=9, numbers={"mobile": "13812345678", "home": "010 6512 3456"}
    )
    for minutes in range(6):
        portfolio.attempt(account, AT - timedelta(minutes=minutes + 1), "NA")
    entry = build_queue(db, "zhang.wei", AT).entries[0]
    assert entry.contact.allowed
    assert entry.contact.contact_point_id == account.points["home"]


def test_days_since_contact_raise_the_score(db: Database, portfolio: Portfolio) -> None:
    recent = portfolio.account(today=TODAY, dpd=10, principal="5000")
    stale = portfolio.account(today=TODAY, dpd=10, principal="5000")
    portfolio.attempt(recent, AT - timedelta(days=1), "RTP")
    portfolio.attempt(stale, AT - timedelta(days=6), "RTP")
    entries = {e.contract_no: e for e in build_queue(db, "zhang.wei", AT).entries}
    assert entries[stale.contract_no].score > entries[recent.contract_no].score
    assert "no contact for 6 days" in [r.text() for r in entries[stale.contract_no].reasons]


def test_team_lead_sees_the_team_and_a_collector_only_their_own(
    db: Database, portfolio: Portfolio
) -> None:
    other = portfolio.user("li.na")
    mine = portfolio.account(today=TODAY, dpd=9)
    theirs = portfolio.account(today=TODAY, dpd=9, assigned_to=other)
    assert [e.contract_no for e in build_queue(db, "zhang.wei", AT).entries] == [mine.contract_no]
    team = {e.contract_no for e in build_queue(db, "lead.wang", AT).entries}
    assert team == {mine.contract_no, theirs.contract_no}


def test_ordering_is_deterministic_for_equal_scores(db: Database, portfolio: Portfolio) -> None:
    accounts = [portfolio.account(today=TODAY, dpd=15, principal="6000") for _ in range(4)]
    # Rename so that insertion order is the reverse of contract order.
    with db.session() as session:
        for index, account in enumerate(accounts):
            session.get_one(Loan, account.loan_id).contract_no = f"Z{9 - index}"
    first = [e.contract_no for e in build_queue(db, "zhang.wei", AT).entries]
    assert first == ["Z6", "Z7", "Z8", "Z9"]
    assert first == [e.contract_no for e in build_queue(db, "zhang.wei", AT).entries]


def test_limit_cuts_the_ranked_list(db: Database, portfolio: Portfolio) -> None:
    for dpd in (5, 40, 70):
        portfolio.account(today=TODAY, dpd=dpd)
    entries = build_queue(db, "zhang.wei", AT, limit=2).entries
    assert [e.rank for e in entries] == [1, 2]


def test_overdue_amount_is_exact_decimal(db: Database, portfolio: Portfolio) -> None:
    portfolio.account(today=TODAY, dpd=40)
    entry = build_queue(db, "zhang.wei", AT).entries[0]
    assert isinstance(entry.overdue_amount, Decimal)
    assert entry.overdue_amount == entry.overdue_amount.quantize(Decimal("0.01"))


def test_settling_a_future_moment_breaks_no_promise(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=5)
    promise_id = portfolio.promise(account, "500", TODAY + timedelta(days=3), AT)
    settle_lapsed(db, AT + timedelta(days=10), now=AT)
    with db.reader() as session:
        assert session.get_one(PromiseToPay, promise_id).status is PromiseStatus.PENDING
    # Once that moment has come, it does.
    later = AT + timedelta(days=10)
    settle_lapsed(db, later, now=later)
    with db.reader() as session:
        assert session.get_one(PromiseToPay, promise_id).status is PromiseStatus.BROKEN


def test_reading_the_queue_writes_nothing(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=5)
    promise_id = portfolio.promise(
        account, "500", TODAY - timedelta(days=2), AT - timedelta(days=5)
    )
    with db.reader() as session:
        audited = session.scalar(select(func.count()).select_from(AuditEvent))
    build_queue(db, "zhang.wei", AT)
    with db.reader() as session:
        assert session.get_one(PromiseToPay, promise_id).status is PromiseStatus.PENDING
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audited
