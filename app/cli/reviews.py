"""CLI commands for call review, coaching feedback and the escalation's first step.

review list       a team's contacts to review, filtered (what the review window lists)
review show       one contact as its review shows it, with the criteria and answers so far
review save       a team lead's review of a contact; prints the score
review criteria   the quality criteria (all, or the ones a contact's outcome and emotion need)
feedback          a collector's reviewed contacts (--mark-seen: mark them read)
acknowledge       a team lead has seen an escalation; `decide` then pauses, resumes or refers

`acknowledge` stands beside `decide` rather than under `escalations`: that command takes
`--user` itself, and an action under it would have to be written `escalations --user L
acknowledge ID` for the list to keep working as `escalations --user U`.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_USAGE,
    day_arg,
    names_arg,
    open_database,
    plain,
    positive_arg,
    without_server,
)
from app.config import Config
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed

if TYPE_CHECKING:
    from app.services.team.reviews import Criterion

LANGUAGES = ("en", "zh_CN")
# Exit status for a period the list cannot cover, as argparse uses for a malformed date.
EXIT_BAD_DATES = EXIT_USAGE


def register(commands: Any) -> None:
    """Add `review`, `feedback` and `acknowledge` to the CLI's subparsers."""
    review = commands.add_parser(
        "review", help="call review: list a team's contacts, show one, score it, the criteria"
    )
    actions = review.add_subparsers(title="review commands", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list", help="the team's contacts, newest first, filtered as the review window does"
    )
    listing.add_argument("--user", required=True, help="the team lead (or an administrator)")
    listing.add_argument("--team", help="which team (administrators; a lead has their own)")
    listing.add_argument("--collector", metavar="USER", help="one member's contacts")
    listing.add_argument("--from", dest="start", type=day_arg, metavar="YYYY-MM-DD")
    listing.add_argument("--to", dest="end", type=day_arg, metavar="YYYY-MM-DD")
    listing.add_argument(
        "--outcome", type=names_arg, default=(), metavar="CODE[,CODE…]", help="disposition codes"
    )
    listing.add_argument("--emotion", type=names_arg, default=(), metavar="E[,E…]")
    listing.add_argument(
        "--incomplete-checklist",
        action="store_true",
        help="only contacts whose required checklist items were not all ticked",
    )
    listing.add_argument("--escalated", action="store_true", help="only contacts that escalated")
    listing.add_argument("--unreviewed", action="store_true", help="only contacts not reviewed")
    listing.add_argument("--limit", type=positive_arg, default=500, metavar="N")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = actions.add_parser(
        "show",
        help="a contact with its script path, checklist, promise, notes and review",
        description="A lead opens their team's contacts; a collector their own once reviewed."
        " With --json, texts come in both languages.",
    )
    show.add_argument("attempt_id", type=uuid.UUID, metavar="ATTEMPT_ID")
    show.add_argument("--user", required=True)
    show.add_argument("--lang", default="en", choices=LANGUAGES)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    save = actions.add_parser(
        "save",
        help="a team lead's review: every criterion that applies met, not met or n/a",
        description="Answer every criterion `review show` lists for the contact. Saving again"
        " replaces the review and shows it to the collector as new.",
    )
    save.add_argument("attempt_id", type=uuid.UUID, metavar="ATTEMPT_ID")
    save.add_argument("--user", required=True, help="the team lead")
    save.add_argument("--met", type=names_arg, default=(), metavar="ID[,ID…]")
    save.add_argument("--not-met", type=names_arg, default=(), metavar="ID[,ID…]")
    save.add_argument("--na", type=names_arg, default=(), metavar="ID[,ID…]")
    save.add_argument(
        "--all-met", action="store_true", help="every criterion not answered otherwise is met"
    )
    save.add_argument("--comment", help="what the collector reads with the score")
    save.set_defaults(handler=_save)

    listed = actions.add_parser(
        "criteria", help="the quality criteria: all, or those a contact's outcome needs"
    )
    listed.add_argument("--outcome", metavar="CODE", help="only those for this outcome code")
    listed.add_argument("--emotion", help="with --outcome: and this emotion (default: none)")
    listed.add_argument("--lang", default="en", choices=LANGUAGES)
    listed.set_defaults(handler=_criteria)
    without_server(listed)

    feedback = commands.add_parser(
        "feedback", help="the reviews of your own contacts, newest first"
    )
    feedback.add_argument("--user", required=True)
    feedback.add_argument("--unseen", action="store_true", help="only the ones not read yet")
    feedback.add_argument(
        "--mark-seen", action="store_true", help="then mark the listed reviews as read"
    )
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(handler=_feedback)

    acknowledge = commands.add_parser(
        "acknowledge",
        help="a team lead has seen an escalation (the decision follows with `decide`)",
    )
    acknowledge.add_argument("escalation_id", type=uuid.UUID, metavar="ESCALATION_ID")
    acknowledge.add_argument("--user", required=True, help="the team lead")
    acknowledge.set_defaults(handler=_acknowledge)


def _shown(moment: datetime) -> str:
    """A time as the lender's staff read it: in the business zone, to the minute."""
    from app.services.common.clock import business_zone

    return f"{moment.astimezone(business_zone()):%Y-%m-%d %H:%M}"


def _score(score: int | None, reviewed: bool = True) -> str:
    if not reviewed:
        return "unreviewed"
    return "no score (all n/a)" if score is None else f"score {score}%"


def _checklist_state(complete: bool | None) -> str:
    if complete is None:
        return "no checklist"
    return "checklist complete" if complete else "checklist INCOMPLETE"


def _list(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.reviews import ReviewFilter, review_list

    flt = ReviewFilter(
        collector=args.collector,
        start=args.start,
        end=args.end,
        dispositions=frozenset(args.outcome),
        emotions=frozenset(args.emotion),
        incomplete_checklist_only=args.incomplete_checklist,
        escalated_only=args.escalated,
        unreviewed_only=args.unreviewed,
    )
    try:
        rows = review_list(open_database(config), args.user, flt, args.team, args.limit)
    except InvalidDate as error:
        print(f"error: {error.message}", file=sys.stderr)
        return EXIT_BAD_DATES
    if args.json:
        print(json.dumps(plain(list(rows)), ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(
            f"{row.attempt_id}  {_shown(row.started_at)}  {row.username:<16}"
            f" {row.contract_no:<14} {row.disposition:<5} {row.emotion or '-':<15}"
            f" {_checklist_state(row.checklist_complete):<20}"
            f" {'escalated' if row.escalated else '':<9}"
            f"  {_score(row.review_score, row.reviewed)}"
        )
    print(f"{len(rows)} contact(s)")
    return 0


def _show(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.reviews import contact_for_review

    detail = contact_for_review(open_database(config), args.user, args.attempt_id)
    if args.json:
        print(json.dumps(plain(detail), ensure_ascii=False, indent=2))
        return 0
    lang = args.lang
    row = detail.contact
    print(f"{row.attempt_id}")
    print(
        f"{_shown(row.started_at)}  {row.username} ({row.collector})  {row.contract_no}"
        f"  {row.borrower}  {row.channel}  {row.disposition}  {row.emotion or '-'}"
        f"  {row.duration_seconds} s"
        + (f" + {row.after_call_seconds} s after the call" if row.after_call_seconds else "")
    )
    if detail.script_title is not None:
        print(f"script: {detail.script_title.text(lang)}")
    elif detail.script_path:
        print("script: none of today's scripts knows this path")
    for step in detail.script_path:
        answer = f" → {step.answer.text(lang)}" if step.answer is not None else ""
        unknown = "" if step.known else "  (not in the script)"
        print(f"  {step.title.text(lang)}{answer}{unknown}")
    print(_checklist_state(row.checklist_complete))
    for line in detail.checklist:
        tick = "x" if line.ticked else " "
        required = "required" if line.required else "optional"
        print(f"  [{tick}] {line.id:<36} {required:<9} {line.text.text(lang)}")
    if detail.promise is not None:
        promise = detail.promise
        from app.services.common.money import format_money

        print(
            f"promise: {format_money(promise.amount, promise.currency)} by"
            f" {promise.promised_date.isoformat()} ({promise.status},"
            f" paid {format_money(promise.paid_amount, promise.currency)})"
        )
    if detail.callback_at is not None:
        print(f"callback: {_shown(detail.callback_at)}")
    if detail.notes:
        print(f"notes: {detail.notes}")
    for note in detail.account_notes:
        print(f"account note {_shown(note.created_at)}: {note.text}")
    for escalation in detail.escalations:
        decided = (
            f"{escalation.decision} at {_shown(escalation.decided_at)}"
            if escalation.decided_at is not None
            else "open"
        )
        print(
            f"escalation {escalation.id}  {escalation.kind}"
            f"  raised {_shown(escalation.raised_at)}  {decided}"
        )
    review = detail.review
    if review is None:
        print("not reviewed" + ("; you may review it" if detail.can_review else ""))
    else:
        seen = f", seen {_shown(review.seen_at)}" if review.seen_at is not None else ", not seen"
        print(
            f"reviewed by {review.reviewer} ({review.reviewer_username})"
            f" at {_shown(review.reviewed_at)}{seen}: {_score(review.score)}"
        )
    answers = review.answers if review is not None else {}
    print("criteria:")
    for item in detail.criteria:
        answer = answers.get(item.id, "-")
        print(f"  {answer:<7} {item.id:<28} {item.weight:>3}  {item.text(lang)}")
    if review is not None and review.comment:
        print(f"comment: {review.comment}")
    return 0


def _answers(args: argparse.Namespace) -> dict[str, str]:
    """The answers given by name, each criterion at most once."""
    from app.services.team.reviews import MET, NOT_APPLICABLE, NOT_MET

    answers: dict[str, str] = {}
    for answer, ids in ((MET, args.met), (NOT_MET, args.not_met), (NOT_APPLICABLE, args.na)):
        for criterion in ids:
            if answers.setdefault(criterion, answer) != answer:
                raise InvalidInput(
                    "“{criterion}” is given two answers; give it one.", criterion=criterion
                )
    return answers


def _save(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.reviews import (
        MET,
        NOT_APPLICABLE,
        NOT_MET,
        contact_for_review,
        save_review,
    )

    answers = _answers(args)
    db = open_database(config)
    if args.all_met:
        try:
            applicable = contact_for_review(db, args.user, args.attempt_id).criteria
        except NotAllowed:
            # Saving refuses it as well, in the words a save is refused with.
            applicable = ()
        answers = {item.id: MET for item in applicable} | answers
    detail = save_review(db, args.user, args.attempt_id, answers, args.comment)
    assert detail.review is not None  # just saved
    given = list(detail.review.answers.values())
    print(
        f"saved: {_score(detail.review.score)} ({given.count(MET)} met,"
        f" {given.count(NOT_MET)} not met, {given.count(NOT_APPLICABLE)} n/a)"
        f" on {detail.contact.contract_no} by {detail.contact.username}"
    )
    return 0


def _when(criterion: Criterion) -> str:
    """Which contacts a criterion applies to, in the data's own terms."""
    parts = [flag if value else f"not {flag}" for flag, value in criterion.flags]
    if criterion.dispositions:
        parts.append("outcome " + "|".join(criterion.dispositions))
    if criterion.emotions:
        parts.append("emotion " + "|".join(criterion.emotions))
    if criterion.not_emotions:
        parts.append("an emotion but " + "|".join(criterion.not_emotions))
    return ", ".join(parts) or "every contact"


def _criteria(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.reviews import criteria, criteria_for

    if args.outcome is None:
        if args.emotion is not None:
            raise InvalidInput("Give --outcome with --emotion: criteria follow the outcome.")
        found: Iterable[Criterion] = criteria()
    else:
        found = criteria_for(args.outcome, args.emotion)
    for item in found:
        print(f"{item.id:<28} {item.weight:>3}  {item.text(args.lang)}")
        if args.outcome is None:
            print(f"{'':<34}when: {_when(item)}")
    return 0


def _feedback(config: Config, args: argparse.Namespace) -> int:
    from app.services.team.reviews import mark_feedback_seen, my_feedback, unseen_count

    db = open_database(config)
    rows = my_feedback(db, args.user, unseen_only=args.unseen)
    if args.json:
        print(json.dumps(plain(list(rows)), ensure_ascii=False, indent=2))
    else:
        for row in rows:
            comment = f"  “{row.comment}”" if row.comment else ""
            print(
                f"{row.attempt_id}  {_shown(row.started_at)}  {row.contract_no:<14}"
                f" {row.borrower:<6} {row.disposition:<5} {row.emotion or '-':<15}"
                f" {_score(row.score):<18} by {row.reviewer} {_shown(row.reviewed_at)}"
                f"  {'seen' if row.seen else 'NEW'}{comment}"
            )
        print(f"{len(rows)} review(s); {unseen_count(db, args.user)} not seen yet")
    if args.mark_seen and rows:
        marked = mark_feedback_seen(db, args.user, [row.review_id for row in rows])
        # Beside --json the list stays the only thing on standard output.
        print(f"marked {len(marked)} review(s) as seen", file=sys.stderr if args.json else None)
    return 0


def _acknowledge(config: Config, args: argparse.Namespace) -> int:
    from app.services.contact.escalations import acknowledge_escalation

    view = acknowledge_escalation(open_database(config), args.user, args.escalation_id)
    assert view.acknowledged_at is not None  # acknowledged now or before
    print(
        f"acknowledged: {view.kind} on {view.contract_no} by {view.acknowledged_by}"
        f" at {_shown(view.acknowledged_at)}"
    )
    if view.decided_at is not None:
        print(f"already decided: {view.decision} at {_shown(view.decided_at)}")
    else:
        print(f"decide it with: decide {view.id} --user {args.user} --decision pause|resume|refer")
    return 0
