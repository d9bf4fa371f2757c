"""Errors a user can cause, with a message a collector understands.

Every service raises these (and only these) for bad input; the CLI prints the message on one
line and the UI shows it in a dialog. None of them leaves anything half-written: services
validate before writing and write in one transaction.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: the message is for the user, not for a developer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
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
