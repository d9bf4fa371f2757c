"""The plan, agreement and visit commands, run as a user would on a real embedded database."""

from __future__ import annotations

import json
import re
import subprocess
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.cli.plans import EXIT_ALTERED, EXIT_NEEDS_APPROVAL, EXIT_UNKNOWN
from app.services.common.clock import business_zone
from tests.cli.test_cli import run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-plans")
    # The portfolio is as of now: plans are offered today, by the real clock.
    now = datetime.now(UTC).isoformat()
    assert (
        main(
            [
                "--data-dir",
                str(folder),
                "demo-data",
                "--accounts",
                "300",
                "--seed",
                "7",
                "--as-of",
                now,
            ]
        )
        == 0
    )
    return folder


def _users(data_dir: Path, role: str) -> list[str]:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return [u["username"] for u in json.loads(out) if u["role"] == role]


def _overdue_contracts(data_dir: Path, user: str, count: int) -> list[str]:
    code, out, _ = run(data_dir, "queue", "--user", user, "--json")
    assert code == 0
    return [e["contract_no"] for e in json.loads(out) if e["dpd"] > 0][:count]


def _in_days(days: int) -> str:
    return (datetime.now(business_zone()).date() + timedelta(days=days)).isoformat()


def test_agreement_writes_a_pdf_that_verifies_and_a_changed_byte_does_not(
    data_dir: Path, tmp_path: Path
) -> None:
    contract = _overdue_contracts(data_dir, _users(data_dir, "collector")[0], 1)[0]
    out = tmp_path / "agreement.pdf"
    code, text, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "6",
        "--first-due", _in_days(10), "--lang", "en", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    number = re.search(r"Agreement (HX-\d{8}-[0-9A-F]{8}) written", text)
    assert number is not None
    code, text, _ = run(data_dir, "verify-agreement", str(out))
    assert (code, text.split(":")[0]) == (0, "genuine")
    assert number.group(1) in text

    # One digit of one amount in the terms the document carries, changed.
    data = out.read_bytes()
    altered = _change_one_amount_digit(data)
    assert (
        len(altered) == len(data) and sum(a != b for a, b in zip(altered, data, strict=True)) == 1
    )
    (tmp_path / "altered.pdf").write_bytes(altered)
    code, text, _ = run(data_dir, "verify-agreement", str(tmp_path / "altered.pdf"))
    assert (code, text.split(":")[0]) == (EXIT_ALTERED, "altered")


def _change_one_amount_digit(data: bytes) -> bytes:
    """Flip one digit of the first amount in the embedded terms, wherever they are stored."""
    found = re.search(rb'"total":\s*"(\d+)\.\d\d"', data)
    if found is None:
        pytest.fail("the agreement does not carry its terms where a byte can be changed")
    position = found.start(1)
    digit = data[position : position + 1]
    replacement = b"1" if digit != b"1" else b"2"
    return data[:position] + replacement + data[position + 1 :]


def test_an_agreement_another_database_never_issued_is_unknown(
    data_dir: Path, tmp_path: Path
) -> None:
    contract = _overdue_contracts(data_dir, _users(data_dir, "collector")[0], 2)[1]
    out = tmp_path / "agreement.pdf"
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "3",
        "--first-due", _in_days(5), "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    other = tmp_path / "other"
    assert main(["--data-dir", str(other), "demo-data", "--accounts", "20", "--seed", "2"]) == 0
    code, text, _ = run(other, "verify-agreement", str(out))
    assert (code, text.split(":")[0]) == (EXIT_UNKNOWN, "unknown")
    (tmp_path / "junk.pdf").write_bytes(zlib.compress(b"not a pdf"))
    code, text, _ = run(data_dir, "verify-agreement", str(tmp_path / "junk.pdf"))
    assert code == EXIT_UNKNOWN


def test_a_plan_beyond_policy_is_saved_for_approval_with_the_reason_and_no_pdf(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[1]
    contract = _overdue_contracts(data_dir, collector, 1)[0]
    out = tmp_path / "agreement.pdf"
    code, text, _ = run(
        data_dir, "agreement", "--contract", contract, "--user", collector, "--installments", "36",
        "--first-due", _in_days(10), "--out", str(out),
    )  # fmt: skip
    assert code == EXIT_NEEDS_APPROVAL
    assert "36 instalments are more than the 24 allowed" in text
    assert not out.exists()
    plan_id = re.search(r"plan ([0-9a-f-]{36})", text)
    assert plan_id is not None
    lead = _users(data_dir, "team_lead")[0]
    code, text, _ = run(data_dir, "plan", "list", "--user", lead)
    assert plan_id.group(1) in text and "needs approval" in text
    code, text, _ = run(data_dir, "plan", "approve", plan_id.group(1), "--user", lead)
    assert (code, text.strip()) == (0, f"plan {plan_id.group(1)} is now approved")
    code, text, _ = run(data_dir, "plan", "issue", plan_id.group(1), "--user", collector)
    assert code == 0 and "is now issued" in text
    code, _, err = run(
        data_dir, "plan", "print", plan_id.group(1), "--user", collector, "--out", str(out)
    )
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")


def test_bad_input_gets_a_message_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    contract = _overdue_contracts(data_dir, _users(data_dir, "collector")[0], 3)[2]
    out = tmp_path / "agreement.pdf"
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "3",
        "--first-due", "2020-01-01", "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "is in the past" in err
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "3",
        "--first-due", _in_days(3), "--down-payment", "abc", "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "--down-payment must be an amount" in err
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "3",
        "--first-due", _in_days(3), "--out", str(tmp_path / "missing" / "a.pdf"),
    )  # fmt: skip
    assert code == 1 and "does not exist" in err
    assert not out.exists()
    code, text, _ = run(
        data_dir, "plan", "list", "--user", _users(data_dir, "collector")[0], "--contract", contract
    )
    assert text.strip() == ""


def test_visit_day_from_candidates_to_sheets_to_an_outcome(data_dir: Path, tmp_path: Path) -> None:
    agent, partner = _users(data_dir, "field_agent")[0], _users(data_dir, "team_lead")[0]
    day = _in_days(0)
    code, text, _ = run(data_dir, "visits", "candidates", "--user", agent, "--date", day, "--json")
    assert code == 0
    contracts = [c["contract_no"] for c in json.loads(text)][:3]
    assert contracts
    code, _, err = run(data_dir, "visits", "plan", *contracts, "--user", agent, "--date", day)
    assert code == 1 and "at least 2 agents" in err
    code, text, err = run(
        data_dir, "visits", "plan", *contracts, "--user", agent, "--date", day,
        "--second-agent", partner,
    )  # fmt: skip
    assert code == 0, err
    out = tmp_path / "sheets.pdf"
    code, _, err = run(data_dir, "visit-sheets", "--user", agent, "--date", day, "--out", str(out))
    assert code == 0, err
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    count = re.search(r"Pages:\s+(\d+)", pages)
    assert count is not None and int(count.group(1)) >= len(contracts) + 1
    code, text, _ = run(data_dir, "visits", "list", "--user", agent, "--date", day, "--json")
    visit_id = json.loads(text)[0]["id"]
    code, text, err = run(
        data_dir, "visits", "record", visit_id, "--user", agent, "--outcome", "NH"
    )
    assert code == 0, err
    code, text, _ = run(data_dir, "visits", "list", "--user", agent, "--date", day, "--json")
    assert json.loads(text)[0]["outcome"] == "NH"
    # The next stop's borrower moved away; the neighbours said where to.
    moved = json.loads(text)[1]
    record = ("visits", "record", moved["id"], "--user", agent, "--outcome")
    code, _, err = run(data_dir, *record, "NH", "--new-province", "广东", "--new-city", "深圳市")
    assert code == 1 and "moved away" in err and len(err.strip().splitlines()) == 1
    code, text, err = run(
        data_dir, *record, "MOVED", "--notes", "邻居说已搬去深圳", "--new-province", "广东",
        "--new-city", "深圳市", "--new-district", "南山区", "--new-street", "科技路8号",
    )  # fmt: skip
    assert code == 0, err
    assert "new address recorded" in text
    code, text, err = run(data_dir, "account", moved["contract_no"], "--user", agent)
    assert code == 0, err
    assert "visit done MOVED" in text and "address added: 广东省深圳市南山区科技路8号" in text
    code, text, _ = run(
        data_dir, "visits", "candidates", "--user", agent, "--date", _in_days(1), "--json"
    )
    found = {c["contract_no"]: c for c in json.loads(text)}
    assert found[moved["contract_no"]]["street"] == "科技路8号"


def test_a_file_that_is_not_a_pdf_is_said_so_without_the_pdf_librarys_warnings(
    data_dir: Path, tmp_path: Path
) -> None:
    text_file = tmp_path / "agreement.pdf"
    text_file.write_text("合同正本见附件", encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    for path, says in ((text_file, "not a PDF"), (broken, "not a readable PDF")):
        code, text, err = run(data_dir, "verify-agreement", str(path))
        assert code == 4 and says in text
        assert err == "", err
