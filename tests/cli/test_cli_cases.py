"""Disputes and complaints on the command line: `dispute open|list|show|decide`, `complaint
log|list|reply|counts`, each run as the program itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.config import DATABASE_FILE
from app.database import Database
from app.models import ContactAttempt, DisputeCase, Loan, Role, User
from app.services.cases.policy import cases_policy
from app.services.common.calendar import received_day
from tests.cli.test_cli import run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-cases")
    now = datetime.now(UTC).isoformat()
    args = ["--data-dir", str(folder), "demo-data", "--accounts", "60", "--seed", "7"]
    assert main([*args, "--as-of", now]) == 0
    return folder


def _dispute_contact(data_dir: Path) -> tuple[str, str, str, str, datetime]:
    """The demo's latest DSP contact by the account's own collector: its id, the contract, the
    collector, a lead of their team and when it was."""
    db = Database(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with db.reader() as session:
            row = session.execute(
                select(ContactAttempt.id, Loan.contract_no, User.username, User.team_id,
                       ContactAttempt.started_at)
                .join(Loan, Loan.id == ContactAttempt.loan_id)
                .join(User, User.id == ContactAttempt.user_id)
                .where(ContactAttempt.disposition == "DSP",
                       Loan.assigned_to_id == ContactAttempt.user_id)
                .order_by(ContactAttempt.started_at.desc())
                .limit(1)
            ).one()  # fmt: skip
            lead = session.scalar(
                select(User.username).where(User.team_id == row.team_id,
                                            User.role == Role.TEAM_LEAD)
            )  # fmt: skip
        assert lead is not None
        return str(row.id), row.contract_no, row.username, lead, row.started_at
    finally:
        db.dispose()


def test_a_dispute_is_opened_shown_and_decided_by_the_lead(data_dir: Path) -> None:
    attempt, contract, collector, lead, started = _dispute_contact(data_dir)
    code, out, err = run(
        data_dir, "dispute", "open", contract, "--user", collector, "--kind", "already_paid",
        "--claim", "客户称已通过支付宝还款", "--contact", attempt, "--amount", "500",
        "--json", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "")
    opened = json.loads(out)
    expected = cases_policy().dispute_answer.due(received_day(started)).due
    assert opened["due"]["due_on"] == expected.isoformat()
    case = opened["id"]

    code, out, _ = run(data_dir, "dispute", "list", "--user", lead, real=True)
    assert code == 0 and case in out and f"due {expected.isoformat()}" in out
    code, out, _ = run(data_dir, "dispute", "show", case, "--user", lead, real=True)
    assert code == 0 and "claim: 客户称已通过支付宝还款" in out
    assert "candidate:" in out or "no payment of the feed's near the claim" in out

    code, out, err = run(
        data_dir, "dispute", "decide", case, "--user", collector, "--decision", "rejected",
        "--reasons", "无", real=True,
    )  # fmt: skip
    assert code != 0 and out == ""
    assert err.strip().splitlines() == ["error: Only a team lead decides a dispute."]
    code, _, err = run(
        data_dir, "dispute", "decide", case, "--user", lead, "--decision", "rejected", real=True
    )
    assert code != 0 and len(err.strip().splitlines()) == 1 and "why" in err
    code, out, err = run(
        data_dir, "dispute", "decide", case, "--user", lead, "--decision", "rejected",
        "--reasons", "流水中未见该笔还款", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "decided rejected" in out and "reasons: 流水中未见该笔还款" in out
    db = Database(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with db.reader() as session:
            row = session.scalars(select(DisputeCase)).one()
            assert (row.decision, row.reasons) == ("rejected", "流水中未见该笔还款")
    finally:
        db.dispose()
    code, _, err = run(
        data_dir, "dispute", "decide", case, "--user", lead, "--decision", "upheld",
        "--correction", "冲正", real=True,
    )  # fmt: skip
    assert code != 0 and "already decided" in err


def test_a_complaint_is_logged_listed_answered_and_counted(data_dir: Path) -> None:
    _, contract, collector, lead, _ = _dispute_contact(data_dir)
    code, out, err = run(
        data_dir, "complaint", "log", contract, "--user", collector, "--channel",
        "regulator_12378", "--category", "contact_frequency", "--summary",
        "12378转办：每天多次来电", "--collector", collector, "--reference", "NFRA-0042",
        "--json", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "")
    logged = json.loads(out)
    assert logged["regulator"] is True and logged["reference"] == "NFRA-0042"

    code, out, _ = run(data_dir, "complaint", "list", "--user", lead, real=True)
    assert code == 0 and logged["id"] in out and "Regulator referral (12378 hotline)" in out
    code, _, err = run(
        data_dir, "complaint", "reply", logged["id"], "--user", collector, "--text", "已回复",
        real=True,
    )  # fmt: skip
    assert code != 0 and "Only a team lead replies" in err
    code, out, err = run(
        data_dir, "complaint", "reply", logged["id"], "--user", lead, "--text",
        "已回电致歉并调整联系频率", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "") and "replied by" in out
    today = datetime.now(UTC).date().isoformat()
    code, out, _ = run(
        data_dir, "complaint", "counts", "--user", lead, "--from", "2026-01-01", "--to", today,
        "--json", real=True,
    )  # fmt: skip
    counts = json.loads(out)
    assert code == 0 and counts["total"] >= 1 and counts["open"] == counts["total"] - 1
    assert any(row[0] == collector and row[2] >= 1 for row in counts["by_collector"])


def test_a_bad_complaint_is_one_line_and_writes_nothing(data_dir: Path) -> None:
    _, contract, collector, _, _ = _dispute_contact(data_dir)
    code, _, err = run(
        data_dir, "complaint", "log", contract, "--user", collector, "--channel", "fax",
        "--category", "other", "--summary", "x", real=True,
    )  # fmt: skip
    assert code == 64 and "invalid choice" in err
    code, out, err = run(
        data_dir, "complaint", "log", contract, "--user", collector, "--channel", "letter",
        "--category", "other", "--summary", "\u202e反转", real=True,
    )  # fmt: skip
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1
    assert "U+202E" in err
