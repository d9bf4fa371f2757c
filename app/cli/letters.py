"""`collector-workstation letters …`: demand letters and credit-reporting notices as PDFs, for
one account or as a batch (app.services.reminders.letters)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import moment_arg, names_arg, open_database, plain
from app.config import Config

if TYPE_CHECKING:
    from app.services.reminders.letters import IssuedLetter, LetterBatch

# The kinds as the command line names them, and as the services do.
KINDS = {"demand": "demand", "credit-notice": "credit_notice"}


def register(commands: Any) -> None:
    """Add `letters issue` and `letters batch` to the CLI's subparsers."""
    letters = commands.add_parser(
        "letters",
        help="demand letters and credit-reporting notices as PDFs, for one account or a batch",
    )
    actions = letters.add_subparsers(title="letter commands", metavar="ACTION", required=True)

    issue = actions.add_parser(
        "issue",
        help="one account's letter, to the borrower's postal address",
        description="Write the letter of one account to --out and put it on record (its"
        " number, the file's SHA-256 and an audit event). An account whose collection is"
        " stopped or paused, with nothing overdue or with no postal address gets none: the"
        " reason is the error.",
    )
    issue.add_argument("--kind", required=True, choices=list(KINDS))
    issue.add_argument("--contract", required=True)
    issue.add_argument("--user", required=True)
    _common(issue)
    issue.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    issue.set_defaults(handler=_issue)

    batch = actions.add_parser(
        "batch",
        help="a letter for every overdue account you may see (or those in --bucket), with an"
        " index and one PDF for printing",
        description="Write a letter for every overdue account the user may see (a collector"
        " their own, a team lead the team's), or only those in --bucket, into the folder --out:"
        " a PDF per account, an index (CSV) and every letter in one PDF for printing. Accounts"
        " that get no letter are listed with the reason.",
    )
    batch.add_argument("--kind", required=True, choices=list(KINDS))
    which = batch.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--team",
        action="store_true",
        help="every overdue account you may see (a lead: the team's; a collector: your own)",
    )
    which.add_argument(
        "--bucket",
        type=names_arg,
        metavar="M2[,M3…]",
        help="only the accounts in these DPD buckets",
    )
    batch.add_argument("--user", required=True)
    _common(batch)
    batch.add_argument("--json", action="store_true")
    batch.add_argument("--out", type=Path, required=True, metavar="DIR")
    batch.set_defaults(handler=_batch)


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--lang",
        choices=["zh_CN", "en"],
        help="the letter's language (default: the borrower's: Chinese in China, else English)",
    )
    command.add_argument(
        "--at", type=moment_arg, metavar="TIME", help="when the letter is issued (default: now)"
    )


def _issue(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.letters import issue_letter

    letter = issue_letter(
        open_database(config),
        args.user,
        args.contract,
        KINDS[args.kind],
        args.out,
        language=args.lang,
        now=args.at,
    )
    print(_written(letter))
    return 0


def _batch(config: Config, args: argparse.Namespace) -> int:
    from app.services.reminders.letters import issue_batch

    batch = issue_batch(
        open_database(config),
        args.user,
        KINDS[args.kind],
        args.out,
        bucket_codes=args.bucket or (),
        language=args.lang,
        now=args.at,
    )
    if args.json:
        print(json.dumps(_as_json(batch), ensure_ascii=False, indent=2))
        return 0
    for letter in batch.issued:
        print(_written(letter))
    for skipped in batch.skipped:
        print(f"skipped {skipped.contract_no}: {skipped.reason}")
    print(
        f"{len(batch.issued)} letters written, {len(batch.skipped)} accounts skipped;"
        f" index: {batch.index}" + (f"; for printing: {batch.printing}" if batch.printing else "")
    )
    return 0


def _as_json(batch: LetterBatch) -> dict[str, Any]:
    """The batch as JSON: each letter's fields, each skip's reason in both languages
    ({"en": …, "zh_CN": …}), the files as paths."""
    return {
        "kind": batch.kind,
        "issued": [{**plain(letter), "path": str(letter.path)} for letter in batch.issued],
        "skipped": [plain(skipped) for skipped in batch.skipped],
        "index": str(batch.index),
        "printing": str(batch.printing) if batch.printing else None,
    }


def _written(letter: IssuedLetter) -> str:
    line = f"{letter.letter_no} for {letter.contract_no} written to {letter.path}"
    if letter.reporting_from is not None:
        line += f" (reporting may begin on {letter.reporting_from.isoformat()})"
    return line
