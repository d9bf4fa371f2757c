"""the call script is a rule: a contact stores its script, and the server follows its path

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:00:00.000000

Issue 15. A contact attempt records the stage of the call script the collector was shown
(`script_stage`) beside the path taken through it (`script_steps`: every step visited, in
order, revisits included, each with its answer; `said` for a disclosure ticked off).

On PostgreSQL the server follows that path itself, through the script graphs `central init`
loads into `server_policy` under `scripts` (app.services.sync.central, from resources/scripts/),
under the borrower's compliance profile. A staff login's contact is refused when:
- its path is not one the script allows (a skipped step, an answer it does not offer, a jump);
- its stage does not fit the channel (the field-visit script at a door, the others on calls);
- a right-party outcome (PTP, RTP, PLAN, …) has no path in which the identity check verified
  the borrower, or an outcome about the debt has a required disclosure not ticked off;
- its right_party mark is not its outcome's.
A promise to pay is written only with the promise outcome of a call on its own account (which
the rules above let through only after the identity check and the disclosures), or with a visit
to its account.
So psql with a collector's password can log no more than the window and the command line.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.services.common.script_graph import server_scripts

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "cw_owner"
STAFF = "cw_staff"

# The path followed again (app.services.contact.scripts.replay): the borrower's profile's graph
# of the stage, the trail of steps and answers `back` would undo, the disclosures ticked off.
SCRIPT_READING = r"""
DECLARE
    policy jsonb := (SELECT value FROM server_policy WHERE key = 'scripts');
    profile text;
    graph jsonb;
    steps jsonb;
    step jsonb;
    total int;
    cur text;
    entry text;
    step_id text;
    answer text;
    onward text;
    trail text[] := '{}';
    answers text[] := '{}';
    said text[] := '{}';
    untold text[];
    verified boolean;
    i int;
BEGIN
    IF policy IS NULL THEN
        RETURN jsonb_build_object('error',
            'The server has no call scripts: an administrator runs central init.');
    END IF;
    IF stage IS NULL OR path IS NULL OR jsonb_typeof(path) <> 'array'
       OR jsonb_array_length(path) = 0 THEN
        RETURN jsonb_build_object('error', 'A script path is its stage and its steps.');
    END IF;
    IF (stage = 'field_visit') <> (channel = 'visit') OR channel NOT IN ('call', 'visit') THEN
        RETURN jsonb_build_object('error', 'The ' || stage || ' script is not for a contact by '
            || channel || '.');
    END IF;
    profile := coalesce(policy -> 'by_country' ->> country, policy ->> 'default');
    graph := policy -> 'stages' -> stage -> profile;
    IF graph IS NULL THEN
        RETURN jsonb_build_object('error', 'There is no call script for stage ' || stage || '.');
    END IF;
    steps := graph -> 'steps';
    cur := graph ->> 'first';
    total := jsonb_array_length(path);
    FOR i IN 0 .. total - 1 LOOP
        IF jsonb_typeof(path -> i) <> 'string' THEN
            RETURN jsonb_build_object('error', 'A script path is a list of steps.');
        END IF;
        entry := path ->> i;
        step_id := split_part(entry, '=', 1);
        answer := CASE WHEN strpos(entry, '=') > 0 THEN substr(entry, strpos(entry, '=') + 1) END;
        step := steps -> cur;
        IF step_id <> cur THEN
            RETURN jsonb_build_object('error', 'The script path leaves the script at step '
                || (i + 1) || '.');
        END IF;
        IF answer = 'said' AND step ->> 'kind' = 'disclosure' THEN
            said := array_append(array_remove(said, cur), cur);
        ELSIF answer IS NOT NULL AND (step ->> 'kind' <> 'ask' OR answer = '') THEN
            RETURN jsonb_build_object('error', 'The script path leaves the script at step '
                || (i + 1) || '.');
        ELSIF step ->> 'kind' = 'disclosure' THEN
            said := array_remove(said, cur);
        END IF;
        IF i = total - 1 THEN
            IF answer IS NOT NULL AND step ->> 'kind' = 'ask' THEN
                RETURN jsonb_build_object('error', 'The script path leaves the script at step '
                    || (i + 1) || '.');
            END IF;
            EXIT;
        END IF;
        onward := split_part(path ->> (i + 1), '=', 1);
        IF step ->> 'kind' = 'ask' AND answer IS NOT NULL THEN
            IF NOT (step -> 'choices') ? answer THEN
                RETURN jsonb_build_object('error', 'The script path leaves the script at step '
                    || (i + 1) || '.');
            END IF;
            trail := trail || cur;
            answers := answers || answer;
            cur := step -> 'choices' -> answer ->> 'next';
        ELSIF step ->> 'kind' <> 'ask' AND step ->> 'next' = onward THEN
            trail := trail || cur;
            answers := answers || ''::text;
            cur := onward;
        ELSIF cardinality(trail) > 0 AND trail[cardinality(trail)] = onward THEN
            cur := onward;
            trail := trail[1:cardinality(trail) - 1];
            answers := answers[1:cardinality(answers) - 1];
        ELSE
            RETURN jsonb_build_object('error', 'The script path leaves the script at step '
                || (i + 2) || '.');
        END IF;
    END LOOP;
    FOR i IN 1 .. cardinality(trail) LOOP
        IF answers[i] <> '' AND steps -> trail[i] -> 'choices' -> answers[i] ? 'rp' THEN
            verified := (steps -> trail[i] -> 'choices' -> answers[i] ->> 'rp')::boolean;
        END IF;
    END LOOP;
    untold := ARRAY(
        SELECT d FROM (
            SELECT d FROM unnest(trail || cur) AS d
             WHERE steps -> d ->> 'kind' = 'disclosure' AND (steps -> d ->> 'required')::boolean
            UNION
            SELECT jsonb_array_elements_text(graph -> 'before_debt')
        ) AS due (d)
        WHERE NOT d = ANY (said)
        ORDER BY d);
    RETURN jsonb_build_object('right_party', verified, 'untold', to_jsonb(untold));
END
"""

ATTEMPT_GUARD = """
DECLARE
    code jsonb;
    reading jsonb;
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF NEW.borrower_id IS DISTINCT FROM (SELECT borrower_id FROM loans WHERE id = NEW.loan_id)
       OR (NEW.contact_point_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contact_points
            WHERE id = NEW.contact_point_id AND borrower_id = NEW.borrower_id)) THEN
        PERFORM cw_refuse('A contact is logged on the account''s own borrower and numbers.');
    END IF;
    code := (SELECT c FROM server_policy, jsonb_array_elements(value -> 'codes') AS c
              WHERE key = 'dispositions' AND c ->> 'code' = NEW.disposition);
    IF code IS NULL THEN
        PERFORM cw_refuse('Unknown outcome ' || NEW.disposition || '.');
    END IF;
    IF NEW.right_party IS DISTINCT FROM coalesce((code ->> 'rpc')::boolean, false) THEN
        PERFORM cw_refuse('A contact is right-party exactly when its outcome is.');
    END IF;
    IF NEW.script_stage IS NOT NULL
       OR coalesce(jsonb_array_length(NEW.script_steps::jsonb), 0) > 0 THEN
        reading := cw_script_reading(NEW.script_stage, NEW.script_steps::jsonb,
            NEW.channel::text, (SELECT country FROM borrowers WHERE id = NEW.borrower_id));
        IF reading ? 'error' THEN
            PERFORM cw_refuse(reading ->> 'error');
        END IF;
    END IF;
    IF coalesce((code ->> 'rpc')::boolean, false)
       AND (reading IS NULL OR reading -> 'right_party' IS DISTINCT FROM 'true'::jsonb) THEN
        PERFORM cw_refuse(NEW.disposition || ' is a right-party outcome: it needs a script path'
            || ' in which the identity check verified the borrower.');
    END IF;
    IF coalesce((code ->> 'needs_disclosures')::boolean, false)
       AND jsonb_array_length(reading -> 'untold') > 0 THEN
        PERFORM cw_refuse('Required disclosures not ticked off: '
            || (SELECT string_agg(d, ', ') FROM jsonb_array_elements_text(reading -> 'untold')
                AS d) || '.');
    END IF;
    RETURN NEW;
END
"""

# A promise is what is chased and counted: it hangs on a call whose outcome is a promise (the
# attempt guard above saw its script) or on a visit, on the same account.
PROMISE_GUARD = """
BEGIN
    IF NOT cw_staff_session() THEN
        RETURN NEW;
    END IF;
    IF NEW.attempt_id IS NOT NULL AND NEW.visit_id IS NULL THEN
        IF NOT EXISTS (
                SELECT 1 FROM contact_attempts a, server_policy p,
                       jsonb_array_elements(p.value -> 'codes') AS c
                 WHERE a.id = NEW.attempt_id AND a.loan_id = NEW.loan_id
                   AND p.key = 'dispositions' AND c ->> 'code' = a.disposition
                   AND coalesce(c -> 'requires', '[]'::jsonb) ? 'promise') THEN
            PERFORM cw_refuse('A promise to pay is written with the promise outcome of a call'
                || ' on its own account.');
        END IF;
    ELSIF NEW.visit_id IS NOT NULL AND NEW.attempt_id IS NULL THEN
        IF NOT EXISTS (SELECT 1 FROM field_visits
                        WHERE id = NEW.visit_id AND loan_id = NEW.loan_id) THEN
            PERFORM cw_refuse('A promise to pay made on a visit is written on its own account.');
        END IF;
    ELSE
        PERFORM cw_refuse('A promise to pay is written with the call or the visit it was made on.');
    END IF;
    RETURN NEW;
END
"""

# 0007's body of the same function (contact_blocks keeps its own copy under its own name).
ATTEMPT_GUARD_0007 = """
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

READING_ARGUMENTS = "stage text, path jsonb, channel text, country text"


def upgrade() -> None:
    op.add_column("contact_attempts", sa.Column("script_stage", sa.String(32), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE FUNCTION cw_script_reading({READING_ARGUMENTS}) RETURNS jsonb "
        f"LANGUAGE plpgsql STABLE SET search_path = public AS $$ {SCRIPT_READING} $$"
    )
    # The graphs as this version ships them, as 0007 seeds the other policies: a server brought
    # up to date by `db upgrade` alone must not refuse every right-party call until an
    # administrator also runs `central init` (which loads them again).
    op.get_bind().execute(
        sa.text(
            "INSERT INTO server_policy (key, value) VALUES ('scripts', CAST(:value AS jsonb)) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"value": json.dumps(server_scripts(), ensure_ascii=False)},
    )
    op.execute(f"ALTER FUNCTION cw_script_reading({READING_ARGUMENTS}) OWNER TO {OWNER}")
    op.execute(f"REVOKE ALL ON FUNCTION cw_script_reading({READING_ARGUMENTS}) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION cw_script_reading({READING_ARGUMENTS}) TO {STAFF}")
    op.execute(
        "CREATE OR REPLACE FUNCTION cw_contact_attempts_guard() RETURNS trigger "
        f"LANGUAGE plpgsql SET search_path = public AS $$ {ATTEMPT_GUARD} $$"
    )
    op.execute(
        "CREATE FUNCTION cw_promises_guard() RETURNS trigger "
        f"LANGUAGE plpgsql SET search_path = public AS $$ {PROMISE_GUARD} $$"
    )
    op.execute(f"ALTER FUNCTION cw_promises_guard() OWNER TO {OWNER}")
    op.execute(
        "CREATE TRIGGER promises_guard BEFORE INSERT ON promises "
        "FOR EACH ROW EXECUTE FUNCTION cw_promises_guard()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS promises_guard ON promises")
        op.execute("DROP FUNCTION IF EXISTS cw_promises_guard()")
        op.execute(
            "CREATE OR REPLACE FUNCTION cw_contact_attempts_guard() RETURNS trigger "
            f"LANGUAGE plpgsql SET search_path = public AS $$ {ATTEMPT_GUARD_0007} $$"
        )
        op.execute(f"DROP FUNCTION IF EXISTS cw_script_reading({READING_ARGUMENTS})")
        op.execute("DELETE FROM server_policy WHERE key = 'scripts'")
    op.drop_column("contact_attempts", "script_stage")
