"""Loading the lending system's export: borrowers, contact points, loans, schedules, payments.

One CSV file (UTF-8, a header row), one record per row; the `record` column says which kind
and which columns it uses (docs/import-format.md lists them). Every row is checked before
anything is written: if any row is wrong, the report names each problem by row and column and
nothing is imported. Otherwise everything goes in one transaction, the schedules replayed with
the payments so balances, DPD and penalty come out as the app computes them.

Every loan belongs to a team: its assignee's, or for a loan nobody is assigned to, the team its
row names (or the import's default team), in whose pool it waits for the lead to allocate it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import (
    Borrower,
    ContactKind,
    ContactPoint,
    Loan,
    LoanStatus,
    Payment,
    Role,
    Team,
    User,
)
from app.services.common.audit import audit
from app.services.common.clock import business_zone
from app.services.common.errors import InvalidInput, InvalidPhoneNumber
from app.services.common.idnumbers import is_valid
from app.services.common.money import CENT
from app.services.common.phones import parse_phone
from app.services.portfolio.accounts import instalment_row
from app.services.portfolio.balances import ScheduleLine, replay

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # record: (required columns, optional columns)
    "borrower": (
        ("id_number", "name", "date_of_birth", "province", "city", "district", "street"),
        ("country", "employer"),
    ),
    "contact": (("id_number", "kind", "value"), ("contact_name", "relation")),
    "loan": (
        (
            "contract_no",
            "id_number",
            "product",
            "principal",
            "annual_rate",
            "penalty_rate_daily",
            "term_months",
            "disbursed_on",
        ),
        ("currency", "assigned_to", "team"),
    ),
    "instalment": (
        ("contract_no", "seq", "due_date", "principal_due", "interest_due", "fees_due"),
        (),
    ),
    "payment": (("contract_no", "paid_at", "amount", "channel"), ("reference",)),
}
HEADER = ("record", *dict.fromkeys(c for need, may in COLUMNS.values() for c in (*need, *may)))
CHANNELS = ("bank_transfer", "alipay", "wechat_pay", "card", "cash", "other")
WORKERS = (Role.COLLECTOR, Role.FIELD_AGENT, Role.TEAM_LEAD)


@dataclass(frozen=True)
class ImportProblem:
    row: int  # the line in the file (the header is line 1)
    column: str
    message: str


class ImportRefused(InvalidInput):
    """Rows with problems: nothing was imported. `problems` lists each by row and column."""

    def __init__(self, template: str, problems: tuple[ImportProblem, ...], /, **params: object):
        super().__init__(template, **params)
        self.problems = problems


@dataclass(frozen=True)
class ImportSummary:
    borrowers: int
    contact_points: int
    loans: int
    instalments: int
    payments: int


def import_portfolio(
    db: Database, path: Path, *, team: str | None = None, now: datetime | None = None
) -> ImportSummary:
    """Check every row of the export at `path`, then import all of it or nothing.

    team: the team whose pool takes the loans nobody is assigned to and whose row names no team.
    """
    now = now or datetime.now(UTC)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(
            "Cannot read {path}: {reason}.", path=str(path), reason=str(error)
        ) from None
    with db.session() as session:
        parsed = _Parsed(now)
        teams = {t.name: t for t in session.scalars(select(Team))}
        if team is not None and team.strip() not in teams:
            raise InvalidInput(
                "There is no team “{team}”. `collector-workstation central team list` lists them.",
                team=team,
            )
        parsed.read(text)
        parsed.teams = teams
        parsed.default_team = None if team is None else teams[team.strip()]
        existing_users = {u.username: u for u in session.scalars(select(User))}
        known_borrowers = {
            b.id_number: b
            for b in session.scalars(
                select(Borrower).where(Borrower.id_number.in_(list(parsed.borrowers)))
            )
        }
        taken = set(
            session.scalars(
                select(Loan.contract_no).where(Loan.contract_no.in_(list(parsed.loans)))
            )
        )
        parsed.cross_check(existing_users, set(known_borrowers), taken)
        if parsed.problems:
            raise ImportRefused(
                "{count} problems in {path}; nothing was imported.",
                tuple(parsed.problems),
                count=len(parsed.problems),
                path=str(path),
            )
        return parsed.write(session, existing_users, known_borrowers)


@dataclass
class _Parsed:
    now: datetime
    problems: list[ImportProblem] = field(default_factory=list)
    borrowers: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    contacts: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    loans: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    instalments: dict[str, list[tuple[int, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    payments: dict[str, list[tuple[int, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # The database's teams by name, and the team an unassigned loan naming none goes to.
    teams: dict[str, Team] = field(default_factory=dict)
    default_team: Team | None = None

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, column, message))

    def read(self, text: str) -> None:
        reader = csv.DictReader(io.StringIO(text))
        header = tuple(reader.fieldnames or ())
        unknown = [name for name in header if name not in HEADER]
        if "record" not in header or unknown:
            raise InvalidInput(
                "The file's header must name the columns {known}; it has {found}.",
                known=", ".join(HEADER),
                found=", ".join(header) or "none",
            )
        for number, raw in enumerate(reader, start=2):
            row = {key: (value or "").strip() for key, value in raw.items() if key is not None}
            if None in raw:
                self.problem(number, "", "more cells than the header has columns")
                continue
            self.row(number, row)

    def row(self, number: int, row: dict[str, str]) -> None:
        record = row.get("record", "")
        if record not in COLUMNS:
            self.problem(
                number, "record", f"unknown record “{record}” (one of {', '.join(COLUMNS)})"
            )
            return
        required, optional = COLUMNS[record]
        for column in required:
            if not row.get(column):
                self.problem(number, column, "required for a " + record)
        stray = [c for c in HEADER if row.get(c) and c not in (*required, *optional, "record")]
        for column in stray:
            self.problem(number, column, f"not a column of a {record} row")
        if any(not row.get(column) for column in required) or stray:
            return
        getattr(self, f"_{record}")(number, row)

    # -- one check per record ----------------------------------------------------------

    def _borrower(self, number: int, row: dict[str, str]) -> None:
        if not is_valid(row["id_number"]):
            self.problem(number, "id_number", "not a valid resident ID number (check digit)")
        if row["id_number"] in self.borrowers:
            first = self.borrowers[row["id_number"]][0]
            self.problem(number, "id_number", f"the same borrower is on row {first}")
        self._date(number, row, "date_of_birth")
        self.borrowers.setdefault(row["id_number"], (number, row))

    def _contact(self, number: int, row: dict[str, str]) -> None:
        try:
            kind = ContactKind(row["kind"])
        except ValueError:
            self.problem(
                number, "kind", f"unknown kind (one of {', '.join(k.value for k in ContactKind)})"
            )
            return
        if kind is ContactKind.EMAIL:
            if "@" not in row["value"]:
                self.problem(number, "value", "not an e-mail address")
        else:
            try:
                parse_phone(row["value"])
            except InvalidPhoneNumber as error:
                self.problem(number, "value", error.message)
        if kind.is_third_party and not row.get("contact_name"):
            self.problem(number, "contact_name", "an emergency contact needs a name")
        self.contacts.append((number, row))

    def _loan(self, number: int, row: dict[str, str]) -> None:
        if row["contract_no"] in self.loans:
            first = self.loans[row["contract_no"]][0]
            self.problem(number, "contract_no", f"the same contract is on row {first}")
            return
        self._money(number, row, "principal", positive=True)
        for column in ("annual_rate", "penalty_rate_daily"):
            self._decimal(number, row, column)
        if not row["term_months"].isdigit() or int(row["term_months"]) < 1:
            self.problem(number, "term_months", "a whole number of months, 1 or more")
        self._date(number, row, "disbursed_on")
        if row.get("currency", "CNY") not in ("CNY", ""):
            self.problem(number, "currency", "only CNY loans are collected here")
        self.loans[row["contract_no"]] = (number, row)

    def _instalment(self, number: int, row: dict[str, str]) -> None:
        if not row["seq"].isdigit() or int(row["seq"]) < 1:
            self.problem(number, "seq", "a whole number, 1 or more")
        self._date(number, row, "due_date")
        for column in ("principal_due", "interest_due", "fees_due"):
            self._money(number, row, column, positive=False)
        self.instalments[row["contract_no"]].append((number, row))

    def _payment(self, number: int, row: dict[str, str]) -> None:
        self._money(number, row, "amount", positive=True)
        paid = self._moment(number, row, "paid_at")
        if paid is not None and paid > self.now:
            self.problem(number, "paid_at", "in the future")
        if row["channel"] not in CHANNELS:
            self.problem(number, "channel", f"unknown channel (one of {', '.join(CHANNELS)})")
        self.payments[row["contract_no"]].append((number, row))

    # -- across rows ---------------------------------------------------------------------

    def cross_check(self, users: dict[str, User], known: set[str], taken: set[str]) -> None:
        borrowers = set(self.borrowers) | known
        for number, row in self.contacts:
            if row["id_number"] not in borrowers:
                self.problem(number, "id_number", "no borrower row with this ID number")
        for contract, (number, row) in self.loans.items():
            if contract in taken:
                self.problem(number, "contract_no", "already in the database")
            if row["id_number"] not in borrowers:
                self.problem(number, "id_number", "no borrower row with this ID number")
            worker = users.get(row.get("assigned_to", ""))
            if row.get("assigned_to") and (worker is None or worker.role not in WORKERS):
                self.problem(number, "assigned_to", "not a collector, field agent or team lead")
                worker = None
            named = row.get("team", "")
            crew = self.teams.get(named)
            if named and crew is None:
                self.problem(number, "team", f"no team “{named}” in the database")
            elif crew is not None and worker is not None and worker.team_id != crew.id:
                self.problem(number, "team", "not the team of the user in assigned_to")
            elif not named and not row.get("assigned_to") and self.default_team is None:
                self.problem(
                    number,
                    "team",
                    "a loan nobody is assigned to needs a team, whose pool it waits in"
                    " (a team column, or --team)",
                )
            lines = self.instalments.get(contract, [])
            if not lines:
                self.problem(number, "contract_no", "a loan needs its instalment rows")
            seqs = sorted(int(r["seq"]) for _, r in lines if r["seq"].isdigit())
            if seqs and seqs != list(range(1, len(lines) + 1)):
                self.problem(number, "seq", "instalments must be numbered 1, 2, 3… once each")
        for rows in (self.instalments, self.payments):
            for contract, entries in rows.items():
                if contract not in self.loans:
                    for number, _ in entries:
                        self.problem(number, "contract_no", "no loan row with this contract")

    def write(
        self, session: Session, users: dict[str, User], known: dict[str, Borrower]
    ) -> ImportSummary:
        people = dict(known)
        for id_number, (_, row) in self.borrowers.items():
            if id_number in people:
                continue
            borrower = Borrower(
                name=row["name"],
                id_number=id_number,
                date_of_birth=date.fromisoformat(row["date_of_birth"]),
                country=row.get("country") or "CN",
                province=row["province"],
                city=row["city"],
                district=row["district"],
                street=row["street"],
                employer=row.get("employer") or None,
            )
            session.add(borrower)
            people[id_number] = borrower
        session.flush()
        positions: dict[str, int] = defaultdict(int)
        for _, row in self.contacts:
            borrower = people[row["id_number"]]
            kind = ContactKind(row["kind"])
            region, zones, value = None, "", row["value"]
            if kind.is_phone:
                phone = parse_phone(row["value"])
                value, region, zones = phone.e164, phone.region, " ".join(phone.time_zones)
            session.add(
                ContactPoint(
                    borrower_id=borrower.id,
                    position=positions[row["id_number"]],
                    kind=kind,
                    value=value,
                    region=region,
                    time_zones=zones,
                    contact_name=row.get("contact_name") or None,
                    relation=row.get("relation") or None,
                )
            )
            positions[row["id_number"]] += 1
        zone = business_zone()
        counts = {"instalments": 0, "payments": 0}
        for contract, (_, row) in self.loans.items():
            worker = users.get(row.get("assigned_to", ""))
            crew = self.teams.get(row.get("team", "")) or self.default_team
            loan = Loan(
                contract_no=contract,
                borrower_id=people[row["id_number"]].id,
                product=row["product"],
                currency="CNY",
                principal=Decimal(row["principal"]),
                annual_rate=Decimal(row["annual_rate"]),
                penalty_rate_daily=Decimal(row["penalty_rate_daily"]),
                term_months=int(row["term_months"]),
                disbursed_on=date.fromisoformat(row["disbursed_on"]),
                assigned_to_id=worker.id if worker else None,
                assigned_at=self.now if worker else None,
                team_id=worker.team_id if worker else crew.id if crew else None,
            )
            session.add(loan)
            session.flush()
            schedule = sorted(
                (
                    ScheduleLine(
                        int(r["seq"]),
                        date.fromisoformat(r["due_date"]),
                        Decimal(r["principal_due"]),
                        Decimal(r["interest_due"]),
                        Decimal(r["fees_due"]),
                    )
                    for _, r in self.instalments[contract]
                ),
                key=lambda line: line.seq,
            )
            paid = [
                (_moment_of(r["paid_at"]), Decimal(r["amount"]), r)
                for _, r in self.payments.get(contract, [])
            ]
            for at, amount, r in paid:
                session.add(
                    Payment(
                        loan_id=loan.id,
                        paid_at=at,
                        amount=amount,
                        channel=r["channel"],
                        reference=r.get("reference") or None,
                    )
                )
            states = replay(
                schedule,
                [(at.astimezone(zone).date(), amount) for at, amount, _ in paid],
                loan.penalty_rate_daily,
            )
            session.add_all(instalment_row(loan.id, state) for state in states)
            if all(state.settled_on is not None for state in states):
                loan.status = LoanStatus.SETTLED
            counts["instalments"] += len(states)
            counts["payments"] += len(paid)
        session.flush()
        summary = ImportSummary(
            borrowers=len(people) - len(known),
            contact_points=len(self.contacts),
            loans=len(self.loans),
            instalments=counts["instalments"],
            payments=counts["payments"],
        )
        audit(session, "portfolio.imported", "portfolio", "import", summary.__dict__)
        return summary

    # -- cells ---------------------------------------------------------------------------

    def _date(self, number: int, row: dict[str, str], column: str) -> None:
        try:
            date.fromisoformat(row[column])
        except ValueError:
            self.problem(number, column, "not a date (YYYY-MM-DD)")

    def _moment(self, number: int, row: dict[str, str], column: str) -> datetime | None:
        try:
            return _moment_of(row[column])
        except ValueError:
            self.problem(number, column, "not a time (ISO 8601, e.g. 2026-11-28T10:00:00+08:00)")
            return None

    def _decimal(self, number: int, row: dict[str, str], column: str) -> None:
        try:
            value = Decimal(row[column])
        except InvalidOperation:
            self.problem(number, column, "not a number")
            return
        if not value.is_finite() or value < 0:
            self.problem(number, column, "must be zero or more")

    def _money(self, number: int, row: dict[str, str], column: str, *, positive: bool) -> None:
        try:
            value = Decimal(row[column])
        except InvalidOperation:
            self.problem(number, column, "not an amount")
            return
        if not value.is_finite() or value < 0 or (positive and value == 0):
            self.problem(
                number, column, "must be more than zero" if positive else "must be zero or more"
            )
        elif value >= Decimal(10) ** 12 or value != value.quantize(CENT):
            self.problem(number, column, "an amount in whole cents")


def _moment_of(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=business_zone())
    return moment.astimezone(UTC)
