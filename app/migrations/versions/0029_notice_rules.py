"""a credit-reporting notice: dated when recorded, the strategy's wait, a letter on record

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-11 09:00:00.000000

Issue 19, review. The notice (不良信息报送告知) is what lets adverse information be reported,
so the server holds every login that may record one (the reminders job's, a team lead's) to
what makes it a notice, in words (trigger `credit_notices_guard`):

- dated when it is recorded: within ten minutes of the server's clock, never earlier (a
  notice back-dated would let reporting begin at once) nor later;
- reporting may begin only the strategy's days after the notice's day (in the business
  zone): `credit_reporting.reporting_after_days` of the borrower's profile, which `central
  init` loads (server_policy `credit_reporting`, `jurisdictions`);
- the job's notice is a credit-reporting message of its own on the same loan and channel that
  reached the borrower: an SMS once its delivery report said delivered, an e-mail once the mail
  server took it (SMTP reports nothing later); it withdraws (deletes) such a notice only when a
  later report says that message never arrived;
- a lead's notice is for a letter on record: the credit-reporting notice letter the lead issued
  on that account in the same transaction (its `letter.issued` audit event names the letter).

Collectors and field agents are still refused by row security (they insert no notice). An
administrator's own connection is not held (it loads and repairs data). PostgreSQL only; a
no-op on SQLite.
"""

import json
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAFF = "cw_staff"
SYSTEM = "cw_system"
OWNER = "cw_owner"
ME = "(SELECT cw_me())"

# The strategy's days for a loan: its borrower's profile (by country, else the default) in
# server_policy `credit_reporting`; NULL when central init loaded none. Run as the caller.
NOTICE_DAYS = (
    "SELECT (r.value ->> coalesce(j.value -> 'by_country' ->> b.country, "
    "j.value ->> 'default'))::integer FROM loans l JOIN borrowers b ON b.id = l.borrower_id "
    "CROSS JOIN server_policy r CROSS JOIN server_policy j WHERE l.id = loan "
    "AND r.key = 'credit_reporting' AND j.key = 'jurisdictions'"
)
SKEW = "interval '10 minutes'"
RESOURCES = Path(__file__).resolve().parents[3] / "resources"


def _policy() -> dict[str, object]:
    """What central init loads again (app.services.sync.central.load_server_policy): each
    profile's days before reporting, and which profile a borrower's country takes."""
    days = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))["credit_reporting"][
            "reporting_after_days"
        ]
        for path in sorted((RESOURCES / "reminders").glob("[A-Z][A-Z].json"))
    }
    places = json.loads((RESOURCES / "compliance" / "jurisdictions.json").read_text("utf-8"))
    return {"credit_reporting": days, "jurisdictions": places}


GUARD = f"""
DECLARE
    me uuid;
    days integer;
    zone text;
    went text;
BEGIN
    IF cw_system_session() THEN
        me := cw_me();
    ELSIF cw_staff_session() AND cw_is_lead() THEN
        me := cw_me();
    ELSE
        -- An administrator's connection; a collector or field agent meets row security.
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT m.status INTO went FROM reminder_messages m WHERE m.id = OLD.message_id;
        IF went IS NULL OR went NOT IN ('failed', 'opted_out') THEN
            PERFORM cw_refuse('A credit-reporting notice stays on record unless a report said '
                || 'its message never reached the borrower.');
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.notified_at IS NULL OR NEW.notified_at < now() - {SKEW}
       OR NEW.notified_at > now() + {SKEW} THEN
        PERFORM cw_refuse('A credit-reporting notice is dated when it is recorded (the '
            || 'server''s clock, ten minutes either way), never earlier or later.');
    END IF;
    days := cw_notice_days(NEW.loan_id);
    IF days IS NULL THEN
        PERFORM cw_refuse('The server has no reminder strategy for this account: an '
            || 'administrator runs central init.');
    END IF;
    zone := coalesce((SELECT value ->> 'business_zone' FROM server_policy
                      WHERE key = 'collection'), 'Asia/Shanghai');
    IF NEW.reporting_from IS NULL
       OR NEW.reporting_from < (NEW.notified_at AT TIME ZONE zone)::date + days THEN
        PERFORM cw_refuse('Reporting may begin ' || days || ' days after the notice (the '
            || 'strategy), not earlier.');
    END IF;
    IF cw_system_session() THEN
        SELECT m.status INTO went FROM reminder_messages m
         WHERE m.id = NEW.message_id AND m.user_id = me AND m.loan_id = NEW.loan_id
           AND m.kind = 'credit_notice' AND m.channel = NEW.channel;
        IF went IS NULL OR NOT (went = 'delivered' OR (went = 'sent' AND NEW.channel = 'email'))
        THEN
            PERFORM cw_refuse('A credit-reporting notice is the job''s own notice message, on '
                || 'the same account and channel, once it reached the borrower: an SMS '
                || 'delivered, an e-mail taken by the mail server.');
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.document_id IS NULL OR NOT EXISTS (
           SELECT 1 FROM audit_events a WHERE a.user_id = me AND a.action = 'letter.issued'
              AND a.entity = 'loan' AND a.entity_id = NEW.loan_id::text
              AND a.details ->> 'kind' = 'credit_notice'
              AND a.details ->> 'letter_id' = NEW.document_id::text) THEN
        PERFORM cw_refuse('A credit-reporting notice is for a letter on record: the notice '
            || 'letter issued on this account.');
    END IF;
    RETURN NEW;
END
"""

# The insert policies keep who may insert which row; the guard says the rest in words.
SYSTEM_CHECK = (
    f"recorded_by_id = {ME} AND document_id IS NULL AND message_id IS NOT NULL "
    "AND channel IN ('sms', 'email')"
)
LEAD_CHECK = (
    "(SELECT cw_is_lead()) AND recorded_by_id = (SELECT cw_me()) "
    "AND channel = 'letter' AND message_id IS NULL AND document_id IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM loans WHERE loans.id = credit_notices.loan_id)"
)
# As 0022 and 0024 left them.
SYSTEM_CHECK_0022 = (
    f"recorded_by_id = {ME} AND document_id IS NULL "
    "AND EXISTS (SELECT 1 FROM reminder_messages m WHERE m.id = credit_notices.message_id "
    f"AND m.user_id = {ME} AND m.loan_id = credit_notices.loan_id "
    "AND m.kind = 'credit_notice' AND m.status = 'sent' AND m.channel = credit_notices.channel "
    "AND m.sent_at = credit_notices.notified_at) "
    "AND reporting_from > (notified_at AT TIME ZONE 'UTC')::date"
)
LEAD_CHECK_0024 = (
    "(SELECT cw_is_lead()) AND recorded_by_id = (SELECT cw_me()) "
    "AND channel = 'letter' AND message_id IS NULL AND document_id IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM loans WHERE loans.id = credit_notices.loan_id) "
    "AND reporting_from > (notified_at AT TIME ZONE 'UTC')::date "
    "AND notified_at BETWEEN now() - interval '10 minutes' AND now() + interval '10 minutes'"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for key, value in _policy().items():
        bind.exec_driver_sql(
            "INSERT INTO server_policy (key, value) VALUES (%s, %s::jsonb) "
            "ON CONFLICT (key) DO NOTHING",
            (key, json.dumps(value, ensure_ascii=False)),
        )
    op.execute(
        "CREATE FUNCTION cw_notice_days(loan uuid) RETURNS integer LANGUAGE sql STABLE "
        f"SET search_path = public AS $$ {NOTICE_DAYS} $$"
    )
    op.execute(f"ALTER FUNCTION cw_notice_days(uuid) OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_notice_days(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_notice_days(uuid) TO {STAFF}, {SYSTEM}")
    op.execute(
        "CREATE FUNCTION cw_credit_notices_guard() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {GUARD} $$"
    )
    op.execute(f"ALTER FUNCTION cw_credit_notices_guard() OWNER TO {OWNER}")
    op.execute(
        "CREATE TRIGGER credit_notices_guard BEFORE INSERT OR DELETE ON credit_notices "
        "FOR EACH ROW EXECUTE FUNCTION cw_credit_notices_guard()"
    )
    for name, check in (("system_insert", SYSTEM_CHECK), ("lead_insert", LEAD_CHECK)):
        op.execute(f"ALTER POLICY credit_notices_{name} ON credit_notices WITH CHECK ({check})")
    # The job withdraws its own message's notice (the guard: only once reported undelivered).
    op.execute(f"GRANT DELETE ON credit_notices TO {SYSTEM}")
    op.execute(
        f"CREATE POLICY credit_notices_system_delete ON credit_notices FOR DELETE TO {SYSTEM} "
        f"USING (recorded_by_id = {ME} AND message_id IS NOT NULL)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS credit_notices_system_delete ON credit_notices")
    op.execute(f"REVOKE DELETE ON credit_notices FROM {SYSTEM}")
    op.execute(
        f"ALTER POLICY credit_notices_lead_insert ON credit_notices WITH CHECK ({LEAD_CHECK_0024})"
    )
    op.execute(
        "ALTER POLICY credit_notices_system_insert ON credit_notices "
        f"WITH CHECK ({SYSTEM_CHECK_0022})"
    )
    op.execute("DROP TRIGGER IF EXISTS credit_notices_guard ON credit_notices")
    op.execute("DROP FUNCTION IF EXISTS cw_credit_notices_guard()")
    op.execute("DROP FUNCTION IF EXISTS cw_notice_days(uuid)")
    op.execute("DELETE FROM server_policy WHERE key IN ('credit_reporting', 'jurisdictions')")
