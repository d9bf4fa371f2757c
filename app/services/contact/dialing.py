"""Dialling: which of an account's numbers may be called now, and the URL that dials one."""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import phonenumbers
from phonenumbers import PhoneNumberFormat

from app.database import Database
from app.models import ContactPoint
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.phones import parse_phone
from app.services.contact.compliance import Decision
from app.services.contact.contacts import block_row, phone_decisions
from app.services.portfolio.accounts import open_account

DEFAULT_TEMPLATE = "tel:{e164}"
PLACEHOLDERS = frozenset({"e164", "digits", "national"})


@dataclass(frozen=True)
class CallOption:
    contact_point_id: uuid.UUID
    kind: str
    e164: str
    allowed: bool
    decision: Decision
    # Someone else's number (an emergency contact): the third-party script applies.
    third_party: bool


def call_options(
    db: Database, username: str, contract_no: str, at: datetime | None = None
) -> tuple[CallOption, ...]:
    """Every phone number of the account, each with the rules' answer for a call at `at`."""
    at = at or datetime.now(UTC)
    with db.reader() as session:
        _, loan, borrower = open_account(session, username, contract_no)
        # Plain values taken while the session is open: no row outlives it.
        return options_of(phone_decisions(session, loan, borrower, at))


def options_of(answers: Iterable[tuple[ContactPoint, Decision]]) -> tuple[CallOption, ...]:
    """The rules' answers (`phone_decisions`) as plain values, taken while the session is
    open."""
    return tuple(
        CallOption(
            contact_point_id=point.id,
            kind=point.kind.value,
            e164=point.value,
            allowed=decision.allowed,
            decision=decision,
            third_party=point.kind.is_third_party,
        )
        for point, decision in answers
    )


@dataclass(frozen=True)
class DialCheck:
    """The rules' answer for a dial, asked again at the moment of dialling."""

    # The number to dial, when the rules allow it; None when they stop the dial.
    allowed: CallOption | None
    # Every number of the account with its answer now (the window relabels them).
    options: tuple[CallOption, ...]


def check_dial(
    db: Database,
    username: str,
    contract_no: str,
    contact_point_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> DialCheck:
    """Ask the rules about dialling `contact_point_id` (None: the first number they allow).

    A dial they stop is recorded (a contact block, by rule) for the team lead's compliance
    figures: the wanted number's rule, or with no number named and none allowed, the first's.
    """
    at = at or datetime.now(UTC)
    with db.session() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        options = options_of(phone_decisions(session, loan, borrower, at))
        if contact_point_id is None:
            wanted = next((o for o in options if o.allowed), options[0] if options else None)
        else:
            wanted = next((o for o in options if o.contact_point_id == contact_point_id), None)
            if wanted is None:
                raise NotFound("That number is no longer on this account.")
        if wanted is None or wanted.allowed:
            return DialCheck(wanted, options)
        session.add(block_row(user.id, loan, wanted.contact_point_id, "call", at, wanted.decision))
        return DialCheck(None, options)


def check_template(template: str) -> str:
    """The template if it makes a dialable URL: a scheme and at least the number in it."""
    template = template.strip()
    try:
        parsed = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError:
        raise InvalidInput(
            "The dial template “{template}” has an unclosed brace.", template=template
        ) from None
    # Only the bare names are placeholders: `{}` would be filled by position (an IndexError
    # when dialling) and `{e164!r}` or `{e164:>20}` would put quotes or padding in the URL.
    unknown = {
        _field(name, spec, conversion)
        for name, spec, conversion in parsed
        if name not in PLACEHOLDERS or spec or conversion
    }
    if unknown:
        raise InvalidInput(
            "The dial template uses unknown placeholders: {unknown} (known: {known}).",
            unknown=", ".join(sorted(unknown)),
            known=", ".join(_field(name) for name in sorted(PLACEHOLDERS)),
        )
    if not parsed:
        raise InvalidInput(
            "The dial template “{template}” does not contain the number.", template=template
        )
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", template):
        raise InvalidInput(
            "The dial template “{template}” needs a scheme such as tel: or sip:.",
            template=template,
        )
    return template


def _field(name: str, spec: str | None = None, conversion: str | None = None) -> str:
    """A placeholder as it was typed, braces included, to name it in a message."""
    shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
    return "{" + shown + "}"


def dial_url(template: str, e164: str) -> str:
    """`tel:{e164}` → `tel:+8613800138000`; also `{digits}` and `{national}` (no spaces)."""
    template = check_template(template)
    # Validated (InvalidPhoneNumber, not a parser exception) and normalised, so `{digits}` is
    # always the country code and number even if the caller passed another format.
    number = parse_phone(e164)
    national = phonenumbers.format_number(
        phonenumbers.parse(number.e164), PhoneNumberFormat.NATIONAL
    )
    return template.format(
        e164=number.e164,
        digits=number.e164.lstrip("+"),
        national=re.sub(r"\D", "", national),
    )
