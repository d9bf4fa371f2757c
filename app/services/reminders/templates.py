"""Reminder texts: the templates (resources/reminders/templates.json) filled with an account's
values, the SMS signature and opt-out line around them, and the SMS segments counted.

An SMS is what its provider sends: the template registered under its code, filled with the
values handed over (Alibaba Cloud SMS: TemplateCode and TemplateParam), after the registered
signature. So the text recorded of an SMS is that registered template filled in: the lender's
own values (its name, service number, payment channels), the payment link's fixed part, the
education text and the opt-out line are written into the registered text, and only the
borrower's values are variables. A step that adds an education text to an SMS uses a code of
its own (`education_codes`): one code is one text. No variable carries a web address (the
provider refuses that, isv.PARAM_NOT_SUPPORT_URL): the link's fixed part is in the template and
only the contract's reference, URL-quoted, follows it as a variable (`{link_ref}`).

Values come from the lending system and may be anything: a name with a terminal escape or a
bidirectional override, or one far longer than a message allows. They are cleaned and
shortened here, never refused: the reminder still goes, and reads as it should.
"""

from __future__ import annotations

import importlib
import json
import math
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

from app.services.common.errors import InvalidInput
from app.services.common.money import cents
from app.services.common.reference import RESOURCES, lender
from app.services.common.typed import BIDI_CONTROLS, HIDDEN


class StrategyError(InvalidInput):
    """A strategy, template or education file that cannot be used (the CLI exits 65)."""


# Registers Python's "gsm03.38" codec (GSM 03.38, the 7-bit SMS alphabet with its extension
# table), which says whether a text fits GSM-7 and how many septets it takes.
importlib.import_module("gsm0338")
GSM_CODEC = "gsm03.38"
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
# How much of a borrower's name a message shows.
NAME_MAX = 20
PLACEHOLDERS = frozenset(
    {
        "name",
        "amount",
        "currency",
        "due_date",
        "contract_tail",
        "channels",
        "channel_details",
        "link",
        "service_number",
        "lender",
        "dpd",
        "reporting_from",
    }
)
FALLBACK_NAME = {"zh_CN": "客户", "en": "customer"}
# The lender's own values, the same in every message: an SMS has them written into its
# registered text, never as variables.
LENDER_VALUES = frozenset({"channels", "channel_details", "service_number", "lender"})
# The variable after the payment link's fixed part in a registered SMS: the contract's reference.
LINK_REF = "link_ref"


@cache
def load_templates() -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """template -> channel -> language -> {text, subject | code, max_segments}; checked."""
    path = RESOURCES / "reminders" / "templates.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["templates"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StrategyError(
            "The reminder templates {path} cannot be read: {error}.",
            path=str(path),
            error=str(error),
        ) from None
    problems: list[str] = []
    # A registered code is one text: each is used once.
    codes: dict[str, str] = {}
    for name, channels in data.items():
        for channel, languages in channels.items():
            if channel not in ("sms", "email"):
                problems.append(f"{name}: unknown channel {channel}")
                continue
            for language, item in languages.items():
                where = f"{name}.{channel}.{language}"
                fields = [item.get("text", "")]
                if channel == "sms":
                    if not item.get("code"):
                        problems.append(f"{where}: no registered template code")
                    extra = item.get("education_codes", {})
                    if not isinstance(extra, dict) or not all(
                        isinstance(code, str) and code for code in extra.values()
                    ):
                        problems.append(f"{where}: education_codes must name a code per text")
                        extra = {}
                    for code in (item.get("code"), *extra.values()):
                        if code and code in codes:
                            problems.append(f"{where}: code {code} is {codes[code]}'s already")
                        elif code:
                            codes[code] = where
                    top = item.get("max_segments")
                    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
                        problems.append(f"{where}: max_segments must be a whole number above 0")
                else:
                    fields.append(item.get("subject", ""))
                    if not item.get("subject"):
                        problems.append(f"{where}: no subject")
                if not item.get("text"):
                    problems.append(f"{where}: no text")
                for text in fields:
                    try:
                        used = {n for _, n, _, _ in string.Formatter().parse(text) if n is not None}
                    except ValueError:
                        problems.append(f"{where}: an unclosed brace")
                        continue
                    unknown = sorted(used - PLACEHOLDERS)
                    if unknown:
                        problems.append(f"{where}: unknown placeholders {', '.join(unknown)}")
    if problems:
        raise StrategyError(
            "The reminder templates {path} cannot be used: {problems}.",
            path=str(path),
            problems="; ".join(problems),
        )
    return dict(data)


@cache
def education_texts() -> dict[str, dict[str, str]]:
    path = RESOURCES / "reminders" / "education.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["texts"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StrategyError(
            "The education texts {path} cannot be read: {error}.", path=str(path), error=str(error)
        ) from None
    missing = [name for name, texts in data.items() if not ("zh_CN" in texts and "en" in texts)]
    if missing:
        raise StrategyError(
            "The education texts {path} need zh_CN and en: {names}.",
            path=str(path),
            names=", ".join(missing),
        )
    return dict(data)


def segments(text: str) -> int:
    """How many SMS parts `text` takes: GSM-7 (160 septets, 153 per part of a longer one) when
    every character is in the GSM alphabet, else UCS-2 (70 code units, 67 per part)."""
    septets = 0
    for character in text:
        size = _septets(character)
        if size is None:
            units = len(text.encode("utf-16-le")) // 2
            return 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PART)
        septets += size
    return 1 if septets <= GSM_SINGLE else math.ceil(septets / GSM_PART)


@cache
def _septets(character: str) -> int | None:
    """The septets the GSM codec writes for one character (2: from the extension table), None
    when it has none. The codec encodes character by character, so a text takes the sum."""
    try:
        return len(character.encode(GSM_CODEC))
    except UnicodeEncodeError:
        return None


def clean_value(value: str, longest: int) -> str:
    """A value from the lending system made safe to put in a message: control, invisible and
    bidirectional characters dropped, white space as single spaces, at most `longest`."""
    if value.isprintable():
        # Nothing to drop: a printable text has no character of those categories (bidirectional
        # controls are format characters, Cf), and no white space but the plain space.
        kept = value
    else:
        kept = "".join(
            c for c in value if c not in BIDI_CONTROLS and unicodedata.category(c) not in HIDDEN
        )
    return " ".join(kept.split())[:longest].strip()


@dataclass(frozen=True)
class Facts:
    """What a message says about one account."""

    name: str
    amount: Decimal
    currency: str
    due_date: date
    contract_no: str
    dpd: int
    reporting_from: date | None = None


@dataclass(frozen=True)
class Rendered:
    text: str
    subject: str | None
    template_code: str | None
    params: Mapping[str, str]
    sign_name: str | None
    segments: int | None
    max_segments: int | None

    @property
    def too_long(self) -> bool:
        return (
            self.segments is not None
            and self.max_segments is not None
            and self.segments > self.max_segments
        )


def _day(day: date, language: str) -> str:
    if language == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%b %Y}"


def payment_link(contract_no: str) -> str:
    """Where the borrower pays this account online (lender.json `payment_link`), the contract
    number URL-quoted: the same page the letters print."""
    return lender().payment_link.format(contract_no=quote(contract_no, safe=""))


def values(facts: Facts, language: str) -> dict[str, str]:
    """The placeholders' values for `facts`, cleaned."""
    contract = clean_value(facts.contract_no, 40)
    same = _lender_values(language)
    return {
        "name": clean_value(facts.name, NAME_MAX) or FALLBACK_NAME[language],
        "amount": f"{cents(facts.amount):,}",
        "currency": facts.currency,
        "due_date": _day(facts.due_date, language),
        "contract_tail": contract[-4:],
        "channels": same["channels"],
        "channel_details": same["channel_details"],
        "link": payment_link(facts.contract_no),
        LINK_REF: quote(facts.contract_no, safe=""),
        "service_number": same["service_number"],
        "lender": same["lender"],
        "dpd": str(facts.dpd),
        "reporting_from": _day(facts.reporting_from or facts.due_date, language),
    }


@cache
def _lender_values(language: str) -> dict[str, str]:
    """The placeholders whose values are the lender's, the same in every message."""
    who = lender()
    channels = who.payment_channels
    glue = "、" if language == "zh_CN" else ", "
    return {
        "channels": glue.join(c.label[language] for c in channels),
        "channel_details": "\n".join(
            f"- {c.label[language]}: {c.detail[language]}" for c in channels
        ),
        "service_number": who.service_number,
        "lender": who.short_name[language],
    }


@cache
def _link_parts() -> tuple[str, str]:
    """The payment link around its contract number: (before, after). The part before names
    the lender's own site (https://host/…), as a registered SMS template carries it."""
    link = lender().payment_link
    before, marker, after = link.partition("{contract_no}")
    host = before.removeprefix("https://").partition("/")
    if not marker or "{contract_no}" in after or not host[1] or not host[0]:
        raise StrategyError(
            "lender.json payment_link must be https://HOST/…{{contract_no}}…, the contract"
            " number once after the site's address, not “{link}”.",
            link=link,
        )
    return before, after


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@cache
def registered_sms(template: str, language: str, education: str | None = None) -> str:
    """The SMS `template` as registered with the provider, in format syntax: the lender's own
    values, the payment link's fixed part, the education text and the opt-out line written in;
    the borrower's values (and the link's reference) left as placeholders, the variables."""
    item = load_templates()[template]["sms"][language]
    same = _lender_values(language)
    before, after = _link_parts()
    link = f"{_escaped(before)}{{{LINK_REF}}}{_escaped(after)}"
    parts = []
    for literal, field, spec, conversion in string.Formatter().parse(str(item["text"])):
        parts.append(_escaped(literal))
        if field is None:
            continue
        if field == "link":
            parts.append(link)
        elif field in LENDER_VALUES:
            parts.append(_escaped(same[field]))
        else:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            parts.append(f"{{{field}{suffix}}}")
    who = lender()
    space = "" if language == "zh_CN" else " "
    extra = education_texts()[education][language] if education else ""
    opt_out = (who.sms_opt_out or {}).get(language, "")
    return "".join(parts) + "".join(space + _escaped(part) for part in (extra, opt_out) if part)


def sms_code(template: str, language: str, education: str | None = None) -> str | None:
    """The code the SMS `template` is registered under (with `education`: the code of its text
    with that education text); None when none is registered."""
    item = load_templates()[template]["sms"][language]
    if education is None:
        return str(item["code"])
    found = item.get("education_codes", {}).get(education)
    return str(found) if found else None


def render(
    template: str, channel: str, language: str, facts: Facts, education: str | None = None
) -> Rendered:
    """The message as the borrower reads it."""
    item = load_templates()[template][channel][language]
    params = values(facts, language)
    who = lender()
    if channel == "sms":
        code = sms_code(template, language, education)
        if code is None:
            raise StrategyError(
                "The SMS template {template} ({language}) has no code registered with the"
                " education text {education}.",
                template=template,
                language=language,
                education=str(education),
            )
        registered = registered_sms(template, language, education)
        signature = (who.sms_signature or who.short_name)[language]
        text = f"【{signature}】" + registered.format(**params)
        return Rendered(
            text=text,
            subject=None,
            template_code=code,
            params={name: params[name] for name in _placeholders(registered)},
            sign_name=signature,
            segments=segments(text),
            max_segments=int(item["max_segments"]),
        )
    body = str(item["text"]).format(**params)
    extra = education_texts()[education][language] if education else ""
    opt_out = (who.email_opt_out or {}).get(language, "")
    text = "\n\n".join(part for part in (body, extra, opt_out) if part)
    return Rendered(
        text=text,
        subject=clean_value(str(item["subject"]).format(**params), 200),
        template_code=None,
        params=params,
        sign_name=None,
        segments=None,
        max_segments=None,
    )


@cache
def _placeholders(text: str) -> tuple[str, ...]:
    """The placeholders a template's text names, sorted."""
    return tuple(sorted({n for _, n, _, _ in string.Formatter().parse(text) if n}))


# The longest values a message can carry: each template must fit its segments with them.
LONGEST = Facts(
    name="龘" * NAME_MAX,
    amount=Decimal("99999999.99"),
    currency="CNY",
    due_date=date(2026, 12, 30),
    contract_no="CW2026000000009999",
    dpd=9999,
    reporting_from=date(2026, 12, 30),
)


def check_lengths(steps: tuple[Any, ...], where: str) -> None:
    """Every SMS a strategy's steps can send fits its template's max_segments at the longest."""
    problems = []
    for step in steps:
        if "sms" not in step.channels:
            continue
        for language in ("zh_CN", "en"):
            made = render(step.template, "sms", language, LONGEST, step.education)
            if made.too_long:
                problems.append(
                    f"{step.id} ({step.template}, {language}) takes {made.segments} SMS"
                    f" segments, more than its {made.max_segments}"
                )
    if problems:
        raise StrategyError(
            "The reminder strategy {path} cannot be used: {problems}.",
            path=where,
            problems="; ".join(problems),
        )
