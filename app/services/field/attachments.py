"""A home visit's evidence: the photos (the staff card shown, the notice left at the door) and
the consent to enter, attached by the visit's agents (or a team lead) on the workstation,
offline; synced with the visit. The store's rules are app.services.common.attachments'."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Attachment, FieldVisit, Loan, Role, User
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
from app.services.portfolio.accounts import check_scope, load_loan

KIND = "visit"


def attach_to_visit(
    db: Database,
    username: str,
    visit_id: uuid.UUID,
    data: bytes,
    file_name: str,
    purpose: str = "other",
    *,
    now: datetime | None = None,
) -> AttachmentView:
    """Attach a file to a visit: its agents, or a team lead of the account's team; checked
    whole (app.services.common.attachments.check_file) and stored with its row in one
    transaction, on this computer's database alone."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        user = find_user(session, username)
        visit = session.get(FieldVisit, visit_id)
        if visit is None:
            raise NotFound("There is no visit {visit}.", visit=str(visit_id))
        loan = session.get_one(Loan, visit.loan_id)
        _may_attach(session, user, visit, loan)
        attachment_policy().purpose(KIND, purpose)
        checked = check_file(data, file_name)
        row = add_attachment(session, user, loan, KIND, visit.id, purpose, checked, now)
        return views(session, [row])[0]


def attach_file_to_visit(
    db: Database,
    username: str,
    visit_id: uuid.UUID,
    path: Path,
    purpose: str = "other",
    *,
    now: datetime | None = None,
) -> AttachmentView:
    """`attach_to_visit` with a file on this computer (refused before it is read whole when it
    is larger than an attachment may be)."""
    data, name = read_file(path)
    return attach_to_visit(db, username, visit_id, data, name, purpose, now=now)


def visit_attachments(db: Database, username: str, visit_id: uuid.UUID) -> list[AttachmentView]:
    """What is attached to a visit, oldest first."""
    with db.reader() as session:
        user = find_user(session, username)
        visit = session.get(FieldVisit, visit_id)
        if visit is None:
            raise NotFound("There is no visit {visit}.", visit=str(visit_id))
        loan = session.get_one(Loan, visit.loan_id)
        _may_see(session, user, visit, loan)
        rows = session.scalars(
            select(Attachment).where(
                Attachment.subject_kind == KIND, Attachment.subject_id == visit.id
            )
        ).all()
        return views(session, list(rows))


def account_attachments(db: Database, username: str, contract_no: str) -> list[AttachmentView]:
    """Everything attached to the account's records (visits, later disputes), oldest first:
    for whoever works the account (a lead: their team's)."""
    with db.reader() as session:
        user = find_user(session, username)
        loan = load_loan(session, contract_no)
        if not _agent_of_visit_on(session, user, loan):
            check_scope(session, user, loan)
        rows = session.scalars(select(Attachment).where(Attachment.loan_id == loan.id)).all()
        return views(session, list(rows))


def save_account_attachments(
    db: Database, username: str, contract_no: str, folder: Path
) -> list[Path]:
    """A copy of each of the account's attachments in `folder`; the files written."""
    return save_copies(db, account_attachments(db, username, contract_no), folder)


def save_attachment(db: Database, username: str, attachment_id: uuid.UUID, out: Path) -> Path:
    """A copy of one attachment written whole to `out` (checked first: the folder exists and
    is writable)."""
    check_target(out)
    write_atomically(out, attachment_content(db, username, attachment_id))
    return out


def attachment_content(db: Database, username: str, attachment_id: uuid.UUID) -> bytes:
    """An attachment's bytes, for whoever may see its account."""
    with db.reader() as session:
        user = find_user(session, username)
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise NotFound("There is no attachment {id}.", id=str(attachment_id))
        loan = session.get_one(Loan, row.loan_id)
        if not _agent_of_visit_on(session, user, loan):
            check_scope(session, user, loan)
        return content_of(session, row)


def _may_attach(session: Session, user: User, visit: FieldVisit, loan: Loan) -> None:
    if user.id in (visit.agent_id, visit.second_agent_id):
        return
    if user.role is Role.TEAM_LEAD:
        check_scope(session, user, loan)
        return
    raise NotAllowed("Only the visit's agents or a team lead attach files to a visit.")


def _may_see(session: Session, user: User, visit: FieldVisit, loan: Loan) -> None:
    if user.id in (visit.agent_id, visit.second_agent_id):
        return
    check_scope(session, user, loan)


def _agent_of_visit_on(session: Session, user: User, loan: Loan) -> bool:
    return (
        session.scalar(
            select(FieldVisit.id)
            .where(
                FieldVisit.loan_id == loan.id,
                (FieldVisit.agent_id == user.id) | (FieldVisit.second_agent_id == user.id),
            )
            .limit(1)
        )
        is not None
    )
