"""Sync against a real PostgreSQL central, each workstation signed in as its user's own login
role: row-level security decides what comes down and what the server takes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from app.database import Database
from app.models import Role
from app.services.common.errors import InvalidInput
from app.services.contact.contacts import record_contact
from app.services.sync import engine as sync
from app.services.sync.central import add_user, init_central
from app.services.sync.workstation import (
    ServerUnreachable,
    SignInFailed,
    parse_server,
    sign_in,
)
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio
from tests.helpers.postgres import server_tls

PASSWORD = "correct horse battery"


@dataclass
class Central:
    admin: Database
    collector: str
    colleague: str
    lead: str
    mine: Account
    theirs: Account

    def as_user(self, username: str) -> Database:
        url = make_url(self.admin.url)
        server = parse_server(f"127.0.0.1:{url.port or 5432}/{url.database}")
        return sign_in(server, username, PASSWORD, server_tls())


@pytest.fixture
def central(pg_db: Database) -> Iterator[Central]:
    """A team (collector, colleague, lead) with login roles; an account each for two of them."""
    suffix = uuid.uuid4().hex[:8]
    portfolio = Portfolio(pg_db)
    init_central(pg_db)
    with pg_db.engine.connect() as connection:
        team = connection.execute(
            text("SELECT name FROM teams WHERE id = :id"), {"id": portfolio.team_id}
        ).scalar_one()
    names = {
        role: f"{role.value.split('_')[0]}.s{suffix}" for role in Role if role is not Role.ADMIN
    }
    colleague = f"colleague.s{suffix}"
    for role in (Role.COLLECTOR, Role.TEAM_LEAD):
        add_user(pg_db, names[role], role.value, team, PASSWORD)
    add_user(pg_db, colleague, "collector", team, PASSWORD)
    with pg_db.engine.connect() as connection:
        ids = {
            row.username: row.id
            for row in connection.execute(text("SELECT username, id FROM users"))
        }
    mine = portfolio.account(
        today=NOW.date(), dpd=30, name="李雷", assigned_to=ids[names[Role.COLLECTOR]]
    )
    theirs = portfolio.account(today=NOW.date(), dpd=30, name="韩梅梅", assigned_to=ids[colleague])
    portfolio.attempt(mine, NOW.replace(day=20), "NA", user=ids[names[Role.COLLECTOR]])
    yield Central(pg_db, names[Role.COLLECTOR], colleague, names[Role.TEAM_LEAD], mine, theirs)
    with pg_db.engine.begin() as connection:
        for name in (names[Role.COLLECTOR], names[Role.TEAM_LEAD], colleague):
            connection.exec_driver_sql(f'DROP OWNED BY "{name}"')
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


def _workstation(path: Path) -> Database:
    local = Database(f"sqlite:///{path}")
    local.upgrade()
    sync.install_outbox(local)
    return local


def _count(db: Database, sql: str, **params: object) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def test_a_collector_pulls_only_their_accounts_through_row_level_security(
    central: Central, tmp_path: Path
) -> None:
    local = _workstation(tmp_path / "local.sqlite3")
    report = sync.sync(local, central.as_user(central.collector), central.collector)
    assert report.pull.arrived == 1
    assert _count(local, "SELECT count(*) FROM borrowers") == 1
    assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '韩梅梅'") == 0
    assert _count(local, "SELECT count(*) FROM contact_attempts") == 1


def test_a_lead_pulls_the_whole_team(central: Central, tmp_path: Path) -> None:
    local = _workstation(tmp_path / "lead.sqlite3")
    sync.sync(local, central.as_user(central.lead), central.lead)
    assert _count(local, "SELECT count(*) FROM loans") == 2


def test_a_pull_reads_with_jit_off_for_its_own_transaction_only(
    central: Central, tmp_path: Path
) -> None:
    """The policies' key lookups are costed row by row, which put a read of a few thousand rows
    past the JIT threshold; the pull's reads run without it, and the session keeps its own."""
    local = _workstation(tmp_path / "local.sqlite3")
    server = central.as_user(central.collector)
    jit = "SELECT current_setting('jit')"
    seen: list[str] = []

    def setting_after_scope_query(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM loans" in statement:
            raw = connection.connection.dbapi_connection
            seen.append(raw.execute(jit).fetchone()[0])

    with server.engine.connect() as connection:
        before = connection.exec_driver_sql(jit).scalar()
    event.listen(server.engine, "after_cursor_execute", setting_after_scope_query)
    sync.pull(local, server, central.collector)
    assert seen and set(seen) == {"off"}
    with server.engine.connect() as connection:
        assert connection.exec_driver_sql(jit).scalar() == before


def test_a_call_logged_offline_lands_once_as_the_collector_and_others_get_it(
    central: Central, tmp_path: Path
) -> None:
    local = _workstation(tmp_path / "local.sqlite3")
    server = central.as_user(central.collector)
    sync.sync(local, server, central.collector)
    entry = outcome(central.mine, "NA", username=central.collector)
    recorded = record_contact(local, entry, now=NOW)
    report = sync.sync(local, server, central.collector)
    assert report.push.refused == report.push.conflicts == 0
    sync.sync(local, server, central.collector)
    attempt = {"id": recorded.attempt_id}
    assert (
        _count(central.admin, "SELECT count(*) FROM contact_attempts WHERE id = :id", **attempt)
        == 1
    )
    # The lead's workstation gets it at its next sync.
    lead = _workstation(tmp_path / "lead.sqlite3")
    sync.sync(lead, central.as_user(central.lead), central.lead)
    assert (
        _count(
            lead, "SELECT count(*) FROM contact_attempts WHERE id = :id", id=recorded.attempt_id.hex
        )
        == 1
    )


def test_a_change_the_server_refuses_becomes_a_refused_entry_and_the_rest_lands(
    central: Central, tmp_path: Path
) -> None:
    local = _workstation(tmp_path / "local.sqlite3")
    server = central.as_user(central.collector)
    sync.sync(local, server, central.collector)
    # A loan's terms come from the lender's loan system; nobody changes them here.
    with local.engine.begin() as connection:
        connection.execute(text("UPDATE loans SET product = 'changed'"))
    recorded = record_contact(
        local, outcome(central.mine, "NA", username=central.collector), now=NOW
    )
    report = sync.sync(local, server, central.collector)
    assert report.push.refused == 1
    [refused] = sync.conflicts(local)
    assert refused.kind == "refused" and refused.table == "loans"
    assert "permission denied" in str(refused.reason)
    found = "SELECT count(*) FROM contact_attempts WHERE id = :id"
    assert _count(central.admin, found, id=recorded.attempt_id) == 1


def test_a_workstation_cannot_read_or_move_another_users_sync_bookkeeping(
    central: Central, tmp_path: Path
) -> None:
    local = _workstation(tmp_path / "local.sqlite3")
    sync.sync(local, central.as_user(central.collector), central.collector)
    record_contact(local, outcome(central.mine, "NA", username=central.collector), now=NOW)
    sync.sync(local, central.as_user(central.collector), central.collector)
    url = make_url(central.admin.url)
    with psycopg.connect(
        host="127.0.0.1",
        port=url.port or 5432,
        dbname=url.database,
        user=central.colleague,
        password=PASSWORD,
        autocommit=True,
    ) as connection:
        assert connection.execute("SELECT count(*) FROM sync_workstations").fetchone() == (0,)
        updated = connection.execute("UPDATE sync_workstations SET last_applied = 0")
        assert updated.rowcount == 0
        for statement in ("SELECT count(*) FROM sync_outbox", "SELECT count(*) FROM sync_state"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)
        with central.admin.engine.connect() as admin:
            [workstation] = admin.execute(text("SELECT id FROM sync_workstations")).scalars()
        # Knowing the id is not enough to plant a rejection in someone else's workstation.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(
                "INSERT INTO sync_outcomes (workstation_id, seq, table_name, row_key, kind,"
                " reason) VALUES (%s, 999, 'loans', '[]', 'refused', '{}')",
                (workstation,),
            )
    assert _count(central.admin, "SELECT max(last_applied) FROM sync_workstations") > 0


def test_every_view_in_the_central_database_runs_with_its_callers_rights(
    central: Central,
) -> None:
    with central.admin.engine.connect() as connection:
        loose = connection.exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'v'"
            " AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)"
        ).all()
    assert loose == []


def test_sign_in_refuses_a_wrong_password_and_reports_an_unreachable_server(
    central: Central,
) -> None:
    url = make_url(central.admin.url)
    server = parse_server(f"127.0.0.1:{url.port or 5432}/{url.database}")
    tls = server_tls()
    with pytest.raises(SignInFailed):
        sign_in(server, central.collector, "not the password at all", tls)
    with pytest.raises(SignInFailed):
        sign_in(server, "nobody.here", PASSWORD, tls)
    closed = parse_server("127.0.0.1:9/collector")
    with pytest.raises(ServerUnreachable):
        sign_in(closed, central.collector, PASSWORD, tls)


@pytest.mark.parametrize("written", ["", "db.example.cn", "host:0/db", "host:99999/db", "h/d b"])
def test_a_server_must_be_written_host_port_database(written: str) -> None:
    with pytest.raises(InvalidInput):
        parse_server(written)


def test_a_server_without_a_port_uses_postgresqls() -> None:
    server = parse_server(" db.example.cn/collector ")
    assert (server.host, server.port, server.database) == ("db.example.cn", 5432, "collector")
    assert str(server) == "db.example.cn:5432/collector"


def test_a_field_agent_carries_the_accounts_of_their_planned_visits_and_no_more(
    central: Central, tmp_path: Path
) -> None:
    agent = f"agent.s{uuid.uuid4().hex[:8]}"
    with central.admin.engine.connect() as connection:
        team = connection.execute(text("SELECT name FROM teams LIMIT 1")).scalar_one()
    add_user(central.admin, agent, "field_agent", team, PASSWORD)
    try:
        local = _workstation(tmp_path / "agent.sqlite3")
        server = central.as_user(agent)
        assert sync.sync(local, server, agent).pull.arrived == 0
        visit = uuid.uuid4()
        with central.admin.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO field_visits (id, loan_id, agent_id, second_agent_id,"
                    " planned_for, status, created_at, route_position, reason, checklist)"
                    " SELECT :visit, :loan, (SELECT id FROM users WHERE username = :lead),"
                    " id, '2026-11-30', 'planned', now(), 1, 'marked', '[]'"
                    " FROM users WHERE username = :agent"
                ),
                {
                    "visit": visit,
                    "loan": central.mine.loan_id,
                    "lead": central.lead,
                    "agent": agent,
                },
            )
        assert sync.sync(local, server, agent).pull.arrived == 1
        assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '李雷'") == 1
        assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '韩梅梅'") == 0
        with central.admin.engine.begin() as connection:
            connection.execute(
                text("UPDATE field_visits SET status = 'done' WHERE id = :id"), {"id": visit}
            )
        assert sync.sync(local, server, agent).pull.purged == 1
        assert _count(local, "SELECT count(*) FROM borrowers") == 0
    finally:
        with central.admin.engine.begin() as connection:
            connection.exec_driver_sql(f'DROP OWNED BY "{agent}"')
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{agent}"')


def test_rows_cast_to_stored_form_by_the_server_equal_those_converted_here(
    central: Central,
) -> None:
    """A pull from PostgreSQL has the server write money, instants, keys, flags and dates the
    way SQLAlchemy stores them on SQLite; byte for byte what Python's conversion gives."""
    from sqlalchemy.dialects.sqlite import pysqlite

    local = pysqlite.dialect()
    compared = {}
    with central.admin.engine.connect() as connection:
        for table in sync.TABLES:
            by_server = sync._Shape.of(table, connection.dialect, local)
            by_python = sync._Shape.of(table, connection.dialect, local, cast=False)
            assert by_server.selected != by_python.selected  # every table has a key at least
            fast = sync._read(connection, by_server, "1 = 1", [])
            slow = sync._read(connection, by_python, "1 = 1", [])
            assert sorted(fast, key=repr) == sorted(slow, key=repr), table.name
            compared[table.name] = len(fast)
    tables = ("borrowers", "loans", "instalments", "payments", "contact_attempts", "users")
    assert all(compared[name] for name in tables), compared


def test_a_promise_synced_without_its_script_path_is_refused_by_the_server(
    central: Central, tmp_path: Path
) -> None:
    """The server follows the script path of what a workstation sends, as record_contact does
    on the workstation: a promise logged by the window lands, one written around it (an older
    version, a hand-edited copy) is refused in the server's words and nothing of it lands."""
    local = _workstation(tmp_path / "local.sqlite3")
    server = central.as_user(central.collector)
    sync.sync(local, server, central.collector)
    kept = record_contact(local, outcome(central.mine, "RTP", username=central.collector), now=NOW)
    forged = uuid.uuid4()
    with local.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contact_attempts (id, loan_id, borrower_id, user_id, channel,"
                " started_at, duration_seconds, disposition, right_party, checklist,"
                " script_steps, created_at, row_version) SELECT :id, loan_id, borrower_id,"
                " user_id, channel, started_at, 60, 'PTP', 1, checklist, '[]', created_at, 1"
                " FROM contact_attempts WHERE id = :kept"
            ),
            {"id": forged.hex, "kept": kept.attempt_id.hex},
        )
    report = sync.sync(local, server, central.collector)
    assert report.push.refused == 1
    [refused] = sync.conflicts(local)
    assert refused.table == "contact_attempts"
    assert "PTP is a right-party outcome" in str(refused.reason)
    found = "SELECT count(*) FROM contact_attempts WHERE id = :id"
    assert _count(central.admin, found, id=kept.attempt_id) == 1
    assert _count(central.admin, found, id=forged) == 0


def test_contact_upkeep_done_offline_lands_as_the_collector_and_reaches_the_lead(
    central: Central, tmp_path: Path
) -> None:
    """A number learned, a do-not-call mark with the borrower's words, an agreed window, a
    preferred channel and an attorney, each made on the workstation by the services, are taken
    by the server from the collector's own login; the lead's workstation gets them."""
    from datetime import time

    from app.services.contact.upkeep import (
        NewContactPoint,
        add_contact_point,
        mark_contact_point,
        record_attorney,
        set_contact_preferences,
    )
    from app.services.portfolio.addresses import AddressInput

    local = _workstation(tmp_path / "local.sqlite3")
    server = central.as_user(central.collector)
    sync.sync(local, server, central.collector)
    contract, me = central.mine.contract_no, central.collector
    work = add_contact_point(local, me, contract, NewContactPoint("work", "010 6552 9988"), now=NOW)
    home = add_contact_point(
        local,
        me,
        contract,
        NewContactPoint("address", address=AddressInput("广东", "深圳市", "南山区", "科技路8号")),
        now=NOW,
    )
    mark_contact_point(local, me, contract, work.id, "do_not_call", words="别打单位电话", now=NOW)
    mark_contact_point(local, me, contract, home.id, "verified", now=NOW)
    set_contact_preferences(local, me, contract, window=(time(18), time(20)), channel="sms")
    record_attorney(local, me, contract, name="张律师", firm="某某律师事务所", phone="13911112222")
    report = sync.sync(local, server, me)
    assert (report.push.refused, report.push.conflicts) == (0, 0), [
        str(c.reason) for c in sync.conflicts(local)
    ]
    assert (
        _count(
            central.admin,
            "SELECT count(*) FROM contact_points cp JOIN users u ON u.id = cp.added_by_id"
            " WHERE u.username = :me AND (cp.value = '+861065529988' AND cp.do_not_call"
            " AND cp.do_not_call_words = '别打单位电话' OR cp.kind = 'address' AND cp.verified"
            " AND cp.province = '广东省')",
            me=me,
        )
        == 2
    )
    assert (
        _count(
            central.admin,
            "SELECT count(*) FROM borrowers WHERE id = :id AND agreed_window_start = '18:00'"
            " AND preferred_channel = 'sms' AND attorney_represented"
            " AND attorney_phone = '+8613911112222'",
            id=central.mine.borrower_id,
        )
        == 1
    )
    lead = _workstation(tmp_path / "lead.sqlite3")
    sync.sync(lead, central.as_user(central.lead), central.lead)
    assert (
        _count(lead, "SELECT count(*) FROM contact_points WHERE do_not_call_words IS NOT NULL") == 1
    )
    assert _count(lead, "SELECT count(*) FROM borrowers WHERE attorney_name = '张律师'") == 1


def test_a_referral_to_legal_reaches_the_leads_and_only_its_mark_reaches_the_collector(
    central: Central, tmp_path: Path
) -> None:
    """A lead refers an account and records steps on their workstation: the server takes them
    from the lead's own login, another lead's copy gets the case and each new step, the
    collector's copy gets the borrower's mark (the account stops in the queue) and never a
    row of the case; a withdrawal lifts the mark on every copy."""
    from app.services.common.clock import local_today
    from app.services.legal.referral import StepInput, record_step, refer, withdraw

    lead, other, mine = central.lead, central.lead, central.collector
    desk = _workstation(tmp_path / "lead.sqlite3")
    laptop = _workstation(tmp_path / "lead-laptop.sqlite3")
    copy = _workstation(tmp_path / "collector.sqlite3")
    for local, user in ((desk, lead), (laptop, other), (copy, mine)):
        sync.sync(local, central.as_user(user), user)
    contract = central.mine.contract_no
    refer(desk, lead, contract, "six months without an answer")
    today = local_today(datetime.now(UTC))
    record_step(desk, lead, contract, StepInput("lawyer", today, firm="金杜", lawyer="李律师"))
    report = sync.sync(desk, central.as_user(lead), lead)
    assert (report.push.refused, report.push.conflicts) == (0, 0), [
        str(c.reason) for c in sync.conflicts(desk)
    ]
    assert _count(central.admin, "SELECT count(*) FROM legal_steps") == 1
    for local, user in ((laptop, other), (copy, mine)):
        sync.sync(local, central.as_user(user), user)
    assert _count(laptop, "SELECT count(*) FROM legal_cases") == 1
    assert _count(laptop, "SELECT count(*) FROM legal_steps") == 1
    marked = "SELECT count(*) FROM borrowers WHERE id = :id AND legal_referral"
    assert _count(copy, marked, id=central.mine.borrower_id.hex) == 1
    assert _count(copy, "SELECT count(*) FROM legal_cases") == 0
    assert _count(copy, "SELECT count(*) FROM legal_steps") == 0
    # A new step reaches the other copy by its marks; still nothing of it the collector's.
    record_step(desk, lead, contract, StepInput("cost", today, amount="800"))
    withdraw(desk, lead, contract, "the borrower called and paid")
    report = sync.sync(desk, central.as_user(lead), lead)
    assert (report.push.refused, report.push.conflicts) == (0, 0)
    for local, user in ((laptop, other), (copy, mine)):
        sync.sync(local, central.as_user(user), user)
    assert _count(laptop, "SELECT count(*) FROM legal_steps") == 2
    assert _count(laptop, "SELECT count(*) FROM legal_cases WHERE withdrawn_at IS NOT NULL") == 1
    assert _count(copy, marked, id=central.mine.borrower_id.hex) == 0
    assert _count(copy, "SELECT count(*) FROM legal_steps") == 0
    # A collector's copy made from scratch holds none either.
    fresh = _workstation(tmp_path / "fresh.sqlite3")
    sync.sync(fresh, central.as_user(mine), mine)
    assert _count(fresh, "SELECT count(*) FROM legal_cases") == 0
