"""The schema comes from Alembic migrations, and matches the models exactly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from app.config import DATA_DIR_ENV, resolve
from app.database import Database, alembic_config, head_revision
from app.models import Base, Payment, Team
from app.models.base import POSTGRESQL_ONLY
from app.models.types import Money, UTCDateTime

# The central's own indexes (`Index.ddl_if`, PostgreSQL only): no workstation copy has them.
COMPARE = {
    "compare_type": True,
    "include_object": lambda _item, name, *_rest: name not in POSTGRESQL_ONLY,
}


def test_upgrade_from_empty_builds_exactly_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert not db.is_current()
    db.upgrade()
    assert db.is_current()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE)
        assert compare_metadata(context, Base.metadata) == []
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    db.upgrade()  # a second upgrade is a no-op
    db.dispose()


def _migrate(db: Database, revision: str, *, down: bool = False) -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("users", "borrowers", "loans", "instalments", "contact_attempts")
        }


def test_upgrade_from_0001_keeps_the_data_and_the_new_tables_work(tmp_path: Path) -> None:
    from app.services.contact.contacts import record_contact
    from app.services.contact.escalations import acknowledge, open_escalations
    from app.services.portfolio.accounts import account_detail
    from app.services.portfolio.notes import add_note
    from tests.helpers.contacts import NOW, outcome
    from tests.helpers.portfolio import Portfolio

    db = Database(f"sqlite:///{tmp_path / 'workstation.sqlite3'}")
    # A workstation that worked at 0001: accounts, history, an audit trail. (Made through
    # today's models, which know newer columns, then taken down to 0001.)
    db.upgrade()
    portfolio = Portfolio(db)
    today = NOW.date()
    accounts = [portfolio.account(today=today, dpd=dpd, name=f"客户{dpd}") for dpd in (5, 40)]
    portfolio.attempt(accounts[0], NOW - timedelta(days=1), "NA")
    portfolio.attempt(accounts[1], NOW - timedelta(days=2), "RTP")
    _migrate(db, "0001", down=True)
    before = _counts(db)
    assert not {"escalations", "account_notes"} & set(inspect(db.engine).get_table_names())

    db.upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE)
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head_revision()
    assert _counts(db) == before
    raised = record_contact(db, outcome(accounts[1], "DSP"), now=NOW).escalation_id
    assert raised is not None
    add_note(db, "zhang.wei", accounts[1].contract_no, "Disputes the late fee.", now=NOW)
    acknowledge(db, "lead.wang", raised, "refer", "Disputes desk.", now=NOW)
    kinds = {
        item.kind for item in account_detail(db, "zhang.wei", accounts[1].contract_no).timeline
    }
    assert {"contact", "note", "escalation"} <= kinds
    assert open_escalations(db, "lead.wang") == ()

    # And back: 0001's data stays, the new tables go; the audit trail is still append-only.
    _migrate(db, "0001", down=True)
    assert not {"escalations", "account_notes"} & set(inspect(db.engine).get_table_names())
    assert _counts(db)["loans"] == 2
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_events")
    db.upgrade()
    db.dispose()


def test_upgrade_from_0002_keeps_plans_and_visits_with_their_decision(tmp_path: Path) -> None:
    from tests.helpers.contacts import NOW
    from tests.helpers.portfolio import Portfolio

    db = Database(f"sqlite:///{tmp_path / 'workstation.sqlite3'}")
    db.upgrade()
    portfolio = Portfolio(db)
    account = portfolio.account(today=NOW.date(), dpd=40, name="客户")
    lead = portfolio.lead
    _migrate(db, "0002", down=True)
    rows = {"proposed": None, "active": lead}
    with db.engine.begin() as connection:
        for status, approver in rows.items():
            connection.execute(
                text(
                    "INSERT INTO repayment_plans (id, loan_id, created_by_id, status, total_amount,"
                    " down_payment, penalty_waived, frequency, approved_by_id, approved_at,"
                    " created_at) VALUES (:id, :loan, :user, :status, '1200.00', '0', '0',"
                    " 'monthly', :approver, :at, :at)"
                ),
                {
                    "id": uuid.uuid4().hex,
                    "loan": account.loan_id.hex,
                    "user": portfolio.collector.hex,
                    "status": status,
                    "approver": approver.hex if approver else None,
                    "at": "2026-11-20 02:00:00.000000",
                },
            )
        plan_id = connection.execute(text("SELECT id FROM repayment_plans LIMIT 1")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO plan_instalments (plan_id, seq, due_date, amount, paid_amount)"
                " VALUES (:plan, 1, '2026-12-20', '1200.00', '0')"
            ),
            {"plan": plan_id},
        )
        connection.execute(
            text(
                "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, status, created_at)"
                " VALUES (:id, :loan, :agent, '2026-11-30', 'planned', '2026-11-20 02:00:00')"
            ),
            {"id": uuid.uuid4().hex, "loan": account.loan_id.hex, "agent": lead.hex},
        )

    db.upgrade()
    with db.engine.connect() as connection:
        plans = dict(
            connection.execute(
                text("SELECT status, approved_by_id FROM repayment_plans ORDER BY status")
            ).all()
        )
        visit = connection.execute(text("SELECT route_position, checklist FROM field_visits")).one()
    assert plans == {"active": lead.hex, "draft": None}
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM plan_instalments")).scalar() == 1
    assert tuple(visit) == (0, "[]")

    _migrate(db, "0002", down=True)
    with db.engine.connect() as connection:
        statuses = connection.execute(
            text("SELECT status, approved_by_id FROM repayment_plans ORDER BY status")
        ).all()
    assert [tuple(row) for row in statuses] == [("active", lead.hex), ("proposed", None)]
    db.dispose()


def test_embedded_database_runs_wal_with_foreign_keys(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.session() as session:
        session.add(
            Payment(
                loan_id=uuid.uuid4(),
                paid_at=datetime.now(UTC),
                amount=Decimal("1"),
                channel="card",
            )
        )


def test_money_is_exact_cents_and_times_are_utc(db: Database) -> None:
    money, instant = Money(), UTCDateTime()
    dialect = db.engine.dialect
    assert money.process_bind_param(Decimal("0.10") + Decimal("0.20"), dialect) == 30
    assert money.process_result_value(30, dialect) == Decimal("0.30")
    beijing = datetime.fromisoformat("2026-11-28T10:00:00+08:00")
    stored = instant.process_bind_param(beijing, dialect)
    assert stored == datetime(2026, 11, 28, 2, 0)
    assert instant.process_result_value(stored, dialect) == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        instant.process_bind_param(datetime(2026, 11, 28, 10), dialect)


def test_workstation_rows_get_uuid_keys(db: Database) -> None:
    with db.session() as session:
        team = Team(name="外访一组")
        session.add(team)
        session.flush()
        assert team.id.version == 4
    with db.engine.connect() as connection:
        assert len(connection.execute(text("SELECT id FROM teams")).scalar_one()) == 32


def test_data_dir_comes_from_flag_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert resolve().data_dir == tmp_path / "env"
    assert resolve(tmp_path / "flag").data_dir == tmp_path / "flag"
    assert resolve(tmp_path / "flag").database_url.endswith("flag/central.sqlite3")
    monkeypatch.delenv(DATA_DIR_ENV)
    assert "collector-workstation" in str(resolve().data_dir)
