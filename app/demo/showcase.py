"""The accounts that show particular situations: the contact that raised a borrower's flag, the
daily caps reached today, a callback due today, a promise whose grace ran out yesterday.

Which accounts play which role is drawn up front (plan.draw_plans); these run after the rest of
the account's month of work (collection.Collection.month).
"""

from __future__ import annotations

from app.demo.calls import Calls
from app.demo.promises import Promises
from app.demo.records import Account
from app.demo.state import HOUR, SHIFT_END, SHIFT_START, DemoState, Part, local_midnight


class Showcase(Part):
    """The last work on an account that shows a particular situation."""

    def __init__(self, state: DemoState, calls: Calls, promises: Promises) -> None:
        super().__init__(state)
        self._calls = calls
        self._promises = promises

    def flag_session(self, account: Account, day: int, flag: str) -> None:
        """The contact that raised the borrower's flag; nobody calls after it."""
        mobile = account.points[0]
        moment = self._calls.pick_time(account, mobile, day)
        if moment is None or not mobile.usable:
            return
        code = self.shape.activity["flag_dispositions"][flag]
        emotion = "vulnerability" if flag == "vulnerable" else None
        _, done = self._calls.attempt(account, mobile, moment, code, emotion=emotion)
        account.flagged_at = min(done, self.as_of_sec)

    def _today_moments(self, count: int) -> list[int] | None:
        """`count` moments, in order, between the start of today's shift and just before as_of."""
        start = local_midnight(self.today) + SHIFT_START
        end = min(self.as_of_sec - 10 * 60, local_midnight(self.today) + SHIFT_END)
        if end - start < count * 20 * 60:
            return None
        step = (end - start) // count
        return [start + k * step + int(self.rng.random() * (step - 15 * 60)) for k in range(count)]

    def cap_connected(self, account: Account) -> None:
        """Three answered calls today: the daily cap on connected calls is reached."""
        moments = self._today_moments(3)
        mobile = account.points[0]
        if moments is None or not mobile.usable:
            return
        for moment, code in zip(moments, ("HU", "TPC", "RTP"), strict=True):
            self._calls.attempt(account, mobile, moment, code)

    def cap_unanswered(self, account: Account) -> None:
        """Six unanswered calls on the mobile today: the number is capped for the day."""
        moments = self._today_moments(6)
        mobile = account.points[0]
        if moments is None or not mobile.usable:
            return
        for moment in moments:
            self._calls.attempt(
                account, mobile, moment, "NA" if self.rng.random() < 0.7 else "BUSY"
            )

    def callback_today(self, account: Account) -> None:
        """A callback agreed yesterday or this morning and due at some time today."""
        rng = self.rng
        mobile = account.points[0]
        if not mobile.usable:
            return
        morning = self._today_moments(1)
        if morning is not None and rng.random() < 0.5:
            moment = morning[0]
        else:
            yesterday = self.today - 1
            found = self._calls.pick_time(account, mobile, yesterday)
            moment = local_midnight(yesterday) + 15 * HOUR if found is None else found
        attempt_id, done = self._calls.attempt(account, mobile, moment, "CB")
        midnight = local_midnight(self.today)
        low = max(midnight + 9 * HOUR, done + 30 * 60)
        high = midnight + 21 * HOUR
        due = (low + int(rng.random() * max(60, high - low))) // 300 * 300
        self._promises.add_callback(account, attempt_id, due, None, done)

    def promise_lapsed(self, account: Account) -> None:
        """A promise whose date plus grace ran out yesterday, not yet marked broken."""
        grace = self.state.grace
        ahead = self.shape.days_ahead.pick(self.rng)
        day = self.today - 1 - grace - ahead
        if day < account.start_day:
            day, ahead = account.start_day, self.today - 1 - grace - account.start_day
        mobile = account.points[0]
        if not 0 <= ahead <= self.state.max_ahead or not mobile.usable:
            return
        moment = self._calls.pick_time(account, mobile, day)
        if moment is not None:
            self._promises.promise(account, mobile, moment, day, ahead=ahead, outcome="broken")
