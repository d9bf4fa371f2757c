"""Review of issue 19: the SMS as Alibaba Cloud SMS sends it is the registered template filled
with the values the dispatcher hands over (TemplateCode + TemplateParam), not the text the
dispatcher renders and records. Tried against the provider's published rules.

Each test is a finding: it fails on main as built.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from app.services.reminders.letters import payment_link
from app.services.reminders.strategy import load_strategy
from app.services.reminders.templates import Facts, load_templates, render

FACTS = Facts(
    name="王芳",
    amount=Decimal("1268.19"),
    currency="CNY",
    due_date=date(2026, 12, 1),
    contract_no="CW202600000070",
    dpd=3,
    reporting_from=date(2026, 12, 16),
)
# A web address as a provider's content filter sees one.
URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:cn|com|net)(?:/|\b)", re.IGNORECASE)


def test_review19_no_sms_template_value_is_a_web_address() -> None:
    """Alibaba Cloud SMS refuses a URL passed in a template variable (isv.PARAM_NOT_SUPPORT_URL,
    "变量中不允许透传URL": a link must be fixed in the registered template). Every shipped SMS
    template passes the payment link as the variable {link}; sent through the real provider,
    each of them would be refused for good (FAILED, never retried): no SMS reminder would
    ever go out."""
    carrying = []
    for name, channels in load_templates().items():
        for language in channels.get("sms", {}):
            made = render(name, "sms", language, FACTS)
            carrying += [
                f"{name}.{language}: {key}={value}"
                for key, value in made.params.items()
                if URL.search(value)
            ]
    assert carrying == []


def test_review19_what_is_recorded_of_an_sms_is_what_its_template_sends() -> None:
    """The record of a message is its `text`; what the provider sends is the registered
    template (one code) filled with the params. Two SMS with the same code and the same values
    are the same SMS on the borrower's phone, so their recorded texts must be the same. The CN
    strategy's steps `before_3` and `before_1` both use `pre_due` (one registered code) but
    `before_1` appends an education text locally: the record of one of them is not what the
    borrower received (and its segments are counted on a text never sent)."""
    strategy = load_strategy("CN")
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[str, str]] = {}
    different = []
    for step in strategy.steps:
        if "sms" not in step.channels:
            continue
        made = render(step.template, "sms", strategy.language, FACTS, step.education)
        sent = (str(made.template_code), tuple(sorted(made.params.items())))
        if sent in seen and seen[sent][1] != made.text:
            different.append(f"{seen[sent][0]} and {step.id} ({made.template_code})")
        seen.setdefault(sent, (step.id, made.text))
    assert different == []


def test_review19_a_reminder_links_to_the_same_payment_page_as_the_letter() -> None:
    """The letter quotes what a web address cannot hold (test_letters: "HX 2024/06#1" →
    ".../r/HX%202024%2F06%231"); the SMS and e-mail put the contract number in the link as it
    is: ".../r/HX 2024/06#1", a link that ends at the space and points at another page."""
    facts = replace(FACTS, contract_no="HX 2024/06#1")
    for channel in ("sms", "email"):
        made = render("overdue", channel, "zh_CN", facts)
        assert payment_link(facts.contract_no) in made.text, (channel, made.text)
