"""The team lead's dashboard on a small team whose day was logged through the real services."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PySide6.QtCore import QModelIndex, QPointF, QSettings, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.database import Database
from app.models import Role
from app.models import Team as TeamRow
from app.services.common.errors import NotAllowed
from app.services.contact.contacts import PromiseInput, record_contact
from app.services.plans.payments import record_payment
from app.services.team.export import report_tables
from app.services.team.kpis import Drill, KpiReport, drill_down, team_report
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text
from app.ui.common.i18n import Formats
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from app.ui.team.dashboard import DashboardPanel, preset_range
from app.ui.team.dashboard_tables import (
    TOTAL_ROLE,
    BucketColumn,
    ChecklistColumn,
    EscalationColumn,
    FigureSort,
    KpiColumn,
)
from app.ui.team.drill_dialog import DrillDialog
from tests.helpers.contacts import outcome
from tests.helpers.dialogs import RecordingDialogs
from tests.helpers.portfolio import ADMIN, Account, Portfolio
from tests.ui.conftest import BEIJING

# The offscreen platform says so whenever a window is shown; it is not about this panel.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

LEAD = "lead.wang"
ZHANG = "zhang.wei"
LI = "li.na"
# Friday 27 November 2026, 10:00 in Beijing: the lead looks at Thursday, the 26th.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=BEIJING)
YESTERDAY = date(2026, 11, 26)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


@dataclass(frozen=True)
class Team:
    portfolio: Portfolio
    promised: Account  # zhang.wei's promise, paid the same afternoon
    escalated: Account  # zhang.wei's caller at risk (urgent, not acknowledged)


def log(
    db: Database, account: Account, code: str, when: datetime, user: str = ZHANG, **extra: object
) -> None:
    entry = outcome(account, code, username=user, started_at=when, **extra)
    record_contact(db, entry, now=when + timedelta(minutes=5))


@pytest.fixture
def team(db: Database, portfolio: Portfolio) -> Team:
    """Thursday: zhang.wei makes three attempts (a promise, no answer, a caller at risk) and
    is stopped once by a cease request; li.na two (no answer, a promise). Wednesday: one
    attempt each, li.na's raising a vulnerability escalation. A payment comes in Thursday."""
    li = portfolio.user(LI, Role.COLLECTOR)

    def account(dpd: int, assigned: uuid.UUID | None = None, **flags: bool) -> Account:
        return portfolio.account(today=YESTERDAY, dpd=dpd, assigned_to=assigned, **flags)

    promised, silent, escalated = account(12), account(40), account(20)
    li_silent, li_promised, li_vulnerable = account(15, li), account(70, li), account(8, li)
    ceased = account(25, cease_requested=True)
    wednesday = YESTERDAY - timedelta(days=1)
    log(db, promised, "NA", at(wednesday, 15))
    log(db, li_vulnerable, "HU", at(wednesday, 16), user=LI, emotion="vulnerability")
    log(
        db,
        promised,
        "PTP",
        at(YESTERDAY, 10),
        promise=PromiseInput("500.00", YESTERDAY + timedelta(days=2)),
        duration_seconds=180,
        after_call_seconds=60,
    )
    log(db, silent, "NA", at(YESTERDAY, 10, 30))
    log(db, escalated, "HU", at(YESTERDAY, 11), emotion="self_harm_risk", duration_seconds=60)
    with pytest.raises(NotAllowed):
        log(db, ceased, "NA", at(YESTERDAY, 12))
    log(db, li_silent, "NA", at(YESTERDAY, 11), user=LI)
    log(
        db,
        li_promised,
        "PTP",
        at(YESTERDAY, 14),
        user=LI,
        promise=PromiseInput("300.00", YESTERDAY + timedelta(days=1)),
        duration_seconds=240,
    )
    record_payment(
        db, ADMIN, promised.contract_no, "500.00", at(YESTERDAY, 16), now=at(YESTERDAY, 16, 5)
    )
    return Team(portfolio, promised, escalated)


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


def make_context(db: Database, runner: Runner, tmp_path: Path, username: str) -> Context:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return Context(
        db=db,
        username=username,
        display_name=username,
        runner=runner,
        dialogs=RecordingDialogs(),
        settings=Settings(store),
        formats=Formats("en", BEIJING),
        clock=lambda: NOW,
    )


def open_panel(qtbot: QtBot, context: Context) -> DashboardPanel:
    panel = DashboardPanel(context)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    settle(qtbot, panel)
    return panel


def settle(qtbot: QtBot, panel: DashboardPanel) -> None:
    """Until every call the panel made has answered."""
    qtbot.waitUntil(lambda: panel.context.runner.pending == 0, timeout=20_000)


@pytest.fixture
def lead(db: Database, runner: Runner, tmp_path: Path, team: Team) -> Context:
    return make_context(db, runner, tmp_path, LEAD)


@pytest.fixture
def panel(qtbot: QtBot, lead: Context) -> DashboardPanel:
    return open_panel(qtbot, lead)


def dialogs(panel: DashboardPanel) -> RecordingDialogs:
    recorder = panel.context.dialogs
    assert isinstance(recorder, RecordingDialogs)
    return recorder


def expected(db: Database, start: date, end: date) -> KpiReport:
    return team_report(db, LEAD, start, end, now=NOW)


def cell(table: QTableView, row: int, column: int) -> str:
    return str(table.model().index(row, column).data())


def row_of(panel: DashboardPanel, name: str) -> int:
    """The view row showing collector `name` (or "Team total")."""
    for row in range(panel.kpi_table.model().rowCount()):
        if cell(panel.kpi_table, row, KpiColumn.COLLECTOR) == name:
            return row
    raise AssertionError(f"no row for {name}")


def user_id(report: KpiReport, username: str) -> uuid.UUID | None:
    return next(row.user_id for row in report.collectors if row.username == username)


def open_cell(
    qtbot: QtBot, panel: DashboardPanel, table: QTableView, row: int, column: int
) -> DrillDialog:
    """Enter on a cell: the drill dialog it opens, once its contacts are in."""
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, column))
    with qtbot.waitSignal(panel.drill_opened, timeout=5_000) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, DrillDialog)
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)
    return dialog


# -- the numbers -----------------------------------------------------------------------------


def test_a_lead_starts_with_yesterdays_numbers(panel: DashboardPanel, db: Database) -> None:
    assert panel.selected_range() == (YESTERDAY, YESTERDAY)
    assert panel.preset.currentText() == "Yesterday"
    assert panel.report is not None
    assert panel.team.currentText() == panel.report.team
    assert not panel.team.isEnabled()  # a lead's own team, not a choice
    assert panel.report == expected(db, YESTERDAY, YESTERDAY)


def test_each_collector_row_shows_the_figures_the_service_counts(
    panel: DashboardPanel, db: Database
) -> None:
    report = expected(db, YESTERDAY, YESTERDAY)
    zhang = next(row for row in report.collectors if row.username == ZHANG)
    assert (zhang.attempts, zhang.rpcs, zhang.ptps, zhang.handled) == (3, 2, 1, 2)
    row = row_of(panel, ZHANG)
    table = panel.kpi_table
    shown = {column: cell(table, row, column) for column in KpiColumn}
    assert shown[KpiColumn.ATTEMPTS] == "3"
    assert shown[KpiColumn.CONTACT_RATE] == "66.7%"  # 2 of 3
    assert shown[KpiColumn.RPC_RATE] == "66.7%"
    assert shown[KpiColumn.PTP_RATE] == "50.0%"  # 1 of 2 right-party contacts
    assert shown[KpiColumn.KEPT_RATE] == "—"  # no promise fell due on Thursday
    assert shown[KpiColumn.PROMISED] == panel.context.formats.money(zhang.promised_amount)
    assert shown[KpiColumn.COLLECTED] == panel.context.formats.money(zhang.collected_amount)
    assert zhang.collected_amount > 0
    assert shown[KpiColumn.HANDLE_TIME] == "2:30"  # (180 + 60 + 60) s over two contacts
    assert shown[KpiColumn.CHECKLIST] == "100.0%"
    assert shown[KpiColumn.ESCALATIONS] == "1"
    assert shown[KpiColumn.BLOCKS] == "1"
    tooltip = table.model().index(row, KpiColumn.PTP_RATE).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "1 of 2"


def test_the_team_total_is_the_last_row_in_bold_whichever_way_it_is_sorted(
    panel: DashboardPanel, db: Database
) -> None:
    report = expected(db, YESTERDAY, YESTERDAY)
    table = panel.kpi_table
    model = table.model()
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        table.sortByColumn(KpiColumn.ATTEMPTS, order)
        last = model.rowCount() - 1
        assert cell(table, last, KpiColumn.COLLECTOR) == "Team total"
        assert model.index(last, 0).data(TOTAL_ROLE) is True
        assert model.index(last, KpiColumn.ATTEMPTS).data(Qt.ItemDataRole.FontRole).bold()
        assert cell(table, last, KpiColumn.ATTEMPTS) == str(report.total.attempts) == "5"
        assert cell(table, last, KpiColumn.PTP_RATE) == "66.7%"  # 2 of 3
        names = [cell(table, row, KpiColumn.COLLECTOR) for row in range(last)]
        attempts = [int(cell(table, row, KpiColumn.ATTEMPTS)) for row in range(last)]
        descending = order == Qt.SortOrder.DescendingOrder
        assert attempts == sorted(attempts, reverse=descending)
        assert set(names) == {ZHANG, LI}


def test_the_breakdowns_are_the_teams_until_a_collector_is_selected(
    qtbot: QtBot, panel: DashboardPanel, db: Database
) -> None:
    report = expected(db, YESTERDAY, YESTERDAY)
    team_buckets = [row for row in report.buckets if row.user_id is None]
    assert panel.buckets.rows == tuple(team_buckets)
    assert [cell(panel.bucket_table, r, BucketColumn.BUCKET) for r in range(3)] == [
        "M1",
        "M2",
        "M3",
    ]
    assert panel.escalations.rowCount() == 1
    qtbot.mouseClick(
        panel.kpi_table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.kpi_table.visualRect(
            panel.kpi_table.model().index(row_of(panel, LI), KpiColumn.ATTEMPTS)
        ).center(),
    )
    li = user_id(report, LI)
    assert panel.selected_user() == li
    assert panel.buckets.rows == tuple(row for row in report.buckets if row.user_id == li)
    assert panel.escalations.rowCount() == 0  # li.na raised none on Thursday
    assert cell(panel.checklist_table, 0, ChecklistColumn.EMOTION) == "Calm"
    assert "li.na" in panel.whose_label.text()
    assert panel.roll_chart.cured.count() == panel.buckets.rowCount() == 2
    panel.select_collector(None)
    assert panel.escalations.rowCount() == 1
    assert cell(panel.escalation_table, 0, EscalationColumn.RAISED) == "1"


def test_every_model_passes_the_model_tester(
    qtmodeltester: ModelTester, panel: DashboardPanel
) -> None:
    for table in panel._tables():
        assert table.model().rowCount() > 0
        proxy = table.model()
        assert isinstance(proxy, FigureSort)
        qtmodeltester.check(proxy.sourceModel())
        qtmodeltester.check(proxy)


# -- escalations -----------------------------------------------------------------------------


def test_unacknowledged_escalations_show_oldest_first_with_the_urgent_one_marked_in_words(
    qtbot: QtBot, panel: DashboardPanel, team: Team
) -> None:
    items = [panel.unacknowledged.item(n) for n in range(panel.unacknowledged.count())]
    assert len(items) == 2
    # Wednesday's vulnerability first, then Thursday's self-harm risk.
    assert items[0].text().startswith("Vulnerability disclosed")
    assert items[1].text().startswith("URGENT — Self-harm or harm risk expressed")
    assert team.escalated.contract_no in items[1].text()
    assert not items[1].icon().isNull()
    assert "2 waiting for a decision (1 urgent)" in panel.unacknowledged_label.text()
    with qtbot.waitSignal(panel.open_escalations_requested, timeout=1_000):
        qtbot.mouseClick(panel.inbox_button, Qt.MouseButton.LeftButton)


# -- drilling down ---------------------------------------------------------------------------


def test_enter_on_a_cell_lists_as_many_contacts_as_the_figure_counts(
    qtbot: QtBot, qtmodeltester: ModelTester, panel: DashboardPanel, db: Database
) -> None:
    report = expected(db, YESTERDAY, YESTERDAY)
    zhang = report.collector(user_id(report, ZHANG))
    dialog = open_cell(qtbot, panel, panel.kpi_table, row_of(panel, ZHANG), KpiColumn.ATTEMPTS)
    assert dialog.drill == Drill("attempts", zhang.user_id)
    assert dialog.model.rowCount() == zhang.attempts == 3
    assert dialog.windowTitle() == "Attempts — zhang.wei, 26 Nov 2026"
    assert dialog.count_label.text() == "3 contacts"
    qtmodeltester.check(dialog.model)
    qtmodeltester.check(dialog.proxy)
    first = dialog.model.row_at(dialog.proxy.mapToSource(dialog.proxy.index(0, 0)).row())
    with qtbot.waitSignal(panel.review_requested, timeout=1_000) as asked:
        dialog.table.setCurrentIndex(dialog.proxy.index(0, 0))
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert asked.args == [first.attempt_id]
    dialog.close()


def test_a_rate_lists_its_numerator_and_offers_the_denominator_too(
    qtbot: QtBot, panel: DashboardPanel, db: Database
) -> None:
    table = panel.kpi_table
    row = row_of(panel, "Team total")
    index = table.model().index(row, KpiColumn.PTP_RATE)
    assert panel.drills_at(table, index) == (Drill("ptps"), Drill("rpcs"))
    menu = panel.drill_menu(table, index)
    assert menu is not None
    texts = [action.text() for action in menu.actions()]
    assert texts == ["List: Promises to pay made", "List: Right-party contacts"]
    with qtbot.waitSignal(panel.drill_opened, timeout=5_000) as opened:
        menu.actions()[1].trigger()
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)
    assert dialog.model.rowCount() == expected(db, YESTERDAY, YESTERDAY).total.rpcs == 3
    assert panel.drills_at(table, table.model().index(row, KpiColumn.COLLECTOR)) == ()
    assert panel.drill_menu(table, table.model().index(row, KpiColumn.COLLECTOR)) is None


def test_double_clicking_a_breakdown_cell_lists_its_contacts(
    qtbot: QtBot, panel: DashboardPanel, db: Database
) -> None:
    report = expected(db, YESTERDAY, YESTERDAY)
    table = panel.escalation_table
    panel.breakdowns.setCurrentWidget(table)
    index = table.model().index(0, EscalationColumn.RAISED)
    where = table.visualRect(index).center()
    # A double-click is a press, a release and a second press: the view opens what was pressed.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    with qtbot.waitSignal(panel.drill_opened, timeout=5_000) as opened:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)
    assert dialog.drill == Drill("escalations", None, "self_harm_risk")
    assert dialog.model.rowCount() == report.escalations[-1].raised == 1
    assert dialog.model.rows[0].escalated
    assert "Self-harm or harm risk expressed" in dialog.windowTitle()
    assert "team " in dialog.windowTitle()


def test_the_bucket_table_drills_into_the_accounts_of_its_bucket(
    qtbot: QtBot, panel: DashboardPanel, db: Database
) -> None:
    dialog = open_cell(qtbot, panel, panel.bucket_table, 0, BucketColumn.ACCOUNTS)
    assert dialog.drill == Drill("bucket_start", None, "M1")
    rows = drill_down(db, LEAD, YESTERDAY, YESTERDAY, Drill("bucket_start", None, "M1"))
    assert dialog.model.rows == rows
    assert rows


# -- the period ------------------------------------------------------------------------------


def test_presets_cover_the_days_a_lead_expects() -> None:
    today = date(2026, 11, 27)
    assert preset_range("yesterday", today) == (date(2026, 11, 26), date(2026, 11, 26))
    assert preset_range("last_7_days", today) == (date(2026, 11, 21), today)
    assert preset_range("this_month", today) == (date(2026, 11, 1), today)
    assert preset_range("last_30_days", today) == (date(2026, 10, 29), today)
    assert preset_range("custom", today) is None


def test_a_wider_range_is_counted_and_charted_day_by_day(
    qtbot: QtBot, panel: DashboardPanel, db: Database
) -> None:
    start = YESTERDAY - timedelta(days=6)
    with qtbot.waitSignal(panel.refreshed, timeout=20_000):
        panel.set_range(start, YESTERDAY)
    report = expected(db, start, YESTERDAY)
    assert panel.report == report
    assert panel.preset.currentText() == "Custom range"
    assert cell(panel.kpi_table, row_of(panel, ZHANG), KpiColumn.ATTEMPTS) == "4"
    chart = panel.trend_chart
    assert chart.rpcs.count() == chart.ptps.count() == chart.collected_set.count() == 7
    assert chart.day_axis.count() == 7
    assert [chart.rpcs.at(n).y() for n in range(7)] == [day.rpcs for day in report.trend]
    assert chart.collected_set.at(6) == float(report.trend[-1].collected) > 0
    # The roll chart: one stacked bar per bucket, cured + stayed + rolled = the accounts.
    roll = panel.roll_chart
    assert roll.series.count() == 3
    for n, movement in enumerate(panel.buckets.rows):
        total = roll.cured.at(n) + roll.stayed.at(n) + roll.rolled.at(n)
        assert total == movement.accounts


def test_a_point_of_the_trend_lists_that_days_contacts(
    qtbot: QtBot, panel: DashboardPanel, db: Database
) -> None:
    chart = panel.trend_chart
    with qtbot.waitSignal(panel.drill_opened, timeout=5_000) as opened:
        chart.rpcs.doubleClicked.emit(QPointF(0, 3))
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: not dialog.loading, timeout=20_000)
    assert dialog.drill == Drill("day_rpcs", None, YESTERDAY.isoformat())
    assert panel.report is not None
    assert dialog.model.rowCount() == panel.report.trend[0].rpcs == 3
    assert "Right-party contacts on 26 Nov 2026" in dialog.windowTitle()


def test_a_first_day_after_the_last_is_not_counted(qtbot: QtBot, panel: DashboardPanel) -> None:
    shown = panel.report
    panel.set_range(YESTERDAY, YESTERDAY - timedelta(days=3))
    assert not panel.busy
    assert panel.status.text() == "The first day is after the last day."
    assert panel.report is shown


def test_counting_runs_on_the_worker_while_the_panel_shows_it_is_busy(
    qtbot: QtBot, panel: DashboardPanel
) -> None:
    panel.kpi_table.setFocus()
    qtbot.keyClick(panel.kpi_table, Qt.Key.Key_F5)
    # The answer comes back through the event loop: until then the panel says it is counting.
    assert panel.busy
    assert panel.progress.isVisible()
    assert panel.status.text() == "Counting…"
    assert not panel.export_button.isEnabled()
    with qtbot.waitSignal(panel.refreshed, timeout=20_000):
        pass
    assert not panel.busy
    assert not panel.progress.isVisible()
    assert panel.status.text().endswith("counted at 10:00.")
    assert panel.export_button.isEnabled()


def test_a_span_the_service_refuses_is_reported_in_a_message_box(
    qtbot: QtBot, panel: DashboardPanel
) -> None:
    shown = panel.report
    panel.set_range(date(2025, 1, 1), YESTERDAY)
    settle(qtbot, panel)
    assert dialogs(panel).errors() == [
        "A report covers at most 366 days; 2025-01-01 to 2026-11-26 is 695 days."
    ]
    assert panel.status.text() == "The numbers could not be counted."
    assert panel.report is shown
    assert not panel.refused


# -- export --------------------------------------------------------------------------------


def collectors_read_back(path: Path, code: str, report: KpiReport) -> dict[str, object]:
    """Each collector's attempts (and the team's) as the written file holds them."""
    table = next(t for t in report_tables(report) if t.key == "collectors")
    if code == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        found = {row["username"]: row["attempts"] for row in data["collectors"]}
        return {**found, "total": data["total"]["attempts"]}
    if code == "csv":
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        start = rows.index(list(table.headers)) + 1
        body = rows[start : start + len(table.rows)]
    else:
        book = load_workbook(path)
        sheet = book[table.sheet]
        assert [cell.value for cell in sheet[1]] == list(table.headers)
        body = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    attempts, username = table.headers.index("Attempts"), table.headers.index("User name")
    return {row[username] or "total": row[attempts] for row in body}


@pytest.mark.parametrize("code", ["csv", "xlsx", "json"])
def test_export_writes_the_report_shown_in_the_format_chosen(
    qtbot: QtBot, panel: DashboardPanel, db: Database, tmp_path: Path, code: str
) -> None:
    # Typed without a suffix: the file gets the format's.
    dialogs(panel).files.append(tmp_path / "yesterday")
    panel.export_button.actions_by_format[code].trigger()
    settle(qtbot, panel)
    written = tmp_path / f"yesterday.{code}"
    assert written.is_file()
    saved = [item for item in dialogs(panel).shown if item.kind == "save_file"]
    assert panel.report is not None
    assert saved[0].text.endswith(f"kpis-{panel.report.team}-2026-11-26-2026-11-26.{code}")
    assert dialogs(panel).shown[-1].kind == "info"
    assert str(written) in dialogs(panel).shown[-1].text
    report = expected(db, YESTERDAY, YESTERDAY)
    as_text = code == "csv"
    assert collectors_read_back(written, code, report) == {
        ZHANG: "3" if as_text else 3,
        LI: "2" if as_text else 2,
        "total": "5" if as_text else 5,
    }


def test_a_cancelled_export_writes_nothing(
    qtbot: QtBot, panel: DashboardPanel, tmp_path: Path
) -> None:
    panel.export_button.actions_by_format["xlsx"].trigger()  # no answer: cancelled
    settle(qtbot, panel)
    assert [item.kind for item in dialogs(panel).shown] == ["save_file"]
    assert list(tmp_path.glob("*.xlsx")) == []


def test_a_drill_down_exports_its_contacts(
    qtbot: QtBot, panel: DashboardPanel, tmp_path: Path
) -> None:
    dialog = open_cell(
        qtbot, panel, panel.kpi_table, row_of(panel, "Team total"), KpiColumn.RPC_RATE
    )
    assert dialog.model.rowCount() == 3
    target = tmp_path / "rpcs.json"
    dialogs(panel).files.append(target)
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as done:
        dialog.export_button.actions_by_format["json"].trigger()
    assert done.args == [target]
    contacts = json.loads(target.read_text(encoding="utf-8"))["contacts"]
    assert [row["attempt_id"] for row in contacts] == [
        str(row.attempt_id) for row in dialog.model.rows
    ]
    assert dialogs(panel).shown[-1].kind == "info"


# -- roles -----------------------------------------------------------------------------------


def test_a_collector_is_told_why_and_shown_nothing_else(
    qtbot: QtBot, db: Database, runner: Runner, tmp_path: Path, team: Team
) -> None:
    panel = open_panel(qtbot, make_context(db, runner, tmp_path, ZHANG))
    refusal = error_text(NotAllowed("Only a team lead can open the team's views."))
    assert panel.refused
    assert panel.pages.currentWidget() is panel.refusal
    assert panel.refusal.text() == refusal
    assert not panel.kpi_table.isVisible()
    assert not panel.unacknowledged_box.isVisible()
    assert panel.report is None
    assert panel.kpis.rowCount() == 0
    panel.refresh()
    assert panel.context.runner.pending == 0
    assert dialogs(panel).shown == []


# -- unused index guard ----------------------------------------------------------------------


def test_an_administrator_chooses_the_team(
    qtbot: QtBot, db: Database, runner: Runner, tmp_path: Path, team: Team
) -> None:
    with db.session() as session:
        session.add(TeamRow(name="电催9组"))
    # The portfolio's administrator (admin.zhou), who has no team.
    panel = open_panel(qtbot, make_context(db, runner, tmp_path, ADMIN))
    names = [panel.team.itemText(n) for n in range(panel.team.count())]
    assert len(names) == 2 and "电催9组" in names
    assert panel.team.isEnabled()
    with qtbot.waitSignal(panel.refreshed, timeout=20_000):
        panel.select_team("电催9组")
    assert panel.report is not None and panel.report.team == "电催9组"
    assert panel.kpis.rowCount() == 1  # nobody in it: the total alone
    assert cell(panel.kpi_table, 0, KpiColumn.ATTEMPTS) == "0"
    assert cell(panel.kpi_table, 0, KpiColumn.CONTACT_RATE) == "—"
    assert panel.unacknowledged.count() == 0
    assert panel.unacknowledged_label.text() == "No escalation is waiting for a decision."


def test_an_invalid_index_has_no_drill(panel: DashboardPanel) -> None:
    assert panel.drills_at(panel.kpi_table, QModelIndex()) == ()


def test_the_dashboard_counts_the_days_complaints_per_collector_and_category(
    qtbot: QtBot, db: Database, team: Team, lead: Context
) -> None:
    from app.services.cases.complaints import log_complaint

    log_complaint(
        db, LEAD, team.promised.contract_no, "regulator_12378", "contact_frequency",
        "12378转办", collector=ZHANG, received_at=at(YESTERDAY, 15), now=NOW,
    )  # fmt: skip
    log_complaint(
        db, LEAD, team.promised.contract_no, "letter", "privacy", "信函投诉",
        received_at=at(YESTERDAY - timedelta(days=3), 9), now=NOW,
    )  # fmt: skip
    panel = open_panel(qtbot, lead)
    qtbot.waitUntil(lambda: "Complaints received" in panel.complaints.text(), timeout=10_000)
    text = panel.complaints.text()
    # Yesterday's only: the letter of four days ago is outside the span.
    assert ": 1 (1 open)" in text
    assert f"{ZHANG}: 1" in text and "Too many contacts: 1" in text
    assert "Personal information" not in text
