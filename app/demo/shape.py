"""The shape of the demo book: shares, weights, names, places, products and texts.

All of it is data in `resources/demo/*.json` (portfolio, names, regions, texts) and the reference
tables (products, buckets, dispositions). `Shape` reads it once into ready-made weighted choices;
nothing here draws a random number except `Weighted.pick`, which draws exactly one.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

from app.services.common.phones import parse_phone
from app.services.common.reference import buckets, dispositions, load_json, products

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice with precomputed cumulative weights (one random draw per pick)."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items = [(item, float(weight)) for item, weight in pairs if float(weight) > 0]
        if not items:
            raise ValueError("a weighted choice needs at least one positive weight")
        self.items = [item for item, _ in items]
        self.cumulative = list(accumulate(weight for _, weight in items))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def weighted(mapping: dict[str, Any]) -> Weighted[str]:
    """A weighted choice among a JSON object's keys, weighted by its values."""
    return Weighted((key, float(value)) for key, value in mapping.items())


@dataclass(frozen=True)
class City:
    """A city in mainland China, with its districts and landline numbering."""

    province: str
    name: str
    tel: str
    tel_digits: int
    tel_leads: str
    districts: tuple[tuple[str, str], ...]
    tel_region: str
    tel_zones: str


@dataclass(frozen=True)
class Place:
    """An address abroad, with the country's mobile numbering."""

    country: str
    province: str
    city: str
    district: str
    street: str
    cc: str
    prefixes: tuple[str, ...]
    digits: int


@dataclass(frozen=True)
class ProductShape:
    """A loan product as the demo draws it: rates, terms and principal amounts."""

    code: str
    annual_rate: float
    penalty_rate: float
    penalty_micro: int
    monthly_fee: Decimal
    terms: Weighted[int]
    principals: Weighted[int]


@cache
def load_shape() -> dict[str, Any]:
    """The demo's resource files, read once."""
    return {
        "portfolio": load_json("demo/portfolio.json"),
        "names": load_json("demo/names.json"),
        "regions": load_json("demo/regions.json"),
        "texts": load_json("demo/texts.json"),
    }


def principal_choices(low: int, high: int, step: int, typical: int) -> Weighted[int]:
    """Round amounts from low to high, most of them near `typical` (log-normal-ish)."""
    first = -(-low // step) * step
    amounts = range(first, high + 1, step)
    return Weighted(
        (amount, math.exp(-((math.log(amount / typical)) ** 2) / 0.5)) for amount in amounts
    )


def chinese_number(n: int) -> str:
    """一 … 九十九 (team names); larger numbers stay in digits."""
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


class Shape:
    """The book's shape, ready to draw from.

    book and texts are the raw `portfolio.json` and `texts.json`; the rest are weighted choices
    and shares made from them. max_ahead: how many days ahead a promise may fall (policy).
    """

    def __init__(self, max_ahead: int) -> None:
        shape = load_shape()
        book = self.book = shape["portfolio"]
        names = shape["names"]
        regions = shape["regions"]
        self.texts = shape["texts"]
        self.surnames = Weighted((tuple(s[:2]), float(s[2])) for s in names["surnames"])
        self.male = [tuple(item) for item in names["male"]]
        self.female = [tuple(item) for item in names["female"]]

        cities: list[tuple[City, float]] = []
        for province in regions["provinces"]:
            city_weight = sum(float(c["weight"]) for c in province["cities"])
            for city in province["cities"]:
                sample = f"{city['tel']}{city['tel_leads'][0]}" + "1" * (city["tel_digits"] - 1)
                parsed = parse_phone(sample)
                cities.append(
                    (
                        City(
                            province=province["name"],
                            name=city["name"],
                            tel=city["tel"],
                            tel_digits=int(city["tel_digits"]),
                            tel_leads=city["tel_leads"],
                            districts=tuple((code, name) for code, name in city["districts"]),
                            tel_region=parsed.region,
                            tel_zones=" ".join(parsed.time_zones),
                        ),
                        float(province["weight"]) * float(city["weight"]) / city_weight,
                    )
                )
        self.cities = Weighted(cities)
        self.places = Weighted(
            (
                Place(
                    country=p["country"],
                    province=p["province"],
                    city=p["city"],
                    district=p["district"],
                    street=p["street"],
                    cc=p["phone"]["cc"],
                    prefixes=tuple(p["phone"]["prefixes"]),
                    digits=int(p["phone"]["digits"]),
                ),
                float(p["weight"]),
            )
            for p in regions["abroad"]
        )
        self.mobile_prefixes = list(book["mobile_prefixes"])
        self.mobile_zones: dict[str, tuple[str, str]] = {}
        for prefix in self.mobile_prefixes:
            parsed = parse_phone(f"{prefix}12345678")
            self.mobile_zones[prefix] = (parsed.region, " ".join(parsed.time_zones))

        catalogue = products()
        self.products: Weighted[ProductShape] = Weighted(
            (
                ProductShape(
                    code=code,
                    annual_rate=float(catalogue[code].annual_rate),
                    penalty_rate=float(catalogue[code].penalty_rate_daily),
                    penalty_micro=int(catalogue[code].penalty_rate_daily.scaleb(6)),
                    monthly_fee=catalogue[code].monthly_fee,
                    terms=Weighted(
                        (int(term), float(weight))
                        for term, weight in spec["terms"].items()
                        if int(term) in catalogue[code].terms
                    ),
                    principals=principal_choices(
                        catalogue[code].principal_min,
                        catalogue[code].principal_max,
                        int(spec["step"]),
                        int(spec["typical"]),
                    ),
                ),
                float(spec["weight"]),
            )
            for code, spec in book["products"].items()
        )
        for product in self.products.items:
            # Penalty is computed in whole millionths; a finer rate would be rounded away.
            if (
                Decimal(product.penalty_micro).scaleb(-6)
                != catalogue[product.code].penalty_rate_daily
            ):
                raise ValueError(f"penalty rate of {product.code} has more than 6 decimals")

        self.buckets = {b.code: b for b in buckets()}
        self.bucket_choice = weighted(book["bucket_weights"])
        self.late_buckets = set(book["late_buckets"])
        years = book["birth_years"]
        self.birth_years = Weighted(
            (year, max(0.5, 10 - abs(year - int(years["peak"])) * 0.6))
            for year in range(int(years["from"]), int(years["to"]) + 1)
        )
        self.relations = weighted(book["relations"])
        pay = book["payments"]
        self.pay_channels = weighted(pay["channels"])
        activity = self.activity = book["activity"]
        self.no_contact = weighted(activity["no_contact_weights"])
        self.own_contact = weighted(activity["own_contact_weights"])
        self.third_party = weighted(activity["third_party_weights"])
        self.rpc = {stage: weighted(w) for stage, w in activity["rpc_weights"].items()}
        self.emotions = {code: weighted(w) for code, w in activity["emotions"].items()}
        self.note_share = float(activity["note_share"])
        # Answered contacts tick their emotion's required checklist items; a few (legacy and
        # imported rows) lack one (see calls.Calls._checklist).
        self.checklist_missing_share = float(activity["checklist_missing_share"])
        self.points_share = {k: float(v) for k, v in book["contact_points"].items()}
        self.pay_share = {k: float(v) for k, v in pay.items() if k != "channels"}
        self.act_share = {k: float(v) for k, v in activity.items() if isinstance(v, int | float)}
        self.window_days = int(activity["window_days"])
        promises = book["promises"]
        self.days_ahead = Weighted(
            (int(days), float(w))
            for days, w in promises["days_ahead"].items()
            if int(days) <= max_ahead
        )
        self.promise_outcomes = weighted(promises["outcomes"])
        self.promise_weights = {k: float(v) for k, v in promises["outcomes"].items()}
        history = self.history = book["history"]
        self.willingness = (
            float(history["willingness"]["alpha"]),
            float(history["willingness"]["beta"]),
        )
        self.cure_share = {k: float(v) for k, v in history["cure_share"].items()}
        self.plan_share = {k: float(v) for k, v in history["plan_share"].items()}
        self.plan_instalments = Weighted(
            (int(count), float(w)) for count, w in history["plan_instalments"].items()
        )
        self.promise_kept_factor = {k: float(v) for k, v in history["promise_kept_factor"].items()}
        known = set(dispositions())
        used = (
            set(activity["no_contact_weights"])
            | set(activity["third_party_weights"])
            | {c for w in activity["rpc_weights"].values() for c in w}
            | set(activity["flag_dispositions"].values())
            | {"WN", "TPC"}
        )
        if not used <= known:
            raise ValueError(f"demo activity uses unknown dispositions: {sorted(used - known)}")
