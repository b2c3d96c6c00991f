"""What every printed sheet shares: A4, the embedded Japanese font, styles and a page footer.

Paper is what council members and residents see of this app, so every sheet has the same quiet
look: a title, small grey meta lines, ruled tables, and "n / N" with the issue date at the foot.
reportlab is imported inside the functions so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shienapp.reports.fonts import register_japanese_font

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable, Table

MARGIN_MM = 15.0
RULE_COLOUR = "#555555"
HEADER_FILL = "#EDEDED"
MUTED = "#555555"


@dataclass(frozen=True, slots=True)
class SheetStyles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
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
    return SheetStyles(
        title=style("title", 18, spaceAfter=2),
        subtitle=style("subtitle", base_size + 1, textColor=colors.HexColor(MUTED)),
        heading=style("heading", base_size + 2, spaceBefore=8, spaceAfter=3),
        body=style("body", base_size),
        small=style("small", base_size - 1.5, textColor=colors.HexColor(MUTED)),
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
) -> Table:
    """A table with thin rules and a grey header, the look of a municipal form."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=col_widths, repeatRows=header_rows)
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
) -> bytes:
    """Lay out ``story`` on A4 portrait pages; every page ends with "footer … n / N"."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

    font = register_japanese_font()
    width, _height = A4

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
                self.drawRightString(
                    width - MARGIN_MM * mm, 9 * mm, f"{self._pageNumber} / {total}"
                )
                super().showPage()
            super().save()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_MM * mm,
        rightMargin=MARGIN_MM * mm,
        topMargin=MARGIN_MM * mm,
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


def text_width_mm() -> float:
    """The width between the margins on A4, in millimetres."""
    return 210.0 - 2 * MARGIN_MM
