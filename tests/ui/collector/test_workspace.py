"""The borrower workspace driven as a collector would, with real accounts and real rule answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.database import Database
from app.models import (
    BORROWER_FLAGS,
    AccountNote,
    Borrower,
    ContactAttempt,
    ContactPoint,
    Escalation,
    EscalationDecision,
    Loan,
)
from app.services.common.money import cents, format_money
from app.services.contact.dialing import CallOption, call_options
from app.services.portfolio.accounts import AccountDetail, HistoryItem, account_detail
from app.ui.collector.timeline import TimelineFilter, TimelineModel
from app.ui.collector.workspace import CLOCK_INTERVAL_MS, Workspace
from app.ui.common.context import Context
from app.ui.common.i18n import Formats
from app.ui.common.labels import borrower_flag, zone_times
from app.ui.common.runner import Runner
from app.ui.common.settings import Settings
from tests.helpers.dialogs import RecordingDialogs, Shown
from tests.helpers.portfolio import Account, Portfolio

BEIJING = ZoneInfo("Asia/Shanghai")
# 10:00 in Beijing on a Monday: inside the CN calling hours.
NOW = datetime(2025, 3, 10, 10, 0, tzinfo=BEIJING).astimezone(UTC)
TODAY = date(2025, 3, 10)
USER = "zhang.wei"
# The offscreen platform says so whenever a window is shown; it is not about this panel.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NUMBERS = {"mobile": "13812345678", "home": "01065529988", "emergency": "13900001111"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def make_context(
    db: Database, runner: Runner, tmp_path: Path, clock: Clock, language: str = "en"
) -> Context:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return Context(
        db=db,
        username=USER,
        display_name="Zhang Wei",
        runner=runner,
        dialogs=RecordingDialogs(),
        settings=Settings(store),
        formats=Formats(language, BEIJING),
        clock=clock,
    )


@pytest.fixture
def context(db: Database, runner: Runner, tmp_path: Path, clock: Clock) -> Context:
    return make_context(db, runner, tmp_path, clock)


def make_workspace(qtbot: QtBot, context: Context) -> Workspace:
    """A shown workspace: clicks land only on widgets laid out on a screen."""
    workspace = Workspace(context)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    qtbot.waitExposed(workspace)
    return workspace


@pytest.fixture
def workspace(qtbot: QtBot, context: Context) -> Workspace:
    return make_workspace(qtbot, context)


def load(
    db: Database, account: Account, at: datetime = NOW
) -> tuple[AccountDetail, tuple[CallOption, ...]]:
    return account_detail(db, USER, account.contract_no, at), call_options(
        db, USER, account.contract_no, at
    )


def mark_do_not_call(db: Database, account: Account, point: str) -> None:
    with db.session() as session:
        session.get_one(ContactPoint, account.points[point]).do_not_call = True


def option_for(options: tuple[CallOption, ...], account: Account, point: str) -> CallOption:
    return next(o for o in options if o.contact_point_id == account.points[point])


@pytest.fixture
def account(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=15, numbers=NUMBERS)


# Empty state and header.


def test_empty_state_until_an_account_is_shown_and_after_clear(
    workspace: Workspace, db: Database, account: Account
) -> None:
    assert workspace.empty.isVisible()
    assert workspace.empty.text() == "Choose an account in the queue"
    assert not workspace.header.isVisible()

    workspace.show_account(*load(db, account))
    assert workspace.header.isVisible()
    assert not workspace.empty.isVisible()
    assert workspace.contract_no == account.contract_no

    workspace.clear()
    assert workspace.empty.isVisible()
    assert workspace.contract_no is None
    assert not workspace.notes.isEnabled()


def test_header_shows_name_masked_id_age_product_and_dpd(
    workspace: Workspace, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    with db.reader() as session:
        full_id = session.get_one(Borrower, account.borrower_id).id_number

    header = workspace.header
    assert header.name.text() == "王芳"
    identity = header.identity.text()
    assert full_id not in identity
    assert f"{full_id[:6]}********{full_id[-4:]}" in identity
    # Born 1990-05-17: still 34 on 2025-03-10.
    assert "age 34" in identity
    assert "Cash loan" in header.loan.text()
    assert account.contract_no in header.loan.text()
    assert header.arrears.text() == "DPD 15 · bucket M1"
    assert header.flags == []


def test_flags_show_as_coloured_labels_in_the_ui_language(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    tmp_path: Path,
    clock: Clock,
    portfolio: Portfolio,
) -> None:
    account = portfolio.account(
        today=TODAY, dpd=40, numbers=NUMBERS, vulnerable=True, cease_requested=True
    )
    workspace = make_workspace(qtbot, make_context(db, runner, tmp_path, clock, "zh_CN"))
    workspace.show_account(*load(db, account))

    texts = [label.text() for label in workspace.header.flags]
    assert texts == ["弱势客户暂停", "要求停止联系"]
    assert all("background-color" in label.styleSheet() for label in workspace.header.flags)
    assert workspace.header.arrears.text().endswith("M2")
    # Every number is blocked by the account stop, in Chinese.
    for button in workspace.points.call_buttons():
        assert not button.isEnabled()
        assert "借款人要求停止联系" in button.toolTip()


@pytest.mark.parametrize("code", BORROWER_FLAGS)
def test_every_borrower_flag_has_a_short_label_in_both_languages(code: str) -> None:
    english, chinese = borrower_flag(code, "en"), borrower_flag(code, "zh_CN")
    # The fallback for a flag without a label is its code with spaces: not good enough here.
    assert english.text != code.replace("_", " ")
    assert chinese.text != english.text
    assert english.tone == chinese.tone
    assert english.tone in ("stop", "pause", "warning")


def test_flags_of_the_previous_account_are_gone(
    workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    flagged = portfolio.account(today=TODAY, dpd=5, numbers=NUMBERS, dispute_open=True)
    workspace.show_account(*load(db, flagged))
    assert [label.text() for label in workspace.header.flags] == ["Dispute open"]

    workspace.show_account(*load(db, account))
    assert workspace.header.flags == []


def test_borrower_time_follows_the_clock(
    workspace: Workspace, db: Database, account: Account, clock: Clock
) -> None:
    workspace.show_account(*load(db, account))
    assert workspace.header.local_time.text() == "Borrower's time: 10:00"
    mobile = workspace.points.row_for(account.points["mobile"])
    assert mobile.local_time.text() == "10:00"
    assert workspace._clock.isActive()
    assert workspace._clock.interval() == CLOCK_INTERVAL_MS

    clock.now = NOW + timedelta(minutes=95)
    workspace.refresh_times()
    assert workspace.header.local_time.text() == "Borrower's time: 11:35"
    assert mobile.local_time.text() == "11:35"

    workspace.clear()
    assert not workspace._clock.isActive()


def test_a_borrower_abroad_shows_each_clock_the_rules_check(
    workspace: Workspace, db: Database, portfolio: Portfolio
) -> None:
    # Living in New York with a mainland mobile: both places' clocks matter (New York is on
    # daylight saving time since 9 March 2025, UTC-4).
    abroad = portfolio.account(
        today=TODAY, dpd=15, numbers={"mobile": "13812345678"}, country="US", province="NY"
    )
    workspace.show_account(*load(db, abroad))
    assert workspace.header.local_time.text() == (
        "Borrower's time: 22:00 (America/New_York) / 10:00 (Asia/Shanghai)"
    )


def test_zone_times_merge_zones_reading_the_same_clock() -> None:
    at = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    groups = zone_times(["Asia/Shanghai", "Asia/Hong_Kong", "America/New_York"], at)
    assert groups == [
        ("20:00", ("Asia/Shanghai", "Asia/Hong_Kong")),
        ("08:00", ("America/New_York",)),
    ]


# Money.


def test_overdue_breakdown_shows_each_part_and_the_totals(
    workspace: Workspace, db: Database, account: Account
) -> None:
    detail, options = load(db, account)
    workspace.show_account(detail, options)

    # Three instalments were paid; the fourth fell due 15 days ago and is the only one overdue.
    overdue = detail.schedule[3]
    assert overdue.due_date == TODAY - timedelta(days=15)
    penalty = cents(overdue.principal_due * Decimal("0.0005") * 15)
    total = overdue.principal_due + overdue.interest_due + overdue.fees_due + penalty
    values = {key: label.text() for key, label in workspace.balance.values.items()}
    assert values["principal"] == format_money(overdue.principal_due)
    assert values["interest"] == format_money(overdue.interest_due)
    assert values["fees"] == format_money(Decimal("0"))
    assert values["penalty"] == format_money(penalty)
    assert values["overdue"] == format_money(total)
    unpaid = sum(
        (line.principal_due + line.interest_due + line.fees_due for line in detail.schedule[3:]),
        Decimal("0"),
    )
    assert values["owed"] == format_money(unpaid + penalty)
    assert values["oldest_due"] == workspace.context.formats.date(overdue.due_date)
    assert values["next_due"] == workspace.context.formats.date(detail.schedule[4].due_date)


def test_schedule_and_payments_tables_are_read_only_views_of_the_loan(
    workspace: Workspace, db: Database, account: Account
) -> None:
    detail, options = load(db, account)
    workspace.show_account(detail, options)

    schedule = workspace.schedule.model()
    assert schedule.rowCount() == 12
    settled = detail.schedule[0].settled_on
    assert settled is not None
    assert schedule.index(0, 7).data() == workspace.context.formats.date(settled)
    assert schedule.index(3, 7).data() == "Overdue"
    assert schedule.index(4, 7).data() == ""
    assert schedule.index(3, 2).data() == format_money(detail.schedule[3].principal_due)
    assert not schedule.flags(schedule.index(0, 0)) & Qt.ItemFlag.ItemIsEditable

    payments = workspace.payments.model()
    assert payments.rowCount() == 3
    assert {payments.index(row, 2).data() for row in range(3)} == {"Alipay"}
    newest = max(item.at for item in detail.timeline if item.kind == "payment")
    assert payments.index(0, 0).data() == workspace.context.formats.date_time(newest)


def test_the_payments_show_what_the_lender_reversed_and_what_the_borrower_only_reports(
    workspace: Workspace, db: Database, account: Account, tmp_path: Path
) -> None:
    from app.services.plans.feed import apply_feed
    from app.services.plans.payments import enter_payment
    from tests.helpers.feeds import batch, payment, reversal, write_feed

    paid_at = (NOW - timedelta(days=2)).isoformat()
    day = write_feed(
        tmp_path / "1.csv", [batch(1, TODAY), payment(account.contract_no, "P-1", paid_at, "100")]
    )
    bounced = write_feed(
        tmp_path / "2.csv",
        [batch(2, TODAY), reversal(account.contract_no, "P-1", "R-1", NOW.isoformat())],
    )
    apply_feed(db, day, now=NOW)
    apply_feed(db, bounced, now=NOW)
    enter_payment(
        db, USER, account.contract_no, "250", NOW - timedelta(hours=1), channel="cash", now=NOW
    )
    workspace.show_account(*load(db, account))

    payments = workspace.payments.model()
    assert payments.headerData(3, Qt.Orientation.Horizontal) == "State"
    shown = {
        (payments.index(row, 1).data(), payments.index(row, 3).data())
        for row in range(payments.rowCount())
    }
    assert (format_money(Decimal("250")), "reported by the borrower") in shown
    assert (format_money(Decimal("100")), "reversed by the lender") in shown
    assert (format_money(Decimal("100")), "received") not in shown
    assert payments.rowCount() == 5
    assert payments.index(0, 3).data() == "reported by the borrower"


# Calling.


def test_a_do_not_call_number_has_its_call_button_disabled_with_the_reason(
    workspace: Workspace, db: Database, account: Account
) -> None:
    mark_do_not_call(db, account, "home")
    workspace.show_account(*load(db, account))

    home = workspace.points.row_for(account.points["home"])
    assert home.call is not None and home.status is not None
    assert not home.call.isEnabled()
    assert "Number marked do-not-call" in home.call.toolTip()
    assert home.status.text() == "Number marked do-not-call"
    assert home.call.accessibleDescription() == "Number marked do-not-call"
    marks = [label.text() for label in workspace.points.findChildren(QLabel)]
    assert "Do not call" in marks

    mobile = workspace.points.row_for(account.points["mobile"])
    assert mobile.call is not None and mobile.call.isEnabled()


def test_quiet_hours_show_when_the_number_may_be_called_again(
    workspace: Workspace, db: Database, account: Account, clock: Clock
) -> None:
    late = datetime(2025, 3, 10, 23, 0, tzinfo=BEIJING).astimezone(UTC)
    clock.now = late
    workspace.show_account(*load(db, account, late))

    mobile = workspace.points.row_for(account.points["mobile"])
    assert mobile.call is not None and mobile.status is not None
    assert not mobile.call.isEnabled()
    # Tomorrow 08:00: not today, so the date is shown too.
    assert "from 11 Mar 2025 08:00" in mobile.status.text()
    assert "Allowed from 11 Mar 2025 08:00" in mobile.call.toolTip()


def test_an_allowed_number_emits_dial_requested_by_mouse_and_by_keyboard(
    qtbot: QtBot, workspace: Workspace, db: Database, account: Account
) -> None:
    detail, options = load(db, account)
    workspace.show_account(detail, options)
    expected = option_for(options, account, "mobile")
    assert expected.allowed

    button = workspace.points.row_for(account.points["mobile"]).call
    assert button is not None and button.isEnabled()
    with qtbot.waitSignal(workspace.dial_requested) as clicked:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert clicked.args == [expected]
    with qtbot.waitSignal(workspace.dial_requested) as pressed:
        qtbot.keyClick(button, Qt.Key.Key_Space)
    assert pressed.args == [expected]
    with qtbot.waitSignal(workspace.dial_requested) as entered:
        qtbot.keyClick(button, Qt.Key.Key_Return)
    assert entered.args == [expected]


def test_a_blocked_call_button_emits_nothing(
    qtbot: QtBot, workspace: Workspace, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    # The emergency contact is a third party: not before the borrower proved unreachable.
    emergency = workspace.points.row_for(account.points["emergency"])
    assert emergency.call is not None and not emergency.call.isEnabled()
    with qtbot.assertNotEmitted(workspace.dial_requested):
        qtbot.mouseClick(emergency.call, Qt.MouseButton.LeftButton)


def test_fresh_rule_answers_update_the_buttons_in_place(
    workspace: Workspace, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    button = workspace.points.row_for(account.points["mobile"]).call
    assert button is not None and button.isEnabled()

    mark_do_not_call(db, account, "mobile")
    workspace.update_options(call_options(db, USER, account.contract_no, NOW))
    assert workspace.points.row_for(account.points["mobile"]).call is button
    assert not button.isEnabled()
    assert "do-not-call" in button.toolTip()


def test_contact_points_show_kind_number_region_and_contact_person(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    tmp_path: Path,
    clock: Clock,
    account: Account,
) -> None:
    workspace = make_workspace(qtbot, make_context(db, runner, tmp_path, clock, "zh_CN"))
    detail, options = load(db, account)
    workspace.show_account(detail, options)

    texts = {label.text() for label in workspace.points.findChildren(QLabel)}
    home = next(point for point in detail.contact_points if point.kind == "home")
    assert home.display in texts
    assert "中国" in texts
    assert any("王建国" in text and "父亲" in text for text in texts)


# Timeline.


def add_history(db: Database, portfolio: Portfolio, account: Account) -> None:
    portfolio.attempt(account, NOW - timedelta(days=2), "NA")
    portfolio.attempt(account, NOW - timedelta(days=1), "PTP")
    portfolio.promise(account, "500.00", TODAY + timedelta(days=3), NOW - timedelta(days=1))
    portfolio.callback(account, NOW + timedelta(hours=4))
    with db.session() as session:
        attempt = session.scalars(
            select(ContactAttempt).where(
                ContactAttempt.loan_id == account.loan_id, ContactAttempt.disposition == "PTP"
            )
        ).one()
        attempt.emotion = "anxious"
        attempt.duration_seconds = 125
        attempt.notes = "will pay on Thursday"


def test_timeline_kind_filter_hides_the_other_kinds(
    workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    add_history(db, portfolio, account)
    workspace.show_account(*load(db, account))
    timeline = workspace.timeline
    assert sorted(set(timeline.shown_kinds())) == ["callback", "contact", "payment", "promise"]
    assert timeline.count.text() == "7 of 7 entries"

    timeline.set_kind_filter("payments")
    assert timeline.shown_kinds() == ["payment"] * 3
    assert timeline.count.text() == "3 of 7 entries"

    timeline.set_kind_filter("contacts")
    assert timeline.shown_kinds() == ["contact", "contact"]

    timeline.set_kind_filter("notes")
    assert timeline.shown_kinds() == []

    timeline.set_kind_filter("all")
    assert len(timeline.shown_kinds()) == 7


def test_timeline_text_filter_matches_what_the_rows_show(
    qtbot: QtBot, workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    add_history(db, portfolio, account)
    workspace.show_account(*load(db, account))
    timeline = workspace.timeline

    qtbot.keyClicks(timeline.text, "no answer")
    assert timeline.shown_texts() == ["No answer"]
    timeline.text.clear()
    qtbot.keyClicks(timeline.text, "thursday")
    assert timeline.shown_kinds() == ["contact"]

    # Another account: the typed filter goes, the kind filter stays.
    other = portfolio.account(today=TODAY, dpd=3, numbers=NUMBERS)
    timeline.set_kind_filter("payments")
    workspace.show_account(*load(db, other))
    assert timeline.text.text() == ""
    assert timeline.shown_kinds() == ["payment"] * 3


def test_timeline_rows_are_written_in_the_ui_language_newest_first(
    qtbot: QtBot,
    db: Database,
    runner: Runner,
    tmp_path: Path,
    clock: Clock,
    portfolio: Portfolio,
    account: Account,
) -> None:
    add_history(db, portfolio, account)
    workspace = make_workspace(qtbot, make_context(db, runner, tmp_path, clock, "zh_CN"))
    workspace.show_account(*load(db, account))
    model = workspace.timeline.model
    rows = [model.row_at(row).item.at for row in range(model.rowCount())]
    assert rows == sorted(rows, reverse=True)

    texts = workspace.timeline.shown_texts()
    promised = next(text for text in texts if "承诺还款" in text)
    assert "焦虑" in promised  # the emotion's label, from resources/emotions.json
    assert "02:05" in promised  # 125 seconds
    assert "will pay on Thursday" in promised
    assert "无人接听" in texts
    assert any(
        "¥500.00" in text and workspace.context.formats.date(TODAY + timedelta(days=3)) in text
        for text in texts
    )


def test_escalations_show_their_kind_and_the_team_leads_decision(
    workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    with db.session() as session:
        for kind, decision, raised in (
            ("self_harm_risk", None, NOW - timedelta(hours=1)),
            ("dispute", EscalationDecision.RESUME, NOW - timedelta(days=3)),
        ):
            session.add(
                Escalation(
                    loan_id=account.loan_id,
                    borrower_id=account.borrower_id,
                    kind=kind,
                    raised_by_id=portfolio.collector,
                    raised_at=raised,
                    decision=decision,
                    decided_at=raised + timedelta(hours=2) if decision else None,
                )
            )
    workspace.show_account(*load(db, account))
    workspace.timeline.set_kind_filter("escalations")
    assert workspace.timeline.shown_texts() == [
        "Self-harm or harm risk expressed · waiting for a decision",
        "Debt disputed: collection paused until resolved · collection resumed",
    ]


def test_selecting_a_timeline_row_shows_it_whole(
    workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    add_history(db, portfolio, account)
    workspace.show_account(*load(db, account))
    table = workspace.timeline.table
    table.setCurrentIndex(table.model().index(0, 0))
    first = workspace.timeline.shown_texts()[0]
    assert first in workspace.timeline.current.text()


def test_timeline_model_passes_the_model_tester(qtmodeltester, context: Context) -> None:  # type: ignore[no-untyped-def]
    model = TimelineModel(context.formats)
    model.set_items(
        [
            HistoryItem(
                NOW, "payment", "100 via alipay", {"amount": "100.00", "channel": "alipay"}
            ),
            HistoryItem(NOW - timedelta(hours=1), "odd", "something new", {}),
            HistoryItem(
                NOW - timedelta(days=1),
                "contact",
                "call NA",
                {"disposition": "NA", "duration_seconds": 0, "emotion": None, "notes": None},
            ),
        ]
    )
    qtmodeltester.check(model)
    proxy = TimelineFilter()
    proxy.setSourceModel(model)
    proxy.set_kinds(frozenset({"payment"}))
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1
    # A kind this version does not know still shows, by the service's summary.
    assert model.index(1, 2).data() == "something new"


# Notes.


def test_the_add_note_button_needs_text(
    qtbot: QtBot, workspace: Workspace, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    notes = workspace.notes
    assert not notes.add.isEnabled()
    qtbot.keyClicks(notes.editor, "   ")
    assert not notes.add.isEnabled()
    qtbot.keyClicks(notes.editor, "x")
    assert notes.add.isEnabled()


def test_adding_a_note_stores_it_clears_the_box_and_emits_note_added(
    qtbot: QtBot, workspace: Workspace, runner: Runner, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    notes = workspace.notes
    qtbot.keyClicks(notes.editor, "Borrower asked to be called after work")
    with qtbot.waitSignal(workspace.note_added):
        qtbot.mouseClick(notes.add, Qt.MouseButton.LeftButton)
        assert not notes.add.isEnabled()  # no double save while the worker writes
    qtbot.waitUntil(lambda: runner.pending == 0)

    assert notes.editor.toPlainText() == ""
    assert not notes.add.isEnabled()
    with db.reader() as session:
        stored = session.scalars(
            select(AccountNote.text).where(AccountNote.loan_id == account.loan_id)
        ).all()
    assert stored == ["Borrower asked to be called after work"]
    dialogs = workspace.context.dialogs
    assert isinstance(dialogs, RecordingDialogs)
    assert dialogs.shown == []


def test_an_added_note_shows_in_the_timeline_once_the_account_is_reloaded(
    qtbot: QtBot, workspace: Workspace, runner: Runner, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    workspace.note_added.connect(
        lambda: workspace.show_account(*load(db, account, datetime.now(UTC)))
    )
    qtbot.keyClicks(workspace.notes.editor, "Works night shifts")
    with qtbot.waitSignal(workspace.note_added):
        qtbot.mouseClick(workspace.notes.add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: runner.pending == 0)

    workspace.timeline.set_kind_filter("notes")
    assert workspace.timeline.shown_kinds() == ["note"]
    assert workspace.timeline.shown_texts() == [f"{USER}: Works night shifts"]


def test_ctrl_enter_in_the_note_box_adds_the_note(
    qtbot: QtBot, workspace: Workspace, runner: Runner, db: Database, account: Account
) -> None:
    workspace.show_account(*load(db, account))
    workspace.activateWindow()
    workspace.focus_note()
    qtbot.waitUntil(workspace.notes.editor.hasFocus)
    qtbot.keyClicks(workspace.notes.editor, "Left a message with the guard")
    with qtbot.waitSignal(workspace.note_added):
        qtbot.keyClick(
            workspace.notes.editor,
            Qt.Key.Key_Return,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    qtbot.waitUntil(lambda: runner.pending == 0)
    with db.reader() as session:
        assert session.scalar(select(AccountNote.text)) == "Left a message with the guard"


def test_a_refused_note_keeps_its_text_and_says_why(
    qtbot: QtBot,
    workspace: Workspace,
    runner: Runner,
    db: Database,
    portfolio: Portfolio,
    account: Account,
) -> None:
    workspace.show_account(*load(db, account))
    # The account moves to another collector while it is on screen.
    other = portfolio.user("li.na")
    with db.session() as session:
        session.get_one(Loan, account.loan_id).assigned_to_id = other
    qtbot.keyClicks(workspace.notes.editor, "Promised to call back")
    with qtbot.assertNotEmitted(workspace.note_added):
        qtbot.mouseClick(workspace.notes.add, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: runner.pending == 0)

    assert workspace.notes.editor.toPlainText() == "Promised to call back"
    assert workspace.notes.add.isEnabled()
    dialogs = workspace.context.dialogs
    assert isinstance(dialogs, RecordingDialogs)
    assert len(dialogs.shown) == 1
    shown = dialogs.shown[0]
    assert shown == Shown("error", "The note was not added", shown.text)
    assert account.contract_no in shown.text


def test_a_note_draft_stays_with_its_account(
    qtbot: QtBot, workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    other = portfolio.account(today=TODAY, dpd=3, numbers=NUMBERS)
    workspace.show_account(*load(db, account))
    qtbot.keyClicks(workspace.notes.editor, "half-written")

    workspace.show_account(*load(db, other))
    assert workspace.notes.editor.toPlainText() == ""
    assert not workspace.notes.add.isEnabled()

    workspace.show_account(*load(db, account))
    assert workspace.notes.editor.toPlainText() == "half-written"


# Keyboard and accessibility.


def _inner(widget: QWidget, root: QWidget) -> bool:
    """Part of a compound widget (a table's header, a line edit's clear button, a tab bar)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractItemView | QLineEdit | QComboBox | QAbstractSpinBox):
            return True
        if isinstance(parent, QTabWidget) and isinstance(widget, QTabBar):
            return True
        parent = parent.parentWidget()
    return False


def test_every_widget_has_an_accessible_name(
    workspace: Workspace, db: Database, portfolio: Portfolio, account: Account
) -> None:
    add_history(db, portfolio, account)
    mark_do_not_call(db, account, "home")
    workspace.show_account(*load(db, account))
    kinds = (
        QLabel,
        QAbstractButton,
        QLineEdit,
        QComboBox,
        QPlainTextEdit,
        QAbstractItemView,
        QTabWidget,
        QGroupBox,
    )
    missing = [
        f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}"
        for widget in workspace.findChildren(QWidget)
        if isinstance(widget, kinds)
        and not isinstance(widget, QHeaderView)
        and not _inner(widget, workspace)
        and not widget.accessibleName()
    ]
    assert missing == []


def test_tab_moves_from_the_calls_to_the_note_and_on_to_the_history(
    qtbot: QtBot, workspace: Workspace, db: Database, account: Account
) -> None:
    mark_do_not_call(db, account, "home")
    workspace.show_account(*load(db, account))
    workspace.activateWindow()
    assert workspace.focus_first_call()
    mobile = workspace.points.row_for(account.points["mobile"]).call
    qtbot.waitUntil(lambda: QApplication.focusWidget() is mobile)

    order = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    # The blocked numbers (home: do-not-call; emergency: third party) and the Add note button
    # (no text yet) are disabled, so Tab passes them by.
    assert order == [
        workspace.notes.editor,
        workspace.tabs.tabBar(),
        workspace.timeline.kind,
        workspace.timeline.text,
        workspace.timeline.table,
    ]


def test_focusing_the_workspace_lands_on_the_first_allowed_number(
    qtbot: QtBot, workspace: Workspace, db: Database, account: Account
) -> None:
    workspace.activateWindow()
    workspace.show_account(*load(db, account))
    workspace.setFocus()
    mobile = workspace.points.row_for(account.points["mobile"]).call
    qtbot.waitUntil(lambda: QApplication.focusWidget() is mobile)

    mark_do_not_call(db, account, "mobile")
    workspace.update_options(call_options(db, USER, account.contract_no, NOW))
    workspace.setFocus()
    home = workspace.points.row_for(account.points["home"]).call
    qtbot.waitUntil(lambda: QApplication.focusWidget() is home)

    # When no number may be called, focus goes to the note box instead.
    mark_do_not_call(db, account, "home")
    workspace.update_options(call_options(db, USER, account.contract_no, NOW))
    workspace.setFocus()
    qtbot.waitUntil(workspace.notes.editor.hasFocus)


def test_focus_shortcuts_reach_the_note_and_the_timeline_filter(
    qtbot: QtBot, workspace: Workspace, db: Database, account: Account
) -> None:
    workspace.activateWindow()
    workspace.focus_note()  # no account: nothing to focus, nothing breaks
    workspace.show_account(*load(db, account))
    workspace.tabs.setCurrentWidget(workspace.schedule)

    workspace.focus_timeline_filter()
    assert workspace.tabs.currentWidget() is workspace.timeline
    qtbot.waitUntil(workspace.timeline.text.hasFocus)
    workspace.focus_note()
    qtbot.waitUntil(workspace.notes.editor.hasFocus)
