"""CLI commands for disputes and complaints as cases.

dispute open      open the dispute case of a DSP contact, with its kind and the borrower's claim
dispute list      the dispute cases a user sees, nearest deadline first
dispute show      one case, with the feed's payments an "already paid" claim may be, and its
                  evidence
dispute attach    attach the borrower's evidence (a receipt, a scan, a letter) to an open case
dispute decide    a team lead's decision: upheld (the correction expected) or rejected (why)
complaint log     log a complaint: channel, category, the collector concerned
complaint list    the complaints a user sees, nearest deadline first
complaint reply   a team lead's reply, which closes it
complaint counts  a team's complaints per collector and per category over a span of days
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import STAFF, TEAM_LEAD, day_arg, for_roles, moment_arg, open_database, plain
from app.config import Config

if TYPE_CHECKING:
    from app.services.cases.complaints import ComplaintView
    from app.services.cases.disputes import DisputeView
    from app.services.cases.policy import DueState
    from app.services.common.attachments import AttachmentView


def _kinds() -> list[str]:
    from app.services.cases.policy import cases_policy

    return list(cases_policy().dispute_kinds)


def _channels() -> list[str]:
    from app.services.cases.policy import cases_policy

    return list(cases_policy().channels)


def _categories() -> list[str]:
    from app.services.cases.policy import cases_policy

    return list(cases_policy().categories)


def register(commands: Any) -> None:
    """Add `dispute` and `complaint` to the CLI's subparsers."""
    dispute = commands.add_parser(
        "dispute", help="dispute cases: open one from a DSP contact, list, show, decide"
    )
    actions = dispute.add_subparsers(title="dispute commands", metavar="ACTION", required=True)

    opening = actions.add_parser(
        "open",
        help="open the case of a dispute (DSP) contact with what the borrower disputes",
        description="Opens the case of the account's latest DSP contact without one (or the"
        " contact named), by the collector who recorded it or a team lead. Its deadline is the"
        " lender's policy counted in working days of the lender's calendar from the contact's"
        " day (resources/cases.json, resources/calendars/).",
    )
    opening.add_argument("contract_no", metavar="CONTRACT_NO")
    opening.add_argument("--user", required=True)
    opening.add_argument("--kind", required=True, choices=_kinds())
    opening.add_argument(
        "--claim", required=True, help="what the borrower disputes, in their words"
    )
    opening.add_argument("--contact", type=uuid.UUID, metavar="ATTEMPT_ID", help="the DSP contact")
    opening.add_argument("--amount", help="already paid: the amount the borrower says they paid")
    opening.add_argument("--paid-on", type=day_arg, metavar="YYYY-MM-DD", help="and the day")
    opening.add_argument("--reference", help="and the payment's reference")
    opening.add_argument("--json", action="store_true")
    for_roles(opening, *STAFF)
    opening.set_defaults(handler=_open)

    listing = actions.add_parser(
        "list", help="the dispute cases you see (a lead: the team's), nearest deadline first"
    )
    listing.add_argument("--user", required=True)
    listing.add_argument("--all", action="store_true", help="decided ones too")
    listing.add_argument("--account", metavar="CONTRACT_NO", help="one account's")
    listing.add_argument("--json", action="store_true")
    for_roles(listing, *STAFF)
    listing.set_defaults(handler=_list)

    show = actions.add_parser(
        "show", help="one case, with the feed's payments near an 'already paid' claim"
    )
    show.add_argument("case_id", type=uuid.UUID, metavar="CASE_ID")
    show.add_argument("--user", required=True)
    show.add_argument("--json", action="store_true")
    show.add_argument(
        "--save", type=Path, metavar="DIR", help="write a copy of each evidence file here"
    )
    for_roles(show, *STAFF)
    show.set_defaults(handler=_show)

    attach = actions.add_parser(
        "attach",
        help="attach the borrower's evidence (a receipt, a scan, a letter) to an undecided case",
        description="Attach a file the borrower sent to a dispute case that is not decided yet:"
        " a photo (its location is taken out unless the lender's policy keeps it) or a PDF,"
        " recognised by its content. Nothing is read out of the file: an amount a receipt"
        " shows counts only as the amount typed into the claim. Works offline; the next sync"
        " sends it.",
    )
    attach.add_argument("case_id", type=uuid.UUID, metavar="CASE_ID")
    attach.add_argument("file", type=Path, metavar="FILE", help="a photo (JPEG, PNG) or a PDF")
    attach.add_argument("--user", required=True)
    attach.add_argument(
        "--purpose",
        default="other",
        help="what it is: receipt, statement, id_document, letter or other (default other)",
    )
    attach.add_argument("--json", action="store_true")
    for_roles(attach, *STAFF)
    attach.set_defaults(handler=_attach)

    decide = actions.add_parser(
        "decide",
        help="a team lead's decision: upheld (say the correction expected) or rejected (say why)",
        description="Upheld: the amounts are corrected by the lending system through the feed;"
        " say which correction is expected (nothing is edited here) and collection stays"
        " paused. Rejected: say why; collection resumes (the dispute mark is lifted).",
    )
    decide.add_argument("case_id", type=uuid.UUID, metavar="CASE_ID")
    decide.add_argument("--user", required=True, help="the team lead")
    decide.add_argument("--decision", required=True, choices=("upheld", "rejected"))
    decide.add_argument("--reasons", help="why (required to reject)")
    decide.add_argument("--correction", help="upheld: the correction the feed is expected to bring")
    decide.add_argument("--json", action="store_true")
    for_roles(decide, TEAM_LEAD)
    decide.set_defaults(handler=_decide)

    complaint = commands.add_parser(
        "complaint", help="complaints: log one, list, reply (a team lead), counts"
    )
    steps = complaint.add_subparsers(title="complaint commands", metavar="ACTION", required=True)

    log = steps.add_parser(
        "log",
        help="log a complaint on an account, routed to the team lead",
        description="Its deadline: the regulator's for a regulator's referral (the 12378"
        " hotline), the lender's otherwise, counted from the day it was received.",
    )
    log.add_argument("contract_no", metavar="CONTRACT_NO")
    log.add_argument("--user", required=True)
    log.add_argument("--channel", required=True, choices=_channels())
    log.add_argument("--category", required=True, choices=_categories())
    log.add_argument("--summary", required=True, help="what the borrower complains of")
    log.add_argument("--collector", metavar="USER", help="the collector it is about")
    log.add_argument("--reference", help="the regulator's referral number, a letter's reference")
    log.add_argument(
        "--received", type=moment_arg, metavar="TIME", help="when it came (default: now)"
    )
    log.add_argument("--json", action="store_true")
    for_roles(log, *STAFF)
    log.set_defaults(handler=_log)

    listed = steps.add_parser(
        "list", help="the complaints you see (a lead: the team's), nearest deadline first"
    )
    listed.add_argument("--user", required=True)
    listed.add_argument("--all", action="store_true", help="answered ones too")
    listed.add_argument("--account", metavar="CONTRACT_NO", help="one account's")
    listed.add_argument("--json", action="store_true")
    for_roles(listed, *STAFF)
    listed.set_defaults(handler=_complaints)

    reply = steps.add_parser("reply", help="a team lead's reply, which closes the complaint")
    reply.add_argument("complaint_id", type=uuid.UUID, metavar="COMPLAINT_ID")
    reply.add_argument("--user", required=True, help="the team lead")
    reply.add_argument("--text", required=True, help="what the borrower was answered")
    reply.add_argument("--json", action="store_true")
    for_roles(reply, TEAM_LEAD)
    reply.set_defaults(handler=_reply)

    counts = steps.add_parser(
        "counts", help="a team's complaints per collector and per category over a span of days"
    )
    counts.add_argument("--user", required=True, help="the team lead (or an administrator)")
    counts.add_argument("--team", help="which team (administrators)")
    counts.add_argument("--from", dest="start", type=day_arg, required=True, metavar="YYYY-MM-DD")
    counts.add_argument("--to", dest="end", type=day_arg, required=True, metavar="YYYY-MM-DD")
    counts.add_argument("--json", action="store_true")
    for_roles(counts, TEAM_LEAD)
    counts.set_defaults(handler=_counts)


def _shown(moment: datetime) -> str:
    from app.services.common.clock import business_zone

    return f"{moment.astimezone(business_zone()):%Y-%m-%d %H:%M}"


def _due(due: DueState) -> str:
    left = due.working_days_left
    state = f"{-left} working days overdue" if left < 0 else f"{left} working days left"
    text = f"due {due.due_on.isoformat()} ({state})"
    if due.uncovered:
        years = ", ".join(str(year) for year in due.uncovered)
        text += f"; warning: the calendar has no holidays for {years}, counted as weekends only"
    return text


def _dispute_lines(view: DisputeView) -> list[str]:
    lines = [
        f"{view.id}  {view.contract_no}  {view.borrower}  {view.kind_label().en}",
        f"  raised {view.raised_on.isoformat()} by {view.opened_by}; {_due(view.due)}",
        f"  claim: {view.claim}",
    ]
    claimed = [
        f"amount {view.claimed_amount}" if view.claimed_amount is not None else "",
        f"paid on {view.claimed_paid_on.isoformat()}" if view.claimed_paid_on else "",
        f"reference {view.claimed_reference}" if view.claimed_reference else "",
    ]
    if any(claimed):
        lines.append("  claimed payment: " + ", ".join(part for part in claimed if part))
    if view.decision is not None and view.decided_at is not None:
        lines.append(
            f"  decided {view.decision} by {view.decided_by_name} at {_shown(view.decided_at)}"
        )
        if view.reasons:
            lines.append(f"  reasons: {view.reasons}")
        if view.correction:
            lines.append(f"  correction expected from the feed: {view.correction}")
    return lines


def _print_json(value: Any) -> None:
    print(json.dumps(plain(value), ensure_ascii=False, indent=2))


def _open(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.disputes import check_claim, open_dispute

    claim = check_claim(args.kind, args.claim, args.amount, args.paid_on, args.reference)
    view = open_dispute(open_database(config), args.user, args.contract_no, claim, args.contact)
    if args.json:
        _print_json(view)
    else:
        print("opened: " + "\n".join(_dispute_lines(view)))
    return 0


def _list(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.disputes import disputes

    views = disputes(
        open_database(config), args.user, open_only=not args.all, contract_no=args.account
    )
    if args.json:
        _print_json(list(views))
        return 0
    if not views:
        print("no dispute cases")
    for view in views:
        print("\n".join(_dispute_lines(view)))
    return 0


def _show(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.disputes import dispute
    from app.services.cases.evidence import dispute_evidence
    from app.services.common.attachments import save_copies

    db = open_database(config)
    view = dispute(db, args.user, args.case_id)
    evidence = dispute_evidence(db, args.user, args.case_id)
    saved = save_copies(db, evidence, args.save) if args.save is not None else []
    if args.json:
        shown = plain(view)
        shown["evidence"] = [
            plain(item) | ({"saved": str(saved[index])} if saved else {})
            for index, item in enumerate(evidence)
        ]
        _print_json(shown)
        return 0
    print("\n".join(_dispute_lines(view)))
    if not evidence:
        print("  no evidence attached")
    for index, item in enumerate(evidence):
        print(_evidence_line(item, saved[index] if saved else None))
    if view.kind == "already_paid":
        if not view.candidates:
            print("  no payment of the feed's near the claim")
        for candidate in view.candidates:
            marks = [
                "amount" if candidate.amount_matches else "",
                "reference" if candidate.reference_matches else "",
                f"{candidate.days_apart} days apart" if candidate.days_apart is not None else "",
            ]
            print(
                f"  candidate: {candidate.amount} on {_shown(candidate.paid_at)}"
                f" via {candidate.channel} ref {candidate.reference or '-'}"
                f" ({', '.join(m for m in marks if m)})"
            )
    return 0


def _evidence_line(view: AttachmentView, saved: Path | None = None) -> str:
    # A name is checked when added; printed escaped anyway.
    name = view.file_name if view.file_name.isprintable() else ascii(view.file_name)
    copy = f" -> {saved}" if saved is not None else ""
    return (
        f"  evidence: {_shown(view.added_at)} {view.purpose.code} {name} {view.media_type}"
        f" {view.size} bytes by {view.added_by}{copy}"
    )


def _attach(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.evidence import attach_file_to_dispute

    view = attach_file_to_dispute(
        open_database(config), args.user, args.case_id, args.file, args.purpose
    )
    if args.json:
        _print_json(view)
        return 0
    kept = " (location kept by policy)" if view.location_kept else ""
    print(
        f"attached {view.file_name} ({view.media_type}, {view.size} bytes, sha256"
        f" {view.sha256[:12]}…) to dispute {view.subject_id} as {view.purpose.code}{kept}"
    )
    return 0


def _decide(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.disputes import decide_dispute

    decided = decide_dispute(
        open_database(config),
        args.user,
        args.case_id,
        args.decision,
        args.reasons,
        args.correction,
    )
    if args.json:
        _print_json(decided)
        return 0
    print("\n".join(_dispute_lines(decided.case)))
    if decided.flags_cleared:
        print("collection resumes: the dispute mark is lifted")
    elif args.decision == "rejected":
        print("another open dispute of the borrower's keeps collection paused")
    else:
        print("collection stays paused until the feed brings the correction")
    return 0


def _complaint_lines(view: ComplaintView) -> list[str]:
    who = view.collector or "nobody in particular"
    lines = [
        f"{view.id}  {view.contract_no}  {view.borrower}  {view.channel_label().en}"
        f" / {view.category_label().en}",
        f"  received {_shown(view.received_at)}; about {who}; {_due(view.due)}",
        f"  {view.summary}",
    ]
    if view.reference:
        lines.insert(2, f"  reference: {view.reference}")
    if view.reply is not None and view.replied_at is not None:
        lines.append(
            f"  replied by {view.replied_by_name} at {_shown(view.replied_at)}: {view.reply}"
        )
    return lines


def _log(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.complaints import log_complaint

    view = log_complaint(
        open_database(config),
        args.user,
        args.contract_no,
        args.channel,
        args.category,
        args.summary,
        collector=args.collector,
        reference=args.reference,
        received_at=args.received,
    )
    if args.json:
        _print_json(view)
    else:
        print("logged: " + "\n".join(_complaint_lines(view)))
    return 0


def _complaints(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.complaints import complaints

    views = complaints(
        open_database(config), args.user, open_only=not args.all, contract_no=args.account
    )
    if args.json:
        _print_json(list(views))
        return 0
    if not views:
        print("no complaints")
    for view in views:
        print("\n".join(_complaint_lines(view)))
    return 0


def _reply(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.complaints import reply_complaint

    view = reply_complaint(open_database(config), args.user, args.complaint_id, args.text)
    if args.json:
        _print_json(view)
    else:
        print("replied: " + "\n".join(_complaint_lines(view)))
    return 0


def _counts(config: Config, args: argparse.Namespace) -> int:
    from app.services.cases.complaints import complaint_counts
    from app.services.cases.policy import cases_policy

    counts = complaint_counts(open_database(config), args.user, args.start, args.end, args.team)
    if args.json:
        _print_json(counts)
        return 0
    print(
        f"complaints {args.start.isoformat()} to {args.end.isoformat()}: {counts.total}"
        f" ({counts.open} open)"
    )
    print("per collector:")
    for who, _, count in counts.by_collector:
        print(f"  {who or 'nobody in particular'}: {count}")
    print("per category:")
    for category, count in counts.by_category:
        print(f"  {cases_policy().category(category).en}: {count}")
    return 0
