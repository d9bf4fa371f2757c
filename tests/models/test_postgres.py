"""The central database: the same migrations and services on a real PostgreSQL server.

These need the server scripts/test starts; under CI they fail rather than skip without it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from app.database import Database, alembic_config, head_revision
from app.models import Base, PlanStatus, PromiseToPay, Role
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.contact.queue import build_queue
from app.services.field.visits import VisitResult, day_visits, plan_visits, record_visit
from app.services.plans.lifecycle import plans_for, save_plan
from app.services.plans.offers import PlanTerms
from app.services.plans.payments import record_payment
from tests.helpers.agreements import issue
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import ADMIN, Portfolio

TODAY = NOW.date()
# Indexes the models declare for SQLite only (`Index.ddl_if`): no server has them.
SQLITE_ONLY = {"ix_contact_attempts_user_figures"}


def test_the_migrations_build_exactly_the_models_on_postgresql_and_go_back(pg_db: Database) -> None:
    with pg_db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            # The policy the server enforces is the server's alone: no model, no workstation copy;
            # the other way round, the indexes of a workstation's SQLite copy alone.
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _parent: name != "server_policy",
                "include_object": lambda _item, name, *_rest: name not in SQLITE_ONLY,
            },
        )
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head_revision()
    config = alembic_config(pg_db.url)
    command.downgrade(config, "base")
    assert set(inspect(pg_db.engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= set(inspect(pg_db.engine).get_table_names())


def test_the_audit_trail_is_append_only_in_postgresql_itself(pg_db: Database) -> None:
    with pg_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (id, at, action, entity, entity_id, details)"
                " VALUES (gen_random_uuid(), now(), 'test', 'test', '1', '{}')"
            )
        )
    for statement in ("UPDATE audit_events SET action = 'changed'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), pg_db.engine.begin() as connection:
            connection.execute(text(statement))
    with pg_db.engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_events")).scalars().all() == [
            "test"
        ]


def test_a_shift_runs_on_the_central_database(pg_db: Database) -> None:
    """Queue, a promise, a plan with its agreement hash, a payment and a visit, on PostgreSQL."""
    portfolio = Portfolio(pg_db)
    promised = portfolio.account(today=TODAY, dpd=20, name="李雷")
    planned = portfolio.account(today=TODAY, dpd=75, name="韩梅梅")
    queue = build_queue(pg_db, "zhang.wei", NOW, now=NOW)
    assert [e.contract_no for e in queue.entries] == [planned.contract_no, promised.contract_no]

    promise = PromiseInput("300.00", TODAY + timedelta(days=3))
    recorded = record_contact(pg_db, outcome(promised, "PTP", promise=promise), now=NOW)
    with pg_db.reader() as session:
        stored = session.get_one(PromiseToPay, recorded.promise_id)
        assert (stored.amount, stored.promised_date) == (Decimal("300.00"), promise.promised_date)

    terms = PlanTerms("instalments", TODAY + timedelta(days=7), "monthly", 3)
    plan = issue(
        pg_db,
        "zhang.wei",
        save_plan(pg_db, "zhang.wei", planned.contract_no, terms, now=NOW).id,
        now=NOW,
    )
    assert plan.agreement_sha256 is not None
    record_payment(pg_db, ADMIN, planned.contract_no, str(plan.lines[0].amount), NOW, now=NOW)
    tracked = plans_for(pg_db, "zhang.wei", planned.contract_no)[0]
    assert tracked.status is PlanStatus.ACTIVE
    assert tracked.lines[0].paid_amount == plan.lines[0].amount

    agent = portfolio.user("agent.zhao", Role.FIELD_AGENT)
    portfolio.user("agent.qian", Role.FIELD_AGENT)
    visited = portfolio.account(today=TODAY, dpd=50, assigned_to=agent)
    tomorrow = TODAY + timedelta(days=1)
    visit = plan_visits(
        pg_db, "agent.zhao", tomorrow, [visited.contract_no], second_agent="agent.qian", now=NOW
    )[0]
    assert visit.planned_at is not None and visit.planned_at.tzinfo is not None
    at = datetime.combine(tomorrow, time(2, 30), tzinfo=UTC)
    record_visit(pg_db, "agent.zhao", visit.id, VisitResult("NH", at), now=at + timedelta(hours=1))
    assert day_visits(pg_db, "agent.zhao", tomorrow)[0].outcome == "NH"
