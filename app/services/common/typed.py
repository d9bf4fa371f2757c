"""Free text a user typed into a record (a name, a street, the borrower's words): one line,
within its column, hiding nothing, and no spreadsheet formula (the contact lists are exported
as XLSX, where `=` starts one: OWASP "CSV injection")."""

from __future__ import annotations

import unicodedata

from app.services.common.errors import InvalidInput, Message

# Control, invisible and private characters: NUL, bidirectional overrides (U+202E turns the
# text around on screen), zero-width spaces, byte-order marks.
HIDDEN = ("Cc", "Cf", "Co", "Cs", "Zl", "Zp")
FORMULA = ("=", "+", "-", "@")


def typed_text(text: str | None, what: Message, longest: int, *, code: bool = False) -> str:
    """`text` on one line (runs of white space as one space, trimmed); "" when nothing was typed.

    what: the field, as a nested message ("The street"), translated with the message (never an
    English word as a value); longest: the column's length; code:
    a number, an address or an id, which may start with + (and is never a sentence).
    InvalidInput when it is too long, hides a character, or starts as a formula does.
    """
    value = " ".join((text or "").split())
    if len(value) > longest:
        raise InvalidInput(
            "{field} is too long ({length} characters; at most {longest}).",
            field=what,
            length=len(value),
            longest=longest,
        )
    hidden = next((c for c in value if unicodedata.category(c) in HIDDEN), None)
    if hidden is not None:
        raise InvalidInput(
            "{field} holds a control or invisible character ({code}): type it again.",
            field=what,
            code=f"U+{ord(hidden):04X}",
        )
    if not code and value.startswith(FORMULA):
        raise InvalidInput(
            "{field} starts with “{sign}”, as a spreadsheet formula does.",
            field=what,
            sign=value[0],
        )
    return value
