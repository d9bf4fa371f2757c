"""Contact upkeep (skip-tracing basics): what collection learns about reaching a borrower.

A number, an e-mail or an address learned on a call is added to the borrower's contact
points; a point is marked verified, wrong or do-not-call (with the borrower's own words); the
borrower's agreed contact window and preferred channel are recorded, and that an attorney
represents them. Whoever works the account may do each of these; a mark that pauses
collection (a wrong number, do-not-call, attorney representation) is lifted only by a team
lead, as the central server also insists (docs/security.md: marks-lift). Every change is one
transaction with its audit event, synced like any other; the contact rules read the marks
(app.services.contact.compliance), so the queue and the Call buttons follow at once.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, time

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Borrower, ContactKind, ContactPoint, User
from app.services.common.audit import audit
from app.services.common.errors import (
    Checks,
    InvalidInput,
    InvalidPhoneNumber,
    Message,
    NotAllowed,
    NotFound,
)
from app.services.common.phones import format_phone, parse_phone
from app.services.common.typed import typed_text
from app.services.portfolio.accounts import (
    LIFTERS,
    ContactPointView,
    ContactTerms,
    contact_terms,
    lock,
    open_account,
    point_view,
)
from app.services.portfolio.addresses import AddressInput, checked_address

# What a mark is called where it is typed (the command line, the window's menu).
VERIFIED, WRONG, DO_NOT_CALL = "verified", "wrong", "do_not_call"
MARKS = (VERIFIED, WRONG, DO_NOT_CALL)
# The marks only a team lead lifts, by the column each sets.
LIFTABLE = {WRONG: "wrong_number", DO_NOT_CALL: "do_not_call"}
# The channels a borrower may prefer (app.models.Channel, without visits).
PREFERRED_CHANNELS = ("call", "sms", "email")
MAX_WORDS = 500
# The columns' lengths (app.models).
MAX_NAME, MAX_RELATION, MAX_FIRM, MAX_VALUE = 80, 20, 120, 120


@dataclass(frozen=True)
class NewContactPoint:
    """A number, e-mail or address learned on a contact, as typed.

    kind: mobile, home, work, email, emergency (a third party: name and relation needed) or
    address (the parts in `address`); value: the number or e-mail in any common format.
    """

    kind: str
    value: str = ""
    contact_name: str | None = None
    relation: str | None = None
    address: AddressInput | None = None
    # Confirmed on this contact to be the borrower's (or the named third party's).
    verified: bool = False


def add_contact_point(
    db: Database,
    username: str,
    contract_no: str,
    new: NewContactPoint,
    *,
    now: datetime | None = None,
) -> ContactPointView:
    """Add a contact point to the account's borrower; its view (region and zones worked out).

    A phone number is read in the borrower's country (phonenumbers) and stored E.164; an e-mail
    is checked and normalised; an address needs its province and city. A value already on file
    for the borrower is refused, so no number is there twice.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    kind = _kind(new.kind)
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        lock(session, borrower)
        point = _new_point(borrower, kind, new)
        point.added_by_id = user.id
        point.created_at = now
        if _on_file(session, borrower, point.value):
            raise InvalidInput(
                "{value} is already one of {borrower}'s contact points.",
                value=_shown(point),
                borrower=borrower.name,
            ).at("value")
        last = session.scalar(
            select(func.max(ContactPoint.position)).where(ContactPoint.borrower_id == borrower.id)
        )
        point.position = (last if last is not None else -1) + 1
        session.add(point)
        session.flush()
        audit(
            session,
            "contact_point.added",
            "contact_point",
            point.id,
            {
                "loan_id": str(loan.id),
                "kind": kind.value,
                "region": point.region,
                "time_zones": point.time_zones,
                "verified": point.verified,
            },
            user_id=user.id,
        )
        return point_view(point, now)


def _kind(text: str) -> ContactKind:
    try:
        return ContactKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            "Unknown kind of contact point “{kind}” (one of {known}).",
            kind=text,
            known=", ".join(kind.value for kind in ContactKind),
        ) from None


def _new_point(borrower: Borrower, kind: ContactKind, new: NewContactPoint) -> ContactPoint:
    """The point `new` describes, checked; every problem at once, each at its field of
    `NewContactPoint` ("value", "contact_name", "relation"; an address's parts by their names)."""
    checks = Checks()
    name = checks.check("contact_name", typed_text, new.contact_name, Message("The name"), MAX_NAME)
    relation = checks.check(
        "relation", typed_text, new.relation, Message("The relation"), MAX_RELATION
    )
    if kind.is_third_party:
        missing = [
            field
            for field, value in (("contact_name", name), ("relation", relation))
            if not value and not checks.refused(field)
        ]
        if missing:
            checks.add(
                missing[0],
                InvalidInput(
                    "A third party (an emergency contact) needs their name and their relation to"
                    " the borrower."
                ),
            )
    elif name or relation:
        checks.add(
            "contact_name" if name else "relation",
            InvalidInput("Only a third party (an emergency contact) has a name and a relation."),
        )
    if kind is ContactKind.ADDRESS:
        if new.address is None:
            checks.add(
                "province",
                InvalidInput("An address needs at least its province (or state) and city."),
            )
        place = (
            checks.check(None, checked_address, borrower.country, new.address)
            if new.address is not None
            else None
        )
        checks.verdict()
        assert place is not None
        return ContactPoint(
            borrower_id=borrower.id,
            kind=kind,
            value=place.line,
            region=borrower.country,
            time_zones=" ".join(place.zones),
            province=place.province,
            city=place.city,
            district=place.district or None,
            street=place.street or None,
            verified=new.verified,
        )
    if new.address is not None:
        checks.add("province", InvalidInput("Only an address has a province, a city and a street."))
    typed = checks.check(
        "value",
        typed_text,
        new.value,
        Message("The number or e-mail address"),
        MAX_VALUE,
        code=True,
    )
    if kind is ContactKind.EMAIL:
        address = checks.check("value", email_address, typed or "") if typed is not None else None
        checks.verdict()
        assert address is not None
        return ContactPoint(
            borrower_id=borrower.id,
            kind=kind,
            value=address,
            region=None,
            time_zones="",
            verified=new.verified,
        )
    phone = (
        checks.check("value", parse_phone, typed, borrower.country) if typed is not None else None
    )
    checks.verdict()
    assert phone is not None
    return ContactPoint(
        borrower_id=borrower.id,
        kind=kind,
        value=phone.e164,
        region=phone.region,
        time_zones=" ".join(phone.time_zones),
        contact_name=name or None,
        relation=relation or None,
        verified=new.verified,
    )


def email_address(text: str) -> str:
    """`text` as an e-mail address, normalised (the domain in lower case); InvalidInput if it
    is none. Nothing is asked of the network."""
    typed = (text or "").strip()
    try:
        return str(validate_email(typed, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise InvalidInput("“{text}” is not a valid e-mail address.", text=typed) from None


def _on_file(session: Session, borrower: Borrower, value: str) -> bool:
    return (
        session.scalar(
            select(ContactPoint.id)
            .where(ContactPoint.borrower_id == borrower.id, ContactPoint.value == value)
            .limit(1)
        )
        is not None
    )


def _shown(point: ContactPoint) -> str:
    return format_phone(point.value) if point.kind.is_phone else point.value


# -- marks -----------------------------------------------------------------------------------


def mark_contact_point(
    db: Database,
    username: str,
    contract_no: str,
    point_id: uuid.UUID,
    mark: str,
    *,
    words: str | None = None,
    now: datetime | None = None,
) -> ContactPointView:
    """Mark a contact point verified, wrong or do-not-call; the point as it is now.

    Do-not-call needs the borrower's own words (kept with the mark) and is not a mark of an
    address; a wrong point is no longer verified, and is not verified again until a team lead
    lifts the mark.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    mark = _mark(mark)
    said = typed_text(words, Message("The borrower's words"), MAX_WORDS)
    if mark == DO_NOT_CALL:
        if not said:
            raise InvalidInput(
                "Write down the borrower's own words asking not to be called on this number."
            )
    elif said:
        raise InvalidInput("Only a do-not-call mark carries the borrower's words.")
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        lock(session, borrower)
        point = _point(session, borrower, point_id)
        if mark == VERIFIED:
            if point.verified:
                raise InvalidInput("{value} is already marked verified.", value=_shown(point))
            if point.wrong_number:
                raise InvalidInput(
                    "{value} is marked wrong: only a team lead lifts that mark, before it can"
                    " be verified.",
                    value=_shown(point),
                )
            point.verified = True
        elif mark == WRONG:
            if point.wrong_number:
                raise InvalidInput("{value} is already marked wrong.", value=_shown(point))
            point.wrong_number = True
            point.verified = False
        else:
            if point.kind is ContactKind.ADDRESS:
                raise InvalidInput("An address cannot be marked do-not-call; mark it wrong.")
            if point.do_not_call:
                raise InvalidInput("{value} is already marked do-not-call.", value=_shown(point))
            point.do_not_call = True
            point.do_not_call_words = said
        session.flush()
        audit(
            session,
            "contact_point.marked",
            "contact_point",
            point.id,
            {"loan_id": str(loan.id), "mark": mark},
            user_id=user.id,
        )
        return point_view(point, now)


def lift_contact_point_mark(
    db: Database,
    username: str,
    contract_no: str,
    point_id: uuid.UUID,
    mark: str,
    *,
    now: datetime | None = None,
) -> ContactPointView:
    """A team lead lifts a wrong-number or do-not-call mark (with it go the borrower's words)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    mark = _mark(mark)
    if mark not in LIFTABLE:
        raise InvalidInput(
            "Only a wrong-number or a do-not-call mark is lifted (one of {known}).",
            known=", ".join(LIFTABLE),
        )
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        _lead_only(user)
        lock(session, borrower)
        point = _point(session, borrower, point_id)
        column = LIFTABLE[mark]
        if not getattr(point, column):
            raise InvalidInput("{value} has no such mark to lift.", value=_shown(point))
        setattr(point, column, False)
        if mark == DO_NOT_CALL:
            point.do_not_call_words = None
        session.flush()
        audit(
            session,
            "contact_point.mark_lifted",
            "contact_point",
            point.id,
            {"loan_id": str(loan.id), "mark": mark},
            user_id=user.id,
        )
        return point_view(point, now)


def _mark(text: str) -> str:
    mark = text.strip().lower().replace("-", "_")
    if mark not in MARKS:
        raise InvalidInput(
            "Unknown mark “{mark}” (one of {known}).", mark=text, known=", ".join(MARKS)
        )
    return mark


def _lead_only(user: User) -> None:
    if user.role not in LIFTERS:
        raise NotAllowed("Only a team lead lifts a mark that pauses collection.")


def _point(session: Session, borrower: Borrower, point_id: uuid.UUID) -> ContactPoint:
    point = session.get(ContactPoint, point_id)
    if point is None or point.borrower_id != borrower.id:
        raise NotFound("That contact point is not {borrower}'s.", borrower=borrower.name)
    return point


def find_point(db: Database, username: str, contract_no: str, typed: str) -> uuid.UUID:
    """The borrower's contact point named by its id, its number in any format (read in the
    borrower's country), its e-mail address or its address as listed."""
    text = typed_text(typed, Message("The contact point"), MAX_VALUE, code=True)
    with db.reader() as session:
        _, _, borrower = open_account(session, username, contract_no)
        points = session.scalars(
            select(ContactPoint).where(ContactPoint.borrower_id == borrower.id)
        ).all()
        wanted = {text, text.casefold()}
        with suppress(ValueError):
            wanted.add(str(uuid.UUID(text)))
        with suppress(InvalidPhoneNumber):
            wanted.add(parse_phone(text, borrower.country).e164)
        for point in points:
            if str(point.id) in wanted or point.value in wanted or point.value.casefold() in wanted:
                return point.id
        raise InvalidInput(
            "{typed} is not one of {borrower}'s contact points.",
            typed=typed,
            borrower=borrower.name,
        )


# -- the borrower's terms ----------------------------------------------------------------------


def set_contact_preferences(
    db: Database,
    username: str,
    contract_no: str,
    *,
    window: tuple[time, time] | None,
    channel: str | None,
) -> ContactTerms:
    """Record the contact window the borrower agreed (local time; None: none agreed) and the
    channel they prefer (call, sms or email; None: no preference).

    Where the borrower's profile lets consent move the quiet hours, the contact rules use the
    window instead of them (app.services.contact.compliance).
    """
    checks = Checks()
    if window is not None:
        start, end = window
        if start == end:
            checks.add(
                "window",
                InvalidInput(
                    "The agreed window starts and ends at {time}: give two times.",
                    time=start.strftime("%H:%M"),
                ),
            )
        window = (start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0))
    if channel is not None:
        channel = channel.strip().lower()
        if channel not in PREFERRED_CHANNELS:
            checks.add(
                "channel",
                InvalidInput(
                    "Unknown channel “{channel}” (one of {known}).",
                    channel=channel,
                    known=", ".join(PREFERRED_CHANNELS),
                ),
            )
    checks.verdict()
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        lock(session, borrower)
        borrower.agreed_window_start = window[0] if window else None
        borrower.agreed_window_end = window[1] if window else None
        borrower.preferred_channel = channel
        session.flush()
        audit(
            session,
            "borrower.contact_preferences",
            "borrower",
            borrower.id,
            {
                "loan_id": str(loan.id),
                "window": [f"{end:%H:%M}" for end in window] if window else None,
                "channel": channel,
            },
            user_id=user.id,
        )
        return contact_terms(borrower)


def record_attorney(
    db: Database,
    username: str,
    contract_no: str,
    *,
    name: str,
    phone: str,
    firm: str | None = None,
) -> ContactTerms:
    """Record that an attorney represents the borrower: their name, firm and phone (read in
    the borrower's country). Where the profile says so (US: FDCPA) contact stops."""
    checks = Checks()
    named = checks.check("name", typed_text, name, Message("The attorney's name"), MAX_NAME)
    firm = checks.check("firm", typed_text, firm, Message("The attorney's firm"), MAX_FIRM) or None
    if named == "":
        checks.add("name", InvalidInput("Give the attorney's name."))
    typed_phone = checks.check(
        "phone", typed_text, phone, Message("The attorney's phone number"), MAX_VALUE, code=True
    )
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        number = (
            checks.check("phone", parse_phone, typed_phone, borrower.country)
            if typed_phone is not None
            else None
        )
        checks.verdict()
        assert named is not None and number is not None
        name = named
        lock(session, borrower)
        borrower.attorney_represented = True
        borrower.attorney_name = name
        borrower.attorney_firm = firm
        borrower.attorney_phone = number.e164
        session.flush()
        audit(
            session,
            "borrower.attorney_recorded",
            "borrower",
            borrower.id,
            {"loan_id": str(loan.id)},
            user_id=user.id,
        )
        return contact_terms(borrower)


def lift_attorney(db: Database, username: str, contract_no: str) -> ContactTerms:
    """A team lead records that the attorney no longer represents the borrower."""
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        _lead_only(user)
        lock(session, borrower)
        if not borrower.attorney_represented:
            raise InvalidInput(
                "{borrower} is not marked as represented by an attorney.", borrower=borrower.name
            )
        borrower.attorney_represented = False
        borrower.attorney_name = borrower.attorney_firm = borrower.attorney_phone = None
        session.flush()
        audit(
            session,
            "borrower.attorney_lifted",
            "borrower",
            borrower.id,
            {"loan_id": str(loan.id)},
            user_id=user.id,
        )
        return contact_terms(borrower)
