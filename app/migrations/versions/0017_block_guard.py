"""block guard: a staff login's contact block is checked without an outcome it does not have

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 12:00:00.000000

0007 gave contact_blocks the body of the contact attempts' guard, which refuses an unknown
outcome "IF TG_TABLE_NAME = 'contact_attempts' AND NOT EXISTS (… NEW.disposition …)".
PL/pgSQL does not skip the second term for a block: it reads NEW.disposition, which a block
does not have, and the insert fails ("record new has no field disposition"). Every contact
block a staff login wrote (a dial the rules refused, logged on the server by the CLI or sent
by a workstation's sync) failed. The block keeps the rest of the check: its account's own
borrower, and a number of that borrower.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BLOCK_GUARD = """
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF NEW.borrower_id IS DISTINCT FROM (SELECT borrower_id FROM loans WHERE id = NEW.loan_id)
       OR (NEW.contact_point_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact_points
            WHERE id = NEW.contact_point_id AND borrower_id = NEW.borrower_id)) THEN
        PERFORM cw_refuse('A contact is logged on the account''s own borrower and numbers.');
    END IF;
    RETURN NEW;
END
"""

# 0007's body, as it was (the downgrade puts it back).
BLOCK_GUARD_0007 = """
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


def _replace(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_contact_blocks_guard() RETURNS trigger "
        f"LANGUAGE plpgsql SET search_path = public AS $$ {body} $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(BLOCK_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(BLOCK_GUARD_0007)
