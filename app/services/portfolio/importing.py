"""Loading the lending system's export: borrowers, contact points, loans, schedules, payments.

One CSV file with a header row, one record per row; the `record` column says which kind and
which columns it uses (docs/import-format.md lists them). The file is read as UTF-8 (with or
without a byte-order mark), else as GB18030 (which covers GBK and GB2312), or in the encoding
named (exports.py). Every row is checked before anything is written, each cell by a reader of
cells.py: if any row is wrong, the report names each problem by row and column and nothing is
imported. Otherwise everything goes in one transaction, the schedules replayed with the
payments so balances, DPD and penalty come out as the app computes them.

What is already in the database is not written twice: a known borrower or contract whose rows
agree with what is stored is left as it is (and counted), one whose rows disagree is refused
(changes come through the daily feed), and a contact point a borrower already has is not added
again, however the file writes the number.

Every loan belongs to a team: its assignee's, or for a loan nobody is assigned to, the team its
row names (or the import's default team), in whose pool it waits for the lead to allocate it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

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
from app.services.common.errors import DomainError, InvalidInput, Message
from app.services.common.phones import PhoneNumber
from app.services.common.reference import loan_limits
from app.services.common.regions import region_of
from app.services.portfolio import cells
from app.services.portfolio.accounts import instalment_row
from app.services.portfolio.balances import ScheduleLine, replay
from app.services.portfolio.cells import CellRefused, shown
from app.services.portfolio.exports import read_export

COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # record: (required columns, optional columns)
    "borrower": (
        ("id_number", "name", "date_of_birth", "province", "city", "district", "street"),
        ("country", "employer"),
    ),
    "contact": (("id_number", "kind", "value"), ("contact_name", "relation", "country")),
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

# Words people write, stored as they are: a formula sign may not start them (nor a payment's
# reference), and they may hold any digit (a Chinese street is often numbered １２号).
WORDS = (
    "name",
    "province",
    "city",
    "district",
    "street",
    "employer",
    "contact_name",
    "relation",
    "reference",
)
# Numbers, dates and numbered codes: the digits 0-9 only, never full-width (１２３),
# superscript (²) or Chinese (三) ones. So are phone numbers (cells.phone checks those).
CODES = (
    "id_number",
    "date_of_birth",
    "contract_no",
    "product",
    "principal",
    "annual_rate",
    "penalty_rate_daily",
    "term_months",
    "disbursed_on",
    "seq",
    "due_date",
    "principal_due",
    "interest_due",
    "fees_due",
    "paid_at",
    "amount",
)
# The longest each column may be: what the database stores, or what any such value needs.
LONGEST = {
    "id_number": 18,
    "name": 80,
    "province": 40,
    "city": 40,
    "district": 40,
    "street": 120,
    "employer": 120,
    "value": 120,
    "contact_name": 80,
    "relation": 20,
    "contract_no": 32,
    "product": 32,
    "assigned_to": 64,
    "team": 64,
    "reference": 64,
    "country": 60,
}
OTHERWISE_LONGEST = 40
# csv's own limit on one cell; a longer one stops the reading of the file.
CELL_LIMIT = csv.field_size_limit()
# Where the changes to what is already imported come from (the daily feed).
FEED = "central feed"

T = TypeVar("T")


@dataclass(frozen=True)
class ImportProblem:
    row: int  # the line in the file (the header is line 1)
    column: str
    detail: Message  # what is wrong, translatable

    @property
    def message(self) -> str:
        return str(self.detail)


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
    # Already in the database, agreeing with the file, and left as they were.
    known_borrowers: int = 0
    known_contracts: int = 0
    # Contact points a borrower already had (or the file listed twice): not added again.
    repeated_contact_points: int = 0
    # How the file was read: "UTF-8", "GB18030" or the encoding named.
    encoding: str = "UTF-8"


def import_portfolio(
    db: Database,
    path: Path,
    *,
    team: str | None = None,
    now: datetime | None = None,
    encoding: str | None = None,
) -> ImportSummary:
    """Check every row of the export at `path`, then import all of it or nothing.

    team: the team whose pool takes the loans nobody is assigned to and whose row names no team.
    encoding: the file's encoding when it is neither UTF-8 nor GB18030 (or to force one).
    """
    now = now or datetime.now(UTC)
    export = read_export(path, encoding)
    parsed = _Parsed(now)
    parsed.read(export.text)
    try:
        with db.session() as session:
            teams = {t.name: t for t in session.scalars(select(Team))}
            if team is not None and team.strip() not in teams:
                raise InvalidInput(
                    "There is no team “{team}”. `collector-workstation central team list` lists"
                    " them.",
                    team=team,
                )
            parsed.teams = teams
            parsed.default_team = None if team is None else teams[team.strip()]
            existing_users = {u.username: u for u in session.scalars(select(User))}
            known = _Known.load(session, parsed)
            parsed.cross_check(existing_users, known)
            if parsed.problems:
                raise ImportRefused(
                    "{count} problems in {path}; nothing was imported.",
                    tuple(sorted(parsed.problems, key=lambda problem: problem.row)),
                    count=len(parsed.problems),
                    path=str(path),
                )
            return parsed.write(session, existing_users, known, export.encoding)
    except IntegrityError:
        # Another import (or the feed) added one of these borrowers or contracts meanwhile.
        raise InvalidInput(
            "Some borrowers or contracts of {path} were written by another import at the same"
            " time; nothing was imported: run the import again.",
            path=str(path),
        ) from None


# -- checking the rows -----------------------------------------------------------------------


class RowChecks(Protocol):
    """A file's reader as the row checks shared by the import and the feed use it."""

    def problem(self, row: int, column: str, refusal: DomainError) -> None: ...

    def take(
        self,
        number: int,
        row: dict[str, str],
        column: str,
        read: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> T | None: ...


def check_contact_row(rows: RowChecks, number: int, row: dict[str, str]) -> bool:
    """Check a contact row's kind, e-mail, country and contact name (its number is read later,
    in the borrower's country); False when its kind is unknown and nothing more can be said."""
    try:
        kind = ContactKind(row["kind"])
    except ValueError:
        rows.problem(
            number,
            "kind",
            CellRefused(
                "unknown kind (one of {kinds})", kinds=", ".join(k.value for k in ContactKind)
            ),
        )
        return False
    if kind is ContactKind.EMAIL:
        rows.take(number, row, "value", cells.email)
    if row.get("country"):
        code = rows.take(number, row, "country", cells.country)
        if code is not None:
            row["country"] = code
    if kind.is_third_party and not row.get("contact_name"):
        rows.problem(number, "contact_name", CellRefused("an emergency contact needs a name"))
    return True


@dataclass
class _Known:
    """What the database already holds of the borrowers and contracts the file names."""

    borrowers: dict[str, Borrower]
    loans: dict[str, Loan]

    @classmethod
    def load(cls, session: Session, parsed: _Parsed) -> _Known:
        ids = set(parsed.borrowers) | {row["id_number"] for _, row in parsed.contacts}
        ids |= {row["id_number"] for _, row in parsed.loans.values()}
        contracts = set(parsed.loans) | set(parsed.instalments) | set(parsed.payments)
        # The borrowers' rows stay locked until the import ends, so a second import (or the
        # feed) adding a number to one of them waits, then reads the number this one added.
        borrowers = _in_chunks(
            session,
            select(Borrower).options(selectinload(Borrower.contact_points)).with_for_update(),
            Borrower.id_number,
            ids,
        )
        loans = _in_chunks(
            session,
            select(Loan).options(
                selectinload(Loan.instalments),
                selectinload(Loan.payments),
                selectinload(Loan.borrower),
            ),
            Loan.contract_no,
            contracts,
        )
        return cls(
            borrowers={b.id_number: b for b in borrowers},
            loans={loan.contract_no: loan for loan in loans},
        )


def _in_chunks(session: Session, query: Any, column: Any, keys: Iterable[str]) -> list[Any]:
    """Rows whose `column` is one of `keys`, asked in slices SQLite's parameter limit allows."""
    ordered = sorted(keys)
    found: list[Any] = []
    for start in range(0, len(ordered), 1000):
        found.extend(session.scalars(query.where(column.in_(ordered[start : start + 1000]))))
    return found


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
    # Contact rows to add (row number, row, stored value, phone when it is one); the others
    # repeat a point the borrower already has.
    new_contacts: list[tuple[int, dict[str, str], str, PhoneNumber | None]] = field(
        default_factory=list
    )
    repeated_contacts: int = 0
    # The database's teams by name, and the team an unassigned loan naming none goes to.
    teams: dict[str, Team] = field(default_factory=dict)
    default_team: Team | None = None
    # The cells that have a problem already: one problem a cell is enough.
    refused: set[tuple[int, str]] = field(default_factory=set)

    def problem(self, row: int, column: str, refusal: DomainError) -> None:
        if (row, column) in self.refused:
            return
        self.refused.add((row, column))
        self.problems.append(ImportProblem(row, column, Message(refusal.template, refusal.params)))

    def ok(self, row: int, *columns: str) -> bool:
        """Whether none of these cells of the row has a problem."""
        return not any((row, column) in self.refused for column in columns)

    def take(
        self,
        number: int,
        row: dict[str, str],
        column: str,
        read: Callable[..., T],
        *args: Any,
        **kwargs: Any,
    ) -> T | None:
        """The cell read by `read` (a reader of cells.py), or None with its problem noted."""
        if not self.ok(number, column):
            return None
        try:
            return read(row[column], *args, **kwargs)
        except CellRefused as refused:
            self.problem(number, column, refused)
            return None

    def read(self, text: str) -> None:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = tuple(name.strip() for name in reader.fieldnames or ())
        reader.fieldnames = list(header)
        unknown = [name for name in header if name not in HEADER]
        if "record" not in header or unknown:
            raise InvalidInput(
                "The file's header must name the columns {known}; it has {found}.",
                known=", ".join(HEADER),
                found=shown(", ".join(header), 200) or "—",
            )
        for number, raw in _records(reader, self):
            row = {key: (value or "").strip() for key, value in raw.items() if key is not None}
            if None in raw:
                self.problem(number, "", CellRefused("more cells than the header has columns"))
                continue
            self.row(number, row)

    def row(self, number: int, row: dict[str, str]) -> None:
        record = row.get("record", "")
        if record not in COLUMNS:
            self.problem(
                number,
                "record",
                CellRefused(
                    "unknown record “{record}” (one of {records})",
                    record=shown(record),
                    records=", ".join(COLUMNS),
                ),
            )
            return
        required, optional = COLUMNS[record]
        for column in required:
            if not row.get(column):
                self.problem(
                    number, column, CellRefused("required for a {record} row", record=record)
                )
        stray = [c for c in HEADER if row.get(c) and c not in (*required, *optional, "record")]
        for column in stray:
            self.problem(
                number, column, CellRefused("not a column of a {record} row", record=record)
            )
        if any(not row.get(column) for column in required) or stray:
            return
        for column, value in row.items():
            if value and column != "record":
                self.cell(number, column, value)
        if row.get("id_number"):
            # The check character X is as often written x; every row names the borrower so.
            found = self.take(number, row, "id_number", cells.id_number)
            if found is not None:
                row["id_number"] = found
        getattr(self, f"_{record}")(number, row)

    def cell(self, number: int, column: str, value: str) -> None:
        """Screen one cell: length, hidden characters; a formula (words) or other digits (codes)."""
        try:
            cells.screened(value, LONGEST.get(column, OTHERWISE_LONGEST))
            if column in WORDS:
                cells.words(value)
            elif column in CODES:
                cells.plain_digits(value)
        except CellRefused as refused:
            self.problem(number, column, refused)

    # -- one check per record ----------------------------------------------------------

    def _borrower(self, number: int, row: dict[str, str]) -> None:
        id_number = row["id_number"]
        if id_number in self.borrowers:
            first = self.borrowers[id_number][0]
            self.problem(
                number, "id_number", CellRefused("the same borrower is on row {row}", row=first)
            )
        valid = id_number if self.ok(number, "id_number") else None
        today = self.now.date()
        born = self.take(number, row, "date_of_birth", cells.date_of_birth, valid, today)
        if born is not None:
            row["date_of_birth"] = born.isoformat()
        home: str | None = "CN"
        if row.get("country"):
            home = self.take(number, row, "country", cells.country)
        if home is not None:
            row["country"] = home
            region = self.take(number, row, "province", cells.province, home)
            if region is not None:
                row["province"] = region
        self.borrowers.setdefault(id_number, (number, row))

    def _contact(self, number: int, row: dict[str, str]) -> None:
        if check_contact_row(self, number, row):
            # A number is read in the borrower's country, known once every row is in.
            self.contacts.append((number, row))

    def _loan(self, number: int, row: dict[str, str]) -> None:
        if row["contract_no"] in self.loans:
            first = self.loans[row["contract_no"]][0]
            self.problem(
                number, "contract_no", CellRefused("the same contract is on row {row}", row=first)
            )
            return
        limits = loan_limits()
        self.take(number, row, "contract_no", cells.contract_no)
        self.take(number, row, "product", cells.product)
        self.take(number, row, "principal", cells.money, positive=True)
        self.take(number, row, "annual_rate", cells.rate, limits.annual_rate_max, 4)
        self.take(number, row, "penalty_rate_daily", cells.rate, limits.penalty_rate_daily_max, 6)
        self.take(number, row, "term_months", cells.whole, 1, limits.term_months_max)
        self.take(number, row, "disbursed_on", cells.day)
        if row.get("currency", "CNY") not in ("CNY", ""):
            self.problem(number, "currency", CellRefused("only CNY loans are collected here"))
        self.loans[row["contract_no"]] = (number, row)

    def _instalment(self, number: int, row: dict[str, str]) -> None:
        self.take(number, row, "contract_no", cells.contract_no)
        self.take(number, row, "seq", cells.whole, 1, loan_limits().term_months_max)
        self.take(number, row, "due_date", cells.day)
        for column in ("principal_due", "interest_due", "fees_due"):
            self.take(number, row, column, cells.money, positive=False)
        self.instalments[row["contract_no"]].append((number, row))

    def _payment(self, number: int, row: dict[str, str]) -> None:
        self.take(number, row, "contract_no", cells.contract_no)
        self.take(number, row, "amount", cells.money, positive=True)
        paid = self.take(number, row, "paid_at", cells.moment)
        if paid is not None and paid > self.now:
            self.problem(number, "paid_at", CellRefused("in the future"))
        if row["channel"] not in CHANNELS:
            self.problem(
                number,
                "channel",
                CellRefused("unknown channel (one of {channels})", channels=", ".join(CHANNELS)),
            )
        self.payments[row["contract_no"]].append((number, row))

    # -- across rows ---------------------------------------------------------------------

    def cross_check(self, users: dict[str, User], known: _Known) -> None:
        """What only the whole file and the database can tell: references, repeats, changes."""
        borrowers = set(self.borrowers) | set(known.borrowers)
        self._contacts_against(known)
        for contract, (number, row) in self.loans.items():
            if row["id_number"] not in borrowers:
                self.problem(
                    number, "id_number", CellRefused("no borrower row with this ID number")
                )
            if contract in known.loans:
                continue
            worker = users.get(row.get("assigned_to", ""))
            if row.get("assigned_to") and (worker is None or worker.role not in WORKERS):
                self.problem(
                    number, "assigned_to", CellRefused("not a collector, field agent or team lead")
                )
                worker = None
            named = row.get("team", "")
            crew = self.teams.get(named)
            if named and crew is None:
                self.problem(
                    number,
                    "team",
                    CellRefused("no team “{team}” in the database", team=shown(named)),
                )
            elif crew is not None and worker is not None and worker.team_id != crew.id:
                self.problem(number, "team", CellRefused("not the team of the user in assigned_to"))
            elif not named and not row.get("assigned_to") and self.default_team is None:
                self.problem(
                    number,
                    "team",
                    CellRefused(
                        "a loan nobody is assigned to needs a team, whose pool it waits in"
                        " (a team column, or --team)"
                    ),
                )
            lines = self.instalments.get(contract, [])
            if not lines:
                self.problem(number, "contract_no", CellRefused("a loan needs its instalment rows"))
            seqs = sorted(int(r["seq"]) for n, r in lines if self.ok(n, "seq"))
            if seqs and seqs != list(range(1, len(lines) + 1)):
                self.problem(
                    number, "seq", CellRefused("instalments must be numbered 1, 2, 3… once each")
                )
        for rows in (self.instalments, self.payments):
            for contract, entries in rows.items():
                if contract not in self.loans and contract not in known.loans:
                    for number, _ in entries:
                        self.problem(
                            number, "contract_no", CellRefused("no loan row with this contract")
                        )
        for id_number, (number, row) in self.borrowers.items():
            if id_number in known.borrowers:
                self._same_borrower(number, row, known.borrowers[id_number])
        for contract, loan in known.loans.items():
            self._same_contract(contract, loan)

    def _contacts_against(self, known: _Known) -> None:
        """Read each number in its borrower's country; keep only points the borrower lacks."""
        stored: dict[str, set[str]] = {
            id_number: {_point_key(p.kind, p.value) for p in borrower.contact_points}
            for id_number, borrower in known.borrowers.items()
        }
        for number, row in self.contacts:
            id_number = row["id_number"]
            home: str | None
            if id_number in self.borrowers:
                at, borrower = self.borrowers[id_number]
                home = borrower["country"] if self.ok(at, "country") else None
            elif id_number in known.borrowers:
                home = known.borrowers[id_number].country
            else:
                self.problem(
                    number, "id_number", CellRefused("no borrower row with this ID number")
                )
                continue
            kind = ContactKind(row["kind"])
            phone = None
            value = row["value"]
            if kind.is_phone:
                region = row.get("country") or home
                if region is None or not self.ok(number, "country"):
                    continue
                phone = self.take(number, row, "value", cells.phone, region)
                if phone is None:
                    continue
                value = phone.e164
            key = _point_key(kind, value)
            points = stored.setdefault(id_number, set())
            if key in points:
                self.repeated_contacts += 1
                continue
            points.add(key)
            self.new_contacts.append((number, row, value, phone))

    def _same_borrower(self, number: int, row: dict[str, str], stored: Borrower) -> None:
        """A borrower the database has: the row must say what is stored (changes: the feed)."""
        was = {
            "name": stored.name,
            "date_of_birth": stored.date_of_birth.isoformat(),
            "country": stored.country,
            "province": region_of(stored.country, stored.province) or stored.province,
            "city": stored.city,
            "district": stored.district,
            "street": stored.street,
            "employer": stored.employer or "",
        }
        for column, value in was.items():
            if self.ok(number, column) and (row.get(column) or "") != value:
                self.problem(
                    number,
                    column,
                    CellRefused(
                        "the database has “{value}” for this borrower: changes to what is"
                        " already imported come through `{feed}`",
                        value=shown(value),
                        feed=FEED,
                    ),
                )

    def _same_contract(self, contract: str, loan: Loan) -> None:
        """A contract the database has: its rows must say what is stored (changes: the feed)."""
        if contract in self.loans:
            number, row = self.loans[contract]
            if self.ok(number, "id_number") and row["id_number"] != loan.borrower.id_number:
                self.problem(
                    number,
                    "id_number",
                    CellRefused("the contract is in the database for another ID number"),
                )
            terms: dict[str, object] = {
                "product": loan.product,
                "principal": loan.principal,
                "annual_rate": loan.annual_rate,
                "penalty_rate_daily": loan.penalty_rate_daily,
                "term_months": loan.term_months,
                "disbursed_on": loan.disbursed_on,
            }
            self._same(number, row, terms)
        schedule = {line.seq: line for line in loan.instalments}
        for number, row in self.instalments.get(contract, []):
            if not self.ok(number, "seq"):
                continue
            line = schedule.get(int(row["seq"]))
            if line is None:
                self.problem(
                    number,
                    "seq",
                    CellRefused(
                        "the database has no such instalment for this contract: changes to what"
                        " is already imported come through `{feed}`",
                        feed=FEED,
                    ),
                )
                continue
            due: dict[str, object] = {
                "due_date": line.due_date,
                "principal_due": line.principal_due,
                "interest_due": line.interest_due,
                "fees_due": line.fees_due,
            }
            self._same(number, row, due)
        recorded = Counter((p.paid_at, p.amount) for p in loan.payments)
        for number, row in self.payments.get(contract, []):
            if not self.ok(number, "paid_at", "amount"):
                continue
            paid = (cells.moment(row["paid_at"]), Decimal(row["amount"]))
            if recorded[paid] > 0:
                recorded[paid] -= 1
            else:
                self.problem(
                    number,
                    "paid_at",
                    CellRefused(
                        "a payment the database does not have on a known contract: payments"
                        " on known contracts come through `{feed}`",
                        feed=FEED,
                    ),
                )

    def _same(self, number: int, row: dict[str, str], stored: dict[str, object]) -> None:
        for column, value in stored.items():
            if not self.ok(number, column):
                continue
            mine: object = row[column]
            if isinstance(value, Decimal):
                mine = Decimal(row[column])
            elif isinstance(value, date):
                mine = date.fromisoformat(row[column])
            elif isinstance(value, int):
                mine = int(row[column])
            if mine != value:
                self.problem(
                    number,
                    column,
                    CellRefused(
                        "the database has “{value}” for this contract: changes to what is"
                        " already imported come through `{feed}`",
                        value=shown(str(value)),
                        feed=FEED,
                    ),
                )

    # -- writing -------------------------------------------------------------------------

    def write(
        self, session: Session, users: dict[str, User], known: _Known, encoding: str = "UTF-8"
    ) -> ImportSummary:
        people = dict(known.borrowers)
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
        positions: dict[str, int] = {
            id_number: max((p.position + 1 for p in borrower.contact_points), default=0)
            for id_number, borrower in known.borrowers.items()
        }
        for _, row, value, phone in self.new_contacts:
            id_number = row["id_number"]
            session.add(
                ContactPoint(
                    borrower_id=people[id_number].id,
                    position=positions.get(id_number, 0),
                    kind=ContactKind(row["kind"]),
                    value=value,
                    region=phone.region if phone else None,
                    time_zones=" ".join(phone.time_zones) if phone else "",
                    contact_name=row.get("contact_name") or None,
                    relation=row.get("relation") or None,
                )
            )
            positions[id_number] = positions.get(id_number, 0) + 1
        zone = business_zone()
        counts = {"loans": 0, "instalments": 0, "payments": 0}
        for contract, (_, row) in self.loans.items():
            if contract in known.loans:
                continue
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
                (cells.moment(r["paid_at"]), Decimal(r["amount"]), r)
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
            counts["loans"] += 1
            counts["instalments"] += len(states)
            counts["payments"] += len(paid)
        session.flush()
        summary = ImportSummary(
            borrowers=len(people) - len(known.borrowers),
            contact_points=len(self.new_contacts),
            loans=counts["loans"],
            instalments=counts["instalments"],
            payments=counts["payments"],
            known_borrowers=sum(1 for i in self.borrowers if i in known.borrowers),
            known_contracts=len(known.loans),
            repeated_contact_points=self.repeated_contacts,
            encoding=encoding,
        )
        audit(session, "portfolio.imported", "portfolio", "import", summary.__dict__)
        return summary


def _records(reader: Iterator[dict[str, Any]], parsed: _Parsed) -> Iterator[tuple[int, Any]]:
    """The rows with their numbers (the header is row 1); a row csv cannot read ends it."""
    number = 1
    while True:
        number += 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error:
            parsed.problem(
                number,
                "",
                CellRefused(
                    "a cell longer than {limit} characters or not CSV; the rest was not read",
                    limit=CELL_LIMIT,
                ),
            )
            return
        yield number, raw


def _point_key(kind: ContactKind | str, value: str) -> str:
    """What makes two contact points of a borrower the same: the number, or the address."""
    return value.casefold() if ContactKind(kind) is ContactKind.EMAIL else value
