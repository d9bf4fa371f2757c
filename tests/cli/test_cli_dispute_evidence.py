"""A dispute's evidence on the command line: `dispute attach` and `dispute show` (the evidence
listed, `--save` copies), each run as the program itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.config import DATABASE_FILE
from app.database import Database
from app.models import Attachment, Role, User
from tests.cli.test_cli import run
from tests.cli.test_cli_cases import _dispute_contact
from tests.helpers.images import PDF, gps_of, photo


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-evidence")
    now = datetime.now(UTC).isoformat()
    args = ["--data-dir", str(folder), "demo-data", "--accounts", "60", "--seed", "7"]
    assert main([*args, "--as-of", now]) == 0
    return folder


def _stranger_and_count(data_dir: Path, collector: str) -> tuple[str, int]:
    """Another member of the team (neither the account nor the case is theirs), and how many
    attachments there are."""
    db = Database(f"sqlite:///{data_dir / DATABASE_FILE}")
    try:
        with db.reader() as session:
            other = session.scalar(
                select(User.username).where(
                    User.username != collector, User.role.not_in([Role.TEAM_LEAD, Role.ADMIN])
                )
            )
            count = session.scalar(select(func.count()).select_from(Attachment)) or 0
        assert other is not None
        return other, count
    finally:
        db.dispose()


def test_evidence_is_attached_shown_saved_and_refused_once_decided(
    data_dir: Path, tmp_path: Path
) -> None:
    attempt, contract, collector, lead, _ = _dispute_contact(data_dir)
    code, out, err = run(
        data_dir, "dispute", "open", contract, "--user", collector, "--kind", "already_paid",
        "--claim", "客户称已转账", "--contact", attempt, "--amount", "800", "--json", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "")
    case = json.loads(out)["id"]
    receipt = tmp_path / "转账回单.pdf"
    receipt.write_bytes(PDF)
    code, out, err = run(
        data_dir, "dispute", "attach", case, str(receipt), "--user", collector,
        "--purpose", "receipt", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert f"attached 转账回单.pdf (application/pdf, {len(PDF)} bytes" in out
    assert f"to dispute {case} as receipt" in out
    scan = tmp_path / "card.jpg"
    scan.write_bytes(photo("JPEG"))
    code, _, err = run(
        data_dir, "dispute", "attach", case, str(scan), "--user", lead,
        "--purpose", "id_document", real=True,
    )  # fmt: skip
    assert (code, err) == (0, "")

    # Hostile or wrong: one line each, nothing written.
    stranger, before = _stranger_and_count(data_dir, collector)
    program = tmp_path / "receipt.pdf"
    program.write_bytes(b"MZ\x90\x00 not a receipt")
    for args, said in (
        ((str(receipt), "--user", stranger), "no dispute case"),
        ((str(program), "--user", collector), "not a JPEG, PNG or PDF"),
        ((str(receipt), "--user", collector, "--purpose", "selfie"), "Unknown purpose"),
        ((str(tmp_path / "missing.pdf"), "--user", collector), "no file"),
    ):
        code, out, err = run(data_dir, "dispute", "attach", case, *args, real=True)
        assert code != 0 and out == "", args
        assert len(err.strip().splitlines()) == 1 and said in err, err
    assert _stranger_and_count(data_dir, collector)[1] == before

    copies = tmp_path / "copies"
    copies.mkdir()
    code, out, err = run(
        data_dir, "dispute", "show", case, "--user", lead, "--save", str(copies), real=True
    )
    assert (code, err) == (0, "")
    lines = [line for line in out.splitlines() if "evidence:" in line]
    assert len(lines) == 2
    assert "receipt 转账回单.pdf application/pdf" in lines[0] and f"by {collector}" in lines[0]
    assert "id_document card.jpg image/jpeg" in lines[1] and f"by {lead}" in lines[1]
    saved = sorted(copies.iterdir())
    assert len(saved) == 2
    assert {p.read_bytes()[:5] for p in saved} >= {PDF[:5]}
    assert all(gps_of(p.read_bytes()) == {} for p in saved if p.suffix == ".jpg")
    code, out, _ = run(data_dir, "dispute", "show", case, "--user", collector, "--json", real=True)
    shown = json.loads(out)
    assert [e["purpose"]["code"] for e in shown["evidence"]] == ["receipt", "id_document"]

    code, _, err = run(
        data_dir, "dispute", "decide", case, "--user", lead, "--decision", "rejected",
        "--reasons", "流水中未见该笔还款", real=True,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        data_dir, "dispute", "attach", case, str(receipt), "--user", lead, real=True
    )
    assert code != 0 and out == "" and "already decided" in err
    assert len(err.strip().splitlines()) == 1
