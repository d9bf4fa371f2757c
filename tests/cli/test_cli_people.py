"""Users, teams and a team's pool from the command line with no server (issue 16), on an
embedded database in a temporary folder (commands in this process, one the program itself:
tests/helpers/cli.py). Every refusal is one line and
changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.common import EXIT_USAGE
from tests.helpers.cli import run_cli
from tests.services.portfolio.test_portfolio_import import ID, OTHER_ID, _rows, _write


def run(data_dir: Path, *args: str, real: bool = False) -> tuple[int, str, str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    result = run_cli(data_dir, *args, real=real)
    return result.returncode, result.stdout, result.stderr


def refused(data_dir: Path, *args: str) -> str:
    """The one line a refused command prints (exit 1, nothing on standard output)."""
    code, out, err = run(data_dir, *args)
    assert (code, out) == (1, ""), (args, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0].removeprefix("error: ")


def users(data_dir: Path) -> dict[str, dict[str, object]]:
    code, out, err = run(data_dir, "users", "--json")
    assert code == 0, err
    return {user["username"]: user for user in json.loads(out)}


def teams(data_dir: Path) -> dict[str, dict[str, object]]:
    code, out, err = run(data_dir, "central", "team", "list", "--json")
    assert code == 0, err
    return {team["name"]: team for team in json.loads(out)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's embedded database: an administrator, a team lead, collectors, an agent."""
    folder = tmp_path_factory.mktemp("people")
    code, _, err = run(
        folder, "demo-data", "--accounts", "120", "--seed", "3", "--accounts-per-collector", "40"
    )
    assert code == 0, err
    return folder


def test_users_and_teams_are_kept_on_the_embedded_database(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    # A team must exist first: a mistyped name makes no new team.
    assert refused(
        folder, "central", "add-user", "zhao.lei", "--role", "collector", "--team", "电催一组"
    ) == (
        "There is no team “电催一组”. `collector-workstation central team list` lists them;"
        " --new-team makes it."
    )
    code, out, err = run(folder, "central", "team", "create", " 电催一组 ", real=True)
    assert (code, out, err) == (0, "created team 电催一组\n", "")
    # No password is asked for: the embedded database has no logins (standard input is empty).
    code, out, err = run(
        folder, "central", "add-user", "zhao.lei", "--role", "collector", "--team", "电催一组",
        "--display-name", "赵磊",
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "added zhao.lei (collector, 电催一组) to the embedded database (it has no logins: no"
        " password is kept)\n"
    )
    code, out, err = run(
        folder, "central", "add-user", "qian.yu", "--role", "team_lead", "--team", "电催二组",
        "--new-team",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("added qian.yu (team_lead, 电催二组, a new team)")
    before = users(folder)
    assert {name: (u["role"], u["team"], u["active"]) for name, u in before.items()} == {
        "zhao.lei": ("collector", "电催一组", True),
        "qian.yu": ("team_lead", "电催二组", True),
    }
    assert before["zhao.lei"]["display_name"] == "赵磊"

    # Each bad input: one line, nothing written.
    add = ("central", "add-user")
    assert refused(folder, *add, "zhao.lei", "--role", "field_agent", "--team", "电催一组") == (
        "There is already a user “zhao.lei”."
    )
    assert refused(
        folder, *add, "Zhao Lei", "--role", "collector", "--team", "电催一组"
    ).startswith("“Zhao Lei” cannot be a user name")
    assert refused(
        folder, *add, "sun.li", "--role", "collector", "--team", "电催一组", "--display-name", " "
    ).startswith("“” cannot be a display name")
    assert refused(folder, *add, "sun.li", "--role", "collector", "--team", " ") == (
        "Name the user's team."
    )
    assert refused(folder, "central", "team", "create", "电催一组") == (
        "There is already a team “电催一组”."
    )
    assert refused(folder, "central", "team", "create", "a\tb").startswith(
        "“a\tb” cannot be a team's name"
    )
    assert refused(folder, "central", "team", "rename", "电催九组", "电催十组") == (
        "There is no team “电催九组”. `collector-workstation central team list` lists them."
    )
    assert refused(folder, "central", "team", "rename", "电催一组", "电催二组") == (
        "There is already a team “电催二组”."
    )
    assert refused(folder, "central", "deactivate-user", "nobody") == (
        "There is no user “nobody”. `collector-workstation users` lists them."
    )
    code, _, err = run(folder, *add, "sun.li", "--role", "admin", "--team", "电催一组")
    assert code == EXIT_USAGE and "invalid choice: 'admin'" in err
    assert users(folder) == before
    assert set(teams(folder)) == {"电催一组", "电催二组"}

    code, out, err = run(folder, "central", "team", "rename", "电催一组", "电催三组")
    assert (code, out) == (0, "renamed team 电催一组 to 电催三组\n"), err
    assert users(folder)["zhao.lei"]["team"] == "电催三组"
    listed = teams(folder)
    assert listed["电催二组"] == {
        "name": "电催二组",
        "leads": ["qian.yu"],
        "active": 1,
        "inactive": 0,
        "accounts": 0,
        "pool": 0,
    }

    code, out, err = run(folder, "central", "deactivate-user", "zhao.lei")
    assert (code, out) == (0, "deactivated zhao.lei: they can no longer work on this database\n")
    assert refused(folder, "central", "deactivate-user", "zhao.lei") == (
        "zhao.lei is already deactivated."
    )
    assert users(folder)["zhao.lei"]["active"] is False
    code, out, _ = run(folder, "users", "--active")
    assert "zhao.lei" not in out and "qian.yu" in out
    assert teams(folder)["电催三组"]["inactive"] == 1


def test_deactivating_leaves_the_accounts_for_the_lead_and_spares_the_last_administrator(
    demo: Path,
) -> None:
    people = users(demo)
    [lead] = [name for name, user in people.items() if user["role"] == "team_lead"]
    [admin] = [name for name, user in people.items() if user["role"] == "admin"]
    worker = sorted(name for name, user in people.items() if user["role"] == "collector")[0]
    assert refused(demo, "central", "deactivate-user", admin) == (
        f"{admin} is the last active administrator, and the database needs one."
    )
    assert users(demo)[admin]["active"] is True
    code, out, err = run(demo, "team", "members", "--user", lead, "--json")
    assert code == 0, err
    held = {m["username"]: m["accounts"] for m in json.loads(out)["members"]}[worker]
    assert held > 0
    code, out, err = run(demo, "central", "deactivate-user", worker)
    assert code == 0, err
    assert out.splitlines() == [
        f"deactivated {worker}: they can no longer work on this database",
        f"{held} active account(s) are still theirs: their lead moves them"
        f" (`collector-workstation team reassign --user LEAD --from {worker} --to …`)",
    ]
    # The lead sees who is active; the deactivated member last, their accounts still theirs.
    code, out, err = run(demo, "team", "members", "--user", lead, "--json")
    assert code == 0, err
    members = json.loads(out)["members"]
    assert members[-1] == {**members[-1], "username": worker, "active": False, "accounts": held}
    assert all(member["active"] for member in members[:-1])
    code, out, _ = run(demo, "team", "members", "--user", lead)
    assert f"{worker}" in out and "inactive" in out
    assert out.splitlines()[-1].endswith("0 account(s) in the pool")
    # Who is active is a lead's (or an administrator's) view.
    colleague = next(m["username"] for m in members if m["role"] == "collector")
    assert refused(demo, "team", "members", "--user", colleague) == (
        "Only a team lead can open the team's views."
    )
    assert refused(demo, "team", "members", "--user", worker) == (
        f"The account of {worker} is deactivated."
    )


def test_the_pool_is_listed_previewed_and_allocated_by_the_lead(demo: Path, tmp_path: Path) -> None:
    people = users(demo)
    [lead] = [name for name, user in people.items() if user["role"] == "team_lead"]
    team = str(people[lead]["team"])
    first, second = sorted(
        name for name, user in people.items() if user["role"] == "collector" and user["active"]
    )[:2]
    # Two new accounts from the lending system with nobody to work them.
    rows = []
    for serial, borrower in ((1, ID), (2, OTHER_ID)):
        for line in _rows():
            if "contract_no" in line:
                line["contract_no"] = f"HXPOOL{serial:06d}"
            if "id_number" in line:
                line["id_number"] = borrower
            if line["record"] == "borrower":  # the birth date the ID number carries
                born = borrower[6:14]
                line["date_of_birth"] = f"{born[:4]}-{born[4:6]}-{born[6:]}"
            if line["record"] == "loan":
                line["assigned_to"] = ""
            rows.append(line)
    export = _write(tmp_path / "new.csv", rows)
    code, out, err = run(demo, "central", "import-portfolio", str(export), "--team", team)
    assert code == 0, err
    assert teams(demo)[team]["pool"] == 2

    code, out, err = run(demo, "team", "pool", "--user", lead, "--json")
    assert code == 0, err
    pooled = json.loads(out)
    assert {a["contract_no"] for a in pooled} == {"HXPOOL000001", "HXPOOL000002"}
    assert {a["assignee"] for a in pooled} == {None}
    code, out, _ = run(demo, "team", "pool", "--user", lead)
    assert "(pool)" in out and out.splitlines()[-1].startswith("2 account(s) in the pool")
    # Nobody else sees it: not the collectors, and it is in no queue.
    assert refused(demo, "team", "pool", "--user", first) == (
        "Only a team lead can open the team's views."
    )
    code, out, err = run(demo, "queue", "--user", first, "--json")
    assert code == 0, err
    assert "HXPOOL" not in out

    # By hand: one account to one collector.
    code, out, err = run(
        demo, "team", "reassign", "--user", lead, "HXPOOL000001", "--to", first,
        "--reason", "New this morning.", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["moved"] == ["HXPOOL000001"]
    # By the rule: previewed first, which moves nothing.
    rule = ("team", "reassign", "--user", lead, "--pool", "--to", second, "--reason", "Pool.")
    code, out, err = run(demo, *rule, "--dry-run")
    assert code == 0, err
    assert "HXPOOL000002  (pool) → " + second in out
    code, out, _ = run(demo, "team", "pool", "--user", lead, "--json")
    assert [a["contract_no"] for a in json.loads(out)] == ["HXPOOL000002"]
    code, out, err = run(demo, *rule)
    assert code == 0, err
    code, out, _ = run(demo, "team", "pool", "--user", lead, "--json")
    assert json.loads(out) == []
    for name, contract in ((first, "HXPOOL000001"), (second, "HXPOOL000002")):
        code, out, err = run(demo, "queue", "--user", name, "--json")
        assert code == 0, err
        assert contract in {entry["contract_no"] for entry in json.loads(out)}, name


def test_an_import_names_a_real_team_for_the_pool(demo: Path, tmp_path: Path) -> None:
    unassigned = [{**row, "assigned_to": ""} if row["record"] == "loan" else row for row in _rows()]
    export = _write(tmp_path / "plain.csv", unassigned)
    assert refused(demo, "central", "import-portfolio", str(export), "--team", "电催九组") == (
        "There is no team “电催九组”. `collector-workstation central team list` lists them."
    )
    code, _, err = run(demo, "central", "import-portfolio", str(export))
    assert code == 1
    assert "row 5, team: a loan nobody is assigned to needs a team" in err
    named = [{**row, "team": "电催九组"} if row["record"] == "loan" else row for row in unassigned]
    code, _, err = run(demo, "central", "import-portfolio", str(_write(tmp_path / "n.csv", named)))
    assert code == 1
    assert "row 5, team: no team “电催九组” in the database" in err
