"""The repayment agreement a borrower signs (docs/domain.md §7, §9), as a PDF, and its check.

`render_agreement` is a pure function of an `AgreementDocument`. What the parties agree is the
`AgreementTerms`; their canonical JSON (`canonical_terms`) travels inside the PDF as an embedded
file, `agreement-terms.json`, and its SHA-256 (`terms_digest`) is printed at the foot of every
page, carried in the QR code and kept in the document's keywords. The lender keeps the digest
when it issues the agreement, so a copy shown later can be matched to what was agreed.

`read_agreement` takes a PDF back apart: it parses the embedded terms, recomputes their digest,
compares it with the one the document carries, checks the sums add up, and checks that the
visible pages show the agreement number, the digest, the total and every payment of the
schedule, so editing either the embedded data or the printed amounts is noticed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Spacer,
    TableStyle,
)

from app.services.common.money import format_money
from app.services.documents.agreement_terms import (
    AgreementTerms,
    canonical_terms,
    parse_terms,
    qr_payload,
    sum_problems,
    terms_digest,
)
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import (
    FRAME_PADDING,
    LIGHT,
    PDF_LANGUAGE,
    DocumentTexts,
    Grid,
    Layout,
    PageFoot,
    Placed,
    Styles,
    Text,
    a4_document,
    document_language,
    document_texts,
    fit,
    format_day,
    frame_box,
    grid,
    numbered_canvas,
    para,
    styles,
)

TERMS_FILE = "agreement-terms.json"
KINDS = ("full", "instalments", "settlement")
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
_DIGEST_KEYWORD = re.compile(r"sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class AgreementDocument:
    """Everything printed on an agreement: the terms and what surrounds them.

    language: "zh_CN" or "en"; borrower_id_printed: masked unless the full number was asked
    for; payment_channels: (label, detail) pairs already in `language`; grace_days: how long a
    payment may stay unpaid before the plan is broken; retention_years: the compliance
    profile's retention period; font: None finds one with `cjk_font()`.
    """

    terms: AgreementTerms
    language: str
    lender_name: str
    lender_service_number: str
    borrower_id_printed: str
    borrower_address: str
    borrower_phone: str
    product: str
    loan_principal: Decimal
    disbursed_on: date
    payment_channels: tuple[tuple[str, str], ...]
    grace_days: int
    retention_years: int
    font: CJKFont | None = None
    # The lender's registration number (unified social credit code) and address; empty: "—".
    lender_registration_no: str = ""
    lender_address: str = ""


@dataclass(frozen=True)
class AgreementReadBack:
    """What a PDF says about itself.

    agreement_no: None when the file is not one of our agreements or cannot be read;
    terms: parsed from the embedded data (None when missing or unreadable); claimed_digest: the
    SHA-256 the document carries; computed_digest: the SHA-256 of the embedded terms;
    problems: English reasons the document is not self-consistent, empty when it is.
    """

    agreement_no: str | None
    terms: AgreementTerms | None
    claimed_digest: str | None
    computed_digest: str | None
    problems: tuple[str, ...]

    @property
    def consistent(self) -> bool:
        return (
            not self.problems
            and self.terms is not None
            and self.claimed_digest is not None
            and self.claimed_digest == self.computed_digest
        )


# ---------------------------------------------------------------- rendering


def render_agreement(document: AgreementDocument, *, layout: list[Placed] | None = None) -> bytes:
    """The agreement as PDF bytes, every font embedded, the terms inside.

    layout: when given, receives every block of text the pages show and the box it was given.
    """
    font = document.font or cjk_font()
    language = document_language(document.language)
    texts = document_texts("agreement", language)
    terms = document.terms
    canonical = canonical_terms(terms)
    digest = hashlib.sha256(canonical).hexdigest()
    page = _AgreementPage(document, texts, font, digest)

    buffer = BytesIO()
    template = a4_document(
        buffer,
        margin=MARGIN,
        top=16 * mm,
        bottom=20 * mm,
        font=font,
        language=language,
        title=f"{texts.text('title')} {terms.agreement_no}",
        author=document.lender_name,
        subject=terms.agreement_no,
        keywords=f"{texts.text('keywords')}, {terms.agreement_no}, sha256:{digest}",
    )

    def first_page(canvas: Canvas, _: object) -> None:
        _embed_file(canvas, TERMS_FILE, canonical, texts.text("attachment"))

    frame = frame_box(template.leftMargin, template.bottomMargin, template.width, template.height)
    canvas_maker = numbered_canvas(page.footer, Layout(frame, layout))
    template.build(page.story(), onFirstPage=first_page, canvasmaker=canvas_maker)
    return buffer.getvalue()


def _embed_file(canvas: Canvas, name: str, content: bytes, description: str) -> None:
    """Attach `content` as a file of the PDF (readers list it under attachments).

    reportlab has no call for attachments, so this builds the objects the PDF standard
    describes (an embedded file stream, its file specification, the catalogue's name tree) on
    the canvas's document, as reportlab's own renderPDF does for XMP metadata.
    """
    document = canvas._doc
    stream = PDFStream(
        PDFDictionary(
            {
                # No /Subtype: reportlab's names cannot spell the "/" of "application/json".
                "Type": PDFName("EmbeddedFile"),
                "Params": PDFDictionary({"Size": len(content)}),
            }
        ),
        content,
        # Uncompressed: the terms stay readable in any text editor.
        filters=[],
    )
    specification = PDFDictionary(
        {
            "Type": PDFName("Filespec"),
            "F": PDFString(name),
            "UF": PDFString(name),
            "Desc": PDFString(description),
            "EF": PDFDictionary({"F": document.Reference(stream)}),
            "AFRelationship": PDFName("Data"),
        }
    )
    names = PDFArray([PDFString(name), document.Reference(specification)])
    canvas.setCatalogEntry(
        "Names", PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": names})})
    )


class _AgreementPage:
    """The flowables and the footer of one agreement."""

    def __init__(
        self, document: AgreementDocument, texts: DocumentTexts, font: CJKFont, digest: str
    ) -> None:
        self.document = document
        self.terms = document.terms
        self.texts = texts
        self.font = font
        self.digest = digest
        self.styles: Styles = styles(font.name)
        self.language = texts.language
        self.foot = PageFoot(texts, font.name, left=MARGIN, right=A4[0] - MARGIN, y=12 * mm)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.terms.currency)

    def day(self, value: date) -> str:
        return format_day(value, self.language)

    def values(self) -> dict[str, object]:
        return {
            "date": self.day(self.terms.agreement_date),
            "lender": self.document.lender_name,
            "service_number": self.document.lender_service_number,
            "grace_days": self.document.grace_days,
            "retention_years": self.document.retention_years,
        }

    def story(self) -> list[Flowable]:
        t, s = self.texts.text, self.styles
        values = self.values()
        story: list[Flowable] = [
            self._header(),
            Spacer(1, 3 * mm),
            para(t("intro", **values), s.body),
            para(t("parties_heading"), s.heading),
            self._parties(),
            para(t("loan_heading"), s.heading),
            self._loan(),
            para(t("overdue_heading"), s.heading),
            self._overdue(),
            para(t("as_at", **values), s.small),
            para(t("plan_heading"), s.heading),
            self._plan(),
            Spacer(1, 2 * mm),
            para(t("plan_clause"), s.body),
            # The schedule starts on this page when a few rows fit, and then flows on with
            # its header repeated; kept with its heading whole it would often jump a page.
            CondPageBreak(45 * mm),
            para(t("schedule_heading"), s.heading_alone),
            self._schedule(),
            para(t("channels_heading"), s.heading),
            para(t("channels_intro", **values), s.body),
            self._channels(),
        ]
        for heading, clauses in (
            ("default_heading", "default_clauses"),
            ("privacy_heading", "privacy_clauses"),
            ("general_heading", "general_clauses"),
        ):
            story.append(para(t(heading), s.heading))
            story.extend(self._clauses(self.texts.lines(clauses, **values)))
        story.append(self._signatures())
        return story

    def _header(self) -> Flowable:
        t, s = self.texts.text, self.styles
        title = [
            para(t("title"), s.title),
            para(t("agreement_no_line", agreement_no=self.terms.agreement_no), s.body),
            para(t("agreement_date_line", date=self.day(self.terms.agreement_date)), s.body),
        ]
        size = 26 * mm
        code = QrCode(qr_payload(self.terms, self.digest), width=size, height=size, qrLevel="M")
        qr = [code, para(t("qr_caption"), s.tiny)]
        table = Grid([[title, qr]], colWidths=[WIDTH - size - 4, size + 4])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.8, colors.black),
                ]
            )
        )
        return table

    def _grid(
        self,
        rows: list[list[Any]],
        widths: list[float],
        extra: Sequence[tuple[Any, ...]] = (),
        *,
        right: Sequence[int] = (),
        **options: Any,
    ) -> Grid:
        return grid(rows, widths, self.styles, self.font, extra, right=right, **options)

    def _parties(self) -> Flowable:
        t = self.texts.text
        d = self.document
        none = t("not_applicable")
        # "Registration / ID no." in one line; the Chinese label wraps after 统一社会信用代码.
        label = 32 * mm
        half = (WIDTH - label) / 2
        rows = [
            ["", t("lender"), t("borrower")],
            [t("name"), d.lender_name, self.terms.borrower_name],
            [t("id_number"), d.lender_registration_no or none, d.borrower_id_printed],
            [t("address"), d.lender_address or none, d.borrower_address],
            [t("phone"), d.lender_service_number, d.borrower_phone],
        ]
        return self._grid(rows, [label, half, half], [("BACKGROUND", (0, 0), (-1, 0), LIGHT)])

    def _loan(self) -> Flowable:
        t, d = self.texts.text, self.document
        label, value = 45 * mm, WIDTH - 45 * mm
        rows = [
            [t("contract_no"), self.terms.contract_no],
            [t("product"), d.product],
            [t("loan_principal"), self.money(d.loan_principal)],
            [t("disbursed_on"), self.day(d.disbursed_on)],
        ]
        return self._grid(rows, [label, value])

    def _overdue(self) -> Flowable:
        t, terms = self.texts.text, self.terms
        rows = [
            [t("overdue_principal"), self.money(terms.overdue_principal)],
            [t("overdue_interest"), self.money(terms.overdue_interest)],
            [t("overdue_penalty"), self.money(terms.overdue_penalty)],
            [t("overdue_fees"), self.money(terms.overdue_fees)],
            [t("overdue_total"), self.money(terms.overdue)],
            [t("waiver"), self.money(-terms.waiver)],
            [t("discount"), self.money(-terms.discount)],
            [t("total"), self.money(terms.total)],
        ]
        return self._grid(
            rows,
            [70 * mm, 40 * mm],
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, 4), (-1, 4), 0.6, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, -1), (-1, -1), LIGHT),
            ],
            right=(1,),
        )

    def _plan(self) -> Flowable:
        t, terms = self.texts.text, self.terms
        rows = [[t("kind"), t(f"kind_{terms.kind}") if terms.kind in KINDS else terms.kind]]
        if terms.kind == "instalments":
            if terms.frequency:
                rows.append([t("frequency"), t(f"frequency_{terms.frequency}")])
            rows.append([t("instalments"), t("instalment_count", count=len(terms.lines))])
            rows.append([t("down_payment"), self.money(terms.down_payment)])
        rows.append([t("total"), self.money(terms.total)])
        return self._grid(rows, [70 * mm, 40 * mm], [("BACKGROUND", (0, -1), (-1, -1), LIGHT)])

    def _schedule(self) -> Flowable:
        t, terms = self.texts.text, self.terms
        rows: list[list[str]] = [[t("column_seq"), t("column_due_date"), t("column_amount")]]
        if terms.down_payment:
            rows.append(
                [t("down_payment_row"), t("down_payment_due"), self.money(terms.down_payment)]
            )
        rows.extend(
            [str(line.seq), self.day(line.due_date), self.money(line.amount)]
            for line in terms.lines
        )
        rows.append([t("schedule_total"), "", self.money(terms.total)])
        # Any amount below 10^12, after ¥, $, £, HK$ or a three-letter code, fits on one line.
        return self._grid(
            rows,
            [30 * mm, 50 * mm, 40 * mm],
            [
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, -1), (-1, -1), LIGHT),
            ],
            right=(2,),
            repeatRows=1,
            longTableOptimize=True,
        )

    def _channels(self) -> Flowable:
        label, detail = 45 * mm, WIDTH - 45 * mm
        rows = [[name, text] for name, text in self.document.payment_channels]
        if not rows:
            return Spacer(1, 0)
        return self._grid(rows, [label, detail])

    def _clauses(self, clauses: tuple[str, ...]) -> list[Flowable]:
        style = self.styles.clause
        return [
            Text(escape(clause), style, bulletText=f"{number}.")
            for number, clause in enumerate(clauses, start=1)
        ]

    def _signatures(self) -> Flowable:
        t, s = self.texts.text, self.styles
        gap = 12 * mm
        half = (WIDTH - gap) / 2
        label = ParagraphStyle("signature", parent=s.cell, fontSize=9.5, leading=12)
        date_line = fit(t("sign_date"), half, label)
        rows = [
            [fit(t("sign_borrower"), half, label), "", fit(t("sign_lender"), half, label)],
            ["", "", ""],
            [para(self.terms.borrower_name, s.small), "", para(self.document.lender_name, s.small)],
            [date_line, "", date_line],
        ]
        # Rows at least this high; a long name or a wrapped label makes its row taller.
        table = Grid(
            rows, colWidths=[half, gap, half], minRowHeights=[14, 30, 14, 26], hAlign="LEFT"
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                    ("LEADING", (0, 0), (-1, -1), 12),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("LINEBELOW", (0, 1), (0, 1), 0.6, colors.black),
                    ("LINEBELOW", (2, 1), (2, 1), 0.6, colors.black),
                    ("LINEBELOW", (0, 3), (0, 3), 0.6, colors.black),
                    ("LINEBELOW", (2, 3), (2, 3), 0.6, colors.black),
                ]
            )
        )
        return KeepTogether([para(t("signature_heading"), s.heading), table])

    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        """The agreement number and the digest, wrapping downwards left of "page X of Y"."""
        text = self.texts.text("footer", agreement_no=self.terms.agreement_no, digest=self.digest)
        # The first line sits where it always did; three lines fit above FOOT_BOTTOM, room for
        # an agreement number of about 250 Latin characters (the database holds 40).
        self.foot.draw(canvas, para(text, self.styles.tiny), page, pages)


# ---------------------------------------------------------------- reading back


def read_agreement(data: bytes) -> AgreementReadBack:
    """What an agreement PDF carries, and whether it agrees with itself; never raises, and
    says what is wrong with a file in its answer, not in the PDF library's warnings."""
    # A PDF starts with its header (within its first kilobyte, the format allows).
    if b"%PDF-" not in data[:1024]:
        return _unreadable("The file is not a PDF.")
    library = logging.getLogger("pypdf")
    level = library.level
    library.setLevel(logging.CRITICAL)
    try:
        return _read_agreement(data)
    finally:
        library.setLevel(level)


def _read_agreement(data: bytes) -> AgreementReadBack:
    try:
        reader = PdfReader(BytesIO(data))
        attachments = reader.attachments
        embedded = attachments[TERMS_FILE][0] if TERMS_FILE in attachments else None
        metadata = reader.metadata
        subject = str(metadata.subject) if metadata and metadata.subject else None
        keywords = str(metadata.get("/Keywords", "")) if metadata else ""
        language = str(reader.root_object.get("/Lang", ""))
        page_text = "".join(page.extract_text() or "" for page in reader.pages)
    # pypdf raises a variety of errors on a damaged file (its own, ValueError, KeyError,
    # struct.error, zlib.error...); a file that cannot be read is an answer, not a crash.
    except Exception as error:
        return _unreadable(f"The file is not a readable PDF ({type(error).__name__}: {error}).")
    if embedded is None:
        return _unreadable(
            "The file carries no agreement terms: it is not an agreement this application made."
        )

    problems: list[str] = []
    found = _DIGEST_KEYWORD.search(keywords)
    claimed = found.group(1) if found else None
    if claimed is None:
        problems.append("The document carries no SHA-256 of its terms.")
    try:
        terms: AgreementTerms | None = parse_terms(embedded)
    except ValueError as error:
        terms = None
        problems.append(f"The embedded terms cannot be read: {error}.")
    if terms is None:
        return AgreementReadBack(subject, None, claimed, None, tuple(problems))

    computed = terms_digest(terms)
    if claimed is not None and computed != claimed:
        problems.append(
            f"The embedded terms do not match the SHA-256 the document carries "
            f"(carried {claimed}, the terms give {computed})."
        )
    if subject != terms.agreement_no:
        problems.append(
            f"The document's subject {subject!r} is not the agreement number "
            f"{terms.agreement_no!r} of its terms."
        )
    problems.extend(sum_problems(terms))
    problems.extend(_visible_problems(terms, claimed, page_text, language))
    return AgreementReadBack(terms.agreement_no, terms, claimed, computed, tuple(problems))


def _unreadable(problem: str) -> AgreementReadBack:
    return AgreementReadBack(None, None, None, None, (problem,))


def _squash(text: str) -> str:
    # Text extraction breaks lines and spaces where the layout put them; compare without.
    return re.sub(r"\s+", "", text)


def _visible_problems(
    terms: AgreementTerms, claimed: str | None, page_text: str, pdf_language: str
) -> list[str]:
    """What the terms say that the visible pages do not show."""
    shown = _squash(page_text)
    languages = [lang for lang, code in PDF_LANGUAGE.items() if code == pdf_language]
    results = [
        _visible_problems_in(terms, claimed, shown, lang) for lang in languages or PDF_LANGUAGE
    ]
    # A document of unknown language is fine if it reads right in either.
    return min(results, key=len)


def _visible_problems_in(
    terms: AgreementTerms, claimed: str | None, shown: str, language: str
) -> list[str]:
    texts = document_texts("agreement", language)
    money = terms.currency
    problems = []
    if _squash(terms.agreement_no) not in shown:
        problems.append(f"The pages do not show the agreement number {terms.agreement_no}.")
    if claimed is not None and claimed not in shown:
        problems.append("The pages do not show the SHA-256 the document carries.")
    total = format_money(terms.total, money)
    if _squash(texts.text("schedule_total") + total) not in shown:
        problems.append(f"The payment schedule does not show the total {total}.")
    # Rows in order, each found after the one before, so a changed amount cannot hide behind
    # an equal amount elsewhere.
    rows: list[tuple[str, str]] = []
    if terms.down_payment:
        label = texts.text("down_payment_row") + texts.text("down_payment_due")
        rows.append(
            (
                _squash(label + format_money(terms.down_payment, money)),
                f"The payment schedule does not show the down payment of "
                f"{format_money(terms.down_payment, money)}.",
            )
        )
    for line in terms.lines:
        amount = format_money(line.amount, money)
        due = format_day(line.due_date, language)
        rows.append(
            (
                _squash(f"{line.seq}{due}{amount}"),
                f"The payment schedule does not show payment {line.seq} of {amount} due {due}.",
            )
        )
    position = 0
    for expected, problem in rows:
        found = shown.find(expected, position)
        if found < 0:
            problems.append(problem)
        else:
            position = found + len(expected)
    return problems
