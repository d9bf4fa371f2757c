"""Two queues compared entry by entry: rank, score, tier, reasons, decision, override."""

from __future__ import annotations

from app.services.contact.queue import Queue, QueueEntry


def _entry(entry: QueueEntry) -> tuple[object, ...]:
    return (
        entry.rank,
        entry.contract_no,
        entry.score,
        entry.tier,
        entry.dpd,
        entry.overdue_amount,
        entry.reasons,
        entry.contact,
        entry.priority,
    )


def same(one: Queue, other: Queue) -> None:
    """Every field of every entry, and the moment each reads differently next."""
    assert [_entry(e) for e in one.entries] == [_entry(e) for e in other.entries]
    assert one.next_change_at == other.next_change_at
