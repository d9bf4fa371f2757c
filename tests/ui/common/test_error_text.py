"""What the window shows for a service's error or a rule's detail, in the user's language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import QApplication

from app.database import Database
from app.services.common.errors import (
    Checks,
    DomainError,
    InvalidAmount,
    InvalidInput,
    NotAllowed,
    Problems,
)
from app.services.common.money import parse_amount
from app.services.common.reference import emotions
from app.services.contact.checklists import ChecklistIncomplete, validate_checklist
from app.services.contact.compliance import Decision, load_profile
from app.services.contact.contacts import check_contact, record_contact
from app.ui.common.dialogs import detail_text, error_text
from app.ui.common.i18n import Language
from tests.helpers.contacts import outcome
from tests.helpers.portfolio import Portfolio

TODAY = date(2026, 11, 28)
LATE = datetime(2026, 11, 28, 14, 30, tzinfo=UTC)  # 22:30 in Beijing: outside CN hours


@pytest.fixture
def language(qapp: QApplication) -> Iterator[Language]:
    chosen = Language()
    yield chosen
    chosen.install("en")


def raised(call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def blocked_contact(db: Database, portfolio: Portfolio) -> tuple[NotAllowed, Decision]:
    account = portfolio.account(today=TODAY, dpd=20)
    decision = check_contact(
        db, "zhang.wei", account.contract_no, account.points["mobile"], at=LATE
    )
    error = raised(lambda: record_contact(db, outcome(account, "NA", started_at=LATE), now=LATE))
    assert isinstance(error, NotAllowed)
    return error, decision


def test_a_service_error_reads_in_chinese_with_its_values(language: Language) -> None:
    language.install("zh_CN")
    error = raised(lambda: parse_amount("abc", what="promise"))
    assert isinstance(error, InvalidAmount)
    assert error_text(error) == "承诺金额“abc”不是有效数字。"


def test_a_blocked_contact_reads_in_chinese_with_the_opening_time_in_the_lenders_zone(
    language: Language, db: Database, portfolio: Portfolio
) -> None:
    error, decision = blocked_contact(db, portfolio)
    language.install("zh_CN")
    rule = next(r for r in load_profile("CN").rules if r.id == decision.rule_id)
    # Quiet hours end at 08:00 Beijing the next morning: shown so, not as 00:00 UTC.
    assert decision.next_allowed_at == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert error_text(error) == (
        f"不允许联系：{rule.zh_CN}（Asia/Shanghai 当地时间为 22:30）。"
        "自 2026-11-29 08:00 起可以联系。"
    )
    assert detail_text(decision) == "Asia/Shanghai 当地时间为 22:30"


def test_in_english_the_window_shows_the_services_message_with_its_own_date_format(
    language: Language, db: Database, portfolio: Portfolio
) -> None:
    error, decision = blocked_contact(db, portfolio)
    language.install("zh_CN")
    language.install("en")
    assert error.message.endswith("It is allowed from 2026-11-29 08:00.")
    assert error_text(error) == error.message.replace("2026-11-29 08:00", "29 Nov 2026 08:00")
    assert "it is 22:30 in Asia/Shanghai" in error.message
    assert detail_text(decision) == decision.detail == "it is 22:30 in Asia/Shanghai"


def test_a_moment_in_a_rule_detail_reads_in_the_lenders_zone_in_each_language(
    language: Language,
) -> None:
    talked = datetime(2026, 11, 15, 16, 5, tzinfo=UTC)  # 00:05 on the 16th in Beijing
    decision = Decision(
        False,
        "us.after_conversation",
        detail="spoke with the consumer 2026-11-16 00:05",
        detail_template="spoke with the consumer {time}",
        detail_args=(("time", talked),),
    )
    language.install("zh_CN")
    assert detail_text(decision) == "已于 2026-11-16 00:05 与借款人通话"
    language.install("en")
    assert detail_text(decision) == "spoke with the consumer 16 Nov 2026 00:05"


def test_an_incomplete_checklist_names_the_emotion_and_items_in_chinese(
    language: Language,
) -> None:
    language.install("zh_CN")
    error = raised(lambda: validate_checklist("angry", "RTP", ()))
    assert isinstance(error, ChecklistIncomplete)
    text = error_text(error)
    assert text.startswith(f"“{emotions()['angry'].zh_CN} / RTP”的核对清单尚未完成。")
    for item in error.missing:
        assert f"{item.id}（{item.zh_CN}）" in text
    assert not any(item.en in text for item in error.missing)


def test_a_translation_that_cannot_be_filled_falls_back_to_the_english_text(
    language: Language,
) -> None:
    language.install("zh_CN")
    broken = Decision(
        False,
        "cn.quiet_hours",
        detail="it is 22:30 in Asia/Shanghai",
        detail_template="it is {time} in {zone}",
        detail_args=(("time", "22:30"),),
    )
    assert detail_text(broken) == "it is 22:30 in Asia/Shanghai"
    assert detail_text(Decision(True)) == ""


def test_several_problems_read_one_a_line_in_the_users_language(language: Language) -> None:
    checks = Checks()
    checks.check("amount", parse_amount, "abc", what="promise")
    checks.add("reason", InvalidInput("Say in the note why collection can resume."))
    with pytest.raises(Problems) as caught:
        checks.verdict()
    assert error_text(caught.value).splitlines() == [
        "The promised amount “abc” is not a number.",
        "Say in the note why collection can resume.",
    ]
    language.install("zh_CN")
    chinese = error_text(caught.value).splitlines()
    assert len(chinese) == 2
    assert chinese == [error_text(problem) for problem in caught.value.problems]
    english = caught.value.message.splitlines()
    assert all(line != said for line, said in zip(chinese, english, strict=True))
