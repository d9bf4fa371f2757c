"""A dispute call on a central database of tests/helpers/sync_world.py: what a collector's
DSP outcome leaves there (the contact, the borrower's dispute mark, the escalation), for the
tests of what disputes do when they travel."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text

from app.database import Database
from tests.helpers.portfolio import Account
from tests.helpers.sync_world import Central


def dispute_call(
    db: Database, central: Central, collector: str, account: Account, now: datetime
) -> uuid.UUID:
    """The contact (five minutes before `now`), the borrower's dispute mark and the escalation
    the contact raised, written on the central; returns the contact's id. Its script and rules
    are other tests' business."""
    attempt = uuid.uuid4()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contact_attempts (id, loan_id, borrower_id, contact_point_id,"
                " user_id, channel, started_at, duration_seconds, disposition, right_party,"
                " checklist, script_steps, created_at) VALUES (:id, :loan, :borrower,"
                " :point, :user, 'call', :at, 60, 'DSP', true, '[]', '[]', :at)"
            ),
            {
                "id": attempt,
                "loan": account.loan_id,
                "borrower": account.borrower_id,
                "point": account.points["mobile"],
                "user": central.user_id(collector),
                "at": now - timedelta(minutes=5),
            },
        )
        connection.execute(
            text("UPDATE borrowers SET dispute_open = true WHERE id = :id"),
            {"id": account.borrower_id},
        )
        # And the escalation the contact raised, which the lead's decision decides too.
        connection.execute(
            text(
                "INSERT INTO escalations (id, loan_id, borrower_id, attempt_id, kind,"
                " raised_by_id, raised_at) VALUES (:id, :loan, :borrower, :attempt,"
                " 'dispute', :user, :at)"
            ),
            {
                "id": uuid.uuid4(),
                "loan": account.loan_id,
                "borrower": account.borrower_id,
                "attempt": attempt,
                "user": central.user_id(collector),
                "at": now - timedelta(minutes=5),
            },
        )
    return attempt
