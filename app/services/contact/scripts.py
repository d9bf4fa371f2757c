"""Call scripts (docs/domain.md §5): data in resources/scripts/, filled per account, stepped
through.

A script is a graph of steps, one file per stage holding both languages. `load_script` picks a
language and a compliance profile (steps limited to other profiles are skipped), `fill` puts the
account's values into the {placeholders}, and `ScriptRun` follows the collector's answers. The
files are checked by `script_problems` (a test runs it over every file): every step reachable,
every path ending at an `end` step, both languages everywhere, known codes and placeholders, and
no step that reveals the debt reachable before the borrower's identity is verified.
"""

from __future__ import annotations

import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import Database
from app.models import Borrower, ContactPoint, Loan, PromiseStatus, PromiseToPay, User
from app.services.common.clock import local_today
from app.services.common.errors import InvalidInput, Localized, NotFound
from app.services.common.money import ZERO, format_money
from app.services.common.reference import (
    bucket_for,
    dispositions,
    emotions,
    lender,
    load_json,
    queue_weights,
    support,
)
from app.services.common.script_graph import (
    Links,
    disclosures_before_debt,
    for_profile,
    reach,
)
from app.services.contact.compliance import available_profiles, profile_code_for
from app.services.contact.promises import promise_grace_days
from app.services.portfolio.accounts import instalment_states, open_account, to_state
from app.services.portfolio.balances import InstalmentState, balance_of

LANGUAGES = ("en", "zh_CN")
KINDS = ("say", "ask", "disclosure", "end")
# The stage of the script a field agent follows at the door; every other stage is for calls.
VISIT_STAGE = "field_visit"
# The script for a call to a third party's number (an emergency contact, a relative).
THIRD_PARTY_STAGE = "third_party"
# A disclosure's answer in a saved path: it was said (and ticked off).
SAID = "said"
# Kinds a step limited to some profiles may have: elsewhere it is skipped, so it needs one `next`.
SKIPPABLE = ("say", "disclosure")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Spelled out here: strftime's month names follow the process locale.
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Choice:
    """One answer to an `ask` step; `right_party` is set on identity-verification answers."""

    id: str
    label: str
    next: str
    disposition: str | None = None
    emotion: str | None = None
    right_party: bool | None = None


@dataclass(frozen=True)
class Step:
    """One step, in one language. `note` is for the collector only, never read out."""

    id: str
    kind: str
    title: str
    text: str
    choices: tuple[Choice, ...] = ()
    next: str | None = None
    required: bool = False
    note: str = ""
    action: str | None = None
    discloses_debt: bool = False
    # The title in both languages, for messages: the window shows them in the user's language,
    # which need not be the one the script is read out in. None once filling changed the title.
    titles: Localized | None = None

    @property
    def named(self) -> Localized | str:
        """The title as a message names the step."""
        return self.titles if self.titles is not None else self.title

    def choice(self, choice_id: str) -> Choice:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        if not self.choices:
            raise InvalidInput("“{title}” asks no question to answer.", title=self.named)
        raise InvalidInput(
            "“{choice}” is not an answer to “{title}” (one of {known}).",
            choice=choice_id,
            title=self.named,
            known=", ".join(choice.id for choice in self.choices),
        )


@dataclass(frozen=True)
class Objection:
    id: str
    label: str
    text: str
    discloses_debt: bool = False


@dataclass(frozen=True)
class Script:
    """A stage's script in one language under one compliance profile; steps in file order."""

    stage: str
    language: str
    profile: str
    title: str
    first: str
    steps: Mapping[str, Step]
    objections: tuple[Objection, ...]
    # Both languages of the title, for messages (as `Step.titles`).
    titles: Localized | None = None
    # The required disclosures every way to some part of the debt passes through, in file
    # order: what a right-party outcome must have said (docs/domain.md §5).
    before_debt: tuple[str, ...] = ()

    @property
    def named(self) -> Localized | str:
        """The title as a message names the script."""
        return self.titles if self.titles is not None else self.title

    def step(self, step_id: str) -> Step:
        try:
            return self.steps[step_id]
        except KeyError:
            raise NotFound(
                "The script “{title}” has no step “{step}”.", title=self.named, step=step_id
            ) from None

    def unfilled(self) -> frozenset[str]:
        """Placeholders still waiting for a value (those filled during the call, once filled)."""
        return frozenset(name for text in _texts(self) for name in _PLACEHOLDER.findall(text))


# The fields a file may give: the dataclasses' own (less the titles made from `title`), and the
# profiles a step is limited to.
_STEP_KEYS = ({field.name for field in fields(Step)} - {"titles"}) | {"profiles"}
_CHOICE_KEYS = {field.name for field in fields(Choice)}
_OBJECTION_KEYS = {field.name for field in fields(Objection)}


# ---------------------------------------------------------------- the index


@cache
def _index() -> dict[str, Any]:
    return dict(load_json("scripts/index.json"))


def stages() -> tuple[str, ...]:
    return tuple(_index()["stages"])


def placeholders() -> frozenset[str]:
    """Every placeholder a script may use (resources/scripts/index.json)."""
    return frozenset(_index()["placeholders"])


def during_call_placeholders() -> frozenset[str]:
    """Placeholders only known during the call (the promise); `call_script` leaves them as is."""
    table: dict[str, dict[str, Any]] = _index()["placeholders"]
    return frozenset(name for name, meta in table.items() if meta.get("during_call"))


def stage_titles(language: str) -> dict[str, str]:
    """Each stage's title, in index order, for a stage picker."""
    _check_language(language)
    return {stage: str(_raw(stage)["title"][language]) for stage in stages()}


def stage_for(dpd: int, tier: str | None) -> str:
    """The stage whose script fits an account: a queue tier mapped in the index wins, else DPD."""
    index = _index()
    by_tier: dict[str, str] = index["by_tier"]
    if tier is not None and tier in by_tier:
        return by_tier[tier]
    # Not yet due (DPD 0 or a reminder ahead of the due date) is the current bucket.
    return stage_for_bucket(bucket_for(max(dpd, 0)))


def stage_for_bucket(bucket: str) -> str:
    """The stage of an account in a DPD bucket (buckets.json), by the index's `by_bucket`."""
    by_bucket: dict[str, str] = _index()["by_bucket"]
    return by_bucket[bucket]


# ---------------------------------------------------------------- validation


def script_problems(
    data: Mapping[str, Any], profiles: Sequence[str] | None = None
) -> tuple[str, ...]:
    """Everything wrong with one script file's data; empty when it is sound.

    The graph is checked once per compliance profile (all of them by default), since steps
    limited to a profile change it.
    """
    problems: list[str] = []
    check = _TextCheck(problems)
    check.text("title", data.get("title"))
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        return (*problems, "the script has no steps")
    seen: set[str] = set()
    for position, item in enumerate(raw_steps):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(f"step #{position + 1} has no id")
            continue
        if item["id"] in seen:
            problems.append(f"step {item['id']}: the id is used twice")
        seen.add(item["id"])
        _check_step(item, check, problems)
    if data.get("first") not in seen:
        problems.append(f"first step “{data.get('first')}” does not exist")
    _check_objections(data.get("objections"), check, problems)
    if problems:
        # The graph checks assume well-formed steps.
        return tuple(problems)
    for profile in profiles if profiles is not None else available_profiles():
        steps, first = for_profile(raw_steps, str(data["first"]), profile)
        problems.extend(f"[{profile}] {problem}" for problem in _graph_problems(steps, first))
    return tuple(problems)


def check_script(stage: str) -> tuple[str, ...]:
    """`script_problems` for the stage's file in resources/scripts/."""
    if stage not in stages():
        raise NotFound("There is no call script for stage “{stage}”.", stage=stage)
    return script_problems(load_json(f"scripts/{stage}.json"))


class _TextCheck:
    """Checks texts (both languages, known placeholders) and records the problems it finds."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        table: dict[str, dict[str, Any]] = _index()["placeholders"]
        self.known = frozenset(table)
        self.debt = frozenset(name for name, meta in table.items() if meta.get("debt"))

    def text(self, where: str, value: object, *, optional: bool = False) -> frozenset[str]:
        """The placeholders `value` uses, once it is a text in both languages."""
        if value is None and optional:
            return frozenset()
        if not isinstance(value, dict) or set(value) != set(LANGUAGES):
            self.problems.append(f"{where}: needs exactly an “en” and a “zh_CN” text")
            return frozenset()
        names: dict[str, frozenset[str]] = {}
        for language in LANGUAGES:
            words = value[language]
            if not isinstance(words, str) or not words.strip():
                self.problems.append(f"{where}: the {language} text is empty")
                continue
            used = frozenset(_PLACEHOLDER.findall(words))
            unknown = sorted(used - self.known)
            if unknown:
                listed = ", ".join(f"{{{name}}}" for name in unknown)
                self.problems.append(f"{where}: unknown placeholder {listed} ({language})")
            if "{" in _PLACEHOLDER.sub("", words) or "}" in _PLACEHOLDER.sub("", words):
                self.problems.append(f"{where}: unmatched brace ({language})")
            names[language] = used
        if len(names) == len(LANGUAGES) and names["en"] != names["zh_CN"]:
            self.problems.append(f"{where}: en and zh_CN use different placeholders")
        if "zh_CN" in names and not _CJK.search(_PLACEHOLDER.sub("", value["zh_CN"])):
            self.problems.append(f"{where}: the zh_CN text is not in Chinese")
        return frozenset().union(*names.values())

    def spoken(self, where: str, item: Mapping[str, Any], used: Iterable[str]) -> None:
        """A spoken text that reveals the debt must be marked so."""
        revealing = sorted(set(used) & self.debt)
        if revealing and not item.get("discloses_debt"):
            listed = ", ".join(f"{{{name}}}" for name in revealing)
            self.problems.append(f"{where}: says {listed} but is not marked discloses_debt")


def _check_step(item: Mapping[str, Any], check: _TextCheck, problems: list[str]) -> None:
    where = f"step {item['id']}"
    unknown = sorted(set(item) - _STEP_KEYS)
    if unknown:
        problems.append(f"{where}: unknown fields {', '.join(unknown)}")
    kind = item.get("kind")
    if kind not in KINDS:
        problems.append(f"{where}: unknown kind “{kind}” (one of {', '.join(KINDS)})")
    check.text(f"{where} title", item.get("title"))
    spoken = set(check.text(f"{where} text", item.get("text")))
    check.text(f"{where} note", item.get("note"), optional=True)
    choices = item.get("choices", [])
    if kind == "ask":
        if not isinstance(choices, list) or not choices:
            problems.append(f"{where}: a question needs choices")
            choices = []
        if "next" in item:
            problems.append(f"{where}: a question goes on through its choices, not `next`")
    elif choices:
        problems.append(f"{where}: only a question (ask) has choices")
        choices = []
    if kind in SKIPPABLE and not isinstance(item.get("next"), str):
        problems.append(f"{where}: needs a `next` step")
    if kind == "end" and "next" in item:
        problems.append(f"{where}: an end step has no `next`")
    if item.get("required") and kind != "disclosure":
        problems.append(f"{where}: only a disclosure can be required")
    for flag in ("required", "discloses_debt"):
        if not isinstance(item.get(flag, False), bool):
            problems.append(f"{where}: {flag} must be true or false")
    profiles = item.get("profiles")
    if profiles is not None:
        if not isinstance(profiles, list) or not set(profiles) <= set(available_profiles()):
            problems.append(f"{where}: profiles must name known profiles")
        if kind not in SKIPPABLE:
            problems.append(f"{where}: only say and disclosure steps can be limited to profiles")
    action = item.get("action")
    if action is not None and action not in _index()["actions"]:
        problems.append(f"{where}: unknown action “{action}”")
    ids: set[str] = set()
    for choice in choices:
        if not isinstance(choice, dict) or not isinstance(choice.get("id"), str):
            problems.append(f"{where}: a choice has no id")
            continue
        there = f"{where} choice {choice['id']}"
        if choice["id"] in ids:
            problems.append(f"{there}: the id is used twice")
        ids.add(choice["id"])
        unknown = sorted(set(choice) - _CHOICE_KEYS)
        if unknown:
            problems.append(f"{there}: unknown fields {', '.join(unknown)}")
        spoken |= check.text(f"{there} label", choice.get("label"))
        if not isinstance(choice.get("next"), str):
            problems.append(f"{there}: needs a `next` step")
        code = choice.get("disposition")
        if code is not None and code not in dispositions():
            problems.append(f"{there}: unknown disposition “{code}”")
        emotion = choice.get("emotion")
        if emotion is not None and emotion not in emotions():
            problems.append(f"{there}: unknown emotion “{emotion}”")
        if not isinstance(choice.get("right_party", False), bool):
            problems.append(f"{there}: right_party must be true or false")
    check.spoken(where, item, spoken)


def _check_objections(objections: object, check: _TextCheck, problems: list[str]) -> None:
    if not isinstance(objections, list):
        problems.append("objections must be a list")
        return
    ids: set[str] = set()
    for position, item in enumerate(objections):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(f"objection #{position + 1} has no id")
            continue
        where = f"objection {item['id']}"
        if item["id"] in ids:
            problems.append(f"{where}: the id is used twice")
        ids.add(item["id"])
        unknown = sorted(set(item) - _OBJECTION_KEYS)
        if unknown:
            problems.append(f"{where}: unknown fields {', '.join(unknown)}")
        used = check.text(f"{where} label", item.get("label"))
        used |= check.text(f"{where} text", item.get("text"))
        check.spoken(where, item, used)


def _graph_problems(steps: Mapping[str, Mapping[str, Any]], first: str) -> list[str]:
    problems: list[str] = []
    if first not in steps:
        return [f"the first step “{first}” is skipped and leads nowhere"]
    links: dict[str, list[tuple[Mapping[str, Any] | None, str]]] = {}
    for step_id, step in steps.items():
        edges: list[tuple[Mapping[str, Any] | None, str]] = [
            (choice, choice["next"]) for choice in step["choices"]
        ]
        if "next" in step:
            edges.append((None, step["next"]))
        for _, target in edges:
            if target not in steps:
                problems.append(f"step {step_id} leads to missing step “{target}”")
        links[step_id] = [(choice, target) for choice, target in edges if target in steps]
    if problems:
        return problems

    reached = reach([first], links, lambda choice: True)
    problems.extend(
        f"step {step_id} cannot be reached from “{first}”"
        for step_id in steps
        if step_id not in reached
    )
    loop = _find_loop(first, links)
    if loop is not None:
        problems.append(f"the steps loop: {' → '.join(loop)}; every path must end")
    # Until an answer verifies the borrower, and after an answer that did not, nothing may be
    # said about the debt (docs/domain.md §4, §5): walk from those points without crossing a
    # verifying answer.
    unverified = [first] + [
        choice["next"]
        for step in steps.values()
        for choice in step["choices"]
        if choice.get("right_party") is False
    ]
    reached = reach(unverified, links, lambda choice: choice.get("right_party") is not True)
    problems.extend(
        f"step {step_id} reveals the debt but can be reached without a verified identity"
        for step_id, step in steps.items()
        if step_id in reached and step.get("discloses_debt")
    )
    return problems


def _find_loop(first: str, links: Links) -> list[str] | None:
    """One cycle reachable from `first`, as step ids, or None (the graph is then a DAG)."""
    done: set[str] = set()
    trail: list[str] = []
    on_trail: set[str] = set()
    # Iterative depth-first search: (step, index of its next link to follow).
    stack: list[tuple[str, int]] = [(first, 0)]
    trail.append(first)
    on_trail.add(first)
    while stack:
        step_id, position = stack.pop()
        edges = links[step_id]
        if position == len(edges):
            done.add(step_id)
            on_trail.discard(trail.pop())
            continue
        stack.append((step_id, position + 1))
        target = edges[position][1]
        if target in on_trail:
            return [*trail[trail.index(target) :], target]
        if target not in done:
            stack.append((target, 0))
            trail.append(target)
            on_trail.add(target)
    return None


# ---------------------------------------------------------------- loading and filling


@cache
def _raw(stage: str) -> dict[str, Any]:
    """The stage's file, checked once; an invalid file fails here, never halfway through a call."""
    problems = check_script(stage)
    # The problems are for whoever edits the file, so they stay in English.
    if len(problems) == 1:
        raise InvalidInput(
            "The call script “{stage}” is invalid: {problem}.", stage=stage, problem=problems[0]
        )
    if problems:
        raise InvalidInput(
            "The call script “{stage}” is invalid: {problem} (and {count} more).",
            stage=stage,
            problem=problems[0],
            count=len(problems) - 1,
        )
    return dict(load_json(f"scripts/{stage}.json"))


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidInput(
            "Unknown language “{language}” (one of {known}).",
            language=language,
            known=", ".join(LANGUAGES),
        )


def load_script(stage: str, language: str, profile_code: str) -> Script:
    """A stage's script in `language` under a compliance profile, placeholders not yet filled."""
    _check_language(language)
    if profile_code not in available_profiles():
        # compliance.py's own template, so its translation applies here too.
        raise NotFound(
            "There is no contact-rule profile “{code}” (available: {known}).",
            code=profile_code,
            known=", ".join(available_profiles()),
        )
    data = _raw(stage)
    steps, first = for_profile(data["steps"], data["first"], profile_code)
    return Script(
        stage=stage,
        language=language,
        profile=profile_code,
        title=data["title"][language],
        titles=_localized(data["title"]),
        first=first,
        steps={step_id: _step(item, language) for step_id, item in steps.items()},
        before_debt=disclosures_before_debt(steps, first),
        objections=tuple(
            Objection(
                id=item["id"],
                label=item["label"][language],
                text=item["text"][language],
                discloses_debt=bool(item.get("discloses_debt", False)),
            )
            for item in data["objections"]
        ),
    )


def _step(item: Mapping[str, Any], language: str) -> Step:
    note = item.get("note")
    return Step(
        id=item["id"],
        kind=item["kind"],
        title=item["title"][language],
        text=item["text"][language],
        choices=tuple(
            Choice(
                id=choice["id"],
                label=choice["label"][language],
                next=choice["next"],
                disposition=choice.get("disposition"),
                emotion=choice.get("emotion"),
                right_party=choice.get("right_party"),
            )
            for choice in item["choices"]
        ),
        next=item.get("next"),
        required=bool(item.get("required", False)),
        note=note[language] if note else "",
        action=item.get("action"),
        discloses_debt=bool(item.get("discloses_debt", False)),
        titles=_localized(item["title"]),
    )


def _localized(texts: Mapping[str, str]) -> Localized:
    return Localized(texts["en"], texts["zh_CN"])


def fill(script: Script, values: Mapping[str, str]) -> Script:
    """The script with `values` put into its placeholders; placeholders without a value stay.

    A name that is not a known placeholder is a programming error and raises ValueError.
    """
    unknown = sorted(set(values) - placeholders())
    if unknown:
        raise ValueError(f"unknown placeholders: {', '.join(unknown)}")

    def put(text: str) -> str:
        # One pass: a value that itself contains braces (a name, say) is never expanded.
        # A value ending a sentence ("Co., Ltd.") takes the sentence's full stop as its own.
        def value(match: re.Match[str]) -> str:
            found = values.get(match.group(1), match.group(0))
            if found.endswith(".") and match.string.startswith(".", match.end()):
                return found[:-1]
            return found

        return _PLACEHOLDER.sub(value, text)

    def titles(title: str, both: Localized | None) -> Localized | None:
        # The values are in the script's language only: a filled title is named as filled.
        return both if put(title) == title else None

    return replace(
        script,
        title=put(script.title),
        titles=titles(script.title, script.titles),
        steps={
            step_id: replace(
                step,
                title=put(step.title),
                titles=titles(step.title, step.titles),
                text=put(step.text),
                note=put(step.note),
                choices=tuple(replace(choice, label=put(choice.label)) for choice in step.choices),
            )
            for step_id, step in script.steps.items()
        },
        objections=tuple(
            replace(item, label=put(item.label), text=put(item.text)) for item in script.objections
        ),
    )


def _texts(script: Script) -> Iterable[str]:
    yield script.title
    for step in script.steps.values():
        yield from (step.title, step.text, step.note)
        yield from (choice.label for choice in step.choices)
    for item in script.objections:
        yield from (item.label, item.text)


# ---------------------------------------------------------------- one account's values


def format_date(day: date, language: str) -> str:
    """A date as a collector says it: `2026年3月5日`, `5 March 2026`."""
    if language == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _join(items: Sequence[str], language: str) -> str:
    """`A, B or C` / `A、B或C`."""
    if len(items) <= 1:
        return "".join(items)
    if language == "zh_CN":
        return "、".join(items[:-1]) + "或" + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


def promise_values(
    amount: Decimal, on: date, language: str, currency: str = "CNY"
) -> dict[str, str]:
    """The values of the placeholders filled during the call, once the promise is entered."""
    _check_language(language)
    return {
        "promise_amount": format_money(amount, currency),
        "promise_date": format_date(on, language),
    }


def lender_values(language: str, profile_code: str) -> dict[str, str]:
    """The placeholders that depend only on the lender and the borrower's profile."""
    company = lender()
    help_lines = support(profile_code)
    if language == "zh_CN":
        hotlines = [f"{line.zh_CN}{line.number}" for line in help_lines.hotlines]
        details = [
            f"{channel.label[language]}：{channel.detail[language]}"
            for channel in company.payment_channels
        ]
    else:
        hotlines = [f"{line.en} on {line.number}" for line in help_lines.hotlines]
        details = [
            f"{channel.label[language]}: {channel.detail[language]}"
            for channel in company.payment_channels
        ]
    return {
        "lender": company.name[language],
        "lender_short": company.short_name[language],
        "service_number": company.service_number,
        "channels": _join(
            [channel.label[language] for channel in company.payment_channels], language
        ),
        "channel_details": "\n".join(details),
        "hotline": _join(hotlines, language),
        "emergency": help_lines.emergency[language],
    }


@dataclass(frozen=True)
class FailedPromise:
    amount: Decimal
    promised_date: date


def last_failed_promise(session: Session, loan_id: uuid.UUID) -> FailedPromise | None:
    """The loan's latest broken or partly kept promise, which a script may follow up."""
    row = session.execute(
        select(PromiseToPay.amount, PromiseToPay.promised_date)
        .where(
            PromiseToPay.loan_id == loan_id,
            PromiseToPay.status.in_([PromiseStatus.BROKEN, PromiseStatus.PARTLY_KEPT]),
        )
        .order_by(PromiseToPay.promised_date.desc(), PromiseToPay.created_at.desc())
        .limit(1)
    ).first()
    return None if row is None else FailedPromise(row.amount, row.promised_date)


def _broken_recently(promise: FailedPromise | None, today: date) -> bool:
    """Whether the queue still ranks the account by its broken promise (the same window)."""
    if promise is None:
        return False
    window = int(queue_weights()["broken_promise_days"]) + promise_grace_days()
    return promise.promised_date >= today - timedelta(days=window)


def _check_stage(language: str, stage: str | None) -> None:
    _check_language(language)
    if stage is not None and stage not in stages():
        raise NotFound("There is no call script for stage “{stage}”.", stage=stage)


def call_script(
    db: Database,
    username: str,
    contract_no: str,
    language: str,
    at: datetime | None = None,
    *,
    stage: str | None = None,
) -> Script:
    """The script for one account in the user's scope, filled with its values.

    The stage follows the account (a recent broken promise, else its DPD bucket) unless given.
    The placeholders of the promise made during the call stay unfilled: fill them with
    `promise_values` once the collector enters it.
    """
    _check_stage(language, stage)
    at = (at or datetime.now(UTC)).astimezone(UTC)
    with db.reader() as session:
        user, loan, borrower = open_account(session, username, contract_no)
        states = [to_state(row) for row in instalment_states(session, loan.id)]
        failed = last_failed_promise(session, loan.id)
    return filled_script(user, loan, borrower, states, failed, language, at, stage=stage)


def filled_script(
    user: User,
    loan: Loan,
    borrower: Borrower,
    states: Sequence[InstalmentState],
    failed: FailedPromise | None,
    language: str,
    at: datetime,
    *,
    stage: str | None = None,
) -> Script:
    """`call_script` from what was read of the account (`open_account`, its instalments'
    states and `last_failed_promise`), for a caller that read them in a session of its own."""
    _check_stage(language, stage)
    today = local_today(at)
    balance = balance_of(states, today, loan.penalty_rate_daily)
    if stage is None:
        tier = "promise_broken" if _broken_recently(failed, today) else None
        stage = stage_for(balance.dpd, tier)
    if stage == "broken_promise" and failed is None:
        raise InvalidInput(
            "Account {contract_no} has no broken promise to follow up.",
            contract_no=loan.contract_no,
        )
    profile = profile_code_for(borrower.country)
    shown_due = balance.oldest_unpaid_due or balance.next_due
    due_amount = sum(
        (
            state.unpaid("principal") + state.unpaid("interest") + state.unpaid("fees")
            for state in states
            if state.settled_on is None and state.due_date == shown_due
        ),
        ZERO,
    )
    values = {
        **lender_values(language, profile),
        "borrower": borrower.name,
        "collector": user.display_name,
        "id_last4": borrower.id_number[-4:],
        "birth_date": format_date(borrower.date_of_birth, language),
        "contract_no": loan.contract_no,
        "overdue": format_money(balance.overdue, loan.currency),
        "dpd": str(balance.dpd),
        "due_date": format_date(shown_due, language) if shown_due else "—",
        "due_amount": format_money(due_amount, loan.currency),
    }
    if failed is not None:
        values["last_promise_amount"] = format_money(failed.amount, loan.currency)
        values["last_promise_date"] = format_date(failed.promised_date, language)
    return fill(load_script(stage, language, profile), values)


def contact_script(
    db: Database,
    username: str,
    contract_no: str,
    language: str,
    at: datetime | None = None,
    *,
    contact_point_id: uuid.UUID | None = None,
    channel: str = "call",
    stage: str | None = None,
) -> Script:
    """The script shown for one contact, as the window shows it: the stage given, else the
    field-visit script at a door, the third-party script on a third party's number, else the
    account's own (`call_script`)."""
    if stage is None and channel == "visit":
        stage = VISIT_STAGE
    elif stage is None and contact_point_id is not None:
        with db.reader() as session:
            _, _, borrower = open_account(session, username, contract_no)
            point = session.get(ContactPoint, contact_point_id)
            if point is not None and point.borrower_id == borrower.id and point.kind.is_third_party:
                stage = THIRD_PARTY_STAGE
    return call_script(db, username, contract_no, language, at, stage=stage)


# ---------------------------------------------------------------- stepping through a call


class ScriptRun:
    """Where a collector is in a script, and how they got there. Pure: no I/O, no Qt.

    The window drives it: `answer` a question, `advance` past anything else, `back` to undo,
    `tick` the disclosure on screen once said. `path()` is saved with the outcome
    (ContactInput.script_steps): every step visited, in order, revisits included, each with its
    answer; `replay` follows a saved path again, so the service checks what the window showed.
    """

    def __init__(self, script: Script) -> None:
        self._script = script
        self._given = script
        self._current = script.first
        # The steps left behind on the way to the current one, with the answer given to each
        # question: what `back` undoes.
        self._trail: list[tuple[str, str | None]] = []
        # Every visit already left, in order, with its answer (`said` for a ticked disclosure).
        self._visits: list[tuple[str, str | None]] = []
        self._ticked: set[str] = set()

    @property
    def script(self) -> Script:
        return self._script

    @property
    def current(self) -> Step:
        return self._script.steps[self._current]

    @property
    def finished(self) -> bool:
        return self.current.kind == "end"

    @property
    def can_go_back(self) -> bool:
        return bool(self._trail)

    @property
    def back_to(self) -> str | None:
        """The step `back` returns to; None at the first step."""
        return self._trail[-1][0] if self._trail else None

    def answer(self, choice_id: str) -> Step:
        """Answer the current question; the step the answer leads to."""
        step = self.current
        if step.kind != "ask":
            raise InvalidInput("“{title}” asks no question to answer.", title=step.named)
        choice = step.choice(choice_id)
        self._trail.append((step.id, choice.id))
        self._visits.append((step.id, choice.id))
        self._current = choice.next
        return self.current

    def advance(self) -> Step:
        """Move past a step that is not a question."""
        step = self.current
        if step.kind == "ask":
            raise InvalidInput("“{title}” needs an answer before moving on.", title=step.named)
        if step.next is None:
            raise InvalidInput("“{title}” ends the call.", title=step.named)
        self._trail.append((step.id, None))
        self._visits.append(self._leaving())
        self._current = step.next
        return self.current

    def back(self) -> Step:
        """Undo the last move (and its answer); at the first step nothing changes."""
        if self._trail:
            self._visits.append(self._leaving())
            self._current, _ = self._trail.pop()
        return self.current

    def tick(self, step_id: str) -> None:
        """Mark the disclosure on screen as said (go back to an earlier one to tick it)."""
        self._ticked.add(self._disclosure_here(step_id).id)

    def untick(self, step_id: str) -> None:
        self._ticked.discard(self._disclosure_here(step_id).id)

    def is_ticked(self, step_id: str) -> bool:
        return step_id in self._ticked

    def fill(self, values: Mapping[str, str]) -> None:
        """Fill placeholders known only now (the promise); the position is kept.

        Each call fills from the script as it was given, so a corrected amount replaces the
        one said before instead of being ignored.
        """
        self._script = fill(self._given, values)

    def visited(self) -> tuple[Step, ...]:
        """The steps on the way to the current one (what `back` can undo), the current last."""
        return tuple(self._script.steps[step_id] for step_id in self._visited_ids())

    def path(self) -> tuple[str, ...]:
        """The path as saved: every visit in order, revisits included; `verify=match` for an
        answered question, `disclosure_recording=said` for a disclosure ticked off, else the
        step id. The current step is last."""
        return tuple(
            f"{step_id}={answer}" if answer else step_id
            for step_id, answer in (*self._visits, self._leaving())
        )

    def missing_disclosures(self) -> tuple[Step, ...]:
        """Required disclosures not ticked off: those on the way to the current step (the
        current one included), then those due before the debt is discussed not reached yet."""
        on_path = [step for step in self.visited() if step.kind == "disclosure" and step.required]
        due = [
            self._script.steps[step_id]
            for step_id in self._script.before_debt
            if step_id not in {step.id for step in on_path}
        ]
        return tuple(step for step in (*on_path, *due) if step.id not in self._ticked)

    @property
    def suggested_disposition(self) -> str | None:
        """The disposition the last answer that suggested one suggests."""
        codes = [choice.disposition for choice in self._answers() if choice.disposition]
        return codes[-1] if codes else None

    @property
    def suggested_emotion(self) -> str | None:
        found = [choice.emotion for choice in self._answers() if choice.emotion]
        return found[-1] if found else None

    @property
    def right_party(self) -> bool | None:
        """Whether the last identity check on the path verified the borrower; None before one."""
        checks = [
            choice.right_party for choice in self._answers() if choice.right_party is not None
        ]
        return checks[-1] if checks else None

    def objections(self) -> tuple[Objection, ...]:
        """The objection snippets that may be used now: those about the debt once verified."""
        verified = self.right_party is True
        return tuple(
            item for item in self._script.objections if verified or not item.discloses_debt
        )

    def _leaving(self) -> tuple[str, str | None]:
        """The current visit as the path records it when it ends."""
        return self._current, SAID if self._current in self._ticked else None

    def _disclosure_here(self, step_id: str) -> Step:
        step = self._script.step(step_id)
        if step.kind != "disclosure" or step_id not in self._visited_ids():
            raise InvalidInput(
                "“{title}” is not a disclosure on this call's path.", title=step.named
            )
        if step_id != self._current:
            raise InvalidInput(
                "Go back to “{title}” to tick it: a disclosure is ticked when it is said.",
                title=step.named,
            )
        return step

    def _visited_ids(self) -> list[str]:
        return [step_id for step_id, _ in self._trail] + [self._current]

    def _answers(self) -> list[Choice]:
        return [
            self._script.steps[step_id].choice(choice_id)
            for step_id, choice_id in self._trail
            if choice_id is not None
        ]


def replay(script: Script, path: Sequence[str]) -> ScriptRun:
    """The run a saved path describes, followed again move by move through `script`.

    A path the script does not allow (a step it skips, an answer it does not offer, a jump that
    is neither the next step nor a step back) is refused with the first entry that is wrong.
    """
    if not path:
        raise InvalidInput("The script path is empty.")
    run = ScriptRun(script)
    for position, entry in enumerate(path):
        step_id, _, answer = entry.partition("=")
        step = run.current
        if step_id != step.id:
            raise _off_path(script, position, entry)
        if answer == SAID and step.kind == "disclosure":
            run.tick(step.id)
        elif (answer and step.kind != "ask") or (answer == "" and "=" in entry):
            raise _off_path(script, position, entry)
        elif step.kind == "disclosure":
            run.untick(step.id)
        if position + 1 == len(path):
            if answer and step.kind == "ask":
                # An answer always leads on: the path stops before the step it leads to.
                raise _off_path(script, position, entry)
            break
        onward = path[position + 1].partition("=")[0]
        if step.kind == "ask" and answer:
            if answer not in {choice.id for choice in step.choices}:
                raise _off_path(script, position, entry)
            run.answer(answer)
        elif step.kind != "ask" and step.next is not None and onward == step.next:
            run.advance()
        elif onward == run.back_to:
            run.back()
        else:
            raise _off_path(script, position + 1, path[position + 1])
    return run


def _off_path(script: Script, position: int, entry: str) -> InvalidInput:
    return InvalidInput(
        "The script path does not follow “{title}”: step {number}, “{entry}”, is not where"
        " the script goes from there.",
        title=script.named,
        number=position + 1,
        entry=entry,
    )


def sample_path(script: Script, disposition: str) -> tuple[str, ...] | None:
    """The shortest path through `script` to an answer suggesting `disposition`, every
    disclosure on the way said and ticked; a right-party outcome only once verified. For a
    right-party outcome no answer suggests (HU), the shortest way to the debt once verified.
    None for an outcome no conversation in this script reaches (no answer, voicemail, …).
    For the demo portfolio and for tests: the path a collector who follows the script saves.
    """
    rpc = dispositions()[disposition].rpc

    def suggested(run: ScriptRun, answered: bool) -> bool:
        return answered and run.suggested_disposition == disposition

    def at_the_debt(run: ScriptRun, answered: bool) -> bool:
        return rpc and run.current.discloses_debt and run.current.kind != "disclosure"

    for goal in (suggested, at_the_debt):
        found = _shortest(script, goal, verified=rpc)
        if found is not None:
            return found
    return None


def _shortest(
    script: Script, goal: Callable[[ScriptRun, bool], bool], *, verified: bool
) -> tuple[str, ...] | None:
    """The path of the fewest moves whose run meets `goal` (told whether it ended on an
    answer), with the borrower verified or not as `verified` says."""
    waiting: deque[tuple[str | None, ...]] = deque([()])
    while waiting:
        moves = waiting.popleft()
        run = ScriptRun(script)
        for move in moves:
            if move is None:
                if run.current.kind == "disclosure":
                    run.tick(run.current.id)
                run.advance()
            else:
                run.answer(move)
        if (run.right_party is True) == verified and goal(
            run, bool(moves) and moves[-1] is not None
        ):
            if run.current.kind == "disclosure":
                run.tick(run.current.id)
            return run.path()
        step = run.current
        if step.kind == "ask":
            waiting.extend((*moves, choice.id) for choice in step.choices)
        elif step.next is not None:
            waiting.append((*moves, None))
    return None
