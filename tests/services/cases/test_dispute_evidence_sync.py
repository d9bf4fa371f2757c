"""A dispute's evidence travels with the account: attached on the collector's copy, pushed,
fetched by the lead's copy; the server refuses evidence pushed after the lead's decision."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.cases.disputes import check_claim, decide_dispute, open_dispute
from app.services.cases.evidence import attach_to_dispute, dispute_evidence, save_evidence
from tests.helpers.dispute_call import dispute_call
from tests.helpers.images import PDF, photo
from tests.helpers.sync_world import central_on, workstation


def test_the_evidence_reaches_the_leads_copy_and_none_is_taken_after_the_decision(
    pg_db: Database, tmp_path: Path
) -> None:
    central = central_on(pg_db)
    try:
        collector = central.staff(Role.COLLECTOR)
        lead = central.staff(Role.TEAM_LEAD)
        account = central.account(collector)
        now = datetime.now(UTC)
        dispute_call(pg_db, central, collector, account, now)
        mine = workstation(tmp_path / "collector", central, collector)
        theirs = workstation(tmp_path / "lead", central, lead)
        try:
            mine.sync()
            claim = check_claim("already_paid", "说已经转账了", "800", now.date())
            case = open_dispute(mine.local, collector, account.contract_no, claim, now=now)
            receipt = attach_to_dispute(
                mine.local, collector, case.id, PDF, "回单.pdf", "receipt", now=now
            )
            report = mine.sync()
            assert (report.push.conflicts, report.push.refused) == (0, 0)
            # The lead's copy syncs for the first time: the account and its evidence arrive
            # together.
            pulled = theirs.sync().pull
            assert pulled.contents == 1
            (seen,) = dispute_evidence(theirs.local, lead, case.id)
            assert (seen.id, seen.purpose.code, seen.sha256) == (
                receipt.id,
                "receipt",
                receipt.sha256,
            )
            copy = save_evidence(theirs.local, lead, case.id, seen.id, tmp_path / "copy.pdf")
            assert copy.read_bytes() == PDF
            decide_dispute(theirs.local, lead, case.id, "rejected", "流水中无此笔转账", now=now)
            theirs.sync()
            # The collector's copy has not heard of the decision yet: it takes the photo, the
            # server does not.
            late = attach_to_dispute(
                mine.local, collector, case.id, photo(gps=False), "late.jpg", "other", now=now
            )
            refused = mine.sync().push.refused
            assert refused >= 1
            with pg_db.engine.connect() as connection:
                held = (
                    connection.execute(
                        text("SELECT id FROM attachments WHERE subject_id = :case"),
                        {"case": case.id},
                    )
                    .scalars()
                    .all()
                )
            assert held == [receipt.id] and late.id not in held
        finally:
            mine.close()
            theirs.close()
    finally:
        central.drop_roles()
