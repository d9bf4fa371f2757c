"""What ends an account's arrears in the window: a cure (everything overdue paid on one day) or a
weekly repayment plan, kept or broken (docs/demo.md). Both leave the account's later instalments
paid on time once its arrears are cleared.

A plan is stored as the plan services leave it: offered within policy on a PLAN call, approved
by the policy and issued with its agreement's number, terms and their SHA-256 in the same step
(no agreement file: the demo writes none), then tracked from the loan's payments since its
offer — each instalment paid by its due date, or the first one missed breaking it once its
grace days ran out (`app.services.plans.lifecycle`; the tests hold the two together).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

from app.demo.calls import Calls
from app.demo.ledger import Ledger
from app.demo.records import DUE_DAY, SETTLED_ON, Account
from app.demo.state import CN_OFFSET, DAY, EPOCH, HOUR, DemoState, Part, local_midnight
from app.services.common.idnumbers import mask
from app.services.documents.agreement_terms import (
    AgreementLine,
    AgreementTerms,
    canonical_terms,
    terms_digest,
)
from app.services.plans.lifecycle import plan_grace_days
from app.services.plans.offers import plan_policy
from app.services.plans.terms import agreement_number

# The plans the demo offers: weekly, the first instalment a week after the offer.
_WEEK = 7


class Repayments(Part):
    """Cures and repayment plans, with the payments they bring."""

    def __init__(self, state: DemoState, calls: Calls, ledger: Ledger) -> None:
        super().__init__(state)
        self._calls = calls
        self._ledger = ledger
        self._plan_grace = plan_grace_days()
        self._min_line = int(plan_policy().min_instalment * 100)

    def cure_moment(self, day: int) -> int:
        """When, on `day`, a cure is paid: in the day, before the collectors' evening."""
        return local_midnight(day) + 9 * HOUR + int(self.rng.random() * 11 * HOUR)

    def cure(self, account: Account) -> None:
        """Everything overdue paid at `account.cure_at`, then each instalment on time."""
        day = account.end_day
        assert account.cure_at is not None
        amount = self._ledger.overdue_owed(account, day)
        if amount > 0:
            self._ledger.payment(account.loan_id, day, amount, at=account.cure_at)
            self._ledger.apply(account, amount, day)
        self.keep_current(account, day)

    def keep_current(self, account: Account, after: int) -> None:
        """Each instalment that falls due from `after` to today paid by its due day (and before
        today, so before the portfolio's "now")."""
        ledger = self._ledger
        last = self.today - 1
        for s in account.states:
            if s[SETTLED_ON] is not None or not after <= s[DUE_DAY] <= self.today:
                continue
            day = max(after, min(s[DUE_DAY], last) - int(self.rng.random() * 3))
            if day > last:
                return
            owed = ledger.oldest_owed(account, day)
            ledger.payment(account.loan_id, day, owed)
            ledger.apply(account, owed, day)

    def offer_plan(
        self, account: Account, contract_no: str, borrower_name: str, id_number: str
    ) -> bool:
        """A PLAN call on `plan.story_day` and the plan agreed on it, kept or broken as the
        account's story says; False when no plan could be offered that day."""
        rng = self.rng
        calls = self._calls
        ledger = self._ledger
        day = account.end_day
        point = calls.own_phone(account)
        moment = None if point is None else calls.pick_time(account, point, day)
        if point is None or moment is None:
            return False
        parts = ledger.overdue_parts(account, day)
        total = sum(parts.values())
        count = min(self.shape.plan_instalments.pick(rng), total // self._min_line)
        if count < 2:
            return False
        _, done = calls.attempt(account, point, moment, "PLAN")
        created = done + 60 + int(rng.random() * 240)
        dues = [day + _WEEK * (k + 1) for k in range(count)]
        base = total // count
        lines = [base] * (count - 1) + [total - base * (count - 1)]
        grace = self._plan_grace
        last = self.today - 1
        if account.plan.story == "plan_kept":
            paying = sum(1 for due in dues if due <= last)
        else:
            # Broken at the first instalment not paid once its grace days are over.
            breakable = sum(1 for due in dues if due + grace + 1 <= self.today)
            paying = int(rng.random() * breakable)
        paid_at: list[int] = []
        for k in range(paying):
            pay_day = max(day + 1, min(dues[k], last) - int(rng.random() * 2))
            amount = lines[k]
            if k == count - 1:
                # The last one: with it the borrower clears every arrear, penalty since included.
                amount = max(amount, ledger.overdue_owed(account, pay_day))
            paid_at.append(ledger.payment(account.loan_id, pay_day, amount, earliest=created))
            ledger.apply(account, amount, pay_day)
        if paying == count:
            self.keep_current(account, dues[-1] + 1)

        if paying == count:
            status, closed = "completed", paid_at[-1]
        elif account.plan.story == "plan_kept":
            status, closed = "active", None
        else:
            status, closed = "broken", local_midnight(dues[paying] + grace + 1)
        # A random key, as the plan services make: the agreement number is its start, which
        # the demo's ordered keys share with every key minted near it.
        key = uuid.UUID(int=rng.getrandbits(128), version=4)
        plan_id = key.hex
        offered = date.fromordinal(day)
        number = agreement_number(key, offered)
        terms = AgreementTerms(
            agreement_no=number,
            agreement_date=offered,
            contract_no=contract_no,
            borrower_name=borrower_name,
            borrower_id_masked=mask(id_number),
            currency="CNY",
            kind="instalments",
            frequency="weekly",
            overdue_principal=_yuan(parts["principal"]),
            overdue_interest=_yuan(parts["interest"]),
            overdue_penalty=_yuan(parts["penalty"]),
            overdue_fees=_yuan(parts["fees"]),
            waiver=Decimal("0.00"),
            discount=Decimal("0.00"),
            down_payment=Decimal("0.00"),
            total=_yuan(total),
            lines=tuple(
                AgreementLine(k + 1, date.fromordinal(dues[k]), _yuan(lines[k]))
                for k in range(count)
            ),
        )
        ts = self.ts
        self.rows.plans.append(
            (
                plan_id,
                account.loan_id,
                account.user_id,
                status,
                "instalments",
                "CNY",
                self.state.date(day),
                parts["principal"],
                parts["interest"],
                parts["penalty"],
                parts["fees"],
                total,
                0,
                0,
                0,
                "weekly",
                json.dumps([]),
                None,  # approved by the policy itself: within it
                None,
                None,
                number,
                self.state.date(day),
                terms_digest(terms),
                None,
                canonical_terms(terms).decode(),
                ts(created),
                ts(paid_at[0]) if paid_at else None,
                None if closed is None else ts(closed),
                0,
                ts(created),
            )
        )
        for k in range(count):
            paid = k < paying
            self.rows.plan_lines.append(
                (
                    plan_id,
                    k + 1,
                    self.state.date(dues[k]),
                    lines[k],
                    lines[k] if paid else 0,
                    self.state.date(_local_day(paid_at[k])) if paid else None,
                )
            )
        return True


def _yuan(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _local_day(moment: int) -> int:
    """The business day (Asia/Shanghai) an instant falls on."""
    return (moment + CN_OFFSET) // DAY + EPOCH
