"""`central init` and `central add-user` against a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app.database import head_revision
from tests.helpers.postgres import fresh_database


def _cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_init_then_add_user_gives_a_login_that_sees_only_its_scope(tmp_path: Path) -> None:
    name = f"zhao.lei_t{uuid.uuid4().hex[:8]}"
    with fresh_database() as url:
        try:
            done = _cli(tmp_path, "central", "init", "--url", url)
            assert done.returncode == 0, done.stderr
            assert (
                f"revision {head_revision()}" in done.stdout
                and "row-level security forced" in done.stdout
            )
            refused = _cli(
                tmp_path, "central", "add-user", name, "--role", "collector", "--team", "电催一组",
                "--url", url, "--password-stdin", stdin="short\n",
            )  # fmt: skip
            assert refused.returncode == 1 and "too short" in refused.stderr
            added = _cli(
                tmp_path, "central", "add-user", name, "--role", "collector", "--team", "电催一组",
                "--url", url, "--password-stdin", stdin="a long enough secret\n",
            )  # fmt: skip
            assert added.returncode == 0, added.stderr
            target = make_url(url)
            with psycopg.connect(
                host="127.0.0.1",
                port=target.port or 5432,
                dbname=target.database,
                user=name,
                password="a long enough secret",
            ) as connection:
                me = connection.execute("SELECT username, role FROM users WHERE id = cw_me()")
                assert me.fetchone() == (name, "collector")
                assert connection.execute("SELECT count(*) FROM loans").fetchone() == (0,)
        finally:
            engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
            engine.dispose()


def test_import_portfolio_loads_all_or_reports_each_bad_row(tmp_path: Path) -> None:
    from tests.services.portfolio.test_portfolio_import import _rows, _write

    collector = f"zhou.min_t{uuid.uuid4().hex[:8]}"
    rows = _rows()
    rows[3]["assigned_to"] = collector
    good = _write(tmp_path / "export.csv", rows)
    bad_rows = [dict(row) for row in rows]
    bad_rows[3]["principal"] = "lots"
    bad = _write(tmp_path / "bad.csv", bad_rows)
    with fresh_database() as url:
        try:
            assert _cli(tmp_path, "central", "init", "--url", url).returncode == 0
            added = _cli(
                tmp_path, "central", "add-user", collector, "--role", "collector", "--team",
                "电催一组", "--url", url, "--password-stdin", stdin="a long enough secret\n",
            )  # fmt: skip
            assert added.returncode == 0, added.stderr
            refused = _cli(tmp_path, "central", "import-portfolio", str(bad), "--url", url)
            assert refused.returncode == 1
            assert "nothing was imported" in refused.stderr
            assert "row 5, principal: not an amount" in refused.stderr
            done = _cli(tmp_path, "central", "import-portfolio", str(good), "--url", url)
            assert done.returncode == 0, done.stderr
            assert "imported 1 loans of 1 new borrowers" in done.stdout
            engine = create_engine(make_url(url))
            with engine.connect() as connection:
                count = connection.exec_driver_sql("SELECT count(*) FROM instalments").scalar()
            engine.dispose()
            assert count == 3
        finally:
            engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{collector}"')
            engine.dispose()
    # With no server, the embedded database takes it the same way; a loan nobody is assigned
    # to waits in a team's pool, so it needs a team.
    unassigned = [{**row, "assigned_to": ""} if row["record"] == "loan" else row for row in rows]
    plain = _write(tmp_path / "plain.csv", unassigned)
    homeless = _cli(tmp_path / "embedded", "central", "import-portfolio", str(plain))
    assert homeless.returncode == 1
    assert "row 5, team: a loan nobody is assigned to needs a team" in homeless.stderr
    made = _cli(tmp_path / "embedded", "central", "team", "create", "电催一组")
    assert made.returncode == 0, made.stderr
    embedded = _cli(
        tmp_path / "embedded", "central", "import-portfolio", str(plain), "--team", "电催一组"
    )
    assert embedded.returncode == 0, embedded.stderr
    assert "imported 1 loans" in embedded.stdout
