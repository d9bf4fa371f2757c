"""The retention rules themselves: the boundary day, what counts as personal, and records that
arrive for a borrower already erased."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import JSON, String, Text, text

from app.database import Database
from app.models import Base, ContactAttempt, ReminderMessage
from app.models.reminders import MessageStatus
from app.services.common import erasure
from app.services.portfolio.accounts import account_detail
from app.services.privacy.retention import Candidate, anniversary, run_retention
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Portfolio


def test_an_account_is_kept_to_the_day_before_the_anniversary_and_erased_from_it() -> None:
    closed = date(2021, 3, 15)
    candidate = Candidate(uuid.UUID(int=1), ("T1",), "CN", 5, closed, (), None)
    assert candidate.erasable_from == date(2026, 3, 15)
    assert not candidate.due(date(2026, 3, 14))
    assert candidate.due(date(2026, 3, 15)) and candidate.due(date(2027, 1, 1))
    # Never less than five full years: 29 February waits for 1 March.
    assert anniversary(date(2020, 2, 29), 5) == date(2025, 3, 1)
    assert anniversary(date(2020, 2, 29), 4) == date(2024, 2, 29)
    # An open matter keeps it past the day; an unknown closure day keeps it whatever the day.
    held = Candidate(uuid.UUID(int=2), ("T2",), "CN", 5, closed, ("promise",), None)
    assert not held.due(date(2030, 1, 1))
    unknown = Candidate(uuid.UUID(int=3), ("T3",), "CN", 5, None, (), None)
    assert not unknown.due(date(2099, 1, 1))


def test_every_text_column_is_either_erased_or_kept_on_purpose() -> None:
    """A new column of text is a decision: personal (erased) or not. This fails until it is
    made in app.services.common.erasure."""
    # The borrower's own row: the text erasure writes over, and the ID number it replaces.
    own = {
        "name",
        "city",
        "district",
        "street",
        "employer",
        "notes",
        "attorney_name",
        "attorney_firm",
        "attorney_phone",
        "address_moved_from",
    } & set(erasure.BORROWER)
    pairs = [
        (table, column)
        for lists in (erasure.KEPT, erasure.DELETED, erasure.SCRUBBED, erasure.PERSONAL)
        for table, columns in lists.items()
        for column in columns
    ] + [("borrowers", column) for column in (*own, "id_number")]
    assert len(pairs) == len(set(pairs)), "a column decided twice"
    decided: dict[str, set[str]] = {}
    for table, column in pairs:
        decided.setdefault(table, set()).add(column)
    found = {
        table.name: {
            column.name
            for column in table.columns
            if isinstance(column.type, String | Text | JSON) and not hasattr(column.type, "enums")
        }
        for table in Base.metadata.sorted_tables
    }
    found = {table: columns for table, columns in found.items() if columns}
    assert found == decided
    # What erasure writes into the borrower's row is the model's own columns.
    assert set(erasure.BORROWER) <= set(Base.metadata.tables["borrowers"].c.keys())
    # A number's rows are deleted: whatever names one must be able to let go of it.
    points = Base.metadata.tables["contact_points"]
    naming = [
        f"{table.name}.{key.parent.name}"
        for table in Base.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table is points
    ]
    assert naming and all(
        Base.metadata.tables[name.split(".")[0]].c[name.split(".")[1]].nullable for name in naming
    ), naming


def test_a_record_sent_after_the_erasure_is_removed_by_the_next_run(db: Database) -> None:
    portfolio = Portfolio(db)
    today = NOW.date()
    account = portfolio.account(today=today, dpd=40, name="迟到")
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'settled', closed_on = :day WHERE id = :id"),
            {"day": today - timedelta(days=6 * 366), "id": account.loan_id.hex},
        )
    first = run_retention(db, now=NOW)
    assert [item.contracts for item in first.erased] == [(account.contract_no,)]
    # A workstation that logged a call offline before it heard sends it now, as a push
    # writes it on the server.
    with db.session() as session:
        session.add(
            ContactAttempt(
                loan_id=account.loan_id,
                borrower_id=account.borrower_id,
                user_id=portfolio.collector,
                channel="call",
                started_at=NOW - timedelta(days=1),
                disposition="NA",
                notes="他说在工地上",
            )
        )
    again = run_retention(db, now=NOW + timedelta(hours=1))
    assert [(item.contracts, item.again) for item in again.erased] == [
        ((account.contract_no,), True)
    ]
    assert again.removed == {"contact_attempts.notes": 1}
    with db.engine.connect() as connection:
        assert (
            connection.exec_driver_sql(
                "SELECT count(*) FROM contact_attempts WHERE notes IS NOT NULL"
            ).scalar_one()
            == 0
        )
    assert run_retention(db, now=NOW + timedelta(hours=2)).erased == ()


def test_an_erased_account_still_opens_for_its_lead_with_nothing_personal(db: Database) -> None:
    portfolio = Portfolio(db)
    today = NOW.date()
    account = portfolio.account(today=today, dpd=40, name="打开", numbers={"mobile": "13512345678"})
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'written_off', closed_on = :day WHERE id = :id"),
            {"day": today - timedelta(days=6 * 366), "id": account.loan_id.hex},
        )
    run_retention(db, now=NOW)
    detail = account_detail(db, "lead.wang", account.contract_no, datetime.now(UTC))
    assert (detail.borrower, detail.contact_points, detail.employer) == ("", (), None)
    assert detail.id_number_masked.startswith("X") and "110101" not in detail.id_number_masked
    assert detail.address == "北京市" and detail.contract_no == account.contract_no


def test_an_erased_borrowers_reminders_keep_what_became_of_them_and_nothing_that_names_them(
    db: Database,
) -> None:
    portfolio = Portfolio(db)
    today = NOW.date()
    account = portfolio.account(today=today, dpd=40, name="韩梅梅")
    mobile = next(iter(account.points.values()))
    with db.session() as session:
        session.add(
            ReminderMessage(
                key=f"{account.contract_no}:after_3:2020-01-04:sms",
                loan_id=account.loan_id,
                borrower_id=account.borrower_id,
                contact_point_id=mobile,
                channel="sms",
                step="after_3",
                language="zh_CN",
                recipient="+8613812345678",
                text="【恒信消费金融】韩梅梅您好，您的借款已逾期3天……拒收请回复R",
                template="overdue",
                template_code="SMS_000000003",
                status=MessageStatus.DELIVERED,
                provider_id="biz-1",
                user_id=portfolio.collector,
                planned_at=NOW - timedelta(days=6 * 366),
            )
        )
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE loans SET status = 'settled', closed_on = :day WHERE id = :id"),
            {"day": today - timedelta(days=6 * 366), "id": account.loan_id.hex},
        )
    report = run_retention(db, now=NOW)
    assert report.removed["reminder_messages.text"] == 1
    with db.reader() as session:
        message = session.query(ReminderMessage).one()
        assert (message.recipient, message.text, message.contact_point_id) == ("", "", None)
        assert (message.key, message.status, message.provider_id) == (
            f"{account.contract_no}:after_3:2020-01-04:sms",
            MessageStatus.DELIVERED,
            "biz-1",
        )
