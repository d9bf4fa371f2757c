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


def same_entries(one: Queue, other: Queue) -> None:
    """Entry by entry, every field; the first difference is named."""
    assert len(one.entries) == len(other.entries)
    for mine, theirs in zip(one.entries, other.entries, strict=True):
        assert _entry(mine) == _entry(theirs), mine.contract_no


def same(one: Queue, other: Queue) -> None:
    """Every field of every entry, and the moment each reads differently next."""
    same_entries(one, other)
    assert one.next_change_at == other.next_change_at
