"""Attacks on the central server by signed-in staff, one or more for each row rule of
docs/security.md (`attacks` names the rules a test tries). Each signs in over TCP with the
member's own password, as `psql` would, and asserts the server itself refuses; the
administrator's connection only sets the scene and reads the result."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from app.services.common.clock import local_today
from app.services.common.errors import NotAllowed
from app.services.common.queue_summary import repair_summary
from app.services.plans.lifecycle import preview_plan, save_plan
from app.services.plans.offers import PlanTerms
from app.services.plans.terms import agreement_number
from app.services.sync.central import deactivate_user, init_central
from tests.central.conftest import Cursor, World, today
from tests.helpers.contacts import FAILED_CHECK, script_path
from tests.helpers.portfolio import Account

F = TypeVar("F", bound=Callable[..., Any])


def attacks(*rules: str) -> Callable[[F], F]:
    def mark(function: F) -> F:
        function.rules = rules  # type: ignore[attr-defined]
        return function

    return mark


def refused(cursor: Cursor, statement: str, params: tuple[object, ...] = ()) -> str:
    """The server's refusal of `statement` (any other outcome fails the test)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        cursor.execute(statement, params)
    return str(caught.value)


def refused_each(cursor: Cursor, cases: dict[str, tuple[str, tuple[object, ...]]]) -> None:
    """Every case refused by the server (the first that is not fails the test, by its name)."""
    for label, (statement, values) in cases.items():
        try:
            cursor.execute(statement, values)
        except psycopg.errors.InsufficientPrivilege:
            continue
        pytest.fail(f"not refused: {label}")


def _attempt(
    loan: uuid.UUID,
    borrower: uuid.UUID,
    *,
    id: uuid.UUID | None = None,
    point: uuid.UUID | None = None,
    code: str = "NA",
    right_party: bool = False,
    stage: str | None = None,
    steps: object = (),
) -> tuple[str, tuple[object, ...]]:
    """A call logged by the signed-in user: the statement and its values."""
    return (
        "INSERT INTO contact_attempts (id, loan_id, borrower_id, contact_point_id, user_id,"
        " channel, started_at, duration_seconds, disposition, right_party, checklist,"
        " script_stage, script_steps, created_at) VALUES (%s, %s, %s, %s, cw_me(), 'call',"
        " now(), 60, %s, %s, '[]', %s, %s, now())",
        (
            id or uuid.uuid4(),
            loan,
            borrower,
            point,
            code,
            right_party,
            stage,
            json.dumps(list(steps) if isinstance(steps, tuple) else steps),
        ),
    )


def _visit(cursor: Cursor, loan: uuid.UUID, agent: str = "cw_me()", **extra: object) -> None:
    second = extra.get("second")
    cursor.execute(
        "INSERT INTO field_visits (id, loan_id, agent_id, second_agent_id, planned_for,"
        " route_position, status, checklist, created_at)"
        f" VALUES (gen_random_uuid(), %s, {agent}, %s, current_date + 1, 1, %s, '[]', now())",
        (loan, second, extra.get("status", "planned")),
    )


# --- scope ---------------------------------------------------------------------------------


@attacks("scope-read")
def test_a_collector_reads_nothing_of_another_teams_borrower(world: World) -> None:
    theirs = world.accounts["collector_b"]
    with world.cursor("collector_a") as cursor:
        for statement in (
            "SELECT count(*) FROM loans WHERE id = %s",
            "SELECT count(*) FROM instalments WHERE loan_id = %s",
            "SELECT count(*) FROM payments WHERE loan_id = %s",
            "SELECT count(*) FROM contact_attempts WHERE loan_id = %s",
        ):
            cursor.execute(statement, (theirs.loan_id,))
            assert cursor.fetchone() == (0,), statement
        cursor.execute("SELECT count(*) FROM borrowers WHERE id = %s", (theirs.borrower_id,))
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT count(*) FROM contact_points WHERE borrower_id = %s", (theirs.borrower_id,)
        )
        assert cursor.fetchone() == (0,)
    with world.cursor("lead_a") as cursor:
        cursor.execute("SELECT count(*) FROM loans")
        assert cursor.fetchone() == (2,)  # the team's two accounts, not team B's


@attacks("scope-write")
def test_a_collector_writes_neither_outside_their_scope_nor_in_anothers_name(
    world: World,
) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    note = (
        "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
        " VALUES (gen_random_uuid(), %s, {who}, now(), 'x')"
    )
    with world.cursor("collector_a") as cursor:
        refused(cursor, note.format(who="cw_me()"), (theirs.loan_id,))
        refused(cursor, note.format(who="%s"), (mine.loan_id, world.user_id("lead_a")))
        cursor.execute(note.format(who="cw_me()"), (mine.loan_id,))
        cursor.execute("UPDATE promises SET status = 'kept' WHERE loan_id = %s", (theirs.loan_id,))
        assert cursor.rowcount == 0


@attacks("loan-move")
def test_only_a_lead_moves_a_loan_and_only_within_their_team(world: World) -> None:
    mine = world.accounts["collector_a"]
    move = "UPDATE loans SET assigned_to_id = %s WHERE id = %s"
    with world.cursor("collector_a") as cursor:
        refused(cursor, move, (world.user_id("agent_a"), mine.loan_id))
    with world.cursor("lead_a") as cursor:
        refused(cursor, move, (world.user_id("collector_b"), mine.loan_id))
        cursor.execute(move, (world.user_id("agent_a"), mine.loan_id))
        assert cursor.rowcount == 1
    assert world.admin("SELECT previous_assignee_id FROM loans WHERE id = %s", (mine.loan_id,)) == [
        (world.user_id("collector_a"),)
    ]


@attacks("pool")
def test_a_teams_pool_is_its_leads_alone_to_see_and_allocate(world: World) -> None:
    team_a, team_b = world.team_id(world.team_a), world.team_id(world.team_b)
    day = local_today(today())
    pooled = world.portfolio.account(today=day, dpd=20, pool=team_a, name="池中人")
    theirs = world.portfolio.account(today=day, dpd=20, pool=team_b)
    seen = "SELECT count(*) FROM loans WHERE id = %s"
    with world.cursor("lead_a") as cursor:
        cursor.execute(seen, (pooled.loan_id,))
        assert cursor.fetchone() == (1,)
        # What allocating needs: the borrower, the numbers and the schedule.
        cursor.execute("SELECT name FROM borrowers WHERE id = %s", (pooled.borrower_id,))
        assert cursor.fetchone() == ("池中人",)
        cursor.execute("SELECT count(*) > 0 FROM instalments WHERE loan_id = %s", (pooled.loan_id,))
        assert cursor.fetchone() == (True,)
        cursor.execute(seen, (theirs.loan_id,))
        assert cursor.fetchone() == (0,)
    for key in ("collector_a", "agent_a", "lead_b"):
        with world.cursor(key) as cursor:
            cursor.execute(seen, (pooled.loan_id,))
            assert cursor.fetchone() == (0,), key
            cursor.execute("SELECT count(*) FROM borrowers WHERE id = %s", (pooled.borrower_id,))
            assert cursor.fetchone() == (0,), key
    give = "UPDATE loans SET assigned_to_id = %s WHERE id = %s"
    with world.cursor("collector_a") as cursor:
        cursor.execute("UPDATE loans SET assigned_to_id = cw_me() WHERE id = %s", (pooled.loan_id,))
        assert cursor.rowcount == 0
    with world.cursor("lead_b") as cursor:
        cursor.execute(give, (world.user_id("collector_b"), pooled.loan_id))
        assert cursor.rowcount == 0
    with world.cursor("lead_a") as cursor:
        # Not out of the team; no account drawn into the pool from another team, or sent back.
        refused(cursor, give, (world.user_id("collector_b"), pooled.loan_id))
        refused(cursor, "UPDATE loans SET team_id = %s WHERE id = %s", (team_a, theirs.loan_id))
        refused(
            cursor,
            "UPDATE loans SET assigned_to_id = NULL WHERE id = %s",
            (world.accounts["collector_a"].loan_id,),
        )
        cursor.execute(give, (world.user_id("collector_a"), pooled.loan_id))
        assert cursor.rowcount == 1
    assert world.admin(
        "SELECT assigned_to_id, previous_assignee_id, assigned_at IS NOT NULL, team_id"
        " FROM loans WHERE id = %s",
        (pooled.loan_id,),
    ) == [(world.user_id("collector_a"), None, True, team_a)]
    assert world.admin(
        "SELECT assigned_to_id, team_id FROM loans WHERE id = %s", (theirs.loan_id,)
    ) == [(None, team_b)]
    with world.cursor("collector_a") as cursor:
        cursor.execute(seen, (pooled.loan_id,))
        assert cursor.fetchone() == (1,)


# --- the ledger ------------------------------------------------------------------------------


@attacks("feed")
def test_staff_apply_no_feed_and_only_a_lead_reads_the_feeds(world: World) -> None:
    mine = world.accounts["collector_a"]
    world.admin(
        "INSERT INTO feed_batches (id, batch_id, sequence, status, file_name, sha256, rows,"
        " received_at, summary, problems) VALUES (gen_random_uuid(), 'B1', 1, 'applied',"
        " 'feed-1.csv', repeat('0', 64), 1, now(), '{}', '[]')"
    )
    world.admin("UPDATE instalments SET principal_paid = principal_paid")
    for key in ("collector_a", "agent_a", "lead_a"):
        with world.cursor(key) as cursor:
            for statement, params in (
                (
                    "INSERT INTO feed_batches (id, batch_id, sequence, status, file_name, sha256,"
                    " rows, received_at, summary, problems) VALUES (gen_random_uuid(), 'B2', 2,"
                    " 'applied', 'feed-2.csv', repeat('0', 64), 1, now(), '{}', '[]')",
                    (),
                ),
                ("UPDATE feed_batches SET sequence = 9", ()),
                (
                    "INSERT INTO payments (id, loan_id, paid_at, amount, channel, created_at,"
                    " source_id) VALUES (gen_random_uuid(), %s, now(), 100, 'cash', now(), 'P1')",
                    (mine.loan_id,),
                ),
                ("UPDATE payments SET reversed_at = now() WHERE loan_id = %s", (mine.loan_id,)),
                ("UPDATE loans SET closed_on = current_date WHERE id = %s", (mine.loan_id,)),
                ("UPDATE promises SET amount = 1 WHERE loan_id = %s", (mine.loan_id,)),
            ):
                assert "permission denied" in refused(cursor, statement, params), statement
            cursor.execute("SELECT count(*) FROM feed_batches")
            assert cursor.fetchone() == ((1,) if key == "lead_a" else (0,))
    assert world.admin("SELECT count(*) FROM feed_batches") == [(1,)]
    assert world.admin(
        "SELECT count(*) FROM payments WHERE reversed_at IS NOT NULL OR source_id IS NOT NULL"
    ) == [(0,)]


@attacks("reported-payment")
def test_a_reported_payment_is_the_reporters_own_unmatched_and_final(world: World) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    (payment,), *_ = world.admin("SELECT id FROM payments WHERE loan_id = %s", (mine.loan_id,))
    report = (
        "INSERT INTO reported_payments (id, loan_id, reported_by_id, paid_at, amount, channel,"
        " created_at, matched_payment_id, matched_at) VALUES (%s, %s, {who}, now(), 500,"
        " 'alipay', now(), %s, {matched_at})"
    )
    with world.cursor("collector_a") as cursor:
        for who, loan, matched, matched_at in (
            ("cw_me()", theirs.loan_id, None, "NULL"),  # another team's account
            ("%s", mine.loan_id, None, "NULL"),  # in the lead's name
            ("cw_me()", mine.loan_id, payment, "now()"),  # claimed matched
            ("cw_me()", mine.loan_id, None, "now()"),
        ):
            params: tuple[object, ...] = (uuid.uuid4(), loan)
            if who == "%s":
                params += (world.user_id("lead_a"),)
            refused(
                cursor,
                report.format(who=who, matched_at=matched_at),
                (*params, matched),
            )
        own = uuid.uuid4()
        cursor.execute(report.format(who="cw_me()", matched_at="NULL"), (own, mine.loan_id, None))
        for statement in (
            "UPDATE reported_payments SET matched_payment_id = %s WHERE id = %s",
            "UPDATE reported_payments SET amount = 1 WHERE id = %s AND %s IS NOT NULL",
            "DELETE FROM reported_payments WHERE id = %s OR id = %s",
        ):
            assert "permission denied" in refused(cursor, statement, (payment, own))
    assert world.admin("SELECT count(*), min(amount) FROM reported_payments") == [
        (1, Decimal("500.00"))
    ]


@attacks("ledger")
def test_the_ledger_is_not_staffs_to_write_and_tells_nothing_of_id_numbers(
    world: World,
) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    (their_id_number,), *_ = world.admin(
        "SELECT id_number FROM borrowers WHERE id = %s", (theirs.borrower_id,)
    )
    for key in ("collector_a", "lead_a"):
        with world.cursor(key) as cursor:
            for statement, params in (
                ("UPDATE loans SET status = 'closed' WHERE id = %s", (mine.loan_id,)),
                ("UPDATE loans SET principal = 1 WHERE id = %s", (mine.loan_id,)),
                (
                    "UPDATE instalments SET principal_paid = principal_due WHERE loan_id = %s",
                    (mine.loan_id,),
                ),
                (
                    "INSERT INTO payments (id, loan_id, paid_at, amount, channel, created_at)"
                    " VALUES (gen_random_uuid(), %s, now(), 100, 'cash', now())",
                    (mine.loan_id,),
                ),
                (
                    "UPDATE contact_points SET value = '13900000000' WHERE borrower_id = %s",
                    (mine.borrower_id,),
                ),
            ):
                assert "permission denied" in refused(cursor, statement, params)
            # The same refusal whether the ID number is a customer's or nobody's.
            answers = {
                refused(
                    cursor,
                    "UPDATE borrowers SET id_number = %s WHERE id = %s",
                    (number, mine.borrower_id),
                )
                for number in (their_id_number, "110101199001011237")
            }
            assert len(answers) == 1 and "permission denied" in answers.pop()
    assert world.admin("SELECT status FROM loans WHERE id = %s", (mine.loan_id,)) == [("active",)]


# --- marks -----------------------------------------------------------------------------------


@attacks("marks-lift")
def test_marks_that_pause_collection_are_lifted_by_a_lead_only(world: World) -> None:
    mine = world.accounts["collector_a"]
    world.admin(
        "UPDATE borrowers SET vulnerable = true, deceased = true, cease_requested = true"
        " WHERE id = %s",
        (mine.borrower_id,),
    )
    world.admin(
        "UPDATE contact_points SET do_not_call = true WHERE borrower_id = %s", (mine.borrower_id,)
    )
    with world.cursor("collector_a") as cursor:
        for mark in ("vulnerable", "deceased", "cease_requested"):
            assert "team lead" in refused(
                cursor, f"UPDATE borrowers SET {mark} = false WHERE id = %s", (mine.borrower_id,)
            )
        assert "team lead" in refused(
            cursor,
            "UPDATE contact_points SET do_not_call = false WHERE borrower_id = %s",
            (mine.borrower_id,),
        )
        # Setting one is anyone's who works the account (but the legal referral's, a lead's
        # referral: `legal-mark`).
        cursor.execute(
            "UPDATE borrowers SET dispute_open = true WHERE id = %s", (mine.borrower_id,)
        )
        assert cursor.rowcount == 1
        refused(
            cursor, "UPDATE borrowers SET legal_referral = true WHERE id = %s", (mine.borrower_id,)
        )
    with world.cursor("lead_a") as cursor:
        cursor.execute("UPDATE borrowers SET vulnerable = false WHERE id = %s", (mine.borrower_id,))
        cursor.execute(
            "UPDATE contact_points SET do_not_call = false WHERE borrower_id = %s",
            (mine.borrower_id,),
        )
    assert world.admin(
        "SELECT vulnerable, deceased, dispute_open, legal_referral FROM borrowers WHERE id = %s",
        (mine.borrower_id,),
    ) == [(False, True, True, False)]


# --- field visits (the hole that widened scope) ----------------------------------------------


@attacks("visit-planner")
def test_a_collector_plants_no_visit_and_an_agent_plans_only_their_candidates(
    world: World,
) -> None:
    mine, agents, theirs = (
        world.accounts["collector_a"],
        world.accounts["agent_a"],
        world.accounts["collector_b"],
    )
    with world.cursor("collector_a") as cursor:
        assert "field agents and team leads" in refused(cursor, *_args(mine.loan_id))
    with world.cursor("agent_a") as cursor:
        # Another team's account, or a teammate's (an agent plans their own).
        for loan in (theirs.loan_id, mine.loan_id):
            refused(cursor, *_args(loan))
        # Not a candidate: under 30 days past due and nobody asked for a visit.
        world.admin(
            "UPDATE instalments SET settled_on = due_date WHERE loan_id = %s"
            " AND due_date < current_date - 10",
            (agents.loan_id,),
        )
        assert "not a visit candidate" in refused(cursor, *_args(agents.loan_id))
        world.admin(
            "INSERT INTO visit_requests (id, loan_id, requested_by_id, reason, requested_at)"
            " VALUES (gen_random_uuid(), %s, %s, '上门核实', now())",
            (agents.loan_id, world.user_id("lead_a")),
        )
        # Paused by a mark.
        world.admin(
            "UPDATE borrowers SET cease_requested = true WHERE id = %s", (agents.borrower_id,)
        )
        assert "paused" in refused(cursor, *_args(agents.loan_id))
        world.admin(
            "UPDATE borrowers SET cease_requested = false WHERE id = %s", (agents.borrower_id,)
        )
        # In someone else's name.
        refused(cursor, *_args(agents.loan_id, agent=str(world.user_id("lead_a"))))
        _visit(cursor, agents.loan_id)
    with world.cursor("lead_a") as cursor:
        _visit(cursor, mine.loan_id)  # a lead, on the team's account
        refused(cursor, *_args(theirs.loan_id))
        # The agent's account moves to the collector: in the handover week the agent still
        # reads it, and may plant no visit that would keep it readable after.
        cursor.execute(
            "UPDATE loans SET assigned_to_id = %s WHERE id = %s",
            (world.user_id("collector_a"), agents.loan_id),
        )
    with world.cursor("agent_a") as cursor:
        cursor.execute("SELECT count(*) FROM loans WHERE id = %s", (agents.loan_id,))
        assert cursor.fetchone() == (1,)
        refused(cursor, *_args(agents.loan_id))


def _args(loan: uuid.UUID, agent: str | None = None) -> tuple[str, tuple[object, ...]]:
    who = "cw_me()" if agent is None else f"'{agent}'::uuid"
    return (
        "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, route_position, status,"
        f" checklist, created_at) VALUES (gen_random_uuid(), %s, {who}, current_date + 1, 1,"
        " 'planned', '[]', now())",
        (loan,),
    )


@attacks("visit-second-agent")
def test_the_second_agent_is_a_visitor_of_the_same_team(world: World) -> None:
    agents = world.accounts["agent_a"]
    with world.cursor("agent_a") as cursor:
        for key in ("collector_b", "lead_b", "collector_a", "agent_a"):
            message = refused(
                cursor,
                "INSERT INTO field_visits (id, loan_id, agent_id, second_agent_id, planned_for,"
                " route_position, status, checklist, created_at) VALUES (gen_random_uuid(), %s,"
                " cw_me(), %s, current_date + 1, 1, 'planned', '[]', now())",
                (agents.loan_id, world.user_id(key)),
            )
            assert "second agent" in message, key
        _visit(cursor, agents.loan_id, second=world.user_id("lead_a"))
        # Swapped afterwards for someone who widens scope: refused too.
        refused(
            cursor,
            "UPDATE field_visits SET second_agent_id = %s WHERE loan_id = %s",
            (world.user_id("collector_b"), agents.loan_id),
        )


@attacks("visit-fixed")
def test_a_planned_visit_cannot_be_moved_onto_another_account_or_agent(world: World) -> None:
    mine, agents, theirs = (
        world.accounts["collector_a"],
        world.accounts["agent_a"],
        world.accounts["collector_b"],
    )
    with world.cursor("agent_a") as cursor:
        _visit(cursor, agents.loan_id)
        for change, value in (
            ("loan_id", theirs.loan_id),
            ("loan_id", mine.loan_id),
            ("agent_id", world.user_id("collector_b")),
            ("planned_for", (today() + timedelta(days=9)).date()),
        ):
            assert "fixed" in refused(
                cursor,
                f"UPDATE field_visits SET {change} = %s WHERE loan_id = %s",
                (value, agents.loan_id),
            )
        # Still nothing of team B's is readable through it.
        cursor.execute("SELECT count(*) FROM borrowers WHERE id = %s", (theirs.borrower_id,))
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "UPDATE field_visits SET status = 'done', visited_at = now(), disposition = 'MET'"
            " WHERE loan_id = %s",
            (agents.loan_id,),
        )
        assert "final" in refused(
            cursor,
            "UPDATE field_visits SET status = 'planned' WHERE loan_id = %s",
            (agents.loan_id,),
        )
    with world.cursor("lead_a") as cursor:
        _visit(cursor, mine.loan_id)
    # The collector whose account it is does not change the lead's visit.
    with world.cursor("collector_a") as cursor:
        cursor.execute(
            "UPDATE field_visits SET status = 'cancelled' WHERE loan_id = %s", (mine.loan_id,)
        )
        assert cursor.rowcount == 0


# --- plans ----------------------------------------------------------------------------------


def _plan(world: World, key: str, terms: PlanTerms, *, submit: bool = True) -> uuid.UUID:
    """A plan made through the service (as the workstation makes it), on the member's account."""
    account = world.accounts[key]
    view = save_plan(world.db, world.logins[key], account.contract_no, terms, submit=submit)
    return view.id


def _first_due(days: int = 7) -> Any:
    return (today() + timedelta(days=days)).date()


BEYOND = PlanTerms("instalments", _first_due(), "monthly", 36)
WITHIN = PlanTerms("instalments", _first_due(), "monthly", 3)


@attacks("plan-steps", "plan-decision")
def test_a_plan_waiting_for_a_lead_cannot_be_issued_or_decided_by_its_collector(
    world: World,
) -> None:
    plan = _plan(world, "collector_a", BEYOND)
    assert world.admin("SELECT status FROM repayment_plans WHERE id = %s", (plan,)) == [
        ("pending_approval",)
    ]
    with world.cursor("collector_a") as cursor:
        for change in (
            "status = 'issued'",
            "status = 'approved'",
            "status = 'approved', approved_by_id = (SELECT id FROM users WHERE role ="
            " 'team_lead' LIMIT 1), approved_at = now()",
            "status = 'rejected', decision_reason = 'no'",
            "decision_reason = 'approved by phone'",
            "status = 'active'",
        ):
            refused(cursor, f"UPDATE repayment_plans SET {change} WHERE id = %s", (plan,))
    with world.cursor("lead_a") as cursor:
        # A rejection says why; a decision is in the lead's own name.
        refused(
            cursor,
            "UPDATE repayment_plans SET status = 'rejected', approved_by_id ="
            " cw_me() WHERE id = %s",
            (plan,),
        )
        refused(
            cursor,
            "UPDATE repayment_plans SET status = 'approved', approved_by_id = %s WHERE id = %s",
            (world.user_id("collector_a"), plan),
        )
        cursor.execute(
            "UPDATE repayment_plans SET status = 'approved', approved_by_id = cw_me(),"
            " approved_at = now() WHERE id = %s",
            (plan,),
        )
    # A lead of another team does not even see it.
    with world.cursor("lead_b") as cursor:
        cursor.execute("UPDATE repayment_plans SET status = 'cancelled' WHERE id = %s", (plan,))
        assert cursor.rowcount == 0
    assert world.admin("SELECT status FROM repayment_plans WHERE id = %s", (plan,)) == [
        ("approved",)
    ]


@attacks("plan-decision")
def test_a_lead_does_not_approve_their_own_plan(world: World) -> None:
    world.admin(
        "UPDATE loans SET assigned_to_id = %s WHERE id = %s",
        (world.user_id("lead_a"), world.accounts["collector_a"].loan_id),
    )
    world.logins["lead_plan"] = world.logins["lead_a"]
    world.accounts["lead_plan"] = world.accounts["collector_a"]
    plan = _plan(world, "lead_plan", BEYOND)
    with world.cursor("lead_a") as cursor:
        assert "made it" in refused(
            cursor,
            "UPDATE repayment_plans SET status = 'approved', approved_by_id = cw_me(),"
            " approved_at = now() WHERE id = %s",
            (plan,),
        )


def _template(world: World, plan: uuid.UUID) -> dict[str, Any]:
    columns = (
        "loan_id, created_by_id, kind, currency, offered_on, overdue_principal,"
        " overdue_interest, overdue_penalty, overdue_fees, total_amount, down_payment,"
        " penalty_waived, discount, frequency, breaches::text, down_payment_paid, created_at"
    )
    (row,) = world.admin(f"SELECT {columns} FROM repayment_plans WHERE id = %s", (plan,))
    names = [name.strip().split("::")[0] for name in columns.split(",")]
    return dict(zip(names, row, strict=True))


@attacks("plan-policy", "plan-made-by-me")
def test_a_plan_beyond_policy_cannot_be_inserted_already_approved(world: World) -> None:
    draft = _plan(world, "collector_a", PlanTerms("settlement", _first_due()), submit=False)
    template = _template(world, draft)
    # The draft made the template; the account may hold one open plan at a time.
    world.admin("UPDATE repayment_plans SET status = 'cancelled' WHERE id = %s", (draft,))
    overdue = sum(
        template[f"overdue_{part}"] for part in ("principal", "interest", "penalty", "fees")
    )
    with world.cursor("collector_a") as cursor:
        # 90 % off, claiming no breach: the server works the limits out itself.
        discount = (overdue * Decimal("0.9")).quantize(Decimal("0.01"))
        for status in ("approved", "issued", "active"):
            message = refused(
                cursor,
                *_insert_args(template, status, discount=discount, total_amount=overdue - discount),
            )
            assert "max_discount_share_of_overdue" in message
        # Overdue amounts the schedule never owed, to make a discount look small.
        refused(
            cursor,
            *_insert_args(
                template,
                "approved",
                overdue_principal=template["overdue_principal"] * 10,
                discount=overdue,
                total_amount=template["overdue_principal"] * 9
                + overdue
                - template["overdue_principal"],
            ),
        )
        # Someone else's plan, or one already decided.
        refused(cursor, *_insert_args(template, "draft", created_by_id=world.user_id("lead_a")))
        refused(
            cursor,
            *_insert_args(template, "pending_approval", approved_by_id=world.user_id("lead_a")),
        )
        # The same settlement within policy goes in.
        cursor.execute(*_insert_args(template, "approved"))


def _insert_args(
    template: dict[str, Any], status: str, **changes: object
) -> tuple[str, tuple[object, ...]]:
    row = {**template, "id": uuid.uuid4(), "status": status, "breaches": "[]", **changes}
    names = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    return f"INSERT INTO repayment_plans ({names}) VALUES ({marks})", tuple(row.values())


@attacks("plan-terms-fixed", "plan-completed")
def test_an_agreed_plan_keeps_its_terms_lines_and_number(world: World) -> None:
    plan = _plan(world, "collector_a", WITHIN)
    with world.cursor("collector_a") as cursor:
        for change in ("discount = 1", "total_amount = 1", "loan_id = loan_id, kind = 'full'"):
            assert "fixed" in refused(
                cursor, f"UPDATE repayment_plans SET {change} WHERE id = %s", (plan,)
            )
        # A line's amount is not staff's to write; a line is not added to an approved plan.
        assert "permission denied" in refused(
            cursor, "UPDATE plan_instalments SET amount = 1 WHERE plan_id = %s", (plan,)
        )
        refused(
            cursor,
            "INSERT INTO plan_instalments (plan_id, seq, due_date, amount, paid_amount)"
            " VALUES (%s, 9, current_date + 300, 1, 0)",
            (plan,),
        )
        # A number that is not the plan's own: refused (nobody squats another's number).
        assert "numbered by its plan" in refused(
            cursor,
            "UPDATE repayment_plans SET agreement_no = 'HX-1', agreement_date = current_date,"
            " issued_at = now(), status = 'issued' WHERE id = %s",
            (plan,),
        )
        cursor.execute("SELECT cw_today()")
        (day,) = cursor.fetchone() or (None,)
        cursor.execute(
            "UPDATE repayment_plans SET agreement_no = %s, agreement_date = %s,"
            " issued_at = now(), status = 'issued', agreement_file_sha256 = %s WHERE id = %s",
            (agreement_number(plan, day), day, "0" * 64, plan),
        )
        assert "kept" in refused(
            cursor, "UPDATE repayment_plans SET agreement_no = 'HX-2' WHERE id = %s", (plan,)
        )
        assert "payments" in refused(
            cursor, "UPDATE repayment_plans SET status = 'completed' WHERE id = %s", (plan,)
        )


@attacks("agreement-file")
def test_the_sha256_of_an_issued_agreement_file_is_recorded_with_the_issue_and_kept(
    world: World,
) -> None:
    plan = _plan(world, "collector_a", WITHIN)
    issued_file, forged_file = hashlib.sha256(b"issued").hexdigest(), "f" * 64
    with world.cursor("collector_a") as cursor:
        cursor.execute("SELECT cw_today()")
        (day,) = cursor.fetchone() or (None,)
        number = agreement_number(plan, day)
        issue = (
            "UPDATE repayment_plans SET agreement_no = %s, agreement_date = %s,"
            " issued_at = now(), status = 'issued', agreement_file_sha256 = %s WHERE id = %s"
        )
        # Not issued without the file's hash, nor with something that is not one.
        assert "SHA-256 of its agreement file" in refused(cursor, issue, (number, day, None, plan))
        assert "by its SHA-256" in refused(cursor, issue, (number, day, "not-a-hash", plan))
        # Nor recorded on a plan not being issued.
        assert "as its plan is issued" in refused(
            cursor,
            "UPDATE repayment_plans SET agreement_file_sha256 = %s WHERE id = %s",
            (issued_file, plan),
        )
        cursor.execute(issue, (number, day, issued_file, plan))
        # Once issued, a forged copy's hash cannot take the issued file's place, nor can the
        # record be cleared (which would make every copy compare by its terms alone).
        for value in (forged_file, None):
            assert "kept" in refused(
                cursor,
                "UPDATE repayment_plans SET agreement_file_sha256 = %s WHERE id = %s",
                (value, plan),
            )
    assert world.admin(
        "SELECT agreement_file_sha256 FROM repayment_plans WHERE id = %s", (plan,)
    ) == [(issued_file,)]


# --- pauses stop plans ------------------------------------------------------------------------


def _leave(
    loan: uuid.UUID,
    *,
    flags: tuple[str, ...] = ("vulnerable",),
    escalations: tuple[uuid.UUID, ...] = (),
    reason: str = "The borrower asks for a plan as forbearance",
    who: uuid.UUID | None = None,
    at: str = "now()",
) -> tuple[str, tuple[object, ...]]:
    """A lead's leave to plan despite the pause, given by the signed-in user unless `who`."""
    lead = "cw_me()" if who is None else "%s"
    params: list[object] = [loan, *([who] if who is not None else [])]
    params += [reason, json.dumps(list(flags)), json.dumps([str(e) for e in escalations])]
    return (
        "INSERT INTO plan_pause_overrides (id, loan_id, granted_by_id, granted_at, reason, flags,"
        f" escalation_ids) VALUES (gen_random_uuid(), %s, {lead}, {at}, %s, %s, %s)",
        tuple(params),
    )


def _workstation_refusal(world: World, key: str) -> str:
    """What the window and the command line say to a plan on the member's account now."""
    account = world.accounts[key]
    with pytest.raises(NotAllowed) as refusal:
        preview_plan(world.db, world.logins[key], account.contract_no, WITHIN)
    return refusal.value.message


@attacks("plan-paused")
def test_no_plan_is_made_or_moved_on_while_the_account_is_paused_without_a_leads_leave(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    draft = _plan(world, "collector_a", WITHIN, submit=False)  # made before the pause
    template = _template(world, draft)
    world.admin("UPDATE borrowers SET vulnerable = true WHERE id = %s", (mine.borrower_id,))
    said = _workstation_refusal(world, "collector_a")
    assert "is paused (Vulnerable: paused)" in said
    with world.cursor("collector_a") as cursor:
        # The draft goes no further, in the workstation's words; it can still be cancelled.
        for status in ("pending_approval", "approved"):
            assert said in refused(
                cursor, "UPDATE repayment_plans SET status = %s WHERE id = %s", (status, draft)
            )
        cursor.execute("UPDATE repayment_plans SET status = 'cancelled' WHERE id = %s", (draft,))
        # Nor is another made, whatever status it claims.
        for status in ("draft", "pending_approval", "approved"):
            assert said in refused(cursor, *_insert_args(template, status))

    # A self-harm risk is raised (it keeps the mark): a leave given for the mark alone does
    # not cover it, nor does one given too long ago.
    escalation = uuid.uuid4()
    world.admin(
        "INSERT INTO escalations (id, loan_id, borrower_id, kind, raised_by_id, raised_at)"
        " VALUES (%s, %s, %s, 'self_harm_risk', %s, now())",
        (escalation, mine.loan_id, mine.borrower_id, world.user_id("collector_a")),
    )
    said = _workstation_refusal(world, "collector_a")
    assert "(Vulnerable: paused; Self-harm or harm risk expressed)" in said
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_leave(mine.loan_id, at="now() - interval '1 hour'"))
        cursor.execute(
            *_leave(mine.loan_id, escalations=(escalation,), at="now() - interval '15 days'")
        )
    with world.cursor("collector_a") as cursor:
        assert said in refused(cursor, *_insert_args(template, "approved"))

    # A leave that covers both: the plan goes ahead.
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_leave(mine.loan_id, escalations=(escalation,)))
    with world.cursor("collector_a") as cursor:
        plan = uuid.uuid4()
        cursor.execute(*_insert_args(template, "approved", id=plan))

        # A dispute opened since: the agreement is not issued.
        world.admin("UPDATE borrowers SET dispute_open = true WHERE id = %s", (mine.borrower_id,))
        said = _workstation_refusal(world, "collector_a")
        assert "(Vulnerable: paused; Dispute open; Self-harm or harm risk expressed)" in said
        cursor.execute("SELECT cw_today()")
        (day,) = cursor.fetchone() or (None,)
        assert said in refused(
            cursor,
            "UPDATE repayment_plans SET agreement_no = %s, agreement_date = %s,"
            " issued_at = now(), status = 'issued' WHERE id = %s",
            (agreement_number(plan, day), day, plan),
        )
    assert world.admin("SELECT status FROM repayment_plans WHERE id = %s", (plan,)) == [
        ("approved",)
    ]


@attacks("plan-paused")
def test_a_lead_approves_no_waiting_plan_on_a_paused_account_without_leave(world: World) -> None:
    mine = world.accounts["collector_a"]
    plan = _plan(world, "collector_a", BEYOND)  # waits for a lead, made before the pause
    world.admin("UPDATE borrowers SET dispute_open = true WHERE id = %s", (mine.borrower_id,))
    said = _workstation_refusal(world, "collector_a")
    assert "is paused (Dispute open)" in said
    approve = (
        "UPDATE repayment_plans SET status = 'approved', approved_by_id = cw_me(),"
        " approved_at = now() WHERE id = %s"
    )
    with world.cursor("lead_a") as cursor:
        assert said in refused(cursor, approve, (plan,))
        # Turning it down stays possible; here the lead lets it go ahead instead.
        cursor.execute(*_leave(mine.loan_id, flags=("dispute_open",)))
        cursor.execute(approve, (plan,))
    assert world.admin("SELECT status FROM repayment_plans WHERE id = %s", (plan,)) == [
        ("approved",)
    ]


@attacks("plan-pause-leave")
def test_only_a_lead_of_the_team_gives_leave_to_plan_despite_a_pause_and_it_stays(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    world.admin("UPDATE borrowers SET vulnerable = true WHERE id = %s", (mine.borrower_id,))
    death = uuid.uuid4()
    world.admin(
        "INSERT INTO escalations (id, loan_id, borrower_id, kind, raised_by_id, raised_at)"
        " VALUES (%s, %s, %s, 'deceased', %s, now())",
        (death, mine.loan_id, mine.borrower_id, world.user_id("collector_a")),
    )
    with world.cursor("collector_a") as cursor:
        assert "Only a team lead" in refused(cursor, *_leave(mine.loan_id))
    with world.cursor("lead_b") as cursor:
        # Another team's lead: the account is not theirs.
        assert "row-level security" in refused(cursor, *_leave(mine.loan_id))
    with world.cursor("lead_a") as cursor:
        assert "own name" in refused(
            cursor, *_leave(mine.loan_id, who=world.user_id("collector_a"))
        )
        assert "says why" in refused(cursor, *_leave(mine.loan_id, reason="   "))
        assert "dated when" in refused(cursor, *_leave(mine.loan_id, at="now() + interval '1 day'"))
        assert "names the marks" in refused(cursor, *_leave(mine.loan_id, flags=("on_holiday",)))
        for past_a_death in (
            _leave(mine.loan_id, flags=("vulnerable", "deceased")),
            _leave(mine.loan_id, escalations=(death,)),
        ):
            assert "reported death" in refused(cursor, *past_a_death)
        cursor.execute(*_leave(mine.loan_id))
        for change in (
            "UPDATE plan_pause_overrides SET reason = 'x', granted_at = now() + interval '1 year'",
            "DELETE FROM plan_pause_overrides",
        ):
            assert "permission denied" in refused(cursor, change)
    with world.cursor("collector_a") as cursor:
        # The collector reads the leave on their account (their workstation applies it).
        cursor.execute(
            "SELECT reason FROM plan_pause_overrides WHERE loan_id = %s", (mine.loan_id,)
        )
        assert cursor.fetchall() == [("The borrower asks for a plan as forbearance",)]


# --- audit, reviews, overrides --------------------------------------------------------------


@attacks("audit-stamp")
def test_the_server_stamps_every_audit_event_with_the_signed_in_user(world: World) -> None:
    event = (
        "INSERT INTO audit_events (id, at, user_id, action, entity, entity_id, details)"
        " VALUES (%s, {at}, %s, 'note.added', 'note', '1', '{{}}')"
    )
    me = world.user_id("collector_a")
    ids = [uuid.uuid4(), uuid.uuid4()]
    with world.cursor("collector_a") as cursor:
        cursor.execute(event.format(at="now()"), (ids[0], None))
        cursor.execute(event.format(at="now()"), (ids[1], world.user_id("lead_a")))
        for when in ("now() + interval '1 day'", "'2001-01-01'"):
            assert "dated when it happened" in refused(
                cursor, event.format(at=when), (uuid.uuid4(), None)
            )
        refused(cursor, "UPDATE audit_events SET action = 'x.y'")
        refused(cursor, "DELETE FROM audit_events")
    assert world.admin("SELECT user_id FROM audit_events WHERE id = ANY(%s)", (ids,)) == [
        (me,),
        (me,),
    ]
    # A user made inactive whose login still exists writes nothing and sees nothing.
    world.admin("UPDATE users SET active = false WHERE id = %s", (me,))
    with world.cursor("collector_a") as cursor:
        assert "not an active user" in refused(
            cursor, event.format(at="now()"), (uuid.uuid4(), None)
        )
        cursor.execute("SELECT count(*) FROM loans")
        assert cursor.fetchone() == (0,)


@attacks("retention-scrub")
def test_only_the_retention_job_takes_personal_data_out_of_an_audit_event(world: World) -> None:
    mine = world.accounts["collector_a"]
    details = {"reason": "his wife says he works nights", "contract_no": mine.contract_no}
    (event,), *_ = world.admin(
        "INSERT INTO audit_events (id, at, action, entity, entity_id, details) VALUES"
        " (gen_random_uuid(), now(), 'visit.requested', 'loan', %s, %s) RETURNING id",
        (str(mine.loan_id), json.dumps(details, ensure_ascii=False)),
    )
    scrub = "SELECT cw_retention_scrub(%s, %s)"
    for key in ("collector_a", "lead_a"):
        with world.cursor(key) as cursor:
            assert "permission denied for function" in refused(
                cursor, scrub, ([event], ["contract_no"])
            )
            for role in ("cw_retention", "cw_owner"):
                refused(cursor, f"SET ROLE {role}")
            refused(cursor, "UPDATE audit_events SET details = '{}' WHERE id = %s", (event,))

    def as_admin(statement: str) -> None:
        world.admin(statement, (event,))

    def as_owner(statement: str) -> None:
        with world.db.engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL ROLE cw_owner")
            connection.exec_driver_sql(statement, (event,))

    # Not the administrator either, but through the function; and under the function's own
    # identity the trigger lets only a removal of keys through.
    attempts: tuple[tuple[Callable[[str], None], str], ...] = (
        (as_admin, "UPDATE audit_events SET details = '{}' WHERE id = %s"),
        (as_admin, "DELETE FROM audit_events WHERE id = %s"),
        (as_owner, """UPDATE audit_events SET details = '{"contract_no": "T1"}' WHERE id = %s"""),
        (as_owner, """UPDATE audit_events SET details = '{"forged": 1}' WHERE id = %s"""),
        (as_owner, "UPDATE audit_events SET action = 'x.y', details = '{}' WHERE id = %s"),
    )
    for run, statement in attempts:
        with pytest.raises(DBAPIError) as caught:
            run(statement)
        assert "audit events are append-only" in str(caught.value), statement
    # The owner has no policy to delete by: the event is not even seen.
    as_owner("DELETE FROM audit_events WHERE id = %s")
    assert world.admin("SELECT details FROM audit_events WHERE id = %s", (event,)) == [(details,)]
    assert world.admin(scrub, ([event], ["contract_no"])) == [(1,)]
    assert world.admin("SELECT details FROM audit_events WHERE id = %s", (event,)) == [
        ({"contract_no": mine.contract_no},)
    ]


@attacks("review-lead", "override-lead")
def test_reviews_and_overrides_are_a_leads(world: World) -> None:
    mine = world.accounts["collector_a"]
    attempt = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        cursor.execute(*_attempt(mine.loan_id, mine.borrower_id, id=attempt))
        refused(
            cursor,
            "INSERT INTO call_reviews (id, attempt_id, loan_id, collector_id, reviewer_id,"
            " reviewed_at, answers, score) VALUES (gen_random_uuid(), %s, %s, cw_me(), cw_me(),"
            " now(), '{}', 100)",
            (attempt, mine.loan_id),
        )
        refused(
            cursor,
            "INSERT INTO priority_overrides (id, loan_id, level, reason, set_by_id, set_at,"
            " expires_at) VALUES (gen_random_uuid(), %s, 'low', 'x', cw_me(), now(),"
            " now() + interval '1 day')",
            (mine.loan_id,),
        )
    with world.cursor("lead_a") as cursor:
        cursor.execute(
            "INSERT INTO call_reviews (id, attempt_id, loan_id, collector_id, reviewer_id,"
            " reviewed_at, answers, score) VALUES (gen_random_uuid(), %s, %s, %s, cw_me(),"
            " now(), '{}', 60)",
            (attempt, mine.loan_id, world.user_id("collector_a")),
        )
    with world.cursor("collector_a") as cursor:
        refused(cursor, "UPDATE call_reviews SET score = 100 WHERE attempt_id = %s", (attempt,))


@attacks("queue-summary")
def test_the_queue_summary_is_the_servers_to_keep_and_each_reads_their_own(world: World) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    summary = "SELECT last_contact_at IS NOT NULL, open_callbacks FROM loan_queue_summary"
    with world.cursor("collector_b") as cursor:
        cursor.execute(*_attempt(theirs.loan_id, theirs.borrower_id, code="WN"))
    with world.cursor("collector_a") as cursor:
        # A contact and a callback logged: the server's triggers write the summary for them.
        cursor.execute(*_attempt(mine.loan_id, mine.borrower_id, code="WN"))
        cursor.execute(
            "INSERT INTO callbacks (id, loan_id, user_id, due_at, created_at)"
            " VALUES (gen_random_uuid(), %s, cw_me(), now() + interval '1 hour', now())",
            (mine.loan_id,),
        )
        cursor.execute(f"{summary} WHERE loan_id = %s", (mine.loan_id,))
        assert cursor.fetchone() == (True, 1)
        # Another team's account's summary is not theirs to read...
        cursor.execute(f"{summary} WHERE loan_id = %s", (theirs.loan_id,))
        assert cursor.fetchone() is None
        # ... and neither theirs nor their own is theirs to write, nor what counts as a contact.
        for statement, params in (
            ("UPDATE loan_queue_summary SET open_callbacks = 0 WHERE loan_id = %s", mine),
            ("DELETE FROM loan_queue_summary WHERE loan_id = %s", mine),
            ("INSERT INTO loan_queue_summary (loan_id, open_overrides) VALUES (%s, 1)", theirs),
            ("SELECT cw_queue_summary_row(%s)", mine),
        ):
            refused(cursor, statement, (params.loan_id,))
        refused(cursor, "DELETE FROM queue_summary_codes")
        refused(cursor, "INSERT INTO queue_summary_codes (code) VALUES ('NA')")
        cursor.execute("SELECT count(*) FROM queue_summary_codes WHERE code = 'WN'")
        assert cursor.fetchone() == (1,)
    # What the triggers kept is what the rows say.
    assert repair_summary(world.db) == 0


# --- logins ---------------------------------------------------------------------------------


@attacks("deactivated")
def test_deactivating_a_user_ends_their_login_and_cuts_their_session(world: World) -> None:
    session = world.connect("collector_a")
    with session.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM loans")
        assert cursor.fetchone() == (1,)
    done = deactivate_user(world.db, world.logins["collector_a"])
    assert done.sessions_cut == 1 and done.login
    with pytest.raises(psycopg.OperationalError), session.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM loans")
    session.close()
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        world.connect("collector_a")
    assert world.admin(
        "SELECT active FROM users WHERE username = %s", (world.logins["collector_a"],)
    ) == [(False,)]


@attacks("login-limits")
def test_a_staff_login_has_limits_and_reaches_the_central_database_only(world: World) -> None:
    with world.cursor("collector_a") as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("1min",)
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone() == ("5min",)
        refused(cursor, "CREATE TEMPORARY TABLE t (x int)")
        refused(cursor, "CREATE TABLE public.t (x int)")
        refused(cursor, "ALTER ROLE CURRENT_USER CONNECTION LIMIT -1")
        refused(cursor, "SELECT lo_from_bytea(0, 'x')")
        # A user may lift their own role's defaults; central init sets them back.
        cursor.execute("ALTER ROLE CURRENT_USER SET statement_timeout = 0")
        cursor.execute(
            "ALTER ROLE CURRENT_USER IN DATABASE "
            + world.db.engine.url.database
            + " SET statement_timeout = 0"
        )
    init_central(world.db)
    with world.cursor("collector_a") as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("1min",)
    for other in ("postgres", "template1"):
        with pytest.raises(psycopg.OperationalError, match=r"permission denied|not allowed"):
            world.connect("collector_a", dbname=other)
    held = [world.connect("collector_a") for _ in range(8)]
    try:
        with pytest.raises(psycopg.OperationalError, match="too many connections"):
            world.connect("collector_a")
    finally:
        for connection in held:
            connection.close()


# --- found on the way (a hostile review of the first version) -------------------------------


@attacks("plan-completed", "plan-policy")
def test_a_plan_cannot_be_inserted_completed_backdated_or_of_an_unknown_kind(
    world: World,
) -> None:
    draft = _plan(world, "collector_a", WITHIN, submit=False)
    template = _template(world, draft)
    world.admin("UPDATE repayment_plans SET status = 'cancelled' WHERE id = %s", (draft,))
    with world.cursor("collector_a") as cursor:
        # Completed on arrival, with no payment since.
        assert "payments the server has" in refused(cursor, *_insert_args(template, "completed"))
        # Made "in 2000", so that old payments would cover it.
        assert "made on the day" in refused(
            cursor, *_insert_args(template, "approved", created_at="2000-01-01T00:00:00+00:00")
        )
        # Offered in 2030, when the whole schedule would be overdue.
        assert "offered today" in refused(
            cursor, *_insert_args(template, "approved", offered_on="2030-01-01")
        )
        # A kind the policy knows nothing of, to slip past its limits.
        assert "full payment, instalments or a settlement" in refused(
            cursor, *_insert_args(template, "approved", kind="other", frequency="daily")
        )
        # An agreement of one's own invention.
        assert "numbered" in refused(
            cursor,
            *_insert_args(
                template,
                "issued",
                agreement_no="AGR-FORGED-1",
                agreement_date=today().date(),
                issued_at=today(),
            ),
        )


@attacks("plan-terms-fixed")
def test_an_issued_plans_lines_and_what_is_paid_of_them_stay_true(world: World) -> None:
    plan = _plan(world, "collector_a", WITHIN)
    with world.connect("collector_a") as connection, connection.cursor() as cursor:
        # Touch the plan in the same transaction, then add lines: still refused (the lines
        # already add up to the plan's total).
        connection.autocommit = False
        cursor.execute(
            "UPDATE repayment_plans SET row_version = row_version + 1 WHERE id = %s", (plan,)
        )
        assert "add up to its total" in refused(
            cursor,
            "INSERT INTO plan_instalments (plan_id, seq, due_date, amount, paid_amount)"
            " VALUES (%s, 9, current_date + 40, 100, 0)",
            (plan,),
        )
        connection.rollback()
        connection.autocommit = True
        # Paid, with no payment on the server.
        assert "payments the server has" in refused(
            cursor,
            "UPDATE plan_instalments SET paid_amount = amount, paid_on = current_date"
            " WHERE plan_id = %s",
            (plan,),
        )


@attacks("escalation-lead")
def test_an_escalation_is_raised_open_and_decided_by_a_lead_in_their_own_name(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    escalation = uuid.uuid4()
    raise_one = (
        "INSERT INTO escalations (id, loan_id, borrower_id, kind, raised_by_id, raised_at{extra})"
        " VALUES (%s, %s, %s, %s, cw_me(), now(){values})"
    )
    with world.cursor("collector_a") as cursor:
        assert "raised open" in refused(
            cursor,
            raise_one.format(
                extra=", acknowledged_by_id, decision, decided_at",
                values=", %s, 'pause', now()",
            ),
            (uuid.uuid4(), mine.loan_id, mine.borrower_id, "dispute", world.user_id("lead_a")),
        )
        assert "Unknown escalation" in refused(
            cursor,
            raise_one.format(extra="", values=""),
            (uuid.uuid4(), mine.loan_id, mine.borrower_id, "bogus_kind"),
        )
        cursor.execute(
            raise_one.format(extra="", values=""),
            (escalation, mine.loan_id, mine.borrower_id, "dispute"),
        )
    with world.cursor("lead_a") as cursor:
        assert "own name" in refused(
            cursor,
            "UPDATE escalations SET acknowledged_by_id = %s, acknowledged_at = now(),"
            " decision = 'resume', decided_at = now() WHERE id = %s",
            (world.user_id("lead_b"), escalation),
        )
        cursor.execute(
            "UPDATE escalations SET acknowledged_by_id = cw_me(), acknowledged_at = now()"
            " WHERE id = %s",
            (escalation,),
        )
        assert cursor.rowcount == 1


@attacks("scope-write")
def test_a_contact_is_logged_on_its_own_borrower_with_a_known_outcome(world: World) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    with world.cursor("collector_a") as cursor:
        for borrower, point, code in (
            (theirs.borrower_id, None, "NA"),
            (mine.borrower_id, theirs.points["mobile"], "NA"),
            (mine.borrower_id, mine.points["mobile"], "BOGUS"),
        ):
            refused(cursor, *_attempt(mine.loan_id, borrower, point=point, code=code))
        cursor.execute(*_attempt(mine.loan_id, mine.borrower_id, point=mine.points["mobile"]))


@attacks("scope-write")
def test_a_block_is_logged_on_its_own_borrower_and_a_staff_login_can_log_one(
    world: World,
) -> None:
    """A dial the rules refused is logged as a block, by the collector's own login (the CLI
    on the server, or a workstation's sync): taken on the account's own borrower and numbers,
    refused elsewhere. Before 0017 the guard read an outcome a block does not have, and every
    block a staff login wrote failed."""
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    statement = (
        "INSERT INTO contact_blocks (id, loan_id, borrower_id, contact_point_id, user_id, at,"
        " channel, rule) VALUES (gen_random_uuid(), %s, %s, %s, cw_me(), now(), 'call',"
        " 'cn.quiet_hours')"
    )
    with world.cursor("collector_a") as cursor:
        for borrower, point in (
            (theirs.borrower_id, None),
            (mine.borrower_id, theirs.points["mobile"]),
        ):
            refused(cursor, statement, (mine.loan_id, borrower, point))
        cursor.execute(statement, (mine.loan_id, mine.borrower_id, mine.points["mobile"]))
        cursor.execute("SELECT count(*) FROM contact_blocks WHERE loan_id = %s", (mine.loan_id,))
        assert cursor.fetchone() == (1,)


@attacks("call-script")
def test_a_right_party_outcome_needs_a_script_path_the_server_follows(world: World) -> None:
    """psql with a collector's password logs no promise the window would refuse: the server
    follows the path through the stage's script itself (issue 15)."""
    mine = world.accounts["collector_a"]
    promise = script_path("PTP", "mid")
    untold = tuple(step.removesuffix("=said") for step in promise)
    wrong: list[tuple[str, bool, str | None, object, str]] = [
        ("PTP", True, None, (), "PTP is a right-party outcome"),
        ("PTP", True, "mid", ("greeting=speaking", "verify=match", "account"), "at step 3"),
        ("PTP", True, "mid", ("greeting=speaking", "verify=match"), "at step 2"),
        ("PTP", True, "mid", ("greeting=speaking", "verify=maybe", "account"), "at step 2"),
        ("PTP", True, "mid", FAILED_CHECK, "PTP is a right-party outcome"),
        (
            "PTP",
            True,
            "mid",
            ("greeting=speaking", "verify=match", "disclosure_recording"),
            "Required disclosures not ticked off: disclosure_purpose, disclosure_recording",
        ),
        ("PTP", True, "mid", untold, "Required disclosures not ticked off"),
        ("PTP", True, "field_visit", promise, "not for a contact by call"),
        ("PTP", True, "no_such_stage", promise, "no call script for stage no_such_stage"),
        ("PTP", True, "mid", [1, 2], "a list of steps"),
        ("PTP", True, "mid", {"greeting": "speaking"}, "its stage and its steps"),
        ("PTP", True, "mid", (), "its stage and its steps"),
        ("PTP", False, "mid", promise, "right-party exactly when its outcome is"),
        ("TPC", True, None, (), "right-party exactly when its outcome is"),
        ("NA", False, "mid", ("verify=match",), "at step 1"),
    ]
    with world.cursor("collector_a") as cursor:
        for code, right_party, stage, steps, message in wrong:
            statement, values = _attempt(
                mine.loan_id,
                mine.borrower_id,
                point=mine.points["mobile"],
                code=code,
                right_party=right_party,
                stage=stage,
                steps=steps,
            )
            assert message in refused(cursor, statement, values), (code, stage, steps)
        for code, right_party, stage, steps in (
            ("PTP", True, "mid", promise),
            ("HU", True, "early", script_path("HU", "early")),
            ("TPC", False, "mid", script_path("TPC", "mid")),
            ("NA", False, None, ()),
        ):
            cursor.execute(
                *_attempt(
                    mine.loan_id,
                    mine.borrower_id,
                    point=mine.points["mobile"],
                    code=code,
                    right_party=right_party,
                    stage=stage,
                    steps=steps,
                )
            )


@attacks("call-script")
def test_a_promise_is_written_only_with_a_promise_the_script_led_to(world: World) -> None:
    """The promise row is what is chased and counted: psql must not hang one on a call with
    no script (NA), on a verified call that said none of the disclosures (HU), on another
    account's promise, or on nothing at all."""
    mine = world.accounts["collector_a"]
    attempts = {code: uuid.uuid4() for code in ("NA", "HU", "PTP")}
    steps = {"NA": (), "HU": script_path("HU", "mid"), "PTP": script_path("PTP", "mid")}
    promise = (
        "INSERT INTO promises (id, loan_id, attempt_id, amount, promised_date, status,"
        " paid_amount, created_at) VALUES (gen_random_uuid(), %s, %s, 500, current_date + 3,"
        " 'pending', 0, now())"
    )
    with world.cursor("collector_a") as cursor:
        for code, attempt in attempts.items():
            cursor.execute(
                *_attempt(
                    mine.loan_id,
                    mine.borrower_id,
                    id=attempt,
                    point=mine.points["mobile"],
                    code=code,
                    right_party=code != "NA",
                    stage="mid" if steps[code] else None,
                    steps=steps[code],
                )
            )
        for code in ("NA", "HU"):
            assert "promise" in refused(cursor, promise, (mine.loan_id, attempts[code])), code
        assert "promise" in refused(cursor, promise, (mine.loan_id, None))
        cursor.execute(promise, (mine.loan_id, attempts["PTP"]))
    with world.cursor("lead_a") as cursor:
        # The lead sees both of the team's accounts: a promise stays on its own call's account.
        other = world.accounts["agent_a"]
        assert "promise" in refused(cursor, promise, (other.loan_id, attempts["PTP"]))


@attacks("visit-planner")
def test_a_visit_is_not_recorded_on_a_paused_account_even_as_already_made(world: World) -> None:
    agents = world.accounts["agent_a"]
    world.admin("UPDATE borrowers SET deceased = true WHERE id = %s", (agents.borrower_id,))
    with world.cursor("agent_a") as cursor:
        assert "paused" in refused(
            cursor,
            "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, route_position,"
            " status, visited_at, disposition, checklist, created_at) VALUES"
            " (gen_random_uuid(), %s, cw_me(), current_date, 1, 'done', now(), 'MET', '[]',"
            " now())",
            (agents.loan_id,),
        )


@attacks("visit-second-agent")
def test_the_second_agent_who_records_a_visit_still_writes_its_promise(world: World) -> None:
    """A legitimate flow the first version refused: the visit is marked done first, and the
    second agent's view of the account must last until its promise is written."""
    agents = world.accounts["agent_a"]
    visit = uuid.uuid4()
    with world.cursor("agent_a") as cursor:
        cursor.execute(
            "INSERT INTO field_visits (id, loan_id, agent_id, second_agent_id, planned_for,"
            " route_position, status, checklist, created_at) VALUES (%s, %s, cw_me(), %s,"
            " current_date, 1, 'planned', '[]', now())",
            (visit, agents.loan_id, world.user_id("agent2_a")),
        )
    with world.cursor("agent2_a") as cursor:
        cursor.execute(
            "UPDATE field_visits SET status = 'done', visited_at = now(), disposition = 'PTP'"
            " WHERE id = %s",
            (visit,),
        )
        assert cursor.rowcount == 1
        cursor.execute(
            "INSERT INTO promises (id, loan_id, visit_id, amount, promised_date, status,"
            " paid_amount, created_at) VALUES (gen_random_uuid(), %s, %s, 500, current_date + 3,"
            " 'pending', 0, now())",
            (agents.loan_id, visit),
        )


@attacks("review-lead", "override-lead", "loan-move")
def test_a_lead_acts_in_their_own_name_and_moves_loans_to_active_members(world: World) -> None:
    mine = world.accounts["collector_a"]
    attempt = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        cursor.execute(*_attempt(mine.loan_id, mine.borrower_id, id=attempt))
    with world.cursor("lead_a") as cursor:
        assert "own collector" in refused(
            cursor,
            "INSERT INTO call_reviews (id, attempt_id, loan_id, collector_id, reviewer_id,"
            " reviewed_at, answers, score) VALUES (gen_random_uuid(), %s, %s, %s, cw_me(),"
            " now(), '{}', 60)",
            (attempt, mine.loan_id, world.user_id("lead_b")),
        )
        cursor.execute(
            "INSERT INTO call_reviews (id, attempt_id, loan_id, collector_id, reviewer_id,"
            " reviewed_at, answers, score) VALUES (gen_random_uuid(), %s, %s, %s, cw_me(),"
            " now(), '{}', 60)",
            (attempt, mine.loan_id, world.user_id("collector_a")),
        )
        assert "own reviewer" in refused(
            cursor,
            "UPDATE call_reviews SET reviewer_id = %s WHERE attempt_id = %s",
            (world.user_id("lead_b"), attempt),
        )
        override = uuid.uuid4()
        cursor.execute(
            "INSERT INTO priority_overrides (id, loan_id, level, reason, set_by_id, set_at,"
            " expires_at) VALUES (%s, %s, 'high', '承诺当天', cw_me(), now(),"
            " now() + interval '1 day')",
            (override, mine.loan_id),
        )
        assert "own name" in refused(
            cursor,
            "UPDATE priority_overrides SET cleared_at = now(), cleared_by_id = %s WHERE id = %s",
            (world.user_id("collector_a"), override),
        )
        world.admin("UPDATE users SET active = false WHERE id = %s", (world.user_id("agent2_a"),))
        assert "active member" in refused(
            cursor,
            "UPDATE loans SET assigned_to_id = %s WHERE id = %s",
            (world.user_id("agent2_a"), mine.loan_id),
        )


@attacks("row-version")
def test_a_rows_version_moves_by_one_and_no_further(world: World) -> None:
    mine = world.accounts["collector_a"]
    with world.cursor("collector_a") as cursor:
        for table, key in (("loans", mine.loan_id), ("borrowers", mine.borrower_id)):
            assert "moves by one" in refused(
                cursor, f"UPDATE {table} SET row_version = row_version + 1000 WHERE id = %s", (key,)
            )
            cursor.execute(
                f"UPDATE {table} SET row_version = row_version + 1 WHERE id = %s", (key,)
            )
            assert cursor.rowcount == 1


# --- found on the way (a second hostile review) ---------------------------------------------


@attacks("plan-policy", "plan-made-by-me")
def test_a_plan_neither_understates_the_debt_nor_bends_its_schedule(world: World) -> None:
    mine = world.accounts["collector_a"]
    draft = _plan(world, "collector_a", PlanTerms("settlement", _first_due()), submit=False)
    template = _template(world, draft)
    # The draft made the template; the account may hold one open plan at a time.
    world.admin("UPDATE repayment_plans SET status = 'cancelled' WHERE id = %s", (draft,))
    world.admin("UPDATE repayment_plans SET status = 'cancelled' WHERE id = %s", (draft,))
    with world.cursor("collector_a") as cursor:
        # A settlement of 100 "of 100 overdue", when far more is.
        assert "overdue_amounts" in refused(
            cursor,
            *_insert_args(
                template,
                "approved",
                overdue_principal=Decimal(100),
                overdue_interest=0,
                overdue_penalty=0,
                overdue_fees=0,
                total_amount=Decimal(100),
            ),
        )
        # A discount on instalments; a down payment beyond the total; an unknown status.
        overdue = sum(
            template[f"overdue_{part}"] for part in ("principal", "interest", "penalty", "fees")
        )
        instalments = {**template, "kind": "instalments", "frequency": "monthly"}
        assert "max_discount_share" in refused(
            cursor,
            *_insert_args(instalments, "approved", discount=overdue - 1, total_amount=Decimal(1)),
        )
        assert "down_payment" in refused(
            cursor, *_insert_args(instalments, "approved", down_payment=overdue * 10)
        )
        assert "Unknown plan status" in refused(cursor, *_insert_args(template, "APPROVED"))
        # A "monthly" plan whose second line falls due in 2099.
        cursor.execute(*_insert_args(instalments, "draft", id=(plan := uuid.uuid4())))
        first = _first_due()
        for seq, due, amount in (
            (1, first, overdue - 100),
            (2, first.replace(year=2099), Decimal(100)),
        ):
            cursor.execute(
                "INSERT INTO plan_instalments (plan_id, seq, due_date, amount, paid_amount)"
                " VALUES (%s, %s, %s, %s, 0)",
                (plan, seq, due, amount),
            )
        assert "schedule" in refused(
            cursor, "UPDATE repayment_plans SET status = 'approved' WHERE id = %s", (plan,)
        )
        # One open plan an account at a time.
        assert "already has an open" in refused(cursor, *_insert_args(template, "draft"))
    assert mine.loan_id == template["loan_id"]


@attacks("visit-second-agent", "visit-planner")
def test_a_visit_dated_ahead_keeps_no_account_and_a_handover_visit_still_lands(
    world: World,
) -> None:
    agents = world.accounts["agent_a"]
    visit = (
        "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, route_position, status,"
        " visited_at, disposition, checklist, created_at) VALUES (gen_random_uuid(), %s,"
        " cw_me(), current_date, 1, 'done', {at}, 'MET', '[]', now())"
    )
    with world.cursor("agent_a") as cursor:
        assert "when it was made" in refused(
            cursor, visit.format(at="'2100-01-01'"), (agents.loan_id,)
        )
    with world.cursor("lead_a") as cursor:
        cursor.execute(
            "UPDATE loans SET assigned_to_id = %s WHERE id = %s",
            (world.user_id("collector_a"), agents.loan_id),
        )
    # The agent made the visit offline before hearing of the move: it lands.
    with world.cursor("agent_a") as cursor:
        cursor.execute(visit.format(at="now() - interval '2 hours'"), (agents.loan_id,))
        assert cursor.rowcount == 1


@attacks("escalation-lead")
def test_any_lead_of_the_team_decides_once_what_another_acknowledged(world: World) -> None:
    mine = world.accounts["collector_a"]
    lead2 = world.logins["collector_a"].replace("collector", "lead2")
    from app.services.sync.central import add_user

    add_user(world.db, lead2, "team_lead", world.team_a, "correct horse battery")
    world.logins["lead2_a"] = lead2
    escalation = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        cursor.execute(
            "INSERT INTO escalations (id, loan_id, borrower_id, kind, raised_by_id, raised_at)"
            " VALUES (%s, %s, %s, 'dispute', cw_me(), now())",
            (escalation, mine.loan_id, mine.borrower_id),
        )
    with world.cursor("lead_a") as cursor:
        cursor.execute(
            "UPDATE escalations SET acknowledged_by_id = cw_me(), acknowledged_at = now()"
            " WHERE id = %s",
            (escalation,),
        )
    with world.cursor("lead2_a") as cursor:
        assert "once" in refused(
            cursor,
            "UPDATE escalations SET acknowledged_by_id = cw_me() WHERE id = %s",
            (escalation,),
        )
        assert "pause, resume or refer" in refused(
            cursor,
            "UPDATE escalations SET decision = 'zzz', decided_at = now() WHERE id = %s",
            (escalation,),
        )
        cursor.execute(
            "UPDATE escalations SET decision = 'pause', decided_at = now(), note = 'ok'"
            " WHERE id = %s",
            (escalation,),
        )
        assert cursor.rowcount == 1
    with world.cursor("lead_a") as cursor:
        assert "final" in refused(
            cursor, "UPDATE escalations SET note = 'rewritten' WHERE id = %s", (escalation,)
        )


# --- contact upkeep (migration 0013) ---------------------------------------------------------

_POINT = (
    "INSERT INTO contact_points (id, borrower_id, position, kind, value, region, time_zones,"
    " contact_name, relation, do_not_call, do_not_call_words, wrong_number, verified,"
    " added_by_id, province, city, created_at, row_version)"
    " VALUES (gen_random_uuid(), %s, 9, %s, %s, 'CN', 'Asia/Shanghai', %s, %s, %s, %s, false,"
    " false, {who}, %s, %s, now(), 1)"
)


def _point(
    borrower: uuid.UUID,
    kind: str = "work",
    value: str = "+861065529988",
    *,
    who: str = "cw_me()",
    name: str | None = None,
    relation: str | None = None,
    dnc: bool = False,
    words: str | None = None,
    province: str | None = None,
    city: str | None = None,
    extra: tuple[object, ...] = (),
) -> tuple[str, tuple[object, ...]]:
    """A contact point the signed-in user adds: the statement and its values."""
    params = (borrower, kind, value, name, relation, dnc, words)
    return _POINT.format(who=who), (*params, *extra, province, city)


@attacks("point-added")
def test_a_contact_point_is_added_in_scope_in_ones_own_name_and_well_formed(
    world: World,
) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    lead = world.user_id("lead_a")
    with world.cursor("collector_a") as cursor:
        # Another team's borrower: invisible, so nothing to add to or change.
        refused(cursor, *_point(theirs.borrower_id))
        cursor.execute(
            "UPDATE contact_points SET verified = true WHERE borrower_id = %s",
            (theirs.borrower_id,),
        )
        assert cursor.rowcount == 0
        # In someone else's name, or in nobody's (as if the lending system sent it).
        assert "signed-in user" in refused(
            cursor, *_point(mine.borrower_id, who="%s", extra=(lead,))
        )
        assert "signed-in user" in refused(cursor, *_point(mine.borrower_id, who="NULL"))
        for kind, value, words in (
            ("fax", "+861065529988", "Unknown kind"),
            ("mobile", "12345", "E.164"),
            ("home", "010 6552 9988", "E.164"),
            ("email", "nobody", "e-mail address"),
            ("emergency", "+8613900002222", "name and relation"),
            ("address", "广东省深圳市", "province and city"),
            # Already on file: the borrower's own mobile, added again.
            ("mobile", "+8613812345678", "already one of"),
        ):
            assert words in refused(cursor, *_point(mine.borrower_id, kind, value)), kind
        # A number the lending system sent is not staff's to rewrite.
        assert "permission denied" in refused(
            cursor,
            "UPDATE contact_points SET value = '+8613900009999' WHERE borrower_id = %s",
            (mine.borrower_id,),
        )
        cursor.execute(*_point(mine.borrower_id))
        cursor.execute(
            *_point(
                mine.borrower_id,
                "address",
                "广东省深圳市南山区科技路8号",
                province="广东省",
                city="深圳市",
            )
        )
        cursor.execute(
            *_point(mine.borrower_id, "emergency", "+8613900002222", name="王建国", relation="父亲")
        )
    added = world.admin(
        "SELECT count(*) FROM contact_points WHERE borrower_id = %s AND added_by_id = %s",
        (mine.borrower_id, world.user_id("collector_a")),
    )
    assert added == [(3,)]


@attacks("dnc-words")
def test_a_do_not_call_mark_carries_the_borrowers_words_until_a_lead_lifts_it(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    mobile = mine.points["mobile"]
    mark = "UPDATE contact_points SET do_not_call = true, do_not_call_words = %s WHERE id = %s"
    words = "UPDATE contact_points SET do_not_call_words = %s WHERE id = %s"
    with world.cursor("collector_a") as cursor:
        for said in (None, "   "):
            assert "own words" in refused(cursor, mark, (said, mobile))
        assert "own words" in refused(cursor, *_point(mine.borrower_id, dnc=True, words=None))
        assert "mark stands" in refused(cursor, *_point(mine.borrower_id, words="别打"))
        assert "mark stands" in refused(cursor, words, ("别打了", mobile))
        # Added already marked (marked offline before the sync sent it): with the words.
        cursor.execute(*_point(mine.borrower_id, dnc=True, words="别打单位电话"))
        cursor.execute(mark, ("别再打这个号码", mobile))
        for said in ("我没说过", None):
            assert "mark stands" in refused(cursor, words, (said, mobile))
        assert "team lead" in refused(
            cursor,
            "UPDATE contact_points SET do_not_call = false, do_not_call_words = NULL WHERE id = %s",
            (mobile,),
        )
    with world.cursor("lead_a") as cursor:
        cursor.execute(
            "UPDATE contact_points SET do_not_call = false, do_not_call_words = NULL WHERE id = %s",
            (mobile,),
        )
        assert cursor.rowcount == 1


@attacks("attorney")
def test_an_attorney_is_recorded_with_name_and_phone_and_only_with_the_mark(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    represent = (
        "UPDATE borrowers SET attorney_represented = true, attorney_name = %s,"
        " attorney_phone = %s WHERE id = %s"
    )
    with world.cursor("collector_a") as cursor:
        for name, phone in (
            (None, None),
            ("张律师", None),
            ("张律师", "139 1111 2222"),
            ("", "+8613911112222"),
        ):
            assert "attorney's name and phone" in refused(
                cursor, represent, (name, phone, mine.borrower_id)
            )
        assert "with the mark" in refused(
            cursor,
            "UPDATE borrowers SET attorney_name = '张律师' WHERE id = %s",
            (mine.borrower_id,),
        )
        cursor.execute(represent, ("张律师", "+8613911112222", mine.borrower_id))
        assert "team lead" in refused(
            cursor,
            "UPDATE borrowers SET attorney_represented = false, attorney_name = NULL,"
            " attorney_phone = NULL WHERE id = %s",
            (mine.borrower_id,),
        )
        assert "attorney's name and phone" in refused(
            cursor, "UPDATE borrowers SET attorney_phone = '12' WHERE id = %s", (mine.borrower_id,)
        )
    with world.cursor("lead_a") as cursor:
        cursor.execute(
            "UPDATE borrowers SET attorney_represented = false, attorney_name = NULL,"
            " attorney_firm = NULL, attorney_phone = NULL WHERE id = %s",
            (mine.borrower_id,),
        )
    assert world.admin(
        "SELECT attorney_represented, attorney_name FROM borrowers WHERE id = %s",
        (mine.borrower_id,),
    ) == [(False, None)]


@attacks("contact-terms")
def test_an_agreed_window_has_two_different_ends_and_a_channel_is_one_the_rules_know(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    window = "UPDATE borrowers SET agreed_window_start = %s, agreed_window_end = %s WHERE id = %s"
    with world.cursor("collector_a") as cursor:
        for start, end in (("18:00", None), (None, "20:00"), ("18:00", "18:00")):
            assert "start and an end" in refused(cursor, window, (start, end, mine.borrower_id))
        assert "call, a text message or an e-mail" in refused(
            cursor,
            "UPDATE borrowers SET preferred_channel = 'visit' WHERE id = %s",
            (mine.borrower_id,),
        )
        cursor.execute(window, ("18:00", "20:00", mine.borrower_id))
        cursor.execute(
            "UPDATE borrowers SET preferred_channel = 'sms' WHERE id = %s", (mine.borrower_id,)
        )
    assert world.admin(
        "SELECT agreed_window_start::text, preferred_channel FROM borrowers WHERE id = %s",
        (mine.borrower_id,),
    ) == [("18:00:00", "sms")]


# --- the reminders job ----------------------------------------------------------------------

NOTICE_TEXT = "【示例消费金融】您的借款已逾期，如不处理，相关逾期信息将依法报送征信系统。"


def _reminded(world: World, key: str = "collector_a") -> Account:
    """A new account of `key`'s, 3 days past due, whose borrower has a mobile and an e-mail
    of their own and an emergency contact (a third party)."""
    return world.portfolio.account(
        today=local_today(today()),
        dpd=3,
        assigned_to=world.user_id(key),
        numbers={
            "mobile": "13812345678",
            "email": "fang.wang@example.cn",
            "emergency": "13900001111",
        },
    )


def _points(world: World, account: Account) -> dict[str, tuple[uuid.UUID, str]]:
    """The account's contact points by kind: (id, value as on file)."""
    return {
        str(kind): (uuid.UUID(str(point)), str(value))
        for point, kind, value in world.admin(
            "SELECT id, kind, value FROM contact_points WHERE borrower_id = %s",
            (account.borrower_id,),
        )
    }


def _message(
    account: Account,
    point: uuid.UUID,
    recipient: str,
    *,
    id: uuid.UUID | None = None,
    user: uuid.UUID | None = None,
    channel: str = "sms",
    status: str = "planned",
    kind: str = "reminder",
) -> tuple[str, tuple[object, ...]]:
    """A reminder planned by the signed-in login (or in `user`'s name): statement and values."""
    return (
        "INSERT INTO reminder_messages (id, key, loan_id, borrower_id, contact_point_id, channel,"
        " step, kind, language, recipient, text, template, status, user_id, planned_at,"
        " created_at) VALUES (%s, %s, %s, %s, %s, %s, 'after_3', %s, 'zh_CN', %s, %s,"
        " 'overdue', %s, coalesce(%s::uuid, cw_me()), now(), now())",
        (
            id or uuid.uuid4(),
            f"{account.contract_no}:{uuid.uuid4().hex[:12]}:{channel}",
            account.loan_id,
            account.borrower_id,
            point,
            channel,
            kind,
            recipient,
            NOTICE_TEXT,
            status,
            user,
        ),
    )


def _letter_issued(
    account: Account, letter_id: uuid.UUID, *, kind: str = "credit_notice"
) -> tuple[str, tuple[object, ...]]:
    """The audit event of a letter the signed-in user issued on the account (as `letters
    issue` writes it): statement and values."""
    details = {"kind": kind, "letter_id": str(letter_id), "contract_no": account.contract_no}
    return (
        "INSERT INTO audit_events (id, at, user_id, action, entity, entity_id, details)"
        " VALUES (gen_random_uuid(), now(), cw_me(), 'letter.issued', 'loan', %s, %s)",
        (str(account.loan_id), json.dumps(details)),
    )


def _outcome(
    account: Account,
    point: uuid.UUID,
    *,
    id: uuid.UUID | None = None,
    user: uuid.UUID | None = None,
    channel: str = "sms",
    code: str = "SENT",
    right_party: bool = False,
    started: str = "now()",
) -> tuple[str, tuple[object, ...]]:
    """A message's outcome recorded as a contact by the signed-in login: statement, values."""
    return (
        "INSERT INTO contact_attempts (id, loan_id, borrower_id, contact_point_id, user_id,"
        " channel, started_at, duration_seconds, disposition, right_party, checklist,"
        " script_steps, created_at) VALUES (%s, %s, %s, %s, coalesce(%s::uuid, cw_me()), %s,"
        f" {started}, 0, %s, %s, '[]', '[]', now())",
        (id or uuid.uuid4(), account.loan_id, account.borrower_id, point, user, channel, code,
         right_party),
    )  # fmt: skip


@attacks("system-scope")
def test_the_reminders_job_reads_what_deciding_needs_of_every_account_and_nothing_else(
    world: World,
) -> None:
    system = world.system()
    mine, theirs = _reminded(world), _reminded(world, "collector_b")
    with world.cursor("collector_a") as cursor:
        cursor.execute(*_attempt(mine.loan_id, mine.borrower_id))
    with world.cursor("system") as cursor:
        # Every team's accounts, with what deciding reads of them.
        cursor.execute("SELECT count(*) FROM loans")
        assert cursor.fetchone() == (5,)
        cursor.execute(
            "SELECT l.contract_no, l.status, b.name, b.country, b.deceased FROM loans l"
            " JOIN borrowers b ON b.id = l.borrower_id WHERE l.id = %s",
            (theirs.loan_id,),
        )
        assert cursor.fetchone() == (theirs.contract_no, "active", "王芳", "CN", False)
        cursor.execute("SELECT count(*) > 0 FROM instalments WHERE loan_id = %s", (theirs.loan_id,))
        assert cursor.fetchone() == (True,)
        # The borrower's own mobile and e-mail; the emergency contact is not its to see.
        cursor.execute(
            "SELECT kind FROM contact_points WHERE borrower_id = %s ORDER BY position",
            (mine.borrower_id,),
        )
        assert cursor.fetchall() == [("mobile",), ("email",)]
        # Its own row of the staff directory and its own contacts: nobody else's.
        cursor.execute("SELECT username FROM users")
        assert cursor.fetchall() == [(system,)]
        cursor.execute("SELECT count(*) FROM contact_attempts")
        assert cursor.fetchone() == (0,)
        for statement in (
            "SELECT * FROM borrowers",
            "SELECT id_number FROM borrowers",
            "SELECT street FROM borrowers",
            "SELECT notes FROM borrowers",
            "SELECT attorney_phone FROM borrowers",
            "SELECT assigned_to_id FROM loans",
            "SELECT principal FROM loans",
            "SELECT contact_name FROM contact_points",
            "SELECT do_not_call_words FROM contact_points",
            "SELECT amount FROM promises",
            "SELECT total_amount FROM repayment_plans",
            "SELECT note FROM escalations",
            "SELECT count(*) FROM payments",
            "SELECT count(*) FROM account_notes",
            "SELECT count(*) FROM audit_events",
            "SELECT count(*) FROM field_visits",
            "SELECT count(*) FROM call_reviews",
            "SELECT count(*) FROM callbacks",
            "SELECT count(*) FROM teams",
            "SELECT count(*) FROM loan_queue_summary",
            "SELECT count(*) FROM sync_outbox",
        ):
            assert "permission denied" in refused(cursor, statement), statement


@attacks("system-write")
def test_the_reminders_job_records_only_its_own_messages_outcomes(world: World) -> None:
    system = world.system()
    mine, theirs = _reminded(world), _reminded(world, "collector_b")
    points, others = _points(world, mine), _points(world, theirs)
    mobile, number = points["mobile"]
    with world.cursor("system") as cursor:
        cursor.execute(*_message(mine, mobile, number))
        cases = {
            "in another's name": _outcome(mine, mobile, user=world.user_id("collector_a")),
            "a call": _outcome(mine, mobile, channel="call"),
            "a promise to pay": _outcome(mine, mobile, code="PTP"),
            "an outcome nobody knows": _outcome(mine, mobile, code="XYZ"),
            "a conversation": _outcome(mine, mobile, right_party=True),
            "to the emergency contact": _outcome(mine, points["emergency"][0]),
            "to another borrower's mobile": _outcome(mine, others["mobile"][0]),
            "an SMS to an e-mail": _outcome(mine, points["email"][0]),
            "an e-mail never planned": _outcome(mine, points["email"][0], channel="email"),
            "dated ahead": _outcome(mine, mobile, started="now() + interval '1 day'"),
        }
        refused_each(cursor, cases)
        sent = uuid.uuid4()
        cursor.execute(*_outcome(mine, mobile, id=sent))
        cursor.execute(
            "UPDATE reminder_messages SET status = 'sent', sent_at = now(), attempt_id = %s"
            " WHERE loan_id = %s",
            (sent, mine.loan_id),
        )
        # Once: the message has its outcome.
        refused(cursor, *_outcome(mine, mobile))
        # A delivery report moves SENT to DELIVERED or FAILED, and nothing else moves.
        change = "UPDATE contact_attempts SET disposition = %s WHERE id = %s"
        refused(cursor, change, ("PTP", sent))
        cursor.execute(change, ("DELIVERED", sent))
        assert cursor.rowcount == 1
        refused(cursor, change, ("SENT", sent))
        refused(cursor, change, ("FAILED", sent))
        refused(cursor, "UPDATE contact_attempts SET started_at = now() WHERE id = %s", (sent,))
        refused(cursor, "DELETE FROM contact_attempts WHERE id = %s", (sent,))
        for statement, values in (
            ("UPDATE loans SET status = 'settled' WHERE id = %s", (mine.loan_id,)),
            ("UPDATE borrowers SET deceased = true WHERE id = %s", (mine.borrower_id,)),
            ("UPDATE contact_points SET do_not_call = true WHERE id = %s", (mobile,)),
            ("UPDATE instalments SET principal_paid = 0 WHERE loan_id = %s", (mine.loan_id,)),
            ("UPDATE promises SET status = 'kept' WHERE loan_id = %s", (mine.loan_id,)),
            ("UPDATE users SET active = false", ()),
            ("INSERT INTO payments DEFAULT VALUES", ()),
            ("INSERT INTO promises DEFAULT VALUES", ()),
            ("INSERT INTO repayment_plans DEFAULT VALUES", ()),
            ("INSERT INTO account_notes DEFAULT VALUES", ()),
            ("INSERT INTO callbacks DEFAULT VALUES", ()),
            ("INSERT INTO escalations DEFAULT VALUES", ()),
            ("INSERT INTO contact_points DEFAULT VALUES", ()),
            # No objects of its own: tables, temporary tables, large objects.
            ("CREATE TABLE public.aside (x text)", ()),
            ("CREATE TEMPORARY TABLE aside (x text)", ()),
            ("SELECT lo_from_bytea(0, 'x')", ()),
        ):
            assert "permission denied" in refused(cursor, statement, values), statement
        # Its audit events are its own, whoever it names.
        cursor.execute(
            "INSERT INTO audit_events (id, at, user_id, action, entity, entity_id, details)"
            " VALUES (gen_random_uuid(), now(), %s, 'reminders.run', 'run', 'x', '{}')",
            (world.user_id("lead_a"),),
        )
    assert world.admin(
        "SELECT a.disposition, u.username FROM contact_attempts a JOIN users u"
        " ON u.id = a.user_id WHERE a.id = %s",
        (sent,),
    ) == [("DELIVERED", system)]
    assert world.admin(
        "SELECT u.username FROM audit_events a JOIN users u ON u.id = a.user_id"
        " WHERE a.action = 'reminders.run'"
    ) == [(system,)]


@attacks("reminder-records")
def test_a_reminder_goes_to_the_borrowers_own_number_and_only_moves_forward(
    world: World,
) -> None:
    world.system()
    mine, theirs = _reminded(world), _reminded(world, "collector_b")
    points, others = _points(world, mine), _points(world, theirs)
    mobile, number = points["mobile"]
    world.admin(
        "UPDATE contact_points SET do_not_call = true, do_not_call_words = '别再发短信了'"
        " WHERE id = %s",
        (others["mobile"][0],),
    )
    closed = _reminded(world, "collector_b")
    world.admin("UPDATE loans SET status = 'settled' WHERE id = %s", (closed.loan_id,))
    with world.cursor("system") as cursor:
        refused_each(
            cursor,
            {
                "in another's name": _message(mine, mobile, number, user=world.user_id("lead_a")),
                "sent before planned": _message(mine, mobile, number, status="sent"),
                "a call": _message(mine, mobile, number, channel="call"),
                "to the emergency contact": _message(mine, *points["emergency"]),
                "to a number not on file": _message(mine, mobile, "+8613900009999"),
                "an SMS to the e-mail": _message(mine, *points["email"]),
                "to another borrower": _message(mine, *others["mobile"]),
                "to a number marked do-not-call": _message(theirs, *others["mobile"]),
                "on a settled account": _message(closed, *_points(world, closed)["mobile"]),
            },
        )
        planned = uuid.uuid4()
        cursor.execute(*_message(mine, mobile, number, id=planned))
        move = "UPDATE reminder_messages SET {change} WHERE id = %s"
        # What it is stays as planned.
        for change in (
            "text = '立即还款，否则后果自负'",
            "recipient = '+8613900009999'",
            "loan_id = loan_id",
            "user_id = user_id",
        ):
            assert "permission denied" in refused(cursor, move.format(change=change), (planned,)), (
                change
            )
        cursor.execute(move.format(change="status = 'sent', sent_at = now()"), (planned,))
        back = ("status = 'planned'", "status = 'cancelled'", "status = 'opted_out'")
        refused_each(
            cursor,
            {
                change: (move.format(change=change), (planned,))
                for change in (*back, "sent_at = now() - interval '1 day'")
            },
        )
        cursor.execute(move.format(change="status = 'delivered', reported_at = now()"), (planned,))
        final = ("status = 'failed'", "error = 'undelivered'", "provider_id = 'x'")
        refused_each(cursor, {change: (move.format(change=change), (planned,)) for change in final})
        refused(cursor, "DELETE FROM reminder_messages WHERE id = %s", (planned,))
        # An opt-out is its own; no message goes by that channel after it.
        opt_out = (
            "INSERT INTO reminder_opt_outs (id, borrower_id, channel, at, source, recorded_by_id)"
            " VALUES (gen_random_uuid(), %s, 'sms', now(), 'borrower', coalesce(%s, cw_me()))"
        )
        refused(cursor, opt_out, (mine.borrower_id, world.user_id("collector_a")))
        cursor.execute(opt_out, (mine.borrower_id, None))
        refused(cursor, *_message(mine, mobile, number))
        refused(cursor, "UPDATE reminder_opt_outs SET channel = 'email'")
        refused(cursor, "DELETE FROM reminder_opt_outs")
        # A credit-reporting notice is the notice message it sent (its terms: notice-given).
        email, address = points["email"]
        notice_message, went = uuid.uuid4(), today().replace(microsecond=0)
        cursor.execute(
            *_message(
                mine, email, address, id=notice_message, channel="email", kind="credit_notice"
            )
        )
        notice = (
            "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
            " message_id, recorded_by_id, created_at) VALUES (gen_random_uuid(), %s, 'email',"
            " %s, %s, %s, coalesce(%s, cw_me()), now())"
        )
        day = local_today(went)
        later = day + timedelta(days=15)
        # Not yet sent.
        refused(cursor, notice, (mine.loan_id, went, later, notice_message, None))
        cursor.execute(
            "UPDATE reminder_messages SET status = 'sent', sent_at = %s WHERE id = %s",
            (went, notice_message),
        )
        for values in (
            (mine.loan_id, went, later, planned, None),  # a reminder, not the notice
            (mine.loan_id, went, later, None, None),  # no message
            (theirs.loan_id, went, later, notice_message, None),  # another account
            (mine.loan_id, went - timedelta(days=3), later, notice_message, None),  # backdated
            (mine.loan_id, went, day, notice_message, None),  # reporting at once
            (mine.loan_id, went, later, notice_message, world.user_id("lead_a")),
        ):
            refused(cursor, notice, values)
        cursor.execute(notice, (mine.loan_id, went, later, notice_message, None))
        refused(cursor, "UPDATE credit_notices SET reporting_from = reporting_from - 10")
        refused(cursor, "DELETE FROM credit_notices")


@attacks("reminder-records", "system-write")
def test_a_reminders_send_is_begun_once_taken_back_only_when_counted_and_reported_in_time(
    world: World,
) -> None:
    """The course the job's own runs take (a "try again later" answer, a run killed and
    resumed, a report that the borrower opted out) and nothing a forger would make of it."""
    world.system()
    mine = _reminded(world)
    mobile, number = _points(world, mine)["mobile"]
    message = uuid.uuid4()
    move = "UPDATE reminder_messages SET {change} WHERE id = %s"

    def each(*changes: str) -> dict[str, tuple[str, tuple[object, ...]]]:
        return {change: (move.format(change=change), (message,)) for change in changes}

    with world.cursor("system") as cursor:
        cursor.execute(*_message(mine, mobile, number, id=message))
        refused_each(
            cursor,
            each(
                "status = 'sent'",  # no moment its send began
                "sent_at = now() + interval '2 hours'",  # a send dated ahead
                "retries = 1",  # a try counted, no send taken back
            ),
        )
        cursor.execute(move.format(change="sent_at = now()"), (message,))  # its send begins
        refused_each(
            cursor,
            each(
                "sent_at = now() - interval '60 days'",  # back-dated
                "sent_at = now() + interval '1 minute'",  # begun again, uncounted
                "sent_at = NULL",  # taken back, not counted
                "sent_at = NULL, retries = retries + 1",  # with no answer that it did not go
                "sent_at = NULL, retries = retries + 2, error = 'isv.BUSINESS_LIMIT_CONTROL'",
                "retries = retries + 1, error = 'isv.BUSINESS_LIMIT_CONTROL'",
            ),
        )
        # "Try again later": the moment taken back, the try counted; a later run begins again.
        cursor.execute(
            move.format(
                change="sent_at = NULL, retries = retries + 1, error = 'isv.BUSINESS_LIMIT_CONTROL'"
            ),
            (message,),
        )
        cursor.execute(move.format(change="sent_at = now()"), (message,))
        # Its answer keeps the moment its send began, by whichever run records it.
        refused_each(cursor, each("status = 'sent', sent_at = now() + interval '1 second'"))
        outcome = uuid.uuid4()
        cursor.execute(*_outcome(mine, mobile, id=outcome))
        # One outcome per message, linked or not yet.
        refused(cursor, *_outcome(mine, mobile, code="DELIVERED"))
        cursor.execute(move.format(change="status = 'sent', attempt_id = %s"), (outcome, message))
        refused_each(
            cursor,
            each(
                "status = 'opted_out'",  # a sent message moves by its report only
                "status = 'opted_out', reported_at = now()",  # no opt-out on record
                "status = 'delivered', reported_at = now() + interval '1 day'",  # ahead
                "status = 'delivered', reported_at = now() - interval '1 day'",  # before sent
                "sent_at = NULL, retries = retries + 1, error = 'x'",  # sent: no retry
            ),
        )
        # A delivery report that the borrower opted out: the opt-out, then the message and its
        # contact.
        opt_out = (
            "INSERT INTO reminder_opt_outs (id, borrower_id, channel, at, source, recorded_by_id)"
            " VALUES (gen_random_uuid(), %s, 'sms', now(), %s, cw_me())"
        )
        refused(cursor, opt_out, (mine.borrower_id, "collector"))
        cursor.execute(opt_out, (mine.borrower_id, "delivery report"))
        cursor.execute(
            move.format(change="status = 'opted_out', reported_at = now(), error = %s"),
            ("MOBILE_IN_BLACK", message),
        )
        cursor.execute(
            "UPDATE contact_attempts SET disposition = 'OPTED-OUT' WHERE id = %s", (outcome,)
        )
        refused(
            cursor,
            "UPDATE contact_attempts SET disposition = 'DELIVERED' WHERE id = %s",
            (outcome,),
        )
        refused_each(cursor, each("reported_at = now() - interval '1 minute'", "retries = 5"))
    assert world.admin(
        "SELECT m.status, m.retries, a.disposition, o.source FROM reminder_messages m"
        " JOIN contact_attempts a ON a.id = m.attempt_id JOIN reminder_opt_outs o"
        " ON o.borrower_id = m.borrower_id WHERE m.id = %s",
        (message,),
    ) == [("opted_out", 1, "OPTED-OUT", "delivery report")]


@attacks("reminder-staff")
def test_staff_write_no_reminder_and_only_a_lead_reads_the_teams(world: World) -> None:
    world.system()
    system = world.user_id("system")
    mine, theirs = _reminded(world), _reminded(world, "collector_b")
    for account in (mine, theirs):
        point, value = _points(world, account)["mobile"]
        statement, values = _message(account, point, value, user=system)
        world.admin(statement, values)
        world.admin(
            "INSERT INTO reminder_opt_outs (id, borrower_id, channel, at, source, recorded_by_id)"
            " VALUES (gen_random_uuid(), %s, 'email', now(), 'borrower', %s)",
            (account.borrower_id, system),
        )
        world.admin(
            "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
            " created_at) VALUES (gen_random_uuid(), %s, 'letter', now(), current_date + 15,"
            " now())",
            (account.loan_id,),
        )
    agents = world.accounts["agent_a"]
    for key, account in (("collector_a", mine), ("agent_a", agents), ("lead_a", mine)):
        point, value = _points(world, account)["mobile"]
        with world.cursor(key) as cursor:
            # A collector (or anyone) faking a reminder sent on their own account, by SMS or
            # on a call.
            for channel in ("sms", "call"):
                statement, values = _outcome(account, point, channel=channel)
                assert "reminders job alone" in refused(cursor, statement, values), key
            for statement, values in (
                _message(account, point, value),
                ("UPDATE reminder_messages SET status = 'sent'", ()),
                ("DELETE FROM reminder_messages", ()),
                ("INSERT INTO reminder_opt_outs DEFAULT VALUES", ()),
                ("DELETE FROM reminder_opt_outs", ()),
                ("UPDATE credit_notices SET reporting_from = current_date", ()),
            ):
                assert "permission denied" in refused(cursor, statement, values), (key, statement)
            # A notice may be inserted only as a lead's letter (notice-letter): no other row
            # (a lead's is refused in words, notice-given: it is dated when recorded).
            said = refused(cursor, "INSERT INTO credit_notices DEFAULT VALUES")
            expected = "dated when it is recorded" if key == "lead_a" else "row-level security"
            assert expected in said, key
    seen = {
        "reminder_messages": "SELECT loan_id FROM reminder_messages",
        "credit_notices": "SELECT loan_id FROM credit_notices",
        "reminder_opt_outs": "SELECT l.id FROM reminder_opt_outs o JOIN loans l"
        " ON l.borrower_id = o.borrower_id",
    }
    for key, expected in (
        ("collector_a", []),
        ("agent_a", []),
        ("collector_b", []),
        ("lead_a", [(mine.loan_id,)]),
        ("lead_b", [(theirs.loan_id,)]),
    ):
        with world.cursor(key) as cursor:
            for table, query in seen.items():
                cursor.execute(query)
                assert cursor.fetchall() == expected, (key, table)


# --- the sync's own calls ---------------------------------------------------------------------


def _push(cursor: Cursor, login: str, workstation: uuid.UUID, changes: object) -> dict[str, Any]:
    """cw_sync_push as a workstation calls it (app/services/sync/engine.py), with `changes`
    as given: what it says of each change."""
    cursor.execute(
        "SELECT cw_sync_push(%s, %s, %s::jsonb)", (login, workstation, json.dumps(changes))
    )
    (answer,) = cursor.fetchone() or (None,)
    assert isinstance(answer, dict)
    return answer


def _change(seq: int, table: str, op: str | None, values: object, **extra: object) -> object:
    return {
        "seq": seq,
        "table": table,
        "key": json.dumps([str(seq)]),
        "op": op,
        "versioned": False,
        "base": None,
        "values": json.dumps(values) if isinstance(values, dict) else values,
        "where": None,
        **extra,
    }


def _note(loan: uuid.UUID, user: uuid.UUID) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "loan_id": str(loan),
        "user_id": str(user),
        "created_at": today().isoformat(),
        "text": "sync",
        "row_version": 1,
    }


@attacks("sync-calls")
def test_the_syncs_calls_refuse_what_the_statements_refuse(world: World) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    me, lead = world.user_id("collector_a"), world.user_id("lead_a")
    login = world.logins["collector_a"]
    own = _note(mine.loan_id, me)
    changes = [
        _change(1, "account_notes", "insert", own),
        # Another team's account, another user's name: the policy refuses each alone.
        _change(2, "account_notes", "insert", _note(theirs.loan_id, me)),
        _change(3, "account_notes", "insert", _note(mine.loan_id, lead)),
        # The ledger, and tables that are not synced at all.
        _change(4, "loans", "insert", {"id": str(uuid.uuid4())}),
        _change(5, "server_policy", "insert", {"key": "collection", "value": "{}"}),
        _change(6, "account_notes; DROP TABLE loans", "insert", own),
        # A column staff may not write, a row of another team's, a trigger's rule.
        _change(
            7,
            "borrowers",
            "update",
            {"name": "x"},
            where=json.dumps({"id": str(mine.borrower_id)}),
        ),
        _change(
            8,
            "borrowers",
            "update",
            {"vulnerable": True},
            where=json.dumps({"id": str(theirs.borrower_id)}),
        ),
        _change(
            9,
            "audit_events",
            "insert",
            {
                "id": str(uuid.uuid4()),
                "at": today().isoformat(),
                "user_id": str(lead),
                "action": "Forged",
                "entity": "loan",
                "entity_id": "x",
                "details": {},
                "row_version": 1,
            },
        ),
        # Malformed: no such operation, values that are no record, a value of the wrong type.
        _change(10, "account_notes", "delete", own),
        _change(11, "account_notes", "insert", json.dumps([1, 2])),
        _change(12, "account_notes", "insert", {**_note(mine.loan_id, me), "loan_id": "x"}),
        # Sent twice: already there, nothing to do.
        _change(13, "account_notes", "insert", own),
    ]
    workstation = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        answer = _push(cursor, login, workstation, changes)
        facts = {fact["seq"]: fact for fact in answer["facts"]}
        assert {seq: fact["kind"] for seq, fact in facts.items()} == {
            1: "applied",
            2: "error",
            3: "error",
            4: "error",
            5: "error",
            6: "error",
            7: "error",
            8: "gone",
            9: "error",
            10: "error",
            11: "error",
            12: "error",
            13: "applied",
        }
        policy = 'new row violates row-level security policy for table "account_notes"'
        assert facts[2]["message"] == facts[3]["message"] == policy
        assert facts[4]["message"] == "permission denied for table loans"
        assert facts[5]["message"] == "Changes to server_policy are not synced."
        assert "not synced" in facts[6]["message"]
        assert facts[7]["message"] == "permission denied for table borrowers"
        assert facts[9]["message"] == "An audit event names an action and an entity."
        assert facts[10]["message"] == "A change is an insert or an update."
        assert facts[12]["state"] == "22P02"  # not a uuid
        # The same statements, sent one by one, are refused in the same words.
        for seq, statement, params in (
            (
                2,
                "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
                " VALUES (gen_random_uuid(), %s, %s, now(), 'x')",
                (theirs.loan_id, me),
            ),
            (4, "INSERT INTO loans (id) VALUES (gen_random_uuid())", ()),
            (7, "UPDATE borrowers SET name = 'x' WHERE id = %s", (mine.borrower_id,)),
        ):
            assert refused(cursor, statement, params).splitlines()[0] == facts[seq]["message"]
        # Not a list of changes: nothing is applied.
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            _push(cursor, login, uuid.uuid4(), {"seq": 1})
        # Another workstation's number, or another user's name: the whole call is refused.
        with world.cursor("collector_b") as other:
            _push(other, world.logins["collector_b"], workstation_b := uuid.uuid4(), [])
        with pytest.raises(psycopg.errors.UniqueViolation):
            _push(cursor, login, workstation_b, [_change(1, "account_notes", "insert", own)])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _push(cursor, world.logins["collector_b"], uuid.uuid4(), changes[:1])
        # A pull reads the user's rows only, and of the synced tables only.
        cursor.execute(
            "SELECT count(*) FROM cw_sync_since(NULL::account_notes, 0) n WHERE loan_id = %s",
            (theirs.loan_id,),
        )
        assert cursor.fetchone() == (0,)
        refused(cursor, "SELECT * FROM cw_sync_since(NULL::server_policy, 0)")
    assert world.admin(
        "SELECT user_id, text FROM account_notes WHERE loan_id IN (%s, %s)",
        (mine.loan_id, theirs.loan_id),
    ) == [(me, "sync")]
    assert world.admin(
        "SELECT last_applied, user_id FROM sync_workstations WHERE id = %s", (workstation,)
    ) == [(13, me)]
    assert world.admin("SELECT count(*) FROM audit_events WHERE action = 'Forged'") == [(0,)]
    assert world.admin("SELECT name FROM borrowers WHERE id = %s", (mine.borrower_id,)) != [("x",)]
    # What a pull is told has changed is what the user sees changed.
    # (A cursor past every row written so far: a transaction id handed out after them.)
    (cursor_tx,), *_ = world.admin("SELECT pg_current_xact_id()::text")
    with world.cursor("collector_b") as cursor:
        cursor.execute(
            "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
            " VALUES (gen_random_uuid(), %s, cw_me(), now(), 'b')",
            (theirs.loan_id,),
        )
    with world.cursor("collector_a") as cursor:
        cursor.execute("SELECT cw_sync_changed(%s::bigint)", (cursor_tx,))
        assert cursor.fetchone() == ([],)
    with world.cursor("lead_b") as cursor:
        cursor.execute("SELECT cw_sync_changed(%s::bigint)", (cursor_tx,))
        assert cursor.fetchone() == (["account_notes"],)
    # Only staff execute them, and each runs as its caller.
    for function in (
        "cw_sync_push(text, uuid, jsonb)",
        "cw_sync_changed(bigint)",
        "cw_sync_since(anyelement, bigint)",
    ):
        assert world.admin(
            "SELECT has_function_privilege('cw_staff', %s, 'EXECUTE'),"
            " has_function_privilege('cw_feed', %s, 'EXECUTE'),"
            " (SELECT prosecdef FROM pg_proc WHERE oid = %s::regprocedure)",
            (function, function, function),
        ) == [(True, False, False)]


@attacks("sync-marks")
def test_the_marks_are_the_servers_and_each_reads_only_their_own(world: World) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    (cursor_tx,), *_ = world.admin("SELECT pg_current_xact_id()::text")
    for key, account in (("collector_a", mine), ("collector_b", theirs)):
        with world.cursor(key) as cursor:
            cursor.execute(
                "INSERT INTO account_notes (id, loan_id, user_id, created_at, text)"
                " VALUES (gen_random_uuid(), %s, cw_me(), now(), 'm')",
                (account.loan_id,),
            )
    marked = "SELECT key_id FROM sync_marks WHERE table_name = 'account_notes' AND tx >= %s"
    with world.cursor("collector_a") as cursor:
        # Neither written nor changed nor deleted by staff, nor made through the trigger
        # functions or the push.
        refused_each(
            cursor,
            {
                "insert": (
                    "INSERT INTO sync_marks (key_id, tx, table_name) VALUES (%s, 1, 'loans')",
                    (mine.loan_id,),
                ),
                "update": ("UPDATE sync_marks SET tx = 1", ()),
                "delete": ("DELETE FROM sync_marks", ()),
                "trigger function": ("SELECT cw_sync_mark_loan()", ()),
            },
        )
        answer = _push(
            cursor,
            world.logins["collector_a"],
            uuid.uuid4(),
            [_change(1, "sync_marks", "insert", {"key_id": str(theirs.loan_id), "tx": 1})],
        )
        assert answer["facts"][0]["message"] == "Changes to sync_marks are not synced."
        # Only the marks of what the collector sees: not another team's account's.
        cursor.execute(marked, (cursor_tx,))
        assert [row[0] for row in cursor.fetchall()] == [mine.loan_id]
        cursor.execute("SELECT count(*) FROM sync_marks WHERE key_id = %s", (theirs.loan_id,))
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM sync_marks WHERE key_id = %s", (theirs.borrower_id,))
        assert cursor.fetchone() == (0,)
        # A key names no row the policies refuse: another team's account brings nothing.
        cursor.execute(
            "SELECT count(*) FROM cw_sync_since(NULL::account_notes, 0, %s)",
            ([mine.loan_id, theirs.loan_id],),
        )
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT count(*) FROM cw_sync_since(NULL::contact_points, 0, %s)",
            ([theirs.borrower_id],),
        )
        assert cursor.fetchone() == (0,)
        # Asking for another user's scope brings what the policies show the login: their own.
        cursor.execute(
            "SELECT scope_loan, loan_marks FROM cw_sync_scope(%s, %s, 'team_lead', %s)",
            (int(cursor_tx), world.user_id("lead_b"), world.team_id(world.team_b)),
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT scope_loan, loan_marks FROM cw_sync_scope(%s, %s, 'collector', NULL)",
            (int(cursor_tx), world.user_id("collector_a")),
        )
        assert cursor.fetchall() == [(mine.loan_id, ["account_notes"])]
        # Only account tables are read by key; the others not at all.
        refused(cursor, "SELECT * FROM cw_sync_since(NULL::users, 0, '{}'::uuid[])")
        refused(cursor, "SELECT * FROM cw_sync_since(NULL::sync_marks, 0, '{}'::uuid[])")
        cursor.execute(
            "SELECT cw_sync_changed(%s::bigint, ARRAY['account_notes', 'users'])", (cursor_tx,)
        )
        assert cursor.fetchone() == (["account_notes"],)
    with world.cursor("lead_b") as cursor:
        cursor.execute(marked, (cursor_tx,))
        assert [row[0] for row in cursor.fetchall()] == [theirs.loan_id]
    # The triggers made both, in the writers' own transactions; nobody else may.
    assert sorted(
        row[0]
        for row in world.admin(
            "SELECT key_id FROM sync_marks WHERE table_name = 'account_notes' AND tx >= %s",
            (cursor_tx,),
        )
    ) == sorted([mine.loan_id, theirs.loan_id])
    for role in ("cw_staff", "cw_feed", "cw_system"):
        assert world.admin(
            "SELECT has_table_privilege(%s, 'sync_marks', 'INSERT'),"
            " has_table_privilege(%s, 'sync_marks', 'UPDATE'),"
            " has_table_privilege(%s, 'sync_marks', 'DELETE'),"
            " has_function_privilege(%s, 'cw_sync_mark_loan()', 'EXECUTE')",
            (role, role, role, role),
        ) == [(False, False, False, False)]
    for function in (
        "cw_sync_changed(bigint, text[])",
        "cw_sync_since(anyelement, bigint, uuid[])",
        "cw_sync_scope(bigint, uuid, text, uuid)",
    ):
        assert world.admin(
            "SELECT has_function_privilege('cw_staff', %s, 'EXECUTE'),"
            " has_function_privilege('cw_feed', %s, 'EXECUTE'),"
            " (SELECT prosecdef FROM pg_proc WHERE oid = %s::regprocedure)",
            (function, function, function),
        ) == [(True, False, False)]
    assert world.admin(
        "SELECT bool_and(prosecdef) FROM pg_proc WHERE proname LIKE 'cw\\_sync\\_mark\\_%%'"
    ) == [(True,)]


@attacks("notice-given")
def test_a_notice_is_dated_now_waits_the_strategys_days_and_reached_the_borrower(
    world: World,
) -> None:
    world.system()
    mine = _reminded(world)
    points = _points(world, mine)
    now = today().replace(microsecond=0)
    later = local_today(now) + timedelta(days=15)  # the CN strategy's days
    notice = (
        "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
        " message_id, recorded_by_id, created_at) VALUES (gen_random_uuid(), %s, %s, %s, %s,"
        " %s, cw_me(), now())"
    )
    sms, email = uuid.uuid4(), uuid.uuid4()
    with world.cursor("system") as cursor:
        cursor.execute(*_message(mine, *points["mobile"], id=sms, kind="credit_notice"))
        cursor.execute(
            *_message(mine, *points["email"], id=email, channel="email", kind="credit_notice")
        )
        for message in (sms, email):
            cursor.execute(
                "UPDATE reminder_messages SET status = 'sent', sent_at = now() WHERE id = %s",
                (message,),
            )
        # An SMS the provider took is no notice until its delivery report says it arrived.
        assert "reached the borrower" in refused(
            cursor, notice, (mine.loan_id, "sms", now, later, sms)
        )
        cursor.execute(
            "UPDATE reminder_messages SET status = 'delivered', reported_at = now() WHERE id = %s",
            (sms,),
        )
        dated = {
            "sixty days back": (now - timedelta(days=60), later - timedelta(days=60)),
            "an hour ahead": (now + timedelta(hours=1), later),
        }
        for label, (at, reporting) in dated.items():
            assert "dated when it is recorded" in refused(
                cursor, notice, (mine.loan_id, "sms", at, reporting, sms)
            ), label
        for early in (1, 2, 14):
            assert "15 days after the notice" in refused(
                cursor, notice, (mine.loan_id, "sms", now, local_today(now) + timedelta(early), sms)
            ), early
        cursor.execute(notice, (mine.loan_id, "sms", now, later, sms))
        # An e-mail its mail server took is a notice; reported undelivered, it is withdrawn.
        cursor.execute(notice, (mine.loan_id, "email", now, later, email))
        withdraw = "DELETE FROM credit_notices WHERE message_id = %s"
        assert "stays on record" in refused(cursor, withdraw, (email,))
        cursor.execute(
            "UPDATE reminder_messages SET status = 'failed', error = 'bounced',"
            " reported_at = now() WHERE id = %s",
            (email,),
        )
        cursor.execute(withdraw, (email,))
        assert "stays on record" in refused(cursor, "DELETE FROM credit_notices")
        refused(cursor, "UPDATE credit_notices SET reporting_from = reporting_from - 10")
    assert world.admin(
        "SELECT channel, reporting_from FROM credit_notices WHERE loan_id = %s", (mine.loan_id,)
    ) == [("sms", later)]
    # A lead's letter notice keeps the same dates.
    theirs, issued = _reminded(world), uuid.uuid4()
    letter = (
        "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
        " document_id, recorded_by_id, created_at) VALUES (gen_random_uuid(), %s, 'letter', %s,"
        " %s, %s, cw_me(), now())"
    )
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_letter_issued(theirs, issued))
        assert "15 days after the notice" in refused(
            cursor, letter, (theirs.loan_id, now, later - timedelta(days=1), issued)
        )
        assert "dated when it is recorded" in refused(
            cursor, letter, (theirs.loan_id, now - timedelta(days=30), later, issued)
        )
        cursor.execute(letter, (theirs.loan_id, now, later, issued))
        refused(cursor, "DELETE FROM credit_notices")


@attacks("notice-letter")
def test_only_a_lead_records_a_letters_notice_in_their_name_on_their_team_dated_now(
    world: World,
) -> None:
    world.system()
    mine, theirs = _reminded(world), _reminded(world, "collector_b")
    point, value = _points(world, mine)["mobile"]
    sent = uuid.uuid4()
    statement, values = _message(
        mine, point, value, id=sent, user=world.user_id("system"), kind="credit_notice"
    )
    world.admin(statement, values)
    notice = (
        "INSERT INTO credit_notices (id, loan_id, channel, notified_at, reporting_from,"
        " document_id, message_id, recorded_by_id, created_at) VALUES (%s, %s, %s, %s, %s, %s,"
        " %s, coalesce(%s, cw_me()), now())"
    )
    now = today().replace(microsecond=0)
    later = local_today(now) + timedelta(days=15)
    # The notice letter the lead issues on the account: its audit event names it.
    issued = uuid.uuid4()

    def letter(**change: object) -> tuple[object, ...]:
        row: dict[str, object] = {
            "id": uuid.uuid4(),
            "loan": mine.loan_id,
            "channel": "letter",
            "at": now,
            "reporting_from": later,
            "document": issued,
            "message": None,
            "by": None,
        }
        row.update(change)
        return tuple(row.values())

    for key in ("collector_a", "agent_a"):
        account = mine if key == "collector_a" else world.accounts["agent_a"]
        with world.cursor(key) as cursor:
            assert "row-level security" in refused(cursor, notice, letter(loan=account.loan_id))
    other, demand = _reminded(world), uuid.uuid4()
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_letter_issued(mine, demand, kind="demand"))
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_letter_issued(mine, issued))
        refused_each(
            cursor,
            {
                "by SMS": (notice, letter(channel="sms")),
                "a message's": (notice, letter(message=sent)),
                "with no letter": (notice, letter(document=None)),
                "another team's account": (notice, letter(loan=theirs.loan_id)),
                "in a collector's name": (notice, letter(by=world.user_id("collector_a"))),
                "back-dated": (notice, letter(at=now - timedelta(days=2))),
                "dated ahead": (notice, letter(at=now + timedelta(hours=2))),
                "reporting at once": (notice, letter(reporting_from=local_today(now))),
                # A letter never issued, or a demand letter, or one issued on another account.
                "no letter on record": (notice, letter(document=uuid.uuid4())),
                "a demand letter": (notice, letter(document=demand)),
                "another account's letter": (notice, letter(loan=other.loan_id)),
            },
        )
        accepted = letter()
        cursor.execute(notice, accepted)
        refused(cursor, "UPDATE credit_notices SET reporting_from = reporting_from - 10")
        refused(cursor, "DELETE FROM credit_notices")
    assert world.admin(
        "SELECT loan_id, channel, recorded_by_id, document_id FROM credit_notices"
    ) == [(mine.loan_id, "letter", world.user_id("lead_a"), accepted[5])]
    # Another team's lead sees it not, and records none on it.
    with world.cursor("lead_b") as cursor:
        cursor.execute("SELECT count(*) FROM credit_notices")
        assert cursor.fetchone() == (0,)
        refused(cursor, notice, letter())


# --- attachments (issue 20, item 6) ----------------------------------------------------------


def _visit_of(world: World, loan: uuid.UUID, agent: str) -> uuid.UUID:
    """A visit planned on `loan` for `agent` (set by the administrator)."""
    visit = uuid.uuid4()
    world.admin(
        "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, route_position, status,"
        " checklist, created_at) VALUES (%s, %s, %s, current_date, 1, 'planned', '[]', now())",
        (visit, loan, world.user_id(agent)),
    )
    return visit


def _attach(
    world: World,
    key: str,
    loan: uuid.UUID,
    subject: uuid.UUID,
    data: bytes,
    *,
    name: str = "door.jpg",
    media: str = "image/jpeg",
    purpose: str = "notice",
    kind: str = "visit",
    sha: str | None = None,
    by: str = "cw_me()",
    content: bool = True,
    row: bool = True,
) -> None:
    """An attachment written as `psql` would: its content and its row, in one transaction."""
    digest = sha or hashlib.sha256(data).hexdigest()
    with world.connect(key) as connection, connection.transaction(), connection.cursor() as cursor:
        if content:
            cursor.execute(
                "INSERT INTO attachment_contents (loan_id, sha256, size, content)"
                " VALUES (%s, %s, %s, %s)",
                (loan, digest, len(data), data),
            )
        if row:
            cursor.execute(
                "INSERT INTO attachments (id, loan_id, subject_kind, subject_id, purpose,"
                " file_name, media_type, size, sha256, location_kept, added_by_id, added_at)"
                f" VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s, false, {by}, now())",
                (loan, kind, subject, purpose, name, media, len(data), digest),
            )


def _attachments_of(world: World, loan: uuid.UUID) -> tuple[int, int]:
    (found,) = world.admin(
        "SELECT (SELECT count(*) FROM attachments WHERE loan_id = %s),"
        " (SELECT count(*) FROM attachment_contents WHERE loan_id = %s)",
        (loan, loan),
    )
    return int(str(found[0])), int(str(found[1]))


@attacks("attachment-store")
def test_an_attachment_is_the_adders_own_checked_by_its_content_and_never_changed(
    world: World,
) -> None:
    from tests.helpers.images import PDF, photo

    agents = world.accounts["agent_a"]
    loan = agents.loan_id
    visit = _visit_of(world, loan, "agent_a")
    # On a collector's account, a visit of the agent's: the collector attaches nothing to it.
    collectors = world.accounts["collector_a"]
    their_visit = _visit_of(world, collectors.loan_id, "agent_a")
    jpeg = photo(gps=False)

    def refused_attach(said: str, key: str = "agent_a", **change: Any) -> None:
        args: dict[str, Any] = {"loan": loan, "subject": visit, "data": jpeg} | change
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            _attach(world, key, args.pop("loan"), args.pop("subject"), args.pop("data"), **args)
        assert said in str(caught.value), str(caught.value)

    refused_attach("row-level security", key="collector_b")  # another team's account
    refused_attach(
        "visit's agents or a team lead",
        key="collector_a",
        loan=collectors.loan_id,
        subject=their_visit,
    )
    refused_attach("row-level security", by=f"'{world.user_id('lead_a')}'::uuid")
    refused_attach("its own SHA-256", sha="0" * 64)
    refused_attach("first bytes", data=b"MZ\x90\x00 a program named door.jpg")
    refused_attach("never empty", data=b"")
    refused_attach("at most 10485760 bytes", data=b"\xff\xd8\xff\xe0" + bytes(10 * 2**20))
    refused_attach("bare file name", name="../../etc/cron.d/x.jpg")
    refused_attach("bare file name", name="door\x1b[2J.jpg")
    refused_attach("bare file name", name="door\n.jpg")
    refused_attach("No attachment is taken on a selfie", kind="selfie")
    refused_attach("purpose its kind knows", purpose="selfie")
    refused_attach("visit on the same account", subject=their_visit)
    refused_attach("size and type are its content's", data=PDF)  # a PDF said to be a JPEG
    assert _attachments_of(world, loan) == (0, 0)
    _attach(world, "agent_a", loan, visit, jpeg)
    _attach(world, "lead_a", loan, visit, PDF, name="consent.pdf", media="application/pdf",
            purpose="consent")  # fmt: skip
    assert _attachments_of(world, loan) == (2, 2)
    with world.cursor("agent_a") as cursor:
        refused_each(
            cursor,
            {
                "rename": ("UPDATE attachments SET file_name = 'x.jpg'", ()),
                "change the bytes": ("UPDATE attachment_contents SET content = '\\x00'", ()),
                "delete a row": ("DELETE FROM attachments", ()),
                "delete the bytes": ("DELETE FROM attachment_contents", ()),
            },
        )
    # Not even the administrator changes what was attached.
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin("UPDATE attachment_contents SET size = size WHERE loan_id = %s", (loan,))
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin("UPDATE attachments SET purpose = 'other' WHERE loan_id = %s", (loan,))


@attacks("attachment-whole")
def test_an_attachment_and_its_content_commit_together_and_only_the_team_reads_them(
    world: World,
) -> None:
    from tests.helpers.images import photo

    loan = world.accounts["agent_a"].loan_id
    visit = _visit_of(world, loan, "agent_a")
    jpeg = photo(gps=False)
    # A row without its bytes, bytes without a row: neither commits.
    with pytest.raises((psycopg.errors.IntegrityError, psycopg.errors.InsufficientPrivilege)):
        _attach(world, "agent_a", loan, visit, jpeg, content=False)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only with an attachment"):
        _attach(world, "agent_a", loan, visit, jpeg, row=False)
    assert _attachments_of(world, loan) == (0, 0)
    _attach(world, "agent_a", loan, visit, jpeg)
    for key, seen in (("collector_b", 0), ("lead_b", 0), ("collector_a", 0), ("lead_a", 1)):
        with world.cursor(key) as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM attachments), (SELECT count(*) FROM"
                " attachment_contents), (SELECT count(*) FROM sync_marks"
                " WHERE table_name = 'attachments' AND key_id = %s)",
                (loan,),
            )
            assert cursor.fetchone() == (seen, seen, seen), key
    with world.cursor("lead_a") as cursor:
        cursor.execute("SELECT content FROM attachment_contents WHERE loan_id = %s", (loan,))
        assert bytes((cursor.fetchone() or (b"",))[0]) == jpeg


@attacks("attachment-store")
def test_a_disputes_evidence_is_of_an_undecided_case_on_the_account_by_whoever_works_it(
    world: World,
) -> None:
    from tests.helpers.images import PDF

    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    attempt, day = _dsp(world, mine, "collector_a")
    case = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        statement, values = _open_case(mine, attempt, _dispute_due(day))
        cursor.execute(statement.replace("gen_random_uuid()", f"'{case}'"), values)
    their_attempt, their_day = _dsp(world, theirs, "collector_b")
    their_case = uuid.uuid4()
    with world.cursor("collector_b") as cursor:
        statement, values = _open_case(theirs, their_attempt, _dispute_due(their_day))
        cursor.execute(statement.replace("gen_random_uuid()", f"'{their_case}'"), values)
    receipt = {"name": "回单.pdf", "media": "application/pdf", "purpose": "receipt"}

    def refused_attach(said: str, key: str, loan: uuid.UUID, subject: uuid.UUID) -> None:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            _attach(world, key, loan, subject, PDF, kind="dispute", **receipt)
        assert said in str(caught.value), str(caught.value)

    # A collector of another team: the account is not theirs to write on.
    refused_attach("row-level security", "collector_b", mine.loan_id, case)
    refused_attach("row-level security", "lead_b", mine.loan_id, case)
    # Another account's case, filed on this account (and the other team's case on it).
    refused_attach("dispute case on the same account", "collector_a", mine.loan_id, their_case)
    visit = _visit_of(world, mine.loan_id, "agent_a")
    refused_attach("dispute case on the same account", "collector_a", mine.loan_id, visit)
    # A team member who neither opened the case nor works the account.
    refused_attach("Only the collector who opened the dispute", "agent_a", mine.loan_id, case)
    # A visit's purpose on a dispute.
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="purpose its kind knows"):
        _attach(world, "collector_a", mine.loan_id, case, PDF, kind="dispute", purpose="notice",
                name="x.pdf", media="application/pdf")  # fmt: skip
    assert _attachments_of(world, mine.loan_id) == (0, 0)
    _attach(world, "collector_a", mine.loan_id, case, PDF, kind="dispute", **receipt)
    _attach(world, "lead_a", mine.loan_id, case, PDF + b" ", kind="dispute", **receipt)
    assert _attachments_of(world, mine.loan_id) == (2, 2)
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_decide(case))
    # Decided: nothing more, not by the collector, not by the lead.
    for key in ("collector_a", "lead_a"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="decided dispute"):
            _attach(world, key, mine.loan_id, case, PDF + b"  ", kind="dispute", **receipt)
    assert _attachments_of(world, mine.loan_id) == (2, 2)


# --- legal referral (migration 0030) -------------------------------------------------------

REFER = (
    "INSERT INTO legal_cases (id, loan_id, borrower_id, reason, referred_by_id, referred_at)"
    " VALUES (%s, %s, %s, %s, coalesce(%s, cw_me()), %s)"
)
STEP = (
    "INSERT INTO legal_steps (id, case_id, loan_id, kind, happened_on, recorded_by_id,"
    " recorded_at, firm, lawyer, case_number, court, amount, note) VALUES (gen_random_uuid(),"
    " %s, %s, %s, cw_today() - %s, cw_me(), now(), %s, %s, %s, %s, %s, %s)"
)


def _referral(account: Account, **change: object) -> tuple[object, ...]:
    row: dict[str, object] = {
        "id": uuid.uuid4(),
        "loan": account.loan_id,
        "borrower": account.borrower_id,
        "reason": "six months without an answer",
        "by": None,
        "at": today(),
    }
    row.update(change)
    return tuple(row.values())


def _step(case: object, account: Account, kind: str, **change: object) -> tuple[object, ...]:
    row: dict[str, object] = {
        "case": case,
        "loan": account.loan_id,
        "kind": kind,
        "days_ago": 0,
        "firm": None,
        "lawyer": None,
        "case_number": None,
        "court": None,
        "amount": None,
        "note": None,
    }
    row.update(change)
    return tuple(row.values())


def _refused_with(cursor: Cursor, words: str, statement: str, values: tuple[object, ...]) -> None:
    assert words in refused(cursor, statement, values)


@attacks("legal-lead")
def test_only_a_lead_of_the_accounts_team_refers_it_and_reads_its_case(world: World) -> None:
    mine = world.accounts["collector_a"]
    case = _referral(mine)
    for key in ("collector_a", "agent_a", "lead_b", "collector_b"):
        with world.cursor(key) as cursor:
            refused(cursor, REFER, case)
    with world.cursor("lead_a") as cursor:
        refused_each(
            cursor,
            {
                "in a collector's name": (REFER, _referral(mine, by=world.user_id("collector_a"))),
                "back-dated past an offline fortnight": (
                    REFER,
                    _referral(mine, at=today() - timedelta(days=15)),
                ),
                "dated ahead": (REFER, _referral(mine, at=today() + timedelta(hours=1))),
                "another borrower": (
                    REFER,
                    _referral(mine, borrower=world.accounts["agent_a"].borrower_id),
                ),
                "without a reason": (REFER, _referral(mine, reason="  ")),
                "another team's account": (REFER, _referral(world.accounts["collector_b"])),
            },
        )
        cursor.execute(REFER, case)
        cursor.execute(
            STEP, _step(case[0], mine, "lawyer", firm="金杜", lawyer="李律师", days_ago=0)
        )
        # The referral's facts are fixed, and nothing of the case is deleted.
        refused(cursor, "UPDATE legal_cases SET reason = 'other' WHERE id = %s", (case[0],))
        refused(cursor, "UPDATE legal_steps SET note = 'x' WHERE case_id = %s", (case[0],))
        refused(cursor, "DELETE FROM legal_steps WHERE case_id = %s", (case[0],))
        refused(cursor, "DELETE FROM legal_cases WHERE id = %s", (case[0],))
        _refused_with(
            cursor,
            "Say why the referral is withdrawn.",
            "UPDATE legal_cases SET withdrawn_at = now(), withdrawn_by_id = cw_me() WHERE id = %s",
            (case[0],),
        )
    for key in ("collector_a", "agent_a", "lead_b"):
        with world.cursor(key) as cursor:
            cursor.execute("SELECT count(*) FROM legal_cases")
            assert cursor.fetchone() == (0,), key
            cursor.execute("SELECT count(*) FROM legal_steps")
            assert cursor.fetchone() == (0,), key
            refused(cursor, STEP, _step(case[0], mine, "cost", amount=Decimal("10")))
            cursor.execute(
                "UPDATE legal_cases SET withdrawn_at = now(), withdrawn_by_id = cw_me(),"
                " withdrawn_reason = 'x' WHERE id = %s",
                (case[0],),
            )
            assert cursor.rowcount == 0, key
    assert world.admin("SELECT withdrawn_at, reason FROM legal_cases") == [
        (None, "six months without an answer")
    ]
    assert world.admin("SELECT count(*) FROM legal_steps") == [(1,)]
    # The retention job (an administrator) clears an erased borrower's reasons and notes.
    world.admin("UPDATE legal_cases SET reason = '' WHERE id = %s", (case[0],))
    world.admin("UPDATE legal_steps SET note = NULL WHERE case_id = %s", (case[0],))
    assert world.admin("SELECT reason FROM legal_cases") == [("",)]


@attacks("legal-steps")
def test_a_legal_case_takes_its_steps_in_order_dated_and_in_money(world: World) -> None:
    mine = world.accounts["collector_a"]
    case = _referral(mine)
    key = case[0]
    with world.cursor("lead_a") as cursor:
        cursor.execute(REFER, case)
        for words, values in (
            ("only after the case is filed", _step(key, mine, "judgment")),
            ("only after the case is filed", _step(key, mine, "hearing")),
            ("Enforcement comes only after the judgment.", _step(key, mine, "enforcement")),
            (
                "only once a firm and lawyer are instructed",
                _step(key, mine, "filing", case_number="1", court="c"),
            ),
            ("Name the firm and the lawyer instructed.", _step(key, mine, "lawyer", firm="金杜")),
            ("not dated ahead of today", _step(key, mine, "cost", amount=1, days_ago=-1)),
            ("not dated before the referral", _step(key, mine, "cost", amount=1, days_ago=2)),
            ("never negative", _step(key, mine, "judgment", amount=Decimal("-1"))),
            ("more than zero", _step(key, mine, "recovery", amount=Decimal("0"))),
            ("Only a judgment, a cost or a recovery", _step(key, mine, "hearing", amount=5)),
            ("Say how the case ended.", _step(key, mine, "closed")),
            ("There is no legal step", _step(key, mine, "appeal")),
            # A step on another account than its case's.
            (
                "Only a team lead of the account's team",
                _step(key, world.accounts["agent_a"], "cost", amount=1),
            ),
        ):
            _refused_with(cursor, words, STEP, values)
        cursor.execute(STEP, _step(key, mine, "lawyer", firm="金杜", lawyer="李律师"))
        _refused_with(
            cursor, "names its case number and its court", STEP, _step(key, mine, "filing")
        )
        cursor.execute(STEP, _step(key, mine, "filing", case_number="(2026)1号", court="东城"))
        _refused_with(
            cursor,
            "The case is filed already.",
            STEP,
            _step(key, mine, "filing", case_number="2", court="c"),
        )
        _refused_with(
            cursor,
            "withdrawn only before the case is filed",
            "UPDATE legal_cases SET withdrawn_at = now(), withdrawn_by_id = cw_me(),"
            " withdrawn_reason = 'x' WHERE id = %s",
            (key,),
        )
        cursor.execute(STEP, _step(key, mine, "hearing"))
        cursor.execute(STEP, _step(key, mine, "hearing"))
        cursor.execute(STEP, _step(key, mine, "judgment", amount=Decimal("15000.00")))
        _refused_with(cursor, "its judgment already", STEP, _step(key, mine, "judgment"))
        cursor.execute(STEP, _step(key, mine, "enforcement"))
        cursor.execute(STEP, _step(key, mine, "recovery", amount=Decimal("500.50")))
        cursor.execute(STEP, _step(key, mine, "closed", note="paid in part"))
        _refused_with(
            cursor,
            "The legal case is closed: it takes no more steps.",
            STEP,
            _step(key, mine, "cost", amount=1),
        )
    assert world.admin("SELECT count(*) FROM legal_steps WHERE case_id = %s", (key,)) == [(8,)]


@attacks("legal-mark")
def test_the_legal_mark_goes_with_an_open_referral(world: World) -> None:
    mine = world.accounts["collector_a"]
    mark = "UPDATE borrowers SET legal_referral = %s WHERE id = %s"
    with world.cursor("collector_a") as cursor:
        _refused_with(cursor, "only with a team lead's referral", mark, (True, mine.borrower_id))
    with world.cursor("lead_a") as cursor:
        _refused_with(cursor, "only with a team lead's referral", mark, (True, mine.borrower_id))
        case = _referral(mine)
        cursor.execute(REFER, case)
        cursor.execute(mark, (True, mine.borrower_id))
    with world.cursor("collector_a") as cursor:
        # Seen by a collector, the mark is there; lifting it is a lead's, and not while open.
        refused(cursor, mark, (False, mine.borrower_id))
    with world.cursor("lead_a") as cursor:
        _refused_with(cursor, "withdraw the referral", mark, (False, mine.borrower_id))
        cursor.execute(
            "UPDATE legal_cases SET withdrawn_at = now(), withdrawn_by_id = cw_me(),"
            " withdrawn_reason = 'paid' WHERE id = %s",
            (case[0],),
        )
        _refused_with(
            cursor,
            "The referral was withdrawn",
            "UPDATE legal_cases SET withdrawn_reason = 'other' WHERE id = %s",
            (case[0],),
        )
        cursor.execute(mark, (False, mine.borrower_id))
    assert world.admin(
        "SELECT legal_referral FROM borrowers WHERE id = %s", (mine.borrower_id,)
    ) == [(False,)]


# --- disputes and complaints (migration 0031) -----------------------------------------------


def _dsp(world: World, account: Account, by: str) -> tuple[uuid.UUID, Any]:
    """A dispute (DSP) contact by `by` on the account, five minutes ago (set by the
    administrator: the call script's path is not what these attacks are about); its id and
    the day the dispute's deadline counts from."""
    attempt = uuid.uuid4()
    world.admin(
        "INSERT INTO contact_attempts (id, loan_id, borrower_id, contact_point_id, user_id,"
        " channel, started_at, duration_seconds, disposition, right_party, checklist,"
        " script_steps, created_at) VALUES (%s, %s, %s, %s, %s, 'call',"
        " now() - interval '5 minutes', 60, 'DSP', true, '[]', '[]', now())",
        (
            attempt,
            account.loan_id,
            account.borrower_id,
            account.points["mobile"],
            world.user_id(by),
        ),
    )
    (started,), *_ = world.admin(
        "SELECT started_at FROM contact_attempts WHERE id = %s", (attempt,)
    )
    return attempt, local_today(started)  # type: ignore[arg-type]


def _dispute_due(day: Any) -> Any:
    from app.services.cases.policy import cases_policy

    return cases_policy().dispute_answer.due(day).due


def _open_case(
    account: Account, attempt: uuid.UUID, due: Any, **extra: object
) -> tuple[str, tuple[object, ...]]:
    values: dict[str, object] = {
        "kind": "already_paid",
        "opened_by_id": "cw_me()",
        "decision": None,
        "opened_at": "now()",
    }
    values.update(extra)
    return (
        "INSERT INTO dispute_cases (id, loan_id, borrower_id, attempt_id, kind, claim,"
        " opened_by_id, opened_at, due_on, decision) VALUES (gen_random_uuid(), %s, %s, %s, %s,"
        f" '说已经还了', {values['opened_by_id']}, {values['opened_at']}, %s, %s)",
        (account.loan_id, account.borrower_id, attempt, values["kind"], due, values["decision"]),
    )


@attacks("dispute-open")
def test_a_dispute_is_opened_from_ones_own_dsp_contact_with_the_servers_deadline(
    world: World,
) -> None:
    mine = world.accounts["collector_a"]
    attempt, day = _dsp(world, mine, "collector_a")
    due = _dispute_due(day)
    lead = world.user_id("lead_a")
    not_dsp = uuid.uuid4()
    world.admin(
        "INSERT INTO contact_attempts (id, loan_id, borrower_id, user_id, channel, started_at,"
        " duration_seconds, disposition, right_party, checklist, script_steps, created_at)"
        " SELECT %s, loan_id, borrower_id, user_id, 'call', started_at, 60, 'NA', false, '[]',"
        " '[]', now() FROM contact_attempts WHERE id = %s",
        (not_dsp, attempt),
    )
    theirs, their_day = _dsp(world, world.accounts["collector_b"], "collector_b")
    with world.cursor("collector_a") as cursor:
        refused_each(
            cursor,
            {
                "a deadline a day later": _open_case(mine, attempt, due + timedelta(days=1)),
                "a deadline a day earlier": _open_case(mine, attempt, due - timedelta(days=1)),
                "in the lead's name": _open_case(mine, attempt, due, opened_by_id=f"'{lead}'"),
                "decided already": _open_case(mine, attempt, due, decision="rejected"),
                "an unknown kind": _open_case(mine, attempt, due, kind="bored"),
                "dated next week": _open_case(
                    mine, attempt, due, opened_at="now() + interval '7 days'"
                ),
                "from a contact that was no dispute": _open_case(mine, not_dsp, due),
                "on another team's account": _open_case(
                    world.accounts["collector_b"], theirs, _dispute_due(their_day)
                ),
            },
        )
        cursor.execute(*_open_case(mine, attempt, due))
        # One case a contact.
        with pytest.raises(psycopg.errors.UniqueViolation):
            cursor.execute(*_open_case(mine, attempt, due))
    # Another member's DSP contact: not the collector's to open, but the lead's.
    agents, agents_day = _dsp(world, mine, "agent_a")
    with world.cursor("collector_a") as cursor:
        assert "DSP" in refused(cursor, *_open_case(mine, agents, _dispute_due(agents_day)))
    with world.cursor("lead_a") as cursor:
        cursor.execute(*_open_case(mine, agents, _dispute_due(agents_day)))
    assert world.admin("SELECT count(*) FROM dispute_cases") == [(2,)]


@attacks("dispute-open", "complaint-log")
def test_the_server_counts_deadlines_as_the_workstation_does(world: World) -> None:
    from datetime import date

    from app.services.cases.policy import cases_policy

    policy = cases_policy()
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(400)]
    for rule in (policy.dispute_answer, policy.lender_reply, policy.regulator_reply):
        spec = json.dumps({"days": rule.days, "counting": rule.counting})
        with world.cursor("collector_a") as cursor:
            cursor.execute(
                "SELECT d::date, cw_case_deadline(d::date, %s::jsonb) FROM unnest(%s::date[]) d",
                (spec, days),
            )
            counted = dict(cursor.fetchall())
        assert counted == {day: rule.due(day).due for day in days}, rule


def _decide(case: uuid.UUID, decision: str = "rejected", **extra: object) -> tuple[str, Any]:
    values: dict[str, object] = {
        "by": "cw_me()",
        "at": "now()",
        "reasons": "账目核对无误",
        "correction": None,
    }
    values.update(extra)
    return (
        f"UPDATE dispute_cases SET decision = %s, decided_by_id = {values['by']},"
        f" decided_at = {values['at']}, reasons = %s, correction = %s WHERE id = %s",
        (decision, values["reasons"], values["correction"], case),
    )


@attacks("dispute-decision")
def test_only_the_teams_lead_decides_a_dispute_once(world: World) -> None:
    mine = world.accounts["collector_a"]
    attempt, day = _dsp(world, mine, "collector_a")
    case = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        statement, values = _open_case(mine, attempt, _dispute_due(day))
        cursor.execute(statement.replace("gen_random_uuid()", f"'{case}'"), values)
        # The collector decides nothing, not even in the lead's name.
        refused_each(
            cursor,
            {
                "rejected by the collector": _decide(case),
                "upheld by the collector": _decide(case, "upheld", correction="冲正"),
                "the claim rewritten": (
                    "UPDATE dispute_cases SET claim = 'x' WHERE id = %s",
                    (case,),
                ),
                "the deadline moved": (
                    "UPDATE dispute_cases SET due_on = due_on + 30 WHERE id = %s",
                    (case,),
                ),
                "deleted": ("DELETE FROM dispute_cases WHERE id = %s", (case,)),
            },
        )
    with world.cursor("lead_b") as cursor:
        cursor.execute(*_decide(case))
        assert cursor.rowcount == 0  # another team's case is not there for them
    collector = world.user_id("collector_a")
    with world.cursor("lead_a") as cursor:
        refused_each(
            cursor,
            {
                "in the collector's name": _decide(case, by=f"'{collector}'"),
                "dated yesterday": _decide(case, at="now() - interval '1 day'"),
                "rejected without reasons": _decide(case, reasons="  "),
                "upheld without the correction": _decide(case, "upheld"),
                "an unknown decision": _decide(case, "postponed"),
            },
        )
        cursor.execute(*_decide(case))
        refused_each(
            cursor,
            {
                "decided again": _decide(case, "upheld", correction="冲正"),
                "the reasons rewritten": (
                    "UPDATE dispute_cases SET reasons = 'changed' WHERE id = %s",
                    (case,),
                ),
            },
        )
    with world.cursor("collector_a") as cursor:
        refused(cursor, "UPDATE dispute_cases SET decision = NULL WHERE id = %s", (case,))
    assert world.admin("SELECT decision, reasons FROM dispute_cases WHERE id = %s", (case,)) == [
        ("rejected", "账目核对无误")
    ]


def _complaint(account: Account, **extra: object) -> tuple[str, tuple[object, ...]]:
    from app.services.cases.policy import cases_policy

    values: dict[str, object] = {
        "channel": "call",
        "by": "cw_me()",
        "received": "now()",
        "borrower": account.borrower_id,
        "reply": None,
    }
    values.update(extra)
    if "due" not in values:
        rule = cases_policy().reply_rule(str(values["channel"]))
        values["due"] = rule.due(local_today(today())).due
    return (
        "INSERT INTO complaints (id, loan_id, borrower_id, channel, category, summary,"
        " received_at, logged_by_id, logged_at, due_on, reply) VALUES (%s, %s, %s, %s,"
        f" 'collector_conduct', '态度恶劣', {values['received']}, {values['by']}, now(), %s, %s)",
        (
            values.get("id", uuid.uuid4()),
            account.loan_id,
            values["borrower"],
            values["channel"],
            values["due"],
            values["reply"],
        ),
    )


@attacks("complaint-log")
def test_a_complaint_is_logged_unanswered_with_the_servers_deadline(world: World) -> None:
    from app.services.cases.policy import cases_policy

    mine = world.accounts["collector_a"]
    policy = cases_policy()
    received = local_today(today())
    lenders = policy.lender_reply.due(received).due
    regulators = policy.regulator_reply.due(received).due
    lead = world.user_id("lead_a")
    with world.cursor("collector_a") as cursor:
        refused_each(
            cursor,
            {
                "a deadline a day later": _complaint(mine, due=lenders + timedelta(days=1)),
                "a referral with the lender's deadline": _complaint(
                    mine, channel="regulator_12378", due=lenders
                )
                if lenders != regulators
                else _complaint(mine, due=lenders - timedelta(days=1)),
                "an unknown channel": _complaint(mine, channel="fax", due=lenders),
                "answered already": _complaint(mine, reply="已回复"),
                "received tomorrow": _complaint(mine, received="now() + interval '1 day'"),
                "in the lead's name": _complaint(mine, by=f"'{lead}'"),
                "on another borrower": _complaint(
                    mine, borrower=world.accounts["agent_a"].borrower_id
                ),
                "on another team's account": _complaint(world.accounts["collector_b"]),
            },
        )
        cursor.execute(*_complaint(mine))
        cursor.execute(*_complaint(mine, channel="regulator_12378"))
    assert world.admin("SELECT count(*) FROM complaints") == [(2,)]


@attacks("complaint-reply")
def test_only_the_teams_lead_replies_to_a_complaint_once(world: World) -> None:
    mine = world.accounts["collector_a"]
    complaint = uuid.uuid4()
    reply = (
        "UPDATE complaints SET reply = %s, replied_by_id = {by}, replied_at = {at} WHERE id = %s"
    )

    def answer(text: str = "已回电解释", by: str = "cw_me()", at: str = "now()") -> Any:
        return (reply.format(by=by, at=at), (text, complaint))

    with world.cursor("collector_a") as cursor:
        cursor.execute(*_complaint(mine, id=complaint))
        refused_each(
            cursor,
            {
                "answered by the collector": answer(),
                "the summary rewritten": (
                    "UPDATE complaints SET summary = 'x' WHERE id = %s",
                    (complaint,),
                ),
                "the deadline moved": (
                    "UPDATE complaints SET due_on = due_on + 30 WHERE id = %s",
                    (complaint,),
                ),
                "deleted": ("DELETE FROM complaints WHERE id = %s", (complaint,)),
            },
        )
    with world.cursor("lead_b") as cursor:
        cursor.execute(*answer())
        assert cursor.rowcount == 0
    collector = world.user_id("collector_a")
    with world.cursor("lead_a") as cursor:
        refused_each(
            cursor,
            {
                "in the collector's name": answer(by=f"'{collector}'"),
                "dated last week": answer(at="now() - interval '7 days'"),
                "an empty reply": answer(" "),
            },
        )
        cursor.execute(*answer())
        refused_each(cursor, {"answered again": answer("改口")})
    assert world.admin("SELECT reply FROM complaints WHERE id = %s", (complaint,)) == [
        ("已回电解释",)
    ]


_EXPERIMENT = (
    "INSERT INTO experiments (id, name, team_id, starts_on, champion_share, challenger_share,"
    " holdout_share, challenger_weights, assignment_key, created_by_id, created_at)"
    " VALUES (%s, %s, %s, current_date, 45, 45, 10, '{}', repeat('ab', 32), %s, now())"
)
_ARM = (
    "INSERT INTO experiment_assignments (experiment_id, loan_id, arm, assigned_at, dpd, overdue)"
    " VALUES (%s, %s, %s, now(), 45, 100)"
)


@attacks("experiment-lead", "experiment-assignment", "experiment-scope")
def test_an_experiment_is_its_teams_leads_and_an_arm_is_recorded_once(world: World) -> None:
    mine, theirs = world.accounts["collector_a"], world.accounts["collector_b"]
    team_a, team_b = world.team_id(world.team_a), world.team_id(world.team_b)
    lead_a = world.user_id("lead_a")
    experiment = uuid.uuid4()
    with world.cursor("collector_a") as cursor:
        # A collector defines none, not even in their lead's name.
        refused_each(
            cursor,
            {
                "own name": (
                    _EXPERIMENT,
                    (uuid.uuid4(), "c1", team_a, world.user_id("collector_a")),
                ),
                "lead's name": (_EXPERIMENT, (uuid.uuid4(), "c2", team_a, lead_a)),
            },
        )
    with world.cursor("lead_b") as cursor:
        # Another team's lead: not for team A, not in lead A's name.
        refused_each(
            cursor,
            {
                "other team": (_EXPERIMENT, (uuid.uuid4(), "b1", team_a, world.user_id("lead_b"))),
                "other lead": (_EXPERIMENT, (uuid.uuid4(), "b2", team_b, lead_a)),
            },
        )
    with world.cursor("lead_a") as cursor:
        # Born stopped: refused.
        refused(
            cursor,
            _EXPERIMENT.replace("created_at)", "created_at, stopped_at)").replace(
                "now())", "now(), now())"
            ),
            (uuid.uuid4(), "stopped", team_a, lead_a),
        )
        cursor.execute(_EXPERIMENT, (experiment, "M1 first", team_a, lead_a))
        cursor.execute(_ARM, (experiment, mine.loan_id, "challenger"))
        refused_each(
            cursor,
            {
                "another team's account": (_ARM, (experiment, theirs.loan_id, "champion")),
                "an arm nobody has": (_ARM, (experiment, world.accounts["agent_a"].loan_id, "x")),
                "the arm changed": (
                    "UPDATE experiment_assignments SET arm = 'champion' WHERE loan_id = %s",
                    (mine.loan_id,),
                ),
                "the arm deleted": (
                    "DELETE FROM experiment_assignments WHERE loan_id = %s",
                    (mine.loan_id,),
                ),
                "the definition changed": (
                    "UPDATE experiments SET challenger_share = 90 WHERE id = %s",
                    (experiment,),
                ),
                "the weights changed": (
                    "UPDATE experiments SET challenger_weights = '{\"x\": 1}' WHERE id = %s",
                    (experiment,),
                ),
                "stopped in the past": (
                    "UPDATE experiments SET stopped_at = now() - interval '2 days',"
                    " stopped_by_id = cw_me() WHERE id = %s",
                    (experiment,),
                ),
                "stopped in another's name": (
                    "UPDATE experiments SET stopped_at = now(), stopped_by_id = %s WHERE id = %s",
                    (world.user_id("collector_a"), experiment),
                ),
                "deleted": ("DELETE FROM experiments WHERE id = %s", (experiment,)),
            },
        )
    with world.cursor("collector_a") as cursor:
        # The team reads its experiment and its arms; a collector records none and stops none.
        cursor.execute("SELECT name FROM experiments")
        assert cursor.fetchall() == [("M1 first",)]
        cursor.execute("SELECT arm FROM experiment_assignments")
        assert cursor.fetchall() == [("challenger",)]
        refused(cursor, _ARM, (experiment, world.accounts["agent_a"].loan_id, "champion"))
        cursor.execute(
            "UPDATE experiments SET stopped_at = now(), stopped_by_id = cw_me() WHERE id = %s",
            (experiment,),
        )
        assert cursor.rowcount == 0
    for key in ("collector_b", "lead_b"):
        with world.cursor(key) as cursor:
            # Another team's: invisible, and out of reach.
            cursor.execute("SELECT count(*) FROM experiments")
            assert cursor.fetchone() == (0,)
            cursor.execute("SELECT count(*) FROM experiment_assignments")
            assert cursor.fetchone() == (0,)
    with world.cursor("lead_b") as cursor:
        cursor.execute(
            "UPDATE experiments SET stopped_at = now(), stopped_by_id = cw_me() WHERE id = %s",
            (experiment,),
        )
        assert cursor.rowcount == 0
    # Not even the administrator's own connection rewrites an arm.
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin(
            "UPDATE experiment_assignments SET arm = 'holdout' WHERE loan_id = %s",
            (mine.loan_id,),
        )
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin("DELETE FROM experiment_assignments WHERE loan_id = %s", (mine.loan_id,))
    with world.cursor("lead_a") as cursor:
        cursor.execute(
            "UPDATE experiments SET stopped_at = now(), stopped_by_id = cw_me() WHERE id = %s",
            (experiment,),
        )
        assert cursor.rowcount == 1
        # Stopped once; no arm is recorded on a stopped experiment.
        assert "stopped already" in refused(
            cursor,
            "UPDATE experiments SET stopped_at = now(), stopped_by_id = cw_me() WHERE id = %s",
            (experiment,),
        )
        refused(cursor, _ARM, (experiment, world.accounts["agent_a"].loan_id, "champion"))


_CARD = (
    "INSERT INTO scorecards (id, version, label, trained_until, document, sha256, created_at)"
    " VALUES (%s, %s, %s, current_date, %s, %s, now())"
)
_STEP = (
    "INSERT INTO scorecard_choices (id, team_id, scorecard_id, enabled, chosen_by_id, chosen_at)"
    " VALUES (%s, %s, %s, %s, %s, now())"
)


def _stored_card(world: World, version: int) -> uuid.UUID:
    """A scorecard stored by the administrator's own connection, as `model upload` does."""
    card = uuid.uuid4()
    document = json.dumps({"version": f"v{version}", "points": version})
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    world.admin(_CARD, (card, version, f"v{version}", document, digest))
    return card


@attacks("scorecard-stored", "scorecard-choice", "scorecard-read")
def test_a_scorecard_is_stored_once_and_chosen_by_its_teams_lead(world: World) -> None:
    team_a, team_b = world.team_id(world.team_a), world.team_id(world.team_b)
    lead_a = world.user_id("lead_a")
    first, second = _stored_card(world, 1), _stored_card(world, 2)
    # Even the administrator's own connection: a document with another's SHA-256, a version
    # not after every stored one, a change, a delete.
    document = json.dumps({"version": "forged"})
    with pytest.raises(DBAPIError, match="SHA-256"):
        world.admin(_CARD, (uuid.uuid4(), 3, "forged", document, "0" * 64))
    right = hashlib.sha256(document.encode("utf-8")).hexdigest()
    with pytest.raises(DBAPIError, match="comes after"):
        world.admin(_CARD, (uuid.uuid4(), 2, "forged", document, right))
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin("UPDATE scorecards SET document = '{}' WHERE id = %s", (first,))
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin("DELETE FROM scorecards WHERE id = %s", (first,))
    with world.cursor("lead_a") as cursor:
        # No staff login stores or edits a scorecard, a lead neither.
        refused_each(
            cursor,
            {
                "stored": (_CARD, (uuid.uuid4(), 9, "mine", document, right)),
                "edited": ("UPDATE scorecards SET label = 'x' WHERE id = %s", (first,)),
                "deleted": ("DELETE FROM scorecards WHERE id = %s", (first,)),
            },
        )
        cursor.execute("SELECT version FROM scorecards ORDER BY version")
        assert cursor.fetchall() == [(1,), (2,)]
        refused_each(
            cursor,
            {
                "another team": (_STEP, (uuid.uuid4(), team_b, first, True, lead_a)),
                "another's name": (
                    _STEP,
                    (uuid.uuid4(), team_a, first, True, world.user_id("collector_a")),
                ),
                "backdated": (
                    _STEP.replace("now())", "now() - interval '1 day')"),
                    (uuid.uuid4(), team_a, first, True, lead_a),
                ),
            },
        )
        step = uuid.uuid4()
        cursor.execute(_STEP, (step, team_a, first, True, lead_a))
        refused_each(
            cursor,
            {
                "step changed": (
                    "UPDATE scorecard_choices SET scorecard_id = %s WHERE id = %s",
                    (second, step),
                ),
                "step deleted": ("DELETE FROM scorecard_choices WHERE id = %s", (step,)),
            },
        )
    with pytest.raises(DBAPIError, match="never changed"):
        world.admin("UPDATE scorecard_choices SET enabled = false WHERE id = %s", (step,))
    with world.cursor("collector_a") as cursor:
        # A collector reads the version their team scores with, no other; chooses none.
        cursor.execute("SELECT id FROM scorecards")
        assert cursor.fetchall() == [(first,)]
        cursor.execute("SELECT id FROM scorecard_choices")
        assert cursor.fetchall() == [(step,)]
        refused(cursor, _STEP, (uuid.uuid4(), team_a, second, True, world.user_id("collector_a")))
    with world.cursor("collector_b") as cursor:
        # Another team: no step, so no scorecard at all, and not team A's log.
        cursor.execute("SELECT count(*) FROM scorecards")
        assert cursor.fetchone() == (0,)
        cursor.execute("SELECT count(*) FROM scorecard_choices")
        assert cursor.fetchone() == (0,)
    with world.cursor("lead_a") as cursor:
        cursor.execute(_STEP, (uuid.uuid4(), team_a, second, True, lead_a))
    with world.cursor("collector_a") as cursor:
        # Promoted: the new version, and the old one no more.
        cursor.execute("SELECT id FROM scorecards")
        assert cursor.fetchall() == [(second,)]


# --- what a hostile review of issue 20 found the server taking (migration 0036) --------------


@attacks("legal-steps", "dispute-open")
def test_no_amount_of_a_legal_case_or_a_dispute_is_nan(world: World) -> None:
    """PostgreSQL's numeric holds NaN and orders it above every number: "never negative" and
    "more than zero" alone let it through."""
    mine = world.accounts["collector_a"]
    case = _referral(mine)
    key = case[0]
    nan = Decimal("NaN")
    with world.cursor("lead_a") as cursor:
        cursor.execute(REFER, case)
        cursor.execute(STEP, _step(key, mine, "lawyer", firm="金杜", lawyer="李律师"))
        for kind in ("cost", "recovery"):
            _refused_with(cursor, "is a number", STEP, _step(key, mine, kind, amount=nan))
        cursor.execute(
            STEP, _step(key, mine, "filing", case_number="(2026)京0105民初1号", court="朝阳")
        )
        _refused_with(cursor, "is a number", STEP, _step(key, mine, "judgment", amount=nan))
    assert world.admin("SELECT count(*) FROM legal_steps WHERE amount IS NOT NULL") == [(0,)]
    attempt, day = _dsp(world, mine, "collector_a")
    statement, values = _open_case(mine, attempt, _dispute_due(day))
    statement = statement.replace("decision)", "decision, claimed_amount)").replace(
        "%s, %s)", "%s, %s, %s)"
    )
    with world.cursor("collector_a") as cursor:
        _refused_with(cursor, "is a number", statement, (*values, nan))
    assert world.admin("SELECT count(*) FROM dispute_cases") == [(0,)]


@attacks("attachment-store")
def test_an_attachments_name_hides_nothing_behind_invisible_characters(world: World) -> None:
    """`invoice<U+202E>gpj.exe` shows as `invoiceexe.jpg` to whoever lists the files."""
    from tests.helpers.images import photo

    agents = world.accounts["agent_a"]
    visit = _visit_of(world, agents.loan_id, "agent_a")
    jpeg = photo(gps=False)
    for name in (
        "invoice\u202egpj.exe",
        "door\u200b.jpg",
        "door\u2066.jpg",
        "door\ufeff.jpg",
        "door\u2028.jpg",
        "door\U000e0041.jpg",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="bare file name"):
            _attach(world, "agent_a", agents.loan_id, visit, jpeg, name=name)
    assert _attachments_of(world, agents.loan_id) == (0, 0)
    _attach(world, "agent_a", agents.loan_id, visit, jpeg, name="门口通知 2026-12-08.jpg")
    assert _attachments_of(world, agents.loan_id) == (1, 1)


@attacks("complaint-log")
def test_a_complaint_concerns_a_collector_of_the_accounts_team(world: World) -> None:
    """The collector concerned is counted in their lead's dashboard: naming another team's
    collector would give them a complaint they never had."""
    mine = world.accounts["collector_a"]

    def naming(who: uuid.UUID) -> tuple[str, tuple[object, ...]]:
        statement, values = _complaint(mine)
        statement = statement.replace("due_on, reply)", "due_on, reply, collector_id)")
        return statement.replace("%s, %s)", "%s, %s, %s)"), (*values, who)

    with world.cursor("collector_a") as cursor:
        for key in ("collector_b", "lead_b"):
            _refused_with(cursor, "no such collector", *naming(world.user_id(key)))
        cursor.execute(*naming(world.user_id("collector_a")))
        cursor.execute(*naming(world.user_id("agent_a")))
    with world.cursor("lead_a") as cursor:
        cursor.execute(*naming(world.user_id("collector_a")))
        _refused_with(cursor, "no such collector", *naming(world.user_id("collector_b")))
    assert world.admin("SELECT count(*) FROM complaints") == [(3,)]


@attacks("legal-lead", "dispute-decision")
def test_an_account_whose_dispute_waits_is_not_referred_to_legal(world: World) -> None:
    mine = world.accounts["collector_a"]
    attempt, day = _dsp(world, mine, "collector_a")
    with world.cursor("collector_a") as cursor:
        cursor.execute(*_open_case(mine, attempt, _dispute_due(day)))
    (case,) = world.admin("SELECT id FROM dispute_cases")
    with world.cursor("lead_a") as cursor:
        _refused_with(cursor, "dispute waiting for a decision", REFER, _referral(mine))
        cursor.execute(*_decide(case[0]))
        cursor.execute(REFER, _referral(mine))
    assert world.admin("SELECT count(*) FROM legal_cases") == [(1,)]
