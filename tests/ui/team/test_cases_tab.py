"""The lead's Disputes & complaints tab: the team's open cases with their deadlines counted in
working days, the feed's payments near an "already paid" claim, a decision and a reply."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import Borrower, Complaint, DisputeCase, Payment
from app.services.cases.complaints import log_complaint
from app.services.cases.disputes import check_claim, open_dispute
from app.services.cases.evidence import attach_to_dispute
from app.services.contact.contacts import record_contact
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from app.ui.team.window import Tab
from tests.helpers.contacts import outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.images import PDF
from tests.ui.conftest import COLLECTOR, Shift, start_window, wait_idle

LEAD = "lead.wang"


@pytest.fixture
def lead_window(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    shift: Shift,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[MainWindow]:
    # Zhang Wei's dispute call this morning: "already paid", with a transfer the feed has.
    account = shift.second
    with db.session() as session:
        session.add(
            Payment(
                loan_id=account.loan_id,
                paid_at=shift.now - timedelta(days=3),
                amount=Decimal("880.00"),
                channel="bank_transfer",
                reference="TRF-20261124-88",
            )
        )
    entry = outcome(account, "DSP", emotion="angry", started_at=shift.now - timedelta(minutes=30))
    record_contact(db, entry, now=shift.now - timedelta(minutes=25))
    claim = check_claim("already_paid", "说24号转过880元", "880", None, "TRF-20261124")
    open_dispute(db, COLLECTOR, account.contract_no, claim, now=shift.now - timedelta(minutes=20))
    log_complaint(
        db, COLLECTOR, shift.first.contract_no, "regulator_12378", "contact_frequency",
        "12378转办：称每天被打电话", collector=COLLECTOR, now=shift.now,
    )  # fmt: skip
    startup: Startup
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, shift.now, username=LEAD
    )
    wait_idle(qtbot, window)
    yield window
    window.leave()
    startup.stop()


def _open_tab(qtbot: QtBot, window: MainWindow) -> object:
    qtbot.waitUntil(lambda: window.team_window is not None, timeout=20_000)
    team = window.team_window
    assert team is not None
    with qtbot.waitSignal(team.cases.loaded, timeout=20_000):
        window.team_actions[Tab.CASES].trigger()
    assert team.tabs.currentIndex() == Tab.CASES
    return team.cases


def test_the_lead_sees_the_dispute_with_its_deadline_and_the_feeds_payment_and_rejects_it(
    qtbot: QtBot, lead_window: MainWindow, shift: Shift, db: Database, dialogs: RecordingDialogs
) -> None:
    cases = _open_tab(qtbot, lead_window)
    assert cases.dispute_model.rowCount() == 1  # type: ignore[attr-defined]
    fields = cases.dispute_fields  # type: ignore[attr-defined]
    # Raised on Friday 27 November 2026: fifteen working days, to Friday 18 December.
    assert fields["due"].text() == "18 Dec 2026 (15 working days left)"
    assert fields["kind"].text() == "Already paid"
    qtbot.waitUntil(lambda: "TRF-20261124-88" in fields["candidates"].text(), timeout=10_000)
    # Rejected without a reason: said at the reasons, nothing decided.
    cases.reject_button.click()  # type: ignore[attr-defined]
    assert list(cases.dispute_marks.marked()) == ["reasons"]  # type: ignore[attr-defined]
    cases.reasons.setPlainText("该笔880元已入账并计入还款，剩余欠款无误")  # type: ignore[attr-defined]
    with qtbot.waitSignal(cases.changed, timeout=10_000):  # type: ignore[attr-defined]
        cases.reject_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: cases.dispute_model.rowCount() == 0, timeout=10_000)  # type: ignore[attr-defined]
    assert "resumes" in cases.message.text()  # type: ignore[attr-defined]
    with db.reader() as session:
        case = session.scalars(select(DisputeCase)).one()
        assert (case.decision, case.reasons) == (
            "rejected",
            "该笔880元已入账并计入还款，剩余欠款无误",
        )
        assert not session.get_one(Borrower, shift.second.borrower_id).dispute_open
    assert dialogs.shown == []


def test_the_lead_sees_the_borrowers_evidence_and_saves_a_copy(
    qtbot: QtBot,
    lead_window: MainWindow,
    shift: Shift,
    db: Database,
    dialogs: RecordingDialogs,
    tmp_path: Path,
) -> None:
    with db.reader() as session:
        case = session.scalars(select(DisputeCase.id)).one()
    attach_to_dispute(db, COLLECTOR, case, PDF, "转账回单.pdf", "receipt", now=shift.now)
    cases = _open_tab(qtbot, lead_window)
    evidence = cases.evidence  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: evidence.count() == 1, timeout=10_000)
    assert evidence.lines()[0].startswith("Payment receipt · 转账回单.pdf · ")
    assert cases.evidence_status.text() == "Files attached: 1"  # type: ignore[attr-defined]
    assert not cases.save_evidence_button.isEnabled()  # type: ignore[attr-defined]
    evidence.setCurrentRow(0)
    out = tmp_path / "回单副本.pdf"
    dialogs.files.append(out)
    cases.save_evidence_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: out.exists(), timeout=10_000)
    assert out.read_bytes() == PDF and dialogs.errors() == []
    qtbot.waitUntil(lambda: "Saved to" in cases.message.text(), timeout=10_000)  # type: ignore[attr-defined]


def test_the_lead_answers_a_regulator_referral_by_its_deadline(
    qtbot: QtBot, lead_window: MainWindow, db: Database
) -> None:
    cases = _open_tab(qtbot, lead_window)
    cases.pages.setCurrentIndex(1)  # type: ignore[attr-defined]
    fields = cases.complaint_fields  # type: ignore[attr-defined]
    # Received Friday 27 November: the regulator's fifteen days, to 12 December.
    assert fields["due"].text() == "12 Dec 2026 (10 working days left), the regulator's"
    assert "about zhang.wei" in fields["what"].text()
    counts = cases.counts.text()  # type: ignore[attr-defined]
    assert "zhang.wei: 1" in counts and "Too many contacts: 1" in counts
    cases.reply_button.click()  # type: ignore[attr-defined]
    assert list(cases.complaint_marks.marked()) == ["reply"]  # type: ignore[attr-defined]
    cases.reply.setPlainText("已回电说明，并将联系频率降至每周一次")  # type: ignore[attr-defined]
    with qtbot.waitSignal(cases.changed, timeout=10_000):  # type: ignore[attr-defined]
        cases.reply_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: cases.complaint_model.rowCount() == 0, timeout=10_000)  # type: ignore[attr-defined]
    with db.reader() as session:
        assert (
            session.scalars(select(Complaint.reply)).one() == "已回电说明，并将联系频率降至每周一次"
        )


def test_the_lead_logs_a_regulators_referral_from_the_tab(
    qtbot: QtBot, lead_window: MainWindow, shift: Shift, db: Database
) -> None:
    cases = _open_tab(qtbot, lead_window)
    dialog = cases.open_complaint_dialog()  # type: ignore[attr-defined]
    dialog.contract.setText(shift.second.contract_no)
    dialog.channel.setCurrentIndex(dialog.channel.findData("regulator_12378"))
    dialog.category.setCurrentIndex(dialog.category.findData("collector_conduct"))
    dialog.collector.setText(COLLECTOR)
    dialog.reference.setText("NFRA-2026-1127-0007")
    # Nothing said: refused at the field, the dialog stays open and nothing is written.
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "summary" in dialog.marks.marked(), timeout=10_000)
    assert dialog.isVisible()
    dialog.summary.setPlainText("12378转办：称催收员言语威胁")
    with qtbot.waitSignal(dialog.logged, timeout=10_000):
        dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: cases.complaint_model.rowCount() == 2, timeout=10_000)  # type: ignore[attr-defined]
    with db.reader() as session:
        logged = session.scalars(
            select(Complaint).where(Complaint.reference == "NFRA-2026-1127-0007")
        ).one()
    assert (logged.channel, logged.category, logged.loan_id) == (
        "regulator_12378",
        "collector_conduct",
        shift.second.loan_id,
    )
