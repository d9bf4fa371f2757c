"""Closed accounts around the retention boundary, with the personal data each holds, for the
retention tests (the embedded database and PostgreSQL alike).

Each account gets its own name, ID number and numbers, and a note; "gone" gets a whole
history through the real services (a call with notes, a note, a visit request and a priority
override with their reasons, a callback and a decided escalation with notes, an employer,
notes and an agreed window on the borrower), then the lending system closes the accounts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from app.database import Database
from app.models import (
    Base,
    Callback,
    Escalation,
    EscalationDecision,
    PlanStatus,
    RepaymentPlan,
)
from app.services.common.clock import local_today
from app.services.contact.contacts import record_contact
from app.services.field.visits import mark_for_visit
from app.services.portfolio.notes import add_note
from app.services.team.assignment import set_priority
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import BEIJING, Account, Portfolio

# What each kind of account should come to on a run today.
ERASED = ("gone", "boundary", "us", "by_payments")
KEPT = ("day_before", "disputed", "promised", "planned", "reopened", "later", "unknown")


def years_back(day: date, years: int) -> date:
    """The day whose anniversary `years` on is `day` (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


@dataclass
class Closed:
    today: date
    accounts: dict[str, Account] = field(default_factory=dict)
    # The strings of personal data each account's borrower and records hold, and nobody
    # else's do.
    secrets: dict[str, list[str]] = field(default_factory=dict)
    # The contract numbers of each kind's accounts (two for a borrower with two loans).
    contracts: dict[str, list[str]] = field(default_factory=dict)

    def erased(self) -> list[str]:
        return sorted(number for kind in ERASED for number in self.contracts[kind])


def closed_accounts(db: Database, portfolio: Portfolio, today: date) -> Closed:
    """The accounts of ERASED and KEPT, closed as the lending system closes them."""
    world = Closed(today)
    boundary = years_back(today, 5)
    six = years_back(today, 6)
    closures: dict[str, tuple[str, date | None]] = {
        "gone": ("settled", six - timedelta(days=30)),
        "boundary": ("written_off", boundary),
        "day_before": ("settled", boundary + timedelta(days=1)),
        "us": ("written_off", years_back(today, 3) - timedelta(days=10)),
        "by_payments": ("settled", None),
        "disputed": ("settled", six),
        "promised": ("settled", six),
        "planned": ("settled", six),
        "reopened": ("settled", six),
        "later": ("settled", six),
        "unknown": ("written_off", None),
    }
    for serial, kind in enumerate(closures, start=1):
        us = kind == "us"
        mobile = f"+1 212 226 {3300 + serial}" if us else f"1381234{serial:04d}"
        emergency = f"+1 212 555 {1100 + serial}" if us else f"1391234{serial:04d}"
        account = portfolio.account(
            today=today,
            dpd=40,
            name=f"客户{kind}",
            numbers={"mobile": mobile, "emergency": emergency},
            country="US" if us else "CN",
            province="NY" if us else "北京市",
            street=f"{kind}路{serial}号",
            dispute_open=kind == "disputed",
        )
        world.accounts[kind] = account
        world.contracts[kind] = [account.contract_no]
        note = f"{kind}的备注：借款人说周五发工资"
        add_note(db, "zhang.wei", account.contract_no, note, now=NOW)
        world.secrets[kind] = [f"客户{kind}", note, f"{kind}路{serial}号"]
        world.secrets[kind] += _identity(db, account)
    _history(db, portfolio, world, world.accounts["gone"])
    _open_matters(db, portfolio, world)
    for kind, (status, closed_on) in closures.items():
        _close(db, world.accounts[kind].loan_id, status, closed_on)
    # Settled by its payments alone, six years ago: its instalments say when.
    instalments = Base.metadata.tables["instalments"]
    with db.engine.begin() as connection:
        connection.execute(
            instalments.update()
            .where(instalments.c.loan_id == world.accounts["by_payments"].loan_id)
            .values(settled_on=six - timedelta(days=1))
        )
    return world


def _identity(db: Database, account: Account) -> list[str]:
    with db.engine.connect() as connection:
        id_number = connection.execute(
            text("SELECT id_number FROM borrowers WHERE id = :id"),
            {"id": _key(db, account.borrower_id)},
        ).scalar_one()
        values = connection.execute(
            text("SELECT value FROM contact_points WHERE borrower_id = :id"),
            {"id": _key(db, account.borrower_id)},
        ).scalars()
        return [str(id_number), *(str(value) for value in values)]


def _key(db: Database, value: uuid.UUID) -> object:
    return value.hex if db.engine.dialect.name == "sqlite" else value


def _history(db: Database, portfolio: Portfolio, world: Closed, gone: Account) -> None:
    """Everything staff write about a borrower, through the services where there is one."""
    secrets = world.secrets["gone"]
    said = "借款人说他在外地打工，妻子姓刘"
    record_contact(db, outcome(gone, "NA", notes=said), now=NOW)
    reason = "邻居说他搬到了朝阳区"
    mark_for_visit(db, "lead.wang", gone.contract_no, reason, now=NOW)
    pushed = "他女儿下个月结婚，手头紧"
    set_priority(
        db, "lead.wang", [gone.contract_no], "high", pushed, NOW + timedelta(days=1), now=NOW
    )
    called = "晚上八点后打他单位电话"
    decided = "已与其姐姐核实住院情况"
    with db.session() as session:
        session.add(
            Callback(
                loan_id=gone.loan_id,
                user_id=portfolio.collector,
                due_at=NOW + timedelta(days=1),
                note=called,
            )
        )
        session.add(
            Escalation(
                loan_id=gone.loan_id,
                borrower_id=gone.borrower_id,
                kind="vulnerability",
                raised_by_id=portfolio.collector,
                raised_at=NOW,
                decision=EscalationDecision.RESUME,
                decided_at=NOW,
                note=decided,
            )
        )
    employer = "朝阳区某某建材有限公司"
    remark = "住院三个月，已出院"
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE borrowers SET employer = :employer, notes = :remark,"
                " agreed_window_start = '19:00:00', agreed_window_end = '21:00:00'"
                " WHERE id = :id"
            ),
            {"employer": employer, "remark": remark, "id": _key(db, gone.borrower_id)},
        )
        connection.execute(
            text("UPDATE contact_points SET contact_name = '刘秀英' WHERE borrower_id = :id"),
            {"id": _key(db, gone.borrower_id)},
        )
    secrets += [said, reason, pushed, called, decided, employer, remark, "刘秀英"]


def _open_matters(db: Database, portfolio: Portfolio, world: Closed) -> None:
    promised, planned = world.accounts["promised"], world.accounts["planned"]
    portfolio.promise(promised, "500", world.today - timedelta(days=6 * 366), NOW)
    with db.session() as session:
        session.add(
            RepaymentPlan(
                loan_id=planned.loan_id,
                created_by_id=portfolio.collector,
                status=PlanStatus.ACTIVE,
                total_amount=Decimal("1000"),
                frequency="monthly",
            )
        )
    # A borrower with a second loan: still open for "reopened", closed two years ago for
    # "later". The second account's own borrower row is left without accounts.
    for kind, closed in (("reopened", None), ("later", years_back(world.today, 2))):
        second = portfolio.account(today=world.today, dpd=10, name=f"{kind}的第二个账户")
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE loans SET borrower_id = :borrower WHERE id = :loan"),
                {
                    "borrower": _key(db, world.accounts[kind].borrower_id),
                    "loan": _key(db, second.loan_id),
                },
            )
            connection.execute(
                text("UPDATE contact_attempts SET borrower_id = :borrower WHERE loan_id = :loan"),
                {
                    "borrower": _key(db, world.accounts[kind].borrower_id),
                    "loan": _key(db, second.loan_id),
                },
            )
        if closed is not None:
            _close(db, second.loan_id, "settled", closed)
        world.contracts[kind].append(second.contract_no)


def _close(db: Database, loan_id: uuid.UUID, status: str, closed_on: date | None) -> None:
    """The lending system closes the account (the feed's closure)."""
    loans = Base.metadata.tables["loans"]
    with db.engine.begin() as connection:
        connection.execute(
            loans.update().where(loans.c.id == loan_id).values(status=status, closed_on=closed_on)
        )


def dump(db: Database, tables: Iterable[str] | None = None) -> str:
    """Every row of every table, as text: what a search for a string in the database finds."""
    names = list(tables or (table.name for table in Base.metadata.sorted_tables))
    lines = []
    with db.engine.connect() as connection:
        for name in names:
            table = Base.metadata.tables[name]
            key = [column for column in table.primary_key]
            for row in connection.execute(table.select().order_by(*key)):
                lines.append(f"{name} {tuple(row)!r}")
    return "\n".join(lines)


def today_here() -> date:
    """Today in the lender's zone: a real run erases nothing after it."""
    return local_today(datetime.now(BEIJING))
