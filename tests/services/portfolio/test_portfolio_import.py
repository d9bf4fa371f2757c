"""The lending system's export: checked row by row, imported whole or not at all."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import Borrower, ContactPoint, Instalment, Loan, Payment
from app.services.common.idnumbers import make
from app.services.portfolio.accounts import account_detail
from app.services.portfolio.importing import HEADER, ImportRefused, import_portfolio
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Portfolio

ID = make("110101", date(1990, 5, 17), 1)
OTHER_ID = make("310104", date(1985, 1, 9), 2)


def _rows() -> list[dict[str, str]]:
    """One borrower with a mobile and an emergency contact, a 3-month loan, one payment."""
    return [
        {"record": "borrower", "id_number": ID, "name": "王芳", "date_of_birth": "1990-05-17",
         "province": "北京市", "city": "北京市", "district": "东城区", "street": "东四北大街1号"},
        {"record": "contact", "id_number": ID, "kind": "mobile", "value": "138 1234 5678"},
        {"record": "contact", "id_number": ID, "kind": "emergency", "value": "139 0000 1111",
         "contact_name": "王建国", "relation": "父亲"},
        {"record": "loan", "contract_no": "HX2026000001", "id_number": ID, "product": "CASH",
         "principal": "3000.00", "annual_rate": "0.18", "penalty_rate_daily": "0.0005",
         "term_months": "3", "disbursed_on": "2026-07-01", "assigned_to": "zhang.wei"},
        *[
            {"record": "instalment", "contract_no": "HX2026000001", "seq": str(seq),
             "due_date": due, "principal_due": principal, "interest_due": interest,
             "fees_due": "0.00"}
            for seq, due, principal, interest in (
                (1, "2026-08-01", "980.00", "45.00"),
                (2, "2026-09-01", "995.00", "30.00"),
                (3, "2026-10-01", "1025.00", "15.00"),
            )
        ],
        {"record": "payment", "contract_no": "HX2026000001",
         "paid_at": "2026-08-01T10:00:00+08:00", "amount": "1025.00", "channel": "alipay"},
    ]  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _counts(db: Database) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Borrower, ContactPoint, Loan, Instalment, Payment)
        )


def test_a_clean_export_is_imported_and_balanced_like_the_app_computes(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    summary = import_portfolio(db, _write(tmp_path / "export.csv", _rows()), now=NOW)
    assert (summary.borrowers, summary.contact_points, summary.loans) == (1, 2, 1)
    assert (summary.instalments, summary.payments) == (3, 1)
    detail = account_detail(db, "zhang.wei", "HX2026000001", at=NOW)
    # The first instalment was paid on its day; the second is the oldest unpaid.
    assert detail.balance.dpd == (NOW.date() - date(2026, 9, 1)).days
    assert detail.balance.principal == Decimal("2020.00")
    assert [p.kind for p in detail.contact_points] == ["mobile", "emergency"]
    with db.reader() as session:
        assert session.scalars(select(ContactPoint.value)).all()[0] == "+8613812345678"


def test_every_bad_row_is_reported_and_nothing_is_written(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = _rows()
    rows[1]["value"] = "12345"  # not a phone number
    rows[3]["principal"] = "-3000"
    rows[4]["due_date"] = "2026-13-01"
    rows[7]["amount"] = "abc"
    rows.append({"record": "payment", "contract_no": "NOPE", "paid_at": "2026-08-01",
                 "amount": "10.00", "channel": "alipay"})  # fmt: skip
    rows.append({"record": "borrower", "id_number": OTHER_ID[:-1] + "0", "name": "李雷",
                 "date_of_birth": "1985-01-09", "province": "上海市", "city": "上海市",
                 "district": "徐汇区", "street": "漕溪北路1号"})  # fmt: skip
    before = _counts(db)
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "bad.csv", rows), now=NOW)
    found = {(p.row, p.column) for p in refused.value.problems}
    assert {(3, "value"), (5, "principal"), (6, "due_date"), (9, "amount")} <= found
    assert (10, "contract_no") in found and (11, "id_number") in found
    assert "nothing was imported" in refused.value.message
    assert _counts(db) == before


def test_cross_row_rules(db: Database, portfolio: Portfolio, tmp_path: Path) -> None:
    rows = _rows()
    rows[3]["assigned_to"] = "nobody"
    del rows[5]  # instalment 2 missing: 1, 3
    rows.append({**rows[0]})  # the same borrower twice
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "bad.csv", rows), now=NOW)
    messages = {(p.column, p.message) for p in refused.value.problems}
    assert ("assigned_to", "not a collector, field agent or team lead") in messages
    assert ("seq", "instalments must be numbered 1, 2, 3… once each") in messages
    assert any(column == "id_number" and "same borrower" in m for column, m in messages)


def test_importing_the_same_export_twice_changes_nothing_and_says_what_was_known(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    path = _write(tmp_path / "export.csv", _rows())
    import_portfolio(db, path, now=NOW)
    before = _counts(db)
    again = import_portfolio(db, path, now=NOW)
    assert (again.borrowers, again.contact_points, again.loans, again.payments) == (0, 0, 0, 0)
    assert (again.known_borrowers, again.known_contracts, again.repeated_contact_points) == (
        1,
        1,
        2,
    )
    assert _counts(db) == before


def test_a_known_borrower_gets_new_numbers_once_and_known_ones_never_again(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    import_portfolio(db, _write(tmp_path / "day1.csv", _rows()), now=NOW)
    # The next export names the borrower by ID only, writes her known mobile another way,
    # brings a new work number (twice) and a new loan.
    second = [
        {"record": "contact", "id_number": ID, "kind": "mobile", "value": "+86 138-1234-5678"},
        {"record": "contact", "id_number": ID, "kind": "work", "value": "010 6512 3456"},
        {"record": "contact", "id_number": ID, "kind": "work", "value": "(010) 65123456"},
        {**_rows()[3], "contract_no": "HX2026000002"},
        *[{**row, "contract_no": "HX2026000002"} for row in _rows()[4:7]],
    ]
    summary = import_portfolio(db, _write(tmp_path / "day2.csv", second), now=NOW)
    assert (summary.contact_points, summary.repeated_contact_points, summary.loans) == (1, 2, 1)
    with db.reader() as session:
        points = session.execute(
            select(ContactPoint.value, ContactPoint.position).order_by(ContactPoint.position)
        ).all()
    values = [value for value, _ in points]
    assert len(values) == len(set(values)) == 3
    assert [position for _, position in points] == [0, 1, 2]
    assert values[-1] == "+861065123456"


def test_a_known_contract_that_differs_is_refused_and_points_to_the_feed(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    import_portfolio(db, _write(tmp_path / "day1.csv", _rows()), now=NOW)
    before = _counts(db)
    rows = _rows()
    rows[0]["street"] = "东四北大街2号"  # moved
    rows[3]["principal"] = "3500.00"
    rows[5]["interest_due"] = "31.00"
    rows.append({**rows[7], "paid_at": "2026-09-01T10:00:00+08:00"})  # a payment not yet known
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "day2.csv", rows), now=NOW)
    found = {(p.row, p.column): p.message for p in refused.value.problems}
    assert set(found) == {(2, "street"), (5, "principal"), (7, "interest_due"), (10, "paid_at")}
    assert "东四北大街1号" in found[(2, "street")] and "3000.00" in found[(5, "principal")]
    assert all("central feed" in message for message in found.values())
    assert _counts(db) == before


def test_a_payment_in_the_future_and_a_wrong_header_are_refused(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = _rows()
    rows[-1]["paid_at"] = (NOW + timedelta(days=2)).isoformat()
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "future.csv", rows), now=NOW)
    assert [(p.column, p.message) for p in refused.value.problems] == [("paid_at", "in the future")]
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("contract,amount\nX,1\n", encoding="utf-8")
    with pytest.raises(Exception, match="header must name the columns"):
        import_portfolio(db, wrong, now=NOW)


# Each bad cell, put into the clean export on its own: (row index, column, value, said).
BAD_CELLS = [
    (3, "principal", "３０００.00", "“３”: write digits as 0-9"),
    (3, "term_months", "1²", "“²”: write digits as 0-9"),
    (3, "term_months", "三", "“三”: write digits as 0-9"),
    (3, "term_months", "99999999999", "a whole number from 1 to 120"),
    (3, "product", "GOLD", "unknown product “GOLD” (one of CASH, INST, AUTO, EDU)"),
    (3, "annual_rate", "18", "18 is more than any loan here carries (at most 0.3600)"),
    (3, "annual_rate", "-0.18", "must be zero or more"),
    (3, "annual_rate", "18%", "write a rate as a fraction: 0.18 for 18%"),
    (3, "annual_rate", "0.18005", "at most 4 decimal places"),
    (3, "annual_rate", "1e-1", "not a number"),
    (3, "penalty_rate_daily", "0.05", "0.05 is more than any loan here carries (at most 0.001000)"),
    (3, "contract_no", "HX 2026", "letters, digits and - _ . / only"),
    (0, "date_of_birth", "1990-05-18", "the ID number says 1990-05-17"),
    (0, "date_of_birth", "１９９０-05-17", "“１”: write digits as 0-9"),
    (0, "province", "Atlantis", "“Atlantis” is not a province of CN"),
    (0, "country", "XX", "not a country"),
    (0, "name", "王\x00芳", "control or invisible character (U+0000)"),
    (0, "street", "\u202e号1街大北四东", "control or invisible character (U+202E)"),
    (0, "street", "=cmd|' /C calc'!A0", "starts with “=” as a spreadsheet formula does"),
    (0, "employer", "@SUM(1+1)*cmd|' /C calc'!A0", "starts with “@”"),
    (2, "relation", "-2+3+cmd|' /C calc'", "starts with “-”"),
    (0, "street", "长" * 121, "longer than 120 characters"),
    (0, "id_number", ID + "0", "longer than 18 characters"),
    (1, "value", "１３８ 1234 5678", "“１”: write digits as 0-9"),
    (7, "paid_at", "2026-08-01T10:00:00+08:00\u200b", "control or invisible character (U+200B)"),
    (7, "reference", '=HYPERLINK("http://x")', "starts with “=”"),
]


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for the refusals: each leaves it as it was, which each test checks."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('untouched') / 'test.sqlite3'}")
    database.upgrade()
    Portfolio(database)
    yield database
    database.dispose()


@pytest.mark.parametrize(("index", "column", "value", "said"), BAD_CELLS)
def test_a_bad_cell_is_refused_by_row_and_column_and_nothing_is_written(
    untouched: Database, tmp_path: Path, index: int, column: str, value: str, said: str
) -> None:
    db = untouched
    rows = _rows()
    was = rows[index][column] if column in ("id_number", "contract_no") else None
    # A key is changed on every row that names it, as an export would.
    if was is not None:
        rows = [{**row, column: value} if row.get(column) == was else row for row in rows]
    rows[index][column] = value
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "bad.csv", rows), now=NOW)
    problems = [(p.row, p.column) for p in refused.value.problems]
    assert problems[0] == (index + 2, column) and {c for _, c in problems} == {column}
    assert said in refused.value.problems[0].message
    assert _counts(db) == (0, 0, 0, 0, 0)


def test_a_bidirectional_override_is_shown_as_its_code_not_obeyed(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = _rows()
    rows[3]["product"] = "\u202eHSAC"
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "bad.csv", rows), now=NOW)
    assert all("\u202e" not in p.message for p in refused.value.problems)


def test_numbers_are_read_in_the_borrowers_country_and_states_in_any_spelling(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = _rows()
    rows[0].update(country="us", province="California", city="Los Angeles",
                   district="San Gabriel Valley", street="1 Valley Blvd")  # fmt: skip
    rows[1]["value"] = "(212) 226-3328"
    # A relative in China: written with its country code, or with the row's country.
    rows[2].update(value="139 0000 1111", country="CN")
    import_portfolio(db, _write(tmp_path / "us.csv", rows), now=NOW)
    with db.reader() as session:
        borrower = session.scalars(select(Borrower)).one()
        points = session.execute(
            select(ContactPoint.value, ContactPoint.region, ContactPoint.time_zones).order_by(
                ContactPoint.position
            )
        ).all()
    assert (borrower.country, borrower.province) == ("US", "CA")
    assert points == [
        ("+12122263328", "US", "America/New_York"),
        ("+8613900001111", "CN", "Asia/Shanghai"),
    ]


def test_the_same_digits_for_a_mainland_borrower_are_a_shanghai_number(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = _rows()
    rows[1]["value"] = "(212) 226-3328"
    import_portfolio(db, _write(tmp_path / "cn.csv", rows), now=NOW)
    with db.reader() as session:
        assert "+862122263328" in session.scalars(select(ContactPoint.value)).all()


@pytest.mark.parametrize(
    "written", ["广东", "广东省", "GD", "CN-GD", "Guangdong", "guangdong province"]
)
def test_a_province_is_stored_by_its_full_chinese_name_however_written(
    db: Database, portfolio: Portfolio, tmp_path: Path, written: str
) -> None:
    rows = _rows()
    rows[0]["province"] = written
    import_portfolio(db, _write(tmp_path / "gd.csv", rows), now=NOW)
    with db.reader() as session:
        assert session.scalars(select(Borrower.province)).one() == "广东省"


def test_an_id_number_ending_in_a_small_x_is_the_same_borrower(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    born = date(1990, 5, 17)
    with_x = next(
        number for n in range(1, 200) if (number := make("110101", born, n)).endswith("X")
    )
    rows = [
        {**row, "id_number": with_x.lower()} if row.get("id_number") else row for row in _rows()
    ]
    summary = import_portfolio(db, _write(tmp_path / "x.csv", rows), now=NOW)
    assert summary.borrowers == 1
    with db.reader() as session:
        assert session.scalars(select(Borrower.id_number)).one() == with_x


def test_a_cell_too_long_for_csv_stops_the_reading_with_its_row(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    rows = _rows()
    rows[4]["fees_due"] = "0" * 200_000
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "huge.csv", rows), now=NOW)
    unread = next(p for p in refused.value.problems if not p.column)
    assert unread.row == 6 and "longer than 131072 characters" in unread.message
    assert _counts(db) == (0, 0, 0, 0, 0)
