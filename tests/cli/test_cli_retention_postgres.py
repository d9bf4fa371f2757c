"""`central retention run --url` on a real PostgreSQL central, as its administrator runs it: the
same rules as on the embedded database, the audit trail scrubbed through the server's one
controlled path, a run killed in the middle of a borrower, and a workstation signed in as a
collector losing the data at its next sync."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.portfolio.notes import add_note
from app.services.sync.central import init_central
from tests.helpers.cli import run_cli
from tests.helpers.portfolio import Portfolio
from tests.helpers.postgres import fresh_database
from tests.helpers.retention import ERASED, KEPT, closed_accounts, dump, today_here
from tests.helpers.sync_world import central_on, workstation


def _cli(*args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    return run_cli(None, *args, real=real)


@pytest.fixture
def server() -> Iterator[tuple[str, Database]]:
    """A central database set up by `central init`; its administrator's URL and connection."""
    with fresh_database() as url:
        admin = Database(url)
        admin.upgrade()
        init_central(admin)
        yield url, admin
        admin.dispose()


def test_a_run_on_the_server_erases_past_retention_and_a_second_does_nothing(
    server: tuple[str, Database], tmp_path: Path
) -> None:
    url, admin = server
    world = closed_accounts(admin, Portfolio(admin), today_here())
    before = dump(admin)
    dry = _cli("--data-dir", str(tmp_path), "central", "retention", "run", "--dry-run", "--json",
               "--url", url)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert sorted(n for item in report["erased"] for n in item["contracts"]) == world.erased()
    assert report["removed"]["audit_events"] == 2
    assert dump(admin) == before
    done = _cli("--data-dir", str(tmp_path), "central", "retention", "run", "--url", url)
    assert done.returncode == 0, done.stderr
    assert f"erased the personal data of {len(ERASED)} borrowers" in done.stdout
    everything = dump(admin)
    for kind in ERASED:
        assert [secret for secret in world.secrets[kind] if secret in everything] == [], kind
    for kind in KEPT:
        assert [secret for secret in world.secrets[kind] if secret not in everything] == [], kind
    with admin.engine.connect() as connection:
        scrubbed = connection.execute(
            text(
                "SELECT action, details FROM audit_events WHERE entity_id = :loan"
                " AND action IN ('visit.requested', 'priority.set') ORDER BY action"
            ),
            {"loan": str(world.accounts["gone"].loan_id)},
        ).all()
    # The events stay, with who and when; the reasons typed into them are gone.
    assert [(action, "reason" in details) for action, details in scrubbed] == [
        ("priority.set", False),
        ("visit.requested", False),
    ]
    assert scrubbed[0][1]["level"] == "high"
    settled = dump(admin)
    again = _cli("--data-dir", str(tmp_path), "central", "retention", "run", "--url", url)
    assert again.returncode == 0, again.stderr
    assert "erased the personal data of 0 borrowers" in again.stdout
    assert dump(admin) == settled


def test_a_run_killed_inside_a_borrower_leaves_them_whole_and_the_next_run_finishes(
    server: tuple[str, Database], tmp_path: Path
) -> None:
    url, admin = server
    portfolio = Portfolio(admin)
    today = today_here()
    made = {
        f"锁{serial}": portfolio.account(
            today=today, dpd=40, name=f"锁{serial}", numbers={"mobile": f"1361234{serial:04d}"}
        )
        for serial in range(3)
    }
    # In the order the run takes them.
    order = sorted(made, key=lambda name: made[name].borrower_id)
    accounts = [made[name] for name in order]
    for account in accounts:
        add_note(admin, "zhang.wei", account.contract_no, f"{account.contract_no}的备注")
    with admin.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'settled', closed_on = :day"),
            {"day": today - timedelta(days=6 * 366)},
        )
    # The second borrower's note is held by another transaction: the run erases the first
    # borrower, then waits inside the second's, its name and numbers already changed there.
    holder = admin.engine.connect()
    holder.execute(
        text("SELECT id FROM account_notes WHERE loan_id = :loan FOR UPDATE"),
        {"loan": accounts[1].loan_id},
    )
    command = ("central", "retention", "run", "--batch", "1", "--url", url)
    run = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        waiting = None
        while waiting is None and time.monotonic() < deadline and run.poll() is None:
            with admin.engine.connect() as connection:
                waiting = connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query LIKE 'UPDATE account_notes%'"
                    )
                ).scalar()
            time.sleep(0.05)
        assert waiting is not None, run.stderr.read() if run.stderr else ""
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
        with admin.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting})
    finally:
        holder.rollback()
        holder.close()

    def names() -> list[str]:
        with admin.engine.connect() as connection:
            return [
                connection.execute(
                    text("SELECT name FROM borrowers WHERE id = :id"), {"id": account.borrower_id}
                ).scalar_one()
                for account in accounts
            ]

    assert names() == ["", order[1], order[2]]
    whole = dump(admin)
    for account in accounts[1:]:
        assert f"{account.contract_no}的备注" in whole
    finish = _cli("--data-dir", str(tmp_path), "central", "retention", "run", "--url", url)
    assert finish.returncode == 0, finish.stderr
    assert "erased the personal data of 2 borrowers" in finish.stdout
    assert names() == ["", "", ""]


def test_a_collectors_copy_loses_the_erased_data_at_its_next_sync(
    pg_db: Database, tmp_path: Path
) -> None:
    central = central_on(pg_db)
    try:
        collector = central.staff(Role.COLLECTOR)
        mine = central.account(collector, name="韩梅梅")
        desk = workstation(tmp_path / "desk", central, collector)
        desk.sync()
        note = "她说年底前会还清"
        add_note(desk.local, collector, mine.contract_no, note)
        desk.sync()
        with pg_db.engine.begin() as connection:
            connection.execute(
                text("UPDATE loans SET status = 'settled', closed_on = :day WHERE id = :id"),
                {"day": today_here() - timedelta(days=6 * 366), "id": mine.loan_id},
            )
        desk.sync()
        assert note in dump(desk.local) and "韩梅梅" in dump(desk.local)
        done = _cli("--data-dir", str(tmp_path), "central", "retention", "run", "--url", pg_db.url)
        assert done.returncode == 0, done.stderr
        report = desk.sync()
        assert report.pull.erased == 1
        held = dump(desk.local)
        assert note not in held and "韩梅梅" not in held and "+86" not in held
        with desk.local.engine.connect() as connection:
            # The account stays in the copy, its note too: with no text.
            assert connection.execute(text("SELECT text FROM account_notes")).all() == [("",)]
        # Nothing the erasure did here waits to go back up.
        assert desk.sync().push.sent == 0
        desk.close()
    finally:
        central.drop_roles()
