"""Contact upkeep on the command line: the numbers and addresses collection learns, their marks,
the borrower's contact window, preferred channel and attorney."""

from __future__ import annotations

import argparse
import json
from datetime import time

from app.cli.common import TEAM_LEAD, for_roles, open_database, plain
from app.config import Config
from app.services.common.errors import InvalidInput

KINDS = ("mobile", "home", "work", "email", "emergency", "address")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    contacts = commands.add_parser(
        "contacts",
        help="contact upkeep: list, add, mark and lift contact points; the borrower's"
        " preferences and attorney",
    )
    actions = contacts.add_subparsers(title="contacts commands", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list", help="the borrower's contact points with region, zones and marks"
    )
    listing.add_argument("contract_no")
    listing.add_argument("--user", required=True)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    add = actions.add_parser("add", help="add a number, e-mail or address learned on a contact")
    add.add_argument("contract_no")
    add.add_argument("--user", required=True)
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--value", default="", help="the number (any format) or e-mail address")
    add.add_argument("--name", help="a third party's name (kind emergency)")
    add.add_argument("--relation", help="a third party's relation to the borrower")
    add.add_argument("--province", help="an address's province, or a US state's code")
    add.add_argument("--city")
    add.add_argument("--district", default="")
    add.add_argument("--street", default="")
    add.add_argument("--verified", action="store_true", help="confirmed on this contact")
    add.set_defaults(handler=_add)

    mark = actions.add_parser("mark", help="mark a contact point verified, wrong or do-not-call")
    mark.add_argument("contract_no")
    mark.add_argument("point", help="the number (any format), e-mail, address, or id from list")
    mark.add_argument("--user", required=True)
    mark.add_argument(
        "--as", dest="mark", required=True, choices=["verified", "wrong", "do-not-call"]
    )
    mark.add_argument("--words", help="do-not-call: the borrower's own words (required)")
    mark.set_defaults(handler=_mark)

    lift = actions.add_parser("lift", help="a team lead lifts a wrong or do-not-call mark")
    lift.add_argument("contract_no")
    lift.add_argument("point", help="the number (any format), e-mail, address, or id from list")
    lift.add_argument("--user", required=True)
    lift.add_argument("--mark", required=True, choices=["wrong", "do-not-call"])
    lift.set_defaults(handler=_lift)
    for_roles(lift, TEAM_LEAD)

    prefer = actions.add_parser(
        "preferences", help="the contact window the borrower agreed and the channel they prefer"
    )
    prefer.add_argument("contract_no")
    prefer.add_argument("--user", required=True)
    prefer.add_argument(
        "--window", required=True, help="HH:MM-HH:MM in the borrower's local time, or none"
    )
    prefer.add_argument("--channel", required=True, choices=["call", "sms", "email", "none"])
    prefer.set_defaults(handler=_preferences)

    attorney = actions.add_parser(
        "attorney", help="record that an attorney represents the borrower (a lead: --lift)"
    )
    attorney.add_argument("contract_no")
    attorney.add_argument("--user", required=True)
    attorney.add_argument("--name")
    attorney.add_argument("--firm")
    attorney.add_argument("--phone", help="the attorney's number (any format)")
    attorney.add_argument(
        "--lift", action="store_true", help="a team lead: the attorney no longer represents them"
    )
    attorney.set_defaults(handler=_attorney)


def _list(config: Config, args: argparse.Namespace) -> int:
    from app.services.portfolio.accounts import account_detail

    detail = account_detail(open_database(config), args.user, args.contract_no)
    if args.json:
        print(
            json.dumps(
                {"contact_points": plain(detail.contact_points), "terms": plain(detail.terms)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for point in detail.contact_points:
        print(_point_line(point))
    _print_terms(detail.terms)
    if detail.address_moved:
        print(f"registered address (moved away): {detail.address}")
    return 0


def _point_line(point: object) -> str:
    from app.services.portfolio.accounts import ContactPointView

    assert isinstance(point, ContactPointView)
    marks = [
        mark
        for mark, on in (
            ("VERIFIED", point.verified),
            ("WRONG", point.wrong_number),
            ("DNC", point.do_not_call),
            ("LEARNED", point.learned),
        )
        if on
    ]
    who = f" {point.contact_name} ({point.relation})" if point.contact_name else ""
    zones = " ".join(point.time_zones) or "-"
    words = f"  “{point.do_not_call_words}”" if point.do_not_call_words else ""
    return (
        f"{point.id}  {point.kind:<9} {point.display:<24} {point.region or '-':<3} {zones}"
        f"{who} {' '.join(marks)}{words}"
    ).rstrip()


def _print_terms(terms: object) -> None:
    from app.services.portfolio.accounts import ContactTerms

    assert isinstance(terms, ContactTerms)
    if terms.agreed_window:
        start, end = terms.agreed_window
        print(f"agreed contact window: {start:%H:%M}-{end:%H:%M} (borrower's local time)")
    if terms.preferred_channel:
        print(f"preferred channel: {terms.preferred_channel}")
    if terms.attorney_represented:
        firm = f", {terms.attorney_firm}" if terms.attorney_firm else ""
        print(f"represented by an attorney: {terms.attorney_name}{firm}, {terms.attorney_phone}")


def _add(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.upkeep import NewContactPoint, add_contact_point
    from app.services.portfolio.addresses import AddressInput

    address = None
    if args.kind == "address":
        address = AddressInput(args.province or "", args.city or "", args.district, args.street)
    elif args.province or args.city or args.district or args.street:
        raise InvalidInput("Only an address has a province, a city and a street.")
    view = add_contact_point(
        open_database(config),
        args.user,
        args.contract_no,
        NewContactPoint(
            kind=args.kind,
            value=args.value,
            contact_name=args.name,
            relation=args.relation,
            address=address,
            verified=args.verified,
        ),
    )
    zones = ", ".join(view.time_zones) or "no zone known"
    print(f"added {view.kind} {view.display} (region {view.region or '-'}; {zones}) as {view.id}")
    return 0


def _mark(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.upkeep import find_point, mark_contact_point

    db = open_database(config)
    point = find_point(db, args.user, args.contract_no, args.point)
    view = mark_contact_point(db, args.user, args.contract_no, point, args.mark, words=args.words)
    print(f"marked {view.display} {args.mark}")
    return 0


def _lift(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.upkeep import find_point, lift_contact_point_mark

    db = open_database(config)
    point = find_point(db, args.user, args.contract_no, args.point)
    view = lift_contact_point_mark(db, args.user, args.contract_no, point, args.mark)
    print(f"lifted the {args.mark} mark of {view.display}")
    return 0


def _preferences(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.upkeep import set_contact_preferences

    terms = set_contact_preferences(
        open_database(config),
        args.user,
        args.contract_no,
        window=window_arg(args.window),
        channel=None if args.channel == "none" else args.channel,
    )
    if not terms.agreed_window and not terms.preferred_channel:
        print("no contact window agreed, no channel preferred")
    _print_terms(terms)
    return 0


def window_arg(text: str) -> tuple[time, time] | None:
    """`18:00-20:30` as two local times; `none` for no window."""
    if text.strip().lower() == "none":
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise InvalidInput(
            "“{text}” is not a contact window: write it as 18:00-20:30, or none.", text=text
        ) from None
    return start, end


def _attorney(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.upkeep import lift_attorney, record_attorney

    db = open_database(config)
    if args.lift:
        if args.name or args.firm or args.phone:
            raise InvalidInput("--lift takes no attorney's details.")
        lift_attorney(db, args.user, args.contract_no)
        print(f"{args.contract_no}: no longer represented by an attorney")
        return 0
    if not args.name or not args.phone:
        raise InvalidInput("Give the attorney's --name and --phone (and --firm if known).")
    terms = record_attorney(
        db, args.user, args.contract_no, name=args.name, phone=args.phone, firm=args.firm
    )
    _print_terms(terms)
    return 0
