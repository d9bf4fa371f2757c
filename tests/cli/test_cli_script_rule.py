"""The call script is a rule on the command line too (issue 15): a right-party outcome is
logged with the path taken through the script `script` shows, and only a path in which the
borrower was verified and every required disclosure was ticked off."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.cli.parser import main
from app.database import Database
from app.models import ContactAttempt, ContactPoint
from app.services.contact.queue import build_queue
from app.services.contact.scripts import call_script, sample_path
from tests.helpers.cli import run_cli

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Call:
    data_dir: Path
    user: str
    contract: str
    number: str
    at: datetime

    def log(self, *args: str) -> tuple[int, str, str]:
        return run(
            self.data_dir,
            "log-contact",
            "--user",
            self.user,
            "--contract",
            self.contract,
            "--number",
            self.number,
            "--at",
            self.at.isoformat(),
            *args,
        )

    def attempts(self) -> int:
        db = Database(f"sqlite:///{self.data_dir / 'central.sqlite3'}")
        try:
            with db.reader() as session:
                return session.scalar(select(func.count()).select_from(ContactAttempt)) or 0
        finally:
            db.dispose()


def run(data_dir: Path, *args: str, real: bool = False) -> tuple[int, str, str]:
    """The command in this process, or (`real`) the program itself (tests/helpers/cli.py)."""
    done = run_cli(data_dir, *args, real=real)
    return done.returncode, done.stdout, done.stderr


def _daytime() -> datetime:
    """An hour ago if Beijing was awake then, else 15:00 Beijing of the last day (within 24 h)."""
    now = datetime.now(UTC)
    candidate = now - timedelta(hours=1)
    if 9 <= candidate.astimezone(BEIJING).hour < 20:
        return candidate
    local = now.astimezone(BEIJING).replace(hour=15, minute=0, second=0, microsecond=0)
    if local > now:
        local -= timedelta(days=1)
    return local.astimezone(UTC)


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Call:
    folder = tmp_path_factory.mktemp("script-rule")
    assert main(["--data-dir", str(folder), "demo-data", "--accounts", "200", "--seed", "9"]) == 0
    code, out, _ = run(folder, "users", "--json")
    assert code == 0
    user = next(u["username"] for u in json.loads(out) if u["role"] == "collector")
    at = _daytime()
    db = Database(f"sqlite:///{folder / 'central.sqlite3'}")
    try:
        entry = next(e for e in build_queue(db, user, at).entries if e.contact.allowed)
        with db.reader() as session:
            number = session.get_one(ContactPoint, entry.contact.contact_point_id).value
    finally:
        db.dispose()
    return Call(folder, user, entry.contract_no, number, at)


def _promise(call: Call) -> list[str]:
    code, out, _ = run(call.data_dir, "checklist", "--emotion", "calm", "--outcome", "PTP")
    assert code == 0
    required = [line.split()[0] for line in out.splitlines() if line.split()[1] == "required"]
    due = (call.at.astimezone(BEIJING).date() + timedelta(days=3)).isoformat()
    return [
        "--outcome",
        "PTP",
        "--emotion",
        "calm",
        "--checklist",
        *required,
        "--promise-amount",
        "100",
        "--promise-date",
        due,
    ]


def _path(call: Call) -> tuple[str, ...]:
    db = Database(f"sqlite:///{call.data_dir / 'central.sqlite3'}")
    try:
        path = sample_path(call_script(db, call.user, call.contract, "en", call.at), "PTP")
    finally:
        db.dispose()
    assert path is not None
    return path


def test_a_promise_without_the_script_path_is_refused_in_one_line(call: Call) -> None:
    before = call.attempts()
    code, out, err = call.log(*_promise(call))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: PTP is a right-party outcome: record it with the path taken through the call"
        " script, in which the identity check verified the borrower."
    ]
    assert call.attempts() == before


def test_a_path_that_skips_a_required_disclosure_is_refused(call: Call) -> None:
    before = call.attempts()
    untold = ",".join(step.removesuffix("=said") for step in _path(call))
    code, _, err = call.log(*_promise(call), "--script", untold)
    assert code == 1
    assert err.strip().splitlines() == [
        "error: Give and tick the required disclosures: Recording notice; Purpose of the call."
    ]
    assert call.attempts() == before


@pytest.mark.parametrize(
    ("path", "stage", "message"),
    [
        ("greeting=speaking,verify=match,account", None, "step 3, “account”"),
        ("greeting=speaking,verify=no_match,unverified", None, "identity check failed"),
        ("greeting=speaking", "field_visit", "not for a contact by call"),
        ("greeting=speaking", "no_such_stage", "There is no call script for stage"),
        ("", "mid", "without the path taken"),
    ],
)
def test_a_path_the_script_does_not_take_is_refused(
    call: Call, path: str, stage: str | None, message: str
) -> None:
    before = call.attempts()
    code, _, err = call.log(
        *_promise(call), "--script", path, *(["--stage", stage] if stage else [])
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err
    assert call.attempts() == before


def test_the_path_the_script_command_lists_is_recorded_with_the_stage_shown(call: Call) -> None:
    # The script of the call's moment: the account's stage is its days past due then.
    code, out, err = run(
        call.data_dir, "script", call.contract, "--user", call.user, "--at", call.at.isoformat()
    )
    assert code == 0, err
    stage = out.split("(stage ", 1)[1].split(",", 1)[0]
    path = _path(call)
    for step in path:
        assert f"\n{step.split('=')[0]}  [" in out  # every step id is listed
    assert "required: tick it with disclosure_recording=said" in out

    code, out, err = call.log(*_promise(call), "--script", ",".join(path))
    assert code == 0, err
    attempt_id = out.split()[1]
    db = Database(f"sqlite:///{call.data_dir / 'central.sqlite3'}")
    try:
        with db.reader() as session:
            attempt = session.get_one(ContactAttempt, uuid.UUID(attempt_id))
            assert (attempt.script_stage, attempt.script_steps) == (stage, list(path))
            assert attempt.right_party is True
    finally:
        db.dispose()


def test_an_outcome_with_no_conversation_needs_no_script(call: Call) -> None:
    before = call.attempts()
    code, _, err = call.log("--outcome", "NA")
    assert code == 0, err
    assert call.attempts() == before + 1
