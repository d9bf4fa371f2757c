"""One account at a time: the borrower, their contact points, the loan and its instalments, the
payments already made, who works it, and the collection work on it so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.demo.collection import Collection
from app.demo.ledger import Ledger, add_months, due_day
from app.demo.people import People
from app.demo.records import (
    ACCRUED_TO,
    DUE_DAY,
    FEES,
    FEES_PAID,
    INTEREST,
    INTEREST_PAID,
    PENALTY,
    PENALTY_PAID,
    PRINCIPAL,
    PRINCIPAL_PAID,
    SEQ,
    SETTLED_ON,
    Account,
    Plan,
)
from app.demo.repayments import Repayments
from app.demo.shape import City, Place, ProductShape
from app.demo.staff import Staff
from app.demo.state import DAY, HOUR, UTC8_ZONES, DemoState, Part, local_midnight
from app.services.common import idnumbers
from app.services.common.reference import address_zones


@dataclass(frozen=True, slots=True)
class _Address:
    country: str
    province: str
    city: str
    district: str
    street: str
    zones: tuple[str, ...]  # every zone the address may be in


class Accounts(Part):
    """Builds the accounts, one `build` each, in the plan's order."""

    def __init__(
        self,
        state: DemoState,
        people: People,
        staff: Staff,
        ledger: Ledger,
        collection: Collection,
        repayments: Repayments,
    ) -> None:
        super().__init__(state)
        self._people = people
        self._staff = staff
        self._ledger = ledger
        self._collection = collection
        self._repayments = repayments
        self._id_numbers: set[str] = set()
        # Accounts handed out so far, round the collectors and round the field agents.
        self._phone_next = 0
        self._field_next = 0
        # A field agent works one city: the city of their first account is theirs.
        self._field_cities: dict[str, City] = {}

    def build(self, index: int, plan: Plan) -> None:
        """One borrower, their contact points and loan, its payments and the work on it."""
        rng = self.rng
        rnd = rng.random
        book = self.shape.book
        texts = self.shape.texts
        base = self.state.base
        male = rnd() < 0.52
        surname, given, surname_py, given_py = self._people.person(male)
        name = surname + given
        city = self.shape.cities.pick(rng)
        # An overdue borrower's traits were drawn with their willingness (builder.draw_stories).
        city = plan.city or city
        if plan.field and not plan.abroad:
            agent = self._staff.field_agents[self._field_next % len(self._staff.field_agents)]
            city = self._field_cities.setdefault(agent, city)
        area_code, district = city.districts[int(rnd() * len(city.districts))]
        year = self.shape.birth_years.pick(rng)
        month = 1 + int(rnd() * 12)
        born = date(year, month, 1 + int(rnd() * (28 if month == 2 else 30)))
        id_number = self._id_number(area_code, born, male)
        place = self.shape.places.pick(rng) if plan.abroad else None
        address = self._address(city, district, place)
        employer = self._employer(city, plan.employed)

        borrower_id = self.uuid()
        loan_id = self.uuid()
        points = self._people.contact_points(city, place, male, surname, surname_py, given_py)

        # The loan: product, schedule, and dates that put its oldest unpaid instalment in the
        # planned bucket.
        product = self.shape.products.pick(rng)
        product = plan.product or product
        term = product.terms.pick(rng)
        bucket = plan.bucket
        story_oldest = 0
        if plan.story is not None:
            # A cure's account is in the bucket on the day of the cure (or, cured in the last
            # week, at its start: the week's figures count it there), a plan's today. Either
            # leaves the account paying on: every instalment from the oldest unpaid to the first
            # due after today is still to come. A loan too short for that is drawn again (a few
            # times), else the account has no story.
            on = min(plan.story_day, self.today - 6) if plan.story == "cure" else None
            for _ in range(8):
                story_oldest = self._ledger.draw_oldest_due(bucket or "", False, base=on)
                if self._instalments_to_come(story_oldest) <= term:
                    break
                product = plan.product or self.shape.products.pick(rng)
                term = product.terms.pick(rng)
            else:
                plan.story = None
        principal = product.principals.pick(rng)
        if plan.principal is not None:
            principal = plan.principal
        amounts = self._ledger.schedule(product, principal, term)
        if bucket is None:
            paid = term
            last_due = due_day(base - 11 - int(rnd() * 400))
            oldest = add_months(last_due, 1)  # one past the end: everything is paid
        elif bucket == "C":
            # Current: the next instalment falls due within the next five days.
            paid = int(rnd() * term)
            coming = [d for d in range(base, base + 6) if date.fromordinal(d).day <= 28]
            oldest = coming[int(rnd() * len(coming))]
        elif plan.story is not None:
            oldest = story_oldest
            paid = int(rnd() * (term - self._instalments_to_come(oldest) + 1))
        else:
            paid = int(rnd() * term)
            oldest = self._ledger.draw_oldest_due(bucket, plan.special is not None)
        first_due = add_months(oldest, -paid)
        dues = self._ledger.monthly(first_due, term)
        disbursed = add_months(first_due, -1)
        disbursed_at = local_midnight(disbursed) + int(rng.uniform(9, 21) * HOUR)
        created = self.ts(disbursed_at - int(rnd() * 3 * DAY))

        states = self._instalments(loan_id, product, amounts, dues, paid)
        user_id, assigned_at = self._assign(loan_id, plan, oldest)

        flag = plan.flag
        account = Account(
            loan_id=loan_id,
            borrower_id=borrower_id,
            user_id=user_id or "",
            bucket=bucket or "",
            plan=plan,
            states=states,
            penalty_micro=product.penalty_micro,
            points=points,
            address_zones=address.zones,
            address_utc8=all(zone in UTC8_ZONES for zone in address.zones),
            start_day=max(oldest + 1, self.today - self.shape.window_days),
            country=address.country,
            end_day=plan.story_day if plan.story else base,
        )
        if plan.story == "cure":
            account.cure_at = self._repayments.cure_moment(plan.story_day)
        contract_no = f"CW{date.fromordinal(disbursed).year}{index + 1:08d}"
        # A consumer represented by an attorney may not be called at all (FDCPA §1692c(a)(2)).
        attorney = (
            address.country == "US"
            and plan.flag is None
            and plan.special is None
            and rnd() < float(book["attorney_share_us"])
        )
        if bucket == "C" and not attorney:
            self._collection.pre_due_reminder(account, oldest)
        elif bucket is not None and not attorney:
            self._collection.month(account, oldest)
            if plan.story == "cure":
                self._repayments.cure(account)
            elif plan.story is not None and not self._repayments.offer_plan(
                account, contract_no, name, id_number
            ):
                plan.story = None

        window_start = window_end = None
        if rnd() < float(book["agreed_window_share"]):
            # Agreed to calls a little outside the usual hours (a shift worker); the demo's own
            # calls stay inside both.
            window_start, window_end = "07:30:00.000000", "22:30:00.000000"
        notes = None
        if plan.flag:
            choices = texts["borrower_notes"][plan.flag]
            notes = choices[int(rnd() * len(choices))]
        updated = self.ts(account.flagged_at) if account.flagged_at else created
        lawyer = texts["attorney"]
        self.rows.borrowers.append(
            (
                borrower_id,
                name,
                id_number,
                born.isoformat(),
                address.country,
                address.province,
                address.city,
                address.district,
                address.street,
                employer,
                int(flag == "vulnerable"),
                int(flag == "dispute_open"),
                int(flag == "cease_requested"),
                int(flag == "deceased"),
                int(flag == "legal_referral"),
                int(attorney),
                window_start,
                window_end,
                None,
                *(
                    (lawyer["name"], lawyer["firm"], lawyer["phone"])
                    if attorney
                    else (None, None, None)
                ),
                None,
                notes,
                None,  # erased_at: the demo's people are all within retention
                created,
                updated,
            )
        )
        refusals = texts["do_not_call_words"]
        for position, point in enumerate(points):
            self.rows.points.append(
                (
                    point.id,
                    borrower_id,
                    position,
                    point.kind,
                    point.value,
                    point.region,
                    point.zones,
                    point.contact_name,
                    point.relation,
                    int(point.do_not_call),
                    # What the person said, kept with the mark (never drawn: the demo's random
                    # stream stays as it was).
                    refusals[position % len(refusals)] if point.do_not_call else None,
                    int(point.wrong_number),
                    0,
                    None,
                    None,
                    None,
                    None,
                    None,
                    created,
                )
            )
        self.rows.loans.append(
            (
                loan_id,
                contract_no,
                borrower_id,
                product.code,
                "CNY",
                principal * 100,
                product.annual_rate,
                product.penalty_rate,
                term,
                self.state.date(disbursed),
                "settled" if bucket is None else "active",
                user_id,
                None if user_id is None else self._staff.team_of[user_id],
                assigned_at,
                None,  # nobody had it before: the demo's loans were never moved
                None,  # closed_on: a settled demo loan was settled by its payments
                self.ts(disbursed_at),
            )
        )
        # The open instalments as the collection work left them.
        iso = self.state.iso
        add = self.rows.instalments.append
        for s in states:
            add(
                (
                    loan_id,
                    s[SEQ],
                    iso[s[DUE_DAY]],
                    s[PRINCIPAL],
                    s[INTEREST],
                    s[FEES],
                    s[PRINCIPAL_PAID],
                    s[INTEREST_PAID],
                    s[FEES_PAID],
                    s[PENALTY],
                    s[PENALTY_PAID],
                    None if s[ACCRUED_TO] is None else iso[s[ACCRUED_TO]],
                    None if s[SETTLED_ON] is None else iso[s[SETTLED_ON]],
                )
            )

    def _instalments_to_come(self, oldest: int) -> int:
        """The instalments from the one due on `oldest` to the first due after today."""
        count = 1
        while add_months(oldest, count - 1) <= self.state.base:
            count += 1
        return count

    def _id_number(self, area_code: str, born: date, male: bool) -> str:
        """A resident identity number no other borrower has (the sequence's parity is the sex)."""
        sequence = int(self.rng.random() * 500) * 2 + (1 if male else 0)
        id_number = idnumbers.make(area_code, born, sequence)
        while id_number in self._id_numbers:
            sequence = (sequence + 2) % 1000
            id_number = idnumbers.make(area_code, born, sequence)
        self._id_numbers.add(id_number)
        return id_number

    def _address(self, city: City, district: str, place: Place | None) -> _Address:
        """A street address in the city's district, or at the place abroad."""
        rnd = self.rng.random
        texts = self.shape.texts
        n, building, unit = 1 + int(rnd() * 399), 1 + int(rnd() * 30), 1 + int(rnd() * 6)
        floor, room = 1 + int(rnd() * 32), 1 + int(rnd() * 6)
        if place is None:
            street = texts["street_formats"][int(rnd() * len(texts["street_formats"]))].format(
                road=texts["roads"][int(rnd() * len(texts["roads"]))],
                estate=texts["estates"][int(rnd() * len(texts["estates"]))],
                n=n,
                building=building,
                unit=unit,
                floor=floor,
                room=room,
            )
            return _Address("CN", city.province, city.name, district, street, ("Asia/Shanghai",))
        return _Address(
            place.country,
            place.province,
            place.city,
            place.district,
            place.street.format(n=n, floor=floor, room=f"{floor}0{room}"),
            address_zones(place.country, place.province) or ("Asia/Shanghai",),
        )

    def _employer(self, city: City, employed: bool | None) -> str | None:
        """Where the borrower works, or None; `employed` decides which when it was drawn
        already."""
        rnd = self.rng.random
        texts = self.shape.texts
        employer: str | None = None
        known = rnd() >= float(self.shape.book["employer_null_share"])
        if employed if employed is not None else known:
            if rnd() < 0.3:
                employer = texts["employers"][int(rnd() * len(texts["employers"]))]
            else:
                formats = texts["employer_formats"]
                words = texts["employer_words"]
                employer = formats[int(rnd() * len(formats))].format(
                    city=city.name.removesuffix("市"), word=words[int(rnd() * len(words))]
                )
        return employer

    def _instalments(
        self,
        loan_id: str,
        product: ProductShape,
        amounts: list[tuple[int, int, int]],
        dues: list[int],
        paid: int,
    ) -> list[list[Any]]:
        """The first `paid` instalments were paid off one by one: their payments and final rows.
        Returns the state of the others, open to the payments the collection work brings."""
        iso = self.state.iso
        add = self.rows.instalments.append
        states: list[list[Any]] = []
        for k, (p_due, i_due, f_due) in enumerate(amounts):
            due = dues[k]
            if k < paid:
                day, penalty = self._ledger.pay_on_time(
                    loan_id, due, p_due + i_due + f_due, p_due, product
                )
                paid_on = iso[day]
                add(
                    (
                        loan_id,
                        k + 1,
                        iso[due],
                        p_due,
                        i_due,
                        f_due,
                        p_due,
                        i_due,
                        f_due,
                        penalty,
                        penalty,
                        paid_on if day > due else None,
                        paid_on,
                    )
                )
            else:
                states.append([due, p_due, i_due, f_due, 0, 0, 0, 0, 0, None, None, k + 1])
        return states

    def _assign(self, loan_id: str, plan: Plan, oldest: int) -> tuple[str | None, str | None]:
        """Who works an open loan, round the field agents or the collectors, and since when
        (a settled loan: nobody)."""
        bucket = plan.bucket
        if bucket is None:
            return None, None
        staff = self._staff
        if plan.field:
            user_id = staff.field_agents[self._field_next % len(staff.field_agents)]
            self._field_next += 1
            staff.field_loans.append((loan_id, user_id))
        else:
            user_id = staff.collectors[self._phone_next % len(staff.collectors)]
            self._phone_next += 1
        if bucket == "C":
            assign_day = min(oldest - self.state.pre_due, self.today)
        else:
            assign_day = max(oldest + 1, self.today - self.shape.window_days)
        return user_id, self.ts(min(local_midnight(assign_day) + 6 * HOUR, self.as_of_sec))
