"""`collector-workstation legal-package …` and `audit-export …`: what a lawyer and what a
regulator ask for, written as files (app.services.legal)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli.common import EXIT_USAGE, TEAM_LEAD, day_arg, for_roles, open_database, plain
from app.config import Config


def register(commands: Any) -> None:
    """Add `legal-package` and `audit-export` to the CLI's subparsers."""
    package = commands.add_parser(
        "legal-package",
        help="an account's referral package for a lawyer: PDFs in Chinese and English and CSVs",
        description="Write what a lawyer needs to take one account to court into --out (a new"
        " folder, or a file ending in .zip): a cover sheet, the borrower's and the loan's"
        " facts, the statement of account with every payment and penalty computation, the"
        " contacts with their compliance record, promises, plans, agreements and notices, as"
        " PDFs (Chinese and English) and CSV files, with a manifest of SHA-256 hashes. The"
        " package holds the borrower's full ID number: writing it is recorded. A team lead"
        " (the team's accounts) or an administrator.",
    )
    package.add_argument("--contract", required=True)
    package.add_argument("--user", required=True, help="the team lead (or an administrator)")
    package.add_argument("--out", type=Path, required=True, metavar="DIR|FILE.zip")
    package.add_argument("--json", action="store_true")
    for_roles(package, TEAM_LEAD)
    package.set_defaults(handler=_package)

    export = commands.add_parser(
        "audit-export",
        help="what a regulator asks for, for one account or a span of days: CSV, XLSX, manifest",
        description="Write into the folder --out (created; it must not exist) the contacts"
        " with their times in the borrower's zone, what the contact rules decided, the blocks,"
        " the escalations and their handling, for one account (--contract) or every account"
        " with activity from --from to --to (days in the lender's zone, both included): a CSV"
        " per table, one XLSX with a sheet per table, and manifest.json with each file's"
        " SHA-256 and rows. Recorded in the audit trail. A team lead (the team's accounts) or"
        " an administrator.",
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--contract")
    which.add_argument("--from", dest="start", type=day_arg, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="end", type=day_arg, metavar="YYYY-MM-DD")
    export.add_argument("--user", required=True, help="the team lead (or an administrator)")
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    export.add_argument("--json", action="store_true")
    for_roles(export, TEAM_LEAD)
    export.set_defaults(handler=_export)


def _package(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.package import write_referral_package

    package = write_referral_package(open_database(config), args.user, args.contract, args.out)
    if args.json:
        print(json.dumps({**plain(package), "path": str(package.path)}, ensure_ascii=False))
        return 0
    books = "" if package.matches_books else " (the statement differs from the books: see it)"
    print(
        f"Referral package for {package.contract_no} as of {package.as_of.isoformat()}"
        f" written to {package.path}: {len(package.files)} files, overdue"
        f" {package.overdue}{books}"
    )
    return 0


def _export(config: Config, args: argparse.Namespace) -> int:
    from app.services.legal.audit_export import export_for_audit

    if args.contract is not None and args.end is not None:
        return _usage("--to goes with --from, not with --contract")
    if args.start is not None and args.end is None:
        return _usage("--from needs --to")
    written = export_for_audit(
        open_database(config),
        args.user,
        args.out,
        contract_no=args.contract,
        span=(args.start, args.end) if args.start is not None else None,
    )
    if args.json:
        print(json.dumps({**plain(written), "path": str(written.path)}, ensure_ascii=False))
        return 0
    for file in written.files:
        rows = "" if file.rows is None else f", {file.rows} rows"
        print(f"{file.name}: sha256 {file.sha256}{rows}")
    print(f"Audit export written to {written.path} ({written.accounts} accounts)")
    return 0


def _usage(message: str) -> int:
    print(f"error: {message} (see collector-workstation audit-export --help)", file=sys.stderr)
    return EXIT_USAGE
