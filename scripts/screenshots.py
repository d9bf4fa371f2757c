"""Renders the main screens in both languages to docs/screenshots/*.png, at the size of the
screen it runs on: `<screen>-<width>x<height>-<language>.png`.

    bash scripts/screenshots      (1366×768 and 1920×1080, under Xvfb when it is installed,
                                   else on Qt's offscreen platform given a screen of that size)

Each window is as large as the screen leaves it: the screen less a 40 px taskbar and a 32 px
title bar (1366×696 on a 1366×768 screen), as an office computer shows it maximised.

The demo portfolio is built at a fixed moment (a Friday, 10:00 in Beijing) and the window's
clock is held there, so the pictures show a working morning and come out the same each time.
`--demo FILE` keeps the demo database in FILE, built once for every screen size.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from app.config import Config
from app.database import Database
from app.demo.builder import build_demo
from app.services.common.clock import business_zone
from app.services.common.users import list_users
from app.services.sync.local_store import passphrase_key
from app.ui.common import settings as keys
from app.ui.common.dialogs import Dialogs
from app.ui.common.settings import Settings
from app.ui.shell.main_window import MainWindow
from app.ui.shell.start import Startup
from app.ui.team.window import Tab

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
# The window works on an encrypted copy synced from the demo (which plays the central database).
COPY_PASSPHRASE = "screenshot copy passphrase"
AS_OF = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Beijing
# What an office screen keeps from its height for the taskbar (40 px) and a title bar (32 px).
TASKBAR_AND_TITLE = 72


def wait(app: QApplication, condition: object, seconds: float = 30) -> None:
    deadline = datetime.now(UTC).timestamp() + seconds
    while not condition():  # type: ignore[operator]
        app.processEvents()
        if datetime.now(UTC).timestamp() > deadline:
            raise TimeoutError("the window did not settle")


def settle(app: QApplication, window: MainWindow) -> None:
    wait(app, lambda: window.context.runner.pending == 0)
    for _ in range(20):
        app.processEvents()


def screen_name() -> str:
    """The screen's size, as the pictures' names carry it: 1366x768."""
    size = QApplication.primaryScreen().size()
    return f"{size.width()}x{size.height()}"


def window_size() -> QSize:
    """A window as large as the screen leaves it: the screen less its taskbar and a title bar."""
    size = QApplication.primaryScreen().size()
    return QSize(size.width(), size.height() - TASKBAR_AND_TITLE)


def save(widget: QWidget, screen: str, language: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"{screen}-{screen_name()}-{language}.png"
    widget.grab().save(str(OUT / name))
    print(f"wrote docs/screenshots/{name}")


def start(data_dir: Path, db: Database, language: str, user: str, settings_name: str) -> Startup:
    """The window as `user`, in `language`, on a workstation folder of its own, held at AS_OF."""
    store = QSettings(str(data_dir / settings_name), QSettings.Format.IniFormat)
    settings = Settings(store)
    settings.set(keys.LANGUAGE, language)
    startup = Startup(
        Config(data_dir=data_dir, database_url=db.url),
        user,
        settings=settings,
        dialogs=Dialogs(),
        clock=lambda: AS_OF,
        key_source=lambda _folder: passphrase_key(COPY_PASSPHRASE),
    )
    startup.start()
    return startup


def shoot(app: QApplication, db: Database, data_dir: Path, language: str, user: str) -> None:
    startup = start(data_dir, db, language, user, f"settings-{language}.ini")
    wait(app, lambda: startup.window is not None)
    window = startup.window
    assert isinstance(window, MainWindow)
    window.resize(window_size())
    window.show()
    settle(app, window)
    window.queue.select_first()
    settle(app, window)
    save(window, "main", language)  # the shift's start: what is due today above the work
    window.due_today.panel.dismiss.click()  # read and dismissed, as the collector would

    window.queue.status.setCurrentIndex(2)  # blocked now
    settle(app, window)
    save(window.queue, "queue-blocked", language)
    window.queue.status.setCurrentIndex(0)
    window.queue.select_first()
    settle(app, window)

    # A call under way: verified, disclosures given, a promise being agreed.
    script = window.call.script
    for answer in ("speaking", "match"):
        script.answer(answer)
    for _ in range(2):
        script.disclosure.setChecked(True)
        script.advance()
    script.advance()
    script.answer("cash_flow")
    script.answer("by_date")
    window.call.form.amount.setText("1500")
    window.call.form.choose_emotion("anxious")
    window.call.started_at = AS_OF
    settle(app, window)
    save(window, "call", language)

    # The plan the script's plan step leads to: six monthly instalments, previewed.
    window.offer_plan()
    dialog = window.plan_dialog
    assert dialog is not None
    dialog.count.setValue(6)
    pause(app, 0.5)  # the preview waits for typing to stop
    settle(app, window)
    save(dialog, "plan", language)
    dialog.close()
    window.leave()  # the pictured call is not logged
    startup.stop()


def shoot_visits(
    app: QApplication, db: Database, data_dir: Path, language: str, agent: str
) -> None:
    """A field agent's planner: the day's candidates, the first five taken, a partner chosen."""
    startup = start(data_dir, db, language, agent, f"settings-visits-{language}.ini")
    wait(app, lambda: startup.window is not None and startup.window.visit_planner is not None)
    window = startup.window
    assert isinstance(window, MainWindow) and window.visit_planner is not None
    planner = window.visit_planner
    settle(app, window)
    planner.resize(window_size())
    for row in range(min(5, planner.candidates.rowCount())):
        planner.candidates.set_included(row, True)
    lead = next(u.username for u in list_users(db) if u.role == "team_lead")
    planner.choose_second_agent(lead)
    settle(app, window)
    save(planner, "visits", language)
    planner.close()
    startup.stop()


def shoot_team(app: QApplication, db: Database, data_dir: Path, language: str, lead: str) -> None:
    """A team lead's desk: the last seven days on the dashboard, the day's reminders, then a
    contact in review."""
    startup = start(data_dir, db, language, lead, f"settings-team-{language}.ini")
    wait(app, lambda: startup.window is not None and startup.window.team_window is not None)
    window = startup.window
    assert isinstance(window, MainWindow) and window.team_window is not None
    team = window.team_window
    team.resize(window_size())
    today = AS_OF.astimezone(business_zone()).date()
    team.dashboard.set_range(today - timedelta(days=7), today - timedelta(days=1))
    team.dashboard.refresh()
    wait(app, lambda: team.dashboard.report is not None and not team.dashboard.busy, 120)
    settle(app, window)
    save(team, "team-dashboard", language)
    # The morning's reminders (the demo's own: its last days of the reminders job), as Ctrl+9
    # shows them: the day's figures by step and channel, and the failures' tab beside.
    team.show_tab(Tab.REMINDERS)
    wait(app, lambda: team.reminders.overview is not None, 120)
    settle(app, window)
    save(team, "team-reminders", language)
    team.show_tab(Tab.REVIEW)
    wait(app, lambda: team.review.model.rowCount() > 0, 60)
    team.review.open_attempt(team.review.model.row_at(0).attempt_id)
    settle(app, window)
    save(team, "team-review", language)
    team.show_tab(Tab.LEGAL)
    wait(app, lambda: team.legal.model.rowCount() > 0, 60)
    team.legal.select(LEGAL_SHOWN[0])
    settle(app, window)
    save(team, "team-legal", language)
    team.close()
    startup.stop()


# The account the legal desk shows, once referred (by `refer_one_to_legal`).
LEGAL_SHOWN: list[str] = []


def refer_one_to_legal(db: Database, lead: str) -> None:
    """A case on the lead's legal desk: the team's account longest past due, referred five
    weeks ago, its lawyer instructed, filed and heard once."""
    from app.services.legal.referral import StepInput, legal_case, record_step, refer
    from app.services.team.assignment import team_accounts

    worked = [a for a in team_accounts(db, lead, now=AS_OF) if a.assignee and not a.paused]
    contract = max(worked, key=lambda account: (account.dpd, account.contract_no)).contract_no
    LEGAL_SHOWN[:] = [contract]
    if legal_case(db, lead, contract) is not None:
        return  # the demo kept from the screen size before
    today = AS_OF.astimezone(business_zone()).date()
    refer(db, lead, contract, "六个月无法联系，承诺三次未兑现", now=AS_OF - timedelta(days=35))
    for days_ago, step in (
        (33, StepInput("lawyer", None, firm="北京金诚律师事务所", lawyer="周律师")),
        (
            20,
            StepInput("filing", None, case_number="(2026)京0105民初8812号", court="朝阳区人民法院"),
        ),
        (20, StepInput("cost", None, amount="1250.00", note="诉讼费")),
        (6, StepInput("hearing", None, note="首次开庭，被告未到庭")),
    ):
        dated = StepInput(**{**step.__dict__, "happened_on": today - timedelta(days=days_ago)})
        record_step(db, lead, contract, dated, now=AS_OF)


def pause(app: QApplication, seconds: float) -> None:
    until = datetime.now(UTC).timestamp() + seconds
    while datetime.now(UTC).timestamp() < until:
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="the demo database, built when missing")
    arguments = parser.parse_args()
    app = QApplication(sys.argv[:1])
    if not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        print("no Chinese font: run scripts/system-packages (fonts-wqy-microhei)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        demo = data_dir / "demo.sqlite3"
        if arguments.demo is not None and arguments.demo.exists():
            shutil.copyfile(arguments.demo, demo)
        db = Database(f"sqlite:///{demo}")
        db.upgrade()
        if arguments.demo is None or not arguments.demo.exists():
            build_demo(db, accounts=2000, seed=1, as_of=AS_OF)
            if arguments.demo is not None:
                db.dispose()
                shutil.copyfile(demo, arguments.demo)
        user = next(u.username for u in list_users(db) if u.role == "collector")
        agent = next(u.username for u in list_users(db) if u.role == "field_agent")
        lead = next(u.username for u in list_users(db) if u.role == "team_lead")
        refer_one_to_legal(db, lead)
        for language in ("zh_CN", "en"):
            # A workstation each: a copy holds one user's accounts at a time.
            shoot(app, db, data_dir / user, language, user)
            shoot_visits(app, db, data_dir / agent, language, agent)
            shoot_team(app, db, data_dir / lead, language, lead)
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
