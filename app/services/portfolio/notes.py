"""Free-text notes on an account, shown in its history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app.database import Database
from app.models import AccountNote
from app.services.common.audit import audit
from app.services.common.errors import InvalidInput, Message
from app.services.common.typed import written_text
from app.services.portfolio.accounts import open_account

MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    loan_id: uuid.UUID
    contract_no: str
    author: str
    author_name: str
    created_at: datetime
    text: str


def add_note(
    db: Database,
    username: str,
    contract_no: str,
    text: str,
    *,
    now: datetime | None = None,
) -> NoteView:
    """Add a note to an account in the user's scope; notes are kept as written, never edited."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    cleaned = written_text(text, Message("The note"))
    if not cleaned:
        raise InvalidInput("A note cannot be empty.")
    if len(cleaned) > MAX_NOTE_CHARS:
        raise InvalidInput(
            "The note has {length} characters; at most {limit} fit in one note.",
            length=len(cleaned),
            limit=MAX_NOTE_CHARS,
        )
    with db.session() as session:
        user, loan, _ = open_account(session, username, contract_no)
        note = AccountNote(loan_id=loan.id, user_id=user.id, created_at=now, text=cleaned)
        session.add(note)
        session.flush()
        # The text stays in the note itself (notes are never edited); the audit says who and when.
        audit(
            session,
            "note.added",
            "account_note",
            note.id,
            {"loan_id": str(loan.id), "contract_no": loan.contract_no, "chars": len(cleaned)},
            user_id=user.id,
        )
        return NoteView(
            id=note.id,
            loan_id=loan.id,
            contract_no=loan.contract_no,
            author=user.username,
            author_name=user.display_name,
            created_at=now,
            text=cleaned,
        )
