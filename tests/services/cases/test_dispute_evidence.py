"""A dispute's evidence (issue 20, item 3): the borrower's scan, photo or receipt attached to
the case by whoever works it, while it is undecided; checked by content, stored whole."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import Attachment, AuditEvent, Role, Team, User
from app.services.cases.disputes import check_claim, decide_dispute, open_dispute
from app.services.cases.evidence import (
    attach_file_to_dispute,
    attach_to_dispute,
    dispute_evidence,
    save_dispute_evidence,
)
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from tests.helpers.contacts import NOW
from tests.helpers.images import PDF, gps_of, photo
from tests.helpers.portfolio import Portfolio
from tests.services.cases.test_disputes import TODAY, disputed


def _case(db: Database, portfolio: Portfolio) -> uuid.UUID:
    account = portfolio.account(today=TODAY, dpd=20)
    disputed(db, account)
    claim = check_claim("already_paid", "说11月20日已经还了500元", "500")
    return open_dispute(db, "zhang.wei", account.contract_no, claim, now=NOW).id


def _count(db: Database) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


def test_the_collector_and_the_lead_attach_evidence_and_both_see_it(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    case = _case(db, portfolio)
    receipt = attach_to_dispute(db, "zhang.wei", case, PDF, "回单.pdf", "receipt", now=NOW)
    assert (receipt.subject_kind, receipt.subject_id, receipt.purpose.code) == (
        "dispute",
        case,
        "receipt",
    )
    assert receipt.purpose.label.zh_CN == "付款凭证" and receipt.added_by == "zhang.wei"
    scan = tmp_path / "身份证.jpg"
    scan.write_bytes(photo("JPEG"))
    card = attach_file_to_dispute(db, "lead.wang", case, scan, "id_document", now=NOW)
    assert [v.id for v in dispute_evidence(db, "zhang.wei", case)] == [receipt.id, card.id]
    # A copy for the lead, whole, the photo's location taken out.
    out = tmp_path / "copies"
    out.mkdir()
    written = save_dispute_evidence(db, "lead.wang", case, out)
    assert written[0].read_bytes()[:5] == b"%PDF-"
    assert gps_of(written[1].read_bytes()) == {}
    with db.reader() as session:
        events = session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "attachment.added")
        ).all()
        assert {e["kind"] for e in events} == {"dispute"}


def test_evidence_is_refused_after_the_decision_and_by_others(
    db: Database, portfolio: Portfolio
) -> None:
    case = _case(db, portfolio)
    with db.session() as session:
        team = Team(name="外组")
        session.add(team)
        session.flush()
        session.add(
            User(username="lead.li", display_name="李", role=Role.TEAM_LEAD, team_id=team.id)
        )
        session.add(
            User(username="li.na", display_name="李娜", role=Role.COLLECTOR, team_id=team.id)
        )
    for stranger in ("lead.li", "li.na"):
        with pytest.raises(NotFound, match="no dispute case"):
            attach_to_dispute(db, stranger, case, PDF, "x.pdf", "receipt", now=NOW)
        with pytest.raises(NotFound):
            dispute_evidence(db, stranger, case)
    with pytest.raises(NotFound):
        attach_to_dispute(db, "zhang.wei", uuid.uuid4(), PDF, "x.pdf", now=NOW)
    with pytest.raises(InvalidInput, match="purpose") as bad:
        attach_to_dispute(db, "zhang.wei", case, PDF, "x.pdf", "staff_card", now=NOW)
    assert bad.value.field == "purpose"
    with pytest.raises(InvalidInput, match="not a JPEG, PNG or PDF"):
        attach_to_dispute(db, "zhang.wei", case, b"MZ\x90\x00", "receipt.pdf", now=NOW)
    decide_dispute(db, "lead.wang", case, "rejected", "账目核对无误", now=NOW)
    for who in ("zhang.wei", "lead.wang"):
        with pytest.raises(NotAllowed, match="already decided"):
            attach_to_dispute(db, who, case, PDF, "late.pdf", "receipt", now=NOW)
    assert _count(db) == 0
    assert dispute_evidence(db, "lead.wang", case) == []
