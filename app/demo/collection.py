"""The collection work on an account: a reminder before a current account's due day, or up to a
month of sessions on an overdue one (calls, texts, promises, callbacks, third parties asked
where the borrower is, and payments nobody asked for)."""

from __future__ import annotations

from app.demo.calls import Calls
from app.demo.ledger import Ledger
from app.demo.promises import Promises, month_day
from app.demo.records import Account, Point
from app.demo.showcase import Showcase
from app.demo.state import DAY, DemoState, Part


class Collection(Part):
    """The work on one account, session by session."""

    def __init__(
        self,
        state: DemoState,
        calls: Calls,
        ledger: Ledger,
        promises: Promises,
        showcase: Showcase,
    ) -> None:
        super().__init__(state)
        self._calls = calls
        self._ledger = ledger
        self._promises = promises
        self._showcase = showcase

    def pre_due_reminder(self, account: Account, due: int) -> None:
        """Now and then, a text a few days before a current account's instalment falls due,
        logged by hand: before the reminders job's history begins (`Calls.attempt`); since
        then the job sends them."""
        if self.rng.random() >= self.shape.act_share["pre_due_sms_share"]:
            return
        mobile = account.points[0]
        day = due - 1 - int(self.rng.random() * self.state.pre_due)
        if day > self.today or not mobile.usable:
            return
        moment = self._calls.pick_time(account, mobile, day)
        if moment is not None:
            text = self.shape.texts["sms"][0].format(date=month_day(due))
            self._calls.attempt(account, mobile, moment, "NA", channel="sms", note=text)

    def month(self, account: Account, oldest: int) -> None:
        """Up to a month of calls, promises, callbacks and payments on an overdue account."""
        rng = self.rng
        rnd = rng.random
        plan = account.plan
        shape = self.shape
        activity = shape.activity
        act_share = shape.act_share
        today = self.today
        grace = self.state.grace

        # A payment of part of the oldest instalment, made without anyone asking: the more
        # willing the borrower, the likelier. Payments of the month stop where a cure or a plan
        # takes over (`end_day`).
        end = account.end_day
        partial_day: int | None = None
        if rnd() < shape.pay_share["partial_share"] * 2 * plan.willingness and oldest + 1 < end:
            partial_day = oldest + 1 + int(rnd() * (end - 1 - oldest))

        profile = "worked"
        if plan.flag is None and plan.special is None:
            roll = rnd()
            never = act_share["never_contacted_share"]
            if roll < never:
                profile = "never"
            elif roll < never + act_share["stale_share"]:
                profile = "stale"
        last_day = today
        if profile == "never":
            last_day = account.start_day - 1
        elif profile == "stale" or plan.flag == "legal_referral":
            last_day = today - 10 - int(rnd() * 16)
        elif plan.special == "promise_lapsed":
            last_day = today - 2 - grace - self.state.max_ahead
        elif plan.special == "callback_today":
            last_day = today - 2  # the callback may be agreed yesterday
        elif plan.special is not None:
            last_day = today - 1
        flag_day: int | None = None
        if plan.flag in activity["flag_dispositions"]:
            flag_day = account.start_day + int(rnd() * (today - account.start_day + 1))
            # Abroad, a week must pass after a conversation before the next call (US rule).
            last_day = flag_day - (8 if plan.abroad else 1)
        if plan.story is not None:
            last_day = min(last_day, end - 1)  # the story's own call comes then
        account.last_day = last_day

        if plan.field:
            chance = act_share["field_day_probability"]
        else:
            chance = float(activity["day_probability"][account.bucket])
        if plan.abroad:
            chance /= 2
        stage = activity["stage_of_bucket"][account.bucket]
        # Some borrowers pick up, some never do: the more willing, the likelier.
        contact_chance = float(activity["contact_probability"][account.bucket])
        share = float(shape.history["contact_per_willingness"])
        contact_chance *= 0.2 + 1.6 * ((1 - share) * rnd() + share * plan.willingness)

        next_day = account.start_day
        for day in range(account.start_day, last_day + 1):
            if partial_day is not None and partial_day <= day:
                self._spontaneous_partial(account, partial_day)
                partial_day = None
            if day >= next_day and rnd() < chance:
                next_day = self._session(account, day, stage, contact_chance)
        if partial_day is not None:
            self._spontaneous_partial(account, partial_day)

        showcase = self._showcase
        if flag_day is not None and plan.flag is not None:
            showcase.flag_session(account, flag_day, plan.flag)
        elif plan.special == "cap_connected":
            showcase.cap_connected(account)
        elif plan.special == "cap_unanswered":
            showcase.cap_unanswered(account)
        elif plan.special == "callback_today":
            showcase.callback_today(account)
        elif plan.special == "promise_lapsed":
            showcase.promise_lapsed(account)

    def _spontaneous_partial(self, account: Account, day: int) -> None:
        if day <= account.promise_until or day >= account.end_day:
            return  # a promise is running; its payment must still fit the instalment
        owed = self._ledger.oldest_owed(account, day)
        amount = int(owed * self.rng.uniform(0.2, 0.8)) // 100 * 100
        if 0 < amount < owed:
            self._ledger.payment(account.loan_id, day, amount)
            self._ledger.apply(account, amount, day)

    def _session(self, account: Account, day: int, stage: str, contact_chance: float) -> int:
        """One working session on the account; returns the first day it may be worked again."""
        rng = self.rng
        rnd = rng.random
        calls = self._calls
        act_share = self.shape.act_share
        point = calls.own_phone(account)
        if point is None:
            self._third_party_call(account, day, 0)
            return day + 1
        moment = calls.pick_time(account, point, day)
        if moment is None:
            return day + 1
        if point.kind == "mobile" and rnd() < act_share["sms_share"]:
            text = self.shape.texts["sms"][1]
            calls.attempt(account, point, moment, "NA", channel="sms", note=text)
            return day + 1
        abroad = account.plan.abroad
        tries = 0
        while True:
            tries += 1
            if rnd() < contact_chance:
                kind = self.shape.own_contact.pick(rng)
                if kind == "WN" and point is account.points[0]:
                    kind = "TPC"  # the registered mobile: someone else picked it up
                if kind == "RPC":
                    next_day = self._right_party(account, point, moment, day, stage)
                    # US rules presume harassment on a call within 7 days of a conversation.
                    return max(next_day, day + 8) if abroad else next_day
                calls.attempt(account, point, moment, kind)
                if kind == "WN":
                    point.wrong_number = True
                return day + (8 if abroad else 1)
            _, done = calls.attempt(account, point, moment, self.shape.no_contact.pick(rng))
            if abroad or tries >= 3 or rnd() >= act_share["retry_share"]:
                break
            retry = calls.own_phone(account)
            if retry is None:
                break
            later = calls.pick_time(account, retry, day, after=done + 20 * 60)
            if later is None:
                break
            point, moment = retry, later
        if not abroad and rnd() < act_share["third_party_share"]:
            self._third_party_call(account, day, done)
        return day + 1

    def _third_party_call(self, account: Account, day: int, after: int) -> None:
        """An emergency contact, only to locate a borrower who cannot be reached."""
        rng = self.rng
        contacts = [p for p in account.points if p.kind == "emergency" and p.usable]
        if not contacts:
            return
        point = contacts[int(rng.random() * len(contacts))]
        moment = self._calls.pick_time(account, point, day, after=after + 10 * 60)
        if moment is None:
            return
        lookback = moment - 3 * DAY
        failed = sum(1 for at in account.own_failures if at >= lookback)
        if failed < 3 or any(at >= lookback for at in account.rpc_times):
            return
        code = self.shape.third_party.pick(rng)
        self._calls.attempt(account, point, moment, code)
        if code == "WN":
            point.wrong_number = True
        elif self.state.dispositions[code].contact:
            point.spoken = True  # a third party is asked once, never chased

    def _right_party(
        self, account: Account, point: Point, moment: int, day: int, stage: str
    ) -> int:
        """The borrower answered: an outcome, and the first day to work the account again."""
        code = self.shape.rpc[stage].pick(self.rng)
        if code == "PTP":
            return self._promises.promise(account, point, moment, day)
        if code == "CB":
            return self._promises.callback(account, point, moment, day, stage)
        self._calls.attempt(account, point, moment, code)
        return day + {"PLAN": 3, "PAID": 2, "HRD": 3}.get(code, 1)
