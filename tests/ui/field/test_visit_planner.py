"""The field agent's visit planner and visit-outcome form, driven on real widgets and a real day."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import ContactPoint, FieldVisit, PromiseToPay, Role, VisitStatus
from app.services.field.visits import day_visits, mark_for_visit
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.field.visit_outcome import VisitOutcomeDialog
from app.ui.field.visit_planner import CandidateColumn, DayColumn, VisitPlanner
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import Account, Portfolio
from tests.ui.conftest import BEIJING, SHIFT_NOW, Launch, start_window, wait_idle

AGENT = "li.field"
PARTNER = "zhao.field"
TODAY = SHIFT_NOW.astimezone(BEIJING).date()


@dataclass(frozen=True)
class FieldDay:
    planner: VisitPlanner
    runner: Runner
    # The candidates in the route the service gives: 东城区 (three, by house number) first.
    route: tuple[str, ...]
    current: Account  # paying nearly on time: no visit


def field_accounts(portfolio: Portfolio) -> tuple[tuple[str, ...], Account]:
    """Four accounts of the field agent to visit, in two districts, and one not due a visit."""
    agent = portfolio.user(AGENT, Role.FIELD_AGENT)
    portfolio.user(PARTNER, Role.FIELD_AGENT)

    def account(name: str, district: str, street: str, dpd: int = 45) -> Account:
        return portfolio.account(
            today=TODAY,
            dpd=dpd,
            assigned_to=agent,
            name=name,
            district=district,
            street=street,
            principal="24000",
        )

    far = account("陈静", "朝阳区", "建国路1号")
    tenth = account("王芳", "东城区", "东四北大街10号")
    second = account("李娜", "东城区", "东四北大街2号")
    ninth = account("赵磊", "东城区", "东四北大街9号")
    current = account("周杰", "东城区", "东四北大街5号", dpd=5)
    return tuple(a.contract_no for a in (second, ninth, tenth, far)), current


@pytest.fixture
def field_day(
    qtbot: QtBot,
    db: Database,
    portfolio: Portfolio,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> Iterator[FieldDay]:
    """The planner on its own, as the field agent, on the real worker and database."""
    route, current = field_accounts(portfolio)
    runner = Runner()
    context = Context(
        db=db,
        username=AGENT,
        display_name=AGENT,
        runner=runner,
        dialogs=dialogs,
        settings=ui_settings,
        formats=Formats("en", BEIJING),
        clock=lambda: SHIFT_NOW,
    )
    planner = VisitPlanner(context)
    qtbot.addWidget(planner)
    planner.show()
    qtbot.waitExposed(planner)
    day = FieldDay(planner, runner, route, current)
    settle(qtbot, day)
    yield day
    runner.stop()


def settle(qtbot: QtBot, day: FieldDay) -> None:
    """Until every call the planner made has answered."""
    qtbot.waitUntil(lambda: day.runner.pending == 0, timeout=20_000)


def show_today(qtbot: QtBot, day: FieldDay) -> None:
    day.planner.day.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    settle(qtbot, day)


def tick_all(planner: VisitPlanner) -> None:
    for row in range(planner.candidates.rowCount()):
        index = planner.candidates.index(row, CandidateColumn.SEQ)
        planner.candidates.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)


def plan_today(qtbot: QtBot, day: FieldDay, partner: str | None = PARTNER) -> None:
    """Every candidate, in route order, from 09:00 today."""
    planner = day.planner
    show_today(qtbot, day)
    tick_all(planner)
    planner.choose_second_agent(partner)
    planner.start.setTime(QTime(9, 0))
    qtbot.mouseClick(planner.plan_button, Qt.MouseButton.LeftButton)
    settle(qtbot, day)


def open_outcome(qtbot: QtBot, day: FieldDay, row: int = 0) -> VisitOutcomeDialog:
    planner = day.planner
    planner.day_table.setCurrentIndex(planner.day_model.index(row, 0))
    qtbot.mouseClick(planner.outcome_button, Qt.MouseButton.LeftButton)
    dialog = planner.outcome_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def stored(db: Database) -> list[tuple[str, VisitStatus, str | None]]:
    return [
        (visit.contract_no, visit.status, visit.outcome) for visit in day_visits(db, AGENT, TODAY)
    ]


# -- planning ------------------------------------------------------------------------------


def test_a_field_agent_starts_with_the_planner_open_beside_a_usable_window(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    portfolio: Portfolio,
    ui_settings: Settings,
    dialogs: RecordingDialogs,
) -> None:
    field_accounts(portfolio)
    startup, window = start_window(
        qtbot, db, tmp_path, ui_settings, dialogs, SHIFT_NOW, username=AGENT
    )
    try:
        qtbot.waitUntil(lambda: window.visit_planner is not None, timeout=10_000)
        wait_idle(qtbot, window)
        planner = window.visit_planner
        assert planner is not None
        assert planner.isVisible() and planner.isWindow() and not planner.isModal()
        assert window.isVisible() and window.isEnabled()
        assert planner.selected_day() == TODAY + timedelta(days=1)
        assert planner.candidates.rowCount() == 4
    finally:
        window.leave()
        startup.stop()


def test_a_collector_has_no_planner_until_they_ask_for_it(qtbot: QtBot, launch: Launch) -> None:
    _, window = launch()
    assert window.visit_planner is None
    window.visits_action.trigger()
    wait_idle(qtbot, window)
    assert window.visit_planner is not None and window.visit_planner.isVisible()


def test_the_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, field_day: FieldDay
) -> None:
    plan_today(qtbot, field_day)
    qtmodeltester.check(field_day.planner.candidates)
    qtmodeltester.check(field_day.planner.day_model)


def test_candidates_are_listed_in_route_order_with_why_each_needs_a_visit(
    field_day: FieldDay,
) -> None:
    planner = field_day.planner
    model = planner.candidates
    assert model.order() == field_day.route
    assert field_day.current.contract_no not in model.order()
    districts = [
        model.index(row, CandidateColumn.DISTRICT).data() for row in range(model.rowCount())
    ]
    assert districts == ["北京市东城区"] * 3 + ["北京市朝阳区"]
    assert model.index(0, CandidateColumn.WHY).data() == "Overdue, never reached"
    assert model.index(0, CandidateColumn.DPD).data() == "45"
    assert model.index(0, CandidateColumn.BORROWER).data() == "李娜"


def test_nothing_is_ticked_until_the_agent_chooses_and_ticking_numbers_the_stops(
    field_day: FieldDay,
) -> None:
    planner = field_day.planner
    model = planner.candidates
    assert model.route() == ()
    assert not planner.plan_button.isEnabled()
    assert planner.candidates_label.text() == "0 of 4 accounts chosen (at most 12 a day)."
    model.setData(model.index(2, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    model.setData(model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert [model.index(row, CandidateColumn.SEQ).data() for row in range(4)] == ["1", "", "2", ""]
    assert model.route() == (field_day.route[0], field_day.route[2])
    assert planner.plan_button.isEnabled()
    assert planner.candidates_label.text() == "2 of 4 accounts chosen (at most 12 a day)."


def test_an_account_a_team_lead_marked_is_a_candidate_with_the_leads_reason(
    qtbot: QtBot, db: Database, field_day: FieldDay
) -> None:
    mark_for_visit(db, "lead.wang", field_day.current.contract_no, "电话长期无人接听，请核实住址")
    field_day.planner.reload()
    settle(qtbot, field_day)
    model = field_day.planner.candidates
    row = model.row_of(field_day.current.contract_no)
    assert row is not None
    assert model.index(row, CandidateColumn.WHY).data() == (
        "Marked by the team lead: 电话长期无人接听，请核实住址"
    )


def test_the_profiles_home_visit_rules_are_shown_above_the_list(field_day: FieldDay) -> None:
    text = field_day.planner.rules_label.text()
    assert "• At least two agents on every visit" in text
    assert "• Visits only between 08:00 and 20:00 local time" in text
    assert "This visit is being recorded for your protection and ours." in text
    assert "Enter only with the occupant's consent; leave when asked" in text


def test_moving_a_stop_and_leaving_one_out_changes_the_planned_order(
    qtbot: QtBot, db: Database, field_day: FieldDay
) -> None:
    planner = field_day.planner
    table = planner.candidate_table
    route = field_day.route
    show_today(qtbot, field_day)
    tick_all(planner)
    # The last stop (the other district) to the front, from the keyboard.
    table.setFocus()
    table.setCurrentIndex(planner.candidates.index(3, CandidateColumn.ADDRESS))
    for _ in range(3):
        qtbot.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert planner.candidates.order() == (route[3], route[0], route[1], route[2])
    # The button moves the current stop down again by one; Space leaves the next one out.
    qtbot.mouseClick(planner.down_button, Qt.MouseButton.LeftButton)
    assert planner.candidates.order() == (route[0], route[3], route[1], route[2])
    table.setCurrentIndex(planner.candidates.index(2, CandidateColumn.BORROWER))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert planner.candidates.route() == (route[0], route[3], route[2])
    assert planner.candidates.index(2, CandidateColumn.SEQ).data() == ""
    planner.choose_second_agent(PARTNER)
    qtbot.keyClick(planner, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, field_day)
    assert [contract for contract, _, _ in stored(db)] == [route[0], route[3], route[2]]


def test_planning_without_a_second_agent_shows_the_two_agent_rule_and_stores_nothing(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day, partner=None)
    message = field_day.planner.message.text()
    assert "Home visits need at least 2 agents" in message
    assert "choose the second agent" in message
    assert day_visits(db, AGENT, TODAY) == ()
    assert field_day.planner.day_model.rowCount() == 0
    assert dialogs.errors() == []


def test_planning_with_a_second_agent_stores_the_visits_with_arrival_times(
    qtbot: QtBot, db: Database, field_day: FieldDay
) -> None:
    plan_today(qtbot, field_day)
    planner = field_day.planner
    visits = day_visits(db, AGENT, TODAY)
    assert [visit.contract_no for visit in visits] == list(field_day.route)
    assert {visit.second_agent for visit in visits} == {PARTNER}
    # 40 minutes a stop; 15 to the next door in the district, 40 to another district.
    arrivals = [
        f"{visit.planned_at.astimezone(BEIJING):%H:%M}" if visit.planned_at else ""
        for visit in visits
    ]
    assert arrivals == ["09:00", "09:55", "10:50", "12:10"]
    model = planner.day_model
    assert [model.index(row, DayColumn.ARRIVAL).data() for row in range(4)] == arrivals
    assert model.index(0, DayColumn.OUTCOME).data() == "Planned"
    assert "Planned 4 visits" in planner.message.text()


def test_tomorrows_visits_take_no_outcome_before_the_day(qtbot: QtBot, field_day: FieldDay) -> None:
    planner = field_day.planner
    assert planner.selected_day() == TODAY + timedelta(days=1)
    planner.candidates.set_included(0, True)
    planner.choose_second_agent(PARTNER)
    planner.plan()
    settle(qtbot, field_day)
    assert planner.day_model.rowCount() == 1
    planner.day_table.setCurrentIndex(planner.day_model.index(0, 0))
    assert not planner.outcome_button.isEnabled()
    planner.record_outcome()
    assert planner.outcome_dialog is None


def test_a_planned_day_reopens_with_its_order_partner_and_start(
    qtbot: QtBot, field_day: FieldDay
) -> None:
    planner = field_day.planner
    show_today(qtbot, field_day)
    tick_all(planner)
    planner.candidates.move(3, -1)
    planner.candidates.set_included(0, False)
    planner.choose_second_agent(PARTNER)
    planner.start.setTime(QTime(8, 30))
    planner.plan()
    settle(qtbot, field_day)
    chosen = planner.candidates.route()
    planner.day.setDate(planner.day.date().addDays(1))
    settle(qtbot, field_day)
    planner.choose_second_agent(None)
    planner.day.setDate(QDate(TODAY.year, TODAY.month, TODAY.day))
    settle(qtbot, field_day)
    assert planner.candidates.route() == chosen
    assert planner.second_agent_username() == PARTNER
    assert planner.start_time().isoformat() == "08:30:00"


def test_printing_writes_the_visit_sheets_where_the_dialog_answered(
    qtbot: QtBot, tmp_path: Path, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    planner = field_day.planner
    assert not planner.print_button.isEnabled()  # nothing planned yet
    plan_today(qtbot, field_day)
    target = tmp_path / "sheets" / "tomorrow.pdf"
    target.parent.mkdir()
    dialogs.files.append(target)
    with qtbot.waitSignal(planner.printed, timeout=20_000):
        qtbot.mouseClick(planner.print_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert target.read_bytes().startswith(b"%PDF")
    assert dialogs.opened == [target]
    assert [shown.kind for shown in dialogs.shown] == ["save_file"]


def test_cancelling_the_save_dialog_prints_nothing(
    qtbot: QtBot, tmp_path: Path, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    qtbot.mouseClick(field_day.planner.print_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert dialogs.opened == []
    assert list(tmp_path.glob("*.pdf")) == []


# -- outcomes --------------------------------------------------------------------------------


def test_an_incomplete_checklist_blocks_saving_the_outcome(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    dialog.choose("MET")
    dialog.choose_emotion("calm")
    # Everything but the home-visit consent item.
    dialog.tick_all()
    consent = next(
        dialog.checklist.item(row)
        for row in range(dialog.checklist.count())
        if dialog.checklist.item(row).data(Qt.ItemDataRole.UserRole) == "visit.consent"
    )
    consent.setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert dialog.marks.marked() == {
        "checklist": "The home-visit checklist is not complete. Still to confirm:"
        " Entered only with consent, or stayed at the door."
    }
    assert dialogs.errors() == []
    assert dialog.isVisible()
    assert stored(db)[0] == (field_day.route[0], VisitStatus.PLANNED, None)


def test_every_problem_with_a_visit_outcome_shows_at_once_and_the_first_is_focused(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    # Nothing chosen: the outcome is what is missing, and the focus goes there.
    dialog.save()
    assert dialog.marks.marked() == {"outcome": "Choose the outcome of the visit."}
    qtbot.waitUntil(lambda: dialog.outcomes.buttons()[0].hasFocus())
    # A promise with no emotion, nothing ticked and an amount that is no number: all at once.
    dialog.choose("PTP")
    dialog.amount.setText("1,5x")
    dialog.notes.setFocus()
    dialog.save()
    marked = dialog.marks.marked()
    assert set(marked) == {"emotion", "checklist", "promise_amount"}, marked
    assert marked["promise_amount"] == "The promised amount “1,5x” is not a number."
    qtbot.waitUntil(dialog.emotion.hasFocus)
    assert dialogs.errors() == [] and dialog.isVisible()
    assert stored(db)[0][1] is VisitStatus.PLANNED


def test_a_met_borrower_needs_an_emotion_before_saving(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    dialog.choose("REF")
    dialog.tick_all()
    dialog.save()
    settle(qtbot, field_day)
    assert dialog.marks.marked() == {
        "emotion": "Choose the emotion you observed: the borrower was met."
    }
    assert dialogs.errors() == []
    assert stored(db)[0][1] is VisitStatus.PLANNED
    # Chosen: the mark goes as soon as the emotion is recorded.
    dialog.choose_emotion("angry")
    assert "emotion" not in dialog.marks.marked()


def test_a_complete_checklist_saves_and_the_row_shows_the_outcome(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    planner = field_day.planner
    dialog = open_outcome(qtbot, field_day, row=1)
    dialog.choose("MET")
    dialog.choose_emotion("anxious")
    dialog.tick_all()
    dialog.consent.setCurrentIndex(dialog.consent.findData(True))
    dialog.notes.setPlainText("借款人称下周发工资后还款")
    with qtbot.waitSignal(planner.visit_recorded, timeout=20_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert dialogs.errors() == []
    assert not dialog.isVisible()
    assert planner.day_model.index(1, DayColumn.OUTCOME).data() == "Met the borrower"
    assert planner.day_model.index(0, DayColumn.OUTCOME).data() == "Planned"
    assert stored(db)[1] == (field_day.route[1], VisitStatus.DONE, "MET")
    with db.reader() as session:
        visit = session.scalars(select(FieldVisit).where(FieldVisit.disposition == "MET")).one()
        assert visit.consent_to_enter is True
        assert visit.emotion == "anxious"
        assert "visit.consent" in visit.checklist
        assert visit.notes == "借款人称下周发工资后还款"
        # The planned 09:55 arrival (already past at 10:00) is the time it was made.
        assert f"{visit.visited_at.astimezone(BEIJING):%H:%M}" == "09:55"
    # A recorded visit takes no second outcome.
    planner.day_table.setCurrentIndex(planner.day_model.index(1, 0))
    assert not planner.outcome_button.isEnabled()


def test_nobody_at_home_needs_no_emotion_or_checklist(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    dialog.choose("NH")
    assert dialog.checklist.count() == 0
    assert not dialog.emotion.isEnabled() and not dialog.amount.isEnabled()
    with qtbot.waitSignal(field_day.planner.visit_recorded, timeout=20_000):
        dialog.save()
    settle(qtbot, field_day)
    assert stored(db)[0] == (field_day.route[0], VisitStatus.DONE, "NH")
    assert field_day.planner.day_model.index(0, DayColumn.OUTCOME).data() == "Not at home"


def test_a_promise_outcome_needs_its_amount_and_date(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    dialog.choose("MET")
    assert not dialog.amount.isEnabled()
    dialog.choose("PTP")
    dialog.choose_emotion("calm")
    dialog.tick_all()
    assert dialog.amount.isEnabled() and dialog.promise_date.isEnabled()
    dialog.save()
    settle(qtbot, field_day)
    assert dialog.marks.marked() == {
        "promise_amount": "A promise to pay needs its amount and date."
    }
    assert dialogs.errors() == []
    assert stored(db)[0][1] is VisitStatus.PLANNED
    promised = TODAY + timedelta(days=3)
    dialog.amount.setText("1500.00")
    dialog.promise_date.setDate(QDate(promised.year, promised.month, promised.day))
    with qtbot.waitSignal(field_day.planner.visit_recorded, timeout=20_000) as signal:
        dialog.save()
    settle(qtbot, field_day)
    assert signal.args is not None and signal.args[1].promise_id is not None
    with db.reader() as session:
        promise = session.get_one(PromiseToPay, signal.args[1].promise_id)
        assert (str(promise.amount), promise.promised_date) == ("1500.00", promised)
    assert field_day.planner.day_model.index(0, DayColumn.OUTCOME).data() == "Promise to pay"


def test_a_promise_date_beyond_the_policy_or_past_is_refused_at_its_field_as_typed(
    qtbot: QtBot, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    """Neither date is quietly made another one: each stays, refused where it was typed."""
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    dialog.choose("PTP")
    dialog.choose_emotion("calm")
    dialog.tick_all()
    dialog.amount.setText("800")
    for day, words in (
        (TODAY + timedelta(days=60), "more than 14 days ahead"),
        (TODAY - timedelta(days=1), "is in the past"),
    ):
        dialog.promise_date.setDate(QDate(day.year, day.month, day.day))
        picked = dialog.promise_date.date()
        assert date(picked.year(), picked.month(), picked.day()) == day
        dialog.save()
        assert words in dialog.marks.marked()["promise_date"]
        assert dialog.isVisible() and not dialog.saving
    assert dialogs.errors() == []


def test_recording_an_outcome_needs_no_network(
    qtbot: QtBot, db: Database, field_day: FieldDay, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_today(qtbot, field_day)
    attempts: list[object] = []

    def no_network(*args: object, **kwargs: object) -> socket.socket:
        attempts.append(args)
        raise OSError("the network is unreachable")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    dialog = open_outcome(qtbot, field_day, row=3)
    dialog.choose("MOVED")
    dialog.notes.setPlainText("邻居称已搬走半年")
    with qtbot.waitSignal(field_day.planner.visit_recorded, timeout=20_000):
        dialog.save()
    settle(qtbot, field_day)
    assert stored(db)[3] == (field_day.route[3], VisitStatus.DONE, "MOVED")
    assert attempts == []


def test_nothing_acts_on_the_screen_while_another_day_is_loading(
    qtbot: QtBot, db: Database, field_day: FieldDay
) -> None:
    planner = field_day.planner
    show_today(qtbot, field_day)
    tick_all(planner)
    planner.choose_second_agent(PARTNER)
    assert planner.plan_button.isEnabled()
    later = TODAY + timedelta(days=3)
    planner.day.setDate(QDate(later.year, later.month, later.day))
    # The answer for the new day is on its way: today's ticks must not be planned onto it.
    assert not planner.plan_button.isEnabled()
    planner.plan()
    settle(qtbot, field_day)
    assert day_visits(db, AGENT, later) == ()


def test_an_outcome_on_its_way_cannot_be_cancelled_or_replaced(
    qtbot: QtBot, db: Database, field_day: FieldDay
) -> None:
    plan_today(qtbot, field_day)
    planner = field_day.planner
    dialog = open_outcome(qtbot, field_day, row=0)
    dialog.choose("NH")
    gate = threading.Event()
    field_day.runner.run(lambda: gate.wait(20), on_done=lambda _result: None)  # hold the worker
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert dialog.saving and not cancel.isEnabled()
    dialog.reject()
    dialog.close()
    assert dialog.isVisible()
    planner.record_outcome()  # another outcome while this one is on its way: refused
    assert planner.outcome_dialog is dialog
    with qtbot.waitSignal(planner.visit_recorded, timeout=20_000):
        gate.set()
    settle(qtbot, field_day)
    assert not dialog.isVisible()
    assert stored(db)[0] == (field_day.route[0], VisitStatus.DONE, "NH")


def test_moved_away_records_where_the_borrower_went_and_the_planner_goes_there_next(
    qtbot: QtBot, db: Database, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    plan_today(qtbot, field_day)
    dialog = open_outcome(qtbot, field_day)
    dialog.choose("NH")
    assert not dialog.new_city.isEnabled()
    dialog.choose("MOVED")
    assert all(part.isEnabled() for part in dialog.new_address_parts)
    # Chinese comes through the input method, as a whole word: QTest types Latin-1 only.
    dialog.new_province.insert("广东")
    dialog.new_city.insert("深圳市")
    dialog.new_street.insert("科技路\u202e8号")
    dialog.save()
    settle(qtbot, field_day)
    # A hidden character in the street: at the street, the dialog stays open, nothing stored.
    assert list(dialog.marks.marked()) == ["street"]
    assert "U+202E" in dialog.marks.marked()["street"]
    assert dialogs.errors() == []
    assert dialog.isVisible() and stored(db)[0][1] is VisitStatus.PLANNED
    dialog.new_street.clear()
    dialog.new_street.insert("科技路8号")
    with qtbot.waitSignal(field_day.planner.visit_recorded, timeout=20_000) as signal:
        dialog.save()
    settle(qtbot, field_day)
    assert signal.args is not None and signal.args[1].new_address_id is not None
    assert stored(db)[0] == (field_day.route[0], VisitStatus.DONE, "MOVED")
    with db.reader() as session:
        point = session.get_one(ContactPoint, signal.args[1].new_address_id)
        assert point.value == "广东省深圳市科技路8号"
    # Tomorrow's candidates go to the new address.
    tomorrow = TODAY + timedelta(days=1)
    field_day.planner.day.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    settle(qtbot, field_day)
    addresses = [
        field_day.planner.candidates.index(row, CandidateColumn.ADDRESS).data()
        for row in range(field_day.planner.candidates.rowCount())
    ]
    assert any("科技路8号" in str(address) for address in addresses)


def test_escape_closes_the_planner_and_asks_only_when_a_route_is_not_planned(
    qtbot: QtBot, field_day: FieldDay, dialogs: RecordingDialogs
) -> None:
    planner = field_day.planner
    with qtbot.waitActive(planner):
        planner.activateWindow()
    # Nothing chosen beyond what was loaded: Escape closes at once.
    qtbot.keyClick(planner.candidate_table, Qt.Key.Key_Escape)
    assert not planner.isVisible() and dialogs.shown == []

    with qtbot.waitActive(planner):
        planner.show()
        planner.activateWindow()
    tick_all(planner)
    assert planner.unsaved
    # Chosen but not planned: Escape asks; "no" keeps the window and the ticks.
    dialogs.answers.append(False)
    qtbot.keyClick(planner.candidate_table, Qt.Key.Key_Escape)
    assert [shown.kind for shown in dialogs.shown] == ["confirm"]
    assert "not planned yet" in dialogs.shown[0].text
    assert planner.isVisible() and planner.candidates.route()
    # Planned, nothing is left unsaved: Escape closes without a question.
    planner.choose_second_agent(PARTNER)
    qtbot.mouseClick(planner.plan_button, Qt.MouseButton.LeftButton)
    settle(qtbot, field_day)
    assert not planner.unsaved
    qtbot.keyClick(planner.day_table, Qt.Key.Key_Escape)
    assert not planner.isVisible() and len(dialogs.shown) == 1
