"""`central init` and `central add-user` against a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

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
            assert "revision 0004" in done.stdout and "row-level security forced" in done.stdout
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
