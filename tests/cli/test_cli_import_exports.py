"""Real export files through `central import-portfolio`, into the embedded database and PostgreSQL.

Each file is written as a lending system writes it: UTF-8 with or without a byte-order mark,
GBK or GB18030, holding real Chinese text; the command runs as an administrator runs it (in
this process: tests/helpers/cli.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.config import DATABASE_FILE, DATABASE_URL_ENV
from app.database import Database
from app.models import Team
from app.services.common.idnumbers import make
from app.services.portfolio.importing import HEADER
from app.services.sync.central import init_central
from tests.helpers.cli import run_cli
from tests.helpers.postgres import fresh_database

# The team whose pool takes the export's loans, which no collector is assigned to yet.
TEAM = "电催一组"


def _with_team(database: Database) -> Database:
    with database.session() as session:
        session.add(Team(name=TEAM))
    return database


@dataclass
class Target:
    """Where the command imports to: the arguments that say so, and a way to look inside."""

    folder: Path
    args: list[str]
    db: Database

    def run(self, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
        return run_cli(
            self.folder, "central", "import-portfolio", str(path), *self.args, *extra, env=env
        )

    def rows(self, query: str) -> list[tuple[object, ...]]:
        with self.db.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]

    def counts(self) -> tuple[object, ...]:
        tables = ("borrowers", "contact_points", "loans", "instalments", "payments")
        return tuple(self.rows(f"SELECT count(*) FROM {table}")[0][0] for table in tables)


@pytest.fixture(params=["embedded", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "embedded":
        yield request.getfixturevalue("embedded")
        return
    with fresh_database() as url:
        database = Database(url)
        init_central(database)
        yield Target(tmp_path, ["--url", url], _with_team(database))
        database.dispose()


def _export(n: int, *, name: str = "王芳", street: str = "中山七路12号") -> list[dict[str, str]]:
    """Borrower n in Guangzhou with a mobile and her father, and a one-month cash loan."""
    id_number = make("440103", date(1990, 5, 17), n)
    contract = f"HX2026{n:06d}"
    return [
        {"record": "borrower", "id_number": id_number, "name": name, "date_of_birth": "1990-05-17",
         "province": "广东", "city": "广州市", "district": "荔湾区", "street": street},
        {"record": "contact", "id_number": id_number, "kind": "mobile",
         "value": f"138 1234 {n:04d}"},
        {"record": "contact", "id_number": id_number, "kind": "emergency",
         "value": f"139 0000 {n:04d}", "contact_name": "王建国", "relation": "父亲"},
        {"record": "loan", "contract_no": contract, "id_number": id_number, "product": "CASH",
         "principal": "3000.00", "annual_rate": "0.18", "penalty_rate_daily": "0.0005",
         "term_months": "1", "disbursed_on": "2026-07-01", "team": TEAM},
        {"record": "instalment", "contract_no": contract, "seq": "1", "due_date": "2026-08-01",
         "principal_due": "3000.00", "interest_due": "45.00", "fees_due": "0.00"},
        {"record": "payment", "contract_no": contract, "paid_at": "2026-08-01T10:00:00+08:00",
         "amount": "1000.00", "channel": "alipay", "reference": "支付宝转账"},
    ]  # fmt: skip


def _abroad(n: int) -> list[dict[str, str]]:
    """Borrower n living in New York: a US mobile written the American way."""
    id_number = make("310104", date(1985, 1, 9), n)
    return [
        {"record": "borrower", "id_number": id_number, "name": "李明",
         "date_of_birth": "1985-01-09", "country": "US", "province": "New York",
         "city": "New York", "district": "Queens", "street": "41-25 Main St"},
        {"record": "contact", "id_number": id_number, "kind": "mobile", "value": "(212) 226-3328"},
    ]  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]], encoding: str) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue()
    if encoding == "utf-8-bom":
        path.write_bytes(codecs.BOM_UTF8 + data.encode("utf-8"))
    else:
        path.write_bytes(data.encode(encoding))
    return path


def _one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr and "codec" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_exports_in_utf8_bom_gbk_and_gb18030_are_read_as_written(
    target: Target, tmp_path: Path
) -> None:
    files = {
        "utf-8": (_export(1, name="王芳") + _abroad(1), "UTF-8"),
        "utf-8-bom": (_export(2, name="张伟"), "UTF-8"),
        "gbk": (_export(3, name="陈静", street="中山七路１２号"), "GB18030"),
        # 刘䶮: a name GBK cannot write, in four GB18030 bytes.
        "gb18030": (_export(4, name="刘䶮"), "GB18030"),
    }
    for encoding, (rows, read_as) in files.items():
        done = target.run(_write(tmp_path / f"{encoding}.csv", rows, encoding))
        assert done.returncode == 0, done.stderr
        assert "imported 1 loans" in done.stdout and f"read as {read_as}" in done.stdout
    assert target.rows("SELECT name, province, street FROM borrowers ORDER BY name") == [
        ("刘䶮", "广东省", "中山七路12号"),
        ("张伟", "广东省", "中山七路12号"),
        ("李明", "NY", "41-25 Main St"),
        ("王芳", "广东省", "中山七路12号"),
        ("陈静", "广东省", "中山七路１２号"),
    ]
    # The New York borrower's number is a New York number, not a Shanghai one.
    assert target.rows(
        "SELECT c.value, c.region, c.time_zones FROM contact_points c"
        " JOIN borrowers b ON b.id = c.borrower_id WHERE b.name = '李明'"
    ) == [("+12122263328", "US", "America/New_York")]
    assert target.rows("SELECT reference FROM payments ORDER BY reference")[0] == ("支付宝转账",)


def test_a_second_export_adds_what_is_new_and_never_a_number_twice(
    target: Target, tmp_path: Path
) -> None:
    first = _write(tmp_path / "day1.csv", _export(1), "gbk")
    assert target.run(first).returncode == 0
    before = target.counts()
    again = target.run(first)
    assert again.returncode == 0, again.stderr
    assert (
        "already in the database and left as they were: 1 contracts, 1 borrowers;"
        " 2 contact points already known, not added again" in again.stdout
    )
    assert target.counts() == before
    # The next export: the same borrower, her numbers written another way, a new one, a new loan.
    day2 = _export(1)
    day2[1]["value"] = "+86 138-1234-0001"
    day2[2]["value"] = "13900000001"
    day2.append({"record": "contact", "id_number": day2[0]["id_number"], "kind": "work",
                 "value": "020 8123 4567"})  # fmt: skip
    new_loan = [{**row, "contract_no": "HX2026999999"} for row in _export(1)[3:5]]
    done = target.run(_write(tmp_path / "day2.csv", day2 + new_loan, "utf-8-bom"))
    assert done.returncode == 0, done.stderr
    assert "imported 1 loans of 0 new borrowers (1 contact points" in done.stdout
    twice = "SELECT borrower_id, value FROM contact_points GROUP BY borrower_id, value"
    assert target.rows(twice + " HAVING count(*) > 1") == []
    assert target.rows("SELECT value FROM contact_points ORDER BY position") == [
        ("+8613812340001",),
        ("+8613900000001",),
        ("+862081234567",),
    ]
    # A known contract whose terms changed is refused, pointing to the daily feed.
    changed = _export(1)
    changed[3]["principal"] = "3500.00"
    before = target.counts()
    refused = target.run(_write(tmp_path / "day3.csv", changed, "utf-8"))
    assert refused.returncode == 1
    assert "row 5, principal: the database has “3000.00” for this contract" in refused.stderr
    assert "central feed" in refused.stderr
    assert target.counts() == before


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Target]:
    database = Database(f"sqlite:///{tmp_path / DATABASE_FILE}")
    database.upgrade()
    yield Target(tmp_path, [], _with_team(database))
    database.dispose()


def test_files_that_cannot_be_read_get_one_line_saying_how_to_convert(
    embedded: Target, tmp_path: Path
) -> None:
    # The file is read before any database is asked, so one database shows it for both.
    target = embedded
    latin = tmp_path / "latin.csv"
    latin.write_bytes("record,name\nborrower,Zoë Müller\n".encode("latin-1"))
    line = _one_line_refusal(target.run(latin))
    assert "neither UTF-8 nor GB18030" in line and "iconv -f ENCODING -t UTF-8" in line
    unicode_text = _write(tmp_path / "excel.csv", _export(1), "utf-16")
    assert "iconv -f UTF-16 -t UTF-8" in _one_line_refusal(target.run(unicode_text))
    gb = _write(tmp_path / "gb.csv", _export(1, name="刘䶮"), "gb18030")
    line = _one_line_refusal(target.run(gb, "--encoding", "gbk"))
    assert "gb.csv is not gbk" in line and "line 2" in line
    assert "not a text encoding" in _one_line_refusal(target.run(gb, "--encoding", "klingon"))
    assert target.counts() == (0, 0, 0, 0, 0)
    # Named, the encoding is used as it is.
    forced = target.run(_write(tmp_path / "named.csv", _export(5), "gbk"), "--encoding", "gbk")
    assert forced.returncode == 0 and "read as GBK" in forced.stdout, forced.stderr


def test_hostile_rows_are_named_by_row_and_column_and_nothing_is_written(
    target: Target, tmp_path: Path
) -> None:
    rows = _export(1) + _abroad(1) + _export(2)
    rows[0]["name"] = "王\x00芳"
    rows[0]["street"] = "=cmd|' /C calc'!A0"
    rows[1]["value"] = "１３８ 1234 0001"
    rows[2]["contact_name"] = "\u202e国建王"
    rows[3].update(principal="３０００.00", product="GOLD", annual_rate="18", term_months="1²")
    rows[4]["due_date"] = "２０２６-08-01"
    rows[5]["reference"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[6]["province"] = "Atlantis"
    rows[7]["value"] = "138 1234 5678"  # a Chinese mobile without +86, for a US borrower
    rows[8]["date_of_birth"] = "1990-05-18"  # the ID number says 1990-05-17
    rows[8]["employer"] = "长" * 5000
    done = target.run(_write(tmp_path / "hostile.csv", rows, "utf-8"))
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"error: 14 problems in {tmp_path / 'hostile.csv'}; nothing was imported."
    said = {line.split(":", 1)[0].strip(): line for line in lines[1:]}
    assert list(said) == [
        "row 2, name", "row 2, street", "row 3, value", "row 4, contact_name",
        "row 5, principal", "row 5, term_months", "row 5, product", "row 5, annual_rate",
        "row 6, due_date", "row 7, reference", "row 8, province", "row 9, value",
        "row 10, employer", "row 10, date_of_birth",
    ]  # fmt: skip
    assert "U+0000" in said["row 2, name"] and "U+202E" in said["row 4, contact_name"]
    assert "spreadsheet formula" in said["row 2, street"]
    assert "read as +1 381-234-5678" in said["row 9, value"]
    assert "“Atlantis” is not a state of US" in said["row 8, province"]
    assert "the ID number says 1990-05-17" in said["row 10, date_of_birth"]
    assert "\u202e" not in done.stderr and "\x00" not in done.stderr
    assert target.counts() == (0, 0, 0, 0, 0)
