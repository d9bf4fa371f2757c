"""What an outcome still lacks: one item per rule, none once the rule is met (no database)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.services import messages
from app.services.common.errors import InvalidAmount, InvalidDate, InvalidInput, Localized
from app.services.common.reference import dispositions, emotions
from app.services.contact.checklists import ChecklistIncomplete
from app.services.contact.outcome_rules import (
    MAX_CALLBACK_DAYS,
    OutcomeDraft,
    missing_for_outcome,
    refusals,
)
from tests.helpers.contacts import NOW, required

TODAY = date(2026, 11, 28)  # NOW in Beijing
MOBILE = uuid.uuid4()


def complete(code: str, **changes: object) -> OutcomeDraft:
    """An outcome the rules accept: calm borrower, every required item ticked, and what the
    outcome needs (a promise, a callback time)."""
    flags = dispositions()[code]
    draft = OutcomeDraft(
        disposition=code,
        contact_point_id=MOBILE,
        # As `read_script` reads a path that verified the borrower.
        right_party=True if flags.rpc else None,
        emotion="calm" if flags.contact else None,
        checklist=required("calm", code) if flags.contact else (),
        promise_amount="500.00" if "promise" in flags.requires else None,
        promise_date=TODAY + timedelta(days=2) if "promise" in flags.requires else None,
        callback_at=NOW + timedelta(hours=2) if "callback" in flags.requires else None,
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


def templates(draft: OutcomeDraft) -> list[str]:
    return [message.template for message in missing_for_outcome(draft, now=NOW)]


# The outcomes a collector chooses (the system's own, a reminder's, are never theirs).
@pytest.mark.parametrize("code", sorted(c.code for c in dispositions().values() if not c.by_system))
def test_a_complete_outcome_misses_nothing(code: str) -> None:
    assert missing_for_outcome(complete(code), now=NOW) == ()


def test_without_an_outcome_only_the_outcome_is_missing() -> None:
    assert templates(OutcomeDraft(disposition=None)) == ["Choose the outcome of the call."]
    assert templates(OutcomeDraft(disposition="")) == ["Choose the outcome of the call."]


def test_an_unknown_outcome_is_said_as_such() -> None:
    (message,) = missing_for_outcome(OutcomeDraft(disposition="XYZ"), now=NOW)
    assert message.template == "Unknown outcome code “{code}” (one of {known})."
    assert message.params["code"] == "XYZ"


@pytest.mark.parametrize("code", ["RTP", "WN", "TPC", "DCD"])
def test_someone_answered_needs_the_emotion(code: str) -> None:
    found = missing_for_outcome(complete(code, emotion=None, checklist=()), now=NOW)
    assert [message.template for message in found] == [
        "Someone answered ({code}): record the emotion you observed (one of {known})."
    ]
    # A form lists the emotions by name (a command line by the codes it types).
    assert found[0].params == {
        "code": code,
        "known": Localized(
            ", ".join(e.en for e in emotions().values()),
            "、".join(e.zh_CN for e in emotions().values()),
        ),
    }
    (error,) = refusals(complete(code, emotion=None, checklist=()), now=NOW)
    assert error.params["known"] == ", ".join(emotions())


def test_an_unknown_emotion_is_said_as_such() -> None:
    assert templates(complete("RTP", emotion="sleepy", checklist=())) == [
        "Unknown emotion “{emotion}” (one of {known})."
    ]


@pytest.mark.parametrize(
    "changes", [{"emotion": "calm"}, {"checklist": ("all.calm_polite",)}], ids=["emotion", "ticks"]
)
def test_nobody_answered_has_no_emotion_or_checklist(changes: dict[str, object]) -> None:
    assert templates(complete("NA", **changes)) == [
        "Nobody answered ({code}): there is no emotion or checklist to record."
    ]


def test_an_incomplete_checklist_names_each_item_still_to_confirm() -> None:
    draft = complete("RTP", emotion="angry", checklist=("all.calm_polite", "all.no_threats"))
    (error,) = refusals(draft, now=NOW)
    assert isinstance(error, ChecklistIncomplete)
    assert error.template == (
        "The checklist for {emotion} / {code} is not complete. Still to confirm: {missing}."
    )
    still = [item.id for item in error.missing]
    assert still == [item for item in required("angry", "RTP") if item.startswith("deescalate.")]
    # The command line names each item by the id it types; a form by its words alone.
    assert all(item.id in error.message for item in error.missing)
    (message,) = missing_for_outcome(draft, now=NOW)
    assert message.template == error.template
    assert all(item.en in str(message) for item in error.missing)
    assert not any(item.id in str(message) for item in error.missing)
    ticked = complete("RTP", emotion="angry", checklist=required("angry", "RTP"))
    assert templates(ticked) == []


def test_a_tick_from_another_checklist_is_refused() -> None:
    draft = complete("RTP", checklist=(*required("calm", "RTP"), "all.recap"))
    assert templates(draft) == [
        "Not on the checklist for {emotion} / {code}: {unknown} (its items: {items})."
    ]


def test_an_escalating_emotion_the_script_recorded_must_be_the_one_recorded() -> None:
    draft = complete("HRD", script_emotion="vulnerability")
    found = missing_for_outcome(draft, now=NOW)
    assert [message.template for message in found] == [
        "The script recorded “{emotion}”: record it as the emotion."
    ]
    named = emotions()["vulnerability"]
    assert found[0].params == {"emotion": Localized(named.en, named.zh_CN)}
    recorded = complete(
        "HRD",
        script_emotion="vulnerability",
        emotion="vulnerability",
        checklist=required("vulnerability", "HRD"),
    )
    assert templates(recorded) == []
    # An emotion that raises nothing may be corrected by the collector.
    assert templates(complete("HRD", script_emotion="anxious")) == []


def test_the_script_disclosures_must_be_told_where_the_outcome_needs_them() -> None:
    titles = (Localized("Recorded call", "通话录音告知"), "Purpose")
    found = missing_for_outcome(complete("RTP", untold_disclosures=titles), now=NOW)
    assert [message.template for message in found] == [
        "Give and tick the required disclosures: {items}."
    ]
    assert found[0].params == {
        "items": Localized("Recorded call; Purpose", "通话录音告知；Purpose")
    }
    assert not dispositions()["HU"].needs_disclosures
    assert templates(complete("HU", untold_disclosures=titles)) == []


@pytest.mark.parametrize(
    "changes",
    [{"promise_amount": None, "promise_date": None}, {"promise_amount": None}],
    ids=["neither", "no amount"],
)
def test_a_promise_outcome_needs_an_amount_and_a_date(changes: dict[str, object]) -> None:
    assert templates(complete("PTP", **changes)) == ["A promise to pay needs an amount and a date."]


def test_a_blank_amount_given_is_not_a_number() -> None:
    # As record_contact (and so the command line) always said; a form passes None instead.
    (error,) = refusals(complete("PTP", promise_amount="  "), now=NOW)
    assert isinstance(error, InvalidAmount)
    assert "not a number" in error.message


def test_a_promise_goes_only_with_a_promise_outcome() -> None:
    draft = complete("RTP", promise_amount="500", promise_date=TODAY)
    assert templates(draft) == [
        "A promise to pay is recorded with a promise outcome ({codes}), not {code}."
    ]


@pytest.mark.parametrize(("amount", "words"), [("abc", "not a number"), ("-5", "more than zero")])
def test_a_promised_amount_must_be_an_amount(amount: str, words: str) -> None:
    (error,) = refusals(complete("PTP", promise_amount=amount), now=NOW)
    assert isinstance(error, InvalidAmount)
    assert words in error.message


@pytest.mark.parametrize(
    ("promised", "template"),
    [
        (TODAY - timedelta(days=1), "The promise date {date} is in the past."),
        (
            TODAY + timedelta(days=40),
            "The promise date {date} is more than {days} days ahead;"
            " offer a repayment plan instead.",
        ),
    ],
    ids=["past", "too far"],
)
def test_a_promise_date_must_be_within_the_policy(promised: date, template: str) -> None:
    (error,) = refusals(complete("PTP", promise_date=promised), now=NOW)
    assert isinstance(error, InvalidDate)
    assert error.template == template


def test_a_callback_outcome_needs_the_time() -> None:
    assert templates(complete("CB", callback_at=None)) == [
        "A callback outcome needs the time to call back."
    ]


def test_nobody_answered_agrees_no_callback() -> None:
    assert templates(complete("NA", callback_at=NOW + timedelta(hours=1))) == [
        "Nobody answered ({code}): there is no one who agreed a time to call back."
    ]


@pytest.mark.parametrize(
    ("later", "template"),
    [
        (-timedelta(minutes=1), "The callback time {time} is in the past."),
        (
            timedelta(days=MAX_CALLBACK_DAYS, minutes=1),
            "A callback cannot be more than {days} days ahead.",
        ),
    ],
    ids=["past", "too far"],
)
def test_a_callback_time_must_be_ahead_but_not_too_far(later: timedelta, template: str) -> None:
    assert templates(complete("CB", callback_at=NOW + later)) == [template]


@pytest.mark.parametrize(
    ("channel", "template"),
    [
        ("call", "Say which number the call goes to."),
        ("sms", "Say which number the text message goes to."),
        ("email", "Say which e-mail address the e-mail goes to."),
    ],
)
def test_every_channel_but_a_visit_needs_the_number(channel: str, template: str) -> None:
    assert templates(complete("NA", channel=channel, contact_point_id=None)) == [template]
    assert templates(complete("NA", channel="visit", contact_point_id=None)) == []


def test_an_unknown_channel_is_said_as_such() -> None:
    assert templates(complete("NA", channel="fax")) == [
        "Unknown channel “{channel}” (one of {known})."
    ]


@pytest.mark.parametrize("right_party", [None, False])
def test_a_right_party_outcome_on_a_third_partys_number_needs_the_verified_borrower(
    right_party: bool | None,
) -> None:
    draft = complete("RTP", third_party_point=True, right_party=right_party)
    assert templates(draft) == [
        "{code} is a right-party outcome, but the call went to a third party's number:"
        " record it only when the borrower came to the phone and was verified."
    ]
    assert templates(replace(draft, right_party=True)) == []
    assert templates(complete("TPC", third_party_point=True)) == []


def test_a_failed_identity_check_allows_no_right_party_outcome() -> None:
    assert templates(complete("RTP", right_party=False)) == [
        "The identity check failed: a right-party outcome cannot be logged."
    ]
    assert templates(complete("RTP", right_party=True)) == []
    assert templates(complete("TPC", right_party=False)) == []


def test_every_item_is_listed_in_the_order_record_contact_checks_them() -> None:
    draft = OutcomeDraft(
        disposition="PTP",
        right_party=True,
        script_emotion="self_harm_risk",
        untold_disclosures=("Recorded call",),
        callback_at=NOW - timedelta(hours=1),
    )
    assert templates(draft) == [
        "Someone answered ({code}): record the emotion you observed (one of {known}).",
        "The script recorded “{emotion}”: record it as the emotion.",
        "Give and tick the required disclosures: {items}.",
        "A promise to pay needs an amount and a date.",
        "The callback time {time} is in the past.",
        "Say which number the call goes to.",
    ]
    kinds = [type(error) for error in refusals(draft, now=NOW)]
    assert kinds == [InvalidInput] * 4 + [InvalidDate] + [InvalidInput]
    # Not verified, the identity check is what is missing, not what may only then be said.
    unverified = templates(replace(draft, right_party=None))
    assert "Give and tick the required disclosures: {items}." not in unverified
    assert unverified[-1] == (
        "{code} is a right-party outcome: record it with the path taken through the call"
        " script, in which the identity check verified the borrower."
    )
    assert templates(replace(draft, right_party=False))[-1] == (
        "The identity check failed: a right-party outcome cannot be logged."
    )


def test_every_item_is_in_the_translation_catalogue() -> None:
    known = messages.templates()
    drafts = [
        OutcomeDraft(disposition=None),
        OutcomeDraft(disposition="PTP"),
        OutcomeDraft(disposition="PTP", script_steps=("greeting",)),
        OutcomeDraft(disposition="PTP", script_stage="mid"),
        OutcomeDraft(disposition="PTP", script_stage="field_visit", script_steps=("greeting",)),
        OutcomeDraft(disposition="PTP", script_stage="mid", script_steps=("verify",)),
        OutcomeDraft(disposition="PTP", script_stage="mid", script_steps=()),
        OutcomeDraft(
            disposition="PTP",
            right_party=True,
            script_emotion="self_harm_risk",
            untold_disclosures=("Recorded call",),
            callback_at=NOW - timedelta(hours=1),
        ),
        complete("RTP", third_party_point=True),
    ]
    for draft in drafts:
        found = [
            *missing_for_outcome(draft, now=NOW),
            *missing_for_outcome(draft, now=NOW, profile="CN"),
        ]
        for message in found:
            assert message.template in known, message.template
