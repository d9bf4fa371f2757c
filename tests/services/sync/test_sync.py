"""Sync between a workstation's copy and an embedded (SQLite) central: push, pull, scope,
conflicts. The same engine against a real PostgreSQL is in test_sync_postgres.py."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from app.database import Database
from app.models import PromiseStatus, Role
from app.services.common.errors import NotAllowed, NotFound
from app.services.common.queue_summary import computed, stored_summary
from app.services.contact.contacts import record_contact
from app.services.contact.queue import build_queue
from app.services.portfolio.notes import add_note
from app.services.sync import engine as sync
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Account, Portfolio


@dataclass
class World:
    central: Database
    portfolio: Portfolio
    mine: Account
    theirs: Account
    other: str

    def workstation(self, path: Path) -> Database:
        local = Database(f"sqlite:///{path}")
        local.upgrade()
        sync.install_outbox(local)
        return local


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    portfolio = Portfolio(central)
    other = portfolio.user("li.na", Role.COLLECTOR)
    mine = portfolio.account(today=NOW.date(), dpd=30, name="李雷")
    theirs = portfolio.account(today=NOW.date(), dpd=30, name="韩梅梅", assigned_to=other)
    portfolio.attempt(mine, NOW.replace(day=20), "NA")
    portfolio.attempt(theirs, NOW.replace(day=20), "NA")
    sync.install_clock(central)
    yield World(central, portfolio, mine, theirs, "li.na")
    central.dispose()


def _count(db: Database, sql: str, **params: object) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def _reassign(world: World, account: Account, username: str) -> None:
    with world.central.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE loans SET assigned_to_id = (SELECT id FROM users WHERE username = :u)"
                " WHERE id = :loan"
            ),
            {"u": username, "loan": account.loan_id.hex},
        )


def test_first_sync_brings_the_users_scope_and_the_whole_staff_directory(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    report = sync.sync(local, world.central, "zhang.wei")
    assert report.pull.arrived == 1 and report.push.sent == 0
    assert _count(local, "SELECT count(*) FROM loans") == 1
    assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '韩梅梅'") == 0
    assert _count(local, "SELECT count(*) FROM contact_attempts") == 1
    assert _count(local, "SELECT count(*) FROM instalments") == 12
    # The whole directory: the world's three staff and the administrator the payments come from.
    assert _count(local, "SELECT count(*) FROM users") == 4
    # Nothing the pull wrote waits to go back up.
    assert sync.sync_status(local).waiting == 0


def test_a_call_logged_here_reaches_the_server_once_however_often_it_syncs(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    recorded = record_contact(local, outcome(world.mine, "NA"), now=NOW)
    add_note(local, "zhang.wei", world.mine.contract_no, "Asked for a call after work.", now=NOW)
    # The outbox holds the attempt, the note and their audit events, written with them.
    assert sync.sync_status(local).waiting >= 4
    first = sync.sync(local, world.central, "zhang.wei")
    assert first.push.sent >= 4 and first.push.conflicts == first.push.refused == 0
    sync.sync(local, world.central, "zhang.wei")
    sync.sync(local, world.central, "zhang.wei")
    found = "SELECT count(*) FROM contact_attempts WHERE id = :id"
    assert _count(world.central, found, id=recorded.attempt_id.hex) == 1
    assert _count(world.central, "SELECT count(*) FROM account_notes") == 1
    assert sync.sync_status(local).waiting == 0


def test_a_push_cut_short_after_the_server_committed_is_not_applied_twice(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    record_contact(local, outcome(world.mine, "NA"), now=NOW)
    with local.engine.begin() as connection:
        state = sync._state(connection, "zhang.wei")
        entries = connection.execute(sync.select(sync.OUTBOX).order_by(sync.OUTBOX.c.seq)).all()
        payloads = [sync._payload(connection, entry) for entry in entries]
    # The server applies the batch; the workstation stops before it clears its outbox.
    sync._apply_on_server(world.central, "zhang.wei", state.workstation_id, payloads)
    before = _count(world.central, "SELECT count(*) FROM contact_attempts")
    assert sync.sync_status(local).waiting == len(entries)
    report = sync.push(local, world.central, "zhang.wei")
    assert report.sent == len(entries)
    assert _count(world.central, "SELECT count(*) FROM contact_attempts") == before
    assert sync.sync_status(local).waiting == 0


def test_an_account_reassigned_away_is_purged_with_its_personal_data(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    _reassign(world, world.mine, world.other)
    report = sync.sync(local, world.central, "zhang.wei")
    assert report.pull.purged == 1
    for table in ("loans", "borrowers", "contact_points", "contact_attempts", "instalments"):
        assert _count(local, f"SELECT count(*) FROM {table}") == 0, table
    assert sync.sync_status(local).waiting == 0


def test_an_account_assigned_here_arrives_with_its_history(world: World, tmp_path: Path) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    _reassign(world, world.theirs, "zhang.wei")
    report = sync.sync(local, world.central, "zhang.wei")
    assert report.pull.arrived == 1
    assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '韩梅梅'") == 1
    assert _count(local, "SELECT count(*) FROM contact_attempts") == 2
    assert _count(local, "SELECT count(*) FROM instalments") == 24


def test_a_change_made_on_the_server_comes_down_at_the_next_sync(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    with world.central.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET employer = '新雇主' WHERE id = :id"),
            {"id": world.mine.borrower_id.hex},
        )
    report = sync.sync(local, world.central, "zhang.wei")
    assert report.pull.rows >= 1
    assert _count(local, "SELECT count(*) FROM borrowers WHERE employer = '新雇主'") == 1
    # What came down is not sent back up.
    assert sync.sync_status(local).waiting == 0


def test_two_workstations_editing_one_borrower_the_server_wins_and_the_loser_can_reapply(
    world: World, tmp_path: Path
) -> None:
    mine = world.workstation(tmp_path / "collector.sqlite3")
    lead = world.workstation(tmp_path / "lead.sqlite3")
    sync.sync(mine, world.central, "zhang.wei")
    sync.sync(lead, world.central, "lead.wang")
    borrower = {"id": world.mine.borrower_id.hex}
    with lead.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET employer = '甲公司' WHERE id = :id"), borrower
        )
    with mine.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET employer = '乙公司' WHERE id = :id"), borrower
        )
    assert sync.sync(lead, world.central, "lead.wang").push.conflicts == 0
    lost = sync.sync(mine, world.central, "zhang.wei")
    assert lost.push.conflicts == 1
    employer = "SELECT employer FROM borrowers WHERE id = :id"
    with mine.engine.connect() as connection:
        assert connection.execute(text(employer), borrower).scalar() == "甲公司"
    [conflict] = sync.conflicts(mine)
    assert conflict.table == "borrowers" and conflict.fields == ("employer",)
    assert conflict.contract_no == world.mine.contract_no  # the borrower's account
    sync.reapply_conflict(mine, conflict.id)
    assert sync.conflicts(mine) == []
    assert sync.sync(mine, world.central, "zhang.wei").push.conflicts == 0
    with world.central.engine.connect() as connection:
        assert connection.execute(text(employer), borrower).scalar() == "乙公司"
    sync.sync(lead, world.central, "lead.wang")
    with lead.engine.connect() as connection:
        assert connection.execute(text(employer), borrower).scalar() == "乙公司"


def test_a_dismissed_conflict_leaves_the_servers_version(world: World, tmp_path: Path) -> None:
    mine = world.workstation(tmp_path / "collector.sqlite3")
    sync.sync(mine, world.central, "zhang.wei")
    borrower = {"id": world.mine.borrower_id.hex}
    with world.central.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET employer = '甲', row_version = 2 WHERE id = :id"), borrower
        )
    with mine.engine.begin() as connection:
        connection.execute(text("UPDATE borrowers SET employer = '乙' WHERE id = :id"), borrower)
    sync.sync(mine, world.central, "zhang.wei")
    [conflict] = sync.conflicts(mine)
    assert json.loads(json.dumps(conflict.fields)) == ["employer"]
    sync.dismiss_conflict(mine, conflict.id)
    with pytest.raises(NotFound):
        sync.dismiss_conflict(mine, conflict.id)
    assert sync.sync(mine, world.central, "zhang.wei").push.sent == 0
    with world.central.engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT employer FROM borrowers WHERE id = :id"), borrower
            ).scalar()
            == "甲"
        )


def test_a_log_entry_changed_here_is_refused_and_shown(world: World, tmp_path: Path) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    with local.engine.begin() as connection:
        connection.execute(text("UPDATE contact_attempts SET notes = 'rewritten'"))
    report = sync.sync(local, world.central, "zhang.wei")
    assert report.push.refused == 1
    [refused] = sync.conflicts(local)
    assert refused.kind == "refused" and refused.contract_no == world.mine.contract_no
    with pytest.raises(NotAllowed):
        sync.reapply_conflict(local, refused.id)


def test_another_user_cannot_take_over_a_copy_with_changes_waiting(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    record_contact(local, outcome(world.mine, "NA"), now=NOW)
    with pytest.raises(NotAllowed, match="waiting"):
        sync.sync(local, world.central, world.other)
    sync.sync(local, world.central, "zhang.wei")
    # Once sent, the copy can change hands: the first user's accounts leave with them.
    report = sync.sync(local, world.central, world.other)
    assert report.pull.purged == 1 and report.pull.arrived == 1
    assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '李雷'") == 0


def test_an_unreachable_server_is_recorded_and_backs_off(world: World, tmp_path: Path) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    record_contact(local, outcome(world.mine, "NA"), now=NOW)
    # A folder where the database file should be: SQLite cannot open it.
    gone = Database(f"sqlite:///{tmp_path}")
    with pytest.raises(sync.SyncFailed):
        sync.sync(local, gone, "zhang.wei", now=NOW)
    with pytest.raises(sync.SyncFailed):
        sync.sync(local, gone, "zhang.wei", now=NOW)
    status = sync.sync_status(local)
    assert not status.online and status.failures == 2 and status.waiting > 0
    assert status.last_error
    sync.sync(local, world.central, "zhang.wei", now=NOW)
    status = sync.sync_status(local)
    assert status.online and status.waiting == 0 and status.last_sync_at == NOW


def test_retries_wait_longer_after_each_failure_up_to_a_ceiling() -> None:
    def middle() -> float:
        return 0.5

    waits = [sync.retry_delay(failures, middle) for failures in range(0, 12)]
    assert waits[0] == sync.INTERVAL
    assert waits[1:6] == [15, 30, 60, 120, 240]
    assert max(waits) == sync.LONGEST_WAIT and waits[-1] == sync.LONGEST_WAIT
    spread = {sync.retry_delay(3, lambda: 0.0), sync.retry_delay(3, lambda: 1.0)}
    assert spread == {54, 66}


def test_the_second_agent_of_a_planned_visit_carries_its_account_until_it_is_done(
    world: World, tmp_path: Path
) -> None:
    agent = world.portfolio.user("zhao.agent", Role.FIELD_AGENT)
    local = world.workstation(tmp_path / "agent.sqlite3")
    assert sync.sync(local, world.central, "zhao.agent").pull.arrived == 0
    with world.central.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO field_visits (id, loan_id, agent_id, second_agent_id, planned_for,"
                " status, created_at, route_position, reason, checklist) VALUES (:id, :loan,"
                " :lead, :agent, '2026-11-30', 'planned', '2026-11-28 00:00:00', 1, 'm', '[]')"
            ),
            {
                "id": world.theirs.loan_id.hex[::-1],
                "loan": world.theirs.loan_id.hex,
                "lead": world.portfolio.lead.hex,
                "agent": agent.hex,
            },
        )
    assert sync.sync(local, world.central, "zhao.agent").pull.arrived == 1
    assert _count(local, "SELECT count(*) FROM borrowers WHERE name = '韩梅梅'") == 1
    with world.central.engine.begin() as connection:
        connection.execute(text("UPDATE field_visits SET status = 'done'"))
    assert sync.sync(local, world.central, "zhao.agent").pull.purged == 1
    assert _count(local, "SELECT count(*) FROM borrowers") == 0


def test_the_server_wins_even_when_its_change_was_pulled_past_while_the_edit_waited(
    world: World, tmp_path: Path
) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    borrower = {"id": world.mine.borrower_id.hex}
    with local.engine.begin() as connection:
        connection.execute(text("UPDATE borrowers SET employer = '本地' WHERE id = :id"), borrower)
    with world.central.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET employer = '服务器', row_version = 2 WHERE id = :id"),
            borrower,
        )
    # A pull alone leaves the waiting edit alone, and moves the cursor past the server's change.
    sync.pull(local, world.central, "zhang.wei")
    employer = "SELECT employer, row_version FROM borrowers WHERE id = :id"
    with local.engine.connect() as connection:
        assert tuple(connection.execute(text(employer), borrower).one()) == ("本地", 1)
    assert sync.sync(local, world.central, "zhang.wei").push.conflicts == 1
    with local.engine.connect() as connection:
        assert tuple(connection.execute(text(employer), borrower).one()) == ("服务器", 2)


def test_an_update_that_changes_nothing_sends_nothing(world: World, tmp_path: Path) -> None:
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    # How a write locks an account's row on SQLite: it sets a column to itself.
    with local.engine.begin() as connection:
        connection.execute(text("UPDATE borrowers SET name = name"))
    assert sync.sync_status(local).waiting == 0
    with local.engine.begin() as connection:
        connection.execute(text("UPDATE borrowers SET employer = 'x'"))
    assert sync.sync_status(local).waiting == 1


def test_a_change_another_connection_makes_while_the_outbox_is_installed_is_still_sent(
    tmp_path: Path,
) -> None:
    """Each start of the app, and each `sync` command, installs the outbox triggers afresh on
    a copy another process may be writing to: a change committed meanwhile must be sent."""
    opening = Database(f"sqlite:///{tmp_path / 'local.sqlite3'}")
    opening.upgrade()
    working = Database(opening.url)  # the other process, already at work
    team = uuid.uuid4()
    with working.engine.connect() as other:
        other.execute(text("SELECT 1"))

        def write() -> None:
            other.execute(
                text(
                    "INSERT INTO teams (id, name, row_version, created_at)"
                    " VALUES (:id, '催收一组', 1, '2026-01-05 09:00:00.000000')"
                ),
                {"id": team.hex},
            )
            other.commit()

        writer = threading.Thread(target=write)

        def write_meanwhile(*args: Any) -> None:
            if args[2].startswith("DROP TRIGGER IF EXISTS outbox_teams_insert"):
                writer.start()
                writer.join(timeout=1)  # it waits for the install to end: not that long

        event.listen(opening.engine, "after_cursor_execute", write_meanwhile)
        try:
            sync.install_outbox(opening)
        finally:
            event.remove(opening.engine, "after_cursor_execute", write_meanwhile)
        writer.join()
    with opening.engine.connect() as connection:
        waiting = connection.execute(
            text("SELECT row_key FROM sync_outbox WHERE table_name = 'teams'")
        ).scalars()
        assert list(waiting) == [f'["{team.hex}"]']
    opening.dispose()
    working.dispose()


def test_what_the_feed_brings_comes_down_and_is_not_sent_back(world: World, tmp_path: Path) -> None:
    """The lending system's payment matching a borrower's report, a reversal, and the balances
    they leave reach the workstation at its next sync, as the server has them."""

    from app.services.plans.feed import apply_feed, feed_reports
    from app.services.plans.payments import enter_payment
    from app.services.portfolio.accounts import account_detail
    from tests.helpers.feeds import batch, payment, reversal, write_feed

    local = world.workstation(tmp_path / "local.sqlite3")
    contract = world.mine.contract_no
    paid_at = NOW - timedelta(days=1)
    enter_payment(world.central, "zhang.wei", contract, "300", paid_at, now=NOW)
    sync.sync(local, world.central, "zhang.wei")
    assert _count(local, "SELECT count(*) FROM reported_payments WHERE matched_at IS NULL") == 1
    days = [
        [batch(1, NOW.date()), payment(contract, "P-1", paid_at.isoformat(), "300.00"),
         payment(contract, "P-2", paid_at.isoformat(), "120.00")],
        [batch(2, NOW.date()), reversal(contract, "P-2", "R-1", NOW.isoformat())],
    ]  # fmt: skip
    for number, rows in enumerate(days, start=1):
        at = NOW + timedelta(minutes=number)
        apply_feed(world.central, write_feed(tmp_path / f"{number}.csv", rows), now=at)
    report = sync.sync(local, world.central, "zhang.wei")
    assert report.pull.rows >= 3
    assert _count(local, "SELECT count(*) FROM reported_payments WHERE matched_at IS NULL") == 0
    assert _count(local, "SELECT count(*) FROM payments WHERE reversed_at IS NOT NULL") == 1
    assert sync.sync_status(local).waiting == 0
    # The files and their reconciliation are the lead's: on a lead's copy, not a collector's.
    assert _count(local, "SELECT count(*) FROM feed_batches") == 0
    lead = world.workstation(tmp_path / "lead.sqlite3")
    sync.sync(lead, world.central, "lead.wang")
    assert [r.summary.payments for r in feed_reports(lead, "lead.wang") if r.summary] == [0, 2]
    here = account_detail(local, "zhang.wei", contract, NOW)
    there = account_detail(world.central, "zhang.wei", contract, NOW)
    assert (here.balance, here.schedule) == (there.balance, there.schedule)


def _summary_holds(db: Database) -> dict[uuid.UUID, tuple[Any, ...]]:
    """The copy's own queue summary, which the copy's triggers keep: what its rows say."""
    with db.engine.connect() as connection:
        kept = stored_summary(connection)
        assert kept == computed(connection)
    return kept


def _history_on_the_server(world: World, account: Account) -> None:
    portfolio = world.portfolio
    portfolio.attempt(account, NOW - timedelta(hours=5), "RTP")
    portfolio.promise(account, "300", NOW.date(), NOW - timedelta(days=1))
    portfolio.promise(
        account,
        "200",
        NOW.date() - timedelta(days=3),
        NOW - timedelta(days=9),
        PromiseStatus.BROKEN,
    )
    portfolio.callback(account, NOW + timedelta(hours=2))


@pytest.mark.parametrize("bulk", [False, True], ids=["row-by-row", "bulk"])
def test_a_pull_keeps_the_copys_queue_summary_and_a_purge_takes_it_away(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """The summary is not synced: each copy's triggers keep their own as the pull writes the
    rows, or (a pull of many rows) the pull works it out once, triggers put back after."""
    if bulk:
        monkeypatch.setattr(sync, "BULK_ROWS", 10)
    _history_on_the_server(world, world.mine)
    _history_on_the_server(world, world.theirs)
    local = world.workstation(tmp_path / "local.sqlite3")
    sync.sync(local, world.central, "zhang.wei")
    assert set(_summary_holds(local)) == {world.mine.loan_id}
    # What changes on the server afterwards comes down into the copy's summary too.
    with world.central.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE promises SET status = 'kept' WHERE loan_id = :loan AND status = 'pending'"
            ),
            {"loan": world.mine.loan_id.hex},
        )
        connection.execute(
            text("UPDATE callbacks SET done_at = :at WHERE loan_id = :loan"),
            {"loan": world.mine.loan_id.hex, "at": NOW.replace(tzinfo=None).isoformat(" ")},
        )
    _reassign(world, world.theirs, "zhang.wei")
    sync.sync(local, world.central, "zhang.wei")
    kept = _summary_holds(local)
    assert set(kept) == {world.mine.loan_id, world.theirs.loan_id}
    # Open callbacks and pending promises: none left on mine, theirs came with theirs.
    assert (kept[world.mine.loan_id][1], kept[world.mine.loan_id][3]) == (0, 0)
    assert (kept[world.theirs.loan_id][1], kept[world.theirs.loan_id][3]) == (1, 1)
    with local.engine.connect() as connection:
        triggers = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'queue_summary_%'"
        ).scalar_one()
    assert triggers == 15
    queue = build_queue(local, "zhang.wei", NOW)
    assert queue == build_queue(local, "zhang.wei", NOW, summary=False)
    assert [entry.tier for entry in queue.entries] == ["promise_broken"] * 2
    # An account that leaves the copy takes its summary along.
    _reassign(world, world.mine, world.other)
    sync.sync(local, world.central, "zhang.wei")
    assert set(_summary_holds(local)) == {world.theirs.loan_id}
    assert _count(local, "SELECT count(*) FROM loan_queue_summary WHERE loan_id = :id",
                  id=world.mine.loan_id.hex) == 0  # fmt: skip


def test_a_referral_to_legal_goes_to_the_leads_copies_and_not_to_the_collectors(
    world: World, tmp_path: Path
) -> None:
    """The embedded central has no row security: the engine itself keeps a referral's case
    off a collector's copy, which gets the borrower's mark alone."""
    from app.services.legal.referral import StepInput, record_step, refer

    lead, collector = (
        world.workstation(tmp_path / "lead.sqlite3"),
        world.workstation(tmp_path / "mine.sqlite3"),
    )
    sync.sync(lead, world.central, "lead.wang")
    sync.sync(collector, world.central, "zhang.wei")
    refer(lead, "lead.wang", world.mine.contract_no, "silent for months", now=NOW)
    record_step(
        lead,
        "lead.wang",
        world.mine.contract_no,
        StepInput("lawyer", NOW.date(), firm="金杜", lawyer="李律师"),
        now=NOW,
    )
    sync.sync(lead, world.central, "lead.wang")
    assert _count(world.central, "SELECT count(*) FROM legal_steps") == 1
    sync.sync(collector, world.central, "zhang.wei")
    assert _count(collector, "SELECT count(*) FROM borrowers WHERE legal_referral") == 1
    assert _count(collector, "SELECT count(*) FROM legal_cases") == 0
    assert _count(collector, "SELECT count(*) FROM legal_steps") == 0
    fresh = world.workstation(tmp_path / "fresh.sqlite3")
    sync.sync(fresh, world.central, "zhang.wei")
    assert _count(fresh, "SELECT count(*) FROM legal_cases") == 0
    other_lead = world.workstation(tmp_path / "lead2.sqlite3")
    sync.sync(other_lead, world.central, "lead.wang")
    assert _count(other_lead, "SELECT count(*) FROM legal_steps") == 1
