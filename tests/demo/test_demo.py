"""The demo portfolio: reproducible, consistent with its own payments, and realistic enough to
exercise the queue, the contact rules and the promise and callback handling."""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.demo import builder as demo
from app.demo import reminders as demo_reminders
from app.demo.builder import DemoSummary, build_demo
from app.models import (
    AuditEvent,
    Base,
    Borrower,
    Callback,
    ContactAttempt,
    ContactPoint,
    Instalment,
    Loan,
    Payment,
    PlanStatus,
    PromiseToPay,
    RepaymentPlan,
    Role,
    Team,
    User,
    VisitRequest,
)
from app.services.common import idnumbers
from app.services.common.clock import local_today
from app.services.common.errors import InvalidInput
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
from app.services.contact.compliance import Evaluator, PastAttempt, Point, Subject, profile_for
from app.services.documents.agreement_terms import (
    terms_digest,
)
from app.services.plans.lifecycle import track_loan_plans
from app.services.plans.terms import terms_of
from app.services.portfolio.accounts import to_state
from app.services.portfolio.balances import (
    ScheduleLine,
    balance_of,
    equal_instalments,
    first_due_for,
    replay,
)
from app.services.team.kpis import team_report

AS_OF = datetime(2025, 6, 10, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = AS_OF.astimezone(SHANGHAI).date()
ACCOUNTS = 2000
PER_COLLECTOR = 250


@dataclass
class Built:
    db: Database
    path: Path
    summary: DemoSummary
    progress: list[tuple[int, int]]


def _new_db(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    return db


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = _new_db(path)
    calls: list[tuple[int, int]] = []
    summary = build_demo(
        db,
        accounts=ACCOUNTS,
        seed=1,
        as_of=AS_OF,
        accounts_per_collector=PER_COLLECTOR,
        progress=lambda done, total: calls.append((done, total)),
    )
    yield Built(db, path, summary, calls)
    db.dispose()


def _digest(path: Path) -> str:
    """A hash of every row of every portfolio table, as SQLite stores it (types included).
    The queue memo's stamps are bookkeeping, not the portfolio: a build with the triggers off
    stamps every borrower at once, one through SQLAlchemy each write."""
    digest = hashlib.sha256()
    with sqlite3.connect(path) as conn:
        for table in sorted(set(Base.metadata.tables) - {"queue_stamps", "queue_memo"}):
            rows = sorted(repr(row) for row in conn.execute(f"SELECT * FROM {table}"))
            digest.update(table.encode())
            for row in rows:
                digest.update(row.encode())
    return digest.hexdigest()


def _build_small(tmp_path: Path, name: str, **kwargs: Any) -> Path:
    path = tmp_path / f"{name}.sqlite3"
    db = _new_db(path)
    build_demo(db, **{"accounts": 300, "seed": 1, "as_of": AS_OF, **kwargs})
    db.dispose()
    return path


# -- reproducibility and storage -----------------------------------------------------------


def test_same_seed_and_as_of_give_identical_rows_and_another_seed_does_not(
    tmp_path: Path,
) -> None:
    first = _digest(_build_small(tmp_path, "a"))
    again = _digest(_build_small(tmp_path, "b"))
    other = _digest(_build_small(tmp_path, "c", seed=2))
    assert first == again
    assert first != other


def test_sqlite_fast_path_stores_exactly_what_the_portable_core_path_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _build_small(tmp_path, "fast")
    monkeypatch.setattr(demo, "SQLITE_FAST_PATH", False)
    core = _build_small(tmp_path, "core")  # through SQLAlchemy's types, foreign keys enforced
    assert _digest(fast) == _digest(core)


def test_the_builds_runs_of_the_reminders_job_store_exactly_what_run_reminders_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batched = _build_small(tmp_path, "batched")
    # Each run through `run_reminders` itself: a unit of work (here a savepoint) a message.
    monkeypatch.setattr(demo_reminders, "THROUGH_RUN_REMINDERS", True)
    dispatched = _build_small(tmp_path, "dispatched")
    assert _digest(batched) == _digest(dispatched)
    with sqlite3.connect(batched) as conn:
        assert conn.execute("SELECT count(*) FROM reminder_messages").fetchone()[0] > 50


def test_a_book_without_the_reminders_history_keeps_the_texts_logged_by_hand(
    tmp_path: Path,
) -> None:
    with sqlite3.connect(_build_small(tmp_path, "with")) as conn:
        since = conn.execute("SELECT min(planned_at) FROM reminder_messages").fetchone()[0]
        by_hand = conn.execute(
            "SELECT count(*) FROM contact_attempts WHERE channel = 'sms' AND started_at >= ?"
            " AND disposition NOT IN ('SENT', 'DELIVERED', 'FAILED', 'OPTED-OUT')",
            (since,),
        ).fetchone()[0]
        assert by_hand == 0
    with sqlite3.connect(_build_small(tmp_path, "without", reminders=False)) as conn:
        for table in ("reminder_messages", "credit_notices", "reminder_opt_outs"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM users WHERE role = 'system'").fetchone()[0] == 0
        by_hand = conn.execute(
            "SELECT count(*) FROM contact_attempts WHERE channel = 'sms' AND started_at >= ?",
            (since,),
        ).fetchone()[0]
        assert by_hand > 0


def test_fast_path_rows_keep_every_foreign_key_and_restore_the_connection_pragmas(
    built: Built,
) -> None:
    with sqlite3.connect(built.path) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with built.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1


def test_orm_reads_the_rows_back_as_typed_values(built: Built) -> None:
    with built.db.reader() as session:
        loan = session.scalars(select(Loan).limit(1)).one()
        payment = session.scalars(select(Payment).limit(1)).one()
        attempt = session.scalars(select(ContactAttempt).limit(1)).one()
    assert loan.principal.as_tuple().exponent == -2
    assert loan.annual_rate == products()[loan.product].annual_rate
    assert payment.paid_at.tzinfo is not None
    assert attempt.checklist == []


def test_summary_counts_match_the_tables_and_progress_reaches_the_total(built: Built) -> None:
    s = built.summary
    with sqlite3.connect(built.path) as conn:

        def count(model: type[Any]) -> int:
            return int(conn.execute(f"SELECT count(*) FROM {model.__tablename__}").fetchone()[0])

        assert s.accounts == count(Loan) == ACCOUNTS
        assert s.borrowers == count(Borrower) == ACCOUNTS
        assert s.users == count(User)
        assert s.instalments == count(Instalment)
        assert s.payments == count(Payment)
        assert s.attempts == count(ContactAttempt)
        assert s.promises == count(PromiseToPay)
        assert s.callbacks == count(Callback)
    assert s.seconds > 0
    assert built.progress[0] == (0, ACCOUNTS)
    assert built.progress[-1] == (ACCOUNTS, ACCOUNTS)
    assert [done for done, _ in built.progress] == sorted(done for done, _ in built.progress)


def test_building_into_a_database_that_holds_a_portfolio_fails_and_changes_nothing(
    built: Built,
) -> None:
    before = _digest(built.path)
    with pytest.raises(InvalidInput, match="empty database"):
        build_demo(built.db, accounts=10, seed=3, as_of=AS_OF)
    assert _digest(built.path) == before


def _schema(path: Path) -> list[tuple[str, str, list[str]]]:
    """Each table's and index's definition, as lines in sorted order.

    Alembic's batch mode on SQLite rebuilds a table with its constraints in no fixed order, so
    two databases migrated alike may list the same constraints differently.
    """
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return sorted(
            (kind, name, sorted(line.strip().rstrip(",") for line in sql.splitlines()))
            for kind, name, sql in rows
        )


def test_the_build_leaves_the_schema_exactly_as_the_migrations_made_it(
    built: Built, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    _new_db(fresh).dispose()
    assert _schema(built.path) == _schema(fresh)


def test_a_build_that_fails_halfway_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "failed.sqlite3"
    db = _new_db(path)
    schema, before = _schema(path), _digest(path)

    def interrupt(done: int, total: int) -> None:
        if done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(db, accounts=2500, as_of=AS_OF, progress=interrupt)
    db.dispose()
    assert _schema(path) == schema
    assert _digest(path) == before


def test_a_naive_as_of_is_refused(tmp_path: Path) -> None:
    db = _new_db(tmp_path / "naive.sqlite3")
    with pytest.raises(InvalidInput):
        build_demo(db, accounts=5, as_of=datetime(2025, 6, 10, 12, 0))


def test_builds_without_an_as_of_and_late_in_the_utc_day(tmp_path: Path) -> None:
    now = _build_small(tmp_path, "now", accounts=60, as_of=None)
    late = datetime(2025, 3, 31, 20, 15, tzinfo=UTC)  # already 1 April, 04:15 in Shanghai
    path = _build_small(tmp_path, "late", accounts=300, as_of=late)
    assert _digest(now)
    db = Database(f"sqlite:///{path}")
    try:
        _check_balances(db, late)
    finally:
        db.dispose()


# -- people --------------------------------------------------------------------------------


def test_staff_have_every_role_and_teams_are_sized_to_the_phone_book(built: Built) -> None:
    with built.db.reader() as session:
        users = session.scalars(select(User)).all()
        teams = session.scalars(select(Team)).all()
        loans = session.scalars(select(Loan)).all()
    roles = Counter(u.role for u in users)
    assert set(roles) == set(Role)
    assert roles[Role.ADMIN] == 1
    # The reminders job's own login, made by its first run in the demo's history.
    assert [u.username for u in users if u.role is Role.SYSTEM] == ["system.reminders"]
    assert [u.username for u in users if u.role is Role.ADMIN] == ["admin"]
    assert len({u.username for u in users}) == len(users)
    assert all(u.username.isascii() and "." in u.username for u in users if u.role != Role.ADMIN)
    # The staff's names are Chinese; the reminders job's login is named by the dispatcher.
    assert all(not u.display_name.isascii() for u in users if u.role is not Role.SYSTEM)
    assert all(t.name.startswith("电催") and t.name.endswith("组") for t in teams)
    by_team: dict[Any, Counter[Role]] = defaultdict(Counter)
    for u in users:
        if u.team_id is not None:
            by_team[u.team_id][u.role] += 1
    for counts in by_team.values():
        assert counts[Role.TEAM_LEAD] == 1
        assert counts[Role.FIELD_AGENT] == 1
        assert 1 <= counts[Role.COLLECTOR] <= 8
    role_of = {u.id: u.role for u in users}
    phone = [
        loan
        for loan in loans
        if loan.assigned_to_id and role_of[loan.assigned_to_id] == Role.COLLECTOR
    ]
    assert roles[Role.COLLECTOR] == math.ceil(len(phone) / PER_COLLECTOR)
    per_collector = Counter(loan.assigned_to_id for loan in phone)
    assert max(per_collector.values()) <= PER_COLLECTOR
    assert any(
        role_of[loan.assigned_to_id] == Role.FIELD_AGENT for loan in loans if loan.assigned_to_id
    )


def test_resident_id_numbers_are_valid_unique_and_name_the_home_district(built: Built) -> None:
    regions = load_json("demo/regions.json")
    districts = {
        code: (province["name"], city["name"], name)
        for province in regions["provinces"]
        for city in province["cities"]
        for code, name in city["districts"]
    }
    with built.db.reader() as session:
        borrowers = session.scalars(select(Borrower)).all()
    assert len({b.id_number for b in borrowers}) == len(borrowers)
    for b in borrowers:
        assert idnumbers.is_valid(b.id_number), b.id_number
        assert b.id_number[6:14] == f"{b.date_of_birth:%Y%m%d}"
        assert date(1960, 1, 1) <= b.date_of_birth <= date(2004, 12, 31)
        assert b.id_number[:6] in districts
        if b.country == "CN":
            assert districts[b.id_number[:6]] == (b.province, b.city, b.district)
    countries = Counter(b.country for b in borrowers)
    assert countries["CN"] > 0.97 * len(borrowers)
    assert len(set(countries) - {"CN"}) >= 2
    assert any(b.employer is None for b in borrowers)
    assert all(b.province and b.city and b.district and b.street for b in borrowers)
    us = [b for b in borrowers if b.country == "US"]
    assert all(len(b.province) == 2 and b.province.isupper() for b in us)


def test_every_phone_number_parses_to_its_stored_region_and_zones(built: Built) -> None:
    with built.db.reader() as session:
        points = session.scalars(select(ContactPoint)).all()
    phones = [p for p in points if p.kind.is_phone]
    assert len(phones) > ACCOUNTS
    for point in phones:
        parsed = parse_phone(point.value)
        assert parsed.e164 == point.value
        assert point.region == parsed.region
        assert point.time_zones == " ".join(parsed.time_zones)
        if point.kind.value in ("mobile", "emergency"):
            assert parsed.mobile, point.value
    for point in points:
        if not point.kind.is_phone:
            assert "@" in point.value and point.region is None and point.time_zones == ""
    regions = Counter(p.region for p in phones)
    assert {"CN", "US", "HK"} <= set(regions)
    assert len({p.time_zones for p in phones}) >= 4
    kinds = Counter(p.kind.value for p in points)
    assert set(kinds) == {"mobile", "home", "work", "email", "emergency"}
    emergency = [p for p in points if p.kind.value == "emergency"]
    assert all(p.contact_name and p.relation for p in emergency)
    assert {p.relation for p in emergency} == set(load_json("demo/portfolio.json")["relations"])
    assert 0 < sum(p.do_not_call for p in points) < 0.05 * len(points)
    assert 0 < sum(p.wrong_number for p in points) < 0.05 * len(points)
    by_borrower: dict[Any, list[int]] = defaultdict(list)
    for p in points:
        by_borrower[p.borrower_id].append(p.position)
    assert all(sorted(v) == list(range(len(v))) for v in by_borrower.values())


def test_every_number_range_the_generator_uses_is_valid() -> None:
    book = load_json("demo/portfolio.json")
    for prefix in book["mobile_prefixes"]:
        for tail in ("00000000", "12345678", "55555555", "99999999"):
            parsed = parse_phone(prefix + tail)
            assert parsed.mobile and parsed.region == "CN", prefix
    for province in load_json("demo/regions.json")["provinces"]:
        for city in province["cities"]:
            for lead in city["tel_leads"]:
                for fill in "0159":
                    number = city["tel"] + lead + fill * (city["tel_digits"] - 1)
                    assert parse_phone(number).region == "CN", number


# -- loans and money -----------------------------------------------------------------------


def _check_balances(db: Database, as_of: datetime) -> Counter[str]:
    """Recompute every loan from its schedule and payments; returns the bucket counts."""
    with db.reader() as session:
        loans = session.scalars(select(Loan)).all()
        instalments: dict[Any, list[Instalment]] = defaultdict(list)
        for row in session.scalars(select(Instalment).order_by(Instalment.seq)):
            instalments[row.loan_id].append(row)
        payments: dict[Any, list[Payment]] = defaultdict(list)
        for payment in session.scalars(select(Payment).order_by(Payment.paid_at)):
            payments[payment.loan_id].append(payment)
    catalogue = products()
    bucket_counts: Counter[str] = Counter()
    for loan in loans:
        product = catalogue[loan.product]
        assert loan.annual_rate == product.annual_rate
        assert loan.penalty_rate_daily == product.penalty_rate_daily
        assert product.principal_min <= loan.principal <= product.principal_max
        assert loan.principal == loan.principal.to_integral_value()
        assert loan.term_months in product.terms
        rows = instalments[loan.id]
        schedule = [
            ScheduleLine(r.seq, r.due_date, r.principal_due, r.interest_due, r.fees_due)
            for r in rows
        ]
        expected = equal_instalments(
            loan.principal,
            loan.annual_rate,
            loan.term_months,
            first_due_for(loan.disbursed_on),
            product.monthly_fee,
        )
        assert schedule == expected, loan.contract_no
        paid = [(local_today(p.paid_at), p.amount) for p in payments[loan.id]]
        assert all(p.paid_at < as_of for p in payments[loan.id])
        states = replay(schedule, paid, loan.penalty_rate_daily)
        stored = [to_state(r) for r in rows]
        assert stored == states, loan.contract_no
        if loan.status.value == "settled":
            assert all(s.settled_on is not None for s in states)
            assert loan.assigned_to_id is None
            bucket_counts["settled"] += 1
            continue
        assert loan.assigned_to_id is not None and loan.assigned_at is not None
        assert loan.assigned_at <= as_of
        today = local_today(as_of)
        balance = balance_of(states, today, loan.penalty_rate_daily)
        if balance.bucket == "C":
            assert balance.next_due is not None
            # Current: due within days (the pre-due reminders), or cured in the window, its
            # arrears paid late and what fell due since paid on time.
            cured = any(
                s.settled_on is not None
                and s.settled_on > s.due_date
                and (today - s.settled_on).days <= 30
                for s in states
            )
            assert 0 <= (balance.next_due - today).days <= (31 if cured else 5)
        bucket_counts[balance.bucket] += 1
    return bucket_counts


def test_instalment_rows_hold_what_replaying_the_payments_gives_and_every_bucket_is_there(
    built: Built,
) -> None:
    counts = _check_balances(built.db, AS_OF)
    assert set(counts) == {b.code for b in buckets()} | {"settled"}
    # Mostly early arrears, though many of the early ones cured in the window (docs/demo.md).
    early = counts["M1"] + counts["M2"] + counts["M3"]
    assert early > 0.4 * ACCOUNTS
    assert 0.15 * ACCOUNTS < counts["C"] < 0.4 * ACCOUNTS
    assert 0 < counts["settled"] < 0.1 * ACCOUNTS


def test_contract_numbers_are_unique_and_some_instalments_were_paid_late_or_in_part(
    built: Built,
) -> None:
    with sqlite3.connect(built.path) as conn:
        numbers = [row[0] for row in conn.execute("SELECT contract_no FROM loans")]
        late = conn.execute("SELECT count(*) FROM instalments WHERE penalty_paid > 0").fetchone()
        part = conn.execute(
            "SELECT count(*) FROM instalments"
            " WHERE settled_on IS NULL AND principal_paid + interest_paid + fees_paid > 0"
        ).fetchone()
        channels = {row[0] for row in conn.execute("SELECT DISTINCT channel FROM payments")}
        unreferenced = conn.execute(
            "SELECT count(*) FROM payments WHERE reference IS NULL OR reference = ''"
        ).fetchone()
    assert len(set(numbers)) == len(numbers) == ACCOUNTS
    assert all(number.startswith("CW20") for number in numbers)
    assert late[0] > 0  # paid after the due date, with 罚息
    assert part[0] > 0  # the oldest unpaid instalment partly paid
    assert channels == {"alipay", "wechat_pay", "bank_transfer", "card"}
    assert unreferenced[0] == 0


# -- collection work -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(built: Built) -> dict[str, Any]:
    with built.db.reader() as session:
        return {
            "attempts": session.scalars(select(ContactAttempt)).all(),
            "points": {p.id: p for p in session.scalars(select(ContactPoint))},
            "borrowers": {b.id: b for b in session.scalars(select(Borrower))},
            "loans": {loan.id: loan for loan in session.scalars(select(Loan))},
            "promises": session.scalars(select(PromiseToPay)).all(),
            "callbacks": session.scalars(select(Callback)).all(),
            "payments": session.scalars(select(Payment)).all(),
        }


def _local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def test_every_disposition_occurs_with_its_right_party_flag_and_plausible_details(
    work: dict[str, Any],
) -> None:
    catalogue = dispositions()
    system = {a.user_id for a in work["attempts"] if catalogue[a.disposition].by_system}
    # The reminders job's attempts are its own login's, and only those carry its outcomes.
    assert len(system) == 1
    reminders = [a for a in work["attempts"] if a.user_id in system]
    attempts: list[ContactAttempt] = [a for a in work["attempts"] if a.user_id not in system]
    assert {a.disposition for a in reminders} == {c.code for c in catalogue.values() if c.by_system}
    for a in reminders:
        assert a.channel.value in ("sms", "email") and a.started_at <= AS_OF
        assert (a.duration_seconds, a.right_party, a.emotion, a.checklist) == (0, False, None, [])
        assert work["points"][a.contact_point_id].borrower_id == a.borrower_id
    codes = Counter(a.disposition for a in attempts)
    # The collectors' history: every outcome a collector may choose.
    assert set(codes) == {c.code for c in catalogue.values() if not c.by_system}
    assert codes["NA"] > codes["PTP"] > codes["DCD"]
    emotions = {"calm", "anxious", "angry", "distressed", "hostile", "vulnerability"}
    for a in attempts:
        meaning = catalogue[a.disposition]
        assert a.right_party == meaning.rpc
        assert a.started_at <= AS_OF
        if meaning.contact:
            assert 30 <= a.duration_seconds <= 600 and a.emotion in emotions
        else:
            assert a.duration_seconds == 0 and a.emotion is None
        loan = work["loans"][a.loan_id]
        assert a.user_id == loan.assigned_to_id
        assert work["points"][a.contact_point_id].borrower_id == a.borrower_id == loan.borrower_id
    assert {a.emotion for a in attempts} - {None} == emotions
    assert {a.channel.value for a in attempts} == {"call", "sms"}
    assert any(a.notes for a in attempts)


def test_answered_contacts_tick_their_checklist_and_a_few_lack_one_required_item(
    work: dict[str, Any],
) -> None:
    missing_one = complete = 0
    for a in work["attempts"]:
        if not dispositions()[a.disposition].contact:
            assert a.checklist == []
            continue
        items = checklist_for(a.emotion, a.disposition)
        required = [item.id for item in items if item.required]
        assert set(a.checklist) <= {item.id for item in items}
        left_out = [item for item in required if item not in a.checklist]
        assert len(left_out) <= 1
        missing_one += bool(left_out)
        complete += not left_out
    # The share the dashboard's checklist completion shows: about 5 % incomplete.
    assert 0.02 < missing_one / (missing_one + complete) < 0.09


def test_contacts_raise_their_escalations_and_the_lead_has_decided_the_older_ones(
    built: Built, work: dict[str, Any]
) -> None:
    from app.models import ContactBlock, Escalation, User
    from app.services.contact.escalations import kinds_raised_by

    by_id = {a.id: a for a in work["attempts"]}
    with built.db.reader() as session:
        escalations = session.scalars(select(Escalation)).all()
        blocks = session.scalars(select(ContactBlock)).all()
        users = {u.id: u for u in session.scalars(select(User))}
    raising = [a for a in work["attempts"] if kinds_raised_by(a.emotion, a.disposition)]
    assert {e.attempt_id for e in escalations} == {a.id for a in raising}
    assert {e.kind for e in escalations} >= {"dispute", "deceased", "vulnerability"}
    waiting = [e for e in escalations if e.acknowledged_at is None]
    assert 0 < len(waiting) < len(escalations)
    for e in escalations:
        attempt = by_id[e.attempt_id]
        assert (e.loan_id, e.raised_by_id) == (attempt.loan_id, attempt.user_id)
        if e.acknowledged_at is not None:
            # Decided by the lead of the collector's team, after it was raised.
            lead = users[e.acknowledged_by_id]
            assert lead.role.value == "team_lead"
            assert lead.team_id == users[e.raised_by_id].team_id
            assert e.raised_at < e.acknowledged_at and e.decision is not None
    # The last two days' still wait for the lead; most older ones are decided, a few not.
    recent = [e for e in escalations if AS_OF - e.raised_at <= timedelta(days=2)]
    assert all(e.acknowledged_at is None for e in recent)
    older = [e for e in escalations if AS_OF - e.raised_at > timedelta(days=2)]
    assert len(older) / 2 < sum(e.acknowledged_at is not None for e in older) < len(older)
    assert blocks and {b.rule for b in blocks} <= {
        "cn.quiet_hours",
        "cn.unanswered_per_number",
        "cn.connected_per_day",
    }
    assert all(
        b.at <= AS_OF and work["loans"][b.loan_id].borrower_id == b.borrower_id for b in blocks
    )


def test_third_parties_are_called_only_about_third_party_outcomes(work: dict[str, Any]) -> None:
    on_emergency = Counter(
        a.disposition
        for a in work["attempts"]
        if work["points"][a.contact_point_id].kind.value == "emergency"
    )
    assert on_emergency["TPC"] > 0
    assert all(not dispositions()[code].rpc for code in on_emergency)


def test_flags_and_marks_agree_with_the_outcomes_that_set_them(work: dict[str, Any]) -> None:
    attempts: list[ContactAttempt] = sorted(work["attempts"], key=lambda a: a.started_at)
    borrowers = work["borrowers"]
    by_flag = {"DSP": "dispute_open", "CEASE": "cease_requested", "DCD": "deceased"}
    last: dict[Any, ContactAttempt] = {}
    for a in attempts:
        if a.disposition in by_flag:
            assert getattr(borrowers[a.borrower_id], by_flag[a.disposition])
        if a.disposition == "WN":
            assert work["points"][a.contact_point_id].wrong_number
        last[a.borrower_id] = a
    for borrower_id, a in last.items():
        b = borrowers[borrower_id]
        if b.dispute_open or b.cease_requested or b.deceased or b.vulnerable:
            # Nobody calls after the flag is raised.
            assert a.disposition in ("DSP", "CEASE", "DCD", "HRD"), a.disposition
    flagged = Counter(
        flag
        for b in borrowers.values()
        for flag in ("vulnerable", "dispute_open", "cease_requested", "deceased", "legal_referral")
        if getattr(b, flag)
    )
    assert set(flagged) == {
        "vulnerable",
        "dispute_open",
        "cease_requested",
        "deceased",
        "legal_referral",
    }
    assert sum(flagged.values()) < 0.05 * ACCOUNTS


def test_calls_keep_the_contact_rules_and_some_accounts_reach_todays_caps(
    work: dict[str, Any],
) -> None:
    attempts: list[ContactAttempt] = work["attempts"]
    connected: Counter[tuple[Any, date]] = Counter()
    unanswered: Counter[tuple[Any, date]] = Counter()
    for a in attempts:
        if a.channel.value != "call":
            continue
        for zone in [*work["points"][a.contact_point_id].time_zones.split(), "Asia/Shanghai"]:
            local = a.started_at.astimezone(ZoneInfo(zone))
            if work["borrowers"][a.borrower_id].country == "CN" or zone != "Asia/Shanghai":
                assert 8 <= local.hour < 22, (a.disposition, zone, local)
        day = _local_day(a.started_at)
        if dispositions()[a.disposition].contact:
            connected[(a.borrower_id, day)] += 1
        else:
            unanswered[(a.contact_point_id, day)] += 1
    assert max(connected.values()) == 3
    assert max(unanswered.values()) == 6
    assert any(n == 3 for (_, day), n in connected.items() if day == TODAY)
    assert any(n == 6 for (_, day), n in unanswered.items() if day == TODAY)


def test_no_attempt_in_the_history_breaks_a_contact_rule_of_the_borrowers_country(
    work: dict[str, Any],
) -> None:
    # Flags and marks are raised by the last attempt on them, so each attempt is judged as of
    # its own moment: no flags yet, no marks, the borrower's earlier attempts as history.
    borrowers: dict[Any, Borrower] = work["borrowers"]
    points: dict[Any, ContactPoint] = work["points"]
    own: dict[Any, set[Any]] = defaultdict(set)
    for point in points.values():
        if not point.kind.is_third_party:
            own[point.borrower_id].add(point.id)
    evaluators: dict[str, Evaluator] = {}
    history: dict[Any, list[PastAttempt]] = defaultdict(list)
    blocked = []
    for a in sorted(work["attempts"], key=lambda a: a.started_at):
        b = borrowers[a.borrower_id]
        profile = profile_for(b.country)
        evaluator = evaluators.setdefault(profile.code, Evaluator(profile))
        window = None
        if b.agreed_window_start and b.agreed_window_end:
            window = (b.agreed_window_start, b.agreed_window_end)
        subject = Subject(
            a.loan_id,
            frozenset(),
            address_zones(b.country, b.province),
            frozenset(own[b.id]),
            window,
        )
        p = points[a.contact_point_id]
        target = Point(p.id, p.kind.value, tuple(p.time_zones.split()), p.kind.is_third_party)
        decision = evaluator.evaluate(subject, target, a.channel.value, a.started_at, history[b.id])
        if not decision.allowed:
            blocked.append((a.disposition, b.country, decision.rule_id, decision.detail))
        meaning = dispositions()[a.disposition]
        history[b.id].append(
            PastAttempt(
                a.started_at,
                a.loan_id,
                a.contact_point_id,
                a.channel.value,
                meaning.contact,
                meaning.rpc,
                meaning.counts_toward_cap,
            )
        )
    assert blocked == []


def test_some_accounts_were_worked_today_some_long_ago_and_some_never(
    work: dict[str, Any],
) -> None:
    last: dict[Any, datetime] = {}
    for a in work["attempts"]:
        last[a.loan_id] = max(a.started_at, last.get(a.loan_id, a.started_at))
    today = [loan_id for loan_id, at in last.items() if _local_day(at) == TODAY]
    stale = [loan_id for loan_id, at in last.items() if (TODAY - _local_day(at)).days >= 10]
    active = [loan for loan in work["loans"].values() if loan.status.value == "active"]
    never = [loan for loan in active if loan.id not in last]
    assert len(today) > 50
    assert len(stale) > 20
    assert len(never) > 20


def test_promises_cover_every_outcome_and_kept_ones_were_paid(work: dict[str, Any]) -> None:
    promises: list[PromiseToPay] = work["promises"]
    grace = timedelta(days=policy()["promise"]["grace_days"])
    attempts = {a.id: a for a in work["attempts"]}
    paid: dict[Any, list[Payment]] = defaultdict(list)
    for payment in work["payments"]:
        paid[payment.loan_id].append(payment)
    statuses = Counter(p.status.value for p in promises)
    assert set(statuses) == {"pending", "kept", "partly_kept", "broken"}
    yesterday = TODAY - timedelta(days=1)
    pending = [p for p in promises if p.status.value == "pending"]
    assert any(p.promised_date + grace == yesterday for p in pending)
    assert any(p.promised_date >= TODAY for p in pending)
    assert all(p.promised_date + grace >= yesterday for p in pending)
    for p in promises:
        attempt = attempts[p.attempt_id]
        assert attempt.disposition == "PTP" and attempt.loan_id == p.loan_id
        made = _local_day(attempt.started_at)
        assert 0 <= (p.promised_date - made).days <= policy()["promise"]["max_days_ahead"]
        assert p.amount > 0
        if p.status.value == "kept":
            assert p.paid_amount == p.amount and p.resolved_at is not None
            # Paid in full by its date plus the grace days: by a payment of the promised
            # amount, or by one that paid everything overdue (a cure).
            assert any(
                x.amount >= p.amount
                and made <= _local_day(x.paid_at) <= p.promised_date + grace
                and x.paid_at <= p.resolved_at
                for x in paid[p.loan_id]
            )
        elif p.status.value == "partly_kept":
            assert 0 < p.paid_amount < p.amount and p.resolved_at is not None
        elif p.status.value == "broken":
            assert p.paid_amount == 0 and p.resolved_at is not None
        else:
            assert p.resolved_at is None


def test_callbacks_are_due_today_later_on_and_done_in_the_past(work: dict[str, Any]) -> None:
    callbacks: list[Callback] = work["callbacks"]
    attempts = {a.id: a for a in work["attempts"]}
    due_today = [c for c in callbacks if _local_day(c.due_at) == TODAY and c.done_at is None]
    assert len(due_today) >= 2
    assert len({c.due_at.astimezone(SHANGHAI).hour for c in due_today}) >= 2
    assert any(c.due_at > AS_OF for c in due_today)
    assert any(c.done_at is not None and c.done_at < AS_OF for c in callbacks)
    assert any(_local_day(c.due_at) > TODAY for c in callbacks)
    for c in callbacks:
        attempt = attempts[c.attempt_id]
        assert attempt.disposition == "CB" and attempt.loan_id == c.loan_id
        assert c.user_id == work["loans"][c.loan_id].assigned_to_id
        assert c.due_at > attempt.started_at
        assert c.due_at.second == 0 and c.due_at.minute % 5 == 0


def test_an_audit_event_records_the_build(built: Built) -> None:
    with built.db.reader() as session:
        events = session.scalars(select(AuditEvent)).all()
    assert [(e.action, e.entity, e.entity_id) for e in events] == [
        ("demo.built", "portfolio", "demo")
    ]
    details = events[0].details
    assert details["seed"] == 1 and details["accounts"] == ACCOUNTS
    assert datetime.fromisoformat(details["as_of"]) == AS_OF


def test_every_account_under_legal_referral_was_referred_by_its_teams_lead(built: Built) -> None:
    from app.models import Borrower, LegalCase, Loan, User
    from app.services.legal.referral import legal_cases

    with built.db.reader() as session:
        marked = set(
            session.scalars(
                select(Loan.contract_no)
                .join(Borrower, Borrower.id == Loan.borrower_id)
                .where(Borrower.legal_referral.is_(True))
            )
        )
        assert marked
        cases = session.execute(select(LegalCase, Loan).join(Loan, Loan.id == LegalCase.loan_id))
        leads = {}
        for case, loan in cases:
            lead = session.get_one(User, case.referred_by_id)
            holder = session.get(User, loan.assigned_to_id) if loan.assigned_to_id else None
            assert lead.role.value == "team_lead"
            assert lead.team_id == (holder.team_id if holder else loan.team_id)
            assert case.referred_at <= AS_OF and case.reason
            leads.setdefault(lead.username, set()).add(loan.contract_no)
    assert set().union(*leads.values()) == marked
    for lead, contracts in leads.items():
        listed = {case.contract_no for case in legal_cases(built.db, lead)}
        assert listed == contracts
        assert all(case.stage == "referred" for case in legal_cases(built.db, lead))


def test_a_few_field_accounts_are_marked_for_a_visit_by_the_agents_own_lead(built: Built) -> None:
    with built.db.reader() as session:
        requests = session.scalars(select(VisitRequest)).all()
        assert requests
        for request in requests:
            loan = session.get_one(Loan, request.loan_id)
            agent = session.get_one(User, loan.assigned_to_id)
            lead = session.get_one(User, request.requested_by_id)
            assert agent.role is Role.FIELD_AGENT
            assert (lead.role, lead.team_id) == (Role.TEAM_LEAD, agent.team_id)
            assert request.reason and request.closed_at is None
            assert request.requested_at < AS_OF


# -- what became of the overdue accounts (docs/demo.md) ------------------------------------

DEMO_DOC = Path(__file__).resolve().parents[2] / "docs" / "demo.md"


def _documented_ranges() -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """docs/demo.md's table: per bucket, the (low, high) per cent cured and rolled in a week."""

    def per_cent(cell: str) -> tuple[float, float]:
        found = re.fullmatch(r"(\d+(?:\.\d+)?)(?:–(\d+(?:\.\d+)?))? %", cell.strip())
        assert found, cell
        low = float(found[1])
        return low, float(found[2]) if found[2] else low

    ranges = {}
    for line in DEMO_DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in {b.code for b in buckets()}:
            ranges[cells[0]] = (per_cent(cells[1]), per_cent(cells[2]))
    return ranges


def test_over_the_last_week_accounts_cure_and_roll_in_every_bucket_as_documented(
    tmp_path: Path,
) -> None:
    """The dashboard of the first start's demo, built as of now, shows cures and rolls."""
    db = _new_db(tmp_path / "first-start.sqlite3")
    try:
        now = datetime.now(UTC)
        build_demo(db, accounts=ACCOUNTS, as_of=now)
        today = local_today(now)
        with db.reader() as session:
            leads = session.scalars(select(User.username).where(User.role == Role.TEAM_LEAD)).all()
        moved: dict[str, Counter[str]] = defaultdict(Counter)
        for lead in leads:
            report = team_report(db, lead, today - timedelta(days=6), today, now=now)
            for row in report.buckets:
                if row.user_id is None:
                    moved[row.bucket].update(
                        accounts=row.accounts, cured=row.cured, rolled=row.rolled
                    )
    finally:
        db.dispose()
    ranges = _documented_ranges()
    assert set(ranges) == {b.code for b in buckets()}
    for code, ((cured_low, cured_high), (rolled_low, rolled_high)) in ranges.items():
        counts = moved[code]
        assert counts["accounts"] > 0, code
        cured = 100 * counts["cured"] / counts["accounts"]
        rolled = 100 * counts["rolled"] / counts["accounts"]
        assert cured > 0 and cured_low <= cured <= cured_high, (code, counts)
        assert rolled_low <= rolled <= rolled_high, (code, counts)
        if code != "M6+":  # nothing is worse than M6+
            assert rolled > 0, (code, counts)


def test_repayment_plans_are_kept_on_track_and_broken_as_the_plan_tracker_judges_them(
    built: Built,
) -> None:
    with built.db.reader() as session:
        plans = session.scalars(select(RepaymentPlan)).all()
        statuses = Counter(plan.status for plan in plans)
        assert statuses.keys() == {PlanStatus.COMPLETED, PlanStatus.ACTIVE, PlanStatus.BROKEN}
        for plan in plans:
            lines = plan.instalments
            assert plan.kind == "instalments" and plan.frequency == "weekly"
            assert plan.breaches == [] and plan.down_payment == 0
            assert sum(line.amount for line in lines) == plan.total_amount
            assert plan.total_amount == (
                plan.overdue_principal
                + plan.overdue_interest
                + plan.overdue_penalty
                + plan.overdue_fees
            )
            assert all(line.amount >= Decimal("100.00") for line in lines)
            # Issued with its agreement: the terms as issued, and their SHA-256.
            terms = terms_of(plan)
            assert terms_digest(terms) == plan.agreement_sha256
            assert terms.agreement_no == plan.agreement_no
            loan = session.get_one(Loan, plan.loan_id)
            assert terms.contract_no == loan.contract_no
            assert plan.created_by_id == loan.assigned_to_id
            offer = session.scalars(
                select(ContactAttempt)
                .where(
                    ContactAttempt.loan_id == plan.loan_id,
                    ContactAttempt.disposition == "PLAN",
                    ContactAttempt.started_at <= plan.created_at,
                )
                .order_by(ContactAttempt.started_at.desc())
            ).first()
            assert offer is not None
            assert _local_day(offer.started_at) == plan.offered_on
            if plan.status is PlanStatus.COMPLETED:
                assert all(line.paid_on is not None for line in lines)
    # What the plan services make of the loans' payments is what the demo stored.
    session = Session(built.db.engine)
    try:
        stored = {
            plan.id: _plan_state(plan) for plan in session.scalars(select(RepaymentPlan)).all()
        }
        for plan in session.scalars(select(RepaymentPlan)).all():
            track_loan_plans(session, plan.loan_id, AS_OF)
        session.flush()
        tracked = {
            plan.id: _plan_state(plan) for plan in session.scalars(select(RepaymentPlan)).all()
        }
    finally:
        session.rollback()
        session.close()
    assert tracked == stored


def _plan_state(plan: RepaymentPlan) -> tuple[Any, ...]:
    return (
        plan.status,
        plan.activated_at,
        plan.closed_at,
        plan.down_payment_paid,
        tuple((line.paid_amount, line.paid_on) for line in plan.instalments),
    )


def test_borrowers_who_cured_kept_their_promises_more_often_than_the_others(
    built: Built, work: dict[str, Any]
) -> None:
    """Willingness to pay is one trait of a borrower: the ones who paid everything overdue in
    the window kept their promises more often than the ones still overdue."""
    with built.db.reader() as session:
        overdue_now = set(
            session.scalars(
                select(Instalment.loan_id).where(
                    Instalment.due_date < TODAY, Instalment.settled_on.is_(None)
                )
            )
        )
    verdicts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for promise in work["promises"]:
        if promise.status.value != "pending":
            verdicts[promise.loan_id not in overdue_now][promise.status.value] += 1
    kept = {cured: c["kept"] / sum(c.values()) for cured, c in verdicts.items()}
    assert kept[True] > kept[False] > 0
