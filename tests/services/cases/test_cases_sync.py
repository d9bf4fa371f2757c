"""Disputes and complaints travel like the rest of an account: opened on a collector's copy,
pushed, pulled by the lead's copy, decided there, and the decision back on the collector's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.cases.complaints import complaints, log_complaint, reply_complaint
from app.services.cases.disputes import check_claim, decide_dispute, disputes, open_dispute
from app.services.sync.waiting import waiting_changes
from tests.helpers.dispute_call import dispute_call
from tests.helpers.sync_world import central_on, workstation


def test_a_case_opened_offline_is_decided_by_the_lead_and_comes_back(
    pg_db: Database, tmp_path: Path
) -> None:
    central = central_on(pg_db)
    try:
        collector = central.staff(Role.COLLECTOR)
        lead = central.staff(Role.TEAM_LEAD)
        account = central.account(collector)
        now = datetime.now(UTC)
        attempt = dispute_call(pg_db, central, collector, account, now)
        mine = workstation(tmp_path / "collector", central, collector)
        theirs = workstation(tmp_path / "lead", central, lead)
        try:
            mine.sync()
            claim = check_claim("already_paid", "说已经转账了", "800", now.date())
            case = open_dispute(mine.local, collector, account.contract_no, claim, now=now)
            logged = log_complaint(
                mine.local,
                collector,
                account.contract_no,
                "call",
                "collector_conduct",
                "投诉上次来电态度不好",
                collector=collector,
                now=now,
            )
            # Waiting on the copy, counted as what they are.
            assert ("case", 2) in waiting_changes(mine.local).kinds
            # Offline: the lead's copy has neither yet.
            theirs.sync()
            assert disputes(theirs.local, lead, now=now) == ()
            mine.sync()
            theirs.sync()
            (seen,) = disputes(theirs.local, lead, now=now)
            assert (seen.id, seen.due.due_on) == (case.id, case.due.due_on)
            assert [c.id for c in complaints(theirs.local, lead, now=now)] == [logged.id]
            decide_dispute(theirs.local, lead, case.id, "rejected", "流水中无此笔转账", now=now)
            reply_complaint(theirs.local, lead, logged.id, "已致电致歉", now=now)
            theirs.sync()
            assert mine.sync() is not None
            (back,) = disputes(mine.local, collector, open_only=False, now=now)
            assert (back.decision, back.reasons) == ("rejected", "流水中无此笔转账")
            (answered,) = complaints(mine.local, collector, open_only=False, now=now)
            assert answered.reply == "已致电致歉"
            with pg_db.engine.connect() as connection:
                assert (
                    connection.execute(
                        text("SELECT decision FROM dispute_cases WHERE id = :id"), {"id": case.id}
                    ).scalar_one()
                    == "rejected"
                )
                assert not connection.execute(
                    text("SELECT dispute_open FROM borrowers WHERE id = :id"),
                    {"id": account.borrower_id},
                ).scalar_one()
                assert connection.execute(
                    text("SELECT decision, note FROM escalations WHERE attempt_id = :id"),
                    {"id": attempt},
                ).one() == ("resume", "流水中无此笔转账")
        finally:
            mine.close()
            theirs.close()
    finally:
        central.drop_roles()
