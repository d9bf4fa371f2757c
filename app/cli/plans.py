"""CLI commands for repayment plans, agreements and home visits (`collector-workstation …`)."""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    FIELD_AGENT,
    TEAM_LEAD,
    day_arg,
    for_roles,
    moment_arg,
    open_database,
    plain,
)
from app.config import Config
from app.services.common.errors import InvalidAmount, InvalidInput
from app.services.common.money import format_money

if TYPE_CHECKING:
    from app.database import Database

# verify-agreement exits with a code of its own for each answer, so scripts can tell them apart
# (README, "Exit codes"): 0 genuine and in force; EXIT_ALTERED another file than the one
# issued; EXIT_UNKNOWN no such agreement; EXIT_NOT_IN_FORCE the genuine file of a plan
# cancelled or superseded since; EXIT_UNFINGERPRINTED every printed term as recorded, but issued
# before files had a SHA-256; EXIT_UNREADABLE a damaged PDF or one whose text cannot be read;
# EXIT_NOT_A_PDF no PDF at all.
EXIT_ALTERED = 3
EXIT_UNKNOWN = 4
EXIT_NOT_IN_FORCE = 5
EXIT_UNFINGERPRINTED = 6
EXIT_UNREADABLE = 7
EXIT_NOT_A_PDF = 8
VERDICT_EXITS = {
    "altered": EXIT_ALTERED,
    "unknown": EXIT_UNKNOWN,
    "terms-match": EXIT_UNFINGERPRINTED,
    "unreadable": EXIT_UNREADABLE,
    "not-a-pdf": EXIT_NOT_A_PDF,
}
# agreement exits with this when the policy sends the plan to a team lead instead.
EXIT_NEEDS_APPROVAL = 2


def register(commands: Any) -> None:
    """Add the plan, agreement and visit commands to the CLI's subparsers."""
    agreement = commands.add_parser(
        "agreement",
        help="make a repayment plan and its PDF agreement (or say why policy refuses it)",
    )
    agreement.add_argument("--contract", required=True)
    agreement.add_argument(
        "--user", help="who offers it (default: the collector the account is assigned to)"
    )
    agreement.add_argument(
        "--kind", default="instalments", choices=["instalments", "full", "settlement"]
    )
    agreement.add_argument("--installments", type=int, default=1, metavar="N")
    agreement.add_argument("--first-due", type=day_arg, required=True, metavar="YYYY-MM-DD")
    agreement.add_argument(
        "--frequency", default="monthly", choices=["monthly", "biweekly", "weekly"]
    )
    agreement.add_argument("--down-payment", default="0", metavar="X")
    agreement.add_argument("--waive-penalty", default="0", metavar="X")
    agreement.add_argument("--discount", default="0", metavar="X", help="settlements only")
    agreement.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    agreement.add_argument(
        "--full-id", action="store_true", help="print the full ID number (audited)"
    )
    agreement.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    agreement.set_defaults(handler=_agreement)

    verify = commands.add_parser(
        "verify-agreement",
        help="check an agreement PDF against the database: genuine (the very file issued),"
        " altered (and what differs), terms-match, unreadable, not a PDF or unknown",
    )
    verify.add_argument("file", type=Path, metavar="FILE.pdf")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(handler=_verify)

    plan = commands.add_parser(
        "plan", help="repayment plans: list, decide, sign, cancel, print, allow despite a pause"
    )
    actions = plan.add_subparsers(title="plan commands", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="an account's plans, or a lead's pending approvals")
    listing.add_argument("--user", required=True)
    listing.add_argument("--contract", help="without it, a team lead's pending approvals")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_plan_list)
    for name, helptext in (
        ("approve", "a team lead approves a plan outside policy"),
        ("reject", "a team lead rejects a plan (--reason required)"),
        ("sign", "the borrower signed the agreement: the plan is active"),
        ("cancel", "end an open plan (--reason required)"),
    ):
        step = actions.add_parser(name, help=helptext)
        step.add_argument("plan_id", type=uuid.UUID)
        step.add_argument("--user", required=True)
        step.add_argument("--reason", default="")
        step.set_defaults(handler=_plan_step, step=name)
    issuing = actions.add_parser(
        "issue", help="issue an approved plan: its agreement is numbered and written to --out"
    )
    issuing.add_argument("plan_id", type=uuid.UUID)
    issuing.add_argument("--user", required=True)
    issuing.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    issuing.add_argument("--full-id", action="store_true")
    issuing.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    issuing.set_defaults(handler=_plan_issue)
    allow = actions.add_parser(
        "allow",
        help="a team lead lets plans go ahead on a paused account despite the pause"
        " (--reason required)",
    )
    allow.add_argument("--contract", required=True)
    allow.add_argument("--user", required=True)
    allow.add_argument("--reason", required=True, help="why: kept with the account, audited")
    allow.set_defaults(handler=_plan_allow)
    for_roles(allow, TEAM_LEAD)
    printing = actions.add_parser(
        "print", help="print another copy of an issued plan's agreement (not the file issued)"
    )
    printing.add_argument("plan_id", type=uuid.UUID)
    printing.add_argument("--user", required=True)
    printing.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    printing.add_argument("--full-id", action="store_true")
    printing.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    printing.set_defaults(handler=_plan_print)

    sheets = commands.add_parser("visit-sheets", help="a field agent's visit sheets for a day")
    sheets.add_argument("--user", required=True)
    sheets.add_argument("--date", type=day_arg, required=True, metavar="YYYY-MM-DD")
    sheets.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    sheets.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    sheets.set_defaults(handler=_visit_sheets)
    # Visits are a field agent's work (and a lead's, who plans and goes along); a collector on
    # a server is told so rather than shown an empty day.
    for_roles(sheets, FIELD_AGENT, TEAM_LEAD)

    visits = commands.add_parser("visits", help="home visits: candidates, plan, list, record, mark")
    steps = visits.add_subparsers(title="visit commands", metavar="ACTION", required=True)
    candidates = steps.add_parser("candidates", help="accounts to visit, in route order")
    candidates.add_argument("--user", required=True)
    candidates.add_argument("--date", type=day_arg, required=True)
    candidates.add_argument("--json", action="store_true")
    candidates.set_defaults(handler=_visit_candidates)
    for_roles(candidates, FIELD_AGENT, TEAM_LEAD)
    planning = steps.add_parser("plan", help="plan the day: the accounts in route order")
    planning.add_argument("contracts", nargs="+", metavar="CONTRACT")
    planning.add_argument("--user", required=True)
    planning.add_argument("--date", type=day_arg, required=True)
    planning.add_argument("--second-agent")
    planning.add_argument("--start", type=time.fromisoformat, help="HH:MM (default 09:00)")
    planning.set_defaults(handler=_visit_plan)
    for_roles(planning, FIELD_AGENT, TEAM_LEAD)
    day = steps.add_parser("list", help="the day's visits")
    day.add_argument("--user", required=True)
    day.add_argument("--date", type=day_arg, required=True)
    day.add_argument("--json", action="store_true")
    day.set_defaults(handler=_visit_list)
    for_roles(day, FIELD_AGENT, TEAM_LEAD)
    record = steps.add_parser("record", help="record a visit's outcome (works offline)")
    record.add_argument("visit_id", type=uuid.UUID)
    record.add_argument("--user", required=True)
    record.add_argument("--outcome", required=True, help="MET, NH, MOVED, REF, PAID or PTP")
    record.add_argument("--at", type=moment_arg, help="when the visit took place (default: now)")
    record.add_argument("--emotion")
    record.add_argument("--checklist", nargs="+", default=[], metavar="ITEM")
    record.add_argument("--consent-to-enter", choices=["yes", "no"])
    record.add_argument("--promise-amount")
    record.add_argument("--promise-date", type=day_arg)
    record.add_argument("--notes")
    record.add_argument(
        "--new-province",
        help="MOVED: where the borrower went (a province in any spelling, or a US state)",
    )
    record.add_argument("--new-city")
    record.add_argument("--new-district", default="")
    record.add_argument("--new-street", default="")
    record.set_defaults(handler=_visit_record)
    for_roles(record, FIELD_AGENT, TEAM_LEAD)
    mark = steps.add_parser("mark", help="a team lead marks an account for a visit")
    mark.add_argument("--user", required=True)
    mark.add_argument("--contract", required=True)
    mark.add_argument("--reason", required=True)
    mark.set_defaults(handler=_visit_mark)


def _agreement(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans.agreements import create_agreement
    from app.services.plans.offers import PlanTerms

    db = open_database(config)
    user = args.user or _assigned_user(db, args.contract)
    terms = PlanTerms(
        kind=args.kind,
        first_due=args.first_due,
        frequency=args.frequency,
        instalments=args.installments,
        down_payment=_amount(args.down_payment, "--down-payment"),
        waiver=_amount(args.waive_penalty, "--waive-penalty"),
        discount=_amount(args.discount, "--discount"),
    )
    made = create_agreement(
        db, user, args.contract, terms, args.out, language=args.lang, full_id=args.full_id
    )
    plan = made.plan
    if made.path is None:
        print(
            f"The policy refuses this plan without a team lead's approval; it is saved as"
            f" pending approval (plan {plan.id}):"
        )
        for breach in plan.breaches:
            print(f"  - {breach}")
        return EXIT_NEEDS_APPROVAL
    print(
        f"Agreement {plan.agreement_no} written to {made.path}"
        f" ({len(plan.lines)} instalment(s), total {format_money(plan.total, plan.currency)},"
        f" offered by {user})"
    )
    print(f"SHA-256 of the terms: {plan.agreement_sha256}")
    print(f"SHA-256 of the file: {plan.agreement_file_sha256}")
    return 0


def _verify(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans.agreements import verify_agreement

    db = open_database(config)
    found = verify_agreement(db, args.file)
    if args.json:
        print(json.dumps(plain(found), ensure_ascii=False, indent=2))
    else:
        loan = f" (loan {found.contract_no}, plan {found.plan_status})" if found.contract_no else ""
        print(f"{found.status}: {found.agreement_no or args.file}{loan}")
        if found.standing:
            print(f"  but {found.standing}")
        for problem in found.problems:
            print(f"  - {problem}")
        for difference in found.differences:
            print(
                f"  - {difference.term}: printed “{difference.printed or '(nothing)'}”,"
                f" recorded “{difference.recorded or '(nothing)'}”"
            )
    if found.status == "genuine":
        return 0 if found.in_force else EXIT_NOT_IN_FORCE
    return VERDICT_EXITS[found.status]


def _plan_list(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans.lifecycle import pending_approvals, plans_for

    db = open_database(config)
    plans = (
        plans_for(db, args.user, args.contract)
        if args.contract
        else pending_approvals(db, args.user)
    )
    if args.json:
        print(json.dumps(plain(plans), ensure_ascii=False, indent=2))
        return 0
    for plan in plans:
        print(
            f"{plan.id}  {plan.contract_no}  {plan.status.value:<16} {plan.kind:<11}"
            f" {format_money(plan.total, plan.currency):>12}  {plan.agreement_no or ''}"
        )
        for breach in plan.breaches:
            print(f"    needs approval: {breach}")
    return 0


def _plan_step(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans import lifecycle as plans

    db = open_database(config)
    step = args.step
    if step in ("approve", "reject"):
        view = plans.decide_plan(
            db, args.user, args.plan_id, approve=step == "approve", reason=args.reason
        )
    elif step == "sign":
        view = plans.sign_plan(db, args.user, args.plan_id)
    else:
        view = plans.cancel_plan(db, args.user, args.plan_id, args.reason)
    print(f"plan {view.id} is now {view.status.value}")
    return 0


def _plan_issue(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans.agreements import issue_agreement

    db = open_database(config)
    view = issue_agreement(
        db, args.user, args.plan_id, args.out, language=args.lang, full_id=args.full_id
    )
    print(f"plan {view.id} is now {view.status.value}")
    print(f"Agreement {view.agreement_no} written to {args.out}")
    print(f"SHA-256 of the file: {view.agreement_file_sha256}")
    return 0


def _plan_allow(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.errors import render
    from app.services.plans.pauses import allow_plans_despite_pause

    pause = allow_plans_despite_pause(open_database(config), args.user, args.contract, args.reason)
    leave = pause.override
    assert leave is not None  # just given
    print(
        render(
            "Plans may go ahead on {contract_no} despite the pause ({pauses}) until {until},"
            " as {lead} decided: {reason}",
            {
                "contract_no": pause.contract_no,
                "pauses": pause.names,
                "until": leave.until,
                "lead": leave.lead,
                "reason": leave.reason,
            },
        )
    )
    return 0


def _plan_print(config: Config, args: argparse.Namespace) -> int:
    from app.services.plans.agreements import write_agreement

    db = open_database(config)
    path = write_agreement(
        db, args.user, args.plan_id, args.out, language=args.lang, full_id=args.full_id
    )
    print(
        f"written to {path}: a copy, not the file issued; verify-agreement calls only the file"
        " issued genuine"
    )
    return 0


def _visit_sheets(config: Config, args: argparse.Namespace) -> int:
    from app.services.field.visit_sheets import write_sheets

    db = open_database(config)
    path = write_sheets(db, args.user, args.date, args.out, language=args.lang)
    print(f"visit sheets for {args.date.isoformat()} written to {path}")
    return 0


def _visit_candidates(config: Config, args: argparse.Namespace) -> int:
    from app.services.field.visits import visit_candidates

    found = visit_candidates(open_database(config), args.user, args.date)
    if args.json:
        print(json.dumps(plain(found), ensure_ascii=False, indent=2))
        return 0
    for seq, candidate in enumerate(found, start=1):
        why = (
            f"asked for: {candidate.note}"
            if candidate.reason == "marked"
            else "overdue, not reached lately"
        )
        print(
            f"{seq:>3}  {candidate.contract_no}  {candidate.district}  {candidate.address}"
            f"  DPD {candidate.dpd}  {format_money(candidate.overdue, candidate.currency)}  {why}"
        )
    return 0


def _visit_plan(config: Config, args: argparse.Namespace) -> int:
    from app.services.field.visits import plan_visits

    planned = plan_visits(
        open_database(config),
        args.user,
        args.date,
        args.contracts,
        second_agent=args.second_agent,
        start=args.start,
    )
    _print_visits(planned)
    return 0


def _visit_list(config: Config, args: argparse.Namespace) -> int:
    from app.services.field.visits import day_visits

    visits = day_visits(open_database(config), args.user, args.date)
    if args.json:
        print(json.dumps(plain(visits), ensure_ascii=False, indent=2))
    else:
        _print_visits(visits)
    return 0


def _print_visits(visits: Any) -> None:
    from app.services.common.clock import business_zone

    for visit in visits:
        at = (
            visit.planned_at.astimezone(business_zone()).strftime("%H:%M")
            if visit.planned_at
            else "--:--"
        )
        print(
            f"{visit.seq:>3}  {at}  {visit.id}  {visit.contract_no}  {visit.borrower_name}"
            f"  {visit.address}  {visit.status.value}  {visit.outcome or ''}"
        )


def _visit_record(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.contacts import PromiseInput
    from app.services.field.visits import VisitResult, record_visit
    from app.services.portfolio.addresses import AddressInput

    promise = None
    if args.promise_amount is not None or args.promise_date is not None:
        if args.promise_amount is None or args.promise_date is None:
            raise InvalidInput("A promise needs both --promise-amount and --promise-date.")
        promise = PromiseInput(args.promise_amount, args.promise_date)
    consent = None if args.consent_to_enter is None else args.consent_to_enter == "yes"
    new_address = None
    if args.new_province or args.new_city or args.new_district or args.new_street:
        new_address = AddressInput(
            args.new_province or "", args.new_city or "", args.new_district, args.new_street
        )
    result = record_visit(
        open_database(config),
        args.user,
        args.visit_id,
        VisitResult(
            outcome=args.outcome,
            visited_at=args.at or datetime.now(UTC),
            emotion=args.emotion,
            checklist=tuple(args.checklist),
            notes=args.notes,
            consent_to_enter=consent,
            promise=promise,
            new_address=new_address,
        ),
    )
    print(f"recorded visit {result.visit_id}")
    if result.new_address_id is not None:
        print(f"new address recorded ({result.new_address_id}); the next visit goes there")
    if result.escalation_ids:
        print("escalated to the team lead; collection on this account is paused")
    return 0


def _visit_mark(config: Config, args: argparse.Namespace) -> int:
    from app.services.field.visits import mark_for_visit

    request = mark_for_visit(open_database(config), args.user, args.contract, args.reason)
    print(f"marked for a visit ({request})")
    return 0


def _assigned_user(db: Database, contract_no: str) -> str:
    from app.models import User
    from app.services.portfolio.accounts import load_loan

    with db.reader() as session:
        loan = load_loan(session, contract_no)
        user = session.get(User, loan.assigned_to_id) if loan.assigned_to_id else None
        if user is None:
            raise InvalidInput(
                "Account {contract_no} is not assigned to anyone: say who offers the plan with "
                "--user.",
                contract_no=contract_no,
            )
        return user.username


def _amount(text: str, option: str) -> Decimal:
    # The plan calculator checks the value (zero or more, whole cents); here only the number.
    try:
        return Decimal(text.strip())
    except ArithmeticError:
        raise InvalidAmount(
            "{option} must be an amount such as 120.50, not “{text}”.", option=option, text=text
        ) from None
