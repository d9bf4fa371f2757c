"""the reminders job's own login: `cw_system`, with narrow rights enforced by the server

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-09 12:00:00.000000

Issue 19, item 3. `reminders run` signs in to the central server as a login of its own, made
by `central add-user NAME --role system`: a member of `cw_system` (as the lending system's
login is of `cw_feed`) and of nothing else. PostgreSQL only; a no-op on SQLite.

- The reminder tables (0021) belong to `cw_owner` with row security forced, as every table.
- `cw_system` reads what deciding who is due a message needs, of every account: loans' terms
  and status, borrowers' names, countries, marks and contact windows (never their ID numbers,
  addresses, employers, notes or attorneys), the borrower's own mobiles, e-mails and addresses
  (never a third party's), schedules, the status of promises, plans and escalations, the
  policy, the reminder tables, its own user row and its own contact attempts. It reads no
  note, review, visit, payment or audit event.
- It writes: reminder messages (planned in its own name, on an open account, to the
  borrower's own mobile or e-mail exactly as on file, not marked do-not-call or wrong, on a
  channel not opted out of; fixed once planned, moving only forward), opt-outs and
  credit-reporting notices in its own name, a contact attempt per message (its own, by SMS
  or e-mail, a reminder's outcome only, no conversation), the attempt's outcome only from
  SENT to DELIVERED or FAILED, and its own audit events. It deletes nothing.
- Staff write none of the reminder tables and record no reminder outcome on a contact; a team
  lead reads the messages, opt-outs and notices of the team's accounts (the Reminders view);
  collectors and field agents see each message as its contact attempt, in the timeline.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"
FEED = "cw_feed"
SYSTEM = "cw_system"
REMINDER_TABLES = ("reminder_messages", "reminder_opt_outs", "credit_notices")
ME = "(SELECT cw_me())"

# What deciding reads (app.services.reminders.dispatch), table by table: the columns (None:
# the whole row) and which rows. Row security is forced: a table it has no policy on shows
# it nothing.
SYSTEM_READS: dict[str, tuple[tuple[str, ...] | None, str]] = {
    # Its own row: who it is (cw_me() and the dispatcher look it up by session_user).
    "users": (None, "username = session_user::text"),
    "loans": (
        ("id", "contract_no", "borrower_id", "currency", "penalty_rate_daily", "status"),
        "true",
    ),
    "borrowers": (
        (
            "id",
            "name",
            "country",
            "province",
            "vulnerable",
            "dispute_open",
            "cease_requested",
            "deceased",
            "legal_referral",
            "attorney_represented",
            "agreed_window_start",
            "agreed_window_end",
            "erased_at",
        ),
        "true",
    ),
    # The borrower's own mobiles and e-mails (where a message goes) and addresses (the zones
    # the borrower may be in); a third party's number is not its to see.
    "contact_points": (
        (
            "id",
            "borrower_id",
            "position",
            "kind",
            "value",
            "time_zones",
            "do_not_call",
            "wrong_number",
        ),
        "kind IN ('mobile', 'email', 'address')",
    ),
    "instalments": (None, "true"),
    "promises": (("loan_id", "status"), "true"),
    "repayment_plans": (("loan_id", "status"), "true"),
    "escalations": (("loan_id", "decision"), "true"),
    "contact_attempts": (None, f"user_id = {ME}"),
    "server_policy": (None, "true"),
    "reminder_messages": (None, "true"),
    "reminder_opt_outs": (None, "true"),
    "credit_notices": (None, "true"),
}
# A delivery report moves these; what a message is stays as planned.
MESSAGE_PROGRESS = ("status", "provider_id", "error", "sent_at", "reported_at", "attempt_id")
MESSAGE_STEPS = (
    ("planned", "sent"),
    ("planned", "failed"),
    ("planned", "opted_out"),
    ("planned", "cancelled"),
    # A delivery report for a message whose answer a killed run never recorded.
    ("planned", "delivered"),
    ("sent", "delivered"),
    ("sent", "failed"),
)
# The channel a message goes by, and the kind of contact point it goes to.
POINT_KIND = "CASE {channel} WHEN 'sms' THEN 'mobile' WHEN 'email' THEN 'email' END"

FUNCTIONS = {
    # Is this session the reminders job's own login? Asked of the membership itself, as
    # cw_staff_session() is (pg_has_role says yes to a superuser for every role).
    "cw_system_session": (
        "",
        "boolean",
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        f"JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = '{SYSTEM}' "
        "AND r.rolname = session_user AND NOT r.rolsuper)",
    ),
    # A reminder's outcome (SENT, DELIVERED, FAILED, OPTED-OUT): the dispositions the policy
    # marks `by_system` (resources/dispositions.json, loaded by central init).
    "cw_by_system": (
        "code text",
        "boolean",
        "SELECT EXISTS (SELECT 1 FROM server_policy, jsonb_array_elements(value -> 'codes') c "
        "WHERE key = 'dispositions' AND c ->> 'code' = code "
        "AND coalesce((c ->> 'by_system')::boolean, false))",
    ),
}

ATTEMPTS_GUARD = """
DECLARE
    me uuid;
BEGIN
    IF cw_staff_session() THEN
        IF TG_OP = 'INSERT' AND cw_by_system(NEW.disposition) THEN
            PERFORM cw_refuse('A reminder''s outcome (' || NEW.disposition
                || ') is recorded by the reminders job alone, never by a person.');
        END IF;
        RETURN NEW;
    END IF;
    IF NOT cw_system_session() THEN
        RETURN NEW;
    END IF;
    me := cw_me();
    IF me IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.disposition IS DISTINCT FROM OLD.disposition
           AND NOT (OLD.disposition = 'SENT' AND NEW.disposition IN ('DELIVERED', 'FAILED')) THEN
            PERFORM cw_refuse('A reminder sent becomes delivered or failed, as its delivery '
                || 'report says; nothing else about a contact changes.');
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.user_id IS DISTINCT FROM me THEN
        PERFORM cw_refuse('The reminders job records a message in its own name.');
    END IF;
    IF NEW.channel NOT IN ('sms', 'email') OR NOT cw_by_system(NEW.disposition) THEN
        PERFORM cw_refuse('The reminders job records only a message''s outcome (SENT, '
            || 'DELIVERED, FAILED, OPTED-OUT), by SMS or e-mail.');
    END IF;
    IF NEW.right_party OR NEW.notes IS NOT NULL OR NEW.emotion IS NOT NULL
       OR NEW.script_stage IS NOT NULL OR NEW.duration_seconds <> 0
       OR NEW.after_call_seconds IS NOT NULL
       OR coalesce(json_array_length(NEW.checklist), 0) <> 0
       OR coalesce(json_array_length(NEW.script_steps), 0) <> 0 THEN
        PERFORM cw_refuse('A message is no conversation: no right party, notes, emotion, '
            || 'checklist or script.');
    END IF;
    IF NEW.started_at > now() + interval '1 hour'
       OR NEW.started_at < now() - interval '90 days' THEN
        PERFORM cw_refuse('A message is recorded when it was sent.');
    END IF;
    IF NEW.borrower_id IS DISTINCT FROM (SELECT borrower_id FROM loans WHERE id = NEW.loan_id)
       OR NOT EXISTS (SELECT 1 FROM contact_points p WHERE p.id = NEW.contact_point_id
                       AND p.borrower_id = NEW.borrower_id
                       AND p.kind = @KIND@) THEN
        PERFORM cw_refuse('A message goes to the account''s own borrower, at their own '
            || 'mobile (SMS) or e-mail.');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM reminder_messages m WHERE m.user_id = me
                    AND m.loan_id = NEW.loan_id AND m.contact_point_id = NEW.contact_point_id
                    AND m.channel = NEW.channel AND m.attempt_id IS NULL) THEN
        PERFORM cw_refuse('The reminders job records the outcome of a message it planned, '
            || 'once.');
    END IF;
    RETURN NEW;
END
""".replace("@KIND@", POINT_KIND.format(channel="NEW.channel"))

MESSAGES_GUARD = """
DECLARE
    me uuid;
BEGIN
    IF NOT cw_system_session() THEN
        RETURN NEW;
    END IF;
    me := cw_me();
    IF me IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.user_id IS DISTINCT FROM me THEN
            PERFORM cw_refuse('The reminders job plans a message in its own name.');
        END IF;
        IF NEW.status <> 'planned' OR ROW(NEW.provider_id, NEW.sent_at, NEW.reported_at,
               NEW.attempt_id) IS DISTINCT FROM ROW(NULL::text, NULL::timestamptz,
               NULL::timestamptz, NULL::uuid) THEN
            PERFORM cw_refuse('A message is planned, and committed, before it is sent.');
        END IF;
        IF NEW.channel NOT IN ('sms', 'email') THEN
            PERFORM cw_refuse('A reminder goes by SMS or e-mail.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM loans l JOIN borrowers b ON b.id = l.borrower_id
                        WHERE l.id = NEW.loan_id AND l.borrower_id = NEW.borrower_id
                          AND l.status = 'active' AND b.erased_at IS NULL) THEN
            PERFORM cw_refuse('A reminder is planned on an open account, for its own '
                || 'borrower.');
        END IF;
        IF NOT EXISTS (SELECT 1 FROM contact_points p WHERE p.id = NEW.contact_point_id
                        AND p.borrower_id = NEW.borrower_id AND p.kind = @KIND@
                        AND p.value = NEW.recipient
                        AND NOT p.do_not_call AND NOT p.wrong_number) THEN
            PERFORM cw_refuse('A reminder goes to the borrower''s own mobile (SMS) or e-mail, '
                || 'as on file and not marked do-not-call or wrong, and to nobody else.');
        END IF;
        IF EXISTS (SELECT 1 FROM reminder_opt_outs o WHERE o.borrower_id = NEW.borrower_id
                    AND o.channel = NEW.channel) THEN
            PERFORM cw_refuse('The borrower opted out of reminders by ' || NEW.channel || '.');
        END IF;
        RETURN NEW;
    END IF;
    -- What a message is stays as planned (column privileges); its course only moves forward.
    IF OLD.status NOT IN ('planned', 'sent')
       AND ROW(NEW.status, NEW.provider_id, NEW.error, NEW.sent_at, NEW.reported_at)
           IS DISTINCT FROM ROW(OLD.status, OLD.provider_id, OLD.error, OLD.sent_at,
                                OLD.reported_at) THEN
        PERFORM cw_refuse('A message that is ' || OLD.status || ' is final.');
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (@STEPS@) THEN
        PERFORM cw_refuse('A message that is ' || OLD.status || ' cannot become '
            || NEW.status || '.');
    END IF;
    IF OLD.sent_at IS NOT NULL AND NEW.sent_at IS DISTINCT FROM OLD.sent_at THEN
        PERFORM cw_refuse('A message is sent once.');
    END IF;
    IF NEW.attempt_id IS DISTINCT FROM OLD.attempt_id AND (OLD.attempt_id IS NOT NULL
       OR NOT EXISTS (SELECT 1 FROM contact_attempts a WHERE a.id = NEW.attempt_id
                       AND a.user_id = me AND a.loan_id = NEW.loan_id
                       AND a.contact_point_id = NEW.contact_point_id
                       AND a.channel = NEW.channel)) THEN
        PERFORM cw_refuse('A message''s contact attempt is its own, recorded once.');
    END IF;
    RETURN NEW;
END
""".replace("@KIND@", POINT_KIND.format(channel="NEW.channel")).replace(
    "@STEPS@", ", ".join(f"('{a}', '{b}')" for a, b in MESSAGE_STEPS)
)

AUDIT_STAMP = """
BEGIN
    IF NOT cw_system_session() THEN
        RETURN NEW;
    END IF;
    NEW.user_id := cw_me();
    IF NEW.user_id IS NULL THEN
        PERFORM cw_refuse('This login is not an active user.');
    END IF;
    IF NEW.at > now() + interval '1 hour' OR NEW.at < now() - interval '90 days' THEN
        PERFORM cw_refuse('An audit event is dated when it happened.');
    END IF;
    IF NEW.action !~ '^[a-z_]+(\\.[a-z_]+)+$' OR NEW.entity !~ '^[a-z_]+$' THEN
        PERFORM cw_refuse('An audit event names an action and an entity.');
    END IF;
    RETURN NEW;
END
"""

# name: (table, events, body); each function cw_<name>, owned by cw_owner, run as the caller.
TRIGGERS: dict[str, tuple[str, str, str]] = {
    "contact_attempts_system": ("contact_attempts", "BEFORE INSERT OR UPDATE", ATTEMPTS_GUARD),
    "reminder_messages_guard": ("reminder_messages", "BEFORE INSERT OR UPDATE", MESSAGES_GUARD),
    "audit_events_system_stamp": ("audit_events", "BEFORE INSERT", AUDIT_STAMP),
}

# A credit-reporting notice the job records is the notice message it sent: its own, on the
# same loan and channel, dated when it went, once; reporting begins after the notice's day.
NOTICE_CHECK = (
    f"recorded_by_id = {ME} AND document_id IS NULL "
    "AND EXISTS (SELECT 1 FROM reminder_messages m WHERE m.id = credit_notices.message_id "
    f"AND m.user_id = {ME} AND m.loan_id = credit_notices.loan_id "
    "AND m.kind = 'credit_notice' AND m.status = 'sent' AND m.channel = credit_notices.channel "
    "AND m.sent_at = credit_notices.notified_at) "
    "AND reporting_from > (notified_at AT TIME ZONE 'UTC')::date"
)
# (table, command, USING, WITH CHECK) for cw_system's writes.
SYSTEM_WRITES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("contact_attempts", "insert", None, f"user_id = {ME}"),
    ("contact_attempts", "update", f"user_id = {ME}", f"user_id = {ME}"),
    ("reminder_messages", "insert", None, f"user_id = {ME}"),
    ("reminder_messages", "update", f"user_id = {ME}", f"user_id = {ME}"),
    (
        "reminder_opt_outs",
        "insert",
        None,
        f"recorded_by_id = {ME} AND channel IN ('sms', 'email') "
        "AND source IN ('borrower', 'provider')",
    ),
    ("credit_notices", "insert", None, NOTICE_CHECK),
    ("audit_events", "insert", None, f"user_id = {ME}"),
)
SYSTEM_PRIVILEGES = (
    "GRANT INSERT, UPDATE (disposition) ON contact_attempts",
    f"GRANT INSERT, UPDATE ({', '.join(MESSAGE_PROGRESS)}) ON reminder_messages",
    "GRANT INSERT ON reminder_opt_outs",
    "GRANT INSERT ON credit_notices",
    "GRANT INSERT ON audit_events",
)
# A lead reads the reminders of the team's accounts; row security gives each lead their own.
LEAD_SEES = "(SELECT cw_is_lead()) AND EXISTS (SELECT 1 FROM {parent} WHERE {parent}.id = {key})"
STAFF_READS = {
    "reminder_messages": LEAD_SEES.format(parent="loans", key="reminder_messages.loan_id"),
    "reminder_opt_outs": LEAD_SEES.format(parent="borrowers", key="reminder_opt_outs.borrower_id"),
    "credit_notices": LEAD_SEES.format(parent="loans", key="credit_notices.loan_id"),
}
# Helpers the system's statements and triggers call (run as the caller).
CALLED = ("cw_me()", "cw_staff_session()", "cw_refuse(text)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SYSTEM}') THEN "
        f"CREATE ROLE {SYSTEM} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {SYSTEM}")
    op.execute(
        f"DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {SYSTEM}', "
        "current_database()); END $$"
    )
    # The schema's revision: the command line checks it is current.
    op.execute(f"GRANT SELECT ON alembic_version TO {SYSTEM}")
    for table in REMINDER_TABLES:
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")

    for name, (arguments, returns, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}({arguments}) RETURNS {returns} LANGUAGE sql STABLE "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION {name}({arguments}) OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}({arguments}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}({arguments}) TO {STAFF}, {FEED}, {SYSTEM}")
    for function in CALLED:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {SYSTEM}")

    for table, (columns, rows) in SYSTEM_READS.items():
        what = f"SELECT ({', '.join(columns)})" if columns else "SELECT"
        op.execute(f"GRANT {what} ON {table} TO {SYSTEM}")
        op.execute(
            f"CREATE POLICY {table}_system_select ON {table} FOR SELECT TO {SYSTEM} USING ({rows})"
        )
    for grant in SYSTEM_PRIVILEGES:
        op.execute(f"{grant} TO {SYSTEM}")
    for table, command, using, check in SYSTEM_WRITES:
        clauses = (f" USING ({using})" if using else "") + (
            f" WITH CHECK ({check})" if check else ""
        )
        op.execute(
            f"CREATE POLICY {table}_system_{command} ON {table} FOR {command.upper()} "
            f"TO {SYSTEM}{clauses}"
        )
    for name, (table, events, body) in TRIGGERS.items():
        op.execute(
            f"CREATE FUNCTION cw_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION cw_{name}() OWNER TO {OWNER}")
        op.execute(
            f"CREATE TRIGGER {name} {events} ON {table} FOR EACH ROW EXECUTE FUNCTION cw_{name}()"
        )

    for table, rows in STAFF_READS.items():
        op.execute(f"GRANT SELECT ON {table} TO {STAFF}")
        op.execute(f"CREATE POLICY {table}_select ON {table} FOR SELECT TO {STAFF} USING ({rows})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in STAFF_READS:
        op.execute(f"DROP POLICY IF EXISTS {table}_select ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {STAFF}")
    for name, (table, _events, _body) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS cw_{name}()")
    for table, command, _using, _check in SYSTEM_WRITES:
        op.execute(f"DROP POLICY IF EXISTS {table}_system_{command} ON {table}")
    for table in SYSTEM_READS:
        op.execute(f"DROP POLICY IF EXISTS {table}_system_select ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {SYSTEM}")
    for table in ("contact_attempts", "audit_events"):
        op.execute(f"REVOKE ALL ON {table} FROM {SYSTEM}")
    for function in CALLED:
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM {SYSTEM}")
    for name, (arguments, _returns, _body) in FUNCTIONS.items():
        op.execute(f"DROP FUNCTION IF EXISTS {name}({arguments})")
    op.execute(f"REVOKE SELECT ON alembic_version FROM {SYSTEM}")
    owner = op.get_bind().exec_driver_sql("SELECT current_user").scalar_one()
    for table in REMINDER_TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f'ALTER TABLE {table} OWNER TO "{owner}"')
    op.execute(
        f"DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM {SYSTEM}', "
        "current_database()); END $$"
    )
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {SYSTEM}")
