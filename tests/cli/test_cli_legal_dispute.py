"""`legal refer` on an account whose dispute waits for a lead's decision: the borrower says the
debt is wrong, or not theirs; the lender answers that before it goes to law."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from tests.cli.test_cli import run
from tests.cli.test_cli_audit_export import _db


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-legal-dispute")
    now = datetime.now(UTC).isoformat()
    assert main(["--data-dir", str(folder), "demo-data", "--accounts", "60", "--seed", "7",
                 "--as-of", now]) == 0  # fmt: skip
    return folder


def test_an_account_with_an_undecided_dispute_is_not_referred_to_legal(data_dir: Path) -> None:
    with _db(data_dir) as db:
        row = db.execute(
            "SELECT a.id, l.contract_no, u.username, u.team_id FROM contact_attempts a"
            " JOIN loans l ON l.id = a.loan_id JOIN users u ON u.id = a.user_id"
            " WHERE a.disposition = 'DSP' AND l.assigned_to_id = a.user_id"
            " ORDER BY a.started_at DESC LIMIT 1"
        ).fetchone()
        (lead,) = db.execute(
            "SELECT username FROM users WHERE role = 'team_lead' AND team_id = ?", (row[3],)
        ).fetchone()
    attempt, contract, collector = str(uuid.UUID(hex=str(row[0]))), str(row[1]), str(row[2])
    code, out, err = run(
        data_dir, "dispute", "open", contract, "--user", collector, "--kind", "not_my_loan",
        "--claim", "客户称从未申请过该笔贷款", "--contact", attempt, "--json", real=True,
    )  # fmt: skip
    assert code == 0, err
    case = out.split('"id": "')[1].split('"')[0]

    code, out, err = run(
        data_dir, "legal", "refer", contract, "--user", lead, "--reason", "长期失联", real=True
    )
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [
        "error: The account has a dispute waiting for a decision: decide it before referring"
        " the account to legal."
    ]
    with _db(data_dir) as db:
        found = db.execute(
            "SELECT count(*) FROM legal_cases c JOIN loans l ON l.id = c.loan_id"
            " WHERE l.contract_no = ?",
            (contract,),
        ).fetchone()
        assert tuple(found) == (0,)

    code, _, err = run(
        data_dir, "dispute", "decide", case, "--user", lead, "--decision", "rejected",
        "--reasons", "身份核验一致，合同为本人签署", real=True,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        data_dir, "legal", "refer", contract, "--user", lead, "--reason", "长期失联", real=True
    )
    assert code == 0 and f"referred {contract} to legal" in out, err
