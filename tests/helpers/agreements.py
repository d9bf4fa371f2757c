"""Issuing a plan the way the window and the command line do: with its agreement file."""

from __future__ import annotations

import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from app.database import Database
from app.services.plans.agreements import issue_agreement
from app.services.plans.lifecycle import PlanView


def issue(
    db: Database, username: str, plan_id: uuid.UUID, *, now: datetime | None = None
) -> PlanView:
    """`issue_agreement`, its file written to a folder that is gone afterwards (for tests of
    what follows the issue, not of the file)."""
    with tempfile.TemporaryDirectory(prefix="agreement-") as folder:
        return issue_agreement(db, username, plan_id, Path(folder) / "agreement.pdf", now=now)
