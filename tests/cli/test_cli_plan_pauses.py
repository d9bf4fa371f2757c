"""Pauses stop plans on the command line too: `agreement`, `plan approve|issue`, `plan allow`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.config import DATABASE_FILE
from app.database import Database
from app.models import Borrower, Loan
from tests.cli.test_cli import run
from tests.cli.test_cli_plans import _in_days, _users

REFUSED = "no plan can be offered, approved or issued unless a team lead allows it."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-plan-pauses")
    # As of now: plans are offered today, by the real clock.
    now = datetime.now(UTC).isoformat()
    args = ["--data-dir", str(folder), "demo-data", "--accounts", "80", "--seed", "7"]
    assert main([*args, "--as-of", now]) == 0
    return folder


def _queue(data_dir: Path, user: str) -> list[dict[str, object]]:
    code, out, _ = run(data_dir, "queue", "--user", user, "--json")
    assert code == 0
    entries: list[dict[str, object]] = json.loads(out)
    return entries


def _paused_by(data_dir: Path, user: str, rule: str) -> str:
    """An overdue account of `user`'s the contact rules stop by `rule` (a mark)."""
    for entry in _queue(data_dir, user):
        contact = entry["contact"]
        assert isinstance(contact, dict)
        if contact["rule"] == rule and int(str(entry["dpd"])) > 0:
            return str(entry["contract_no"])
    raise AssertionError(f"the demo has no account stopped by {rule}")


def _callable(data_dir: Path, user: str, index: int) -> str:
    """An overdue account nothing pauses: callable now, or once the hours or caps allow (a
    mark never lifts by itself). Plans do not wait for the calling hours, and the tests run at
    any hour."""
    callable_ = [
        str(e["contract_no"])
        for e in _queue(data_dir, user)
        if int(str(e["dpd"])) > 0 and (e["contact"]["allowed"] or e["contact"]["next_allowed_at"])  # type: ignore[index]
    ]
    return callable_[index]


def _agreement(
    data_dir: Path, contract: str, user: str, out: Path, count: int = 3
) -> tuple[int, str, str]:
    return run(
        data_dir, "agreement", "--contract", contract, "--user", user,
        "--installments", str(count), "--first-due", _in_days(7), "--out", str(out),
    )  # fmt: skip


def test_an_agreement_on_a_paused_account_waits_for_a_leads_leave(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[0]
    lead = _users(data_dir, "team_lead")[0]
    contract = _paused_by(data_dir, collector, "cn.stop.vulnerable")
    out = tmp_path / "agreement.pdf"

    code, text, err = _agreement(data_dir, contract, collector, out)
    assert (code, text) == (1, "")
    assert err.startswith(f"error: Collection on account {contract} is paused (Vulnerable: paused")
    assert err.strip().endswith(REFUSED) and err.count("\n") == 1
    assert not out.exists()
    code, text, _ = run(data_dir, "plan", "list", "--user", collector, "--contract", contract)
    assert (code, text) == (0, "")

    # Only a lead lets a plan go ahead despite the pause, and says why.
    code, _, err = run(
        data_dir, "plan", "allow", "--contract", contract, "--user", collector,
        "--reason", "She asked for it",
    )  # fmt: skip
    assert code == 1 and "Only a team lead" in err
    code, _, err = run(
        data_dir, "plan", "allow", "--contract", contract, "--user", lead, "--reason", " "
    )
    assert code == 1 and "Say why a plan may go ahead despite the pause" in err
    reason = "Job loss: smaller instalments as forbearance, at her request"
    code, text, err = run(
        data_dir, "plan", "allow", "--contract", contract, "--user", lead, "--reason", reason
    )
    assert code == 0, err
    assert text.startswith(f"Plans may go ahead on {contract} despite the pause (Vulnerable")
    assert text.strip().endswith(reason)

    code, text, err = _agreement(data_dir, contract, collector, out)
    assert code == 0, err
    assert "Agreement HX-" in text and out.read_bytes().startswith(b"%PDF")


def test_plans_made_before_the_pause_are_neither_approved_nor_issued_during_it(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[0]
    lead = _users(data_dir, "team_lead")[0]
    waiting, agreed = _callable(data_dir, collector, 0), _callable(data_dir, collector, 1)
    plans = {}
    for contract in (waiting, agreed):
        code, text, _ = _agreement(data_dir, contract, collector, tmp_path / "a.pdf", count=36)
        found = re.search(r"plan ([0-9a-f-]{36})", text)
        assert code == 2 and found is not None
        plans[contract] = found.group(1)
    code, _, err = run(data_dir, "plan", "approve", plans[agreed], "--user", lead)
    assert code == 0, err
    _dispute(data_dir, waiting, agreed)

    code, _, err = run(data_dir, "plan", "approve", plans[waiting], "--user", lead)
    assert (code, err) == (
        1,
        f"error: Collection on account {waiting} is paused (Dispute open): {REFUSED}\n",
    )
    issued = tmp_path / "issued.pdf"
    code, _, err = run(
        data_dir, "plan", "issue", plans[agreed], "--user", collector, "--out", str(issued)
    )
    assert not issued.exists()
    assert (code, err) == (
        1,
        f"error: Collection on account {agreed} is paused (Dispute open): {REFUSED}\n",
    )
    # Turning a plan down or ending it stays possible.
    code, text, _ = run(
        data_dir, "plan", "reject", plans[waiting], "--user", lead, "--reason", "Disputed."
    )
    assert (code, text.strip()) == (0, f"plan {plans[waiting]} is now rejected")
    code, text, _ = run(
        data_dir, "plan", "cancel", plans[agreed], "--user", collector, "--reason", "Disputed."
    )
    assert (code, text.strip()) == (0, f"plan {plans[agreed]} is now cancelled")


def _dispute(data_dir: Path, *contracts: str) -> None:
    """The borrowers of `contracts` dispute the debt (the mark a DSP outcome sets)."""
    db = Database(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with db.session() as session:
            for contract in contracts:
                loan = session.scalars(select(Loan).where(Loan.contract_no == contract)).one()
                session.get_one(Borrower, loan.borrower_id).dispute_open = True
    finally:
        db.dispose()
