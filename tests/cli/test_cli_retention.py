"""`central retention run` on the embedded database, as an administrator runs it: who goes,
who stays and why, what a dry run and a second run do, and a run killed half-way."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.services.field.visits import mark_for_visit
from app.services.plans.agreements import create_agreement
from app.services.plans.offers import PlanTerms
from app.services.portfolio.notes import add_note
from app.services.sync.engine import install_clock
from app.services.sync.local_store import open_local_store, passphrase_key
from tests.helpers.cli import run_cli
from tests.helpers.portfolio import Portfolio
from tests.helpers.retention import ERASED, KEPT, Closed, closed_accounts, dump, today_here


def _cli(data_dir: Path, *args: str, real: bool = False) -> subprocess.CompletedProcess[str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    return run_cli(data_dir, *args, real=real)


def _central(data_dir: Path) -> Database:
    return Database(f"sqlite:///{data_dir / 'central.sqlite3'}")


def _everything(data_dir: Path) -> list[str]:
    """The whole database file as SQL: schema, triggers, every row."""
    with sqlite3.connect(data_dir / "central.sqlite3") as connection:
        return list(connection.iterdump())


@pytest.fixture
def embedded(tmp_path: Path) -> tuple[Path, Closed]:
    """An embedded central (stamping its changes, as one workstations sync with does) with the
    closed accounts of tests/helpers/retention.py."""
    data_dir = tmp_path / "data"
    db = _central(data_dir)
    db.upgrade()
    world = closed_accounts(db, Portfolio(db), today_here())
    install_clock(db)
    db.dispose()
    return data_dir, world


def _kept_reasons(world: Closed) -> dict[str, list[str]]:
    return {
        world.contracts["disputed"][0]: ["dispute_open"],
        world.contracts["promised"][0]: ["promise"],
        world.contracts["planned"][0]: ["plan"],
        world.contracts["unknown"][0]: ["closure_day_unknown"],
    }


def test_a_dry_run_lists_who_would_go_and_who_stays_and_writes_nothing(
    embedded: tuple[Path, Closed],
) -> None:
    data_dir, world = embedded
    before = _everything(data_dir)
    done = _cli(data_dir, "central", "retention", "run", "--dry-run", "--json", real=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["dry_run"] is True
    assert sorted(n for item in report["erased"] for n in item["contracts"]) == world.erased()
    kept = {item["contracts"][0]: item["reasons"] for item in report["kept"]}
    assert kept == _kept_reasons(world)
    # Closed less than five years ago (a day short, at that), or with a later account that is.
    assert report["within"] == 2
    removed = report["removed"]
    assert removed["borrowers"] == len(ERASED)
    assert removed["contact_points"] == 2 * len(ERASED)
    assert removed["account_notes.text"] == len(ERASED)
    for what in (
        "contact_attempts.notes",
        "visit_requests.reason",
        "priority_overrides.reason",
        "callbacks.note",
        "escalations.note",
    ):
        assert removed[what] == 1, what
    # The visit request's and the override's reasons; a contact's and a note's events hold
    # codes and counts only.
    assert removed["audit_events"] == 2
    assert _everything(data_dir) == before
    # The same in words, without a name or a number of anyone's.
    words = _cli(data_dir, "central", "retention", "run", "--dry-run")
    assert words.returncode == 0, words.stderr
    assert "(dry run: nothing changed)" in words.stdout
    assert f"would erase the personal data of {len(ERASED)} borrowers" in words.stdout
    assert f"{world.contracts['disputed'][0]}: closed" in words.stdout
    assert "dispute open" in words.stdout and "closure day unknown" in words.stdout
    for secrets in world.secrets.values():
        assert not any(secret in words.stdout for secret in secrets)
    assert _everything(data_dir) == before


def test_a_run_erases_past_retention_keeps_counts_and_amounts_and_a_second_does_nothing(
    embedded: tuple[Path, Closed],
) -> None:
    data_dir, world = embedded
    db = _central(data_dir)
    counts = (
        "SELECT (SELECT count(*) FROM contact_attempts), (SELECT count(*) FROM account_notes),"
        " (SELECT sum(amount) FROM payments), (SELECT count(*) FROM payments),"
        " (SELECT count(*) FROM loans), (SELECT count(*) FROM borrowers),"
        " (SELECT count(*) FROM escalations), (SELECT count(*) FROM audit_events)"
    )
    with db.engine.connect() as connection:
        before = connection.exec_driver_sql(counts).one()
    done = _cli(data_dir, "central", "retention", "run")
    assert done.returncode == 0, done.stderr
    assert (
        f"erased the personal data of {len(ERASED)} borrowers ({len(ERASED)} accounts)"
        in done.stdout
    )
    everything = dump(db)
    for kind in ERASED:
        leaked = [secret for secret in world.secrets[kind] if secret in everything]
        assert leaked == [], kind
    for kind in KEPT:
        lost = [secret for secret in world.secrets[kind] if secret not in everything]
        assert lost == [], kind
    with db.engine.connect() as connection:
        after = connection.exec_driver_sql(counts).one()
        # The logs keep their rows and the ledger its amounts; the job adds its own record.
        assert after[:-1] == before[:-1] and after[-1] == before[-1] + 2
        gone = world.accounts["gone"]
        name, id_number, born, erased_at, province = connection.execute(
            text(
                "SELECT name, id_number, date_of_birth, erased_at, province FROM borrowers"
                " WHERE id = :id"
            ),
            {"id": gone.borrower_id.hex},
        ).one()
        assert (name, id_number[0], born, province) == ("", "X", "1900-01-01", "北京市")
        assert erased_at is not None
        # The contact still says it happened, and how; not on which number.
        assert connection.execute(
            text(
                "SELECT disposition, contact_point_id, notes FROM contact_attempts"
                " WHERE loan_id = :loan"
            ),
            {"loan": gone.loan_id.hex},
        ).all() == [("NA", None, None)]
        records = [
            (action, json.loads(details))
            for action, details in connection.execute(
                text(
                    "SELECT action, details FROM audit_events WHERE entity = 'retention'"
                    " ORDER BY action"
                )
            )
        ]
    assert [action for action, _ in records] == ["retention.erased", "retention.run"]
    erased, summary = records[0][1], records[1][1]
    assert sorted(erased["contracts"]) == world.erased()
    assert erased["removed"]["borrowers"] == summary["borrowers"] == len(ERASED)
    assert summary["accounts"] == len(ERASED) and summary["kept"] == 4
    # What is left is refused as ever: the audit trail is still append-only.
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_events SET details = '{}'")
    db.dispose()

    settled = _everything(data_dir)
    again = _cli(data_dir, "central", "retention", "run")
    assert again.returncode == 0, again.stderr
    assert "erased the personal data of 0 borrowers" in again.stdout
    assert _everything(data_dir) == settled


def test_a_run_erases_nothing_before_its_day(embedded: tuple[Path, Closed]) -> None:
    data_dir, world = embedded
    before = _everything(data_dir)
    tomorrow = (world.today + timedelta(days=1)).isoformat()
    refused = _cli(data_dir, "central", "retention", "run", "--at", tomorrow)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "add --dry-run" in lines[0], refused.stderr
    assert _everything(data_dir) == before
    # A dry run may look ahead: tomorrow the account closed a day short of five years goes.
    ahead = _cli(data_dir, "central", "retention", "run", "--dry-run", "--at", tomorrow, "--json")
    assert ahead.returncode == 0, ahead.stderr
    due = sorted(n for item in json.loads(ahead.stdout)["erased"] for n in item["contracts"])
    assert due == sorted([*world.erased(), *world.contracts["day_before"]])
    # Looking back erases less: a year ago only the accounts closed six years ago were past.
    back = (world.today - timedelta(days=366)).isoformat()
    earlier = _cli(data_dir, "central", "retention", "run", "--at", back, "--json")
    assert earlier.returncode == 0, earlier.stderr
    done = sorted(n for item in json.loads(earlier.stdout)["erased"] for n in item["contracts"])
    assert done == sorted([*world.contracts["gone"], *world.contracts["by_payments"]])


def test_a_run_killed_half_way_leaves_each_borrower_whole_or_erased_and_the_next_finishes(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    db = _central(data_dir)
    db.upgrade()
    portfolio = Portfolio(db)
    today = today_here()
    accounts = []
    for serial in range(40):
        account = portfolio.account(
            today=today, dpd=40, name=f"杀{serial}", numbers={"mobile": f"1371234{serial:04d}"}
        )
        accounts.append(account)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'settled', closed_on = :day"),
            {"day": today - timedelta(days=6 * 366)},
        )
    install_clock(db)
    command = ("central", "retention", "run", "--batch", "1")
    run = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Killed once some borrowers are gone, wherever in the next one's transaction it is.
    deadline = time.monotonic() + 120
    erased = 0
    while erased < 3 and time.monotonic() < deadline and run.poll() is None:
        with db.engine.connect() as connection:
            erased = connection.exec_driver_sql(
                "SELECT count(*) FROM borrowers WHERE erased_at IS NOT NULL"
            ).scalar_one()
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    assert erased > 0, run.stderr.read() if run.stderr else ""

    def states() -> dict[str, str]:
        found = {}
        with db.engine.connect() as connection:
            for index, account in enumerate(accounts):
                name, erased_at, points = connection.execute(
                    text(
                        "SELECT name, erased_at, (SELECT count(*) FROM contact_points p WHERE"
                        " p.borrower_id = b.id) FROM borrowers b WHERE id = :id"
                    ),
                    {"id": account.borrower_id.hex},
                ).one()
                whole = (name, erased_at, points) == (f"杀{index}", None, 1)
                gone = (name, points) == ("", 0) and erased_at is not None
                assert whole or gone, (index, name, erased_at, points)
                found[account.contract_no] = "whole" if whole else "erased"
        return found

    after_kill = states()
    assert "erased" in after_kill.values() and "whole" in after_kill.values()
    with db.engine.connect() as connection:
        # Every erased borrower's batch wrote its record with it.
        recorded = {
            number
            for (details,) in connection.exec_driver_sql(
                "SELECT details FROM audit_events WHERE action = 'retention.erased'"
            )
            for number in json.loads(details)["contracts"]
        }
    assert recorded == {n for n, state in after_kill.items() if state == "erased"}
    finish = _cli(data_dir, "central", "retention", "run")
    assert finish.returncode == 0, finish.stderr
    remaining = sum(1 for state in after_kill.values() if state == "whole")
    assert f"erased the personal data of {remaining} borrowers" in finish.stdout
    assert set(states().values()) == {"erased"}
    db.dispose()


PASSPHRASE = "a long passphrase here"


def test_a_workstation_copy_loses_the_erased_data_and_its_pdfs_at_its_next_sync(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    central = _central(data_dir)
    central.upgrade()
    portfolio = Portfolio(central)
    today = today_here()
    mine = portfolio.account(
        today=today,
        dpd=40,
        name="李雷",
        numbers={"mobile": "13712340001", "emergency": "13712340002"},
        street="朝阳路8号",
    )
    install_clock(central)

    def sync(stdin: str = PASSPHRASE) -> str:
        done = _cli_input(data_dir, stdin, "sync", "--user", "lead.wang", "--passphrase-stdin")
        assert done.returncode == 0, done.stderr
        return done.stdout

    # The lead's workstation works on the account while it is open: a note, a visit asked for
    # with a reason, an agreement printed (and handed to the borrower, who keeps a copy).
    sync()
    local = open_local_store(data_dir, passphrase_key(PASSPHRASE))
    note, reason = "借款人说他下月一号发工资", "邻居说他白天在菜市场"
    add_note(local, "lead.wang", mine.contract_no, note)
    mark_for_visit(local, "lead.wang", mine.contract_no, reason)
    printed = tmp_path / "agreement.pdf"
    made = create_agreement(
        local,
        "lead.wang",
        mine.contract_no,
        PlanTerms(kind="full", first_due=today + timedelta(days=7)),
        printed,
    )
    assert made.path == printed
    kept_by_borrower = tmp_path / "borrowers-copy.pdf"
    shutil.copy(printed, kept_by_borrower)
    local.dispose()
    sync()
    # Years later: the lending system closed the account and the plan was paid.
    with central.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'settled', closed_on = :day WHERE id = :id"),
            {"day": today - timedelta(days=6 * 366), "id": mine.loan_id.hex},
        )
        connection.execute(
            text("UPDATE repayment_plans SET status = 'completed' WHERE id = :id"),
            {"id": made.plan.id.hex},
        )
    # Meanwhile, offline, the lead writes on the borrower's record: an edit still waiting.
    local = open_local_store(data_dir, passphrase_key(PASSPHRASE))
    with local.engine.begin() as connection:
        connection.execute(
            text("UPDATE borrowers SET notes = '他妹妹在深圳' WHERE id = :id"),
            {"id": mine.borrower_id.hex},
        )
    secrets = [
        "李雷",
        "朝阳路8号",
        "+8613712340001",
        "+8613712340002",
        note,
        reason,
        "他妹妹在深圳",
    ]
    held = dump(local)
    assert all(secret in held for secret in secrets)
    local.dispose()

    run = _cli(data_dir, "central", "retention", "run")
    assert run.returncode == 0, run.stderr
    assert f"{mine.contract_no}: closed" in run.stdout and "PDFs deleted: 0" in run.stdout
    synced = sync()
    assert "1 borrowers erased under retention" in synced
    local = open_local_store(data_dir, passphrase_key(PASSPHRASE))
    held = dump(local)
    assert [secret for secret in secrets if secret in held] == []
    with local.engine.connect() as connection:
        # The account and its figures stay; the losing edit is no conflict kept for anyone.
        assert connection.exec_driver_sql("SELECT count(*) FROM loans").scalar_one() == 1
        assert connection.exec_driver_sql("SELECT count(*) FROM sync_conflicts").scalar_one() == 0
        assert connection.exec_driver_sql("SELECT count(*) FROM issued_documents").scalar_one() == 0
    local.dispose()
    # The PDF this workstation wrote went with it; the borrower's own copy is still genuine,
    # but it cannot be printed again.
    assert not printed.exists() and kept_by_borrower.exists()
    verified = _cli(data_dir, "verify-agreement", str(kept_by_borrower))
    assert verified.returncode == 0 and "genuine" in verified.stdout, verified.stdout
    again = _cli(
        data_dir, "plan", "print", str(made.plan.id), "--user", "lead.wang",
        "--out", str(tmp_path / "again.pdf"),
    )  # fmt: skip
    assert again.returncode == 1
    assert "past retention" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "again.pdf").exists()
    central.dispose()


def _cli_input(data_dir: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data_dir, *args, stdin=stdin)


def test_the_pdfs_written_for_an_erased_account_go_unless_changed_since(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db = _central(data_dir)
    db.upgrade()
    portfolio = Portfolio(db)
    today = today_here()
    accounts = [portfolio.account(today=today, dpd=40, name=f"协议{n}") for n in range(2)]
    printed = [tmp_path / f"agreement-{n}.pdf" for n in range(2)]
    for account, out in zip(accounts, printed, strict=True):
        made = create_agreement(
            db,
            "zhang.wei",
            account.contract_no,
            PlanTerms(kind="full", first_due=today + timedelta(days=7)),
            out,
        )
        assert made.path == out
    # Someone saved something else under the second file's name since.
    printed[1].write_bytes(b"%PDF-1.4 not the agreement any more")
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'settled', closed_on = :day"),
            {"day": today - timedelta(days=6 * 366)},
        )
        connection.execute(text("UPDATE repayment_plans SET status = 'completed'"))
    install_clock(db)
    dry = _cli(data_dir, "central", "retention", "run", "--dry-run")
    assert "PDFs on record that would be deleted: 2" in dry.stdout
    assert all(out.exists() for out in printed)
    done = _cli(data_dir, "central", "retention", "run")
    assert done.returncode == 0, done.stderr
    assert "PDFs deleted: 1 (1 changed since written, left; 0 already gone)" in done.stdout
    assert not printed[0].exists() and printed[1].exists()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM issued_documents").scalar() == 0
    db.dispose()
