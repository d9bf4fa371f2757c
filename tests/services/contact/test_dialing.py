"""Dialling: which numbers may be called now, and the URL a softphone is handed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select, update

from app.database import Database
from app.models import ContactBlock, ContactPoint
from app.services.common.errors import InvalidInput, InvalidPhoneNumber, NotAllowed
from app.services.common.phones import parse_phone
from app.services.contact.contacts import record_contact
from app.services.contact.dialing import (
    DEFAULT_TEMPLATE,
    call_options,
    check_dial,
    check_template,
    dial_url,
)
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import BEIJING, Account, Portfolio

TODAY = date(2026, 11, 28)
NUMBERS = {
    "mobile": "138 1234 5678",
    "email": "wang.fang@example.com",
    "home": "010 6552 9988",
    "emergency": "139 0000 2222",
}


@pytest.fixture
def account(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=20, numbers=NUMBERS)


def test_every_phone_number_is_offered_in_order_and_e_mail_is_not(
    db: Database, account: Account
) -> None:
    options = call_options(db, "zhang.wei", account.contract_no, NOW)
    assert [(o.kind, o.e164, o.contact_point_id) for o in options] == [
        ("mobile", "+8613812345678", account.points["mobile"]),
        ("home", "+861065529988", account.points["home"]),
        ("emergency", "+8613900002222", account.points["emergency"]),
    ]
    # The father's number takes the third-party script; the borrower's own numbers do not.
    assert [o.third_party for o in options] == [False, False, True]
    mobile, home, emergency = options
    assert mobile.allowed and mobile.decision.allowed
    assert home.allowed
    # A third party only once the borrower cannot be reached: the answer names the rule.
    assert (emergency.allowed, emergency.decision.rule_id) == (False, "cn.third_party")


def test_a_do_not_call_number_is_blocked_by_its_rule(db: Database, account: Account) -> None:
    with db.session() as session:
        session.execute(
            update(ContactPoint)
            .where(ContactPoint.id == account.points["mobile"])
            .values(do_not_call=True)
        )
    options = {o.kind: o for o in call_options(db, "zhang.wei", account.contract_no, NOW)}
    blocked = options["mobile"]
    assert (blocked.allowed, blocked.decision.allowed) == (False, False)
    assert blocked.decision.rule_id == "point.do_not_call"
    # Lifted only when someone clears the mark, not at any time the rules could name.
    assert blocked.decision.next_allowed_at is None
    assert options["home"].allowed


def _blocks(db: Database) -> list[tuple[object, str, str]]:
    with db.reader() as session:
        return [
            (block.contact_point_id, block.rule, block.channel)
            for block in session.scalars(select(ContactBlock).order_by(ContactBlock.at))
        ]


def test_a_dial_the_rules_stop_is_recorded_by_rule_and_an_allowed_one_is_not(
    db: Database, account: Account
) -> None:
    allowed = check_dial(db, "zhang.wei", account.contract_no, account.points["mobile"], NOW)
    assert allowed.allowed is not None and allowed.allowed.kind == "mobile"
    assert len(allowed.options) == 3 and _blocks(db) == []
    stopped = check_dial(db, "zhang.wei", account.contract_no, account.points["emergency"], NOW)
    assert stopped.allowed is None
    assert _blocks(db) == [(account.points["emergency"], "cn.third_party", "call")]


def test_dialling_the_first_number_takes_the_first_allowed_and_records_nothing(
    db: Database, account: Account
) -> None:
    first = check_dial(db, "zhang.wei", account.contract_no, None, NOW)
    assert first.allowed is not None and first.allowed.kind == "mobile"
    late = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)  # 22:30 in Beijing: every number waits
    none = check_dial(db, "zhang.wei", account.contract_no, None, late)
    assert none.allowed is None
    # One dial was stopped, on the first number, by the quiet hours.
    assert _blocks(db) == [(account.points["mobile"], "cn.quiet_hours", "call")]


def test_quiet_hours_block_every_number_until_eight_in_the_morning(
    db: Database, account: Account
) -> None:
    late = datetime(2026, 11, 28, 23, 0, tzinfo=BEIJING)
    options = call_options(db, "zhang.wei", account.contract_no, late)
    assert [(o.allowed, o.decision.rule_id) for o in options] == [(False, "cn.quiet_hours")] * 3
    mobile, home, _ = options
    eight_am = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert mobile.decision.next_allowed_at == home.decision.next_allowed_at == eight_am


def test_a_borrower_who_asked_to_stop_contact_cannot_be_called(
    db: Database, account: Account
) -> None:
    record_contact(db, outcome(account, "CEASE"), now=NOW)
    options = call_options(db, "zhang.wei", account.contract_no, NOW)
    assert [(o.allowed, o.decision.rule_id) for o in options] == [(False, "cn.stop.cease")] * 3
    assert all(o.decision.next_allowed_at is None for o in options)


def test_options_are_only_for_accounts_in_the_users_portfolio(
    db: Database, portfolio: Portfolio
) -> None:
    theirs = portfolio.account(today=TODAY, dpd=20, assigned_to=portfolio.user("li.na"))
    with pytest.raises(NotAllowed, match="portfolio"):
        call_options(db, "zhang.wei", theirs.contract_no, NOW)


@pytest.mark.parametrize(
    ("template", "e164", "url"),
    [
        (DEFAULT_TEMPLATE, "+8613812345678", "tel:+8613812345678"),
        ("sip:{digits}@pbx", "+8613812345678", "sip:8613812345678@pbx"),
        ("sip:{national}@pbx", "+8613812345678", "sip:13812345678@pbx"),
        # A landline keeps its trunk prefix and area code when dialled nationally.
        ("sip:{national}@pbx", "+861065529988", "sip:01065529988@pbx"),
        ("  callto:{e164}  ", "+12015550123", "callto:+12015550123"),
        ("sip:{digits}@pbx;user={{phone}}", "+8613812345678", "sip:8613812345678@pbx;user={phone}"),
    ],
)
def test_the_template_makes_the_url_for_the_number(template: str, e164: str, url: str) -> None:
    assert dial_url(template, e164) == url


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("{e164}", "scheme"),
        ("+86{digits}", "scheme"),
        ("tel:", "does not contain the number"),
        ("tel:{{e164}}", "does not contain the number"),
        ("tel:{phone}", r"unknown placeholders: \{phone\}"),
        ("tel:{e164}{}", r"unknown placeholders: \{\}"),
        ("tel:{0}", r"unknown placeholders: \{0\}"),
        ("tel:{e164.real}", r"unknown placeholders: \{e164.real\}"),
        ("tel:{e164!r}", r"unknown placeholders: \{e164!r\}"),
        ("tel:{e164:>20}", r"unknown placeholders: \{e164:>20\}"),
        ("tel:{e164", "unclosed brace"),
        ("tel:e164}", "unclosed brace"),
        ("sip:{digits@pbx", "unclosed brace"),
    ],
)
def test_a_template_that_cannot_dial_is_refused(template: str, complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        check_template(template)
    with pytest.raises(InvalidInput, match=complaint):
        dial_url(template, "+8613812345678")


def test_a_good_template_comes_back_trimmed() -> None:
    assert check_template("  sip:{national}@pbx.example.com \n") == "sip:{national}@pbx.example.com"


def test_a_number_that_is_not_one_is_refused_not_crashed_on() -> None:
    with pytest.raises(InvalidPhoneNumber):
        dial_url(DEFAULT_TEMPLATE, "not a number")
    with pytest.raises(InvalidPhoneNumber):
        dial_url(DEFAULT_TEMPLATE, "+86 5678")


def _cn_mobile(digits: str) -> bool:
    number = phonenumbers.parse(digits, "CN")
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


@given(
    st.from_regex(r"\A1[3-9][0-9]{9}\Z", fullmatch=True),
    st.sampled_from(["{}{}{}", "{} {} {}", "+86 {}-{}-{}", "(0){}{}{}", "0086{}{}{}"]),
)
def test_any_cn_mobile_number_round_trips_through_tel(national: str, typed_as: str) -> None:
    assume(_cn_mobile(national))
    stored = parse_phone(typed_as.format(national[:3], national[3:7], national[7:])).e164
    url = dial_url(DEFAULT_TEMPLATE, stored)
    assert url == f"tel:+86{national}"
    assert parse_phone(url.removeprefix("tel:")).e164 == stored
    assert dial_url("sip:{national}@pbx", stored) == f"sip:{national}@pbx"
    assert dial_url("sip:{digits}@pbx", stored) == f"sip:86{national}@pbx"
