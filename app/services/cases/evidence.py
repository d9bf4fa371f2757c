"""A dispute's evidence: what the borrower sends (a scan, a photo, a payment receipt), attached
to the dispute case on the workstation, offline, and synced with the account to whoever may
see it. The store's rules are app.services.common.attachments'.

Who attaches: whoever works the case — the collector who opened it, the account's collector,
a team lead of the account's team. Only while the case is undecided: a decision is taken on
the evidence there was; what the borrower sends afterwards is a new dispute (a new DSP
contact), never a silent addition to a decided case. The central server refuses the same
(migration 0034, `cw_attachments_guard`).

Nothing is read out of a file: the amount a receipt shows counts for the "already paid"
matching only as the amount the user typed into the claim.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Attachment, DisputeCase, Loan, User
from app.services.common.attachments import (
    AttachmentView,
    add_attachment,
    attachment_policy,
    check_file,
    content_of,
    read_file,
    save_copies,
    views,
)
from app.services.common.errors import NotAllowed, NotFound
from app.services.common.files import check_target, write_atomically
from app.services.common.scope import find_user
from app.services.portfolio.accounts import check_scope, lock

KIND = "dispute"


def _case(session: Session, user: User, case_id: uuid.UUID) -> tuple[DisputeCase, Loan]:
    """The case and its account, for whoever may see it (else: not there for them)."""
    case = session.get(DisputeCase, case_id)
    if case is not None:
        loan = session.get_one(Loan, case.loan_id)
        if case.opened_by_id == user.id:
            return case, loan
        try:
            check_scope(session, user, loan)
        except NotAllowed:
            pass
        else:
            return case, loan
    raise NotFound("There is no dispute case {id} you may see.", id=str(case_id))


def attach_to_dispute(
    db: Database,
    username: str,
    case_id: uuid.UUID,
    data: bytes,
    file_name: str,
    purpose: str = "other",
    *,
    now: datetime | None = None,
) -> AttachmentView:
    """Attach the borrower's evidence to an undecided dispute case: checked whole
    (app.services.common.attachments.check_file) and stored with its row in one transaction,
    on this computer's database alone; audited."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        user = find_user(session, username)
        case, loan = _case(session, user, case_id)
        lock(session, loan)
        session.refresh(case)
        if case.decision is not None:
            raise NotAllowed(
                "This dispute was already decided ({decision}); evidence sent now belongs to a"
                " new dispute.",
                decision=case.decision,
            )
        attachment_policy().purpose(KIND, purpose)
        checked = check_file(data, file_name)
        row = add_attachment(session, user, loan, KIND, case.id, purpose, checked, now)
        return views(session, [row])[0]


def attach_file_to_dispute(
    db: Database,
    username: str,
    case_id: uuid.UUID,
    path: Path,
    purpose: str = "other",
    *,
    now: datetime | None = None,
) -> AttachmentView:
    """`attach_to_dispute` with a file on this computer (refused before it is read whole when
    it is larger than an attachment may be)."""
    data, name = read_file(path)
    return attach_to_dispute(db, username, case_id, data, name, purpose, now=now)


def dispute_evidence(db: Database, username: str, case_id: uuid.UUID) -> list[AttachmentView]:
    """The evidence attached to a case, oldest first, for whoever may see the case."""
    with db.reader() as session:
        user = find_user(session, username)
        case, _loan = _case(session, user, case_id)
        rows = session.scalars(
            select(Attachment).where(
                Attachment.subject_kind == KIND, Attachment.subject_id == case.id
            )
        ).all()
        return views(session, list(rows))


def save_dispute_evidence(
    db: Database, username: str, case_id: uuid.UUID, folder: Path
) -> list[Path]:
    """A copy of each of the case's evidence files in `folder` (which must exist), never over a
    file already there; the files written."""
    return save_copies(db, dispute_evidence(db, username, case_id), folder)


def save_evidence(
    db: Database, username: str, case_id: uuid.UUID, attachment_id: uuid.UUID, out: Path
) -> Path:
    """A copy of one of the case's evidence files written whole to `out` (checked first: the
    folder exists and is writable), for whoever may see the case."""
    check_target(out)
    with db.reader() as session:
        user = find_user(session, username)
        case, _loan = _case(session, user, case_id)
        row = session.get(Attachment, attachment_id)
        if row is None or row.subject_kind != KIND or row.subject_id != case.id:
            raise NotFound("There is no attachment {id}.", id=str(attachment_id))
        data = content_of(session, row)
    write_atomically(out, data)
    return out
