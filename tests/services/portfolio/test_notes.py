"""Account notes: scope-checked, bounded, audited, and shown in the account's history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import AccountNote, AuditEvent
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.contact.contacts import record_contact
from app.services.portfolio.accounts import account_detail
from app.services.portfolio.notes import MAX_NOTE_CHARS, add_note
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Portfolio

TODAY = date(2026, 11, 28)


def written(db: Database) -> tuple[int, int]:
    with db.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(AccountNote)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def test_a_note_is_stored_as_typed_less_the_outer_blanks_and_audited(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    view = add_note(db, "zhang.wei", account.contract_no, "  客户称月底发工资后还款。\n", now=NOW)
    assert (view.text, view.author, view.created_at, view.contract_no) == (
        "客户称月底发工资后还款。",
        "zhang.wei",
        NOW,
        account.contract_no,
    )
    with db.reader() as session:
        row = session.get_one(AccountNote, view.id)
        event = session.scalars(select(AuditEvent)).one()
    assert (row.loan_id, row.user_id, row.text) == (
        account.loan_id,
        portfolio.collector,
        view.text,
    )
    assert (event.action, event.entity_id, event.user_id) == (
        "note.added",
        str(view.id),
        portfolio.collector,
    )
    assert event.details["loan_id"] == str(account.loan_id)


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "empty"), (" \n\t ", "empty"), ("备" * (MAX_NOTE_CHARS + 1), "2001 characters")],
)
def test_empty_or_too_long_notes_are_refused_and_nothing_is_written(
    db: Database, portfolio: Portfolio, text: str, words: str
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    with pytest.raises(InvalidInput, match=words):
        add_note(db, "zhang.wei", account.contract_no, text, now=NOW)
    assert written(db) == (0, 0)


def test_a_note_of_exactly_the_limit_fits(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    view = add_note(db, "zhang.wei", account.contract_no, "备" * MAX_NOTE_CHARS, now=NOW)
    with db.reader() as session:
        assert len(session.get_one(AccountNote, view.id).text) == MAX_NOTE_CHARS


def test_notes_stay_inside_the_users_scope(db: Database, portfolio: Portfolio) -> None:
    colleague = portfolio.user("li.na")
    theirs = portfolio.account(today=TODAY, dpd=20, assigned_to=colleague)
    with pytest.raises(NotAllowed, match="portfolio"):
        add_note(db, "zhang.wei", theirs.contract_no, "Not mine to write.", now=NOW)
    with pytest.raises(NotFound):
        add_note(db, "zhang.wei", "T99999999", "No such account.", now=NOW)
    assert written(db) == (0, 0)
    # The team lead works the whole team's accounts.
    assert add_note(db, "lead.wang", theirs.contract_no, "Reassign next week.", now=NOW).author == (
        "lead.wang"
    )


def test_notes_appear_in_the_timeline_among_the_contacts_newest_first(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    record_contact(db, outcome(account, "NA", started_at=NOW - timedelta(hours=2)), now=NOW)
    add_note(db, "zhang.wei", account.contract_no, "First note.", now=NOW - timedelta(hours=1))
    long_text = "Borrower explained at length: " + "x" * 200
    add_note(db, "lead.wang", account.contract_no, long_text, now=NOW)
    timeline = account_detail(db, "zhang.wei", account.contract_no, NOW).timeline
    assert [item.kind for item in timeline][:3] == ["note", "note", "contact"]
    newest, older = timeline[0], timeline[1]
    assert newest.details == {"text": long_text, "author": "lead.wang", "author_name": "lead.wang"}
    assert len(newest.summary) <= 80 and newest.summary.endswith("…")
    assert (older.at, older.summary) == (NOW - timedelta(hours=1), "First note.")
