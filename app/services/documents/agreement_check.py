"""An agreement PDF's printed text, read back and set beside the agreement as it was recorded.

`read_printed` takes the text of every page as lines, the way a reader's copy-and-paste does
(pypdf, as `agreement_pdf.read_agreement` reads it), and the document's language.
`compare_printed` sets those lines beside the lines of the agreement rendered again from the
recorded terms (`agreement_pdf.render_agreement`) and says, for every line that differs, which
term it belongs to (the label printed before it: "Less penalty interest waived", "Payment 3",
"Name (Borrower)"), what the copy prints and what was recorded. Text that breaks into lines
elsewhere but reads the same is no difference, so a copy made with an earlier layout compares
by what it says. The borrower's address and phone are not recorded with the plan (they are
corrected over time) and are not compared.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from io import BytesIO

from pypdf import PdfReader

from app.services.documents.layout import PDF_LANGUAGE, DocumentTexts, document_texts

# How much of a copy's text must read as the agreement for its differences to be worth
# listing: below this it is another document, or text the file does not let us read.
MOST_DIFFERENT = 0.5
# Rows of the parties table that are not recorded with the plan.
NOT_RECORDED = frozenset({"address", "phone"})
# Lines whose text is a template: what they are called in an answer.
_TEMPLATE_TERMS = {
    "agreement_no_line": "Agreement no.",
    "agreement_date_line": "Agreement date",
    "intro": "Opening paragraph",
    "as_at": "Overdue balance as at",
    "instalment_count": "Number of instalments",
    "channels_intro": "How to pay",
    "footer": "Page footer (agreement no. and SHA-256)",
    "page": "Page number",
}
# Labels named otherwise than their English text, where that text says too little alone.
_LABEL_TERMS = {
    "schedule_total": "Payment schedule total",
    "down_payment_row": "Down payment (schedule)",
    "sign_borrower": "Signatures",
    "sign_lender": "Signatures",
    "sign_date": "Signature date",
}
# Fixed texts printed as values, not labels: named after the label of their row.
_VALUES = frozenset(
    {
        "not_applicable",
        "kind_full",
        "kind_instalments",
        "kind_settlement",
        "frequency_weekly",
        "frequency_biweekly",
        "frequency_monthly",
        "down_payment_due",
    }
)
# Labels after which a row of the payment schedule starts with its number.
_SCHEDULE = frozenset({"column_seq", "column_due_date", "column_amount", "down_payment_row"})
_SEQ = re.compile(r"\d{1,3}")
# What a placeholder of a template line can stand for (squashed); others: a short text.
_PLACEHOLDERS = {
    "agreement_no": r"[A-Za-z0-9-]{1,40}",
    "digest": r"[0-9a-f]{64}",
    "date": r"\w{1,16}",
    "page": r"\d{1,4}",
    "pages": r"\d{1,4}",
    "count": r"\d{1,4}",
    "grace_days": r"\d{1,4}",
    "retention_years": r"\d{1,4}",
    "service_number": r"[0-9+()-]{1,30}",
}
# The most lines a fixed paragraph (the opening, the plan clause) wraps to on a page.
_LONGEST_PARAGRAPH = 6


@dataclass(frozen=True)
class PrintedText:
    """The visible text of a PDF: its lines in reading order, page after page.

    language: "zh_CN" or "en" from the document's /Lang, None when it names neither;
    problem: why the text cannot be read back (None when it can; `lines` is empty then).
    """

    lines: tuple[str, ...]
    language: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Difference:
    """One term a copy prints otherwise than recorded ("" where nothing is printed)."""

    term: str
    printed: str
    recorded: str


@dataclass(frozen=True)
class Comparison:
    """What `compare_printed` found: similarity is the share of lines that read the same."""

    differences: tuple[Difference, ...]
    similarity: float


def is_pdf(data: bytes) -> bool:
    """Does `data` start as a PDF does (its header within the first kilobyte, as the format
    allows)?"""
    return b"%PDF-" in data[:1024]


def read_printed(data: bytes) -> PrintedText:
    """The text of every page of `data`; never raises, and keeps the PDF library's warnings
    about a damaged file to itself (the answer says what is wrong)."""
    if not is_pdf(data):
        return PrintedText((), None, "The file is not a PDF.")
    library = logging.getLogger("pypdf")
    level = library.level
    library.setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        code = str(reader.root_object.get("/Lang", ""))
    # pypdf raises many kinds of error on a damaged file; a file that cannot be read is an
    # answer, not a crash.
    except Exception as error:
        return PrintedText(
            (), None, f"The file is not a readable PDF ({type(error).__name__}: {error})."
        )
    finally:
        library.setLevel(level)
    lines = tuple(line.strip() for page in pages for line in page.splitlines() if line.strip())
    if not lines:
        return PrintedText(
            (), None, "No text can be read from the file (is it a scan or a picture?)."
        )
    language = next((name for name, value in PDF_LANGUAGE.items() if value == code), None)
    return PrintedText(lines, language)


def squash(text: str) -> str:
    """Text without its spaces and line breaks, which extraction puts where the layout did."""
    return re.sub(r"\s+", "", text)


def compare_printed(
    printed: Sequence[str],
    expected: Sequence[str],
    language: str,
    *,
    owners: Mapping[str, str] | None = None,
) -> Comparison:
    """The lines of `printed` that differ from `expected`, each named by its term.

    expected: the lines of the agreement as recorded, read back with `read_printed`;
    language: the language of `expected`; owners: squashed values of the parties table
    ("Lender", "Borrower" by the name, ID number, … each prints), which name a difference
    in that table after its party.
    """
    terms = _terms(expected, document_texts("agreement", language), owners or {})
    wanted = [squash(line) for line in expected]
    found = [squash(line) for line in printed]
    matcher = SequenceMatcher(None, wanted, found, autojunk=False)
    differences: list[Difference] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or "".join(wanted[i1:i2]) == "".join(found[j1:j2]):
            continue
        if i2 - i1 == j2 - j1:
            pairs = [
                ([i], [j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                if wanted[i] != found[j]
            ]
        else:
            pairs = [(list(range(i1, i2)), list(range(j1, j2)))]
        for mine, theirs in pairs:
            # A line printed where the recorded agreement has none belongs to the term before.
            at = [*mine] or [max(i1 - 1, 0)]
            names = [terms[i] for i in at if terms[i][0] not in NOT_RECORDED]
            if not names:
                continue
            differences.append(
                Difference(
                    term=" / ".join(dict.fromkeys(name for _, name in names)),
                    printed=" ".join(printed[j] for j in theirs),
                    recorded=" ".join(expected[i] for i in mine),
                )
            )
    return Comparison(tuple(differences), matcher.ratio())


def _terms(
    lines: Sequence[str], texts: DocumentTexts, owners: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(label key, English name of the term) for each line: a label (or a fixed paragraph,
    over as many lines as it wraps to) names itself and the lines after it; a payment's row is
    named after its number."""
    english = document_texts("agreement", "en")
    labels: dict[str, list[str]] = {}
    templates: list[tuple[re.Pattern[str], str]] = []
    for key in sorted(texts.keys() - _VALUES - {"_about"}):
        try:
            value = texts.text(key)
        except TypeError:  # a list of clauses, named after their heading
            continue
        if "{" not in value:
            labels.setdefault(squash(value), []).append(key)
        elif squash(re.sub(r"\{[^}]*\}", "", value)):
            pattern = "".join(
                _PLACEHOLDERS.get(part[1:-1], ".{1,80}?")
                if part.startswith("{")
                else re.escape(squash(part))
                for part in re.split(r"(\{[^}]*\})", value)
            )
            templates.append((re.compile(pattern), key))

    def label(text: str, within: str) -> str | None:
        keys = labels.get(text)
        if keys:
            # One text, two labels (English "Down payment" in the plan and in the schedule):
            # the schedule's own inside the schedule.
            inside = [key for key in keys if key in _SCHEDULE] if within in _SCHEDULE else []
            return (inside or keys)[0]
        return next((key for pattern, key in templates if pattern.fullmatch(text)), None)

    squashed = [squash(line) for line in lines]
    named: list[tuple[str, str]] = []
    key, name = "", "Heading"
    while len(named) < len(lines):
        at = len(named)
        span = next(
            (
                (count, found)
                for count in range(1, _LONGEST_PARAGRAPH + 1)
                if at + count <= len(lines)
                and (found := label("".join(squashed[at : at + count]), key)) is not None
            ),
            None,
        )
        if span is not None:
            count, key = span
            name = _name(key, english)
            named.extend([(key, name)] * count)
            continue
        text = squashed[at]
        if key in _SCHEDULE and _SEQ.fullmatch(text):
            key, name = "column_seq", f"Payment {text}"
        owner = owners.get(text)
        named.append((key, f"{name} ({owner})" if owner else name))
    return named


def _name(key: str, english: DocumentTexts) -> str:
    if key in _TEMPLATE_TERMS:
        return _TEMPLATE_TERMS[key]
    if key in _LABEL_TERMS:
        return _LABEL_TERMS[key]
    return english.text(key).rstrip(":： ")
