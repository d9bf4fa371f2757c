"""What a borrower agrees to on the phone: promises to pay (kept, partly kept, broken or still
running, with the payments they brought) and callbacks (made, or still due)."""

from __future__ import annotations

from datetime import date

from app.demo.calls import Calls
from app.demo.ledger import Ledger
from app.demo.records import Account, Point
from app.demo.state import CN_OFFSET, DAY, HOUR, NEVER, DemoState, Part, local_midnight


def month_day(ordinal: int) -> str:
    """A day as a note names it: 3月5日."""
    day = date.fromordinal(ordinal)
    return f"{day.month}月{day.day}日"


class Promises(Part):
    """Promise and callback rows, and what they bring about."""

    def __init__(self, state: DemoState, calls: Calls, ledger: Ledger) -> None:
        super().__init__(state)
        self._calls = calls
        self._ledger = ledger

    def promise(
        self,
        account: Account,
        point: Point,
        moment: int,
        day: int,
        *,
        ahead: int | None = None,
        outcome: str | None = None,
    ) -> int:
        """A PTP attempt and its promise; a kept or partly kept one brings its payment.

        Returns the first day the account may be worked again.
        """
        rng = self.rng
        state = self.state
        shape = self.shape
        owed = self._ledger.oldest_owed(account, day)
        low, high = shape.book["promises"]["share_of_oldest_due"]
        amount = int(owed * rng.uniform(float(low), float(high)))
        # Whole tens of yuan, or whole yuan for small sums; always less than the instalment
        # still owes, so the account keeps its bucket.
        amount = amount // 1000 * 1000 if amount >= 20_000 else amount // 100 * 100
        if not 0 < amount < owed:
            self._calls.attempt(account, point, moment, "HU")
            return day + 1
        promised = day + (shape.days_ahead.pick(rng) if ahead is None else ahead)
        note = None
        if rng.random() < shape.note_share * 2:
            choices = shape.texts["notes"]["PTP"]
            note = choices[int(rng.random() * len(choices))].format(
                date=month_day(promised), amount=amount // 100
            )
        attempt_id, done = self._calls.attempt(account, point, moment, "PTP", note=note)
        lapsed = promised + state.grace
        if outcome is None:
            outcome = self._outcome(account)
        status, paid, resolved = "pending", 0, None
        # The month's payments stop where a cure or a plan takes over.
        last_pay_day = min(promised, account.end_day - 1)
        cure = account.cure_at
        if cure is not None and account.end_day <= lapsed:
            # Everything overdue was paid within the promise's grace: that kept it.
            status, paid, resolved = "kept", amount, cure
        elif lapsed < self.today and outcome != "broken" and last_pay_day >= day:
            pay_day = day + int(rng.random() * (last_pay_day - day + 1))
            paid = amount
            if outcome != "kept":
                paid = max(100, int(amount * rng.uniform(0.3, 0.8)) // 100 * 100)
            paid_at = self._ledger.payment(account.loan_id, pay_day, paid, earliest=done)
            self._ledger.apply(account, paid, pay_day)
            if paid == amount:
                status, resolved = "kept", paid_at
        if status == "pending" and lapsed < self.today - 1:
            # The nightly check has judged it, just after midnight once the grace ran out.
            # (A promise whose grace ended yesterday is still pending: today's check is due.)
            status = "partly_kept" if paid else "broken"
            resolved = min(local_midnight(lapsed + 1) + 300, self.as_of_sec)
        self.rows.promises.append(
            (
                self.uuid(),
                account.loan_id,
                attempt_id,
                None,
                amount,
                state.date(promised),
                status,
                paid,
                None if resolved is None else self.ts(resolved),
                self.ts(min(done, self.as_of_sec)),
            )
        )
        account.promise_until = lapsed
        return lapsed + 1

    def _outcome(self, account: Account) -> str:
        """Kept, partly kept or broken: the promises' weights, the kept ones scaled by the
        borrower's willingness and the account's stage of lateness, the broken ones the other
        way (docs/demo.md)."""
        shape = self.shape
        weights = shape.promise_weights
        willingness = account.plan.willingness
        stage = shape.activity["stage_of_bucket"][account.bucket]
        kept = weights["kept"] * shape.promise_kept_factor[stage] * 2 * willingness
        partly = weights["partly_kept"]
        broken = weights["broken"] * 2 * (1 - willingness)
        roll = self.rng.random() * (kept + partly + broken)
        if roll < kept:
            return "kept"
        return "partly_kept" if roll < kept + partly else "broken"

    def callback(self, account: Account, point: Point, moment: int, day: int, stage: str) -> int:
        """A CB attempt and its callback; one that fell due has mostly been made.

        Returns the first day the account may be worked again.
        """
        rng = self.rng
        calls = self._calls
        attempt_id, done = calls.attempt(account, point, moment, "CB")
        due_day = day
        due = None
        if rng.random() < 0.3:  # later the same day, else on one of the next days
            due = calls.pick_time(account, point, day, after=done + HOUR, past_only=False)
        if due is None:
            max_ahead = int(self.shape.book["callbacks"]["max_days_ahead"])
            due_day = day + 1 + int(rng.random() * max_ahead)
            due = calls.pick_time(account, point, due_day, past_only=False)
        if due is None:  # no hour suits every zone: leave it at the collector's morning
            due = local_midnight(due_day) + 9 * HOUR
        due = due // 300 * 300
        done_at = None
        next_day = NEVER
        # Abroad the US rule forbids a call within 7 days of a conversation: no follow-up.
        if (
            not account.plan.abroad
            and due_day <= account.last_day
            and due < self.as_of_sec - 30 * 60
            and rng.random() < float(self.shape.book["callbacks"]["done_share"])
        ):
            done_at = due + int(rng.random() * 15 * 60)
            next_day = due_day + 1
            code = self.shape.rpc[stage].pick(rng) if rng.random() < 0.7 else "NA"
            if code == "PTP":
                next_day = max(next_day, self.promise(account, point, done_at, due_day))
            else:
                calls.attempt(account, point, done_at, "HU" if code == "CB" else code)
        self.add_callback(account, attempt_id, due, done_at, done)
        return next_day

    def add_callback(
        self, account: Account, attempt_id: str, due: int, done_at: int | None, created: int
    ) -> None:
        """The callback row of a CB attempt (done_at: when it was made, if it was)."""
        choices = self.shape.texts["callback_notes"]
        local = (due + CN_OFFSET) % DAY
        note = choices[int(self.rng.random() * len(choices))].format(
            time=f"{local // HOUR:02d}:{local % HOUR // 60:02d}"
        )
        self.rows.callbacks.append(
            (
                self.uuid(),
                account.loan_id,
                attempt_id,
                account.user_id,
                self.ts(due),
                None if done_at is None else self.ts(done_at),
                note,
                self.ts(min(created, self.as_of_sec)),
            )
        )
