"""`central init`, `central add-user`, `deactivate-user` and `team` against a real PostgreSQL
server."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app.database import Database, head_revision
from app.models import Role, User
from tests.helpers.cli import run_cli
from tests.helpers.postgres import fresh_database


def _cli(
    tmp_path: Path, *args: str, stdin: str = "", real: bool = False
) -> subprocess.CompletedProcess[str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    return run_cli(tmp_path, *args, stdin=stdin, real=real)


def test_init_then_add_user_gives_a_login_that_sees_only_its_scope(tmp_path: Path) -> None:
    name = f"zhao.lei_t{uuid.uuid4().hex[:8]}"
    with fresh_database() as url:
        try:
            done = _cli(tmp_path, "central", "init", "--url", url, real=True)
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
                "--new-team", "--url", url, "--password-stdin", stdin="a long enough secret\n",
                real=True,
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
                "电催一组", "--new-team", "--url", url, "--password-stdin",
                stdin="a long enough secret\n",
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


def test_on_a_server_users_and_teams_refuse_each_bad_input_in_one_line(tmp_path: Path) -> None:
    name = f"sun.li_t{uuid.uuid4().hex[:8]}"
    with fresh_database() as url:
        admin = make_url(url).username
        assert admin
        try:
            assert _cli(tmp_path, "central", "init", "--url", url).returncode == 0
            add = ("central", "add-user", name, "--role", "team_lead", "--url", url)
            unknown = _cli(tmp_path, *add, "--team", "电催五组", "--password-stdin", stdin="x\n")
            assert unknown.returncode == 1
            assert unknown.stderr == "error: The password is too short: at least 12 characters.\n"
            unknown = _cli(
                tmp_path, *add, "--team", "电催五组", "--password-stdin",
                stdin="a long enough secret\n",
            )  # fmt: skip
            assert (unknown.returncode, unknown.stderr) == (
                1,
                "error: There is no team “电催五组”. `collector-workstation central team list`"
                " lists them; --new-team makes it.\n",
            )
            made = _cli(tmp_path, "central", "team", "create", "电催五组", "--url", url)
            assert (made.returncode, made.stdout) == (0, "created team 电催五组\n"), made.stderr
            added = _cli(
                tmp_path, *add, "--team", "电催五组", "--password-stdin",
                stdin="a long enough secret\n",
            )  # fmt: skip
            assert added.returncode == 0, added.stderr
            assert "with a login role of their own" in added.stdout
            listed = _cli(tmp_path, "central", "team", "list", "--json", "--url", url)
            assert json.loads(listed.stdout) == [
                {
                    "name": "电催五组",
                    "leads": [name],
                    "active": 1,
                    "inactive": 0,
                    "accounts": 0,
                    "pool": 0,
                }
            ]
            # The administrator's own login, were it a user, and the last administrator are
            # not deactivated.
            db = Database(url)
            with db.session() as session:
                session.add(User(username=admin, display_name=admin, role=Role.ADMIN))
            db.dispose()
            myself = _cli(tmp_path, "central", "deactivate-user", admin, "--url", url)
            assert (myself.returncode, myself.stderr) == (
                1,
                f"error: You cannot deactivate yourself ({admin}): another administrator does"
                " it.\n",
            )
            off = _cli(tmp_path, "central", "deactivate-user", name, "--url", url)
            assert (off.returncode, off.stdout) == (
                0,
                f"deactivated {name}: their login is refused; 0 open sessions cut\n",
            ), off.stderr
            again = _cli(tmp_path, "central", "deactivate-user", name, "--url", url)
            assert (again.returncode, again.stderr) == (
                1,
                f"error: {name} is already deactivated.\n",
            )
        finally:
            engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
            engine.dispose()
