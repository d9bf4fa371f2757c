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


# Turn text around on screen (U+202E shows "evil" as "live"): embeddings, overrides, isolates.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Control characters that lay out text written over several lines.
LAYOUT = frozenset("\n\t")


def written_text(text: str | None, what: Message) -> str:
    """Free text written by a user (a note, a reason, a comment), trimmed; "" when it shows
    nothing (blanks and invisible characters only, such as zero-width spaces), so "say why"
    refuses it as it refuses an empty one. It may run over several lines (line breaks and
    tabs are kept); any other control character (a terminal's escape, a bell), a
    bidirectional override or a private or broken character is refused: InvalidInput naming
    `what`. Within words, joiners and marks stay (emoji and scripts need them)."""
    value = (text or "").replace("\r\n", "\n").strip()
    hidden = next(
        (
            c
            for c in value
            if c in BIDI_CONTROLS
            or (c not in LAYOUT and unicodedata.category(c) in ("Cc", "Co", "Cs", "Zl", "Zp"))
        ),
        None,
    )
    if hidden is not None:
        raise InvalidInput(
            "{field} holds a control or invisible character ({code}): type it again.",
            field=what,
            code=f"U+{ord(hidden):04X}",
        )
    if all(c.isspace() or unicodedata.category(c) == "Cf" for c in value):
        return ""
    return value
