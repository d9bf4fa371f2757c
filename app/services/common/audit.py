"""The append-only audit trail: every change and every view of full personal data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent


def audit(
    session: Session,
    action: str,
    entity: str,
    entity_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
    *,
    user_id: uuid.UUID | None = None,
) -> None:
    """Add an audit event to the unit of work, so it commits (or not) with the change."""
    session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details or {},
        )
    )
