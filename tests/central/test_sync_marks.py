"""A pull that finds its user's changed accounts by their marks (`sync_marks`, migration 0027)
brings exactly the rows the full read of every table since the cursor brings (0023's path), for
every member of two teams, at cursors taken before, between and inside other transactions, on
one central where team B wrote much, accounts moved between teams and within one, the feed
paid, plans got lines and borrowers got numbers. And the marks stay one a key and table, and no
writer waits for another over them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url

from app.database import Database
from app.services.common.clock import local_today
from app.services.plans.lifecycle import save_plan
from app.services.plans.offers import PlanTerms
from app.services.sync import engine as sync
from app.services.sync.workstation import parse_server, sign_in
from tests.central.conftest import PASSWORD, World, today
from tests.helpers.portfolio import Account
from tests.helpers.postgres import server_tls

LOCAL = sqlite.dialect()
MEMBERS = ("collector_a", "lead_a", "agent_a", "agent2_a", "collector_b", "lead_b")
# A workstation's copy, as `pull` reads it: its loans, and its plans (plan -> loan), stored hex.
Copy = tuple[set[str], dict[str, str]]


def _signed_in(world: World, key: str) -> Database:
    url = make_url(world.db.url)
    server = parse_server(f"127.0.0.1:{url.port or 5432}/{url.database}")
    return sign_in(server, world.logins[key], PASSWORD, server_tls())


def _horizon(world: World) -> int:
    """The cursor a pull starting now would leave: the oldest transaction still running."""
    (found,), *_ = world.admin("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    assert isinstance(found, int)
    return found


def _copy(fetched: Any) -> Copy:
    """What a workstation holds after a pull that brought `fetched` whole."""
    loan = sync.PLAN_LOAN
    plans = {key[0]: row[loan] for key, row in fetched.rows.get("repayment_plans", {}).items()}
    return set(fetched.arrived), plans


class Pulls:
    """Each member's pulls, the full read's and the marks', on their own signed-in engines."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.world = world
        self.monkeypatch = monkeypatch
        self.centrals = {key: _signed_in(world, key) for key in MEMBERS}

    def fetch(self, key: str, cursor: int | None, copy: Copy, *, by_marks: bool) -> Any:
        self.monkeypatch.setattr(sync, "PULL_BY_MARKS", by_marks)
        loans, plans = copy
        return sync._fetch(
            self.centrals[key], LOCAL, self.world.logins[key], cursor, set(loans), dict(plans)
        )

    def copy(self, key: str) -> Copy:
        return _copy(self.fetch(key, None, (set(), {}), by_marks=True))

    def same(self, cursor: int, copies: dict[str, list[Copy]]) -> dict[str, Any]:
        """Every member's pull at `cursor` from each of their copies, both ways: the same
        accounts arrive and go, the same rows come. The marks' pulls, by member (last copy)."""
        found = {}
        for key in MEMBERS:
            for copy in copies[key]:
                full = self.fetch(key, cursor, copy, by_marks=False)
                marks = self.fetch(key, cursor, copy, by_marks=True)
                assert (marks.arrived, marks.gone) == (full.arrived, full.gone), key
                for table in full.rows.keys() | marks.rows.keys():
                    assert marks.rows.get(table, {}) == full.rows.get(table, {}), (key, table)
                found[key] = marks
        return found

    def close(self) -> None:
        for central in self.centrals.values():
            central.dispose()


@pytest.fixture
def pulls(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pulls]:
    found = Pulls(world, monkeypatch)
    try:
        yield found
    finally:
        found.close()


def _note(cursor: Any, loan: uuid.UUID, text: str) -> uuid.UUID:
    """A note written by the signed-in member on `loan`."""
    note = uuid.uuid4()
    cursor.execute(
        "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
        " VALUES (%s, %s, cw_me(), now(), %s)",
        (note, loan, text),
    )
    return note


def _pulled(fetched: Any, table: str, value: uuid.UUID) -> bool:
    return any(value.hex in row for row in fetched.rows.get(table, {}).values())


@contextmanager
def _open(world: World, key: str) -> Iterator[Any]:
    """A transaction of the member's, open until the block ends (then committed)."""
    with world.connect(key) as connection:
        connection.autocommit = False
        with connection.cursor() as cursor:
            yield cursor
        connection.commit()


def _paid(world: World, account: Account, amount: str) -> None:
    """The feed's payment on the account, and the instalment it settles."""
    world.admin(
        "INSERT INTO payments (id, loan_id, paid_at, amount, channel, created_at)"
        " VALUES (gen_random_uuid(), %s, now(), %s, 'alipay', now())",
        (account.loan_id, amount),
    )
    world.admin(
        "UPDATE instalments SET settled_on = current_date WHERE (loan_id, seq) = (SELECT"
        " loan_id, min(seq) FROM instalments WHERE loan_id = %s AND settled_on IS NULL"
        " GROUP BY loan_id)",
        (account.loan_id,),
    )


def _point(world: World, borrower: uuid.UUID, number: str) -> None:
    """A number the lending system sends for the borrower."""
    world.admin(
        "INSERT INTO contact_points (id, borrower_id, position, kind, value, region, time_zones,"
        " do_not_call, wrong_number, created_at) VALUES (gen_random_uuid(), %s,"
        " (SELECT count(*) FROM contact_points WHERE borrower_id = %s), 'mobile', %s, 'CN',"
        " 'Asia/Shanghai', false, false, now())",
        (borrower, borrower, number),
    )


def test_a_pull_by_marks_brings_exactly_what_the_full_read_brings(
    world: World, pulls: Pulls
) -> None:
    ids = {key: world.user_id(key) for key in MEMBERS}
    team_a = world.team_id(world.team_a)
    day = local_today(today())
    portfolio = world.portfolio
    theirs = [
        portfolio.account(today=day, dpd=30 + n, assigned_to=ids["collector_b"], name=f"乙{n}")
        for n in range(5)
    ]
    moving = theirs[0]
    mine = world.accounts["collector_a"]
    second = portfolio.account(today=day, dpd=20, assigned_to=ids["collector_a"], name="甲二")
    pooled = portfolio.account(today=day, dpd=12, pool=team_a, name="池中")
    # Each member's copy as it was at the start.
    at_start = {key: pulls.copy(key) for key in MEMBERS}
    cursors = [_horizon(world)]

    # The field agent plans a visit with the second agent, whose scope the account enters.
    visited = world.accounts["agent_a"]
    with world.cursor("agent_a") as cursor:
        cursor.execute(
            "INSERT INTO field_visits (id, loan_id, agent_id, second_agent_id, planned_for,"
            " route_position, status, checklist, created_at) VALUES (gen_random_uuid(), %s,"
            " cw_me(), %s, current_date + 1, 1, 'planned', '[]', now())",
            (visited.loan_id, ids["agent2_a"]),
        )

    # Team B writes much: notes, the feed's payments, a plan with its lines, a number.
    with world.cursor("collector_b") as cursor:
        for n in range(60):
            _note(cursor, theirs[n % len(theirs)].loan_id, f"乙组{n}")
    for account in theirs[1:]:
        _paid(world, account, "500.00")
    terms = PlanTerms("instalments", (today() + timedelta(days=7)).date(), "monthly", 3)
    planned = save_plan(world.db, world.logins["collector_b"], theirs[1].contract_no, terms)
    _point(world, theirs[2].borrower_id, "+8613900000002")
    cursors.append(_horizon(world))

    # Team A: a plan, a payment, a note, the pool's account; then the moves.
    save_plan(world.db, world.logins["collector_a"], mine.contract_no, terms)
    _paid(world, mine, "300.00")
    with world.cursor("lead_a") as cursor:
        _note(cursor, pooled.loan_id, "池")
        # Within the team: the lead moves an account to the field agent.
        cursor.execute(
            "UPDATE loans SET assigned_to_id = %s WHERE id = %s", (ids["agent_a"], second.loan_id)
        )
    # Between teams (the feed's move): B's account becomes collector A's.
    world.admin(
        "UPDATE loans SET team_id = %s, assigned_to_id = %s, assigned_at = now() WHERE id = %s",
        (team_a, ids["collector_a"], moving.loan_id),
    )
    with world.cursor("collector_b") as cursor:
        _note(cursor, theirs[3].loan_id, "移走之后")
    # A borrower of team B's takes a loan in team A too; a number of theirs then concerns both.
    world.admin(
        "INSERT INTO loans SELECT (jsonb_populate_record(NULL::loans, to_jsonb(l)"
        " || jsonb_build_object('id', gen_random_uuid(), 'contract_no', l.contract_no || 'S',"
        " 'borrower_id', %s::uuid))).* FROM loans l WHERE l.id = %s",
        (theirs[4].borrower_id, mine.loan_id),
    )
    _point(world, theirs[4].borrower_id, "+8613900000004")
    cursors.append(_horizon(world))
    now = {key: pulls.copy(key) for key in MEMBERS}
    copies = {key: [at_start[key], now[key]] for key in MEMBERS}
    for cursor in cursors:
        pulls.same(cursor, copies)
    found = pulls.same(cursors[0], copies)
    # Not vacuous: what each was to get, it got.
    assert _pulled(found["collector_b"], "payments", theirs[1].loan_id)
    assert _pulled(found["lead_b"], "plan_instalments", planned.id)
    assert _pulled(found["collector_a"], "account_notes", moving.loan_id)
    assert _pulled(found["lead_a"], "contact_points", theirs[4].borrower_id)
    assert _pulled(found["agent2_a"], "field_visits", visited.loan_id)

    # Inside transactions: a note of collector A's not yet committed when a pull starts, so
    # its cursor stays below it; the next pull from that cursor brings it, whatever else
    # happened meanwhile (a newer transaction on the same account, which drops older marks).
    with _open(world, "lead_a") as older:
        early = _note(older, mine.loan_id, "早")
        with world.cursor("collector_a") as cursor:
            newer = _note(cursor, mine.loan_id, "新")
        inside = _horizon(world)
        found = pulls.same(inside, copies)
        assert _pulled(found["collector_a"], "account_notes", newer)
        assert not _pulled(found["collector_a"], "account_notes", early)
        late = _note(older, second.loan_id, "晚")
    found = pulls.same(inside, copies)
    assert _pulled(found["collector_a"], "account_notes", early)
    assert _pulled(found["agent_a"], "account_notes", late)
    with world.cursor("collector_a") as cursor:
        _note(cursor, mine.loan_id, "再新")
    found = pulls.same(inside, copies)
    assert _pulled(found["collector_a"], "account_notes", early)
    for cursor in (*cursors, inside, _horizon(world)):
        pulls.same(cursor, copies)


def _marks(world: World, key: uuid.UUID, table: str) -> int:
    (count,), *_ = world.admin(
        "SELECT count(*) FROM sync_marks WHERE key_id = %s AND table_name = %s", (key, table)
    )
    assert isinstance(count, int)
    return count


def test_marks_stay_one_a_key_and_table_and_no_writer_waits_for_another(world: World) -> None:
    loan = world.accounts["collector_a"].loan_id
    with world.cursor("collector_a") as cursor:
        _note(cursor, loan, "先")
    assert _marks(world, loan, "account_notes") == 1
    # Two transactions write one account at once: each adds its own mark and would drop the
    # older one, which the first holds; the second goes on without it, waiting for nobody.
    with _open(world, "collector_a") as first, _open(world, "lead_a") as second:
        for cursor in (first, second):
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        _note(first, loan, "一")
        _note(second, loan, "二")
        _note(first, loan, "一又")  # marked already by its transaction
    assert _marks(world, loan, "account_notes") == 2
    with world.cursor("collector_a") as cursor:
        _note(cursor, loan, "三")
    assert _marks(world, loan, "account_notes") == 1
    # A transaction at REPEATABLE READ adds its mark and leaves the older for the next writer.
    with _open(world, "collector_a") as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        _note(cursor, loan, "四")
    assert _marks(world, loan, "account_notes") == 2
    with world.cursor("collector_a") as cursor:
        _note(cursor, loan, "五")
    assert _marks(world, loan, "account_notes") == 1
    # A plan's lines are marked under its loan; a borrower's numbers under the borrower.
    assert _marks(world, loan, "instalments") == 1
    assert _marks(world, world.accounts["collector_a"].borrower_id, "contact_points") == 1


def test_every_table_a_pull_reads_by_account_is_marked(world: World) -> None:
    by_account = {table.name for table in sync.TABLES} - sync.NOT_PULLED - set(sync.SHARED)
    marked = {
        str(table)
        for (table,) in world.admin(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE right(tgname, 10) = '_sync_mark'"
        )
    }
    assert marked == by_account
    # And the tables read by key where an account's rows pile up have their index.
    indexed = {
        str(table)
        for (table,) in world.admin(
            "SELECT tablename FROM pg_indexes WHERE right(indexdef, 21) = '(loan_id, changed_tx)'"
        )
    }
    assert {"account_notes", "contact_attempts", "payments", "promises", "callbacks"} <= indexed
