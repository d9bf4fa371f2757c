"""The plan, agreement and visit commands, run as a user would on a real embedded database."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from app.cli import main
from app.cli.plans import (
    EXIT_ALTERED,
    EXIT_NEEDS_APPROVAL,
    EXIT_NOT_A_PDF,
    EXIT_NOT_IN_FORCE,
    EXIT_UNFINGERPRINTED,
    EXIT_UNKNOWN,
    EXIT_UNREADABLE,
)
from app.models import BORROWER_FLAGS
from app.services.common.clock import business_zone
from app.services.plans.offers import plan_policy
from tests.cli.test_cli import run
from tests.helpers.disks import full_disk, read_only_disk
from tests.helpers.pdf import pdf_text
from tests.helpers.pdf_edit import edit_printed


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


@cache  # the users and the queue's order do not change within the module's database
def _users(data_dir: Path, role: str) -> list[str]:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return [u["username"] for u in json.loads(out) if u["role"] == role]


def _overdue_contracts(data_dir: Path, user: str, count: int) -> list[str]:
    return _overdue(data_dir, user)[:count]


@cache
def _overdue(data_dir: Path, user: str) -> list[str]:
    """The user's overdue accounts in queue order, but those the demo made a plan on, those
    whose collection is paused (a borrower's mark, an escalation waiting: no plan is offered on
    them) and those too small for six instalments within the policy (the portfolio is as of
    now: which accounts those are changes with the day the suite runs)."""
    smallest = 6 * plan_policy().min_instalment
    code, out, _ = run(data_dir, "queue", "--user", user, "--json")
    assert code == 0
    marked = " OR ".join(f"b.{flag}" for flag in BORROWER_FLAGS)
    with sqlite3.connect(data_dir / "central.sqlite3") as conn:
        planned = {
            row[0]
            for row in conn.execute(
                "SELECT l.contract_no FROM repayment_plans p JOIN loans l ON l.id = p.loan_id"
            )
        }
        paused = {
            row[0]
            for row in conn.execute(
                "SELECT l.contract_no FROM loans l JOIN borrowers b ON b.id = l.borrower_id"
                f" WHERE {marked} UNION SELECT l.contract_no FROM escalations e"
                " JOIN loans l ON l.id = e.loan_id WHERE e.decided_at IS NULL"
            )
        }
    return [
        e["contract_no"]
        for e in json.loads(out)
        if e["dpd"] > 0
        and e["contract_no"] not in planned | paused
        and Decimal(e["overdue_amount"]) >= smallest
    ]


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
    assert (code, text.split(":")[0]) == (EXIT_NOT_A_PDF, "not-a-pdf")


def test_a_plan_beyond_policy_is_saved_for_approval_with_the_reason_and_no_pdf(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[1]
    contract = _overdue_contracts(data_dir, collector, 1)[0]
    out = tmp_path / "agreement.pdf"
    code, text, err = run(
        data_dir, "agreement", "--contract", contract, "--user", collector, "--installments", "36",
        "--first-due", _in_days(10), "--out", str(out),
    )  # fmt: skip
    assert code == EXIT_NEEDS_APPROVAL, err
    assert "36 instalments are more than the 24 allowed" in text
    assert not out.exists()
    plan_id = re.search(r"plan ([0-9a-f-]{36})", text)
    assert plan_id is not None
    lead = _users(data_dir, "team_lead")[0]
    code, text, _ = run(data_dir, "plan", "list", "--user", lead)
    assert plan_id.group(1) in text and "needs approval" in text
    code, text, _ = run(data_dir, "plan", "approve", plan_id.group(1), "--user", lead)
    assert (code, text.strip()) == (0, f"plan {plan_id.group(1)} is now approved")
    code, text, _ = run(
        data_dir, "plan", "issue", plan_id.group(1), "--user", collector, "--out", str(out)
    )
    assert code == 0 and "is now issued" in text
    assert out.read_bytes().startswith(b"%PDF")
    code, text, _ = run(data_dir, "verify-agreement", str(out))
    assert (code, text.split(":")[0]) == (0, "genuine")
    # Another copy prints the same, but is not the file issued.
    copy = tmp_path / "copy.pdf"
    code, text, err = run(
        data_dir, "plan", "print", plan_id.group(1), "--user", collector, "--out", str(copy)
    )
    assert code == 0 and "not the file issued" in text, err
    code, text, _ = run(data_dir, "verify-agreement", str(copy))
    assert (code, text.split(":")[0]) == (EXIT_ALTERED, "altered")
    assert "Its text reads as the agreement issued" in text


def test_bad_input_gets_a_message_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    contract = _overdue_contracts(data_dir, _users(data_dir, "collector")[0], 3)[2]
    out = tmp_path / "agreement.pdf"
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "3",
        "--first-due", "2020-01-01", "--out", str(out),
    )  # fmt: skip
    assert code == 1 and "is in the past" in err
    # Every bad term at once, one line each.
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--kind", "full", "--installments", "3",
        "--first-due", "2020-01-01", "--discount", "5", "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert err.splitlines() == [
        "error: A payment in full or a settlement is one payment, not 3 instalments.",
        "error: Only a settlement has a discount; use a penalty waiver instead.",
        "error: The first due date 2020-01-01 is in the past.",
    ]
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
    for path, code_wanted, says in (
        (text_file, EXIT_NOT_A_PDF, f"not-a-pdf: {text_file}\n  - The file is not a PDF.\n"),
        (broken, EXIT_UNREADABLE, f"unreadable: {broken}\n  - The file is not a readable PDF"),
    ):
        code, text, err = run(data_dir, "verify-agreement", str(path))
        assert code == code_wanted and text.startswith(says), text
        assert err == "", err
    # Each answer exits with a code of its own (README, "Exit codes").
    verdicts = (0, EXIT_ALTERED, EXIT_UNKNOWN, EXIT_NOT_IN_FORCE, EXIT_UNFINGERPRINTED)
    assert len({*verdicts, EXIT_UNREADABLE, EXIT_NOT_A_PDF, EXIT_NEEDS_APPROVAL, 1}) == 9


# -- agreements you can trust ------------------------------------------------------------------


def _issue(data_dir: Path, out: Path, contract: str, *extra: str) -> dict[str, object]:
    """`agreement` on `contract`, then the plan it issued as `plan list --json` shows it."""
    code, _, err = run(
        data_dir, "agreement", "--contract", contract, "--installments", "4",
        "--first-due", _in_days(10), "--out", str(out), *extra,
    )  # fmt: skip
    assert code == 0, err
    return _plans(data_dir, contract)[0]


def _plans(data_dir: Path, contract: str, user: str = "") -> list[dict[str, object]]:
    collector = user or _users(data_dir, "collector")[0]
    code, text, _ = run(data_dir, "plan", "list", "--user", collector, "--contract", contract,
                        "--json")  # fmt: skip
    assert code == 0
    plans = json.loads(text)
    assert isinstance(plans, list)
    return plans


def _printed(data: bytes, label: str) -> str:
    """The value a real reader (pdftotext) shows beside `label`."""
    found = re.search(rf"{re.escape(label)}\s+(\S+)", pdf_text(data))
    assert found is not None, label
    return found.group(1)


def _contracts(data_dir: Path, first: int, count: int) -> list[str]:
    return _overdue_contracts(data_dir, _users(data_dir, "collector")[0], first + count)[first:]


def test_a_copy_whose_printed_terms_were_edited_is_altered_and_says_each_term(
    data_dir: Path, tmp_path: Path
) -> None:
    # An account with more than the ¥1 waived in penalty interest overdue.
    collector = _users(data_dir, "collector")[0]
    code, out, _ = run(data_dir, "queue", "--user", collector, "--json")
    assert code == 0
    penalty = {e["contract_no"]: float(e["breakdown"]["penalty"]) for e in json.loads(out)}
    overdue = _overdue(data_dir, collector)
    # The fifth account, or one no other test of the module takes (they take 0-3, 5, 6, 9, 10).
    spare = [overdue[4], *overdue[7:9], *overdue[11:]]
    contract = next(c for c in spare if penalty[c] > 1)
    issued = tmp_path / "issued.pdf"
    _issue(data_dir, issued, contract, "--down-payment", "100", "--waive-penalty", "1")
    data = issued.read_bytes()
    # What a forger changes, as pdftotext shows the original: the waiver, the overdue
    # principal, the down payment and the loan contract number.
    edits = {
        "Less penalty interest waived": (
            "减：罚息减免",
            _printed(data, "减：罚息减免"),
            "-¥100.00",
        ),
        "Overdue principal": ("逾期本金", _printed(data, "逾期本金"), "¥1.00"),
        "Down payment": ("首付款", _printed(data, "首付款"), "¥10.00"),
        "Loan contract no.": ("借款合同编号", contract, contract[:-1] + str(9 - int(contract[-1]))),
    }
    for term, (label, old, new) in edits.items():
        edited = tmp_path / f"{term}.pdf"
        edited.write_bytes(edit_printed(data, label, old, new))
        assert new in pdf_text(edited.read_bytes())  # the copy does print the new value
        code, text, _ = run(data_dir, "verify-agreement", str(edited))
        assert (code, text.split(":")[0]) == (EXIT_ALTERED, "altered"), text
        assert f"  - {term}: printed “{new}”, recorded “{old}”" in text.splitlines(), text
    code, text, _ = run(data_dir, "verify-agreement", str(edited), "--json")
    answer = json.loads(text)
    assert answer["status"] == "altered" and answer["agreement_no"] in text
    assert {"term": term, "printed": new, "recorded": old} in answer["differences"]
    # The file issued is genuine, and it alone.
    code, text, _ = run(data_dir, "verify-agreement", str(issued))
    assert (code, text.split(":")[0]) == (0, "genuine")


def test_an_english_copy_with_a_changed_date_amount_and_name_lists_each_difference(
    data_dir: Path, tmp_path: Path
) -> None:
    (contract,) = _contracts(data_dir, 5, 1)
    issued = tmp_path / "issued.pdf"
    _issue(data_dir, issued, contract, "--lang", "en")
    data = issued.read_bytes()
    text = pdf_text(data)
    row = re.search(r"\n\s*3\s+(\d+ \w+ \d{4})\s+¥", text)
    names = re.search(r"\n\s*Name\s+.+?Ltd\.\s+(\S+)\n", text)
    assert row is not None and names is not None
    due, borrower = row.group(1), names.group(1)
    total = _printed(data, "Total to pay under this agreement")
    moved = due[:-4] + str(int(due[-4:]) + 1)
    edited = edit_printed(data, "3", due, moved)
    edited = edit_printed(edited, "Total to pay under this agreement", "¥", "¥1")
    edited = edit_printed(edited, "Name", borrower, borrower[::-1])
    (tmp_path / "edited.pdf").write_bytes(edited)
    code, answer, _ = run(data_dir, "verify-agreement", str(tmp_path / "edited.pdf"))
    assert code == EXIT_ALTERED, answer
    lines = answer.splitlines()
    assert f"  - Payment 3: printed “{moved}”, recorded “{due}”" in lines, answer
    assert (
        f"  - Total to pay under this agreement: printed “¥1{total[1:]}”, recorded “{total}”"
        in lines
    ), answer
    assert f"  - Name (Borrower): printed “{borrower[::-1]}”, recorded “{borrower}”" in lines


def test_a_copy_with_a_byte_flipped_at_10_30_or_70_percent_is_never_genuine(
    data_dir: Path, tmp_path: Path
) -> None:
    (contract,) = _contracts(data_dir, 6, 1)
    issued = tmp_path / "issued.pdf"
    _issue(data_dir, issued, contract)
    for share in (10, 30, 70):
        data = bytearray(issued.read_bytes())
        data[len(data) * share // 100] ^= 0xFF
        flipped = tmp_path / f"flipped-{share}.pdf"
        flipped.write_bytes(bytes(data))
        code, text, _ = run(data_dir, "verify-agreement", str(flipped))
        assert (code, text.split(":")[0]) in (
            (EXIT_ALTERED, "altered"),
            (EXIT_UNREADABLE, "unreadable"),
        ), text
        assert "genuine" not in text
        if code == EXIT_ALTERED:
            assert "This is not the file issued" in text, text


def test_a_cancelled_or_superseded_plans_agreement_says_so_with_a_code_of_its_own(
    data_dir: Path, tmp_path: Path
) -> None:
    (contract,) = _contracts(data_dir, 9, 1)
    collector = _users(data_dir, "collector")[0]
    first = tmp_path / "first.pdf"
    plan = _issue(data_dir, first, contract)
    code, _, err = run(
        data_dir, "plan", "cancel", str(plan["id"]), "--user", collector,
        "--reason", "the borrower asked for a longer plan",
    )  # fmt: skip
    assert code == 0, err
    today = datetime.now(business_zone()).date().isoformat()
    code, text, _ = run(data_dir, "verify-agreement", str(first))
    assert (code, text.split(":")[0]) == (EXIT_NOT_IN_FORCE, "genuine")
    assert f"  but the plan was cancelled on {today}" in text.splitlines()

    second = tmp_path / "second.pdf"
    later = _issue(data_dir, second, contract)
    code, text, _ = run(data_dir, "verify-agreement", str(first))
    assert code == EXIT_NOT_IN_FORCE
    assert (
        f"superseded by plan {later['id']} (agreement {later['agreement_no']}, issued on {today})"
        in text
    )
    code, text, _ = run(data_dir, "verify-agreement", str(first), "--json")
    answer = json.loads(text)
    assert (answer["status"], answer["plan_status"]) == ("genuine", "cancelled")
    code, text, _ = run(data_dir, "verify-agreement", str(second))
    assert (code, text.split(":")[0]) == (0, "genuine")


def test_an_agreement_issued_before_files_had_a_fingerprint_compares_by_its_terms(
    data_dir: Path, tmp_path: Path
) -> None:
    (contract,) = _contracts(data_dir, 10, 1)
    issued = tmp_path / "issued.pdf"
    plan = _issue(data_dir, issued, contract)
    # What migration 0009 leaves on a plan issued before it: no file hash.
    with sqlite3.connect(data_dir / "central.sqlite3") as connection:
        connection.execute(
            "UPDATE repayment_plans SET agreement_file_sha256 = NULL WHERE id = ?",
            (str(plan["id"]).replace("-", ""),),
        )
    assert _plans(data_dir, contract)[0]["agreement_file_sha256"] is None
    code, text, _ = run(data_dir, "verify-agreement", str(issued))
    assert (code, text.split(":")[0]) == (EXIT_UNFINGERPRINTED, "terms-match")
    assert "issued before agreement files were fingerprinted" in text
    data = issued.read_bytes()
    old = _printed(data, "逾期本金")
    (tmp_path / "edited.pdf").write_bytes(edit_printed(data, "逾期本金", old, "¥1.00"))
    code, text, _ = run(data_dir, "verify-agreement", str(tmp_path / "edited.pdf"))
    assert (code, text.split(":")[0]) == (EXIT_ALTERED, "altered")
    assert f"  - Overdue principal: printed “¥1.00”, recorded “{old}”" in text.splitlines()


def test_an_agreement_that_cannot_be_written_issues_nothing(data_dir: Path, tmp_path: Path) -> None:
    collector, lead = _users(data_dir, "collector")[1], _users(data_dir, "team_lead")[0]
    contract = _overdue(data_dir, collector)[1]
    with full_disk(tmp_path / "full") as full:
        target = full / "agreement.pdf"
        # A plan within the policy is made and issued in one go: on a full disk, nothing is
        # stored at all.
        code, out, err = run(
            data_dir, "agreement", "--contract", contract, "--user", collector,
            "--installments", "3", "--first-due", _in_days(10), "--out", str(target),
        )  # fmt: skip
        assert (code, out) == (1, "")
        assert err == f"error: Cannot write {target}: No space left on device.\n"
        assert _plans(data_dir, contract, collector) == []
        assert sorted(path.name for path in full.iterdir()) == ["filler"]

        # One beyond it, approved by a lead, then issued onto the full disk: one line, and
        # nothing changes.
        code, _, err = run(
            data_dir, "agreement", "--contract", contract, "--user", collector,
            "--installments", "36", "--first-due", _in_days(10), "--out", str(target),
        )  # fmt: skip
        assert code == EXIT_NEEDS_APPROVAL, err
        (pending,) = _plans(data_dir, contract, collector)
        code, _, err = run(data_dir, "plan", "approve", str(pending["id"]), "--user", lead)
        assert code == 0, err
        (plan,) = _plans(data_dir, contract, collector)
        assert (plan["status"], plan["agreement_no"]) == ("approved", None)
        code, out, err = run(
            data_dir, "plan", "issue", str(plan["id"]), "--user", collector, "--out", str(target)
        )
        assert (code, out) == (1, "")
        assert err == f"error: Cannot write {target}: No space left on device.\n"
        assert _plans(data_dir, contract, collector) == [plan]
        assert sorted(path.name for path in full.iterdir()) == ["filler"]
    # A read-only disk, and a folder given as the file: refused in one line before anything
    # is written.
    with read_only_disk(tmp_path / "locked") as locked:
        code, out, err = run(
            data_dir, "plan", "issue", str(plan["id"]), "--user", collector,
            "--out", str(locked / "agreement.pdf"),
        )  # fmt: skip
        assert (code, out, err) == (1, "", f"error: Cannot write into {locked}.\n")
        assert list(locked.iterdir()) == []
    code, _, err = run(
        data_dir, "plan", "issue", str(plan["id"]), "--user", collector, "--out", str(tmp_path)
    )
    assert code == 1 and "is a folder" in err and len(err.splitlines()) == 1
    assert _plans(data_dir, contract, collector) == [plan]
    # Somewhere with room, the same plan is issued, and its file is the genuine one.
    out_file = tmp_path / "agreement.pdf"
    code, text, err = run(
        data_dir, "plan", "issue", str(plan["id"]), "--user", collector, "--out", str(out_file)
    )
    assert code == 0 and "is now issued" in text, err
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == ["agreement.pdf"]
    code, text, _ = run(data_dir, "verify-agreement", str(out_file))
    assert (code, text.split(":")[0]) == (0, "genuine")
