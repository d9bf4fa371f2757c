"""Contact inputs for tests: a collector who answers the emotion checklist honestly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.database import Database
from app.models import Borrower, Loan, Role, User
from app.services.common.errors import InvalidInput
from app.services.common.reference import dispositions
from app.services.contact.checklists import checklist_for
from app.services.contact.compliance import profile_code_for
from app.services.contact.contacts import ContactInput
from app.services.contact.queue import QueueEntry
from app.services.contact.scripts import THIRD_PARTY_STAGE, load_script, sample_path
from tests.helpers.portfolio import Account

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 11:00 Beijing


def required(emotion: str, code: str) -> tuple[str, ...]:
    """The ids a collector must tick for this emotion and outcome."""
    return tuple(item.id for item in checklist_for(emotion, code) if item.required)


# A call in which the borrower did not pass the identity check (every phone script has it).
FAILED_CHECK = ("greeting=speaking", "verify=no_match", "unverified")


def script_path(code: str, stage: str = "early", profile: str = "CN") -> tuple[str, ...]:
    """The path a collector who follows the script saves for this outcome (`sample_path`)."""
    path = sample_path(load_script(stage, "en", profile), code)
    assert path is not None, (code, stage, profile)
    return path


def outcome(account: Account, code: str, **extra: object) -> ContactInput:
    """An outcome logged three minutes ago on the mobile by zhang.wei.

    When someone answered and the test names no emotion, the borrower was calm; when it names
    no checklist, every required item of the emotion's checklist was ticked. A right-party
    outcome on a call followed the script: the account's early-stage one (the third-party one
    on the emergency contact's number) to that outcome, borrower verified, disclosures ticked.
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
    if known is not None and known.rpc and values.get("channel", "call") == "call":
        third = values["contact_point_id"] == account.points.get("emergency")
        stage = str(values.setdefault("script_stage", THIRD_PARTY_STAGE if third else "early"))
        if "script_steps" not in values:
            values["script_steps"] = script_path(code, stage, profile_code_for(account.country))
    if known is not None and known.contact:
        values.setdefault("emotion", "calm")
        emotion = values["emotion"]
        if isinstance(emotion, str) and "checklist" not in values:
            try:
                values["checklist"] = required(emotion, code)
            except InvalidInput:  # an unknown emotion: record_contact must refuse it
                values["checklist"] = ()
    return ContactInput(**values)  # type: ignore[arg-type]


def demo_users(db: Database) -> tuple[str, str]:
    """A demo portfolio's busiest collector (most accounts, then by name) and a team lead."""
    with db.reader() as session:
        collector = (
            session.execute(
                select(User.username)
                .join(Loan, Loan.assigned_to_id == User.id)
                .where(User.role == Role.COLLECTOR)
                .group_by(User.username)
                .order_by(func.count().desc(), User.username)
            )
            .scalars()
            .first()
        )
        lead = session.scalars(select(User.username).where(User.role == Role.TEAM_LEAD)).first()
    assert collector is not None and lead is not None
    return collector, lead


def _profile(db: Database, contract_no: str) -> str:
    with db.reader() as session:
        country = session.scalar(
            select(Borrower.country)
            .join(Loan, Loan.borrower_id == Borrower.id)
            .where(Loan.contract_no == contract_no)
        )
    return profile_code_for(country or "CN")


def queue_call(
    db: Database, entry: QueueEntry, code: str, at: datetime, **extra: object
) -> ContactInput:
    """A call of a minute on a queue entry's number by the demo's busiest collector
    (`demo_users`), begun two minutes before `at`; answered, it followed the early-stage script
    of the borrower's profile, with a calm borrower and the checklist ticked."""
    values: dict[str, object] = {
        "username": demo_users(db)[0],
        "contract_no": entry.contract_no,
        "disposition": code,
        "started_at": at - timedelta(minutes=2),
        "contact_point_id": entry.contact.contact_point_id,
        "duration_seconds": 60,
    }
    if code != "NA":
        values["script_stage"] = "early"
        values["script_steps"] = script_path(code, "early", _profile(db, entry.contract_no))
        values["emotion"] = "calm"
        values["checklist"] = required("calm", code)
    values.update(extra)
    return ContactInput(**values)  # type: ignore[arg-type]
