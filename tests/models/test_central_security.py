"""Row-level security in the central database, tried as each signed-in role would.

Each user has a login role of their own; they connect over TCP with their password, as a
workstation does, and try to read and write outside their scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.database import Database, head_revision
from app.models import PlanStatus, Role
from app.services.common.errors import InvalidInput, NotAllowed
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.contact.queue import build_queue
from app.services.plans.lifecycle import issue_plan, plans_for, save_plan
from app.services.plans.offers import PlanTerms
from app.services.plans.payments import record_payment
from app.services.sync.central import add_user, init_central
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import ADMIN, Account, Portfolio
from tests.helpers.postgres import server_tls, tcp_url

PASSWORD = "correct horse battery"


@pytest.fixture
def central(pg_db: Database) -> Iterator[tuple[Database, dict[str, Account]]]:
    """Two collectors of one team and their lead, each with a login role; one account each."""
    portfolio = Portfolio(pg_db)
    other = portfolio.user("li.na" + _suffix(), Role.COLLECTOR)
    mine = portfolio.account(today=NOW.date(), dpd=30, name="李雷")
    theirs = portfolio.account(today=NOW.date(), dpd=30, name="韩梅梅", assigned_to=other)
    # Roles are cluster-wide: the users made here get names no other test database uses.
    yield pg_db, {"mine": mine, "theirs": theirs}
    with pg_db.engine.begin() as connection:
        for name in connection.exec_driver_sql(
            "SELECT username FROM users WHERE username LIKE '%%\\_t%%'"
        ).scalars():
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


def _suffix() -> str:
    return "_t" + uuid.uuid4().hex[:8]


def _login(db: Database, username: str) -> psycopg.Connection:  # type: ignore[type-arg]
    url = make_url(db.url)
    return psycopg.connect(
        host="127.0.0.1",
        port=url.port or 5432,
        dbname=url.database,
        user=username,
        password=PASSWORD,
        autocommit=True,
    )


def _staff(db: Database, role: str) -> str:
    """A new user with a login role in the portfolio's team; their user name."""
    name = f"{role.split('_')[0]}{_suffix()}"
    with db.engine.connect() as connection:
        team = connection.exec_driver_sql("SELECT name FROM teams LIMIT 1").scalar_one()
    add_user(db, name, role, team, PASSWORD)
    return name


@contextmanager
def _as(db: Database, username: str) -> Iterator[psycopg.Cursor]:  # type: ignore[type-arg]
    with _login(db, username) as connection, connection.cursor() as cursor:
        yield cursor


def _reassign(db: Database, account: Account, username: str) -> None:
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE username = %s)"
            " WHERE id = %s",
            (username, account.loan_id),
        )


def test_init_puts_every_table_under_a_non_login_owner_with_forced_security(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, _ = central
    status = init_central(db)
    assert status.revision == head_revision() and status.row_level_security and status.tables >= 24
    with db.engine.connect() as connection:
        owner = connection.exec_driver_sql(
            "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'cw_owner'"
        ).one()
        unguarded = (
            connection.exec_driver_sql(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'"
                " AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"
            )
            .scalars()
            .all()
        )
    assert tuple(owner) == (False, False, False)
    assert unguarded == []


def test_a_collector_sees_and_writes_only_their_own_accounts(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    me = _staff(db, "collector")
    _reassign(db, accounts["mine"], me)
    with _as(db, me) as cursor:
        cursor.execute("SELECT contract_no FROM loans")
        assert [row[0] for row in cursor.fetchall()] == [accounts["mine"].contract_no]
        cursor.execute("SELECT name FROM borrowers")
        assert [row[0] for row in cursor.fetchall()] == ["李雷"]
        cursor.execute(
            "SELECT count(*) FROM contact_points WHERE borrower_id = %s",
            (accounts["theirs"].borrower_id,),
        )
        assert cursor.fetchone() == (0,)
        # A contact on my account, as me: allowed.
        _log_attempt(cursor, accounts["mine"], "cw_me()")
        # On someone else's account, or in someone else's name: refused.
        # Another's account: its borrower is not one this login may log a contact on.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="own borrower"):
            _log_attempt(cursor, accounts["theirs"], "cw_me()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _log_attempt(
                cursor, accounts["mine"], "(SELECT id FROM users WHERE username = 'lead.wang')"
            )


def _log_attempt(cursor: psycopg.Cursor, account: Account, user: str) -> None:  # type: ignore[type-arg]
    """An unanswered call on `account` in the name of the user the SQL `user` names."""
    cursor.execute(
        "INSERT INTO contact_attempts (id, loan_id, borrower_id, user_id, channel, started_at,"
        " duration_seconds, disposition, right_party, checklist, script_steps, created_at)"
        f" VALUES (gen_random_uuid(), %s, %s, {user}, 'call', now(), 0, 'NA', false, '[]',"
        " '[]', now())",
        (account.loan_id, account.borrower_id),
    )


def test_logs_and_audit_cannot_be_changed_or_deleted_by_anyone_signed_in(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    me = _staff(db, "collector")
    _reassign(db, accounts["mine"], me)
    with _as(db, me) as cursor:
        for statement in (
            "UPDATE contact_attempts SET disposition = 'PTP'",
            "DELETE FROM contact_attempts",
            "UPDATE audit_events SET action = 'x'",
            "DELETE FROM audit_events",
            "DELETE FROM loans",
            # Giving an account away, or taking a colleague's, is a lead's act.
            "UPDATE loans SET assigned_to_id = NULL",
            "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE id <> cw_me() LIMIT 1)",
            "INSERT INTO users (id, username, display_name, role, active, created_at)"
            " VALUES (gen_random_uuid(), 'ghost', 'ghost', 'team_lead', true, now())",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(statement)


def test_set_role_and_settings_do_not_widen_the_scope(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    me = _staff(db, "collector")
    lead = _staff(db, "team_lead")
    _reassign(db, accounts["mine"], me)
    with _as(db, me) as cursor:
        for role in ("cw_owner", "postgres", lead):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(f'SET ROLE "{role}"')
        cursor.execute("SET ROLE cw_staff")
        cursor.execute("SELECT set_config('app.user', 'lead.wang', false)")
        cursor.execute("SET SESSION AUTHORIZATION DEFAULT")
        cursor.execute("SELECT count(*) FROM loans")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user")
        assert cursor.fetchone() == (False, False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute("ALTER TABLE loans DISABLE ROW LEVEL SECURITY")
        # The schema's revision is readable (a command line checks it is current), not writable.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute("UPDATE alembic_version SET version_num = '9999'")


def test_a_team_lead_reads_the_whole_team(central: tuple[Database, dict[str, Account]]) -> None:
    db, accounts = central
    lead = _staff(db, "team_lead")
    with _as(db, lead) as cursor:
        cursor.execute("SELECT contract_no FROM loans ORDER BY contract_no")
        assert {row[0] for row in cursor.fetchall()} == {
            accounts["mine"].contract_no,
            accounts["theirs"].contract_no,
        }


def test_a_reassigned_account_leaves_the_collectors_view_after_the_handover_week(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    me = _staff(db, "collector")
    _reassign(db, accounts["mine"], me)
    with _as(db, me) as cursor:
        cursor.execute("SELECT count(*) FROM borrowers")
        assert cursor.fetchone() == (1,)
        _reassign(db, accounts["mine"], "lead.wang")
        # For a week what they logged offline before the move is still taken...
        cursor.execute("SELECT count(*) FROM borrowers")
        assert cursor.fetchone() == (1,)
        with db.engine.begin() as connection:
            # (the administrator backdates the move, around the trigger that stamps it)
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            connection.exec_driver_sql(
                "UPDATE loans SET assigned_at = now() - interval '8 days' WHERE id = %s",
                (accounts["mine"].loan_id,),
            )
        # ... and then nothing of the account is theirs to see.
        cursor.execute("SELECT count(*) FROM borrowers")
        assert cursor.fetchone() == (0,)


def test_adding_a_user_checks_the_name_role_and_password_and_writes_nothing_on_refusal(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, _ = central
    with pytest.raises(InvalidInput, match="cannot be a user name"):
        add_user(db, "Robert'); DROP TABLE loans;--", "collector", "组", PASSWORD)
    with pytest.raises(InvalidInput, match="Unknown role"):
        add_user(db, "x_tzz", "admin", "组", PASSWORD)
    with pytest.raises(InvalidInput, match="too short"):
        add_user(db, "x_tzz", "collector", "组", "short")
    with db.engine.connect() as connection:
        assert (
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_roles WHERE rolname = 'x_tzz'"
            ).scalar()
            == 0
        )


def test_a_shift_runs_signed_in_as_the_collector_through_the_policies(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    me = _staff(db, "collector")
    _reassign(db, accounts["mine"], me)
    signed_in = Database(tcp_url(db.url, me, PASSWORD), tls=server_tls())
    try:
        queue = build_queue(signed_in, me, NOW, now=NOW)
        assert [entry.contract_no for entry in queue.entries] == [accounts["mine"].contract_no]
        promise = PromiseInput("200.00", NOW.date() + timedelta(days=2))
        entry = replace(outcome(accounts["mine"], "PTP", promise=promise), username=me)
        record_contact(signed_in, entry, now=NOW)
        terms = PlanTerms("instalments", NOW.date() + timedelta(days=7), "monthly", 3)
        plan = save_plan(signed_in, me, accounts["mine"].contract_no, terms, now=NOW)
        issued = issue_plan(signed_in, me, plan.id, now=NOW)
        # Payments are the lending system's: the collector's own login may not record one.
        with pytest.raises(NotAllowed, match="lending system"):
            record_payment(signed_in, me, accounts["mine"].contract_no, "200.00", NOW, now=NOW)
        record_payment(db, ADMIN, accounts["mine"].contract_no, "200.00", NOW, now=NOW)
        assert plans_for(signed_in, me, accounts["mine"].contract_no)[0].status is (
            PlanStatus.ACTIVE
        )
        assert issued.agreement_sha256 is not None
        # Asking for the lead's queue over this login still yields only what it may see.
        lead_view = build_queue(signed_in, "lead.wang", NOW, now=NOW)
        assert {e.contract_no for e in lead_view.entries} == {accounts["mine"].contract_no}
    finally:
        signed_in.dispose()


def test_the_server_stamps_who_had_a_moved_loan_and_nobody_moves_the_stamp(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    first, second = _staff(db, "collector"), _staff(db, "collector")
    _reassign(db, accounts["mine"], first)
    _reassign(db, accounts["mine"], second)
    stamp = "SELECT previous_assignee_id, assigned_at, now() - assigned_at < interval '1 minute'"
    with db.engine.connect() as connection:
        previous, moved_at, just_now = connection.exec_driver_sql(
            f"{stamp} FROM loans WHERE id = %s", (accounts["mine"].loan_id,)
        ).one()
        first_id = connection.exec_driver_sql(
            "SELECT id FROM users WHERE username = %s", (first,)
        ).scalar_one()
    assert previous == first_id and just_now
    with _as(db, second) as cursor:
        # The holder cannot stretch the previous collector's week, nor name someone else.
        cursor.execute(
            "UPDATE loans SET assigned_at = '2999-01-01', previous_assignee_id = cw_me()"
        )
        cursor.execute("SELECT previous_assignee_id, assigned_at FROM loans")
        assert cursor.fetchall() == [(previous, moved_at)]
    with _as(db, first) as cursor:
        # The previous collector still sees it for the handover week (their offline logs land).
        cursor.execute("SELECT count(*) FROM loans")
        assert cursor.fetchone() == (1,)


def test_a_collector_cannot_approve_or_reject_beyond_policy_by_writing_the_row(
    central: tuple[Database, dict[str, Account]],
) -> None:
    db, accounts = central
    me = _staff(db, "collector")
    _reassign(db, accounts["mine"], me)
    insert = (
        "INSERT INTO repayment_plans (id, loan_id, created_by_id, status, kind, currency,"
        " overdue_principal, overdue_interest, overdue_penalty, overdue_fees, total_amount,"
        " down_payment, penalty_waived, discount, frequency, breaches, down_payment_paid,"
        " created_at, offered_on) VALUES (gen_random_uuid(), %s, cw_me(), %s, 'instalments',"
        " 'CNY', 0, 0, 0, 0, 1000, 0, 0, 0, 'monthly', %s, 0, now(), current_date)"
    )
    beyond = '[{"rule": "max_instalments", "template": "", "params": {}}]'
    with _as(db, me) as cursor:
        # Approved with a breach, rejected with no lead, or approved with terms that owe 1,000
        # on nothing overdue (the server works the limits out itself, whatever `breaches` says).
        for status, breaches in (("approved", beyond), ("rejected", "[]"), ("approved", "[]")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(insert, (accounts["mine"].loan_id, status, breaches))
        # A draft is the collector's own; waiting, only a lead decides it.
        cursor.execute(insert, (accounts["mine"].loan_id, "draft", "[]"))
        # One open plan an account at a time: the draft goes before the next is made.
        cursor.execute("UPDATE repayment_plans SET status = 'cancelled' WHERE status = 'draft'")
        cursor.execute(insert, (accounts["mine"].loan_id, "pending_approval", beyond))
        for change in ("status = 'approved'", "status = 'draft', approved_by_id = cw_me()"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(
                    f"UPDATE repayment_plans SET {change} WHERE status = 'pending_approval'"
                )


def test_init_refuses_a_schema_newer_than_this_program_in_one_sentence(pg_db: Database) -> None:
    from app.services.sync.server import SchemaNotCurrent

    with pg_db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaNotCurrent, match="newer than this program"):
        init_central(pg_db)
