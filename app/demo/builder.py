"""A reproducible, realistic demo portfolio: staff, borrowers, loans and a month of collection work.

Everything is drawn from one `random.Random(seed)`, so the same seed, `as_of` and size give the
same rows byte for byte. The shape of the book (shares, weights, names, places, texts) is data in
`resources/demo/`. Balances are consistent with payments: every instalment row holds what
`balances.replay` makes of the schedule and the loan's payments (the allocation is mirrored here
in whole cents, because replaying Decimals for 200,000 loans would take minutes; the tests hold
the two together).

Rows are generated as plain tuples in SQLite's storage format (hex keys, whole cents, ISO text
dates) and written with executemany in one transaction: straight through the DBAPI cursor on
SQLite, or converted to Python values and inserted with SQLAlchemy Core on any other database
(the tests check that both store the very same values). 200,000 accounts, some 4.4 million
rows, take one and a half minutes on a two-core laptop-class machine.
"""

from __future__ import annotations

import bisect
import gc
import json
import math
import random
import time as clock
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, Connection, Date, Numeric, Table, Time, Uuid, select

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    Callback,
    ContactAttempt,
    ContactBlock,
    ContactPoint,
    Escalation,
    Instalment,
    Loan,
    Payment,
    PromiseToPay,
    Team,
    User,
    VisitRequest,
)
from app.models.types import Money, UTCDateTime
from app.services.common import idnumbers
from app.services.common.errors import InvalidInput, InvalidPhoneNumber
from app.services.common.phones import parse_phone
from app.services.common.reference import (
    address_zones,
    buckets,
    dispositions,
    load_json,
    policy,
    products,
)
from app.services.contact.checklists import checklist_for
from app.services.contact.escalations import kinds_raised_by
from app.services.portfolio.balances import equal_instalments

# Switched off by the tests to check that both writers store the very same values.
SQLITE_FAST_PATH = True
CHUNK_ACCOUNTS = 2000

_DAY = 86_400
_HOUR = 3_600
_EPOCH = date(1970, 1, 1).toordinal()
# Mainland China, Hong Kong and Taiwan keep UTC+8 all year, so their local time needs no lookup.
_CN_OFFSET = 8 * _HOUR
_UTC8_ZONES = frozenset({"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Macau"})
# Collectors dial between these local times (a margin inside every profile's quiet hours).
_SHIFT_START = 8 * _HOUR + 30 * 60
_SHIFT_END = 20 * _HOUR + 30 * 60
_ABROAD_EARLIEST = 8 * _HOUR
_ABROAD_LATEST = 21 * _HOUR
_NEVER = 10**9
_ID_TICK = 1 << 80
_V7 = (0x7 << 76) | (0b10 << 62)
_RAND_B = (1 << 62) - 1

T = TypeVar("T")


@dataclass(frozen=True)
class DemoSummary:
    accounts: int
    borrowers: int
    users: int
    instalments: int
    payments: int
    attempts: int
    promises: int
    callbacks: int
    seconds: float


def build_demo(
    db: Database,
    *,
    accounts: int = 2000,
    seed: int = 1,
    as_of: datetime | None = None,
    accounts_per_collector: int = 250,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty, upgraded database with a demo portfolio in one transaction.

    as_of: the portfolio's "now" (aware); defaults to the current time.
    progress: called as progress(accounts_done, accounts) now and then.
    """
    started = clock.perf_counter()
    if accounts < 1:
        raise InvalidInput("A demo portfolio needs at least one account.")
    if accounts_per_collector < 1:
        raise InvalidInput("Accounts per collector must be at least one.")
    if as_of is None:
        as_of = datetime.now(UTC)
    elif as_of.tzinfo is None:
        raise InvalidInput("The demo portfolio's date and time must carry a time zone.")
    as_of = as_of.astimezone(UTC)

    builder = _Builder(seed, as_of, accounts, accounts_per_collector)
    # Millions of short-lived tuples would set off the cycle collector again and again; none of
    # them can form a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _write(db, builder, progress)
    finally:
        if collecting:
            gc.enable()
    counts = builder.counts
    return DemoSummary(
        accounts=accounts,
        borrowers=counts["borrowers"],
        users=counts["users"],
        instalments=counts["instalments"],
        payments=counts["payments"],
        attempts=counts["attempts"],
        promises=counts["promises"],
        callbacks=counts["callbacks"],
        seconds=round(clock.perf_counter() - started, 3),
    )


def _write(db: Database, builder: _Builder, progress: Callable[[int, int], None] | None) -> None:
    with db.engine.connect() as conn:
        fast = SQLITE_FAST_PATH and conn.dialect.name == "sqlite"
        restore = _sqlite_build_pragmas(conn) if fast else []
        conn.commit()  # reading the pragmas began a (DBAPI-empty) transaction; end it
        try:
            with conn.begin():
                indexes: list[str] = []
                if fast:
                    # pysqlite opens a transaction only before DML; the index DDL below must be
                    # inside it too, so that a failed build leaves the schema as it was.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                _require_empty(conn)
                if fast:
                    indexes = _drop_bulk_indexes(conn)
                sink: _Sink = _SQLiteSink(conn) if fast else _CoreSink(conn)
                builder.write_staff(sink)
                if progress:
                    progress(0, builder.accounts)
                for done in builder.write_accounts(sink):
                    if progress:
                        progress(done, builder.accounts)
                builder.write_visit_requests(sink)
                builder.write_audit(sink)
                for statement in indexes:
                    conn.exec_driver_sql(statement)
                if fast:
                    # Foreign keys were off while the rows went in (_sqlite_build_pragmas).
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"demo rows break a foreign key: {tuple(broken)}")
        finally:
            for statement in restore:
                conn.exec_driver_sql(statement)
            conn.commit()


def _drop_bulk_indexes(conn: Connection) -> list[str]:
    """Drop the secondary indexes of the tables the build fills; returns what recreates them.

    Building an index once over millions of rows (SQLite sorts, then writes the tree bottom
    up) is much cheaper than growing it row by row. The statements are the schema's own, as
    SQLite keeps them, so the schema ends exactly as it was.
    """
    tables = ", ".join(f"'{_table(model).name}'" for model in _BULK_MODELS)
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({tables}) ORDER BY name"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in found]


def _require_empty(conn: Connection) -> None:
    for model in (User, Loan, Borrower):
        table = _table(model)
        if conn.execute(select(table.c[next(iter(table.c.keys()))]).limit(1)).first():
            raise InvalidInput(
                "The database already holds a portfolio (users, borrowers or loans); a demo "
                "portfolio can only be built into an empty database."
            )


def _sqlite_build_pragmas(conn: Connection) -> list[str]:
    """Speed settings for the one big transaction; returns the statements that undo them."""
    before = {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("synchronous", "cache_size", "foreign_keys")
    }
    # A build that is lost is simply built again, so it need not survive a power cut. A bigger
    # page cache keeps the tables' trees in memory while millions of rows go in. Foreign keys
    # are checked once at the end, which costs a third of checking them on every insert.
    conn.exec_driver_sql("PRAGMA synchronous=OFF")
    conn.exec_driver_sql("PRAGMA cache_size=-524288")
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    return [f"PRAGMA {name}={int(value or 0)}" for name, value in before.items()]


_BULK_MODELS = (
    Borrower,
    ContactPoint,
    Loan,
    Instalment,
    Payment,
    ContactAttempt,
    PromiseToPay,
    Callback,
)


SYNC_COLUMNS = ("row_version", "changed_tx")


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


# -- writers ---------------------------------------------------------------------------------


class _Sink(Protocol):
    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None: ...


def _check_columns(table: Table, columns: Sequence[str]) -> None:
    # The sync columns keep their defaults: version 1, written by no central transaction yet.
    if sorted(columns) != sorted(c.name for c in table.c if c.name not in SYNC_COLUMNS):
        raise RuntimeError(f"demo rows for {table.name} do not match its columns")


class _SQLiteSink:
    """Rows are already in the form SQLAlchemy's types store on SQLite."""

    def __init__(self, conn: Connection) -> None:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        self._cursor = dbapi.cursor()

    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        _check_columns(table, columns)
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        self._cursor.executemany(sql, rows)


def _core_converter(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, Money):
        return lambda cents: Decimal(cents).scaleb(-2)
    if isinstance(column_type, UTCDateTime):
        return lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)
    if isinstance(column_type, Uuid):
        return lambda text: uuid.UUID(hex=text)
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Time):
        return time.fromisoformat
    if isinstance(column_type, Boolean):
        return bool
    if isinstance(column_type, JSON):
        return json.loads
    if isinstance(column_type, Numeric):
        # Rates: SQLAlchemy stores plain NUMERIC as a float on SQLite, so the rows carry floats.
        return lambda number: Decimal(repr(number))
    return None


class _CoreSink:
    """Portable: converts each value to what the column's Python type expects."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def write(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        _check_columns(table, columns)
        if not rows:
            return
        converters = [(name, _core_converter(table.c[name].type)) for name in columns]
        records = [
            {
                name: (convert(value) if convert is not None and value is not None else value)
                for (name, convert), value in zip(converters, row, strict=True)
            }
            for row in rows
        ]
        self._conn.execute(table.insert(), records)


# -- shape of the book -----------------------------------------------------------------------


class _Weighted(Generic[T]):
    """A weighted choice with precomputed cumulative weights (one random draw per pick)."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items = [(item, float(weight)) for item, weight in pairs if float(weight) > 0]
        if not items:
            raise ValueError("a weighted choice needs at least one positive weight")
        self.items = [item for item, _ in items]
        self.cumulative = list(accumulate(weight for _, weight in items))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def _weighted(mapping: dict[str, Any]) -> _Weighted[str]:
    return _Weighted((key, float(value)) for key, value in mapping.items())


@dataclass(frozen=True)
class _City:
    province: str
    name: str
    tel: str
    tel_digits: int
    tel_leads: str
    districts: tuple[tuple[str, str], ...]
    tel_region: str
    tel_zones: str


@dataclass(frozen=True)
class _Place:
    country: str
    province: str
    city: str
    district: str
    street: str
    cc: str
    prefixes: tuple[str, ...]
    digits: int


@dataclass(frozen=True)
class _ProductShape:
    code: str
    annual_rate: float
    penalty_rate: float
    penalty_micro: int
    monthly_fee: Decimal
    terms: _Weighted[int]
    principals: _Weighted[int]


@cache
def _shape() -> dict[str, Any]:
    return {
        "portfolio": load_json("demo/portfolio.json"),
        "names": load_json("demo/names.json"),
        "regions": load_json("demo/regions.json"),
        "texts": load_json("demo/texts.json"),
    }


def _principal_choices(low: int, high: int, step: int, typical: int) -> _Weighted[int]:
    """Round amounts from low to high, most of them near `typical` (log-normal-ish)."""
    first = -(-low // step) * step
    amounts = range(first, high + 1, step)
    return _Weighted(
        (amount, math.exp(-((math.log(amount / typical)) ** 2) / 0.5)) for amount in amounts
    )


def _chinese_number(n: int) -> str:
    """一 … 九十九 (team names); larger numbers stay in digits."""
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


# -- rows in the making ----------------------------------------------------------------------

_BORROWER_COLUMNS = (
    "id",
    "name",
    "id_number",
    "date_of_birth",
    "country",
    "province",
    "city",
    "district",
    "street",
    "employer",
    "vulnerable",
    "dispute_open",
    "cease_requested",
    "deceased",
    "legal_referral",
    "attorney_represented",
    "agreed_window_start",
    "agreed_window_end",
    "notes",
    "created_at",
    "updated_at",
)
_POINT_COLUMNS = (
    "id",
    "borrower_id",
    "position",
    "kind",
    "value",
    "region",
    "time_zones",
    "contact_name",
    "relation",
    "do_not_call",
    "wrong_number",
    "created_at",
)
_LOAN_COLUMNS = (
    "id",
    "contract_no",
    "borrower_id",
    "product",
    "currency",
    "principal",
    "annual_rate",
    "penalty_rate_daily",
    "term_months",
    "disbursed_on",
    "status",
    "assigned_to_id",
    "assigned_at",
    "previous_assignee_id",
    "created_at",
)
_INSTALMENT_COLUMNS = (
    "loan_id",
    "seq",
    "due_date",
    "principal_due",
    "interest_due",
    "fees_due",
    "principal_paid",
    "interest_paid",
    "fees_paid",
    "penalty_accrued",
    "penalty_paid",
    "accrued_to",
    "settled_on",
)
_PAYMENT_COLUMNS = ("id", "loan_id", "paid_at", "amount", "channel", "reference", "created_at")
_ATTEMPT_COLUMNS = (
    "id",
    "loan_id",
    "borrower_id",
    "contact_point_id",
    "user_id",
    "channel",
    "started_at",
    "duration_seconds",
    "after_call_seconds",
    "disposition",
    "right_party",
    "emotion",
    "checklist",
    "script_steps",
    "notes",
    "created_at",
)
_PROMISE_COLUMNS = (
    "id",
    "loan_id",
    "attempt_id",
    "visit_id",
    "amount",
    "promised_date",
    "status",
    "paid_amount",
    "resolved_at",
    "created_at",
)
_CALLBACK_COLUMNS = (
    "id",
    "loan_id",
    "attempt_id",
    "user_id",
    "due_at",
    "done_at",
    "note",
    "created_at",
)
_VISIT_REQUEST_COLUMNS = (
    "id",
    "loan_id",
    "requested_by_id",
    "reason",
    "requested_at",
    "visit_id",
    "closed_at",
)
_ESCALATION_COLUMNS = (
    "id",
    "loan_id",
    "borrower_id",
    "attempt_id",
    "kind",
    "raised_by_id",
    "raised_at",
    "acknowledged_by_id",
    "acknowledged_at",
    "decision",
    "decided_at",
    "note",
)
_BLOCK_COLUMNS = (
    "id",
    "loan_id",
    "borrower_id",
    "contact_point_id",
    "user_id",
    "at",
    "channel",
    "rule",
)
# An escalation raised longer ago than this has mostly been acknowledged and decided.
_ESCALATION_SETTLED_DAYS = 2
# Dials the contact rules stopped, and the rules that stopped them (a share of the calls).
_BLOCK_SHARE = 0.015
_BLOCK_RULES = ("cn.quiet_hours", "cn.unanswered_per_number", "cn.connected_per_day")
# One field account in this many is marked for a visit by its team lead.
_VISIT_REQUEST_EVERY = 12
_TEAM_COLUMNS = ("id", "name", "created_at")
_USER_COLUMNS = ("id", "username", "display_name", "role", "team_id", "active", "created_at")
_AUDIT_COLUMNS = ("id", "at", "user_id", "action", "entity", "entity_id", "details")

# Instalment state, one list per instalment, indexed by these (plain lists are the fastest
# mutable records in CPython, and there are millions of them).
_DUE, _P, _I, _F, _PP, _IP, _FP, _PA, _PEN_PAID, _ACC, _SET, _SEQ = range(12)
_PARTS = {
    "principal": (_P, _PP),
    "interest": (_I, _IP),
    "fees": (_F, _FP),
    "penalty": (_PA, _PEN_PAID),
}


@dataclass(slots=True)
class _Point:
    id: str
    kind: str
    value: str
    region: str | None
    zones: str
    own: bool
    utc8: bool
    contact_name: str | None = None
    relation: str | None = None
    do_not_call: bool = False
    wrong_number: bool = False
    spoken: bool = False

    @property
    def usable(self) -> bool:
        return not (self.do_not_call or self.wrong_number or self.spoken)


@dataclass(slots=True)
class _Plan:
    bucket: str | None  # None: settled
    abroad: bool = False
    field: bool = False
    flag: str | None = None
    special: str | None = None


@dataclass(slots=True)
class _Account:
    """What the activity simulation needs to know and change about one account."""

    loan_id: str
    borrower_id: str
    user_id: str
    bucket: str
    plan: _Plan
    states: list[list[Any]]  # the instalments not yet paid off, oldest first
    penalty_micro: int
    points: list[_Point]
    # Every zone the postal address may be in; calls must suit each of them.
    address_zones: tuple[str, ...]
    address_utc8: bool
    start_day: int
    last_day: int = 0
    own_failures: list[int] = field(default_factory=list)
    rpc_times: list[int] = field(default_factory=list)
    promise_until: int = -1
    flagged_at: int | None = None


class _Builder:
    def __init__(self, seed: int, as_of: datetime, accounts: int, per_collector: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.per_collector = per_collector
        self.as_of_sec = int(as_of.timestamp())
        self.as_of = as_of
        # DPD and the collectors' working day both count in the lender's zone (Asia/Shanghai),
        # as the queue does.
        self.today = (self.as_of_sec + _CN_OFFSET) // _DAY + _EPOCH
        self.base = self.today
        self.grace = int(policy()["promise"]["grace_days"])
        self.max_ahead = int(policy()["promise"]["max_days_ahead"])
        self.pre_due = int(policy()["pre_due_days"])
        self.order = [_PARTS[part] for part in policy()["allocation_order"]]
        self.dispositions = dispositions()
        self.counts = dict.fromkeys(
            (
                "borrowers",
                "users",
                "instalments",
                "payments",
                "attempts",
                "promises",
                "callbacks",
            ),
            0,
        )
        self._iso = _DayTexts(lambda ordinal: date.fromordinal(ordinal).isoformat())
        self._compact = _DayTexts(lambda ordinal: date.fromordinal(ordinal).strftime("%Y%m%d"))
        self._day_prefix = _DayTexts(lambda day: date.fromordinal(day + _EPOCH).isoformat() + " ")
        self._clock = _clock_texts()
        # Keys are minted in order (UUID version 7 layout: a 48-bit counter standing in for the
        # millisecond clock, then random bits), so SQLite appends to its indexes instead of
        # inserting all over them; random version 4 keys made the build half again as slow.
        self._id_clock = ((self.as_of_sec - _DAY) * 1000 << 80) | _V7
        self._zones: dict[str, ZoneInfo] = {}
        self._id_numbers: set[str] = set()
        self._schedules: dict[tuple[str, int, int], list[tuple[int, int, int]]] = {}
        self._monthlies: dict[tuple[int, int], list[int]] = {}
        self._utc8: dict[str, bool] = {}
        self._load_shape()
        self._plans = self._plan()
        self._reset_rows()

    # -- data ---------------------------------------------------------------------------

    def _load_shape(self) -> None:
        shape = _shape()
        book = self.book = shape["portfolio"]
        names = shape["names"]
        regions = shape["regions"]
        self.texts = shape["texts"]
        self.surnames = _Weighted((tuple(s[:2]), float(s[2])) for s in names["surnames"])
        self.male = [tuple(item) for item in names["male"]]
        self.female = [tuple(item) for item in names["female"]]

        cities: list[tuple[_City, float]] = []
        for province in regions["provinces"]:
            city_weight = sum(float(c["weight"]) for c in province["cities"])
            for city in province["cities"]:
                sample = f"{city['tel']}{city['tel_leads'][0]}" + "1" * (city["tel_digits"] - 1)
                parsed = parse_phone(sample)
                cities.append(
                    (
                        _City(
                            province=province["name"],
                            name=city["name"],
                            tel=city["tel"],
                            tel_digits=int(city["tel_digits"]),
                            tel_leads=city["tel_leads"],
                            districts=tuple((code, name) for code, name in city["districts"]),
                            tel_region=parsed.region,
                            tel_zones=" ".join(parsed.time_zones),
                        ),
                        float(province["weight"]) * float(city["weight"]) / city_weight,
                    )
                )
        self.cities = _Weighted(cities)
        self.places = _Weighted(
            (
                _Place(
                    country=p["country"],
                    province=p["province"],
                    city=p["city"],
                    district=p["district"],
                    street=p["street"],
                    cc=p["phone"]["cc"],
                    prefixes=tuple(p["phone"]["prefixes"]),
                    digits=int(p["phone"]["digits"]),
                ),
                float(p["weight"]),
            )
            for p in regions["abroad"]
        )
        self.mobile_prefixes = list(book["mobile_prefixes"])
        self.mobile_zones: dict[str, tuple[str, str]] = {}
        for prefix in self.mobile_prefixes:
            parsed = parse_phone(f"{prefix}12345678")
            self.mobile_zones[prefix] = (parsed.region, " ".join(parsed.time_zones))

        catalogue = products()
        self.products: _Weighted[_ProductShape] = _Weighted(
            (
                _ProductShape(
                    code=code,
                    annual_rate=float(catalogue[code].annual_rate),
                    penalty_rate=float(catalogue[code].penalty_rate_daily),
                    penalty_micro=int(catalogue[code].penalty_rate_daily.scaleb(6)),
                    monthly_fee=catalogue[code].monthly_fee,
                    terms=_Weighted(
                        (int(term), float(weight))
                        for term, weight in spec["terms"].items()
                        if int(term) in catalogue[code].terms
                    ),
                    principals=_principal_choices(
                        catalogue[code].principal_min,
                        catalogue[code].principal_max,
                        int(spec["step"]),
                        int(spec["typical"]),
                    ),
                ),
                float(spec["weight"]),
            )
            for code, spec in book["products"].items()
        )
        for product in self.products.items:
            # Penalty is computed in whole millionths; a finer rate would be rounded away.
            if (
                Decimal(product.penalty_micro).scaleb(-6)
                != catalogue[product.code].penalty_rate_daily
            ):
                raise ValueError(f"penalty rate of {product.code} has more than 6 decimals")

        self.buckets = {b.code: b for b in buckets()}
        self.bucket_choice = _weighted(book["bucket_weights"])
        self.late_buckets = set(book["late_buckets"])
        years = book["birth_years"]
        self.birth_years = _Weighted(
            (year, max(0.5, 10 - abs(year - int(years["peak"])) * 0.6))
            for year in range(int(years["from"]), int(years["to"]) + 1)
        )
        self.relations = _weighted(book["relations"])
        pay = book["payments"]
        self.pay_channels = _weighted(pay["channels"])
        activity = self.activity = book["activity"]
        self.no_contact = _weighted(activity["no_contact_weights"])
        self.own_contact = _weighted(activity["own_contact_weights"])
        self.third_party = _weighted(activity["third_party_weights"])
        self.rpc = {stage: _weighted(w) for stage, w in activity["rpc_weights"].items()}
        self.emotions = {code: _weighted(w) for code, w in activity["emotions"].items()}
        self.note_share = float(activity["note_share"])
        # Answered contacts tick their emotion's required checklist items; a few (legacy and
        # imported rows) lack one. Drawn from a stream of their own, so every other row stays
        # what the seed made it before checklists were filled in.
        self.checklist_missing_share = float(activity["checklist_missing_share"])
        self.checklist_rng = random.Random(f"checklists {self.seed}")
        # Streams of their own, so that the rest of the portfolio is the same with them.
        self.escalation_rng = random.Random(f"escalations {self.seed}")
        self.block_rng = random.Random(f"blocks {self.seed}")
        self._ticked: dict[tuple[str, str], tuple[str, ...]] = {}
        self._ticked_text: dict[tuple[str, str], str] = {}
        self.points_share = {k: float(v) for k, v in book["contact_points"].items()}
        self.pay_share = {k: float(v) for k, v in pay.items() if k != "channels"}
        self.act_share = {k: float(v) for k, v in activity.items() if isinstance(v, int | float)}
        self.window_days = int(activity["window_days"])
        promises = book["promises"]
        self.days_ahead = _Weighted(
            (int(days), float(w))
            for days, w in promises["days_ahead"].items()
            if int(days) <= self.max_ahead
        )
        self.promise_outcomes = _weighted(promises["outcomes"])
        known = set(self.dispositions)
        used = (
            set(activity["no_contact_weights"])
            | set(activity["third_party_weights"])
            | {c for w in activity["rpc_weights"].values() for c in w}
            | set(activity["flag_dispositions"].values())
            | {"WN", "TPC"}
        )
        if not used <= known:
            raise ValueError(f"demo activity uses unknown dispositions: {sorted(used - known)}")

    # -- the plan: buckets, flags and staff sizes, drawn before any account ---------------

    def _plan(self) -> list[_Plan]:
        """Every account's bucket, stage, flag and showcase role, drawn before any account is
        built: staff sizes depend on them, and the rare cases get a guaranteed minimum."""
        rng = self.rng
        book = self.book
        settled_share = float(book["settled_share"])
        abroad_share = float(book["abroad_share"])
        field_share = float(book["field_share_of_late"])
        plans = []
        for _ in range(self.accounts):
            if rng.random() < settled_share:
                plans.append(_Plan(None, abroad=rng.random() < abroad_share))
                continue
            bucket = self.bucket_choice.pick(rng)
            abroad = rng.random() < abroad_share
            plan = _Plan(bucket, abroad=abroad)
            plan.field = bucket in self.late_buckets and not abroad and rng.random() < field_share
            plans.append(plan)
        overdue = [i for i, p in enumerate(plans) if p.bucket not in (None, "C")]
        taken: set[int] = set()

        def draw(pool: list[int], count: int) -> list[int]:
            free = [i for i in pool if i not in taken]
            chosen = rng.sample(free, min(count, len(free)))
            taken.update(chosen)
            return chosen

        minimum = int(book["activity"]["min_special"])
        for flag, spec in book["flags"].items():
            if "share_of_M6+" in spec:
                pool = [i for i in overdue if plans[i].bucket == "M6+"]
                count = round(float(spec["share_of_M6+"]) * len(pool))
            else:
                pool = overdue
                count = round(float(spec["share"]) * self.accounts)
            for i in draw(pool, max(int(spec["min"]), count)):
                plans[i].flag = flag
        phone_early = [
            i
            for i in overdue
            if plans[i].bucket in ("M1", "M2", "M3") and not plans[i].abroad and not plans[i].field
        ]
        for special in ("cap_connected", "cap_unanswered", "callback_today", "promise_lapsed"):
            share = float(book["activity"][f"{special}_share"])
            for i in draw(phone_early, max(minimum, round(share * self.accounts))):
                plans[i].special = special
        return plans

    # -- staff --------------------------------------------------------------------------

    def _uuid(self) -> str:
        self._id_clock += _ID_TICK
        bits = self.rng.getrandbits(74)
        return f"{self._id_clock | (bits >> 62) << 64 | bits & _RAND_B:032x}"

    def _date(self, ordinal: int) -> str:
        return self._iso[ordinal]

    def _ts(self, sec: int) -> str:
        """An instant (epoch seconds) as SQLAlchemy stores a naive UTC datetime on SQLite."""
        return self._day_prefix[sec // _DAY] + self._clock[sec % _DAY]

    @staticmethod
    def _local_midnight(ordinal: int) -> int:
        """The UTC instant (epoch seconds) of 00:00 Asia/Shanghai on that day."""
        return (ordinal - _EPOCH) * _DAY - _CN_OFFSET

    def _person(self, male: bool) -> tuple[str, str, str, str]:
        """A Chinese name: (surname, given name, their pinyin)."""
        rng = self.rng
        surname, surname_py = self.surnames.pick(rng)
        chars = self.male if male else self.female
        count = 1 if rng.random() < 0.3 else 2
        given = [chars[int(rng.random() * len(chars))] for _ in range(count)]
        return surname, "".join(c for c, _ in given), surname_py, "".join(p for _, p in given)

    def write_staff(self, sink: _Sink) -> None:
        """Admin, and teams of a lead, the collectors the phone book needs and a field agent."""
        rng = self.rng
        phone_accounts = sum(1 for p in self._plans if p.bucket is not None and not p.field)
        collectors = max(1, -(-phone_accounts // self.per_collector))
        per_team = int(self.book["collectors_per_team"])
        team_count = -(-collectors // per_team)
        created = self._ts(self.as_of_sec - 800 * _DAY)
        teams: list[tuple[Any, ...]] = []
        users: list[tuple[Any, ...]] = []
        usernames: set[str] = set()

        def user(role: str, team_id: str | None, username: str | None = None) -> str:
            surname, given, surname_py, given_py = self._person(rng.random() < 0.55)
            display = surname + given
            if username is None:
                stem = f"{surname_py}.{given_py}"
                username, n = stem, 1
                while username in usernames:
                    n += 1
                    username = f"{stem}{n}"
            else:
                display = "系统管理员"
            usernames.add(username)
            user_id = self._uuid()
            joined = self.as_of_sec - int(rng.uniform(60, 700)) * _DAY
            users.append((user_id, username, display, role, team_id, 1, self._ts(joined)))
            return user_id

        user("admin", None, "admin")
        self._lead_of: dict[str, str] = {}
        # Field accounts in the order they were made: (loan id, agent id).
        self._field_loans: list[tuple[str, str]] = []
        self.collectors: list[str] = []
        self.field_agents: list[str] = []
        for t in range(team_count):
            team_id = self._uuid()
            teams.append((team_id, f"电催{_chinese_number(t + 1)}组", created))
            lead = user("team_lead", team_id)
            members = collectors // team_count + (1 if t < collectors % team_count else 0)
            made = [user("collector", team_id) for _ in range(members)]
            self.collectors.extend(made)
            self._lead_of.update(dict.fromkeys(made, lead))
            agent = user("field_agent", team_id)
            self.field_agents.append(agent)
            self._lead_of[agent] = lead
        sink.write(_table(Team), _TEAM_COLUMNS, teams)
        sink.write(_table(User), _USER_COLUMNS, users)
        self.counts["users"] = len(users)
        self._phone_next = 0
        self._field_next = 0
        # A field agent works one city: the city of their first account is theirs.
        self._field_cities: dict[str, Any] = {}

    def write_visit_requests(self, sink: _Sink) -> None:
        """A few field accounts a team lead asked to visit, so the planner shows both kinds."""
        reasons = self.texts["visit_request_reasons"]
        rows = [
            (
                self._uuid(),
                loan_id,
                self._lead_of[agent],
                reasons[index % len(reasons)],
                self._ts(self.as_of_sec - (1 + index % 4) * _DAY),
                None,
                None,
            )
            for index, (loan_id, agent) in enumerate(self._field_loans[::_VISIT_REQUEST_EVERY])
        ]
        if rows:
            sink.write(_table(VisitRequest), _VISIT_REQUEST_COLUMNS, rows)

    def write_audit(self, sink: _Sink) -> None:
        details = {
            "seed": self.seed,
            "accounts": self.accounts,
            "accounts_per_collector": self.per_collector,
            "as_of": self.as_of.isoformat(),
        }
        row = (
            self._uuid(),
            self._ts(self.as_of_sec),
            None,
            "demo.built",
            "portfolio",
            "demo",
            json.dumps(details),
        )
        sink.write(_table(AuditEvent), _AUDIT_COLUMNS, [row])

    # -- accounts -----------------------------------------------------------------------

    def _reset_rows(self) -> None:
        self.borrowers: list[tuple[Any, ...]] = []
        self.points: list[tuple[Any, ...]] = []
        self.loans: list[tuple[Any, ...]] = []
        self.instalments: list[tuple[Any, ...]] = []
        self.payments: list[tuple[Any, ...]] = []
        self.attempts: list[tuple[Any, ...]] = []
        self.promises: list[tuple[Any, ...]] = []
        self.callbacks: list[tuple[Any, ...]] = []
        self.escalations: list[tuple[Any, ...]] = []
        self.blocks: list[tuple[Any, ...]] = []

    def _flush(self, sink: _Sink) -> None:
        for model, columns, rows, key in (
            (Borrower, _BORROWER_COLUMNS, self.borrowers, "borrowers"),
            (ContactPoint, _POINT_COLUMNS, self.points, None),
            (Loan, _LOAN_COLUMNS, self.loans, None),
            (Instalment, _INSTALMENT_COLUMNS, self.instalments, "instalments"),
            (Payment, _PAYMENT_COLUMNS, self.payments, "payments"),
            (ContactAttempt, _ATTEMPT_COLUMNS, self.attempts, "attempts"),
            (PromiseToPay, _PROMISE_COLUMNS, self.promises, "promises"),
            (Callback, _CALLBACK_COLUMNS, self.callbacks, "callbacks"),
            (Escalation, _ESCALATION_COLUMNS, self.escalations, None),
            (ContactBlock, _BLOCK_COLUMNS, self.blocks, None),
        ):
            if key:
                self.counts[key] += len(rows)
            if rows:
                sink.write(_table(model), columns, rows)
        self._reset_rows()

    def write_accounts(self, sink: _Sink) -> Iterator[int]:
        for index, plan in enumerate(self._plans):
            self._account(index, plan)
            if (index + 1) % CHUNK_ACCOUNTS == 0 or index + 1 == self.accounts:
                self._flush(sink)
                yield index + 1

    def _account(self, index: int, plan: _Plan) -> None:
        """One borrower, their contact points and loan, its payments and the work on it."""
        rng = self.rng
        rnd = rng.random
        book = self.book
        texts = self.texts
        male = rnd() < 0.52
        surname, given, surname_py, given_py = self._person(male)
        name = surname + given
        city = self.cities.pick(rng)
        if plan.field and not plan.abroad:
            agent = self.field_agents[self._field_next % len(self.field_agents)]
            city = self._field_cities.setdefault(agent, city)
        area_code, district = city.districts[int(rnd() * len(city.districts))]
        year = self.birth_years.pick(rng)
        month = 1 + int(rnd() * 12)
        born = date(year, month, 1 + int(rnd() * (28 if month == 2 else 30)))
        sequence = int(rnd() * 500) * 2 + (1 if male else 0)
        id_number = idnumbers.make(area_code, born, sequence)
        while id_number in self._id_numbers:
            sequence = (sequence + 2) % 1000
            id_number = idnumbers.make(area_code, born, sequence)
        self._id_numbers.add(id_number)

        place = self.places.pick(rng) if plan.abroad else None
        n, building, unit = 1 + int(rnd() * 399), 1 + int(rnd() * 30), 1 + int(rnd() * 6)
        floor, room = 1 + int(rnd() * 32), 1 + int(rnd() * 6)
        if place is None:
            country, province, city_name = "CN", city.province, city.name
            street = texts["street_formats"][int(rnd() * len(texts["street_formats"]))].format(
                road=texts["roads"][int(rnd() * len(texts["roads"]))],
                estate=texts["estates"][int(rnd() * len(texts["estates"]))],
                n=n,
                building=building,
                unit=unit,
                floor=floor,
                room=room,
            )
            zones: tuple[str, ...] = ("Asia/Shanghai",)
        else:
            country, province, city_name = place.country, place.province, place.city
            district = place.district
            street = place.street.format(n=n, floor=floor, room=f"{floor}0{room}")
            zones = address_zones(place.country, place.province) or ("Asia/Shanghai",)
        employer: str | None = None
        if rnd() >= float(book["employer_null_share"]):
            if rnd() < 0.3:
                employer = texts["employers"][int(rnd() * len(texts["employers"]))]
            else:
                formats = texts["employer_formats"]
                words = texts["employer_words"]
                employer = formats[int(rnd() * len(formats))].format(
                    city=city.name.removesuffix("市"), word=words[int(rnd() * len(words))]
                )

        borrower_id = self._uuid()
        loan_id = self._uuid()
        points = self._contact_points(city, place, male, surname, surname_py, given_py)

        # The loan: product, schedule, and dates that put its oldest unpaid instalment in the
        # planned bucket.
        product = self.products.pick(rng)
        term = product.terms.pick(rng)
        principal = product.principals.pick(rng)
        amounts = self._schedule(product, principal, term)
        bucket = plan.bucket
        if bucket is None:
            paid = term
            last_due = self._due_day(self.base - 11 - int(rnd() * 400))
            oldest = self._add_months(last_due, 1)  # one past the end: everything is paid
        elif bucket == "C":
            # Current: the next instalment falls due within the next five days.
            paid = int(rnd() * term)
            coming = [d for d in range(self.base, self.base + 6) if date.fromordinal(d).day <= 28]
            oldest = coming[int(rnd() * len(coming))]
        else:
            paid = int(rnd() * term)
            oldest = self._draw_oldest_due(bucket, plan.special is not None)
        first_due = self._add_months(oldest, -paid)
        dues = self._monthly(first_due, term)
        disbursed = self._add_months(first_due, -1)
        disbursed_at = self._local_midnight(disbursed) + int(rng.uniform(9, 21) * _HOUR)
        created = self._ts(disbursed_at - int(rnd() * 3 * _DAY))

        # Instalments before the oldest unpaid one were paid off one by one; their rows are
        # final. The others stay open to the payments the collection work brings.
        iso = self._iso
        add = self.instalments.append
        states: list[list[Any]] = []
        for k, (p_due, i_due, f_due) in enumerate(amounts):
            due = dues[k]
            if k < paid:
                day, penalty = self._pay_on_time(
                    loan_id, due, p_due + i_due + f_due, p_due, product
                )
                paid_on = iso[day]
                add(
                    (
                        loan_id,
                        k + 1,
                        iso[due],
                        p_due,
                        i_due,
                        f_due,
                        p_due,
                        i_due,
                        f_due,
                        penalty,
                        penalty,
                        paid_on if day > due else None,
                        paid_on,
                    )
                )
            else:
                states.append([due, p_due, i_due, f_due, 0, 0, 0, 0, 0, None, None, k + 1])

        # Who works it.
        user_id: str | None = None
        assigned_at: str | None = None
        if bucket is not None:
            if plan.field:
                user_id = self.field_agents[self._field_next % len(self.field_agents)]
                self._field_next += 1
                self._field_loans.append((loan_id, user_id))
            else:
                user_id = self.collectors[self._phone_next % len(self.collectors)]
                self._phone_next += 1
            if bucket == "C":
                assign_day = min(oldest - self.pre_due, self.today)
            else:
                assign_day = max(oldest + 1, self.today - self.window_days)
            assigned_at = self._ts(
                min(self._local_midnight(assign_day) + 6 * _HOUR, self.as_of_sec)
            )

        flag = plan.flag
        account = _Account(
            loan_id=loan_id,
            borrower_id=borrower_id,
            user_id=user_id or "",
            bucket=bucket or "",
            plan=plan,
            states=states,
            penalty_micro=product.penalty_micro,
            points=points,
            address_zones=zones,
            address_utc8=all(zone in _UTC8_ZONES for zone in zones),
            start_day=max(oldest + 1, self.today - self.window_days),
        )
        # A consumer represented by an attorney may not be called at all (FDCPA §1692c(a)(2)).
        attorney = (
            country == "US"
            and plan.flag is None
            and plan.special is None
            and rnd() < float(book["attorney_share_us"])
        )
        if bucket == "C" and not attorney:
            self._pre_due_reminder(account, oldest)
        elif bucket is not None and not attorney:
            self._collection_month(account, oldest)

        window_start = window_end = None
        if rnd() < float(book["agreed_window_share"]):
            # Agreed to calls a little outside the usual hours (a shift worker); the demo's own
            # calls stay inside both.
            window_start, window_end = "07:30:00.000000", "22:30:00.000000"
        notes = None
        if plan.flag:
            choices = texts["borrower_notes"][plan.flag]
            notes = choices[int(rnd() * len(choices))]
        updated = self._ts(account.flagged_at) if account.flagged_at else created
        self.borrowers.append(
            (
                borrower_id,
                name,
                id_number,
                born.isoformat(),
                country,
                province,
                city_name,
                district,
                street,
                employer,
                int(flag == "vulnerable"),
                int(flag == "dispute_open"),
                int(flag == "cease_requested"),
                int(flag == "deceased"),
                int(flag == "legal_referral"),
                int(attorney),
                window_start,
                window_end,
                notes,
                created,
                updated,
            )
        )
        for position, point in enumerate(points):
            self.points.append(
                (
                    point.id,
                    borrower_id,
                    position,
                    point.kind,
                    point.value,
                    point.region,
                    point.zones,
                    point.contact_name,
                    point.relation,
                    int(point.do_not_call),
                    int(point.wrong_number),
                    created,
                )
            )
        self.loans.append(
            (
                loan_id,
                f"CW{date.fromordinal(disbursed).year}{index + 1:08d}",
                borrower_id,
                product.code,
                "CNY",
                principal * 100,
                product.annual_rate,
                product.penalty_rate,
                term,
                self._date(disbursed),
                "settled" if bucket is None else "active",
                user_id,
                assigned_at,
                None,  # nobody had it before: the demo's loans were never moved
                self._ts(disbursed_at),
            )
        )
        for s in states:
            add(
                (
                    loan_id,
                    s[_SEQ],
                    iso[s[_DUE]],
                    s[_P],
                    s[_I],
                    s[_F],
                    s[_PP],
                    s[_IP],
                    s[_FP],
                    s[_PA],
                    s[_PEN_PAID],
                    None if s[_ACC] is None else iso[s[_ACC]],
                    None if s[_SET] is None else iso[s[_SET]],
                )
            )

    # -- places, people and numbers -----------------------------------------------------

    def _mobile(self) -> tuple[str, str, str]:
        prefix = self.mobile_prefixes[int(self.rng.random() * len(self.mobile_prefixes))]
        region, zones = self.mobile_zones[prefix]
        return f"+86{prefix}{int(self.rng.random() * 100_000_000):08d}", region, zones

    def _landline(self, city: _City) -> str:
        lead = city.tel_leads[int(self.rng.random() * len(city.tel_leads))]
        rest = int(self.rng.random() * 10 ** (city.tel_digits - 1))
        return f"+86{city.tel[1:]}{lead}{rest:0{city.tel_digits - 1}d}"

    def _foreign(self, place: _Place) -> tuple[str, str, str]:
        """A valid mobile number of the place, with what phonenumbers says about it."""
        rng = self.rng
        for _ in range(200):
            prefix = place.prefixes[int(rng.random() * len(place.prefixes))]
            width = place.digits - len(prefix)
            number = f"+{place.cc}{prefix}{int(rng.random() * 10**width):0{width}d}"
            try:
                parsed = parse_phone(number)
            except InvalidPhoneNumber:
                continue
            if parsed.region == place.country and parsed.mobile:
                return parsed.e164, parsed.region, " ".join(parsed.time_zones)
        raise ValueError(f"no valid mobile number found for {place.city}")

    def _point(
        self, kind: str, value: str, region: str | None, zones: str, *, own: bool = True
    ) -> _Point:
        utc8 = self._utc8.get(zones)
        if utc8 is None:
            utc8 = self._utc8[zones] = all(z in _UTC8_ZONES for z in zones.split())
        return _Point(self._uuid(), kind, value, region, zones, own, utc8)

    def _contact_points(
        self,
        city: _City,
        place: _Place | None,
        male: bool,
        surname: str,
        surname_py: str,
        given_py: str,
    ) -> list[_Point]:
        rng = self.rng
        rnd = rng.random
        spec = self.points_share
        points = []
        if place is not None:
            points.append(self._point("mobile", *self._foreign(place)))
            if rnd() < spec["old_mobile_abroad_share"]:
                points.append(self._point("mobile", *self._mobile()))
        else:
            points.append(self._point("mobile", *self._mobile()))
            if rnd() < spec["home_share"]:
                points.append(
                    self._point("home", self._landline(city), city.tel_region, city.tel_zones)
                )
            if rnd() < spec["work_share"]:
                points.append(
                    self._point("work", self._landline(city), city.tel_region, city.tel_zones)
                )
        if rnd() < spec["email_share"]:
            texts = self.texts
            domains = texts["email_domains_abroad" if place else "email_domains"]
            domain = domains[int(rnd() * len(domains))]
            if domain == "qq.com":
                address = f"{int(rng.uniform(10_000, 3_000_000_000))}@qq.com"
            else:
                address = f"{given_py}.{surname_py}{int(rnd() * 100)}@{domain}"
            points.append(self._point("email", address, None, ""))
        for k in range(2 if rnd() < spec["second_emergency_share"] else 1):
            relation = self.relations.pick(rng)
            relative_male = (
                relation in ("父亲", "兄弟")
                or (relation == "配偶" and not male)
                or (relation in ("朋友", "同事") and rnd() < 0.5)
            )
            other_surname, other_given, _, _ = self._person(relative_male)
            # Father and siblings share the borrower's family name.
            family = surname if relation in ("父亲", "兄弟", "姐妹") else other_surname
            name = family + other_given
            abroad_place = None
            if k == 0 and rnd() < float(self.book["emergency_abroad_share"]):
                abroad_place = self.places.pick(rng)
            number = self._foreign(abroad_place) if abroad_place else self._mobile()
            point = self._point("emergency", *number, own=False)
            point.contact_name = name
            point.relation = relation
            points.append(point)
        # Marks left by earlier work: an employer or relative who asked not to be called, a number
        # found wrong. Never on the registered mobile, which every account keeps reachable.
        for point in points[1:]:
            if point.kind == "email":
                continue
            if point.kind in ("work", "emergency") and rnd() < spec["do_not_call_share"]:
                point.do_not_call = True
            elif rnd() < spec["wrong_number_share"]:
                point.wrong_number = True
        return points

    # -- loans and money ----------------------------------------------------------------

    def _schedule(
        self, product: _ProductShape, principal: int, term: int
    ) -> list[tuple[int, int, int]]:
        """Cents of (principal, interest, fees) per instalment; only the dates differ."""
        key = (product.code, principal, term)
        found = self._schedules.get(key)
        if found is None:
            lines = equal_instalments(
                Decimal(principal),
                products()[product.code].annual_rate,
                term,
                date(2001, 1, 1),
                product.monthly_fee,
            )
            found = self._schedules[key] = [
                (
                    int(line.principal_due * 100),
                    int(line.interest_due * 100),
                    int(line.fees_due * 100),
                )
                for line in lines
            ]
        return found

    def _monthly(self, first: int, count: int) -> list[int]:
        """Due days a month apart (shared: a few thousand first days serve every loan)."""
        key = (first, count)
        found = self._monthlies.get(key)
        if found is None:
            found = self._monthlies[key] = [self._add_months(first, k) for k in range(count)]
        return found

    @staticmethod
    def _add_months(ordinal: int, months: int) -> int:
        day = date.fromordinal(ordinal)
        index = day.year * 12 + day.month - 1 + months
        return date(index // 12, index % 12 + 1, day.day).toordinal()

    @staticmethod
    def _due_day(ordinal: int) -> int:
        """The day itself, or the 28th before it: lenders keep due days on the 1st–28th, so
        that every month has one (and the schedule's dates follow from the first)."""
        day = date.fromordinal(ordinal).day
        return ordinal if day <= 28 else ordinal - (day - 28)

    def _draw_oldest_due(self, bucket: str, special: bool) -> int:
        rng = self.rng
        band = self.buckets[bucket]
        low = max(band.min_dpd, 8) if special else band.min_dpd
        while True:
            if band.max_dpd is None:
                extra = self.book["dpd_beyond_last_bucket"]
                dpd = low + int(rng.expovariate(1 / float(extra["mean_extra_days"])))
                dpd = min(dpd, int(extra["max_dpd"]))
            else:
                dpd = low + int(rng.random() * (band.max_dpd - low + 1))
            oldest = self.base - dpd
            if date.fromordinal(oldest).day <= 28:
                return oldest

    def _payment(self, loan_id: str, day: int, amount: int, earliest: int = 0) -> int:
        """A payment row on that day (local time after `earliest`, if given); returns paid_at."""
        rng = self.rng
        lowest = max(self._local_midnight(day) + 8 * _HOUR, earliest + 60)
        # Until 23:59 local time, so the UTC date is the local date.
        highest = self._local_midnight(day) + _DAY - 60
        paid_at = lowest + int(rng.random() * max(1, highest - lowest))
        channel = self.pay_channels.pick(rng)
        # Shaped like the channels' own transaction numbers.
        prefix, suffix = _REFERENCES[channel]
        reference = f"{prefix}{self._compact[day]}{suffix}{rng.getrandbits(40):013d}"
        when = self._ts(paid_at)
        self.payments.append((self._uuid(), loan_id, when, amount, channel, reference, when))
        return paid_at

    def _pay_on_time(
        self, loan_id: str, due: int, owed: int, principal: int, product: _ProductShape
    ) -> tuple[int, int]:
        """Settle one instalment with one payment a few days early, on the day, or late.

        Returns the day paid and the penalty it carried: on a late payment the penalty accrued on
        the instalment's principal up to that day, which `balances.apply_payment` books and the
        payment covers.
        """
        rng = self.rng
        spec = self.pay_share
        roll = rng.random()
        if roll < spec["early_share"]:
            offset = -1 - int(rng.random() * spec["max_days_early"])
        elif roll < spec["early_share"] + spec["late_share"]:
            offset = 1 + int(rng.random() * spec["max_days_late"])
        else:
            offset = 0
        day = due + offset
        penalty = _cents_half_up(principal * product.penalty_micro * offset) if offset > 0 else 0
        self._payment(loan_id, day, owed + penalty)
        return day, penalty

    def _apply(self, account: _Account, amount: int, day: int) -> None:
        """`balances.apply_payment` in whole cents: accrue penalty, then pay oldest first."""
        micro = account.penalty_micro
        for s in account.states:
            if s[_DUE] < day and s[_SET] is None:
                start = max(s[_DUE], s[_ACC] or s[_DUE])
                if day > start:
                    s[_PA] += _cents_half_up((s[_P] - s[_PP]) * micro * (day - start))
                    s[_ACC] = day
        remaining = amount
        for s in account.states:
            if s[_SET] is not None:
                continue
            for due, paid in self.order:
                take = min(remaining, s[due] - s[paid])
                if take <= 0:
                    continue
                s[paid] += take
                remaining -= take
            if all(s[due] == s[paid] for due, paid in self.order):
                s[_SET] = day
            if remaining == 0:
                break

    def _oldest_owed(self, account: _Account, day: int) -> int:
        """What it takes to settle the oldest unpaid instalment on that day."""
        for s in account.states:
            if s[_SET] is None:
                owed = sum(s[due] - s[paid] for due, paid in self.order)
                start = max(s[_DUE], s[_ACC] or s[_DUE])
                if s[_DUE] < day and day > start:
                    owed += _cents_half_up((s[_P] - s[_PP]) * account.penalty_micro * (day - start))
                return int(owed)
        return 0

    # -- collection work ----------------------------------------------------------------

    def _zone(self, key: str) -> ZoneInfo:
        found = self._zones.get(key)
        if found is None:
            found = self._zones[key] = ZoneInfo(key)
        return found

    def _allowed_abroad(self, sec: int, zones: Iterable[str]) -> bool:
        for key in zones:
            local = datetime.fromtimestamp(sec, self._zone(key))
            seconds = local.hour * _HOUR + local.minute * 60
            if not _ABROAD_EARLIEST <= seconds < _ABROAD_LATEST:
                return False
        return True

    def _pick_time(
        self,
        account: _Account,
        point: _Point,
        day: int,
        *,
        after: int = 0,
        past_only: bool = True,
    ) -> int | None:
        """A moment in that day's shift when calling this point suits every zone involved.

        past_only: before as_of (an attempt); otherwise any time that day (a callback's due time).
        """
        rng = self.rng
        midnight = self._local_midnight(day)
        low = max(midnight + _SHIFT_START, after)
        high = midnight + _SHIFT_END
        if past_only:
            high = min(high, self.as_of_sec - 15 * 60)
        if high <= low:
            return None
        if point.utc8 and account.address_utc8:
            return low + int(rng.random() * (high - low))
        zones = [*point.zones.split(), *account.address_zones]
        for _ in range(24):
            moment = low + int(rng.random() * (high - low))
            if self._allowed_abroad(moment, zones):
                return moment
        return None

    def _attempt(
        self,
        account: _Account,
        point: _Point,
        start: int,
        code: str,
        *,
        channel: str = "call",
        emotion: str | None = None,
        note: str | None = None,
    ) -> tuple[str, int]:
        """Record one attempt; returns its id and when the collector was done with it."""
        rng = self.rng
        meaning = self.dispositions[code]
        duration = 0
        if meaning.contact:
            durations = self.activity["durations"]
            low, high = durations.get(code, durations["default"])
            duration = int(rng.uniform(low, high))
            if emotion is None:
                emotion = self.emotions.get(code, self.emotions["default"]).pick(rng)
            if meaning.rpc:
                account.rpc_times.append(start)
        else:
            emotion = None
            if point.own and channel == "call":
                account.own_failures.append(start)
        if note is None and code != "PTP" and rng.random() < self.note_share:
            choices = self.texts["notes"].get(code)
            if choices:
                template = choices[int(rng.random() * len(choices))]
                note = template.format(n=3 + int(rng.random() * 10))
        after_call = 20 + int(rng.random() * 100)
        done = start + duration + after_call
        attempt_id = self._uuid()
        self.attempts.append(
            (
                attempt_id,
                account.loan_id,
                account.borrower_id,
                point.id,
                account.user_id,
                channel,
                self._ts(start),
                duration,
                after_call if channel == "call" else None,
                code,
                int(meaning.rpc),
                emotion,
                self._checklist(emotion, code) if emotion is not None else "[]",
                "[]",
                note,
                self._ts(min(done, self.as_of_sec)),
            )
        )
        if meaning.contact:
            self._escalate(account, attempt_id, start, emotion, code, done)
        elif channel == "call" and self.block_rng.random() < _BLOCK_SHARE:
            self._blocked(account, point, start)
        return attempt_id, done

    def _escalate(
        self,
        account: _Account,
        attempt_id: str,
        start: int,
        emotion: str | None,
        code: str,
        done: int,
    ) -> None:
        """What the contact raised to the team lead: decided when it is old enough, still
        waiting when it is recent (the lead's inbox and dashboard show those)."""
        rng = self.escalation_rng
        for kind in kinds_raised_by(emotion, code):
            raised = min(done, self.as_of_sec)
            settled = (
                self.as_of_sec - raised > _ESCALATION_SETTLED_DAYS * _DAY and rng.random() < 0.85
            )
            lead = self._lead_of.get(account.user_id)
            acknowledged = raised + int(rng.uniform(600, 6 * 3600)) if settled and lead else None
            self.escalations.append(
                (
                    f"{rng.getrandbits(128):032x}",
                    account.loan_id,
                    account.borrower_id,
                    attempt_id,
                    kind.kind,
                    account.user_id,
                    self._ts(raised),
                    lead if acknowledged else None,
                    self._ts(acknowledged) if acknowledged else None,
                    "pause" if acknowledged else None,
                    self._ts(acknowledged) if acknowledged else None,
                    None,
                )
            )

    def _blocked(self, account: _Account, point: _Point, start: int) -> None:
        """A dial the rules stopped shortly before this attempt."""
        rng = self.block_rng
        self.blocks.append(
            (
                f"{rng.getrandbits(128):032x}",
                account.loan_id,
                account.borrower_id,
                point.id,
                account.user_id,
                self._ts(max(start - int(rng.uniform(60, 3 * 3600)), 0)),
                "call",
                _BLOCK_RULES[int(rng.random() * len(_BLOCK_RULES))],
            )
        )

    def _checklist(self, emotion: str, code: str) -> str:
        """The stored checklist of an answered contact: its required items, in order, or now
        and then all but one of them."""
        key = (emotion, code)
        ticked = self._ticked.get(key)
        if ticked is None:
            ticked = tuple(item.id for item in checklist_for(emotion, code) if item.required)
            self._ticked[key] = ticked
            self._ticked_text[key] = json.dumps(list(ticked))
        rng = self.checklist_rng
        if ticked and rng.random() < self.checklist_missing_share:
            left_out = int(rng.random() * len(ticked))
            return json.dumps([item for index, item in enumerate(ticked) if index != left_out])
        return self._ticked_text[key]

    def _own_phone(self, account: _Account) -> _Point | None:
        usable = [p for p in account.points if p.own and p.kind != "email" and p.usable]
        if not usable:
            return None
        # The mobile is tried first most of the time.
        if usable[0].kind == "mobile" and self.rng.random() < 0.75:
            return usable[0]
        return usable[int(self.rng.random() * len(usable))]

    def _pre_due_reminder(self, account: _Account, due: int) -> None:
        if self.rng.random() >= self.act_share["pre_due_sms_share"]:
            return
        mobile = account.points[0]
        day = due - 1 - int(self.rng.random() * self.pre_due)
        if day > self.today or not mobile.usable:
            return
        moment = self._pick_time(account, mobile, day)
        if moment is not None:
            text = self.texts["sms"][0].format(date=_month_day(due))
            self._attempt(account, mobile, moment, "NA", channel="sms", note=text)

    def _collection_month(self, account: _Account, oldest: int) -> None:
        """Up to a month of calls, promises, callbacks and payments on an overdue account."""
        rng = self.rng
        rnd = rng.random
        plan = account.plan
        activity = self.activity
        today = self.today

        # A payment of part of the oldest instalment, made without anyone asking.
        partial_day: int | None = None
        if rnd() < self.pay_share["partial_share"] and oldest + 1 < self.base:
            partial_day = oldest + 1 + int(rnd() * (self.base - 1 - oldest))

        profile = "worked"
        if plan.flag is None and plan.special is None:
            roll = rnd()
            never = self.act_share["never_contacted_share"]
            if roll < never:
                profile = "never"
            elif roll < never + self.act_share["stale_share"]:
                profile = "stale"
        last_day = today
        if profile == "never":
            last_day = account.start_day - 1
        elif profile == "stale" or plan.flag == "legal_referral":
            last_day = today - 10 - int(rnd() * 16)
        elif plan.special == "promise_lapsed":
            last_day = today - 2 - self.grace - self.max_ahead
        elif plan.special == "callback_today":
            last_day = today - 2  # the callback may be agreed yesterday
        elif plan.special is not None:
            last_day = today - 1
        flag_day: int | None = None
        if plan.flag in activity["flag_dispositions"]:
            flag_day = account.start_day + int(rnd() * (today - account.start_day + 1))
            # Abroad, a week must pass after a conversation before the next call (US rule).
            last_day = flag_day - (8 if plan.abroad else 1)
        account.last_day = last_day

        if plan.field:
            chance = self.act_share["field_day_probability"]
        else:
            chance = float(activity["day_probability"][account.bucket])
        if plan.abroad:
            chance /= 2
        stage = activity["stage_of_bucket"][account.bucket]
        # Some borrowers pick up, some never do.
        contact_chance = float(activity["contact_probability"][account.bucket])
        contact_chance *= 0.2 + 1.6 * rnd()

        next_day = account.start_day
        for day in range(account.start_day, last_day + 1):
            if partial_day is not None and partial_day <= day:
                self._spontaneous_partial(account, partial_day)
                partial_day = None
            if day >= next_day and rnd() < chance:
                next_day = self._session(account, day, stage, contact_chance)
        if partial_day is not None:
            self._spontaneous_partial(account, partial_day)

        if flag_day is not None and plan.flag is not None:
            self._flag_session(account, flag_day, plan.flag)
        elif plan.special == "cap_connected":
            self._cap_connected(account)
        elif plan.special == "cap_unanswered":
            self._cap_unanswered(account)
        elif plan.special == "callback_today":
            self._callback_today(account)
        elif plan.special == "promise_lapsed":
            self._promise_lapsed(account, stage)

    def _spontaneous_partial(self, account: _Account, day: int) -> None:
        if day <= account.promise_until or day >= self.base:
            return  # a promise is running; its payment must still fit the instalment
        owed = self._oldest_owed(account, day)
        amount = int(owed * self.rng.uniform(0.2, 0.8)) // 100 * 100
        if 0 < amount < owed:
            self._payment(account.loan_id, day, amount)
            self._apply(account, amount, day)

    def _session(self, account: _Account, day: int, stage: str, contact_chance: float) -> int:
        """One working session on the account; returns the first day it may be worked again."""
        rng = self.rng
        rnd = rng.random
        point = self._own_phone(account)
        if point is None:
            self._third_party_call(account, day, 0)
            return day + 1
        moment = self._pick_time(account, point, day)
        if moment is None:
            return day + 1
        if point.kind == "mobile" and rnd() < self.act_share["sms_share"]:
            text = self.texts["sms"][1]
            self._attempt(account, point, moment, "NA", channel="sms", note=text)
            return day + 1
        abroad = account.plan.abroad
        tries = 0
        while True:
            tries += 1
            if rnd() < contact_chance:
                kind = self.own_contact.pick(rng)
                if kind == "WN" and point is account.points[0]:
                    kind = "TPC"  # the registered mobile: someone else picked it up
                if kind == "RPC":
                    next_day = self._right_party(account, point, moment, day, stage)
                    # US rules presume harassment on a call within 7 days of a conversation.
                    return max(next_day, day + 8) if abroad else next_day
                self._attempt(account, point, moment, kind)
                if kind == "WN":
                    point.wrong_number = True
                return day + (8 if abroad else 1)
            _, done = self._attempt(account, point, moment, self.no_contact.pick(rng))
            if abroad or tries >= 3 or rnd() >= self.act_share["retry_share"]:
                break
            retry = self._own_phone(account)
            if retry is None:
                break
            later = self._pick_time(account, retry, day, after=done + 20 * 60)
            if later is None:
                break
            point, moment = retry, later
        if not abroad and rnd() < self.act_share["third_party_share"]:
            self._third_party_call(account, day, done)
        return day + 1

    def _third_party_call(self, account: _Account, day: int, after: int) -> None:
        """An emergency contact, only to locate a borrower who cannot be reached."""
        rng = self.rng
        contacts = [p for p in account.points if p.kind == "emergency" and p.usable]
        if not contacts:
            return
        point = contacts[int(rng.random() * len(contacts))]
        moment = self._pick_time(account, point, day, after=after + 10 * 60)
        if moment is None:
            return
        lookback = moment - 3 * _DAY
        failed = sum(1 for at in account.own_failures if at >= lookback)
        if failed < 3 or any(at >= lookback for at in account.rpc_times):
            return
        code = self.third_party.pick(rng)
        self._attempt(account, point, moment, code)
        if code == "WN":
            point.wrong_number = True
        elif self.dispositions[code].contact:
            point.spoken = True  # a third party is asked once, never chased

    def _right_party(
        self, account: _Account, point: _Point, moment: int, day: int, stage: str
    ) -> int:
        code = self.rpc[stage].pick(self.rng)
        if code == "PTP":
            return self._promise(account, point, moment, day)
        if code == "CB":
            return self._callback(account, point, moment, day, stage)
        self._attempt(account, point, moment, code)
        return day + {"PLAN": 3, "PAID": 2, "HRD": 3}.get(code, 1)

    def _promise(
        self,
        account: _Account,
        point: _Point,
        moment: int,
        day: int,
        *,
        ahead: int | None = None,
        outcome: str | None = None,
    ) -> int:
        """A PTP attempt and its promise; a kept or partly kept one brings its payment."""
        rng = self.rng
        owed = self._oldest_owed(account, day)
        low, high = self.book["promises"]["share_of_oldest_due"]
        amount = int(owed * rng.uniform(float(low), float(high)))
        # Whole tens of yuan, or whole yuan for small sums; always less than the instalment
        # still owes, so the account keeps its bucket.
        amount = amount // 1000 * 1000 if amount >= 20_000 else amount // 100 * 100
        if not 0 < amount < owed:
            self._attempt(account, point, moment, "HU")
            return day + 1
        promised = day + (self.days_ahead.pick(rng) if ahead is None else ahead)
        note = None
        if rng.random() < self.note_share * 2:
            choices = self.texts["notes"]["PTP"]
            note = choices[int(rng.random() * len(choices))].format(
                date=_month_day(promised), amount=amount // 100
            )
        attempt_id, done = self._attempt(account, point, moment, "PTP", note=note)
        lapsed = promised + self.grace
        if outcome is None:
            outcome = self.promise_outcomes.pick(rng)
        status, paid, resolved = "pending", 0, None
        last_pay_day = min(promised, self.base - 1)
        if lapsed < self.today and outcome != "broken" and last_pay_day >= day:
            pay_day = day + int(rng.random() * (last_pay_day - day + 1))
            paid = amount
            if outcome != "kept":
                paid = max(100, int(amount * rng.uniform(0.3, 0.8)) // 100 * 100)
            paid_at = self._payment(account.loan_id, pay_day, paid, earliest=done)
            self._apply(account, paid, pay_day)
            if paid == amount:
                status, resolved = "kept", paid_at
        if status == "pending" and lapsed < self.today - 1:
            # The nightly check has judged it, just after midnight once the grace ran out.
            # (A promise whose grace ended yesterday is still pending: today's check is due.)
            status = "partly_kept" if paid else "broken"
            resolved = min(self._local_midnight(lapsed + 1) + 300, self.as_of_sec)
        self.promises.append(
            (
                self._uuid(),
                account.loan_id,
                attempt_id,
                None,
                amount,
                self._date(promised),
                status,
                paid,
                None if resolved is None else self._ts(resolved),
                self._ts(min(done, self.as_of_sec)),
            )
        )
        account.promise_until = lapsed
        return lapsed + 1

    def _callback(self, account: _Account, point: _Point, moment: int, day: int, stage: str) -> int:
        """A CB attempt and its callback; one that fell due has mostly been made."""
        rng = self.rng
        attempt_id, done = self._attempt(account, point, moment, "CB")
        due_day = day
        due = None
        if rng.random() < 0.3:  # later the same day, else on one of the next days
            due = self._pick_time(account, point, day, after=done + _HOUR, past_only=False)
        if due is None:
            due_day = day + 1 + int(rng.random() * int(self.book["callbacks"]["max_days_ahead"]))
            due = self._pick_time(account, point, due_day, past_only=False)
        if due is None:  # no hour suits every zone: leave it at the collector's morning
            due = self._local_midnight(due_day) + 9 * _HOUR
        due = due // 300 * 300
        done_at = None
        next_day = _NEVER
        # Abroad the US rule forbids a call within 7 days of a conversation: no follow-up.
        if (
            not account.plan.abroad
            and due_day <= account.last_day
            and due < self.as_of_sec - 30 * 60
            and rng.random() < float(self.book["callbacks"]["done_share"])
        ):
            done_at = due + int(rng.random() * 15 * 60)
            next_day = due_day + 1
            code = self.rpc[stage].pick(rng) if rng.random() < 0.7 else "NA"
            if code == "PTP":
                next_day = max(next_day, self._promise(account, point, done_at, due_day))
            else:
                self._attempt(account, point, done_at, "HU" if code == "CB" else code)
        self._add_callback(account, attempt_id, due, done_at, done)
        return next_day

    def _add_callback(
        self, account: _Account, attempt_id: str, due: int, done_at: int | None, created: int
    ) -> None:
        choices = self.texts["callback_notes"]
        local = (due + _CN_OFFSET) % _DAY
        note = choices[int(self.rng.random() * len(choices))].format(
            time=f"{local // _HOUR:02d}:{local % _HOUR // 60:02d}"
        )
        self.callbacks.append(
            (
                self._uuid(),
                account.loan_id,
                attempt_id,
                account.user_id,
                self._ts(due),
                None if done_at is None else self._ts(done_at),
                note,
                self._ts(min(created, self.as_of_sec)),
            )
        )

    # -- the accounts that show particular situations -----------------------------------

    def _flag_session(self, account: _Account, day: int, flag: str) -> None:
        """The contact that raised the borrower's flag; nobody calls after it."""
        mobile = account.points[0]
        moment = self._pick_time(account, mobile, day)
        if moment is None or not mobile.usable:
            return
        code = self.activity["flag_dispositions"][flag]
        emotion = "vulnerability" if flag == "vulnerable" else None
        _, done = self._attempt(account, mobile, moment, code, emotion=emotion)
        account.flagged_at = min(done, self.as_of_sec)

    def _today_moments(self, count: int) -> list[int] | None:
        """`count` moments, in order, between the start of today's shift and just before as_of."""
        start = self._local_midnight(self.today) + _SHIFT_START
        end = min(self.as_of_sec - 10 * 60, self._local_midnight(self.today) + _SHIFT_END)
        if end - start < count * 20 * 60:
            return None
        step = (end - start) // count
        return [start + k * step + int(self.rng.random() * (step - 15 * 60)) for k in range(count)]

    def _cap_connected(self, account: _Account) -> None:
        """Three answered calls today: the daily cap on connected calls is reached."""
        moments = self._today_moments(3)
        mobile = account.points[0]
        if moments is None or not mobile.usable:
            return
        for moment, code in zip(moments, ("HU", "TPC", "RTP"), strict=True):
            self._attempt(account, mobile, moment, code)

    def _cap_unanswered(self, account: _Account) -> None:
        """Six unanswered calls on the mobile today: the number is capped for the day."""
        moments = self._today_moments(6)
        mobile = account.points[0]
        if moments is None or not mobile.usable:
            return
        for moment in moments:
            self._attempt(account, mobile, moment, "NA" if self.rng.random() < 0.7 else "BUSY")

    def _callback_today(self, account: _Account) -> None:
        """A callback agreed yesterday or this morning and due at some time today."""
        rng = self.rng
        mobile = account.points[0]
        if not mobile.usable:
            return
        morning = self._today_moments(1)
        if morning is not None and rng.random() < 0.5:
            moment = morning[0]
        else:
            yesterday = self.today - 1
            found = self._pick_time(account, mobile, yesterday)
            moment = self._local_midnight(yesterday) + 15 * _HOUR if found is None else found
        attempt_id, done = self._attempt(account, mobile, moment, "CB")
        midnight = self._local_midnight(self.today)
        low = max(midnight + 9 * _HOUR, done + 30 * 60)
        high = midnight + 21 * _HOUR
        due = (low + int(rng.random() * max(60, high - low))) // 300 * 300
        self._add_callback(account, attempt_id, due, None, done)

    def _promise_lapsed(self, account: _Account, stage: str) -> None:
        """A promise whose date plus grace ran out yesterday, not yet marked broken."""
        ahead = self.days_ahead.pick(self.rng)
        day = self.today - 1 - self.grace - ahead
        if day < account.start_day:
            day, ahead = account.start_day, self.today - 1 - self.grace - account.start_day
        mobile = account.points[0]
        if not 0 <= ahead <= self.max_ahead or not mobile.usable:
            return
        moment = self._pick_time(account, mobile, day)
        if moment is not None:
            self._promise(account, mobile, moment, day, ahead=ahead, outcome="broken")


class _DayTexts(dict[int, str]):
    """Text for a day number, made once: millions of rows share a few thousand days."""

    def __init__(self, render: Callable[[int], str]) -> None:
        super().__init__()
        self._render = render

    def __missing__(self, key: int) -> str:
        text = self[key] = self._render(key)
        return text


@cache
def _clock_texts() -> tuple[str, ...]:
    """'HH:MM:SS.000000' for every second of a day."""
    return tuple(
        f"{second // _HOUR:02d}:{second % _HOUR // 60:02d}:{second % 60:02d}.000000"
        for second in range(_DAY)
    )


# Payment references per channel: prefix, the date (YYYYMMDD), infix, 13 digits.
_REFERENCES = {
    "alipay": ("", "2200"),
    "wechat_pay": ("4200", "01"),
    "card": ("UP", ""),
    "bank_transfer": ("BT", ""),
}


def _cents_half_up(millionths_of_a_cent: int) -> int:
    """Whole cents from cents × 10⁻⁶, rounded half up (what `money.cents` does to Decimals)."""
    return (millionths_of_a_cent + 500_000) // 1_000_000


def _month_day(ordinal: int) -> str:
    day = date.fromordinal(ordinal)
    return f"{day.month}月{day.day}日"
