"""The referral package as a PDF in one language: the cover sheet, then each table of the
package under its heading (the same rows as its CSV file), every font embedded.

Texts are data (`resources/documents/legal_package.json`); what the records hold (names,
addresses, codes, amounts) prints as it reads, less what would hide text on a page
(`letter_pdf.printable`).
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Spacer, TableStyle

from app.services.common.clock import business_zone
from app.services.common.money import format_money
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import (
    CELL_PADDING,
    FRAME_PADDING,
    LIGHT,
    DocumentTexts,
    Grid,
    Layout,
    PageFoot,
    Placed,
    a4_document,
    document_texts,
    format_day,
    format_moment,
    frame_box,
    grid,
    grid_style,
    numbered_canvas,
    para,
    styles,
)
from app.services.documents.letter_pdf import printable
from app.services.legal.export_tables import Section
from app.services.legal.package_content import PackageContent

TEXTS = "legal_package"
_PART = re.compile(r"\b(fees|penalty|interest|principal)\b")
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
# Tables of many columns are set smaller than a letter's.
TABLE_SIZE = 7
# The widest a table's column is set before it wraps.
MAX_COLUMN = 70 * mm
# Cover facts: label column width.
LABEL = 50 * mm


def render_package(
    content: PackageContent, language: str, *, layout: list[Placed] | None = None
) -> bytes:
    """The package's PDF in `language` ("zh_CN" or "en").

    layout: when given, receives every block of text the pages show and the box it was given.
    """
    font = cjk_font()
    texts = document_texts(TEXTS, language)
    page = _Pages(content, texts, font)
    buffer = BytesIO()
    template = a4_document(
        buffer,
        margin=MARGIN,
        top=14 * mm,
        bottom=20 * mm,
        font=font,
        language=texts.language,
        title=f"{texts.text('title')} {content.contract_no}",
        author=content.lender[texts.language],
        subject=content.contract_no,
        keywords=f"{texts.text('title')}, {content.contract_no}",
    )
    frame = frame_box(template.leftMargin, template.bottomMargin, template.width, template.height)
    template.build(page.story(), canvasmaker=numbered_canvas(page.footer, Layout(frame, layout)))
    return buffer.getvalue()


class _Pages:
    def __init__(self, content: PackageContent, texts: DocumentTexts, font: CJKFont) -> None:
        self.content = content
        self.texts = texts
        self.known = texts.keys()
        self.font = font
        self.styles = styles(font.name)
        self.language = texts.language
        self.cell = ParagraphStyle(
            "package_cell", parent=self.styles.cell, fontSize=TABLE_SIZE, leading=TABLE_SIZE + 2
        )
        self.foot = PageFoot(texts, font.name, left=MARGIN, right=A4[0] - MARGIN, y=12 * mm)

    def t(self, key: str, **values: object) -> str:
        return self.texts.text(key, **values)

    def value(self, text: str) -> str:
        """A code in words where the texts have it, else as it reads."""
        key = f"value_{text}"
        return self.t(key) if key in self.known else printable(text)

    def story(self) -> list[Flowable]:
        content, s = self.content, self.styles
        statement = content.statement
        story: list[Flowable] = [
            para(content.lender[self.language], s.subtitle),
            para(self.t("title"), s.title),
            para(
                self.t(
                    "subtitle",
                    contract_no=content.contract_no,
                    as_of=format_day(statement.as_of, self.language),
                ),
                s.body,
            ),
            Spacer(1, 3 * mm),
            para(self.t("cover_heading"), s.heading),
            self._cover(),
            para(self.t("referral_heading"), s.heading),
            self._referral(),
            para(self.t("contents_heading"), s.heading),
        ]
        for section in content.sections:
            story.append(
                para(
                    self.t(
                        "contents_line",
                        name=self.t(f"section_{section.name}"),
                        rows=len(section.rows),
                        file=f"{section.name}.csv",
                    ),
                    s.body,
                )
            )
        story += [
            Spacer(1, 2 * mm),
            para(self.t("files_note"), s.small),
            para(self.t("zone_note", zone=business_zone().key), s.small),
            para(self.t("privacy_note"), s.small),
        ]
        for section in content.sections:
            story.append(
                PageBreak()
                if section.name in ("borrower", "schedule", "contacts")
                else Spacer(1, 3 * mm)
            )
            story.append(para(self.t(f"section_{section.name}"), s.heading))
            note = f"note_{section.name}"
            if note in self.known:
                order = "、" if self.language == "zh_CN" else ", "
                words = order.join(self.value(part) for part in statement.allocation_order)
                story.append(para(self.t(note, order=words), s.small))
            story.append(self._table(section))
        return story

    def _cover(self) -> Flowable:
        content = self.content
        balance = content.statement.balance
        currency = content.statement.currency
        books = "agrees" if content.statement.matches_books else "differs"
        rows = [
            [self.t("cover_contract"), content.contract_no],
            [self.t("cover_borrower"), printable(content.borrower_name)],
            [self.t("cover_as_of"), format_day(content.statement.as_of, self.language)],
            [
                self.t("cover_written_at"),
                format_moment(content.written_at.astimezone(business_zone()), self.language),
            ],
            [self.t("cover_written_by"), printable(content.written_by)],
            [self.t("cover_overdue"), format_money(balance.overdue, currency)],
            [self.t("cover_owed"), format_money(balance.owed, currency)],
            [self.t("cover_books"), self.value(books)],
        ]
        return grid(
            rows,
            [LABEL, WIDTH - LABEL],
            self.styles,
            self.font,
            [("BACKGROUND", (0, 5), (-1, 6), LIGHT)],
        )

    def _referral(self) -> Flowable:
        referral = self.content.referral
        if referral is None:
            return para(self.t("referral_none"), self.styles.body)
        rows = [
            [
                self.t("referral_referred_at"),
                format_moment(referral.referred_at.astimezone(business_zone()), self.language),
            ],
            [self.t("referral_referred_by"), printable(referral.referred_by)],
            [self.t("referral_reason"), printable(referral.reason)],
            [self.t("referral_firm"), printable(referral.firm)],
            [self.t("referral_case_number"), printable(referral.case_number)],
            [self.t("referral_court"), printable(referral.court)],
            [self.t("referral_stage"), self.value(referral.stage)],
        ]
        return grid(rows, [LABEL, WIDTH - LABEL], self.styles, self.font)

    def _table(self, section: Section) -> Flowable:
        if not section.rows:
            return para(self.t("empty"), self.styles.body)
        if section.columns == ("fact", "value"):
            rows = [[self._fact(code), self._cell(value)] for code, value in section.rows]
            return grid(rows, [LABEL, WIDTH - LABEL], self.styles, self.font)
        header = [para(self.t(f"col_{code}"), self.cell) for code in section.columns]
        body = [
            [
                para(self._cell(cell, code), self.cell)
                for code, cell in zip(section.columns, row, strict=True)
            ]
            for row in section.rows
        ]
        widths = _widths(section, WIDTH, self.font.name)
        table = Grid([header, *body], colWidths=widths, hAlign="LEFT", repeatRows=1)
        style: list[tuple[Any, ...]] = [
            *grid_style(self.font, TABLE_SIZE),
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ]
        table.setStyle(TableStyle(style))
        return table

    def _fact(self, code: str) -> str:
        key = f"fact_{code}"
        return self.t(key) if key in self.known else code

    def _cell(self, text: str, column: str = "") -> str:
        if text in ("yes", "no", "booked", "to_date", "agrees", "differs"):
            return self.value(text)
        if column == "applied":
            # "#4 fees 15.00; #4 penalty 17.04": the parts in words.
            return _PART.sub(lambda found: self.value(found.group(0)), text)
        return printable(text)

    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        content = self.content
        written = format_moment(content.written_at.astimezone(business_zone()), self.language)
        text = self.t("footer", contract_no=content.contract_no, written_at=written)
        self.foot.draw(canvas, para(text, self.styles.tiny), page, pages)


def _widths(section: Section, width: float, font: str) -> list[float]:
    """Each column as wide as its longest cell (and its header's longest word) asks, when they
    all fit; else the narrow ones keep their width and the wide ones share what is left."""
    natural = []
    for index, code in enumerate(section.columns):
        cells = [row[index] for row in section.rows]
        longest = max((stringWidth(cell, font, TABLE_SIZE) for cell in cells), default=0.0)
        words = max((stringWidth(w, font, TABLE_SIZE) for w in code.split("_")), default=0.0)
        natural.append(min(max(longest, words), MAX_COLUMN) + CELL_PADDING + 1)
    if sum(natural) <= width:
        spare = (width - sum(natural)) / len(natural)
        return [column + spare for column in natural]
    widths = [0.0] * len(natural)
    left, open_columns = width, sorted(range(len(natural)), key=lambda i: natural[i])
    while open_columns:
        share = left / len(open_columns)
        index = open_columns[0]
        if natural[index] > share:
            for rest in open_columns:
                widths[rest] = share
            break
        widths[index] = natural[index]
        left -= natural[index]
        open_columns.pop(0)
    return widths
