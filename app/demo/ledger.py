"""The money of the loans: schedules and due days, payments, and the balances they leave.

Every instalment row holds what `balances.replay` makes of the schedule and the loan's payments.
The allocation is mirrored here in whole cents (`Ledger.apply`, `Ledger.oldest_owed`), because
replaying Decimals for 200,000 loans would take minutes; the tests hold the two together.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.demo.records import (
    ACCRUED_TO,
    DUE_DAY,
    PARTS,
    PENALTY,
    PRINCIPAL,
    PRINCIPAL_PAID,
    SETTLED_ON,
    Account,
)
from app.demo.shape import ProductShape
from app.demo.state import DAY, HOUR, DemoState, Part, local_midnight
from app.services.common.reference import products
from app.services.portfolio.balances import equal_instalments

# Payment references per channel: prefix, the date (YYYYMMDD), infix, 13 digits.
_REFERENCES = {
    "alipay": ("", "2200"),
    "wechat_pay": ("4200", "01"),
    "card": ("UP", ""),
    "bank_transfer": ("BT", ""),
}


def cents_half_up(millionths_of_a_cent: int) -> int:
    """Whole cents from cents × 10⁻⁶, rounded half up (what `money.cents` does to Decimals)."""
    return (millionths_of_a_cent + 500_000) // 1_000_000


def add_months(ordinal: int, months: int) -> int:
    day = date.fromordinal(ordinal)
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day).toordinal()


def due_day(ordinal: int) -> int:
    """The day itself, or the 28th before it: lenders keep due days on the 1st–28th, so
    that every month has one (and the schedule's dates follow from the first)."""
    day = date.fromordinal(ordinal).day
    return ordinal if day <= 28 else ordinal - (day - 28)


class Ledger(Part):
    """Schedules, payment rows and the open instalments' balances."""

    def __init__(self, state: DemoState) -> None:
        super().__init__(state)
        self._schedules: dict[tuple[str, int, int], list[tuple[int, int, int]]] = {}
        self._monthlies: dict[tuple[int, int], list[int]] = {}
        self._order = state.order

    # -- schedules ------------------------------------------------------------------------

    def schedule(
        self, product: ProductShape, principal: int, term: int
    ) -> list[tuple[int, int, int]]:
        """Cents of (principal, interest, fees) per instalment; only the dates differ."""
        key = (product.code, principal, term)
        found = self._schedules.get(key)
        if found is None:
            lines = equal_instalments(
                Decimal(principal),
                products()[product.code].annual_rate,
                term,
                date(2001, 1, 1),
                product.monthly_fee,
            )
            found = self._schedules[key] = [
                (
                    int(line.principal_due * 100),
                    int(line.interest_due * 100),
                    int(line.fees_due * 100),
                )
                for line in lines
            ]
        return found

    def monthly(self, first: int, count: int) -> list[int]:
        """Due days a month apart (shared: a few thousand first days serve every loan)."""
        key = (first, count)
        found = self._monthlies.get(key)
        if found is None:
            found = self._monthlies[key] = [add_months(first, k) for k in range(count)]
        return found

    def draw_oldest_due(self, bucket: str, special: bool, base: int | None = None) -> int:
        """The due day of the oldest unpaid instalment of an account in that bucket (special:
        a showcase account, at least a week overdue) today, or on the day `base`."""
        rng = self.rng
        if base is None:
            base = self.state.base
        band = self.shape.buckets[bucket]
        low = max(band.min_dpd, 8) if special else band.min_dpd
        while True:
            if band.max_dpd is None:
                extra = self.shape.book["dpd_beyond_last_bucket"]
                dpd = low + int(rng.expovariate(1 / float(extra["mean_extra_days"])))
                dpd = min(dpd, int(extra["max_dpd"]))
            else:
                dpd = low + int(rng.random() * (band.max_dpd - low + 1))
            oldest = base - dpd
            if date.fromordinal(oldest).day <= 28:
                return oldest

    # -- payments -------------------------------------------------------------------------

    def payment(
        self, loan_id: str, day: int, amount: int, earliest: int = 0, at: int | None = None
    ) -> int:
        """A payment row on that day (local time after `earliest`, if given; at `at`, if given);
        returns paid_at."""
        rng = self.rng
        lowest = max(local_midnight(day) + 8 * HOUR, earliest + 60)
        # Until 23:59 local time, so the UTC date is the local date.
        highest = local_midnight(day) + DAY - 60
        paid_at = lowest + int(rng.random() * max(1, highest - lowest)) if at is None else at
        channel = self.shape.pay_channels.pick(rng)
        # Shaped like the channels' own transaction numbers.
        prefix, suffix = _REFERENCES[channel]
        reference = f"{prefix}{self.state.compact[day]}{suffix}{rng.getrandbits(40):013d}"
        when = self.ts(paid_at)
        payment_id = self.uuid()
        # The lending system's own id of the payment, as its daily feed names it.
        source_id = f"DEMO-{payment_id.upper()}"
        self.rows.payments.append(
            (payment_id, loan_id, when, amount, channel, reference, when, source_id, None, None)
        )
        return paid_at

    def pay_on_time(
        self, loan_id: str, due: int, owed: int, principal: int, product: ProductShape
    ) -> tuple[int, int]:
        """Settle one instalment with one payment a few days early, on the day, or late.

        Returns the day paid and the penalty it carried: on a late payment the penalty accrued on
        the instalment's principal up to that day, which `balances.apply_payment` books and the
        payment covers.
        """
        rng = self.rng
        spec = self.shape.pay_share
        roll = rng.random()
        if roll < spec["early_share"]:
            offset = -1 - int(rng.random() * spec["max_days_early"])
        elif roll < spec["early_share"] + spec["late_share"]:
            offset = 1 + int(rng.random() * spec["max_days_late"])
        else:
            offset = 0
        day = due + offset
        penalty = cents_half_up(principal * product.penalty_micro * offset) if offset > 0 else 0
        self.payment(loan_id, day, owed + penalty)
        return day, penalty

    # -- balances -------------------------------------------------------------------------

    def apply(self, account: Account, amount: int, day: int) -> None:
        """`balances.apply_payment` in whole cents: accrue penalty, then pay oldest first."""
        micro = account.penalty_micro
        for s in account.states:
            if s[DUE_DAY] < day and s[SETTLED_ON] is None:
                start = max(s[DUE_DAY], s[ACCRUED_TO] or s[DUE_DAY])
                if day > start:
                    s[PENALTY] += cents_half_up(
                        (s[PRINCIPAL] - s[PRINCIPAL_PAID]) * micro * (day - start)
                    )
                    s[ACCRUED_TO] = day
        remaining = amount
        for s in account.states:
            if s[SETTLED_ON] is not None:
                continue
            for due, paid in self._order:
                take = min(remaining, s[due] - s[paid])
                if take <= 0:
                    continue
                s[paid] += take
                remaining -= take
            if all(s[due] == s[paid] for due, paid in self._order):
                s[SETTLED_ON] = day
            if remaining == 0:
                break

    def oldest_owed(self, account: Account, day: int) -> int:
        """What it takes to settle the oldest unpaid instalment on that day."""
        for s in account.states:
            if s[SETTLED_ON] is None:
                owed = sum(s[due] - s[paid] for due, paid in self._order)
                start = max(s[DUE_DAY], s[ACCRUED_TO] or s[DUE_DAY])
                if s[DUE_DAY] < day and day > start:
                    owed += cents_half_up(
                        (s[PRINCIPAL] - s[PRINCIPAL_PAID]) * account.penalty_micro * (day - start)
                    )
                return int(owed)
        return 0

    def overdue_parts(self, account: Account, day: int) -> dict[str, int]:
        """What is overdue on that day, by part (the policy's names), penalty accrued to it:
        everything `apply` would settle with a payment of their sum that day."""
        parts = dict.fromkeys(PARTS, 0)
        micro = account.penalty_micro
        for s in account.states:
            if s[SETTLED_ON] is not None or s[DUE_DAY] >= day:
                continue
            for name, (due, paid) in PARTS.items():
                parts[name] += s[due] - s[paid]
            start = max(s[DUE_DAY], s[ACCRUED_TO] or s[DUE_DAY])
            if day > start:
                parts["penalty"] += cents_half_up(
                    (s[PRINCIPAL] - s[PRINCIPAL_PAID]) * micro * (day - start)
                )
        return parts

    def overdue_owed(self, account: Account, day: int) -> int:
        """What it takes on that day to settle every instalment due before it."""
        return sum(self.overdue_parts(account, day).values())
