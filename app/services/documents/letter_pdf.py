"""Letters to a borrower, as PDFs: the demand letter (催收函) and the credit-reporting notice
(不良信息报送告知书, docs/domain.md §4, §9).

`render_letter` is a pure function of a `Letter`: the lender's header, the letter's number and
date, the addressee and their postal address, the account (masked ID number, contract, days
past due), the overdue amounts as of a day, the kind's own paragraphs, the payment channels
with a QR code of the payment link, the lender's and the regulator's complaint channels, and on
every page's foot the letter number, the SHA-256 of what the letter states (`letter_digest`)
and the page numbers. Every text is data (`resources/documents/letters/`), reviewed wording in
Simplified Chinese and English.

What a borrower record holds is printed as it reads, less the characters that would hide or
turn text around on the page (controls, bidirectional overrides, zero-width marks: `printable`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from pypdf import PdfWriter
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle

from app.services.common.money import ZERO, cents, format_money
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import (
    FRAME_PADDING,
    LIGHT,
    DocumentTexts,
    Grid,
    Layout,
    PageFoot,
    Placed,
    Styles,
    a4_document,
    document_language,
    document_texts,
    format_day,
    frame_box,
    grid,
    numbered_canvas,
    para,
    styles,
)

# The kinds of letter, each with its texts in resources/documents/letters/<kind>.json.
LETTER_KINDS = ("demand", "credit_notice")
COMMON = "letters/common"
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
QR_SIZE = 30 * mm
# Between blocks set side by side.
SIDE_GAP = 6 * mm
# What a page cannot show: a control (a line break or tab in a name, a terminal's escape) reads
# as a space; a format mark (bidirectional overrides, zero-width spaces), a private-use or a
# broken character is dropped.
_AS_SPACE = frozenset({"Cc", "Zl", "Zp"})
_DROPPED = frozenset({"Cf", "Co", "Cs"})


def printable(text: str) -> str:
    """`text` on one line as a page can show it: controls as blanks, bidirectional overrides,
    zero-width marks and broken characters dropped, runs of blanks as one space."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in _AS_SPACE:
            kept.append(" ")
        elif category not in _DROPPED:
            kept.append(char)
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class LetterAmounts:
    """What is overdue on `as_of` (docs/domain.md §2, overdue amount), to the cent."""

    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.fees


@dataclass(frozen=True)
class Letter:
    """Everything a letter prints.

    kind: "demand" or "credit_notice"; language: "zh_CN" or "en"; borrower_id_printed: the
    masked ID number (documents never print the full one by default); postal_address: where
    the letter goes, on one line; payment_channels: (label, detail) pairs already in
    `language`; payment_link: the web address the QR code carries; regulator: the name of the
    regulator's complaint hotline in `language`; reporting_from: for a credit-reporting notice,
    the first day adverse information may be reported; font: None finds one with `cjk_font()`.
    """

    kind: str
    language: str
    letter_no: str
    letter_date: date
    as_of: date
    lender_name: str
    lender_address: str
    lender_registration_no: str
    lender_service_number: str
    borrower_name: str
    borrower_id_printed: str
    postal_address: str
    contract_no: str
    currency: str
    amounts: LetterAmounts
    dpd: int
    oldest_due: date | None
    payment_channels: tuple[tuple[str, str], ...]
    payment_link: str
    complaint_phone: str
    complaint_email: str
    regulator: str
    regulator_hotline: str
    reporting_from: date | None = None
    font: CJKFont | None = None


def _amount(value: Decimal) -> str:
    rounded = cents(value)
    return f"{rounded if rounded else ZERO:f}"


def letter_facts(letter: Letter) -> bytes:
    """What the letter states, as deterministic UTF-8 JSON (sorted keys, amounts as "12.50"):
    what its SHA-256 (`letter_digest`) covers."""
    data: dict[str, Any] = {
        "kind": letter.kind,
        "language": document_language(letter.language),
        "letter_no": letter.letter_no,
        "letter_date": letter.letter_date.isoformat(),
        "as_of": letter.as_of.isoformat(),
        "contract_no": letter.contract_no,
        "borrower_name": printable(letter.borrower_name),
        "borrower_id": letter.borrower_id_printed,
        "postal_address": printable(letter.postal_address),
        "currency": letter.currency,
        "overdue_principal": _amount(letter.amounts.principal),
        "overdue_interest": _amount(letter.amounts.interest),
        "overdue_penalty": _amount(letter.amounts.penalty),
        "overdue_fees": _amount(letter.amounts.fees),
        "total_due": _amount(letter.amounts.total),
        "dpd": letter.dpd,
        "payment_link": letter.payment_link,
        "reporting_from": letter.reporting_from.isoformat() if letter.reporting_from else None,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def letter_digest(letter: Letter) -> str:
    """The SHA-256 (hex) of `letter_facts`, printed at the foot of every page."""
    return hashlib.sha256(letter_facts(letter)).hexdigest()


def render_letter(letter: Letter, *, layout: list[Placed] | None = None) -> bytes:
    """The letter as PDF bytes, every font embedded.

    layout: when given, receives every block of text the pages show and the box it was given.
    """
    if letter.kind not in LETTER_KINDS:
        raise ValueError(f"unknown kind of letter {letter.kind!r}")
    font = letter.font or cjk_font()
    language = document_language(letter.language)
    common = document_texts(COMMON, language)
    own = document_texts(f"letters/{letter.kind}", language)
    digest = letter_digest(letter)
    page = _LetterPage(letter, common, own, font, digest)

    buffer = BytesIO()
    template = a4_document(
        buffer,
        margin=MARGIN,
        top=14 * mm,
        bottom=22 * mm,
        font=font,
        language=language,
        title=f"{own.text('title')} {letter.letter_no}",
        author=letter.lender_name,
        subject=letter.letter_no,
        keywords=f"{own.text('keywords')}, {letter.letter_no}, sha256:{digest}",
    )
    frame = frame_box(template.leftMargin, template.bottomMargin, template.width, template.height)
    template.build(page.story(), canvasmaker=numbered_canvas(page.footer, Layout(frame, layout)))
    return buffer.getvalue()


def combine(documents: Sequence[bytes]) -> bytes:
    """Several PDFs as one, in order, for printing a batch in one go (each letter keeps its
    own page numbers)."""
    writer = PdfWriter()
    for data in documents:
        writer.append(BytesIO(data))
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class _LetterPage:
    """The flowables and the footer of one letter."""

    def __init__(
        self,
        letter: Letter,
        common: DocumentTexts,
        own: DocumentTexts,
        font: CJKFont,
        digest: str,
    ) -> None:
        self.letter = letter
        self.common = common
        self.own = own
        self.font = font
        self.digest = digest
        self.styles: Styles = styles(font.name)
        self.language = common.language
        self.foot = PageFoot(common, font.name, left=MARGIN, right=A4[0] - MARGIN, y=14 * mm)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self.letter.currency)

    def day(self, value: date) -> str:
        return format_day(value, self.language)

    def values(self) -> dict[str, object]:
        letter = self.letter
        return {
            "lender": letter.lender_name,
            "contract_no": letter.contract_no,
            "dpd": letter.dpd,
            "as_of": self.day(letter.as_of),
            "service_number": letter.lender_service_number,
            "reporting_from": self.day(letter.reporting_from) if letter.reporting_from else "",
            "complaint_phone": letter.complaint_phone,
            "complaint_email": letter.complaint_email,
            "regulator": letter.regulator,
            "regulator_hotline": letter.regulator_hotline,
        }

    def story(self) -> list[Flowable]:
        c, s = self.common.text, self.styles
        values = self.values()
        title = ParagraphStyle("letter_title", parent=s.title, alignment=TA_CENTER)
        # A section's heading closer to the text before it than in an agreement's clauses.
        heading = ParagraphStyle("letter_heading", parent=s.heading, spaceBefore=4)
        # The spaces are as small as reads well: a letter is one page (the longest, the English
        # credit-reporting notice with the lender's three payment channels, just fits).
        story: list[Flowable] = [
            self._header(),
            Spacer(1, 2 * mm),
            self._recipient(),
            Spacer(1, 2 * mm),
            para(self.own.text("title"), title),
            para(c("salutation", name=printable(self.letter.borrower_name)), s.body),
        ]
        story.extend(para(line, s.body) for line in self.own.lines("body_before", **values))
        story.extend(
            [
                self._facts(values),
                para(c("amounts_note", as_of=values["as_of"]), s.small),
                Spacer(1, 1 * mm),
            ]
        )
        story.extend(para(line, s.body) for line in self.own.lines("body_after", **values))
        story.append(
            KeepTogether(
                [
                    para(c("channels_heading"), heading),
                    para(c("channels_intro"), s.body),
                    self._payment(),
                    para(c("link_line", link=self.letter.payment_link), s.small),
                ]
            )
        )
        story.append(
            KeepTogether(
                [
                    para(c("complaints_heading"), heading),
                    para(c("complaints_text", **values), s.body),
                ]
            )
        )
        story.append(self._signature())
        return story

    def _grid(
        self,
        rows: list[list[Any]],
        widths: list[float],
        extra: Sequence[tuple[Any, ...]] = (),
        *,
        right: Sequence[int] = (),
    ) -> Grid:
        return grid(rows, widths, self.styles, self.font, extra, right=right)

    def _bare(self, rows: list[list[Any]], widths: list[float], valign: str = "TOP") -> Grid:
        """A table without rules or padding at its sides: blocks set side by side."""
        table = Grid(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("VALIGN", (0, 0), (-1, -1), valign),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return table

    def _header(self) -> Flowable:
        c, s, letter = self.common.text, self.styles, self.letter
        none = c("not_applicable")
        lender = [
            para(letter.lender_name, s.subtitle),
            para(letter.lender_address or none, s.small),
            para(
                c("registration_line", registration_no=letter.lender_registration_no or none),
                s.small,
            ),
            para(c("service_line", service_number=letter.lender_service_number), s.small),
        ]
        numbers = [
            para(c("letter_no_line", letter_no=letter.letter_no), s.cell),
            para(c("date_line", date=self.day(letter.letter_date)), s.cell),
        ]
        side = 62 * mm
        gap = 6 * mm
        table = self._bare([[lender, "", numbers]], [WIDTH - side - gap, gap, side])
        table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.8, colors.black)]))
        return table

    def _recipient(self) -> Flowable:
        c, letter = self.common.text, self.letter
        label = 28 * mm
        rows = [
            [c("recipient_label"), printable(letter.borrower_name)],
            [c("address_label"), printable(letter.postal_address)],
        ]
        return self._grid(rows, [label, WIDTH - label])

    def _facts(self, values: dict[str, object]) -> Flowable:
        """The account and what is overdue on it, side by side under their headings."""
        c, s = self.common.text, self.styles
        half = (WIDTH - SIDE_GAP) / 2
        account = [para(c("account_heading"), s.heading), self._account(half)]
        amounts = [
            para(c("amounts_heading", as_of=values["as_of"]), s.heading),
            self._amounts(half),
        ]
        return self._bare([[account, "", amounts]], [half, SIDE_GAP, half])

    def _account(self, width: float) -> Flowable:
        c, letter = self.common.text, self.letter
        label = 34 * mm
        rows = [
            [c("id_number"), letter.borrower_id_printed],
            [c("contract_no"), letter.contract_no],
            [c("days_past_due"), c("days_value", dpd=letter.dpd)],
            [
                c("oldest_due"),
                self.day(letter.oldest_due) if letter.oldest_due else c("not_applicable"),
            ],
        ]
        return self._grid(rows, [label, width - label])

    def _amounts(self, width: float) -> Flowable:
        c, amounts = self.common.text, self.letter.amounts
        rows = [
            [c("overdue_principal"), self.money(amounts.principal)],
            [c("overdue_interest"), self.money(amounts.interest)],
            [c("overdue_penalty"), self.money(amounts.penalty)],
            [c("overdue_fees"), self.money(amounts.fees)],
            [c("total_due"), self.money(amounts.total)],
        ]
        # Any amount below 10^12, after ¥, $, £, HK$ or a three-letter code, fits on one line.
        money = 38 * mm
        return self._grid(
            rows,
            [width - money, money],
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, -1), (-1, -1), LIGHT),
            ],
            right=(1,),
        )

    def _payment(self) -> Flowable:
        """The payment channels, and beside them the QR code of the payment link."""
        c, s = self.common.text, self.styles
        width = WIDTH - QR_SIZE - SIDE_GAP
        label = 34 * mm
        rows = [[printable(name), printable(text)] for name, text in self.letter.payment_channels]
        channels: Flowable = self._grid(rows, [label, width - label]) if rows else Spacer(1, 0)
        caption = ParagraphStyle("qr_caption", parent=s.small, alignment=TA_CENTER)
        code = QrCode(self.letter.payment_link, width=QR_SIZE, height=QR_SIZE, qrLevel="M")
        return self._bare(
            [[channels, "", [code, para(c("qr_caption"), caption)]]],
            [width, SIDE_GAP, QR_SIZE],
        )

    def _signature(self) -> Flowable:
        c, s, letter = self.common.text, self.styles, self.letter
        side = 80 * mm
        block = [
            para(self.own.text("closing"), s.body),
            Spacer(1, 1.5 * mm),
            para(letter.lender_name, s.body),
            para(c("signature_date", date=self.day(letter.letter_date)), s.body),
        ]
        return KeepTogether([Spacer(1, 1 * mm), self._bare([["", block]], [WIDTH - side, side])])

    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        """The privacy line, the letter number and the digest, wrapping downwards left of
        "page X of Y"."""
        c = self.common.text
        text = f"{c('privacy')} {c('footer', letter_no=self.letter.letter_no, digest=self.digest)}"
        self.foot.draw(canvas, para(text, self.styles.tiny), page, pages)
