"""contact upkeep: numbers and addresses collection learns, and the marks it sets on them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:00:00.000000

Issue 16 (contact upkeep, skip-tracing basics). A contact point may now be a postal address
(kind `address`, its parts in `province`, `city`, `district`, `street`), may be marked
`verified`, keeps the borrower's own words when it is marked do-not-call
(`do_not_call_words`), and names who in collection added it (`added_by_id`; none: the lending
system). A borrower carries a preferred channel, the attorney who represents them, and the
registered address as it read when a visit found them moved away (`address_moved_from`).

On PostgreSQL staff may now add a contact point to a borrower of their own scope, in their
own name, well formed and not already on file, and write the new columns that are
collection's; the triggers keep the do-not-call words with their mark, the attorney's name and
phone with theirs, and an agreed contact window and a preferred channel well formed
(docs/security.md: point-added, dnc-words, attorney, contact-terms). Marks that pause
collection are still lifted only by a team lead (0007's `borrowers_marks` and
`contact_points_marks`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"

# New nullable text columns and their lengths (a Column object is made afresh for each upgrade:
# one belongs to the table it was added to).
POINT_COLUMNS = {
    "do_not_call_words": 500,
    "province": 40,
    "city": 40,
    "district": 40,
    "street": 120,
}
BORROWER_COLUMNS = {
    "preferred_channel": 10,
    "attorney_name": 80,
    "attorney_firm": 120,
    "attorney_phone": 20,
    "address_moved_from": 240,
}
# What staff may now UPDATE beyond 0007's STAFF_COLUMNS: what collection learns.
STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    "borrowers": (
        "agreed_window_start",
        "agreed_window_end",
        "preferred_channel",
        "attorney_name",
        "attorney_firm",
        "attorney_phone",
        "address_moved_from",
    ),
    "contact_points": ("verified", "do_not_call_words"),
}
# app.models.ContactKind, and the phone kinds among them.
KINDS = ("mobile", "home", "work", "email", "emergency", "address")
PHONES = ("mobile", "home", "work", "emergency")
E164 = r"^\+[1-9][0-9]{6,14}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
CHANNELS = ("call", "sms", "email")


def _listed(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _blank(expression: str) -> str:
    return f"coalesce(btrim({expression}), '') = ''"


# Inside the borrower's own scope (the policy); here: in the adder's name, well formed, not
# already on file; and the do-not-call words set with the mark, kept while it stands, gone
# with it.
POINT_GUARD = rf"""
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.added_by_id IS DISTINCT FROM cw_me() THEN
            PERFORM cw_refuse('A contact point is added in the name of the signed-in user.');
        END IF;
        IF NEW.kind NOT IN ({_listed(KINDS)}) THEN
            PERFORM cw_refuse('Unknown kind of contact point ' || NEW.kind || '.');
        END IF;
        IF NEW.kind IN ({_listed(PHONES)}) AND NEW.value !~ '{E164}' THEN
            PERFORM cw_refuse('A phone number is stored in E.164 form, e.g. +8613812345678.');
        END IF;
        IF NEW.kind = 'email' AND NEW.value !~ '{EMAIL}' THEN
            PERFORM cw_refuse('An e-mail contact point is an e-mail address.');
        END IF;
        IF NEW.kind = 'address' AND ({_blank("NEW.province")} OR {_blank("NEW.city")}
                                     OR {_blank("NEW.value")}) THEN
            PERFORM cw_refuse('An address is added with its province and city.');
        END IF;
        IF NEW.kind = 'emergency' AND ({_blank("NEW.contact_name")}
                                       OR {_blank("NEW.relation")}) THEN
            PERFORM cw_refuse('A third party is added with their name and relation.');
        END IF;
        -- A point may arrive already marked (marked offline before the sync sent it): a
        -- do-not-call mark with the borrower's words, and words only with that mark.
        IF NEW.do_not_call AND {_blank("NEW.do_not_call_words")} THEN
            PERFORM cw_refuse('A number is marked do-not-call with the borrower''s own words.');
        END IF;
        IF NOT NEW.do_not_call AND NEW.do_not_call_words IS NOT NULL THEN
            PERFORM cw_refuse('The borrower''s words are kept while the do-not-call mark stands.');
        END IF;
        IF EXISTS (SELECT 1 FROM contact_points
                    WHERE borrower_id = NEW.borrower_id AND value = NEW.value) THEN
            PERFORM cw_refuse('That is already one of the borrower''s contact points.');
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.do_not_call AND NOT OLD.do_not_call AND {_blank("NEW.do_not_call_words")} THEN
        PERFORM cw_refuse('A number is marked do-not-call with the borrower''s own words.');
    END IF;
    IF NEW.do_not_call_words IS DISTINCT FROM OLD.do_not_call_words
       AND NOT (NEW.do_not_call AND NOT OLD.do_not_call)
       AND NOT (OLD.do_not_call AND NOT NEW.do_not_call AND NEW.do_not_call_words IS NULL) THEN
        PERFORM cw_refuse('The borrower''s words are kept while the do-not-call mark stands.');
    END IF;
    RETURN NEW;
END
"""

ATTORNEY = "ROW(NEW.attorney_name, NEW.attorney_firm, NEW.attorney_phone)"
# The attorney recorded with the mark (name and phone), gone with it; an agreed window with
# both ends, different; a preferred channel the contact rules know.
BORROWER_GUARD = rf"""
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF NEW.attorney_represented
       AND (NOT OLD.attorney_represented
            OR {ATTORNEY} IS DISTINCT FROM {ATTORNEY.replace("NEW.", "OLD.")})
       AND ({_blank("NEW.attorney_name")}
            OR coalesce(NEW.attorney_phone, '') !~ '{E164}') THEN
        PERFORM cw_refuse('Representation by an attorney is recorded with the attorney''s name '
            || 'and phone number.');
    END IF;
    IF NOT NEW.attorney_represented
       AND {ATTORNEY} IS DISTINCT FROM {ATTORNEY.replace("NEW.", "OLD.")}
       AND {ATTORNEY} IS DISTINCT FROM ROW(NULL::text, NULL::text, NULL::text) THEN
        PERFORM cw_refuse('An attorney is recorded with the mark that they represent the '
            || 'borrower.');
    END IF;
    IF ROW(NEW.agreed_window_start, NEW.agreed_window_end)
           IS DISTINCT FROM ROW(OLD.agreed_window_start, OLD.agreed_window_end)
       AND ((NEW.agreed_window_start IS NULL) <> (NEW.agreed_window_end IS NULL)
            OR NEW.agreed_window_start = NEW.agreed_window_end) THEN
        PERFORM cw_refuse('An agreed contact window has a start and an end, and they differ.');
    END IF;
    IF NEW.preferred_channel IS DISTINCT FROM OLD.preferred_channel
       AND NEW.preferred_channel NOT IN ({_listed(CHANNELS)}) THEN
        PERFORM cw_refuse('A preferred channel is a call, a text message or an e-mail.');
    END IF;
    RETURN NEW;
END
"""

# name: (table, events, body)
TRIGGERS = {
    "contact_points_upkeep": ("contact_points", "BEFORE INSERT OR UPDATE", POINT_GUARD),
    "borrowers_upkeep": ("borrowers", "BEFORE UPDATE", BORROWER_GUARD),
}
SCOPED_POINT = "borrower_id IN (SELECT id FROM borrowers)"


def upgrade() -> None:
    bind = op.get_bind()
    for name, length in POINT_COLUMNS.items():
        op.add_column("contact_points", sa.Column(name, sa.String(length), nullable=True))
    op.add_column(
        "contact_points",
        sa.Column("verified", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    if bind.dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; alembic would want to rebuild the
        # table, which the attempts' foreign key refuses (see 0003).
        op.execute(
            "ALTER TABLE contact_points ADD COLUMN added_by_id CHAR(32) "
            "CONSTRAINT fk_contact_points_added_by_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("contact_points", sa.Column("added_by_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f("fk_contact_points_added_by_id_users"),
            "contact_points",
            "users",
            ["added_by_id"],
            ["id"],
        )
    for name, length in BORROWER_COLUMNS.items():
        op.add_column("borrowers", sa.Column(name, sa.String(length), nullable=True))
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"GRANT INSERT ON contact_points TO {STAFF}")
    op.execute(
        f"CREATE POLICY contact_points_insert ON contact_points FOR INSERT TO {STAFF} "
        f"WITH CHECK ({SCOPED_POINT})"
    )
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


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _events, _body) in TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS cw_{name}()")
        for table, columns in STAFF_COLUMNS.items():
            op.execute(f"REVOKE UPDATE ({', '.join(columns)}) ON {table} FROM {STAFF}")
        op.execute("DROP POLICY IF EXISTS contact_points_insert ON contact_points")
        op.execute(f"REVOKE INSERT ON contact_points FROM {STAFF}")
        op.drop_constraint(
            op.f("fk_contact_points_added_by_id_users"), "contact_points", type_="foreignkey"
        )
    # Collection's own points go with the columns that describe them.
    op.execute("DELETE FROM contact_points WHERE kind = 'address'")
    for name in BORROWER_COLUMNS:
        op.drop_column("borrowers", name)
    op.drop_column("contact_points", "added_by_id")
    op.drop_column("contact_points", "verified")
    for name in POINT_COLUMNS:
        op.drop_column("contact_points", name)
