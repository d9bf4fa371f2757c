"""`letters issue` and `letters batch`, run as a user would on a real embedded database."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import EXIT_USAGE
from tests.cli.test_cli import run
from tests.helpers.clock import clock_at
from tests.helpers.disks import read_only_disk
from tests.helpers.pdf import pdf_fonts, pdf_raw_text

AT = "2026-11-28T10:00:00+08:00"
NUMBER = re.compile(r"^(HX-(?:DL|CR)-20261128-[0-9A-F]{8}) for (\S+) written to (.+?)(?: \(|$)")


@pytest.fixture(autouse=True)
def issued_at() -> Iterator[None]:
    """The letters are issued at AT (`--at`): this computer's clock reads it (a letter is
    never dated ahead of the clock, a credit-reporting notice never before it)."""
    with clock_at(datetime.fromisoformat(AT)):
        yield


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-letters")
    arguments = ["--data-dir", str(folder), "demo-data", "--accounts", "160", "--seed", "11"]
    assert main([*arguments, "--as-of", AT, "--accounts-per-collector", "60"]) == 0
    return folder


@cache
def _users(data_dir: Path, role: str) -> tuple[str, ...]:
    code, out, _ = run(data_dir, "users", "--json")
    assert code == 0
    return tuple(u["username"] for u in json.loads(out) if u["role"] == role)


@cache
def _queue(data_dir: Path, user: str) -> tuple[dict[str, object], ...]:
    code, out, _ = run(data_dir, "queue", "--user", user, "--at", AT, "--json")
    assert code == 0
    return tuple(json.loads(out))


def _overdue(data_dir: Path, user: str) -> list[str]:
    return [str(entry["contract_no"]) for entry in _queue(data_dir, user) if entry["dpd"]]


def _letters_on_record(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "central.sqlite3") as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'letter.issued'"
        ).fetchone()
    return int(count)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_issue_writes_one_accounts_letter_and_says_its_number(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[0]
    contract = _overdue(data_dir, collector)[0]
    out = tmp_path / "letter.pdf"

    code, text, err = run(
        data_dir, "letters", "issue", "--kind", "demand", "--contract", contract,
        "--user", collector, "--at", AT, "--out", str(out),
    )  # fmt: skip

    assert (code, err) == (0, "")
    found = NUMBER.match(text.strip())
    assert found is not None, text
    assert (found.group(2), found.group(3)) == (contract, str(out))
    data = out.read_bytes()
    printed = _squash(pdf_raw_text(data))
    assert found.group(1) in printed and contract in printed
    assert "催收函" in printed
    assert all(row.embedded for row in pdf_fonts(data))


def test_a_credit_notice_in_english_says_when_reporting_may_begin(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _users(data_dir, "team_lead")[0]
    # An account whose borrower was not told yet (the demo's reminders job told many).
    with sqlite3.connect(data_dir / "central.sqlite3") as connection:
        told = {
            row[0]
            for row in connection.execute(
                "SELECT l.contract_no FROM credit_notices n JOIN loans l ON l.id = n.loan_id"
            )
        }
    contract = [c for c in _overdue(data_dir, lead) if c not in told][1]
    out = tmp_path / "notice.pdf"

    code, text, err = run(
        data_dir, "letters", "issue", "--kind", "credit-notice", "--contract", contract,
        "--user", lead, "--lang", "en", "--at", AT, "--out", str(out),
    )  # fmt: skip

    assert code == 0, err
    assert text.strip().endswith("(reporting may begin on 2026-12-13)")
    assert "from13Dec2026" in _squash(pdf_raw_text(out.read_bytes()))
    # The letter is the loan's notice: the lead's list of notices gives the same day.
    code, listed, err = run(data_dir, "reminders", "notices", "--json")
    assert code == 0, err
    notice = next(n for n in json.loads(listed) if n["contract_no"] == contract)
    assert (notice["channel"], notice["reporting_from"]) == ("letter", "2026-12-13")


def test_an_unknown_contract_or_an_unwritable_place_is_one_line_and_nothing_written(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[0]
    contract = _overdue(data_dir, collector)[0]
    before = _letters_on_record(data_dir)

    code, out, err = run(
        data_dir, "letters", "issue", "--kind", "demand", "--contract", "NO-SUCH-LOAN",
        "--user", collector, "--out", str(tmp_path / "a.pdf"),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == "error: There is no account with contract number “NO-SUCH-LOAN”.\n"

    with read_only_disk(tmp_path / "locked") as locked:
        code, out, err = run(
            data_dir, "letters", "issue", "--kind", "demand", "--contract", contract,
            "--user", collector, "--out", str(locked / "a.pdf"),
        )  # fmt: skip
        assert (code, out, err) == (1, "", f"error: Cannot write into {locked}.\n")
        assert list(locked.iterdir()) == []

    code, out, err = run(
        data_dir, "letters", "batch", "--kind", "demand", "--team", "--user", collector,
        "--out", str(tmp_path / "missing"),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == f"error: The folder {tmp_path / 'missing'} does not exist.\n"
    assert [path.name for path in tmp_path.iterdir()] == ["locked"]
    assert _letters_on_record(data_dir) == before


def test_a_leads_batch_writes_a_letter_per_overdue_team_account_an_index_and_a_print_file(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _users(data_dir, "team_lead")[0]

    code, text, err = run(
        data_dir, "letters", "batch", "--kind", "demand", "--team", "--user", lead,
        "--at", AT, "--out", str(tmp_path),
    )  # fmt: skip

    assert code == 0, err
    lines = text.strip().splitlines()
    issued = [NUMBER.match(line) for line in lines if NUMBER.match(line)]
    skipped = [line for line in lines if line.startswith("skipped ")]
    summary = lines[-1]
    assert issued and summary.startswith(f"{len(issued)} letters written, {len(skipped)} accounts")
    assert len(issued) + len(skipped) == len(lines) - 1
    # The team's overdue accounts, every one either written or skipped with a reason.
    team = {contract for contract in _overdue(data_dir, lead)}
    written = {match.group(2) for match in issued if match}
    left_out = {line.split()[1].rstrip(":") for line in skipped}
    assert written | left_out == team and not written & left_out
    assert all(re.fullmatch(r"skipped \S+: .+", line) for line in skipped)
    pdfs = sorted(path.name for path in tmp_path.glob("HX-*.pdf"))
    assert pdfs == sorted(f"{match.group(1)}.pdf" for match in issued if match)
    (index,) = tmp_path.glob("letters-demand-*-index.csv")
    rows = list(csv.DictReader(io.StringIO(index.read_text(encoding="utf-8-sig"))))
    assert {row["contract_no"] for row in rows} == team
    assert {row["status"] for row in rows if row["contract_no"] in written} == {"issued"}
    (printing,) = tmp_path.glob("letters-demand-*-print.pdf")
    assert _squash(pdf_raw_text(printing.read_bytes())).count("催收函") == len(issued)


def test_a_collectors_batch_by_bucket_is_their_own_accounts_in_that_bucket(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[1]
    in_m2 = {str(e["contract_no"]) for e in _queue(data_dir, collector) if e["bucket"] == "M2"}

    code, text, err = run(
        data_dir, "letters", "batch", "--kind", "demand", "--bucket", "M2",
        "--user", collector, "--at", AT, "--json", "--out", str(tmp_path),
    )  # fmt: skip

    assert code == 0, err
    batch = json.loads(text)
    listed = {letter["contract_no"] for letter in batch["issued"]}
    listed |= {skipped["contract_no"] for skipped in batch["skipped"]}
    assert listed == in_m2
    assert {letter["kind"] for letter in batch["issued"]} == {"demand"}


def test_a_credit_notice_is_a_leads_a_collectors_is_one_line_and_nothing_written(
    data_dir: Path, tmp_path: Path
) -> None:
    collector = _users(data_dir, "collector")[1]
    contract = _overdue(data_dir, collector)[0]
    before = _letters_on_record(data_dir)

    for command in (
        ["issue", "--contract", contract, "--out", str(tmp_path / "n.pdf")],
        ["batch", "--bucket", "M2", "--out", str(tmp_path)],
    ):
        code, text, err = run(
            data_dir, "letters", *command, "--kind", "credit-notice", "--user", collector,
            "--at", AT,
        )  # fmt: skip
        assert (code, text) == (1, "")
        assert err == (
            f"error: Only a team lead issues a credit-reporting notice; {collector} may issue"
            " a demand letter.\n"
        )
    assert list(tmp_path.iterdir()) == []
    assert _letters_on_record(data_dir) == before


def test_a_batch_needs_team_or_bucket(data_dir: Path, tmp_path: Path) -> None:
    lead = _users(data_dir, "team_lead")[0]

    code, out, err = run(
        data_dir, "letters", "batch", "--kind", "demand", "--user", lead, "--out", str(tmp_path)
    )

    assert (code, out) == (EXIT_USAGE, "")
    assert len(err.splitlines()) == 1 and "one of the arguments --team --bucket" in err
