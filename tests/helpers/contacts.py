"""Contact inputs for tests: a collector who answers the emotion checklist honestly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.services.common.errors import InvalidInput
from app.services.common.reference import dispositions
from app.services.contact.checklists import checklist_for
from app.services.contact.contacts import ContactInput
from tests.helpers.portfolio import Account

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 11:00 Beijing


def required(emotion: str, code: str) -> tuple[str, ...]:
    """The ids a collector must tick for this emotion and outcome."""
    return tuple(item.id for item in checklist_for(emotion, code) if item.required)


def outcome(account: Account, code: str, **extra: object) -> ContactInput:
    """An outcome logged three minutes ago on the mobile by zhang.wei.

    When someone answered and the test names no emotion, the borrower was calm; when it names
    no checklist, every required item of the emotion's checklist was ticked.
    """
    values: dict[str, object] = {
        "username": "zhang.wei",
        "contract_no": account.contract_no,
        "disposition": code,
        "started_at": NOW - timedelta(minutes=3),
        "contact_point_id": account.points["mobile"],
        "duration_seconds": 120,
    }
    values.update(extra)
    known = dispositions().get(code)
    if known is not None and known.contact:
        values.setdefault("emotion", "calm")
        emotion = values["emotion"]
        if isinstance(emotion, str) and "checklist" not in values:
            try:
                values["checklist"] = required(emotion, code)
            except InvalidInput:  # an unknown emotion: record_contact must refuse it
                values["checklist"] = ()
    return ContactInput(**values)  # type: ignore[arg-type]
