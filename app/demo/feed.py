"""The lending system's daily feed files for a demo portfolio: what the days after the demo's
`as_of` bring, written as the lending system would send them (docs/feed-format.md).

`write_feed_files` reads the portfolio once and writes one file a business day: payments on
overdue accounts (most promises falling due that day are paid in full, a few in part), a few
reversals of the days before, new overdue accounts, closures and write-offs, borrowers who
moved (now and then abroad, which changes their contact-rule profile), new numbers (and a number
the borrower already has, written another way), fees added to a schedule. Each day works on
what the days before left, so the files can be applied one after another and every payment
fits what is owed. The same portfolio, seed and days give the same files byte for byte.

The benchmark asks for one large file of the same kinds (`FeedShape.benchmark`).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from app.database import Database
from app.demo.people import People
from app.demo.state import DemoState
from app.models import (
    AuditEvent,
    Borrower,
    ContactKind,
    ContactPoint,
    FeedBatch,
    FeedStatus,
    Instalment,
    Loan,
    LoanStatus,
    Payment,
    PromiseStatus,
    PromiseToPay,
    Role,
    User,
)
from app.services.common.clock import business_zone, local_today
from app.services.common.errors import InvalidInput
from app.services.common.idnumbers import make
from app.services.plans.feed import HEADER

T = TypeVar("T")
CENT = Decimal("0.01")
CHANNELS = ("alipay", "wechat_pay", "bank_transfer", "card")
# Where the new accounts' borrowers live, and the places the movers go.
HOMES = (
    ("440103", "广东省", "广州市", "荔湾区", "中山七路"),
    ("310104", "上海市", "上海市", "徐汇区", "漕溪北路"),
    ("510104", "四川省", "成都市", "锦江区", "春熙路"),
    ("420106", "湖北省", "武汉市", "武昌区", "中南路"),
)
ABROAD = (
    ("US", "CA", "Los Angeles", "Downtown", "S Broadway"),
    ("US", "NY", "New York", "Queens", "Main St"),
    ("GB", "England", "London", "Camden", "High St"),
)


@dataclass(frozen=True)
class FeedShape:
    """How much one file brings (counts a file; shares of the accounts or promises)."""

    payment_share: float = 0.04  # of the open overdue accounts, paying something that day
    promise_kept_share: float = 0.7  # of the promises falling due that day: paid in full
    promise_part_share: float = 0.1  # … paid in part
    reversals: int = 1
    new_accounts: int = 2
    write_offs: int = 1
    moves: int = 2
    moves_abroad: int = 1  # of the moves, every few days (`abroad_every`)
    abroad_every: int = 7
    new_numbers: int = 2
    repeated_numbers: int = 1
    fee_changes: int = 1
    # Payments a file brings at least (the benchmark asks for a number, not a share).
    payments: int = 0

    @classmethod
    def benchmark(cls, rows: int) -> FeedShape:
        """One file of `rows` rows (the batch row included): three tenths payments, the rest
        new accounts (six rows each: borrower, number, loan, three instalments), reversals,
        write-offs, moves, numbers new and known, and fees added to schedules, as a large
        lender's day might bring."""
        counts = {
            "payments": rows * 3 // 10,
            "reversals": rows // 100,
            "new_accounts": rows // 50,
            "write_offs": rows // 100,
            "moves": rows // 10,
            "new_numbers": rows // 10,
            "repeated_numbers": rows // 20,
        }
        taken = sum(counts.values()) + 5 * counts["new_accounts"] + 1
        return cls(
            payment_share=0.0,
            promise_kept_share=0.0,
            promise_part_share=0.0,
            moves_abroad=rows // 100,
            abroad_every=1,
            fee_changes=rows - taken,
            **counts,
        )


@dataclass
class _Account:
    loan_id: str
    contract_no: str
    id_number: str
    country: str
    # Unpaid principal, interest and fees of the schedule (penalty comes on top of it).
    left: Decimal
    # Each instalment as the lending system has it: seq → (due, principal, interest, fees).
    lines: dict[int, tuple[date, Decimal, Decimal, Decimal]]
    overdue: bool
    closed: bool = False
    # Opened by the file being written: its rows say all there is to say of it today.
    new: bool = False


@dataclass(frozen=True)
class WrittenFeed:
    paths: tuple[Path, ...]
    rows: int
    payments: int
    amount: Decimal


def write_feed_files(
    db: Database,
    folder: Path,
    *,
    days: int = 30,
    seed: int = 1,
    first: date | None = None,
    shape: FeedShape | None = None,
    now: datetime | None = None,
) -> WrittenFeed:
    """Write `days` daily feed files for the portfolio in `db` into `folder`.

    first: the first business day (default: the day after the demo's as_of); the last may not
    be after today, as no payment is made in the future.
    """
    now = now or datetime.now(UTC)
    if days < 1:
        raise InvalidInput("Write at least one day's feed.")
    book = _Book.load(db, seed)
    start = first or book.as_of_day + timedelta(days=1)
    last = start + timedelta(days=days - 1)
    if last > local_today(now):
        raise InvalidInput(
            "The feed's days would run to {last}, after today: build the demo further back"
            " (demo-data --as-of, {days} days ago or more) or write fewer days.",
            last=last.isoformat(),
            days=days + 1,
        )
    folder.mkdir(parents=True, exist_ok=True)
    shape = shape or FeedShape()
    paths, rows, payments, amount = [], 0, 0, Decimal(0)
    for offset in range(days):
        day = start + timedelta(days=offset)
        sequence = book.next_sequence + offset
        records = list(book.day(day, sequence, shape, offset))
        path = folder / f"feed-{sequence:04d}-{day:%Y%m%d}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(records)
        paths.append(path)
        rows += len(records)
        paid = [r for r in records if r["record"] == "payment"]
        payments += len(paid)
        amount += sum((Decimal(r["amount"]) for r in paid), Decimal(0))
    return WrittenFeed(tuple(paths), rows, payments, amount)


class _Book:
    """The portfolio as the lending system sees it, kept up to date day by day."""

    def __init__(self, seed: int, as_of: datetime) -> None:
        self.rng = random.Random(seed)
        self.as_of_day = local_today(as_of)
        self.people = People(DemoState(seed, as_of, 1, 1))
        self.accounts: dict[str, _Account] = {}
        self.promises: dict[date, list[tuple[str, Decimal]]] = defaultdict(list)
        self.numbers: dict[str, list[str]] = defaultdict(list)
        self.id_numbers: set[str] = set()
        self.collectors: list[str] = []
        self.next_sequence = 1
        self.new_index = 0
        # The payments the days before brought (and the demo's last month's): id → contract,
        # and each one's amount, for a reversal to take back.
        self.paid: dict[str, str] = {}
        self.amounts: dict[str, Decimal] = {}
        self.counter = 0

    @classmethod
    def load(cls, db: Database, seed: int) -> _Book:
        with db.reader() as session:
            built = session.scalar(
                select(AuditEvent.details)
                .where(AuditEvent.action == "demo.built")
                .order_by(AuditEvent.at.desc())
                .limit(1)
            )
            if built is None:
                raise InvalidInput(
                    "The database holds no demo portfolio: build one first (demo-data)."
                )
            book = cls(seed, datetime.fromisoformat(built["as_of"]))
            last = session.scalar(
                select(func.max(FeedBatch.sequence)).where(FeedBatch.status == FeedStatus.APPLIED)
            )
            book.next_sequence = (last or 0) + 1
            book.collectors = sorted(
                session.scalars(
                    select(User.username).where(User.role == Role.COLLECTOR, User.active.is_(True))
                )
            )
            lines: dict[str, dict[int, tuple[date, Decimal, Decimal, Decimal]]] = defaultdict(dict)
            left: dict[str, Decimal] = defaultdict(Decimal)
            oldest: dict[str, date] = {}
            for row in session.execute(
                select(
                    Instalment.loan_id,
                    Instalment.seq,
                    Instalment.due_date,
                    Instalment.principal_due,
                    Instalment.interest_due,
                    Instalment.fees_due,
                    Instalment.principal_paid + Instalment.interest_paid + Instalment.fees_paid,
                    Instalment.settled_on,
                )
            ):
                key = str(row[0])
                lines[key][row[1]] = (row[2], row[3], row[4], row[5])
                left[key] += row[3] + row[4] + row[5] - row[6]
                if row[7] is None:
                    oldest[key] = min(row[2], oldest.get(key, row[2]))
            for loan_id, contract, status, id_number, country in session.execute(
                select(Loan.id, Loan.contract_no, Loan.status, Borrower.id_number, Borrower.country)
                .join(Borrower, Borrower.id == Loan.borrower_id)
                .order_by(Loan.contract_no)
            ):
                key = str(loan_id)
                book.id_numbers.add(id_number)
                book.accounts[contract] = _Account(
                    key,
                    contract,
                    id_number,
                    country,
                    left[key],
                    lines[key],
                    overdue=key in oldest and oldest[key] <= book.as_of_day,
                    closed=LoanStatus(status) is not LoanStatus.ACTIVE,
                )
            for contract, amount, promised in session.execute(
                select(Loan.contract_no, PromiseToPay.amount, PromiseToPay.promised_date)
                .join(Loan, Loan.id == PromiseToPay.loan_id)
                .where(
                    PromiseToPay.status == PromiseStatus.PENDING,
                    PromiseToPay.promised_date > book.as_of_day,
                )
                .order_by(PromiseToPay.promised_date, Loan.contract_no)
            ):
                book.promises[promised].append((contract, amount))
            since = datetime.combine(book.as_of_day - timedelta(days=30), time(0), business_zone())
            for source_id, contract, amount in session.execute(
                select(Payment.source_id, Loan.contract_no, Payment.amount)
                .join(Loan, Loan.id == Payment.loan_id)
                .where(
                    Payment.paid_at >= since,
                    Payment.source_id.is_not(None),
                    Payment.reversed_at.is_(None),
                    Loan.status == LoanStatus.ACTIVE,
                )
                .order_by(Payment.paid_at, Payment.id)
            ):
                book.paid[str(source_id)] = contract
                book.amounts[str(source_id)] = amount
            for id_number, value in session.execute(
                select(Borrower.id_number, ContactPoint.value)
                .join(Borrower, Borrower.id == ContactPoint.borrower_id)
                .where(ContactPoint.kind == ContactKind.MOBILE)
                .order_by(Borrower.id_number, ContactPoint.position)
            ):
                book.numbers[id_number].append(value)
        return book

    # -- one day -------------------------------------------------------------------------

    def day(
        self, day: date, sequence: int, shape: FeedShape, offset: int
    ) -> Iterator[dict[str, str]]:
        rng = self.rng
        yield {
            "record": "batch",
            "batch_id": f"DEMO-{day:%Y%m%d}-{sequence:04d}",
            "sequence": str(sequence),
            "business_date": day.isoformat(),
        }
        for account in self.accounts.values():
            account.new = False
        yield from self._new_accounts(day, shape.new_accounts)
        paid_today: dict[str, str] = {}
        for contract, amount in self.promises.pop(day, []):
            draw = rng.random()
            if draw < shape.promise_kept_share:
                pay = amount
            elif draw < shape.promise_kept_share + shape.promise_part_share:
                pay = (amount / 2).quantize(CENT)
            else:
                continue
            found = self._payment(day, contract, pay)
            if found is not None:
                paid_today[found["payment_id"]] = contract
                yield found
        open_overdue = [
            a for a in self.accounts.values() if a.overdue and not a.closed and a.left > 0
        ]
        count = max(shape.payments, round(shape.payment_share * len(open_overdue)))
        # Drawn until `count` are made (an account paid off takes no more).
        made, tries = 0, 0
        while made < count and open_overdue and tries < 3 * count:
            tries += 1
            if shape.payments:
                account = open_overdue[rng.randrange(len(open_overdue))]
            else:
                account = open_overdue.pop(rng.randrange(len(open_overdue)))
            instalment = max(line[1] + line[2] + line[3] for line in account.lines.values())
            share = rng.choice((Decimal("0.2"), Decimal("0.5"), Decimal(1), Decimal(1)))
            found = self._payment(day, account.contract_no, (instalment * share).quantize(CENT))
            if found is not None:
                made += 1
                paid_today[found["payment_id"]] = account.contract_no
                yield found
        for payment_id in _sample(rng, list(self.paid), shape.reversals):
            contract = self.paid.pop(payment_id)
            account = self.accounts[contract]
            if account.closed:
                continue
            self.counter += 1
            yield {
                "record": "reversal",
                "contract_no": contract,
                "payment_id": payment_id,
                "reversal_id": f"REV-{day:%Y%m%d}-{self.counter:07d}",
                "reversed_at": _at(day, 9, 0).isoformat(),
            }
            account.left += self.amounts.pop(payment_id)
        self.paid.update(paid_today)
        yield from self._write_offs(day, shape.write_offs)
        yield from self._moves(shape, offset)
        yield from self._numbers(shape)
        yield from self._fees(shape)

    def _payment(self, day: date, contract: str, amount: Decimal) -> dict[str, str] | None:
        account = self.accounts[contract]
        pay = min(amount, account.left)
        if account.closed or pay <= 0:
            return None
        account.left -= pay
        self.counter += 1
        payment_id = f"PAY-{day:%Y%m%d}-{self.counter:07d}"
        self.amounts[payment_id] = pay
        minute = self.rng.randrange(9 * 60, 21 * 60)
        return {
            "record": "payment",
            "contract_no": contract,
            "payment_id": payment_id,
            "paid_at": _at(day, minute // 60, minute % 60).isoformat(),
            "amount": f"{pay:.2f}",
            "channel": self.rng.choice(CHANNELS),
            "reference": f"T{day:%Y%m%d}{self.counter:010d}",
        }

    def _new_accounts(self, day: date, count: int) -> Iterator[dict[str, str]]:
        rng = self.rng
        for _ in range(count):
            self.new_index += 1
            area, province, city, district, street = HOMES[self.new_index % len(HOMES)]
            born = date(
                1975 + self.new_index % 25, 1 + self.new_index % 12, 1 + self.new_index % 28
            )
            sequence = self.new_index % 1000
            id_number = make(area, born, sequence)
            while id_number in self.id_numbers:
                sequence = (sequence + 1) % 1000
                born += timedelta(days=1)
                id_number = make(area, born, sequence)
            self.id_numbers.add(id_number)
            surname, given, _, _ = self.people.person(rng.random() < 0.5)
            mobile, _, _ = self.people.mobile()
            contract = f"FD{day:%Y%m%d}{self.new_index:07d}"
            principal = Decimal(rng.choice((3000, 6000, 9000, 12000)))
            disbursed = day - timedelta(days=rng.randrange(95, 150))
            collector = (
                self.collectors[self.new_index % len(self.collectors)] if self.collectors else ""
            )
            yield {
                "record": "borrower",
                "id_number": id_number,
                "name": surname + given,
                "date_of_birth": born.isoformat(),
                "province": province,
                "city": city,
                "district": district,
                "street": f"{street}{rng.randrange(1, 300)}号",
            }
            yield {"record": "contact", "id_number": id_number, "kind": "mobile", "value": mobile}
            yield {
                "record": "loan",
                "contract_no": contract,
                "id_number": id_number,
                "product": "CASH",
                "principal": f"{principal:.2f}",
                "annual_rate": "0.18",
                "penalty_rate_daily": "0.0005",
                "term_months": "3",
                "disbursed_on": disbursed.isoformat(),
                "assigned_to": collector,
            }
            lines = {}
            part = (principal / 3).quantize(CENT)
            for seq in (1, 2, 3):
                due = _months_after(disbursed, seq)
                principal_due = part if seq < 3 else principal - 2 * part
                interest = (principal * Decimal("0.015")).quantize(CENT)
                lines[seq] = (due, principal_due, interest, Decimal("0.00"))
                yield {
                    "record": "instalment",
                    "contract_no": contract,
                    "seq": str(seq),
                    "due_date": due.isoformat(),
                    "principal_due": f"{principal_due:.2f}",
                    "interest_due": f"{interest:.2f}",
                    "fees_due": "0.00",
                }
            self.accounts[contract] = _Account(
                "",
                contract,
                id_number,
                "CN",
                sum((p + i + f for _, p, i, f in lines.values()), Decimal(0)),
                lines,
                overdue=min(due for due, *_ in lines.values()) < day,
                new=True,
            )
            self.numbers[id_number].append(mobile)

    def _write_offs(self, day: date, count: int) -> Iterator[dict[str, str]]:
        late = [
            a
            for a in self.accounts.values()
            if a.overdue and not a.closed and a.left > 0 and _oldest(a) < day - timedelta(days=180)
        ]
        for account in _sample(self.rng, late, count):
            account.closed = True
            yield {
                "record": "closure",
                "contract_no": account.contract_no,
                "closed_on": day.isoformat(),
                "status": "written_off",
            }

    def _moves(self, shape: FeedShape, offset: int) -> Iterator[dict[str, str]]:
        rng = self.rng
        home = [
            a for a in self.accounts.values() if not a.closed and not a.new and a.country == "CN"
        ]
        abroad = shape.moves_abroad if offset % shape.abroad_every == 0 else 0
        for index, account in enumerate(_sample(rng, home, shape.moves)):
            if index < abroad:
                country, province, city, district, street = rng.choice(ABROAD)
                account.country = country
                yield {
                    "record": "borrower",
                    "id_number": account.id_number,
                    "country": country,
                    "province": province,
                    "city": city,
                    "district": district,
                    "street": f"{rng.randrange(1, 999)} {street}",
                }
                continue
            _, province, city, district, street = rng.choice(HOMES)
            yield {
                "record": "borrower",
                "id_number": account.id_number,
                "province": province,
                "city": city,
                "district": district,
                "street": f"{street}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}栋",
            }

    def _numbers(self, shape: FeedShape) -> Iterator[dict[str, str]]:
        rng = self.rng
        people = [a for a in self.accounts.values() if not a.closed and a.country == "CN"]
        for account in _sample(rng, people, shape.new_numbers):
            mobile, _, _ = self.people.mobile()
            if mobile in self.numbers[account.id_number]:
                continue
            self.numbers[account.id_number].append(mobile)
            yield {
                "record": "contact",
                "id_number": account.id_number,
                "kind": "mobile",
                "value": mobile,
            }
        known = [a for a in people if any(n.startswith("+86") for n in self.numbers[a.id_number])]
        for account in _sample(rng, known, shape.repeated_numbers):
            number = next(n for n in self.numbers[account.id_number] if n.startswith("+86"))
            # The same number as the borrower's, written as people write it.
            written = f"{number[3:6]} {number[6:10]} {number[10:]}"
            yield {
                "record": "contact",
                "id_number": account.id_number,
                "kind": "mobile",
                "value": written,
            }

    def _fees(self, shape: FeedShape) -> Iterator[dict[str, str]]:
        rng = self.rng
        owing = [
            a
            for a in self.accounts.values()
            if a.overdue and not a.closed and not a.new and a.lines
        ]
        # The last instalment of as many accounts as there are, then the one before it, …
        changes: list[tuple[_Account, int]] = []
        depth = 0
        while len(changes) < shape.fee_changes:
            layer = [(a, sorted(a.lines)[-1 - depth]) for a in owing if len(a.lines) > depth]
            if not layer:
                break
            changes += _sample(rng, layer, shape.fee_changes - len(changes))
            depth += 1
        for account, seq in changes:
            due, principal, interest, fees = account.lines[seq]
            fees += Decimal("30.00")
            account.lines[seq] = (due, principal, interest, fees)
            account.left += Decimal("30.00")
            yield {
                "record": "instalment",
                "contract_no": account.contract_no,
                "seq": str(seq),
                "due_date": due.isoformat(),
                "principal_due": f"{principal:.2f}",
                "interest_due": f"{interest:.2f}",
                "fees_due": f"{fees:.2f}",
            }


def _sample(rng: random.Random, items: list[T], count: int, *, repeat: bool = False) -> list[T]:
    if not items or count <= 0:
        return []
    if repeat:
        return [items[rng.randrange(len(items))] for _ in range(count)]
    return rng.sample(items, min(count, len(items)))


def _oldest(account: _Account) -> date:
    return min(due for due, *_ in account.lines.values())


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=business_zone())


def _months_after(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, 28))
