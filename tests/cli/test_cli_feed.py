"""Real daily feed files through `central feed`, into the embedded database and PostgreSQL.

Each file is written as the lending system writes it (UTF-8 with or without a byte-order mark,
or GBK, with Chinese text); the command runs as an administrator or the lending system's own
login runs it (in this process, one run the program itself: tests/helpers/cli.py), and the lead
reads the reconciliation with `team feeds`.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from app.config import DATABASE_FILE, DATABASE_URL_ENV
from app.database import Database
from app.models import Role
from app.services.common.clock import business_zone, local_today
from app.services.common.idnumbers import make
from app.services.sync.central import add_user, init_central
from tests.helpers.cli import run_cli
from tests.helpers.feeds import batch, new_account, payment, write_feed
from tests.helpers.portfolio import Account, Portfolio
from tests.helpers.postgres import fresh_database, tcp_url, tls_environment

TODAY = local_today(datetime.now(UTC))
PASSWORD = "feed test password 123"


@dataclass
class Target:
    """Where the command applies the files (the embedded file in `folder`, or the server at
    `url` as its administrator), and a way to look inside."""

    folder: Path
    url: str | None
    db: Database
    portfolio: Portfolio
    account: Account

    def run(
        self, *command: str, login: str | None = None, real: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """The command (in this process, tests/helpers/cli.py); on the server as its
        administrator, or as `login` over TCP with TLS and its password."""
        env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
        if self.url is not None:
            env[DATABASE_URL_ENV] = self.url
        if login is not None:
            assert self.url is not None
            env = {**tls_environment(), DATABASE_URL_ENV: tcp_url(self.url, login, PASSWORD)}
        return run_cli(self.folder, *command, env=env, real=real)

    def feed(
        self, *paths: Path, login: str | None = None, real: bool = False
    ) -> subprocess.CompletedProcess[str]:
        return self.run("central", "feed", *(str(path) for path in paths), login=login, real=real)

    def rows(self, query: str) -> list[tuple[object, ...]]:
        with self.db.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]

    def fingerprint(self) -> tuple[object, ...]:
        return tuple(
            tuple(self.rows(query))
            for query in (
                "SELECT count(*) FROM borrowers",
                "SELECT count(*) FROM contact_points",
                "SELECT contract_no, status FROM loans ORDER BY contract_no",
                "SELECT seq, principal_paid, interest_paid, fees_paid, penalty_paid, settled_on"
                " FROM instalments ORDER BY loan_id, seq",
                "SELECT source_id, amount FROM payments ORDER BY source_id",
                "SELECT count(*) FROM feed_batches WHERE status = 'applied'",
            )
        )


@pytest.fixture(params=["embedded", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "embedded":
        database = Database(f"sqlite:///{tmp_path / DATABASE_FILE}")
        database.upgrade()
        yield _target(tmp_path, None, database)
        database.dispose()
        return
    with fresh_database() as url:
        database = Database(url)
        init_central(database)
        yield _target(tmp_path, url, database)
        database.dispose()


def _target(folder: Path, url: str | None, database: Database) -> Target:
    portfolio = Portfolio(database)
    return Target(folder, url, database, portfolio, portfolio.account(today=TODAY, dpd=40))


def _at(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), tzinfo=business_zone()).isoformat()


def _recent() -> str:
    """An hour ago: paid already, whatever time the tests run."""
    return (datetime.now(UTC) - timedelta(hours=1)).isoformat()


def _lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in done.stderr
    return done.stdout.splitlines()


def test_files_in_utf8_bom_and_gbk_are_applied_in_their_order_and_twice_change_nothing(
    target: Target, tmp_path: Path
) -> None:
    mine = target.account.contract_no
    yesterday = TODAY - timedelta(days=1)
    first, second = make("440103", date(1990, 5, 17), 11), make("440103", date(1988, 3, 2), 12)
    files = [
        write_feed(
            tmp_path / "feed-1.csv",
            [
                batch(1, yesterday),
                *new_account(first, "HX1", name="王芳", assigned_to="zhang.wei"),
                payment("HX1", "P-1", _at(yesterday), "1045.00"),
            ],
            "utf-8",
        ),
        write_feed(
            tmp_path / "feed-2.csv",
            [
                batch(2, TODAY),
                payment(mine, "P-2", _recent(), "300.00", channel="wechat_pay"),
                {"record": "borrower", "id_number": _id_number(target, mine), "name": "王芳芳"},
            ],
            "utf-8-bom",
        ),
        write_feed(
            tmp_path / "feed-3.csv",
            [
                batch(3, TODAY),
                # A street numbered in full-width digits, as Chinese addresses often are.
                *new_account(
                    second,
                    "HX2",
                    name="陈静",
                    street="中山七路１２号",
                    born="1988-03-02",
                    mobile="139 0000 0012",
                    assigned_to="zhang.wei",
                ),
                payment("HX1", "P-1", _at(yesterday), "1045.00"),
            ],
            "gbk",
        ),
    ]
    done = target.feed(*files, real=True)
    assert done.returncode == 0, done.stderr
    heads = [line for line in _lines(done) if line.startswith("feed ")]
    assert [head.split(" (")[0] for head in heads] == ["feed 1", "feed 2", "feed 3"]
    assert all(head.endswith(": applied") for head in heads)
    assert "  payments: 1 for ¥1,045.00 (0 already known)" in done.stdout
    assert "  payments: 0 for ¥0.00 (1 already known)" in done.stdout
    assert target.rows("SELECT name, street FROM borrowers WHERE name IN ('王芳', '陈静', '王芳芳')"
                       " ORDER BY name") == [("王芳", "中山七路12号"), ("王芳芳", "东四北大街1号"),
                                              ("陈静", "中山七路１２号")]  # fmt: skip
    assert target.rows(
        "SELECT source_id FROM payments WHERE source_id IS NOT NULL ORDER BY source_id"
    ) == [("P-1",), ("P-2",)]
    before = target.fingerprint()
    again = target.feed(*files)
    assert again.returncode == 0, again.stderr
    assert _lines(again) == [head.replace(": applied", ": applied already; nothing changed")
                             for head in heads]  # fmt: skip
    assert target.fingerprint() == before


def test_a_refused_file_names_each_row_and_column_writes_nothing_and_the_lead_sees_it(
    target: Target, tmp_path: Path
) -> None:
    mine = target.account.contract_no
    good = write_feed(tmp_path / "1.csv", [batch(1, TODAY), payment(mine, "P-1", _recent(), "50")])
    assert target.feed(good).returncode == 0
    before = target.fingerprint()
    bad = write_feed(
        tmp_path / "3.csv",
        [
            batch(3, TODAY),
            payment(mine, "P-2", _recent(), "abc"),
            payment("NOPE-1", "P-3", _recent(), "10.00"),
        ],
        "gbk",
    )
    done = target.feed(bad)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0] == (f"error: 3 problems in {bad} (3 rows refused); nothing of it was applied.")
    assert lines[1:] == [
        "  row 2, sequence: file 2 is missing: the last applied was 1 (batch B0001); apply it"
        " first",
        "  row 3, amount: not an amount",
        "  row 4, contract_no: no loan row with this contract",
    ]
    assert target.fingerprint() == before
    shown = target.run("team", "feeds", "--user", "lead.wang")
    assert shown.returncode == 0, shown.stderr
    report = shown.stdout.splitlines()
    assert "refused: 3.csv (batch B0003, 3 rows): 3 problems kept, first:" in report[0]
    assert report[1] == lines[1]
    assert any(": applied" in line and "feed 1 (batch B0001" in line for line in report)
    refused = target.run("team", "feeds", "--user", "zhang.wei")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: The feed's reports are for team leads."


def test_the_lending_systems_login_applies_the_feed_and_no_staff_login_may(
    tmp_path: Path,
) -> None:
    with fresh_database() as url:
        database = Database(url)
        init_central(database)
        target = _target(tmp_path, url, database)
        suffix = uuid.uuid4().hex[:8]
        lending, collector, lead = f"lending_{suffix}", f"clerk_{suffix}", f"boss_{suffix}"
        with database.engine.begin() as connection:
            connection.execute(
                text(f"CREATE ROLE {lending} LOGIN PASSWORD '{PASSWORD}' IN ROLE cw_feed")
            )
            team = connection.execute(text("SELECT name FROM teams")).scalar_one()
        add_user(database, collector, Role.COLLECTOR.value, team, PASSWORD)
        add_user(database, lead, Role.TEAM_LEAD.value, team, PASSWORD)
        try:
            mine = target.account.contract_no
            day = write_feed(
                tmp_path / "1.csv", [batch(1, TODAY), payment(mine, "P-1", _recent(), "88.00")]
            )
            for staff in (collector, lead):
                refused = target.feed(day, login=staff)
                assert refused.returncode == 1
                assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
            assert target.rows("SELECT count(*) FROM feed_batches") == [(0,)]
            # A file the server refuses is kept for the lead by the same login.
            wrong = write_feed(
                tmp_path / "0.csv", [batch(1, TODAY), payment(mine, "P-0", _recent(), "-5")]
            )
            assert target.feed(wrong, login=lending).returncode == 1
            assert target.rows("SELECT applied_by, status FROM feed_batches") == [
                (lending, "refused")
            ]
            applied = target.feed(day, login=lending)
            assert applied.returncode == 0, applied.stderr
            assert target.rows(
                "SELECT applied_by, status FROM feed_batches ORDER BY received_at"
            ) == [(lending, "refused"), (lending, "applied")]
            assert target.rows("SELECT amount FROM payments WHERE source_id = 'P-1'") == [
                (Decimal("88.00"),)
            ]
            # The lead reads the reconciliation through their own login; a collector may not.
            shown = target.run("team", "feeds", login=lead)
            assert shown.returncode == 0, shown.stderr
            assert "  payments: 1 for ¥88.00 (0 already known);" in shown.stdout
            assert target.run("team", "feeds", login=collector).returncode == 1
        finally:
            with database.engine.begin() as connection:
                for role in (lending, collector, lead):
                    connection.execute(text(f"DROP OWNED BY {role}"))
                    connection.execute(text(f"DROP ROLE {role}"))
            database.dispose()


def _id_number(target: Target, contract: str) -> str:
    (found,) = target.rows(
        "SELECT b.id_number FROM borrowers b JOIN loans l ON l.borrower_id = b.id"
        f" WHERE l.contract_no = '{contract}'"
    )
    return str(found[0])
