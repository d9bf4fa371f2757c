"""Call scripts: the data files, stage selection, filling one account, stepping through a call."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.database import Database
from app.models import PromiseStatus
from app.services.common.errors import InvalidInput, NotAllowed, NotFound
from app.services.common.money import format_money
from app.services.common.reference import buckets, dispositions, lender, load_json
from app.services.contact.compliance import available_profiles
from app.services.contact.scripts import (
    Script,
    ScriptRun,
    Step,
    call_script,
    check_script,
    during_call_placeholders,
    fill,
    lender_values,
    load_script,
    promise_values,
    replay,
    script_problems,
    stage_for,
    stage_titles,
    stages,
)
from app.services.portfolio.accounts import account_detail
from tests.helpers.portfolio import Portfolio

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 11:00 in Beijing
TODAY = date(2026, 11, 28)
PHONE_STAGES = ("pre_due", "early", "mid", "late", "broken_promise")


# ---------------------------------------------------------------- the data files


@pytest.mark.parametrize("stage", stages())
def test_every_script_file_passes_the_validator(stage: str) -> None:
    assert check_script(stage) == ()


def test_every_bucket_and_the_broken_promise_tier_map_to_a_script() -> None:
    index = load_json("scripts/index.json")
    assert {bucket.code for bucket in buckets()} <= set(index["by_bucket"])
    assert set(index["by_bucket"].values()) | set(index["by_tier"].values()) <= set(stages())


def _early() -> dict[str, Any]:
    return copy.deepcopy(load_json("scripts/early.json"))


def _step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in data["steps"] if item["id"] == step_id)
    return found


def _choice(data: dict[str, Any], step_id: str, choice_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        item for item in _step(data, step_id)["choices"] if item["id"] == choice_id
    )
    return found


def _missing_next(data: dict[str, Any]) -> None:
    _step(data, "account")["next"] = "nowhere"


def _orphan(data: dict[str, Any]) -> None:
    orphan = copy.deepcopy(_step(data, "goodbye"))
    orphan["id"] = "orphan"
    data["steps"].append(orphan)


def _untranslated(data: dict[str, Any]) -> None:
    del _step(data, "reason")["text"]["zh_CN"]


def _copied_english(data: dict[str, Any]) -> None:
    text = _step(data, "hardship")["text"]
    text["zh_CN"] = text["en"]


def _unknown_code(data: dict[str, Any]) -> None:
    _choice(data, "promise", "agreed")["disposition"] = "PROMISED"


def _unknown_emotion(data: dict[str, Any]) -> None:
    _choice(data, "vulnerability_consent", "consents")["emotion"] = "sad"


def _unknown_placeholder(data: dict[str, Any]) -> None:
    text = _step(data, "account")["text"]
    text["en"] += " {balance}"
    text["zh_CN"] += "{balance}"


def _placeholder_in_one_language(data: dict[str, Any]) -> None:
    _step(data, "account")["text"]["zh_CN"] += "热线{hotline}"


def _third_party_reaches_debt(data: dict[str, Any]) -> None:
    _choice(data, "tp_ask", "will_pass")["next"] = "account"


def _unverified_reaches_debt(data: dict[str, Any]) -> None:
    _step(data, "unverified")["next"] = "reason"


def _debt_said_in_unmarked_step(data: dict[str, Any]) -> None:
    text = _step(data, "tp_no_details")["text"]
    text["en"] += " You owe {overdue}."
    text["zh_CN"] += "欠款{overdue}。"


def _lender_named_in_unmarked_step(data: dict[str, Any]) -> None:
    text = _step(data, "tp_no_details")["text"]
    text["en"] += " I'm calling from {lender}."
    text["zh_CN"] += "我是{lender}的工作人员。"


def _lender_named_in_the_greeting(data: dict[str, Any]) -> None:
    greeting = _step(data, "greeting")
    greeting["text"]["en"] += " I'm calling from {lender_short}."
    greeting["text"]["zh_CN"] += "我是{lender_short}的工作人员。"
    greeting["discloses_debt"] = True


def _service_number_in_unmarked_objection(data: dict[str, Any]) -> None:
    busy = next(item for item in data["objections"] if item["id"] == "busy")
    busy["text"]["en"] += " Or call us on {service_number}."
    busy["text"]["zh_CN"] += "也可以拨打{service_number}。"


def _loop(data: dict[str, Any]) -> None:
    _choice(data, "plan_result", "declines")["next"] = "options"


def _question_limited_to_a_profile(data: dict[str, Any]) -> None:
    _step(data, "reason")["profiles"] = ["US"]


def _misspelt_field(data: dict[str, Any]) -> None:
    _step(data, "account")["dicloses_debt"] = True


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_missing_next, "leads to missing step “nowhere”"),
        (_orphan, "step orphan cannot be reached"),
        (_untranslated, "step reason text: needs exactly an “en” and a “zh_CN” text"),
        (_copied_english, "step hardship text: the zh_CN text is not in Chinese"),
        (_unknown_code, "unknown disposition “PROMISED”"),
        (_unknown_emotion, "unknown emotion “sad”"),
        (_unknown_placeholder, "unknown placeholder {balance}"),
        (_placeholder_in_one_language, "en and zh_CN use different placeholders"),
        (_third_party_reaches_debt, "step account reveals the debt but can be reached"),
        (_unverified_reaches_debt, "step reason reveals the debt but can be reached"),
        (_debt_said_in_unmarked_step, "tp_no_details: says {overdue} but is not marked"),
        (_lender_named_in_unmarked_step, "tp_no_details: says {lender} but is not marked"),
        (_lender_named_in_the_greeting, "step greeting reveals the debt but can be reached"),
        (_service_number_in_unmarked_objection, "busy: says {service_number} but is not marked"),
        (_loop, "the steps loop"),
        (_question_limited_to_a_profile, "only say and disclosure steps can be limited"),
        (_misspelt_field, "unknown fields dicloses_debt"),
    ],
)
def test_the_validator_finds_each_kind_of_mistake(
    damage: Callable[[dict[str, Any]], None], words: str
) -> None:
    data = _early()
    assert script_problems(data) == ()
    damage(data)
    problems = script_problems(data)
    assert any(words in problem for problem in problems), problems


def test_every_text_fills_completely_with_every_placeholder() -> None:
    index = load_json("scripts/index.json")
    values = {name: f"<{name}>" for name in index["placeholders"]}
    for stage in stages():
        for language in ("en", "zh_CN"):
            for profile in available_profiles():
                script = fill(load_script(stage, language, profile), values)
                assert script.unfilled() == frozenset(), (stage, language, profile)


def _before_verification(script: Script) -> list[Step]:
    """The steps reachable without an answer that verified the borrower, or after one that failed.

    Walked on the loaded script itself (not through the validator), so a validator mistake
    cannot hide a step.
    """
    starts = [script.first] + [
        choice.next
        for step in script.steps.values()
        for choice in step.choices
        if choice.right_party is False
    ]
    reached = dict.fromkeys(starts)
    waiting = list(reached)
    while waiting:
        step = script.step(waiting.pop())
        onward = [choice.next for choice in step.choices if choice.right_party is not True]
        if step.next is not None:
            onward.append(step.next)
        for target in onward:
            if target not in reached:
                reached[target] = None
                waiting.append(target)
    return [script.step(step_id) for step_id in reached]


@pytest.mark.parametrize("stage", stages())
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_nothing_said_before_verification_names_the_lender(stage: str, language: str) -> None:
    company = lender()
    # Either language's name: a collector may read out the other one's brand as well.
    names = {
        *company.name.values(),
        *company.short_name.values(),
        company.service_number,
    }
    assert all(names)
    for profile in available_profiles():
        values = {name: f"<{name}>" for name in load_json("scripts/index.json")["placeholders"]}
        values.update(lender_values(language, profile))
        script = fill(load_script(stage, language, profile), values)
        unverified = _before_verification(script)
        assert script.first in {step.id for step in unverified}
        texts = [
            text
            for step in unverified
            for text in (step.title, step.text, step.note, *(c.label for c in step.choices))
        ]
        texts += [
            text
            for item in script.objections
            if not item.discloses_debt
            for text in (item.label, item.text)
        ]
        for text in texts:
            assert not any(name in text for name in names), (stage, profile, text)
        # Once verified the borrower still learns who is calling.
        said = [step.text for step in script.steps.values() if step not in unverified]
        assert any(
            company.short_name[language] in text or company.name[language] in text for text in said
        ), (stage, profile)


def test_fill_refuses_an_unknown_placeholder_and_never_expands_a_value() -> None:
    script = load_script("early", "en", "CN")
    with pytest.raises(ValueError, match="balance"):
        fill(script, {"balance": "1"})
    filled = fill(script, {"borrower": "{overdue}"})
    assert "{overdue}" in filled.step("greeting").text
    assert "{overdue}" in filled.step("account").text  # still waiting for its own value


def test_a_value_ending_a_sentence_takes_its_full_stop() -> None:
    script = load_script("early", "en", "US")
    ending = [s.id for s in script.steps.values() if "{lender}." in s.text]
    assert ending  # the mini-Miranda: "This is {lender}. This is an attempt to collect a debt"
    step = ending[0]
    company = fill(script, {"lender": "Example Finance Co., Ltd."}).step(step).text
    assert "Example Finance Co., Ltd. This is" in company and ".." not in company
    plain = fill(script, {"lender": "Example Finance"}).step(step).text
    assert "Example Finance. This is" in plain


def test_stage_titles_exist_in_both_languages() -> None:
    english, chinese = stage_titles("en"), stage_titles("zh_CN")
    assert list(english) == list(chinese) == list(stages())
    assert english["late"] != chinese["late"]


def test_unknown_stage_language_or_profile_is_refused() -> None:
    with pytest.raises(NotFound):
        load_script("legal", "en", "CN")
    with pytest.raises(InvalidInput, match="language"):
        load_script("early", "fr", "CN")
    with pytest.raises(NotFound, match="profile"):
        load_script("early", "en", "XX")


# ---------------------------------------------------------------- stage selection


@pytest.mark.parametrize(
    ("dpd", "tier", "stage"),
    [
        (-3, None, "pre_due"),
        (0, None, "pre_due"),
        (1, None, "early"),
        (30, None, "early"),
        (31, None, "mid"),
        (90, None, "mid"),
        (91, None, "late"),
        (400, None, "late"),
        (0, "promise_broken", "broken_promise"),
        (75, "promise_broken", "broken_promise"),
        (75, "callback_due", "mid"),
        (12, "promise_due_today", "early"),
    ],
)
def test_stage_follows_the_broken_promise_tier_then_the_bucket(
    dpd: int, tier: str | None, stage: str
) -> None:
    assert stage_for(dpd, tier) == stage


# ---------------------------------------------------------------- one account


def test_a_real_account_is_filled_in_both_languages(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=20, name="王芳")
    detail = account_detail(db, "zhang.wei", account.contract_no, NOW)
    amount = format_money(detail.balance.overdue)
    assert detail.balance.overdue > 0
    for language, born in (("en", "17 May 1990"), ("zh_CN", "1990年5月17日")):
        script = call_script(db, "zhang.wei", account.contract_no, language, NOW)
        assert (script.stage, script.profile, script.language) == ("early", "CN", language)
        assert "王芳" in script.step("greeting").text
        assert "zhang.wei" in script.step("greeting").text
        account_text = script.step("account").text
        assert amount in account_text
        assert "20" in account_text
        assert account.contract_no in script.step("disclosure_purpose").text
        verify_note = script.step("verify").note
        assert born in verify_note
        assert detail.id_number_masked[-4:] in verify_note
        # Only what the collector enters during the call is left to fill.
        assert script.unfilled() == during_call_placeholders()
    chinese = call_script(db, "zhang.wei", account.contract_no, "zh_CN", NOW)
    # The greeting may reach a relative: the lender is named only after verification.
    assert "恒信" not in chinese.step("greeting").text
    assert "zhang.wei，有一件私人事务" in chinese.step("greeting").text
    assert "我是恒信消费金融的工作人员" in chinese.step("disclosure_purpose").text
    assert "12356" in chinese.step("crisis").text


def test_a_pre_due_account_gets_a_reminder_with_its_next_instalment(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=0)
    detail = account_detail(db, "zhang.wei", account.contract_no, NOW)
    due = TODAY + timedelta(days=2)
    line = next(item for item in detail.schedule if item.due_date == due)
    owed = line.principal_due + line.interest_due + line.fees_due - line.paid
    script = call_script(db, "zhang.wei", account.contract_no, "zh_CN", NOW)
    assert script.stage == "pre_due"
    reminder = script.step("reminder").text
    assert format_money(owed) in reminder
    assert "2026年11月30日" in reminder
    assert "account" not in script.steps  # a reminder never talks about arrears


def test_a_recent_broken_promise_gets_the_follow_up_script(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    portfolio.promise(
        account,
        "800",
        TODAY - timedelta(days=3),
        NOW - timedelta(days=6),
        status=PromiseStatus.BROKEN,
    )
    script = call_script(db, "zhang.wei", account.contract_no, "en", NOW)
    assert script.stage == "broken_promise"
    text = script.step("account").text
    assert "¥800.00" in text
    assert "25 November 2026" in text


def test_the_follow_up_script_needs_a_broken_promise(db: Database, portfolio: Portfolio) -> None:
    account = portfolio.account(today=TODAY, dpd=40)
    assert call_script(db, "zhang.wei", account.contract_no, "en", NOW).stage == "mid"
    with pytest.raises(InvalidInput, match="no broken promise"):
        call_script(db, "zhang.wei", account.contract_no, "en", NOW, stage="broken_promise")
    late = call_script(db, "zhang.wei", account.contract_no, "en", NOW, stage="field_visit")
    assert late.first == "arrival"


def test_mini_miranda_is_shown_only_under_the_us_profile(
    db: Database, portfolio: Portfolio
) -> None:
    home = portfolio.account(today=TODAY, dpd=20)
    abroad = portfolio.account(today=TODAY, dpd=20, country="US", province="NY")
    us = call_script(db, "zhang.wei", abroad.contract_no, "en", NOW)
    cn = call_script(db, "zhang.wei", home.contract_no, "en", NOW)
    assert us.profile == "US"
    assert us.step("disclosure_purpose").next == "mini_miranda"
    assert "attempt to collect a debt" in us.step("mini_miranda").text
    assert "988" in us.step("crisis").text
    assert cn.profile == "CN"
    assert "mini_miranda" not in cn.steps
    assert cn.step("disclosure_purpose").next == "account"


@pytest.mark.parametrize("stage", stages())
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_us_only_steps_are_skipped_under_every_other_profile(stage: str, language: str) -> None:
    raw = load_json(f"scripts/{stage}.json")
    limited = {item["id"]: item["profiles"] for item in raw["steps"] if "profiles" in item}
    for profile in available_profiles():
        script = load_script(stage, language, profile)
        for step_id, profiles in limited.items():
            assert (step_id in script.steps) == (profile in profiles)
    assert set(limited) == {"mini_miranda"}


def test_a_collector_cannot_open_another_collectors_account(
    db: Database, portfolio: Portfolio
) -> None:
    account = portfolio.account(today=TODAY, dpd=20)
    portfolio.user("li.na")
    with pytest.raises(NotAllowed, match=r"li\.na"):
        call_script(db, "li.na", account.contract_no, "en", NOW)
    with pytest.raises(NotFound):
        call_script(db, "zhang.wei", "NO-SUCH", "en", NOW)


# ---------------------------------------------------------------- stepping through a call


def test_failed_verification_goes_to_the_third_party_branch_without_disclosure() -> None:
    run = ScriptRun(load_script("early", "en", "US"))
    run.answer("speaking")
    run.answer("no_match")
    assert run.current.id == "unverified"
    assert run.right_party is False
    run.advance()
    assert run.finished
    assert not any(step.discloses_debt for step in run.visited())
    assert all(not item.discloses_debt for item in run.objections())

    third = ScriptRun(load_script("early", "zh_CN", "CN"))
    third.answer("someone_else")
    assert third.current.id == "tp_ask"
    third.answer("will_pass")
    assert third.finished
    assert third.suggested_disposition == "TPC"
    assert third.right_party is None
    assert not any(step.discloses_debt for step in third.visited())
    assert third.path() == ("greeting=someone_else", "tp_ask=will_pass", "tp_thanks")


def test_path_strings_record_answers_and_steps() -> None:
    run = ScriptRun(load_script("early", "en", "CN"))
    run.answer("speaking")
    run.answer("match")
    run.advance()
    run.advance()
    run.advance()
    run.answer("forgot")
    assert run.path() == (
        "greeting=speaking",
        "verify=match",
        "disclosure_recording",
        "disclosure_purpose",
        "account",
        "reason=forgot",
        "pay_today",
    )
    assert run.right_party is True
    assert any(item.discloses_debt for item in run.objections())
    run.back()
    assert run.current.id == "reason"
    assert run.path()[-1] == "reason"


def test_missing_disclosures_are_those_due_before_the_debt_and_on_the_path_not_ticked() -> None:
    run = ScriptRun(load_script("early", "en", "US"))
    due = ["disclosure_recording", "disclosure_purpose", "mini_miranda"]
    assert run.script.before_debt == tuple(due)
    assert [step.id for step in run.missing_disclosures()] == due
    run.answer("speaking")
    run.answer("match")
    run.tick("disclosure_recording")
    assert [step.id for step in run.missing_disclosures()] == due[1:]
    run.advance()
    run.advance()
    run.tick("mini_miranda")
    run.advance()
    assert run.current.id == "account"
    assert [step.id for step in run.missing_disclosures()] == ["disclosure_purpose"]
    # A disclosure is ticked as it is said: an earlier one by going back to it.
    with pytest.raises(InvalidInput, match="Go back to “Purpose of the call"):
        run.tick("disclosure_purpose")
    run.back()
    run.back()
    run.tick("disclosure_purpose")
    assert run.missing_disclosures() == ()
    run.untick("disclosure_purpose")
    assert [step.id for step in run.missing_disclosures()] == ["disclosure_purpose"]
    with pytest.raises(InvalidInput, match="not a disclosure on this call's path"):
        run.tick("account")
    # Under CN there is no mini-Miranda to give.
    assert load_script("early", "en", "CN").before_debt == tuple(due[:2])


def test_the_path_keeps_every_visit_and_answer_and_replays_to_the_same_run() -> None:
    """Walk to the promise, go back to tick the recording notice, walk on: the saved path is
    every step visited in order, revisits included, each with its answer (issue 15)."""
    script = load_script("mid", "en", "CN")
    run = ScriptRun(script)
    run.answer("speaking")
    run.answer("match")
    run.advance()  # past the recording notice, not ticked
    run.tick("disclosure_purpose")
    run.advance()
    run.advance()
    run.answer("forgot")
    run.answer("later_date")
    assert run.current.id == "promise"
    for _ in range(5):
        run.back()
    assert run.current.id == "disclosure_recording"
    run.tick("disclosure_recording")
    path = run.path()
    assert path == (
        "greeting=speaking",
        "verify=match",
        "disclosure_recording",
        "disclosure_purpose=said",
        "account",
        "reason=forgot",
        "pay_today=later_date",
        "promise",
        "pay_today",
        "reason",
        "account",
        "disclosure_purpose=said",
        "disclosure_recording=said",
    )
    again = replay(script, path)
    assert again.path() == path
    assert again.current.id == "disclosure_recording"
    assert again.right_party is True
    assert again.missing_disclosures() == ()
    # The path the window saved before: the steps left after going back, and no ticks.
    assert replay(script, ("greeting=speaking", "verify=match", "disclosure_recording"))
    assert [step.id for step in replay(script, path[:3]).missing_disclosures()] == [
        "disclosure_recording",
        "disclosure_purpose",
    ]


@pytest.mark.parametrize(
    ("path", "number"),
    [
        (("verify=match",), 1),  # not where the script starts
        (("greeting=speaking", "account"), 2),  # skips the identity check
        (("greeting=speaking", "verify=maybe", "disclosure_recording"), 2),  # no such answer
        (("greeting=speaking", "verify=match"), 2),  # an answer leads on: where to?
        (("greeting=speaking", "verify=match", "disclosure_recording=yes"), 3),
        (("greeting=speaking", "verify=match", "disclosure_recording=", "x"), 3),
        (("greeting=speaking", "verify=match", "account"), 3),  # past the disclosures
        (("greeting=speaking", "verify", "greeting=someone_else", "verify"), 4),
        (("greeting=speaking", "verify=match", "disclosure_recording", "greeting"), 4),
        (("greeting=speaking=x", "verify"), 1),
    ],
)
def test_a_path_the_script_does_not_allow_is_refused_at_its_first_wrong_step(
    path: tuple[str, ...], number: int
) -> None:
    with pytest.raises(InvalidInput) as caught:
        replay(load_script("mid", "en", "CN"), path)
    assert caught.value.template.startswith("The script path does not follow")
    assert caught.value.params["number"] == number
    with pytest.raises(InvalidInput, match="empty"):
        replay(load_script("mid", "en", "CN"), ())


@pytest.mark.parametrize("stage", stages())
@pytest.mark.parametrize("profile", available_profiles())
@given(data=st.data())
def test_random_walks_with_backs_and_ticks_replay_to_the_same_run(
    stage: str, profile: str, data: st.DataObject
) -> None:
    script = load_script(stage, "en", profile)
    run = ScriptRun(script)
    for _ in range(40):
        if run.current.kind == "disclosure" and data.draw(st.booleans()):
            run.tick(run.current.id)
        if run.can_go_back and data.draw(st.integers(0, 4)) == 0:
            run.back()
        elif run.current.kind == "ask":
            run.answer(data.draw(st.sampled_from([c.id for c in run.current.choices])))
        elif not run.finished:
            run.advance()
    again = replay(script, run.path())
    assert again.path() == run.path()
    assert (again.current.id, again.right_party) == (run.current.id, run.right_party)
    assert again.missing_disclosures() == run.missing_disclosures()
    assert again.suggested_emotion == run.suggested_emotion


def test_a_disclosure_not_on_the_path_cannot_be_ticked() -> None:
    run = ScriptRun(load_script("early", "en", "CN"))
    with pytest.raises(InvalidInput, match="not a disclosure"):
        run.tick("disclosure_recording")


def test_unknown_answers_and_wrong_moves_are_refused() -> None:
    run = ScriptRun(load_script("mid", "zh_CN", "CN"))
    with pytest.raises(InvalidInput, match="maybe"):
        run.answer("maybe")
    with pytest.raises(InvalidInput, match="needs an answer"):
        run.advance()
    assert run.back().id == "greeting"  # nothing to undo at the start
    run.answer("wrong_number")
    assert run.finished
    with pytest.raises(InvalidInput, match="ends the call"):
        run.advance()
    with pytest.raises(InvalidInput, match="asks no question"):
        run.answer("speaking")


def test_suggestions_follow_the_latest_answer_on_the_path() -> None:
    run = ScriptRun(load_script("late", "en", "CN"))
    for answer in ("speaking", "match"):
        run.answer(answer)
    for _ in range(3):
        run.advance()
    run.answer("job_loss")
    assert run.suggested_disposition == "HRD"
    run.advance()
    run.answer("consents")
    assert run.suggested_emotion == "vulnerability"
    run.answer("plan")
    assert run.current.action == "plan_calculator"
    run.advance()
    run.answer("agreed")
    assert (run.suggested_disposition, run.suggested_emotion) == ("PLAN", "vulnerability")
    run.back()
    run.back()
    run.back()
    assert run.suggested_disposition == "HRD"


def test_the_promise_is_filled_in_during_the_call() -> None:
    run = ScriptRun(load_script("early", "zh_CN", "CN"))
    for answer in ("speaking", "match"):
        run.answer(answer)
    for _ in range(3):
        run.advance()
    run.answer("forgot")
    run.answer("later_date")
    assert run.current.action == "promise"
    run.answer("agreed")
    assert "{promise_amount}" in run.current.text
    run.fill(promise_values(Decimal("1500"), date(2026, 12, 2), "zh_CN"))
    assert run.current.id == "recap_promise"
    assert "2026年12月2日前还款¥1,500.00" in run.current.text
    assert run.suggested_disposition == "PTP"
    # The collector corrects the amount: the recap says the new one, not the first.
    run.fill(promise_values(Decimal("1200"), date(2026, 12, 2), "zh_CN"))
    assert "2026年12月2日前还款¥1,200.00" in run.current.text
    assert "1,500.00" not in run.current.text


def _walk(run: ScriptRun, data: st.DataObject) -> None:
    """Answer and advance at random to the end; nothing about the debt before verification."""
    for _ in range(200):
        if run.current.discloses_debt:
            assert run.right_party is True, run.path()
        if run.right_party is not True:
            assert not any(item.discloses_debt for item in run.objections())
        if run.finished:
            return
        if run.current.kind == "ask":
            run.answer(data.draw(st.sampled_from([c.id for c in run.current.choices])))
        else:
            run.advance()
    raise AssertionError(f"no end after 200 steps: {run.path()}")


@pytest.mark.parametrize("stage", stages())
@pytest.mark.parametrize("profile", available_profiles())
@given(data=st.data())
def test_random_walks_end_and_never_disclose_the_debt_unverified(
    stage: str, profile: str, data: st.DataObject
) -> None:
    run = ScriptRun(load_script(stage, "en", profile))
    _walk(run, data)
    assert run.current.kind == "end"
    assert run.path()[-1] == run.current.id
    # A right-party code is suggested only once verified, a third-party code never after.
    code = run.suggested_disposition
    if code is not None:
        assert dispositions()[code].rpc == (run.right_party is True), run.path()


def test_the_server_takes_its_default_profile_from_the_administrators_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.services.common.script_graph import PROFILE_ENV, server_scripts

    monkeypatch.delenv(PROFILE_ENV, raising=False)
    assert server_scripts()["default"] == load_json("compliance/jurisdictions.json")["default"]
    monkeypatch.setenv(PROFILE_ENV, "US")
    assert server_scripts()["default"] == "US"
    monkeypatch.setenv(PROFILE_ENV, "XX")
    with pytest.raises(NotFound, match="no contact-rule profile “XX”"):
        server_scripts()
