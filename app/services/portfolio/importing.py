"""Loading the lending system's export: borrowers, contact points, loans, schedules, payments.

One CSV file with a header row, one record per row; the `record` column says which kind and
which columns it uses (docs/import-format.md lists them). The file is read as UTF-8 (with or
without a byte-order mark), else as GB18030 (which covers GBK and GB2312), or in the encoding
named; a file in neither is refused with a line that says how to convert it. Every row is
checked before anything is written: if any row is wrong, the report names each problem by row
and column and nothing is imported. Otherwise everything goes in one transaction, the schedules
replayed with the payments so balances, DPD and penalty come out as the app computes them.

What is already in the database is not written twice: a known borrower or contract whose rows
agree with what is stored is left as it is (and counted), one whose rows disagree is refused
(changes come through the daily feed), and a contact point a borrower already has is not added
again.

The row checks are shared with the daily feed: `read_export` decodes a file, `_Parsed.cell`
screens any cell (control and invisible characters, spreadsheet formulas, non-ASCII digits,
length), and the `_date`, `_moment`, `_decimal`, `_money`, `_rate`, `_whole`, `_product`,
`_country` and `_address` methods check one kind of cell, each reporting by row and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import select
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
    User,
)
from app.services.common.audit import audit
from app.services.common.clock import business_zone
from app.services.common.errors import InvalidInput, InvalidPhoneNumber
from app.services.common.idnumbers import is_valid
from app.services.common.money import CENT
from app.services.common.phones import PhoneNumber, parse_phone
from app.services.common.reference import loan_limits, products
from app.services.common.regions import CHECKED, country_code, region_of
from app.services.portfolio.accounts import instalment_row
from app.services.portfolio.balances import ScheduleLine, replay

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
        ("currency", "assigned_to"),
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
TEXT = ("name", "province", "city", "district", "street", "employer", "contact_name", "relation")
# Numbers, dates and numbered codes: the digits 0-9 only, never full-width (１２３),
# superscript (²) or Chinese (三) ones. So are phone numbers (`_contact` checks those).
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
    "reference": 64,
    "country": 60,
}
OTHERWISE_LONGEST = 40
# What a spreadsheet reads as the start of a formula (CSV injection, OWASP).
FORMULA = ("=", "+", "-", "@")
# Control, invisible and private characters: NUL, line breaks inside a cell, bidirectional
# overrides (U+202E turns the text around on screen), zero-width spaces, byte-order marks.
HIDDEN = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
WHOLE = re.compile(r"[0-9]+")
CONTRACT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
# csv's own limit on one cell; a longer one stops the reading of the file.
CELL_LIMIT = csv.field_size_limit()


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
    # Already in the database, agreeing with the file, and left as they were.
    known_borrowers: int = 0
    known_contracts: int = 0
    # Contact points a borrower already had (or the file listed twice): not added again.
    repeated_contact_points: int = 0
    # How the file was read: "UTF-8", "GB18030" or the encoding named.
    encoding: str = "UTF-8"


@dataclass(frozen=True)
class ExportText:
    """The decoded export and the encoding it was read in (as people name it)."""

    text: str
    encoding: str


def import_portfolio(
    db: Database, path: Path, *, now: datetime | None = None, encoding: str | None = None
) -> ImportSummary:
    """Check every row of the export at `path`, then import all of it or nothing.

    encoding: the file's encoding when it is neither UTF-8 nor GB18030 (or to force one).
    """
    now = now or datetime.now(UTC)
    export = read_export(path, encoding)
    with db.session() as session:
        parsed = _Parsed(now)
        parsed.read(export.text)
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


# -- reading the file ------------------------------------------------------------------------


def read_export(path: Path, encoding: str | None = None) -> ExportText:
    """The text of an export file: UTF-8 (BOM or not), else GB18030, or `encoding`.

    Raises InvalidInput with one line saying how to convert a file in another encoding.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            "Cannot read {path}: {reason}.", path=str(path), reason=error.strerror or str(error)
        ) from None
    return decode_export(data, str(path), encoding)


def decode_export(data: bytes, path: str, encoding: str | None = None) -> ExportText:
    """Decode an export's bytes (see `read_export`); `path` names the file in messages."""
    if encoding:
        return _decode_as(data, path, encoding)
    header = data.split(b"\n", 1)[0]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in header:
        # UTF-16 ("Unicode text" in Excel) puts a NUL beside every ASCII letter.
        raise InvalidInput(
            "{path} looks like UTF-16, which is not read here: save it as CSV UTF-8, or"
            " convert it (iconv -f UTF-16 -t UTF-8 {path} > converted.csv) and import that.",
            path=path,
        )
    try:
        return ExportText(data.decode("utf-8-sig"), "UTF-8")
    except UnicodeDecodeError as error:
        utf8 = error
    if _mostly_utf8(data):
        # Real UTF-8 with a broken byte would also "decode" as GB18030, into nonsense.
        raise InvalidInput(
            "{path} is UTF-8 with a damaged byte ({byte}) on line {line}: export the file again,"
            " or fix that line, and import it again.",
            path=path,
            byte=f"0x{data[utf8.start]:02X}",
            line=data[: utf8.start].count(b"\n") + 1,
        )
    try:
        return ExportText(data.decode("gb18030").removeprefix("\ufeff"), "GB18030")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "{path} is neither UTF-8 nor GB18030 (GBK): the byte {byte} on line {line} is not"
            " text in either. Save the file as CSV UTF-8, or convert it (iconv -f ENCODING"
            " -t UTF-8 {path} > converted.csv), or name its encoding with --encoding.",
            path=path,
            byte=f"0x{data[error.start]:02X}",
            line=data[: error.start].count(b"\n") + 1,
        ) from None


def _decode_as(data: bytes, path: str, encoding: str) -> ExportText:
    try:
        known = codecs.lookup(encoding)
    except LookupError:
        known = None
    if known is None or not getattr(known, "_is_text_encoding", True):
        raise InvalidInput(
            "“{encoding}” is not a text encoding (try utf-8, gb18030 or gbk).",
            encoding=_shown(encoding),
        )
    try:
        text = data.decode(known.name)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "{path} is not {encoding}: the byte {byte} on line {line} is not {encoding} text."
            " Name the file's real encoding with --encoding, or convert it (iconv -f ENCODING"
            " -t UTF-8 {path} > converted.csv).",
            path=path,
            encoding=known.name,
            byte=f"0x{data[error.start]:02X}",
            line=data[: error.start].count(b"\n") + 1,
        ) from None
    return ExportText(text.removeprefix("\ufeff"), known.name.upper())


def _mostly_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 still reads as UTF-8 almost everywhere.

    GBK text read as UTF-8 fails on most of its characters; UTF-8 with one damaged byte
    fails on that one only.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    read = sum(1 for character in text if ord(character) > 0x7F) - broken
    return read > broken


def _shown(text: str, longest: int = 40) -> str:
    """A cell's text safe to print: hidden characters as U+XXXX, long text cut."""
    shown = "".join(
        f"<U+{ord(c):04X}>" if unicodedata.category(c) in HIDDEN else c for c in text[:longest]
    )
    return shown + ("…" if len(text) > longest else "")


# -- checking the rows -----------------------------------------------------------------------


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
        borrowers = _in_chunks(
            session,
            select(Borrower).options(selectinload(Borrower.contact_points)),
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
    # The cells that have a problem already: one problem a cell is enough.
    refused: set[tuple[int, str]] = field(default_factory=set)

    def problem(self, row: int, column: str, message: str) -> None:
        if (row, column) in self.refused:
            return
        self.refused.add((row, column))
        self.problems.append(ImportProblem(row, column, message))

    def ok(self, row: int, *columns: str) -> bool:
        """Whether none of these cells of the row has a problem."""
        return not any((row, column) in self.refused for column in columns)

    def read(self, text: str) -> None:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = tuple(name.strip() for name in reader.fieldnames or ())
        reader.fieldnames = list(header)
        unknown = [name for name in header if name not in HEADER]
        if "record" not in header or unknown:
            raise InvalidInput(
                "The file's header must name the columns {known}; it has {found}.",
                known=", ".join(HEADER),
                found=_shown(", ".join(header), 200) or "none",
            )
        for number, raw in _records(reader, self):
            row = {key: (value or "").strip() for key, value in raw.items() if key is not None}
            if None in raw:
                self.problem(number, "", "more cells than the header has columns")
                continue
            self.row(number, row)

    def row(self, number: int, row: dict[str, str]) -> None:
        record = row.get("record", "")
        if record not in COLUMNS:
            self.problem(
                number,
                "record",
                f"unknown record “{_shown(record)}” (one of {', '.join(COLUMNS)})",
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
        for column, value in row.items():
            if value and column != "record":
                self.cell(number, column, value)
        if "id_number" in row:
            # The check character X is as often written x.
            row["id_number"] = row["id_number"].upper()
        getattr(self, f"_{record}")(number, row)

    def cell(self, number: int, column: str, value: str) -> None:
        """Screen one cell: length, hidden characters; a formula (words) or other digits (codes)."""
        longest = LONGEST.get(column, OTHERWISE_LONGEST)
        hidden = next((c for c in value if unicodedata.category(c) in HIDDEN), None)
        if len(value) > longest:
            self.problem(number, column, f"longer than {longest} characters")
        elif hidden is not None:
            self.problem(
                number,
                column,
                f"holds a control or invisible character (U+{ord(hidden):04X}); type it again",
            )
        elif value.startswith(FORMULA) and column in (*TEXT, "reference"):
            self.problem(number, column, f"starts with “{value[0]}” as a spreadsheet formula does")
        elif column in CODES:
            self._digits(number, column, value)

    def _digits(self, number: int, column: str, value: str) -> None:
        digit = next(
            (
                c
                for c in value
                if c not in "0123456789" and unicodedata.numeric(c, None) is not None
            ),
            None,
        )
        if digit is not None:
            self.problem(
                number,
                column,
                f"“{_shown(value)}” has the character “{digit}”: write digits as 0-9"
                " (no full-width, superscript or Chinese numerals)",
            )

    # -- one check per record ----------------------------------------------------------

    def _borrower(self, number: int, row: dict[str, str]) -> None:
        id_number = row["id_number"]
        if id_number in self.borrowers:
            first = self.borrowers[id_number][0]
            self.problem(number, "id_number", f"the same borrower is on row {first}")
        born = self._date(number, row, "date_of_birth")
        if born is not None:
            row["date_of_birth"] = born.isoformat()
        if self.ok(number, "id_number") and not is_valid(id_number):
            self.problem(number, "id_number", "not a valid resident ID number (check digit)")
        elif born is not None and self.ok(number, "id_number"):
            on_card = _born_on(id_number)
            if born != on_card:
                self.problem(number, "date_of_birth", f"the ID number says {on_card.isoformat()}")
        if born is not None and born > self.now.date():
            self.problem(number, "date_of_birth", "in the future")
        country = self._country(number, row, "country")
        if country is not None:
            self._address(number, row, country)
        self.borrowers.setdefault(id_number, (number, row))

    def _contact(self, number: int, row: dict[str, str]) -> None:
        try:
            kind = ContactKind(row["kind"])
        except ValueError:
            self.problem(
                number, "kind", f"unknown kind (one of {', '.join(k.value for k in ContactKind)})"
            )
            return
        if kind is ContactKind.EMAIL:
            if "@" not in row["value"] or row["value"].startswith(FORMULA):
                self.problem(number, "value", "not an e-mail address")
        else:
            self._digits(number, "value", row["value"])
        if row.get("country"):
            self._country(number, row, "country")
        if kind.is_third_party and not row.get("contact_name"):
            self.problem(number, "contact_name", "an emergency contact needs a name")
        # The number is read in the borrower's country, known once every row is in.
        self.contacts.append((number, row))

    def _loan(self, number: int, row: dict[str, str]) -> None:
        if row["contract_no"] in self.loans:
            first = self.loans[row["contract_no"]][0]
            self.problem(number, "contract_no", f"the same contract is on row {first}")
            return
        self._contract(number, row)
        self._product(number, row, "product")
        self._money(number, row, "principal", positive=True)
        limits = loan_limits()
        self._rate(number, row, "annual_rate", limits.annual_rate_max, "a year", places=4)
        self._rate(
            number, row, "penalty_rate_daily", limits.penalty_rate_daily_max, "a day", places=6
        )
        self._whole(number, row, "term_months", 1, limits.term_months_max, "months")
        self._date(number, row, "disbursed_on")
        if row.get("currency", "CNY") not in ("CNY", ""):
            self.problem(number, "currency", "only CNY loans are collected here")
        self.loans[row["contract_no"]] = (number, row)

    def _instalment(self, number: int, row: dict[str, str]) -> None:
        self._contract(number, row)
        self._whole(number, row, "seq", 1, loan_limits().term_months_max, "instalments")
        self._date(number, row, "due_date")
        for column in ("principal_due", "interest_due", "fees_due"):
            self._money(number, row, column, positive=False)
        self.instalments[row["contract_no"]].append((number, row))

    def _payment(self, number: int, row: dict[str, str]) -> None:
        self._contract(number, row)
        self._money(number, row, "amount", positive=True)
        paid = self._moment(number, row, "paid_at")
        if paid is not None and paid > self.now:
            self.problem(number, "paid_at", "in the future")
        if row["channel"] not in CHANNELS:
            self.problem(number, "channel", f"unknown channel (one of {', '.join(CHANNELS)})")
        self.payments[row["contract_no"]].append((number, row))

    # -- across rows ---------------------------------------------------------------------

    def cross_check(self, users: dict[str, User], known: _Known) -> None:
        """What only the whole file and the database can tell: references, repeats, changes."""
        borrowers = set(self.borrowers) | set(known.borrowers)
        self._contacts_against(known)
        for contract, (number, row) in self.loans.items():
            if row["id_number"] not in borrowers:
                self.problem(number, "id_number", "no borrower row with this ID number")
            if contract in known.loans:
                continue
            worker = users.get(row.get("assigned_to", ""))
            if row.get("assigned_to") and (worker is None or worker.role not in WORKERS):
                self.problem(number, "assigned_to", "not a collector, field agent or team lead")
            lines = self.instalments.get(contract, [])
            if not lines:
                self.problem(number, "contract_no", "a loan needs its instalment rows")
            seqs = sorted(int(r["seq"]) for _, r in lines if WHOLE.fullmatch(r["seq"]))
            if seqs and seqs != list(range(1, len(lines) + 1)):
                self.problem(number, "seq", "instalments must be numbered 1, 2, 3… once each")
        for rows in (self.instalments, self.payments):
            for contract, entries in rows.items():
                if contract not in self.loans and contract not in known.loans:
                    for number, _ in entries:
                        self.problem(number, "contract_no", "no loan row with this contract")
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
            if id_number in self.borrowers:
                home = self.borrowers[id_number][1].get("country") or "CN"
            elif id_number in known.borrowers:
                home = known.borrowers[id_number].country
            else:
                self.problem(number, "id_number", "no borrower row with this ID number")
                continue
            kind = ContactKind(row["kind"])
            phone = None
            value = row["value"]
            if kind.is_phone:
                region = row.get("country") or home
                if not self.ok(number, "value", "country") or region not in _REGIONS:
                    continue
                try:
                    phone = parse_phone(value, region)
                except InvalidPhoneNumber as error:
                    self.problem(
                        number,
                        "value",
                        f"{error.message} Read as a number of {region}: another country's"
                        " starts with + and its country code.",
                    )
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
        now = {**row, "country": row.get("country") or "CN"}
        for column, value in was.items():
            if self.ok(number, column) and (now.get(column) or "") != value:
                self.problem(number, column, _known_as(value, "borrower"))

    def _same_contract(self, contract: str, loan: Loan) -> None:
        """A contract the database has: its rows must say what is stored (changes: the feed)."""
        if contract in self.loans:
            number, row = self.loans[contract]
            if self.ok(number, "id_number") and row["id_number"] != loan.borrower.id_number:
                self.problem(number, "id_number", "the contract is in the database for another ID")
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
                    "the database has no such instalment for this contract: changes to what"
                    " is already imported come through `central feed`",
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
            paid = (_moment_of(row["paid_at"]), Decimal(row["amount"]))
            if recorded[paid] > 0:
                recorded[paid] -= 1
            else:
                self.problem(
                    number,
                    "paid_at",
                    "a payment the database does not have on a known contract:"
                    " payments on known contracts come through `central feed`",
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
                self.problem(number, column, _known_as(str(value), "contract"))

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

    # -- cells ---------------------------------------------------------------------------

    def _date(self, number: int, row: dict[str, str], column: str) -> date | None:
        try:
            return date.fromisoformat(row[column])
        except ValueError:
            self.problem(number, column, "not a date (YYYY-MM-DD)")
            return None

    def _moment(self, number: int, row: dict[str, str], column: str) -> datetime | None:
        try:
            return _moment_of(row[column])
        except ValueError:
            self.problem(number, column, "not a time (ISO 8601, e.g. 2026-11-28T10:00:00+08:00)")
            return None

    def _decimal(self, number: int, row: dict[str, str], column: str) -> Decimal | None:
        value = _number(row[column])
        if value is None:
            self.problem(number, column, "not a number")
            return None
        if value < 0:
            self.problem(number, column, "must be zero or more")
            return None
        return value

    def _money(
        self, number: int, row: dict[str, str], column: str, *, positive: bool
    ) -> Decimal | None:
        value = _number(row[column])
        if value is None:
            self.problem(number, column, "not an amount")
            return None
        if value < 0 or (positive and value == 0):
            self.problem(
                number, column, "must be more than zero" if positive else "must be zero or more"
            )
        elif value >= Decimal(10) ** 12 or value != value.quantize(CENT):
            self.problem(number, column, "an amount in whole cents")
        else:
            return value
        return None

    def _rate(
        self,
        number: int,
        row: dict[str, str],
        column: str,
        highest: Decimal,
        per: str,
        *,
        places: int,
    ) -> Decimal | None:
        """A rate as a fraction (0.18 for 18%), from zero up to `highest`, to `places` places."""
        if row[column].endswith("%"):
            self.problem(number, column, "write a rate as a fraction: 0.18 for 18%")
            return None
        value = self._decimal(number, row, column)
        if value is None:
            return None
        if value > highest:
            self.problem(
                number,
                column,
                f"{value} {per} is more than any loan here carries (at most {highest});"
                " write a rate as a fraction: 0.18 for 18%",
            )
        elif value != value.quantize(Decimal(1).scaleb(-places)):
            self.problem(number, column, f"at most {places} decimal places")
        else:
            return value
        return None

    def _whole(
        self, number: int, row: dict[str, str], column: str, lowest: int, highest: int, what: str
    ) -> int | None:
        if not WHOLE.fullmatch(row[column]) or not lowest <= int(row[column]) <= highest:
            self.problem(number, column, f"a whole number of {what}, {lowest} to {highest}")
            return None
        return int(row[column])

    def _contract(self, number: int, row: dict[str, str]) -> None:
        if not CONTRACT.fullmatch(row["contract_no"]):
            self.problem(
                number, "contract_no", "a contract number has letters, digits and - _ . / only"
            )

    def _product(self, number: int, row: dict[str, str], column: str) -> None:
        if row[column] not in products():
            self.problem(
                number,
                column,
                f"unknown product “{_shown(row[column])}” (one of {', '.join(products())})",
            )

    def _country(self, number: int, row: dict[str, str], column: str) -> str | None:
        """The ISO code of the row's country (default CN), written back into the row."""
        if not row.get(column):
            return "CN"
        if not self.ok(number, column):
            return None
        code = country_code(row[column])
        if code is None or code not in _REGIONS:
            self.problem(number, column, "not a country (an ISO code such as CN, US or HK)")
            return None
        row[column] = code
        return code

    def _address(self, number: int, row: dict[str, str], country: str) -> None:
        """The province or state, as the app stores it, written back into the row."""
        if not self.ok(number, "province"):
            return
        region = region_of(country, row["province"])
        if region is None:
            example = "GD, 广东, 广东省 or Guangdong" if country == "CN" else "CA or California"
            self.problem(
                number,
                "province",
                f"“{_shown(row['province'])}” is not a province or state of {country}"
                f" (written e.g. {example})",
            )
            return
        row["province"] = region


# The countries phonenumbers knows: a borrower's country is one of them.
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS) | set(CHECKED)


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
                f"a cell longer than {CELL_LIMIT} characters or not CSV; the rest was not read",
            )
            return
        yield number, raw


def _number(text: str) -> Decimal | None:
    """A plain decimal number in the digits 0-9 (no exponent, no separators), or None."""
    if not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _moment_of(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=business_zone())
    return moment.astimezone(UTC)


def _born_on(id_number: str) -> date:
    """The date of birth a valid mainland resident ID number carries (digits 7 to 14)."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def _point_key(kind: ContactKind | str, value: str) -> str:
    """What makes two contact points of a borrower the same: the number, or the address."""
    return value.casefold() if ContactKind(kind) is ContactKind.EMAIL else value


def _known_as(value: str, what: str) -> str:
    return (
        f"the database has “{_shown(value)}” for this {what}:"
        " changes to what is already imported come through `central feed`"
    )
