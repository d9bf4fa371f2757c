"""CLI commands for a team lead's legal referrals: `collector-workstation legal …`.

legal refer     refer an account to legal, with the reason (it leaves the collectors' queues)
legal withdraw  withdraw the referral before the case is filed (the account returns to collection)
legal step      record a step of the case: lawyer, filing, hearing, judgment, enforcement,
                cost, recovery, closed
legal show      one account's referral and its steps in order
legal list      the team's referred accounts and the stage each case is at
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli.common import TEAM_LEAD, day_arg, for_roles, open_database
from app.config import Config
from app.services.common.money import format_money

# A legal case's steps in order (app.models.LegalStepKind, which the command line's start-up
# does not import: tests/cli/test_cli_legal.py holds the two equal).
STEP_KINDS = (
    "lawyer",
    "filing",
    "hearing",
    "judgment",
    "enforcement",
    "cost",
    "recovery",
    "closed",
)


def register(commands: Any) -> None:
    """Add `legal` and its actions to the CLI's subparsers."""
    legal = commands.add_parser(
        "legal", help="a team lead's referrals to legal: refer, withdraw, steps, show, list"
    )
    actions = legal.add_subparsers(title="legal commands", metavar="ACTION", required=True)

    def lead(parser: argparse.ArgumentParser, *, contract: bool = True) -> None:
        if contract:
            parser.add_argument("contract", metavar="CONTRACT")
        parser.add_argument("--user", required=True, help="the team lead (or an administrator)")
        parser.add_argument("--json", action="store_true")
        for_roles(parser, TEAM_LEAD)

    refer = actions.add_parser(
        "refer", help="refer an account to legal: it leaves the collectors' queues at once"
    )
    lead(refer)
    refer.add_argument("--reason", required=True, help="why it goes to legal (audited)")
    refer.set_defaults(handler=_refer)

    withdraw = actions.add_parser(
        "withdraw",
        help="withdraw a referral before its case is filed: the account returns to collection",
    )
    lead(withdraw)
    withdraw.add_argument("--reason", required=True, help="why it is withdrawn (audited)")
    withdraw.set_defaults(handler=_withdraw)

    step = actions.add_parser(
        "step",
        help="record a step of the case, in its order (no judgment before the filing; a closed"
        " case takes no more)",
    )
    lead(step)
    step.add_argument("kind", metavar="KIND", help=", ".join(STEP_KINDS))
    step.add_argument(
        "--on",
        dest="on",
        type=day_arg,
        required=True,
        metavar="YYYY-MM-DD",
        help="the day it happened: not ahead of today, not before the referral",
    )
    step.add_argument("--firm", default="", help="lawyer: the firm instructed")
    step.add_argument("--lawyer", default="", help="lawyer: the lawyer instructed")
    step.add_argument("--case-number", default="", help="filing: the court's case number")
    step.add_argument("--court", default="", help="filing: the court (a hearing's, if another)")
    step.add_argument("--amount", default="", help="judgment, cost or recovery: the money")
    step.add_argument("--note", default="", help="what happened (closed: how the case ended)")
    step.set_defaults(handler=_step)

    show = actions.add_parser("show", help="an account's referral and its steps in order")
    lead(show)
    show.set_defaults(handler=_show)

    listing = actions.add_parser("list", help="the team's referred accounts and their stage")
    lead(listing, contract=False)
    listing.add_argument("--open", action="store_true", help="only the cases still open")
    listing.set_defaults(handler=_list)


def _refer(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.referral import refer

    case = refer(open_database(config), args.user, args.contract, args.reason)
    return _print_case(case, args, f"referred {case.contract_no} to legal")


def _withdraw(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.referral import withdraw

    case = withdraw(open_database(config), args.user, args.contract, args.reason)
    return _print_case(case, args, f"withdrew the referral of {case.contract_no}")


def _step(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.referral import StepInput, record_step

    typed = StepInput(
        kind=args.kind,
        happened_on=args.on,
        firm=args.firm,
        lawyer=args.lawyer,
        case_number=args.case_number,
        court=args.court,
        amount=args.amount,
        note=args.note,
    )
    case = record_step(open_database(config), args.user, args.contract, typed)
    return _print_case(case, args, f"recorded {args.kind.strip().lower()} on {case.contract_no}")


def _show(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.referral import legal_case

    case = legal_case(open_database(config), args.user, args.contract)
    if case is None:
        if args.json:
            print("null")
        else:
            print(f"{args.contract.strip()} was never referred to legal")
        return 0
    return _print_case(case, args, None)


def _list(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.referral import legal_cases

    cases = legal_cases(open_database(config), args.user, open_only=args.open)
    if args.json:
        print(json.dumps([case.as_json() for case in cases], ensure_ascii=False, indent=2))
        return 0
    for case in cases:
        print(
            f"{case.contract_no:<14} {case.stage:<12} {case.referred_on}"
            f"  {case.borrower}  {case.reason}"
        )
    print(f"{len(cases)} referral(s)")
    return 0


def _print_case(case: Any, args: argparse.Namespace, done: str | None) -> int:
    if args.json:
        print(json.dumps(case.as_json(), ensure_ascii=False, indent=2))
        return 0
    if done is not None:
        print(done)
    print(f"{case.contract_no}  {case.borrower}  stage: {case.stage}")
    print(f"  referred {case.referred_on} by {case.referred_by}: {case.reason}")
    for step in case.steps:
        facts = [
            value
            for value in (
                step.firm,
                step.lawyer,
                step.case_number,
                step.court,
                None if step.amount is None else format_money(step.amount, case.currency),
                step.note,
            )
            if value
        ]
        print(f"  {step.happened_on}  {step.kind.value:<12} {' · '.join(facts)}")
    if case.withdrawn_at is not None:
        print(f"  withdrawn by {case.withdrawn_by}: {case.withdrawn_reason}")
    return 0
