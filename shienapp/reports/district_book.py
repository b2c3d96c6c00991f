"""地域別データ分析ブック: a contents page, then one page per district built on the district
sheet (地区カルテ) with that 年度's activity, all districts in one PDF.

Making 39 pages with a chart each takes a few seconds, so the work reports its progress and
stops with nothing written when the user cancels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from shienapp.core.context import AppContext
from shienapp.core.district_sheet import DistrictSheetData, district_sheet_data
from shienapp.core.errors import UserError
from shienapp.core.jpdate import fiscal_year_label, format_wareki
from shienapp.core.stats import format_rate
from shienapp.reports.district_sheet import district_page
from shienapp.reports.layout import HEADER_MM, build_pdf, printable, ruled_table, sheet_styles

TITLE = "地域別データ分析ブック"
# Contents rows have a fixed height, so the number of contents pages (and so every page number
# printed in the contents) is known before the book is laid out.
CONTENTS_ROW_MM = 5.5
CONTENTS_HEAD_MM = 34.0  # title, subtitle and the 目次 heading on the first page
FRAME_MM = 297.0 - 15.0 - 19.0 - HEADER_MM
CANCELLED = "データブックの作成を中止しました。ファイルは作っていません。"


class BookCancelled(UserError):
    def __init__(self) -> None:
        super().__init__(CANCELLED)


@dataclass(frozen=True, slots=True)
class BookPage:
    sheet: DistrictSheetData
    meetings_held: int
    resources_running: int
    open_needs: int
    ageing_rate: float | None  # in the book's 年度


def book_pages(
    ctx: AppContext,
    fiscal_year: int,
    *,
    issued_on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> list[BookPage]:
    from collections import Counter

    districts = ctx.districts.list_districts()
    held = Counter(
        m.district_id
        for m in ctx.meetings.list_meetings(fiscal_year=fiscal_year)
        if m.status == "開催済"
    )
    running = Counter(r.district_id for r in ctx.directory.list_resources() if r.status == "活動中")
    open_needs = Counter(
        n.district_id for n in ctx.matching.list_needs() if n.status in ("受付", "調整中")
    )
    pages = []
    for index, d in enumerate(districts):
        if is_cancelled is not None and is_cancelled():
            raise BookCancelled()
        sheet = district_sheet_data(ctx.districts, d.id, issued_on)
        rate = next(
            (st.ageing_rate for st in sheet.detail.statistics if st.fiscal_year == fiscal_year),
            None,
        )
        pages.append(BookPage(sheet, held[d.id], running[d.id], open_needs[d.id], rate))
        if progress is not None:
            progress(index + 1, 2 * len(districts))
    return pages


def contents_page_count(districts: int) -> int:
    """Pages the contents takes: the first holds fewer rows (it carries the title)."""
    first = int((FRAME_MM - CONTENTS_HEAD_MM) // CONTENTS_ROW_MM) - 1  # less the header row
    later = int(FRAME_MM // CONTENTS_ROW_MM) - 2  # less the repeated header, and a margin
    if districts <= first:
        return 1
    return 1 + math.ceil((districts - first) / later)


def render_district_book(
    pages: list[BookPage],
    fiscal_year: int,
    *,
    issued_on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    st = sheet_styles(9.0)
    year = fiscal_year_label(fiscal_year)
    issued = format_wareki(issued_on or date.today())
    contents_pages = contents_page_count(len(pages))
    rows: list[list[Any]] = [
        ["No.", "地区", "ブロック", "協議体", "高齢化率", "開催回数", "ページ"]
    ]
    for number, page in enumerate(pages, start=1):
        row = page.sheet.detail.row
        rows.append(
            [
                str(number),
                printable(row.name)[:16],
                printable(row.block_name)[:14],
                row.council_status,
                format_rate(page.ageing_rate),
                f"{page.meetings_held}回",
                str(contents_pages + number),
            ]
        )
    table = ruled_table(
        rows,
        [w * mm for w in (12, 42, 36, 24, 22, 22, 16)],
        row_heights=[CONTENTS_ROW_MM * mm] * len(rows),
    )
    table.setStyle(
        [
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
            ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ]
    )
    story: list[Any] = [
        Paragraph(f"{year} {TITLE}", st.title),
        Paragraph(f"全 {len(pages)} 地区　{issued}発行", st.subtitle),
        Spacer(1, 4 * mm),
        Paragraph("目次", st.heading),
        table,
    ]
    total = 2 * len(pages)
    for index, page in enumerate(pages):
        if is_cancelled is not None and is_cancelled():
            raise BookCancelled()
        extra = [
            Paragraph(
                f"<b>{year}の活動</b>　協議体などの開催 {page.meetings_held}回　"
                f"活動中の社会資源 {page.resources_running}件　未対応のニーズ {page.open_needs}件",
                st.body,
            ),
            Spacer(1, 2 * mm),
        ]
        story += [PageBreak(), district_page(page.sheet, extra, header_mm=HEADER_MM)]
        if progress is not None:
            progress(len(pages) + index + 1, total)
    return build_pdf(
        story,
        title=f"{year} {TITLE}",
        footer=f"{year} {TITLE}　{issued}発行",
        header=f"{year} {TITLE}",
    )
