"""Errors a user can cause, with a message a collector understands.

Every service raises these (and only these) for bad input; the CLI prints the message on one
line and the UI shows it in a dialog. None of them leaves anything half-written: services
validate before writing and write in one transaction.

A message is a literal English template with `{name}` placeholders plus the values to fill
in. The template is the key of its Chinese translation (Qt context "ServiceMessages", listed
by `app/services/messages.py`), so the window can show the same error in the user's language
while services stay free of Qt. Values are codes, numbers, dates, names: never English words.
Text that is itself for the user comes as a `Localized` (data kept in both languages) or a
nested `Message` (another template), which the window renders in its language too. A moment
comes as an aware `datetime`, never as pre-formatted text: the English message shows it in the
lender's business zone, the window in its own date format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.services.common.clock import business_zone


@dataclass(frozen=True)
class Localized:
    """A value from the data files that has an English and a Chinese text."""

    en: str
    zh_CN: str

    def text(self, language: str = "en") -> str:
        return self.zh_CN if language == "zh_CN" else self.en

    def __str__(self) -> str:
        return self.en

    def __format__(self, spec: str) -> str:
        return format(self.en, spec)


@dataclass(frozen=True)
class Message:
    """A template and its values inside another message (e.g. a rule's detail in an error)."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.template, self.params)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def render(template: str, params: Mapping[str, object]) -> str:
    """The English text: the template with its values filled in.

    An aware `datetime` reads as `YYYY-MM-DD HH:MM` in the lender's business zone.
    """
    # Without values a template is the finished sentence, even if it shows a brace.
    if not params:
        return template
    return template.format(**{name: _value(value) for name, value in params.items()})


def _value(value: object) -> object:
    if isinstance(value, datetime):
        return f"{value.astimezone(business_zone()):%Y-%m-%d %H:%M}"
    return value


class DomainError(Exception):
    """Base class: the message is for the user, not for a developer.

    template: literal English text with `{name}` placeholders (never an f-string: it is the
    translation key); params: the values for the placeholders.
    """

    def __init__(self, template: str, /, **params: object) -> None:
        message = render(template, params)
        super().__init__(message)
        self.template = template
        self.params: dict[str, object] = params
        self.message = message


class InvalidPhoneNumber(DomainError):
    pass


class InvalidAmount(DomainError):
    pass


class InvalidDate(DomainError):
    pass


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    """The user may not do this (scope or role), or the rules forbid it right now."""


class InvalidInput(DomainError):
    pass
