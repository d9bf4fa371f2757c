"""The referral package and the auditor's export on the real central server, run from the
command line signed in as each staff login: a lead writes them for the team's accounts (the
reads run as the lead, under row-level security), and the event on record is the lead's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from app.config import DATABASE_URL_ENV
from tests.central.conftest import PASSWORD, World
from tests.helpers.pdf import pdf_fonts, pdf_raw_text
from tests.helpers.postgres import tcp_url, tls_environment


def _cli(world: World, folder: Path, *args: str, login: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **tls_environment(),
        DATABASE_URL_ENV: tcp_url(world.db.url, world.logins[login], PASSWORD),
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(folder), *args],
        capture_output=True, text=True, timeout=300, env=environment, check=False,
    )  # fmt: skip


def _events(world: World, action: str) -> list[tuple[object, ...]]:
    return world.admin(
        "SELECT a.user_id, a.entity_id, a.details FROM audit_events a WHERE a.action = %s",
        (action,),
    )


def test_a_lead_writes_the_package_of_a_team_account_as_their_own_login(
    world: World, tmp_path: Path
) -> None:
    account = world.accounts["collector_a"]
    out = tmp_path / "package"

    done = _cli(
        world, tmp_path, "legal-package", "--contract", account.contract_no,
        "--out", str(out), "--json", login="lead_a",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)
    assert written["contract_no"] == account.contract_no
    (event,) = _events(world, "legal.package_written")
    assert event[0] == world.user_id("lead_a") and event[1] == str(account.loan_id)
    details = event[2]
    assert isinstance(details, dict)
    assert details["files"] == {f["name"]: f["sha256"] for f in written["files"]}
    data = (out / "package_zh_CN.pdf").read_bytes()
    assert all(font.embedded for font in pdf_fonts(data))
    assert account.contract_no in pdf_raw_text(data)


def test_another_teams_account_and_a_collector_are_refused_and_nothing_is_written(
    world: World, tmp_path: Path
) -> None:
    other = world.accounts["collector_b"]
    own = world.accounts["collector_a"]

    done = _cli(
        world, tmp_path, "legal-package", "--contract", other.contract_no,
        "--out", str(tmp_path / "p"), login="lead_a",
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    # Row-level security shows the lead no account of another team's.
    assert done.stderr == (
        f"error: There is no account with contract number “{other.contract_no}”.\n"
    )
    done = _cli(
        world, tmp_path, "legal-package", "--contract", own.contract_no,
        "--out", str(tmp_path / "q"), login="collector_a",
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: ") and "\n" not in done.stderr.rstrip("\n")
    done = _cli(
        world, tmp_path, "audit-export", "--contract", other.contract_no,
        "--out", str(tmp_path / "r"), login="lead_a",
    )  # fmt: skip
    assert done.returncode == 1
    assert not [p for p in tmp_path.iterdir() if p.name in ("p", "q", "r")]
    assert _events(world, "legal.package_written") == []
    assert _events(world, "audit_export.written") == []


def test_a_leads_audit_export_is_on_record_as_theirs(world: World, tmp_path: Path) -> None:
    out = tmp_path / "audit"

    done = _cli(
        world, tmp_path, "audit-export", "--contract", world.accounts["collector_a"].contract_no,
        "--out", str(out), "--json", login="lead_a",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sections"]["complaints"] == {"file": "complaints.csv"}
    assert manifest["written_by"] == world.logins["lead_a"]
    (event,) = _events(world, "audit_export.written")
    assert event[0] == world.user_id("lead_a")
