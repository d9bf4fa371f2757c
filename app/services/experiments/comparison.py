"""How the arms of an experiment compare, over the accounts recorded in each since its start.

Per arm:

- cure rate: of the accounts past due when recorded, the share back to 0 days past due now;
- roll rate: of all its accounts, the share in a worse bucket now than when recorded;
- amount collected per account: the payments (not reversed) since the start, over its accounts;
- contacts per cure: the contacts made on its accounts since the start (reminders left out),
  over its cures.

Each with its 95 % confidence interval and the number of accounts it is over: Wilson's
interval for the rates; the normal approximation (mean ± 1.96 standard errors) for the amount
per account; a bootstrap over the accounts (2,000 resamples, percentiles, a fixed seed so the
same data read twice gives the same interval) for contacts per cure, a ratio of two sums.

The challenger is compared with the champion: Fisher's exact test for the rates, Welch's t
test for the amount, the bootstrap interval of the difference for contacts per cure. Where the
difference is not significant at 5 % the comparison says so in a sentence of its own.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from scipy import stats
from sqlalchemy import func, select

from app.database import Database
from app.models import ContactAttempt, Payment, counted
from app.models.experiments import ARMS, ExperimentAssignment
from app.services.common.clock import day_start, local_today
from app.services.common.errors import Message
from app.services.common.reference import bucket_for, buckets
from app.services.experiments.definitions import ExperimentInfo, _find, _info, standing

LEVEL = 0.95
ALPHA = 0.05
RESAMPLES = 2_000
SEED = 21
# The reminders job's outcomes: a message, not a contact a collector made.
REMINDER_OUTCOMES = ("SENT", "DELIVERED", "FAILED", "OPTED-OUT")


@dataclass(frozen=True)
class Figure:
    """One metric of one arm: its value, its 95 % interval (None: too few accounts) and the
    number of accounts it is over."""

    value: float | None
    low: float | None
    high: float | None
    accounts: int

    def as_json(self) -> dict[str, Any]:
        return {
            "value": _rounded(self.value),
            "ci95": None if self.low is None else [_rounded(self.low), _rounded(self.high)],
            "accounts": self.accounts,
        }


@dataclass(frozen=True)
class Difference:
    """Challenger against champion on one metric: the p value (None where the test is a
    bootstrap interval, or too few accounts) and whether it is significant at 5 %."""

    metric: str
    difference: float | None
    p_value: float | None
    significant: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "difference": _rounded(self.difference),
            "p_value": _rounded(self.p_value),
            "significant": self.significant,
        }


@dataclass(frozen=True)
class Comparison:
    experiment: ExperimentInfo
    measured_at: datetime
    # arm -> metric -> figure
    arms: dict[str, dict[str, Figure]]
    differences: tuple[Difference, ...]
    notes: tuple[Message, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.as_json(),
            "measured_at": self.measured_at.isoformat(),
            "arms": {
                arm: {metric: figure.as_json() for metric, figure in figures.items()}
                for arm, figures in self.arms.items()
            },
            "challenger_vs_champion": {d.metric: d.as_json() for d in self.differences},
            "notes": [str(note) for note in self.notes],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 4)


@dataclass
class _Arm:
    cured: list[int]  # per account past due when recorded: 1 back to 0 DPD
    rolled: list[int]
    collected: list[float]
    contacts: list[int]
    cures: list[int]  # per account: 1 cured (0 for accounts current when recorded)


def compare(db: Database, username: str, name: str, *, now: datetime | None = None) -> Comparison:
    """The arms of experiment `name` compared (see the module)."""
    now = now or datetime.now(UTC)
    today = local_today(now)
    order = [bucket.code for bucket in buckets()]
    with db.reader() as session:
        experiment = _find(session, username, name)
        info = _info(session, experiment)
        since = day_start(experiment.starts_on)
        recorded = list(
            session.execute(
                select(
                    ExperimentAssignment.loan_id,
                    ExperimentAssignment.arm,
                    ExperimentAssignment.dpd,
                ).where(ExperimentAssignment.experiment_id == experiment.id)
            )
        )
        loans = [row[0] for row in recorded]
        now_standing = standing(session, loans, today)
        paid: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        contacts: dict[uuid.UUID, int] = defaultdict(int)
        for start in range(0, len(loans), 500):
            chunk = loans[start : start + 500]
            for loan_id, amount in session.execute(
                select(Payment.loan_id, func.sum(Payment.amount))
                .where(
                    Payment.loan_id.in_(chunk),
                    counted(),
                    Payment.paid_at >= since,
                    Payment.paid_at <= now,
                )
                .group_by(Payment.loan_id)
            ):
                paid[loan_id] = Decimal(amount or 0)
            for loan_id, count in session.execute(
                select(ContactAttempt.loan_id, func.count())
                .where(
                    ContactAttempt.loan_id.in_(chunk),
                    ContactAttempt.started_at >= since,
                    ContactAttempt.started_at <= now,
                    ContactAttempt.disposition.not_in(REMINDER_OUTCOMES),
                )
                .group_by(ContactAttempt.loan_id)
            ):
                contacts[loan_id] = int(count)
    arms = {arm: _Arm([], [], [], [], []) for arm in ARMS}
    for loan_id, arm, dpd_then in recorded:
        dpd_now = now_standing[loan_id][0]
        figures = arms[arm]
        cured = int(dpd_then > 0 and dpd_now == 0)
        if dpd_then > 0:
            figures.cured.append(cured)
        figures.cures.append(cured)
        figures.rolled.append(
            int(order.index(bucket_for(dpd_now)) > order.index(bucket_for(dpd_then)))
        )
        figures.collected.append(float(paid[loan_id]))
        figures.contacts.append(contacts[loan_id])
    table = {arm: _figures(figures) for arm, figures in arms.items()}
    differences = _differences(arms["challenger"], arms["champion"])
    # Each sentence names the accounts its measure is over (the cure rate: those past due).
    over = {
        "cure_rate": (len(arms["challenger"].cured), len(arms["champion"].cured)),
    }
    whole = (len(arms["challenger"].cures), len(arms["champion"].cures))
    notes = tuple(
        _not_significant(d, *over.get(d.metric, whole)) for d in differences if not d.significant
    )
    return Comparison(info, now, table, differences, notes)


def _params(**values: object) -> dict[str, Mapping[str, object]]:
    """A message's values as `Message` takes them (its `params`)."""
    return {"params": values}


def _not_significant(difference: Difference, challenger: int, champion: int) -> Message:
    """The plain sentence for a difference not (yet) significant at 5 %."""
    p = "—" if difference.p_value is None else f"{difference.p_value:.3f}"
    if difference.metric == "cure_rate":
        return Message(
            "The challenger's cure rate is not yet significantly different from the"
            " champion's (p = {p}; {challenger} and {champion} accounts).",
            **_params(p=p, challenger=challenger, champion=champion),
        )
    if difference.metric == "roll_rate":
        return Message(
            "The challenger's roll rate is not yet significantly different from the"
            " champion's (p = {p}; {challenger} and {champion} accounts).",
            **_params(p=p, challenger=challenger, champion=champion),
        )
    if difference.metric == "collected_per_account":
        return Message(
            "The challenger's amount collected per account is not yet significantly"
            " different from the champion's (p = {p}; {challenger} and {champion} accounts).",
            **_params(p=p, challenger=challenger, champion=champion),
        )
    return Message(
        "The challenger's contacts per cure are not yet significantly different from the"
        " champion's ({challenger} and {champion} accounts).",
        **_params(challenger=challenger, champion=champion),
    )


def _figures(arm: _Arm) -> dict[str, Figure]:
    return {
        "cure_rate": _rate(arm.cured),
        "roll_rate": _rate(arm.rolled),
        "collected_per_account": _mean(arm.collected),
        "contacts_per_cure": _per_cure(arm.contacts, arm.cures),
    }


def _rate(hits: list[int]) -> Figure:
    """A share with Wilson's 95 % interval."""
    n = len(hits)
    if n == 0:
        return Figure(None, None, None, 0)
    k = sum(hits)
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    return Figure(k / n, float(interval.low), float(interval.high), n)


def _mean(values: list[float]) -> Figure:
    """A mean with the normal approximation's 95 % interval."""
    n = len(values)
    if n == 0:
        return Figure(None, None, None, 0)
    mean = float(np.mean(values))
    if n < 2:
        return Figure(mean, None, None, n)
    half = float(stats.norm.ppf(0.5 + LEVEL / 2)) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return Figure(mean, mean - half, mean + half, n)


def _ratios(contacts: np.ndarray, cures: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Contacts per cure of RESAMPLES resamples of the accounts (NaN: a resample without a
    cure)."""
    n = len(contacts)
    picks = rng.integers(0, n, size=(RESAMPLES, n))
    made = contacts[picks].sum(axis=1).astype(float)
    cured = cures[picks].sum(axis=1).astype(float)
    ratios: np.ndarray = np.divide(made, cured, out=np.full(RESAMPLES, np.nan), where=cured > 0)
    return ratios


def _per_cure(contacts: list[int], cures: list[int]) -> Figure:
    n = len(contacts)
    if n == 0 or sum(cures) == 0:
        return Figure(None, None, None, n)
    value = sum(contacts) / sum(cures)
    ratios = _ratios(np.array(contacts), np.array(cures), np.random.default_rng(SEED))
    kept = ratios[~np.isnan(ratios)]
    low, high = np.percentile(kept, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    return Figure(value, float(low), float(high), n)


def _differences(challenger: _Arm, champion: _Arm) -> tuple[Difference, ...]:
    found = []
    for metric, mine, theirs in (
        ("cure_rate", challenger.cured, champion.cured),
        ("roll_rate", challenger.rolled, champion.rolled),
    ):
        if not mine or not theirs:
            found.append(Difference(metric, None, None, False))
            continue
        k1, k2 = sum(mine), sum(theirs)
        p = float(stats.fisher_exact([[k1, len(mine) - k1], [k2, len(theirs) - k2]]).pvalue)
        found.append(Difference(metric, k1 / len(mine) - k2 / len(theirs), p, p < ALPHA))
    a, b = challenger.collected, champion.collected
    if len(a) >= 2 and len(b) >= 2 and (np.std(a) > 0 or np.std(b) > 0):
        p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
        found.append(
            Difference("collected_per_account", float(np.mean(a) - np.mean(b)), p, p < ALPHA)
        )
    else:
        found.append(Difference("collected_per_account", None, None, False))
    if sum(challenger.cures) and sum(champion.cures):
        rng = np.random.default_rng(SEED)
        mine_r = _ratios(np.array(challenger.contacts), np.array(challenger.cures), rng)
        theirs_r = _ratios(np.array(champion.contacts), np.array(champion.cures), rng)
        gaps = mine_r - theirs_r
        gaps = gaps[~np.isnan(gaps)]
        low, high = np.percentile(gaps, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
        value = sum(challenger.contacts) / sum(challenger.cures) - sum(champion.contacts) / sum(
            champion.cures
        )
        found.append(Difference("contacts_per_cure", value, None, bool(low > 0 or high < 0)))
    else:
        found.append(Difference("contacts_per_cure", None, None, False))
    return tuple(found)
