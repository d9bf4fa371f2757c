"""People and their numbers: Chinese names, mobile and landline numbers at home and abroad, and a
borrower's contact points (own phones, e-mail, emergency contacts)."""

from __future__ import annotations

from app.demo.records import Point
from app.demo.shape import City, Place
from app.demo.state import UTC8_ZONES, DemoState, Part
from app.services.common.errors import InvalidPhoneNumber
from app.services.common.phones import parse_phone


class People(Part):
    """Draws names, numbers and contact points."""

    def __init__(self, state: DemoState) -> None:
        super().__init__(state)
        self._utc8: dict[str, bool] = {}

    def person(self, male: bool) -> tuple[str, str, str, str]:
        """A Chinese name: (surname, given name, their pinyin)."""
        rng = self.rng
        surname, surname_py = self.shape.surnames.pick(rng)
        chars = self.shape.male if male else self.shape.female
        count = 1 if rng.random() < 0.3 else 2
        given = [chars[int(rng.random() * len(chars))] for _ in range(count)]
        return surname, "".join(c for c, _ in given), surname_py, "".join(p for _, p in given)

    def mobile(self) -> tuple[str, str, str]:
        """A mainland mobile number, with its region and time zones."""
        prefixes = self.shape.mobile_prefixes
        prefix = prefixes[int(self.rng.random() * len(prefixes))]
        region, zones = self.shape.mobile_zones[prefix]
        return f"+86{prefix}{int(self.rng.random() * 100_000_000):08d}", region, zones

    def landline(self, city: City) -> str:
        lead = city.tel_leads[int(self.rng.random() * len(city.tel_leads))]
        rest = int(self.rng.random() * 10 ** (city.tel_digits - 1))
        return f"+86{city.tel[1:]}{lead}{rest:0{city.tel_digits - 1}d}"

    def foreign(self, place: Place) -> tuple[str, str, str]:
        """A valid mobile number of the place, with what phonenumbers says about it."""
        rng = self.rng
        for _ in range(200):
            prefix = place.prefixes[int(rng.random() * len(place.prefixes))]
            width = place.digits - len(prefix)
            number = f"+{place.cc}{prefix}{int(rng.random() * 10**width):0{width}d}"
            try:
                parsed = parse_phone(number)
            except InvalidPhoneNumber:
                continue
            if parsed.region == place.country and parsed.mobile:
                return parsed.e164, parsed.region, " ".join(parsed.time_zones)
        raise ValueError(f"no valid mobile number found for {place.city}")

    def point(
        self, kind: str, value: str, region: str | None, zones: str, *, own: bool = True
    ) -> Point:
        utc8 = self._utc8.get(zones)
        if utc8 is None:
            utc8 = self._utc8[zones] = all(z in UTC8_ZONES for z in zones.split())
        return Point(self.uuid(), kind, value, region, zones, own, utc8)

    def contact_points(
        self,
        city: City,
        place: Place | None,
        male: bool,
        surname: str,
        surname_py: str,
        given_py: str,
    ) -> list[Point]:
        """A borrower's points, the registered mobile first (place: the address abroad)."""
        rng = self.rng
        rnd = rng.random
        spec = self.shape.points_share
        points = []
        if place is not None:
            points.append(self.point("mobile", *self.foreign(place)))
            if rnd() < spec["old_mobile_abroad_share"]:
                points.append(self.point("mobile", *self.mobile()))
        else:
            points.append(self.point("mobile", *self.mobile()))
            if rnd() < spec["home_share"]:
                points.append(
                    self.point("home", self.landline(city), city.tel_region, city.tel_zones)
                )
            if rnd() < spec["work_share"]:
                points.append(
                    self.point("work", self.landline(city), city.tel_region, city.tel_zones)
                )
        if rnd() < spec["email_share"]:
            texts = self.shape.texts
            domains = texts["email_domains_abroad" if place else "email_domains"]
            domain = domains[int(rnd() * len(domains))]
            if domain == "qq.com":
                address = f"{int(rng.uniform(10_000, 3_000_000_000))}@qq.com"
            else:
                address = f"{given_py}.{surname_py}{int(rnd() * 100)}@{domain}"
            points.append(self.point("email", address, None, ""))
        for k in range(2 if rnd() < spec["second_emergency_share"] else 1):
            relation = self.shape.relations.pick(rng)
            relative_male = (
                relation in ("父亲", "兄弟")
                or (relation == "配偶" and not male)
                or (relation in ("朋友", "同事") and rnd() < 0.5)
            )
            other_surname, other_given, _, _ = self.person(relative_male)
            # Father and siblings share the borrower's family name.
            family = surname if relation in ("父亲", "兄弟", "姐妹") else other_surname
            name = family + other_given
            abroad_place = None
            if k == 0 and rnd() < float(self.shape.book["emergency_abroad_share"]):
                abroad_place = self.shape.places.pick(rng)
            number = self.foreign(abroad_place) if abroad_place else self.mobile()
            point = self.point("emergency", *number, own=False)
            point.contact_name = name
            point.relation = relation
            points.append(point)
        # Marks left by earlier work: an employer or relative who asked not to be called, a number
        # found wrong. Never on the registered mobile, which every account keeps reachable.
        for point in points[1:]:
            if point.kind == "email":
                continue
            if point.kind in ("work", "emergency") and rnd() < spec["do_not_call_share"]:
                point.do_not_call = True
            elif rnd() < spec["wrong_number_share"]:
                point.wrong_number = True
        return points
