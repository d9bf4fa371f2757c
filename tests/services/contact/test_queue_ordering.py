"""Ordering invariants of the queue score, over generated accounts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from app.services.contact.compliance import Decision
from app.services.contact.queue import AccountFacts, ContactStatus, QueueEntry, ordering_key, score

TODAY = date(2026, 11, 28)
ZONE = ZoneInfo("Asia/Shanghai")


@st.composite
def facts(draw: st.DrawFn) -> AccountFacts:
    dpd = draw(st.integers(min_value=0, max_value=400))
    overdue = Decimal(draw(st.integers(min_value=1 if dpd else 0, max_value=10_000_000))) / 100
    callback = draw(st.booleans())
    broken = draw(st.booleans())
    last = draw(st.none() | st.integers(min_value=0, max_value=60))
    return AccountFacts(
        loan_id=uuid.UUID(int=draw(st.integers(min_value=0, max_value=2**64))),
        contract_no=f"CW{draw(st.integers(min_value=0, max_value=10**6)):08d}",
        currency="CNY",
        dpd=dpd,
        overdue=overdue if dpd else Decimal(0),
        next_due=None if dpd else TODAY + timedelta(days=2),
        callback_due_at=datetime(2026, 11, 28, 1, 30, tzinfo=UTC) if callback else None,
        broken_promise_on=TODAY - timedelta(days=1) if broken else None,
        promise_due_today=Decimal("100.00") if draw(st.booleans()) else None,
        last_contact_on=None if last is None else TODAY - timedelta(days=last),
    )


def entry(item: AccountFacts) -> QueueEntry:
    total, tier, reasons = score(item, TODAY, ZONE)
    return QueueEntry(
        rank=0,
        loan_key=item.loan_id,
        contract_no=item.contract_no,
        borrower_key=item.loan_id,
        borrower="",
        dpd=item.dpd,
        bucket="",
        overdue_amount=item.overdue,
        principal=item.overdue,
        interest=Decimal(0),
        penalty=Decimal(0),
        fees=Decimal(0),
        score=total,
        tier=tier,
        reasons=reasons,
        contact=ContactStatus(True, Decision(True), None),
    )


@given(st.lists(facts(), max_size=40, unique_by=lambda f: f.contract_no))
def test_callbacks_then_broken_promises_then_the_rest(items: list[AccountFacts]) -> None:
    ranked = sorted((entry(item) for item in items), key=ordering_key)
    tiers = [
        0 if e.tier == "callback_due" else 1 if e.tier == "promise_broken" else 2 for e in ranked
    ]
    assert tiers == sorted(tiers)


@given(st.lists(facts(), max_size=40, unique_by=lambda f: f.contract_no), st.randoms())
def test_order_does_not_depend_on_input_order(items: list[AccountFacts], rnd: object) -> None:
    first = [e.contract_no for e in sorted(map(entry, items), key=ordering_key)]
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert first == [e.contract_no for e in sorted(map(entry, shuffled), key=ordering_key)]


@given(facts(), st.integers(min_value=1, max_value=30))
def test_longer_silence_never_lowers_the_score(item: AccountFacts, extra_days: int) -> None:
    if item.last_contact_on is None:
        return
    quieter = AccountFacts(
        **{**item.__dict__, "last_contact_on": item.last_contact_on - timedelta(days=extra_days)}
    )
    assert score(quieter, TODAY, ZONE)[0] >= score(item, TODAY, ZONE)[0]


@given(facts())
def test_every_account_explains_itself(item: AccountFacts) -> None:
    _, tier, reasons = score(item, TODAY, ZONE)
    assert reasons
    assert all(reason.text() and reason.text("zh_CN") for reason in reasons)
    if tier == "callback_due":
        assert reasons[0].key == "callback_due"
