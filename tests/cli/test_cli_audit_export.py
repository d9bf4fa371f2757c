"""`audit-export`: what a regulator asks for, for one account or a span of days, as a team lead
runs it on a real embedded database: CSV files, one XLSX, a manifest of hashes, on record."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from app.cli import main
from app.cli.common import EXIT_USAGE
from tests.cli.test_cli import run
from tests.helpers.clock import clock_at

AT = "2026-11-28T10:00:00+08:00"
HOSTILE = ('=HYPERLINK("http://evil.example/","open")\x07', "+1+1", "-2+3", "@SUM(A1)")


@pytest.fixture(autouse=True)
def written_at() -> Iterator[None]:
    with clock_at(datetime.fromisoformat(AT)):
        yield


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-audit")
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


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _events(data_dir: Path) -> list[dict[str, Any]]:
    with _db(data_dir) as db:
        rows = db.execute(
            "SELECT entity, entity_id, details FROM audit_events"
            " WHERE action = 'audit_export.written' ORDER BY at"
        ).fetchall()
    return [{"entity": r[0], "entity_id": r[1], **json.loads(r[2])} for r in rows]


def test_a_span_export_lists_every_file_with_its_hash_and_rows_and_is_on_record(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _user(data_dir, "team_lead")
    out = tmp_path / "audit"
    before = len(_events(data_dir))

    code, text, err = run(
        data_dir, "audit-export", "--from", "2026-10-01", "--to", "2026-11-28",
        "--user", lead, "--out", str(out),
    )  # fmt: skip

    assert code == 0, err
    assert text.strip().splitlines()[-1].startswith(f"Audit export written to {out} (")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scope"] == "2026-10-01 to 2026-11-28"
    assert manifest["sections"]["complaints"] == {"file": "complaints.csv"}
    names = {entry["name"] for entry in manifest["files"]}
    assert names == {p.name for p in out.iterdir()} - {"manifest.json"}
    assert names == {
        "contacts.csv",
        "rule_decisions.csv",
        "blocks.csv",
        "escalations.csv",
        "complaints.csv",
        "disputes.csv",
        "audit_export.xlsx",
    }
    book = load_workbook(out / "audit_export.xlsx", read_only=True)
    for entry in manifest["files"]:
        data = (out / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        if entry["name"].endswith(".csv"):
            rows = _csv(out / entry["name"])
            assert entry["rows"] == len(rows)
            sheet = book[entry["name"].removesuffix(".csv")]
            values = [[v or "" for v in r] for r in sheet.iter_rows(values_only=True)]
            assert values[1:] == [list(row.values()) for row in rows]
    # Every contact of the span, and a decision for each contact and each block.
    with _db(data_dir) as db:
        (contacts,) = db.execute(
            "SELECT count(*) FROM contact_attempts WHERE started_at >= '2026-09-30 16:00:00'"
            " AND started_at < '2026-11-28 16:00:00'"
        ).fetchone()
        (blocks,) = db.execute(
            "SELECT count(*) FROM contact_blocks WHERE at >= '2026-09-30 16:00:00'"
            " AND at < '2026-11-28 16:00:00'"
        ).fetchone()
    assert contacts > 0 and blocks > 0
    assert len(_csv(out / "contacts.csv")) == contacts
    decisions = _csv(out / "rule_decisions.csv")
    assert sum(row["decision"] == "allowed" for row in decisions) == contacts
    refused = [row for row in decisions if row["decision"] == "refused"]
    assert len(refused) == blocks == len(_csv(out / "blocks.csv"))
    assert all(row["rules"] and row["why"] and row["why"] != row["rules"] for row in refused)
    # On record, with the same hashes.
    events = _events(data_dir)
    assert len(events) == before + 1
    assert events[-1]["entity"] == "audit_export"
    assert events[-1]["files"] == {e["name"]: e["sha256"] for e in manifest["files"]} | {
        "manifest.json": hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    }


def test_contacts_are_timed_in_the_borrowers_zone(data_dir: Path, tmp_path: Path) -> None:
    lead = _user(data_dir, "team_lead")
    with _db(data_dir) as db:
        attempt = db.execute(
            "SELECT a.id, a.started_at, a.contact_point_id, l.contract_no FROM contact_attempts a"
            " JOIN loans l ON l.id = a.loan_id WHERE a.contact_point_id IS NOT NULL"
            " ORDER BY a.started_at LIMIT 1"
        ).fetchone()
        zones = db.execute(
            "SELECT time_zones FROM contact_points WHERE id = ?", (attempt["contact_point_id"],)
        ).fetchone()[0]
        db.execute(
            "UPDATE contact_points SET time_zones = 'Asia/Urumqi' WHERE id = ?",
            (attempt["contact_point_id"],),
        )
    try:
        code, _, err = run(
            data_dir, "audit-export", "--contract", attempt["contract_no"],
            "--user", lead, "--out", str(tmp_path / "a"),
        )  # fmt: skip
        assert code == 0, err
    finally:
        with _db(data_dir) as db:
            db.execute(
                "UPDATE contact_points SET time_zones = ? WHERE id = ?",
                (zones, attempt["contact_point_id"]),
            )
    rows = _csv(tmp_path / "a" / "contacts.csv")
    assert {row["contract_no"] for row in rows} == {attempt["contract_no"]}
    moment = datetime.fromisoformat(attempt["started_at"]).replace(tzinfo=UTC)
    (row,) = [r for r in rows if r["at_utc"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert row["zone"] == "Asia/Urumqi"
    local = moment.astimezone(ZoneInfo("Asia/Urumqi"))
    assert row["at_borrower_time"] == local.isoformat(timespec="seconds")
    assert row["at_borrower_time"].endswith("+06:00")


def test_hostile_cells_reach_a_spreadsheet_as_text_never_as_formulas(
    data_dir: Path, tmp_path: Path
) -> None:
    lead = _user(data_dir, "team_lead")
    with _db(data_dir) as db:
        escalation = db.execute(
            "SELECT e.id, e.note, l.contract_no FROM escalations e JOIN loans l"
            " ON l.id = e.loan_id ORDER BY e.raised_at LIMIT 1"
        ).fetchone()
        attempt = db.execute(
            "SELECT id, checklist FROM contact_attempts WHERE loan_id = (SELECT loan_id FROM"
            " escalations WHERE id = ?) LIMIT 1",
            (escalation["id"],),
        ).fetchone()
        db.execute("UPDATE escalations SET note = ? WHERE id = ?", (HOSTILE[0], escalation["id"]))
        db.execute(
            "UPDATE contact_attempts SET checklist = ?, script_stage = ? WHERE id = ?",
            (json.dumps(list(HOSTILE[1:])), HOSTILE[3], attempt["id"]),
        )
    try:
        code, _, err = run(
            data_dir, "audit-export", "--contract", escalation["contract_no"],
            "--user", lead, "--out", str(tmp_path / "h"),
        )  # fmt: skip
        assert code == 0, err
    finally:
        with _db(data_dir) as db:
            db.execute(
                "UPDATE escalations SET note = ? WHERE id = ?",
                (escalation["note"], escalation["id"]),
            )
            db.execute(
                "UPDATE contact_attempts SET checklist = ?, script_stage = NULL WHERE id = ?",
                (attempt["checklist"], attempt["id"]),
            )
    out = tmp_path / "h"
    notes = [row["note"] for row in _csv(out / "escalations.csv")]
    assert "'" + HOSTILE[0] in notes
    contacts = _csv(out / "contacts.csv")
    assert any(row["checklist"] == "'" + ", ".join(HOSTILE[1:]) for row in contacts)
    assert any(row["script_path"].startswith("'" + HOSTILE[3]) for row in contacts)
    # No cell of any file starts with what a spreadsheet runs.
    for path in out.glob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    book = load_workbook(out / "audit_export.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    # The bell is dropped: XML cannot hold it.
    assert "'" + HOSTILE[0].rstrip("\x07") in [cell.value for cell in cells]


def test_who_may_export_and_what_a_span_must_be(data_dir: Path, tmp_path: Path) -> None:
    lead = _user(data_dir, "team_lead")
    collector = _user(data_dir, "collector")
    before = len(_events(data_dir))

    code, out, err = run(
        data_dir, "audit-export", "--from", "2026-11-01", "--to", "2026-11-28",
        "--user", collector, "--out", str(tmp_path / "c"),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == "error: Only a team lead or an administrator exports for an audit.\n"

    code, out, err = run(
        data_dir, "audit-export", "--from", "2026-11-28", "--to", "2026-11-01",
        "--user", lead, "--out", str(tmp_path / "d"),
    )  # fmt: skip
    assert (code, err) == (1, "error: The span ends (2026-11-01) before it starts (2026-11-28).\n")

    code, out, err = run(
        data_dir, "audit-export", "--from", "2026-11-01", "--user", lead,
        "--out", str(tmp_path / "e"),
    )  # fmt: skip
    assert code == EXIT_USAGE and "--from needs --to" in err

    # A span that starts after today (the clock is at 2026-11-28) holds nothing yet.
    code, out, err = run(
        data_dir, "audit-export", "--from", "2028-01-01", "--to", "2028-01-31",
        "--user", lead, "--out", str(tmp_path / "f"),
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == "error: The span starts on 2028-01-01, after today (2026-11-28).\n"

    (tmp_path / "taken").mkdir()
    code, out, err = run(
        data_dir, "audit-export", "--from", "2026-11-01", "--to", "2026-11-02",
        "--user", lead, "--out", str(tmp_path / "taken"),
    )  # fmt: skip
    assert code == 1 and "already exists" in err
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    assert len(_events(data_dir)) == before


def _dispute_contact(data_dir: Path) -> tuple[str, str, str, str]:
    """The demo's latest DSP contact by the account's own collector before the export's clock:
    its id, the contract, the collector and a lead of their team."""
    with _db(data_dir) as db:
        row = db.execute(
            "SELECT a.id, l.contract_no, u.username, u.team_id FROM contact_attempts a"
            " JOIN loans l ON l.id = a.loan_id JOIN users u ON u.id = a.user_id"
            " WHERE a.disposition = 'DSP' AND l.assigned_to_id = a.user_id"
            " AND a.started_at < '2026-11-28 02:00:00' ORDER BY a.started_at DESC LIMIT 1"
        ).fetchone()
        (lead,) = db.execute(
            "SELECT username FROM users WHERE role = 'team_lead' AND team_id = ?", (row[3],)
        ).fetchone()
    return str(uuid.UUID(hex=str(row[0]))), str(row[1]), str(row[2]), str(lead)


def test_complaints_and_disputes_with_their_answers_are_in_the_export(
    data_dir: Path, tmp_path: Path
) -> None:
    attempt, contract, collector, lead = _dispute_contact(data_dir)
    code, out, err = run(
        data_dir, "complaint", "log", contract, "--user", collector, "--channel",
        "regulator_12378", "--category", "contact_frequency", "--summary",
        "12378转办：每天多次来电", "--collector", collector, "--reference", "NFRA-0042",
        "--received", "2026-11-27T10:00:00+08:00", "--json",
    )  # fmt: skip
    assert code == 0, err
    complaint = json.loads(out)["id"]
    code, _, err = run(
        data_dir, "complaint", "reply", complaint, "--user", lead, "--text", "已回电致歉",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        data_dir, "dispute", "open", contract, "--user", collector, "--kind", "amount_wrong",
        "--claim", "客户称罚息算错", "--contact", attempt, "--json",
    )  # fmt: skip
    assert code == 0, err
    dispute = json.loads(out)["id"]

    out_dir = tmp_path / "audit"
    code, _, err = run(
        data_dir, "audit-export", "--contract", contract, "--user", lead, "--out", str(out_dir)
    )
    assert code == 0, err
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sections"]["complaints"] == {"file": "complaints.csv"}
    assert manifest["sections"]["disputes"] == {"file": "disputes.csv"}
    assert "not recorded by this version" not in json.dumps(manifest)
    (row,) = [r for r in _csv(out_dir / "complaints.csv") if r["complaint_id"] == complaint]
    assert (row["contract_no"], row["channel"], row["category"]) == (
        contract, "regulator_12378", "contact_frequency",
    )  # fmt: skip
    assert (row["summary"], row["collector"], row["logged_by"]) == (
        "12378转办：每天多次来电", collector, collector,
    )  # fmt: skip
    assert (row["reply"], row["replied_by"], row["reference"]) == ("已回电致歉", lead, "NFRA-0042")
    assert row["received_at_utc"].endswith("Z") and row["replied_at_utc"].endswith("Z")
    assert row["due_on"]
    (case,) = [r for r in _csv(out_dir / "disputes.csv") if r["dispute_id"] == dispute]
    assert (case["kind"], case["claim"], case["attempt_id"]) == (
        "amount_wrong", "客户称罚息算错", attempt,
    )  # fmt: skip
    assert (case["opened_by"], case["decision"]) == (collector, "open")
    book = load_workbook(out_dir / "audit_export.xlsx", read_only=True)
    assert {"complaints", "disputes"} <= set(book.sheetnames)

    # A span export holds the account for its complaint alone.
    span_dir = tmp_path / "span"
    day = row["received_at_borrower_time"][:10]
    code, _, err = run(
        data_dir, "audit-export", "--from", day, "--to", day, "--user", lead,
        "--out", str(span_dir),
    )  # fmt: skip
    assert code == 0, err
    assert complaint in {r["complaint_id"] for r in _csv(span_dir / "complaints.csv")}
