"""A field agent's printed day of home visits (docs/domain.md §1, §4, §9), as one PDF.

The agent prints it the evening before and works without a network, so the sheets carry what
a visit needs: an itinerary page (the route, the agents, the hours, the home-visit rules), then
one page per stop with the borrower, the contact points, the loan, the last contacts, open
promises and plans, talking points, tick boxes for the outcome and the borrower's emotion,
lines for notes and the signatures of both agents and the borrower. Every page's foot repeats
the rules in short, says the sheet holds personal data, and numbers the page.

`render_visit_sheets` is a pure function of a `VisitDay`; each stop's page is a plain list of
flowables, shrunk to fit when a stop has unusually much to say, so one stop is one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
    LongTable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.services.common.money import format_money
from app.services.documents.fonts import CJKFont, cjk_font
from app.services.documents.layout import (
    FRAME_PADDING,
    GREY,
    LIGHT,
    RULE,
    DocumentTexts,
    Styles,
    a4_document,
    document_language,
    document_texts,
    fit,
    format_day,
    format_moment,
    grid_style,
    numbered_canvas,
    para,
    styles,
)

MARGIN = 15 * mm
TOP_MARGIN = 14 * mm
# The foot of every page: the rules in short above the privacy line and the page numbers.
FOOTER_BASE = 11 * mm
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
# Longer notes of past contacts are cut: the sheet is a reminder, the full note is in the app.
NOTE_LENGTH = 90
NOTE_LINES = 4
TICKS_PER_ROW = 4
TICK_SIDE = 3.2 * mm


@dataclass(frozen=True)
class SheetContact:
    """One past contact; outcome is a label already in the sheet's language."""

    when: datetime
    channel: str
    outcome: str
    notes: str


@dataclass(frozen=True)
class SheetPoint:
    """A contact point: kind label, formatted number, whose it is (borrower / relation+name)."""

    kind: str
    number: str
    name: str


@dataclass(frozen=True)
class SheetStop:
    """One visit. last_contacts: at most five, newest first; open_promises, open_plans and
    talking_points: lines already formatted; reason: why the visit (the lead's or a rule's)."""

    seq: int
    district: str
    address: str
    borrower_name: str
    borrower_id_masked: str
    contract_no: str
    product: str
    currency: str
    dpd: int
    bucket: str
    overdue: Decimal
    owed: Decimal
    points: tuple[SheetPoint, ...]
    last_contacts: tuple[SheetContact, ...]
    open_promises: tuple[str, ...]
    open_plans: tuple[str, ...]
    talking_points: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class VisitDay:
    """A field agent's day. rules: the profile's home-visit rules (itinerary and every page);
    outcomes and emotions: labels for the tick boxes; zone: the IANA zone times are shown in;
    stops: in route order; font: None finds one with `cjk_font()`."""

    language: str
    day: date
    agent: str
    second_agent: str | None
    team: str
    visit_hours: str
    rules: tuple[str, ...]
    outcomes: tuple[str, ...]
    emotions: tuple[str, ...]
    zone: str
    stops: tuple[SheetStop, ...]
    font: CJKFont | None = None


def render_visit_sheets(day: VisitDay) -> bytes:
    """The itinerary and one page per stop, as PDF bytes with every font embedded."""
    font = day.font or cjk_font()
    language = document_language(day.language)
    texts = document_texts("visit_sheet", language)
    sheets = _Sheets(day, texts, font)

    buffer = BytesIO()
    template = a4_document(
        buffer,
        margin=MARGIN,
        top=TOP_MARGIN,
        bottom=sheets.footer_height,
        font=font,
        language=language,
        title=texts.text("document_title", day=format_day(day.day, language)),
        author=day.agent,
        subject=texts.text("title"),
        keywords=texts.text("keywords"),
    )
    template.build(sheets.story(), canvasmaker=numbered_canvas(sheets.footer))
    return buffer.getvalue()


class _Sheets:
    def __init__(self, day: VisitDay, texts: DocumentTexts, font: CJKFont) -> None:
        self.day = day
        self.texts = texts
        self.font = font
        self.language = texts.language
        self.styles: Styles = styles(font.name)
        self.zone = ZoneInfo(day.zone)
        self.agents = " / ".join(name for name in (day.agent, day.second_agent) if name)
        self.date = format_day(day.day, self.language)
        self.tick = _TickBox(TICK_SIDE)
        rules = texts.text("rules_separator").join(day.rules)
        self.rules_short = para(texts.text("rules_short", rules=rules), self.styles.tiny)
        self.rules_height = self.rules_short.wrap(A4[0] - 2 * MARGIN, A4[1])[1]
        self.footer_height = FOOTER_BASE + self.rules_height + 4 * mm
        self.frame_height = A4[1] - TOP_MARGIN - self.footer_height - 2 * FRAME_PADDING

    # ------------------------------------------------------------ the document

    def story(self) -> list[Flowable]:
        story = self.itinerary()
        for stop in self.day.stops:
            story.append(PageBreak())
            # Shrinks a stop with unusually much to say, so that one stop stays one page.
            story.append(KeepInFrame(WIDTH, self.frame_height, self.stop_page(stop), mode="shrink"))
        return story

    def footer(self, canvas: Canvas, page: int, pages: int) -> None:
        t = self.texts.text
        width = A4[0]
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        rule_at = FOOTER_BASE + self.rules_height + 2
        canvas.line(MARGIN, rule_at, width - MARGIN, rule_at)
        self.rules_short.drawOn(canvas, MARGIN, FOOTER_BASE)
        canvas.setFillColor(GREY)
        canvas.setFont(self.font.name, 6.5)
        canvas.drawString(MARGIN, 7 * mm, t("confidential"))
        canvas.setFont(self.font.name, 8)
        canvas.drawString(MARGIN, 3.5 * mm, t("footer", day=self.date, agents=self.agents))
        canvas.drawRightString(width - MARGIN, 3.5 * mm, t("page", page=page, pages=pages))
        canvas.restoreState()

    # ------------------------------------------------------------ the itinerary

    def itinerary(self) -> list[Flowable]:
        t, s, day = self.texts.text, self.styles, self.day
        label, value = 35 * mm, WIDTH - 35 * mm
        facts = [
            [t("day"), self.date],
            [t("agent"), fit(day.agent, value, s.cell)],
            [t("second_agent"), fit(day.second_agent or t("second_agent_missing"), value, s.cell)],
            [t("team"), fit(day.team, value, s.cell)],
            [t("visit_hours"), day.visit_hours],
            [t("stops"), str(len(day.stops))],
        ]
        story: list[Flowable] = [
            para(t("title"), s.title),
            self._grid(facts, [label, value]),
            para(t("rules_heading"), s.heading),
        ]
        story.extend(
            Paragraph(escape(rule), s.clause, bulletText=f"{number}.")
            for number, rule in enumerate(day.rules, start=1)
        )
        story.append(para(t("route_heading"), s.heading))
        if not day.stops:
            story.append(para(t("no_stops"), s.body))
            return story
        widths = [9 * mm, 20 * mm, 0.0, 22 * mm, 33 * mm, 24 * mm]
        widths[2] = WIDTH - sum(widths)
        rows: list[list[Any]] = [
            [
                t("column_seq"),
                t("column_district"),
                t("column_address"),
                t("column_borrower"),
                t("column_contract"),
                t("column_overdue"),
            ]
        ]
        rows.extend(
            [
                str(stop.seq),
                fit(stop.district, widths[1], s.cell),
                fit(stop.address, widths[2], s.cell),
                fit(stop.borrower_name, widths[3], s.cell),
                stop.contract_no,
                format_money(stop.overdue, stop.currency),
            ]
            for stop in day.stops
        )
        table = LongTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *grid_style(self.font),
                    ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                    ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                ]
            )
        )
        story.append(table)
        return story

    # ------------------------------------------------------------ one stop

    def stop_page(self, stop: SheetStop) -> list[Flowable]:
        """The flowables of one stop's page, top to bottom."""
        t, s = self.texts.text, self.styles
        return [
            self._heading(stop),
            Spacer(1, 2 * mm),
            self._account(stop),
            para(t("contacts_heading"), s.section),
            self._points(stop),
            para(t("history_heading"), s.section),
            self._history(stop),
            self._open_items(stop),
            para(t("talking_points_heading"), s.section),
            *self._bullets(stop.talking_points),
            Spacer(1, 2 * mm),
            self._ticks(),
            para(t("notes_heading"), s.section),
            self._note_lines(),
            Spacer(1, 2 * mm),
            self._signatures(),
        ]

    def _grid(
        self,
        rows: list[list[Any]],
        widths: list[float],
        extra: Sequence[tuple[Any, ...]] = (),
    ) -> Table:
        table = Table(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(TableStyle([*grid_style(self.font), *extra]))
        return table

    def _heading(self, stop: SheetStop) -> Flowable:
        t, s = self.texts.text, self.styles
        title = f"{t('sheet_title')} · {t('stop_line', seq=stop.seq, count=len(self.day.stops))}"
        table = Table(
            [
                [
                    para(title, s.subtitle),
                    Paragraph(f"{escape(self.date)}<br/>{escape(self.agents)}", s.cell_right),
                ]
            ],
            colWidths=[WIDTH * 0.6, WIDTH * 0.4],
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.8, colors.black),
                ]
            )
        )
        return table

    def _account(self, stop: SheetStop) -> Flowable:
        """Who and what: the borrower and the loan in one table, address and reason in full."""
        t, cell = self.texts.text, self.styles.cell
        label, value = 24 * mm, WIDTH / 2 - 24 * mm
        wide = WIDTH - label
        money = stop.currency
        rows = [
            [
                t("borrower"),
                fit(stop.borrower_name, value, cell),
                t("contract_no"),
                stop.contract_no,
            ],
            [t("id_number"), stop.borrower_id_masked, t("product"), fit(stop.product, value, cell)],
            [
                t("dpd"),
                t("dpd_value", dpd=stop.dpd, bucket=stop.bucket),
                t("overdue"),
                format_money(stop.overdue, money),
            ],
            ["", "", t("owed"), format_money(stop.owed, money)],
            [t("address"), fit(f"{stop.district} {stop.address}".strip(), wide, cell), "", ""],
            [t("reason"), fit(stop.reason, wide, cell), "", ""],
        ]
        return self._grid(
            rows,
            [label, value, label, value],
            [("SPAN", (1, 4), (3, 4)), ("SPAN", (1, 5), (3, 5))],
        )

    def _points(self, stop: SheetStop) -> Flowable:
        t, cell = self.texts.text, self.styles.cell
        if not stop.points:
            return para(t("none"), self.styles.body)
        widths = [30 * mm, 50 * mm, WIDTH - 80 * mm]
        rows: list[list[Any]] = [[t("column_kind"), t("column_number"), t("column_who")]]
        rows.extend(
            [fit(point.kind, widths[0], cell), point.number, fit(point.name, widths[2], cell)]
            for point in stop.points
        )
        return self._grid(rows, widths, [("BACKGROUND", (0, 0), (-1, 0), LIGHT)])

    def _history(self, stop: SheetStop) -> Flowable:
        t, cell = self.texts.text, self.styles.cell
        if not stop.last_contacts:
            return para(t("none"), self.styles.body)
        widths = [34 * mm, 18 * mm, 30 * mm, WIDTH - 82 * mm]
        rows: list[list[Any]] = [
            [t("column_when"), t("column_channel"), t("column_outcome"), t("column_notes")]
        ]
        rows.extend(
            [
                format_moment(contact.when.astimezone(self.zone), self.language),
                fit(contact.channel, widths[1], cell),
                fit(contact.outcome, widths[2], cell),
                fit(_cut(contact.notes, NOTE_LENGTH), widths[3], cell),
            ]
            for contact in stop.last_contacts[:5]
        )
        return self._grid(rows, widths, [("BACKGROUND", (0, 0), (-1, 0), LIGHT)])

    def _open_items(self, stop: SheetStop) -> Flowable:
        t, s = self.texts.text, self.styles
        half = WIDTH / 2

        def column(heading: str, lines: tuple[str, ...]) -> list[Flowable]:
            return [para(t(heading), s.section), *self._bullets(lines)]

        table = Table(
            [
                [
                    column("promises_heading", stop.open_promises),
                    column("plans_heading", stop.open_plans),
                ]
            ],
            colWidths=[half, half],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        return table

    def _bullets(self, lines: Sequence[str]) -> list[Flowable]:
        if not lines:
            return [para(self.texts.text("none"), self.styles.body)]
        return [Paragraph(escape(line), self.styles.clause, bulletText="•") for line in lines]

    def _ticks(self) -> Flowable:
        """Boxes to tick: the visit's outcome and the borrower's emotion, TICKS_PER_ROW a row."""
        t, cell = self.texts.text, self.styles.cell
        label = 26 * mm
        each = (WIDTH - label) / TICKS_PER_ROW
        box = TICK_SIDE + 2 * mm
        rows: list[list[Any]] = []
        spans: list[tuple[Any, ...]] = []
        for heading, labels in (
            (t("outcome_heading"), self.day.outcomes),
            (t("emotion_heading"), self.day.emotions),
        ):
            first = len(rows)
            for start in range(0, max(len(labels), 1), TICKS_PER_ROW):
                row: list[Any] = [fit(heading, label, cell) if start == 0 else ""]
                for name in labels[start : start + TICKS_PER_ROW]:
                    row.extend([self.tick, fit(name, each - box, cell)])
                row.extend([""] * (1 + 2 * TICKS_PER_ROW - len(row)))
                rows.append(row)
            spans.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.25, RULE))
            if len(rows) - first > 1:
                spans.append(("SPAN", (0, first), (0, len(rows) - 1)))
        table = Table(rows, colWidths=[label] + [box, each - box] * TICKS_PER_ROW, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *grid_style(self.font),
                    ("LINEBELOW", (0, 0), (-1, -1), 0, colors.white),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("VALIGN", (0, 0), (0, -1), "TOP"),
                    ("LEFTPADDING", (1, 0), (-1, -1), 1),
                    *spans,
                ]
            )
        )
        return table

    def _note_lines(self) -> Flowable:
        t = self.texts.text
        third = WIDTH / 3
        rows = [[t("arrived"), "", t("left"), ""]]
        rows.extend([["", "", "", ""] for _ in range(NOTE_LINES)])
        table = Table(rows, colWidths=[third * 0.5, third, third * 0.5, third], rowHeights=18)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("LINEBELOW", (1, 0), (1, 0), 0.4, RULE),
                    ("LINEBELOW", (3, 0), (3, 0), 0.4, RULE),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ]
            )
        )
        return table

    def _signatures(self) -> Flowable:
        t = self.texts.text
        gap = 8 * mm
        width = (WIDTH - 2 * gap) / 3
        rows = [
            ["", "", "", "", ""],
            [t("sign_agent"), "", t("sign_second_agent"), "", t("sign_borrower")],
            [self.day.agent, "", self.day.second_agent or "", "", ""],
        ]
        table = Table(rows, colWidths=[width, gap, width, gap, width], rowHeights=[24, 13, 11])
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font.name),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("FONTSIZE", (0, 2), (-1, 2), 7.5),
                    ("TEXTCOLOR", (0, 2), (-1, 2), GREY),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (0, 0), 0.6, colors.black),
                    ("LINEBELOW", (2, 0), (2, 0), 0.6, colors.black),
                    ("LINEBELOW", (4, 0), (4, 0), 0.6, colors.black),
                ]
            )
        )
        return table


class _TickBox(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """An empty square to tick by hand.

    Drawn on the canvas, so it needs no glyph from the font (and, unlike a graphics Drawing,
    names no Helvetica that the PDF would not embed).
    """

    def __init__(self, side: float) -> None:
        super().__init__()
        self.width = self.height = side

    def draw(self) -> None:
        self.canv.setLineWidth(0.7)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


def _cut(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
