"""Contact upkeep: numbers and addresses learned on a contact, their marks, the borrower's
agreed window, preferred channel and attorney — and the contact rules that follow them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import AuditEvent, Borrower, ContactPoint
from app.services.common.errors import (
    DomainError,
    InvalidInput,
    InvalidPhoneNumber,
    NotAllowed,
    NotFound,
)
from app.services.contact.dialing import call_options, check_dial
from app.services.contact.upkeep import (
    NewContactPoint,
    add_contact_point,
    find_point,
    lift_attorney,
    lift_contact_point_mark,
    mark_contact_point,
    record_attorney,
    set_contact_preferences,
)
from app.services.portfolio.accounts import account_detail
from app.services.portfolio.addresses import AddressInput
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)
# 11:00 in Beijing, 22:00 the day before in New York.
NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.fixture
def account(portfolio: Portfolio) -> Account:
    return portfolio.account(today=TODAY, dpd=20, numbers={"mobile": "13812345678"})


@pytest.fixture
def us_account(portfolio: Portfolio) -> Account:
    return portfolio.account(
        today=TODAY, dpd=20, country="US", province="NY", numbers={"mobile": "+1 212 226 3328"}
    )


def _points(db: Database, account: Account) -> int:
    with db.reader() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ContactPoint)
                .where(ContactPoint.borrower_id == account.borrower_id)
            )
            or 0
        )


def _audits(db: Database, action: str) -> int:
    with db.reader() as session:
        return (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            )
            or 0
        )


def test_a_number_learned_on_a_call_is_read_in_the_borrowers_country_with_region_and_zones(
    db: Database, account: Account, us_account: Account
) -> None:
    added = add_contact_point(
        db, "zhang.wei", account.contract_no, NewContactPoint("work", "010 6552 9988"), now=NOW
    )
    assert (added.kind, added.region, added.time_zones) == ("work", "CN", ("Asia/Shanghai",))
    assert added.learned and not added.verified
    # A US borrower's number as they write it is a US number, not a Chinese one.
    us = add_contact_point(
        db,
        "zhang.wei",
        us_account.contract_no,
        NewContactPoint("home", "(212) 555-0188", verified=True),
        now=NOW,
    )
    assert (us.region, us.time_zones, us.verified) == ("US", ("America/New_York",), True)
    with db.reader() as session:
        stored = session.get_one(ContactPoint, us.id)
        assert stored.value == "+12125550188" and stored.added_by_id is not None
    assert _audits(db, "contact_point.added") == 2
    # The account shows it, and the timeline says who learned it.
    detail = account_detail(db, "zhang.wei", account.contract_no)
    assert [p.kind for p in detail.contact_points] == ["mobile", "work"]
    assert [item.kind for item in detail.timeline].count("contact_point") == 1


@pytest.mark.parametrize(
    ("new", "error", "words"),
    [
        (NewContactPoint("mobile", "12345"), InvalidPhoneNumber, "not a valid phone number"),
        (NewContactPoint("mobile", "call me"), InvalidPhoneNumber, "not a phone number"),
        # Already on file, however it is written: no number twice.
        (NewContactPoint("home", "+86 138-1234-5678"), InvalidInput, "already one of"),
        (NewContactPoint("mobile", "138\u202e12345678"), InvalidInput, "U+202E"),
        (NewContactPoint("email", "not-an-address"), InvalidInput, "not a valid e-mail"),
        (NewContactPoint("emergency", "13900002222"), InvalidInput, "name and their relation"),
        (
            NewContactPoint(
                "emergency", "13900002222", contact_name="=HYPERLINK(1)", relation="父"
            ),
            InvalidInput,
            "spreadsheet formula",
        ),
        (
            NewContactPoint("emergency", "13900002222", contact_name="王\x00", relation="父"),
            InvalidInput,
            "U+0000",
        ),
        (
            NewContactPoint("emergency", "13900002222", contact_name="王" * 81, relation="父"),
            InvalidInput,
            "at most 80",
        ),
        (NewContactPoint("fax", "13900002222"), InvalidInput, "Unknown kind"),
        (NewContactPoint("address"), InvalidInput, "province"),
        (
            NewContactPoint("address", address=AddressInput("火星", "北京市")),
            InvalidInput,
            "is not a province",
        ),
    ],
)
def test_bad_input_is_one_clear_line_and_nothing_is_written(
    db: Database, account: Account, new: NewContactPoint, error: type[DomainError], words: str
) -> None:
    before = _points(db, account)
    with pytest.raises(error, match=re.escape(words)) as caught:
        add_contact_point(db, "zhang.wei", account.contract_no, new, now=NOW)
    assert "\n" not in str(caught.value)
    assert _points(db, account) == before
    assert _audits(db, "contact_point.added") == 0


def test_an_address_is_stored_as_the_import_stores_it_with_its_zones(
    db: Database, account: Account, us_account: Account
) -> None:
    cn = add_contact_point(
        db,
        "zhang.wei",
        account.contract_no,
        NewContactPoint("address", address=AddressInput("广东", "深圳市", "南山区", "科技路8号")),
        now=NOW,
    )
    assert cn.display == "广东省深圳市南山区科技路8号"
    us = add_contact_point(
        db,
        "zhang.wei",
        us_account.contract_no,
        NewContactPoint("address", address=AddressInput("California", "Los Angeles")),
        now=NOW,
    )
    assert (us.region, us.time_zones) == ("US", ("America/Los_Angeles",))


def test_a_do_not_call_mark_keeps_the_borrowers_words_and_the_number_is_not_offered(
    db: Database, account: Account
) -> None:
    mobile = account.points["mobile"]
    with pytest.raises(InvalidInput, match="own words"):
        mark_contact_point(db, "zhang.wei", account.contract_no, mobile, "do_not_call", now=NOW)
    assert call_options(db, "zhang.wei", account.contract_no, NOW)[0].allowed
    words = "以后别打这个号码了。"
    view = mark_contact_point(
        db, "zhang.wei", account.contract_no, mobile, "do-not-call", words=words, now=NOW
    )
    assert view.do_not_call and view.do_not_call_words == words
    (option,) = call_options(db, "zhang.wei", account.contract_no, NOW)
    assert (option.allowed, option.decision.rule_id) == (False, "point.do_not_call")
    assert check_dial(db, "zhang.wei", account.contract_no, mobile, NOW).allowed is None
    # Only a lead lifts it, and the words go with it.
    with pytest.raises(NotAllowed, match="team lead"):
        lift_contact_point_mark(db, "zhang.wei", account.contract_no, mobile, "do_not_call")
    lifted = lift_contact_point_mark(db, "lead.wang", account.contract_no, mobile, "do_not_call")
    assert not lifted.do_not_call and lifted.do_not_call_words is None
    assert call_options(db, "zhang.wei", account.contract_no, NOW)[0].allowed
    assert _audits(db, "contact_point.marked") == 1
    assert _audits(db, "contact_point.mark_lifted") == 1


def test_a_wrong_number_is_no_longer_verified_and_is_not_verified_again(
    db: Database, account: Account
) -> None:
    mobile = account.points["mobile"]
    assert mark_contact_point(db, "zhang.wei", account.contract_no, mobile, "verified").verified
    with pytest.raises(InvalidInput, match="already marked verified"):
        mark_contact_point(db, "zhang.wei", account.contract_no, mobile, "verified")
    wrong = mark_contact_point(db, "zhang.wei", account.contract_no, mobile, "wrong")
    assert wrong.wrong_number and not wrong.verified
    with pytest.raises(InvalidInput, match="team lead"):
        mark_contact_point(db, "zhang.wei", account.contract_no, mobile, "verified")
    with pytest.raises(InvalidInput, match="Only a do-not-call"):
        mark_contact_point(db, "zhang.wei", account.contract_no, mobile, "wrong", words="no")
    (option,) = call_options(db, "zhang.wei", account.contract_no, NOW)
    assert option.decision.rule_id == "point.wrong_number"


def test_an_unknown_or_anothers_point_is_refused(
    db: Database, portfolio: Portfolio, account: Account
) -> None:
    other = portfolio.account(today=TODAY, dpd=20, numbers={"mobile": "13900001111"})
    with pytest.raises(NotFound, match="not 王芳's"):
        mark_contact_point(db, "zhang.wei", account.contract_no, uuid.uuid4(), "verified")
    with pytest.raises(NotFound):
        mark_contact_point(db, "zhang.wei", account.contract_no, other.points["mobile"], "verified")
    with pytest.raises(InvalidInput, match="is not one of"):
        find_point(db, "zhang.wei", account.contract_no, "13900001111")
    assert (
        find_point(db, "zhang.wei", account.contract_no, "138 1234 5678")
        == (account.points["mobile"])
    )
    # Someone else's account, whatever the point.
    stranger = portfolio.user("li.na")
    assert stranger
    with pytest.raises(NotAllowed, match="portfolio"):
        add_contact_point(
            db, "li.na", account.contract_no, NewContactPoint("work", "010 6552 9988")
        )


def test_an_agreed_window_limits_the_contact_times_and_a_channel_is_kept(
    db: Database, account: Account
) -> None:
    # 11:00 in Beijing is inside the usual hours; the borrower agreed to 18:00-20:00 only.
    assert call_options(db, "zhang.wei", account.contract_no, NOW)[0].allowed
    terms = set_contact_preferences(
        db, "zhang.wei", account.contract_no, window=(time(18), time(20)), channel="sms"
    )
    assert (terms.agreed_window, terms.preferred_channel) == ((time(18), time(20)), "sms")
    (option,) = call_options(db, "zhang.wei", account.contract_no, NOW)
    assert (option.allowed, option.decision.rule_id) == (False, "cn.quiet_hours")
    assert option.decision.next_allowed_at == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    at_seven = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)  # 19:00 Beijing
    assert call_options(db, "zhang.wei", account.contract_no, at_seven)[0].allowed
    with pytest.raises(InvalidInput, match="give two times"):
        set_contact_preferences(
            db, "zhang.wei", account.contract_no, window=(time(9), time(9)), channel=None
        )
    with pytest.raises(InvalidInput, match="Unknown channel"):
        set_contact_preferences(db, "zhang.wei", account.contract_no, window=None, channel="fax")
    detail = account_detail(db, "zhang.wei", account.contract_no)
    assert detail.terms.agreed_window == (time(18), time(20))
    assert _audits(db, "borrower.contact_preferences") == 1


def test_a_borrower_represented_by_an_attorney_is_not_contacted_directly(
    db: Database, us_account: Account
) -> None:
    # 09:00 in New York.
    morning = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    assert call_options(db, "zhang.wei", us_account.contract_no, morning)[0].allowed
    with pytest.raises(InvalidPhoneNumber):
        record_attorney(db, "zhang.wei", us_account.contract_no, name="Jordan Lee", phone="12")
    with pytest.raises(InvalidInput, match="attorney's name"):
        record_attorney(db, "zhang.wei", us_account.contract_no, name=" ", phone="2125550147")
    with db.reader() as session:
        assert not session.get_one(Borrower, us_account.borrower_id).attorney_represented
    terms = record_attorney(
        db,
        "zhang.wei",
        us_account.contract_no,
        name="Jordan Lee",
        firm="Lee & Partners LLP",
        phone="(212) 555-0147",
    )
    assert (terms.attorney_represented, terms.attorney_phone) == (True, "+12125550147")
    (option,) = call_options(db, "zhang.wei", us_account.contract_no, morning)
    assert (option.allowed, option.decision.rule_id) == (False, "us.stop.attorney")
    with pytest.raises(NotAllowed, match="team lead"):
        lift_attorney(db, "zhang.wei", us_account.contract_no)
    assert not lift_attorney(db, "lead.wang", us_account.contract_no).attorney_represented
    assert call_options(db, "zhang.wei", us_account.contract_no, morning)[0].allowed


def test_an_address_learned_in_another_zone_is_checked_too(
    db: Database, portfolio: Portfolio
) -> None:
    """A US borrower of New York found to live in Los Angeles: the workspace's clock and the
    rules both count the new zone, so 09:00 in New York (06:00 in Los Angeles) is too early."""
    account = portfolio.account(
        today=TODAY, dpd=20, country="US", province="NY", numbers={"mobile": "+1 212 226 3328"}
    )
    nine_in_new_york = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    assert call_options(db, "zhang.wei", account.contract_no, nine_in_new_york)[0].allowed
    add_contact_point(
        db,
        "zhang.wei",
        account.contract_no,
        NewContactPoint("address", address=AddressInput("CA", "Los Angeles")),
    )
    detail = account_detail(db, "zhang.wei", account.contract_no)
    assert detail.address_zones == ("America/New_York", "America/Los_Angeles")
    (option,) = call_options(db, "zhang.wei", account.contract_no, nine_in_new_york)
    assert (option.allowed, option.decision.rule_id) == (False, "us.inconvenient_time")
