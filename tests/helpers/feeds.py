"""Daily feed files as the lending system writes them (docs/feed-format.md), for the tests."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from pathlib import Path

from app.services.plans.feed import HEADER


def write_feed(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    """`rows` under the feed's header, CRLF lines, in `encoding` ("utf-8-bom": with a BOM)."""
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


def batch(sequence: int, day: date, batch_id: str | None = None) -> dict[str, str]:
    return {
        "record": "batch",
        "batch_id": batch_id or f"B{sequence:04d}",
        "sequence": str(sequence),
        "business_date": day.isoformat(),
    }


def payment(
    contract: str, payment_id: str, paid_at: str, amount: str, channel: str = "alipay"
) -> dict[str, str]:
    return {
        "record": "payment",
        "contract_no": contract,
        "payment_id": payment_id,
        "paid_at": paid_at,
        "amount": amount,
        "channel": channel,
    }


def reversal(contract: str, payment_id: str, reversal_id: str, at: str) -> dict[str, str]:
    return {
        "record": "reversal",
        "contract_no": contract,
        "payment_id": payment_id,
        "reversal_id": reversal_id,
        "reversed_at": at,
    }


def new_account(
    id_number: str,
    contract: str,
    *,
    name: str = "王芳",
    born: str = "1990-05-17",
    street: str = "中山七路12号",
    mobile: str = "138 1234 5678",
    assigned_to: str = "",
) -> list[dict[str, str]]:
    """A borrower in Guangzhou, her mobile, and a three-month cash loan overdue since August."""
    return [
        {"record": "borrower", "id_number": id_number, "name": name, "date_of_birth": born,
         "province": "广东", "city": "广州市", "district": "荔湾区", "street": street},
        {"record": "contact", "id_number": id_number, "kind": "mobile", "value": mobile},
        {"record": "loan", "contract_no": contract, "id_number": id_number, "product": "CASH",
         "principal": "3000.00", "annual_rate": "0.18", "penalty_rate_daily": "0.0005",
         "term_months": "3", "disbursed_on": "2026-07-01", "assigned_to": assigned_to},
        *(
            {"record": "instalment", "contract_no": contract, "seq": str(seq),
             "due_date": due, "principal_due": "1000.00", "interest_due": "45.00",
             "fees_due": "0.00"}
            for seq, due in ((1, "2026-08-01"), (2, "2026-09-01"), (3, "2026-10-01"))
        ),
    ]  # fmt: skip
