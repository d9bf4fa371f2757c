"""a reminder's course on the central server: retries, a killed run resumed, opted-out reports

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-12 12:00:00.000000

Issue 19, review: 0022's guard refused the reminders job's own login the course a message
legitimately takes, so on the central server one "try again later" answer, a run killed and
resumed by the next one, or a delivery report saying the borrower opted out stopped the run
(or the reports) for good. A message now keeps `retries`: how many of its sends did not go (the
provider answered "try again later", or had no trace of a send a killed run began). On
PostgreSQL the job's login (`cw_system`) is held to that course, and no further:

- The moment a send began (`sent_at`) is set when it begins and never rewritten: an answer
  recorded later, by the same run or the next, keeps it. Only an answer that the send did not
  go clears it, on a message still planned, counting the try (`retries` + 1, with the answer in
  `error`); `retries` moves no other way. A send is not dated ahead of now.
- A message leaves `planned` for sent, failed, opted out or delivered with the moment its send
  began; a sent message moves only by its delivery report (`reported_at`), to delivered, failed
  or opted out; a message is opted out only with the borrower's opt-out of that channel on
  record. A delivery report is dated after its message was sent (or planned, or written) and
  not ahead of now (ten minutes either way for the provider's clock).
- A contact the job records is the outcome of one message: no more contacts of its own for a
  message than the messages still waiting for one. A SENT contact becomes DELIVERED, FAILED or
  OPTED-OUT, as its report says.
- An opt-out the job records comes from the borrower, the provider's answer, or a delivery
  report.

SQLite gains the column only. A message planned and answered "try again later" before this
revision counts one try.
"""

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 0022's guards, which this revision redefines (and gives back on downgrade).
SYSTEM_ROLE = importlib.import_module("app.migrations.versions.0022_system_role")
SYSTEM = "cw_system"
POINT_KIND: str = SYSTEM_ROLE.POINT_KIND
# How far a provider's clock (a delivery report's date) may be from the server's.
SKEW = "interval '10 minutes'"
MESSAGE_STEPS = (
    ("planned", "sent"),
    ("planned", "failed"),
    ("planned", "opted_out"),
    ("planned", "cancelled"),
    # A delivery report for a message whose answer a killed run never recorded.
    ("planned", "delivered"),
    ("sent", "delivered"),
    ("sent", "failed"),
    # A delivery report saying the recipient refused the sender's messages (MOBILE_IN_BLACK).
    ("sent", "opted_out"),
)
OPT_OUT_SOURCES = ("borrower", "provider", "delivery report")
OPT_OUT_POLICY = "reminder_opt_outs_system_insert"


def _opt_out_check(sources: Sequence[str]) -> str:
    return (
        "recorded_by_id = (SELECT cw_me()) AND channel IN ('sms', 'email') "
        f"AND source IN ({', '.join(repr(source) for source in sources)})"
    )


MESSAGES_GUARD = (
    """
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
        IF NEW.status <> 'planned' OR NEW.retries <> 0 OR ROW(NEW.provider_id, NEW.sent_at,
               NEW.reported_at, NEW.attempt_id) IS DISTINCT FROM ROW(NULL::text,
               NULL::timestamptz, NULL::timestamptz, NULL::uuid) THEN
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
       AND ROW(NEW.status, NEW.provider_id, NEW.error, NEW.sent_at, NEW.reported_at,
               NEW.retries)
           IS DISTINCT FROM ROW(OLD.status, OLD.provider_id, OLD.error, OLD.sent_at,
                                OLD.reported_at, OLD.retries) THEN
        PERFORM cw_refuse('A message that is ' || OLD.status || ' is final.');
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (@STEPS@) THEN
        PERFORM cw_refuse('A message that is ' || OLD.status || ' cannot become '
            || NEW.status || '.');
    END IF;
    -- The moment a send began: never rewritten; taken back only by an answer that the send
    -- did not go, on a message still planned, the try counted.
    IF NEW.retries IS DISTINCT FROM OLD.retries
       OR (OLD.sent_at IS NOT NULL AND NEW.sent_at IS NULL) THEN
        IF NOT (OLD.status = 'planned' AND NEW.status = 'planned'
                AND OLD.sent_at IS NOT NULL AND NEW.sent_at IS NULL
                AND NEW.retries = OLD.retries + 1 AND NEW.error IS NOT NULL) THEN
            PERFORM cw_refuse('A send is taken back only by its answer that it did not go, '
                || 'and each such try is counted.');
        END IF;
    ELSIF OLD.sent_at IS NOT NULL AND NEW.sent_at IS DISTINCT FROM OLD.sent_at THEN
        PERFORM cw_refuse('A message is sent once: the moment its send began is kept.');
    END IF;
    IF OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL
       AND (OLD.status <> 'planned' OR NEW.sent_at > now() + interval '1 hour') THEN
        PERFORM cw_refuse('A send begins on a planned message, and not ahead of now.');
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NEW.status <> 'cancelled' AND NEW.sent_at IS NULL THEN
            PERFORM cw_refuse('A message''s outcome is recorded with the moment its send '
                || 'began.');
        END IF;
        IF OLD.status = 'sent' AND NEW.reported_at IS NULL THEN
            PERFORM cw_refuse('A message that is sent moves only by its delivery report.');
        END IF;
        IF NEW.status = 'opted_out' AND NOT EXISTS (SELECT 1 FROM reminder_opt_outs o
                WHERE o.borrower_id = NEW.borrower_id AND o.channel = NEW.channel) THEN
            PERFORM cw_refuse('A message is refused as opted out only with the borrower''s '
                || 'opt-out of that channel on record.');
        END IF;
    END IF;
    IF NEW.reported_at IS DISTINCT FROM OLD.reported_at
       AND (NEW.reported_at IS NULL OR NEW.reported_at > now() + @SKEW@
            OR NEW.reported_at < least(NEW.sent_at, NEW.planned_at, NEW.created_at) - @SKEW@) THEN
        PERFORM cw_refuse('A delivery report is dated after its message was sent, and not '
            || 'ahead of now.');
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
""".replace("@KIND@", POINT_KIND.format(channel="NEW.channel"))
    .replace("@STEPS@", ", ".join(f"('{a}', '{b}')" for a, b in MESSAGE_STEPS))
    .replace("@SKEW@", SKEW)
)

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
           AND NOT (OLD.disposition = 'SENT'
                    AND NEW.disposition IN ('DELIVERED', 'FAILED', 'OPTED-OUT')) THEN
            PERFORM cw_refuse('A reminder sent becomes delivered, failed or opted out, as its '
                || 'delivery report says; nothing else about a contact changes.');
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
    -- Once: each of its contacts not yet linked to a message stands for one of the messages
    -- still waiting for theirs (the message is linked in the same transaction).
    IF (SELECT count(*) FROM reminder_messages m WHERE m.user_id = me
         AND m.loan_id = NEW.loan_id AND m.contact_point_id = NEW.contact_point_id
         AND m.channel = NEW.channel AND m.attempt_id IS NULL)
       <= (SELECT count(*) FROM contact_attempts a WHERE a.user_id = me
            AND a.loan_id = NEW.loan_id AND a.contact_point_id = NEW.contact_point_id
            AND a.channel = NEW.channel
            AND NOT EXISTS (SELECT 1 FROM reminder_messages m WHERE m.loan_id = a.loan_id
                             AND m.attempt_id = a.id)) THEN
        PERFORM cw_refuse('The reminders job records the outcome of a message it planned, '
            || 'once.');
    END IF;
    RETURN NEW;
END
""".replace("@KIND@", POINT_KIND.format(channel="NEW.channel"))

# name: (the function's body now, as 0022 made it).
GUARDS = {
    "cw_reminder_messages_guard": (MESSAGES_GUARD, SYSTEM_ROLE.MESSAGES_GUARD),
    "cw_contact_attempts_system": (ATTEMPTS_GUARD, SYSTEM_ROLE.ATTEMPTS_GUARD),
}


def _guards(which: int) -> None:
    for name, bodies in GUARDS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {bodies[which]} $$"
        )


def upgrade() -> None:
    op.add_column(
        "reminder_messages",
        sa.Column("retries", sa.Integer(), nullable=False, server_default="0"),
    )
    # A message planned and answered "try again later" before this revision: one try counted.
    op.execute(
        "UPDATE reminder_messages SET retries = 1 WHERE status = 'planned' AND sent_at IS NULL"
        " AND error IS NOT NULL"
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"GRANT UPDATE (retries) ON reminder_messages TO {SYSTEM}")
    _guards(0)
    op.execute(
        f"ALTER POLICY {OPT_OUT_POLICY} ON reminder_opt_outs "
        f"WITH CHECK ({_opt_out_check(OPT_OUT_SOURCES)})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER POLICY {OPT_OUT_POLICY} ON reminder_opt_outs "
            f"WITH CHECK ({_opt_out_check(OPT_OUT_SOURCES[:2])})"
        )
        _guards(1)
        op.execute(f"REVOKE UPDATE (retries) ON reminder_messages FROM {SYSTEM}")
    op.drop_column("reminder_messages", "retries")
