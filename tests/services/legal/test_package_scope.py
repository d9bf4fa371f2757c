"""Whose accounts a referral package or an audit export is written for, on the embedded
database (no row-level security there: the service's own rule is all there is)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import AuditEvent, Channel, ContactAttempt, Role, Team, User
from app.services.common.errors import NotAllowed
from app.services.legal.audit_export import export_for_audit
from app.services.legal.package import write_referral_package
from tests.helpers.portfolio import ADMIN, Portfolio

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def _other_lead(db: Database) -> str:
    with db.session() as session:
        team = Team(name="电催外组")
        session.add(team)
        session.flush()
        session.add(User(username="lead.other", display_name="lead.other",
                         role=Role.TEAM_LEAD, team_id=team.id))  # fmt: skip
    return "lead.other"


def _events(db: Database) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_lead_of_another_team_is_refused_and_an_administrator_is_not(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    account = portfolio.account(today=NOW.date(), dpd=30)
    pooled = portfolio.account(today=NOW.date(), dpd=30, pool=portfolio.team_id)
    other = _other_lead(db)
    before = _events(db)

    for contract in (account.contract_no, pooled.contract_no):
        with pytest.raises(NotAllowed, match=f"Account {contract} is not in lead.other"):
            write_referral_package(db, other, contract, tmp_path / "p.zip", now=NOW)
        with pytest.raises(NotAllowed, match=f"Account {contract} is not in lead.other"):
            export_for_audit(db, other, tmp_path / "a", contract_no=contract, now=NOW)
    assert list(tmp_path.iterdir()) == [] and _events(db) == before

    # The team's own lead writes the pool's account; an administrator any account.
    write_referral_package(db, "lead.wang", pooled.contract_no, tmp_path / "pool.zip", now=NOW)
    write_referral_package(db, ADMIN, account.contract_no, tmp_path / "admin", now=NOW)
    assert (tmp_path / "admin" / "manifest.json").is_file() and (tmp_path / "pool.zip").is_file()
    assert _events(db) == before + 2


def test_a_span_export_holds_only_the_leads_teams_accounts(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    account = portfolio.account(today=NOW.date(), dpd=30)
    with db.session() as session:
        session.add(
            ContactAttempt(
                loan_id=account.loan_id,
                borrower_id=account.borrower_id,
                contact_point_id=account.points["mobile"],
                user_id=portfolio.collector,
                channel=Channel.CALL,
                started_at=NOW,
                disposition="NA",
            )
        )
    other = _other_lead(db)
    span = (NOW.date(), NOW.date())

    theirs = export_for_audit(db, other, tmp_path / "a", span=span, now=NOW)
    ours = export_for_audit(db, "lead.wang", tmp_path / "b", span=span, now=NOW)

    assert (theirs.accounts, ours.accounts) == (0, 1)
    assert (tmp_path / "a" / "contacts.csv").read_text(encoding="utf-8-sig").count("\n") == 1
    assert account.contract_no in (tmp_path / "b" / "contacts.csv").read_text(encoding="utf-8-sig")
