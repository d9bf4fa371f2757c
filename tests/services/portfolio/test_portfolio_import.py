"""The lending system's export: checked row by row, imported whole or not at all."""

from __future__ import annotations

import csv
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


def test_importing_the_same_contract_twice_is_refused(
    db: Database, portfolio: Portfolio, tmp_path: Path
) -> None:
    path = _write(tmp_path / "export.csv", _rows())
    import_portfolio(db, path, now=NOW)
    before = _counts(db)
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, path, now=NOW)
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (5, "contract_no", "already in the database")
    ]
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
