"""What every part of the demo build shares: the seed's random stream, the portfolio's clock, the
minting of keys and the rows in the making.

Everything is drawn from the one `DemoState.rng`, in one fixed order, so the same seed, `as_of`
and size give the same rows byte for byte: a part that draws one number more, or earlier,
changes every row after it. (Escalations, stopped dials and checklists draw from streams of
their own, so that adding them left the rest of the portfolio as it was.)

Instants are whole epoch seconds and days are date ordinals; `ts` and `date` turn them into the
text SQLAlchemy stores on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from app.demo.records import PARTS
from app.demo.rows import Rows
from app.demo.shape import Shape
from app.services.common.reference import dispositions, policy
from app.services.contact.promises import promise_grace_days

DAY = 86_400
HOUR = 3_600
EPOCH = date(1970, 1, 1).toordinal()
# Mainland China, Hong Kong and Taiwan keep UTC+8 all year, so their local time needs no lookup.
CN_OFFSET = 8 * HOUR
UTC8_ZONES = frozenset({"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Macau"})
# Collectors dial between these local times (a margin inside every profile's quiet hours).
SHIFT_START = 8 * HOUR + 30 * 60
SHIFT_END = 20 * HOUR + 30 * 60
# A day that never comes: an account waiting on a callback nobody made is not worked again.
NEVER = 10**9

# Keys: UUID version 7 layout (see DemoState.uuid).
_ID_TICK = 1 << 80
_V7 = (0x7 << 76) | (0b10 << 62)
_RAND_B = (1 << 62) - 1


def local_midnight(ordinal: int) -> int:
    """The UTC instant (epoch seconds) of 00:00 Asia/Shanghai on that day."""
    return (ordinal - EPOCH) * DAY - CN_OFFSET


class DayTexts(dict[int, str]):
    """Text for a day number, made once: millions of rows share a few thousand days."""

    def __init__(self, render: Callable[[int], str]) -> None:
        super().__init__()
        self._render = render

    def __missing__(self, key: int) -> str:
        text = self[key] = self._render(key)
        return text


@cache
def clock_texts() -> tuple[str, ...]:
    """'HH:MM:SS.000000' for every second of a day."""
    return tuple(
        f"{second // HOUR:02d}:{second % HOUR // 60:02d}:{second % 60:02d}.000000"
        for second in range(DAY)
    )


class DemoState:
    """The build's shared state: parameters, policy, random stream, clock, keys, rows, counts."""

    def __init__(
        self,
        seed: int,
        as_of: datetime,
        accounts: int,
        per_collector: int,
        reminders: bool = True,
    ) -> None:
        self.seed = seed
        self.reminders = reminders
        self.rng = random.Random(seed)
        self.accounts = accounts
        self.per_collector = per_collector
        self.as_of_sec = int(as_of.timestamp())
        self.as_of = as_of
        # DPD and the collectors' working day both count in the lender's zone (Asia/Shanghai),
        # as the queue does.
        self.today = (self.as_of_sec + CN_OFFSET) // DAY + EPOCH
        self.base = self.today
        self.grace = promise_grace_days()
        self.max_ahead = int(policy()["promise"]["max_days_ahead"])
        self.pre_due = int(policy()["pre_due_days"])
        # The (due, paid) indexes of an instalment's parts, in the order payments go to them.
        self.order = [PARTS[part] for part in policy()["allocation_order"]]
        self.dispositions = dispositions()
        self.counts = dict.fromkeys(
            (
                "borrowers",
                "users",
                "instalments",
                "payments",
                "attempts",
                "promises",
                "callbacks",
            ),
            0,
        )
        self.iso = DayTexts(lambda ordinal: date.fromordinal(ordinal).isoformat())
        self.compact = DayTexts(lambda ordinal: date.fromordinal(ordinal).strftime("%Y%m%d"))
        self._day_prefix = DayTexts(lambda day: date.fromordinal(day + EPOCH).isoformat() + " ")
        self._clock = clock_texts()
        # Keys are minted in order (UUID version 7 layout: a 48-bit counter standing in for the
        # millisecond clock, then random bits), so SQLite appends to its indexes instead of
        # inserting all over them; random version 4 keys made the build half again as slow.
        self._id_clock = ((self.as_of_sec - DAY) * 1000 << 80) | _V7
        self.shape = Shape(self.max_ahead)
        self.rows = Rows()
        # The first moment of the reminders job's history (app.demo.reminders): the texts from
        # then on are the job's, not a collector's logged by hand (a book without the history
        # keeps them all).
        days = int(self.shape.book["reminders"]["days"])
        self.reminders_from = local_midnight(self.today - days) if reminders else NEVER * DAY

    def uuid(self) -> str:
        """A new key, as 32 hex digits (draws from the random stream)."""
        self._id_clock += _ID_TICK
        bits = self.rng.getrandbits(74)
        return f"{self._id_clock | (bits >> 62) << 64 | bits & _RAND_B:032x}"

    def date(self, ordinal: int) -> str:
        """A day as SQLAlchemy stores a date on SQLite."""
        return self.iso[ordinal]

    def ts(self, sec: int) -> str:
        """An instant (epoch seconds) as SQLAlchemy stores a naive UTC datetime on SQLite."""
        return self._day_prefix[sec // DAY] + self._clock[sec % DAY]


class Part:
    """A part of the build: works on the shared state, with shortcuts to what most parts use."""

    def __init__(self, state: DemoState) -> None:
        self.state = state
        self.rng = state.rng
        self.shape = state.shape
        self.rows = state.rows
        self.uuid = state.uuid
        self.ts = state.ts
        self.as_of_sec = state.as_of_sec
        self.today = state.today
