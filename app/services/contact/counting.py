"""How contacts count in figures (docs/domain.md §8): one definition for the team lead's
dashboard (`team.kpis`) and the collector's own day (`contact.my_day`), so that a collector's
figures are the lead's row for them.

- An attempt, a contact, a right-party contact: a contact attempt whose disposition has the
  `attempt`, `contact` or `rpc` flag (resources/dispositions.json); a code no longer in the
  data counts as none of them.
- A promise made (PTP): an attempt, as above, that made a promise (`promises.attempt_id`);
  its promised amount is the sum of the promises it made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.sql.selectable import Subquery

from app.models import PromiseToPay
from app.services.common.reference import dispositions

# A promise is stored with its contact, after it started (a contact may be dated at most
# minutes ahead): a promise made more than this before a span began belongs to no contact of
# the span.
PROMISE_MARGIN = timedelta(days=1)


@cache
def codes_with(flag: str) -> tuple[str, ...]:
    """The disposition codes with `flag` (attempt, contact, rpc) set."""
    return tuple(code for code, meaning in dispositions().items() if getattr(meaning, flag))


def promised_by_attempt(since: datetime) -> Subquery:
    """SQL: per contact attempt that made a promise, the promised amount (`attempt_id`,
    `amount`), for attempts started at `since` or later.

    Older promises are left out, which keeps the table the span's size, not the book's.
    """
    return (
        select(
            PromiseToPay.attempt_id.label("attempt_id"),
            func.sum(PromiseToPay.amount).label("amount"),
        )
        .where(
            PromiseToPay.attempt_id.is_not(None),
            PromiseToPay.created_at >= since - PROMISE_MARGIN,
        )
        .group_by(PromiseToPay.attempt_id)
        .subquery("promised")
    )
