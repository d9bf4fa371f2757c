"""Business data read from resources/: dispositions, buckets, policy, weights, products, zones."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).resolve().parents[3] / "resources"


def load_json(relative: str) -> Any:
    with (RESOURCES / relative).open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Disposition:
    code: str
    en: str
    zh_CN: str
    attempt: bool
    contact: bool
    rpc: bool
    counts_toward_cap: bool
    sets_flag: str | None = None
    marks_contact_point: str | None = None
    requires: tuple[str, ...] = ()
    escalate: bool = False
    shortcut: str | None = None
    # The script's disclosures (recorded call, purpose; US mini-Miranda) were due on this call.
    needs_disclosures: bool = False
    # Recorded by the reminder dispatcher for a message it sent; never picked by a person.
    by_system: bool = False

    def label(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en


@cache
def dispositions() -> dict[str, Disposition]:
    codes = load_json("dispositions.json")["codes"]
    result = {
        item["code"]: Disposition(**{**item, "requires": tuple(item.get("requires", ()))})
        for item in codes
    }
    # Disclosures speak of the debt, which only the verified borrower may hear (docs/domain.md §5).
    unverified = [code.code for code in result.values() if code.needs_disclosures and not code.rpc]
    if unverified:
        raise ValueError(f"dispositions.json: needs_disclosures without rpc: {unverified}")
    return result


@dataclass(frozen=True)
class Bucket:
    code: str
    min_dpd: int
    max_dpd: int | None


@cache
def buckets() -> tuple[Bucket, ...]:
    return tuple(Bucket(**item) for item in load_json("buckets.json")["buckets"])


def bucket_for(dpd: int) -> str:
    for bucket in buckets():
        if dpd >= bucket.min_dpd and (bucket.max_dpd is None or dpd <= bucket.max_dpd):
            return bucket.code
    raise ValueError(f"no bucket covers DPD {dpd}")


@cache
def policy() -> dict[str, Any]:
    return dict(load_json("policy.json"))


@cache
def queue_weights() -> dict[str, Any]:
    return dict(load_json("queue_weights.json"))


@dataclass(frozen=True)
class Product:
    code: str
    en: str
    zh_CN: str
    annual_rate: Decimal
    penalty_rate_daily: Decimal
    monthly_fee: Decimal
    terms: tuple[int, ...]
    principal_min: int
    principal_max: int


@cache
def products() -> dict[str, Product]:
    result = {}
    for item in load_json("products.json")["products"]:
        result[item["code"]] = Product(
            code=item["code"],
            en=item["en"],
            zh_CN=item["zh_CN"],
            annual_rate=Decimal(item["annual_rate"]),
            penalty_rate_daily=Decimal(item["penalty_rate_daily"]),
            monthly_fee=Decimal(item["monthly_fee"]),
            terms=tuple(item["terms"]),
            principal_min=item["principal_min"],
            principal_max=item["principal_max"],
        )
    return result


@dataclass(frozen=True)
class LoanLimits:
    """The most a loan's terms can be before an import takes them for a mistake."""

    annual_rate_max: Decimal
    penalty_rate_daily_max: Decimal
    term_months_max: int


@cache
def loan_limits() -> LoanLimits:
    limits = load_json("products.json")["limits"]
    return LoanLimits(
        annual_rate_max=Decimal(limits["annual_rate_max"]),
        penalty_rate_daily_max=Decimal(limits["penalty_rate_daily_max"]),
        term_months_max=int(limits["term_months_max"]),
    )


@cache
def _address_zones() -> dict[str, Any]:
    return dict(load_json("address_zones.json")["countries"])


def address_zones(country: str, province: str | None = None) -> tuple[str, ...]:
    """Every IANA zone an address may be in; empty when the country is not in the table."""
    entry = _address_zones().get(country)
    if entry is None:
        return ()
    by_region: dict[str, list[str]] = entry.get("by_region", {})
    return tuple(by_region.get(province or "", entry["default"]))


def address_zone(country: str, province: str | None = None) -> str | None:
    """The first (main) zone of an address, for display."""
    zones = address_zones(country, province)
    return zones[0] if zones else None


@dataclass(frozen=True)
class Emotion:
    code: str
    en: str
    zh_CN: str
    pauses_collection: bool = False
    escalate: bool = False

    def label(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en


@cache
def emotions() -> dict[str, Emotion]:
    return {item["code"]: Emotion(**item) for item in load_json("emotions.json")["emotions"]}


@dataclass(frozen=True)
class PaymentChannel:
    """One way a borrower can pay; `label` is short enough to say in a call."""

    code: str
    label: dict[str, str]
    detail: dict[str, str]


@dataclass(frozen=True)
class Lender:
    """The lender the workstation collects for; texts by language (`en`, `zh_CN`)."""

    name: dict[str, str]
    short_name: dict[str, str]
    service_number: str
    payment_channels: tuple[PaymentChannel, ...]
    registration_no: str = ""
    address: dict[str, str] | None = None
    # The link a reminder carries ({contract_no} filled in), the carriers' registered SMS
    # signature and the opt-out line every SMS ends with, by language.
    payment_link: str = ""
    sms_signature: dict[str, str] | None = None
    sms_opt_out: dict[str, str] | None = None
    email_opt_out: dict[str, str] | None = None


@cache
def lender() -> Lender:
    data = load_json("lender.json")
    return Lender(
        name=dict(data["name"]),
        short_name=dict(data["short_name"]),
        service_number=data["service_number"],
        registration_no=data.get("registration_no", ""),
        address=dict(data["address"]) if "address" in data else None,
        payment_link=data.get("payment_link", ""),
        sms_signature=dict(data["sms_signature"]) if "sms_signature" in data else None,
        sms_opt_out=dict(data["sms_opt_out"]) if "sms_opt_out" in data else None,
        email_opt_out=dict(data["email_opt_out"]) if "email_opt_out" in data else None,
        payment_channels=tuple(
            PaymentChannel(
                code=item["code"], label=dict(item["label"]), detail=dict(item["detail"])
            )
            for item in data["payment_channels"]
        ),
    )


@dataclass(frozen=True)
class SupportLine:
    """A support (mental-health or crisis) line a collector can point a borrower to."""

    number: str
    en: str
    zh_CN: str
    verify_with_compliance: bool

    def text(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en


@dataclass(frozen=True)
class Support:
    hotlines: tuple[SupportLine, ...]
    emergency: dict[str, str]


@cache
def support(profile_code: str) -> Support:
    """The support lines and emergency number of a compliance profile (resources/compliance)."""
    data = load_json(f"compliance/{profile_code}.json")
    return Support(
        hotlines=tuple(SupportLine(**item) for item in data["support_hotline"]),
        emergency=dict(data["emergency_number"]),
    )
