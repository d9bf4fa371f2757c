"""A collector's own day: its figures are the lead's dashboard row for them on the same day,
days are the lender's (Beijing) days, and what is due is exactly what the queue will bring.

The day is Saturday 28 November 2026 in Beijing (UTC+8): it runs from 27 November 16:00 UTC to
28 November 16:00 UTC. zhang.wei and li.na collect in lead.wang's team.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from app.database import Database
from app.models import Callback, Loan, LoanStatus, PromiseStatus, Role
from app.services.common.errors import NotFound
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.contact.my_day import (
    EndOfDay,
    end_of_day,
    my_day,
    start_of_day,
)
from app.services.sync import engine as sync
from app.services.sync.local_store import open_local_store, passphrase_key
from app.services.team.kpis import CollectorKpis, team_report
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import BEIJING, Account, Portfolio
from tests.helpers.sync_world import central_on

DAY = date(2026, 11, 28)
TOMORROW = DAY + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    """A moment of `day` in Beijing."""
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=BEIJING)


@dataclass
class Team:
    portfolio: Portfolio
    zhang: uuid.UUID
    li: uuid.UUID
    mine: list[Account]  # zhang's accounts
    theirs: list[Account]  # li's


@pytest.fixture
def team(portfolio: Portfolio) -> Team:
    li = portfolio.user("li.na", Role.COLLECTOR)
    # One borrower (and number) per account, so no borrower reaches the daily cap.
    mine = [
        portfolio.account(
            today=DAY, dpd=20, name=f"借款人{n}", numbers={"mobile": f"1381234{n:04d}"}
        )
        for n in range(7)
    ]
    theirs = [
        portfolio.account(
            today=DAY,
            dpd=20,
            name=f"他人{n}",
            numbers={"mobile": f"1391234{n:04d}"},
            assigned_to=li,
        )
        for n in range(2)
    ]
    return Team(portfolio, portfolio.collector, li, mine, theirs)


def figures(end: EndOfDay) -> tuple[int, int, int, int, Decimal]:
    return end.attempts, end.contacts, end.rpcs, end.ptps, sum(end.promised.values(), Decimal(0))


def row_figures(row: CollectorKpis) -> tuple[int, int, int, int, Decimal]:
    return row.attempts, row.contacts, row.rpcs, row.ptps, row.promised_amount


def work_the_day(db: Database, team: Team) -> None:
    """zhang's and li's calls of the day, through the service the window saves them with."""
    a = team.mine
    promise = PromiseInput("1500.00", DAY + timedelta(days=3))
    small = PromiseInput("800.50", DAY + timedelta(days=5))
    record_contact(db, outcome(a[0], "NA", started_at=at(DAY, 9)), now=NOW)
    record_contact(db, outcome(a[1], "BUSY", started_at=at(DAY, 9, 5)), now=NOW)
    record_contact(db, outcome(a[2], "TPC", started_at=at(DAY, 9, 10)), now=NOW)
    record_contact(db, outcome(a[3], "PTP", started_at=at(DAY, 9, 20), promise=promise), now=NOW)
    record_contact(db, outcome(a[4], "PTP", started_at=at(DAY, 9, 40), promise=small), now=NOW)
    record_contact(
        db, outcome(a[5], "CB", started_at=at(DAY, 10), callback_at=at(TOMORROW, 10, 30)), now=NOW
    )
    # li's own day, one call of it on zhang's account: li's, not zhang's.
    theirs = PromiseInput("300.00", DAY + timedelta(days=2))
    record_contact(
        db,
        outcome(team.theirs[0], "PTP", username="li.na", started_at=at(DAY, 9), promise=theirs),
        now=NOW,
    )
    team.portfolio.attempt(a[6], at(DAY, 10, 15), "RTP", user=team.li)


def test_a_collectors_day_is_the_leads_dashboard_row_for_them(db: Database, team: Team) -> None:
    work_the_day(db, team)
    report = team_report(db, "lead.wang", DAY, DAY, now=NOW)

    zhang = my_day(db, "zhang.wei", DAY).end
    # Six calls, four answered (TPC, PTP, PTP, CB), three by the borrower, two promises.
    assert figures(zhang) == (6, 4, 3, 2, Decimal("2300.50"))
    assert figures(zhang) == row_figures(report.collector(team.zhang))
    assert zhang.promised == {"CNY": Decimal("2300.50")}
    assert [(item.code, item.count) for item in zhang.outcomes] == [
        ("NA", 1),
        ("BUSY", 1),
        ("TPC", 1),
        ("PTP", 2),
        ("CB", 1),
    ]
    assert [item.text.en for item in zhang.outcomes][:2] == ["No answer", "Busy"]
    assert zhang.outcomes[3].text.zh_CN == "承诺还款"

    li = end_of_day(db, "li.na", DAY)
    assert figures(li) == (2, 2, 2, 1, Decimal("300.00"))
    assert figures(li) == row_figures(report.collector(team.li))


def test_an_attempt_just_before_midnight_in_beijing_is_that_days_and_one_after_the_next(
    db: Database, team: Team
) -> None:
    account = team.mine[0]
    # Both in quiet hours, so put straight in the table as a team lead's correction would be.
    last_instant = at(DAY, 23, 59, 59, 999_999)
    after_midnight = at(TOMORROW, 0, 10)  # still 28 November in UTC (16:10)
    before_the_day = at(DAY, 0, 0) - timedelta(microseconds=1)
    team.portfolio.attempt(account, last_instant, "HU")
    team.portfolio.attempt(account, after_midnight, "NA")
    team.portfolio.attempt(account, before_the_day, "BUSY")
    assert after_midnight.astimezone(UTC).date() == DAY

    today = my_day(db, "zhang.wei", DAY).end
    assert [(item.code, item.count) for item in today.outcomes] == [("HU", 1)]
    assert (today.attempts, today.contacts, today.rpcs) == (1, 1, 1)
    tomorrow = my_day(db, "zhang.wei", TOMORROW).end
    assert [(item.code, item.count) for item in tomorrow.outcomes] == [("NA", 1)]
    yesterday = my_day(db, "zhang.wei", DAY - timedelta(days=1)).end
    assert [(item.code, item.count) for item in yesterday.outcomes] == [("BUSY", 1)]
    # The dashboard puts each on the same day.
    for day, mine in ((DAY, today), (TOMORROW, tomorrow)):
        row = team_report(db, "lead.wang", day, day, now=NOW).collector(team.zhang)
        assert figures(mine) == row_figures(row)


def test_the_day_defaults_to_the_business_day_of_now(db: Database, team: Team) -> None:
    # 16:30 UTC on 28 November is 00:30 on the 29th in Beijing.
    late = datetime(2026, 11, 28, 16, 30, tzinfo=UTC)
    assert my_day(db, "zhang.wei", now=late).day == TOMORROW
    assert my_day(db, "zhang.wei", now=late).zone == "Asia/Shanghai"


def callback(
    db: Database, account: Account, due: datetime, user: uuid.UUID, done: datetime | None = None
) -> uuid.UUID:
    with db.session() as session:
        row = Callback(loan_id=account.loan_id, user_id=user, due_at=due, done_at=done)
        session.add(row)
        session.flush()
        return row.id


def test_due_today_lists_exactly_the_open_callbacks_and_pending_promises_of_the_day(
    db: Database, team: Team
) -> None:
    p = team.portfolio
    a = team.mine
    # Callbacks: due today (Beijing) on zhang's accounts and still open, whoever set them.
    callback(db, a[0], at(DAY, 15, 30), team.zhang)
    callback(db, a[1], at(DAY, 7, 30), team.zhang)  # 27 November 23:30 UTC: still today
    callback(db, a[2], at(DAY, 9), team.li)  # set by li, on zhang's account
    callback(db, a[3], at(DAY, 10), team.zhang, done=at(DAY, 10, 5))  # answered already
    callback(db, a[4], at(DAY, 0) - timedelta(minutes=1), team.zhang)  # yesterday's
    callback(db, a[5], at(TOMORROW, 0), team.zhang)  # tomorrow's first minute
    callback(db, team.theirs[0], at(DAY, 11), team.li)  # li's account
    settled = p.account(today=DAY, dpd=20, numbers={"mobile": "13700009999"})
    callback(db, settled, at(DAY, 11), team.zhang)
    with db.session() as session:
        session.execute(
            update(Loan).where(Loan.id == settled.loan_id).values(status=LoanStatus.SETTLED)
        )
    # Promises: pending and dated today on zhang's accounts, largest first.
    made = at(DAY, 0) - timedelta(days=3)
    p.promise(a[0], "500.00", DAY, made)
    p.promise(a[6], "2000.00", DAY, made)
    p.promise(a[1], "700.00", DAY, made, status=PromiseStatus.KEPT)
    p.promise(a[2], "900.00", TOMORROW, made)
    p.promise(a[3], "900.00", DAY - timedelta(days=1), made)
    p.promise(team.theirs[1], "900.00", DAY, made)

    start = start_of_day(db, "zhang.wei", DAY)
    assert [(item.contract_no, item.due_at) for item in start.callbacks] == [
        (a[1].contract_no, at(DAY, 7, 30)),
        (a[2].contract_no, at(DAY, 9)),
        (a[0].contract_no, at(DAY, 15, 30)),
    ]
    assert start.callbacks[0].key == a[1].loan_id.hex
    assert start.callbacks[0].borrower == "借款人1"
    assert [(item.contract_no, item.amount, item.currency) for item in start.promises] == [
        (a[6].contract_no, Decimal("2000.00"), "CNY"),
        (a[0].contract_no, Decimal("500.00"), "CNY"),
    ]
    assert start.promises[0].key == a[6].loan_id.hex
    assert not start.empty
    # The end of the day lists the callbacks due the next day: the next day's start.
    end = end_of_day(db, "zhang.wei", DAY)
    assert [(item.contract_no, item.due_at) for item in end.callbacks_tomorrow] == [
        (a[5].contract_no, at(TOMORROW, 0))
    ]
    assert end.callbacks_tomorrow == start_of_day(db, "zhang.wei", TOMORROW).callbacks
    assert start_of_day(db, "li.na", TOMORROW).empty


def test_an_unknown_user_is_told_so(db: Database) -> None:
    with pytest.raises(NotFound, match="nobody"):
        my_day(db, "nobody", DAY)


PASSPHRASE = "my day: the copy's passphrase"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Database]:
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    sync.install_clock(central)
    yield central
    central.dispose()


def test_the_day_worked_offline_on_the_copy_is_the_leads_row_after_the_sync(
    central: Database, tmp_path: Path
) -> None:
    portfolio = Portfolio(central)
    team = Team(portfolio, portfolio.collector, portfolio.user("li.na"), [], [])
    team.mine.extend(
        portfolio.account(
            today=DAY, dpd=20, name=f"借款人{n}", numbers={"mobile": f"1381234{n:04d}"}
        )
        for n in range(7)
    )
    team.theirs.extend(
        portfolio.account(
            today=DAY, dpd=20, numbers={"mobile": f"1391234{n:04d}"}, assigned_to=team.li
        )
        for n in range(2)
    )
    callback(central, team.mine[0], at(DAY, 14), team.zhang)
    portfolio.promise(team.mine[1], "640.00", DAY, at(DAY, 0) - timedelta(days=2))
    copy = open_local_store(tmp_path / "copy", passphrase_key(PASSPHRASE))
    try:
        sync.sync(copy, central, "zhang.wei")
        # The start of the shift, read on the copy: what the central database has due.
        assert my_day(copy, "zhang.wei", DAY).start == my_day(central, "zhang.wei", DAY).start
        assert [item.contract_no for item in start_of_day(copy, "zhang.wei", DAY).promises] == [
            team.mine[1].contract_no
        ]
        # The shift worked offline: zhang's calls go to the copy only.
        a = team.mine
        record_contact(copy, outcome(a[0], "NA", started_at=at(DAY, 9)), now=NOW)
        record_contact(
            copy,
            outcome(a[3], "PTP", started_at=at(DAY, 9, 20), promise=PromiseInput("1500", TOMORROW)),
            now=NOW,
        )
        offline = my_day(copy, "zhang.wei", DAY).end
        assert figures(offline) == (2, 1, 1, 1, Decimal("1500.00"))
        assert figures(my_day(central, "zhang.wei", DAY).end)[0] == 0
        sync.sync(copy, central, "zhang.wei")
        row = team_report(central, "lead.wang", DAY, DAY, now=NOW).collector(team.zhang)
        assert figures(offline) == row_figures(row)
        assert my_day(central, "zhang.wei", DAY).end == offline
    finally:
        copy.dispose()


def test_on_postgresql_a_collectors_own_login_sees_the_leads_row_for_them(
    pg_db: Database,
) -> None:
    central = central_on(pg_db)
    try:
        collector = central.staff(Role.COLLECTOR)
        lead = central.staff(Role.TEAM_LEAD)
        mine = [central.account(collector, name=f"借款人{n}") for n in range(3)]
        central.portfolio.promise(mine[2], "640.00", DAY, at(DAY, 0) - timedelta(days=2))
        as_collector, as_lead = central.sign_in(collector), central.sign_in(lead)
        try:
            promise = PromiseInput("1500.00", DAY + timedelta(days=2))
            for account, code, extra in (
                (mine[0], "NA", {}),
                (mine[1], "PTP", {"promise": promise}),
                (mine[2], "CB", {"callback_at": at(TOMORROW, 9, 30)}),
            ):
                entry = replace(outcome(account, code, **extra), username=collector)
                record_contact(as_collector, replace(entry, started_at=at(DAY, 10)), now=NOW)
            day = my_day(as_collector, collector, DAY)
            row = team_report(as_lead, lead, DAY, DAY, now=NOW).collector(
                central.user_id(collector)
            )
            assert figures(day.end) == row_figures(row) == (3, 2, 2, 1, Decimal("1500.00"))
            assert [item.contract_no for item in day.start.promises] == [mine[2].contract_no]
            assert [item.due_at for item in day.end.callbacks_tomorrow] == [at(TOMORROW, 9, 30)]
            # The administrator reads the same day for the collector.
            assert my_day(pg_db, collector, DAY) == day
        finally:
            as_collector.dispose()
            as_lead.dispose()
    finally:
        central.drop_roles()
