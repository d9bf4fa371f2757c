"""What the printed documents share: their texts, dates, styles and "page X of Y" footers.

The fixed texts of each document live in `resources/documents/<name>.json`, one entry per key
with an "en" and a "zh_CN" value (a string, or a list of strings for numbered clauses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from app import __version__
from app.services.common.reference import load_json
from app.services.documents.fonts import CJKFont

LANGUAGES = ("zh_CN", "en")
# platypus frames keep this much padding inside the page margins on every side.
FRAME_PADDING = 6
# Table cells' left plus right padding (`grid_style`).
CELL_PADDING = 8
CREATOR = f"Collector Workstation {__version__}"
# reportlab's catalogue /Lang, so readers (and screen readers) know the document's language.
PDF_LANGUAGE = {"zh_CN": "zh-CN", "en": "en"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GREY = colors.HexColor("#5f6368")
LIGHT = colors.HexColor("#eef1f5")
RULE = colors.HexColor("#9aa0a6")
# The foot of each page (`PageFoot`): its text stays above FOOT_BOTTOM and FOOT_GAP left of
# the page numbers, which are set in PAGE_NUMBER_SIZE.
FOOT_BOTTOM = 5 * mm
FOOT_GAP = 6
PAGE_NUMBER_SIZE = 8


def a4_document(
    buffer: Any,
    *,
    margin: float,
    top: float,
    bottom: float,
    font: CJKFont,
    language: str,
    title: str,
    author: str,
    subject: str,
    keywords: str,
) -> SimpleDocTemplate:
    """An A4 document into `buffer` with the project's metadata (creator, language) and its
    CJK font as the initial one: without it every page would name Helvetica, a font no PDF
    embeds."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author=author,
        subject=subject,
        creator=CREATOR,
        keywords=keywords,
        lang=PDF_LANGUAGE[language],
        initialFontName=font.name,
    )


def document_language(language: str) -> str:
    """ "zh_CN" or "en" (anything else reads as English, like `Localized.text`)."""
    return "zh_CN" if language == "zh_CN" else "en"


def format_day(day: date, language: str) -> str:
    """`2026年11月28日` or `28 Nov 2026`."""
    if document_language(language) == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: datetime, language: str) -> str:
    """`2026年11月28日 14:05` or `28 Nov 2026 14:05` (the caller picks the zone)."""
    return f"{format_day(moment.date(), language)} {moment:%H:%M}"


@cache
def _entries(name: str) -> Mapping[str, Any]:
    data: dict[str, Any] = load_json(f"documents/{name}.json")
    return {key: value for key, value in data.items() if not key.startswith("_")}


@dataclass(frozen=True)
class DocumentTexts:
    """The texts of one document in one language."""

    name: str
    language: str

    def keys(self) -> frozenset[str]:
        return frozenset(_entries(self.name))

    def text(self, key: str, /, **values: object) -> str:
        value = _entries(self.name)[key][self.language]
        if not isinstance(value, str):
            raise TypeError(f"documents/{self.name}.json: {key} is not one text")
        return value.format(**values) if values else value

    def lines(self, key: str, /, **values: object) -> tuple[str, ...]:
        value = _entries(self.name)[key][self.language]
        if not isinstance(value, list):
            raise TypeError(f"documents/{self.name}.json: {key} is not a list of texts")
        return tuple(str(line).format(**values) for line in value)


def document_texts(name: str, language: str) -> DocumentTexts:
    return DocumentTexts(name, document_language(language))


@dataclass(frozen=True)
class Styles:
    """Paragraph styles in one font; CJK wrapping (which keeps English words whole) for all."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    heading_alone: ParagraphStyle  # a heading that need not stay on the page of what follows
    section: ParagraphStyle
    body: ParagraphStyle
    clause: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    small: ParagraphStyle
    tiny: ParagraphStyle


@cache
def styles(font_name: str) -> Styles:
    def style(name: str, size: float, leading: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font_name,
            bulletFontName=font_name,
            fontSize=size,
            leading=leading,
            wordWrap="CJK",
            **extra,
        )

    return Styles(
        title=style("title", 17, 22, spaceAfter=4),
        subtitle=style("subtitle", 13, 17),
        heading=style("heading", 11, 15, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        heading_alone=style("heading_alone", 11, 15, spaceBefore=8, spaceAfter=3),
        section=style("section", 10, 13, spaceBefore=5, spaceAfter=2, keepWithNext=1),
        body=style("body", 9.5, 13.5, spaceAfter=2),
        clause=style("clause", 9.5, 13.5, spaceAfter=2, leftIndent=14, bulletIndent=0),
        cell=style("cell", 9, 12),
        cell_right=style("cell_right", 9, 12, alignment=TA_RIGHT),
        small=style("small", 7.5, 10, textColor=GREY),
        tiny=style("tiny", 6.5, 8.5, textColor=GREY),
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of data (a name, an address, a note): "&" and "<" print as they are."""
    return Text(escape(text), style)


def fit(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """A table cell of `width`: the text itself when it fits on one line, else a paragraph that
    wraps. A plain string costs a fraction of a paragraph, which matters on a 200-page day."""
    line = " ".join(text.split())
    if stringWidth(line, style.fontName, style.fontSize) <= width - CELL_PADDING:
        return line
    return para(line, style)


def grid_style(font: CJKFont, size: float = 9) -> list[tuple[Any, ...]]:
    """Table style commands every document's tables start from."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), font.name),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size + 3),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]


# The canvas calls this for every page once the number of pages is known.
Footer = Callable[[Canvas, int, int], None]


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Holds every finished page until the document is saved, then draws each page's footer
    knowing how many pages there are ("page 2 of 5") before writing it out."""

    def __init__(
        self, *args: Any, footer: Footer, layout: Layout | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._held: list[dict[str, Any]] = []
        # Read by `layout_of`: what the flowables drawn on this canvas place where.
        self.layout = layout

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._footer(self, number, pages)
            super().showPage()
        super().save()


def numbered_canvas(footer: Footer, layout: Layout | None = None) -> Callable[..., Canvas]:
    """A canvas maker for `doc.build(..., canvasmaker=...)` that draws `footer` on each page
    (and collects in `layout`, when given, the text the pages place)."""

    def make(*args: Any, **kwargs: Any) -> Canvas:
        return _NumberedCanvas(*args, footer=footer, layout=layout, **kwargs)

    return make


class PageFoot:
    """The foot of a document's pages, between `left` and `right`: a rule, a text wrapping
    downwards from a first line level with the baseline `y` (never below FOOT_BOTTOM) left of
    the widest page number, and "page X of Y" (the document's `page` text) flush right on `y`.
    """

    def __init__(
        self, texts: DocumentTexts, font: str, *, left: float, right: float, y: float
    ) -> None:
        self.texts = texts
        self.font = font
        self.left, self.right, self.y = left, right, y
        self._widths: dict[int, float] = {}

    def number(self, page: int, pages: int) -> str:
        return self.texts.text("page", page=page, pages=pages)

    def numbers_width(self, pages: int) -> float:
        """The width of the widest page number of a document of `pages` pages."""
        if pages not in self._widths:
            self._widths[pages] = max(
                stringWidth(self.number(page, pages), self.font, PAGE_NUMBER_SIZE)
                for page in range(1, pages + 1)
            )
        return self._widths[pages]

    def draw(self, canvas: Canvas, text: Paragraph, page: int, pages: int) -> None:
        """The foot of page `page` of `pages`, with `text` left of its number."""
        left, right, y = self.left, self.right, self.y
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(left, y + 9, right, y + 9)
        canvas.setFillColor(GREY)
        start = right - self.numbers_width(pages)
        top = y + text.style.fontSize
        _, height = text.wrap(start - FOOT_GAP - left, top - FOOT_BOTTOM)
        canvas.setFont(self.font, PAGE_NUMBER_SIZE)
        number = self.number(page, pages)
        with within(canvas, (left, FOOT_BOTTOM, right, y + 8.5)):
            text.drawOn(canvas, left, top - height)
            canvas.drawRightString(right, y, number)
            place(canvas, [number], self.font, PAGE_NUMBER_SIZE, 10, (start, y - 2, right, y + 8))
        canvas.restoreState()


# ---------------------------------------------------------------- where the text goes


@dataclass(frozen=True)
class Box:
    """A rectangle of a page in points, from the page's bottom left corner (PDF user space)."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass(frozen=True)
class Placed:
    """A block of text a page shows: its lines as they were set, in one font and size.

    room: where the lines were set, so each line must be no wider and all of them no taller;
    bounds: what the room must stay inside (its table cell within the cell's padding, the
    page's frame, or the band of the page's foot).
    """

    page: int
    lines: tuple[str, ...]
    font: str
    size: float
    leading: float
    room: Box
    bounds: Box


Room = tuple[float, float, float, float]  # left, bottom, right, top where a canvas now draws


class Layout:
    """What a document's pages place where, collected while they are drawn, so that a test can
    measure every line against its box (the PDF itself keeps no such structure). A canvas
    carries one as its `layout` (`numbered_canvas`); `place` and `within` report to it."""

    def __init__(self, frame: Box, into: list[Placed] | None = None) -> None:
        self.placed: list[Placed] = [] if into is None else into
        self.bounds = [frame]


def layout_of(canvas: Canvas) -> Layout | None:
    """The `Layout` collecting what `canvas` draws, if any."""
    layout = getattr(canvas, "layout", None)
    return layout if isinstance(layout, Layout) else None


def place(
    canvas: Canvas, lines: Sequence[str], font: str, size: float, leading: float, room: Room
) -> None:
    """Tell the canvas's layout, if it has one, that `lines` were set in `room`."""
    layout = layout_of(canvas)
    if layout is not None:
        layout.placed.append(
            Placed(
                page=canvas.getPageNumber(),
                lines=tuple(lines),
                font=font,
                size=size,
                leading=leading,
                room=_on_page(canvas, room),
                bounds=layout.bounds[-1],
            )
        )


@contextmanager
def within(canvas: Canvas, box: Room) -> Iterator[None]:
    """Text placed meanwhile on `canvas` must stay inside `box`."""
    layout = layout_of(canvas)
    if layout is None:
        yield
        return
    layout.bounds.append(_on_page(canvas, box))
    try:
        yield
    finally:
        layout.bounds.pop()


def _on_page(canvas: Canvas, box: Room) -> Box:
    left, bottom = canvas.absolutePosition(box[0], box[1])
    right, top = canvas.absolutePosition(box[2], box[3])
    return Box(left, bottom, right, top)


def frame_box(left: float, bottom: float, width: float, height: float) -> Box:
    """Where a page template's frame (at `left`, `bottom`, `width` by `height`) lets text go."""
    return Box(
        left + FRAME_PADDING,
        bottom + FRAME_PADDING,
        left + width - FRAME_PADDING,
        bottom + height - FRAME_PADDING,
    )


# A bound on re-breaking a paragraph whose punctuation hangs; each try narrows it further.
_REWRAPS = 4
# reportlab's own tolerance when it compares a line with its width.
_FUZZ = 1e-6


def _hang(lines: Any) -> float:
    """How far the widest line of a wrapped paragraph runs past its width (0 when none does)."""
    if lines.kind == 0:
        spare = [line[0] for line in lines.lines]
    else:
        spare = [line.extraSpace for line in lines.lines]
    return max((-float(extra) for extra in spare), default=0.0)


def line_texts(lines: Any) -> tuple[str, ...]:
    """The text of each line of a wrapped paragraph (`Paragraph.blPara`)."""
    if lines.kind == 0:
        return tuple(" ".join(words) for _, words in lines.lines)
    return tuple("".join(getattr(word, "text", "") for word in line.words) for line in lines.lines)


class Text(Paragraph):  # type: ignore[misc]  # reportlab ships no type hints
    """A paragraph that keeps to its width and tells its canvas's `Layout` the lines it set.

    reportlab's CJK wrapping lets a mark that may not start a line (。，、）” …) hang past the
    right edge, into the margin or the next table cell; where one would, the lines are broken
    that much narrower, so the mark hangs inside the paragraph's box.
    """

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        # reportlab narrows the first width in place for a wide bullet: start from a copy.
        widths = list(maxWidths) if isinstance(maxWidths, list | tuple) else [maxWidths]
        lines = super().breakLinesCJK(list(widths))
        narrower = 0.0
        for _ in range(_REWRAPS):
            hang = _hang(lines)
            if hang <= _FUZZ:
                break
            narrower += hang
            lines = super().breakLinesCJK([width - narrower for width in widths])
        return lines

    def draw(self) -> None:
        super().draw()
        style, top = self.style, self.height
        room = (style.leftIndent, 0.0, self.width - style.rightIndent, top)
        lines = line_texts(self.blPara)
        place(self.canv, lines, style.fontName, style.fontSize, style.leading, room)
        if self.bulletText:
            bullet = (style.bulletIndent, top - style.leading, style.leftIndent, top)
            size = style.bulletFontSize
            place(self.canv, [self.bulletText], style.bulletFontName, size, style.leading, bullet)


class Grid(Table):  # type: ignore[misc]  # reportlab ships no type hints
    """A table that tells its canvas's `Layout` each cell's text and the box inside the cell's
    padding, which the text must keep to."""

    # The one place reportlab knows both a cell's box and what goes in it.
    def _drawCell(
        self, value: Any, style: Any, position: tuple[float, float], size: tuple[float, float]
    ) -> None:
        (x, y), (width, height) = position, size
        inside = (
            x + style.leftPadding,
            y + style.bottomPadding,
            x + width - style.rightPadding,
            y + height - style.topPadding,
        )
        with within(self.canv, inside):
            # Paragraphs in the cell place themselves; plain text is drawn by the table.
            super()._drawCell(value, style, position, size)
            text = "" if isinstance(value, list | tuple | Flowable) else str(value)
            if text:
                lines, font, leading = text.split("\n"), style.fontname, style.leading
                place(self.canv, lines, font, style.fontsize, leading, inside)


def grid(
    rows: list[list[Any]],
    widths: list[float],
    styles: Styles,
    font: CJKFont,
    extra: Sequence[tuple[Any, ...]] = (),
    *,
    right: Sequence[int] = (),
    **options: Any,
) -> Grid:
    """A table whose text wraps inside its cells; the columns in `right` are set flush right
    (amounts), which `extra` must say for the cells' plain text too."""
    cells = [
        [
            fit(value, widths[column], styles.cell_right if column in right else styles.cell)
            if isinstance(value, str)
            else value
            for column, value in enumerate(row)
        ]
        for row in rows
    ]
    table = Grid(cells, colWidths=widths, hAlign="LEFT", **options)
    table.setStyle(TableStyle([*grid_style(font), *extra]))
    return table
