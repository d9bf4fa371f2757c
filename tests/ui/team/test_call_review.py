"""The call review panel and the collector's feedback dialog, on real widgets, the real worker
and a real database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import CallReview
from app.services.team.reviews import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    ReviewFilter,
    criteria_for,
    review_score,
    save_review,
)
from app.ui.collector.feedback import FeedbackDialog, feedback_menu_text
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.call_review import NO_DATE, CallReviewPanel
from app.ui.team.contact_table import ContactColumn
from tests.helpers.contacts import NOW
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Portfolio
from tests.helpers.reviews import (
    ADMIN,
    BEIJING,
    COLLEAGUE,
    COLLECTOR,
    LEAD,
    OTHER_TEAM,
    Floor,
    all_met,
    build_floor,
)


@dataclass(frozen=True)
class Desk:
    floor: Floor
    runner: Runner
    dialogs: RecordingDialogs
    settings: Settings

    def context(self, username: str) -> Context:
        return Context(
            db=self.floor.db,
            username=username,
            display_name=username,
            runner=self.runner,
            dialogs=self.dialogs,
            settings=self.settings,
            formats=Formats("en", BEIJING),
            clock=lambda: NOW,
        )


@pytest.fixture
def desk(
    db: Database, portfolio: Portfolio, ui_settings: Settings, dialogs: RecordingDialogs
) -> Iterator[Desk]:
    runner = Runner()
    yield Desk(build_floor(db, portfolio), runner, dialogs, ui_settings)
    runner.stop()


def settle(qtbot: QtBot, desk: Desk) -> None:
    """Until every call the widgets made has answered."""
    qtbot.waitUntil(lambda: desk.runner.pending == 0, timeout=20_000)


@pytest.fixture
def panel(qtbot: QtBot, desk: Desk) -> CallReviewPanel:
    """The panel as lead.wang, on the 28th at 11:00 in Beijing."""
    widget = CallReviewPanel(desk.context(LEAD))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    settle(qtbot, desk)
    # The list waits to be asked for (the team window asks when the tab is first shown).
    assert widget.model.rowCount() == 0
    widget.refresh()
    settle(qtbot, desk)
    return widget


def listed(desk: Desk, panel: CallReviewPanel) -> list[str]:
    """The contacts the table shows, by their names in the floor, top to bottom."""
    by_id = {attempt_id: name for name, attempt_id in desk.floor.contacts.items()}
    return [
        by_id[
            panel.model.row_at(panel.proxy.mapToSource(panel.proxy.index(row, 0)).row()).attempt_id
        ]
        for row in range(panel.proxy.rowCount())
    ]


def select_contact(qtbot: QtBot, desk: Desk, panel: CallReviewPanel, name: str) -> None:
    """Move to the contact with the keyboard, as a lead would."""
    panel.table.setFocus()
    target = listed(desk, panel).index(name)
    qtbot.keyClick(panel.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(target):
        qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    settle(qtbot, desk)
    assert panel.pane.detail is not None
    assert panel.pane.detail.contact.attempt_id == desk.floor.contacts[name]


def test_the_list_shows_the_team_s_last_two_days_newest_first(
    desk: Desk, panel: CallReviewPanel
) -> None:
    assert listed(desk, panel) == ["ptp", "harm", "angry", "lead_own", "na_yesterday"]
    assert panel.count.text() == "5 contacts"
    assert [panel.collector.itemData(i) for i in range(panel.collector.count())] == [
        None,
        "lead.liu",
        "lead.wang",
        "li.na",
        "zhang.wei",
    ]


def test_each_filter_of_the_bar_narrows_the_list(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    qtbot.mouseClick(panel.incomplete, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert listed(desk, panel) == ["angry"]
    qtbot.mouseClick(panel.incomplete, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.escalated, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert listed(desk, panel) == ["harm"]
    qtbot.mouseClick(panel.escalated, Qt.MouseButton.LeftButton)
    panel.collector.setCurrentIndex(panel.collector.findData(COLLECTOR))
    settle(qtbot, desk)
    assert listed(desk, panel) == ["ptp", "na_yesterday"]
    panel.outcomes.actions_["NA"].trigger()
    settle(qtbot, desk)
    assert listed(desk, panel) == ["na_yesterday"]
    assert panel.outcomes.text() == "1 outcomes"
    panel.outcomes.set_chosen(())
    panel.collector.setCurrentIndex(0)
    panel.emotions.actions_["angry"].trigger()
    panel.emotions.actions_["self_harm_risk"].trigger()
    settle(qtbot, desk)
    assert listed(desk, panel) == ["harm", "angry"]
    panel.emotions.set_chosen(())
    panel.start.setDate(QDate(2026, 11, 28))
    settle(qtbot, desk)
    assert listed(desk, panel) == ["ptp", "harm", "angry", "lead_own"]
    qtbot.mouseClick(panel.refresh_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert len(listed(desk, panel)) == 4


def test_a_lead_reviews_a_call_with_the_keyboard_and_sees_the_score_live(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    select_contact(qtbot, desk, panel, "ptp")
    pane = panel.pane
    path = [pane.path.item(row).text() for row in range(pane.path.count())]
    assert path[1] == "2. Verify identity → Matches"
    assert path[-1] == "9. Recap the promise"
    ticks = [pane.checklist.item(row).checkState() for row in range(pane.checklist.count())]
    assert ticks and all(state == Qt.CheckState.Checked for state in ticks)
    assert "¥500.00" in pane.promise.text()
    assert "Forgot the date" in pane.notes.toPlainText()
    assert pane.escalations.text() == "No escalation."
    criteria = criteria_for("PTP", "calm")
    assert [row.criterion.id for row in pane.rows] == [item.id for item in criteria]
    assert pane.score.text() == f"Score: — ({len(criteria)} to answer)"

    qtbot.mouseClick(pane.all_met_button, Qt.MouseButton.LeftButton)
    assert pane.score.text() == "Score: 100%"
    pane.answer("no_threats", NOT_MET)
    pane.answer("options_offered", NOT_APPLICABLE)
    expected = review_score(
        {**all_met(desk.floor.contacts["ptp"], desk.floor.db), "no_threats": NOT_MET}
        | {"options_offered": NOT_APPLICABLE},
        criteria,
    )
    assert expected == 81
    assert pane.score.text() == "Score: 81%"
    pane.comment.setFocus()
    qtbot.keyClicks(pane.comment, "Said the court would come. Never again.")
    with qtbot.waitSignal(panel.review_saved, timeout=20_000) as saved:
        qtbot.keyClick(pane.comment, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    assert saved.args[0].review.score == 81
    with desk.floor.db.reader() as session:
        review = session.scalars(select(CallReview)).one()
        assert review.score == 81 and review.answers["no_threats"] == NOT_MET
        assert review.comment == "Said the court would come. Never again."
    row = panel.model.row_of(desk.floor.contacts["ptp"])
    assert row is not None
    assert panel.model.index(row, ContactColumn.SCORE).data() == "81%"
    assert pane.reviewed.text().startswith("Reviewed by lead.wang")
    assert not panel.message.text()


def test_saving_with_criteria_open_names_them_and_writes_nothing(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    select_contact(qtbot, desk, panel, "angry")
    pane = panel.pane
    assert [pane.checklist.item(row).checkState() for row in range(3)][2:] == [
        Qt.CheckState.Unchecked
    ]
    pane.answer("no_threats", MET)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert "still open" in panel.message.text()
    assert "Handled the borrower's emotion" in panel.message.text()
    with desk.floor.db.reader() as session:
        assert session.scalars(select(CallReview)).all() == []


def test_moving_away_from_unsaved_answers_asks_first(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    select_contact(qtbot, desk, panel, "ptp")
    panel.pane.answer("no_threats", MET)
    desk.dialogs.answers.append(False)
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    settle(qtbot, desk)
    assert [shown.title for shown in desk.dialogs.shown] == ["Unsaved review"]
    # Stayed: the same contact, selected and with its answer.
    assert panel.pane.detail is not None
    assert panel.pane.detail.contact.attempt_id == desk.floor.contacts["ptp"]
    assert panel.current_row() is not None
    assert panel.current_row().attempt_id == desk.floor.contacts["ptp"]  # type: ignore[union-attr]
    assert panel.pane.answers() == {"no_threats": MET}
    desk.dialogs.answers.append(True)
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    settle(qtbot, desk)
    assert panel.pane.detail.contact.attempt_id == desk.floor.contacts["harm"]
    assert panel.pane.answers() == {} and not panel.pane.dirty


def test_the_lead_s_own_contact_opens_read_only(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    select_contact(qtbot, desk, panel, "lead_own")
    assert not panel.pane.editable
    assert not panel.save_button.isVisible()
    assert all(not button.isEnabled() for row in panel.pane.rows for button in row.buttons.values())
    assert "cannot review" in panel.pane.reviewed.text()


def test_the_dashboard_opens_the_panel_on_a_filter_and_on_one_contact(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        panel.set_filter(ReviewFilter(collector=COLLEAGUE, emotions={"angry"}))
    assert listed(desk, panel) == ["angry"]
    assert panel.collector.currentData() == COLLEAGUE
    assert panel.start.date() == NO_DATE and panel.start.text() == "any day"
    assert panel.emotions.text() == "1 emotions"
    ptp = desk.floor.contacts["ptp"]
    with qtbot.waitSignal(panel.detail_shown, timeout=20_000):
        panel.open_attempt(ptp)
    assert panel.pane.detail is not None and panel.pane.detail.contact.attempt_id == ptp
    # Opened although the list does not hold it: nothing is selected there.
    assert not panel.table.currentIndex().isValid()


def test_an_administrator_picks_the_team(qtbot: QtBot, desk: Desk) -> None:
    widget = CallReviewPanel(desk.context(ADMIN))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.loaded, timeout=20_000):
        widget.refresh()
    settle(qtbot, desk)
    assert widget.team_box.isVisible() and widget.team_box.count() == 2
    outer = widget.team_box.findData(OTHER_TEAM)
    widget.team_box.setCurrentIndex(outer)
    settle(qtbot, desk)
    assert listed(desk, widget) == ["other_team"]
    assert [widget.collector.itemData(i) for i in range(widget.collector.count())] == [
        None,
        "lead.chen",
        "zhao.lei",
    ]
    widget.team_box.setCurrentIndex(1 - outer)
    settle(qtbot, desk)
    assert listed(desk, widget) == ["ptp", "harm", "angry", "lead_own", "na_yesterday"]
    assert widget.collector.count() == 5
    assert desk.dialogs.errors() == []


def test_a_collector_cannot_open_the_panel(qtbot: QtBot, desk: Desk) -> None:
    widget = CallReviewPanel(desk.context(COLLECTOR))
    qtbot.addWidget(widget)
    widget.refresh()
    settle(qtbot, desk)
    assert widget.model.rowCount() == 0
    assert any("Only a team lead" in text for text in desk.dialogs.errors())


def test_the_collector_reads_the_feedback_and_it_is_marked_seen(qtbot: QtBot, desk: Desk) -> None:
    db = desk.floor.db
    ptp, na = desk.floor.contacts["ptp"], desk.floor.contacts["na_yesterday"]
    answers = {**all_met(ptp, db), "recap_done": NOT_MET}
    save_review(db, LEAD, ptp, answers, "Recap the date and channel.", now=NOW)
    save_review(db, LEAD, na, {"record_accurate": MET}, None, now=NOW)
    save_review(
        db, LEAD, desk.floor.contacts["angry"], all_met(desk.floor.contacts["angry"], db), None
    )
    dialog = FeedbackDialog(desk.context(COLLECTOR))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot, desk)
    assert dialog.model.rowCount() == 2
    assert dialog.count.text() == "2 reviews, 2 new"
    contracts = {dialog.model.row_at(row).contract_no for row in range(2)}
    assert contracts == {
        desk.floor.accounts["a1"].contract_no,
        desk.floor.accounts["a2"].contract_no,
    }
    row = next(r for r in range(2) if dialog.model.row_at(r).attempt_id == ptp)
    with qtbot.waitSignal(dialog.unseen_changed, timeout=20_000) as unseen:
        dialog.table.setCurrentIndex(dialog.model.index(row, 0))
    assert unseen.args == [1]
    settle(qtbot, desk)
    pane = dialog.pane
    assert pane.detail is not None and not pane.editable
    assert pane.comment.toPlainText() == "Recap the date and channel."
    assert pane.comment.isReadOnly()
    recap = next(r for r in pane.rows if r.criterion.id == "recap_done")
    assert recap.answer() == NOT_MET and not recap.buttons[NOT_MET].isEnabled()
    assert pane.score.text() == f"Score: {dialog.model.row_at(row).score}%"
    assert pane.reviewed.text().startswith("Reviewed by lead.wang")
    assert dialog.model.row_at(row).seen
    with db.reader() as session:
        review = session.scalars(select(CallReview).where(CallReview.attempt_id == ptp)).one()
        assert review.seen_at is not None
    assert feedback_menu_text(unseen.args[0]) == "&Feedback (1)"
    assert feedback_menu_text(0) == "&Feedback"
    dialog.only_new.setFocus()
    qtbot.keyClick(dialog.only_new, Qt.Key.Key_Space)
    settle(qtbot, desk)
    assert [dialog.model.row_at(r).attempt_id for r in range(dialog.model.rowCount())] == [na]


def test_the_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, desk: Desk, panel: CallReviewPanel
) -> None:
    db = desk.floor.db
    ptp = desk.floor.contacts["ptp"]
    save_review(db, LEAD, ptp, all_met(ptp, db), "Good.", now=NOW)
    dialog = FeedbackDialog(desk.context(COLLECTOR))
    qtbot.addWidget(dialog)
    settle(qtbot, desk)
    assert dialog.model.rowCount() == 1
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(panel.proxy)


def test_the_review_shows_the_complaints_about_the_collector_chosen(
    qtbot: QtBot, desk: Desk, panel: CallReviewPanel
) -> None:
    from app.services.cases.complaints import log_complaint

    account = desk.floor.accounts["a1"]
    for who, category in (
        (COLLECTOR, "collector_conduct"),
        (COLLECTOR, "contact_frequency"),
        (COLLEAGUE, "collector_conduct"),
    ):
        log_complaint(
            desk.floor.db, LEAD, account.contract_no, "call", category, "投诉",
            collector=who, now=NOW,
        )  # fmt: skip
    panel.refresh()
    settle(qtbot, desk)
    text = panel.complaints.text()
    assert "Complaints received" in text and ": 3 (3 open)" in text
    assert "Collector's conduct: 2" in text and "Too many contacts: 1" in text
    panel.collector.setCurrentIndex(panel.collector.findData(COLLECTOR))
    settle(qtbot, desk)
    assert panel.complaints.text().startswith("Complaints about this collector: 2.")
