"""`collector-workstation my-day`: a collector's own day, what is due and what they did."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from app.cli.common import STAFF, day_arg, for_roles, open_database, plain
from app.config import Config

if TYPE_CHECKING:
    from app.services.contact.my_day import DueCallback, MyDay


def register(commands: Any) -> None:
    """Add `my-day` to the CLI's subparsers."""
    command = commands.add_parser(
        "my-day",
        help="a collector's day: callbacks and promises due, and the day's calls and promises",
        description="The start of the day (open callbacks and pending promises due that day on"
        " the accounts the user works) and its end (the user's attempts, contacts, right-party"
        " contacts, promises made and their amount, each outcome, and the callbacks due the"
        " next day), counted as the team lead's dashboard counts them. Days are the lender's"
        " business days.",
    )
    command.add_argument("--user", required=True, help="whose day")
    command.add_argument(
        "--date", type=day_arg, metavar="YYYY-MM-DD", help="which day (default: today)"
    )
    command.add_argument("--lang", default="en", choices=["en", "zh_CN"])
    command.add_argument("--json", action="store_true")
    # A user's own accounts and work: an administrator works none.
    for_roles(command, *STAFF)
    command.set_defaults(handler=_my_day)


def _my_day(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.my_day import my_day

    day = my_day(open_database(config), args.user, args.date)
    if args.json:
        print(json.dumps(plain(day), ensure_ascii=False, indent=2))
    else:
        print("\n".join(_text(day, args.lang)))
    return 0


def _text(day: MyDay, language: str) -> list[str]:
    from app.services.common.money import ZERO, format_money
    from app.services.common.reference import load_json

    # The headings in the language asked for, as the queue's reasons are (a data file).
    words: dict[str, str] = load_json("my_day_text.json")[language]
    start, end = day.start, day.end
    on = day.day.isoformat()
    name = day.display_name
    lines = [
        words["title"].format(name=name, username=day.username, day=on, zone=day.zone),
        "",
        words["due"].format(day=on, name=name),
        words["callbacks"].format(count=len(start.callbacks)),
    ]
    lines.extend(_callback(item, day.zone) for item in start.callbacks)
    lines.append(words["promises"].format(count=len(start.promises)))
    for promise in start.promises:
        paid = (
            " " + words["paid"].format(amount=format_money(promise.paid, promise.currency))
            if promise.paid > 0
            else ""
        )
        lines.append(
            f"    {promise.contract_no:<14} {promise.borrower:<8}"
            f" {format_money(promise.amount, promise.currency)}{paid}"
        )
    promised = ", ".join(
        format_money(amount, currency) for currency, amount in end.promised.items()
    ) or format_money(ZERO)
    outcomes = ", ".join(
        f"{item.code} {item.text.text(language)} {item.count}" for item in end.outcomes
    )
    lines += [
        "",
        words["done"].format(day=on, name=name),
        words["attempts"].format(count=end.attempts),
        words["contacts"].format(count=end.contacts),
        words["rpcs"].format(count=end.rpcs),
        words["ptps"].format(count=end.ptps, amount=promised),
        words["outcomes"].format(outcomes=outcomes or words["no_outcomes"]),
        words["tomorrow"].format(count=len(end.callbacks_tomorrow)),
    ]
    lines.extend(_callback(item, day.zone) for item in end.callbacks_tomorrow)
    return lines


def _callback(item: DueCallback, zone: str) -> str:
    from zoneinfo import ZoneInfo

    note = f"  {item.note}" if item.note else ""
    shown = item.due_at.astimezone(ZoneInfo(zone))
    return f"    {shown:%H:%M} {item.contract_no:<14} {item.borrower}{note}"
