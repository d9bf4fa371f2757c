"""The lead's legal desk on real widgets: a referral made from the team's accounts, the case's
steps recorded in order from the Legal tab (each refusal at its field), a withdrawal that puts
the account back in collection; the real worker and database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.database import Database
from app.models import Borrower, LegalStepKind
from app.services.legal.referral import legal_case, refer
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.accounts import TeamAccountsPanel
from app.ui.team.legal import Column, LegalPanel
from app.ui.team.window import Tab, TeamWindow
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Account, Portfolio
from tests.ui.conftest import BEIJING

LEAD = "lead.wang"
TODAY = NOW.astimezone(BEIJING).date()


@dataclass(frozen=True)
class Desk:
    context: Context
    runner: Runner
    dialogs: RecordingDialogs
    db: Database
    account: Account


@pytest.fixture
def desk(
    db: Database, portfolio: Portfolio, ui_settings: Settings, dialogs: RecordingDialogs
) -> Iterator[Desk]:
    runner = Runner()
    context = Context(
        db=db,
        username=LEAD,
        display_name=LEAD,
        runner=runner,
        dialogs=dialogs,
        settings=ui_settings,
        formats=Formats("en", BEIJING),
        clock=lambda: NOW,
    )
    account = portfolio.account(today=TODAY, dpd=200, name="陈静")
    yield Desk(context, runner, dialogs, db, account)
    runner.stop()


def _settle(qtbot: QtBot, desk: Desk) -> None:
    qtbot.waitUntil(lambda: desk.runner.pending == 0, timeout=20_000)


def _marked(desk: Desk) -> bool:
    with desk.db.reader() as session:
        return session.get_one(Borrower, desk.account.borrower_id).legal_referral


def _legal(qtbot: QtBot, desk: Desk) -> LegalPanel:
    panel = LegalPanel(desk.context)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.refresh()
    return panel


def test_a_lead_refers_the_selected_account_from_the_teams_accounts(
    qtbot: QtBot, desk: Desk
) -> None:
    panel = TeamAccountsPanel(desk.context)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    _settle(qtbot, desk)
    assert panel.legal_button.text() == "Refer to le&gal…"
    assert not panel.legal_button.isEnabled()  # nothing selected
    panel.select([desk.account.contract_no])
    assert panel.legal_button.isEnabled()
    desk.dialogs.texts.append(None)  # cancelled: nothing happens
    qtbot.mouseClick(panel.legal_button, Qt.MouseButton.LeftButton)
    assert not _marked(desk)
    desk.dialogs.texts.append("  ")
    qtbot.mouseClick(panel.legal_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, desk)
    assert panel.message.text().startswith("Say why the account goes to legal")
    assert not _marked(desk)
    desk.dialogs.texts.append("Silent for six months")
    with qtbot.waitSignal(panel.referred, timeout=10_000) as referred:
        qtbot.mouseClick(panel.legal_button, Qt.MouseButton.LeftButton)
    assert referred.args == [desk.account.contract_no]
    _settle(qtbot, desk)
    assert _marked(desk)
    assert "is referred to legal" in panel.message.text()
    case = legal_case(desk.db, LEAD, desk.account.contract_no)
    assert case is not None and case.reason == "Silent for six months"


def test_the_legal_tab_records_steps_in_order_and_shows_each_refusal_at_its_field(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk
) -> None:
    refer(desk.db, LEAD, desk.account.contract_no, "Silent for six months", now=NOW)
    panel = _legal(qtbot, desk)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, Column.STAGE).data() == "Referred"
    assert panel.summary.text() == "Referred accounts: 1; open cases: 1."
    assert panel.details.toPlainText().startswith(f"{desk.account.contract_no} · 陈静")
    # A judgment before the filing: the service's words, under the form.
    panel.choose_step(LegalStepKind.JUDGMENT)
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.message.text() != "", timeout=10_000)
    assert panel.message.text() == "Hearings and a judgment come only after the case is filed."
    # The firm without its lawyer: marked at the lawyer's field.
    panel.choose_step(LegalStepKind.LAWYER)
    panel.firm.setText("金杜律师事务所")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    lawyer_mark = panel.marks.note("lawyer")
    qtbot.waitUntil(lambda: lawyer_mark.isVisibleTo(panel), timeout=10_000)
    assert lawyer_mark.text() == "Name the firm and the lawyer instructed."
    panel.lawyer.setText("李律师")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == f"Recorded on {desk.account.contract_no}: Firm and lawyer."
    assert panel.firm.text() == "" and not lawyer_mark.isVisibleTo(panel)
    _settle(qtbot, desk)
    assert panel.model.index(0, Column.STAGE).data() == "Lawyer instructed"
    assert "Firm and lawyer: 金杜律师事务所 · 李律师" in panel.details.toPlainText()
    # Money is never negative: at the amount's field.
    panel.choose_step(LegalStepKind.COST)
    panel.amount.setText("-800")
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    amount_mark = panel.marks.note("amount")
    qtbot.waitUntil(lambda: amount_mark.isVisibleTo(panel), timeout=10_000)
    assert amount_mark.text() == "An amount in a legal case is never negative."
    panel.amount.setText("800")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, desk)
    assert "Costs ¥800.00; recovered ¥0.00" in panel.details.toPlainText()


def test_a_withdrawal_from_the_legal_tab_returns_the_account_to_collection(
    qtbot: QtBot, desk: Desk
) -> None:
    refer(desk.db, LEAD, desk.account.contract_no, "Silent for six months", now=NOW)
    panel = _legal(qtbot, desk)
    assert panel.withdraw_button.isEnabled()
    desk.dialogs.texts.append("The borrower paid in full")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        qtbot.mouseClick(panel.withdraw_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, desk)
    assert not _marked(desk)
    assert panel.model.index(0, Column.STAGE).data() == "Withdrawn"
    assert not panel.record_button.isEnabled() and not panel.withdraw_button.isEnabled()
    assert "Withdrawn: The borrower paid in full" in panel.details.toPlainText()


def test_the_desk_opens_on_the_legal_tab_with_its_shortcut(qtbot: QtBot, desk: Desk) -> None:
    refer(desk.db, LEAD, desk.account.contract_no, "Silent for six months", now=NOW)
    window = TeamWindow(desk.context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    action = window.tab_actions[Tab.LEGAL]
    assert action.shortcut() == QKeySequence("Ctrl+Shift+J")
    with qtbot.waitSignal(window.legal.loaded, timeout=10_000):
        action.trigger()
    assert window.tabs.currentIndex() == Tab.LEGAL
    assert window.tabs.tabText(Tab.LEGAL) == "&Legal"
    assert window.legal.model.rowCount() == 1
    _settle(qtbot, desk)
