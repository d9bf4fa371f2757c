"""The policies find a row's account (borrower, plan, workstation) by its key, and still let
through exactly the rows they let through when they scanned the whole parent table.

Migration 0016 rewrote `loan_id IN (SELECT id FROM loans)` and its like as
`EXISTS (SELECT 1 FROM loans WHERE loans.id = <table>.loan_id)`: the first is planned as a scan
of every loan per statement, the second as an index lookup. Row-level security applies inside
both subqueries, which is what makes them mean "an account I can see". The equivalence test
evaluates every rewritten policy, signed in as each member of two teams, on rows made of every
combination of the values the policy reads (each account, borrower, plan and workstation of
the central and an unknown one; each member or nobody), before and after the migration.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid

from alembic import command
from alembic.script import ScriptDirectory

from app.database import Database, alembic_config
from app.services.common.clock import local_today
from tests.central.conftest import World, today
from tests.helpers.postgres import fresh_database

REVISION = "0016"
# A subquery reading a whole table for its keys: `x IN ( SELECT t.c FROM t)` as pg_policies
# prints it (a WHERE inside, as the loans policy's own team lookup has, does not match).
WHOLE_TABLE_IN = re.compile(r"\bIN \( SELECT [\w.]+\s+FROM \w+\)")
STAFF_POLICIES = (
    "SELECT tablename, policyname, cmd, roles, permissive, qual, with_check FROM pg_policies"
    " WHERE 'cw_staff' = ANY(roles) ORDER BY tablename, policyname"
)
# Staff policies on tables later migrations made (0019: the queue's summary; 0022: a lead's
# reading of the reminder tables; 0024: a lead's credit-reporting notice letter; 0027: the
# marks a pull finds changed accounts by; 0030: a lead's referrals to legal and their steps;
# 0032: attachments; 0033: experiments; 0035: scorecards). Not evaluated: 0016 did not write them.
LATER = {
    "sync_marks_select",
    "legal_cases_select",
    "legal_cases_insert",
    "legal_cases_update",
    "legal_steps_select",
    "legal_steps_insert",
    "attachments_select",
    "attachments_insert",
    "attachment_contents_select",
    "attachment_contents_insert",
    "experiments_select",
    "experiments_insert",
    "experiments_update",
    "experiment_assignments_select",
    "experiment_assignments_insert",
    "scorecards_select",
    "scorecard_choices_select",
    "scorecard_choices_insert",
    "credit_notices_lead_insert",
    "loan_queue_summary_select",
    "queue_summary_codes_select",
    "reminder_messages_select",
    "reminder_opt_outs_select",
    "credit_notices_select",
    # Disputes and complaints (0031), written with the key lookup from the start.
    "dispute_cases_select",
    "dispute_cases_insert",
    "dispute_cases_update",
    "complaints_select",
    "complaints_insert",
    "complaints_update",
}
# Policy -> (table, clause -> expression); clause is "using" or "check".
Policies = dict[str, tuple[str, dict[str, str]]]
# (login, policy, clause) -> the candidate rows (by position) the clause lets through.
Verdicts = dict[tuple[str, str, str], frozenset[int]]


def test_no_staff_policy_reads_a_whole_table_to_check_one_row(world: World) -> None:
    scans = [
        (name, expression)
        for _table, name, *_rest, qual, check in world.admin(STAFF_POLICIES)
        for expression in (qual, check)
        if isinstance(expression, str) and WHOLE_TABLE_IN.search(expression)
    ]
    assert scans == []


def test_the_key_lookups_let_through_exactly_the_rows_the_scans_did(world: World) -> None:
    _widen(world)
    after = _policies(world)
    compared = {name: policy for name, policy in after.items() if name not in LATER}
    candidates = _candidates(world, compared)
    verdicts_after = _verdicts(world, compared, candidates)

    previous = _previous_revision(world.db)
    _migrate(world.db, previous, down=True)
    before = _policies(world)
    verdicts_before = _verdicts(world, before, candidates)

    rewritten = {name for name in before if after[name] != before[name]}
    # Every policy that checks a parent row: the 36 on an account's rows, and those of
    # borrowers, contact points, plan lines and sync outcomes.
    assert len(rewritten) == 47
    assert {after[name][0] for name in rewritten} >= {
        "account_notes",
        "borrowers",
        "contact_points",
        "field_visits",
        "plan_instalments",
        "sync_outcomes",
    }
    assert set(after) == set(before) | LATER
    for name in rewritten:
        for clause in after[name][1]:
            same = {key: rows for key, rows in verdicts_after.items() if key[1:] == (name, clause)}
            assert same == {key: verdicts_before[key] for key in same}, (name, clause)
            # Each clause tells rows apart for someone: the comparison is not between nothings.
            passed = set().union(*same.values())
            assert passed, (name, clause)
            assert any(len(rows) < len(candidates[name]) for rows in same.values()), (name, clause)

    # Taken back down, the policies are those the revision before left, word for word.
    with fresh_database() as url:
        earlier = Database(url)
        _migrate(earlier, previous)
        try:
            with earlier.engine.connect() as connection:
                expected = [tuple(row) for row in connection.exec_driver_sql(STAFF_POLICIES)]
        finally:
            earlier.dispose()
    assert world.admin(STAFF_POLICIES) == expected


def _migrate(db: Database, revision: str, *, down: bool = False) -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _previous_revision(db: Database) -> str:
    script = ScriptDirectory.from_config(alembic_config(db.url)).get_revision(REVISION)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


def _widen(world: World) -> None:
    """More ways to see an account than the world's three: a pool account of team A (its lead
    sees it), one handed from collector_a to another member this week (collector_a still sees
    it), a visit planned for agent2_a on collector_a's account (the agent sees it); a plan on
    every account and a workstation for every member (the parents of plan lines and outcomes)."""
    day = local_today(today())
    world.portfolio.account(today=day, dpd=45, pool=world.team_id(world.team_a), name="池中客户")
    handed = world.portfolio.account(
        today=day, dpd=45, assigned_to=world.user_id("collector_a"), name="移交客户"
    )
    world.admin(
        "UPDATE loans SET assigned_to_id = %s, row_version = row_version + 1 WHERE id = %s",
        (world.portfolio.collector, handed.loan_id),
    )
    world.admin(
        "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, route_position, status,"
        " checklist, created_at) VALUES (gen_random_uuid(), %s, %s, current_date + 1, 1,"
        " 'planned', '[]', now())",
        (world.accounts["collector_a"].loan_id, world.user_id("agent2_a")),
    )
    world.admin(
        "INSERT INTO repayment_plans (id, loan_id, created_by_id, status, kind, currency,"
        " total_amount, down_payment, penalty_waived, frequency, breaches, created_at)"
        " SELECT gen_random_uuid(), id, coalesce(assigned_to_id, %s), 'draft', 'instalments',"
        " 'CNY', 1000, 0, 0, 'monthly', '[]', now() FROM loans",
        (world.portfolio.collector,),
    )
    for key in world.logins:
        world.admin(
            "INSERT INTO sync_workstations (id, user_id, last_applied, updated_at)"
            " VALUES (gen_random_uuid(), %s, 0, now())",
            (world.user_id(key),),
        )


def _policies(world: World) -> Policies:
    found: Policies = {}
    for table, name, *_rest, qual, check in world.admin(STAFF_POLICIES):
        clauses = {"using": qual, "check": check}
        found[str(name)] = (
            str(table),
            {clause: str(text) for clause, text in clauses.items() if text is not None},
        )
    return found


def _candidates(world: World, policies: Policies) -> dict[str, list[dict[str, str | None]]]:
    """For each policy: rows of its table made of every combination of values of the columns
    it reads (other columns NULL). A column naming a member: each login's user or nobody; one
    naming a row of another table (or the table's own id): each row there, an unknown one, and
    nothing where the column may be empty."""
    people = [str(world.user_id(key)) for key in world.logins]
    found: dict[str, list[dict[str, str | None]]] = {}
    for name, (table, _clauses) in policies.items():
        domains: dict[str, list[str | None]] = {}
        for column, kind, nullable, target in world.admin(
            "SELECT a.attname, format_type(a.atttypid, NULL), NOT a.attnotnull,"
            " (SELECT c.confrelid::regclass::text FROM pg_constraint c WHERE c.contype = 'f'"
            "  AND c.conrelid = a.attrelid AND c.conkey = ARRAY[a.attnum])"
            " FROM pg_policy p JOIN pg_depend d ON d.classid = 'pg_policy'::regclass"
            " AND d.objid = p.oid AND d.refobjid = p.polrelid AND d.refobjsubid > 0"
            " JOIN pg_attribute a ON a.attrelid = p.polrelid AND a.attnum = d.refobjsubid"
            " WHERE p.polname = %s AND p.polrelid = %s::regclass GROUP BY 1, 2, 3, 4",
            (name, table),
        ):
            values: list[str | None]
            if kind != "uuid":
                values = []
            elif target == "users":
                values = list(people)
            else:
                rows = world.admin(f"SELECT id::text FROM {target or table} ORDER BY 1")
                values = [*(str(row[0]) for row in rows), str(uuid.uuid4())]
            domains[str(column)] = [*values, None] if nullable or not values else values
        found[name] = [
            dict(zip(domains, combination, strict=True))
            for combination in itertools.product(*domains.values())
        ]
    return found


def _verdicts(
    world: World, policies: Policies, candidates: dict[str, list[dict[str, str | None]]]
) -> Verdicts:
    """Each clause of each policy, evaluated signed in as each member (so row-level security
    applies in its subqueries as in the policy) on its candidate rows."""
    verdicts: Verdicts = {}
    for key in world.logins:
        with world.cursor(key) as cursor:
            for name, (table, clauses) in policies.items():
                rows = json.dumps(candidates[name])
                for clause, expression in clauses.items():
                    cursor.execute(
                        f"SELECT {table}.ordinality FROM json_populate_recordset("
                        f"NULL::{table}, %s) WITH ORDINALITY AS {table} WHERE {expression}",
                        (rows,),
                    )
                    verdicts[(key, name, clause)] = frozenset(
                        int(position) - 1 for (position,) in cursor.fetchall()
                    )
    return verdicts
