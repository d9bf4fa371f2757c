"""CLI commands for attachments: a visit's photos and consent (`attach`), an account's files
(`attachments`)."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

from app.cli.common import FIELD_AGENT, STAFF, TEAM_LEAD, for_roles, open_database
from app.config import Config
from app.services.common.clock import business_zone


def register(commands: Any) -> None:
    """Add `attach` and `attachments` to the CLI's subparsers."""
    attach = commands.add_parser(
        "attach",
        help="attach a photo (JPEG, PNG) or a PDF to a home visit (works offline)",
        description="Attach a file to a home visit: a photo (its location is taken out unless"
        " the lender's policy keeps it) or a PDF, recognised by its content. Works offline;"
        " the next sync sends it.",
    )
    attach.add_argument(
        "--visit", required=True, type=uuid.UUID, metavar="VISIT_ID", help="the visit's id"
    )
    attach.add_argument("--user", required=True)
    attach.add_argument(
        "--purpose",
        default="other",
        help="what it shows: staff_card, notice, consent or other (default other)",
    )
    attach.add_argument("file", type=Path, metavar="FILE", help="a photo (JPEG, PNG) or a PDF")
    attach.set_defaults(handler=_attach)
    for_roles(attach, FIELD_AGENT, TEAM_LEAD)

    listing = commands.add_parser(
        "attachments", help="the files attached to an account's records (--save: copies)"
    )
    listing.add_argument("--contract", required=True)
    listing.add_argument("--user", required=True)
    listing.add_argument("--save", type=Path, metavar="DIR", help="write a copy of each here")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_attachments)
    for_roles(listing, *STAFF)


def _attach(config: Config, args: argparse.Namespace) -> int:
    from app.services.field.attachments import attach_file_to_visit

    view = attach_file_to_visit(
        open_database(config), args.user, args.visit, args.file, args.purpose
    )
    kept = " (location kept by policy)" if view.location_kept else ""
    print(
        f"attached {view.file_name} ({view.media_type}, {view.size} bytes, sha256"
        f" {view.sha256[:12]}…) to visit {view.subject_id} as {view.purpose.code}{kept}"
    )
    return 0


def _attachments(config: Config, args: argparse.Namespace) -> int:
    from app.services.common.attachments import save_copies
    from app.services.field.attachments import account_attachments

    db = open_database(config)
    found = account_attachments(db, args.user, args.contract)
    written = save_copies(db, found, args.save) if args.save is not None else []
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": str(view.id),
                        "subject": view.subject_kind,
                        "subject_id": str(view.subject_id),
                        "purpose": view.purpose.code,
                        "file_name": view.file_name,
                        "media_type": view.media_type,
                        "size": view.size,
                        "sha256": view.sha256,
                        "location_kept": view.location_kept,
                        "added_by": view.added_by,
                        "added_at": view.added_at.isoformat(),
                        **({"saved": str(written[index])} if written else {}),
                    }
                    for index, view in enumerate(found)
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not found:
        print(f"nothing is attached to {args.contract}")
        return 0
    for index, view in enumerate(found):
        # The name as repr-safe text: a name is checked when added, printed safely anyway.
        name = (
            view.file_name.encode("unicode_escape").decode("ascii")
            if not view.file_name.isprintable()
            else view.file_name
        )
        saved = f" -> {written[index]}" if written else ""
        at = view.added_at.astimezone(business_zone())
        print(
            f"{at:%Y-%m-%d %H:%M} {view.subject_kind} {view.purpose.code:<10}"
            f" {name} {view.media_type} {view.size} bytes {view.added_by}{saved}"
        )
    return 0
