"""the server is the authority: ledger, plans, visits, marks, audit, logins

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:30:00.000000

PostgreSQL only (the embedded SQLite database is one user's own copy; this is a no-op there).
docs/security.md is the authority model this migration enforces; tests/central/ attacks it.

- The ledger (loans' terms and status, instalments, payments, borrowers' identity and address,
  contact points' numbers) is the lending system's: staff keep SELECT and lose every write on
  it, by column privileges. `cw_feed`, a NOLOGIN group an administrator may grant to the
  lending system's own login, holds those writes.
- What staff may still write is narrowed to columns: a borrower's marks, a number's marks, a
  loan's assignment (a lead's act, 0006's trigger).
- Marks that pause collection (vulnerable, dispute, cease-requested, deceased, legal referral,
  attorney, and a number's do-not-call / wrong-number) may be set by whoever works the account
  and lifted only by a team lead.
- The plan state machine runs on the server: the transitions of app.services.plans.lifecycle,
  decisions by a lead of another person's plan only, and a plan's terms checked against the
  limits in `server_policy` (loaded by `central init` from resources/plan_policy.json) whenever
  it is approved, issued or later without a lead's decision. Terms are fixed once made.
- Field visits: planned only by field agents and leads, on an active, unpaused account of their
  own (a lead: their team's) that is a visit candidate (an open visit request, or far enough
  past due); the second agent is a field agent or lead of the same team; the account, the
  agent and the day are fixed once planned; a visit made or cancelled is final.
- Audit rows are stamped by the server with the signed-in user; a login whose user is not
  active writes nothing.
- Logins: staff may connect to the central database (and `central init` revokes PUBLIC's
  CONNECT on the cluster's other databases, so it is the only one), and each
  staff login gets a statement timeout, an idle-in-transaction timeout and a connection limit
  (new ones from `central add-user`). An inactive user's login may not log in.
"""

import json
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
FEED = "cw_feed"
# Per staff login (app.services.sync.central.add_user sets the same on new ones).
STATEMENT_TIMEOUT = "60s"
IDLE_IN_TRANSACTION_TIMEOUT = "5min"
CONNECTION_LIMIT = 8
# server_policy key -> the resources file it starts from (central init loads them again).
RESOURCES = Path(__file__).resolve().parents[3] / "resources"
SERVER_POLICY = {
    "plan": "plan_policy.json",
    "visit": "visit_policy.json",
    "collection": "policy.json",
    "lender": "lender.json",
    "dispositions": "dispositions.json",
    "escalations": "escalations.json",
    "visit_outcomes": "visit_outcomes.json",
}

BORROWER_MARKS = (
    "vulnerable",
    "dispute_open",
    "cease_requested",
    "deceased",
    "legal_referral",
    "attorney_represented",
)
POINT_MARKS = ("do_not_call", "wrong_number")
# The columns staff may UPDATE, table by table; every other column of these tables is the
# lending system's (or fixed once written).
STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    # Marks, and what collection learns of the borrower (an employer found, a note); who the
    # borrower is and where they live are the lending system's.
    "borrowers": (*BORROWER_MARKS, "employer", "notes", "updated_at", "row_version"),
    "contact_points": (*POINT_MARKS, "row_version"),
    # A loan's row_version moves with its assignment; SELECT … FOR UPDATE needs one column.
    "loans": ("assigned_to_id", "assigned_at", "previous_assignee_id", "row_version"),
    "plan_instalments": ("paid_amount", "paid_on", "row_version"),
    # Logs with an outcome: what happened to them, never what was said or promised.
    "promises": ("status", "paid_amount", "resolved_at", "row_version"),
    "callbacks": ("done_at", "row_version"),
    "escalations": (
        "acknowledged_by_id",
        "acknowledged_at",
        "decision",
        "decided_at",
        "note",
        "row_version",
    ),
    "visit_requests": ("visit_id", "closed_at", "row_version"),
    "priority_overrides": ("cleared_at", "cleared_by_id", "row_version"),
    "sync_workstations": ("last_applied", "updated_at"),
}
# Tables whose whole-table UPDATE staff had before 0007 (0004-0006); now columns only.
WAS_WHOLE_UPDATE = (
    "borrowers",
    "contact_points",
    "instalments",
    "plan_instalments",
    "promises",
    "callbacks",
    "escalations",
    "visit_requests",
    "priority_overrides",
    "sync_workstations",
)
# Policies for writes staff no longer have (0004).
STALE_POLICIES = {"payments_insert": "payments", "instalments_update": "instalments"}
# The lending system's tables and what its feed writes in them.
LEDGER = ("borrowers", "contact_points", "loans", "instalments", "payments")

# Every refusal a trigger makes: the privilege error a missing grant or policy gives too.
REFUSE = "BEGIN RAISE EXCEPTION '%', message USING ERRCODE = 'insufficient_privilege'; END"

FUNCTIONS = {
    # Is this session a staff login (not an administrator's or the feed's connection)? Asked
    # of the membership itself: pg_has_role says yes to a superuser for every role.
    "cw_staff_session": (
        "boolean",
        "sql",
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        f"JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = '{STAFF}' "
        "AND r.rolname = session_user AND NOT r.rolsuper)",
    ),
    "cw_my_role": (
        "text",
        "sql",
        "SELECT role FROM users WHERE username = session_user::text AND active",
    ),
    # The server's business day (the policy's zone, loaded by central init).
    "cw_today": (
        "date",
        "sql",
        "SELECT (now() AT TIME ZONE coalesce((SELECT value ->> 'business_zone' "
        "FROM server_policy WHERE key = 'collection'), 'Asia/Shanghai'))::date",
    ),
}

# --- plans ---------------------------------------------------------------------------------

# app.services.plans.lifecycle._NEXT, and who may take the step.
PLAN_STEPS = (
    ("draft", "pending_approval"),
    ("draft", "approved"),
    ("draft", "cancelled"),
    ("pending_approval", "approved"),
    ("pending_approval", "rejected"),
    ("pending_approval", "cancelled"),
    ("approved", "issued"),
    ("approved", "cancelled"),
    ("issued", "active"),
    ("issued", "completed"),
    ("issued", "broken"),
    ("issued", "cancelled"),
    ("active", "completed"),
    ("active", "broken"),
    ("active", "cancelled"),
    ("broken", "active"),
    ("broken", "completed"),
)
PLAN_TERMS = (
    "loan_id",
    "created_by_id",
    "kind",
    "currency",
    "offered_on",
    "overdue_principal",
    "overdue_interest",
    "overdue_penalty",
    "overdue_fees",
    "total_amount",
    "down_payment",
    "penalty_waived",
    "discount",
    "frequency",
    "created_at",
)
PLAN_DECISION = ("approved_by_id", "approved_at", "decision_reason")
PLAN_AGREEMENT = (
    "agreement_no",
    "agreement_date",
    "agreement_sha256",
    "agreement_terms",
    "issued_at",
)
# app.services.plans.lifecycle.OPEN: an account has one of these at a time.
PLAN_OPEN = ("draft", "pending_approval", "approved", "issued", "active")
PLAN_STATUSES = (*PLAN_OPEN, "rejected", "completed", "broken", "cancelled")
# States a plan reaches only within policy or with a lead's approval.
PLAN_AGREED = ("approved", "issued", "active", "completed", "broken")


def _distinct(columns: Sequence[str]) -> str:
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    return f"ROW({new}) IS DISTINCT FROM ROW({old})"


# The limits a plan breaks, worked out by the server from the plan's own terms and lines and
# the loan's schedule (app.services.plans.offers._breaches is the workstation's twin). The
# overdue amounts a plan states are no more than the schedule left unpaid before the offer day,
# plus what was paid since (a plan made offline, pushed after a payment arrived).
PLAN_BREACHES = """
DECLARE
    limits jsonb := (SELECT value FROM server_policy WHERE key = 'plan');
    found text[] := '{}';
    overdue numeric := p.overdue_principal + p.overdue_interest + p.overdue_penalty
        + p.overdue_fees;
    lines integer;
    smallest numeric;
    first_due date;
    owed_principal numeric;
    owed_other numeric;
    penalty_cap numeric;
    paid_since numeric;
BEGIN
    IF limits IS NULL THEN
        PERFORM cw_refuse('The server has no plan policy: an administrator runs central init.');
    END IF;
    SELECT coalesce(sum(i.principal_due - i.principal_paid), 0),
           coalesce(sum(i.interest_due - i.interest_paid + i.fees_due - i.fees_paid), 0),
           coalesce(sum(i.principal_due * l.penalty_rate_daily
                        * greatest(p.offered_on - i.due_date, 0)), 0)
      INTO owed_principal, owed_other, penalty_cap
      FROM instalments i JOIN loans l ON l.id = i.loan_id
     WHERE i.loan_id = p.loan_id AND i.due_date < p.offered_on;
    SELECT coalesce(sum(amount), 0) INTO paid_since FROM payments
     WHERE loan_id = p.loan_id AND paid_at >= p.offered_on - interval '1 day';
    -- No more than the schedule left unpaid before the offer plus what was paid since, and no
    -- less than what is still unpaid of it now.
    IF p.overdue_principal < 0 OR p.overdue_interest < 0 OR p.overdue_fees < 0
       OR p.overdue_penalty < 0 OR p.overdue_principal > owed_principal + paid_since
       OR p.overdue_interest + p.overdue_fees > owed_other + paid_since
       OR p.overdue_principal < owed_principal OR p.overdue_interest + p.overdue_fees < owed_other
       OR p.overdue_penalty > round(penalty_cap, 2) + 0.01 THEN
        found := found || 'overdue_amounts'::text;
    END IF;
    IF p.penalty_waived < 0 OR p.discount < 0 OR p.down_payment < 0 THEN
        found := found || 'negative_amounts'::text;
    END IF;
    IF p.kind <> 'settlement' AND p.discount <> 0 THEN
        found := found || 'max_discount_share_of_overdue'::text;
    END IF;
    IF (p.kind = 'instalments' AND p.down_payment >= p.total_amount)
       OR (p.kind <> 'instalments' AND p.down_payment <> 0) THEN
        found := found || 'down_payment'::text;
    END IF;
    IF p.penalty_waived > round(p.overdue_penalty
            * (limits ->> 'max_waiver_share_of_penalty')::numeric, 2) THEN
        found := found || 'max_waiver_share_of_penalty'::text;
    END IF;
    IF p.total_amount <> overdue - p.penalty_waived - p.discount THEN
        found := found || 'total_amount'::text;
    END IF;
    SELECT count(*), min(amount), min(due_date) INTO lines, smallest, first_due
      FROM plan_instalments WHERE plan_id = p.id;
    IF first_due IS NOT NULL
       AND first_due - p.offered_on > (limits ->> 'max_days_to_first_payment')::integer THEN
        found := found || 'max_days_to_first_payment'::text;
    END IF;
    IF p.kind = 'instalments' THEN
        IF NOT (limits -> 'frequencies') ? p.frequency THEN
            found := found || 'frequencies'::text;
        END IF;
        -- Each line falls due where the frequency puts it (offers.schedule).
        IF EXISTS (SELECT 1 FROM plan_instalments line WHERE line.plan_id = p.id
                    AND line.due_date <> (SELECT first.due_date FROM plan_instalments first
                                           WHERE first.plan_id = p.id AND first.seq = 1)
                        + CASE p.frequency
                            WHEN 'weekly' THEN make_interval(days => 7 * (line.seq - 1))
                            WHEN 'biweekly' THEN make_interval(days => 14 * (line.seq - 1))
                            ELSE make_interval(months => line.seq - 1) END) THEN
            found := found || 'schedule'::text;
        END IF;
        IF lines > (limits ->> 'max_instalments')::integer THEN
            found := found || 'max_instalments'::text;
        END IF;
        IF smallest < (limits ->> 'min_instalment')::numeric THEN
            found := found || 'min_instalment'::text;
        END IF;
    ELSIF p.kind = 'settlement' THEN
        IF p.discount > round(overdue
                * (limits ->> 'max_discount_share_of_overdue')::numeric, 2) THEN
            found := found || 'max_discount_share_of_overdue'::text;
        END IF;
        IF p.total_amount < round(p.overdue_principal
                * (limits ->> 'min_settlement_share_of_principal')::numeric, 2) THEN
            found := found || 'min_settlement_share_of_principal'::text;
        END IF;
    END IF;
    IF p.kind <> 'instalments' AND (p.frequency <> 'once' OR lines > 1) THEN
        found := found || 'schedule'::text;
    END IF;
    RETURN found;
END
"""

# A plan agreed without a lead's decision breaks no limit: the one refusal every path gives.
WITHIN_POLICY = """
DECLARE
    breaches text[] := cw_plan_breaches(p);
BEGIN
    IF cardinality(breaches) > 0 THEN
        PERFORM cw_refuse('The plan is beyond policy (' || array_to_string(breaches, ', ')
            || '): only a team lead approves it.');
    END IF;
END
"""

# What has been paid on a plan (its lines and down payment) cannot exceed the payments the
# server has on the loan since the plan was made.
PLAN_PAID_OK = """
SELECT paid <= coalesce((SELECT sum(amount) FROM payments
                         WHERE loan_id = loan AND paid_at >= since), 0)
"""

# The agreement number the workstation gives (app.services.plans.terms.agreement_number).
AGREEMENT_NUMBER = """
SELECT coalesce((SELECT value ->> 'agreement_prefix' FROM server_policy WHERE key = 'lender'),
                'HX') || '-' || to_char(day, 'YYYYMMDD') || '-'
       || upper(substr(replace(plan_id::text, '-', ''), 1, 8))
"""

PLAN_GUARD = """
DECLARE
    me uuid;
    lines_paid numeric;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    me := cw_me();
    IF me IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF NEW.status NOT IN (@STATUSES@) THEN
        PERFORM cw_refuse('Unknown plan status ' || NEW.status || '.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.created_by_id IS DISTINCT FROM me THEN
            PERFORM cw_refuse('A plan is made in the name of the signed-in user.');
        END IF;
        IF NEW.approved_by_id IS NOT NULL OR NEW.approved_at IS NOT NULL
           OR NEW.decision_reason IS NOT NULL OR NEW.status = 'rejected' THEN
            PERFORM cw_refuse('Only a team lead decides a plan, after it is made.');
        END IF;
        IF NEW.kind NOT IN ('full', 'instalments', 'settlement') THEN
            PERFORM cw_refuse('A plan is a full payment, instalments or a settlement.');
        END IF;
        IF EXISTS (SELECT 1 FROM repayment_plans other WHERE other.loan_id = NEW.loan_id
                    AND other.id <> NEW.id AND other.status IN (@OPEN@)) THEN
            PERFORM cw_refuse('The account already has an open repayment plan.');
        END IF;
        IF NEW.offered_on IS NULL OR NEW.offered_on > cw_today()
           OR NEW.offered_on < cw_today() - 14 THEN
            PERFORM cw_refuse('A plan is offered today, or pushed within 14 days of it.');
        END IF;
        IF NEW.created_at < NEW.offered_on - interval '1 day'
           OR NEW.created_at > now() + interval '1 hour' THEN
            PERFORM cw_refuse('A plan is made on the day it is offered.');
        END IF;
        IF NEW.status IN (@AGREED@) THEN
            PERFORM cw_within_policy(NEW);
        END IF;
        IF NOT cw_plan_paid_ok(NEW.loan_id, NEW.created_at, NEW.down_payment_paid) THEN
            PERFORM cw_refuse('A plan is paid by payments the server has.');
        END IF;
    ELSE
        IF @TERMS_CHANGED@ OR NEW.breaches::text IS DISTINCT FROM OLD.breaches::text THEN
            PERFORM cw_refuse('A plan''s terms are fixed once it is made.');
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            IF (OLD.status, NEW.status) NOT IN (@STEPS@) THEN
                PERFORM cw_refuse('A plan that is ' || OLD.status || ' cannot become '
                    || NEW.status || '.');
            END IF;
            IF OLD.status = 'pending_approval' AND NEW.status IN ('approved', 'rejected') THEN
                IF cw_my_role() IS DISTINCT FROM 'team_lead' THEN
                    PERFORM cw_refuse('Only a team lead approves or rejects a plan.');
                END IF;
                IF OLD.created_by_id = me THEN
                    PERFORM cw_refuse('A plan cannot be decided by the person who made it.');
                END IF;
                IF NEW.approved_by_id IS DISTINCT FROM me THEN
                    PERFORM cw_refuse('A decision is made in the name of the signed-in lead.');
                END IF;
                IF NEW.approved_at IS NULL OR NEW.approved_at < OLD.created_at
                   OR NEW.approved_at > now() + interval '1 hour' THEN
                    PERFORM cw_refuse('A decision is dated when it is made.');
                END IF;
                IF NEW.status = 'rejected'
                   AND coalesce(btrim(NEW.decision_reason), '') = '' THEN
                    PERFORM cw_refuse('A rejection says why.');
                END IF;
            ELSIF @DECISION_CHANGED@ THEN
                PERFORM cw_refuse('Only a team lead decides a plan that waits for approval.');
            END IF;
            IF NEW.status IN (@AGREED@) AND NEW.approved_by_id IS NULL THEN
                PERFORM cw_within_policy(NEW);
            END IF;
        ELSIF @DECISION_CHANGED@ THEN
            PERFORM cw_refuse('Only a team lead decides a plan that waits for approval.');
        END IF;
        -- Numbered while approved (the workstation writes the number, then the state), and
        -- fixed from then on.
        IF @AGREEMENT_CHANGED@ AND NOT (OLD.status = 'approved'
                AND NEW.status IN ('approved', 'issued')) THEN
            PERFORM cw_refuse('An agreement is numbered when its plan is issued, and kept.');
        END IF;
        IF NEW.down_payment_paid IS DISTINCT FROM OLD.down_payment_paid THEN
            SELECT coalesce(sum(paid_amount), 0) INTO lines_paid FROM plan_instalments
             WHERE plan_id = NEW.id;
            IF NOT cw_plan_paid_ok(NEW.loan_id, NEW.created_at,
                                   lines_paid + NEW.down_payment_paid) THEN
                PERFORM cw_refuse('A plan is paid by payments the server has.');
            END IF;
        END IF;
    END IF;
    -- An agreement belongs to a plan given to the borrower, and its number is the plan's own.
    IF NEW.agreement_no IS NOT NULL OR NEW.issued_at IS NOT NULL THEN
        IF NEW.status IN ('draft', 'pending_approval', 'rejected')
           OR (TG_OP = 'INSERT' AND NEW.status = 'approved') THEN
            PERFORM cw_refuse('An agreement is numbered when its plan is issued, and kept.');
        END IF;
        IF NEW.agreement_no IS DISTINCT FROM cw_agreement_number(NEW.id, NEW.agreement_date)
           OR NEW.agreement_date < NEW.offered_on OR NEW.agreement_date > cw_today()
           OR NEW.issued_at > now() + interval '1 hour' THEN
            PERFORM cw_refuse('An agreement is numbered by its plan and the day it is issued.');
        END IF;
    END IF;
    IF NEW.status = 'completed' AND NEW.status IS DISTINCT FROM OLD.status
       AND coalesce((SELECT sum(amount) FROM payments WHERE loan_id = NEW.loan_id
                     AND paid_at >= NEW.created_at), 0) < NEW.total_amount THEN
        PERFORM cw_refuse('A plan is completed by payments the server has.');
    END IF;
    RETURN NEW;
END
"""

# A plan's lines: added only while they do not exceed what the plan leaves to pay in
# instalments (its total less the down payment), so a plan whose lines are all there takes no
# more; never changed once written, except what is paid of them, which payments must cover.
PLAN_LINES_GUARD = """
DECLARE
    plan repayment_plans%ROWTYPE;
    lines_paid numeric;
    scheduled numeric;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND ROW(NEW.plan_id, NEW.seq, NEW.due_date, NEW.amount)
           IS DISTINCT FROM ROW(OLD.plan_id, OLD.seq, OLD.due_date, OLD.amount) THEN
        PERFORM cw_refuse('A plan''s instalments are fixed once made.');
    END IF;
    SELECT * INTO plan FROM repayment_plans WHERE id = NEW.plan_id;
    IF NOT FOUND THEN
        PERFORM cw_refuse('There is no such plan for you.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT coalesce(sum(amount), 0) INTO scheduled FROM plan_instalments
         WHERE plan_id = NEW.plan_id;
        IF NEW.amount <= 0 OR scheduled + NEW.amount > plan.total_amount - plan.down_payment
           OR NEW.due_date < plan.offered_on THEN
            PERFORM cw_refuse('A plan''s instalments add up to its total, and no more.');
        END IF;
    END IF;
    IF NEW.paid_amount < 0 OR NEW.paid_amount > NEW.amount THEN
        PERFORM cw_refuse('A plan is paid by payments the server has.');
    END IF;
    IF NEW.paid_amount <> 0 AND (TG_OP = 'INSERT' OR NEW.paid_amount > OLD.paid_amount) THEN
        SELECT coalesce(sum(paid_amount), 0) + NEW.paid_amount INTO lines_paid
          FROM plan_instalments WHERE plan_id = NEW.plan_id
           AND NOT (TG_OP = 'UPDATE' AND seq = OLD.seq);
        IF NOT cw_plan_paid_ok(plan.loan_id, plan.created_at,
                               lines_paid + plan.down_payment_paid) THEN
            PERFORM cw_refuse('A plan is paid by payments the server has.');
        END IF;
    END IF;
    RETURN NEW;
END
"""
PLAN_LINES_CHECK = """
DECLARE
    plan repayment_plans%ROWTYPE;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NULL;
    END IF;
    SELECT * INTO plan FROM repayment_plans WHERE id = NEW.plan_id;
    IF plan.status IN (@AGREED@) AND plan.approved_by_id IS NULL THEN
        PERFORM cw_within_policy(plan);
    END IF;
    RETURN NULL;
END
"""


def _plan_sql(body: str) -> str:
    return (
        body.replace("@AGREED@", ", ".join(f"'{s}'" for s in PLAN_AGREED))
        .replace("@STEPS@", ", ".join(f"('{a}', '{b}')" for a, b in PLAN_STEPS))
        .replace("@OPEN@", ", ".join(f"'{s}'" for s in PLAN_OPEN))
        .replace("@STATUSES@", ", ".join(f"'{s}'" for s in PLAN_STATUSES))
        .replace("@TERMS_CHANGED@", _distinct(PLAN_TERMS))
        .replace("@DECISION_CHANGED@", _distinct(PLAN_DECISION))
        .replace("@AGREEMENT_CHANGED@", _distinct(PLAN_AGREEMENT))
    )


# --- logs: consistent with their account, in the codes the workstation knows ----------------

ATTEMPT_GUARD = """
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF NEW.borrower_id IS DISTINCT FROM (SELECT borrower_id FROM loans WHERE id = NEW.loan_id)
       OR (NEW.contact_point_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact_points
            WHERE id = NEW.contact_point_id AND borrower_id = NEW.borrower_id)) THEN
        PERFORM cw_refuse('A contact is logged on the account''s own borrower and numbers.');
    END IF;
    IF TG_TABLE_NAME = 'contact_attempts' AND NOT EXISTS (
            SELECT 1 FROM server_policy, jsonb_array_elements(value -> 'codes') AS code
             WHERE key = 'dispositions' AND code ->> 'code' = NEW.disposition) THEN
        PERFORM cw_refuse('Unknown outcome ' || NEW.disposition || '.');
    END IF;
    RETURN NEW;
END
"""

ESCALATION_GUARD = """
DECLARE
    me uuid := cw_me();
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF ROW(NEW.acknowledged_by_id, NEW.acknowledged_at, NEW.decision, NEW.decided_at)
           IS DISTINCT FROM ROW(NULL::uuid, NULL::timestamptz, NULL::text, NULL::timestamptz) THEN
            PERFORM cw_refuse('An escalation is raised open; a lead acknowledges and decides it.');
        END IF;
        IF NEW.raised_at > now() + interval '1 hour'
           OR NEW.raised_at < now() - interval '90 days' THEN
            PERFORM cw_refuse('An escalation is dated when it is raised.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM server_policy, jsonb_array_elements(value -> 'kinds') AS k
                        WHERE key = 'escalations' AND k ->> 'kind' = NEW.kind)
           OR NEW.borrower_id IS DISTINCT FROM
              (SELECT borrower_id FROM loans WHERE id = NEW.loan_id) THEN
            PERFORM cw_refuse('Unknown escalation ' || NEW.kind || ' on this account.');
        END IF;
        RETURN NEW;
    END IF;
    IF ROW(NEW.loan_id, NEW.borrower_id, NEW.attempt_id, NEW.kind, NEW.raised_by_id,
           NEW.raised_at) IS DISTINCT FROM ROW(OLD.loan_id, OLD.borrower_id, OLD.attempt_id,
           OLD.kind, OLD.raised_by_id, OLD.raised_at) THEN
        PERFORM cw_refuse('An escalation''s account, kind and raiser are fixed.');
    END IF;
    IF NEW.acknowledged_by_id IS DISTINCT FROM OLD.acknowledged_by_id
       AND (OLD.acknowledged_by_id IS NOT NULL OR NEW.acknowledged_by_id IS DISTINCT FROM me) THEN
        PERFORM cw_refuse('A lead acknowledges an escalation once, in their own name.');
    END IF;
    IF OLD.decision IS NOT NULL AND ROW(NEW.decision, NEW.decided_at, NEW.note)
       IS DISTINCT FROM ROW(OLD.decision, OLD.decided_at, OLD.note) THEN
        PERFORM cw_refuse('An escalation''s decision is final.');
    END IF;
    IF NEW.decision IS NOT NULL AND (NEW.decision NOT IN ('pause', 'resume', 'refer')
       OR NEW.decided_at IS NULL OR NEW.decided_at > now() + interval '1 hour'
       OR NEW.decided_at < NEW.raised_at) THEN
        PERFORM cw_refuse('A decision is pause, resume or refer, dated when it is made.');
    END IF;
    IF NEW.acknowledged_at > now() + interval '1 hour'
       OR NEW.acknowledged_at < NEW.raised_at THEN
        PERFORM cw_refuse('An escalation is acknowledged when it is.');
    END IF;
    RETURN NEW;
END
"""

REVIEW_GUARD = """
DECLARE
    me uuid := cw_me();
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF ROW(NEW.collector_id, NEW.loan_id) IS DISTINCT FROM
           (SELECT ROW(user_id, loan_id) FROM contact_attempts WHERE id = NEW.attempt_id) THEN
            PERFORM cw_refuse('A review is of the contact''s own collector.');
        END IF;
        RETURN NEW;
    END IF;
    IF ROW(NEW.attempt_id, NEW.loan_id, NEW.collector_id, NEW.reviewer_id)
       IS DISTINCT FROM ROW(OLD.attempt_id, OLD.loan_id, OLD.collector_id, OLD.reviewer_id)
       OR (ROW(NEW.answers::text, NEW.score, NEW.comment, NEW.reviewed_at) IS DISTINCT FROM
           ROW(OLD.answers::text, OLD.score, OLD.comment, OLD.reviewed_at)
           AND OLD.reviewer_id IS DISTINCT FROM me) THEN
        PERFORM cw_refuse('A review is changed by its own reviewer only.');
    END IF;
    RETURN NEW;
END
"""

OVERRIDE_GUARD = """
BEGIN
    IF cw_staff_session() AND NEW.cleared_by_id IS DISTINCT FROM OLD.cleared_by_id
       AND NEW.cleared_by_id IS DISTINCT FROM cw_me() THEN
        PERFORM cw_refuse('A lead clears an override in their own name.');
    END IF;
    RETURN NEW;
END
"""

LOAN_ASSIGNEE_GUARD = """
BEGIN
    IF cw_staff_session() AND NEW.assigned_to_id IS DISTINCT FROM OLD.assigned_to_id
       AND NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.assigned_to_id AND active
                       AND role IN ('collector', 'field_agent', 'team_lead')) THEN
        PERFORM cw_refuse('A loan moves to an active member of the team.');
    END IF;
    RETURN NEW;
END
"""


# --- marks ---------------------------------------------------------------------------------


def _lifted(marks: Sequence[str]) -> str:
    return " OR ".join(f"(OLD.{m} AND NOT NEW.{m})" for m in marks)


MARKS_GUARD = """
BEGIN
    IF cw_staff_session() AND ({lifted})
       AND cw_my_role() IS DISTINCT FROM 'team_lead' THEN
        {refuse};
    END IF;
    RETURN NEW;
END
"""

# --- field visits --------------------------------------------------------------------------

# The team's visitors: active field agents and leads of the signed-in user's team.
TEAM_VISITOR = (
    "(SELECT true FROM users u WHERE u.id = {who} AND u.active "
    "AND u.role IN ('field_agent', 'team_lead') AND u.team_id = cw_my_team())"
)
VISIT_GUARD = """
DECLARE
    me uuid;
    role text;
    loan loans%ROWTYPE;
    min_dpd integer;
    oldest date;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    me := cw_me();
    role := cw_my_role();
    IF NEW.disposition IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM server_policy, jsonb_array_elements(value -> 'outcomes') AS o
             WHERE key = 'visit_outcomes' AND o ->> 'code' = NEW.disposition) THEN
        PERFORM cw_refuse('Unknown visit outcome ' || NEW.disposition || '.');
    END IF;
    IF NEW.visited_at > now() + interval '1 hour' THEN
        PERFORM cw_refuse('A visit is recorded when it was made.');
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF ROW(NEW.id, NEW.loan_id, NEW.agent_id, NEW.planned_for, NEW.created_at)
           IS DISTINCT FROM ROW(OLD.id, OLD.loan_id, OLD.agent_id, OLD.planned_for,
                                OLD.created_at) THEN
            PERFORM cw_refuse('A visit''s account, agent and day are fixed once planned.');
        END IF;
        IF OLD.status <> 'planned' THEN
            PERFORM cw_refuse('A visit made or cancelled is final.');
        END IF;
        IF NEW.second_agent_id IS DISTINCT FROM OLD.second_agent_id
           AND NEW.second_agent_id IS NOT NULL
           AND (NEW.second_agent_id = NEW.agent_id OR @VISITOR@ IS NULL) THEN
            PERFORM cw_refuse('The second agent is a field agent or lead of your team.');
        END IF;
        RETURN NEW;
    END IF;
    IF role IS NULL OR role NOT IN ('field_agent', 'team_lead') THEN
        PERFORM cw_refuse('Only field agents and team leads plan home visits.');
    END IF;
    IF NEW.agent_id IS DISTINCT FROM me THEN
        PERFORM cw_refuse('A visit is planned by its own agent.');
    END IF;
    IF NEW.second_agent_id IS NOT NULL AND (NEW.second_agent_id = me OR @VISITOR@ IS NULL) THEN
        PERFORM cw_refuse('The second agent is a field agent or lead of your team.');
    END IF;
    -- A visit already made may arrive from an agent whose account moved during the shift
    -- (the handover week, as for their other offline work).
    SELECT * INTO loan FROM loans l WHERE l.id = NEW.loan_id AND (l.assigned_to_id = me
        OR (role = 'team_lead' AND l.assigned_to_id IN
            (SELECT id FROM users WHERE team_id = cw_my_team()))
        OR (NEW.status = 'done' AND l.previous_assignee_id = me
            AND l.assigned_at > now() - interval '7 days'));
    IF NOT FOUND THEN
        PERFORM cw_refuse('A visit is planned on an account of your own (a lead: of your team).');
    END IF;
    -- Planned or already recorded (a visit made offline arrives done): never on a paused or
    -- closed account.
    IF loan.status <> 'active' OR EXISTS (SELECT 1 FROM borrowers b
            WHERE b.id = loan.borrower_id AND (@MARKS@)) THEN
        PERFORM cw_refuse('The account is paused or closed; it cannot be visited.');
    END IF;
    IF NEW.status = 'planned' THEN
        min_dpd := coalesce((SELECT (value -> 'candidates' ->> 'min_dpd')::integer
                             FROM server_policy WHERE key = 'visit'), 30);
        SELECT min(due_date) INTO oldest FROM instalments
         WHERE loan_id = loan.id AND settled_on IS NULL AND due_date < cw_today();
        IF NOT EXISTS (SELECT 1 FROM visit_requests r
                        WHERE r.loan_id = loan.id AND r.closed_at IS NULL)
           AND (oldest IS NULL OR cw_today() - oldest < min_dpd) THEN
            PERFORM cw_refuse('The account is not a visit candidate: no open visit request, '
                || 'and less than ' || min_dpd || ' days past due.');
        END IF;
    END IF;
    RETURN NEW;
END
""".replace("@VISITOR@", TEAM_VISITOR.format(who="NEW.second_agent_id")).replace(
    "@MARKS@", " OR ".join(f"b.{m}" for m in BORROWER_MARKS)
)
# 0004/0005's update policy let anyone who saw the account change a visit; now its agents,
# and a lead of the account's team.
VISIT_UPDATE = (
    "agent_id = (SELECT cw_me()) OR second_agent_id = (SELECT cw_me()) "
    "OR ((SELECT cw_is_lead()) AND loan_id IN (SELECT id FROM loans))"
)
VISIT_UPDATE_0005 = (
    "(loan_id IN (SELECT id FROM loans) OR agent_id = (SELECT cw_me()) "
    "OR second_agent_id = (SELECT cw_me()))"
)
VISIT_INSERT_0004 = "loan_id IN (SELECT id FROM loans) AND agent_id = cw_me()"

# --- audit ---------------------------------------------------------------------------------

AUDIT_GUARD = """
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    NEW.user_id := cw_me();
    IF NEW.user_id IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    -- A workstation's clock may run a little fast, and its trail may wait offline for weeks.
    IF NEW.at > now() + interval '1 hour' OR NEW.at < now() - interval '90 days' THEN
        PERFORM cw_refuse('An audit event is dated when it happened.');
    END IF;
    IF NEW.action !~ '^[a-z_]+(\\.[a-z_]+)+$' OR NEW.entity !~ '^[a-z_]+$' THEN
        PERFORM cw_refuse('An audit event names an action and an entity.');
    END IF;
    RETURN NEW;
END
"""
AUDIT_INSERT = "user_id = (SELECT cw_me())"
AUDIT_INSERT_0004 = "user_id = cw_me() OR user_id IS NULL"

TRIGGERS: dict[str, tuple[str, str, str]] = {
    # name: (table, events, body)
    "repayment_plans_guard": ("repayment_plans", "BEFORE INSERT OR UPDATE", _plan_sql(PLAN_GUARD)),
    "plan_instalments_guard": (
        "plan_instalments",
        "BEFORE INSERT OR UPDATE",
        _plan_sql(PLAN_LINES_GUARD),
    ),
    "borrowers_marks": (
        "borrowers",
        "BEFORE UPDATE",
        MARKS_GUARD.format(
            lifted=_lifted(BORROWER_MARKS),
            refuse="PERFORM cw_refuse('Only a team lead lifts a mark that pauses collection.')",
        ),
    ),
    "contact_points_marks": (
        "contact_points",
        "BEFORE UPDATE",
        MARKS_GUARD.format(
            lifted=_lifted(POINT_MARKS),
            refuse="PERFORM cw_refuse('Only a team lead lifts a mark on a number.')",
        ),
    ),
    "field_visits_guard": ("field_visits", "BEFORE INSERT OR UPDATE", VISIT_GUARD),
    "audit_events_stamp": ("audit_events", "BEFORE INSERT", AUDIT_GUARD),
    "contact_attempts_guard": ("contact_attempts", "BEFORE INSERT", ATTEMPT_GUARD),
    "contact_blocks_guard": ("contact_blocks", "BEFORE INSERT", ATTEMPT_GUARD),
    "escalations_guard": ("escalations", "BEFORE INSERT OR UPDATE", ESCALATION_GUARD),
    "call_reviews_guard": ("call_reviews", "BEFORE INSERT OR UPDATE", REVIEW_GUARD),
    "priority_overrides_guard": ("priority_overrides", "BEFORE UPDATE", OVERRIDE_GUARD),
    "loans_assignee": ("loans", "BEFORE UPDATE", LOAN_ASSIGNEE_GUARD),
}
# (name, arguments, returns, language, body): helpers the triggers call.
HELPERS = (
    ("cw_refuse", "message text", "void", "plpgsql", REFUSE),
    ("cw_agreement_number", "plan_id uuid, day date", "text", "sql", AGREEMENT_NUMBER),
    (
        "cw_plan_paid_ok",
        "loan uuid, since timestamptz, paid numeric",
        "boolean",
        "sql",
        PLAN_PAID_OK,
    ),
)
# 0005's visit scope, and the one that also keeps a visit made in the last week (its promise
# and escalations are written after it is marked done).
VISIT_LOANS_0005 = (
    "SELECT loan_id FROM field_visits WHERE status = 'planned' "
    "AND (agent_id = cw_me() OR second_agent_id = cw_me())"
)
VISIT_LOANS = (
    "SELECT loan_id FROM field_visits WHERE (agent_id = cw_me() OR second_agent_id = cw_me()) "
    "AND (status = 'planned' "
    "OR (status = 'done' AND visited_at > now() - interval '7 days'))"
)
# A row's version moves by one with each change a workstation sends (app.services.sync.engine);
# a version set at will would make every other workstation's edit of the row a conflict.
ROW_VERSION_STEP = """
BEGIN
    IF cw_staff_session() AND NEW.row_version IS DISTINCT FROM OLD.row_version
       AND NEW.row_version IS DISTINCT FROM OLD.row_version + 1 THEN
        PERFORM cw_refuse('A row''s version moves by one with each change.');
    END IF;
    RETURN NEW;
END
"""
VERSIONED_BY_STAFF = (
    "borrowers",
    "contact_points",
    "loans",
    "plan_instalments",
    "promises",
    "callbacks",
    "escalations",
    "visit_requests",
    "priority_overrides",
    "repayment_plans",
    "field_visits",
    "call_reviews",
)
# Large objects live outside the tables and their row security: staff make none.
LARGE_OBJECTS = (
    "lo_creat(integer)",
    "lo_create(oid)",
    "lo_from_bytea(oid, bytea)",
    "lo_import(text)",
    "lo_import(text, oid)",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{FEED}') THEN "
        f"CREATE ROLE {FEED} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {FEED}")
    op.execute(
        "CREATE TABLE server_policy (key text PRIMARY KEY, value jsonb NOT NULL, "
        "loaded_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute(f"ALTER TABLE server_policy OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON server_policy FROM PUBLIC")
    op.execute(f"GRANT SELECT ON server_policy TO {STAFF}, {FEED}")
    op.execute("ALTER TABLE server_policy ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE server_policy FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY server_policy_select ON server_policy FOR SELECT TO {STAFF}, {FEED} "
        "USING (true)"
    )
    for key, name in SERVER_POLICY.items():
        value = json.loads((RESOURCES / name).read_text(encoding="utf-8"))
        op.get_bind().execute(
            sa.text("INSERT INTO server_policy (key, value) VALUES (:key, CAST(:value AS jsonb))"),
            {"key": key, "value": json.dumps(value, ensure_ascii=False)},
        )
    # The schema's revision: a staff login's command line checks it is current.
    op.execute(f"GRANT SELECT ON alembic_version TO {STAFF}, {FEED}")

    for name, (returns, language, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS {returns} LANGUAGE {language} STABLE "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION {name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}() FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}() TO {STAFF}, {FEED}")
    for name, arguments, returns, language, body in HELPERS:
        op.execute(
            f"CREATE FUNCTION {name}({arguments}) RETURNS {returns} LANGUAGE {language} "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION {name}({arguments}) OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}({arguments}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}({arguments}) TO {STAFF}")
    op.execute(
        "CREATE FUNCTION cw_plan_breaches(p repayment_plans) RETURNS text[] LANGUAGE plpgsql "
        f"STABLE SET search_path = public AS $$ {PLAN_BREACHES} $$"
    )
    op.execute(f"ALTER FUNCTION cw_plan_breaches(repayment_plans) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_plan_breaches(repayment_plans) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_plan_breaches(repayment_plans) TO {STAFF}")
    op.execute(
        "CREATE FUNCTION cw_within_policy(p repayment_plans) RETURNS void LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {WITHIN_POLICY} $$"
    )
    op.execute(f"ALTER FUNCTION cw_within_policy(repayment_plans) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_within_policy(repayment_plans) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_within_policy(repayment_plans) TO {STAFF}")

    # The ledger: staff read it; only the feed (and administrators) write it.
    for table in LEDGER:
        op.execute(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {STAFF}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {FEED}")
        for command in ("SELECT", "INSERT", "UPDATE"):
            clause = "WITH CHECK (true)" if command == "INSERT" else "USING (true)"
            if command == "UPDATE":
                clause += " WITH CHECK (true)"
            op.execute(
                f"CREATE POLICY {table}_feed_{command.lower()} ON {table} FOR {command} "
                f"TO {FEED} {clause}"
            )
    for table in WAS_WHOLE_UPDATE:
        op.execute(f"REVOKE UPDATE ON {table} FROM {STAFF}")
    for policy, table in STALE_POLICIES.items():
        op.execute(f"DROP POLICY {policy} ON {table}")
    for table, columns in STAFF_COLUMNS.items():
        op.execute(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {STAFF}")

    for name, (table, events, body) in TRIGGERS.items():
        op.execute(
            f"CREATE FUNCTION cw_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION cw_{name}() OWNER TO {OWNER}")
        op.execute(
            f"CREATE TRIGGER {name} {events} ON {table} FOR EACH ROW EXECUTE FUNCTION cw_{name}()"
        )
    op.execute(
        "CREATE FUNCTION cw_plan_instalments_check() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {_plan_sql(PLAN_LINES_CHECK)} $$"
    )
    op.execute(f"ALTER FUNCTION cw_plan_instalments_check() OWNER TO {OWNER}")
    op.execute(
        "CREATE TRIGGER plan_instalments_check AFTER INSERT ON plan_instalments "
        "FOR EACH ROW EXECUTE FUNCTION cw_plan_instalments_check()"
    )
    op.execute(
        f"ALTER POLICY field_visits_update ON field_visits USING ({VISIT_UPDATE}) "
        f"WITH CHECK ({VISIT_UPDATE})"
    )
    op.execute(f"ALTER POLICY audit_events_insert ON audit_events WITH CHECK ({AUDIT_INSERT})")
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_my_visit_loans() RETURNS SETOF uuid LANGUAGE sql STABLE "
        f"SECURITY DEFINER SET search_path = public AS $$ {VISIT_LOANS} $$"
    )
    for function in LARGE_OBJECTS:
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
    op.execute(
        "CREATE FUNCTION cw_row_version_step() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {ROW_VERSION_STEP} $$"
    )
    op.execute(f"ALTER FUNCTION cw_row_version_step() OWNER TO {OWNER}")
    for table in VERSIONED_BY_STAFF:
        op.execute(
            f"CREATE TRIGGER {table}_row_version BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cw_row_version_step()"
        )

    _logins()


def _logins() -> None:
    """Staff connect to this database (`central init` revokes PUBLIC's CONNECT on the cluster's
    other databases: app.services.sync.central.close_other_databases); timeouts and a limit on
    every staff login; no login for a user who is not active."""
    op.execute(
        f"""
        DO $$
        DECLARE
            login text;
        BEGIN
            EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC',
                           current_database());
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO {STAFF}, {FEED}',
                           current_database());
            -- This database's users only: roles are the cluster's, and another database's
            -- users are none of this one's business.
            FOR login IN SELECT r.rolname FROM pg_roles r
                          JOIN pg_auth_members m ON m.member = r.oid
                          JOIN pg_roles g ON g.oid = m.roleid AND g.rolname = '{STAFF}'
                          JOIN users u ON u.username = r.rolname LOOP
                EXECUTE format('ALTER ROLE %I CONNECTION LIMIT {CONNECTION_LIMIT}', login);
                EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', login,
                               '{STATEMENT_TIMEOUT}');
                EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L',
                               login, '{IDLE_IN_TRANSACTION_TIMEOUT}');
                IF NOT EXISTS (SELECT 1 FROM users WHERE username = login AND active) THEN
                    EXECUTE format('ALTER ROLE %I NOLOGIN', login);
                END IF;
            END LOOP;
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER POLICY audit_events_insert ON audit_events WITH CHECK ({AUDIT_INSERT_0004})")
    op.execute(
        f"ALTER POLICY field_visits_update ON field_visits USING {VISIT_UPDATE_0005} "
        f"WITH CHECK {VISIT_UPDATE_0005}"
    )
    for table in VERSIONED_BY_STAFF:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_row_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS cw_row_version_step()")
    for function in LARGE_OBJECTS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_my_visit_loans() RETURNS SETOF uuid LANGUAGE sql STABLE "
        f"SECURITY DEFINER SET search_path = public AS $$ {VISIT_LOANS_0005} $$"
    )
    op.execute("DROP TRIGGER IF EXISTS plan_instalments_check ON plan_instalments")
    op.execute("DROP FUNCTION IF EXISTS cw_plan_instalments_check()")
    for name, (table, _events, _body) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS cw_{name}()")
    for table, columns in STAFF_COLUMNS.items():
        op.execute(f"REVOKE UPDATE ({', '.join(columns)}) ON {table} FROM {STAFF}")
    # 0004-0006's grants and policies.
    for table in WAS_WHOLE_UPDATE:
        op.execute(f"GRANT UPDATE ON {table} TO {STAFF}")
    op.execute(f"GRANT INSERT ON payments TO {STAFF}")
    op.execute(
        f"CREATE POLICY payments_insert ON payments FOR INSERT TO {STAFF} "
        "WITH CHECK (loan_id IN (SELECT id FROM loans))"
    )
    op.execute(
        f"CREATE POLICY instalments_update ON instalments FOR UPDATE TO {STAFF} "
        "USING (loan_id IN (SELECT id FROM loans)) WITH CHECK (loan_id IN (SELECT id FROM loans))"
    )
    op.execute(
        f"GRANT UPDATE (status, row_version, assigned_to_id, assigned_at, previous_assignee_id) "
        f"ON loans TO {STAFF}"
    )
    for table in LEDGER:
        for command in ("SELECT", "INSERT", "UPDATE"):
            op.execute(f"DROP POLICY IF EXISTS {table}_feed_{command.lower()} ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {FEED}")
    op.execute("DROP FUNCTION IF EXISTS cw_within_policy(repayment_plans)")
    op.execute("DROP FUNCTION IF EXISTS cw_plan_breaches(repayment_plans)")
    for name, arguments, _returns, _language, _body in HELPERS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}({arguments})")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute(f"REVOKE SELECT ON alembic_version FROM {STAFF}, {FEED}")
    op.execute("DROP TABLE IF EXISTS server_policy")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {FEED}")
    op.execute(
        "DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO PUBLIC', "
        f"current_database()); EXECUTE format('REVOKE ALL ON DATABASE %I FROM {FEED}', "
        "current_database()); END $$"
    )
