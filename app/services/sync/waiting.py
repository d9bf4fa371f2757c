"""What waits in a workstation's outbox, said the way a collector thinks of their work.

The status bar counts changes (rows written); someone about to quit, or to hand the
workstation to a colleague, wants to know what they are: three outcomes, a promise, two notes,
and since when the oldest has waited.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.database import Database
from app.services.sync.engine import OUTBOX, STATE

# The kinds of record, in the order they are listed; each table's changes count under one.
KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("outcome", ("contact_attempts",)),
    ("promise", ("promises",)),
    ("callback", ("callbacks",)),
    # A plan's instalments are part of the plan.
    ("plan", ("repayment_plans", "plan_instalments")),
    ("note", ("account_notes",)),
    ("contact", ("borrowers", "contact_points")),
    ("visit", ("field_visits", "visit_requests")),
    ("escalation", ("escalations",)),
    ("payment", ("payments", "reported_payments")),
    ("review", ("call_reviews",)),
    ("case", ("dispute_cases", "complaints")),
    ("audit", ("audit_events",)),
)
OTHER = "other"
KIND_OF = {table: kind for kind, tables in KINDS for table in tables}
ORDER = [kind for kind, _ in KINDS] + [OTHER]


@dataclass(frozen=True)
class Waiting:
    """The changes waiting in a copy: whose, how many, of which kinds, since when.

    `kinds`: (kind, records) for each kind with any, in KINDS' order (a record changed twice
    counts once; `total` counts changes). `oldest`: when the longest-waiting change was made,
    None when none is dated (queued before the outbox noted the time) or none waits."""

    username: str | None
    total: int
    kinds: tuple[tuple[str, int], ...]
    oldest: datetime | None

    def __bool__(self) -> bool:
        return self.total > 0


def waiting_changes(local: Database) -> Waiting:
    """What waits to be sent in the copy `local`, and whose it is."""
    with local.engine.connect() as connection:
        owner = connection.execute(select(STATE.c.username)).scalar()
        entries = connection.execute(
            select(OUTBOX.c.table_name, OUTBOX.c.row_key, OUTBOX.c.queued_at)
        ).all()
    records: dict[str, set[tuple[str, str]]] = defaultdict(set)
    dated = [entry.queued_at for entry in entries if entry.queued_at is not None]
    for entry in entries:
        kind = KIND_OF.get(entry.table_name, OTHER)
        record = entry.row_key
        if entry.table_name == "plan_instalments":
            record = json.dumps(json.loads(entry.row_key)[:1])
        records[kind].add((entry.table_name if kind == OTHER else kind, record))
    kinds = tuple((kind, len(records[kind])) for kind in ORDER if records.get(kind))
    return Waiting(owner, len(entries), kinds, min(dated) if dated else None)
