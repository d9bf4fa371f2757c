"""The schema comes from Alembic migrations, and matches the models exactly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.config import DATA_DIR_ENV, resolve
from app.database import Database
from app.models import Base, Payment, Team
from app.models.types import Money, UTCDateTime


def test_upgrade_from_empty_builds_exactly_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert not db.is_current()
    db.upgrade()
    assert db.is_current()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    db.upgrade()  # a second upgrade is a no-op
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
    assert resolve(tmp_path / "flag").database_url.endswith("flag/workstation.sqlite3")
    monkeypatch.delenv(DATA_DIR_ENV)
    assert "collector-workstation" in str(resolve().data_dir)
