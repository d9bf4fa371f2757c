"""The documents a database's user wrote to disk (agreements, visit sheets): where, and what."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UUIDKey
from app.models.types import UTCDateTime, utcnow


class IssuedDocument(UUIDKey, Base):
    """A PDF written on this computer from this database, one row per account it shows.

    Kept where the file was written (a workstation's copy, the embedded database), never
    synced: the path means something on this computer only. When an account's personal data
    is erased (app.services.common.erasure), the file goes too, if it is still what was
    written. The loan is not a foreign key: an account may leave a workstation's copy while
    its printed agreement stays on the disk.
    """

    __tablename__ = "issued_documents"
    __table_args__ = (Index("ix_issued_documents_loan", "loan_id"),)

    loan_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # "agreement" or "visit_sheets".
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
