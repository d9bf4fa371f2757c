"""Files attached to something of an account (a visit's photos, a dispute's evidence): the
bytes once per account and SHA-256, and a row for each attachment naming what it is of."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced, UUIDKey
from app.models.types import UTCDateTime, utcnow


class AttachmentContent(Base):
    """An attachment's bytes, filed under its account and SHA-256: written once, never changed.

    Kept in the database itself (the central's bytea, the workstation's encrypted copy's BLOB),
    so a file is encrypted with the copy, goes and comes with its account, and is written in the
    same transaction as its attachment row: there is no file beside the database a crash could
    leave half-written or orphaned. Not a synced table: a pull fetches only the contents its
    copy lacks (app.services.sync.engine), never one it has again.
    """

    __tablename__ = "attachment_contents"

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Attachment(UUIDKey, Synced, Base):
    """One file attached to a subject of an account: `subject_kind` ("visit", later
    "dispute") and `subject_id` (no foreign key: the service and the server check the subject
    exists for the kinds they know). Written once; its content must be there by the end of the
    transaction that writes it (a deferred foreign key)."""

    __tablename__ = "attachments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["loan_id", "sha256"],
            ["attachment_contents.loan_id", "attachment_contents.sha256"],
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_attachments_subject", "subject_kind", "subject_id"),
        Index("ix_attachments_loan", "loan_id"),
    )

    loan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("loans.id"))
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # What it shows, a code of the kind's purposes (resources/attachment_policy.json).
    purpose: Mapped[str] = mapped_column(String(20))
    # The name it had where it came from (no folder), and its type as read from its bytes.
    file_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Whether a photo's location (GPS) metadata was kept, as the lender's policy said.
    location_kept: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
