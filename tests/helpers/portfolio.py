"""Builds small, exact portfolios for tests through the real models and services."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.database import Database
from app.models import (
    Borrower,
    Callback,
    ContactAttempt,
    ContactKind,
    ContactPoint,
    Loan,
    Payment,
    PromiseStatus,
    PromiseToPay,
    Role,
    Team,
    User,
)
from app.services.common.idnumbers import make
from app.services.common.phones import parse_phone
from app.services.common.reference import dispositions
from app.services.portfolio.accounts import instalment_row
from app.services.portfolio.balances import add_months, equal_instalments, replay

_serial = itertools.count(1)
# Who records payments in tests: an administrator, as the lending system's side.
ADMIN = "admin.zhou"
BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Account:
    loan_id: uuid.UUID
    contract_no: str
    borrower_id: uuid.UUID
    points: dict[str, uuid.UUID]
    country: str = "CN"


class Portfolio:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.session() as session:
            team = Team(name=f"电催{next(_serial)}组")
            session.add(team)
            session.flush()
            self.team_id = team.id
        self.lead = self.user("lead.wang", Role.TEAM_LEAD)
        self.collector = self.user("zhang.wei", Role.COLLECTOR)
        # The lending system's side: payments are recorded as an administrator (no team).
        with db.session() as session:
            if session.scalar(select(User.id).where(User.username == ADMIN)) is None:
                session.add(User(username=ADMIN, display_name=ADMIN, role=Role.ADMIN))

    def user(self, username: str, role: Role = Role.COLLECTOR) -> uuid.UUID:
        with self.db.session() as session:
            user = User(username=username, display_name=username, role=role, team_id=self.team_id)
            session.add(user)
            session.flush()
            return user.id

    def account(
        self,
        *,
        today: date,
        dpd: int,
        principal: str = "12000",
        term: int = 12,
        assigned_to: uuid.UUID | None = None,
        pool: uuid.UUID | None = None,
        numbers: dict[str, str] | None = None,
        country: str = "CN",
        province: str = "北京市",
        name: str = "王芳",
        district: str = "东城区",
        street: str = "东四北大街1号",
        **flags: bool,
    ) -> Account:
        """An active loan whose oldest unpaid instalment fell due `dpd` days before `today`.

        With dpd=0 the next instalment falls due two days after today. `pool`: a team whose
        pool the loan waits in, assigned to nobody.
        """
        serial = next(_serial)
        numbers = numbers if numbers is not None else {"mobile": "13812345678"}
        oldest = today - timedelta(days=dpd) if dpd else today + timedelta(days=2)
        paid = 3
        first_due = add_months(oldest, -paid)
        schedule = equal_instalments(
            Decimal(principal), Decimal("0.18"), term, first_due, Decimal("0")
        )
        with self.db.session() as session:
            borrower = Borrower(
                name=name,
                id_number=make("110101", date(1990, 5, 17), serial % 1000),
                date_of_birth=date(1990, 5, 17),
                country=country,
                province=province,
                city="北京市",
                district=district,
                street=street,
                **flags,
            )
            session.add(borrower)
            session.flush()
            points = {}
            for position, (kind, text) in enumerate(numbers.items()):
                real_kind = ContactKind(kind.split(":")[0])
                if real_kind is ContactKind.EMAIL:
                    value, region, zones = text, None, ""
                else:
                    parsed = parse_phone(text)
                    value, region, zones = parsed.e164, parsed.region, " ".join(parsed.time_zones)
                point = ContactPoint(
                    borrower_id=borrower.id,
                    position=position,
                    kind=real_kind,
                    value=value,
                    region=region,
                    time_zones=zones,
                    contact_name="王建国" if real_kind is ContactKind.EMERGENCY else None,
                    relation="父亲" if real_kind is ContactKind.EMERGENCY else None,
                )
                session.add(point)
                session.flush()
                points[kind] = point.id
            holder = None if pool is not None else assigned_to or self.collector
            team_id = pool if holder is None else session.get_one(User, holder).team_id
            loan = Loan(
                contract_no=f"T{serial:08d}",
                borrower_id=borrower.id,
                product="CASH",
                principal=Decimal(principal),
                annual_rate=Decimal("0.18"),
                penalty_rate_daily=Decimal("0.0005"),
                term_months=term,
                disbursed_on=add_months(first_due, -1),
                assigned_to_id=holder,
                assigned_at=None if holder is None else datetime.now(UTC),
                team_id=team_id,
            )
            session.add(loan)
            session.flush()
            # The first instalments were paid on their due dates: real payments, replayed.
            payments = [
                (line.due_date, line.principal_due + line.interest_due + line.fees_due)
                for line in schedule[:paid]
            ]
            for paid_on, amount in payments:
                session.add(
                    Payment(
                        loan_id=loan.id,
                        paid_at=datetime.combine(paid_on, time(10), tzinfo=BEIJING),
                        amount=amount,
                        channel="alipay",
                    )
                )
            session.add_all(
                instalment_row(loan.id, state)
                for state in replay(schedule, payments, loan.penalty_rate_daily)
            )
            return Account(loan.id, loan.contract_no, borrower.id, points, country)

    def attempt(
        self,
        account: Account,
        at: datetime,
        code: str = "NA",
        point: str = "mobile",
        channel: str = "call",
        user: uuid.UUID | None = None,
    ) -> None:
        with self.db.session() as session:
            session.add(
                ContactAttempt(
                    loan_id=account.loan_id,
                    borrower_id=account.borrower_id,
                    contact_point_id=account.points[point],
                    user_id=user or self.collector,
                    channel=channel,
                    started_at=at,
                    disposition=code,
                    right_party=dispositions()[code].rpc,
                )
            )

    def promise(
        self,
        account: Account,
        amount: str,
        promised: date,
        created_at: datetime,
        status: PromiseStatus = PromiseStatus.PENDING,
    ) -> uuid.UUID:
        with self.db.session() as session:
            promise = PromiseToPay(
                loan_id=account.loan_id,
                amount=Decimal(amount),
                promised_date=promised,
                status=status,
                created_at=created_at,
            )
            session.add(promise)
            session.flush()
            return promise.id

    def callback(self, account: Account, due_at: datetime) -> uuid.UUID:
        with self.db.session() as session:
            callback = Callback(loan_id=account.loan_id, user_id=self.collector, due_at=due_at)
            session.add(callback)
            session.flush()
            return callback.id
