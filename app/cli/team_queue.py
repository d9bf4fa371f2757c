"""CLI commands for a team lead's queue management: `collector-workstation team …`.

team accounts       the team's accounts, filtered
team pool           the team's pool: its accounts nobody is assigned to yet
team reassign       move accounts to a collector, or by a rule (--dry-run previews it); from
                    the pool (--pool) this allocates them
team members        the team's members, active or deactivated, and the accounts they work
team priority       put accounts first (or last) in their collectors' queues until a day
team clear-priority end those overrides now
team mark-visit     ask for a home visit on accounts
team feeds          the lending system's daily feed files: each one's reconciliation, or why
                    it was refused
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import Any

from app.cli.common import day_arg, names_arg, open_database, plain, positive_arg
from app.config import Config
from app.services.common.errors import InvalidInput
from app.services.common.money import format_money


def _dpd(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a whole number of days") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"days past due cannot be negative, not {text}")
    return value


def register(commands: Any) -> None:
    """Add `team` and its actions to the CLI's subparsers."""
    team = commands.add_parser(
        "team", help="a team lead's queue management: accounts, reassign, priority, visits"
    )
    actions = team.add_subparsers(title="team commands", metavar="ACTION", required=True)

    def lead(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--user", required=True, help="the team lead (or an administrator)")
        parser.add_argument("--team", help="which team (administrators; a lead has their own)")

    def filters(parser: argparse.ArgumentParser, assignee: str | None) -> None:
        if assignee is not None:
            parser.add_argument(
                assignee, dest="assignees", type=names_arg, default=(), metavar="USER[,USER…]"
            )
            parser.add_argument(
                "--pool",
                action="store_true",
                help="the team's pool (accounts nobody is assigned to), alone or besides"
                f" {assignee}",
            )
        parser.add_argument("--bucket", type=names_arg, default=(), metavar="BUCKET[,BUCKET…]")
        parser.add_argument("--min-dpd", type=_dpd, metavar="N")
        parser.add_argument("--max-dpd", type=_dpd, metavar="N")
        parser.add_argument("--area", default="", help="part of the city or district name")
        parser.add_argument(
            "--search", default="", help="part of the contract number or borrower's name"
        )

    listing = actions.add_parser("accounts", help="the team's active accounts, filtered")
    lead(listing)
    filters(listing, "--assignee")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_accounts)

    pool = actions.add_parser(
        "pool",
        help="the team's pool: accounts nobody is assigned to yet (allocate them with"
        " `team reassign CONTRACT… --to U` or `team reassign --pool --to A,B`)",
    )
    lead(pool)
    filters(pool, None)
    pool.add_argument("--json", action="store_true")
    pool.set_defaults(handler=_pool, assignees=(), pool=True)

    members = actions.add_parser(
        "members", help="the team's members, active or deactivated, and the accounts they work"
    )
    lead(members)
    members.add_argument("--json", action="store_true")
    members.set_defaults(handler=_members)

    moving = actions.add_parser(
        "reassign",
        help="move accounts to a collector (CONTRACT… --to USER), or by a rule"
        " (--from/--pool/--bucket/… --to A,B --by count|amount)",
    )
    lead(moving)
    moving.add_argument("contracts", nargs="*", metavar="CONTRACT")
    moving.add_argument(
        "--to", type=names_arg, required=True, metavar="USER[,USER…]", help="who gets the accounts"
    )
    moving.add_argument("--reason", required=True)
    filters(moving, "--from")
    moving.add_argument(
        "--by",
        choices=["count", "amount"],
        default="count",
        help="a rule spreads the accounts so each ends with about as many (count) or as much"
        " overdue (amount)",
    )
    moving.add_argument("--dry-run", action="store_true", help="show the rule's plan, move nothing")
    moving.add_argument("--json", action="store_true")
    moving.set_defaults(handler=_reassign)

    priority = actions.add_parser(
        "priority", help="put accounts at a priority in their collectors' queues until a day"
    )
    lead(priority)
    priority.add_argument("contracts", nargs="+", metavar="CONTRACT")
    priority.add_argument("--level", required=True, choices=["top", "high", "low"])
    priority.add_argument(
        "--until",
        type=day_arg,
        required=True,
        metavar="YYYY-MM-DD",
        help="the last day it holds (it lapses as the day ends)",
    )
    priority.add_argument("--reason", required=True)
    priority.set_defaults(handler=_priority)

    clearing = actions.add_parser("clear-priority", help="end the accounts' priority overrides")
    lead(clearing)
    clearing.add_argument("contracts", nargs="+", metavar="CONTRACT")
    clearing.set_defaults(handler=_clear_priority)

    visit = actions.add_parser("mark-visit", help="ask for a home visit on accounts")
    lead(visit)
    visit.add_argument("contracts", nargs="+", metavar="CONTRACT")
    visit.add_argument("--reason", required=True, help="what the field agent should know")
    visit.set_defaults(handler=_mark_visit)

    feeds = actions.add_parser(
        "feeds",
        help="the lending system's daily feed files, newest first: what each brought and"
        " changed, or why it was refused",
    )
    feeds.add_argument("--user", required=True, help="the team lead (or an administrator)")
    feeds.add_argument("--last", type=positive_arg, default=10, help="how many files (default 10)")
    feeds.add_argument("--json", action="store_true")
    feeds.set_defaults(handler=_feeds)


def _filter(args: argparse.Namespace) -> Any:
    from app.services.team.assignment import AccountFilter

    return AccountFilter(
        assignees=args.assignees,
        pool=args.pool,
        buckets=args.bucket,
        min_dpd=args.min_dpd,
        max_dpd=args.max_dpd,
        area=args.area,
        text=args.search,
    )


def _accounts(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.assignment import team_accounts

    found = team_accounts(open_database(config), args.user, _filter(args), args.team)
    if args.json:
        print(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=2))
        return 0
    _print_accounts(found)
    print(f"{len(found)} account(s)")
    return 0


def _print_accounts(found: Any) -> None:
    for account in found:
        notes = []
        if account.priority is not None:
            notes.append(f"priority {account.priority.level}")
        if account.visit_request is not None:
            notes.append("visit requested")
        notes.extend(account.paused)
        contact = account.last_contact_on.isoformat() if account.last_contact_on else "never"
        print(
            f"{account.contract_no}  {account.borrower:<6} {account.assignee or '(pool)':<16}"
            f" {account.bucket:<4} DPD {account.dpd:>4}"
            f" {format_money(account.overdue, account.currency):>14}"
            f"  {account.city}{account.district}  last contact {contact}"
            + (f"  [{', '.join(notes)}]" if notes else "")
        )


def _pool(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.assignment import pool_accounts

    found = pool_accounts(open_database(config), args.user, _filter(args), args.team)
    if args.json:
        print(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=2))
        return 0
    _print_accounts(found)
    total = sum((a.overdue for a in found), Decimal(0))
    print(f"{len(found)} account(s) in the pool, {format_money(total)} overdue")
    return 0


def _members(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.members import team_members

    team = team_members(open_database(config), args.user, args.team)
    if args.json:
        payload = {
            "team": team.team,
            "pool": team.pool,
            "members": [m.as_json() for m in team.members],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    for member in team.members:
        status = "active" if member.active else "inactive"
        print(
            f"{member.username:<20} {member.role:<12} {status:<9} {member.accounts:>5} accounts"
            f"  {member.display_name}"
        )
    print(
        f"team {team.team}: {sum(m.active for m in team.members)} active of"
        f" {len(team.members)}; {team.pool} account(s) in the pool"
    )
    return 0


def _reassign(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.assignment import (
        ReassignRule,
        apply_reassignment,
        plan_reassignment,
        reassign,
    )

    db = open_database(config)
    rule_given = any(
        (
            args.assignees,
            args.pool,
            args.bucket,
            args.min_dpd is not None,
            args.max_dpd is not None,
        )
    ) or any((args.area, args.search))
    if args.contracts:
        if rule_given or args.dry_run or args.by != "count":
            raise InvalidInput(
                "Give either contract numbers or a rule (--from, --pool, --bucket, …), not"
                " both; --dry-run and --by go with a rule."
            )
        if len(args.to) != 1:
            raise InvalidInput("Contract numbers go to one collector: --to USER.")
        done = reassign(
            db, args.user, args.contracts, args.to[0], reason=args.reason, team=args.team
        )
        _print_moved(done, args.json)
        return 0
    if not rule_given:
        raise InvalidInput(
            "Say which accounts: contract numbers, or a rule (--from, --pool, --bucket,"
            " --min-dpd, --max-dpd, --area, --search)."
        )
    rule = ReassignRule(_filter(args), to=args.to, reason=args.reason, by=args.by, team=args.team)
    plan = plan_reassignment(db, args.user, rule)
    if args.json and args.dry_run:
        print(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
        return 0
    if not args.json:
        _print_plan(plan)
    if args.dry_run:
        print("dry run: nothing moved")
        return 0
    if not plan.moves:
        print("nothing to move")
        return 0
    _print_moved(apply_reassignment(db, args.user, plan), args.json)
    return 0


def _print_plan(plan: Any) -> None:
    print(
        f"{len(plan.moves)} account(s) move, {len(plan.unchanged)} stay where they are"
        f" (spread by {plan.by})"
    )
    for share in plan.shares:
        print(
            f"  {share.username:<16} {share.name:<6}"
            f" {share.before_count:>5} → {share.after_count:<5}"
            f" {format_money(share.before_amount):>16} → {format_money(share.after_amount)}"
        )
    for move in plan.moves:
        print(
            f"    {move.contract_no}  {move.from_username or '(pool)'} → {move.to_username}"
            f"  {format_money(move.overdue, move.currency)}"
        )


def _print_moved(done: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(done.as_json(), ensure_ascii=False, indent=2))
        return
    print(f"moved {len(done.moved)} account(s); {len(done.unchanged)} already there")
    for change in done.changes:
        print(f"  {change.username:<16} +{change.gained} −{change.lost}")


def _priority(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.assignment import priority_until, set_priority

    done = set_priority(
        open_database(config),
        args.user,
        args.contracts,
        args.level,
        args.reason,
        priority_until(args.until),
        team=args.team,
    )
    print(
        f"{len(done.accounts)} account(s) at priority {done.level} until"
        f" {args.until.isoformat()}; {len(done.replaced)} earlier override(s) replaced"
    )
    return 0


def _clear_priority(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.assignment import clear_priority

    done = clear_priority(open_database(config), args.user, args.contracts, team=args.team)
    print(f"cleared {len(done.cleared)}; without an override: {', '.join(done.without) or '-'}")
    return 0


def _mark_visit(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.assignment import mark_for_visits

    done = mark_for_visits(
        open_database(config), args.user, args.contracts, args.reason, team=args.team
    )
    print(
        f"marked {len(done.marked)} account(s) for a visit;"
        f" already marked: {', '.join(done.already) or '-'}"
    )
    return 0


def _feeds(config: Config, args: argparse.Namespace) -> int:
    from app.cli.central import feed_lines
    from app.services.common.clock import business_zone
    from app.services.plans.feed import feed_reports

    reports = feed_reports(open_database(config), args.user, last=args.last)
    if args.json:
        print(json.dumps(plain(list(reports)), ensure_ascii=False, indent=2))
        return 0
    if not reports:
        print("no feed file has come yet")
    for report in reports:
        received = f"{report.received_at.astimezone(business_zone()):%Y-%m-%d %H:%M}"
        if report.summary is not None:
            lines = feed_lines(report.summary)
            print(f"{received}  {lines[0]}")
            print("\n".join(lines[1:]))
            continue
        batch = f"batch {report.batch_id}" if report.batch_id else "no batch row"
        print(
            f"{received}  refused: {report.file_name} ({batch}, {report.rows} rows):"
            f" {len(report.problems)} problems kept, first:"
        )
        for problem in report.problems[:5]:
            where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
            print(f"  {where}: {problem.message}")
    return 0
