"""A team lead's floor for the call review tests: two teams, an administrator, and contacts of
every kind the review list tells apart (complete, incomplete, escalated, unanswered, the
lead's own, another team's)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.database import Database
from app.models import Channel, ContactAttempt, Role, Team, User
from app.services.common.reference import dispositions
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.team.reviews import MET, criteria_for
from tests.helpers.contacts import NOW, outcome, required
from tests.helpers.portfolio import Account, Portfolio

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(BEIJING).date()  # 2026-11-28
YESTERDAY = TODAY - timedelta(days=1)
LEAD, COLLECTOR, COLLEAGUE = "lead.wang", "zhang.wei", "li.na"
OTHER_TEAM = "电催外组"
SECOND_LEAD, OTHER_LEAD, OTHER_COLLECTOR, ADMIN = "lead.liu", "lead.chen", "zhao.lei", "admin.sun"
PTP_PATH = (
    "greeting=speaking",
    "verify=match",
    "disclosure_recording=said",
    "disclosure_purpose=said",
    "account",
    "reason=forgot",
    "pay_today=later_date",
    "promise=agreed",
    "recap_promise",
)


@dataclass(frozen=True)
class Floor:
    """A team (lead.wang, lead.liu, zhang.wei, li.na), another team, an administrator, and
    the contacts each made, by name."""

    db: Database
    portfolio: Portfolio
    accounts: dict[str, Account]
    contacts: dict[str, uuid.UUID]


def _contact(
    db: Database,
    account: Account,
    user_id: uuid.UUID,
    at: datetime,
    code: str,
    emotion: str | None = None,
    checklist: tuple[str, ...] | None = None,
) -> uuid.UUID:
    """A contact as stored (e.g. synced from an older version), past the service's checks."""
    with db.session() as session:
        attempt = ContactAttempt(
            loan_id=account.loan_id,
            borrower_id=account.borrower_id,
            contact_point_id=account.points["mobile"],
            user_id=user_id,
            channel=Channel.CALL,
            started_at=at,
            duration_seconds=90,
            disposition=code,
            right_party=dispositions()[code].rpc,
            emotion=emotion,
            checklist=list(
                checklist
                if checklist is not None
                else (required(emotion, code) if emotion is not None else ())
            ),
        )
        session.add(attempt)
        session.flush()
        return attempt.id


def _user(db: Database, username: str, role: Role, team_id: uuid.UUID | None) -> uuid.UUID:
    with db.session() as session:
        user = User(username=username, display_name=username, role=role, team_id=team_id)
        session.add(user)
        session.flush()
        return user.id


def build_floor(db: Database, portfolio: Portfolio) -> Floor:
    """The teams, their accounts and contacts (see `Floor`); one contact of each kind a
    review list tells apart, on the 27th and 28th of November 2026 in Beijing."""
    colleague = portfolio.user(COLLEAGUE)
    portfolio.user(SECOND_LEAD, Role.TEAM_LEAD)
    with db.session() as session:
        other = Team(name=OTHER_TEAM)
        session.add(other)
        session.flush()
        other_id = other.id
    _user(db, OTHER_LEAD, Role.TEAM_LEAD, other_id)
    outsider = _user(db, OTHER_COLLECTOR, Role.COLLECTOR, other_id)
    _user(db, ADMIN, Role.ADMIN, None)
    accounts = {
        "a1": portfolio.account(today=TODAY, dpd=20, name="王芳"),
        "a2": portfolio.account(today=TODAY, dpd=40, name="李雷"),
        "a3": portfolio.account(today=TODAY, dpd=25, name="韩梅梅", assigned_to=colleague),
        "a4": portfolio.account(today=TODAY, dpd=25, name="赵敏", assigned_to=outsider),
        "a5": portfolio.account(today=TODAY, dpd=25, name="周杰", assigned_to=portfolio.lead),
    }
    db_ = portfolio.db
    ptp = record_contact(
        db_,
        outcome(
            accounts["a1"],
            "PTP",
            promise=PromiseInput("500.00", TODAY + timedelta(days=3)),
            script_steps=PTP_PATH,
            notes="Forgot the date; pays on Tuesday.",
        ),
        now=NOW,
    )
    angry = _contact(
        db_,
        accounts["a3"],
        colleague,
        datetime(2026, 11, 28, 10, 0, tzinfo=BEIJING),
        "RTP",
        "angry",
        # Only the items every contact needs: the angry borrower's own were left unticked.
        checklist=("all.calm_polite", "all.no_threats"),
    )
    harm = record_contact(
        db_,
        outcome(
            accounts["a3"],
            "HRD",
            emotion="self_harm_risk",
            username=COLLEAGUE,
            started_at=NOW - timedelta(minutes=10),
        ),
        now=NOW,
    )
    contacts = {
        "ptp": ptp.attempt_id,
        "harm": harm.attempt_id,
        "angry": angry,
        "lead_own": _contact(
            db_,
            accounts["a5"],
            portfolio.lead,
            datetime(2026, 11, 28, 9, 0, tzinfo=BEIJING),
            "TPC",
            "calm",
        ),
        # 23:30 in Beijing on the 27th: still the 27th there, though the 27th in UTC too.
        "na_yesterday": _contact(
            db_,
            accounts["a2"],
            portfolio.collector,
            datetime(2026, 11, 27, 23, 30, tzinfo=BEIJING),
            "NA",
        ),
        "other_team": _contact(
            db_,
            accounts["a4"],
            outsider,
            datetime(2026, 11, 28, 9, 30, tzinfo=BEIJING),
            "PTP",
            "calm",
        ),
    }
    return Floor(db_, portfolio, accounts, contacts)


def all_met(attempt_id: uuid.UUID, db: Database) -> dict[str, str]:
    with db.reader() as session:
        attempt = session.get_one(ContactAttempt, attempt_id)
        return {item.id: MET for item in criteria_for(attempt.disposition, attempt.emotion)}
