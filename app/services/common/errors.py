"""Errors a user can cause, with a message a collector understands.

Every service raises these (and only these) for bad input; the CLI prints the message on one
line and the UI shows it in a dialog. None of them leaves anything half-written: services
validate before writing and write in one transaction.

An error about one input names it (`at("promise_date")`, the name a form knows its field by),
so a form marks that field. Where one input has several things wrong, a service gathers them
with `Checks` and refuses them all at once (`Problems`): the user reads every problem in one
round, each at its field, and the CLI prints each on a line of its own.

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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ParamSpec, Self, TypeVar

from app.services.common.clock import business_zone

P = ParamSpec("P")
T = TypeVar("T")


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
        # The input this is about, by the name a form knows its field by; None: the whole input.
        self.field: str | None = None

    def with_values(self, params: Mapping[str, object]) -> Self:
        """This error (its kind, template and field) with other values for its template."""
        clone = type(self).__new__(type(self), *self.args)
        clone.__dict__.update(self.__dict__)
        clone.params = dict(params)
        return clone

    def at(self, field: str | None) -> Self:
        """This error, said to be about `field` (kept when it already names one)."""
        if self.field is None:
            self.field = field
        return self


class Problems(DomainError):
    """Several things wrong with one input, refused together (`Checks.verdict` raises it).

    `problems`: each a `DomainError`, most naming the field it is about; the message is theirs,
    one a line.
    """

    def __init__(self, problems: Iterable[DomainError]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(problem.message for problem in self.problems)
        super().__init__("{problems}", problems=lines)


def problems_of(error: DomainError) -> tuple[DomainError, ...]:
    """Each problem an error stands for: the several of a `Problems`, else the error itself."""
    return error.problems if isinstance(error, Problems) else (error,)


class Checks:
    """Gathers what is wrong with one input, so that it is refused once, with every problem.

    `check(field, function, ...)` runs one check and keeps its refusal (answering None);
    `add(field, error)` keeps a refusal found otherwise; `verdict()` raises what was found: the
    one error as it is, several as `Problems`.
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def refused(self, field: str) -> bool:
        """Whether `field` was refused already (a check that needs its value is left out)."""
        return any(error.field == field for error in self.found)

    def add(self, field: str | None, error: DomainError | None) -> None:
        if error is not None:
            self.found.extend(problem.at(field) for problem in problems_of(error))

    def check(
        self, field: str | None, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T | None:
        """`function(*args, **kwargs)`, or None when it refuses (the refusal is kept)."""
        try:
            return function(*args, **kwargs)
        except DomainError as error:
            self.add(field, error)
            return None

    def verdict(self) -> None:
        """Refuse with what was found, if anything."""
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise Problems(self.found)


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
