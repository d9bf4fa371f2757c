"""Finding accounts in the user's portfolio by name, contract number or phone number."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from app.database import Database
from app.models import Loan, LoanStatus
from app.services.common.errors import NotFound
from app.services.portfolio.search import find_accounts
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)


def keys(*accounts: Account) -> frozenset[str]:
    return frozenset(account.loan_id.hex for account in accounts)


@pytest.fixture
def wang(portfolio: Portfolio) -> Account:
    """王芳, mobile 138 1234 5678, plus an e-mail and her father as emergency contact."""
    return portfolio.account(
        today=TODAY,
        dpd=20,
        name="王芳",
        numbers={
            "mobile": "13812345678",
            "email": "wang.fang@example.com",
            "emergency": "13900002222",
        },
    )


@pytest.fixture
def li(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=5, name="李娜", numbers={"mobile": "13700001111"})


def test_part_of_a_name_finds_the_account(
    db: Database, portfolio: Portfolio, wang: Account, li: Account
) -> None:
    assert find_accounts(db, "zhang.wei", "芳") == keys(wang)
    assert find_accounts(db, "zhang.wei", "李娜") == keys(li)


def test_a_latin_name_matches_whatever_the_case(db: Database, portfolio: Portfolio) -> None:
    smith = portfolio.account(today=TODAY, dpd=3, name="John Smith", numbers={})
    portfolio.account(today=TODAY, dpd=3, name="Jane Doe", numbers={})
    assert find_accounts(db, "zhang.wei", "smith") == keys(smith)
    assert find_accounts(db, "zhang.wei", "JOHN S") == keys(smith)


def test_contract_number_matches_case_insensitively(
    db: Database, wang: Account, li: Account
) -> None:
    assert find_accounts(db, "zhang.wei", wang.contract_no.lower()) == keys(wang)
    assert find_accounts(db, "zhang.wei", f"  {li.contract_no}  ") == keys(li)


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138-1234-5678",
        "138 1234 5678",
        "(0)13812345678",  # phonenumbers reads the bracketed trunk prefix as CN's 0
        "0086 138 1234 5678",
        "+8613812345678",
        "5678",  # the last four digits
        "1234-5678",
    ],
)
def test_a_phone_number_in_any_format_or_its_last_digits_finds_the_account(
    db: Database, wang: Account, li: Account, typed: str
) -> None:
    assert find_accounts(db, "zhang.wei", typed) == keys(wang)


def test_an_emergency_contacts_number_finds_the_borrowers_account(
    db: Database, wang: Account, li: Account
) -> None:
    assert find_accounts(db, "zhang.wei", "139 0000 2222") == keys(wang)


def test_the_tail_of_a_foreign_number_finds_it_even_when_it_reads_as_a_chinese_one(
    db: Database, portfolio: Portfolio, wang: Account
) -> None:
    # 2015550123 alone is a valid Guangzhou landline (+86 20 1555 0123): an exact match on
    # that reading must not hide the US number it is the national part of.
    abroad = portfolio.account(
        today=TODAY, dpd=8, name="Li Ming", numbers={"mobile": "+1 201-555-0123"}
    )
    assert find_accounts(db, "zhang.wei", "2015550123") == keys(abroad)
    assert find_accounts(db, "zhang.wei", "+1 (201) 555-0123") == keys(abroad)


def test_digits_of_an_e_mail_address_are_not_a_phone_match(
    db: Database, portfolio: Portfolio
) -> None:
    portfolio.account(today=TODAY, dpd=3, numbers={"email": "wang@example.com.5678"})
    assert find_accounts(db, "zhang.wei", "5678") == frozenset()


def test_another_collectors_account_never_matches(
    db: Database, portfolio: Portfolio, wang: Account
) -> None:
    other = portfolio.user("li.na")
    theirs = portfolio.account(
        today=TODAY, dpd=20, name="王芳", numbers={"mobile": "13812345678"}, assigned_to=other
    )
    for typed in ("王芳", "138 1234 5678", "5678", theirs.contract_no):
        assert find_accounts(db, "zhang.wei", typed) <= keys(wang), typed
    assert find_accounts(db, "li.na", "王芳") == keys(theirs)
    # The team lead works the whole team's accounts.
    assert find_accounts(db, "lead.wang", "王芳") == keys(wang, theirs)


def test_a_settled_account_is_not_found(db: Database, wang: Account, li: Account) -> None:
    with db.session() as session:
        session.execute(
            update(Loan).where(Loan.id == wang.loan_id).values(status=LoanStatus.SETTLED)
        )
    assert find_accounts(db, "zhang.wei", "王芳") == frozenset()
    assert find_accounts(db, "zhang.wei", "5678") == frozenset()


def test_percent_and_underscore_are_literal_characters(
    db: Database, portfolio: Portfolio, wang: Account, li: Account
) -> None:
    underscored = portfolio.account(today=TODAY, dpd=3, name="A_B", numbers={})
    portfolio.account(today=TODAY, dpd=3, name="AXB", numbers={})
    for typed in ("A_B", "_", "a_"):
        assert find_accounts(db, "zhang.wei", typed) == keys(underscored), typed
    # As wildcards each of these would match every account (or all but AXB's).
    for typed in ("%", "T%", "王%", "%芳", "T_0", "A%B", "\\"):
        assert find_accounts(db, "zhang.wei", typed) == frozenset(), typed


@pytest.mark.parametrize("typed", ["", "   ", "\t\n"])
def test_an_empty_text_matches_nothing(db: Database, wang: Account, typed: str) -> None:
    assert find_accounts(db, "zhang.wei", typed) == frozenset()


def test_an_unknown_user_is_told_so(db: Database, wang: Account) -> None:
    with pytest.raises(NotFound, match="nobody"):
        find_accounts(db, "nobody", "王芳")
