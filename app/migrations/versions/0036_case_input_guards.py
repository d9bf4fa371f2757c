"""the server refuses what the services refuse of issue 20's cases: NaN money, a spoofing file
name, a complaint about someone outside the account's team, a disputed account sent to law

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-08 02:40:00.000000

A hostile review of issue 20 (legal referral, disputes and complaints, attachments) signed in
with `psql` as a staff login found what the server took and should not:

- a legal step's amount (a cost, a recovery, a judgment) or a dispute's amount claimed paid of
  `'NaN'`: PostgreSQL's numeric holds NaN and orders it above every number, so "never
  negative" and "more than zero" passed it (trigger `legal_steps_finite`,
  `dispute_cases_finite`);
- an attachment's name with a bidirectional override or another invisible format character
  (`invoice<U+202E>gpj.exe` shows as `invoiceexe.jpg`): the name check knew control characters
  only (trigger `attachments_name`);
- a complaint naming as the collector concerned someone who is no collector, field agent or
  team lead of the account's team (another team's collector, the administrator), so their
  counts carried a complaint they never had (trigger `complaints_collector`);
- a referral to legal of an account whose dispute waits for a lead's decision (the borrower
  says the debt is wrong, paid, or not theirs: the lender answers before it goes to law;
  trigger `legal_cases_disputed`).

Each is a BEFORE INSERT OR UPDATE trigger of its own beside the tables' guards, in the services'
words; SQLite (the embedded copy) has no NaN and no staff logins, and needs none of them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"

# The invisible characters a name could hide behind (zero-width, bidirectional marks, embeddings,
# overrides and isolates, the word joiner, the byte order mark, line and paragraph separators),
# as the service's name check refuses them (app.services.common.attachments.check_name).
HIDDEN = (
    r"[\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    r"\U000e0001-\U000e007f]"
)

FUNCTIONS = {
    "legal_steps": (
        "finite",
        """
BEGIN
    IF NEW.amount = 'NaN'::numeric THEN
        PERFORM cw_refuse('An amount in a legal case is a number.');
    END IF;
    RETURN NEW;
END
""",
    ),
    "dispute_cases": (
        "finite",
        """
BEGIN
    IF NEW.claimed_amount = 'NaN'::numeric THEN
        PERFORM cw_refuse('An amount claimed paid is a number.');
    END IF;
    RETURN NEW;
END
""",
    ),
    "attachments": (
        "name",
        f"""
BEGIN
    IF NEW.file_name ~ E'{HIDDEN}' THEN
        PERFORM cw_refuse('An attachment''s name is a bare file name, no control character.');
    END IF;
    RETURN NEW;
END
""",
    ),
    "legal_cases": (
        "disputed",
        """
BEGIN
    IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM dispute_cases d
                                    WHERE d.loan_id = NEW.loan_id AND d.decision IS NULL) THEN
        PERFORM cw_refuse('The account has a dispute waiting for a decision: decide it before '
            || 'referring the account to legal.');
    END IF;
    RETURN NEW;
END
""",
    ),
    "complaints": (
        "collector",
        """
BEGIN
    IF NEW.collector_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM users u JOIN loans l ON l.id = NEW.loan_id
         WHERE u.id = NEW.collector_id
           AND u.role IN ('collector', 'field_agent', 'team_lead')
           AND (l.team_id IS NULL OR u.team_id = l.team_id)) THEN
        PERFORM cw_refuse('There is no such collector in the account''s team.');
    END IF;
    RETURN NEW;
END
""",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (name, body) in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION cw_{table}_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = public AS $$ {body} $$"
        )
        op.execute(f"ALTER FUNCTION cw_{table}_{name}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION cw_{table}_{name}() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER {table}_{name} BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION cw_{table}_{name}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, (name, _body) in FUNCTIONS.items():
        op.execute(f"DROP TRIGGER {table}_{name} ON {table}")
        op.execute(f"DROP FUNCTION cw_{table}_{name}()")
