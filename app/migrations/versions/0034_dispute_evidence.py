"""dispute evidence: files attached to a dispute case, checked by the server

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-09 03:00:00.000000

Issue 20, item 3: the evidence the borrower sends (a scan, a photo, a payment receipt) is an
attachment of kind `dispute` (0032's store; `resources/attachment_policy.json` lists the kind
and its purposes, loaded by `central init`). `cw_attachments_guard` is made again with a
branch for it: the attachment's subject is a dispute case on the same account, still
undecided, and the adder is the collector who opened it, the account's collector or a team
lead (row security already keeps the account to the adder's scope: a lead's team). No schema
change: SQLite is untouched.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
# The end of 0032's visit branch, after which the dispute branch goes.
VISIT_END = (
    "            PERFORM cw_refuse('Only the visit''s agents or a team lead attach files to a"
    " visit.');\n        END IF;\n    END IF;\n"
)
DISPUTE = """    IF NEW.subject_kind = 'dispute' THEN
        SELECT d.loan_id, d.opened_by_id, d.decision, l.assigned_to_id INTO v_case
          FROM dispute_cases d JOIN loans l ON l.id = d.loan_id WHERE d.id = NEW.subject_id;
        IF NOT FOUND OR v_case.loan_id IS DISTINCT FROM NEW.loan_id THEN
            PERFORM cw_refuse('A dispute''s evidence is of a dispute case on the same account.');
        END IF;
        IF v_case.decision IS NOT NULL THEN
            PERFORM cw_refuse('A decided dispute takes no more evidence.');
        END IF;
        IF cw_me() IS DISTINCT FROM v_case.opened_by_id
           AND cw_me() IS DISTINCT FROM v_case.assigned_to_id AND NOT cw_is_lead() THEN
            PERFORM cw_refuse('Only the collector who opened the dispute, the account''s'
                              ' collector or a team lead attach its evidence.');
        END IF;
    END IF;
"""


def _guard_before() -> str:
    """0032's guard, as that migration made it."""
    path = Path(__file__).with_name("0032_attachments.py")
    spec = importlib.util.spec_from_file_location("cw_migration_0032_attachments", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.GUARD)


def guard() -> str:
    """The guard with the dispute branch after the visit's."""
    before = _guard_before()
    assert VISIT_END in before, "0032's guard changed: re-read it"
    return before.replace(
        "    v_visit record;\n", "    v_visit record;\n    v_case record;\n"
    ).replace(VISIT_END, VISIT_END + DISPUTE)


def _replace(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_attachments_guard() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = public AS $$ {body} $$"
    )
    op.execute(f"ALTER FUNCTION cw_attachments_guard() OWNER TO {OWNER}")
    op.execute("REVOKE ALL ON FUNCTION cw_attachments_guard() FROM PUBLIC")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(guard())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(_guard_before())
