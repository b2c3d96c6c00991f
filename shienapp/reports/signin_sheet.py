"""出席者名簿（受付簿）: the sheet at the door that members sign as they arrive.

Members are printed in the council's own order (officers first, then 五十音順), so the
receptionist finds a name at a glance; numbered blank rows below take guests and visitors.
Rows are as tall as the page count allows, so a pen has room but paper is not wasted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shienapp.core.meetings import MeetingDetail
from shienapp.reports.layout import (
    build_pdf,
    esc,
    grow_rows,
    ruled_table,
    sheet_styles,
    text_width_mm,
    title_block,
)
from shienapp.reports.minutes import meeting_footer, meeting_header, meeting_name, meeting_when

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from shienapp.core.councils import MemberRow
    from shienapp.reports.layout import SheetStyles

SHEET_NAME = "出席者名簿（受付簿）"
# Tallest first: the first height that keeps the fewest pages wins. 7 mm is a notebook's A罫,
# the least a signature needs; 60 members and 8 guest rows then fill exactly two pages.
ROW_HEIGHTS_MM = (10.0, 9.0, 8.0, 7.5, 7.0)
# No. | 氏名 | 所属・役職 | 出欠 | 署名
COLUMNS_MM = (10.0, 38.0, 50.0, 14.0)


def render_signin_sheet(detail: MeetingDetail, *, blank_rows: int = 8) -> bytes:
    """The sign-in sheet as PDF bytes (A4 portrait; column heads repeated on every page)."""
    best: bytes | None = None
    fewest = 0
    for height in reversed(ROW_HEIGHTS_MM):  # the smallest rows give the fewest pages
        pdf = _render(detail, blank_rows, height)
        pages = _page_count(pdf)
        if best is None:
            best, fewest = pdf, pages
        elif pages == fewest:
            best = pdf  # taller rows, same paper
        else:
            break
    assert best is not None
    return best


def _render(detail: MeetingDetail, blank_rows: int, row_mm: float) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    st = sheet_styles()
    story: list[Flowable] = [
        _title(detail, st),
        Spacer(1, 2 * mm),
        _table(detail.members, blank_rows, row_mm, st),
    ]
    return build_pdf(
        story,
        title=f"{SHEET_NAME} {detail.row.council_name}",
        footer=meeting_footer(detail, SHEET_NAME),
        header=meeting_header(detail, SHEET_NAME),
    )


def _title(detail: MeetingDetail, st: SheetStyles) -> Flowable:
    """Title, meeting, date and venue in three lines: every millimetre left goes to the rows."""
    from reportlab.platypus import Paragraph

    row = detail.row
    left = [
        Paragraph(SHEET_NAME, st.title),
        Paragraph(esc(meeting_name(detail)), st.subtitle),
    ]
    right = [
        Paragraph(f"日時：{esc(meeting_when(detail))}", st.cell_right),
        Paragraph(f"会場：{esc(row.venue)}" if row.venue else "会場：", st.cell_right),
        Paragraph("出欠欄の□に印を付け、署名欄にご署名ください。", st.small_right),
    ]
    return title_block(left, right, 95, st.body.fontName)


def _table(
    members: tuple[MemberRow, ...], blank_rows: int, row_mm: float, st: SheetStyles
) -> Flowable:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    widths = [*COLUMNS_MM, text_width_mm() - sum(COLUMNS_MM)]
    box = ParagraphStyle("box", parent=st.cell, fontSize=13, leading=14, alignment=TA_CENTER)
    size = st.cell.fontSize
    name = ParagraphStyle("name", parent=st.cell, fontSize=size + 1, leading=(size + 1) * 1.3)
    small = ParagraphStyle("org", parent=st.cell, fontSize=size - 1, leading=(size - 1) * 1.3)

    def p(text: str, style: ParagraphStyle = st.cell) -> Paragraph:
        return Paragraph(esc(text), style)

    rows: list[list[object]] = [
        [p(h, st.cell_centre) for h in ("No.", "氏名", "所属・役職", "出欠", "署名")]
    ]
    heights: list[float | None] = [None]
    for i, m in enumerate(members, start=1):
        affiliation = "　".join(part for part in (m.organisation, m.role) if part)
        rows.append(
            [p(str(i), st.cell_centre), p(m.name, name), p(affiliation, small), p("□", box), ""]
        )
        heights.append(row_mm * mm)
    guest_row = len(rows)
    guest_label = ParagraphStyle(
        "guest", parent=st.small, fontSize=6.5, leading=7, textColor=colors.HexColor("#777777")
    )
    for i in range(len(members) + 1, len(members) + blank_rows + 1):
        label = Paragraph("ゲスト・見学者", guest_label) if len(rows) == guest_row else ""
        rows.append([p(str(i), st.cell_centre), label, "", p("□", box), ""])
        heights.append(row_mm * mm)
    grow_rows(rows, heights, widths)
    table = ruled_table(rows, [w * mm for w in widths], row_heights=heights)
    if blank_rows:
        # Guests start below a heavy rule, their first row labelled in small grey print.
        table.setStyle(
            [
                ("LINEABOVE", (0, guest_row), (-1, guest_row), 1.5, colors.HexColor("#222222")),
                ("VALIGN", (1, guest_row), (1, guest_row), "TOP"),
                ("TOPPADDING", (1, guest_row), (1, guest_row), 1),
            ]
        )
    return table


def _page_count(pdf: bytes) -> int:
    """Pages in a PDF this module just wrote (each page object says /Type /Page once)."""
    import re

    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))
