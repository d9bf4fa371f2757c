"""`legal-package`: an account's referral package for a lawyer, run as a team lead would, on a
real embedded database. The statement of account is re-computed here from the schedule and the
payments rows, by this file's own arithmetic, and must agree with the package to the cent."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.cli import main
from tests.cli.test_cli import run
from tests.helpers.clock import clock_at
from tests.helpers.pdf import pdf_fonts, pdf_raw_text

AT = "2026-11-28T10:00:00+08:00"
AS_OF = date(2026, 11, 28)
SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
# The lender's order within an instalment (resources/policy.json, "allocation_order").
ORDER = ("fees", "penalty", "interest", "principal")


@pytest.fixture(autouse=True)
def written_at() -> Iterator[None]:
    with clock_at(datetime.fromisoformat(AT)):
        yield


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-legal")
    arguments = ["--data-dir", str(folder), "demo-data", "--accounts", "120", "--seed", "7"]
    assert main([*arguments, "--as-of", AT]) == 0
    return folder


def _db(data_dir: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(data_dir / "central.sqlite3")
    connection.row_factory = sqlite3.Row
    return connection


def _user(data_dir: Path, role: str) -> str:
    with _db(data_dir) as db:
        (name,) = db.execute(
            "SELECT username FROM users WHERE role = ? LIMIT 1", (role,)
        ).fetchone()
    return str(name)


def _penalised_contracts(data_dir: Path, count: int) -> list[str]:
    """Accounts with payments and an overdue instalment that has accrued penalty."""
    with _db(data_dir) as db:
        rows = db.execute(
            "SELECT l.contract_no FROM loans l WHERE EXISTS (SELECT 1 FROM payments p"
            " WHERE p.loan_id = l.id) AND EXISTS (SELECT 1 FROM instalments i WHERE"
            " i.loan_id = l.id AND i.settled_on IS NULL AND i.penalty_accrued > 0)"
            " ORDER BY l.contract_no LIMIT ?",
            (count,),
        ).fetchall()
    return [str(row[0]) for row in rows]


def _events(data_dir: Path, action: str) -> list[dict[str, Any]]:
    with _db(data_dir) as db:
        rows = db.execute(
            "SELECT entity_id, details FROM audit_events WHERE action = ?", (action,)
        ).fetchall()
    return [{"entity_id": row[0], **json.loads(row[1])} for row in rows]


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- the independent arithmetic


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(raw: int) -> Decimal:
    """A money column as SQLite stores it: whole cents."""
    return (Decimal(raw) / 100).quantize(CENT)


def _recompute(data_dir: Path, contract: str, as_of: date) -> dict[str, Any]:
    """The account on `as_of`, from its schedule and payments rows alone: each instalment's
    parts paid and penalty, and what is overdue."""
    with _db(data_dir) as db:
        loan = db.execute(
            "SELECT id, CAST(penalty_rate_daily AS TEXT) AS rate FROM loans WHERE contract_no = ?",
            (contract,),
        ).fetchone()
        schedule = db.execute(
            "SELECT seq, due_date, principal_due, interest_due, fees_due FROM instalments"
            " WHERE loan_id = ? ORDER BY seq",
            (loan["id"],),
        ).fetchall()
        payments = db.execute(
            "SELECT paid_at, amount FROM payments WHERE loan_id = ? AND reversed_at IS NULL",
            (loan["id"],),
        ).fetchall()
    rate = Decimal(loan["rate"])
    items = [
        {
            "seq": row["seq"],
            "due": date.fromisoformat(row["due_date"]),
            "due_principal": _money(row["principal_due"]),
            "due_interest": _money(row["interest_due"]),
            "due_fees": _money(row["fees_due"]),
            "paid_principal": Decimal("0.00"),
            "paid_interest": Decimal("0.00"),
            "paid_fees": Decimal("0.00"),
            "paid_penalty": Decimal("0.00"),
            "penalty": Decimal("0.00"),
            "since": None,
            "settled": None,
        }
        for row in schedule
    ]
    by_day: dict[date, Decimal] = defaultdict(Decimal)
    for row in payments:
        moment = datetime.fromisoformat(row["paid_at"]).replace(tzinfo=UTC)
        day = moment.astimezone(SHANGHAI).date()
        if day <= as_of:
            by_day[day] += _money(row["amount"])

    def owed(item: dict[str, Any], part: str) -> Decimal:
        if part == "penalty":
            return item["penalty"] - item["paid_penalty"]
        return item[f"due_{part}"] - item[f"paid_{part}"]

    def penalty_until(item: dict[str, Any], day: date) -> tuple[Decimal, date | None]:
        start = max(item["due"], item["since"] or item["due"])
        if item["settled"] is not None or item["due"] >= day or day <= start:
            return Decimal("0.00"), None
        unpaid = item["due_principal"] - item["paid_principal"]
        return _cents(unpaid * rate * (day - start).days), day

    for day in sorted(by_day):
        for item in items:
            amount, since = penalty_until(item, day)
            if since is not None:
                item["penalty"] += amount
                item["since"] = since
        left = by_day[day]
        for item in items:
            if item["settled"] is not None:
                continue
            for part in ORDER:
                take = min(left, owed(item, part))
                if take > 0:
                    item[f"paid_{part}"] += take
                    left -= take
            if all(owed(item, part) == 0 for part in ORDER):
                item["settled"] = day
            if left == 0:
                break
    overdue = Decimal("0.00")
    penalty_total = Decimal("0.00")
    for item in items:
        item["to_date"], _ = penalty_until(item, as_of)
        if item["settled"] is None and item["due"] < as_of:
            unpaid = sum((owed(item, part) for part in ORDER), Decimal("0.00"))
            overdue += unpaid + item["to_date"]
            penalty_total += owed(item, "penalty") + item["to_date"]
    return {
        "rate": rate,
        "items": {item["seq"]: item for item in items},
        "overdue": overdue,
        "penalty": penalty_total,
    }


# ---------------------------------------------------------------- tests


def test_the_statement_of_account_agrees_to_the_cent_with_the_schedule_and_payments(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _user(data_dir, "team_lead")
    contracts = _penalised_contracts(data_dir, 4)
    assert len(contracts) == 4
    for number, contract in enumerate(contracts):
        out = tmp_path / f"p{number}"
        code, text, err = run(
            data_dir, "legal-package", "--contract", contract, "--user", lead, "--out", str(out)
        )
        assert code == 0, err
        assert text.startswith(f"Referral package for {contract} as of {AS_OF.isoformat()}")
        expected = _recompute(data_dir, contract, AS_OF)

        instalments = {int(row["seq"]): row for row in _csv(out / "instalments.csv")}
        assert set(instalments) == set(expected["items"])
        for seq, item in expected["items"].items():
            row = instalments[seq]
            assert Decimal(row["principal_paid"]) == item["paid_principal"], (contract, seq)
            assert Decimal(row["interest_paid"]) == item["paid_interest"], (contract, seq)
            assert Decimal(row["fees_paid"]) == item["paid_fees"], (contract, seq)
            assert Decimal(row["penalty_booked"]) == item["penalty"], (contract, seq)
            assert Decimal(row["penalty_paid"]) == item["paid_penalty"], (contract, seq)
            assert Decimal(row["penalty_to_date"]) == item["to_date"], (contract, seq)
            assert row["settled_on"] == (item["settled"].isoformat() if item["settled"] else "")

        # Every penalty computation says its rate and days, and its amount follows from them.
        penalty = _csv(out / "penalty.csv")
        assert penalty, contract
        booked: dict[int, Decimal] = defaultdict(Decimal)
        for row in penalty:
            assert Decimal(row["daily_rate"]) == expected["rate"]
            days = (date.fromisoformat(row["to"]) - date.fromisoformat(row["from"])).days
            assert int(row["days"]) == days
            amount = _cents(Decimal(row["unpaid_principal"]) * expected["rate"] * days)
            assert Decimal(row["amount"]) == amount
            if row["booked"] == "booked":
                booked[int(row["seq"])] += amount
        for seq, item in expected["items"].items():
            assert booked[seq] == item["penalty"], (contract, seq)

        # Each payment's allocation adds up to it, and all of them to what each part was paid.
        parts: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        for row in _csv(out / "payments.csv"):
            applied = re.findall(r"#(\d+) (\w+) ([\d.]+)", row["applied"])
            total = sum((Decimal(amount) for _, _, amount in applied), Decimal("0.00"))
            assert total + Decimal(row["unapplied"]) == Decimal(row["amount"]), row
            for seq, part, amount in applied:
                parts[int(seq), part] += Decimal(amount)
        for seq, item in expected["items"].items():
            for part in ORDER:
                assert parts[seq, part] == item[f"paid_{part}"], (contract, seq, part)

        facts = {row["fact"]: row["value"] for row in _csv(out / "loan.csv")}
        assert Decimal(facts["overdue_total"]) == expected["overdue"]
        assert Decimal(facts["overdue_penalty"]) == expected["penalty"]
        assert Decimal(facts["penalty_rate_daily"]) == expected["rate"]
        assert facts["books_check"] == "agrees"

        # The same figures in both PDFs, every font embedded.
        for language in ("zh_CN", "en"):
            data = (out / f"package_{language}.pdf").read_bytes()
            assert all(font.embedded for font in pdf_fonts(data))
            printed = _squash(pdf_raw_text(data))
            assert contract in printed
            assert f"{expected['overdue']:,}" in printed
            for row in penalty:
                assert row["amount"] in printed and row["unpaid_principal"] in printed


def test_the_package_has_the_full_id_number_a_manifest_of_hashes_and_is_audited(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _user(data_dir, "team_lead")
    (contract,) = _penalised_contracts(data_dir, 1)
    with _db(data_dir) as db:
        loan_id, id_number, name = db.execute(
            "SELECT l.id, b.id_number, b.name FROM loans l JOIN borrowers b"
            " ON b.id = l.borrower_id WHERE l.contract_no = ?",
            (contract,),
        ).fetchone()
    before = len(_events(data_dir, "legal.package_written"))
    out = tmp_path / "package.zip"

    code, _, err = run(
        data_dir, "legal-package", "--contract", contract, "--user", lead, "--out", str(out)
    )

    assert code == 0, err
    with zipfile.ZipFile(out) as archive:
        files = {Path(n).name: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    assert manifest["contract_no"] == contract and manifest["referral"] is None
    listed = {
        entry["name"]: entry for entry in manifest["files"] if entry["name"] != "manifest.json"
    }
    assert set(listed) == set(files) - {"manifest.json"}
    for file_name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[file_name]).hexdigest()
        if file_name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(files[file_name].decode("utf-8-sig"))))
            assert entry["rows"] == len(rows) - 1
    zh = _squash(pdf_raw_text(files["package_zh_CN.pdf"]))
    assert id_number in zh and name in zh and "法律移交材料" in zh
    assert id_number in _squash(pdf_raw_text(files["package_en.pdf"]))
    borrower = {
        row[0]: row[1] for row in csv.reader(io.StringIO(files["borrower.csv"].decode("utf-8-sig")))
    }
    assert borrower["id_number"] == id_number
    # Writing it is on record, with the hash of every file as written.
    events = _events(data_dir, "legal.package_written")
    assert len(events) == before + 1
    event = events[-1]
    assert event["entity_id"] == str(uuid_of(loan_id)) and event["full_id_number"] is True
    assert event["files"]["manifest.json"] == hashlib.sha256(files["manifest.json"]).hexdigest()
    assert event["files"]["package_en.pdf"] == listed["package_en.pdf"]["sha256"]


def uuid_of(raw: Any) -> str:
    return str(uuid.UUID(bytes=raw) if isinstance(raw, bytes) else uuid.UUID(str(raw)))


def test_a_collector_or_a_place_taken_is_refused_in_one_line_and_nothing_is_written(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _user(data_dir, "team_lead")
    collector = _user(data_dir, "collector")
    (contract,) = _penalised_contracts(data_dir, 1)
    before = len(_events(data_dir, "legal.package_written"))

    code, out, err = run(
        data_dir, "legal-package", "--contract", contract, "--user", collector,
        "--out", str(tmp_path / "p"),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == "error: Only a team lead or an administrator writes a referral package.\n"

    (tmp_path / "taken").mkdir()
    code, out, err = run(
        data_dir, "legal-package", "--contract", contract, "--user", lead,
        "--out", str(tmp_path / "taken"),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == (
        f"error: {tmp_path / 'taken'} already exists; a package is written to a new folder"
        " or .zip file.\n"
    )
    code, out, err = run(
        data_dir, "legal-package", "--contract", "NO-SUCH", "--user", lead,
        "--out", str(tmp_path / "q.zip"),
    )  # fmt: skip
    assert (code, err) == (1, "error: There is no account with contract number “NO-SUCH”.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert list((tmp_path / "taken").iterdir()) == []
    assert len(_events(data_dir, "legal.package_written")) == before


def test_a_reversed_payment_counts_for_nothing_and_books_that_differ_are_said(
    data_dir: Path, tmp_path: Path
) -> None:
    """A payment reversed behind the ledger's back: the statement leaves it out, re-computes
    without it, and says the books (still counting it) differ."""
    lead = _user(data_dir, "team_lead")
    contract = _penalised_contracts(data_dir, 6)[5]
    with _db(data_dir) as db:
        (payment_id,) = db.execute(
            "SELECT p.id FROM payments p JOIN loans l ON l.id = p.loan_id"
            " WHERE l.contract_no = ? ORDER BY p.paid_at DESC LIMIT 1",
            (contract,),
        ).fetchone()
        db.execute(
            "UPDATE payments SET reversed_at = '2026-11-27 02:00:00.000000' WHERE id = ?",
            (payment_id,),
        )
    try:
        code, _, err = run(
            data_dir, "legal-package", "--contract", contract, "--user", lead,
            "--out", str(tmp_path / "p"),
        )  # fmt: skip
        assert code == 0, err
        expected = _recompute(data_dir, contract, AS_OF)
        facts = {row["fact"]: row["value"] for row in _csv(tmp_path / "p" / "loan.csv")}
        assert facts["books_check"] == "differs"
        assert Decimal(facts["overdue_total"]) == expected["overdue"]
        payments = _csv(tmp_path / "p" / "payments.csv")
        reversed_rows = [row for row in payments if row["counted"] != "yes"]
        assert len(reversed_rows) == 1 and reversed_rows[0]["applied"] == ""
        printed = _squash(pdf_raw_text((tmp_path / "p" / "package_en.pdf").read_bytes()))
        assert "differs" in printed
    finally:
        with _db(data_dir) as db:
            db.execute("UPDATE payments SET reversed_at = NULL WHERE id = ?", (payment_id,))


def test_the_cover_sheet_carries_the_referral_the_legal_desk_recorded(
    data_dir: Path, tmp_path: Path
) -> None:
    """A referral made and taken to filing through `legal` is what the package's cover says,
    in both languages, and what its manifest records."""
    lead = _user(data_dir, "team_lead")
    contract = _penalised_contracts(data_dir, 3)[2]
    steps = (
        ("refer", contract, "--reason", "十二个月未联系上，拒绝还款"),
        ("step", contract, "lawyer", "--on", "2026-11-28", "--firm", "金杜律师事务所",
         "--lawyer", "王律师"),
        ("step", contract, "filing", "--on", "2026-11-28", "--case-number",
         "(2026)京0105民初12345号", "--court", "北京市朝阳区人民法院"),
    )  # fmt: skip
    for step in steps:
        code, _, err = run(data_dir, "legal", *step, "--user", lead)
        assert code == 0, err
    out = tmp_path / "package"

    code, _, err = run(
        data_dir, "legal-package", "--contract", contract, "--user", lead, "--out", str(out)
    )

    assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    referral = manifest["referral"]
    assert (referral["case_number"], referral["court"], referral["stage"]) == (
        "(2026)京0105民初12345号",
        "北京市朝阳区人民法院",
        "filing",
    )
    assert referral["firm"] == "金杜律师事务所 · 王律师"
    chinese = _squash(pdf_raw_text((out / "package_zh_CN.pdf").read_bytes()))
    english = _squash(pdf_raw_text((out / "package_en.pdf").read_bytes()))
    for text in (chinese, english):
        for said in ("(2026)京0105民初12345号", "北京市朝阳区人民法院", "金杜律师事务所·王律师"):
            assert _squash(said) in text, said
    assert "已立案" in chinese and "claimfiled" in english
