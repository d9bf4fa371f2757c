"""Where a borrower lives, as collection knows it: the registered address (the lending
system's), the addresses learned on calls and visits (contact points of kind `address`), and
the one a home visit goes to."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.models import Borrower, ContactKind, ContactPoint
from app.services.common.errors import Checks, InvalidInput, Message
from app.services.common.reference import address_zones
from app.services.common.regions import region_of
from app.services.common.typed import typed_text

# Column lengths (app.models.ContactPoint) and the one-line text's (its `value`).
LIMITS = {"province": 40, "city": 40, "district": 40, "street": 120}
MAX_LINE = 120
# Each part's name where a message names it.
_PARTS = {
    "province": Message("The province or state"),
    "city": Message("The city"),
    "district": Message("The district"),
    "street": Message("The street"),
}


def address_text(province: str, city: str, district: str, street: str, sep: str = "") -> str:
    """One line; a municipality is named once (北京市东城区…, not 北京市北京市东城区…)."""
    parts = [part for part in (province, city, district, street) if part]
    return sep.join(part for index, part in enumerate(parts) if part not in parts[:index])


@dataclass(frozen=True)
class AddressInput:
    """An address as typed: province (a state's code where the country has several zones) and
    city are needed; district and street as far as they are known."""

    province: str
    city: str
    district: str = ""
    street: str = ""


@dataclass(frozen=True)
class CheckedAddress:
    province: str
    city: str
    district: str
    street: str
    country: str
    zones: tuple[str, ...]

    @property
    def line(self) -> str:
        return address_text(self.province, self.city, self.district, self.street)


def checked_address(country: str, typed: AddressInput) -> CheckedAddress:
    """`typed` checked for a borrower of `country`, with the zones it implies.

    The province (or state) is read in any common spelling and stored as the import stores it
    (app.services.common.regions: 广东, GD or Guangdong as 广东省; a US state by its code);
    InvalidInput names what is missing, unknown, too long or hidden in the text: every part's
    problem at once, each at its part ("province", "city", "district", "street").
    """
    checks = Checks()
    parts = {
        name: checks.check(name, typed_text, getattr(typed, name), what, LIMITS[name]) or ""
        for name, what in _PARTS.items()
    }
    missing = [
        name for name in ("province", "city") if not parts[name] and not checks.refused(name)
    ]
    if missing:
        checks.add(
            missing[0], InvalidInput("An address needs at least its province (or state) and city.")
        )
    province = region_of(country, parts["province"]) if parts["province"] else None
    if parts["province"] and province is None:
        checks.add(
            "province",
            InvalidInput(
                "“{province}” is not a province or state of {country} (write it e.g. as 广东,"
                " GD or Guangdong; a US state as CA or California).",
                province=parts["province"],
                country=country,
            ),
        )
    checks.verdict()
    assert province is not None
    parts["province"] = province
    line = address_text(parts["province"], parts["city"], parts["district"], parts["street"])
    if len(line) > MAX_LINE:
        raise InvalidInput(
            "The address is too long ({length} characters on one line; at most {limit}).",
            length=len(line),
            limit=MAX_LINE,
        ).at("street")
    return CheckedAddress(
        province=parts["province"],
        city=parts["city"],
        district=parts["district"],
        street=parts["street"],
        country=country,
        zones=address_zones(country, parts["province"]),
    )


@dataclass(frozen=True)
class Address:
    """A place a visit can go: the registered address (point_id None) or a learned one."""

    province: str
    city: str
    district: str
    street: str
    point_id: uuid.UUID | None = None

    @property
    def line(self) -> str:
        return address_text(self.province, self.city, self.district, self.street)

    @property
    def learned(self) -> bool:
        return self.point_id is not None


def registered_address(borrower: Borrower) -> Address:
    return Address(borrower.province, borrower.city, borrower.district, borrower.street)


def registered_moved(borrower: Borrower) -> bool:
    """A visit found the borrower gone from the registered address, as it still reads."""
    moved_from = borrower.address_moved_from
    return moved_from is not None and moved_from == registered_address(borrower).line


def learned_addresses(points: Iterable[ContactPoint]) -> list[ContactPoint]:
    """The addresses collection learned that are not marked wrong, newest first."""
    found = [
        point for point in points if point.kind is ContactKind.ADDRESS and not point.wrong_number
    ]
    return sorted(found, key=lambda point: (point.created_at, point.position), reverse=True)


def visit_address(borrower: Borrower, points: Sequence[ContactPoint]) -> Address | None:
    """Where a home visit goes: the newest address learned (and not marked wrong), else the
    registered one, unless a visit found the borrower moved away from it (then: unknown)."""
    learned = learned_addresses(points)
    if learned:
        point = learned[0]
        return Address(
            point.province or "",
            point.city or "",
            point.district or "",
            point.street or "",
            point.id,
        )
    if registered_moved(borrower):
        return None
    return registered_address(borrower)


def borrower_address_zones(borrower: Borrower, points: Iterable[ContactPoint]) -> tuple[str, ...]:
    """Every zone the borrower's addresses imply: the registered one's, then the learned ones'
    (the contact rules check each, so an address learned in another zone only narrows)."""
    zones = list(address_zones(borrower.country, borrower.province))
    for point in learned_addresses(points):
        zones += [zone for zone in point.time_zones.split() if zone not in zones]
    return tuple(zones)
