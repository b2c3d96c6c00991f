"""What every printed sheet shares: A4, the embedded Japanese font, styles and a page footer.

Paper is what council members and residents see of this app, so every sheet has the same quiet
look: a title, small grey meta lines, ruled tables, and "n / N" with the issue date at the foot.
reportlab is imported inside the functions so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Any

from shienapp.reports.fonts import register_japanese_font

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable, Table

MARGIN_MM = 15.0
RULE_COLOUR = "#555555"
HEADER_FILL = "#EDEDED"
MUTED = "#555555"
# Room above the frame for the running header line of multi-page sheets (the line itself sits in
# the margin, 11 mm from the top edge, ruled at 12.8 mm).
HEADER_MM = 2.5
# The Japanese convention for a character that cannot be printed: 〓 (ゲタ).
GETA = "〓"
_ZWJ = "\u200d"


@dataclass(frozen=True, slots=True)
class SheetStyles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_centre: ParagraphStyle


def sheet_styles(base_size: float = 9.5) -> SheetStyles:
    """Paragraph styles in the Japanese font; CJK word wrap breaks lines between any characters."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    font = register_japanese_font()

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font,
            bulletFontName=font,
            fontSize=size,
            leading=size * 1.45,
            wordWrap="CJK",
            **extra,
        )

    cell = style("cell", base_size - 0.5)
    small = style("small", base_size - 1.5, textColor=colors.HexColor(MUTED))
    return SheetStyles(
        title=style("title", 18, spaceAfter=2),
        subtitle=style("subtitle", base_size + 1, textColor=colors.HexColor(MUTED)),
        heading=style("heading", base_size + 2, spaceBefore=8, spaceAfter=3),
        body=style("body", base_size),
        small=small,
        small_right=ParagraphStyle("small_right", parent=small, alignment=TA_RIGHT),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_centre=ParagraphStyle("cell_centre", parent=cell, alignment=TA_CENTER),
    )


def ruled_table(
    rows: list[list[Any]],
    col_widths: list[float],
    *,
    header_rows: int = 1,
    header_column: bool = False,
    row_heights: list[float | None] | None = None,
) -> Table:
    """A table with thin rules and a grey header, the look of a municipal form.

    ``row_heights`` fixes rows a hand must write in; None in it leaves a row its natural height.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=col_widths, rowHeights=row_heights, repeatRows=header_rows)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(RULE_COLOUR)),
        ("FONT", (0, 0), (-1, -1), register_japanese_font()),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor(HEADER_FILL)))
    if header_column:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor(HEADER_FILL)))
    table.setStyle(TableStyle(commands))
    return table


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    footer: str,
    author: str = "shienapp",
    header: str | None = None,
    landscape: bool = False,
    paper: str = "A4",
) -> bytes:
    """Lay out ``story`` on A4 (portrait unless ``landscape``); each page ends "footer … n / N".

    With ``header`` every page also starts with that line above a rule, so a loose page of a
    long sheet still says which meeting it belongs to; the top margin grows to make room.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A3, A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

    font = register_japanese_font()
    size = A3 if paper == "A3" else A4
    page = (size[1], size[0]) if landscape else size
    width, height = page
    footer = printable(footer)
    top_line = _fit(printable(header), font, 8.5, width - 2 * MARGIN_MM * mm) if header else ""

    class NumberedCanvas(Canvas):
        """Defers each page until the total is known, so the footer can say "2 / 3"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.setFillColor(colors.HexColor(MUTED))
                self.drawString(MARGIN_MM * mm, 9 * mm, footer)
                if top_line:
                    self.setFont(font, 8.5)
                    self.drawString(MARGIN_MM * mm, height - 11 * mm, top_line)
                    self.setStrokeColor(colors.HexColor(RULE_COLOUR))
                    self.setLineWidth(0.5)
                    y = height - 12.8 * mm
                    self.line(MARGIN_MM * mm, y, width - MARGIN_MM * mm, y)
                self.drawRightString(
                    width - MARGIN_MM * mm, 9 * mm, f"{self._pageNumber} / {total}"
                )
                super().showPage()
            super().save()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGIN_MM * mm,
        rightMargin=MARGIN_MM * mm,
        topMargin=(MARGIN_MM + (HEADER_MM if top_line else 0)) * mm,
        bottomMargin=(MARGIN_MM + 4) * mm,
        title=title,
        author=author,
        creator="shienapp",
        lang="ja-JP",
        # Start in the Japanese font, so the PDF never names an unembedded Helvetica.
        initialFontName=font,
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def title_block(
    left: list[Any], right: Any, right_mm: float, font: str, *, landscape: bool = False
) -> Table:
    """The top of a sheet: title lines on the left, date and place on the right, a heavy rule."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    width = text_width_mm(landscape=landscape)
    table = Table([[left, right]], colWidths=[(width - right_mm) * mm, right_mm * mm])
    table.setStyle(
        TableStyle(
            [
                # Every table names the font, or the PDF refers to an unembedded Helvetica.
                ("FONT", (0, 0), (-1, -1), font),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, "#222222"),
            ]
        )
    )
    return table


def grow_rows(rows: list[list[Any]], heights: list[float | None], widths_mm: list[float]) -> None:
    """Let a fixed-height row grow when its printed text wraps to more lines than fit, rather
    than spill over the row below."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    for r, row in enumerate(rows):
        if heights[r] is None:
            continue
        for c, cell in enumerate(row):
            if isinstance(cell, Paragraph):
                _, needed = cell.wrap(widths_mm[c] * mm - 8, 10_000)
                heights[r] = max(heights[r] or 0, needed + 5)


def text_width_mm(*, landscape: bool = False) -> float:
    """The width between the margins on A4 (portrait or landscape), in millimetres."""
    return (297.0 if landscape else 210.0) - 2 * MARGIN_MM


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut a header line that is wider than the page, ending it with "…"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


@functools.cache
def _printable_codepoints() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(register_japanese_font()).face
    return frozenset(face.charToGlyph)


def printable(text: str) -> str:
    """``text`` with every character IPAexGothic lacks (emoji, rare kanji) shown as 〓.

    reportlab would silently draw the font's empty .notdef glyph, so a name would print with
    an invisible hole; 〓 tells the reader something was there. Invisible joiners, variation
    selectors and skin-tone modifiers are dropped, and one emoji sequence (👨‍👩‍👧) gives one 〓.
    Line breaks and tabs are kept for the caller to handle.
    """
    known = _printable_codepoints()
    out: list[str] = []
    joining = False
    for ch in text:
        code = ord(ch)
        if code in known or ch in "\n\t":
            out.append(ch)
            joining = False
        elif ch == _ZWJ:
            joining = bool(out) and out[-1] == GETA
        elif 0x1F3FB <= code <= 0x1F3FF or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
            continue  # modifiers, variation selectors, keycap, controls: nothing to see
        elif joining:
            joining = False  # the rest of an emoji sequence already shown as one 〓
        else:
            out.append(GETA)
    return "".join(out)


def esc(text: str) -> str:
    """Text for a Paragraph, printed as typed: markup escaped, line breaks kept, 〓 for holes."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r\n", "\n").replace("\n", "<br/>").replace("\t", "　")


def time_range(starts_at: time | None, ends_at: time | None) -> str:
    """14:00～15:30 as a Japanese notice writes it; "14:00～" with no end, "" with no start."""
    if starts_at is None:
        return f"～{_hm(ends_at)}" if ends_at else ""
    return f"{_hm(starts_at)}～{_hm(ends_at) if ends_at else ''}"


def _hm(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"
