"""The plan of the book: every account's bucket, place, flag and showcase role, drawn before any
account is built (staff sizes depend on them, and the rare cases get a guaranteed minimum)."""

from __future__ import annotations

from app.demo.records import Plan
from app.demo.state import DemoState


def draw_plans(state: DemoState) -> list[Plan]:
    """One plan per account, in the order the accounts are built."""
    rng = state.rng
    shape = state.shape
    book = shape.book
    settled_share = float(book["settled_share"])
    abroad_share = float(book["abroad_share"])
    field_share = float(book["field_share_of_late"])
    plans = []
    for _ in range(state.accounts):
        if rng.random() < settled_share:
            plans.append(Plan(None, abroad=rng.random() < abroad_share))
            continue
        bucket = shape.bucket_choice.pick(rng)
        abroad = rng.random() < abroad_share
        plan = Plan(bucket, abroad=abroad)
        plan.field = bucket in shape.late_buckets and not abroad and rng.random() < field_share
        plans.append(plan)
    overdue = [i for i, p in enumerate(plans) if p.bucket not in (None, "C")]
    taken: set[int] = set()

    def draw(pool: list[int], count: int) -> list[int]:
        free = [i for i in pool if i not in taken]
        chosen = rng.sample(free, min(count, len(free)))
        taken.update(chosen)
        return chosen

    minimum = int(book["activity"]["min_special"])
    for flag, spec in book["flags"].items():
        if "share_of_M6+" in spec:
            pool = [i for i in overdue if plans[i].bucket == "M6+"]
            count = round(float(spec["share_of_M6+"]) * len(pool))
        else:
            pool = overdue
            count = round(float(spec["share"]) * state.accounts)
        for i in draw(pool, max(int(spec["min"]), count)):
            plans[i].flag = flag
    phone_early = [
        i
        for i in overdue
        if plans[i].bucket in ("M1", "M2", "M3") and not plans[i].abroad and not plans[i].field
    ]
    for special in ("cap_connected", "cap_unanswered", "callback_today", "promise_lapsed"):
        share = float(book["activity"][f"{special}_share"])
        for i in draw(phone_early, max(minimum, round(share * state.accounts))):
            plans[i].special = special
    return plans
